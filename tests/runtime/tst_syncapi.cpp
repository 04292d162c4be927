// The sync jobs of a node's project through the admin API, over real HTTP: a project with two
// SQLite databases (source and target) and a REST source that answers only when the test lets
// it. Lists jobs, runs them (waiting and in the background), reconciles, shows runs, resolves
// manual conflicts, lists and purges rejects, and refuses what it must: unknown ids (404), bad
// input (400), a job that runs already (409); takes changes through a job's webhook route
// (written before the answer, waiting for a running job); the node's stop cancels a background
// run.

#include "connectors/testhttpserver.h"
#include "runtime/node.h"
#include "runtime/syncjobs.h"
#include "security/tokens.h"
#include "store/statestore.h"
#include "adminapitest.h"
#include "testsupport.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Conflux;
using namespace Qt::StringLiterals;

using Conflux::Test::byId;
using Conflux::Test::endpointDocument;
using Conflux::Test::writeFile;
using Reply = Conflux::Test::AdminReply;

namespace {

QByteArray jobDocument(const QString &id, const QString &rest)
{
    return u"{\"kind\": \"SyncJob\", \"schemaVersion\": 1, \"id\": \"%1\", \"name\": \"Job %1\", %2}\n"_s
        .arg(id, rest)
        .toUtf8();
}

} // namespace

