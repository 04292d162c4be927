// Conflux's side of the sync benchmark (tests/bench/sync.sh). One sub-command per process, so
// that each run's peak memory (VmHWM) is its own:
//
//   bench_sync generate SQLITE_FILE ROWS
//       a new SQLite file with the table `customers` (integer primary key, text, integer,
//       numeric, boolean and an ISO 8601 `updated_at`, indexed); the content depends only on
//       the row number, so every run generates the same file
//   bench_sync target-schema
//       prints the PostgreSQL DDL of the target tables (`customers`, same columns with
//       PostgreSQL types, and `customers_mapped`, the mapping's renamed columns), both with
//       their primary key and the index on the timestamp
//   bench_sync touch SQLITE_FILE PERCENT
//       changes that share of the rows (every (100/PERCENT)-th id): orders + 1,
//       balance + 1.25 and an updated_at later than any in the table
//   bench_sync sync SQLITE_FILE PG_URL STATE_FILE [--batch N] [--statement-rows N] [--mapped]
//       one SyncRunner run of the job customers → PostgreSQL (cursor updated_at, key id,
//       upsert, source_wins; with --mapped through a mapping of renames and functions into
//       customers_mapped); the state store (checkpoint) is the SQLite file STATE_FILE, so the
//       first run is the full load and the next one the incremental sync
//   bench_sync verify SQLITE_FILE PG_URL TABLE
//       compares the target table (customers or customers_mapped) with the SQLite source:
//       row count, sums of the ids, orders and balance cents, the active and country-less
//       counts, the text lengths and the timestamp range; exits 1 on any difference
//
// Prints one JSON line. `sync` reports read/written/skipped counts, seconds (the run, without
// process start and store opening), recordsPerSecond, where the time went (sourceSeconds:
// inside the source connector's read, outside the runner's page handling — as the SQL
// connector reads an SQLite table ahead on a thread of its own, the time the runner waited for
// a page; targetSeconds: inside the target connector's writes; runnerSeconds: the rest, i.e.
// mapping, batching, checkpoints), peakRssBytes (VmHWM: with the pages of the SQLite file,
// which the read maps) and peakAnonymousBytes (the largest RssAnon, sampled). Exits 1 on any error, with the message on
// stderr.

#include "benchsupport.h"
#include "connectors/connector.h"
#include "connectors/endpoint.h"
#include "connectors/registry.h"
#include "data/value.h"
#include "mapping/mappingdocument.h"
#include "store/statestore.h"
#include "store/storeconfig.h"
#include "sync/syncjob.h"
#include "sync/syncrunner.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QUrl>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

using namespace Conflux;
using namespace Qt::StringLiterals;

