// RabbitMqBroker against a real RabbitMQ node, started by the `rabbitmq` CTest fixture
// (tests/scripts/rabbitmq-start.sh). Every test works under a name prefix of its own, so the
// tests share the node without seeing each other's queues.
#include "broker/rabbitmqbroker.h"
#include "data/json.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QMap>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <optional>

#include "testsupport.h"

using namespace Conflux;
using namespace Conflux::Broker;
using namespace Qt::StringLiterals;

namespace {

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

Data::Value json(const char *text)
{
    auto parsed = Data::Json::parse(QByteArray(text));
    Q_ASSERT(parsed.isOk());
    return *parsed;
}

Message message(const Data::Value &payload, const QString &id = {})
{
    Message m;
    m.messageId = id;
    m.payload = payload;
    return m;
}

Message numbered(int n, const QString &group = {})
{
    Message m = message(Data::Value(n), u"m%1"_s.arg(n));
    m.groupId = group;
    return m;
}

QueueConfig queueConfig(const QString &name, QueueType type = QueueType::Standard)
{
    QueueConfig c;
    c.name = name;
    c.type = type;
    return c;
}

// The facts rabbitmq-start.sh wrote, read as KEY=value lines.
std::optional<RabbitMqBroker::Options> readRabbitEnv(QString *error)
{
    const QMap<QString, QString> values = Conflux::Test::readFixtureEnv("CONFLUX_TEST_RABBITMQ_ENV", error);
    if (values.isEmpty())
        return std::nullopt;
    const QString path = qEnvironmentVariable("CONFLUX_TEST_RABBITMQ_ENV");
    RabbitMqBroker::Options o;
    o.host = values.value(u"RABBITMQ_HOST"_s);
    o.port = values.value(u"RABBITMQ_PORT"_s).toInt();
    o.user = values.value(u"RABBITMQ_USER"_s);
    o.password = values.value(u"RABBITMQ_PASSWORD"_s);
    o.virtualHost = values.value(u"RABBITMQ_VHOST"_s, u"/"_s);
    if (o.host.isEmpty() || o.port == 0 || o.user.isEmpty()) {
        *error = u"the RabbitMQ env file %1 lacks RABBITMQ_HOST, RABBITMQ_PORT or RABBITMQ_USER"_s.arg(path);
        return std::nullopt;
    }
    return o;
}

QStringList handlesOf(const QList<Delivery> &deliveries)
{
    QStringList handles;
    for (const Delivery &d : deliveries)
        handles.append(d.receiptHandle);
    return handles;
}

QList<int> payloadsOf(const QList<Delivery> &deliveries)
{
    QList<int> values;
    for (const Delivery &d : deliveries)
        values.append(int(d.message.payload.toDouble()));
    return values;
}

// A TCP relay to the RabbitMQ node, on a thread of its own, whose connections the test can
// cut to simulate a network failure.
class Relay : public QObject
{
public:
    Relay(QString host, int port) : m_host(std::move(host)), m_port(port)
    {
        moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(this, [this] { listen(); }, Qt::BlockingQueuedConnection);
    }
    ~Relay() override
    {
        QMetaObject::invokeMethod(this, [this] { cut(); m_server.reset(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    int port() const { return m_listenPort; }
    void cutAll()
    {
        QMetaObject::invokeMethod(this, [this] { cut(); }, Qt::BlockingQueuedConnection);
    }

private:
    void listen()
    {
        m_server = std::make_unique<QTcpServer>();
        m_server->listen(QHostAddress::LocalHost, 0);
        m_listenPort = m_server->serverPort();
        connect(m_server.get(), &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *client = m_server->nextPendingConnection()) {
                auto *upstream = new QTcpSocket(client);
                upstream->connectToHost(m_host, quint16(m_port));
                auto pipe = [](QTcpSocket *from, QTcpSocket *to) { to->write(from->readAll()); };
                connect(client, &QTcpSocket::readyRead, upstream, [=] {
                    if (upstream->state() == QAbstractSocket::ConnectedState)
                        pipe(client, upstream);
                });
                connect(upstream, &QTcpSocket::connected, client, [=] { pipe(client, upstream); });
                connect(upstream, &QTcpSocket::readyRead, client, [=] { pipe(upstream, client); });
                connect(upstream, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
                connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
                m_clients.append(client);
            }
        });
    }
    void cut()
    {
        for (const QPointer<QTcpSocket> &client : std::as_const(m_clients)) {
            if (!client)
                continue;
            if (auto *upstream = client->findChild<QTcpSocket *>())
                upstream->abort();
            client->abort();
        }
        m_clients.clear();
    }

    QThread m_thread;
    QString m_host;
    int m_port = 0;
    int m_listenPort = 0;
    std::unique_ptr<QTcpServer> m_server;
    QList<QPointer<QTcpSocket>> m_clients;
};

} // namespace

class TestRabbitMqBroker : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void publishIsConfirmed();
    void publishRefusesBadInput_data();
    void publishRefusesBadInput();
    void messageRoundTrip_data();
    void messageRoundTrip();
    void topicRoutesToMatchingQueues();
    void receiveAndAck();
    void pipelinedAcks();
    void longPollWaitsForAPublish();
    void nackRequeuesWithGrowingCount_data();
    void nackRequeuesWithGrowingCount();
    void deadLetterAfterDeliveryLimit_data();
    void deadLetterAfterDeliveryLimit();
    void rejectDeadLetters_data();
    void rejectDeadLetters();
    void ttlExpiresToDeadLetters_data();
    void ttlExpiresToDeadLetters();
    void priorityOrder();
    void delayedDelivery_data();
    void delayedDelivery();
    void nackWithDelay();
    void overflowRejectNew_data();
    void overflowRejectNew();
    void overflowDropOldest_data();
    void overflowDropOldest();
    void fifoKeepsGroupOrder();
    void fifoHasOneActiveConsumer();
    void leaseExpiryRedelivers();
    void releaseConsumerRedelivers();
    void atMostOnceNeedsNoAck();
    void exactlyOnceDedupAndProcessed();
    void statsCountWhatHappened();
    void purgeDeletesReadyMessages();
    void replayMovesDeadLettersBack();
    void browseDoesNotLease();
    void publishBatch();
    void redeclareKeepsMessages();
    void redeclareWithOtherArgumentsFails();
    void callbacksMayCallTheBroker();
    void closeFailsWaitingReceivers();
    void unreachableServerIsUnavailable();
    void connectionLossThenReconnect();

private:
    std::unique_ptr<RabbitMqBroker> openBroker(const QString &suffix = {});
    QueueConfig declare(RabbitMqBroker &broker, QueueConfig config);
    QList<Delivery> receiveAll(RabbitMqBroker &broker, const QString &queue, int max, qint64 waitMs = 0);

    RabbitMqBroker::Options m_options;
    QString m_prefix;
    int m_counter = 0;
};

void TestRabbitMqBroker::initTestCase()
{
    QString error;
    const auto options = readRabbitEnv(&error);
    if (!options)
        QFAIL(qPrintable(error));
    m_options = *options;
}

void TestRabbitMqBroker::init()
{
    m_prefix = u"tst%1-%2-%3."_s.arg(QCoreApplication::applicationPid()).arg(now() % 100000).arg(++m_counter);
}

void TestRabbitMqBroker::cleanup() {}

std::unique_ptr<RabbitMqBroker> TestRabbitMqBroker::openBroker(const QString &suffix)
{
    RabbitMqBroker::Options o = m_options;
    o.namePrefix = m_prefix + suffix;
    auto broker = std::make_unique<RabbitMqBroker>(o);
    auto opened = broker->open();
    if (!opened) {
        qWarning("open failed: %s", qPrintable(opened.error().toString()));
        return nullptr;
    }
    return broker;
}

QueueConfig TestRabbitMqBroker::declare(RabbitMqBroker &broker, QueueConfig config)
{
    auto declared = broker.declareQueue(config);
    if (!declared)
        qWarning("declare %s failed: %s", qPrintable(config.name), qPrintable(declared.error().toString()));
    return config;
}

QList<Delivery> TestRabbitMqBroker::receiveAll(RabbitMqBroker &broker, const QString &queue, int max, qint64 waitMs)
{
    ReceiveOptions options;
    options.maxMessages = max;
    options.waitMs = waitMs;
    options.consumerId = u"tester"_s;
    auto got = broker.receive(queue, options);
    if (!got) {
        qWarning("receive from %s failed: %s", qPrintable(queue), qPrintable(got.error().toString()));
        return {};
    }
    return *got;
}

void TestRabbitMqBroker::publishIsConfirmed()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"orders"_s)));

    auto receipt = broker->publish(u"orders"_s, message(json(R"({"id":1})")));
    VERIFY_OK(receipt);
    QVERIFY(!receipt->messageId.isEmpty());
    QCOMPARE(receipt->queues, QStringList{u"orders"_s});
    QVERIFY(!receipt->duplicate);

    // The asynchronous form calls back once the server confirmed, on the broker's thread.
    std::promise<Result<PublishReceipt>> promise;
    std::atomic<bool> onCallerThread = true;
    QThread *caller = QThread::currentThread();
    broker->publishAsync(u"orders"_s, message(Data::Value(2), u"second"_s), [&](Result<PublishReceipt> r) {
        onCallerThread = QThread::currentThread() == caller;
        promise.set_value(std::move(r));
    });
    auto second = promise.get_future().get();
    VERIFY_OK(second);
    QCOMPARE(second->messageId, u"second"_s);
    QVERIFY(!onCallerThread);

    auto stats = broker->stats();
    VERIFY_OK(stats);
    QCOMPARE(stats->size(), 1);
    QCOMPARE(stats->first().depth, 2);
    QCOMPARE(stats->first().published, 2u);
    QCOMPARE(broker->counters().produced, 2u);
}

