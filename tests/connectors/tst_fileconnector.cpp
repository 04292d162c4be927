// The files connector: every format read and written, globs, paging, limits, after_read,
// atomic and appending writes, incremental reads, discovery, and the errors for bad
// configuration and malformed files. Everything happens in temporary folders.
#include "connectors/endpoint.h"
#include "connectors/fileconnector.h"
#include "data/json.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;

namespace {

Data::Value json(const QByteArray &text)
{
    Result<Data::Value> value = Data::Json::parse(text);
    if (!value)
        qFatal("bad test JSON: %s", qPrintable(value.error().message));
    return *value;
}

QByteArray text(const Data::Value &value)
{
    return Data::Json::serialize(value);
}

Result<std::unique_ptr<Connector>> create(const QString &url, const QByteArray &format, const QByteArray &configuration,
                                          const QString &baseDirectory = {})
{
    QByteArray document = "{\"kind\":\"Endpoint\",\"schemaVersion\":1,\"id\":\"orders\",\"name\":\"Orders\","
                          "\"type\":\"file_system\",\"protocol\":\"files\",\"url\":"
                          + text(Data::Value(url)) + ",\"configuration\":" + configuration;
    if (!format.isEmpty())
        document += ",\"data_format\":\"" + format + "\"";
    document += "}";
    Result<EndpointSpec> spec = parseEndpoint(json(document));
    if (!spec)
        return spec.error();
    ConnectorContext context;
    context.baseDirectory = baseDirectory;
    return createFileConnector(*spec, context);
}

std::unique_ptr<Connector> make(const QString &folder, const QByteArray &format, const QByteArray &configuration = "{}")
{
    Result<std::unique_ptr<Connector>> connector = create(QUrl::fromLocalFile(folder).toString(), format, configuration);
    if (!connector)
        qFatal("cannot create the connector: %s", qPrintable(connector.error().toString()));
    return std::move(*connector);
}

void writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void setModified(const QString &path, const QDateTime &time)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadWrite) || !file.setFileTime(time, QFileDevice::FileModificationTime))
        qFatal("cannot set the time of %s", qPrintable(path));
}

// Every file below `folder`, relative, sorted (hidden ones too).
QStringList allFiles(const QString &folder)
{
    QStringList files;
    QDirIterator it(folder, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(QDir(folder).relativeFilePath(it.next()));
    files.sort();
    return files;
}

struct Collected
{
    Result<ReadSummary> summary = makeError("not_run", {});
    std::vector<Data::Value> records;
    QList<int> pageSizes;

    QByteArray json() const { return text(Data::Value(Data::Array(records))); }
};

// Reads everything; the sink returns false once `stopAfterPages` pages arrived (-1: never).
Collected readAll(Connector &connector, ReadRequest request = {}, int stopAfterPages = -1)
{
    Collected out;
    out.summary = connector.read(request, [&](std::vector<Data::Value> &&page) {
        out.pageSizes.append(int(page.size()));
        for (Data::Value &record : page)
            out.records.push_back(std::move(record));
        return stopAfterPages < 0 || out.pageSizes.size() < stopAfterPages;
    });
    return out;
}

QString describe(const Result<ReadSummary> &result)
{
    return result ? QString() : result.error().code + u": "_s + result.error().toString();
}

const QByteArray kOrdersCsv = "id,name,qty\r\n1,Ann,2\r\n2,Bob,5\r\n";

} // namespace

class tst_FileConnector : public QObject
{
    Q_OBJECT

private slots:
    void readEachFormat_data();
    void readEachFormat();
    void roundTrip_data();
    void roundTrip();
    void globAndRecursive();
    void relativeFolder();
    void paging();
    void limit();
    void afterRead_data();
    void afterRead();
    void notMovedWhenStoppedEarly();
    void notMovedWhenMalformed();
    void quarantine();
    void atomicWrite();
    void tooLargeWrite();
    void appendNdjson();
    void appendCsv();
    void incrementalByModified();
    void incrementalByField();
    void discoverSchema();
    void discoverEmptyFolder();
    void fieldsProjection();
    void badConfiguration_data();
    void badConfiguration();
    void malformedFile_data();
    void malformedFile();
    void tooLargeFile();
    void testConnection();
    void unsupported();
    void cancelled();
    void sampleEndpoint();
};

