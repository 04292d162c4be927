#pragma once

// The sync runner's test bed: an SQLite source database, a target (SQLite, or a schema of the
// `postgres` fixture's real server), an SQLite state store, and the connectors of both made by
// the real SQL connector. A target can be made flaky: its first N writes fail as a lost
// connection would, after which the real connector writes.

#include "connectors/endpoint.h"
#include "connectors/registry.h"
#include "data/json.h"
#include "mapping/mappingdocument.h"
#include "store/statestore.h"
#include "store/storeconfig.h"
#include "sync/syncjob.h"
#include "sync/syncrunner.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>

using namespace Conflux;
using namespace Qt::StringLiterals;

namespace Conflux::Test::SyncBed {

// Test JSON is written with single quotes (moc of Qt 6.4 cannot read raw string literals).
inline Data::Value json(QByteArray text)
{
    text.replace('\'', '"');
    Result<Data::Value> value = Data::Json::parse(text);
    if (!value)
        qFatal("bad test JSON: %s", qPrintable(value.error().message));
    return *value;
}

// Fails the first `failures` writes with "connection_failed"; everything else goes to the real
// connector.
class FlakyConnector final : public Connectors::Connector
{
public:
    FlakyConnector(std::unique_ptr<Connectors::Connector> real, std::shared_ptr<std::atomic<int>> failures,
                   std::function<void()> beforeWrite)
        : Connector(real->endpoint()), m_real(std::move(real)), m_failures(std::move(failures)),
          m_beforeWrite(std::move(beforeWrite))
    {
    }
    Connectors::Capabilities capabilities() const override { return m_real->capabilities(); }
    Result<Connectors::ConnectionTest> testConnection() override { return m_real->testConnection(); }
    Result<std::vector<Connectors::Entity>> discover() override { return m_real->discover(); }
    Result<Connectors::ReadSummary> read(const Connectors::ReadRequest &r, const Connectors::PageSink &sink) override
    {
        return m_real->read(r, sink);
    }
    Result<Connectors::WriteSummary> write(const Connectors::WriteRequest &request) override
    {
        if (m_beforeWrite)
            m_beforeWrite();
        if (m_failures->fetch_sub(1) > 0)
            return makeError("connection_failed", u"the test made this write fail"_s);
        return m_real->write(request);
    }

private:
    std::unique_ptr<Connectors::Connector> m_real;
    std::shared_ptr<std::atomic<int>> m_failures;
    std::function<void()> m_beforeWrite;
};

// A raw connection of the test's own, to set tables up and look at them.
class Raw
{
public:
    Raw(const QString &driver, const std::function<void(QSqlDatabase &)> &setup)
        : m_name(u"syncbed-%1"_s.arg(++s_counter))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(driver, m_name);
        setup(db);
        if (!db.open())
            m_error = db.lastError().text();
    }
    ~Raw()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    QString error() const { return m_error; }
    bool exec(const QString &sql, const QVariantList &params = {})
    {
        QSqlQuery q(QSqlDatabase::database(m_name, false));
        bool ok = false;
        if (params.isEmpty()) { // QPSQL cannot prepare DDL
            ok = q.exec(sql);
        } else {
            q.prepare(sql);
            for (qsizetype i = 0; i < params.size(); ++i)
                q.bindValue(int(i), params[i]);
            ok = q.exec();
        }
        if (!ok) {
            qWarning("%s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
            return false;
        }
        return true;
    }
    QVariant value(const QString &sql, const QVariantList &params = {})
    {
        QSqlQuery q(QSqlDatabase::database(m_name, false));
        bool ok = false;
        if (params.isEmpty()) {
            ok = q.exec(sql);
        } else {
            q.prepare(sql);
            for (qsizetype i = 0; i < params.size(); ++i)
                q.bindValue(int(i), params[i]);
            ok = q.exec();
        }
        if (!ok || !q.next())
            return {};
        return q.value(0);
    }

private:
    static inline int s_counter = 0;
    QString m_name;
    QString m_error;
};

class Bed
{
public:
    // The target: SQLite when `postgresEnv` is empty, else the fixture's PostgreSQL (a schema
    // of its own, dropped at the end).
    explicit Bed(const QMap<QString, QString> &postgresEnv = {}) : m_pg(postgresEnv)
    {
        QVERIFY(m_dir.isValid());
        source = std::make_unique<Raw>(u"QSQLITE"_s, [&](QSqlDatabase &db) {
            db.setDatabaseName(m_dir.filePath(u"source.db"_s));
        });
        if (m_pg.isEmpty()) {
            target = std::make_unique<Raw>(u"QSQLITE"_s, [&](QSqlDatabase &db) {
                db.setDatabaseName(m_dir.filePath(u"target.db"_s));
            });
        } else {
            m_schema = u"tst_sync_%1_%2"_s.arg(QCoreApplication::applicationPid()).arg(++s_schemas);
            target = std::make_unique<Raw>(u"QPSQL"_s, [&](QSqlDatabase &db) {
                db.setHostName(m_pg.value(u"PGHOST"_s));
                db.setPort(m_pg.value(u"PGPORT"_s).toInt());
                db.setUserName(m_pg.value(u"PGUSER"_s));
                db.setDatabaseName(m_pg.value(u"PGDATABASE"_s));
            });
            target->exec(u"SET client_min_messages TO warning"_s);
            target->exec(u"DROP SCHEMA IF EXISTS %1 CASCADE"_s.arg(m_schema));
            target->exec(u"CREATE SCHEMA %1"_s.arg(m_schema));
            target->exec(u"SET search_path TO %1"_s.arg(m_schema));
        }
        Store::StoreConfig config;
        config.driver = Store::StoreConfig::Driver::Sqlite;
        config.sqlitePath = m_dir.filePath(u"state.db"_s);
        store = Store::StateStore::create(config);
        if (Result<void> opened = store->open(); !opened)
            qFatal("state store: %s", qPrintable(opened.error().toString()));
        Connectors::registerBuiltinConnectors(m_registry);
    }
    ~Bed()
    {
        if (!m_schema.isEmpty())
            target->exec(u"DROP SCHEMA IF EXISTS %1 CASCADE"_s.arg(m_schema));
    }

