// The records a sync job keeps in the state store: rejects, conflicts and row hashes (and the
// checks of every JSON argument), on SQLite and PostgreSQL.

#include "tst_statestore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QTest>
#include <optional>
#include <utility>

#include "testsupport.h"

using namespace Conflux;
using namespace Conflux::Store;
using namespace StoreTest;

namespace {

SyncReject newReject(const QString &job, qint64 runId, const QDateTime &at, const QString &key)
{
    SyncReject reject;
    reject.jobId = job;
    reject.runId = runId;
    reject.at = at;
    reject.key = key;
    reject.record = QStringLiteral("{\"id\": \"%1\", \"qty\": -1}").arg(key);
    reject.reasons = QStringLiteral("[\"qty must not be negative\"]");
    return reject;
}

SyncConflict newConflict(const QString &job, const QString &key, const QDateTime &at,
                         const QString &tag)
{
    SyncConflict conflict;
    conflict.jobId = job;
    conflict.runId = 7;
    conflict.key = key;
    conflict.sourceRecord = QStringLiteral("{\"side\": \"source\", \"tag\": \"%1\"}").arg(tag);
    conflict.targetRecord = QStringLiteral("{\"side\": \"target\", \"tag\": \"%1\"}").arg(tag);
    conflict.detectedAt = at;
    return conflict;
}

QByteArray hashOf(const QString &text)
{
    return QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256);
}

// All row hashes of a job, in the order the store walks them.
Result<QList<std::pair<QString, QByteArray>>> allRowHashes(StateStore &store, const QString &job)
{
    QList<std::pair<QString, QByteArray>> rows;
    Result<void> walked
        = store.forEachSyncRowHash(job, [&](const QString &key, const QByteArray &hash) {
              rows.append({key, hash});
              return true;
          });
    if (!walked)
        return walked.error();
    return rows;
}
} // namespace

void tst_StateStore::syncRejects()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());
    const QString orders = QStringLiteral("orders");

    QList<SyncReject> batch;
    batch << newReject(orders, 1, baseTime(), QStringLiteral("o-1"))
          << newReject(orders, 1, baseTime().addSecs(2), QStringLiteral("o-2"))
          << newReject(orders, 1, baseTime().addSecs(1), QStringLiteral("o-3"))
          << newReject(orders, 2, baseTime().addSecs(10), QStringLiteral("o-4"))
          << newReject(QStringLiteral("customers"), 3, baseTime().addSecs(5),
                       QStringLiteral("c-1"));
    batch[2].reasons.clear(); // "[]"
    batch[3].record = QStringLiteral("[1, \"ünïcode ✓\", null]");
    VERIFY_OK(store->addSyncRejects(batch));
    VERIFY_OK(store->addSyncRejects({})); // nothing to add is fine
    SyncReject unstamped = newReject(orders, 0, QDateTime(), QStringLiteral("o-5"));
    VERIFY_OK(store->addSyncRejects({unstamped}));

    auto list = store->syncRejects(orders);
    VERIFY_OK(list);
    QCOMPARE(list->size(), 5);
    QCOMPARE(list->at(0).key, QStringLiteral("o-5")); // "now" is the newest
    QCOMPARE(list->at(0).runId, qint64(0));
    QCOMPARE(list->at(1).key, QStringLiteral("o-4"));
    QCOMPARE(list->at(1).record, batch[3].record);
    QCOMPARE(list->at(1).runId, qint64(2));
    QCOMPARE(list->at(2).key, QStringLiteral("o-2"));
    QCOMPARE(list->at(3).key, QStringLiteral("o-3"));
    QCOMPARE(list->at(3).reasons, QStringLiteral("[]"));
    QCOMPARE(list->at(4).key, QStringLiteral("o-1"));
    QCOMPARE(list->at(4).at, baseTime());
    QCOMPARE(list->at(4).jobId, orders);
    QCOMPARE(list->at(4).record, batch[0].record);
    QCOMPARE(list->at(4).reasons, batch[0].reasons);
    QVERIFY(list->at(4).id > 0);

    auto ofRun = store->syncRejects(orders, 1);
    VERIFY_OK(ofRun);
    QCOMPARE(ofRun->size(), 3);
    QCOMPARE(ofRun->at(0).key, QStringLiteral("o-2"));
    auto limited = store->syncRejects(orders, 0, 2);
    VERIFY_OK(limited);
    QCOMPARE(limited->size(), 2);
    auto everything = store->syncRejects(QString());
    VERIFY_OK(everything);
    QCOMPARE(everything->size(), 6);
    VERIFY_ERROR(store->syncRejects(orders, 0, 0), "store_invalid_argument");

    // One bad record refuses the whole batch.
    QList<SyncReject> bad = {newReject(orders, 4, baseTime(), QStringLiteral("ok")),
                             newReject(orders, 4, baseTime(), QStringLiteral("broken"))};
    bad[1].record = QStringLiteral("{\"id\": \"broken\"");
    auto refused = store->addSyncRejects(bad);
    VERIFY_ERROR(refused, "store_invalid_argument");
    QVERIFY2(refused.error().message.contains(QLatin1String("record"))
                 && refused.error().message.contains(QLatin1String("broken")),
             qPrintable(refused.error().message));
    bad[1].record = QStringLiteral("{}");
    bad[1].reasons = QStringLiteral("{\"not\": \"an array\"}");
    VERIFY_ERROR(store->addSyncRejects(bad), "store_invalid_argument");
    bad[1].reasons.clear();
    bad[1].jobId.clear();
    VERIFY_ERROR(store->addSyncRejects(bad), "store_invalid_argument");
    auto afterBad = store->syncRejects(orders, 4);
    VERIFY_OK(afterBad);
    QVERIFY(afterBad->isEmpty());

    auto purged = store->purgeSyncRejects(orders);
    VERIFY_OK(purged);
    QCOMPARE(*purged, 5);
    list = store->syncRejects(orders);
    VERIFY_OK(list);
    QVERIFY(list->isEmpty());
    everything = store->syncRejects(QString());
    VERIFY_OK(everything);
    QCOMPARE(everything->size(), 1);
    QCOMPARE(everything->at(0).key, QStringLiteral("c-1"));
    purged = store->purgeSyncRejects(orders);
    VERIFY_OK(purged);
    QCOMPARE(*purged, 0);
    VERIFY_ERROR(store->purgeSyncRejects(QString()), "store_invalid_argument");
}

