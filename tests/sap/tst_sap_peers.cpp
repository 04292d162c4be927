// The SAP clients against the SOAP RFC / IDoc-XML peer of tests/peers (README there): a real
// HTTP server shaped like an SAP system's ICF services, started by the sap_peers fixture.

#include "sap/sapconnection.h"
#include "sap/sapidoc.h"
#include "sap/sapoperation.h"
#include "sap/sappool.h"
#include "sap/saprfcclient.h"

#include "base/metrics.h"
#include "connectors/httpclient.h"
#include "data/json.h"
#include "security/secrets.h"
#include "testsupport.h"
#include "testsecrets.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Sap;
using namespace Qt::StringLiterals;
using Conflux::Test::MapSecrets;

namespace {

QString uniqueMark(const QString &prefix)
{
    return prefix + QString::number(QRandomGenerator::global()->bounded(100000, 999999));
}

} // namespace

class TestSapPeers : public QObject
{
    Q_OBJECT

private:
    QMap<QString, QString> m_env;
    MetricsRegistry m_metrics;
    std::shared_ptr<SapPool> m_pool;

    Data::Value connectionDocument(const QString &id) const
    {
        Data::Object document{
            {u"kind"_s, Data::Value(u"SapConnection"_s)},
            {u"schemaVersion"_s, Data::Value(1)},
            {u"id"_s, Data::Value(id)},
            {u"name"_s, Data::Value(u"SOAP RFC peer"_s)},
            {u"system_id"_s, Data::Value(u"CFX"_s)},
            {u"client"_s, Data::Value(m_env.value(u"SAP_CLIENT"_s))},
            {u"connection_type"_s, Data::Value(u"soap_rfc"_s)},
            {u"system_type"_s, Data::Value(u"S4HANA"_s)},
            {u"base_url"_s, Data::Value(m_env.value(u"SOAP_RFC_URL"_s))},
            {u"username"_s, Data::Value(m_env.value(u"SAP_USER"_s))},
            {u"password"_s, Data::Value(Data::Object{{u"secret"_s, Data::Value(u"sap.peer.password"_s)}})},
            {u"language"_s, Data::Value(u"EN"_s)},
            {u"pool_size"_s, Data::Value(3)},
            {u"timeout_seconds"_s, Data::Value(20)},
        };
        return Data::Value(std::move(document));
    }

    std::shared_ptr<SapPool> makePool(const QString &id, const QString &password, MetricsRegistry *metrics)
    {
        Result<SapConnection> connection = parseSapConnection(connectionDocument(id));
        if (!connection) {
            qWarning("%s", qPrintable(connection.error().toString()));
            return {};
        }
        Connectors::ConnectorContext context;
        context.secrets = std::make_shared<MapSecrets>(QHash<QString, QString>{{u"sap.peer.password"_s, password}});
        context.metrics = metrics;
        Result<std::shared_ptr<SapPool>> pool = SapPool::create(*connection, context);
        if (!pool) {
            qWarning("%s", qPrintable(pool.error().toString()));
            return {};
        }
        return *pool;
    }

    // What the peer's IDoc inbound received (GET /test/idocs, no logon).
    Result<Data::Value> receivedIdocs()
    {
        Connectors::HttpClientOptions options;
        options.endpointId = u"sap-peer-test"_s;
        Connectors::HttpClient client(options, {}, {});
        Connectors::HttpRequest request;
        request.url = QUrl(m_env.value(u"IDOC_TEST_URL"_s));
        Result<Connectors::HttpResponse> response = client.send(request);
        if (!response)
            return response.error();
        if (!response->isSuccess())
            return makeError("test", response->describe());
        return Data::Json::parse(response->body);
    }

private slots:
    void initTestCase()
    {
        QString error;
        m_env = Test::readFixtureEnv("CONFLUX_TEST_SAP_PEERS_ENV", &error);
        QVERIFY2(!m_env.isEmpty(), qPrintable(error));
        for (const QString &key : {u"SOAP_RFC_URL"_s, u"IDOC_URL"_s, u"IDOC_TEST_URL"_s, u"SAP_USER"_s,
                                   u"SAP_PASSWORD"_s, u"SAP_CLIENT"_s}) {
            QVERIFY2(!m_env.value(key).isEmpty(), qPrintable(u"the SAP peers' env file lacks "_s + key));
        }
        m_pool = makePool(u"peer"_s, m_env.value(u"SAP_PASSWORD"_s), &m_metrics);
        QVERIFY(m_pool);
        // base_url is the SOAP RFC URL; the clients reach both services from its root
        QCOMPARE(m_pool->url(u"/sap/bc/idoc_xml"_s).adjusted(QUrl::RemoveQuery), QUrl(m_env.value(u"IDOC_URL"_s)));
    }

