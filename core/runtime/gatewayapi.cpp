#include "gatewayapi.h"

#include "base/log.h"
#include "base/monotonic.h"
#include "gateway/gatewayserver.h"
#include "security/apikeys.h"
#include "store/statestore.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;
using Conflux::Http::HttpRequest;
using Conflux::Http::HttpResponse;

namespace Conflux::Runtime {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Runtime::GatewayApi)
};

// A record as the API shows it: everything but the hash.
QJsonObject publicRecord(const Security::ApiKeyRecord &record)
{
    QJsonObject object = record.toJson();
    object.remove(u"hash"_s);
    object.insert(u"display"_s, record.displayKey());
    return object;
}

const char *breakerStateName(CircuitBreaker::State state)
{
    switch (state) {
    case CircuitBreaker::State::Closed:
        return "closed";
    case CircuitBreaker::State::Open:
        return "open";
    case CircuitBreaker::State::HalfOpen:
        return "half_open";
    }
    return "closed";
}

} // namespace

Result<void> loadApiKeys(const Store::StateStore &store, Security::ApiKeyStore &keys)
{
    Result<std::optional<QString>> stored = store.setting(QString::fromUtf16(kApiKeysSetting));
    if (!stored)
        return stored.error();
    if (!*stored)
        return keys.loadJson(QByteArrayView("{\"version\": 1, \"keys\": []}"));
    return keys.loadJson((*stored)->toUtf8());
}

Result<void> saveApiKeys(Store::StateStore &store, const Security::ApiKeyStore &keys)
{
    return store.setSetting(QString::fromUtf16(kApiKeysSetting), QString::fromUtf8(keys.toJson()));
}

GatewayApi::GatewayApi(Store::StateStore &store, Gateway::GatewayServer &server,
                       std::shared_ptr<Security::ApiKeyStore> keys, MetricsRegistry &metrics)
    : m_store(store)
    , m_server(server)
    , m_keys(std::move(keys))
    , m_metrics(metrics)
{
}

bool GatewayApi::handles(const QString &path)
{
    return path == u"/api/v1/gateway" || path == u"/api/v1/api-keys" || path.startsWith(u"/api/v1/api-keys/");
}

HttpResponse GatewayApi::handle(const HttpRequest &request, const QString &actor, QString &routeLabel)
{
    const QString &path = request.path;
    const bool get = request.method == "GET" || request.method == "HEAD";
    if (path == u"/api/v1/gateway") {
        routeLabel = path;
        return get ? overview() : HttpResponse::methodNotAllowed("GET, HEAD");
    }
    if (path == u"/api/v1/api-keys") {
        routeLabel = path;
        if (get)
            return listKeys();
        if (request.method == "POST")
            return createKey(request, actor);
        return HttpResponse::methodNotAllowed("GET, HEAD, POST");
    }
    const QStringList parts = path.mid(QStringView(u"/api/v1/api-keys/").size()).split(u'/');
    if (parts.size() == 1 && !parts[0].isEmpty()) {
        routeLabel = u"/api/v1/api-keys/{id}"_s;
        return request.method == "DELETE" ? changeKey(parts[0], u"revoke"_s, actor) : HttpResponse::methodNotAllowed("DELETE");
    }
    if (parts.size() == 2 && (parts[1] == u"disable" || parts[1] == u"enable")) {
        routeLabel = u"/api/v1/api-keys/{id}/"_s + parts[1];
        return request.method == "POST" ? changeKey(parts[0], parts[1], actor) : HttpResponse::methodNotAllowed("POST");
    }
    routeLabel = u"other"_s;
    return HttpResponse::error(404, u"not_found"_s, Tr::tr("no such resource: %1").arg(path));
}

