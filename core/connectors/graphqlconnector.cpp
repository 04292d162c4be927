#include "graphqlconnector.h"

#include "base/log.h"
#include "connectors/httpclient.h"
#include "data/json.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::GraphQLConnector)
};

using Settings = GraphQLConnector::Settings;
using EntitySettings = GraphQLConnector::EntitySettings;
using MutationSettings = GraphQLConnector::MutationSettings;
using Paging = GraphQLConnector::Paging;

constexpr int kMaxErrorDetails = 20;

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

QString escapePointerSegment(const QString &name)
{
    QString out = name;
    return out.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
}

// RFC 6901: the value at `pointer` ("" is the whole value), or nullptr when absent.
const Data::Value *atPointer(const Data::Value &root, QStringView pointer)
{
    const Data::Value *current = &root;
    if (pointer.isEmpty())
        return current;
    const QList<QStringView> segments = pointer.mid(1).split(u'/');
    for (QStringView raw : segments) {
        QString segment = raw.toString();
        segment.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
        if (current->isObject()) {
            current = current->toObject().find(segment);
        } else if (current->isArray()) {
            bool ok = false;
            const qsizetype index = segment.toLongLong(&ok);
            if (!ok || index < 0 || index >= current->size())
                return nullptr;
            current = &current->at(index);
        } else {
            return nullptr;
        }
        if (!current || current->isUndefined())
            return nullptr;
    }
    return current;
}

