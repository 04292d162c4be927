// The SOAP connector against local HTTP servers: the envelopes it writes (byte for byte), the
// answers and faults it reads, and what the real peers (tst_soapconnector_peer) cannot show —
// malformed XML, HTML error pages, odd namespace prefixes, SOAP 1.2 faults with several
// subcodes, paging that does not advance.

#include "connectors/soapconnector.h"

#include "connectors/httpclient.h"
#include "data/json.h"
#include "data/xml.h"
#include "testhttpserver.h"
#include "testsupport.h"

#include <QFile>
#include <QTest>

#include <atomic>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;
using Conflux::Tests::TestHttpServer;

namespace {

const QByteArray soap11Ns = "http://schemas.xmlsoap.org/soap/envelope/";
const QByteArray soap12Ns = "http://www.w3.org/2003/05/soap-envelope";

QByteArray readSource(const char *relative)
{
    QFile file(QStringLiteral(CONFLUX_SOURCE_DIR "/") + QString::fromUtf8(relative));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", relative);
    return file.readAll();
}

// The order service's WSDL (the peer's), with its addresses on the test server.
QByteArray ordersWsdl(const TestHttpServer &server)
{
    QByteArray wsdl = readSource("tests/peers/soapsvc/orders.wsdl");
    return wsdl.replace("http://127.0.0.1:8000/", server.url().toString().toUtf8());
}

QByteArray envelope11(const QByteArray &body)
{
    return "<?xml version='1.0' encoding='utf-8'?><soap:Envelope xmlns:soap='" + soap11Ns + "'><soap:Body>" + body
           + "</soap:Body></soap:Envelope>";
}

QByteArray envelope12(const QByteArray &body)
{
    return "<?xml version='1.0' encoding='utf-8'?><env:Envelope xmlns:env='" + soap12Ns + "'><env:Body>" + body
           + "</env:Body></env:Envelope>";
}

Http::HttpResponse xmlResponse(int status, const QByteArray &body, const QByteArray &type = "text/xml; charset=utf-8")
{
    return Http::HttpResponse(status, body, type);
}

using PostHandler = std::function<Http::HttpResponse(const Http::HttpRequest &)>;

// Serves the WSDL on GET ...?wsdl and answers POSTs with `post`.
void serve(TestHttpServer &server, const QByteArray &wsdl, PostHandler post)
{
    server.setHandler([wsdl, post](const Http::HttpRequest &request) {
        if (request.method == "GET") {
            if (request.target.endsWith("?wsdl"))
                return xmlResponse(200, wsdl);
            return Http::HttpResponse(404, "no such document", "text/plain");
        }
        return post(request);
    });
}

Data::Value json(const char *text)
{
    Result<Data::Value> value = Data::Json::parse(QByteArray(text));
    if (!value)
        qFatal("bad JSON in test: %s", qPrintable(value.error().message));
    return *value;
}

EndpointSpec soapEndpoint(const TestHttpServer &server, const char *configuration = "{}",
                          const QString &path = u"/orders"_s)
{
    EndpointSpec spec;
    spec.id = u"orders-test"_s;
    spec.protocol = Protocol::Soap;
    spec.url = server.url(path);
    spec.timeoutSeconds = 5;
    spec.retryAttempts = 0;
    spec.configuration = json(configuration).toObject();
    return spec;
}

std::unique_ptr<SoapConnector> makeConnector(const EndpointSpec &spec, const ConnectorContext &context = {})
{
    Result<std::unique_ptr<Connector>> created = createSoapConnector(spec, context);
    if (!created)
        qFatal("createSoapConnector: %s", qPrintable(created.error().toString()));
    return std::unique_ptr<SoapConnector>(static_cast<SoapConnector *>(created->release()));
}

QString errorText(const Error &error)
{
    return u"[%1] %2"_s.arg(error.code, error.toString());
}

// The error of a failed Result for QVERIFY2 (which evaluates its message even on success).
template<typename R>
QString why(const R &result)
{
    return result ? QString() : errorText(result.error());
}

const QByteArray orderXml =
    "<order currency='CHF'><id>8</id><customer>Globex AG</customer><status>open</status>"
    "<orderDate>2024-02-08</orderDate><total>207.75</total><express>true</express>"
    "<note xsi:nil='true' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'/>"
    "<changedAt>2024-03-01T15:00:00.000Z</changedAt>"
    "<item line='1'><sku>BOLT-M8</sku><quantity>7</quantity><price>0.35</price></item></order>";

} // namespace

class TestSoapConnector : public QObject
{
    Q_OBJECT

private slots:
    void init() { HttpClient::resetSharedState(); }

    void importsTheWsdlAndPicksAPort()
    {
        TestHttpServer server;
        QVERIFY(server.isListening());
        serve(server, ordersWsdl(server), [](const Http::HttpRequest &) { return Http::HttpResponse(500); });

        auto soap11 = makeConnector(soapEndpoint(server));
        Result<ConnectionTest> test = soap11->testConnection();
        QVERIFY2(test, qPrintable(why(test)));
        QVERIFY2(test->serverInfo.startsWith(u"5 operations"), qPrintable(test->serverInfo));
        QVERIFY2(test->serverInfo.contains(u"SOAP 1.1"), qPrintable(test->serverInfo));
        QCOMPARE(soap11->soapVersion(), SoapVersion::Soap11);
        QCOMPARE(soap11->address(), server.url(u"/soap11/orders"_s));
        QCOMPARE(server.requests().constFirst().target, QByteArray("/orders?wsdl"));

        auto soap12 = makeConnector(soapEndpoint(server, "{\"soap_version\": \"1.2\"}"));
        QVERIFY(soap12->testConnection());
        QCOMPARE(soap12->soapVersion(), SoapVersion::Soap12);
        QCOMPARE(soap12->address(), server.url(u"/soap12/orders"_s));

        auto byPort = makeConnector(soapEndpoint(server, "{\"port\": \"OrderPortSoap12\", \"address\": \"endpoint\"}"));
        QVERIFY(byPort->testConnection());
        QCOMPARE(byPort->soapVersion(), SoapVersion::Soap12);
        QCOMPARE(byPort->address(), server.url(u"/orders"_s));

        auto wrongPort = makeConnector(soapEndpoint(server, "{\"port\": \"Nope\"}"));
        Result<ConnectionTest> failed = wrongPort->testConnection();
        VERIFY_ERROR(failed, "invalid_endpoint");
        QVERIFY2(failed.error().toString().contains(u"OrderPortSoap11, OrderPortSoap12"),
                 qPrintable(failed.error().toString()));
    }

