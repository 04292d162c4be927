// The GraphQL connector's configuration: entities, their paging and mutations, checked by
// createGraphQLConnector().

#include "graphqlconnector_p.h"

#include "connectors/httpclient.h"

#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace Internal::GraphQL;

namespace {

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

} // namespace

Result<std::unique_ptr<Connector>> createGraphQLConnector(const EndpointSpec &endpoint,
                                                          const ConnectorContext &context)
{
    Result<Settings> settings = readSettings(endpoint);
    Result<HttpClientOptions> http = HttpClientOptions::fromEndpoint(endpoint, context);
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
