#include "proxy.h"

#include <base/fastrandom.h>
#include <base/monotonic.h>

#include "websockettunnel_p.h"

#include <security/jwksfetcher.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>

#include <chrono>
#include <cmath>
#include <cstring>

using namespace Qt::StringLiterals;

namespace Conflux::Gateway {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Gateway)
};

bool isHopByHop(QByteArrayView name)
{
    static const char *const names[] = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate",
                                        "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"};
    for (const char *n : names) {
        if (Http::HttpHeaders::nameEquals(name, n))
            return true;
    }
    return false;
}

// Whether a Connection header of `headers` lists `name` (making it hop-by-hop too).
bool namedByConnection(const Http::HttpHeaders &headers, QByteArrayView name)
{
    for (const auto &[field, value] : headers) {
        if (!Http::HttpHeaders::nameEquals(field, "connection"))
            continue;
        for (QByteArrayView rest(value); !rest.isEmpty();) {
            const qsizetype comma = rest.indexOf(',');
            if (Http::HttpHeaders::nameEquals((comma < 0 ? rest : rest.first(comma)).trimmed(), name))
                return true;
            if (comma < 0)
                break;
            rest = rest.sliced(comma + 1);
        }
    }
    return false;
}

bool isIdempotent(const QByteArray &method)
{
    return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" || method == "DELETE"
           || method == "TRACE";
}

bool isHex(QByteArrayView text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Trace and span ids need to be unique, not secret: `count` random hex digits at `out`.
void randomHex(char *out, int count)
{
    static constexpr char digits[] = "0123456789abcdef";
    quint64 bits = 0;
    for (int i = 0; i < count; ++i) {
        if (i % 16 == 0)
            bits = fastRandom().generate();
        out[i] = digits[bits & 0xf];
        bits >>= 4;
    }
}

bool isAll(QByteArrayView text, char c)
{
    return std::all_of(text.begin(), text.end(), [c](char x) { return x == c; });
}

// W3C Trace Context: keep the caller's trace (a new parent id: we are a hop), or start one.
// "00-" trace-id(32) "-" parent-id(16) "-" flags(2)
QByteArray traceparentFor(QByteArrayView incoming)
{
    incoming = incoming.trimmed();
    const bool valid = incoming.size() == 55 && incoming[2] == '-' && incoming[35] == '-' && incoming[52] == '-'
                       && isHex(incoming.first(2)) && incoming.first(2) != "ff"
                       && isHex(incoming.sliced(3, 32)) && !isAll(incoming.sliced(3, 32), '0')
                       && isHex(incoming.sliced(36, 16)) && !isAll(incoming.sliced(36, 16), '0')
                       && isHex(incoming.sliced(53, 2));
    QByteArray out(55, Qt::Uninitialized);
    char *p = out.data();
    std::memcpy(p, "00-", 3);
    if (valid)
        std::memcpy(p + 3, incoming.data() + 3, 32);
    else
        randomHex(p + 3, 32);
    p[35] = '-';
    randomHex(p + 36, 16);
    p[52] = '-';
    if (valid)
        std::memcpy(p + 53, incoming.data() + 53, 2);
    else
        std::memcpy(p + 53, "01", 2);
    return out;
}

// The upstream URL: the target's, {name} parameters substituted, a prefix route's rest
// appended, the request's query kept as sent.
QUrl upstreamUrl(const QUrl &target, const RouteMatch &match, const Http::HttpRequest &request)
{
    const qsizetype q = request.target.indexOf('?');
    if (match.params.isEmpty() && match.rest.isEmpty() && q < 0 && !target.path().isEmpty())
        return target; // the common case: the target as it is
    QString path = target.path(QUrl::FullyEncoded);
    for (auto it = match.params.cbegin(); it != match.params.cend(); ++it) {
        const QString value = QString::fromLatin1(QUrl::toPercentEncoding(it.value()));
        path.replace(u"%7B"_s + it.key() + u"%7D"_s, value, Qt::CaseInsensitive); // as QUrl encodes braces
        path.replace(u'{' + it.key() + u'}', value);
    }
    if (!match.rest.isEmpty()) {
        if (!path.endsWith(u'/'))
            path += u'/';
        QStringList segments;
        for (const QString &s : match.rest.split(u'/'))
            segments.append(QString::fromLatin1(QUrl::toPercentEncoding(s)));
        path += segments.join(u'/');
    }
    QUrl url = target;
    url.setPath(path.isEmpty() ? u"/"_s : path, QUrl::StrictMode);
    if (q >= 0)
        url.setQuery(QString::fromLatin1(request.target.mid(q + 1)), QUrl::StrictMode);
    return url;
}

// A WebSocket connection with no traffic in either direction for this long is closed.
constexpr int kWebSocketIdleMs = 10 * 60 * 1000;
constexpr qsizetype kMaxUpstreamHeadBytes = 64 * 1024;

bool isWebSocketUpgrade(const Http::HttpRequest &request)
{
    return request.method == "GET" && request.headers.hasToken("upgrade", "websocket")
           && request.headers.hasToken("connection", "upgrade");
}

// How long a request whose token names an unknown key waits for the JWKS refresh.
constexpr int kJwksWaitMs = 3000;

Http::HttpResponse gatewayError(int status, const char *code, const QString &message)
{
    return Http::HttpResponse::error(status, QString::fromLatin1(code), message);
}

} // namespace

