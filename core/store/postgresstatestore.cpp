#include "postgresstatestore.h"

#include "store/tr.h"

#include <QRegularExpression>

namespace Conflux::Store::Internal {

PostgresStateStore::PostgresStateStore(const StoreConfig &config)
    : SqlStateStore(config, SqlDialect::Postgres)
{
}

QString PostgresStateStore::driverName() const
{
    return QStringLiteral("QPSQL");
}

QString PostgresStateStore::driverPackage() const
{
    return QStringLiteral("libqt6sql6-psql");
}

Result<void> PostgresStateStore::checkConfig() const
{
    const StoreConfig &c = config();
    if (c.host.isEmpty())
        return failure("store_invalid_config", Tr::tr("no PostgreSQL host is configured"));
    if (c.database.isEmpty())
        return failure("store_invalid_config", Tr::tr("no PostgreSQL database is configured"));
    if (c.port < 1 || c.port > 65535) {
        return failure("store_invalid_config",
                       Tr::tr("the PostgreSQL port %1 is not between 1 and 65535").arg(c.port));
    }
    // The schema name is spliced into CREATE SCHEMA (identifiers cannot be bound), so only
    // plain lowercase identifiers are accepted.
    static const QRegularExpression identifier(QStringLiteral("^[a-z_][a-z0-9_]{0,62}$"));
    if (!c.postgresSchema.isEmpty() && !identifier.match(c.postgresSchema).hasMatch()) {
        return failure("store_invalid_config",
                       Tr::tr("the schema name \"%1\" is not allowed: use lowercase letters, "
                              "digits and _ (at most 63, not starting with a digit)")
                           .arg(c.postgresSchema));
    }
    return {};
}

void PostgresStateStore::configureConnection(QSqlDatabase &db) const
{
    const StoreConfig &c = config();
    db.setHostName(c.host);
    db.setPort(c.port);
    db.setDatabaseName(c.database);
    db.setUserName(c.user);
    db.setPassword(c.password);
    // Connect options are spliced into libpq's conninfo string: keep the name to a safe set.
    QString application = c.applicationName.left(63);
    for (QChar &ch : application) {
        const bool plain = ch.unicode() < 128
            && (ch.isLetterOrNumber() || ch == u'.' || ch == u'_' || ch == u'-');
        if (!plain)
            ch = u'_';
    }
    if (application.isEmpty())
        application = QStringLiteral("conflux");
    db.setConnectOptions(QStringLiteral("connect_timeout=%1;application_name=%2")
                             .arg(QString::number(qMax(1, c.connectTimeoutSeconds)), application));
}

Result<void> PostgresStateStore::prepareConnection(QSqlDatabase &db) const
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "configure the connection");
    const QString setConfig = QStringLiteral("SELECT set_config(?, ?, false)");
    if (auto done = exec(db, operation, setConfig,
                         {QStringLiteral("client_min_messages"), QStringLiteral("warning")});
        !done)
        return done.error();
    if (auto done
        = exec(db, operation, setConfig,
               {QStringLiteral("lock_timeout"), QString::number(qMax(0, config().lockTimeoutMs))});
        !done)
        return done.error();
    if (!config().postgresSchema.isEmpty()) {
        if (auto done
            = exec(db, operation,
                   QStringLiteral("SELECT set_config('search_path', quote_ident(?), false)"),
                   {config().postgresSchema});
            !done)
            return done.error();
    }
    return {};
}

Result<void> PostgresStateStore::prepareDatabase(QSqlDatabase &db) const
{
    const QString schema = config().postgresSchema;
    if (schema.isEmpty())
        return {};
    // checkConfig() allowed only [a-z_][a-z0-9_]*, so the quoted name is safe to splice.
    Result<QSqlQuery> created
        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "create the schema"),
               QStringLiteral("CREATE SCHEMA IF NOT EXISTS \"%1\"").arg(schema));
    if (!created) {
        // Another node created it at the same moment: IF NOT EXISTS is not race-free.
        Result<QSqlQuery> exists
            = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "create the schema"),
                   QStringLiteral("SELECT 1 FROM pg_catalog.pg_namespace "
                                  "WHERE nspname = ?"),
                   {schema});
        if (exists && exists->next())
            return {};
        return created.error();
    }
    return {};
}

QString PostgresStateStore::tableExistsSql() const
{
    // current_schema() is the first existing schema of the search_path (NULL if none exists).
    return QStringLiteral("SELECT 1 FROM pg_catalog.pg_tables "
                          "WHERE schemaname = current_schema() AND tablename = ?");
}

QString PostgresStateStore::foreignTablesCountSql() const
{
    return {}; // a shared database may well hold other applications' tables
}

QString PostgresStateStore::beginWriteSql() const
{
    return QStringLiteral("BEGIN");
}

QString PostgresStateStore::migrationLockSql() const
{
    // A constant key (the bytes of "conflux"); released at COMMIT or ROLLBACK.
    return QStringLiteral("SELECT pg_advisory_xact_lock(27988542649824632)");
}

bool PostgresStateStore::isUniqueViolation(const QSqlError &error) const
{
    return error.nativeErrorCode() == QLatin1String("23505");
}

bool PostgresStateStore::isConnectionLost(const QSqlError &error) const
{
    // No SQLSTATE means libpq got no answer; class 08 is connection_exception, 57P0x are
    // admin/crash shutdowns.
    const QString code = error.nativeErrorCode();
    return code.isEmpty() || code.startsWith(QLatin1String("08"))
        || code.startsWith(QLatin1String("57P0"));
}

const char *PostgresStateStore::readErrorCode(const QSqlError &) const
{
    return "store_open_failed";
}

QString PostgresStateStore::elsewhereHint() const
{
    return Tr::tr("upgrade Conflux or configure another database or schema");
}

QString PostgresStateStore::lockRowsSkipLockedSql() const
{
    return QStringLiteral(" FOR UPDATE SKIP LOCKED");
}

QString PostgresStateStore::serverClockSql() const
{
    // clock_timestamp(), not now(): now() is frozen at the start of the transaction.
    return QStringLiteral(
        "SELECT CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT)");
}

} // namespace Conflux::Store::Internal
