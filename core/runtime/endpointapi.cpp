#include "endpointapi.h"

#include "apihelpers_p.h"
#include "base/log.h"
#include "data/json.h"
#include "model/project.h"
#include "projectendpoints.h"

#include <QCoreApplication>
#include <QJsonObject>

using namespace Qt::StringLiterals;
using Conflux::Http::HttpRequest;
using Conflux::Http::HttpResponder;
using Conflux::Http::HttpResponse;

namespace Conflux::Runtime {

using namespace Internal;

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Runtime::EndpointApi)
};

constexpr QStringView kPrefix = u"/api/v1/endpoints";
constexpr int kDefaultPreview = 20;
constexpr int kMaxPreview = 1000;

// The status of a failed connector call (see the class comment).
int statusFor(const Error &error)
{
    const QString &code = error.code;
    if (code == u"endpoint_not_found" || code == u"entity_not_found")
        return 404;
    if (code == u"invalid_endpoint" || code == u"secret_unavailable" || code == u"secret_not_found" || code == u"connector_unavailable"
        || code == u"invalid_catalog" || code == u"preview_consumes")
        return 409;
    if (code == u"invalid_request")
        return 400;
    if (code == u"timeout")
        return 504;
    if (code == u"cancelled")
        return 503;
    return 502;
}

HttpResponse failure(const Error &error)
{
    return HttpResponse::error(statusFor(error), error);
}

} // namespace

EndpointApi::EndpointApi(const ProjectEndpoints &endpoints, ProjectSource project)
    : m_endpoints(endpoints)
    , m_project(std::move(project))
{
    m_pool.setMaxThreadCount(4);
    m_pool.setObjectName(u"conflux-endpoints"_s);
}

EndpointApi::~EndpointApi()
{
    m_cancel.cancel();
    m_pool.waitForDone();
}

bool EndpointApi::handles(const QString &path)
{
    return path == kPrefix || (path.startsWith(kPrefix) && path.size() > kPrefix.size() && path[kPrefix.size()] == u'/');
}

void EndpointApi::handle(const HttpRequest &request, HttpResponder responder, const QString &actor, Observer observer)
{
    const QStringList parts = request.path.mid(kPrefix.size() + 1).split(u'/');
    const bool get = request.method == "GET" || request.method == "HEAD";
    QString id, action, label;
    std::optional<QByteArray> allow;
    if (request.path == kPrefix) {
        label = kPrefix.toString();
        if (!get)
            allow = "GET, HEAD";
    } else if (parts.size() == 1 && !parts[0].isEmpty()) {
        id = parts[0];
        label = u"/api/v1/endpoints/{id}"_s;
        if (!get)
            allow = "GET, HEAD";
    } else if (parts.size() == 2 && !parts[0].isEmpty()
               && (parts[1] == u"test" || parts[1] == u"entities" || parts[1] == u"records")) {
        id = parts[0];
        action = parts[1];
        label = u"/api/v1/endpoints/{id}/"_s + action;
        if (action == u"test" && request.method != "POST")
            allow = "POST";
        else if (action != u"test" && !get)
            allow = "GET, HEAD";
    }
    const auto answer = [responder, observer](const QString &routeLabel, HttpResponse response) {
        const int status = response.status();
        responder.send(std::move(response));
        if (observer)
            observer(routeLabel, status);
    };
    if (label.isEmpty()) {
        answer(u"other"_s, HttpResponse::error(404, u"not_found"_s, Tr::tr("no such resource: %1").arg(request.path)));
        return;
    }
    if (allow) {
        answer(label, HttpResponse::methodNotAllowed(*allow));
        return;
    }
    std::shared_ptr<const Model::Project> project = m_project ? m_project() : nullptr;
    if (!project) {
        answer(label, HttpResponse::error(503, u"no_project"_s, Tr::tr("no project is active on this node")));
        return;
    }
    // The request is copied: the worker outlives this call.
    m_pool.start([this, request, project, id, action, actor, label, answer, responder] {
        if (!responder.isConnected())
            return; // the client left while the call waited for a thread
        answer(label, run(request, *project, id, action, actor));
    });
}

