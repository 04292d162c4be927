// The sync runner end to end through the real SQL connector: an SQLite source into an SQLite
// target, or into the `postgres` fixture's real server when CONFLUX_TEST_SYNC_TARGET=postgres
// (ctest's tst_syncrunner_pg).

#include "synctestbed.h"

#include "store/syncstate.h"
#include "sync/recordhash.h"

using namespace Conflux::Test::SyncBed;
using Conflux::Sync::SyncRunner;

class tst_SyncRunner : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void fullThenIncremental();
    void checkpointStopsBeforeSharedCursorValues();
    void failedBatchKeepsCheckpointAndResumes();
    void transientFailureIsRetried();
    void rejectsGoToTheStore();
    void thresholdStopsTheJob();
    void malformedRecordsAreRejected();
    void rowHashChangeDetection();
    void mirrorDeletesWhatLeftTheSource();
    void mirrorKeepsRowsOfUnkeyedRejects();
    void manualConflictsAndResolution();
    void targetAndNewestWins();
    void targetDecisionsStickWithoutCursor();
    void leaseMakesASecondRunnerWait();
    void cancelledRunKeepsItsCheckpoint();
    void reconciliationFindsEveryDifference();
    void givenRecordsAreSyncedWithoutACheckpoint();

private:
    void createTables(bool withNotNullNote = false);
    void addSourceRows(int from, int to, int minute = 0);
    qint64 targetCount();
    QString stamp(int minute) const { return u"2024-02-01T10:%1:00Z"_s.arg(minute, 2, 10, QChar(u'0')); }
    Result<Sync::SyncRunResult> run(SyncRunner &runner, const Sync::SyncRunOptions &options = {})
    {
        return runner.run(options);
    }

    std::unique_ptr<Bed> m_bed;
};

void tst_SyncRunner::init()
{
    QMap<QString, QString> env;
    if (qEnvironmentVariable("CONFLUX_TEST_SYNC_TARGET") == "postgres"_L1) {
        QString error;
        env = Test::readFixtureEnv("CONFLUX_TEST_PG_ENV", &error);
        if (env.isEmpty())
            QFAIL(qPrintable(error));
    }
    m_bed = std::make_unique<Bed>(env);
    QVERIFY2(m_bed->target->error().isEmpty(), qPrintable(m_bed->target->error()));
}

void tst_SyncRunner::cleanup()
{
    m_bed.reset();
}

void tst_SyncRunner::createTables(bool notNullNote)
{
    QVERIFY(m_bed->source->exec(u"CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, "
                                "email TEXT, balance REAL, note TEXT, updated_at TEXT)"_s));
    const QString note = notNullNote ? u"note TEXT NOT NULL"_s : u"note TEXT"_s;
    if (m_bed->onPostgres()) {
        QVERIFY(m_bed->target->exec(
            u"CREATE TABLE %1 (id BIGINT PRIMARY KEY, name TEXT, email TEXT, balance DOUBLE "
            "PRECISION, %2, updated_at TIMESTAMPTZ)"_s.arg(m_bed->targetTable(u"customers"_s), note)));
    } else {
        QVERIFY(m_bed->target->exec(u"CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, "
                                    "email TEXT, balance REAL, %1, updated_at TEXT)"_s.arg(note)));
    }
}

void tst_SyncRunner::addSourceRows(int from, int to, int minute)
{
    for (int i = from; i <= to; ++i) {
        QVERIFY(m_bed->source->exec(
            u"INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?)"_s,
            {i, u"Customer %1"_s.arg(i), u"c%1@example.com"_s.arg(i), i * 1.5, u"n"_s,
             stamp(minute + i % 7)}));
    }
}

qint64 tst_SyncRunner::targetCount()
{
    return m_bed->target->value(u"SELECT count(*) FROM %1"_s.arg(m_bed->targetTable(u"customers"_s)))
        .toLongLong();
}

