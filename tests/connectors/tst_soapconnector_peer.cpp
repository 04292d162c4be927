// The SOAP connector against real SOAP servers (fixture `sap_peers`, tests/peers/README.md):
// the order service of tests/peers/soapsvc (the `soap` npm package, one service with a SOAP 1.1
// and a SOAP 1.2 port, a strict check of envelopes in front) and the SAP SOAP RFC peer.

#include "connectors/soapconnector.h"

#include "connectors/httpclient.h"
#include "data/json.h"
#include "security/secrets.h"
#include "testsupport.h"
#include "testsecrets.h"

#include <QDateTime>
#include <QTest>
#include <QUuid>

#include <set>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;
using Conflux::Test::MapSecrets;

namespace {

Data::Value json(const QByteArray &text)
{
    Result<Data::Value> value = Data::Json::parse(text);
    if (!value)
        qFatal("bad JSON in test: %s", qPrintable(value.error().message));
    return *value;
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

const char *ordersEntity =
    "{\"name\": \"orders\", \"operation\": \"ListOrders\", \"records_path\": \"/ListOrdersResponse/order\","
    " \"request\": {\"offset\": \"{offset}\", \"limit\": \"{limit}\"}, \"key\": \"id\","
    " \"cursor_field\": \"changedAt\", \"cursor_parameter\": \"changedSince\","
    " \"write\": {\"insert\": \"CreateOrder\", \"update\": \"UpdateOrder\", \"delete\": \"DeleteOrder\"}}";

} // namespace

class TestSoapConnectorPeer : public QObject
{
    Q_OBJECT

private:
    QMap<QString, QString> m_env;

    QString env(const QString &key)
    {
        const QString value = m_env.value(key);
        if (value.isEmpty())
            qWarning("%s is missing from the env file of the sap_peers fixture", qPrintable(key));
        return value;
    }

    std::unique_ptr<SoapConnector> orderService(const QByteArray &version, int pageSize = 7)
    {
        EndpointSpec spec;
        spec.id = u"soapsvc-"_s + QString::fromLatin1(version);
        spec.protocol = Protocol::Soap;
        spec.url = QUrl(env(u"SOAPSVC_BASE_URL"_s)).resolved(QUrl(u"orders"_s));
        spec.timeoutSeconds = 10;
        spec.configuration = json("{\"soap_version\": \"" + version + "\", \"page_size\": "
                                  + QByteArray::number(pageSize) + ", \"entities\": [" + ordersEntity + "]}")
                                 .toObject();
        Result<std::unique_ptr<Connector>> created = createSoapConnector(spec, {});
        if (!created)
            qFatal("createSoapConnector: %s", qPrintable(created.error().toString()));
        return std::unique_ptr<SoapConnector>(static_cast<SoapConnector *>(created->release()));
    }

