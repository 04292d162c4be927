#pragma once

#include "base/result.h"
#include "connectors/connector.h"
#include "data/value.h"
#include "store/syncstate.h"
#include "sync/syncjob.h"

#include <QString>

#include <functional>
#include <memory>
#include <vector>

namespace Conflux {
class MetricsRegistry;
}
namespace Conflux::Mapping {
class CompiledMapping;
}
namespace Conflux::Store {
class StateStore;
}

// Runs sync jobs (docs/sync.md): reads the source endpoint, maps each record, writes the target
// in batches, and keeps the job's state (runs, checkpoint, row hashes, rejects, conflicts) in
// the state store, so that a run killed at any point resumes without losing or duplicating a
// record.
//
// One run of a job:
//   1. takes the job's lease in the state store (one runner per job across every node sharing
//      the store; renewed as the run goes) and records the run as "running";
//   2. reads the source — with a cursor field, only records after the checkpoint, in cursor
//      order; without one, everything, and a row hash per key tells what changed since the
//      last run — in pages of batch_size;
//   3. maps each record; a record with violations (or without its key) is rejected into the
//      store with its reasons and the original record, and the run stops when the rejected
//      share crosses the job's validation_failure_threshold;
//   4. resolves conflicts when the policy is not source_wins: a record whose target row changed
//      since this job last wrote it (or that the job never wrote and that differs);
//   5. writes each batch in one target call (one transaction where the target has them),
//      retried with backoff up to max_retries with a fresh connector, then the run stops;
//   6. after each committed batch, advances the checkpoint to the last cursor value that the
//      batch completed (records sharing the batch's last value are read again next time, and
//      the upsert makes that harmless) and stores the batch's row hashes;
//   A source whose read consumes what it reads (a queue) is written page by page inside the
//   read, and a page whose batch cannot be written is given back to the queue, so a message
//   is acknowledged only once its record is committed in the target.
//   7. in mirror mode, after a complete read, deletes the target rows whose keys the source no
//      longer has (never when a record without a key was rejected: its key is unknown).
//
// Threading: a SyncRunner runs one job on the calling thread, blocking; run() and reconcile()
// may be called again after they return. Different runners may run on different threads.

namespace Conflux::Sync {

struct SyncHost
{
    Store::StateStore *store = nullptr;
    // A new connector for an endpoint id (again after a failed batch: a fresh connection).
    std::function<Result<std::unique_ptr<Connectors::Connector>>(const QString &endpointId)>
        connector;
    std::shared_ptr<const Mapping::CompiledMapping> mapping; // null: records as read
    Data::Object variables;          // extra bindings for the mapping (the project's vars)
    MetricsRegistry *metrics = nullptr;
    QString node;                    // this node's name: the lease holder and the run's node
    qint64 leaseTtlMs = 60'000;      // renewed every third of it while a run goes on
    int retryBaseMs = 500;           // retry n of a batch waits base·2^n (at most 30 s)
};

struct SyncRunOptions
{
    QString trigger = QStringLiteral("manual"); // "manual", "schedule", "poll", "webhook", "message"
    const Connectors::CancelToken *cancel = nullptr;
    bool fullResync = false;         // ignore the checkpoint and the row hashes: read everything
    // Records given to the run instead of a source read (webhook and event-driven changes):
    // mapped and written the same way, without a checkpoint.
    std::optional<std::vector<Data::Value>> records;
    // False: a run that reads nothing leaves no run record (polls and queue drains that find
    // nothing new would otherwise fill the history).
    bool recordEmptyRun = true;
};

struct SyncRunResult
{
    Store::SyncRunRecord run;        // as stored: status, counts, checkpoints, errors
    std::optional<Error> error;      // why the run failed or was cancelled
};

struct Reconciliation
{
    qint64 sourceRecords = 0;        // source records with a key after mapping
    qint64 targetRecords = 0;
    qint64 matched = 0;              // in both, with the same mapped values
    qint64 missing = 0;              // in the source, not in the target
    qint64 extra = 0;                // in the target, not in the source
    qint64 different = 0;            // in both, with other values
    qint64 duplicates = 0;           // target keys found more than once
    qint64 rejected = 0;             // source records the mapping rejects (not compared)
    QStringList missingKeys, extraKeys, differentKeys; // the first 20 of each
    double accuracy() const;         // matched / source records (1 when both are empty)
    Data::Value toValue() const;     // as stored with the run and printed by the admin API
};

// Sets sync_lag_seconds{job}: seconds since the start of the job's last successful run (the
// runner at the end of a run, the scheduler between runs). Does nothing without metrics.
void setSyncLag(MetricsRegistry *metrics, const QString &jobId, double seconds);

class SyncRunner
{
public:
    SyncRunner(SyncJobSpec job, SyncHost host);

    const SyncJobSpec &job() const { return m_job; }

    // One run, as described above. An Error when the run could not start: "sync_busy" (another
    // holder has the lease), a store or connector failure, "sync_unsupported" (the target cannot
    // do what the job asks). Once started, the run's outcome is in SyncRunResult, stored too.
    Result<SyncRunResult> run(const SyncRunOptions &options = {});

    // Compares the whole source, mapped, with the whole target by key and by the hash of the
    // mapped fields; stores the result with a run of trigger "manual" when `store` is set.
    Result<Reconciliation> reconcile(const Connectors::CancelToken *cancel = nullptr,
                                     bool store = true);

    // Decides an open manual conflict of this job: "source" writes the conflict's source
    // record to the target, "custom" writes `record` (an object with the key fields), "target"
    // keeps the target's row; the row's hash becomes the written (or kept) record's, so the
    // next run sees no conflict, and the store marks the conflict resolved by `actor`.
    // Errors: the store's ("store_not_found", "store_invalid_argument": resolved already, an
    // unknown resolution), "sync_invalid_conflict" (not this job's, a custom record without
    // its key), and the target's write errors (the conflict then stays open).
    Result<void> resolveConflict(qint64 conflictId, const QString &resolution,
                                 const Data::Value &record, const QString &actor);
    // Resolves every open conflict of the job as "source" or "target", writing in batches;
    // returns how many were resolved.
    Result<int> resolveConflicts(const QString &resolution, const QString &actor);

private:
    class Run;

    SyncJobSpec m_job;
    SyncHost m_host;
};

} // namespace Conflux::Sync
