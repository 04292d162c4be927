#pragma once

#include "base/circuitbreaker.h"
#include "base/result.h"
#include "connectors/connector.h"
#include "sap/sapconnection.h"

#include <QString>
#include <QUrlQuery>

#include <memory>

namespace Conflux::Connectors {
class HttpClient;
}

// The calls of one SAP connection: at most pool_size at a time, each on an HttpClient of its
// own (its own cookies, so a stateful SOAP session belongs to one call sequence), all sharing
// the connection's circuit breaker (the HttpClient's, keyed "sap/<connection id>").
//
// Metrics (into ConnectorContext::metrics when set):
//   sap_requests_total{connection,operation,status}   status "ok" or the error code
//   sap_request_duration_seconds{connection,operation}
//   sap_connection_pool_size{connection}, sap_connection_pool_available{connection}
//   sap_circuit_breaker_state{connection}             0 closed, 1 half-open, 2 open
// beside the HttpClient's own connector_* families (endpoint "sap/<connection id>").
//
// Threading: a pool is used from any number of threads; a Lease belongs to the thread that
// acquired it. Leases keep the pool alive.

namespace Conflux::Sap {

struct SapPoolOptions
{
    int retryAttempts = 3;           // HttpClient retries (POST: only when SAP cannot have acted)
    int backoffBaseMs = 250;
    int backoffMaxMs = 10'000;
    CircuitBreakerSettings breaker;  // the connection's circuit breaker
    int acquireTimeoutMs = -1;       // how long a call waits for a free slot; -1: timeout_seconds
};

class SapPool final : public std::enable_shared_from_this<SapPool>
{
    struct Private;

public:
    // X509 connections present their client certificate (files relative to
    // context.baseDirectory). Errors: "tls_certificate_invalid" / "tls_key_invalid" naming the
    // file, the pass phrase secret's errors.
    static Result<std::shared_ptr<SapPool>> create(SapConnection connection, Connectors::ConnectorContext context,
                                                   const SapPoolOptions &options = {});
    ~SapPool();
    SapPool(const SapPool &) = delete;
    SapPool &operator=(const SapPool &) = delete;

    // One slot of the pool, returned when destroyed.
    class Lease
    {
    public:
        Lease(Lease &&other) noexcept;
        Lease &operator=(Lease &&other) noexcept;
        ~Lease();
        Lease(const Lease &) = delete;
        Lease &operator=(const Lease &) = delete;

        Connectors::HttpClient &client() const;
        SapPool &pool() const { return *m_pool; }

    private:
        friend class SapPool;
        Lease(std::shared_ptr<SapPool> pool, int slot) : m_pool(std::move(pool)), m_slot(slot) { }
        void release();
        std::shared_ptr<SapPool> m_pool;
        int m_slot = -1;
    };

    // Waits for a free slot, up to acquireTimeoutMs. Errors: "sap_pool_exhausted",
    // "cancelled".
    Result<Lease> acquire(const Connectors::CancelToken *cancel = nullptr);

    const SapConnection &connection() const;
    // The secrets and metrics the pool was created with (the OData operations use them too).
    const Connectors::ConnectorContext &context() const;
    int size() const;
    int available() const;
    CircuitBreaker::State breakerState() const;

    // The URL of an SAP service path with sap-client, sap-language (when set) and `extra`.
    QUrl url(const QString &servicePath, const QUrlQuery &extra = {}) const;

    // Counts one SAP call in the metrics and updates the breaker gauge.
    void recordCall(const QString &operation, const QString &status, double seconds) const;

    // Maps an HTTP answer SAP gave instead of a result: 401 → "authentication_failed" (the
    // user, client and system, never the password), 403 → "sap_not_authorized", others
    // "sap_http_error"; `what` names the call ("RFC BAPI_VENDOR_GETDETAIL").
    Error httpError(const QString &what, int status, const QString &describedResponse) const;

private:
    SapPool();
    void release(int slot);
    void reportPool() const;
    std::unique_ptr<Private> d;
};

} // namespace Conflux::Sap
