// SqlStateStore's part for the coordination of sync runs: runs, checkpoints, leases and
// scheduled fires (tables of migration 2); also defines the helpers of sqlstatestore_sync_p.h.

#include "sqlstatestore.h"

#include "sqlstatestore_sync_p.h"
#include "store/tr.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace Conflux::Store::Internal {

namespace Sync {

QString cannot(const char *operation, const QString &problem)
{
    return Tr::tr("cannot %1: %2").arg(Tr::tr(operation), problem);
}

std::optional<QString> jsonProblem(const char *field, const QString &text, Json kind)
{
    const QString name = QLatin1String(field);
    QJsonParseError error;
    if (kind == Json::Value) {
        // QJsonDocument parses arrays and objects only: wrap the value in an array.
        const QJsonDocument document = QJsonDocument::fromJson('[' + text.toUtf8() + ']', &error);
        if (error.error != QJsonParseError::NoError) {
            return Tr::tr("%1 is not JSON (%2 at offset %3)")
                .arg(name, error.errorString(), QString::number(qMax(0, error.offset - 1)));
        }
        if (document.array().size() != 1)
            return Tr::tr("%1 is not one JSON value").arg(name);
        return std::nullopt;
    }
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError) {
        return Tr::tr("%1 is not JSON (%2 at offset %3)")
            .arg(name, error.errorString(), QString::number(error.offset));
    }
    if (kind == Json::Array && !document.isArray())
        return Tr::tr("%1 is not a JSON array").arg(name);
    if (kind == Json::Object && !document.isObject())
        return Tr::tr("%1 is not a JSON object").arg(name);
    return std::nullopt;
}

std::optional<QString> optionalJsonProblem(const char *field, const QString &text, Json kind)
{
    if (text.isEmpty())
        return std::nullopt;
    return jsonProblem(field, text, kind);
}

std::optional<QString> limitProblem(int limit)
{
    if (limit < 1)
        return Tr::tr("the limit must be at least 1, not %1").arg(limit);
    return std::nullopt;
}

std::optional<QString> jobIdProblem(const QString &jobId)
{
    if (jobId.isEmpty())
        return Tr::tr("the job id is empty");
    return std::nullopt;
}

QVariant optionalId(qint64 id)
{
    return id == 0 ? QVariant() : QVariant(id);
}

qint64 msecsOrNow(const QDateTime &time)
{
    return time.isValid() ? time.toMSecsSinceEpoch() : nowMsecs();
}

} // namespace Sync

using namespace Sync;

namespace {

// Claimed fire times kept per job.
constexpr int keptFiresPerJob = 100;
// Longest lease: a year. Longer is a mistake, and now + ttl must not overflow.
constexpr qint64 maxLeaseTtlMs = 366LL * 24 * 3600 * 1000;

// --- runs

const QStringList &runTriggers()
{
    static const QStringList triggers
        = {QStringLiteral("manual"), QStringLiteral("schedule"), QStringLiteral("poll"),
           QStringLiteral("webhook"), QStringLiteral("message")};
    return triggers;
}

const QStringList &finalRunStatuses()
{
    static const QStringList statuses
        = {QStringLiteral("succeeded"), QStringLiteral("failed"), QStringLiteral("cancelled"),
           QStringLiteral("interrupted")};
    return statuses;
}

std::optional<QString> countsProblem(const SyncRunRecord &run)
{
    const std::pair<const char *, qint64> counts[] = {
        {"read", run.read},         {"written", run.written},     {"skipped", run.skipped},
        {"rejected", run.rejected}, {"conflicts", run.conflicts}, {"deleted", run.deleted},
    };
    for (const auto &[name, count] : counts) {
        if (count < 0)
            return Tr::tr("the count %1 is negative (%2)").arg(QLatin1String(name)).arg(count);
    }
    return std::nullopt;
}

// The JSON fields a run may carry when it starts or finishes.
std::optional<QString> runJsonProblem(const SyncRunRecord &run)
{
    if (auto problem = optionalJsonProblem("checkpointBefore", run.checkpointBefore, Json::Value))
        return problem;
    if (auto problem = optionalJsonProblem("checkpointAfter", run.checkpointAfter, Json::Value))
        return problem;
    if (auto problem = optionalJsonProblem("errors", run.errors, Json::Array))
        return problem;
    return optionalJsonProblem("reconciliation", run.reconciliation, Json::Object);
}

constexpr const char *runColumns
    = "id, job_id, node, trigger_kind, status, started_at, finished_at, read_count,"
      " written_count, skipped_count, rejected_count, conflict_count, deleted_count,"
      " checkpoint_before, checkpoint_after, errors, reconciliation";

SyncRunRecord readRun(const QSqlQuery &query)
{
    SyncRunRecord run;
    run.id = query.value(0).toLongLong();
    run.jobId = query.value(1).toString();
    run.node = query.value(2).toString();
    run.trigger = query.value(3).toString();
    run.status = query.value(4).toString();
    run.startedAt = fromMsecs(query.value(5));
    if (!query.value(6).isNull())
        run.finishedAt = fromMsecs(query.value(6));
    run.read = query.value(7).toLongLong();
    run.written = query.value(8).toLongLong();
    run.skipped = query.value(9).toLongLong();
    run.rejected = query.value(10).toLongLong();
    run.conflicts = query.value(11).toLongLong();
    run.deleted = query.value(12).toLongLong();
    run.checkpointBefore = query.value(13).toString();
    run.checkpointAfter = query.value(14).toString();
    run.errors = query.value(15).toString();
    run.reconciliation = query.value(16).toString();
    return run;
}

} // namespace