void tst_StateStore::syncConflicts()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());
    const QString orders = QStringLiteral("orders");
    const QString customers = QStringLiteral("customers");

    SyncConflict deleted
        = newConflict(orders, QStringLiteral("o-3"), baseTime().addSecs(3), QStringLiteral("v1"));
    deleted.targetRecord.clear(); // deleted on the target: "null"
    VERIFY_OK(store->addSyncConflicts(
        {newConflict(orders, QStringLiteral("o-1"), baseTime(), QStringLiteral("v1")),
         newConflict(orders, QStringLiteral("o-2"), baseTime().addSecs(1), QStringLiteral("v1")),
         deleted,
         newConflict(customers, QStringLiteral("o-1"), baseTime().addSecs(2),
                     QStringLiteral("v1"))}));
    VERIFY_OK(store->addSyncConflicts({}));

    auto open = store->syncConflicts(orders, QStringLiteral("open"));
    VERIFY_OK(open);
    QCOMPARE(open->size(), 3);
    QCOMPARE(open->at(0).key, QStringLiteral("o-3"));
    QCOMPARE(open->at(0).targetRecord, QStringLiteral("null"));
    QCOMPARE(open->at(1).key, QStringLiteral("o-2"));
    QCOMPARE(open->at(2).key, QStringLiteral("o-1"));
    const SyncConflict firstO1 = open->at(2);
    QCOMPARE(firstO1.jobId, orders);
    QCOMPARE(firstO1.runId, qint64(7));
    QCOMPARE(firstO1.status, QStringLiteral("open"));
    QCOMPARE(firstO1.resolution, QString());
    QCOMPARE(firstO1.resolvedRecord, QString());
    QCOMPARE(firstO1.resolvedBy, QString());
    QVERIFY(!firstO1.resolvedAt.has_value());
    QCOMPARE(firstO1.detectedAt, baseTime());
    QCOMPARE(firstO1.sourceRecord, QStringLiteral("{\"side\": \"source\", \"tag\": \"v1\"}"));

    // A newer conflict on o-1 replaces the open one (which disappears with its id); within one
    // call the last conflict of a key wins.
    VERIFY_OK(store->addSyncConflicts(
        {newConflict(orders, QStringLiteral("o-1"), baseTime().addSecs(10), QStringLiteral("v2")),
         newConflict(orders, QStringLiteral("o-4"), baseTime().addSecs(11), QStringLiteral("a")),
         newConflict(orders, QStringLiteral("o-4"), baseTime().addSecs(12), QStringLiteral("b"))}));
    auto gone = store->syncConflict(firstO1.id);
    VERIFY_OK(gone);
    QVERIFY(!gone->has_value());
    VERIFY_ERROR(store->resolveSyncConflict(firstO1.id, QStringLiteral("source"), QString(),
                                            QStringLiteral("alice")),
                 "store_not_found");
    open = store->syncConflicts(orders, QStringLiteral("open"));
    VERIFY_OK(open);
    QCOMPARE(open->size(), 4);
    QCOMPARE(open->at(0).key, QStringLiteral("o-4"));
    QVERIFY(open->at(0).sourceRecord.contains(QLatin1String("\"b\"")));
    QCOMPARE(open->at(1).key, QStringLiteral("o-1"));
    QVERIFY(open->at(1).sourceRecord.contains(QLatin1String("v2")));
    const qint64 o1 = open->at(1).id;
    const qint64 o2 = open->at(3).id;
    const qint64 o3 = open->at(2).id;

    // Resolve one by one.
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
    VERIFY_OK(store->resolveSyncConflict(o1, QStringLiteral("source"), QString(),
                                         QStringLiteral("alice")));
    auto resolved = store->syncConflict(o1);
    VERIFY_OK(resolved);
    QCOMPARE((*resolved)->status, QStringLiteral("resolved"));
    QCOMPARE((*resolved)->resolution, QStringLiteral("source"));
    QCOMPARE((*resolved)->resolvedRecord, (*resolved)->sourceRecord);
    QCOMPARE((*resolved)->resolvedBy, QStringLiteral("alice"));
    QVERIFY((*resolved)->resolvedAt.value_or(QDateTime()) >= before);
    const auto twice = store->resolveSyncConflict(o1, QStringLiteral("target"), QString(),
                                                  QStringLiteral("bob"));
    VERIFY_ERROR(twice, "store_invalid_argument");
    QVERIFY2(twice.error().message.contains(QLatin1String("resolved already")),
             qPrintable(twice.error().message));
    resolved = store->syncConflict(o1);
    VERIFY_OK(resolved);
    QCOMPARE((*resolved)->resolvedBy, QStringLiteral("alice"));

    VERIFY_ERROR(
        store->resolveSyncConflict(o2, QStringLiteral("custom"), QString(), QStringLiteral("bob")),
        "store_invalid_argument");
    VERIFY_ERROR(store->resolveSyncConflict(o2, QStringLiteral("custom"), QStringLiteral("{oops"),
                                            QStringLiteral("bob")),
                 "store_invalid_argument");
    VERIFY_ERROR(store->resolveSyncConflict(o2, QStringLiteral("merge"), QStringLiteral("{}"),
                                            QStringLiteral("bob")),
                 "store_invalid_argument");
    VERIFY_ERROR(store->resolveSyncConflict(o2, QStringLiteral("source"), QString(), QString()),
                 "store_invalid_argument");
    VERIFY_ERROR(store->resolveSyncConflict(987654, QStringLiteral("source"), QString(),
                                            QStringLiteral("bob")),
                 "store_not_found");
    const QString custom = QStringLiteral("{\"side\": \"both\", \"qty\": 3}");
    VERIFY_OK(
        store->resolveSyncConflict(o2, QStringLiteral("custom"), custom, QStringLiteral("bob")));
    resolved = store->syncConflict(o2);
    VERIFY_OK(resolved);
    QCOMPARE((*resolved)->resolution, QStringLiteral("custom"));
    QCOMPARE((*resolved)->resolvedRecord, custom);
    // "target" with the record as written.
    VERIFY_OK(store->resolveSyncConflict(o3, QStringLiteral("target"), QStringLiteral("null"),
                                         QStringLiteral("carol")));
    resolved = store->syncConflict(o3);
    VERIFY_OK(resolved);
    QCOMPARE((*resolved)->resolvedRecord, QStringLiteral("null"));

    // A new conflict on a resolved key is a new open one; the resolved one stays as history.
    VERIFY_OK(store->addSyncConflicts({newConflict(orders, QStringLiteral("o-1"),
                                                   baseTime().addSecs(20), QStringLiteral("v3"))}));
    resolved = store->syncConflict(o1);
    VERIFY_OK(resolved);
    QVERIFY(resolved->has_value());

    // Bulk: every open conflict of the job, nothing of other jobs.
    VERIFY_ERROR(
        store->resolveSyncConflicts(orders, QStringLiteral("custom"), QStringLiteral("dave")),
        "store_invalid_argument");
    VERIFY_ERROR(store->resolveSyncConflicts(orders, QStringLiteral("target"), QString()),
                 "store_invalid_argument");
    VERIFY_ERROR(
        store->resolveSyncConflicts(QString(), QStringLiteral("target"), QStringLiteral("dave")),
        "store_invalid_argument");
    auto bulk
        = store->resolveSyncConflicts(orders, QStringLiteral("target"), QStringLiteral("dave"));
    VERIFY_OK(bulk);
    QCOMPARE(*bulk, 2); // o-4 and the new o-1
    auto none = store->syncConflicts(orders, QStringLiteral("open"));
    VERIFY_OK(none);
    QVERIFY(none->isEmpty());
    auto all = store->syncConflicts(orders, QStringLiteral("resolved"));
    VERIFY_OK(all);
    QCOMPARE(all->size(), 5);
    QCOMPARE(all->at(0).key, QStringLiteral("o-1"));
    QCOMPARE(all->at(0).resolution, QStringLiteral("target"));
    QCOMPARE(all->at(0).resolvedRecord, all->at(0).targetRecord);
    QCOMPARE(all->at(0).resolvedBy, QStringLiteral("dave"));
    QCOMPARE(all->at(1).key, QStringLiteral("o-4"));
    QCOMPARE(all->at(1).resolvedRecord, all->at(1).targetRecord);
    bulk = store->resolveSyncConflicts(orders, QStringLiteral("source"), QStringLiteral("dave"));
    VERIFY_OK(bulk);
    QCOMPARE(*bulk, 0);

    auto others = store->syncConflicts(customers);
    VERIFY_OK(others);
    QCOMPARE(others->size(), 1);
    QCOMPARE(others->at(0).status, QStringLiteral("open"));
    auto everything = store->syncConflicts(QString());
    VERIFY_OK(everything);
    QCOMPARE(everything->size(), 6);
    QCOMPARE(everything->at(0).key, QStringLiteral("o-1"));
    QCOMPARE(everything->at(0).detectedAt, baseTime().addSecs(20));
    auto limited = store->syncConflicts(QString(), QString(), 2);
    VERIFY_OK(limited);
    QCOMPARE(limited->size(), 2);
    VERIFY_ERROR(store->syncConflicts(QString(), QStringLiteral("closed")),
                 "store_invalid_argument");
    VERIFY_ERROR(store->syncConflicts(QString(), QString(), 0), "store_invalid_argument");

    // Bad conflicts refuse the whole call.
    SyncConflict bad
        = newConflict(customers, QStringLiteral("c-9"), baseTime(), QStringLiteral("x"));
    bad.sourceRecord = QStringLiteral("{\"unterminated\": ");
    const auto refused = store->addSyncConflicts(
        {newConflict(customers, QStringLiteral("c-8"), baseTime(), QStringLiteral("x")), bad});
    VERIFY_ERROR(refused, "store_invalid_argument");
    QVERIFY2(refused.error().message.contains(QLatin1String("sourceRecord")),
             qPrintable(refused.error().message));
    others = store->syncConflicts(customers);
    VERIFY_OK(others);
    QCOMPARE(others->size(), 1);
}

