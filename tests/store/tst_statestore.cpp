#include "tst_statestore.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QMutex>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "testsupport.h"

using namespace Conflux;
using namespace Conflux::Store;
using namespace StoreTest;

namespace Conflux::Store {
// For QCOMPARE's failure output.
char *toString(ProjectVersionSource source)
{
    return qstrdup(qPrintable(projectVersionSourceToString(source)));
}
} // namespace Conflux::Store

namespace {

QByteArray fileSha256(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result();
}

// The facts postgres-start.sh wrote, read as KEY=value lines.
struct PostgresEnv
{
    QString host;
    int port = 0;
    QString user;
    QString database;
};

std::optional<PostgresEnv> readPostgresEnv(QString *error)
{
    const QString path = qEnvironmentVariable("CONFLUX_TEST_PG_ENV");
    if (path.isEmpty()) {
        *error
            = QStringLiteral("CONFLUX_TEST_PG_ENV is not set: run this test through ctest, whose "
                             "'postgres' fixture (tests/scripts/postgres-start.sh) starts the "
                             "server and names its env file");
        return std::nullopt;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = QStringLiteral("the PostgreSQL env file %1 is missing: the 'postgres' fixture "
                                "(tests/scripts/postgres-start.sh) did not run or failed")
                     .arg(path);
        return std::nullopt;
    }
    QMap<QString, QString> values;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype eq = line.indexOf('=');
        if (eq > 0)
            values.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    }
    PostgresEnv env;
    env.host = values.value(QStringLiteral("PGHOST"));
    env.port = values.value(QStringLiteral("PGPORT")).toInt();
    env.user = values.value(QStringLiteral("PGUSER"));
    env.database = values.value(QStringLiteral("PGDATABASE"));
    if (env.host.isEmpty() || env.port == 0 || env.database.isEmpty()) {
        *error = QStringLiteral("the PostgreSQL env file %1 lacks PGHOST, PGPORT or PGDATABASE")
                     .arg(path);
        return std::nullopt;
    }
    return env;
}

} // namespace

void tst_StateStore::addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

void tst_StateStore::foreignSqliteDatabase_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite"); // PostgreSQL schemas may be shared
}

void tst_StateStore::postgresReconnects_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("postgres") << QStringLiteral("postgres"); // SQLite has no server to lose
}

// Every row gets a fresh database: a new SQLite file, or a new PostgreSQL schema.
void tst_StateStore::init()
{
    const QString backend = QString::fromLatin1(QTest::currentDataTag());
    m_config = StoreConfig();
    if (backend == QLatin1String("sqlite")) {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY2(m_dir->isValid(), qPrintable(m_dir->errorString()));
        m_config.driver = StoreConfig::Driver::Sqlite;
        m_config.sqlitePath = m_dir->filePath(QStringLiteral("state.db"));
    } else if (backend == QLatin1String("postgres")) {
        QString error;
        const std::optional<PostgresEnv> env = readPostgresEnv(&error);
        if (!env)
            QFAIL(qPrintable(error));
        m_config.driver = StoreConfig::Driver::Postgres;
        m_config.host = env->host;
        m_config.port = env->port;
        m_config.user = env->user;
        m_config.database = env->database;
        m_config.connectTimeoutSeconds = 5;
        m_config.postgresSchema = QStringLiteral("tst_statestore_%1_%2")
                                      .arg(QCoreApplication::applicationPid())
                                      .arg(++m_schemaCounter);
        m_config.applicationName = m_config.postgresSchema; // to find our own connections
        RawDatabase raw(m_config);
        if (!raw.isOpen()) {
            QFAIL(
                qPrintable(QStringLiteral("the PostgreSQL test server at %1:%2 is unreachable: %3")
                               .arg(env->host, QString::number(env->port), raw.error())));
        }
        raw.exec(
            QStringLiteral("DROP SCHEMA IF EXISTS \"%1\" CASCADE").arg(m_config.postgresSchema));
    } else {
        QFAIL("unknown backend");
    }
}

void tst_StateStore::cleanup()
{
    if (m_config.driver == StoreConfig::Driver::Postgres && !m_config.postgresSchema.isEmpty()) {
        RawDatabase raw(m_config);
        raw.exec(
            QStringLiteral("DROP SCHEMA IF EXISTS \"%1\" CASCADE").arg(m_config.postgresSchema));
    }
    m_dir.reset();
}

