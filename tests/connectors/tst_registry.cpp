#include "connectors/registry.h"
#include "connectors/restapi.h"
#include "data/json.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;

namespace {

Data::Value json(const QByteArray &text)
{
    Result<Data::Value> value = Data::Json::parse(text);
    if (!value)
        qFatal("bad test JSON: %s", qPrintable(value.error().toString()));
    return *value;
}

QByteArray endpoint(const QByteArray &id, const QByteArray &type, const QByteArray &protocol, const QByteArray &rest)
{
    return "{\"kind\":\"Endpoint\",\"schemaVersion\":1,\"id\":\"" + id + "\",\"name\":\"" + id + "\",\"type\":\"" + type
        + "\",\"protocol\":\"" + protocol + "\"" + (rest.isEmpty() ? QByteArray() : "," + rest) + "}";
}

} // namespace

class TestRegistry : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    ConnectorCatalog m_catalog;
    ConnectorRegistry m_registry;
    ConnectorContext m_context;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir(m_dir.path()).mkpath(u"inbox"_s));
        Result<ConnectorCatalog> catalog = ConnectorCatalog::load(QStringLiteral(CONFLUX_SOURCE_DIR "/resources/connectors"));
        QVERIFY2(catalog, qPrintable(catalog ? QString() : catalog.error().toString()));
        QVERIFY(catalog->ids().size() >= 50);
        m_catalog = std::move(*catalog);
        registerBuiltinConnectors(m_registry, &m_catalog);
        m_context.baseDirectory = m_dir.path();
    }

    void createsEveryBuiltinProtocol_data()
    {
        QTest::addColumn<QByteArray>("document");
        QTest::addColumn<int>("capability");
        QTest::newRow("rest inline") << endpoint("shop", "api", "rest",
                                                 "\"url\":\"https://shop.example.com/api\",\"configuration\":{\"resources\":"
                                                 "[{\"name\":\"orders\",\"description\":\"Orders\",\"method\":\"GET\","
                                                 "\"path\":\"/orders\",\"record_selector\":\"/data\",\"primary_key\":[\"id\"]}],"
                                                 "\"pagination\":{\"style\":\"none\"}}")
                                     << int(Capability::Read);
        QTest::newRow("rest catalog") << endpoint("status", "api", "rest",
                                                  "\"url\":\"https://www.githubstatus.com/api/v2\","
                                                  "\"configuration\":{\"catalog\":\"statuspage\",\"parameters\":{\"status_host\":\"www.githubstatus.com\"}}")
                                      << int(Capability::Read);
        QTest::newRow("odata v4") << endpoint("s4", "api", "odata_v4", "\"url\":\"https://s4.example.com/odata/v4/sales/\"")
                                  << int(Capability::Read);
        QTest::newRow("odata v2") << endpoint("gw", "api", "odata_v2",
                                              "\"url\":\"https://gw.example.com/sap/opu/odata/sap/API_BUSINESS_PARTNER/\"")
                                  << int(Capability::Upsert);
        QTest::newRow("graphql") << endpoint("gql", "api", "graphql", "\"url\":\"https://api.example.com/graphql\"")
                                 << int(Capability::TestConnection);
        QTest::newRow("soap") << endpoint("calc", "api", "soap", "\"url\":\"https://soap.example.com/calc\"")
                              << int(Capability::TestConnection);
        QTest::newRow("sqlite") << endpoint("db", "database", "sql", "\"url\":\"sqlite:staging.db\"") << int(Capability::Upsert);
        QTest::newRow("files") << endpoint("inbox", "file_system", "files",
                                           "\"url\":\"file:inbox\",\"data_format\":\"csv\",\"configuration\":{\"glob\":\"*.csv\"}")
                               << int(Capability::Insert);
    }
    void createsEveryBuiltinProtocol()
    {
        QFETCH(QByteArray, document);
        QFETCH(int, capability);
        Result<std::unique_ptr<Connector>> connector = m_registry.create(json(document), m_context, u"endpoints/x.json"_s);
        QVERIFY2(connector, qPrintable(connector ? QString() : connector.error().toString()));
        QVERIFY((*connector)->capabilities().testFlag(Capability(capability)));
    }

    void reportsBadConfigurationsByPointer()
    {
        Result<std::unique_ptr<Connector>> bad = m_registry.create(
            json(endpoint("db", "database", "sql", "\"url\":\"sqlite:x.db\",\"configuration\":{\"batch_size\":0}")), m_context);
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, u"invalid_endpoint"_s);
        QVERIFY2(bad.error().toString().contains(u"/configuration/batch_size"_s), qPrintable(bad.error().toString()));

        Result<std::unique_ptr<Connector>> unknownCatalog = m_registry.create(
            json(endpoint("x", "api", "rest", "\"url\":\"https://x.example.com\",\"configuration\":{\"catalog\":\"no_such_service\"}")),
            m_context);
        QVERIFY(!unknownCatalog);
        QVERIFY(unknownCatalog.error().toString().contains(u"no_such_service"_s));

        Result<std::unique_ptr<Connector>> notAnEndpoint = m_registry.create(json("{\"kind\":\"Endpoint\",\"id\":\"x\"}"), m_context,
                                                                             u"endpoints/x.json"_s);
        QVERIFY(!notAnEndpoint);
        QCOMPARE(notAnEndpoint.error().code, u"invalid_endpoint"_s);
    }

    void queuesNeedTheRuntime()
    {
        // The broker's queue connectors are registered by the runtime, not by this module.
        Result<std::unique_ptr<Connector>> queue = m_registry.create(
            json(endpoint("events", "message_queue", "conflux_broker", "\"configuration\":{\"queue\":\"orders\"}")), m_context);
        QVERIFY(!queue);
        QCOMPARE(queue.error().code, u"connector_unavailable"_s);
        QVERIFY(queue.error().message.contains(u"conflux_broker"_s));
    }

    void createsTheSampleProjectsEndpoints()
    {
        const QDir folder(QStringLiteral(CONFLUX_SOURCE_DIR "/resources/samples/order-hub/endpoints"));
        const QStringList files = folder.entryList({u"*.json"_s}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 4);
        for (const QString &name : files) {
            QFile file(folder.filePath(name));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const Data::Value document = json(file.readAll());
            Result<std::unique_ptr<Connector>> connector = m_registry.create(document, m_context, name);
            if (document[u"protocol"].toString() == u"conflux_broker") {
                QCOMPARE(connector.error().code, u"connector_unavailable"_s);
                continue;
            }
            QVERIFY2(connector, qPrintable(name + u": "_s + (connector ? QString() : connector.error().toString())));
        }
    }
};

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
