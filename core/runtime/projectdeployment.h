#pragma once

#include "base/result.h"
#include "model/project.h"

#include <QMutex>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

namespace Conflux::Model {
class ProjectLoader;
}
namespace Conflux::Store {
class StateStore;
}

namespace Conflux::Runtime {

// Which project a node runs, and how it changes: every project a node has run is a stored
// version (the bundle, its digest, who and when); exactly one is active.
//
// At start, a project folder given on the command line is stored as a new version when its
// content differs from the last time the folder was loaded; otherwise the active version
// stays — so a project deployed over the admin API survives a restart, and an edited folder
// wins over an older deployment. deploy() and rollback() validate first: a project with
// errors is refused with every error, and the running project stays. A good one is stored
// and swapped in atomically (readers holding the old snapshot keep it until they drop it).
//
// Threading: all functions may be called from any thread; project() returns a snapshot.
class ProjectDeployment final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProjectDeployment)

public:
    ProjectDeployment(Store::StateStore &store, const Model::ProjectLoader &loader,
                      QObject *parent = nullptr);

    // Errors: "project_invalid" (details: every diagnostic), store errors.
    Result<void> start(const QString &projectFolder);

    struct Deployed
    {
        qint64 version = 0;
        QString digest;
        bool unchanged = false;  // the bundle equals the active version; nothing stored
    };
    // Errors: "bundle_invalid"/"bundle_too_large" (the bundle itself), "project_invalid"
    // (its documents; details hold `file:pointer: message` lines), store errors.
    Result<Deployed> deploy(const QByteArray &bundle, const QString &actor, const QString &comment);

    // To `version`, or when empty to the newest version older than the active one.
    // Errors: "no_earlier_version", "store_not_found", "project_invalid".
    Result<qint64> rollback(std::optional<qint64> version, const QString &actor);

    std::shared_ptr<const Model::Project> project() const;
    std::optional<qint64> activeVersion() const;
    QString activeDigest() const;

Q_SIGNALS:
    // Emitted after a new project became active (on the thread that changed it).
    void projectChanged(qint64 version);

private:
    Result<std::shared_ptr<const Model::Project>> validate(const QByteArray &bundle) const;
    Result<void> activateStored(qint64 version);
    void swap(std::shared_ptr<const Model::Project> project, qint64 version, const QString &digest);

    Store::StateStore &m_store;
    const Model::ProjectLoader &m_loader;
    mutable QMutex m_mutex;       // guards the three members below
    QMutex m_changeMutex;         // serializes deploy/rollback
    std::shared_ptr<const Model::Project> m_project;
    std::optional<qint64> m_version;
    QString m_digest;
};

} // namespace Conflux::Runtime
