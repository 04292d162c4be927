// The SQL connector's connection (opening it, session settings, running queries, errors),
// testConnection(), and SqlConnector itself.

#include "sqlconnector_p.h"

#include "base/metrics.h"
#include "security/secrets.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlError>
#include <QThread>
#include <atomic>
#include <utility>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors::Internal::Sql {

namespace {

constexpr DriverInfo kDrivers[] = {
    {"QSQLITE", "libqt6sql6-sqlite", "SQLite"},
    {"QPSQL", "libqt6sql6-psql", "PostgreSQL"},
    {"QMYSQL", "libqt6sql6-mysql", "MySQL"},
    {"QODBC", "libqt6sql6-odbc", "ODBC"},
};

} // namespace

const DriverInfo &driverInfo(Driver driver)
{
    return kDrivers[int(driver)];
}

QString quoteIdentifier(Driver driver, const QString &name)
{
    if (driver == Driver::MySql)
        return u'`' + QString(name).replace(u'`', u"``"_s) + u'`';
    return u'"' + QString(name).replace(u'"', u"\"\""_s) + u'"';
}

QString qodbcDatabaseName(const QString &connection)
{
    // QODBC (6.4) passes a string containing DRIVER= or SERVER= as it is, puts "FILEDSN=" in
    // front of one containing ".dsn", and "DSN=" in front of anything else.
    const bool fileDsn = connection.contains(".dsn"_L1, Qt::CaseInsensitive);
    if (!fileDsn
        && (connection.contains("DRIVER="_L1, Qt::CaseInsensitive)
            || connection.contains("SERVER="_L1, Qt::CaseInsensitive)))
        return connection;
    // Attributes are separated by ";", which a {braced} value may hold.
    QStringList parts;
    QString part;
    int depth = 0;
    for (const QChar c : connection) {
        if (c == u'{')
            ++depth;
        else if (c == u'}' && depth > 0)
            --depth;
        if (c == u';' && depth == 0)
            parts << std::exchange(part, QString());
        else
            part += c;
    }
    parts << part;
    const QLatin1StringView key = fileDsn ? "FILEDSN"_L1 : "DSN"_L1;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        if (parts[i].section(u'=', 0, 0).trimmed().compare(key, Qt::CaseInsensitive) == 0) {
            const QString name = parts.takeAt(i).section(u'=', 1).trimmed();
            parts.prepend(name);
            return parts.join(u';');
        }
    }
    return connection; // a bare data source name
}

} // namespace Conflux::Connectors::Internal::Sql