class tst_SyncApi : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_project;
    QTemporaryDir m_data;
    Tests::TestHttpServer m_http;
    QSemaphore m_release; // the slow source waits for this
    QSemaphore m_slowArrived; // signalled when the slow source has its request
    Runtime::Node m_node;
    QString m_token;
    QNetworkAccessManager m_network;
    int m_connection = 0;

    Reply request(const QByteArray &method, const QString &path, const QByteArray &body = {},
                  const QString &token = QStringLiteral("<default>"))
    {
        return Test::adminRequest(m_network, method, QUrl(m_node.adminUrl() + path),
                                  token == u"<default>" ? m_token : token, body);
    }
    Reply get(const QString &path) { return request("GET", path); }
    Reply post(const QString &path, const QByteArray &body = {})
    {
        return request("POST", path, body);
    }

    // Runs SQL on one of the project's databases from the test.
    bool sql(const QString &database, const QStringList &statements)
    {
        const QString name = u"tst-syncapi-%1"_s.arg(++m_connection);
        bool ok = QDir().mkpath(m_project.filePath(u"data"_s));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            db.setDatabaseName(m_project.filePath(u"data/"_s + database + u".db"_s));
            if (!db.open())
                return false;
            QSqlQuery q(db);
            for (const QString &statement : statements) {
                if (!q.exec(statement)) {
                    qWarning() << statement << q.lastError().text();
                    ok = false;
                    break;
                }
            }
        }
        QSqlDatabase::removeDatabase(name);
        return ok;
    }

    QString value(const QString &database, const QString &query)
    {
        const QString name = u"tst-syncapi-%1"_s.arg(++m_connection);
        QString out = u"<no row>"_s;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            db.setDatabaseName(m_project.filePath(u"data/"_s + database + u".db"_s));
            if (db.open()) {
                QSqlQuery q(db);
                if (q.exec(query) && q.next())
                    out = q.value(0).isNull() ? u"<null>"_s : q.value(0).toString();
            }
        }
        QSqlDatabase::removeDatabase(name);
        return out;
    }

    // The newest run of a job, straight from the store.
    Store::SyncRunRecord lastRun(const QString &job)
    {
        Result<QList<Store::SyncRunRecord>> runs = m_node.store()->syncRuns(job, 1);
        return runs && !runs->isEmpty() ? runs->front() : Store::SyncRunRecord();
    }

    // The one open conflict of a job (0 when there is not exactly one).
    qint64 openConflict(const QString &job)
    {
        const QJsonArray list = get(u"/api/v1/sync/conflicts?job=%1&status=open"_s.arg(job))
                                    .json()[u"conflicts"]
                                    .toArray();
        return list.size() == 1 ? qint64(list[0][u"id"].toDouble()) : 0;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_project.isValid() && m_data.isValid());
        QVERIFY(m_http.isListening());
        m_http.setHandler([this](const Http::HttpRequest &request) {
            if (request.path == u"/slow/items") {
                m_slowArrived.release();
                m_release.acquire();
            }
            return Http::HttpResponse(
                200, "{\"data\": [{\"sku\": \"A-1\", \"qty\": 3}, {\"sku\": \"B-2\", \"qty\": 1}]}",
                "application/json");
        });

        QVERIFY(sql(
            u"source"_s,
            {u"create table customers (id integer primary key, name text not null, updated_at text not null)"_s,
             u"insert into customers values (1, 'Ada', '2024-01-01T00:00:00Z'), "
             "(2, 'Linus', '2024-02-01T00:00:00Z'), (3, 'Grace', '2024-03-01T00:00:00Z')"_s,
             u"create table contacts (id integer primary key, email text)"_s,
             u"insert into contacts values (1, 'a@example.com'), (2, 'b@example.com'), (3, null)"_s}));
        QVERIFY(sql(
            u"target"_s,
            {u"create table customers (id integer primary key, name text not null, updated_at text not null)"_s,
             u"create table contacts (id integer primary key, email text)"_s,
             u"create table people (email text primary key, id integer)"_s,
             u"create table items (sku text primary key, qty integer)"_s,
             u"create table live (id integer primary key, name text not null, updated_at text not null)"_s}));

        QVERIFY(writeFile(m_project.filePath(u"project.json"_s),
                          "{\"kind\": \"Project\", \"schemaVersion\": 1, \"id\": \"syncs\", "
                          "\"name\": \"Syncs\"}\n"));
        QVERIFY(writeFile(m_project.filePath(u"endpoints/source-db.json"_s),
                          endpointDocument(u"source-db"_s, u"database"_s, u"sql"_s,
                                           u"\"url\": \"sqlite:data/source.db\""_s)));
        QVERIFY(writeFile(m_project.filePath(u"endpoints/target-db.json"_s),
                          endpointDocument(u"target-db"_s, u"database"_s, u"sql"_s,
                                           u"\"url\": \"sqlite:data/target.db\""_s)));
        QVERIFY(writeFile(
            m_project.filePath(u"endpoints/slow-api.json"_s),
            endpointDocument(
                u"slow-api"_s, u"api"_s, u"rest"_s,
                u"\"url\": \"%1slow\", \"configuration\": {\"resources\": [{\"name\": \"items\", "
                "\"path\": \"/items\", \"record_selector\": \"/data\", \"primary_key\": [\"sku\"]}]}"_s
                    .arg(m_http.url(u"/"_s).toString()))));
        QVERIFY(writeFile(
            m_project.filePath(u"sync/customers.json"_s),
            jobDocument(u"customers"_s,
                        u"\"source_endpoint\": \"source-db\", \"target_endpoint\": \"target-db\", "
                        "\"source_object\": \"customers\", \"target_object\": \"customers\", "
                        "\"sync_strategy\": \"batch\", \"key_fields\": [\"id\"], \"cursor_field\": "
                        "\"updated_at\", "
                        "\"write_mode\": \"upsert\""_s)));
        QVERIFY(writeFile(
            m_project.filePath(u"sync/contacts.json"_s),
            jobDocument(
                u"contacts"_s,
                u"\"source_endpoint\": \"source-db\", \"target_endpoint\": \"target-db\", "
                "\"source_object\": \"contacts\", \"target_object\": \"contacts\", "
                "\"sync_strategy\": \"batch\", \"key_fields\": [\"id\"], \"conflict_policy\": \"manual\""_s)));
        // contacts keyed by e-mail: the one without an e-mail is rejected (and the run goes on).
        QVERIFY(writeFile(
            m_project.filePath(u"sync/people.json"_s),
            jobDocument(u"people"_s,
                        u"\"source_endpoint\": \"source-db\", \"target_endpoint\": \"target-db\", "
                        "\"source_object\": \"contacts\", \"target_object\": \"people\", "
                        "\"sync_strategy\": \"batch\", \"key_fields\": [\"email\"], "
                        "\"validation_failure_threshold\": 1"_s)));
        QVERIFY(writeFile(
            m_project.filePath(u"sync/slow-items.json"_s),
            jobDocument(u"slow-items"_s,
                        u"\"source_endpoint\": \"slow-api\", \"target_endpoint\": \"target-db\", "
                        "\"source_object\": \"items\", \"target_object\": \"items\", "
                        "\"sync_strategy\": \"batch\", \"key_fields\": [\"sku\"]"_s)));
        // Real time: polls once an hour here, and takes changes through its webhook route.
        QVERIFY(writeFile(
            m_project.filePath(u"sync/live.json"_s),
            jobDocument(u"live"_s,
                        u"\"source_endpoint\": \"source-db\", \"target_endpoint\": \"target-db\", "
                        "\"source_object\": \"customers\", \"target_object\": \"live\", "
                        "\"sync_strategy\": \"real_time\", \"poll_interval_seconds\": 3600, "
                        "\"key_fields\": [\"id\"], \"cursor_field\": \"updated_at\""_s)));
        // Valid for the schema, wrong for the engine: minute 61.
        QVERIFY(writeFile(
            m_project.filePath(u"sync/broken.json"_s),
            jobDocument(
                u"broken"_s,
                u"\"source_endpoint\": \"source-db\", \"target_endpoint\": \"target-db\", "
                "\"sync_strategy\": \"scheduled\", \"schedule\": \"61 * * * *\", \"key_fields\": [\"id\"]"_s)));

        Runtime::NodeOptions options;
        options.dataFolder = m_data.path();
        options.projectFolder = m_project.path();
        options.adminPort = 0;
        options.gatewayEnabled = false;
        options.nodeName = u"node-a"_s;
        VERIFY_OK(m_node.start(options));
        m_token = Security::generateToken();
        VERIFY_OK(m_node.store()->addApiToken(u"tester"_s,
                                              QString::fromLatin1(Security::hashToken(m_token))));
    }

    void cleanupTestCase()
    {
        m_release.release(100);
        if (m_node.state() != Runtime::Node::State::Running)
            return;
        QSignalSpy stopped(&m_node, &Runtime::Node::stopped);
        m_node.stop();
        QVERIFY(stopped.wait(15'000));
    }

    void theNodeHasItsJobs()
    {
        QCOMPARE(m_node.nodeName(), u"node-a"_s);
        const auto jobs = m_node.syncJobs();
        QVERIFY(jobs);
        QCOMPARE(jobs->ids(),
                 (QStringList {u"broken"_s, u"contacts"_s, u"customers"_s, u"live"_s, u"people"_s,
                               u"slow-items"_s}));
    }

    void needsAToken()
    {
        const Reply reply = request("GET", u"/api/v1/sync/jobs"_s, {}, QString());
        QCOMPARE(reply.status, 401);
        QCOMPARE(reply.code(), u"unauthorized"_s);
        QCOMPARE(
            request("POST", u"/api/v1/sync/jobs/customers/run"_s, {}, u"cfx_not_a_real_token"_s)
                .status,
            401);
    }

    void listsJobs()
    {
        const Reply reply = get(u"/api/v1/sync/jobs"_s);
        QCOMPARE(reply.status, 200);
        const QJsonArray jobs = reply.json()[u"jobs"].toArray();
        QCOMPARE(jobs.size(), 6);
        const QJsonObject customers = byId(jobs, u"customers"_s);
        QCOMPARE(customers[u"name"].toString(), u"Job customers"_s);
        QCOMPARE(customers[u"strategy"].toString(), u"batch"_s);
        QCOMPARE(customers[u"source_endpoint"].toString(), u"source-db"_s);
        QCOMPARE(customers[u"target_endpoint"].toString(), u"target-db"_s);
        QCOMPARE(customers[u"write_mode"].toString(), u"upsert"_s);
        QVERIFY(!customers.contains(u"error"_s));
        QVERIFY(!customers.contains(u"last_run"_s));
        QVERIFY(!customers.contains(u"lease_holder"_s));
        // A job that does not compile is listed with its error.
        const QJsonObject broken = byId(jobs, u"broken"_s);
        QCOMPARE(broken[u"strategy"].toString(), u"scheduled"_s);
        QCOMPARE(broken[u"schedule"].toString(), u"61 * * * *"_s);
        QCOMPARE(broken[u"error"][u"code"].toString(), u"invalid_sync_job"_s);
        QVERIFY2(broken[u"error"][u"details"].toArray().first().toString().contains(
                     u"sync/broken.json:/schedule"_s),
                 QJsonDocument(broken).toJson().constData());

        const Reply one = get(u"/api/v1/sync/jobs/contacts"_s);
        QCOMPARE(one.status, 200);
        QCOMPARE(one.json()[u"id"].toString(), u"contacts"_s);
    }

    void refusesUnknownIdsAndRoutes()
    {
        Reply reply = get(u"/api/v1/sync/jobs/nope"_s);
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.code(), u"sync_job_not_found"_s);
        QVERIFY(reply.message().contains(u"nope"_s));
        QCOMPARE(post(u"/api/v1/sync/jobs/nope/run"_s).code(), u"sync_job_not_found"_s);
        QCOMPARE(post(u"/api/v1/sync/jobs/nope/run?wait=true"_s).status, 404);
        QCOMPARE(post(u"/api/v1/sync/jobs/nope/reconcile"_s).status, 404);
        QCOMPARE(post(u"/api/v1/sync/jobs/nope/conflicts/resolve"_s, "{\"resolution\": \"source\"}")
                     .status,
                 404);
        QCOMPARE(request("DELETE", u"/api/v1/sync/jobs/nope/rejects"_s).status, 404);
        reply = get(u"/api/v1/sync/runs/999999"_s);
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.code(), u"sync_run_not_found"_s);
        reply = get(u"/api/v1/sync/conflicts/999999"_s);
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.code(), u"sync_conflict_not_found"_s);
        QCOMPARE(
            post(u"/api/v1/sync/conflicts/999999/resolve"_s, "{\"resolution\": \"source\"}").status,
            404);
        QCOMPARE(get(u"/api/v1/sync/runs/first"_s).status, 400);
        QCOMPARE(get(u"/api/v1/sync/conflicts/-3"_s).status, 400);
        QCOMPARE(get(u"/api/v1/sync"_s).status, 404);
        QCOMPARE(get(u"/api/v1/sync/schedules"_s).status, 404);
        QCOMPARE(get(u"/api/v1/sync/jobs/customers/history"_s).status, 404);
        // Methods.
        QCOMPARE(get(u"/api/v1/sync/jobs/customers/run"_s).status, 405);
        QCOMPARE(post(u"/api/v1/sync/jobs"_s).status, 405);
        QCOMPARE(get(u"/api/v1/sync/jobs/customers/rejects"_s).status, 405);
        // A job that does not compile cannot run or reconcile: 409 with its error.
        reply = post(u"/api/v1/sync/jobs/broken/run?wait=true"_s);
        QCOMPARE(reply.status, 409);
        QCOMPARE(reply.code(), u"invalid_sync_job"_s);
        QCOMPARE(post(u"/api/v1/sync/jobs/broken/reconcile"_s).status, 409);
    }

    void runsAndWaits()
    {
        const Reply reply = post(u"/api/v1/sync/jobs/customers/run?wait=true"_s);
        QCOMPARE(reply.status, 200);
        const QJsonObject run = reply.json();
        QCOMPARE(run[u"status"].toString(), u"succeeded"_s);
        QCOMPARE(run[u"job"].toString(), u"customers"_s);
        QCOMPARE(run[u"node"].toString(), u"node-a"_s);
        QCOMPARE(run[u"trigger"].toString(), u"manual"_s);
        QCOMPARE(run[u"read"].toInt(), 3);
        QCOMPARE(run[u"written"].toInt(), 3);
        QCOMPARE(run[u"rejected"].toInt(), 0);
        // Checkpoints are JSON values, not text.
        QVERIFY(run[u"checkpoint_before"].isNull());
        QCOMPARE(run[u"checkpoint_after"].toString(), u"2024-03-01T00:00:00Z"_s);
        QCOMPARE(run[u"errors"].toArray(), QJsonArray());
        QVERIFY(run[u"reconciliation"].isNull());
        QVERIFY(run[u"duration_ms"].isDouble());
        QVERIFY(run[u"started_at"].toString().endsWith(u'Z'));
        QVERIFY(!run[u"finished_at"].toString().isEmpty());
        QCOMPARE(value(u"target"_s, u"select count(*) from customers"_s), u"3"_s);
        QCOMPARE(value(u"target"_s, u"select name from customers where id = 2"_s), u"Linus"_s);

        const qint64 id = qint64(run[u"id"].toDouble());
        const Reply one = get(u"/api/v1/sync/runs/%1"_s.arg(id));
        QCOMPARE(one.status, 200);
        QCOMPARE(one.json(), run);
        const QJsonArray runs = get(u"/api/v1/sync/runs?job=customers"_s).json()[u"runs"].toArray();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].toObject(), run);
        const QJsonObject job = get(u"/api/v1/sync/jobs/customers"_s).json();
        QCOMPARE(job[u"last_run"][u"id"].toDouble(), double(id));
        QCOMPARE(job[u"checkpoint"].toString(), u"2024-03-01T00:00:00Z"_s);
        QVERIFY(!job.contains(u"lease_holder"_s)); // released at the end of the run
        QCOMPARE(get(u"/api/v1/sync/runs?limit=0"_s).status, 400);
        QCOMPARE(get(u"/api/v1/sync/runs?limit=1001"_s).status, 400);
    }

    void runsInTheBackground()
    {
        QVERIFY(sql(u"source"_s,
                    {u"insert into customers values (4, 'Edsger', '2024-04-01T00:00:00Z')"_s}));
        const qint64 before = lastRun(u"customers"_s).id;
        const Reply reply = post(u"/api/v1/sync/jobs/customers/run"_s);
        QCOMPARE(reply.status, 202);
        QCOMPARE(reply.json(),
                 (QJsonObject {{u"job"_s, u"customers"_s}, {u"status"_s, u"started"_s}}));
        QTRY_VERIFY_WITH_TIMEOUT(lastRun(u"customers"_s).id > before
                                     && lastRun(u"customers"_s).status != u"running",
                                 15'000);
        const QJsonObject run
            = get(u"/api/v1/sync/runs/%1"_s.arg(lastRun(u"customers"_s).id)).json();
        QCOMPARE(run[u"status"].toString(), u"succeeded"_s);
        // Incremental: only what came after the checkpoint (and the records sharing its value).
        QCOMPARE(run[u"checkpoint_before"].toString(), u"2024-03-01T00:00:00Z"_s);
        QCOMPARE(run[u"checkpoint_after"].toString(), u"2024-04-01T00:00:00Z"_s);
        QVERIFY2(run[u"read"].toInt() <= 2, QJsonDocument(run).toJson().constData());
        QCOMPARE(value(u"target"_s, u"select name from customers where id = 4"_s), u"Edsger"_s);
    }

    void runsAFullResync()
    {
        const Reply reply
            = post(u"/api/v1/sync/jobs/customers/run?wait=true"_s, "{\"full_resync\": true}");
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json()[u"read"].toInt(), 4);
        QVERIFY(reply.json()[u"checkpoint_before"].isNull());

        // Bad input names what is wrong.
        Reply bad = post(u"/api/v1/sync/jobs/customers/run"_s, "{\"full_resync\": \"yes\"}");
        QCOMPARE(bad.status, 400);
        QCOMPARE(bad.code(), u"invalid_request"_s);
        QVERIFY(bad.message().contains(u"full_resync"_s));
        bad = post(u"/api/v1/sync/jobs/customers/run"_s, "{\"fullResync\": true}");
        QCOMPARE(bad.status, 400);
        QVERIFY(bad.message().contains(u"fullResync"_s));
        bad = post(u"/api/v1/sync/jobs/customers/run"_s, "{not json");
        QCOMPARE(bad.status, 400);
        QVERIFY(bad.message().contains(u"not JSON"_s));
        bad = post(u"/api/v1/sync/jobs/customers/run"_s, "[true]");
        QCOMPARE(bad.status, 400);
        bad = post(u"/api/v1/sync/jobs/customers/run?wait=maybe"_s);
        QCOMPARE(bad.status, 400);
        QVERIFY(bad.message().contains(u"wait"_s));
        // A refused request leaves the job free to run.
        QCOMPARE(post(u"/api/v1/sync/jobs/customers/run?wait=true"_s).status, 200);
    }

    void refusesAJobHeldElsewhere()
    {
        Result<bool> taken = m_node.store()->acquireSyncLease(u"customers"_s, u"node-b"_s, 60'000);
        VERIFY_OK(taken);
        QVERIFY(*taken);
        Reply reply = post(u"/api/v1/sync/jobs/customers/run"_s);
        QCOMPARE(reply.status, 409);
        QCOMPARE(reply.code(), u"sync_busy"_s);
        QVERIFY2(reply.message().contains(u"node-b"_s), qPrintable(reply.message()));
        reply = post(u"/api/v1/sync/jobs/customers/run?wait=true"_s);
        QCOMPARE(reply.status, 409);
        QCOMPARE(reply.code(), u"sync_busy"_s);
        QCOMPARE(get(u"/api/v1/sync/jobs/customers"_s).json()[u"lease_holder"].toString(),
                 u"node-b"_s);
        VERIFY_OK(m_node.store()->releaseSyncLease(u"customers"_s, u"node-b"_s));
        QCOMPARE(post(u"/api/v1/sync/jobs/customers/run?wait=true"_s).status, 200);
    }

    void refusesAJobThatRunsHere()
    {
        const qint64 before = lastRun(u"slow-items"_s).id;
        QCOMPARE(post(u"/api/v1/sync/jobs/slow-items/run"_s).status, 202);
        QVERIFY(m_slowArrived.tryAcquire(1, 15'000));
        QCOMPARE(m_node.syncJobs() ? 1 : 0, 1);
        Reply reply = post(u"/api/v1/sync/jobs/slow-items/run"_s);
        QCOMPARE(reply.status, 409);
        QCOMPARE(reply.code(), u"sync_busy"_s);
        QCOMPARE(post(u"/api/v1/sync/jobs/slow-items/run?wait=true"_s).status, 409);
        // Everything else keeps answering meanwhile.
        QCOMPARE(get(u"/api/v1/sync/jobs"_s).status, 200);
        QCOMPARE(get(u"/api/v1/sync/jobs/slow-items"_s).json()[u"lease_holder"].toString(),
                 u"node-a"_s);
        QCOMPARE(lastRun(u"slow-items"_s).status, u"running"_s);
        m_release.release();
        QTRY_VERIFY_WITH_TIMEOUT(lastRun(u"slow-items"_s).id > before
                                     && lastRun(u"slow-items"_s).status != u"running",
                                 15'000);
        QCOMPARE(lastRun(u"slow-items"_s).status, u"succeeded"_s);
        QCOMPARE(value(u"target"_s, u"select qty from items where sku = 'A-1'"_s), u"3"_s);
        // Finished: free to run again (the claim goes back just after the run is recorded).
        QTRY_VERIFY_WITH_TIMEOUT(
            !get(u"/api/v1/sync/jobs/slow-items"_s).json().contains(u"lease_holder"_s), 5'000);
        m_release.release(); // the next request does not wait
        // (Not QTRY: it evaluates the expression once more at the end, and a run waits for the
        // source.)
        int status = 0;
        for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
            status = post(u"/api/v1/sync/jobs/slow-items/run?wait=true"_s)
                         .status; // 409 until the claim is back
            if (status != 200)
                QTest::qWait(100);
        }
        QCOMPARE(status, 200);
        QVERIFY(m_slowArrived.tryAcquire(1, 1'000));
        while (m_slowArrived.tryAcquire()) { }
    }

    void takesChangesThroughItsWebhook()
    {
        // Written before the answer: visible in the target when the sender has its 200.
        Reply reply = post(u"/api/v1/sync/jobs/live/changes"_s,
                           "[{\"id\": 100, \"name\": \"Barbara\", \"updated_at\": \"2025-01-01T00:00:00Z\"},"
                           " {\"id\": 101, \"name\": \"Ken\", \"updated_at\": \"2025-01-02T00:00:00Z\"}]");
        QCOMPARE(reply.status, 200);
        QJsonObject run = reply.json();
        QCOMPARE(run[u"trigger"].toString(), u"webhook"_s);
        QCOMPARE(run[u"status"].toString(), u"succeeded"_s);
        QCOMPARE(run[u"read"].toInt(), 2);
        QCOMPARE(run[u"written"].toInt(), 2);
        QCOMPARE(value(u"target"_s, u"select group_concat(name, ',') from (select name from live "
                                    "where id >= 100 order by id)"_s),
                 u"Barbara,Ken"_s);
        // One object is one record; a change to a known key updates it. No checkpoint moves.
        const QString checkpoint = get(u"/api/v1/sync/jobs/live"_s).json()[u"checkpoint"].toString();
        reply = post(u"/api/v1/sync/jobs/live/changes"_s,
                     "{\"id\": 101, \"name\": \"Ken T.\", \"updated_at\": \"2025-01-03T00:00:00Z\"}");
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json()[u"written"].toInt(), 1);
        QCOMPARE(value(u"target"_s, u"select name from live where id = 101"_s), u"Ken T."_s);
        QCOMPARE(get(u"/api/v1/sync/jobs/live"_s).json()[u"checkpoint"].toString(), checkpoint);

        // Records the job refuses: stored as rejects, and a 422 when they cross the threshold
        // (delivering them again would not help).
        reply = post(u"/api/v1/sync/jobs/live/changes"_s, "[{\"name\": \"no key\"}]");
        QCOMPARE(reply.status, 422);
        QCOMPARE(reply.json()[u"error"][u"code"].toString(), u"validation_threshold_exceeded"_s);
        QCOMPARE(reply.json()[u"rejected"].toInt(), 1);
        QCOMPARE(get(u"/api/v1/sync/rejects?job=live"_s).json()[u"rejects"].toArray().size(), 1);

        // Bad deliveries say what is wrong and change nothing.
        for (const QByteArray &body : {QByteArray("{not json"), QByteArray("[]"), QByteArray("42")}) {
            reply = post(u"/api/v1/sync/jobs/live/changes"_s, body);
            QCOMPARE(reply.status, 400);
            QCOMPARE(reply.code(), u"invalid_request"_s);
        }
        QCOMPARE(post(u"/api/v1/sync/jobs/live/changes?wait_seconds=-1"_s, "[]").status, 400);
        QCOMPARE(post(u"/api/v1/sync/jobs/nope/changes"_s, "[{\"id\": 1}]").status, 404);
        QCOMPARE(request("GET", u"/api/v1/sync/jobs/live/changes"_s).status, 405);
        QCOMPARE(value(u"target"_s, u"select count(*) from live where id >= 100"_s), u"2"_s);
    }

    void changesWaitForARunningJob()
    {
        // A run of slow-items waits for its source; a delivery of changes waits for the run.
        QCOMPARE(post(u"/api/v1/sync/jobs/slow-items/run"_s).status, 202);
        QVERIFY(m_slowArrived.tryAcquire(1, 15'000));
        Reply busy = post(u"/api/v1/sync/jobs/slow-items/changes?wait_seconds=0"_s,
                          "[{\"sku\": \"C-3\", \"qty\": 7}]");
        QCOMPARE(busy.status, 409);
        QCOMPARE(busy.code(), u"sync_busy"_s);

        QNetworkRequest req {QUrl(m_node.adminUrl() + u"/api/v1/sync/jobs/slow-items/changes"_s)};
        req.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        QNetworkReply *waiting = m_network.post(req, QByteArray("[{\"sku\": \"C-3\", \"qty\": 7}]"));
        QTest::qWait(300);
        QVERIFY(!waiting->isFinished());
        m_release.release();
        QTRY_VERIFY_WITH_TIMEOUT(waiting->isFinished(), 15'000);
        QCOMPARE(waiting->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        waiting->deleteLater();
        QCOMPARE(value(u"target"_s, u"select qty from items where sku = 'C-3'"_s), u"7"_s);
        QTRY_VERIFY_WITH_TIMEOUT(lastRun(u"slow-items"_s).status != u"running", 15'000);
        while (m_slowArrived.tryAcquire()) { }
    }

    void reconciles()
    {
        Reply reply = post(u"/api/v1/sync/jobs/customers/reconcile"_s);
        QCOMPARE(reply.status, 200);
        QJsonObject r = reply.json();
        QCOMPARE(r[u"source_records"].toInt(), 4);
        QCOMPARE(r[u"matched"].toInt(), 4);
        QCOMPARE(r[u"missing"].toInt(), 0);
        QCOMPARE(r[u"accuracy_percent"].toDouble(), 100.0);

        QVERIFY(sql(u"target"_s,
                    {u"delete from customers where id = 2"_s,
                     u"update customers set name = 'Ed' where id = 4"_s}));
        reply = post(u"/api/v1/sync/jobs/customers/reconcile"_s);
        QCOMPARE(reply.status, 200);
        r = reply.json();
        QCOMPARE(r[u"matched"].toInt(), 2);
        QCOMPARE(r[u"missing"].toInt(), 1);
        QCOMPARE(r[u"different"].toInt(), 1);
        QCOMPARE(r[u"missing_keys"].toArray(), QJsonArray {u"2"_s});
        QCOMPARE(r[u"different_keys"].toArray(), QJsonArray {u"4"_s});
        QCOMPARE(r[u"accuracy_percent"].toDouble(), 50.0);
        // Kept with the job's latest run.
        const QJsonObject run
            = get(u"/api/v1/sync/runs/%1"_s.arg(lastRun(u"customers"_s).id)).json();
        QCOMPARE(run[u"reconciliation"][u"missing"].toInt(), 1);

        // A full resync repairs the target.
        QCOMPARE(
            post(u"/api/v1/sync/jobs/customers/run?wait=true"_s, "{\"full_resync\": true}").status,
            200);
        QCOMPARE(
            post(u"/api/v1/sync/jobs/customers/reconcile"_s).json()[u"accuracy_percent"].toDouble(),
            100.0);
    }

    void resolvesConflicts()
    {
        Reply reply = post(u"/api/v1/sync/jobs/contacts/run?wait=true"_s);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json()[u"written"].toInt(), 3);
        // Both sides change the same row: a manual job keeps it for a person.
        QVERIFY(
            sql(u"source"_s, {u"update contacts set email = 'a@source.example' where id = 1"_s}));
        QVERIFY(
            sql(u"target"_s, {u"update contacts set email = 'a@target.example' where id = 1"_s}));
        reply = post(u"/api/v1/sync/jobs/contacts/run?wait=true"_s);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json()[u"conflicts"].toInt(), 1);
        QCOMPARE(value(u"target"_s, u"select email from contacts where id = 1"_s),
                 u"a@target.example"_s);

        reply = get(u"/api/v1/sync/conflicts?job=contacts&status=open"_s);
        QCOMPARE(reply.status, 200);
        const QJsonArray open = reply.json()[u"conflicts"].toArray();
        QCOMPARE(open.size(), 1);
        const QJsonObject conflict = open[0].toObject();
        QCOMPARE(conflict[u"key"].toInt(), 1);
        QCOMPARE(conflict[u"status"].toString(), u"open"_s);
        QCOMPARE(conflict[u"source_record"][u"email"].toString(), u"a@source.example"_s);
        QCOMPARE(conflict[u"target_record"][u"email"].toString(), u"a@target.example"_s);
        QVERIFY(conflict[u"resolution"].isNull());
        const qint64 id = qint64(conflict[u"id"].toDouble());
        QCOMPARE(get(u"/api/v1/sync/conflicts/%1"_s.arg(id)).json(), conflict);
        QCOMPARE(get(u"/api/v1/sync/conflicts?status=maybe"_s).status, 400);

        // Bad resolutions are refused, naming the member.
        const QString resolve = u"/api/v1/sync/conflicts/%1/resolve"_s.arg(id);
        Reply bad = post(resolve, "{\"resolution\": \"mine\"}");
        QCOMPARE(bad.status, 400);
        QVERIFY(bad.message().contains(u"resolution"_s));
        bad = post(resolve);
        QCOMPARE(bad.status, 400);
        bad = post(resolve, "{\"resolution\": \"custom\"}");
        QCOMPARE(bad.status, 400);
        QVERIFY(bad.message().contains(u"record"_s));
        bad = post(resolve, "{\"resolution\": \"source\", \"record\": {\"id\": 1}}");
        QCOMPARE(bad.status, 400);
        bad = post(
            resolve,
            "{\"resolution\": \"custom\", \"record\": {\"id\": 2, \"email\": \"x@example.com\"}}");
        QCOMPARE(bad.status, 400);
        QCOMPARE(bad.code(), u"sync_invalid_conflict"_s);
        QCOMPARE(value(u"target"_s, u"select email from contacts where id = 2"_s),
                 u"b@example.com"_s);

        reply = post(resolve, "{\"resolution\": \"source\"}");
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json()[u"status"].toString(), u"resolved"_s);
        QCOMPARE(reply.json()[u"resolution"].toString(), u"source"_s);
        QCOMPARE(reply.json()[u"resolved_by"].toString(), u"tester"_s); // the token's name
        QVERIFY(!reply.json()[u"resolved_at"].toString().isEmpty());
        QCOMPARE(value(u"target"_s, u"select email from contacts where id = 1"_s),
                 u"a@source.example"_s);
        reply = post(resolve, "{\"resolution\": \"target\"}");
        QCOMPARE(reply.status, 409);
        QCOMPARE(reply.code(), u"sync_conflict_resolved"_s);

        // Custom: a record a person wrote.
        QVERIFY(
            sql(u"source"_s, {u"update contacts set email = 'a2@source.example' where id = 1"_s}));
        QVERIFY(
            sql(u"target"_s, {u"update contacts set email = 'a2@target.example' where id = 1"_s}));
        QCOMPARE(post(u"/api/v1/sync/jobs/contacts/run?wait=true"_s).json()[u"conflicts"].toInt(),
                 1);
        const qint64 second = openConflict(u"contacts"_s);
        QVERIFY(second > 0);
        reply = post(u"/api/v1/sync/conflicts/%1/resolve"_s.arg(second),
                     "{\"resolution\": \"custom\", \"record\": {\"id\": 1, \"email\": "
                     "\"ada@example.com\"}}");
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json()[u"resolved_record"][u"email"].toString(), u"ada@example.com"_s);
        QCOMPARE(value(u"target"_s, u"select email from contacts where id = 1"_s),
                 u"ada@example.com"_s);

        // Every open conflict of a job at once.
        QVERIFY(
            sql(u"source"_s, {u"update contacts set email = 'b@source.example' where id = 2"_s}));
        QVERIFY(
            sql(u"target"_s, {u"update contacts set email = 'b@target.example' where id = 2"_s}));
        QCOMPARE(post(u"/api/v1/sync/jobs/contacts/run?wait=true"_s).json()[u"conflicts"].toInt(),
                 1);
        bad = post(u"/api/v1/sync/jobs/contacts/conflicts/resolve"_s,
                   "{\"resolution\": \"custom\"}");
        QCOMPARE(bad.status, 400);
        reply = post(u"/api/v1/sync/jobs/contacts/conflicts/resolve"_s,
                     "{\"resolution\": \"target\"}");
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json(), (QJsonObject {{u"resolved"_s, 1}}));
        QCOMPARE(value(u"target"_s, u"select email from contacts where id = 2"_s),
                 u"b@target.example"_s);
        QCOMPARE(openConflict(u"contacts"_s), 0);
        QCOMPARE(get(u"/api/v1/sync/conflicts?job=contacts&status=resolved"_s)
                     .json()[u"conflicts"]
                     .toArray()
                     .size(),
                 3);
        QCOMPARE(
            post(u"/api/v1/sync/jobs/contacts/conflicts/resolve"_s, "{\"resolution\": \"source\"}")
                .json(),
            (QJsonObject {{u"resolved"_s, 0}}));
    }

    void listsAndPurgesRejects()
    {
        Reply reply = post(u"/api/v1/sync/jobs/people/run?wait=true"_s);
        QCOMPARE(reply.status, 200);
        const QJsonObject run = reply.json();
        QCOMPARE(run[u"status"].toString(), u"succeeded"_s);
        QCOMPARE(run[u"rejected"].toInt(), 1);
        QCOMPARE(run[u"written"].toInt(), 2);
        const qint64 runId = qint64(run[u"id"].toDouble());

        reply = get(u"/api/v1/sync/rejects?job=people"_s);
        QCOMPARE(reply.status, 200);
        const QJsonArray rejects = reply.json()[u"rejects"].toArray();
        QCOMPARE(rejects.size(), 1);
        const QJsonObject reject = rejects[0].toObject();
        QCOMPARE(reject[u"job"].toString(), u"people"_s);
        QCOMPARE(reject[u"run"].toDouble(), double(runId));
        QVERIFY(reject[u"key"].isNull());
        QCOMPARE(reject[u"record"].toObject(),
                 (QJsonObject {{u"id"_s, 3}, {u"email"_s, QJsonValue::Null}}));
        QVERIFY(!reject[u"reasons"].toArray().isEmpty());
        QVERIFY(reject[u"reasons"][0].toString().contains(u"email"_s));
        QCOMPARE(get(u"/api/v1/sync/rejects?job=people&run=%1"_s.arg(runId))
                     .json()[u"rejects"]
                     .toArray()
                     .size(),
                 1);
        QCOMPARE(get(u"/api/v1/sync/rejects?job=people&run=%1"_s.arg(runId + 1000))
                     .json()[u"rejects"]
                     .toArray()
                     .size(),
                 0);
        QCOMPARE(get(u"/api/v1/sync/rejects?run=last"_s).status, 400);
        QCOMPARE(get(u"/api/v1/sync/rejects?limit=-1"_s).status, 400);

        reply = request("DELETE", u"/api/v1/sync/jobs/people/rejects"_s);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json(), (QJsonObject {{u"purged"_s, 1}}));
        QCOMPARE(get(u"/api/v1/sync/rejects?job=people"_s).json()[u"rejects"].toArray().size(), 0);
    }

    void countsRequestsInTheMetrics()
    {
        const QByteArray metrics = request("GET", u"/metrics"_s, {}, QString()).body;
        QVERIFY(metrics.contains(
            "conflux_admin_requests_total{route=\"/api/v1/sync/jobs/{id}/run\",code=\"409\"}"));
        QVERIFY(metrics.contains(
            "conflux_admin_requests_total{route=\"/api/v1/sync/jobs/{id}/run\",code=\"202\"}"));
        QVERIFY(metrics.contains("sync_records_total{job=\"customers\",result=\"written\"}"));
    }

    // Last: stops the node.
    void stoppingCancelsABackgroundRun()
    {
        const qint64 before = lastRun(u"slow-items"_s).id;
        QCOMPARE(post(u"/api/v1/sync/jobs/slow-items/run"_s).status, 202);
        QVERIFY(m_slowArrived.tryAcquire(1, 15'000));
        QTRY_VERIFY_WITH_TIMEOUT(lastRun(u"slow-items"_s).id > before, 5'000);
        const qint64 id = lastRun(u"slow-items"_s).id;
        QSignalSpy stopped(&m_node, &Runtime::Node::stopped);
        m_node.stop();
        QVERIFY(stopped.wait(15'000));
        // The source never answered: the run was cancelled, not left running.
        Result<Store::StoreConfig> config = Runtime::Node::storeConfig([&] {
            Runtime::NodeOptions options;
            options.dataFolder = m_data.path();
            return options;
        }());
        VERIFY_OK(config);
        auto store = Store::StateStore::create(*config);
        VERIFY_OK(store->open());
        Result<std::optional<Store::SyncRunRecord>> run = store->syncRun(id);
        VERIFY_OK(run);
        QVERIFY(run->has_value());
        QCOMPARE((*run)->status, u"cancelled"_s);
        Result<std::optional<QString>> holder = store->syncLeaseHolder(u"slow-items"_s);
        VERIFY_OK(holder);
        QVERIFY(!holder->has_value());
    }
};

QTEST_GUILESS_MAIN(tst_SyncApi)
#include "tst_syncapi.moc"