HttpResponse GatewayApi::overview()
{
    QJsonObject out;
    out.insert(u"listening"_s, m_server.isListening());
    out.insert(u"address"_s, m_server.serverAddress().toString());
    out.insert(u"port"_s, int(m_server.serverPort()));
    out.insert(u"tls"_s, m_server.isSecure());
    out.insert(u"threads"_s, m_server.threadCount());
    QJsonArray routes;
    if (const std::shared_ptr<const Gateway::GatewayRuntime> runtime = m_server.runtime()) {
        const qint64 now = monotonicMs();
        const QList<Gateway::GatewayRoute> &configured = runtime->config().routes;
        for (qsizetype i = 0; i < configured.size(); ++i) {
            const Gateway::GatewayRoute &route = configured[i];
            QJsonArray upstreams;
            for (const Gateway::UpstreamPool::TargetState &t : runtime->pool(int(i)).state(now)) {
                upstreams.append(QJsonObject{{u"url"_s, t.url.toString()},
                                             {u"weight"_s, t.weight},
                                             {u"healthy"_s, t.healthy},
                                             {u"ejected"_s, t.ejected},
                                             {u"circuit"_s, QString::fromLatin1(breakerStateName(t.breaker))},
                                             {u"in_flight"_s, t.inFlight},
                                             {u"calls"_s, double(t.picks)},
                                             {u"failures"_s, double(t.failures)}});
            }
            routes.append(QJsonObject{{u"id"_s, route.id},
                                      {u"path"_s, route.spec.path},
                                      {u"method"_s, QString::fromLatin1(route.spec.method)},
                                      {u"protocol"_s, route.protocol},
                                      {u"authentication"_s, route.authentication.type},
                                      {u"caching"_s, route.caching},
                                      {u"upstreams"_s, upstreams}});
        }
    }
    out.insert(u"routes"_s, routes);
    out.insert(u"api_keys"_s, int(m_keys->size()));
    return HttpResponse::json(200, out);
}

HttpResponse GatewayApi::listKeys()
{
    QJsonArray keys;
    for (const Security::ApiKeyRecord &record : m_keys->records())
        keys.append(publicRecord(record));
    return HttpResponse::json(200, QJsonObject{{u"api_keys"_s, keys}});
}