void tst_StateStore::migrationsOnEmptyDatabase()
{
    auto store = StateStore::create(m_config);
    QVERIFY(store);
    QVERIFY(!store->isOpen());
    QCOMPARE(store->schemaVersion(), 0);
    QVERIFY(StateStore::latestSchemaVersion() >= 1);

    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
    VERIFY_OK(store->open());
    QVERIFY(store->isOpen());
    QCOMPARE(store->schemaVersion(), StateStore::latestSchemaVersion());

    RawDatabase raw(m_config);
    QVERIFY2(raw.isOpen(), qPrintable(raw.error()));
    QSqlQuery applied = raw.exec(
        QStringLiteral("SELECT version, name, applied_at FROM schema_migrations ORDER BY version"));
    QVERIFY2(applied.isActive(), qPrintable(raw.error()));
    int expected = 1;
    while (applied.next()) {
        QCOMPARE(applied.value(0).toInt(), expected);
        QVERIFY(!applied.value(1).toString().isEmpty());
        QVERIFY(applied.value(2).toLongLong() >= before.toMSecsSinceEpoch());
        ++expected;
    }
    QCOMPARE(expected - 1, StateStore::latestSchemaVersion());

    const QStringList tables
        = {QStringLiteral("project_versions"), QStringLiteral("project_state"),
           QStringLiteral("api_tokens"),       QStringLiteral("settings"),
           QStringLiteral("audit_log"),        QStringLiteral("sync_runs"),
           QStringLiteral("sync_checkpoints"), QStringLiteral("sync_leases"),
           QStringLiteral("sync_fires"),       QStringLiteral("sync_rejects"),
           QStringLiteral("sync_conflicts"),   QStringLiteral("sync_row_hashes")};
    for (const QString &table : tables) {
        const QVariant count = raw.value(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table));
        QVERIFY2(count.isValid(), qPrintable(table + QLatin1String(": ") + raw.error()));
    }
    if (isSqlite()) {
        QCOMPARE(raw.value(QStringLiteral("PRAGMA journal_mode")).toString(),
                 QStringLiteral("wal"));
        QVERIFY(QFile::exists(m_config.sqlitePath + QLatin1String("-wal")));
    }

    // An empty store answers with empty results.
    auto versions = store->projectVersions();
    VERIFY_OK(versions);
    QVERIFY(versions->isEmpty());
    auto active = store->activeProjectVersion();
    VERIFY_OK(active);
    QVERIFY(!active->has_value());
    auto tokens = store->apiTokens();
    VERIFY_OK(tokens);
    QVERIFY(tokens->isEmpty());
    auto settings = store->settings();
    VERIFY_OK(settings);
    QVERIFY(settings->isEmpty());
    auto audit = store->auditEntries(10);
    VERIFY_OK(audit);
    QVERIFY(audit->isEmpty());
}

void tst_StateStore::reopenIsIdempotent()
{
    QList<QVariantList> migrationsBefore;
    {
        auto store = StateStore::create(m_config);
        VERIFY_OK(store->open());
        VERIFY_OK(store->open()); // a second open() on the same store does nothing
        VERIFY_OK(store->addProjectVersion(bundle("one"), true));
        VERIFY_OK(store->setSetting(QStringLiteral("node.name"), QStringLiteral("alpha")));
    }
    {
        RawDatabase raw(m_config);
        QSqlQuery query
            = raw.exec(QStringLiteral("SELECT version, name, applied_at FROM schema_migrations"));
        while (query.next())
            migrationsBefore.append({query.value(0), query.value(1), query.value(2)});
    }
    QCOMPARE(migrationsBefore.size(), StateStore::latestSchemaVersion());

    for (int round = 0; round < 2; ++round) {
        auto store = StateStore::create(m_config);
        VERIFY_OK(store->open());
        QCOMPARE(store->schemaVersion(), StateStore::latestSchemaVersion());
        auto active = store->activeProjectVersion();
        VERIFY_OK(active);
        QCOMPARE(active->value_or(-1), 1);
        auto name = store->setting(QStringLiteral("node.name"));
        VERIFY_OK(name);
        QCOMPARE(name->value_or(QString()), QStringLiteral("alpha"));
    }

    RawDatabase raw(m_config);
    QList<QVariantList> migrationsAfter;
    QSqlQuery query
        = raw.exec(QStringLiteral("SELECT version, name, applied_at FROM schema_migrations"));
    while (query.next())
        migrationsAfter.append({query.value(0), query.value(1), query.value(2)});
    QCOMPARE(migrationsAfter, migrationsBefore); // nothing ran again
}

