#pragma once

#include "base/result.h"
#include "data/schemainference.h"
#include "data/value.h"

#include <QByteArrayView>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>
#include <vector>

// OpenAPI 3.0 and 3.1 import (JSON or YAML): the operations of an API with their parameters
// and request/response schemas as field trees, the servers and security schemes, and from
// them an endpoint document (`endpoints/<id>.json`) for the REST connector.
//
// Schemas: local references ("#/components/schemas/Order") are resolved, also inside each
// other; a schema that contains itself is expanded twice on one path and then cut. allOf
// merges its members' properties; oneOf/anyOf merge them too, all optional (the designer
// shows every field that may come). 3.0's `nullable` and 3.1's type lists with "null" make a
// field nullable; formats date, date-time, time, email, uri and uuid carry over. References
// to other documents are not followed: such a schema is an object without fields, and a
// warning names it.
//
// Errors: the JSON or YAML parser's ("json_syntax", "yaml_syntax" with line and column),
// "openapi_version" (Swagger 2.0 or no openapi member: convert it first), "openapi_invalid"
// with one detail per problem as "/paths/~1orders/get/responses: ..." (JSON pointers), and
// "openapi_unresolved" for a local reference that leads nowhere.
//
// Threading: reentrant; the results are plain values.

namespace Conflux::Connectors {

struct OpenApiParameter
{
    QString name;
    QString in;                      // "path", "query", "header", "cookie"
    QString description;
    bool required = false;
    Data::SchemaField schema;
};

struct OpenApiOperation
{
    QString operationId;             // as written; may be empty
    QString name;                    // operationId in snake_case, or method + path when absent
    QString method;                  // "GET", "POST", ...
    QString path;                    // "/orders/{id}"
    QString summary;
    QString description;
    QStringList tags;
    bool deprecated = false;
    std::vector<OpenApiParameter> parameters;      // path-level and operation-level, merged
    std::optional<Data::SchemaField> requestBody;  // of the JSON content (or the first)
    QString requestContentType;
    bool requestBodyRequired = false;
    QString successStatus;                         // "200", "201", "2XX", "default"
    std::optional<Data::SchemaField> response;     // the success response's JSON body
    QStringList security;                          // the security scheme names it accepts (first requirement)
};

struct OpenApiSecurityScheme
{
    QString name;
    QString type;                    // "http", "apiKey", "oauth2", "openIdConnect", "mutualTLS"
    QString scheme;                  // http: "basic", "bearer"
    QString in;                      // apiKey: "header", "query", "cookie"
    QString parameterName;           // apiKey: the header or query parameter
    QUrl tokenUrl;                   // oauth2 clientCredentials flow
    QStringList scopes;
};

struct OpenApiDocument
{
    QString openApiVersion;          // "3.0.3", "3.1.0"
    QString title;
    QString version;                 // info.version
    QString description;
    QList<QUrl> servers;             // variables replaced by their defaults, resolved against the source URL
    std::vector<OpenApiOperation> operations;   // in path order, then GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE
    std::vector<std::pair<QString, Data::SchemaField>> schemas;   // components.schemas, in document order
    std::vector<OpenApiSecurityScheme> securitySchemes;
    QStringList security;            // the document's default requirement (first alternative)
    QStringList warnings;            // what was not imported, with JSON pointers

    const OpenApiOperation *operation(QStringView name) const;
};

// Parses an OpenAPI 3.x description. `source` (a URL or file path) names it in messages,
// and relative server URLs resolve against it when it is a URL.
Result<OpenApiDocument> parseOpenApi(QByteArrayView text, const QString &source = {});

struct OpenApiImportOptions
{
    QString endpointId;              // required: [a-z0-9][a-z0-9_.-]*
    QString name;                    // default: the API's title
    QString secretPrefix;            // secret references are named "<prefix>.password" etc.; default: endpointId
    int serverIndex = 0;
};

// An endpoint document for the REST connector: url from the chosen server; authentication
// from the first security scheme Conflux supports (secret references, never values);
// configuration.resources: one readable resource per GET operation whose success response is
// a list (an array, or an object with one array member: the record selector), with its path
// and query parameters and a primary key when the records have "id"; writes (insert, update,
// delete) joined from POST on the list path and PUT/PATCH/DELETE on its item path;
// configuration.operations: every operation with its parameters and request and response
// schemas as JSON Schema. What could not be expressed is listed in `warnings` (appended).
Result<Data::Value> openApiEndpoint(const OpenApiDocument &document, const OpenApiImportOptions &options,
                                    QStringList *warnings = nullptr);

} // namespace Conflux::Connectors
