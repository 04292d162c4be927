// The sync engine's reliability against a real PostgreSQL server of the test's own (started
// with tests/scripts/postgres-start.sh, so it can be stopped and restarted without disturbing
// other tests):
//   - `conflux sync run` killed with SIGKILL at random points, many times, while the source
//     keeps changing, then resumed: reconciliation finds every source record in the target
//     once, with the mapped values (100%);
//   - the target server stopped abruptly and restarted in the middle of a run: the run retries
//     the failed batch and completes, with nothing committed half-way;
//   - two nodes with their own connections to one PostgreSQL state store: each scheduled fire
//     time runs once.

#include "broker/embeddedbroker.h"
#include "data/json.h"
#include "model/projectloader.h"
#include "runtime/projectendpoints.h"
#include "runtime/syncjobs.h"
#include "runtime/syncscheduler.h"
#include "store/statestore.h"
#include "store/storeconfig.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Conflux;
using namespace Qt::StringLiterals;

namespace {

constexpr int kRows = 200'000;

void writeFile(const QString &path, QByteArray text)
{
    text.replace('\'', '"');
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

QString script(const char *name)
{
    return QStringLiteral(CONFLUX_SOURCE_DIR "/tests/scripts/") + QLatin1StringView(name);
}

} // namespace

class tst_SyncReliability : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void killedAtRandomPointsThenResumed();
    void targetRestartsMidRun();
    void twoNodesOnOnePostgresStoreFireOnce();

private:
    bool pg(const QString &sql, QVariant *out = nullptr);
    bool source(const QString &sql, const QVariantList &params = {});
    QProcess *startConflux(const QStringList &arguments);
    int conflux(const QStringList &arguments, QByteArray *output = nullptr, int timeoutMs = 300'000);
    void expectFullAccuracy();

    QTemporaryDir m_dir;
    QString m_pgEnvFile;
    QMap<QString, QString> m_pg;
    QString m_project, m_data;
};

void tst_SyncReliability::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_pgEnvFile = m_dir.filePath(u"pg.env"_s);
    // Commits must survive the abrupt stop of targetRestartsMidRun.
    qputenv("CONFLUX_PG_SYNC_COMMIT", "on");
    QProcess start;
    start.setProcessChannelMode(QProcess::ForwardedChannels);
    start.start(u"bash"_s, {script("postgres-start.sh"), m_pgEnvFile});
    QVERIFY(start.waitForFinished(120'000));
    QVERIFY2(start.exitCode() == 0, "postgres-start.sh failed: a PostgreSQL server is required (apt-get install postgresql)");
    qputenv("CONFLUX_RELIABILITY_PG_ENV", m_pgEnvFile.toUtf8());
    QString error;
    m_pg = Test::readFixtureEnv("CONFLUX_RELIABILITY_PG_ENV", &error);
    QVERIFY2(!m_pg.isEmpty(), qPrintable(error));

    m_project = m_dir.filePath(u"project"_s);
    m_data = m_dir.filePath(u"data"_s);
    QDir().mkpath(m_data);
    writeFile(m_project + u"/project.json"_s, "{'kind':'Project','schemaVersion':1,'id':'rel','name':'Reliability'}");
    writeFile(m_project + u"/endpoints/src.json"_s,
              "{'kind':'Endpoint','schemaVersion':1,'id':'src','name':'Source','type':'database',"
              "'protocol':'sql','url':'sqlite:source.db','configuration':{}}");
    const QByteArray url = "postgresql://postgres@127.0.0.1:" + m_pg.value(u"PGPORT"_s).toUtf8() + "/conflux_test";
    writeFile(m_project + u"/endpoints/dst.json"_s,
              "{'kind':'Endpoint','schemaVersion':1,'id':'dst','name':'Target','type':'database',"
              "'protocol':'sql','url':'" + url + "','configuration':{}}");
    writeFile(m_project + u"/mappings/customer.json"_s,
              "{'kind':'Mapping','schemaVersion':2,'id':'customer','name':'Customer','rules':["
              "{'type':'field_mapping','source':'id','target':'id'},"
              "{'type':'uppercase','source':'name','target':'name'},"
              "{'type':'field_mapping','source':'email','target':'email'},"
              "{'type':'expression','expression':'$round(balance * 100) / 100','target':'balance'},"
              "{'type':'field_mapping','source':'updated_at','target':'updated_at'}]}");
    writeFile(m_project + u"/sync/customers.json"_s,
              "{'kind':'SyncJob','schemaVersion':1,'id':'customers','name':'Customers',"
              "'source_endpoint':'src','target_endpoint':'dst','data_mapping':'customer',"
              "'source_object':'customers','target_object':'customers','sync_strategy':'batch',"
              "'key_fields':['id'],'cursor_field':'updated_at','batch_size':250,'max_retries':6}");
    writeFile(m_project + u"/sync/nightly.json"_s,
              "{'kind':'SyncJob','schemaVersion':1,'id':'nightly','name':'Nightly',"
              "'source_endpoint':'src','target_endpoint':'dst','source_object':'customers',"
              "'target_object':'nightly','sync_strategy':'scheduled','schedule':'*/5 * * * *',"
              "'key_fields':['id'],'batch_size':5000}");

    QVERIFY(source(u"CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, balance REAL, updated_at TEXT)"_s));
    QVERIFY(source(u"CREATE INDEX customers_updated ON customers (updated_at)"_s));
    // Seven records share each cursor value, so batches end inside groups of equal cursors.
    QVERIFY(source(u"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %1) "
                   "INSERT INTO customers SELECT i, 'customer ' || i, 'c' || i || '@example.com', i * 1.25, "
                   "strftime('%Y-%m-%dT%H:%M:%SZ', 1704067200 + i / 7, 'unixepoch') FROM n"_s.arg(kRows)));
    QVERIFY(pg(u"CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT, email TEXT, balance NUMERIC(12,2), updated_at TIMESTAMPTZ)"_s));
    QVERIFY(pg(u"CREATE TABLE nightly (id BIGINT PRIMARY KEY, name TEXT, email TEXT, balance DOUBLE PRECISION, updated_at TEXT)"_s));
}

void tst_SyncReliability::cleanupTestCase()
{
    if (!m_pgEnvFile.isEmpty())
        QProcess::execute(u"bash"_s, {script("postgres-stop.sh"), m_pgEnvFile});
}

bool tst_SyncReliability::pg(const QString &sql, QVariant *out)
{
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, u"rel-pg"_s);
        db.setHostName(u"127.0.0.1"_s);
        db.setPort(m_pg.value(u"PGPORT"_s).toInt());
        db.setUserName(u"postgres"_s);
        db.setDatabaseName(u"conflux_test"_s);
        if (db.open()) {
            QSqlQuery q(db);
            ok = q.exec(sql);
            if (!ok)
                qWarning("%s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
            if (ok && out && q.next())
                *out = q.value(0);
        } else {
            qWarning("PostgreSQL: %s", qPrintable(db.lastError().text()));
        }
    }
    QSqlDatabase::removeDatabase(u"rel-pg"_s);
    return ok;
}

bool tst_SyncReliability::source(const QString &sql, const QVariantList &params)
{
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"rel-src"_s);
        db.setDatabaseName(m_project + u"/source.db"_s);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=10000"_s);
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(sql);
            for (qsizetype i = 0; i < params.size(); ++i)
                q.bindValue(int(i), params[i]);
            ok = q.exec();
            if (!ok)
                qWarning("%s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
        }
    }
    QSqlDatabase::removeDatabase(u"rel-src"_s);
    return ok;
}

