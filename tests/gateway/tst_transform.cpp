#include <gateway/transform.h>

#include <data/json.h>
#include <mapping/mappingdocument.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QThread>
#include <QTimeZone>

#include <atomic>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using Conflux::Error;
using Conflux::Result;
using Conflux::Gateway::MappingLookup;
using Conflux::Gateway::TransformChain;
using Conflux::Gateway::TransformContext;
using Conflux::Gateway::TransformLimits;
using Conflux::Gateway::TransformMessage;
using Conflux::Http::HttpHeaders;
using Conflux::Mapping::CompiledMapping;

namespace {

const QString requestRules = u"/transformation_rules/request"_s;

// JSON written with single quotes, so the tests stay readable without raw strings (which
// confuse moc in a Q_OBJECT file). A literal single quote cannot be written this way.
QByteArray js(const char *text)
{
    return QByteArray(text).replace('\'', '"');
}

QJsonArray rulesFrom(const char *text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(js(text), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test rules: %s", qPrintable(error.errorString()));
    return document.array();
}

// The shop-order mapping of the sample project, reduced: one required field, one check.
std::shared_ptr<const CompiledMapping> orderMapping()
{
    const Result<Conflux::Data::Value> document = Conflux::Data::Json::parse(js(
        "{'kind':'Mapping','schemaVersion':2,'id':'shop-order-to-erp','name':'m',"
        "'rules':[{'target':'order_number','type':'field_mapping','source':'id','required':true},"
        "{'target':'customer_name','type':'uppercase','source':'customer.name'},"
        "{'target':'route','type':'expression','expression':'$route'}],"
        "'validation':[{'field':'customer_name','rule':'pattern','pattern':'^[A-Z ]+$','message':'letters only'}]}"));
    Result<CompiledMapping> mapping = CompiledMapping::compile(document.value());
    if (!mapping)
        qFatal("bad test mapping: %s", qPrintable(mapping.error().message));
    return std::make_shared<const CompiledMapping>(std::move(mapping).value());
}

MappingLookup lookup()
{
    auto mapping = orderMapping();
    return [mapping](const QString &id) {
        return id == u"shop-order-to-erp" ? mapping : nullptr;
    };
}

TransformChain chain(const char *rules, const TransformLimits &limits = {})
{
    Result<TransformChain> compiled = TransformChain::compile(rulesFrom(rules), lookup(), requestRules, limits);
    if (!compiled)
        qFatal("rules do not compile: %s", qPrintable(compiled.error().toString()));
    return std::move(compiled).value();
}

TransformContext context()
{
    TransformContext c;
    c.requestId = "req-42";
    c.clientIp = u"192.0.2.7"_s;
    c.clientId = u"shop-frontend"_s;
    c.routeId = u"orders-api"_s;
    c.now = QDateTime(QDate(2024, 3, 5), QTime(14, 7, 9, 81), Qt::UTC);
    return c;
}

TransformMessage message(const QByteArray &body, const QByteArray &contentType = "application/json")
{
    TransformMessage m;
    m.headers.append("Host", "api.example.test");
    if (!contentType.isEmpty())
        m.headers.append("Content-Type", contentType);
    if (!body.isEmpty())
        m.headers.append("Content-Length", QByteArray::number(body.size()));
    m.body = body;
    return m;
}

// Applies and returns the error (empty code on success).
Error applyTo(const TransformChain &c, TransformMessage &m, const TransformContext &ctx = context())
{
    const Result<void> r = c.apply(m, ctx);
    return r ? Error{} : r.error();
}

const char *envelope11 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                         "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">";

} // namespace

class tst_Transform : public QObject
{
    Q_OBJECT

private slots:
    void emptyChain();
    void fieldMapping_data();
    void fieldMapping();
    void fieldMappingKeepsContentTypeAndDropsLength();
    void jsonataBindings();
    void jsonataUndefinedEmptiesTheBody();
    void jsonataEvaluationError();
    void mappingOneRecord();
    void mappingSeveralRecords();
    void mappingViolations();
    void jsonToXml();
    void jsonToXmlEscapes();
    void jsonToXmlRefusesArraysAndBadNames();
    void xmlToJson_data();
    void xmlToJson();
    void jsonToSoap11();
    void jsonToSoap12();
    void jsonToSoapWithMappingsAndPrefix();
    void soapToJson11();
    void soapToJson12WithoutRoot();
    void soapFaults_data();
    void soapFaults();
    void notASoapEnvelope_data();
    void notASoapEnvelope();
    void emptySoapBody();
    void soapRoundTrip();
    void headersRule();
    void enrich();
    void enrichHeadersOnlyOnEmptyBody();
    void emptyBody_data();
    void emptyBody();
    void badBodies_data();
    void badBodies();
    void bodyLimit();
    void encodedBodyIsRefused();
    void chainOfRules();
    void errorLeavesTheMessageUnchanged();
    void compileErrors_data();
    void compileErrors();
    void compileReportsEveryProblem();
    void concurrentApply();
};

void tst_Transform::emptyChain()
{
    const TransformChain none;
    QVERIFY(none.isEmpty());
    const TransformChain compiled = chain("[]");
    QVERIFY(compiled.isEmpty());
    TransformMessage m = message("not json");
    const TransformMessage before = m;
    QCOMPARE(applyTo(compiled, m).code, QString());
    QCOMPARE(m.body, before.body);
    QCOMPARE(m.headers, before.headers);
}

void tst_Transform::fieldMapping_data()
{
    QTest::addColumn<QByteArray>("rules");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("expected");

    QTest::addRow("renames into a new object")
        << js("[{'type':'field_mapping','mappings':{'customer.name':'client.fullName','customer.id':'client.id'}}]")
        << js("{'client':{'fullName':'Ann Lee','id':7,'secret':'x'},'other':1}")
        << js("{'customer':{'id':7,'name':'Ann Lee'}}");
    QTest::addRow("missing source leaves the field absent")
        << js("[{'type':'field_mapping','mappings':{'a':'x','b':'nothing.here'}}]")
        << js("{'x':1}") << js("{'a':1}");
    QTest::addRow("null source is kept")
        << js("[{'type':'field_mapping','mappings':{'a':'x'}}]") << js("{'x':null}") << js("{'a':null}");
    QTest::addRow("index segments in the source")
        << js("[{'type':'field_mapping','mappings':{'first':'lines.0.sku','second':'lines.1.sku','none':'lines.5.sku'}}]")
        << js("{'lines':[{'sku':'A'},{'sku':'B'}]}") << js("{'first':'A','second':'B'}");
    QTest::addRow("index segments in the target build an array")
        << js("[{'type':'field_mapping','mappings':{'items.0.id':'a','items.2.id':'b'}}]")
        << js("{'a':1,'b':2}") << js("{'items':[{'id':1},null,{'id':2}]}");
    QTest::addRow("digits as a member name of an object")
        << js("[{'type':'field_mapping','mappings':{'v':'codes.7'}}]") << js("{'codes':{'7':'seven'}}")
        << js("{'v':'seven'}");
    QTest::addRow("a top-level array as the source")
        << js("[{'type':'field_mapping','mappings':{'first':'0.id'}}]") << js("[{'id':'a'},{'id':'b'}]")
        << js("{'first':'a'}");
    QTest::addRow("keep_unmapped starts from the input")
        << js("[{'type':'field_mapping','keep_unmapped':true,'mappings':{'meta.copy':'id'}}]")
        << js("{'id':3,'name':'n'}") << js("{'id':3,'name':'n','meta':{'copy':3}}");
    QTest::addRow("whole objects are copied")
        << js("[{'type':'field_mapping','mappings':{'to':'from'}}]") << js("{'from':{'a':[1,2],'b':{'c':true}}}")
        << js("{'to':{'a':[1,2],'b':{'c':true}}}");
}

void tst_Transform::fieldMapping()
{
    QFETCH(QByteArray, rules);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, expected);
    TransformMessage m = message(body);
    const Error e = applyTo(chain(rules.constData()), m);
    QVERIFY2(e.code.isEmpty(), qPrintable(e.message));
    QCOMPARE(m.body, expected);
}

