// IDocs: IDoc-XML built and parsed, documents refused with pointers, and IDocs sent to a local
// HTTP server standing in for /sap/bc/idoc_xml.

#include "sap/sapidoc.h"
#include "sap/sapoperation.h"
#include "sap/sappool.h"

#include "base/metrics.h"
#include "connectors/httpclient.h"
#include "connectors/testhttpserver.h"
#include "data/json.h"
#include "sapfixtures.h"
#include "sapjson.h"
#include "saptestsupport.h"
#include "testsupport.h"

#include <QTest>

using namespace Conflux;
using namespace Conflux::Sap;
using namespace Conflux::Tests::SapTest;
using namespace Qt::StringLiterals;
using Conflux::Tests::TestHttpServer;
namespace Fixtures = Conflux::Tests::SapFixtures;
namespace Text = Conflux::Tests::SapJson;

class TestSapIdoc : public QObject
{
    Q_OBJECT

private slots:
    void init() { Connectors::HttpClient::resetSharedState(); }

    // ---- IDoc --------------------------------------------------------------------------------

    void buildsAndParsesIdocXml()
    {
        const Data::Value idoc = json(Text::customerIdoc);
        IdocDefaults defaults;
        defaults.client = u"100"_s;
        defaults.systemId = u"QAS"_s;
        defaults.created = QDateTime(QDate(2024, 5, 17), QTime(8, 30, 5), Qt::UTC);
        Result<Data::Value> complete = completeIdoc(idoc, defaults);
        VERIFY_OK(complete);
        const Data::Value &control = (*complete)[u"control_record"];
        QCOMPARE(control[u"TABNAM"].toString(), u"EDI_DC40"_s);
        QCOMPARE(control[u"MANDT"].toString(), u"100"_s);
        QCOMPARE(control[u"DIRECT"].toString(), u"2"_s);
        QCOMPARE(control[u"RCVPOR"].toString(), u"SAPQAS"_s);
        QCOMPARE(control[u"RCVPRN"].toString(), u"QASCLNT100"_s);
        QCOMPARE(control[u"SNDPRT"].toString(), u"LS"_s);
        QCOMPARE(control[u"CREDAT"].toString(), u"20240517"_s);
        QCOMPARE(control[u"CRETIM"].toString(), u"083005"_s);
        QCOMPARE(control[u"DOCNUM"].toString(), u"4711"_s);
        // EDI_DC40's order, whatever the input's
        QCOMPARE(control.toObject().memberAt(0).first, u"TABNAM"_s);
        QCOMPARE(control.toObject().memberAt(1).first, u"MANDT"_s);

        Result<QByteArray> xml = buildIdocXml(idoc, defaults);
        VERIFY_OK(xml);
        QVERIFY(xml->contains("<DEBMAS07><IDOC BEGIN=\"1\"><EDI_DC40 SEGMENT=\"1\"><TABNAM>EDI_DC40</TABNAM>"));
        QVERIFY(xml->contains("<E1KNA1M SEGMENT=\"1\"><MSGFN>009</MSGFN>"));
        QVERIFY(xml->contains("<NAME1>Lovelace &amp; Co</NAME1>"));
        QVERIFY(xml->contains("<AKONT>140000</AKONT>"));
        QVERIFY(!xml->contains("NOTE"));

        Result<Data::Array> parsed = parseIdocXml(*xml);
        VERIFY_OK(parsed);
        QCOMPARE(parsed->size(), size_t(1));
        const Data::Value expected = json(Text::expectedCustomerIdoc);
        QCOMPARE(Data::Json::serialize(Data::Value(*parsed)), Data::Json::serialize(expected));
        // and back again: the parsed IDoc builds the same document
        QCOMPARE(buildIdocXml(Data::Value(*parsed), defaults).value(), *xml);
    }

    void parsesInboundIdocs()
    {
        Result<Data::Array> idocs = parseIdocXml(Fixtures::inboundIdocs);
        VERIFY_OK(idocs);
        QCOMPARE(idocs->size(), size_t(2));
        const Data::Value &first = idocs->at(0);
        QCOMPARE(first[u"control_record"][u"DOCNUM"].toString(), u"0000000000123456"_s);
        QCOMPARE(first[u"control_record"][u"SNDPRN"].toString(), u"PRDCLNT100"_s);
        const Data::Value &segments = first[u"data_records"];
        QCOMPARE(segments.size(), 3);
        QCOMPARE(segments.at(0)[u"segment"].toString(), u"E1EDK01"_s);
        QCOMPARE(segments.at(0)[u"fields"][u"BELNR"].toString(), u"4500001234"_s);
        QCOMPARE(segments.at(1)[u"segment"].toString(), u"E1EDP01"_s);
        QCOMPARE(segments.at(1)[u"children"].at(0)[u"fields"][u"IDTNR"].toString(), u"TG11"_s);
        QCOMPARE(segments.at(2)[u"fields"][u"POSEX"].toString(), u"000020"_s);
        QCOMPARE(idocs->at(1)[u"data_records"].at(0)[u"fields"][u"CURCY"].toString(), u"CHF"_s);

        // one IDoc inside a SOAP envelope
        const QByteArray wrapped = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                                   "<ORDERS05><IDOC BEGIN=\"1\"><EDI_DC40 SEGMENT=\"1\"><IDOCTYP>ORDERS05</IDOCTYP>"
                                   "</EDI_DC40><E1EDK01 SEGMENT=\"1\"><CURCY>EUR</CURCY></E1EDK01></IDOC></ORDERS05>"
                                   "</s:Body></s:Envelope>";
        idocs = parseIdocXml(wrapped);
        VERIFY_OK(idocs);
        QCOMPARE(idocs->size(), size_t(1));

        Result<Data::Array> bad = parseIdocXml("<ORDERS05><IDOC BEGIN=\"1\"><EDI_DC40 SEGMENT=\"1\"></IDOC></ORDERS05>");
        VERIFY_ERROR(bad, "sap_invalid_idoc");
        QVERIFY2(bad.error().message.contains(u"line 1"_s), qPrintable(bad.error().message));
        VERIFY_ERROR(parseIdocXml("<ORDERS05><E1EDK01/></ORDERS05>"), "sap_invalid_idoc");
        VERIFY_ERROR(parseIdocXml("<ORDERS05><IDOC><E1EDK01 SEGMENT=\"1\"/></IDOC></ORDERS05>"), "sap_invalid_idoc");
    }

