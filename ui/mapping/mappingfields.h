#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace Conflux::Connectors {
struct Entity;
}
namespace Conflux::Data {
struct SchemaField;
}

namespace Conflux::Ui::MappingFields {

// One field of a source or target record as the designer's trees show it. `path` is the
// dotted path a rule names (customer.email); fields of array items sit directly under
// the array, since a JSONata path maps over the items (line_items.price).
struct Field
{
    QString name;
    QString path;
    QString type;            // "string", "integer", "object", "array", "string | null", ...
    QString format;          // date, date-time, email, ... when known
    bool required = false;
    std::vector<Field> children;
};
using Fields = std::vector<Field>;

// The fields of a draft-07 JSON Schema of one record (properties, nested objects, the
// properties of array items; $ref is not followed).
Fields fromJsonSchema(const QJsonObject &schema);
// The fields inferred from sample records (Data::SchemaInference's result for them).
Fields fromInference(const Data::SchemaField &root);

// A draft-07 JSON Schema of one record of a discovered entity, for source.schema or
// target.schema: Data::SchemaField::toJsonSchema() of its field tree (types, "null" for
// nullable fields, formats, required for fields every record has, nested objects and
// array items), with the entity's name as "title", its description, and its key fields
// as "x-key" (JSON Schema has no keyword for a primary key). A connector that describes
// its records as an array of them gives the array's item. Example values the connector saw
// are left out: they may be live (personal) data, and the schema goes into the project.
QJsonObject entitySchema(const Connectors::Entity &entity);

// Adds `dotted` (and its parents) when absent; new leaves get `type`.
void addPath(Fields &fields, const QString &dotted, const QString &type);
// Every path, depth first.
QStringList allPaths(const Fields &fields);
const Field *find(const Fields &fields, const QString &dotted);

// The source fields a rule reads (its lines on the canvas), in the order of its form.
QStringList ruleSources(const QJsonObject &rule);

// The field paths among `known` that a JSONata expression reads (names outside string
// literals, not $variables), for the lines of expression and condition rules.
QStringList expressionPaths(const QString &expression, const QStringList &known);

// The rule types the designer offers, in menu order, and a short label for each.
QStringList ruleTypes();
QString ruleTypeLabel(const QString &type);

} // namespace Conflux::Ui::MappingFields
