#pragma once

#include "gatewayauth.h"
#include "gatewayconfig.h"
#include "responsecache.h"
#include "upstreamclient.h"
#include "httprequest.h"
#include "httpserver.h"

#include <QObject>

#include <functional>
#include <memory>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;

namespace Conflux::Gateway {

// What outlives one deployment: the rate limiter (buckets survive a redeploy), the response
// cache and the credentials. Thread-safe; share it.
struct GatewayServices
{
    std::shared_ptr<RateLimiter> limiter = std::make_shared<RateLimiter>();
    std::shared_ptr<ResponseCache> cache = std::make_shared<ResponseCache>();
    AuthServices auth;
};

// The state a deployed project's routes share across the gateway's event loops: one
// upstream pool (with its circuit breakers) and one authenticator per route, and the
// services. Build it on a thread with an event loop (the JWKS fetchers of jwt routes live
// there). Thread-safe.
class GatewayRuntime
{
public:
    explicit GatewayRuntime(std::shared_ptr<const GatewayConfig> config, GatewayServices services = {});

    const GatewayConfig &config() const { return *m_config; }
    const GatewayServices &services() const { return m_services; }
    UpstreamPool &pool(int route) const { return *m_pools[size_t(route)]; }
    const RouteAuthenticator &authenticator(int route) const { return *m_auth[size_t(route)]; }

private:
    std::shared_ptr<const GatewayConfig> m_config;
    GatewayServices m_services;
    std::vector<std::unique_ptr<UpstreamPool>> m_pools;
    std::vector<std::unique_ptr<RouteAuthenticator>> m_auth;
};

// One answered request, for metrics and the access log. Never a credential.
struct GatewayRequestRecord
{
    QString route;                   // empty: no route matched
    QByteArray method;
    QString path;
    int status = 0;
    double seconds = 0;              // from the request's arrival to its answer
    double upstreamSeconds = -1;     // the last upstream call; < 0 when none was made
    int attempts = 0;                // upstream calls made
    QString upstream;                // the last target's URL (scheme, host, port)
    QString client;                  // the client address (trusted proxies applied)
    QString identity;                // kind:id of the authenticated caller
    QString requestId;
    QString rejection;               // error code when the gateway answered itself
    qint64 responseBytes = 0;        // the body
    bool cacheHit = false;
    bool rateLimited = false;
};

// Forwards requests to the upstreams of the routes they match, on the thread it lives in
// (one per event loop; its UpstreamClient keeps a keep-alive pool of upstream connections).
//
// For each request, in order:
// 1. The route (404, 405 with Allow, 406 for an unknown Accept-Version).
// 2. Authentication and authorization by the route's RouteAuthenticator: 401 with
//    WWW-Authenticate, or 403. A jwt token whose key the JWKS lacks waits (at most 3 s) for
//    the fetcher's refresh; oauth2_introspection asks the server (RFC 7662), then caches.
//    A client whose credentials were refused 10 times within a minute gets 429 without its
//    credentials being checked until that minute is over (AuthFailureThrottle).
// 3. Rate limits (the project's gateway.rate_limits, the route's rate_limit, the API key's
//    own): 429 with Retry-After; every answer after this step carries RateLimit-* fields.
//    Requests whose credentials were refused are counted too, by client address.
//    The client key is the authenticated identity, else the client address: the socket peer,
//    or, when the peer is a trusted proxy, the last untrusted address of X-Forwarded-For.
// 4. A body larger than the project's gateway.max_body_bytes: 413.
// 5. The route's request transformation rules (400 transform_failed when they cannot apply);
//    its response rules run on the upstream's answer (502 transform_failed), before the
//    response is cached.
// 6. The response cache on routes with caching_enabled (X-Cache: HIT or MISS), keyed on the
//    request as the client sent it.
// GraphQL routes: the query (POST JSON, POST application/graphql or GET ?query=) must parse
// and stay within the route's graphql limits (depth, fields, size), else 400 with
// graphql_invalid / graphql_too_deep / graphql_too_complex / graphql_too_large; a mutation
// sent with GET gets 405. The request then goes upstream unchanged.
// SOAP routes: anything but a GET (a ?wsdl) must carry a SOAP envelope's media type, text/xml
// or application/soap+xml, else 415; envelopes, SOAPAction and faults pass through unchanged.
// WebSocket routes: a GET with Upgrade: websocket is forwarded with its handshake fields; the
// upstream's 101 goes back and the two connections become a transparent byte tunnel (closed
// after 10 minutes without traffic); any other answer is relayed as it is; a request that is
// not an upgrade gets 426.
// 7. An upstream target from the route's pool (503 with Retry-After when every circuit is
//    open, 503 when no target is healthy); the upstream URL is the target's, with template
//    parameters {name} substituted, a prefix route's rest appended, and the request's query.
// Hop-by-hop headers (Connection and every field it names, Keep-Alive, Proxy-*, TE,
// Trailer, Transfer-Encoding, Upgrade) are not forwarded either way; X-Forwarded-For is the
// client's chain when the peer is trusted, else the socket peer alone; X-Forwarded-Proto and
// -Host say how the client came; X-Request-Id and a W3C traceparent (the client's when
// valid, else a new trace) go upstream. The credential of an api_key or basic route is not
// forwarded, nor the opaque token of an oauth2_introspection route (a JWT is: upstreams may
// verify it again). The route's header removals and additions apply.
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
    // Called on this proxy's thread once per answered request.
    void setObserver(std::function<void(const GatewayRequestRecord &)> observer) { m_observer = std::move(observer); }

    // An HttpServer::AsyncHandler.
    void handle(const Http::HttpRequest &request, Http::HttpResponder responder);

private:
    struct Call;
    void authenticated(const std::shared_ptr<Call> &call, const AuthCheck &check);
    void awaitKeys(const std::shared_ptr<Call> &call, const QByteArray &token);
    void introspect(const std::shared_ptr<Call> &call, const QByteArray &token);
    void admitted(const std::shared_ptr<Call> &call);
    // Applies the rate limits; false when it answered 429.
    bool rateLimit(const std::shared_ptr<Call> &call);
    // What goes upstream besides the body: the client's end-to-end fields, the gateway's own
    // (X-Forwarded-*, X-Request-Id, traceparent) and the route's. Errors: a secret is missing.
    Result<Http::HttpHeaders> upstreamHeaders(const Call &call);
    // Chooses the upstream target and builds its fields; answers the client itself (503, 500)
    // and returns nothing when it cannot.
    std::optional<Http::HttpHeaders> pickUpstream(const std::shared_ptr<Call> &call);
    void upgradeWebSocket(const std::shared_ptr<Call> &call);
    void attempt(std::shared_ptr<Call> call);
    void finished(std::shared_ptr<Call> call, Result<UpstreamResponse> result);
    void complete(const std::shared_ptr<Call> &call, Http::HttpResponse response, const char *rejection = nullptr);
    void record(const std::shared_ptr<Call> &call, int status, qint64 bytes, const char *rejection);

    QNetworkAccessManager *m_network = nullptr; // token introspection
    UpstreamClient *m_upstream = nullptr;        // the upstream calls: keep-alive pool of this loop
    std::shared_ptr<const GatewayRuntime> m_runtime;
    SecretResolver m_secrets;
    std::function<void(const GatewayRequestRecord &)> m_observer;
};

} // namespace Conflux::Gateway
