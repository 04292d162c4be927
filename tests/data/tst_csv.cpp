#include "data/csv.h"
#include "data/numbers.h"
#include "data/value.h"

#include <QBuffer>
#include <QFile>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "codectestsupport.h"

#include <algorithm>
#include <cstring>
#include <functional>

using namespace Conflux;
using namespace Conflux::Data;
using namespace Qt::StringLiterals;
using namespace Conflux::Test;

namespace {


template<typename T>
QString codeOf(const Result<T> &r)
{
    return r ? u"(no error)"_s : r.error().code;
}

// What a result holds, for failure messages (QVERIFY2 evaluates its message eagerly).
QString describe(const Result<Value> &r)
{
    return r ? dump(*r) : r.error().code + u": "_s + r.error().message;
}

QString describe(const Result<QByteArray> &r)
{
    return r ? QString::fromUtf8(*r) : r.error().code + u": "_s + r.error().message;
}

QString describe(const Result<void> &r)
{
    return r ? u"ok"_s : r.error().code + u": "_s + r.error().message;
}

// Options from a compact spec: "noheader", "lenient", "typed", "keepempty", "delim=;", "quote='".
Csv::CsvOptions parseOptions(const QString &spec)
{
    Csv::CsvOptions options;
    const QStringList parts = spec.split(u' ', Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        if (part == u"noheader")
            options.header = false;
        else if (part == u"lenient")
            options.strict = false;
        else if (part == u"typed")
            options.typed = true;
        else if (part == u"keepempty")
            options.skipEmptyLines = false;
        else if (part.startsWith(u"delim="))
            options.delimiter = part.mid(6) == u"tab" ? '\t' : char(part.at(6).unicode());
        else if (part.startsWith(u"quote="))
            options.quote = char(part.at(6).unicode());
    }
    return options;
}

// Reads every record through a CsvReader.
Result<Value> readAll(QIODevice *device, const Csv::CsvOptions &options)
{
    Csv::CsvReader reader(device, options);
    Array records;
    for (;;) {
        Result<Value> record = reader.next();
        if (!record)
            return record.error();
        if (record->isUndefined())
            break;
        records.push_back(*record);
    }
    return Value(std::move(records));
}

} // namespace