void tst_SyncRunner::fullThenIncremental()
{
    createTables();
    addSourceRows(1, 25);
    SyncRunner runner(Bed::job("'key_fields':['id'],'cursor_field':'updated_at','batch_size':4"),
                      m_bed->host());
    auto first = run(runner);
    QVERIFY2(first, first ? "" : qPrintable(first.error().toString()));
    QVERIFY2(!first->error, first->error ? qPrintable(first->error->toString()) : "");
    QCOMPARE(first->run.status, u"succeeded"_s);
    QCOMPARE(first->run.read, 25);
    QCOMPARE(first->run.written, 25);
    QCOMPARE(targetCount(), 25);
    QCOMPARE(first->run.checkpointAfter, u"\"%1\""_s.arg(stamp(6)));
    auto checkpoint = m_bed->store->syncCheckpoint(u"customers"_s);
    QVERIFY(checkpoint && *checkpoint);
    QCOMPARE((*checkpoint)->cursor, first->run.checkpointAfter);

    // Nothing changed: nothing read.
    auto idle = run(runner);
    QVERIFY(idle);
    QCOMPARE(idle->run.read, 0);
    QCOMPARE(idle->run.checkpointBefore, first->run.checkpointAfter);

    // Two rows change, one is new.
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET name = 'Changed', updated_at = ? WHERE id IN (3, 9)"_s,
                                {stamp(30)}));
    QVERIFY(m_bed->source->exec(u"INSERT INTO customers VALUES (26, 'New', 'n@x', 1, 'n', ?)"_s, {stamp(31)}));
    auto second = run(runner);
    QVERIFY(second && !second->error);
    QCOMPARE(second->run.read, 3);
    QCOMPARE(second->run.written, 3);
    QCOMPARE(targetCount(), 26);
    QCOMPARE(m_bed->target->value(u"SELECT name FROM %1 WHERE id = 9"_s.arg(m_bed->targetTable(u"customers"_s))).toString(),
             u"Changed"_s);

    auto reconciled = runner.reconcile();
    QVERIFY2(reconciled, reconciled ? "" : qPrintable(reconciled.error().toString()));
    QCOMPARE(reconciled->matched, 26);
    QCOMPARE(reconciled->accuracy(), 1.0);
    auto runs = m_bed->store->syncRuns(u"customers"_s, 1);
    QVERIFY(runs && !runs->isEmpty());
    QVERIFY(runs->front().reconciliation.contains(u"\"accuracy_percent\":100"_s));
}

void tst_SyncRunner::checkpointStopsBeforeSharedCursorValues()
{
    // Five records share the same cursor value across a batch boundary: a checkpoint between
    // them would lose the rest on resume.
    createTables(true);
    for (int i = 1; i <= 8; ++i) {
        QVERIFY(m_bed->source->exec(u"INSERT INTO customers VALUES (?, 'x', 'e', 1, ?, ?)"_s,
                                    {i, i == 8 ? QVariant() : QVariant(u"n"_s),
                                     stamp(i <= 2 ? i : 5)}));
    }
    // Batches of 3: [1 2 3] [4 5 6] [7 8]; record 8 cannot be written (note NOT NULL).
    SyncRunner runner(Bed::job("'key_fields':['id'],'cursor_field':'updated_at','batch_size':3,'max_retries':0"),
                      m_bed->host());
    auto result = run(runner);
    QVERIFY(result);
    QCOMPARE(result->run.status, u"failed"_s);
    QVERIFY(result->error);
    QCOMPARE(result->error->code, u"sync_write_failed"_s);
    // After batch one the safe cursor is minute 2 (record 3 has 5, shared with 4..8); batch two
    // ends on 5 as well, so the checkpoint stays at 2.
    QCOMPARE(result->run.checkpointAfter, u"\"%1\""_s.arg(stamp(2)));
    QCOMPARE(targetCount(), 6);

    QVERIFY(m_bed->source->exec(u"UPDATE customers SET note = 'fixed' WHERE id = 8"_s));
    auto resumed = run(runner);
    QVERIFY(resumed && !resumed->error);
    QCOMPARE(resumed->run.read, 6); // 3..8 again: harmless upserts
    QCOMPARE(targetCount(), 8);
    QCOMPARE(resumed->run.checkpointAfter, u"\"%1\""_s.arg(stamp(5)));
    auto reconciled = runner.reconcile();
    QVERIFY(reconciled);
    QCOMPARE(reconciled->matched, 8);
    QCOMPARE(reconciled->different + reconciled->missing + reconciled->extra, 0);
}

