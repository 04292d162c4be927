#include "broker/brokerstore_p.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <sqlite3.h>

#include <chrono>

#include <pthread.h>

using namespace Qt::StringLiterals;

namespace Conflux::Broker::Internal {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Broker)
};

constexpr int schemaVersion = 1;

const char *const schemaSql = R"sql(
BEGIN;
CREATE TABLE IF NOT EXISTS broker_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages(
    seq INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    message_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    group_id TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    priority INTEGER NOT NULL,
    delivery_mode INTEGER NOT NULL,
    payload BLOB NOT NULL,
    headers BLOB NOT NULL,
    enqueued_at INTEGER NOT NULL,
    deliver_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    delivery_count INTEGER NOT NULL,
    dlq_reason INTEGER NOT NULL,
    original_queue TEXT NOT NULL,
    original_topic TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dedup(
    queue TEXT NOT NULL, message_id TEXT NOT NULL, expires_at INTEGER NOT NULL,
    PRIMARY KEY(queue, message_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS processed(
    queue TEXT NOT NULL, consumer_group TEXT NOT NULL, message_id TEXT NOT NULL, at INTEGER NOT NULL,
    PRIMARY KEY(queue, consumer_group, message_id)) WITHOUT ROWID;
COMMIT;
)sql";

void bindText(sqlite3_stmt *s, int i, const QString &text, QByteArray &keep)
{
    keep = text.toUtf8();
    sqlite3_bind_text(s, i, keep.constData(), int(keep.size()), SQLITE_TRANSIENT);
}

QString columnText(sqlite3_stmt *s, int i)
{
    return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(s, i)), sqlite3_column_bytes(s, i));
}

QByteArray columnBlob(sqlite3_stmt *s, int i)
{
    return QByteArray(static_cast<const char *>(sqlite3_column_blob(s, i)), sqlite3_column_bytes(s, i));
}

} // namespace

BrokerStore::BrokerStore() = default;

BrokerStore::~BrokerStore()
{
    stop();
    for (sqlite3_stmt *s : {m_insert, m_delete, m_update, m_move, m_dedup, m_processed, m_prune})
        sqlite3_finalize(s);
    sqlite3_close(m_db);
    sqlite3_close(m_readDb);
}

Error BrokerStore::sqlError(const QString &what, sqlite3 *db) const
{
    const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
    const QString text = db ? QString::fromUtf8(sqlite3_errmsg(db)) : QString();
    return makeError("broker_store_failed", Tr::tr("broker database %1: %2").arg(m_path, what),
                     {u"SQLite %1: %2"_s.arg(code).arg(text)});
}