GatewayRuntime::GatewayRuntime(std::shared_ptr<const GatewayConfig> config, GatewayServices services)
    : m_config(std::move(config))
    , m_services(std::move(services))
{
    RateLimiterConfig limits = m_config->settings.rateLimits;
    for (const GatewayRoute &r : m_config->routes) {
        m_pools.push_back(std::make_unique<UpstreamPool>(r.targets, r.pool));
        m_auth.push_back(std::make_unique<RouteAuthenticator>(r, m_config->settings, m_services.auth));
        if (r.rateLimit && r.rateLimitKey == u"global")
            limits.routes.insert(r.id, *r.rateLimit);
    }
    if (m_services.limiter)
        m_services.limiter->setConfig(limits);
    if (m_services.cache) {
        ResponseCache::Options options = m_services.cache->options();
        options.maxBytes = m_config->settings.cacheMaxBytes;
        m_services.cache->setOptions(options);
    }
}

struct Proxy::Call
{
    explicit Call(const Http::HttpRequest &r) : request(r) {}

    std::shared_ptr<const GatewayRuntime> runtime;
    int route = -1;
    RouteMatch match;
    Http::HttpRequest request;
    Http::HttpResponder responder;
    QByteArray traceparent;
    QList<int> tried;
    int attempt = 0;
    UpstreamPool::Pick pick;
    qint64 startNs = 0;
    qint64 upstreamStartNs = 0;
    double upstreamSeconds = -1;
    QString client;                  // the client address, trusted proxies applied
    QByteArray forwardedFor;         // the X-Forwarded-For to send upstream
    std::optional<Identity> identity;
    Http::HttpHeaders rateLimitHeaders;
    bool rateLimited = false;
    bool cacheable = false;          // the route caches and the request may be answered from it
    bool cacheHit = false;
    bool completed = false;
    TransformMessage outgoing;       // headers and body for the upstream (request rules applied)

    TransformContext transformContext() const
    {
        return {request.requestId.toLatin1(), client,
                identityKey(), config().id,
                QDateTime::currentDateTimeUtc()};
    }
    const GatewayRoute &config() const { return runtime->config().routes[route]; }
    // "kind:id" of the identity, made once.
    const QString &identityKey() const
    {
        if (identity && identityKeyText.isEmpty()) {
            identityKeyText.reserve(identity->kind.size() + 1 + identity->id.size());
            identityKeyText.append(identity->kind).append(u':').append(identity->id);
        }
        return identityKeyText;
    }
    mutable QString identityKeyText;
};

namespace {

qint64 steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The client's address and the X-Forwarded-For to pass on. A client-sent X-Forwarded-For is
// believed only as far as the peers that relayed it are trusted proxies: from the right, every
// trusted hop is skipped and the first untrusted address is the client.
struct ClientAddress
{
    QString client;
    QByteArray forwardedFor;
    QHostAddress address; // of `client`
};

ClientAddress clientAddress(const Http::HttpRequest &request, const Security::IpAllowList &trusted)
{
    // Keep-alive clients send many requests: the peer's text is made once per run of them.
    thread_local QHostAddress lastPeer;
    thread_local QHostAddress lastNormalized;
    thread_local QString lastText;
    thread_local QByteArray lastLatin1;
    if (request.peerAddress != lastPeer || lastText.isEmpty()) {
        lastPeer = request.peerAddress;
        lastNormalized = Security::IpAllowList::normalized(request.peerAddress);
        lastText = lastNormalized.toString();
        lastLatin1 = lastText.toLatin1();
    }
    const QHostAddress peer = lastNormalized;
    const QByteArray peerText = lastLatin1;
    if (trusted.isEmpty() || !trusted.contains(peer))
        return {lastText, peerText, peer};
    QList<QByteArray> chain;
    for (const QByteArray &value : request.headers.values("x-forwarded-for")) {
        for (const QByteArray &hop : value.split(','))
            chain.append(hop.trimmed());
    }
    QString client = QString::fromLatin1(peerText);
    for (qsizetype i = chain.size() - 1; i >= 0; --i) {
        const QHostAddress hop(QString::fromLatin1(chain[i]));
        if (hop.isNull())
            break;
        client = Security::IpAllowList::normalized(hop).toString();
        if (!trusted.contains(hop))
            break;
    }
    chain.append(peerText);
    return {client, chain.join(", "), QHostAddress(client)};
}

} // namespace

