// Consumer groups on the real embedded broker: competing consumers, topic subscriptions per
// group, processing timeouts, retries, rejects, handler failures, exactly-once skips.

#include "broker/embeddedbroker.h"
#include "broker/queueconsumer.h"

#include <QHash>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "testsupport.h"

using namespace Conflux;
using namespace Conflux::Broker;
using namespace Qt::StringLiterals;

namespace {

Message numbered(int n, const QString &topic = {})
{
    Message m;
    m.payload = Data::Value(Data::Object{{u"n"_s, Data::Value(n)}});
    m.topic = topic;
    return m;
}

int numberOf(const Delivery &d)
{
    return int(d.message.payload[u"n"].toInt64(-1));
}

// What a handler saw: every delivery with the consumer that got it, and the batch sizes.
class Log
{
public:
    void add(const QString &consumer, const QList<Delivery> &batch)
    {
        std::lock_guard lock(m_mutex);
        m_batches.append(int(batch.size()));
        for (const Delivery &d : batch)
            m_seen.append({consumer, numberOf(d), d.message.deliveryCount});
    }
    int count() const
    {
        std::lock_guard lock(m_mutex);
        return int(m_seen.size());
    }
    QHash<int, int> timesSeen() const
    {
        std::lock_guard lock(m_mutex);
        QHash<int, int> out;
        for (const Seen &s : m_seen)
            ++out[s.number];
        return out;
    }
    QSet<QString> consumers() const
    {
        std::lock_guard lock(m_mutex);
        QSet<QString> out;
        for (const Seen &s : m_seen)
            out.insert(s.consumer);
        return out;
    }
    int largestBatch() const
    {
        std::lock_guard lock(m_mutex);
        return m_batches.isEmpty() ? 0 : *std::max_element(m_batches.begin(), m_batches.end());
    }
    QList<int> countsOf(int number) const
    {
        std::lock_guard lock(m_mutex);
        QList<int> out;
        for (const Seen &s : m_seen) {
            if (s.number == number)
                out.append(s.deliveryCount);
        }
        return out;
    }

private:
    struct Seen
    {
        QString consumer;
        int number;
        int deliveryCount;
    };
    mutable std::mutex m_mutex;
    QList<Seen> m_seen;
    QList<int> m_batches;
};

QueueConsumer::Handler acking(Log &log, const QString &name)
{
    return [&log, name](const QList<Delivery> &batch) {
        log.add(name, batch);
        return QList<Settlement>(batch.size(), Settlement::ack());
    };
}

ConsumerConfig consumerConfig(const QString &id, const QString &group, const QString &queue = {})
{
    ConsumerConfig c;
    c.consumerId = id;
    c.groupId = group;
    c.queue = queue;
    c.pollWaitMs = 100;
    return c;
}

QueueStats statsOf(MessageBroker &broker, const QString &queue)
{
    const auto all = broker.stats();
    if (all) {
        for (const QueueStats &s : *all) {
            if (s.name == queue)
                return s;
        }
    }
    return {};
}

} // namespace

