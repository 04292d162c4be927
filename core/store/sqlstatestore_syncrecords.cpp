// SqlStateStore's part for the records a sync job keeps: rejected records, conflicts and row
// hashes (tables of migration 2).

#include "sqlstatestore.h"

#include "sqlstatestore_sync_p.h"
#include "store/tr.h"

#include <QHash>

namespace Conflux::Store::Internal {

using namespace Sync;

namespace {

// Rows per multi-row statement when writing row hashes: 3 parameters a row stays below
// SQLite's historical limit of 999 parameters per statement.
constexpr int rowHashChunk = 300;
// Rows per page when walking row hashes.
constexpr int rowHashPage = 5000;

constexpr const char *rejectColumns = "id, job_id, run_id, at, record_key, record, reasons";

SyncReject readReject(const QSqlQuery &query)
{
    SyncReject reject;
    reject.id = query.value(0).toLongLong();
    reject.jobId = query.value(1).toString();
    reject.runId = query.value(2).toLongLong(); // NULL reads as 0
    reject.at = fromMsecs(query.value(3));
    reject.key = query.value(4).toString();
    reject.record = query.value(5).toString();
    reject.reasons = query.value(6).toString();
    return reject;
}

constexpr const char *conflictColumns
    = "id, job_id, run_id, record_key, source_record, target_record, detected_at, status,"
      " resolution, resolved_record, resolved_by, resolved_at";

SyncConflict readConflict(const QSqlQuery &query)
{
    SyncConflict conflict;
    conflict.id = query.value(0).toLongLong();
    conflict.jobId = query.value(1).toString();
    conflict.runId = query.value(2).toLongLong();
    conflict.key = query.value(3).toString();
    conflict.sourceRecord = query.value(4).toString();
    conflict.targetRecord = query.value(5).toString();
    conflict.detectedAt = fromMsecs(query.value(6));
    conflict.status = query.value(7).toString();
    conflict.resolution = query.value(8).toString();
    conflict.resolvedRecord = query.value(9).toString();
    conflict.resolvedBy = query.value(10).toString();
    if (!query.value(11).isNull())
        conflict.resolvedAt = fromMsecs(query.value(11));
    return conflict;
}

QString jsonOrNull(const QString &text)
{
    return text.isEmpty() ? QStringLiteral("null") : text;
}

bool isSide(const QString &resolution)
{
    return resolution == QLatin1String("source") || resolution == QLatin1String("target");
}

// `count` copies of `group` joined by ", ": the VALUES list or IN list of a batch statement.
QString repeated(const QString &group, int count)
{
    QString text;
    text.reserve(count * (group.size() + 2));
    for (int i = 0; i < count; ++i) {
        if (i > 0)
            text += QLatin1String(", ");
        text += group;
    }
    return text;
}

} // namespace

// --- rejects

Result<void> SqlStateStore::addSyncRejects(const QList<SyncReject> &rejects)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "add rejected records");
    for (qsizetype i = 0; i < rejects.size(); ++i) {
        const SyncReject &reject = rejects.at(i);
        std::optional<QString> problem = jobIdProblem(reject.jobId);
        if (!problem)
            problem = jsonProblem("record", reject.record, Json::Value);
        if (!problem)
            problem = optionalJsonProblem("reasons", reject.reasons, Json::Array);
        if (problem) {
            return failure("store_invalid_argument",
                           cannot(operation,
                                  Tr::tr("reject %1 (key \"%2\"): %3")
                                      .arg(QString::number(i), reject.key, *problem)));
        }
    }
    if (rejects.isEmpty())
        return {};
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    const qint64 now = nowMsecs();
    return writeTransaction(db, operation, [&]() -> Result<void> {
        Result<QSqlQuery> insert = prepare(
            db, operation,
            QStringLiteral("INSERT INTO sync_rejects (job_id, run_id, at, record_key, record, "
                           "reasons) VALUES (?, ?, ?, ?, ?, ?)"));
        if (!insert)
            return insert.error();
        for (const SyncReject &reject : rejects) {
            insert->bindValue(0, reject.jobId);
            insert->bindValue(1, optionalId(reject.runId));
            insert->bindValue(2, reject.at.isValid() ? reject.at.toMSecsSinceEpoch() : now);
            insert->bindValue(3, textValue(reject.key));
            insert->bindValue(4, reject.record);
            insert->bindValue(5, reject.reasons.isEmpty() ? QStringLiteral("[]") : reject.reasons);
            if (Result<void> done = execPrepared(db, operation, *insert); !done)
                return done;
        }
        return {};
    });
}