void tst_SyncRunner::failedBatchKeepsCheckpointAndResumes()
{
    createTables(true);
    addSourceRows(1, 10);
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET note = NULL WHERE id = 7"_s));
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET updated_at = printf('2024-02-01T10:%02d:00Z', id)"_s));
    SyncRunner runner(Bed::job("'key_fields':['id'],'cursor_field':'updated_at','batch_size':5,'max_retries':1"),
                      m_bed->host());
    auto failed = run(runner);
    QVERIFY(failed);
    QCOMPARE(failed->run.status, u"failed"_s);
    QVERIFY(failed->run.errors.contains(u"sync_write_failed"_s));
    QVERIFY2(failed->error->details.join(u' ').contains(u"record"_s), qPrintable(failed->error->toString()));
    QCOMPARE(targetCount(), 5); // the first batch, committed; nothing of the second
    QCOMPARE(failed->run.checkpointAfter, u"\"%1\""_s.arg(stamp(4)));

    QVERIFY(m_bed->source->exec(u"UPDATE customers SET note = 'ok' WHERE id = 7"_s));
    auto resumed = run(runner);
    QVERIFY(resumed && !resumed->error);
    QCOMPARE(resumed->run.checkpointBefore, u"\"%1\""_s.arg(stamp(4)));
    QCOMPARE(resumed->run.read, 6); // 5..10
    QCOMPARE(targetCount(), 10);
}

void tst_SyncRunner::transientFailureIsRetried()
{
    createTables();
    addSourceRows(1, 6);
    m_bed->failTargetWrites->store(2);
    SyncRunner runner(Bed::job("'key_fields':['id'],'cursor_field':'updated_at','batch_size':10,'max_retries':3"),
                      m_bed->host());
    auto result = run(runner);
    QVERIFY(result);
    QVERIFY2(!result->error, result->error ? qPrintable(result->error->toString()) : "");
    QCOMPARE(result->run.written, 6);
    QCOMPARE(targetCount(), 6);
    QCOMPARE(m_bed->targetConnectorsMade, 3); // a fresh connector for each retry

    // More failures than retries: the run stops with the write error.
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET updated_at = ?"_s, {stamp(50)}));
    m_bed->failTargetWrites->store(10);
    auto failed = run(runner);
    QVERIFY(failed);
    QCOMPARE(failed->run.status, u"failed"_s);
    QVERIFY(failed->error->toString().contains(u"connection_failed"_s));
    QCOMPARE(failed->run.checkpointAfter, failed->run.checkpointBefore);
    m_bed->failTargetWrites->store(0);
}

void tst_SyncRunner::rejectsGoToTheStore()
{
    createTables();
    addSourceRows(1, 10);
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET email = 'not-an-address' WHERE id IN (4, 8)"_s));
    auto mapping = Bed::mapping(
        "{'kind':'Mapping','schemaVersion':2,'id':'m','name':'m','rules':["
        "{'type':'field_mapping','source':'id','target':'id'},"
        "{'type':'uppercase','source':'name','target':'name'},"
        "{'type':'field_mapping','source':'email','target':'email'},"
        "{'type':'field_mapping','source':'balance','target':'balance'},"
        "{'type':'field_mapping','source':'note','target':'note'},"
        "{'type':'field_mapping','source':'updated_at','target':'updated_at'}],"
        "'validation':[{'field':'email','rule':'pattern','pattern':'^[^@]+@[^@]+$','message':'not an e-mail address'}]}");
    SyncRunner runner(Bed::job("'key_fields':['id'],'cursor_field':'updated_at','batch_size':4,"
                               "'validation_failure_threshold':0.25"),
                      m_bed->host(mapping));
    auto result = run(runner);
    QVERIFY(result);
    QVERIFY2(!result->error, result->error ? qPrintable(result->error->toString()) : "");
    QCOMPARE(result->run.rejected, 2);
    QCOMPARE(result->run.written, 8);
    QCOMPARE(targetCount(), 8);
    QCOMPARE(m_bed->target->value(u"SELECT name FROM %1 WHERE id = 1"_s.arg(m_bed->targetTable(u"customers"_s))).toString(),
             u"CUSTOMER 1"_s);
    auto rejects = m_bed->store->syncRejects(u"customers"_s, result->run.id);
    QVERIFY(rejects);
    QCOMPARE(rejects->size(), 2);
    QStringList keys;
    for (const Store::SyncReject &r : *rejects) {
        keys << r.key;
        QVERIFY2(r.reasons.contains(u"not an e-mail address"_s), qPrintable(r.reasons));
        QVERIFY2(r.record.contains(u"not-an-address"_s), qPrintable(r.record)); // the original
    }
    keys.sort();
    QCOMPARE(keys, (QStringList{u"4"_s, u"8"_s}));
}

