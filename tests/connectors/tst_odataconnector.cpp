// The OData connector against local HTTP servers: what the real CAP peer (tst_odataconnector_cap)
// cannot show — malformed and error answers, v2 value conversions, key and literal formats,
// query encoding, next links to other hosts, the CSRF retry, $batch answers.

#include "connectors/odataconnector.h"

#include "connectors/httpclient.h"
#include "data/json.h"
#include "security/secrets.h"
#include "testhttpserver.h"
#include "testsupport.h"
#include "testsecrets.h"

#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <atomic>
#include <thread>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;
using Conflux::Test::MapSecrets;
using Conflux::Tests::TestHttpServer;

namespace {

const QByteArray metadataV4 =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">"
    "<edmx:DataServices><Schema Namespace=\"Test\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">"
    "<EntityContainer Name=\"C\">"
    "<EntitySet Name=\"Orders\" EntityType=\"Test.Order\"><NavigationPropertyBinding Path=\"Items\" Target=\"Items\"/></EntitySet>"
    "<EntitySet Name=\"Items\" EntityType=\"Test.Item\"/>"
    "<EntitySet Name=\"Things\" EntityType=\"Test.Thing\"/>"
    "</EntityContainer>"
    "<EntityType Name=\"Order\"><Key><PropertyRef Name=\"Id\"/></Key>"
    "<Property Name=\"Id\" Type=\"Edm.String\" Nullable=\"false\"/>"
    "<Property Name=\"Amount\" Type=\"Edm.Decimal\" Precision=\"15\" Scale=\"2\"/>"
    "<Property Name=\"Big\" Type=\"Edm.Int64\"/>"
    "<Property Name=\"ChangedAt\" Type=\"Edm.DateTimeOffset\"/>"
    "<Property Name=\"OrderDate\" Type=\"Edm.Date\"/>"
    "<NavigationProperty Name=\"Items\" Type=\"Collection(Test.Item)\"/>"
    "</EntityType>"
    "<EntityType Name=\"Item\"><Key><PropertyRef Name=\"OrderId\"/><PropertyRef Name=\"No\"/></Key>"
    "<Property Name=\"OrderId\" Type=\"Edm.String\" Nullable=\"false\"/>"
    "<Property Name=\"No\" Type=\"Edm.Int32\" Nullable=\"false\"/>"
    "</EntityType>"
    "<EntityType Name=\"Thing\"><Key><PropertyRef Name=\"Guid\"/></Key>"
    "<Property Name=\"Guid\" Type=\"Edm.Guid\" Nullable=\"false\"/>"
    "</EntityType>"
    "</Schema></edmx:DataServices></edmx:Edmx>";

const QByteArray metadataV2 =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<edmx:Edmx Version=\"1.0\" xmlns:edmx=\"http://schemas.microsoft.com/ado/2007/06/edmx\" "
    "xmlns:m=\"http://schemas.microsoft.com/ado/2007/08/dataservices/metadata\" "
    "xmlns:sap=\"http://www.sap.com/Protocols/SAPData\">"
    "<edmx:DataServices m:DataServiceVersion=\"2.0\">"
    "<Schema Namespace=\"Test\" xmlns=\"http://schemas.microsoft.com/ado/2008/09/edm\">"
    "<EntityContainer Name=\"C\" m:IsDefaultEntityContainer=\"true\">"
    "<EntitySet Name=\"Orders\" EntityType=\"Test.Order\"/>"
    "<EntitySet Name=\"Items\" EntityType=\"Test.Item\"/>"
    "<EntitySet Name=\"Things\" EntityType=\"Test.Thing\" sap:deletable=\"false\"/>"
    "<AssociationSet Name=\"Order_Items\" Association=\"Test.Order_Items\">"
    "<End Role=\"Order\" EntitySet=\"Orders\"/><End Role=\"Items\" EntitySet=\"Items\"/></AssociationSet>"
    "</EntityContainer>"
    "<EntityType Name=\"Order\"><Key><PropertyRef Name=\"Id\"/></Key>"
    "<Property Name=\"Id\" Type=\"Edm.String\" Nullable=\"false\"/>"
    "<Property Name=\"Amount\" Type=\"Edm.Decimal\" Precision=\"15\" Scale=\"2\"/>"
    "<Property Name=\"Big\" Type=\"Edm.Int64\"/>"
    "<Property Name=\"ChangedAt\" Type=\"Edm.DateTimeOffset\"/>"
    "<Property Name=\"OrderDate\" Type=\"Edm.DateTime\" sap:display-format=\"Date\"/>"
    "<Property Name=\"Start\" Type=\"Edm.Time\"/>"
    "<NavigationProperty Name=\"Items\" Relationship=\"Test.Order_Items\" FromRole=\"Order\" ToRole=\"Items\"/>"
    "</EntityType>"
    "<EntityType Name=\"Item\"><Key><PropertyRef Name=\"OrderId\"/><PropertyRef Name=\"No\"/></Key>"
    "<Property Name=\"OrderId\" Type=\"Edm.String\" Nullable=\"false\"/>"
    "<Property Name=\"No\" Type=\"Edm.Int32\" Nullable=\"false\"/>"
    "</EntityType>"
    "<EntityType Name=\"Thing\"><Key><PropertyRef Name=\"Guid\"/><PropertyRef Name=\"Count\"/></Key>"
    "<Property Name=\"Guid\" Type=\"Edm.Guid\" Nullable=\"false\"/>"
    "<Property Name=\"Count\" Type=\"Edm.Int64\" Nullable=\"false\"/>"
    "</EntityType>"
    "<Association Name=\"Order_Items\"><End Role=\"Order\" Type=\"Test.Order\" Multiplicity=\"1\"/>"
    "<End Role=\"Items\" Type=\"Test.Item\" Multiplicity=\"*\"/></Association>"
    "</Schema></edmx:DataServices></edmx:Edmx>";

int endpointCounter = 0;

EndpointSpec endpointFor(int version, const QUrl &url, const Data::Object &configuration = {})
{
    EndpointSpec spec;
    spec.id = u"odata-unit-%1"_s.arg(++endpointCounter);
    spec.protocol = version == 2 ? Protocol::ODataV2 : Protocol::ODataV4;
    spec.url = url;
    spec.configuration = configuration;
    spec.retryAttempts = 0;
    spec.timeoutSeconds = 5;
    spec.authentication.type = ClientAuthentication::Type::Basic;
    spec.authentication.username = u"anna"_s;
    spec.authentication.secret = u"pw"_s;
    return spec;
}

ConnectorContext context()
{
    ConnectorContext c;
    c.secrets = std::make_shared<MapSecrets>(QHash<QString, QString>{{u"pw"_s, u"s3cr3t-Passw0rd"_s}});
    return c;
}

std::unique_ptr<ODataConnector> makeConnector(int version, const QUrl &url, const Data::Object &configuration = {})
{
    Result<std::unique_ptr<ODataConnector>> connector = createODataConnectorTyped(endpointFor(version, url, configuration), context());
    if (!connector)
        qFatal("%s", qPrintable(connector.error().toString()));
    return std::move(*connector);
}

Http::HttpResponse json(const QByteArray &body, int status = 200)
{
    return Http::HttpResponse(status, body, "application/json");
}

Http::HttpResponse metadataAnswer(int version)
{
    return Http::HttpResponse(200, version == 2 ? metadataV2 : metadataV4, "application/xml");
}

QString text(const Data::Value &value)
{
    return QString::fromUtf8(Data::Json::serialize(value));
}

Data::Value parsed(const QByteArray &text)
{
    Result<Data::Value> value = Data::Json::parse(text);
    if (!value)
        qFatal("%s", qPrintable(value.error().message));
    return *value;
}

Result<std::vector<Data::Value>> readAll(Connector &connector, ReadRequest request, ReadSummary *summary = nullptr)
{
    std::vector<Data::Value> records;
    Result<ReadSummary> result = connector.read(request, [&](std::vector<Data::Value> &&page) {
        for (Data::Value &record : page)
            records.push_back(std::move(record));
        return true;
    });
    if (!result)
        return result.error();
    if (summary)
        *summary = *result;
    return records;
}

Data::Object config(std::initializer_list<Data::Object::Member> members)
{
    return Data::Object(members);
}

} // namespace