void tst_FileConnector::readEachFormat_data()
{
    QTest::addColumn<QByteArray>("format");
    QTest::addColumn<QByteArray>("configuration");
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray expected = "[{\"id\":\"1\",\"name\":\"Ann\"},{\"id\":\"2\",\"name\":\"Bob\"}]";
    QTest::addRow("csv") << "csv"_ba << "{}"_ba << u"a.csv"_s << "id,name\n1,Ann\n2,Bob\n"_ba << expected;
    QTest::addRow("csv semicolon typed") << "csv"_ba << "{\"delimiter\":\";\",\"typed\":true}"_ba << u"a.csv"_s
                                         << "id;name\n1;Ann\n2;\"Bob\"\n"_ba << "[{\"id\":1,\"name\":\"Ann\"},{\"id\":2,\"name\":\"Bob\"}]"_ba;
    QTest::addRow("csv no header") << "csv"_ba << "{\"header\":false}"_ba << u"a.csv"_s << "1,Ann\n2,Bob\n"_ba
                                   << "[[\"1\",\"Ann\"],[\"2\",\"Bob\"]]"_ba;
    QTest::addRow("json array") << "json"_ba << "{}"_ba << u"a.json"_s
                                << "[{\"id\":\"1\",\"name\":\"Ann\"},{\"id\":\"2\",\"name\":\"Bob\"}]"_ba << expected;
    QTest::addRow("json record_path") << "json"_ba << "{\"record_path\":\"/data/orders\"}"_ba << u"a.json"_s
                                      << "{\"count\":2,\"data\":{\"orders\":[{\"id\":\"1\",\"name\":\"Ann\"},{\"id\":\"2\",\"name\":\"Bob\"}]}}"_ba
                                      << expected;
    QTest::addRow("json one object") << "json"_ba << "{}"_ba << u"a.json"_s << "{\"id\":\"1\",\"name\":\"Ann\"}"_ba
                                     << "[{\"id\":\"1\",\"name\":\"Ann\"}]"_ba;
    QTest::addRow("ndjson") << "ndjson"_ba << "{}"_ba << u"a.ndjson"_s
                            << "{\"id\":\"1\",\"name\":\"Ann\"}\n\n{\"id\":\"2\",\"name\":\"Bob\"}\n"_ba << expected;
    QTest::addRow("xml") << "xml"_ba << "{\"record_path\":\"Orders/Order\"}"_ba << u"a.xml"_s
                         << "<?xml version=\"1.0\"?><Orders><Order><id>1</id><name>Ann</name></Order>"
                            "<Order><id>2</id><name>Bob</name></Order></Orders>"_ba
                         << expected;
    QTest::addRow("xml any depth, arrays") << "xml"_ba << "{\"record_path\":\"//Order\",\"array_paths\":[\"//Line\"]}"_ba
                                           << u"a.xml"_s
                                           << "<Shop><Orders><Order id=\"7\"><Line>x</Line></Order></Orders></Shop>"_ba
                                           << "[{\"@id\":\"7\",\"Line\":[\"x\"]}]"_ba;
}

void tst_FileConnector::readEachFormat()
{
    QFETCH(QByteArray, format);
    QFETCH(QByteArray, configuration);
    QFETCH(QString, fileName);
    QFETCH(QByteArray, content);
    QFETCH(QByteArray, expected);
    QTemporaryDir dir;
    writeFile(dir.filePath(fileName), content);
    writeFile(dir.filePath(u"other.txt"_s), "not a record");
    auto connector = make(dir.path(), format, configuration);
    Collected got = readAll(*connector);
    QVERIFY2(got.summary, qPrintable(describe(got.summary)));
    QCOMPARE(got.json(), expected);
    QCOMPARE(got.summary->records, qint64(got.records.size()));
    QCOMPARE(got.summary->stoppedEarly, false);
}

void tst_FileConnector::roundTrip_data()
{
    QTest::addColumn<QByteArray>("format");
    QTest::addColumn<QByteArray>("configuration");
    QTest::addColumn<QByteArray>("records");

    const QByteArray records = "[{\"id\":1,\"name\":\"Ann, \\\"A\\\"\",\"note\":\"two\\nlines\",\"ok\":true},"
                               "{\"id\":2,\"name\":\"Bö\",\"note\":null,\"ok\":false}]";
    QTest::addRow("csv") << "csv"_ba << "{\"typed\":true}"_ba << records;
    QTest::addRow("csv tab") << "csv"_ba << "{\"typed\":true,\"delimiter\":\"tab\"}"_ba << records;
    QTest::addRow("json") << "json"_ba << "{}"_ba << records;
    QTest::addRow("json pretty, record_path") << "json"_ba << "{\"pretty\":true,\"record_path\":\"/d/rows\"}"_ba << records;
    QTest::addRow("ndjson") << "ndjson"_ba << "{}"_ba << records;
    QTest::addRow("xml") << "xml"_ba << "{\"record_path\":\"Orders/Order\",\"pretty\":true}"_ba
                         << "[{\"@id\":\"1\",\"name\":\"Ann & Co\",\"line\":[\"a\",\"b\"]},{\"@id\":\"2\",\"name\":\"Bö\",\"line\":[\"c\",\"d\"]}]"_ba;
}

void tst_FileConnector::roundTrip()
{
    QFETCH(QByteArray, format);
    QFETCH(QByteArray, configuration);
    QFETCH(QByteArray, records);
    QTemporaryDir dir;
    auto connector = make(dir.path(), format, configuration);
    WriteRequest request;
    request.mode = WriteMode::Insert;
    const Data::Value input = json(records);
    for (const Data::Value &record : input.toArray())
        request.records.push_back(record);
    Result<WriteSummary> written = connector->write(request);
    QVERIFY2(written, qPrintable(written ? QString() : written.error().toString()));
    QCOMPARE(written->inserted, 2);
    const QStringList files = allFiles(dir.path());
    QCOMPARE(files.size(), 1);
    QVERIFY2(files.front().startsWith(u"orders-"_s) && files.front().endsWith(u'.' + QString::fromLatin1(format)),
             qPrintable(files.front()));

    Collected got = readAll(*connector);
    QVERIFY2(got.summary, qPrintable(describe(got.summary)));
    QCOMPARE(got.json(), text(json(records)));

    // A second write is a second file, read after the first.
    QVERIFY(connector->write(request));
    QCOMPARE(allFiles(dir.path()).size(), 2);
    QCOMPARE(readAll(*connector).records.size(), size_t(4));
}

