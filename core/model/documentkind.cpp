#include "documentkind.h"

#include "diagnostic.h"

using namespace Qt::StringLiterals;

namespace Conflux::Model {

QStringList toStrings(const Diagnostics &diagnostics)
{
    QStringList out;
    out.reserve(diagnostics.size());
    for (const Diagnostic &d : diagnostics)
        out.append(d.toString());
    return out;
}

const QList<KindInfo> &documentKinds()
{
    static const QList<KindInfo> kinds = {
        {DocumentKind::Project, u"Project"_s, QString(), u"project.schema.json"_s, 1},
        {DocumentKind::Endpoint, u"Endpoint"_s, u"endpoints"_s, u"endpoint.schema.json"_s, 1},
        {DocumentKind::Mapping, u"Mapping"_s, u"mappings"_s, u"mapping.schema.json"_s, 2},
        {DocumentKind::Workflow, u"Workflow"_s, u"workflows"_s, u"workflow.schema.json"_s, 1},
        {DocumentKind::SapConnection, u"SapConnection"_s, u"sap"_s, u"sapconnection.schema.json"_s, 1},
        {DocumentKind::SapOperation, u"SapOperation"_s, u"sap"_s, u"sapoperation.schema.json"_s, 1},
        {DocumentKind::SyncJob, u"SyncJob"_s, u"sync"_s, u"syncjob.schema.json"_s, 1},
        {DocumentKind::Route, u"Route"_s, u"routes"_s, u"route.schema.json"_s, 1},
        {DocumentKind::Queue, u"Queue"_s, u"queues"_s, u"queue.schema.json"_s, 1},
        {DocumentKind::Consumer, u"Consumer"_s, u"queues"_s, u"consumer.schema.json"_s, 1},
        {DocumentKind::RoutingRule, u"RoutingRule"_s, u"queues"_s, u"routingrule.schema.json"_s, 1},
        {DocumentKind::Collection, u"Collection"_s, u"collections"_s, u"collection.schema.json"_s, 1},
        {DocumentKind::Environment, u"Environment"_s, u"environments"_s, u"environment.schema.json"_s, 1},
    };
    return kinds;
}

const KindInfo &kindInfo(DocumentKind kind)
{
    for (const KindInfo &info : documentKinds()) {
        if (info.kind == kind)
            return info;
    }
    Q_UNREACHABLE();
}

std::optional<DocumentKind> kindFromName(const QString &name)
{
    for (const KindInfo &info : documentKinds()) {
        if (info.name == name)
            return info.kind;
    }
    return std::nullopt;
}

QList<DocumentKind> kindsInFolder(const QString &folder)
{
    QList<DocumentKind> out;
    for (const KindInfo &info : documentKinds()) {
        if (info.folder == folder)
            out.append(info.kind);
    }
    return out;
}

QStringList projectFolders()
{
    QStringList out;
    for (const KindInfo &info : documentKinds()) {
        if (!info.folder.isEmpty() && !out.contains(info.folder))
            out.append(info.folder);
    }
    return out;
}

} // namespace Conflux::Model
