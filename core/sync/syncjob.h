#pragma once

#include "base/result.h"
#include "sync/cronschedule.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

// A sync job as the engine runs it: the typed form of a SyncJob document (sync/<id>.json,
// resources/schemas/syncjob.schema.json; docs/sync.md). The project loader has validated the
// document against its schema; fromDocument() adds what a schema cannot say (a schedule that
// parses, a time zone that exists) and the defaults.

namespace Conflux::Sync {

enum class SyncStrategy : quint8 { Batch, Scheduled, RealTime, EventDriven };
enum class SyncWriteMode : quint8 { Insert, Upsert, Mirror };
enum class ConflictPolicy : quint8 { SourceWins, TargetWins, NewestWins, Manual };

struct SyncJobSpec
{
    QString id;
    QString name;
    QString sourceEndpoint;
    QString targetEndpoint;
    QString mapping;              // data_mapping; empty: records are written as read
    QString sourceObject;         // the entity to read (table, entity set, resource, queue)
    QString targetObject;         // the entity to write
    SyncStrategy strategy = SyncStrategy::Batch;
    std::optional<CronSchedule> schedule; // scheduled jobs
    MisfirePolicy misfirePolicy = MisfirePolicy::RunOnce;
    QString sourceQueue;          // event_driven
    int pollIntervalMs = 1000;    // real_time polling
    QStringList keyFields;        // target keys (upsert, mirror, conflicts)
    QString cursorField;          // incremental reads; empty: change detection by row hash
    int batchSize = 1000;
    SyncWriteMode writeMode = SyncWriteMode::Upsert;
    ConflictPolicy conflictPolicy = ConflictPolicy::SourceWins;
    QString timestampField;       // newest_wins
    double validationFailureThreshold = 0.0; // share of rejected records that stops the job
    int maxRetries = 3;           // per failed batch

    // Errors: "invalid_sync_job" with details "<file>:<pointer>: <message>".
    static Result<SyncJobSpec> fromDocument(const QJsonObject &document, const QString &file = {});
};

QString strategyName(SyncStrategy strategy);   // "batch", "scheduled", "real_time", "event_driven"
QString writeModeName(SyncWriteMode mode);     // "insert", "upsert", "mirror"
QString conflictPolicyName(ConflictPolicy policy); // "source_wins", ...

} // namespace Conflux::Sync