void tst_Transform::fieldMappingKeepsContentTypeAndDropsLength()
{
    const TransformChain c = chain("[{'type':'field_mapping','mappings':{'a':'b'}}]");
    TransformMessage m = message(js("{'b':1}"), "application/vnd.shop+json; charset=utf-8");
    QVERIFY(applyTo(c, m).code.isEmpty());
    QCOMPARE(m.headers.value("Content-Type"), "application/vnd.shop+json; charset=utf-8");
    QVERIFY(!m.headers.contains("Content-Length"));
    QCOMPARE(m.headers.value("Host"), "api.example.test");

    // A JSON body sent as text/plain comes out labelled as JSON.
    m = message(js("{'b':1}"), "text/plain");
    QVERIFY(applyTo(c, m).code.isEmpty());
    QCOMPARE(m.headers.value("Content-Type"), "application/json");
    QCOMPARE(m.headers.count("Content-Type"), 1);
}

void tst_Transform::jsonataBindings()
{
    const TransformChain c = chain(
        "[{'type':'jsonata','expression':'{\\'id\\': order.id, \\'total\\': $sum(order.lines.price), "
        "\\'request\\': $request_id, \\'ip\\': $client_ip, \\'client\\': $client_id, \\'route\\': $route, "
        "\\'tenant\\': $headers.`x-tenant`, \\'multi\\': $headers.`x-multi`}'}]");
    TransformMessage m = message(js("{'order':{'id':'SO-1','lines':[{'price':2.5},{'price':4}]}}"));
    m.headers.append("X-Tenant", "acme");
    m.headers.append("x-multi", "a");
    m.headers.append("X-MULTI", "b");
    const Error e = applyTo(c, m);
    QVERIFY2(e.code.isEmpty(), qPrintable(e.message));
    QCOMPARE(m.body, js("{'id':'SO-1','total':6.5,'request':'req-42','ip':'192.0.2.7','client':'shop-frontend',"
                        "'route':'orders-api','tenant':'acme','multi':'a, b'}"));
}

void tst_Transform::jsonataUndefinedEmptiesTheBody()
{
    const TransformChain c = chain("[{'type':'jsonata','expression':'nothing.here'}]");
    TransformMessage m = message(js("{'a':1}"));
    QVERIFY(applyTo(c, m).code.isEmpty());
    QCOMPARE(m.body, QByteArray());
    QVERIFY(!m.headers.contains("Content-Type"));
    QVERIFY(!m.headers.contains("Content-Length"));
}

void tst_Transform::jsonataEvaluationError()
{
    const TransformChain c = chain("[{'type':'headers','add':{'X-A':'1'}},{'type':'jsonata','expression':'a + 1'}]");
    TransformMessage m = message(js("{'a':'text'}"));
    const Error e = applyTo(c, m);
    QCOMPARE(e.code, u"transform_failed"_s);
    QVERIFY2(e.message.startsWith(u"/transformation_rules/request/1 (jsonata): the expression failed: T2001"_s),
             qPrintable(e.message));
}

void tst_Transform::mappingOneRecord()
{
    const TransformChain c = chain("[{'type':'mapping','mapping':'shop-order-to-erp'}]");
    TransformMessage m = message(js("{'id':'SO-9','customer':{'name':'muster gmbh'}}"));
    const Error e = applyTo(c, m);
    QVERIFY2(e.code.isEmpty(), qPrintable(e.toString()));
    // $route reaches the mapping's expressions as a variable.
    QCOMPARE(m.body, js("{'order_number':'SO-9','customer_name':'MUSTER GMBH','route':'orders-api'}"));
}

void tst_Transform::mappingSeveralRecords()
{
    const TransformChain c = chain("[{'type':'mapping','mapping':'shop-order-to-erp'}]");
    TransformMessage m = message(js("[{'id':'A','customer':{'name':'a'}},{'id':'B','customer':{'name':'b'}}]"));
    QVERIFY(applyTo(c, m).code.isEmpty());
    QCOMPARE(m.body, js("[{'order_number':'A','customer_name':'A','route':'orders-api'},"
                        "{'order_number':'B','customer_name':'B','route':'orders-api'}]"));
}

