// SAP OData operations against the SAP CAP peer (fixture sap_peers), as OData v4 and v2.

#include "base/metrics.h"
#include "connectors/connector.h"
#include "data/json.h"
#include "sap/sapconnection.h"
#include "sap/sapodata.h"
#include "sap/sapoperation.h"
#include "sap/sappool.h"
#include "security/secrets.h"
#include "testsupport.h"
#include "testsecrets.h"

#include <QRandomGenerator>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Sap;
using namespace Qt::StringLiterals;
using Conflux::Test::MapSecrets;

namespace {

Data::Value json(const QByteArray &text)
{
    Result<Data::Value> value = Data::Json::parse(text);
    if (!value)
        qFatal("bad test JSON: %s", qPrintable(value.error().toString()));
    return *value;
}

} // namespace

class TestSapOData : public QObject
{
    Q_OBJECT

private:
    QMap<QString, QString> m_env;
    MetricsRegistry m_metrics;
    std::shared_ptr<SapPool> m_pool;
    std::unique_ptr<SapODataClient> m_client;

    SapOperation operation(const QString &version, const QByteArray &method, const QString &entitySet,
                           const QByteArray &parameters = "{}")
    {
        const QByteArray document = "{\"kind\":\"SapOperation\",\"schemaVersion\":1,\"id\":\"op\",\"name\":\"op\","
                                    "\"connection\":\"cap\",\"operation_type\":\"odata\",\"service\":\"/odata/"
            + version.toUtf8() + "/sales/\",\"entity_set\":\"" + entitySet.toUtf8() + "\",\"method\":\"" + method
            + "\",\"parameters\":" + parameters + "}";
        Result<SapOperation> op = parseSapOperation(json(document));
        if (!op)
            qFatal("%s", qPrintable(op.error().toString()));
        return *op;
    }

private slots:
    void initTestCase()
    {
        QString error;
        m_env = Test::readFixtureEnv("CONFLUX_TEST_SAP_PEERS_ENV", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QUrl v4(m_env.value(u"CAP_ODATA_V4_URL"_s));
        QVERIFY(v4.isValid() && !v4.host().isEmpty());
        const QString base = u"http://%1:%2"_s.arg(v4.host()).arg(v4.port());
        const QByteArray document = "{\"kind\":\"SapConnection\",\"schemaVersion\":1,\"id\":\"cap\",\"name\":\"CAP\","
                                    "\"system_id\":\"CAP\",\"client\":\"100\",\"connection_type\":\"odata\","
                                    "\"system_type\":\"S4HANA\",\"base_url\":\""
            + base.toUtf8() + "\",\"username\":\"" + m_env.value(u"CAP_USER"_s).toUtf8()
            + "\",\"password\":{\"secret\":\"cap.password\"},\"timeout_seconds\":20}";
        Result<SapConnection> connection = parseSapConnection(json(document));
        QVERIFY2(connection, qPrintable(connection ? QString() : connection.error().toString()));
        Connectors::ConnectorContext context;
        context.secrets = std::make_shared<MapSecrets>(
            QHash<QString, QString>{{u"cap.password"_s, m_env.value(u"CAP_PASSWORD"_s)}});
        context.metrics = &m_metrics;
        Result<std::shared_ptr<SapPool>> pool = SapPool::create(*connection, context);
        QVERIFY2(pool, qPrintable(pool ? QString() : pool.error().toString()));
        m_pool = *pool;
        m_client = std::make_unique<SapODataClient>(m_pool);
    }

    void runsTheSeedsQuery_data()
    {
        QTest::addColumn<QString>("version");
        QTest::newRow("v4") << u"v4"_s;
        QTest::newRow("v2") << u"v2"_s;
    }
    void runsTheSeedsQuery()
    {
        QFETCH(QString, version);
        // Filters, select, expand, orderby and top, as the seed's example query.
        const QByteArray parameters = version == u"v4"
            ? QByteArray("{\"filter\":\"OrderDate ge 2024-06-01 and Currency eq 'EUR'\"}")
            : QByteArray("{\"filter\":\"OrderDate ge datetime'2024-06-01T00:00:00' and Currency eq 'EUR'\"}");
        const SapOperation op = operation(version, "GET", u"SalesOrders"_s, parameters);
        Result<Data::Value> result = m_client->run(
            op, json("{\"select\":[\"SalesOrder\",\"NetAmount\",\"Currency\",\"OrderDate\"],\"expand\":\"Items\","
                     "\"orderby\":[\"NetAmount desc\"],\"top\":5,\"count\":true}"));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().toString()));
        const Data::Value &orders = (*result)[u"results"];
        QVERIFY2(orders.size() > 0 && orders.size() <= 5, qPrintable(QString::number(orders.size())));
        double previous = 1e300;
        for (const Data::Value &order : orders.toArray()) {
            QCOMPARE(order[u"Currency"].toString(), u"EUR"_s);
            QVERIFY(order[u"OrderDate"].toString() >= u"2024-06-01"_s);
            QVERIFY(order[u"NetAmount"].isNumber());
            QVERIFY(order[u"NetAmount"].toDouble() <= previous);
            previous = order[u"NetAmount"].toDouble();
            QVERIFY(order[u"Items"].isArray());
            QVERIFY(order[u"Items"].size() >= 1);
            QVERIFY(order[u"SoldToParty_BusinessPartner"].isUndefined()); // not selected
        }
        QVERIFY((*result)[u"count"].toDouble() >= orders.size());
    }

    void readsOneEntityByKey()
    {
        Result<Data::Value> partner = m_client->run(operation(u"v4"_s, "GET", u"BusinessPartners"_s),
                                                    json("{\"key\":\"0001000001\"}"));
        QVERIFY2(partner, qPrintable(partner ? QString() : partner.error().toString()));
        QCOMPARE((*partner)[u"BusinessPartner"].toString(), u"0001000001"_s);
        QVERIFY(!(*partner)[u"BusinessPartnerName"].toString().isEmpty());
    }

    void createsUpdatesAndDeletes_data() { runsTheSeedsQuery_data(); }
    void createsUpdatesAndDeletes()
    {
        QFETCH(QString, version);
        const QString id = u"09%1"_s.arg(QRandomGenerator::global()->bounded(10000000, 99999999));
        Result<Data::Value> created = m_client->run(
            operation(version, "POST", u"BusinessPartners"_s),
            json("{\"BusinessPartner\":\"" + id.toUtf8()
                 + "\",\"BusinessPartnerName\":\"Conflux SAP OData test\",\"BusinessPartnerCategory\":\"2\",\"Country\":\"DE\"}"));
        QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
        const QByteArray updateMethod = version == u"v4" ? "PATCH" : "MERGE";
        Result<Data::Value> updated = m_client->run(operation(version, updateMethod, u"BusinessPartners"_s),
                                                    json("{\"key\":\"" + id.toUtf8() + "\",\"data\":{\"CityName\":\"Walldorf\"}}"));
        QVERIFY2(updated, qPrintable(updated ? QString() : updated.error().toString()));
        Result<Data::Value> read = m_client->run(operation(version, "GET", u"BusinessPartners"_s),
                                                 json("{\"key\":\"" + id.toUtf8() + "\"}"));
        QVERIFY2(read, qPrintable(read ? QString() : read.error().toString()));
        QCOMPARE((*read)[u"CityName"].toString(), u"Walldorf"_s);
        Result<Data::Value> removed = m_client->run(operation(version, "DELETE", u"BusinessPartners"_s),
                                                    json("{\"key\":\"" + id.toUtf8() + "\"}"));
        QVERIFY2(removed, qPrintable(removed ? QString() : removed.error().toString()));
        Result<Data::Value> gone = m_client->run(operation(version, "GET", u"BusinessPartners"_s),
                                                 json("{\"key\":\"" + id.toUtf8() + "\"}"));
        QVERIFY(!gone);
        QCOMPARE(gone.error().code, u"odata_error"_s);
    }

    void reportsServiceErrorsAndBadInput()
    {
        Result<Data::Value> bad = m_client->run(operation(u"v4"_s, "GET", u"SalesOrders"_s),
                                                json("{\"filter\":\"NoSuchProperty eq 1\"}"));
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, u"odata_error"_s);
        QVERIFY2(bad.error().message.contains(u"ODATA GET SalesOrders"_s), qPrintable(bad.error().message));

        Result<Data::Value> noKey = m_client->run(operation(u"v4"_s, "DELETE", u"BusinessPartners"_s), json("{}"));
        QVERIFY(!noKey);
        QCOMPARE(noKey.error().code, u"invalid_sap_operation"_s);
        Result<Data::Value> badTop = m_client->run(operation(u"v4"_s, "GET", u"SalesOrders"_s), json("{\"top\":-1}"));
        QVERIFY(!badTop);
        QCOMPARE(badTop.error().code, u"invalid_sap_operation"_s);
    }

    void countsCallsInTheSapMetrics()
    {
        const QByteArray text = m_metrics.render();
        QVERIFY2(text.contains("sap_requests_total{connection=\"cap\",operation=\"ODATA GET SalesOrders\",status=\"ok\"}"),
                 text.constData());
        QVERIFY(text.contains("sap_requests_total{connection=\"cap\",operation=\"ODATA GET SalesOrders\",status=\"odata_error\"} 1"));
        QVERIFY(text.contains("sap_request_duration_seconds"));
    }
};

QTEST_GUILESS_MAIN(TestSapOData)
#include "tst_sap_odata.moc"
