#pragma once

#include "base/result.h"
#include "model/documentkind.h"

#include <QString>

namespace Conflux::Ui {

// New projects and documents on disk, written through ProjectWriter.

// Creates `folder` (which must not exist or be empty) with a valid project.json and one
// folder per document kind.
Result<void> createProjectFolder(const QString &folder, const QString &id, const QString &name);

// Creates <kind folder>/<id>.json in the project with kind, schemaVersion, id and name
// filled in. Returns the relative file. Errors: invalid id, the file exists, write errors.
Result<QString> createDocumentFile(const QString &projectFolder, Model::DocumentKind kind, const QString &id,
                                   const QString &name);

bool isValidDocumentId(const QString &id);

} // namespace Conflux::Ui
