#pragma once

#include "documentkind.h"
#include "base/result.h"

#include <QJsonObject>
#include <QMap>

#include <functional>

namespace Conflux::Model {

// Upgrades documents written by older versions of Conflux. Each kind has a current schema
// version; a step migrates a document from version N to N+1 and the registry chains steps.
// A document newer than the current version is refused (the binary cannot know what the
// newer fields mean). A schema change adds the step to builtin() and bumps the version in
// documentkind.cpp. Steps so far: Mapping 1 → 2 (fields become typed rules).
class MigrationRegistry
{
public:
    using Step = std::function<Result<QJsonObject>(const QJsonObject &document)>;

    MigrationRegistry();   // current versions from documentKinds(), no steps
    static const MigrationRegistry &builtin();   // with every built-in step

    int currentVersion(DocumentKind kind) const;
    void setCurrentVersion(DocumentKind kind, int version);
    void addStep(DocumentKind kind, int fromVersion, Step step);

    // Returns the document at the current version with "schemaVersion" updated. Errors:
    // "schema_too_new", "schema_invalid_version", "migration_missing", or a step's own.
    Result<QJsonObject> migrate(DocumentKind kind, const QJsonObject &document) const;

private:
    QMap<DocumentKind, int> m_current;
    QMap<QPair<DocumentKind, int>, Step> m_steps;
};

} // namespace Conflux::Model
