#include "sqlstatestore.h"

#include "store/tr.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLoggingCategory>
#include <QMutexLocker>

Q_LOGGING_CATEGORY(lcStore, "conflux.store")

namespace Conflux::Store::Internal {
namespace {

// Both are constant-initialized; no constructors run at load time.
std::atomic<quint64> g_nextStoreId {1};
std::atomic<quint64> g_nextThreadSerial {1};

// A process-unique number for the calling thread. Native thread ids are reused after a thread
// ends, and a QSqlDatabase may only be used by the thread that created it, so connection names
// use this serial instead.
quint64 threadSerial()
{
    thread_local const quint64 serial = g_nextThreadSerial.fetch_add(1);
    return serial;
}

// State of the write transaction running on this thread (they never nest). A statement that
// fails inside one rolls it back at once, before its QSqlQuery is released: QPSQL frees a
// prepared statement with DEALLOCATE, which an aborted transaction would refuse.
thread_local bool t_inTransaction = false;
thread_local bool t_rolledBack = false;

// The driver's text on one line, with the native code (SQLSTATE, SQLite result code).
QString driverMessage(const QSqlError &error)
{
    QString text = error.databaseText().simplified();
    if (text.endsWith(QLatin1String("()"))) // QPSQL's empty "(SQLSTATE)"
        text.chop(2);
    text = text.trimmed();
    if (text.isEmpty())
        text = error.driverText().simplified();
    if (text.isEmpty())
        text = Tr::tr("unknown database error");
    const QString code = error.nativeErrorCode();
    if (!code.isEmpty() && !text.contains(code))
        text += QStringLiteral(" [%1]").arg(code);
    return text;
}

constexpr const char *versionColumns
    = "v.version, v.sha256, v.source, v.comment, v.actor, v.created_at, v.size_bytes,"
      " CASE WHEN v.version = s.active_version THEN 1 ELSE 0 END";

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

ApiToken readToken(const QSqlQuery &query)
{
    ApiToken token;
    token.id = query.value(0).toLongLong();
    token.name = query.value(1).toString();
    token.tokenHash = query.value(2).toString();
    token.createdAt = fromMsecs(query.value(3));
    if (!query.value(4).isNull())
        token.lastUsedAt = fromMsecs(query.value(4));
    return token;
}

} // namespace

QVariant textValue(const QString &text)
{
    return text.isNull() ? QVariant(QStringLiteral("")) : QVariant(text);
}

QDateTime fromMsecs(const QVariant &value)
{
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

qint64 nowMsecs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

SqlStateStore::SqlStateStore(const StoreConfig &config, SqlDialect dialect)
    : m_config(config)
    , m_dialect(dialect)
    , m_connectionPrefix(QStringLiteral("conflux-store-%1-").arg(g_nextStoreId.fetch_add(1)))
{
}

SqlStateStore::~SqlStateStore()
{
    QStringList names;
    {
        QMutexLocker lock(&m_connectionsMutex);
        names.swap(m_connectionNames);
    }
    // Removing the last reference closes the connection, whichever thread created it.
    for (const QString &name : std::as_const(names))
        QSqlDatabase::removeDatabase(name);
}

// --- connections, errors, transactions

Error SqlStateStore::failure(const char *code, const char *operation, const QSqlError &error) const
{
    return makeError(code,
                     Tr::tr("%1: cannot %2: %3")
                         .arg(m_config.describe(), Tr::tr(operation), driverMessage(error)));
}

Error SqlStateStore::failure(const char *code, const QString &message) const
{
    return makeError(code, m_config.describe() + QLatin1String(": ") + message);
}

Result<QSqlQuery> SqlStateStore::exec(QSqlDatabase &db, const char *operation, const QString &sql,
                                      const QVariantList &params, OnError onError) const
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    bool ok = false;
    if (params.isEmpty()) {
        ok = query.exec(sql);
    } else if (query.prepare(sql)) {
        for (const QVariant &value : params)
            query.addBindValue(value);
        ok = query.exec();
    }
    if (ok)
        return query;
    return queryFailure(db, operation, query, onError);
}

Result<QSqlQuery> SqlStateStore::prepare(QSqlDatabase &db, const char *operation,
                                         const QString &sql) const
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (query.prepare(sql))
        return query;
    return queryFailure(db, operation, query, OnError::Query);
}

