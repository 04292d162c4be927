#pragma once

#include "base/result.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <memory>

namespace Conflux::Model {

namespace Internal {
struct SchemaStore;
}

// One way in which an instance fails its schema.
struct SchemaError
{
    // RFC 6901 JSON pointer into the instance ("" is the root, "/fields/3/target" a nested
    // value). It names the value the error is about: the object for "required", the
    // offending property itself for "additionalProperties": false.
    QString pointer;
    // The failing draft-07 keyword ("type", "required", ...). A `false` schema reports
    // "false"; a $ref that cannot be resolved (or recurses without end) reports "$ref".
    QString keyword;
    // For people, translated through the module's Tr context.
    QString message;

    // "/fields/3/target: expected string, got number" ("(root)" for the empty pointer).
    QString toString() const;

    friend bool operator==(const SchemaError &, const SchemaError &) = default;
};

// Holds JSON Schema (draft-07) documents by URI, compiled once, so that $ref can cross
// documents, and validates instances against them.
//
// Supported: every draft-07 validation and applicator keyword, boolean schemas, $id base-URI
// changes (including plain-name "#anchor" ids), $ref with JSON-pointer fragments (~0, ~1 and
// %-escapes) into any registered document, recursive references. "format" is an annotation
// only and never fails. "pattern" and "patternProperties" are ECMA-262 expressions run with
// QRegularExpression, unanchored. Lengths count Unicode code points. enum, const and
// uniqueItems compare by JSON value, so 1 equals 1.0.
//
// Threading: validate() is const and may run on several threads at once; addSchema() must
// not run concurrently with anything else on the same registry.
class SchemaRegistry final
{
public:
    SchemaRegistry();
    ~SchemaRegistry();
    SchemaRegistry(SchemaRegistry &&) noexcept;
    SchemaRegistry &operator=(SchemaRegistry &&) noexcept;
    SchemaRegistry(const SchemaRegistry &) = delete;
    SchemaRegistry &operator=(const SchemaRegistry &) = delete;

    // Registers `schema` under `uri`, or under its top-level "$id" when `uri` is empty
    // (error "schema_without_uri" if it has neither); a root "$id" is registered as well.
    // References to documents that are added later resolve once those are added.
    // Errors ("invalid_schema", one detail per problem) leave the registry unchanged.
    Result<void> addSchema(const QJsonValue &schema, const QString &uri = {});

    // Whether a document is registered under `uri` (its fragment is ignored).
    bool contains(const QString &uri) const;

    // Validates `instance` against the schema at `uri`, which may carry a fragment
    // ("project.json#/definitions/source"). Returns every error found, in evaluation order
    // (stable for a given schema and instance); an empty list means valid. An unknown `uri`
    // yields one error with keyword "$ref". anyOf/oneOf failures report the errors of the
    // branch the value was evidently meant for (by a const/enum discriminator property, else
    // by type) rather than a summary, where there is one such branch.
    QList<SchemaError> validate(const QString &uri, const QJsonValue &instance) const;

private:
    std::unique_ptr<Internal::SchemaStore> m_store;
};

// Convenience for a self-contained schema: compiles it into a throw-away registry.
Result<QList<SchemaError>> validateJson(const QJsonValue &schema, const QJsonValue &instance);

} // namespace Conflux::Model