void tst_Transform::mappingViolations()
{
    const TransformChain c = chain("[{'type':'mapping','mapping':'shop-order-to-erp'}]");
    TransformMessage m = message(js("{'customer':{'name':'r2d2'}}"));
    Error e = applyTo(c, m);
    QCOMPARE(e.code, u"transform_failed"_s);
    QVERIFY2(e.message.contains(u"mapping \"shop-order-to-erp\" rejected the body"_s), qPrintable(e.message));
    QCOMPARE(e.details, QStringList({u"order_number: is required"_s, u"customer_name: letters only"_s}));

    m = message(js("[{'id':'A','customer':{'name':'a'}},{'customer':{'name':'b'}}]"));
    e = applyTo(c, m);
    QCOMPARE(e.details, QStringList({u"record 1: order_number: is required"_s}));
}

void tst_Transform::jsonToXml()
{
    const TransformChain c = chain("[{'type':'json_to_xml','root':'order'}]");
    TransformMessage m = message(js("{'@id':'7','line':[{'sku':'A','qty':2},{'sku':'B','qty':1}],'gift':null,'paid':true}"));
    QVERIFY(applyTo(c, m).code.isEmpty());
    QCOMPARE(m.body, QByteArray("<?xml version=\"1.0\" encoding=\"UTF-8\"?><order id=\"7\"><line><sku>A</sku><qty>2</qty></line>"
                                "<line><sku>B</sku><qty>1</qty></line><gift/><paid>true</paid></order>"));
    QCOMPARE(m.headers.value("Content-Type"), "application/xml");
    QVERIFY(!m.headers.contains("Content-Length"));
}

void tst_Transform::jsonToXmlEscapes()
{
    const TransformChain c = chain("[{'type':'json_to_xml','root':'note'}]");
    TransformMessage m = message("{\"@title\":\"\\\"quoted\\\" & <b>\",\"text\":\"a < b && c > d 'x'\"}");
    QVERIFY(applyTo(c, m).code.isEmpty());
    QCOMPARE(m.body, QByteArray("<?xml version=\"1.0\" encoding=\"UTF-8\"?><note title=\"&quot;quoted&quot; &amp; &lt;b&gt;\">"
                                "<text>a &lt; b &amp;&amp; c &gt; d 'x'</text></note>"));
    // Whatever the escaping, it reads back to the same text.
    const TransformChain back = chain("[{'type':'xml_to_json','keep_root':false}]");
    QVERIFY(applyTo(back, m).code.isEmpty());
    QCOMPARE(m.body, QByteArray("{\"@title\":\"\\\"quoted\\\" & <b>\",\"text\":\"a < b && c > d 'x'\"}"));
}

void tst_Transform::jsonToXmlRefusesArraysAndBadNames()
{
    const TransformChain c = chain("[{'type':'json_to_xml','root':'orders'}]");
    TransformMessage m = message(js("[1,2]"));
    Error e = applyTo(c, m);
    QCOMPARE(e.code, u"transform_failed"_s);
    QVERIFY2(e.message.contains(u"the body is a JSON array"_s), qPrintable(e.message));

    m = message(js("{'1st':1}"));
    e = applyTo(c, m);
    QCOMPARE(e.code, u"transform_failed"_s);
    QVERIFY2(e.message.contains(u"cannot be written as XML"_s) && e.message.contains(u"1st"_s), qPrintable(e.message));

    m = message("{\"bad\":\"\\u0001\"}");
    e = applyTo(c, m);
    QCOMPARE(e.code, u"transform_failed"_s);
}

void tst_Transform::xmlToJson_data()
{
    QTest::addColumn<QByteArray>("rules");
    QTest::addColumn<QByteArray>("xml");
    QTest::addColumn<QByteArray>("expected");
    const QByteArray order = "<?xml version=\"1.0\"?><order id=\"7\"><line><sku>A&amp;B</sku></line><note/></order>";
    QTest::addRow("keeps the root") << js("[{'type':'xml_to_json'}]") << order
                                    << js("{'order':{'@id':'7','line':{'sku':'A&B'},'note':null}}");
    QTest::addRow("without the root") << js("[{'type':'xml_to_json','keep_root':false}]") << order
                                      << js("{'@id':'7','line':{'sku':'A&B'},'note':null}");
    QTest::addRow("array paths") << js("[{'type':'xml_to_json','keep_root':false,'array_paths':['//line']}]") << order
                                 << js("{'@id':'7','line':[{'sku':'A&B'}],'note':null}");
}

void tst_Transform::xmlToJson()
{
    QFETCH(QByteArray, rules);
    QFETCH(QByteArray, xml);
    QFETCH(QByteArray, expected);
    TransformMessage m = message(xml, "application/xml");
    const Error e = applyTo(chain(rules.constData()), m);
    QVERIFY2(e.code.isEmpty(), qPrintable(e.message));
    QCOMPARE(m.body, expected);
    QCOMPARE(m.headers.value("Content-Type"), "application/json");
}

void tst_Transform::jsonToSoap11()
{
    const TransformChain c = chain("[{'type':'json_to_soap','soap_action':'urn:CreateOrder','operation':'CreateOrder',"
                                   "'namespace':'urn:example:orders','soap_version':'1.1'}]");
    TransformMessage m = message("{\"id\":7,\"note\":\"a < b & \\\"c\\\"\",\"lines\":[{\"sku\":\"A\"},{\"sku\":\"B\"}]}");
    QVERIFY(applyTo(c, m).code.isEmpty());
    QCOMPARE(m.body, QByteArray(envelope11) + "<soap:Body><CreateOrder xmlns=\"urn:example:orders\"><id>7</id>"
                         "<note>a &lt; b &amp; &quot;c&quot;</note><lines><sku>A</sku></lines><lines><sku>B</sku></lines>"
                         "</CreateOrder></soap:Body></soap:Envelope>");
    QCOMPARE(m.headers.value("Content-Type"), "text/xml; charset=utf-8");
    QCOMPARE(m.headers.value("SOAPAction"), "\"urn:CreateOrder\"");
    QVERIFY(!m.headers.contains("Content-Length"));
}

void tst_Transform::jsonToSoap12()
{
    const TransformChain c = chain("[{'type':'json_to_soap','soap_action':'urn:CreateOrder','operation':'CreateOrder',"
                                   "'namespace':'urn:example:orders','soap_version':'1.2'}]");
    TransformMessage m = message(js("{'id':7}"));
    m.headers.append("SOAPAction", "\"stale\"");
    QVERIFY(applyTo(c, m).code.isEmpty());
    QCOMPARE(m.body, QByteArray("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope "
                                "xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\"><soap:Body>"
                                "<CreateOrder xmlns=\"urn:example:orders\"><id>7</id></CreateOrder>"
                                "</soap:Body></soap:Envelope>"));
    QCOMPARE(m.headers.value("Content-Type"), "application/soap+xml; charset=utf-8; action=\"urn:CreateOrder\"");
    QVERIFY(!m.headers.contains("SOAPAction"));
}

