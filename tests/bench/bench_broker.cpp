// Conflux's side of the broker benchmark, and its raw-SQLite anchor. One mode per process,
// so that each part's peak memory (VmHWM) is its own:
//   bench_broker sqlite  N  raw SQLite: batched inserts (the physical limit of a durable
//                           publish), then batched select + delete (of a receive + ack)
//   bench_broker publish N  EmbeddedBroker::publishAsync with a window of W unconfirmed
//                           messages, counted on confirm (after commit)
//   bench_broker batch   N  EmbeddedBroker::publishBatch, B messages per call
//   bench_broker pubsub  N  a producer thread publishing (as in `publish`) while consumer
//                           threads receive up to M messages and ack them with ackAsync
//                           (pipelined, at most 4 acks pending per consumer; an ack counts
//                           once its callback reports it committed); checks that every
//                           message arrived exactly once and was acked
// Options: --dir DIR (where the databases go; default a temporary folder), --batch B,
// --window W, --consumers C, --max-messages M.
// Prints one JSON line (rates in messages/s; cpuMicrosPerMessage, the process's CPU time
// per message, steadier than rates on a shared machine; peakRssBytes = VmHWM). Exits 1 on
// any error, leaving the database in DIR for a look.
// Payloads are 200 bytes: an order-like JSON object in Conflux, its JSON text in SQLite.

#include "benchsupport.h"
#include "broker/embeddedbroker.h"
#include "data/json.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <sqlite3.h>
#include <sys/resource.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

using namespace Conflux;
using namespace Qt::StringLiterals;

namespace {

constexpr int PayloadBytes = 200;

struct Options
{
    QString mode;
    qint64 messages = 0;
    QString dir;
    int batch = 1000;
    int window = 10000;
    int consumers = 1;
    int maxMessages = 500;
};

[[noreturn]] void fail(const QString &what)
{
    std::fprintf(stderr, "bench_broker: %s\n", qPrintable(what));
    std::exit(1);
}

// CPU time of the whole process (all threads), user + system: steadier than wall time on a
// busy machine.
double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
           + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double seconds(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e9;
}

// An order-like message body whose JSON text is exactly PayloadBytes long for any `seq`:
// the note's padding shrinks as the number grows.
class PayloadFactory
{
public:
    PayloadFactory()
    {
        for (int digits = 1; digits <= 12; ++digits) {
            Data::Object probe = make(pow10(digits - 1), QString());
            const qsizetype pad = PayloadBytes - Data::Json::serialize(Data::Value(probe)).size();
            m_notes.push_back(pad > 0 ? QString(pad, u'x') : QString());
        }
    }

    Data::Value payload(qint64 seq) const
    {
        int digits = 1;
        for (qint64 n = seq; n >= 10; n /= 10)
            ++digits;
        return Data::Value(make(seq, m_notes[size_t(digits - 1)]));
    }

    // The `seq` a payload was built with, or -1.
    static qint64 seqOf(const Data::Value &payload)
    {
        return payload[u"seq"].isNumber() ? payload[u"seq"].toInt64(-1) : -1;
    }

private:
    static qint64 pow10(int e)
    {
        qint64 r = 1;
        while (e-- > 0)
            r *= 10;
        return r;
    }
    static Data::Object make(qint64 seq, const QString &note)
    {
        static const QString customer = u"ACME Industrial Supplies GmbH"_s;
        static const QString currency = u"EUR"_s;
        Data::Object o;
        o.reserve(5);
        o.append(u"seq"_s, Data::Value(seq));
        o.append(u"customer"_s, Data::Value(customer));
        o.append(u"amount"_s, Data::Value(1234.5));
        o.append(u"currency"_s, Data::Value(currency));
        o.append(u"note"_s, Data::Value(note));
        return o;
    }