void tst_StateStore::newerSchemaIsRefused()
{
    {
        auto store = StateStore::create(m_config);
        VERIFY_OK(store->open());
        VERIFY_OK(store->addProjectVersion(bundle("deployed"), true));
        VERIFY_OK(store->setSetting(QStringLiteral("kept"), QStringLiteral("yes")));
    }
    const int latest = StateStore::latestSchemaVersion();
    const int future = latest + 4;
    {
        RawDatabase raw(m_config);
        raw.exec(QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) "
                                "VALUES (?, ?, ?)"),
                 {future, QStringLiteral("from the future"), qint64(0)});
        QVERIFY2(raw.error().isEmpty(), qPrintable(raw.error()));
    }
    const QByteArray fileBefore = isSqlite() ? fileSha256(m_config.sqlitePath) : QByteArray();

    auto store = StateStore::create(m_config);
    const Result<void> opened = store->open();
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, QStringLiteral("store_newer_than_binary"));
    const QString expected
        = QStringLiteral(
              "is at schema version %1 but this Conflux knows only up to %2; upgrade Conflux")
              .arg(future)
              .arg(latest);
    QVERIFY2(opened.error().message.contains(expected), qPrintable(opened.error().message));
    if (isSqlite()) {
        QVERIFY2(
            opened.error().message.startsWith(
                QStringLiteral("state store %1 is at schema version").arg(m_config.sqlitePath)),
            qPrintable(opened.error().message));
        QVERIFY(opened.error().message.endsWith(QLatin1String("point --data elsewhere")));
    } else {
        QVERIFY2(opened.error().message.contains(m_config.postgresSchema),
                 qPrintable(opened.error().message));
    }
    QVERIFY(!store->isOpen());
    QCOMPARE(store->schemaVersion(), 0);
    VERIFY_ERROR(store->projectVersions(), "store_not_open");
    VERIFY_ERROR(store->setSetting(QStringLiteral("kept"), QStringLiteral("no")), "store_not_open");
    store.reset();

    if (isSqlite())
        QCOMPARE(fileSha256(m_config.sqlitePath), fileBefore);
    RawDatabase raw(m_config);
    QCOMPARE(raw.value(QStringLiteral("SELECT MAX(version) FROM schema_migrations")).toInt(),
             future);
    QCOMPARE(raw.value(QStringLiteral("SELECT COUNT(*) FROM project_versions")).toInt(), 1);
    QCOMPARE(raw.value(QStringLiteral("SELECT value FROM settings WHERE key = ?"),
                       {QStringLiteral("kept")})
                 .toString(),
             QStringLiteral("yes"));
}

void tst_StateStore::projectVersionsRoundTrip()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());

    QByteArray big(5 * 1024 * 1024, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(big.data()),
                                          big.size() / qsizetype(sizeof(quint32)));

    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
    NewProjectVersion first = bundle("first bundle", false); // digest computed by the store
    first.source = ProjectVersionSource::Deploy;
    first.comment = QStringLiteral("initial deploy – ünïcode");
    first.actor = QStringLiteral("alice");
    auto v1 = store->addProjectVersion(first);
    VERIFY_OK(v1);
    QCOMPARE(*v1, 1);

    NewProjectVersion second = bundle(big);
    second.source = ProjectVersionSource::Folder;
    second.comment = QStringLiteral("big one");
    second.actor = QStringLiteral("node");
    auto v2 = store->addProjectVersion(second);
    VERIFY_OK(v2);
    QCOMPARE(*v2, 2);

    NewProjectVersion third;
    third.bundle = QByteArray("third\0with nul", 14);
    third.sha256 = sha256Hex(third.bundle).toUpper(); // hex digits in either case
    auto v3 = store->addProjectVersion(third); // null comment and actor
    VERIFY_OK(v3);
    QCOMPARE(*v3, 3);
    const QDateTime after = QDateTime::currentDateTimeUtc().addSecs(1);

    auto list = store->projectVersions();
    VERIFY_OK(list);
    QCOMPARE(list->size(), 3);
    QCOMPARE(list->at(0).version, 3);
    QCOMPARE(list->at(1).version, 2);
    QCOMPARE(list->at(2).version, 1);
    const ProjectVersionInfo &info1 = list->at(2);
    QCOMPARE(info1.sha256, sha256Hex("first bundle"));
    QCOMPARE(info1.source, ProjectVersionSource::Deploy);
    QCOMPARE(info1.comment, first.comment);
    QCOMPARE(info1.actor, QStringLiteral("alice"));
    QCOMPARE(info1.size, qint64(12));
    QVERIFY(!info1.isActive);
    QCOMPARE(info1.createdAt.timeSpec(), Qt::UTC);
    QVERIFY(info1.createdAt >= before && info1.createdAt <= after);
    QCOMPARE(list->at(1).source, ProjectVersionSource::Folder);
    QCOMPARE(list->at(1).size, qint64(big.size()));
    QCOMPARE(list->at(0).sha256, sha256Hex(third.bundle)); // stored in lowercase
    QCOMPARE(list->at(0).comment, QString());
    QVERIFY(list->at(1).createdAt >= info1.createdAt);

    auto read = store->projectVersion(2);
    VERIFY_OK(read);
    QCOMPARE(read->info.version, 2);
    QCOMPARE(read->info.size, qint64(big.size()));
    QVERIFY(read->bundle == big);
    auto read3 = store->projectVersion(3);
    VERIFY_OK(read3);
    QCOMPARE(read3->bundle, third.bundle);
    QCOMPARE(read3->info.source, ProjectVersionSource::Deploy);

    VERIFY_ERROR(store->projectVersion(99), "store_not_found");

    NewProjectVersion wrong = bundle("payload");
    wrong.sha256 = sha256Hex("something else");
    VERIFY_ERROR(store->addProjectVersion(wrong), "store_invalid_argument");
    VERIFY_ERROR(store->addProjectVersion(bundle(QByteArray())), "store_invalid_argument");

    // Rejected versions take no number: the next one is 4.
    auto v4 = store->addProjectVersion(bundle("fourth"));
    VERIFY_OK(v4);
    QCOMPARE(*v4, 4);

    // A bundle damaged on disk is reported, not returned.
    {
        RawDatabase raw(m_config);
        raw.exec(QStringLiteral("UPDATE project_versions SET bundle = ? WHERE version = 4"),
                 {QByteArray("tampered")});
        QVERIFY2(raw.error().isEmpty(), qPrintable(raw.error()));
    }
    VERIFY_ERROR(store->projectVersion(4), "store_corrupt");
}

