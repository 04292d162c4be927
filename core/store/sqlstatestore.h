#pragma once

#include "store/migrations.h"
#include "store/statestore.h"

#include <QLoggingCategory>
#include <QMutex>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariantList>
#include <atomic>
#include <functional>

Q_DECLARE_LOGGING_CATEGORY(lcStore) // "conflux.store"

namespace Conflux::Store::Internal {

// Helpers shared by the parts of SqlStateStore (defined in sqlstatestore.cpp).
// QtSql binds a null QString as SQL NULL; the text columns are NOT NULL.
QVariant textValue(const QString &text);
QDateTime fromMsecs(const QVariant &value); // UTC
qint64 nowMsecs();

// The StateStore on top of QtSql, shared by SQLite and PostgreSQL. The SQL is portable where
// it can be (ON CONFLICT, RETURNING, LIMIT ?); what differs lives in the migrations' per-dialect
// statements and in the hooks below, which SqliteStateStore and PostgresStateStore implement.
//
// Connections: one QSqlDatabase per (store, thread), named "conflux-store-<store>-<thread>",
// created on the thread's first call and removed in the destructor.
class SqlStateStore : public StateStore
{
public:
    ~SqlStateStore() override;

    Result<void> open() final;
    bool isOpen() const final { return m_open.load(); }
    int schemaVersion() const final { return m_schemaVersion.load(); }
    const StoreConfig &config() const final { return m_config; }
    void releaseThreadConnection() final { dropThreadConnection(); }

    Result<qint64> addProjectVersion(const NewProjectVersion &version, bool makeActive) final;
    Result<QList<ProjectVersionInfo>> projectVersions() const final;
    Result<ProjectVersion> projectVersion(qint64 version) const final;
    Result<void> setActiveProjectVersion(qint64 version) final;
    Result<std::optional<qint64>> activeProjectVersion() const final;

    Result<qint64> addApiToken(const QString &name, const QString &tokenHash) final;
    Result<std::optional<ApiToken>> findApiTokenByHash(const QString &tokenHash) const final;
    Result<QList<ApiToken>> apiTokens() const final;
    Result<void> revokeApiToken(const QString &name) final;
    Result<void> recordApiTokenUse(qint64 id, const QDateTime &when) final;

    Result<std::optional<QString>> setting(const QString &key) const final;
    Result<void> setSetting(const QString &key, const QString &value) final;
    Result<void> removeSetting(const QString &key) final;
    Result<QMap<QString, QString>> settings() const final;

    Result<qint64> appendAudit(const AuditEntry &entry) final;
    Result<QList<AuditEntry>> auditEntries(int limit) const final;

    // --- sync engine (sqlstatestore_sync.cpp, sqlstatestore_syncrecords.cpp)
    Result<qint64> startSyncRun(const SyncRunRecord &run) final;
    Result<void> finishSyncRun(const SyncRunRecord &run) final;
    Result<QList<SyncRunRecord>> syncRuns(const QString &jobId, int limit) const final;
    Result<std::optional<SyncRunRecord>> syncRun(qint64 id) const final;
    Result<int> interruptSyncRuns(const QString &node) final;
    Result<void> setSyncRunReconciliation(qint64 runId, const QString &reconciliation) final;

    Result<std::optional<SyncCheckpoint>> syncCheckpoint(const QString &jobId) const final;
    Result<void> saveSyncCheckpoint(const SyncCheckpoint &checkpoint) final;
    Result<void> clearSyncCheckpoint(const QString &jobId) final;

    Result<bool> acquireSyncLease(const QString &jobId, const QString &holder, qint64 ttlMs) final;
    Result<void> releaseSyncLease(const QString &jobId, const QString &holder) final;
    Result<std::optional<QString>> syncLeaseHolder(const QString &jobId) const final;

    Result<bool> claimScheduledFire(const QString &jobId, const QDateTime &fireTime,
                                    const QString &holder) final;
    Result<std::optional<QDateTime>> lastScheduledFire(const QString &jobId) const final;

    Result<void> addSyncRejects(const QList<SyncReject> &rejects) final;
    Result<QList<SyncReject>> syncRejects(const QString &jobId, qint64 runId,
                                          int limit) const final;
    Result<int> purgeSyncRejects(const QString &jobId) final;

    Result<void> addSyncConflicts(const QList<SyncConflict> &conflicts) final;
    Result<QList<SyncConflict>> syncConflicts(const QString &jobId, const QString &status,
                                              int limit) const final;
    Result<std::optional<SyncConflict>> syncConflict(qint64 id) const final;
    Result<void> resolveSyncConflict(qint64 id, const QString &resolution,
                                     const QString &resolvedRecord, const QString &actor) final;
    Result<int> resolveSyncConflicts(const QString &jobId, const QString &resolution,
                                     const QString &actor) final;

    Result<void> forEachSyncRowHash(
        const QString &jobId,
        const std::function<bool(const QString &key, const QByteArray &hash)> &visit) const final;
    Result<void> writeSyncRowHashes(const QString &jobId,
                                    const QList<std::pair<QString, QByteArray>> &upserts,
                                    const QStringList &removals) final;
    Result<qint64> syncRowHashCount(const QString &jobId) const final;
    Result<void> clearSyncRowHashes(const QString &jobId) final;

protected:
    SqlStateStore(const StoreConfig &config, SqlDialect dialect);