Result<void> BrokerStore::open(const QString &path, int busyTimeoutMs, qint64 maxBytes)
{
    m_path = path;
    QDir().mkpath(QFileInfo(path).absolutePath());
    const QByteArray file = QFile::encodeName(path);
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(file.constData(), &m_db, flags, nullptr) != SQLITE_OK)
        return sqlError(Tr::tr("cannot open"), m_db);
    sqlite3_busy_timeout(m_db, busyTimeoutMs);
    char *message = nullptr;
    auto exec = [&](const char *sql) -> Result<void> {
        if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
            sqlite3_free(message);
            return sqlError(Tr::tr("cannot prepare the database"), m_db);
        }
        return {};
    };
    // synchronous=FULL: in WAL mode a commit is durable (the WAL is synced) when it returns.
    for (const char *sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=OFF",
                            "PRAGMA wal_autocheckpoint=4000"}) {
        if (auto r = exec(sql); !r)
            return r;
    }
    if (auto r = exec(schemaSql); !r)
        return r;
    if (maxBytes > 0) {
        const QByteArray sql = "PRAGMA max_page_count=" + QByteArray::number(std::max<qint64>(maxBytes / 4096, 16));
        if (auto r = exec(sql.constData()); !r)
            return r;
    }
    {
        sqlite3_stmt *s = nullptr;
        sqlite3_prepare_v2(m_db, "SELECT value FROM broker_meta WHERE key='schema_version'", -1, &s, nullptr);
        int version = 0;
        if (s && sqlite3_step(s) == SQLITE_ROW)
            version = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
        if (version > schemaVersion) {
            return makeError("broker_store_failed",
                             Tr::tr("broker database %1 was written by a newer Conflux (schema %2, this binary knows %3)")
                                 .arg(path)
                                 .arg(version)
                                 .arg(schemaVersion));
        }
        if (version == 0) {
            if (auto r = exec("INSERT OR REPLACE INTO broker_meta(key, value) VALUES('schema_version', '1')"); !r)
                return r;
        }
    }
    auto prepare = [&](const char *sql, sqlite3_stmt **out) -> Result<void> {
        if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, nullptr) != SQLITE_OK)
            return sqlError(Tr::tr("cannot prepare a statement"), m_db);
        return {};
    };
    const std::pair<const char *, sqlite3_stmt **> statements[] = {
        {"INSERT INTO messages(seq, queue, message_id, topic, group_id, correlation_id, priority, delivery_mode,"
         " payload, headers, enqueued_at, deliver_at, expires_at, delivery_count, dlq_reason, original_queue,"
         " original_topic) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
         &m_insert},
        {"DELETE FROM messages WHERE seq=?", &m_delete},
        {"UPDATE messages SET delivery_count=?, deliver_at=? WHERE seq=?", &m_update},
        {"UPDATE messages SET queue=?, dlq_reason=?, original_queue=?, original_topic=?, delivery_count=?,"
         " deliver_at=?, expires_at=? WHERE seq=?",
         &m_move},
        {"INSERT OR REPLACE INTO dedup(queue, message_id, expires_at) VALUES(?,?,?)", &m_dedup},
        {"INSERT OR IGNORE INTO processed(queue, consumer_group, message_id, at) VALUES(?,?,?,?)", &m_processed},
        {"DELETE FROM dedup WHERE expires_at<=?", &m_prune},
    };
    for (const auto &[sql, out] : statements) {
        if (auto r = prepare(sql, out); !r)
            return r;
    }
    if (sqlite3_open_v2(file.constData(), &m_readDb, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
        return sqlError(Tr::tr("cannot open a reader"), m_readDb);
    sqlite3_busy_timeout(m_readDb, 5000);
    return {};
}

Result<LoadedState> BrokerStore::load()
{
    LoadedState state;
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v2(m_db,
                           "SELECT seq, queue, message_id, topic, group_id, correlation_id, priority, delivery_mode,"
                           " payload, headers, enqueued_at, deliver_at, expires_at, delivery_count, dlq_reason,"
                           " original_queue, original_topic FROM messages ORDER BY seq",
                           -1, &s, nullptr)
        != SQLITE_OK) {
        return sqlError(Tr::tr("cannot read the messages"), m_db);
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        auto e = std::make_unique<Entry>();
        e->seq = sqlite3_column_int64(s, 0);
        e->queue = columnText(s, 1);
        e->messageId = columnText(s, 2);
        e->topic = columnText(s, 3);
        e->groupId = columnText(s, 4);
        e->correlationId = columnText(s, 5);
        e->priority = Priority(std::clamp(sqlite3_column_int(s, 6), 0, 3));
        e->mode = DeliveryMode(std::clamp(sqlite3_column_int(s, 7), 0, 2));
        e->payload = columnBlob(s, 8);
        e->headers = columnBlob(s, 9);
        e->enqueuedAt = sqlite3_column_int64(s, 10);
        e->deliverAt = sqlite3_column_int64(s, 11);
        e->expiresAt = sqlite3_column_int64(s, 12);
        e->deliveryCount = sqlite3_column_int(s, 13);
        e->dlqReason = DeadLetterReason(std::clamp(sqlite3_column_int(s, 14), 0, 5));
        e->originalQueue = columnText(s, 15);
        e->originalTopic = columnText(s, 16);
        state.maxSeq = std::max(state.maxSeq, e->seq);
        state.messages.push_back(std::move(e));
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return sqlError(Tr::tr("cannot read the messages"), m_db);
    if (sqlite3_prepare_v2(m_db, "SELECT queue, message_id, expires_at FROM dedup", -1, &s, nullptr) != SQLITE_OK)
        return sqlError(Tr::tr("cannot read the dedup records"), m_db);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        state.dedup.emplace_back(columnText(s, 0), columnText(s, 1), sqlite3_column_int64(s, 2));
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return sqlError(Tr::tr("cannot read the dedup records"), m_db);
    return state;
}

void BrokerStore::start(std::function<qint64()> tick)
{
    m_tick = std::move(tick);
    m_completer = std::thread([this] {
        pthread_setname_np(pthread_self(), "broker-done");
        complete();
    });
    m_thread = std::thread([this] {
        pthread_setname_np(pthread_self(), "broker-writer");
        run();
    });
}

void BrokerStore::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return;
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    {
        std::lock_guard lock(m_roundsMutex);
        m_writerDone = true;
    }
    m_roundsWake.notify_all();
    if (m_completer.joinable())
        m_completer.join();
}