    void wsdlProblemsAreClear()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            if (request.rawPath == "/missing")
                return Http::HttpResponse(404, "not here", "text/plain");
            if (request.rawPath == "/login")
                return Http::HttpResponse(200, "<!DOCTYPE html><html><head><title>Logon</title></head></html>",
                                          "text/html");
            if (request.rawPath == "/locked")
                return Http::HttpResponse(401, "who are you?", "text/plain");
            return Http::HttpResponse(200, "<definitions xmlns='http://schemas.xmlsoap.org/wsdl/'><oops", "text/xml");
        });
        Result<ConnectionTest> missing = makeConnector(soapEndpoint(server, "{}", u"/missing"_s))->testConnection();
        VERIFY_ERROR(missing, "wsdl_unavailable");
        QVERIFY2(missing.error().message.contains(u"404"), qPrintable(missing.error().message));
        VERIFY_ERROR(makeConnector(soapEndpoint(server, "{}", u"/login"_s))->testConnection(), "metadata_html");
        VERIFY_ERROR(makeConnector(soapEndpoint(server, "{}", u"/locked"_s))->testConnection(), "authentication_failed");
        Result<ConnectionTest> broken = makeConnector(soapEndpoint(server, "{}", u"/broken"_s))->testConnection();
        VERIFY_ERROR(broken, "xml_syntax");
        QVERIFY2(broken.error().message.contains(u"line 1, column", Qt::CaseInsensitive), qPrintable(broken.error().message));
    }

    void configurationIsChecked()
    {
        TestHttpServer server;
        EndpointSpec spec = soapEndpoint(server, "{\"soap_version\": \"2.0\", \"colour\": \"red\", \"page_size\": 0,"
                                                 " \"entities\": [{\"name\": \"orders\", \"operation\": \"ListOrders\","
                                                 " \"records_path\": \"ListOrdersResponse\","
                                                 " \"request\": {\"offset\": \"{start}\"}},"
                                                 " {\"name\": \"orders\", \"operation\": \"GetOrder\","
                                                 " \"write\": {\"upsert\": \"X\"}}]}");
        Result<std::unique_ptr<Connector>> created = createSoapConnector(spec, {});
        VERIFY_ERROR(created, "invalid_endpoint");
        const QStringList details = created.error().details;
        const QStringList expected{u"/configuration/soap_version"_s, u"/configuration/colour"_s,
                                   u"/configuration/page_size"_s, u"/configuration/entities/0/records_path"_s,
                                   u"/configuration/entities/0/request: unknown placeholder {start}"_s,
                                   u"/configuration/entities/1/name"_s, u"/configuration/entities/1/write/upsert"_s};
        for (const QString &prefix : expected) {
            QVERIFY2(std::any_of(details.begin(), details.end(), [&](const QString &d) { return d.startsWith(prefix); }),
                     qPrintable(prefix + u" not in: "_s + details.join(u" | "_s)));
        }
        QCOMPARE(details.size(), expected.size());
    }

    void writesASoap11EnvelopeInSchemaOrder()
    {
        TestHttpServer server;
        serve(server, ordersWsdl(server), [](const Http::HttpRequest &) {
            return xmlResponse(200, envelope11("<r:CreateOrderResponse xmlns:r='urn:conflux:test:orders'>"
                                               "<r:id>26</r:id><r:changedAt>2024-05-01T10:00:00Z</r:changedAt>"
                                               "</r:CreateOrderResponse>"));
        });
        auto soap = makeConnector(soapEndpoint(server));
        // Members out of schema order; one item, as an array; a nil note; an attribute.
        const Data::Value order = json(
            "{\"order\": {\"item\": [{\"price\": 1.5, \"sku\": \"A-1\", \"quantity\": 2, \"@line\": 1}],"
            " \"express\": true, \"note\": null, \"customer\": \"X & Y\", \"@currency\": \"USD\","
            " \"status\": \"open\", \"orderDate\": \"2024-05-01\", \"total\": null}}");
        Result<Data::Value> answer = soap->call(u"CreateOrder"_s, order);
        QVERIFY2(answer, qPrintable(why(answer)));
        QCOMPARE(*answer, json("{\"CreateOrderResponse\": {\"id\": 26, \"changedAt\": \"2024-05-01T10:00:00Z\"}}"));
        QVERIFY((*answer)[u"CreateOrderResponse"][u"id"].isNumber());

        const Http::HttpRequest sent = server.requests().constLast();
        QCOMPARE(sent.method, QByteArray("POST"));
        QCOMPARE(sent.rawPath, QByteArray("/soap11/orders"));
        QCOMPARE(sent.header("Content-Type"), QByteArray("text/xml; charset=utf-8"));
        QCOMPARE(sent.header("SOAPAction"), QByteArray("\"urn:conflux:test:orders/CreateOrder\""));
        QCOMPARE(sent.body,
                 QByteArray("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                            "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                            "xmlns:ns1=\"urn:conflux:test:orders\" "
                            "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
                            "<soap:Body><ns1:CreateOrder><ns1:order currency=\"USD\">"
                            "<ns1:customer>X &amp; Y</ns1:customer><ns1:status>open</ns1:status>"
                            "<ns1:orderDate>2024-05-01</ns1:orderDate><ns1:express>true</ns1:express>"
                            "<ns1:note xsi:nil=\"true\"/>"
                            "<ns1:item line=\"1\"><ns1:sku>A-1</ns1:sku><ns1:quantity>2</ns1:quantity>"
                            "<ns1:price>1.5</ns1:price></ns1:item>"
                            "</ns1:order></ns1:CreateOrder></soap:Body></soap:Envelope>"));

        // The same call with the part element named: the same envelope.
        Result<Data::Value> again = soap->call(u"CreateOrder"_s, Data::Value(Data::Object{{u"CreateOrder"_s, order}}));
        QVERIFY2(again, qPrintable(why(again)));
        QCOMPARE(server.requests().constLast().body, sent.body);
    }

    void writesASoap12Envelope()
    {
        TestHttpServer server;
        serve(server, ordersWsdl(server), [](const Http::HttpRequest &) {
            return xmlResponse(200, envelope12("<GetOrderResponse xmlns='urn:conflux:test:orders'>" + orderXml
                                               + "</GetOrderResponse>"),
                               "application/soap+xml; charset=utf-8");
        });
        auto soap = makeConnector(soapEndpoint(server, "{\"soap_version\": \"1.2\"}"));
        Result<Data::Value> answer = soap->call(u"GetOrder"_s, json("{\"id\": 8}"));
        QVERIFY2(answer, qPrintable(why(answer)));
        const Http::HttpRequest sent = server.requests().constLast();
        QCOMPARE(sent.rawPath, QByteArray("/soap12/orders"));
        QCOMPARE(sent.header("Content-Type"),
                 QByteArray("application/soap+xml; charset=utf-8; action=\"urn:conflux:test:orders/GetOrder\""));
        QVERIFY(!sent.hasHeader("SOAPAction"));
        QCOMPARE(sent.body, QByteArray("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                                       "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\" "
                                       "xmlns:ns1=\"urn:conflux:test:orders\"><soap:Body><ns1:GetOrder>"
                                       "<ns1:id>8</ns1:id></ns1:GetOrder></soap:Body></soap:Envelope>"));
        QCOMPARE((*answer)[u"GetOrderResponse"][u"order"][u"customer"], Data::Value(u"Globex AG"_s));
    }

    void readsAnswersTypedByTheSchema()
    {
        TestHttpServer server;
        // Prefixes as a server may choose them: the default namespace on the response, a
        // prefixed element inside, a declaration on an inner element.
        const QByteArray list = envelope11(
            "<ListOrdersResponse xmlns='urn:conflux:test:orders'><total>1</total>" + orderXml
            + "</ListOrdersResponse>");
        const QByteArray prefixed = envelope11(
            "<a:ListOrdersResponse xmlns:a='urn:conflux:test:orders'><a:total>1</a:total>"
            "<b:order xmlns:b='urn:conflux:test:orders' currency='CHF'><b:id>8</b:id><a:customer>Globex AG</a:customer>"
            "<b:status>open</b:status><b:orderDate>2024-02-08</b:orderDate><b:total>207.75</b:total>"
            "<b:express>1</b:express><b:note xmlns:i='http://www.w3.org/2001/XMLSchema-instance' i:nil='1'></b:note>"
            "<b:changedAt>2024-03-01T15:00:00.000Z</b:changedAt><b:item line='1'><b:sku>BOLT-M8</b:sku>"
            "<b:quantity> 7 </b:quantity><b:price>0.35</b:price></b:item></b:order></a:ListOrdersResponse>");
        std::atomic<int> which{0};
        serve(server, ordersWsdl(server), [&](const Http::HttpRequest &) {
            return xmlResponse(200, which.load() == 0 ? list : prefixed);
        });
        auto soap = makeConnector(soapEndpoint(server));
        const Data::Value expected = json(
            "{\"ListOrdersResponse\": {\"total\": 1, \"order\": [{\"@currency\": \"CHF\", \"id\": 8,"
            " \"customer\": \"Globex AG\", \"status\": \"open\", \"orderDate\": \"2024-02-08\", \"total\": 207.75,"
            " \"express\": true, \"note\": null, \"changedAt\": \"2024-03-01T15:00:00.000Z\","
            " \"item\": [{\"@line\": 1, \"sku\": \"BOLT-M8\", \"quantity\": 7, \"price\": 0.35}]}]}}");
        Result<Data::Value> first = soap->call(u"ListOrders"_s, json("{\"limit\": 1}"));
        QVERIFY2(first, qPrintable(why(first)));
        QCOMPARE(*first, expected);
        which = 1;
        Result<Data::Value> second = soap->call(u"ListOrders"_s, json("{\"limit\": 1}"));
        QVERIFY2(second, qPrintable(why(second)));
        QCOMPARE(*second, expected);
        // An answer without any order: no member, not an empty array (as the XML codec).
        serve(server, ordersWsdl(server), [&](const Http::HttpRequest &) {
            return xmlResponse(200, envelope11("<ListOrdersResponse xmlns='urn:conflux:test:orders'><total>0</total>"
                                               "</ListOrdersResponse>"));
        });
        Result<Data::Value> empty = soap->call(u"ListOrders"_s, {});
        QVERIFY2(empty, qPrintable(why(empty)));
        QCOMPARE(*empty, json("{\"ListOrdersResponse\": {\"total\": 0}}"));
    }

    void unqualifiedLocalElements()
    {
        // SAP's RFC WSDL: elementFormDefault="unqualified", so only the request element has a prefix.
        TestHttpServer server;
        QByteArray wsdl = readSource("tests/peers/soaprfc/rfc.wsdl");
        wsdl.replace("http://127.0.0.1:8000/", server.url().toString().toUtf8());
        serve(server, wsdl, [](const Http::HttpRequest &) {
            return xmlResponse(
                200, envelope11("<n0:BAPI_VENDOR_GETDETAIL.Response xmlns:n0='urn:sap-com:document:sap:rfc:functions'>"
                                "<COMPANYDETAIL><VENDOR/></COMPANYDETAIL><GENERALDETAIL><VENDOR>0000100001</VENDOR>"
                                "<NAME>Schulz</NAME></GENERALDETAIL><RETURN><TYPE/><NUMBER>000</NUMBER></RETURN>"
                                "</n0:BAPI_VENDOR_GETDETAIL.Response>"));
        });
        auto soap = makeConnector(soapEndpoint(server, "{}", u"/sap/bc/soap/rfc"_s));
        Result<Data::Value> answer = soap->call(u"BAPI_VENDOR_GETDETAIL"_s, json("{\"VENDORNO\": \"0000100001\"}"));
        QVERIFY2(answer, qPrintable(why(answer)));
        const Http::HttpRequest sent = server.requests().constLast();
        QVERIFY2(sent.body.contains("<soap:Body><ns1:BAPI_VENDOR_GETDETAIL><VENDORNO>0000100001</VENDORNO>"
                                    "</ns1:BAPI_VENDOR_GETDETAIL></soap:Body>"),
                 sent.body.constData());
        QVERIFY(sent.body.contains("xmlns:ns1=\"urn:sap-com:document:sap:rfc:functions\""));
        QCOMPARE(sent.header("SOAPAction"), QByteArray("\"urn:sap-com:document:sap:rfc:functions:BAPI_VENDOR_GETDETAIL\""));
        // Empty string elements stay "" (not null), NUMC stays text.
        QCOMPARE(*answer, json("{\"BAPI_VENDOR_GETDETAIL.Response\": {\"COMPANYDETAIL\": {\"VENDOR\": \"\"},"
                               " \"GENERALDETAIL\": {\"VENDOR\": \"0000100001\", \"NAME\": \"Schulz\"},"
                               " \"RETURN\": {\"TYPE\": \"\", \"NUMBER\": \"000\"}}}"));
    }

    void requestsThatDoNotFitTheSchema_data()
    {
        QTest::addColumn<QString>("operation");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("detail");
        QTest::addRow("unknown member") << u"GetOrder"_s << QByteArray("{\"id\": 1, \"idd\": 2}")
                                        << u"/idd: element <GetOrder> has no child element \"idd\" (it has: id)"_s;
        QTest::addRow("array for a single element")
            << u"GetOrder"_s << QByteArray("{\"id\": [1, 2]}") << u"/id: element <id> occurs at most once"_s;
        QTest::addRow("object for text") << u"GetOrder"_s << QByteArray("{\"id\": {\"x\": 1}}")
                                         << u"/id: element <id> holds text"_s;
        QTest::addRow("text for a structure")
            << u"CreateOrder"_s << QByteArray("{\"order\": \"big\"}") << u"/order: element <order> has child elements"_s;
        QTest::addRow("unknown attribute")
            << u"CreateOrder"_s << QByteArray("{\"order\": {\"customer\": \"c\", \"item\": [{\"@colour\": \"red\"}]}}")
            << u"/order/item/0/@colour: element <item> has no attribute \"colour\""_s;
    }

    void requestsThatDoNotFitTheSchema()
    {
        QFETCH(QString, operation);
        QFETCH(QByteArray, body);
        QFETCH(QString, detail);
        TestHttpServer server;
        serve(server, ordersWsdl(server), [](const Http::HttpRequest &) { return Http::HttpResponse(500); });
        auto soap = makeConnector(soapEndpoint(server));
        Result<Data::Value> answer = soap->call(operation, json(body.constData()));
        VERIFY_ERROR(answer, "soap_invalid_request");
        QVERIFY2(answer.error().details.join(u'\n').contains(detail), qPrintable(answer.error().toString()));
        for (const Http::HttpRequest &r : server.requests())
            QCOMPARE(r.method, QByteArray("GET")); // nothing was sent

        VERIFY_ERROR(soap->call(u"PlaceOrder"_s, {}), "unknown_operation");
    }

    void faultsBecomeErrors_data()
    {
        QTest::addColumn<QByteArray>("version");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("answer");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QStringList>("details");

        const QByteArray detail = "<tns:orderFault xmlns:tns=\"urn:conflux:test:orders\"><tns:code>NOT_FOUND</tns:code>"
                                  "<tns:orderId>99</tns:orderId></tns:orderFault>";
        QTest::addRow("1.1 with detail") << QByteArray("1.1") << 500
                                         << envelope11("<soap:Fault><faultcode>soap:Client</faultcode>"
                                                       "<faultstring>Order 99 does not exist</faultstring>"
                                                       "<detail>" + detail + "</detail></soap:Fault>")
                                         << u"soap:Client: Order 99 does not exist"_s
                                         << QStringList{u"faultcode: soap:Client"_s,
                                                        u"faultstring: Order 99 does not exist"_s,
                                                        u"detail: "_s + QString::fromUtf8(detail)};
        // A fault may come with 200 from lax servers; the detail's prefix declared above it.
        QTest::addRow("1.1 with 200 and an inherited prefix")
            << QByteArray("1.1") << 200
            << QByteArray("<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/' xmlns:t='urn:t'><s:Body>"
                          "<s:Fault><faultcode>s:Server</faultcode><faultstring>down</faultstring>"
                          "<faultactor>urn:node</faultactor><detail><t:why>disk</t:why></detail></s:Fault></s:Body></s:Envelope>")
            << u"s:Server: down"_s
            << QStringList{u"faultcode: s:Server"_s, u"faultstring: down"_s, u"faultactor: urn:node"_s,
                           u"detail: <t:why xmlns:t=\"urn:t\">disk</t:why>"_s};
        QTest::addRow("1.2 with subcodes")
            << QByteArray("1.2") << 400
            << envelope12("<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode>"
                          "<env:Value xmlns:t='urn:conflux:test:orders'>t:OrderNotFound</env:Value>"
                          "<env:Subcode><env:Value>t:Gone</env:Value></env:Subcode></env:Subcode></env:Code>"
                          "<env:Reason><env:Text xml:lang='de'>Auftrag fehlt</env:Text>"
                          "<env:Text xml:lang='en'>Order 99 does not exist</env:Text></env:Reason>"
                          "<env:Detail>" + detail + "</env:Detail></env:Fault>")
            << u"env:Sender (t:OrderNotFound / t:Gone): Order 99 does not exist"_s
            << QStringList{u"Code: env:Sender"_s, u"Subcode: t:OrderNotFound / t:Gone"_s,
                           u"Reason: Order 99 does not exist"_s, u"Detail: "_s + QString::fromUtf8(detail)};
        QTest::addRow("1.2 version mismatch")
            << QByteArray("1.2") << 500
            << envelope12("<env:Fault><env:Code><env:Value>env:VersionMismatch</env:Value></env:Code>"
                          "<env:Reason><env:Text xml:lang='en'>wrong envelope</env:Text></env:Reason></env:Fault>")
            << u"env:VersionMismatch: wrong envelope"_s
            << QStringList{u"Code: env:VersionMismatch"_s, u"Reason: wrong envelope"_s};
    }

    void faultsBecomeErrors()
    {
        QFETCH(QByteArray, version);
        QFETCH(int, status);
        QFETCH(QByteArray, answer);
        QFETCH(QString, message);
        QFETCH(QStringList, details);
        TestHttpServer server;
        serve(server, ordersWsdl(server), [&](const Http::HttpRequest &) { return xmlResponse(status, answer); });
        auto soap = makeConnector(soapEndpoint(server, version == "1.2" ? "{\"soap_version\": \"1.2\"}" : "{}"));
        Result<Data::Value> result = soap->call(u"GetOrder"_s, json("{\"id\": 99}"));
        VERIFY_ERROR(result, "soap_fault");
        QVERIFY2(result.error().message.contains(message), qPrintable(result.error().message));
        QVERIFY2(result.error().message.contains(u"HTTP %1"_s.arg(status)), qPrintable(result.error().message));
        QCOMPARE(result.error().details, details);
        QVERIFY(soap->lastFault().isObject());
        if (version == "1.1" && status == 500)
            QCOMPARE(soap->lastFault()[u"detail"][u"orderFault"][u"code"], Data::Value(u"NOT_FOUND"_s));
        if (details.size() == 4 && version == "1.2")
            QCOMPARE(soap->lastFault()[u"Subcode"], json("[\"t:OrderNotFound\", \"t:Gone\"]"));
    }

    void badAnswersAreClearErrors_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("text");
        QTest::addRow("malformed XML") << 200 << QByteArray("text/xml")
                                       << QByteArray("<soap:Envelope xmlns:soap='" + soap11Ns + "'><soap:Body><x>")
                                       << u"soap_invalid_response"_s << u"not well-formed XML"_s;
        QTest::addRow("malformed XML with 500") << 500 << QByteArray("text/xml") << QByteArray("<a><b></a>")
                                                << u"soap_http_error"_s << u"line 1"_s;
        QTest::addRow("HTML error page")
            << 502 << QByteArray("text/html")
            << QByteArray("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>")
            << u"soap_http_error"_s << u"an HTML page (\"502 Bad Gateway\")"_s;
        QTest::addRow("HTML logon page with 200")
            << 200 << QByteArray("text/html; charset=utf-8")
            << QByteArray("<html><head><title>SAP Logon</title></head></html>") << u"soap_invalid_response"_s
            << u"SAP Logon"_s;
        QTest::addRow("plain 404") << 404 << QByteArray("text/plain") << QByteArray("no such service")
                                   << u"soap_http_error"_s << u"HTTP 404"_s;
        QTest::addRow("401 without fault") << 401 << QByteArray("text/plain") << QByteArray("logon failed")
                                           << u"authentication_failed"_s << u"HTTP 401"_s;
        QTest::addRow("not an envelope") << 200 << QByteArray("text/xml") << QByteArray("<GetOrderResponse/>")
                                         << u"soap_invalid_response"_s << u"not a SOAP Envelope"_s;
        QTest::addRow("undeclared prefix") << 200 << QByteArray("text/xml")
                                           << envelope11("<x:GetOrderResponse><x:order/></x:GetOrderResponse>")
                                           << u"soap_invalid_response"_s << u"prefix of element <x:GetOrderResponse>"_s;
        QTest::addRow("wrong answer element")
            << 200 << QByteArray("text/xml") << envelope11("<ListOrdersResponse xmlns='urn:conflux:test:orders'/>")
            << u"soap_invalid_response"_s << u"no element <GetOrderResponse> in namespace urn:conflux:test:orders"_s;
        QTest::addRow("empty body") << 200 << QByteArray("text/xml") << QByteArray() << u"soap_invalid_response"_s
                                    << u"empty"_s;
        QTest::addRow("envelope of the other version")
            << 200 << QByteArray("application/soap+xml") << envelope12("<GetOrderResponse xmlns='urn:conflux:test:orders'/>")
            << u"soap_invalid_response"_s << u"a SOAP 1.2 envelope answered a SOAP 1.1 request"_s;
    }

    void badAnswersAreClearErrors()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        QFETCH(QString, text);
        TestHttpServer server;
        serve(server, ordersWsdl(server), [&](const Http::HttpRequest &) { return xmlResponse(status, body, contentType); });
        auto soap = makeConnector(soapEndpoint(server));
        Result<Data::Value> result = soap->call(u"GetOrder"_s, json("{\"id\": 1}"));
        QVERIFY2(!result, "the call succeeded");
        QCOMPARE(result.error().code, code);
        QVERIFY2(result.error().message.contains(text), qPrintable(result.error().message));
        QVERIFY(soap->lastFault().isUndefined());
    }

    void recognisesFaultEnvelopes_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("fault");
        const QByteArray fault11 = "<soap:Fault><faultcode>soap:Server</faultcode><faultstring>busy</faultstring></soap:Fault>";
        QTest::addRow("SOAP 1.1 fault") << envelope11(fault11) << true;
        QTest::addRow("SOAP 1.2 fault")
            << envelope12("<env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason>"
                          "<env:Text xml:lang='en'>busy</env:Text></env:Reason></env:Fault>")
            << true;
        QTest::addRow("unprefixed SOAP 1.1") << QByteArray("<Envelope xmlns='" + soap11Ns + "'><Body><Fault><faultcode>Server"
                                                           "</faultcode><faultstring>busy</faultstring></Fault></Body></Envelope>")
                                             << true;
        QTest::addRow("unprefixed SOAP 1.2") << QByteArray("<Envelope xmlns='" + soap12Ns + "'><Body><Fault/></Body></Envelope>")
                                             << true;
        QTest::addRow("other prefix, after a Header")
            << QByteArray("<?xml version='1.0'?>\n<!-- answer -->\n<S:Envelope xmlns:S='" + soap12Ns
                          + "'>\n  <S:Header><h:trace xmlns:h='urn:trace'><h:step>1</h:step></h:trace></S:Header>\n"
                            "  <S:Body>\n    <S:Fault><S:Code><S:Value>S:Sender</S:Value></S:Code></S:Fault>\n  </S:Body>\n"
                            "</S:Envelope>")
            << true;
        QTest::addRow("cut short after the Fault")
            << QByteArray("<soap:Envelope xmlns:soap='" + soap11Ns + "'><soap:Body><soap:Fault><faultcode>soap:Se") << true;
        QTest::addRow("answer") << envelope11("<GetOrderResponse xmlns='urn:conflux:test:orders'><order><id>8</id></order>"
                                              "</GetOrderResponse>")
                                << false;
        QTest::addRow("Fault inside text content")
            << envelope11("<GetOrderResponse xmlns='urn:conflux:test:orders'><note>soap:Fault &lt;soap:Fault&gt; &lt;Fault/&gt;"
                          "</note></GetOrderResponse>")
            << false;
        QTest::addRow("Fault as the Body's text") << envelope11("soap:Fault") << false;
        QTest::addRow("Fault after the first child") << envelope11("<x:Notice xmlns:x='urn:x'/>" + fault11) << false;
        QTest::addRow("Fault of another namespace")
            << envelope11("<v:Fault xmlns:v='urn:vendor'><faultcode>Server</faultcode></v:Fault>") << false;
        QTest::addRow("Fault of the other SOAP version")
            << envelope11("<env:Fault xmlns:env='" + soap12Ns + "'><env:Reason/></env:Fault>") << false;
        QTest::addRow("Fault in the Header only")
            << QByteArray("<soap:Envelope xmlns:soap='" + soap11Ns + "'><soap:Header><soap:Fault/></soap:Header><soap:Body>"
                          "<GetOrderResponse xmlns='urn:conflux:test:orders'/></soap:Body></soap:Envelope>")
            << false;
        QTest::addRow("a Fault that is not in an envelope") << QByteArray("<Fault xmlns='" + soap11Ns + "'/>") << false;
        QTest::addRow("an envelope of another namespace")
            << QByteArray("<soap:Envelope xmlns:soap='urn:not-soap'><soap:Body><soap:Fault/></soap:Body></soap:Envelope>") << false;
        QTest::addRow("undeclared prefix") << QByteArray("<soap:Envelope><soap:Body><soap:Fault/></soap:Body></soap:Envelope>")
                                           << false;
        QTest::addRow("HTML error page")
            << QByteArray("<html><head><title>500 soap:Fault</title></head><body>:Fault <Fault/></body></html>") << false;
        QTest::addRow("not XML") << QByteArray("Internal Server Error: soap:Fault <Fault") << false;
        QTest::addRow("empty body") << QByteArray() << false;
    }

    void recognisesFaultEnvelopes()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, fault);
        QCOMPARE(Soap::isFaultEnvelope(body), fault);
    }

    // A fault is the service's answer and spares the circuit breaker; a 5xx whose body only
    // mentions a fault in its text is the server failing and counts against it.
    void onlyRealFaultsSpareTheCircuitBreaker_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("third");
        QTest::addRow("fault") << envelope11("<soap:Fault><faultcode>soap:Server</faultcode><faultstring>busy</faultstring>"
                                             "</soap:Fault>")
                               << u"soap_fault"_s;
        QTest::addRow("error page that mentions a fault")
            << QByteArray("<error><text>expected soap:Fault, got &lt;Fault&gt;</text></error>") << u"circuit_open"_s;
    }

    void onlyRealFaultsSpareTheCircuitBreaker()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, third);
        TestHttpServer server;
        std::atomic<int> posts{0};
        serve(server, ordersWsdl(server), [&](const Http::HttpRequest &) {
            ++posts;
            return xmlResponse(500, body);
        });
        auto soap = makeConnector(soapEndpoint(server, "{\"circuit_breaker\": {\"failure_threshold\": 2}}"));
        for (int i = 0; i < 2; ++i) {
            Result<Data::Value> result = soap->call(u"GetOrder"_s, json("{\"id\": 1}"));
            QVERIFY2(!result, "the call succeeded");
            QCOMPARE(result.error().code, third == "soap_fault"_L1 ? u"soap_fault"_s : u"soap_http_error"_s);
        }
        Result<Data::Value> result = soap->call(u"GetOrder"_s, json("{\"id\": 1}"));
        QVERIFY2(!result, "the call succeeded");
        QVERIFY2(result.error().code == third, qPrintable(errorText(result.error())));
        QCOMPARE(posts.load(), third == "soap_fault"_L1 ? 3 : 2);
    }

    void discoversEntities()
    {
        TestHttpServer server;
        serve(server, ordersWsdl(server), [](const Http::HttpRequest &) { return Http::HttpResponse(500); });
        auto soap = makeConnector(soapEndpoint(
            server, "{\"entities\": [{\"name\": \"orders\", \"operation\": \"ListOrders\","
                    " \"records_path\": \"/ListOrdersResponse/order\", \"key\": \"id\", \"cursor_field\": \"changedAt\","
                    " \"cursor_parameter\": \"changedSince\", \"write\": {\"insert\": \"CreateOrder\","
                    " \"update\": \"UpdateOrder\", \"delete\": \"DeleteOrder\"}}]}"));
        Result<std::vector<Entity>> entities = soap->discover();
        QVERIFY2(entities, qPrintable(why(entities)));
        QCOMPARE(entities->size(), size_t(1));
        const Entity &orders = entities->front();
        QCOMPARE(orders.name, u"orders"_s);
        QCOMPARE(orders.keyFields, QStringList{u"id"_s});
        QCOMPARE(orders.cursorField, u"changedAt"_s);
        QVERIFY(orders.capabilities.testFlag(Capability::IncrementalRead));
        QVERIFY(orders.capabilities.testFlag(Capability::Delete));
        QVERIFY(orders.schema.types.testFlag(Data::SchemaType::Object));
        QVERIFY(orders.schema.field(u"id"));
        QVERIFY(orders.schema.field(u"id")->types.testFlag(Data::SchemaType::Integer));
        QVERIFY(orders.schema.field(u"@currency"));
        QVERIFY(orders.schema.field(u"note")->isNullable());
        const Data::SchemaField *items = orders.schema.field(u"item");
        QVERIFY(items && items->isRepeated());
        QCOMPARE(items->path, u"item"_s);
        QCOMPARE(items->item()->field(u"price")->path, u"item[]/price"_s);
        QCOMPARE(orders.schema.field(u"changedAt")->format, Data::StringFormat::DateTime);

        // A cursor field without a way to send the cursor: no incremental reads.
        auto tracking = makeConnector(soapEndpoint(
            server, "{\"entities\": [{\"name\": \"orders\", \"operation\": \"ListOrders\","
                    " \"records_path\": \"/ListOrdersResponse/order\", \"cursor_field\": \"changedAt\"}]}"));
        QVERIFY(!tracking->capabilities().testFlag(Capability::IncrementalRead));
        ReadRequest incremental;
        incremental.entity = u"orders"_s;
        incremental.cursorField = u"changedAt"_s;
        VERIFY_ERROR(tracking->read(incremental, [](std::vector<Data::Value> &&) { return true; }), "unsupported");

        // Without configured entities every operation is one.
        auto plain = makeConnector(soapEndpoint(server));
        Result<std::vector<Entity>> operations = plain->discover();
        QVERIFY(operations);
        QCOMPARE(operations->size(), size_t(5));
        QCOMPARE(operations->at(1).name, u"GetOrder"_s);
        QVERIFY(operations->at(1).schema.field(u"GetOrderResponse"));
    }

    void readsPagesAndIncrementally()
    {
        TestHttpServer server;
        // 5 orders; the server pages by offset/limit and filters by changedSince.
        serve(server, ordersWsdl(server), [](const Http::HttpRequest &request) {
            const Result<Data::Value> envelope = Data::Xml::read(request.body);
            const Data::Value call = (*envelope)[u"soap:Envelope"][u"soap:Body"][u"ns1:ListOrders"];
            const int offset = call[u"ns1:offset"].toString().toInt();
            const int limit = call[u"ns1:limit"].toString().toInt();
            const int since = call[u"ns1:changedSince"].isUndefined()
                                  ? 0
                                  : call[u"ns1:changedSince"].toString().mid(11, 2).toInt();
            QByteArray orders;
            int total = 0;
            for (int id = 1; id <= 5; ++id) {
                if (id <= since)
                    continue;
                if (total >= offset && total < offset + limit)
                    orders += "<order><id>" + QByteArray::number(id) + "</id><customer>c</customer><status>open</status>"
                              "<orderDate>2024-01-01</orderDate><express>false</express><changedAt>2024-01-01T0"
                              + QByteArray::number(id) + ":00:00Z</changedAt></order>";
                ++total;
            }
            return xmlResponse(200, envelope11("<ListOrdersResponse xmlns='urn:conflux:test:orders'><total>"
                                               + QByteArray::number(total) + "</total>" + orders + "</ListOrdersResponse>"));
        });
        auto soap = makeConnector(soapEndpoint(
            server, "{\"entities\": [{\"name\": \"orders\", \"operation\": \"ListOrders\","
                    " \"records_path\": \"/ListOrdersResponse/order\", \"key\": \"id\", \"cursor_field\": \"changedAt\","
                    " \"cursor_parameter\": \"changedSince\", \"request\": {\"offset\": \"{offset}\", \"limit\": \"{limit}\"}}]}"));
        ReadRequest request;
        request.entity = u"orders"_s;
        request.pageSize = 2;
        QList<QList<int>> pages;
        const PageSink sink = [&](std::vector<Data::Value> &&records) {
            QList<int> ids;
            for (const Data::Value &r : records)
                ids.append(int(r[u"id"].toInt64()));
            pages.append(ids);
            return true;
        };
        Result<ReadSummary> summary = soap->read(request, sink);
        QVERIFY2(summary, qPrintable(why(summary)));
        QCOMPARE(pages, (QList<QList<int>>{{1, 2}, {3, 4}, {5}}));
        QCOMPARE(summary->records, 5);
        QCOMPARE(summary->pages, 3);
        QCOMPARE(summary->lastCursor, Data::Value(u"2024-01-01T05:00:00Z"_s));
        const QByteArray firstCall = server.requests().at(1).body;
        QVERIFY2(firstCall.contains("<ns1:ListOrders><ns1:offset>0</ns1:offset><ns1:limit>2</ns1:limit></ns1:ListOrders>"),
                 firstCall.constData());

        pages.clear();
        request.cursorField = u"changedAt"_s;
        request.cursorAfter = Data::Value(u"2024-01-01T03:00:00Z"_s);
        request.fields = QStringList{u"id"_s};
        summary = soap->read(request, sink);
        QVERIFY2(summary, qPrintable(why(summary)));
        QCOMPARE(pages, (QList<QList<int>>{{4, 5}}));
        QVERIFY2(server.requests().constLast().body.contains("<ns1:changedSince>2024-01-01T03:00:00Z</ns1:changedSince>"),
                 server.requests().constLast().body.constData());

        pages.clear();
        request = ReadRequest{};
        request.entity = u"orders"_s;
        request.pageSize = 2;
        request.limit = 3;
        summary = soap->read(request, sink);
        QVERIFY(summary);
        QCOMPARE(pages, (QList<QList<int>>{{1, 2}, {3}}));
        QVERIFY(summary->stoppedEarly);

        request.entity = u"nothing"_s;
        VERIFY_ERROR(soap->read(request, sink), "unknown_entity");
    }

    void pagingThatDoesNotAdvanceStops()
    {
        TestHttpServer server;
        serve(server, ordersWsdl(server), [](const Http::HttpRequest &) {
            return xmlResponse(200, envelope11("<ListOrdersResponse xmlns='urn:conflux:test:orders'><total>9</total>"
                                               "<order><id>1</id></order><order><id>2</id></order></ListOrdersResponse>"));
        });
        auto soap = makeConnector(soapEndpoint(
            server, "{\"entities\": [{\"name\": \"orders\", \"operation\": \"ListOrders\","
                    " \"records_path\": \"/ListOrdersResponse/order\", \"request\": {\"offset\": \"{offset}\"}}]}"));
        ReadRequest request;
        request.entity = u"orders"_s;
        int pages = 0;
        Result<ReadSummary> summary = soap->read(request, [&](std::vector<Data::Value> &&) { return ++pages < 100; });
        VERIFY_ERROR(summary, "paging_stuck");
        QCOMPARE(pages, 1);

        // A records_path the answer cannot have is an error, not an empty read.
        auto typo = makeConnector(soapEndpoint(
            server, "{\"entities\": [{\"name\": \"orders\", \"operation\": \"ListOrders\","
                    " \"records_path\": \"/ListOrdersResponse/orders\"}]}"));
        Result<ReadSummary> wrong = typo->read(request, [&](std::vector<Data::Value> &&) { return true; });
        VERIFY_ERROR(wrong, "invalid_endpoint");
        QVERIFY2(wrong.error().message.contains(u"/ListOrdersResponse/orders is not in the answer of ListOrders"),
                 qPrintable(wrong.error().message));
    }

    void writesRecordsThroughOperations()
    {
        TestHttpServer server;
        serve(server, ordersWsdl(server), [](const Http::HttpRequest &request) {
            const QByteArray action = request.header("SOAPAction");
            if (action.contains("CreateOrder"))
                return xmlResponse(200, envelope11("<CreateOrderResponse xmlns='urn:conflux:test:orders'><id>30</id>"
                                                   "<changedAt>2024-01-01T00:00:00Z</changedAt></CreateOrderResponse>"));
            if (action.contains("UpdateOrder"))
                return xmlResponse(200, envelope11("<UpdateOrderResponse xmlns='urn:conflux:test:orders'><updated>true"
                                                   "</updated><changedAt>2024-01-01T00:00:00Z</changedAt></UpdateOrderResponse>"));
            if (request.body.contains("<ns1:id>404</ns1:id>"))
                return xmlResponse(500, envelope11("<soap:Fault><faultcode>soap:Client</faultcode><faultstring>Order 404 "
                                                   "does not exist</faultstring></soap:Fault>"));
            return xmlResponse(200, envelope11("<DeleteOrderResponse xmlns='urn:conflux:test:orders'><deleted>true"
                                               "</deleted></DeleteOrderResponse>"));
        });
        auto soap = makeConnector(soapEndpoint(
            server, "{\"entities\": [{\"name\": \"orders\", \"key\": \"id\", \"write\": {\"insert\": \"CreateOrder\","
                    " \"update\": \"UpdateOrder\", \"delete\": {\"operation\": \"DeleteOrder\", \"request\": {\"id\": \"{id}\"}}}}]}"));
        WriteRequest upsert;
        upsert.entity = u"orders"_s;
        upsert.records = {json("{\"customer\": \"new\", \"status\": \"open\", \"orderDate\": \"2024-01-01\", \"express\": false}"),
                          json("{\"id\": 7, \"customer\": \"old\", \"status\": \"shipped\", \"orderDate\": \"2024-01-01\","
                               " \"express\": true}")};
        Result<WriteSummary> written = soap->write(upsert);
        QVERIFY2(written, qPrintable(why(written)));
        QCOMPARE(written->inserted, 1);
        QCOMPARE(written->updated, 1);
        QList<Http::HttpRequest> posts;
        for (const Http::HttpRequest &r : server.requests()) {
            if (r.method == "POST")
                posts.append(r);
        }
        QCOMPARE(posts.size(), 2);
        QVERIFY2(posts[0].body.contains("<ns1:CreateOrder><ns1:order><ns1:customer>new</ns1:customer>"),
                 posts[0].body.constData());
        QVERIFY2(posts[1].body.contains("<ns1:UpdateOrder><ns1:order><ns1:id>7</ns1:id><ns1:customer>old"),
                 posts[1].body.constData());

        WriteRequest remove;
        remove.entity = u"orders"_s;
        remove.mode = WriteMode::Delete;
        remove.records = {json("{\"id\": 7, \"customer\": \"old\"}"), json("{\"id\": 404}")};
        Result<WriteSummary> deleted = soap->write(remove);
        VERIFY_ERROR(deleted, "soap_fault");
        QVERIFY2(deleted.error().message.startsWith(u"Record 1 of orders (1 written before it)"),
                 qPrintable(deleted.error().message));
        QVERIFY(server.requests().at(server.requests().size() - 2).body.contains(
            "<ns1:DeleteOrder><ns1:id>7</ns1:id></ns1:DeleteOrder>"));

        remove.records = {json("{\"customer\": \"no key\"}")};
        VERIFY_ERROR(soap->write(remove), "invalid_request");
    }

    void rpcLiteral()
    {
        TestHttpServer server;
        const QByteArray wsdl =
            "<definitions xmlns='http://schemas.xmlsoap.org/wsdl/' xmlns:soap='http://schemas.xmlsoap.org/wsdl/soap/'"
            " xmlns:xsd='http://www.w3.org/2001/XMLSchema' xmlns:tns='urn:calc' targetNamespace='urn:calc'>"
            "<message name='AddIn'><part name='a' type='xsd:int'/><part name='b' type='xsd:int'/></message>"
            "<message name='AddOut'><part name='sum' type='xsd:long'/></message>"
            "<portType name='Calc'><operation name='Add'><input message='tns:AddIn'/><output message='tns:AddOut'/>"
            "</operation></portType>"
            "<binding name='CalcBinding' type='tns:Calc'><soap:binding style='rpc' transport='http://schemas.xmlsoap.org/soap/http'/>"
            "<operation name='Add'><soap:operation soapAction=''/>"
            "<input><soap:body use='literal' namespace='urn:calc'/></input>"
            "<output><soap:body use='literal' namespace='urn:calc'/></output></operation></binding>"
            "<service name='CalcService'><port name='CalcPort' binding='tns:CalcBinding'>"
            "<soap:address location='/calc'/></port></service></definitions>";
        serve(server, wsdl, [](const Http::HttpRequest &) {
            return xmlResponse(200, envelope11("<c:AddResponse xmlns:c='urn:calc'><sum>12345678901234567890</sum>"
                                               "</c:AddResponse>"));
        });
        auto soap = makeConnector(soapEndpoint(server, "{}", u"/calc"_s));
        Result<Data::Value> answer = soap->call(u"Add"_s, json("{\"a\": 2, \"b\": 3}"));
        QVERIFY2(answer, qPrintable(why(answer)));
        QVERIFY2(server.requests().constLast().body.contains("<soap:Body><ns1:Add><a>2</a><b>3</b></ns1:Add></soap:Body>"),
                 server.requests().constLast().body.constData());
        QCOMPARE(server.requests().constLast().header("SOAPAction"), QByteArray("\"\""));
        QCOMPARE(server.requests().constLast().rawPath, QByteArray("/calc"));
        QCOMPARE((*answer)[u"AddResponse"][u"sum"].exactText(), u"12345678901234567890"_s);
    }

    void cancelledBeforeTheCall()
    {
        TestHttpServer server;
        serve(server, ordersWsdl(server), [](const Http::HttpRequest &) { return Http::HttpResponse(500); });
        auto soap = makeConnector(soapEndpoint(server));
        CancelToken cancel;
        cancel.cancel();
        VERIFY_ERROR(soap->call(u"GetOrder"_s, json("{\"id\": 1}"), &cancel), "cancelled");
        QCOMPARE(server.requestCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSoapConnector)
#include "tst_soapconnector.moc"