Result<QList<SyncReject>> SqlStateStore::syncRejects(const QString &jobId, qint64 runId,
                                                     int limit) const
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "list rejected records");
    if (std::optional<QString> problem = limitProblem(limit))
        return failure("store_invalid_argument", cannot(operation, *problem));
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Filter filter;
    if (!jobId.isEmpty())
        filter.add("job_id", jobId);
    if (runId != 0)
        filter.add("run_id", runId);
    filter.params.append(qint64(limit));
    Result<QSqlQuery> query
        = exec(db, operation,
               QStringLiteral("SELECT %1 FROM sync_rejects%2 ORDER BY at DESC, id DESC LIMIT ?")
                   .arg(QLatin1String(rejectColumns), filter.where()),
               filter.params);
    if (!query)
        return query.error();
    QList<SyncReject> rejects;
    while (query->next())
        rejects.append(readReject(*query));
    return rejects;
}

Result<int> SqlStateStore::purgeSyncRejects(const QString &jobId)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "purge rejected records");
    if (std::optional<QString> problem = jobIdProblem(jobId))
        return failure("store_invalid_argument", cannot(operation, *problem));
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> removed
        = exec(db, operation, QStringLiteral("DELETE FROM sync_rejects WHERE job_id = ?"), {jobId});
    if (!removed)
        return removed.error();
    return qMax(0, removed->numRowsAffected());
}

// --- conflicts

Result<void> SqlStateStore::addSyncConflicts(const QList<SyncConflict> &conflicts)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "add sync conflicts");
    for (qsizetype i = 0; i < conflicts.size(); ++i) {
        const SyncConflict &conflict = conflicts.at(i);
        std::optional<QString> problem = jobIdProblem(conflict.jobId);
        if (!problem)
            problem = optionalJsonProblem("sourceRecord", conflict.sourceRecord, Json::Value);
        if (!problem)
            problem = optionalJsonProblem("targetRecord", conflict.targetRecord, Json::Value);
        if (problem) {
            return failure("store_invalid_argument",
                           cannot(operation,
                                  Tr::tr("conflict %1 (key \"%2\"): %3")
                                      .arg(QString::number(i), conflict.key, *problem)));
        }
    }
    if (conflicts.isEmpty())
        return {};
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    const qint64 now = nowMsecs();
    return writeTransaction(db, operation, [&]() -> Result<void> {
        Result<QSqlQuery> replace = prepare(
            db, operation,
            QStringLiteral("DELETE FROM sync_conflicts WHERE job_id = ? AND record_key = ? "
                           "AND status = 'open'"));
        if (!replace)
            return replace.error();
        Result<QSqlQuery> insert = prepare(
            db, operation,
            QStringLiteral("INSERT INTO sync_conflicts (job_id, run_id, record_key, "
                           "source_record, target_record, detected_at, status, resolution, "
                           "resolved_record, resolved_by, resolved_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, 'open', '', '', '', NULL)"));
        if (!insert)
            return insert.error();
        for (const SyncConflict &conflict : conflicts) {
            replace->bindValue(0, conflict.jobId);
            replace->bindValue(1, textValue(conflict.key));
            if (Result<void> done = execPrepared(db, operation, *replace); !done)
                return done;
            insert->bindValue(0, conflict.jobId);
            insert->bindValue(1, optionalId(conflict.runId));
            insert->bindValue(2, textValue(conflict.key));
            insert->bindValue(3, jsonOrNull(conflict.sourceRecord));
            insert->bindValue(4, jsonOrNull(conflict.targetRecord));
            insert->bindValue(
                5, conflict.detectedAt.isValid() ? conflict.detectedAt.toMSecsSinceEpoch() : now);
            if (Result<void> done = execPrepared(db, operation, *insert); !done)
                return done;
        }
        return {};
    });
}

