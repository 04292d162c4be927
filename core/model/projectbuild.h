#pragma once

// Private to core/model: how the loader turns validated documents into the typed model
// and checks what a JSON Schema cannot express.

#include "diagnostic.h"
#include "project.h"

#include <QHash>
#include <QSet>

namespace Conflux::Model::Internal {

// Adds a validated document to the typed model.
void addDocument(Project &project, const Document &document);

// Checks inside one document that schemas cannot express (duplicate mapping targets,
// duplicate workflow step ids, step links to missing steps).
Diagnostics checkDocument(const Document &document);

// Checks references between documents; every dangling reference is one diagnostic.
// `presentIds` names documents that exist but did not load (so are not in `documents`).
Diagnostics checkReferences(const QList<Document> &documents,
                            const QHash<DocumentKind, QSet<QString>> &presentIds = {});

} // namespace Conflux::Model::Internal