Proxy::Proxy(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
    , m_upstream(new UpstreamClient(UpstreamClientOptions{}, this))
{
}

Proxy::~Proxy() = default;

void Proxy::setRuntime(std::shared_ptr<const GatewayRuntime> runtime)
{
    m_runtime = std::move(runtime);
}

void Proxy::handle(const Http::HttpRequest &request, Http::HttpResponder responder)
{
    auto call = std::make_shared<Call>(request);
    call->startNs = steadyNs();
    call->responder = std::move(responder);
    call->runtime = m_runtime;
    if (!call->runtime) {
        call->client = request.peerAddress.toString();
        complete(call, gatewayError(503, "gateway_not_configured", Tr::tr("no project is deployed on this node")),
                 "gateway_not_configured");
        return;
    }
    const GatewayConfig &config = call->runtime->config();
    ClientAddress client = clientAddress(request, config.settings.trustedProxies);
    call->client = std::move(client.client);
    call->forwardedFor = std::move(client.forwardedFor);
    RouteLookup lookup = config.table->lookup(request.method, request.rawPath, request.header("accept-version"));
    if (!lookup.match) {
        if (lookup.status == 405) {
            Http::HttpResponse response = gatewayError(405, "method_not_allowed",
                                    Tr::tr("%1 is not allowed on %2").arg(QString::fromLatin1(request.method), request.path));
            response.setHeader("Allow", lookup.allow);
            complete(call, response, "method_not_allowed");
        } else if (lookup.status == 406) {
            complete(call, gatewayError(406, "version_not_available",
                                        Tr::tr("no version \"%1\" of %2")
                                            .arg(QString::fromLatin1(request.header("accept-version")), request.path)),
                     "version_not_available");
        } else {
            complete(call, gatewayError(404, "not_found", Tr::tr("no route for %1").arg(request.path)), "not_found");
        }
        return;
    }
    call->route = lookup.match->route;
    call->match = std::move(*lookup.match);
    call->traceparent = traceparentFor(request.header("traceparent"));
    const RouteAuthenticator &authenticator = call->runtime->authenticator(call->route);
    AuthFailureThrottle *failures = call->runtime->services().auth.failures.get();
    if (authenticator.isRequired() && failures) {
        if (const qint64 waitMs = failures->blockedForMs(call->client, monotonicMs()); waitMs > 0) {
            Http::HttpResponse response = gatewayError(429, "too_many_failed_attempts",
                                                       Tr::tr("too many refused credentials from this client; retry later"));
            response.setHeader("Retry-After", QByteArray::number((waitMs + 999) / 1000));
            call->rateLimited = true;
            complete(call, response, "too_many_failed_attempts");
            return;
        }
    }
    const AuthCheck check = authenticator.check(call->request, client.address);
    switch (check.state) {
    case AuthCheck::State::AwaitKeys:
        awaitKeys(call, check.token);
        return;
    case AuthCheck::State::Introspect:
        introspect(call, check.token);
        return;
    default:
        authenticated(call, check);
    }
}

void Proxy::authenticated(const std::shared_ptr<Call> &call, const AuthCheck &check)
{
    if (check.state == AuthCheck::State::Refused) {
        if (check.failure.status == 401 && call->runtime->services().auth.failures)
            call->runtime->services().auth.failures->recordFailure(call->client, monotonicMs());
        // Refused requests count against the client's limits too (by its address): guessing
        // credentials is as limited as calling the route.
        if (!rateLimit(call))
            return;
        Http::HttpResponse response = gatewayError(check.failure.status, check.failure.code.constData(), check.failure.message);
        if (!check.failure.challenge.isEmpty())
            response.setHeader("WWW-Authenticate", check.failure.challenge);
        complete(call, response, check.failure.code.constData());
        return;
    }
    call->identity = check.identity;
    admitted(call);
}

void Proxy::awaitKeys(const std::shared_ptr<Call> &call, const QByteArray &token)
{
    Security::JwksFetcher *fetcher = call->runtime->authenticator(call->route).jwksFetcher();
    // Whichever comes first, the fetch or the timeout, resumes; the other is cut off so that
    // nothing holds the call afterwards.
    auto connection = std::make_shared<QMetaObject::Connection>();
    auto timer = new QTimer(this);
    timer->setSingleShot(true);
    auto resume = [this, call, token, connection, timer] {
        if (!*connection)
            return;
        disconnect(*connection);
        *connection = {};
        timer->deleteLater();
        authenticated(call, call->runtime->authenticator(call->route).recheckJwt(token));
    };
    *connection = connect(fetcher, &Security::JwksFetcher::fetched, this, resume);
    connect(timer, &QTimer::timeout, this, resume);
    timer->start(kJwksWaitMs);
}

void Proxy::introspect(const std::shared_ptr<Call> &call, const QByteArray &token)
{
    const RouteAuthentication &auth = call->runtime->authenticator(call->route).config();
    QNetworkRequest out(auth.introspectionUrl);
    out.setRawHeader("Content-Type", "application/x-www-form-urlencoded");
    out.setRawHeader("Accept", "application/json");
    out.setTransferTimeout(5000);
    const QByteArray secret = auth.clientSecret.isEmpty() || !m_secrets ? QByteArray() : m_secrets(auth.clientSecret);
    out.setRawHeader("Authorization", "Basic " + (QUrl::toPercentEncoding(auth.clientId) + ':' + QUrl::toPercentEncoding(QString::fromUtf8(secret))).toBase64());
    const QByteArray body = "token=" + QUrl::toPercentEncoding(QString::fromLatin1(token)) + "&token_type_hint=access_token";
    QNetworkReply *reply = m_network->post(out, body);
    connect(reply, &QNetworkReply::finished, this, [this, call, token, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        QJsonParseError error;
        const QJsonDocument answer = QJsonDocument::fromJson(reply->read(64 * 1024), &error);
        if (status != 200 || !answer.isObject()) {
            complete(call, gatewayError(503, "introspection_unavailable",
                                        Tr::tr("route %1: the token introspection server did not answer usably (HTTP %2)")
                                            .arg(call->config().id)
                                            .arg(status)),
                     "introspection_unavailable");
            return;
        }
        authenticated(call, call->runtime->authenticator(call->route).introspected(token, answer.object()));
    });
}

bool Proxy::rateLimit(const std::shared_ptr<Call> &call)
{
    const GatewayRoute &route = call->config();
    const GatewayRuntime &runtime = *call->runtime;
    if (!runtime.services().limiter)
        return true;
    RateLimitRequest limit;
    limit.clientKey = call->identity && !call->identity->id.isEmpty() ? call->identityKey()
                                                                      : call->client;
    limit.routeId = route.id;
    if (route.rateLimit && route.rateLimitKey != u"global")
        limit.clientRouteLimit = route.rateLimit;
    if (call->identity && call->identity->rateLimit) {
        limit.apiKeyId = call->identity->apiKeyId.isEmpty() ? limit.clientKey : call->identity->apiKeyId;
        limit.apiKeyLimit = call->identity->rateLimit;
    }
    const RateLimitDecision decision = runtime.services().limiter->check(limit, steadyNs());
    call->rateLimitHeaders = decision.headers();
    if (decision.allowed)
        return true;
    call->rateLimited = true;
    complete(call, gatewayError(429, "rate_limited",
                                Tr::tr("too many requests (%1 limit: %2 per %3 s); retry in %4 s")
                                    .arg(decision.limitName)
                                    .arg(decision.limit)
                                    .arg(decision.windowSeconds)
                                    .arg(decision.retryAfterSeconds)),
             "rate_limited");
    return false;
}

void Proxy::admitted(const std::shared_ptr<Call> &call)
{
    const GatewayRoute &route = call->config();
    const GatewayRuntime &runtime = *call->runtime;
    if (!rateLimit(call))
        return;
    if (call->request.body.size() > runtime.config().settings.maxBodyBytes) {
        complete(call, gatewayError(413, "body_too_large",
                                    Tr::tr("the body has %1 bytes; at most %2 are accepted")
                                        .arg(call->request.body.size())
                                        .arg(runtime.config().settings.maxBodyBytes)),
                 "body_too_large");
        return;
    }
    call->outgoing = {call->request.headers, call->request.body};
    if (route.protocol == u"GraphQL") {
        Result<GraphQlRequest> graphql = extractGraphQl(call->request);
        Result<GraphQlAnalysis> analysis = graphql ? analyzeGraphQl(graphql->query, graphql->operationName, route.graphql)
                                                   : Result<GraphQlAnalysis>(graphql.error());
        if (!analysis) {
            const QByteArray code = analysis.error().code.toLatin1();
            complete(call, gatewayError(400, code.constData(), analysis.error().message), code.constData());
            return;
        }
        // GraphQL over HTTP: a GET may not change anything.
        if (analysis->operationType == u"mutation" && call->request.method == "GET") {
            Http::HttpResponse response = gatewayError(405, "graphql_mutation_over_get",
                                                       Tr::tr("a mutation must be sent with POST"));
            response.setHeader("Allow", "POST");
            complete(call, response, "graphql_mutation_over_get");
            return;
        }
    }
    if (route.protocol == u"SOAP" && call->request.method != "GET") {
        // SOAP 1.1 (text/xml) or 1.2 (application/soap+xml) envelopes only; a GET (?wsdl) passes.
        const QByteArray type = call->request.header("content-type").toLower();
        if (!type.startsWith("text/xml") && !type.startsWith("application/soap+xml")) {
            complete(call, gatewayError(415, "unsupported_media_type",
                                        Tr::tr("route %1 speaks SOAP: send text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2)")
                                            .arg(route.id)),
                     "unsupported_media_type");
            return;
        }
    }
    if (route.protocol == u"WebSocket") {
        if (!isWebSocketUpgrade(call->request)) {
            Http::HttpResponse response = gatewayError(426, "upgrade_required",
                                                       Tr::tr("route %1 speaks WebSocket: send a GET with Upgrade: websocket").arg(route.id));
            response.setHeader("Upgrade", "websocket");
            complete(call, response, "upgrade_required");
            return;
        }
        upgradeWebSocket(call);
        return;
    }
    if (!route.requestTransform.isEmpty()) {
        if (Result<void> applied = route.requestTransform.apply(call->outgoing, call->transformContext()); !applied) {
            complete(call, gatewayError(400, "transform_failed", applied.error().message), "transform_failed");
            return;
        }
    }
    if (route.caching && runtime.services().cache) {
        call->cacheable = true;
        if (call->request.method != "GET" && call->request.method != "HEAD") {
            attempt(call);
            return;
        }
        ResponseCache::Lookup cached = runtime.services().cache->lookup(call->request, QDateTime::currentMSecsSinceEpoch());
        if (cached.isHit()) {
            call->cacheHit = true;
            ResponseCache::setCacheStatusHeader(cached.response, ResponseCache::LookupStatus::Hit);
            complete(call, cached.response);
            return;
        }
    }
    attempt(call);
}

Result<Http::HttpHeaders> Proxy::upstreamHeaders(const Call &call)
{
    const GatewayRoute &route = call.config();
    const Http::HttpRequest &in = call.request;
    const Http::HttpHeaders &headers = call.outgoing.headers;
    const QString &auth = route.authentication.type;
    const bool keyHeaderConsumed = auth == u"api_key";
    const bool authorizationConsumed = auth == u"basic" || auth == u"oauth2_introspection";
    auto dropped = [&](QByteArrayView name) {
        if (isHopByHop(name) || namedByConnection(headers, name))
            return true;
        // Set by the gateway itself, whatever the client sent (no proxy is trusted).
        static const char *const own[] = {"host", "content-length", "x-forwarded-for", "x-forwarded-proto",
                                          "x-forwarded-host", "forwarded", "x-request-id", "traceparent"};
        for (const char *n : own) {
            if (Http::HttpHeaders::nameEquals(name, n))
                return true;
        }
        // A credential the gateway consumed is its own business, not the upstream's (a bearer
        // token goes on: upstreams may verify it again).
        if ((keyHeaderConsumed && Http::HttpHeaders::nameEquals(name, route.authentication.header))
            || (authorizationConsumed && Http::HttpHeaders::nameEquals(name, "authorization")))
            return true;
        return std::any_of(route.removeRequestHeaders.begin(), route.removeRequestHeaders.end(),
                           [&](const QByteArray &r) { return Http::HttpHeaders::nameEquals(r, name); });
    };
    Http::HttpHeaders out;
    const QList<Http::HttpHeaders::Field> &fields = headers.fields();
    for (qsizetype i = 0; i < fields.size(); ++i) {
        const auto &[name, value] = fields.at(i);
        if (dropped(name) || headers.indexOf(name) < i) // a repeated field went with its first
            continue;
        const qsizetype next = headers.indexOf(name, i + 1);
        if (next < 0) {
            out.append(name, value); // shared, not copied
            continue;
        }
        QByteArray joined = value;
        const char *separator = Http::HttpHeaders::nameEquals(name, "cookie") ? "; " : ", ";
        for (qsizetype j = next; j >= 0; j = headers.indexOf(name, j + 1))
            joined.append(separator).append(fields.at(j).second);
        out.append(name, joined);
    }
    // Response rules need a plain body; otherwise the client's Accept-Encoding goes on as sent.
    if (!route.responseTransform.isEmpty())
        out.set("Accept-Encoding"_ba, "identity"_ba);
    out.append("X-Forwarded-For"_ba, call.forwardedFor);
    out.append("X-Forwarded-Proto"_ba, in.isSecure ? "https"_ba : "http"_ba);
    if (const qsizetype host = in.headers.indexOf("host"); host >= 0)
        out.append("X-Forwarded-Host"_ba, in.headers.fields().at(host).second);
    out.append("X-Request-Id"_ba, in.requestId.toLatin1());
    out.append("traceparent"_ba, call.traceparent);
    for (const HeaderValue &h : route.requestHeaders) {
        QByteArray value = h.value;
        if (!h.secret.isEmpty()) {
            value = m_secrets ? m_secrets(h.secret) : QByteArray();
            if (value.isEmpty()) {
                return makeError("gateway_secret_unavailable", Tr::tr("route %1: the secret for header %2 is not available")
                                                                   .arg(route.id, QString::fromLatin1(h.name)));
            }
        }
        out.set(h.name, value);
    }
    return out;
}

void Proxy::upgradeWebSocket(const std::shared_ptr<Call> &call)
{
    const GatewayRoute &route = call->config();
    std::optional<Http::HttpHeaders> headers = pickUpstream(call);
    if (!headers)
        return;
    // The client's handshake fields are end-to-end for this purpose and go on as sent.
    for (const char *name : {"sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol",
                             "sec-websocket-extensions", "origin"}) {
        const QList<QByteArray> values = call->request.headers.values(name);
        if (!values.isEmpty())
            headers->set(name, values.join(", "));
    }
    const QUrl url = upstreamUrl(call->pick.url, call->match, call->request);
    const QString scheme = url.scheme().toLower();
    const bool secure = scheme == u"wss" || scheme == u"https";
    const quint16 port = quint16(url.port(secure ? 443 : 80));
    QByteArray head = "GET " + url.path(QUrl::FullyEncoded).toLatin1();
    if (url.hasQuery())
        head += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    head += " HTTP/1.1\r\nHost: " + url.host(QUrl::FullyEncoded).toLatin1();
    if (url.port() > 0)
        head += ':' + QByteArray::number(port);
    head += "\r\n";
    for (const auto &[name, value] : *headers) {
        if (!Http::HttpHeaders::nameEquals(name, "accept-encoding"))
            head += name + ": " + value + "\r\n";
    }
    head += "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n";

    QTcpSocket *upstream = secure ? new QSslSocket(this) : new QTcpSocket(this);
    auto *handshake = new QObject(this); // the handshake's connections and timer die with it
    auto buffer = std::make_shared<QByteArray>();
    auto timer = new QTimer(handshake);
    timer->setSingleShot(true);
    call->upstreamStartNs = steadyNs();
    const auto fail = [this, call, upstream, handshake](int status, const char *code, const QString &message) {
        call->upstreamSeconds = double(steadyNs() - call->upstreamStartNs) / 1e9;
        call->runtime->pool(call->route).release(call->pick, false, monotonicMs());
        handshake->deleteLater();
        upstream->abort();
        upstream->deleteLater();
        complete(call, gatewayError(status, code, message), code);
    };
    connect(timer, &QTimer::timeout, handshake, [fail, route = route.id, ms = route.timeoutMs] {
        fail(504, "upstream_timeout", Tr::tr("route %1: the upstream did not answer the WebSocket handshake within %2 ms")
                                          .arg(route)
                                          .arg(ms));
    });
    connect(upstream, &QAbstractSocket::errorOccurred, handshake, [fail, upstream, route = route.id] {
        fail(502, "upstream_unavailable", Tr::tr("route %1: the upstream failed: %2").arg(route, upstream->errorString()));
    });
    const auto sendHead = [upstream, head] { upstream->write(head); };
    if (secure)
        connect(static_cast<QSslSocket *>(upstream), &QSslSocket::encrypted, handshake, sendHead);
    else
        connect(upstream, &QTcpSocket::connected, handshake, sendHead);
    connect(upstream, &QTcpSocket::readyRead, handshake, [this, call, upstream, handshake, buffer, fail] {
        *buffer += upstream->readAll();
        const qsizetype end = buffer->indexOf("\r\n\r\n");
        if (end < 0) {
            if (buffer->size() > kMaxUpstreamHeadBytes)
                fail(502, "upstream_protocol_error", Tr::tr("route %1: the upstream's answer head is too large").arg(call->config().id));
            return;
        }
        const QList<QByteArray> lines = buffer->left(end).split('\n');
        const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
        bool ok = false;
        const int status = statusLine.value(1).toInt(&ok);
        if (statusLine.size() < 2 || !statusLine[0].startsWith("HTTP/1.") || !ok || status < 100 || status > 599) {
            fail(502, "upstream_protocol_error", Tr::tr("route %1: the upstream's status line is malformed").arg(call->config().id));
            return;
        }
        Http::HttpResponse response(status);
        qint64 contentLength = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (Http::HttpHeaders::nameEquals(name, "content-length"))
                contentLength = value.toLongLong();
            if (isHopByHop(name) || Http::HttpHeaders::nameEquals(name, "content-length")
                || Http::HttpHeaders::nameEquals(name, "date"))
                continue;
            response.addHeader(name, value);
        }
        const qsizetype bodyStart = end + 4;
        if (status != 101) {
            // Refused (401, 403, 404, ...): relayed as an ordinary answer once its body is in.
            if (contentLength > kMaxUpstreamHeadBytes) {
                fail(502, "upstream_protocol_error", Tr::tr("route %1: the upstream refused the upgrade with a large body").arg(call->config().id));
                return;
            }
            if (buffer->size() - bodyStart < contentLength)
                return; // more to come
            response.setBody(buffer->mid(bodyStart, contentLength));
            call->upstreamSeconds = double(steadyNs() - call->upstreamStartNs) / 1e9;
            call->runtime->pool(call->route).release(call->pick, status < 500, monotonicMs());
            handshake->deleteLater();
            upstream->abort();
            upstream->deleteLater();
            complete(call, response);
            return;
        }
        call->upstreamSeconds = double(steadyNs() - call->upstreamStartNs) / 1e9;
        call->runtime->pool(call->route).release(call->pick, true, monotonicMs());
        handshake->deleteLater();
        upstream->disconnect(handshake);
        response.setHeader("Upgrade", "websocket");
        const QByteArray fromUpstream = buffer->mid(bodyStart);
        auto taken = std::make_shared<bool>(false);
        call->completed = true;
        call->responder.upgrade(response, [this, upstream, fromUpstream, taken](QTcpSocket *client, QByteArray fromClient) {
            *taken = true;
            new Internal::WebSocketTunnel(client, upstream, fromClient, fromUpstream, kWebSocketIdleMs, this);
        });
        record(call, 101, 0, nullptr);
        if (!*taken) { // the client left during the handshake
            upstream->abort();
            upstream->deleteLater();
        }
    });
    timer->start(int(std::clamp<qint64>(route.timeoutMs, 1, std::numeric_limits<int>::max())));
    if (secure)
        static_cast<QSslSocket *>(upstream)->connectToHostEncrypted(url.host(), port);
    else
        upstream->connectToHost(url.host(), port);
}

