#pragma once

#include "connectors/connector.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

// The GraphQL connector (protocol `graphql`): queries and mutations with variables over
// GraphQL-over-HTTP (POST application/json to the endpoint's URL), the schema by the standard
// introspection query, and entities read page by page (Relay cursors or offsets) and written
// through configured mutations. Users' documentation: docs/connectors/graphql.md.
//
// Errors: "graphql_error" (the server answered GraphQL errors: one detail per error with its
// message, path and locations), "graphql_invalid_response" (a body that is not a GraphQL
// response, a records/pageInfo path that is not in the data; the message says what and where),
// "graphql_paging" (a server whose paging would never end), "http_error" (a non-2xx answer
// that is not a GraphQL response), "authentication_failed" (401/403), "invalid_endpoint"
// (configuration: details "/configuration/entities/0/query: ..."), "invalid_request",
// "unknown_entity", "unsupported", "cancelled", and the HTTP client's ("connection_failed",
// "timeout", "circuit_open", ...).
//
// Threading: as for every Connector, one thread at a time; a GraphQLSchema is a plain value.

namespace Conflux::Connectors {

class HttpClient;

// A type as a field or argument declares it: the named type inside NON_NULL and LIST
// wrappers. "[Customer!]!" is wrappers {NonNull, List, NonNull} and name "Customer".
struct GraphQLTypeRef
{
    enum class Wrapper : quint8 { NonNull, List };
    std::vector<Wrapper> wrappers; // from the outside in
    QString name;

    bool isNonNull() const { return !wrappers.empty() && wrappers.front() == Wrapper::NonNull; }
    bool isList() const; // a LIST at any level
    QString toString() const; // GraphQL notation: "[Customer!]!"
};

enum class GraphQLTypeKind : quint8 { Scalar, Object, Interface, Union, Enum, InputObject };

struct GraphQLInputValue
{
    QString name;
    QString description;
    GraphQLTypeRef type;
    std::optional<QString> defaultValue; // GraphQL literal text ("10", "\"x\"", "ACTIVE")
};

struct GraphQLField
{
    QString name;
    QString description;
    GraphQLTypeRef type;
    std::vector<GraphQLInputValue> args;
    bool isDeprecated = false;
    QString deprecationReason;
};

struct GraphQLType
{
    GraphQLTypeKind kind = GraphQLTypeKind::Scalar;
    QString name;
    QString description;
    std::vector<GraphQLField> fields; // objects and interfaces
    std::vector<GraphQLInputValue> inputFields; // input objects
    QStringList interfaces; // objects and interfaces: what they implement
    QStringList possibleTypes; // interfaces and unions
    QStringList enumValues; // enums, deprecated ones included

    const GraphQLField *field(QStringView fieldName) const;
    const GraphQLInputValue *inputField(QStringView fieldName) const;
};

struct GraphQLDirective
{
    QString name;
    QString description;
    QStringList locations;
    std::vector<GraphQLInputValue> args;
};

// A schema as introspection describes it.
class GraphQLSchema
{
public:
    // Reads the `data` of an introspection answer ({"__schema": {...}}). Errors:
    // "graphql_invalid_response" naming the JSON pointer of the problem
    // ("/__schema/types/12/fields/3/type: ...").
    static Result<GraphQLSchema> fromIntrospection(const Data::Value &data);

    QString queryType() const { return m_queryType; }
    QString mutationType() const { return m_mutationType; } // empty: none
    QString subscriptionType() const { return m_subscriptionType; } // empty: none
    const std::vector<GraphQLType> &types() const { return m_types; }
    const std::vector<GraphQLDirective> &directives() const { return m_directives; }
    const GraphQLType *type(QStringView name) const; // nullptr when unknown

    // The field tree of a value of the named type for the designers: objects, interfaces and
    // input objects list their fields to `depth` levels (1: the type's own fields, objects
    // among them without children); a list is an array whose item describes the elements; a
    // type that is not NON_NULL also allows null; input fields that are nullable and have no
    // default are optional. Scalars: Int integer, Float number, String/ID string, Boolean
    // boolean, enums string, DateTime/Date/Time/UUID/URL/Email-like custom scalars strings of
    // that format, JSON-like ones any type, other custom scalars strings. An unknown name
    // gives a field without types.
    Data::SchemaField typeSchema(const QString &typeName, int depth = 3) const;
    // The same for a wrapped type, e.g. a field's or an argument's.
    Data::SchemaField typeSchema(const GraphQLTypeRef &type, int depth = 3) const;

    static QString kindName(GraphQLTypeKind kind); // "OBJECT", "INPUT_OBJECT", ...

private:
    void fill(Data::SchemaField &field, const GraphQLTypeRef &type, size_t wrapper, int level,
              int depth) const;