    bool onPostgres() const { return !m_pg.isEmpty(); }
    QString targetTable(const QString &name) const
    {
        return m_schema.isEmpty() ? name : m_schema + u'.' + name;
    }

    // The endpoint documents of "src" and "dst".
    Data::Value endpoint(const QString &id) const
    {
        if (id == "src"_L1 || m_pg.isEmpty()) {
            const QString file = id == "src"_L1 ? u"source.db"_s : u"target.db"_s;
            return json("{'kind':'Endpoint','schemaVersion':1,'id':'" + id.toUtf8()
                        + "','name':'x','type':'database','protocol':'sql','url':'sqlite:"
                        + file.toUtf8() + "','configuration':{}}");
        }
        const QByteArray url = "postgresql://" + m_pg.value(u"PGUSER"_s).toUtf8() + '@'
            + m_pg.value(u"PGHOST"_s).toUtf8() + ':' + m_pg.value(u"PGPORT"_s).toUtf8() + '/'
            + m_pg.value(u"PGDATABASE"_s).toUtf8();
        return json("{'kind':'Endpoint','schemaVersion':1,'id':'dst','name':'x','type':'database',"
                    "'protocol':'sql','url':'" + url + "','configuration':{'schema':'"
                    + m_schema.toUtf8() + "'}}");
    }

    Sync::SyncHost host(std::shared_ptr<const Mapping::CompiledMapping> mapping = {})
    {
        Sync::SyncHost h;
        h.store = store.get();
        h.node = u"test-node"_s;
        h.retryBaseMs = 10;
        h.mapping = std::move(mapping);
        h.connector = [this](const QString &id) -> Result<std::unique_ptr<Connectors::Connector>> {
            Connectors::ConnectorContext context;
            context.baseDirectory = m_dir.path();
            Result<std::unique_ptr<Connectors::Connector>> made
                = m_registry.create(endpoint(id), context, id + u".json"_s);
            if (!made || id != "dst"_L1)
                return made;
            ++targetConnectorsMade;
            return std::unique_ptr<Connectors::Connector>(
                new FlakyConnector(std::move(*made), failTargetWrites, beforeTargetWrite));
        };
        return h;
    }

    static Sync::SyncJobSpec job(const QByteArray &members)
    {
        QByteArray text = "{'kind':'SyncJob','schemaVersion':1,'id':'customers','name':'Customers',"
                          "'source_endpoint':'src','target_endpoint':'dst','sync_strategy':'batch',"
                          "'source_object':'customers','target_object':'customers'"
            + (members.isEmpty() ? QByteArray() : ',' + members) + '}';
        Result<Sync::SyncJobSpec> spec = Sync::SyncJobSpec::fromDocument(json(text).toQJson().toObject());
        if (!spec)
            qFatal("bad test job: %s", qPrintable(spec.error().toString()));
        return *spec;
    }

    static std::shared_ptr<const Mapping::CompiledMapping> mapping(const QByteArray &document)
    {
        Result<Mapping::CompiledMapping> compiled = Mapping::CompiledMapping::compile(json(document));
        if (!compiled)
            qFatal("bad test mapping: %s", qPrintable(compiled.error().toString()));
        return std::make_shared<const Mapping::CompiledMapping>(std::move(*compiled));
    }

    std::unique_ptr<Raw> source, target;
    std::unique_ptr<Store::StateStore> store;
    std::shared_ptr<std::atomic<int>> failTargetWrites = std::make_shared<std::atomic<int>>(0);
    std::function<void()> beforeTargetWrite; // called before each target write
    int targetConnectorsMade = 0;

private:
    static inline int s_schemas = 0;
    QTemporaryDir m_dir;
    QMap<QString, QString> m_pg;
    QString m_schema;
    Connectors::ConnectorRegistry m_registry;
};

} // namespace Conflux::Test::SyncBed
