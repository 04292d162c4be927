// The sync engine's coordination state in the state store: the schema migration, runs,
// checkpoints, leases and scheduled fires, on SQLite and PostgreSQL.

#include "tst_statestore.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QTest>
#include <QThread>
#include <algorithm>
#include <barrier>
#include <limits>
#include <thread>
#include <vector>

#include "testsupport.h"

using namespace Conflux;
using namespace Conflux::Store;
using namespace StoreTest;

namespace {

// Runs `rounds` rounds of `contenders` calls, each contender on a thread of its own (so with
// a connection of its own), all calls of a round released at the same moment. Returns what
// each call returned, by round; errors are collected in `errors`.
template<typename Call>
QList<QList<bool>> race(int contenders, int rounds, Call call, QStringList *errors)
{
    QList<QList<bool>> results(rounds, QList<bool>(contenders, false));
    QMutex mutex;
    std::barrier start(contenders);
    std::vector<std::thread> threads;
    for (int c = 0; c < contenders; ++c) {
        threads.emplace_back([&, c] {
            for (int round = 0; round < rounds; ++round) {
                start.arrive_and_wait();
                const Result<bool> result = call(c, round);
                QMutexLocker lock(&mutex);
                if (result)
                    results[round][c] = *result;
                else
                    errors->append(QStringLiteral("contender %1, round %2: %3")
                                       .arg(c)
                                       .arg(round)
                                       .arg(result.error().toString()));
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    return results;
}

} // namespace

void tst_StateStore::downgradeToVersion1()
{
    RawDatabase raw(m_config);
    QVERIFY2(raw.isOpen(), qPrintable(raw.error()));
    QSqlQuery tables = raw.exec(
        isSqlite() ? QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' "
                                    "AND name LIKE 'sync!_%' ESCAPE '!'")
                   : QStringLiteral("SELECT tablename FROM pg_catalog.pg_tables "
                                    "WHERE schemaname = current_schema() "
                                    "AND tablename LIKE 'sync!_%' ESCAPE '!'"));
    QStringList names;
    while (tables.next())
        names.append(tables.value(0).toString());
    QVERIFY2(raw.error().isEmpty(), qPrintable(raw.error()));
    QCOMPARE(names.size(), 7);
    for (const QString &name : std::as_const(names))
        raw.exec(QStringLiteral("DROP TABLE %1").arg(name));
    raw.exec(QStringLiteral("DELETE FROM schema_migrations WHERE version >= 2"));
    QVERIFY2(raw.error().isEmpty(), qPrintable(raw.error()));
    QCOMPARE(raw.value(QStringLiteral("SELECT MAX(version) FROM schema_migrations")).toInt(), 1);
}

// A node upgraded from a binary that knew schema version 1: its store opens, migrates to 2
// and keeps what it held.
void tst_StateStore::migrationFromVersion1()
{
    QVERIFY(StateStore::latestSchemaVersion() >= 2);
    {
        auto store = StateStore::create(m_config);
        VERIFY_OK(store->open());
        VERIFY_OK(store->addProjectVersion(bundle("version one"), false));
        VERIFY_OK(store->addProjectVersion(bundle("version two"), true));
        VERIFY_OK(store->addApiToken(QStringLiteral("ci"), QStringLiteral("hash-ci")));
        VERIFY_OK(store->setSetting(QStringLiteral("node.name"), QStringLiteral("alpha")));
    }
    downgradeToVersion1();
    if (QTest::currentTestFailed())
        return;

    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());
    QCOMPARE(store->schemaVersion(), StateStore::latestSchemaVersion());
    auto versions = store->projectVersions();
    VERIFY_OK(versions);
    QCOMPARE(versions->size(), 2);
    auto active = store->activeProjectVersion();
    VERIFY_OK(active);
    QCOMPARE(active->value_or(0), 2);
    auto two = store->projectVersion(2);
    VERIFY_OK(two);
    QCOMPARE(two->bundle, QByteArray("version two"));
    auto token = store->findApiTokenByHash(QStringLiteral("hash-ci"));
    VERIFY_OK(token);
    QVERIFY(token->has_value());
    QCOMPARE((*token)->name, QStringLiteral("ci"));
    auto name = store->setting(QStringLiteral("node.name"));
    VERIFY_OK(name);
    QCOMPARE(name->value_or(QString()), QStringLiteral("alpha"));

    // The new tables work.
    auto run = store->startSyncRun(
        newRun(QStringLiteral("orders"), QStringLiteral("n1"), QStringLiteral("manual")));
    VERIFY_OK(run);
    auto lease = store->acquireSyncLease(QStringLiteral("orders"), QStringLiteral("n1"), 10000);
    VERIFY_OK(lease);
    QVERIFY(*lease);

    RawDatabase raw(m_config);
    QCOMPARE(raw.value(QStringLiteral("SELECT COUNT(*) FROM schema_migrations")).toInt(),
             StateStore::latestSchemaVersion());
    QVERIFY(!raw.value(QStringLiteral("SELECT name FROM schema_migrations WHERE version = 2"))
                 .toString()
                 .isEmpty());
}

void tst_StateStore::syncRuns()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());