namespace {

[[noreturn]] void fail(const QString &what)
{
    std::fprintf(stderr, "bench_sync: %s\n", qPrintable(what));
    std::exit(1);
}

void print(const QJsonObject &object)
{
    std::printf("%s\n", QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

// The process's anonymous memory now (RssAnon: heap and stacks, without the file pages it has
// mapped, such as the SQLite file the read maps), or -1.
qint64 anonymousRssBytes()
{
    return Bench::procStatusBytes("RssAnon:");
}

// The largest RssAnon seen while it lives, sampled every 10 ms on a thread of its own: the
// kernel keeps a peak of the whole RSS only (VmHWM), which counts mapped file pages too.
class AnonymousPeak
{
public:
    AnonymousPeak()
        : m_thread([this] {
              std::unique_lock lock(m_mutex);
              do
                  m_peak = std::max(m_peak, anonymousRssBytes());
              while (!m_stopped.wait_for(lock, std::chrono::milliseconds(10), [this] { return m_stop; }));
          })
    {
    }
    ~AnonymousPeak() { stop(); }
    qint64 stop()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_stopped.notify_all();
        if (m_thread.joinable())
            m_thread.join();
        return std::max(m_peak, anonymousRssBytes());
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_stopped;
    bool m_stop = false;
    qint64 m_peak = 0;
    std::thread m_thread;
};

double seconds(qint64 nanoseconds)
{
    return double(nanoseconds) / 1e9;
}

// ------------------------------------------------------------------------- the source data

// splitmix64: a deterministic stream of well-mixed numbers from the row number.
quint64 mix(quint64 x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

const QDateTime &epoch()
{
    static const QDateTime base(QDate(2023, 1, 1), QTime(0, 0), Qt::UTC);
    return base;
}

QString isoMillis(const QDateTime &time)
{
    return time.toUTC().toString(u"yyyy-MM-ddTHH:mm:ss.zzzZ"_s);
}

QSqlDatabase openSqlite(const QString &file, const QString &name)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
    db.setDatabaseName(file);
    if (!db.open())
        fail(u"cannot open %1: %2"_s.arg(file, db.lastError().text()));
    return db;
}

void exec(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql))
        fail(u"%1: %2"_s.arg(sql.left(80), query.lastError().text()));
}

void generate(const QString &file, qint64 rows)
{
    static const char *const first[] = {"Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta",
                                        "Hugo", "Ida", "Jonas", "Kira", "Lukas", "Mia", "Noah",
                                        "Olga", "Paul"};
    static const char *const last[] = {"Berg", "Schmidt", "Meyer", "Novak", "Rossi", "Dubois",
                                       "Jensen", "Silva", "Kowalski", "Horvat", "Larsen", "Moreau"};
    static const char *const countries[] = {"DE", "AT", "CH", "FR", "IT", "ES", "NL", "PL", "SE"};
    QFile::remove(file);
    {
        QSqlDatabase db = openSqlite(file, u"generate"_s);
        exec(db, u"PRAGMA journal_mode = OFF"_s);
        exec(db, u"PRAGMA synchronous = OFF"_s);
        exec(db, u"CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                 "email TEXT NOT NULL, country TEXT, orders INTEGER NOT NULL, "
                 "balance NUMERIC(12,2) NOT NULL, active BOOLEAN NOT NULL, "
                 "updated_at TEXT NOT NULL)"_s);
        exec(db, u"BEGIN"_s);
        QSqlQuery insert(db);
        if (!insert.prepare(u"INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s))
            fail(insert.lastError().text());
        constexpr qint64 yearMs = 365LL * 24 * 3600 * 1000;
        for (qint64 id = 1; id <= rows; ++id) {
            const quint64 r = mix(quint64(id));
            const QString firstName = QString::fromLatin1(first[r % 16]);
            const QString lastName = QString::fromLatin1(last[(r >> 8) % 12]);
            insert.bindValue(0, id);
            insert.bindValue(1, u"%1 %2 %3"_s.arg(firstName, lastName).arg(id));
            insert.bindValue(2, u"%1.%2.%3@example.com"_s.arg(firstName.toLower(), lastName.toLower())
                                    .arg(id));
            // One customer in twenty has no country.
            insert.bindValue(3, (r >> 16) % 20 == 0 ? QVariant(QMetaType(QMetaType::QString))
                                                    : QVariant(QString::fromLatin1(countries[(r >> 16) % 9])));
            insert.bindValue(4, qint64((r >> 24) % 500));
            insert.bindValue(5, double(qint64((r >> 32) % 2'000'000) - 500'000) / 100.0);
            insert.bindValue(6, qint64((r >> 40) & 1));
            insert.bindValue(7, isoMillis(epoch().addMSecs(qint64(mix(r) % quint64(yearMs)))));
            if (!insert.exec())
                fail(u"insert row %1: %2"_s.arg(id).arg(insert.lastError().text()));
        }
        exec(db, u"COMMIT"_s);
        exec(db, u"CREATE INDEX customers_updated_at ON customers (updated_at)"_s);
        exec(db, u"ANALYZE"_s);
    }
    QSqlDatabase::removeDatabase(u"generate"_s);
    print({{u"rows"_s, rows}, {u"file"_s, file}});
}

void touch(const QString &file, double percent)
{
    if (percent <= 0 || percent > 100)
        fail(u"the share to touch must be a percentage above 0 and at most 100"_s);
    const qint64 step = qMax<qint64>(1, qRound64(100.0 / percent));
    qint64 touched = 0;
    {
        QSqlDatabase db = openSqlite(file, u"touch"_s);
        QSqlQuery max(db);
        if (!max.exec(u"SELECT max(updated_at) FROM customers"_s) || !max.next())
            fail(u"cannot read the latest updated_at: %1"_s.arg(max.lastError().text()));
        const QDateTime latest = QDateTime::fromString(max.value(0).toString(), Qt::ISODateWithMs);
        if (!latest.isValid())
            fail(u"the latest updated_at \"%1\" is not an ISO date-time"_s.arg(max.value(0).toString()));
        max.finish();
        QList<qint64> ids;
        QSqlQuery select(db);
        select.setForwardOnly(true);
        if (!select.exec(u"SELECT id FROM customers WHERE id % %1 = %2 ORDER BY id"_s.arg(step).arg(step / 3)))
            fail(select.lastError().text());
        while (select.next())
            ids.append(select.value(0).toLongLong());
        select.finish();
        exec(db, u"BEGIN"_s);
        QSqlQuery update(db);
        if (!update.prepare(u"UPDATE customers SET orders = orders + 1, balance = balance + 1.25, "
                            "updated_at = ? WHERE id = ?"_s))
            fail(update.lastError().text());
        // Later than every row, one millisecond apart, in id order.
        const QDateTime start = latest.addSecs(60);
        for (qint64 id : std::as_const(ids)) {
            update.bindValue(0, isoMillis(start.addMSecs(touched)));
            update.bindValue(1, id);
            if (!update.exec())
                fail(update.lastError().text());
            ++touched;
        }
        exec(db, u"COMMIT"_s);
    }
    QSqlDatabase::removeDatabase(u"touch"_s);
    print({{u"touched"_s, touched}});
}

const char *targetSchema()
{
    return "CREATE TABLE customers (\n"
           "    id bigint PRIMARY KEY,\n"
           "    name text NOT NULL,\n"
           "    email text NOT NULL,\n"
           "    country text,\n"
           "    orders integer NOT NULL,\n"
           "    balance numeric(12,2) NOT NULL,\n"
           "    active boolean NOT NULL,\n"
           "    updated_at timestamptz NOT NULL\n"
           ");\n"
           "CREATE INDEX customers_updated_at ON customers (updated_at);\n"
           "CREATE TABLE customers_mapped (\n"
           "    customer_id bigint PRIMARY KEY,\n"
           "    display_name text NOT NULL,\n"
           "    email text NOT NULL,\n"
           "    country_code text NOT NULL,\n"
           "    order_count integer NOT NULL,\n"
           "    balance_eur numeric(12,2) NOT NULL,\n"
           "    status text NOT NULL,\n"
           "    changed_at timestamptz NOT NULL\n"
           ");\n"
           "CREATE INDEX customers_mapped_changed_at ON customers_mapped (changed_at);\n";
}

// ------------------------------------------------------------------------------- the sync

// The mapping of the --mapped runs: renames, string functions, a default, arithmetic and a
// condition, as an analyst would draw them.
QJsonObject mappingDocument()
{
    auto rule = [](std::initializer_list<std::pair<QString, QJsonValue>> members) {
        QJsonObject o;
        for (const auto &[k, v] : members)
            o.insert(k, v);
        return o;
    };
    QJsonArray rules{
        rule({{u"type"_s, u"field_mapping"_s}, {u"source"_s, u"id"_s}, {u"target"_s, u"customer_id"_s},
              {u"required"_s, true}}),
        rule({{u"type"_s, u"uppercase"_s}, {u"source"_s, u"name"_s}, {u"target"_s, u"display_name"_s}}),
        rule({{u"type"_s, u"lowercase"_s}, {u"source"_s, u"email"_s}, {u"target"_s, u"email"_s}}),
        rule({{u"type"_s, u"expression"_s}, {u"expression"_s, u"country ? country : \"XX\""_s},
              {u"target"_s, u"country_code"_s}}),
        rule({{u"type"_s, u"field_mapping"_s}, {u"source"_s, u"orders"_s}, {u"target"_s, u"order_count"_s}}),
        rule({{u"type"_s, u"expression"_s}, {u"expression"_s, u"$round(balance, 2)"_s},
              {u"target"_s, u"balance_eur"_s}}),
        rule({{u"type"_s, u"expression"_s},
              {u"expression"_s, u"active ? \"active\" : \"inactive\""_s},
              {u"target"_s, u"status"_s}}),
        rule({{u"type"_s, u"field_mapping"_s}, {u"source"_s, u"updated_at"_s}, {u"target"_s, u"changed_at"_s}}),
    };
    return QJsonObject{{u"kind"_s, u"Mapping"_s},
                       {u"schemaVersion"_s, 2},
                       {u"id"_s, u"bench-customers"_s},
                       {u"name"_s, u"Benchmark customers"_s},
                       {u"rules"_s, rules}};
}

// Times the calls into a connector: the read minus the time spent in its sink (the runner's
// work on each page), and the writes.
class TimedConnector final : public Connectors::Connector
{
public:
    TimedConnector(std::unique_ptr<Connectors::Connector> inner, qint64 *spentNs)
        : Connector(inner->endpoint()), m_inner(std::move(inner)), m_spent(spentNs)
    {
    }

    Connectors::Capabilities capabilities() const override { return m_inner->capabilities(); }
    Result<Connectors::ConnectionTest> testConnection() override { return m_inner->testConnection(); }
    Result<std::vector<Connectors::Entity>> discover() override { return m_inner->discover(); }
    Result<Connectors::ReadSummary> read(const Connectors::ReadRequest &request,
                                         const Connectors::PageSink &sink) override
    {
        QElapsedTimer timer;
        timer.start();
        qint64 inSink = 0;
        auto result = m_inner->read(request, [&](std::vector<Data::Value> &&page) {
            QElapsedTimer sinkTimer;
            sinkTimer.start();
            const bool goOn = sink(std::move(page));
            inSink += sinkTimer.nsecsElapsed();
            return goOn;
        });
        *m_spent += timer.nsecsElapsed() - inSink;
        return result;
    }
    Result<Connectors::WriteSummary> write(const Connectors::WriteRequest &request) override
    {
        QElapsedTimer timer;
        timer.start();
        auto result = m_inner->write(request);
        *m_spent += timer.nsecsElapsed();
        return result;
    }

private:
    std::unique_ptr<Connectors::Connector> m_inner;
    qint64 *m_spent;
};

struct SyncOptions
{
    QString source;
    QString target;
    QString state;
    int batch = 5000;
    int statementRows = 0; // 0: the connector's default
    bool mapped = false;
};

Connectors::EndpointSpec endpoint(const QString &id, const QString &url, int statementRows)
{
    QJsonObject document{{u"kind"_s, u"Endpoint"_s},
                         {u"schemaVersion"_s, 1},
                         {u"id"_s, id},
                         {u"name"_s, id},
                         {u"type"_s, u"database"_s},
                         {u"protocol"_s, u"sql"_s},
                         {u"url"_s, url}};
    if (statementRows > 0)
        document.insert(u"configuration"_s, QJsonObject{{u"batch_size"_s, statementRows}});
    Result<Connectors::EndpointSpec> spec = Connectors::parseEndpoint(Data::Value::fromQJson(document), id);
    if (!spec)
        fail(spec.error().toString());
    return *spec;
}

void sync(const SyncOptions &options)
{
    Store::StoreConfig config;
    config.sqlitePath = options.state;
    std::unique_ptr<Store::StateStore> store = Store::StateStore::create(config);
    if (Result<void> opened = store->open(); !opened)
        fail(opened.error().toString());

    auto registry = std::make_shared<Connectors::ConnectorRegistry>();
    Connectors::registerBuiltinConnectors(*registry);
    const Connectors::EndpointSpec source = endpoint(
        u"source"_s, u"sqlite://"_s + QFileInfo(options.source).absoluteFilePath(), 0);
    const Connectors::EndpointSpec target = endpoint(u"target"_s, options.target, options.statementRows);

    qint64 sourceNs = 0, targetNs = 0;
    Sync::SyncHost host;
    host.store = store.get();
    host.node = u"bench"_s;
    host.connector = [&](const QString &id) -> Result<std::unique_ptr<Connectors::Connector>> {
        const bool isSource = id == "source"_L1;
        Result<std::unique_ptr<Connectors::Connector>> made
            = registry->create(isSource ? source : target, Connectors::ConnectorContext{});
        if (!made)
            return made.error();
        return std::unique_ptr<Connectors::Connector>(
            new TimedConnector(std::move(*made), isSource ? &sourceNs : &targetNs));
    };
    if (options.mapped) {
        Result<Mapping::CompiledMapping> compiled
            = Mapping::CompiledMapping::compile(Data::Value::fromQJson(mappingDocument()));
        if (!compiled)
            fail(compiled.error().toString());
        host.mapping = std::make_shared<const Mapping::CompiledMapping>(std::move(*compiled));
    }

    Sync::SyncJobSpec job;
    job.id = options.mapped ? u"bench-customers-mapped"_s : u"bench-customers"_s;
    job.name = job.id;
    job.sourceEndpoint = u"source"_s;
    job.targetEndpoint = u"target"_s;
    job.sourceObject = u"customers"_s;
    job.targetObject = options.mapped ? u"customers_mapped"_s : u"customers"_s;
    job.keyFields = {options.mapped ? u"customer_id"_s : u"id"_s};
    job.cursorField = u"updated_at"_s;
    job.batchSize = options.batch;
    job.writeMode = Sync::SyncWriteMode::Upsert;
    job.conflictPolicy = Sync::ConflictPolicy::SourceWins;
    job.maxRetries = 0; // a failure is a failed benchmark, not a retry to time

    Sync::SyncRunner runner(job, std::move(host));
    AnonymousPeak anonymous;
    QElapsedTimer timer;
    timer.start();
    Result<Sync::SyncRunResult> result = runner.run();
    const qint64 elapsed = timer.nsecsElapsed();
    const qint64 peakAnonymous = anonymous.stop();
    if (!result)
        fail(u"the run did not start: "_s + result.error().toString());
    if (result->error)
        fail(u"the run %1: %2"_s.arg(result->run.status, result->error->toString()));
    const Store::SyncRunRecord &run = result->run;
    if (run.status != "succeeded"_L1 || run.rejected > 0)
        fail(u"the run ended %1 with %2 rejected records"_s.arg(run.status).arg(run.rejected));
    print({{u"read"_s, run.read},
           {u"written"_s, run.written},
           {u"skipped"_s, run.skipped},
           {u"seconds"_s, seconds(elapsed)},
           {u"recordsPerSecond"_s, run.read > 0 ? qRound64(double(run.read) / seconds(elapsed)) : 0},
           {u"sourceSeconds"_s, seconds(sourceNs)},
           {u"targetSeconds"_s, seconds(targetNs)},
           {u"runnerSeconds"_s, seconds(elapsed - sourceNs - targetNs)},
           {u"batch"_s, options.batch},
           {u"checkpoint"_s, run.checkpointAfter},
           {u"peakRssBytes"_s, Bench::peakRssBytes()},
           {u"peakAnonymousBytes"_s, peakAnonymous}});
}

// ------------------------------------------------------------------------------ verification

QSqlDatabase openPostgres(const QString &url, const QString &name)
{
    const QUrl u(url);
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
    db.setHostName(u.host());
    db.setPort(u.port(5432));
    db.setUserName(u.userName());
    db.setDatabaseName(u.path().mid(1));
    db.setConnectOptions(u"options='-c TimeZone=UTC'"_s);
    if (!db.open())
        fail(u"cannot connect to %1: %2"_s.arg(url, db.lastError().text()));
    return db;
}

QStringList figures(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql) || !query.next())
        fail(u"%1: %2"_s.arg(sql.left(80), query.lastError().text()));
    QStringList out;
    for (int i = 0; i < query.record().count(); ++i)
        out << query.value(i).toString();
    return out;
}

void verify(const QString &file, const QString &url, const QString &table)
{
    if (table != "customers"_L1 && table != "customers_mapped"_L1)
        fail(u"verify knows the tables customers and customers_mapped, not \"%1\""_s.arg(table));
    const bool mapped = table == "customers_mapped"_L1;
    static const QStringList names{u"rows"_s, u"sum of ids"_s, u"sum of orders"_s, u"sum of balance cents"_s,
                                   u"active rows"_s, u"rows without a country"_s,
                                   u"total length of names and e-mails"_s, u"first updated_at"_s,
                                   u"last updated_at"_s};
    QStringList expected, actual;
    {
        QSqlDatabase db = openSqlite(file, u"verify-source"_s);
        expected = figures(db, u"SELECT count(*), sum(id), sum(orders), sum(CAST(round(balance * 100) AS INTEGER)), "
                               "sum(active), sum(country IS NULL), sum(length(name) + length(email)), "
                               "min(updated_at), max(updated_at) FROM customers"_s);
    }
    QSqlDatabase::removeDatabase(u"verify-source"_s);
    {
        QSqlDatabase db = openPostgres(url, u"verify-target"_s);
        const QString sql = mapped
            ? u"SELECT count(*), sum(customer_id), sum(order_count), sum((balance_eur * 100)::bigint), "
              "count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE country_code = 'XX'), "
              "sum(length(display_name) + length(email)), "
              "to_char(min(changed_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
              "to_char(max(changed_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
              "FROM customers_mapped"_s
            : u"SELECT count(*), sum(id), sum(orders), sum((balance * 100)::bigint), "
              "count(*) FILTER (WHERE active), count(*) FILTER (WHERE country IS NULL), "
              "sum(length(name) + length(email)), "
              "to_char(min(updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
              "to_char(max(updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
              "FROM customers"_s;
        actual = figures(db, sql);
    }
    QSqlDatabase::removeDatabase(u"verify-target"_s);
    QStringList differences;
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (expected.value(i) != actual.value(i))
            differences << u"%1: source %2, target %3"_s.arg(names[i], expected.value(i), actual.value(i));
    }
    if (!differences.isEmpty())
        fail(u"%1 differs from the source: %2"_s.arg(table, differences.join(u"; "_s)));
    print({{u"table"_s, table}, {u"rows"_s, expected.value(0).toLongLong()}, {u"verified"_s, true}});
}

int usage()
{
    std::fprintf(stderr,
                 "usage: bench_sync generate SQLITE_FILE ROWS\n"
                 "       bench_sync target-schema\n"
                 "       bench_sync touch SQLITE_FILE PERCENT\n"
                 "       bench_sync sync SQLITE_FILE PG_URL STATE_FILE [--batch N] [--statement-rows N] [--mapped]\n"
                 "       bench_sync verify SQLITE_FILE PG_URL customers|customers_mapped\n");
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QString command = args.value(1);
    if (command == "generate"_L1 && args.size() == 4) {
        bool ok = false;
        const qint64 rows = args.at(3).toLongLong(&ok);
        if (!ok || rows <= 0)
            return usage();
        generate(args.at(2), rows);
    } else if (command == "target-schema"_L1 && args.size() == 2) {
        std::printf("%s", targetSchema());
    } else if (command == "touch"_L1 && args.size() == 4) {
        bool ok = false;
        const double percent = args.at(3).toDouble(&ok);
        if (!ok)
            return usage();
        touch(args.at(2), percent);
    } else if (command == "sync"_L1 && args.size() >= 5) {
        SyncOptions options;
        options.source = args.at(2);
        options.target = args.at(3);
        options.state = args.at(4);
        for (qsizetype i = 5; i < args.size(); ++i) {
            const QString &name = args.at(i);
            if (name == "--mapped"_L1) {
                options.mapped = true;
            } else if ((name == "--batch"_L1 || name == "--statement-rows"_L1) && i + 1 < args.size()) {
                bool ok = false;
                const int value = args.at(++i).toInt(&ok);
                if (!ok || value <= 0)
                    return usage();
                (name == "--batch"_L1 ? options.batch : options.statementRows) = value;
            } else {
                return usage();
            }
        }
        sync(options);
    } else if (command == "verify"_L1 && args.size() == 5) {
        verify(args.at(2), args.at(3), args.at(4));
    } else {
        return usage();
    }
    return 0;
}
