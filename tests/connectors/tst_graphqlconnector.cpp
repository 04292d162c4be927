// The GraphQL connector against local HTTP servers: what the real GraphQL peer
// (tst_graphqlconnector_peer) cannot show — error and malformed answers, how variables and
// requests are encoded, retries, every way paging stops, introspection documents of any shape.

#include "connectors/graphqlconnector.h"
#include "connectors/httpclient.h"
#include "data/json.h"
#include "security/secrets.h"
#include "testhttpserver.h"
#include "testsupport.h"
#include "testsecrets.h"

#include <QTest>
#include <atomic>
#include <functional>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;
using Conflux::Test::MapSecrets;
using Conflux::Tests::TestHttpServer;

namespace {

// JSON written with ' for " (for readable literals; no test value contains an apostrophe).
Data::Value j(const char *text)
{
    QByteArray json(text);
    json.replace('\'', '"');
    Result<Data::Value> value = Data::Json::parse(json);
    if (!value)
        qFatal("bad test JSON: %s (%s)", text, qPrintable(value.error().message));
    return *value;
}

QByteArray jb(const char *text)
{
    return Data::Json::serialize(j(text));
}

Http::HttpResponse reply(int status, const QByteArray &body,
                         const QByteArray &contentType = "application/json")
{
    return Http::HttpResponse(status, body, contentType);
}

Data::Value bodyOf(const Http::HttpRequest &request)
{
    Result<Data::Value> body = Data::Json::parse(request.body);
    return body ? *body : Data::Value();
}

Data::Value endpointDocument(const TestHttpServer &server, const Data::Value &configuration,
                             const Data::Value &extra = Data::Value())
{
    Data::Object config = configuration.toObject();
    if (!config.contains(u"retry_attempts"))
        config.insert(u"retry_attempts"_s, 0);
    Data::Object doc {{u"kind"_s, u"Endpoint"_s},
                      {u"schemaVersion"_s, 1},
                      {u"id"_s, u"gql-test"_s},
                      {u"name"_s, u"GraphQL test"_s},
                      {u"type"_s, u"api"_s},
                      {u"protocol"_s, u"graphql"_s},
                      {u"url"_s, server.url(u"/graphql"_s).toString()},
                      {u"configuration"_s, Data::Value(std::move(config))}};
    for (const auto &[key, value] : extra.toObject())
        doc.insert(key, value);
    return Data::Value(std::move(doc));
}

Result<std::unique_ptr<GraphQLConnector>> makeConnector(const Data::Value &document,
                                                        ConnectorContext context = {})
{
    Result<EndpointSpec> spec = parseEndpoint(document);
    if (!spec)
        return spec.error();
    Result<std::unique_ptr<Connector>> created = createGraphQLConnector(*spec, context);
    if (!created)
        return created.error();
    return std::unique_ptr<GraphQLConnector>(static_cast<GraphQLConnector *>(created->release()));
}

std::unique_ptr<GraphQLConnector> connector(const TestHttpServer &server,
                                            const Data::Value &configuration = j("{}"),
                                            const Data::Value &extra = Data::Value(),
                                            ConnectorContext context = {})
{
    Result<std::unique_ptr<GraphQLConnector>> made
        = makeConnector(endpointDocument(server, configuration, extra), std::move(context));
    if (!made)
        qFatal("connector: %s", qPrintable(made.error().toString()));
    return std::move(*made);
}

// An entity over a Relay connection: records at /items/edges, nodes at /node.
Data::Value relayEntity(const char *extra = "{}")
{
    Data::Object entity
        = j("{'name': 'items',"
            " 'query': 'query Items($first: Int, $after: String, $since: String, $kind: String) "
            "{ items(first: $first, after: $after, since: $since, kind: $kind) "
            "{ edges { node { id n updatedAt } } pageInfo { hasNextPage endCursor } } }',"
            " 'records_path': '/items/edges', 'node_path': '/node',"
            " 'page_info_path': '/items/pageInfo', 'key': 'id',"
            " 'cursor_field': 'updatedAt', 'cursor_variable': 'since'}")
              .toObject();
    const Data::Value more = j(extra);
    for (const auto &[key, value] : more.toObject())
        entity.insert(key, value);
    return Data::Value(
        Data::Object {{u"entities"_s, Data::Array {Data::Value(std::move(entity))}}});
}

Data::Value item(int n)
{
    return Data::Value(
        Data::Object {{u"id"_s, u"i%1"_s.arg(n, 2, 10, QChar(u'0'))},
                      {u"n"_s, n},
                      {u"updatedAt"_s, u"2024-01-%1T08:00:00Z"_s.arg(n, 2, 10, QChar(u'0'))}});
}

// A Relay server over `total` items; the cursor of item n is "c<n>". `mangle` may change the
// answer of each page (by its number from 1).
struct RelayServer
{
    int total = 25;
    std::function<void(int page, Data::Object &pageInfo, Data::Array &edges)> mangle;
    std::atomic<int> pages {0};

