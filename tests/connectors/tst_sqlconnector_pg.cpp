// The SQL connector against a real PostgreSQL server (CTest fixture `postgres`,
// tests/scripts/postgres-start.sh): discovery, upsert counts, rollback, type round trips,
// incremental reads, early stops, statement timeouts and a refused password.
#include "connectors/endpoint.h"
#include "connectors/sqlconnector.h"
#include "data/json.h"
#include "security/secrets.h"
#include "testsupport.h"

#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <memory>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;

namespace {

// Test JSON is written with single quotes (moc of Qt 6.4 cannot read raw string literals).
Data::Value json(QByteArray text)
{
    text.replace('\'', '"');
    Result<Data::Value> value = Data::Json::parse(text);
    if (!value)
        qFatal("bad test JSON: %s", qPrintable(value.error().message));
    return *value;
}

std::vector<Data::Value> records(const QByteArray &jsonArray)
{
    return json(jsonArray).toArray();
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

const QString kSchema = u"sqlconn"_s;
const QString kRole = u"conflux_pw_test"_s;
const QString kRightPassword = u"right-Pass-8472"_s;
const QString kWrongPassword = u"wrong-Pass-1935"_s;

} // namespace

class tst_SqlConnectorPg : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void testConnection();
    void discover();
    void upsertCounts();
    void deleteByKey();
    void failingBatchRollsBack();
    void duplicateKeyInOneBatch();
    void typesRoundTrip();
    void incrementalRead();
    void earlyStopEndsTheQuery();
    void statementTimeout();
    void lostConnection();
    void injectionIsStoredLiterally();
    void wrongPassword();

private:
    bool exec(const QString &sql, const QVariantList &params = {});
    QVariant value(const QString &sql, const QVariantList &params = {});
    std::unique_ptr<Connector> connector(const QByteArray &configuration = "{}",
                                         const QByteArray &authentication = {},
                                         const QString &password = {}, QString *error = nullptr);
    Result<std::vector<Data::Value>> readAll(Connector &c, const ReadRequest &request,
                                             ReadSummary *summary = nullptr);

    QMap<QString, QString> m_env;
    QSqlDatabase m_db;
    QString m_hbaFile;
    QString m_hbaOriginal;
};

bool tst_SqlConnectorPg::exec(const QString &sql, const QVariantList &params)
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

QVariant tst_SqlConnectorPg::value(const QString &sql, const QVariantList &params)
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

void tst_SqlConnectorPg::initTestCase()
{
    QString error;
    m_env = Test::readFixtureEnv("CONFLUX_TEST_PG_ENV", &error);
    QVERIFY2(!m_env.isEmpty(), qPrintable(error));
    QVERIFY2(!m_env.value(u"PGPORT"_s).isEmpty(), "the PostgreSQL env file names no PGPORT");
    m_db = QSqlDatabase::addDatabase(u"QPSQL"_s, u"tst-raw"_s);
    m_db.setHostName(m_env.value(u"PGHOST"_s));
    m_db.setPort(m_env.value(u"PGPORT"_s).toInt());
    m_db.setUserName(m_env.value(u"PGUSER"_s));
    m_db.setDatabaseName(m_env.value(u"PGDATABASE"_s));
    m_db.setConnectOptions(u"connect_timeout=5"_s);
    QVERIFY2(m_db.open(), qPrintable(m_db.lastError().text()));
    QVERIFY(exec(u"SET client_min_messages TO warning"_s));
}

void tst_SqlConnectorPg::cleanupTestCase()
{
    if (!m_hbaOriginal.isEmpty()) {
        QSqlQuery query(m_db);
        query.exec(
            u"COPY (SELECT unnest(string_to_array($conflux$%1$conflux$, E'\\n'))) TO '%2'"_s.arg(
                m_hbaOriginal, QString(m_hbaFile).replace(u'\'', u"''"_s)));
        query.exec(u"SELECT pg_reload_conf()"_s);
    }
    if (m_db.isOpen())
        exec(u"DROP SCHEMA IF EXISTS sqlconn CASCADE"_s);
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(u"tst-raw"_s);
}

