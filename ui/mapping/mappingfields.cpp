#include "mappingfields.h"

#include "connectors/connector.h"
#include "data/schemainference.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Ui::MappingFields {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Ui::MappingDesigner)
};

QString schemaType(const QJsonObject &schema)
{
    const QJsonValue type = schema.value(u"type"_s);
    if (type.isArray()) {
        QStringList names;
        for (const QJsonValue &t : type.toArray())
            names.append(t.toString());
        return names.join(u" | "_s);
    }
    if (type.isString())
        return type.toString();
    if (schema.contains(u"properties"_s))
        return u"object"_s;
    if (schema.contains(u"items"_s))
        return u"array"_s;
    return QString();
}

Fields propertiesOf(const QJsonObject &schema, const QString &prefix, int depth)
{
    Fields out;
    if (depth > 32)
        return out;
    QJsonObject effective = schema;
    // An array's item properties are shown directly under the array.
    if (!effective.contains(u"properties"_s) && effective.value(u"items"_s).isObject())
        effective = effective.value(u"items"_s).toObject();
    const QJsonObject properties = effective.value(u"properties"_s).toObject();
    QStringList required;
    for (const QJsonValue &r : effective.value(u"required"_s).toArray())
        required.append(r.toString());
    for (auto it = properties.begin(); it != properties.end(); ++it) {
        const QJsonObject property = it.value().toObject();
        Field field;
        field.name = it.key();
        field.path = prefix.isEmpty() ? it.key() : prefix + u'.' + it.key();
        field.type = schemaType(property);
        field.format = property.value(u"format"_s).toString();
        field.required = required.contains(it.key());
        field.children = propertiesOf(property, field.path, depth + 1);
        out.push_back(std::move(field));
    }
    return out;
}

Field fromSchemaField(const Data::SchemaField &source, const QString &prefix)
{
    Field field;
    field.name = source.name;
    field.path = prefix.isEmpty() ? source.name : prefix + u'.' + source.name;
    QStringList types = source.typeNames();
    if (const Data::SchemaField *item = source.item(); item && source.isRepeated()) {
        const QStringList itemTypes = item->typeNames();
        if (!itemTypes.isEmpty())
            types.replace(types.indexOf(u"array"_s), u"array of %1"_s.arg(itemTypes.join(u"|"_s)));
        for (const Data::SchemaField &child : item->fields)
            field.children.push_back(fromSchemaField(child, field.path));
    }
    field.type = types.join(u" | "_s);
    field.format = Data::SchemaField::formatName(source.format);
    field.required = !source.optional;
    for (const Data::SchemaField &child : source.fields)
        field.children.push_back(fromSchemaField(child, field.path));
    return field;
}

} // namespace

Fields fromJsonSchema(const QJsonObject &schema)
{
    return propertiesOf(schema, QString(), 0);
}

Fields fromInference(const Data::SchemaField &root)
{
    Fields out;
    const Data::SchemaField *record = &root;
    // Inference over several records merges them under the root; a root array (the
    // records of a CSV file) describes its items.
    if (record->isRepeated() && record->item())
        record = record->item();
    for (const Data::SchemaField &child : record->fields)
        out.push_back(fromSchemaField(child, QString()));
    return out;
}

namespace {

// Drops "examples" throughout a schema.
QJsonObject withoutExamples(QJsonObject schema, int depth = 0)
{
    schema.remove(u"examples"_s);
    if (depth > 64)
        return schema;
    for (auto it = schema.begin(); it != schema.end(); ++it) {
        if (it.key() == u"properties") {
            QJsonObject properties = it.value().toObject();
            for (auto p = properties.begin(); p != properties.end(); ++p)
                p.value() = withoutExamples(p.value().toObject(), depth + 1);
            it.value() = properties;
        } else if (it.key() == u"items" && it.value().isObject()) {
            it.value() = withoutExamples(it.value().toObject(), depth + 1);
        }
    }
    return schema;
}

} // namespace