void TestRabbitMqBroker::publishRefusesBadInput_data()
{
    QTest::addColumn<QString>("queue");
    QTest::addColumn<QString>("headerName");
    QTest::addColumn<int>("payloadBytes");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<QString>("code");

    QTest::addRow("undeclared queue") << u"nowhere"_s << QString() << 10 << QString() << u"broker_unknown_queue"_s;
    QTest::addRow("reserved header x-conflux-") << u"q"_s << u"x-conflux-topic"_s << 10 << QString()
                                                << u"broker_invalid_message"_s;
    QTest::addRow("reserved header x-death") << u"q"_s << u"x-death"_s << 10 << QString()
                                             << u"broker_invalid_message"_s;
    QTest::addRow("routing header CC") << u"q"_s << u"CC"_s << 10 << QString() << u"broker_invalid_message"_s;
    QTest::addRow("too large") << u"q"_s << QString() << (1 << 20) + 1 << QString()
                               << u"broker_message_too_large"_s;
    QTest::addRow("wildcard topic") << u"q"_s << QString() << 10 << u"orders.*"_s << u"broker_invalid_message"_s;
}

void TestRabbitMqBroker::publishRefusesBadInput()
{
    QFETCH(QString, queue);
    QFETCH(QString, headerName);
    QFETCH(int, payloadBytes);
    QFETCH(QString, topic);
    QFETCH(QString, code);
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"q"_s)));
    Message m = message(Data::Value(QString(payloadBytes, u'x')));
    if (!headerName.isEmpty())
        m.headers.insert(headerName, Data::Value(u"v"_s));
    m.topic = topic;
    auto published = broker->publish(queue, m);
    VERIFY_ERROR(published, code.toLatin1().constData());
    // Nothing reached the queue.
    auto stats = broker->stats();
    VERIFY_OK(stats);
    QCOMPARE(stats->first().depth, 0);
}

void TestRabbitMqBroker::messageRoundTrip_data()
{
    QTest::addColumn<Data::Value>("payload");
    QTest::addColumn<Data::Value>("headers");

    QTest::addRow("object") << json(R"({"id":7,"lines":[{"sku":"A","qty":2}],"note":null})") << json("{}");
    QTest::addRow("string") << Data::Value(u"plain text"_s) << json(R"({"source":"sap"})");
    QTest::addRow("unicode") << Data::Value(u"Grüße, 東京 🚚"_s) << json(R"({"ort":"Zürich"})");
    QTest::addRow("big integer") << json("12345678901234567890") << json(R"({"n":9007199254740993})");
    QTest::addRow("number") << json("-0.125") << json(R"({"ratio":0.5,"flag":true,"nothing":null})");
    QTest::addRow("nested headers") << json("[1,2,3]") << json(R"({"trace":{"id":"t1","hops":["a","b"]}})");
}

void TestRabbitMqBroker::messageRoundTrip()
{
    QFETCH(Data::Value, payload);
    QFETCH(Data::Value, headers);
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"q"_s)));

    Message m = message(payload, u"id-1"_s);
    m.headers = headers.toObject();
    m.correlationId = u"corr-9"_s;
    m.priority = Priority::High;
    m.topic = u"orders.created"_s;
    m.groupId = u"g1"_s;
    m.deliveryMode = DeliveryMode::AtLeastOnce;
    const qint64 before = now();
    VERIFY_OK(broker->publish(u"q"_s, m));

    const QList<Delivery> got = receiveAll(*broker, u"q"_s, 1);
    QCOMPARE(got.size(), 1);
    const Message &r = got.first().message;
    QCOMPARE(r.messageId, u"id-1"_s);
    QCOMPARE(Data::Json::serialize(r.payload), Data::Json::serialize(payload));
    // Equal as values: RabbitMQ hands header tables out with their keys sorted.
    QVERIFY2(Data::Value(r.headers) == headers, Data::Json::serialize(Data::Value(r.headers)).constData());
    QCOMPARE(r.correlationId, u"corr-9"_s);
    QCOMPARE(r.priority, Priority::High);
    QCOMPARE(r.topic, u"orders.created"_s);
    QCOMPARE(r.groupId, u"g1"_s);
    QCOMPARE(r.deliveryMode, std::optional<DeliveryMode>(DeliveryMode::AtLeastOnce));
    QCOMPARE(r.queue, u"q"_s);
    QCOMPARE(r.deliveryCount, 1);
    QCOMPARE(r.dlqReason, DeadLetterReason::None);
    QVERIFY(r.enqueuedAtMs >= before && r.enqueuedAtMs <= now());
    QVERIFY(got.first().leaseExpiresAtMs > now());
    VERIFY_OK(broker->ack(u"q"_s, handlesOf(got)));
}