    void readsAVendor()
    {
        SapRfcClient client(m_pool);
        Result<BapiResult> vendor = client.callBapi(
            u"BAPI_VENDOR_GETDETAIL"_s,
            Data::Value(Data::Object{{u"VENDORNO"_s, Data::Value(u"100001"_s)},
                                     {u"COMPANYCODE"_s, Data::Value(u"1000"_s)}}),
            false);
        VERIFY_OK(vendor);
        const Data::Value &general = vendor->data[u"GENERALDETAIL"];
        QCOMPARE(general[u"VENDOR"].toString(), u"0000100001"_s);
        QCOMPARE(general[u"NAME"].toString(), u"Schulz Stahlhandel GmbH"_s);
        QCOMPARE(general[u"CITY"].toString(), u"Duisburg"_s);
        QCOMPARE(general[u"COUNTRY"].toString(), u"DE"_s);
        QCOMPARE(vendor->data[u"COMPANYDETAIL"][u"COMP_CODE"].toString(), u"1000"_s);
        QVERIFY(vendor->messages.isEmpty()); // RETURN initial
    }

    void failsForAnUnknownVendor()
    {
        SapRfcClient client(m_pool);
        Result<BapiResult> vendor = client.callBapi(
            u"BAPI_VENDOR_GETDETAIL"_s, Data::Value(Data::Object{{u"VENDORNO"_s, Data::Value(u"0000999999"_s)}}), false);
        VERIFY_ERROR(vendor, "sap_bapi_error");
        QVERIFY2(vendor.error().message.contains(u"Vendor 0000999999 does not exist"_s), qPrintable(vendor.error().message));
        QVERIFY2(vendor.error().message.contains(u"ZCFX 001"_s), qPrintable(vendor.error().message));
        QCOMPARE(vendor.error().details, QStringList{u"E ZCFX 001: Vendor 0000999999 does not exist"_s});
    }

    void readsLfa1()
    {
        SapRfcClient client(m_pool);
        const QStringList fields{u"LIFNR"_s, u"NAME1"_s, u"ORT01"_s, u"LAND1"_s, u"ERDAT"_s};
        Result<ReadTableResult> first = client.readTable(u"LFA1"_s, fields, u"LAND1 EQ 'DE'"_s, 3, 0, u"|"_s);
        VERIFY_OK(first);
        QCOMPARE(first->records.size(), size_t(3));
        QCOMPARE(first->fields.size(), 5);
        QCOMPARE(first->fields.at(1).name, u"NAME1"_s);
        QCOMPARE(first->fields.at(1).offset, 11); // LIFNR's 10 characters and the delimiter
        static const QRegularExpression isoDate(u"^\\d{4}-\\d{2}-\\d{2}$"_s);
        for (const Data::Value &record : first->records) {
            QCOMPARE(record[u"LAND1"].toString(), u"DE"_s);
            QCOMPARE(record[u"LIFNR"].toString().size(), 10);
            QVERIFY(!record[u"NAME1"].toString().isEmpty());
            QVERIFY(!record[u"NAME1"].toString().endsWith(u' '));
            QVERIFY2(isoDate.match(record[u"ERDAT"].toString()).hasMatch(), qPrintable(record[u"ERDAT"].toString()));
        }
        QCOMPARE(first->records.at(0)[u"NAME1"].toString(), u"Schulz Stahlhandel GmbH"_s);

        // ROWSKIPS, and a WHERE longer than one OPTIONS line of 72 characters
        const QString longWhere = u"LAND1 EQ 'DE' AND NAME1 NE 'A vendor name that does not exist anywhere' AND "
                                  "LIFNR NE '0000999999' AND ORT01 LIKE '%'"_s;
        QVERIFY(longWhere.size() > 72);
        Result<ReadTableResult> skipped = client.readTable(u"LFA1"_s, fields, longWhere, 2, 1, QString());
        VERIFY_OK(skipped);
        QCOMPARE(skipped->records.size(), size_t(2));
        QCOMPARE(skipped->fields.at(1).offset, 10); // no delimiter
        QCOMPARE(skipped->records.at(0), first->records.at(1));
        QCOMPARE(skipped->records.at(1), first->records.at(2));

        // all fields, no rows, and an RFC exception
        Result<ReadTableResult> none = client.readTable(u"LFA1"_s, {}, u"LIFNR EQ 'NOBODY'"_s);
        VERIFY_OK(none);
        QVERIFY(none->records.empty());
        QCOMPARE(none->fields.size(), 6); // MANDT, LIFNR, NAME1, ORT01, LAND1, ERDAT
        Result<ReadTableResult> missing = client.readTable(u"ZNOTHERE"_s, {});
        VERIFY_ERROR(missing, "sap_rfc_fault");
        QVERIFY(missing.error().message.contains(u"TABLE_NOT_AVAILABLE"_s));
        Result<ReadTableResult> badOption = client.readTable(u"LFA1"_s, {}, u"NOFIELD EQ 'x'"_s);
        VERIFY_ERROR(badOption, "sap_rfc_fault");
        QVERIFY(badOption.error().details.contains(u"exception: OPTION_NOT_VALID"_s));
    }

