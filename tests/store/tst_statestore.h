#pragma once

// The state store's test class, shared by tst_statestore.cpp (schema, project versions, tokens,
// settings, audit log) and tst_statestore_sync.cpp (the sync engine's state). Every case runs on
// SQLite and on the real PostgreSQL of the `postgres` fixture.

#include "store/statestore.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <memory>

namespace StoreTest {

inline QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

inline Conflux::Store::NewProjectVersion bundle(const QByteArray &bytes, bool withDigest = true)
{
    Conflux::Store::NewProjectVersion version;
    version.bundle = bytes;
    version.sha256 = withDigest ? sha256Hex(bytes) : QString();
    version.comment = QStringLiteral("comment");
    version.actor = QStringLiteral("tester");
    return version;
}

// A connection of the test's own, beside the store's, to look at and tamper with the tables.
class RawDatabase
{
public:
    explicit RawDatabase(const Conflux::Store::StoreConfig &config)
        : m_name(QStringLiteral("tst-raw-%1").arg(++s_counter))
    {
        const bool sqlite = config.driver == Conflux::Store::StoreConfig::Driver::Sqlite;
        m_db = QSqlDatabase::addDatabase(
            sqlite ? QStringLiteral("QSQLITE") : QStringLiteral("QPSQL"), m_name);
        if (sqlite) {
            m_db.setDatabaseName(config.sqlitePath);
        } else {
            m_db.setHostName(config.host);
            m_db.setPort(config.port);
            m_db.setUserName(config.user);
            m_db.setDatabaseName(config.database);
            m_db.setConnectOptions(QStringLiteral("connect_timeout=5"));
        }
        if (!m_db.open()) {
            m_error = m_db.lastError().text();
            return;
        }
        if (!sqlite)
            QSqlQuery(m_db).exec(QStringLiteral("SET client_min_messages TO warning"));
        if (!sqlite && !config.postgresSchema.isEmpty()) {
            QSqlQuery query(m_db);
            if (!query.exec(QStringLiteral("SET search_path TO \"%1\"").arg(config.postgresSchema)))
                m_error = query.lastError().text();
        }
    }
    ~RawDatabase()
    {
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    RawDatabase(const RawDatabase &) = delete;
    RawDatabase &operator=(const RawDatabase &) = delete;

    bool isOpen() const { return m_db.isOpen(); }
    QString error() const { return m_error; }

    // Runs a statement; on failure the error is remembered and an inactive query returned.
    QSqlQuery exec(const QString &sql, const QVariantList &params = {})
    {
        QSqlQuery query(m_db);
        bool ok = false;
        if (params.isEmpty()) {
            ok = query.exec(sql); // PostgreSQL cannot PREPARE every statement (SET, DDL)
        } else {
            ok = query.prepare(sql);
            for (const QVariant &value : params)
                query.addBindValue(value);
            ok = ok && query.exec();
        }
        if (!ok)
            m_error = query.lastError().text() + QLatin1String(" in: ") + sql;
        return query;
    }

    // The single value of a one-row query, or an invalid QVariant.
    QVariant value(const QString &sql, const QVariantList &params = {})
    {
        QSqlQuery query = exec(sql, params);
        return query.next() ? query.value(0) : QVariant();
    }

private:
    static inline int s_counter = 0;
    QString m_name;
    QSqlDatabase m_db;
    QString m_error;
};

// --- sync engine cases (tst_statestore_sync.cpp, tst_statestore_syncrecords.cpp)

// A fixed time for the sync records.
inline QDateTime baseTime()
{
    return QDateTime(QDate(2026, 3, 1), QTime(12, 0), Qt::UTC);
}

inline Conflux::Store::SyncRunRecord newRun(const QString &job, const QString &node,
                                            const QString &trigger)
{
    Conflux::Store::SyncRunRecord run;
    run.jobId = job;
    run.node = node;
    run.trigger = trigger;
    return run;
}

} // namespace StoreTest

class tst_StateStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void migrationsOnEmptyDatabase_data() { addBackendRows(); }
    void migrationsOnEmptyDatabase();
    void reopenIsIdempotent_data() { addBackendRows(); }
    void reopenIsIdempotent();
    void newerSchemaIsRefused_data() { addBackendRows(); }
    void newerSchemaIsRefused();
    void projectVersionsRoundTrip_data() { addBackendRows(); }
    void projectVersionsRoundTrip();
    void activateAndRollback_data() { addBackendRows(); }
    void activateAndRollback();
    void apiTokens_data() { addBackendRows(); }
    void apiTokens();
    void settings_data() { addBackendRows(); }
    void settings();
    void auditLog_data() { addBackendRows(); }
    void auditLog();
    void concurrentUse_data() { addBackendRows(); }
    void concurrentUse();
    void concurrentOpen_data() { addBackendRows(); }
    void concurrentOpen();
    void failedWriteIsRolledBack_data() { addBackendRows(); }
    void failedWriteIsRolledBack();
    void notOpen_data() { addBackendRows(); }
    void notOpen();
    void unusableDatabase_data() { addBackendRows(); }
    void unusableDatabase();
    void invalidConfig_data() { addBackendRows(); }
    void invalidConfig();
    void foreignSqliteDatabase_data();
    void foreignSqliteDatabase();
    void postgresReconnects_data();
    void postgresReconnects();

    // The sync engine's state (tst_statestore_sync.cpp, tst_statestore_syncrecords.cpp).
    void migrationFromVersion1_data() { addBackendRows(); }
    void migrationFromVersion1();
    void syncRuns_data() { addBackendRows(); }
    void syncRuns();
    void syncCheckpoints_data() { addBackendRows(); }
    void syncCheckpoints();
    void syncLeases_data() { addBackendRows(); }
    void syncLeases();
    void syncLeaseContention_data() { addBackendRows(); }
    void syncLeaseContention();
    void syncLeaseSkipsLockedRow_data();
    void syncLeaseSkipsLockedRow();
    void scheduledFires_data() { addBackendRows(); }
    void scheduledFires();
    void scheduledFireRace_data() { addBackendRows(); }
    void scheduledFireRace();
    void syncRejects_data() { addBackendRows(); }
    void syncRejects();
    void syncConflicts_data() { addBackendRows(); }
    void syncConflicts();
    void syncRowHashes_data() { addBackendRows(); }
    void syncRowHashes();
    void syncRowHashesAtScale_data() { addBackendRows(); }
    void syncRowHashesAtScale();
    void syncBadJson_data() { addBackendRows(); }
    void syncBadJson();

private:
    void addBackendRows();
    // Turns the freshly opened store's database back into a schema version 1 database.
    void downgradeToVersion1();
    bool isSqlite() const { return m_config.driver == Conflux::Store::StoreConfig::Driver::Sqlite; }

    Conflux::Store::StoreConfig m_config;
    std::unique_ptr<QTemporaryDir> m_dir;
    int m_schemaCounter = 0;
};
