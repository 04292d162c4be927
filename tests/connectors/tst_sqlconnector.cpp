// The SQL connector's shared cases: configuration, discovery, paged/incremental/filtered reads,
// writes with their counts and rollback, and the refusal of unknown names and injected text,
// on the database that CONFLUX_TEST_SQL_BACKEND names:
//   (unset) or sqlite  a fresh SQLite file per case (CTest tst_sqlconnector, label unit);
//   mariadb            the MariaDB server of the CTest fixture `mariadb`, whose facts are in the
//                      file CONFLUX_TEST_MARIADB_ENV names (tst_sqlconnector_mariadb);
//   odbc               psqlODBC ("PostgreSQL Unicode", or CONFLUX_TEST_ODBC_DRIVER) against the
//                      PostgreSQL server of the fixture `postgres` (CONFLUX_TEST_PG_ENV), in a
//                      database of its own, conflux_odbc (tst_sqlconnector_odbc).
// The same tables are made on each; what differs by database is said where it is checked.
// After the shared cases, an SQLite run adds tst_SqlConnectorUnit (SQLite's own behaviour and
// the helpers that need no server), a server run tst_SqlConnectorServer (types of its own, a
// lost connection, statement timeouts, refused connections, the forms of the URL).
#include "base/metrics.h"
#include "connectors/endpoint.h"
#include "connectors/sqlconnector.h"
#include "connectors/sqlconnector_p.h"
#include "data/json.h"
#include "security/secrets.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>
#include <functional>
#include <memory>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;

namespace {

enum class Backend { Sqlite, MariaDb, Odbc };

Backend backendFromEnvironment()
{
    const QString name = qEnvironmentVariable("CONFLUX_TEST_SQL_BACKEND").toLower();
    if (name.isEmpty() || name == "sqlite"_L1)
        return Backend::Sqlite;
    if (name == "mariadb"_L1)
        return Backend::MariaDb;
    if (name == "odbc"_L1)
        return Backend::Odbc;
    qFatal("CONFLUX_TEST_SQL_BACKEND=%s: expected sqlite, mariadb or odbc", qPrintable(name));
}

// Test JSON is written with single quotes (moc of Qt 6.4 cannot read raw string literals).
Data::Value json(QByteArray text)
{
    text.replace('\'', '"');
    Result<Data::Value> value = Data::Json::parse(text);
    if (!value)
        qFatal("bad test JSON: %s", qPrintable(value.error().message));
    return *value;
}

QByteArray endpointJson(const QByteArray &url, const QByteArray &configuration,
                        const QByteArray &extra = {})
{
    return "{\"kind\":\"Endpoint\",\"schemaVersion\":1,\"id\":\"shop-db\",\"name\":\"Shop "
           "DB\",\"type\":\"database\","
           "\"protocol\":\"sql\",\"url\":\""
        + url + "\",\"configuration\":" + configuration + extra + "}";
}

std::vector<Data::Value> records(const QByteArray &jsonArray)
{
    const Data::Value array = json(jsonArray);
    return array.toArray();
}

QString minuteStamp(int minute)
{
    return u"2024-02-01T10:%1:00"_s.arg(minute, 2, 10, QChar(u'0'));
}

// Secrets from a map, like the keychain or the environment would give them.
class MapSecrets final : public Security::SecretResolver
{
public:
    QMap<QString, QString> values;
    Result<QString> resolve(const QString &name) const override
    {
        if (!values.contains(name))
            return makeError("secret_not_found", u"no secret \"%1\""_s.arg(name));
        return values.value(name);
    }
    QString describe() const override { return u"the test's map"_s; }
};

// The test's own connection to the database, to set it up and look at it: QSQLITE, QMYSQL,
// or QPSQL beside the connector's QODBC.
class RawDb
{
public:
    RawDb(const QString &driver, const std::function<void(QSqlDatabase &)> &configure)
        : m_name(u"tst-raw-%1"_s.arg(++s_counter))
    {
        m_db = QSqlDatabase::addDatabase(driver, m_name);
        configure(m_db);
        if (!m_db.open())
            m_error = m_db.lastError().text();
    }
    ~RawDb()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    RawDb(const RawDb &) = delete;
    RawDb &operator=(const RawDb &) = delete;

    QString error() const { return m_error; }

    bool exec(const QString &sql, const QVariantList &params = {})
    {
        QSqlQuery query(m_db);
        bool ok = false;
        if (params.isEmpty()) {
            ok = query.exec(sql);
        } else {
            ok = query.prepare(sql);
            for (const QVariant &v : params)
                query.addBindValue(v);
            ok = ok && query.exec();
        }
        if (!ok)
            qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        return ok;
    }
    QVariant value(const QString &sql, const QVariantList &params = {})
    {
        QSqlQuery query(m_db);
        query.prepare(sql);
        for (const QVariant &v : params)
            query.addBindValue(v);
        if (!query.exec() || !query.next()) {
            qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
            return {};
        }
        return query.value(0);
    }
    QVariantList column(const QString &sql)
    {
        QVariantList out;
        QSqlQuery query(m_db);
        if (!query.exec(sql))
            qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        while (query.next())
            out << query.value(0);
        return out;
    }

private:
    static inline int s_counter = 0;
    QString m_name;
    QSqlDatabase m_db;
    QString m_error;
};

const QString kOdbcDatabase = u"conflux_odbc"_s;
const QString kOdbcPassword = u"odbc-Pass-5521"_s; // the fixture's server trusts local logins

// The database under test: its raw connection, its dialect for the test's own SQL, and the
// endpoint document that points the connector at it.
class TestDatabase
{
public:
    const Backend backend = backendFromEnvironment();
    QMap<QString, QString> env; // the fixture's facts
    QString odbcDriver = qEnvironmentVariable("CONFLUX_TEST_ODBC_DRIVER", u"PostgreSQL Unicode"_s);
    std::unique_ptr<QTemporaryDir> dir; // SQLite: the folder of shop.db
    std::unique_ptr<RawDb> raw;

    bool isServer() const { return backend != Backend::Sqlite; }
    QString label() const
    {
        return backend == Backend::Sqlite ? u"SQLite"_s
            : backend == Backend::MariaDb ? u"MariaDB"_s
                                          : u"ODBC (psqlODBC)"_s;
    }

    // Once per test class: the fixture's facts; ODBC also makes its own database.
    bool start(QString *error)
    {
        if (!m_started) {
            m_started = true;
            m_ready = backend == Backend::Sqlite || connect(&m_startError);
        }
        *error = m_startError;
        return m_ready;
    }

private:
    bool m_started = false;
    bool m_ready = false;
    QString m_startError;

    bool connect(QString *error)
    {
        const char *variable
            = backend == Backend::MariaDb ? "CONFLUX_TEST_MARIADB_ENV" : "CONFLUX_TEST_PG_ENV";
        env = Test::readFixtureEnv(variable, error);
        if (env.isEmpty())
            return false;
        const QString driver = backend == Backend::MariaDb ? u"QMYSQL"_s : u"QODBC"_s;
        if (!QSqlDatabase::isDriverAvailable(driver)) {
            *error = u"the Qt SQL driver %1 is not installed (apt-get install %2)"_s.arg(
                driver,
                backend == Backend::MariaDb ? u"libqt6sql6-mysql"_s
                                            : u"libqt6sql6-odbc odbc-postgresql"_s);
            return false;
        }
        if (backend == Backend::MariaDb) {
            raw = std::make_unique<RawDb>(u"QMYSQL"_s, [&](QSqlDatabase &db) {
                db.setHostName(env.value(u"MARIADB_HOST"_s));
                db.setPort(env.value(u"MARIADB_PORT"_s).toInt());
                db.setUserName(env.value(u"MARIADB_USER"_s));
                db.setPassword(env.value(u"MARIADB_PASSWORD"_s));
                db.setDatabaseName(env.value(u"MARIADB_DATABASE"_s));
            });
        } else {
            auto postgres = [&](const QString &database) {
                return std::make_unique<RawDb>(u"QPSQL"_s, [&](QSqlDatabase &db) {
                    db.setHostName(env.value(u"PGHOST"_s));
                    db.setPort(env.value(u"PGPORT"_s).toInt());
                    db.setUserName(env.value(u"PGUSER"_s));
                    db.setDatabaseName(database);
                    db.setConnectOptions(u"connect_timeout=5"_s);
                });
            };
            {
                auto admin = postgres(env.value(u"PGDATABASE"_s));
                if (!admin->error().isEmpty()) {
                    *error = u"cannot connect to the fixture's PostgreSQL: "_s + admin->error();
                    return false;
                }
                admin->exec(u"SET client_min_messages TO warning"_s);
                if (admin
                        ->value(u"SELECT count(*) FROM pg_database WHERE datname = ?"_s,
                                {kOdbcDatabase})
                        .toInt()
                    == 0)
                    admin->exec(u"CREATE DATABASE "_s + kOdbcDatabase);
            }
            raw = postgres(kOdbcDatabase);
            if (raw->error().isEmpty())
                raw->exec(u"SET client_min_messages TO warning"_s);
            // The ODBC driver is the machine's: say which package brings it.
            RawDb odbc(u"QODBC"_s, [&](QSqlDatabase &db) {
                db.setDatabaseName(u"DRIVER={%1};"_s.arg(odbcDriver)
                                   + odbcAttributes(kOdbcDatabase));
                db.setUserName(env.value(u"PGUSER"_s));
            });
            if (!odbc.error().isEmpty()) {
                *error = u"cannot connect through the ODBC driver \"%1\" (apt-get install "
                         "odbc-postgresql unixodbc; odbcinst -q -d lists the drivers): %2"_s.arg(
                             odbcDriver, odbc.error());
                return false;
            }
        }
        if (!raw->error().isEmpty()) {
            *error = u"the test's own connection to %1 failed: %2"_s.arg(label(), raw->error());
            return false;
        }
        return true;
    }

public:
    // Before each case: no tables but the ones the case makes (SQLite: a new file).
    bool clear()
    {
        switch (backend) {
        case Backend::Sqlite:
            raw.reset();
            dir = std::make_unique<QTemporaryDir>();
            if (!dir->isValid())
                return false;
            raw = std::make_unique<RawDb>(u"QSQLITE"_s, [&](QSqlDatabase &db) {
                db.setDatabaseName(dir->filePath(u"shop.db"_s));
            });
            return raw->error().isEmpty();
        case Backend::MariaDb: {
            const QVariantList views = raw->column(
                u"SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
                "AND table_type = 'VIEW'"_s);
            for (const QVariant &view : views) {
                if (!raw->exec(u"DROP VIEW "_s + quote(view.toString())))
                    return false;
            }
            const QVariantList tables = raw->column(
                u"SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"_s);
            for (const QVariant &table : tables) {
                if (!raw->exec(u"DROP TABLE "_s + quote(table.toString())))
                    return false;
            }
            return true;
        }
        case Backend::Odbc:
            return raw->exec(u"DROP SCHEMA public CASCADE"_s)
                && raw->exec(u"CREATE SCHEMA public"_s);
        }
        return false;
    }