    SyncRunRecord first
        = newRun(QStringLiteral("orders"), QStringLiteral("node-a"), QStringLiteral("schedule"));
    first.startedAt = baseTime();
    first.status = QStringLiteral("succeeded"); // ignored: a run starts as running
    first.checkpointBefore = QStringLiteral("{\"updatedSince\": \"2026-03-01T00:00:00Z\"}");
    auto firstId = store->startSyncRun(first);
    VERIFY_OK(firstId);

    SyncRunRecord second
        = newRun(QStringLiteral("orders"), QStringLiteral("node-b"), QStringLiteral("manual"));
    second.startedAt = baseTime().addSecs(60);
    auto secondId = store->startSyncRun(second);
    VERIFY_OK(secondId);
    SyncRunRecord other
        = newRun(QStringLiteral("customers"), QStringLiteral("node-b"), QStringLiteral("poll"));
    other.startedAt = baseTime().addSecs(30);
    auto otherId = store->startSyncRun(other);
    VERIFY_OK(otherId);
    auto unstamped = store->startSyncRun(
        newRun(QStringLiteral("stock"), QStringLiteral("node-a"), QStringLiteral("webhook")));
    VERIFY_OK(unstamped);
    QVERIFY(*firstId != *secondId && *secondId != *otherId);

    auto read = store->syncRun(*firstId);
    VERIFY_OK(read);
    QVERIFY(read->has_value());
    const SyncRunRecord &stored = **read;
    QCOMPARE(stored.id, *firstId);
    QCOMPARE(stored.jobId, QStringLiteral("orders"));
    QCOMPARE(stored.node, QStringLiteral("node-a"));
    QCOMPARE(stored.trigger, QStringLiteral("schedule"));
    QCOMPARE(stored.status, QStringLiteral("running"));
    QCOMPARE(stored.startedAt, baseTime());
    QVERIFY(!stored.finishedAt.has_value());
    QCOMPARE(stored.checkpointBefore, first.checkpointBefore);
    QCOMPARE(stored.checkpointAfter, QString());
    QCOMPARE(stored.errors, QString());
    auto now = store->syncRun(*unstamped);
    VERIFY_OK(now);
    QVERIFY((*now)->startedAt > baseTime() && (*now)->startedAt.timeSpec() == Qt::UTC);

