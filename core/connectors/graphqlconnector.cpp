// The GraphQL connector's requests and responses (execute(), the GraphQL errors of an answer),
// testConnection() and discover().

#include "graphqlconnector_p.h"

#include "base/log.h"
#include "connectors/httpclient.h"
#include "data/json.h"

#include <QElapsedTimer>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors::Internal::GraphQL {

QString escapePointerSegment(const QString &name)
{
    QString out = name;
    return out.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
}

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

Error invalidResponse(const QString &message)
{
    return makeError("graphql_invalid_response", message);
}

} // namespace Conflux::Connectors::Internal::GraphQL

namespace Conflux::Connectors {

using namespace Internal::GraphQL;

namespace {

constexpr int kMaxErrorDetails = 20;

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

} // namespace

// ---- GraphQLError ----------------------------------------------------------------------------

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
    if (Result<HttpClientOptions> fromEndpoint = HttpClientOptions::fromEndpoint(this->endpoint(), context))
        options = std::move(*fromEndpoint);
    else
        options.endpointId = this->endpoint().id;
    m_client = std::make_unique<HttpClient>(std::move(options), this->endpoint().authentication,
                                            std::move(context));
    m_client->setDefaultHeaders(this->endpoint().headers);
}

GraphQLConnector::~GraphQLConnector() = default;

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

} // namespace Conflux::Connectors