    // --- dialect hooks
    virtual QString driverName() const = 0; // "QSQLITE", "QPSQL"
    virtual QString driverPackage() const = 0; // the Debian package providing the driver
    virtual Result<void> checkConfig() const = 0;
    // Before QSqlDatabase::open(): file name, host, credentials, connect options.
    virtual void configureConnection(QSqlDatabase &db) const = 0;
    // After every successful connect (each thread): per-connection settings.
    virtual Result<void> prepareConnection(QSqlDatabase &db) const = 0;
    // Once in open(), after the schema version was checked and before migrations.
    virtual Result<void> prepareDatabase(QSqlDatabase &db) const = 0;
    // One `?` for a table name; yields a row when that table exists in the store's schema.
    virtual QString tableExistsSql() const = 0;
    // Counts tables that are not the engine's own (empty: no such check). Used when
    // schema_migrations is missing, to refuse a database that holds someone else's data.
    virtual QString foreignTablesCountSql() const = 0;
    // Starts a write transaction that takes the write lock up front.
    virtual QString beginWriteSql() const = 0;
    // Serializes migrations between processes sharing the database (empty: not needed).
    virtual QString migrationLockSql() const = 0;
    virtual bool isUniqueViolation(const QSqlError &error) const = 0;
    // True when the connection is unusable after `error`; the thread reconnects on its next call.
    virtual bool isConnectionLost(const QSqlError &error) const = 0;
    // The error code for a failure while first reading the database.
    virtual const char *readErrorCode(const QSqlError &error) const = 0;
    // Advice appended to the "newer than binary" refusal.
    virtual QString elsewhereHint() const = 0;
    // Appended to a SELECT inside a write transaction to lock the rows it reads, skipping rows
    // that other transactions hold locked (empty: the write transaction locks enough).
    virtual QString lockRowsSkipLockedSql() const = 0;
    // A query whose one value is the database server's clock in ms since the epoch, shared by
    // every node (empty: the database is local, use this process's clock).
    virtual QString serverClockSql() const = 0;

    // --- helpers for the hooks
    enum class OnError { Query, FirstRead };
    // Runs one statement; with params it is prepared and the values bound in order. A failure
    // becomes store_duplicate, store_query_failed or (FirstRead) readErrorCode().
    Result<QSqlQuery> exec(QSqlDatabase &db, const char *operation, const QString &sql,
                           const QVariantList &params = {}, OnError onError = OnError::Query) const;
    Error failure(const char *code, const char *operation, const QSqlError &error) const;
    Error failure(const char *code, const QString &message) const;

private:
    // Prepares `sql` once, for executing it many times with execPrepared().
    Result<QSqlQuery> prepare(QSqlDatabase &db, const char *operation, const QString &sql) const;
    // Executes a prepared query with the values bound to it; fails as exec() does.
    Result<void> execPrepared(QSqlDatabase &db, const char *operation, QSqlQuery &query) const;
    // exec()'s failure path: rolls back a running write transaction, releases `query`, closes a
    // lost connection and maps the driver error to a store_* code.
    Error queryFailure(QSqlDatabase &db, const char *operation, QSqlQuery &query,
                       OnError onError) const;
    Result<QSqlDatabase> threadConnection() const;
    void dropThreadConnection() const;
    Result<QSqlDatabase> openConnection() const; // threadConnection() after the open() check
    Result<int> appliedVersion(QSqlDatabase &db) const;
    Result<void> openDatabase();
    Result<void> migrate(QSqlDatabase &db, int fromVersion);
    Error newerThanBinary(int version) const;
    // Runs body() between BEGIN and COMMIT; any failure rolls back and is returned as is.
    template<typename F>
    auto writeTransaction(QSqlDatabase &db, const char *operation, F &&body) const
        -> decltype(body())
    {
        if (Result<void> begun = beginWrite(db, operation); !begun)
            return begun.error();
        auto result = body();
        if (Result<void> ended = endWrite(db, operation, result.isOk()); !ended)
            result = ended.error();
        return result;
    }
    Result<void> beginWrite(QSqlDatabase &db, const char *operation) const;
    // Commits when `commit`, else rolls back (unless a failed statement did already); returns
    // the COMMIT's failure.
    Result<void> endWrite(QSqlDatabase &db, const char *operation, bool commit) const;
    void rollback(QSqlDatabase &db) const;
    // The clock for leases: serverClockSql() or nowMsecs().
    Result<qint64> leaseClock(QSqlDatabase &db, const char *operation) const;

    const StoreConfig m_config;
    const SqlDialect m_dialect;
    const QString m_connectionPrefix;
    mutable QMutex m_connectionsMutex;
    mutable QStringList m_connectionNames;
    QMutex m_openMutex;
    std::atomic<bool> m_open {false};
    std::atomic<int> m_schemaVersion {0};
};

} // namespace Conflux::Store::Internal