QProcess *tst_SyncReliability::startConflux(const QStringList &arguments)
{
    auto *process = new QProcess(this);
    process->setProcessChannelMode(QProcess::SeparateChannels);
    process->start(QStringLiteral(CONFLUX_BINARY), arguments + QStringList{u"--project"_s, m_project, u"--data"_s, m_data});
    return process;
}

int tst_SyncReliability::conflux(const QStringList &arguments, QByteArray *output, int timeoutMs)
{
    std::unique_ptr<QProcess> process(startConflux(arguments));
    if (!process->waitForFinished(timeoutMs)) {
        process->kill();
        process->waitForFinished();
        qWarning("conflux %s did not finish", qPrintable(arguments.join(u' ')));
        return -1;
    }
    const QByteArray out = process->readAllStandardOutput();
    if (output)
        *output = out;
    if (process->exitCode() != 0)
        qWarning("conflux %s → %d:\n%s\n%s", qPrintable(arguments.join(u' ')), process->exitCode(), out.constData(),
                 process->readAllStandardError().right(2000).constData());
    return process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1;
}

void tst_SyncReliability::expectFullAccuracy()
{
    QByteArray out;
    const int code = conflux({u"sync"_s, u"reconcile"_s, u"customers"_s, u"--json"_s}, &out);
    Result<Data::Value> report = Data::Json::parse(out.trimmed());
    QVERIFY2(report, out.constData());
    QVariant targetRows;
    QVERIFY(pg(u"SELECT count(*) FROM customers"_s, &targetRows));
    qInfo("reconciliation: %s (target rows %lld)", out.trimmed().constData(), targetRows.toLongLong());
    QCOMPARE((*report)[u"missing"].toInt64(), 0);
    QCOMPARE((*report)[u"different"].toInt64(), 0);
    QCOMPARE((*report)[u"extra"].toInt64(), 0);
    QCOMPARE((*report)[u"duplicates"].toInt64(), 0);
    QCOMPARE((*report)[u"matched"].toInt64(), (*report)[u"source_records"].toInt64());
    QCOMPARE((*report)[u"accuracy_percent"].toDouble(), 100.0);
    QCOMPARE(code, 0);
}