HttpResponse EndpointApi::run(const HttpRequest &request, const Model::Project &project, const QString &id,
                              const QString &action, const QString &actor)
{
    if (id.isEmpty())
        return list(project);
    if (action.isEmpty())
        return describe(project, id);
    if (action == u"test")
        return test(project, id, actor);
    if (action == u"entities")
        return entities(request, project, id);
    return records(request, project, id, actor);
}

HttpResponse EndpointApi::list(const Model::Project &project)
{
    Data::Array endpoints;
    for (const Model::Endpoint &endpoint : project.endpoints) {
        Data::Object item;
        item.insert(u"id"_s, Data::Value(endpoint.document.id));
        item.insert(u"name"_s, Data::Value(endpoint.document.name));
        item.insert(u"type"_s, Data::Value(endpoint.type));
        item.insert(u"protocol"_s, Data::Value(endpoint.protocol));
        if (!endpoint.url.isEmpty())
            item.insert(u"url"_s, Data::Value(endpoint.url));
        item.insert(u"file"_s, Data::Value(endpoint.document.file));
        // Creating a connector checks the configuration and connects nothing.
        Result<std::unique_ptr<Connectors::Connector>> connector = m_endpoints.create(project, endpoint.document.id);
        if (connector) {
            Data::Array names;
            for (const QString &name : Connectors::capabilityNames((*connector)->capabilities()))
                names.emplace_back(name);
            item.insert(u"capabilities"_s, Data::Value(std::move(names)));
        } else {
            item.insert(u"error"_s, errorToValue(connector.error()));
        }
        endpoints.emplace_back(std::move(item));
    }
    Data::Object out;
    out.insert(u"endpoints"_s, Data::Value(std::move(endpoints)));
    return jsonResponse(200, Data::Value(std::move(out)));
}

HttpResponse EndpointApi::describe(const Model::Project &project, const QString &id)
{
    for (const Model::Endpoint &endpoint : project.endpoints) {
        if (endpoint.document.id != id)
            continue;
        Data::Object out;
        out.insert(u"id"_s, Data::Value(id));
        out.insert(u"file"_s, Data::Value(endpoint.document.file));
        out.insert(u"document"_s, Data::Value::fromQJson(endpoint.document.json));
        Result<std::unique_ptr<Connectors::Connector>> connector = m_endpoints.create(project, id);
        if (connector) {
            Data::Array names;
            for (const QString &name : Connectors::capabilityNames((*connector)->capabilities()))
                names.emplace_back(name);
            out.insert(u"capabilities"_s, Data::Value(std::move(names)));
        } else {
            out.insert(u"error"_s, errorToValue(connector.error()));
        }
        return jsonResponse(200, Data::Value(std::move(out)));
    }
    return failure(makeError("endpoint_not_found", Tr::tr("The project has no endpoint \"%1\"").arg(id)));
}

HttpResponse EndpointApi::test(const Model::Project &project, const QString &id, const QString &actor)
{
    Result<std::unique_ptr<Connectors::Connector>> connector = m_endpoints.create(project, id);
    Result<Connectors::ConnectionTest> tested =
        connector ? (*connector)->testConnection() : Result<Connectors::ConnectionTest>(connector.error());
    if (!tested && tested.error().code == u"endpoint_not_found")
        return failure(tested.error());
    Log::write(QtInfoMsg, "conflux.connectors", u"endpoint connection test"_s,
               {{u"endpoint"_s, id},
                {u"actor"_s, actor},
                {u"ok"_s, tested.isOk()},
                {u"error"_s, tested ? QString() : tested.error().code}});
    Data::Object out;
    out.insert(u"ok"_s, Data::Value(tested.isOk()));
    if (tested) {
        const Data::Value result = connectionTestToValue(*tested);
        for (const auto &[key, value] : result.toObject())
            out.insert(key, value);
    } else {
        out.insert(u"error"_s, errorToValue(tested.error()));
    }
    return jsonResponse(200, Data::Value(std::move(out)));
}