    SyncRunRecord done = stored;
    done.status = QStringLiteral("succeeded");
    done.finishedAt = baseTime().addSecs(45);
    done.read = 120;
    done.written = 100;
    done.skipped = 11;
    done.rejected = 5;
    done.conflicts = 3;
    done.deleted = 1;
    done.checkpointAfter = QStringLiteral("\"2026-03-01T12:00:40Z\"");
    done.errors = QStringLiteral("[]");
    done.reconciliation = QStringLiteral("{\"source\": 120, \"target\": 120}");
    VERIFY_OK(store->finishSyncRun(done));
    read = store->syncRun(*firstId);
    VERIFY_OK(read);
    QCOMPARE((*read)->status, QStringLiteral("succeeded"));
    QCOMPARE((*read)->finishedAt.value_or(QDateTime()), baseTime().addSecs(45));
    QCOMPARE((*read)->read, qint64(120));
    QCOMPARE((*read)->written, qint64(100));
    QCOMPARE((*read)->skipped, qint64(11));
    QCOMPARE((*read)->rejected, qint64(5));
    QCOMPARE((*read)->conflicts, qint64(3));
    QCOMPARE((*read)->deleted, qint64(1));
    QCOMPARE((*read)->checkpointBefore, first.checkpointBefore);
    QCOMPARE((*read)->checkpointAfter, done.checkpointAfter);
    QCOMPARE((*read)->errors, QStringLiteral("[]"));
    QCOMPARE((*read)->reconciliation, done.reconciliation);

    // A finished run stays finished; unknown runs and statuses are refused.
    done.status = QStringLiteral("failed");
    VERIFY_ERROR(store->finishSyncRun(done), "store_invalid_argument");
    SyncRunRecord ghost = done;
    ghost.id = 999999;
    VERIFY_ERROR(store->finishSyncRun(ghost), "store_not_found");
    SyncRunRecord stillRunning = **store->syncRun(*secondId);
    stillRunning.status = QStringLiteral("running");
    VERIFY_ERROR(store->finishSyncRun(stillRunning), "store_invalid_argument");
    stillRunning.status = QStringLiteral("failed");
    stillRunning.read = -1;
    VERIFY_ERROR(store->finishSyncRun(stillRunning), "store_invalid_argument");

    // Newest first by start time, per job or for all.
    auto orders = store->syncRuns(QStringLiteral("orders"));
    VERIFY_OK(orders);
    QCOMPARE(orders->size(), 2);
    QCOMPARE(orders->at(0).id, *secondId);
    QCOMPARE(orders->at(1).id, *firstId);
    auto all = store->syncRuns(QString());
    VERIFY_OK(all);
    QCOMPARE(all->size(), 4);
    QCOMPARE(all->at(0).id, *unstamped);
    QCOMPARE(all->at(1).id, *secondId);
    QCOMPARE(all->at(2).id, *otherId);
    QCOMPARE(all->at(3).id, *firstId);
    auto limited = store->syncRuns(QString(), 2);
    VERIFY_OK(limited);
    QCOMPARE(limited->size(), 2);
    VERIFY_ERROR(store->syncRuns(QString(), 0), "store_invalid_argument");
    auto none = store->syncRuns(QStringLiteral("no-such-job"));
    VERIFY_OK(none);
    QVERIFY(none->isEmpty());
    auto missing = store->syncRun(424242);
    VERIFY_OK(missing);
    QVERIFY(!missing->has_value());

    // node-b restarts after a crash: its running runs become interrupted, nobody else's.
    auto interrupted = store->interruptSyncRuns(QStringLiteral("node-b"));
    VERIFY_OK(interrupted);
    QCOMPARE(*interrupted, 2);
    auto again = store->interruptSyncRuns(QStringLiteral("node-b"));
    VERIFY_OK(again);
    QCOMPARE(*again, 0);
    auto secondRead = store->syncRun(*secondId);
    VERIFY_OK(secondRead);
    QCOMPARE((*secondRead)->status, QStringLiteral("interrupted"));
    QVERIFY((*secondRead)->finishedAt.has_value());
    QCOMPARE((**store->syncRun(*unstamped)).status, QStringLiteral("running"));
    QCOMPARE((**store->syncRun(*firstId)).status, QStringLiteral("succeeded"));
    stillRunning.read = 0;
    VERIFY_ERROR(store->finishSyncRun(stillRunning), "store_invalid_argument");