    std::vector<QString> m_notes;
};

// ---------------------------------------------------------------------- raw SQLite anchor

class Sqlite
{
public:
    explicit Sqlite(const QString &path)
    {
        if (sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
            fail(u"cannot open %1: %2"_s.arg(path, QString::fromUtf8(sqlite3_errmsg(m_db))));
    }
    ~Sqlite()
    {
        for (sqlite3_stmt *s : m_statements)
            sqlite3_finalize(s);
        sqlite3_close(m_db);
    }

    void exec(const char *sql)
    {
        char *message = nullptr;
        if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
            const QString text = QString::fromUtf8(message);
            sqlite3_free(message);
            fail(u"%1: %2"_s.arg(QString::fromUtf8(sql), text));
        }
    }
    sqlite3_stmt *prepare(const char *sql)
    {
        sqlite3_stmt *s = nullptr;
        check(sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr), sql);
        m_statements.push_back(s);
        return s;
    }
    void check(int rc, const char *what)
    {
        if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
            fail(u"%1: %2"_s.arg(QString::fromUtf8(what), QString::fromUtf8(sqlite3_errmsg(m_db))));
    }

private:
    sqlite3 *m_db = nullptr;
    std::vector<sqlite3_stmt *> m_statements;
};

// Durable inserts of `messages` rows, `batch` per transaction, into a table shaped like the
// broker's; then reads them back `batch` at a time in delivery order and deletes them (an
// ack) in one transaction per batch.
int runSqlite(const Options &options, const QString &dir)
{
    Sqlite db(dir + u"/anchor.db"_s);
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=FULL");
    db.exec("PRAGMA wal_autocheckpoint=4000"); // as the broker does
    // The columns of the embedded broker's table; like the broker, no secondary index (its
    // delivery order lives in memory), so a receive reads in seq order.
    db.exec("CREATE TABLE messages ("
            " seq INTEGER PRIMARY KEY, queue TEXT NOT NULL, message_id TEXT NOT NULL,"
            " topic TEXT NOT NULL, group_id TEXT NOT NULL, correlation_id TEXT NOT NULL,"
            " priority INTEGER NOT NULL, delivery_mode INTEGER NOT NULL,"
            " payload BLOB NOT NULL, headers BLOB NOT NULL,"
            " enqueued_at INTEGER NOT NULL, deliver_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
            " delivery_count INTEGER NOT NULL, dlq_reason INTEGER NOT NULL,"
            " original_queue TEXT NOT NULL, original_topic TEXT NOT NULL)");
    sqlite3_stmt *begin = db.prepare("BEGIN IMMEDIATE");
    sqlite3_stmt *commit = db.prepare("COMMIT");
    sqlite3_stmt *insert = db.prepare(
        "INSERT INTO messages (seq, queue, message_id, topic, group_id, correlation_id, priority,"
        " delivery_mode, payload, headers, enqueued_at, deliver_at, expires_at, delivery_count,"
        " dlq_reason, original_queue, original_topic)"
        " VALUES (?1, ?2, ?3, '', '', '', 1, 1, ?4, x'', ?5, ?5, 0, 0, 0, '', '')");
    sqlite3_stmt *select = db.prepare(
        "SELECT seq, message_id, payload FROM messages"
        " WHERE seq > ?1 AND queue = ?2 AND deliver_at <= ?3 ORDER BY seq LIMIT ?4");
    sqlite3_stmt *remove = db.prepare("DELETE FROM messages WHERE seq = ?1");

    const QByteArray payload = Data::Json::serialize(PayloadFactory().payload(1));
    if (payload.size() != PayloadBytes)
        fail(u"the payload is %1 bytes, not %2"_s.arg(payload.size()).arg(PayloadBytes));
    static const char queue[] = "bench";
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto run = [&](sqlite3_stmt *s, const char *what) {
        db.check(sqlite3_step(s), what);
        sqlite3_reset(s);
    };

    QElapsedTimer timer;
    timer.start();
    double cpuStart = cpuSeconds();
    char id[40];
    for (qint64 done = 0; done < options.messages;) {
        run(begin, "BEGIN");
        const qint64 end = std::min(options.messages, done + options.batch);
        for (; done < end; ++done) {
            // A UUID-sized id; generating real UUIDs is not SQLite's cost.
            std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012llx", (long long)done);
            sqlite3_bind_int64(insert, 1, done + 1);
            sqlite3_bind_text(insert, 2, queue, -1, SQLITE_STATIC);
            sqlite3_bind_text(insert, 3, id, 36, SQLITE_STATIC);
            sqlite3_bind_blob(insert, 4, payload.constData(), int(payload.size()), SQLITE_STATIC);
            sqlite3_bind_int64(insert, 5, now);
            run(insert, "INSERT");
        }
        run(commit, "COMMIT");
    }
    const double insertSeconds = seconds(timer);
    const double insertCpu = cpuSeconds() - cpuStart;

    timer.restart();
    cpuStart = cpuSeconds();
    qint64 received = 0;
    qint64 payloadBytes = 0;
    std::vector<qint64> seqs;
    QByteArray copy;
    qint64 last = 0;
    for (;;) {
        seqs.clear();
        sqlite3_bind_int64(select, 1, last);
        sqlite3_bind_text(select, 2, queue, -1, SQLITE_STATIC);
        sqlite3_bind_int64(select, 3, now);
        sqlite3_bind_int(select, 4, options.batch);
        int rc;
        while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
            seqs.push_back(sqlite3_column_int64(select, 0));
            // Hand the message out: copy what a delivery carries.
            copy = QByteArray(static_cast<const char *>(sqlite3_column_blob(select, 2)),
                              sqlite3_column_bytes(select, 2));
            payloadBytes += copy.size() + sqlite3_column_bytes(select, 1);
        }
        db.check(rc, "SELECT");
        sqlite3_reset(select);
        if (seqs.empty())
            break;
        last = seqs.back();
        run(begin, "BEGIN");
        for (qint64 seq : seqs) {
            sqlite3_bind_int64(remove, 1, seq);
            run(remove, "DELETE");
        }
        run(commit, "COMMIT");
        received += qint64(seqs.size());
    }
    const double consumeSeconds = seconds(timer);
    const double consumeCpu = cpuSeconds() - cpuStart;
    if (received != options.messages)
        fail(u"raw SQLite: received %1 of %2 rows"_s.arg(received).arg(options.messages));
    if (payloadBytes != options.messages * (PayloadBytes + 36))
        fail(u"raw SQLite: read %1 payload bytes, expected %2"_s.arg(payloadBytes).arg(options.messages * (PayloadBytes + 36)));

    std::printf("{\"mode\":\"sqlite\",\"messages\":%lld,\"batch\":%d,"
                "\"insertSeconds\":%.6f,\"insertPerSecond\":%.0f,\"insertCpuMicrosPerMessage\":%.2f,"
                "\"consumeSeconds\":%.6f,\"consumePerSecond\":%.0f,\"consumeCpuMicrosPerMessage\":%.2f,"
                "\"peakRssBytes\":%lld}\n",
                (long long)options.messages, options.batch,
                insertSeconds, double(options.messages) / insertSeconds,
                insertCpu * 1e6 / double(options.messages),
                consumeSeconds, double(options.messages) / consumeSeconds,
                consumeCpu * 1e6 / double(options.messages),
                (long long)Bench::peakRssBytes());
    return 0;
}

