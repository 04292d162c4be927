#pragma once

#include "base/result.h"
#include "gateway/httprequest.h"
#include "gateway/httpresponse.h"
#include "base/metrics.h"

#include <QString>

#include <memory>

namespace Conflux::Gateway {
class GatewayServer;
struct GatewayRequestRecord;
}
namespace Conflux::Security {
class ApiKeyStore;
}
namespace Conflux::Store {
class StateStore;
}

namespace Conflux::Runtime {

// Where a node keeps its gateway API keys: the state store's setting "gateway.api_keys"
// (ApiKeyStore::toJson), so that every node sharing a store shares the keys. The hash pepper
// is the secret "gateway.api_key_pepper" (none: plain SHA-256 of the 256-bit keys).
inline constexpr const char16_t *kApiKeysSetting = u"gateway.api_keys";
Result<void> loadApiKeys(const Store::StateStore &store, Security::ApiKeyStore &keys);
Result<void> saveApiKeys(Store::StateStore &store, const Security::ApiKeyStore &keys);

// The gateway's per-request metrics and access log. The metric families are looked up once,
// not per request. Thread-safe (each family has its own lock).
class GatewayMetrics
{
public:
    explicit GatewayMetrics(MetricsRegistry &registry);
    // One answered gateway request: metrics, and the JSON access-log line when `accessLog`.
    void record(const Gateway::GatewayRequestRecord &record, bool accessLog) const;

private:
    MetricsRegistry::Family &m_requests, &m_duration, &m_upstream, &m_rateLimited, &m_cacheHits;
};

// The gateway's part of the admin API (token-protected like the rest):
//   GET    /api/v1/gateway                 listener, threads, routes with their upstreams'
//                                          health, circuit and in-flight calls
//   GET    /api/v1/api-keys                the keys' records (never a key or its hash)
//   POST   /api/v1/api-keys                {"name", "scopes", "roles", "rate_limit",
//                                          "allowed_cidrs", "expires_at"} → 201 with "key",
//                                          shown this once
//   DELETE /api/v1/api-keys/{id}           revokes at once (204)
//   POST   /api/v1/api-keys/{id}/disable, /enable
// and the circuit breaker gauge (the other api_gateway_* metrics are GatewayMetrics').
class GatewayApi
{
public:
    GatewayApi(Store::StateStore &store, Gateway::GatewayServer &server,
               std::shared_ptr<Security::ApiKeyStore> keys, MetricsRegistry &metrics);

    static bool handles(const QString &path);
    Http::HttpResponse handle(const Http::HttpRequest &request, const QString &actor, QString &routeLabel);

    // Gauges read at scrape time (circuit breaker states).
    void updateMetrics();

private:
    Http::HttpResponse overview();
    Http::HttpResponse listKeys();
    Http::HttpResponse createKey(const Http::HttpRequest &request, const QString &actor);
    Http::HttpResponse changeKey(const QString &id, const QString &action, const QString &actor);

    Store::StateStore &m_store;
    Gateway::GatewayServer &m_server;
    std::shared_ptr<Security::ApiKeyStore> m_keys;
    MetricsRegistry &m_metrics;
};

} // namespace Conflux::Runtime
