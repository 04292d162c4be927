#pragma once

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QTimer>

#include <functional>
#include <memory>
#include <mutex>

namespace Conflux {
class MetricsRegistry;
}
namespace Conflux::Connectors {
class CancelToken;
}
namespace Conflux::Store {
class StateStore;
}

// Starts a node's sync jobs by their strategy (docs/sync.md, "Strategies"):
//   scheduled     at each fire time of the job's cron schedule — claimed in the state store,
//                 so among nodes sharing a store each fire time runs once (misfire policy as
//                 the job says, after a restart or a pause);
//   real_time     a poll every poll_interval_seconds on the job's cursor (empty polls leave
//                 no run record);
//   event_driven  a drain of the job's source queue whenever the previous one ended: each
//                 message is a change, acknowledged once its record is committed;
//   batch         never by itself (the admin API, the CLI).
// A job runs once at a time in this node (and, through its lease, among nodes). A poll or
// drain that fails waits before the next one: 1 s, doubling to 60 s, reset by a success.
// It also keeps sync_lag_seconds current between runs.
//
// Threading: lives in the node's thread; runs execute on its own pool of worker threads.
// stop() cancels the runs in flight and waits for them.

namespace Conflux::Runtime {

class SyncJobs;

class SyncScheduler final : public QObject
{
    Q_OBJECT

public:
    using JobsProvider = std::function<std::shared_ptr<const SyncJobs>()>;

    SyncScheduler(JobsProvider jobs, Store::StateStore *store, QString node,
                  MetricsRegistry *metrics, QObject *parent = nullptr);
    ~SyncScheduler() override;

    void start(int tickMs = 100);
    // Stops starting runs and cancels those in flight, without waiting (they end at their next
    // batch, "cancelled"); stop() also waits for them.
    void cancelRuns();
    void stop();
    // Another starter of runs in this node (the admin API): a job it runs is not started here.
    void setBusyCheck(std::function<bool(const QString &jobId)> busy) { m_busy = std::move(busy); }

    // Runs the job now on the pool (trigger "manual" unless given); false when it runs
    // already in this node.
    bool runNow(const QString &jobId, const QString &trigger = QStringLiteral("manual"),
                bool fullResync = false);
    bool isRunning(const QString &jobId) const;

    // Test hook: the clock the scheduler reads (default: the current UTC time).
    void setClock(std::function<QDateTime()> clock) { m_clock = std::move(clock); }

signals:
    // Emitted from a worker thread when a run the scheduler started has ended.
    void runFinished(const QString &jobId, const QString &status);

private:
    struct JobState
    {
        bool fireKnown = false;
        QDateTime lastFire;                // scheduled: handled up to here
        qint64 nextAttemptMs = 0;          // real_time, event_driven: not before (monotonic)
        int failures = 0;
        QDateTime lastSuccessStart;        // for sync_lag_seconds
    };

    void tick();
    bool launch(const QString &jobId, const QString &trigger, bool fullResync, bool recordEmpty);

    JobsProvider m_jobs;
    Store::StateStore *m_store;
    QString m_node;
    MetricsRegistry *m_metrics;
    QTimer m_timer;
    QThreadPool m_pool;
    std::function<QDateTime()> m_clock;
    std::function<bool(const QString &)> m_busy;
    mutable std::mutex m_mutex; // guards m_states and m_running
    QHash<QString, JobState> m_states;
    QHash<QString, std::shared_ptr<Connectors::CancelToken>> m_running;
    bool m_stopping = false;
};

} // namespace Conflux::Runtime