namespace Conflux::Connectors {

using namespace Internal::Sql;

namespace {

std::atomic<quint64> g_nextConnection {1}; // constant-initialized

} // namespace

// --- messages

QString SqlConnector::Private::where() const
{
    const QString label = QLatin1StringView(driverInfo(s.driver).label);
    switch (s.driver) {
    case Driver::Sqlite:
        return label + u' ' + s.database;
    case Driver::Odbc:
        return label + u" \""_s + s.database.left(80) + u'"';
    default:
        return u"%1 %2:%3/%4"_s.arg(label, s.host, QString::number(s.port), s.database);
    }
}

QString SqlConnector::Private::scrub(QString text) const
{
    if (password.size() >= 3)
        text.replace(password, u"***"_s);
    return text;
}

Error SqlConnector::Private::fail(const char *code, const QString &message,
                                   const QStringList &details) const
{
    return makeError(code, scrub(where() + u": "_s + message), details);
}

// --- connection

void SqlConnector::Private::drop()
{
    if (connectionName.isEmpty())
        return;
    db = QSqlDatabase(); // the last handle: removeDatabase() closes it, whichever thread opened it
    QSqlDatabase::removeDatabase(connectionName);
    connectionName.clear();
    thread = nullptr;
}

Result<void> SqlConnector::Private::open()
{
    QThread *current = QThread::currentThread();
    if (db.isValid() && thread != current)
        drop(); // QtSql connections belong to the thread that created them
    if (broken) {
        db.close();
        broken = false;
    }
    if (!db.isValid()) {
        connectionName = u"conflux-sql-%1-%2"_s.arg(endpointId).arg(g_nextConnection.fetch_add(1));
        db = QSqlDatabase::addDatabase(QLatin1StringView(driverInfo(s.driver).qtName),
                                       connectionName);
        thread = current;
        if (!db.isValid()) {
            return fail("driver_unavailable",
                        Tr::tr("the Qt SQL driver %1 cannot be loaded (apt-get install %2)")
                            .arg(QLatin1StringView(driverInfo(s.driver).qtName),
                                 QLatin1StringView(driverInfo(s.driver).package)));
        }
    }
    if (db.isOpen())
        return {};

    QStringList options;
    switch (s.driver) {
    case Driver::Sqlite:
        if (s.database != ":memory:"_L1 && !QFileInfo(s.database).isFile())
            return fail("connection_failed",
                        Tr::tr("there is no SQLite database file at this path"));
        db.setDatabaseName(s.database);
        options << u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(qint64(s.connectTimeoutSeconds) * 1000);
        break;
    case Driver::Postgres:
        options << u"connect_timeout=%1"_s.arg(s.connectTimeoutSeconds)
                << u"application_name=conflux"_s;
        break;
    case Driver::MySql:
        options << u"MYSQL_OPT_CONNECT_TIMEOUT=%1"_s.arg(s.connectTimeoutSeconds);
        break;
    case Driver::Odbc:
        options << u"SQL_ATTR_LOGIN_TIMEOUT=%1"_s.arg(s.connectTimeoutSeconds)
                << u"SQL_ATTR_CONNECTION_TIMEOUT=%1"_s.arg(s.connectTimeoutSeconds);
        // Exact decimals: NUMERIC and DECIMAL columns come as their text, not as doubles.
        db.setNumericalPrecisionPolicy(QSql::HighPrecision);
        break;
    }
    if (s.driver != Driver::Sqlite) {
        if (s.driver != Driver::Odbc) {
            db.setHostName(s.host);
            db.setPort(s.port);
        }
        db.setDatabaseName(s.driver == Driver::Odbc ? qodbcDatabaseName(s.database) : s.database);
        db.setUserName(s.user);
    }
    options << s.connectOptions;
    db.setConnectOptions(options.join(u';'));

    password.clear();
    if (!s.passwordSecret.isEmpty()) {
        if (!context.secrets) {
            return fail(
                "secret_unavailable",
                Tr::tr("the password is the secret \"%1\", but no secret resolver is configured")
                    .arg(s.passwordSecret));
        }
        Result<QString> secret = context.secrets->resolve(s.passwordSecret);
        if (!secret) {
            Error error = secret.error();
            error.message = where() + u": "_s + error.message;
            return error;
        }
        password = *secret;
    }
    db.setPassword(password);
    const bool opened = db.open();
    db.setPassword(QString()); // not kept beyond the connect
    if (!opened) {
        const QSqlError error = db.lastError();
        const QString text = driverText(error);
        const char *code = "connection_failed";
        const QString lower = text.toLower();
        if (lower.contains("password authentication failed"_L1)
            || lower.contains("no password supplied"_L1)
            || lower.contains("authentication failed"_L1) || lower.contains("access denied"_L1)
            || error.nativeErrorCode() == "1045"_L1 || error.nativeErrorCode() == "28P01"_L1
            || error.nativeErrorCode() == "28000"_L1)
            code = "authentication_failed";
        else if (lower.contains("timeout expired"_L1) || lower.contains("timed out"_L1))
            code = "timeout";
        const QString user = s.user.isEmpty() ? QString() : Tr::tr(" as user \"%1\"").arg(s.user);
        Error failure = fail(code, Tr::tr("cannot connect%1: %2").arg(user, text));
        db.close();
        return failure;
    }
    if (Result<void> prepared = prepareSession(); !prepared) {
        db.close();
        return prepared;
    }
    return {};
}

// Session settings, and what testConnection() reports.
Result<void> SqlConnector::Private::prepareSession()
{
    switch (s.driver) {
    case Driver::Postgres: {
        // UTC makes timestamptz read as "...+00:00"; warnings only, so notices never reach stderr.
        QString sql
            = u"SELECT pg_catalog.current_setting('server_version'), pg_catalog.pg_backend_pid(), "
              "pg_catalog.set_config('TimeZone', 'UTC', false), "
              "pg_catalog.set_config('client_min_messages', 'warning', false)"_s;
        QVariantList params;
        if (s.queryTimeoutMs > 0) {
            sql += u", pg_catalog.set_config('statement_timeout', ?, false)"_s;
            params << QString::number(s.queryTimeoutMs);
        }
        Result<QSqlQuery> query = run(sql, params, Tr::tr("cannot prepare the session"));
        if (!query)
            return query.error();
        if (query->next()) {
            serverInfo = u"PostgreSQL "_s + query->value(0).toString().section(u' ', 0, 0);
            backendPid = query->value(1).toLongLong();
        }
        return {};
    }
    case Driver::Sqlite: {
        Result<QSqlQuery> query
            = run(u"SELECT sqlite_version()"_s, {}, Tr::tr("cannot query the version"));
        if (!query)
            return query.error();
        if (query->next())
            serverInfo = u"SQLite "_s + query->value(0).toString();
        return {};
    }
    case Driver::MySql: {
        Result<QSqlQuery> query
            = run(u"SELECT VERSION()"_s, {}, Tr::tr("cannot query the version"));
        if (!query)
            return query.error();
        const QString version = query->next() ? query->value(0).toString() : QString();
        query->finish();
        mariaDb = version.contains("mariadb"_L1, Qt::CaseInsensitive);
        serverInfo = (mariaDb ? u"MariaDB "_s : u"MySQL "_s) + version.section(u'-', 0, 0);
        if (Result<void> done
            = exec(u"SET time_zone = '+00:00'"_s, Tr::tr("cannot set the time zone"));
            !done)
            return done;
        if (s.queryTimeoutMs > 0) {
            const QString sql = mariaDb
                ? u"SET SESSION max_statement_time = %1"_s.arg(s.queryTimeoutMs / 1000.0)
                : u"SET SESSION max_execution_time = %1"_s.arg(s.queryTimeoutMs);
            if (Result<void> done = exec(sql, Tr::tr("cannot set the query timeout")); !done)
                return done;
        }
        return {};
    }
    case Driver::Odbc: {
        // QODBC does not say which DBMS answers (SQLGetInfo): the driver or data source does.
        static const QRegularExpression named(
            u"(?:^|;)\\s*(DRIVER|DSN|FILEDSN)\\s*=\\s*\\{?([^;}]*)"_s,
            QRegularExpression::CaseInsensitiveOption);
        const QRegularExpressionMatch match = named.match(s.database);
        if (!match.hasMatch())
            serverInfo = u"ODBC DSN \"%1\""_s.arg(s.database.section(u';', 0, 0).trimmed());
        else if (match.captured(1).compare("DRIVER"_L1, Qt::CaseInsensitive) == 0)
            serverInfo = u"ODBC driver \"%1\""_s.arg(match.captured(2).trimmed());
        else
            serverInfo
                = u"ODBC %1 \"%2\""_s.arg(match.captured(1).toUpper(), match.captured(2).trimmed());
        // Its identifier quote: QODBC quotes a plain name with it.
        const QString quoted = db.driver()->escapeIdentifier(u"x"_s, QSqlDriver::FieldName);
        odbcQuote = quoted.size() == 3 && quoted.at(1) == u'x' && !quoted.at(0).isSpace()
            ? quoted.at(0)
            : QChar(u'"');
        return {};
    }
    }
    return {};
}

QString SqlConnector::Private::driverText(const QSqlError &error) const
{
    QString text = error.databaseText().simplified();
    if (text.endsWith("()"_L1)) // QPSQL's empty "(SQLSTATE)"
        text.chop(2);
    text = text.trimmed();
    if (text.isEmpty())
        text = error.driverText().simplified();
    if (text.isEmpty())
        text = Tr::tr("unknown database error");
    const QString code = error.nativeErrorCode();
    if (!code.isEmpty() && !text.contains(code))
        text += u" [%1]"_s.arg(code);
    return scrub(text);
}

const char *SqlConnector::Private::classify(const QSqlError &error) const
{
    const QString code = error.nativeErrorCode();
    switch (s.driver) {
    case Driver::Postgres:
        if (code == "57014"_L1)
            return "timeout"; // statement_timeout
        if (code == "28P01"_L1 || code == "28000"_L1)
            return "authentication_failed";
        if (code.isEmpty() || code.startsWith("08"_L1) || code.startsWith("57P0"_L1))
            return "connection_failed";
        return "sql_error";
    case Driver::Sqlite:
        if (code == "5"_L1 || code == "6"_L1)
            return "timeout"; // SQLITE_BUSY, SQLITE_LOCKED after the busy timeout
        return "sql_error";
    case Driver::MySql:
        if (code == "1045"_L1)
            return "authentication_failed";
        if (code == "3024"_L1 || code == "1969"_L1)
            return "timeout";
        if (code == "2002"_L1 || code == "2003"_L1 || code == "2006"_L1 || code == "2013"_L1)
            return "connection_failed";
        return "sql_error";
    case Driver::Odbc: {
        // QODBC 6.4 reports the driver's native error number but not the SQLSTATE (later Qt
        // versions append it to the text): a lost connection is told by psqlODBC's numbers
        // (35 connection lost, 101 server not reached) and by the words drivers use.
        const QString text = error.databaseText();
        static const QRegularExpression state(u",\\s*((?:08|HYT0)[0-9A-Z]{3})\\s*$"_s);
        const QString sqlState = state.match(text).captured(1);
        if (sqlState.startsWith("08"_L1) || code == "35"_L1 || code == "101"_L1)
            return "connection_failed";
        if (sqlState.startsWith("HYT0"_L1))
            return "timeout";
        static const QRegularExpression lost(
            u"connection (?:has been |was )?(?:lost|closed|broken|dead|terminated)|"
            "communication link failure|server closed the connection|"
            "server has gone away|lost connection"_s,
            QRegularExpression::CaseInsensitiveOption);
        if (lost.match(text).hasMatch())
            return "connection_failed";
        return "sql_error";
    }
    }
    return "sql_error";
}

Error SqlConnector::Private::sqlFailure(const QSqlError &error, const QString &what)
{
    const char *code = classify(error);
    Error failure = fail(code, what + u": "_s + driverText(error));
    if (qstrcmp(code, "connection_failed") == 0)
        broken = true; // the next call connects again
    return failure;
}

Result<QSqlQuery> SqlConnector::Private::run(const QString &sql, const QVariantList &params,
                                             const QString &what)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    bool ok = false;
    if (params.isEmpty()) {
        ok = query.exec(sql);
    } else if (query.prepare(sql)) {
        for (qsizetype i = 0; i < params.size(); ++i)
            query.bindValue(int(i), params.at(i));
        ok = query.exec();
    }
    if (!ok)
        return sqlFailure(query.lastError(), what);
    return query;
}

