// The SQL connector on SQLite: configuration, discovery, paged/incremental/filtered reads,
// writes with their counts and rollback, and the refusal of unknown names and injected text.
#include "base/metrics.h"
#include "connectors/endpoint.h"
#include "connectors/sqlconnector.h"
#include "data/json.h"
#include "testsupport.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
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

QByteArray endpointJson(const QByteArray &url, const QByteArray &configuration,
                        const QByteArray &extra = {})
{
    return "{\"kind\":\"Endpoint\",\"schemaVersion\":1,\"id\":\"shop-db\",\"name\":\"Shop "
           "DB\",\"type\":\"database\","
           "\"protocol\":\"sql\",\"url\":\""
        + url + "\",\"configuration\":" + configuration + extra + "}";
}

// The test's own connection to the database file, to set it up and look at it.
class RawDb
{
public:
    explicit RawDb(const QString &path)
        : m_name(u"tst-raw-%1"_s.arg(++s_counter))
    {
        m_db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_name);
        m_db.setDatabaseName(path);
        m_db.open();
    }
    ~RawDb()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    RawDb(const RawDb &) = delete;
    RawDb &operator=(const RawDb &) = delete;

    bool exec(const QString &sql, const QVariantList &params = {})
    {
        QSqlQuery query(m_db);
        bool ok = query.prepare(sql);
        for (const QVariant &v : params)
            query.addBindValue(v);
        ok = ok && query.exec();
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
        return query.exec() && query.next() ? query.value(0) : QVariant();
    }

private:
    static inline int s_counter = 0;
    QString m_name;
    QSqlDatabase m_db;
};

std::vector<Data::Value> records(const QByteArray &jsonArray)
{
    const Data::Value array = json(jsonArray);
    return array.toArray();
}

QString minuteStamp(int minute)
{
    return u"2024-02-01T10:%1:00"_s.arg(minute, 2, 10, QChar(u'0'));
}

} // namespace

class tst_SqlConnector : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void testConnection();
    void missingDatabaseFile();
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
                                         const QByteArray &url = "sqlite:shop.db",
                                         MetricsRegistry *metrics = nullptr);
    Result<std::vector<Data::Value>> readAll(Connector &c, ReadRequest request,
                                             ReadSummary *summary = nullptr,
                                             std::vector<qsizetype> *pageSizes = nullptr);
    qint64 count(const QString &table)
    {
        return m_raw->value(u"SELECT COUNT(*) FROM "_s + table).toLongLong();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<RawDb> m_raw;
};

void tst_SqlConnector::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_raw = std::make_unique<RawDb>(m_dir->filePath(u"shop.db"_s));
    QVERIFY(m_raw->exec(
        u"CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email VARCHAR(200), "
        "vip BOOLEAN, balance DECIMAL(10,2), joined DATE, updated_at DATETIME, photo BLOB, notes, "
        "data JSON)"_s));
    QVERIFY(m_raw->exec(
        u"CREATE TABLE order_lines (order_id INTEGER NOT NULL, line INTEGER NOT NULL, sku TEXT, "
        "qty INTEGER CHECK (qty > 0), PRIMARY KEY (order_id, line))"_s));
    QVERIFY(m_raw->exec(u"CREATE TABLE log (message TEXT)"_s));
    QVERIFY(m_raw->exec(
        u"CREATE VIEW vip_customers AS SELECT id, name FROM customers WHERE vip = 1"_s));
    QVERIFY(m_raw->exec(u"BEGIN"_s));
    for (int n = 1; n <= 25; ++n) {
        // updated_at minutes are a permutation of 0..24, so cursor order differs from key order.
        QVERIFY(m_raw->exec(
            u"INSERT INTO customers (id, name, email, vip, balance, joined, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
            {QVariant(n), QVariant(u"Customer %1"_s.arg(n)),
             n == 25 ? QVariant(QMetaType(QMetaType::QString))
                     : QVariant(u"c%1@example.com"_s.arg(n)),
             QVariant(n % 3 == 0 ? 1 : 0), QVariant(n * 1.5),
             QVariant(u"2023-12-%1"_s.arg(n, 2, 10, QChar(u'0'))),
             QVariant(minuteStamp((n * 7) % 25))}));
    }
    QVERIFY(m_raw->exec(
        u"UPDATE customers SET photo = ?, notes = 'plain', data = '{\"tags\":[\"a\",\"b\"]}' "
        "WHERE id = 1"_s,
        {QByteArray("\x00\x01\xfe\xff", 4)}));
    QVERIFY(m_raw->exec(u"COMMIT"_s));
}

