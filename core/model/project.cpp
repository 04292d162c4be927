#include "project.h"

#include "projectbuild.h"

using namespace Qt::StringLiterals;

namespace Conflux::Model {

std::optional<QString> secretReference(const QJsonValue &value)
{
    if (!value.isObject())
        return std::nullopt;
    const QJsonObject object = value.toObject();
    if (object.size() != 1 || !object.value(u"secret"_s).isString())
        return std::nullopt;
    return object.value(u"secret"_s).toString();
}

namespace {

QString str(const QJsonObject &o, const char *key, const QString &fallback = {})
{
    return o.value(QLatin1String(key)).toString(fallback);
}

QStringList strings(const QJsonValue &v)
{
    QStringList out;
    const QJsonArray array = v.toArray();
    for (const QJsonValue &item : array)
        out.append(item.toString());
    return out;
}

QString defaultProtocol(const QString &type)
{
    if (type == u"database")
        return u"sql"_s;
    if (type == u"file_system")
        return u"files"_s;
    if (type == u"message_queue")
        return u"conflux_broker"_s;
    if (type == u"webhook")
        return u"webhook"_s;
    return u"rest"_s;
}

} // namespace

namespace Internal {

void addDocument(Project &project, const Document &d)
{
    const QJsonObject &o = d.json;
    switch (d.kind) {
    case DocumentKind::Project: {
        ProjectSettings s{d, str(o, "description"), o.value(u"variables"_s).toObject(), {}, {}, {}};
        const QJsonObject broker = o.value(u"broker"_s).toObject();
        s.unrouted = str(broker, "unrouted", u"dead_letter"_s);
        s.defaultQueue = str(broker, "default_queue");
        s.deadLetterQueue = str(broker, "dead_letter_queue");
        project.settings = s;
        break;
    }
    case DocumentKind::Endpoint: {
        const QString type = str(o, "type");
        project.endpoints.append({d, type, str(o, "protocol", defaultProtocol(type)), str(o, "url"),
                                  str(o, "data_format", u"json"_s),
                                  o.value(u"authentication"_s).toObject(),
                                  o.value(u"configuration"_s).toObject()});
        break;
    }
    case DocumentKind::Mapping: {
        Mapping m{d, str(o, "source_endpoint"), str(o, "target_endpoint"),
                  o.value(u"source"_s).toObject(), o.value(u"target"_s).toObject(), {},
                  o.value(u"validation"_s).toArray()};
        const QJsonArray rules = o.value(u"rules"_s).toArray();
        for (const QJsonValue &rv : rules) {
            const QJsonObject r = rv.toObject();
            m.rules.append({str(r, "target"), str(r, "type"), r});
        }
        project.mappings.append(m);
        break;
    }
    case DocumentKind::Workflow: {
        const QJsonObject trigger = o.value(u"trigger"_s).toObject();
        Workflow w{d, str(trigger, "type"), trigger, {}};
        const QJsonArray steps = o.value(u"steps"_s).toArray();
        for (const QJsonValue &sv : steps) {
            const QJsonObject s = sv.toObject();
            w.steps.append({str(s, "id"), str(s, "type"), str(s, "endpoint"), str(s, "operation"),
                            str(s, "mapping"), str(s, "sync_job"), str(s, "workflow"), str(s, "topic"),
                            str(s, "condition"), str(s, "next"), str(s, "then"), str(s, "else"),
                            str(s, "on_error"), str(s, "compensate")});
        }
        project.workflows.append(w);
        break;
    }
    case DocumentKind::SapConnection:
        project.sapConnections.append({d, str(o, "system_id"), str(o, "client"), str(o, "system_number"),
                                       str(o, "language", u"EN"_s), str(o, "connection_type"),
                                       str(o, "base_url"), str(o, "username"),
                                       secretReference(o.value(u"password"_s))});
        break;
    case DocumentKind::SapOperation:
        project.sapOperations.append({d, str(o, "connection"), str(o, "operation_type"),
                                      str(o, "function_name"), str(o, "idoc_type"),
                                      str(o, "message_type"), str(o, "service"), str(o, "entity_set"),
                                      o.value(u"commit"_s).toBool()});
        break;
    case DocumentKind::SyncJob:
        project.syncJobs.append({d, str(o, "source_endpoint"), str(o, "target_endpoint"),
                                 str(o, "data_mapping"), str(o, "sync_strategy"), str(o, "schedule"),
                                 str(o, "write_mode", u"upsert"_s),
                                 str(o, "conflict_policy", u"source_wins"_s), str(o, "cursor_field"),
                                 str(o, "source_queue"), strings(o.value(u"key_fields"_s)),
                                 o.value(u"batch_size"_s).toInt(1000),
                                 o.value(u"validation_failure_threshold"_s).toDouble(0.0)});
        break;
    case DocumentKind::Route: {
        Route r{d, str(o, "path"), str(o, "method"), str(o, "protocol", u"REST"_s), {},
                o.value(u"timeout_seconds"_s).toDouble(30.0), o.value(u"retry_attempts"_s).toInt(0),
                o.value(u"circuit_breaker_enabled"_s).toBool(), o.value(u"caching_enabled"_s).toBool(),
                o.value(u"cache_ttl_seconds"_s).toDouble(0.0), {}, {}};
        if (o.contains(u"upstream_url"_s))
            r.upstreamUrls.append(str(o, "upstream_url"));
        const QJsonArray upstreams = o.value(u"upstreams"_s).toArray();
        for (const QJsonValue &u : upstreams)
            r.upstreamUrls.append(u.toObject().value(u"url"_s).toString());
        const QJsonObject rules = o.value(u"transformation_rules"_s).toObject();
        r.requestMapping = str(rules, "request_mapping");
        r.responseMapping = str(rules, "response_mapping");
        project.routes.append(r);
        break;
    }
    case DocumentKind::Queue:
        project.queues.append({d, str(o, "queue_type"), str(o, "delivery_mode", u"at_least_once"_s),
                               str(o, "overflow_policy", u"reject_new"_s), str(o, "dead_letter_queue"),
                               strings(o.value(u"topics"_s)),
                               qint64(o.value(u"max_size"_s).toDouble(0)),
                               o.value(u"ttl_seconds"_s).toDouble(0.0),
                               o.value(u"max_delivery_attempts"_s).toInt(5)});
        break;
    case DocumentKind::Consumer: {
        const QJsonObject handler = o.value(u"handler"_s).toObject();
        const QString type = str(handler, "type");
        const QString target = type == u"webhook" ? str(handler, "url")
                                                  : handler.value(type).toString();
        project.consumers.append({d, str(o, "queue"), str(o, "group", d.id), type, target,
                                  o.value(u"concurrency"_s).toInt(1), o.value(u"prefetch"_s).toInt(10),
                                  o.value(u"processing_timeout_seconds"_s).toDouble(30.0)});
        break;
    }
    case DocumentKind::RoutingRule:
        project.routingRules.append({d, str(o, "topic"), str(o, "match", u"all"_s),
                                     o.value(u"priority"_s).toInt(0), o.value(u"stop"_s).toBool(),
                                     o.value(u"conditions"_s).toArray(),
                                     o.value(u"destinations"_s).toArray()});
        break;
    case DocumentKind::Collection:
        project.collections.append({d, o.value(u"variables"_s).toObject(), o.value(u"auth"_s).toObject(),
                                    o.value(u"items"_s).toArray()});
        break;
    case DocumentKind::Environment:
        project.environments.append({d, o.value(u"variables"_s).toObject()});
        break;
    }
}

} // namespace Internal

namespace {
template<typename T>
void collect(QList<Document> &out, const QList<T> &items)
{
    for (const T &item : items)
        out.append(item.document);
}
} // namespace

QList<Document> Project::documents() const
{
    QList<Document> out;
    out.append(settings.document);
    collect(out, endpoints);
    collect(out, mappings);
    collect(out, workflows);
    collect(out, sapConnections);
    collect(out, sapOperations);
    collect(out, syncJobs);
    collect(out, routes);
    collect(out, queues);
    collect(out, consumers);
    collect(out, routingRules);
    collect(out, collections);
    collect(out, environments);
    return out;
}

const Document *Project::document(DocumentKind kind, const QString &id) const
{
    auto find = [&](const auto &list) -> const Document * {
        for (const auto &item : list) {
            if (item.document.id == id)
                return &item.document;
        }
        return nullptr;
    };
    switch (kind) {
    case DocumentKind::Project: return settings.document.id == id ? &settings.document : nullptr;
    case DocumentKind::Endpoint: return find(endpoints);
    case DocumentKind::Mapping: return find(mappings);
    case DocumentKind::Workflow: return find(workflows);
    case DocumentKind::SapConnection: return find(sapConnections);
    case DocumentKind::SapOperation: return find(sapOperations);
    case DocumentKind::SyncJob: return find(syncJobs);
    case DocumentKind::Route: return find(routes);
    case DocumentKind::Queue: return find(queues);
    case DocumentKind::Consumer: return find(consumers);
    case DocumentKind::RoutingRule: return find(routingRules);
    case DocumentKind::Collection: return find(collections);
    case DocumentKind::Environment: return find(environments);
    }
    return nullptr;
}

int Project::count(DocumentKind kind) const
{
    switch (kind) {
    case DocumentKind::Project: return 1;
    case DocumentKind::Endpoint: return int(endpoints.size());
    case DocumentKind::Mapping: return int(mappings.size());
    case DocumentKind::Workflow: return int(workflows.size());
    case DocumentKind::SapConnection: return int(sapConnections.size());
    case DocumentKind::SapOperation: return int(sapOperations.size());
    case DocumentKind::SyncJob: return int(syncJobs.size());
    case DocumentKind::Route: return int(routes.size());
    case DocumentKind::Queue: return int(queues.size());
    case DocumentKind::Consumer: return int(consumers.size());
    case DocumentKind::RoutingRule: return int(routingRules.size());
    case DocumentKind::Collection: return int(collections.size());
    case DocumentKind::Environment: return int(environments.size());
    }
    return 0;
}

} // namespace Conflux::Model
