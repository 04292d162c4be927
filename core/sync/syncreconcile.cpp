// Reconciliation: the whole source, mapped, against the whole target, by key and by the hash
// of the mapped fields.

#include "syncrunner.h"

#include "base/metrics.h"
#include "mapping/mappingdocument.h"
#include "recordhash.h"
#include "store/statestore.h"
#include "syncrunner_p.h"
#include "tr_p.h"

#include <QHash>

#include <vector>

using namespace Qt::StringLiterals;

namespace Conflux::Sync {

using namespace Internal;

Result<Reconciliation> SyncRunner::reconcile(const Connectors::CancelToken *cancel, bool store)
{
    if (m_job.keyFields.isEmpty())
        return makeError("sync_unsupported",
                         Tr::tr("sync job \"%1\" has no key_fields, which reconciliation compares by")
                             .arg(m_job.id));
    Result<std::unique_ptr<Connectors::Connector>> source = openConnector(m_host, m_job.sourceEndpoint);
    if (!source)
        return source.error();
    Result<std::unique_ptr<Connectors::Connector>> target = openConnector(m_host, m_job.targetEndpoint);
    if (!target)
        return target.error();

    Result<QString> sourceObject = entityName(**source, m_job.sourceObject);
    if (!sourceObject)
        return sourceObject.error();
    Result<QString> targetObject = entityName(**target, m_job.targetObject);
    if (!targetObject)
        return targetObject.error();

    // The mapped source: key → hash of its mapped fields (and which fields those are).
    struct Expected
    {
        QByteArray hash;
        qsizetype fields = 0; // index into fieldSets
        bool seen = false;
    };
    QHash<QString, Expected> expected;
    std::vector<QStringList> fieldSets;
    QHash<QString, qsizetype> fieldSetIndex;
    Reconciliation r;

    Connectors::ReadRequest readSource;
    readSource.entity = *sourceObject;
    readSource.pageSize = m_job.batchSize;
    readSource.cancel = cancel;
    Result<Connectors::ReadSummary> read = (*source)->read(readSource, [&](std::vector<Data::Value> &&page) {
        for (const Data::Value &record : page) {
            Data::Value mapped;
            if (m_host.mapping) {
                Mapping::MappedRecord out = m_host.mapping->map(record, m_host.variables);
                if (!out.isValid()) {
                    ++r.rejected;
                    continue;
                }
                mapped = std::move(out.output);
            } else {
                mapped = record;
            }
            Result<QString> key = recordKey(mapped, m_job.keyFields);
            if (!key) {
                ++r.rejected;
                continue;
            }
            const QStringList fields = fieldsOf(mapped);
            const QString signature = fields.join(u'\x1f');
            auto index = fieldSetIndex.constFind(signature);
            if (index == fieldSetIndex.constEnd()) {
                index = fieldSetIndex.insert(signature, qsizetype(fieldSets.size()));
                fieldSets.push_back(fields);
            }
            expected.insert(*key, Expected{recordHash(mapped, fields), *index, false});
        }
        return true;
    });
    if (!read)
        return read.error();
    r.sourceRecords = expected.size();

    Connectors::ReadRequest readTarget;
    readTarget.entity = *targetObject;
    readTarget.pageSize = m_job.batchSize;
    readTarget.cancel = cancel;
    QSet<QString> targetKeys;
    auto note = [](QStringList &list, const QString &key) {
        if (list.size() < 20)
            list.append(key);
    };
    read = (*target)->read(readTarget, [&](std::vector<Data::Value> &&page) {
        for (const Data::Value &record : page) {
            ++r.targetRecords;
            Result<QString> key = recordKey(record, m_job.keyFields);
            if (!key) {
                ++r.extra;
                continue;
            }
            auto it = expected.find(*key);
            if (it == expected.end()) {
                ++r.extra;
                note(r.extraKeys, *key);
                continue;
            }
            if (it->seen) {
                ++r.duplicates;
                continue;
            }
            it->seen = true;
            if (recordHash(record, fieldSets[size_t(it->fields)]) == it->hash) {
                ++r.matched;
            } else {
                ++r.different;
                note(r.differentKeys, *key);
            }
        }
        return true;
    });
    if (!read)
        return read.error();
    QStringList missing;
    for (auto it = expected.constBegin(); it != expected.constEnd(); ++it) {
        if (!it->seen)
            missing.append(it.key());
    }
    r.missing = missing.size();
    missing.sort();
    r.missingKeys = missing.mid(0, 20);
    r.differentKeys.sort();
    r.extraKeys.sort();

    if (m_host.metrics) {
        m_host.metrics
            ->gauge(u"sync_accuracy_ratio"_s,
                    u"Share of source records found in the target with the mapped values at the "
                    "job's last reconciliation."_s,
                    {u"job"_s})
            .set({m_job.id}, r.accuracy());
    }
    if (store && m_host.store) {
        Result<QList<Store::SyncRunRecord>> runs = m_host.store->syncRuns(m_job.id, 1);
        if (!runs)
            return runs.error();
        if (!runs->isEmpty()) {
            if (Result<void> saved = m_host.store->setSyncRunReconciliation(runs->front().id, jsonText(r.toValue()));
                !saved)
                return saved.error();
        }
    }
    return r;
}

} // namespace Conflux::Sync