void TestRabbitMqBroker::topicRoutesToMatchingQueues()
{
    auto broker = openBroker();
    QVERIFY(broker);
    QueueConfig a = queueConfig(u"a"_s);
    a.topics = {u"orders.*"_s};
    QueueConfig b = queueConfig(u"b"_s);
    b.topics = {u"orders.#"_s, u"invoices.paid"_s};
    QueueConfig c = queueConfig(u"c"_s);
    c.topics = {u"invoices.#"_s};
    for (const QueueConfig &config : {a, b, c})
        VERIFY_OK(broker->declareQueue(config));

    Message m = message(json(R"({"order":1})"));
    m.topic = u"orders.created"_s;
    auto receipt = broker->publishToTopic(m);
    VERIFY_OK(receipt);
    QCOMPARE(receipt->queues, (QStringList{u"a"_s, u"b"_s}));

    m.topic = u"orders.created.eu"_s; // '*' is one word, '#' any number
    VERIFY_OK(broker->publishToTopic(m));

    QCOMPARE(receiveAll(*broker, u"a"_s, 10).size(), 1);
    const QList<Delivery> inB = receiveAll(*broker, u"b"_s, 10);
    QCOMPARE(inB.size(), 2);
    QCOMPARE(inB.at(0).message.topic, u"orders.created"_s);
    QCOMPARE(inB.at(1).message.topic, u"orders.created.eu"_s);
    QCOMPARE(receiveAll(*broker, u"c"_s, 10).size(), 0);

    m.topic = u"shipments.sent"_s;
    VERIFY_ERROR(broker->publishToTopic(m), "broker_no_route");
    m.topic.clear();
    VERIFY_ERROR(broker->publishToTopic(m), "broker_invalid_message");

    // Changing the bindings of a queue takes effect at once.
    c.topics = {u"shipments.#"_s};
    VERIFY_OK(broker->declareQueue(c));
    m.topic = u"shipments.sent"_s;
    auto routed = broker->publishToTopic(m);
    VERIFY_OK(routed);
    QCOMPARE(routed->queues, QStringList{u"c"_s});
    m.topic = u"invoices.sent"_s;
    VERIFY_ERROR(broker->publishToTopic(m), "broker_no_route");
}

void TestRabbitMqBroker::receiveAndAck()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"q"_s)));
    for (int i = 1; i <= 3; ++i)
        VERIFY_OK(broker->publish(u"q"_s, numbered(i)));

    const QList<Delivery> first = receiveAll(*broker, u"q"_s, 2);
    QCOMPARE(payloadsOf(first), (QList<int>{1, 2}));
    QVERIFY(first.at(0).receiptHandle != first.at(1).receiptHandle);
    auto settled = broker->ack(u"q"_s, handlesOf(first) << u"1.1.999.999"_s);
    VERIFY_OK(settled);
    QCOMPARE(settled->settled, 2);
    QCOMPARE(settled->unknownHandles, QStringList{u"1.1.999.999"_s});
    // An acked handle is gone.
    auto again = broker->ack(u"q"_s, {first.at(0).receiptHandle});
    VERIFY_OK(again);
    QCOMPARE(again->settled, 0);

    const QList<Delivery> second = receiveAll(*broker, u"q"_s, 5);
    QCOMPARE(payloadsOf(second), QList<int>{3});
    auto stats = broker->stats();
    VERIFY_OK(stats);
    QCOMPARE(stats->first().depth, 0);
    QCOMPARE(stats->first().inFlight, 1);
    VERIFY_OK(broker->ack(u"q"_s, handlesOf(second)));
    QCOMPARE(receiveAll(*broker, u"q"_s, 5).size(), 0);
    QCOMPARE(broker->counters().consumed, 3u);
    QCOMPARE(broker->counters().latencyCount, 3u);
    VERIFY_ERROR(broker->ack(u"nowhere"_s, {}), "broker_unknown_queue");
}

// Acks that do not wait: the consumer receives on while they are settled, and each
// callback reports its own batch.
void TestRabbitMqBroker::pipelinedAcks()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"q"_s)));
    for (int i = 1; i <= 6; ++i)
        VERIFY_OK(broker->publish(u"q"_s, numbered(i)));
    std::mutex mutex;
    QList<int> settled;
    std::atomic<int> calls{0};
    QList<int> received;
    for (int round = 0; round < 3; ++round) {
        const QList<Delivery> got = receiveAll(*broker, u"q"_s, 2);
        received += payloadsOf(got);
        broker->ackAsync(u"q"_s, handlesOf(got), {}, [&](Result<SettleResult> r) {
            std::lock_guard lock(mutex);
            settled.append(r ? r->settled : -1);
            ++calls;
        });
    }
    QCOMPARE(received, (QList<int>{1, 2, 3, 4, 5, 6}));
    QTRY_COMPARE(calls.load(), 3);
    QCOMPARE(settled, (QList<int>{2, 2, 2}));
    auto stats = broker->stats();
    VERIFY_OK(stats);
    QCOMPARE(stats->first().depth, 0);
    QCOMPARE(stats->first().inFlight, 0);
    QCOMPARE(broker->counters().consumed, 6u);
    std::promise<Result<SettleResult>> unknown;
    broker->nackAsync(u"nowhere"_s, {}, {}, [&](Result<SettleResult> r) { unknown.set_value(std::move(r)); });
    VERIFY_ERROR(unknown.get_future().get(), "broker_unknown_queue");
}

void TestRabbitMqBroker::longPollWaitsForAPublish()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"q"_s)));
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(receiveAll(*broker, u"q"_s, 1, 300).size(), 0);
    QVERIFY2(timer.elapsed() >= 250, qPrintable(u"returned after %1 ms"_s.arg(timer.elapsed())));

    std::promise<Result<QList<Delivery>>> promise;
    ReceiveOptions options;
    options.waitMs = 10000;
    timer.restart();
    broker->receiveAsync(u"q"_s, options, [&](Result<QList<Delivery>> r) { promise.set_value(std::move(r)); });
    QThread::msleep(200);
    VERIFY_OK(broker->publish(u"q"_s, numbered(1)));
    auto got = promise.get_future().get();
    VERIFY_OK(got);
    QCOMPARE(payloadsOf(*got), QList<int>{1});
    QVERIFY2(timer.elapsed() < 5000, qPrintable(u"took %1 ms"_s.arg(timer.elapsed())));
}

void TestRabbitMqBroker::nackRequeuesWithGrowingCount_data()
{
    QTest::addColumn<QueueType>("type");
    QTest::addRow("standard (quorum)") << QueueType::Standard;
    QTest::addRow("priority (classic)") << QueueType::Priority;
    QTest::addRow("fifo") << QueueType::Fifo;
}

