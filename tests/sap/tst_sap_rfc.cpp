// BAPI/RFC calls over SOAP: the envelope, answers, faults and BAPI return messages,
// RFC_READ_TABLE, and calls through the connection pool against a local HTTP server.

#include "sap/sappool.h"
#include "connectors/soapconnector.h"
#include "sap/saprfc.h"
#include "sap/saprfcclient.h"
#include "sap/sapreadtable.h"

#include "base/metrics.h"
#include "connectors/httpclient.h"
#include "connectors/testhttpserver.h"
#include "data/json.h"
#include "sapfixtures.h"
#include "sapjson.h"
#include "saptestsupport.h"
#include "testsupport.h"

#include <QTest>

#include <algorithm>

using namespace Conflux;
using namespace Conflux::Sap;
using namespace Conflux::Tests::SapTest;
using namespace Qt::StringLiterals;
using Conflux::Tests::TestHttpServer;
namespace Fixtures = Conflux::Tests::SapFixtures;
namespace Text = Conflux::Tests::SapJson;

class TestSapRfc : public QObject
{
    Q_OBJECT

private slots:
    void init() { Connectors::HttpClient::resetSharedState(); }

    // ---- SOAP RFC ----------------------------------------------------------------------------

    void buildsTheEnvelope()
    {
        const Data::Value parameters = json(Text::envelopeParameters);
        Result<QByteArray> xml = buildRfcRequest(u"BAPI_VENDOR_GETDETAIL"_s, parameters);
        VERIFY_OK(xml);
        const QByteArray expected =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            "<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap-env:Header/>"
            "<soap-env:Body><urn:BAPI_VENDOR_GETDETAIL xmlns:urn=\"urn:sap-com:document:sap:rfc:functions\">"
            "<VENDORNO>100001</VENDORNO><TESTRUN>X</TESTRUN><NOCHECK></NOCHECK><ROWCOUNT>5</ROWCOUNT><EMPTY/>"
            "<PI_PERSONALDATA><LASTNAME>Hopper &amp; Sons</LASTNAME><CITY>Arlington</CITY></PI_PERSONALDATA>"
            "<FIELDS><item><FIELDNAME>LIFNR</FIELDNAME></item><item><FIELDNAME>NAME1</FIELDNAME></item></FIELDS>"
            "<DATA/><_-BIC_-ZFLAG>X</_-BIC_-ZFLAG>"
            "</urn:BAPI_VENDOR_GETDETAIL></soap-env:Body></soap-env:Envelope>";
        QCOMPARE(xml->replace('\n', QByteArray()), expected);
        QCOMPARE(rfcTableParameters(parameters), (QStringList{u"FIELDS"_s, u"DATA"_s}));

        Result<QByteArray> bad = buildRfcRequest(u"BAPI_X"_s, json(Text::badParameterName));
        VERIFY_ERROR(bad, "sap_invalid_parameters");
        QVERIFY2(bad.error().message.contains(u"/PI/LAST NAME"_s), qPrintable(bad.error().message));
        VERIFY_ERROR(buildRfcRequest(u"BAPI_X"_s, json("[1, 2]")), "sap_invalid_parameters");
        VERIFY_ERROR(buildRfcRequest(u"BAPI X"_s, Data::Value(nullptr)), "sap_invalid_parameters");
    }

    void readsTheAnswer()
    {
        Result<Data::Value> answer = parseRfcResponse(u"BAPI_VENDOR_GETDETAIL"_s, Fixtures::vendorFound);
        VERIFY_OK(answer);
        QCOMPARE((*answer)[u"GENERALDETAIL"][u"NAME"].toString(), u"Schulz Stahlhandel GmbH"_s);
        QCOMPARE((*answer)[u"GENERALDETAIL"][u"VENDOR"].toString(), u"0000100001"_s); // leading zeros kept
        QCOMPARE((*answer)[u"COMPANYDETAIL"][u"VENDOR"], Data::Value(QString()));
        QVERIFY(returnMessages(*answer).isEmpty());

        // tables: several items, one item, empty ones passed in the request ([]), or not ("")
        answer = parseRfcResponse(u"BAPI_SALESORDER_CREATEFROMDAT2"_s, Fixtures::returnTable,
                                  {u"ORDER_ITEMS_IN"_s});
        VERIFY_OK(answer);
        QCOMPARE((*answer)[u"RETURN"].size(), 4);
        QVERIFY((*answer)[u"ORDER_PARTNERS"].isArray());
        QCOMPARE((*answer)[u"ORDER_PARTNERS"].at(0)[u"PARTN_NUMB"].toString(), u"4711"_s);
        QCOMPARE((*answer)[u"ORDER_ITEMS_IN"], Data::Value(Data::Array()));
        QCOMPARE((*answer)[u"EXTENSIONIN"], Data::Value(QString()));
        QCOMPARE((*answer)[u"SALESDOCUMENT"], Data::Value(QString()));
    }