    Http::HttpResponse operator()(const Http::HttpRequest &request)
    {
        const Data::Value vars = bodyOf(request)[u"variables"];
        const int first = int(vars[u"first"].toInt64(10));
        int start = 0;
        if (vars[u"after"].isString())
            start = vars[u"after"].toString().mid(1).toInt();
        Data::Array edges;
        for (int n = start + 1; n <= std::min(total, start + first); ++n)
            edges.push_back(
                Data::Value(Data::Object {{u"cursor"_s, u"c%1"_s.arg(n)}, {u"node"_s, item(n)}}));
        const int last = start + int(edges.size());
        Data::Object pageInfo {
            {u"hasNextPage"_s, last < total},
            {u"endCursor"_s,
             edges.empty() ? Data::Value::null() : Data::Value(u"c%1"_s.arg(last))}};
        if (mangle)
            mangle(++pages, pageInfo, edges);
        else
            ++pages;
        Data::Object items {{u"edges"_s, Data::Value(std::move(edges))},
                            {u"pageInfo"_s, Data::Value(std::move(pageInfo))}};
        Data::Object data {{u"items"_s, Data::Value(std::move(items))}};
        return reply(200,
                     Data::Json::serialize(
                         Data::Value(Data::Object {{u"data"_s, Data::Value(std::move(data))}})));
    }
};

struct Collected
{
    std::vector<Data::Value> records;
    int pages = 0;
    PageSink sink(int stopAfterPages = -1)
    {
        return [this, stopAfterPages](std::vector<Data::Value> &&page) {
            ++pages;
            for (Data::Value &r : page)
                records.push_back(std::move(r));
            return stopAfterPages < 0 || pages < stopAfterPages;
        };
    }
    QStringList ids() const
    {
        QStringList out;
        for (const Data::Value &r : records)
            out.append(r[u"id"].toString());
        return out;
    }
};

// ---- introspection documents built from parts ----

Data::Value named(const char *kind, const char *name)
{
    return Data::Value(Data::Object {{u"kind"_s, QString::fromLatin1(kind)},
                                     {u"name"_s, QString::fromLatin1(name)},
                                     {u"ofType"_s, nullptr}});
}
Data::Value wrap(const char *kind, Data::Value inner)
{
    return Data::Value(Data::Object {{u"kind"_s, QString::fromLatin1(kind)},
                                     {u"name"_s, nullptr},
                                     {u"ofType"_s, std::move(inner)}});
}
Data::Value nonNull(Data::Value inner)
{
    return wrap("NON_NULL", std::move(inner));
}
Data::Value listOf(Data::Value inner)
{
    return wrap("LIST", std::move(inner));
}
Data::Value inputValue(const char *name, Data::Value type, Data::Value defaultValue = nullptr)
{
    return Data::Value(Data::Object {{u"name"_s, QString::fromLatin1(name)},
                                     {u"description"_s, nullptr},
                                     {u"type"_s, std::move(type)},
                                     {u"defaultValue"_s, std::move(defaultValue)}});
}
Data::Value field(const char *name, Data::Value type, Data::Array args = {})
{
    return Data::Value(Data::Object {{u"name"_s, QString::fromLatin1(name)},
                                     {u"description"_s, nullptr},
                                     {u"args"_s, Data::Value(std::move(args))},
                                     {u"type"_s, std::move(type)},
                                     {u"isDeprecated"_s, false},
                                     {u"deprecationReason"_s, nullptr}});
}
Data::Value fullType(const char *kind, const char *name, Data::Array fields = {},
                     Data::Array inputFields = {}, Data::Array enumValues = {})
{
    const QString k = QString::fromLatin1(kind);
    const bool hasFields = k == "OBJECT"_L1 || k == "INTERFACE"_L1;
    return Data::Value(Data::Object {
        {u"kind"_s, k},
        {u"name"_s, QString::fromLatin1(name)},
        {u"description"_s, u"the %1 type"_s.arg(QLatin1StringView(name))},
        {u"fields"_s, hasFields ? Data::Value(std::move(fields)) : Data::Value::null()},
        {u"inputFields"_s,
         k == "INPUT_OBJECT"_L1 ? Data::Value(std::move(inputFields)) : Data::Value::null()},
        {u"interfaces"_s, hasFields ? Data::Value(Data::Array {}) : Data::Value::null()},
        {u"enumValues"_s,
         k == "ENUM"_L1 ? Data::Value(std::move(enumValues)) : Data::Value::null()},
        {u"possibleTypes"_s, nullptr}});
}

Data::Value sampleIntrospection()
{
    Data::Array types {
        fullType("OBJECT", "Query",
                 {field("items", nonNull(named("OBJECT", "ItemConnection")),
                        {inputValue("first", named("SCALAR", "Int"), u"10"_s)}),
                  field("item", named("OBJECT", "Item"),
                        {inputValue("id", nonNull(named("SCALAR", "ID")))})}),
        fullType("OBJECT", "ItemConnection",
                 {field("edges", nonNull(listOf(nonNull(named("OBJECT", "ItemEdge"))))),
                  field("pageInfo", nonNull(named("OBJECT", "PageInfo")))}),
        fullType("OBJECT", "ItemEdge",
                 {field("cursor", nonNull(named("SCALAR", "String"))),
                  field("node", nonNull(named("OBJECT", "Item")))}),
        fullType("OBJECT", "PageInfo",
                 {field("hasNextPage", nonNull(named("SCALAR", "Boolean"))),
                  field("endCursor", named("SCALAR", "String"))}),
        fullType("OBJECT", "Item",
                 {field("id", nonNull(named("SCALAR", "ID"))), field("n", named("SCALAR", "Int")),
                  field("price", named("SCALAR", "Float")),
                  field("tags", nonNull(listOf(nonNull(named("SCALAR", "String"))))),
                  field("matrix", listOf(listOf(named("SCALAR", "Int")))),
                  field("status", nonNull(named("ENUM", "Status"))),
                  field("updatedAt", nonNull(named("SCALAR", "DateTime"))),
                  field("owner", named("OBJECT", "Owner"))}),
        fullType("OBJECT", "Owner",
                 {field("name", nonNull(named("SCALAR", "String"))),
                  field("item", named("OBJECT", "Item"))}),
        fullType("ENUM", "Status", {}, {},
                 {j("{'name': 'OPEN', 'description': null, 'isDeprecated': false, "
                    "'deprecationReason': null}"),
                  j("{'name': 'DONE', 'description': null, 'isDeprecated': false, "
                    "'deprecationReason': null}")}),
        fullType("INPUT_OBJECT", "ItemInput", {},
                 {inputValue("n", named("SCALAR", "Int")),
                  inputValue("status", named("ENUM", "Status"), u"OPEN"_s),
                  inputValue("name", nonNull(named("SCALAR", "String")))}),
        fullType("SCALAR", "DateTime"),
        fullType("SCALAR", "ID"),
        fullType("SCALAR", "Int"),
        fullType("SCALAR", "Float"),
        fullType("SCALAR", "String"),
        fullType("SCALAR", "Boolean"),
    };
    Data::Object schema {{u"queryType"_s, j("{'name': 'Query'}")},
                         {u"mutationType"_s, nullptr},
                         {u"subscriptionType"_s, nullptr},
                         {u"types"_s, Data::Value(std::move(types))},
                         {u"directives"_s,
                          j("[{'name': 'skip', 'description': null, 'locations': ['FIELD'], "
                            "'args': []}]")}};
    return Data::Value(Data::Object {{u"__schema"_s, Data::Value(std::move(schema))}});
}

QString detailsOf(const Error &error)
{
    return error.details.join(u"\n"_s);
}

} // namespace

class TestGraphQLConnector : public QObject
{
    Q_OBJECT

private slots:
    void init() { HttpClient::resetSharedState(); }

    // ---- execute ----

    void executePostsQueryVariablesAndOperationName()
    {
        TestHttpServer server;
        QVERIFY(server.isListening());
        server.setHandler([](const Http::HttpRequest &) {
            return reply(200, jb("{'data': {'customer': {'id': 'c1', 'name': 'Ä'}}}"));
        });
        auto gql = connector(server);
        const QString query = u"query Q($id: ID!) { customer(id: $id) { id name } }"_s;
        const Data::Value variables
            = j("{'id': 'c1', 'big': 12345678901234567890, 'text': 'ü \\\" \\n',"
                " 'nested': {'list': [1, null, true, 2.5]}, 'none': null}");
        Result<Data::Value> data = gql->execute(query, variables, u"Q"_s);
        VERIFY_OK(data);
        QCOMPARE((*data)[u"customer"][u"id"].toString(), u"c1"_s);
        QCOMPARE((*data)[u"customer"][u"name"].toString(), u"Ä"_s);
        QVERIFY(gql->lastErrors().empty());

        QCOMPARE(server.requestCount(), 1);
        const Http::HttpRequest request = server.requests().constFirst();
        QCOMPARE(request.method, QByteArray("POST"));
        QCOMPARE(request.path, u"/graphql"_s);
        QCOMPARE(request.header("Content-Type"), QByteArray("application/json"));
        QVERIFY(request.header("Accept").startsWith("application/graphql-response+json"));
        QVERIFY(request.header("Accept").contains("application/json"));
        const Data::Value body = bodyOf(request);
        QCOMPARE(body[u"query"].toString(), query);
        QCOMPARE(body[u"operationName"].toString(), u"Q"_s);
        QCOMPARE(body[u"variables"], variables);
        QVERIFY(body[u"variables"].toObject().contains(u"none"));
        QVERIFY2(request.body.contains("\"big\":12345678901234567890"),
                 request.body.constData()); // exact, not 1.2e19

        // no variables, no operation name: neither member is sent
        server.clearRequests();
        VERIFY_OK(gql->execute(u"{ customer(id: \"c1\") { id } }"_s));
        const Data::Object plain = bodyOf(server.requests().constFirst()).toObject();
        QVERIFY(!plain.contains(u"variables"));
        QVERIFY(!plain.contains(u"operationName"));

        // variables must be an object: nothing is sent
        server.clearRequests();
        VERIFY_ERROR(gql->execute(query, j("[1, 2]")), "invalid_request");
        QCOMPARE(server.requestCount(), 0);
    }

