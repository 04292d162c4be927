// The process tst_brokercrash kills with SIGKILL at random moments. It publishes to and
// consumes from an EmbeddedBroker with several threads and appends to a journal what the
// checker needs to know, one tab-separated line per event:
//   R run pid                               the broker is open and the queues declared
//   S queue id group seq due batch retry    before a publish is called (group "-" if none)
//   P queue id dup                          after the publish was confirmed
//   D queue id count now receive            a receive handed the message out
//   K queue id                              before an ack is called
//   A queue id                              after the ack returned (or, pipelined,
//                                           reported its commit to its callback)
//   E text                                  the broker did what it must never do
// Every line is one write(2) on an O_APPEND descriptor: it reaches the kernel before the
// next broker call, so a SIGKILL loses only lines not yet written, never half a line, and
// the lines of one thread keep their order. No fsync: the test kills processes, it does
// not cut the power. What the checker relies on is that order: S before the publish, D
// before K, K before the ack (see the invariants in tst_brokercrash.cpp).
//
// Usage: broker_crash_child mixed|poison <database> <journal> <run> <state file>
// The state file, written by the test, says what a run must do beyond new traffic:
//   eo-retry <id>            publish this exactly-once id again (a publisher retry)
//   fifo-next <group> <seq>  the next sequence number of a FIFO group
//   poison-publish <n>       publish n poison messages before consuming
// The child never ends on its own (after 60 s it gives up with exit code 3).

#include "broker_crash_queues.h"

#include "broker/embeddedbroker.h"

#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QRandomGenerator>

#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

using namespace Conflux;
using namespace Conflux::Broker;
using namespace Qt::StringLiterals;

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

class Journal
{
public:
    bool open(const QString &path)
    {
        m_fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        return m_fd >= 0;
    }

    void write(std::initializer_list<QByteArrayView> fields) const
    {
        QByteArray line;
        line.reserve(96);
        for (QByteArrayView field : fields) {
            if (!line.isEmpty())
                line += '\t';
            line += field;
        }
        line += '\n';
        if (::write(m_fd, line.constData(), size_t(line.size())) != line.size()) {
            std::fprintf(stderr, "broker_crash_child: cannot write the journal\n");
            _exit(4);
        }
    }

private:
    int m_fd = -1;
};

QByteArray num(qint64 n)
{
    return QByteArray::number(n);
}

// Waits for the callbacks of a window of publishAsync calls.
struct Window
{
    std::mutex mutex;
    std::condition_variable cv;
    int left = 0;

    void finished()
    {
        std::lock_guard lock(mutex);
        --left;
        cv.notify_all();
    }
    void wait()
    {
        std::unique_lock lock(mutex);
        cv.wait(lock, [this] { return left == 0; });
    }
};

struct Outgoing
{
    QByteArray id;
    QByteArray group = "-";
    qint64 seq = 0;
    qint64 due = 0;
    QByteArray batch = "-";
    bool retry = false;
};

class Child
{
public:
    Child(EmbeddedBroker &broker, Journal &journal, QByteArray run, quint32 seed)
        : m_broker(broker), m_journal(journal), m_run(std::move(run)), m_seed(seed)
    {
    }

    void fail(const QString &what) const
    {
        const QByteArray text = what.toUtf8().replace('\t', ' ').replace('\n', ' ');
        m_journal.write({"E", text});
        std::fprintf(stderr, "broker_crash_child: %s\n", text.constData());
    }

    QByteArray newId(const char *queue, int &counter) const
    {
        return QByteArray(queue) + '-' + m_run + '-' + num(++counter);
    }

    Message message(const Outgoing &out) const
    {
        Message m;
        m.messageId = QString::fromLatin1(out.id);
        m.payload = Data::Value(Data::Object{{u"run"_s, Data::Value(QString::fromLatin1(m_run))},
                                             {u"seq"_s, Data::Value(out.seq)}});
        if (out.group != "-")
            m.groupId = QString::fromLatin1(out.group);
        m.deliverAtMs = out.due;
        return m;
    }

    void started(const char *queue, const Outgoing &out) const
    {
        m_journal.write({"S", queue, out.id, out.group, num(out.seq), num(out.due), out.batch, out.retry ? "1" : "0"});
    }

