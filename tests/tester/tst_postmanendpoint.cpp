// Postman collections as REST endpoint documents (tester/postmanendpoint.h): the fixture's two
// base URLs become two endpoints with operations and resources, valid project documents that
// the REST connector reads from and writes to (against a local server, with the password the
// collection held handed out as a secret and never written); auth types; ids; the errors.

#include "connectors/restconnector.h"
#include "connectors/testhttpserver.h"
#include "data/json.h"
#include "model/projectloader.h"
#include "testsecrets.h"
#include "tester/postmanendpoint.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Conflux;
using namespace Conflux::Tester;

namespace {

const QString fixture = QStringLiteral(CONFLUX_SOURCE_DIR "/tests/tester/fixtures/shop-endpoints.postman_collection.json");

QJsonObject readFixture()
{
    QFile file(fixture);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(fixture));
    return QJsonDocument::fromJson(file.readAll()).object();
}

QByteArray bytes(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// The fixture with its {{baseUrl}} pointing elsewhere.
QByteArray withBaseUrl(const QString &baseUrl)
{
    QJsonObject collection = readFixture();
    collection.insert(u"variable"_s, QJsonArray{QJsonObject{{u"key"_s, u"baseUrl"_s}, {u"value"_s, baseUrl}}});
    return bytes(collection);
}

// A collection of one request with `auth`, and `variables`.
QByteArray oneRequest(const QString &url, const QJsonObject &auth = {}, const QJsonArray &variables = {})
{
    QJsonObject collection{
        {u"info"_s, QJsonObject{{u"name"_s, u"One"_s},
                                {u"schema"_s, u"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"_s}}},
        {u"item"_s, QJsonArray{QJsonObject{{u"name"_s, u"Items"_s},
                                           {u"request"_s, QJsonObject{{u"method"_s, u"GET"_s}, {u"url"_s, url}}}}}}};
    if (!auth.isEmpty())
        collection.insert(u"auth"_s, auth);
    if (!variables.isEmpty())
        collection.insert(u"variable"_s, variables);
    return bytes(collection);
}

QJsonArray params(std::initializer_list<std::pair<QString, QString>> list)
{
    QJsonArray out;
    for (const auto &[key, value] : list)
        out.append(QJsonObject{{u"key"_s, key}, {u"value"_s, value}});
    return out;
}

QString errorText(const Error &e)
{
    return e.code + u": "_s + e.toString();
}

const Data::Value *findNamed(const Data::Value &array, const QString &name)
{
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (array.at(i)[u"name"].toString() == name)
            return &array.at(i);
    }
    return nullptr;
}

} // namespace