void tst_StateStore::activateAndRollback()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());

    auto active = store->activeProjectVersion();
    VERIFY_OK(active);
    QVERIFY(!active->has_value());

    const QByteArray goodBundle("good project");
    VERIFY_OK(store->addProjectVersion(bundle(goodBundle), true));
    active = store->activeProjectVersion();
    VERIFY_OK(active);
    QCOMPARE(active->value_or(0), 1);

    VERIFY_OK(store->addProjectVersion(bundle("broken project"), true));
    active = store->activeProjectVersion();
    VERIFY_OK(active);
    QCOMPARE(active->value_or(0), 2);

    VERIFY_OK(store->addProjectVersion(bundle("staged"), false));
    active = store->activeProjectVersion();
    VERIFY_OK(active);
    QCOMPARE(active->value_or(0), 2);

    auto list = store->projectVersions();
    VERIFY_OK(list);
    QCOMPARE(list->size(), 3);
    QCOMPARE(list->at(0).isActive, false); // 3
    QCOMPARE(list->at(1).isActive, true); // 2
    QCOMPARE(list->at(2).isActive, false); // 1

    // Roll back by activating an older version ...
    VERIFY_OK(store->setActiveProjectVersion(1));
    active = store->activeProjectVersion();
    VERIFY_OK(active);
    QCOMPARE(active->value_or(0), 1);

    // ... a version that does not exist is refused and changes nothing ...
    VERIFY_ERROR(store->setActiveProjectVersion(42), "store_not_found");
    active = store->activeProjectVersion();
    VERIFY_OK(active);
    QCOMPARE(active->value_or(0), 1);

    // ... or by storing a copy of it as a new version.
    auto old = store->projectVersion(1);
    VERIFY_OK(old);
    NewProjectVersion copy = bundle(old->bundle);
    copy.source = ProjectVersionSource::Rollback;
    copy.comment = QStringLiteral("rollback to 1");
    auto v4 = store->addProjectVersion(copy, true);
    VERIFY_OK(v4);
    QCOMPARE(*v4, 4);

    store = StateStore::create(m_config); // the bookkeeping survives a restart
    VERIFY_OK(store->open());
    active = store->activeProjectVersion();
    VERIFY_OK(active);
    QCOMPARE(active->value_or(0), 4);
    auto current = store->projectVersion(4);
    VERIFY_OK(current);
    QCOMPARE(current->bundle, goodBundle);
    QCOMPARE(current->info.source, ProjectVersionSource::Rollback);
    QVERIFY(current->info.isActive);
}