HttpResponse EndpointApi::entities(const HttpRequest &request, const Model::Project &project, const QString &id)
{
    const std::optional<bool> withFields = booleanParameter(request, u"fields"_s, true);
    if (!withFields)
        return failure(badParameter(u"fields"_s, u"true or false"_s));
    const QString only = request.query.queryItemValue(u"entity"_s, QUrl::FullyDecoded);
    Result<std::unique_ptr<Connectors::Connector>> connector = m_endpoints.create(project, id);
    if (!connector)
        return failure(connector.error());
    Result<std::vector<Connectors::Entity>> found = (*connector)->discover();
    if (!found)
        return failure(found.error());
    Data::Array list;
    for (const Connectors::Entity &entity : *found) {
        if (only.isEmpty() || entity.name == only)
            list.push_back(entityToValue(entity, *withFields));
    }
    if (!only.isEmpty() && list.empty()) {
        return failure(makeError("entity_not_found",
                                 Tr::tr("Endpoint %1 has no entity \"%2\"").arg(id, only)));
    }
    Data::Object out;
    out.insert(u"entities"_s, Data::Value(std::move(list)));
    return jsonResponse(200, Data::Value(std::move(out)));
}

HttpResponse EndpointApi::records(const HttpRequest &request, const Model::Project &project, const QString &id,
                                  const QString &actor)
{
    Connectors::ReadRequest read;
    read.entity = request.query.queryItemValue(u"entity"_s, QUrl::FullyDecoded);
    if (read.entity.isEmpty())
        return failure(badParameter(u"entity"_s, u"the entity to read (see .../entities)"_s));
    int limit = kDefaultPreview;
    if (request.query.hasQueryItem(u"limit"_s)) {
        bool ok = false;
        limit = request.query.queryItemValue(u"limit"_s).toInt(&ok);
        if (!ok || limit < 1 || limit > kMaxPreview)
            return failure(badParameter(u"limit"_s, u"a whole number from 1 to %1"_s.arg(kMaxPreview)));
    }
    read.limit = limit;
    read.pageSize = limit;
    const QString fields = request.query.queryItemValue(u"fields"_s, QUrl::FullyDecoded);
    if (!fields.isEmpty())
        read.fields = fields.split(u',', Qt::SkipEmptyParts);
    const std::optional<bool> consume = booleanParameter(request, u"consume"_s, false);
    if (!consume)
        return failure(badParameter(u"consume"_s, u"true or false"_s));
    read.cancel = &m_cancel;

    Result<std::unique_ptr<Connectors::Connector>> connector = m_endpoints.create(project, id);
    if (!connector)
        return failure(connector.error());
    if ((*connector)->capabilities().testFlag(Connectors::Capability::ConsumingRead) && !*consume) {
        return failure(makeError("preview_consumes",
                                 Tr::tr("Reading endpoint %1 takes what it reads (messages are acknowledged, files "
                                        "moved or deleted); add consume=true to read anyway")
                                     .arg(id)));
    }
    Data::Array records;
    Result<Connectors::ReadSummary> summary =
        (*connector)->read(read, [&records](std::vector<Data::Value> &&page) {
            for (Data::Value &record : page)
                records.push_back(std::move(record));
            return true;
        });
    if (!summary)
        return failure(summary.error());
    Log::write(QtInfoMsg, "conflux.connectors", u"endpoint records previewed"_s,
               {{u"endpoint"_s, id},
                {u"entity"_s, read.entity},
                {u"actor"_s, actor},
                {u"records"_s, double(records.size())},
                {u"consumed"_s, *consume}});
    Data::Object out;
    out.insert(u"entity"_s, Data::Value(read.entity));
    out.insert(u"count"_s, Data::Value(qint64(records.size())));
    out.insert(u"limit_reached"_s, Data::Value(summary->stoppedEarly));
    out.insert(u"records"_s, Data::Value(std::move(records)));
    return jsonResponse(200, Data::Value(std::move(out)));
}

} // namespace Conflux::Runtime