Result<void> SqlStateStore::execPrepared(QSqlDatabase &db, const char *operation,
                                         QSqlQuery &query) const
{
    if (query.exec())
        return {};
    return queryFailure(db, operation, query, OnError::Query);
}

Error SqlStateStore::queryFailure(QSqlDatabase &db, const char *operation, QSqlQuery &query,
                                  OnError onError) const
{
    const QSqlError error = query.lastError();
    const bool lost = isConnectionLost(error);
    if (t_inTransaction && !t_rolledBack) {
        if (!lost) // a lost connection takes its transaction with it
            rollback(db);
        t_rolledBack = true;
    }
    query = QSqlQuery();
    if (lost)
        db.close(); // the next call on this thread connects again
    const char *code = "store_query_failed";
    if (onError == OnError::FirstRead)
        code = readErrorCode(error);
    else if (isUniqueViolation(error))
        code = "store_duplicate";
    return failure(code, operation, error);
}

Result<QSqlDatabase> SqlStateStore::threadConnection() const
{
    const QString name = m_connectionPrefix + QString::number(threadSerial());
    QSqlDatabase db;
    if (QSqlDatabase::contains(name)) {
        db = QSqlDatabase::database(name, false);
    } else {
        db = QSqlDatabase::addDatabase(driverName(), name);
        {
            QMutexLocker lock(&m_connectionsMutex);
            m_connectionNames.append(name);
        }
        configureConnection(db);
    }
    if (!db.isValid()) {
        return failure("store_driver_missing",
                       Tr::tr("the Qt SQL driver %1 cannot be loaded (apt-get install %2)")
                           .arg(driverName(), driverPackage()));
    }
    if (!db.isOpen()) {
        if (!db.open())
            return failure("store_open_failed", QT_TRANSLATE_NOOP("Conflux::Store", "connect"),
                           db.lastError());
        if (Result<void> prepared = prepareConnection(db); !prepared) {
            db.close();
            return prepared.error();
        }
    }
    return db;
}

void SqlStateStore::dropThreadConnection() const
{
    const QString name = m_connectionPrefix + QString::number(threadSerial());
    {
        QMutexLocker lock(&m_connectionsMutex);
        if (!m_connectionNames.removeOne(name))
            return;
    }
    QSqlDatabase::removeDatabase(name);
}

Result<QSqlDatabase> SqlStateStore::openConnection() const
{
    if (!m_open.load())
        return failure("store_not_open", Tr::tr("the store is not open; call open() first"));
    return threadConnection();
}

void SqlStateStore::rollback(QSqlDatabase &db) const
{
    if (!db.isOpen())
        return;
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("ROLLBACK")))
        qCWarning(lcStore).noquote()
            << m_config.describe() << "rollback failed:" << driverMessage(query.lastError());
}

Result<void> SqlStateStore::beginWrite(QSqlDatabase &db, const char *operation) const
{
    if (auto begun = exec(db, operation, beginWriteSql()); !begun)
        return begun.error();
    t_inTransaction = true;
    t_rolledBack = false;
    return {};
}

Result<void> SqlStateStore::endWrite(QSqlDatabase &db, const char *operation, bool commit) const
{
    Result<void> result;
    if (commit) {
        if (auto committed = exec(db, operation, QStringLiteral("COMMIT")); !committed)
            result = committed.error();
    }
    if ((!commit || !result) && !t_rolledBack)
        rollback(db);
    t_inTransaction = false;
    t_rolledBack = false;
    return result;
}

// --- open and migrations