    // A name quoted for the test's own SQL.
    QString quote(const QString &name) const
    {
        if (backend == Backend::MariaDb)
            return u'`' + QString(name).replace(u'`', u"``"_s) + u'`';
        return u'"' + QString(name).replace(u'"', u"\"\""_s) + u'"';
    }

    // The tables every shared case starts with, in each database's words.
    QStringList schema() const
    {
        switch (backend) {
        case Backend::Sqlite:
            return {
                u"CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email "
                "VARCHAR(200), vip BOOLEAN, balance DECIMAL(10,2), joined DATE, updated_at "
                "DATETIME, photo BLOB, notes, data JSON)"_s,
                u"CREATE TABLE order_lines (order_id INTEGER NOT NULL, line INTEGER NOT NULL, sku "
                "TEXT, qty INTEGER CHECK (qty > 0), PRIMARY KEY (order_id, line))"_s,
                u"CREATE TABLE log (message TEXT)"_s,
                u"CREATE VIEW vip_customers AS SELECT id, name FROM customers WHERE vip = 1"_s,
            };
        case Backend::MariaDb:
            return {
                u"CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, email "
                "VARCHAR(200), vip BOOLEAN, balance DECIMAL(10,2), joined DATE, updated_at "
                "DATETIME, photo BLOB, notes TEXT, data JSON) ENGINE=InnoDB "
                "COMMENT='Shop customers'"_s,
                u"CREATE TABLE order_lines (order_id INT NOT NULL, line INT NOT NULL, sku "
                "VARCHAR(20), qty INT CHECK (qty > 0), PRIMARY KEY (order_id, line)) "
                "ENGINE=InnoDB"_s,
                u"CREATE TABLE log (message TEXT) ENGINE=InnoDB"_s,
                u"CREATE VIEW vip_customers AS SELECT id, name FROM customers WHERE vip = 1"_s,
            };
        case Backend::Odbc:
            return {
                u"CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email "
                "VARCHAR(200), vip BOOLEAN, balance NUMERIC(10,2), joined DATE, updated_at "
                "TIMESTAMP, photo BYTEA, notes TEXT, data JSON)"_s,
                u"CREATE TABLE order_lines (order_id INTEGER NOT NULL, line INTEGER NOT NULL, sku "
                "TEXT, qty INTEGER CHECK (qty > 0), PRIMARY KEY (order_id, line))"_s,
                u"CREATE TABLE log (message TEXT)"_s,
                u"CREATE VIEW vip_customers AS SELECT id, name FROM customers WHERE vip"_s,
            };
        }
        return {};
    }

    // The endpoint's url and the parts of the document that go with it.
    QByteArray url() const
    {
        switch (backend) {
        case Backend::Sqlite:
            return "sqlite:shop.db";
        case Backend::MariaDb:
            return "mariadb://" + env.value(u"MARIADB_HOST"_s).toUtf8() + ':'
                + env.value(u"MARIADB_PORT"_s).toUtf8() + '/'
                + env.value(u"MARIADB_DATABASE"_s).toUtf8();
        case Backend::Odbc:
            return odbcAttributes(kOdbcDatabase).toUtf8().prepend("odbc:");
        }
        return {};
    }
    QString odbcAttributes(const QString &database) const
    {
        // BoolsAsChar=0: psqlODBC describes boolean columns as SQL_BIT, not as text.
        return u"SERVER=%1;PORT=%2;DATABASE=%3;BoolsAsChar=0"_s.arg(
            env.value(u"PGHOST"_s), env.value(u"PGPORT"_s), database);
    }
    // Adds what the database needs to a configuration object written in test JSON.
    QByteArray configuration(const QByteArray &configuration) const
    {
        if (backend != Backend::Odbc || configuration.contains("odbc_driver"))
            return configuration;
        QByteArray out = configuration;
        const QByteArray driver = "'odbc_driver': '" + odbcDriver.toUtf8() + '\'';
        out.insert(out.indexOf('{') + 1, out.trimmed() == "{}" ? driver : driver + ", ");
        return out;
    }
    QByteArray authentication() const
    {
        switch (backend) {
        case Backend::Sqlite:
            return {};
        case Backend::MariaDb:
            return ",'authentication':{'type':'basic','username':'"
                + env.value(u"MARIADB_USER"_s).toUtf8()
                + "','password':{'secret':'shop.password'}}";
        case Backend::Odbc:
            return ",'authentication':{'type':'basic','username':'"
                + env.value(u"PGUSER"_s).toUtf8() + "','password':{'secret':'shop.password'}}";
        }
        return {};
    }
    QString password() const
    {
        return backend == Backend::MariaDb ? env.value(u"MARIADB_PASSWORD"_s) : kOdbcPassword;
    }
    std::shared_ptr<MapSecrets> secrets() const
    {
        auto out = std::make_shared<MapSecrets>();
        if (isServer())
            out->values.insert(u"shop.password"_s, password());
        return out;
    }

    std::unique_ptr<Connector> connector(const QByteArray &url, const QByteArray &configuration,
                                         const QByteArray &extra, MetricsRegistry *metrics,
                                         QString *error = nullptr) const
    {
        Result<EndpointSpec> spec
            = parseEndpoint(json(endpointJson(url, this->configuration(configuration), extra)));
        if (!spec) {
            if (error)
                *error = spec.error().toString();
            qWarning("%s", qPrintable(spec.error().toString()));
            return {};
        }
        ConnectorContext context;
        context.baseDirectory = dir ? dir->path() : QString();
        context.metrics = metrics;
        context.secrets = secrets();
        Result<std::unique_ptr<Connector>> made = createSqlConnector(*spec, context);
        if (!made) {
            if (error)
                *error = made.error().toString();
            qWarning("%s", qPrintable(made.error().toString()));
            return {};
        }
        return std::move(made).value();
    }
};

Result<std::vector<Data::Value>> readAll(Connector &c, const ReadRequest &request,
                                         ReadSummary *summary = nullptr,
                                         std::vector<qsizetype> *pageSizes = nullptr)
{
    std::vector<Data::Value> out;
    Result<ReadSummary> done = c.read(request, [&](std::vector<Data::Value> &&page) {
        if (pageSizes)
            pageSizes->push_back(qsizetype(page.size()));
        for (Data::Value &record : page)
            out.push_back(std::move(record));
        return true;
    });
    if (!done)
        return done.error();
    if (summary)
        *summary = *done;
    return out;
}

} // namespace

// --- the shared cases

class tst_SqlConnector : public QObject
{
    Q_OBJECT

public:
    explicit tst_SqlConnector(TestDatabase *database)
        : m_db(*database)
    {
    }

private slots:
    void initTestCase();
    void init();

    void testConnection();
    void discover();
    void tablesAllowList();
    void readInPages();
    void readSelectedFields();
    void incrementalRead();
    void limit();
    void sinkStopsEarly();
    void filter();
    void values();
    void insertUpsertDelete();
    void failingBatchRollsBack();
    void invalidRecords();
    void unknownNames();
    void injectionIsStoredLiterally();
    void cancel();
    void otherThread();
    void metrics();
    void badConfiguration_data();
    void badConfiguration();
    void driverAvailability_data();
    void driverAvailability();

private:
    std::unique_ptr<Connector> connector(const QByteArray &configuration = "{}",
                                         MetricsRegistry *metrics = nullptr)
    {
        return m_db.connector(m_db.url(), configuration, m_db.authentication(), metrics);
    }
    qint64 count(const QString &table)
    {
        return m_db.raw->value(u"SELECT COUNT(*) FROM "_s + table).toLongLong();
    }
    Backend backend() const { return m_db.backend; }

    TestDatabase &m_db;
};

void tst_SqlConnector::initTestCase()
{
    QString error;
    QVERIFY2(m_db.start(&error), qPrintable(error));
    qInfo("the SQL connector on %s", qPrintable(m_db.label()));
}

void tst_SqlConnector::init()
{
    QVERIFY(m_db.clear());
    RawDb &raw = *m_db.raw;
    for (const QString &sql : m_db.schema())
        QVERIFY(raw.exec(sql));
    QVERIFY(raw.exec(u"BEGIN"_s));
    for (int n = 1; n <= 25; ++n) {
        // updated_at minutes are a permutation of 0..24, so cursor order differs from key order.
        QVERIFY(
            raw.exec(u"INSERT INTO customers (id, name, email, vip, balance, joined, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
                     {QVariant(n), QVariant(u"Customer %1"_s.arg(n)),
                      n == 25 ? QVariant(QMetaType(QMetaType::QString))
                              : QVariant(u"c%1@example.com"_s.arg(n)),
                      QVariant(n % 3 == 0), QVariant(n * 1.5),
                      QVariant(u"2023-12-%1"_s.arg(n, 2, 10, QChar(u'0'))),
                      QVariant(minuteStamp((n * 7) % 25))}));
    }
    QVERIFY(raw.exec(
        u"UPDATE customers SET photo = ?, notes = 'plain', data = '{\"tags\":[\"a\",\"b\"]}' "
        "WHERE id = 1"_s,
        {QByteArray("\x00\x01\xfe\xff", 4)}));
    QVERIFY(raw.exec(u"COMMIT"_s));
}

void tst_SqlConnector::testConnection()
{
    auto c = connector();
    QVERIFY(c);
    QCOMPARE(c->endpoint().id, u"shop-db"_s);
    QVERIFY(c->capabilities().testFlag(Capability::Transactions));
    Result<ConnectionTest> test = c->testConnection();
    VERIFY_OK(test);
    switch (backend()) {
    case Backend::Sqlite:
        QVERIFY2(test->serverInfo.startsWith(u"SQLite 3."_s), qPrintable(test->serverInfo));
        break;
    case Backend::MariaDb:
        QCOMPARE(test->serverInfo, u"MariaDB "_s + m_db.env.value(u"MARIADB_VERSION"_s));
        break;
    case Backend::Odbc:
        QCOMPARE(test->serverInfo, u"ODBC driver \"%1\""_s.arg(m_db.odbcDriver));
        break;
    }
    QVERIFY(test->latencyMs >= 0);
    VERIFY_OK(c->testConnection()); // again, on the open connection
}