void tst_StateStore::syncRowHashes()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());
    const QString job = QStringLiteral("mirror");

    auto count = store->syncRowHashCount(job);
    VERIFY_OK(count);
    QCOMPARE(*count, qint64(0));
    auto rows = allRowHashes(*store, job);
    VERIFY_OK(rows);
    QVERIFY(rows->isEmpty());

    // Binary hashes (with NUL bytes), any key text; a key upserted twice keeps the last hash.
    const QByteArray nulHash("\x00\x01\x02\x00\xff", 5);
    VERIFY_OK(store->writeSyncRowHashes(
        job,
        {{QStringLiteral("b"), hashOf(QStringLiteral("b1"))},
         {QStringLiteral("a"), nulHash},
         {QStringLiteral("c'; DROP TABLE x; --"), hashOf(QStringLiteral("c"))},
         {QStringLiteral("b"), hashOf(QStringLiteral("b2"))},
         {QStringLiteral("ü"), hashOf(QStringLiteral("u"))}},
        {}));
    VERIFY_OK(store->writeSyncRowHashes(
        QStringLiteral("other"), {{QStringLiteral("a"), hashOf(QStringLiteral("other"))}}, {}));
    count = store->syncRowHashCount(job);
    VERIFY_OK(count);
    QCOMPARE(*count, qint64(4));
    rows = allRowHashes(*store, job);
    VERIFY_OK(rows);
    const QList<std::pair<QString, QByteArray>> expected
        = {{QStringLiteral("a"), nulHash},
           {QStringLiteral("b"), hashOf(QStringLiteral("b2"))},
           {QStringLiteral("c'; DROP TABLE x; --"), hashOf(QStringLiteral("c"))},
           {QStringLiteral("ü"), hashOf(QStringLiteral("u"))}}; // byte order of the UTF-8 keys
    QCOMPARE(*rows, expected);

    // Upsert and removal in one call; removals apply after upserts; removing a missing key is
    // fine.
    VERIFY_OK(store->writeSyncRowHashes(
        job,
        {{QStringLiteral("a"), hashOf(QStringLiteral("a2"))},
         {QStringLiteral("d"), hashOf(QStringLiteral("d"))},
         {QStringLiteral("e"), hashOf(QStringLiteral("e"))}},
        {QStringLiteral("b"), QStringLiteral("e"), QStringLiteral("never-there")}));
    rows = allRowHashes(*store, job);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), 4);
    QCOMPARE(rows->at(0), std::make_pair(QStringLiteral("a"), hashOf(QStringLiteral("a2"))));
    QCOMPARE(rows->at(1).first, QStringLiteral("c'; DROP TABLE x; --"));
    QCOMPARE(rows->at(2), std::make_pair(QStringLiteral("d"), hashOf(QStringLiteral("d"))));
    QCOMPARE(rows->at(3).first, QStringLiteral("ü"));

    // visit returning false stops the walk.
    int visited = 0;
    VERIFY_OK(store->forEachSyncRowHash(job, [&](const QString &, const QByteArray &) {
        ++visited;
        return visited < 2;
    }));
    QCOMPARE(visited, 2);

    // Bad input changes nothing.
    VERIFY_ERROR(store->writeSyncRowHashes(job,
                                           {{QStringLiteral("f"), hashOf(QStringLiteral("f"))},
                                            {QString(), hashOf(QStringLiteral("x"))}},
                                           {}),
                 "store_invalid_argument");
    VERIFY_ERROR(store->writeSyncRowHashes(job, {{QStringLiteral("f"), QByteArray()}}, {}),
                 "store_invalid_argument");
    VERIFY_ERROR(store->writeSyncRowHashes(job, {}, {QString()}), "store_invalid_argument");
    VERIFY_ERROR(store->writeSyncRowHashes(
                     QString(), {{QStringLiteral("f"), hashOf(QStringLiteral("f"))}}, {}),
                 "store_invalid_argument");
    VERIFY_ERROR(store->forEachSyncRowHash(
                     QString(), [](const QString &, const QByteArray &) { return true; }),
                 "store_invalid_argument");
    count = store->syncRowHashCount(job);
    VERIFY_OK(count);
    QCOMPARE(*count, qint64(4));

    VERIFY_OK(store->clearSyncRowHashes(job));
    count = store->syncRowHashCount(job);
    VERIFY_OK(count);
    QCOMPARE(*count, qint64(0));
    count = store->syncRowHashCount(QStringLiteral("other"));
    VERIFY_OK(count);
    QCOMPARE(*count, qint64(1));
}

