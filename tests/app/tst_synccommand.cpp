// Runs the real `conflux sync` on a project with two SQLite databases: list, run, status,
// reconcile (100 %, then a missing row), runs, conflicts of a manual job and their resolution,
// rejects, --json output, a lease held elsewhere (exit 3, --wait-lease), usage errors, and a
// run cancelled by SIGINT while its source has not answered.

#include "connectors/testhttpserver.h"
#include "runtime/node.h"
#include "store/statestore.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using namespace Conflux;
using namespace Qt::StringLiterals;

namespace {

const QString binary = QStringLiteral(CONFLUX_BINARY);

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
    QJsonObject json() const { return QJsonDocument::fromJson(out.toUtf8()).object(); }
};

bool writeFile(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
}

QByteArray jobDocument(const QString &id, const QString &rest)
{
    return u"{\"kind\": \"SyncJob\", \"schemaVersion\": 1, \"id\": \"%1\", \"name\": \"Job %1\", "
           u"\"sync_strategy\": "
           "\"batch\", %2}\n"_s.arg(id, rest)
               .toUtf8();
}

} // namespace

class tst_SyncCommand : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_project;
    QString m_data;
    Tests::TestHttpServer m_http;
    QSemaphore m_release;
    QSemaphore m_slowArrived;
    int m_connection = 0;

    // `conflux sync ARGS --project P --data D`
    Run sync(const QStringList &arguments, const QStringList &extra = {})
    {
        QProcess process;
        process.start(binary,
                      QStringList {u"sync"_s} + arguments
                          + QStringList {u"--project"_s, m_project, u"--data"_s, m_data} + extra);
        if (!process.waitForFinished(60'000))
            process.kill();
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                QString::fromUtf8(process.readAllStandardOutput()),
                QString::fromUtf8(process.readAllStandardError())};
    }

    bool sql(const QString &database, const QStringList &statements)
    {
        const QString name = u"tst-synccommand-%1"_s.arg(++m_connection);
        bool ok = true;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            db.setDatabaseName(m_project + u"/data/"_s + database + u".db"_s);
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
        const QString name = u"tst-synccommand-%1"_s.arg(++m_connection);
        QString out = u"<no row>"_s;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            db.setDatabaseName(m_project + u"/data/"_s + database + u".db"_s);
            if (db.open()) {
                QSqlQuery q(db);
                if (q.exec(query) && q.next())
                    out = q.value(0).toString();
            }
        }
        QSqlDatabase::removeDatabase(name);
        return out;
    }

    // The data folder's state store, as the command opens it.
    std::unique_ptr<Store::StateStore> openStore()
    {
        Runtime::NodeOptions options;
        options.dataFolder = m_data;
        Result<Store::StoreConfig> config = Runtime::Node::storeConfig(options);
        if (!config)
            return nullptr;
        auto store = Store::StateStore::create(*config);
        if (!store->open())
            return nullptr;
        return store;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_http.isListening());
        m_http.setHandler([this](const Http::HttpRequest &request) {
            if (request.path == u"/slow/items") {
                m_slowArrived.release();
                m_release.acquire();
            }
            return Http::HttpResponse(200, "{\"data\": [{\"sku\": \"A-1\", \"qty\": 3}]}",
                                      "application/json");
        });
        m_project = m_dir.filePath(u"project"_s);
        m_data = m_dir.filePath(u"data"_s);
        QVERIFY(QDir().mkpath(m_project + u"/data"_s));
        QVERIFY(sql(u"source"_s,
                    {u"create table customers (id integer primary key, name text not null)"_s,
                     u"insert into customers values (1, 'Ada'), (2, 'Linus'), (3, 'Grace')"_s,
                     u"create table contacts (id integer primary key, email text)"_s,
                     u"insert into contacts values (1, 'a@example.com'), (2, null)"_s}));
        QVERIFY(sql(u"target"_s,
                    {u"create table customers (id integer primary key, name text not null)"_s,
                     u"create table contacts (id integer primary key, email text)"_s,
                     u"create table people (email text primary key, id integer)"_s,
                     u"create table items (sku text primary key, qty integer)"_s}));
        QVERIFY(writeFile(
            m_project + u"/project.json"_s,
            "{\"kind\": \"Project\", \"schemaVersion\": 1, \"id\": \"p\", \"name\": \"P\"}\n"));
        QVERIFY(writeFile(m_project + u"/endpoints/source-db.json"_s,
                          "{\"kind\": \"Endpoint\", \"schemaVersion\": 1, \"id\": \"source-db\", "
                          "\"name\": \"Source\", "
                          "\"type\": \"database\", \"protocol\": \"sql\", \"url\": "
                          "\"sqlite:data/source.db\"}\n"));
        QVERIFY(writeFile(m_project + u"/endpoints/target-db.json"_s,
                          "{\"kind\": \"Endpoint\", \"schemaVersion\": 1, \"id\": \"target-db\", "
                          "\"name\": \"Target\", "
                          "\"type\": \"database\", \"protocol\": \"sql\", \"url\": "
                          "\"sqlite:data/target.db\"}\n"));
        QVERIFY(writeFile(
            m_project + u"/endpoints/slow-api.json"_s,
            u"{\"kind\": \"Endpoint\", \"schemaVersion\": 1, \"id\": \"slow-api\", \"name\": "
            u"\"Slow\", "
            "\"type\": \"api\", \"protocol\": \"rest\", \"url\": \"%1slow\", \"configuration\": "
            "{\"resources\": "
            "[{\"name\": \"items\", \"path\": \"/items\", \"record_selector\": \"/data\", "
            "\"primary_key\": [\"sku\"]}]}}\n"_s.arg(m_http.url(u"/"_s).toString())
                .toUtf8()));
        QVERIFY(writeFile(
            m_project + u"/sync/customers.json"_s,
            jobDocument(u"customers"_s,
                        u"\"source_endpoint\": \"source-db\", \"target_endpoint\": \"target-db\", "
                        "\"source_object\": \"customers\", \"target_object\": \"customers\", "
                        "\"key_fields\": [\"id\"]"_s)));
        QVERIFY(writeFile(
            m_project + u"/sync/contacts.json"_s,
            jobDocument(u"contacts"_s,
                        u"\"source_endpoint\": \"source-db\", \"target_endpoint\": \"target-db\", "
                        "\"source_object\": \"contacts\", \"target_object\": \"contacts\", "
                        "\"key_fields\": [\"id\"], \"conflict_policy\": \"manual\""_s)));
        QVERIFY(writeFile(
            m_project + u"/sync/people.json"_s,
            jobDocument(u"people"_s,
                        u"\"source_endpoint\": \"source-db\", \"target_endpoint\": \"target-db\", "
                        "\"source_object\": \"contacts\", \"target_object\": \"people\", "
                        "\"key_fields\": [\"email\"], \"validation_failure_threshold\": 1"_s)));
        QVERIFY(writeFile(
            m_project + u"/sync/slow-items.json"_s,
            jobDocument(u"slow-items"_s,
                        u"\"source_endpoint\": \"slow-api\", \"target_endpoint\": \"target-db\", "
                        "\"source_object\": \"items\", \"target_object\": \"items\", "
                        "\"key_fields\": [\"sku\"]"_s)));
    }

    void cleanupTestCase() { m_release.release(100); }

    void listsAndRuns()
    {
        Run run = sync({u"list"_s});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(u"customers  batch  source-db -> target-db  upsert  never run"_s),
                 qPrintable(run.out));

        run = sync({u"run"_s, u"customers"_s});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        QVERIFY2(run.out.contains(u"customers: run #"_s) && run.out.contains(u" succeeded"_s),
                 qPrintable(run.out));
        QVERIFY2(
            run.out.contains(u"read 3  written 3  skipped 0  rejected 0  conflicts 0  deleted 0"_s),
            qPrintable(run.out));
        QCOMPARE(value(u"target"_s, u"select count(*) from customers"_s), u"3"_s);

        // Nothing changed: the row hashes skip every record.
        run = sync({u"run"_s, u"customers"_s});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(u"read 3  written 0  skipped 3"_s), qPrintable(run.out));

        run = sync({u"list"_s});
        QVERIFY2(
            run.out.contains(
                u"customers  batch  source-db -> target-db  upsert  last run: succeeded (#2,"_s),
            qPrintable(run.out));
    }

    void showsStatusAndRuns()
    {
        Run run = sync({u"status"_s, u"customers"_s});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.startsWith(u"customers  batch  source-db -> target-db\n"_s),
                 qPrintable(run.out));
        QVERIFY(run.out.contains(u"  lease: free\n"_s));
        QVERIFY(run.out.contains(u"  checkpoint: none\n"_s));
        QVERIFY(run.out.contains(u"  open conflicts: 0  rejects: 0\n"_s));
        QVERIFY(run.out.contains(u"    #2  succeeded  manual  "_s));
        QVERIFY(run.out.contains(u"    #1  succeeded  manual  "_s));

        run = sync({u"status"_s});
        QCOMPARE(run.exitCode, 0);
        for (const QString &job : {u"contacts"_s, u"customers"_s, u"people"_s, u"slow-items"_s})
            QVERIFY2(run.out.contains(job + u"  batch  "_s), qPrintable(job));
        QVERIFY(run.out.contains(u"  runs: none\n"_s));

        run = sync({u"runs"_s, u"customers"_s, u"--limit"_s, u"1"_s});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out.count(u'\n'), 1);
        QVERIFY(run.out.startsWith(u"#2  succeeded  manual  "_s));

        run = sync({u"status"_s, u"nope"_s});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"sync_job_not_found"_s), qPrintable(run.err));
    }

    void reconciles()
    {
        Run run = sync({u"reconcile"_s, u"customers"_s});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        QVERIFY2(run.out.contains(u"matched 3  missing 0  extra 0  different 0"_s),
                 qPrintable(run.out));
        QVERIFY(run.out.contains(u"accuracy 100%"_s));

        QVERIFY(sql(u"target"_s, {u"delete from customers where id = 2"_s}));
        run = sync({u"reconcile"_s, u"customers"_s});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.out.contains(u"matched 2  missing 1  extra 0  different 0"_s),
                 qPrintable(run.out));
        QVERIFY(run.out.contains(u"accuracy 66.6667%"_s));
        QVERIFY(run.out.contains(u"missing keys: 2"_s));

        run = sync({u"reconcile"_s, u"customers"_s, u"--json"_s});
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.json()[u"missing"].toInt(), 1);
        QCOMPARE(run.json()[u"missing_keys"].toArray(), QJsonArray {u"2"_s});

        // A full run writes the row again.
        run = sync({u"run"_s, u"customers"_s, u"--full"_s});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(u"read 3  written "_s), qPrintable(run.out));
        QCOMPARE(sync({u"reconcile"_s, u"customers"_s}).exitCode, 0);
    }

    void printsJson()
    {
        Run run = sync({u"list"_s, u"--json"_s});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray jobs = run.json()[u"jobs"].toArray();
        QCOMPARE(jobs.size(), 4);
        QCOMPARE(jobs[1][u"id"].toString(), u"customers"_s);
        QCOMPARE(jobs[1][u"last_run"][u"status"].toString(), u"succeeded"_s);

        run = sync({u"run"_s, u"customers"_s, u"--json"_s});
        QCOMPARE(run.exitCode, 0);
        QJsonObject out = run.json();
        QCOMPARE(out[u"status"].toString(), u"succeeded"_s);
        QCOMPARE(out[u"job"].toString(), u"customers"_s);
        QVERIFY2(out[u"node"].toString().startsWith(u"cli@"_s), qPrintable(run.out));
        QCOMPARE(out[u"read"].toInt(), 3);
        QVERIFY(out[u"errors"].isArray());

        run = sync({u"runs"_s, u"customers"_s, u"--json"_s});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json()[u"runs"].toArray().first()[u"id"], out[u"id"]);

        run = sync({u"status"_s, u"--json"_s});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject customers = run.json()[u"jobs"].toArray()[1].toObject();
        QCOMPARE(customers[u"id"].toString(), u"customers"_s);
        QCOMPARE(customers[u"open_conflicts"].toInt(), 0);
        QVERIFY(customers[u"runs"].toArray().size() >= 4);
    }

    void waitsForALeaseHeldElsewhere()
    {
        auto store = openStore();
        QVERIFY(store);
        Result<bool> taken = store->acquireSyncLease(u"customers"_s, u"node-b"_s, 60'000);
        VERIFY_OK(taken);
        QVERIFY(*taken);
        Run run = sync({u"run"_s, u"customers"_s});
        QCOMPARE(run.exitCode, 3);
        QVERIFY2(run.err.contains(u"sync_busy"_s) && run.err.contains(u"node-b"_s),
                 qPrintable(run.err));
        run = sync({u"run"_s, u"customers"_s, u"--wait-lease"_s, u"0.6"_s});
        QCOMPARE(run.exitCode, 3);
        QCOMPARE(sync({u"status"_s, u"customers"_s}).out.contains(u"lease: held by node-b"_s),
                 true);
        VERIFY_OK(store->releaseSyncLease(u"customers"_s, u"node-b"_s));

        // A lease that expires while the command waits.
        taken = store->acquireSyncLease(u"customers"_s, u"node-b"_s, 1'000);
        VERIFY_OK(taken);
        QVERIFY(*taken);
        run = sync({u"run"_s, u"customers"_s, u"--wait-lease"_s, u"20"_s});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        QVERIFY(run.out.contains(u" succeeded"_s));
    }

    void listsAndResolvesConflicts()
    {
        QCOMPARE(sync({u"run"_s, u"contacts"_s}).exitCode, 0);
        QVERIFY(
            sql(u"source"_s, {u"update contacts set email = 'a@source.example' where id = 1"_s}));
        QVERIFY(
            sql(u"target"_s, {u"update contacts set email = 'a@target.example' where id = 1"_s}));
        Run run = sync({u"run"_s, u"contacts"_s});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(u"conflicts 1"_s), qPrintable(run.out));

        run = sync({u"conflicts"_s, u"contacts"_s, u"--status"_s, u"open"_s});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(u"  open  key 1  "_s), qPrintable(run.out));
        QVERIFY(run.out.contains(u"  source: {\"id\":1,\"email\":\"a@source.example\"}"_s));
        QVERIFY(run.out.contains(u"  target: {\"id\":1,\"email\":\"a@target.example\"}"_s));
        run = sync({u"conflicts"_s, u"contacts"_s, u"--status"_s, u"open"_s, u"--json"_s});
        const QJsonArray open = run.json()[u"conflicts"].toArray();
        QCOMPARE(open.size(), 1);
        const QString id = QString::number(qint64(open[0][u"id"].toDouble()));
        QVERIFY(sync({u"status"_s, u"contacts"_s}).out.contains(u"open conflicts: 1"_s));

        QCOMPARE(sync({u"resolve"_s, id, u"--as"_s, u"mine"_s}).exitCode, 2);
        QCOMPARE(sync({u"resolve"_s, id}).exitCode, 2);
        QCOMPARE(sync({u"resolve"_s, id, u"--as"_s, u"custom"_s}).exitCode, 2); // needs --record
        QVERIFY(writeFile(m_dir.filePath(u"wrong.json"_s),
                          "{\"id\": 2, \"email\": \"x@example.com\"}"));
        run = sync({u"resolve"_s, id, u"--as"_s, u"custom"_s, u"--record"_s,
                    m_dir.filePath(u"wrong.json"_s)});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"sync_invalid_conflict"_s), qPrintable(run.err));
        QVERIFY(writeFile(m_dir.filePath(u"broken.json"_s), "{\"id\": 1,"));
        run = sync({u"resolve"_s, id, u"--as"_s, u"custom"_s, u"--record"_s,
                    m_dir.filePath(u"broken.json"_s)});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"broken.json"_s), qPrintable(run.err));

        run = sync({u"resolve"_s, id, u"--as"_s, u"source"_s});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        QVERIFY2(run.out.contains(u"resolved: source"_s), qPrintable(run.out));
        QCOMPARE(value(u"target"_s, u"select email from contacts where id = 1"_s),
                 u"a@source.example"_s);
        run = sync({u"resolve"_s, id, u"--as"_s, u"target"_s});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"resolved already"_s), qPrintable(run.err));
        run = sync({u"conflicts"_s, u"contacts"_s, u"--status"_s, u"resolved"_s});
        QVERIFY2(run.out.contains(u"  resolved  key 1  "_s)
                     && run.out.contains(u"resolved: source by "_s),
                 qPrintable(run.out));
        QCOMPARE(sync({u"conflicts"_s, u"contacts"_s, u"--status"_s, u"open"_s}).out,
                 u"contacts: no conflicts\n"_s);
    }

    void listsRejects()
    {
        Run run = sync({u"run"_s, u"people"_s});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(u"read 2  written 1  skipped 0  rejected 1"_s),
                 qPrintable(run.out));
        run = sync({u"rejects"_s, u"people"_s});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(u"no key"_s) && run.out.contains(u"  reasons: "_s)
                     && run.out.contains(u"  record: {\"id\":2,\"email\":null}"_s),
                 qPrintable(run.out));
        run = sync({u"rejects"_s, u"people"_s, u"--json"_s});
        const QJsonArray rejects = run.json()[u"rejects"].toArray();
        QCOMPARE(rejects.size(), 1);
        const QString runId = QString::number(qint64(rejects[0][u"run"].toDouble()));
        QCOMPARE(sync({u"rejects"_s, u"people"_s, u"--run"_s, runId, u"--json"_s})
                     .json()[u"rejects"]
                     .toArray()
                     .size(),
                 1);
        QCOMPARE(sync({u"rejects"_s, u"people"_s, u"--run"_s, u"99999"_s}).out,
                 u"people: no rejected records\n"_s);
        QVERIFY(sync({u"status"_s, u"people"_s}).out.contains(u"rejects: 1"_s));
    }

    void refusesBadUsage()
    {
        QCOMPARE(sync({}).exitCode, 2);
        QCOMPARE(sync({u"frobnicate"_s}).exitCode, 2);
        QCOMPARE(sync({u"run"_s}).exitCode, 2);
        QCOMPARE(sync({u"list"_s, u"extra"_s}).exitCode, 2);
        QCOMPARE(sync({u"runs"_s, u"customers"_s, u"--limit"_s, u"0"_s}).exitCode, 2);
        QCOMPARE(sync({u"conflicts"_s, u"contacts"_s, u"--status"_s, u"closed"_s}).exitCode, 2);
        QCOMPARE(sync({u"run"_s, u"customers"_s, u"--lease-ttl"_s, u"0"_s}).exitCode, 2);
        QCOMPARE(sync({u"resolve"_s, u"first"_s, u"--as"_s, u"source"_s}).exitCode, 2);
        Run run = sync({u"run"_s, u"nope"_s});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"sync_job_not_found"_s), qPrintable(run.err));
        QCOMPARE(sync({u"resolve"_s, u"99999"_s, u"--as"_s, u"source"_s}).exitCode, 1);
        run = sync({u"runs"_s, u"nope"_s});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.err.contains(u"no sync job \"nope\""_s));
        QProcess process;
        process.start(binary,
                      {u"sync"_s, u"list"_s, u"--project"_s, m_dir.filePath(u"not-a-project"_s),
                       u"--data"_s, m_data});
        QVERIFY(process.waitForFinished(60'000));
        QCOMPARE(process.exitCode(), 1);
        QProcess help;
        help.start(binary, {u"sync"_s, u"--help"_s});
        QVERIFY(help.waitForFinished(60'000));
        QCOMPARE(help.exitCode(), 0);
        QVERIFY(help.readAllStandardOutput().contains("--wait-lease"));
    }

    void sigintCancelsARun()
    {
        QProcess process;
        process.start(
            binary,
            {u"sync"_s, u"run"_s, u"slow-items"_s, u"--project"_s, m_project, u"--data"_s, m_data});
        QVERIFY(process.waitForStarted());
        QVERIFY(m_slowArrived.tryAcquire(1, 30'000));
        ::kill(pid_t(process.processId()), SIGINT);
        QVERIFY(process.waitForFinished(30'000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 1);
        const QString out = QString::fromUtf8(process.readAllStandardOutput());
        QVERIFY2(out.contains(u"slow-items: run #"_s) && out.contains(u" cancelled"_s),
                 qPrintable(out));
        QVERIFY2(out.contains(u"error: [cancelled]"_s), qPrintable(out));
        m_release.release(); // the server's handler ends

        const Run runs = sync({u"runs"_s, u"slow-items"_s, u"--json"_s});
        QCOMPARE(runs.json()[u"runs"].toArray().first()[u"status"].toString(), u"cancelled"_s);
        QCOMPARE(value(u"target"_s, u"select count(*) from items"_s), u"0"_s);
        QVERIFY(sync({u"status"_s, u"slow-items"_s}).out.contains(u"lease: free"_s));
    }
};

QTEST_GUILESS_MAIN(tst_SyncCommand)
#include "tst_synccommand.moc"
