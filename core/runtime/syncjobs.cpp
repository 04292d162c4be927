#include "syncjobs.h"

#include "mapping/mappingdocument.h"
#include "mapping/mappingrunner.h"
#include "model/project.h"
#include "projectendpoints.h"

#include <QCoreApplication>
#include <QDir>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Runtime {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Runtime::SyncJobs)
};

} // namespace

struct SyncJobs::Job
{
    QString id;
    std::optional<Sync::SyncJobSpec> spec;
    std::shared_ptr<const Mapping::CompiledMapping> mapping;
    Error error; // when spec is empty
};

std::shared_ptr<const SyncJobs> SyncJobs::create(std::shared_ptr<const Model::Project> project,
                                                 const SyncJobsOptions &options)
{
    std::shared_ptr<SyncJobs> jobs(new SyncJobs);
    jobs->m_project = std::move(project);
    jobs->m_options = options;
    const Mapping::TableLoader tables = options.projectFolder.isEmpty()
        ? Mapping::TableLoader()
        : Mapping::tablesInFolder(QDir(options.projectFolder).filePath(u"tables"_s));
    for (const Model::SyncJob &document : jobs->m_project->syncJobs) {
        auto job = std::make_shared<Job>();
        job->id = document.document.id;
        Result<Sync::SyncJobSpec> spec
            = Sync::SyncJobSpec::fromDocument(document.document.json, document.document.file);
        if (!spec) {
            job->error = spec.error();
        } else if (!spec->mapping.isEmpty()) {
            const Model::Document *mapping
                = jobs->m_project->document(Model::DocumentKind::Mapping, spec->mapping);
            if (!mapping) {
                job->error = makeError("mapping_not_found",
                                       Tr::tr("%1: the data_mapping \"%2\" is not in the project")
                                           .arg(document.document.file, spec->mapping));
            } else {
                Result<Mapping::CompiledMapping> compiled = Mapping::CompiledMapping::compile(
                    Data::Value::fromQJson(mapping->json), tables);
                if (!compiled) {
                    job->error = compiled.error();
                    job->error.message = u"%1: %2"_s.arg(mapping->file, job->error.message);
                } else {
                    job->mapping = std::make_shared<const Mapping::CompiledMapping>(std::move(*compiled));
                    job->spec = std::move(*spec);
                }
            }
        } else {
            job->spec = std::move(*spec);
        }
        jobs->m_jobs.push_back(std::move(job));
    }
    std::sort(jobs->m_jobs.begin(), jobs->m_jobs.end(),
              [](const auto &a, const auto &b) { return a->id < b->id; });
    return jobs;
}

QStringList SyncJobs::ids() const
{
    QStringList out;
    for (const auto &job : m_jobs)
        out.append(job->id);
    return out;
}

Result<Sync::SyncJobSpec> SyncJobs::spec(const QString &id) const
{
    for (const auto &job : m_jobs) {
        if (job->id != id)
            continue;
        if (!job->spec)
            return job->error;
        return *job->spec;
    }
    return makeError("sync_job_not_found", Tr::tr("the project has no sync job \"%1\"").arg(id));
}

Result<std::unique_ptr<Sync::SyncRunner>> SyncJobs::runner(const QString &id) const
{
    Result<Sync::SyncJobSpec> spec = this->spec(id);
    if (!spec)
        return spec.error();
    auto found = std::find_if(m_jobs.begin(), m_jobs.end(), [&](const auto &job) { return job->id == id; });
    Sync::SyncHost host;
    host.store = m_options.store;
    host.metrics = m_options.metrics;
    host.node = m_options.node;
    host.leaseTtlMs = m_options.leaseTtlMs;
    host.mapping = (*found)->mapping;
    host.variables = Data::Value::fromQJson(m_project->settings.variables).toObject();
    // The runner may outlive a redeploy: it keeps the project it was made from.
    std::shared_ptr<const Model::Project> project = m_project;
    const ProjectEndpoints *endpoints = m_options.endpoints;
    host.connector = [project, endpoints](const QString &endpointId)
        -> Result<std::unique_ptr<Connectors::Connector>> {
        if (!endpoints)
            return makeError("connector_unavailable", Tr::tr("no connectors are available"));
        return endpoints->create(*project, endpointId);
    };
    return std::make_unique<Sync::SyncRunner>(std::move(*spec), std::move(host));
}

} // namespace Conflux::Runtime