void tst_SqlConnector::cleanup()
{
    m_raw.reset();
    m_dir.reset();
}

std::unique_ptr<Connector> tst_SqlConnector::connector(const QByteArray &configuration,
                                                       const QByteArray &url,
                                                       MetricsRegistry *metrics)
{
    Result<EndpointSpec> spec = parseEndpoint(json(endpointJson(url, configuration)));
    if (!spec) {
        qWarning("%s", qPrintable(spec.error().toString()));
        return {};
    }
    ConnectorContext context;
    context.baseDirectory = m_dir->path();
    context.metrics = metrics;
    Result<std::unique_ptr<Connector>> made = createSqlConnector(*spec, context);
    if (!made) {
        qWarning("%s", qPrintable(made.error().toString()));
        return {};
    }
    return std::move(made).value();
}

Result<std::vector<Data::Value>> tst_SqlConnector::readAll(Connector &c, ReadRequest request,
                                                           ReadSummary *summary,
                                                           std::vector<qsizetype> *pageSizes)
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

void tst_SqlConnector::testConnection()
{
    auto c = connector();
    QVERIFY(c);
    QCOMPARE(c->endpoint().id, u"shop-db"_s);
    QVERIFY(c->capabilities().testFlag(Capability::Transactions));
    Result<ConnectionTest> test = c->testConnection();
    VERIFY_OK(test);
    QVERIFY2(test->serverInfo.startsWith(u"SQLite 3."_s), qPrintable(test->serverInfo));
    QVERIFY(test->latencyMs >= 0);
}