// ----------------------------------------------------------------------- Conflux's broker

const QString benchQueue = u"bench"_s;

// Opens an EmbeddedBroker in `dir` with one at-least-once queue.
std::unique_ptr<Broker::EmbeddedBroker> openBroker(const QString &dir)
{
    Broker::EmbeddedBroker::Options brokerOptions;
    brokerOptions.databasePath = dir + u"/broker.db"_s;
    auto broker = std::make_unique<Broker::EmbeddedBroker>(brokerOptions);
    if (auto r = broker->open(); !r)
        fail(r.error().toString());
    Broker::QueueConfig config;
    config.name = benchQueue;
    config.deliveryMode = Broker::DeliveryMode::AtLeastOnce;
    if (auto r = broker->declareQueue(config); !r)
        fail(r.error().toString());
    return broker;
}

// Publishes messages seq = 0..n-1 with publishAsync, keeping at most `window` unconfirmed,
// and returns once every one is confirmed: empty, or the first error.
QString publishWindowed(Broker::MessageBroker &broker, const PayloadFactory &payloads, qint64 n, int window)
{
    std::mutex mutex;
    std::condition_variable changed;
    qint64 outstanding = 0;
    std::optional<Error> error;
    auto confirmed = [&](Result<Broker::PublishReceipt> r) {
        std::lock_guard lock(mutex);
        if (!r && !error)
            error = r.error();
        --outstanding;
        // The producer waits for room in the window, then for the last confirmation.
        if (outstanding == window - 1 || outstanding == 0 || !r)
            changed.notify_all();
    };
    for (qint64 seq = 0; seq < n; ++seq) {
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return outstanding < window || error; });
            if (error)
                break;
            ++outstanding;
        }
        Broker::Message message;
        message.payload = payloads.payload(seq);
        broker.publishAsync(benchQueue, std::move(message), confirmed);
    }
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return outstanding == 0; });
    return error ? u"publish: "_s + error->toString() : QString();
}

