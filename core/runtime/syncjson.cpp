#include "syncjson.h"

#include "data/json.h"
#include "model/project.h"
#include "projectendpoints.h"
#include "store/statestore.h"
#include "store/syncstate.h"
#include "syncjobs.h"

#include <QDateTime>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Runtime {

namespace {

Data::Value timeValue(const QDateTime &time)
{
    if (!time.isValid())
        return Data::Value::null();
    return Data::Value(time.toUTC().toString(Qt::ISODateWithMs));
}

Data::Value optionalTime(const std::optional<QDateTime> &time)
{
    return time ? timeValue(*time) : Data::Value::null();
}

Data::Value idValue(qint64 id)
{
    return id > 0 ? Data::Value(id) : Data::Value::null();
}

Data::Value textOrNull(const QString &text)
{
    return text.isEmpty() ? Data::Value::null() : Data::Value(text);
}

} // namespace

Data::Value storedJson(const QString &text)
{
    if (text.isEmpty())
        return Data::Value::null();
    Result<Data::Value> parsed = Data::Json::parse(text.toUtf8());
    return parsed ? std::move(*parsed) : Data::Value(text);
}

Data::Value syncRunToValue(const Store::SyncRunRecord &run)
{
    Data::Value errors = storedJson(run.errors);
    if (!errors.isArray())
        errors = errors.isNull() ? Data::Value(Data::Array()) : Data::Value(Data::Array {errors});
    Data::Value duration = Data::Value::null();
    if (run.finishedAt && run.finishedAt->isValid() && run.startedAt.isValid())
        duration = Data::Value(std::max<qint64>(0, run.startedAt.msecsTo(*run.finishedAt)));
    return Data::Value(Data::Object {
        {u"id"_s, Data::Value(run.id)},
        {u"job"_s, Data::Value(run.jobId)},
        {u"node"_s, Data::Value(run.node)},
        {u"trigger"_s, Data::Value(run.trigger)},
        {u"status"_s, Data::Value(run.status)},
        {u"started_at"_s, timeValue(run.startedAt)},
        {u"finished_at"_s, optionalTime(run.finishedAt)},
        {u"read"_s, Data::Value(run.read)},
        {u"written"_s, Data::Value(run.written)},
        {u"skipped"_s, Data::Value(run.skipped)},
        {u"rejected"_s, Data::Value(run.rejected)},
        {u"conflicts"_s, Data::Value(run.conflicts)},
        {u"deleted"_s, Data::Value(run.deleted)},
        {u"checkpoint_before"_s, storedJson(run.checkpointBefore)},
        {u"checkpoint_after"_s, storedJson(run.checkpointAfter)},
        {u"errors"_s, std::move(errors)},
        {u"reconciliation"_s, storedJson(run.reconciliation)},
        {u"duration_ms"_s, std::move(duration)},
    });
}

Data::Value syncConflictToValue(const Store::SyncConflict &conflict)
{
    const bool resolved = !conflict.resolution.isEmpty();
    return Data::Value(Data::Object {
        {u"id"_s, Data::Value(conflict.id)},
        {u"job"_s, Data::Value(conflict.jobId)},
        {u"run"_s, idValue(conflict.runId)},
        {u"key"_s, storedJson(conflict.key)},
        {u"status"_s, Data::Value(conflict.status)},
        {u"detected_at"_s, timeValue(conflict.detectedAt)},
        {u"source_record"_s, storedJson(conflict.sourceRecord)},
        {u"target_record"_s, storedJson(conflict.targetRecord)},
        {u"resolution"_s, textOrNull(conflict.resolution)},
        {u"resolved_record"_s,
         resolved ? storedJson(conflict.resolvedRecord) : Data::Value::null()},
        {u"resolved_by"_s, textOrNull(conflict.resolvedBy)},
        {u"resolved_at"_s, optionalTime(conflict.resolvedAt)},
    });
}

Data::Value syncRejectToValue(const Store::SyncReject &reject)
{
    Data::Value reasons = storedJson(reject.reasons);
    if (!reasons.isArray())
        reasons
            = reasons.isNull() ? Data::Value(Data::Array()) : Data::Value(Data::Array {reasons});
    return Data::Value(Data::Object {
        {u"id"_s, Data::Value(reject.id)},
        {u"job"_s, Data::Value(reject.jobId)},
        {u"run"_s, idValue(reject.runId)},
        {u"at"_s, timeValue(reject.at)},
        {u"key"_s, storedJson(reject.key)},
        {u"record"_s, storedJson(reject.record)},
        {u"reasons"_s, std::move(reasons)},
    });
}

Result<Data::Value> syncJobToValue(const SyncJobs &jobs, const QString &id,
                                   const Store::StateStore &store)
{
    if (!jobs.ids().contains(id))
        return jobs.spec(id).error(); // sync_job_not_found
    Data::Object out;
    out.append(u"id"_s, Data::Value(id));
    Result<Sync::SyncJobSpec> spec = jobs.spec(id);
    if (spec) {
        out.append(u"name"_s, Data::Value(spec->name));
        out.append(u"strategy"_s, Data::Value(Sync::strategyName(spec->strategy)));
        out.append(u"source_endpoint"_s, Data::Value(spec->sourceEndpoint));
        out.append(u"target_endpoint"_s, Data::Value(spec->targetEndpoint));
        out.append(u"write_mode"_s, Data::Value(Sync::writeModeName(spec->writeMode)));
        if (spec->schedule) {
            out.append(u"schedule"_s, Data::Value(spec->schedule->expression()));
            const QString zone = QString::fromUtf8(spec->schedule->timeZone().id());
            if (!zone.isEmpty())
                out.append(u"time_zone"_s, Data::Value(zone));
        }
    } else {
        // What the document says, as far as it goes: the job does not compile.
        const auto &documents = jobs.project().syncJobs;
        const auto document
            = std::find_if(documents.begin(), documents.end(),
                           [&](const Model::SyncJob &job) { return job.document.id == id; });
        if (document != documents.end()) {
            out.append(u"name"_s, Data::Value(document->document.name));
            out.append(u"strategy"_s, Data::Value(document->syncStrategy));
            out.append(u"source_endpoint"_s, Data::Value(document->sourceEndpoint));
            out.append(u"target_endpoint"_s, Data::Value(document->targetEndpoint));
            out.append(
                u"write_mode"_s,
                Data::Value(document->writeMode.isEmpty() ? u"upsert"_s : document->writeMode));
            if (!document->schedule.isEmpty())
                out.append(u"schedule"_s, Data::Value(document->schedule));
        }
        out.append(u"error"_s, errorToValue(spec.error()));
    }

    Result<std::optional<QString>> holder = store.syncLeaseHolder(id);
    if (!holder)
        return holder.error();
    if (*holder)
        out.append(u"lease_holder"_s, Data::Value(**holder));
    Result<std::optional<Store::SyncCheckpoint>> checkpoint = store.syncCheckpoint(id);
    if (!checkpoint)
        return checkpoint.error();
    if (*checkpoint)
        out.append(u"checkpoint"_s, storedJson((*checkpoint)->cursor));
    Result<QList<Store::SyncRunRecord>> runs = store.syncRuns(id, 1);
    if (!runs)
        return runs.error();
    if (!runs->isEmpty())
        out.append(u"last_run"_s, syncRunToValue(runs->front()));
    return Data::Value(std::move(out));
}

} // namespace Conflux::Runtime