void TestRabbitMqBroker::nackRequeuesWithGrowingCount()
{
    QFETCH(QueueType, type);
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"q"_s, type)));
    VERIFY_OK(broker->publish(u"q"_s, numbered(1)));
    for (int expected = 1; expected <= 4; ++expected) {
        const QList<Delivery> got = receiveAll(*broker, u"q"_s, 1, 3000);
        QCOMPARE(got.size(), 1);
        QCOMPARE(got.first().message.messageId, u"m1"_s);
        QCOMPARE(got.first().message.deliveryCount, expected);
        auto nacked = broker->nack(u"q"_s, handlesOf(got));
        VERIFY_OK(nacked);
        QCOMPARE(nacked->settled, 1);
    }
}

void TestRabbitMqBroker::deadLetterAfterDeliveryLimit_data()
{
    QTest::addColumn<QueueType>("type");
    QTest::addRow("standard (quorum x-delivery-limit)") << QueueType::Standard;
    QTest::addRow("priority (counted by Conflux)") << QueueType::Priority;
    QTest::addRow("fifo") << QueueType::Fifo;
}

void TestRabbitMqBroker::deadLetterAfterDeliveryLimit()
{
    QFETCH(QueueType, type);
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"dead"_s, QueueType::DeadLetter)));
    QueueConfig q = queueConfig(u"work"_s, type);
    q.maxDeliveryAttempts = 3;
    q.deadLetterQueue = u"dead"_s;
    VERIFY_OK(broker->declareQueue(q));
    Message m = numbered(1);
    m.topic = u"orders.created"_s;
    VERIFY_OK(broker->publish(u"work"_s, m));

    for (int attempt = 1; attempt <= 3; ++attempt) {
        const QList<Delivery> got = receiveAll(*broker, u"work"_s, 1, 3000);
        QCOMPARE(got.size(), 1);
        QCOMPARE(got.first().message.deliveryCount, attempt);
        VERIFY_OK(broker->nack(u"work"_s, handlesOf(got)));
    }
    QCOMPARE(receiveAll(*broker, u"work"_s, 1, 300).size(), 0);

    const QList<Delivery> dead = receiveAll(*broker, u"dead"_s, 5, 5000);
    QCOMPARE(dead.size(), 1);
    const Message &d = dead.first().message;
    QCOMPARE(d.messageId, u"m1"_s);
    QCOMPARE(d.dlqReason, DeadLetterReason::MaxRetriesExceeded);
    QCOMPARE(d.originalQueue, u"work"_s);
    QCOMPARE(d.originalTopic, u"orders.created"_s);
    QCOMPARE(d.queue, u"dead"_s);
    QCOMPARE(d.payload.toDouble(), 1.0);
    QCOMPARE(d.toValue()[u"dlq_reason"].toString(), u"max_retries_exceeded"_s);
}

void TestRabbitMqBroker::rejectDeadLetters_data()
{
    QTest::addColumn<QueueType>("type");
    QTest::addRow("standard") << QueueType::Standard;
    QTest::addRow("priority") << QueueType::Priority;
    QTest::addRow("fifo") << QueueType::Fifo;
}

void TestRabbitMqBroker::rejectDeadLetters()
{
    QFETCH(QueueType, type);
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"dead"_s, QueueType::DeadLetter)));
    QueueConfig q = queueConfig(u"work"_s, type);
    q.deadLetterQueue = u"dead"_s;
    VERIFY_OK(broker->declareQueue(q));
    VERIFY_OK(broker->publish(u"work"_s, numbered(1)));
    VERIFY_OK(broker->publish(u"work"_s, numbered(2)));

    QList<Delivery> got = receiveAll(*broker, u"work"_s, 1, 3000);
    QCOMPARE(payloadsOf(got), QList<int>{1});
    auto rejected = broker->reject(u"work"_s, handlesOf(got));
    VERIFY_OK(rejected);
    QCOMPARE(rejected->settled, 1);
    // nack without requeue is a reject too.
    got = receiveAll(*broker, u"work"_s, 1, 3000);
    QCOMPARE(payloadsOf(got), QList<int>{2});
    NackOptions noRequeue;
    noRequeue.requeue = false;
    VERIFY_OK(broker->nack(u"work"_s, handlesOf(got), noRequeue));

    const QList<Delivery> dead = receiveAll(*broker, u"dead"_s, 5, 5000);
    QCOMPARE(payloadsOf(dead), (QList<int>{1, 2}));
    for (const Delivery &d : dead) {
        QCOMPARE(d.message.dlqReason, DeadLetterReason::Rejected);
        QCOMPARE(d.message.originalQueue, u"work"_s);
    }
    QCOMPARE(broker->counters().deadLettered, 2u);
}

void TestRabbitMqBroker::ttlExpiresToDeadLetters_data()
{
    QTest::addColumn<QueueType>("type");
    QTest::addColumn<bool>("queueTtl");
    QTest::addRow("standard, queue ttl") << QueueType::Standard << true;
    QTest::addRow("standard, message ttl") << QueueType::Standard << false;
    QTest::addRow("priority, queue ttl") << QueueType::Priority << true;
    QTest::addRow("priority, message ttl") << QueueType::Priority << false;
}

void TestRabbitMqBroker::ttlExpiresToDeadLetters()
{
    QFETCH(QueueType, type);
    QFETCH(bool, queueTtl);
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"dead"_s, QueueType::DeadLetter)));
    QueueConfig q = queueConfig(u"work"_s, type);
    q.deadLetterQueue = u"dead"_s;
    if (queueTtl)
        q.ttlMs = 300;
    VERIFY_OK(broker->declareQueue(q));
    Message m = numbered(1);
    if (!queueTtl)
        m.ttlMs = 300;
    m.topic = u"a.b"_s;
    VERIFY_OK(broker->publish(u"work"_s, m));
    VERIFY_OK(broker->publish(u"work"_s, numbered(2)));

    // With a queue ttl both expire; with a message ttl only the first.
    const QList<int> expected = queueTtl ? QList<int>{1, 2} : QList<int>{1};
    QList<Delivery> dead;
    QElapsedTimer timer;
    timer.start();
    while (dead.size() < expected.size() && timer.elapsed() < 5000)
        dead += receiveAll(*broker, u"dead"_s, 5, 1000);
    QCOMPARE(payloadsOf(dead), expected);
    for (const Delivery &d : std::as_const(dead)) {
        QCOMPARE(d.message.dlqReason, DeadLetterReason::Expired);
        QCOMPARE(d.message.originalQueue, u"work"_s);
    }
    QCOMPARE(dead.first().message.originalTopic, u"a.b"_s);
    QThread::msleep(400);
    const QList<Delivery> left = receiveAll(*broker, u"work"_s, 5);
    QCOMPARE(payloadsOf(left), queueTtl ? QList<int>{} : QList<int>{2});
}

