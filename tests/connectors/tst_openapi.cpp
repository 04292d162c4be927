#include "connectors/endpoint.h"
#include "connectors/openapi.h"
#include "data/json.h"
#include "model/projectloader.h"

#include <QFile>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;

namespace {

QByteArray readData(const QString &name)
{
    QFile file(QStringLiteral(CONFLUX_SOURCE_DIR "/tests/connectors/data/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(file.fileName()));
    return file.readAll();
}

// The same API in OpenAPI 3.1 JSON: type lists with "null" instead of nullable.
const QByteArray kOpenApi31 =
    "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"Tickets\",\"version\":\"1\"},"
    "\"servers\":[{\"url\":\"https://tickets.example.com/v1\"}],"
    "\"components\":{\"securitySchemes\":{\"basic\":{\"type\":\"http\",\"scheme\":\"basic\"}},"
    "\"schemas\":{\"Ticket\":{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{"
    "\"id\":{\"type\":\"integer\"},\"assignee\":{\"type\":[\"string\",\"null\"]},"
    "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}}},"
    "\"security\":[{\"basic\":[]}],"
    "\"paths\":{\"/tickets\":{\"get\":{\"operationId\":\"ListTickets\",\"parameters\":["
    "{\"name\":\"cursor\",\"in\":\"query\",\"schema\":{\"type\":\"string\"}}],"
    "\"responses\":{\"200\":{\"description\":\"ok\",\"content\":{\"application/json\":{\"schema\":"
    "{\"type\":\"object\",\"properties\":{\"tickets\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Ticket\"}},"
    "\"next\":{\"type\":[\"string\",\"null\"]}}}}}}}}}}}";

} // namespace

class TestOpenApi : public QObject
{
    Q_OBJECT

private slots:
    void readsOperationsFromYaml()
    {
        Result<OpenApiDocument> doc = parseOpenApi(readData(u"shop-openapi.yaml"_s), u"https://shop.example.com/openapi.yaml"_s);
        QVERIFY2(doc, qPrintable(doc ? QString() : doc.error().toString()));
        QCOMPARE(doc->openApiVersion, u"3.0.3"_s);
        QCOMPARE(doc->title, u"Shop API"_s);
        QCOMPARE(doc->version, u"2.4"_s);
        QCOMPARE(doc->servers.size(), 2);
        QCOMPARE(doc->servers.at(0).toString(), u"https://eu.shop.example.com/api/v2"_s);
        QCOMPARE(doc->servers.at(1).toString(), u"https://shop.example.com/sandbox"_s);

        QStringList names;
        for (const OpenApiOperation &op : doc->operations)
            names.append(op.method + u' ' + op.path + u' ' + op.name);
        QCOMPARE(names, (QStringList{u"GET /orders list_orders"_s, u"POST /orders create_order"_s,
                                     u"GET /orders/{orderId} get_order"_s, u"DELETE /orders/{orderId} delete_order"_s,
                                     u"PATCH /orders/{orderId} update_order"_s, u"GET /customers get_customers"_s,
                                     u"GET /health get_health"_s}));

        const OpenApiOperation *list = doc->operation(u"listOrders");
        QVERIFY(list);
        QCOMPARE(list->tags, QStringList{u"orders"_s});
        QCOMPARE(list->parameters.size(), size_t(4)); // the path's X-Tenant header plus three
        QCOMPARE(list->parameters.at(0).name, u"X-Tenant"_s);
        QCOMPARE(list->parameters.at(0).in, u"header"_s);
        QCOMPARE(list->parameters.at(3).description, u"Only orders in this status"_s);
        QVERIFY(list->parameters.at(3).schema.types.testFlag(Data::SchemaType::String));
        QCOMPARE(list->security, QStringList{u"shopOAuth"_s});
        QCOMPARE(list->successStatus, u"200"_s);

        const OpenApiOperation *remove = doc->operation(u"delete_order");
        QVERIFY(remove && remove->deprecated);
        QCOMPARE(remove->parameters.at(0).name, u"orderId"_s);
        QVERIFY(remove->parameters.at(0).required);
        QCOMPARE(remove->successStatus, u"204"_s);
        QVERIFY(!remove->response);
        QCOMPARE(doc->operation(u"getHealth")->security, QStringList());
        QCOMPARE(doc->operation(u"get_customers")->security, QStringList{u"apiKey"_s});
        QCOMPARE(doc->operation(u"updateOrder")->requestContentType, u"application/merge-patch+json"_s);
    }

    void buildsFieldTreesFromSchemas()
    {
        Result<OpenApiDocument> doc = parseOpenApi(readData(u"shop-openapi.yaml"_s));
        QVERIFY(doc);
        const OpenApiOperation *list = doc->operation(u"listOrders");
        QVERIFY(list->response);
        const Data::SchemaField &page = *list->response;
        QVERIFY(!page.field(u"data")->optional);
        QVERIFY(page.field(u"total")->optional);
        const Data::SchemaField *order = page.find(u"data[]");
        QVERIFY(order);
        QCOMPARE(order->path, u"data[]"_s);
        // allOf: NewOrder's members and the extension's, required from both
        QStringList fields;
        for (const Data::SchemaField &f : order->fields)
            fields.append(f.name + (f.optional ? u"?"_s : QString()));
        QCOMPARE(fields, (QStringList{u"customer_id"_s, u"note?"_s, u"lines"_s, u"payment?"_s, u"id"_s, u"status?"_s,
                                      u"created_at"_s, u"category?"_s}));
        QVERIFY(order->field(u"note")->isNullable());
        QCOMPARE(order->field(u"id")->format, Data::StringFormat::Uuid);
        QCOMPARE(order->field(u"created_at")->format, Data::StringFormat::DateTime);
        QVERIFY(order->field(u"status")->types.testFlag(Data::SchemaType::String));
        const Data::SchemaField *price = page.find(u"data[]/lines[]/price/amount");
        QVERIFY(price);
        QCOMPARE(price->path, u"data[]/lines[]/price/amount"_s);
        QVERIFY(!price->optional);
        QCOMPARE(price->examples.size(), size_t(1));
        // oneOf: every alternative's members, all optional
        const Data::SchemaField *payment = order->field(u"payment");
        QVERIFY(payment->field(u"card_token") && payment->field(u"card_token")->optional);
        QVERIFY(payment->field(u"iban") && payment->field(u"iban")->optional);
        // A schema inside itself is expanded twice, then cut.
        const Data::SchemaField *category = order->field(u"category");
        QVERIFY(category->find(u"parent/parent"));
        QVERIFY(category->find(u"parent/parent")->fields.empty());
        QVERIFY(!category->find(u"parent/parent/name"));

        QCOMPARE(doc->schemas.size(), size_t(6));
        QCOMPARE(doc->schemas.at(5).first, u"Customer"_s);
        QCOMPARE(doc->schemas.at(5).second.field(u"birthday")->format, Data::StringFormat::Date);
        QCOMPARE(doc->schemas.at(5).second.field(u"email")->format, Data::StringFormat::Email);
        QVERIFY(doc->schemas.at(5).second.field(u"id")->types.testFlag(Data::SchemaType::Integer));
    }

    void makesAnEndpointDocument()
    {
        Result<OpenApiDocument> doc = parseOpenApi(readData(u"shop-openapi.yaml"_s));
        QVERIFY(doc);
        OpenApiImportOptions options;
        options.endpointId = u"shop-api"_s;
        options.secretPrefix = u"shop"_s;
        QStringList warnings;
        Result<Data::Value> endpoint = openApiEndpoint(*doc, options, &warnings);
        QVERIFY2(endpoint, qPrintable(endpoint ? QString() : endpoint.error().toString()));
        const QByteArray json = Data::Json::serialize(*endpoint, {true, 2, false});

        // It is a valid project document, and the REST connector's parser accepts it.
        Model::ProjectLoader loader;
        const Model::Diagnostics problems = loader.validateDocument(u"endpoints/shop-api.json"_s, json);
        QVERIFY2(problems.isEmpty(), json.constData());
        Result<EndpointSpec> spec = parseEndpoint(*endpoint);
        QVERIFY2(spec, qPrintable(spec ? QString() : spec.error().toString()));
        QCOMPARE(spec->url.toString(), u"https://eu.shop.example.com/api/v2"_s);
        QCOMPARE(spec->authentication.type, ClientAuthentication::Type::OAuth2ClientCredentials);
        QCOMPARE(spec->authentication.tokenUrl.toString(), u"https://auth.shop.example.com/oauth2/token"_s);
        QCOMPARE(spec->authentication.secret, u"shop.client_secret"_s);
        QCOMPARE(spec->authentication.scopes, (QStringList{u"orders.read"_s, u"orders.write"_s}));
        QCOMPARE((*endpoint)[u"name"].toString(), u"Shop API"_s);
        QCOMPARE((*endpoint)[u"description"].toString(), u"Orders and customers of the web shop."_s);

        const Data::Value &resources = (*endpoint)[u"configuration"][u"resources"];
        QCOMPARE(resources.size(), 2); // the two list operations
        const Data::Value &orders = resources.at(0);
        QCOMPARE(orders[u"name"].toString(), u"list_orders"_s);
        QCOMPARE(orders[u"record_selector"].toString(), u"/data"_s);
        QCOMPARE(Data::Json::serialize(orders[u"primary_key"]), QByteArray("[\"id\"]"));
        QCOMPARE(Data::Json::serialize(orders[u"pagination"]),
                 QByteArray("{\"style\":\"offset\",\"offset_param\":\"offset\",\"limit_param\":\"limit\",\"page_size\":100}"));
        QCOMPARE(orders[u"parameters"].size(), 1); // status; limit and offset belong to the paging
        QCOMPARE(orders[u"parameters"].at(0)[u"name"].toString(), u"status"_s);
        QCOMPARE(Data::Json::serialize(orders[u"write"]),
                 QByteArray("{\"insert\":{\"method\":\"POST\",\"path\":\"/orders\"},"
                            "\"delete\":{\"method\":\"DELETE\",\"path\":\"/orders/{id}\"},"
                            "\"update\":{\"method\":\"PATCH\",\"path\":\"/orders/{id}\"}}"));
        const Data::Value &customers = resources.at(1);
        QCOMPARE(customers[u"record_selector"].toString(), QString());
        QCOMPARE(customers[u"pagination"][u"style"].toString(), u"page"_s);
        QCOMPARE(customers[u"pagination"][u"limit_param"].toString(), u"per_page"_s);

        const Data::Value &operations = (*endpoint)[u"configuration"][u"operations"];
        QCOMPARE(operations.size(), 7);
        QCOMPARE(operations.at(3)[u"name"].toString(), u"delete_order"_s);
        QVERIFY(operations.at(3)[u"deprecated"].toBool());
        const Data::Value &create = operations.at(1);
        QCOMPARE(create[u"name"].toString(), u"create_order"_s);
        QCOMPARE(create[u"request_schema"][u"required"].size(), 2);
        QCOMPARE(create[u"response_schema"][u"properties"][u"id"][u"format"].toString(), u"uuid"_s);
        QVERIFY(warnings.join(u'\n').contains(u"/authentication/client_id"_s));
    }

    void readsOpenApi31Json()
    {
        Result<OpenApiDocument> doc = parseOpenApi(kOpenApi31);
        QVERIFY2(doc, qPrintable(doc ? QString() : doc.error().toString()));
        const Data::SchemaField *assignee = doc->schemas.at(0).second.field(u"assignee");
        QVERIFY(assignee->isNullable());
        QVERIFY(assignee->types.testFlag(Data::SchemaType::String));
        OpenApiImportOptions options;
        options.endpointId = u"tickets"_s;
        QStringList warnings;
        Result<Data::Value> endpoint = openApiEndpoint(*doc, options, &warnings);
        QVERIFY(endpoint);
        QCOMPARE((*endpoint)[u"authentication"][u"type"].toString(), u"basic"_s);
        QCOMPARE((*endpoint)[u"authentication"][u"password"][u"secret"].toString(), u"tickets.password"_s);
        const Data::Value &tickets = (*endpoint)[u"configuration"][u"resources"].at(0);
        QCOMPARE(tickets[u"name"].toString(), u"list_tickets"_s);
        QCOMPARE(tickets[u"record_selector"].toString(), u"/tickets"_s);
        QCOMPARE(tickets[u"pagination"][u"style"].toString(), u"none"_s);
        QVERIFY(warnings.join(u'\n').contains(u"\"cursor\" looks like a paging cursor"_s));
        Model::ProjectLoader loader;
        QVERIFY(loader.validateDocument(u"endpoints/tickets.json"_s, Data::Json::serialize(*endpoint)).isEmpty());
    }

    void reportsBadDescriptions()
    {
        Result<OpenApiDocument> swagger = parseOpenApi("{\"swagger\":\"2.0\",\"info\":{\"title\":\"x\"}}", u"old.json"_s);
        QVERIFY(!swagger);
        QCOMPARE(swagger.error().code, u"openapi_version"_s);
        QVERIFY(swagger.error().message.startsWith(u"old.json: "_s) || swagger.error().message.contains(u"old.json"_s));

        Result<OpenApiDocument> yaml = parseOpenApi("openapi: 3.0.0\ninfo:\n  title: [broken\npaths: {}\n", u"api.yaml"_s);
        QVERIFY(!yaml);
        QCOMPARE(yaml.error().code, u"yaml_syntax"_s);
        QVERIFY(yaml.error().message.contains(u"api.yaml"_s));
        QVERIFY(yaml.error().message.contains(u"line "_s));

        Result<OpenApiDocument> json = parseOpenApi("{\"openapi\": \"3.0.0\",}");
        QVERIFY(!json);
        QCOMPARE(json.error().code, u"json_syntax"_s);

        Result<OpenApiDocument> dangling = parseOpenApi(
            "openapi: 3.0.0\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
            "        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Nope'}}}}\n");
        QVERIFY(!dangling);
        QCOMPARE(dangling.error().code, u"openapi_unresolved"_s);
        QVERIFY(dangling.error().details.join(u'\n').contains(u"#/components/schemas/Nope"_s));

        Result<OpenApiDocument> invalid = parseOpenApi(
            "openapi: 3.0.0\ninfo: {version: '1'}\npaths:\n  orders:\n    get:\n      parameters: [{name: x}]\n");
        QVERIFY(!invalid);
        QCOMPARE(invalid.error().code, u"openapi_invalid"_s);
        const QString details = invalid.error().details.join(u'\n');
        QVERIFY2(details.contains(u"/info/title: required"_s), qPrintable(details));
        QVERIFY(details.contains(u"/paths/orders: a path must start with \"/\""_s));
        QVERIFY(details.contains(u"/paths/orders/get/parameters/0:"_s));
        QVERIFY(details.contains(u"/paths/orders/get/responses: required"_s));

        Result<OpenApiDocument> noServer = parseOpenApi("openapi: 3.0.0\ninfo: {title: T, version: '1'}\npaths: {}\n");
        QVERIFY(noServer);
        OpenApiImportOptions options;
        options.endpointId = u"t"_s;
        Result<Data::Value> endpoint = openApiEndpoint(*noServer, options);
        QVERIFY(!endpoint);
        QCOMPARE(endpoint.error().code, u"openapi_no_server"_s);
        options.endpointId = u"Not An Id"_s;
        QCOMPARE(openApiEndpoint(*noServer, options).error().code, u"invalid_endpoint"_s);
    }
};

QTEST_GUILESS_MAIN(TestOpenApi)
#include "tst_openapi.moc"