void tst_Transform::jsonToSoapWithMappingsAndPrefix()
{
    const TransformChain c = chain("[{'type':'json_to_soap','operation':'m:CreateOrder','namespace':'urn:o',"
                                   "'mappings':{'OrderId':'order.id','Customer.Name':'order.customer'}}]");
    TransformMessage m = message(js("{'order':{'id':'SO-1','customer':'Ann','ignored':true}}"));
    QVERIFY(applyTo(c, m).code.isEmpty());
    QCOMPARE(m.body, QByteArray(envelope11) + "<soap:Body><m:CreateOrder xmlns:m=\"urn:o\"><Customer><Name>Ann</Name>"
                         "</Customer><OrderId>SO-1</OrderId></m:CreateOrder></soap:Body></soap:Envelope>");
    // No action configured: SOAP 1.1 still sends the (empty) SOAPAction field.
    QCOMPARE(m.headers.value("SOAPAction"), "\"\"");
}

void tst_Transform::soapToJson11()
{
    const TransformChain c = chain("[{'type':'soap_to_json'}]");
    TransformMessage m = message(
        "<?xml version=\"1.0\"?>\n"
        "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
        "  <S:Header><t:Trace xmlns:t=\"urn:t\">1</t:Trace></S:Header>\n"
        "  <S:Body>\n"
        "    <ns2:CreateOrderResponse xmlns:ns2=\"urn:example:orders\" ns2:version=\"2\">\n"
        "      <ns2:OrderId xsi:type=\"xsd:string\">SO-1</ns2:OrderId>\n"
        "      <ns2:Status>accepted</ns2:Status>\n"
        "      <ns2:Note xsi:nil=\"true\"/>\n"
        "      <Line><Sku>A</Sku></Line><Line><Sku>B &amp; C</Sku></Line>\n"
        "    </ns2:CreateOrderResponse>\n"
        "    <ns2:Ignored xmlns:ns2=\"urn:example:orders\"/>\n"
        "  </S:Body>\n"
        "</S:Envelope>\n",
        "text/xml; charset=utf-8");
    const Error e = applyTo(c, m);
    QVERIFY2(e.code.isEmpty(), qPrintable(e.message));
    QCOMPARE(m.body, js("{'CreateOrderResponse':{'@version':'2','OrderId':'SO-1','Status':'accepted','Note':null,"
                        "'Line':[{'Sku':'A'},{'Sku':'B & C'}]}}"));
    QCOMPARE(m.headers.value("Content-Type"), "application/json");
}

void tst_Transform::soapToJson12WithoutRoot()
{
    const TransformChain c = chain("[{'type':'soap_to_json','keep_root':false}]");
    TransformMessage m = message("<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\">"
                                 "<env:Body><GetStockResponse xmlns=\"urn:stock\"><Qty>12</Qty>"
                                 "<a:Qty xmlns:a=\"urn:other\">3</a:Qty></GetStockResponse></env:Body></env:Envelope>",
                                 "application/soap+xml");
    QVERIFY(applyTo(c, m).code.isEmpty());
    // Two names with the same local name merge into one array, in document order.
    QCOMPARE(m.body, js("{'Qty':['12','3']}"));
}

void tst_Transform::soapFaults_data()
{
    QTest::addColumn<QByteArray>("xml");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QStringList>("details");
    QTest::addRow("1.1") << QByteArray("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
                                       "<soap:Fault><faultcode>soap:Server</faultcode>"
                                       "<faultstring>Order store unavailable</faultstring>"
                                       "<detail><e:Info xmlns:e=\"urn:e\">retry later</e:Info></detail>"
                                       "</soap:Fault></soap:Body></soap:Envelope>")
                         << u"/transformation_rules/request/0 (soap_to_json): SOAP 1.1 fault soap:Server: Order store unavailable"_s
                         << QStringList({u"detail: {\"Info\":\"retry later\"}"_s});
    QTest::addRow("1.2") << QByteArray("<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body><e:Fault>"
                                       "<e:Code><e:Value>e:Sender</e:Value><e:Subcode><e:Value>m:BadOrder</e:Value></e:Subcode></e:Code>"
                                       "<e:Reason><e:Text xml:lang=\"en\">Unknown SKU</e:Text><e:Text xml:lang=\"de\">Unbekannt</e:Text></e:Reason>"
                                       "</e:Fault></e:Body></e:Envelope>")
                         << u"/transformation_rules/request/0 (soap_to_json): SOAP 1.2 fault e:Sender: Unknown SKU"_s
                         << QStringList({u"subcode: m:BadOrder"_s});
    QTest::addRow("1.1 without code") << QByteArray("<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><Body>"
                                                    "<Fault><faultstring>boom</faultstring></Fault></Body></Envelope>")
                                      << u"/transformation_rules/request/0 (soap_to_json): SOAP 1.1 fault (no code): boom"_s
                                      << QStringList();
}

void tst_Transform::soapFaults()
{
    QFETCH(QByteArray, xml);
    QFETCH(QString, message);
    QFETCH(QStringList, details);
    TransformMessage m = ::message(xml, "text/xml");
    const Error e = applyTo(chain("[{'type':'soap_to_json'}]"), m);
    QCOMPARE(e.code, u"transform_failed"_s);
    QCOMPARE(e.message, message);
    QCOMPARE(e.details, details);
    QCOMPARE(m.body, xml);   // untouched
}

