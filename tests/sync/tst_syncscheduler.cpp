// The node's sync scheduler on a real project: SQLite databases as source and target, the
// embedded broker for an event-driven job, an SQLite state store shared by two schedulers (two
// nodes) for the exactly-once check of scheduled fires.

#include "broker/embeddedbroker.h"
#include "connectors/connector.h"
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
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Conflux;
using namespace Qt::StringLiterals;

namespace {

void writeFile(const QString &path, QByteArray text)
{
    text.replace('\'', '"');
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

} // namespace

class tst_SyncScheduler : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void scheduledFiresRunOnceAcrossTwoNodes();
    void realTimePollingBringsChangesQuickly();
    void eventDrivenJobWritesEachMessage();
    void failingPollsBackOff();

private:
    qint64 count(const QString &database, const QString &sql);
    void exec(const QString &database, const QString &sql);
    std::shared_ptr<const Runtime::SyncJobs> jobs(const QString &node, const QStringList &only);
    qint64 queued();
    QList<Store::SyncRunRecord> runs(const QString &job);

    QTemporaryDir m_dir;
    std::unique_ptr<Store::StateStore> m_store;
    std::unique_ptr<Broker::EmbeddedBroker> m_broker;
    std::unique_ptr<Runtime::ProjectEndpoints> m_endpoints;
    std::shared_ptr<const Model::Project> m_project;
};

void tst_SyncScheduler::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString p = m_dir.filePath(u"project"_s);
    writeFile(p + u"/project.json"_s, "{'kind':'Project','schemaVersion':1,'id':'p','name':'P'}");
    auto endpoint = [&](const char *id, const char *file) {
        writeFile(p + u"/endpoints/%1.json"_s.arg(QLatin1StringView(id)),
                  "{'kind':'Endpoint','schemaVersion':1,'id':'" + QByteArray(id) + "','name':'x','type':'database',"
                  "'protocol':'sql','url':'sqlite:" + QByteArray(file) + "','configuration':{}}");
    };
    endpoint("src", "source.db");
    endpoint("dst", "target.db");
    endpoint("broken", "missing.db");
    writeFile(p + u"/endpoints/events.json"_s,
              "{'kind':'Endpoint','schemaVersion':1,'id':'events','name':'x','type':'message_queue',"
              "'protocol':'conflux_broker','configuration':{'queue':'changes','wait_ms':100}}");
    writeFile(p + u"/queues/changes.json"_s,
              "{'kind':'Queue','schemaVersion':1,'id':'changes','name':'Changes','queue_type':'standard',"
              "'delivery_mode':'at_least_once'}");
    auto job = [&](const char *id, const QByteArray &members) {
        writeFile(p + u"/sync/%1.json"_s.arg(QLatin1StringView(id)),
                  "{'kind':'SyncJob','schemaVersion':1,'id':'" + QByteArray(id) + "','name':'x',"
                  "'target_endpoint':'dst','key_fields':['id']," + members + "}");
    };
    job("nightly", "'source_endpoint':'src','source_object':'customers','target_object':'scheduled',"
                   "'sync_strategy':'scheduled','schedule':'* * * * *'");
    job("live", "'source_endpoint':'src','source_object':'customers','target_object':'live',"
                "'sync_strategy':'real_time','poll_interval_seconds':0.2,'cursor_field':'updated_at'");
    job("events", "'source_endpoint':'events','target_object':'events','sync_strategy':'event_driven',"
                  "'source_queue':'changes'");
    job("flaky", "'source_endpoint':'broken','source_object':'customers','target_object':'live',"
                 "'sync_strategy':'real_time','poll_interval_seconds':0.05");

    for (const QString &db : {u"source.db"_s, u"target.db"_s}) {
        exec(db, u"CREATE TABLE IF NOT EXISTS customers (id INTEGER PRIMARY KEY, name TEXT, updated_at TEXT)"_s);
        for (const QString &table : {u"scheduled"_s, u"live"_s, u"events"_s})
            exec(db, u"CREATE TABLE IF NOT EXISTS %1 (id INTEGER PRIMARY KEY, name TEXT, updated_at TEXT)"_s.arg(table));
    }
    exec(u"source.db"_s, u"INSERT INTO customers VALUES (1, 'a', '2024-01-01T00:00:01Z'), (2, 'b', '2024-01-01T00:00:02Z')"_s);

    Model::LoadResult loaded = Model::ProjectLoader().loadFolder(p);
    QVERIFY2(loaded.isOk(), qPrintable(loaded.errors.isEmpty() ? QString() : loaded.errors.first().message));
    m_project = loaded.project;

    Store::StoreConfig config;
    config.driver = Store::StoreConfig::Driver::Sqlite;
    config.sqlitePath = m_dir.filePath(u"state.db"_s);
    m_store = Store::StateStore::create(config);
    QVERIFY(m_store->open());

    Broker::EmbeddedBroker::Options options;
    options.databasePath = m_dir.filePath(u"broker.db"_s);
    m_broker = std::make_unique<Broker::EmbeddedBroker>(options);
    QVERIFY(m_broker->open());
    Broker::QueueConfig queue;
    queue.name = u"changes"_s;
    QVERIFY(m_broker->declareQueue(queue));

    Connectors::ConnectorContext context;
    context.baseDirectory = m_dir.filePath(u"project"_s);
    auto endpoints = Runtime::ProjectEndpoints::create(m_broker.get(), context);
    QVERIFY(endpoints);
    m_endpoints = std::move(*endpoints);
}