void BrokerStore::submit(WriteBatch batch)
{
    std::unique_lock lock(m_mutex);
    if (m_writerExited || (m_stopping && !m_thread.joinable())) {
        lock.unlock();
        if (batch.done)
            batch.done(makeError("broker_closed", Tr::tr("the broker is closed")), batch);
        return;
    }
    const bool first = m_pending.empty();
    m_pending.push_back(std::move(batch));
    lock.unlock();
    if (first)
        m_wake.notify_one();
}

void BrokerStore::wake()
{
    {
        std::lock_guard lock(m_mutex);
        m_woken = true;
    }
    m_wake.notify_one();
}

void BrokerStore::run()
{
    using Clock = std::chrono::steady_clock;
    Clock::time_point nextTick = Clock::now();
    for (;;) {
        std::vector<WriteBatch> batches;
        bool stopping;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_until(lock, nextTick, [this] { return !m_pending.empty() || m_stopping || m_woken; });
            batches.swap(m_pending);
            stopping = m_stopping;
            m_woken = false;
        }
        if (!batches.empty()) {
            Result<void> result = commit(batches);
            bool first;
            {
                std::lock_guard lock(m_roundsMutex);
                first = m_rounds.empty();
                m_rounds.push_back({std::move(batches), std::move(result)});
            }
            if (first)
                m_roundsWake.notify_one();
        }
        if (stopping) {
            std::lock_guard lock(m_mutex);
            if (m_pending.empty())
                break;
            continue;
        }
        if (m_tick) {
            const qint64 waitMs = m_tick();
            nextTick = Clock::now() + std::chrono::milliseconds(std::clamp<qint64>(waitMs, 1, 1000));
        }
    }
    // Anything submitted after the last round fails rather than hangs.
    Round late{{}, makeError("broker_closed", Tr::tr("the broker is closed"))};
    {
        std::lock_guard lock(m_mutex);
        late.batches.swap(m_pending);
        m_writerExited = true; // from now on, submit() fails the batch itself
    }
    if (!late.batches.empty()) {
        std::lock_guard lock(m_roundsMutex);
        m_rounds.push_back(std::move(late));
    }
    m_roundsWake.notify_one();
}

void BrokerStore::complete()
{
    for (;;) {
        std::vector<Round> rounds;
        {
            std::unique_lock lock(m_roundsMutex);
            m_roundsWake.wait(lock, [this] { return !m_rounds.empty() || m_writerDone; });
            if (m_rounds.empty())
                return; // the writer has stopped and everything is answered
            rounds.swap(m_rounds);
        }
        for (Round &round : rounds)
            finish(std::move(round));
    }
}

void BrokerStore::finish(Round round)
{
    for (WriteBatch &batch : round.batches) {
        if (batch.done)
            batch.done(round.result, batch);
    }
}