// Runs a query and hands each row to `row`; the query is gone before this returns (QPSQL
// deallocates a prepared statement when its query is destroyed, which would discard the rows
// of a query run after it).
Result<void> SqlConnector::Private::each(const QString &sql, const QVariantList &params,
                                         const QString &what,
                                         const std::function<void(const QSqlQuery &)> &row)
{
    Result<QSqlQuery> query = run(sql, params, what);
    if (!query)
        return query.error();
    while (query->next())
        row(*query);
    if (query->lastError().isValid())
        return sqlFailure(query->lastError(), what);
    return {};
}

Result<void> SqlConnector::Private::exec(const QString &sql, const QString &what)
{
    QSqlQuery query(db);
    if (!query.exec(sql))
        return sqlFailure(query.lastError(), what);
    return {};
}

// PostgreSQL streams a forward-only result row by row; dropping it early would make QPSQL
// read (and discard) every remaining row. Cancelling it on the server first ends the stream.
void SqlConnector::Private::abandonQuery()
{
    if (s.driver != Driver::Postgres || backendPid <= 0)
        return;
    const QString name = connectionName + u"-cancel"_s;
    {
        QSqlDatabase other = QSqlDatabase::cloneDatabase(db, name);
        other.setPassword(password);
        if (other.open()) {
            QSqlQuery query(other);
            if (query.prepare(u"SELECT pg_catalog.pg_cancel_backend(?)"_s)) {
                query.bindValue(0, backendPid);
                query.exec();
            }
        }
        other.setPassword(QString());
    }
    QSqlDatabase::removeDatabase(name);
}

