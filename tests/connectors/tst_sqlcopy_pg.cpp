// The SQL connector's COPY path into a real PostgreSQL server (CTest fixture `postgres`;
// core/connectors/sqlcopy.cpp): what COPY must not change about a write. Values with COPY's
// delimiters in them, rewrite rules and row triggers, row-level security, identity columns, a
// role that may not create temporary tables, and upserts whose existing keys send a group from
// the table to the staging table — each compared with what the database holds afterwards.
// The cases run in a database of their own, so that its TEMPORARY privilege can be revoked
// without touching the other suites that share the server.

#include "sqltestdatabase.h"

using Conflux::Test::Sql::json;

namespace {

const QString kDatabase = u"conflux_sqlcopy"_s;

} // namespace

class tst_SqlCopyPg : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void delimitersInValues();
    void existingKeysGoThroughTheStagingTable();
    void rulesAndTriggersStillApply();
    void rowLevelSecurityStillApplies();
    void identityColumns();
    void roleWithoutTemporaryTables();

private:
    bool exec(const QString &sql);
    QVariant value(const QString &sql);
    std::unique_ptr<Connector> connector(const QString &user = {}, int batchSize = 1000);
    Result<WriteSummary> write(Connector &c, const QString &entity, WriteMode mode,
                               const QByteArray &records, const QStringList &keys = {});

    QMap<QString, QString> m_env;
    QSqlDatabase m_admin; // the fixture's database: creates and drops ours
    QSqlDatabase m_db;    // ours, as the superuser
};

bool tst_SqlCopyPg::exec(const QString &sql)
{
    QSqlQuery query(m_db);
    if (query.exec(sql))
        return true;
    qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
    return false;
}

QVariant tst_SqlCopyPg::value(const QString &sql)
{
    QSqlQuery query(m_db);
    if (!query.exec(sql) || !query.next()) {
        qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        return {};
    }
    return query.value(0);
}

void tst_SqlCopyPg::initTestCase()
{
    QString error;
    m_env = Test::readFixtureEnv("CONFLUX_TEST_PG_ENV", &error);
    QVERIFY2(!m_env.isEmpty(), qPrintable(error));
    auto open = [&](const QString &name, const QString &database) {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(m_env.value(u"PGHOST"_s));
        db.setPort(m_env.value(u"PGPORT"_s).toInt());
        db.setUserName(m_env.value(u"PGUSER"_s));
        db.setDatabaseName(database);
        db.setConnectOptions(u"connect_timeout=5"_s);
        if (!db.open())
            qWarning("%s", qPrintable(db.lastError().text()));
        return db;
    };
    m_admin = open(u"copy-admin"_s, m_env.value(u"PGDATABASE"_s));
    QVERIFY(m_admin.isOpen());
    QSqlQuery admin(m_admin);
    admin.exec(u"DROP DATABASE IF EXISTS %1"_s.arg(kDatabase));
    QVERIFY2(admin.exec(u"CREATE DATABASE %1"_s.arg(kDatabase)), qPrintable(admin.lastError().text()));
    m_db = open(u"copy-raw"_s, kDatabase);
    QVERIFY(m_db.isOpen());
    QVERIFY(exec(u"SET client_min_messages TO warning"_s));
    // Roles are the cluster's: made here once, for the cases that connect as them.
    for (const QString &role : {u"conflux_copy_rls"_s, u"conflux_copy_notemp"_s}) {
        admin.exec(u"DROP OWNED BY %1"_s.arg(role));
        admin.exec(u"DROP ROLE IF EXISTS %1"_s.arg(role));
        QVERIFY2(admin.exec(u"CREATE ROLE %1 LOGIN"_s.arg(role)), qPrintable(admin.lastError().text()));
    }
    // Superusers may always create temporary tables; these roles may not in this database.
    QVERIFY(exec(u"REVOKE TEMPORARY ON DATABASE %1 FROM PUBLIC"_s.arg(kDatabase)));
}