// --- runs

Result<qint64> SqlStateStore::startSyncRun(const SyncRunRecord &run)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "start a sync run");
    std::optional<QString> problem = jobIdProblem(run.jobId);
    if (!problem && !runTriggers().contains(run.trigger)) {
        problem = Tr::tr("the trigger \"%1\" is not one of %2")
                      .arg(run.trigger, runTriggers().join(QLatin1String(", ")));
    }
    if (!problem)
        problem = countsProblem(run);
    if (!problem)
        problem = runJsonProblem(run);
    if (problem)
        return failure("store_invalid_argument", cannot(operation, *problem));

    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> inserted = exec(
        db, operation,
        QStringLiteral("INSERT INTO sync_runs (job_id, node, trigger_kind, status, started_at, "
                       "finished_at, read_count, written_count, skipped_count, rejected_count, "
                       "conflict_count, deleted_count, checkpoint_before, checkpoint_after, "
                       "errors, reconciliation) "
                       "VALUES (?, ?, ?, 'running', ?, NULL, ?, ?, ?, ?, ?, ?, ?, '', ?, ?) "
                       "RETURNING id"),
        {run.jobId, textValue(run.node), run.trigger, msecsOrNow(run.startedAt), run.read,
         run.written, run.skipped, run.rejected, run.conflicts, run.deleted,
         textValue(run.checkpointBefore), textValue(run.errors), textValue(run.reconciliation)});
    if (!inserted)
        return inserted.error();
    if (!inserted->next())
        return failure("store_query_failed", cannot(operation, Tr::tr("no id was returned")));
    return inserted->value(0).toLongLong();
}

Result<void> SqlStateStore::finishSyncRun(const SyncRunRecord &run)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "finish a sync run");
    std::optional<QString> problem;
    if (!finalRunStatuses().contains(run.status)) {
        problem = Tr::tr("the status \"%1\" is not one of %2")
                      .arg(run.status, finalRunStatuses().join(QLatin1String(", ")));
    }
    if (!problem)
        problem = countsProblem(run);
    if (!problem)
        problem = runJsonProblem(run);
    if (problem)
        return failure("store_invalid_argument", cannot(operation, *problem));

    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    const qint64 finishedAt = run.finishedAt ? msecsOrNow(*run.finishedAt) : nowMsecs();
    return writeTransaction(db, operation, [&]() -> Result<void> {
        {
            Result<QSqlQuery> current
                = exec(db, operation, QStringLiteral("SELECT status FROM sync_runs WHERE id = ?"),
                       {run.id});
            if (!current)
                return current.error();
            if (!current->next()) {
                return failure("store_not_found",
                               cannot(operation, Tr::tr("there is no run %1").arg(run.id)));
            }
            const QString status = current->value(0).toString();
            if (status != QLatin1String("running")) {
                return failure("store_invalid_argument",
                               cannot(operation,
                                      Tr::tr("run %1 is not running but %2")
                                          .arg(QString::number(run.id), status)));
            }
        }
        Result<QSqlQuery> updated = exec(
            db, operation,
            QStringLiteral("UPDATE sync_runs SET status = ?, finished_at = ?, read_count = ?, "
                           "written_count = ?, skipped_count = ?, rejected_count = ?, "
                           "conflict_count = ?, deleted_count = ?, checkpoint_after = ?, "
                           "errors = ?, reconciliation = ? WHERE id = ?"),
            {run.status, finishedAt, run.read, run.written, run.skipped, run.rejected,
             run.conflicts, run.deleted, textValue(run.checkpointAfter), textValue(run.errors),
             textValue(run.reconciliation), run.id});
        if (!updated)
            return updated.error();
        return {};
    });
}

