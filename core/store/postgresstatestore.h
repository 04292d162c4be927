#pragma once

#include "store/sqlstatestore.h"

namespace Conflux::Store::Internal {

// The shared state store on PostgreSQL, for several nodes.
//
// Every connection sets client_min_messages=warning, lock_timeout=StoreConfig::lockTimeoutMs
// and, with StoreConfig::postgresSchema, a search_path of just that schema (created by open()
// when missing). Migrations hold a transaction-scoped advisory lock, so nodes that start at
// the same time migrate one after the other. A connection that breaks (server restart,
// network) is closed; the thread's next call connects again.
class PostgresStateStore final : public SqlStateStore
{
public:
    explicit PostgresStateStore(const StoreConfig &config);

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