void tst_SqlConnector::discover()
{
    auto c = connector();
    QVERIFY(c);
    Result<std::vector<Entity>> entities = c->discover();
    VERIFY_OK(entities);
    QStringList names;
    for (const Entity &e : *entities)
        names << e.name;
    QCOMPARE(names, (QStringList {u"customers"_s, u"log"_s, u"order_lines"_s, u"vip_customers"_s}));

    const Entity &customers = entities->at(0);
    QCOMPARE(customers.keyFields, QStringList {u"id"_s});
    QVERIFY(customers.capabilities.testFlag(Capability::Upsert));
    QVERIFY(customers.capabilities.testFlag(Capability::Delete));
    QVERIFY(customers.capabilities.testFlag(Capability::Insert));
    QVERIFY(customers.capabilities.testFlag(Capability::Transactions));
    // The table comment (information_schema.tables on MariaDB; SQLite has none; over ODBC the
    // connector reads no comments).
    QCOMPARE(customers.description,
             backend() == Backend::MariaDb ? u"Shop customers"_s : QString());
    QCOMPARE(customers.schema.fields.size(), size_t(10));
    using Data::SchemaType;
    auto field = [&](const char *name) {
        const Data::SchemaField *f = customers.schema.field(QString::fromLatin1(name));
        if (!f)
            qFatal("no field %s", name);
        return f;
    };
    QCOMPARE(field("id")->types, Data::SchemaTypes(SchemaType::Integer)); // a key is never null
    QCOMPARE(field("name")->types, Data::SchemaTypes(SchemaType::String));
    QCOMPARE(field("email")->types, SchemaType::String | SchemaType::Null);
    // MariaDB's BOOLEAN is TINYINT(1); psqlODBC with BoolsAsChar=0 describes boolean as SQL_BIT.
    QCOMPARE(field("vip")->types, SchemaType::Boolean | SchemaType::Null);
    // DECIMAL(10,2): SQLite stores a float; MariaDB and PostgreSQL the exact decimal, read as text.
    QCOMPARE(field("balance")->types,
             (backend() == Backend::Sqlite ? SchemaType::Number : SchemaType::String)
                 | SchemaType::Null);
    QCOMPARE(field("joined")->format, Data::StringFormat::Date);
    QCOMPARE(field("updated_at")->format, Data::StringFormat::LocalDateTime);
    QCOMPARE(field("photo")->types, SchemaType::String | SchemaType::Null);
    if (backend() == Backend::Sqlite) { // a column without a declared type takes anything
        QVERIFY(field("notes")->types.testFlag(SchemaType::Integer));
        QVERIFY(field("notes")->types.testFlag(SchemaType::String));
    } else {
        QCOMPARE(field("notes")->types, SchemaType::String | SchemaType::Null);
    }
    // JSON: SQLite by its declared type, MariaDB by the json_valid() check of its longtext;
    // psqlODBC describes json as character data, so over ODBC it is text.
    QCOMPARE(field("data")->types.testFlag(SchemaType::Object), backend() != Backend::Odbc);
    QCOMPARE(field("data")->path, u"data"_s);

    const Entity &lines = entities->at(2);
    QCOMPARE(lines.keyFields, (QStringList {u"order_id"_s, u"line"_s}));

    const Entity &log = entities->at(1);
    QVERIFY(log.keyFields.isEmpty());
    QVERIFY(log.capabilities.testFlag(Capability::Insert));
    QVERIFY(!log.capabilities.testFlag(Capability::Upsert));

    const Entity &view = entities->at(3);
    QVERIFY(view.capabilities.testFlag(Capability::Read));
    QVERIFY(view.capabilities.testFlag(Capability::IncrementalRead));
    QVERIFY(!view.capabilities.testFlag(Capability::Insert));
    QVERIFY(!view.capabilities.testFlag(Capability::Upsert));
    QVERIFY(!view.capabilities.testFlag(Capability::Delete));
    QCOMPARE(view.schema.fields.size(), size_t(2));
    QVERIFY(view.description.isEmpty()); // MariaDB's table_comment of a view is "VIEW"
}

void tst_SqlConnector::tablesAllowList()
{
    auto c = connector("{'tables': ['customers', 'vip_customers']}");
    QVERIFY(c);
    Result<std::vector<Entity>> entities = c->discover();
    VERIFY_OK(entities);
    QCOMPARE(entities->size(), size_t(2));
    QCOMPARE(entities->at(0).name, u"customers"_s);
    ReadRequest request;
    request.entity = u"order_lines"_s;
    Result<std::vector<Data::Value>> read = readAll(*c, request);
    VERIFY_ERROR(read, "unknown_entity");
    QVERIFY(read.error().message.contains(u"order_lines"_s));
}

void tst_SqlConnector::readInPages()
{
    auto c = connector();
    QVERIFY(c);
    ReadRequest request;
    request.entity = u"customers"_s;
    request.pageSize = 10;
    ReadSummary summary;
    std::vector<qsizetype> pages;
    Result<std::vector<Data::Value>> rows = readAll(*c, request, &summary, &pages);
    VERIFY_OK(rows);
    QCOMPARE(pages, (std::vector<qsizetype> {10, 10, 5}));
    QCOMPARE(summary.records, 25);
    QCOMPARE(summary.pages, 3);
    QVERIFY(!summary.stoppedEarly);
    for (int i = 0; i < 25; ++i)
        QCOMPARE(rows->at(size_t(i))[u"id"].toInt64(), qint64(i + 1)); // in key order
    const Data::Value &first = rows->at(0);
    QCOMPARE(first.toObject().memberAt(0).first, u"id"_s); // columns in table order
    QCOMPARE(first[u"name"].toString(), u"Customer 1"_s);
    QCOMPARE(first[u"vip"], Data::Value(false));
    QCOMPARE(rows->at(2)[u"vip"], Data::Value(true));
    if (backend() == Backend::Sqlite)
        QCOMPARE(first[u"balance"].toDouble(), 1.5);
    else
        QCOMPARE(first[u"balance"], Data::Value(u"1.50"_s)); // the exact decimal
    QCOMPARE(first[u"joined"].toString(), u"2023-12-01"_s);
    QCOMPARE(first[u"updated_at"].toString(), minuteStamp(7));
    QCOMPARE(first[u"photo"].toString(),
             QString::fromLatin1(QByteArray("\x00\x01\xfe\xff", 4).toBase64()));
    if (backend() == Backend::Odbc)
        QCOMPARE(first[u"data"], Data::Value(u"{\"tags\":[\"a\",\"b\"]}"_s)); // json as text
    else
        QCOMPARE(first[u"data"], json("{'tags':['a','b']}"));
    QVERIFY(rows->at(1)[u"photo"].isNull());
    QVERIFY(rows->at(24)[u"email"].isNull());
}

void tst_SqlConnector::readSelectedFields()
{
    auto c = connector();
    QVERIFY(c);
    ReadRequest request;
    request.entity = u"customers"_s;
    request.fields = QStringList {u"name"_s, u"id"_s};
    Result<std::vector<Data::Value>> rows = readAll(*c, request);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(25));
    const Data::Object &record = rows->at(4).toObject();
    QCOMPARE(record.size(), 2);
    QCOMPARE(record.memberAt(0).first, u"name"_s);
    QCOMPARE(record.memberAt(1).first, u"id"_s);
    QCOMPARE(record.memberAt(1).second.toInt64(), 5);
}

void tst_SqlConnector::incrementalRead()
{
    auto c = connector();
    QVERIFY(c);
    ReadRequest request;
    request.entity = u"customers"_s;
    request.fields = QStringList {u"id"_s};
    request.cursorField = u"updated_at"_s;
    request.cursorAfter = Data::Value(minuteStamp(19));
    request.pageSize = 2;
    ReadSummary summary;
    Result<std::vector<Data::Value>> rows = readAll(*c, request, &summary);
    VERIFY_OK(rows);
    // Minutes 20..24, ascending: (n * 7) % 25 == minute.
    QList<qint64> ids;
    for (const Data::Value &row : *rows) {
        ids << row[u"id"].toInt64();
        QCOMPARE(row.size(), 1); // the cursor column was selected for the summary only
    }
    QList<qint64> expected;
    for (int minute = 20; minute <= 24; ++minute) {
        for (int n = 1; n <= 25; ++n) {
            if ((n * 7) % 25 == minute)
                expected << n;
        }
    }
    QCOMPARE(ids, expected);
    QCOMPARE(summary.pages, 3);
    QCOMPARE(summary.lastCursor, Data::Value(minuteStamp(24)));

    // Nothing newer: no records, the cursor stays.
    request.cursorAfter = summary.lastCursor;
    rows = readAll(*c, request, &summary);
    VERIFY_OK(rows);
    QVERIFY(rows->empty());
    QCOMPARE(summary.lastCursor, Data::Value(minuteStamp(24)));

    // From the start: every record in cursor order.
    request.cursorAfter = Data::Value();
    request.fields.clear();
    rows = readAll(*c, request, &summary);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(25));
    for (size_t i = 1; i < rows->size(); ++i)
        QVERIFY(rows->at(i - 1)[u"updated_at"].toString() < rows->at(i)[u"updated_at"].toString());
    QCOMPARE(summary.lastCursor, Data::Value(minuteStamp(24)));
}

void tst_SqlConnector::limit()
{
    auto c = connector();
    QVERIFY(c);
    ReadRequest request;
    request.entity = u"customers"_s;
    request.pageSize = 5;
    request.limit = 7;
    ReadSummary summary;
    std::vector<qsizetype> pages;
    Result<std::vector<Data::Value>> rows = readAll(*c, request, &summary, &pages);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(7));
    QCOMPARE(pages, (std::vector<qsizetype> {5, 2}));
    QVERIFY(summary.stoppedEarly);
    QCOMPARE(rows->back()[u"id"].toInt64(), 7);

    request.limit = 25; // exactly all: the limit stopped nothing
    rows = readAll(*c, request, &summary);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(25));
    QVERIFY(!summary.stoppedEarly);

    request.limit = 0;
    rows = readAll(*c, request, &summary);
    VERIFY_OK(rows);
    QVERIFY(rows->empty());
}

void tst_SqlConnector::sinkStopsEarly()
{
    auto c = connector();
    QVERIFY(c);
    ReadRequest request;
    request.entity = u"customers"_s;
    request.pageSize = 10;
    int calls = 0;
    Result<ReadSummary> summary
        = c->read(request, [&](std::vector<Data::Value> &&) { return ++calls < 1; });
    VERIFY_OK(summary);
    QCOMPARE(calls, 1);
    QCOMPARE(summary->records, 10);
    QVERIFY(summary->stoppedEarly);
    // The connection is still usable.
    Result<std::vector<Data::Value>> rows = readAll(*c, request);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(25));
}

void tst_SqlConnector::filter()
{
    auto c = connector();
    QVERIFY(c);
    ReadRequest request;
    request.entity = u"customers"_s;
    request.filter = json("{'vip': true}");
    Result<std::vector<Data::Value>> rows = readAll(*c, request);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(8));
    for (const Data::Value &row : *rows)
        QCOMPARE(row[u"id"].toInt64() % 3, 0);

    request.filter = json("{'email': null}");
    rows = readAll(*c, request);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(1));
    QCOMPARE(rows->at(0)[u"id"].toInt64(), 25);

    request.filter = json("{'id': [1, 2, 99], 'vip': false}");
    rows = readAll(*c, request);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(2));

    // Typed values: a decimal written differently, a date, a date-time.
    request.filter = json("{'balance': '4.5', 'joined': '2023-12-03', "
                          "'updated_at': '2024-02-01T10:21:00'}");
    rows = readAll(*c, request);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(1));
    QCOMPARE(rows->at(0)[u"id"].toInt64(), 3);

    request.filter = Data::Value(Data::Object {{u"name"_s, Data::Value(u"x' OR '1'='1"_s)}});
    rows = readAll(*c, request);
    VERIFY_OK(rows);
    QVERIFY(rows->empty());

    request.filter = json("{'nope': 1}");
    rows = readAll(*c, request);
    VERIFY_ERROR(rows, "unknown_field");
    QVERIFY(rows.error().message.contains(u"\"nope\""_s));

    request.filter = json("'id = 1'");
    rows = readAll(*c, request);
    VERIFY_ERROR(rows, "invalid_request");

    request.filter = json("{'id': 'one'}");
    rows = readAll(*c, request);
    VERIFY_ERROR(rows, "invalid_request");
    QVERIFY(rows.error().message.contains(u"integer"_s));
}

