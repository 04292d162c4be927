#include "httpclient.h"

#include "base/fastrandom.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/monotonic.h"
#include "data/json.h"
#include "security/secrets.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QSslCertificate>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::HttpClient)
};

// ---- the network thread ------------------------------------------------------------------

// One thread for every QNetworkAccessManager of the process: connector threads block while
// it does the I/O. It ends when the process exits.
class NetworkThread
{
public:
    NetworkThread()
    {
        m_thread.setObjectName(u"conflux-http"_s);
        m_thread.start();
    }
    ~NetworkThread()
    {
        m_thread.quit();
        m_thread.wait();
    }
    QThread *thread() { return &m_thread; }

    static NetworkThread &instance()
    {
        static NetworkThread networkThread;
        return networkThread;
    }

private:
    QThread m_thread;
};

// Runs `work` on the object's thread and waits for it.
template<typename F>
void runOn(QObject *object, F &&work)
{
    if (object->thread() == QThread::currentThread()) {
        work();
        return;
    }
    QMetaObject::invokeMethod(object, std::forward<F>(work), Qt::BlockingQueuedConnection);
}

// ---- one exchange ------------------------------------------------------------------------

enum class Abort : quint8 { None, Timeout, TooLarge, Redirect, Cancelled };

// Shared between the waiting thread and the network thread; `mutex` guards the outcome.
struct Exchange
{
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false;
    Abort abort = Abort::None;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QString errorText;
    int status = 0;
    QByteArray reason;
    HttpHeaders headers;
    QByteArray body;
    QUrl url;
    QUrl redirectTarget;
    bool bytesSent = false;  // the request reached the server (for retrying non-idempotent calls)
    bool encrypted = false;  // the TLS handshake completed (as far as the client can tell)
    QPointer<QNetworkReply> reply; // network thread only
};

bool isIdempotent(const QByteArray &method)
{
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE"
        || method == "OPTIONS" || method == "TRACE";
}

bool isRetryableStatus(int status)
{
    return status == 408 || status == 425 || status == 429 || status == 500 || status == 502
        || status == 503 || status == 504;
}

bool hostMatches(const QString &host, const QString &pattern)
{
    if (pattern.startsWith(u"*."))
        return host.endsWith(QStringView(pattern).mid(1), Qt::CaseInsensitive);
    return host.compare(pattern, Qt::CaseInsensitive) == 0;
}

// ---- state shared by the clients of the process -------------------------------------------

struct SharedState
{
    std::mutex mutex;
    QHash<QString, std::shared_ptr<CircuitBreaker>> breakers;

    struct Token
    {
        std::mutex fetching; // one fetch at a time per token
        QByteArray value;
        qint64 expiresAtMs = 0;
    };
    QHash<QString, std::shared_ptr<Token>> tokens;

    static SharedState &instance()
    {
        static SharedState state;
        return state;
    }

    std::shared_ptr<CircuitBreaker> breaker(const QString &endpoint, const CircuitBreakerSettings &settings)
    {
        std::lock_guard lock(mutex);
        auto &slot = breakers[endpoint];
        if (!slot)
            slot = std::make_shared<CircuitBreaker>(settings);
        else
            slot->reconfigure(settings);
        return slot;
    }

    std::shared_ptr<Token> token(const QString &key)
    {
        std::lock_guard lock(mutex);
        auto &slot = tokens[key];
        if (!slot)
            slot = std::make_shared<Token>();
        return slot;
    }
};

double breakerGauge(CircuitBreaker::State state)
{
    switch (state) {
    case CircuitBreaker::State::Closed:
        return 0.0;
    case CircuitBreaker::State::HalfOpen:
        return 1.0;
    case CircuitBreaker::State::Open:
        return 2.0;
    }
    return 0.0;
}

} // namespace

// ---- HttpRequest / HttpResponse ----------------------------------------------------------