    // A reconciliation is stored with a run in any status, and replaced by a later one.
    VERIFY_OK(store->setSyncRunReconciliation(*firstId, QStringLiteral("{\"matched\":1}")));
    VERIFY_OK(store->setSyncRunReconciliation(*secondId, QStringLiteral("{\"matched\":2}")));
    VERIFY_OK(store->setSyncRunReconciliation(*secondId, QStringLiteral("{\"matched\":3}")));
    QCOMPARE((**store->syncRun(*firstId)).reconciliation, QStringLiteral("{\"matched\":1}"));
    QCOMPARE((**store->syncRun(*secondId)).reconciliation, QStringLiteral("{\"matched\":3}"));
    VERIFY_ERROR(store->setSyncRunReconciliation(424242, QStringLiteral("{}")), "store_not_found");
    VERIFY_ERROR(store->setSyncRunReconciliation(*firstId, QStringLiteral("[1]")), "store_invalid_argument");
    VERIFY_ERROR(store->setSyncRunReconciliation(*firstId, QString()), "store_invalid_argument");

    // Bad runs are refused and leave nothing behind.
    VERIFY_ERROR(
        store->startSyncRun(newRun(QString(), QStringLiteral("n"), QStringLiteral("manual"))),
        "store_invalid_argument");
    const auto badTrigger = store->startSyncRun(
        newRun(QStringLiteral("orders"), QStringLiteral("n"), QStringLiteral("cron")));
    VERIFY_ERROR(badTrigger, "store_invalid_argument");
    QVERIFY2(badTrigger.error().message.contains(QLatin1String("cron")),
             qPrintable(badTrigger.error().message));
    SyncRunRecord negative
        = newRun(QStringLiteral("orders"), QStringLiteral("n"), QStringLiteral("message"));
    negative.conflicts = -2;
    VERIFY_ERROR(store->startSyncRun(negative), "store_invalid_argument");
    all = store->syncRuns(QString());
    VERIFY_OK(all);
    QCOMPARE(all->size(), 4);
}