void tst_SqlConnectorPg::init()
{
    const QStringList statements {
        u"DROP SCHEMA IF EXISTS sqlconn CASCADE"_s,
        u"CREATE SCHEMA sqlconn"_s,
        u"CREATE TABLE sqlconn.orders (id int8 PRIMARY KEY, amount numeric(12,2) NOT NULL CHECK "
        u"(amount >= 0), "
        "paid bool NOT NULL DEFAULT false, created_at timestamptz NOT NULL DEFAULT now(), due "
        "date, note text, "
        "attrs jsonb, blob bytea, big numeric(30,0), ratio float8, tags text[], ident uuid, "
        "local_ts timestamp, "
        "at_time time)"_s,
        u"COMMENT ON TABLE sqlconn.orders IS 'Customer orders'"_s,
        u"CREATE TABLE sqlconn.order_lines (order_id int8 NOT NULL, line int4 NOT NULL, sku text "
        u"NOT NULL, "
        "qty int4 NOT NULL CONSTRAINT qty_positive CHECK (qty > 0), PRIMARY KEY (order_id, line))"_s,
        u"CREATE VIEW sqlconn.open_orders AS SELECT id, amount FROM sqlconn.orders WHERE NOT paid"_s,
        u"CREATE TABLE sqlconn.events (id int8 PRIMARY KEY, updated_at timestamptz NOT NULL, payload json)"_s,
        u"CREATE VIEW sqlconn.slow AS SELECT pg_sleep(3)::text AS slept, 1 AS id"_s,
        u"CREATE TABLE sqlconn.\"odd 'name?'\" (\"key\\\" int4 PRIMARY KEY, \"what's \"\"this\"\"?\" text)"_s,
    };
    for (const QString &sql : statements)
        QVERIFY(exec(sql));
}

std::unique_ptr<Connector> tst_SqlConnectorPg::connector(const QByteArray &configuration,
                                                         const QByteArray &authentication,
                                                         const QString &password, QString *error)
{
    QByteArray config = configuration;
    if (!config.contains("'schema'"))
        config.insert(1, config.size() > 2 ? "'schema': 'sqlconn', " : "'schema': 'sqlconn'");
    const QByteArray user
        = authentication.isEmpty() ? m_env.value(u"PGUSER"_s).toUtf8() + '@' : QByteArray();
    const QByteArray url = "postgresql://" + user + m_env.value(u"PGHOST"_s).toUtf8() + ':'
        + m_env.value(u"PGPORT"_s).toUtf8() + '/' + m_env.value(u"PGDATABASE"_s).toUtf8();
    QByteArray document
        = "{'kind':'Endpoint','schemaVersion':1,'id':'erp-db','name':'ERP','type':'database',"
          "'protocol':'sql','url':'"
        + url + "','configuration':" + config;
    if (!authentication.isEmpty())
        document += ",'authentication':" + authentication;
    document += '}';
    Result<EndpointSpec> spec = parseEndpoint(json(document));
    if (!spec) {
        if (error)
            *error = spec.error().toString();
        qWarning("%s", qPrintable(spec.error().toString()));
        return {};
    }
    ConnectorContext context;
    auto secrets = std::make_shared<MapSecrets>();
    if (!password.isEmpty())
        secrets->values.insert(u"erp.password"_s, password);
    context.secrets = secrets;
    Result<std::unique_ptr<Connector>> made = createSqlConnector(*spec, context);
    if (!made) {
        if (error)
            *error = made.error().toString();
        qWarning("%s", qPrintable(made.error().toString()));
        return {};
    }
    return std::move(made).value();
}

