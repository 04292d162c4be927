#pragma once

#include "base/result.h"
#include "projectloader.h"

#include <QByteArray>

namespace Conflux::Model {

// A project bundle is how a project travels to a node (PUT /api/v1/project) and how a node
// stores each deployed version. It is one JSON document:
//   {"kind": "ProjectBundle", "schemaVersion": 1,
//    "files": {"project.json": {...}, "endpoints/crm.json": {...}, ...}}
// A file's value is the document itself, or a string holding the file's raw text (so a
// client can send a file that is not valid JSON and get its line and column back).
namespace Bundle {

// The canonical bundle of a project's files: documents embedded as objects where they
// parse, keys in canonical order. Equal projects give equal bytes.
QByteArray make(const ProjectFiles &files);

// Reads a bundle back into files (documents in canonical text). Errors name what is wrong
// with the bundle itself ("bundle_invalid"); the documents are validated by the loader.
Result<ProjectFiles> read(const QByteArray &bundle, qint64 maxBytes = 64 * 1024 * 1024);

// SHA-256 of the canonical bundle, lowercase hex: the identity of a project version.
QByteArray digest(const ProjectFiles &files);

} // namespace Bundle
} // namespace Conflux::Model
