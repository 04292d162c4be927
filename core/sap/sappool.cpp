#include "sappool.h"

#include "security/secrets.h"

#include "base/metrics.h"
#include "connectors/httpclient.h"
#include "security/secrets.h"
#include "tr_p.h"

#include <QDir>
#include <QThread>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

using namespace Qt::StringLiterals;

namespace Conflux::Sap {

using Internal::Tr;

struct SapPool::Private
{
    SapConnection connection;
    Connectors::ConnectorContext context;
    Connectors::HttpClientOptions httpOptions;
    int acquireTimeoutMs = 30'000;

    mutable std::mutex mutex;
    std::condition_variable freed;
    std::vector<std::unique_ptr<Connectors::HttpClient>> clients; // created on first use
    std::vector<bool> busy;
    int inUse = 0;
};

SapPool::SapPool() : d(std::make_unique<Private>()) { }

SapPool::~SapPool() = default;

Result<std::shared_ptr<SapPool>> SapPool::create(SapConnection connection, Connectors::ConnectorContext context,
                                                 const SapPoolOptions &options)
{
    std::shared_ptr<SapPool> pool(new SapPool);
    Private &p = *pool->d;
    if (connection.authenticationType == SapAuthentication::X509) {
        QByteArray passPhrase;
        if (!connection.keyPasswordSecret.isEmpty()) {
            if (!context.secrets) {
                return makeError("secret_unavailable",
                                 Tr::tr("SAP connection %1 needs the secret \"%2\", but no secret store is configured")
                                     .arg(connection.id, connection.keyPasswordSecret));
            }
            Result<QString> secret = context.secrets->resolve(connection.keyPasswordSecret);
            if (!secret)
                return secret.error();
            passPhrase = secret->toUtf8();
        }
        // Relative paths resolve against the project folder, as an endpoint's configuration.tls does.
        const auto inProject = [&context](const QString &path) {
            return path.isEmpty() || QDir::isAbsolutePath(path) || context.baseDirectory.isEmpty()
                       ? path
                       : QDir(context.baseDirectory).filePath(path);
        };
        Result<QSslConfiguration> tls = Connectors::HttpClientOptions::clientCertificate(
            inProject(connection.certificateFile), inProject(connection.keyFile), passPhrase,
            inProject(connection.caFile));
        if (!tls) {
            Error error = tls.error();
            error.message = Tr::tr("SAP connection %1: %2").arg(connection.id, error.message);
            return error;
        }
        p.httpOptions.tls = *tls;
    }
    p.httpOptions.endpointId = u"sap/"_s + connection.id;
    p.httpOptions.timeoutMs = std::max(1, connection.timeoutSeconds) * 1000;
    p.httpOptions.retryAttempts = std::max(0, options.retryAttempts);
    p.httpOptions.backoffBaseMs = options.backoffBaseMs;
    p.httpOptions.backoffMaxMs = options.backoffMaxMs;
    p.httpOptions.breaker = options.breaker;
    p.acquireTimeoutMs = options.acquireTimeoutMs >= 0 ? options.acquireTimeoutMs : p.httpOptions.timeoutMs;
    const int size = std::max(1, connection.poolSize);
    p.clients.resize(size_t(size));
    p.busy.assign(size_t(size), false);
    p.connection = std::move(connection);
    p.context = std::move(context);
    // The first client now: it carries the shared breaker the gauges read.
    p.clients[0] = std::make_unique<Connectors::HttpClient>(p.httpOptions, p.connection.authentication, p.context);
    pool->reportPool();
    return pool;
}

const SapConnection &SapPool::connection() const
{
    return d->connection;
}

const Connectors::ConnectorContext &SapPool::context() const
{
    return d->context;
}

int SapPool::size() const
{
    return int(d->busy.size());
}

int SapPool::available() const
{
    std::lock_guard lock(d->mutex);
    return int(d->busy.size()) - d->inUse;
}

CircuitBreaker::State SapPool::breakerState() const
{
    return d->clients[0]->breakerState();
}

Result<SapPool::Lease> SapPool::acquire(const Connectors::CancelToken *cancel)
{
    std::unique_lock lock(d->mutex);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(d->acquireTimeoutMs);
    while (d->inUse == int(d->busy.size())) {
        if (cancel && cancel->isCancelled())
            return makeError("cancelled", Tr::tr("The call to %1 was cancelled").arg(d->connection.describe()));
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            return makeError("sap_pool_exhausted",
                             Tr::tr("All %1 connections of SAP connection %2 stayed busy for %3 s (pool_size)")
                                 .arg(d->busy.size())
                                 .arg(d->connection.id)
                                 .arg(d->acquireTimeoutMs / 1000.0));
        }
        d->freed.wait_for(lock, std::min<std::chrono::nanoseconds>(deadline - now, std::chrono::milliseconds(50)));
    }
    int slot = 0;
    while (d->busy[size_t(slot)])
        ++slot;
    d->busy[size_t(slot)] = true;
    ++d->inUse;
    if (!d->clients[size_t(slot)]) {
        d->clients[size_t(slot)] =
            std::make_unique<Connectors::HttpClient>(d->httpOptions, d->connection.authentication, d->context);
    }
    lock.unlock();
    reportPool();
    return Lease(shared_from_this(), slot);
}

