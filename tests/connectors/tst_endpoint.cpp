// parseEndpoint: the sample project's endpoints, and each rule with the pointer it names.
#include "connectors/endpoint.h"
#include "data/json.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;

namespace {

Data::Value parse(const QByteArray &json)
{
    Result<Data::Value> value = Data::Json::parse(json);
    if (!value)
        qFatal("bad test JSON: %s", qPrintable(value.error().message));
    return *value;
}

// A valid REST endpoint to break one field at a time.
QByteArray restEndpoint(const QByteArray &extra = {})
{
    return "{\"kind\":\"Endpoint\",\"schemaVersion\":1,\"id\":\"shop\",\"name\":\"Shop\",\"type\":\"api\","
           "\"url\":\"https://shop.example.com/api\"" + extra + "}";
}

} // namespace

class tst_Endpoint : public QObject
{
    Q_OBJECT

private slots:
    void sampleEndpoints();
    void defaultsFromType();
    void authentication();
    void catalogEndpointsNeedNoUrl();
    void problems_data();
    void problems();
    void everyProblemAtOnce();
};

void tst_Endpoint::sampleEndpoints()
{
    const QDir dir(QStringLiteral(CONFLUX_SOURCE_DIR "/resources/samples/order-hub/endpoints"));
    const QStringList files = dir.entryList({u"*.json"_s}, QDir::Files);
    QVERIFY(files.size() >= 4);
    for (const QString &name : files) {
        QFile file(dir.filePath(name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        Result<EndpointSpec> spec = parseEndpoint(parse(file.readAll()), name);
        QVERIFY2(spec, qPrintable(spec ? QString() : spec.error().toString()));
        QCOMPARE(spec->id + u".json"_s, name);
    }
    QFile shop(dir.filePath(u"shop-api.json"_s));
    QVERIFY(shop.open(QIODevice::ReadOnly));
    const EndpointSpec spec = *parseEndpoint(parse(shop.readAll()));
    QCOMPARE(spec.protocol, Protocol::Rest);
    QCOMPARE(spec.url, QUrl(u"https://shop.example.com/api/v2"_s));
    QCOMPARE(spec.authentication.type, ClientAuthentication::Type::OAuth2ClientCredentials);
    QCOMPARE(spec.authentication.secret, u"shop.client_secret"_s);
    QCOMPARE(spec.authentication.scopes, (QStringList{u"orders.read"_s, u"customers.read"_s}));
    QCOMPARE(spec.timeoutSeconds, 30);
    QCOMPARE(spec.retryAttempts, 3);
    QVERIFY(spec.configuration.find(u"pagination"));
}

void tst_Endpoint::defaultsFromType()
{
    Result<EndpointSpec> db = parseEndpoint(parse(
        "{\"kind\":\"Endpoint\",\"id\":\"db\",\"name\":\"DB\",\"type\":\"database\",\"url\":\"postgresql://h:5432/d\"}"));
    QVERIFY(db);
    QCOMPARE(db->protocol, Protocol::Sql);
    Result<EndpointSpec> queue = parseEndpoint(
        parse("{\"kind\":\"Endpoint\",\"id\":\"q\",\"name\":\"Q\",\"type\":\"message_queue\"}"));
    QVERIFY2(queue, "the embedded broker needs no URL");
    QCOMPARE(queue->protocol, Protocol::ConfluxBroker);
    QCOMPARE(protocolName(Protocol::ODataV2), u"odata_v2"_s);
    QCOMPARE(endpointTypeName(EndpointType::FileSystem), u"file_system"_s);
}

void tst_Endpoint::authentication()
{
    Result<EndpointSpec> key = parseEndpoint(parse(restEndpoint(
        ",\"authentication\":{\"type\":\"api_key\",\"in\":\"query\",\"parameter\":\"apikey\","
        "\"value\":{\"secret\":\"shop.key\"}}")));
    QVERIFY(key);
    QVERIFY(key->authentication.inQuery);
    QCOMPARE(key->authentication.parameter, u"apikey"_s);
    QCOMPARE(key->authentication.secret, u"shop.key"_s);

    Result<EndpointSpec> basic = parseEndpoint(parse(restEndpoint(
        ",\"authentication\":{\"type\":\"basic\",\"username\":\"svc\",\"password\":{\"secret\":\"shop.pw\"}},"
        "\"headers\":{\"Accept\":\"application/json\"}")));
    QVERIFY(basic);
    QCOMPARE(basic->authentication.username, u"svc"_s);
    QCOMPARE(basic->headers.size(), 1);
    QCOMPARE(basic->headers.front().first, "Accept"_ba);

    // A header whose value is a secret reference is kept by name, resolved at each request.
    Result<EndpointSpec> secretHeader = parseEndpoint(parse(restEndpoint(
        ",\"headers\":{\"Accept\":\"application/json\",\"X-Tenant-Key\":{\"secret\":\"shop.tenant\"}}")));
    QVERIFY(secretHeader);
    QCOMPARE(secretHeader->headers.size(), 1);
    QCOMPARE(secretHeader->secretHeaders.size(), 1);
    QCOMPARE(secretHeader->secretHeaders.front().first, "X-Tenant-Key"_ba);
    QCOMPARE(secretHeader->secretHeaders.front().second, u"shop.tenant"_s);
}

void tst_Endpoint::catalogEndpointsNeedNoUrl()
{
    // The definition has the base URL; the endpoint may still override it.
    Result<EndpointSpec> catalog = parseEndpoint(
        parse("{\"kind\":\"Endpoint\",\"id\":\"gh\",\"name\":\"GitHub\",\"type\":\"api\",\"protocol\":\"rest\","
              "\"configuration\":{\"catalog\":\"github\"}}"));
    QVERIFY2(catalog, catalog ? "" : qPrintable(catalog.error().toString()));
    QVERIFY(catalog->url.isEmpty());
    // Without a catalog the URL stays required.
    Result<EndpointSpec> inline_ = parseEndpoint(
        parse("{\"kind\":\"Endpoint\",\"id\":\"x\",\"name\":\"X\",\"type\":\"api\",\"protocol\":\"rest\","
              "\"configuration\":{\"resources\":[]}}"));
    QVERIFY(!inline_);
    QVERIFY(inline_.error().details.front().startsWith(u"/url: "_s));
}

void tst_Endpoint::problems_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QString>("words");

    QTest::newRow("kind") << "{\"kind\":\"Route\",\"id\":\"a\",\"name\":\"A\",\"type\":\"api\",\"url\":\"https://x\"}"_ba
                          << u"/kind"_s << u"Endpoint"_s;
    QTest::newRow("type") << "{\"kind\":\"Endpoint\",\"id\":\"a\",\"name\":\"A\",\"type\":\"ftp\"}"_ba << u"/type"_s
                          << u"unknown type \"ftp\""_s;
    QTest::newRow("protocol for type")
        << "{\"kind\":\"Endpoint\",\"id\":\"a\",\"name\":\"A\",\"type\":\"database\",\"protocol\":\"rest\","
           "\"url\":\"https://x\"}"_ba
        << u"/protocol"_s << u"cannot speak rest"_s;
    QTest::newRow("streaming without protocol")
        << "{\"kind\":\"Endpoint\",\"id\":\"a\",\"name\":\"A\",\"type\":\"streaming\",\"url\":\"https://x\"}"_ba
        << u"/protocol"_s << u"required"_s;
    QTest::newRow("missing url") << "{\"kind\":\"Endpoint\",\"id\":\"a\",\"name\":\"A\",\"type\":\"api\"}"_ba
                                 << u"/url"_s << u"required"_s;
    QTest::newRow("rest over ftp") << restEndpoint().replace("https://shop.example.com/api", "ftp://h/x")
                                   << u"/url"_s << u"http:// or https://"_s;
    QTest::newRow("password in url") << restEndpoint().replace("https://shop", "https://u:p@shop") << u"/url"_s
                                     << u"must not carry a user or password"_s;
    QTest::newRow("sql scheme")
        << "{\"kind\":\"Endpoint\",\"id\":\"a\",\"name\":\"A\",\"type\":\"database\",\"url\":\"https://db\"}"_ba
        << u"/url"_s << u"postgresql://"_s;
    QTest::newRow("files scheme")
        << "{\"kind\":\"Endpoint\",\"id\":\"a\",\"name\":\"A\",\"type\":\"file_system\",\"url\":\"/var/in\"}"_ba
        << u"/url"_s << u"file:///"_s;
    QTest::newRow("plain secret")
        << restEndpoint(",\"authentication\":{\"type\":\"bearer\",\"token\":\"abc\"}") << u"/authentication/token"_s
        << u"never the secret itself"_s;
    QTest::newRow("auth type") << restEndpoint(",\"authentication\":{\"type\":\"kerberos\"}")
                               << u"/authentication/type"_s << u"unknown authentication type"_s;
    QTest::newRow("api key in")
        << restEndpoint(",\"authentication\":{\"type\":\"api_key\",\"in\":\"cookie\",\"parameter\":\"k\","
                        "\"value\":{\"secret\":\"s\"}}")
        << u"/authentication/in"_s << u"header"_s;
    QTest::newRow("basic username colon")
        << restEndpoint(",\"authentication\":{\"type\":\"basic\",\"username\":\"a:b\",\"password\":{\"secret\":\"s\"}}")
        << u"/authentication/username"_s << u"RFC 7617"_s;
    QTest::newRow("token url")
        << restEndpoint(",\"authentication\":{\"type\":\"oauth2_client_credentials\",\"token_url\":\"mailto:x\","
                        "\"client_id\":\"c\",\"client_secret\":{\"secret\":\"s\"}}")
        << u"/authentication/token_url"_s << u"not an http(s) URL"_s;
    QTest::newRow("header name") << restEndpoint(",\"headers\":{\"Bad Name\":\"x\"}") << u"/headers/Bad Name"_s
                                 << u"not a valid header name"_s;
    QTest::newRow("header secret") << restEndpoint(",\"headers\":{\"X-A\":{\"secret\":7}}") << u"/headers/X-A"_s
                                   << u"secret reference"_s;
    QTest::newRow("header value") << restEndpoint(",\"headers\":{\"X-A\":\"a\\r\\nX-B: b\"}") << u"/headers/X-A"_s
                                  << u"line breaks"_s;
    QTest::newRow("timeout") << restEndpoint(",\"configuration\":{\"timeout_seconds\":0}")
                             << u"/configuration/timeout_seconds"_s << u"more than 0"_s;
    QTest::newRow("retries") << restEndpoint(",\"configuration\":{\"retry_attempts\":2.5}")
                             << u"/configuration/retry_attempts"_s << u"whole number"_s;
    QTest::newRow("data format") << restEndpoint(",\"data_format\":\"yaml\"") << u"/data_format"_s << u"json"_s;
}

void tst_Endpoint::problems()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, pointer);
    QFETCH(QString, words);
    Result<EndpointSpec> spec = parseEndpoint(parse(json), u"endpoints/a.json"_s);
    QVERIFY(!spec);
    QCOMPARE(spec.error().code, u"invalid_endpoint"_s);
    QVERIFY2(spec.error().message.contains(u"endpoints/a.json"_s), qPrintable(spec.error().message));
    QCOMPARE(spec.error().details.size(), 1);
    const QString detail = spec.error().details.front();
    QVERIFY2(detail.startsWith(pointer + u": "_s), qPrintable(detail));
    QVERIFY2(detail.contains(words), qPrintable(detail));
}

void tst_Endpoint::everyProblemAtOnce()
{
    Result<EndpointSpec> spec = parseEndpoint(parse(restEndpoint(
        ",\"data_format\":\"yaml\",\"configuration\":{\"timeout_seconds\":-1,\"retry_attempts\":99}")));
    QVERIFY(!spec);
    QCOMPARE(spec.error().details.size(), 3);
}

QTEST_GUILESS_MAIN(tst_Endpoint)
#include "tst_endpoint.moc"
