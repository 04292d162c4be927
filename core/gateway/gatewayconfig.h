#pragma once

#include "base/circuitbreaker.h"
#include "graphqllimits.h"
#include "ratelimiter.h"
#include "routetable.h"
#include "transform.h"
#include "upstreampool.h"

#include <base/result.h>
#include <security/ipallowlist.h>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>

namespace Conflux::Model {
class Project;
}
namespace Conflux::Data {
class Value;
}

namespace Conflux::Gateway {

// A header a route adds: a literal value, or the name of a secret the node resolves.
struct HeaderValue
{
    QByteArray name;
    QByteArray value;
    QString secret;                  // non-empty: resolve this secret instead of `value`
};

// How a route authenticates its callers (the route document's "authentication").
struct RouteAuthentication
{
    QString type = QStringLiteral("none"); // none, api_key, basic, jwt, oauth2_introspection, mtls
    QByteArray header;               // api_key: where the key comes (default X-Api-Key)
    QString issuer, audience;        // jwt
    QUrl jwksUrl;                    // jwt
    QUrl introspectionUrl;           // oauth2_introspection
    QString clientId, clientSecret;  // introspection client; clientSecret is a secret's name
    QStringList algorithms;          // jwt: the allowed "alg" values (default RS256)
    qint64 leewaySeconds = 60;       // jwt: clock skew for exp, nbf, iat
    QStringList users;               // basic: who may call (empty: every project user)
    QStringList subjects;            // mtls: accepted certificate subjects (RFC 4514 strings)
    QStringList sans;                // mtls: accepted subjectAltNames ("DNS:a.example", "email:x@y")
    QStringList requiredScopes;      // all of them
    QStringList roles;               // any of them
};

// A user of Basic authentication (the project's gateway.users).
struct BasicUser
{
    QString username;
    QString passwordHash;            // "$scrypt$…" (conflux hash-password)
    QStringList scopes, roles;
};

// The project's "gateway" section.
struct GatewaySettings
{
    QString basePath;                // prefix of every route's path ("" or "/api")
    Security::IpAllowList trustedProxies; // peers whose X-Forwarded-For is believed
    qint64 maxBodyBytes = 10 * 1024 * 1024;
    bool accessLog = true;
    qint64 cacheMaxBytes = 64 * 1024 * 1024;
    RateLimiterConfig rateLimits;    // global, per_client, per_endpoint, burst_allowance
    QList<BasicUser> users;
};

// Active health checks of a route's upstream targets (the route's "health_check").
struct HealthCheckSettings
{
    bool enabled = false;
    QString path = QStringLiteral("/health"); // requested on each target (GET)
    qint64 intervalMs = 10'000;
    qint64 timeoutMs = 2'000;
    int healthyThreshold = 2;        // consecutive successes to come back
    int unhealthyThreshold = 3;      // consecutive failures to leave the rotation
};

// Everything the gateway needs to serve one route document, checked and with defaults.
struct GatewayRoute
{
    QString id;
    QString file;                    // for messages: routes/<id>.json
    QString protocol = QStringLiteral("REST"); // REST, GraphQL, SOAP, WebSocket
    RouteSpec spec;
    QList<UpstreamTarget> targets;
    UpstreamPoolSettings pool;       // balancing and, when enabled, the circuit breaker
    HealthCheckSettings healthCheck;
    GraphQlLimits graphql;           // GraphQL routes: what a query may cost
    qint64 timeoutMs = 30000;
    int retryAttempts = 0;           // idempotent methods only
    bool caching = false;
    qint64 cacheTtlMs = 0;
    std::optional<RateLimit> rateLimit;
    QString rateLimitKey = QStringLiteral("client_ip"); // client_ip, api_key, subject, global
    RouteAuthentication authentication;
    QList<HeaderValue> requestHeaders, responseHeaders;
    QList<QByteArray> removeRequestHeaders;
    // transformation_rules: request_mapping / response_mapping (shorthands for a "mapping"
    // rule, first in the request chain and last in the response chain), then request / response.
    TransformChain requestTransform, responseTransform;
};

// The routes of a deployed project, compiled for serving. Immutable; share it.
struct GatewayConfig
{
    GatewaySettings settings;
    QList<GatewayRoute> routes;      // in the project's order; RouteMatch::route indexes it
    std::shared_ptr<const RouteTable> table;

    // Reads every Route document. Errors ("gateway_invalid_routes") list each problem as
    // "routes/<id>.json: /pointer: what", all of them, and nothing is served from a project
    // with problems (the node keeps the routes it had).
    // `tables` loads the lookup tables of mappings that transformation rules run (none: a
    // mapping that uses a table fails to compile and is reported).
    static Result<std::shared_ptr<const GatewayConfig>> fromProject(const Model::Project &project,
                                                                    const std::function<Result<Data::Value>(const QString &)> &tables = {});
};

} // namespace Conflux::Gateway