Result<QList<SyncConflict>> SqlStateStore::syncConflicts(const QString &jobId,
                                                         const QString &status, int limit) const
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "list sync conflicts");
    std::optional<QString> problem = limitProblem(limit);
    if (!problem && !status.isEmpty() && status != QLatin1String("open")
        && status != QLatin1String("resolved")) {
        problem = Tr::tr("the status \"%1\" is not open or resolved").arg(status);
    }
    if (problem)
        return failure("store_invalid_argument", cannot(operation, *problem));
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Filter filter;
    if (!jobId.isEmpty())
        filter.add("job_id", jobId);
    if (!status.isEmpty())
        filter.add("status", status);
    filter.params.append(qint64(limit));
    Result<QSqlQuery> query = exec(
        db, operation,
        QStringLiteral("SELECT %1 FROM sync_conflicts%2 ORDER BY detected_at DESC, id DESC LIMIT ?")
            .arg(QLatin1String(conflictColumns), filter.where()),
        filter.params);
    if (!query)
        return query.error();
    QList<SyncConflict> conflicts;
    while (query->next())
        conflicts.append(readConflict(*query));
    return conflicts;
}

Result<std::optional<SyncConflict>> SqlStateStore::syncConflict(qint64 id) const
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> query = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "read a sync conflict"),
                                   QStringLiteral("SELECT %1 FROM sync_conflicts WHERE id = ?")
                                       .arg(QLatin1String(conflictColumns)),
                                   {id});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<SyncConflict>();
    return std::optional<SyncConflict>(readConflict(*query));
}

Result<void> SqlStateStore::resolveSyncConflict(qint64 id, const QString &resolution,
                                                const QString &resolvedRecord, const QString &actor)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "resolve a sync conflict");
    const bool custom = resolution == QLatin1String("custom");
    std::optional<QString> problem;
    if (!custom && !isSide(resolution)) {
        problem
            = Tr::tr("the resolution \"%1\" is not one of source, target, custom").arg(resolution);
    }
    if (!problem && actor.isEmpty())
        problem = Tr::tr("the actor is empty");
    if (!problem) {
        problem = custom ? jsonProblem("resolvedRecord", resolvedRecord, Json::Value)
                         : optionalJsonProblem("resolvedRecord", resolvedRecord, Json::Value);
    }
    if (problem)
        return failure("store_invalid_argument", cannot(operation, *problem));
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    return writeTransaction(db, operation, [&]() -> Result<void> {
        QString record = resolvedRecord;
        {
            Result<QSqlQuery> current = exec(
                db, operation,
                QStringLiteral("SELECT status, source_record, target_record FROM sync_conflicts "
                               "WHERE id = ?"),
                {id});
            if (!current)
                return current.error();
            if (!current->next()) {
                return failure("store_not_found",
                               cannot(operation, Tr::tr("there is no conflict %1").arg(id)));
            }
            if (current->value(0).toString() != QLatin1String("open")) {
                return failure(
                    "store_invalid_argument",
                    cannot(operation, Tr::tr("conflict %1 is resolved already").arg(id)));
            }
            if (record.isEmpty()) // "source" or "target": that side's record
                record = current->value(resolution == QLatin1String("source") ? 1 : 2).toString();
        }
        // `status = 'open'` again: on PostgreSQL a concurrent resolver may have committed since
        // the SELECT; this UPDATE then waits for it and changes nothing.
        Result<QSqlQuery> updated
            = exec(db, operation,
                   QStringLiteral("UPDATE sync_conflicts SET status = 'resolved', resolution = ?, "
                                  "resolved_record = ?, resolved_by = ?, resolved_at = ? "
                                  "WHERE id = ? AND status = 'open'"),
                   {resolution, record, actor, nowMsecs(), id});
        if (!updated)
            return updated.error();
        if (updated->numRowsAffected() < 1) {
            return failure("store_invalid_argument",
                           cannot(operation, Tr::tr("conflict %1 is resolved already").arg(id)));
        }
        return {};
    });
}