    void publishBlocking(const char *queue, const Outgoing &out) const
    {
        started(queue, out);
        auto receipt = m_broker.publish(QString::fromLatin1(queue), message(out));
        if (!receipt) {
            fail(u"publish %1 to %2: %3"_s.arg(QString::fromLatin1(out.id), QString::fromLatin1(queue),
                                                receipt.error().toString()));
            return;
        }
        m_journal.write({"P", queue, out.id, receipt->duplicate ? "1" : "0"});
    }

    // publishAsync calls in order (the broker orders them as called), then waits for all.
    void publishWindow(const char *queue, const std::vector<Outgoing> &window) const
    {
        auto pending = std::make_shared<Window>();
        pending->left = int(window.size());
        for (const Outgoing &out : window) {
            started(queue, out);
            m_broker.publishAsync(QString::fromLatin1(queue), message(out),
                                  [this, pending, queue, id = out.id](Result<PublishReceipt> receipt) {
                                      if (receipt)
                                          m_journal.write({"P", queue, id, receipt->duplicate ? "1" : "0"});
                                      else
                                          fail(u"async publish %1: %2"_s.arg(QString::fromLatin1(id),
                                                                              receipt.error().toString()));
                                      pending->finished();
                                  });
        }
        pending->wait();
    }

    void publishBatch(const char *queue, const std::vector<Outgoing> &batch) const
    {
        QList<Message> messages;
        for (const Outgoing &out : batch) {
            started(queue, out);
            messages.append(message(out));
        }
        auto receipts = m_broker.publishBatch(QString::fromLatin1(queue), messages);
        if (!receipts) {
            fail(u"batch %1: %2"_s.arg(QString::fromLatin1(batch.front().batch), receipts.error().toString()));
            return;
        }
        for (const Outgoing &out : batch)
            m_journal.write({"P", queue, out.id, "0"});
    }