void tst_FileConnector::globAndRecursive()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(u"b.csv"_s), kOrdersCsv);
    writeFile(dir.filePath(u"a.csv"_s), kOrdersCsv);
    writeFile(dir.filePath(u"orders-1.csv"_s), kOrdersCsv);
    writeFile(dir.filePath(u".hidden.csv"_s), kOrdersCsv);
    writeFile(dir.filePath(u"notes.txt"_s), "x");
    writeFile(dir.filePath(u"sub/c.csv"_s), kOrdersCsv);
    writeFile(dir.filePath(u"sub/deeper/d.csv"_s), kOrdersCsv);

    const auto filesRead = [](Connector &connector) {
        ReadRequest request;
        Collected got = readAll(connector, request);
        if (!got.summary)
            qFatal("%s", qPrintable(describe(got.summary)));
        QStringList names;
        for (const Data::Value &record : got.records) {
            if (names.isEmpty() || names.back() != record[u"_file"].toString())
                names.append(record[u"_file"].toString());
        }
        return names;
    };
    auto flat = make(dir.path(), "csv", "{\"include_file_info\":true}");
    QCOMPARE(filesRead(*flat), (QStringList{u"a.csv"_s, u"b.csv"_s, u"orders-1.csv"_s}));
    auto glob = make(dir.path(), "csv", "{\"include_file_info\":true,\"glob\":\"orders-*.csv\"}");
    QCOMPARE(filesRead(*glob), (QStringList{u"orders-1.csv"_s}));
    auto recursive = make(dir.path(), "csv", "{\"include_file_info\":true,\"recursive\":true}");
    QCOMPARE(filesRead(*recursive),
             (QStringList{u"a.csv"_s, u"b.csv"_s, u"orders-1.csv"_s, u"sub/c.csv"_s, u"sub/deeper/d.csv"_s}));
    auto byPath = make(dir.path(), "csv", "{\"include_file_info\":true,\"recursive\":true,\"glob\":\"sub/*.csv\"}");
    QCOMPARE(filesRead(*byPath), (QStringList{u"sub/c.csv"_s}));
}

void tst_FileConnector::relativeFolder()
{
    QTemporaryDir project;
    writeFile(project.filePath(u"inbox/a.csv"_s), kOrdersCsv);
    ConnectorContext context;
    context.baseDirectory = project.path();
    EndpointSpec plain; // a plain path, as an endpoint built in code may carry
    plain.id = u"inbox"_s;
    plain.type = EndpointType::FileSystem;
    plain.protocol = Protocol::Files;
    plain.dataFormat = u"csv"_s;
    plain.url = QUrl(u"inbox"_s);
    std::vector<Result<std::unique_ptr<Connector>>> connectors;
    connectors.push_back(create(u"file:inbox"_s, "csv", "{}", project.path()));
    connectors.push_back(createFileConnector(plain, context));
    for (Result<std::unique_ptr<Connector>> &connector : connectors) {
        QVERIFY2(connector, qPrintable(connector ? QString() : connector.error().toString()));
        QCOMPARE(static_cast<FileConnector &>(**connector).settings().folder, project.filePath(u"inbox"_s));
        QCOMPARE(readAll(**connector).records.size(), size_t(2));
    }
}

void tst_FileConnector::paging()
{
    QTemporaryDir dir;
    QByteArray big = "n\n";
    for (int i = 1; i <= 7; ++i)
        big += QByteArray::number(i) + '\n';
    writeFile(dir.filePath(u"1.csv"_s), big);
    writeFile(dir.filePath(u"2.csv"_s), "n\n8\n9\n");
    auto connector = make(dir.path(), "csv", "{\"typed\":true}");
    ReadRequest request;
    request.pageSize = 3;
    Collected got = readAll(*connector, request);
    QVERIFY2(got.summary, qPrintable(describe(got.summary)));
    // Pages end with each file, so that a file is complete once its last page is accepted.
    QCOMPARE(got.pageSizes, (QList<int>{3, 3, 1, 2}));
    QCOMPARE(got.summary->pages, 4);
    QCOMPARE(got.summary->records, 9);
    for (int i = 0; i < 9; ++i)
        QCOMPARE(got.records[size_t(i)][u"n"].toInt64(), i + 1);
}

void tst_FileConnector::limit()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(u"1.csv"_s), "n\n1\n2\n3\n");
    writeFile(dir.filePath(u"2.csv"_s), "n\n4\n5\n");
    auto connector = make(dir.path(), "csv", "{\"after_read\":\"delete\"}");
    ReadRequest request;
    request.limit = 4;
    Collected got = readAll(*connector, request);
    QVERIFY2(got.summary, qPrintable(describe(got.summary)));
    QCOMPARE(got.records.size(), size_t(4));
    QCOMPARE(got.records.back()[u"n"].toString(), u"4"_s);
    QVERIFY(got.summary->stoppedEarly);
    // The first file was read whole and deleted; the second stays for the next read.
    QCOMPARE(allFiles(dir.path()), QStringList{u"2.csv"_s});

    request.limit = 2;
    got = readAll(*connector, request);
    QCOMPARE(got.records.size(), size_t(2));
    QVERIFY2(got.summary, qPrintable(describe(got.summary)));
    QCOMPARE(allFiles(dir.path()), QStringList{}); // exactly its last record: done
    request.limit = 0;
    QCOMPARE(readAll(*connector, request).records.size(), size_t(0));
}

void tst_FileConnector::afterRead_data()
{
    QTest::addColumn<QByteArray>("configuration");
    QTest::addColumn<QStringList>("after");

    const QString today = QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd"_s);
    QTest::addRow("keep") << "{\"recursive\":true}"_ba << QStringList{u"a.csv"_s, u"sub/b.csv"_s};
    QTest::addRow("move") << "{\"recursive\":true,\"after_read\":\"move\"}"_ba
                          << QStringList{u"processed/a.csv"_s, u"processed/sub/b.csv"_s};
    QTest::addRow("move elsewhere") << "{\"recursive\":true,\"after_read\":\"move\",\"move_to\":\"done/x\"}"_ba
                                    << QStringList{u"done/x/a.csv"_s, u"done/x/sub/b.csv"_s};
    QTest::addRow("archive") << "{\"recursive\":true,\"after_read\":\"archive\"}"_ba
                             << QStringList{u"archive/"_s + today + u"/a.csv"_s, u"archive/"_s + today + u"/sub/b.csv"_s};
    QTest::addRow("delete") << "{\"recursive\":true,\"after_read\":\"delete\"}"_ba << QStringList{};
}