Result<int> SqlStateStore::resolveSyncConflicts(const QString &jobId, const QString &resolution,
                                                const QString &actor)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "resolve sync conflicts");
    std::optional<QString> problem = jobIdProblem(jobId);
    if (!problem && !isSide(resolution)) {
        problem = Tr::tr("the resolution \"%1\" is not source or target (a custom record "
                         "is resolved one by one)")
                      .arg(resolution);
    }
    if (!problem && actor.isEmpty())
        problem = Tr::tr("the actor is empty");
    if (problem)
        return failure("store_invalid_argument", cannot(operation, *problem));
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    // The column name comes from the two allowed values above, never from the caller's text.
    const QString column = resolution == QLatin1String("source") ? QStringLiteral("source_record")
                                                                 : QStringLiteral("target_record");
    Result<QSqlQuery> updated
        = exec(db, operation,
               QStringLiteral("UPDATE sync_conflicts SET status = 'resolved', resolution = ?, "
                              "resolved_record = %1, resolved_by = ?, resolved_at = ? "
                              "WHERE job_id = ? AND status = 'open'")
                   .arg(column),
               {resolution, actor, nowMsecs(), jobId});
    if (!updated)
        return updated.error();
    return qMax(0, updated->numRowsAffected());
}

// --- row hashes

Result<void> SqlStateStore::forEachSyncRowHash(
    const QString &jobId,
    const std::function<bool(const QString &key, const QByteArray &hash)> &visit) const
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "read row hashes");
    if (std::optional<QString> problem = jobIdProblem(jobId))
        return failure("store_invalid_argument", cannot(operation, *problem));
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    // Keyset pages: each page is read completely and its query released before visit() runs,
    // so visit() may use the store (on this thread's connection) between pages.
    QList<std::pair<QString, QByteArray>> page;
    page.reserve(rowHashPage);
    std::optional<QString> after;
    for (;;) {
        page.clear();
        {
            Result<QSqlQuery> query = after
                ? exec(db, operation,
                       QStringLiteral("SELECT record_key, hash FROM sync_row_hashes "
                                      "WHERE job_id = ? AND record_key > ? "
                                      "ORDER BY record_key LIMIT ?"),
                       {jobId, *after, qint64(rowHashPage)})
                : exec(db, operation,
                       QStringLiteral("SELECT record_key, hash FROM sync_row_hashes "
                                      "WHERE job_id = ? ORDER BY record_key LIMIT ?"),
                       {jobId, qint64(rowHashPage)});
            if (!query)
                return query.error();
            while (query->next())
                page.append({query->value(0).toString(), query->value(1).toByteArray()});
        }
        for (const auto &[key, hash] : std::as_const(page)) {
            if (!visit(key, hash))
                return {};
        }
        if (page.size() < rowHashPage)
            return {};
        after = page.constLast().first;
    }
}

