// The queue connector against the embedded broker, and — when CONFLUX_TEST_RABBITMQ_ENV names
// the env file of the `rabbitmq` fixture (test tst_queueconnector_rabbitmq) — the same cases
// against a real RabbitMQ server.

#include "broker/embeddedbroker.h"
#include "connectors/registry.h"
#include "data/json.h"
#include "runtime/queueconnector.h"
#include "security/secrets.h"
#include "testsupport.h"
#include "testsecrets.h"

#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <algorithm>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;
using Conflux::Test::MapSecrets;

namespace {

Data::Value record(int n)
{
    return Data::Value(Data::Object{{u"order_id"_s, Data::Value(n)}, {u"sku"_s, Data::Value(u"SKU-%1"_s.arg(n))}});
}

std::vector<int> ids(const std::vector<Data::Value> &records)
{
    std::vector<int> out;
    for (const Data::Value &r : records)
        out.push_back(int(r[u"order_id"].toDouble()));
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<int> range(int from, int to)
{
    std::vector<int> out;
    for (int i = from; i <= to; ++i)
        out.push_back(i);
    return out;
}

} // namespace

class TestQueueConnector : public QObject
{
    Q_OBJECT

private:
    bool m_rabbit = false;
    QMap<QString, QString> m_rabbitEnv;
    QTemporaryDir m_dir;
    std::unique_ptr<Broker::EmbeddedBroker> m_embedded;
    ConnectorRegistry m_registry;
    ConnectorContext m_context;
    QString m_queue;
    int m_queueCounter = 0;

    Data::Value document(const QString &queue, Data::Object extra = {})
    {
        Data::Object configuration{{u"queue"_s, Data::Value(queue)}, {u"wait_ms"_s, Data::Value(300)}};
        for (const auto &[key, value] : extra)
            configuration.insert(key, value);
        Data::Object doc{{u"kind"_s, Data::Value(u"Endpoint"_s)},
                         {u"schemaVersion"_s, Data::Value(1)},
                         {u"id"_s, Data::Value(u"orders-queue"_s)},
                         {u"name"_s, Data::Value(u"Orders queue"_s)},
                         {u"type"_s, Data::Value(u"message_queue"_s)}};
        if (m_rabbit) {
            doc.insert(u"protocol"_s, Data::Value(u"rabbitmq"_s));
            doc.insert(u"url"_s, Data::Value(u"amqp://%1:%2/%3"_s.arg(m_rabbitEnv.value(u"RABBITMQ_HOST"_s),
                                                                      m_rabbitEnv.value(u"RABBITMQ_PORT"_s),
                                                                      QString::fromLatin1(QUrl::toPercentEncoding(
                                                                          m_rabbitEnv.value(u"RABBITMQ_VHOST"_s, u"/"_s))))));
            doc.insert(u"authentication"_s,
                       Data::Value(Data::Object{{u"type"_s, Data::Value(u"basic"_s)},
                                                {u"username"_s, Data::Value(m_rabbitEnv.value(u"RABBITMQ_USER"_s))},
                                                {u"password"_s, Data::Value(Data::Object{{u"secret"_s, Data::Value(u"rabbit.password"_s)}})}}));
            configuration.insert(u"name_prefix"_s, Data::Value(u"cfxconn.%1."_s.arg(QUuid::createUuid().toString(QUuid::Id128).left(8))));
        } else {
            doc.insert(u"protocol"_s, Data::Value(u"conflux_broker"_s));
        }
        doc.insert(u"configuration"_s, Data::Value(std::move(configuration)));
        return Data::Value(std::move(doc));
    }