bool isGraphQLName(const QString &name)
{
    if (name.isEmpty())
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name.at(i).unicode();
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!letter && !(i > 0 && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

// Whether the document mentions $name as a whole variable name.
bool mentionsVariable(const QString &document, const QString &name)
{
    const QString needle = u'$' + name;
    for (qsizetype at = document.indexOf(needle); at >= 0; at = document.indexOf(needle, at + 1)) {
        const qsizetype end = at + needle.size();
        if (end >= document.size()
            || !(document.at(end).isLetterOrNumber() || document.at(end) == u'_'))
            return true;
    }
    return false;
}

// Whether a document defines a mutation or subscription: such requests are not retried after
// the server may have acted. Names at brace depth 0, outside strings and comments, are the
// operation keywords.
bool definesMutation(const QString &document)
{
    int depth = 0;
    const qsizetype n = document.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = document.at(i);
        if (c == u'#') {
            while (i < n && document.at(i) != u'\n')
                ++i;
        } else if (c == u'"') {
            if (document.mid(i, 3) == "\"\"\""_L1) {
                const qsizetype end = document.indexOf("\"\"\""_L1, i + 3);
                i = end < 0 ? n : end + 2;
            } else {
                for (++i; i < n && document.at(i) != u'"' && document.at(i) != u'\n'; ++i) {
                    if (document.at(i) == u'\\')
                        ++i;
                }
            }
        } else if (c == u'{' || c == u'(' || c == u'[') {
            ++depth;
        } else if (c == u'}' || c == u')' || c == u']') {
            --depth;
        } else if (depth == 0 && (c.isLetter() || c == u'_')) {
            qsizetype end = i;
            while (end < n && (document.at(end).isLetterOrNumber() || document.at(end) == u'_'))
                ++end;
            const QStringView word = QStringView(document).mid(i, end - i);
            if (word == u"mutation" || word == u"subscription")
                return true;
            i = end - 1;
        }
    }
    return false;
}

Error invalidResponse(const QString &message)
{
    return makeError("graphql_invalid_response", message);
}

// Orders two cursor values: numbers by value, RFC 3339 date-times by instant, else by text.
int compareCursor(const Data::Value &a, const Data::Value &b)
{
    if (a.isNumber() && b.isNumber())
        return a.toDouble() < b.toDouble() ? -1 : a.toDouble() > b.toDouble() ? 1 : 0;
    const QString x = a.isString() ? a.toString() : QString::fromUtf8(Data::Json::serialize(a));
    const QString y = b.isString() ? b.toString() : QString::fromUtf8(Data::Json::serialize(b));
    const QDateTime dx = QDateTime::fromString(x, Qt::ISODateWithMs);
    const QDateTime dy = QDateTime::fromString(y, Qt::ISODateWithMs);
    if (dx.isValid() && dy.isValid() && x.contains(u'T') && y.contains(u'T')) {
        const qint64 mx = dx.toMSecsSinceEpoch();
        const qint64 my = dy.toMSecsSinceEpoch();
        return mx < my ? -1 : mx > my ? 1 : 0;
    }
    return x.compare(y);
}

QString keyText(const Data::Value &record, const QStringList &keyFields)
{
    QStringList parts;
    for (const QString &key : keyFields) {
        const Data::Value &v = record[key];
        parts.append(v.isString() ? v.toString() : QString::fromUtf8(Data::Json::serialize(v)));
    }
    return parts.join(u", "_s);
}

// ---- configuration -----------------------------------------------------------------------

class ConfigReader
{
public:
    QStringList problems;

    void problem(const QString &pointer, const QString &text)
    {
        problems.append(pointer + u": "_s + text);
    }

    std::optional<QString> string(const Data::Object &object, QStringView key, const QString &base)
    {
        const Data::Value *value = object.find(key);
        if (!value)
            return std::nullopt;
        if (!value->isString() || value->toString().isEmpty()) {
            problem(base + key.toString(), Tr::tr("must be a non-empty string"));
            return std::nullopt;
        }
        return value->toString();
    }
    QString required(const Data::Object &object, QStringView key, const QString &base)
    {
        if (!object.contains(key)) {
            problem(base + key.toString(), Tr::tr("is required"));
            return {};
        }
        return string(object, key, base).value_or(QString());
    }
    QString variableName(const Data::Object &object, QStringView key, const QString &base,
                         const QString &fallback)
    {
        const QString name = string(object, key, base).value_or(fallback);
        if (!name.isEmpty() && !isGraphQLName(name)) {
            problem(base + key.toString(),
                    Tr::tr("\"%1\" is not a GraphQL variable name (without the $)").arg(name));
            return fallback;
        }
        return name;
    }
    QString pointer(const Data::Object &object, QStringView key, const QString &base, bool required)
    {
        const Data::Value *value = object.find(key);
        if (!value) {
            if (required)
                problem(
                    base + key.toString(),
                    Tr::tr(
                        "is required (a JSON pointer under \"data\", e.g. \"/customers/edges\")"));
            return {};
        }
        if (!value->isString()
            || (!value->toString().isEmpty() && !value->toString().startsWith(u'/'))) {
            problem(base + key.toString(),
                    Tr::tr("must be a JSON pointer: \"\" or a path starting with \"/\""));
            return {};
        }
        return value->toString();
    }
    std::optional<qint64> integer(const Data::Object &object, QStringView key, const QString &base,
                                  qint64 min, qint64 max)
    {
        const Data::Value *value = object.find(key);
        if (!value)
            return std::nullopt;
        const double d = value->toDouble();
        if (!value->isNumber() || d != std::floor(d) || d < double(min) || d > double(max)) {
            problem(base + key.toString(),
                    Tr::tr("must be a whole number from %1 to %2").arg(min).arg(max));
            return std::nullopt;
        }
        return qint64(d);
    }
    std::optional<bool> boolean(const Data::Object &object, QStringView key, const QString &base)
    {
        const Data::Value *value = object.find(key);
        if (!value)
            return std::nullopt;
        if (!value->isBool()) {
            problem(base + key.toString(), Tr::tr("must be true or false"));
            return std::nullopt;
        }
        return value->toBool();
    }
    Data::Object object(const Data::Object &parent, QStringView key, const QString &base)
    {
        const Data::Value *value = parent.find(key);
        if (!value)
            return {};
        if (!value->isObject()) {
            problem(base + key.toString(), Tr::tr("must be an object"));
            return {};
        }
        return value->toObject();
    }
    QStringList strings(const Data::Object &object, QStringView key, const QString &base,
                        bool allowSingle)
    {
        const Data::Value *value = object.find(key);
        if (!value)
            return {};
        if (allowSingle && value->isString() && !value->toString().isEmpty())
            return {value->toString()};
        QStringList list;
        bool ok = value->isArray();
        for (qsizetype i = 0; ok && i < value->size(); ++i) {
            ok = value->at(i).isString() && !value->at(i).toString().isEmpty();
            list.append(value->at(i).toString());
        }
        if (!ok) {
            problem(base + key.toString(),
                    allowSingle ? Tr::tr("must be a field name or an array of field names")
                                : Tr::tr("must be an array of non-empty strings"));
            return {};
        }
        return list;
    }
    void unknownKeys(const Data::Object &object, const QString &base, const QStringList &known,
                     const QString &what)
    {
        for (const auto &[key, value] : object) {
            if (!known.contains(key) && !key.startsWith(u"x-"))
                problem(base + escapePointerSegment(key),
                        Tr::tr("is not a setting of %1").arg(what));
        }
    }
};

std::optional<MutationSettings> readMutation(ConfigReader &in, const Data::Object &mutations,
                                             QStringView kind, const QString &base)
{
    const Data::Value *value = mutations.find(kind);
    if (!value)
        return std::nullopt;
    const QString at = base + kind.toString() + u'/';
    if (!value->isObject()) {
        in.problem(base + kind.toString(),
                   Tr::tr("must be an object with \"mutation\" and its variables"));
        return std::nullopt;
    }
    const Data::Object &m = value->toObject();
    in.unknownKeys(m, at,
                   {u"mutation"_s, u"operation_name"_s, u"input_variable"_s, u"key_variables"_s,
                    u"include_keys"_s, u"input_fields"_s, u"variables"_s},
                   Tr::tr("a mutation"));
    MutationSettings out;
    out.document = in.required(m, u"mutation", at);
    out.operationName = in.string(m, u"operation_name", at).value_or(QString());
    const bool isDelete = kind == u"delete";
    out.inputVariable
        = in.variableName(m, u"input_variable", at, isDelete ? QString() : u"input"_s);
    if (!out.inputVariable.isEmpty() && !out.document.isEmpty()
        && !mentionsVariable(out.document, out.inputVariable))
        in.problem(at + u"mutation"_s,
                   Tr::tr("does not use the input variable $%1").arg(out.inputVariable));
    const Data::Object keys = in.object(m, u"key_variables", at);
    for (const auto &[field, variable] : keys) {
        if (!variable.isString() || !isGraphQLName(variable.toString()))
            in.problem(at + u"key_variables/"_s + escapePointerSegment(field),
                       Tr::tr("must be a GraphQL variable name"));
        else
            out.keyVariables.append({field, variable.toString()});
    }
    out.includeKeys = in.boolean(m, u"include_keys", at).value_or(false);
    out.inputFields = in.strings(m, u"input_fields", at, false);
    out.variables = in.object(m, u"variables", at);
    return out;
}

EntitySettings readEntity(ConfigReader &in, const Data::Value &value, const QString &base)
{
    EntitySettings e;
    if (!value.isObject()) {
        in.problem(base.chopped(1), Tr::tr("must be an object"));
        return e;
    }
    const Data::Object &o = value.toObject();
    in.unknownKeys(o, base,
                   {u"name"_s, u"description"_s, u"query"_s, u"operation_name"_s, u"variables"_s,
                    u"records_path"_s, u"node_path"_s, u"page_info_path"_s, u"paging"_s,
                    u"page_size_variable"_s, u"after_variable"_s, u"offset_variable"_s,
                    u"page_size"_s, u"key"_s, u"cursor_field"_s, u"cursor_variable"_s, u"type"_s,
                    u"mutations"_s},
                   Tr::tr("a GraphQL entity"));
    e.name = in.required(o, u"name", base);
    e.description = in.string(o, u"description", base).value_or(QString());
    e.query = in.required(o, u"query", base);
    e.operationName = in.string(o, u"operation_name", base).value_or(QString());
    e.variables = in.object(o, u"variables", base);
    e.recordsPath = in.pointer(o, u"records_path", base, true);
    e.nodePath = in.pointer(o, u"node_path", base, false);
    e.pageInfoPath = in.pointer(o, u"page_info_path", base, false);
    e.pageSizeVariable = in.variableName(o, u"page_size_variable", base, e.pageSizeVariable);
    e.afterVariable = in.variableName(o, u"after_variable", base, e.afterVariable);
    e.offsetVariable = in.variableName(o, u"offset_variable", base, e.offsetVariable);
    e.pageSize = int(in.integer(o, u"page_size", base, 1, 100'000).value_or(0));
    e.paging = e.pageInfoPath.isEmpty() ? Paging::None : Paging::Cursor;
    if (const std::optional<QString> paging = in.string(o, u"paging", base)) {
        if (*paging == "cursor"_L1)
            e.paging = Paging::Cursor;
        else if (*paging == "offset"_L1)
            e.paging = Paging::Offset;
        else if (*paging == "none"_L1)
            e.paging = Paging::None;
        else
            in.problem(base + u"paging"_s,
                       Tr::tr("must be cursor, offset or none, not \"%1\"").arg(*paging));
    }
    if (e.paging == Paging::Cursor && e.pageInfoPath.isEmpty() && !o.contains(u"page_info_path"))
        in.problem(base + u"page_info_path"_s,
                   Tr::tr("is required for cursor paging (e.g. \"/customers/pageInfo\")"));
    auto needsVariable = [&](const QString &name, QStringView key) {
        if (!e.query.isEmpty() && !name.isEmpty() && !mentionsVariable(e.query, name))
            in.problem(base + u"query"_s,
                       Tr::tr("does not use the variable $%1 (%2)").arg(name, key.toString()));
    };
    if (e.paging != Paging::None)
        needsVariable(e.pageSizeVariable, u"page_size_variable");
    if (e.paging == Paging::Cursor)
        needsVariable(e.afterVariable, u"after_variable");
    if (e.paging == Paging::Offset)
        needsVariable(e.offsetVariable, u"offset_variable");
    e.keyFields = in.strings(o, u"key", base, true);
    e.cursorField = in.string(o, u"cursor_field", base).value_or(QString());
    e.cursorVariable = in.variableName(o, u"cursor_variable", base, QString());
    if (!e.cursorVariable.isEmpty()) {
        if (e.cursorField.isEmpty())
            in.problem(base + u"cursor_variable"_s,
                       Tr::tr("needs a cursor_field: the record field it compares"));
        needsVariable(e.cursorVariable, u"cursor_variable");
    }
    e.typeName = in.string(o, u"type", base).value_or(QString());
    if (!e.typeName.isEmpty() && !isGraphQLName(e.typeName))
        in.problem(base + u"type"_s, Tr::tr("\"%1\" is not a GraphQL type name").arg(e.typeName));
    const Data::Object mutations = in.object(o, u"mutations", base);
    const QString mbase = base + u"mutations/"_s;
    in.unknownKeys(mutations, mbase, {u"insert"_s, u"update"_s, u"upsert"_s, u"delete"_s},
                   Tr::tr("mutations"));
    e.insert = readMutation(in, mutations, u"insert", mbase);
    e.update = readMutation(in, mutations, u"update", mbase);
    e.upsert = readMutation(in, mutations, u"upsert", mbase);
    e.remove = readMutation(in, mutations, u"delete", mbase);
    if ((e.update || e.upsert || e.remove) && e.keyFields.isEmpty())
        in.problem(base + u"key"_s, Tr::tr("is required for update, upsert and delete mutations"));
    return e;
}

Result<Settings> readSettings(const EndpointSpec &endpoint)
{
    ConfigReader in;
    Settings settings;
    const QString base = u"/configuration/"_s;
    const Data::Object &config = endpoint.configuration;
    in.unknownKeys(config, base,
                   {u"entities"_s, u"partial_data"_s, u"page_size"_s, u"max_pages"_s,
                    u"schema_depth"_s,
                    // read by parseEndpoint and the HTTP client
                    u"timeout_seconds"_s, u"retry_attempts"_s, u"max_response_bytes"_s,
                    u"max_redirects"_s, u"redirect_hosts"_s, u"circuit_breaker"_s},
                   Tr::tr("the graphql connector"));
    if (endpoint.protocol != Protocol::GraphQL)
        in.problem(u"/protocol"_s, Tr::tr("must be graphql for the GraphQL connector"));
    if (!endpoint.url.isValid() || endpoint.url.host().isEmpty())
        in.problem(
            u"/url"_s,
            Tr::tr("is required: the GraphQL endpoint, e.g. https://api.example.com/graphql"));
    if (const std::optional<QString> partial = in.string(config, u"partial_data", base)) {
        if (*partial == "accept"_L1)
            settings.partialData = GraphQLConnector::PartialData::Accept;
        else if (*partial != "fail"_L1)
            in.problem(base + u"partial_data"_s,
                       Tr::tr("must be fail or accept, not \"%1\"").arg(*partial));
    }
    settings.pageSize
        = int(in.integer(config, u"page_size", base, 1, 100'000).value_or(settings.pageSize));
    settings.maxPages
        = int(in.integer(config, u"max_pages", base, 1, 10'000'000).value_or(settings.maxPages));
    settings.schemaDepth
        = int(in.integer(config, u"schema_depth", base, 1, 10).value_or(settings.schemaDepth));
    if (const Data::Value *entities = config.find(u"entities")) {
        if (!entities->isArray()) {
            in.problem(base + u"entities"_s, Tr::tr("must be an array of entities"));
        } else {
            QStringList names;
            for (qsizetype i = 0; i < entities->size(); ++i) {
                const QString at = base + u"entities/%1/"_s.arg(i);
                EntitySettings e = readEntity(in, entities->at(i), at);
                if (!e.name.isEmpty() && names.contains(e.name))
                    in.problem(at + u"name"_s,
                               Tr::tr("\"%1\" names another entity too").arg(e.name));
                names.append(e.name);
                settings.entities.push_back(std::move(e));
            }
        }
    }
    if (!in.problems.isEmpty()) {
        return makeError(
            "invalid_endpoint",
            Tr::tr("Endpoint %1 has an invalid GraphQL configuration").arg(endpoint.id),
            in.problems);
    }
    return settings;
}

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

// ---- GraphQLTypeRef, GraphQLType, GraphQLError ------------------------------------------------

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

QString GraphQLError::pathText() const
{
    QString text;
    for (const Data::Value &segment : path.toArray()) {
        if (segment.isNumber())
            text += u'[' + QString::number(segment.toInt64()) + u']';
        else
            text += (text.isEmpty() ? QString() : u"."_s) + segment.toString();
    }
    return text;
}

QString GraphQLError::toString() const
{
    QStringList where;
    if (const QString p = pathText(); !p.isEmpty())
        where.append(Tr::tr("path %1").arg(p));
    for (const auto &[line, column] : locations)
        where.append(Tr::tr("line %1, column %2").arg(line).arg(column));
    if (const Data::Value &code = extensions[u"code"]; code.isString())
        where.append(Tr::tr("code %1").arg(code.toString()));
    return where.isEmpty() ? message : message + u" ("_s + where.join(u"; "_s) + u')';
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

// ---- GraphQLConnector ----------------------------------------------------------------------

struct GraphQLConnector::Response
{
    int status = 0;
    Data::Value data; // null when the answer had none
    std::vector<GraphQLError> errors;
};

GraphQLConnector::GraphQLConnector(EndpointSpec endpoint, Settings settings,
                                   ConnectorContext context)
    : Connector(std::move(endpoint))
    , m_settings(std::move(settings))
{
    HttpClientOptions options;
    if (Result<HttpClientOptions> fromEndpoint = HttpClientOptions::fromEndpoint(this->endpoint()))
        options = std::move(*fromEndpoint);
    else
        options.endpointId = this->endpoint().id;
    m_client = std::make_unique<HttpClient>(std::move(options), this->endpoint().authentication,
                                            std::move(context));
    m_client->setDefaultHeaders(this->endpoint().headers);
}

GraphQLConnector::~GraphQLConnector() = default;

QString GraphQLConnector::introspectionQuery()
{
    return QString::fromUtf8(kIntrospectionQuery);
}

Result<GraphQLConnector::Response> GraphQLConnector::post(const QString &query,
                                                          const Data::Value &variables,
                                                          const QString &operationName,
                                                          const CancelToken *cancel)
{
    const QString where = displayUrl(endpoint().url);
    if (!variables.isUndefined() && !variables.isNull() && !variables.isObject()) {
        return makeError("invalid_request",
                         Tr::tr("GraphQL variables must be an object, not %1")
                             .arg(QString::fromLatin1(variables.typeName())));
    }
    Data::Object body;
    body.append(u"query"_s, query);
    if (variables.isObject())
        body.append(u"variables"_s, variables);
    if (!operationName.isEmpty())
        body.append(u"operationName"_s, operationName);

    HttpRequest request;
    request.method = "POST";
    request.url = endpoint().url;
    request.body = Data::Json::serialize(Data::Value(std::move(body)));
    request.setHeader("Content-Type", "application/json");
    request.setHeader("Accept", "application/graphql-response+json, application/json;q=0.9");
    request.idempotent = !definesMutation(query);
    Result<HttpResponse> sent = m_client->send(request, cancel);
    if (!sent)
        return sent.error();
    const HttpResponse &http = *sent;

    if (http.status == 401 || http.status == 403) {
        return makeError("authentication_failed",
                         Tr::tr("The GraphQL endpoint %1 refused the credentials: %2")
                             .arg(where, http.describe()));
    }
    const QByteArray contentType = http.header("Content-Type").toLower();
    const bool looksJson = contentType.contains("json") || contentType.isEmpty();
    Result<Data::Value> parsed = Data::Json::parse(http.body);
    const bool isGraphQLBody = parsed && parsed->isObject()
        && (parsed->toObject().contains(u"errors") || parsed->toObject().contains(u"data"));
    if (!http.isSuccess() && !(looksJson && isGraphQLBody)) {
        return makeError("http_error",
                         Tr::tr("The GraphQL endpoint %1 answered %2").arg(where, http.describe()));
    }
    if (!parsed) {
        Error error = invalidResponse(
            Tr::tr("The GraphQL endpoint %1 answered HTTP %2 (%3) with a body that is not JSON: %4")
                .arg(where, QString::number(http.status),
                     contentType.isEmpty() ? Tr::tr("no content type")
                                           : QString::fromLatin1(contentType),
                     http.body.isEmpty() ? Tr::tr("the body is empty") : parsed.error().message));
        error.offset = parsed.error().offset;
        return error;
    }
    const Data::Value &answer = *parsed;
    auto malformed = [&](const QString &pointer, const QString &text) {
        return invalidResponse(
            Tr::tr("The GraphQL endpoint %1 answered HTTP %2 with a body that is not a GraphQL "
                   "response: %3 %4")
                .arg(where, QString::number(http.status),
                     pointer.isEmpty() ? Tr::tr("the document") : pointer, text));
    };
    if (!answer.isObject())
        return malformed(
            {}, Tr::tr("is a JSON %1, not an object").arg(QString::fromLatin1(answer.typeName())));
    const Data::Object &top = answer.toObject();
    const Data::Value *data = top.find(u"data");
    const Data::Value *errors = top.find(u"errors");
    if (!data && !errors)
        return malformed({}, Tr::tr("has neither \"data\" nor \"errors\""));
    if (data && !data->isObject() && !data->isNull())
        return malformed(u"/data"_s, Tr::tr("must be an object or null"));

    Response response;
    response.status = http.status;
    response.data = data ? *data : Data::Value::null();
    if (errors) {
        if (!errors->isArray())
            return malformed(u"/errors"_s, Tr::tr("must be an array"));
        for (qsizetype i = 0; i < errors->size(); ++i) {
            const Data::Value &e = errors->at(i);
            const QString at = u"/errors/%1"_s.arg(i);
            if (!e.isObject())
                return malformed(at, Tr::tr("must be an object"));
            if (!e[u"message"].isString())
                return malformed(at + u"/message"_s, Tr::tr("must be a string"));
            GraphQLError error;
            error.message = e[u"message"].toString();
            if (const Data::Value &path = e[u"path"]; !path.isUndefined() && !path.isNull()) {
                bool ok = path.isArray();
                for (qsizetype p = 0; ok && p < path.size(); ++p)
                    ok = path.at(p).isString() || path.at(p).isNumber();
                if (!ok)
                    return malformed(at + u"/path"_s,
                                     Tr::tr("must be an array of field names and indexes"));
                error.path = path;
            }
            for (const Data::Value &location : e[u"locations"].toArray())
                error.locations.append(
                    {int(location[u"line"].toInt64()), int(location[u"column"].toInt64())});
            if (e[u"extensions"].isObject())
                error.extensions = e[u"extensions"];
            response.errors.push_back(std::move(error));
        }
    }
    return response;
}

Result<Data::Value> GraphQLConnector::execute(const QString &query, const Data::Value &variables,
                                              const QString &operationName,
                                              const CancelToken *cancel)
{
    m_lastErrors.clear();
    Result<Response> response = post(query, variables, operationName, cancel);
    if (!response)
        return response.error();
    Response &r = *response;
    const bool hasData = r.data.isObject();
    if (!r.errors.empty() && (!hasData || m_settings.partialData == PartialData::Fail)) {
        QStringList details;
        for (size_t i = 0; i < r.errors.size() && i < size_t(kMaxErrorDetails); ++i)
            details.append(r.errors[i].toString());
        if (r.errors.size() > size_t(kMaxErrorDetails))
            details.append(Tr::tr("… and %1 more").arg(r.errors.size() - size_t(kMaxErrorDetails)));
        const QString status = r.status == 200 ? QString() : Tr::tr(" (HTTP %1)").arg(r.status);
        const QString outcome = hasData ? Tr::tr("with partial data") : Tr::tr("without data");
        return makeError("graphql_error",
                         Tr::tr("The GraphQL endpoint %1 answered %n error(s) %2%3", nullptr,
                                int(r.errors.size()))
                             .arg(displayUrl(endpoint().url), outcome, status),
                         details);
    }
    if (!r.errors.empty()) {
        QJsonObject fields {{u"endpoint"_s, endpoint().id},
                            {u"errors"_s, qint64(r.errors.size())},
                            {u"first_error"_s, r.errors.front().toString()}};
        Log::write(QtWarningMsg, "conflux.connectors",
                   Tr::tr("GraphQL partial data accepted with errors"), fields);
        m_lastErrors = std::move(r.errors);
    }
    if (!hasData)
        return invalidResponse(
            Tr::tr("The GraphQL endpoint %1 answered HTTP %2 with \"data\": null and no errors")
                .arg(displayUrl(endpoint().url), QString::number(r.status)));
    return std::move(r.data);
}

Result<GraphQLSchema> GraphQLConnector::introspect(const CancelToken *cancel)
{
    Result<Data::Value> data = execute(introspectionQuery(), {}, u"IntrospectionQuery"_s, cancel);
    if (!data)
        return data.error();
    return GraphQLSchema::fromIntrospection(*data);
}

const EntitySettings *GraphQLConnector::entity(const QString &name) const
{
    for (const EntitySettings &e : m_settings.entities) {
        if (e.name == name)
            return &e;
    }
    return nullptr;
}

Capabilities GraphQLConnector::entityCapabilities(const EntitySettings &e) const
{
    Capabilities caps = Capability::Read;
    if (!e.cursorVariable.isEmpty())
        caps |= Capability::IncrementalRead;
    if (e.insert)
        caps |= Capability::Insert;
    if (e.upsert || e.update)
        caps |= Capability::Upsert;
    if (e.remove)
        caps |= Capability::Delete;
    return caps;
}

Capabilities GraphQLConnector::capabilities() const
{
    Capabilities caps = Capability::TestConnection | Capability::DiscoverSchema;
    for (const EntitySettings &e : m_settings.entities)
        caps |= entityCapabilities(e);
    return caps;
}

Result<ConnectionTest> GraphQLConnector::testConnection()
{
    QElapsedTimer timer;
    timer.start();
    Result<Response> response
        = post(u"query ConfluxConnectionTest { __typename }"_s, {}, {}, nullptr);
    if (!response)
        return response.error();
    if (!response->errors.empty()) {
        return makeError("graphql_error",
                         Tr::tr("The GraphQL endpoint %1 answered a test query with errors")
                             .arg(displayUrl(endpoint().url)),
                         {response->errors.front().toString()});
    }
    const QString typeName = response->data[u"__typename"].toString();
    if (typeName.isEmpty()) {
        return invalidResponse(
            Tr::tr("The GraphQL endpoint %1 answered a test query without data.__typename")
                .arg(displayUrl(endpoint().url)));
    }
    ConnectionTest test;
    test.latencyMs = timer.elapsed();
    test.serverInfo = Tr::tr("HTTP %1, GraphQL query type %2").arg(response->status).arg(typeName);
    return test;
}

Result<std::vector<Entity>> GraphQLConnector::discover()
{
    Result<GraphQLSchema> schema = introspect();
    if (!schema)
        return schema.error();
    std::vector<Entity> entities;
    for (const EntitySettings &e : m_settings.entities) {
        Entity entity;
        entity.name = e.name;
        entity.description = e.description;
        entity.keyFields = e.keyFields;
        entity.cursorField = e.cursorField;
        entity.capabilities = entityCapabilities(e);
        QString typeName = e.typeName;
        if (typeName.isEmpty()) {
            // Follow records_path and node_path from the query type: field names, with lists
            // unwrapped (an alias in the path defeats this; then "type" names the type).
            const GraphQLType *current = schema->type(schema->queryType());
            bool inList = false;
            const QStringList segments
                = (e.recordsPath + e.nodePath).split(u'/', Qt::SkipEmptyParts);
            for (qsizetype i = 0; current && i < segments.size(); ++i) {
                if (i == segments.size() - e.nodePath.count(u'/') && !inList) {
                    current = nullptr; // records_path did not end at a list
                    break;
                }
                QString segment = segments[i];
                segment.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
                const GraphQLField *field = current->field(segment);
                current = field ? schema->type(field->type.name) : nullptr;
                inList = field && field->type.isList();
            }
            if (current && e.nodePath.isEmpty() && !inList)
                current = nullptr; // records_path did not end at a list
            if (current)
                typeName = current->name;
        }
        const GraphQLType *recordType = schema->type(typeName);
        if (recordType) {
            entity.schema = schema->typeSchema(recordType->name, m_settings.schemaDepth);
            if (entity.description.isEmpty())
                entity.description = recordType->description;
        } else {
            entity.description += (entity.description.isEmpty() ? QString() : u"\n"_s)
                + Tr::tr("The record type is unknown: set \"type\" to its GraphQL type name.");
        }
        entities.push_back(std::move(entity));
    }
    if (m_settings.entities.empty()) {
        if (const GraphQLType *query = schema->type(schema->queryType())) {
            for (const GraphQLField &field : query->fields) {
                if (field.name.startsWith(u"__"))
                    continue;
                Entity entity;
                entity.name = field.name;
                entity.description = field.description;
                entity.schema = schema->typeSchema(field.type, m_settings.schemaDepth);
                entities.push_back(std::move(entity));
            }
        }
    }
    return entities;
}

Result<ReadSummary> GraphQLConnector::read(const ReadRequest &request, const PageSink &sink)
{
    const EntitySettings *e = entity(request.entity);
    if (!e) {
        return makeError(
            "unknown_entity",
            Tr::tr("Endpoint %1 has no GraphQL entity \"%2\"").arg(endpoint().id, request.entity));
    }
    Data::Object variables = e->variables;
    if (request.filter.isObject()) {
        for (const auto &[name, value] : request.filter.toObject())
            variables.insert(name, value);
    } else if (!request.filter.isNull() && !request.filter.isUndefined()) {
        return makeError("invalid_request",
                         Tr::tr("The filter of a GraphQL read must be an object of variables"));
    }
    const bool incremental = !request.cursorField.isEmpty();
    if (incremental) {
        if (e->cursorVariable.isEmpty() || request.cursorField != e->cursorField) {
            return makeError("invalid_request",
                             Tr::tr("Entity %1 reads incrementally only by its cursor_field with a "
                                    "cursor_variable; "
                                    "\"%2\" is not configured so")
                                 .arg(e->name, request.cursorField));
        }
        if (!request.cursorAfter.isNull() && !request.cursorAfter.isUndefined())
            variables.insert(e->cursorVariable, request.cursorAfter);
    }
    const int pageSize = request.pageSize > 0 ? request.pageSize
        : e->pageSize > 0                     ? e->pageSize
                                              : m_settings.pageSize;
    if (e->paging != Paging::None)
        variables.insert(e->pageSizeVariable, pageSize);

    ReadSummary summary;
    if (request.limit == 0)
        return summary;
    Data::Value after; // cursor paging: endCursor of the last page
    qint64 offset = 0; // offset paging: elements received so far
    const QString where = Tr::tr("entity %1 of endpoint %2").arg(e->name, endpoint().id);
    for (;;) {
        if (request.cancel && request.cancel->isCancelled())
            return makeError("cancelled", Tr::tr("Reading %1 was cancelled").arg(where));
        if (summary.pages >= m_settings.maxPages) {
            return makeError("graphql_paging",
                             Tr::tr("Reading %1 stopped after %2 pages (max_pages): the server "
                                    "keeps announcing more")
                                 .arg(where, QString::number(summary.pages)));
        }
        if (e->paging == Paging::Cursor && !after.isUndefined())
            variables.insert(e->afterVariable, after);
        if (e->paging == Paging::Offset)
            variables.insert(e->offsetVariable, offset);
        Result<Data::Value> data
            = execute(e->query, Data::Value(variables), e->operationName, request.cancel);
        if (!data) {
            Error error = data.error();
            error.message = Tr::tr("Reading %1, page %2: %3")
                                .arg(where, QString::number(summary.pages + 1), error.message);
            return error;
        }
        const Data::Value *list = atPointer(*data, e->recordsPath);
        if (!list || !(list->isArray() || list->isNull())) {
            return invalidResponse(
                Tr::tr("Reading %1, page %2: the data has no array at records_path %3%4")
                    .arg(where, QString::number(summary.pages + 1), e->recordsPath,
                         list ? Tr::tr(" (a %1)").arg(QString::fromLatin1(list->typeName()))
                              : QString()));
        }
        const qsizetype received = list->size();
        std::vector<Data::Value> records;
        records.reserve(size_t(received));
        for (qsizetype i = 0; i < received; ++i) {
            const Data::Value *node = atPointer(list->at(i), e->nodePath);
            if (!node || !node->isObject()) {
                return invalidResponse(
                    Tr::tr("Reading %1, page %2: element %3 of records_path %4 has no object at "
                           "node_path %5")
                        .arg(where, QString::number(summary.pages + 1), QString::number(i),
                             e->recordsPath, e->nodePath));
            }
            if (incremental) {
                const Data::Value &cursor = (*node)[request.cursorField];
                if (!request.cursorAfter.isNull() && !request.cursorAfter.isUndefined()
                    && (cursor.isNull() || cursor.isUndefined()
                        || compareCursor(cursor, request.cursorAfter) <= 0))
                    continue;
                if (!cursor.isNull() && !cursor.isUndefined()
                    && (summary.lastCursor.isUndefined()
                        || compareCursor(cursor, summary.lastCursor) > 0))
                    summary.lastCursor = cursor;
            }
            if (request.fields.isEmpty()) {
                records.push_back(*node);
            } else {
                Data::Object projected;
                for (const QString &field : request.fields) {
                    if (const Data::Value *v = node->toObject().find(field))
                        projected.append(field, *v);
                }
                records.push_back(Data::Value(std::move(projected)));
            }
        }
        ++summary.pages;

        // What the server says about further pages, before the sink can stop us.
        bool more = false;
        if (e->paging == Paging::Cursor) {
            const Data::Value *info = atPointer(*data, e->pageInfoPath);
            const Data::Value &hasNext = info ? (*info)[u"hasNextPage"] : Data::Value();
            if (!info || !info->isObject() || !hasNext.isBool()) {
                return invalidResponse(
                    Tr::tr("Reading %1, page %2: the data has no {hasNextPage, endCursor} object "
                           "at page_info_path %3")
                        .arg(where, QString::number(summary.pages), e->pageInfoPath));
            }
            more = hasNext.toBool();
            if (more) {
                const Data::Value &end = (*info)[u"endCursor"];
                if (!end.isString() || end.toString().isEmpty()) {
                    return makeError(
                        "graphql_paging",
                        Tr::tr("Reading %1, page %2: hasNextPage is true but endCursor "
                               "is missing")
                            .arg(where, QString::number(summary.pages)));
                }
                if (end == after) {
                    return makeError("graphql_paging",
                                     Tr::tr("Reading %1, page %2: the server answered the same "
                                            "endCursor again; reading on would never end")
                                         .arg(where, QString::number(summary.pages)));
                }
                after = end;
            }
        } else if (e->paging == Paging::Offset) {
            offset += received;
            more = received >= pageSize;
        }

        bool stop = false;
        if (request.limit >= 0 && summary.records + qint64(records.size()) >= request.limit) {
            const qint64 remaining = request.limit - summary.records;
            summary.stoppedEarly = more || qint64(records.size()) > remaining;
            records.resize(size_t(remaining));
            stop = true;
        }
        summary.records += qint64(records.size());
        if (!records.empty() && !sink(std::move(records))) {
            summary.stoppedEarly = true;
            return summary;
        }
        if (stop || !more)
            return summary;
    }
}

Result<Data::Value> GraphQLConnector::runMutation(const MutationSettings &mutation,
                                                  const Data::Value &record,
                                                  const QStringList &keyFields,
                                                  const CancelToken *cancel)
{
    Data::Object variables = mutation.variables;
    for (const QString &key : keyFields) {
        QString variable = key;
        for (const auto &[field, name] : mutation.keyVariables) {
            if (field == key)
                variable = name;
        }
        if (mentionsVariable(mutation.document, variable))
            variables.insert(variable, record[key]);
    }
    if (!mutation.inputVariable.isEmpty()) {
        Data::Object input;
        for (const auto &[name, value] : record.toObject()) {
            if (!mutation.includeKeys && keyFields.contains(name))
                continue;
            if (!mutation.inputFields.isEmpty() && !mutation.inputFields.contains(name))
                continue;
            input.append(name, value);
        }
        variables.insert(mutation.inputVariable, Data::Value(std::move(input)));
    }
    Result<Data::Value> data = execute(mutation.document, Data::Value(std::move(variables)),
                                       mutation.operationName, cancel);
    if (!data)
        return data.error();
    // The mutation's (first) root field: null for "nothing with that key".
    const Data::Object &fields = data->toObject();
    return fields.isEmpty() ? Data::Value::null() : fields.memberAt(0).second;
}

Result<WriteSummary> GraphQLConnector::write(const WriteRequest &request)
{
    const EntitySettings *e = entity(request.entity);
    if (!e) {
        return makeError(
            "unknown_entity",
            Tr::tr("Endpoint %1 has no GraphQL entity \"%2\"").arg(endpoint().id, request.entity));
    }
    const QStringList keyFields = request.keyFields.isEmpty() ? e->keyFields : request.keyFields;
    auto unsupported = [&](const QString &what) {
        return makeError("unsupported",
                         Tr::tr("Entity %1 of endpoint %2 has no %3 mutation configured")
                             .arg(e->name, endpoint().id, what));
    };
    if (request.mode == WriteMode::Insert && !e->insert)
        return unsupported(u"insert"_s);
    if (request.mode == WriteMode::Upsert && !e->upsert && !e->update)
        return unsupported(u"upsert or update"_s);
    if (request.mode == WriteMode::Delete && !e->remove)
        return unsupported(u"delete"_s);

    WriteSummary summary;
    const qsizetype total = qsizetype(request.records.size());
    for (qsizetype i = 0; i < total; ++i) {
        const Data::Value &record = request.records[size_t(i)];
        const QString which = Tr::tr("record %1 of %2").arg(i + 1).arg(total);
        auto failed = [&](Error error) {
            error.message = Tr::tr("Writing entity %1 of endpoint %2, %3: %4")
                                .arg(e->name, endpoint().id, which, error.message);
            if (i > 0)
                error.details.prepend(
                    Tr::tr("the %n record(s) before it were written", nullptr, int(i)));
            return error;
        };
        if (request.cancel && request.cancel->isCancelled())
            return failed(makeError("cancelled", Tr::tr("cancelled")));
        if (!record.isObject())
            return failed(makeError("invalid_request", Tr::tr("a record must be an object")));
        bool hasKeys = !keyFields.isEmpty();
        for (const QString &key : keyFields) {
            const Data::Value &v = record[key];
            hasKeys = hasKeys && !v.isNull() && !v.isUndefined();
        }
        if ((request.mode == WriteMode::Delete || (request.mode == WriteMode::Upsert && !e->insert))
            && !hasKeys) {
            return failed(makeError(
                "invalid_request",
                Tr::tr("the record lacks its key field(s) %1").arg(keyFields.join(u", "_s))));
        }

        if (request.mode == WriteMode::Insert
            || (request.mode == WriteMode::Upsert && !e->upsert && !hasKeys)) {
            Result<Data::Value> result = runMutation(*e->insert, record, keyFields, request.cancel);
            if (!result)
                return failed(result.error());
            ++summary.inserted;
        } else if (request.mode == WriteMode::Upsert) {
            const MutationSettings &m = e->upsert ? *e->upsert : *e->update;
            Result<Data::Value> result = runMutation(m, record, keyFields, request.cancel);
            if (!result)
                return failed(result.error());
            if (!e->upsert && (result->isNull() || result->isUndefined())) {
                // The update found nothing with that key: insert it.
                if (!e->insert) {
                    return failed(makeError("not_found",
                                            Tr::tr("the update found no record with key %1")
                                                .arg(keyText(record, keyFields))));
                }
                Result<Data::Value> inserted
                    = runMutation(*e->insert, record, keyFields, request.cancel);
                if (!inserted)
                    return failed(inserted.error());
                ++summary.inserted;
            } else {
                ++summary.updated;
            }
        } else {
            Result<Data::Value> result = runMutation(*e->remove, record, keyFields, request.cancel);
            if (!result)
                return failed(result.error());
            if (result->isNull() || result->isUndefined()
                || (result->isBool() && !result->toBool()))
                ++summary.unchanged;
            else
                ++summary.deleted;
        }
    }
    return summary;
}

Result<std::unique_ptr<Connector>> createGraphQLConnector(const EndpointSpec &endpoint,
                                                          const ConnectorContext &context)
{
    Result<Settings> settings = readSettings(endpoint);
    Result<HttpClientOptions> http = HttpClientOptions::fromEndpoint(endpoint);
    if (!settings || !http) {
        Error error = !settings ? settings.error() : http.error();
        if (!settings && !http)
            error.details += http.error().details;
        return error;
    }
    return std::unique_ptr<Connector>(
        std::make_unique<GraphQLConnector>(endpoint, std::move(*settings), context));
}

} // namespace Conflux::Connectors
