// Sync job documents as the engine reads them: the sample project's jobs, defaults, and every
// problem a schema cannot catch, each named by file and pointer.

#include "sync/syncjob.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTest>

#include "testsupport.h"

using namespace Conflux;
using namespace Conflux::Sync;
using namespace Qt::StringLiterals;

namespace {

QJsonObject object(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

QJsonObject sampleJob(const QString &id)
{
    QFile file(Conflux::Test::sampleFolder() + u"/sync/"_s + id + u".json"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

} // namespace

class tst_SyncJob : public QObject
{
    Q_OBJECT

private slots:
    void readsTheSampleJobs()
    {
        Result<SyncJobSpec> nightly = SyncJobSpec::fromDocument(sampleJob(u"customers-nightly"_s), u"sync/customers-nightly.json"_s);
        VERIFY_OK(nightly);
        QCOMPARE(nightly->strategy, SyncStrategy::Scheduled);
        QVERIFY(nightly->schedule.has_value());
        QCOMPARE(nightly->schedule->timeZone().id(), QByteArray("Europe/Berlin"));
        QCOMPARE(nightly->cursorField, u"updated_at"_s);
        QCOMPARE(nightly->keyFields, QStringList{u"customer_id"_s});
        QCOMPARE(nightly->conflictPolicy, ConflictPolicy::NewestWins);
        QCOMPARE(nightly->validationFailureThreshold, 0.01);
        QCOMPARE(nightly->maxRetries, 5);
        QCOMPARE(nightly->targetObject, u"staging.customers"_s);

        Result<SyncJobSpec> events = SyncJobSpec::fromDocument(sampleJob(u"orders-events"_s));
        VERIFY_OK(events);
        QCOMPARE(events->strategy, SyncStrategy::EventDriven);
        QCOMPARE(events->sourceQueue, u"orders"_s);
        QCOMPARE(events->mapping, u"shop-order-to-erp"_s);
        QVERIFY(!events->schedule);
    }

    void defaults()
    {
        Result<SyncJobSpec> job = SyncJobSpec::fromDocument(object(
            "{\"id\": \"j\", \"name\": \"J\", \"source_endpoint\": \"a\", \"target_endpoint\": \"b\","
            " \"sync_strategy\": \"batch\", \"key_fields\": [\"id\"]}"));
        VERIFY_OK(job);
        QCOMPARE(job->writeMode, SyncWriteMode::Upsert);
        QCOMPARE(job->conflictPolicy, ConflictPolicy::SourceWins);
        QCOMPARE(job->batchSize, 1000);
        QCOMPARE(job->maxRetries, 3);
        QCOMPARE(job->misfirePolicy, MisfirePolicy::RunOnce);
        QCOMPARE(strategyName(job->strategy), u"batch"_s);
        QCOMPARE(writeModeName(SyncWriteMode::Mirror), u"mirror"_s);
        QCOMPARE(conflictPolicyName(ConflictPolicy::Manual), u"manual"_s);
    }

    void problems_data()
    {
        QTest::addColumn<QByteArray>("members");
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("words");
        QTest::newRow("bad schedule") << "\"sync_strategy\": \"scheduled\", \"schedule\": \"61 * * * *\""_ba
                                      << u"/schedule"_s << u"minute"_s;
        QTest::newRow("unknown zone") << "\"sync_strategy\": \"scheduled\", \"schedule\": \"0 2 * * *\", "
                                         "\"time_zone\": \"Mars/Olympus\""_ba
                                      << u"/schedule"_s << u"Mars/Olympus"_s;
        QTest::newRow("scheduled without schedule") << "\"sync_strategy\": \"scheduled\""_ba << u"/schedule"_s
                                                    << u"cron"_s;
        QTest::newRow("event driven without queue") << "\"sync_strategy\": \"event_driven\""_ba
                                                    << u"/source_queue"_s << u"queue"_s;
        QTest::newRow("mirror with cursor") << "\"write_mode\": \"mirror\", \"cursor_field\": \"updated_at\""_ba
                                            << u"/cursor_field"_s << u"deletes"_s;
        QTest::newRow("newest wins without timestamp") << "\"conflict_policy\": \"newest_wins\""_ba
                                                       << u"/timestamp_field"_s << u"timestamp"_s;
        QTest::newRow("strategy") << "\"sync_strategy\": \"hourly\""_ba << u"/sync_strategy"_s << u"one of"_s;
        QTest::newRow("batch size") << "\"batch_size\": 0"_ba << u"/batch_size"_s << u"from 1"_s;
        QTest::newRow("threshold") << "\"validation_failure_threshold\": 1.5"_ba << u"/validation_failure_threshold"_s
                                   << u"to 1"_s;
    }

    void problems()
    {
        QFETCH(QByteArray, members);
        QFETCH(QString, pointer);
        QFETCH(QString, words);
        QByteArray json = "{\"id\": \"j\", \"name\": \"J\", \"source_endpoint\": \"a\", \"target_endpoint\": \"b\", "
                          "\"key_fields\": [\"id\"], "
                          + members + "}";
        if (!members.contains("sync_strategy"))
            json.replace("{", "{\"sync_strategy\": \"batch\", ");
        Result<SyncJobSpec> job = SyncJobSpec::fromDocument(object(json), u"sync/j.json"_s);
        QVERIFY2(!job, json.constData());
        QCOMPARE(job.error().code, u"invalid_sync_job"_s);
        QVERIFY(job.error().message.contains(u"sync/j.json"_s));
        QCOMPARE(job.error().details.size(), 1);
        const QString detail = job.error().details.constFirst();
        QVERIFY2(detail.startsWith(u"sync/j.json:"_s + pointer + u": "_s), qPrintable(detail));
        QVERIFY2(detail.contains(words), qPrintable(detail));
    }

    void upsertNeedsKeys()
    {
        Result<SyncJobSpec> job = SyncJobSpec::fromDocument(object(
            "{\"id\": \"j\", \"name\": \"J\", \"source_endpoint\": \"a\", \"target_endpoint\": \"b\","
            " \"sync_strategy\": \"batch\"}"));
        QVERIFY(!job);
        QVERIFY(job.error().details.constFirst().startsWith(u"/key_fields: "_s));
        // Inserts need none.
        VERIFY_OK(SyncJobSpec::fromDocument(object(
            "{\"id\": \"j\", \"name\": \"J\", \"source_endpoint\": \"a\", \"target_endpoint\": \"b\","
            " \"sync_strategy\": \"batch\", \"write_mode\": \"insert\"}")));
    }
};

QTEST_GUILESS_MAIN(tst_SyncJob)
#include "tst_syncjob.moc"