Result<void> BrokerStore::commit(std::vector<WriteBatch> &batches)
{
    if (sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlError(Tr::tr("cannot begin a transaction"), m_db);
    for (const WriteBatch &batch : batches) {
        for (const WriteOp &op : batch.ops) {
            if (auto r = execute(op); !r) {
                sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
                return r;
            }
        }
    }
    if (sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        Error error = sqlError(Tr::tr("cannot commit"), m_db);
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        return error;
    }
    return {};
}

Result<void> BrokerStore::execute(const WriteOp &op)
{
    sqlite3_stmt *s = nullptr;
    QByteArray keep[6];
    switch (op.kind) {
    case WriteOp::Kind::Insert: {
        const Entry &e = *op.entry;
        s = m_insert;
        sqlite3_bind_int64(s, 1, e.seq);
        bindText(s, 2, e.queue, keep[0]);
        bindText(s, 3, e.messageId, keep[1]);
        bindText(s, 4, e.topic, keep[2]);
        bindText(s, 5, e.groupId, keep[3]);
        bindText(s, 6, e.correlationId, keep[4]);
        sqlite3_bind_int(s, 7, int(e.priority));
        sqlite3_bind_int(s, 8, int(e.mode));
        sqlite3_bind_blob(s, 9, e.payload.constData(), int(e.payload.size()), SQLITE_STATIC);
        sqlite3_bind_blob(s, 10, e.headers.constData(), int(e.headers.size()), SQLITE_STATIC);
        sqlite3_bind_int64(s, 11, e.enqueuedAt);
        sqlite3_bind_int64(s, 12, e.deliverAt);
        sqlite3_bind_int64(s, 13, e.expiresAt);
        sqlite3_bind_int(s, 14, e.deliveryCount);
        sqlite3_bind_int(s, 15, int(e.dlqReason));
        bindText(s, 16, e.originalQueue, keep[5]);
        const QByteArray topic = e.originalTopic.toUtf8();
        sqlite3_bind_text(s, 17, topic.constData(), int(topic.size()), SQLITE_TRANSIENT);
        break;
    }
    case WriteOp::Kind::Delete:
        s = m_delete;
        sqlite3_bind_int64(s, 1, op.seq);
        break;
    case WriteOp::Kind::UpdateDelivery:
        s = m_update;
        sqlite3_bind_int(s, 1, op.count);
        sqlite3_bind_int64(s, 2, op.deliverAt);
        sqlite3_bind_int64(s, 3, op.seq);
        break;
    case WriteOp::Kind::Move:
        s = m_move;
        bindText(s, 1, op.queue, keep[0]);
        sqlite3_bind_int(s, 2, op.reason);
        bindText(s, 3, op.text, keep[1]);
        bindText(s, 4, op.text2, keep[2]);
        sqlite3_bind_int(s, 5, op.count);
        sqlite3_bind_int64(s, 6, op.deliverAt);
        sqlite3_bind_int64(s, 7, op.expiresAt);
        sqlite3_bind_int64(s, 8, op.seq);
        break;
    case WriteOp::Kind::Dedup:
        s = m_dedup;
        bindText(s, 1, op.queue, keep[0]);
        bindText(s, 2, op.text, keep[1]);
        sqlite3_bind_int64(s, 3, op.time);
        break;
    case WriteOp::Kind::Processed:
        s = m_processed;
        bindText(s, 1, op.queue, keep[0]);
        bindText(s, 2, op.text, keep[1]);
        bindText(s, 3, op.text2, keep[2]);
        sqlite3_bind_int64(s, 4, op.time);
        break;
    case WriteOp::Kind::PruneDedup:
        s = m_prune;
        sqlite3_bind_int64(s, 1, op.time);
        break;
    }
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return sqlError(Tr::tr("cannot write"), m_db);
    return {};
}

Result<bool> BrokerStore::processed(const QString &queue, const QString &group, const QString &messageId)
{
    std::lock_guard lock(m_readMutex);
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v2(m_readDb,
                           "SELECT 1 FROM processed WHERE queue=? AND consumer_group=? AND message_id=?", -1, &s,
                           nullptr)
        != SQLITE_OK) {
        return sqlError(Tr::tr("cannot read the processed records"), m_readDb);
    }
    QByteArray keep[3];
    bindText(s, 1, queue, keep[0]);
    bindText(s, 2, group, keep[1]);
    bindText(s, 3, messageId, keep[2]);
    const int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sqlError(Tr::tr("cannot read the processed records"), m_readDb);
    return rc == SQLITE_ROW;
}

Result<qint64> BrokerStore::processedCount(const QString &queue, const QString &group)
{
    std::lock_guard lock(m_readMutex);
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v2(m_readDb, "SELECT count(*) FROM processed WHERE queue=? AND consumer_group=?", -1, &s,
                           nullptr)
        != SQLITE_OK) {
        return sqlError(Tr::tr("cannot read the processed records"), m_readDb);
    }
    QByteArray keep[2];
    bindText(s, 1, queue, keep[0]);
    bindText(s, 2, group, keep[1]);
    const int rc = sqlite3_step(s);
    const qint64 n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return sqlError(Tr::tr("cannot read the processed records"), m_readDb);
    return n;
}

} // namespace Conflux::Broker::Internal
