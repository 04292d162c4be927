#pragma once

#include "gatewayconfig.h"
#include "httprequest.h"
#include "httpserver.h"

#include <QObject>

#include <functional>
#include <memory>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;

namespace Conflux::Gateway {

// The state a deployed project's routes share across the gateway's event loops: one
// upstream pool (with its circuit breakers) per route. Thread-safe.
class GatewayRuntime
{
public:
    explicit GatewayRuntime(std::shared_ptr<const GatewayConfig> config);

    const GatewayConfig &config() const { return *m_config; }
    UpstreamPool &pool(int route) const { return *m_pools[size_t(route)]; }

private:
    std::shared_ptr<const GatewayConfig> m_config;
    std::vector<std::unique_ptr<UpstreamPool>> m_pools;
};

// Forwards requests to the upstreams of the routes they match, on the thread it lives in
// (one per event loop; its QNetworkAccessManager pools connections to the upstreams).
//
// For each request: the route (404, 405 with Allow, 406 for an unknown Accept-Version);
// an upstream target from the route's pool (503 with Retry-After when every circuit is
// open, 503 when no target is healthy); the upstream URL is the target's, with template
// parameters {name} substituted, a prefix route's rest appended, and the request's query.
// Hop-by-hop headers (Connection and every field it names, Keep-Alive, Proxy-*, TE,
// Trailer, Transfer-Encoding, Upgrade) are not forwarded either way; X-Forwarded-For is the
// socket peer (client-sent values are dropped: no proxy is trusted), X-Forwarded-Proto and
// -Host say how the client came; X-Request-Id and a W3C traceparent (the client's when
// valid, else a new trace) go upstream. The route's header removals and additions apply.
// Failures (no connection, reset, timeout, 502/503/504) count against the target; GET,
// HEAD, OPTIONS, PUT and DELETE are retried on another target up to retry_attempts times
// after 50 ms × 2^attempt with ±50 % jitter; the answer is then 502 (no usable answer) or
// 504 (timed out). Nothing is sent upstream for a client that left.
class Proxy final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Proxy)

public:
    // Resolves a secret named by a route's header (empty: unavailable).
    using SecretResolver = std::function<QByteArray(const QString &name)>;

    explicit Proxy(QObject *parent = nullptr);
    ~Proxy() override;

    // The routes to serve; requests already under way finish with the runtime they started with.
    void setRuntime(std::shared_ptr<const GatewayRuntime> runtime);
    void setSecretResolver(SecretResolver resolver) { m_secrets = std::move(resolver); }

    // An HttpServer::AsyncHandler.
    void handle(const Http::HttpRequest &request, Http::HttpResponder responder);

private:
    struct Call;
    void attempt(std::shared_ptr<Call> call);
    void finished(std::shared_ptr<Call> call, QNetworkReply *reply);

    QNetworkAccessManager *m_network = nullptr;
    std::shared_ptr<const GatewayRuntime> m_runtime;
    SecretResolver m_secrets;
};

} // namespace Conflux::Gateway