void tst_SqlConnector::values()
{
    auto c = connector();
    QVERIFY(c);
    WriteRequest request;
    request.entity = u"customers"_s;
    request.mode = WriteMode::Insert;
    request.records = records(
        "[{'id': 100, 'name': 'Vals', 'vip': true, 'balance': 12.25, 'joined': '2024-03-01',"
        "'updated_at': '2024-03-01T08:00:00', 'photo': 'AAEC/w==', 'notes': 9007199254740993,"
        "'data': {'a': [1, 2.5, null], 'b': 'text'}, 'email': 'ünïcødé ✓'}]");
    VERIFY_OK(c->write(request));
    QCOMPARE(m_db.raw->value(u"SELECT vip FROM customers WHERE id = 100"_s).toInt(), 1);
    QCOMPARE(m_db.raw->value(u"SELECT email FROM customers WHERE id = 100"_s).toString(),
             u"ünïcødé ✓"_s);

    ReadRequest read;
    read.entity = u"customers"_s;
    read.filter = json("{'id': 100}");
    Result<std::vector<Data::Value>> rows = readAll(*c, read);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(1));
    const Data::Value &row = rows->at(0);
    QCOMPARE(row[u"vip"], Data::Value(true));
    if (backend() == Backend::Sqlite) {
        QCOMPARE(row[u"balance"].toDouble(), 12.25);
        QVERIFY(row[u"notes"].hasExactText()); // an untyped column keeps the integer
        QCOMPARE(row[u"notes"].exactText(), u"9007199254740993"_s);
    } else {
        QCOMPARE(row[u"balance"], Data::Value(u"12.25"_s));
        QCOMPARE(row[u"notes"], Data::Value(u"9007199254740993"_s)); // a number into text
    }
    QCOMPARE(row[u"joined"], Data::Value(u"2024-03-01"_s));
    QCOMPARE(row[u"updated_at"], Data::Value(u"2024-03-01T08:00:00"_s));
    QCOMPARE(row[u"photo"].toString(), u"AAEC/w=="_s);
    const Data::Value data = json("{'a': [1, 2.5, null], 'b': 'text'}");
    if (backend() == Backend::Odbc)
        QCOMPARE(json(row[u"data"].toString().toUtf8()), data); // json read as its text
    else
        QCOMPARE(row[u"data"], data);
    QCOMPARE(row[u"email"].toString(), u"ünïcødé ✓"_s);
}

void tst_SqlConnector::insertUpsertDelete()
{
    auto c = connector();
    QVERIFY(c);
    WriteRequest insert;
    insert.entity = u"order_lines"_s;
    insert.mode = WriteMode::Insert;
    insert.records = records("[{'order_id': 1, 'line': 1, 'sku': 'A', 'qty': 1},"
                             "{'order_id': 1, 'line': 2, 'sku': 'B', 'qty': 2},"
                             "{'order_id': 2, 'line': 1, 'sku': 'C', 'qty': 3}]");
    Result<WriteSummary> summary = c->write(insert);
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 3);
    QCOMPARE(count(u"order_lines"_s), 3);

    WriteRequest upsert;
    upsert.entity = u"order_lines"_s;
    upsert.mode = WriteMode::Upsert;
    upsert.records = records("[{'order_id': 1, 'line': 1, 'sku': 'A', 'qty': 1},"
                             "{'order_id': 1, 'line': 2, 'sku': 'B', 'qty': 5},"
                             "{'order_id': 3, 'line': 1, 'sku': 'D', 'qty': 4},"
                             "{'order_id': 2, 'line': 1}]");
    summary = c->write(upsert);
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 1);
    if (backend() == Backend::Odbc) {
        // UPDATE by key: psqlODBC counts the rows matched, so an equal row is "updated"; a
        // record of key fields only updates nothing.
        QCOMPARE(summary->updated, 2);
        QCOMPARE(summary->unchanged, 1);
    } else {
        // MariaDB: ON DUPLICATE KEY UPDATE affects 2 rows for an update, 0 for equal values.
        QCOMPARE(summary->updated, 1);
        QCOMPARE(summary->unchanged, 2); // the same values, and a record of key fields only
    }
    QCOMPARE(
        m_db.raw->value(u"SELECT qty FROM order_lines WHERE order_id = 1 AND line = 2"_s).toInt(),
        5);
    QCOMPARE(m_db.raw->value(u"SELECT sku FROM order_lines WHERE order_id = 2 AND line = 1"_s)
                 .toString(),
             u"C"_s);
    QCOMPARE(count(u"order_lines"_s), 4);

    WriteRequest del;
    del.entity = u"order_lines"_s;
    del.mode = WriteMode::Delete;
    del.records
        = records("[{'order_id': 1, 'line': 1, 'sku': 'ignored'}, {'order_id': 9, 'line': 9}]");
    summary = c->write(del);
    VERIFY_OK(summary);
    QCOMPARE(summary->deleted, 1);
    QCOMPARE(count(u"order_lines"_s), 3);

    // Empty writes do nothing.
    del.records.clear();
    summary = c->write(del);
    VERIFY_OK(summary);
    QCOMPARE(summary->deleted, 0);

    // Insert into a table without a key.
    WriteRequest log;
    log.entity = u"log"_s;
    log.mode = WriteMode::Insert;
    log.records = records("[{'message': 'one'}, {'message': 'two'}]");
    summary = c->write(log);
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 2);
}

void tst_SqlConnector::failingBatchRollsBack()
{
    auto c = connector("{'batch_size': 2}");
    QVERIFY(c);
    WriteRequest request;
    request.entity = u"customers"_s;
    request.mode = WriteMode::Insert;
    request.records = records(
        "[{'id': 100, 'name': 'a'}, {'id': 101, 'name': 'b'}, {'id': 102, 'name': 'c'},"
        "{'id': 103, 'name': 'd'}, {'id': 3, 'name': 'duplicate'}, {'id': 105, 'name': 'f'}]");
    Result<WriteSummary> summary = c->write(request);
    VERIFY_ERROR(summary, "sql_error");
    const QString message = summary.error().message;
    QVERIFY2(message.contains(u"record 4"_s) && message.contains(u"id=3"_s)
                 && message.contains(u"customers"_s),
             qPrintable(message));
    // The database's text: SQLite "UNIQUE constraint failed", PostgreSQL "violates unique
    // constraint", MariaDB "Duplicate entry '3' for key 'PRIMARY'" (1062).
    QVERIFY2(message.contains(backend() == Backend::MariaDb ? u"Duplicate entry"_s : u"UNIQUE"_s,
                              Qt::CaseInsensitive),
             qPrintable(message));
    QCOMPARE(count(u"customers"_s), 25);
    QCOMPARE(m_db.raw->value(u"SELECT COUNT(*) FROM customers WHERE id >= 100"_s).toInt(), 0);

    // A check constraint in an upsert, late in the call.
    WriteRequest lines;
    lines.entity = u"order_lines"_s;
    lines.mode = WriteMode::Upsert;
    lines.records
        = records("[{'order_id': 1, 'line': 1, 'qty': 1}, {'order_id': 1, 'line': 2, 'qty': 1},"
                  "{'order_id': 1, 'line': 3, 'qty': 0}]");
    summary = c->write(lines);
    VERIFY_ERROR(summary, "sql_error");
    QVERIFY2(summary.error().message.contains(u"record 2 (order_id=1, line=3)"_s),
             qPrintable(summary.error().message));
    QCOMPARE(count(u"order_lines"_s), 0);

    // The connector works on after a rollback.
    request.records = records("[{'id': 100, 'name': 'a'}]");
    VERIFY_OK(c->write(request));
    QCOMPARE(count(u"customers"_s), 26);
}

void tst_SqlConnector::invalidRecords()
{
    auto c = connector("{'batch_size': 1}");
    QVERIFY(c);
    WriteRequest request;
    request.entity = u"order_lines"_s;
    request.mode = WriteMode::Upsert;
    request.records = records(
        "[{'order_id': 1, 'line': 1, 'qty': 1}, {'order_id': 1, 'line': 2, 'qty': 'many'}]");
    Result<WriteSummary> summary = c->write(request);
    VERIFY_ERROR(summary, "invalid_record");
    QVERIFY2(summary.error().message.contains(u"record 1 (order_id=1, line=2)"_s)
                 && summary.error().message.contains(u"\"qty\""_s),
             qPrintable(summary.error().message));
    QCOMPARE(count(u"order_lines"_s), 0); // the first record was rolled back

    request.records = records("[{'order_id': 1, 'qty': 1}]");
    summary = c->write(request);
    VERIFY_ERROR(summary, "invalid_record");
    QVERIFY(summary.error().message.contains(u"\"line\""_s));

    request.records = records("[[1, 1]]");
    VERIFY_ERROR(c->write(request), "invalid_record");

    request.entity = u"customers"_s;
    request.mode = WriteMode::Insert;
    request.records = records("[{'id': 200, 'name': 'x', 'photo': 'not base64!'}]");
    summary = c->write(request);
    VERIFY_ERROR(summary, "invalid_record");
    QVERIFY(summary.error().message.contains(u"base64"_s));

    request.records = records("[{'id': 1.5, 'name': 'x'}]");
    VERIFY_ERROR(c->write(request), "invalid_record");
    QCOMPARE(count(u"customers"_s), 25);
}

void tst_SqlConnector::unknownNames()
{
    auto c = connector();
    QVERIFY(c);
    ReadRequest read;
    read.entity = u"nope"_s;
    Result<std::vector<Data::Value>> rows = readAll(*c, read);
    VERIFY_ERROR(rows, "unknown_entity");
    QVERIFY(rows.error().message.contains(u"\"nope\""_s));

    read.entity = u"customers"_s;
    read.fields = QStringList {u"id"_s, u"colour"_s};
    rows = readAll(*c, read);
    VERIFY_ERROR(rows, "unknown_field");
    QVERIFY(rows.error().message.contains(u"\"colour\""_s));
    QVERIFY(rows.error().message.contains(u"customers"_s));

    read.fields.clear();
    read.cursorField = u"changed"_s;
    VERIFY_ERROR(readAll(*c, read), "unknown_field");

    WriteRequest write;
    write.entity = u"nope"_s;
    write.records = records("[{'id': 1}]");
    VERIFY_ERROR(c->write(write), "unknown_entity");

    write.entity = u"customers"_s;
    write.mode = WriteMode::Insert;
    write.records = records("[{'id': 300, 'name': 'x', 'colour': 'red'}]");
    Result<WriteSummary> summary = c->write(write);
    VERIFY_ERROR(summary, "unknown_field");
    QVERIFY(summary.error().message.contains(u"\"colour\""_s));
    QVERIFY(summary.error().message.contains(u"record 0"_s));

    write.mode = WriteMode::Upsert;
    write.keyFields = QStringList {u"code"_s};
    VERIFY_ERROR(c->write(write), "unknown_field");

    write.entity = u"vip_customers"_s;
    write.keyFields.clear();
    VERIFY_ERROR(c->write(write), "unsupported");

    write.entity = u"log"_s;
    write.records = records("[{'message': 'x'}]");
    VERIFY_ERROR(c->write(write), "invalid_request"); // an upsert needs a key

    // A column added after the catalog was read is found.
    VERIFY_OK(c->discover());
    QVERIFY(m_db.raw->exec(u"ALTER TABLE customers ADD COLUMN colour TEXT"_s));
    write.entity = u"customers"_s;
    write.mode = WriteMode::Insert;
    write.records = records("[{'id': 300, 'name': 'x', 'colour': 'red'}]");
    VERIFY_OK(c->write(write));
}