void tst_SyncRunner::thresholdStopsTheJob()
{
    createTables();
    addSourceRows(1, 9);
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET updated_at = printf('2024-02-01T10:%02d:00Z', id)"_s));
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET email = NULL WHERE id >= 5"_s));
    auto mapping = Bed::mapping(
        "{'kind':'Mapping','schemaVersion':2,'id':'m','name':'m','rules':["
        "{'type':'field_mapping','source':'id','target':'id'},"
        "{'type':'field_mapping','source':'email','target':'email','required':true},"
        "{'type':'field_mapping','source':'updated_at','target':'updated_at'}]}");
    SyncRunner runner(Bed::job("'key_fields':['id'],'cursor_field':'updated_at','batch_size':3,"
                               "'validation_failure_threshold':0.2"),
                      m_bed->host(mapping));
    auto result = run(runner);
    QVERIFY(result);
    QCOMPARE(result->run.status, u"failed"_s);
    QCOMPARE(result->error->code, u"validation_threshold_exceeded"_s);
    // Batch [1 2 3] is written; [4 5 6] holds two rejects (2 of 6 > 20%) and is not written.
    QCOMPARE(targetCount(), 3);
    QCOMPARE(result->run.checkpointAfter, u"\"%1\""_s.arg(stamp(2)));
    QCOMPARE(result->run.rejected, 2);
}

void tst_SyncRunner::malformedRecordsAreRejected()
{
    createTables();
    SyncRunner runner(Bed::job("'key_fields':['id'],'validation_failure_threshold':0.5"), m_bed->host());
    Sync::SyncRunOptions options;
    options.trigger = u"webhook"_s;
    options.records = std::vector<Data::Value>{
        json("{'id': 1, 'name': 'ok'}"), json("[1, 2]"), json("{'name': 'no key'}"),
        json("{'id': {'nested': true}}"), json("{'id': 2, 'name': 'also ok'}"),
        json("{'id': 3, 'name': 'fine'}"), json("{'id': 4, 'name': 'fine'}")};
    auto result = run(runner, options);
    QVERIFY(result);
    QVERIFY2(!result->error, result->error ? qPrintable(result->error->toString()) : "");
    QCOMPARE(result->run.rejected, 3);
    QCOMPARE(result->run.written, 4);
    auto rejects = m_bed->store->syncRejects(u"customers"_s, result->run.id);
    QVERIFY(rejects);
    QCOMPARE(rejects->size(), 3);
    const QString all = [&] {
        QStringList reasons;
        for (const auto &r : *rejects)
            reasons << r.reasons;
        return reasons.join(u' ');
    }();
    QVERIFY2(all.contains(u"not an object"_s), qPrintable(all));
    QVERIFY2(all.contains(u"\\\"id\\\" has no value"_s), qPrintable(all));
    QVERIFY2(all.contains(u"holds an object"_s), qPrintable(all));
}

void tst_SyncRunner::rowHashChangeDetection()
{
    createTables();
    addSourceRows(1, 12);
    SyncRunner runner(Bed::job("'key_fields':['id'],'batch_size':5"), m_bed->host());
    auto first = run(runner);
    QVERIFY(first && !first->error);
    QCOMPARE(first->run.written, 12);
    QCOMPARE(*m_bed->store->syncRowHashCount(u"customers"_s), 12);

    auto idle = run(runner);
    QVERIFY(idle && !idle->error);
    QCOMPARE(idle->run.read, 12);
    QCOMPARE(idle->run.skipped, 12);
    QCOMPARE(idle->run.written, 0);

    QVERIFY(m_bed->source->exec(u"UPDATE customers SET balance = 99 WHERE id = 5"_s));
    auto changed = run(runner);
    QVERIFY(changed && !changed->error);
    QCOMPARE(changed->run.written, 1);
    QCOMPARE(changed->run.skipped, 11);
    QCOMPARE(m_bed->target->value(u"SELECT balance FROM %1 WHERE id = 5"_s.arg(m_bed->targetTable(u"customers"_s))).toDouble(),
             99.0);

    Sync::SyncRunOptions full;
    full.fullResync = true;
    auto resync = run(runner, full);
    QVERIFY(resync && !resync->error);
    QCOMPARE(resync->run.skipped, 12); // written again, found equal by the target
}

