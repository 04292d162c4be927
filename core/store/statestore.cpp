#include "statestore.h"

#include "base/log.h"
#include "store/migrations.h"
#include "store/postgresstatestore.h"
#include "store/sqlitestatestore.h"

namespace Conflux::Store {

QString projectVersionSourceToString(ProjectVersionSource source)
{
    switch (source) {
    case ProjectVersionSource::Deploy:
        return QStringLiteral("deploy");
    case ProjectVersionSource::Folder:
        return QStringLiteral("folder");
    case ProjectVersionSource::Rollback:
        return QStringLiteral("rollback");
    }
    return QStringLiteral("deploy");
}

std::optional<ProjectVersionSource> projectVersionSourceFromString(const QString &text)
{
    if (text == QLatin1String("deploy"))
        return ProjectVersionSource::Deploy;
    if (text == QLatin1String("folder"))
        return ProjectVersionSource::Folder;
    if (text == QLatin1String("rollback"))
        return ProjectVersionSource::Rollback;
    return std::nullopt;
}

std::unique_ptr<StateStore> StateStore::create(const StoreConfig &config)
{
    switch (config.driver) {
    case StoreConfig::Driver::Sqlite:
        return std::make_unique<Internal::SqliteStateStore>(config);
    case StoreConfig::Driver::Postgres:
        // Driver messages never contain it, but keep it out of the logs whatever happens.
        Log::addSecretValue(config.password);
        return std::make_unique<Internal::PostgresStateStore>(config);
    }
    return nullptr;
}

int StateStore::latestSchemaVersion()
{
    return Internal::latestMigrationVersion();
}

} // namespace Conflux::Store