Result<QList<SyncRunRecord>> SqlStateStore::syncRuns(const QString &jobId, int limit) const
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "list sync runs");
    if (std::optional<QString> problem = limitProblem(limit))
        return failure("store_invalid_argument", cannot(operation, *problem));
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Filter filter;
    if (!jobId.isEmpty())
        filter.add("job_id", jobId);
    filter.params.append(qint64(limit));
    Result<QSqlQuery> query
        = exec(db, operation,
               QStringLiteral("SELECT %1 FROM sync_runs%2 ORDER BY started_at DESC, id DESC "
                              "LIMIT ?")
                   .arg(QLatin1String(runColumns), filter.where()),
               filter.params);
    if (!query)
        return query.error();
    QList<SyncRunRecord> runs;
    while (query->next())
        runs.append(readRun(*query));
    return runs;
}

Result<std::optional<SyncRunRecord>> SqlStateStore::syncRun(qint64 id) const
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> query = exec(
        db, QT_TRANSLATE_NOOP("Conflux::Store", "read a sync run"),
        QStringLiteral("SELECT %1 FROM sync_runs WHERE id = ?").arg(QLatin1String(runColumns)),
        {id});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<SyncRunRecord>();
    return std::optional<SyncRunRecord>(readRun(*query));
}

Result<int> SqlStateStore::interruptSyncRuns(const QString &node)
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> updated
        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "mark a node's sync runs interrupted"),
               QStringLiteral("UPDATE sync_runs SET status = 'interrupted', finished_at = ? "
                              "WHERE node = ? AND status = 'running'"),
               {nowMsecs(), textValue(node)});
    if (!updated)
        return updated.error();
    return qMax(0, updated->numRowsAffected());
}

Result<void> SqlStateStore::setSyncRunReconciliation(qint64 runId, const QString &reconciliation)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "store a reconciliation");
    if (auto problem = optionalJsonProblem("reconciliation", reconciliation, Json::Object);
        problem || reconciliation.isEmpty()) {
        return failure("store_invalid_argument",
                       cannot(operation,
                              problem.value_or(Tr::tr("the reconciliation is empty"))));
    }
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    Result<QSqlQuery> updated
        = exec(*connection, operation,
               QStringLiteral("UPDATE sync_runs SET reconciliation = ? WHERE id = ?"),
               {reconciliation, runId});
    if (!updated)
        return updated.error();
    if (updated->numRowsAffected() < 1)
        return failure("store_not_found", cannot(operation, Tr::tr("there is no run %1").arg(runId)));
    return {};
}

// --- checkpoints

Result<std::optional<SyncCheckpoint>> SqlStateStore::syncCheckpoint(const QString &jobId) const
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> query = exec(
        db, QT_TRANSLATE_NOOP("Conflux::Store", "read a sync checkpoint"),
        QStringLiteral("SELECT job_id, cursor_json, run_id, updated_at FROM sync_checkpoints "
                       "WHERE job_id = ?"),
        {textValue(jobId)});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<SyncCheckpoint>();
    SyncCheckpoint checkpoint;
    checkpoint.jobId = query->value(0).toString();
    checkpoint.cursor = query->value(1).toString();
    checkpoint.runId = query->value(2).toLongLong();
    checkpoint.updatedAt = fromMsecs(query->value(3));
    return std::optional<SyncCheckpoint>(std::move(checkpoint));
}