    void createsACustomerAndCommits()
    {
        SapRfcClient client(m_pool);
        const QString city = uniqueMark(u"Conflux City "_s);
        const Data::Value person(Data::Object{
            {u"PI_PERSONALDATA"_s,
             Data::Value(Data::Object{{u"FIRSTNAME"_s, Data::Value(u"Grace"_s)},
                                      {u"LASTNAME"_s, Data::Value(u"Hopper"_s)},
                                      {u"CITY"_s, Data::Value(city)},
                                      {u"COUNTRY"_s, Data::Value(u"US"_s)}})},
            {u"PI_COPYREFERENCE"_s, Data::Value(Data::Object{{u"SALESORG"_s, Data::Value(u"1000"_s)}})}});
        const QString where = u"ORT01 EQ '%1'"_s.arg(city);

        // without the commit, SAP discards the customer at the end of the call
        Result<BapiResult> uncommitted = client.callBapi(u"BAPI_CUSTOMER_CREATEFROMDATA1"_s, person, false);
        VERIFY_OK(uncommitted);
        QVERIFY(!uncommitted->data[u"CUSTOMERNO"].toString().isEmpty());
        Result<ReadTableResult> kna1 = client.readTable(u"KNA1"_s, {u"KUNNR"_s, u"NAME1"_s}, where);
        VERIFY_OK(kna1);
        QVERIFY(kna1->records.empty());

        // with it, in one session: the customer is in KNA1 afterwards
        Result<BapiResult> created = client.callBapi(u"BAPI_CUSTOMER_CREATEFROMDATA1"_s, person, true);
        VERIFY_OK(created);
        const QString number = created->data[u"CUSTOMERNO"].toString();
        QCOMPARE(number.size(), 10);
        QCOMPARE(created->messages.size(), 1);
        QCOMPARE(created->messages.constFirst().type, u"S"_s);
        QVERIFY(created->messages.constFirst().text.contains(number));
        kna1 = client.readTable(u"KNA1"_s, {u"KUNNR"_s, u"NAME1"_s, u"ORT01"_s}, where);
        VERIFY_OK(kna1);
        QCOMPARE(kna1->records.size(), size_t(1));
        QCOMPARE(kna1->records.at(0)[u"KUNNR"].toString(), number);
        QCOMPARE(kna1->records.at(0)[u"NAME1"].toString(), u"Grace Hopper"_s);

        // an operation document that commits, with constant parameters under the input
        Result<SapOperation> operation = parseSapOperation(Data::Value(Data::Object{
            {u"kind"_s, Data::Value(u"SapOperation"_s)},
            {u"schemaVersion"_s, Data::Value(1)},
            {u"id"_s, Data::Value(u"create-customer"_s)},
            {u"name"_s, Data::Value(u"Create customer"_s)},
            {u"connection"_s, Data::Value(u"peer"_s)},
            {u"operation_type"_s, Data::Value(u"bapi"_s)},
            {u"function_name"_s, Data::Value(u"BAPI_CUSTOMER_CREATEFROMDATA1"_s)},
            {u"commit"_s, Data::Value(true)},
            {u"parameters"_s, Data::Value(Data::Object{{u"PI_COPYREFERENCE"_s,
                                                        Data::Value(Data::Object{{u"SALESORG"_s, Data::Value(u"1000"_s)}})}})},
        }));
        VERIFY_OK(operation);
        const QString city2 = uniqueMark(u"Conflux Town "_s);
        Data::Value input(Data::Object{{u"PI_PERSONALDATA"_s,
                                        Data::Value(Data::Object{{u"LASTNAME"_s, Data::Value(u"Lovelace"_s)},
                                                                 {u"CITY"_s, Data::Value(city2)},
                                                                 {u"COUNTRY"_s, Data::Value(u"GB"_s)}})}});
        Result<BapiResult> ran = client.run(*operation, input);
        VERIFY_OK(ran);
        kna1 = client.readTable(u"KNA1"_s, {u"KUNNR"_s}, u"ORT01 EQ '%1'"_s.arg(city2));
        VERIFY_OK(kna1);
        QCOMPARE(kna1->records.size(), size_t(1));
        QCOMPARE(kna1->records.at(0)[u"KUNNR"].toString(), ran->data[u"CUSTOMERNO"].toString());

        // a BAPI that fails is rolled back, with its message as the error
        Data::Value incomplete(Data::Object{{u"PI_PERSONALDATA"_s,
                                             Data::Value(Data::Object{{u"LASTNAME"_s, Data::Value(u"Hopper"_s)},
                                                                      {u"COUNTRY"_s, Data::Value(u"US"_s)}})}});
        Result<BapiResult> refused = client.callBapi(u"BAPI_CUSTOMER_CREATEFROMDATA1"_s, incomplete, true);
        VERIFY_ERROR(refused, "sap_bapi_error");
        QVERIFY2(refused.error().message.contains(u"CITY"_s), qPrintable(refused.error().message));
        QVERIFY(refused.error().details.contains(u"rolled back with BAPI_TRANSACTION_ROLLBACK"_s));
    }