void tst_SyncRunner::mirrorDeletesWhatLeftTheSource()
{
    createTables();
    addSourceRows(1, 10);
    // A target row this job never wrote stays.
    QVERIFY(m_bed->target->exec(u"INSERT INTO %1 (id, name) VALUES (500, 'foreign')"_s.arg(m_bed->targetTable(u"customers"_s))));
    SyncRunner runner(Bed::job("'key_fields':['id'],'write_mode':'mirror','batch_size':4"), m_bed->host());
    auto first = run(runner);
    QVERIFY(first && !first->error);
    QCOMPARE(targetCount(), 11);
    QVERIFY(m_bed->source->exec(u"DELETE FROM customers WHERE id IN (2, 3, 9)"_s));
    auto second = run(runner);
    QVERIFY(second && !second->error);
    QCOMPARE(second->run.deleted, 3);
    QCOMPARE(targetCount(), 8);
    QCOMPARE(*m_bed->store->syncRowHashCount(u"customers"_s), 7);
    QCOMPARE(m_bed->target->value(u"SELECT count(*) FROM %1 WHERE id = 500"_s.arg(m_bed->targetTable(u"customers"_s))).toInt(), 1);
}

void tst_SyncRunner::mirrorKeepsRowsOfUnkeyedRejects()
{
    createTables();
    addSourceRows(1, 6);
    auto mapping = Bed::mapping(
        "{'kind':'Mapping','schemaVersion':2,'id':'m','name':'m','rules':["
        "{'type':'expression','expression':'email = \\'broken\\' ? undefined : id','target':'id'},"
        "{'type':'field_mapping','source':'name','target':'name'}]}");
    SyncRunner runner(Bed::job("'key_fields':['id'],'write_mode':'mirror','validation_failure_threshold':0.5"),
                      m_bed->host(mapping));
    auto first = run(runner);
    QVERIFY(first && !first->error);
    QCOMPARE(targetCount(), 6);
    // Record 4 now maps without a key: it is rejected, and as its key is unknown, the run must
    // not delete anything (row 4 is still in the source).
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET email = 'broken' WHERE id = 4"_s));
    QVERIFY(m_bed->source->exec(u"DELETE FROM customers WHERE id = 6"_s));
    auto second = run(runner);
    QVERIFY(second && !second->error);
    QCOMPARE(second->run.rejected, 1);
    QCOMPARE(second->run.deleted, 0);
    QVERIFY(second->run.errors.contains(u"sync_deletes_skipped"_s));
    QCOMPARE(targetCount(), 6);
}

