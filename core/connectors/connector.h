#pragma once

#include "base/result.h"
#include "connectors/endpoint.h"
#include "data/schemainference.h"
#include "data/value.h"

#include <QFlags>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace Conflux {
class MetricsRegistry;
}
namespace Conflux::Security {
class SecretResolver;
}

// The connector interface: what every protocol connector (REST, SOAP, OData, GraphQL, SQL,
// files, queues) offers to sync jobs, workflows, the request tester and the designers.
//
// Threading: a Connector is used by one thread at a time, and its calls block that thread
// until they are done (sync jobs and workflows run on worker threads; the studio calls from
// QtConcurrent). Different Connector objects for one endpoint may run on different threads
// at once. Cancellation comes from another thread through a CancelToken.

namespace Conflux::Connectors {

enum class Capability : quint16 {
    TestConnection = 0x0001,
    DiscoverSchema = 0x0002,
    Read = 0x0004,
    IncrementalRead = 0x0008, // read() honours ReadRequest::cursorField/cursorAfter
    Insert = 0x0010,
    Upsert = 0x0020,          // insert or update by key fields
    Delete = 0x0040,
    Transactions = 0x0080,    // a write() batch commits or rolls back as a whole
    ConsumingRead = 0x0100,   // read() takes what it reads away (queue messages acknowledged,
                              // files moved or deleted): a preview must not call it casually
};
Q_DECLARE_FLAGS(Capabilities, Capability)
Q_DECLARE_OPERATORS_FOR_FLAGS(Capabilities)

// Set from any thread; checked by the connector between remote calls and while waiting.
class CancelToken
{
public:
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_cancelled.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
};

// What a connector gets from the process that creates it.
struct ConnectorContext
{
    // Resolves the secret references of the endpoint (ClientAuthentication::secret and
    // {"secret": name} values in `configuration`); values it returns never reach a log line.
    // Null: an endpoint that names a secret fails with "secret_unavailable".
    std::shared_ptr<const Security::SecretResolver> secrets;
    // Where connector metrics go (connector_requests_total and the protocol's own); may be null.
    MetricsRegistry *metrics = nullptr;
    // Relative file paths in an endpoint (a files connector's folder, an SQLite database)
    // resolve against this folder: the project's folder. Empty: the current directory.
    QString baseDirectory;
};

struct ConnectionTest
{
    qint64 latencyMs = 0;
    QString serverInfo; // e.g. "PostgreSQL 15.4", "HTTP 200, nginx/1.22"
};

// A readable or writable collection of records: a table, an entity set, a REST resource, a
// file pattern, a queue.
struct Entity
{
    QString name;
    QString description;
    Data::SchemaField schema;     // the record's field tree (the root is the record)
    QStringList keyFields;        // primary key, in order
    QString cursorField;          // a field that grows with each change, when known
    Capabilities capabilities;    // of this entity (a read-only view has no writes)
};

struct ReadRequest
{
    QString entity;
    QStringList fields;           // empty: all
    Data::Value filter;           // connector-specific (e.g. an OData $filter string); null: none
    QString cursorField;          // incremental read: only records with cursorField > cursorAfter,
    Data::Value cursorAfter;      // in ascending cursor order (null cursorAfter: from the start)
    int pageSize = 0;             // 0: the connector's default
    qint64 limit = -1;            // most records to read; -1: all
    const CancelToken *cancel = nullptr;
    // Consuming reads (Capability::ConsumingRead): a sink that returns false refuses the page
    // it was given, which goes back to the source (queue messages are released to be delivered
    // again) instead of being taken. Without it, false only stops the read after the page.
    bool giveBackRefusedPage = false;
};

// Receives each page of records as it arrives; returns false to stop reading early.
using PageSink = std::function<bool(std::vector<Data::Value> &&records)>;

struct ReadSummary
{
    qint64 records = 0;
    qint64 pages = 0;
    Data::Value lastCursor;       // the largest cursor value read (incremental reads)
    bool stoppedEarly = false;    // the sink or the limit stopped it
};

enum class WriteMode : quint8 { Insert, Upsert, Delete };

struct WriteRequest
{
    QString entity;
    WriteMode mode = WriteMode::Upsert;
    QStringList keyFields;        // upsert and delete; empty: the entity's key
    std::vector<Data::Value> records;
    const CancelToken *cancel = nullptr;
};

struct WriteSummary
{
    qint64 inserted = 0;
    qint64 updated = 0;
    qint64 deleted = 0;
    qint64 unchanged = 0;         // upserts that found the same values
};

class Connector
{
public:
    virtual ~Connector() = default;

    virtual Capabilities capabilities() const = 0;
    const EndpointSpec &endpoint() const { return m_endpoint; }

    // Errors: "connection_failed", "authentication_failed", "timeout", "cancelled", plus the
    // connector's own codes; the message says what and where (host, status, server text).
    virtual Result<ConnectionTest> testConnection() = 0;
    virtual Result<std::vector<Entity>> discover() = 0;
    virtual Result<ReadSummary> read(const ReadRequest &request, const PageSink &sink) = 0;
    virtual Result<WriteSummary> write(const WriteRequest &request) = 0;

protected:
    explicit Connector(EndpointSpec endpoint) : m_endpoint(std::move(endpoint)) { }

private:
    EndpointSpec m_endpoint;
};

} // namespace Conflux::Connectors
