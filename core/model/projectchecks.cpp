#include "jsontext.h"
#include "projectbuild.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Conflux::Model::Internal {
namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Model::ProjectChecks)
};

// A reference from one kind of document to another: `path` is a list of member names,
// where "*" walks every element of an array.
struct ReferenceRule
{
    DocumentKind from;
    QStringList path;
    DocumentKind to;
};

// How deep folders of a collection may nest (checkCollection reports deeper items).
constexpr int maxCollectionDepth = 8;

// A collection's authentication ({"endpoint": id}) and gateway route, on the collection and on
// every folder and request at every depth up to maxCollectionDepth.
void addCollectionRules(QList<ReferenceRule> &rules)
{
    using K = DocumentKind;
    rules.append({K::Collection, {u"auth"_s, u"endpoint"_s}, K::Endpoint});
    QStringList prefix;
    for (int depth = 0; depth < maxCollectionDepth; ++depth) {
        prefix << u"items"_s << u"*"_s;
        rules.append({K::Collection, prefix + QStringList{u"auth"_s, u"endpoint"_s}, K::Endpoint});
        rules.append({K::Collection, prefix + QStringList{u"route"_s}, K::Route});
    }
}

const QList<ReferenceRule> &referenceRules()
{
    using K = DocumentKind;
    static const QList<ReferenceRule> rules = [] {
        QList<ReferenceRule> rules = {
            {K::Project, {u"broker"_s, u"default_queue"_s}, K::Queue},
            {K::Project, {u"broker"_s, u"dead_letter_queue"_s}, K::Queue},
            {K::Mapping, {u"source_endpoint"_s}, K::Endpoint},
            {K::Mapping, {u"target_endpoint"_s}, K::Endpoint},
            {K::Workflow, {u"trigger"_s, u"queue"_s}, K::Queue},
            {K::Workflow, {u"trigger"_s, u"route"_s}, K::Route},
            {K::Workflow, {u"steps"_s, u"*"_s, u"endpoint"_s}, K::Endpoint},
            {K::Workflow, {u"steps"_s, u"*"_s, u"operation"_s}, K::SapOperation},
            {K::Workflow, {u"steps"_s, u"*"_s, u"mapping"_s}, K::Mapping},
            {K::Workflow, {u"steps"_s, u"*"_s, u"sync_job"_s}, K::SyncJob},
            {K::Workflow, {u"steps"_s, u"*"_s, u"workflow"_s}, K::Workflow},
            {K::SapOperation, {u"connection"_s}, K::SapConnection},
            {K::SapOperation, {u"input_mapping"_s}, K::Mapping},
            {K::SapOperation, {u"output_mapping"_s}, K::Mapping},
            {K::SyncJob, {u"source_endpoint"_s}, K::Endpoint},
            {K::SyncJob, {u"target_endpoint"_s}, K::Endpoint},
            {K::SyncJob, {u"data_mapping"_s}, K::Mapping},
            {K::SyncJob, {u"source_queue"_s}, K::Queue},
            {K::Route, {u"transformation_rules"_s, u"request_mapping"_s}, K::Mapping},
            {K::Route, {u"transformation_rules"_s, u"response_mapping"_s}, K::Mapping},
            {K::Queue, {u"dead_letter_queue"_s}, K::Queue},
            {K::Consumer, {u"queue"_s}, K::Queue},
            {K::Consumer, {u"handler"_s, u"workflow"_s}, K::Workflow},
            {K::Consumer, {u"handler"_s, u"sync_job"_s}, K::SyncJob},
            {K::RoutingRule, {u"destinations"_s, u"*"_s, u"queue"_s}, K::Queue},
        };
        addCollectionRules(rules);
        return rules;
    }();
    return rules;
}

QString kindNoun(DocumentKind kind)
{
    switch (kind) {
    case DocumentKind::Project: return Tr::tr("project");
    case DocumentKind::Endpoint: return Tr::tr("endpoint");
    case DocumentKind::Mapping: return Tr::tr("mapping");
    case DocumentKind::Workflow: return Tr::tr("workflow");
    case DocumentKind::SapConnection: return Tr::tr("SAP connection");
    case DocumentKind::SapOperation: return Tr::tr("SAP operation");
    case DocumentKind::SyncJob: return Tr::tr("sync job");
    case DocumentKind::Route: return Tr::tr("route");
    case DocumentKind::Queue: return Tr::tr("queue");
    case DocumentKind::Consumer: return Tr::tr("consumer");
    case DocumentKind::RoutingRule: return Tr::tr("routing rule");
    case DocumentKind::Collection: return Tr::tr("collection");
    case DocumentKind::Environment: return Tr::tr("environment");
    }
    return {};
}

