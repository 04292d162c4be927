#pragma once

#include "connectors/connector.h"
#include "connectors/edmx.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>
#include <vector>

// The OData connector (protocols `odata_v2` and `odata_v4`): the entity sets of one OData
// service, SAP Gateway and SAP CAP services in particular. Its configuration is documented for
// users in docs/connectors/odata.md.
//
// - The endpoint URL is the service root. $metadata is fetched once per connector (cached) and
//   gives the entity types: discover()'s field trees, the key formats, the types of filter
//   literals, and the decoding of v2 payloads.
// - Reads send $select/$filter/$orderby/$top/$skip and follow the server's paging
//   (`@odata.nextLink` in v4, `__next` in v2); with `page_size` the client pages with $top/$skip
//   where the server does not. A next link to another host than the service root's is refused
//   unless that host is in `next_link_hosts`.
// - Records arrive as Data::Value objects in the logical shape: v4's `value` array and v2's
//   `d`/`results` wrappers are unwrapped; `__metadata`, `__deferred` navigation and `@odata.*`
//   annotations are dropped; v2 `/Date(ms)/` values become ISO 8601 strings in UTC
//   ("2024-01-01T06:00:00Z", milliseconds when not zero), v2 Edm.Time "PT10H30M" becomes
//   "10:30:00", and Edm.Decimal/Int64/Double values sent as strings become numbers (integers
//   beyond 2^53 exact, decimals as doubles).
// - Writes: Insert → POST, Upsert → PATCH (v4) or MERGE (v2) by key and POST when that answers
//   404, Delete → DELETE by key; with `batch_size` > 1 the records go in $batch requests, one
//   change set per record. Before the first write the connector fetches a CSRF token (SAP
//   Gateway: GET with "X-CSRF-Token: Fetch"; the HttpClient keeps the session cookie it belongs
//   to), and fetches it again once when a write answers 403 "X-CSRF-Token: Required".
// - TLS: configuration.tls names the client certificate to present and the CAs to trust
//   (tlsFromEndpoint() in httpclient.h).
//
// Errors: "invalid_endpoint" (details "/url: ...", "/configuration/<name>: ...",
// "/configuration/tls/<name>: ..."), the HttpClient's ("connection_failed", "timeout",
// "cancelled", "circuit_open", "tls_error", ...),
// "authentication_failed" (HTTP 401; the message names the user, never the password),
// "odata_error" (the service's answer: HTTP status, the service's error code and message, from
// a v4 or v2 JSON error body or an XML one), "malformed_response" (a body that is not the JSON
// or XML expected, or is cut short; the message names the URL), "next_link_refused",
// "csrf_failed" (no token could be had for a write that needs one), "unknown_entity",
// "invalid_key", "invalid_request", "unsupported", the EDMX parser's codes for $metadata.
// Write errors name the record's index and key.
//
// Threading: as for every Connector, one thread at a time.

namespace Conflux::Connectors {

// One OData request: an entity set (or a path below the service root such as
// "SalesOrders('5000001')/Items") with system query options.
struct ODataQuery
{
    QString entitySet;
    QString filter;                 // $filter, as OData syntax of the service's version
    QStringList select;             // $select
    QStringList expand;             // $expand (v4 items may carry options: "Items($select=ItemNo)")
    QStringList orderBy;            // $orderby items ("NetAmount desc")
    std::optional<qint64> top;      // $top: at most this many records in all
    std::optional<qint64> skip;     // $skip
    bool count = false;             // $count=true (v4) / $inlinecount=allpages (v2)
    // One entity: the key predicate's content as OData writes it ("'0001000001'",
    // "up__SalesOrder='5000001',ItemNo='000010'"); ODataConnector::keyPredicate() makes it from
    // typed values. Empty: the collection.
    QString key;
    QMap<QString, QString> custom;  // further query options, sent as given (encoded)
    bool followNextLinks = true;    // false: one page only; the result carries the next link
};

struct ODataPage
{
    std::vector<Data::Value> records;  // decoded (see above); empty when a sink received them
    std::optional<qint64> count;       // the server's total for count = true
    qint64 pages = 0;                  // responses read
    QUrl nextLink;                     // with followNextLinks = false: where more records are
    bool stoppedEarly = false;         // the sink returned false
};

class ODataConnector final : public Connector
{
public:
    // The endpoint's configuration, checked and with defaults filled in.
    struct Settings
    {
        QUrl serviceRoot;               // the endpoint URL, ending in "/"
        int version = 4;                // 2 or 4, from the protocol
        int pageSize = 0;               // page_size: client paging with $top/$skip; 0: the server's
        bool csrf = true;               // csrf
        QString sapClient;              // sap_client: "100" adds sap-client=100 to every request
        QStringList nextLinkHosts;      // next_link_hosts
        int batchSize = 1;              // batch_size: records per $batch request; 1: no $batch
        QByteArray updateMethod;        // update_method: "PATCH", "MERGE" or "PUT"
    };

    struct Private;
    ~ODataConnector() override;
    ODataConnector(const ODataConnector &) = delete;
    ODataConnector &operator=(const ODataConnector &) = delete;

    const Settings &settings() const;
    int version() const;