void tst_StateStore::apiTokens()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());

    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
    auto ci = store->addApiToken(QStringLiteral("ci"), QStringLiteral("hash-ci"));
    VERIFY_OK(ci);
    auto ops = store->addApiToken(QStringLiteral("ops"), QStringLiteral("hash-ops"));
    VERIFY_OK(ops);
    QVERIFY(*ci != *ops);

    auto sameName = store->addApiToken(QStringLiteral("ci"), QStringLiteral("hash-other"));
    VERIFY_ERROR(sameName, "store_duplicate");
    QVERIFY2(sameName.error().message.contains(QLatin1String("\"ci\"")),
             qPrintable(sameName.error().message));
    VERIFY_ERROR(store->addApiToken(QStringLiteral("other"), QStringLiteral("hash-ci")),
                 "store_duplicate");
    VERIFY_ERROR(store->addApiToken(QString(), QStringLiteral("hash-x")), "store_invalid_argument");
    VERIFY_ERROR(store->addApiToken(QStringLiteral("x"), QString()), "store_invalid_argument");

    auto found = store->findApiTokenByHash(QStringLiteral("hash-ci"));
    VERIFY_OK(found);
    QVERIFY(found->has_value());
    QCOMPARE((*found)->id, *ci);
    QCOMPARE((*found)->name, QStringLiteral("ci"));
    QCOMPARE((*found)->tokenHash, QStringLiteral("hash-ci"));
    QVERIFY((*found)->createdAt >= before);
    QVERIFY(!(*found)->lastUsedAt.has_value());

    auto missing = store->findApiTokenByHash(QStringLiteral("hash-unknown"));
    VERIFY_OK(missing);
    QVERIFY(!missing->has_value());

    const QDateTime when(QDate(2026, 1, 2), QTime(3, 4, 5, 678), Qt::UTC);
    VERIFY_OK(store->recordApiTokenUse(*ci, when));
    found = store->findApiTokenByHash(QStringLiteral("hash-ci"));
    VERIFY_OK(found);
    QVERIFY(found->has_value() && (*found)->lastUsedAt.has_value());
    QCOMPARE(*(*found)->lastUsedAt, when);
    VERIFY_ERROR(store->recordApiTokenUse(999999, when), "store_not_found");

    auto list = store->apiTokens();
    VERIFY_OK(list);
    QCOMPARE(list->size(), 2);
    QCOMPARE(list->at(0).name, QStringLiteral("ci"));
    QCOMPARE(list->at(1).name, QStringLiteral("ops"));
    QVERIFY(!list->at(1).lastUsedAt.has_value());

    VERIFY_OK(store->revokeApiToken(QStringLiteral("ci")));
    found = store->findApiTokenByHash(QStringLiteral("hash-ci"));
    VERIFY_OK(found);
    QVERIFY(!found->has_value());
    VERIFY_ERROR(store->revokeApiToken(QStringLiteral("ci")), "store_not_found");
    list = store->apiTokens();
    VERIFY_OK(list);
    QCOMPARE(list->size(), 1);
    QCOMPARE(list->at(0).name, QStringLiteral("ops"));

    // A revoked name is free again.
    VERIFY_OK(store->addApiToken(QStringLiteral("ci"), QStringLiteral("hash-ci-2")));
}

void tst_StateStore::settings()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());

    auto missing = store->setting(QStringLiteral("missing"));
    VERIFY_OK(missing);
    QVERIFY(!missing->has_value());

    VERIFY_OK(store->setSetting(QStringLiteral("node.name"), QStringLiteral("alpha")));
    VERIFY_OK(store->setSetting(QStringLiteral("node.name"), QStringLiteral("beta")));
    auto name = store->setting(QStringLiteral("node.name"));
    VERIFY_OK(name);
    QCOMPARE(name->value_or(QString()), QStringLiteral("beta"));

    const QString unicode = QStringLiteral("grüß dich ✓ 日本");
    VERIFY_OK(store->setSetting(QStringLiteral("greeting"), unicode));
    VERIFY_OK(store->setSetting(QStringLiteral("empty"), QString()));
    // Data that looks like SQL stays data.
    const QString sneaky = QStringLiteral("x'); DROP TABLE settings; --");
    VERIFY_OK(store->setSetting(sneaky, sneaky));

    auto empty = store->setting(QStringLiteral("empty"));
    VERIFY_OK(empty);
    QVERIFY(empty->has_value());
    QVERIFY((*empty)->isEmpty());

    auto all = store->settings();
    VERIFY_OK(all);
    const QMap<QString, QString> expected = {{QStringLiteral("node.name"), QStringLiteral("beta")},
                                             {QStringLiteral("greeting"), unicode},
                                             {QStringLiteral("empty"), QString()},
                                             {sneaky, sneaky}};
    QCOMPARE(*all, expected);

    VERIFY_OK(store->removeSetting(QStringLiteral("node.name")));
    VERIFY_OK(store->removeSetting(QStringLiteral("node.name"))); // removing twice is fine
    name = store->setting(QStringLiteral("node.name"));
    VERIFY_OK(name);
    QVERIFY(!name->has_value());

    VERIFY_ERROR(store->setSetting(QString(), QStringLiteral("x")), "store_invalid_argument");
}