Result<std::vector<Data::Value>>
tst_SqlConnectorPg::readAll(Connector &c, const ReadRequest &request, ReadSummary *summary)
{
    std::vector<Data::Value> out;
    Result<ReadSummary> done = c.read(request, [&](std::vector<Data::Value> &&page) {
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

void tst_SqlConnectorPg::testConnection()
{
    auto c = connector();
    QVERIFY(c);
    Result<ConnectionTest> test = c->testConnection();
    VERIFY_OK(test);
    const QString version
        = value(u"SELECT current_setting('server_version')"_s).toString().section(u' ', 0, 0);
    QCOMPARE(test->serverInfo, u"PostgreSQL "_s + version);
    QVERIFY(QRegularExpression(u"^PostgreSQL \\d+\\.\\d+"_s).match(test->serverInfo).hasMatch());
    QVERIFY(test->latencyMs >= 0);

    // Nothing listens on port 1.
    QByteArray document
        = "{'kind':'Endpoint','schemaVersion':1,'id':'down','name':'Down','type':'database',"
          "'url':'postgresql://127.0.0.1:1/none','configuration':{'timeout_seconds':3}}";
    Result<std::unique_ptr<Connector>> down
        = createSqlConnector(*parseEndpoint(json(document)), ConnectorContext {});
    VERIFY_OK(down);
    Result<ConnectionTest> failed = (*down)->testConnection();
    VERIFY_ERROR(failed, "connection_failed");
    QVERIFY2(failed.error().message.contains(u"127.0.0.1:1"_s), qPrintable(failed.error().message));
}

void tst_SqlConnectorPg::discover()
{
    auto c = connector();
    QVERIFY(c);
    Result<std::vector<Entity>> entities = c->discover();
    VERIFY_OK(entities);
    QStringList names;
    for (const Entity &e : *entities)
        names << e.name;
    QCOMPARE(names,
             (QStringList {u"events"_s, u"odd 'name?'"_s, u"open_orders"_s, u"order_lines"_s,
                           u"orders"_s, u"slow"_s}));

    const Entity &orders = entities->at(4);
    QCOMPARE(orders.description, u"Customer orders"_s);
    QCOMPARE(orders.keyFields, QStringList {u"id"_s});
    QVERIFY(orders.capabilities.testFlag(Capability::Upsert));
    QVERIFY(orders.capabilities.testFlag(Capability::Transactions));
    using Data::SchemaType;
    using Data::StringFormat;
    auto field = [&](const char *name) {
        const Data::SchemaField *f = orders.schema.field(QString::fromLatin1(name));
        if (!f)
            qFatal("no field %s", name);
        return f;
    };
    QCOMPARE(field("id")->types, Data::SchemaTypes(SchemaType::Integer));
    QCOMPARE(field("amount")->types, Data::SchemaTypes(SchemaType::String)); // exact decimal text
    QCOMPARE(field("paid")->types, Data::SchemaTypes(SchemaType::Boolean));
    QCOMPARE(field("created_at")->types, Data::SchemaTypes(SchemaType::String));
    QCOMPARE(field("created_at")->format, StringFormat::DateTime);
    QCOMPARE(field("due")->types, SchemaType::String | SchemaType::Null);
    QCOMPARE(field("due")->format, StringFormat::Date);
    QCOMPARE(field("note")->types, SchemaType::String | SchemaType::Null);
    QVERIFY(field("attrs")->types.testFlag(SchemaType::Object));
    QVERIFY(field("attrs")->types.testFlag(SchemaType::Array));
    QCOMPARE(field("blob")->types, SchemaType::String | SchemaType::Null);
    QCOMPARE(field("big")->types, SchemaType::Integer | SchemaType::Null); // numeric(30,0)
    QCOMPARE(field("ratio")->types, SchemaType::Number | SchemaType::Null);
    QCOMPARE(field("tags")->types, SchemaType::Array | SchemaType::Null);
    QVERIFY(field("tags")->item());
    QVERIFY(field("tags")->item()->types.testFlag(SchemaType::String));
    QCOMPARE(field("ident")->format, StringFormat::Uuid);
    QCOMPARE(field("local_ts")->format, StringFormat::LocalDateTime);
    QCOMPARE(field("at_time")->format, StringFormat::Time);

    QCOMPARE(entities->at(3).keyFields, (QStringList {u"order_id"_s, u"line"_s}));
    QCOMPARE(entities->at(1).keyFields, (QStringList {u"key\\"_s}));
    const Entity &view = entities->at(2);
    QVERIFY(view.capabilities.testFlag(Capability::Read));
    QVERIFY(!view.capabilities.testFlag(Capability::Insert));
    QVERIFY(!view.capabilities.testFlag(Capability::Upsert));
    QVERIFY(view.keyFields.isEmpty());

    // A schema that does not exist is named.
    auto wrong = connector("{'schema': 'no_such_schema'}");
    QVERIFY(wrong);
    Result<std::vector<Entity>> none = wrong->discover();
    VERIFY_ERROR(none, "invalid_endpoint");
    QVERIFY(none.error().message.contains(u"no_such_schema"_s));
}

void tst_SqlConnectorPg::upsertCounts()
{
    auto c = connector("{'batch_size': 2}");
    QVERIFY(c);
    WriteRequest request;
    request.entity = u"orders"_s;
    request.mode = WriteMode::Upsert;
    request.records = records(
        "[{'id': 1, 'amount': '10.00', 'note': 'a'}, {'id': 2, 'amount': 20, 'note': 'b'},"
        " {'id': 3, 'amount': 30.5, 'note': 'c'}]");
    Result<WriteSummary> summary = c->write(request);
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 3);
    QCOMPARE(summary->updated, 0);
    QCOMPARE(value(u"SELECT amount::text FROM sqlconn.orders WHERE id = 3"_s).toString(),
             u"30.50"_s);

    request.records = records(
        "[{'id': 1, 'amount': '10.00', 'note': 'a'}, {'id': 2, 'amount': 20, 'note': 'B'},"
        " {'id': 4, 'amount': 40, 'note': 'd'}, {'id': 3, 'amount': 30.50}]");
    summary = c->write(request);
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 1);
    QCOMPARE(summary->updated, 1);
    QCOMPARE(summary->unchanged, 2); // equal values, and an equal decimal written differently
    QCOMPARE(value(u"SELECT note FROM sqlconn.orders WHERE id = 2"_s).toString(), u"B"_s);
    QCOMPARE(value(u"SELECT count(*) FROM sqlconn.orders"_s).toInt(), 4);

    // json (not jsonb) has no equality operator: compared as jsonb.
    WriteRequest events;
    events.entity = u"events"_s;
    events.mode = WriteMode::Upsert;
    events.records
        = records("[{'id': 1, 'updated_at': '2024-01-01T00:00:00Z', 'payload': {'a': 1}}]");
    VERIFY_OK(c->write(events));
    summary = c->write(events);
    VERIFY_OK(summary);
    QCOMPARE(summary->unchanged, 1);
    events.records
        = records("[{'id': 1, 'updated_at': '2024-01-01T00:00:00Z', 'payload': {'a': 2}}]");
    summary = c->write(events);
    VERIFY_OK(summary);
    QCOMPARE(summary->updated, 1);

    // Insert mode counts too.
    WriteRequest insert;
    insert.entity = u"order_lines"_s;
    insert.mode = WriteMode::Insert;
    insert.records = records(
        "[{'order_id': 1, 'line': 1, 'sku': 'A', 'qty': 1}, {'order_id': 1, 'line': 2, 'sku': 'B',"
        " 'qty': 2}, {'order_id': 1, 'line': 3, 'sku': 'C', 'qty': 3}]");
    summary = c->write(insert);
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 3);
}

