#pragma once

#include "base/result.h"
#include "data/value.h"
#include "sap/saprfc.h"
#include "sap/sapreadtable.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace Conflux::Connectors {
class CancelToken;
}

// Calls RFC-enabled function modules and BAPIs of an SAP system over its SOAP RFC service
// (POST <base_url>/sap/bc/soap/rfc?sap-client=<client>[&sap-language=<language>]), through
// the connection's pool (SapPool: HttpClient with retries, circuit breaker, authentication,
// metrics). Value shapes in and out are described in saprfc.h and docs/sap.md.
//
// Errors of every call: the HttpClient's ("connection_failed", "timeout", "circuit_open",
// "cancelled", "tls_error", "secret_not_found", ...), "authentication_failed" (HTTP 401: the
// message names user, client and system, never the password), "sap_not_authorized" (403),
// "sap_http_error" (another non-2xx answer that is no SOAP fault), "sap_pool_exhausted",
// "sap_invalid_parameters", "sap_rfc_fault", "sap_invalid_response"; BAPI calls also
// "sap_bapi_error". Messages name the function module.
//
// Threading: a client may be used from several threads at once; each call takes a slot of
// the pool for its duration (a BAPI with its commit holds one slot, and so one SAP session).

namespace Conflux::Sap {

class SapPool;
struct SapOperation;

struct RfcCallOptions
{
    // Table parameters to read as [] when SAP returns them empty, beside those the request
    // passes as arrays.
    QStringList tables;
    // Retry after timeouts and 5xx answers like a read (only for function modules that change
    // nothing); POST semantics otherwise. SAP sends RFC exceptions as SOAP faults with HTTP
    // 500, which such retries repeat in vain (and which the circuit breaker counts).
    bool idempotent = false;
    const Connectors::CancelToken *cancel = nullptr;
};

struct BapiResult
{
    Data::Value data;               // the answer, RETURN included
    QList<SapMessage> messages;     // W, I and S messages of RETURN (and of the commit)
};

class SapRfcClient
{
public:
    explicit SapRfcClient(std::shared_ptr<SapPool> pool);
    ~SapRfcClient();

    // One stateless call; RETURN is not looked at (see callBapi).
    Result<Data::Value> call(const QString &function, const Data::Value &parameters,
                             const RfcCallOptions &options = {});

    // Calls a BAPI: RETURN messages of type E or A make it fail ("sap_bapi_error", every E/A
    // message in the details). With `commit`, the call runs in a stateful SAP session
    // (sap-sessioncmd=open, the session cookie) and is followed in that session by
    // BAPI_TRANSACTION_COMMIT with WAIT = "X", which closes the session; when the BAPI fails,
    // BAPI_TRANSACTION_ROLLBACK closes it instead. Without `commit`, SAP rolls the call's
    // changes back at its end (a BAPI never commits by itself).
    Result<BapiResult> callBapi(const QString &function, const Data::Value &parameters, bool commit,
                                const Connectors::CancelToken *cancel = nullptr);

    // RFC_READ_TABLE, with the rows split into typed records (sapreadtable.h).
    Result<ReadTableResult> readTable(const ReadTableRequest &request, const Connectors::CancelToken *cancel = nullptr);
    Result<ReadTableResult> readTable(const QString &table, const QStringList &fields, const QString &where = {},
                                      int rowCount = 0, int rowSkips = 0, const QString &delimiter = {});

    // Runs a bapi or rfc operation document: its function_name with its constant
    // `parameters` merged under `input` (input wins), committing when it says so. An rfc
    // operation returns no messages unless it commits. Other operation types:
    // "sap_unsupported" (idoc: SapIdocClient; odata: the OData connector).
    Result<BapiResult> run(const SapOperation &operation, const Data::Value &input,
                           const Connectors::CancelToken *cancel = nullptr);

    SapPool &pool() const { return *m_pool; }

private:
    std::shared_ptr<SapPool> m_pool;
};

} // namespace Conflux::Sap
