#pragma once

#include "connectors/connector.h"
#include "connectors/wsdl.h"

#include <QByteArrayView>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>
#include <vector>

// The SOAP connector (protocol `soap`): SOAP 1.1 and 1.2 over HTTP, document/literal and
// rpc/literal, described by a WSDL 1.1 document. Its configuration is documented for users in
// docs/connectors/soap.md.
//
// call() builds the envelope from the value model following the input message's schema
// (element order from the XSD sequence, namespaces per elementFormDefault, arrays as repeated
// elements, "@name" members as attributes, null as xsi:nil where nillable), sends it (SOAP 1.1:
// text/xml and the SOAPAction header; SOAP 1.2: application/soap+xml;action="..."), and reads
// the answer into the value model typed by the output message's schema (numbers, booleans,
// arrays for elements that may repeat even when one came), with local element names: the
// shape messageSchema() describes. Operations also serve as entities: read() calls a list
// operation page by page, write() calls an operation per record.
//
// Errors: "invalid_endpoint" (configuration; details "/configuration/<name>: ..."), the WSDL
// reader's codes, "wsdl_unavailable" (the WSDL could not be fetched or read),
// "unknown_operation", "unknown_entity", "soap_invalid_request" (a body that does not fit the
// schema, naming the JSON pointer), "soap_fault" (details "faultcode: ...", "faultstring:
// ...", "detail: ..." for SOAP 1.1; "Code: ...", "Subcode: ...", "Reason: ...", "Detail: ..."
// for SOAP 1.2), "soap_http_error" (a status other than 2xx without a fault), "soap_invalid_response"
// (not XML, an HTML page, not a SOAP envelope, the expected element missing),
// "soap_unsupported" (rpc/encoded), "authentication_failed" (401/403), "paging_stuck" (a paged
// read that gets the same page twice), "invalid_request" (a read filter that is no object, a
// delete without key values), "unsupported" (an entity without that operation), and the HTTP
// client's errors ("connection_failed", "timeout", "cancelled", ...).
//
// Threading: as for every Connector, one thread at a time.

namespace Conflux::Connectors {

class HttpClient;

class SoapConnector final : public Connector
{
public:
    // An operation called for each record of a write.
    struct WriteOperation
    {
        QString operation;
        // The request: "{record}" is the record, "{name}" its member `name`; undefined: the
        // default (see docs/connectors/soap.md).
        Data::Value request;
    };

    struct EntitySettings
    {
        QString name;
        QString operation;              // read
        QString recordsPath;            // JSON pointer into the answer; "" the answer itself
        Data::Value request;            // template: {offset} {limit} {page} {cursor}
        QStringList keyFields;
        QString cursorField;
        QString cursorParameter;        // JSON pointer (or member name) in the request
        int pageSize = 0;               // 0: the endpoint's page_size
        std::optional<WriteOperation> insert;
        std::optional<WriteOperation> update;
        std::optional<WriteOperation> remove;
    };

    enum class AddressSource : quint8 { Wsdl, Endpoint, Url };

    // The endpoint's configuration, checked and with defaults filled in.
    struct Settings
    {
        QString wsdl;                   // as configured; empty: the endpoint URL with ?wsdl
        QString service;
        QString port;
        QString binding;
        SoapVersion soapVersion = SoapVersion::None;   // None: the binding's
        AddressSource addressSource = AddressSource::Wsdl;
        QUrl address;                   // AddressSource::Url, resolved against the endpoint URL
        int pageSize = 100;
        std::vector<EntitySettings> entities;
        WsdlLimits wsdlLimits;
    };

    SoapConnector(EndpointSpec endpoint, Settings settings, ConnectorContext context);
    ~SoapConnector() override;

    const Settings &settings() const { return m_settings; }

    Capabilities capabilities() const override;
    Result<ConnectionTest> testConnection() override;
    Result<std::vector<Entity>> discover() override;
    Result<ReadSummary> read(const ReadRequest &request, const PageSink &sink) override;
    Result<WriteSummary> write(const WriteRequest &request) override;

    // Calls `operationName` with `body`: the members of the input part's element (one part),
    // or an object with one member per part element named like it. Returns an object with one
    // member per output part element (rpc style: the response wrapper), typed by the schema;
    // null for a one-way operation. The WSDL is fetched on first use and kept.
    Result<Data::Value> call(const QString &operationName, const Data::Value &body,
                             const CancelToken *cancel = nullptr);

    // The fault of the last call() that ended in one, as a value: SOAP 1.1 {"faultcode",
    // "faultstring", "faultactor"?, "detail"?}, SOAP 1.2 {"Code", "Subcode"?, "Reason",
    // "Node"?, "Role"?, "Detail"?}; "detail"/"Detail" hold the detail element's children read
    // by the XML codec. Undefined when the last call had none.
    const Data::Value &lastFault() const { return m_lastFault; }

    // The WSDL (fetched on first use), the binding and SOAP version calls use, and where
    // they go. Errors as for call().
    Result<const WsdlDocument *> wsdl(const CancelToken *cancel = nullptr);
    const WsdlBinding *binding() const { return m_binding; }
    SoapVersion soapVersion() const { return m_version; }
    QUrl address() const { return m_address; }

private:
    Result<void> load(const CancelToken *cancel, bool reload);
    Result<const EntitySettings *> entity(const QString &name);

    Settings m_settings;
    std::unique_ptr<HttpClient> m_http;
    std::unique_ptr<WsdlDocument> m_wsdl;
    const WsdlBinding *m_binding = nullptr;
    SoapVersion m_version = SoapVersion::None;
    QUrl m_address;
    QUrl m_wsdlUrl;
    QString m_portName;
    Data::Value m_lastFault;
    std::vector<EntitySettings> m_operationEntities;   // one per operation when none are configured
    QString m_baseDirectory;
};

// Checks `endpoint` (protocol soap) and its configuration. Errors: "invalid_endpoint" with
// one detail per problem. The WSDL is not fetched here (testConnection() and the first call do).
Result<std::unique_ptr<Connector>> createSoapConnector(const EndpointSpec &endpoint, const ConnectorContext &context);

namespace Soap {

// True when `body` is a SOAP 1.1 or 1.2 envelope whose Body's first child element is a Fault of
// the same SOAP version: the service's answer, whatever the HTTP status (SOAP 1.1 sends faults
// with 500), not a server failing. The body is read only as far as that element; a body that is
// not XML or not an envelope, or that only mentions a Fault in some element's text, is none.
// Reentrant.
bool isFaultEnvelope(QByteArrayView body);

} // namespace Soap

} // namespace Conflux::Connectors