void tst_FileConnector::afterRead()
{
    QFETCH(QByteArray, configuration);
    QFETCH(QStringList, after);
    QTemporaryDir dir;
    writeFile(dir.filePath(u"a.csv"_s), kOrdersCsv);
    writeFile(dir.filePath(u"sub/b.csv"_s), kOrdersCsv);
    auto connector = make(dir.path(), "csv", configuration);
    Collected got = readAll(*connector);
    QVERIFY2(got.summary, qPrintable(describe(got.summary)));
    QCOMPARE(got.records.size(), size_t(4));
    QCOMPARE(allFiles(dir.path()), after);
    if (!after.isEmpty())
        QCOMPARE(readFile(dir.filePath(after.front())), kOrdersCsv);

    // Moved files are not read again (recursive reading skips the target folders).
    got = readAll(*connector);
    QVERIFY2(got.summary, qPrintable(describe(got.summary)));
    QCOMPARE(got.records.size(), configuration.contains("after_read") ? size_t(0) : size_t(4));

    // A name taken in the target folder is not overwritten.
    writeFile(dir.filePath(u"a.csv"_s), "id\n9\n");
    QVERIFY(readAll(*connector).summary);
    if (configuration.contains("\"move\"") && !configuration.contains("move_to")) {
        QCOMPARE(readFile(dir.filePath(u"processed/a.csv"_s)), kOrdersCsv);
        QCOMPARE(readFile(dir.filePath(u"processed/a-1.csv"_s)), "id\n9\n"_ba);
    }
}

void tst_FileConnector::notMovedWhenStoppedEarly()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(u"a.csv"_s), "n\n1\n2\n3\n");
    writeFile(dir.filePath(u"b.csv"_s), "n\n4\n");
    auto connector = make(dir.path(), "csv", "{\"after_read\":\"move\"}");
    ReadRequest request;
    request.pageSize = 2;
    // The sink stops after the first page: a.csv is not complete.
    Collected got = readAll(*connector, request, 1);
    QVERIFY2(got.summary, qPrintable(describe(got.summary)));
    QVERIFY(got.summary->stoppedEarly);
    QCOMPARE(allFiles(dir.path()), (QStringList{u"a.csv"_s, u"b.csv"_s}));
    // The sink takes a.csv's last page but asks to stop: not counted as accepted either.
    got = readAll(*connector, request, 2);
    QVERIFY(got.summary->stoppedEarly);
    QCOMPARE(got.records.size(), size_t(3));
    QCOMPARE(allFiles(dir.path()), (QStringList{u"a.csv"_s, u"b.csv"_s}));
    // Three pages accepted: a.csv moves, b.csv (page 3 asked to stop) stays.
    got = readAll(*connector, request, 3);
    QCOMPARE(allFiles(dir.path()), (QStringList{u"b.csv"_s, u"processed/a.csv"_s}));
}

void tst_FileConnector::notMovedWhenMalformed()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(u"a.csv"_s), kOrdersCsv);
    writeFile(dir.filePath(u"b.csv"_s), "id,name,qty\n1,\"Ann\"x,2\n");
    writeFile(dir.filePath(u"c.csv"_s), kOrdersCsv);
    auto connector = make(dir.path(), "csv", "{\"after_read\":\"archive\"}");
    Collected got = readAll(*connector);
    QVERIFY(!got.summary);
    QCOMPARE(got.summary.error().code, u"csv_syntax"_s);
    QVERIFY2(got.summary.error().message.startsWith(dir.filePath(u"b.csv"_s) + u": "_s),
             qPrintable(got.summary.error().message));
    QVERIFY2(got.summary.error().message.contains(u"line 2, column"_s), qPrintable(got.summary.error().message));
    const QStringList files = allFiles(dir.path());
    QCOMPARE(files.size(), 3);
    QVERIFY(files.contains(u"b.csv"_s));
    QVERIFY(files.contains(u"c.csv"_s));
    QVERIFY(!files.contains(u"a.csv"_s)); // read and accepted before the bad file
}

void tst_FileConnector::quarantine()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(u"a.ndjson"_s), "{\"n\":1}\n");
    writeFile(dir.filePath(u"b.ndjson"_s), "{\"n\":2}\n{\"n\":3,}\n");
    writeFile(dir.filePath(u"c.ndjson"_s), "{\"n\":4}\n");
    auto connector = make(dir.path(), "ndjson", "{\"on_error\":\"quarantine\",\"error_to\":\"bad\",\"after_read\":\"delete\"}");
    Collected got = readAll(*connector);
    QVERIFY2(got.summary, qPrintable(describe(got.summary)));
    // Nothing of the malformed file was delivered.
    QCOMPARE(got.json(), "[{\"n\":1},{\"n\":4}]"_ba);
    QCOMPARE(allFiles(dir.path()), QStringList{u"bad/b.ndjson"_s});
}

void tst_FileConnector::atomicWrite()
{
    QTemporaryDir dir;
    auto connector = make(dir.path(), "csv", "{\"file_name\":\"out.csv\"}");
    WriteRequest request;
    request.mode = WriteMode::Insert;
    request.records = {json("{\"id\":1,\"address\":\"x\"}"), json("{\"id\":2,\"address\":{\"city\":\"Oslo\"}}")};
    Result<WriteSummary> written = connector->write(request);
    QVERIFY(!written);
    QCOMPARE(written.error().code, u"csv_nested_value"_s);
    QVERIFY2(written.error().message.contains(dir.filePath(u"out.csv"_s)), qPrintable(written.error().message));
    // No target file, and no temporary file left behind.
    QCOMPARE(allFiles(dir.path()), QStringList{});

    // An existing file of that name is never replaced.
    request.records.pop_back();
    QVERIFY(connector->write(request));
    QVERIFY(connector->write(request));
    QCOMPARE(allFiles(dir.path()), (QStringList{u"out-1.csv"_s, u"out.csv"_s}));
    QCOMPARE(readFile(dir.filePath(u"out.csv"_s)), "id,address\r\n1,x\r\n"_ba);
}