class TestODataConnector : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_certificates;

    // The folder of makeTestCertificates(), made on first use; empty after a QFAIL-worthy problem
    // (`error` says which).
    QString certificateFolder(QString *error)
    {
        if (!m_certificates) {
            m_certificates = std::make_unique<QTemporaryDir>();
            if (!m_certificates->isValid()) {
                *error = u"no temporary folder: "_s + m_certificates->errorString();
                return {};
            }
            *error = Tests::makeTestCertificates(m_certificates->path());
            if (!error->isEmpty()) {
                m_certificates.reset();
                return {};
            }
        }
        return m_certificates->path();
    }

    // A context whose relative paths resolve in `folder`, with the secrets of the TLS tests.
    static ConnectorContext tlsContext(const QString &folder)
    {
        ConnectorContext c = context();
        c.baseDirectory = folder;
        c.secrets = std::make_shared<MapSecrets>(QHash<QString, QString>{
            {u"pw"_s, u"s3cr3t-Passw0rd"_s},
            {u"key.pass"_s, QString::fromLatin1(Tests::testKeyPassPhrase)},
            {u"wrong.pass"_s, u"not-the-pass-phrase"_s}});
        return c;
    }

    static EndpointSpec tlsEndpoint(const QUrl &url, const QByteArray &tls)
    {
        EndpointSpec spec = endpointFor(4, url);
        spec.configuration.insert(u"tls"_s, parsed(tls));
        return spec;
    }