void tst_SyncRunner::manualConflictsAndResolution()
{
    createTables();
    addSourceRows(1, 5);
    SyncRunner runner(Bed::job("'key_fields':['id'],'cursor_field':'updated_at','conflict_policy':'manual'"),
                      m_bed->host());
    auto first = run(runner);
    QVERIFY(first && !first->error);
    QCOMPARE(first->run.conflicts, 0);
    QCOMPARE(first->run.written, 5);

    const QString table = m_bed->targetTable(u"customers"_s);
    // Both sides change row 2; only the source changes row 3; only the target row 4.
    QVERIFY(m_bed->target->exec(u"UPDATE %1 SET name = 'edited in target' WHERE id IN (2, 4)"_s.arg(table)));
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET name = 'edited in source', updated_at = ? WHERE id IN (2, 3)"_s,
                                {stamp(40)}));
    auto second = run(runner);
    QVERIFY(second && !second->error);
    QCOMPARE(second->run.read, 2);
    QCOMPARE(second->run.conflicts, 1);
    QCOMPARE(second->run.written, 1);
    QCOMPARE(m_bed->target->value(u"SELECT name FROM %1 WHERE id = 2"_s.arg(table)).toString(), u"edited in target"_s);
    QCOMPARE(m_bed->target->value(u"SELECT name FROM %1 WHERE id = 3"_s.arg(table)).toString(), u"edited in source"_s);
    QCOMPARE(m_bed->target->value(u"SELECT name FROM %1 WHERE id = 4"_s.arg(table)).toString(), u"edited in target"_s);

    auto open = m_bed->store->syncConflicts(u"customers"_s, u"open"_s);
    QVERIFY(open);
    QCOMPARE(open->size(), 1);
    const Store::SyncConflict conflict = open->front();
    QCOMPARE(conflict.key, u"2"_s);
    QVERIFY(conflict.sourceRecord.contains(u"edited in source"_s));
    QVERIFY(conflict.targetRecord.contains(u"edited in target"_s));

    auto wrongKey = runner.resolveConflict(conflict.id, u"custom"_s, json("{'id': 3, 'name': 'x'}"), u"ann"_s);
    QVERIFY(!wrongKey);
    QCOMPARE(wrongKey.error().code, u"sync_invalid_conflict"_s);
    auto resolved = runner.resolveConflict(conflict.id, u"source"_s, {}, u"ann"_s);
    QVERIFY2(resolved, resolved ? "" : qPrintable(resolved.error().toString()));
    QCOMPARE(m_bed->target->value(u"SELECT name FROM %1 WHERE id = 2"_s.arg(table)).toString(), u"edited in source"_s);
    auto again = runner.resolveConflict(conflict.id, u"source"_s, {}, u"ann"_s);
    QVERIFY(!again);
    auto stored = m_bed->store->syncConflict(conflict.id);
    QVERIFY(stored && *stored);
    QCOMPARE((*stored)->status, u"resolved"_s);
    QCOMPARE((*stored)->resolvedBy, u"ann"_s);

    // The next run finds nothing to decide: the resolution is the agreed state.
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET updated_at = ? WHERE id = 2"_s, {stamp(41)}));
    auto third = run(runner);
    QVERIFY(third && !third->error);
    QCOMPARE(third->run.conflicts, 0);

    // Bulk: two new conflicts resolved for the target.
    QVERIFY(m_bed->target->exec(u"UPDATE %1 SET email = 'target@x' WHERE id IN (1, 5)"_s.arg(table)));
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET email = 'source@x', updated_at = ? WHERE id IN (1, 5)"_s,
                                {stamp(42)}));
    auto fourth = run(runner);
    QVERIFY(fourth && !fourth->error);
    QCOMPARE(fourth->run.conflicts, 2);
    auto bulk = runner.resolveConflicts(u"target"_s, u"bob"_s);
    QVERIFY2(bulk, bulk ? "" : qPrintable(bulk.error().toString()));
    QCOMPARE(*bulk, 2);
    QCOMPARE(m_bed->target->value(u"SELECT email FROM %1 WHERE id = 5"_s.arg(table)).toString(), u"target@x"_s);
    QCOMPARE(m_bed->store->syncConflicts(u"customers"_s, u"open"_s)->size(), 0);
}

void tst_SyncRunner::targetAndNewestWins()
{
    createTables();
    addSourceRows(1, 3);
    const QString table = m_bed->targetTable(u"customers"_s);
    SyncRunner newest(Bed::job("'key_fields':['id'],'cursor_field':'updated_at','conflict_policy':'newest_wins',"
                               "'timestamp_field':'updated_at'"),
                      m_bed->host());
    QVERIFY(newest.run() && targetCount() == 3);
    // Row 1: the target is newer; row 2: the source is newer.
    QVERIFY(m_bed->target->exec(u"UPDATE %1 SET name = 'target', updated_at = ? WHERE id IN (1, 2)"_s.arg(table),
                                {stamp(50)}));
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET name = 'source', updated_at = ? WHERE id = 1"_s, {stamp(45)}));
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET name = 'source', updated_at = ? WHERE id = 2"_s, {stamp(55)}));
    auto result = newest.run();
    QVERIFY(result && !result->error);
    QCOMPARE(result->run.conflicts, 2);
    QCOMPARE(m_bed->target->value(u"SELECT name FROM %1 WHERE id = 1"_s.arg(table)).toString(), u"target"_s);
    QCOMPARE(m_bed->target->value(u"SELECT name FROM %1 WHERE id = 2"_s.arg(table)).toString(), u"source"_s);

    // target_wins on the same job (its row hashes stand): row 3 changes on both sides.
    SyncRunner targetWins(Bed::job("'key_fields':['id'],'cursor_field':'updated_at','conflict_policy':'target_wins'"),
                          m_bed->host());
    QVERIFY(m_bed->target->exec(u"UPDATE %1 SET email = 'target@x' WHERE id = 3"_s.arg(table)));
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET email = 'source@x', updated_at = ? WHERE id = 3"_s, {stamp(58)}));
    auto kept = targetWins.run();
    QVERIFY(kept && !kept->error);
    QCOMPARE(kept->run.conflicts, 1);
    QCOMPARE(kept->run.written, 0);
    QCOMPARE(m_bed->target->value(u"SELECT email FROM %1 WHERE id = 3"_s.arg(table)).toString(), u"target@x"_s);
    // The target's version is now the agreed one: a later source change goes through.
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET email = 'later@x', updated_at = ? WHERE id = 3"_s, {stamp(59)}));
    auto later = targetWins.run();
    QVERIFY(later && !later->error);
    QCOMPARE(later->run.conflicts, 0);
    QCOMPARE(m_bed->target->value(u"SELECT email FROM %1 WHERE id = 3"_s.arg(table)).toString(), u"later@x"_s);
}