Result<void> SqlStateStore::open()
{
    QMutexLocker lock(&m_openMutex);
    if (m_open.load())
        return {};
    Result<void> opened = openDatabase();
    if (!opened) {
        // Do not keep a handle on a database that was refused.
        dropThreadConnection();
        return opened;
    }
    m_open.store(true);
    qCInfo(lcStore).noquote() << QStringLiteral("opened %1 at schema version %2")
                                     .arg(m_config.describe(),
                                          QString::number(m_schemaVersion.load()));
    return {};
}

Result<void> SqlStateStore::openDatabase()
{
    if (Result<void> valid = checkConfig(); !valid)
        return valid;
    if (!QSqlDatabase::isDriverAvailable(driverName())) {
        return failure("store_driver_missing",
                       Tr::tr("the Qt SQL driver %1 is not installed (apt-get install %2)")
                           .arg(driverName(), driverPackage()));
    }
    Result<QSqlDatabase> connection = threadConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;

    // Nothing is written before this check, so a refused database stays as it was.
    Result<int> applied = appliedVersion(db);
    if (!applied)
        return applied.error();
    if (*applied > latestMigrationVersion())
        return newerThanBinary(*applied);

    if (Result<void> prepared = prepareDatabase(db); !prepared)
        return prepared;
    if (Result<void> migrated = migrate(db, *applied); !migrated)
        return migrated;
    m_schemaVersion.store(latestMigrationVersion());
    return {};
}

Error SqlStateStore::newerThanBinary(int version) const
{
    return makeError("store_newer_than_binary",
                     Tr::tr("%1 is at schema version %2 but this Conflux knows only up to "
                            "%3; %4")
                         .arg(m_config.describe(), QString::number(version),
                              QString::number(latestMigrationVersion()), elsewhereHint()));
}

Result<int> SqlStateStore::appliedVersion(QSqlDatabase &db) const
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "read the schema version");
    Result<QSqlQuery> exists = exec(db, operation, tableExistsSql(),
                                    {QStringLiteral("schema_migrations")}, OnError::FirstRead);
    if (!exists)
        return exists.error();
    if (!exists->next()) {
        const QString countSql = foreignTablesCountSql();
        if (countSql.isEmpty())
            return 0;
        Result<QSqlQuery> count = exec(db, operation, countSql, {}, OnError::FirstRead);
        if (!count)
            return count.error();
        if (count->next() && count->value(0).toInt() > 0) {
            return failure("store_not_a_database",
                           Tr::tr("the database holds tables but no schema_migrations "
                                  "table, so it is not a Conflux state store; it was left "
                                  "untouched"));
        }
        return 0;
    }
    Result<QSqlQuery> max = exec(
        db, operation, QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"),
        {}, OnError::FirstRead);
    if (!max)
        return max.error();
    return max->next() ? max->value(0).toInt() : 0;
}

