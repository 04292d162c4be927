#pragma once

#include "documentdesigner.h"
#include "model/documentkind.h"

namespace Conflux::Ui {

// The visual designer of a document kind over `editor`, or null for the kinds that are
// edited as JSON only. The caller owns the designer.
DocumentDesigner *createDesigner(Model::DocumentKind kind, JsonEditor *editor, const DesignerContext &context);

} // namespace Conflux::Ui