    void graphqlErrorsCarryMessagePathAndLocations()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            return reply(200,
                         jb("{'errors': [{'message': 'risk scoring is down', "
                            "'path': ['customers', 'edges', 0, 'node', 'riskScore'],"
                            " 'locations': [{'line': 1, 'column': 90}, {'line': 3, 'column': 7}],"
                            " 'extensions': {'code': 'RISK_DOWN'}},"
                            " {'message': 'second problem'}], 'data': null}"));
        });
        auto gql = connector(server);
        Result<Data::Value> data
            = gql->execute(u"{ customers { edges { node { riskScore } } } }"_s);
        VERIFY_ERROR(data, "graphql_error");
        const Error &error = data.error();
        QVERIFY2(error.message.contains(u"2 error"_s), qPrintable(error.message));
        QVERIFY2(error.message.contains(u"without data"_s), qPrintable(error.message));
        QCOMPARE(error.details.size(), 2);
        QCOMPARE(
            error.details.at(0),
            u"risk scoring is down (path customers.edges[0].node.riskScore; line 1, column 90; "
            "line 3, column 7; code RISK_DOWN)"_s);
        QCOMPARE(error.details.at(1), u"second problem"_s);
    }

    void manyErrorsAreCappedInTheDetails()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            Data::Array errors;
            for (int i = 0; i < 50; ++i)
                errors.push_back(
                    Data::Value(Data::Object {{u"message"_s, u"problem %1"_s.arg(i)}}));
            return reply(200,
                         Data::Json::serialize(
                             Data::Value(Data::Object {{u"errors"_s, Data::Value(errors)}})));
        });
        Result<Data::Value> data = connector(server)->execute(u"{ a }"_s);
        VERIFY_ERROR(data, "graphql_error");
        QCOMPARE(data.error().details.size(), 21);
        QCOMPARE(data.error().details.constLast(), u"… and 30 more"_s);
    }

    void partialDataFailsUnlessAccepted()
    {
        TestHttpServer server;
        std::atomic<bool> withErrors {true};
        server.setHandler([&](const Http::HttpRequest &) {
            if (!withErrors)
                return reply(200, jb("{'data': {'x': 2}}"));
            return reply(200,
                         jb("{'data': {'x': 1, 'y': null}, 'errors': [{'message': 'y failed', "
                            "'path': ['y']}]}"));
        });
        Result<Data::Value> strict = connector(server)->execute(u"{ x y }"_s);
        VERIFY_ERROR(strict, "graphql_error");
        QVERIFY2(strict.error().message.contains(u"partial data"_s),
                 qPrintable(strict.error().message));
        QCOMPARE(strict.error().details, QStringList {u"y failed (path y)"_s});

        auto lenient = connector(server, j("{'partial_data': 'accept'}"));
        Result<Data::Value> data = lenient->execute(u"{ x y }"_s);
        VERIFY_OK(data);
        QCOMPARE((*data)[u"x"].toInt64(), 1);
        QVERIFY((*data)[u"y"].isNull());
        QCOMPARE(lenient->lastErrors().size(), size_t(1));
        QCOMPARE(lenient->lastErrors().front().message, u"y failed"_s);
        QCOMPARE(lenient->lastErrors().front().pathText(), u"y"_s);

        // errors without any data are an error even when partial data is accepted
        server.setHandler([](const Http::HttpRequest &) {
            return reply(200,
                         jb("{'data': null, 'errors': [{'message': 'x failed', 'path': ['x']}]}"));
        });
        VERIFY_ERROR(lenient->execute(u"{ x }"_s), "graphql_error");

        // the next clean answer clears lastErrors
        withErrors = false;
        server.setHandler(
            [](const Http::HttpRequest &) { return reply(200, jb("{'data': {'x': 2}}")); });
        VERIFY_OK(lenient->execute(u"{ x }"_s));
        QVERIFY(lenient->lastErrors().empty());
    }

    void httpAnswers_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("mentions");

        QTest::addRow("400 with GraphQL errors")
            << 400 << QByteArray("application/graphql-response+json; charset=utf-8")
            << jb("{'errors': [{'message': 'Cannot query field nope', "
                  "'locations': [{'line': 1, 'column': 3}]}]}")
            << u"graphql_error"_s << u"HTTP 400"_s;
        QTest::addRow("500 text") << 500 << QByteArray("text/plain")
                                  << QByteArray("upstream exploded") << u"http_error"_s
                                  << u"HTTP 500 Internal Server Error: upstream exploded"_s;
        QTest::addRow("404 html") << 404 << QByteArray("text/html")
                                  << QByteArray("<h1>Not Found</h1>") << u"http_error"_s
                                  << u"HTTP 404"_s;
        QTest::addRow("502 JSON that is not GraphQL")
            << 502 << QByteArray("application/json") << jb("{'message': 'bad gateway'}")
            << u"http_error"_s << u"HTTP 502"_s;
        QTest::addRow("401") << 401 << QByteArray("application/json")
                             << jb("{'errors': [{'message': 'no token'}]}")
                             << u"authentication_failed"_s << u"HTTP 401"_s;
        QTest::addRow("403") << 403 << QByteArray("text/plain") << QByteArray("forbidden")
                             << u"authentication_failed"_s << u"HTTP 403"_s;
    }

    void httpAnswers()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        QFETCH(QString, mentions);
        TestHttpServer server;
        server.setHandler(
            [&](const Http::HttpRequest &) { return reply(status, body, contentType); });
        Result<Data::Value> data = connector(server)->execute(u"{ a }"_s);
        QVERIFY(!data);
        QCOMPARE(data.error().code, code);
        const QString text = data.error().toString();
        QVERIFY2(text.contains(mentions), qPrintable(text));
        QVERIFY2(text.contains(server.url(u"/graphql"_s).toString()), qPrintable(text));
    }

    void malformedBodies_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("mentions");

        QTest::addRow("html") << QByteArray("text/html") << QByteArray("<html>oops</html>")
                              << u"(text/html) with a body that is not JSON"_s;
        QTest::addRow("truncated JSON") << QByteArray("application/json")
                                        << QByteArray("{\"data\": {\"a\": 1") << u"not JSON"_s;
        QTest::addRow("empty") << QByteArray("application/json") << QByteArray()
                               << u"the body is empty"_s;
        QTest::addRow("array") << QByteArray("application/json") << QByteArray("[1, 2]")
                               << u"the document is a JSON array, not an object"_s;
        QTest::addRow("neither data nor errors")
            << QByteArray("application/json") << jb("{'extensions': {}}")
            << u"has neither \"data\" nor \"errors\""_s;
        QTest::addRow("data a string") << QByteArray("application/json") << jb("{'data': 'x'}")
                                       << u"/data must be an object or null"_s;
        QTest::addRow("errors an object")
            << QByteArray("application/json") << jb("{'errors': {'message': 'x'}}")
            << u"/errors must be an array"_s;
        QTest::addRow("error without message")
            << QByteArray("application/json") << jb("{'errors': [{'msg': 'x'}]}")
            << u"/errors/0/message must be a string"_s;
        QTest::addRow("error that is a string")
            << QByteArray("application/json") << jb("{'errors': [{'message': 'a'}, 'b']}")
            << u"/errors/1 must be an object"_s;
        QTest::addRow("bad error path")
            << QByteArray("application/json") << jb("{'errors': [{'message': 'x', 'path': [{}]}]}")
            << u"/errors/0/path must be an array of field names and indexes"_s;
        QTest::addRow("data null without errors")
            << QByteArray("application/json") << jb("{'data': null}")
            << u"\"data\": null and no errors"_s;
    }

    void malformedBodies()
    {
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QString, mentions);
        TestHttpServer server;
        server.setHandler([&](const Http::HttpRequest &) { return reply(200, body, contentType); });
        Result<Data::Value> data = connector(server)->execute(u"{ a }"_s);
        VERIFY_ERROR(data, "graphql_invalid_response");
        QVERIFY2(data.error().message.contains(mentions), qPrintable(data.error().message));
        QVERIFY2(data.error().message.contains(u"HTTP 200"_s), qPrintable(data.error().message));
    }

    void truncatedJsonNamesTheOffset()
    {
        TestHttpServer server;
        server.setHandler(
            [](const Http::HttpRequest &) { return reply(200, "{\"data\": {\"a\": tru}}"); });
        Result<Data::Value> data = connector(server)->execute(u"{ a }"_s);
        VERIFY_ERROR(data, "graphql_invalid_response");
        QCOMPARE(data.error().offset, qint64(18)); // the "}" after "tru"
        QVERIFY2(data.error().message.contains(u"byte 18"_s), qPrintable(data.error().message));
    }

    void sendsBearerTokenAndEndpointHeaders()
    {
        TestHttpServer server;
        server.setHandler(
            [](const Http::HttpRequest &) { return reply(200, jb("{'data': {'a': 1}}")); });
        ConnectorContext context;
        context.secrets = std::make_shared<MapSecrets>(
            QHash<QString, QString> {{u"gql.token"_s, u"t0k-123"_s}});
        auto gql
            = connector(server, j("{}"),
                        j("{'authentication': {'type': 'bearer', 'token': {'secret': 'gql.token'}},"
                          " 'headers': {'X-Tenant': 'acme'}}"),
                        context);
        VERIFY_OK(gql->execute(u"{ a }"_s));
        const Http::HttpRequest request = server.requests().constFirst();
        QCOMPARE(request.header("Authorization"), QByteArray("Bearer t0k-123"));
        QCOMPARE(request.header("X-Tenant"), QByteArray("acme"));
    }

    void queriesAreRetriedMutationsAreNot_data()
    {
        QTest::addColumn<QString>("document");
        QTest::addColumn<int>("expectedRequests");
        QTest::addRow("query") << u"query { a }"_s << 2;
        QTest::addRow("shorthand") << u"{ a }"_s << 2;
        QTest::addRow("the word in a comment and a string")
            << u"# no mutation here\n{ a(x: \"mutation\") }"_s << 2;
        QTest::addRow("the word as a field") << u"{ mutation }"_s << 2;
        QTest::addRow("mutation") << u"mutation { a }"_s << 1;
        QTest::addRow("mutation after a fragment")
            << u"fragment F on Q { a }\nmutation M { b { ...F } }"_s << 1;
    }

    void queriesAreRetriedMutationsAreNot()
    {
        QFETCH(QString, document);
        QFETCH(int, expectedRequests);
        TestHttpServer server;
        std::atomic<int> calls {0};
        server.setHandler([&](const Http::HttpRequest &) {
            return ++calls == 1 ? reply(502, "bad gateway", "text/plain")
                                : reply(200, jb("{'data': {'a': 1}}"));
        });
        auto gql = connector(server, j("{'retry_attempts': 2}"));
        Result<Data::Value> data = gql->execute(document);
        QCOMPARE(server.requestCount(), expectedRequests);
        if (expectedRequests == 2)
            VERIFY_OK(data);
        else
            VERIFY_ERROR(data, "http_error");
    }

    void testConnectionAsksForTypename()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            return reply(200, jb("{'data': {'__typename': 'Query'}}"));
        });
        Result<ConnectionTest> test = connector(server)->testConnection();
        VERIFY_OK(test);
        QCOMPARE(test->serverInfo, u"HTTP 200, GraphQL query type Query"_s);
        QVERIFY(
            bodyOf(server.requests().constFirst())[u"query"].toString().contains(u"__typename"_s));

        server.setHandler([](const Http::HttpRequest &) { return reply(200, jb("{'data': {}}")); });
        VERIFY_ERROR(connector(server)->testConnection(), "graphql_invalid_response");
    }

    // ---- reading ----

    void cursorPagingReadsEveryPage()
    {
        TestHttpServer server;
        RelayServer relay;
        server.setHandler([&](const Http::HttpRequest &r) { return relay(r); });
        auto gql = connector(server, relayEntity("{'variables': {'kind': 'tool', 'extra': 1}}"));
        QVERIFY(gql->capabilities().testFlag(Capability::Read));
        QVERIFY(gql->capabilities().testFlag(Capability::IncrementalRead));
        Collected got;
        ReadRequest request;
        request.entity = u"items"_s;
        request.pageSize = 10;
        request.filter = j("{'kind': 'part'}");
        Result<ReadSummary> summary = gql->read(request, got.sink());
        VERIFY_OK(summary);
        QCOMPARE(summary->records, 25);
        QCOMPARE(summary->pages, 3);
        QVERIFY(!summary->stoppedEarly);
        QCOMPARE(got.pages, 3);
        QCOMPARE(got.records.size(), size_t(25));
        QCOMPARE(got.records.front(), item(1));
        QCOMPARE(got.records.back(), item(25));

        const QList<Http::HttpRequest> requests = server.requests();
        QCOMPARE(requests.size(), 3);
        const Data::Value first = bodyOf(requests[0])[u"variables"];
        QCOMPARE(first[u"first"].toInt64(), 10);
        QVERIFY(first[u"after"].isUndefined());
        QCOMPARE(first[u"kind"].toString(),
                 u"part"_s); // the filter overrides the entity's variables
        QCOMPARE(first[u"extra"].toInt64(), 1);
        QVERIFY(first[u"since"].isUndefined());
        QCOMPARE(bodyOf(requests[1])[u"variables"][u"after"].toString(), u"c10"_s);
        QCOMPARE(bodyOf(requests[2])[u"variables"][u"after"].toString(), u"c20"_s);
        QCOMPARE(bodyOf(requests[2])[u"operationName"].toString(), QString());
    }

    void pagingStops_data()
    {
        QTest::addColumn<int>("total");
        QTest::addColumn<qint64>("limit");
        QTest::addColumn<int>("sinkPages");
        QTest::addColumn<qint64>("records");
        QTest::addColumn<qint64>("pages");
        QTest::addColumn<bool>("stoppedEarly");
        QTest::addColumn<int>("requests");

        QTest::addRow("hasNextPage false")
            << 25 << qint64(-1) << -1 << qint64(25) << qint64(3) << false << 3;
        QTest::addRow("full last page")
            << 20 << qint64(-1) << -1 << qint64(20) << qint64(2) << false << 2;
        QTest::addRow("empty") << 0 << qint64(-1) << -1 << qint64(0) << qint64(1) << false << 1;
        QTest::addRow("limit inside a page")
            << 25 << qint64(12) << -1 << qint64(12) << qint64(2) << true << 2;
        QTest::addRow("limit at a page end")
            << 25 << qint64(10) << -1 << qint64(10) << qint64(1) << true << 1;
        QTest::addRow("limit = all")
            << 25 << qint64(25) << -1 << qint64(25) << qint64(3) << false << 3;
        QTest::addRow("limit 0") << 25 << qint64(0) << -1 << qint64(0) << qint64(0) << false << 0;
        QTest::addRow("sink stops")
            << 25 << qint64(-1) << 1 << qint64(10) << qint64(1) << true << 1;
    }

    void pagingStops()
    {
        QFETCH(int, total);
        QFETCH(qint64, limit);
        QFETCH(int, sinkPages);
        TestHttpServer server;
        RelayServer relay;
        relay.total = total;
        server.setHandler([&](const Http::HttpRequest &r) { return relay(r); });
        auto gql = connector(server, relayEntity());
        Collected got;
        ReadRequest request;
        request.entity = u"items"_s;
        request.pageSize = 10;
        request.limit = limit;
        Result<ReadSummary> summary = gql->read(request, got.sink(sinkPages));
        VERIFY_OK(summary);
        QTEST(summary->records, "records");
        QTEST(summary->pages, "pages");
        QTEST(summary->stoppedEarly, "stoppedEarly");
        QTEST(int(server.requestCount()), "requests");
        QCOMPARE(qint64(got.records.size()), summary->records);
    }

    void pagingErrors_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("mentions");
        QTest::addColumn<int>("requests");

        QTest::addRow("same endCursor again")
            << u"repeat"_s << u"graphql_paging"_s << u"same endCursor"_s << 2;
        QTest::addRow("hasNextPage without endCursor")
            << u"nocursor"_s << u"graphql_paging"_s << u"endCursor is missing"_s << 1;
        QTest::addRow("never ending (max_pages)")
            << u"endless"_s << u"graphql_paging"_s << u"after 4 pages"_s << 4;
        QTest::addRow("no pageInfo") << u"nopageinfo"_s << u"graphql_invalid_response"_s
                                     << u"page_info_path /items/pageInfo"_s << 1;
        QTest::addRow("records not an array")
            << u"notarray"_s << u"graphql_invalid_response"_s
            << u"no array at records_path /items/edges (a object)"_s << 1;
        QTest::addRow("element without node")
            << u"nonode"_s << u"graphql_invalid_response"_s
            << u"element 3 of records_path /items/edges has no object at node_path /node"_s << 1;
        QTest::addRow("GraphQL error on page 2")
            << u"error2"_s << u"graphql_error"_s << u"page 2"_s << 2;
    }

    void pagingErrors()
    {
        QFETCH(QString, fault);
        QFETCH(QString, code);
        QFETCH(QString, mentions);
        QFETCH(int, requests);
        TestHttpServer server;
        RelayServer relay;
        relay.total = 1000;
        relay.mangle = [&](int page, Data::Object &pageInfo, Data::Array &edges) {
            if (fault == "repeat"_L1 && page == 2)
                pageInfo.insert(u"endCursor"_s, u"c10"_s);
            if (fault == "nocursor"_L1)
                pageInfo.insert(u"endCursor"_s, nullptr);
            if (fault == "nopageinfo"_L1)
                pageInfo.insert(u"hasNextPage"_s, u"yes"_s);
            if (fault == "nonode"_L1)
                edges[3] = j("{'cursor': 'c4'}");
        };
        server.setHandler([&](const Http::HttpRequest &r) {
            if (fault == "notarray"_L1)
                return reply(
                    200,
                    jb("{'data': {'items': {'edges': {}, 'pageInfo': {'hasNextPage': false}}}}"));
            if (fault == "error2"_L1 && relay.pages == 1)
                return reply(
                    200,
                    jb("{'data': null, 'errors': [{'message': 'bad cursor', 'path': ['items']}]}"));
            return relay(r);
        });
        auto gql = connector(server,
                             Data::Value(Data::Object {{u"entities"_s, relayEntity()[u"entities"]},
                                                       {u"max_pages"_s, 4}}));
        Collected got;
        ReadRequest request;
        request.entity = u"items"_s;
        request.pageSize = 10;
        Result<ReadSummary> summary = gql->read(request, got.sink());
        QVERIFY(!summary);
        QCOMPARE(summary.error().code, code);
        QVERIFY2(summary.error().toString().contains(mentions),
                 qPrintable(summary.error().toString()));
        QVERIFY2(summary.error().message.contains(u"entity items of endpoint gql-test"_s),
                 qPrintable(summary.error().message));
        QCOMPARE(int(server.requestCount()), requests);
    }

    void offsetPaging_data()
    {
        QTest::addColumn<int>("total");
        QTest::addColumn<QList<qint64>>("offsets");
        QTest::addRow("short last page") << 25 << QList<qint64> {0, 10, 20};
        QTest::addRow("full last page, then an empty one") << 20 << QList<qint64> {0, 10, 20};
        QTest::addRow("one short page") << 3 << QList<qint64> {0};
    }

    void offsetPaging()
    {
        QFETCH(int, total);
        QFETCH(QList<qint64>, offsets);
        TestHttpServer server;
        server.setHandler([&](const Http::HttpRequest &r) {
            const Data::Value vars = bodyOf(r)[u"variables"];
            const qint64 offset = vars[u"skip"].toInt64();
            Data::Array list;
            for (qint64 n = offset + 1;
                 n <= std::min<qint64>(total, offset + vars[u"first"].toInt64()); ++n)
                list.push_back(item(int(n)));
            return reply(
                200,
                Data::Json::serialize(Data::Value(Data::Object {
                    {u"data"_s, Data::Value(Data::Object {{u"list"_s, Data::Value(list)}})}})));
        });
        auto gql = connector(server,
                             j("{'page_size': 10, 'entities': [{'name': 'list', 'paging': 'offset',"
                               " 'offset_variable': 'skip',"
                               " 'query': 'query($first: Int, $skip: Int) { list(first: $first, "
                               "skip: $skip) { id } }',"
                               " 'records_path': '/list'}]}"));
        Collected got;
        ReadRequest request;
        request.entity = u"list"_s;
        Result<ReadSummary> summary = gql->read(request, got.sink());
        VERIFY_OK(summary);
        QCOMPARE(summary->records, total);
        QList<qint64> sent;
        for (const Http::HttpRequest &r : server.requests()) {
            sent.append(bodyOf(r)[u"variables"][u"skip"].toInt64());
            QCOMPARE(bodyOf(r)[u"variables"][u"first"].toInt64(), 10);
        }
        QCOMPARE(sent, offsets);
    }

    void withoutPagingOneRequest()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            return reply(
                200, jb("{'data': {'all': [{'id': 1, 'a': 'x', 'b': 'y'}, {'id': 2, 'a': 'z'}]}}"));
        });
        auto gql = connector(server,
                             j("{'entities': [{'name': 'all', 'query': '{ all { id a b } }',"
                               " 'records_path': '/all'}]}"));
        Collected got;
        ReadRequest request;
        request.entity = u"all"_s;
        request.fields = QStringList {u"b"_s, u"id"_s};
        Result<ReadSummary> summary = gql->read(request, got.sink());
        VERIFY_OK(summary);
        QCOMPARE(summary->pages, 1);
        QCOMPARE(server.requestCount(), 1);
        QVERIFY(bodyOf(server.requests().constFirst())[u"variables"].toObject().isEmpty());
        QCOMPARE(got.records.size(), size_t(2));
        QCOMPARE(got.records[0], j("{'b': 'y', 'id': 1}"));
        QCOMPARE(got.records[1], j("{'id': 2}"));

        // null where the records should be: no records
        server.setHandler(
            [](const Http::HttpRequest &) { return reply(200, jb("{'data': {'all': null}}")); });
        Collected none;
        summary = gql->read(request, none.sink());
        VERIFY_OK(summary);
        QCOMPARE(summary->records, 0);
    }

    void incrementalReadPassesTheCursorAndDropsOlderRecords()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            // a server whose filter is >= and which sends one older record in another notation
            return reply(200,
                         jb("{'data': {'items': {'edges': ["
                            "{'node': {'id': 'a', 'updatedAt': '2024-01-10T08:00:00Z'}},"
                            "{'node': {'id': 'b', 'updatedAt': '2024-01-10T09:00:00+02:00'}},"
                            "{'node': {'id': 'c', 'updatedAt': '2024-01-10T08:00:00.500Z'}},"
                            "{'node': {'id': 'd', 'updatedAt': '2024-01-12T00:00:00.000Z'}}],"
                            " 'pageInfo': {'hasNextPage': false, 'endCursor': 'x'}}}}"));
        });
        auto gql = connector(server, relayEntity());
        Collected got;
        ReadRequest request;
        request.entity = u"items"_s;
        request.cursorField = u"updatedAt"_s;
        request.cursorAfter = u"2024-01-10T08:00:00Z"_s;
        Result<ReadSummary> summary = gql->read(request, got.sink());
        VERIFY_OK(summary);
        QCOMPARE(got.ids(), (QStringList {u"c"_s, u"d"_s}));
        QCOMPARE(summary->records, 2);
        QCOMPARE(summary->lastCursor, Data::Value(u"2024-01-12T00:00:00.000Z"_s));
        QCOMPARE(bodyOf(server.requests().constFirst())[u"variables"][u"since"].toString(),
                 u"2024-01-10T08:00:00Z"_s);

        // from the start: no cursor variable, every record
        server.clearRequests();
        Collected all;
        request.cursorAfter = Data::Value::null();
        summary = gql->read(request, all.sink());
        VERIFY_OK(summary);
        QCOMPARE(all.records.size(), size_t(4));
        QVERIFY(bodyOf(server.requests().constFirst())[u"variables"][u"since"].isUndefined());
        QCOMPARE(summary->lastCursor, Data::Value(u"2024-01-12T00:00:00.000Z"_s));

        // another field than the entity's cursor_field
        request.cursorField = u"createdAt"_s;
        VERIFY_ERROR(gql->read(request, all.sink()), "invalid_request");
    }

    void readRequestErrors()
    {
        TestHttpServer server;
        auto gql = connector(server, relayEntity());
        Collected got;
        ReadRequest request;
        request.entity = u"nothing"_s;
        VERIFY_ERROR(gql->read(request, got.sink()), "unknown_entity");
        request.entity = u"items"_s;
        request.filter = u"status eq 1"_s;
        VERIFY_ERROR(gql->read(request, got.sink()), "invalid_request");
        request.filter = Data::Value::null();
        CancelToken cancel;
        cancel.cancel();
        request.cancel = &cancel;
        VERIFY_ERROR(gql->read(request, got.sink()), "cancelled");
        QCOMPARE(server.requestCount(), 0);
    }

    // ---- writing ----

    void writeRunsOneMutationPerRecord()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            const Data::Value body = bodyOf(r);
            const QString query = body[u"query"].toString();
            const Data::Value vars = body[u"variables"];
            if (query.contains(u"createThing"_s))
                return reply(200, jb("{'data': {'createThing': {'id': 'new'}}}"));
            if (query.contains(u"updateThing"_s)) {
                if (vars[u"thingId"].toString() == "missing"_L1)
                    return reply(200, jb("{'data': {'updateThing': null}}"));
                return reply(200, jb("{'data': {'updateThing': {'id': 'x'}}}"));
            }
            if (query.contains(u"deleteThing"_s)) {
                return reply(200,
                             vars[u"id"].toString() == "gone"_L1
                                 ? jb("{'data': {'deleteThing': false}}")
                                 : jb("{'data': {'deleteThing': true}}"));
            }
            return reply(400, "unexpected", "text/plain");
        });
        auto gql = connector(
            server,
            j("{'entities': [{'name': 'things', 'query': '{ things { id } }', 'records_path': "
              "'/things', 'key': 'id',"
              " 'mutations': {"
              "  'insert': {'mutation': 'mutation Create($input: ThingInput!) { createThing(input: "
              "$input) { id } }',"
              "             'operation_name': 'Create', 'input_fields': ['name', 'size', 'owner']},"
              "  'update': {'mutation': 'mutation($thingId: ID!, $data: ThingInput!, $by: String) "
              "{ updateThing(id: $thingId, input: $data, by: $by) { id } }',"
              "             'input_variable': 'data', 'key_variables': {'id': 'thingId'}, "
              "'variables': {'by': 'conflux'}},"
              "  'delete': {'mutation': 'mutation($id: ID!) { deleteThing(id: $id) }'}}}]}"));
        QVERIFY(gql->capabilities().testFlag(Capability::Insert));
        QVERIFY(gql->capabilities().testFlag(Capability::Upsert));
        QVERIFY(gql->capabilities().testFlag(Capability::Delete));

        WriteRequest insert;
        insert.entity = u"things"_s;
        insert.mode = WriteMode::Insert;
        insert.records = {
            j("{'id': 'ignored', 'name': 'A', 'size': 3, 'owner': {'name': 'Ö'}, 'extra': true}"),
            j("{'name': 'B'}")};
        Result<WriteSummary> written = gql->write(insert);
        VERIFY_OK(written);
        QCOMPARE(written->inserted, 2);
        QList<Http::HttpRequest> requests = server.requests();
        QCOMPARE(requests.size(), 2);
        Data::Value body = bodyOf(requests[0]);
        QCOMPARE(body[u"operationName"].toString(), u"Create"_s);
        QCOMPARE(body[u"variables"],
                 j("{'input': {'name': 'A', 'size': 3, 'owner': {'name': 'Ö'}}}"));
        QCOMPARE(bodyOf(requests[1])[u"variables"], j("{'input': {'name': 'B'}}"));

        server.clearRequests();
        WriteRequest upsert;
        upsert.entity = u"things"_s;
        upsert.mode = WriteMode::Upsert;
        upsert.records = {j("{'id': 'x', 'name': 'X'}"), j("{'id': 'missing', 'name': 'M'}"),
                          j("{'name': 'no key'}")};
        written = gql->write(upsert);
        VERIFY_OK(written);
        QCOMPARE(written->updated, 1);
        QCOMPARE(written->inserted, 2); // the update found nothing; the record without a key
        requests = server.requests();
        QCOMPARE(requests.size(), 4); // update x, update missing, insert missing, insert "no key"
        QCOMPARE(bodyOf(requests[0])[u"variables"],
                 j("{'by': 'conflux', 'thingId': 'x', 'data': {'name': 'X'}}"));
        QVERIFY(bodyOf(requests[2])[u"query"].toString().contains(u"createThing"_s));
        QCOMPARE(bodyOf(requests[2])[u"variables"], j("{'input': {'name': 'M'}}"));

        server.clearRequests();
        WriteRequest remove;
        remove.entity = u"things"_s;
        remove.mode = WriteMode::Delete;
        remove.records = {j("{'id': 'x', 'name': 'X'}"), j("{'id': 'gone'}")};
        written = gql->write(remove);
        VERIFY_OK(written);
        QCOMPARE(written->deleted, 1);
        QCOMPARE(written->unchanged, 1);
        QCOMPARE(bodyOf(server.requests().constFirst())[u"variables"], j("{'id': 'x'}"));

        remove.records = {j("{'name': 'no key'}")};
        Result<WriteSummary> keyless = gql->write(remove);
        VERIFY_ERROR(keyless, "invalid_request");
        QVERIFY2(keyless.error().message.contains(u"record 1 of 1"_s),
                 qPrintable(keyless.error().message));
    }

    void writeFailureNamesTheRecord()
    {
        TestHttpServer server;
        std::atomic<int> calls {0};
        server.setHandler([&](const Http::HttpRequest &) {
            if (++calls == 2) {
                return reply(
                    200,
                    jb("{'data': null, 'errors': [{'message': 'input.name is required',"
                       " 'path': ['createThing'], 'extensions': {'code': 'BAD_USER_INPUT'}}]}"));
            }
            return reply(200, jb("{'data': {'createThing': {'id': 'n'}}}"));
        });
        auto gql = connector(server,
                             j("{'entities': [{'name': 'things', 'query': '{ things { id } }',"
                               " 'records_path': '/things',"
                               " 'mutations': {'insert': {'mutation': 'mutation($input: In!) "
                               "{ createThing(input: $input) { id } }'}}}]}"));
        WriteRequest insert;
        insert.entity = u"things"_s;
        insert.mode = WriteMode::Insert;
        insert.records = {j("{'name': 'a'}"), j("{'size': 1}"), j("{'name': 'c'}")};
        Result<WriteSummary> written = gql->write(insert);
        VERIFY_ERROR(written, "graphql_error");
        QVERIFY2(written.error().message.contains(
                     u"entity things of endpoint gql-test, record 2 of 3"_s),
                 qPrintable(written.error().message));
        QCOMPARE(written.error().details.size(), 2);
        QCOMPARE(written.error().details.at(0), u"the 1 record(s) before it were written"_s);
        QCOMPARE(written.error().details.at(1),
                 u"input.name is required (path createThing; code BAD_USER_INPUT)"_s);
        QCOMPARE(server.requestCount(), 2);

        // modes without a mutation
        insert.mode = WriteMode::Delete;
        VERIFY_ERROR(gql->write(insert), "unsupported");
        insert.mode = WriteMode::Upsert;
        VERIFY_ERROR(gql->write(insert), "unsupported");
        insert.entity = u"other"_s;
        VERIFY_ERROR(gql->write(insert), "unknown_entity");
    }

    // ---- configuration ----

    void configurationErrors_data()
    {
        QTest::addColumn<QByteArray>("configuration");
        QTest::addColumn<QString>("detail");

        QTest::addRow("unknown setting")
            << QByteArray("{'pagesize': 10}")
            << u"/configuration/pagesize: is not a setting of the graphql connector"_s;
        QTest::addRow("entities not an array")
            << QByteArray("{'entities': {}}") << u"/configuration/entities: must be an array"_s;
        QTest::addRow("partial_data") << QByteArray("{'partial_data': 'maybe'}")
                                      << u"/configuration/partial_data: must be fail or accept"_s;
        QTest::addRow("page_size") << QByteArray("{'page_size': 0}")
                                   << u"/configuration/page_size: must be a whole number from 1"_s;
        QTest::addRow("no query") << QByteArray(
            "{'entities': [{'name': 'a', 'records_path': '/a'}]}")
                                  << u"/configuration/entities/0/query: is required"_s;
        QTest::addRow("no records_path")
            << QByteArray("{'entities': [{'name': 'a', 'query': '{ a }'}]}")
            << u"/configuration/entities/0/records_path: is required"_s;
        QTest::addRow("records_path not a pointer")
            << QByteArray("{'entities': [{'name': 'a', 'query': '{ a }', 'records_path': 'a/b'}]}")
            << u"/configuration/entities/0/records_path: must be a JSON pointer"_s;
        QTest::addRow("unknown entity setting")
            << QByteArray("{'entities': [{'name': 'a', 'query': '{ a }', 'records_path': '/a', "
                          "'pagin': 'x'}]}")
            << u"/configuration/entities/0/pagin: is not a setting of a GraphQL entity"_s;
        QTest::addRow("paging") << QByteArray(
            "{'entities': [{'name': 'a', 'query': '{ a }', 'records_path': '/a', 'paging': "
            "'pages'}]}") << u"/configuration/entities/0/paging: must be cursor, offset or none"_s;
        QTest::addRow("cursor paging without page_info_path")
            << QByteArray("{'entities': [{'name': 'a', 'query': 'query($first: Int, $after: "
                          "String) { a }',"
                          " 'records_path': '/a', 'paging': 'cursor'}]}")
            << u"/configuration/entities/0/page_info_path: is required for cursor paging"_s;
        QTest::addRow("query without $after")
            << QByteArray("{'entities': [{'name': 'a', 'query': 'query($first: Int, $afterwards: "
                          "String) { a }',"
                          " 'records_path': '/a/edges', 'page_info_path': '/a/pageInfo'}]}")
            << u"/configuration/entities/0/query: does not use the variable $after (after_variable)"_s;
        QTest::addRow("bad variable name")
            << QByteArray("{'entities': [{'name': 'a', 'query': '{ a }', 'records_path': '/a',"
                          " 'cursor_field': 'u', 'cursor_variable': '$since'}]}")
            << u"/configuration/entities/0/cursor_variable: \"$since\" is not a GraphQL variable name"_s;
        QTest::addRow("cursor_variable without cursor_field")
            << QByteArray("{'entities': [{'name': 'a', 'query': 'query($s: String) { a(s: $s) }', "
                          "'records_path': '/a',"
                          " 'cursor_variable': 's'}]}")
            << u"/configuration/entities/0/cursor_variable: needs a cursor_field"_s;
        QTest::addRow("update without key")
            << QByteArray("{'entities': [{'name': 'a', 'query': '{ a }', 'records_path': '/a',"
                          " 'mutations': {'update': {'mutation': 'mutation($input: I) { u(i: "
                          "$input) }'}}}]}")
            << u"/configuration/entities/0/key: is required for update, upsert and delete mutations"_s;
        QTest::addRow("mutation without its input variable")
            << QByteArray(
                   "{'entities': [{'name': 'a', 'query': '{ a }', 'records_path': '/a',"
                   " 'mutations': {'insert': {'mutation': 'mutation($in: I) { c(i: $in) }'}}}]}")
            << u"/configuration/entities/0/mutations/insert/mutation: does not use the input variable $input"_s;
        QTest::addRow("unknown mutation kind")
            << QByteArray("{'entities': [{'name': 'a', 'query': '{ a }', 'records_path': '/a',"
                          " 'mutations': {'merge': {}}}]}")
            << u"/configuration/entities/0/mutations/merge: is not a setting of mutations"_s;
        QTest::addRow("duplicate entity")
            << QByteArray("{'entities': [{'name': 'a', 'query': '{ a }', 'records_path': '/a'},"
                          " {'name': 'a', 'query': '{ a }', 'records_path': '/a'}]}")
            << u"/configuration/entities/1/name: \"a\" names another entity too"_s;
        QTest::addRow("HTTP setting")
            << QByteArray("{'max_redirects': 99}")
            << u"/configuration/max_redirects: must be an integer from 0 to 20"_s;
    }

    void configurationErrors()
    {
        QFETCH(QByteArray, configuration);
        QFETCH(QString, detail);
        TestHttpServer server;
        Result<std::unique_ptr<GraphQLConnector>> made
            = makeConnector(endpointDocument(server, j(configuration.constData())));
        VERIFY_ERROR(made, "invalid_endpoint");
        QVERIFY2(made.error().message.contains(u"gql-test"_s), qPrintable(made.error().message));
        bool found = false;
        for (const QString &d : made.error().details)
            found = found || d.startsWith(detail);
        QVERIFY2(found, qPrintable(detailsOf(made.error())));
    }

    void anotherProtocolIsRefused()
    {
        TestHttpServer server;
        Data::Value doc = endpointDocument(server, j("{}"), j("{'protocol': 'rest'}"));
        Result<EndpointSpec> spec = parseEndpoint(doc);
        VERIFY_OK(spec);
        Result<std::unique_ptr<Connector>> made = createGraphQLConnector(*spec, {});
        VERIFY_ERROR(made, "invalid_endpoint");
        QVERIFY(made.error().details.join(u' ').contains(u"/protocol: must be graphql"_s));
    }

    // ---- introspection ----

    void introspectionBuildsTheSchema()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            return reply(200,
                         Data::Json::serialize(
                             Data::Value(Data::Object {{u"data"_s, sampleIntrospection()}})));
        });
        auto gql = connector(server);
        Result<GraphQLSchema> schema = gql->introspect();
        VERIFY_OK(schema);
        const Data::Value sent = bodyOf(server.requests().constFirst());
        QCOMPARE(sent[u"operationName"].toString(), u"IntrospectionQuery"_s);
        QCOMPARE(sent[u"query"].toString(), GraphQLConnector::introspectionQuery());
        QVERIFY(sent[u"query"].toString().contains(u"__schema"_s));

        QCOMPARE(schema->queryType(), u"Query"_s);
        QVERIFY(schema->mutationType().isEmpty());
        QCOMPARE(schema->types().size(), size_t(14));
        QCOMPARE(schema->directives().size(), size_t(1));
        QCOMPARE(schema->directives().front().locations, QStringList {u"FIELD"_s});
        const GraphQLType *query = schema->type(u"Query");
        QVERIFY(query);
        QCOMPARE(query->kind, GraphQLTypeKind::Object);
        QCOMPARE(query->field(u"items")->type.toString(), u"ItemConnection!"_s);
        QCOMPARE(query->field(u"items")->args.front().defaultValue,
                 std::optional<QString>(u"10"_s));
        QCOMPARE(query->field(u"item")->args.front().type.toString(), u"ID!"_s);
        const GraphQLType *itemType = schema->type(u"Item");
        QCOMPARE(itemType->field(u"tags")->type.toString(), u"[String!]!"_s);
        QVERIFY(itemType->field(u"tags")->type.isNonNull());
        QVERIFY(itemType->field(u"tags")->type.isList());
        QCOMPARE(itemType->field(u"matrix")->type.toString(), u"[[Int]]"_s);
        QCOMPARE(itemType->field(u"matrix")->type.wrappers.size(), size_t(2));
        QCOMPARE(schema->type(u"Status")->enumValues, (QStringList {u"OPEN"_s, u"DONE"_s}));
        QCOMPARE(schema->type(u"ItemInput")->kind, GraphQLTypeKind::InputObject);
        QCOMPARE(schema->type(u"ItemInput")->inputField(u"status")->defaultValue,
                 std::optional<QString>(u"OPEN"_s));
        QVERIFY(!schema->type(u"Nope"));

        // field trees
        const Data::SchemaField tree = schema->typeSchema(u"Item"_s, 2);
        QCOMPARE(tree.typeNames(), QStringList {u"object"_s});
        QCOMPARE(tree.fields.size(), size_t(8));
        QCOMPARE(tree.field(u"id")->typeNames(), QStringList {u"string"_s});
        QCOMPARE(tree.field(u"n")->typeNames(), (QStringList {u"integer"_s, u"null"_s}));
        QCOMPARE(tree.field(u"price")->typeNames(), (QStringList {u"number"_s, u"null"_s}));
        const Data::SchemaField *tags = tree.field(u"tags");
        QCOMPARE(tags->typeNames(), QStringList {u"array"_s});
        QCOMPARE(tags->item()->typeNames(), QStringList {u"string"_s});
        QCOMPARE(tags->item()->path, u"tags[]"_s);
        const Data::SchemaField *matrix = tree.field(u"matrix");
        QCOMPARE(matrix->typeNames(), (QStringList {u"array"_s, u"null"_s}));
        QCOMPARE(matrix->item()->typeNames(), (QStringList {u"array"_s, u"null"_s}));
        QCOMPARE(matrix->item()->item()->typeNames(), (QStringList {u"integer"_s, u"null"_s}));
        QCOMPARE(matrix->item()->item()->path, u"matrix[][]"_s);
        QCOMPARE(tree.field(u"status")->typeNames(), QStringList {u"string"_s});
        QCOMPARE(tree.field(u"updatedAt")->format, Data::StringFormat::DateTime);
        const Data::SchemaField *owner = tree.field(u"owner");
        QCOMPARE(owner->typeNames(), (QStringList {u"object"_s, u"null"_s}));
        QCOMPARE(owner->field(u"name")->path, u"owner/name"_s);
        QVERIFY(owner->field(u"item")->fields.empty()); // depth 2 ends here
        QCOMPARE(tree.find(u"owner/item")->typeNames(), (QStringList {u"object"_s, u"null"_s}));
        QCOMPARE(schema->typeSchema(u"Item"_s, 3).find(u"owner/item")->fields.size(), size_t(8));

        const Data::SchemaField input = schema->typeSchema(u"ItemInput"_s);
        QVERIFY(input.field(u"n")->optional); // nullable, no default
        QVERIFY(!input.field(u"status")->optional); // has a default
        QVERIFY(!input.field(u"name")->optional); // non-null
        QVERIFY(schema->typeSchema(u"Nope"_s).types == Data::SchemaTypes());
        QCOMPARE(schema->typeSchema(query->field(u"item")->type).typeNames(),
                 (QStringList {u"object"_s, u"null"_s}));
    }

    void discoverDerivesRecordTypes()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            return reply(200,
                         Data::Json::serialize(
                             Data::Value(Data::Object {{u"data"_s, sampleIntrospection()}})));
        });
        Data::Value config = relayEntity("{'description': 'All items'}");
        Data::Array entities = config[u"entities"].toArray();
        entities.push_back(
            j("{'name': 'aliased', 'query': '{ all: items { edges { node { id } } } }',"
              " 'records_path': '/all/edges', 'node_path': '/node'}"));
        entities.push_back(
            j("{'name': 'named', 'query': '{ all: items { edges { node { id } } } }',"
              " 'records_path': '/all/edges', 'node_path': '/node', 'type': 'Item'}"));
        entities.push_back(
            j("{'name': 'not a list', 'query': '{ items { pageInfo { endCursor } } }',"
              " 'records_path': '/items/pageInfo'}"));
        auto gql = connector(server,
                             Data::Value(Data::Object {{u"entities"_s, Data::Value(entities)},
                                                       {u"schema_depth"_s, 1}}));
        Result<std::vector<Entity>> found = gql->discover();
        VERIFY_OK(found);
        QCOMPARE(found->size(), size_t(4));
        const Entity &items = found->at(0);
        QCOMPARE(items.name, u"items"_s);
        QCOMPARE(items.description, u"All items"_s);
        QCOMPARE(items.keyFields, QStringList {u"id"_s});
        QCOMPARE(items.cursorField, u"updatedAt"_s);
        QVERIFY(items.capabilities.testFlag(Capability::IncrementalRead));
        QVERIFY(!items.capabilities.testFlag(Capability::Insert));
        QCOMPARE(items.schema.fields.size(), size_t(8));
        QVERIFY(items.schema.field(u"owner")->fields.empty()); // schema_depth 1
        QVERIFY(found->at(1).schema.fields.empty());
        QVERIFY2(found->at(1).description.contains(u"set \"type\""_s),
                 qPrintable(found->at(1).description));
        QCOMPARE(found->at(2).schema.fields.size(), size_t(8));
        QCOMPARE(found->at(2).description, u"the Item type"_s);
        QVERIFY(found->at(3).schema.fields.empty());

        // without entities: the query type's fields, not readable
        Result<std::vector<Entity>> roots = connector(server)->discover();
        VERIFY_OK(roots);
        QCOMPARE(roots->size(), size_t(2));
        QCOMPARE(roots->at(0).name, u"items"_s);
        QVERIFY(!roots->at(0).capabilities);
        QVERIFY(roots->at(0).schema.field(u"edges"));
        QCOMPARE(roots->at(1).schema.typeNames(), (QStringList {u"object"_s, u"null"_s}));
    }

    void malformedIntrospection_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("no __schema") << u"noschema"_s << u"no __schema object"_s;
        QTest::addRow("unknown kind")
            << u"kind"_s << u"/__schema/types/0/kind: \"BOGUS\" is not a named type kind"_s;
        QTest::addRow("type reference cut short")
            << u"short"_s
            << u"/__schema/types/1/fields/0/type/ofType/ofType: the type "
               "reference is nested deeper"_s;
        QTest::addRow("type without name")
            << u"noname"_s << u"/__schema/types/4/name: must be a non-empty string"_s;
        QTest::addRow("types not an array") << u"types"_s << u"/__schema/types: must be an array"_s;
        QTest::addRow("unknown query type")
            << u"query"_s << u"names the query type Root, but lists no such type"_s;
    }

    void malformedIntrospection()
    {
        QFETCH(QString, fault);
        QFETCH(QString, mentions);
        Data::Value data = sampleIntrospection();
        Data::Object &schema = data.mutableObject().valueAt(0).mutableObject();
        Data::Array &types = schema.find(u"types")->mutableArray();
        if (fault == "noschema"_L1)
            data = j("{'schema': {}}");
        else if (fault == "kind"_L1)
            types[0].mutableObject().insert(u"kind"_s, u"BOGUS"_s);
        else if (fault == "short"_L1)
            types[1].mutableObject().find(u"fields")->mutableArray()[0].mutableObject().insert(
                u"type"_s, nonNull(wrap("LIST", nullptr)));
        else if (fault == "noname"_L1)
            types[4].mutableObject().insert(u"name"_s, nullptr);
        else if (fault == "types"_L1)
            schema.insert(u"types"_s, u"many"_s);
        else if (fault == "query"_L1)
            schema.insert(u"queryType"_s, j("{'name': 'Root'}"));
        Result<GraphQLSchema> parsed = GraphQLSchema::fromIntrospection(data);
        VERIFY_ERROR(parsed, "graphql_invalid_response");
        QVERIFY2(parsed.error().message.contains(mentions), qPrintable(parsed.error().message));
    }

    void introspectionDisabledIsAGraphQLError()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            return reply(400,
                         jb("{'errors': [{'message': 'GraphQL introspection is not allowed'}]}"),
                         "application/graphql-response+json");
        });
        Result<GraphQLSchema> schema = connector(server)->introspect();
        VERIFY_ERROR(schema, "graphql_error");
        QVERIFY(schema.error().toString().contains(u"introspection is not allowed"_s));
    }
};

QTEST_GUILESS_MAIN(TestGraphQLConnector)
#include "tst_graphqlconnector.moc"