void TestRabbitMqBroker::priorityOrder()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"p"_s, QueueType::Priority)));
    const QList<Priority> sent{Priority::Low, Priority::Normal, Priority::Critical, Priority::High, Priority::Normal};
    for (int i = 0; i < sent.size(); ++i) {
        Message m = numbered(i);
        m.priority = sent[i];
        VERIFY_OK(broker->publish(u"p"_s, m));
    }
    const QList<Delivery> got = receiveAll(*broker, u"p"_s, 10);
    QCOMPARE(payloadsOf(got), (QList<int>{2, 3, 1, 4, 0}));
    QCOMPARE(got.first().message.priority, Priority::Critical);
    QCOMPARE(got.last().message.priority, Priority::Low);
}

void TestRabbitMqBroker::delayedDelivery_data()
{
    QTest::addColumn<bool>("byTopic");
    QTest::addColumn<QueueType>("type");
    QTest::addRow("to a queue") << false << QueueType::Delayed;
    QTest::addRow("to a topic") << true << QueueType::Standard;
    QTest::addRow("to a priority queue") << false << QueueType::Priority;
}

void TestRabbitMqBroker::delayedDelivery()
{
    QFETCH(bool, byTopic);
    QFETCH(QueueType, type);
    auto broker = openBroker();
    QVERIFY(broker);
    QueueConfig q = queueConfig(u"later"_s, type);
    q.topics = {u"reminders.#"_s};
    VERIFY_OK(broker->declareQueue(q));

    const qint64 due = now() + 1500;
    Message m = numbered(1);
    m.deliverAtMs = due;
    m.topic = u"reminders.daily"_s;
    auto receipt = byTopic ? broker->publishToTopic(m) : broker->publish(u"later"_s, m);
    VERIFY_OK(receipt);
    QCOMPARE(receipt->queues, QStringList{u"later"_s});
    VERIFY_OK(broker->publish(u"later"_s, numbered(2)));

    // The undelayed one comes first; the delayed one is not there yet.
    QCOMPARE(payloadsOf(receiveAll(*broker, u"later"_s, 5)), QList<int>{2});
    auto stats = broker->stats();
    VERIFY_OK(stats);
    QCOMPARE(stats->first().delayed, 1);

    const QList<Delivery> got = receiveAll(*broker, u"later"_s, 5, 15000);
    const qint64 arrived = now();
    QCOMPARE(payloadsOf(got), QList<int>{1});
    QVERIFY2(arrived >= due, qPrintable(u"delivered %1 ms early"_s.arg(due - arrived)));
    QVERIFY2(arrived < due + 5000, qPrintable(u"delivered %1 ms late"_s.arg(arrived - due)));
    QCOMPARE(got.first().message.deliverAtMs, due);
    QCOMPARE(got.first().message.dlqReason, DeadLetterReason::None);
    QCOMPARE(got.first().message.deliveryCount, 1);

    Message tooFar = numbered(3);
    tooFar.deliverAtMs = now() + qint64(100) * 24 * 3600 * 1000;
    VERIFY_ERROR(broker->publish(u"later"_s, tooFar), "broker_invalid_message");
}

void TestRabbitMqBroker::nackWithDelay()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"q"_s)));
    VERIFY_OK(broker->publish(u"q"_s, numbered(1)));
    QList<Delivery> got = receiveAll(*broker, u"q"_s, 1);
    QCOMPARE(got.size(), 1);
    NackOptions later;
    later.delayMs = 800;
    const qint64 nackedAt = now();
    VERIFY_OK(broker->nack(u"q"_s, handlesOf(got), later));
    QCOMPARE(receiveAll(*broker, u"q"_s, 1).size(), 0);
    got = receiveAll(*broker, u"q"_s, 1, 10000);
    QCOMPARE(got.size(), 1);
    QVERIFY(now() >= nackedAt + 800);
    QCOMPARE(got.first().message.deliveryCount, 2);
    QCOMPARE(got.first().message.messageId, u"m1"_s);
}

void TestRabbitMqBroker::overflowRejectNew_data()
{
    QTest::addColumn<QueueType>("type");
    QTest::addRow("standard") << QueueType::Standard;
    QTest::addRow("priority") << QueueType::Priority;
}

void TestRabbitMqBroker::overflowRejectNew()
{
    QFETCH(QueueType, type);
    auto broker = openBroker();
    QVERIFY(broker);
    QueueConfig q = queueConfig(u"small"_s, type);
    q.maxSize = 2;
    q.overflow = OverflowPolicy::RejectNew;
    VERIFY_OK(broker->declareQueue(q));
    VERIFY_OK(broker->publish(u"small"_s, numbered(1)));
    VERIFY_OK(broker->publish(u"small"_s, numbered(2)));
    VERIFY_ERROR(broker->publish(u"small"_s, numbered(3)), "broker_queue_full");
    VERIFY_ERROR(broker->publish(u"small"_s, numbered(4)), "broker_queue_full");
    const QList<Delivery> got = receiveAll(*broker, u"small"_s, 5);
    QCOMPARE(payloadsOf(got), (QList<int>{1, 2}));
    // Room again once it is drained (quorum queues: below 80% of max_size).
    VERIFY_OK(broker->ack(u"small"_s, handlesOf(got)));
    VERIFY_OK(broker->publish(u"small"_s, numbered(5)));
}

void TestRabbitMqBroker::overflowDropOldest_data()
{
    QTest::addColumn<QueueType>("type");
    QTest::addRow("standard") << QueueType::Standard;
    QTest::addRow("priority") << QueueType::Priority;
}

void TestRabbitMqBroker::overflowDropOldest()
{
    QFETCH(QueueType, type);
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"dead"_s, QueueType::DeadLetter)));
    QueueConfig q = queueConfig(u"small"_s, type);
    q.maxSize = 2;
    q.overflow = OverflowPolicy::DropOldest;
    q.deadLetterQueue = u"dead"_s;
    VERIFY_OK(broker->declareQueue(q));
    for (int i = 1; i <= 3; ++i)
        VERIFY_OK(broker->publish(u"small"_s, numbered(i)));
    const QList<Delivery> dead = receiveAll(*broker, u"dead"_s, 5, 5000);
    QCOMPARE(payloadsOf(dead), QList<int>{1});
    QCOMPARE(dead.first().message.dlqReason, DeadLetterReason::Overflow);
    QCOMPARE(dead.first().message.originalQueue, u"small"_s);
    QCOMPARE(payloadsOf(receiveAll(*broker, u"small"_s, 5)), (QList<int>{2, 3}));
}