QJsonObject entitySchema(const Connectors::Entity &entity)
{
    Data::SchemaField record = entity.schema;
    if (record.fields.empty() && record.isRepeated() && record.item()) {
        Data::SchemaField item = *record.item();
        record = std::move(item);
    }
    // A record is an object, even where a connector left the root's type unset; it is never
    // null itself (a nullable root would only come from inference over null samples).
    if (!record.fields.empty() || record.types == Data::SchemaTypes())
        record.types = Data::SchemaType::Object;
    // Values a connector saw in live data (a files or REST endpoint infers its fields from
    // records) do not go into a project document that is kept in git.
    QJsonObject schema = withoutExamples(record.toJsonSchema(true).toQJson().toObject());
    if (!entity.name.isEmpty())
        schema.insert(u"title"_s, entity.name);
    if (!entity.description.isEmpty())
        schema.insert(u"description"_s, entity.description);
    if (!entity.keyFields.isEmpty())
        schema.insert(u"x-key"_s, QJsonArray::fromStringList(entity.keyFields));
    return schema;
}

void addPath(Fields &fields, const QString &dotted, const QString &type)
{
    const QStringList segments = dotted.split(u'.');
    Fields *level = &fields;
    QString path;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        path = path.isEmpty() ? segments[i] : path + u'.' + segments[i];
        auto it = std::find_if(level->begin(), level->end(),
                               [&](const Field &f) { return f.name == segments[i]; });
        if (it == level->end()) {
            Field field;
            field.name = segments[i];
            field.path = path;
            field.type = i + 1 == segments.size() ? type : u"object"_s;
            level->push_back(std::move(field));
            it = level->end() - 1;
        }
        level = &it->children;
    }
}

QStringList allPaths(const Fields &fields)
{
    QStringList out;
    for (const Field &f : fields) {
        out.append(f.path);
        out.append(allPaths(f.children));
    }
    return out;
}

const Field *find(const Fields &fields, const QString &dotted)
{
    for (const Field &f : fields) {
        if (f.path == dotted)
            return &f;
        if (dotted.startsWith(f.path + u'.')) {
            if (const Field *inner = find(f.children, dotted))
                return inner;
        }
    }
    return nullptr;
}

QStringList ruleSources(const QJsonObject &rule)
{
    const QString type = rule.value(u"type"_s).toString();
    QStringList out;
    if (type == u"concatenate") {
        for (const QJsonValue &f : rule.value(u"fields"_s).toArray())
            out.append(f.toString());
    } else if (type == u"arithmetic") {
        for (const QString &key : {u"left"_s, u"right"_s}) {
            if (rule.value(key).isString())
                out.append(rule.value(key).toString());
        }
    } else if (type == u"condition") {
        for (const QString &key : {u"then"_s, u"else"_s}) {
            const QJsonValue field = rule.value(key).toObject().value(u"field"_s);
            if (field.isString())
                out.append(field.toString());
        }
    } else if (rule.value(u"source"_s).isString()) {
        out.append(rule.value(u"source"_s).toString());
    }
    out.removeAll(QString());
    out.removeDuplicates();
    return out;
}

QStringList expressionPaths(const QString &expression, const QStringList &known)
{
    static const QRegularExpression strings(u"\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'"_s);
    static const QRegularExpression names(u"(?<![$\\w.`])[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*"_s);
    QString text = expression;
    text.replace(strings, u"\"\""_s);
    QStringList out;
    auto it = names.globalMatch(text);
    while (it.hasNext()) {
        QString path = it.next().captured();
        // The longest known prefix: `customer.name.first` in a tree that stops at name.
        while (!known.contains(path) && path.contains(u'.'))
            path = path.left(path.lastIndexOf(u'.'));
        if (known.contains(path) && !out.contains(path))
            out.append(path);
    }
    return out;
}

QStringList ruleTypes()
{
    return {u"field_mapping"_s, u"uppercase"_s, u"lowercase"_s, u"date_format"_s, u"concatenate"_s,
            u"default_value"_s, u"lookup"_s, u"arithmetic"_s, u"condition"_s, u"expression"_s};
}

QString ruleTypeLabel(const QString &type)
{
    if (type == u"field_mapping")
        return Tr::tr("copy");
    if (type == u"uppercase")
        return Tr::tr("UPPER");
    if (type == u"lowercase")
        return Tr::tr("lower");
    if (type == u"date_format")
        return Tr::tr("date");
    if (type == u"concatenate")
        return Tr::tr("concat");
    if (type == u"default_value")
        return Tr::tr("constant");
    if (type == u"lookup")
        return Tr::tr("lookup");
    if (type == u"arithmetic")
        return Tr::tr("arithmetic");
    if (type == u"condition")
        return Tr::tr("if / else");
    if (type == u"expression")
        return Tr::tr("JSONata");
    return type;
}

} // namespace Conflux::Ui::MappingFields