void tst_StateStore::auditLog()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());

    const QDateTime base(QDate(2026, 3, 1), QTime(12, 0), Qt::UTC);
    QList<qint64> ids;
    for (int i = 0; i < 5; ++i) {
        AuditEntry entry;
        entry.time = base.addSecs(60 * i);
        entry.actor = QStringLiteral("alice");
        entry.action = QStringLiteral("project.deploy");
        entry.details = QStringLiteral("{\"version\": %1}").arg(i + 1);
        auto id = store->appendAudit(entry);
        VERIFY_OK(id);
        ids.append(*id);
    }
    // Entries are listed by time, not by insertion: this one is older than all others.
    AuditEntry early;
    early.time = base.addDays(-1);
    early.action = QStringLiteral("node.start");
    VERIFY_OK(store->appendAudit(early));

    AuditEntry now; // no time: "now", and no details: "{}"
    now.actor = QStringLiteral("bob");
    now.action = QStringLiteral("token.revoke");
    VERIFY_OK(store->appendAudit(now));

    auto latest = store->auditEntries(3);
    VERIFY_OK(latest);
    QCOMPARE(latest->size(), 3);
    QCOMPARE(latest->at(0).action, QStringLiteral("token.revoke"));
    QCOMPARE(latest->at(0).details, QStringLiteral("{}"));
    QVERIFY(latest->at(0).time > base);
    QCOMPARE(latest->at(1).time, base.addSecs(240));
    QCOMPARE(latest->at(1).id, ids.at(4));
    QCOMPARE(latest->at(1).actor, QStringLiteral("alice"));
    QCOMPARE(latest->at(1).details, QStringLiteral("{\"version\": 5}"));
    QCOMPARE(latest->at(2).time, base.addSecs(180));

    auto all = store->auditEntries(100);
    VERIFY_OK(all);
    QCOMPARE(all->size(), 7);
    QCOMPARE(all->last().action, QStringLiteral("node.start"));
    QCOMPARE(all->last().actor, QString());

    AuditEntry bad;
    bad.action = QStringLiteral("x");
    bad.details = QStringLiteral("{not json");
    VERIFY_ERROR(store->appendAudit(bad), "store_invalid_argument");
    bad.details.clear();
    bad.action.clear();
    VERIFY_ERROR(store->appendAudit(bad), "store_invalid_argument");
    VERIFY_ERROR(store->auditEntries(0), "store_invalid_argument");
    all = store->auditEntries(100);
    VERIFY_OK(all);
    QCOMPARE(all->size(), 7);
}

void tst_StateStore::concurrentUse()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());

    constexpr int threadCount = 4;
    constexpr int perThread = 15;
    QMutex errorsMutex;
    QStringList errors;
    auto check = [&](const auto &result, const QString &what) {
        if (!result.isOk()) {
            QMutexLocker lock(&errorsMutex);
            errors.append(what + QLatin1String(": ") + result.error().toString());
        }
    };

    std::vector<std::thread> threads;
    for (int t = 0; t < threadCount; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < perThread; ++i) {
                const QString tag = QStringLiteral("%1-%2").arg(t).arg(i);
                check(store->addProjectVersion(bundle(tag.toUtf8()), i % 3 == 0),
                      QLatin1String("add version ") + tag);
                AuditEntry entry;
                entry.actor = QStringLiteral("thread-%1").arg(t);
                entry.action = QStringLiteral("test.write");
                entry.details = QStringLiteral("{\"tag\": \"%1\"}").arg(tag);
                check(store->appendAudit(entry), QLatin1String("audit ") + tag);
                check(store->setSetting(QLatin1String("thread.") + tag, tag),
                      QLatin1String("setting ") + tag);
                check(store->projectVersions(), QLatin1String("list ") + tag);
                check(store->activeProjectVersion(), QLatin1String("active ") + tag);
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));

    constexpr int total = threadCount * perThread;
    auto versions = store->projectVersions();
    VERIFY_OK(versions);
    QCOMPARE(versions->size(), total);
    QSet<qint64> numbers;
    QSet<QString> digests;
    for (const ProjectVersionInfo &info : std::as_const(*versions)) {
        numbers.insert(info.version);
        digests.insert(info.sha256);
    }
    QCOMPARE(numbers.size(), total);
    QCOMPARE(*std::min_element(numbers.cbegin(), numbers.cend()), 1);
    QCOMPARE(*std::max_element(numbers.cbegin(), numbers.cend()), total);
    QCOMPARE(digests.size(), total); // every thread's every bundle is there
    for (int t = 0; t < threadCount; ++t)
        for (int i = 0; i < perThread; ++i)
            QVERIFY(digests.contains(sha256Hex(QStringLiteral("%1-%2").arg(t).arg(i).toUtf8())));

    auto audit = store->auditEntries(1000);
    VERIFY_OK(audit);
    QCOMPARE(audit->size(), total);
    auto settings = store->settings();
    VERIFY_OK(settings);
    QCOMPARE(settings->size(), total);
    auto active = store->activeProjectVersion();
    VERIFY_OK(active);
    QVERIFY(active->has_value());

    // Racing for one token name: exactly one wins, the others get store_duplicate. Threads
    // release their connections when done (short-lived threads).
    std::atomic<int> added {0};
    threads.clear();
    for (int t = 0; t < threadCount; ++t) {
        threads.emplace_back([&, t] {
            const auto result
                = store->addApiToken(QStringLiteral("shared"), QStringLiteral("hash-%1").arg(t));
            if (result.isOk()) {
                ++added;
            } else if (result.error().code != QLatin1String("store_duplicate")) {
                QMutexLocker lock(&errorsMutex);
                errors.append(result.error().toString());
            }
            store->releaseThreadConnection();
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    QCOMPARE(added.load(), 1);
}

// Two nodes start against the same fresh database at the same moment.
void tst_StateStore::concurrentOpen()
{
    auto a = StateStore::create(m_config);
    auto b = StateStore::create(m_config);
    std::optional<Result<void>> resultA;
    std::optional<Result<void>> resultB;
    std::thread threadA([&] { resultA = a->open(); });
    std::thread threadB([&] { resultB = b->open(); });
    threadA.join();
    threadB.join();
    VERIFY_OK(*resultA);
    VERIFY_OK(*resultB);
    QCOMPARE(a->schemaVersion(), StateStore::latestSchemaVersion());
    QCOMPARE(b->schemaVersion(), StateStore::latestSchemaVersion());

    VERIFY_OK(a->setSetting(QStringLiteral("from"), QStringLiteral("a")));
    auto seen = b->setting(QStringLiteral("from"));
    VERIFY_OK(seen);
    QCOMPARE(seen->value_or(QString()), QStringLiteral("a"));

    RawDatabase raw(m_config);
    QCOMPARE(raw.value(QStringLiteral("SELECT COUNT(*) FROM schema_migrations")).toInt(),
             StateStore::latestSchemaVersion());
}

// A statement that fails halfway through a write leaves nothing behind, and the store (and
// its connection) keeps working.
void tst_StateStore::failedWriteIsRolledBack()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());
    VERIFY_OK(store->addProjectVersion(bundle("one"), true));
    // The database refuses version 2 when the INSERT executes (it prepares fine).
    {
        RawDatabase raw(m_config);
        raw.exec(isSqlite()
                     ? QStringLiteral(
                         "CREATE TRIGGER refuse_two BEFORE INSERT ON project_versions "
                         "WHEN NEW.version = 2 BEGIN SELECT RAISE(ABORT, 'refused by test'); END")
                     : QStringLiteral("ALTER TABLE project_versions ADD CONSTRAINT refuse_two "
                                      "CHECK (version <> 2)"));
        QVERIFY2(raw.error().isEmpty(), qPrintable(raw.error()));
    }
    // No driver complaints either (QPSQL cannot free a statement in an aborted transaction).
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".")));
    // The version counter is bumped first, then the INSERT fails.
    const auto failed = store->addProjectVersion(bundle("two"), true);
    VERIFY_ERROR(failed, "store_query_failed");
    QVERIFY2(failed.error().message.contains(QLatin1String("cannot add a project version")),
             qPrintable(failed.error().message));
    {
        RawDatabase raw(m_config);
        QCOMPARE(raw.value(QStringLiteral("SELECT last_version FROM project_state")).toInt(), 1);
        raw.exec(isSqlite()
                     ? QStringLiteral("DROP TRIGGER refuse_two")
                     : QStringLiteral("ALTER TABLE project_versions DROP CONSTRAINT refuse_two"));
        QVERIFY2(raw.error().isEmpty(), qPrintable(raw.error()));
    }
    auto two = store->addProjectVersion(bundle("two"), true);
    VERIFY_OK(two);
    QCOMPARE(*two, 2);
    auto active = store->activeProjectVersion();
    VERIFY_OK(active);
    QCOMPARE(active->value_or(0), 2);
}