void tst_SyncScheduler::cleanupTestCase()
{
    m_endpoints.reset();
    m_broker.reset();
}

qint64 tst_SyncScheduler::count(const QString &database, const QString &sql)
{
    qint64 out = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"probe"_s);
        db.setDatabaseName(m_dir.filePath(u"project/"_s + database));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                out = q.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(u"probe"_s);
    return out;
}

void tst_SyncScheduler::exec(const QString &database, const QString &sql)
{
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"probe"_s);
        db.setDatabaseName(m_dir.filePath(u"project/"_s + database));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY2(q.exec(sql), qPrintable(sql));
    }
    QSqlDatabase::removeDatabase(u"probe"_s);
}

qint64 tst_SyncScheduler::queued()
{
    Result<QList<Broker::QueueStats>> stats = m_broker->stats();
    if (!stats)
        return -1;
    for (const Broker::QueueStats &queue : *stats) {
        if (queue.name == "changes"_L1)
            return queue.depth + queue.inFlight + queue.delayed;
    }
    return -1;
}

// The project's jobs, only those named.
std::shared_ptr<const Runtime::SyncJobs> tst_SyncScheduler::jobs(const QString &node, const QStringList &only)
{
    auto project = std::make_shared<Model::Project>(*m_project);
    project->syncJobs.removeIf([&](const Model::SyncJob &job) { return !only.contains(job.document.id); });
    Runtime::SyncJobsOptions options;
    options.store = m_store.get();
    options.endpoints = m_endpoints.get();
    options.node = node;
    options.projectFolder = m_dir.filePath(u"project"_s);
    return Runtime::SyncJobs::create(project, options);
}

QList<Store::SyncRunRecord> tst_SyncScheduler::runs(const QString &job)
{
    Result<QList<Store::SyncRunRecord>> out = m_store->syncRuns(job, 1000);
    return out ? *out : QList<Store::SyncRunRecord>();
}

void tst_SyncScheduler::scheduledFiresRunOnceAcrossTwoNodes()
{
    // Two nodes on one store, with one made-up clock: 10:00:30, then 10:01:10, then 10:03:20
    // (10:02 missed by both: run_once runs it late, once).
    QDateTime now = QDateTime(QDate(2030, 5, 6), QTime(10, 0, 30), Qt::UTC);
    auto clock = [&now] { return now; };
    auto jobsA = jobs(u"node-a"_s, {u"nightly"_s}), jobsB = jobs(u"node-b"_s, {u"nightly"_s});
    Runtime::SyncScheduler a([&] { return jobsA; }, m_store.get(), u"node-a"_s, nullptr);
    Runtime::SyncScheduler b([&] { return jobsB; }, m_store.get(), u"node-b"_s, nullptr);
    a.setClock(clock);
    b.setClock(clock);
    QSignalSpy doneA(&a, &Runtime::SyncScheduler::runFinished);
    QSignalSpy doneB(&b, &Runtime::SyncScheduler::runFinished);
    auto scheduledRuns = [&] {
        int n = 0;
        for (const auto &run : runs(u"nightly"_s))
            n += run.trigger == "schedule"_L1 ? 1 : 0;
        return n;
    };
    a.start(20);
    b.start(20);
    QTRY_COMPARE_WITH_TIMEOUT(scheduledRuns(), 1, 10000);
    QTest::qWait(300); // both ticked many times at 10:00:30: still one run
    QCOMPARE(scheduledRuns(), 1);
    QCOMPARE(count(u"target.db"_s, u"SELECT count(*) FROM scheduled"_s), 2);

    now = QDateTime(QDate(2030, 5, 6), QTime(10, 1, 10), Qt::UTC);
    QTRY_COMPARE_WITH_TIMEOUT(scheduledRuns(), 2, 10000);
    now = QDateTime(QDate(2030, 5, 6), QTime(10, 3, 20), Qt::UTC);
    QTRY_COMPARE_WITH_TIMEOUT(scheduledRuns(), 3, 10000);
    QTest::qWait(300);
    QCOMPARE(scheduledRuns(), 3);
    a.stop();
    b.stop();
    const auto last = m_store->lastScheduledFire(u"nightly"_s);
    QVERIFY(last && *last);
    QCOMPARE(**last, QDateTime(QDate(2030, 5, 6), QTime(10, 3), Qt::UTC));
    // Both nodes took part (whoever claimed a fire ran it), and every run was a success.
    for (const auto &run : runs(u"nightly"_s))
        QCOMPARE(run.status, u"succeeded"_s);
}