    void sendsAnIdoc()
    {
        SapIdocClient client(m_pool);
        const QString mark = uniqueMark(u"CFXT"_s);
        const Data::Value idoc(Data::Object{
            {u"control_record"_s, Data::Value(Data::Object{{u"IDOCTYP"_s, Data::Value(u"DEBMAS07"_s)},
                                                           {u"MESTYP"_s, Data::Value(u"DEBMAS"_s)},
                                                           {u"SNDPOR"_s, Data::Value(u"CONFLUX"_s)},
                                                           {u"SNDPRN"_s, Data::Value(mark)}})},
            {u"data_records"_s,
             Data::Value(Data::Array{Data::Value(Data::Object{
                 {u"segment"_s, Data::Value(u"E1KNA1M"_s)},
                 {u"fields"_s, Data::Value(Data::Object{{u"MSGFN"_s, Data::Value(u"009"_s)},
                                                        {u"KUNNR"_s, Data::Value(u"0000200001"_s)},
                                                        {u"NAME1"_s, Data::Value(u"Lovelace & Co"_s)}})},
                 {u"children"_s, Data::Value(Data::Array{
                                     Data::Value(Data::Object{{u"segment"_s, Data::Value(u"E1KNB1M"_s)},
                                                              {u"fields"_s, Data::Value(Data::Object{
                                                                                {u"BUKRS"_s, Data::Value(u"1000"_s)}})}}),
                                     Data::Value(Data::Object{{u"segment"_s, Data::Value(u"E1KNB1M"_s)},
                                                              {u"fields"_s, Data::Value(Data::Object{
                                                                                {u"BUKRS"_s, Data::Value(u"2000"_s)}})}})})}})})}});
        Result<IdocSendResult> sent = client.send(idoc);
        VERIFY_OK(sent);
        QCOMPARE(sent->idocNumbers.size(), 1);
        const QString number = sent->idocNumbers.constFirst();
        QVERIFY2(QRegularExpression(u"^\\d{16}$"_s).match(number).hasMatch(), qPrintable(number));

        Result<Data::Value> received = receivedIdocs();
        VERIFY_OK(received);
        const Data::Value *found = nullptr;
        for (const Data::Value &entry : received->toArray()) {
            if (entry[u"docnum"].toString() == number)
                found = &entry;
        }
        QVERIFY2(found, qPrintable(u"IDoc %1 is not in /test/idocs"_s.arg(number)));
        QCOMPARE((*found)[u"sndprn"].toString(), mark);
        QCOMPARE((*found)[u"mestyp"].toString(), u"DEBMAS"_s);
        QCOMPARE((*found)[u"idoctyp"].toString(), u"DEBMAS07"_s);
        QCOMPARE((*found)[u"client"].toString(), m_env.value(u"SAP_CLIENT"_s));
        QCOMPARE((*found)[u"senderDocnum"], sent->idocs.at(0)[u"control_record"][u"DOCNUM"]);
        QCOMPARE((*found)[u"control"][u"RCVPRN"].toString(), u"CFXCLNT"_s + m_env.value(u"SAP_CLIENT"_s));
        const Data::Value &segments = (*found)[u"segments"];
        QCOMPARE(segments.size(), 1);
        QCOMPARE(segments.at(0)[u"segment"].toString(), u"E1KNA1M"_s);
        QCOMPARE(segments.at(0)[u"fields"][u"NAME1"].toString(), u"Lovelace & Co"_s);
        QCOMPARE(segments.at(0)[u"children"].size(), 2);
        QCOMPARE(segments.at(0)[u"children"].at(1)[u"segment"].toString(), u"E1KNB1M"_s);
        QCOMPARE(segments.at(0)[u"children"].at(1)[u"fields"][u"BUKRS"].toString(), u"2000"_s);
    }