HttpResponse GatewayApi::createKey(const HttpRequest &request, const QString &actor)
{
    QJsonParseError error;
    const QJsonDocument body = QJsonDocument::fromJson(request.body, &error);
    if (!body.isObject()) {
        return HttpResponse::error(400, u"invalid_request"_s,
                                   Tr::tr("the body must be a JSON object: %1 at offset %2").arg(error.errorString()).arg(error.offset));
    }
    // The settings have the record's JSON shape, minus what the store assigns.
    QJsonObject settings = body.object();
    settings.insert(u"id"_s, u"00000000-0000-0000-0000-000000000000"_s);
    settings.insert(u"prefix"_s, u"AAAAAAAA"_s);
    settings.insert(u"hash"_s, m_keys->hashAlgorithm() + u':' + QString(64, u'0'));
    settings.insert(u"created_at"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    Result<Security::ApiKeyRecord> parsed = Security::ApiKeyRecord::fromJson(settings);
    if (!parsed)
        return HttpResponse::error(400, parsed.error());
    Result<Security::GeneratedApiKey> generated = m_keys->generate(*parsed);
    if (!generated)
        return HttpResponse::error(400, generated.error());
    if (Result<void> saved = saveApiKeys(m_store, *m_keys); !saved) {
        (void)m_keys->revoke(generated->record.id);
        return HttpResponse::error(500, saved.error());
    }
    (void)m_store.appendAudit({0, {}, actor, u"api_key.create"_s,
                               QString::fromUtf8(QJsonDocument(QJsonObject{{u"id"_s, generated->record.id},
                                                                           {u"name"_s, generated->record.name}})
                                                     .toJson(QJsonDocument::Compact))});
    QJsonObject out = publicRecord(generated->record);
    out.insert(u"key"_s, generated->key);
    return HttpResponse::json(201, out);
}

HttpResponse GatewayApi::changeKey(const QString &id, const QString &action, const QString &actor)
{
    const std::optional<Security::ApiKeyRecord> before = m_keys->record(id);
    if (!before)
        return HttpResponse::error(404, u"api_key_not_found"_s, Tr::tr("no API key has the id %1").arg(id));
    Result<void> changed = action == u"revoke" ? m_keys->revoke(id) : m_keys->setDisabled(id, action == u"disable");
    if (!changed)
        return HttpResponse::error(400, changed.error());
    if (Result<void> saved = saveApiKeys(m_store, *m_keys); !saved) {
        // Put the old state back: what the API said must match what is stored.
        if (action == u"revoke")
            (void)m_keys->add(*before);
        else
            (void)m_keys->setDisabled(id, before->disabled);
        return HttpResponse::error(500, saved.error());
    }
    (void)m_store.appendAudit({0, {}, actor, u"api_key."_s + action,
                               QString::fromUtf8(QJsonDocument(QJsonObject{{u"id"_s, id}}).toJson(QJsonDocument::Compact))});
    if (action == u"revoke")
        return HttpResponse(204, QByteArray());
    return HttpResponse::json(200, publicRecord(*m_keys->record(id)));
}

GatewayMetrics::GatewayMetrics(MetricsRegistry &registry)
    : m_requests(registry.counter(u"api_gateway_requests_total"_s, u"Gateway requests by route, method and status"_s,
                                  {u"route"_s, u"method"_s, u"status"_s}))
    , m_duration(registry.histogram(u"api_gateway_request_duration_seconds"_s,
                                    u"Gateway request duration, arrival to answer"_s, {u"route"_s}))
    , m_upstream(registry.histogram(u"api_gateway_upstream_duration_seconds"_s,
                                    u"Duration of the last upstream call of a request"_s, {u"route"_s}))
    , m_rateLimited(registry.counter(u"api_gateway_rate_limited_total"_s, u"Requests refused by a rate limit"_s,
                                     {u"route"_s}))
    , m_cacheHits(registry.counter(u"api_gateway_cache_hits_total"_s, u"Requests answered from the response cache"_s,
                                   {u"route"_s}))
{
}

void GatewayMetrics::record(const Gateway::GatewayRequestRecord &r, bool accessLog) const
{
    // The label lists of the last request this thread recorded: under load most requests
    // repeat them, and building them again was a fifth of the gateway's allocations.
    struct Labels
    {
        QString route;
        QByteArray method;
        int status = -1;
        QStringList request; // route, method, status
        QStringList byRoute; // route
    };
    thread_local Labels last;
    if (last.status != r.status || last.route != r.route || last.method != r.method) {
        const QString route = r.route.isEmpty() ? u"-"_s : r.route;
        last = {r.route, r.method, r.status, {route, QString::fromLatin1(r.method), QString::number(r.status)}, {route}};
    }
    m_requests.increment(last.request);
    m_duration.observe(last.byRoute, r.seconds);
    if (r.upstreamSeconds >= 0)
        m_upstream.observe(last.byRoute, r.upstreamSeconds);
    if (r.rateLimited)
        m_rateLimited.increment(last.byRoute);
    if (r.cacheHit)
        m_cacheHits.increment(last.byRoute);
    if (!accessLog)
        return;
    QJsonObject fields{{u"route"_s, r.route},
                       {u"method"_s, last.request.at(1)},
                       {u"path"_s, r.path},
                       {u"status"_s, r.status},
                       {u"duration_ms"_s, r.seconds * 1000.0},
                       {u"bytes"_s, double(r.responseBytes)},
                       {u"client"_s, r.client},
                       {u"request_id"_s, r.requestId}};
    if (r.upstreamSeconds >= 0) {
        fields.insert(u"upstream"_s, r.upstream);
        fields.insert(u"upstream_ms"_s, r.upstreamSeconds * 1000.0);
        fields.insert(u"attempts"_s, r.attempts);
    }
    if (!r.identity.isEmpty())
        fields.insert(u"identity"_s, r.identity);
    if (!r.rejection.isEmpty())
        fields.insert(u"error"_s, r.rejection);
    if (r.cacheHit)
        fields.insert(u"cache"_s, u"hit"_s);
    Log::write(QtInfoMsg, "conflux.gateway.access", u"%1 %2 %3"_s.arg(last.request.at(1), r.path).arg(r.status), fields);
}

void GatewayApi::updateMetrics()
{
    const std::shared_ptr<const Gateway::GatewayRuntime> runtime = m_server.runtime();
    if (!runtime)
        return;
    MetricsRegistry::Family &family = m_metrics.gauge(
        u"api_gateway_circuit_breaker_state"_s,
        u"Circuit breaker state per route and upstream: 0 closed, 1 half-open, 2 open"_s, {u"route"_s, u"upstream"_s});
    const qint64 now = monotonicMs();
    const QList<Gateway::GatewayRoute> &routes = runtime->config().routes;
    for (qsizetype i = 0; i < routes.size(); ++i) {
        if (!routes[i].pool.circuitBreaker)
            continue;
        for (const Gateway::UpstreamPool::TargetState &t : runtime->pool(int(i)).state(now)) {
            const double value = t.breaker == CircuitBreaker::State::Open       ? 2.0
                                 : t.breaker == CircuitBreaker::State::HalfOpen ? 1.0
                                                                                         : 0.0;
            family.set({routes[i].id, t.url.toString()}, value);
        }
    }
}

} // namespace Conflux::Runtime
