#pragma once

#include "connectors/connector.h"
#include "gateway/httprequest.h"
#include "gateway/httpresponse.h"
#include "gateway/httpserver.h"

#include <QString>
#include <QThreadPool>

#include <functional>
#include <memory>

namespace Conflux::Model {
class Project;
}

namespace Conflux::Runtime {

class ProjectEndpoints;

// The endpoints of the active project in the admin API (token-protected like the rest):
//
//   GET  /api/v1/endpoints                  every endpoint: id, name, type, protocol, url,
//                                           capabilities (or the error that its document has)
//   GET  /api/v1/endpoints/{id}             one endpoint, with its document (secret
//                                           references only: a project never holds a secret)
//   POST /api/v1/endpoints/{id}/test        connects: 200 {"ok": true, "latency_ms",
//                                           "server_info"} or 200 {"ok": false, "error": {...}}
//   GET  /api/v1/endpoints/{id}/entities    discovers: {"entities": [{"name", "key_fields",
//                                           "cursor_field", "capabilities", "fields": tree}]};
//                                           ?entity=NAME for one, ?fields=false without trees
//   GET  /api/v1/endpoints/{id}/records     reads a preview: ?entity=NAME (required),
//                                           limit (default 20, at most 1000), fields=a,b;
//                                           an endpoint whose read takes what it reads
//                                           (queues, files moved after reading) needs consume=true
//
// Errors: 404 endpoint_not_found, entity_not_found; 409 when the endpoint's document cannot make a connector
// (invalid_endpoint, secret_not_found, connector_unavailable) or a preview would consume;
// 400 for a bad query parameter; 504 timeout; 502 for every other failure of the remote system.
//
// Connector calls block, so they run on a small pool of worker threads and answer through the
// HttpResponder: the admin server keeps serving while a remote system is slow.
class EndpointApi
{
public:
    using ProjectSource = std::function<std::shared_ptr<const Model::Project>()>;
    // Called on a worker thread after each answer: the route label and the status sent.
    using Observer = std::function<void(const QString &routeLabel, int status)>;

    // `endpoints` must outlive this object. `project` is called on the admin server's thread.
    EndpointApi(const ProjectEndpoints &endpoints, ProjectSource project);
    // Cancels reads in progress and waits for every call to end.
    ~EndpointApi();

    static bool handles(const QString &path);
    // Answers `request` through `responder` from a worker thread (or at once for a bad
    // request), then calls `observer`. `actor` names the token, for the log.
    void handle(const Http::HttpRequest &request, Http::HttpResponder responder, const QString &actor,
                Observer observer);

private:
    Http::HttpResponse run(const Http::HttpRequest &request, const Model::Project &project, const QString &id,
                           const QString &action, const QString &actor);
    Http::HttpResponse list(const Model::Project &project);
    Http::HttpResponse describe(const Model::Project &project, const QString &id);
    Http::HttpResponse test(const Model::Project &project, const QString &id, const QString &actor);
    Http::HttpResponse entities(const Http::HttpRequest &request, const Model::Project &project, const QString &id);
    Http::HttpResponse records(const Http::HttpRequest &request, const Model::Project &project, const QString &id,
                               const QString &actor);

    const ProjectEndpoints &m_endpoints;
    ProjectSource m_project;
    Connectors::CancelToken m_cancel;
    QThreadPool m_pool;
};

} // namespace Conflux::Runtime
