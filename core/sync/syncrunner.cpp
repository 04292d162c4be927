// One run of a sync job: lease, read, map, resolve conflicts, write in batches, checkpoint.

#include "syncrunner.h"

#include "base/log.h"
#include "base/metrics.h"
#include "data/json.h"
#include "mapping/mappingdocument.h"
#include "recordhash.h"
#include "store/statestore.h"
#include "syncrunner_p.h"
#include "tr_p.h"

#include <QDateTime>
#include <QJsonObject>
#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QThread>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Sync {

using Connectors::Connector;
using Connectors::WriteMode;
using Connectors::WriteRequest;
using Connectors::WriteSummary;

namespace Internal {

QString jsonText(const Data::Value &value)
{
    return QString::fromUtf8(Data::Json::serialize(value));
}

Data::Value errorValue(const Error &error)
{
    Data::Object out{{u"code"_s, Data::Value(error.code)}, {u"message"_s, Data::Value(error.message)}};
    if (!error.details.isEmpty()) {
        Data::Array details;
        for (const QString &detail : error.details)
            details.emplace_back(detail);
        out.append(u"details"_s, Data::Value(std::move(details)));
    }
    return Data::Value(std::move(out));
}

bool sleepUnlessCancelled(int ms, const Connectors::CancelToken *cancel)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms) {
        if (cancel && cancel->isCancelled())
            return false;
        QThread::msleep(ulong(std::min<qint64>(50, ms - timer.elapsed())));
    }
    return !(cancel && cancel->isCancelled());
}

Result<std::unique_ptr<Connector>> openConnector(const SyncHost &host, const QString &endpointId)
{
    if (!host.connector)
        return makeError("sync_unsupported", Tr::tr("no connectors are available to this runner"));
    return host.connector(endpointId);
}

