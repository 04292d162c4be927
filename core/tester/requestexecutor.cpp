#include "requestexecutor.h"

#include "base/log.h"
#include "base/monotonic.h"
#include "tr_p.h"

#include <QCryptographicHash>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Conflux::Tester {

using Internal::Tr;

namespace {

struct CachedToken
{
    QByteArray value;
    qint64 refreshAtMs = 0;
};

struct TokenCache
{
    QMutex mutex;
    QHash<QString, CachedToken> tokens;
};

TokenCache &tokenCache()
{
    static TokenCache cache;
    return cache;
}

QString describeUrl(const QUrl &url)
{
    return url.toDisplayString(QUrl::RemoveQuery | QUrl::RemoveUserInfo | QUrl::RemoveFragment);
}

QNetworkRequest networkRequest(const QUrl &url, const ExecuteOptions &options, bool follow)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         follow ? QNetworkRequest::NoLessSafeRedirectPolicy : QNetworkRequest::ManualRedirectPolicy);
    request.setMaximumRedirectsAllowed(options.maxRedirects);
    // Responses are what the server sent, not a cache's copy.
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    QSslConfiguration tls = options.tls.isNull() ? QSslConfiguration::defaultConfiguration() : options.tls;
    if (options.insecure)
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    request.setSslConfiguration(tls);
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArray("Conflux-Tester"));
    return request;
}

} // namespace

QByteArray Response::header(QByteArrayView name) const
{
    for (const auto &[n, v] : headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

QList<QByteArray> Response::headerValues(QByteArrayView name) const
{
    QList<QByteArray> out;
    for (const auto &[n, v] : headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            out.append(v);
    }
    return out;
}

RequestExecutor::RequestExecutor(QObject *parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this))
{
    // No cookie jar: a request carries the Cookie headers it names and nothing a server set
    // for an earlier request, so each request in a collection is reproducible on its own.
    m_network->setCookieJar(nullptr);
}

RequestExecutor::~RequestExecutor() = default;

RequestCall *RequestExecutor::send(const PreparedRequest &request, const ExecuteOptions &options)
{
    auto *call = new RequestCall(this, request, options);
    // Started from the event loop, so that finished() never comes before the caller connects.
    QTimer::singleShot(0, call, &RequestCall::start);
    return call;
}

void RequestExecutor::clearTokenCache()
{
    TokenCache &cache = tokenCache();
    QMutexLocker lock(&cache.mutex);
    cache.tokens.clear();
}

RequestCall::RequestCall(RequestExecutor *executor, PreparedRequest request, ExecuteOptions options)
    : QObject(executor), m_executor(executor), m_request(std::move(request)), m_options(std::move(options))
{
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] {
        m_timedOut = true;
        if (m_reply)
            m_reply->abort();
    });
}

RequestCall::~RequestCall()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void RequestCall::cancel()
{
    if (m_finished || m_cancelled)
        return;
    m_cancelled = true;
    if (!m_reply)
        return;   // not started yet: start() sees m_cancelled
    // abort() emits finished() at once; the promise is a report from the event loop.
    m_reply->disconnect(this);
    m_reply->abort();
    m_reply->deleteLater();
    m_reply = nullptr;
    m_timer->stop();
    QTimer::singleShot(0, this, [this] {
        fail(makeError("cancelled", Tr::tr("%1 %2 was cancelled").arg(QString::fromLatin1(m_request.method),
                                                                       describeUrl(m_request.url))));
    });
}

void RequestCall::start()
{
    if (m_cancelled) {
        fail(makeError("cancelled", Tr::tr("%1 %2 was cancelled").arg(QString::fromLatin1(m_request.method),
                                                                       describeUrl(m_request.url))));
        return;
    }
    if (m_request.oauth2)
        fetchToken(false);
    else
        sendRequest();
}

void RequestCall::fetchToken(bool forceRefresh)
{
    const OAuth2Grant &grant = *m_request.oauth2;
    const QByteArray secretHash = QCryptographicHash::hash(grant.clientSecret.toUtf8(), QCryptographicHash::Sha256).toHex();
    m_tokenKey = grant.tokenUrl.toString() + u'\n' + grant.clientId + u'\n' + grant.scopes.join(u' ') + u'\n'
                 + grant.audience + u'\n' + QString::fromLatin1(secretHash);
    if (!forceRefresh) {
        TokenCache &cache = tokenCache();
        QMutexLocker lock(&cache.mutex);
        const auto it = cache.tokens.constFind(m_tokenKey);
        if (it != cache.tokens.constEnd() && it->refreshAtMs > monotonicMs()) {
            m_request.setHeader("Authorization", "Bearer " + it->value);
            m_tokenFromCache = true;
            lock.unlock();
            sendRequest();
            return;
        }
    }
    m_tokenFromCache = false;
    QByteArray body = "grant_type=client_credentials";
    if (!grant.scopes.isEmpty())
        body += "&scope=" + QUrl::toPercentEncoding(grant.scopes.join(u' '));
    if (!grant.audience.isEmpty())
        body += "&audience=" + QUrl::toPercentEncoding(grant.audience);
    QNetworkRequest request = networkRequest(grant.tokenUrl, m_options, false);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/x-www-form-urlencoded"));
    request.setRawHeader("Accept", "application/json");
    const QByteArray credentials = QUrl::toPercentEncoding(grant.clientId) + ':'
                                   + QUrl::toPercentEncoding(grant.clientSecret);
    request.setRawHeader("Authorization", "Basic " + credentials.toBase64());
    m_reply = m_executor->m_network->post(request, body);
    connect(m_reply, &QNetworkReply::finished, this, &RequestCall::onTokenReply);
    m_timer->start(m_options.timeoutMs);
}

