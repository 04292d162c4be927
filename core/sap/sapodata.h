#pragma once

#include "base/result.h"
#include "connectors/connector.h"
#include "data/value.h"

#include <QHash>
#include <QString>

#include <memory>
#include <mutex>

// SAP operations of type odata (SAP Gateway services, S/4HANA APIs, CAP services) run through
// the OData connector: the SAP connection gives the host, client, logon and timeout, the
// operation the service, the entity set and the method (docs/sap.md, "OData operations").
//
//   service      "API_BUSINESS_PARTNER" → <base_url>/sap/opu/odata/sap/API_BUSINESS_PARTNER/;
//                a path ("/odata/v4/sales/") → <base_url> + that path
//   parameters   constant query options, merged under the input: filter, select, expand,
//                orderby, top, skip, count, key; odata_version (2 or 4) overrides the version,
//                which is otherwise 4 for paths with "/odata/v4/" or "/odata4/" and 2 for the rest
//
// The input, by method:
//   GET          {"filter", "select", "expand", "orderby", "top", "skip", "count", "key"}:
//                with "key" one entity, else {"results": [...], "count": n (with count)}
//   POST         the entity to create → the created entity
//   PATCH, PUT, MERGE  {"key": ..., "data": {...}} → the updated entity (or null)
//   DELETE       {"key": ...} → null
// "select", "expand" and "orderby" are arrays of strings or one comma-separated string; a key
// is a scalar or an object of the key properties.
//
// Each call counts in sap_requests_total{connection, operation="ODATA <method> <entity set>",
// status} and sap_request_duration_seconds; the connection's circuit breaker ("sap/<id>") is
// shared with its RFC calls. An X.509 connection logs on with its client certificate: its
// certificate_file, key_file, key_password and ca_file become the OData endpoint's
// configuration.tls (docs/connectors/odata.md).
//
// Threading: run() may be called from several threads; each service has one connector,
// used by one call at a time.

namespace Conflux::Sap {

class SapPool;
struct SapOperation;

class SapODataClient
{
public:
    explicit SapODataClient(std::shared_ptr<SapPool> pool);
    ~SapODataClient();

    // Errors: "sap_unsupported" (another operation type), "invalid_sap_operation" (an input
    // that does not fit the method), "invalid_endpoint" (the X.509 certificate or key cannot be
    // read; details point into the connection's /authentication), the OData connector's
    // ("odata_error" with the service's message, "authentication_failed", "tls_error",
    // "connection_failed", ...).
    Result<Data::Value> run(const SapOperation &operation, const Data::Value &input,
                            const Connectors::CancelToken *cancel = nullptr);

private:
    struct Service;
    std::shared_ptr<SapPool> m_pool;
    std::mutex m_mutex;
    QHash<QString, std::shared_ptr<Service>> m_services;
};

} // namespace Conflux::Sap