Result<WriteSummary> writeWithRetries(const SyncJobSpec &job, const SyncHost &host,
                                      std::unique_ptr<Connector> &target,
                                      const WriteRequest &request,
                                      const Connectors::CancelToken *cancel)
{
    Error last;
    for (int attempt = 0; attempt <= job.maxRetries; ++attempt) {
        if (attempt > 0) {
            const int wait = int(std::min<qint64>(30'000, qint64(host.retryBaseMs) << std::min(attempt - 1, 10)));
            Log::write(QtWarningMsg, "conflux.sync",
                       u"sync batch failed; retrying"_s,
                       {{u"job"_s, job.id}, {u"error"_s, last.toString()}, {u"attempt"_s, attempt},
                        {u"retries"_s, job.maxRetries}, {u"wait_ms"_s, wait}});
            if (!sleepUnlessCancelled(wait, cancel))
                return makeError("cancelled", Tr::tr("the run was cancelled while it waited to retry a batch"));
        }
        if (!target) {
            Result<std::unique_ptr<Connector>> created = openConnector(host, job.targetEndpoint);
            if (!created) {
                last = created.error();
                continue;
            }
            target = std::move(*created);
        }
        Result<WriteSummary> written = target->write(request);
        if (written)
            return written;
        last = written.error();
        if (last.code == "cancelled"_L1)
            return last;
        target.reset(); // a fresh connection for the next attempt
    }
    return last;
}

Result<QString> entityName(Connector &connector, const QString &named)
{
    if (!named.isEmpty())
        return named;
    Result<std::vector<Connectors::Entity>> entities = connector.discover();
    if (!entities)
        return entities.error();
    if (entities->size() != 1) {
        return makeError("sync_unsupported",
                         Tr::tr("the endpoint \"%1\" has %2 entities; name the one to use in the "
                                "job's source_object or target_object")
                             .arg(connector.endpoint().id)
                             .arg(entities->size()));
    }
    return entities->front().name;
}

} // namespace Internal

using namespace Internal;

// --- Reconciliation

double Reconciliation::accuracy() const
{
    if (sourceRecords == 0)
        return targetRecords == 0 ? 1.0 : 0.0;
    return double(matched) / double(sourceRecords);
}

Data::Value Reconciliation::toValue() const
{
    auto list = [](const QStringList &keys) {
        Data::Array out;
        for (const QString &key : keys)
            out.emplace_back(key);
        return Data::Value(std::move(out));
    };
    return Data::Value(Data::Object{
        {u"source_records"_s, Data::Value(sourceRecords)},
        {u"target_records"_s, Data::Value(targetRecords)},
        {u"matched"_s, Data::Value(matched)},
        {u"missing"_s, Data::Value(missing)},
        {u"extra"_s, Data::Value(extra)},
        {u"different"_s, Data::Value(different)},
        {u"duplicates"_s, Data::Value(duplicates)},
        {u"rejected"_s, Data::Value(rejected)},
        {u"accuracy_percent"_s, Data::Value(std::round(accuracy() * 1e6) / 1e4)},
        {u"missing_keys"_s, list(missingKeys)},
        {u"extra_keys"_s, list(extraKeys)},
        {u"different_keys"_s, list(differentKeys)},
    });
}

// --- one run

class SyncRunner::Run
{
public:
    Run(const SyncJobSpec &job, const SyncHost &host, const SyncRunOptions &options)
        : m_job(job), m_host(host), m_options(options)
    {
    }

    Result<SyncRunResult> execute();

private:
    struct Item
    {
        QString key;
        Data::Value record; // mapped
        Data::Value source;
        QByteArray hash;
    };

    Result<void> start();
    Result<void> record(); // the run record, once
    void finish();
    bool feed(std::vector<Data::Value> &&page);
    bool processBatch();
    bool reject(const Data::Value &source, const QString &key, QStringList reasons,
                QList<Store::SyncReject> &rejects);
    Result<QHash<QString, Data::Value>> targetRecords(const std::vector<Item> &items);
    bool writeItems(std::vector<Item> &items, const QList<std::pair<QString, QByteArray>> &alsoHashes);
    bool commitCheckpoint(const Data::Value &cursor);
    bool renewLease();
    bool deleteVanished();
    void stopWith(Error error, const char *status = "failed")
    {
        if (!m_stop) {
            m_stop = std::move(error);
            m_status = QLatin1StringView(status);
        }
    }
    void count(const char *result, qint64 n)
    {
        if (m_host.metrics && n > 0) {
            m_host.metrics
                ->counter(u"sync_records_total"_s,
                          u"Records handled by sync jobs, by result (read, written, skipped, "
                          "rejected, conflict, deleted)."_s,
                          {u"job"_s, u"result"_s})
                .increment({m_job.id, QLatin1StringView(result)}, double(n));
        }
    }

    const SyncJobSpec &m_job;
    const SyncHost &m_host;
    const SyncRunOptions &m_options;
    const QString m_holder = m_host.node.isEmpty() ? u"conflux"_s : m_host.node;
    std::unique_ptr<Connector> m_source, m_target;
    QString m_sourceObject, m_targetObject; // the entities, resolved
    Store::SyncRunRecord m_run;
    QElapsedTimer m_clock, m_leaseClock;
    bool m_haveLease = false;
    bool m_useHashes = false;
    QHash<QString, QByteArray> m_hashes; // what this job last wrote, by key
    QSet<QString> m_seen;                // mirror: the keys the source still has
    bool m_unknownKeyRejected = false;
    bool m_targetPreloaded = false;
    QHash<QString, Data::Value> m_targetByKey; // targets that cannot be read by key
    std::vector<Data::Value> m_pending;  // read, not yet processed
    Data::Value m_checkpoint;            // the committed cursor
    std::optional<Error> m_stop;
    QString m_status = u"succeeded"_s;
    Data::Array m_errors;
};

Result<void> SyncRunner::Run::start()
{
    if (!m_host.store)
        return makeError("sync_unsupported", Tr::tr("the runner has no state store"));
    const Store::StateStore &store = *m_host.store;
    Result<bool> leased = m_host.store->acquireSyncLease(m_job.id, m_holder, m_host.leaseTtlMs);
    if (!leased)
        return leased.error();
    if (!*leased) {
        Result<std::optional<QString>> holder = store.syncLeaseHolder(m_job.id);
        return makeError("sync_busy",
                         Tr::tr("sync job \"%1\" is running on %2")
                             .arg(m_job.id,
                                  holder && *holder ? u'"' + **holder + u'"' : Tr::tr("another node")));
    }
    m_haveLease = true;
    m_leaseClock.start();

    // Runs of this job still marked running died with their process: the lease is ours now.
    if (Result<QList<Store::SyncRunRecord>> runs = store.syncRuns(m_job.id, 20)) {
        for (Store::SyncRunRecord run : *runs) {
            if (run.status != "running"_L1)
                continue;
            run.status = u"interrupted"_s;
            run.finishedAt.reset();
            (void)m_host.store->finishSyncRun(run);
        }
    }

    if (!m_options.fullResync && !m_job.cursorField.isEmpty() && !m_options.records) {
        Result<std::optional<Store::SyncCheckpoint>> saved = store.syncCheckpoint(m_job.id);
        if (!saved)
            return saved.error();
        if (*saved) {
            Result<Data::Value> cursor = Data::Json::parse((*saved)->cursor.toUtf8());
            if (!cursor)
                return cursor.error();
            m_checkpoint = std::move(*cursor);
        }
    }

    Result<std::unique_ptr<Connector>> target = openConnector(m_host, m_job.targetEndpoint);
    if (!target)
        return target.error();
    m_target = std::move(*target);
    Result<QString> targetObject = entityName(*m_target, m_job.targetObject);
    if (!targetObject)
        return targetObject.error();
    m_targetObject = *targetObject;
    const Connectors::Capabilities caps = m_target->capabilities();
    if (m_job.writeMode == SyncWriteMode::Insert && !(caps & Connectors::Capability::Insert))
        return makeError("sync_unsupported",
                         Tr::tr("the target endpoint \"%1\" cannot insert records").arg(m_job.targetEndpoint));
    if (m_job.writeMode != SyncWriteMode::Insert && !(caps & Connectors::Capability::Upsert))
        return makeError("sync_unsupported",
                         Tr::tr("the target endpoint \"%1\" cannot upsert records by key; use write_mode insert")
                             .arg(m_job.targetEndpoint));
    if (m_job.writeMode == SyncWriteMode::Mirror && !(caps & Connectors::Capability::Delete))
        return makeError("sync_unsupported",
                         Tr::tr("the target endpoint \"%1\" cannot delete records, which mirror needs")
                             .arg(m_job.targetEndpoint));
    if (!m_options.records) {
        Result<std::unique_ptr<Connector>> source = openConnector(m_host, m_job.sourceEndpoint);
        if (!source)
            return source.error();
        m_source = std::move(*source);
        Result<QString> sourceObject = entityName(*m_source, m_job.sourceObject);
        if (!sourceObject)
            return sourceObject.error();
        m_sourceObject = *sourceObject;
        if (!m_job.cursorField.isEmpty()
            && !(m_source->capabilities() & Connectors::Capability::IncrementalRead))
            return makeError("sync_unsupported",
                             Tr::tr("the source endpoint \"%1\" cannot read incrementally by a cursor field")
                                 .arg(m_job.sourceEndpoint));
    }

    // Row hashes: change detection without a cursor, conflicts (what this job last wrote) and
    // mirror deletes.
    m_useHashes = m_job.keyFields.size() > 0
        && (m_job.cursorField.isEmpty() || m_job.conflictPolicy != ConflictPolicy::SourceWins);
    if (m_useHashes) {
        Result<void> loaded = store.forEachSyncRowHash(m_job.id, [this](const QString &key, const QByteArray &hash) {
            m_hashes.insert(key, hash);
            return true;
        });
        if (!loaded)
            return loaded.error();
    }

    m_run.jobId = m_job.id;
    m_run.node = m_holder;
    m_run.trigger = m_options.trigger;
    m_run.checkpointBefore = m_checkpoint.isUndefined() ? QString() : jsonText(m_checkpoint);
    if (m_options.recordEmptyRun)
        return record();
    return {};
}

Result<void> SyncRunner::Run::record()
{
    if (m_run.id != 0)
        return {};
    Result<qint64> id = m_host.store->startSyncRun(m_run);
    if (!id)
        return id.error();
    m_run.id = *id;
    return {};
}

bool SyncRunner::Run::renewLease()
{
    if (m_leaseClock.elapsed() < m_host.leaseTtlMs / 3)
        return true;
    Result<bool> renewed = m_host.store->acquireSyncLease(m_job.id, m_holder, m_host.leaseTtlMs);
    if (!renewed) {
        stopWith(renewed.error());
        return false;
    }
    if (!*renewed) {
        stopWith(makeError("sync_lease_lost",
                           Tr::tr("the lease of sync job \"%1\" expired and another node took it; "
                                  "this run stops")
                               .arg(m_job.id)));
        return false;
    }
    m_leaseClock.restart();
    return true;
}

bool SyncRunner::Run::reject(const Data::Value &source, const QString &key, QStringList reasons,
                             QList<Store::SyncReject> &rejects)
{
    Store::SyncReject r;
    r.jobId = m_job.id;
    r.runId = m_run.id;
    r.key = key;
    r.record = jsonText(source.isUndefined() ? Data::Value::null() : source);
    Data::Array list;
    for (const QString &reason : reasons)
        list.emplace_back(reason);
    r.reasons = jsonText(Data::Value(std::move(list)));
    rejects.append(std::move(r));
    if (key.isEmpty())
        m_unknownKeyRejected = true;
    else
        m_seen.insert(key);
    return true;
}

bool SyncRunner::Run::feed(std::vector<Data::Value> &&page)
{
    if (m_pending.empty())
        m_pending = std::move(page);
    else
        std::move(page.begin(), page.end(), std::back_inserter(m_pending));
    while (qsizetype(m_pending.size()) >= m_job.batchSize) {
        if (!processBatch())
            return false;
    }
    return true;
}

Result<QHash<QString, Data::Value>> SyncRunner::Run::targetRecords(const std::vector<Item> &items)
{
    QHash<QString, Data::Value> out;
    auto keep = [&](const Data::Value &record) {
        if (Result<QString> key = recordKey(record, m_job.keyFields))
            out.insert(*key, record);
    };
    if (m_target->endpoint().protocol == Connectors::Protocol::Sql) {
        // IN lists per key field; composite keys are matched exactly afterwards.
        Data::Object filter;
        for (qsizetype f = 0; f < m_job.keyFields.size(); ++f) {
            Data::Array values;
            QSet<QString> distinct;
            for (const Item &item : items) {
                const Data::Value &v = item.record[m_job.keyFields[f]];
                if (!distinct.contains(jsonText(v))) {
                    distinct.insert(jsonText(v));
                    values.push_back(v);
                }
            }
            filter.append(m_job.keyFields[f], Data::Value(std::move(values)));
        }
        Connectors::ReadRequest request;
        request.entity = m_targetObject;
        request.filter = Data::Value(std::move(filter));
        request.cancel = m_options.cancel;
        Result<Connectors::ReadSummary> read = m_target->read(request, [&](std::vector<Data::Value> &&page) {
            for (const Data::Value &record : page)
                keep(record);
            return true;
        });
        if (!read)
            return read.error();
        return out;
    }
    if (!m_targetPreloaded) { // no reads by key: the whole target, once per run
        Connectors::ReadRequest request;
        request.entity = m_targetObject;
        request.cancel = m_options.cancel;
        Result<Connectors::ReadSummary> read = m_target->read(request, [&](std::vector<Data::Value> &&page) {
            for (const Data::Value &record : page) {
                if (Result<QString> key = recordKey(record, m_job.keyFields))
                    m_targetByKey.insert(*key, record);
            }
            return true;
        });
        if (!read)
            return read.error();
        m_targetPreloaded = true;
    }
    for (const Item &item : items) {
        auto it = m_targetByKey.constFind(item.key);
        if (it != m_targetByKey.constEnd())
            out.insert(item.key, *it);
    }
    return out;
}

bool SyncRunner::Run::processBatch()
{
    if (m_options.cancel && m_options.cancel->isCancelled()) {
        stopWith(makeError("cancelled", Tr::tr("the run was cancelled")), "cancelled");
        return false;
    }
    const qsizetype n = std::min<qsizetype>(qsizetype(m_pending.size()), m_job.batchSize);
    if (n == 0)
        return true;
    if (Result<void> recorded = record(); !recorded) {
        stopWith(recorded.error());
        return false;
    }
    std::vector<Data::Value> batch(std::make_move_iterator(m_pending.begin()),
                                   std::make_move_iterator(m_pending.begin() + n));
    m_pending.erase(m_pending.begin(), m_pending.begin() + n);

    // The cursor this batch completes: the last value strictly before the batch's last one
    // (records sharing the last value may go on in the next batch).
    Data::Value safeCursor;
    if (!m_job.cursorField.isEmpty() && !m_options.records) {
        const Data::Value &last = batch.back()[m_job.cursorField];
        for (qsizetype i = n - 1; i >= 0; --i) {
            const Data::Value &c = batch[size_t(i)][m_job.cursorField];
            if (compareValues(c, last) != 0) {
                if (!c.isNull() && !c.isUndefined())
                    safeCursor = c;
                break;
            }
        }
    }

    QList<Store::SyncReject> rejects;
    std::vector<Item> items;
    items.reserve(size_t(n));
    QHash<QString, qsizetype> indexOf;
    for (Data::Value &source : batch) {
        ++m_run.read;
        if (!source.isObject()) {
            reject(source, {}, {Tr::tr("the source record is %1, not an object")
                                    .arg(QLatin1StringView(source.typeName()))},
                   rejects);
            continue;
        }
        Data::Value record;
        if (m_host.mapping) {
            Mapping::MappedRecord mapped = m_host.mapping->map(source, m_host.variables);
            if (!mapped.isValid()) {
                QStringList reasons;
                for (const Mapping::FieldViolation &v : mapped.violations)
                    reasons << (v.field.isEmpty() ? v.message : v.field + u": "_s + v.message);
                QString key;
                if (!m_job.keyFields.isEmpty()) {
                    if (Result<QString> k = recordKey(mapped.output, m_job.keyFields))
                        key = *k;
                }
                reject(source, key, reasons, rejects);
                continue;
            }
            record = std::move(mapped.output);
        } else {
            record = source;
        }
        Item item;
        if (!m_job.keyFields.isEmpty()) {
            Result<QString> key = recordKey(record, m_job.keyFields);
            if (!key) {
                reject(source, {}, {key.error().message}, rejects);
                continue;
            }
            item.key = std::move(*key);
            if (m_job.writeMode == SyncWriteMode::Mirror)
                m_seen.insert(item.key);
        }
        if (m_useHashes)
            item.hash = recordHash(record, fieldsOf(record));
        item.record = std::move(record);
        item.source = std::move(source);
        if (!item.key.isEmpty()) {
            auto it = indexOf.constFind(item.key);
            if (it != indexOf.constEnd()) { // the same key twice in a batch: the later wins
                items[size_t(*it)] = std::move(item);
                continue;
            }
            indexOf.insert(item.key, qsizetype(items.size()));
        }
        items.push_back(std::move(item));
    }

    if (!rejects.isEmpty()) {
        if (Result<void> added = m_host.store->addSyncRejects(rejects); !added) {
            stopWith(added.error());
            return false;
        }
        m_run.rejected += rejects.size();
        count("rejected", rejects.size());
        if (double(m_run.rejected) > m_job.validationFailureThreshold * double(m_run.read)) {
            stopWith(makeError("validation_threshold_exceeded",
                               Tr::tr("%1 of %2 records were rejected, more than the job's "
                                      "validation_failure_threshold of %3%; the batch with the "
                                      "last rejects was not written")
                                   .arg(m_run.rejected)
                                   .arg(m_run.read)
                                   .arg(m_job.validationFailureThreshold * 100)));
            return false;
        }
    }

    // Unchanged since this job last wrote them (row hashes): nothing to do.
    QList<std::pair<QString, QByteArray>> settled; // hashes to store without a write
    if (m_useHashes && !m_options.fullResync) {
        std::erase_if(items, [&](const Item &item) {
            if (item.key.isEmpty() || sourcePart(m_hashes.value(item.key)) != item.hash)
                return false;
            ++m_run.skipped;
            return true;
        });
    }

    if (m_job.conflictPolicy != ConflictPolicy::SourceWins && !items.empty()) {
        Result<QHash<QString, Data::Value>> targets = targetRecords(items);
        if (!targets) {
            stopWith(targets.error());
            return false;
        }
        QList<Store::SyncConflict> conflicts;
        std::erase_if(items, [&](const Item &item) {
            auto found = targets->constFind(item.key);
            if (found == targets->constEnd())
                return false; // not in the target (any more): write it
            const QByteArray targetHash = recordHash(*found, fieldsOf(item.record));
            if (targetHash == item.hash) { // already what the source says
                ++m_run.skipped;
                settled.append({item.key, item.hash});
                return true;
            }
            auto last = m_hashes.constFind(item.key);
            if (last != m_hashes.constEnd() && targetPart(*last) == targetHash)
                return false; // the target did not change since this job wrote it
            ++m_run.conflicts;
            switch (m_job.conflictPolicy) {
            case ConflictPolicy::SourceWins:
                return false;
            case ConflictPolicy::NewestWins:
                if (compareValues(item.record[m_job.timestampField],
                                  (*found)[m_job.timestampField])
                    > 0)
                    return false;
                settled.append({item.key, rowHash(item.hash, targetHash)});
                return true;
            case ConflictPolicy::TargetWins: // the target's version is the agreed one
                settled.append({item.key, rowHash(item.hash, targetHash)});
                return true;
            case ConflictPolicy::Manual: {
                Store::SyncConflict c;
                c.jobId = m_job.id;
                c.runId = m_run.id;
                c.key = item.key;
                c.sourceRecord = jsonText(item.record);
                c.targetRecord = jsonText(*found);
                conflicts.append(std::move(c));
                return true;
            }
            }
            return false;
        });
        count("conflict", conflicts.size());
        if (!conflicts.isEmpty()) {
            if (Result<void> added = m_host.store->addSyncConflicts(conflicts); !added) {
                stopWith(added.error());
                return false;
            }
        }
    }

    if (!writeItems(items, settled))
        return false;
    if (!safeCursor.isUndefined() && !commitCheckpoint(safeCursor))
        return false;
    return renewLease();
}

bool SyncRunner::Run::writeItems(std::vector<Item> &items,
                                 const QList<std::pair<QString, QByteArray>> &alsoHashes)
{
    if (!items.empty()) {
        WriteRequest request;
        request.entity = m_targetObject;
        request.mode = m_job.writeMode == SyncWriteMode::Insert ? WriteMode::Insert : WriteMode::Upsert;
        request.keyFields = m_job.keyFields;
        request.cancel = m_options.cancel;
        request.records.reserve(items.size());
        for (const Item &item : items)
            request.records.push_back(item.record);
        Result<WriteSummary> written = writeWithRetries(m_job, m_host, m_target, request, m_options.cancel);
        if (!written) {
            const Error &e = written.error();
            if (e.code == "cancelled"_L1) {
                stopWith(e, "cancelled");
            } else {
                Error failed = makeError(
                    "sync_write_failed",
                    Tr::tr("a batch of %1 records could not be written to \"%2\" after %3 attempts; "
                           "nothing of it was committed and the checkpoint still stands")
                        .arg(items.size())
                        .arg(m_job.targetEndpoint)
                        .arg(m_job.maxRetries + 1),
                    {u"[%1] %2"_s.arg(e.code, e.toString())});
                stopWith(failed);
            }
            return false;
        }
        m_run.written += written->inserted + written->updated;
        m_run.skipped += written->unchanged;
        count("written", written->inserted + written->updated);
        count("skipped", written->unchanged);
    }
    if (m_useHashes) {
        QList<std::pair<QString, QByteArray>> upserts = alsoHashes;
        for (const Item &item : items) {
            if (!item.key.isEmpty())
                upserts.append({item.key, item.hash});
        }
        if (!upserts.isEmpty()) {
            if (Result<void> saved = m_host.store->writeSyncRowHashes(m_job.id, upserts, {}); !saved) {
                stopWith(saved.error());
                return false;
            }
            for (const auto &[key, hash] : std::as_const(upserts))
                m_hashes.insert(key, hash);
        }
    }
    return true;
}

bool SyncRunner::Run::commitCheckpoint(const Data::Value &cursor)
{
    if (compareValues(cursor, m_checkpoint) == 0 && !m_checkpoint.isUndefined())
        return true;
    Store::SyncCheckpoint checkpoint;
    checkpoint.jobId = m_job.id;
    checkpoint.cursor = jsonText(cursor);
    checkpoint.runId = m_run.id;
    if (Result<void> saved = m_host.store->saveSyncCheckpoint(checkpoint); !saved) {
        stopWith(saved.error());
        return false;
    }
    m_checkpoint = cursor;
    return true;
}

bool SyncRunner::Run::deleteVanished()
{
    if (m_unknownKeyRejected) {
        m_errors.push_back(errorValue(makeError(
            "sync_deletes_skipped",
            Tr::tr("mirror deletes were skipped: a rejected record had no key, so the run cannot "
                   "tell which target rows the source still has"))));
        return true;
    }
    QStringList vanished;
    for (auto it = m_hashes.constBegin(); it != m_hashes.constEnd(); ++it) {
        if (!m_seen.contains(it.key()))
            vanished.append(it.key());
    }
    vanished.sort();
    for (qsizetype from = 0; from < vanished.size(); from += m_job.batchSize) {
        const QStringList keys = vanished.mid(from, m_job.batchSize);
        WriteRequest request;
        request.entity = m_targetObject;
        request.mode = WriteMode::Delete;
        request.keyFields = m_job.keyFields;
        request.cancel = m_options.cancel;
        for (const QString &key : keys) {
            Result<Data::Value> values = keyValues(key, m_job.keyFields);
            if (!values) {
                stopWith(values.error());
                return false;
            }
            request.records.push_back(std::move(*values));
        }
        Result<WriteSummary> deleted = writeWithRetries(m_job, m_host, m_target, request, m_options.cancel);
        if (!deleted) {
            stopWith(makeError("sync_write_failed",
                               Tr::tr("%1 records that left the source could not be deleted from \"%2\"")
                                   .arg(keys.size())
                                   .arg(m_job.targetEndpoint),
                               {u"[%1] %2"_s.arg(deleted.error().code, deleted.error().toString())}));
            return false;
        }
        m_run.deleted += deleted->deleted;
        count("deleted", deleted->deleted);
        if (Result<void> saved = m_host.store->writeSyncRowHashes(m_job.id, {}, keys); !saved) {
            stopWith(saved.error());
            return false;
        }
        for (const QString &key : keys)
            m_hashes.remove(key);
        if (!renewLease())
            return false;
    }
    return true;
}

void SyncRunner::Run::finish()
{
    if (m_stop)
        m_errors.push_back(errorValue(*m_stop));
    if (m_run.id == 0 && (m_stop || !m_errors.empty())) // a failure is always recorded
        (void)record();
    if (m_run.id == 0) { // nothing read, nothing to record
        m_run.status = m_status;
        if (m_haveLease)
            (void)m_host.store->releaseSyncLease(m_job.id, m_holder);
        return;
    }
    m_run.status = m_status;
    m_run.checkpointAfter = m_checkpoint.isUndefined() ? QString() : jsonText(m_checkpoint);
    m_run.errors = m_errors.empty() ? QString() : jsonText(Data::Value(m_errors));
    if (Result<void> finished = m_host.store->finishSyncRun(m_run); !finished)
        Log::write(QtWarningMsg, "conflux.sync", u"the sync run could not be recorded as finished"_s,
                   {{u"job"_s, m_job.id}, {u"run"_s, m_run.id}, {u"error"_s, finished.error().toString()}});
    if (Result<std::optional<Store::SyncRunRecord>> stored = m_host.store->syncRun(m_run.id);
        stored && *stored)
        m_run = **stored;
    const double seconds = double(m_clock.elapsed()) / 1000.0;
    if (m_host.metrics) {
        m_host.metrics
            ->histogram(u"sync_run_duration_seconds"_s, u"Duration of sync runs, by job and status."_s,
                        {u"job"_s, u"status"_s},
                        {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600})
            .observe({m_job.id, m_run.status}, seconds);
        if (m_run.status == "succeeded"_L1)
            setSyncLag(m_host.metrics, m_job.id, seconds);
    }
    if (m_haveLease)
        (void)m_host.store->releaseSyncLease(m_job.id, m_holder);
}

Result<SyncRunResult> SyncRunner::Run::execute()
{
    m_clock.start();
    if (Result<void> started = start(); !started) {
        if (m_haveLease && m_run.id == 0)
            (void)m_host.store->releaseSyncLease(m_job.id, m_holder);
        return started.error();
    }
    Log::write(QtInfoMsg, "conflux.sync", u"sync run started"_s,
               {{u"job"_s, m_job.id}, {u"run"_s, m_run.id}, {u"trigger"_s, m_run.trigger}});

    bool complete = false;
    if (m_options.records) {
        std::vector<Data::Value> records = *m_options.records;
        complete = feed(std::move(records));
        while (complete && !m_pending.empty())
            complete = processBatch();
    } else {
        Connectors::ReadRequest request;
        request.entity = m_sourceObject;
        request.cursorField = m_job.cursorField;
        request.cursorAfter = m_checkpoint;
        request.pageSize = m_job.batchSize;
        request.cancel = m_options.cancel;
        // A consuming source (a queue) is written page by page inside the read: the page is
        // acknowledged when the sink returns, so it must be committed by then — or refused.
        const bool consuming = bool(m_source->capabilities() & Connectors::Capability::ConsumingRead);
        request.giveBackRefusedPage = consuming;
        Result<Connectors::ReadSummary> read = m_source->read(request, [this, consuming](std::vector<Data::Value> &&page) {
            if (!feed(std::move(page)))
                return false;
            while (consuming && !m_pending.empty()) {
                if (!processBatch())
                    return false;
            }
            return true;
        });
        if (!read) {
            if (read.error().code == "cancelled"_L1)
                stopWith(read.error(), "cancelled");
            else
                stopWith(read.error());
        } else if (!m_stop) {
            complete = true;
            while (complete && !m_pending.empty())
                complete = processBatch();
            // The whole read is committed: the checkpoint is its last cursor.
            if (complete && !m_job.cursorField.isEmpty() && !read->lastCursor.isNull()
                && !read->lastCursor.isUndefined())
                complete = commitCheckpoint(read->lastCursor);
        }
    }
    count("read", m_run.read);
    if (complete && m_job.writeMode == SyncWriteMode::Mirror && !m_options.records)
        deleteVanished();
    finish();
    Log::write(QtInfoMsg, "conflux.sync", u"sync run finished"_s,
               {{u"job"_s, m_job.id}, {u"run"_s, m_run.id}, {u"status"_s, m_run.status},
                {u"read"_s, m_run.read}, {u"written"_s, m_run.written}, {u"skipped"_s, m_run.skipped},
                {u"rejected"_s, m_run.rejected}, {u"conflicts"_s, m_run.conflicts},
                {u"deleted"_s, m_run.deleted}});
    SyncRunResult result;
    result.run = m_run;
    result.error = m_stop;
    return result;
}

// --- SyncRunner

void setSyncLag(MetricsRegistry *metrics, const QString &jobId, double seconds)
{
    if (!metrics)
        return;
    metrics
        ->gauge(u"sync_lag_seconds"_s,
                u"Seconds since the source was last read completely into the target (the start "
                "of the job's last successful run)."_s,
                {u"job"_s})
        .set({jobId}, seconds);
}

SyncRunner::SyncRunner(SyncJobSpec job, SyncHost host) : m_job(std::move(job)), m_host(std::move(host)) { }

Result<SyncRunResult> SyncRunner::run(const SyncRunOptions &options)
{
    Run run(m_job, m_host, options);
    return run.execute();
}

} // namespace Conflux::Sync