void tst_FileConnector::tooLargeWrite()
{
    QTemporaryDir dir;
    auto connector = make(dir.path(), "ndjson", "{\"max_file_size\":100}");
    WriteRequest request;
    request.mode = WriteMode::Insert;
    for (int i = 0; i < 20; ++i)
        request.records.push_back(json("{\"text\":\"0123456789\"}"));
    Result<WriteSummary> written = connector->write(request);
    QVERIFY(!written);
    QCOMPARE(written.error().code, u"file_too_large"_s);
    QCOMPARE(allFiles(dir.path()), QStringList{});
}

void tst_FileConnector::appendNdjson()
{
    QTemporaryDir dir;
    auto connector = make(dir.path(), "ndjson", "{\"write_mode\":\"append\",\"file_name\":\"log-{date}.ndjson\"}");
    WriteRequest request;
    request.mode = WriteMode::Insert;
    request.records = {json("{\"n\":1}"), json("{\"n\":2}")};
    QVERIFY(connector->write(request));
    request.records = {json("{\"n\":3}")};
    QVERIFY(connector->write(request));
    const QString name = u"log-"_s + QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd"_s) + u".ndjson"_s;
    QCOMPARE(allFiles(dir.path()), QStringList{name});
    QCOMPARE(readFile(dir.filePath(name)), "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n"_ba);

    // A file whose last line has no line break gets one first.
    writeFile(dir.filePath(name), "{\"n\":0}");
    QVERIFY(connector->write(request));
    QCOMPARE(readFile(dir.filePath(name)), "{\"n\":0}\n{\"n\":3}\n"_ba);

    // Past max_file_size nothing is appended.
    auto small = make(dir.path(), "ndjson", "{\"write_mode\":\"append\",\"file_name\":\"log-{date}.ndjson\",\"max_file_size\":20}");
    Result<WriteSummary> written = small->write(request);
    QVERIFY(!written);
    QCOMPARE(written.error().code, u"file_too_large"_s);
    QCOMPARE(readFile(dir.filePath(name)), "{\"n\":0}\n{\"n\":3}\n"_ba);
}

void tst_FileConnector::appendCsv()
{
    QTemporaryDir dir;
    auto connector = make(dir.path(), "csv", "{\"write_mode\":\"append\",\"file_name\":\"all.csv\",\"delimiter\":\";\"}");
    WriteRequest request;
    request.mode = WriteMode::Insert;
    request.records = {json("{\"id\":1,\"name\":\"Ann\"}")};
    QVERIFY(connector->write(request));
    // Later records follow the file's header, whatever their member order.
    request.records = {json("{\"name\":\"Bob\",\"id\":2}"), json("{\"id\":3}")};
    QVERIFY(connector->write(request));
    QCOMPARE(readFile(dir.filePath(u"all.csv"_s)), "id;name\r\n1;Ann\r\n2;Bob\r\n3;\r\n"_ba);

    request.records = {json("{\"id\":4,\"email\":\"x@example.com\"}")};
    Result<WriteSummary> written = connector->write(request);
    QVERIFY(!written);
    QCOMPARE(written.error().code, u"csv_unknown_field"_s);
    QVERIFY2(written.error().message.contains(u"\"email\""_s), qPrintable(written.error().message));
    QCOMPARE(readFile(dir.filePath(u"all.csv"_s)), "id;name\r\n1;Ann\r\n2;Bob\r\n3;\r\n"_ba);

    Collected got = readAll(*connector);
    QCOMPARE(got.json(), "[{\"id\":\"1\",\"name\":\"Ann\"},{\"id\":\"2\",\"name\":\"Bob\"},{\"id\":\"3\",\"name\":\"\"}]"_ba);
}

void tst_FileConnector::incrementalByModified()
{
    QTemporaryDir dir;
    const QDateTime t0 = QDateTime(QDate(2026, 11, 22), QTime(10, 0), Qt::UTC);
    // Name order and modification order differ: b is older than a.
    writeFile(dir.filePath(u"a.csv"_s), "n\n1\n2\n");
    writeFile(dir.filePath(u"b.csv"_s), "n\n3\n");
    writeFile(dir.filePath(u"c.csv"_s), "n\n4\n");
    setModified(dir.filePath(u"a.csv"_s), t0.addSecs(60));
    setModified(dir.filePath(u"b.csv"_s), t0);
    setModified(dir.filePath(u"c.csv"_s), t0.addSecs(120));
    auto connector = make(dir.path(), "csv", "{\"include_file_info\":true}");

    ReadRequest request;
    request.cursorField = u"_modified"_s;
    request.limit = 2; // b.csv whole, a.csv half
    Collected got = readAll(*connector, request);
    QVERIFY2(got.summary, qPrintable(describe(got.summary)));
    QCOMPARE(got.records.front()[u"n"].toString(), u"3"_s);
    QCOMPARE(got.records.front()[u"_modified"].toString(), u"2026-11-22T10:00:00.000Z"_s);
    // The cursor stops short of a.csv, which was not read whole.
    QCOMPARE(got.summary->lastCursor.toString(), u"2026-11-22T10:00:00.000Z"_s);

    request.limit = -1;
    request.cursorAfter = got.summary->lastCursor;
    got = readAll(*connector, request);
    QVERIFY2(got.summary, qPrintable(describe(got.summary)));
    QCOMPARE(got.json(), "[{\"n\":\"1\",\"_file\":\"a.csv\",\"_modified\":\"2026-11-22T10:01:00.000Z\"},"
                         "{\"n\":\"2\",\"_file\":\"a.csv\",\"_modified\":\"2026-11-22T10:01:00.000Z\"},"
                         "{\"n\":\"4\",\"_file\":\"c.csv\",\"_modified\":\"2026-11-22T10:02:00.000Z\"}]"_ba);
    QCOMPARE(got.summary->lastCursor.toString(), u"2026-11-22T10:02:00.000Z"_s);

    request.cursorAfter = got.summary->lastCursor;
    got = readAll(*connector, request);
    QCOMPARE(got.records.size(), size_t(0));

    request.cursorAfter = Data::Value(u"yesterday"_s);
    got = readAll(*connector, request);
    QVERIFY(!got.summary);
    QCOMPARE(got.summary.error().code, u"invalid_request"_s);
}