    void turnsFaultsIntoErrors()
    {
        Result<Data::Value> answer = parseRfcResponse(u"RFC_READ_TABLE"_s, Fixtures::readTableFault);
        VERIFY_ERROR(answer, "sap_rfc_fault");
        QCOMPARE(answer.error().message,
                 u"RFC_READ_TABLE raised the exception TABLE_NOT_AVAILABLE: Table ZNOTHERE is not available"_s);
        QVERIFY(answer.error().details.contains(u"faultcode: soap:Client"_s));
        QVERIFY(answer.error().details.contains(u"faultstring: TABLE_NOT_AVAILABLE"_s));
        QVERIFY(answer.error().details.contains(u"exception: TABLE_NOT_AVAILABLE"_s));
        QVERIFY(Connectors::Soap::isFaultEnvelope(Fixtures::readTableFault));
        QVERIFY(!Connectors::Soap::isFaultEnvelope(Fixtures::vendorFound));

        VERIFY_ERROR(parseRfcResponse(u"X"_s, "<html><body>Logon</body></html>"), "sap_invalid_response");
        VERIFY_ERROR(parseRfcResponse(u"X"_s, "<soap:Envelope xmlns:soap=\"x\"><soap:Body>"), "sap_invalid_response");
        Result<Data::Value> other = parseRfcResponse(u"RFC_READ_TABLE"_s, Fixtures::vendorFound);
        VERIFY_ERROR(other, "sap_invalid_response");
        QVERIFY(other.error().message.contains(u"RFC_READ_TABLE.Response"_s));
    }