void HttpRequest::setHeader(const QByteArray &name, const QByteArray &value)
{
    headers.removeIf([&](const auto &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
    headers.append({name, value});
}

QByteArray HttpResponse::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QList<QByteArray> HttpResponse::headerValues(QByteArrayView name) const
{
    QList<QByteArray> values;
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            values.append(value);
    }
    return values;
}

QString HttpResponse::describe() const
{
    QString text = u"HTTP %1"_s.arg(status);
    if (!reason.isEmpty())
        text += u' ' + QString::fromLatin1(reason);
    QString excerpt = QString::fromUtf8(body.left(600)).simplified();
    if (excerpt.size() > 300)
        excerpt = excerpt.left(300) + u"…"_s;
    if (!excerpt.isEmpty())
        text += u": "_s + Log::redact(excerpt);
    return text;
}

qint64 parseRetryAfter(const QByteArray &value)
{
    const QByteArray trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return -1;
    bool ok = false;
    const qint64 seconds = trimmed.toLongLong(&ok);
    if (ok)
        return seconds < 0 ? -1 : std::min<qint64>(seconds, 86'400) * 1000;
    // IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT"
    QDateTime when = QLocale::c().toDateTime(QString::fromLatin1(trimmed), u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_s);
    if (!when.isValid())
        return -1;
    when.setTimeSpec(Qt::UTC);
    return std::max<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(when));
}

QString displayUrl(const QUrl &url)
{
    return url.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo).toString();
}

// ---- options -----------------------------------------------------------------------------