void tst_SqlConnector::injectionIsStoredLiterally()
{
    auto c = connector();
    QVERIFY(c);
    const QString evilName = u"Robert'); DROP TABLE customers;--"_s;
    const QString evilNotes = u"\"; DELETE FROM customers; -- `x` \\"_s;
    WriteRequest request;
    request.entity = u"customers"_s;
    request.mode = WriteMode::Upsert;
    Data::Object record {{u"id"_s, Data::Value(500)},
                         {u"name"_s, Data::Value(evilName)},
                         {u"notes"_s, Data::Value(evilNotes)}};
    request.records.push_back(Data::Value(record));
    Result<WriteSummary> summary = c->write(request);
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 1);
    QCOMPARE(count(u"customers"_s), 26);
    QCOMPARE(m_db.raw->value(u"SELECT name FROM customers WHERE id = 500"_s).toString(), evilName);
    QCOMPARE(m_db.raw->value(u"SELECT notes FROM customers WHERE id = 500"_s).toString(),
             evilNotes);

    ReadRequest read;
    read.entity = u"customers"_s;
    read.filter = Data::Value(Data::Object {{u"name"_s, Data::Value(evilName)}});
    Result<std::vector<Data::Value>> rows = readAll(*c, read);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(1));
    QCOMPARE(rows->at(0)[u"notes"].toString(), evilNotes);

    // Quotes of every kind, a question mark (a parameter marker outside quotes) and capitals
    // in table and column names are quoted in turn.
    const QString table = u"We\"ird `Name' ?"_s;
    const QString column = u"it's \"x\" `y`?"_s;
    QVERIFY(m_db.raw->exec(u"CREATE TABLE %1 (%2 INTEGER PRIMARY KEY, %3 TEXT)"_s.arg(
        m_db.quote(table), m_db.quote(u"id?"_s), m_db.quote(column))));
    Result<std::vector<Entity>> entities = c->discover();
    VERIFY_OK(entities);
    const auto odd = std::find_if(entities->begin(), entities->end(),
                                  [&](const Entity &e) { return e.name == table; });
    QVERIFY(odd != entities->end());
    QCOMPARE(odd->schema.fields.size(), size_t(2));
    QCOMPARE(odd->schema.fields.at(1).name, column);
    // QODBC hands a name holding its quote character to SQLPrimaryKeys still quoted: no key.
    QCOMPARE(odd->keyFields, backend() == Backend::Odbc ? QStringList() : QStringList {u"id?"_s});
    WriteRequest oddWrite;
    oddWrite.entity = table;
    oddWrite.mode = WriteMode::Upsert;
    oddWrite.keyFields = QStringList {u"id?"_s};
    oddWrite.records.push_back(
        Data::Value(Data::Object {{u"id?"_s, Data::Value(1)}, {column, Data::Value(u"?"_s)}}));
    oddWrite.records.push_back(
        Data::Value(Data::Object {{u"id?"_s, Data::Value(2)}, {column, Data::Value(u"`'"_s)}}));
    summary = c->write(oddWrite);
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 2);
    ReadRequest oddRead;
    oddRead.entity = table;
    oddRead.filter = Data::Value(Data::Object {{column, Data::Value(u"?"_s)}});
    oddRead.cursorField = column;
    Result<std::vector<Data::Value>> oddRows = readAll(*c, oddRead);
    VERIFY_OK(oddRows);
    QCOMPARE(oddRows->size(), size_t(1));
    QCOMPARE(oddRows->at(0)[u"id?"].toInt64(), 1);
    oddWrite.mode = WriteMode::Delete;
    summary = c->write(oddWrite);
    VERIFY_OK(summary);
    QCOMPARE(summary->deleted, 2);

    // Names are checked against the catalog, never spliced.
    read.filter = Data::Value();
    read.entity = u"customers; DROP TABLE customers"_s;
    VERIFY_ERROR(readAll(*c, read), "unknown_entity");
    read.entity = u"customers"_s;
    read.fields = QStringList {u"id\" FROM customers; DELETE FROM customers; --"_s};
    VERIFY_ERROR(readAll(*c, read), "unknown_field");
    read.fields = QStringList {u"id` FROM customers; DELETE FROM customers; --"_s};
    VERIFY_ERROR(readAll(*c, read), "unknown_field");
    read.fields.clear();
    read.filter = json("{'1=1 OR id': 1}");
    VERIFY_ERROR(readAll(*c, read), "unknown_field");
    QCOMPARE(count(u"customers"_s), 26);
}

void tst_SqlConnector::cancel()
{
    auto c = connector();
    QVERIFY(c);
    CancelToken token;
    ReadRequest read;
    read.entity = u"customers"_s;
    read.pageSize = 5;
    read.cancel = &token;
    int pages = 0;
    Result<ReadSummary> summary = c->read(read, [&](std::vector<Data::Value> &&) {
        ++pages;
        token.cancel();
        return true;
    });
    VERIFY_ERROR(summary, "cancelled");
    QCOMPARE(pages, 1);

    summary = c->read(read, [&](std::vector<Data::Value> &&) { return true; });
    VERIFY_ERROR(summary, "cancelled"); // already cancelled: no query at all

    WriteRequest write;
    write.entity = u"log"_s;
    write.mode = WriteMode::Insert;
    write.records = records("[{'message': 'x'}]");
    write.cancel = &token;
    VERIFY_ERROR(c->write(write), "cancelled");
    QCOMPARE(count(u"log"_s), 0);
}

void tst_SqlConnector::otherThread()
{
    auto c = connector();
    QVERIFY(c);
    ReadRequest read;
    read.entity = u"customers"_s;
    Result<std::vector<Data::Value>> rows = readAll(*c, read);
    VERIFY_OK(rows);

    qsizetype inThread = -1;
    QString error;
    QThread *thread = QThread::create([&] {
        Result<std::vector<Data::Value>> r = readAll(*c, read);
        if (r)
            inThread = qsizetype(r->size());
        else
            error = r.error().toString();
        WriteRequest write;
        write.entity = u"log"_s;
        write.mode = WriteMode::Insert;
        write.records = records("[{'message': 'from a thread'}]");
        if (Result<WriteSummary> w = c->write(write); !w)
            error = w.error().toString();
    });
    thread->start();
    QVERIFY(thread->wait(30000));
    delete thread;
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(inThread, qsizetype(25));
    QCOMPARE(count(u"log"_s), 1);

    rows = readAll(*c, read); // and back on this thread
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(25));
}

void tst_SqlConnector::metrics()
{
    MetricsRegistry registry;
    auto c = connector("{}", &registry);
    QVERIFY(c);
    ReadRequest read;
    read.entity = u"customers"_s;
    VERIFY_OK(readAll(*c, read));
    read.entity = u"nope"_s;
    VERIFY_ERROR(readAll(*c, read), "unknown_entity");
    const QByteArray text = registry.render();
    QVERIFY2(text.contains(
                 "connector_requests_total{endpoint=\"shop-db\",method=\"read\",status=\"ok\"} 1"),
             text.constData());
    QVERIFY2(text.contains("connector_requests_total{endpoint=\"shop-db\",method=\"read\",status="
                           "\"unknown_entity\"} 1"),
             text.constData());
}

void tst_SqlConnector::badConfiguration_data()
{
    QTest::addColumn<QByteArray>("url");
    QTest::addColumn<QByteArray>("configuration");
    QTest::addColumn<QByteArray>("extra");
    QTest::addColumn<QString>("pointer");

    QTest::addRow("batch_size text") << "sqlite:shop.db"_ba
                                     << "{'batch_size': 'many'}"_ba
                                     << ""_ba << u"/configuration/batch_size"_s;
    QTest::addRow("batch_size zero") << "sqlite:shop.db"_ba
                                     << "{'batch_size': 0}"_ba
                                     << ""_ba << u"/configuration/batch_size"_s;
    QTest::addRow("batch_size fraction") << "sqlite:shop.db"_ba
                                         << "{'batch_size': 2.5}"_ba
                                         << ""_ba << u"/configuration/batch_size"_s;
    QTest::addRow("tables not array") << "sqlite:shop.db"_ba
                                      << "{'tables': 'customers'}"_ba
                                      << ""_ba << u"/configuration/tables"_s;
    QTest::addRow("tables empty name") << "sqlite:shop.db"_ba
                                       << "{'tables': ['a', '']}"_ba
                                       << ""_ba << u"/configuration/tables/1"_s;
    QTest::addRow("unknown setting") << "sqlite:shop.db"_ba
                                     << "{'batchsize': 10}"_ba
                                     << ""_ba << u"/configuration/batchsize"_s;
    QTest::addRow("query timeout on sqlite") << "sqlite:shop.db"_ba
                                             << "{'query_timeout_seconds': 5}"_ba
                                             << ""_ba << u"/configuration/query_timeout_seconds"_s;
    QTest::addRow("query timeout over odbc") << "odbc:DSN=erp"_ba
                                             << "{'query_timeout_seconds': 5}"_ba
                                             << ""_ba << u"/configuration/query_timeout_seconds"_s;
    QTest::addRow("query timeout negative") << "postgresql://db.example.com/erp"_ba
                                            << "{'query_timeout_seconds': -1}"_ba
                                            << ""_ba << u"/configuration/query_timeout_seconds"_s;
    QTest::addRow("schema not string") << "postgresql://db.example.com/erp"_ba
                                       << "{'schema': 5}"_ba
                                       << ""_ba << u"/configuration/schema"_s;
    QTest::addRow("schema on sqlite") << "sqlite:shop.db"_ba
                                      << "{'schema': 'staging'}"_ba
                                      << ""_ba << u"/configuration/schema"_s;
    QTest::addRow("password in options")
        << "postgresql://db.example.com/erp"_ba
        << "{'connect_options': 'sslmode=require;password=hunter2'}"_ba
        << ""_ba << u"/configuration/connect_options"_s;
    QTest::addRow("found rows in options") << "mariadb://db.example.com/erp"_ba
                                           << "{'connect_options': 'CLIENT_FOUND_ROWS'}"_ba
                                           << ""_ba << u"/configuration/connect_options"_s;
    QTest::addRow("options not string") << "sqlite:shop.db"_ba
                                        << "{'connect_options': 1}"_ba
                                        << ""_ba << u"/configuration/connect_options"_s;
    QTest::addRow("password in url query") << "postgresql://db.example.com/erp?password=x"_ba
                                           << "{}"_ba
                                           << ""_ba << u"/url"_s;
    QTest::addRow("no database") << "postgresql://db.example.com"_ba
                                 << "{}"_ba
                                 << ""_ba << u"/url"_s;
    QTest::addRow("sqlite host") << "sqlite://server/shop.db"_ba
                                 << "{}"_ba
                                 << ""_ba << u"/url"_s;
    QTest::addRow("odbc pwd") << "odbc:DSN=erp;PWD=secret"_ba
                              << "{}"_ba
                              << ""_ba << u"/url"_s;
    QTest::addRow("odbc_driver on sqlite") << "sqlite:shop.db"_ba
                                           << "{'odbc_driver': 'PostgreSQL Unicode'}"_ba
                                           << ""_ba << u"/configuration/odbc_driver"_s;
    QTest::addRow("odbc_driver braced") << "odbc:SERVER=db;DATABASE=erp"_ba
                                        << "{'odbc_driver': '{PostgreSQL Unicode}'}"_ba
                                        << ""_ba << u"/configuration/odbc_driver"_s;
    QTest::addRow("odbc_driver not string") << "odbc:SERVER=db;DATABASE=erp"_ba
                                            << "{'odbc_driver': 1}"_ba
                                            << ""_ba << u"/configuration/odbc_driver"_s;
    QTest::addRow("odbc_driver and DRIVER=") << "odbc:Driver=x;SERVER=db"_ba
                                             << "{'odbc_driver': 'PostgreSQL Unicode'}"_ba
                                             << ""_ba << u"/configuration/odbc_driver"_s;
    QTest::addRow("odbc_driver and DSN=") << "odbc:DSN=erp"_ba
                                          << "{'odbc_driver': 'PostgreSQL Unicode'}"_ba
                                          << ""_ba << u"/configuration/odbc_driver"_s;
    QTest::addRow("sqlite login")
        << "sqlite:shop.db"_ba
        << "{}"_ba
        << ",'authentication':{'type':'basic','username':'u','password':{'secret':'p'}}"_ba
        << u"/authentication"_s;
    QTest::addRow("bearer") << "postgresql://db.example.com/erp"_ba
                            << "{}"_ba
                            << ",'authentication':{'type':'bearer','token':{'secret':'t'}}"_ba
                            << u"/authentication/type"_s;
    QTest::addRow("two users")
        << "postgresql://alice@db.example.com/erp"_ba
        << "{}"_ba
        << ",'authentication':{'type':'basic','username':'bob','password':{'secret':'p'}}"_ba
        << u"/authentication/username"_s;
}