void tst_Transform::notASoapEnvelope_data()
{
    QTest::addColumn<QByteArray>("xml");
    QTest::addColumn<QString>("message");
    QTest::addRow("other root") << QByteArray("<order><id>1</id></order>")
                                << u"not a SOAP 1.1 or 1.2 envelope: the root element is <order>"_s;
    QTest::addRow("wrong namespace") << QByteArray("<s:Envelope xmlns:s=\"urn:not-soap\"><s:Body/></s:Envelope>")
                                     << u"the root element is <s:Envelope> in namespace urn:not-soap"_s;
    QTest::addRow("no body") << QByteArray("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header/></s:Envelope>")
                             << u"the SOAP envelope has no Body"_s;
    QTest::addRow("body of another namespace")
        << QByteArray("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><Body/></s:Envelope>")
        << u"the SOAP envelope has no Body"_s;
    QTest::addRow("not XML") << QByteArray("{\"a\":1}") << u"the body is not XML: XML syntax error"_s;
    QTest::addRow("truncated") << QByteArray("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>")
                               << u"the body is not XML"_s;
}

void tst_Transform::notASoapEnvelope()
{
    QFETCH(QByteArray, xml);
    QFETCH(QString, message);
    TransformMessage m = ::message(xml, "text/xml");
    const Error e = applyTo(chain("[{'type':'soap_to_json'}]"), m);
    QCOMPARE(e.code, u"transform_failed"_s);
    QVERIFY2(e.message.contains(message), qPrintable(e.message));
}

void tst_Transform::emptySoapBody()
{
    TransformMessage m = message("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body/></s:Envelope>",
                                 "text/xml");
    QVERIFY(applyTo(chain("[{'type':'soap_to_json'}]"), m).code.isEmpty());
    QCOMPARE(m.body, QByteArray());
    QVERIFY(!m.headers.contains("Content-Type"));
}

void tst_Transform::soapRoundTrip()
{
    const TransformChain out = chain("[{'type':'json_to_soap','operation':'CreateOrder','namespace':'urn:example:orders',"
                                     "'soap_action':'urn:CreateOrder','soap_version':'1.2'}]");
    const TransformChain back = chain("[{'type':'soap_to_json'}]");
    const QByteArray original = "{\"id\":\"SO-1\",\"customer\":{\"name\":\"M\\u00fcller & S\\u00f6hne <GmbH>\"},"
                                "\"lines\":[{\"sku\":\"A\",\"qty\":\"2\"},{\"sku\":\"B\",\"qty\":\"1\"}],\"gift\":null}";
    TransformMessage m = message(original);
    QVERIFY(applyTo(out, m).code.isEmpty());
    QVERIFY2(m.body.contains("<customer><name>M\xc3\xbcller &amp; S\xc3\xb6hne &lt;GmbH&gt;</name></customer>"), m.body.constData());
    QVERIFY(applyTo(back, m).code.isEmpty());
    // Text comes back as strings (XML has no numbers), so the original uses strings throughout.
    const Result<Conflux::Data::Value> expected = Conflux::Data::Json::parse("{\"CreateOrder\":" + original + "}");
    const Result<Conflux::Data::Value> actual = Conflux::Data::Json::parse(m.body);
    QVERIFY(actual);
    QCOMPARE(Conflux::Data::Json::serialize(*actual), Conflux::Data::Json::serialize(*expected));
    QCOMPARE(m.headers.value("Content-Type"), "application/json");
}

void tst_Transform::headersRule()
{
    const TransformChain c = chain("[{'type':'headers','add':{'X-Source':'conflux','X-Old':'added'},"
                                   "'remove':['x-internal','X-Missing'],'rename':{'X-Old':'X-New'}}]");
    TransformMessage m = message(js("{'a':1}"));
    m.headers.append("X-Internal", "1");
    m.headers.append("x-old", "v1");
    m.headers.append("X-Source", "spoofed");
    m.headers.append("X-Old", "v2");
    m.headers.append("X-New", "gone");
    QVERIFY(applyTo(c, m).code.isEmpty());
    QVERIFY(!m.headers.contains("X-Internal"));
    QCOMPARE(m.headers.values("X-New"), QList<QByteArray>({"v1", "v2"}));
    QCOMPARE(m.headers.values("X-Source"), QList<QByteArray>({"conflux"}));
    // Added after the rename, so an added X-Old stays.
    QCOMPARE(m.headers.value("X-Old"), "added");
    // The body is untouched, so Content-Length stays.
    QCOMPARE(m.body, js("{'a':1}"));
    QVERIFY(m.headers.contains("Content-Length"));
}

void tst_Transform::enrich()
{
    const TransformChain c = chain("[{'type':'enrich','fields':{'meta.received_at':'timestamp','meta.request_id':'request_id',"
                                   "'meta.client_ip':'client_ip','meta.client_id':'client_id','meta.route':'route'},"
                                   "'headers':{'X-Request-Received':'timestamp','X-Client-Id':'client_id'}}]");
    TransformMessage m = message(js("{'id':1,'meta':{'source':'web'}}"));
    QVERIFY(applyTo(c, m).code.isEmpty());
    QCOMPARE(m.body, js("{'id':1,'meta':{'source':'web','client_id':'shop-frontend','client_ip':'192.0.2.7',"
                        "'received_at':'2024-03-05T14:07:09.081Z','request_id':'req-42','route':'orders-api'}}"));
    QCOMPARE(m.headers.value("X-Request-Received"), "2024-03-05T14:07:09.081Z");
    QCOMPARE(m.headers.value("X-Client-Id"), "shop-frontend");

    // Without an authenticated client: null in the body, and a client's own header is removed.
    TransformContext anonymous = context();
    anonymous.clientId.clear();
    m = message(js("{}"));
    m.headers.append("X-Client-Id", "spoofed");
    QVERIFY(applyTo(c, m, anonymous).code.isEmpty());
    QVERIFY2(m.body.contains("\"client_id\":null"), m.body.constData());
    QVERIFY(!m.headers.contains("X-Client-Id"));

    // A time in another zone is written in UTC.
    TransformContext berlin = context();
    berlin.now = QDateTime(QDate(2024, 3, 5), QTime(15, 7, 9, 81), QTimeZone("Europe/Berlin"));
    m = message(js("{}"));
    QVERIFY(applyTo(c, m, berlin).code.isEmpty());
    QCOMPARE(m.headers.value("X-Request-Received"), "2024-03-05T14:07:09.081Z");

    m = message(js("[1]"));
    const Error e = applyTo(c, m);
    QCOMPARE(e.code, u"transform_failed"_s);
    QVERIFY2(e.message.contains(u"needs a JSON object body, the body is a JSON array"_s), qPrintable(e.message));
}