    Capabilities capabilities() const override;
    // GET $metadata: the latency and "OData v4, N entity sets".
    Result<ConnectionTest> testConnection() override;
    // One Entity per entity set: the field tree from entitySchema(), the key, a cursor field
    // when one is evident (a date-time property named like ChangedAt, LastChangeDateTime,
    // ModifiedAt, UpdatedAt) and the capabilities the service states (sap:creatable etc. in v2,
    // Capabilities.*Restrictions in v4).
    Result<std::vector<Entity>> discover() override;
    // entity: an entity set; fields → $select; filter: null or a string → $filter;
    // cursorField/cursorAfter → "$filter=<cursor> gt <literal>&$orderby=<cursor>" with the
    // literal typed by $metadata; pageSize overrides page_size; limit → $top. Cancellation is
    // checked between pages.
    Result<ReadSummary> read(const ReadRequest &request, const PageSink &sink) override;
    Result<WriteSummary> write(const WriteRequest &request) override;

    // The service's $metadata, fetched on first use and cached; `refresh` fetches it again.
    Result<ODataMetadata> metadata(bool refresh = false, const CancelToken *cancel = nullptr);

    // The URL of a query's first request, query options percent-encoded (spaces as %20,
    // '+' as %2B) and sap-client added when configured.
    QUrl queryUrl(const ODataQuery &query) const;
    // Runs a query and returns every record, following next links (unless the query says not).
    Result<ODataPage> query(const ODataQuery &query, const CancelToken *cancel = nullptr);
    // The same, handing each page's records to `sink` as they arrive (ODataPage::records stays
    // empty); a sink returning false stops reading.
    Result<ODataPage> query(const ODataQuery &query, const PageSink &sink, const CancelToken *cancel = nullptr);

    // The key predicate's content for an entity of `entitySet`: `key` is a scalar (an entity
    // type with one key property) or an object holding every key property; literals are typed
    // by $metadata: "'0001000001'", "up__SalesOrder='5000001',ItemNo='000010'".
    // Errors: "unknown_entity", "invalid_key".
    Result<QString> keyPredicate(const QString &entitySet, const Data::Value &key, const CancelToken *cancel = nullptr);

    // One entity by key (decoded); "odata_error" with HTTP 404 when there is none.
    Result<Data::Value> get(const QString &entitySet, const Data::Value &key, const CancelToken *cancel = nullptr);
    // POST: the created entity as the service answers it (null for 204 No Content).
    Result<Data::Value> create(const QString &entitySet, const Data::Value &body, const CancelToken *cancel = nullptr);
    // PATCH (v4) / MERGE (v2) / PUT, per update_method: the updated entity, or null for 204.
    Result<Data::Value> update(const QString &entitySet, const Data::Value &key, const Data::Value &body,
                               const CancelToken *cancel = nullptr);
    // DELETE: null on success.
    Result<Data::Value> remove(const QString &entitySet, const Data::Value &key, const CancelToken *cancel = nullptr);

    // CSRF tokens fetched so far (diagnostics and tests).
    int csrfTokenFetches() const;

private:
    friend Result<std::unique_ptr<ODataConnector>> createODataConnectorTyped(const EndpointSpec &endpoint,
                                                                            const ConnectorContext &context);
    ODataConnector(EndpointSpec endpoint, std::unique_ptr<Private> d);

    std::unique_ptr<Private> d;
};

// Checks `endpoint` (protocol odata_v2 or odata_v4) and its configuration; connects nothing
// yet. Errors: "invalid_endpoint" with one detail per problem.
Result<std::unique_ptr<Connector>> createODataConnector(const EndpointSpec &endpoint, const ConnectorContext &context);
// The same, typed, for the SAP module and the request tester, which use the query API.
Result<std::unique_ptr<ODataConnector>> createODataConnectorTyped(const EndpointSpec &endpoint,
                                                                 const ConnectorContext &context);

// ---- the wire format, for tests and for callers that build requests themselves ----------

namespace OData {

// A literal of `edmType` ("Edm.String", "Edm.Int64", ...) for a URL ($filter, key
// predicates), in the syntax of OData `version` 2 or 4: 'O''Neil', 42, 42L (v2 Int64),
// 1.5M (v2 Decimal), guid'…' (v2), datetime'2024-06-01T00:00:00' (v2 DateTime),
// datetimeoffset'…Z' (v2), 2024-06-01T00:00:00Z (v4 DateTimeOffset), 2024-06-01 (v4 Date),
// true. Date-time values are ISO 8601 strings (or v2 "/Date(ms)/"). Errors: "invalid_key"
// naming the value and the type.
Result<QString> literal(const Data::Value &value, QStringView edmType, int version);

// "/Date(1704067200000)/" or "/Date(1704067200000+0060)/" → "2024-01-01T00:00:00Z" (the
// instant in UTC; milliseconds when not zero); nullopt when `text` is not of that form.
std::optional<QString> v2DateToIso(QStringView text);

// A query option value percent-encoded: everything but unreserved characters and ' ( ) , : / $
// * @ ! = is encoded; spaces are %20, '+' is %2B.
QByteArray encodeQueryValue(const QString &value);

// The service's error from an error body (v4 {"error":{"code","message"}}, v2
// {"error":{"code","message":{"value"}}}, or the XML <error> of either): "code: message", or
// an empty string when the body holds none.
QString errorText(const QByteArray &body);

} // namespace OData

} // namespace Conflux::Connectors