void tst_SqlConnector::badConfiguration()
{
    QFETCH(QByteArray, url);
    QFETCH(QByteArray, configuration);
    QFETCH(QByteArray, extra);
    QFETCH(QString, pointer);
    Result<EndpointSpec> spec = parseEndpoint(json(endpointJson(url, configuration, extra)));
    VERIFY_OK(spec);
    Result<std::unique_ptr<Connector>> made = createSqlConnector(*spec, ConnectorContext {});
    VERIFY_ERROR(made, "invalid_endpoint");
    QVERIFY(made.error().message.contains(u"shop-db"_s));
    bool found = false;
    for (const QString &detail : made.error().details)
        found = found || detail.startsWith(pointer + u": "_s);
    QVERIFY2(found, qPrintable(made.error().details.join(u" | "_s)));
    QVERIFY(!made.error().toString().contains(u"hunter2"_s));
}

void tst_SqlConnector::driverAvailability_data()
{
    QTest::addColumn<QByteArray>("url");
    QTest::addColumn<QString>("driver");
    QTest::addColumn<QString>("package");
    QTest::addRow("mysql") << "mysql://db.example.com/erp"_ba << u"QMYSQL"_s
                           << u"libqt6sql6-mysql"_s;
    QTest::addRow("mariadb") << "mariadb://db.example.com:3307/erp"_ba << u"QMYSQL"_s
                             << u"libqt6sql6-mysql"_s;
    QTest::addRow("odbc") << "odbc:DSN=erp"_ba << u"QODBC"_s << u"libqt6sql6-odbc"_s;
    QTest::addRow("postgresql") << "postgresql://db.example.com/erp"_ba << u"QPSQL"_s
                                << u"libqt6sql6-psql"_s;
}

void tst_SqlConnector::driverAvailability()
{
    QFETCH(QByteArray, url);
    QFETCH(QString, driver);
    QFETCH(QString, package);
    Result<EndpointSpec> spec = parseEndpoint(json(endpointJson(url, "{}")));
    VERIFY_OK(spec);
    Result<std::unique_ptr<Connector>> made = createSqlConnector(*spec, ConnectorContext {});
    // Whether the plugin is installed is the machine's business; either way the answer is exact.
    if (QSqlDatabase::isDriverAvailable(driver)) {
        VERIFY_OK(made);
    } else {
        VERIFY_ERROR(made, "driver_unavailable");
        QVERIFY2(made.error().message.contains(package) && made.error().message.contains(driver),
                 qPrintable(made.error().message));
    }
}

// --- what needs no server: SQLite's own behaviour, and helpers

class tst_SqlConnectorUnit : public QObject
{
    Q_OBJECT

public:
    explicit tst_SqlConnectorUnit(TestDatabase *database)
        : m_db(*database)
    {
    }

private slots:
    void init();
    void missingDatabaseFile();
    void untypedColumns();
    void odbcDatabaseName_data();
    void odbcDatabaseName();
    void mysqlUtcText_data();
    void mysqlUtcText();

private:
    TestDatabase &m_db;
};

void tst_SqlConnectorUnit::init()
{
    QVERIFY(m_db.clear());
    for (const QString &sql : m_db.schema())
        QVERIFY(m_db.raw->exec(sql));
}

void tst_SqlConnectorUnit::missingDatabaseFile()
{
    auto c = m_db.connector("sqlite:missing.db", "{}", {}, nullptr);
    QVERIFY(c);
    Result<ConnectionTest> test = c->testConnection();
    VERIFY_ERROR(test, "connection_failed");
    QVERIFY2(test.error().message.contains(m_db.dir->filePath(u"missing.db"_s)),
             qPrintable(test.error().message));
    QVERIFY(!QFile::exists(m_db.dir->filePath(u"missing.db"_s))); // not created by the attempt

    // An absolute path in the sqlite:/// form.
    auto absolute = m_db.connector("sqlite://" + m_db.dir->filePath(u"shop.db"_s).toUtf8(), "{}",
                                   {}, nullptr);
    QVERIFY(absolute);
    VERIFY_OK(absolute->testConnection());
}

// SQLite keeps what a record holds in a column without a declared type.
void tst_SqlConnectorUnit::untypedColumns()
{
    auto c = m_db.connector(m_db.url(), "{}", {}, nullptr);
    QVERIFY(c);
    WriteRequest request;
    request.entity = u"customers"_s;
    request.mode = WriteMode::Insert;
    request.records = records("[{'id': 1, 'name': 'a', 'notes': 9007199254740993},"
                              "{'id': 2, 'name': 'b', 'notes': 'text'},"
                              "{'id': 3, 'name': 'c', 'notes': true}]");
    VERIFY_OK(c->write(request));
    QCOMPARE(m_db.raw->value(u"SELECT typeof(notes) FROM customers WHERE id = 1"_s).toString(),
             u"integer"_s);
    QCOMPARE(m_db.raw->value(u"SELECT typeof(notes) FROM customers WHERE id = 2"_s).toString(),
             u"text"_s);
    QCOMPARE(m_db.raw->value(u"SELECT notes FROM customers WHERE id = 3"_s).toInt(), 1);
}

void tst_SqlConnectorUnit::odbcDatabaseName_data()
{
    QTest::addColumn<QString>("connection");
    QTest::addColumn<QString>("expected");
    // QODBC 6.4 puts "DSN=" in front of anything without DRIVER= or SERVER=.
    QTest::addRow("dsn") << u"DSN=erp"_s << u"erp"_s;
    QTest::addRow("dsn, more") << u"DSN=erp;Database=staging"_s << u"erp;Database=staging"_s;
    QTest::addRow("dsn later") << u"UID=conflux; dsn = erp ;Port=5"_s
                               << u"erp;UID=conflux;Port=5"_s;
    QTest::addRow("bare name") << u"erp"_s << u"erp"_s;
    QTest::addRow("driver") << u"DRIVER={PostgreSQL Unicode};SERVER=db;DATABASE=x"_s
                            << u"DRIVER={PostgreSQL Unicode};SERVER=db;DATABASE=x"_s;
    QTest::addRow("server only") << u"SERVER=db;DSN=erp"_s << u"SERVER=db;DSN=erp"_s;
    QTest::addRow("braced semicolon") << u"Opt={a;DSN=b};DSN=erp"_s << u"erp;Opt={a;DSN=b}"_s;
    QTest::addRow("file dsn") << u"FILEDSN=/etc/odbc/erp.dsn;UID=u"_s
                              << u"/etc/odbc/erp.dsn;UID=u"_s;
}

void tst_SqlConnectorUnit::odbcDatabaseName()
{
    QFETCH(QString, connection);
    QFETCH(QString, expected);
    QCOMPARE(Internal::Sql::qodbcDatabaseName(connection), expected);
}

void tst_SqlConnectorUnit::mysqlUtcText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::addRow("offset") << u"2024-01-15T10:30:00.123456+02:00"_s
                            << u"2024-01-15 08:30:00.123456"_s;
    QTest::addRow("z") << u"2024-01-15T10:30:00Z"_s << u"2024-01-15 10:30:00"_s;
    QTest::addRow("negative, no colon")
        << u"2024-12-31T22:30:00-0230"_s << u"2025-01-01 01:00:00"_s;
    QTest::addRow("no seconds") << u"2024-01-15 10:30+01:00"_s << u"2024-01-15 09:30:00"_s;
    QTest::addRow("no offset") << u"2024-01-15T10:30:00.5"_s << u"2024-01-15T10:30:00.5"_s;
    QTest::addRow("not a date") << u"2024-02-30T10:00:00Z"_s << u"2024-02-30T10:00:00Z"_s;
    QTest::addRow("text") << u"soon"_s << u"soon"_s;
}

void tst_SqlConnectorUnit::mysqlUtcText()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(Internal::Sql::mysqlUtcText(text), expected);
}

// --- what only a server has

class tst_SqlConnectorServer : public QObject
{
    Q_OBJECT

public:
    explicit tst_SqlConnectorServer(TestDatabase *database)
        : m_db(*database)
    {
    }

private slots:
    void initTestCase();
    void init();
    void typesRoundTrip();
    void lostConnection();
    void statementTimeout();
    void refusedConnections();
    void urlForms();

private:
    std::unique_ptr<Connector> connector(const QByteArray &configuration = "{}")
    {
        return m_db.connector(m_db.url(), configuration, m_db.authentication(), nullptr);
    }
    // Ends the connector's sessions from the test's own connection; how many it ended.
    int endConnectorSessions();

    TestDatabase &m_db;
};