Result<void> SqlStateStore::migrate(QSqlDatabase &db, int fromVersion)
{
    const QString lockSql = migrationLockSql();
    auto lockMigrations = [&]() -> Result<void> {
        if (lockSql.isEmpty())
            return {};
        if (Result<QSqlQuery> locked = exec(
                db, QT_TRANSLATE_NOOP("Conflux::Store", "lock the schema for migration"), lockSql);
            !locked)
            return locked.error();
        return {};
    };

    if (fromVersion == 0) {
        Result<void> created = writeTransaction(
            db, QT_TRANSLATE_NOOP("Conflux::Store", "create schema_migrations"),
            [&]() -> Result<void> {
                if (Result<void> locked = lockMigrations(); !locked)
                    return locked;
                Result<QSqlQuery> table = exec(
                    db, QT_TRANSLATE_NOOP("Conflux::Store", "create the schema_migrations table"),
                    QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                   " version INTEGER PRIMARY KEY,"
                                   " name TEXT NOT NULL,"
                                   " applied_at BIGINT NOT NULL)"));
                if (!table)
                    return table.error();
                return {};
            });
        if (!created)
            return makeError("store_migration_failed", created.error().message);
    }

    int current = fromVersion;
    for (const Migration &migration : migrations()) {
        if (migration.version <= current)
            continue;
        Result<bool> applied = writeTransaction(
            db, QT_TRANSLATE_NOOP("Conflux::Store", "migrate"), [&]() -> Result<bool> {
                if (Result<void> locked = lockMigrations(); !locked)
                    return locked.error();
                // Another process may have migrated while this one waited for the lock.
                Result<QSqlQuery> max = exec(
                    db, QT_TRANSLATE_NOOP("Conflux::Store", "read the schema version"),
                    QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
                if (!max)
                    return max.error();
                const int now = max->next() ? max->value(0).toInt() : 0;
                if (now > latestMigrationVersion())
                    return newerThanBinary(now);
                if (now >= migration.version)
                    return false;
                for (const char *statement : migration.statements(m_dialect)) {
                    Result<QSqlQuery> done
                        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "run a migration statement"),
                               QString::fromLatin1(statement));
                    if (!done)
                        return done.error();
                }
                Result<QSqlQuery> recorded = exec(
                    db, QT_TRANSLATE_NOOP("Conflux::Store", "record the migration"),
                    QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) "
                                   "VALUES (?, ?, ?)"),
                    {migration.version, QString::fromLatin1(migration.name), nowMsecs()});
                if (!recorded)
                    return recorded.error();
                return true;
            });
        if (!applied) {
            if (applied.error().code == QLatin1String("store_newer_than_binary"))
                return applied.error();
            return makeError("store_migration_failed",
                             Tr::tr("%1: schema migration %2 (%3) failed and was rolled "
                                    "back; the schema stays at version %4")
                                 .arg(m_config.describe(), QString::number(migration.version),
                                      QString::fromLatin1(migration.name),
                                      QString::number(current)),
                             {applied.error().message});
        }
        if (*applied) {
            qCInfo(lcStore).noquote()
                << QStringLiteral("%1: applied schema migration %2 (%3)")
                       .arg(m_config.describe(), QString::number(migration.version),
                            QString::fromLatin1(migration.name));
        }
        current = migration.version;
    }
    return {};
}

// --- project versions

Result<qint64> SqlStateStore::addProjectVersion(const NewProjectVersion &version, bool makeActive)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "add a project version");
    if (version.bundle.isEmpty())
        return failure("store_invalid_argument",
                       Tr::tr("cannot add a project version: the bundle is empty"));
    const QString digest = sha256Hex(version.bundle);
    if (!version.sha256.isEmpty() && version.sha256.compare(digest, Qt::CaseInsensitive) != 0) {
        return failure("store_invalid_argument",
                       Tr::tr("cannot add a project version: the bundle's SHA-256 is %1, "
                              "not %2 as given")
                           .arg(digest, version.sha256));
    }
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;

    return writeTransaction(db, operation, [&]() -> Result<qint64> {
        // The counter row serializes concurrent writers and never hands out a number twice.
        if (auto bumped
            = exec(db, operation,
                   QStringLiteral("UPDATE project_state SET last_version = last_version + 1 "
                                  "WHERE id = 1"));
            !bumped)
            return bumped.error();
        qint64 number = 0;
        {
            Result<QSqlQuery> counter
                = exec(db, operation,
                       QStringLiteral("SELECT last_version FROM project_state WHERE id = 1"));
            if (!counter)
                return counter.error();
            if (!counter->next())
                return failure("store_corrupt", Tr::tr("the project_state row is missing"));
            number = counter->value(0).toLongLong();
        }
        Result<QSqlQuery> inserted = exec(
            db, operation,
            QStringLiteral("INSERT INTO project_versions (version, sha256, source, comment, actor, "
                           "created_at, size_bytes, bundle) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
            {number, digest, projectVersionSourceToString(version.source),
             textValue(version.comment), textValue(version.actor), nowMsecs(),
             qint64(version.bundle.size()), version.bundle});
        if (!inserted)
            return inserted.error();
        if (makeActive) {
            Result<QSqlQuery> activated
                = exec(db, operation,
                       QStringLiteral("UPDATE project_state SET active_version = ? WHERE id = 1"),
                       {number});
            if (!activated)
                return activated.error();
        }
        return number;
    });
}