void tst_StateStore::notOpen()
{
    auto store = StateStore::create(m_config);
    VERIFY_ERROR(store->projectVersions(), "store_not_open");
    VERIFY_ERROR(store->projectVersion(1), "store_not_open");
    VERIFY_ERROR(store->addProjectVersion(bundle("x")), "store_not_open");
    VERIFY_ERROR(store->setActiveProjectVersion(1), "store_not_open");
    VERIFY_ERROR(store->activeProjectVersion(), "store_not_open");
    VERIFY_ERROR(store->addApiToken(QStringLiteral("a"), QStringLiteral("b")), "store_not_open");
    VERIFY_ERROR(store->findApiTokenByHash(QStringLiteral("b")), "store_not_open");
    VERIFY_ERROR(store->setting(QStringLiteral("a")), "store_not_open");
    VERIFY_ERROR(store->settings(), "store_not_open");
    VERIFY_ERROR(store->auditEntries(5), "store_not_open");
    SyncRunRecord run;
    run.jobId = QStringLiteral("job");
    run.trigger = QStringLiteral("manual");
    VERIFY_ERROR(store->startSyncRun(run), "store_not_open");
    VERIFY_ERROR(store->syncRuns(QString()), "store_not_open");
    VERIFY_ERROR(store->syncCheckpoint(QStringLiteral("job")), "store_not_open");
    VERIFY_ERROR(store->acquireSyncLease(QStringLiteral("job"), QStringLiteral("a"), 1000),
                 "store_not_open");
    VERIFY_ERROR(store->claimScheduledFire(QStringLiteral("job"), QDateTime::currentDateTimeUtc(),
                                           QStringLiteral("a")),
                 "store_not_open");
    VERIFY_ERROR(store->syncConflicts(QString()), "store_not_open");
    VERIFY_ERROR(store->syncRowHashCount(QStringLiteral("job")), "store_not_open");
    if (isSqlite())
        QVERIFY(!QFile::exists(m_config.sqlitePath)); // nothing was created
}

