#include "broker/embeddedbroker.h"
#include "data/json.h"

#include <QElapsedTimer>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <thread>

using namespace Conflux;
using namespace Conflux::Broker;
using namespace Qt::StringLiterals;

namespace {

QueueConfig queueConfig(const QString &name, QueueType type = QueueType::Standard)
{
    QueueConfig c;
    c.name = name;
    c.type = type;
    return c;
}

Message message(const QString &text, Priority priority = Priority::Normal, const QString &group = {})
{
    Message m;
    m.payload = Data::Value(Data::Object{{u"text"_s, Data::Value(text)}});
    m.priority = priority;
    m.groupId = group;
    return m;
}

QString textOf(const Delivery &d)
{
    return d.message.payload[u"text"].toString();
}

QStringList texts(const QList<Delivery> &deliveries)
{
    QStringList out;
    for (const Delivery &d : deliveries)
        out.append(textOf(d));
    return out;
}

QStringList handles(const QList<Delivery> &deliveries)
{
    QStringList out;
    for (const Delivery &d : deliveries)
        out.append(d.receiptHandle);
    return out;
}

ReceiveOptions take(int max, qint64 visibilityMs = 0, const QString &consumer = {})
{
    ReceiveOptions o;
    o.maxMessages = max;
    o.visibilityTimeoutMs = visibilityMs;
    o.consumerId = consumer;
    return o;
}

} // namespace