    void failsOnReturnErrors()
    {
        Result<Data::Value> missing = parseRfcResponse(u"BAPI_VENDOR_GETDETAIL"_s, Fixtures::vendorMissing);
        VERIFY_OK(missing);
        QList<SapMessage> messages = returnMessages(*missing);
        QCOMPARE(messages.size(), 1);
        Result<void> checked = checkReturnMessages(u"BAPI_VENDOR_GETDETAIL"_s, messages);
        VERIFY_ERROR(checked, "sap_bapi_error");
        QCOMPARE(checked.error().message, u"BAPI_VENDOR_GETDETAIL failed: Vendor 0000999999 does not exist (E ZCFX 001)"_s);
        QCOMPARE(checked.error().details, QStringList{u"E ZCFX 001: Vendor 0000999999 does not exist"_s});

        // a table: W and S pass, E and A fail with every error in the details
        Result<Data::Value> table = parseRfcResponse(u"BAPI_SALESORDER_CREATEFROMDAT2"_s, Fixtures::returnTable);
        VERIFY_OK(table);
        messages = returnMessages(*table);
        QCOMPARE(messages.size(), 4);
        QCOMPARE(messages.at(0).type, u"W"_s);
        checked = checkReturnMessages(u"BAPI_SALESORDER_CREATEFROMDAT2"_s, messages);
        VERIFY_ERROR(checked, "sap_bapi_error");
        QVERIFY(checked.error().message.contains(u"Sold-to party 4711 does not exist (E V1 382)"_s));
        QCOMPARE(checked.error().details, (QStringList{u"E V1 382: Sold-to party 4711 does not exist"_s,
                                                       u"A V4 219: Sales document was not changed"_s}));
        messages.removeAt(3);
        messages.removeAt(2);
        VERIFY_OK(checkReturnMessages(u"BAPI_SALESORDER_CREATEFROMDAT2"_s, messages));

        // BAPIRETURN has CODE in place of ID and NUMBER
        const Data::Value old = json(Text::bapiReturnAbort);
        messages = returnMessages(old);
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages.constFirst().id, u"F5808"_s);
        VERIFY_ERROR(checkReturnMessages(u"BAPI_ACC_DOCUMENT_POST"_s, messages), "sap_bapi_error");
    }

    // ---- RFC_READ_TABLE ----------------------------------------------------------------------

    void splitsRowsByOffsets()
    {
        Result<Data::Value> answer = parseRfcResponse(u"RFC_READ_TABLE"_s, Fixtures::readTableAnswer,
                                                      {u"DATA"_s, u"FIELDS"_s, u"OPTIONS"_s});
        VERIFY_OK(answer);
        Result<ReadTableResult> table = readTableResult(*answer);
        VERIFY_OK(table);
        QCOMPARE(table->fields.size(), 6);
        QCOMPARE(table->fields.at(1).offset, 11);
        QCOMPARE(table->fields.at(1).length, 25);
        QCOMPARE(table->fields.at(3).type, u"D"_s);
        QCOMPARE(table->records.size(), size_t(3));
        const Data::Value expected = json(Text::expectedRecords);
        QCOMPARE(Data::Json::serialize(Data::Value(table->records)), Data::Json::serialize(expected));

        // broken FIELDS are an error, not a guess
        Data::Value broken = *answer;
        Data::Array fields = broken[u"FIELDS"].toArray();
        Data::Object first = fields[0].toObject();
        first.insert(u"OFFSET"_s, Data::Value(u"x"_s));
        fields[0] = Data::Value(first);
        broken.mutableObject().insert(u"FIELDS"_s, Data::Value(fields));
        VERIFY_ERROR(readTableResult(broken), "sap_invalid_response");
    }

    void typesValuesLikeSap_data()
    {
        QTest::addColumn<QString>("raw");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QByteArray>("expected"); // JSON

        QTest::addRow("char trimmed") << u"  Berlin   "_s << u"C"_s << "\"Berlin\""_ba;
        QTest::addRow("numc keeps zeros") << u"0000100001"_s << u"N"_s << "\"0000100001\""_ba;
        QTest::addRow("date") << u"20241231"_s << u"D"_s << "\"2024-12-31\""_ba;
        QTest::addRow("initial date") << u"00000000"_s << u"D"_s << "null"_ba;
        QTest::addRow("invalid date stays") << u"20241399"_s << u"D"_s << "\"20241399\""_ba;
        QTest::addRow("time") << u"235900"_s << u"T"_s << "\"23:59:00\""_ba;
        QTest::addRow("integer") << u"        42"_s << u"I"_s << "42"_ba;
        QTest::addRow("negative integer") << u"       42-"_s << u"I"_s << "-42"_ba;
        QTest::addRow("blank integer") << u"     "_s << u"I"_s << "null"_ba;
        QTest::addRow("float") << u"1.5E+02"_s << u"F"_s << "150"_ba;
        QTest::addRow("packed stays exact") << u"12345678901234.56"_s << u"P"_s << "\"12345678901234.56\""_ba;
        QTest::addRow("raw") << u"00FF"_s << u"X"_s << "\"00FF\""_ba;
    }

    void typesValuesLikeSap()
    {
        QFETCH(QString, raw);
        QFETCH(QString, type);
        QFETCH(QByteArray, expected);
        QCOMPARE(Data::Json::serialize(typedTableValue(raw, type)), expected);
    }

    void splitsWhereIntoOptionLines()
    {
        const QString where = u"LAND1 EQ 'DE' AND ( ORT01 LIKE 'Frankfurt am Main%' OR ORT01 EQ 'Bad Homburg v. d. "
                              "Höhe' ) AND NAME1 NE 'O''Reilly & Co' AND ERDAT GE '20240101'"_s;
        Result<QStringList> lines = splitWhereClause(where);
        VERIFY_OK(lines);
        QVERIFY(lines->size() >= 2);
        for (const QString &line : *lines)
            QVERIFY2(line.size() <= 72, qPrintable(line));
        QCOMPARE(lines->join(u' '), where);
        // literals stay whole on one line
        QVERIFY(std::any_of(lines->begin(), lines->end(),
                            [](const QString &l) { return l.contains(u"'Bad Homburg v. d. Höhe'"_s); }));

        VERIFY_OK(splitWhereClause(QString()));
        QVERIFY(splitWhereClause(QString())->isEmpty());
        VERIFY_ERROR(splitWhereClause(u"NAME1 EQ '"_s + QString(80, u'x') + u'\''), "sap_invalid_options");
        VERIFY_ERROR(splitWhereClause(u"NAME1 EQ 'open"_s), "sap_invalid_options");

        ReadTableRequest request;
        request.table = u"lfa1"_s;
        request.fields = {u"LIFNR"_s, u"NAME1"_s};
        request.where = where;
        request.rowCount = 10;
        request.delimiter = u"|"_s;
        Result<Data::Value> parameters = readTableParameters(request);
        VERIFY_OK(parameters);
        QCOMPARE((*parameters)[u"QUERY_TABLE"].toString(), u"LFA1"_s);
        QCOMPARE((*parameters)[u"OPTIONS"].size(), lines->size());
        QCOMPARE((*parameters)[u"FIELDS"].at(1)[u"FIELDNAME"].toString(), u"NAME1"_s);
        QVERIFY((*parameters)[u"DATA"].isArray());
        request.delimiter = u"||"_s;
        VERIFY_ERROR(readTableParameters(request), "sap_invalid_options");
    }

    // ---- against a local HTTP server ---------------------------------------------------------

    void callsABapiAndCommitsInOneSession()
    {
        TestHttpServer server;
        QVERIFY(server.isListening());
        server.setHandler([](const Http::HttpRequest &request) {
            const QString command = request.query.queryItemValue(u"sap-sessioncmd"_s);
            if (request.body.contains("urn:BAPI_CUSTOMER_CREATEFROMDATA1")) {
                Http::HttpResponse response = xmlAnswer(Fixtures::customerCreated);
                if (command == u"open")
                    response.addHeader("Set-Cookie", "SAP_SESSIONID_QAS_100=session-1; path=/; HttpOnly");
                return response;
            }
            if (request.body.contains("urn:BAPI_TRANSACTION_COMMIT")) {
                Http::HttpResponse response = xmlAnswer(Fixtures::commitAnswer);
                if (command == u"close")
                    response.addHeader("Set-Cookie", "SAP_SESSIONID_QAS_100=; path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
                return response;
            }
            if (request.body.contains("urn:BAPI_VENDOR_GETDETAIL"))
                return xmlAnswer(Fixtures::vendorFound);
            return xmlAnswer(Fixtures::readTableFault, 500);
        });
        MetricsRegistry metrics;
        SapRfcClient client(poolFor(connectionTo(server), &metrics));
        const Data::Value person = json(Text::createPerson);
        Result<BapiResult> created = client.callBapi(u"BAPI_CUSTOMER_CREATEFROMDATA1"_s, person, true);
        VERIFY_OK(created);
        QCOMPARE(created->data[u"CUSTOMERNO"].toString(), u"0000200006"_s);
        QCOMPARE(created->messages.size(), 1);
        QCOMPARE(created->messages.constFirst().type, u"S"_s);

        const QList<Http::HttpRequest> requests = server.requests();
        QCOMPARE(requests.size(), 2);
        const Http::HttpRequest &bapi = requests.at(0);
        QCOMPARE(bapi.method, QByteArray("POST"));
        QCOMPARE(bapi.path, u"/sap/bc/soap/rfc"_s);
        QCOMPARE(bapi.query.queryItemValue(u"sap-client"_s), u"100"_s);
        QCOMPARE(bapi.query.queryItemValue(u"sap-language"_s), u"EN"_s);
        QCOMPARE(bapi.query.queryItemValue(u"sap-sessioncmd"_s), u"open"_s);
        QCOMPARE(bapi.header("Authorization"), "Basic " + (u"CONFLUX_RFC:"_s + kPassword).toUtf8().toBase64());
        QCOMPARE(bapi.header("SOAPAction"),
                 QByteArray("\"urn:sap-com:document:sap:rfc:functions:BAPI_CUSTOMER_CREATEFROMDATA1\""));
        QVERIFY(bapi.header("Content-Type").startsWith("text/xml"));
        QVERIFY(bapi.body.contains("<LASTNAME>Hopper</LASTNAME>"));
        const Http::HttpRequest &commit = requests.at(1);
        QVERIFY(commit.body.contains("<urn:BAPI_TRANSACTION_COMMIT"));
        QVERIFY(commit.body.contains("<WAIT>X</WAIT>"));
        QCOMPARE(commit.query.queryItemValue(u"sap-sessioncmd"_s), u"close"_s);
        QVERIFY2(commit.header("Cookie").contains("SAP_SESSIONID_QAS_100=session-1"), commit.header("Cookie").constData());

        // the next call on that slot is stateless again: no session cookie
        server.clearRequests();
        VERIFY_OK(client.callBapi(u"BAPI_VENDOR_GETDETAIL"_s, json(Text::vendorNumber), false));
        QCOMPARE(server.requestCount(), 1);
        QVERIFY(!server.requests().constFirst().header("Cookie").contains("SAP_SESSIONID"));
        QVERIFY(server.requests().constFirst().query.queryItemValue(u"sap-sessioncmd"_s).isEmpty());

        QCOMPARE(metrics.counter(u"sap_requests_total"_s, {}, {u"connection"_s, u"operation"_s, u"status"_s})
                     .value({u"qa"_s, u"BAPI_CUSTOMER_CREATEFROMDATA1"_s, u"ok"_s}),
                 1.0);
        QCOMPARE(metrics.counter(u"sap_requests_total"_s, {}, {u"connection"_s, u"operation"_s, u"status"_s})
                     .value({u"qa"_s, u"BAPI_TRANSACTION_COMMIT"_s, u"ok"_s}),
                 1.0);
        const QByteArray exposition = metrics.render();
        QVERIFY(exposition.contains("sap_request_duration_seconds_count{connection=\"qa\",operation=\"BAPI_VENDOR_GETDETAIL\"} 1"));
        QVERIFY(exposition.contains("sap_connection_pool_size{connection=\"qa\"} 2"));
        QVERIFY(exposition.contains("sap_connection_pool_available{connection=\"qa\"} 2"));
        QVERIFY(exposition.contains("sap_circuit_breaker_state{connection=\"qa\"} 0"));
    }

    void rollsBackAFailedBapi()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            if (request.body.contains("urn:BAPI_CUSTOMER_CREATEFROMDATA1")) {
                Http::HttpResponse response = xmlAnswer(Fixtures::customerRefused);
                response.addHeader("Set-Cookie", "SAP_SESSIONID_QAS_100=session-2; path=/");
                return response;
            }
            if (request.body.contains("urn:BAPI_TRANSACTION_ROLLBACK"))
                return xmlAnswer(Fixtures::rollbackAnswer);
            return xmlAnswer(Fixtures::commitAnswer);
        });
        MetricsRegistry metrics;
        SapRfcClient client(poolFor(connectionTo(server), &metrics));
        Result<BapiResult> created = client.callBapi(u"BAPI_CUSTOMER_CREATEFROMDATA1"_s,
                                                     json(Text::personWithoutCity), true);
        VERIFY_ERROR(created, "sap_bapi_error");
        QVERIFY(created.error().message.contains(u"Fill in the required fields of PI_PERSONALDATA: CITY"_s));
        QVERIFY(created.error().details.contains(u"E ZCFX 010: Fill in the required fields of PI_PERSONALDATA: CITY"_s));
        QVERIFY(created.error().details.contains(u"rolled back with BAPI_TRANSACTION_ROLLBACK"_s));
        const QList<Http::HttpRequest> requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QVERIFY(requests.at(1).body.contains("<urn:BAPI_TRANSACTION_ROLLBACK"));
        QCOMPARE(requests.at(1).query.queryItemValue(u"sap-sessioncmd"_s), u"close"_s);
        QVERIFY(requests.at(1).header("Cookie").contains("SAP_SESSIONID_QAS_100=session-2"));
        QCOMPARE(metrics.counter(u"sap_requests_total"_s, {}, {u"connection"_s, u"operation"_s, u"status"_s})
                     .value({u"qa"_s, u"BAPI_CUSTOMER_CREATEFROMDATA1"_s, u"sap_bapi_error"_s}),
                 1.0);

        // an RFC exception comes back as a SOAP fault with HTTP 500
        server.setHandler([](const Http::HttpRequest &) { return xmlAnswer(Fixtures::readTableFault, 500); });
        Result<ReadTableResult> table = client.readTable(u"ZNOTHERE"_s, {});
        VERIFY_ERROR(table, "sap_rfc_fault");
        QVERIFY(table.error().details.contains(u"exception: TABLE_NOT_AVAILABLE"_s));
    }

    void readsATableOverHttp()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return xmlAnswer(Fixtures::readTableAnswer); });
        SapRfcClient client(poolFor(connectionTo(server)));
        Result<ReadTableResult> table =
            client.readTable(u"LFA1"_s, {u"LIFNR"_s, u"NAME1"_s}, u"LAND1 EQ 'DE'"_s, 5, 2, u"|"_s);
        VERIFY_OK(table);
        QCOMPARE(table->records.size(), size_t(3));
        QCOMPARE(table->records.at(1)[u"NAME1"].toString(), u"Meyer | Söhne KG"_s);
        const Http::HttpRequest request = server.requests().constFirst();
        QVERIFY(request.body.contains("<QUERY_TABLE>LFA1</QUERY_TABLE>"));
        QVERIFY(request.body.contains("<DELIMITER>|</DELIMITER>"));
        QVERIFY(request.body.contains("<ROWCOUNT>5</ROWCOUNT>"));
        QVERIFY(request.body.contains("<ROWSKIPS>2</ROWSKIPS>"));
        QVERIFY(request.body.contains("<OPTIONS><item><TEXT>LAND1 EQ 'DE'</TEXT></item></OPTIONS>"));
        QVERIFY(request.body.contains("<FIELDS><item><FIELDNAME>LIFNR</FIELDNAME></item>"));
        QVERIFY(request.body.contains("<DATA/>"));
    }

    void reportsAWrongPasswordWithoutIt()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            Http::HttpResponse response(401, "Logon failed: user or password wrong", "text/plain");
            response.setHeader("WWW-Authenticate", "Basic realm=\"SAP NetWeaver Application Server [QAS/100]\"");
            return response;
        });
        MetricsRegistry metrics;
        SapRfcClient client(poolFor(connectionTo(server), &metrics));
        Result<Data::Value> answer = client.call(u"BAPI_VENDOR_GETDETAIL"_s, json(Text::unknownVendor));
        VERIFY_ERROR(answer, "authentication_failed");
        const QString text = answer.error().toString();
        QVERIFY2(text.contains(u"CONFLUX_RFC"_s) && text.contains(u"client 100"_s), qPrintable(text));
        QVERIFY2(!text.contains(kPassword), qPrintable(text));
        QCOMPARE(metrics.counter(u"sap_requests_total"_s, {}, {u"connection"_s, u"operation"_s, u"status"_s})
                     .value({u"qa"_s, u"BAPI_VENDOR_GETDETAIL"_s, u"authentication_failed"_s}),
                 1.0);

        // an HTML page with 200 (a logon form) is no answer
        server.setHandler([](const Http::HttpRequest &) {
            return Http::HttpResponse(200, "<html><body><form>Logon</form></body></html>", "text/html");
        });
        VERIFY_ERROR(client.call(u"BAPI_VENDOR_GETDETAIL"_s, {}), "sap_invalid_response");
    }

    void limitsConcurrentCallsToThePool()
    {
        TestHttpServer server;
        SapPoolOptions options;
        options.acquireTimeoutMs = 150;
        MetricsRegistry metrics;
        std::shared_ptr<SapPool> pool = poolFor(connectionTo(server, 1), &metrics, options);
        QCOMPARE(pool->size(), 1);
        QCOMPARE(pool->available(), 1);
        {
            Result<SapPool::Lease> held = pool->acquire();
            VERIFY_OK(held);
            QCOMPARE(pool->available(), 0);
            QVERIFY(metrics.render().contains("sap_connection_pool_available{connection=\"qa\"} 0"));
            SapRfcClient client(pool);
            Result<Data::Value> waiting = client.call(u"BAPI_VENDOR_GETDETAIL"_s, {});
            VERIFY_ERROR(waiting, "sap_pool_exhausted");
            QVERIFY(waiting.error().message.contains(u"pool_size"_s));
            QCOMPARE(server.requestCount(), 0);
        }
        QCOMPARE(pool->available(), 1);
        Result<SapPool::Lease> again = pool->acquire();
        VERIFY_OK(again);
    }
};

QTEST_GUILESS_MAIN(TestSapRfc)
#include "tst_sap_rfc.moc"