void tst_StateStore::syncCheckpoints()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());

    auto none = store->syncCheckpoint(QStringLiteral("orders"));
    VERIFY_OK(none);
    QVERIFY(!none->has_value());

    SyncCheckpoint checkpoint;
    checkpoint.jobId = QStringLiteral("orders");
    checkpoint.cursor = QStringLiteral("{\"updatedSince\": \"2026-03-01T12:00:00Z\", \"id\": 17}");
    checkpoint.runId = 5;
    checkpoint.updatedAt = baseTime();
    VERIFY_OK(store->saveSyncCheckpoint(checkpoint));
    auto read = store->syncCheckpoint(QStringLiteral("orders"));
    VERIFY_OK(read);
    QVERIFY(read->has_value());
    QCOMPARE((*read)->jobId, QStringLiteral("orders"));
    QCOMPARE((*read)->cursor, checkpoint.cursor);
    QCOMPARE((*read)->runId, qint64(5));
    QCOMPARE((*read)->updatedAt, baseTime());

    // Saving again replaces it; any JSON value is a cursor; run 0 is "none".
    SyncCheckpoint next;
    next.jobId = QStringLiteral("orders");
    next.cursor = QStringLiteral("4711");
    VERIFY_OK(store->saveSyncCheckpoint(next));
    read = store->syncCheckpoint(QStringLiteral("orders"));
    VERIFY_OK(read);
    QCOMPARE((*read)->cursor, QStringLiteral("4711"));
    QCOMPARE((*read)->runId, qint64(0));
    QVERIFY((*read)->updatedAt > baseTime()); // "now"

    SyncCheckpoint other;
    other.jobId = QStringLiteral("customers");
    other.cursor = QStringLiteral("\"page-3\"");
    VERIFY_OK(store->saveSyncCheckpoint(other));

    // A cursor that is not JSON is refused and the stored one stays.
    SyncCheckpoint bad = next;
    bad.cursor = QStringLiteral("{\"id\": ");
    const auto refused = store->saveSyncCheckpoint(bad);
    VERIFY_ERROR(refused, "store_invalid_argument");
    QVERIFY2(refused.error().message.contains(QLatin1String("cursor")),
             qPrintable(refused.error().message));
    bad.cursor.clear();
    VERIFY_ERROR(store->saveSyncCheckpoint(bad), "store_invalid_argument");
    bad.cursor = QStringLiteral("1 2");
    VERIFY_ERROR(store->saveSyncCheckpoint(bad), "store_invalid_argument");
    bad.cursor = QStringLiteral("1");
    bad.jobId.clear();
    VERIFY_ERROR(store->saveSyncCheckpoint(bad), "store_invalid_argument");
    read = store->syncCheckpoint(QStringLiteral("orders"));
    VERIFY_OK(read);
    QCOMPARE((*read)->cursor, QStringLiteral("4711"));

    VERIFY_OK(store->clearSyncCheckpoint(QStringLiteral("orders")));
    VERIFY_OK(store->clearSyncCheckpoint(QStringLiteral("orders"))); // twice is fine
    read = store->syncCheckpoint(QStringLiteral("orders"));
    VERIFY_OK(read);
    QVERIFY(!read->has_value());
    read = store->syncCheckpoint(QStringLiteral("customers"));
    VERIFY_OK(read);
    QCOMPARE((*read)->cursor, QStringLiteral("\"page-3\""));
}

void tst_StateStore::syncLeases()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());
    const QString job = QStringLiteral("orders");
    const QString a = QStringLiteral("node-a");
    const QString b = QStringLiteral("node-b");

    auto holder = store->syncLeaseHolder(job);
    VERIFY_OK(holder);
    QVERIFY(!holder->has_value());

    auto taken = store->acquireSyncLease(job, a, 60000);
    VERIFY_OK(taken);
    QVERIFY(*taken);
    auto refused = store->acquireSyncLease(job, b, 60000);
    VERIFY_OK(refused);
    QVERIFY(!*refused);
    auto renewed = store->acquireSyncLease(job, a, 60000);
    VERIFY_OK(renewed);
    QVERIFY(*renewed);
    holder = store->syncLeaseHolder(job);
    VERIFY_OK(holder);
    QCOMPARE(holder->value_or(QString()), a);
    // Other jobs have leases of their own.
    auto otherJob = store->acquireSyncLease(QStringLiteral("customers"), b, 60000);
    VERIFY_OK(otherJob);
    QVERIFY(*otherJob);

    // Only the holder releases.
    VERIFY_OK(store->releaseSyncLease(job, b));
    holder = store->syncLeaseHolder(job);
    VERIFY_OK(holder);
    QCOMPARE(holder->value_or(QString()), a);
    VERIFY_OK(store->releaseSyncLease(job, a));
    holder = store->syncLeaseHolder(job);
    VERIFY_OK(holder);
    QVERIFY(!holder->has_value());
    taken = store->acquireSyncLease(job, b, 60000);
    VERIFY_OK(taken);
    QVERIFY(*taken);
    VERIFY_OK(store->releaseSyncLease(job, b));

    // Expiry lets another take it.
    taken = store->acquireSyncLease(job, a, 300);
    VERIFY_OK(taken);
    QVERIFY(*taken);
    refused = store->acquireSyncLease(job, b, 300);
    VERIFY_OK(refused);
    QVERIFY(!*refused);
    QThread::msleep(450);
    holder = store->syncLeaseHolder(job);
    VERIFY_OK(holder);
    QVERIFY(!holder->has_value()); // expired
    taken = store->acquireSyncLease(job, b, 60000);
    VERIFY_OK(taken);
    QVERIFY(*taken);
    refused = store->acquireSyncLease(job, a, 60000);
    VERIFY_OK(refused);
    QVERIFY(!*refused);
    VERIFY_OK(store->releaseSyncLease(job, b));

    // Renewal moves the expiry: 600 ms, renewed after 300 ms for 3 s, still held at 900 ms.
    taken = store->acquireSyncLease(job, a, 600);
    VERIFY_OK(taken);
    QVERIFY(*taken);
    QThread::msleep(300);
    renewed = store->acquireSyncLease(job, a, 3000);
    VERIFY_OK(renewed);
    QVERIFY(*renewed);
    QThread::msleep(600);
    refused = store->acquireSyncLease(job, b, 60000);
    VERIFY_OK(refused);
    QVERIFY(!*refused);
    holder = store->syncLeaseHolder(job);
    VERIFY_OK(holder);
    QCOMPARE(holder->value_or(QString()), a);

    VERIFY_ERROR(store->acquireSyncLease(QString(), a, 1000), "store_invalid_argument");
    VERIFY_ERROR(store->acquireSyncLease(job, QString(), 1000), "store_invalid_argument");
    VERIFY_ERROR(store->acquireSyncLease(job, a, 0), "store_invalid_argument");
    VERIFY_ERROR(store->acquireSyncLease(job, a, std::numeric_limits<qint64>::max()),
                 "store_invalid_argument");
}

