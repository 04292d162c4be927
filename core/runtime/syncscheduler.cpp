#include "syncscheduler.h"

#include "base/log.h"
#include "base/metrics.h"
#include "base/monotonic.h"
#include "connectors/connector.h"
#include "store/statestore.h"
#include "sync/syncrunner.h"
#include "syncjobs.h"

#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Runtime {

SyncScheduler::SyncScheduler(JobsProvider jobs, Store::StateStore *store, QString node,
                             MetricsRegistry *metrics, QObject *parent)
    : QObject(parent), m_jobs(std::move(jobs)), m_store(store), m_node(std::move(node)),
      m_metrics(metrics), m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
    m_pool.setMaxThreadCount(4);
    connect(&m_timer, &QTimer::timeout, this, &SyncScheduler::tick);
}

SyncScheduler::~SyncScheduler()
{
    stop();
}

void SyncScheduler::start(int tickMs)
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = false;
    }
    m_timer.start(tickMs);
}

void SyncScheduler::cancelRuns()
{
    m_timer.stop();
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    for (const auto &token : std::as_const(m_running))
        token->cancel();
}

void SyncScheduler::stop()
{
    cancelRuns();
    m_pool.waitForDone();
}

bool SyncScheduler::isRunning(const QString &jobId) const
{
    std::lock_guard lock(m_mutex);
    return m_running.contains(jobId);
}

bool SyncScheduler::runNow(const QString &jobId, const QString &trigger, bool fullResync)
{
    return launch(jobId, trigger, fullResync, true);
}

bool SyncScheduler::launch(const QString &jobId, const QString &trigger, bool fullResync,
                           bool recordEmpty)
{
    std::shared_ptr<const SyncJobs> jobs = m_jobs ? m_jobs() : nullptr;
    if (!jobs || (m_busy && m_busy(jobId)))
        return false;
    auto cancel = std::make_shared<Connectors::CancelToken>();
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || m_running.contains(jobId))
            return false;
        m_running.insert(jobId, cancel);
    }
    m_pool.start([this, jobs, jobId, trigger, fullResync, recordEmpty, cancel] {
        const QDateTime started = m_clock();
        QString status = u"failed"_s;
        Result<std::unique_ptr<Sync::SyncRunner>> runner = jobs->runner(jobId);
        if (!runner) {
            Log::write(QtWarningMsg, "conflux.sync", u"the sync job cannot run"_s,
                       {{u"job"_s, jobId}, {u"error"_s, runner.error().toString()}});
        } else {
            Sync::SyncRunOptions options;
            options.trigger = trigger;
            options.cancel = cancel.get();
            options.fullResync = fullResync;
            options.recordEmptyRun = recordEmpty;
            Result<Sync::SyncRunResult> result = (*runner)->run(options);
            if (result) {
                status = result->run.status;
            } else if (result.error().code == "sync_busy"_L1) {
                status = u"busy"_s; // another node runs it: not a failure of this one
            } else {
                Log::write(QtWarningMsg, "conflux.sync", u"the sync run could not start"_s,
                           {{u"job"_s, jobId}, {u"error"_s, result.error().toString()}});
            }
        }
        {
            std::lock_guard lock(m_mutex);
            m_running.remove(jobId);
            JobState &state = m_states[jobId];
            if (status == "succeeded"_L1 || status == "busy"_L1) {
                state.failures = 0; // a poll's next time stays as the tick set it
                if (status == "succeeded"_L1)
                    state.lastSuccessStart = started;
            } else if (status != "cancelled"_L1) {
                state.failures = std::min(state.failures + 1, 7);
                state.nextAttemptMs = monotonicMs() + std::min<qint64>(60'000, 1000LL << (state.failures - 1));
            }
        }
        emit runFinished(jobId, status);
    });
    return true;
}

void SyncScheduler::tick()
{
    std::shared_ptr<const SyncJobs> jobs = m_jobs ? m_jobs() : nullptr;
    if (!jobs)
        return;
    const QDateTime now = m_clock();
    const qint64 nowMs = monotonicMs();
    for (const QString &id : jobs->ids()) {
        Result<Sync::SyncJobSpec> spec = jobs->spec(id);
        if (!spec)
            continue;
        JobState state;
        bool running = false;
        {
            std::lock_guard lock(m_mutex);
            state = m_states.value(id);
            running = m_running.contains(id);
        }
        if (state.lastSuccessStart.isValid())
            Sync::setSyncLag(m_metrics, id, double(state.lastSuccessStart.msecsTo(now)) / 1000.0);
        switch (spec->strategy) {
        case Sync::SyncStrategy::Batch:
            break;
        case Sync::SyncStrategy::Scheduled: {
            if (!spec->schedule || !spec->schedule->canFire())
                break;
            if (!state.fireKnown) {
                // Handled up to the newest fire time any node claimed; a new job starts now.
                Result<std::optional<QDateTime>> last = m_store->lastScheduledFire(id);
                if (!last)
                    break;
                state.lastFire = *last ? **last : QDateTime();
                state.fireKnown = true;
            }
            const std::optional<QDateTime> due
                = Sync::CronSchedule::dueFire(*spec->schedule, state.lastFire, now, spec->misfirePolicy);
            if (due) {
                Result<bool> claimed = m_store->claimScheduledFire(id, *due, m_node);
                if (!claimed) {
                    Log::write(QtWarningMsg, "conflux.sync", u"a scheduled fire could not be claimed"_s,
                               {{u"job"_s, id}, {u"error"_s, claimed.error().toString()}});
                    break; // tried again at the next tick
                }
                if (*claimed && !launch(id, u"schedule"_s, false, true))
                    Log::write(QtWarningMsg, "conflux.sync", u"a scheduled run was skipped: the job is still running"_s,
                               {{u"job"_s, id}, {u"fire_time"_s, due->toString(Qt::ISODate)}});
            }
            state.lastFire = now;
            break;
        }
        case Sync::SyncStrategy::RealTime:
        case Sync::SyncStrategy::EventDriven: {
            if (running || nowMs < state.nextAttemptMs)
                break;
            const bool poll = spec->strategy == Sync::SyncStrategy::RealTime;
            if (poll) { // the interval counts from the start of one poll to the next
                std::lock_guard lock(m_mutex);
                m_states[id].nextAttemptMs = nowMs + spec->pollIntervalMs;
            }
            launch(id, poll ? u"poll"_s : u"message"_s, false, false);
            break;
        }
        }
        std::lock_guard lock(m_mutex);
        JobState &stored = m_states[id];
        stored.fireKnown = state.fireKnown;
        stored.lastFire = state.lastFire;
    }
}

} // namespace Conflux::Runtime