    // Keeps the backlog (and so the database and the checks) small.
    void throttle(const char *queue) const
    {
        for (int i = 0; i < 100; ++i) {
            auto stats = m_broker.stats();
            if (!stats)
                return;
            qint64 backlog = 0;
            for (const QueueStats &s : *stats) {
                if (s.name == QLatin1StringView(queue))
                    backlog = s.consumerLag;
            }
            if (backlog < 400)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }

    void aloPublisher() const
    {
        QRandomGenerator rng(m_seed + 1);
        int counter = 0, batches = 0;
        for (;;) {
            throttle("alo");
            switch (rng.bounded(3)) {
            case 0:
                publishBlocking("alo", {newId("alo", counter)});
                break;
            case 1: {
                std::vector<Outgoing> window(size_t(1 + rng.bounded(8)));
                for (Outgoing &out : window)
                    out.id = newId("alo", counter);
                publishWindow("alo", window);
                break;
            }
            default: {
                // All or none: the checker finds every member stored, or none of them.
                std::vector<Outgoing> batch(size_t(2 + rng.bounded(5)));
                const QByteArray tag = "b" + m_run + '-' + num(++batches);
                for (Outgoing &out : batch) {
                    out.id = newId("alo", counter);
                    out.batch = tag;
                }
                publishBatch("alo", batch);
            }
            }
        }
    }

    void eoPublisher(const QList<QByteArray> &retries) const
    {
        // A publisher that does not know whether its last publishes were stored sends them
        // again; the dedup records make that harmless.
        for (const QByteArray &id : retries) {
            Outgoing out{id};
            out.retry = true;
            publishBlocking("eo", out);
        }
        QRandomGenerator rng(m_seed + 2);
        int counter = 0;
        for (;;) {
            throttle("eo");
            if (rng.bounded(2) == 0) {
                publishBlocking("eo", {newId("eo", counter)});
            } else {
                std::vector<Outgoing> window(size_t(1 + rng.bounded(6)));
                for (Outgoing &out : window)
                    out.id = newId("eo", counter);
                publishWindow("eo", window);
            }
        }
    }

    void fifoPublisher(QHash<QByteArray, qint64> next) const
    {
        QRandomGenerator rng(m_seed + 3);
        int counter = 0;
        for (;;) {
            throttle("fifo");
            std::vector<Outgoing> window(size_t(1 + rng.bounded(8)));
            for (Outgoing &out : window) {
                out.id = newId("fifo", counter);
                out.group = "g" + num(rng.bounded(CrashTest::fifoGroups));
                out.seq = next.value(out.group, 1);
                next.insert(out.group, out.seq + 1);
            }
            publishWindow("fifo", window);
        }
    }

    void delayedPublisher() const
    {
        QRandomGenerator rng(m_seed + 4);
        int counter = 0;
        for (;;) {
            throttle("delayed");
            Outgoing out{newId("delayed", counter)};
            out.due = nowMs() + 100 + rng.bounded(500);
            publishBlocking("delayed", out);
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }

    // Receives, journals, sometimes nacks one (it comes back with a higher count), acks the
    // rest: waiting for the ack, or (pipelined) receiving on while it commits.
    void consumer(const char *queue, const char *name, int maxMessages, const QString &ackGroup, bool nackSome,
                  bool pipelined = false) const
    {
        QRandomGenerator rng(m_seed + uint(qHash(QByteArrayView(name))));
        const QString queueName = QString::fromLatin1(queue);
        ReceiveOptions options;
        options.maxMessages = maxMessages;
        options.waitMs = 20;
        options.consumerId = QString::fromLatin1(name);
        qint64 receives = 0;
        for (;;) {
            auto got = m_broker.receive(queueName, options);
            if (!got) {
                fail(u"receive from %1: %2"_s.arg(queueName, got.error().toString()));
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
                continue;
            }
            if (got->isEmpty())
                continue;
            const QByteArray receive = QByteArray(name) + '-' + num(++receives);
            const QByteArray now = num(nowMs());
            QStringList handles;
            QList<QByteArray> ids;
            for (const Delivery &d : std::as_const(*got)) {
                const QByteArray id = d.message.messageId.toLatin1();
                m_journal.write({"D", queue, id, num(d.message.deliveryCount), now, receive});
                if (!ackGroup.isEmpty()) {
                    // An exactly-once consumer skips what its group already processed; the
                    // broker must never hand such a message out again.
                    auto done = m_broker.processed(queueName, ackGroup, d.message.messageId);
                    if (!done || *done)
                        fail(u"%1 was handed out although %2 processed it"_s.arg(d.message.messageId, ackGroup));
                }
                handles.append(d.receiptHandle);
                ids.append(id);
            }
            if (nackSome && rng.bounded(16) == 0) {
                auto nacked = m_broker.nack(queueName, {handles.takeFirst()});
                ids.removeFirst();
                if (!nacked || nacked->settled != 1)
                    fail(u"nack on %1 failed"_s.arg(queueName));
            }
            if (handles.isEmpty())
                continue;
            for (const QByteArray &id : std::as_const(ids))
                m_journal.write({"K", queue, id});
            if (pipelined) {
                m_broker.ackAsync(queueName, handles, AckOptions{ackGroup},
                                  [this, queue, queueName, ids, count = handles.size()](Result<SettleResult> acked) {
                    if (!acked || acked->settled != count) {
                        fail(u"pipelined ack on %1: %2"_s.arg(
                            queueName, acked ? u"%1 unknown handles"_s.arg(acked->unknownHandles.size())
                                             : acked.error().toString()));
                        return;
                    }
                    for (const QByteArray &id : ids)
                        m_journal.write({"A", queue, id});
                });
                continue;
            }
            auto acked = m_broker.ack(queueName, handles, AckOptions{ackGroup});
            if (!acked || acked->settled != handles.size()) {
                fail(u"ack on %1: %2"_s.arg(queueName, acked ? u"%1 unknown handles"_s.arg(acked->unknownHandles.size())
                                                              : acked.error().toString()));
                continue;
            }
            for (const QByteArray &id : std::as_const(ids))
                m_journal.write({"A", queue, id});
        }
    }

    void poison(int publish) const
    {
        int counter = 0;
        for (int i = 0; i < publish; ++i)
            publishBlocking("poison", {newId("poison", counter)});
        std::printf("ready\n");
        std::fflush(stdout);
        // Takes every poison message and dies holding the leases.
        ReceiveOptions options;
        options.maxMessages = 100;
        options.consumerId = u"poison-consumer"_s;
        auto got = m_broker.receive(u"poison"_s, options);
        if (!got) {
            fail(u"receive from poison: %1"_s.arg(got.error().toString()));
            return;
        }
        const QByteArray now = num(nowMs());
        for (const Delivery &d : std::as_const(*got))
            m_journal.write({"D", "poison", d.message.messageId.toLatin1(), num(d.message.deliveryCount), now, "p"});
    }

private:
    EmbeddedBroker &m_broker;
    Journal &m_journal;
    QByteArray m_run;
    quint32 m_seed;
};

} // namespace

int main(int argc, char **argv)
{
    if (argc != 6) {
        std::fprintf(stderr, "usage: broker_crash_child mixed|poison <database> <journal> <run> <state file>\n");
        return 2;
    }
    const QByteArray scenario = argv[1];
    const QByteArray run = argv[4];
    Journal journal;
    if (!journal.open(QFile::decodeName(argv[3]))) {
        std::fprintf(stderr, "broker_crash_child: cannot open the journal %s\n", argv[3]);
        return 2;
    }
    QList<QByteArray> retries;
    QHash<QByteArray, qint64> fifoNext;
    int poisonPublish = 0;
    {
        QFile state(QFile::decodeName(argv[5]));
        if (state.open(QIODevice::ReadOnly)) {
            for (const QByteArray &line : state.readAll().split('\n')) {
                const QList<QByteArray> f = line.split('\t');
                if (f.size() == 2 && f[0] == "eo-retry")
                    retries.append(f[1]);
                else if (f.size() == 3 && f[0] == "fifo-next")
                    fifoNext.insert(f[1], f[2].toLongLong());
                else if (f.size() == 2 && f[0] == "poison-publish")
                    poisonPublish = f[1].toInt();
            }
        }
    }

    EmbeddedBroker::Options options;
    options.databasePath = QFile::decodeName(argv[2]);
    EmbeddedBroker broker(options);
    const quint32 seed = quint32(run.toUInt() * 7919u + quint32(getpid()));
    Child child(broker, journal, run, seed);
    if (auto opened = broker.open(); !opened) {
        child.fail(u"open: %1"_s.arg(opened.error().toString()));
        return 1;
    }
    const QList<QueueConfig> queues = scenario == "poison" ? CrashTest::poisonQueues() : CrashTest::mixedQueues();
    for (const QueueConfig &config : queues) {
        if (auto declared = broker.declareQueue(config); !declared) {
            child.fail(u"declare %1: %2"_s.arg(config.name, declared.error().toString()));
            return 1;
        }
    }
    journal.write({"R", run, num(getpid())});

    std::vector<std::thread> threads;
    if (scenario == "poison") {
        child.poison(poisonPublish);
    } else {
        threads.emplace_back([&] { child.aloPublisher(); });
        threads.emplace_back([&] { child.eoPublisher(retries); });
        threads.emplace_back([&] { child.fifoPublisher(fifoNext); });
        threads.emplace_back([&] { child.delayedPublisher(); });
        threads.emplace_back([&] { child.consumer("alo", "alo-1", 16, {}, true); });
        threads.emplace_back([&] { child.consumer("alo", "alo-2", 16, {}, true, true); });
        threads.emplace_back([&] { child.consumer("eo", "eo-1", 8, u"billing"_s, false); });
        // Two FIFO consumers: a group's next message must wait for the ack of the one in flight.
        threads.emplace_back([&] { child.consumer("fifo", "fifo-1", 4, {}, true); });
        threads.emplace_back([&] { child.consumer("fifo", "fifo-2", 4, {}, true); });
        threads.emplace_back([&] { child.consumer("delayed", "delayed-1", 16, {}, false); });
    }
    std::this_thread::sleep_for(std::chrono::seconds(60));
    std::fprintf(stderr, "broker_crash_child: nobody killed me\n");
    std::fflush(stderr);
    _exit(3);
}