void tst_Transform::enrichHeadersOnlyOnEmptyBody()
{
    const TransformChain c = chain("[{'type':'enrich','headers':{'X-Request-Id':'request_id'}},"
                                   "{'type':'headers','add':{'X-A':'b'}}]");
    TransformMessage m = message({}, {});
    QVERIFY(applyTo(c, m).code.isEmpty());
    QCOMPARE(m.headers.value("X-Request-Id"), "req-42");
    QCOMPARE(m.headers.value("X-A"), "b");
    QVERIFY(m.body.isEmpty());
    QVERIFY(!m.headers.contains("Content-Type"));
}

void tst_Transform::emptyBody_data()
{
    QTest::addColumn<QByteArray>("rules");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QByteArray>("body");
    QTest::addRow("field_mapping") << js("[{'type':'headers','add':{'X-A':'1'}},{'type':'field_mapping','mappings':{'a':'b'}}]")
                                   << u"/transformation_rules/request/1 (field_mapping): the body is empty; rule 1 expects JSON"_s << QByteArray();
    QTest::addRow("jsonata") << js("[{'type':'jsonata','expression':'$'}]")
                             << u"/transformation_rules/request/0 (jsonata): the body is empty; rule 0 expects JSON"_s << QByteArray();
    QTest::addRow("mapping") << js("[{'type':'mapping','mapping':'shop-order-to-erp'}]")
                             << u"/transformation_rules/request/0 (mapping): the body is empty; rule 0 expects JSON"_s << QByteArray();
    QTest::addRow("json_to_xml") << js("[{'type':'json_to_xml','root':'r'}]")
                                 << u"/transformation_rules/request/0 (json_to_xml): the body is empty; rule 0 expects JSON"_s << QByteArray();
    QTest::addRow("json_to_soap") << js("[{'type':'json_to_soap','operation':'Op'}]")
                                  << u"/transformation_rules/request/0 (json_to_soap): the body is empty; rule 0 expects JSON"_s << QByteArray();
    QTest::addRow("enrich fields") << js("[{'type':'enrich','fields':{'a':'route'}}]")
                                   << u"/transformation_rules/request/0 (enrich): the body is empty; rule 0 expects JSON"_s << QByteArray();
    QTest::addRow("xml_to_json") << js("[{'type':'xml_to_json'}]")
                                 << u"/transformation_rules/request/0 (xml_to_json): the body is empty; rule 0 expects XML"_s << QByteArray();
    QTest::addRow("soap_to_json") << js("[{'type':'soap_to_json'}]")
                                  << u"/transformation_rules/request/0 (soap_to_json): the body is empty; rule 0 expects a SOAP envelope"_s << QByteArray();
    QTest::addRow("emptied by jsonata")
        << js("[{'type':'jsonata','expression':'missing'},{'type':'jsonata','expression':'$'}]")
        << u"/transformation_rules/request/1 (jsonata): the body is empty; rule 1 expects JSON"_s << js("{'a':1}");
}

void tst_Transform::emptyBody()
{
    QFETCH(QByteArray, rules);
    QFETCH(QString, message);
    QFETCH(QByteArray, body);
    TransformMessage m = ::message(body);
    const Error e = applyTo(chain(rules.constData()), m);
    QCOMPARE(e.code, u"transform_failed"_s);
    QCOMPARE(e.message, message);
}

void tst_Transform::badBodies_data()
{
    QTest::addColumn<QByteArray>("rules");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    QTest::addRow("not JSON") << js("[{'type':'field_mapping','mappings':{'a':'b'}}]") << QByteArray("<a/>")
                              << u"(field_mapping): the body is not JSON: "_s;
    QTest::addRow("truncated JSON") << js("[{'type':'jsonata','expression':'$'}]") << QByteArray("{\"a\":")
                                    << u"(jsonata): the body is not JSON: "_s;
    QTest::addRow("not XML") << js("[{'type':'xml_to_json'}]") << QByteArray("{\"a\":1}")
                             << u"(xml_to_json): the body is not XML: XML syntax error at line 1"_s;
    QTest::addRow("JSON into an XML rule after a JSON rule")
        << js("[{'type':'jsonata','expression':'$'},{'type':'xml_to_json'}]") << QByteArray("{\"a\":1}")
        << u"/transformation_rules/request/1 (xml_to_json): the body is not XML"_s;
    QTest::addRow("DOCTYPE") << js("[{'type':'xml_to_json'}]")
                             << QByteArray("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>")
                             << u"the body is not XML: XML document type declarations"_s;
    QTest::addRow("keep_unmapped on an array") << js("[{'type':'field_mapping','keep_unmapped':true,'mappings':{'a':'b'}}]")
                                               << QByteArray("[1]") << u"keep_unmapped needs a JSON object body"_s;
    QTest::addRow("array to SOAP") << js("[{'type':'json_to_soap','operation':'Op'}]") << QByteArray("[1]")
                                   << u"the children of <Op> need a JSON object"_s;
}

void tst_Transform::badBodies()
{
    QFETCH(QByteArray, rules);
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    TransformMessage m = ::message(body);
    const Error e = applyTo(chain(rules.constData()), m);
    QCOMPARE(e.code, u"transform_failed"_s);
    QVERIFY2(e.message.contains(message), qPrintable(e.message));
}

void tst_Transform::bodyLimit()
{
    // The default: 16 MiB.
    const TransformChain c = chain("[{'type':'jsonata','expression':'$'}]");
    QByteArray big = "\"" + QByteArray(16 * 1024 * 1024, 'x') + "\"";
    TransformMessage m = message(big);
    Error e = applyTo(c, m);
    QCOMPARE(e.code, u"transform_failed"_s);
    QVERIFY2(e.message.contains(u"the body is 16777218 bytes, above the limit of 16777216 bytes"_s), qPrintable(e.message));
    QCOMPARE(m.body.size(), big.size());

    big.chop(3);
    big.append('"');
    QCOMPARE(big.size(), 16 * 1024 * 1024);
    m = message(big);
    QVERIFY(applyTo(c, m).code.isEmpty());   // just within

    // A configured limit applies to XML as well.
    TransformLimits small;
    small.maxBodyBytes = 10;
    m = message("<a>0123456789</a>", "application/xml");
    e = applyTo(chain("[{'type':'xml_to_json'}]", small), m);
    QVERIFY2(e.message.contains(u"above the limit of 10 bytes"_s), qPrintable(e.message));
}