    static void versions()
    {
        QTest::addColumn<QByteArray>("version");
        QTest::addRow("SOAP 1.1") << QByteArray("1.1");
        QTest::addRow("SOAP 1.2") << QByteArray("1.2");
    }

private slots:
    void initTestCase()
    {
        QString error;
        m_env = Test::readFixtureEnv("CONFLUX_TEST_SAP_PEERS_ENV", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(!m_env.value(u"SOAPSVC_BASE_URL"_s).isEmpty(),
                 "SOAPSVC_BASE_URL is missing from the env file: the SOAP order service peer "
                 "(tests/peers/soapsvc) did not start with the sap_peers fixture");
        QVERIFY2(!m_env.value(u"SOAP_RFC_URL"_s).isEmpty(), "SOAP_RFC_URL is missing from the env file");
    }

    void init() { HttpClient::resetSharedState(); }

    void importsTheWsdl_data() { versions(); }
    void importsTheWsdl()
    {
        QFETCH(QByteArray, version);
        auto soap = orderService(version);
        Result<ConnectionTest> test = soap->testConnection();
        QVERIFY2(test, qPrintable(why(test)));
        QVERIFY2(test->serverInfo.startsWith(u"5 operations (WSDL OrderService, SOAP "_s + QString::fromLatin1(version)),
                 qPrintable(test->serverInfo));
        QCOMPARE(soap->address().path(), version == "1.2" ? u"/soap12/orders"_s : u"/soap11/orders"_s);
        Result<const WsdlDocument *> wsdl = soap->wsdl();
        QVERIFY(wsdl);
        QCOMPARE((*wsdl)->services.size(), size_t(1));
        QCOMPARE((*wsdl)->services.front().ports.size(), size_t(2));

        Result<std::vector<Entity>> entities = soap->discover();
        QVERIFY2(entities, qPrintable(why(entities)));
        const Data::SchemaField &record = entities->front().schema;
        QVERIFY(record.field(u"id")->types.testFlag(Data::SchemaType::Integer));
        QVERIFY(record.field(u"item")->isRepeated());
        QVERIFY(record.field(u"express")->types.testFlag(Data::SchemaType::Boolean));
    }

    void callsAnOperation_data() { versions(); }
    void callsAnOperation()
    {
        QFETCH(QByteArray, version);
        auto soap = orderService(version);
        Result<Data::Value> answer = soap->call(u"GetOrder"_s, json("{\"id\": 8}"));
        QVERIFY2(answer, qPrintable(why(answer)));
        const Data::Value order = (*answer)[u"GetOrderResponse"][u"order"];
        // Seed order 8 (tests/peers/soapsvc/seed.js): Globex AG, CHF, express, 3 items.
        QCOMPARE(order[u"id"], Data::Value(8));
        QCOMPARE(order[u"customer"], Data::Value(u"Globex AG"_s));
        QCOMPARE(order[u"@currency"], Data::Value(u"CHF"_s));
        QCOMPARE(order[u"express"], Data::Value(true));
        QCOMPARE(order[u"orderDate"], Data::Value(u"2024-02-08"_s));
        QCOMPARE(order[u"total"], Data::Value(207.75));
        QCOMPARE(order[u"item"].size(), 3);
        QCOMPARE(order[u"item"].at(2), json("{\"@line\": 3, \"sku\": \"VALVE-3\", \"quantity\": 5, \"price\": 41}"));

        // Order 6 has a nil note; order 1 one item array... (1 + 1 % 3 = 2 items); order 3 one item.
        Result<Data::Value> six = soap->call(u"GetOrder"_s, json("{\"id\": 6}"));
        QVERIFY2(six, qPrintable(why(six)));
        QVERIFY((*six)[u"GetOrderResponse"][u"order"][u"note"].isNull());
        Result<Data::Value> three = soap->call(u"GetOrder"_s, json("{\"id\": 3}"));
        QVERIFY2(three, qPrintable(why(three)));
        QVERIFY((*three)[u"GetOrderResponse"][u"order"][u"item"].isArray());
        QCOMPARE((*three)[u"GetOrderResponse"][u"order"][u"item"].size(), 1);
    }

    void readsWithPaging_data() { versions(); }
    void readsWithPaging()
    {
        QFETCH(QByteArray, version);
        auto soap = orderService(version, 7);
        Result<Data::Value> all = soap->call(u"ListOrders"_s, json("{\"limit\": 100}"));
        QVERIFY2(all, qPrintable(why(all)));
        const qint64 total = (*all)[u"ListOrdersResponse"][u"total"].toInt64();
        QVERIFY2(total >= 25, qPrintable(QString::number(total)));

        ReadRequest request;
        request.entity = u"orders"_s;
        std::vector<Data::Value> records;
        QList<int> pageSizes;
        Result<ReadSummary> summary = soap->read(request, [&](std::vector<Data::Value> &&page) {
            pageSizes.append(int(page.size()));
            records.insert(records.end(), page.begin(), page.end());
            return true;
        });
        QVERIFY2(summary, qPrintable(why(summary)));
        QCOMPARE(summary->records, total);
        QCOMPARE(qint64(records.size()), total);
        QCOMPARE(summary->pages, (total + 6) / 7);
        QCOMPARE(pageSizes.front(), 7);
        std::set<qint64> ids;
        for (size_t i = 0; i < records.size(); ++i) {
            ids.insert(records[i][u"id"].toInt64());
            if (i > 0)
                QVERIFY(records[i - 1][u"changedAt"].toString() <= records[i][u"changedAt"].toString());
        }
        QCOMPARE(qint64(ids.size()), total);
        QCOMPARE(summary->lastCursor, records.back()[u"changedAt"]);

        // Incrementally: after the 20th record's cursor.
        request.cursorField = u"changedAt"_s;
        request.cursorAfter = records[19][u"changedAt"];
        std::vector<Data::Value> changed;
        summary = soap->read(request, [&](std::vector<Data::Value> &&page) {
            changed.insert(changed.end(), page.begin(), page.end());
            return true;
        });
        QVERIFY2(summary, qPrintable(why(summary)));
        QCOMPARE(qint64(changed.size()), total - 20);
        QCOMPARE(changed.front()[u"id"], records[20][u"id"]);
    }

    void writesAndReadsBack_data() { versions(); }
    void writesAndReadsBack()
    {
        QFETCH(QByteArray, version);
        auto soap = orderService(version);
        const QString customer = u"Conflux test "_s + QUuid::createUuid().toString(QUuid::WithoutBraces).left(8);
        // The newest cursor before the insert, to find the new order by an incremental read.
        Result<Data::Value> before = soap->call(u"ListOrders"_s, json("{\"limit\": 100}"));
        QVERIFY(before);
        const Data::Array existing = (*before)[u"ListOrdersResponse"][u"order"].toArray();
        const Data::Value lastCursor = existing.back()[u"changedAt"];

        WriteRequest insert;
        insert.entity = u"orders"_s;
        insert.mode = WriteMode::Insert;
        Data::Value order = json("{\"@currency\": \"USD\", \"status\": \"open\", \"orderDate\": \"2024-06-01\","
                                 " \"express\": false, \"note\": null, \"item\": [{\"@line\": 1, \"sku\": \"X-1\","
                                 " \"quantity\": 4, \"price\": 2.5}]}");
        order.mutableObject().insert(u"customer"_s, customer);
        insert.records = {order};
        Result<WriteSummary> inserted = soap->write(insert);
        QVERIFY2(inserted, qPrintable(why(inserted)));
        QCOMPARE(inserted->inserted, 1);

        ReadRequest changes;
        changes.entity = u"orders"_s;
        changes.cursorField = u"changedAt"_s;
        changes.cursorAfter = lastCursor;
        std::vector<Data::Value> found;
        Result<ReadSummary> read = soap->read(changes, [&](std::vector<Data::Value> &&page) {
            for (Data::Value &r : page) {
                if (r[u"customer"] == Data::Value(customer))
                    found.push_back(std::move(r));
            }
            return true;
        });
        QVERIFY2(read, qPrintable(why(read)));
        QCOMPARE(found.size(), size_t(1));
        const qint64 id = found.front()[u"id"].toInt64();
        QCOMPARE(found.front()[u"total"], Data::Value(10));
        QCOMPARE(found.front()[u"@currency"], Data::Value(u"USD"_s));
        QVERIFY(found.front()[u"note"].isNull());

        // Update by key (upsert), then read back.
        Data::Value changed = found.front();
        changed.mutableObject().insert(u"status"_s, u"shipped"_s);
        changed.mutableObject().insert(u"note"_s, u"sent by Conflux"_s);
        changed.mutableObject().remove(u"total");
        changed.mutableObject().remove(u"changedAt");
        WriteRequest upsert;
        upsert.entity = u"orders"_s;
        upsert.records = {changed};
        Result<WriteSummary> updated = soap->write(upsert);
        QVERIFY2(updated, qPrintable(why(updated)));
        QCOMPARE(updated->updated, 1);
        QCOMPARE(updated->inserted, 0);
        Result<Data::Value> got = soap->call(u"GetOrder"_s, Data::Value(Data::Object{{u"id"_s, Data::Value(id)}}));
        QVERIFY2(got, qPrintable(why(got)));
        QCOMPARE((*got)[u"GetOrderResponse"][u"order"][u"status"], Data::Value(u"shipped"_s));
        QCOMPARE((*got)[u"GetOrderResponse"][u"order"][u"note"], Data::Value(u"sent by Conflux"_s));

        // Delete, then the order is gone: a fault.
        WriteRequest remove;
        remove.entity = u"orders"_s;
        remove.mode = WriteMode::Delete;
        remove.records = {changed};
        Result<WriteSummary> deleted = soap->write(remove);
        QVERIFY2(deleted, qPrintable(why(deleted)));
        QCOMPARE(deleted->deleted, 1);
        VERIFY_ERROR(soap->call(u"GetOrder"_s, Data::Value(Data::Object{{u"id"_s, Data::Value(id)}})), "soap_fault");
    }

    void faultsCarryCodeAndString_data() { versions(); }
    void faultsCarryCodeAndString()
    {
        QFETCH(QByteArray, version);
        auto soap = orderService(version);
        Result<Data::Value> missing = soap->call(u"GetOrder"_s, json("{\"id\": 999999}"));
        VERIFY_ERROR(missing, "soap_fault");
        const QStringList details = missing.error().details;
        if (version == "1.1") {
            QVERIFY2(missing.error().message.contains(u"(HTTP 500, operation GetOrder): soap:Client: Order 999999 does not exist"),
                     qPrintable(missing.error().message));
            QCOMPARE(details.value(0), u"faultcode: soap:Client"_s);
            QCOMPARE(details.value(1), u"faultstring: Order 999999 does not exist"_s);
            QVERIFY2(details.value(2).startsWith(u"detail: <tns:orderFault xmlns:tns=\"urn:conflux:test:orders\">"
                                                 "<tns:code>NOT_FOUND</tns:code><tns:orderId>999999</tns:orderId>"_s),
                     qPrintable(details.value(2)));
            QCOMPARE(soap->lastFault()[u"detail"][u"orderFault"][u"code"], Data::Value(u"NOT_FOUND"_s));
        } else {
            // SOAP 1.2 over HTTP answers a Sender fault with 400.
            QVERIFY2(missing.error().message.contains(
                         u"(HTTP 400, operation GetOrder): soap:Sender (tns:OrderNotFound): Order 999999 does not exist"),
                     qPrintable(missing.error().message));
            QCOMPARE(details.value(0), u"Code: soap:Sender"_s);
            QCOMPARE(details.value(1), u"Subcode: tns:OrderNotFound"_s);
            QCOMPARE(details.value(2), u"Reason: Order 999999 does not exist"_s);
            QVERIFY2(details.value(3).contains(u"<tns:code>NOT_FOUND</tns:code>"), qPrintable(details.value(3)));
            QCOMPARE(soap->lastFault()[u"Detail"][u"orderFault"][u"orderId"], Data::Value(u"999999"_s));
        }

        // A create the service refuses: the fault's detail names the fields.
        Result<Data::Value> invalid = soap->call(
            u"CreateOrder"_s, json("{\"order\": {\"customer\": \"x\", \"status\": \"lost\", \"orderDate\": \"2024-01-01\","
                                   " \"express\": false}}"));
        VERIFY_ERROR(invalid, "soap_fault");
        QVERIFY2(invalid.error().toString().contains(u"invalid order: status, item"), qPrintable(invalid.error().toString()));
        QVERIFY2(invalid.error().toString().contains(u"<tns:field>status</tns:field><tns:field>item</tns:field>"),
                 qPrintable(invalid.error().toString()));
    }

    void callsTheSapRfcPeer()
    {
        EndpointSpec spec;
        spec.id = u"sap-rfc"_s;
        spec.protocol = Protocol::Soap;
        spec.url = QUrl(env(u"SOAP_RFC_URL"_s));
        spec.timeoutSeconds = 10;
        spec.authentication.type = ClientAuthentication::Type::Basic;
        spec.authentication.username = env(u"SAP_USER"_s);
        spec.authentication.secret = u"sap.password"_s;
        spec.configuration = json("{\"wsdl\": \"" + env(u"SOAP_WSDL_URL"_s).toUtf8() + "\"}").toObject();
        ConnectorContext context;
        context.secrets = std::make_shared<MapSecrets>(QHash<QString, QString>{{u"sap.password"_s, env(u"SAP_PASSWORD"_s)}});
        Result<std::unique_ptr<Connector>> created = createSoapConnector(spec, context);
        QVERIFY2(created, qPrintable(why(created)));
        auto *soap = static_cast<SoapConnector *>(created->get());

        Result<ConnectionTest> test = soap->testConnection();
        QVERIFY2(test, qPrintable(why(test)));
        QVERIFY2(test->serverInfo.startsWith(u"5 operations (WSDL RFC, SOAP 1.1, RFCSoap"), qPrintable(test->serverInfo));

        Result<Data::Value> answer = soap->call(u"BAPI_VENDOR_GETDETAIL"_s,
                                                json("{\"VENDORNO\": \"100001\", \"COMPANYCODE\": \"1000\"}"));
        QVERIFY2(answer, qPrintable(why(answer)));
        const Data::Value result = (*answer)[u"BAPI_VENDOR_GETDETAIL.Response"];
        QCOMPARE(result[u"GENERALDETAIL"][u"VENDOR"], Data::Value(u"0000100001"_s));
        QCOMPARE(result[u"GENERALDETAIL"][u"NAME"], Data::Value(u"Schulz Stahlhandel GmbH"_s));
        QCOMPARE(result[u"GENERALDETAIL"][u"CITY"], Data::Value(u"Duisburg"_s));
        QCOMPARE(result[u"COMPANYDETAIL"][u"COMP_CODE"], Data::Value(u"1000"_s));
        QCOMPARE(result[u"RETURN"][u"TYPE"], Data::Value(QString()));

        Result<Data::Value> unknown = soap->call(u"BAPI_VENDOR_GETDETAIL"_s, json("{\"VENDORNO\": \"999999\"}"));
        QVERIFY2(unknown, qPrintable(why(unknown)));
        const Data::Value ret = (*unknown)[u"BAPI_VENDOR_GETDETAIL.Response"][u"RETURN"];
        QCOMPARE(ret[u"TYPE"], Data::Value(u"E"_s));
        QCOMPARE(ret[u"MESSAGE"], Data::Value(u"Vendor 0000999999 does not exist"_s));

        // RFC_READ_TABLE's exception is a SOAP fault with the exception in its detail.
        Result<Data::Value> fault = soap->call(u"RFC_READ_TABLE"_s, json("{\"QUERY_TABLE\": \"ZNOPE\"}"));
        VERIFY_ERROR(fault, "soap_fault");
        QVERIFY2(fault.error().details.contains(u"faultstring: TABLE_NOT_AVAILABLE"_s), qPrintable(fault.error().toString()));
        QCOMPARE(soap->lastFault()[u"detail"][u"RFC_READ_TABLE.Exception"][u"Name"], Data::Value(u"TABLE_NOT_AVAILABLE"_s));
    }
};

QTEST_GUILESS_MAIN(TestSoapConnectorPeer)
#include "tst_soapconnector_peer.moc"
