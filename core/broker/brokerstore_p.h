#pragma once

#include "base/result.h"
#include "broker/message.h"

#include <QByteArray>
#include <QString>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace Conflux::Broker::Internal {

// A message as the embedded broker keeps it: the persisted fields (payload and headers as
// JSON text, decoded only on delivery) and the in-memory delivery state.
struct Entry
{
    qint64 seq = 0;              // primary key; also the FIFO order
    QString queue;
    QString messageId, topic, groupId, correlationId, originalQueue, originalTopic;
    QByteArray payload, headers; // JSON text
    Priority priority = Priority::Normal;
    DeliveryMode mode = DeliveryMode::AtLeastOnce;
    DeadLetterReason dlqReason = DeadLetterReason::None;
    qint64 enqueuedAt = 0, deliverAt = 0, expiresAt = 0;
    int deliveryCount = 0;

    // Not persisted.
    enum class State : quint8 { Ready, Delayed, InFlight, Detached } state = State::Detached;
    quint64 leaseToken = 0;
    qint64 leaseExpiresAt = 0;
    QString consumerId;
};

struct WriteOp
{
    enum class Kind : quint8 {
        Insert,          // entry
        Delete,          // seq
        UpdateDelivery,  // seq, count, deliverAt
        Move,            // seq to queue with reason, originals, count, deliverAt, expiresAt
        Dedup,           // queue, text (message id), time (expires)
        Processed,       // queue, text (group), text2 (message id), time
        PruneDedup       // time (now)
    };
    WriteOp(Kind k, qint64 s = 0, const Entry *e = nullptr) : kind(k), seq(s), entry(e) {}

    Kind kind;
    qint64 seq = 0;
    const Entry *entry = nullptr;
    int count = 0;
    int reason = 0;
    qint64 deliverAt = 0, expiresAt = 0, time = 0;
    QString queue, text, text2;
};

// One unit of group commit: its ops commit together with others, then `done` runs on the
// completion thread with the outcome (the batch still owns the inserted entries).
struct WriteBatch
{
    std::vector<WriteOp> ops;
    std::vector<std::unique_ptr<Entry>> inserted;
    std::function<void(const Result<void> &, WriteBatch &)> done;
};

struct LoadedState
{
    std::vector<std::unique_ptr<Entry>> messages; // in seq order
    std::vector<std::tuple<QString, QString, qint64>> dedup; // queue, message id, expires
    qint64 maxSeq = 0;
};

// The broker's SQLite database (WAL, synchronous=FULL: a commit is on disk when it
// returns) and the writer thread that group-commits everything submitted while the
// previous commit was running. The writer also drives the broker's clock: `tick` runs
// after every commit round and when its previous return value (milliseconds) has passed.
// Each round's `done` callbacks run, in commit order, on a second thread, so that the
// writer is back at the disk while they file messages and confirm publishes.
class BrokerStore
{
public:
    BrokerStore();
    ~BrokerStore();

    // busyTimeoutMs: how long a write waits for a lock another process holds.
    // maxBytes: a quota for the database file (0: none); beyond it writes fail as on a
    // full disk.
    Result<void> open(const QString &path, int busyTimeoutMs, qint64 maxBytes);
    Result<LoadedState> load();
    void start(std::function<qint64()> tick);
    // Commits what is pending and stops the writer. Further submits fail their batch.
    void stop();

    // Thread-safe. Call while holding the broker's lock so that the order of batches is
    // the order of the in-memory changes they record.
    void submit(WriteBatch batch);
    void wake();

    // A read on a second connection (WAL readers do not block the writer).
    Result<bool> processed(const QString &queue, const QString &group, const QString &messageId);
    Result<qint64> processedCount(const QString &queue, const QString &group);

    const QString &path() const { return m_path; }

private:
    struct Round
    {
        std::vector<WriteBatch> batches;
        Result<void> result;
    };

    void run();
    void complete();
    void finish(Round round);
    Result<void> commit(std::vector<WriteBatch> &batches);
    Result<void> execute(const WriteOp &op);
    Error sqlError(const QString &what, sqlite3 *db) const;

    QString m_path;
    sqlite3 *m_db = nullptr;
    sqlite3 *m_readDb = nullptr;
    std::mutex m_readMutex;
    sqlite3_stmt *m_insert = nullptr, *m_delete = nullptr, *m_update = nullptr, *m_move = nullptr,
                 *m_dedup = nullptr, *m_processed = nullptr, *m_prune = nullptr;

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<WriteBatch> m_pending;
    bool m_stopping = false;
    bool m_woken = false;
    bool m_writerExited = false;
    std::function<qint64()> m_tick;
    std::thread m_thread;

    std::mutex m_roundsMutex;
    std::condition_variable m_roundsWake;
    std::vector<Round> m_rounds; // committed, waiting for their callbacks
    bool m_writerDone = false;
    std::thread m_completer;
};

} // namespace Conflux::Broker::Internal