void tst_FileConnector::incrementalByField()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(u"a.csv"_s), "id,name\n8,a\n9,b\n10,c\n");
    writeFile(dir.filePath(u"b.csv"_s), "id,name\n11,d\n,e\n");
    auto connector = make(dir.path(), "csv");
    ReadRequest request;
    request.cursorField = u"id"_s;
    Collected got = readAll(*connector, request);
    QCOMPARE(got.records.size(), size_t(5));
    // Numeric text compares as numbers: 11, not "9".
    QCOMPARE(got.summary->lastCursor.toString(), u"11"_s);

    request.cursorAfter = Data::Value(9);
    got = readAll(*connector, request);
    QVERIFY2(got.summary, qPrintable(describe(got.summary)));
    QCOMPARE(got.json(), "[{\"id\":\"10\",\"name\":\"c\"},{\"id\":\"11\",\"name\":\"d\"}]"_ba);
}

void tst_FileConnector::discoverSchema()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(u"2.csv"_s), "other\nx\n");
    writeFile(dir.filePath(u"1.csv"_s), "id,email,amount,when\n1,ann@example.com,2.5,2024-01-15\n2,,3,2024-02-01\n");
    auto connector = make(dir.path(), "csv", "{\"typed\":true,\"include_file_info\":true,\"entity\":\"payments\"}");
    Result<std::vector<Entity>> entities = connector->discover();
    QVERIFY2(entities, qPrintable(entities ? QString() : entities.error().toString()));
    QCOMPARE(entities->size(), size_t(1));
    const Entity &entity = entities->front();
    QCOMPARE(entity.name, u"payments"_s);
    QCOMPARE(entity.cursorField, u"_modified"_s);
    QVERIFY(entity.capabilities.testFlag(Capability::Insert));
    QVERIFY(!entity.capabilities.testFlag(Capability::Upsert));
    const Data::SchemaField &schema = entity.schema;
    QVERIFY2(!schema.field(u"other"), "fields come from the first file by name");
    QCOMPARE(schema.field(u"id")->typeNames(), QStringList{u"integer"_s});
    QCOMPARE(schema.field(u"amount")->typeNames(), QStringList{u"number"_s});
    QCOMPARE(schema.field(u"email")->format, Data::StringFormat::Email);
    QVERIFY(schema.field(u"email")->isNullable());
    QCOMPARE(schema.field(u"when")->format, Data::StringFormat::Date);
    QCOMPARE(schema.field(u"_file")->examples.front().toString(), u"1.csv"_s);
    QCOMPARE(schema.field(u"_modified")->format, Data::StringFormat::DateTime);

    auto noInfo = make(dir.path(), "csv");
    entities = noInfo->discover();
    QVERIFY(entities);
    QCOMPARE(entities->front().name, u"orders"_s);
    QVERIFY(!entities->front().schema.field(u"_file"));
    QVERIFY(entities->front().cursorField.isEmpty());
}

void tst_FileConnector::discoverEmptyFolder()
{
    QTemporaryDir dir;
    auto connector = make(dir.path(), "xml", "{\"record_path\":\"a/b\"}");
    Result<std::vector<Entity>> entities = connector->discover();
    QVERIFY(entities);
    QVERIFY(entities->front().schema.fields.empty());
    QVERIFY(entities->front().description.contains(u"none yet"_s));
}

void tst_FileConnector::fieldsProjection()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(u"a.csv"_s), kOrdersCsv);
    auto connector = make(dir.path(), "csv", "{\"include_file_info\":true}");
    ReadRequest request;
    request.fields = {u"qty"_s, u"_file"_s, u"missing"_s};
    QCOMPARE(readAll(*connector, request).json(), "[{\"qty\":\"2\",\"_file\":\"a.csv\"},{\"qty\":\"5\",\"_file\":\"a.csv\"}]"_ba);
}