void tst_SqlCopyPg::cleanupTestCase()
{
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(u"copy-raw"_s);
    if (m_admin.isOpen()) {
        QSqlQuery admin(m_admin);
        admin.exec(u"DROP DATABASE IF EXISTS %1 WITH (FORCE)"_s.arg(kDatabase));
        for (const QString &role : {u"conflux_copy_rls"_s, u"conflux_copy_notemp"_s})
            admin.exec(u"DROP ROLE IF EXISTS %1"_s.arg(role));
    }
    m_admin.close();
    m_admin = QSqlDatabase();
    QSqlDatabase::removeDatabase(u"copy-admin"_s);
}

void tst_SqlCopyPg::init()
{
    QVERIFY(exec(u"DROP SCHEMA IF EXISTS copytest CASCADE"_s));
    QVERIFY(exec(u"CREATE SCHEMA copytest"_s));
    QVERIFY(exec(u"GRANT USAGE ON SCHEMA copytest TO conflux_copy_rls, conflux_copy_notemp"_s));
}

std::unique_ptr<Connector> tst_SqlCopyPg::connector(const QString &user, int batchSize)
{
    const QString url = u"postgresql://%1@%2:%3/%4"_s.arg(
        user.isEmpty() ? m_env.value(u"PGUSER"_s) : user, m_env.value(u"PGHOST"_s),
        m_env.value(u"PGPORT"_s), kDatabase);
    Result<EndpointSpec> spec = parseEndpoint(json(
        "{'kind':'Endpoint','schemaVersion':1,'id':'copy-db','name':'Copy','type':'database',"
        "'protocol':'sql','url':'" + url.toUtf8() + "','configuration':{'schema':'copytest',"
        "'batch_size':" + QByteArray::number(batchSize) + "}}"));
    if (!spec)
        qFatal("%s", qPrintable(spec.error().toString()));
    Result<std::unique_ptr<Connector>> made = createSqlConnector(*spec, ConnectorContext());
    if (!made)
        qFatal("%s", qPrintable(made.error().toString()));
    return std::move(made).value();
}

Result<WriteSummary> tst_SqlCopyPg::write(Connector &c, const QString &entity, WriteMode mode,
                                          const QByteArray &records, const QStringList &keys)
{
    WriteRequest request;
    request.entity = entity;
    request.mode = mode;
    request.keyFields = keys;
    request.records = json(records).toArray();
    return c.write(request);
}

void tst_SqlCopyPg::delimitersInValues()
{
    QVERIFY(exec(u"CREATE TABLE copytest.texts (id int PRIMARY KEY, note text, tags text[], "
                 "attrs jsonb, blob bytea, ratio float8, at timestamptz)"_s));
    auto c = connector();
    // tab, newline, carriage return, backslash, COPY's NULL marker as text, an empty string
    const QByteArray rows
        = "[{'id': 1, 'note': 'a\\tb', 'tags': ['x\\\\y', 'q\\u0027\\\"'], 'attrs': {'k': 'v\\tw'},"
          " 'blob': 'AAkKDVxO', 'ratio': 0.1, 'at': '2024-02-29T23:59:59.123+01:00'},"
          " {'id': 2, 'note': 'line1\\nline2\\r\\n', 'ratio': 1e300},"
          " {'id': 3, 'note': 'back\\\\slash \\\\N end\\\\'},"
          " {'id': 4, 'note': '\\\\N'},"
          " {'id': 5, 'note': ''},"
          " {'id': 6, 'note': null, 'ratio': -0.0},"
          " {'id': 7, 'note': 'Grüße 🚀 ✓'}]";
    Result<WriteSummary> summary = write(*c, u"texts"_s, WriteMode::Upsert, rows);
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 7);
    auto note = [&](int id) {
        return value(u"SELECT coalesce(note, '<null>') FROM copytest.texts WHERE id = %1"_s.arg(id))
            .toString();
    };
    QCOMPARE(note(1), u"a\tb"_s);
    QCOMPARE(note(2), u"line1\nline2\r\n"_s);
    QCOMPARE(note(3), u"back\\slash \\N end\\"_s);
    QCOMPARE(note(4), u"\\N"_s);
    QCOMPARE(note(5), QString());
    QCOMPARE(note(6), u"<null>"_s);
    QCOMPARE(note(7), u"Grüße 🚀 ✓"_s);
    QCOMPARE(value(u"SELECT tags[1] || '|' || tags[2] FROM copytest.texts WHERE id = 1"_s).toString(),
             u"x\\y|q'\""_s);
    QCOMPARE(value(u"SELECT attrs->>'k' FROM copytest.texts WHERE id = 1"_s).toString(), u"v\tw"_s);
    QCOMPARE(value(u"SELECT encode(blob, 'hex') FROM copytest.texts WHERE id = 1"_s).toString(),
             u"00090a0d5c4e"_s);
    QCOMPARE(value(u"SELECT ratio FROM copytest.texts WHERE id = 1"_s).toDouble(), 0.1);
    QCOMPARE(value(u"SELECT ratio FROM copytest.texts WHERE id = 2"_s).toDouble(), 1e300);
    QCOMPARE(value(u"SELECT at = '2024-02-29T22:59:59.123Z' FROM copytest.texts WHERE id = 1"_s)
                 .toBool(),
             true);

    // The same values again, by the staging table (key 1 exists): nothing differs.
    summary = write(*c, u"texts"_s, WriteMode::Upsert, rows);
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 0);
    QCOMPARE(summary->updated, 0);
    QCOMPARE(summary->unchanged, 7);
}