namespace {

// Empty when the row's source is unknown (see unknownSource()).
std::optional<ProjectVersionInfo> readVersionInfo(const QSqlQuery &query)
{
    ProjectVersionInfo info;
    info.version = query.value(0).toLongLong();
    info.sha256 = query.value(1).toString();
    const std::optional<ProjectVersionSource> source
        = projectVersionSourceFromString(query.value(2).toString());
    if (!source)
        return std::nullopt;
    info.source = *source;
    info.comment = query.value(3).toString();
    info.actor = query.value(4).toString();
    info.createdAt = fromMsecs(query.value(5));
    info.size = query.value(6).toLongLong();
    info.isActive = query.value(7).toInt() != 0;
    return info;
}

QString unknownSource(const QSqlQuery &query)
{
    return Tr::tr("project version %1 has an unknown source \"%2\"")
        .arg(QString::number(query.value(0).toLongLong()), query.value(2).toString());
}

} // namespace

Result<QList<ProjectVersionInfo>> SqlStateStore::projectVersions() const
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "list project versions");
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> query
        = exec(db, operation,
               QStringLiteral("SELECT %1 FROM project_versions v CROSS JOIN project_state s "
                              "ORDER BY v.version DESC")
                   .arg(QLatin1String(versionColumns)));
    if (!query)
        return query.error();
    QList<ProjectVersionInfo> list;
    while (query->next()) {
        std::optional<ProjectVersionInfo> info = readVersionInfo(*query);
        if (!info)
            return failure("store_corrupt", unknownSource(*query));
        list.append(std::move(*info));
    }
    return list;
}

Result<ProjectVersion> SqlStateStore::projectVersion(qint64 version) const
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "read a project version");
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> query = exec(
        db, operation,
        QStringLiteral("SELECT %1, v.bundle FROM project_versions v CROSS JOIN project_state s "
                       "WHERE v.version = ?")
            .arg(QLatin1String(versionColumns)),
        {version});
    if (!query)
        return query.error();
    if (!query->next())
        return failure("store_not_found", Tr::tr("there is no project version %1").arg(version));
    std::optional<ProjectVersionInfo> info = readVersionInfo(*query);
    if (!info)
        return failure("store_corrupt", unknownSource(*query));
    ProjectVersion result {std::move(*info), query->value(8).toByteArray()};
    const QString digest = sha256Hex(result.bundle);
    if (digest.compare(result.info.sha256, Qt::CaseInsensitive) != 0
        || result.bundle.size() != result.info.size) {
        return failure("store_corrupt",
                       Tr::tr("project version %1 is damaged: its bundle hashes to %2 "
                              "(%3 bytes) but %4 (%5 bytes) was stored")
                           .arg(QString::number(version), digest,
                                QString::number(result.bundle.size()), result.info.sha256,
                                QString::number(result.info.size)));
    }
    return result;
}

Result<void> SqlStateStore::setActiveProjectVersion(qint64 version)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "activate a project version");
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    return writeTransaction(db, operation, [&]() -> Result<void> {
        {
            Result<QSqlQuery> exists = exec(
                db, operation, QStringLiteral("SELECT 1 FROM project_versions WHERE version = ?"),
                {version});
            if (!exists)
                return exists.error();
            if (!exists->next()) {
                return failure("store_not_found",
                               Tr::tr("cannot activate project version %1: there is no "
                                      "such version")
                                   .arg(version));
            }
        }
        Result<QSqlQuery> updated = exec(
            db, operation,
            QStringLiteral("UPDATE project_state SET active_version = ? WHERE id = 1"), {version});
        if (!updated)
            return updated.error();
        return {};
    });
}