// 100,000 rows per call, streamed back in pages. The times are printed for the record, not
// asserted (unit tests do not time things).
void tst_StateStore::syncRowHashesAtScale()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());
    const QString job = QStringLiteral("big");
    const QString backend = QString::fromLatin1(QTest::currentDataTag());
    constexpr int total = 100000;

    QList<std::pair<QString, QByteArray>> upserts;
    upserts.reserve(total);
    for (int i = 0; i < total; ++i) {
        const QString key = QStringLiteral("customer-%1").arg(i, 6, 10, QLatin1Char('0'));
        upserts.append({key, hashOf(key)});
    }
    QElapsedTimer timer;
    timer.start();
    VERIFY_OK(store->writeSyncRowHashes(job, upserts, {}));
    qInfo("%s: writeSyncRowHashes inserted %d rows in %lld ms", qPrintable(backend), total,
          timer.elapsed());
    auto count = store->syncRowHashCount(job);
    VERIFY_OK(count);
    QCOMPARE(*count, qint64(total));

    // Streaming: every row once, in key order; the visitor may use the store between pages.
    timer.restart();
    int seen = 0;
    bool inOrder = true;
    bool hashesMatch = true;
    std::optional<qint64> countDuringWalk;
    QString previous;
    VERIFY_OK(store->forEachSyncRowHash(job, [&](const QString &key, const QByteArray &hash) {
        if (seen > 0 && !(previous < key))
            inOrder = false;
        if (hash != hashOf(key))
            hashesMatch = false;
        previous = key;
        if (seen == total / 2) {
            auto during = store->syncRowHashCount(job);
            if (during)
                countDuringWalk = *during;
        }
        ++seen;
        return true;
    }));
    qInfo("%s: forEachSyncRowHash walked %d rows in %lld ms", qPrintable(backend), seen,
          timer.elapsed());
    QCOMPARE(seen, total);
    QVERIFY(inOrder);
    QVERIFY(hashesMatch);
    QCOMPARE(countDuringWalk.value_or(-1), qint64(total));

    // Every second row changes, every fourth is removed, 100,000 rows in one call.
    QList<std::pair<QString, QByteArray>> changed;
    QStringList removed;
    for (int i = 0; i < total; i += 2)
        changed.append({upserts.at(i).first, hashOf(upserts.at(i).first + QLatin1String("-v2"))});
    for (int i = 1; i < total; i += 4)
        removed.append(upserts.at(i).first);
    for (int i = total; i < total + 25000; ++i) {
        const QString key = QStringLiteral("customer-%1").arg(i, 6, 10, QLatin1Char('0'));
        changed.append({key, hashOf(key)});
    }
    timer.restart();
    VERIFY_OK(store->writeSyncRowHashes(job, changed, removed));
    qInfo("%s: writeSyncRowHashes upserted %lld and removed %lld rows in %lld ms",
          qPrintable(backend), qint64(changed.size()), qint64(removed.size()), timer.elapsed());
    count = store->syncRowHashCount(job);
    VERIFY_OK(count);
    QCOMPARE(*count, qint64(total - removed.size() + 25000));

    QHash<QString, QByteArray> byKey;
    VERIFY_OK(store->forEachSyncRowHash(job, [&](const QString &key, const QByteArray &hash) {
        byKey.insert(key, hash);
        return true;
    }));
    QCOMPARE(byKey.size(), total - removed.size() + 25000);
    QCOMPARE(byKey.value(upserts.at(0).first), hashOf(upserts.at(0).first + QLatin1String("-v2")));
    QCOMPARE(byKey.value(upserts.at(3).first), upserts.at(3).second);
    QVERIFY(!byKey.contains(upserts.at(1).first));
    QVERIFY(!byKey.contains(upserts.at(total - 3).first));
    QVERIFY(byKey.contains(QStringLiteral("customer-124999")));

    VERIFY_OK(store->clearSyncRowHashes(job));
    count = store->syncRowHashCount(job);
    VERIFY_OK(count);
    QCOMPARE(*count, qint64(0));
}

