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

#include "sqltestdatabase.h"

#include <QCoreApplication>
#include <QTest>

using namespace Conflux::Test::Sql;

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

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTEST_SET_MAIN_SOURCE_PATH
    const QStringList arguments = app.arguments();
    TestDatabase database;
    tst_SqlConnector shared(&database);
    int failures = run(&shared, arguments);
    failures += database.isServer() ? runServerCases(&database, arguments) : runUnitCases(&database, arguments);
    return failures;
}

#include "tst_sqlconnector.moc"