// Threads of one store (each with its own connection) and two store objects on one database
// (two nodes) race for the same lease: exactly one wins each round.
void tst_StateStore::syncLeaseContention()
{
    auto nodeA = StateStore::create(m_config);
    auto nodeB = StateStore::create(m_config);
    VERIFY_OK(nodeA->open());
    VERIFY_OK(nodeB->open());
    constexpr int contenders = 4; // two threads on each store
    constexpr int rounds = 25;
    auto storeOf = [&](int contender) { return contender % 2 == 0 ? nodeA.get() : nodeB.get(); };
    auto holderOf = [](int contender) { return QStringLiteral("holder-%1").arg(contender); };
    auto jobOf = [](int round) { return QStringLiteral("job-%1").arg(round); };

    QStringList errors;
    const QList<QList<bool>> won = race(
        contenders, rounds,
        [&](int c, int round) {
            return storeOf(c)->acquireSyncLease(jobOf(round), holderOf(c), 60000);
        },
        &errors);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    QList<int> winners;
    for (int round = 0; round < rounds; ++round) {
        const QList<bool> &results = won.at(round);
        QCOMPARE(int(std::count(results.cbegin(), results.cend(), true)), 1);
        const int winner
            = int(std::find(results.cbegin(), results.cend(), true) - results.cbegin());
        winners.append(winner);
        auto holder = nodeB->syncLeaseHolder(jobOf(round));
        VERIFY_OK(holder);
        QCOMPARE(holder->value_or(QString()), holderOf(winner));
    }

    // Renewal racing with takeover attempts: the holder keeps it every time.
    const QList<QList<bool>> renewed = race(
        contenders, rounds,
        [&](int c, int round) {
            return storeOf(c)->acquireSyncLease(jobOf(round), holderOf(c), 60000);
        },
        &errors);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    for (int round = 0; round < rounds; ++round) {
        for (int c = 0; c < contenders; ++c)
            QCOMPARE(renewed.at(round).at(c), c == winners.at(round));
    }

    // Expired leases: again exactly one of the racers takes each. (The 1 ms leases themselves
    // may expire before every racer has looked, so more than one may get them.)
    race(
        contenders, rounds,
        [&](int c, int round) {
            return storeOf(c)->acquireSyncLease(QStringLiteral("short-%1").arg(round), holderOf(c),
                                                1);
        },
        &errors);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    QThread::msleep(20);
    const QList<QList<bool>> takeovers = race(
        contenders, rounds,
        [&](int c, int round) {
            return storeOf(c)->acquireSyncLease(QStringLiteral("short-%1").arg(round),
                                                QStringLiteral("late-%1").arg(c), 60000);
        },
        &errors);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    for (int round = 0; round < rounds; ++round) {
        const QList<bool> &results = takeovers.at(round);
        QCOMPARE(int(std::count(results.cbegin(), results.cend(), true)), 1);
        const int winner
            = int(std::find(results.cbegin(), results.cend(), true) - results.cbegin());
        auto holder = nodeA->syncLeaseHolder(QStringLiteral("short-%1").arg(round));
        VERIFY_OK(holder);
        QCOMPARE(holder->value_or(QString()), QStringLiteral("late-%1").arg(winner));
    }
}

