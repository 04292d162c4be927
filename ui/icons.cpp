#include "icons.h"

using namespace Qt::StringLiterals;

namespace Conflux::Ui::Icons {
namespace {

QIcon named(const QString &name)
{
    return QIcon(u":/conflux/icons/"_s + name + u".svg"_s);
}

} // namespace

QIcon kind(Model::DocumentKind kind)
{
    using Model::DocumentKind;
    switch (kind) {
    case DocumentKind::Project: return named(u"project"_s);
    case DocumentKind::Endpoint: return named(u"endpoint"_s);
    case DocumentKind::Mapping: return named(u"mapping"_s);
    case DocumentKind::Workflow: return named(u"workflow"_s);
    case DocumentKind::SapConnection: return named(u"sapconnection"_s);
    case DocumentKind::SapOperation: return named(u"sapoperation"_s);
    case DocumentKind::SyncJob: return named(u"syncjob"_s);
    case DocumentKind::Route: return named(u"route"_s);
    case DocumentKind::Queue: return named(u"queue"_s);
    case DocumentKind::Consumer: return named(u"consumer"_s);
    case DocumentKind::RoutingRule: return named(u"routingrule"_s);
    case DocumentKind::Collection: return named(u"collection"_s);
    case DocumentKind::Environment: return named(u"environment"_s);
    }
    return named(u"folder"_s);
}

QIcon folder() { return named(u"folder"_s); }
QIcon app() { return named(u"conflux"_s); }
QIcon engineRunning() { return named(u"engine-running"_s); }
QIcon engineStopped() { return named(u"engine-stopped"_s); }
QIcon error() { return named(u"error"_s); }

} // namespace Conflux::Ui::Icons
