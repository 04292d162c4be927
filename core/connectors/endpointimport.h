#pragma once

#include "base/result.h"
#include "connectors/connector.h"
#include "connectors/wsdl.h"
#include "data/value.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <vector>

// Turns an API definition — OpenAPI 3 (JSON or YAML), WSDL 1.1, OData $metadata — into an
// endpoint document (`endpoints/<id>.json`) for the connector that serves it, plus the
// entities the definition describes with their field trees (for the endpoint designer's
// schema view before anything connects). The documents use secret references only.
//
//   OpenAPI  → protocol rest, through openApiEndpoint(): resources, writes and
//              configuration.operations; one entity per operation (its response body).
//   WSDL     → protocol soap: url = the first SOAP port's address of the chosen binding,
//              configuration.wsdl = where the WSDL came from, soap_version; one entity per
//              operation of the binding (its output message, or the input of a one-way one).
//   $metadata→ protocol odata_v2 or odata_v4 by the EDMX version: url = the service root
//              (the location without "$metadata", or `serviceUrl`); one entity per entity
//              set with its key and field tree.
//
// Errors: the parsers' (openapi.h, wsdl.h, edmx.h: each names line/column or JSON pointer),
// "invalid_import" for options that do not fit (a bad id, no service URL for a definition
// read from a file that does not name one).
//
// Threading: reentrant; fetchDefinition() and importDefinition() with a WSDL that imports
// other documents block the calling thread (call them from a worker thread).

namespace Conflux::Connectors {

enum class DefinitionFormat : quint8 { OpenApi, Wsdl, ODataMetadata };

struct DefinitionImportOptions
{
    QString endpointId;      // required: a document id ([a-z0-9][a-z0-9._-]{0,63})
    QString name;            // default: the definition's title or service name
    QString location;        // where the definition came from: an http(s) URL or a file path
    QUrl serviceUrl;         // the endpoint's url; default: from the definition or `location`
    int timeoutSeconds = 30; // each download of an imported document (WSDL imports)
};

struct ImportedEndpoint
{
    Data::Value document;            // the endpoint document
    std::vector<Entity> entities;    // what the definition describes, with field trees
    QStringList operations;          // the operations it offers, by name
    QStringList warnings;            // what was not imported, and why
    QString summary;                 // one line for people: "OpenAPI 3.0.3 "Shop API" 2.4: 7 operations"
};

// The bytes of a definition: an http(s) URL is downloaded (GET, no credentials), anything
// else is read as a local file (a file:// URL too). Errors: "download_failed" (the status
// and the server's text), the HTTP client's ("connection_failed", "timeout", "cancelled"),
// "file_error" (path and the system's reason).
Result<QByteArray> fetchDefinition(const QString &location, const CancelToken *cancel = nullptr,
                                   int timeoutSeconds = 30);

// Reads `text` as a definition of `format` and makes its endpoint document. A WSDL's imports
// are loaded relative to `options.location` through fetchDefinition().
Result<ImportedEndpoint> importDefinition(DefinitionFormat format, QByteArrayView text,
                                          const DefinitionImportOptions &options);

} // namespace Conflux::Connectors