void tst_SqlConnectorPg::deleteByKey()
{
    QVERIFY(exec(
        u"INSERT INTO sqlconn.order_lines SELECT 1, g, 'S' || g, g FROM generate_series(1, 10) g"_s));
    auto c = connector("{'batch_size': 3}");
    QVERIFY(c);
    WriteRequest request;
    request.entity = u"order_lines"_s;
    request.mode = WriteMode::Delete;
    request.records = records(
        "[{'order_id': 1, 'line': 2}, {'order_id': 1, 'line': 4, 'sku': 'x'},"
        " {'order_id': 1, 'line': 6}, {'order_id': 1, 'line': 8}, {'order_id': 9, 'line': 9}]");
    Result<WriteSummary> summary = c->write(request);
    VERIFY_OK(summary);
    QCOMPARE(summary->deleted, 4);
    QCOMPARE(value(u"SELECT string_agg(line::text, ',' ORDER BY line) FROM sqlconn.order_lines"_s)
                 .toString(),
             u"1,3,5,7,9,10"_s);
}

void tst_SqlConnectorPg::failingBatchRollsBack()
{
    auto c = connector("{'batch_size': 2}");
    QVERIFY(c);
    WriteRequest request;
    request.entity = u"order_lines"_s;
    request.mode = WriteMode::Upsert;
    request.records = records(
        "[{'order_id': 7, 'line': 1, 'sku': 'A', 'qty': 1}, {'order_id': 7, 'line': 2, 'sku': 'B',"
        " 'qty': 1}, {'order_id': 7, 'line': 3, 'sku': 'C', 'qty': 1}, {'order_id': 7, 'line': 4,"
        " 'sku': 'D', 'qty': 0}, {'order_id': 7, 'line': 5, 'sku': 'E', 'qty': 1}]");
    Result<WriteSummary> summary = c->write(request);
    VERIFY_ERROR(summary, "sql_error");
    const QString message = summary.error().message;
    QVERIFY2(message.contains(u"record 3 (order_id=7, line=4)"_s), qPrintable(message));
    QVERIFY2(message.contains(u"qty_positive"_s) && message.contains(u"23514"_s),
             qPrintable(message));
    QVERIFY2(message.contains(u"order_lines"_s), qPrintable(message));
    QCOMPARE(value(u"SELECT count(*) FROM sqlconn.order_lines"_s).toInt(),
             0); // batches 1 and 2 rolled back

    // A value the column type refuses, in an insert.
    WriteRequest orders;
    orders.entity = u"orders"_s;
    orders.mode = WriteMode::Insert;
    orders.records
        = records("[{'id': 1, 'amount': 1}, {'id': 2, 'amount': 2, 'due': 'not a date'}]");
    summary = c->write(orders);
    VERIFY_ERROR(summary, "sql_error");
    QVERIFY2(summary.error().message.contains(u"record 1 (id=2)"_s),
             qPrintable(summary.error().message));
    QVERIFY2(summary.error().message.contains(u"not a date"_s),
             qPrintable(summary.error().message));
    QCOMPARE(value(u"SELECT count(*) FROM sqlconn.orders"_s).toInt(), 0);

    // The connector carries on.
    orders.records = records("[{'id': 1, 'amount': 1}]");
    VERIFY_OK(c->write(orders));
    QCOMPARE(value(u"SELECT count(*) FROM sqlconn.orders"_s).toInt(), 1);
}