    QString m_queryType;
    QString m_mutationType;
    QString m_subscriptionType;
    std::vector<GraphQLType> m_types;
    std::vector<GraphQLDirective> m_directives;
    QHash<QString, qsizetype> m_index;
};

// One entry of a GraphQL response's "errors".
struct GraphQLError
{
    QString message;
    Data::Value path; // the response's path array (names and indexes); undefined: none
    QList<std::pair<int, int>> locations; // line, column (1-based)
    Data::Value extensions; // undefined: none

    // "customers.edges[0].node.riskScore"; empty without a path.
    QString pathText() const;
    // "message (path customers.edges[0].node.riskScore; line 1, column 90; code X)".
    QString toString() const;
};

class GraphQLConnector final : public Connector
{
public:
    enum class PartialData : quint8 {
        Fail, // data that comes with errors is an error ("graphql_error")
        Accept // the data is used as it is; the errors are in lastErrors() and the log
    };
    enum class Paging : quint8 { None, Cursor, Offset };

    struct MutationSettings
    {
        QString document;
        QString operationName;
        QString inputVariable; // empty: the record is not passed (delete)
        QList<std::pair<QString, QString>> keyVariables; // key field → variable; empty: same names
        bool includeKeys = false; // keep the key fields in the input object
        QStringList inputFields; // empty: every field of the record
        Data::Object variables; // fixed variables
    };

    struct EntitySettings
    {
        QString name;
        QString description;
        QString query;
        QString operationName;
        Data::Object variables; // fixed variables of every page
        QString recordsPath; // JSON pointer under "data" to the records' array
        QString nodePath; // JSON pointer inside each element ("/node"); "": the element
        QString pageInfoPath; // JSON pointer under "data" to {hasNextPage, endCursor}
        Paging paging = Paging::None;
        QString pageSizeVariable = QStringLiteral("first");
        QString afterVariable = QStringLiteral("after");
        QString offsetVariable = QStringLiteral("offset");
        int pageSize = 0; // 0: the endpoint's page_size
        QStringList keyFields;
        QString cursorField;
        QString cursorVariable;
        QString typeName; // the record's GraphQL type; empty: from the query's path
        std::optional<MutationSettings> insert, update, upsert, remove;
    };

    // The endpoint's configuration, checked and with defaults filled in.
    struct Settings
    {
        std::vector<EntitySettings> entities;
        PartialData partialData = PartialData::Fail;
        int pageSize = 100;
        int maxPages = 10'000; // more pages in one read is "graphql_paging"
        int schemaDepth = 3; // levels of the field trees discover() returns
    };

    // `context` must be the one the endpoint's secrets resolve through.
    GraphQLConnector(EndpointSpec endpoint, Settings settings, ConnectorContext context);
    ~GraphQLConnector() override;

    const Settings &settings() const { return m_settings; }

    // Runs one operation: POSTs {"query", "variables", "operationName"} and returns the
    // response's `data`. `variables` is an object, or null/undefined for none. Errors as above;
    // a document without a mutation is retried as an idempotent request.
    Result<Data::Value> execute(const QString &query, const Data::Value &variables = {},
                                const QString &operationName = {},
                                const CancelToken *cancel = nullptr);
    // The errors that came with the data of the last execute() that succeeded (partial data
    // accepted); empty otherwise.
    const std::vector<GraphQLError> &lastErrors() const { return m_lastErrors; }

    // Runs the standard introspection query. A server that disables introspection answers
    // "graphql_error".
    Result<GraphQLSchema> introspect(const CancelToken *cancel = nullptr);

    Capabilities capabilities() const override;
    Result<ConnectionTest> testConnection() override;
    // The configured entities, each with the field tree of its record type (introspection);
    // without configured entities, one entity per field of the query type (no capabilities:
    // configure an entity to read it).
    Result<std::vector<Entity>> discover() override;
    // ReadRequest::filter: an object of further variables (null: none). fields: top-level
    // members to keep. Incremental reads pass cursorAfter in the entity's cursor_variable and
    // drop records whose cursor is not greater.
    Result<ReadSummary> read(const ReadRequest &request, const PageSink &sink) override;
    // One mutation call per record; earlier records stay written when a later one fails.
    Result<WriteSummary> write(const WriteRequest &request) override;

    // The standard introspection query's text.
    static QString introspectionQuery();

private:
    struct Response;
    Result<Response> post(const QString &query, const Data::Value &variables,
                          const QString &operationName, const CancelToken *cancel);
    const EntitySettings *entity(const QString &name) const;
    Capabilities entityCapabilities(const EntitySettings &entity) const;
    Result<Data::Value> runMutation(const MutationSettings &mutation, const Data::Value &record,
                                    const QStringList &keyFields, const CancelToken *cancel);

    Settings m_settings;
    std::unique_ptr<HttpClient> m_client;
    std::vector<GraphQLError> m_lastErrors;
};

// Checks `endpoint` (protocol graphql) and its configuration. Errors: "invalid_endpoint" with
// one detail per problem.
Result<std::unique_ptr<Connector>> createGraphQLConnector(const EndpointSpec &endpoint,
                                                          const ConnectorContext &context);

} // namespace Conflux::Connectors