// Calls `visit(pointer, value)` for every value at `path` inside `value`.
template<typename Visit>
void walk(const QJsonValue &value, const QStringList &path, qsizetype depth, const QString &pointer,
          const Visit &visit)
{
    if (depth == path.size()) {
        visit(pointer, value);
        return;
    }
    const QString &step = path.at(depth);
    if (step == u"*") {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            walk(array.at(i), path, depth + 1, appendPointer(pointer, i), visit);
        return;
    }
    const QJsonObject object = value.toObject();
    const auto it = object.constFind(step);
    if (it != object.constEnd())
        walk(*it, path, depth + 1, appendPointer(pointer, step), visit);
}

Diagnostics checkMapping(const Document &d)
{
    Diagnostics out;
    QHash<QString, qsizetype> seen;
    const QJsonArray rules = d.json.value(u"rules"_s).toArray();
    for (qsizetype i = 0; i < rules.size(); ++i) {
        const QString target = rules.at(i).toObject().value(u"target"_s).toString();
        if (target.isEmpty())
            continue;
        if (seen.contains(target)) {
            out.append({d.file, u"/rules/%1/target"_s.arg(i),
                        Tr::tr("duplicate target field \"%1\" (also set by /rules/%2)")
                            .arg(target).arg(seen.value(target))});
            continue;
        }
        // "a.b" cannot be set when a rule makes "a" a value of its own, and vice versa.
        for (auto it = seen.cbegin(); it != seen.cend(); ++it) {
            const QString &other = it.key();
            if (target.startsWith(other + u'.') || other.startsWith(target + u'.')) {
                out.append({d.file, u"/rules/%1/target"_s.arg(i),
                            Tr::tr("target field \"%1\" overlaps \"%2\" set by /rules/%3")
                                .arg(target, other).arg(it.value())});
            }
        }
        seen.insert(target, i);
    }
    return out;
}

Diagnostics checkWorkflow(const Document &d)
{
    Diagnostics out;
    const QJsonArray steps = d.json.value(u"steps"_s).toArray();
    QSet<QString> ids;
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const QString id = steps.at(i).toObject().value(u"id"_s).toString();
        if (ids.contains(id)) {
            out.append({d.file, u"/steps/%1/id"_s.arg(i),
                        Tr::tr("duplicate step id \"%1\"").arg(id)});
        }
        ids.insert(id);
    }
    static const QStringList links = {u"next"_s, u"then"_s, u"else"_s, u"on_error"_s, u"compensate"_s};
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const QJsonObject step = steps.at(i).toObject();
        for (const QString &link : links) {
            const QString target = step.value(link).toString();
            if (!target.isEmpty() && !ids.contains(target)) {
                out.append({d.file, u"/steps/%1/%2"_s.arg(i).arg(link),
                            Tr::tr("step \"%1\" does not exist in this workflow").arg(target)});
            }
        }
    }
    return out;
}

void checkCollectionItems(const Document &d, const QJsonArray &items, const QString &pointer, int depth,
                          Diagnostics &out)
{
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QJsonObject item = items.at(i).toObject();
        const QString here = appendPointer(appendPointer(pointer, u"items"_s), i);
        if (!item.contains(u"items"_s))
            continue;
        if (depth + 1 >= maxCollectionDepth) {
            out.append({d.file, here + u"/items"_s,
                        Tr::tr("folders nest at most %1 deep").arg(maxCollectionDepth)});
            continue;
        }
        checkCollectionItems(d, item.value(u"items"_s).toArray(), here, depth + 1, out);
    }
}

Diagnostics checkCollection(const Document &d)
{
    Diagnostics out;
    checkCollectionItems(d, d.json.value(u"items"_s).toArray(), QString(), 0, out);
    return out;
}

} // namespace

Diagnostics checkDocument(const Document &document)
{
    switch (document.kind) {
    case DocumentKind::Mapping: return checkMapping(document);
    case DocumentKind::Workflow: return checkWorkflow(document);
    case DocumentKind::Collection: return checkCollection(document);
    default: return {};
    }
}

Diagnostics checkReferences(const QList<Document> &documents,
                            const QHash<DocumentKind, QSet<QString>> &presentIds)
{
    QHash<DocumentKind, QSet<QString>> ids = presentIds;
    for (const Document &d : documents)
        ids[d.kind].insert(d.id);

    Diagnostics out;
    for (const Document &d : documents) {
        for (const ReferenceRule &rule : referenceRules()) {
            if (rule.from != d.kind)
                continue;
            walk(d.json, rule.path, 0, QString(), [&](const QString &pointer, const QJsonValue &v) {
                const QString target = v.toString();
                if (target.isEmpty() || ids.value(rule.to).contains(target))
                    return;
                const KindInfo &info = kindInfo(rule.to);
                out.append({d.file, pointer,
                            Tr::tr("%1 \"%2\" does not exist (no %3/%2.json)")
                                .arg(kindNoun(rule.to), target, info.folder)});
            });
        }
    }
    return out;
}

} // namespace Conflux::Model::Internal
