#pragma once

// The compiled form of JSON Schemas, and what compiling them (jsonschema.cpp) and validating
// instances against them (jsonschemavalidator.cpp) share. Private to the model module.

#include "jsonschema.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QLatin1String>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <cmath>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace Conflux::Model::Internal {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Model)
};

// Instance type bits. "number" admits both number bits; "integer" only Integer.
enum TypeBit : quint8 {
    NullBit = 1,
    BooleanBit = 2,
    IntegerBit = 4,
    NumberBit = 8,
    StringBit = 16,
    ArrayBit = 32,
    ObjectBit = 64,
};

// A schema compiled once: keywords parsed, regular expressions built, references resolved
// to other nodes (possibly in other documents) after the documents are registered.
struct Node
{
    enum class Kind : quint8 { True, False, Schema, Ref };

    struct Dependency
    {
        QString property;
        QStringList required; // array form
        const Node *schema = nullptr; // schema form
    };

    Kind kind = Kind::True;
    QString location; // canonical "documentUri#/json/pointer", for diagnostics

    QString refUri;
    const Node *ref = nullptr;

    quint8 types = 0;
    std::optional<QJsonArray> enumValues;
    std::optional<QJsonValue> constValue;

    std::optional<double> minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf;

    qint64 minLength = -1, maxLength = -1;
    QString patternSource;
    QRegularExpression pattern;

    const Node *items = nullptr;
    QList<const Node *> itemList;
    bool itemsIsArray = false;
    const Node *additionalItems = nullptr;
    const Node *contains = nullptr;
    qint64 minItems = -1, maxItems = -1;
    bool uniqueItems = false;

    QHash<QString, const Node *> properties;
    QStringList propertyOrder; // sorted, so choices made from it are deterministic
    QList<std::pair<QRegularExpression, const Node *>> patternProperties;
    const Node *additionalProperties = nullptr;
    QStringList required;
    const Node *propertyNames = nullptr;
    qint64 minProperties = -1, maxProperties = -1;
    QList<Dependency> dependencies;

    QList<const Node *> allOf, anyOf, oneOf;
    const Node *notSchema = nullptr;
    const Node *ifSchema = nullptr;
    const Node *thenSchema = nullptr;
    const Node *elseSchema = nullptr;
};

// Where a schema resource (a document or a subschema with an "$id") lives.
struct Location
{
    QString documentUri;
    QStringList tokens;
};

// Documents, resources and compiled nodes. A store may sit on a read-only parent: new work is
// compiled into a scratch store first and merged only when it succeeded.
struct SchemaStore
{
    const SchemaStore *parent = nullptr;
    QHash<QString, QJsonValue> documents;
    QHash<QString, Location> resources;
    QHash<QString, Node *> nodes;
    std::vector<std::unique_ptr<Node>> owned;
    QList<Node *> unresolved;

    const QJsonValue *document(const QString &uri) const
    {
        for (const SchemaStore *s = this; s; s = s->parent) {
            if (const auto it = s->documents.constFind(uri); it != s->documents.cend())
                return &*it;
        }
        return nullptr;
    }
    const Location *resource(const QString &uri) const
    {
        for (const SchemaStore *s = this; s; s = s->parent) {
            if (const auto it = s->resources.constFind(uri); it != s->resources.cend())
                return &*it;
        }
        return nullptr;
    }
    const Node *node(const QString &key) const
    {
        for (const SchemaStore *s = this; s; s = s->parent) {
            if (const Node *n = s->nodes.value(key))
                return n;
        }
        return nullptr;
    }
    void mergeInto(SchemaStore &target)
    {
        target.documents.insert(documents);
        target.resources.insert(resources);
        target.nodes.insert(nodes);
        for (auto &n : owned)
            target.owned.push_back(std::move(n));
        target.unresolved += unresolved;
        *this = SchemaStore {};
    }
};

// ---- Helpers shared by compiling and validating --------------------------------------------

// Escapes a JSON pointer token (RFC 6901).
inline QString escapeToken(QString token)
{
    return token.replace(u'~', QLatin1String("~0")).replace(u'/', QLatin1String("~1"));
}

// The TypeBit of a value (0 for an undefined one).
inline quint8 typeBit(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return NullBit;
    case QJsonValue::Bool:
        return BooleanBit;
    case QJsonValue::Double: {
        const double d = v.toDouble();
        return std::isfinite(d) && std::trunc(d) == d ? IntegerBit : NumberBit;
    }
    case QJsonValue::String:
        return StringBit;
    case QJsonValue::Array:
        return ArrayBit;
    case QJsonValue::Object:
        return ObjectBit;
    case QJsonValue::Undefined:
        break;
    }
    return 0;
}

// `v` as compact JSON text, for messages.
inline QString jsonText(const QJsonValue &v)
{
    const QByteArray json = QJsonDocument(QJsonArray {v}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

// Validates `instance` against the compiled schema `entry` (jsonschemavalidator.cpp). Returns
// every error found, in evaluation order; an empty list means valid.
QList<SchemaError> validateInstance(const Node &entry, const QJsonValue &instance);

} // namespace Conflux::Model::Internal
