#include "proxy.h"

#include <base/monotonic.h>

#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QTimer>
#include <QUrlQuery>

#include <cmath>

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

// The field names a Connection header lists (they are hop-by-hop too).
QList<QByteArray> connectionTokens(const QList<QByteArray> &values)
{
    QList<QByteArray> out;
    for (const QByteArray &v : values) {
        for (const QByteArray &token : v.split(','))
            out.append(token.trimmed().toLower());
    }
    return out;
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

QByteArray randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()), bytes / 4);
    return raw.toHex();
}

// W3C Trace Context: keep the caller's trace (a new parent id: we are a hop), or start one.
QByteArray traceparentFor(const QByteArray &incoming)
{
    const QList<QByteArray> parts = incoming.trimmed().split('-');
    const bool valid = parts.size() == 4 && parts[0].size() == 2 && isHex(parts[0]) && parts[0] != "ff"
                       && parts[1].size() == 32 && isHex(parts[1]) && parts[1] != QByteArray(32, '0')
                       && parts[2].size() == 16 && isHex(parts[2]) && parts[2] != QByteArray(16, '0')
                       && parts[3].size() == 2 && isHex(parts[3]);
    if (valid)
        return "00-" + parts[1] + '-' + randomHex(8) + '-' + parts[3];
    return "00-" + randomHex(16) + '-' + randomHex(8) + "-01";
}

// The upstream URL: the target's, {name} parameters substituted, a prefix route's rest
// appended, the request's query kept as sent.
QUrl upstreamUrl(const QUrl &target, const RouteMatch &match, const Http::HttpRequest &request)
{
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
    const qsizetype q = request.target.indexOf('?');
    if (q >= 0)
        url.setQuery(QString::fromLatin1(request.target.mid(q + 1)), QUrl::StrictMode);
    return url;
}

Http::HttpResponse gatewayError(int status, const char *code, const QString &message)
{
    return Http::HttpResponse::error(status, QString::fromLatin1(code), message);
}

} // namespace

GatewayRuntime::GatewayRuntime(std::shared_ptr<const GatewayConfig> config) : m_config(std::move(config))
{
    for (const GatewayRoute &r : m_config->routes)
        m_pools.push_back(std::make_unique<UpstreamPool>(r.targets, r.pool));
}

struct Proxy::Call
{
    std::shared_ptr<const GatewayRuntime> runtime;
    int route = -1;
    RouteMatch match;
    Http::HttpRequest request;
    Http::HttpResponder responder;
    QByteArray traceparent;
    QList<int> tried;
    int attempt = 0;
    UpstreamPool::Pick pick;

    const GatewayRoute &config() const { return runtime->config().routes[route]; }
};

Proxy::Proxy(QObject *parent) : QObject(parent), m_network(new QNetworkAccessManager(this))
{
}

Proxy::~Proxy() = default;

void Proxy::setRuntime(std::shared_ptr<const GatewayRuntime> runtime)
{
    m_runtime = std::move(runtime);
}

void Proxy::handle(const Http::HttpRequest &request, Http::HttpResponder responder)
{
    const std::shared_ptr<const GatewayRuntime> runtime = m_runtime;
    if (!runtime) {
        responder.send(gatewayError(503, "gateway_not_configured", Tr::tr("no project is deployed on this node")));
        return;
    }
    RouteLookup lookup = runtime->config().table->lookup(request.method, request.rawPath, request.header("accept-version"));
    if (!lookup.match) {
        Http::HttpResponse response;
        if (lookup.status == 405) {
            response = gatewayError(405, "method_not_allowed",
                                    Tr::tr("%1 is not allowed on %2").arg(QString::fromLatin1(request.method), request.path));
            response.setHeader("Allow", lookup.allow);
        } else if (lookup.status == 406) {
            response = gatewayError(406, "version_not_available",
                                    Tr::tr("no version \"%1\" of %2")
                                        .arg(QString::fromLatin1(request.header("accept-version")), request.path));
        } else {
            response = gatewayError(404, "not_found", Tr::tr("no route for %1").arg(request.path));
        }
        responder.send(response);
        return;
    }
    auto call = std::make_shared<Call>();
    call->runtime = runtime;
    call->route = lookup.match->route;
    call->match = std::move(*lookup.match);
    call->request = request;
    call->responder = std::move(responder);
    call->traceparent = traceparentFor(request.header("traceparent"));
    attempt(call);
}