void tst_StateStore::unusableDatabase()
{
    if (isSqlite()) {
        // Not a database: a clear error, and the file is left alone.
        QByteArray garbage;
        for (int i = 0; i < 200; ++i)
            garbage += "this is not an SQLite database, it is someone's notes. ";
        {
            QFile file(m_config.sqlitePath);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(garbage);
        }
        auto store = StateStore::create(m_config);
        const Result<void> opened = store->open();
        VERIFY_ERROR(opened, "store_not_a_database");
        QVERIFY2(opened.error().message.contains(m_config.sqlitePath),
                 qPrintable(opened.error().message));
        QVERIFY2(opened.error().message.contains(QLatin1String("not a database")),
                 qPrintable(opened.error().message));
        QVERIFY(!store->isOpen());
        store.reset();
        QFile file(m_config.sqlitePath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), garbage);
        QVERIFY(!QFile::exists(m_config.sqlitePath + QLatin1String("-wal")));

        // A data folder that does not exist.
        StoreConfig missing = m_config;
        missing.sqlitePath = m_dir->filePath(QStringLiteral("no/such/folder/state.db"));
        auto inMissing = StateStore::create(missing);
        const Result<void> notThere = inMissing->open();
        VERIFY_ERROR(notThere, "store_open_failed");
        QVERIFY2(notThere.error().message.contains(QLatin1String("does not exist")),
                 qPrintable(notThere.error().message));
    } else {
        // A database that does not exist; the password never shows in the message.
        StoreConfig config = m_config;
        config.database = QStringLiteral("conflux_no_such_database");
        config.password = QStringLiteral("s3cret-password-value");
        auto store = StateStore::create(config);
        const Result<void> opened = store->open();
        VERIFY_ERROR(opened, "store_open_failed");
        QVERIFY2(opened.error().message.contains(QLatin1String("conflux_no_such_database")),
                 qPrintable(opened.error().message));
        QVERIFY(!opened.error().toString().contains(config.password));

        // Nothing listens on port 1.
        config = m_config;
        config.port = 1;
        store = StateStore::create(config);
        const Result<void> refused = store->open();
        VERIFY_ERROR(refused, "store_open_failed");
        QVERIFY2(refused.error().message.contains(QLatin1String(":1/")),
                 qPrintable(refused.error().message));
        VERIFY_ERROR(store->settings(), "store_not_open");
    }
}

void tst_StateStore::invalidConfig()
{
    StoreConfig config = m_config;
    if (isSqlite())
        config.sqlitePath.clear();
    else
        config.postgresSchema = QStringLiteral("Robert'); DROP SCHEMA public; --");
    auto store = StateStore::create(config);
    VERIFY_ERROR(store->open(), "store_invalid_config");
}

void tst_StateStore::foreignSqliteDatabase()
{
    {
        RawDatabase raw(m_config);
        raw.exec(QStringLiteral("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)"));
        raw.exec(QStringLiteral("INSERT INTO customers (name) VALUES ('ACME')"));
        QVERIFY2(raw.error().isEmpty(), qPrintable(raw.error()));
    }
    auto store = StateStore::create(m_config);
    const Result<void> opened = store->open();
    VERIFY_ERROR(opened, "store_not_a_database");
    QVERIFY2(opened.error().message.contains(QLatin1String("not a Conflux state store")),
             qPrintable(opened.error().message));
    store.reset();

    RawDatabase raw(m_config);
    QCOMPARE(raw.value(QStringLiteral(
                           "SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema_migrations'"))
                 .toInt(),
             0);
    QCOMPARE(raw.value(QStringLiteral("SELECT name FROM customers")).toString(),
             QStringLiteral("ACME"));
}

// A server that drops the store's connections (restart, failover, idle kill): the call that
// finds the connection broken fails with a clear error, the next one connects again.
void tst_StateStore::postgresReconnects()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());
    VERIFY_OK(store->setSetting(QStringLiteral("before"), QStringLiteral("1")));
    {
        RawDatabase raw(m_config);
        const QVariant killed = raw.value(
            QStringLiteral("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE application_name = ? AND pid <> pg_backend_pid()"),
            {m_config.applicationName});
        QVERIFY2(killed.toInt() >= 1, qPrintable(raw.error()));
    }
    const auto first = store->setting(QStringLiteral("before"));
    if (!first.isOk()) {
        qInfo("first call after the connection was dropped: %s", qPrintable(first.error().message));
        QCOMPARE(first.error().code, QStringLiteral("store_query_failed"));
        QVERIFY2(first.error().message.contains(m_config.postgresSchema),
                 qPrintable(first.error().message));
    }
    auto again = store->setting(QStringLiteral("before"));
    VERIFY_OK(again);
    QCOMPARE(again->value_or(QString()), QStringLiteral("1"));
    VERIFY_OK(store->setSetting(QStringLiteral("after"), QStringLiteral("2")));
}

QTEST_GUILESS_MAIN(tst_StateStore)