void printRate(const Options &options, double elapsed, double cpu, const char *extra = "")
{
    std::printf("{\"mode\":\"%s\",\"messages\":%lld,\"seconds\":%.6f,\"perSecond\":%.0f,"
                "\"cpuMicrosPerMessage\":%.2f,\"peakRssBytes\":%lld%s}\n",
                qPrintable(options.mode), (long long)options.messages, elapsed,
                double(options.messages) / elapsed, cpu * 1e6 / double(options.messages),
                (long long)Bench::peakRssBytes(), extra);
}

// The queue must be empty with nothing in flight, and have published/acked what we expect.
void checkStats(Broker::MessageBroker &broker, qint64 published, qint64 acked)
{
    Result<QList<Broker::QueueStats>> stats = broker.stats();
    if (!stats)
        fail(stats.error().toString());
    for (const Broker::QueueStats &q : *stats) {
        if (q.name != benchQueue)
            continue;
        const qint64 left = published - acked;
        if (q.depth != left || q.inFlight != 0 || qint64(q.published) != published
            || qint64(q.acked) != acked) {
            fail(u"queue stats: depth %1 (expected %2), in flight %3 (expected 0), published %4 "
                 "(expected %5), acked %6 (expected %7)"_s.arg(q.depth).arg(left).arg(q.inFlight)
                     .arg(q.published).arg(published).arg(q.acked).arg(acked));
        }
        return;
    }
    fail(u"queue stats: no queue %1"_s.arg(benchQueue));
}

int runPublish(const Options &options, const QString &dir)
{
    auto broker = openBroker(dir);
    const PayloadFactory payloads;
    QElapsedTimer timer;
    timer.start();
    const double cpuStart = cpuSeconds();
    if (const QString error = publishWindowed(*broker, payloads, options.messages, options.window);
        !error.isEmpty())
        fail(error);
    const double elapsed = seconds(timer);
    const double cpu = cpuSeconds() - cpuStart;
    checkStats(*broker, options.messages, 0);
    broker->close();
    printRate(options, elapsed, cpu);
    return 0;
}

