#pragma once

#include "base/result.h"
#include "sync/syncjob.h"
#include "sync/syncrunner.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace Conflux {
class MetricsRegistry;
}
namespace Conflux::Model {
class Project;
}
namespace Conflux::Store {
class StateStore;
}

// The sync jobs of a project, ready to run: each job document read into a SyncJobSpec and its
// mapping compiled once (lookup tables from the project's tables/ folder), with the connectors
// of the project's endpoints. Used by the node (scheduler, admin API) and by `conflux sync`.
//
// Threading: immutable after create(); runner() may be called from any thread, and each runner
// it returns runs on the thread that calls it.

namespace Conflux::Runtime {

class ProjectEndpoints;

struct SyncJobsOptions
{
    Store::StateStore *store = nullptr;       // must outlive the runners
    const ProjectEndpoints *endpoints = nullptr; // must outlive the runners
    MetricsRegistry *metrics = nullptr;
    QString node;                             // lease holder and the runs' node
    QString projectFolder;                    // tables/ for lookups; empty: none
    qint64 leaseTtlMs = 60'000;
};

class SyncJobs
{
public:
    // Never fails as a whole: a job whose document or mapping is wrong is kept with its error,
    // which runner() returns (the other jobs run).
    static std::shared_ptr<const SyncJobs> create(std::shared_ptr<const Model::Project> project,
                                                  const SyncJobsOptions &options);

    QStringList ids() const;          // sorted
    // The job's spec; errors "sync_job_not_found", or the job's own ("invalid_sync_job", the
    // mapping's compile error, "mapping_not_found").
    Result<Sync::SyncJobSpec> spec(const QString &id) const;
    Result<std::unique_ptr<Sync::SyncRunner>> runner(const QString &id) const;
    const Model::Project &project() const { return *m_project; }

private:
    struct Job;
    SyncJobs() = default;

    std::shared_ptr<const Model::Project> m_project;
    SyncJobsOptions m_options;
    std::vector<std::shared_ptr<const Job>> m_jobs;
};

} // namespace Conflux::Runtime