Result<HttpClientOptions> HttpClientOptions::fromEndpoint(const EndpointSpec &endpoint)
{
    HttpClientOptions options;
    options.endpointId = endpoint.id;
    options.timeoutMs = std::max(1, endpoint.timeoutSeconds) * 1000;
    options.retryAttempts = std::max(0, endpoint.retryAttempts);
    options.secretHeaders = endpoint.secretHeaders;
    QStringList problems;
    const Data::Object &config = endpoint.configuration;
    auto integer = [&](const Data::Object &object, QStringView key, const QString &pointer, qint64 min,
                       qint64 max, auto &target) {
        const Data::Value *value = object.find(key);
        if (!value)
            return;
        const double number = value->toDouble();
        if (!value->isNumber() || number != std::floor(number) || number < double(min) || number > double(max)) {
            problems.append(Tr::tr("%1: must be an integer from %2 to %3").arg(pointer).arg(min).arg(max));
            return;
        }
        target = static_cast<std::remove_reference_t<decltype(target)>>(number);
    };
    integer(config, u"max_response_bytes", u"/configuration/max_response_bytes"_s, 1024,
            qint64(4) * 1024 * 1024 * 1024, options.maxResponseBytes);
    integer(config, u"max_redirects", u"/configuration/max_redirects"_s, 0, 20, options.maxRedirects);
    if (const Data::Value *hosts = config.find(u"redirect_hosts")) {
        bool ok = hosts->isArray();
        if (ok) {
            for (const Data::Value &host : hosts->toArray()) {
                if (!host.isString() || host.toString().isEmpty() || host.toString().contains(u'/')) {
                    ok = false;
                    break;
                }
                options.redirectHosts.append(host.toString());
            }
        }
        if (!ok)
            problems.append(Tr::tr("/configuration/redirect_hosts: must be an array of host names "
                                   "(\"api.example.com\" or \"*.example.com\")"));
    }
    if (const Data::Value *breaker = config.find(u"circuit_breaker")) {
        if (!breaker->isObject()) {
            problems.append(Tr::tr("/configuration/circuit_breaker: must be an object"));
        } else {
            const Data::Object &b = breaker->toObject();
            const QString base = u"/configuration/circuit_breaker/"_s;
            qint64 openSeconds = options.breaker.openMs / 1000;
            qint64 windowSeconds = options.breaker.metricsWindowMs / 1000;
            integer(b, u"failure_threshold", base + u"failure_threshold"_s, 1, 1000, options.breaker.failureThreshold);
            integer(b, u"success_threshold", base + u"success_threshold"_s, 1, 1000, options.breaker.successThreshold);
            integer(b, u"half_open_max_calls", base + u"half_open_max_calls"_s, 1, 1000, options.breaker.halfOpenMaxCalls);
            integer(b, u"timeout_seconds", base + u"timeout_seconds"_s, 1, 86'400, openSeconds);
            integer(b, u"metrics_window_seconds", base + u"metrics_window_seconds"_s, 1, 86'400, windowSeconds);
            options.breaker.openMs = openSeconds * 1000;
            options.breaker.metricsWindowMs = windowSeconds * 1000;
        }
    }
    if (!problems.isEmpty()) {
        return makeError("invalid_endpoint",
                         Tr::tr("Endpoint %1 has invalid HTTP settings").arg(endpoint.id), problems);
    }
    return options;
}

// ---- HttpClient --------------------------------------------------------------------------

struct HttpClient::Private
{
    HttpClientOptions options;
    ClientAuthentication auth;
    ConnectorContext context;
    HttpHeaders defaultHeaders;
    QNetworkAccessManager *nam = nullptr; // lives on the network thread
    std::shared_ptr<CircuitBreaker> breaker;
    std::optional<QString> secret;        // the resolved authentication secret
    std::shared_ptr<HttpAuthenticator> authenticator;
    HttpClient *q = nullptr;

    Result<HttpResponse> attempt(const HttpRequest &request, const CancelToken *cancel, bool *sent);
    Result<HttpResponse> sendWithRetries(HttpRequest request, const CancelToken *cancel);
    Result<QByteArray> accessToken(const CancelToken *cancel, bool forceRefresh);
    Result<void> authenticate(HttpRequest &request, const CancelToken *cancel, bool forceRefresh);
    bool sleep(qint64 ms, const CancelToken *cancel) const;
    void count(const QByteArray &method, const QString &status, double seconds) const;
    void reportBreaker() const;
};

HttpClient::HttpClient(HttpClientOptions options, ClientAuthentication authentication, ConnectorContext context)
    : d(std::make_unique<Private>())
{
    d->options = std::move(options);
    d->auth = std::move(authentication);
    d->context = std::move(context);
    d->q = this;
    const QString breakerKey = d->options.endpointId.isEmpty()
        ? u"anonymous:%1"_s.arg(quintptr(this), 0, 16)
        : d->options.endpointId;
    d->breaker = SharedState::instance().breaker(breakerKey, d->options.breaker);
    QThread *thread = NetworkThread::instance().thread();
    auto *nam = new QNetworkAccessManager;
    nam->setAutoDeleteReplies(false);
    nam->moveToThread(thread);
    d->nam = nam;
}

HttpClient::~HttpClient()
{
    if (d->nam)
        QMetaObject::invokeMethod(d->nam, &QObject::deleteLater);
}

void HttpClient::setDefaultHeaders(HttpHeaders headers)
{
    d->defaultHeaders = std::move(headers);
}

void HttpClient::setAuthenticator(std::shared_ptr<HttpAuthenticator> authenticator)
{
    d->authenticator = std::move(authenticator);
}

const HttpClientOptions &HttpClient::options() const
{
    return d->options;
}

CircuitBreaker::State HttpClient::breakerState() const
{
    return d->breaker->state(monotonicMs());
}

void HttpClient::clearCookies()
{
    QNetworkAccessManager *nam = d->nam;
    runOn(nam, [nam] { nam->setCookieJar(new QNetworkCookieJar); });
}

void HttpClient::resetSharedState()
{
    SharedState &state = SharedState::instance();
    std::lock_guard lock(state.mutex);
    state.breakers.clear();
    state.tokens.clear();
}

Result<QString> HttpClient::resolveSecret(const QString &name) const
{
    if (!d->context.secrets) {
        return makeError("secret_unavailable",
                         Tr::tr("Endpoint %1 needs the secret \"%2\", but no secret store is configured")
                             .arg(d->options.endpointId, name));
    }
    return d->context.secrets->resolve(name);
}

Result<HttpResponse> HttpClient::send(const HttpRequest &request, const CancelToken *cancel)
{
    HttpRequest full = request;
    HttpHeaders headers = d->defaultHeaders;
    const auto replace = [&headers](const QByteArray &name, const QByteArray &value) {
        headers.removeIf([&](const auto &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
        headers.append({name, value});
    };
    for (const auto &[name, secret] : d->options.secretHeaders) {
        Result<QString> value = resolveSecret(secret);
        if (!value) {
            Error error = value.error();
            error.message = Tr::tr("Endpoint %1: header %2: %3")
                                .arg(d->options.endpointId, QString::fromLatin1(name), error.message);
            return error;
        }
        if (value->contains(u'\r') || value->contains(u'\n')) {
            return makeError("secret_invalid", Tr::tr("Endpoint %1: header %2: the secret \"%3\" holds a line break")
                                                   .arg(d->options.endpointId, QString::fromLatin1(name), secret));
        }
        Log::addSecretValue(*value);
        replace(name, value->toUtf8());
    }
    for (const auto &[name, value] : request.headers)
        replace(name, value);
    full.headers = std::move(headers);
    return d->sendWithRetries(std::move(full), cancel);
}

bool HttpClient::Private::sleep(qint64 ms, const CancelToken *cancel) const
{
    const qint64 until = monotonicMs() + ms;
    for (;;) {
        if (cancel && cancel->isCancelled())
            return false;
        const qint64 left = until - monotonicMs();
        if (left <= 0)
            return true;
        QThread::msleep(static_cast<unsigned long>(std::min<qint64>(left, 50)));
    }
}

void HttpClient::Private::count(const QByteArray &method, const QString &status, double seconds) const
{
    if (!context.metrics)
        return;
    context.metrics
        ->counter(u"connector_requests_total"_s, u"Requests connectors sent, by endpoint, method and status"_s,
                  {u"endpoint"_s, u"method"_s, u"status"_s})
        .increment({options.endpointId, QString::fromLatin1(method), status});
    context.metrics
        ->histogram(u"connector_request_duration_seconds"_s, u"Duration of connector requests"_s, {u"endpoint"_s})
        .observe({options.endpointId}, seconds);
}

void HttpClient::Private::reportBreaker() const
{
    if (!context.metrics)
        return;
    context.metrics
        ->gauge(u"connector_circuit_breaker_state"_s,
                u"Circuit breaker of each endpoint: 0 closed, 1 half-open, 2 open"_s, {u"endpoint"_s})
        .set({options.endpointId}, breakerGauge(breaker->state(monotonicMs())));
}

Result<HttpResponse> HttpClient::Private::sendWithRetries(HttpRequest request, const CancelToken *cancel)
{
    const bool idempotent = request.idempotent.value_or(isIdempotent(request.method));
    const QString where = QString::fromLatin1(request.method) + u' ' + displayUrl(request.url);
    bool refreshedToken = false;
    const HttpRequest original = request;
    if (request.authenticate) {
        if (Result<void> authed = authenticate(request, cancel, false); !authed)
            return authed.error();
    }
    for (int tries = 0;; ++tries) {
        if (cancel && cancel->isCancelled())
            return makeError("cancelled", Tr::tr("%1 was cancelled").arg(where));
        const qint64 now = monotonicMs();
        const CircuitBreaker::Permit permit = breaker->acquire(now);
        if (!permit.allowed) {
            reportBreaker();
            count(request.method, u"circuit_open"_s, 0.0);
            return makeError("circuit_open",
                             Tr::tr("%1: the circuit breaker of endpoint %2 is open after repeated failures; "
                                    "next try in %3 s")
                                 .arg(where, options.endpointId)
                                 .arg((permit.retryAfterMs + 999) / 1000));
        }
        bool sent = false;
        Result<HttpResponse> result = attempt(request, cancel, &sent);
        const bool serverFailed = result
            && (request.isServerFailure ? request.isServerFailure(*result) : result->status >= 500);
        const bool failed = !result || serverFailed;
        if (!result && result.error().code == u"cancelled") {
            breaker->record(permit, true, monotonicMs()); // not the server's fault
            return result;
        }
        breaker->record(permit, !failed, monotonicMs());
        reportBreaker();
        count(request.method, result ? QString::number(result->status) : result.error().code,
              result ? double(result->elapsedMs) / 1000.0 : 0.0);

        // A refused OAuth2 token: fetch a new one once, without counting an attempt.
        const bool refreshable = authenticator ? authenticator->canRefresh()
                                               : auth.type == ClientAuthentication::Type::OAuth2ClientCredentials;
        if (result && result->status == 401 && request.authenticate && !refreshedToken && refreshable) {
            refreshedToken = true;
            request = original;
            if (Result<void> authed = authenticate(request, cancel, true); !authed)
                return authed.error();
            --tries;
            continue;
        }

        bool retry = false;
        qint64 delay = -1;
        if (!result) {
            const QString &code = result.error().code;
            retry = (code == u"connection_failed" && (idempotent || !sent)) || (code == u"timeout" && idempotent);
        } else if (isRetryableStatus(result->status) && (result->status < 500 || serverFailed)) {
            const bool serverDidNotAct = result->status == 429 || result->status == 503;
            retry = idempotent || serverDidNotAct;
            delay = parseRetryAfter(result->header("Retry-After"));
            if (delay > options.maxRetryAfterMs)
                retry = false;
        }
        if (!retry || tries >= options.retryAttempts) {
            if (result)
                result->attempts = tries + 1;
            return result;
        }
        if (delay < 0) {
            const qint64 cap = std::min<qint64>(options.backoffMaxMs, qint64(options.backoffBaseMs) << std::min(tries, 20));
            delay = qint64(fastRandom().bounded(quint64(cap) + 1));
        }
        if (context.metrics) {
            context.metrics
                ->counter(u"connector_retries_total"_s, u"Connector requests retried after a failure"_s,
                          {u"endpoint"_s})
                .increment({options.endpointId});
        }
        if (!sleep(delay, cancel))
            return makeError("cancelled", Tr::tr("%1 was cancelled").arg(where));
    }
}

Result<HttpResponse> HttpClient::Private::attempt(const HttpRequest &request, const CancelToken *cancel, bool *sent)
{
    auto exchange = std::make_shared<Exchange>();
    const HttpClientOptions opts = options;
    const QString where = QString::fromLatin1(request.method) + u' ' + displayUrl(request.url);
    QNetworkAccessManager *manager = nam;
    const qint64 started = monotonicMs();

    QMetaObject::invokeMethod(manager, [exchange, request, opts, manager] {
        QNetworkRequest networkRequest(request.url);
        networkRequest.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::UserVerifiedRedirectPolicy);
        networkRequest.setMaximumRedirectsAllowed(opts.maxRedirects);
        networkRequest.setRawHeader("User-Agent", opts.userAgent);
        if (!opts.tls.isNull())
            networkRequest.setSslConfiguration(opts.tls);
        for (const auto &[name, value] : request.headers)
            networkRequest.setRawHeader(name, value);
        QNetworkReply *reply = request.body.isEmpty() && (request.method == "GET" || request.method == "HEAD")
            ? manager->sendCustomRequest(networkRequest, request.method)
            : manager->sendCustomRequest(networkRequest, request.method, request.body);
        exchange->reply = reply;

        auto abortWith = [exchange, reply](Abort why) {
            {
                std::lock_guard lock(exchange->mutex);
                if (exchange->abort == Abort::None)
                    exchange->abort = why;
            }
            reply->abort();
        };
        auto *deadline = new QTimer(reply);
        deadline->setSingleShot(true);
        QObject::connect(deadline, &QTimer::timeout, reply, [abortWith] { abortWith(Abort::Timeout); });
        deadline->start(opts.timeoutMs);

        QObject::connect(reply, &QNetworkReply::encrypted, reply, [exchange] {
            std::lock_guard lock(exchange->mutex);
            exchange->encrypted = true;
        });
        QObject::connect(reply, &QNetworkReply::uploadProgress, reply, [exchange](qint64 sentBytes, qint64) {
            if (sentBytes > 0) {
                std::lock_guard lock(exchange->mutex);
                exchange->bytesSent = true;
            }
        });
        QObject::connect(reply, &QNetworkReply::metaDataChanged, reply, [exchange, reply, opts, abortWith] {
            {
                std::lock_guard lock(exchange->mutex);
                exchange->bytesSent = true;
            }
            const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
            if (length.isValid() && length.toLongLong() > opts.maxResponseBytes)
                abortWith(Abort::TooLarge);
        });
        QObject::connect(reply, &QNetworkReply::readyRead, reply, [exchange, reply, opts, abortWith] {
            const QByteArray chunk = reply->readAll();
            bool tooLarge = false;
            {
                std::lock_guard lock(exchange->mutex);
                exchange->body += chunk;
                tooLarge = exchange->body.size() > opts.maxResponseBytes;
            }
            if (tooLarge)
                abortWith(Abort::TooLarge);
        });
        const QUrl origin = request.url;
        QObject::connect(reply, &QNetworkReply::redirected, reply, [exchange, reply, opts, origin, abortWith](const QUrl &target) {
            const QUrl resolved = origin.resolved(target);
            const bool downgrade = origin.scheme() == u"https" && resolved.scheme() != u"https";
            bool allowed = !downgrade && resolved.host().compare(origin.host(), Qt::CaseInsensitive) == 0;
            for (const QString &pattern : opts.redirectHosts)
                allowed = allowed || (!downgrade && hostMatches(resolved.host(), pattern));
            if (allowed) {
                std::lock_guard lock(exchange->mutex);
                exchange->body.clear();
            } else {
                {
                    std::lock_guard lock(exchange->mutex);
                    exchange->redirectTarget = resolved;
                }
                abortWith(Abort::Redirect);
                return;
            }
            emit reply->redirectAllowed();
        });
        QObject::connect(reply, &QNetworkReply::finished, reply, [exchange, reply] {
            const QByteArray rest = reply->isOpen() ? reply->readAll() : QByteArray();
            std::lock_guard lock(exchange->mutex);
            exchange->body += rest;
            exchange->error = reply->error();
            exchange->errorText = reply->errorString();
            const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
            exchange->status = status.isValid() ? status.toInt() : 0;
            exchange->reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
            exchange->headers = reply->rawHeaderPairs();
            exchange->url = reply->url();
            exchange->finished = true;
            exchange->done.notify_all();
            reply->deleteLater();
        });
    });

    std::unique_lock lock(exchange->mutex);
    bool cancelRequested = false;
    while (!exchange->finished) {
        exchange->done.wait_for(lock, std::chrono::milliseconds(50));
        if (!cancelRequested && cancel && cancel->isCancelled() && !exchange->finished) {
            cancelRequested = true;
            if (exchange->abort == Abort::None)
                exchange->abort = Abort::Cancelled;
            QMetaObject::invokeMethod(manager, [exchange] {
                if (exchange->reply)
                    exchange->reply->abort();
            });
        }
    }
    *sent = exchange->bytesSent;
    const qint64 elapsed = monotonicMs() - started;

    switch (exchange->abort) {
    case Abort::Timeout:
        return makeError("timeout", Tr::tr("%1: no complete answer within %2 s").arg(where).arg(opts.timeoutMs / 1000.0));
    case Abort::Cancelled:
        return makeError("cancelled", Tr::tr("%1 was cancelled").arg(where));
    case Abort::TooLarge:
        return makeError("response_too_large",
                         Tr::tr("%1: the response is larger than the endpoint's limit of %2 bytes "
                                "(configuration max_response_bytes)")
                             .arg(where)
                             .arg(opts.maxResponseBytes));
    case Abort::Redirect:
        return makeError("redirect_refused",
                         Tr::tr("%1: the server redirects to %2, another host or a plain-HTTP URL; "
                                "allow the host in the endpoint's configuration redirect_hosts")
                             .arg(where, displayUrl(exchange->redirectTarget)));
    case Abort::None:
        break;
    }
    if (exchange->status > 0) {
        HttpResponse response;
        response.status = exchange->status;
        response.reason = exchange->reason;
        response.headers = std::move(exchange->headers);
        response.body = std::move(exchange->body);
        response.url = exchange->url;
        response.elapsedMs = elapsed;
        return response;
    }
    if (exchange->encrypted && exchange->body.isEmpty()
        && (exchange->error == QNetworkReply::RemoteHostClosedError
            || exchange->error == QNetworkReply::UnknownNetworkError)) {
        // Under TLS 1.3 a server checks the client certificate after the client has finished its
        // side of the handshake, and refuses it with an alert and a closed connection: to the
        // client, an encrypted connection that closes before any answer.
        const QList<QSslCertificate> own = opts.tls.isNull() ? QList<QSslCertificate>()
                                                             : opts.tls.localCertificateChain();
        const QString presented = own.isEmpty()
            ? Tr::tr("it presented no client certificate")
            : Tr::tr("it presented the client certificate \"%1\" issued by \"%2\"")
                  .arg(own.constFirst().subjectInfo(QSslCertificate::CommonName).join(u", "_s),
                       own.constFirst().issuerInfo(QSslCertificate::CommonName).join(u", "_s));
        return makeError("tls_error",
                         Tr::tr("%1: the server closed the connection right after the TLS handshake, without "
                                "answering (%2): a server that requires a client certificate does this when it "
                                "gets none, or one that none of its CAs issued; %3")
                             .arg(where, exchange->errorText, presented));
    }
    switch (exchange->error) {
    case QNetworkReply::SslHandshakeFailedError:
        return makeError("tls_error", Tr::tr("%1: TLS handshake failed: %2").arg(where, exchange->errorText));
    case QNetworkReply::TooManyRedirectsError:
        return makeError("redirect_refused",
                         Tr::tr("%1: more than %2 redirects").arg(where).arg(opts.maxRedirects));
    case QNetworkReply::ProtocolUnknownError:
    case QNetworkReply::ProtocolInvalidOperationError:
    case QNetworkReply::ProtocolFailure:
        return makeError("protocol_error", Tr::tr("%1: %2").arg(where, exchange->errorText));
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::HostNotFoundError:
        *sent = false;
        break;
    default:
        break;
    }
    return makeError("connection_failed", Tr::tr("%1: %2").arg(where, exchange->errorText));
}

Result<void> HttpClient::Private::authenticate(HttpRequest &request, const CancelToken *cancel, bool forceRefresh)
{
    using Type = ClientAuthentication::Type;
    if (authenticator)
        return authenticator->apply(*q, request, cancel, forceRefresh);
    if (auth.type == Type::None)
        return {};
    if (auth.type != Type::OAuth2ClientCredentials && !secret) {
        if (!context.secrets) {
            return makeError("secret_unavailable",
                             Tr::tr("Endpoint %1 needs the secret \"%2\", but no secret store is configured")
                                 .arg(options.endpointId, auth.secret));
        }
        Result<QString> value = context.secrets->resolve(auth.secret);
        if (!value)
            return value.error();
        secret = *value;
    }
    switch (auth.type) {
    case Type::None:
        break;
    case Type::Basic:
        request.setHeader("Authorization",
                          "Basic " + (auth.username + u':' + *secret).toUtf8().toBase64());
        break;
    case Type::Bearer:
        request.setHeader("Authorization", "Bearer " + secret->toUtf8());
        break;
    case Type::ApiKey:
        if (auth.inQuery) {
            QUrlQuery query(request.url);
            query.removeAllQueryItems(auth.parameter);
            query.addQueryItem(auth.parameter, QString::fromLatin1(QUrl::toPercentEncoding(*secret)));
            request.url.setQuery(query);
        } else {
            request.setHeader(auth.parameter.toLatin1(), secret->toUtf8());
        }
        break;
    case Type::OAuth2ClientCredentials: {
        Result<QByteArray> token = accessToken(cancel, forceRefresh);
        if (!token)
            return token.error();
        request.setHeader("Authorization", "Bearer " + *token);
        break;
    }
    }
    return {};
}

Result<QByteArray> cachedAccessToken(const QString &key, bool forceRefresh,
                                     const std::function<Result<AccessToken>()> &fetch)
{
    std::shared_ptr<SharedState::Token> token = SharedState::instance().token(key);
    std::lock_guard fetching(token->fetching);
    if (!forceRefresh && !token->value.isEmpty() && monotonicMs() < token->expiresAtMs)
        return token->value;
    Result<AccessToken> fresh = fetch();
    if (!fresh)
        return fresh.error();
    const qint64 lifetimeMs = std::max<qint64>(1000, fresh->lifetimeMs);
    token->value = fresh->value;
    Log::addSecretValue(QString::fromUtf8(fresh->value));
    // Refresh a minute before it expires, or at half its life for short-lived tokens.
    token->expiresAtMs = monotonicMs() + std::max(lifetimeMs / 2, lifetimeMs - 60'000);
    return token->value;
}

Result<QByteArray> HttpClient::Private::accessToken(const CancelToken *cancel, bool forceRefresh)
{
    const QString key = auth.tokenUrl.toString() + u'\n' + auth.clientId + u'\n' + auth.scopes.join(u' ')
        + u'\n' + auth.audience;
    return cachedAccessToken(key, forceRefresh, [&]() -> Result<AccessToken> {
        if (!secret) {
            if (!context.secrets) {
                return makeError("secret_unavailable",
                                 Tr::tr("Endpoint %1 needs the secret \"%2\", but no secret store is configured")
                                     .arg(options.endpointId, auth.secret));
            }
            Result<QString> value = context.secrets->resolve(auth.secret);
            if (!value)
                return value.error();
            secret = *value;
        }
        QByteArray body = "grant_type=client_credentials";
        if (!auth.scopes.isEmpty())
            body += "&scope=" + QUrl::toPercentEncoding(auth.scopes.join(u' '));
        if (!auth.audience.isEmpty())
            body += "&audience=" + QUrl::toPercentEncoding(auth.audience);
        const QByteArray credentials = QUrl::toPercentEncoding(auth.clientId) + ':' + QUrl::toPercentEncoding(*secret);
        return requestToken(*q, auth.tokenUrl, body, {{"Authorization", "Basic " + credentials.toBase64()}},
                            auth.clientId, cancel);
    });
}

Result<AccessToken> requestToken(HttpClient &client, const QUrl &tokenUrl, const QByteArray &body,
                                 const HttpHeaders &headers, const QString &clientId, const CancelToken *cancel,
                                 const QByteArray &contentType)
{
    HttpRequest request;
    request.method = "POST";
    request.url = tokenUrl;
    request.authenticate = false;
    request.idempotent = true; // asking for a token twice is harmless
    request.headers = headers;
    request.setHeader("Content-Type", contentType);
    request.setHeader("Accept", "application/json");
    request.body = body;

    Result<HttpResponse> response = client.send(request, cancel);
    const QString where = Tr::tr("the OAuth2 token endpoint %1").arg(displayUrl(tokenUrl));
    if (!response)
        return Error{response.error().code, where + u": "_s + response.error().message, {}};
    Result<Data::Value> json = Data::Json::parse(response->body);
    if (!response->isSuccess()) {
        QString reason = response->describe();
        if (json && json->isObject()) {
            const Data::Object &o = json->toObject();
            const Data::Value *error = o.find(u"error");
            const Data::Value *description = o.find(u"error_description");
            if (error && error->isString()) {
                reason = u"HTTP %1: %2"_s.arg(response->status).arg(error->toString());
                if (description && description->isString())
                    reason += u" ("_s + description->toString() + u')';
            }
        }
        return makeError("authentication_failed",
                         clientId.isEmpty() ? Tr::tr("%1 refused the credentials: %2").arg(where, reason)
                                            : Tr::tr("%1 refused client %2: %3").arg(where, clientId, reason));
    }
    const Data::Value *accessToken = json && json->isObject() ? json->toObject().find(u"access_token") : nullptr;
    if (!accessToken || !accessToken->isString() || accessToken->toString().isEmpty())
        return makeError("authentication_failed", Tr::tr("%1 answered without an access_token").arg(where));
    const Data::Value *tokenType = json->toObject().find(u"token_type");
    if (tokenType && tokenType->isString() && tokenType->toString().compare(u"bearer", Qt::CaseInsensitive) != 0) {
        return makeError("authentication_failed",
                         Tr::tr("%1 issued a token of type \"%2\"; only Bearer tokens are supported")
                             .arg(where, tokenType->toString()));
    }
    AccessToken token;
    token.value = accessToken->toString().toUtf8();
    if (const Data::Value *expiresIn = json->toObject().find(u"expires_in"); expiresIn && expiresIn->isNumber())
        token.lifetimeMs = std::max<qint64>(1, qint64(expiresIn->toDouble())) * 1000;
    else if (expiresIn && expiresIn->isString()) // some servers send it as a string
        token.lifetimeMs = std::max<qint64>(1, expiresIn->toString().toLongLong()) * 1000;
    return token;
}

} // namespace Conflux::Connectors