void RequestCall::onTokenReply()
{
    m_timer->stop();
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->deleteLater();
    const OAuth2Grant &grant = *m_request.oauth2;
    const QString where = Tr::tr("the token endpoint %1 (client %2)").arg(describeUrl(grant.tokenUrl), grant.clientId);
    if (m_cancelled) {
        fail(makeError("cancelled", Tr::tr("the token request to %1 was cancelled").arg(where)));
        return;
    }
    if (m_timedOut) {
        fail(makeError("timeout", Tr::tr("%1 did not answer within %2 ms").arg(where).arg(m_options.timeoutMs)));
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray data = reply->readAll();
    if (status == 0) {
        fail(makeError("connection_failed", Tr::tr("%1: %2").arg(where, reply->errorString())));
        return;
    }
    const QJsonObject json = QJsonDocument::fromJson(data).object();
    const QString token = json.value(u"access_token"_s).toString();
    if (status < 200 || status >= 300 || token.isEmpty()) {
        QString why = json.value(u"error"_s).toString();
        if (json.contains(u"error_description"_s))
            why += u": "_s + json.value(u"error_description"_s).toString();
        if (why.isEmpty())
            why = Tr::tr("no access_token in the answer");
        fail(makeError("authentication_failed",
                       Tr::tr("%1 refused: HTTP %2, %3").arg(where).arg(status).arg(why)));
        return;
    }
    Log::addSecretValue(token);
    const qint64 lifetimeMs = std::max<qint64>(1000, qint64(json.value(u"expires_in"_s).toDouble(3600)) * 1000);
    {
        TokenCache &cache = tokenCache();
        QMutexLocker lock(&cache.mutex);
        cache.tokens.insert(m_tokenKey, {token.toUtf8(), monotonicMs() + std::max(lifetimeMs / 2, lifetimeMs - 60'000)});
    }
    m_request.setHeader("Authorization", "Bearer " + token.toUtf8());
    m_request.secretValues.append(token);
    sendRequest();
}

void RequestCall::sendRequest()
{
    m_timedOut = false;
    m_tooLarge = false;
    QNetworkRequest request = networkRequest(m_request.url, m_options, m_request.followRedirects);
    for (const auto &[name, value] : std::as_const(m_request.headers))
        request.setRawHeader(name, value);
    m_clock.start();
    if (m_request.body.isEmpty() && (m_request.method == "GET" || m_request.method == "HEAD"))
        m_reply = m_executor->m_network->sendCustomRequest(request, m_request.method);
    else
        m_reply = m_executor->m_network->sendCustomRequest(request, m_request.method, m_request.body);
    connect(m_reply, &QNetworkReply::finished, this, &RequestCall::onReply);
    connect(m_reply, &QNetworkReply::downloadProgress, this, [this](qint64 received, qint64) {
        if (received > m_options.maxResponseBytes && m_reply) {
            m_tooLarge = true;
            m_reply->abort();
        }
    });
    m_timer->start(m_options.timeoutMs);
}

void RequestCall::onReply()
{
    m_timer->stop();
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->deleteLater();
    const QString what = QString::fromLatin1(m_request.method) + u' ' + describeUrl(m_request.url);
    if (m_cancelled) {
        fail(makeError("cancelled", Tr::tr("%1 was cancelled").arg(what)));
        return;
    }
    if (m_timedOut) {
        fail(makeError("timeout", Tr::tr("%1 got no complete answer within %2 ms").arg(what).arg(m_options.timeoutMs)));
        return;
    }
    if (m_tooLarge || reply->bytesAvailable() > m_options.maxResponseBytes) {
        fail(makeError("response_too_large",
                       Tr::tr("%1: the answer is larger than %2 bytes").arg(what).arg(m_options.maxResponseBytes)));
        return;
    }
    const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusAttribute.isValid()) {
        const bool tls = reply->error() == QNetworkReply::SslHandshakeFailedError;
        fail(makeError(tls ? "tls_error" : "connection_failed", Tr::tr("%1: %2").arg(what, reply->errorString())));
        return;
    }
    Response response;
    response.status = statusAttribute.toInt();
    response.reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
    response.body = reply->readAll();
    response.url = reply->url();
    response.elapsedMs = m_clock.elapsed();
    qint64 headerBytes = 0;
    for (const auto &[name, value] : reply->rawHeaderPairs()) {
        response.headers.append({name, value});
        headerBytes += name.size() + value.size() + 4;   // "name: value\r\n"
    }
    response.size = response.body.size() + headerBytes;
    if (response.status == 401 && m_request.oauth2 && m_tokenFromCache && !m_retriedAfter401) {
        // The cached token was revoked or the server restarted with new keys: once more with a new one.
        m_retriedAfter401 = true;
        fetchToken(true);
        return;
    }
    m_result = std::move(response);
    finish();
}

void RequestCall::fail(Error error)
{
    m_result = std::move(error);
    finish();
}

void RequestCall::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    Q_EMIT finished();
}

} // namespace Conflux::Tester