void tst_Transform::encodedBodyIsRefused()
{
    TransformMessage m = message("\x1f\x8b\x08\x00");
    m.headers.append("Content-Encoding", "gzip");
    const Error e = applyTo(chain("[{'type':'jsonata','expression':'$'}]"), m);
    QCOMPARE(e.code, u"transform_failed"_s);
    QVERIFY2(e.message.contains(u"the body is encoded (Content-Encoding: gzip)"_s), qPrintable(e.message));

    m = message(js("{'a':1}"));
    m.headers.append("Content-Encoding", "identity");
    QVERIFY(applyTo(chain("[{'type':'jsonata','expression':'a'}]"), m).code.isEmpty());
    QCOMPARE(m.body, "1");
}

void tst_Transform::chainOfRules()
{
    const TransformChain c = chain(
        "[{'type':'headers','remove':['Authorization']},"
        "{'type':'field_mapping','mappings':{'Order.Id':'id','Order.Customer':'customer.name'}},"
        "{'type':'enrich','fields':{'Order.RequestId':'request_id'},'headers':{'X-Request-Id':'request_id'}},"
        "{'type':'jsonata','expression':'$merge([$, {\\'Channel\\': $headers.`x-channel`}])'},"
        "{'type':'json_to_xml','root':'Envelope'},"
        "{'type':'xml_to_json','keep_root':false}]");
    QCOMPARE(c.size(), 6);
    TransformMessage m = message(js("{'id':5,'customer':{'name':'Ann'}}"));
    m.headers.append("Authorization", "Bearer abc");
    m.headers.append("X-Channel", "web");
    const Error e = applyTo(c, m);
    QVERIFY2(e.code.isEmpty(), qPrintable(e.message));
    // Mapped targets come in key order (rules are read as QJsonObject), enriched ones after.
    QCOMPARE(m.body, js("{'Order':{'Customer':'Ann','Id':'5','RequestId':'req-42'},'Channel':'web'}"));
    QCOMPARE(m.headers.value("Content-Type"), "application/json");
    QCOMPARE(m.headers.value("X-Request-Id"), "req-42");
    QVERIFY(!m.headers.contains("Authorization"));
    QVERIFY(!m.headers.contains("Content-Length"));
}

void tst_Transform::errorLeavesTheMessageUnchanged()
{
    const TransformChain c = chain("[{'type':'headers','add':{'X-A':'1'},'remove':['Host']},"
                                   "{'type':'field_mapping','mappings':{'a':'b'}},{'type':'xml_to_json'}]");
    TransformMessage m = message(js("{'b':1}"));
    const TransformMessage before = m;
    const Error e = applyTo(c, m);
    QCOMPARE(e.code, u"transform_failed"_s);
    QVERIFY(e.message.startsWith(u"/transformation_rules/request/2 (xml_to_json): the body is not XML"_s));
    QCOMPARE(m.headers, before.headers);
    QCOMPARE(m.body, before.body);
}

void tst_Transform::compileErrors_data()
{
    QTest::addColumn<QByteArray>("rules");
    QTest::addColumn<QString>("detail");
    const QString p = u"/transformation_rules/request/0"_s;
    QTest::addRow("not an object") << js("[1]") << p + u": a rule must be a JSON object"_s;
    QTest::addRow("no type") << js("[{}]") << p + u"/type: is required (one of field_mapping, jsonata, mapping, "
                                                  "json_to_xml, xml_to_json, json_to_soap, soap_to_json, headers, enrich)"_s;
    QTest::addRow("unknown type") << js("[{'type':'xslt'}]") << p + u"/type: unknown rule type \"xslt\""_s;
    QTest::addRow("unknown option") << js("[{'type':'jsonata','expression':'a','mappings':{}}]")
                                    << p + u"/mappings: not an option of this rule type"_s;
    QTest::addRow("jsonata syntax") << js("[{'type':'jsonata','expression':'a +'}]") << p + u"/expression: S0"_s;
    QTest::addRow("jsonata missing") << js("[{'type':'jsonata'}]") << p + u"/expression: is required"_s;
    QTest::addRow("jsonata not a string") << js("[{'type':'jsonata','expression':3}]")
                                          << p + u"/expression: must be a non-empty string"_s;
    QTest::addRow("unknown mapping") << js("[{'type':'mapping','mapping':'nope'}]")
                                     << p + u"/mapping: no mapping \"nope\" in the project (mappings/nope.json)"_s;
    QTest::addRow("no mappings") << js("[{'type':'field_mapping'}]") << p + u"/mappings: is required"_s;
    QTest::addRow("empty mappings") << js("[{'type':'field_mapping','mappings':{}}]")
                                    << p + u"/mappings: must name at least one entry"_s;
    QTest::addRow("bad path") << js("[{'type':'field_mapping','mappings':{'a..b':'c'}}]")
                              << p + u"/mappings/a..b: \"a..b\" is not a dotted field path (empty segment)"_s;
    QTest::addRow("source not a string") << js("[{'type':'field_mapping','mappings':{'a':1}}]")
                                         << p + u"/mappings/a: must be a non-empty string"_s;
    QTest::addRow("huge target index") << js("[{'type':'field_mapping','mappings':{'a.100000':'b'}}]")
                                       << p + u"/mappings/a.100000: \"a.100000\": array index 100000 is above the limit of 9999"_s;
    QTest::addRow("target inside target") << js("[{'type':'field_mapping','mappings':{'a':'x','a.b':'y'}}]")
                                          << p + u"/mappings/a.b: target \"a.b\" lies inside target \"a\""_s;
    QTest::addRow("pointer escaping") << js("[{'type':'field_mapping','mappings':{'a/b~':''}}]")
                                      << p + u"/mappings/a~1b~0: must be a non-empty string"_s;
    QTest::addRow("keep_unmapped not bool") << js("[{'type':'field_mapping','keep_unmapped':'yes','mappings':{'a':'b'}}]")
                                            << p + u"/keep_unmapped: must be true or false"_s;
    QTest::addRow("xml root") << js("[{'type':'json_to_xml','root':'1st'}]")
                              << p + u"/root: \"1st\" is not a valid XML element name"_s;
    QTest::addRow("xml root missing") << js("[{'type':'json_to_xml'}]") << p + u"/root: is required"_s;
    QTest::addRow("array_paths") << js("[{'type':'xml_to_json','array_paths':'//a'}]")
                                 << p + u"/array_paths: must be an array of strings"_s;
    QTest::addRow("soap version") << js("[{'type':'json_to_soap','operation':'Op','soap_version':'1.3'}]")
                                  << p + u"/soap_version: \"1.3\" is not a SOAP version (1.1 or 1.2)"_s;
    QTest::addRow("soap operation") << js("[{'type':'json_to_soap','operation':'a b'}]")
                                    << p + u"/operation: \"a b\" is not a valid XML element name"_s;
    QTest::addRow("soap prefix without namespace") << js("[{'type':'json_to_soap','operation':'m:Op'}]")
                                                   << p + u"/namespace: a prefixed operation needs the namespace"_s;
    QTest::addRow("soap action quote") << QByteArray("[{\"type\":\"json_to_soap\",\"operation\":\"Op\",\"soap_action\":\"a\\\"b\"}]")
                                       << p + u"/soap_action: a SOAP action is a URI"_s;
    QTest::addRow("soap mappings") << js("[{'type':'json_to_soap','operation':'Op','mappings':{'a':''}}]")
                                   << p + u"/mappings/a: must be a non-empty string"_s;
    QTest::addRow("headers nothing") << js("[{'type':'headers'}]") << p + u": a headers rule needs add, remove or rename"_s;
    QTest::addRow("header name") << js("[{'type':'headers','add':{'X A':'1'}}]")
                                 << p + u"/add/X A: \"X A\" is not a valid header field name"_s;
    QTest::addRow("header value") << QByteArray("[{\"type\":\"headers\",\"add\":{\"X-A\":\"a\\r\\nInjected: 1\"}}]")
                                  << p + u"/add/X-A: a header value must not contain CR, LF or NUL"_s;
    QTest::addRow("framing header") << js("[{'type':'headers','remove':['Content-Length']}]")
                                    << p + u"/remove/0: Content-Length frames the message; the server sets it"_s;
    QTest::addRow("rename target") << js("[{'type':'headers','rename':{'X-A':'Transfer-Encoding'}}]")
                                   << p + u"/rename/X-A: Transfer-Encoding frames the message"_s;
    QTest::addRow("enrich source") << js("[{'type':'enrich','fields':{'a':'hostname'}}]")
                                   << p + u"/fields/a: \"hostname\" is not a value enrich knows"_s;
    QTest::addRow("enrich header source") << js("[{'type':'enrich','headers':{'X-A':'now'}}]")
                                          << p + u"/headers/X-A: \"now\" is not a value enrich knows"_s;
    QTest::addRow("enrich nothing") << js("[{'type':'enrich'}]") << p + u": an enrich rule needs fields or headers"_s;
}