class TestQueueConsumer : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_count = 0;

    std::unique_ptr<EmbeddedBroker> openBroker()
    {
        EmbeddedBroker::Options o;
        o.databasePath = m_dir.filePath(u"broker-%1.db"_s.arg(++m_count));
        auto broker = std::make_unique<EmbeddedBroker>(o);
        return broker->open() ? std::move(broker) : nullptr;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // Two consumers of one group with two workers each: every message is handled once,
    // both share the work, batches stay within max_batch_size.
    void competingConsumersShareTheWork()
    {
        auto broker = openBroker();
        QVERIFY(broker);
        QueueConfig q;
        q.name = u"orders"_s;
        VERIFY_OK(broker->declareQueue(q));
        Log log;
        auto slow = [&log](const QString &name) {
            return [&log, name](const QList<Delivery> &batch) {
                log.add(name, batch);
                QThread::msleep(2); // long enough for the other consumer to get its turn
                return QList<Settlement>(batch.size(), Settlement::ack());
            };
        };
        ConsumerConfig a = consumerConfig(u"a"_s, u"fulfilment"_s, u"orders"_s);
        a.maxBatchSize = 5;
        a.concurrency = 2;
        ConsumerConfig b = a;
        b.consumerId = u"b"_s;
        QueueConsumer first(*broker, a, slow(u"a"_s));
        QueueConsumer second(*broker, b, slow(u"b"_s));
        VERIFY_OK(first.start());
        VERIFY_OK(second.start());
        QList<Message> batch;
        for (int i = 0; i < 300; ++i)
            batch.append(numbered(i));
        VERIFY_OK(broker->publishBatch(u"orders"_s, batch));
        QTRY_COMPARE_WITH_TIMEOUT(first.stats().acked + second.stats().acked, 300u, 20000);
        const QHash<int, int> seen = log.timesSeen();
        QCOMPARE(seen.size(), 300);
        for (auto it = seen.cbegin(); it != seen.cend(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(u"message %1 handled %2 times"_s.arg(it.key()).arg(it.value())));
        QCOMPARE(log.consumers(), (QSet<QString>{u"a"_s, u"b"_s}));
        QVERIFY(log.largestBatch() <= 5);
        QCOMPARE(log.largestBatch(), 5);
        first.stop();
        second.stop();
        const QueueStats s = statsOf(*broker, u"orders"_s);
        QCOMPARE(s.depth, 0);
        QCOMPARE(s.inFlight, 0);
        QCOMPARE(first.stats().failures + second.stats().failures, 0u);
    }

    // Groups subscribed to the same topics each get every message; within a group the
    // consumers share them.
    void topicGroupsEachGetEveryMessage()
    {
        auto broker = openBroker();
        QVERIFY(broker);
        Log billing, audit;
        ConsumerConfig b1 = consumerConfig(u"billing-1"_s, u"billing"_s);
        b1.topics = {u"orders.*"_s};
        ConsumerConfig b2 = b1;
        b2.consumerId = u"billing-2"_s;
        ConsumerConfig a1 = consumerConfig(u"audit-1"_s, u"audit"_s);
        a1.topics = {u"orders.#"_s};
        QueueConsumer billing1(*broker, b1, acking(billing, u"1"_s));
        QueueConsumer billing2(*broker, b2, acking(billing, u"2"_s));
        QueueConsumer audit1(*broker, a1, acking(audit, u"1"_s));
        VERIFY_OK(billing1.start());
        VERIFY_OK(billing2.start());
        VERIFY_OK(audit1.start());
        QCOMPARE(billing1.queue(), groupQueueName(u"billing"_s));
        QCOMPARE(billing2.queue(), groupQueueName(u"billing"_s));
        QCOMPARE(audit1.queue(), u"group.audit"_s);
        for (int i = 0; i < 40; ++i)
            VERIFY_OK(broker->publishToTopic(numbered(i, u"orders.created"_s)));
        // Only audit's pattern matches two words after "orders".
        VERIFY_OK(broker->publishToTopic(numbered(100, u"orders.eu.created"_s)));
        QTRY_COMPARE(billing.count(), 40);
        QTRY_COMPARE(audit.count(), 41);
        QCOMPARE(billing.timesSeen().size(), 40);
        QCOMPARE(audit.timesSeen().size(), 41);
        QTRY_COMPARE(billing1.stats().acked + billing2.stats().acked, 40u);
        QTRY_COMPARE(audit1.stats().acked, 41u);
    }

    // A consumer whose handler hangs past the processing timeout loses its leases: the
    // other consumer of the group gets the messages (delivery count 2); the late settles
    // of the first are refused and counted as failures.
    void stuckConsumerLosesItsLeases()
    {
        auto broker = openBroker();
        QVERIFY(broker);
        QueueConfig q;
        q.name = u"jobs"_s;
        VERIFY_OK(broker->declareQueue(q));
        std::mutex mutex;
        std::condition_variable released;
        bool release = false;
        std::atomic<int> stuckCalls{0};
        ConsumerConfig s = consumerConfig(u"stuck"_s, u"workers"_s, u"jobs"_s);
        s.maxBatchSize = 10;
        s.processingTimeoutMs = 300;
        QueueConsumer stuck(*broker, s, [&](const QList<Delivery> &batch) {
            ++stuckCalls;
            std::unique_lock lock(mutex);
            released.wait(lock, [&] { return release; });
            return QList<Settlement>(batch.size(), Settlement::ack());
        });
        VERIFY_OK(stuck.start());
        for (int i = 0; i < 3; ++i)
            VERIFY_OK(broker->publish(u"jobs"_s, numbered(i)));
        QTRY_COMPARE(stuckCalls.load(), 1);

        Log log;
        ConsumerConfig h = consumerConfig(u"healthy"_s, u"workers"_s, u"jobs"_s);
        h.maxBatchSize = 10;
        QueueConsumer healthy(*broker, h, acking(log, u"healthy"_s));
        VERIFY_OK(healthy.start());
        QTRY_COMPARE_WITH_TIMEOUT(healthy.stats().acked, 3u, 5000);
        QCOMPARE(log.countsOf(0), QList<int>{2});
        {
            std::lock_guard lock(mutex);
            release = true;
        }
        released.notify_all();
        QTRY_COMPARE(stuck.stats().failures, 1u);
        QVERIFY(stuck.stats().lastError.contains(u"leases had run out"_s));
        QCOMPARE(stuck.stats().acked, 0u);
        stuck.stop();
        healthy.stop();
        QCOMPARE(statsOf(*broker, u"jobs"_s).inFlight, 0);
        QCOMPARE(statsOf(*broker, u"jobs"_s).acked, 3u);
    }

    // Retries come back with a growing count (and a delay); rejects, a throwing handler and
    // a wrong number of settlements end in the dead-letter queue with their reasons.
    void retriesRejectsAndHandlerFailures()
    {
        auto broker = openBroker();
        QVERIFY(broker);
        QueueConfig dlq;
        dlq.name = u"dlq"_s;
        dlq.type = QueueType::DeadLetter;
        VERIFY_OK(broker->declareQueue(dlq));
        QueueConfig q;
        q.name = u"work"_s;
        q.deadLetterQueue = u"dlq"_s;
        q.maxDeliveryAttempts = 3;
        VERIFY_OK(broker->declareQueue(q));
        Log log;
        ConsumerConfig c = consumerConfig(u"c"_s, u"g"_s, u"work"_s);
        c.maxBatchSize = 1;
        c.retryDelayMs = 50;
        QueueConsumer consumer(*broker, c, [&log](const QList<Delivery> &batch) -> QList<Settlement> {
            log.add(u"c"_s, batch);
            const Delivery &d = batch.first();
            switch (numberOf(d)) {
            case 1: // succeeds on its third attempt
                return {d.message.deliveryCount < 3 ? Settlement::retry() : Settlement::ack()};
            case 2:
                return {Settlement::reject()};
            case 3:
                throw std::runtime_error("boom");
            default:
                return {}; // the wrong number of settlements
            }
        });
        VERIFY_OK(consumer.start());
        for (int i = 1; i <= 4; ++i)
            VERIFY_OK(broker->publish(u"work"_s, numbered(i)));
        QTRY_COMPARE_WITH_TIMEOUT(statsOf(*broker, u"dlq"_s).depth, 3, 10000);
        QTRY_COMPARE(consumer.stats().acked, 1u);
        consumer.stop();
        QCOMPARE(log.countsOf(1), (QList<int>{1, 2, 3}));
        QCOMPARE(log.countsOf(2), QList<int>{1});
        QCOMPARE(log.countsOf(3), (QList<int>{1, 2, 3}));
        QCOMPARE(log.countsOf(4), (QList<int>{1, 2, 3}));
        const ConsumerStats stats = consumer.stats();
        QCOMPARE(stats.rejected, 1u);
        QCOMPARE(stats.retried, 2u + 3u + 3u); // the third failures dead-letter, still a nack
        QCOMPARE(stats.failures, 6u);          // three throws, three wrong answers
        auto letters = broker->browse(u"dlq"_s, 0, 10);
        VERIFY_OK(letters);
        QHash<int, QString> reasons;
        for (const Message &m : *letters)
            reasons.insert(int(m.payload[u"n"].toInt64(-1)), deadLetterReasonName(m.dlqReason));
        QCOMPARE(reasons.value(2), u"rejected"_s);
        QCOMPARE(reasons.value(3), u"max_retries_exceeded"_s);
        QCOMPARE(reasons.value(4), u"max_retries_exceeded"_s);
    }

    // Exactly-once: the ack records the group's processed id; a message with that id
    // seen again (published again after the dedup window) is acked without the handler.
    void exactlyOnceSkipsWhatTheGroupProcessed()
    {
        auto broker = openBroker();
        QVERIFY(broker);
        QueueConfig q;
        q.name = u"payments"_s;
        q.deliveryMode = DeliveryMode::ExactlyOnce;
        q.dedupWindowMs = 0; // no publish dedup: the second publish is stored
        VERIFY_OK(broker->declareQueue(q));
        Log log;
        QueueConsumer consumer(*broker, consumerConfig(u"p"_s, u"ledger"_s, u"payments"_s), acking(log, u"p"_s));
        VERIFY_OK(consumer.start());
        Message m = numbered(7);
        m.messageId = u"pay-7"_s;
        VERIFY_OK(broker->publish(u"payments"_s, m));
        QTRY_COMPARE(consumer.stats().acked, 1u);
        auto processed = broker->processed(u"payments"_s, u"ledger"_s, u"pay-7"_s);
        VERIFY_OK(processed);
        QVERIFY(*processed);
        VERIFY_OK(broker->publish(u"payments"_s, m));
        QTRY_COMPARE(consumer.stats().acked, 2u);
        QCOMPARE(consumer.stats().skipped, 1u);
        QCOMPARE(log.count(), 1);
    }

    void stopHandsBackWhatItHolds()
    {
        auto broker = openBroker();
        QVERIFY(broker);
        QueueConfig q;
        q.name = u"q"_s;
        VERIFY_OK(broker->declareQueue(q));
        {
            QueueConsumer idle(*broker, consumerConfig(u"idle"_s, u"g"_s, u"q"_s), [](const QList<Delivery> &b) {
                return QList<Settlement>(b.size(), Settlement::ack());
            });
            VERIFY_OK(idle.start());
            QVERIFY(idle.isRunning());
            idle.stop();
            QVERIFY(!idle.isRunning());
        }
        VERIFY_OK(broker->publish(u"q"_s, numbered(1)));
        // A worker that received while stopping: its leases are released, not left to expire.
        auto got = broker->receive(u"q"_s, ReceiveOptions{1, 0, u"gone#0"_s, 60000});
        VERIFY_OK(got);
        QCOMPARE(got->size(), 1);
        QCOMPARE(statsOf(*broker, u"q"_s).inFlight, 1);
        QueueConsumer gone(*broker, consumerConfig(u"gone"_s, u"g"_s, u"q"_s),
                           [](const QList<Delivery> &b) { return QList<Settlement>(b.size(), Settlement::retry()); });
        VERIFY_OK(gone.start());
        gone.stop();
        QCOMPARE(statsOf(*broker, u"q"_s).inFlight, 0);
    }

    void badConfigurations_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("group");
        QTest::addColumn<QString>("queue");
        QTest::addColumn<QStringList>("topics");
        QTest::addColumn<int>("batch");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("says");
        QTest::newRow("no id") << "" << "g" << "q" << QStringList() << 1 << "broker_invalid_consumer" << "id is empty";
        QTest::newRow("nothing to read") << "c" << "g" << "" << QStringList() << 1 << "broker_invalid_consumer"
                                         << "neither a queue";
        QTest::newRow("topics without group") << "c" << "" << "" << QStringList{u"a"_s} << 1
                                              << "broker_invalid_consumer" << "neither a queue";
        QTest::newRow("batch 0") << "c" << "g" << "q" << QStringList() << 0 << "broker_invalid_consumer"
                                 << "max_batch_size";
        QTest::newRow("unknown queue") << "c" << "g" << "nope" << QStringList() << 1 << "broker_unknown_queue"
                                       << "no queue named \"nope\"";
        QTest::newRow("bad topic") << "c" << "g" << "" << QStringList{u"a..b"_s} << 1 << "broker_invalid_queue"
                                   << "a..b";
    }

    void badConfigurations()
    {
        QFETCH(QString, id);
        QFETCH(QString, group);
        QFETCH(QString, queue);
        QFETCH(QStringList, topics);
        QFETCH(int, batch);
        QFETCH(QString, code);
        QFETCH(QString, says);
        auto broker = openBroker();
        QVERIFY(broker);
        QueueConfig q;
        q.name = u"q"_s;
        VERIFY_OK(broker->declareQueue(q));
        ConsumerConfig c = consumerConfig(id, group, queue);
        c.topics = topics;
        c.maxBatchSize = batch;
        QueueConsumer consumer(*broker, c, [](const QList<Delivery> &b) { return QList<Settlement>(b.size()); });
        const Result<void> started = consumer.start();
        QVERIFY(!started);
        QCOMPARE(started.error().code, code);
        QVERIFY2(started.error().toString().contains(says), qPrintable(started.error().toString()));
        QVERIFY(!consumer.isRunning());
        // The broker still serves.
        VERIFY_OK(broker->publish(u"q"_s, numbered(1)));
    }
};

QTEST_GUILESS_MAIN(TestQueueConsumer)
#include "tst_queueconsumer.moc"