void tst_SyncRunner::targetDecisionsStickWithoutCursor()
{
    // Without a cursor every run reads every record: a row kept for the target must stay kept
    // until the source changes again, and then the source's change goes through.
    createTables();
    addSourceRows(1, 3);
    const QString table = m_bed->targetTable(u"customers"_s);
    SyncRunner wins(Bed::job("'key_fields':['id'],'conflict_policy':'target_wins'"), m_bed->host());
    QVERIFY(wins.run());
    QVERIFY(m_bed->target->exec(u"UPDATE %1 SET name = 'tgt' WHERE id IN (1, 2)"_s.arg(table)));
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET name = 'src' WHERE id IN (1, 2)"_s));
    auto kept = wins.run();
    QVERIFY(kept && !kept->error);
    QCOMPARE(kept->run.conflicts, 2);
    auto again = wins.run();
    QVERIFY(again && !again->error);
    QCOMPARE(again->run.conflicts, 0);
    QCOMPARE(again->run.written, 0);
    QCOMPARE(m_bed->target->value(u"SELECT name FROM %1 WHERE id = 1"_s.arg(table)).toString(), u"tgt"_s);
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET name = 'src2' WHERE id = 1"_s));
    auto changed = wins.run();
    QVERIFY(changed && !changed->error);
    QCOMPARE(changed->run.written, 1);
    QCOMPARE(m_bed->target->value(u"SELECT name FROM %1 WHERE id = 1"_s.arg(table)).toString(), u"src2"_s);
    QCOMPARE(m_bed->target->value(u"SELECT name FROM %1 WHERE id = 2"_s.arg(table)).toString(), u"tgt"_s);

    // The same for a manual conflict decided for the target.
    SyncRunner manual(Bed::job("'key_fields':['id'],'conflict_policy':'manual'"), m_bed->host());
    QVERIFY(m_bed->target->exec(u"UPDATE %1 SET email = 'tgt@x' WHERE id = 3"_s.arg(table)));
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET email = 'src@x' WHERE id = 3"_s));
    auto conflicted = manual.run();
    QVERIFY(conflicted && !conflicted->error);
    QCOMPARE(conflicted->run.conflicts, 1);
    auto open = m_bed->store->syncConflicts(u"customers"_s, u"open"_s);
    QVERIFY(open && open->size() == 1);
    QVERIFY(manual.resolveConflict(open->front().id, u"target"_s, {}, u"ann"_s));
    auto after = manual.run();
    QVERIFY(after && !after->error);
    QCOMPARE(after->run.conflicts, 0);
    QCOMPARE(after->run.written, 0);
    QCOMPARE(m_bed->target->value(u"SELECT email FROM %1 WHERE id = 3"_s.arg(table)).toString(), u"tgt@x"_s);
}

