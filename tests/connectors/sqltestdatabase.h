#pragma once

// The database the SQL connector tests run on (tst_sqlconnector.cpp, tst_sqlconnector_server.cpp):
// chosen by CONFLUX_TEST_SQL_BACKEND, with the test's own raw connection to set tables up
// and look at them, and the helpers the cases share.

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

#include "testsecrets.h"

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;

using Conflux::Test::MapSecrets;

namespace Conflux::Test::Sql {

enum class Backend { Sqlite, MariaDb, Odbc };

inline Backend backendFromEnvironment()
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
inline Data::Value json(QByteArray text)
{
    text.replace('\'', '"');
    Result<Data::Value> value = Data::Json::parse(text);
    if (!value)
        qFatal("bad test JSON: %s", qPrintable(value.error().message));
    return *value;
}

inline QByteArray endpointJson(const QByteArray &url, const QByteArray &configuration,
                        const QByteArray &extra = {})
{
    return "{\"kind\":\"Endpoint\",\"schemaVersion\":1,\"id\":\"shop-db\",\"name\":\"Shop "
           "DB\",\"type\":\"database\","
           "\"protocol\":\"sql\",\"url\":\""
        + url + "\",\"configuration\":" + configuration + extra + "}";
}

inline std::vector<Data::Value> records(const QByteArray &jsonArray)
{
    const Data::Value array = json(jsonArray);
    return array.toArray();
}

inline QString minuteStamp(int minute)
{
    return u"2024-02-01T10:%1:00"_s.arg(minute, 2, 10, QChar(u'0'));
}


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
        QHash<QString, QString> values;
        if (isServer())
            values.insert(u"shop.password"_s, password());
        return std::make_shared<MapSecrets>(std::move(values));
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

inline Result<std::vector<Data::Value>> readAll(Connector &c, const ReadRequest &request,
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

// Runs `object`'s cases with the command line's options and those of the test functions it
// names that `object` has; nothing when functions are named and `object` has none of them.
inline int run(QObject *object, const QStringList &arguments)
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

// The cases of tst_sqlconnector_server.cpp: the SQLite-only ones, or those only a server has.
int runUnitCases(TestDatabase *database, const QStringList &arguments);
int runServerCases(TestDatabase *database, const QStringList &arguments);

} // namespace Conflux::Test::Sql