void tst_FileConnector::badConfiguration_data()
{
    QTest::addColumn<QByteArray>("format");
    QTest::addColumn<QByteArray>("configuration");
    QTest::addColumn<QString>("detail");

    QTest::addRow("glob type") << "csv"_ba << "{\"glob\":3}"_ba << u"/configuration/glob: "_s;
    QTest::addRow("glob outside") << "csv"_ba << "{\"glob\":\"../*.csv\"}"_ba << u"/configuration/glob: "_s;
    QTest::addRow("recursive") << "csv"_ba << "{\"recursive\":\"yes\"}"_ba << u"/configuration/recursive: "_s;
    QTest::addRow("after_read") << "csv"_ba << "{\"after_read\":\"rename\"}"_ba << u"/configuration/after_read: "_s;
    QTest::addRow("move_to self") << "csv"_ba << "{\"after_read\":\"move\",\"move_to\":\".\"}"_ba
                                  << u"/configuration/move_to: "_s;
    QTest::addRow("on_error") << "csv"_ba << "{\"on_error\":\"skip\"}"_ba << u"/configuration/on_error: "_s;
    QTest::addRow("delimiter") << "csv"_ba << "{\"delimiter\":\";;\"}"_ba << u"/configuration/delimiter: "_s;
    QTest::addRow("delimiter quote") << "csv"_ba << "{\"delimiter\":\"\\\"\"}"_ba << u"/configuration/delimiter: "_s;
    QTest::addRow("delimiter for json") << "json"_ba << "{\"delimiter\":\";\"}"_ba << u"/configuration/delimiter: "_s;
    QTest::addRow("encoding") << "csv"_ba << "{\"encoding\":\"latin1\"}"_ba << u"/configuration/encoding: "_s;
    QTest::addRow("record_path json") << "json"_ba << "{\"record_path\":\"data\"}"_ba << u"/configuration/record_path: "_s;
    QTest::addRow("record_path xml") << "xml"_ba << "{}"_ba << u"/configuration/record_path: "_s;
    QTest::addRow("record_path csv") << "csv"_ba << "{\"record_path\":\"/a\"}"_ba << u"/configuration/record_path: "_s;
    QTest::addRow("file_name folder") << "csv"_ba << "{\"file_name\":\"x/y.csv\"}"_ba << u"/configuration/file_name: "_s;
    QTest::addRow("file_name placeholder") << "csv"_ba << "{\"file_name\":\"{time}.csv\"}"_ba
                                           << u"/configuration/file_name: "_s;
    QTest::addRow("write_mode") << "csv"_ba << "{\"write_mode\":\"overwrite\"}"_ba << u"/configuration/write_mode: "_s;
    QTest::addRow("append xml") << "xml"_ba << "{\"record_path\":\"a/b\",\"write_mode\":\"append\"}"_ba
                                << u"/configuration/write_mode: "_s;
    QTest::addRow("max_file_size") << "csv"_ba << "{\"max_file_size\":0}"_ba << u"/configuration/max_file_size: "_s;
    QTest::addRow("max_file_size fraction") << "csv"_ba << "{\"max_file_size\":1.5}"_ba
                                            << u"/configuration/max_file_size: "_s;
    QTest::addRow("include_file_info") << "csv"_ba << "{\"include_file_info\":1}"_ba
                                       << u"/configuration/include_file_info: "_s;
    QTest::addRow("columns") << "csv"_ba << "{\"columns\":\"a,b\"}"_ba << u"/configuration/columns: "_s;
    QTest::addRow("unknown setting") << "csv"_ba << "{\"globb\":\"*.csv\"}"_ba << u"/configuration/globb: "_s;
    QTest::addRow("no format") << ""_ba << "{\"glob\":\"*.dat\"}"_ba << u"/data_format: "_s;
}

void tst_FileConnector::badConfiguration()
{
    QFETCH(QByteArray, format);
    QFETCH(QByteArray, configuration);
    QFETCH(QString, detail);
    QTemporaryDir dir;
    Result<std::unique_ptr<Connector>> connector = create(QUrl::fromLocalFile(dir.path()).toString(), format, configuration);
    QVERIFY(!connector);
    QCOMPARE(connector.error().code, u"invalid_endpoint"_s);
    QCOMPARE(connector.error().details.size(), 1);
    QVERIFY2(connector.error().details.front().startsWith(detail), qPrintable(connector.error().toString()));
}

void tst_FileConnector::malformedFile_data()
{
    QTest::addColumn<QByteArray>("format");
    QTest::addColumn<QByteArray>("configuration");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("where");

    QTest::addRow("csv quote") << "csv"_ba << "{}"_ba << "a,b\n1,2\n3,\"x\"y\n"_ba << u"csv_syntax"_s
                               << u"line 3, column"_s;
    QTest::addRow("csv fields") << "csv"_ba << "{}"_ba << "a,b\n1,2\n3\n"_ba << u"csv_field_count"_s << u"line 3"_s;
    QTest::addRow("json") << "json"_ba << "{}"_ba << "[{\"a\":1},\n {\"a\":2,}]"_ba << u"json_syntax"_s
                          << u"line 2, column"_s;
    QTest::addRow("json whole") << "json"_ba << "{\"record_path\":\"/d\"}"_ba << "{\"d\":[\n\n  tru]}"_ba
                                << u"json_syntax"_s << u"line 3, column"_s;
    QTest::addRow("json record_path") << "json"_ba << "{\"record_path\":\"/d\"}"_ba << "{\"e\":[]}"_ba
                                      << u"record_path_missing"_s << u"/d"_s;
    QTest::addRow("ndjson") << "ndjson"_ba << "{}"_ba << "{\"a\":1}\n{\"a\":}\n"_ba << u"json_syntax"_s
                            << u"line 2, column"_s;
    QTest::addRow("xml") << "xml"_ba << "{\"record_path\":\"r/o\"}"_ba << "<r>\n<o>1</o>\n<o>2</p>\n</r>"_ba
                         << u"xml_syntax"_s << u"line 3, column"_s;
    QTest::addRow("xml doctype") << "xml"_ba << "{\"record_path\":\"r/o\"}"_ba << "<!DOCTYPE r []><r/>"_ba
                                 << u"xml_doctype"_s << u"line 1"_s;
}

void tst_FileConnector::malformedFile()
{
    QFETCH(QByteArray, format);
    QFETCH(QByteArray, configuration);
    QFETCH(QByteArray, content);
    QFETCH(QString, code);
    QFETCH(QString, where);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"bad."_s + QString::fromLatin1(format));
    writeFile(path, content);
    auto connector = make(dir.path(), format, configuration);
    Collected got = readAll(*connector);
    QVERIFY(!got.summary);
    QCOMPARE(got.summary.error().code, code);
    QVERIFY2(got.summary.error().message.startsWith(path + u": "_s), qPrintable(got.summary.error().message));
    QVERIFY2(got.summary.error().message.contains(where), qPrintable(got.summary.error().message));
    // discover() says the same.
    Result<std::vector<Entity>> entities = connector->discover();
    QVERIFY(!entities);
    QCOMPARE(entities.error().code, code);
}