void tst_SyncRunner::leaseMakesASecondRunnerWait()
{
    createTables();
    addSourceRows(1, 3);
    QVERIFY(*m_bed->store->acquireSyncLease(u"customers"_s, u"other-node"_s, 60'000));
    SyncRunner runner(Bed::job("'key_fields':['id']"), m_bed->host());
    auto busy = runner.run();
    QVERIFY(!busy);
    QCOMPARE(busy.error().code, u"sync_busy"_s);
    QVERIFY(busy.error().message.contains(u"other-node"_s));
    QCOMPARE(targetCount(), 0);
    QVERIFY(m_bed->store->syncRuns(u"customers"_s)->isEmpty());
    QVERIFY(m_bed->store->releaseSyncLease(u"customers"_s, u"other-node"_s));
    QVERIFY(runner.run());
    QCOMPARE(targetCount(), 3);
    // The runner gave its lease back.
    QVERIFY(!*m_bed->store->syncLeaseHolder(u"customers"_s));
}

void tst_SyncRunner::cancelledRunKeepsItsCheckpoint()
{
    createTables();
    addSourceRows(1, 20);
    QVERIFY(m_bed->source->exec(u"UPDATE customers SET updated_at = printf('2024-02-01T10:%02d:00Z', id)"_s));
    // The token is set as the third batch is about to be written: that write still commits
    // (the connector checks between statements), the fourth batch never starts.
    Connectors::CancelToken cancel;
    int writes = 0;
    m_bed->beforeTargetWrite = [&] {
        if (++writes == 3)
            cancel.cancel();
    };
    SyncRunner runner(Bed::job("'key_fields':['id'],'cursor_field':'updated_at','batch_size':4"), m_bed->host());
    Sync::SyncRunOptions options;
    options.cancel = &cancel;
    auto result = runner.run(options);
    m_bed->beforeTargetWrite = nullptr;
    QVERIFY(result);
    QCOMPARE(result->run.status, u"cancelled"_s);
    QCOMPARE(result->error->code, u"cancelled"_s);
    const qint64 written = targetCount();
    QVERIFY2(written == 8 || written == 12, qPrintable(QString::number(written)));
    QCOMPARE(result->run.checkpointAfter, u"\"%1\""_s.arg(stamp(int(written) - 1)));
    auto resumed = runner.run();
    QVERIFY(resumed && !resumed->error);
    QCOMPARE(targetCount(), 20);
}

void tst_SyncRunner::reconciliationFindsEveryDifference()
{
    createTables();
    addSourceRows(1, 10);
    SyncRunner runner(Bed::job("'key_fields':['id']"), m_bed->host());
    QVERIFY(runner.run());
    const QString table = m_bed->targetTable(u"customers"_s);
    QVERIFY(m_bed->target->exec(u"DELETE FROM %1 WHERE id = 3"_s.arg(table)));
    QVERIFY(m_bed->target->exec(u"UPDATE %1 SET balance = -1 WHERE id = 7"_s.arg(table)));
    QVERIFY(m_bed->target->exec(u"INSERT INTO %1 (id, name) VALUES (77, 'stray')"_s.arg(table)));
    auto r = runner.reconcile();
    QVERIFY(r);
    QCOMPARE(r->sourceRecords, 10);
    QCOMPARE(r->targetRecords, 10);
    QCOMPARE(r->matched, 8);
    QCOMPARE(r->missing, 1);
    QCOMPARE(r->different, 1);
    QCOMPARE(r->extra, 1);
    QCOMPARE(r->missingKeys, QStringList{u"3"_s});
    QCOMPARE(r->differentKeys, QStringList{u"7"_s});
    QCOMPARE(r->extraKeys, QStringList{u"77"_s});
    QCOMPARE(r->accuracy(), 0.8);
}

void tst_SyncRunner::givenRecordsAreSyncedWithoutACheckpoint()
{
    createTables();
    SyncRunner runner(Bed::job("'key_fields':['id'],'cursor_field':'updated_at'"), m_bed->host());
    Sync::SyncRunOptions options;
    options.trigger = u"message"_s;
    options.records = std::vector<Data::Value>{json("{'id': 1, 'name': 'a', 'updated_at': '2024-01-01T00:00:00Z'}"),
                                               json("{'id': 1, 'name': 'b', 'updated_at': '2024-01-01T00:00:01Z'}")};
    auto result = runner.run(options);
    QVERIFY(result && !result->error);
    QCOMPARE(result->run.trigger, u"message"_s);
    QCOMPARE(result->run.read, 2);
    QCOMPARE(targetCount(), 1);
    QCOMPARE(m_bed->target->value(u"SELECT name FROM %1 WHERE id = 1"_s.arg(m_bed->targetTable(u"customers"_s))).toString(),
             u"b"_s); // the later of one key in a batch wins
    QVERIFY(!*m_bed->store->syncCheckpoint(u"customers"_s));
}

QTEST_GUILESS_MAIN(tst_SyncRunner)
#include "tst_syncrunner.moc"