    std::unique_ptr<Connector> connector(Data::Object extra = {})
    {
        Result<std::unique_ptr<Connector>> made = m_registry.create(document(m_queue, std::move(extra)), m_context);
        if (!made)
            qWarning("%s", qPrintable(made.error().toString()));
        return made ? std::move(*made) : nullptr;
    }

private slots:
    void initTestCase()
    {
        m_rabbit = !qEnvironmentVariableIsEmpty("CONFLUX_TEST_RABBITMQ_ENV");
        if (m_rabbit) {
            QString error;
            m_rabbitEnv = Conflux::Test::readFixtureEnv("CONFLUX_TEST_RABBITMQ_ENV", &error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            m_context.secrets = std::make_shared<MapSecrets>(
                QHash<QString, QString>{{u"rabbit.password"_s, m_rabbitEnv.value(u"RABBITMQ_PASSWORD"_s)}});
        }
        QVERIFY(m_dir.isValid());
        Broker::EmbeddedBroker::Options options;
        options.databasePath = m_dir.filePath(u"broker.db"_s);
        m_embedded = std::make_unique<Broker::EmbeddedBroker>(options);
        QVERIFY(m_embedded->open());
        Runtime::registerQueueConnectors(m_registry, m_embedded.get());
    }

    void init()
    {
        m_queue = u"orders%1"_s.arg(++m_queueCounter);
        if (!m_rabbit) {
            Broker::QueueConfig config;
            config.name = m_queue;
            QVERIFY(m_embedded->declareQueue(config));
        }
    }

    void writesThenReadsInAcknowledgedPages()
    {
        std::unique_ptr<Connector> queue = connector();
        QVERIFY(queue);
        WriteRequest write;
        write.mode = WriteMode::Insert;
        for (int i = 1; i <= 25; ++i)
            write.records.push_back(record(i));
        Result<WriteSummary> written = queue->write(write);
        QVERIFY2(written, qPrintable(written ? QString() : written.error().toString()));
        QCOMPARE(written->inserted, 25);

        std::vector<Data::Value> seen;
        std::vector<size_t> pageSizes;
        ReadRequest read;
        read.pageSize = 10;
        Result<ReadSummary> summary = queue->read(read, [&](std::vector<Data::Value> &&page) {
            pageSizes.push_back(page.size());
            for (Data::Value &r : page)
                seen.push_back(std::move(r));
            return true;
        });
        QVERIFY2(summary, qPrintable(summary ? QString() : summary.error().toString()));
        QCOMPARE(summary->records, 25);
        QCOMPARE(ids(seen), range(1, 25));
        QVERIFY(pageSizes.size() >= 3);
        QVERIFY(*std::max_element(pageSizes.begin(), pageSizes.end()) <= 10);
        QCOMPARE(seen.front()[u"sku"].toString().startsWith(u"SKU-"_s), true);

        // Acknowledged: nothing comes again.
        Result<ReadSummary> again = queue->read(read, [](std::vector<Data::Value> &&) { return true; });
        QVERIFY(again);
        QCOMPARE(again->records, 0);
    }

    void stoppingEarlyLeavesTheRestQueued()
    {
        std::unique_ptr<Connector> queue = connector();
        WriteRequest write;
        for (int i = 1; i <= 10; ++i)
            write.records.push_back(record(i));
        write.mode = WriteMode::Insert;
        QVERIFY(queue->write(write));
        std::vector<Data::Value> first;
        ReadRequest read;
        read.pageSize = 4;
        Result<ReadSummary> summary = queue->read(read, [&](std::vector<Data::Value> &&page) {
            for (Data::Value &r : page)
                first.push_back(std::move(r));
            return false;
        });
        QVERIFY(summary);
        QVERIFY(summary->stoppedEarly);
        QCOMPARE(qsizetype(first.size()), summary->records);
        QVERIFY(!first.empty() && first.size() <= 4);

        std::vector<Data::Value> rest;
        read.limit = 100;
        QVERIFY(queue->read(read, [&](std::vector<Data::Value> &&page) {
            for (Data::Value &r : page)
                rest.push_back(std::move(r));
            return true;
        }));
        std::vector<Data::Value> all = first;
        all.insert(all.end(), rest.begin(), rest.end());
        QCOMPARE(ids(all), range(1, 10)); // each exactly once
    }

    void honoursTheLimitAndTheEnvelope()
    {
        std::unique_ptr<Connector> queue = connector({{u"envelope"_s, Data::Value(true)}});
        WriteRequest write;
        for (int i = 1; i <= 5; ++i)
            write.records.push_back(record(i));
        write.mode = WriteMode::Insert;
        QVERIFY(queue->write(write));
        std::vector<Data::Value> seen;
        ReadRequest read;
        read.limit = 3;
        Result<ReadSummary> summary = queue->read(read, [&](std::vector<Data::Value> &&page) {
            for (Data::Value &r : page)
                seen.push_back(std::move(r));
            return true;
        });
        QVERIFY(summary);
        QCOMPARE(summary->records, 3);
        QVERIFY(summary->stoppedEarly);
        QVERIFY(!seen.front()[u"message_id"].toString().isEmpty());
        QVERIFY(seen.front()[u"payload"][u"order_id"].isNumber());
    }

    void discoversTheQueueAndItsMessages()
    {
        std::unique_ptr<Connector> queue = connector();
        Result<ConnectionTest> test = queue->testConnection();
        QVERIFY2(test, qPrintable(test ? QString() : test.error().toString()));
        QVERIFY(test->serverInfo.contains(m_queue));
        WriteRequest write;
        write.mode = WriteMode::Insert;
        write.records = {record(1), record(2)};
        QVERIFY(queue->write(write));
        Result<std::vector<Entity>> entities = queue->discover();
        QVERIFY2(entities, qPrintable(entities ? QString() : entities.error().toString()));
        QCOMPARE(entities->size(), size_t(1));
        QCOMPARE(entities->front().name, m_queue);
        if (!m_rabbit) { // RabbitMQ cannot browse without taking messages
            QVERIFY(entities->front().schema.field(u"order_id"));
            QVERIFY(entities->front().schema.field(u"sku"));
        }
    }

    void refusesWhatAQueueCannotDo()
    {
        std::unique_ptr<Connector> queue = connector();
        WriteRequest upsert;
        upsert.mode = WriteMode::Upsert;
        upsert.records = {record(1)};
        Result<WriteSummary> refused = queue->write(upsert);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, u"unsupported"_s);
        ReadRequest incremental;
        incremental.cursorField = u"order_id"_s;
        QCOMPARE(queue->read(incremental, [](std::vector<Data::Value> &&) { return true; }).error().code,
                 u"unsupported"_s);

        Data::Value noQueue = document(m_queue);
        noQueue.mutableObject().insert(u"configuration"_s, Data::Value(Data::Object{{u"wait_ms"_s, Data::Value(-1)}}));
        Result<std::unique_ptr<Connector>> bad = m_registry.create(noQueue, m_context);
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, u"invalid_endpoint"_s);
        const QString details = bad.error().details.join(u'\n');
        QVERIFY(details.contains(u"/configuration/queue: required"_s));
        QVERIFY(details.contains(u"/configuration/wait_ms"_s));
    }