void tst_SqlConnectorPg::duplicateKeyInOneBatch()
{
    // PostgreSQL refuses to update one row twice in a statement; the connector then writes a row
    // at a time, and the later record wins.
    auto c = connector("{'batch_size': 100}");
    QVERIFY(c);
    WriteRequest request;
    request.entity = u"orders"_s;
    request.mode = WriteMode::Upsert;
    request.records = records("[{'id': 5, 'amount': 1, 'note': 'first'}, {'id': 6, 'amount': 1},"
                              " {'id': 5, 'amount': 2, 'note': 'second'}]");
    Result<WriteSummary> summary = c->write(request);
    VERIFY_OK(summary);
    QCOMPARE(summary->inserted, 2);
    QCOMPARE(summary->updated, 1);
    QCOMPARE(value(u"SELECT note FROM sqlconn.orders WHERE id = 5"_s).toString(), u"second"_s);
    QCOMPARE(value(u"SELECT count(*) FROM sqlconn.orders"_s).toInt(), 2);
}

void tst_SqlConnectorPg::typesRoundTrip()
{
    auto c = connector();
    QVERIFY(c);
    QByteArray bytes;
    for (int i = 0; i < 256; ++i)
        bytes.append(char(i));
    const QString blob = QString::fromLatin1(bytes.toBase64());
    const QString note = u"ünï 'single' \"double\" \\back\\ $1 ? :name"_s;

    WriteRequest request;
    request.entity = u"orders"_s;
    request.mode = WriteMode::Insert;
    Data::Object full {
        {u"id"_s, Data::Value::numberFromText(u"9007199254740993")},
        {u"amount"_s, Data::Value(u"12345678.90"_s)},
        {u"paid"_s, Data::Value(true)},
        {u"created_at"_s, Data::Value(u"2024-01-15T10:30:00.123456+02:00"_s)},
        {u"due"_s, Data::Value(u"2024-02-29"_s)},
        {u"note"_s, Data::Value(note)},
        {u"attrs"_s, json("{'a': [1, 2.5, null], 'b': {'c': 'x'}, 'd': true}")},
        {u"blob"_s, Data::Value(blob)},
        {u"big"_s, Data::Value::numberFromText(u"123456789012345678901234567890")},
        {u"ratio"_s, Data::Value(0.1)},
        {u"tags"_s, json("['a', 'b,c', 'd\\'e', null, '{x}']")},
        {u"ident"_s, Data::Value(u"123e4567-e89b-12d3-a456-426614174000"_s)},
        {u"local_ts"_s, Data::Value(u"2024-01-15T10:30:00.5"_s)},
        {u"at_time"_s, Data::Value(u"23:59:58.25"_s)},
    };
    request.records.push_back(Data::Value(full));
    request.records.push_back(json("{'id': 2, 'amount': '0.01'}")); // nullable columns left out
    request.records.push_back(
        json("{'id': 3, 'amount': 0, 'due': null, 'attrs': null, 'tags': []}"));
    VERIFY_OK(c->write(request));
    QCOMPARE(value(u"SELECT octet_length(blob) FROM sqlconn.orders WHERE id = 9007199254740993"_s)
                 .toInt(),
             256);
    QCOMPARE(value(u"SELECT attrs->'b'->>'c' FROM sqlconn.orders WHERE id = 9007199254740993"_s)
                 .toString(),
             u"x"_s);
    QCOMPARE(value(u"SELECT tags[3] FROM sqlconn.orders WHERE id = 9007199254740993"_s).toString(),
             u"d\"e"_s);

    ReadRequest read;
    read.entity = u"orders"_s;
    Result<std::vector<Data::Value>> rows = readAll(*c, read);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(3));
    const Data::Value &row = rows->at(2); // in key order: 2, 3, 9007199254740993
    QVERIFY(row[u"id"].hasExactText());
    QCOMPARE(row[u"id"].exactText(), u"9007199254740993"_s);
    QCOMPARE(row[u"amount"], Data::Value(u"12345678.90"_s));
    QCOMPARE(row[u"paid"], Data::Value(true));
    QCOMPARE(row[u"created_at"], Data::Value(u"2024-01-15T08:30:00.123456+00:00"_s));
    QCOMPARE(row[u"due"], Data::Value(u"2024-02-29"_s));
    QCOMPARE(row[u"note"], Data::Value(note));
    QCOMPARE(row[u"attrs"], *full.find(u"attrs"));
    QCOMPARE(row[u"blob"], Data::Value(blob));
    QVERIFY(row[u"big"].hasExactText());
    QCOMPARE(row[u"big"].exactText(), u"123456789012345678901234567890"_s);
    QCOMPARE(row[u"ratio"].toDouble(), 0.1);
    QCOMPARE(row[u"tags"], *full.find(u"tags"));
    QCOMPARE(row[u"ident"], Data::Value(u"123e4567-e89b-12d3-a456-426614174000"_s));
    QCOMPARE(row[u"local_ts"], Data::Value(u"2024-01-15T10:30:00.5"_s));
    QCOMPARE(row[u"at_time"], Data::Value(u"23:59:58.25"_s));

    const Data::Value &sparse = rows->at(0);
    QCOMPARE(sparse[u"amount"], Data::Value(u"0.01"_s));
    QCOMPARE(sparse[u"paid"], Data::Value(false)); // the column default
    QVERIFY(sparse[u"created_at"].toString().endsWith(u"+00:00"_s));
    QVERIFY(sparse[u"note"].isNull());
    QVERIFY(sparse[u"blob"].isNull());
    QVERIFY(sparse[u"attrs"].isNull());
    QVERIFY(sparse[u"tags"].isNull());
    QCOMPARE(rows->at(1)[u"tags"], json("[]"));
    QCOMPARE(rows->at(1)[u"amount"], Data::Value(u"0.00"_s));

    // Filters bind typed values: a decimal, a timestamp, a list.
    read.filter = json("{'amount': '12345678.9'}");
    rows = readAll(*c, read);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(1));
    read.filter = json("{'created_at': '2024-01-15T11:30:00.123456+03:00', 'paid': true}");
    rows = readAll(*c, read);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(1));
    read.filter = json("{'id': [2, 3], 'due': null}");
    rows = readAll(*c, read);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(2));
}

