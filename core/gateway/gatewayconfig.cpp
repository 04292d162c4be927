#include "gatewayconfig.h"

#include <data/value.h>
#include <mapping/mappingdocument.h>
#include <model/project.h>
#include <security/jwt.h>
#include <security/passwordhash.h>

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Conflux::Gateway {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Gateway)
};

qint64 millis(const QJsonValue &seconds, qint64 fallback)
{
    return seconds.isDouble() ? qint64(seconds.toDouble() * 1000.0) : fallback;
}

QStringList strings(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &v : value.toArray())
        out.append(v.toString());
    return out;
}

// Reads one route document; problems go to `problems` as "/pointer: what".
GatewayRoute compile(const Model::Route &route, const MappingLookup &mappings, QStringList &problems)
{
    const QJsonObject o = route.document.json;
    GatewayRoute r;
    r.id = route.document.id;
    r.file = route.document.file;
    r.protocol = o.value(u"protocol"_s).toString(u"REST"_s);

    r.spec.id = r.id;
    r.spec.path = o.value(u"path"_s).toString();
    r.spec.method = o.value(u"method"_s).toString(u"*"_s).toLatin1();
    r.spec.version = o.value(u"version"_s).toString();
    r.spec.versioning = o.value(u"versioning"_s).toString(r.spec.version.isEmpty() ? QString() : u"path"_s);
    r.spec.deprecated = o.value(u"deprecated"_s).toBool();
    if (o.contains(u"sunset"_s)) {
        r.spec.sunset = QDateTime::fromString(o.value(u"sunset"_s).toString(), Qt::ISODate);
        if (!r.spec.sunset.isValid())
            problems.append(Tr::tr("/sunset: not a date-time (RFC 3339)"));
    }

    // Upstreams: http(s), or ws(s) for WebSocket routes, with a host.
    const bool websocket = r.protocol == u"WebSocket";
    auto target = [&](const QString &text, int weight, const QString &pointer) {
        const QUrl url(text); // tolerant: a path may hold {parameters}
        const QString scheme = url.scheme().toLower();
        const bool schemeOk = scheme == u"http" || scheme == u"https"
                              || (websocket && (scheme == u"ws" || scheme == u"wss"));
        if (!url.isValid() || !schemeOk || url.host().isEmpty()) {
            problems.append(Tr::tr("%1: \"%2\" is not an %3 URL with a host")
                                .arg(pointer, text, websocket ? u"http(s) or ws(s)"_s : u"http(s)"_s));
            return;
        }
        r.targets.append({url, weight});
    };
    if (o.contains(u"upstream_url"_s))
        target(o.value(u"upstream_url"_s).toString(), 1, u"/upstream_url"_s);
    const QJsonArray upstreams = o.value(u"upstreams"_s).toArray();
    for (qsizetype i = 0; i < upstreams.size(); ++i) {
        const QJsonObject u = upstreams[i].toObject();
        target(u.value(u"url"_s).toString(), u.value(u"weight"_s).toInt(1), u"/upstreams/%1/url"_s.arg(i));
    }
    if (r.targets.isEmpty() && problems.isEmpty())
        problems.append(Tr::tr("/: no upstream (upstream_url or upstreams)"));

    const QString balancing = o.value(u"load_balancing"_s).toString(u"round_robin"_s);
    r.pool.balancing = balancing == u"least_connections" ? UpstreamPoolSettings::Balancing::LeastConnections
                                                          : UpstreamPoolSettings::Balancing::RoundRobin;
    r.pool.circuitBreaker = o.value(u"circuit_breaker_enabled"_s).toBool();
    const QJsonObject breaker = o.value(u"circuit_breaker"_s).toObject();
    r.pool.breaker.failureThreshold = breaker.value(u"failure_threshold"_s).toInt(r.pool.breaker.failureThreshold);
    r.pool.breaker.successThreshold = breaker.value(u"success_threshold"_s).toInt(r.pool.breaker.successThreshold);
    r.pool.breaker.openMs = millis(breaker.value(u"timeout_seconds"_s), r.pool.breaker.openMs);
    r.pool.breaker.halfOpenMaxCalls = breaker.value(u"half_open_max_calls"_s).toInt(r.pool.breaker.halfOpenMaxCalls);
    r.pool.breaker.metricsWindowMs = millis(breaker.value(u"metrics_window_seconds"_s), r.pool.breaker.metricsWindowMs);
    if (!breaker.isEmpty() && !r.pool.circuitBreaker)
        problems.append(Tr::tr("/circuit_breaker: settings given but circuit_breaker_enabled is not true"));

    if (o.contains(u"health_check"_s)) {
        const QJsonObject check = o.value(u"health_check"_s).toObject();
        HealthCheckSettings &h = r.healthCheck;
        h.enabled = check.value(u"enabled"_s).toBool(true);
        h.path = check.value(u"path"_s).toString(h.path);
        h.intervalMs = millis(check.value(u"interval_seconds"_s), h.intervalMs);
        h.timeoutMs = millis(check.value(u"timeout_seconds"_s), h.timeoutMs);
        h.healthyThreshold = check.value(u"healthy_threshold"_s).toInt(h.healthyThreshold);
        h.unhealthyThreshold = check.value(u"unhealthy_threshold"_s).toInt(h.unhealthyThreshold);
        if (!h.path.startsWith(u'/'))
            problems.append(Tr::tr("/health_check/path: must start with /"));
        if (h.timeoutMs >= h.intervalMs)
            problems.append(Tr::tr("/health_check/timeout_seconds: must be shorter than interval_seconds"));
    }
    if (o.contains(u"graphql"_s)) {
        const QJsonObject g = o.value(u"graphql"_s).toObject();
        r.graphql.maxDepth = g.value(u"max_depth"_s).toInt(r.graphql.maxDepth);
        r.graphql.maxFields = g.value(u"max_fields"_s).toInt(r.graphql.maxFields);
        r.graphql.maxQueryBytes = g.value(u"max_query_bytes"_s).toInteger(r.graphql.maxQueryBytes);
        if (r.protocol != u"GraphQL")
            problems.append(Tr::tr("/graphql: limits given but the protocol is not GraphQL"));
    }
    r.timeoutMs = millis(o.value(u"timeout_seconds"_s), r.timeoutMs);
    r.retryAttempts = o.value(u"retry_attempts"_s).toInt(0);
    r.caching = o.value(u"caching_enabled"_s).toBool();
    r.cacheTtlMs = millis(o.value(u"cache_ttl_seconds"_s), 0);
    if (o.contains(u"cache_ttl_seconds"_s) && !r.caching)
        problems.append(Tr::tr("/cache_ttl_seconds: given but caching_enabled is not true"));

    if (o.contains(u"rate_limit"_s)) {
        const QJsonObject limit = o.value(u"rate_limit"_s).toObject();
        if (Result<RateLimit> parsed = RateLimit::fromJson(limit); !parsed)
            problems.append(u"/rate_limit: "_s + parsed.error().details.join(u"; "_s));
        else if (parsed->isEnabled())
            r.rateLimit = *parsed;
        r.rateLimitKey = limit.value(u"key"_s).toString(u"client_ip"_s);
    }

    const QJsonObject auth = o.value(u"authentication"_s).toObject();
    RouteAuthentication &a = r.authentication;
    a.type = auth.value(u"type"_s).toString(u"none"_s);
    a.header = auth.value(u"header"_s).toString(a.type == u"api_key" ? u"X-Api-Key"_s : QString()).toLatin1();
    a.issuer = auth.value(u"issuer"_s).toString();
    a.audience = auth.value(u"audience"_s).toString();
    a.jwksUrl = QUrl(auth.value(u"jwks_url"_s).toString());
    a.introspectionUrl = QUrl(auth.value(u"introspection_url"_s).toString());
    a.clientId = auth.value(u"client_id"_s).toString();
    a.clientSecret = auth.value(u"client_secret"_s).toObject().value(u"secret"_s).toString();
    a.requiredScopes = strings(auth.value(u"required_scopes"_s));
    a.roles = strings(auth.value(u"roles"_s));
    a.algorithms = auth.contains(u"algorithms"_s) ? strings(auth.value(u"algorithms"_s)) : QStringList{u"RS256"_s};
    a.leewaySeconds = auth.value(u"leeway_seconds"_s).toInteger(60);
    a.users = strings(auth.value(u"users"_s));
    a.subjects = strings(auth.value(u"subjects"_s));
    a.sans = strings(auth.value(u"sans"_s));
    if (a.type == u"jwt") {
        for (const QString &name : std::as_const(a.algorithms)) {
            if (!Security::jwsAlgorithmFromName(name))
                problems.append(Tr::tr("/authentication/algorithms: \"%1\" is not an algorithm Conflux verifies").arg(name));
        }
        if (a.algorithms.isEmpty())
            problems.append(Tr::tr("/authentication/algorithms: empty: no token could ever pass"));
    }
    if (a.type == u"mtls" && a.subjects.isEmpty() && a.sans.isEmpty())
        problems.append(Tr::tr("/authentication: an mtls route needs subjects or sans to accept"));
    if (a.type == u"jwt" && a.jwksUrl.isEmpty())
        problems.append(Tr::tr("/authentication/jwks_url: a jwt route needs the issuer's JWKS address"));
    if (a.type == u"jwt" && a.audience.isEmpty())
        problems.append(Tr::tr("/authentication/audience: a jwt route must name the audience its tokens are for"));
    if (a.type == u"jwt" && a.issuer.isEmpty())
        problems.append(Tr::tr("/authentication/issuer: a jwt route must name the issuer it trusts"));
    if (a.type == u"oauth2_introspection" && (a.introspectionUrl.isEmpty() || a.clientId.isEmpty()))
        problems.append(Tr::tr("/authentication: oauth2_introspection needs introspection_url and client_id"));

    const QJsonObject rules = o.value(u"transformation_rules"_s).toObject();
    auto headers = [](const QJsonObject &object) {
        QList<HeaderValue> out;
        for (auto it = object.begin(); it != object.end(); ++it) {
            HeaderValue h;
            h.name = it.key().toLatin1();
            if (it.value().isObject())
                h.secret = it.value().toObject().value(u"secret"_s).toString();
            else
                h.value = it.value().toString().toUtf8();
            out.append(h);
        }
        return out;
    };
    r.requestHeaders = headers(rules.value(u"request_headers"_s).toObject());
    r.responseHeaders = headers(rules.value(u"response_headers"_s).toObject());
    for (const QString &name : strings(rules.value(u"remove_request_headers"_s)))
        r.removeRequestHeaders.append(name.toLatin1());
    auto chain = [&](const char *direction, const char *shorthand, bool shorthandFirst) {
        QJsonArray list = rules.value(QLatin1String(direction)).toArray();
        const QString mapping = rules.value(QLatin1String(shorthand)).toString();
        if (!mapping.isEmpty()) {
            const QJsonObject rule{{u"type"_s, u"mapping"_s}, {u"mapping"_s, mapping}};
            shorthandFirst ? list.prepend(rule) : list.append(rule);
        }
        Result<TransformChain> compiled =
            TransformChain::compile(list, mappings, u"/transformation_rules/"_s + QLatin1String(direction));
        if (!compiled) {
            for (const QString &d : compiled.error().details)
                problems.append(d);
            if (compiled.error().details.isEmpty())
                problems.append(u"/transformation_rules/"_s + QLatin1String(direction) + u": "_s + compiled.error().message);
            return TransformChain();
        }
        return *compiled;
    };
    r.requestTransform = chain("request", "request_mapping", true);
    r.responseTransform = chain("response", "response_mapping", false);
    return r;
}

