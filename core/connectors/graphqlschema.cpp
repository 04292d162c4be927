// GraphQL schemas: the standard introspection query, its answer read into a GraphQLSchema, and
// the field trees of its types.

#include "graphqlconnector_p.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace Internal::GraphQL;

namespace {

// The standard introspection query (the GraphQL spec's __schema / __Type fields), with type
// references nested eight levels deep: enough for [[T!]!]! and more.
constexpr auto kIntrospectionQuery = R"(query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind
  name
  description
  fields(includeDeprecated: true) {
    name
    description
    args { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
}
fragment TypeRef on __Type {
  kind
  name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
})";

// ---- introspection -----------------------------------------------------------------------

class IntrospectionReader
{
public:
    std::optional<Error> error;

    void fail(const QString &pointer, const QString &text)
    {
        if (!error)
            error
                = invalidResponse(Tr::tr("The introspection answer is not a valid schema at %1: %2")
                                      .arg(pointer, text));
    }

    QString name(const Data::Value &object, const QString &pointer, bool required = true)
    {
        const Data::Value &value = object[u"name"];
        if (value.isString() && !value.toString().isEmpty())
            return value.toString();
        if (required || !(value.isNull() || value.isUndefined()))
            fail(pointer + u"/name"_s, Tr::tr("must be a non-empty string"));
        return {};
    }
    static QString text(const Data::Value &object, QStringView key)
    {
        return object[key].toString();
    }

    const Data::Array *array(const Data::Value &object, QStringView key, const QString &pointer,
                             bool nullable)
    {
        const Data::Value &value = object[key];
        if (value.isArray())
            return &value.toArray();
        if (!nullable || !(value.isNull() || value.isUndefined()))
            fail(pointer + u'/' + key.toString(), Tr::tr("must be an array"));
        return nullptr;
    }

    GraphQLTypeRef typeRef(const Data::Value &value, const QString &pointer)
    {
        GraphQLTypeRef ref;
        const Data::Value *current = &value;
        QString at = pointer;
        for (int level = 0; level < 32; ++level) {
            if (!current->isObject()) {
                fail(at,
                     level == 0 ? Tr::tr("must be a type reference object")
                                : Tr::tr("the type reference is nested deeper than the "
                                         "introspection query reads"));
                return ref;
            }
            const QString kind = (*current)[u"kind"].toString();
            if (kind == "NON_NULL"_L1 || kind == "LIST"_L1) {
                ref.wrappers.push_back(kind == "LIST"_L1 ? GraphQLTypeRef::Wrapper::List
                                                         : GraphQLTypeRef::Wrapper::NonNull);
                current = &(*current)[u"ofType"];
                at += u"/ofType"_s;
                continue;
            }
            if (kind.isEmpty()) {
                fail(at + u"/kind"_s, Tr::tr("must be a type kind"));
                return ref;
            }
            ref.name = name(*current, at);
            return ref;
        }
        fail(at, Tr::tr("type references nest too deeply"));
        return ref;
    }

    GraphQLInputValue inputValue(const Data::Value &value, const QString &pointer)
    {
        GraphQLInputValue out;
        out.name = name(value, pointer);
        out.description = text(value, u"description");
        out.type = typeRef(value[u"type"], pointer + u"/type"_s);
        if (value[u"defaultValue"].isString())
            out.defaultValue = value[u"defaultValue"].toString();
        return out;
    }

    std::vector<GraphQLInputValue> inputValues(const Data::Value &object, QStringView key,
                                               const QString &pointer)
    {
        std::vector<GraphQLInputValue> out;
        if (const Data::Array *items = array(object, key, pointer, true)) {
            for (size_t i = 0; i < items->size(); ++i)
                out.push_back(inputValue(
                    (*items)[i], pointer + u'/' + key.toString() + u'/' + QString::number(i)));
        }
        return out;
    }