void tst_StateStore::syncLeaseSkipsLockedRow_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("postgres") << QStringLiteral("postgres"); // SQLite has no row locks
}

// PostgreSQL: a lease row that another transaction holds locked (a concurrent acquirer) counts
// as taken at once, even when it has expired; no waiting for the lock.
void tst_StateStore::syncLeaseSkipsLockedRow()
{
    StoreConfig config = m_config;
    config.lockTimeoutMs = 30000; // waiting instead of skipping would show as a long stall
    auto store = StateStore::create(config);
    VERIFY_OK(store->open());
    const QString job = QStringLiteral("orders");
    auto taken = store->acquireSyncLease(job, QStringLiteral("node-a"), 1);
    VERIFY_OK(taken);
    QVERIFY(*taken);
    QThread::msleep(10); // expired now

    RawDatabase raw(m_config);
    QVERIFY2(raw.isOpen(), qPrintable(raw.error()));
    raw.exec(QStringLiteral("BEGIN"));
    QSqlQuery locked = raw.exec(
        QStringLiteral("SELECT holder FROM sync_leases WHERE job_id = ? FOR UPDATE"), {job});
    QVERIFY2(locked.next(), qPrintable(raw.error()));

    QElapsedTimer timer;
    timer.start();
    auto whileLocked = store->acquireSyncLease(job, QStringLiteral("node-b"), 60000);
    const qint64 elapsed = timer.elapsed();
    VERIFY_OK(whileLocked);
    QVERIFY(!*whileLocked);
    QVERIFY2(elapsed < 20000, qPrintable(QStringLiteral("waited %1 ms").arg(elapsed)));

    locked = QSqlQuery();
    raw.exec(QStringLiteral("ROLLBACK"));
    QVERIFY2(raw.error().isEmpty(), qPrintable(raw.error()));
    auto afterwards = store->acquireSyncLease(job, QStringLiteral("node-b"), 60000);
    VERIFY_OK(afterwards);
    QVERIFY(*afterwards);
}