    void refusesAWrongPasswordWithoutSayingIt()
    {
        const QString wrong = u"not-the-password-%1"_s.arg(QRandomGenerator::global()->generate());
        MetricsRegistry metrics;
        std::shared_ptr<SapPool> pool = makePool(u"peer-wrong"_s, wrong, &metrics);
        QVERIFY(pool);
        SapRfcClient client(pool);
        Result<Data::Value> answer = client.call(u"BAPI_VENDOR_GETDETAIL"_s,
                                                 Data::Value(Data::Object{{u"VENDORNO"_s, Data::Value(u"100001"_s)}}));
        VERIFY_ERROR(answer, "authentication_failed");
        const QString text = answer.error().toString();
        QVERIFY2(text.contains(m_env.value(u"SAP_USER"_s)), qPrintable(text));
        QVERIFY2(!text.contains(wrong), qPrintable(text));
        QVERIFY2(!text.contains(m_env.value(u"SAP_PASSWORD"_s)), qPrintable(text));

        SapIdocClient idocs(pool);
        Result<IdocSendResult> sent = idocs.send(Data::Value(Data::Object{
            {u"control_record"_s, Data::Value(Data::Object{{u"IDOCTYP"_s, Data::Value(u"DEBMAS07"_s)},
                                                           {u"MESTYP"_s, Data::Value(u"DEBMAS"_s)},
                                                           {u"SNDPOR"_s, Data::Value(u"CONFLUX"_s)},
                                                           {u"SNDPRN"_s, Data::Value(u"CONFLUX"_s)}})},
            {u"data_records"_s, Data::Value(Data::Array{Data::Value(Data::Object{
                                    {u"segment"_s, Data::Value(u"E1KNA1M"_s)}})})}}));
        VERIFY_ERROR(sent, "authentication_failed");
        QVERIFY(!sent.error().toString().contains(wrong));
    }

    void exposesMetrics()
    {
        const QByteArray text = m_metrics.render();
        auto has = [&](const char *line) { return text.contains(line); };
        QVERIFY2(has("sap_requests_total{connection=\"peer\",operation=\"BAPI_VENDOR_GETDETAIL\",status=\"ok\"} 1"),
                 text.constData());
        QVERIFY(has("sap_requests_total{connection=\"peer\",operation=\"BAPI_VENDOR_GETDETAIL\",status=\"sap_bapi_error\"} 1"));
        QVERIFY(has("sap_requests_total{connection=\"peer\",operation=\"RFC_READ_TABLE\",status=\"sap_rfc_fault\"} 2"));
        QVERIFY(has("sap_requests_total{connection=\"peer\",operation=\"BAPI_TRANSACTION_COMMIT\",status=\"ok\"} 2"));
        QVERIFY(has("sap_requests_total{connection=\"peer\",operation=\"BAPI_TRANSACTION_ROLLBACK\",status=\"ok\"} 1"));
        QVERIFY(has("sap_requests_total{connection=\"peer\",operation=\"IDOC:DEBMAS\",status=\"ok\"} 1"));
        QVERIFY(has("sap_request_duration_seconds_count{connection=\"peer\",operation=\"RFC_READ_TABLE\"}"));
        QVERIFY(has("sap_connection_pool_size{connection=\"peer\"} 3"));
        QVERIFY(has("sap_connection_pool_available{connection=\"peer\"} 3"));
        QVERIFY(has("sap_circuit_breaker_state{connection=\"peer\"} 0"));
        QVERIFY(has("connector_requests_total{endpoint=\"sap/peer\",method=\"POST\",status=\"200\"}"));
    }
};

QTEST_GUILESS_MAIN(TestSapPeers)
#include "tst_sap_peers.moc"