void TestRabbitMqBroker::fifoKeepsGroupOrder()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"f"_s, QueueType::Fifo)));
    // a1 b1 a2 b2 a3
    const QList<std::pair<int, QString>> sent{{1, u"a"_s}, {2, u"b"_s}, {3, u"a"_s}, {4, u"b"_s}, {5, u"a"_s}};
    for (const auto &[n, group] : sent)
        VERIFY_OK(broker->publish(u"f"_s, numbered(n, group)));

    // One message per group in flight.
    QList<Delivery> got = receiveAll(*broker, u"f"_s, 10, 3000);
    QCOMPARE(payloadsOf(got), (QList<int>{1, 2}));
    QCOMPARE(receiveAll(*broker, u"f"_s, 10).size(), 0);

    // A nacked message comes back before the rest of its group.
    VERIFY_OK(broker->nack(u"f"_s, {got.at(0).receiptHandle}));
    QList<Delivery> again = receiveAll(*broker, u"f"_s, 10);
    QCOMPARE(payloadsOf(again), QList<int>{1});
    QCOMPARE(again.first().message.deliveryCount, 2);

    VERIFY_OK(broker->ack(u"f"_s, {again.first().receiptHandle, got.at(1).receiptHandle}));
    got = receiveAll(*broker, u"f"_s, 10);
    QCOMPARE(payloadsOf(got), (QList<int>{3, 4}));
    VERIFY_OK(broker->ack(u"f"_s, handlesOf(got)));
    got = receiveAll(*broker, u"f"_s, 10);
    QCOMPARE(payloadsOf(got), QList<int>{5});
    VERIFY_OK(broker->ack(u"f"_s, handlesOf(got)));
    QCOMPARE(receiveAll(*broker, u"f"_s, 10).size(), 0);
}

void TestRabbitMqBroker::fifoHasOneActiveConsumer()
{
    // Two brokers (two nodes) on the same queues: only the first subscriber receives.
    auto first = openBroker();
    auto second = openBroker();
    QVERIFY(first && second);
    VERIFY_OK(first->declareQueue(queueConfig(u"f"_s, QueueType::Fifo)));
    VERIFY_OK(second->declareQueue(queueConfig(u"f"_s, QueueType::Fifo)));
    QCOMPARE(receiveAll(*first, u"f"_s, 1).size(), 0); // subscribes; now the active one
    for (int i = 1; i <= 3; ++i)
        VERIFY_OK(second->publish(u"f"_s, numbered(i)));
    QCOMPARE(receiveAll(*second, u"f"_s, 10, 500).size(), 0);
    QList<Delivery> got = receiveAll(*first, u"f"_s, 10, 3000);
    QCOMPARE(payloadsOf(got), QList<int>{1});

    // When the active node goes away, the other takes over where it stopped.
    first->close();
    got = receiveAll(*second, u"f"_s, 10, 5000);
    QCOMPARE(payloadsOf(got), QList<int>{1});
    QCOMPARE(got.first().message.deliveryCount, 2);
    VERIFY_OK(second->ack(u"f"_s, handlesOf(got)));
    got = receiveAll(*second, u"f"_s, 10, 3000);
    QCOMPARE(payloadsOf(got), QList<int>{2});
}

void TestRabbitMqBroker::leaseExpiryRedelivers()
{
    auto broker = openBroker();
    QVERIFY(broker);
    QueueConfig q = queueConfig(u"q"_s);
    q.visibilityTimeoutMs = 300;
    VERIFY_OK(broker->declareQueue(q));
    VERIFY_OK(broker->publish(u"q"_s, numbered(1)));
    const QList<Delivery> first = receiveAll(*broker, u"q"_s, 1);
    QCOMPARE(first.size(), 1);
    QCOMPARE(receiveAll(*broker, u"q"_s, 1).size(), 0);
    const QList<Delivery> second = receiveAll(*broker, u"q"_s, 1, 5000);
    QCOMPARE(payloadsOf(second), QList<int>{1});
    QCOMPARE(second.first().message.deliveryCount, 2);
    // The first lease is over: its handle no longer settles anything.
    auto late = broker->ack(u"q"_s, handlesOf(first));
    VERIFY_OK(late);
    QCOMPARE(late->settled, 0);
    QCOMPARE(late->unknownHandles.size(), 1);
    VERIFY_OK(broker->ack(u"q"_s, handlesOf(second)));
}

void TestRabbitMqBroker::releaseConsumerRedelivers()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"q"_s)));
    VERIFY_OK(broker->publish(u"q"_s, numbered(1)));
    VERIFY_OK(broker->publish(u"q"_s, numbered(2)));
    ReceiveOptions options;
    options.maxMessages = 1;
    options.consumerId = u"worker-1"_s;
    auto held = broker->receive(u"q"_s, options);
    VERIFY_OK(held);
    QCOMPARE(held->size(), 1);
    auto released = broker->releaseConsumer(u"q"_s, u"worker-1"_s);
    VERIFY_OK(released);
    QCOMPARE(*released, 1);
    QCOMPARE(payloadsOf(receiveAll(*broker, u"q"_s, 5)), (QList<int>{1, 2}));
}

void TestRabbitMqBroker::atMostOnceNeedsNoAck()
{
    auto broker = openBroker();
    QVERIFY(broker);
    QueueConfig q = queueConfig(u"q"_s);
    q.deliveryMode = DeliveryMode::AtMostOnce;
    VERIFY_OK(broker->declareQueue(q));
    VERIFY_OK(broker->publish(u"q"_s, numbered(1)));
    const QList<Delivery> got = receiveAll(*broker, u"q"_s, 5);
    QCOMPARE(payloadsOf(got), QList<int>{1});
    QVERIFY(got.first().receiptHandle.isEmpty());
    QCOMPARE(got.first().leaseExpiresAtMs, 0);
    auto stats = broker->stats();
    VERIFY_OK(stats);
    QCOMPARE(stats->first().depth, 0);
    QCOMPARE(stats->first().inFlight, 0);
}

void TestRabbitMqBroker::exactlyOnceDedupAndProcessed()
{
    auto broker = openBroker();
    QVERIFY(broker);
    QueueConfig q = queueConfig(u"q"_s);
    q.deliveryMode = DeliveryMode::ExactlyOnce;
    VERIFY_OK(broker->declareQueue(q));
    auto first = broker->publish(u"q"_s, numbered(1));
    VERIFY_OK(first);
    QVERIFY(!first->duplicate);
    auto retry = broker->publish(u"q"_s, numbered(1));
    VERIFY_OK(retry);
    QVERIFY(retry->duplicate);
    QCOMPARE(retry->messageId, u"m1"_s);

    QList<Delivery> got = receiveAll(*broker, u"q"_s, 5);
    QCOMPARE(payloadsOf(got), QList<int>{1});
    AckOptions ackOptions;
    ackOptions.consumerGroup = u"billing"_s;
    VERIFY_OK(broker->ack(u"q"_s, handlesOf(got), ackOptions));
    auto processed = broker->processed(u"q"_s, u"billing"_s, u"m1"_s);
    VERIFY_OK(processed);
    QVERIFY(*processed);
    processed = broker->processed(u"q"_s, u"shipping"_s, u"m1"_s);
    VERIFY_OK(processed);
    QVERIFY(!*processed);

    // A later copy of a processed message (a replay, another node's retry) is not handed out.
    Message copy = numbered(1);
    copy.deliveryMode = DeliveryMode::AtLeastOnce; // past the dedup check, as another node would
    VERIFY_OK(broker->publish(u"q"_s, copy));
    copy.deliveryMode.reset();
    QCOMPARE(receiveAll(*broker, u"q"_s, 5).size(), 0);
}

