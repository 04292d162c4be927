#pragma once

#include "base/result.h"
#include "data/value.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <utility>

// An endpoint document (`endpoints/<id>.json`, resources/schemas/endpoint.schema.json) read
// into what a connector needs. The project loader has already checked the document against
// its JSON Schema; parseEndpoint() adds the rules a schema cannot express (a URL whose scheme
// fits the protocol, a protocol that fits the type, settings of the right kind) and names the
// field of each problem as a JSON pointer.

namespace Conflux::Connectors {

enum class EndpointType : quint8 { Api, Database, FileSystem, MessageQueue, Webhook, Streaming };
enum class Protocol : quint8 { Rest, Soap, ODataV2, ODataV4, GraphQL, Sql, Files, ConfluxBroker, RabbitMq, Webhook };

// How Conflux authenticates to the remote system. Secrets are names for a SecretResolver,
// never values.
struct ClientAuthentication
{
    enum class Type : quint8 { None, Basic, Bearer, ApiKey, OAuth2ClientCredentials };
    Type type = Type::None;
    QString username;             // basic
    QString secret;               // basic: password; bearer: token; api_key: value;
                                  // oauth2_client_credentials: client_secret
    bool inQuery = false;         // api_key: sent as a query parameter, else as a header
    QString parameter;            // api_key: the header or query parameter name
    QUrl tokenUrl;                // oauth2_client_credentials
    QString clientId;
    QStringList scopes;
    QString audience;
};

struct EndpointSpec
{
    QString id;
    QString name;
    EndpointType type = EndpointType::Api;
    Protocol protocol = Protocol::Rest;
    QUrl url;                     // may be empty for queues of the embedded broker
    QString dataFormat;           // "json", "ndjson", "xml", "csv"; empty: the protocol's own
    ClientAuthentication authentication;
    QList<std::pair<QByteArray, QByteArray>> headers; // sent with every request (HTTP protocols)
    // Headers whose values are secret references: header name → secret name, resolved at
    // each request (HttpClient); their values never reach a log.
    QList<std::pair<QByteArray, QString>> secretHeaders;
    Data::Object configuration;   // the connector's own settings, as written
    int timeoutSeconds = 30;      // each remote call
    int retryAttempts = 3;        // retries after the first attempt, for retryable failures
};

// Errors: "invalid_endpoint" with one detail per problem ("/url: ..."), the message naming
// `source` (a file path or the endpoint id) when given.
Result<EndpointSpec> parseEndpoint(const Data::Value &document, const QString &source = {});

// "api", "database", ... and "rest", "odata_v2", ... as in the documents.
QString endpointTypeName(EndpointType type);
QString protocolName(Protocol protocol);

} // namespace Conflux::Connectors