Result<void> SqlStateStore::saveSyncCheckpoint(const SyncCheckpoint &checkpoint)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "save a sync checkpoint");
    std::optional<QString> problem = jobIdProblem(checkpoint.jobId);
    if (!problem)
        problem = jsonProblem("cursor", checkpoint.cursor, Json::Value);
    if (problem)
        return failure("store_invalid_argument", cannot(operation, *problem));
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> written = exec(
        db, operation,
        QStringLiteral("INSERT INTO sync_checkpoints (job_id, cursor_json, run_id, updated_at) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET "
                       "cursor_json = excluded.cursor_json, run_id = excluded.run_id, "
                       "updated_at = excluded.updated_at"),
        {checkpoint.jobId, checkpoint.cursor, optionalId(checkpoint.runId),
         msecsOrNow(checkpoint.updatedAt)});
    if (!written)
        return written.error();
    return {};
}

Result<void> SqlStateStore::clearSyncCheckpoint(const QString &jobId)
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> removed
        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "clear a sync checkpoint"),
               QStringLiteral("DELETE FROM sync_checkpoints WHERE job_id = ?"), {textValue(jobId)});
    if (!removed)
        return removed.error();
    return {};
}

// --- leases

Result<qint64> SqlStateStore::leaseClock(QSqlDatabase &db, const char *operation) const
{
    const QString sql = serverClockSql();
    if (sql.isEmpty())
        return nowMsecs();
    Result<QSqlQuery> query = exec(db, operation, sql);
    if (!query)
        return query.error();
    if (!query->next() || query->value(0).isNull()) {
        return failure("store_query_failed",
                       cannot(operation, Tr::tr("the database did not report its time")));
    }
    return query->value(0).toLongLong();
}

Result<bool> SqlStateStore::acquireSyncLease(const QString &jobId, const QString &holder,
                                             qint64 ttlMs)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "acquire a sync lease");
    std::optional<QString> problem = jobIdProblem(jobId);
    if (!problem && holder.isEmpty())
        problem = Tr::tr("the holder is empty");
    if (!problem && (ttlMs < 1 || ttlMs > maxLeaseTtlMs)) {
        problem = Tr::tr("the lease time %1 ms is not between 1 ms and %2 ms")
                      .arg(QString::number(ttlMs), QString::number(maxLeaseTtlMs));
    }
    if (problem)
        return failure("store_invalid_argument", cannot(operation, *problem));
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    return writeTransaction(db, operation, [&]() -> Result<bool> {
        Result<qint64> now = leaseClock(db, operation);
        if (!now)
            return now.error();
        bool exists = false;
        bool renew = false;
        {
            // PostgreSQL: a row another acquirer holds locked is skipped, and the INSERT below
            // then finds it taken.
            Result<QSqlQuery> current
                = exec(db, operation,
                       QStringLiteral("SELECT holder, expires_at FROM sync_leases WHERE job_id = ?")
                           + lockRowsSkipLockedSql(),
                       {jobId});
            if (!current)
                return current.error();
            if (current->next()) {
                exists = true;
                const bool unexpired = current->value(1).toLongLong() > *now;
                const bool mine = current->value(0).toString() == holder;
                if (unexpired && !mine)
                    return false;
                renew = unexpired && mine;
            }
        }
        if (exists) {
            const QString sql = renew
                ? QStringLiteral("UPDATE sync_leases SET expires_at = ? WHERE job_id = ?")
                : QStringLiteral("UPDATE sync_leases SET expires_at = ?, holder = ?, "
                                 "acquired_at = ? WHERE job_id = ?");
            const QVariantList params = renew ? QVariantList {*now + ttlMs, jobId}
                                              : QVariantList {*now + ttlMs, holder, *now, jobId};
            Result<QSqlQuery> updated = exec(db, operation, sql, params);
            if (!updated)
                return updated.error();
            return true;
        }
        {
            Result<QSqlQuery> inserted
                = exec(db, operation,
                       QStringLiteral("INSERT INTO sync_leases (job_id, holder, acquired_at, "
                                      "expires_at) VALUES (?, ?, ?, ?) "
                                      "ON CONFLICT (job_id) DO NOTHING RETURNING job_id"),
                       {jobId, holder, *now, *now + ttlMs});
            if (!inserted)
                return inserted.error();
            if (inserted->next())
                return true;
        }
        // The row exists but was skipped: a concurrent acquirer holds it locked (PostgreSQL).
        // That counts as taken, except for the lease's own unexpired holder: the other cannot
        // take an unexpired lease, so the holder waits for it here and renews, instead of
        // being told it lost a lease it still holds.
        Result<QSqlQuery> renewed
            = exec(db, operation,
                   QStringLiteral("UPDATE sync_leases SET expires_at = ? "
                                  "WHERE job_id = ? AND holder = ? AND expires_at > ?"),
                   {*now + ttlMs, jobId, holder, *now});
        if (!renewed)
            return renewed.error();
        return renewed->numRowsAffected() > 0;
    });
}