// The project's "gateway" section; problems as "project.json: /gateway/...: what".
GatewaySettings compileSettings(const QJsonObject &o, QStringList &problems)
{
    GatewaySettings s;
    const QString where = u"project.json: /gateway"_s;
    s.basePath = o.value(u"base_path"_s).toString();
    if (s.basePath.endsWith(u'/'))
        s.basePath.chop(1);
    if (Result<Security::IpAllowList> proxies = Security::IpAllowList::parse(strings(o.value(u"trusted_proxies"_s))); !proxies)
        problems.append(where + u"/trusted_proxies: "_s + proxies.error().message);
    else
        s.trustedProxies = *proxies;
    s.maxBodyBytes = o.value(u"max_body_bytes"_s).toInteger(s.maxBodyBytes);
    s.accessLog = o.value(u"access_log"_s).toBool(true);
    s.cacheMaxBytes = o.value(u"cache_max_bytes"_s).toInteger(s.cacheMaxBytes);
    if (Result<RateLimiterConfig> limits = RateLimiterConfig::fromJson(o.value(u"rate_limits"_s).toObject()); !limits) {
        for (const QString &d : limits.error().details)
            problems.append(where + u"/rate_limits: "_s + d);
    } else {
        s.rateLimits = *limits;
    }
    const QJsonArray users = o.value(u"users"_s).toArray();
    for (qsizetype i = 0; i < users.size(); ++i) {
        const QJsonObject u = users[i].toObject();
        BasicUser user{u.value(u"username"_s).toString(), u.value(u"password_hash"_s).toString(),
                       strings(u.value(u"scopes"_s)), strings(u.value(u"roles"_s))};
        if (Result<Security::PasswordHash> hash = Security::PasswordHash::parse(user.passwordHash); !hash)
            problems.append(where + u"/users/%1/password_hash: "_s.arg(i) + hash.error().message);
        if (user.username.isEmpty() || user.username.contains(u':'))
            problems.append(where + u"/users/%1/username: empty or contains ':'"_s.arg(i));
        s.users.append(user);
    }
    return s;
}

} // namespace