void tst_SqlConnectorServer::initTestCase()
{
    QString error;
    QVERIFY2(m_db.start(&error), qPrintable(error));
}

void tst_SqlConnectorServer::init()
{
    QVERIFY(m_db.clear());
}

int tst_SqlConnectorServer::endConnectorSessions()
{
    if (m_db.backend == Backend::MariaDb) {
        // The test and the connector log on as the same user, who may end its own sessions.
        const QVariantList ids = m_db.raw->column(
            u"SELECT id FROM information_schema.processlist WHERE user = "
            "SUBSTRING_INDEX(CURRENT_USER(), '@', 1) AND id <> CONNECTION_ID()"_s);
        for (const QVariant &id : ids)
            m_db.raw->exec(u"KILL %1"_s.arg(id.toLongLong()));
        return int(ids.size());
    }
    return m_db.raw
        ->value(u"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = ? AND pid <> pg_backend_pid()"_s,
                {kOdbcDatabase})
        .toInt();
}

void tst_SqlConnectorServer::typesRoundTrip()
{
    const bool maria = m_db.backend == Backend::MariaDb;
    if (maria) {
        QVERIFY(m_db.raw->exec(
            u"CREATE TABLE kinds (id BIGINT PRIMARY KEY, flag TINYINT(1) NOT NULL DEFAULT 0, "
            "small TINYINT, amount DECIMAL(12,2), big DECIMAL(30,0), ratio DOUBLE, "
            "stamp TIMESTAMP(6) NULL, local_ts DATETIME(6), day DATE, at_time TIME(3), doc JSON, "
            "ident UUID, colour ENUM('red','green'), raw VARBINARY(16), note TEXT, "
            "label VARCHAR(20) COLLATE utf8mb4_bin, yr YEAR, ubig BIGINT UNSIGNED, bit1 BIT(1), "
            "bits BIT(8)) "
            "ENGINE=InnoDB"_s));
    } else {
        QVERIFY(m_db.raw->exec(
            u"CREATE TABLE kinds (id INT8 PRIMARY KEY, flag BOOLEAN NOT NULL DEFAULT false, "
            "small INT2, amount NUMERIC(12,2), big NUMERIC(30,0), ratio FLOAT8, "
            "local_ts TIMESTAMP(3), day DATE, at_time TIME(0), doc JSONB, ident UUID, "
            "raw BYTEA, note TEXT, label VARCHAR(20))"_s));
    }
    auto c = connector();
    QVERIFY(c);
    Result<std::vector<Entity>> entities = c->discover();
    VERIFY_OK(entities);
    QCOMPARE(entities->size(), size_t(1));
    const Entity &kinds = entities->front();
    using Data::SchemaType;
    using Data::StringFormat;
    auto field = [&](const char *name) {
        const Data::SchemaField *f = kinds.schema.field(QString::fromLatin1(name));
        if (!f)
            qFatal("no field %s", name);
        return f;
    };
    QCOMPARE(field("id")->types, Data::SchemaTypes(SchemaType::Integer));
    QCOMPARE(field("flag")->types, Data::SchemaTypes(SchemaType::Boolean));
    QCOMPARE(field("small")->types, SchemaType::Integer | SchemaType::Null); // TINYINT, not (1)
    QCOMPARE(field("amount")->types, SchemaType::String | SchemaType::Null);
    QCOMPARE(field("big")->types, SchemaType::Integer | SchemaType::Null); // DECIMAL(30,0)
    QCOMPARE(field("ratio")->types, SchemaType::Number | SchemaType::Null);
    QCOMPARE(field("local_ts")->format, StringFormat::LocalDateTime);
    QCOMPARE(field("day")->format, StringFormat::Date);
    QCOMPARE(field("at_time")->format, StringFormat::Time);
    QCOMPARE(field("ident")->format, StringFormat::Uuid);
    QCOMPARE(field("raw")->types, SchemaType::String | SchemaType::Null);
    QCOMPARE(field("doc")->types.testFlag(SchemaType::Object), maria); // ODBC: jsonb is text
    if (maria) {
        QCOMPARE(field("stamp")->format, StringFormat::DateTime); // TIMESTAMP: an instant
        QCOMPARE(field("yr")->types, SchemaType::Integer | SchemaType::Null);
        QCOMPARE(field("ubig")->types, SchemaType::Integer | SchemaType::Null);
        QCOMPARE(field("colour")->types, SchemaType::String | SchemaType::Null);
        QCOMPARE(field("bit1")->types, SchemaType::Boolean | SchemaType::Null);
        QCOMPARE(field("bits")->types, SchemaType::Integer | SchemaType::Null);
    }

    QByteArray bytes;
    for (int i = 0; i < 16; ++i)
        bytes.append(char(i * 17));
    const QString raw = QString::fromLatin1(bytes.toBase64());
    const QString note = u"ünï 'single' \"double\" \\back\\ `tick` $1 ? :name %s"_s;
    Data::Object full {
        {u"id"_s, Data::Value::numberFromText(u"9007199254740993")},
        {u"flag"_s, Data::Value(true)},
        {u"small"_s, Data::Value(-7)},
        {u"amount"_s, Data::Value(u"12345678.90"_s)},
        {u"big"_s, Data::Value::numberFromText(u"123456789012345678901234567890")},
        {u"ratio"_s, Data::Value(0.1)},
        // MariaDB keeps microseconds; QODBC reads timestamps to the millisecond and times
        // without a fraction (SQL_TIME_STRUCT has none).
        {u"local_ts"_s,
         Data::Value(maria ? u"2024-01-15T10:30:00.123456"_s : u"2024-01-15T10:30:00.125"_s)},
        {u"day"_s, Data::Value(u"2024-02-29"_s)},
        {u"at_time"_s, Data::Value(maria ? u"23:59:58.25"_s : u"23:59:58"_s)},
        {u"doc"_s, json("{'a': [1, 2.5, null], 'b': {'c': 'x'}, 'd': true}")},
        {u"ident"_s, Data::Value(u"123e4567-e89b-12d3-a456-426614174000"_s)},
        {u"raw"_s, Data::Value(raw)},
        {u"note"_s, Data::Value(note)},
        {u"label"_s, Data::Value(u"Ab-ü"_s)},
    };
    if (maria) {
        full.append(u"stamp"_s, Data::Value(u"2024-01-15T10:30:00.123456+02:00"_s));
        full.append(u"colour"_s, Data::Value(u"green"_s));
        full.append(u"yr"_s, Data::Value(2024));
        full.append(u"ubig"_s, Data::Value::numberFromText(u"18446744073709551615"));
        full.append(u"bit1"_s, Data::Value(true));
        full.append(u"bits"_s, Data::Value(5));
    }
    WriteRequest request;
    request.entity = u"kinds"_s;
    request.mode = WriteMode::Upsert;
    request.records.push_back(Data::Value(full));
    request.records.push_back(json("{'id': 2}")); // every other column takes its default
    Result<WriteSummary> summary = c->write(request);
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 2);
    if (maria) {
        // A TIMESTAMP is stored in UTC: the offset was applied.
        QCOMPARE(m_db.raw
                     ->value(u"SELECT CAST(UNIX_TIMESTAMP(stamp) AS CHAR) FROM kinds "
                             "WHERE id = 9007199254740993"_s)
                     .toString(),
                 u"%1.123456"_s.arg(
                     QDateTime(QDate(2024, 1, 15), QTime(8, 30), Qt::UTC).toSecsSinceEpoch()));
    }
    QCOMPARE(m_db.raw->value(u"SELECT note FROM kinds WHERE id = 9007199254740993"_s).toString(),
             note);

    ReadRequest read;
    read.entity = u"kinds"_s;
    Result<std::vector<Data::Value>> rows = readAll(*c, read);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(2));
    const Data::Value &row = rows->at(1); // in key order
    QVERIFY(row[u"id"].hasExactText());
    QCOMPARE(row[u"id"].exactText(), u"9007199254740993"_s);
    QCOMPARE(row[u"flag"], Data::Value(true));
    QCOMPARE(row[u"small"].toInt64(), -7);
    QCOMPARE(row[u"amount"], Data::Value(u"12345678.90"_s));
    QVERIFY(row[u"big"].hasExactText());
    QCOMPARE(row[u"big"].exactText(), u"123456789012345678901234567890"_s);
    QCOMPARE(row[u"ratio"].toDouble(), 0.1);
    QCOMPARE(row[u"local_ts"], *full.find(u"local_ts"));
    QCOMPARE(row[u"day"], Data::Value(u"2024-02-29"_s));
    QCOMPARE(row[u"at_time"], *full.find(u"at_time"));
    if (maria)
        QCOMPARE(row[u"doc"], *full.find(u"doc"));
    else
        QCOMPARE(json(row[u"doc"].toString().toUtf8()), *full.find(u"doc"));
    QCOMPARE(row[u"ident"], Data::Value(u"123e4567-e89b-12d3-a456-426614174000"_s));
    QCOMPARE(row[u"raw"], Data::Value(raw));
    QCOMPARE(row[u"note"], Data::Value(note));
    QCOMPARE(row[u"label"], Data::Value(u"Ab-ü"_s));
    if (maria) {
        QCOMPARE(row[u"stamp"], Data::Value(u"2024-01-15T08:30:00.123456+00:00"_s));
        QCOMPARE(row[u"colour"], Data::Value(u"green"_s));
        QCOMPARE(row[u"yr"].toInt64(), 2024);
        QVERIFY(row[u"ubig"].hasExactText());
        QCOMPARE(row[u"ubig"].exactText(), u"18446744073709551615"_s);
        QCOMPARE(row[u"bit1"], Data::Value(true));
        QCOMPARE(row[u"bits"].toInt64(), 5);
    }
    const Data::Value &sparse = rows->at(0);
    QCOMPARE(sparse[u"flag"], Data::Value(false)); // the column default
    QVERIFY(sparse[u"amount"].isNull());
    QVERIFY(sparse[u"doc"].isNull());
    QVERIFY(sparse[u"raw"].isNull());

    // Written again: every value equal.
    summary = c->write(request);
    VERIFY_OK(summary);
    if (maria) {
        QCOMPARE(summary->unchanged, 2);
    } else {
        QCOMPARE(summary->updated, 1); // psqlODBC counts the matched row
        QCOMPARE(summary->unchanged, 1); // key fields only: nothing to update
    }

    // Filters bind typed values: a decimal, a date-time (with an offset on MariaDB), a list.
    read.filter = json("{'amount': '12345678.9', 'flag': true}");
    rows = readAll(*c, read);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(1));
    read.filter = maria ? json("{'stamp': '2024-01-15T09:30:00.123456+01:00'}")
                        : json("{'local_ts': '2024-01-15T10:30:00.125'}");
    rows = readAll(*c, read);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(1));
    read.filter = json("{'id': [2, 3], 'day': null}");
    rows = readAll(*c, read);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(1));

    // A value the column refuses is the database's error, naming the record and column.
    WriteRequest bad;
    bad.entity = u"kinds"_s;
    bad.mode = WriteMode::Insert;
    bad.records = records("[{'id': 3, 'day': '2024-02-30'}]");
    summary = c->write(bad);
    VERIFY_ERROR(summary, "sql_error");
    QVERIFY2(summary.error().message.contains(u"record 0 (id=3)"_s),
             qPrintable(summary.error().message));
}