void tst_SyncReliability::killedAtRandomPointsThenResumed()
{
    const quint32 seed = QRandomGenerator::global()->generate();
    qInfo("random seed %u", seed);
    QRandomGenerator random(seed);
    int killedMidRun = 0;
    qint64 nextId = kRows + 1;
    for (int round = 0; round < 12; ++round) {
        // Odd rounds read what changed; even ones the whole source again (--full).
        QStringList arguments{u"sync"_s, u"run"_s, u"customers"_s};
        if (round % 2 == 0)
            arguments << u"--full"_s;
        std::unique_ptr<QProcess> run(startConflux(arguments));
        QVERIFY(run->waitForStarted());
        QTest::qWait(int(random.bounded(100, 3000)));
        if (run->state() == QProcess::Running) {
            run->kill(); // SIGKILL
            ++killedMidRun;
        }
        if (run->state() != QProcess::NotRunning)
            QVERIFY(run->waitForFinished(60'000));
        else
            qInfo("round %d ended before the kill: %s", round, run->readAllStandardOutput().trimmed().constData());
        // The source changes while the job crashes: updates (moving rows to later cursors)
        // and new rows.
        const int changed = int(random.bounded(1, 400));
        QVERIFY(source(u"UPDATE customers SET name = name || '+', balance = balance + 1, "
                       "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 1804067200 + ?, 'unixepoch') "
                       "WHERE id % 97 = ?"_s,
                       {round * 10, int(random.bounded(97))}));
        for (int i = 0; i < changed % 20; ++i, ++nextId) {
            QVERIFY(source(u"INSERT INTO customers VALUES (?, 'late ' || ?, 'l@x', 1, "
                           "strftime('%Y-%m-%dT%H:%M:%SZ', 1804067200 + ?, 'unixepoch'))"_s,
                           {nextId, nextId, round * 10 + 5}));
        }
    }
    qInfo("%d of 12 runs were killed while they ran", killedMidRun);
    QVERIFY(killedMidRun >= 4);
    QCOMPARE(conflux({u"sync"_s, u"run"_s, u"customers"_s}), 0);
    expectFullAccuracy();

    // The runs the kills cut short are recorded as interrupted, not left running.
    Store::StoreConfig config;
    config.driver = Store::StoreConfig::Driver::Sqlite;
    config.sqlitePath = m_data + u"/state.db"_s;
    auto store = Store::StateStore::create(config);
    QVERIFY(store->open());
    auto runs = store->syncRuns(u"customers"_s, 100);
    QVERIFY(runs);
    int interrupted = 0;
    for (const auto &run : *runs) {
        QVERIFY2(run.status != "running"_L1, qPrintable(u"run %1 is still running"_s.arg(run.id)));
        interrupted += run.status == "interrupted"_L1 ? 1 : 0;
    }
    QVERIFY(interrupted >= 1);
}

void tst_SyncReliability::targetRestartsMidRun()
{
    QVERIFY(pg(u"TRUNCATE customers"_s));
    std::unique_ptr<QProcess> run(startConflux({u"sync"_s, u"run"_s, u"customers"_s, u"--full"_s}));
    QVERIFY(run->waitForStarted());
    // Once the first rows are in, the server goes away for two seconds.
    QVariant rows;
    QTRY_VERIFY_WITH_TIMEOUT(pg(u"SELECT count(*) FROM customers"_s, &rows) && rows.toLongLong() > 0, 60'000);
    QCOMPARE(QProcess::execute(u"bash"_s, {script("postgres-restart.sh"), m_pgEnvFile, u"2"_s}), 0);
    QVERIFY(run->waitForFinished(300'000));
    const QByteArray out = run->readAllStandardOutput();
    const QByteArray log = run->readAllStandardError();
    QVERIFY2(run->exitCode() == 0, (out + log.right(3000)).constData());
    QVERIFY2(out.contains("succeeded"), out.constData());
    // The restart hit the run: a batch failed and was retried.
    QVERIFY2(log.contains("sync batch failed; retrying"), log.right(3000).constData());
    expectFullAccuracy();
}

void tst_SyncReliability::twoNodesOnOnePostgresStoreFireOnce()
{
    Model::LoadResult loaded = Model::ProjectLoader().loadFolder(m_project);
    QVERIFY(loaded.isOk());
    auto project = std::make_shared<Model::Project>(*loaded.project);
    project->syncJobs.removeIf([](const Model::SyncJob &job) { return job.document.id != "nightly"_L1; });
    Connectors::ConnectorContext context;
    context.baseDirectory = m_project;
    auto endpoints = Runtime::ProjectEndpoints::create(nullptr, context);
    QVERIFY(endpoints);

    auto openStore = [&] {
        Store::StoreConfig config;
        config.driver = Store::StoreConfig::Driver::Postgres;
        config.host = u"127.0.0.1"_s;
        config.port = m_pg.value(u"PGPORT"_s).toInt();
        config.user = u"postgres"_s;
        config.database = u"conflux_test"_s;
        config.postgresSchema = u"conflux_state"_s;
        auto store = Store::StateStore::create(config);
        if (Result<void> opened = store->open(); !opened)
            qFatal("%s", qPrintable(opened.error().toString()));
        return store;
    };
    auto storeA = openStore(), storeB = openStore();
    auto jobs = [&](Store::StateStore *store, const QString &node) {
        Runtime::SyncJobsOptions options;
        options.store = store;
        options.endpoints = endpoints->get();
        options.node = node;
        return Runtime::SyncJobs::create(project, options);
    };
    auto jobsA = jobs(storeA.get(), u"node-a"_s), jobsB = jobs(storeB.get(), u"node-b"_s);
    QDateTime now(QDate(2031, 1, 1), QTime(8, 0, 10), Qt::UTC);
    std::mutex clockMutex;
    auto clock = [&] {
        std::lock_guard lock(clockMutex);
        return now;
    };
    Runtime::SyncScheduler a([&] { return jobsA; }, storeA.get(), u"node-a"_s, nullptr);
    Runtime::SyncScheduler b([&] { return jobsB; }, storeB.get(), u"node-b"_s, nullptr);
    a.setClock(clock);
    b.setClock(clock);
    a.start(10);
    b.start(10);
    auto fires = [&] {
        int n = 0;
        const QList<Store::SyncRunRecord> all = storeA->syncRuns(u"nightly"_s, 1000).value();
        for (const auto &run : all)
            n += run.trigger == "schedule"_L1 && run.status != "running"_L1 ? 1 : 0;
        return n;
    };
    // Six fire times, five minutes apart; both nodes tick each many times.
    for (int fire = 0; fire < 6; ++fire) {
        {
            std::lock_guard lock(clockMutex);
            now = QDateTime(QDate(2031, 1, 1), QTime(8, fire * 5, 20), Qt::UTC);
        }
        QTRY_COMPARE_WITH_TIMEOUT(fires(), fire + 1, 60'000);
        QTest::qWait(150);
        QCOMPARE(fires(), fire + 1);
        // The run's thread winds down after its record is finished: a fire that comes before
        // it has is skipped (the job is still running), which is right but not this test.
        QTRY_VERIFY_WITH_TIMEOUT(!a.isRunning(u"nightly"_s) && !b.isRunning(u"nightly"_s), 30'000);
    }
    a.stop();
    b.stop();
    QSet<QString> nodes;
    const QList<Store::SyncRunRecord> all = storeA->syncRuns(u"nightly"_s, 1000).value();
    for (const auto &run : all) {
        QCOMPARE(run.status, u"succeeded"_s);
        nodes.insert(run.node);
    }
    qInfo("runs by %s", qPrintable(QStringList(nodes.values()).join(u", "_s)));
    QVariant rows;
    QVERIFY(pg(u"SELECT count(*) FROM nightly"_s, &rows));
    QVERIFY(rows.toLongLong() >= kRows);
}

QTEST_GUILESS_MAIN(tst_SyncReliability)
#include "tst_syncreliability.moc"
