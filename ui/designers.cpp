#include "designers.h"

#include "endpoint/endpointdesigner.h"
#include "mapping/mappingdesigner.h"
#include "tester/collectiondesigner.h"

namespace Conflux::Ui {

DocumentDesigner *createDesigner(Model::DocumentKind kind, JsonEditor *editor, const DesignerContext &context)
{
    switch (kind) {
    case Model::DocumentKind::Endpoint: {
        auto *designer = new EndpointDesigner(editor, context);
        QObject::connect(designer, &EndpointDesigner::endpointImported, designer, &DocumentDesigner::documentCreated);
        return designer;
    }
    case Model::DocumentKind::Mapping:
        return new MappingDesigner(editor, context);
    case Model::DocumentKind::Collection:
        return new CollectionDesigner(editor, context);
    default:
        return nullptr;
    }
}

} // namespace Conflux::Ui