void tst_SqlConnectorPg::incrementalRead()
{
    // Microsecond timestamps that share their millisecond: a cursor cut to milliseconds would
    // read some twice or lose some.
    QVERIFY(exec(u"INSERT INTO sqlconn.events (id, updated_at) VALUES "
                 "(1, '2024-03-01 10:00:00.000100+00'), (2, '2024-03-01 10:00:00.000300+00'), "
                 "(3, '2024-03-01 10:00:00.000200+00'), (4, '2024-03-01 09:00:00+00'), "
                 "(5, '2024-03-01 10:00:00.000300+00')"_s));
    auto c = connector();
    QVERIFY(c);
    ReadRequest request;
    request.entity = u"events"_s;
    request.cursorField = u"updated_at"_s;
    request.fields = QStringList {u"id"_s};
    request.pageSize = 2;
    ReadSummary summary;
    Result<std::vector<Data::Value>> rows = readAll(*c, request, &summary);
    VERIFY_OK(rows);
    QList<qint64> ids;
    for (const Data::Value &row : *rows)
        ids << row[u"id"].toInt64();
    QCOMPARE(ids, (QList<qint64> {4, 1, 3, 2, 5})); // cursor order, then key order
    QCOMPARE(summary.pages, 3);
    QCOMPARE(summary.lastCursor, Data::Value(u"2024-03-01T10:00:00.0003+00:00"_s));

    QVERIFY(exec(
        u"INSERT INTO sqlconn.events (id, updated_at) VALUES (6, '2024-03-01 10:00:00.000301+00')"_s));
    QVERIFY(
        exec(u"UPDATE sqlconn.events SET updated_at = '2024-03-01 10:00:01+00' WHERE id = 4"_s));
    request.cursorAfter = summary.lastCursor;
    rows = readAll(*c, request, &summary);
    VERIFY_OK(rows);
    ids.clear();
    for (const Data::Value &row : *rows)
        ids << row[u"id"].toInt64();
    QCOMPARE(ids, (QList<qint64> {6, 4}));
    QCOMPARE(summary.lastCursor, Data::Value(u"2024-03-01T10:00:01+00:00"_s));

    request.cursorAfter = summary.lastCursor;
    rows = readAll(*c, request, &summary);
    VERIFY_OK(rows);
    QVERIFY(rows->empty());
}

