// The SQL connector cases that depend on the database: SQLite's own behaviour and the helpers
// that need no server (tst_SqlConnectorUnit), and what only a server has — types of its own, a
// lost connection, statement timeouts, refused connections, the forms of the URL
// (tst_SqlConnectorServer). main() in tst_sqlconnector.cpp runs one of them after the shared cases.

#include "sqltestdatabase.h"

#include <QTest>

using namespace Conflux::Test::Sql;

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
        context.secrets = std::make_shared<MapSecrets>(QHash<QString, QString>{{u"shop.password"_s, u"Not-The-Password-77"_s}});
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

namespace Conflux::Test::Sql {

int runUnitCases(TestDatabase *database, const QStringList &arguments)
{
    tst_SqlConnectorUnit unit(database);
    return run(&unit, arguments);
}

int runServerCases(TestDatabase *database, const QStringList &arguments)
{
    tst_SqlConnectorServer server(database);
    return run(&server, arguments);
}

} // namespace Conflux::Test::Sql

#include "tst_sqlconnector_server.moc"
