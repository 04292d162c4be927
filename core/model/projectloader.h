#pragma once

#include "diagnostic.h"
#include "migration.h"
#include "project.h"

#include <QByteArray>
#include <QMap>
#include <QString>

#include <memory>

namespace Conflux::Model {

class SchemaRegistry;

// The files of a project: path relative to the project folder ('/' separated) → bytes.
// A folder on disk and a deployed bundle both become this before loading.
using ProjectFiles = QMap<QString, QByteArray>;

struct LoadResult
{
    std::shared_ptr<const Project> project;  // null when there are errors
    Diagnostics errors;                      // every error found, in file order
    QStringList migratedFiles;               // documents upgraded from an older schemaVersion

    bool isOk() const { return project != nullptr; }
};

// Load → validate → typed model. Reports every error (JSON syntax with line and column,
// schema violations by JSON pointer, duplicate ids, file names that do not match ids,
// plaintext secrets, references to documents that do not exist, ...), not just the first.
//
// Thread-safe: a loader holds only immutable state after construction, and load() may be
// called from several threads at once.
class ProjectLoader
{
public:
    explicit ProjectLoader(const MigrationRegistry &migrations = MigrationRegistry::builtin());
    ~ProjectLoader();

    LoadResult load(const ProjectFiles &files) const;
    LoadResult loadFolder(const QString &folder) const;

    // The schema validation used for each document, exposed for editors that validate
    // one document as it is typed. `file` is used in the diagnostics only.
    Diagnostics validateDocument(const QString &file, const QByteArray &text) const;

private:
    const MigrationRegistry &m_migrations;
    std::unique_ptr<SchemaRegistry> m_schemas;
};

// Reads project.json, every *.json file directly inside the kind folders, and the lookup
// tables tables/*.csv and tables/*.json. Other files (README.md, sample data in
// subfolders) are left alone. Unreadable files become errors.
ProjectFiles readProjectFolder(const QString &folder, Diagnostics *errors);

// Plaintext credentials in a document: members named like a credential (password,
// client_secret, api_key, token, ...) whose value is a string rather than a secret
// reference. Used by the loader and as a last guard before anything is written.
Diagnostics findPlaintextSecrets(const QString &file, const QJsonObject &document);

} // namespace Conflux::Model