void tst_SqlConnectorServer::lostConnection()
{
    QVERIFY(m_db.raw->exec(m_db.schema().at(2))); // log
    auto c = connector();
    QVERIFY(c);
    VERIFY_OK(c->testConnection());
    QCOMPARE(endConnectorSessions(), 1);
    VERIFY_OK(c->testConnection()); // the dead connection is replaced

    ReadRequest read;
    read.entity = u"log"_s;
    VERIFY_OK(readAll(*c, read)); // the catalog entry is cached
    QCOMPARE(endConnectorSessions(), 1);
    Result<std::vector<Data::Value>> rows = readAll(*c, read);
    VERIFY_ERROR(rows, "connection_failed");
    QVERIFY2(rows.error().message.contains(u"log"_s), qPrintable(rows.error().message));
    VERIFY_OK(readAll(*c, read)); // and the next call connects again

    // A write whose connection is gone is rolled back on the server, and reported.
    QCOMPARE(endConnectorSessions(), 1);
    WriteRequest write;
    write.entity = u"log"_s;
    write.mode = WriteMode::Insert;
    write.records = records("[{'message': 'lost'}]");
    VERIFY_ERROR(c->write(write), "connection_failed");
    VERIFY_OK(c->write(write));
    QCOMPARE(m_db.raw->value(u"SELECT COUNT(*) FROM log"_s).toInt(), 1);
}

void tst_SqlConnectorServer::statementTimeout()
{
    if (m_db.backend == Backend::Odbc) {
        // QODBC sets no statement attributes (SQL_ATTR_QUERY_TIMEOUT): refused, with a pointer.
        QString error;
        auto c = m_db.connector(m_db.url(), "{'query_timeout_seconds': 1}", m_db.authentication(),
                                nullptr, &error);
        QVERIFY(!c);
        QVERIFY2(error.contains(u"/configuration/query_timeout_seconds"_s), qPrintable(error));
        return;
    }
    QVERIFY(m_db.raw->exec(u"CREATE VIEW slow AS SELECT SLEEP(3) AS slept, 1 AS id"_s));
    QVERIFY(m_db.raw->exec(m_db.schema().at(2))); // log
    auto c = connector("{'query_timeout_seconds': 0.3}");
    QVERIFY(c);
    ReadRequest request;
    request.entity = u"slow"_s;
    QElapsedTimer timer;
    timer.start();
    Result<std::vector<Data::Value>> rows = readAll(*c, request);
    VERIFY_ERROR(rows, "timeout");
    QVERIFY2(timer.elapsed() < 2500, "the statement ran to its end");
    QVERIFY2(rows.error().message.contains(u"max_statement_time"_s),
             qPrintable(rows.error().message));
    QVERIFY(rows.error().message.contains(u"slow"_s));

    request.entity = u"log"_s; // still connected
    VERIFY_OK(readAll(*c, request));
}

void tst_SqlConnectorServer::refusedConnections()
{
    // Nothing listens on port 1.
    const QByteArray down = m_db.backend == Backend::MariaDb
        ? "mariadb://127.0.0.1:1/none"_ba
        : "odbc:SERVER=127.0.0.1;PORT=1;DATABASE=none"_ba;
    auto c = m_db.connector(down, "{'timeout_seconds': 3}", m_db.authentication(), nullptr);
    QVERIFY(c);
    Result<ConnectionTest> test = c->testConnection();
    VERIFY_ERROR(test, "connection_failed");
    QVERIFY2(test.error().message.contains(m_db.backend == Backend::MariaDb ? u"127.0.0.1:1"_s
                                                                            : u"PORT=1"_s),
             qPrintable(test.error().message));
    QVERIFY(!test.error().toString().contains(m_db.password()));

    const QByteArray auth = m_db.authentication();
    if (m_db.backend == Backend::MariaDb) {
        // A secret the resolver does not have: its error, never a connect attempt.
        QByteArray unresolved = auth;
        unresolved.replace("shop.password", "missing.password");
        auto noSecret = m_db.connector(m_db.url(), "{}", unresolved, nullptr);
        QVERIFY(noSecret);
        Result<ConnectionTest> denied = noSecret->testConnection();
        VERIFY_ERROR(denied, "secret_not_found");
        QVERIFY(denied.error().message.contains(u"missing.password"_s));

        // A wrong password.
        Result<EndpointSpec> spec
            = parseEndpoint(json(endpointJson(m_db.url(), "{}", m_db.authentication())));
        VERIFY_OK(spec);
        ConnectorContext context;
        auto secrets = std::make_shared<MapSecrets>();
        secrets->values.insert(u"shop.password"_s, u"Not-The-Password-77"_s);
        context.secrets = secrets;
        Result<std::unique_ptr<Connector>> made = createSqlConnector(*spec, context);
        VERIFY_OK(made);
        denied = (*made)->testConnection();
        VERIFY_ERROR(denied, "authentication_failed");
        QVERIFY2(denied.error().message.contains(m_db.env.value(u"MARIADB_USER"_s)),
                 qPrintable(denied.error().message));
        QVERIFY(!denied.error().toString().contains(u"Not-The-Password-77"_s));
    } else {
        // A driver unixODBC does not know.
        auto unknown
            = m_db.connector(m_db.url(), "{'odbc_driver': 'No Such Driver 9'}", auth, nullptr);
        QVERIFY(unknown);
        Result<ConnectionTest> failed = unknown->testConnection();
        VERIFY_ERROR(failed, "connection_failed");
        QVERIFY2(failed.error().message.contains(u"No Such Driver 9"_s),
                 qPrintable(failed.error().message));
        QVERIFY(!failed.error().toString().contains(kOdbcPassword));
        // A database the server does not have.
        auto missing = m_db.connector("odbc:" + m_db.odbcAttributes(u"no_such_db"_s).toUtf8(), "{}",
                                      auth, nullptr);
        QVERIFY(missing);
        failed = missing->testConnection();
        VERIFY_ERROR(failed, "connection_failed");
        QVERIFY2(failed.error().message.contains(u"no_such_db"_s),
                 qPrintable(failed.error().message));
    }
}

void tst_SqlConnectorServer::urlForms()
{
    QVERIFY(m_db.raw->exec(m_db.schema().at(2))); // log
    ReadRequest read;
    read.entity = u"log"_s;
    if (m_db.backend == Backend::MariaDb) {
        // mysql:// is the same driver; the user may be in the URL instead.
        QByteArray url = m_db.url();
        url.replace("mariadb://", "mysql://" + m_db.env.value(u"MARIADB_USER"_s).toUtf8() + '@');
        auto c = m_db.connector(url, "{}", m_db.authentication(), nullptr);
        QVERIFY(c);
        Result<ConnectionTest> test = c->testConnection();
        VERIFY_OK(test);
        QVERIFY(test->serverInfo.startsWith(u"MariaDB "_s));
        VERIFY_OK(readAll(*c, read));
        return;
    }
    // Without configuration.odbc_driver.
    auto make = [&](const QByteArray &url) -> std::unique_ptr<Connector> {
        Result<EndpointSpec> spec
            = parseEndpoint(json(endpointJson(url, "{}", m_db.authentication())));
        if (!spec)
            return {};
        ConnectorContext context;
        context.secrets = m_db.secrets();
        Result<std::unique_ptr<Connector>> made = createSqlConnector(*spec, context);
        return made ? std::move(made).value() : nullptr;
    };
    // The driver named in the URL itself, percent-encoded (a URL holds no braces or spaces).
    const QByteArray encoded
        = "odbc:DRIVER=" + QUrl::toPercentEncoding(u'{' + m_db.odbcDriver + u'}') + ';'
        + m_db.odbcAttributes(kOdbcDatabase).toUtf8();
    auto direct = make(encoded);
    QVERIFY(direct);
    Result<ConnectionTest> test = direct->testConnection();
    VERIFY_OK(test);
    QCOMPARE(test->serverInfo, u"ODBC driver \"%1\""_s.arg(m_db.odbcDriver));
    VERIFY_OK(readAll(*direct, read));

    // A data source of an odbc.ini (unixODBC reads the one ODBCINI names).
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString ini = dir.filePath(u"odbc.ini"_s);
    QFile file(ini);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Text));
    file.write(u"[conflux_test_dsn]\nDriver = %1\nServername = %2\nPort = %3\nDatabase = %4\n"
               "BoolsAsChar = 0\n"_s
                   .arg(m_db.odbcDriver, m_db.env.value(u"PGHOST"_s), m_db.env.value(u"PGPORT"_s),
                        kOdbcDatabase)
                   .toUtf8());
    file.close();
    const QByteArray previous = qgetenv("ODBCINI");
    qputenv("ODBCINI", QFile::encodeName(ini));
    auto dsn = make("odbc:DSN=conflux_test_dsn");
    QVERIFY(dsn);
    test = dsn->testConnection();
    Result<std::vector<Entity>> entities = dsn->discover();
    if (previous.isNull())
        qunsetenv("ODBCINI");
    else
        qputenv("ODBCINI", previous);
    VERIFY_OK(test);
    QCOMPARE(test->serverInfo, u"ODBC DSN \"conflux_test_dsn\""_s);
    VERIFY_OK(entities);
    QCOMPARE(entities->size(), size_t(1));
    QCOMPARE(entities->front().name, u"log"_s);
}

// Runs `object`'s cases with the command line's options and those of the test functions it
// names that `object` has; nothing when functions are named and `object` has none of them.
int run(QObject *object, const QStringList &arguments)
{
    static const QStringList withValue {
        u"-o"_s,          u"-maxwarnings"_s,  u"-eventdelay"_s,  u"-keydelay"_s,
        u"-mousedelay"_s, u"-seed"_s,         u"-platform"_s,    u"-iterations"_s,
        u"-median"_s,     u"-minimumvalue"_s, u"-minimumtotal"_s};
    QStringList args {arguments.value(0)};
    bool named = false;
    bool matched = false;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &arg = arguments[i];
        if (arg.startsWith(u'-')) {
            args << arg;
            if (withValue.contains(arg) && i + 1 < arguments.size())
                args << arguments[++i];
            continue;
        }
        named = true;
        const QByteArray slot = arg.section(u':', 0, 0).section(u'(', 0, 0).toLatin1() + "()";
        if (object->metaObject()->indexOfSlot(slot.constData()) >= 0) {
            matched = true;
            args << arg;
        }
    }
    if (named && !matched)
        return 0;
    return QTest::qExec(object, args);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTEST_SET_MAIN_SOURCE_PATH
    const QStringList arguments = app.arguments();
    TestDatabase database;
    tst_SqlConnector shared(&database);
    int failures = run(&shared, arguments);
    if (database.isServer()) {
        tst_SqlConnectorServer server(&database);
        failures += run(&server, arguments);
    } else {
        tst_SqlConnectorUnit unit(&database);
        failures += run(&unit, arguments);
    }
    return failures;
}

#include "tst_sqlconnector.moc"