void tst_SqlCopyPg::existingKeysGoThroughTheStagingTable()
{
    QVERIFY(exec(u"CREATE TABLE copytest.items (id int PRIMARY KEY, name text NOT NULL, "
                 "qty int NOT NULL DEFAULT 0, note text)"_s));
    QVERIFY(exec(u"INSERT INTO copytest.items SELECT g, 'old ' || g, g FROM generate_series(1000, "
                 "1002) g"_s));
    auto c = connector(QString(), 250);
    // 1,000 records in two layouts (with and without a note), new keys first and three that
    // exist at the end: the table COPY meets the old keys and starts again on the staging table.
    QByteArray rows = "[";
    for (int i = 1; i <= 1000; ++i) {
        const int id = i <= 997 ? i : 1000 + (i - 998);
        rows += "{'id': " + QByteArray::number(id) + ", 'name': 'n" + QByteArray::number(id)
            + "', 'qty': " + QByteArray::number(id % 7)
            + (i % 3 == 0 ? ", 'note': 'third'" : "") + "}" + (i < 1000 ? "," : "]");
    }
    Result<WriteSummary> summary = write(*c, u"items"_s, WriteMode::Upsert, rows);
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 997);
    QCOMPARE(summary->updated, 3);
    QCOMPARE(value(u"SELECT count(*) FROM copytest.items"_s).toInt(), 1000);
    QCOMPARE(value(u"SELECT count(*) FROM copytest.items WHERE note = 'third'"_s).toInt(), 333);
    QCOMPARE(value(u"SELECT name FROM copytest.items WHERE id = 1001"_s).toString(), u"n1001"_s);
    QCOMPARE(value(u"SELECT sum(qty) FROM copytest.items"_s).toLongLong(),
             value(u"SELECT sum(id % 7) FROM copytest.items"_s).toLongLong());

    // A record the table refuses inside the COPY: nothing of the call is kept, and the message
    // names the record (the call is retried a row at a time to find it).
    summary = write(*c, u"items"_s, WriteMode::Upsert,
                    "[{'id': 2000, 'name': 'a'}, {'id': 2001, 'name': null}, {'id': 2002, 'name': 'c'}]");
    VERIFY_ERROR(summary, "sql_error");
    QVERIFY2(summary.error().message.contains(u"record 1 (id=2001)"_s), qPrintable(summary.error().message));
    QCOMPARE(value(u"SELECT count(*) FROM copytest.items WHERE id >= 2000"_s).toInt(), 0);

    // Inserts of a key that exists fail the same way, naming it.
    summary = write(*c, u"items"_s, WriteMode::Insert,
                    "[{'id': 3000, 'name': 'a'}, {'id': 5, 'name': 'dup'}]");
    VERIFY_ERROR(summary, "sql_error");
    QVERIFY2(summary.error().message.contains(u"record 1 (id=5)"_s), qPrintable(summary.error().message));
    QCOMPARE(value(u"SELECT count(*) FROM copytest.items WHERE id = 3000"_s).toInt(), 0);
    QCOMPARE(value(u"SELECT name FROM copytest.items WHERE id = 5"_s).toString(), u"n5"_s);
}