std::optional<Http::HttpHeaders> Proxy::pickUpstream(const std::shared_ptr<Call> &call)
{
    const GatewayRoute &route = call->config();
    UpstreamPool &pool = call->runtime->pool(call->route);
    const UpstreamPool::Choice choice = pool.pick(monotonicMs(), call->tried);
    if (!choice.pick) {
        Http::HttpResponse response;
        if (choice.refusal == UpstreamPool::Refusal::CircuitOpen) {
            response = gatewayError(503, "circuit_open",
                                    Tr::tr("route %1: every upstream's circuit is open").arg(route.id));
            response.setHeader("Retry-After", QByteArray::number(std::max<qint64>(1, (choice.retryAfterMs + 999) / 1000)));
            complete(call, response, "circuit_open");
        } else {
            response = gatewayError(503, "no_healthy_upstream", Tr::tr("route %1: no healthy upstream").arg(route.id));
            complete(call, response, "no_healthy_upstream");
        }
        return std::nullopt;
    }
    call->pick = *choice.pick;
    call->tried.append(call->pick.target);
    Result<Http::HttpHeaders> headers = upstreamHeaders(*call);
    if (!headers) {
        pool.release(call->pick, true, monotonicMs());
        complete(call, gatewayError(500, "gateway_secret_unavailable", headers.error().message), "gateway_secret_unavailable");
        return std::nullopt;
    }
    return std::move(*headers);
}

