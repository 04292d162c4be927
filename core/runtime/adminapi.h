#pragma once

#include "gateway/httprequest.h"
#include "gateway/httpresponse.h"
#include "gateway/httpserver.h"

#include <QDateTime>

namespace Conflux::Store {
class StateStore;
}

namespace Conflux {
class MetricsRegistry;
}

namespace Conflux::Runtime {

class BrokerApi;
class EndpointApi;
class GatewayApi;
class ProjectDeployment;
class SyncApi;

// The admin API of a node (see README "Admin API"). Stateless apart from what it is given;
// handle() runs on the admin server's thread.
//
//   GET  /health                     liveness: 200 while the process serves
//   GET  /ready                      200 when a project is active, else 503 with the reason
//   GET  /metrics                    Prometheus text format 0.0.4
//   GET  /api/v1/status              node, project and store status
//   GET  /api/v1/project             the active project bundle
//   PUT  /api/v1/project             deploy a bundle (validated first; 400 with every error)
//   GET  /api/v1/project/versions    stored versions, newest first
//   POST /api/v1/project/rollback    {"version": n} or empty: the version before the active one
//   .../api/v1/queues, /api/v1/topics  the message broker (see BrokerApi)
//   .../api/v1/gateway, /api/v1/api-keys  the gateway (see GatewayApi)
//   .../api/v1/endpoints             the project's endpoints: test, discover, preview (see
//                                    EndpointApi; answered from worker threads)
//   .../api/v1/sync                  sync jobs: run, reconcile, runs, conflicts, rejects (see
//                                    SyncApi; answered from worker threads)
//
// Everything under /api/ requires "Authorization: Bearer <token>" (401 otherwise).
class AdminApi
{
public:
    AdminApi(Store::StateStore &store, ProjectDeployment &deployment, MetricsRegistry &metrics);

    Http::HttpResponse handle(const Http::HttpRequest &request);
    // The admin server's handler: routes that call remote systems answer later, from a worker
    // thread; the rest at once through handle().
    void handleAsync(const Http::HttpRequest &request, Http::HttpResponder responder);
    // Serves the broker's routes and metrics through `broker` (not owned; may be null).
    void setBrokerApi(BrokerApi *broker) { m_broker = broker; }
    // Serves the gateway's routes (API keys, status) and metrics through `gateway` (not owned; may be null).
    void setGatewayApi(GatewayApi *gateway) { m_gateway = gateway; }
    // Serves the endpoints' routes through `endpoints` (not owned; may be null).
    void setEndpointApi(EndpointApi *endpoints) { m_endpoints = endpoints; }
    // Serves the sync jobs' routes through `sync` (not owned; may be null).
    void setSyncApi(SyncApi *sync) { m_sync = sync; }

private:
    std::optional<QString> authenticate(const Http::HttpRequest &request); // token name
    static Http::HttpResponse unauthorized();
    void record(const QString &routeLabel, int status, qint64 elapsedNs);
    Http::HttpResponse route(const Http::HttpRequest &request, QString &routeLabel);
    Http::HttpResponse status();
    Http::HttpResponse ready();
    Http::HttpResponse activeProject();
    Http::HttpResponse deploy(const Http::HttpRequest &request, const QString &actor);
    Http::HttpResponse versions();
    Http::HttpResponse rollback(const Http::HttpRequest &request, const QString &actor);

    Store::StateStore &m_store;
    ProjectDeployment &m_deployment;
    MetricsRegistry &m_metrics;
    QDateTime m_started;
    BrokerApi *m_broker = nullptr;
    GatewayApi *m_gateway = nullptr;
    EndpointApi *m_endpoints = nullptr;
    SyncApi *m_sync = nullptr;
};

} // namespace Conflux::Runtime