void tst_StateStore::scheduledFires()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());
    const QString job = QStringLiteral("nightly");

    auto last = store->lastScheduledFire(job);
    VERIFY_OK(last);
    QVERIFY(!last->has_value());

    const QDateTime fire = baseTime().addMSecs(123);
    auto claimed = store->claimScheduledFire(job, fire, QStringLiteral("node-a"));
    VERIFY_OK(claimed);
    QVERIFY(*claimed);
    auto twice = store->claimScheduledFire(job, fire, QStringLiteral("node-b"));
    VERIFY_OK(twice);
    QVERIFY(!*twice);
    auto sameHolder = store->claimScheduledFire(job, fire, QStringLiteral("node-a"));
    VERIFY_OK(sameHolder);
    QVERIFY(!*sameHolder);
    auto otherJob
        = store->claimScheduledFire(QStringLiteral("hourly"), fire, QStringLiteral("node-b"));
    VERIFY_OK(otherJob);
    QVERIFY(*otherJob);
    last = store->lastScheduledFire(job);
    VERIFY_OK(last);
    QCOMPARE(last->value_or(QDateTime()), fire);

    // 104 more fires: the newest 100 are kept, older ones pruned; a fire time older than all
    // kept ones is refused, since nobody can tell whether it ran.
    for (int i = 1; i <= 104; ++i) {
        auto next
            = store->claimScheduledFire(job, baseTime().addSecs(60 * i), QStringLiteral("node-a"));
        VERIFY_OK(next);
        QVERIFY(*next);
    }
    {
        RawDatabase raw(m_config);
        QCOMPARE(
            raw.value(QStringLiteral("SELECT COUNT(*) FROM sync_fires WHERE job_id = ?"), {job})
                .toInt(),
            100);
        QCOMPARE(
            raw.value(QStringLiteral("SELECT MIN(fire_at) FROM sync_fires WHERE job_id = ?"), {job})
                .toLongLong(),
            baseTime().addSecs(60 * 5).toMSecsSinceEpoch());
        QCOMPARE(raw.value(QStringLiteral("SELECT COUNT(*) FROM sync_fires WHERE job_id = ?"),
                           {QStringLiteral("hourly")})
                     .toInt(),
                 1);
    }
    auto ancient = store->claimScheduledFire(job, fire, QStringLiteral("node-b"));
    VERIFY_OK(ancient);
    QVERIFY(!*ancient);
    auto kept
        = store->claimScheduledFire(job, baseTime().addSecs(60 * 50), QStringLiteral("node-b"));
    VERIFY_OK(kept);
    QVERIFY(!*kept);
    last = store->lastScheduledFire(job);
    VERIFY_OK(last);
    QCOMPARE(last->value_or(QDateTime()), baseTime().addSecs(60 * 104));

    VERIFY_ERROR(store->claimScheduledFire(job, QDateTime(), QStringLiteral("a")),
                 "store_invalid_argument");
    VERIFY_ERROR(store->claimScheduledFire(QString(), baseTime(), QStringLiteral("a")),
                 "store_invalid_argument");
    VERIFY_ERROR(store->claimScheduledFire(job, baseTime(), QString()), "store_invalid_argument");
}

// Two nodes (store objects), two threads each, claim the same fire times: exactly one claim
// of each fire time succeeds.
void tst_StateStore::scheduledFireRace()
{
    auto nodeA = StateStore::create(m_config);
    auto nodeB = StateStore::create(m_config);
    VERIFY_OK(nodeA->open());
    VERIFY_OK(nodeB->open());
    constexpr int contenders = 4;
    constexpr int rounds = 40;
    auto storeOf = [&](int contender) { return contender % 2 == 0 ? nodeA.get() : nodeB.get(); };
    QStringList errors;
    const QList<QList<bool>> claims = race(
        contenders, rounds,
        [&](int c, int round) {
            return storeOf(c)->claimScheduledFire(QStringLiteral("every-minute"),
                                                  baseTime().addSecs(60 * round),
                                                  QStringLiteral("holder-%1").arg(c));
        },
        &errors);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    QList<int> wins(contenders, 0);
    for (int round = 0; round < rounds; ++round) {
        const QList<bool> &results = claims.at(round);
        QCOMPARE(int(std::count(results.cbegin(), results.cend(), true)), 1);
        ++wins[int(std::find(results.cbegin(), results.cend(), true) - results.cbegin())];
    }
    qInfo("claims won per contender: %d %d %d %d", wins[0], wins[1], wins[2], wins[3]);
    auto last = nodeB->lastScheduledFire(QStringLiteral("every-minute"));
    VERIFY_OK(last);
    QCOMPARE(last->value_or(QDateTime()), baseTime().addSecs(60 * (rounds - 1)));
    RawDatabase raw(m_config);
    QCOMPARE(raw.value(QStringLiteral("SELECT COUNT(*) FROM sync_fires")).toInt(), rounds);
}