void tst_SqlCopyPg::rulesAndTriggersStillApply()
{
    // COPY would bypass a rewrite rule: the rule's audit rows show the rows went by INSERT.
    QVERIFY(exec(u"CREATE TABLE copytest.audit (id int, what text)"_s));
    QVERIFY(exec(u"CREATE TABLE copytest.ruled (id int PRIMARY KEY, v text)"_s));
    QVERIFY(exec(u"CREATE RULE ruled_audit AS ON INSERT TO copytest.ruled DO ALSO "
                 "INSERT INTO copytest.audit VALUES (NEW.id, 'rule')"_s));
    // Row triggers fire for COPY as for INSERT.
    QVERIFY(exec(u"CREATE TABLE copytest.triggered (id int PRIMARY KEY, v text)"_s));
    QVERIFY(exec(u"CREATE FUNCTION copytest.shout() RETURNS trigger LANGUAGE plpgsql AS "
                 "$$BEGIN NEW.v := upper(NEW.v); INSERT INTO copytest.audit VALUES (NEW.id, 'trigger'); "
                 "RETURN NEW; END$$"_s));
    QVERIFY(exec(u"CREATE TRIGGER shout BEFORE INSERT OR UPDATE ON copytest.triggered "
                 "FOR EACH ROW EXECUTE FUNCTION copytest.shout()"_s));
    auto c = connector();
    const QByteArray rows = "[{'id': 1, 'v': 'a'}, {'id': 2, 'v': 'b'}, {'id': 3, 'v': 'c'}]";
    VERIFY_OK(write(*c, u"ruled"_s, WriteMode::Insert, rows));
    VERIFY_OK(write(*c, u"triggered"_s, WriteMode::Upsert, rows));
    QCOMPARE(value(u"SELECT count(*) FROM copytest.audit WHERE what = 'rule'"_s).toInt(), 3);
    QCOMPARE(value(u"SELECT count(*) FROM copytest.audit WHERE what = 'trigger'"_s).toInt(), 3);
    QCOMPARE(value(u"SELECT string_agg(v, '' ORDER BY id) FROM copytest.triggered"_s).toString(),
             u"ABC"_s);
    QCOMPARE(value(u"SELECT string_agg(v, '' ORDER BY id) FROM copytest.ruled"_s).toString(), u"abc"_s);
}

void tst_SqlCopyPg::rowLevelSecurityStillApplies()
{
    // COPY FROM refuses a table with row-level security for a role it applies to; the rows go
    // by INSERT, and the policy's check refuses what it refuses.
    QVERIFY(exec(u"CREATE TABLE copytest.tenants (id int PRIMARY KEY, tenant text NOT NULL)"_s));
    QVERIFY(exec(u"ALTER TABLE copytest.tenants ENABLE ROW LEVEL SECURITY"_s));
    QVERIFY(exec(u"CREATE POLICY only_a ON copytest.tenants USING (true) WITH CHECK (tenant = 'a')"_s));
    QVERIFY(exec(u"GRANT SELECT, INSERT, UPDATE ON copytest.tenants TO conflux_copy_rls"_s));
    auto c = connector(u"conflux_copy_rls"_s);
    Result<WriteSummary> summary = write(*c, u"tenants"_s, WriteMode::Upsert,
                                         "[{'id': 1, 'tenant': 'a'}, {'id': 2, 'tenant': 'a'}]");
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 2);
    summary = write(*c, u"tenants"_s, WriteMode::Insert,
                    "[{'id': 3, 'tenant': 'a'}, {'id': 4, 'tenant': 'b'}]");
    VERIFY_ERROR(summary, "sql_error");
    QVERIFY2(summary.error().message.contains(u"record 1 (id=4)"_s)
                 && summary.error().message.contains(u"row-level security"_s),
             qPrintable(summary.error().message));
    QCOMPARE(value(u"SELECT string_agg(id::text, ',' ORDER BY id) FROM copytest.tenants"_s).toString(),
             u"1,2"_s);
}