void tst_SyncScheduler::realTimePollingBringsChangesQuickly()
{
    auto current = jobs(u"node-a"_s, {u"live"_s});
    Runtime::SyncScheduler scheduler([&] { return current; }, m_store.get(), u"node-a"_s, nullptr);
    scheduler.start(20);
    QTRY_COMPARE_WITH_TIMEOUT(count(u"target.db"_s, u"SELECT count(*) FROM live"_s), 2, 10000);
    QTest::qWait(600); // three polls that find nothing
    const qsizetype before = runs(u"live"_s).size();
    QCOMPARE(before, 1); // empty polls leave no run record

    exec(u"source.db"_s, u"INSERT INTO customers VALUES (3, 'c', '2024-01-01T00:00:03Z')"_s);
    QElapsedTimer seen;
    seen.start();
    QTRY_COMPARE_WITH_TIMEOUT(count(u"target.db"_s, u"SELECT count(*) FROM live"_s), 3, 10000);
    // A figure, not an assertion (the machine is shared): poll_interval_seconds 0.2.
    qInfo("change visible in the target after %lld ms", seen.elapsed());
    scheduler.stop();
    QCOMPARE(runs(u"live"_s).size(), 2);
    QCOMPARE(runs(u"live"_s).front().trigger, u"poll"_s);
}

void tst_SyncScheduler::eventDrivenJobWritesEachMessage()
{
    auto current = jobs(u"node-a"_s, {u"events"_s});
    Runtime::SyncScheduler scheduler([&] { return current; }, m_store.get(), u"node-a"_s, nullptr);
    for (int i = 1; i <= 30; ++i) {
        Broker::Message message;
        message.payload = Data::Value(Data::Object{{u"id"_s, Data::Value(qint64(i % 20))},
                                                   {u"name"_s, Data::Value(u"event %1"_s.arg(i))}});
        QVERIFY(m_broker->publish(u"changes"_s, message));
    }
    scheduler.start(20);
    QTRY_COMPARE_WITH_TIMEOUT(count(u"target.db"_s, u"SELECT count(*) FROM events"_s), 20, 10000);
    // Every message is acknowledged once its record is in the target.
    QTRY_COMPARE_WITH_TIMEOUT(queued(), 0, 10000);
    QCOMPARE(count(u"target.db"_s, u"SELECT count(*) FROM events WHERE name = 'event 25'"_s), 1); // id 5: the later one
    scheduler.stop();
    qint64 read = 0;
    for (const auto &run : runs(u"events"_s)) {
        QCOMPARE(run.trigger, u"message"_s);
        read += run.read;
    }
    QCOMPARE(read, 30);

    // The target goes away: the messages stay in the queue, none is lost.
    exec(u"target.db"_s, u"ALTER TABLE events RENAME TO events_away"_s);
    for (int i = 100; i < 105; ++i) {
        Broker::Message message;
        message.payload = Data::Value(Data::Object{{u"id"_s, Data::Value(qint64(i))}});
        QVERIFY(m_broker->publish(u"changes"_s, message));
    }
    Runtime::SyncScheduler again([&] { return current; }, m_store.get(), u"node-a"_s, nullptr);
    QSignalSpy finished(&again, &Runtime::SyncScheduler::runFinished);
    again.start(20);
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 20000);
    again.stop();
    QCOMPARE(finished.first().at(1).toString(), u"failed"_s);
    QCOMPARE(queued(), 5);
    exec(u"target.db"_s, u"ALTER TABLE events_away RENAME TO events"_s);
    Runtime::SyncScheduler recovered([&] { return current; }, m_store.get(), u"node-a"_s, nullptr);
    recovered.start(20);
    QTRY_COMPARE_WITH_TIMEOUT(count(u"target.db"_s, u"SELECT count(*) FROM events WHERE id >= 100"_s), 5, 15000);
    recovered.stop();
}

void tst_SyncScheduler::failingPollsBackOff()
{
    auto current = jobs(u"node-a"_s, {u"flaky"_s});
    Runtime::SyncScheduler scheduler([&] { return current; }, m_store.get(), u"node-a"_s, nullptr);
    QSignalSpy finished(&scheduler, &Runtime::SyncScheduler::runFinished);
    scheduler.start(20);
    QTest::qWait(2500);
    scheduler.stop();
    int flaky = 0;
    for (const QList<QVariant> &signal : std::as_const(finished))
        flaky += signal.at(0).toString() == "flaky"_L1 ? 1 : 0;
    // Every 50 ms would be ~50 polls; backing off 1 s, 2 s: at most 3.
    QVERIFY2(flaky >= 1 && flaky <= 3, qPrintable(QString::number(flaky)));
    const auto failed = runs(u"flaky"_s);
    QVERIFY(!failed.isEmpty());
    QCOMPARE(failed.front().status, u"failed"_s);
    QVERIFY2(failed.front().errors.contains(u"connection_failed"_s), qPrintable(failed.front().errors));
}

QTEST_GUILESS_MAIN(tst_SyncScheduler)
#include "tst_syncscheduler.moc"