void tst_SqlConnectorPg::earlyStopEndsTheQuery()
{
    QVERIFY(exec(u"INSERT INTO sqlconn.order_lines SELECT g / 100, g % 100, 'sku' || g, 1 "
                 "FROM generate_series(1, 200000) g"_s));
    auto c = connector();
    QVERIFY(c);
    ReadRequest request;
    request.entity = u"order_lines"_s;
    request.pageSize = 100;
    int pages = 0;
    Result<ReadSummary> summary = c->read(request, [&](std::vector<Data::Value> &&page) {
        ++pages;
        return page.size() != 100; // stop after the first page
    });
    VERIFY_OK(summary);
    QCOMPARE(pages, 1);
    QCOMPARE(summary->records, 100);
    QVERIFY(summary->stoppedEarly);
    QCOMPARE(value(u"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'conflux' AND "
                   u"state = 'active' "
                   "AND pid <> pg_backend_pid()"_s)
                 .toInt(),
             0);

    // Cancelled between pages.
    CancelToken token;
    request.cancel = &token;
    summary = c->read(request, [&](std::vector<Data::Value> &&) {
        token.cancel();
        return true;
    });
    VERIFY_ERROR(summary, "cancelled");

    // The connection serves the next read.
    request.cancel = nullptr;
    request.limit = 5;
    request.filter = json("{'order_id': 2}");
    Result<std::vector<Data::Value>> rows = readAll(*c, request);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(5));
    QCOMPARE(rows->at(0)[u"line"].toInt64(), 0);
}

void tst_SqlConnectorPg::statementTimeout()
{
    auto c = connector("{'query_timeout_seconds': 0.3}");
    QVERIFY(c);
    ReadRequest request;
    request.entity = u"slow"_s;
    Result<std::vector<Data::Value>> rows = readAll(*c, request);
    VERIFY_ERROR(rows, "timeout");
    QVERIFY2(rows.error().message.contains(u"statement timeout"_s),
             qPrintable(rows.error().message));
    QVERIFY(rows.error().message.contains(u"slow"_s));

    request.entity = u"orders"_s; // still connected
    VERIFY_OK(readAll(*c, request));
}

void tst_SqlConnectorPg::lostConnection()
{
    auto c = connector();
    QVERIFY(c);
    VERIFY_OK(c->testConnection());
    auto terminate = [&] {
        return value(u"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                     "WHERE application_name = 'conflux' AND pid <> pg_backend_pid()"_s)
            .toInt();
    };
    QCOMPARE(terminate(), 1);
    VERIFY_OK(c->testConnection()); // the dead connection is replaced

    QCOMPARE(terminate(), 1);
    ReadRequest read;
    read.entity = u"orders"_s;
    Result<std::vector<Data::Value>> rows = readAll(*c, read);
    VERIFY_ERROR(rows, "connection_failed");
    QVERIFY(rows.error().message.contains(u"orders"_s));
    VERIFY_OK(readAll(*c, read)); // and the next call connects again
}

void tst_SqlConnectorPg::injectionIsStoredLiterally()
{
    auto c = connector();
    QVERIFY(c);
    const QString evil = u"x'); DROP TABLE sqlconn.orders; --"_s;
    const Data::Value tags(
        Data::Array {Data::Value(u"\"}, {\""_s), Data::Value(u"NULL"_s), Data::Value(u"a\\b"_s)});
    WriteRequest request;
    request.entity = u"orders"_s;
    request.mode = WriteMode::Upsert;
    request.records.push_back(Data::Value(Data::Object {{u"id"_s, Data::Value(1)},
                                                        {u"amount"_s, Data::Value(1)},
                                                        {u"note"_s, Data::Value(evil)},
                                                        {u"tags"_s, tags}}));
    VERIFY_OK(c->write(request));
    QCOMPARE(value(u"SELECT note FROM sqlconn.orders WHERE id = 1"_s).toString(), evil);

    ReadRequest read;
    read.entity = u"orders"_s;
    read.filter = Data::Value(Data::Object {{u"note"_s, Data::Value(evil)}});
    Result<std::vector<Data::Value>> rows = readAll(*c, read);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(1));
    QCOMPARE(rows->at(0)[u"tags"], tags);
    read.filter = Data::Value(Data::Object {{u"note"_s, Data::Value(u"' OR ''='"_s)}});
    rows = readAll(*c, read);
    VERIFY_OK(rows);
    QVERIFY(rows->empty());

    // Names with quotes, a question mark (QPSQL rewrites ? to $n outside quotes) and a backslash.
    const QString odd = u"what's \"this\"?"_s;
    WriteRequest oddWrite;
    oddWrite.entity = u"odd 'name?'"_s;
    oddWrite.mode = WriteMode::Upsert;
    oddWrite.records.push_back(
        Data::Value(Data::Object {{u"key\\"_s, Data::Value(1)}, {odd, Data::Value(u"?"_s)}}));
    oddWrite.records.push_back(
        Data::Value(Data::Object {{u"key\\"_s, Data::Value(2)}, {odd, Data::Value(u"'"_s)}}));
    Result<WriteSummary> oddSummary = c->write(oddWrite);
    VERIFY_OK(oddSummary);
    QCOMPARE(oddSummary->inserted, 2);
    ReadRequest oddRead;
    oddRead.entity = oddWrite.entity;
    oddRead.filter = Data::Value(Data::Object {{odd, Data::Value(u"'"_s)}});
    oddRead.cursorField = odd;
    rows = readAll(*c, oddRead);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(1));
    QCOMPARE(rows->at(0)[u"key\\"].toInt64(), 2);
    oddWrite.mode = WriteMode::Delete;
    oddSummary = c->write(oddWrite);
    VERIFY_OK(oddSummary);
    QCOMPARE(oddSummary->deleted, 2);

    read.filter = Data::Value();
    read.entity = u"orders\"; DROP TABLE sqlconn.orders; --"_s;
    VERIFY_ERROR(readAll(*c, read), "unknown_entity");
    QCOMPARE(value(u"SELECT count(*) FROM sqlconn.orders"_s).toInt(), 1);
}

