#pragma once

#include "store/sqlstatestore.h"

namespace Conflux::Store::Internal {

// The embedded state store: one SQLite file in the node's data folder.
//
// Every connection runs with
//  - journal_mode=WAL (set once, it is stored in the file): readers never block the writer
//    and the writer never blocks readers, so API reads go on during a deploy;
//  - synchronous=NORMAL (FULL with StoreConfig::sqliteFullSync): in WAL mode NORMAL cannot
//    corrupt the database and loses nothing when the process crashes; only an OS crash or
//    power cut can lose the last transactions committed before the next checkpoint. FULL
//    would flush the disk on every commit, which on small servers costs more than the write.
//  - foreign_keys=ON (SQLite defaults to off, per connection);
//  - busy_timeout=StoreConfig::lockTimeoutMs (QSQLITE_BUSY_TIMEOUT), so threads and
//    processes wait for each other's write lock instead of failing at once.
// Write transactions are BEGIN IMMEDIATE: they take the write lock up front and never fail
// halfway with SQLITE_BUSY when a read lock cannot be upgraded.
class SqliteStateStore final : public SqlStateStore
{
public:
    explicit SqliteStateStore(const StoreConfig &config);

private:
    QString driverName() const override;
    QString driverPackage() const override;
    Result<void> checkConfig() const override;
    void configureConnection(QSqlDatabase &db) const override;
    Result<void> prepareConnection(QSqlDatabase &db) const override;
    Result<void> prepareDatabase(QSqlDatabase &db) const override;
    QString tableExistsSql() const override;
    QString foreignTablesCountSql() const override;
    QString beginWriteSql() const override;
    QString migrationLockSql() const override;
    bool isUniqueViolation(const QSqlError &error) const override;
    bool isConnectionLost(const QSqlError &error) const override;
    const char *readErrorCode(const QSqlError &error) const override;
    QString elsewhereHint() const override;
    QString lockRowsSkipLockedSql() const override;
    QString serverClockSql() const override;
};

} // namespace Conflux::Store::Internal
