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

Q_DECLARE_LOGGING_CATEGORY(lcStore) // "conflux.store"

namespace Conflux::Store::Internal {

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

    // --- helpers for the hooks
    enum class OnError { Query, FirstRead };
    // Runs one statement; with params it is prepared and the values bound in order. A failure
    // becomes store_duplicate, store_query_failed or (FirstRead) readErrorCode().
    Result<QSqlQuery> exec(QSqlDatabase &db, const char *operation, const QString &sql,
                           const QVariantList &params = {}, OnError onError = OnError::Query) const;
    Error failure(const char *code, const char *operation, const QSqlError &error) const;
    Error failure(const char *code, const QString &message) const;

private:
    Result<QSqlDatabase> threadConnection() const;
    void dropThreadConnection() const;
    Result<QSqlDatabase> openConnection() const; // threadConnection() after the open() check
    Result<int> appliedVersion(QSqlDatabase &db) const;
    Result<void> openDatabase();
    Result<void> migrate(QSqlDatabase &db, int fromVersion);
    Error newerThanBinary(int version) const;
    template<typename F>
    auto writeTransaction(QSqlDatabase &db, const char *operation, F &&body) const
        -> decltype(body());
    void rollback(QSqlDatabase &db) const;

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
