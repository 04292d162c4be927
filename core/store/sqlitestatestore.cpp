#include "sqlitestatestore.h"

#include "store/tr.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QThread>

namespace Conflux::Store::Internal {
namespace {

// QSQLITE reports extended result codes (e.g. 2067 SQLITE_CONSTRAINT_UNIQUE); the low byte is
// the primary code.
int primaryCode(const QSqlError &error)
{
    bool ok = false;
    const int code = error.nativeErrorCode().toInt(&ok);
    return ok ? (code & 0xff) : -1;
}

} // namespace

SqliteStateStore::SqliteStateStore(const StoreConfig &config)
    : SqlStateStore(config, SqlDialect::Sqlite)
{
}

QString SqliteStateStore::driverName() const
{
    return QStringLiteral("QSQLITE");
}

QString SqliteStateStore::driverPackage() const
{
    return QStringLiteral("libqt6sql6-sqlite");
}

Result<void> SqliteStateStore::checkConfig() const
{
    const QString path = config().sqlitePath;
    if (path.isEmpty())
        return failure("store_invalid_config", Tr::tr("no SQLite database file is configured"));
    const QFileInfo file(path);
    if (!file.absoluteDir().exists()) {
        return failure("store_open_failed",
                       Tr::tr("cannot open the database: the folder %1 does not exist")
                           .arg(QDir::toNativeSeparators(file.absolutePath())));
    }
    if (file.isDir()) {
        return failure("store_open_failed",
                       Tr::tr("cannot open the database: the path is a folder, not a file"));
    }
    return {};
}

void SqliteStateStore::configureConnection(QSqlDatabase &db) const
{
    db.setDatabaseName(config().sqlitePath);
    db.setConnectOptions(
        QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(qMax(0, config().lockTimeoutMs)));
}

Result<void> SqliteStateStore::prepareConnection(QSqlDatabase &db) const
{
    // These pragmas write nothing, but they read the file header: this is where a file that
    // is not a database shows first.
    const char *operation = QT_TRANSLATE_NOOP("Conflux::Store", "configure the connection");
    if (auto done
        = exec(db, operation, QStringLiteral("PRAGMA foreign_keys = ON"), {}, OnError::FirstRead);
        !done)
        return done.error();
    const QString sync = config().sqliteFullSync ? QStringLiteral("PRAGMA synchronous = FULL")
                                                 : QStringLiteral("PRAGMA synchronous = NORMAL");
    if (auto done = exec(db, operation, sync, {}, OnError::FirstRead); !done)
        return done.error();
    return {};
}

Result<void> SqliteStateStore::prepareDatabase(QSqlDatabase &db) const
{
    // Changing the journal mode needs the database to itself, and SQLite reports "locked" at
    // once instead of calling the busy handler, so wait here while another connection (a
    // second node process starting, say) holds a lock.
    const QDeadlineTimer deadline(qMax(0, config().lockTimeoutMs));
    QString result;
    for (;;) {
        QSqlQuery query(db);
        if (query.exec(QStringLiteral("PRAGMA journal_mode = WAL"))) {
            result = query.next() ? query.value(0).toString() : QString();
            break;
        }
        const QSqlError error = query.lastError();
        const int code = primaryCode(error);
        const bool locked = code == 5 || code == 6; // SQLITE_BUSY, SQLITE_LOCKED
        if (!locked || deadline.hasExpired())
            return failure("store_open_failed",
                           QT_TRANSLATE_NOOP("Conflux::Store", "switch to WAL mode"), error);
        QThread::msleep(20);
    }
    if (result.compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
        // E.g. a file system without shared memory support: still correct, only slower.
        qCWarning(lcStore).noquote()
            << QStringLiteral("%1: WAL mode is not available, journal mode is \"%2\"")
                   .arg(config().describe(), result);
    }
    return {};
}

QString SqliteStateStore::tableExistsSql() const
{
    return QStringLiteral("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
}

QString SqliteStateStore::foreignTablesCountSql() const
{
    return QStringLiteral("SELECT COUNT(*) FROM sqlite_master "
                          "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite%'");
}

QString SqliteStateStore::beginWriteSql() const
{
    return QStringLiteral("BEGIN IMMEDIATE");
}

QString SqliteStateStore::migrationLockSql() const
{
    return {}; // BEGIN IMMEDIATE already excludes other writers
}

bool SqliteStateStore::isUniqueViolation(const QSqlError &error) const
{
    // SQLITE_CONSTRAINT_UNIQUE (2067) or _PRIMARYKEY (1555); their primary code is 19.
    return primaryCode(error) == 19 && error.databaseText().contains(QLatin1String("UNIQUE"));
}

bool SqliteStateStore::isConnectionLost(const QSqlError &) const
{
    return false;
}

const char *SqliteStateStore::readErrorCode(const QSqlError &error) const
{
    const int code = primaryCode(error);
    if (code == 26) // SQLITE_NOTADB
        return "store_not_a_database";
    if (code == 11) // SQLITE_CORRUPT
        return "store_corrupt";
    return "store_open_failed";
}

QString SqliteStateStore::elsewhereHint() const
{
    return Tr::tr("upgrade Conflux or point --data elsewhere");
}

QString SqliteStateStore::lockRowsSkipLockedSql() const
{
    return {}; // BEGIN IMMEDIATE holds the database's only write lock
}

QString SqliteStateStore::serverClockSql() const
{
    return {}; // the file is local: every user of it shares this machine's clock
}

} // namespace Conflux::Store::Internal
