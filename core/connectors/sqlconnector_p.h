#pragma once

#include "connectors/sqlconnector.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <functional>
#include <map>
#include <memory>
#include <vector>

class QElapsedTimer;
class QSqlError;
class QThread;

// Internals shared by the parts of the SQL connector: the drivers, a table as the catalog
// describes it, the value conversions (sqlvalues.cpp), and SqlConnector::Private, whose members
// live in sqlconnector.cpp (the connection), sqlcatalog.cpp (the catalog, discover()),
// sqlread.cpp and sqlwrite.cpp. sqlconfig.cpp reads the endpoint's configuration.

namespace Conflux::Connectors::Internal::Sql {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::SqlConnector)
};

enum class Driver : quint8 { Sqlite, Postgres, MySql, Odbc };

struct DriverInfo
{
    const char *qtName;
    const char *package;
    const char *label;
};

const DriverInfo &driverInfo(Driver driver);

// How a column's values convert between the database and Data::Value (docs/connectors/sql.md).
enum class Kind : quint8 {
    Integer,
    Decimal,
    Float,
    Boolean,
    Text,
    Uuid,
    Date,
    Time,
    LocalDateTime,
    DateTime,
    Json,
    Binary,
    Array,
    Any
};

// How a column is selected: PostgreSQL and MySQL hand some types over as text, so that exact
// decimals, microseconds and arrays survive the driver; MySQL's BIT as a number, which QMYSQL
// would hand over as a string of raw bytes.
enum class ReadAs : quint8 { Raw, Text, JsonText, JsonScalar, Unsigned };

struct Column
{
    QString name;
    QString sqlType; // as the catalog names it, for messages
    Kind kind = Kind::Text;
    Kind elementKind = Kind::Text; // arrays
    ReadAs readAs = ReadAs::Raw;
    bool nullable = true;
    bool compareAsText = false; // PostgreSQL json, xml, ...: no equality operator
    bool bytesAreText = false; // MySQL: a _bin collation or uuid comes as bytes; they are UTF-8
};

struct Table
{
    QString name;
    bool isView = false;
    QString description;
    std::vector<Column> columns;
    QStringList key;
    QHash<QString, int> byName;

    int indexOf(const QString &column) const { return byName.value(column, -1); }
};

struct Settings
{
    Driver driver = Driver::Sqlite;
    QString host;
    int port = 0;
    QString database; // SQLite: the absolute file path; ODBC: the connection string (with
                      // DRIVER={odbc_driver} in front when the configuration names one)
    QString user;
    QString passwordSecret; // a secret name; empty: no password
    QString schema; // PostgreSQL schema; MySQL database
    int batchSize = 500;
    QStringList tables; // allow-list; empty: every table
    QStringList connectOptions; // the configuration's "key=value" options
    int queryTimeoutMs = 0;
    int connectTimeoutSeconds = 30;
};

// A record's bound values for one statement: the columns it sets (in table order) and their values.
struct BoundRow
{
    qsizetype index = 0;
    QList<int> columns;
    QVariantList values;
    const Data::Value *record = nullptr; // for messages (recordLabel())
};

struct WriteState
{
    std::shared_ptr<const Table> table;
    WriteMode mode = WriteMode::Insert;
    QList<int> keys;
    qsizetype rowsPerStatement = 1;
    std::map<QString, QSqlQuery> statements; // prepared once per call, by SQL text
    WriteSummary summary;
    bool multiRowFailed = false; // a multi-row statement failed: retry one row at a time
    // The member names of the last record bound and their columns (-1: not in the table),
    // reused while the records share their names, as the records of one read do.
    mutable QStringList layoutNames;
    mutable QList<int> layoutColumns;
    // PostgreSQL inserts and upserts of several rows go through COPY (sqlcopy.cpp); an upsert
    // copies into a temporary staging table per column list, dropped at the commit.
    bool copy = false;
    QHash<QString, QString> stages; // column list → the transaction's staging table
    QList<int> identityAlways; // GENERATED ALWAYS AS IDENTITY columns
};

// A read's statement and how its rows become records (sqlread.cpp).
struct ReadPlan
{
    QString sql;
    QVariantList params;
    std::shared_ptr<const Table> table;
    QList<int> columns;     // the select list: the requested columns, then the cursor
    qsizetype emitted = 0;  // how many of them go into a record
    int cursor = -1;        // the cursor's column in the table, or -1
    int cursorColumn = -1;  // ... and in the select list
    int pageSize = 1000;
};

// sqlconnector.cpp
QString quoteIdentifier(Driver driver, const QString &name);
// The connection string as QODBC wants it: it puts "DSN=" in front of a string that names no
// DRIVER= or SERVER=, so a DSN= attribute is handed over as the bare name, first.
QString qodbcDatabaseName(const QString &connection);

// sqlread.cpp: a row of `plan`'s query as a record; `cursorValue` gets its cursor value.
Data::Value recordOf(const QSqlQuery &query, const ReadPlan &plan, Data::Value *cursorValue);