void Proxy::attempt(std::shared_ptr<Call> call)
{
    if (!call->responder.isConnected())
        return; // the client left: nothing more goes upstream
    std::optional<Http::HttpHeaders> headers = pickUpstream(call);
    if (!headers)
        return;
    const GatewayRoute &route = call->config();
    UpstreamRequest out;
    out.url = upstreamUrl(call->pick.url, call->match, call->request);
    out.method = call->request.method;
    out.headers = std::move(*headers);
    out.body = call->outgoing.body;
    out.timeoutMs = route.timeoutMs;
    call->upstreamStartNs = steadyNs();
    m_upstream->send(std::move(out), [this, call](Result<UpstreamResponse> result) { finished(call, std::move(result)); });
}

void Proxy::finished(std::shared_ptr<Call> call, Result<UpstreamResponse> result)
{
    call->upstreamSeconds = double(steadyNs() - call->upstreamStartNs) / 1e9;
    const GatewayRoute &route = call->config();
    const int status = result ? result->status : 0;
    const bool failed = !result || status == 502 || status == 503 || status == 504;
    call->runtime->pool(call->route).release(call->pick, !failed, monotonicMs());

    if (failed && isIdempotent(call->request.method) && call->attempt < route.retryAttempts
        && call->responder.isConnected()) {
        ++call->attempt;
        const double jitter = 0.5 + QRandomGenerator::global()->generateDouble();
        const int delay = int(50.0 * std::pow(2.0, call->attempt - 1) * jitter);
        QTimer::singleShot(delay, this, [this, call] { attempt(call); });
        return;
    }
    if (!result) {
        if (result.error().code == u"upstream_timeout") {
            complete(call, gatewayError(504, "upstream_timeout",
                                        Tr::tr("route %1: the upstream did not answer within %2 ms")
                                            .arg(route.id)
                                            .arg(route.timeoutMs)),
                     "upstream_timeout");
        } else {
            complete(call, gatewayError(502, "upstream_unavailable",
                                        Tr::tr("route %1: the upstream failed: %2").arg(route.id, result.error().message)),
                     "upstream_unavailable");
        }
        return;
    }
    Http::HttpResponse response(status, result->body);
    if (!result->reason.isEmpty())
        response.setReasonPhrase(result->reason);
    for (const auto &[name, value] : result->headers) {
        if (isHopByHop(name) || Http::HttpHeaders::nameEquals(name, "content-length")
            || Http::HttpHeaders::nameEquals(name, "date") || namedByConnection(result->headers, name))
            continue;
        response.addHeader(name, value);
    }
    if (!route.responseTransform.isEmpty()) {
        TransformMessage message{response.headers(), response.body()};
        if (Result<void> applied = route.responseTransform.apply(message, call->transformContext()); !applied) {
            complete(call, gatewayError(502, "transform_failed", applied.error().message), "transform_failed");
            return;
        }
        response.headers() = message.headers;
        response.setBody(message.body);
    }
    for (const HeaderValue &h : route.responseHeaders) {
        const QByteArray value = h.secret.isEmpty() ? h.value : (m_secrets ? m_secrets(h.secret) : QByteArray());
        if (!value.isEmpty())
            response.setHeader(h.name, value);
    }
    for (const auto &[name, value] : call->match.responseHeaders)
        response.setHeader(name, value);
    if (call->cacheable) {
        // Stores a GET's response; a successful unsafe method invalidates the URI's entries.
        call->runtime->services().cache->store(call->request, response, QDateTime::currentMSecsSinceEpoch(),
                                               double(route.cacheTtlMs) / 1000.0);
        if (call->request.method == "GET" || call->request.method == "HEAD")
            ResponseCache::setCacheStatusHeader(response, ResponseCache::LookupStatus::Miss);
    }
    complete(call, response);
}