void tst_SqlConnectorPg::wrongPassword()
{
    // The fixture's server trusts every local connection. Passwords are checked for one role of
    // this test: a pg_hba.conf line for it, in front of the others, written by the superuser.
    exec(u"DROP ROLE IF EXISTS conflux_pw_test"_s);
    QVERIFY(exec(u"CREATE ROLE conflux_pw_test LOGIN PASSWORD '%1'"_s.arg(kRightPassword)));
    QVERIFY(exec(u"GRANT USAGE ON SCHEMA sqlconn TO conflux_pw_test"_s));
    QVERIFY(exec(u"GRANT SELECT ON ALL TABLES IN SCHEMA sqlconn TO conflux_pw_test"_s));
    m_hbaFile = value(u"SELECT current_setting('hba_file')"_s).toString();
    QVERIFY(!m_hbaFile.isEmpty());
    const QString original
        = value(u"SELECT pg_read_file(current_setting('hba_file'))"_s).toString();
    QVERIFY(!original.isEmpty());
    QVERIFY2(!original.contains(u'\\') && !original.contains(u"$conflux$"_s),
             "unexpected pg_hba.conf content");
    m_hbaOriginal = QString(original).replace(u'\t', u' ');
    const QString rules
        = u"host all conflux_pw_test 127.0.0.1/32 scram-sha-256\n"_s + m_hbaOriginal;
    QVERIFY(
        exec(u"COPY (SELECT unnest(string_to_array($conflux$%1$conflux$, E'\\n'))) TO '%2'"_s.arg(
            rules, QString(m_hbaFile).replace(u'\'', u"''"_s))));
    QVERIFY(exec(u"SELECT pg_reload_conf()"_s));

    const QByteArray auth = "{'type': 'basic', 'username': 'conflux_pw_test', 'password': "
                            "{'secret': 'erp.password'}}";
    Result<ConnectionTest> test = makeError("none", {});
    for (int attempt = 0; attempt < 50; ++attempt) { // the postmaster reloads asynchronously
        auto wrong = connector("{}", auth, kWrongPassword);
        QVERIFY(wrong);
        test = wrong->testConnection();
        if (!test && test.error().code == "authentication_failed"_L1)
            break;
        QThread::msleep(100);
    }
    VERIFY_ERROR(test, "authentication_failed");
    QVERIFY2(test.error().message.contains(u"conflux_pw_test"_s), qPrintable(test.error().message));
    QVERIFY(!test.error().toString().contains(kWrongPassword));
    QVERIFY(!test.error().toString().contains(kRightPassword));

    auto right = connector("{}", auth, kRightPassword);
    QVERIFY(right);
    VERIFY_OK(right->testConnection());
    ReadRequest read;
    read.entity = u"orders"_s;
    VERIFY_OK(readAll(*right, read));

    // No resolver value at all: the resolver's error, naming the secret, not a connect attempt.
    auto missing = connector("{}", auth, QString());
    QVERIFY(missing);
    Result<ConnectionTest> noSecret = missing->testConnection();
    VERIFY_ERROR(noSecret, "secret_not_found");
    QVERIFY(noSecret.error().message.contains(u"erp.password"_s));
}

QTEST_GUILESS_MAIN(tst_SqlConnectorPg)
#include "tst_sqlconnector_pg.moc"