// --- operations

Result<ConnectionTest> SqlConnector::Private::testConnection()
{
    QElapsedTimer timer;
    timer.start();
    // A connection opened by an earlier call may have died since (a server restart): that
    // one failure is retried on a new connection.
    const bool reused = db.isValid() && db.isOpen() && thread == QThread::currentThread();
    // ODBC has no query every DBMS answers (SELECT 1 needs FROM DUAL on some): the test is a
    // fresh connection.
    if (s.driver == Driver::Odbc && reused)
        db.close();
    for (int attempt = 0;; ++attempt) {
        if (Result<void> opened = open(); !opened)
            return opened.error();
        if (s.driver == Driver::Odbc)
            break;
        Result<QSqlQuery> query = run(u"SELECT 1"_s, {}, Tr::tr("the test query failed"));
        if (query && query->next())
            break;
        if (!query && reused && attempt == 0 && query.error().code == "connection_failed"_L1)
            continue;
        return query ? fail("sql_error", Tr::tr("the test query returned no row")) : query.error();
    }
    ConnectionTest test;
    test.latencyMs = timer.elapsed();
    test.serverInfo = serverInfo;
    return test;
}

// --- SqlConnector

template<typename T>
Result<T> SqlConnector::Private::counted(const char *operation, Result<T> result,
                                        const QElapsedTimer &timer) const
{
    if (context.metrics) {
        const QString status = result ? u"ok"_s : result.error().code;
        context.metrics
            ->counter(u"connector_requests_total"_s,
                      u"Requests connectors sent, by endpoint, method and status"_s,
                      {u"endpoint"_s, u"method"_s, u"status"_s})
            .increment({endpointId, QString::fromLatin1(operation), status});
        context.metrics
            ->histogram(u"connector_request_duration_seconds"_s,
                        u"Duration of connector requests"_s, {u"endpoint"_s})
            .observe({endpointId}, double(timer.nsecsElapsed()) / 1e9);
    }
    return result;
}

SqlConnector::SqlConnector(EndpointSpec endpoint, std::unique_ptr<Private> p)
    : Connector(std::move(endpoint))
    , d(std::move(p))
{
}

SqlConnector::~SqlConnector() = default;

Capabilities SqlConnector::capabilities() const
{
    return Capability::TestConnection | Capability::DiscoverSchema | Capability::Read
        | Capability::IncrementalRead | Capability::Insert | Capability::Upsert | Capability::Delete
        | Capability::Transactions;
}

Result<ConnectionTest> SqlConnector::testConnection()
{
    QElapsedTimer timer;
    timer.start();
    return d->counted("test", d->testConnection(), timer);
}

Result<std::vector<Entity>> SqlConnector::discover()
{
    QElapsedTimer timer;
    timer.start();
    return d->counted("discover", d->discover(), timer);
}

Result<ReadSummary> SqlConnector::read(const ReadRequest &request, const PageSink &sink)
{
    QElapsedTimer timer;
    timer.start();
    return d->counted("read", d->read(request, sink), timer);
}

Result<WriteSummary> SqlConnector::write(const WriteRequest &request)
{
    QElapsedTimer timer;
    timer.start();
    return d->counted("write", d->write(request), timer);
}

} // namespace Conflux::Connectors