class tst_Csv : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void read_data()
    {
        QTest::addColumn<QByteArray>("csv");
        QTest::addColumn<QString>("options");
        QTest::addColumn<QString>("expected");

        QTest::addRow("header") << QByteArray("a,b\n1,2\n3,4\n") << QString()
                                << u"[{\"a\":\"1\",\"b\":\"2\"},{\"a\":\"3\",\"b\":\"4\"}]"_s;
        QTest::addRow("header order kept") << QByteArray("z,a,m\n1,2,3") << QString()
                                           << u"[{\"z\":\"1\",\"a\":\"2\",\"m\":\"3\"}]"_s;
        QTest::addRow("no trailing newline") << QByteArray("a,b\n1,2") << QString()
                                             << u"[{\"a\":\"1\",\"b\":\"2\"}]"_s;
        QTest::addRow("crlf") << QByteArray("a,b\r\n1,2\r\n3,4\r\n") << QString()
                              << u"[{\"a\":\"1\",\"b\":\"2\"},{\"a\":\"3\",\"b\":\"4\"}]"_s;
        QTest::addRow("lone cr") << QByteArray("a,b\r1,2\r") << QString() << u"[{\"a\":\"1\",\"b\":\"2\"}]"_s;
        QTest::addRow("quoted")
            << QByteArray("name,note\r\n\"Smith, J\",\"He said \"\"hi\"\"\r\nbye\"\r\n\"x\",\"a\nb\"\n") << QString()
            << u"[{\"name\":\"Smith, J\",\"note\":\"He said \\\"hi\\\"\\u000d\\u000abye\"},{\"name\":\"x\",\"note\":\"a\\u000ab\"}]"_s;
        QTest::addRow("quoted header") << QByteArray("\"a,1\",\"b\"\"\"\nx,y") << QString()
                                       << u"[{\"a,1\":\"x\",\"b\\\"\":\"y\"}]"_s;
        QTest::addRow("empty fields") << QByteArray("a,b,c\n,,\n") << QString()
                                      << u"[{\"a\":\"\",\"b\":\"\",\"c\":\"\"}]"_s;
        QTest::addRow("trailing delimiter at end") << QByteArray("a,b\n1,") << QString()
                                                   << u"[{\"a\":\"1\",\"b\":\"\"}]"_s;
        QTest::addRow("empty quoted") << QByteArray("a,b\n\"\",x") << QString() << u"[{\"a\":\"\",\"b\":\"x\"}]"_s;
        QTest::addRow("bom") << QByteArray("\xEF\xBB\xBFid,name\n1,\xC3\xA9t\xC3\xA9\n") << QString()
                             << u"[{\"id\":\"1\",\"name\":\"été\"}]"_s;
        QTest::addRow("empty lines skipped") << QByteArray("\n\na\n\n1\r\n\r\n\n2\n\n") << QString()
                                             << u"[{\"a\":\"1\"},{\"a\":\"2\"}]"_s;
        QTest::addRow("empty lines kept") << QByteArray("1\n\n2") << u"noheader keepempty"_s
                                          << u"[[\"1\"],[\"\"],[\"2\"]]"_s;
        QTest::addRow("no header") << QByteArray("1,2\nx,y\n") << u"noheader"_s << u"[[\"1\",\"2\"],[\"x\",\"y\"]]"_s;
        QTest::addRow("semicolon") << QByteArray("a;b\n1,5;\"x;y\"\n") << u"delim=;"_s
                                   << u"[{\"a\":\"1,5\",\"b\":\"x;y\"}]"_s;
        QTest::addRow("tab") << QByteArray("a\tb\n1\t\"2\t3\"\n") << u"delim=tab"_s
                             << u"[{\"a\":\"1\",\"b\":\"2\\u00093\"}]"_s;
        QTest::addRow("pipe") << QByteArray("a|b\n1|2\n") << u"delim=|"_s << u"[{\"a\":\"1\",\"b\":\"2\"}]"_s;
        QTest::addRow("single quote") << QByteArray("a,b\n'x,''y''',\"z\"\n") << u"quote='"_s
                                      << u"[{\"a\":\"x,'y'\",\"b\":\"\\\"z\\\"\"}]"_s;
        QTest::addRow("quote inside unquoted field") << QByteArray("a,b\nx\"y,5 \" in\n") << QString()
                                                     << u"[{\"a\":\"x\\\"y\",\"b\":\"5 \\\" in\"}]"_s;
        QTest::addRow("spaces kept") << QByteArray("a,b\n x , \"y\"\n") << QString()
                                     << u"[{\"a\":\" x \",\"b\":\" \\\"y\\\"\"}]"_s;
        QTest::addRow("only header") << QByteArray("a,b\n") << QString() << u"[]"_s;
        QTest::addRow("empty input") << QByteArray() << QString() << u"[]"_s;
        QTest::addRow("only bom") << QByteArray("\xEF\xBB\xBF") << u"noheader"_s << u"[]"_s;
        QTest::addRow("typed")
            << QByteArray("n,f,e,b,x,q,z,s,big,neg\n12,1.5,,true,false,\"12\",007,abc,12345678901234567890,-2.5e3\n")
            << u"typed"_s
            << u"[{\"n\":12,\"f\":1.5,\"e\":null,\"b\":true,\"x\":false,\"q\":\"12\",\"z\":\"007\",\"s\":\"abc\","
               "\"big\":12345678901234567890,\"neg\":-2500}]"_s;
        QTest::addRow("typed not numbers") << QByteArray("1.,.5,1e,+1,0x10,True, 1\n") << u"typed noheader"_s
                                           << u"[[\"1.\",\".5\",\"1e\",\"+1\",\"0x10\",\"True\",\" 1\"]]"_s;
        QTest::addRow("typed quoted empty") << QByteArray("a,b\n\"\",\n") << u"typed"_s
                                            << u"[{\"a\":\"\",\"b\":null}]"_s;
        QTest::addRow("lenient pads and keeps")
            << QByteArray("a,b,c\n1\n1,2,3,4,5\n") << u"lenient"_s
            << u"[{\"a\":\"1\",\"b\":null,\"c\":null},{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"_4\":\"4\",\"_5\":\"5\"}]"_s;
        QTest::addRow("lenient extra key taken") << QByteArray("_3,b\n1,2,3\n") << u"lenient"_s
                                                 << u"[{\"_3\":\"1\",\"b\":\"2\",\"__3\":\"3\"}]"_s;
        QTest::addRow("lenient no header") << QByteArray("1,2\n3\n") << u"lenient noheader"_s
                                           << u"[[\"1\",\"2\"],[\"3\"]]"_s;
    }

    void read()
    {
        QFETCH(QByteArray, csv);
        QFETCH(QString, options);
        QFETCH(QString, expected);
        const Result<Value> value = Csv::read(csv, parseOptions(options));
        QVERIFY2(value, qPrintable(describe(value)));
        QCOMPARE(dump(*value), expected);

        // The streaming reader gives the same records, however the input is cut.
        for (const qint64 step : {qint64(1), qint64(2), qint64(5), qint64(65536)}) {
            TrickleDevice device(csv, step);
            const Result<Value> streamed = readAll(&device, parseOptions(options));
            QVERIFY2(streamed, qPrintable(describe(streamed)));
            QCOMPARE(dump(*streamed), expected);
        }
    }

    void readErrors_data()
    {
        QTest::addColumn<QByteArray>("csv");
        QTest::addColumn<QString>("options");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");
        QTest::addColumn<qint64>("offset");

        QTest::addRow("unterminated quote") << QByteArray("a,b\n1,\"abc\n2,3\n") << QString() << u"csv_syntax"_s
                                            << u"line 2, column 3: unterminated quoted field"_s << qint64(6);
        QTest::addRow("unterminated at end") << QByteArray("a\n\"") << QString() << u"csv_syntax"_s
                                             << u"line 2, column 1: unterminated"_s << qint64(2);
        QTest::addRow("character after quote") << QByteArray("a,b\n\"x\"y,2\n") << QString() << u"csv_syntax"_s
                                               << u"line 2, column 4: unexpected character 'y'"_s << qint64(7);
        QTest::addRow("character after quote, multi-line")
            << QByteArray("a,b\n1,\"x\ny\" z\n") << QString() << u"csv_syntax"_s
            << u"line 3, column 3: unexpected character ' '"_s << qint64(11);
        QTest::addRow("column in characters") << QByteArray("a,b\n\xC3\xA9\xC3\xA9,\"x\"!\n") << QString()
                                              << u"csv_syntax"_s << u"line 2, column 7"_s << qint64(12);
        QTest::addRow("too many fields") << QByteArray("a,b\n1,2\n1,2,3\n") << QString() << u"csv_field_count"_s
                                         << u"line 3: record 2 has 3 fields, the header has 2"_s << qint64(8);
        QTest::addRow("too few fields") << QByteArray("a,b\n1\n") << QString() << u"csv_field_count"_s
                                        << u"line 2: record 1 has 1 fields, the header has 2"_s << qint64(4);
        QTest::addRow("ragged without header") << QByteArray("1,2\n3\n") << u"noheader"_s << u"csv_field_count"_s
                                               << u"record 2 has 1 fields, the first record has 2"_s << qint64(4);
        QTest::addRow("duplicate header") << QByteArray("id,name,id\n1,2,3\n") << QString() << u"csv_header"_s
                                          << u"columns 1 and 3 are both named \"id\""_s << qint64(0);
        QTest::addRow("empty header name") << QByteArray("\n\nid,,x\n") << QString() << u"csv_header"_s
                                           << u"line 3: column 2 has an empty name"_s << qint64(2);
        QTest::addRow("invalid utf-8") << QByteArray("a\nok\n\xFF\xFE\n") << QString() << u"csv_encoding"_s
                                       << u"line 3, column 1"_s << qint64(5);
        QTest::addRow("same delimiter and quote") << QByteArray("a") << u"delim=\""_s << u"csv_invalid_option"_s
                                                  << u"two different"_s << qint64(-1);
    }

    void readErrors()
    {
        QFETCH(QByteArray, csv);
        QFETCH(QString, options);
        QFETCH(QString, code);
        QFETCH(QString, message);
        QFETCH(qint64, offset);
        const Result<Value> value = Csv::read(csv, parseOptions(options));
        QVERIFY2(!value, qPrintable(describe(value)));
        QCOMPARE(value.error().code, code);
        QVERIFY2(value.error().message.contains(message), qPrintable(value.error().message));
        QCOMPARE(value.error().offset, offset);

        for (const qint64 step : {qint64(1), qint64(3), qint64(65536)}) {
            TrickleDevice device(csv, step);
            const Result<Value> streamed = readAll(&device, parseOptions(options));
            QVERIFY2(!streamed, qPrintable(describe(streamed)));
            QCOMPARE(streamed.error().code, code);
            QVERIFY2(streamed.error().message.contains(message), qPrintable(streamed.error().message));
            QCOMPARE(streamed.error().offset, offset);
        }
    }

    void readerState()
    {
        TrickleDevice device(QByteArray("a,b\n1,2\n3\n4,5\n"), 2);
        Csv::CsvReader reader(&device);
        QVERIFY(reader.header().isEmpty());
        QCOMPARE(dump(*reader.next()), u"{\"a\":\"1\",\"b\":\"2\"}"_s);
        QCOMPARE(reader.header(), (QStringList{u"a"_s, u"b"_s}));
        QCOMPARE(reader.recordCount(), 1);
        const Result<Value> bad = reader.next();
        QCOMPARE(codeOf(bad), u"csv_field_count"_s);
        QVERIFY(reader.atEnd());
        QCOMPARE(codeOf(reader.next()), u"csv_field_count"_s);   // stays failed
    }

    void limits()
    {
        Csv::CsvOptions options;
        options.maxFields = 3;
        QVERIFY(Csv::read("a,b,c\n1,2,3\n", options));
        QCOMPARE(codeOf(Csv::read("a,b,c,d\n", options)), u"csv_limit"_s);

        options = {};
        options.maxSize = 10;
        QCOMPARE(codeOf(Csv::read("a,b\n1234,5678\n", options)), u"csv_limit"_s);

        options = {};
        options.maxRecordSize = 100;
        options.header = false;
        const QByteArray big = "short\n\"" + QByteArray(300, 'x') + "\"\n";
        Result<Value> value = Csv::read(big, options);
        QCOMPARE(codeOf(value), u"csv_limit"_s);
        QVERIFY2(value.error().message.contains(u"line 2"_s), qPrintable(value.error().message));

        // Streaming: an endless quoted field stops at the limit instead of filling memory.
        qint64 produced = 0;
        TrickleDevice endless([&produced](qint64 piece) -> QByteArray {
            produced += 4096;
            return piece == 0 ? QByteArray("a\n\"") : QByteArray(4096, 'z');
        }, 4096);
        options = {};
        options.maxRecordSize = 1024 * 1024;
        Csv::CsvReader reader(&endless, options);
        value = reader.next();
        QCOMPARE(codeOf(value), u"csv_limit"_s);
        QVERIFY(reader.bufferedBytes() < 3 * 1024 * 1024);
        QVERIFY(produced < 4 * 1024 * 1024);
    }

    // A long record trickling in a few bytes at a time is gathered, not re-parsed per read.
    void longRecordTrickle()
    {
        const QByteArray field(2 * 1024 * 1024, 'q');
        const QByteArray csv = "id,text\n1,\"" + field + "\"\n2,short\n";
        TrickleDevice device(csv, 7);
        Csv::CsvReader reader(&device);
        const Result<Value> first = reader.next();
        QVERIFY2(first, qPrintable(codeOf(first)));
        QCOMPARE((*first)[u"text"].toString().size(), field.size());
        QCOMPARE(dump(*reader.next()), u"{\"id\":\"2\",\"text\":\"short\"}"_s);
        QVERIFY(reader.next()->isUndefined());
    }

    // Hundreds of thousands of records stream through a small buffer.
    void boundedMemory()
    {
        const qint64 count = 300000;
        TrickleDevice device([count](qint64 piece) -> QByteArray {
            if (piece == 0)
                return "id,name,email,amount,note\r\n";
            if (piece > count)
                return {};
            const QByteArray n = QByteArray::number(piece);
            return n + ",Customer " + n + ",c" + n + "@example.com," + n + ".25,\"multi\r\nline, \"\"quoted\"\"\"\r\n";
        }, 65536);
        Csv::CsvOptions options;
        options.typed = true;
        Csv::CsvReader reader(&device, options);
        qint64 records = 0;
        qint64 maxBuffered = 0;
        qint64 baseline = -1;
        qint64 peak = 0;
        for (;;) {
            const Result<Value> record = reader.next();
            QVERIFY2(record, qPrintable(describe(record)));
            if (record->isUndefined())
                break;
            ++records;
            if (records == 7) {
                QCOMPARE(dump(*record), u"{\"id\":7,\"name\":\"Customer 7\",\"email\":\"c7@example.com\",\"amount\":7.25,"
                                        "\"note\":\"multi\\u000d\\u000aline, \\\"quoted\\\"\"}"_s);
            }
            maxBuffered = std::max(maxBuffered, reader.bufferedBytes());
            if (records == 10000)
                baseline = residentKiB();
            if (records % 10000 == 0)
                peak = std::max(peak, residentKiB());
        }
        QCOMPARE(records, count);
        QCOMPARE(reader.recordCount(), count);
        QVERIFY(device.delivered() > 20 * 1024 * 1024);
        QVERIFY2(maxBuffered <= 2 * 65536, qPrintable(QString::number(maxBuffered)));
        if (baseline > 0)
            QVERIFY2(peak - baseline < 8 * 1024, qPrintable(u"resident memory grew by %1 KiB"_s.arg(peak - baseline)));
    }

    void write_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("options");
        QTest::addColumn<QByteArray>("expected");

        QTest::addRow("objects")
            << QByteArray("[{\"id\":1,\"name\":\"Ann\",\"ok\":true},{\"id\":2.5,\"name\":\"B, \\\"Bob\\\"\",\"ok\":false}]")
            << QString() << QByteArray("id,name,ok\r\n1,Ann,true\r\n2.5,\"B, \"\"Bob\"\"\",false\r\n");
        QTest::addRow("null and empty") << QByteArray("[{\"a\":null,\"b\":\"\",\"c\":\"x\"}]") << QString()
                                        << QByteArray("a,b,c\r\n,\"\",x\r\n");
        QTest::addRow("line breaks quoted") << QByteArray("[{\"a\":\"1\\n2\",\"b\":\"x\\ry\"}]") << QString()
                                            << QByteArray("a,b\r\n\"1\n2\",\"x\ry\"\r\n");
        QTest::addRow("missing members") << QByteArray("[{\"a\":1,\"b\":2},{\"b\":3},{}]") << QString()
                                         << QByteArray("a,b\r\n1,2\r\n,3\r\n,\r\n");
        QTest::addRow("lf and semicolon") << QByteArray("[{\"a\":\"x;y\",\"b\":\"1,5\"}]") << u"delim=; lf"_s
                                          << QByteArray("a;b\n\"x;y\";1,5\n");
        QTest::addRow("columns given") << QByteArray("[{\"a\":1,\"b\":2,\"c\":3}]") << u"columns=c,a"_s
                                       << QByteArray("c,a\r\n3,1\r\n");
        QTest::addRow("no header") << QByteArray("[{\"a\":1,\"b\":2}]") << u"noheader"_s << QByteArray("1,2\r\n");
        QTest::addRow("arrays") << QByteArray("[[1,\"a b\",null],[\"x\"]]") << QString()
                                << QByteArray("1,a b,\r\nx\r\n");
        QTest::addRow("nested as json") << QByteArray("[{\"a\":{\"x\":[1,2]},\"b\":[\"q\"]}]") << u"json"_s
                                        << QByteArray("a,b\r\n\"{\"\"x\"\":[1,2]}\",\"[\"\"q\"\"]\"\r\n");
        QTest::addRow("numbers") << QByteArray("[[0.1,1e21,-0,123456789012]]") << QString()
                                 << QByteArray("0.1,1e+21,0,123456789012\r\n");
        QTest::addRow("header quoting") << QByteArray("[{\"a,b\":1,\"\":2}]") << QString()   // keys sorted by QJson
                                        << QByteArray("\"\",\"a,b\"\r\n2,1\r\n");
        QTest::addRow("no records") << QByteArray("[]") << QString() << QByteArray();
    }

    void write()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, options);
        QFETCH(QByteArray, expected);
        Csv::CsvWriteOptions writeOptions;
        const Csv::CsvOptions parsed = parseOptions(options);
        writeOptions.delimiter = parsed.delimiter;
        writeOptions.header = parsed.header;
        if (options.contains(u"lf"))
            writeOptions.lineEnding = "\n";
        if (options.contains(u"json"))
            writeOptions.nestedAsJson = true;
        const qsizetype columns = options.indexOf(u"columns=");
        if (columns >= 0)
            writeOptions.columns = options.mid(columns + 8).split(u',');
        const Result<QByteArray> csv = Csv::write(fromJson(json), writeOptions);
        QVERIFY2(csv, qPrintable(describe(csv)));
        QCOMPARE(*csv, expected);
    }

    void writeExactNumber()
    {
        Array record{Value(quint64(12345678901234567890ull))};
        const Result<QByteArray> csv = Csv::write(Value(Array{Value(record)}));
        QCOMPARE(*csv, QByteArray("12345678901234567890\r\n"));
    }

    void writeErrors_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");

        QTest::addRow("nested object") << QByteArray("[{\"a\":1},{\"a\":{\"x\":1}}]") << u"csv_nested_value"_s
                                       << u"record 2, field \"a\": a nested object"_s;
        QTest::addRow("nested array") << QByteArray("[[1,[2]]]") << u"csv_nested_value"_s
                                      << u"record 1, field \"2\": a nested array"_s;
        QTest::addRow("unknown field") << QByteArray("[{\"a\":1},{\"a\":2,\"b\":3}]") << u"csv_unknown_field"_s
                                       << u"record 2 has a field \"b\""_s;
        QTest::addRow("scalar record") << QByteArray("[{\"a\":1},5]") << u"csv_invalid_record"_s
                                       << u"record 2 must be an object or an array, not number"_s;
        QTest::addRow("object after arrays") << QByteArray("[[1],{\"a\":1}]") << u"csv_invalid_record"_s
                                             << u"record 2 is an object, but the columns are unknown"_s;
        QTest::addRow("not an array") << QByteArray("{\"a\":1}") << u"csv_invalid_value"_s << u"must be an array"_s;
    }

    void writeErrors()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, code);
        QFETCH(QString, message);
        const Result<QByteArray> csv = Csv::write(fromJson(json));
        QVERIFY2(!csv, qPrintable(describe(csv)));
        QCOMPARE(csv.error().code, code);
        QVERIFY2(csv.error().message.contains(message), qPrintable(csv.error().message));
    }

    void writerToDevice()
    {
        QByteArray out;
        QBuffer buffer(&out);
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        Csv::CsvWriteOptions options;
        options.lineEnding = "\n";
        Csv::CsvWriter writer(&buffer, options);
        const Result<void> first = writer.write(fromJson("{\"k\":\"v1\",\"n\":1}"));
        QVERIFY2(first, qPrintable(describe(first)));
        QVERIFY(writer.write(fromJson("{\"n\":2}")));
        const Result<void> bad = writer.write(fromJson("{\"k\":[1]}"));
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, u"csv_nested_value"_s);
        QVERIFY(writer.write(fromJson("{\"k\":\"v3\"}")));   // a bad record leaves no partial line
        QCOMPARE(writer.recordCount(), 3);
        QCOMPARE(out, QByteArray("k,n\nv1,1\n,2\nv3,\n"));
    }

    void roundTrip_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("typed");
        QTest::addRow("strings") << QByteArray("[{\"a\":\"x, y\",\"b\":\"\\\"q\\\"\",\"c\":\"line\\r\\nbreak\",\"d\":\"\"},"
                                               "{\"a\":\" lead\",\"b\":\"trail \",\"c\":\"\\u00e9\\u20ac\",\"d\":\"007\"}]")
                                 << false;
        QTest::addRow("typed") << QByteArray("[{\"n\":1,\"f\":-0.25,\"b\":true,\"z\":null,\"s\":\"\",\"t\":\"text\"},"
                                             "{\"n\":1e300,\"f\":3,\"b\":false,\"z\":null,\"s\":\"a\\nb\",\"t\":\"x\"}]")
                               << true;
    }

    void roundTrip()
    {
        QFETCH(QByteArray, json);
        QFETCH(bool, typed);
        const Value records = fromJson(json);
        for (const char delimiter : {',', ';', '\t', '|'}) {
            Csv::CsvWriteOptions writeOptions;
            writeOptions.delimiter = delimiter;
            const Result<QByteArray> csv = Csv::write(records, writeOptions);
            QVERIFY2(csv, qPrintable(describe(csv)));
            Csv::CsvOptions readOptions;
            readOptions.delimiter = delimiter;
            readOptions.typed = typed;
            const Result<Value> back = Csv::read(*csv, readOptions);
            QVERIFY2(back, qPrintable(describe(back)));
            QVERIFY2(*back == records, qPrintable(dump(*back) + u" from "_s + QString::fromUtf8(*csv)));
        }
    }
};

QTEST_GUILESS_MAIN(tst_Csv)
#include "tst_csv.moc"