void tst_SqlConnector::missingDatabaseFile()
{
    auto c = connector("{}", "sqlite:missing.db");
    QVERIFY(c);
    Result<ConnectionTest> test = c->testConnection();
    VERIFY_ERROR(test, "connection_failed");
    QVERIFY2(test.error().message.contains(m_dir->filePath(u"missing.db"_s)),
             qPrintable(test.error().message));
    QVERIFY(!QFile::exists(m_dir->filePath(u"missing.db"_s))); // not created by the attempt

    // An absolute path in the sqlite:/// form.
    auto absolute = connector("{}", "sqlite://" + m_dir->filePath(u"shop.db"_s).toUtf8());
    QVERIFY(absolute);
    VERIFY_OK(absolute->testConnection());
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
    QCOMPARE(field("vip")->types, SchemaType::Boolean | SchemaType::Null);
    QCOMPARE(field("balance")->types, SchemaType::Number | SchemaType::Null);
    QCOMPARE(field("joined")->format, Data::StringFormat::Date);
    QCOMPARE(field("updated_at")->format, Data::StringFormat::LocalDateTime);
    QCOMPARE(field("photo")->types, SchemaType::String | SchemaType::Null);
    QVERIFY(field("notes")->types.testFlag(SchemaType::Integer));
    QVERIFY(field("notes")->types.testFlag(SchemaType::String));
    QVERIFY(field("data")->types.testFlag(SchemaType::Object));
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
    QCOMPARE(first[u"balance"].toDouble(), 1.5);
    QCOMPARE(first[u"joined"].toString(), u"2023-12-01"_s);
    QCOMPARE(first[u"photo"].toString(),
             QString::fromLatin1(QByteArray("\x00\x01\xfe\xff", 4).toBase64()));
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
    QCOMPARE(m_raw->value(u"SELECT typeof(notes) FROM customers WHERE id = 100"_s).toString(),
             u"integer"_s);
    QCOMPARE(m_raw->value(u"SELECT vip FROM customers WHERE id = 100"_s).toInt(), 1);

    ReadRequest read;
    read.entity = u"customers"_s;
    read.filter = json("{'id': 100}");
    Result<std::vector<Data::Value>> rows = readAll(*c, read);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(1));
    const Data::Value &row = rows->at(0);
    QCOMPARE(row[u"vip"], Data::Value(true));
    QCOMPARE(row[u"balance"].toDouble(), 12.25);
    QCOMPARE(row[u"photo"].toString(), u"AAEC/w=="_s);
    QVERIFY(row[u"notes"].hasExactText());
    QCOMPARE(row[u"notes"].exactText(), u"9007199254740993"_s);
    QCOMPARE(row[u"data"], json("{'a': [1, 2.5, null], 'b': 'text'}"));
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
    QCOMPARE(summary->updated, 1);
    QCOMPARE(summary->unchanged, 2); // the same values, and a record of key fields only
    QCOMPARE(m_raw->value(u"SELECT qty FROM order_lines WHERE order_id = 1 AND line = 2"_s).toInt(),
             5);
    QCOMPARE(
        m_raw->value(u"SELECT sku FROM order_lines WHERE order_id = 2 AND line = 1"_s).toString(),
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
    QVERIFY2(message.contains(u"UNIQUE"_s, Qt::CaseInsensitive),
             qPrintable(message)); // the database's text
    QCOMPARE(count(u"customers"_s), 25);
    QCOMPARE(m_raw->value(u"SELECT COUNT(*) FROM customers WHERE id >= 100"_s).toInt(), 0);

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
    QVERIFY(m_raw->exec(u"ALTER TABLE customers ADD COLUMN colour TEXT"_s));
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
    const QString evilNotes = u"\"; DELETE FROM customers; --"_s;
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
    QCOMPARE(m_raw->value(u"SELECT name FROM customers WHERE id = 500"_s).toString(), evilName);

    ReadRequest read;
    read.entity = u"customers"_s;
    read.filter = Data::Value(Data::Object {{u"name"_s, Data::Value(evilName)}});
    Result<std::vector<Data::Value>> rows = readAll(*c, read);
    VERIFY_OK(rows);
    QCOMPARE(rows->size(), size_t(1));
    QCOMPARE(rows->at(0)[u"notes"].toString(), evilNotes);

    // Quotes in table and column names are quoted in turn.
    QVERIFY(m_raw->exec(
        u"CREATE TABLE \"we\"\"ird 'name'\" (\"id?\" INTEGER PRIMARY KEY, \"it's \"\"x\"\"\" TEXT)"_s));
    const QString table = u"we\"ird 'name'"_s;
    const QString column = u"it's \"x\""_s;
    WriteRequest odd;
    odd.entity = table;
    odd.mode = WriteMode::Upsert;
    odd.records.push_back(
        Data::Value(Data::Object {{u"id?"_s, Data::Value(1)}, {column, Data::Value(u"?"_s)}}));
    VERIFY_OK(c->write(odd));
    ReadRequest oddRead;
    oddRead.entity = table;
    oddRead.filter = Data::Value(Data::Object {{column, Data::Value(u"?"_s)}});
    Result<std::vector<Data::Value>> oddRows = readAll(*c, oddRead);
    VERIFY_OK(oddRows);
    QCOMPARE(oddRows->size(), size_t(1));
    QCOMPARE(oddRows->at(0)[u"id?"].toInt64(), 1);

    // Names are checked against the catalog, never spliced.
    read.filter = Data::Value();
    read.entity = u"customers; DROP TABLE customers"_s;
    VERIFY_ERROR(readAll(*c, read), "unknown_entity");
    read.entity = u"customers"_s;
    read.fields = QStringList {u"id\" FROM customers; DELETE FROM customers; --"_s};
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
    auto c = connector("{}", "sqlite:shop.db", &registry);
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
    ConnectorContext context;
    context.baseDirectory = m_dir->path();
    Result<std::unique_ptr<Connector>> made = createSqlConnector(*spec, context);
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

QTEST_GUILESS_MAIN(tst_SqlConnector)
#include "tst_sqlconnector.moc"
