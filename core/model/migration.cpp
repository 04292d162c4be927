#include "migration.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace Conflux::Model {
namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Model::Migration)
};
} // namespace

MigrationRegistry::MigrationRegistry()
{
    for (const KindInfo &info : documentKinds())
        m_current.insert(info.kind, info.currentSchemaVersion);
}

const MigrationRegistry &MigrationRegistry::builtin()
{
    static const MigrationRegistry registry;
    return registry;
}

int MigrationRegistry::currentVersion(DocumentKind kind) const
{
    return m_current.value(kind, 1);
}

void MigrationRegistry::setCurrentVersion(DocumentKind kind, int version)
{
    m_current.insert(kind, version);
}

void MigrationRegistry::addStep(DocumentKind kind, int fromVersion, Step step)
{
    m_steps.insert({kind, fromVersion}, std::move(step));
}

Result<QJsonObject> MigrationRegistry::migrate(DocumentKind kind, const QJsonObject &document) const
{
    const QJsonValue versionValue = document.value(u"schemaVersion"_s);
    const double raw = versionValue.toDouble(-1);
    if (!versionValue.isDouble() || raw < 1 || raw != double(int(raw))) {
        return makeError("schema_invalid_version",
                         Tr::tr("\"schemaVersion\" must be a positive integer"));
    }
    int version = int(raw);
    const int current = currentVersion(kind);
    if (version > current) {
        return makeError("schema_too_new",
                         Tr::tr("schemaVersion %1 is newer than this Conflux understands for %2 "
                                "documents (up to %3); upgrade Conflux to open it")
                             .arg(version).arg(kindInfo(kind).name).arg(current));
    }
    QJsonObject out = document;
    while (version < current) {
        const auto it = m_steps.constFind({kind, version});
        if (it == m_steps.constEnd()) {
            return makeError("migration_missing",
                             Tr::tr("no migration from schemaVersion %1 to %2 for %3 documents")
                                 .arg(version).arg(version + 1).arg(kindInfo(kind).name));
        }
        Result<QJsonObject> next = (*it)(out);
        if (!next)
            return next.error();
        out = std::move(next).value();
        ++version;
        out.insert(u"schemaVersion"_s, version);
    }
    return out;
}

} // namespace Conflux::Model