void tst_FileConnector::tooLargeFile()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(u"a.csv"_s), kOrdersCsv);
    auto connector = make(dir.path(), "csv", "{\"max_file_size\":10,\"after_read\":\"delete\"}");
    Collected got = readAll(*connector);
    QVERIFY(!got.summary);
    QCOMPARE(got.summary.error().code, u"file_too_large"_s);
    QVERIFY(got.summary.error().message.contains(dir.filePath(u"a.csv"_s)));
    QCOMPARE(allFiles(dir.path()), QStringList{u"a.csv"_s});
}

void tst_FileConnector::testConnection()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(u"a.csv"_s), kOrdersCsv);
    writeFile(dir.filePath(u"b.csv"_s), kOrdersCsv);
    auto connector = make(dir.path(), "csv");
    Result<ConnectionTest> test = connector->testConnection();
    QVERIFY2(test, qPrintable(test ? QString() : test.error().toString()));
    QVERIFY2(test->serverInfo.startsWith(u"2 file"_s), qPrintable(test->serverInfo));

    auto missing = make(dir.filePath(u"nowhere"_s), "csv");
    test = missing->testConnection();
    QVERIFY(!test);
    QCOMPARE(test.error().code, u"connection_failed"_s);
    QVERIFY(test.error().message.contains(dir.filePath(u"nowhere"_s)));
    QCOMPARE(readAll(*missing).summary.error().code, u"connection_failed"_s);

    QTemporaryDir readOnly;
    QFile::setPermissions(readOnly.path(), QFile::ReadOwner | QFile::ExeOwner);
    auto moving = make(readOnly.path(), "csv", "{\"after_read\":\"move\"}");
    test = moving->testConnection();
    const bool root = QFileInfo(readOnly.path()).isWritable(); // root writes anywhere
    if (!root) {
        QVERIFY(!test);
        QCOMPARE(test.error().code, u"connection_failed"_s);
    }
    QFile::setPermissions(readOnly.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
}

void tst_FileConnector::unsupported()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(u"a.csv"_s), kOrdersCsv);
    auto connector = make(dir.path(), "csv");
    QVERIFY(!(connector->capabilities() & (Capability::Upsert | Capability::Delete)));
    QVERIFY(connector->capabilities().testFlag(Capability::IncrementalRead));
    WriteRequest request;
    request.records = {json("{\"id\":1}")};
    for (WriteMode mode : {WriteMode::Upsert, WriteMode::Delete}) {
        request.mode = mode;
        Result<WriteSummary> written = connector->write(request);
        QVERIFY(!written);
        QCOMPARE(written.error().code, u"unsupported"_s);
    }
    ReadRequest read;
    read.filter = Data::Value(u"id gt 1"_s);
    QCOMPARE(readAll(*connector, read).summary.error().code, u"unsupported"_s);
    read.filter = Data::Value();
    read.entity = u"customers"_s;
    QCOMPARE(readAll(*connector, read).summary.error().code, u"unknown_entity"_s);

    // XML written under "//Order" has no root to write.
    auto xml = make(dir.path(), "xml", "{\"record_path\":\"//Order\"}");
    request.mode = WriteMode::Insert;
    Result<WriteSummary> written = xml->write(request);
    QVERIFY(!written);
    QCOMPARE(written.error().code, u"unsupported"_s);
}

void tst_FileConnector::cancelled()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(u"a.csv"_s), kOrdersCsv);
    auto connector = make(dir.path(), "csv", "{\"after_read\":\"delete\"}");
    CancelToken cancel;
    ReadRequest request;
    request.cancel = &cancel;
    request.pageSize = 1;
    Collected got;
    got.summary = connector->read(request, [&](std::vector<Data::Value> &&page) {
        got.records.insert(got.records.end(), page.begin(), page.end());
        cancel.cancel();
        return true;
    });
    QVERIFY(!got.summary);
    QCOMPARE(got.summary.error().code, u"cancelled"_s);
    QCOMPARE(got.records.size(), size_t(1));
    QCOMPARE(allFiles(dir.path()), QStringList{u"a.csv"_s});

    WriteRequest write;
    write.mode = WriteMode::Insert;
    write.cancel = &cancel;
    write.records = {json("{\"id\":1}")};
    Result<WriteSummary> written = connector->write(write);
    QVERIFY(!written);
    QCOMPARE(written.error().code, u"cancelled"_s);
    QCOMPARE(allFiles(dir.path()), QStringList{u"a.csv"_s});
}

void tst_FileConnector::sampleEndpoint()
{
    QFile file(QStringLiteral(CONFLUX_SOURCE_DIR "/resources/samples/order-hub/endpoints/orders-inbox.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    Result<EndpointSpec> spec = parseEndpoint(json(file.readAll()));
    QVERIFY(spec);
    Result<std::unique_ptr<Connector>> connector = createFileConnector(*spec, {});
    QVERIFY2(connector, qPrintable(connector ? QString() : connector.error().toString()));
    const FileConnector::Settings &settings = static_cast<FileConnector &>(**connector).settings();
    QCOMPARE(settings.folder, u"/var/lib/conflux/inbox"_s);
    QCOMPARE(settings.delimiter, ';');
    QCOMPARE(settings.afterRead, FileConnector::AfterRead::Archive);
    QCOMPARE(settings.archiveTo, u"/var/lib/conflux/inbox/archive"_s);
    QCOMPARE(settings.glob, u"orders-*.csv"_s);
}

QTEST_GUILESS_MAIN(tst_FileConnector)
#include "tst_fileconnector.moc"