private slots:
    void init() { HttpClient::resetSharedState(); }

    void validatesTheEndpoint()
    {
        EndpointSpec spec = endpointFor(4, QUrl(u"ftp://example.com/svc"_s));
        spec.configuration = config({{u"page_size"_s, Data::Value(-1)},
                                     {u"csrf"_s, Data::Value(u"yes"_s)},
                                     {u"sap_client"_s, Data::Value(u"1000"_s)},
                                     {u"next_link_hosts"_s, Data::Value(u"localhost"_s)},
                                     {u"batch_size"_s, Data::Value(0)},
                                     {u"update_method"_s, Data::Value(u"merge"_s)},
                                     {u"redirect_hosts"_s, Data::Value(5)}});
        Result<std::unique_ptr<Connector>> bad = createODataConnector(spec, context());
        VERIFY_ERROR(bad, "invalid_endpoint");
        const QString details = bad.error().details.join(u'\n');
        for (const char *pointer : {"/url:", "/configuration/page_size:", "/configuration/csrf:", "/configuration/sap_client:",
                                    "/configuration/next_link_hosts:", "/configuration/batch_size:",
                                    "/configuration/update_method:", "/configuration/redirect_hosts:"})
            QVERIFY2(details.contains(QLatin1String(pointer)), qPrintable(details));

        spec.protocol = Protocol::Rest;
        spec.url = QUrl(u"https://example.com/svc?sap-client=100"_s);
        spec.configuration = {};
        Result<std::unique_ptr<Connector>> wrongProtocol = createODataConnector(spec, context());
        VERIFY_ERROR(wrongProtocol, "invalid_endpoint");
        QVERIFY(wrongProtocol.error().details.join(u'\n').contains(u"/protocol:"_s));
        QVERIFY(wrongProtocol.error().details.join(u'\n').contains(u"/url:"_s));

        std::unique_ptr<ODataConnector> ok = makeConnector(2, QUrl(u"https://example.com/sap/opu/odata/sap/API_BP"_s),
                                                     config({{u"sap_client"_s, Data::Value(7)}}));
        QCOMPARE(ok->settings().serviceRoot.toString(), u"https://example.com/sap/opu/odata/sap/API_BP/"_s);
        QCOMPARE(ok->settings().sapClient, u"007"_s);
        QCOMPARE(ok->settings().updateMethod, QByteArray("MERGE"));
        QCOMPARE(ok->settings().csrf, true);
        QCOMPARE(ok->settings().pageSize, 0);
        QCOMPARE(ok->settings().batchSize, 1);
        QCOMPARE(makeConnector(4, QUrl(u"https://example.com/odata/v4/x/"_s))->settings().updateMethod, QByteArray("PATCH"));
    }

    void reportsTlsProblemsByPointer_data()
    {
        QTest::addColumn<QByteArray>("tls");      // configuration.tls as JSON
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("text");        // in the detail

        QTest::addRow("not an object") << "\"client.pem\""_ba << u"/configuration/tls"_s << u"must be an object"_s;
        QTest::addRow("missing certificate file")
            << "{\"certificate_file\": \"nope.pem\", \"key_file\": \"client.key\"}"_ba
            << u"/configuration/tls/certificate_file"_s << u"nope.pem"_s;
        QTest::addRow("missing key file") << "{\"certificate_file\": \"client.pem\", \"key_file\": \"nope.key\"}"_ba
                                          << u"/configuration/tls/key_file"_s << u"nope.key"_s;
        QTest::addRow("certificate without key") << "{\"certificate_file\": \"client.pem\"}"_ba
                                                 << u"/configuration/tls/key_file"_s << u"required"_s;
        QTest::addRow("key without certificate") << "{\"key_file\": \"client.key\"}"_ba
                                                 << u"/configuration/tls/certificate_file"_s << u"required"_s;
        QTest::addRow("a key as the certificate") << "{\"certificate_file\": \"client.key\", \"key_file\": \"client.key\"}"_ba
                                                  << u"/configuration/tls/certificate_file"_s << u"no PEM certificate"_s;
        QTest::addRow("certificate file of a number") << "{\"certificate_file\": 5, \"key_file\": \"client.key\"}"_ba
                                                      << u"/configuration/tls/certificate_file"_s << u"path"_s;
        QTest::addRow("pass phrase in clear")
            << "{\"certificate_file\": \"client.pem\", \"key_file\": \"client-encrypted.key\", "
               "\"key_passphrase\": \"key-Passw0rd\"}"_ba
            << u"/configuration/tls/key_passphrase"_s << u"never the pass phrase itself"_s;
        QTest::addRow("pass phrase secret missing")
            << "{\"certificate_file\": \"client.pem\", \"key_file\": \"client-encrypted.key\", "
               "\"key_passphrase\": {\"secret\": \"no.such.secret\"}}"_ba
            << u"/configuration/tls/key_passphrase"_s << u"no.such.secret"_s;
        QTest::addRow("pass phrase of no key") << "{\"key_passphrase\": {\"secret\": \"key.pass\"}}"_ba
                                               << u"/configuration/tls/key_passphrase"_s << u"key_file"_s;
        QTest::addRow("encrypted key without pass phrase")
            << "{\"certificate_file\": \"client.pem\", \"key_file\": \"client-encrypted.key\"}"_ba
            << u"/configuration/tls/key_file"_s << u"give it as key_passphrase"_s;
        QTest::addRow("wrong pass phrase")
            << "{\"certificate_file\": \"client.pem\", \"key_file\": \"client-encrypted.key\", "
               "\"key_passphrase\": {\"secret\": \"wrong.pass\"}}"_ba
            << u"/configuration/tls/key_file"_s << u"wrong pass phrase"_s;
        QTest::addRow("missing CA file") << "{\"ca_file\": \"certs/nope.pem\"}"_ba << u"/configuration/tls/ca_file"_s
                                         << u"certs/nope.pem"_s;
        QTest::addRow("verify_peer as text") << "{\"verify_peer\": \"no\"}"_ba << u"/configuration/tls/verify_peer"_s
                                             << u"true or false"_s;
        QTest::addRow("unknown setting") << "{\"cert_file\": \"client.pem\"}"_ba << u"/configuration/tls/cert_file"_s
                                         << u"not a TLS setting"_s;
    }

    void reportsTlsProblemsByPointer()
    {
        QFETCH(QByteArray, tls);
        QFETCH(QString, pointer);
        QFETCH(QString, text);
        QString error;
        const QString folder = certificateFolder(&error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        EndpointSpec spec = tlsEndpoint(QUrl(u"https://localhost/svc/"_s), tls);
        Result<std::unique_ptr<ODataConnector>> connector = createODataConnectorTyped(spec, tlsContext(folder));
        VERIFY_ERROR(connector, "invalid_endpoint");
        QVERIFY2(connector.error().message.contains(spec.id), qPrintable(connector.error().message));
        bool found = false;
        for (const QString &detail : connector.error().details) {
            if (detail.startsWith(pointer + u": "_s)) {
                found = true;
                QVERIFY2(detail.contains(text), qPrintable(detail));
            }
        }
        QVERIFY2(found, qPrintable(connector.error().toString()));
        // a pass phrase never appears in an error
        QVERIFY(!connector.error().toString().contains(QLatin1String(Tests::testKeyPassPhrase)));
    }

    void presentsTheClientCertificateOfConfigurationTls()
    {
        QString error;
        const QString folder = certificateFolder(&error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        Result<QSslConfiguration> serverTls = Http::HttpServer::loadTlsConfiguration(QDir(folder).filePath(u"server.pem"_s),
                                                                                    QDir(folder).filePath(u"server.key"_s));
        VERIFY_OK(serverTls);
        TestHttpServer server(*serverTls, QSslCertificate::fromPath(QDir(folder).filePath(u"ca.pem"_s)));
        QVERIFY(server.isListening());
        server.setHandler([](const Http::HttpRequest &request) {
            if (!request.path.endsWith(u"/Orders"))
                return Http::HttpResponse(404);
            const QString subject = request.peerCertificateChain.isEmpty()
                ? u"anonymous"_s
                : request.peerCertificateChain.constFirst().subjectInfo(QSslCertificate::CommonName).join(u',');
            return json("{\"value\":[{\"Id\":\"" + subject.toUtf8() + "\"}]}");
        });
        const ConnectorContext context = tlsContext(folder);
        ODataQuery orders;
        orders.entitySet = u"Orders"_s;

        // relative paths in the project's folder, the key encrypted with a secret pass phrase
        Result<std::unique_ptr<ODataConnector>> mutual = createODataConnectorTyped(
            tlsEndpoint(server.url(u"/svc/"_s),
                        "{\"certificate_file\": \"client.pem\", \"key_file\": \"client-encrypted.key\", "
                        "\"key_passphrase\": {\"secret\": \"key.pass\"}, \"ca_file\": \"ca.pem\", "
                        "\"verify_peer\": true}"),
            context);
        VERIFY_OK(mutual);
        Result<ODataPage> page = (*mutual)->query(orders);
        VERIFY_OK(page);
        QCOMPARE(page->records.size(), size_t(1));
        QCOMPARE(page->records.front()[u"Id"].toString(), u"CONFLUX_RFC"_s);

        // the server trusted, but no client certificate: the server ends the handshake
        Result<std::unique_ptr<ODataConnector>> anonymous =
            createODataConnectorTyped(tlsEndpoint(server.url(u"/svc/"_s), "{\"ca_file\": \"ca.pem\"}"), context);
        VERIFY_OK(anonymous);
        const qsizetype served = server.requestCount();
        Result<ODataPage> refused = (*anonymous)->query(orders);
        QVERIFY2(!refused, "a server that requires a client certificate answered a client without one");
        QVERIFY2(refused.error().code == u"tls_error", qPrintable(refused.error().toString()));
        QVERIFY2(refused.error().message.contains(u"certificate"_s), qPrintable(refused.error().message));
        QCOMPARE(server.requestCount(), served);

        // no CA for the server's certificate: refused by the client, unless verify_peer is false
        TestHttpServer plain(*serverTls);
        plain.setHandler([](const Http::HttpRequest &) { return json("{\"value\":[{\"Id\":\"1\"}]}"); });
        Result<std::unique_ptr<ODataConnector>> untrusted =
            createODataConnectorTyped(tlsEndpoint(plain.url(u"/svc/"_s), "{}"), context);
        VERIFY_OK(untrusted);
        VERIFY_ERROR((*untrusted)->query(orders), "tls_error");
        Result<std::unique_ptr<ODataConnector>> unverified =
            createODataConnectorTyped(tlsEndpoint(plain.url(u"/svc/"_s), "{\"verify_peer\": false}"), context);
        VERIFY_OK(unverified);
        VERIFY_OK((*unverified)->query(orders));
    }

    void formatsLiterals_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("type");
        QTest::addColumn<int>("version");
        QTest::addColumn<QString>("expected");
        QTest::addRow("string quotes doubled") << "\"O'Neil\""_ba << u"Edm.String"_s << 4 << u"'O''Neil'"_s;
        QTest::addRow("string from number") << "42"_ba << u"Edm.String"_s << 2 << u"'42'"_s;
        QTest::addRow("int32") << "42"_ba << u"Edm.Int32"_s << 2 << u"42"_s;
        QTest::addRow("int64 v2") << "9007199254740993"_ba << u"Edm.Int64"_s << 2 << u"9007199254740993L"_s;
        QTest::addRow("int64 v4") << "\"123\""_ba << u"Edm.Int64"_s << 4 << u"123"_s;
        QTest::addRow("decimal v2") << "1.5"_ba << u"Edm.Decimal"_s << 2 << u"1.5M"_s;
        QTest::addRow("decimal v4") << "\"25000.00\""_ba << u"Edm.Decimal"_s << 4 << u"25000.00"_s;
        QTest::addRow("double v2") << "2.5"_ba << u"Edm.Double"_s << 2 << u"2.5d"_s;
        QTest::addRow("bool") << "true"_ba << u"Edm.Boolean"_s << 4 << u"true"_s;
        QTest::addRow("guid v2") << "\"0f8fad5b-d9cb-469f-a165-70867728950e\""_ba << u"Edm.Guid"_s << 2
                                 << u"guid'0f8fad5b-d9cb-469f-a165-70867728950e'"_s;
        QTest::addRow("guid v4") << "\"0f8fad5b-d9cb-469f-a165-70867728950e\""_ba << u"Edm.Guid"_s << 4
                                 << u"0f8fad5b-d9cb-469f-a165-70867728950e"_s;
        QTest::addRow("datetime v2") << "\"2024-06-01T00:00:00Z\""_ba << u"Edm.DateTime"_s << 2
                                     << u"datetime'2024-06-01T00:00:00'"_s;
        QTest::addRow("datetime v2 from a date") << "\"2024-06-01\""_ba << u"Edm.DateTime"_s << 2
                                                 << u"datetime'2024-06-01T00:00:00'"_s;
        QTest::addRow("datetimeoffset v2 with offset") << "\"2024-06-01T10:30:00.250+02:00\""_ba << u"Edm.DateTimeOffset"_s << 2
                                                       << u"datetimeoffset'2024-06-01T08:30:00.250Z'"_s;
        QTest::addRow("datetimeoffset v2 from /Date/") << "\"/Date(1704088800000+0000)/\""_ba << u"Edm.DateTimeOffset"_s
                                                       << 2 << u"datetimeoffset'2024-01-01T06:00:00Z'"_s;
        QTest::addRow("datetimeoffset v4") << "\"2024-11-01T00:00:00Z\""_ba << u"Edm.DateTimeOffset"_s << 4
                                           << u"2024-11-01T00:00:00Z"_s;
        QTest::addRow("date v4") << "\"2024-06-01\""_ba << u"Edm.Date"_s << 4 << u"2024-06-01"_s;
        QTest::addRow("time v2") << "\"10:30:00\""_ba << u"Edm.Time"_s << 2 << u"time'PT10H30M0S'"_s;
        QTest::addRow("timeofday v4") << "\"PT9H5M\""_ba << u"Edm.TimeOfDay"_s << 4 << u"09:05:00"_s;
        QTest::addRow("null") << "null"_ba << u"Edm.String"_s << 4 << u"null"_s;
        QTest::addRow("enum v4") << "\"Red\""_ba << u"Test.Color"_s << 4 << u"Test.Color'Red'"_s;
    }

    void formatsLiterals()
    {
        QFETCH(QByteArray, value);
        QFETCH(QString, type);
        QFETCH(int, version);
        QFETCH(QString, expected);
        Result<QString> literal = OData::literal(parsed(value), type, version);
        VERIFY_OK(literal);
        QCOMPARE(*literal, expected);
    }

    void refusesValuesOfTheWrongType()
    {
        VERIFY_ERROR(OData::literal(Data::Value(u"abc"_s), u"Edm.Int32", 4), "invalid_key");
        VERIFY_ERROR(OData::literal(Data::Value(1.5), u"Edm.Int64", 2), "invalid_key");
        VERIFY_ERROR(OData::literal(Data::Value(u"not-a-guid"_s), u"Edm.Guid", 2), "invalid_key");
        VERIFY_ERROR(OData::literal(Data::Value(u"yesterday"_s), u"Edm.DateTimeOffset", 4), "invalid_key");
        VERIFY_ERROR(OData::literal(Data::Value(true), u"Edm.Date", 4), "invalid_key");
    }

    void convertsV2Dates_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::addRow("epoch") << u"/Date(0)/"_s << u"1970-01-01T00:00:00Z"_s;
        QTest::addRow("date") << u"/Date(1704067200000)/"_s << u"2024-01-01T00:00:00Z"_s;
        QTest::addRow("milliseconds") << u"/Date(1717485079037+0000)/"_s << u"2024-06-04T07:11:19.037Z"_s;
        QTest::addRow("offset keeps the instant") << u"/Date(1609488000000+0060)/"_s << u"2021-01-01T08:00:00Z"_s;
        QTest::addRow("negative offset") << u"/Date(1609488000000-0300)/"_s << u"2021-01-01T08:00:00Z"_s;
        QTest::addRow("before 1970") << u"/Date(-86400000)/"_s << u"1969-12-31T00:00:00Z"_s;
        QTest::addRow("not a date") << u"/Date(abc)/"_s << QString();
        QTest::addRow("plain text") << u"2024-01-01"_s << QString();
        QTest::addRow("unclosed") << u"/Date(1704067200000"_s << QString();
    }

    void convertsV2Dates()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        const std::optional<QString> iso = OData::v2DateToIso(input);
        QCOMPARE(iso.value_or(QString()), expected);
    }

    void encodesQueryOptions()
    {
        QCOMPARE(OData::encodeQueryValue(u"Name eq 'A+B & C#1' and X gt 1"_s),
                 QByteArray("Name%20eq%20'A%2BB%20%26%20C%231'%20and%20X%20gt%201"));
        QCOMPARE(OData::encodeQueryValue(u"City eq 'Zürich'"_s), QByteArray("City%20eq%20'Z%C3%BCrich'"));
        QCOMPARE(OData::encodeQueryValue(u"Items($select=ItemNo;$top=2)"_s), QByteArray("Items($select=ItemNo%3B$top=2)"));

        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(4);
            return json("{\"value\":[{\"Id\":\"1\"}]}");
        });
        std::unique_ptr<ODataConnector> connector = makeConnector(4, server.url(u"/svc"_s), config({{u"sap_client"_s, Data::Value(u"100"_s)}}));
        ODataQuery query;
        query.entitySet = u"Orders"_s;
        query.filter = u"Name eq 'A+B & C' and Amount gt 1"_s;
        query.select = {u"Id"_s, u"Amount"_s};
        query.expand = {u"Items"_s};
        query.orderBy = {u"Amount desc"_s, u"Id"_s};
        query.top = 5;
        query.skip = 2;
        query.count = true;
        query.custom.insert(u"sap-language"_s, u"DE"_s);
        const QByteArray expected = "/svc/Orders?$filter=Name%20eq%20'A%2BB%20%26%20C'%20and%20Amount%20gt%201"
                                    "&$select=Id,Amount&$expand=Items&$orderby=Amount%20desc,Id&$count=true"
                                    "&sap-language=DE&$top=5&$skip=2&sap-client=100";
        QCOMPARE(connector->queryUrl(query).toEncoded(), server.url().toEncoded().chopped(1) + expected);
        server.clearRequests();
        Result<ODataPage> page = connector->query(query);
        VERIFY_OK(page);
        QCOMPARE(page->records.size(), size_t(1));
        // what went over the wire: %20, never '+'
        QCOMPARE(server.requests().constLast().target, expected);
        QCOMPARE(server.requests().constLast().header("OData-Version"), QByteArray("4.0"));
        QCOMPARE(server.requests().constLast().header("Accept"), QByteArray("application/json"));
        QCOMPARE(server.requests().constLast().header("Authorization"),
                 "Basic " + QByteArray("anna:s3cr3t-Passw0rd").toBase64());

        // one entity: the key predicate in the path, quotes doubled, '/' encoded
        ODataQuery one;
        one.entitySet = u"Orders"_s;
        one.key = u"'A/B ''C'''"_s;
        QCOMPARE(connector->queryUrl(one).toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority),
                 QByteArray("/svc/Orders('A%2FB%20''C''')?sap-client=100"));
    }

    void formatsKeyPredicates()
    {
        for (const int version : {2, 4}) {
            TestHttpServer server;
            server.setHandler([version](const Http::HttpRequest &) { return metadataAnswer(version); });
            std::unique_ptr<ODataConnector> connector = makeConnector(version, server.url(u"/svc/"_s));
            Result<QString> single = connector->keyPredicate(u"Orders"_s, Data::Value(u"O'Neil 1"_s));
            VERIFY_OK(single);
            QCOMPARE(*single, u"'O''Neil 1'"_s);
            Result<QString> named = connector->keyPredicate(u"Orders"_s, parsed("{\"Id\":\"x\",\"Amount\":5}"));
            VERIFY_OK(named);
            QCOMPARE(*named, u"'x'"_s);
            Result<QString> composite = connector->keyPredicate(u"Items"_s, parsed("{\"No\":10,\"OrderId\":\"5000001\"}"));
            VERIFY_OK(composite);
            QCOMPARE(*composite, u"OrderId='5000001',No=10"_s);
            VERIFY_ERROR(connector->keyPredicate(u"Items"_s, Data::Value(u"5000001"_s)), "invalid_key");
            VERIFY_ERROR(connector->keyPredicate(u"Items"_s, parsed("{\"OrderId\":\"5000001\"}")), "invalid_key");
            VERIFY_ERROR(connector->keyPredicate(u"Items"_s, parsed("{\"OrderId\":\"5\",\"No\":\"ten\"}")), "invalid_key");
            VERIFY_ERROR(connector->keyPredicate(u"Nope"_s, Data::Value(1)), "unknown_entity");
        }
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return metadataAnswer(2); });
        std::unique_ptr<ODataConnector> v2 = makeConnector(2, server.url(u"/svc/"_s));
        Result<QString> guid = v2->keyPredicate(u"Things"_s, parsed("{\"Guid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"Count\":12}"));
        VERIFY_OK(guid);
        QCOMPARE(*guid, u"Guid=guid'0f8fad5b-d9cb-469f-a165-70867728950e',Count=12L"_s);
    }

    void followsV4NextLinksAndDropsAnnotations()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(4);
            if (request.target.contains("skiptoken"))
                return json("{\"@odata.context\":\"$metadata#Orders\",\"value\":[{\"Id\":\"3\",\"Amount\":\"12.50\"}]}");
            return json("{\"@odata.context\":\"$metadata#Orders\",\"@odata.count\":3,"
                        "\"@odata.nextLink\":\"Orders?%24skiptoken=2\",\"value\":["
                        "{\"@odata.etag\":\"W/1\",\"Id\":\"1\",\"Amount\":1.5,\"Big\":\"9007199254740993\","
                        "\"Items@odata.count\":1,\"Items\":[{\"@odata.id\":\"x\",\"OrderId\":\"1\",\"No\":10}]},"
                        "{\"Id\":\"2\",\"Amount\":2,\"ChangedAt@odata.type\":\"#DateTimeOffset\",\"ChangedAt\":\"2024-01-01T06:00:00Z\"}]}");
        });
        std::unique_ptr<ODataConnector> connector = makeConnector(4, server.url(u"/svc/"_s));
        ODataQuery query;
        query.entitySet = u"Orders"_s;
        query.count = true;
        query.expand = {u"Items"_s};
        Result<ODataPage> page = connector->query(query);
        VERIFY_OK(page);
        QCOMPARE(page->pages, 2);
        QCOMPARE(page->count.value_or(-1), 3);
        QCOMPARE(page->records.size(), size_t(3));
        QCOMPARE(text(page->records[0]),
                 u"{\"Id\":\"1\",\"Amount\":1.5,\"Big\":9007199254740993,\"Items\":[{\"OrderId\":\"1\",\"No\":10}]}"_s);
        QCOMPARE(text(page->records[1]), u"{\"Id\":\"2\",\"Amount\":2,\"ChangedAt\":\"2024-01-01T06:00:00Z\"}"_s);
        QCOMPARE(text(page->records[2]), u"{\"Id\":\"3\",\"Amount\":12.5}"_s);
        QCOMPARE(server.requests().constLast().target, QByteArray("/svc/Orders?%24skiptoken=2"));

        // one page only: the next link is handed back
        query.followNextLinks = false;
        Result<ODataPage> first = connector->query(query);
        VERIFY_OK(first);
        QCOMPARE(first->records.size(), size_t(2));
        QCOMPARE(first->nextLink.toEncoded(), server.url(u"/svc/Orders?%24skiptoken=2"_s).toEncoded());

        // through the Connector interface, with a limit across pages
        ReadRequest read;
        read.entity = u"Orders"_s;
        read.limit = 2;
        ReadSummary summary;
        Result<std::vector<Data::Value>> limited = readAll(*connector, read, &summary);
        VERIFY_OK(limited);
        QCOMPARE(limited->size(), size_t(2));
        QCOMPARE(summary.records, 2);
        QVERIFY(summary.stoppedEarly);
        QVERIFY(server.requests().constLast().target.contains("$top=2"));
    }

    void decodesV2Payloads()
    {
        TestHttpServer server;
        const quint16 port = server.port();
        server.setHandler([port](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(2);
            if (request.target.contains("skiptoken"))
                return json("{\"d\":{\"results\":[{\"__metadata\":{\"type\":\"Test.Order\"},\"Id\":\"3\",\"Amount\":null}]}}");
            const QByteArray next = "http://127.0.0.1:" + QByteArray::number(port) + "/svc/Orders?$skiptoken=2";
            return json("{\"d\":{\"__count\":\"3\",\"results\":["
                        "{\"__metadata\":{\"uri\":\"http://127.0.0.1/svc/Orders('1')\",\"type\":\"Test.Order\"},"
                        "\"Id\":\"1\",\"Amount\":\"25000.50\",\"Big\":\"12345678901234567890\","
                        "\"ChangedAt\":\"\\/Date(1717485079037+0000)\\/\",\"OrderDate\":\"\\/Date(1704067200000)\\/\","
                        "\"Start\":\"PT10H30M00S\","
                        "\"Items\":{\"results\":[{\"__metadata\":{\"type\":\"Test.Item\"},\"OrderId\":\"1\",\"No\":10}]}},"
                        "{\"Id\":\"2\",\"Amount\":\"0.10\",\"Items\":{\"__deferred\":{\"uri\":\"http://x/Orders('2')/Items\"}}}],"
                        "\"__next\":\"" + next + "\"}}");
        });
        std::unique_ptr<ODataConnector> connector = makeConnector(2, server.url(u"/svc/"_s));
        ODataQuery query;
        query.entitySet = u"Orders"_s;
        query.count = true;
        Result<ODataPage> page = connector->query(query);
        VERIFY_OK(page);
        QCOMPARE(page->count.value_or(-1), 3);
        QCOMPARE(page->records.size(), size_t(3));
        QCOMPARE(text(page->records[0]),
                 u"{\"Id\":\"1\",\"Amount\":25000.5,\"Big\":12345678901234567890,\"ChangedAt\":\"2024-06-04T07:11:19.037Z\","
                 "\"OrderDate\":\"2024-01-01T00:00:00Z\",\"Start\":\"10:30:00\",\"Items\":[{\"OrderId\":\"1\",\"No\":10}]}"_s);
        QVERIFY(page->records[0][u"Big"].hasExactText());
        QCOMPARE(text(page->records[1]), u"{\"Id\":\"2\",\"Amount\":0.1}"_s);
        QCOMPARE(text(page->records[2]), u"{\"Id\":\"3\",\"Amount\":null}"_s);
        const Http::HttpRequest first = server.requests().at(1);
        QCOMPARE(first.target, QByteArray("/svc/Orders?$inlinecount=allpages"));
        QCOMPARE(first.header("DataServiceVersion"), QByteArray("2.0"));

        // one entity: {"d": {...}}
        server.setHandler([](const Http::HttpRequest &) {
            return json("{\"d\":{\"__metadata\":{\"type\":\"Test.Order\"},\"Id\":\"O'1\",\"OrderDate\":\"/Date(1704067200000)/\","
                        "\"Items\":{\"__deferred\":{}}}}");
        });
        Result<Data::Value> one = connector->get(u"Orders"_s, Data::Value(u"O'1"_s));
        VERIFY_OK(one);
        QCOMPARE(text(*one), u"{\"Id\":\"O'1\",\"OrderDate\":\"2024-01-01T00:00:00Z\"}"_s);
        QCOMPARE(server.requests().constLast().target, QByteArray("/svc/Orders('O''1')"));
    }

    void refusesNextLinksToOtherHosts()
    {
        TestHttpServer server;
        const quint16 port = server.port();
        server.setHandler([port](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(2);
            if (request.target.contains("skiptoken"))
                return json("{\"d\":{\"results\":[{\"Id\":\"2\"}]}}");
            // as the CAP v2 adapter does: the absolute link names localhost
            return json("{\"d\":{\"results\":[{\"Id\":\"1\"}],\"__next\":\"http://localhost:" + QByteArray::number(port)
                        + "/svc/Orders?$skiptoken=1\"}}");
        });
        std::unique_ptr<ODataConnector> strict = makeConnector(2, server.url(u"/svc/"_s));
        ReadRequest read;
        read.entity = u"Orders"_s;
        Result<std::vector<Data::Value>> refused = readAll(*strict, read);
        VERIFY_ERROR(refused, "next_link_refused");
        QVERIFY(refused.error().message.contains(u"http://localhost:%1/svc/Orders"_s.arg(port)));
        QVERIFY(refused.error().message.contains(u"next_link_hosts"_s));
        for (const Http::HttpRequest &request : server.requests())
            QVERIFY(!request.target.contains("skiptoken"));

        std::unique_ptr<ODataConnector> allowing
            = makeConnector(2, server.url(u"/svc/"_s), config({{u"next_link_hosts"_s, Data::Value(Data::Array{Data::Value(u"localhost"_s)})}}));
        Result<std::vector<Data::Value>> followed = readAll(*allowing, read);
        VERIFY_OK(followed);
        QCOMPARE(followed->size(), size_t(2));
        QCOMPARE(text(followed->back()), u"{\"Id\":\"2\"}"_s);
    }

    void reportsMalformedAnswers_data()
    {
        QTest::addColumn<int>("version");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("says");
        QTest::addRow("truncated") << 4 << "{\"value\":[{\"Id\":\"1\"},{\"Id\":"_ba << u"not valid JSON"_s;
        QTest::addRow("html login page") << 2 << "<html><body>Please log on</body></html>"_ba << u"not valid JSON"_s;
        QTest::addRow("empty") << 4 << QByteArray() << u"not valid JSON"_s;
        QTest::addRow("v4 without value") << 4 << "{\"d\":{\"results\":[]}}"_ba << u"no value array"_s;
        QTest::addRow("v2 without results") << 2 << "{\"value\":[]}"_ba << u"{\"d\": {\"results\""_s;
        QTest::addRow("v2 results not an array") << 2 << "{\"d\":{\"results\":{}}}"_ba << u"{\"d\": {\"results\""_s;
    }

    void reportsMalformedAnswers()
    {
        QFETCH(int, version);
        QFETCH(QByteArray, body);
        QFETCH(QString, says);
        TestHttpServer server;
        server.setHandler([version, body](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(version);
            return json(body);
        });
        std::unique_ptr<ODataConnector> connector = makeConnector(version, server.url(u"/svc/"_s));
        ReadRequest read;
        read.entity = u"Orders"_s;
        Result<std::vector<Data::Value>> result = readAll(*connector, read);
        VERIFY_ERROR(result, "malformed_response");
        QVERIFY2(result.error().message.contains(says), qPrintable(result.error().message));
        QVERIFY2(result.error().message.contains(u"GET http://127.0.0.1:%1/svc/Orders"_s.arg(server.port())),
                 qPrintable(result.error().message));
    }

    void reportsTheServicesErrors_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("code");
        QTest::addRow("v4 json") << 400 << "{\"error\":{\"code\":\"400\",\"message\":\"Property \\\"Foo\\\" does not exist\"}}"_ba
                                 << u"HTTP 400 Bad Request: 400: Property \"Foo\" does not exist"_s << u"400"_s;
        QTest::addRow("v2 json") << 404
                                 << "{\"error\":{\"code\":\"/IWBEP/CM_MGW_RT/020\",\"message\":{\"lang\":\"en\",\"value\":\"Resource not found\"}}}"_ba
                                 << u"HTTP 404 Not Found: /IWBEP/CM_MGW_RT/020: Resource not found"_s << u"/IWBEP/CM_MGW_RT/020"_s;
        QTest::addRow("v2 xml") << 500
                                << "<?xml version=\"1.0\"?><error xmlns=\"http://schemas.microsoft.com/ado/2007/08/dataservices/metadata\">"
                                   "<code>SY/530</code><message xml:lang=\"en\">Short dump in the backend</message></error>"_ba
                                << u"HTTP 500 Internal Server Error: SY/530: Short dump in the backend"_s << QString();
        QTest::addRow("plain text") << 503 << "maintenance until 10:00"_ba
                                    << u"HTTP 503 Service Unavailable: maintenance until 10:00"_s << QString();
    }

    void reportsTheServicesErrors()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        QFETCH(QString, code);
        TestHttpServer server;
        server.setHandler([status, body](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(4);
            return Http::HttpResponse(status, body, body.startsWith('<') ? "application/xml" : body.startsWith('{') ? "application/json" : "text/plain");
        });
        std::unique_ptr<ODataConnector> connector = makeConnector(4, server.url(u"/svc/"_s));
        ReadRequest read;
        read.entity = u"Orders"_s;
        read.filter = Data::Value(u"Foo eq 1"_s);
        Result<std::vector<Data::Value>> result = readAll(*connector, read);
        VERIFY_ERROR(result, "odata_error");
        QVERIFY2(result.error().message.contains(message), qPrintable(result.error().message));
        QVERIFY(result.error().message.startsWith(u"GET http://127.0.0.1:%1/svc/Orders"_s.arg(server.port())));
        QVERIFY(result.error().details.contains(u"http_status: %1"_s.arg(status)));
        if (!code.isEmpty())
            QVERIFY2(result.error().details.contains(u"service_code: "_s + code), qPrintable(result.error().details.join(u';')));
        QCOMPARE(OData::errorText(body).isEmpty(), status == 503);
    }

    void mapsAWrongPasswordToAnAuthenticationError()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            Http::HttpResponse response(401, "Logon failed", "text/plain");
            response.setHeader("WWW-Authenticate", "Basic realm=\"SAP\"");
            return response;
        });
        std::unique_ptr<ODataConnector> connector = makeConnector(2, server.url(u"/svc/"_s));
        Result<ConnectionTest> test = connector->testConnection();
        VERIFY_ERROR(test, "authentication_failed");
        QVERIFY(test.error().message.contains(u"anna"_s));
        QVERIFY(test.error().message.contains(u"$metadata"_s));
        QVERIFY(!test.error().toString().contains(u"s3cr3t"_s));
    }

    void testsTheConnectionAndDiscovers()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            return request.path.endsWith(u"$metadata") ? metadataAnswer(2) : Http::HttpResponse(404);
        });
        std::unique_ptr<ODataConnector> connector = makeConnector(2, server.url(u"/svc"_s));
        Result<ConnectionTest> test = connector->testConnection();
        VERIFY_OK(test);
        QCOMPARE(test->serverInfo, u"OData v2, 3 entity sets"_s);
        QCOMPARE(server.requests().constLast().header("Accept"), QByteArray("application/xml"));
        Result<std::vector<Entity>> entities = connector->discover();
        VERIFY_OK(entities);
        QCOMPARE(entities->size(), size_t(3));
        const Entity &orders = entities->at(0);
        QCOMPARE(orders.name, u"Orders"_s);
        QCOMPARE(orders.keyFields, QStringList{u"Id"_s});
        QCOMPARE(orders.cursorField, u"ChangedAt"_s);
        QVERIFY(orders.schema.field(u"Amount"));
        QVERIFY(orders.capabilities.testFlag(Capability::Upsert));
        const Entity &things = entities->at(2);
        QCOMPARE(things.keyFields, (QStringList{u"Guid"_s, u"Count"_s}));
        QVERIFY(!things.capabilities.testFlag(Capability::Delete));
        QVERIFY(things.capabilities.testFlag(Capability::Insert));

        // a v4 endpoint pointed at a v2 service
        std::unique_ptr<ODataConnector> wrong = makeConnector(4, server.url(u"/svc"_s));
        VERIFY_ERROR(wrong->testConnection(), "invalid_endpoint");
        // $metadata that is not EDMX
        server.setHandler([](const Http::HttpRequest &) { return Http::HttpResponse(200, "<html><body>login</body></html>", "text/html"); });
        std::unique_ptr<ODataConnector> html = makeConnector(4, server.url(u"/svc"_s));
        Result<ConnectionTest> login = html->testConnection();
        VERIFY_ERROR(login, "metadata_html");
        QVERIFY(login.error().message.contains(u"/svc/$metadata"_s));
    }

    void fetchesACsrfTokenAndRetriesOnceAfter403()
    {
        TestHttpServer server;
        std::atomic<int> issued{0};
        std::atomic<bool> rotate{false};
        server.setHandler([&](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(4);
            if (request.method == "GET" && request.header("X-CSRF-Token") == "Fetch") {
                Http::HttpResponse response(200, "{}", "application/json");
                const QByteArray token = "tok-" + QByteArray::number(++issued);
                response.setHeader("X-CSRF-Token", token);
                response.setHeader("Set-Cookie", "SAP_SESSIONID=" + token + "; Path=/");
                return response;
            }
            const QByteArray expected = "tok-" + QByteArray::number(issued.load());
            if (rotate.exchange(false) || request.header("X-CSRF-Token") != expected
                || request.header("Cookie") != "SAP_SESSIONID=" + expected) {
                Http::HttpResponse refused(403, "CSRF token validation failed", "text/plain");
                refused.setHeader("X-CSRF-Token", "Required");
                return refused;
            }
            return json("{\"Id\":\"" + QString::fromUtf8(request.body).section(u'"', 3, 3).toUtf8() + "\"}", 201);
        });
        std::unique_ptr<ODataConnector> connector = makeConnector(4, server.url(u"/svc/"_s));
        Result<Data::Value> created = connector->create(u"Orders"_s, parsed("{\"Id\":\"A1\"}"));
        VERIFY_OK(created);
        QCOMPARE(text(*created), u"{\"Id\":\"A1\"}"_s);
        QCOMPARE(connector->csrfTokenFetches(), 1);
        // the token is reused
        VERIFY_OK(connector->create(u"Orders"_s, parsed("{\"Id\":\"A2\"}")));
        QCOMPARE(connector->csrfTokenFetches(), 1);
        // the server forgets it: one new fetch, one repeat
        rotate = true;
        VERIFY_OK(connector->create(u"Orders"_s, parsed("{\"Id\":\"A3\"}")));
        QCOMPARE(connector->csrfTokenFetches(), 2);
        QCOMPARE(issued.load(), 2);

        // a server that refuses every token: one retry, then the 403 as an error
        server.setHandler([](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(4);
            if (request.method == "GET") {
                Http::HttpResponse response(200, "{}", "application/json");
                response.setHeader("X-CSRF-Token", "useless");
                return response;
            }
            Http::HttpResponse refused(403, "CSRF token validation failed", "text/plain");
            refused.setHeader("X-CSRF-Token", "Required");
            return refused;
        });
        server.clearRequests();
        Result<Data::Value> refused = connector->create(u"Orders"_s, parsed("{\"Id\":\"A4\"}"));
        VERIFY_ERROR(refused, "odata_error");
        QVERIFY(refused.error().message.contains(u"403"_s));
        QCOMPARE(server.requestCount(), 3); // POST, fetch, POST

        // csrf off: no fetch, and the refusal says why
        std::unique_ptr<ODataConnector> noCsrf = makeConnector(4, server.url(u"/svc/"_s), config({{u"csrf"_s, Data::Value(false)}}));
        server.clearRequests();
        Result<Data::Value> plain = noCsrf->create(u"Orders"_s, parsed("{\"Id\":\"A5\"}"));
        VERIFY_ERROR(plain, "odata_error");
        QVERIFY(plain.error().message.contains(u"csrf"_s));
        QCOMPARE(noCsrf->csrfTokenFetches(), 0);
    }

    void writesRecordsOneByOne()
    {
        TestHttpServer server;
        QList<QByteArray> seen;
        QMutex mutex;
        server.setHandler([&](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(2);
            if (request.method == "GET") {
                Http::HttpResponse response(200, "{}", "application/json");
                response.setHeader("X-CSRF-Token", "t");
                return response;
            }
            {
                QMutexLocker lock(&mutex);
                seen.append(request.method + ' ' + request.target + ' ' + request.body);
            }
            if (request.method == "MERGE")
                return request.target.contains("'new'") ? json("{\"error\":{\"code\":\"404\",\"message\":{\"value\":\"Not Found\"}}}", 404)
                                                       : Http::HttpResponse(204);
            if (request.method == "POST") {
                if (request.body.contains("\"bad\""))
                    return json("{\"error\":{\"code\":\"ZCFX/001\",\"message\":{\"value\":\"Amount too high\"}}}", 400);
                return json("{\"d\":" + request.body + "}", 201);
            }
            if (request.method == "DELETE")
                return request.target.contains("'gone'") ? Http::HttpResponse(404) : Http::HttpResponse(204);
            return Http::HttpResponse(405);
        });
        std::unique_ptr<ODataConnector> connector = makeConnector(2, server.url(u"/svc/"_s));
        WriteRequest upsert;
        upsert.entity = u"Orders"_s;
        upsert.mode = WriteMode::Upsert;
        upsert.records = {parsed("{\"Id\":\"old\",\"Amount\":12.5,\"Big\":7,\"OrderDate\":\"2024-06-01\","
                                 "\"ChangedAt\":\"2024-06-01T10:00:00+02:00\",\"Start\":\"10:30:00\"}"),
                          parsed("{\"Id\":\"new\",\"Amount\":1}")};
        Result<WriteSummary> summary = connector->write(upsert);
        VERIFY_OK(summary);
        QCOMPARE(summary->updated, 1);
        QCOMPARE(summary->inserted, 1);
        QCOMPARE(seen.size(), 3);
        // v2 wire values: Decimal and Int64 as strings, /Date()/, PT..H..M..S
        QCOMPARE(seen.at(0), QByteArray("MERGE /svc/Orders('old') {\"Id\":\"old\",\"Amount\":\"12.5\",\"Big\":\"7\","
                                        "\"OrderDate\":\"/Date(1717200000000)/\",\"ChangedAt\":\"/Date(1717228800000+0000)/\","
                                        "\"Start\":\"PT10H30M00S\"}"));
        QCOMPARE(seen.at(1).left(27), QByteArray("MERGE /svc/Orders('new') {\""));
        QCOMPARE(seen.at(2), QByteArray("POST /svc/Orders {\"Id\":\"new\",\"Amount\":\"1\"}"));

        WriteRequest remove;
        remove.entity = u"Orders"_s;
        remove.mode = WriteMode::Delete;
        remove.records = {parsed("{\"Id\":\"old\"}"), parsed("{\"Id\":\"gone\"}")};
        summary = connector->write(remove);
        VERIFY_OK(summary);
        QCOMPARE(summary->deleted, 1);
        QCOMPARE(summary->unchanged, 1);

        WriteRequest insert;
        insert.entity = u"Orders"_s;
        insert.mode = WriteMode::Insert;
        insert.records = {parsed("{\"Id\":\"ok\"}"), parsed("{\"Id\":\"bad\"}"), parsed("{\"Id\":\"never\"}")};
        Result<WriteSummary> failed = connector->write(insert);
        VERIFY_ERROR(failed, "odata_error");
        QVERIFY2(failed.error().message.startsWith(u"Record 1 (key ('bad')) of Orders: POST"_s), qPrintable(failed.error().message));
        QVERIFY(failed.error().message.contains(u"ZCFX/001: Amount too high"_s));
        QVERIFY(failed.error().message.contains(u"1 record(s) written before it"_s));
        QVERIFY(!seen.constLast().contains("never"));

        WriteRequest keyless;
        keyless.entity = u"Orders"_s;
        keyless.mode = WriteMode::Delete;
        keyless.records = {parsed("{\"Amount\":1}")};
        Result<WriteSummary> noKey = connector->write(keyless);
        VERIFY_ERROR(noKey, "invalid_key");
        QVERIFY(noKey.error().message.startsWith(u"Record 0"_s));

        WriteRequest notAllowed;
        notAllowed.entity = u"Things"_s;
        notAllowed.mode = WriteMode::Delete;
        notAllowed.records = {parsed("{\"Guid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"Count\":1}")};
        VERIFY_ERROR(connector->write(notAllowed), "unsupported");
    }

    void writesInBatches()
    {
        TestHttpServer server;
        QList<QByteArray> bodies;
        QMutex mutex;
        server.setHandler([&](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(4);
            if (request.method == "GET") {
                Http::HttpResponse response(200, "{}", "application/json");
                response.setHeader("X-CSRF-Token", "t");
                return response;
            }
            if (request.path != u"/svc/$batch" || request.header("X-CSRF-Token") != "t")
                return Http::HttpResponse(400, "unexpected");
            {
                QMutexLocker lock(&mutex);
                bodies.append(request.body);
            }
            // one answer per change set: PATCH of 'n1' finds nothing; POSTs create
            QByteArray answer;
            int set = 0;
            for (const QByteArray &line : request.body.split('\n')) {
                QByteArray status;
                if (line.startsWith("PATCH "))
                    status = line.contains("'n1'") ? "404 Not Found" : "200 OK";
                else if (line.startsWith("POST "))
                    status = "201 Created";
                if (status.isEmpty())
                    continue;
                ++set;
                answer += "--rb\r\nContent-Type: multipart/mixed; boundary=cs" + QByteArray::number(set) + "\r\n\r\n"
                          "--cs" + QByteArray::number(set) + "\r\nContent-Type: application/http\r\n"
                          "Content-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 " + status + "\r\n"
                          "Content-Type: application/json\r\n\r\n{}\r\n--cs" + QByteArray::number(set) + "--\r\n";
            }
            answer += "--rb--\r\n";
            return Http::HttpResponse(200, answer, "multipart/mixed; boundary=rb");
        });
        std::unique_ptr<ODataConnector> connector = makeConnector(4, server.url(u"/svc/"_s), config({{u"batch_size"_s, Data::Value(2)}}));
        WriteRequest upsert;
        upsert.entity = u"Orders"_s;
        upsert.mode = WriteMode::Upsert;
        upsert.records = {parsed("{\"Id\":\"o1\"}"), parsed("{\"Id\":\"n1\"}"), parsed("{\"Id\":\"o2\"}")};
        Result<WriteSummary> summary = connector->write(upsert);
        VERIFY_OK(summary);
        QCOMPARE(summary->updated, 2);
        QCOMPARE(summary->inserted, 1);
        QCOMPARE(bodies.size(), 3); // PATCH o1+n1, POST n1, PATCH o2
        QVERIFY(bodies.at(0).contains("PATCH Orders('o1') HTTP/1.1\r\n"));
        QVERIFY(bodies.at(0).contains("PATCH Orders('n1') HTTP/1.1\r\n"));
        QVERIFY(bodies.at(0).contains("Content-Type: multipart/mixed; boundary=changeset_"));
        QVERIFY(bodies.at(1).contains("POST Orders HTTP/1.1\r\n"));
        QVERIFY(bodies.at(1).contains("{\"Id\":\"n1\"}"));

        // an answer that is cut short
        server.setHandler([](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(4);
            if (request.method == "GET")
                return Http::HttpResponse(200, "{}", "application/json");
            return Http::HttpResponse(200, "--rb\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 201 Created\r\n\r\n{}",
                                      "multipart/mixed; boundary=rb");
        });
        std::unique_ptr<ODataConnector> other = makeConnector(4, server.url(u"/svc/"_s), config({{u"batch_size"_s, Data::Value(5)}}));
        WriteRequest insert;
        insert.entity = u"Orders"_s;
        insert.mode = WriteMode::Insert;
        insert.records = {parsed("{\"Id\":\"x\"}")};
        Result<WriteSummary> cut = other->write(insert);
        VERIFY_ERROR(cut, "malformed_response");
        QVERIFY(cut.error().message.contains(u"$batch"_s));

        // a service that answers only up to its first failed change set (as SAP CAP does
        // without odata.continue-on-error): the rest is sent again
        std::atomic<int> batches{0};
        server.setHandler([&batches](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(4);
            if (request.method == "GET")
                return Http::HttpResponse(200, "{}", "application/json");
            ++batches;
            const QByteArray status = request.body.contains("('miss") ? "404 Not Found" : "204 No Content";
            return Http::HttpResponse(200, "--rb\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 " + status + "\r\n\r\n\r\n--rb--\r\n",
                                      "multipart/mixed; boundary=rb");
        });
        WriteRequest remove;
        remove.entity = u"Orders"_s;
        remove.mode = WriteMode::Delete;
        remove.records = {parsed("{\"Id\":\"miss1\"}"), parsed("{\"Id\":\"a\"}"), parsed("{\"Id\":\"b\"}")};
        Result<WriteSummary> partial = other->write(remove);
        VERIFY_OK(partial);
        QCOMPARE(partial->unchanged, 1);
        QCOMPARE(partial->deleted, 2);
        QCOMPARE(batches.load(), 3);
        QCOMPARE(server.requests().constLast().header("Prefer"), QByteArray("odata.continue-on-error"));
    }

    void pagesOnTheClientWithPageSize()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(4);
            // a service without server paging: $top/$skip over 7 rows
            const int top = request.query.queryItemValue(u"$top"_s).toInt();
            const int skip = request.query.queryItemValue(u"$skip"_s).toInt();
            QByteArray rows;
            for (int i = skip; i < std::min(7, skip + top); ++i)
                rows += (rows.isEmpty() ? "{\"Id\":\"" : ",{\"Id\":\"") + QByteArray::number(i) + "\"}";
            return json("{\"value\":[" + rows + "]}");
        });
        std::unique_ptr<ODataConnector> connector = makeConnector(4, server.url(u"/svc/"_s), config({{u"page_size"_s, Data::Value(3)}}));
        ReadRequest read;
        read.entity = u"Orders"_s;
        read.fields = {u"Id"_s};
        ReadSummary summary;
        Result<std::vector<Data::Value>> records = readAll(*connector, read, &summary);
        VERIFY_OK(records);
        QCOMPARE(records->size(), size_t(7));
        QCOMPARE(summary.pages, 3);
        QCOMPARE(server.requests().at(1).target, QByteArray("/svc/Orders?$select=Id&$orderby=Id&$top=3"));
        QCOMPARE(server.requests().at(2).target, QByteArray("/svc/Orders?$select=Id&$orderby=Id&$top=3&$skip=3"));
        QCOMPARE(server.requests().at(3).target, QByteArray("/svc/Orders?$select=Id&$orderby=Id&$top=3&$skip=6"));

        // a limit and the request's own page size
        read.pageSize = 2;
        read.limit = 3;
        records = readAll(*connector, read, &summary);
        VERIFY_OK(records);
        QCOMPARE(records->size(), size_t(3));
        QCOMPARE(server.requests().constLast().target, QByteArray("/svc/Orders?$select=Id&$orderby=Id&$top=1&$skip=2"));
    }

    void readsIncrementally()
    {
        for (const int version : {2, 4}) {
            TestHttpServer server;
            server.setHandler([version](const Http::HttpRequest &request) {
                if (request.path.endsWith(u"$metadata"))
                    return metadataAnswer(version);
                if (version == 2)
                    return json("{\"d\":{\"results\":[{\"Id\":\"a\",\"ChangedAt\":\"/Date(1704088800500+0000)/\"},"
                                "{\"Id\":\"b\",\"ChangedAt\":\"/Date(1704088800000+0000)/\"}]}}");
                return json("{\"value\":[{\"Id\":\"a\",\"ChangedAt\":\"2024-01-01T06:00:00.500Z\"},"
                            "{\"Id\":\"b\",\"ChangedAt\":\"2024-01-01T06:00:00Z\"}]}");
            });
            std::unique_ptr<ODataConnector> connector = makeConnector(version, server.url(u"/svc/"_s));
            ReadRequest read;
            read.entity = u"Orders"_s;
            read.fields = {u"Id"_s};
            read.filter = Data::Value(u"Amount gt 5 or Amount lt 1"_s);
            read.cursorField = u"ChangedAt"_s;
            read.cursorAfter = Data::Value(u"2023-12-31T23:00:00+01:00"_s);
            ReadSummary summary;
            VERIFY_OK(readAll(*connector, read, &summary));
            const QByteArray literal = version == 2 ? "datetimeoffset'2023-12-31T22:00:00Z'" : "2023-12-31T22:00:00Z";
            QCOMPARE(server.requests().constLast().target,
                     "/svc/Orders?$filter=(Amount%20gt%205%20or%20Amount%20lt%201)%20and%20ChangedAt%20gt%20" + literal
                         + "&$select=Id,ChangedAt&$orderby=ChangedAt");
            // the largest instant, not the largest text
            QCOMPARE(summary.lastCursor.toString(),
                     version == 2 ? u"2024-01-01T06:00:00.500Z"_s : u"2024-01-01T06:00:00.500Z"_s);

            read.cursorField = u"Nope"_s;
            VERIFY_ERROR(readAll(*connector, read), "invalid_request");
            read.cursorField = u"ChangedAt"_s;
            read.cursorAfter = Data::Value(42);
            VERIFY_ERROR(readAll(*connector, read), "invalid_request");
            read.entity = u"Nope"_s;
            VERIFY_ERROR(readAll(*connector, read), "unknown_entity");
        }
    }

    void cancelsBetweenPages()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            if (request.path.endsWith(u"$metadata"))
                return metadataAnswer(4);
            return json("{\"value\":[{\"Id\":\"1\"}],\"@odata.nextLink\":\"Orders?$skiptoken="
                        + QByteArray::number(request.query.queryItemValue(u"$skiptoken"_s).toInt() + 1) + "\"}");
        });
        std::unique_ptr<ODataConnector> connector = makeConnector(4, server.url(u"/svc/"_s));
        CancelToken cancel;
        ReadRequest read;
        read.entity = u"Orders"_s;
        read.cancel = &cancel;
        int pages = 0;
        Result<ReadSummary> result = connector->read(read, [&](std::vector<Data::Value> &&) {
            if (++pages == 3)
                cancel.cancel();
            return true;
        });
        VERIFY_ERROR(result, "cancelled");
        QCOMPARE(pages, 3);

        // a sink that stops
        read.cancel = nullptr;
        Result<ReadSummary> stopped = connector->read(read, [](std::vector<Data::Value> &&) { return false; });
        VERIFY_OK(stopped);
        QVERIFY(stopped->stoppedEarly);
        QCOMPARE(stopped->pages, 1);
    }
};

QTEST_GUILESS_MAIN(TestODataConnector)
#include "tst_odataconnector.moc"