void tst_SqlCopyPg::identityColumns()
{
    QVERIFY(exec(u"CREATE TABLE copytest.always (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                 "name text NOT NULL UNIQUE, qty int)"_s));
    QVERIFY(exec(u"CREATE TABLE copytest.bydefault (id int GENERATED BY DEFAULT AS IDENTITY "
                 "PRIMARY KEY, name text)"_s));
    auto c = connector();
    // No value for the identity: the table numbers the rows.
    VERIFY_OK(write(*c, u"always"_s, WriteMode::Insert,
                    "[{'name': 'a', 'qty': 1}, {'name': 'b', 'qty': 2}, {'name': 'c', 'qty': 3}]"));
    QCOMPARE(value(u"SELECT string_agg(id || name, ',' ORDER BY id) FROM copytest.always"_s).toString(),
             u"1a,2b,3c"_s);
    // A value for a GENERATED ALWAYS identity: refused, as an INSERT refuses it (COPY would
    // take it), and nothing is written.
    Result<WriteSummary> summary = write(*c, u"always"_s, WriteMode::Insert,
                                         "[{'id': 10, 'name': 'x'}, {'id': 11, 'name': 'y'}]");
    VERIFY_ERROR(summary, "sql_error");
    QVERIFY2(summary.error().message.contains(u"write to \"always\""_s)
                 && summary.error().message.contains(u"column \"id\""_s)
                 && summary.error().message.contains(u"GENERATED ALWAYS"_s),
             qPrintable(summary.error().message));
    QCOMPARE(value(u"SELECT count(*) FROM copytest.always"_s).toInt(), 3);
    // An upsert by another unique key: the staging table, and ON CONFLICT on that key.
    summary = write(*c, u"always"_s, WriteMode::Upsert,
                    "[{'name': 'b', 'qty': 20}, {'name': 'c', 'qty': 3}, {'name': 'd', 'qty': 4}]",
                    {u"name"_s});
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 1);
    QCOMPARE(summary->updated, 1);
    QCOMPARE(summary->unchanged, 1);
    // (the rows of existing names drew identity values too, as ON CONFLICT does)
    QCOMPARE(value(u"SELECT string_agg(name || qty, ',' ORDER BY id) FROM copytest.always"_s)
                 .toString(),
             u"a1,b20,c3,d4"_s);
    // BY DEFAULT takes the values given.
    VERIFY_OK(write(*c, u"bydefault"_s, WriteMode::Upsert,
                    "[{'id': 7, 'name': 'seven'}, {'id': 8, 'name': 'eight'}]"));
    QCOMPARE(value(u"SELECT string_agg(id::text, ',' ORDER BY id) FROM copytest.bydefault"_s).toString(),
             u"7,8"_s);
}

void tst_SqlCopyPg::roleWithoutTemporaryTables()
{
    QVERIFY(exec(u"CREATE TABLE copytest.plain (id int PRIMARY KEY, v text)"_s));
    QVERIFY(exec(u"GRANT SELECT, INSERT, UPDATE ON copytest.plain TO conflux_copy_notemp"_s));
    QVERIFY(exec(u"INSERT INTO copytest.plain VALUES (2, 'old')"_s));
    auto c = connector(u"conflux_copy_notemp"_s);
    // New keys only: straight into the table, no staging table needed.
    Result<WriteSummary> summary
        = write(*c, u"plain"_s, WriteMode::Upsert, "[{'id': 10, 'v': 'x'}, {'id': 11, 'v': 'y'}]");
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 2);
    // An existing key needs the staging table, which this role may not create: the call is
    // written by statements instead, and so are the calls after it.
    for (int round = 0; round < 2; ++round) {
        const QByteArray v = round == 0 ? "new" : "newer";
        summary = write(*c, u"plain"_s, WriteMode::Upsert,
                        "[{'id': 1, 'v': '" + v + "'}, {'id': 2, 'v': '" + v + "'}, {'id': 3, 'v': 'c'}]");
        VERIFY_OK(summary);
        QCOMPARE(summary->inserted, round == 0 ? 2 : 0);
        QCOMPARE(summary->updated, round == 0 ? 1 : 2);
        QCOMPARE(summary->unchanged, round == 0 ? 0 : 1);
    }
    QCOMPARE(value(u"SELECT string_agg(id || v, ',' ORDER BY id) FROM copytest.plain"_s).toString(),
             u"1newer,2newer,3c,10x,11y"_s);
}

QTEST_GUILESS_MAIN(tst_SqlCopyPg)
#include "tst_sqlcopy_pg.moc"
