#pragma once

#include "base/result.h"
#include "projectloader.h"

#include <QJsonObject>
#include <QString>

namespace Conflux::Model {

// Writes project documents in their canonical form (see canonicalJson()).
// - Atomic: each file is written to a temporary file and renamed over the old one.
// - Quiet: a file whose bytes would not change is not touched (no mtime churn in git).
// - Safe: a document holding a plaintext credential is refused (error "plaintext_secret")
//   and nothing is written, so a secret can never reach a project folder by this path.
class ProjectWriter
{
public:
    explicit ProjectWriter(const QString &projectFolder);

    // `file` is relative to the project folder, e.g. "endpoints/crm.json".
    // Returns whether the file changed.
    Result<bool> writeDocument(const QString &file, const QJsonObject &document) const;

    // Writes bytes that are already canonical (for example from a bundle); the same checks.
    Result<bool> writeText(const QString &file, const QByteArray &text) const;

    // Writes every file of `files` (a bundle's content).
    Result<int> writeFiles(const ProjectFiles &files) const;

private:
    QString m_folder;
};

// Writes bytes atomically (QSaveFile) unless the file already holds exactly these bytes.
Result<bool> writeFileIfChanged(const QString &path, const QByteArray &bytes);

} // namespace Conflux::Model