Result<std::optional<qint64>> SqlStateStore::activeProjectVersion() const
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> query
        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "read the active project version"),
               QStringLiteral("SELECT active_version FROM project_state WHERE id = 1"));
    if (!query)
        return query.error();
    if (!query->next())
        return failure("store_corrupt", Tr::tr("the project_state row is missing"));
    if (query->value(0).isNull())
        return std::optional<qint64>();
    return std::optional<qint64>(query->value(0).toLongLong());
}

// --- admin API tokens

Result<qint64> SqlStateStore::addApiToken(const QString &name, const QString &tokenHash)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "add an API token");
    if (name.trimmed().isEmpty() || tokenHash.isEmpty()) {
        return failure("store_invalid_argument",
                       Tr::tr("cannot add an API token: the name and the hash must not be empty"));
    }
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    // Which unique column is taken, for the message.
    auto duplicate = [&]() -> Result<qint64> {
        Result<QSqlQuery> existing
            = exec(db, operation,
                   QStringLiteral("SELECT name FROM api_tokens WHERE name = ? OR token_hash = ?"),
                   {name, tokenHash});
        if (!existing)
            return existing.error();
        if (!existing->next())
            return qint64(0);
        if (existing->value(0).toString() == name) {
            return failure(
                "store_duplicate",
                Tr::tr("cannot add an API token: a token named \"%1\" exists already").arg(name));
        }
        return failure(
            "store_duplicate",
            Tr::tr("cannot add an API token \"%1\": another token has the same hash").arg(name));
    };
    return writeTransaction(db, operation, [&]() -> Result<qint64> {
        if (Result<qint64> taken = duplicate(); !taken)
            return taken;
        // A concurrent writer on PostgreSQL may still win the race; DO NOTHING keeps the
        // transaction usable and yields no row then.
        Result<QSqlQuery> inserted = exec(
            db, operation,
            QStringLiteral("INSERT INTO api_tokens (name, token_hash, created_at) VALUES (?, ?, ?) "
                           "ON CONFLICT DO NOTHING RETURNING id"),
            {name, tokenHash, nowMsecs()});
        if (!inserted)
            return inserted.error();
        if (inserted->next())
            return inserted->value(0).toLongLong();
        inserted = QSqlQuery();
        if (Result<qint64> taken = duplicate(); !taken)
            return taken;
        return failure(
            "store_duplicate",
            Tr::tr("cannot add an API token \"%1\": the name or the hash is taken").arg(name));
    });
}

Result<std::optional<ApiToken>> SqlStateStore::findApiTokenByHash(const QString &tokenHash) const
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> query = exec(
        db, QT_TRANSLATE_NOOP("Conflux::Store", "look up an API token"),
        QStringLiteral("SELECT id, name, token_hash, created_at, last_used_at FROM api_tokens "
                       "WHERE token_hash = ?"),
        {textValue(tokenHash)});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<ApiToken>();
    return std::optional<ApiToken>(readToken(*query));
}

Result<QList<ApiToken>> SqlStateStore::apiTokens() const
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> query = exec(
        db, QT_TRANSLATE_NOOP("Conflux::Store", "list API tokens"),
        QStringLiteral("SELECT id, name, token_hash, created_at, last_used_at FROM api_tokens "
                       "ORDER BY name"));
    if (!query)
        return query.error();
    QList<ApiToken> tokens;
    while (query->next())
        tokens.append(readToken(*query));
    return tokens;
}

Result<void> SqlStateStore::revokeApiToken(const QString &name)
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> deleted
        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "revoke an API token"),
               QStringLiteral("DELETE FROM api_tokens WHERE name = ?"), {textValue(name)});
    if (!deleted)
        return deleted.error();
    if (deleted->numRowsAffected() < 1) {
        return failure("store_not_found",
                       Tr::tr("cannot revoke API token \"%1\": there is no such token").arg(name));
    }
    return {};
}

Result<void> SqlStateStore::recordApiTokenUse(qint64 id, const QDateTime &when)
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    const qint64 at = when.isValid() ? when.toMSecsSinceEpoch() : nowMsecs();
    Result<QSqlQuery> updated
        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "record the use of an API token"),
               QStringLiteral("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"), {at, id});
    if (!updated)
        return updated.error();
    if (updated->numRowsAffected() < 1) {
        return failure(
            "store_not_found",
            Tr::tr("cannot record the use of API token %1: there is no such token").arg(id));
    }
    return {};
}