    QStringList names(const Data::Value &object, QStringView key, const QString &pointer)
    {
        QStringList out;
        if (const Data::Array *items = array(object, key, pointer, true)) {
            for (size_t i = 0; i < items->size(); ++i)
                out.append(
                    name((*items)[i], pointer + u'/' + key.toString() + u'/' + QString::number(i)));
        }
        return out;
    }
};

std::optional<GraphQLTypeKind> kindFromName(QStringView name)
{
    static const std::pair<QLatin1StringView, GraphQLTypeKind> kinds[]
        = {{"SCALAR"_L1, GraphQLTypeKind::Scalar},
           {"OBJECT"_L1, GraphQLTypeKind::Object},
           {"INTERFACE"_L1, GraphQLTypeKind::Interface},
           {"UNION"_L1, GraphQLTypeKind::Union},
           {"ENUM"_L1, GraphQLTypeKind::Enum},
           {"INPUT_OBJECT"_L1, GraphQLTypeKind::InputObject}};
    for (const auto &[text, kind] : kinds) {
        if (name == text)
            return kind;
    }
    return std::nullopt;
}

void scalarTypes(const QString &name, Data::SchemaField &field)
{
    using Data::SchemaType;
    using Data::StringFormat;
    const QString lower = name.toLower();
    if (name == "Int"_L1 || lower == "long"_L1 || lower == "bigint"_L1 || lower == "short"_L1) {
        field.types |= SchemaType::Integer;
    } else if (name == "Float"_L1 || lower == "decimal"_L1 || lower == "bigdecimal"_L1) {
        field.types |= SchemaType::Number;
    } else if (name == "Boolean"_L1) {
        field.types |= SchemaType::Boolean;
    } else if (lower == "json"_L1 || lower == "jsonobject"_L1 || lower == "any"_L1) {
        field.types |= SchemaType::Boolean | SchemaType::Number | SchemaType::String
            | SchemaType::Object | SchemaType::Array;
    } else {
        field.types |= SchemaType::String;
        if (lower.contains("datetime"_L1) || lower == "timestamp"_L1 || lower == "instant"_L1)
            field.format = StringFormat::DateTime;
        else if (lower == "date"_L1 || lower == "localdate"_L1)
            field.format = StringFormat::Date;
        else if (lower == "time"_L1 || lower == "localtime"_L1)
            field.format = StringFormat::Time;
        else if (lower == "uuid"_L1)
            field.format = StringFormat::Uuid;
        else if (lower == "url"_L1 || lower == "uri"_L1)
            field.format = StringFormat::Uri;
        else if (lower == "email"_L1 || lower == "emailaddress"_L1)
            field.format = StringFormat::Email;
    }
}

} // namespace

// ---- GraphQLTypeRef, GraphQLType -------------------------------------------------------------

bool GraphQLTypeRef::isList() const
{
    return std::find(wrappers.begin(), wrappers.end(), Wrapper::List) != wrappers.end();
}

QString GraphQLTypeRef::toString() const
{
    QString text = name;
    for (auto it = wrappers.rbegin(); it != wrappers.rend(); ++it)
        text = *it == Wrapper::List ? u'[' + text + u']' : text + u'!';
    return text;
}

const GraphQLField *GraphQLType::field(QStringView fieldName) const
{
    for (const GraphQLField &f : fields) {
        if (f.name == fieldName)
            return &f;
    }
    return nullptr;
}

const GraphQLInputValue *GraphQLType::inputField(QStringView fieldName) const
{
    for (const GraphQLInputValue &f : inputFields) {
        if (f.name == fieldName)
            return &f;
    }
    return nullptr;
}

// ---- GraphQLSchema ---------------------------------------------------------------------------

Result<GraphQLSchema> GraphQLSchema::fromIntrospection(const Data::Value &data)
{
    IntrospectionReader in;
    GraphQLSchema schema;
    const Data::Value &root = data[u"__schema"];
    if (!root.isObject())
        return invalidResponse(Tr::tr("The introspection answer has no __schema object"));
    const QString base = u"/__schema"_s;
    schema.m_queryType = in.name(root[u"queryType"], base + u"/queryType"_s);
    if (root[u"mutationType"].isObject())
        schema.m_mutationType = in.name(root[u"mutationType"], base + u"/mutationType"_s);
    if (root[u"subscriptionType"].isObject())
        schema.m_subscriptionType
            = in.name(root[u"subscriptionType"], base + u"/subscriptionType"_s);
    if (const Data::Array *types = in.array(root, u"types", base, false)) {
        for (size_t i = 0; i < types->size() && !in.error; ++i) {
            const Data::Value &t = (*types)[i];
            const QString at = base + u"/types/"_s + QString::number(i);
            GraphQLType type;
            const std::optional<GraphQLTypeKind> kind = kindFromName(t[u"kind"].toString());
            if (!kind) {
                in.fail(at + u"/kind"_s,
                        Tr::tr("\"%1\" is not a named type kind").arg(t[u"kind"].toString()));
                break;
            }
            type.kind = *kind;
            type.name = in.name(t, at);
            type.description = IntrospectionReader::text(t, u"description");
            if (const Data::Array *fields = in.array(t, u"fields", at, true)) {
                for (size_t f = 0; f < fields->size(); ++f) {
                    const Data::Value &fv = (*fields)[f];
                    const QString fat = at + u"/fields/"_s + QString::number(f);
                    GraphQLField field;
                    field.name = in.name(fv, fat);
                    field.description = IntrospectionReader::text(fv, u"description");
                    field.type = in.typeRef(fv[u"type"], fat + u"/type"_s);
                    field.args = in.inputValues(fv, u"args", fat);
                    field.isDeprecated = fv[u"isDeprecated"].toBool();
                    field.deprecationReason = IntrospectionReader::text(fv, u"deprecationReason");
                    type.fields.push_back(std::move(field));
                }
            }
            type.inputFields = in.inputValues(t, u"inputFields", at);
            type.interfaces = in.names(t, u"interfaces", at);
            type.possibleTypes = in.names(t, u"possibleTypes", at);
            type.enumValues = in.names(t, u"enumValues", at);
            if ((type.kind == GraphQLTypeKind::Object || type.kind == GraphQLTypeKind::Interface)
                && !t[u"fields"].isArray())
                in.fail(at + u"/fields"_s,
                        Tr::tr("an %1 type must list its fields").arg(kindName(type.kind)));
            if (!in.error && schema.m_index.contains(type.name))
                in.fail(at + u"/name"_s, Tr::tr("the type %1 is listed twice").arg(type.name));
            schema.m_index.insert(type.name, qsizetype(schema.m_types.size()));
            schema.m_types.push_back(std::move(type));
        }
    }
    if (const Data::Array *directives = in.array(root, u"directives", base, true)) {
        for (size_t i = 0; i < directives->size(); ++i) {
            const Data::Value &d = (*directives)[i];
            const QString at = base + u"/directives/"_s + QString::number(i);
            GraphQLDirective directive;
            directive.name = in.name(d, at);
            directive.description = IntrospectionReader::text(d, u"description");
            for (const Data::Value &location : d[u"locations"].toArray())
                directive.locations.append(location.toString());
            directive.args = in.inputValues(d, u"args", at);
            schema.m_directives.push_back(std::move(directive));
        }
    }
    if (in.error)
        return *in.error;
    if (!schema.type(schema.m_queryType))
        return invalidResponse(
            Tr::tr("The introspection answer names the query type %1, but lists no such type")
                .arg(schema.m_queryType));
    return schema;
}