void TestRabbitMqBroker::statsCountWhatHappened()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"dead"_s, QueueType::DeadLetter)));
    QueueConfig q = queueConfig(u"q"_s);
    q.deadLetterQueue = u"dead"_s;
    VERIFY_OK(broker->declareQueue(q));
    for (int i = 1; i <= 4; ++i)
        VERIFY_OK(broker->publish(u"q"_s, numbered(i)));
    Message delayed = numbered(5);
    delayed.deliverAtMs = now() + 60000;
    VERIFY_OK(broker->publish(u"q"_s, delayed));

    const QList<Delivery> got = receiveAll(*broker, u"q"_s, 3);
    QCOMPARE(got.size(), 3);
    VERIFY_OK(broker->ack(u"q"_s, {got.at(0).receiptHandle}));
    VERIFY_OK(broker->reject(u"q"_s, {got.at(1).receiptHandle}));

    // Dead-lettering is asynchronous on the server: wait until the DLQ has it.
    QList<QueueStats> stats;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            auto s = broker->stats();
            if (!s)
                return false;
            stats = *s;
            return stats.size() == 2 && stats.at(1).deadLetterDepth == 1;
        }(),
        5000);
    const QueueStats &dead = stats.at(0);
    QCOMPARE(dead.name, u"dead"_s);
    QCOMPARE(dead.type, QueueType::DeadLetter);
    QCOMPARE(dead.depth, 1);
    const QueueStats &s = stats.at(1);
    QCOMPARE(s.name, u"q"_s);
    QCOMPARE(s.depth, 1);
    QCOMPARE(s.delayed, 1);
    QCOMPARE(s.inFlight, 1);
    QCOMPARE(s.consumerLag, 3);
    QCOMPARE(s.consumers, 1);
    QCOMPARE(s.published, 5u);
    QCOMPARE(s.acked, 1u);
    QCOMPARE(s.deadLettered, 1u);
    const BrokerCounters c = broker->counters();
    QCOMPARE(c.produced, 5u);
    QCOMPARE(c.consumed, 1u);
    QCOMPARE(c.deadLettered, 1u);
    QCOMPARE(c.latencyBuckets.size(), c.latencyBounds.size() + 1);
    QCOMPARE(c.latencyBuckets.last(), 1u);
}

void TestRabbitMqBroker::purgeDeletesReadyMessages()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"q"_s)));
    VERIFY_OK(broker->declareQueue(queueConfig(u"f"_s, QueueType::Fifo)));
    for (int i = 1; i <= 4; ++i) {
        VERIFY_OK(broker->publish(u"q"_s, numbered(i)));
        VERIFY_OK(broker->publish(u"f"_s, numbered(i, u"g%1"_s.arg(i % 2))));
    }
    const QList<Delivery> leased = receiveAll(*broker, u"q"_s, 1);
    QCOMPARE(leased.size(), 1);
    auto purged = broker->purge(u"q"_s);
    VERIFY_OK(purged);
    QCOMPARE(*purged, 3);
    QCOMPARE(receiveAll(*broker, u"q"_s, 5).size(), 0);
    // The leased one is not ready, so it stays until settled.
    auto acked = broker->ack(u"q"_s, handlesOf(leased));
    VERIFY_OK(acked);
    QCOMPARE(acked->settled, 1);

    const QList<Delivery> fifoLeased = receiveAll(*broker, u"f"_s, 1, 3000);
    QCOMPARE(fifoLeased.size(), 1);
    purged = broker->purge(u"f"_s);
    VERIFY_OK(purged);
    QCOMPARE(*purged, 3);
    VERIFY_OK(broker->ack(u"f"_s, handlesOf(fifoLeased)));
    QCOMPARE(receiveAll(*broker, u"f"_s, 5, 300).size(), 0);
    VERIFY_ERROR(broker->purge(u"nowhere"_s), "broker_unknown_queue");
}

void TestRabbitMqBroker::replayMovesDeadLettersBack()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"dead"_s, QueueType::DeadLetter)));
    QueueConfig q = queueConfig(u"q"_s);
    q.deadLetterQueue = u"dead"_s;
    VERIFY_OK(broker->declareQueue(q));
    for (int i = 1; i <= 3; ++i)
        VERIFY_OK(broker->publish(u"q"_s, numbered(i)));
    VERIFY_OK(broker->reject(u"q"_s, handlesOf(receiveAll(*broker, u"q"_s, 3))));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            auto s = broker->stats();
            return s && s->at(1).deadLetterDepth == 3;
        }(),
        5000);

    auto moved = broker->replay(u"dead"_s, {u"m2"_s});
    VERIFY_OK(moved);
    QCOMPARE(*moved, 1);
    QList<Delivery> back = receiveAll(*broker, u"q"_s, 5);
    QCOMPARE(payloadsOf(back), QList<int>{2});
    QCOMPARE(back.first().message.dlqReason, DeadLetterReason::None);
    QCOMPARE(back.first().message.deliveryCount, 1);
    VERIFY_OK(broker->ack(u"q"_s, handlesOf(back)));

    // Dead letters have no delivery limit: looking at them often loses none.
    for (int look = 0; look < 6; ++look) {
        auto page = broker->browse(u"dead"_s, 0, 10);
        VERIFY_OK(page);
        QCOMPARE(page->size(), 2);
        QCOMPARE(page->first().dlqReason, DeadLetterReason::Rejected);
    }
    moved = broker->replay(u"dead"_s);
    VERIFY_OK(moved);
    QCOMPARE(*moved, 2);
    back = receiveAll(*broker, u"q"_s, 5);
    QCOMPARE(payloadsOf(back), (QList<int>{1, 3}));
    QCOMPARE(receiveAll(*broker, u"dead"_s, 5).size(), 0);
}

void TestRabbitMqBroker::browseDoesNotLease()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"q"_s)));
    for (int i = 1; i <= 4; ++i)
        VERIFY_OK(broker->publish(u"q"_s, numbered(i)));
    auto page = broker->browse(u"q"_s, 1, 2);
    VERIFY_OK(page);
    QCOMPARE(page->size(), 2);
    QCOMPARE(page->at(0).payload.toDouble(), 2.0);
    QCOMPARE(page->at(1).payload.toDouble(), 3.0);
    QCOMPARE(page->at(0).deliveryCount, 0);
    // Everything is still there, in order. RabbitMQ 3.10 cannot peek: a look takes the
    // messages and gives them back, which a quorum queue counts as a delivery.
    const QList<Delivery> all = receiveAll(*broker, u"q"_s, 10);
    QCOMPARE(payloadsOf(all), (QList<int>{1, 2, 3, 4}));
    QCOMPARE(all.at(0).message.deliveryCount, 2);
    QCOMPARE(all.at(3).message.deliveryCount, 1);
    VERIFY_OK(broker->ack(u"q"_s, handlesOf(all)));

    // Priority (classic) queues count no looks.
    VERIFY_OK(broker->declareQueue(queueConfig(u"p"_s, QueueType::Priority)));
    VERIFY_OK(broker->publish(u"p"_s, numbered(8)));
    VERIFY_OK(broker->browse(u"p"_s, 0, 10));
    const QList<Delivery> p = receiveAll(*broker, u"p"_s, 10);
    QCOMPARE(payloadsOf(p), QList<int>{8});
    QCOMPARE(p.first().message.deliveryCount, 1);
}