class TestEmbeddedBroker : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_count = 0;
    QString m_path;

    std::unique_ptr<EmbeddedBroker> openBroker(const QString &path = {}, EmbeddedBroker::Options options = {})
    {
        if (path.isEmpty())
            m_path = m_dir.filePath(u"broker-%1.db"_s.arg(++m_count));
        options.databasePath = path.isEmpty() ? m_path : path;
        auto broker = std::make_unique<EmbeddedBroker>(options);
        const Result<void> opened = broker->open();
        if (!opened)
            qWarning() << opened.error().toString();
        return opened ? std::move(broker) : nullptr;
    }

    static QList<Delivery> receiveAll(MessageBroker &broker, const QString &queue, int max = 100,
                                      qint64 visibilityMs = 0)
    {
        auto r = broker.receive(queue, take(max, visibilityMs));
        return r ? *r : QList<Delivery>();
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void publishReceiveAck()
    {
        auto broker = openBroker();
        QVERIFY(broker);
        QVERIFY(broker->declareQueue(queueConfig(u"orders"_s)));
        Message m = message(u"one"_s);
        m.headers.insert(u"channel"_s, Data::Value(u"web"_s));
        m.correlationId = u"c-1"_s;
        auto receipt = broker->publish(u"orders"_s, m);
        QVERIFY2(receipt, qPrintable(receipt ? QString() : receipt.error().toString()));
        QVERIFY(!receipt->messageId.isEmpty());
        QCOMPARE(receipt->queues, QStringList{u"orders"_s});
        QVERIFY(broker->publish(u"orders"_s, message(u"two"_s)));

        auto got = broker->receive(u"orders"_s, take(10));
        QVERIFY(got);
        QCOMPARE(texts(*got), (QStringList{u"one"_s, u"two"_s}));
        const Delivery &first = got->first();
        QCOMPARE(first.message.messageId, receipt->messageId);
        QCOMPARE(first.message.headers.find(u"channel")->toString(), u"web"_s);
        QCOMPARE(first.message.correlationId, u"c-1"_s);
        QCOMPARE(first.message.deliveryCount, 1);
        QCOMPARE(first.message.queue, u"orders"_s);
        QVERIFY(first.leaseExpiresAtMs > 0);

        auto stats = broker->stats();
        QVERIFY(stats);
        QCOMPARE(stats->first().inFlight, 2);
        QCOMPARE(stats->first().depth, 0);

        auto acked = broker->ack(u"orders"_s, handles(*got));
        QVERIFY(acked);
        QCOMPARE(acked->settled, 2);
        QVERIFY(acked->unknownHandles.isEmpty());
        // A handle works once.
        acked = broker->ack(u"orders"_s, {first.receiptHandle, u"junk"_s});
        QVERIFY(acked);
        QCOMPARE(acked->settled, 0);
        QCOMPARE(acked->unknownHandles.size(), 2);
        QCOMPARE(receiveAll(*broker, u"orders"_s).size(), 0);
        QCOMPARE(broker->counters().produced, 2u);
        QCOMPARE(broker->counters().consumed, 2u);
        QCOMPARE(broker->counters().latencyCount, 2u);
    }

    // A consumer that acks without waiting and goes on receiving: each callback comes
    // once the ack is committed (another connection no longer sees the rows), in order.
    void pipelinedAcks()
    {
        auto broker = openBroker();
        QVERIFY(broker);
        QVERIFY(broker->declareQueue(queueConfig(u"q"_s)));
        QList<Message> batch;
        for (int i = 0; i < 300; ++i)
            batch.append(message(QString::number(i)));
        QVERIFY(broker->publishBatch(u"q"_s, batch));
        const QString path = m_path;
        auto storedRows = [&path] {
            sqlite3 *db = nullptr;
            sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr);
            sqlite3_stmt *s = nullptr;
            sqlite3_prepare_v2(db, "SELECT count(*) FROM messages", -1, &s, nullptr);
            const int rows = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
            sqlite3_finalize(s);
            sqlite3_close(db);
            return rows;
        };

        std::mutex mutex;
        QList<int> rowsSeenByCallback;
        QList<int> settled;
        std::atomic<int> calls{0};
        for (int round = 0; round < 6; ++round) {
            auto got = broker->receive(u"q"_s, take(50));
            QVERIFY(got);
            QCOMPARE(got->size(), 50);
            QCOMPARE(textOf(got->first()), QString::number(round * 50));
            broker->ackAsync(u"q"_s, handles(*got), {}, [&](Result<SettleResult> r) {
                const int rows = storedRows();
                std::lock_guard lock(mutex);
                rowsSeenByCallback.append(rows);
                settled.append(r ? r->settled : -1);
                ++calls;
            });
        }
        QTRY_COMPARE(calls.load(), 6);
        QCOMPARE(settled, QList<int>(6, 50));
        // Each callback saw its own ack, and every one before it, on disk.
        for (qsizetype i = 0; i < rowsSeenByCallback.size(); ++i)
            QVERIFY2(rowsSeenByCallback[i] <= 300 - 50 * (i + 1), qPrintable(QString::number(rowsSeenByCallback[i])));
        QCOMPARE(storedRows(), 0);

        // Nothing to commit (a handle used twice, junk): answered at once, on this thread.
        Result<SettleResult> again = Error();
        broker->ackAsync(u"q"_s, {u"1.1"_s, u"junk"_s}, {}, [&](Result<SettleResult> r) { again = std::move(r); });
        QVERIFY(again);
        QCOMPARE(again->settled, 0);
        QCOMPARE(again->unknownHandles.size(), 2);
        Result<SettleResult> unknownQueue = SettleResult();
        broker->nackAsync(u"nope"_s, {}, {}, [&](Result<SettleResult> r) { unknownQueue = std::move(r); });
        QVERIFY(!unknownQueue);
        QCOMPARE(unknownQueue.error().code, u"broker_unknown_queue"_s);
        broker->close();
        Result<SettleResult> closed = SettleResult();
        broker->ackAsync(u"q"_s, {}, {}, [&](Result<SettleResult> r) { closed = std::move(r); });
        QCOMPARE(closed.error().code, u"broker_closed"_s);
    }

    // An ack whose commit fails reports the error, and its messages are delivered again.
    void failedAckRedelivers()
    {
        EmbeddedBroker::Options o;
        o.busyTimeoutMs = 200;
        auto broker = openBroker({}, o);
        QVERIFY(broker->declareQueue(queueConfig(u"q"_s)));
        QVERIFY(broker->publish(u"q"_s, message(u"a"_s)));
        auto got = broker->receive(u"q"_s, take(1));
        QVERIFY(got);
        QCOMPARE(got->size(), 1);
        sqlite3 *other = nullptr;
        QCOMPARE(sqlite3_open(m_path.toUtf8().constData(), &other), SQLITE_OK);
        sqlite3_busy_timeout(other, 5000); // the delivery count may be being written
        QCOMPARE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
        auto acked = broker->ack(u"q"_s, handles(*got));
        sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(other);
        QVERIFY(!acked);
        QCOMPARE(acked.error().code, u"broker_store_failed"_s);
        const QList<Delivery> again = receiveAll(*broker, u"q"_s);
        QCOMPARE(texts(again), QStringList{u"a"_s});
        QVERIFY(broker->ack(u"q"_s, handles(again)));
        QCOMPARE(receiveAll(*broker, u"q"_s).size(), 0);
    }

    void confirmedPublishesSurviveReopen()
    {
        QString path;
        {
            auto broker = openBroker();
            path = m_path;
            QVERIFY(broker->declareQueue(queueConfig(u"q"_s)));
            for (int i = 0; i < 50; ++i)
                QVERIFY(broker->publish(u"q"_s, message(QString::number(i))));
            auto got = broker->receive(u"q"_s, take(10));
            QVERIFY(got);
            QVERIFY(broker->ack(u"q"_s, handles(got->mid(0, 5))));
            // Five leased and not acked: ready again after the restart.
        }
        auto broker = openBroker(path);
        QVERIFY(broker);
        QCOMPARE(broker->undeclaredQueueDepths().value(u"q"_s), 45);
        QVERIFY(broker->declareQueue(queueConfig(u"q"_s)));
        const QList<Delivery> all = receiveAll(*broker, u"q"_s, 100);
        QCOMPARE(all.size(), 45);
        QCOMPARE(textOf(all.first()), u"5"_s);
        QCOMPARE(all.first().message.deliveryCount, 2); // delivered once before the restart
        QCOMPARE(textOf(all.last()), u"49"_s);
    }

    void atMostOnceIsGoneOnDelivery()
    {
        QString path;
        {
            auto broker = openBroker();
            path = m_path;
            QueueConfig c = queueConfig(u"q"_s);
            c.deliveryMode = DeliveryMode::AtMostOnce;
            QVERIFY(broker->declareQueue(c));
            QVERIFY(broker->publish(u"q"_s, message(u"a"_s)));
            QVERIFY(broker->publish(u"q"_s, message(u"b"_s)));
            auto got = broker->receive(u"q"_s, take(1));
            QVERIFY(got);
            QCOMPARE(got->size(), 1);
            QVERIFY(got->first().receiptHandle.isEmpty());
        }
        auto broker = openBroker(path);
        QueueConfig c = queueConfig(u"q"_s);
        c.deliveryMode = DeliveryMode::AtMostOnce;
        QVERIFY(broker->declareQueue(c));
        QCOMPARE(texts(receiveAll(*broker, u"q"_s)), QStringList{u"b"_s});
    }

    void nackRequeuesThenDeadLetters()
    {
        auto broker = openBroker();
        QueueConfig c = queueConfig(u"work"_s);
        c.maxDeliveryAttempts = 3;
        c.deadLetterQueue = u"dlq"_s;
        QVERIFY(broker->declareQueue(queueConfig(u"dlq"_s, QueueType::DeadLetter)));
        QVERIFY(broker->declareQueue(c));
        Message m = message(u"poison"_s);
        m.topic = u"orders.created"_s;
        QVERIFY(broker->publish(u"work"_s, m));
        for (int attempt = 1; attempt <= 3; ++attempt) {
            auto got = broker->receive(u"work"_s, take(1));
            QVERIFY(got);
            QCOMPARE(got->size(), 1);
            QCOMPARE(got->first().message.deliveryCount, attempt);
            auto nacked = broker->nack(u"work"_s, handles(*got));
            QVERIFY(nacked);
            QCOMPARE(nacked->settled, 1);
        }
        QCOMPARE(receiveAll(*broker, u"work"_s).size(), 0);
        const QList<Delivery> dead = receiveAll(*broker, u"dlq"_s);
        QCOMPARE(dead.size(), 1);
        QCOMPARE(dead.first().message.dlqReason, DeadLetterReason::MaxRetriesExceeded);
        QCOMPARE(dead.first().message.originalQueue, u"work"_s);
        QCOMPARE(dead.first().message.originalTopic, u"orders.created"_s);
        QCOMPARE(dead.first().message.toValue()[u"dlq_reason"].toString(), u"max_retries_exceeded"_s);
        QCOMPARE(broker->counters().deadLettered, 1u);
    }

    void nackWithDelay()
    {
        auto broker = openBroker();
        QVERIFY(broker->declareQueue(queueConfig(u"q"_s)));
        QVERIFY(broker->publish(u"q"_s, message(u"later"_s)));
        auto got = broker->receive(u"q"_s, take(1));
        QVERIFY(broker->nack(u"q"_s, handles(*got), NackOptions{true, 300}));
        QCOMPARE(receiveAll(*broker, u"q"_s).size(), 0);
        QCOMPARE(broker->stats()->first().delayed, 1);
        ReceiveOptions wait = take(1);
        wait.waitMs = 3000;
        QElapsedTimer timer;
        timer.start();
        got = broker->receive(u"q"_s, wait);
        QVERIFY(got);
        QCOMPARE(texts(*got), QStringList{u"later"_s});
        QVERIFY(timer.elapsed() >= 250);
    }

    void leaseExpiryRedelivers()
    {
        auto broker = openBroker();
        QueueConfig c = queueConfig(u"q"_s);
        c.maxDeliveryAttempts = 2;
        c.deadLetterQueue = u"dlq"_s;
        QVERIFY(broker->declareQueue(queueConfig(u"dlq"_s, QueueType::DeadLetter)));
        QVERIFY(broker->declareQueue(c));
        QVERIFY(broker->publish(u"q"_s, message(u"x"_s)));
        auto first = broker->receive(u"q"_s, take(1, 150, u"crashy"_s));
        QCOMPARE(first->size(), 1);
        // The consumer "dies": nothing acks. After the lease the message comes back.
        ReceiveOptions wait = take(1, 150, u"other"_s);
        wait.waitMs = 3000;
        auto second = broker->receive(u"q"_s, wait);
        QVERIFY(second);
        QCOMPARE(second->size(), 1);
        QCOMPARE(second->first().message.deliveryCount, 2);
        // The first consumer's handle is stale now.
        auto late = broker->ack(u"q"_s, handles(*first));
        QCOMPARE(late->settled, 0);
        // Second lease ends too: two deliveries were the limit.
        wait.waitMs = 3000;
        auto dead = broker->receive(u"dlq"_s, wait);
        QVERIFY(dead);
        QCOMPARE(dead->size(), 1);
        QCOMPARE(dead->first().message.dlqReason, DeadLetterReason::MaxRetriesExceeded);
    }

    void releaseConsumerRedeliversAtOnce()
    {
        auto broker = openBroker();
        QVERIFY(broker->declareQueue(queueConfig(u"q"_s)));
        for (int i = 0; i < 3; ++i)
            QVERIFY(broker->publish(u"q"_s, message(QString::number(i))));
        auto held = broker->receive(u"q"_s, take(2, 60000, u"dead-consumer"_s));
        QCOMPARE(held->size(), 2);
        auto released = broker->releaseConsumer(u"q"_s, u"dead-consumer"_s);
        QVERIFY(released);
        QCOMPARE(*released, 2);
        QCOMPARE(texts(receiveAll(*broker, u"q"_s)), (QStringList{u"0"_s, u"1"_s, u"2"_s}));
    }

    void rejectDeadLetters()
    {
        auto broker = openBroker();
        QueueConfig c = queueConfig(u"q"_s);
        c.deadLetterQueue = u"dlq"_s;
        QVERIFY(broker->declareQueue(c));
        QVERIFY(broker->declareQueue(queueConfig(u"dlq"_s, QueueType::DeadLetter)));
        QVERIFY(broker->publish(u"q"_s, message(u"bad"_s)));
        auto got = broker->receive(u"q"_s, take(1));
        QVERIFY(broker->reject(u"q"_s, handles(*got)));
        const QList<Delivery> dead = receiveAll(*broker, u"dlq"_s);
        QCOMPARE(dead.size(), 1);
        QCOMPARE(dead.first().message.dlqReason, DeadLetterReason::Rejected);
        QCOMPARE(dead.first().message.originalQueue, u"q"_s);
        QCOMPARE(dead.first().message.deliveryCount, 1);
    }

    void ttlExpiresToDeadLetters()
    {
        auto broker = openBroker();
        QueueConfig c = queueConfig(u"q"_s);
        c.deadLetterQueue = u"dlq"_s;
        c.ttlMs = 60000;
        QVERIFY(broker->declareQueue(c));
        QVERIFY(broker->declareQueue(queueConfig(u"dlq"_s, QueueType::DeadLetter)));
        Message shortLived = message(u"short"_s);
        shortLived.ttlMs = 100;
        QVERIFY(broker->publish(u"q"_s, shortLived));
        QVERIFY(broker->publish(u"q"_s, message(u"long"_s)));
        ReceiveOptions wait = take(10);
        wait.waitMs = 3000;
        auto dead = broker->receive(u"dlq"_s, wait);
        QVERIFY(dead);
        QCOMPARE(texts(*dead), QStringList{u"short"_s});
        QCOMPARE(dead->first().message.dlqReason, DeadLetterReason::Expired);
        QCOMPARE(texts(receiveAll(*broker, u"q"_s)), QStringList{u"long"_s});
    }

    void priorityOrder()
    {
        auto broker = openBroker();
        QVERIFY(broker->declareQueue(queueConfig(u"p"_s, QueueType::Priority)));
        QVERIFY(broker->publish(u"p"_s, message(u"low"_s, Priority::Low)));
        QVERIFY(broker->publish(u"p"_s, message(u"normal1"_s, Priority::Normal)));
        QVERIFY(broker->publish(u"p"_s, message(u"critical"_s, Priority::Critical)));
        QVERIFY(broker->publish(u"p"_s, message(u"normal2"_s, Priority::Normal)));
        QVERIFY(broker->publish(u"p"_s, message(u"high"_s, Priority::High)));
        QCOMPARE(texts(receiveAll(*broker, u"p"_s)),
                 (QStringList{u"critical"_s, u"high"_s, u"normal1"_s, u"normal2"_s, u"low"_s}));
        // A standard queue ignores priorities.
        QVERIFY(broker->declareQueue(queueConfig(u"s"_s)));
        QVERIFY(broker->publish(u"s"_s, message(u"a"_s, Priority::Low)));
        QVERIFY(broker->publish(u"s"_s, message(u"b"_s, Priority::Critical)));
        QCOMPARE(texts(receiveAll(*broker, u"s"_s)), (QStringList{u"a"_s, u"b"_s}));
    }

    void fifoGroups()
    {
        auto broker = openBroker();
        QVERIFY(broker->declareQueue(queueConfig(u"f"_s, QueueType::Fifo)));
        for (int i = 1; i <= 3; ++i) {
            QVERIFY(broker->publish(u"f"_s, message(u"a"_s + QString::number(i), Priority::Normal, u"A"_s)));
            QVERIFY(broker->publish(u"f"_s, message(u"b"_s + QString::number(i), Priority::Normal, u"B"_s)));
        }
        // One in flight per group: two groups, two messages, each its group's first.
        auto got = broker->receive(u"f"_s, take(10));
        QCOMPARE(texts(*got), (QStringList{u"a1"_s, u"b1"_s}));
        QCOMPARE(receiveAll(*broker, u"f"_s).size(), 0);
        // A stuck group (A, never acked) does not block B.
        const Delivery a1 = got->at(0);
        QVERIFY(broker->ack(u"f"_s, {got->at(1).receiptHandle}));
        auto b = broker->receive(u"f"_s, take(10));
        QCOMPARE(texts(*b), QStringList{u"b2"_s});
        QVERIFY(broker->ack(u"f"_s, handles(*b)));
        // A nacked message comes back first in its group.
        QVERIFY(broker->nack(u"f"_s, {a1.receiptHandle}));
        auto again = broker->receive(u"f"_s, take(10));
        QCOMPARE(texts(*again), (QStringList{u"a1"_s, u"b3"_s}));
        QCOMPARE(again->first().message.deliveryCount, 2);
    }

    void fifoOrderAcrossRestart()
    {
        QString path;
        {
            auto broker = openBroker();
            path = m_path;
            QVERIFY(broker->declareQueue(queueConfig(u"f"_s, QueueType::Fifo)));
            for (int i = 1; i <= 5; ++i)
                QVERIFY(broker->publish(u"f"_s, message(QString::number(i), Priority::Normal, u"G"_s)));
            auto got = broker->receive(u"f"_s, take(1));
            QCOMPARE(texts(*got), QStringList{u"1"_s});
            QVERIFY(broker->ack(u"f"_s, handles(*got)));
            got = broker->receive(u"f"_s, take(1)); // "2" leased when the process stops
            QCOMPARE(texts(*got), QStringList{u"2"_s});
        }
        auto broker = openBroker(path);
        QVERIFY(broker->declareQueue(queueConfig(u"f"_s, QueueType::Fifo)));
        QStringList order;
        for (;;) {
            auto got = broker->receive(u"f"_s, take(5));
            if (got->isEmpty())
                break;
            QCOMPARE(got->size(), 1);
            order += texts(*got);
            QVERIFY(broker->ack(u"f"_s, handles(*got)));
        }
        QCOMPARE(order, (QStringList{u"2"_s, u"3"_s, u"4"_s, u"5"_s}));
    }

    void delayedSurvivesRestart()
    {
        QString path;
        const qint64 due = QDateTime::currentMSecsSinceEpoch() + 600;
        {
            auto broker = openBroker();
            path = m_path;
            QVERIFY(broker->declareQueue(queueConfig(u"d"_s, QueueType::Delayed)));
            Message m = message(u"later"_s);
            m.deliverAtMs = due;
            QVERIFY(broker->publish(u"d"_s, m));
            QVERIFY(broker->publish(u"d"_s, message(u"now"_s)));
            QCOMPARE(texts(receiveAll(*broker, u"d"_s)), QStringList{u"now"_s});
        }
        auto broker = openBroker(path);
        QVERIFY(broker->declareQueue(queueConfig(u"d"_s, QueueType::Delayed)));
        // The acked-less "now" is back too; "later" waits for its time.
        auto early = receiveAll(*broker, u"d"_s);
        QCOMPARE(texts(early), QStringList{u"now"_s});
        ReceiveOptions wait = take(1);
        wait.waitMs = 5000;
        auto got = broker->receive(u"d"_s, wait);
        QVERIFY(got);
        QCOMPARE(texts(*got), QStringList{u"later"_s});
        QVERIFY(QDateTime::currentMSecsSinceEpoch() >= due);
    }

    void overflowPolicies()
    {
        auto broker = openBroker();
        QueueConfig reject = queueConfig(u"r"_s);
        reject.maxSize = 2;
        QVERIFY(broker->declareQueue(reject));
        QVERIFY(broker->publish(u"r"_s, message(u"1"_s)));
        QVERIFY(broker->publish(u"r"_s, message(u"2"_s)));
        auto full = broker->publish(u"r"_s, message(u"3"_s));
        QVERIFY(!full);
        QCOMPARE(full.error().code, u"broker_queue_full"_s);
        QVERIFY(full.error().message.contains(u"\"r\""_s));

        QueueConfig drop = queueConfig(u"d"_s);
        drop.maxSize = 2;
        drop.overflow = OverflowPolicy::DropOldest;
        drop.deadLetterQueue = u"dlq"_s;
        QVERIFY(broker->declareQueue(drop));
        QVERIFY(broker->declareQueue(queueConfig(u"dlq"_s, QueueType::DeadLetter)));
        for (const QString &t : {u"1"_s, u"2"_s, u"3"_s})
            QVERIFY(broker->publish(u"d"_s, message(t)));
        QCOMPARE(texts(receiveAll(*broker, u"d"_s)), (QStringList{u"2"_s, u"3"_s}));
        const QList<Delivery> dead = receiveAll(*broker, u"dlq"_s);
        QCOMPARE(texts(dead), QStringList{u"1"_s});
        QCOMPARE(dead.first().message.dlqReason, DeadLetterReason::Overflow);
    }

    void deadLettersReachWaitingConsumers()
    {
        // A consumer long-polls the dead-letter queue; an overflow dead-letters a message
        // while a publish is being prepared. The consumer gets it at once.
        auto broker = openBroker();
        QueueConfig drop = queueConfig(u"d"_s);
        drop.maxSize = 1;
        drop.overflow = OverflowPolicy::DropOldest;
        drop.deadLetterQueue = u"dlq"_s;
        QVERIFY(broker->declareQueue(queueConfig(u"dlq"_s, QueueType::DeadLetter)));
        QVERIFY(broker->declareQueue(drop));
        QVERIFY(broker->publish(u"d"_s, message(u"old"_s)));
        Result<QList<Delivery>> got = Error();
        QElapsedTimer timer;
        timer.start();
        std::thread consumer([&] {
            ReceiveOptions wait = take(1);
            wait.waitMs = 8000;
            got = broker->receive(u"dlq"_s, wait);
        });
        QTRY_COMPARE(broker->stats()->at(1).name, u"dlq"_s); // let the consumer start waiting
        QThread::msleep(100);
        QVERIFY(broker->publish(u"d"_s, message(u"new"_s)));
        consumer.join();
        QVERIFY(got);
        QCOMPARE(texts(*got), QStringList{u"old"_s});
        QCOMPARE(got->first().message.dlqReason, DeadLetterReason::Overflow);
        QVERIFY2(timer.elapsed() < 6000, "the waiting consumer was not answered by the dead-lettering");
    }

    void exactlyOnceDedup()
    {
        QString path;
        {
            auto broker = openBroker();
            path = m_path;
            QueueConfig c = queueConfig(u"x"_s);
            c.deliveryMode = DeliveryMode::ExactlyOnce;
            QVERIFY(broker->declareQueue(c));
            Message m = message(u"pay"_s);
            m.messageId = u"invoice-42"_s;
            auto first = broker->publish(u"x"_s, m);
            QVERIFY(first);
            QVERIFY(!first->duplicate);
            auto again = broker->publish(u"x"_s, m);
            QVERIFY(again);
            QVERIFY(again->duplicate);
            auto got = broker->receive(u"x"_s, take(10));
            QCOMPARE(got->size(), 1);
            QVERIFY(broker->ack(u"x"_s, handles(*got), AckOptions{u"billing"_s}));
            // Consumed, and still a duplicate within the window.
            QVERIFY(broker->publish(u"x"_s, m)->duplicate);
            QVERIFY(*broker->processed(u"x"_s, u"billing"_s, u"invoice-42"_s));
            QVERIFY(!*broker->processed(u"x"_s, u"other"_s, u"invoice-42"_s));
        }
        auto broker = openBroker(path);
        QueueConfig c = queueConfig(u"x"_s);
        c.deliveryMode = DeliveryMode::ExactlyOnce;
        QVERIFY(broker->declareQueue(c));
        Message m = message(u"pay"_s);
        m.messageId = u"invoice-42"_s;
        QVERIFY(broker->publish(u"x"_s, m)->duplicate);
        QVERIFY(*broker->processed(u"x"_s, u"billing"_s, u"invoice-42"_s));
        QCOMPARE(receiveAll(*broker, u"x"_s).size(), 0);
        // Outside the window the id is new again.
        c.dedupWindowMs = 1;
        QVERIFY(broker->declareQueue(c));
        m.messageId = u"invoice-43"_s;
        QVERIFY(!broker->publish(u"x"_s, m)->duplicate);
        QTest::qWait(5);
        QVERIFY(!broker->publish(u"x"_s, m)->duplicate);
    }

    void topicsWithWildcards()
    {
        auto broker = openBroker();
        QueueConfig all = queueConfig(u"all"_s);
        all.topics = {u"orders.#"_s};
        QueueConfig created = queueConfig(u"created"_s);
        created.topics = {u"*.created"_s};
        QVERIFY(broker->declareQueue(all));
        QVERIFY(broker->declareQueue(created));
        Message m = message(u"o1"_s);
        m.topic = u"orders.created"_s;
        auto receipt = broker->publishToTopic(m);
        QVERIFY(receipt);
        QCOMPARE(receipt->queues, (QStringList{u"all"_s, u"created"_s}));
        m.topic = u"orders.updated.eu"_s;
        QCOMPARE(broker->publishToTopic(m)->queues, QStringList{u"all"_s});
        m.topic = u"invoices.paid"_s;
        auto none = broker->publishToTopic(m);
        QVERIFY(!none);
        QCOMPARE(none.error().code, u"broker_no_route"_s);
        m.topic = u"orders.*"_s;
        QCOMPARE(broker->publishToTopic(m).error().code, u"broker_invalid_message"_s);
        QCOMPARE(receiveAll(*broker, u"all"_s).size(), 2);
        QCOMPARE(receiveAll(*broker, u"created"_s).size(), 1);
    }

    void longPollWakesOnPublish()
    {
        auto broker = openBroker();
        QVERIFY(broker->declareQueue(queueConfig(u"q"_s)));
        std::thread publisher([&] {
            QThread::msleep(150);
            (void)broker->publish(u"q"_s, message(u"hello"_s));
        });
        ReceiveOptions wait = take(5);
        wait.waitMs = 5000;
        QElapsedTimer timer;
        timer.start();
        auto got = broker->receive(u"q"_s, wait);
        publisher.join();
        QVERIFY(got);
        QCOMPARE(texts(*got), QStringList{u"hello"_s});
        QVERIFY(timer.elapsed() < 4000);
        // Nothing comes: an empty answer after the wait.
        wait.waitMs = 200;
        timer.restart();
        got = broker->receive(u"q"_s, wait);
        QVERIFY(got);
        QVERIFY(got->isEmpty());
        QVERIFY(timer.elapsed() >= 150);
    }

    void competingConsumersShareWork()
    {
        auto broker = openBroker();
        QVERIFY(broker->declareQueue(queueConfig(u"q"_s)));
        QList<Message> batch;
        for (int i = 0; i < 2000; ++i)
            batch.append(message(QString::number(i)));
        auto published = broker->publishBatch(u"q"_s, batch);
        QVERIFY(published);
        QCOMPARE(published->size(), 2000);
        std::atomic<int> total{0};
        QSet<QString> seen[3];
        std::vector<std::thread> consumers;
        for (int c = 0; c < 3; ++c) {
            consumers.emplace_back([&, c] {
                for (;;) {
                    auto got = broker->receive(u"q"_s, take(50, 0, u"c"_s + QString::number(c)));
                    if (!got || got->isEmpty())
                        break;
                    for (const Delivery &d : *got)
                        seen[c].insert(textOf(d));
                    total += int(got->size());
                    (void)broker->ack(u"q"_s, handles(*got));
                }
            });
        }
        for (auto &t : consumers)
            t.join();
        QCOMPARE(total.load(), 2000);
        QSet<QString> all = seen[0];
        all.unite(seen[1]).unite(seen[2]);
        QCOMPARE(all.size(), 2000);
        QCOMPARE(broker->stats()->first().acked, 2000u);
    }

    void browseReplayPurge()
    {
        auto broker = openBroker();
        QueueConfig c = queueConfig(u"q"_s);
        c.deadLetterQueue = u"dlq"_s;
        QVERIFY(broker->declareQueue(c));
        QVERIFY(broker->declareQueue(queueConfig(u"dlq"_s, QueueType::DeadLetter)));
        for (const QString &t : {u"a"_s, u"b"_s, u"c"_s})
            QVERIFY(broker->publish(u"q"_s, message(t)));
        auto browsed = broker->browse(u"q"_s, 1, 10);
        QVERIFY(browsed);
        QCOMPARE(browsed->size(), 2);
        QCOMPARE(browsed->first().payload[u"text"].toString(), u"b"_s);
        auto got = broker->receive(u"q"_s, take(2));
        QVERIFY(broker->reject(u"q"_s, handles(*got)));
        auto stats = broker->stats();
        const auto q = std::find_if(stats->begin(), stats->end(), [](const QueueStats &s) { return s.name == u"q"_s; });
        QCOMPARE(q->deadLetterDepth, 2);
        QCOMPARE(q->depth, 1);
        QVERIFY(q->oldestAgeMs >= 0);
        QCOMPARE(q->consumerLag, 1);
        const QString firstId = got->first().message.messageId;
        auto replayed = broker->replay(u"dlq"_s, {firstId});
        QVERIFY(replayed);
        QCOMPARE(*replayed, 1);
        replayed = broker->replay(u"dlq"_s);
        QCOMPARE(*replayed, 1);
        auto back = receiveAll(*broker, u"q"_s);
        QCOMPARE(texts(back), (QStringList{u"a"_s, u"b"_s, u"c"_s}));
        QCOMPARE(back.first().message.dlqReason, DeadLetterReason::None);
        QCOMPARE(back.first().message.deliveryCount, 1);
        QVERIFY(broker->nack(u"q"_s, handles(back)));
        auto purged = broker->purge(u"q"_s);
        QVERIFY(purged);
        QCOMPARE(*purged, 3);
        QCOMPARE(receiveAll(*broker, u"q"_s).size(), 0);
    }

    void badInput_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("field");
        QTest::addRow("not an object") << u"[1]"_s << u"/"_s;
        QTest::addRow("no payload") << u"{\"topic\": \"a\"}"_s << u"/payload"_s;
        QTest::addRow("unknown field") << u"{\"payload\": 1, \"prio\": 1}"_s << u"/prio"_s;
        QTest::addRow("bad priority") << u"{\"payload\": 1, \"priority\": \"URGENT\"}"_s << u"/priority"_s;
        QTest::addRow("bad mode") << u"{\"payload\": 1, \"delivery_mode\": \"twice\"}"_s << u"/delivery_mode"_s;
        QTest::addRow("negative delay") << u"{\"payload\": 1, \"delay_seconds\": -1}"_s << u"/delay_seconds"_s;
        QTest::addRow("bad deliver_at") << u"{\"payload\": 1, \"deliver_at\": \"soon\"}"_s << u"/deliver_at"_s;
        QTest::addRow("zero ttl") << u"{\"payload\": 1, \"ttl\": 0}"_s << u"/ttl"_s;
        QTest::addRow("headers not object") << u"{\"payload\": 1, \"headers\": [1]}"_s << u"/headers"_s;
        QTest::addRow("id not string") << u"{\"payload\": 1, \"message_id\": 7}"_s << u"/message_id"_s;
    }

    void badInput()
    {
        QFETCH(QString, json);
        QFETCH(QString, field);
        auto value = Data::Json::parse(json.toUtf8());
        QVERIFY(value);
        auto m = Message::fromValue(*value, 0);
        QVERIFY(!m);
        QCOMPARE(m.error().code, u"broker_invalid_message"_s);
        QCOMPARE(m.error().details, QStringList{field});
    }

    void messageFromValue()
    {
        auto value = Data::Json::parse(R"j({"message_id": "m1", "topic": "orders.created", "payload": {"a": 1},
            "headers": {"h": "v"}, "priority": "high", "delivery_mode": "exactly_once",
            "correlation_id": "c", "group_id": "g", "delay_seconds": 2.5, "ttl": 60})j");
        QVERIFY(value);
        auto m = Message::fromValue(*value, 1000);
        QVERIFY(m);
        QCOMPARE(m->messageId, u"m1"_s);
        QCOMPARE(m->priority, Priority::High);
        QCOMPARE(*m->deliveryMode, DeliveryMode::ExactlyOnce);
        QCOMPARE(m->deliverAtMs, 3500);
        QCOMPARE(m->ttlMs, 60000);
        QCOMPARE(m->groupId, u"g"_s);
        QCOMPARE(m->payload[u"a"].toDouble(), 1.0);
    }

    void errorsLeaveTheBrokerServing()
    {
        EmbeddedBroker::Options o;
        o.maxPayloadBytes = 100;
        auto broker = openBroker({}, o);
        QVERIFY(broker->declareQueue(queueConfig(u"q"_s)));
        auto unknown = broker->publish(u"nope"_s, message(u"x"_s));
        QCOMPARE(unknown.error().code, u"broker_unknown_queue"_s);
        Message big = message(QString(200, u'x'));
        auto tooLarge = broker->publish(u"q"_s, big);
        QCOMPARE(tooLarge.error().code, u"broker_message_too_large"_s);
        QCOMPARE(broker->receive(u"nope"_s, take(1)).error().code, u"broker_unknown_queue"_s);
        QueueConfig bad = queueConfig(u"b"_s);
        bad.topics = {u"orders..x"_s};
        QCOMPARE(broker->declareQueue(bad).error().code, u"broker_invalid_queue"_s);
        bad = queueConfig(u"b"_s);
        bad.deadLetterQueue = u"b"_s;
        QCOMPARE(broker->declareQueue(bad).error().code, u"broker_invalid_queue"_s);
        // A batch with one bad message stores none of it.
        QList<Message> batch{message(u"ok"_s), big};
        auto partial = broker->publishBatch(u"q"_s, batch);
        QVERIFY(!partial);
        QVERIFY(broker->publish(u"q"_s, message(u"fine"_s)));
        QCOMPARE(texts(receiveAll(*broker, u"q"_s)), QStringList{u"fine"_s});
    }

    void fullDiskFailsWithoutConfirm()
    {
        EmbeddedBroker::Options o;
        o.maxDatabaseBytes = 256 * 1024;
        auto broker = openBroker({}, o);
        QVERIFY(broker);
        QVERIFY(broker->declareQueue(queueConfig(u"q"_s)));
        const QString filler(2000, u'f');
        int confirmed = 0;
        Result<PublishReceipt> last = Error();
        for (int i = 0; i < 1000; ++i) {
            last = broker->publish(u"q"_s, message(filler + QString::number(i)));
            if (!last)
                break;
            ++confirmed;
        }
        QVERIFY(!last);
        QCOMPARE(last.error().code, u"broker_store_failed"_s);
        QVERIFY2(last.error().toString().contains(u"full"_s), qPrintable(last.error().toString()));
        QVERIFY(confirmed > 10);
        // Everything confirmed is there; nothing unconfirmed is.
        const QString path = m_path;
        QList<Delivery> all = receiveAll(*broker, u"q"_s, 10000);
        QCOMPARE(all.size(), confirmed);
        // Acking frees room; the broker keeps serving.
        QVERIFY(broker->ack(u"q"_s, handles(all)));
        QVERIFY(broker->publish(u"q"_s, message(u"after"_s)));
        broker.reset();
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
        sqlite3_stmt *s = nullptr;
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr);
        QCOMPARE(sqlite3_step(s), SQLITE_ROW);
        QCOMPARE(QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(s, 0))), u"ok"_s);
        sqlite3_finalize(s);
        sqlite3_close(db);
    }

    void busyDatabaseFailsWithoutConfirm()
    {
        EmbeddedBroker::Options o;
        o.busyTimeoutMs = 200;
        auto broker = openBroker({}, o);
        QVERIFY(broker->declareQueue(queueConfig(u"q"_s)));
        QVERIFY(broker->publish(u"q"_s, message(u"before"_s)));
        // Another process holds the write lock.
        sqlite3 *other = nullptr;
        QCOMPARE(sqlite3_open(m_path.toUtf8().constData(), &other), SQLITE_OK);
        sqlite3_busy_timeout(other, 5000);
        QCOMPARE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
        auto blocked = broker->publish(u"q"_s, message(u"blocked"_s));
        QVERIFY(!blocked);
        QCOMPARE(blocked.error().code, u"broker_store_failed"_s);
        QVERIFY2(blocked.error().toString().contains(u"locked"_s), qPrintable(blocked.error().toString()));
        sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(other);
        QVERIFY(broker->publish(u"q"_s, message(u"after"_s)));
        QCOMPARE(texts(receiveAll(*broker, u"q"_s)), (QStringList{u"before"_s, u"after"_s}));
    }

    void closedBrokerRefuses()
    {
        auto broker = openBroker();
        QVERIFY(broker->declareQueue(queueConfig(u"q"_s)));
        std::thread closer([&] {
            QThread::msleep(100);
            broker->close();
        });
        ReceiveOptions wait = take(1);
        wait.waitMs = 10000;
        auto got = broker->receive(u"q"_s, wait);
        closer.join();
        QVERIFY(!got);
        QCOMPARE(got.error().code, u"broker_closed"_s);
        QCOMPARE(broker->publish(u"q"_s, message(u"x"_s)).error().code, u"broker_closed"_s);
    }
};

QTEST_GUILESS_MAIN(TestEmbeddedBroker)
#include "tst_embeddedbroker.moc"
