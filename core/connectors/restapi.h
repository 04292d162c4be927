#pragma once

#include "base/result.h"
#include "connectors/endpoint.h"
#include "data/value.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <utility>
#include <vector>

// The model of an HTTP API as the connector catalog describes it
// (docs/formats/connector-catalog.md): base URL, parameters, authentication, pagination,
// resources with their records, keys, incremental cursors and writes. RestConnector
// executes it. It is read from either
//
//   - a catalog definition (resources/connectors/<id>.json) plus the parameter values an
//     endpoint gives it (`configuration.catalog` + `configuration.parameters`), or
//   - an endpoint's inline configuration in the same vocabulary (`configuration.resources`,
//     `.pagination`, `.headers`, `.query`, `.response_check`, `.rate_limit`), authenticated by
//     the endpoint's own `authentication`.
//
// docs/connectors/rest.md describes both for users. Problems are reported as one detail per
// problem, "<JSON pointer>: <what is wrong>", under the error code "invalid_endpoint" (an
// endpoint) or "invalid_catalog" (a definition file).
//
// Threading: every type here is a plain value; a ConnectorCatalog is immutable once loaded
// and may be shared by threads.

namespace Conflux::Connectors {

// Name → template (a string with {placeholders}) or literal (number, boolean; null only in
// cursor_query, where it removes an entry). Order as written.
using RestTemplateMap = QList<std::pair<QString, Data::Value>>;

struct RestParameter
{
    QString name;
    QString description;
    bool required = false;
    bool secret = false;
    Data::Value defaultValue;   // undefined: none
};

struct RestResourceParameter
{
    enum class In : quint8 { Path, Query, Header, Template };
    QString name;
    In in = In::Template;
    QString queryName;          // the query parameter or header name (default: name)
    QString description;
    bool required = false;
    Data::Value defaultValue;
};

struct RestAuth
{
    enum class Type : quint8 {
        None, Basic, Bearer, ApiKey, OAuth2ClientCredentials, OAuth2RefreshToken, OAuth2JwtBearer,
        // An inline endpoint: HttpClient applies the endpoint's ClientAuthentication.
        Endpoint
    };
    enum class ClientAuth : quint8 { Basic, Body, Query };
    enum class Grant : quint8 { JwtBearer, ClientCredentialsAssertion };

    Type type = Type::None;
    // Every string is a template over the definition's parameters.
    QString username, password;                 // basic
    QString token;                              // bearer
    QString header = QStringLiteral("Authorization"); // bearer and the OAuth2 types
    QString prefix = QStringLiteral("Bearer");
    bool inQuery = false;                       // api_key
    QString name, value;
    QString tokenUrl, clientId, clientSecret;   // OAuth2
    QString refreshToken;
    std::optional<ClientAuth> clientAuth;       // unset: basic when there is a client secret
    bool jsonTokenRequest = false;              // token_content_type json
    QString grantType;                          // oauth2_client_credentials override
    QStringList scopes;
    RestTemplateMap tokenParams;
    Grant grant = Grant::JwtBearer;             // oauth2_jwt_bearer
    QString algorithm = QStringLiteral("RS256");
    QString keyId;
    QString privateKey;
    RestTemplateMap claims;

    static QString typeName(Type type);
};

struct RestContinuation
{
    QByteArray method = "POST";
    QString path;
    Data::Value body;                           // undefined: no body
    std::optional<QString> recordSelector;
    std::optional<QString> nextCursorPath;
};

struct RestPagination
{
    enum class Style : quint8 { None, Offset, Page, Cursor, LinkHeader, NextUrl };
    enum class ParamsIn : quint8 { Query, Body, Template };

    Style style = Style::None;
    ParamsIn paramsIn = ParamsIn::Query;
    int pageSize = 0;                           // 0: not set
    QString limitParam, offsetParam, pageParam, cursorParam; // names, or pointers with params_in body
    qint64 startOffset = 0;
    qint64 startPage = 1;
    QString nextCursorPath, lastRecordCursorPath, nextUrlPath;
    std::optional<QString> hasMorePath, donePath, totalPath, totalPagesPath;
    std::optional<RestContinuation> continuation;

    static QString styleName(Style style);
};

struct RestWriteOperation
{
    QByteArray method = "POST";
    QString path;                               // may name primary-key fields of the record
    RestTemplateMap query;
    RestTemplateMap headers;
    QString bodyKey;
    bool form = false;                          // application/x-www-form-urlencoded
};

struct RestResponseCheck
{
    std::optional<QString> successPath, errorsPath, messagePath;
    bool isEmpty() const { return !successPath && !errorsPath && !messagePath; }
};

struct RestRateLimit
{
    double requestsPerSecond = 0;               // 0: not limited
    double requestsPerMinute = 0;
    double requestsPerHour = 0;                 // documentation only (see rest.md)
    double requestsPerDay = 0;
    int concurrentRequests = 0;
    // The shortest time between two requests the client-side throttle keeps, from the
    // per-second and per-minute limits; 0: none.
    qint64 minimumIntervalMs() const;
};

struct RestResource
{
    enum class RecordFormat : quint8 { Object, Array, CellsFv };

    QString name;
    QString description;
    QByteArray method = "GET";
    QString path;
    QList<RestResourceParameter> parameters;
    RestTemplateMap query;
    RestTemplateMap headers;
    Data::Value body;                           // undefined: no body
    QString recordSelector;
    RecordFormat recordFormat = RecordFormat::Object;
    QString columnsPath, columnNameField, columnNamesParam;
    bool headerRow = false;
    QStringList primaryKey;                     // field names or JSON pointers
    QString primaryKeyParam;
    bool readable = true;
    QString cursorField;                        // a JSON pointer into the record
    QString cursorParam;
    RestTemplateMap cursorQuery;
    RestTemplateMap cursorHeaders;
    Data::Value cursorBody;                     // undefined: none
    QString cursorFormat = QStringLiteral("as_read");
    RestPagination pagination;                  // in effect: the resource's or the definition's
    std::optional<RestWriteOperation> insert, update, remove;