    void reportsAMissingQueueOrBroker()
    {
        if (m_rabbit) {
            // A wrong password: the broker's logon error, without the password.
            auto wrong = std::make_shared<MapSecrets>(QHash<QString, QString>{{u"rabbit.password"_s, u"not-the-password"_s}});
            ConnectorContext context;
            context.secrets = wrong;
            Result<std::unique_ptr<Connector>> made = m_registry.create(document(m_queue), context);
            QVERIFY(made);
            Result<ConnectionTest> test = (*made)->testConnection();
            QVERIFY(!test);
            QVERIFY(!test.error().toString().contains(u"not-the-password"_s));
            return;
        }
        std::unique_ptr<Connector> missing = m_registry.create(document(u"no_such_queue"_s), m_context).value();
        Result<ConnectionTest> test = missing->testConnection();
        QVERIFY(!test);
        QCOMPARE(test.error().code, u"unknown_entity"_s);
        QVERIFY(test.error().message.contains(u"no_such_queue"_s));

        ConnectorRegistry withoutBroker;
        Runtime::registerQueueConnectors(withoutBroker, nullptr);
        Result<std::unique_ptr<Connector>> orphan = withoutBroker.create(document(m_queue), m_context);
        QVERIFY(orphan);
        QCOMPARE((*orphan)->testConnection().error().code, u"connector_unavailable"_s);
    }
};

QTEST_GUILESS_MAIN(TestQueueConnector)
#include "tst_queueconnector.moc"
