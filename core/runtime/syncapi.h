#pragma once

#include "connectors/connector.h"
#include "gateway/httprequest.h"
#include "gateway/httpresponse.h"
#include "gateway/httpserver.h"

#include <QMutex>
#include <QSet>
#include <QString>
#include <QThreadPool>
#include <functional>
#include <memory>

namespace Conflux::Store {
class StateStore;
}

namespace Conflux::Runtime {

class SyncJobs;

// The sync jobs of the active project in the admin API (token-protected like the rest; JSON
// shapes in syncjson.h):
//
//   GET    /api/v1/sync/jobs                     every job: definition, lease holder, checkpoint,
//                                                last run ({"jobs": [...]})
//   GET    /api/v1/sync/jobs/{id}                one job
//   POST   /api/v1/sync/jobs/{id}/run            body optional {"full_resync": bool}; 202
//                                                {"job", "status": "started"} and the run goes on
//                                                in the background; ?wait=true: 200 with the run
//                                                (a failed run is still a 200: the run says so)
//   POST   /api/v1/sync/jobs/{id}/changes        the webhook of changes: a JSON array of source
//                                                records (or one object), run through the job's
//                                                mapping into its target at once (trigger
//                                                "webhook", no checkpoint); waits up to
//                                                ?wait_seconds= (30) for a running poll; 200 with
//                                                the run; not written: 502 (503 when the node
//                                                stops, 422 over the validation threshold) with
//                                                the run and its error — deliver again
//   POST   /api/v1/sync/jobs/{id}/reconcile      200 with the reconciliation (blocks)
//   POST   /api/v1/sync/jobs/{id}/conflicts/resolve  {"resolution": "source|target"}: every
//                                                open conflict of the job → {"resolved": n}
//   DELETE /api/v1/sync/jobs/{id}/rejects        {"purged": n}
//   GET    /api/v1/sync/runs                     ?job=&limit= ({"runs": [...]}, newest first)
//   GET    /api/v1/sync/runs/{id}                one run
//   GET    /api/v1/sync/conflicts                ?job=&status=open|resolved&limit=
//   GET    /api/v1/sync/conflicts/{id}           one conflict
//   POST   /api/v1/sync/conflicts/{id}/resolve   {"resolution": "source|target|custom",
//                                                "record": {...} (custom)} → the conflict
//   GET    /api/v1/sync/rejects                  ?job=&run=&limit=
//
// Errors ({"error": {"code", "message", "details"?}}): 400 invalid_request naming the field or
// parameter; 404 sync_job_not_found, sync_run_not_found, sync_conflict_not_found; 409 sync_busy
// (the job runs already, here or on another node), a job whose document or mapping is wrong,
// an endpoint that cannot make a connector, a conflict resolved already; 500 for the state
// store; 502 for a remote system; 503 no_project, or cancelled because the node stops.
//
// Store and connector calls block, so every route runs on a small pool of worker threads and
// answers through the HttpResponder; background runs have a pool of their own. A job runs at
// most once at a time in this module (and once across the nodes sharing the store: its lease).
class SyncApi
{
public:
    using JobsSource = std::function<std::shared_ptr<const SyncJobs>()>;
    // Called on a worker thread after each answer: the route label and the status sent.
    using Observer = std::function<void(const QString &routeLabel, int status)>;

    // `store` must outlive this object. `jobs` is called on the admin server's thread and
    // returns the active project's jobs (null: no project). `node` is the name the jobs' runners
    // hold leases by (a lease of this node's is not "another node's run").
    SyncApi(Store::StateStore &store, JobsSource jobs, QString node);
    // Cancels the runs in progress and waits for every call and run to end.
    ~SyncApi();

    static bool handles(const QString &path);
    // Answers `request` through `responder` from a worker thread (or at once for a bad route),
    // then calls `observer`. `actor` names the token: the resolver of conflicts, in the log.
    void handle(const Http::HttpRequest &request, Http::HttpResponder responder,
                const QString &actor, Observer observer);

    // Cancels every run in progress (they end "cancelled", their checkpoints at the last
    // committed batch); later runs are cancelled at once. The node calls it when it stops.
    void cancelRuns();
    // The jobs this module runs now (sorted), and whether it runs `job`. Any thread.
    QStringList runningJobs() const;
    bool isRunning(const QString &job) const;
    // Another starter of runs in this node (the sync scheduler): a job it runs now is refused
    // here too (409 sync_busy). Runs started here and there hold the lease under the same node
    // name, so the lease alone cannot keep them apart. Called on the admin server's thread
    // without this object's lock held; set it before the first request.
    void setBusyCheck(std::function<bool(const QString &job)> busy) { m_busy = std::move(busy); }

private:
    struct Route;

    Http::HttpResponse dispatch(const Http::HttpRequest &request, const Route &route,
                                const SyncJobs &jobs, const QString &actor);
    Http::HttpResponse listJobs(const SyncJobs &jobs);
    Http::HttpResponse job(const SyncJobs &jobs, const QString &id);
    Http::HttpResponse run(const Http::HttpRequest &request, std::shared_ptr<const SyncJobs> jobs,
                           const QString &id, const QString &actor);
    Http::HttpResponse changes(const Http::HttpRequest &request, const SyncJobs &jobs,
                               const QString &id, const QString &actor);
    Http::HttpResponse reconcile(const SyncJobs &jobs, const QString &id, const QString &actor);
    Http::HttpResponse resolveAll(const Http::HttpRequest &request, const SyncJobs &jobs,
                                  const QString &id, const QString &actor);
    Http::HttpResponse purgeRejects(const SyncJobs &jobs, const QString &id, const QString &actor);
    Http::HttpResponse runs(const Http::HttpRequest &request);
    Http::HttpResponse oneRun(const QString &id);
    Http::HttpResponse conflicts(const Http::HttpRequest &request);
    Http::HttpResponse oneConflict(const QString &id);
    Http::HttpResponse resolve(const Http::HttpRequest &request, const SyncJobs &jobs,
                               const QString &id, const QString &actor);
    Http::HttpResponse rejects(const Http::HttpRequest &request);

    // Marks `job` running here; false when it runs already.
    bool claim(const QString &job);
    void release(const QString &job);

    Store::StateStore &m_store;
    JobsSource m_jobs;
    QString m_node;
    std::function<bool(const QString &job)> m_busy;
    Connectors::CancelToken m_cancel;
    mutable QMutex m_mutex;
    QSet<QString> m_running; // guarded by m_mutex
    QThreadPool m_pool; // requests
    QThreadPool m_runs; // background runs
};

} // namespace Conflux::Runtime