void Proxy::attempt(std::shared_ptr<Call> call)
{
    if (!call->responder.isConnected())
        return; // the client left: nothing more goes upstream
    const GatewayRoute &route = call->config();
    UpstreamPool &pool = call->runtime->pool(call->route);
    const UpstreamPool::Choice choice = pool.pick(monotonicMs(), call->tried);
    if (!choice.pick) {
        Http::HttpResponse response;
        if (choice.refusal == UpstreamPool::Refusal::CircuitOpen) {
            response = gatewayError(503, "circuit_open",
                                    Tr::tr("route %1: every upstream's circuit is open").arg(route.id));
            response.setHeader("Retry-After", QByteArray::number(std::max<qint64>(1, (choice.retryAfterMs + 999) / 1000)));
        } else {
            response = gatewayError(503, "no_healthy_upstream", Tr::tr("route %1: no healthy upstream").arg(route.id));
        }
        call->responder.send(response);
        return;
    }
    call->pick = *choice.pick;
    call->tried.append(call->pick.target);

    const Http::HttpRequest &in = call->request;
    QNetworkRequest out(upstreamUrl(call->pick.url, call->match, in));
    // A proxy keeps no cookies, caches nothing here and follows no redirects: all of that is
    // the client's business.
    out.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    out.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    out.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    out.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    out.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    out.setTransferTimeout(int(std::clamp<qint64>(route.timeoutMs, 1, std::numeric_limits<int>::max())));

    const QList<QByteArray> named = connectionTokens(in.headers.values("connection"));
    auto dropped = [&](const QByteArray &name) {
        const QByteArray lower = name.toLower();
        if (isHopByHop(name) || named.contains(lower))
            return true;
        // Set by the gateway itself, whatever the client sent (no proxy is trusted).
        static const char *const own[] = {"host", "content-length", "x-forwarded-for", "x-forwarded-proto",
                                          "x-forwarded-host", "forwarded", "x-request-id", "traceparent"};
        for (const char *n : own) {
            if (lower == n)
                return true;
        }
        return std::any_of(route.removeRequestHeaders.begin(), route.removeRequestHeaders.end(),
                           [&](const QByteArray &r) { return Http::HttpHeaders::nameEquals(r, name); });
    };
    QList<QByteArray> seen;
    for (const auto &[name, value] : in.headers) {
        if (dropped(name))
            continue;
        const QByteArray lower = name.toLower();
        if (seen.contains(lower))
            continue;
        seen.append(lower);
        const QList<QByteArray> values = in.headers.values(name);
        out.setRawHeader(name, values.join(lower == "cookie" ? "; " : ", "));
    }
    if (!in.hasHeader("accept-encoding"))
        out.setRawHeader("Accept-Encoding", "identity"); // else Qt would ask for gzip and unpack it
    out.setRawHeader("X-Forwarded-For", in.peerAddress.toString().toLatin1());
    out.setRawHeader("X-Forwarded-Proto", in.isSecure ? "https" : "http");
    if (in.hasHeader("host"))
        out.setRawHeader("X-Forwarded-Host", in.header("host"));
    out.setRawHeader("X-Request-Id", in.requestId.toLatin1());
    out.setRawHeader("traceparent", call->traceparent);
    for (const HeaderValue &h : route.requestHeaders) {
        QByteArray value = h.value;
        if (!h.secret.isEmpty()) {
            value = m_secrets ? m_secrets(h.secret) : QByteArray();
            if (value.isEmpty()) {
                pool.release(call->pick, true, monotonicMs());
                call->responder.send(gatewayError(500, "gateway_secret_unavailable",
                                                  Tr::tr("route %1: the secret for header %2 is not available")
                                                      .arg(route.id, QString::fromLatin1(h.name))));
                return;
            }
        }
        out.setRawHeader(h.name, value);
    }

    QNetworkReply *reply = m_network->sendCustomRequest(out, in.method, in.body);
    connect(reply, &QNetworkReply::finished, this, [this, call, reply] { finished(call, reply); });
}

void Proxy::finished(std::shared_ptr<Call> call, QNetworkReply *reply)
{
    reply->deleteLater();
    const GatewayRoute &route = call->config();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const bool timedOut = status == 0 && reply->error() == QNetworkReply::OperationCanceledError;
    const bool failed = status == 0 || status == 502 || status == 503 || status == 504;
    call->runtime->pool(call->route).release(call->pick, !failed, monotonicMs());

    if (failed && isIdempotent(call->request.method) && call->attempt < route.retryAttempts
        && call->responder.isConnected()) {
        ++call->attempt;
        const double jitter = 0.5 + QRandomGenerator::global()->generateDouble();
        const int delay = int(50.0 * std::pow(2.0, call->attempt - 1) * jitter);
        QTimer::singleShot(delay, this, [this, call] { attempt(call); });
        return;
    }
    if (status == 0) {
        if (timedOut) {
            call->responder.send(gatewayError(504, "upstream_timeout",
                                              Tr::tr("route %1: the upstream did not answer within %2 ms")
                                                  .arg(route.id)
                                                  .arg(route.timeoutMs)));
        } else {
            call->responder.send(gatewayError(502, "upstream_unavailable",
                                              Tr::tr("route %1: the upstream failed: %2").arg(route.id, reply->errorString())));
        }
        return;
    }
    Http::HttpResponse response(status, reply->readAll());
    const QByteArray reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
    if (!reason.isEmpty())
        response.setReasonPhrase(reason);
    QList<QByteArray> named;
    for (const auto &[name, value] : reply->rawHeaderPairs()) {
        if (Http::HttpHeaders::nameEquals(name, "connection"))
            named += connectionTokens({value});
    }
    for (const auto &[name, value] : reply->rawHeaderPairs()) {
        if (isHopByHop(name) || named.contains(name.toLower()) || Http::HttpHeaders::nameEquals(name, "content-length")
            || Http::HttpHeaders::nameEquals(name, "date"))
            continue;
        // Qt joins repeated fields; Set-Cookie with a line break, which must not be sent.
        if (Http::HttpHeaders::nameEquals(name, "set-cookie")) {
            for (const QByteArray &cookie : value.split('\n'))
                response.addHeader(name, cookie);
            continue;
        }
        response.addHeader(name, value);
    }
    for (const HeaderValue &h : route.responseHeaders) {
        const QByteArray value = h.secret.isEmpty() ? h.value : (m_secrets ? m_secrets(h.secret) : QByteArray());
        if (!value.isEmpty())
            response.setHeader(h.name, value);
    }
    for (const auto &[name, value] : call->match.responseHeaders)
        response.setHeader(name, value);
    call->responder.send(response);
}

} // namespace Conflux::Gateway