// sqlvalues.cpp
QString escapePointer(QString name);
// An ISO 8601 date-time with an offset as MySQL's UTC literal ("2024-01-15 08:30:00.123456"),
// for TIMESTAMP columns of sessions in UTC; other text unchanged.
QString mysqlUtcText(const QString &text);
// A short rendering of a value for messages (keys, filter values).
QString shortText(const Data::Value &value);
// A record value as a bound parameter for `column`; empty `error` on success.
QVariant toSql(Driver driver, const Column &column, const Data::Value &value, QString *error);
Data::Value fromSql(const Column &column, const QVariant &v);
Data::SchemaField columnField(const Column &column);

} // namespace Conflux::Connectors::Internal::Sql

namespace Conflux::Connectors {

struct SqlConnector::Private
{
    // The internals above, by the names the parts use.
    using Driver = Internal::Sql::Driver;
    using Settings = Internal::Sql::Settings;
    using Table = Internal::Sql::Table;
    using BoundRow = Internal::Sql::BoundRow;
    using WriteState = Internal::Sql::WriteState;

    Settings s;
    ConnectorContext context;
    QString endpointId;

    QSqlDatabase db;
    QString connectionName;
    QThread *thread = nullptr;
    QString password; // of the current connection: scrubbed from every message
    QString serverInfo;
    qint64 backendPid = 0; // PostgreSQL: to cancel an abandoned query
    bool mariaDb = false; // MySQL driver, MariaDB server: JSON columns are checked longtext
    QChar odbcQuote = u'"'; // the ODBC driver's identifier quote (SQL_IDENTIFIER_QUOTE_CHAR)
    bool broken = false; // the connection failed: reconnect at the next call
    bool stagingRefused = false; // PostgreSQL: no temporary tables for this role; upserts by statement
    QHash<QString, std::shared_ptr<const Table>> catalog; // tables loaded so far

    ~Private() { drop(); }

    QString quote(const QString &name) const
    {
        // The ODBC driver knows its quote character; QODBC's escapeIdentifier() would leave a
        // name that starts or ends with it alone and split table names at dots, so the
        // doubling is done here.
        if (s.driver == Driver::Odbc)
            return odbcQuote + QString(name).replace(odbcQuote, QString(2, odbcQuote)) + odbcQuote;
        return Internal::Sql::quoteIdentifier(s.driver, name);
    }
    QString tableRef(const Table &table) const
    {
        if (s.driver == Driver::Postgres || s.driver == Driver::MySql)
            return quote(s.schema) + u'.' + quote(table.name);
        return quote(table.name);
    }
    QString where() const;
    QString scrub(QString text) const;
    Error fail(const char *code, const QString &message, const QStringList &details = {}) const;

    void drop();
    Result<void> open();
    Result<void> prepareSession();
    QString driverText(const QSqlError &error) const;
    const char *classify(const QSqlError &error) const;
    Error sqlFailure(const QSqlError &error, const QString &what);
    Result<QSqlQuery> run(const QString &sql, const QVariantList &params, const QString &what);
    Result<void> each(const QString &sql, const QVariantList &params, const QString &what,
                      const std::function<void(const QSqlQuery &)> &row);
    void abandonQuery();

    Result<std::vector<Table>> loadTables(const QString &only);
    Result<std::shared_ptr<const Table>> table(QString name, bool refresh);
    Result<void> refreshFor(std::shared_ptr<const Table> &table, const QStringList &names);
    Result<int> column(const Table &table, const QString &name, const QString &what) const;

    Result<ConnectionTest> testConnection();
    Result<std::vector<Entity>> discover();
    Result<ReadSummary> read(const ReadRequest &request, const PageSink &sink);
    Result<ReadSummary> readAhead(const Internal::Sql::ReadPlan &plan, const ReadRequest &request,
                                  const PageSink &sink, ReadSummary summary);
    Result<WriteSummary> write(const WriteRequest &request);
    Result<void> runWrite(WriteState &state, const std::vector<Data::Value> &records,
                          const CancelToken *cancel);
    Result<BoundRow> bindRecord(const WriteState &state, const Data::Value &record,
                                qsizetype index) const;
    // "record 3 (id=7)": the index and the key values, for messages.
    QString recordLabel(const WriteState &state, const Data::Value &record, qsizetype index) const;
    Result<void> flush(WriteState &state, const std::vector<BoundRow> &group);
    // sqlcopy.cpp: whether rows can be COPYed into `table` on this connection (QPSQL with its
    // libpq handle; a table without rewrite rules, which COPY would bypass, and without
    // row-level security, which COPY refuses), and the loop of runWrite() that streams the
    // records with COPY.
    bool canCopy(WriteState &state);
    Result<void> copyRecords(WriteState &state, const std::vector<Data::Value> &records,
                             const CancelToken *cancel);
    // " ON CONFLICT (keys) DO UPDATE SET ... WHERE <a value differs>" (or DO NOTHING) of a
    // PostgreSQL or SQLite upsert of `columns` into the table aliased conflux_t.
    QString upsertClause(const WriteState &state, const QList<int> &columns) const;
    Result<QSqlQuery *> statement(WriteState &state, const QString &sql);
    Result<void> exec(const QString &sql, const QString &what);

    template<typename T>
    Result<T> counted(const char *operation, Result<T> result,
                      const QElapsedTimer &timer) const; // sqlconnector.cpp
};

} // namespace Conflux::Connectors