const GraphQLType *GraphQLSchema::type(QStringView name) const
{
    const auto it = m_index.constFind(name.toString());
    return it == m_index.cend() ? nullptr : &m_types[size_t(*it)];
}

QString GraphQLSchema::kindName(GraphQLTypeKind kind)
{
    switch (kind) {
    case GraphQLTypeKind::Scalar:
        return u"SCALAR"_s;
    case GraphQLTypeKind::Object:
        return u"OBJECT"_s;
    case GraphQLTypeKind::Interface:
        return u"INTERFACE"_s;
    case GraphQLTypeKind::Union:
        return u"UNION"_s;
    case GraphQLTypeKind::Enum:
        return u"ENUM"_s;
    case GraphQLTypeKind::InputObject:
        return u"INPUT_OBJECT"_s;
    }
    return {};
}

Data::SchemaField GraphQLSchema::typeSchema(const QString &typeName, int depth) const
{
    GraphQLTypeRef ref;
    ref.name = typeName;
    ref.wrappers.push_back(GraphQLTypeRef::Wrapper::NonNull);
    return typeSchema(ref, depth);
}

Data::SchemaField GraphQLSchema::typeSchema(const GraphQLTypeRef &type, int depth) const
{
    Data::SchemaField root;
    fill(root, type, 0, 0, std::max(depth, 0));
    return root;
}

void GraphQLSchema::fill(Data::SchemaField &field, const GraphQLTypeRef &ref, size_t wrapper,
                         int level, int depth) const
{
    using Data::SchemaType;
    const GraphQLType *named = type(ref.name);
    if (!named)
        return;
    if (wrapper < ref.wrappers.size() && ref.wrappers[wrapper] == GraphQLTypeRef::Wrapper::NonNull)
        ++wrapper;
    else
        field.types |= SchemaType::Null;
    if (wrapper < ref.wrappers.size()) { // a LIST
        field.types |= SchemaType::Array;
        Data::SchemaField item;
        item.name = u"[]"_s;
        item.path = field.path + u"[]"_s;
        fill(item, ref, wrapper + 1, level, depth);
        field.items.push_back(std::move(item));
        return;
    }
    switch (named->kind) {
    case GraphQLTypeKind::Scalar:
        scalarTypes(named->name, field);
        return;
    case GraphQLTypeKind::Enum:
        field.types |= SchemaType::String;
        return;
    case GraphQLTypeKind::Union:
        field.types |= SchemaType::Object;
        return;
    case GraphQLTypeKind::Object:
    case GraphQLTypeKind::Interface:
    case GraphQLTypeKind::InputObject:
        break;
    }
    field.types |= SchemaType::Object;
    if (level >= depth)
        return;
    auto child = [&](const QString &name, const GraphQLTypeRef &childType, bool optional) {
        Data::SchemaField f;
        f.name = name;
        const QString segment = escapePointerSegment(name);
        f.path = field.path.isEmpty() ? segment : field.path + u'/' + segment;
        f.optional = optional;
        fill(f, childType, 0, level + 1, depth);
        field.fields.push_back(std::move(f));
    };
    for (const GraphQLField &f : named->fields)
        child(f.name, f.type, false);
    for (const GraphQLInputValue &f : named->inputFields)
        child(f.name, f.type, !f.type.isNonNull() && !f.defaultValue.has_value());
}

QString GraphQLConnector::introspectionQuery()
{
    return QString::fromUtf8(kIntrospectionQuery);
}

} // namespace Conflux::Connectors
