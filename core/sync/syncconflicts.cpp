// Deciding manual conflicts: the chosen record is written to the target, then the conflict is
// marked resolved.

#include "syncrunner.h"

#include "data/json.h"
#include "recordhash.h"
#include "store/statestore.h"
#include "syncrunner_p.h"
#include "tr_p.h"

using namespace Qt::StringLiterals;

namespace Conflux::Sync {

using namespace Internal;

namespace {

Result<Data::Value> parsed(const QString &text)
{
    if (text.isEmpty())
        return Data::Value::null();
    return Data::Json::parse(text.toUtf8());
}

} // namespace

Result<int> SyncRunner::resolveConflicts(const QString &resolution, const QString &actor)
{
    if (resolution != "source"_L1 && resolution != "target"_L1)
        return makeError("store_invalid_argument",
                         Tr::tr("a bulk resolution is \"source\" or \"target\", not \"%1\"").arg(resolution));
    if (!m_host.store)
        return makeError("sync_unsupported", Tr::tr("the runner has no state store"));
    int resolved = 0;
    for (;;) {
        Result<QList<Store::SyncConflict>> open
            = m_host.store->syncConflicts(m_job.id, u"open"_s, std::max(1, m_job.batchSize));
        if (!open)
            return open.error();
        if (open->isEmpty())
            return resolved;
        std::unique_ptr<Connectors::Connector> target;
        Result<QString> targetObject = [&]() -> Result<QString> {
            Result<std::unique_ptr<Connectors::Connector>> created = openConnector(m_host, m_job.targetEndpoint);
            if (!created)
                return created.error();
            target = std::move(*created);
            return entityName(*target, m_job.targetObject);
        }();
        if (!targetObject)
            return targetObject.error();

        Connectors::WriteRequest request;
        request.entity = *targetObject;
        request.mode = Connectors::WriteMode::Upsert;
        request.keyFields = m_job.keyFields;
        QList<std::pair<QString, QByteArray>> hashes;
        for (const Store::SyncConflict &c : std::as_const(*open)) {
            Result<Data::Value> source = parsed(c.sourceRecord);
            Result<Data::Value> current = parsed(c.targetRecord);
            if (!source || !current)
                return makeError("sync_invalid_conflict", Tr::tr("conflict %1 holds a record that is not JSON").arg(c.id));
            const QStringList fields = fieldsOf(*source);
            const QByteArray sourceHash = recordHash(*source, fields);
            if (resolution == "source"_L1) {
                request.records.push_back(*source);
                hashes.append({c.key, sourceHash});
            } else {
                hashes.append({c.key, rowHash(sourceHash, recordHash(*current, fields))});
            }
        }
        if (!request.records.empty()) {
            Result<Connectors::WriteSummary> written
                = writeWithRetries(m_job, m_host, target, request, nullptr);
            if (!written)
                return written.error();
        }
        if (Result<void> saved = m_host.store->writeSyncRowHashes(m_job.id, hashes, {}); !saved)
            return saved.error();
        for (const Store::SyncConflict &c : std::as_const(*open)) {
            Result<void> done = m_host.store->resolveSyncConflict(c.id, resolution, QString(), actor);
            if (!done && done.error().code != "store_not_found"_L1 // replaced meanwhile by a newer one
                && done.error().code != "store_invalid_argument"_L1) // resolved by someone else
                return done.error();
            if (done)
                ++resolved;
        }
    }
}

Result<void> SyncRunner::resolveConflict(qint64 conflictId, const QString &resolution,
                                         const Data::Value &record, const QString &actor)
{
    if (!m_host.store)
        return makeError("sync_unsupported", Tr::tr("the runner has no state store"));
    Result<std::optional<Store::SyncConflict>> found = m_host.store->syncConflict(conflictId);
    if (!found)
        return found.error();
    if (!*found)
        return makeError("store_not_found", Tr::tr("there is no conflict %1").arg(conflictId));
    const Store::SyncConflict &c = **found;
    if (c.jobId != m_job.id)
        return makeError("sync_invalid_conflict",
                         Tr::tr("conflict %1 belongs to sync job \"%2\", not \"%3\"").arg(conflictId).arg(c.jobId, m_job.id));
    if (c.status != "open"_L1)
        return makeError("store_invalid_argument", Tr::tr("conflict %1 is resolved already").arg(conflictId));
    Result<Data::Value> source = parsed(c.sourceRecord);
    Result<Data::Value> current = parsed(c.targetRecord);
    if (!source || !current)
        return makeError("sync_invalid_conflict", Tr::tr("conflict %1 holds a record that is not JSON").arg(conflictId));

    Data::Value chosen;
    QString resolvedRecord;
    if (resolution == "source"_L1) {
        chosen = *source;
    } else if (resolution == "target"_L1) {
        chosen = *current;
    } else if (resolution == "custom"_L1) {
        if (!record.isObject())
            return makeError("sync_invalid_conflict", Tr::tr("a custom resolution needs the record to write, as an object"));
        Result<QString> key = recordKey(record, m_job.keyFields);
        if (!key)
            return makeError("sync_invalid_conflict", Tr::tr("the custom record: %1").arg(key.error().message));
        if (*key != c.key)
            return makeError("sync_invalid_conflict",
                             Tr::tr("the custom record's key %1 is not the conflict's key %2").arg(*key, c.key));
        chosen = record;
        resolvedRecord = jsonText(record);
    } else {
        return makeError("store_invalid_argument",
                         Tr::tr("the resolution \"%1\" is not one of source, target, custom").arg(resolution));
    }

    const QStringList fields = fieldsOf(resolution == "custom"_L1 ? chosen : *source);
    if (resolution != "target"_L1) {
        Result<std::unique_ptr<Connectors::Connector>> created = openConnector(m_host, m_job.targetEndpoint);
        if (!created)
            return created.error();
        std::unique_ptr<Connectors::Connector> target = std::move(*created);
        Result<QString> targetObject = entityName(*target, m_job.targetObject);
        if (!targetObject)
            return targetObject.error();
        Connectors::WriteRequest request;
        request.entity = *targetObject;
        request.mode = Connectors::WriteMode::Upsert;
        request.keyFields = m_job.keyFields;
        request.records.push_back(chosen);
        Result<Connectors::WriteSummary> written = writeWithRetries(m_job, m_host, target, request, nullptr);
        if (!written)
            return written.error();
    }
    // The source as it was decided on, and what the target holds now.
    const QByteArray hash = rowHash(recordHash(*source, fieldsOf(*source)), recordHash(chosen, fields));
    if (Result<void> saved = m_host.store->writeSyncRowHashes(m_job.id, {{c.key, hash}}, {});
        !saved)
        return saved.error();
    return m_host.store->resolveSyncConflict(conflictId, resolution, resolvedRecord, actor);
}

} // namespace Conflux::Sync