Result<std::shared_ptr<const GatewayConfig>> GatewayConfig::fromProject(
    const Model::Project &project, const std::function<Result<Data::Value>(const QString &)> &tables)
{
    auto config = std::make_shared<GatewayConfig>();
    QStringList problems;
    // Mappings that transformation rules name, compiled once each on first use.
    QHash<QString, std::shared_ptr<const Mapping::CompiledMapping>> compiledMappings;
    QStringList mappingProblems;
    const MappingLookup mappings = [&](const QString &id) -> std::shared_ptr<const Mapping::CompiledMapping> {
        if (const auto it = compiledMappings.constFind(id); it != compiledMappings.cend())
            return *it;
        std::shared_ptr<const Mapping::CompiledMapping> compiled;
        for (const Model::Mapping &m : project.mappings) {
            if (m.document.id != id)
                continue;
            Result<Mapping::CompiledMapping> result =
                Mapping::CompiledMapping::compile(Data::Value::fromQJson(m.document.json), tables);
            if (result)
                compiled = std::make_shared<const Mapping::CompiledMapping>(std::move(*result));
            else
                mappingProblems.append(u"mappings/%1.json: "_s.arg(id) + result.error().message);
        }
        compiledMappings.insert(id, compiled);
        return compiled;
    };
    config->settings = compileSettings(project.settings.document.json.value(u"gateway"_s).toObject(), problems);
    QList<RouteSpec> specs;
    for (const Model::Route &route : project.routes) {
        QStringList own;
        GatewayRoute compiled = compile(route, mappings, own);
        const QString file = route.document.file.isEmpty() ? u"routes/%1.json"_s.arg(route.document.id)
                                                           : route.document.file;
        for (const QString &p : std::as_const(own))
            problems.append(file + u':' + p);
        if (!config->settings.basePath.isEmpty())
            compiled.spec.path = config->settings.basePath + compiled.spec.path;
        specs.append(compiled.spec);
        config->routes.append(std::move(compiled));
    }
    problems += mappingProblems;
    Result<std::shared_ptr<const RouteTable>> table = RouteTable::build(specs);
    if (!table)
        problems += table.error().details;
    if (!problems.isEmpty()) {
        return makeError("gateway_invalid_routes",
                         Tr::tr("%n route problem(s): the gateway keeps the routes it had", nullptr, int(problems.size())),
                         problems);
    }
    config->table = *table;
    return std::shared_ptr<const GatewayConfig>(std::move(config));
}

} // namespace Conflux::Gateway
