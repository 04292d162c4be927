#pragma once

#include "connectors/connector.h"
#include "connectors/restapi.h"

#include <memory>

// The generic REST connector: executes a RestApi (restapi.h) — a connector catalog definition
// or an endpoint's inline REST configuration — with HttpClient. docs/connectors/rest.md is
// the user's guide; docs/formats/connector-catalog.md the vocabulary.
//
// read(): the resource named by ReadRequest::entity (or, for inline endpoints, the one whose
// path it is), page after page in the resource's pagination style, records taken from the
// record selector (object, array or cells_fv records). ReadRequest::filter, when an object,
// gives the resource's parameters (over the endpoint's configuration.resource_parameters).
// An incremental read (cursorAfter set) sends the cursor as cursor_param / cursor_query /
// cursor_headers / cursor_body say, formatted by cursor_format; whatever the API does, only
// records whose cursor field is greater than cursorAfter (compared as times when both read as
// one) are passed on, and a record whose key was already passed on in this read is passed on
// again only with a greater cursor (so `>=` filters and shifting pages do not duplicate).
//
// write(): Insert → the resource's insert operation; Upsert → update when the record has
// every key field and the resource has an update, else insert; Delete → delete (a 404 counts
// as unchanged). One request per record, the record as the body (wrapped in body_key; JSON or
// form), except the fields the operation's path carries ({id} in /customers/{id}), which go
// in the URL only. A failure stops the batch with an error that says how many records were
// written before it.
//
// discover(): one Entity per readable resource with its key fields and cursor field. Without
// configuration.discover_samples it makes no request and the schemas are empty; with it, each
// resource whose required parameters have values is sampled (one page) and its field tree
// inferred (sampleSchema()).
//
// Errors: "invalid_endpoint", "invalid_request" (a missing resource parameter or a bad
// filter), "unknown_entity", "unsupported" (a write the resource does not offer),
// "authentication_failed" (401/403, or the token endpoint refused), "http_error" (another
// status ≥ 400: the method, URL without query and the server's answer), "api_error"
// (response_check found a failure in a 2xx answer), "invalid_response" (not JSON, a record
// selector that is not an array, records of the wrong shape, a next-page URL on another
// host), "max_pages_exceeded", "invalid_cursor", "cancelled", HttpClient's transport errors,
// and the secret resolver's.
//
// Threading: as every Connector, one thread at a time. The client-side throttle from
// rate_limit is shared by the connectors of one endpoint in the process; waiting for it
// honours ReadRequest::cancel / WriteRequest::cancel.

namespace Conflux::Connectors {

class RestConnector final : public Connector
{
public:
    RestConnector(EndpointSpec endpoint, RestEndpointConfig config, ConnectorContext context);
    ~RestConnector() override;
    RestConnector(const RestConnector &) = delete;
    RestConnector &operator=(const RestConnector &) = delete;

    const RestApi &api() const;

    Capabilities capabilities() const override;
    Result<ConnectionTest> testConnection() override;
    Result<std::vector<Entity>> discover() override;
    Result<ReadSummary> read(const ReadRequest &request, const PageSink &sink) override;
    Result<WriteSummary> write(const WriteRequest &request) override;

    // Reads one page of `entity` (its resource parameters from `parameters` over the
    // configuration's) and infers the records' field tree.
    Result<Data::SchemaField> sampleSchema(const QString &entity, const Data::Object &parameters = {},
                                           const CancelToken *cancel = nullptr);

    // The base URL with the parameters filled in (after secrets are resolved).
    Result<QString> resolvedBaseUrl();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

// Protocol `rest` endpoints: inline (configuration.resources) or from the catalog
// (configuration.catalog, looked up in `catalog`, which may be null when no catalog is
// loaded and must outlive the connector). Errors: "invalid_endpoint" with one detail per
// problem ("/configuration/parameters/instance: required: ...").
Result<std::unique_ptr<Connector>> createRestConnector(const EndpointSpec &endpoint, const ConnectorContext &context,
                                                       const ConnectorCatalog *catalog);

} // namespace Conflux::Connectors