void tst_Transform::compileErrors()
{
    QFETCH(QByteArray, rules);
    QFETCH(QString, detail);
    const Result<TransformChain> c = TransformChain::compile(rulesFrom(rules.constData()), lookup(), requestRules);
    QVERIFY(!c);
    QCOMPARE(c.error().code, u"transform_invalid"_s);
    QVERIFY2(c.error().message.startsWith(u"Invalid transformation rules at /transformation_rules/request"_s),
             qPrintable(c.error().message));
    QCOMPARE(c.error().details.size(), 1);
    QVERIFY2(c.error().details.first().startsWith(detail), qPrintable(c.error().details.first()));
}

void tst_Transform::compileReportsEveryProblem()
{
    const Result<TransformChain> c = TransformChain::compile(
        rulesFrom("[{'type':'jsonata','expression':'('},{'type':'headers','add':{'X-Ok':'1'}},"
                  "{'type':'mapping','mapping':'missing'},{'type':'json_to_xml','root':'<r>'}]"),
        {}, u"/transformation_rules/response"_s);
    QVERIFY(!c);
    const QStringList details = c.error().details;
    QCOMPARE(details.size(), 3);
    QVERIFY2(details[0].startsWith(u"/transformation_rules/response/0/expression: "_s), qPrintable(details[0]));
    QVERIFY2(details[1].startsWith(u"/transformation_rules/response/2/mapping: no mapping \"missing\""_s), qPrintable(details[1]));
    QVERIFY2(details[2].startsWith(u"/transformation_rules/response/3/root: "_s), qPrintable(details[2]));
    QVERIFY2(c.error().message.contains(u"(3 problem(s))"_s) || c.error().message.contains(u"3 problems"_s),
             qPrintable(c.error().message));
}

void tst_Transform::concurrentApply()
{
    const TransformChain c = chain(
        "[{'type':'mapping','mapping':'shop-order-to-erp'},"
        "{'type':'jsonata','expression':'$merge([$, {\\'request\\': $request_id}])'},"
        "{'type':'enrich','headers':{'X-Request-Id':'request_id'}},"
        "{'type':'json_to_soap','operation':'CreateOrder','namespace':'urn:o','soap_action':'urn:a'},"
        "{'type':'soap_to_json','keep_root':false}]");
    constexpr int threads = 4;
    constexpr int rounds = 1000;
    std::atomic<int> failures{0};
    std::atomic<int> done{0};
    std::vector<std::unique_ptr<QThread>> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back(QThread::create([&, t] {
            for (int i = 0; i < rounds; ++i) {
                const QByteArray id = "T" + QByteArray::number(t) + "-" + QByteArray::number(i);
                TransformContext ctx = context();
                ctx.requestId = "r-" + id;
                TransformMessage m = message("{\"id\":\"" + id + "\",\"customer\":{\"name\":\"ann\"}}");
                const Result<void> r = c.apply(m, ctx);
                const QByteArray expected = "{\"order_number\":\"" + id
                                            + "\",\"customer_name\":\"ANN\",\"route\":\"orders-api\",\"request\":\"r-" + id + "\"}";
                if (!r || m.body != expected || m.headers.value("X-Request-Id") != "r-" + id)
                    failures.fetch_add(1);
                done.fetch_add(1);
            }
        }));
        workers.back()->start();
    }
    for (auto &w : workers)
        QVERIFY(w->wait(60000));
    QCOMPARE(done.load(), threads * rounds);
    QCOMPARE(failures.load(), 0);
}

QTEST_GUILESS_MAIN(tst_Transform)
#include "tst_transform.moc"
