// The GraphQL connector against a real GraphQL server: the peer in tests/peers/graphql
// (graphql-js and graphql-http), started by the `sap_peers` fixture, which writes its address
// as GRAPHQL_BASE_URL (and GRAPHQL_TOKEN when the peer requires a bearer token).

#include "connectors/graphqlconnector.h"
#include "connectors/httpclient.h"
#include "data/json.h"
#include "security/secrets.h"
#include "testsupport.h"
#include "testsecrets.h"

#include <QTest>
#include <QUuid>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;
using Conflux::Test::MapSecrets;

namespace {

// JSON written with ' for " (no value here contains an apostrophe).
Data::Value j(const char *text)
{
    QByteArray json(text);
    json.replace('\'', '"');
    Result<Data::Value> value = Data::Json::parse(json);
    if (!value)
        qFatal("bad test JSON: %s (%s)", text, qPrintable(value.error().message));
    return *value;
}

// The customer fields every entity reads.
#define CUSTOMER_FIELDS                                                                            \
    "id name email status creditLimit employees tags address { street city postalCode country } "  \
    "createdAt updatedAt"

const char *const kEntities
    = "{'entities': ["
      " {'name': 'customers',"
      "  'query': 'query Customers($first: Int, $after: String, $since: DateTime) "
      "{ customers(first: $first, after: $after, updatedSince: $since) "
      "{ edges { node { " CUSTOMER_FIELDS " } } pageInfo { hasNextPage endCursor } } }',"
      "  'records_path': '/customers/edges', 'node_path': '/node', 'page_info_path': "
      "'/customers/pageInfo',"
      "  'key': 'id', 'cursor_field': 'updatedAt', 'cursor_variable': 'since',"
      "  'mutations': {"
      "   'insert': {'mutation': 'mutation Create($input: CustomerInput!) { createCustomer(input: "
      "$input) { id } }',"
      "              'input_fields': ['name', 'email', 'status', 'creditLimit', 'employees', "
      "'tags', 'address']},"
      "   'update': {'mutation': 'mutation Update($id: ID!, $input: CustomerInput!) "
      "{ updateCustomer(id: $id, input: $input) { id updatedAt } }',"
      "              'input_fields': ['name', 'email', 'status', 'creditLimit', 'employees', "
      "'tags', 'address']},"
      "   'delete': {'mutation': 'mutation Delete($id: ID!) { deleteCustomer(id: $id) }'}}},"
      " {'name': 'customer_list', 'paging': 'offset', 'page_size_variable': 'limit',"
      "  'query': 'query($limit: Int, $offset: Int) { customerList(offset: $offset, limit: $limit) "
      "{ id name } }',"
      "  'records_path': '/customerList', 'key': 'id'},"
      " {'name': 'risky',"
      "  'query': 'query Risky($first: Int, $after: String) { customers(first: $first, after: "
      "$after) "
      "{ edges { node { id name riskScore } } pageInfo { hasNextPage endCursor } } }',"
      "  'records_path': '/customers/edges', 'node_path': '/node', 'page_info_path': "
      "'/customers/pageInfo'}"
      "]}";

struct Collected
{
    std::vector<Data::Value> records;
    PageSink sink()
    {
        return [this](std::vector<Data::Value> &&page) {
            for (Data::Value &r : page)
                records.push_back(std::move(r));
            return true;
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

QStringList seededIds(int from, int to)
{
    QStringList ids;
    for (int i = from; i <= to; ++i)
        ids.append(u"cust-%1"_s.arg(i, 3, 10, QChar(u'0')));
    return ids;
}

} // namespace

class TestGraphQLConnectorPeer : public QObject
{
    Q_OBJECT

    QString m_url;
    QString m_token;

    std::unique_ptr<GraphQLConnector> connector(const Data::Value &configuration,
                                                bool authenticate = true)
    {
        Data::Object doc {{u"kind"_s, u"Endpoint"_s},
                          {u"schemaVersion"_s, 1},
                          {u"id"_s, u"graphql-peer"_s},
                          {u"name"_s, u"GraphQL peer"_s},
                          {u"type"_s, u"api"_s},
                          {u"protocol"_s, u"graphql"_s},
                          {u"url"_s, m_url},
                          {u"configuration"_s, configuration}};
        ConnectorContext context;
        if (!m_token.isEmpty() && authenticate) {
            doc.insert(u"authentication"_s,
                       j("{'type': 'bearer', 'token': {'secret': 'graphql.token'}}"));
            context.secrets = std::make_shared<MapSecrets>(
                QHash<QString, QString> {{u"graphql.token"_s, m_token}});
        }
        Result<EndpointSpec> spec = parseEndpoint(Data::Value(std::move(doc)));
        if (!spec)
            qFatal("endpoint: %s", qPrintable(spec.error().toString()));
        Result<std::unique_ptr<Connector>> made = createGraphQLConnector(*spec, context);
        if (!made)
            qFatal("connector: %s", qPrintable(made.error().toString()));
        return std::unique_ptr<GraphQLConnector>(static_cast<GraphQLConnector *>(made->release()));
    }

    std::unique_ptr<GraphQLConnector> customers(const char *partialData = "fail")
    {
        Data::Value config = j(kEntities);
        config.mutableObject().insert(u"partial_data"_s, QString::fromLatin1(partialData));
        return connector(config);
    }

    static Result<ReadSummary> readAll(GraphQLConnector &gql, const QString &entity, int pageSize,
                                       Collected &into,
                                       const Data::Value &cursorAfter = Data::Value())
    {
        ReadRequest request;
        request.entity = entity;
        request.pageSize = pageSize;
        if (!cursorAfter.isUndefined()) {
            request.cursorField = u"updatedAt"_s;
            request.cursorAfter = cursorAfter;
        }
        return gql.read(request, into.sink());
    }

private slots:
    void initTestCase()
    {
        QString error;
        const QMap<QString, QString> env
            = Test::readFixtureEnv("CONFLUX_TEST_SAP_PEERS_ENV", &error);
        if (env.isEmpty())
            QFAIL(qPrintable(error));
        const QString base = env.value(u"GRAPHQL_BASE_URL"_s);
        if (base.isEmpty()) {
            QFAIL("GRAPHQL_BASE_URL is missing from the sap_peers env file: the fixture did not "
                  "start the GraphQL "
                  "peer (tests/peers/graphql/server.js; see its log graphql.log next to the env "
                  "file)");
        }
        m_url = base + u"graphql"_s;
        m_token = env.value(u"GRAPHQL_TOKEN"_s);
        HttpClient::resetSharedState();
    }

    void testConnection()
    {
        Result<ConnectionTest> test = customers()->testConnection();
        VERIFY_OK(test);
        QCOMPARE(test->serverInfo, u"HTTP 200, GraphQL query type Query"_s);
        if (!m_token.isEmpty()) {
            // the peer requires its token: without it the connector says so
            VERIFY_ERROR(connector(j("{}"), false)->testConnection(), "authentication_failed");
        }
    }

    void introspectionDescribesTheSchema()
    {
        Result<GraphQLSchema> schema = customers()->introspect();
        VERIFY_OK(schema);
        QCOMPARE(schema->queryType(), u"Query"_s);
        QCOMPARE(schema->mutationType(), u"Mutation"_s);
        QVERIFY(schema->subscriptionType().isEmpty());
        QVERIFY(!schema->directives().empty());

        const GraphQLType *customer = schema->type(u"Customer");
        QVERIFY(customer);
        QCOMPARE(customer->kind, GraphQLTypeKind::Object);
        QCOMPARE(customer->field(u"id")->type.toString(), u"ID!"_s);
        QCOMPARE(customer->field(u"email")->type.toString(), u"String"_s);
        QCOMPARE(customer->field(u"status")->type.toString(), u"CustomerStatus!"_s);
        QCOMPARE(customer->field(u"tags")->type.toString(), u"[String!]!"_s);
        QCOMPARE(customer->field(u"address")->type.toString(), u"Address"_s);
        QCOMPARE(customer->field(u"orders")->type.toString(), u"[Order!]!"_s);
        QCOMPARE(customer->field(u"orders")->args.size(), size_t(1));
        QCOMPARE(customer->field(u"orders")->args.front().name, u"first"_s);
        QCOMPARE(customer->field(u"orders")->args.front().defaultValue,
                 std::optional<QString>(u"10"_s));
        QCOMPARE(customer->field(u"updatedAt")->type.toString(), u"DateTime!"_s);
        QVERIFY(customer->field(u"updatedAt")->description.contains(u"strictly increasing"_s));

        const GraphQLField *list = schema->type(u"Query")->field(u"customers");
        QCOMPARE(list->type.toString(), u"CustomerConnection!"_s);
        QStringList args;
        for (const GraphQLInputValue &arg : list->args)
            args.append(arg.name + u':' + arg.type.toString());
        QCOMPARE(args,
                 (QStringList {u"first:Int"_s, u"after:String"_s, u"updatedSince:DateTime"_s,
                               u"status:CustomerStatus"_s}));
        QCOMPARE(schema->type(u"CustomerStatus")->kind, GraphQLTypeKind::Enum);
        QCOMPARE(schema->type(u"CustomerStatus")->enumValues,
                 (QStringList {u"ACTIVE"_s, u"PROSPECT"_s, u"SUSPENDED"_s}));
        QCOMPARE(schema->type(u"DateTime")->kind, GraphQLTypeKind::Scalar);
        QVERIFY(schema->type(u"DateTime")->description.contains(u"RFC 3339"_s));
        const GraphQLType *input = schema->type(u"CustomerInput");
        QCOMPARE(input->kind, GraphQLTypeKind::InputObject);
        QCOMPARE(input->inputField(u"address")->type.toString(), u"AddressInput"_s);
        QCOMPARE(input->inputField(u"tags")->type.toString(), u"[String!]"_s);
        const GraphQLType *mutation = schema->type(schema->mutationType());
        QCOMPARE(mutation->field(u"createCustomer")->type.toString(), u"Customer!"_s);
        QCOMPARE(mutation->field(u"updateCustomer")->type.toString(), u"Customer"_s);
        QCOMPARE(mutation->field(u"deleteCustomer")->type.toString(), u"Boolean!"_s);
        QCOMPARE(mutation->field(u"createCustomer")->args.front().type.toString(),
                 u"CustomerInput!"_s);

        // the designers' field tree
        const Data::SchemaField tree = schema->typeSchema(u"Customer"_s, 2);
        QCOMPARE(tree.fields.size(), size_t(12));
        QCOMPARE(tree.field(u"name")->typeNames(), QStringList {u"string"_s});
        QCOMPARE(tree.field(u"email")->typeNames(), (QStringList {u"string"_s, u"null"_s}));
        QCOMPARE(tree.field(u"employees")->typeNames(), (QStringList {u"integer"_s, u"null"_s}));
        QCOMPARE(tree.field(u"creditLimit")->typeNames(), (QStringList {u"number"_s, u"null"_s}));
        QCOMPARE(tree.field(u"tags")->typeNames(), QStringList {u"array"_s});
        QCOMPARE(tree.field(u"tags")->item()->typeNames(), QStringList {u"string"_s});
        QCOMPARE(tree.field(u"updatedAt")->format, Data::StringFormat::DateTime);
        QCOMPARE(tree.find(u"address/city")->typeNames(), QStringList {u"string"_s});
        QCOMPARE(tree.find(u"address/street")->typeNames(), (QStringList {u"string"_s, u"null"_s}));
        QCOMPARE(tree.find(u"orders[]/placedAt")->format, Data::StringFormat::DateTime);
        QCOMPARE(tree.find(u"orders[]/total")->typeNames(), QStringList {u"number"_s});
    }

    void discoverGivesEntitiesWithFieldTrees()
    {
        Result<std::vector<Entity>> entities = customers()->discover();
        VERIFY_OK(entities);
        QCOMPARE(entities->size(), size_t(3));
        const Entity &c = entities->front();
        QCOMPARE(c.name, u"customers"_s);
        QCOMPARE(c.keyFields, QStringList {u"id"_s});
        QCOMPARE(c.cursorField, u"updatedAt"_s);
        const Capabilities expected = Capability::Read | Capability::IncrementalRead
            | Capability::Insert | Capability::Upsert | Capability::Delete;
        QCOMPARE(c.capabilities, expected);
        QCOMPARE(c.schema.fields.size(),
                 size_t(12)); // the Customer type, found through /customers/edges/node
        QVERIFY(c.schema.field(u"riskScore"));
        QCOMPARE(entities->at(1).schema.fields.size(), size_t(12)); // customerList: [Customer!]!
        QCOMPARE(entities->at(1).capabilities, Capabilities(Capability::Read));
    }

    void readsAll25CustomersInPagesOf10()
    {
        auto gql = customers();
        Collected got;
        Result<ReadSummary> summary = readAll(*gql, u"customers"_s, 10, got);
        VERIFY_OK(summary);
        QCOMPARE(summary->pages, 3);
        QCOMPARE(summary->records, 25);
        QCOMPARE(got.ids(), seededIds(1, 25));
        const Data::Value &first = got.records.front();
        QCOMPARE(first[u"name"].toString(), u"Acme Industrial Supply"_s);
        QCOMPARE(first[u"status"].toString(), u"ACTIVE"_s);
        QCOMPARE(first[u"address"][u"city"].toString(), u"Hamburg"_s);
        QCOMPARE(first[u"updatedAt"].toString(), u"2024-01-01T08:00:00.000Z"_s);
        QVERIFY(first[u"tags"].isArray());
        QVERIFY(got.records[6][u"email"].isNull()); // cust-007 has none

        // the offset-paged list: 10, 10, 5
        Collected list;
        summary = readAll(*gql, u"customer_list"_s, 10, list);
        VERIFY_OK(summary);
        QCOMPARE(summary->pages, 3);
        QCOMPARE(list.ids(), seededIds(1, 25));
        QCOMPARE(list.records.back()[u"name"].toString(), u"Yellowpine Timber"_s);
    }

    void queryWithVariables()
    {
        auto gql = customers();
        Result<Data::Value> data
            = gql->execute(u"query ByStatus($status: CustomerStatus, $first: Int) { "
                           u"customers(first: $first, status: $status) "
                           "{ totalCount edges { node { id status } } } }"_s,
                           j("{'status': 'PROSPECT', 'first': 100}"), u"ByStatus"_s);
        VERIFY_OK(data);
        QCOMPARE((*data)[u"customers"][u"totalCount"].toInt64(), 5);
        QStringList ids;
        for (const Data::Value &edge : (*data)[u"customers"][u"edges"].toArray()) {
            QCOMPARE(edge[u"node"][u"status"].toString(), u"PROSPECT"_s);
            ids.append(edge[u"node"][u"id"].toString());
        }
        QCOMPARE(ids,
                 (QStringList {u"cust-003"_s, u"cust-008"_s, u"cust-013"_s, u"cust-018"_s,
                               u"cust-023"_s}));

        data = gql->execute(
            u"query One($id: ID!) { customer(id: $id) { id name email orders(first: 2) { number } } }"_s,
            j("{'id': 'cust-007'}"));
        VERIFY_OK(data);
        QCOMPARE((*data)[u"customer"][u"name"].toString(), u"Granite Peak Builders"_s);
        QVERIFY((*data)[u"customer"][u"email"].isNull());
        QCOMPARE((*data)[u"customer"][u"orders"].size(), 2);

        data = gql->execute(u"query One($id: ID!) { customer(id: $id) { id } }"_s,
                            j("{'id': 'cust-999'}"));
        VERIFY_OK(data);
        QVERIFY((*data)[u"customer"].isNull());
    }

    void incrementalRead()
    {
        auto gql = customers();
        Collected got;
        const Data::Value after(u"2024-01-20T08:00:00Z"_s);
        Result<ReadSummary> summary = readAll(*gql, u"customers"_s, 2, got, after);
        VERIFY_OK(summary);
        QVERIFY2(got.records.size() >= 5, qPrintable(got.ids().join(u", "_s)));
        QCOMPARE(got.ids().mid(0, 5), seededIds(21, 25));
        QVERIFY(summary->pages >= 3);
        QString previous = after.toString();
        for (const Data::Value &r : got.records) {
            const QString updated = r[u"updatedAt"].toString();
            QVERIFY2(QDateTime::fromString(updated, Qt::ISODateWithMs)
                         > QDateTime::fromString(previous, Qt::ISODateWithMs),
                     qPrintable(updated + u" after "_s + previous));
            previous = updated;
        }
        QCOMPARE(summary->lastCursor, got.records.back()[u"updatedAt"]);

        // from the last cursor on: nothing new
        Collected none;
        summary = readAll(*gql, u"customers"_s, 10, none, summary->lastCursor);
        VERIFY_OK(summary);
        QCOMPARE(summary->records, 0);
    }

    void createUpdateDeleteWithMutations()
    {
        auto gql = customers();
        const QString tag = QUuid::createUuid().toString(QUuid::WithoutBraces).left(8);
        Result<Data::Value> now = gql->execute(u"{ serverTime }"_s);
        VERIFY_OK(now);
        const Data::Value since = (*now)[u"serverTime"];

        WriteRequest insert;
        insert.entity = u"customers"_s;
        insert.mode = WriteMode::Insert;
        Data::Value created
            = j("{'name': 'Conflux Test', 'email': 'test@conflux.example', 'status': 'ACTIVE',"
                " 'creditLimit': 1234.5, 'tags': ['conflux', 'test'],"
                " 'address': {'city': 'Basel', 'country': 'CH'}, 'createdAt': 'ignored'}");
        created.mutableObject().insert(u"name"_s, u"Conflux Test "_s + tag);
        insert.records = {created};
        Result<WriteSummary> written = gql->write(insert);
        VERIFY_OK(written);
        QCOMPARE(written->inserted, 1);

        // read back by an incremental read from before the insert
        Collected fresh;
        VERIFY_OK(readAll(*gql, u"customers"_s, 10, fresh, since));
        QCOMPARE(fresh.records.size(), size_t(1));
        const Data::Value record = fresh.records.front();
        const QString id = record[u"id"].toString();
        QVERIFY2(id.startsWith(u"cust-"_s) && !seededIds(1, 25).contains(id), qPrintable(id));
        QCOMPARE(record[u"name"].toString(), u"Conflux Test "_s + tag);
        QCOMPARE(record[u"tags"], j("['conflux', 'test']"));
        QCOMPARE(record[u"address"],
                 j("{'street': null, 'city': 'Basel', 'postalCode': null, 'country': 'CH'}"));
        QCOMPARE(record[u"creditLimit"].toDouble(), 1234.5);
        QVERIFY(record[u"createdAt"].toString() != "ignored"_L1);

        // upsert with its key: an update
        WriteRequest upsert;
        upsert.entity = u"customers"_s;
        upsert.mode = WriteMode::Upsert;
        upsert.records = {Data::Value(Data::Object {
            {u"id"_s, id}, {u"email"_s, u"changed@conflux.example"_s}, {u"employees"_s, 42}})};
        written = gql->write(upsert);
        VERIFY_OK(written);
        QCOMPARE(written->updated, 1);
        QCOMPARE(written->inserted, 0);
        const QString one
            = u"query One($id: ID!) { customer(id: $id) { id name email employees updatedAt } }"_s;
        Result<Data::Value> back = gql->execute(one, Data::Value(Data::Object {{u"id"_s, id}}));
        VERIFY_OK(back);
        QCOMPARE((*back)[u"customer"][u"email"].toString(), u"changed@conflux.example"_s);
        QCOMPARE((*back)[u"customer"][u"employees"].toInt64(), 42);
        QCOMPARE((*back)[u"customer"][u"name"].toString(), u"Conflux Test "_s + tag);
        QVERIFY((*back)[u"customer"][u"updatedAt"].toString() > record[u"updatedAt"].toString());

        // upsert of a key the server does not know: the update answers null, so it is inserted
        upsert.records = {Data::Value(
            Data::Object {{u"id"_s, u"cust-999"_s}, {u"name"_s, u"Upserted "_s + tag}})};
        written = gql->write(upsert);
        VERIFY_OK(written);
        QCOMPARE(written->inserted, 1);
        QCOMPARE(written->updated, 0);
        Collected both;
        VERIFY_OK(readAll(*gql, u"customers"_s, 10, both, since));
        QCOMPARE(both.records.size(), size_t(2));
        QCOMPARE(both.records.back()[u"name"].toString(), u"Upserted "_s + tag);
        const QString secondId = both.records.back()[u"id"].toString();
        QVERIFY(secondId != "cust-999"_L1);

        // delete both; a second delete finds nothing
        WriteRequest remove;
        remove.entity = u"customers"_s;
        remove.mode = WriteMode::Delete;
        remove.records = {Data::Value(Data::Object {{u"id"_s, id}}),
                          Data::Value(Data::Object {{u"id"_s, secondId}})};
        written = gql->write(remove);
        VERIFY_OK(written);
        QCOMPARE(written->deleted, 2);
        back = gql->execute(one, Data::Value(Data::Object {{u"id"_s, id}}));
        VERIFY_OK(back);
        QVERIFY((*back)[u"customer"].isNull());
        written = gql->write(remove);
        VERIFY_OK(written);
        QCOMPARE(written->deleted, 0);
        QCOMPARE(written->unchanged, 2);

        Collected all;
        VERIFY_OK(readAll(*gql, u"customers"_s, 100, all));
        QCOMPARE(all.ids(), seededIds(1, 25));
    }

    void graphqlErrorSurfacesWithItsPath()
    {
        // Customer.riskScore fails for every customer: partial data, refused by default
        Collected got;
        Result<ReadSummary> summary = readAll(*customers(), u"risky"_s, 10, got);
        VERIFY_ERROR(summary, "graphql_error");
        QVERIFY2(summary.error().message.contains(u"page 1"_s),
                 qPrintable(summary.error().message));
        QVERIFY2(summary.error().message.contains(u"10 error"_s),
                 qPrintable(summary.error().message));
        QCOMPARE(summary.error().details.size(), 10);
        QVERIFY2(summary.error().details.front().startsWith(
                     u"risk scoring is unavailable for customer cust-001 (path "
                     u"customers.edges[0].node.riskScore; "
                     "line 1, column "_s),
                 qPrintable(summary.error().details.front()));
        QVERIFY2(summary.error().details.front().endsWith(u"code RISK_SERVICE_UNAVAILABLE)"_s),
                 qPrintable(summary.error().details.front()));
        QVERIFY(got.records.empty());

        // accepted: every record, riskScore null, the last page's errors kept
        auto lenient = customers("accept");
        summary = readAll(*lenient, u"risky"_s, 10, got);
        VERIFY_OK(summary);
        QCOMPARE(summary->records, 25);
        QVERIFY(got.records.front()[u"riskScore"].isNull());
        QCOMPARE(got.records.front()[u"name"].toString(), u"Acme Industrial Supply"_s);
        QCOMPARE(lenient->lastErrors().size(), size_t(5));
        QCOMPARE(lenient->lastErrors().front().message,
                 u"risk scoring is unavailable for customer cust-021"_s);
        QCOMPARE(lenient->lastErrors().front().pathText(), u"customers.edges[0].node.riskScore"_s);
        QCOMPARE(lenient->lastErrors().front().extensions[u"code"].toString(),
                 u"RISK_SERVICE_UNAVAILABLE"_s);
    }

    void invalidRequestsAreGraphQLErrors()
    {
        auto gql = customers();
        // a document that does not validate: graphql-http answers 400
        Result<Data::Value> data
            = gql->execute(u"{ customers(first: 1) {\n  edges { node { nope } } } }"_s);
        VERIFY_ERROR(data, "graphql_error");
        QVERIFY2(data.error().message.contains(u"HTTP 400"_s), qPrintable(data.error().message));
        QCOMPARE(data.error().details.size(), 1);
        QVERIFY2(data.error().details.front().startsWith(
                     u"Cannot query field \"nope\" on type \"Customer\"."_s),
                 qPrintable(data.error().details.front()));
        QVERIFY2(data.error().details.front().endsWith(u"(line 2, column 18)"_s),
                 qPrintable(data.error().details.front()));

        // a syntax error
        data = gql->execute(u"{ customers(first: 1) { "_s);
        VERIFY_ERROR(data, "graphql_error");
        QVERIFY2(data.error().details.front().contains(u"Syntax Error"_s),
                 qPrintable(data.error().toString()));

        // a resolver's error on a non-null field: no data, the error's path
        data = gql->execute(
            u"query($after: String) { customers(first: 2, after: $after) { totalCount } }"_s,
            j("{'after': 'not-a-cursor'}"));
        VERIFY_ERROR(data, "graphql_error");
        QVERIFY2(data.error().details.front().startsWith(
                     u"invalid cursor \"not-a-cursor\" (path customers; "_s),
                 qPrintable(data.error().details.front()));
        QVERIFY(data.error().details.front().endsWith(u"code BAD_USER_INPUT)"_s));

        // a variable the custom scalar refuses
        data = gql->execute(
            u"query($since: DateTime) { customers(updatedSince: $since) { totalCount } }"_s,
            j("{'since': 'yesterday'}"));
        VERIFY_ERROR(data, "graphql_error");
        QVERIFY2(data.error().toString().contains(u"DateTime must be RFC 3339"_s),
                 qPrintable(data.error().toString()));

        // a mutation the server refuses, through write()
        WriteRequest insert;
        insert.entity = u"customers"_s;
        insert.mode = WriteMode::Insert;
        insert.records = {j("{'email': 'nameless@conflux.example'}")};
        Result<WriteSummary> written = gql->write(insert);
        VERIFY_ERROR(written, "graphql_error");
        QVERIFY2(written.error().message.contains(u"record 1 of 1"_s),
                 qPrintable(written.error().message));
        QVERIFY2(written.error().details.front().startsWith(
                     u"createCustomer: input.name is required (path createCustomer"_s),
                 qPrintable(written.error().details.front()));
    }
};

QTEST_GUILESS_MAIN(TestGraphQLConnectorPeer)
#include "tst_graphqlconnector_peer.moc"
