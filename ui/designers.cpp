#include "designers.h"

namespace Conflux::Ui {

DocumentDesigner *createDesigner(Model::DocumentKind kind, JsonEditor *editor, const DesignerContext &context)
{
    Q_UNUSED(editor)
    Q_UNUSED(context)
    switch (kind) {
    default:
        return nullptr;
    }
}

} // namespace Conflux::Ui
