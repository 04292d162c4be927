#pragma once

#include "connectors/connector.h"

#include <memory>

// The SQL connector (protocol `sql`): the tables and views of one database schema through the
// QtSql drivers: SQLite (QSQLITE), PostgreSQL (QPSQL), MySQL/MariaDB (QMYSQL) and ODBC (QODBC),
// chosen by the URL scheme (sqlite:, postgresql://, mysql:// or mariadb://, odbc:). Its
// configuration and type mapping are documented for users in docs/connectors/sql.md.
//
// - discover() reads the catalog (information_schema / pg_catalog, sqlite_master and
//   pragma_table_info, or the ODBC driver's catalog functions): one Entity per table and view,
//   with the columns as a field tree, the primary key as key fields; views are read-only.
// - read() runs one forward-only SELECT of catalog-checked, quoted identifiers, ordered by the
//   key (or by the cursor field for incremental reads), and hands the rows to the sink in pages;
//   filter values, the cursor and every record value are bound parameters, never SQL text.
// - write() runs the whole call in one transaction: inserts, upserts (ON CONFLICT / ON DUPLICATE
//   KEY) and deletes by key, in batches of `batch_size` records; any failure rolls everything
//   back and names the record's index and key.
//
// Errors: "invalid_endpoint" (details "/url: ...", "/configuration/<name>: ..."),
// "driver_unavailable" (the Qt SQL plugin is not installed; names the Debian package),
// "connection_failed", "authentication_failed", "timeout", "cancelled", "sql_error" (the
// database's message and native code), "unknown_entity", "unknown_field", "invalid_record",
// "invalid_request", "unsupported", and the secret resolver's codes for the password.
// Messages name the database (driver, host, database) and the table, never the password.
//
// Threading: as for every Connector, one thread at a time. The connector owns one database
// connection, opened lazily in the calling thread; when a call comes from another thread than
// the previous one, the old connection is closed and a new one opened in that thread.

namespace Conflux::Connectors {

class SqlConnector final : public Connector
{
public:
    struct Private;

    ~SqlConnector() override;
    SqlConnector(const SqlConnector &) = delete;
    SqlConnector &operator=(const SqlConnector &) = delete;

    Capabilities capabilities() const override;
    Result<ConnectionTest> testConnection() override;
    Result<std::vector<Entity>> discover() override;
    Result<ReadSummary> read(const ReadRequest &request, const PageSink &sink) override;
    Result<WriteSummary> write(const WriteRequest &request) override;

private:
    friend Result<std::unique_ptr<Connector>> createSqlConnector(const EndpointSpec &endpoint,
                                                                 const ConnectorContext &context);
    SqlConnector(EndpointSpec endpoint, std::unique_ptr<Private> d);

    std::unique_ptr<Private> d;
};

// Checks `endpoint` (protocol sql) and its configuration, and that the Qt SQL driver of its URL
// scheme is installed; connects nothing yet. A relative SQLite path resolves against
// context.baseDirectory. The password (authentication basic) is resolved through
// context.secrets each time a connection opens.
// Errors: "invalid_endpoint" with one detail per problem, "driver_unavailable".
Result<std::unique_ptr<Connector>> createSqlConnector(const EndpointSpec &endpoint,
                                                      const ConnectorContext &context);

} // namespace Conflux::Connectors