Result<void> SqlStateStore::writeSyncRowHashes(const QString &jobId,
                                               const QList<std::pair<QString, QByteArray>> &upserts,
                                               const QStringList &removals)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "write row hashes");
    if (std::optional<QString> problem = jobIdProblem(jobId))
        return failure("store_invalid_argument", cannot(operation, *problem));
    // A multi-row upsert may not touch one row twice (PostgreSQL refuses): keep the last hash
    // of each key, in the callers' order.
    QHash<QString, qsizetype> lastIndex;
    lastIndex.reserve(upserts.size());
    for (qsizetype i = 0; i < upserts.size(); ++i) {
        const auto &[key, hash] = upserts.at(i);
        if (key.isEmpty() || hash.isEmpty()) {
            return failure("store_invalid_argument",
                           cannot(operation,
                                  Tr::tr("upsert %1 (key \"%2\") has an empty %3")
                                      .arg(QString::number(i), key,
                                           key.isEmpty() ? Tr::tr("key") : Tr::tr("hash"))));
        }
        lastIndex.insert(key, i);
    }
    for (qsizetype i = 0; i < removals.size(); ++i) {
        if (removals.at(i).isEmpty()) {
            return failure("store_invalid_argument",
                           cannot(operation, Tr::tr("removal %1 has an empty key").arg(i)));
        }
    }
    QList<qsizetype> rows;
    rows.reserve(lastIndex.size());
    for (qsizetype i = 0; i < upserts.size(); ++i) {
        if (lastIndex.value(upserts.at(i).first) == i)
            rows.append(i);
    }
    if (rows.isEmpty() && removals.isEmpty())
        return {};

    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    // Runs `total` rows in statements of rowHashChunk rows (the last one may be shorter); the
    // full-size statement is prepared once and reused.
    auto inChunks = [&](qsizetype total, const auto &sqlFor, const auto &bind) -> Result<void> {
        std::optional<QSqlQuery> full;
        for (qsizetype start = 0; start < total; start += rowHashChunk) {
            const int count = int(qMin<qsizetype>(rowHashChunk, total - start));
            std::optional<QSqlQuery> last;
            std::optional<QSqlQuery> &statement = count == rowHashChunk ? full : last;
            if (!statement) {
                Result<QSqlQuery> prepared = prepare(db, operation, sqlFor(count));
                if (!prepared)
                    return prepared.error();
                statement = std::move(*prepared);
            }
            bind(*statement, start, count);
            if (Result<void> done = execPrepared(db, operation, *statement); !done)
                return done;
        }
        return {};
    };
    return writeTransaction(db, operation, [&]() -> Result<void> {
        Result<void> upserted = inChunks(
            rows.size(),
            [](int count) {
                return QStringLiteral("INSERT INTO sync_row_hashes (job_id, record_key, hash) "
                                      "VALUES %1 ON CONFLICT (job_id, record_key) "
                                      "DO UPDATE SET hash = excluded.hash")
                    .arg(repeated(QStringLiteral("(?, ?, ?)"), count));
            },
            [&](QSqlQuery &statement, qsizetype start, int count) {
                for (int r = 0; r < count; ++r) {
                    const auto &[key, hash] = upserts.at(rows.at(start + r));
                    statement.bindValue(3 * r, jobId);
                    statement.bindValue(3 * r + 1, key);
                    statement.bindValue(3 * r + 2, hash);
                }
            });
        if (!upserted)
            return upserted;
        return inChunks(
            removals.size(),
            [](int count) {
                return QStringLiteral("DELETE FROM sync_row_hashes "
                                      "WHERE job_id = ? AND record_key IN (%1)")
                    .arg(repeated(QStringLiteral("?"), count));
            },
            [&](QSqlQuery &statement, qsizetype start, int count) {
                statement.bindValue(0, jobId);
                for (int r = 0; r < count; ++r)
                    statement.bindValue(1 + r, removals.at(start + r));
            });
    });
}

Result<qint64> SqlStateStore::syncRowHashCount(const QString &jobId) const
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> query
        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "count row hashes"),
               QStringLiteral("SELECT COUNT(*) FROM sync_row_hashes WHERE job_id = ?"),
               {textValue(jobId)});
    if (!query)
        return query.error();
    return query->next() ? query->value(0).toLongLong() : qint64(0);
}

Result<void> SqlStateStore::clearSyncRowHashes(const QString &jobId)
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> removed
        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "clear row hashes"),
               QStringLiteral("DELETE FROM sync_row_hashes WHERE job_id = ?"), {textValue(jobId)});
    if (!removed)
        return removed.error();
    return {};
}

} // namespace Conflux::Store::Internal