// --- settings

Result<std::optional<QString>> SqlStateStore::setting(const QString &key) const
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> query
        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "read a setting"),
               QStringLiteral("SELECT value FROM settings WHERE key = ?"), {textValue(key)});
    if (!query)
        return query.error();
    if (!query->next())
        return std::optional<QString>();
    return std::optional<QString>(query->value(0).toString());
}

Result<void> SqlStateStore::setSetting(const QString &key, const QString &value)
{
    if (key.isEmpty())
        return failure("store_invalid_argument",
                       Tr::tr("cannot write a setting with an empty key"));
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> written
        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "write a setting"),
               QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
               {key, textValue(value)});
    if (!written)
        return written.error();
    return {};
}

Result<void> SqlStateStore::removeSetting(const QString &key)
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> removed
        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "remove a setting"),
               QStringLiteral("DELETE FROM settings WHERE key = ?"), {textValue(key)});
    if (!removed)
        return removed.error();
    return {};
}

Result<QMap<QString, QString>> SqlStateStore::settings() const
{
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> query = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "list settings"),
                                   QStringLiteral("SELECT key, value FROM settings"));
    if (!query)
        return query.error();
    QMap<QString, QString> map;
    while (query->next())
        map.insert(query->value(0).toString(), query->value(1).toString());
    return map;
}

// --- audit log

Result<qint64> SqlStateStore::appendAudit(const AuditEntry &entry)
{
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "append to the audit log");
    if (entry.action.isEmpty()) {
        return failure("store_invalid_argument",
                       Tr::tr("cannot append to the audit log: the action is empty"));
    }
    QString details = entry.details.trimmed();
    if (details.isEmpty()) {
        details = QStringLiteral("{}");
    } else {
        QJsonParseError parseError;
        QJsonDocument::fromJson(details.toUtf8(), &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            return failure("store_invalid_argument",
                           Tr::tr("cannot append to the audit log: the details are not "
                                  "JSON (%1 at offset %2)")
                               .arg(parseError.errorString(), QString::number(parseError.offset)));
        }
    }
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    const qint64 at = entry.time.isValid() ? entry.time.toMSecsSinceEpoch() : nowMsecs();
    Result<QSqlQuery> inserted = exec(
        db, operation,
        QStringLiteral("INSERT INTO audit_log (at, actor, action, details) VALUES (?, ?, ?, ?) "
                       "RETURNING id"),
        {at, textValue(entry.actor), entry.action, details});
    if (!inserted)
        return inserted.error();
    if (!inserted->next())
        return failure("store_query_failed",
                       Tr::tr("cannot append to the audit log: no id was returned"));
    return inserted->value(0).toLongLong();
}

Result<QList<AuditEntry>> SqlStateStore::auditEntries(int limit) const
{
    if (limit < 1) {
        return failure(
            "store_invalid_argument",
            Tr::tr("cannot list the audit log: the limit must be at least 1, not %1").arg(limit));
    }
    Result<QSqlDatabase> connection = openConnection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    Result<QSqlQuery> query
        = exec(db, QT_TRANSLATE_NOOP("Conflux::Store", "list the audit log"),
               QStringLiteral("SELECT id, at, actor, action, details FROM audit_log "
                              "ORDER BY at DESC, id DESC LIMIT ?"),
               {qint64(limit)});
    if (!query)
        return query.error();
    QList<AuditEntry> entries;
    while (query->next()) {
        AuditEntry entry;
        entry.id = query->value(0).toLongLong();
        entry.time = fromMsecs(query->value(1));
        entry.actor = query->value(2).toString();
        entry.action = query->value(3).toString();
        entry.details = query->value(4).toString();
        entries.append(std::move(entry));
    }
    return entries;
}

} // namespace Conflux::Store::Internal