Result<void> SqlStateStore::releaseSyncLease(const QString &jobId, const QString &holder)
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> removed
        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "release a sync lease"),
               QStringLiteral("DELETE FROM sync_leases WHERE job_id = ? AND holder = ?"),
               {textValue(jobId), textValue(holder)});
    if (!removed)
        return removed.error();
    return {};
}

Result<std::optional<QString>> SqlStateStore::syncLeaseHolder(const QString &jobId) const
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "read a sync lease");
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<qint64> now = leaseClock(db, operation);
    if (!now)
        return now.error();
    Result<QSqlQuery> query
        = exec(db, operation,
               QStringLiteral("SELECT holder FROM sync_leases WHERE job_id = ? AND expires_at > ?"),
               {textValue(jobId), *now});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<QString>();
    return std::optional<QString>(query->value(0).toString());
}

// --- scheduled fires

Result<bool> SqlStateStore::claimScheduledFire(const QString &jobId, const QDateTime &fireTime,
                                               const QString &holder)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "claim a scheduled run");
    std::optional<QString> problem = jobIdProblem(jobId);
    if (!problem && !fireTime.isValid())
        problem = Tr::tr("the fire time is not a valid time");
    if (!problem && holder.isEmpty())
        problem = Tr::tr("the holder is empty");
    if (problem)
        return failure("store_invalid_argument", cannot(operation, *problem));
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    const qint64 fireAt = fireTime.toMSecsSinceEpoch();
    return writeTransaction(db, operation, [&]() -> Result<bool> {
        // On PostgreSQL a concurrent claim of the same pair waits here until the first
        // commits, then does nothing.
        {
            Result<QSqlQuery> inserted = exec(
                db, operation,
                QStringLiteral("INSERT INTO sync_fires (job_id, fire_at, holder, claimed_at) "
                               "VALUES (?, ?, ?, ?) ON CONFLICT (job_id, fire_at) DO NOTHING "
                               "RETURNING fire_at"),
                {jobId, fireAt, holder, nowMsecs()});
            if (!inserted)
                return inserted.error();
            if (!inserted->next())
                return false;
        }
        // Keep the newest keptFiresPerJob. A claim older than all of those is too old to tell
        // whether it ran already: it is refused (and pruned at once).
        std::optional<qint64> cutoff;
        {
            Result<QSqlQuery> oldestKept
                = exec(db, operation,
                       QStringLiteral("SELECT fire_at FROM sync_fires WHERE job_id = ? "
                                      "ORDER BY fire_at DESC LIMIT 1 OFFSET ?"),
                       {jobId, qint64(keptFiresPerJob - 1)});
            if (!oldestKept)
                return oldestKept.error();
            if (oldestKept->next())
                cutoff = oldestKept->value(0).toLongLong();
        }
        if (!cutoff)
            return true;
        Result<QSqlQuery> pruned
            = exec(db, operation,
                   QStringLiteral("DELETE FROM sync_fires WHERE job_id = ? AND fire_at < ?"),
                   {jobId, *cutoff});
        if (!pruned)
            return pruned.error();
        return fireAt >= *cutoff;
    });
}

Result<std::optional<QDateTime>> SqlStateStore::lastScheduledFire(const QString &jobId) const
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> query = exec(
        db, QT_TRANSLATE_NOOP("Conflux::Store", "read the last scheduled run"),
        QStringLiteral("SELECT MAX(fire_at) FROM sync_fires WHERE job_id = ?"), {textValue(jobId)});
    if (!query)
        return query.error();
    if (!query->next() || query->value(0).isNull())
        return std::optional<QDateTime>();
    return std::optional<QDateTime>(fromMsecs(query->value(0)));
}

} // namespace Conflux::Store::Internal