void Proxy::complete(const std::shared_ptr<Call> &call, Http::HttpResponse response, const char *rejection)
{
    if (std::exchange(call->completed, true))
        return;
    for (const auto &[name, value] : call->rateLimitHeaders)
        response.setHeader(name, value);
    const qint64 bytes = response.body().size();
    const int status = response.status();
    call->responder.send(std::move(response));
    record(call, status, bytes, rejection);
}

void Proxy::record(const std::shared_ptr<Call> &call, int status, qint64 bytes, const char *rejection)
{
    if (!m_observer)
        return;
    GatewayRequestRecord record;
    if (call->route >= 0)
        record.route = call->config().id;
    record.method = call->request.method;
    record.path = call->request.path;
    record.status = status;
    record.seconds = double(steadyNs() - call->startNs) / 1e9;
    record.upstreamSeconds = call->upstreamSeconds;
    record.attempts = int(call->tried.size());
    if (call->pick.target >= 0) {
        thread_local QUrl lastUrl;
        thread_local QString lastOrigin;
        if (call->pick.url != lastUrl) {
            lastUrl = call->pick.url;
            lastOrigin = lastUrl.toString(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveUserInfo);
        }
        record.upstream = lastOrigin;
    }
    record.client = call->client;
    if (call->identity)
        record.identity = call->identityKey();
    record.requestId = call->request.requestId;
    if (rejection)
        record.rejection = QString::fromLatin1(rejection);
    record.responseBytes = bytes;
    record.cacheHit = call->cacheHit;
    record.rateLimited = call->rateLimited;
    m_observer(record);
}

} // namespace Conflux::Gateway