    void refusesIdocsItCannotWrite()
    {
        IdocDefaults defaults;
        defaults.client = u"100"_s;
        Result<QByteArray> missing = buildIdocXml(json(Text::idocWithProblems),
                                              defaults);
        VERIFY_ERROR(missing, "sap_invalid_idoc");
        QVERIFY(hasDetailStartingWith(missing.error(), u"/control_record/SNDPRN: "_s));
        QVERIFY(hasDetailStartingWith(missing.error(), u"/control_record/COLOUR: "_s));

        const QByteArray control = Text::ordersControl;
        Result<QByteArray> interleaved = buildIdocXml(json("{" + control + Text::interleavedSegments));
        VERIFY_ERROR(interleaved, "sap_invalid_idoc");
        QVERIFY(hasDetailStartingWith(interleaved.error(), u"/data_records/2/segment: "_s));

        Result<QByteArray> fieldValue = buildIdocXml(json("{" + control + Text::objectFieldValue));
        VERIFY_ERROR(fieldValue, "sap_invalid_idoc");
        QVERIFY(hasDetailStartingWith(fieldValue.error(), u"/data_records/0/fields/CURCY: "_s));

        VERIFY_ERROR(buildIdocXml(json("{" + control + Text::noSegments)), "sap_invalid_idoc");
        Result<QByteArray> clash = buildIdocXml(json("{" + control + ", \"data_records\": [{\"segment\": \"EDI_DC40\"}]}"));
        VERIFY_ERROR(clash, "sap_invalid_idoc");
        QVERIFY(hasDetailStartingWith(clash.error(), u"/data_records/0/segment: "_s));
        Result<QByteArray> mixed = buildIdocXml(json("[{" + control + Text::mixedIdocTypes));
        VERIFY_ERROR(mixed, "sap_invalid_idoc");
        QVERIFY(hasDetailStartingWith(mixed.error(), u"/1/control_record/IDOCTYP: "_s));
    }

    // ---- against a local HTTP server ---------------------------------------------------------

    void sendsIdocs()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            if (!request.body.contains("<IDOC BEGIN=\"1\">")) {
                Http::HttpResponse refused(400, "IDoc-XML inbound: IDOC #1: EDI_DC40 has no MESTYP (line 1)\n",
                                           "text/plain");
                refused.setReasonPhrase("IDoc-XML-inbound error");
                return refused;
            }
            Http::HttpResponse accepted(200, "0000000001000001\n0000000001000002\n", "text/plain");
            accepted.setReasonPhrase("IDoc-XML-inbound ok");
            return accepted;
        });
        MetricsRegistry metrics;
        std::shared_ptr<SapPool> pool = poolFor(connectionTo(server), &metrics);
        SapIdocClient client(pool);
        const Data::Value idoc = json(Text::partnerIdoc);
        Result<SapOperation> operation = parseSapOperation(json(Text::idocOperation));
        VERIFY_OK(operation);
        Result<IdocSendResult> sent = client.run(*operation, Data::Value(Data::Array{idoc, idoc}));
        VERIFY_OK(sent);
        QCOMPARE(sent->idocNumbers, (QStringList{u"0000000001000001"_s, u"0000000001000002"_s}));
        QCOMPARE(sent->idocs.size(), size_t(2));
        QVERIFY(sent->idocs.at(0)[u"control_record"][u"DOCNUM"] != sent->idocs.at(1)[u"control_record"][u"DOCNUM"]);

        const Http::HttpRequest request = server.requests().constFirst();
        QCOMPARE(request.path, u"/sap/bc/idoc_xml"_s);
        QCOMPARE(request.query.queryItemValue(u"sap-client"_s), u"100"_s);
        Result<Data::Array> received = parseIdocXml(request.body);
        VERIFY_OK(received);
        QCOMPARE(received->size(), size_t(2));
        QCOMPARE(received->at(0)[u"control_record"], sent->idocs.at(0)[u"control_record"]);
        QCOMPARE(received->at(1)[u"control_record"][u"MESTYP"].toString(), u"DEBMAS"_s);
        QCOMPARE(received->at(1)[u"control_record"][u"RCVPRN"].toString(), u"QASCLNT100"_s);
        QCOMPARE(metrics.counter(u"sap_requests_total"_s, {}, {u"connection"_s, u"operation"_s, u"status"_s})
                     .value({u"qa"_s, u"IDOC:DEBMAS"_s, u"ok"_s}),
                 1.0);

        // an IDoc the client refuses never reaches SAP
        server.clearRequests();
        VERIFY_ERROR(client.send(json(Text::emptyIdoc)), "sap_invalid_idoc");
        QCOMPARE(server.requestCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSapIdoc)
#include "tst_sap_idoc.moc"
