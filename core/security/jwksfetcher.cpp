#include "security/jwksfetcher.h"

#include <base/monotonic.h>

#include <QCoreApplication>
#include <QMutexLocker>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Conflux::Security {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Security)
};

// max-age of a Cache-Control header, or -1.
qint64 maxAgeSeconds(const QByteArray &cacheControl)
{
    for (const QByteArray &directive : cacheControl.split(',')) {
        const QByteArray d = directive.trimmed().toLower();
        if (d.startsWith("max-age=")) {
            bool ok = false;
            const qint64 seconds = d.mid(8).trimmed().toLongLong(&ok);
            return ok && seconds >= 0 ? seconds : -1;
        }
    }
    return -1;
}

} // namespace

JwksFetcher::JwksFetcher(Options options, std::shared_ptr<JwkSetStore> store, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_store(std::move(store))
{
    m_network = new QNetworkAccessManager(this);
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &JwksFetcher::fetch);
    m_nextRetryMs = m_options.retryMs;
}

JwksFetcher::~JwksFetcher() = default;

void JwksFetcher::start()
{
    fetch();
}

bool JwksFetcher::requestRefresh()
{
    const qint64 now = monotonicMs();
    qint64 last = m_lastKidRefresh.load();
    if (m_inFlight || (last != 0 && now - last < m_options.unknownKidCooldownMs))
        return false;
    if (!m_lastKidRefresh.compare_exchange_strong(last, now))
        return false; // another thread asked at the same moment
    QMetaObject::invokeMethod(this, &JwksFetcher::fetch, Qt::QueuedConnection);
    return true;
}

QString JwksFetcher::lastError() const
{
    QMutexLocker lock(&m_mutex);
    return m_lastError;
}

QDateTime JwksFetcher::lastFetched() const
{
    QMutexLocker lock(&m_mutex);
    return m_lastFetched;
}

void JwksFetcher::schedule(qint64 ms)
{
    m_timer->start(int(std::clamp<qint64>(ms, 1, std::numeric_limits<int>::max())));
}

void JwksFetcher::fetch()
{
    if (m_inFlight.exchange(true))
        return;
    m_timer->stop();
    QNetworkRequest request(m_options.url);
    request.setRawHeader("Accept", "application/jwk-set+json, application/json");
    request.setTransferTimeout(m_options.timeoutMs);
    request.setSslConfiguration(m_options.ssl);
    // Redirects only to HTTPS (or within plain HTTP for a local test server).
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    QNetworkReply *reply = m_network->get(request);
    // The body is read as it comes so that an endless answer is cut off at maxBytes.
    auto body = std::make_shared<QByteArray>();
    connect(reply, &QNetworkReply::readyRead, this, [this, reply, body] {
        body->append(reply->readAll());
        if (body->size() > m_options.maxBytes)
            reply->abort();
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply, body] {
        if (reply->isOpen()) // not after an abort
            body->append(reply->readAll());
        reply->setProperty("conflux_body", *body);
        finished(reply);
    });
}

void JwksFetcher::finished(QNetworkReply *reply)
{
    reply->deleteLater();
    const QByteArray body = reply->property("conflux_body").toByteArray();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QString error;
    std::optional<JwkSet> keys;
    QStringList skipped;
    if (body.size() > m_options.maxBytes) {
        error = Tr::tr("the JWKS at %1 is larger than %2 bytes").arg(m_options.url.toDisplayString()).arg(m_options.maxBytes);
    } else if (reply->error() != QNetworkReply::NoError && status == 0) {
        error = Tr::tr("cannot fetch the JWKS at %1: %2").arg(m_options.url.toDisplayString(), reply->errorString());
    } else if (status != 200) {
        error = Tr::tr("the JWKS at %1 answered HTTP %2").arg(m_options.url.toDisplayString()).arg(status);
    } else if (Result<JwkSet> parsed = JwkSet::fromJson(body, &skipped); !parsed) {
        error = Tr::tr("the JWKS at %1 is not usable: %2").arg(m_options.url.toDisplayString(), parsed.error().toString());
    } else if (parsed->isEmpty()) {
        error = Tr::tr("the JWKS at %1 has no key Conflux can use").arg(m_options.url.toDisplayString());
        if (!skipped.isEmpty())
            error += u" ("_s + skipped.join(u"; "_s) + u')';
    } else {
        keys = std::move(*parsed);
    }

    if (keys) {
        m_keyCount = int(keys->size());
        m_store->replace(std::move(*keys));
        {
            QMutexLocker lock(&m_mutex);
            m_lastError.clear();
            m_lastFetched = QDateTime::currentDateTimeUtc();
        }
        m_nextRetryMs = m_options.retryMs;
        const qint64 maxAge = maxAgeSeconds(reply->rawHeader("Cache-Control"));
        const qint64 next = maxAge >= 0 ? std::clamp(maxAge * 1000, m_options.minRefreshMs, m_options.maxRefreshMs)
                                        : m_options.defaultRefreshMs;
        m_inFlight = false;
        schedule(next);
        Q_EMIT fetched(true);
        return;
    }
    {
        QMutexLocker lock(&m_mutex);
        m_lastError = error;
    }
    const qint64 retry = m_nextRetryMs;
    m_nextRetryMs = std::min(std::max<qint64>(m_options.minRefreshMs, m_options.retryMs), m_nextRetryMs * 2);
    m_inFlight = false;
    schedule(retry);
    Q_EMIT fetched(false);
}

} // namespace Conflux::Security
