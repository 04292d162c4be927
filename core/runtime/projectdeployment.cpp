#include "projectdeployment.h"

#include "base/log.h"
#include "model/bundle.h"
#include "model/projectloader.h"
#include "store/statestore.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Conflux::Runtime {
namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Runtime::ProjectDeployment)
};

const QString folderDigestKey = u"project.folder_digest"_s;

QString auditDetails(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}
} // namespace

ProjectDeployment::ProjectDeployment(Store::StateStore &store, const Model::ProjectLoader &loader,
                                     QObject *parent)
    : QObject(parent), m_store(store), m_loader(loader)
{}

Result<std::shared_ptr<const Model::Project>> ProjectDeployment::validate(const QByteArray &bundle) const
{
    Result<Model::ProjectFiles> files = Model::Bundle::read(bundle);
    if (!files)
        return files.error();
    Model::LoadResult loaded = m_loader.load(*files);
    if (!loaded.isOk()) {
        return makeError("project_invalid",
                         loaded.errors.size() == 1 ? Tr::tr("the project has 1 error")
                                                   : Tr::tr("the project has %1 errors").arg(loaded.errors.size()),
                         Model::toStrings(loaded.errors));
    }
    return loaded.project;
}

void ProjectDeployment::swap(std::shared_ptr<const Model::Project> project, qint64 version, const QString &digest)
{
    {
        QMutexLocker lock(&m_mutex);
        m_project = std::move(project);
        m_version = version;
        m_digest = digest;
    }
    Q_EMIT projectChanged(version);
}

Result<void> ProjectDeployment::activateStored(qint64 version)
{
    Result<Store::ProjectVersion> stored = m_store.projectVersion(version);
    if (!stored)
        return stored.error();
    Result<std::shared_ptr<const Model::Project>> project = validate(stored->bundle);
    if (!project) {
        Error error = project.error();
        error.message = Tr::tr("stored project version %1 no longer validates: %2").arg(version).arg(error.message);
        return error;
    }
    swap(*project, version, stored->info.sha256);
    return {};
}

Result<void> ProjectDeployment::start(const QString &projectFolder)
{
    QMutexLocker change(&m_changeMutex);
    if (!projectFolder.isEmpty()) {
        Model::Diagnostics readErrors;
        const Model::ProjectFiles files = Model::readProjectFolder(projectFolder, &readErrors);
        if (!readErrors.isEmpty())
            return makeError("project_invalid", Tr::tr("cannot read the project folder"), Model::toStrings(readErrors));
        const QByteArray bundle = Model::Bundle::make(files);
        const QString digest = QString::fromLatin1(Model::Bundle::digest(files));
        Result<std::optional<QString>> lastFolder = m_store.setting(folderDigestKey);
        if (!lastFolder)
            return lastFolder.error();
        if (lastFolder->value_or(QString()) != digest) {
            Result<std::shared_ptr<const Model::Project>> project = validate(bundle);
            if (!project)
                return project.error();
            Store::NewProjectVersion version{bundle, digest, Store::ProjectVersionSource::Folder,
                                             Tr::tr("loaded from %1").arg(QDir(projectFolder).absolutePath()),
                                             u"node"_s};
            Result<qint64> added = m_store.addProjectVersion(version, true);
            if (!added)
                return added.error();
            if (Result<void> saved = m_store.setSetting(folderDigestKey, digest); !saved)
                return saved;
            (void)m_store.appendAudit({0, {}, u"node"_s, u"project.load_folder"_s,
                                       auditDetails({{u"version"_s, *added}, {u"folder"_s, projectFolder}})});
            swap(*project, *added, digest);
            return {};
        }
    }
    Result<std::optional<qint64>> active = m_store.activeProjectVersion();
    if (!active)
        return active.error();
    if (!active->has_value())
        return {}; // nothing deployed yet: the node serves, /ready says why it is not ready
    return activateStored(**active);
}

Result<ProjectDeployment::Deployed> ProjectDeployment::deploy(const QByteArray &bundle, const QString &actor,
                                                              const QString &comment)
{
    QMutexLocker change(&m_changeMutex);
    Result<Model::ProjectFiles> files = Model::Bundle::read(bundle);
    if (!files)
        return files.error();
    Result<std::shared_ptr<const Model::Project>> project = validate(bundle);
    if (!project) {
        (void)m_store.appendAudit({0, {}, actor, u"project.deploy_refused"_s,
                                   auditDetails({{u"errors"_s, int(project.error().details.size())}})});
        return project.error();
    }
    // Store the canonical form, so equal projects have equal digests however they were sent.
    const QByteArray canonical = Model::Bundle::make(*files);
    const QString digest = QString::fromLatin1(Model::Bundle::digest(*files));
    if (digest == activeDigest())
        return Deployed{*activeVersion(), digest, true};
    Store::NewProjectVersion version{canonical, digest, Store::ProjectVersionSource::Deploy, comment, actor};
    Result<qint64> added = m_store.addProjectVersion(version, true);
    if (!added)
        return added.error();
    (void)m_store.appendAudit({0, {}, actor, u"project.deploy"_s,
                               auditDetails({{u"version"_s, *added}, {u"digest"_s, digest}})});
    Log::write(QtInfoMsg, "conflux.runtime", u"project version %1 deployed"_s.arg(*added),
               {{u"version"_s, *added}, {u"actor"_s, actor}});
    swap(*project, *added, digest);
    return Deployed{*added, digest, false};
}

Result<qint64> ProjectDeployment::rollback(std::optional<qint64> version, const QString &actor)
{
    QMutexLocker change(&m_changeMutex);
    const std::optional<qint64> current = activeVersion();
    qint64 target = 0;
    if (version) {
        target = *version;
    } else {
        Result<QList<Store::ProjectVersionInfo>> versions = m_store.projectVersions();
        if (!versions)
            return versions.error();
        for (const Store::ProjectVersionInfo &info : std::as_const(*versions)) { // newest first
            if (current && info.version < *current) {
                target = info.version;
                break;
            }
        }
        if (target == 0)
            return makeError("no_earlier_version", Tr::tr("there is no version before the active one to roll back to"));
    }
    Result<Store::ProjectVersion> stored = m_store.projectVersion(target);
    if (!stored)
        return stored.error();
    Result<std::shared_ptr<const Model::Project>> project = validate(stored->bundle);
    if (!project)
        return project.error();
    if (Result<void> activated = m_store.setActiveProjectVersion(target); !activated)
        return activated.error();
    (void)m_store.appendAudit({0, {}, actor, u"project.rollback"_s,
                               auditDetails({{u"from"_s, current ? *current : 0}, {u"to"_s, target}})});
    Log::write(QtInfoMsg, "conflux.runtime", u"rolled back to project version %1"_s.arg(target),
               {{u"version"_s, target}, {u"actor"_s, actor}});
    swap(*project, target, stored->info.sha256);
    return target;
}

std::shared_ptr<const Model::Project> ProjectDeployment::project() const
{
    QMutexLocker lock(&m_mutex);
    return m_project;
}

std::optional<qint64> ProjectDeployment::activeVersion() const
{
    QMutexLocker lock(&m_mutex);
    return m_version;
}

QString ProjectDeployment::activeDigest() const
{
    QMutexLocker lock(&m_mutex);
    return m_digest;
}

} // namespace Conflux::Runtime