// Every JSON argument is checked, and the error names the field.
void tst_StateStore::syncBadJson()
{
    auto store = StateStore::create(m_config);
    VERIFY_OK(store->open());
    auto expectField = [](const Result<void> &result, const char *field) {
        if (result.isOk())
            return QStringLiteral("%1: accepted").arg(QLatin1String(field));
        if (result.error().code != QLatin1String("store_invalid_argument")
            || !result.error().message.contains(QLatin1String(field))) {
            return QStringLiteral("%1: [%2] %3")
                .arg(QLatin1String(field), result.error().code, result.error().message);
        }
        return QString();
    };
    auto asVoid = [](const auto &result) -> Result<void> {
        if (result.isOk())
            return {};
        return result.error();
    };
    QStringList problems;
    auto check = [&](const Result<void> &result, const char *field) {
        const QString problem = expectField(result, field);
        if (!problem.isEmpty())
            problems.append(problem);
    };

    SyncRunRecord run = newRun(QStringLiteral("j"), QStringLiteral("n"), QStringLiteral("manual"));
    run.checkpointBefore = QStringLiteral("{");
    check(asVoid(store->startSyncRun(run)), "checkpointBefore");
    run.checkpointBefore.clear();
    run.errors = QStringLiteral("{\"not\": \"an array\"}");
    check(asVoid(store->startSyncRun(run)), "errors");
    run.errors.clear();
    run.reconciliation = QStringLiteral("[1]");
    check(asVoid(store->startSyncRun(run)), "reconciliation");
    run.reconciliation.clear();
    auto id = store->startSyncRun(run);
    VERIFY_OK(id);
    run.id = *id;
    run.status = QStringLiteral("succeeded");
    run.checkpointAfter = QStringLiteral("tru");
    check(store->finishSyncRun(run), "checkpointAfter");
    run.checkpointAfter.clear();
    run.errors = QStringLiteral("[\"unterminated]");
    check(store->finishSyncRun(run), "errors");
    run.errors.clear();
    run.reconciliation = QStringLiteral("42");
    check(store->finishSyncRun(run), "reconciliation");
    run.reconciliation.clear();
    VERIFY_OK(store->finishSyncRun(run)); // nothing was written by the refused calls

    SyncCheckpoint checkpoint;
    checkpoint.jobId = QStringLiteral("j");
    checkpoint.cursor = QStringLiteral("'single quotes'");
    check(store->saveSyncCheckpoint(checkpoint), "cursor");

    SyncReject reject = newReject(QStringLiteral("j"), 0, baseTime(), QStringLiteral("k"));
    reject.record = QStringLiteral("<xml/>");
    check(store->addSyncRejects({reject}), "record");
    reject.record = QStringLiteral("{}");
    reject.reasons = QStringLiteral("\"a string\"");
    check(store->addSyncRejects({reject}), "reasons");

    SyncConflict conflict
        = newConflict(QStringLiteral("j"), QStringLiteral("k"), baseTime(), QStringLiteral("t"));
    conflict.sourceRecord = QStringLiteral("{,}");
    check(store->addSyncConflicts({conflict}), "sourceRecord");
    conflict.sourceRecord = QStringLiteral("{}");
    conflict.targetRecord = QStringLiteral("[1,]");
    check(store->addSyncConflicts({conflict}), "targetRecord");
    conflict.targetRecord = QStringLiteral("{}");
    VERIFY_OK(store->addSyncConflicts({conflict}));
    auto open = store->syncConflicts(QStringLiteral("j"), QStringLiteral("open"));
    VERIFY_OK(open);
    QCOMPARE(open->size(), 1);
    check(store->resolveSyncConflict(open->at(0).id, QStringLiteral("custom"),
                                     QStringLiteral("{\"a\": }"), QStringLiteral("alice")),
          "resolvedRecord");
    check(store->resolveSyncConflict(open->at(0).id, QStringLiteral("source"),
                                     QStringLiteral("nope"), QStringLiteral("alice")),
          "resolvedRecord");

    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    auto rejects = store->syncRejects(QStringLiteral("j"));
    VERIFY_OK(rejects);
    QVERIFY(rejects->isEmpty());
    auto checkpointRead = store->syncCheckpoint(QStringLiteral("j"));
    VERIFY_OK(checkpointRead);
    QVERIFY(!checkpointRead->has_value());
}