int runBatch(const Options &options, const QString &dir)
{
    auto broker = openBroker(dir);
    const PayloadFactory payloads;
    QElapsedTimer timer;
    timer.start();
    const double cpuStart = cpuSeconds();
    for (qint64 seq = 0; seq < options.messages;) {
        QList<Broker::Message> batch;
        const qint64 end = std::min(options.messages, seq + options.batch);
        batch.reserve(end - seq);
        for (; seq < end; ++seq) {
            Broker::Message message;
            message.payload = payloads.payload(seq);
            batch.append(std::move(message));
        }
        const qsizetype size = batch.size();
        Result<QList<Broker::PublishReceipt>> receipts = broker->publishBatch(benchQueue, std::move(batch));
        if (!receipts)
            fail(u"publishBatch: "_s + receipts.error().toString());
        if (receipts->size() != size)
            fail(u"publishBatch: %1 receipts for %2 messages"_s.arg(receipts->size()).arg(size));
    }
    const double elapsed = seconds(timer);
    const double cpu = cpuSeconds() - cpuStart;
    checkStats(*broker, options.messages, 0);
    broker->close();
    printRate(options, elapsed, cpu);
    return 0;
}

// A producer thread publishes while `consumers` threads receive and ack. Every message
// must arrive exactly once (a crash-free run redelivers nothing: leases are 30 s).
int runPubsub(const Options &options, const QString &dir)
{
    auto broker = openBroker(dir);
    const PayloadFactory payloads;
    const qint64 n = options.messages;
    const auto seen = std::make_unique<std::atomic<quint8>[]>(size_t(n));
    std::atomic<qint64> received{0};
    std::atomic<qint64> acked{0};
    std::atomic<qint64> receiveCalls{0};
    std::atomic<bool> stop{false};
    std::mutex errorMutex;
    QString firstError;
    std::mutex ackMutex;
    std::condition_variable ackDone;
    int pendingAcks = 0;
    const int ackWindow = 4;
    auto error = [&](const QString &what) {
        std::lock_guard lock(errorMutex);
        if (firstError.isEmpty())
            firstError = what;
        stop = true;
    };

    QElapsedTimer timer;
    timer.start();
    const double cpuStart = cpuSeconds();
    double publishSeconds = 0;
    std::thread producer([&] {
        if (const QString e = publishWindowed(*broker, payloads, n, options.window); !e.isEmpty())
            error(e);
        publishSeconds = seconds(timer);
    });
    std::vector<std::thread> consumers;
    for (int c = 0; c < options.consumers; ++c) {
        consumers.emplace_back([&, c] {
            Broker::ReceiveOptions receive;
            receive.maxMessages = options.maxMessages;
            receive.waitMs = 200;
            receive.consumerId = u"bench-consumer-%1"_s.arg(c);
            QStringList handles;
            while (!stop && received < n) {
                Result<QList<Broker::Delivery>> deliveries = broker->receive(benchQueue, receive);
                ++receiveCalls;
                if (!deliveries) {
                    error(u"receive: "_s + deliveries.error().toString());
                    break;
                }
                if (deliveries->isEmpty() || stop)
                    continue;
                received += deliveries->size();
                handles.clear();
                handles.reserve(deliveries->size());
                for (const Broker::Delivery &d : *deliveries) {
                    const qint64 seq = PayloadFactory::seqOf(d.message.payload);
                    if (seq < 0 || seq >= n)
                        error(u"received a message with an unknown payload (seq %1)"_s.arg(seq));
                    else if (seen[size_t(seq)].exchange(1) != 0)
                        error(u"message %1 was delivered twice"_s.arg(seq));
                    else if (d.message.deliveryCount != 1 || d.leaseExpiresAtMs <= 0)
                        error(u"message %1: delivery count %2, lease until %3"_s.arg(seq)
                                  .arg(d.message.deliveryCount).arg(d.leaseExpiresAtMs));
                    handles.append(d.receiptHandle);
                }
                // Pipelined: the next receive runs while this ack commits; the ack counts
                // once its callback reports it durable. At most `ackWindow` acks pending.
                {
                    std::unique_lock lock(ackMutex);
                    ackDone.wait(lock, [&] { return pendingAcks < ackWindow || stop; });
                    ++pendingAcks;
                }
                const qsizetype count = handles.size();
                broker->ackAsync(benchQueue, handles, {}, [&, count](Result<Broker::SettleResult> settled) {
                    if (!settled)
                        error(u"ack: "_s + settled.error().toString());
                    else if (settled->settled != count || !settled->unknownHandles.isEmpty())
                        error(u"ack: settled %1 of %2 (%3 unknown handles)"_s.arg(settled->settled)
                                  .arg(count).arg(settled->unknownHandles.size()));
                    else
                        acked += settled->settled;
                    std::lock_guard lock(ackMutex);
                    --pendingAcks;
                    ackDone.notify_all();
                });
            }
            std::unique_lock lock(ackMutex);
            ackDone.wait(lock, [&] { return pendingAcks == 0; });
        });
    }
    // A stalled run fails instead of hanging.
    qint64 lastAcked = -1;
    QElapsedTimer stalled;
    stalled.start();
    while (!stop && acked < n) {
        {
            // Woken by each ack's callback: the run ends at the last ack, not at a poll.
            std::unique_lock lock(ackMutex);
            ackDone.wait_for(lock, std::chrono::milliseconds(50), [&] { return stop || acked >= n; });
        }
        if (acked != lastAcked) {
            lastAcked = acked;
            stalled.restart();
        } else if (stalled.elapsed() > 30000) {
            error(u"no progress for 30 s: %1 of %2 acked"_s.arg(qint64(acked)).arg(n));
        }
    }
    const double elapsed = seconds(timer);
    const double cpu = cpuSeconds() - cpuStart;
    for (std::thread &t : consumers)
        t.join();
    producer.join();
    if (!firstError.isEmpty())
        fail(firstError);
    if (acked != n)
        fail(u"acked %1 of %2 messages"_s.arg(qint64(acked)).arg(n));
    for (qint64 seq = 0; seq < n; ++seq) {
        if (!seen[size_t(seq)])
            fail(u"message %1 never arrived"_s.arg(seq));
    }
    checkStats(*broker, n, n);
    broker->close();
    char extra[160];
    std::snprintf(extra, sizeof extra, ",\"publishPerSecondDuringPubsub\":%.0f,\"receiveCalls\":%lld",
                  double(n) / publishSeconds, (long long)receiveCalls.load());
    printRate(options, elapsed, cpu, extra);
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    auto usage = [] {
        std::fprintf(stderr, "usage: bench_broker sqlite|publish|batch|pubsub MESSAGES [--dir DIR]"
                             " [--batch B] [--window W] [--consumers C] [--max-messages M]\n");
        return 2;
    };
    if (args.size() < 3)
        return usage();
    Options options;
    options.mode = args.at(1);
    options.messages = args.at(2).toLongLong();
    if (options.messages <= 0)
        return usage();
    for (qsizetype i = 3; i + 1 < args.size(); i += 2) {
        const QString &name = args.at(i);
        const QString &value = args.at(i + 1);
        if (name == "--dir"_L1)
            options.dir = value;
        else if (name == "--batch"_L1)
            options.batch = value.toInt();
        else if (name == "--window"_L1)
            options.window = value.toInt();
        else if (name == "--consumers"_L1)
            options.consumers = value.toInt();
        else if (name == "--max-messages"_L1)
            options.maxMessages = value.toInt();
        else
            return usage();
    }
    if ((args.size() - 3) % 2 != 0 || options.batch <= 0 || options.window <= 0
        || options.consumers <= 0 || options.maxMessages <= 0)
        return usage();

    QTemporaryDir temporary(options.dir.isEmpty() ? QDir::tempPath() + u"/bench-broker-XXXXXX"_s
                                                  : options.dir + u"/bench-broker-XXXXXX"_s);
    if (!temporary.isValid())
        fail(u"cannot create a temporary folder: %1"_s.arg(temporary.errorString()));

    if (options.mode == "sqlite"_L1)
        return runSqlite(options, temporary.path());
    if (options.mode == "publish"_L1)
        return runPublish(options, temporary.path());
    if (options.mode == "batch"_L1)
        return runBatch(options, temporary.path());
    if (options.mode == "pubsub"_L1)
        return runPubsub(options, temporary.path());
    return usage();
}