void TestRabbitMqBroker::publishBatch()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"q"_s)));
    auto receipts = broker->publishBatch(u"q"_s, {numbered(1), numbered(2), numbered(3)});
    VERIFY_OK(receipts);
    QCOMPARE(receipts->size(), 3);
    QCOMPARE(receipts->at(2).messageId, u"m3"_s);
    // A bad message anywhere sends nothing.
    Message bad = numbered(5);
    bad.headers.insert(u"x-death"_s, Data::Value(1));
    VERIFY_ERROR(broker->publishBatch(u"q"_s, {numbered(4), bad}), "broker_invalid_message");
    QCOMPARE(payloadsOf(receiveAll(*broker, u"q"_s, 10)), (QList<int>{1, 2, 3}));
}

void TestRabbitMqBroker::redeclareKeepsMessages()
{
    auto broker = openBroker();
    QVERIFY(broker);
    QueueConfig q = queueConfig(u"q"_s);
    VERIFY_OK(broker->declareQueue(q));
    VERIFY_OK(broker->publish(u"q"_s, numbered(1)));
    q.visibilityTimeoutMs = 1234;
    q.topics = {u"x.y"_s};
    VERIFY_OK(broker->declareQueue(q));
    QCOMPARE(broker->queue(u"q"_s)->visibilityTimeoutMs, 1234);
    QCOMPARE(broker->queues().size(), 1);

    // A second broker (a restarted node) sees the same messages.
    broker->close();
    auto again = openBroker();
    QVERIFY(again);
    VERIFY_OK(again->declareQueue(q));
    QCOMPARE(payloadsOf(receiveAll(*again, u"q"_s, 5)), QList<int>{1});
}

void TestRabbitMqBroker::redeclareWithOtherArgumentsFails()
{
    auto broker = openBroker();
    QVERIFY(broker);
    QueueConfig q = queueConfig(u"q"_s);
    VERIFY_OK(broker->declareQueue(q));
    q.maxDeliveryAttempts = 9;
    VERIFY_ERROR(broker->declareQueue(q), "broker_invalid_queue");
    QCOMPARE(broker->queue(u"q"_s)->maxDeliveryAttempts, 5);
    // The broker keeps working after the server refused.
    VERIFY_OK(broker->publish(u"q"_s, numbered(1)));

    QueueConfig bad = queueConfig(u"bad name"_s);
    VERIFY_ERROR(broker->declareQueue(bad), "broker_invalid_queue");
    bad = queueConfig(u"ok"_s);
    bad.topics = {u"a.#b"_s};
    VERIFY_ERROR(broker->declareQueue(bad), "broker_invalid_queue");
    bad = queueConfig(u"ok"_s);
    bad.maxDeliveryAttempts = 0;
    VERIFY_ERROR(broker->declareQueue(bad), "broker_invalid_queue");
}

void TestRabbitMqBroker::callbacksMayCallTheBroker()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"q"_s)));
    std::promise<QString> promise;
    RabbitMqBroker *b = broker.get();
    broker->publishAsync(u"q"_s, numbered(1), [&, b](Result<PublishReceipt> r) {
        if (!r) {
            promise.set_value(r.error().toString());
            return;
        }
        // Blocking calls from the broker's own thread run at once.
        auto got = b->receive(u"q"_s, ReceiveOptions{});
        if (!got || got->size() != 1) {
            promise.set_value(u"receive in a callback failed"_s);
            return;
        }
        auto acked = b->ack(u"q"_s, {got->first().receiptHandle});
        promise.set_value(acked && acked->settled == 1 ? QString() : u"ack in a callback failed"_s);
    });
    QCOMPARE(promise.get_future().get(), QString());
}

void TestRabbitMqBroker::closeFailsWaitingReceivers()
{
    auto broker = openBroker();
    QVERIFY(broker);
    VERIFY_OK(broker->declareQueue(queueConfig(u"q"_s)));
    std::promise<Result<QList<Delivery>>> promise;
    ReceiveOptions options;
    options.waitMs = 30000;
    broker->receiveAsync(u"q"_s, options, [&](Result<QList<Delivery>> r) { promise.set_value(std::move(r)); });
    QThread::msleep(100);
    broker->close();
    VERIFY_ERROR(promise.get_future().get(), "broker_closed");
    VERIFY_ERROR(broker->publish(u"q"_s, numbered(1)), "broker_closed");
    VERIFY_ERROR(broker->stats(), "broker_closed");
}

void TestRabbitMqBroker::unreachableServerIsUnavailable()
{
    RabbitMqBroker::Options o = m_options;
    VERIFY_ERROR(RabbitMqBroker(o).stats(), "broker_not_open");

    o.port = 1; // nothing listens there
    o.connectTimeoutMs = 2000;
    RabbitMqBroker unreachable(o);
    const auto opened = unreachable.open();
    VERIFY_ERROR(opened, "broker_unavailable");
    QVERIFY2(opened.error().message.contains(u"127.0.0.1:1"_s) || opened.error().message.contains(u":1"_s),
             qPrintable(opened.error().message));

    o = m_options;
    o.password = u"wrong"_s;
    RabbitMqBroker refused(o);
    VERIFY_ERROR(refused.open(), "broker_unavailable");
}

void TestRabbitMqBroker::connectionLossThenReconnect()
{
    Relay relay(m_options.host, m_options.port);
    QVERIFY(relay.port() > 0);
    RabbitMqBroker::Options o = m_options;
    o.port = relay.port();
    o.namePrefix = m_prefix;
    o.rpcTimeoutMs = 5000;
    RabbitMqBroker broker(o);
    VERIFY_OK(broker.open());
    VERIFY_OK(broker.declareQueue(queueConfig(u"q"_s)));
    VERIFY_OK(broker.publish(u"q"_s, numbered(1)));
    const QList<Delivery> leased = receiveAll(broker, u"q"_s, 1);
    QCOMPARE(leased.size(), 1);

    relay.cutAll();
    // The call that meets the broken connection fails; the next one connects again.
    VERIFY_ERROR(broker.publish(u"q"_s, numbered(2)), "broker_unavailable");
    VERIFY_OK(broker.publish(u"q"_s, numbered(3)));
    // The lease died with the connection: RabbitMQ gave the message back.
    auto late = broker.ack(u"q"_s, handlesOf(leased));
    VERIFY_OK(late);
    QCOMPARE(late->settled, 0);
    const QList<Delivery> again = receiveAll(broker, u"q"_s, 5, 3000);
    QCOMPARE(payloadsOf(again), (QList<int>{1, 3}));
    QCOMPARE(again.first().message.deliveryCount, 2);
}

QTEST_GUILESS_MAIN(TestRabbitMqBroker)
#include "tst_rabbitmqbroker.moc"