void SapPool::release(int slot)
{
    {
        std::lock_guard lock(d->mutex);
        d->busy[size_t(slot)] = false;
        --d->inUse;
    }
    d->freed.notify_one();
    reportPool();
}

void SapPool::reportPool() const
{
    MetricsRegistry *metrics = d->context.metrics;
    if (!metrics)
        return;
    metrics->gauge(u"sap_connection_pool_size"_s, u"Concurrent calls each SAP connection allows (pool_size)"_s,
                   {u"connection"_s})
        .set({d->connection.id}, double(size()));
    metrics->gauge(u"sap_connection_pool_available"_s, u"Free slots of each SAP connection's pool"_s,
                   {u"connection"_s})
        .set({d->connection.id}, double(available()));
}

QUrl SapPool::url(const QString &servicePath, const QUrlQuery &extra) const
{
    QUrl url = d->connection.serviceUrl(servicePath);
    QUrlQuery query;
    query.addQueryItem(u"sap-client"_s, d->connection.client);
    if (!d->connection.language.isEmpty())
        query.addQueryItem(u"sap-language"_s, d->connection.language);
    for (const auto &[key, value] : extra.queryItems(QUrl::FullyEncoded))
        query.addQueryItem(key, value);
    url.setQuery(query);
    return url;
}

void SapPool::recordCall(const QString &operation, const QString &status, double seconds) const
{
    MetricsRegistry *metrics = d->context.metrics;
    if (!metrics)
        return;
    const QString &connection = d->connection.id;
    metrics->counter(u"sap_requests_total"_s, u"SAP calls by connection, operation and outcome"_s,
                     {u"connection"_s, u"operation"_s, u"status"_s})
        .increment({connection, operation, status});
    metrics->histogram(u"sap_request_duration_seconds"_s, u"Duration of SAP calls"_s,
                       {u"connection"_s, u"operation"_s})
        .observe({connection, operation}, seconds);
    double state = 0.0;
    switch (breakerState()) {
    case CircuitBreaker::State::Closed:
        state = 0.0;
        break;
    case CircuitBreaker::State::HalfOpen:
        state = 1.0;
        break;
    case CircuitBreaker::State::Open:
        state = 2.0;
        break;
    }
    metrics->gauge(u"sap_circuit_breaker_state"_s,
                   u"Circuit breaker of each SAP connection: 0 closed, 1 half-open, 2 open"_s, {u"connection"_s})
        .set({connection}, state);
}

Error SapPool::httpError(const QString &what, int status, const QString &describedResponse) const
{
    const SapConnection &c = d->connection;
    if (status == 401) {
        return makeError("authentication_failed",
                         Tr::tr("%1: %2 refused the logon of user %3: %4")
                             .arg(what, c.describe(), c.username().isEmpty() ? Tr::tr("(none)") : c.username(),
                                  describedResponse));
    }
    if (status == 403) {
        return makeError("sap_not_authorized",
                         Tr::tr("%1: %2 refused the service to user %3: %4")
                             .arg(what, c.describe(), c.username(), describedResponse));
    }
    return makeError("sap_http_error", Tr::tr("%1: %2 answered %3").arg(what, c.describe(), describedResponse));
}

// ---- Lease ---------------------------------------------------------------------------------

SapPool::Lease::Lease(Lease &&other) noexcept : m_pool(std::move(other.m_pool)), m_slot(other.m_slot)
{
    other.m_slot = -1;
}

SapPool::Lease &SapPool::Lease::operator=(Lease &&other) noexcept
{
    if (this != &other) {
        release();
        m_pool = std::move(other.m_pool);
        m_slot = other.m_slot;
        other.m_slot = -1;
    }
    return *this;
}

SapPool::Lease::~Lease()
{
    release();
}

void SapPool::Lease::release()
{
    if (m_pool && m_slot >= 0)
        m_pool->release(m_slot);
    m_slot = -1;
    m_pool.reset();
}

Connectors::HttpClient &SapPool::Lease::client() const
{
    return *m_pool->d->clients[size_t(m_slot)];
}

} // namespace Conflux::Sap