class TestPostmanEndpoint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoBaseUrlsTwoEndpoints()
    {
        PostmanEndpointOptions options;
        options.endpointId = u"shop"_s;
        Result<PostmanEndpoints> result = postmanEndpoints(bytes(readFixture()), options);
        QVERIFY2(result, qPrintable(result ? QString() : errorText(result.error())));
        QCOMPARE(result->collectionName, u"Shop API"_s);
        QCOMPARE(result->requests, 5);
        QCOMPARE(result->endpoints.size(), size_t(2));

        const Data::Value &shop = result->endpoints.at(0).document;
        QCOMPARE(shop[u"id"].toString(), u"shop"_s);
        QCOMPARE(shop[u"protocol"].toString(), u"rest"_s);
        // The path every request shares goes into the url.
        QCOMPARE(shop[u"url"].toString(), u"https://shop.example.com/api/v1"_s);
        QCOMPARE(shop[u"name"].toString(), u"Shop API (shop.example.com)"_s);
        QCOMPARE(shop[u"authentication"][u"type"].toString(), u"basic"_s);
        QCOMPARE(shop[u"authentication"][u"username"].toString(), u"shop-user"_s);
        QCOMPARE(shop[u"authentication"][u"password"][u"secret"].toString(), u"endpoints.shop.password"_s);

        const Data::Value &operations = shop[u"configuration"][u"operations"];
        QCOMPARE(operations.size(), 4);
        QCOMPARE(result->endpoints.at(0).operations,
                 (QStringList{u"list_orders"_s, u"create_order"_s, u"get_order"_s, u"delete_order"_s}));
        const Data::Value *list = findNamed(operations, u"list_orders"_s);
        QCOMPARE((*list)[u"method"].toString(), u"GET"_s);
        QCOMPARE((*list)[u"path"].toString(), u"/orders"_s);
        QCOMPARE((*list)[u"tags"].at(0).toString(), u"Orders"_s);
        QCOMPARE((*list)[u"response_schema"][u"properties"][u"data"][u"type"].toString(), u"array"_s);
        const Data::Value &listParameters = (*list)[u"parameters"];
        QCOMPARE(listParameters.size(), 3);   // status, limit, Accept; not the session token header
        QCOMPARE(listParameters.at(0)[u"name"].toString(), u"status"_s);
        QCOMPARE(listParameters.at(0)[u"in"].toString(), u"query"_s);
        QCOMPARE(listParameters.at(0)[u"example"].toString(), u"open"_s);
        QCOMPARE(listParameters.at(2)[u"in"].toString(), u"header"_s);
        const Data::Value *get = findNamed(operations, u"get_order"_s);
        QCOMPARE((*get)[u"path"].toString(), u"/orders/{orderId}"_s);
        QCOMPARE((*get)[u"parameters"].at(0)[u"in"].toString(), u"path"_s);
        QCOMPARE((*get)[u"parameters"].at(0)[u"example"].toString(), u"42"_s);
        const Data::Value *create = findNamed(operations, u"create_order"_s);
        QCOMPARE((*create)[u"method"].toString(), u"POST"_s);
        // {{quantity}} where a number goes: still a schema.
        QVERIFY((*create)[u"request_schema"][u"properties"][u"quantity"].isObject());
        QVERIFY((*create)[u"request_schema"][u"properties"][u"customer"].isObject());

        // Resources: the list with its writes joined, keyed by the example's "id".
        const Data::Value &resources = shop[u"configuration"][u"resources"];
        QCOMPARE(resources.size(), 1);
        const Data::Value &orders = resources.at(0);
        QCOMPARE(orders[u"name"].toString(), u"list_orders"_s);
        QCOMPARE(orders[u"record_selector"].toString(), u"/data"_s);
        QCOMPARE(Data::Json::serialize(orders[u"primary_key"]), QByteArray("[\"id\"]"));
        QCOMPARE(Data::Json::serialize(orders[u"write"]),
                 QByteArray("{\"insert\":{\"method\":\"POST\",\"path\":\"/orders\"},"
                            "\"delete\":{\"method\":\"DELETE\",\"path\":\"/orders/{id}\"}}"));
        QCOMPARE(orders[u"parameters"].size(), 2);
        QCOMPARE(orders[u"parameters"].at(0)[u"default"].toString(), u"open"_s);
        QCOMPARE(shop[u"configuration"][u"imported_from"][u"format"].toString(), u"postman"_s);

        // The token service: a request of its own, without authentication, a write-only resource.
        const Data::Value &auth = result->endpoints.at(1).document;
        QCOMPARE(auth[u"id"].toString(), u"shop-2"_s);
        QCOMPARE(auth[u"url"].toString(), u"https://auth.example.com"_s);
        QCOMPARE(auth[u"authentication"][u"type"].toString(), u"none"_s);
        const Data::Value &token = auth[u"configuration"][u"resources"].at(0);
        QCOMPARE(token[u"read"].toBool(), false);
        QCOMPARE(Data::Json::serialize(token[u"write"]),
                 QByteArray("{\"insert\":{\"method\":\"POST\",\"path\":\"/oauth/token\"}}"));

        // The password is handed out, never written; nor the header token or the body's secret.
        QCOMPARE(result->secrets.size(), 1);
        QCOMPARE(result->secrets.at(0).name, u"endpoints.shop.password"_s);
        QCOMPARE(result->secrets.at(0).value, u"Pl4nted-Postman-Secret"_s);
        QCOMPARE(result->secrets.at(0).pointer, u"/authentication/password"_s);
        Model::ProjectLoader loader;
        for (const Connectors::ImportedEndpoint &e : result->endpoints) {
            const QByteArray json = Data::Json::serialize(e.document, {true, 2, false});
            QVERIFY2(!json.contains("Pl4nted"), json.constData());
            const QString file = u"endpoints/"_s + e.document[u"id"].toString() + u".json"_s;
            const Model::Diagnostics problems = loader.validateDocument(file, json);
            QVERIFY2(problems.isEmpty(), qPrintable(Model::toStrings(problems).join(u'\n') + u'\n' + QString::fromUtf8(json)));
            Result<Connectors::EndpointSpec> spec = Connectors::parseEndpoint(e.document);
            QVERIFY2(spec, qPrintable(spec ? QString() : errorText(spec.error())));
            QVERIFY(!e.summary.isEmpty());
            QCOMPARE(e.entities.size(), size_t(e.operations.size()));
        }
        QCOMPARE(result->endpoints.at(0).entities.at(0).name, u"list_orders"_s);
        QVERIFY(result->endpoints.at(0).entities.at(0).schema.field(u"data"));

        // Reported: the credential header, the scripts, the assertions.
        const QString warnings = result->endpoints.at(0).warnings.join(u'\n');
        QVERIFY2(warnings.contains(u"X-Session-Token"_s), qPrintable(warnings));
        const QString collectionWarnings = result->warnings.join(u'\n');
        QVERIFY2(collectionWarnings.contains(u"pre-request script not run"_s), qPrintable(collectionWarnings));
        QVERIFY(collectionWarnings.contains(u"test assertions"_s));
        QVERIFY(!collectionWarnings.contains(u"literal credential"_s));
    }

    // The endpoint works: the REST connector reads the list and writes through it, with the
    // collection's password from a secret store.
    void restConnectorCallsTheImport()
    {
        Tests::TestHttpServer server;
        QVERIFY(server.isListening());
        server.setHandler([](const Http::HttpRequest &request) {
            if (request.method == "GET")
                return Http::HttpResponse(200, "{\"data\": [{\"id\": 1}, {\"id\": 2}]}", "application/json");
            if (request.method == "POST")
                return Http::HttpResponse(201, "{\"id\": 3}", "application/json");
            return Http::HttpResponse(204);
        });
        PostmanEndpointOptions options;
        options.endpointId = u"shop"_s;
        Result<PostmanEndpoints> result = postmanEndpoints(withBaseUrl(server.url(u"/api/v1"_s).toString()), options);
        QVERIFY2(result, qPrintable(result ? QString() : errorText(result.error())));
        const Data::Value &document = result->endpoints.at(0).document;
        QCOMPARE(document[u"url"].toString(), server.url(u"/api/v1"_s).toString());

        QHash<QString, QString> secrets;
        for (const PostmanSecret &s : result->secrets)
            secrets.insert(s.name, s.value);
        Connectors::ConnectorContext context;
        context.secrets = std::make_shared<Test::MapSecrets>(secrets);
        Result<Connectors::EndpointSpec> spec = Connectors::parseEndpoint(document);
        QVERIFY(spec);
        spec->retryAttempts = 0;
        auto connector = Connectors::createRestConnector(*spec, context, nullptr);
        QVERIFY2(connector, qPrintable(connector ? QString() : errorText(connector.error())));

        Connectors::ReadRequest read;
        read.entity = u"list_orders"_s;
        std::vector<Data::Value> records;
        Result<Connectors::ReadSummary> summary = (*connector)->read(read, [&](std::vector<Data::Value> &&page) {
            for (Data::Value &r : page)
                records.push_back(std::move(r));
            return true;
        });
        QVERIFY2(summary, qPrintable(summary ? QString() : errorText(summary.error())));
        QCOMPARE(records.size(), size_t(2));
        const Http::HttpRequest get = server.requests().at(0);
        QCOMPARE(get.path, u"/api/v1/orders"_s);
        QCOMPARE(get.query.queryItemValue(u"status"_s), u"open"_s);
        QCOMPARE(get.query.queryItemValue(u"limit"_s), u"10"_s);
        QCOMPARE(get.header("authorization"), "Basic " + QByteArray("shop-user:Pl4nted-Postman-Secret").toBase64());

        Connectors::WriteRequest remove;
        remove.entity = u"list_orders"_s;
        remove.mode = Connectors::WriteMode::Delete;
        remove.records.push_back(Data::Value(Data::Object{{u"id"_s, Data::Value(7)}}));
        Result<Connectors::WriteSummary> written = (*connector)->write(remove);
        QVERIFY2(written, qPrintable(written ? QString() : errorText(written.error())));
        const Http::HttpRequest del = server.requests().last();
        QCOMPARE(del.method, QByteArray("DELETE"));
        QCOMPARE(del.path, u"/api/v1/orders/7"_s);
    }

    void authTypes_data()
    {
        QTest::addColumn<QJsonObject>("auth");
        QTest::addColumn<QJsonArray>("variables");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("pointer");     // the secret reference
        QTest::addColumn<QString>("secret");      // its value; empty: a person sets it
        QTest::addColumn<QString>("member");      // another member and its value
        QTest::addColumn<QString>("memberValue");

        QTest::addRow("bearer-literal") << QJsonObject{{u"type"_s, u"bearer"_s}, {u"bearer"_s, params({{u"token"_s, u"tok-123"_s}})}}
                                        << QJsonArray() << u"bearer"_s << u"token"_s << u"tok-123"_s << QString() << QString();
        QTest::addRow("bearer-environment") << QJsonObject{{u"type"_s, u"bearer"_s}, {u"bearer"_s, params({{u"token"_s, u"{{accessToken}}"_s}})}}
                                            << QJsonArray() << u"bearer"_s << u"token"_s << QString() << QString() << QString();
        QTest::addRow("apikey-query-variable")
            << QJsonObject{{u"type"_s, u"apikey"_s},
                           {u"apikey"_s, params({{u"key"_s, u"api_key"_s}, {u"value"_s, u"{{key}}"_s}, {u"in"_s, u"query"_s}})}}
            << params({{u"key"_s, u"k-from-variable"_s}}) << u"api_key"_s << u"value"_s << u"k-from-variable"_s
            << u"in"_s << u"query"_s;
        QTest::addRow("oauth2-client-credentials")
            << QJsonObject{{u"type"_s, u"oauth2"_s},
                           {u"oauth2"_s, params({{u"grant_type"_s, u"client_credentials"_s},
                                                 {u"accessTokenUrl"_s, u"https://login.example.com/token"_s},
                                                 {u"clientId"_s, u"conflux"_s},
                                                 {u"clientSecret"_s, u"cs-456"_s},
                                                 {u"scope"_s, u"read write"_s}})}}
            << QJsonArray() << u"oauth2_client_credentials"_s << u"client_secret"_s << u"cs-456"_s << u"token_url"_s
            << u"https://login.example.com/token"_s;
    }

    void authTypes()
    {
        QFETCH(QJsonObject, auth);
        QFETCH(QJsonArray, variables);
        QFETCH(QString, type);
        QFETCH(QString, pointer);
        QFETCH(QString, secret);
        QFETCH(QString, member);
        QFETCH(QString, memberValue);
        PostmanEndpointOptions options;
        options.endpointId = u"one"_s;
        Result<PostmanEndpoints> result = postmanEndpoints(oneRequest(u"https://api.example.com/items"_s, auth, variables), options);
        QVERIFY2(result, qPrintable(result ? QString() : errorText(result.error())));
        const Data::Value &document = result->endpoints.at(0).document;
        QCOMPARE(document[u"authentication"][u"type"].toString(), type);
        QVERIFY(document[u"authentication"][pointer].isObject());
        const QString name = document[u"authentication"][pointer][u"secret"].toString();
        QVERIFY(name.startsWith(u"endpoints.one."_s));
        QCOMPARE(result->secrets.size(), 1);
        QCOMPARE(result->secrets.at(0).name, name);
        QCOMPARE(result->secrets.at(0).value, secret);
        QCOMPARE(result->secrets.at(0).pointer, u"/authentication/"_s + pointer);
        if (!member.isEmpty())
            QCOMPARE(document[u"authentication"][member].toString(), memberValue);
        if (!secret.isEmpty())
            QVERIFY(!Data::Json::serialize(document).contains(secret.toUtf8()));
        Model::ProjectLoader loader;
        const Model::Diagnostics problems = loader.validateDocument(u"endpoints/one.json"_s, Data::Json::serialize(document));
        QVERIFY2(problems.isEmpty(), qPrintable(Model::toStrings(problems).join(u'\n')));
    }

    void serviceUrlAndIds()
    {
        // {{baseUrl}} of a Postman environment: the service URL stands for it.
        const QByteArray open = oneRequest(u"{{baseUrl}}/items/{{itemId}}"_s);
        Result<PostmanEndpoints> without = postmanEndpoints(open, {});
        QVERIFY(!without);
        QCOMPARE(without.error().code, u"postman_unresolved"_s);
        QVERIFY2(without.error().message.contains(u"service URL"_s), qPrintable(without.error().message));
        QCOMPARE(without.error().details.size(), 1);
        QVERIFY2(without.error().details.at(0).startsWith(u"/item/0/request/url: "_s), qPrintable(without.error().details.at(0)));
        QVERIFY(without.error().details.at(0).contains(u"{{baseUrl}}"_s));

        PostmanEndpointOptions options;
        options.serviceUrl = QUrl(u"https://items.example.com/v2"_s);
        options.takenIds = {u"other"_s};
        Result<PostmanEndpoints> with = postmanEndpoints(open, options);
        QVERIFY2(with, qPrintable(with ? QString() : errorText(with.error())));
        const Data::Value &document = with->endpoints.at(0).document;
        QCOMPARE(document[u"id"].toString(), u"one"_s);   // from the collection's name
        QCOMPARE(document[u"url"].toString(), u"https://items.example.com/v2"_s);
        const Data::Value &operation = document[u"configuration"][u"operations"].at(0);
        QCOMPARE(operation[u"path"].toString(), u"/items/{itemId}"_s);
        // One item, not a list: an operation, no resource — and a note that says so.
        QCOMPARE(document[u"configuration"][u"resources"].size(), 0);
        QVERIFY(with->endpoints.at(0).warnings.join(u'\n').contains(u"/configuration/resources"_s));

        // A taken id is refused; a bad one too.
        options.takenIds = {u"one"_s};
        Result<PostmanEndpoints> taken = postmanEndpoints(open, options);
        QVERIFY(!taken);
        QVERIFY2(taken.error().message.contains(u"endpoints/one.json already exists"_s), qPrintable(taken.error().message));
        options.endpointId = u"Not An Id"_s;
        QCOMPARE(postmanEndpoints(open, options).error().code, u"invalid_import"_s);

        // Derived ids skip the taken ones.
        options.endpointId = u"shop"_s;
        options.takenIds = {u"shop-2"_s};
        options.serviceUrl.clear();
        Result<PostmanEndpoints> two = postmanEndpoints(bytes(readFixture()), options);
        QVERIFY(two);
        QCOMPARE(two->endpoints.at(1).document[u"id"].toString(), u"shop-3"_s);
        QCOMPARE(endpointIdFromName(u"  Shop API — v2 "_s), u"shop-api-v2"_s);

        // Several base URLs, all defined: the service URL stands for none of them, and says so.
        options.serviceUrl = QUrl(u"https://proxy.example.com"_s);
        options.takenIds.clear();
        Result<PostmanEndpoints> unused = postmanEndpoints(bytes(readFixture()), options);
        QVERIFY(unused);
        QCOMPARE(unused->endpoints.at(0).document[u"url"].toString(), u"https://shop.example.com/api/v1"_s);
        QVERIFY(unused->warnings.join(u'\n').contains(u"was not used"_s));
        // One base URL: the service URL replaces it, as for the other definitions.
        Result<PostmanEndpoints> replaced = postmanEndpoints(oneRequest(u"https://api.example.com/items"_s), options);
        QVERIFY(replaced);
        QCOMPARE(replaced->endpoints.at(0).document[u"url"].toString(), u"https://proxy.example.com"_s);
        options.serviceUrl = QUrl(u"ftp://files.example.com"_s);
        Result<PostmanEndpoints> ftp = postmanEndpoints(oneRequest(u"https://api.example.com/items"_s), options);
        QVERIFY(!ftp);
        QVERIFY(ftp.error().message.contains(u"not an http(s) URL"_s));

        // A request without a host is left out, and named.
        QJsonObject partial = readFixture();
        QJsonArray items = partial.value(u"item"_s).toArray();
        items.append(QJsonObject{{u"name"_s, u"Relative"_s},
                                 {u"request"_s, QJsonObject{{u"method"_s, u"GET"_s}, {u"url"_s, u"/relative/path"_s}}}});
        partial.insert(u"item"_s, items);
        options.serviceUrl.clear();
        Result<PostmanEndpoints> skipped = postmanEndpoints(bytes(partial), options);
        QVERIFY(skipped);
        QCOMPARE(skipped->requests, 5);
        QVERIFY(skipped->warnings.join(u'\n').contains(u"\"Relative\""_s));
        QCOMPARE(endpointIdFromName(u"???"_s), u"postman"_s);
    }

    void badCollections_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("where");
        QTest::addRow("not-json") << QByteArray("{\"info\": ") << u"postman_invalid"_s << u"at byte"_s;
        QTest::addRow("openapi") << QByteArray("{\"openapi\": \"3.0.0\", \"paths\": {}}") << u"postman_invalid"_s
                                 << u"/info: missing"_s;
        QTest::addRow("environment") << QByteArray("{\"name\": \"dev\", \"values\": []}") << u"postman_invalid"_s
                                     << u"Postman environment"_s;
        QTest::addRow("no-item-array") << QByteArray("{\"info\": {\"name\": \"x\"}, \"item\": {}}") << u"postman_invalid"_s
                                       << u"/item"_s;
        QTest::addRow("v1-schema")
            << QByteArray("{\"info\": {\"name\": \"x\", \"schema\": \"https://schema.getpostman.com/json/collection/v1.0.0/\"},"
                          " \"item\": []}")
            << u"postman_invalid"_s << u"/info/schema"_s;
        QTest::addRow("no-requests") << QByteArray("{\"info\": {\"name\": \"x\"}, \"item\": [{\"name\": \"f\", \"item\": []}]}")
                                     << u"postman_empty"_s << u"/item"_s;
    }

    void badCollections()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, code);
        QFETCH(QString, where);
        Result<PostmanEndpoints> result = postmanEndpoints(json, {});
        QVERIFY(!result);
        QCOMPARE(result.error().code, code);
        QVERIFY2(result.error().toString().contains(where), qPrintable(result.error().toString()));
    }
};

QTEST_GUILESS_MAIN(TestPostmanEndpoint)
#include "tst_postmanendpoint.moc"