    const RestResourceParameter *parameter(QStringView name) const;
    bool hasWrites() const { return insert || update || remove; }
};

struct RestApi
{
    QString id;                                 // catalog id; empty for inline endpoints
    QString name;
    QString protocol = QStringLiteral("rest");  // rest, graphql, odata_v2, odata_v4, sql_rest
    QString baseUrl;                            // a template
    QList<RestParameter> parameters;
    RestAuth auth;
    RestTemplateMap headers;
    RestTemplateMap query;
    RestPagination pagination;
    RestResponseCheck responseCheck;
    RestRateLimit rateLimit;
    std::vector<RestResource> resources;

    const RestParameter *parameter(QStringView name) const;
    // By name; else by path when exactly one resource has it ("/customers").
    const RestResource *resource(QStringView nameOrPath) const;

    // A catalog definition. `source` names it in messages (its file). Errors:
    // "invalid_catalog" with one detail per problem.
    static Result<RestApi> fromDefinition(const Data::Value &definition, const QString &source = {});
};

// The connector catalog: every definition of a folder (resources/connectors), parsed.
class ConnectorCatalog
{
public:
    // Reads every <id>.json of `directory` except catalog.schema.json. Errors:
    // "invalid_catalog" (a file that cannot be read or parsed, or a definition this executor
    // cannot run; one detail per problem, "<file>:<pointer>: <message>").
    static Result<ConnectorCatalog> load(const QString &directory);

    QStringList ids() const;
    const RestApi *definition(QStringView id) const;
    const Data::Value *document(QStringView id) const;   // the definition as written
    void add(RestApi api, Data::Value document);

private:
    QHash<QString, RestApi> m_apis;
    QHash<QString, Data::Value> m_documents;
};

// An endpoint's REST configuration, bound: the API plus the values it gives.
struct RestEndpointConfig
{
    RestApi api;
    QHash<QString, Data::Value> values;          // definition parameters with plain values
    QHash<QString, QString> secretParameters;    // definition parameter → secret name
    QHash<QString, Data::Object> resourceValues; // resource → its parameters' values
    QList<std::pair<QString, QString>> secretHeaders; // configuration.headers given as secrets
    std::optional<QString> baseUrlOverride;      // the endpoint's url
    std::optional<QString> tokenUrlOverride;     // configuration.token_url
    int maxPages = 10'000;
    bool discoverSamples = false;

    // Errors: "invalid_endpoint" with details "/configuration/...: ...". A catalog endpoint
    // needs `catalog` (may be null otherwise).
    static Result<RestEndpointConfig> fromEndpoint(const EndpointSpec &endpoint, const ConnectorCatalog *catalog);
};

// Helpers shared by the REST connector's parts.
namespace Rest {

// RFC 6901. get(): nullptr when absent. An array index token must be a decimal number.
const Data::Value *pointerGet(const Data::Value &document, QStringView pointer);
// Sets the value, creating objects on the way; false when a step is not an object/array.
bool pointerSet(Data::Value &document, QStringView pointer, Data::Value value);
bool isPointer(QStringView text);
QString escapePointerToken(QString token);

// RFC 7386 JSON Merge Patch.
Data::Value mergePatch(const Data::Value &target, const Data::Value &patch);

// What a placeholder stands for in a template.
struct Placeholder
{
    bool known = false;       // a declared parameter (or cursor, paging value)
    Data::Value value;        // undefined: no value (an optional parameter left empty)
};
using PlaceholderLookup = std::function<Placeholder(QStringView name)>;

enum class Encoding : quint8 { Text, PathSegment };

struct Expanded
{
    QString text;
    bool omitted = false;     // exactly one placeholder of a parameter without a value
};

// Replaces {name} placeholders ([A-Za-z_][A-Za-z0-9_]*). Unknown names stay as written;
// known ones without a value become "" (or omit the whole value, see Expanded).
Expanded expand(QStringView text, const PlaceholderLookup &lookup, Encoding encoding = Encoding::Text);
// The same through a JSON value: strings that are exactly one placeholder take the value as
// given (a number stays a number); members and items that are omitted are dropped.
Data::Value expandJson(const Data::Value &value, const PlaceholderLookup &lookup);
QStringList placeholders(QStringView text);

// Text of a scalar (numbers without ".0", booleans as true/false, null as "").
QString scalarText(const Data::Value &value);

// A cursor value as a time, when it reads as one: ISO 8601 (with or without zone; UTC when
// none), RFC 2822, OData/Microsoft "/Date(ms±hhmm)/", numbers and numeric strings (Unix
// seconds, or milliseconds above 10^11).
std::optional<QDateTime> parseTimestamp(const Data::Value &value);
// Orders two cursor values: as times when both read as one, as numbers when both are, else
// as text. Negative, zero, positive.
int compareCursor(const Data::Value &a, const Data::Value &b);
// The value written into a request by cursor_format. Errors: "invalid_cursor".
Result<QString> formatCursor(const Data::Value &value, const QString &format);
bool isValidCursorFormat(const QString &format);

// A record's key: one value, or an array of the values of a composite key; undefined when a
// part is missing. Fields are names or pointers.
Data::Value recordKey(const Data::Value &record, const QStringList &fields);
const Data::Value *recordField(const Data::Value &record, const QString &field);

} // namespace Rest

} // namespace Conflux::Connectors
