#include "data/json.h"
#include "data/jsonstream.h"

#include <QBuffer>
#include <QTemporaryFile>
#include <QTest>

#include <QThread>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

using namespace Conflux;
using namespace Conflux::Data;
using namespace Qt::StringLiterals;

namespace {

struct Function : Callable
{
};

QByteArray compact(const QByteArray &text, const Json::ReadOptions &options = {})
{
    const Result<Value> parsed = Json::parse(text, options);
    if (!parsed)
        return "ERROR " + parsed.error().message.toUtf8();
    return Json::serialize(parsed.value());
}

// A sequential device that hands out at most `step` bytes per read, like a slow socket.
class TrickleDevice : public QIODevice
{
public:
    TrickleDevice(QByteArray data, qint64 step) : m_data(std::move(data)), m_step(step)
    {
        open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    }
    bool isSequential() const override { return true; }
    qint64 reads = 0;

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        ++reads;
        if (m_pos >= m_data.size())
            return -1;
        const qint64 n = std::min({maxSize, m_step, qint64(m_data.size()) - m_pos});
        std::memcpy(data, m_data.constData() + m_pos, size_t(n));
        m_pos += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    qint64 m_step;
    qint64 m_pos = 0;
};

// A sequential device that has some data and then nothing, never closing.
class StalledDevice : public QIODevice
{
public:
    explicit StalledDevice(QByteArray data) : m_data(std::move(data))
    {
        open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    }
    bool isSequential() const override { return true; }
    int waits = 0;
    bool waitForReadyRead(int msecs) override
    {
        ++waits;
        QThread::msleep(ulong(msecs));
        return false;
    }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 n = std::min(maxSize, qint64(m_data.size()));
        std::memcpy(data, m_data.constData(), size_t(n));
        m_data.remove(0, n);
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
};

// QVERIFY2 evaluates its message even when the check passes.
QString messageOf(const std::optional<Error> &error)
{
    return error ? error->message : QString();
}

struct StreamResult
{
    QList<QByteArray> records;
    std::optional<Error> error;
    qint64 recordIndex = 0;
};

StreamResult readAll(QIODevice *device, const JsonStreamReader::Options &options)
{
    StreamResult result;
    JsonStreamReader reader(device, options);
    Value record;
    while (reader.next(record))
        result.records.append(Json::serialize(record));
    result.error = reader.error();
    result.recordIndex = reader.recordIndex();
    if (!result.error && !reader.atEnd())
        result.records.append("NOT AT END");
    return result;
}

StreamResult readAll(const QByteArray &text, const JsonStreamReader::Options &options)
{
    QBuffer buffer;
    buffer.setData(text);
    buffer.open(QIODevice::ReadOnly);
    return readAll(&buffer, options);
}

QByteArray nested(int depth, char open, char close, const QByteArray &inner = "1")
{
    QByteArray out;
    for (int i = 0; i < depth; ++i)
        out += open == '{' ? QByteArray("{\"a\":") : QByteArray(1, open);
    out += inner;
    out += QByteArray(depth, close);
    return out;
}

} // namespace

class tst_Json : public QObject
{
    Q_OBJECT

private slots:
    void parsesValidDocuments_data();
    void parsesValidDocuments();
    void rejectsInvalidDocuments_data();
    void rejectsInvalidDocuments();
    void errorMessageSaysWhereAndWhat();
    void roundTripsCanonicalText_data();
    void roundTripsCanonicalText();
    void keepsKeyOrder();
    void duplicateKeysLastWins();
    void duplicateKeysRejected();
    void duplicateKeysInLargeObjects();
    void sharesRepeatedKeys();
    void keepsBigIntegersExact_data();
    void keepsBigIntegersExact();
    void formatsNumbersLikeJavaScript_data();
    void formatsNumbersLikeJavaScript();
    void depthLimit_data();
    void depthLimit();
    void sizeLimit();
    void rejectsInvalidUtf8_data();
    void rejectsInvalidUtf8();
    void skipsByteOrderMark();
    void decodesStrings_data();
    void decodesStrings();
    void serializesLikeJsonStringify_data();
    void serializesLikeJsonStringify();
    void serializesPretty_data();
    void serializesPretty();
    void serializeSkipsUndefinedAndFunctions();
    void serializeAsciiOnly();
    void serializeAppends();
    void serializesLongStrings();

    void streamModes_data();
    void streamModes();
    void streamsManySmallObjectsInSmallChunks();
    void streamsNdjsonWithBlankLines();
    void streamErrorSaysLineColumnAndRecord();
    void streamFromOneByteDevice();
    void streamTimesOutOnStalledDevice();
    void streamReturnsRecordsWithoutWaitingForMore();
    void streamRefusesClosedDevice();
    void streamsLargeFileInBoundedMemory();
    void streamWriterFormats_data();
    void streamWriterFormats();
    void streamWriterReportsWriteErrors();
};

void tst_Json::parsesValidDocuments_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");

    QTest::addRow("null") << QByteArray("null") << QByteArray("null");
    QTest::addRow("true") << QByteArray(" true ") << QByteArray("true");
    QTest::addRow("false") << QByteArray("\n\tfalse\r\n") << QByteArray("false");
    QTest::addRow("zero") << QByteArray("0") << QByteArray("0");
    QTest::addRow("negative") << QByteArray("-12") << QByteArray("-12");
    QTest::addRow("fraction") << QByteArray("3.25") << QByteArray("3.25");
    QTest::addRow("exponent") << QByteArray("2E3") << QByteArray("2000");
    QTest::addRow("exponent-plus") << QByteArray("2e+3") << QByteArray("2000");
    QTest::addRow("exponent-minus") << QByteArray("25e-1") << QByteArray("2.5");
    QTest::addRow("string") << QByteArray("\"abc\"") << QByteArray("\"abc\"");
    QTest::addRow("empty-string") << QByteArray("\"\"") << QByteArray("\"\"");
    QTest::addRow("empty-array") << QByteArray("[ ]") << QByteArray("[]");
    QTest::addRow("empty-object") << QByteArray("{ }") << QByteArray("{}");
    QTest::addRow("array") << QByteArray("[1, \"a\", true, null, [], {}]")
                           << QByteArray("[1,\"a\",true,null,[],{}]");
    QTest::addRow("object") << QByteArray("{ \"a\" : 1 , \"b\" : [ 2 ] }")
                            << QByteArray("{\"a\":1,\"b\":[2]}");
    QTest::addRow("nested") << QByteArray(R"({"a":{"b":{"c":[[1],[2,{"d":null}]]}}})")
                            << QByteArray(R"({"a":{"b":{"c":[[1],[2,{"d":null}]]}}})");
    QTest::addRow("escapes") << QByteArray(R"("\"\\\/\b\f\n\r\t")")
                             << QByteArray(R"("\"\\/\b\f\n\r\t")");
    QTest::addRow("unicode-escape") << QByteArray(R"("\u00e9\u4E2D")")
                                    << QByteArray("\"\xC3\xA9\xE4\xB8\xAD\"");
    QTest::addRow("surrogate-pair") << QByteArray(R"("\ud83d\ude00")")
                                    << QByteArray("\"\xF0\x9F\x98\x80\"");
    QTest::addRow("utf8") << QByteArray("\"gr\xC3\xBC\xC3\x9F \xF0\x9F\x98\x80\"")
                          << QByteArray("\"gr\xC3\xBC\xC3\x9F \xF0\x9F\x98\x80\"");
    QTest::addRow("utf8-key") << QByteArray("{\"\xC3\xA9t\xC3\xA9\":1}")
                              << QByteArray("{\"\xC3\xA9t\xC3\xA9\":1}");
    QTest::addRow("escaped-key") << QByteArray(R"({"a\nb":1})") << QByteArray(R"({"a\nb":1})");
    QTest::addRow("empty-key") << QByteArray(R"({"":1,"x":{"":2}})")
                               << QByteArray(R"({"":1,"x":{"":2}})");
    QTest::addRow("del-unescaped") << QByteArray("\"\x7f\"") << QByteArray("\"\x7f\"");
    QTest::addRow("control-escaped") << QByteArray(R"("\u0001\u001F")")
                                     << QByteArray(R"("\u0001\u001f")");
    QTest::addRow("top-level-number-ws") << QByteArray("  42\n") << QByteArray("42");
}

void tst_Json::parsesValidDocuments()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    QCOMPARE(compact(input), expected);
}

void tst_Json::rejectsInvalidDocuments_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("code");
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<QString>("message"); // a part of the message

    const QString syntax = u"json_syntax"_s;
    QTest::addRow("empty") << QByteArray("") << syntax << 0ll << u"unexpected end of input at byte 0"_s;
    QTest::addRow("only-space") << QByteArray("  \n") << syntax << 3ll << u"expected a value"_s;
    QTest::addRow("trailing-comma-array") << QByteArray("[1,2,]") << syntax << 5ll
                                          << u"trailing commas are not allowed"_s;
    QTest::addRow("trailing-comma-object") << QByteArray(R"({"a":1,})") << syntax << 7ll
                                           << u"trailing commas are not allowed"_s;
    QTest::addRow("line-comment") << QByteArray("[1, // one\n2]") << syntax << 4ll
                                  << u"comments are not allowed"_s;
    QTest::addRow("block-comment") << QByteArray("/* x */ 1") << syntax << 0ll
                                   << u"comments are not allowed"_s;
    QTest::addRow("NaN") << QByteArray("NaN") << syntax << 0ll << u"unexpected character 'N'"_s;
    QTest::addRow("Infinity") << QByteArray("[Infinity]") << syntax << 1ll << u"expected a value"_s;
    QTest::addRow("negative-infinity") << QByteArray("-Infinity") << syntax << 1ll
                                       << u"expected a digit after '-'"_s;
    QTest::addRow("single-quotes") << QByteArray("['a']") << syntax << 1ll << u"double quotes"_s;
    QTest::addRow("unquoted-key") << QByteArray("{a:1}") << syntax << 1ll
                                  << u"member names must be double-quoted"_s;
    QTest::addRow("missing-colon") << QByteArray(R"({"a" 1})") << syntax << 5ll << u"expected ':'"_s;
    QTest::addRow("missing-comma") << QByteArray("[1 2]") << syntax << 3ll << u"expected ',' or ']'"_s;
    QTest::addRow("missing-comma-object") << QByteArray(R"({"a":1 "b":2})") << syntax << 7ll
                                          << u"expected ',' or '}'"_s;
    QTest::addRow("unclosed-array") << QByteArray("[1,2") << syntax << 4ll
                                    << u"unexpected end of input"_s;
    QTest::addRow("unclosed-object") << QByteArray(R"({"a":1)") << syntax << 6ll
                                     << u"unexpected end of input"_s;
    QTest::addRow("mismatched") << QByteArray("[1}") << syntax << 2ll << u"unexpected character '}'"_s;
    QTest::addRow("two-values") << QByteArray("1 2") << syntax << 2ll
                                << u"expected the end of the input"_s;
    QTest::addRow("garbage-after") << QByteArray("{}x") << syntax << 2ll << u"unexpected character 'x'"_s;
    QTest::addRow("leading-zero") << QByteArray("012") << syntax << 1ll << u"leading zeros"_s;
    QTest::addRow("leading-plus") << QByteArray("+1") << syntax << 0ll << u"expected a value"_s;
    QTest::addRow("bare-point") << QByteArray(".5") << syntax << 0ll << u"expected a value"_s;
    QTest::addRow("point-no-digits") << QByteArray("1.") << syntax << 2ll
                                     << u"expected a digit after the decimal point"_s;
    QTest::addRow("exponent-no-digits") << QByteArray("1e+") << syntax << 3ll
                                        << u"expected a digit in the exponent"_s;
    QTest::addRow("hex-number") << QByteArray("0x10") << syntax << 1ll << u"unexpected character 'x'"_s;
    QTest::addRow("out-of-range") << QByteArray("[1e400]") << syntax << 1ll << u"number out of range"_s;
    QTest::addRow("out-of-range-negative") << QByteArray("-1.8e308") << syntax << 0ll
                                           << u"number out of range"_s;
    QTest::addRow("bad-literal") << QByteArray("[tru]") << syntax << 4ll << u"expected 'true'"_s;
    QTest::addRow("truncated-literal") << QByteArray("nul") << syntax << 3ll << u"expected 'null'"_s;
    QTest::addRow("capital-literal") << QByteArray("True") << syntax << 0ll << u"unexpected character 'T'"_s;
    QTest::addRow("unterminated-string") << QByteArray("[\"abc") << syntax << 5ll
                                         << u"the string that starts at byte 1 is not terminated"_s;
    QTest::addRow("raw-newline-in-string") << QByteArray("\"a\nb\"") << syntax << 2ll
                                           << u"unescaped control character U+000A"_s;
    QTest::addRow("raw-tab-in-string") << QByteArray("\"a\tb\"") << syntax << 2ll
                                       << u"unescaped control character U+0009"_s;
    QTest::addRow("bad-escape") << QByteArray(R"("ab\x")") << syntax << 3ll
                                << u"invalid escape sequence \\x"_s;
    QTest::addRow("short-unicode-escape") << QByteArray(R"("\u12")") << syntax << 1ll
                                          << u"four hex digits"_s;
    QTest::addRow("bad-hex-escape") << QByteArray(R"("\u12G4")") << syntax << 1ll
                                    << u"four hex digits"_s;
    QTest::addRow("lone-high-surrogate") << QByteArray(R"(["x\ud800"])") << syntax << 3ll
                                         << u"unpaired surrogate escape \\uD800"_s;
    QTest::addRow("high-then-other") << QByteArray(R"("\ud800\u0041")") << syntax << 1ll
                                     << u"unpaired surrogate"_s;
    QTest::addRow("lone-low-surrogate") << QByteArray(R"("\udc00")") << syntax << 1ll
                                        << u"unpaired surrogate escape \\uDC00"_s;
    QTest::addRow("key-not-string") << QByteArray("{1:2}") << syntax << 1ll
                                    << u"expected a member name or '}'"_s;
    QTest::addRow("nul-byte") << QByteArray("[1,\0]", 5) << syntax << 3ll
                              << u"unexpected character U+0000"_s;
    QTest::addRow("bom-in-middle") << QByteArray("[\xEF\xBB\xBF]") << syntax << 1ll
                                   << u"unexpected character"_s;
}

void tst_Json::rejectsInvalidDocuments()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, code);
    QFETCH(qint64, offset);
    QFETCH(QString, message);

    const Result<Value> result = Json::parse(input);
    QVERIFY2(!result, Json::serialize(result ? result.value() : Value()).constData());
    QCOMPARE(result.error().code, code);
    QCOMPARE(result.error().offset, offset);
    QVERIFY2(result.error().message.contains(message), qPrintable(result.error().message));
}

void tst_Json::errorMessageSaysWhereAndWhat()
{
    const QByteArray text = "{\n  \"a\": [1, 2],\n  \"b\": }";
    const Result<Value> result = Json::parse(text);
    QVERIFY(!result);
    QCOMPARE(result.error().offset, qint64(text.indexOf('}')));
    QCOMPARE(result.error().message,
             u"unexpected character '}' at byte 24 (line 3, column 8): expected a value"_s);

    // Columns count characters, not bytes.
    const Result<Value> wide = Json::parse("[\"\xC3\xA9\xC3\xA9\" x]");
    QVERIFY(!wide);
    QCOMPARE(wide.error().offset, qint64(8));
    QVERIFY2(wide.error().message.contains(u"(line 1, column 7)"_s), qPrintable(wide.error().message));
}

void tst_Json::roundTripsCanonicalText_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addRow("record") << QByteArray(
        R"({"id":12345678901234567890,"name":"Zo\u00eb \"Z\"","tags":["a","b"],"price":19.99,"qty":3,"ok":true,"note":null})");
    QTest::addRow("numbers") << QByteArray(R"([0,-1,0.5,1e+21,1e-7,123.456,-12345678901234567891,5e-324])");
    QTest::addRow("deep") << nested(40, '[', ']');
    QTest::addRow("controls") << QByteArray(R"("\u0000\u0007\b\t\n\u000b\f\r\u001b")");
    QTest::addRow("unicode") << QByteArray("{\"\xE2\x82\xAC\":\"\xF0\x9F\x98\x80\xE4\xB8\xAD\"}");
    QTest::addRow("many-members") << [] {
        QByteArray text = "{";
        for (int i = 0; i < 200; ++i)
            text += QByteArray(i ? "," : "") + "\"k" + QByteArray::number(i) + "\":" + QByteArray::number(i);
        return text + "}";
    }();
}

void tst_Json::roundTripsCanonicalText()
{
    QFETCH(QByteArray, text);
    // \u00eb is not canonical (JSON.stringify writes the character); compare with that.
    QByteArray canonical = text;
    canonical.replace("\\u00eb", "\xC3\xAB");
    QCOMPARE(compact(text), canonical);
    QCOMPARE(compact(canonical), canonical);
}

void tst_Json::keepsKeyOrder()
{
    const Result<Value> v = Json::parse(R"({"z":1,"a":2,"m":{"y":1,"b":2},"c":3})");
    QVERIFY(v);
    const Object &object = v->toObject();
    QStringList keys;
    for (const auto &[key, value] : object)
        keys.append(key);
    QCOMPARE(keys, (QStringList{u"z"_s, u"a"_s, u"m"_s, u"c"_s}));
    QCOMPARE(Json::serialize(*v), QByteArray(R"({"z":1,"a":2,"m":{"y":1,"b":2},"c":3})"));
}

void tst_Json::duplicateKeysLastWins()
{
    // As JSON.parse: the last value, at the first key's position.
    QCOMPARE(compact(R"({"a":1,"b":2,"a":3})"), QByteArray(R"({"a":3,"b":2})"));
    QCOMPARE(compact(R"({"a":{"x":1},"a":[2],"c":{"d":1,"d":{"e":5}}})"),
             QByteArray(R"({"a":[2],"c":{"d":{"e":5}}})"));
    const Result<Value> v = Json::parse(R"({"a":1,"a":2,"a":3})");
    QVERIFY(v);
    QCOMPARE(v->size(), 1);
    QCOMPARE((*v)[u"a"].toDouble(), 3.0);
}

void tst_Json::duplicateKeysRejected()
{
    Json::ReadOptions options;
    options.duplicateKeys = Json::DuplicateKeys::Reject;
    const QByteArray text = "{\"a\":1,\n \"b\":{\"c\":1,\"c\":2}}";
    const Result<Value> result = Json::parse(text, options);
    QVERIFY(!result);
    QCOMPARE(result.error().code, u"json_duplicate_key"_s);
    QCOMPARE(result.error().offset, qint64(text.lastIndexOf("\"c\"")));
    QCOMPARE(result.error().message,
             u"duplicate key \"c\" at byte 20 (line 2, column 13): "
             "the object already has a member with this name"_s);
    // Same keys in sibling objects are fine.
    QVERIFY(Json::parse(R"([{"a":1},{"a":2}])", options));
}

void tst_Json::duplicateKeysInLargeObjects()
{
    QByteArray text = "{";
    for (int i = 0; i < 100; ++i)
        text += "\"k" + QByteArray::number(i) + "\":" + QByteArray::number(i) + ",";
    const qsizetype duplicateAt = text.size();
    text += "\"k42\":\"again\",\"last\":true}";

    const Result<Value> lastWins = Json::parse(text);
    QVERIFY(lastWins);
    QCOMPARE(lastWins->size(), 101);
    QCOMPARE((*lastWins)[u"k42"].toString(), u"again"_s);
    QCOMPARE(lastWins->toObject().indexOf(u"k42"), 42);
    QCOMPARE(lastWins->toObject().memberAt(100).first, u"last"_s);

    Json::ReadOptions options;
    options.duplicateKeys = Json::DuplicateKeys::Reject;
    const Result<Value> rejected = Json::parse(text, options);
    QVERIFY(!rejected);
    QCOMPARE(rejected.error().code, u"json_duplicate_key"_s);
    QCOMPARE(rejected.error().offset, qint64(duplicateAt));
    QVERIFY(rejected.error().message.contains(u"\"k42\""_s));
}

void tst_Json::sharesRepeatedKeys()
{
    const Result<Value> v = Json::parse(R"([{"name":"a","id":1},{"name":"b","id":2}])");
    QVERIFY(v);
    const QString &first = v->at(0).toObject().memberAt(0).first;
    const QString &second = v->at(1).toObject().memberAt(0).first;
    QCOMPARE(first, u"name"_s);
    QCOMPARE(second, u"name"_s);
    QCOMPARE(first.constData(), second.constData()); // one shared string, not two
}

void tst_Json::keepsBigIntegersExact_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("exact");
    QTest::addRow("beyond-2^64") << QByteArray("12345678901234567890") << true;
    QTest::addRow("negative") << QByteArray("-12345678901234567890") << true;
    QTest::addRow("2^53+1") << QByteArray("9007199254740993") << true;
    QTest::addRow("2^53") << QByteArray("9007199254740992") << false; // either way is exact
    QTest::addRow("40-digits") << QByteArray("1234567890123456789012345678901234567890") << true;
    QTest::addRow("15-digits") << QByteArray("999999999999999") << false;
}

void tst_Json::keepsBigIntegersExact()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, exact);
    const Result<Value> v = Json::parse(text);
    QVERIFY(v);
    QVERIFY(v->isNumber());
    QCOMPARE(v->hasExactText(), Value::numberFromText(QString::fromLatin1(text)).hasExactText());
    if (exact)
        QVERIFY(v->hasExactText());
    QCOMPARE(Json::serialize(*v), text);
    QCOMPARE(v->toDouble(), text.toDouble());
    QCOMPARE(compact("{\"id\":" + text + "}"), "{\"id\":" + text + "}");
}

void tst_Json::formatsNumbersLikeJavaScript_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("expected"); // JSON.stringify(JSON.parse(text))
    QTest::addRow("1e21") << QByteArray("1e21") << QByteArray("1e+21");
    QTest::addRow("1e20") << QByteArray("1e20") << QByteArray("100000000000000000000");
    QTest::addRow("1e-7") << QByteArray("1e-7") << QByteArray("1e-7");
    QTest::addRow("1e-6") << QByteArray("0.000001") << QByteArray("0.000001");
    QTest::addRow("0.1") << QByteArray("0.1") << QByteArray("0.1");
    QTest::addRow("-0") << QByteArray("-0") << QByteArray("0");
    QTest::addRow("-0.0") << QByteArray("-0.0") << QByteArray("0");
    QTest::addRow("5e-324") << QByteArray("5e-324") << QByteArray("5e-324");
    QTest::addRow("max") << QByteArray("1.7976931348623157e308") << QByteArray("1.7976931348623157e+308");
    QTest::addRow("underflow") << QByteArray("1e-400") << QByteArray("0");
    QTest::addRow("denormal-rounding") << QByteArray("2.5e-324") << QByteArray("5e-324");
    QTest::addRow("1.0") << QByteArray("1.0") << QByteArray("1");
    QTest::addRow("1.50") << QByteArray("1.50") << QByteArray("1.5");
    QTest::addRow("0.1+0.2") << QByteArray("0.30000000000000004") << QByteArray("0.30000000000000004");
    QTest::addRow("big-float") << QByteArray("1.5e300") << QByteArray("1.5e+300");
    QTest::addRow("exp-integral") << QByteArray("1e15") << QByteArray("1000000000000000");
    QTest::addRow("long-fraction") << QByteArray("3.141592653589793238462643") << QByteArray("3.141592653589793");
    QTest::addRow("negative-fraction") << QByteArray("-123.456e-2") << QByteArray("-1.23456");
}

void tst_Json::formatsNumbersLikeJavaScript()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, expected);
    QCOMPARE(compact(text), expected);
}

void tst_Json::depthLimit_data()
{
    QTest::addColumn<char>("open");
    QTest::addColumn<char>("close");
    QTest::addRow("arrays") << '[' << ']';
    QTest::addRow("objects") << '{' << '}';
}

void tst_Json::depthLimit()
{
    QFETCH(char, open);
    QFETCH(char, close);

    const QByteArray ok = nested(512, open, close);
    const Result<Value> atLimit = Json::parse(ok);
    QVERIFY2(atLimit, qPrintable(atLimit ? QString() : atLimit.error().message));
    QCOMPARE(Json::serialize(*atLimit), ok);

    const QByteArray deep = nested(513, open, close);
    const Result<Value> tooDeep = Json::parse(deep);
    QVERIFY(!tooDeep);
    QCOMPARE(tooDeep.error().code, u"json_limit"_s);
    QCOMPARE(tooDeep.error().offset, qint64(open == '[' ? 512 : 512 * 5));
    QVERIFY(tooDeep.error().message.contains(u"nesting deeper than 512 levels"_s));

    Json::ReadOptions options;
    options.maxDepth = 3;
    QVERIFY(Json::parse(nested(3, open, close), options));
    QCOMPARE(Json::parse(nested(4, open, close), options).error().code, u"json_limit"_s);

    // The parser keeps its own stack, so a raised limit is not bounded by the thread's.
    options.maxDepth = 20000;
    const Result<Value> veryDeep = Json::parse(nested(20000, '[', ']'), options);
    QVERIFY(veryDeep);
}

void tst_Json::sizeLimit()
{
    Json::ReadOptions options;
    options.maxBytes = 10;
    QVERIFY(Json::parse("[1,2,3,45]", options));
    const Result<Value> tooLarge = Json::parse("[1,2,3,456]", options);
    QVERIFY(!tooLarge);
    QCOMPARE(tooLarge.error().code, u"json_limit"_s);
    QCOMPARE(tooLarge.error().offset, qint64(10));
    QCOMPARE(tooLarge.error().message, u"the input is 11 bytes, larger than the limit of 10 bytes"_s);
    QCOMPARE(Json::ReadOptions().maxBytes, qint64(256) * 1024 * 1024);
}

void tst_Json::rejectsInvalidUtf8_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<qint64>("offset");
    QTest::addRow("ff") << QByteArray("\"ab\xFF\"") << 3ll;
    QTest::addRow("lone-continuation") << QByteArray("[\"x\", \"\x80\"]") << 7ll;
    QTest::addRow("overlong-nul") << QByteArray("\"\xC0\x80\"") << 1ll;
    QTest::addRow("overlong-3") << QByteArray("\"\xE0\x80\xAF\"") << 1ll;
    QTest::addRow("surrogate") << QByteArray("\"a\xED\xA0\x80\"") << 2ll;
    QTest::addRow("beyond-10ffff") << QByteArray("\"\xF4\x90\x80\x80\"") << 1ll;
    QTest::addRow("truncated-sequence") << QByteArray("\"\xE2\x82\"") << 1ll;
    QTest::addRow("truncated-at-end") << QByteArray("\"\xE2\x82") << 1ll;
    QTest::addRow("in-key") << QByteArray("{\"k\xFE\":1}") << 3ll;
    QTest::addRow("outside-string") << QByteArray("[\xC3]") << 1ll;
    QTest::addRow("latin1-text") << QByteArray("{\"name\":\"Jos\xE9\"}") << 12ll;
}

void tst_Json::rejectsInvalidUtf8()
{
    QFETCH(QByteArray, input);
    QFETCH(qint64, offset);
    const Result<Value> result = Json::parse(input);
    QVERIFY(!result);
    QCOMPARE(result.error().code, u"json_syntax"_s);
    QCOMPARE(result.error().offset, offset);
    QVERIFY2(result.error().message.contains(u"UTF-8"_s), qPrintable(result.error().message));
}

void tst_Json::skipsByteOrderMark()
{
    QCOMPARE(compact("\xEF\xBB\xBF{\"a\":1}"), QByteArray(R"({"a":1})"));
    QCOMPARE(compact("\xEF\xBB\xBF 7"), QByteArray("7"));
    // Offsets still count the mark's three bytes.
    const Result<Value> bad = Json::parse("\xEF\xBB\xBF[1,]");
    QVERIFY(!bad);
    QCOMPARE(bad.error().offset, qint64(6));
    QVERIFY(bad.error().message.contains(u"(line 1, column 4)"_s));
    QVERIFY(!Json::parse("\xEF\xBB\xBF"));
}

void tst_Json::decodesStrings_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expected");
    QTest::addRow("ascii") << QByteArray(R"("hello")") << u"hello"_s;
    QTest::addRow("latin") << QByteArray("\"caf\xC3\xA9\"") << u"café"_s;
    QTest::addRow("emoji") << QByteArray("\"\xF0\x9F\x98\x80!\"") << u"😀!"_s;
    QTest::addRow("escape-and-utf8") << QByteArray("\"\xC3\xA9\\n\xE2\x82\xAC\"") << u"é\n€"_s;
    QTest::addRow("escaped-pair") << QByteArray(R"("a\uD83D\uDE00b")") << u"a😀b"_s;
    QTest::addRow("escaped-nul") << QByteArray(R"("\u0000")") << QString(QChar(u'\0'));
    QTest::addRow("slash") << QByteArray(R"("a\/b")") << u"a/b"_s;
}

void tst_Json::decodesStrings()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);
    const Result<Value> v = Json::parse(input);
    QVERIFY(v);
    QCOMPARE(v->toString(), expected);
    const Result<Value> key = Json::parse("{" + input + ":0}");
    QVERIFY(key);
    QCOMPARE(key->toObject().memberAt(0).first, expected);
}

void tst_Json::serializesLikeJsonStringify_data()
{
    QTest::addColumn<Value>("value");
    QTest::addColumn<QByteArray>("expected");

    QTest::addRow("null") << Value(nullptr) << QByteArray("null");
    QTest::addRow("nan") << Value(std::nan("")) << QByteArray("null");
    QTest::addRow("infinity") << Value(std::numeric_limits<double>::infinity()) << QByteArray("null");
    QTest::addRow("-infinity") << Value(-std::numeric_limits<double>::infinity()) << QByteArray("null");
    QTest::addRow("int64") << Value(qint64(-1234567890123456789)) << QByteArray("-1234567890123456789");
    QTest::addRow("uint64-max") << Value(std::numeric_limits<quint64>::max())
                                << QByteArray("18446744073709551615");
    QTest::addRow("escapes") << Value(u"\"\\\b\f\n\r\t/"_s) << QByteArray(R"("\"\\\b\f\n\r\t/")");
    QTest::addRow("controls") << Value(QString(QChar(0x01)) + QChar(0x1f) + QChar(0x7f))
                              << QByteArray("\"\\u0001\\u001f\x7f\"");
    QTest::addRow("lone-high") << Value(QString(QChar(0xd800)) + u"x"_s) << QByteArray(R"("\ud800x")");
    QTest::addRow("lone-low") << Value(QString(QChar(0xdc01))) << QByteArray(R"("\udc01")");
    QTest::addRow("reversed-pair") << Value(QString(QChar(0xde00)) + QChar(0xd83d))
                                   << QByteArray(R"("\ude00\ud83d")");
    QTest::addRow("pair") << Value(u"😀"_s) << QByteArray("\"\xF0\x9F\x98\x80\"");
    QTest::addRow("bmp") << Value(u"é€\u2028"_s) << QByteArray("\"\xC3\xA9\xE2\x82\xAC\xE2\x80\xA8\"");
    QTest::addRow("nested") << Value(Object{{u"a"_s, Value(Array{Value(1), Value(u"b"_s), Value(Object{})})},
                                            {u"c"_s, Value(Array{})}})
                            << QByteArray(R"({"a":[1,"b",{}],"c":[]})");
}

void tst_Json::serializesLikeJsonStringify()
{
    QFETCH(Value, value);
    QFETCH(QByteArray, expected);
    QCOMPARE(Json::serialize(value), expected);
}

void tst_Json::serializesPretty_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("indent");
    QTest::addColumn<QByteArray>("expected"); // JSON.stringify(JSON.parse(input), null, indent)

    QTest::addRow("scalar") << QByteArray("1") << 2 << QByteArray("1");
    QTest::addRow("empty") << QByteArray(R"({"a":[],"b":{}})") << 2
                           << QByteArray("{\n  \"a\": [],\n  \"b\": {}\n}");
    QTest::addRow("nested") << QByteArray(R"([1,{"a":[true,null]},"x"])") << 2
                            << QByteArray("[\n  1,\n  {\n    \"a\": [\n      true,\n      null\n    ]\n  },\n  \"x\"\n]");
    QTest::addRow("indent-4") << QByteArray(R"({"a":{"b":1}})") << 4
                              << QByteArray("{\n    \"a\": {\n        \"b\": 1\n    }\n}");
    QTest::addRow("indent-0-is-compact") << QByteArray(R"({"a":[1,2]})") << 0
                                         << QByteArray(R"({"a":[1,2]})");
    QTest::addRow("indent-clamped-to-10") << QByteArray("[1]") << 20
                                          << QByteArray("[\n          1\n]");
}

void tst_Json::serializesPretty()
{
    QFETCH(QByteArray, input);
    QFETCH(int, indent);
    QFETCH(QByteArray, expected);
    const Result<Value> v = Json::parse(input);
    QVERIFY(v);
    Json::WriteOptions options;
    options.pretty = true;
    options.indent = indent;
    QCOMPARE(Json::serialize(*v, options), expected);
}

void tst_Json::serializeSkipsUndefinedAndFunctions()
{
    const Value function(new Function);
    Object object;
    object.append(u"a"_s, Value());
    object.append(u"b"_s, Value(1));
    object.append(u"f"_s, function);
    object.append(u"c"_s, Value(Array{Value(), function, Value(2)}));
    QCOMPARE(Json::serialize(Value(object)), QByteArray(R"({"b":1,"c":[null,null,2]})"));

    const Value onlySkipped(Object{{u"a"_s, Value()}, {u"f"_s, function}});
    QCOMPARE(Json::serialize(onlySkipped), QByteArray("{}"));
    Json::WriteOptions pretty;
    pretty.pretty = true;
    QCOMPARE(Json::serialize(onlySkipped, pretty), QByteArray("{}"));

    // At the top level JSON.stringify gives undefined: nothing is written.
    QCOMPARE(Json::serialize(Value()), QByteArray());
    QCOMPARE(Json::serialize(function), QByteArray());
}

void tst_Json::serializeAsciiOnly()
{
    Json::WriteOptions options;
    options.asciiOnly = true;
    const Value v(Object{{u"clé"_s, Value(u"é€😀\n"_s)}});
    const QByteArray text = Json::serialize(v, options);
    QCOMPARE(text, QByteArray(R"({"cl\u00e9":"\u00e9\u20ac\ud83d\ude00\n"})"));
    const Result<Value> back = Json::parse(text);
    QVERIFY(back);
    QCOMPARE(*back, v);
}

void tst_Json::serializeAppends()
{
    QByteArray out = "prefix:";
    Json::serialize(Value(Array{Value(1)}), out);
    Json::serialize(Value(u"x"_s), out);
    QCOMPARE(out, QByteArray("prefix:[1]\"x\""));
}

void tst_Json::serializesLongStrings()
{
    // Longer than the writer's segment, with a surrogate pair across the boundary.
    QString s(4095, u'a');
    s += u"😀"_s;
    s += QString(5000, u'é');
    s += u'"';
    const QByteArray text = Json::serialize(Value(s));
    QCOMPARE(text.size(), qsizetype(1 + 4095 + 4 + 10000 + 2 + 1));
    const Result<Value> back = Json::parse(text);
    QVERIFY(back);
    QCOMPARE(back->toString(), s);
}

void tst_Json::streamModes_data()
{
    using Mode = JsonStreamReader::Mode;
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<Mode>("mode");
    QTest::addColumn<QByteArray>("records");   // serialized, joined by '|'
    QTest::addColumn<QString>("code");         // empty: no error
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<QString>("message");

    const QString syntax = u"json_syntax"_s;
    QTest::addRow("auto-array") << QByteArray(" [1, {\"a\" : [2]}, \"s,]\", null,true ] \n") << Mode::Auto
                                << QByteArray(R"(1|{"a":[2]}|"s,]"|null|true)") << QString() << -1ll << QString();
    QTest::addRow("auto-empty-array") << QByteArray(" [ ] ") << Mode::Auto << QByteArray() << QString() << -1ll
                                      << QString();
    QTest::addRow("auto-empty-input") << QByteArray() << Mode::Auto << QByteArray() << QString() << -1ll << QString();
    QTest::addRow("auto-blank-input") << QByteArray(" \r\n\t") << Mode::Auto << QByteArray() << QString() << -1ll
                                      << QString();
    QTest::addRow("auto-values") << QByteArray("1 -2.5e3\n\"x\"") << Mode::Auto << QByteArray(R"(1|-2500|"x")")
                                 << QString() << -1ll << QString();
    QTest::addRow("concatenated") << QByteArray(R"({"a":1}{"b":"}"}"s"[3])") << Mode::Auto
                                  << QByteArray(R"({"a":1}|{"b":"}"}|"s"|[3])") << QString() << -1ll << QString();
    QTest::addRow("pretty-documents") << QByteArray("{\n  \"a\": [\n    1\n  ]\n}\n{\n  \"b\": {}\n}\n") << Mode::Auto
                                      << QByteArray(R"({"a":[1]}|{"b":{}})") << QString() << -1ll << QString();
    QTest::addRow("escaped-quotes") << QByteArray(R"(["a\"]\\", {"k\"":"\\"}])") << Mode::Auto
                                    << QByteArray(R"("a\"]\\"|{"k\"":"\\"})") << QString() << -1ll << QString();
    QTest::addRow("bom") << QByteArray("\xEF\xBB\xBF[1,2]") << Mode::Auto << QByteArray("1|2") << QString() << -1ll
                         << QString();
    QTest::addRow("values-mode-on-array") << QByteArray("[1,2] [3]") << Mode::Values << QByteArray("[1,2]|[3]")
                                          << QString() << -1ll << QString();
    QTest::addRow("single") << QByteArray("\n{\"a\":1}\n") << Mode::Single << QByteArray(R"({"a":1})") << QString()
                            << -1ll << QString();
    QTest::addRow("single-array") << QByteArray("[1,2]") << Mode::Single << QByteArray("[1,2]") << QString() << -1ll
                                  << QString();
    QTest::addRow("single-trailing") << QByteArray(R"({"a":1} 2)") << Mode::Single << QByteArray(R"({"a":1})")
                                     << syntax << 8ll
                                     << u"unexpected character '2' at byte 8 (line 1, column 9) in record 1: "
                                        "expected the end of the input after the top-level value"_s;
    QTest::addRow("single-empty") << QByteArray("  ") << Mode::Single << QByteArray() << syntax << 2ll
                                  << u"unexpected end of input at byte 2 (line 1, column 3) in record 0: expected a value"_s;
    QTest::addRow("array-mode-not-array") << QByteArray("{}") << Mode::ArrayItems << QByteArray() << syntax << 0ll
                                          << u"expected '['"_s;
    QTest::addRow("truncated-array") << QByteArray(R"([{"a":1},{"b":)") << Mode::Auto << QByteArray(R"({"a":1})")
                                     << syntax << 14ll
                                     << u"unexpected end of input at byte 14 (line 1, column 15) in record 1: expected a value"_s;
    QTest::addRow("truncated-after-item") << QByteArray("[1,2") << Mode::Auto << QByteArray("1|2") << syntax << 4ll
                                          << u"in record 2: expected ',' or ']'"_s;
    QTest::addRow("truncated-string") << QByteArray("[\"abc") << Mode::Auto << QByteArray() << syntax << 5ll
                                      << u"the string that starts at byte 1 is not terminated"_s;
    QTest::addRow("trailing-comma") << QByteArray("[1,2,]") << Mode::Auto << QByteArray("1|2") << syntax << 5ll
                                    << u"trailing commas are not allowed"_s;
    QTest::addRow("missing-comma") << QByteArray("[1 2]") << Mode::Auto << QByteArray("1") << syntax << 3ll
                                   << u"unexpected character '2' at byte 3 (line 1, column 4) in record 1: "
                                      "expected ',' or ']' after an array item"_s;
    QTest::addRow("after-array") << QByteArray("[1]\n[2]") << Mode::Auto << QByteArray("1") << syntax << 4ll
                                 << u"read as the items of one array"_s;
    QTest::addRow("bad-record") << QByteArray("{\"a\":1}\n{\"a\":}\n") << Mode::Auto << QByteArray(R"({"a":1})")
                                << syntax << 13ll
                                << u"unexpected character '}' at byte 13 (line 2, column 6) in record 1: expected a value"_s;
    QTest::addRow("cut-literal") << QByteArray("[tru,1]") << Mode::Auto << QByteArray() << syntax << 4ll
                                 << u"unexpected character ',' at byte 4 (line 1, column 5) in record 0: expected 'true'"_s;
    QTest::addRow("glued-scalar") << QByteArray("[123abc]") << Mode::Auto << QByteArray() << syntax << 4ll
                                  << u"unexpected character 'a'"_s;
    QTest::addRow("stray-character") << QByteArray("1\n}\n") << Mode::Auto << QByteArray("1") << syntax << 2ll
                                     << u"unexpected character '}' at byte 2 (line 2, column 1) in record 1"_s;
    QTest::addRow("invalid-utf8") << QByteArray("[\"ok\",\"a\xFF\"]") << Mode::Auto << QByteArray(R"("ok")") << syntax
                                  << 8ll << u"invalid UTF-8 byte 0xFF in a string at byte 8"_s;
    QTest::addRow("duplicate-key-last-wins") << QByteArray(R"({"a":1,"a":2})") << Mode::Auto << QByteArray(R"({"a":2})")
                                             << QString() << -1ll << QString();
}

void tst_Json::streamModes()
{
    QFETCH(QByteArray, input);
    QFETCH(JsonStreamReader::Mode, mode);
    QFETCH(QByteArray, records);
    QFETCH(QString, code);
    QFETCH(qint64, offset);
    QFETCH(QString, message);

    // Record boundaries must not depend on where the chunks split the input.
    for (const qint64 chunk : {qint64(1), qint64(2), qint64(3), qint64(7), qint64(65536)}) {
        JsonStreamReader::Options options;
        options.mode = mode;
        options.chunkSize = chunk;
        const StreamResult result = readAll(input, options);
        const QByteArray label = "chunk size " + QByteArray::number(chunk);
        QVERIFY2(result.records.join('|') == records,
                 (label + ": " + result.records.join('|')).constData());
        if (code.isEmpty()) {
            QVERIFY2(!result.error, qPrintable(messageOf(result.error)));
            continue;
        }
        QVERIFY2(result.error, label.constData());
        QCOMPARE(result.error->code, code);
        QCOMPARE(result.error->offset, offset);
        QVERIFY2(result.error->message.contains(message), qPrintable(result.error->message));
        QCOMPARE(result.recordIndex, qint64(result.records.size()));
    }
}

void tst_Json::streamsManySmallObjectsInSmallChunks()
{
    QByteArray text = "[";
    for (int i = 0; i < 100000; ++i)
        text += QByteArray(i ? ",\n " : "") + R"({"id":)" + QByteArray::number(i) + R"(,"name":"n)" + QByteArray::number(i)
            + R"(","ok":true})";
    text += "]";

    QBuffer buffer(&text);
    QVERIFY(buffer.open(QIODevice::ReadOnly));
    JsonStreamReader::Options options;
    options.chunkSize = 100;
    JsonStreamReader reader(&buffer, options);
    Value record;
    qint64 count = 0;
    qint64 largestBuffer = 0;
    while (reader.next(record)) {
        QCOMPARE(record[u"id"].toInt64(-1), count);
        QCOMPARE(record[u"name"].toString(), u"n"_s + QString::number(count));
        QCOMPARE(reader.recordIndex(), count + 1);
        largestBuffer = std::max(largestBuffer, reader.bufferCapacity());
        ++count;
    }
    QVERIFY2(!reader.error(), qPrintable(messageOf(reader.error())));
    QVERIFY(reader.atEnd());
    QCOMPARE(count, 100000);
    QCOMPARE(reader.mode(), JsonStreamReader::Mode::ArrayItems);
    QCOMPARE(reader.bytesRead(), qint64(text.size()));
    QVERIFY2(largestBuffer <= 1024, QByteArray::number(largestBuffer).constData());
    QVERIFY(!reader.next(record)); // stays at the end
}

void tst_Json::streamsNdjsonWithBlankLines()
{
    const QByteArray text = "\n{\"a\":1}\n\n   \n{\"a\":2,\"b\":[1,2]}\r\n\t\n3\n\"x\"\ntrue\nnull";
    const StreamResult result = readAll(text, {});
    QVERIFY(!result.error);
    QCOMPARE(result.records, (QList<QByteArray>{R"({"a":1})", R"({"a":2,"b":[1,2]})", "3", "\"x\"", "true", "null"}));
}

void tst_Json::streamErrorSaysLineColumnAndRecord()
{
    QByteArray text;
    for (int i = 0; i < 5000; ++i)
        text += R"({"i":)" + QByteArray::number(i) + R"(,"s":"\u00e9t\u00e9 )" "\xC3\xA9t\xC3\xA9" R"("})" + "\n";
    const qsizetype badAt = text.size() + 14;
    text += "{\"i\":5000,\"s\":\xC3\xA9}\n"; // an unquoted string on line 5001
    text += "{\"i\":5001}\n";

    for (const qint64 chunk : {qint64(13), qint64(4096)}) {
        JsonStreamReader::Options options;
        options.chunkSize = chunk;
        const StreamResult result = readAll(text, options);
        QCOMPARE(result.records.size(), 5000);
        QVERIFY(result.error);
        QCOMPARE(result.error->offset, qint64(badAt));
        QCOMPARE(result.recordIndex, 5000);
        QCOMPARE(result.error->message,
                 u"unexpected character 'é' at byte "_s + QString::number(badAt)
                     + u" (line 5001, column 15) in record 5000: expected a value"_s);
    }

    // A column that continues a line already dropped from the buffer.
    QByteArray longLine = "[";
    for (int i = 0; i < 2000; ++i)
        longLine += "\"\xC3\xA9\",";
    const qsizetype column = 1 + 2000 * 4 + 1;
    longLine += "}";
    JsonStreamReader::Options options;
    options.chunkSize = 64;
    const StreamResult result = readAll(longLine, options);
    QVERIFY(result.error);
    QVERIFY2(result.error->message.contains(u"(line 1, column "_s + QString::number(column) + u")"_s),
             qPrintable(result.error->message));
}

void tst_Json::streamFromOneByteDevice()
{
    const QByteArray array = "[{\"a\":\"\xE2\x82\xAC\"}, 12345678901234567890, [true]]";
    TrickleDevice arrayDevice(array, 1);
    const StreamResult fromArray = readAll(&arrayDevice, {});
    QVERIFY(!fromArray.error);
    QCOMPARE(fromArray.records,
             (QList<QByteArray>{"{\"a\":\"\xE2\x82\xAC\"}", "12345678901234567890", "[true]"}));
    QVERIFY(arrayDevice.reads >= array.size());

    TrickleDevice linesDevice("{\"x\":1}\n\n{\"x\":2}\n", 1);
    const StreamResult fromLines = readAll(&linesDevice, {});
    QVERIFY(!fromLines.error);
    QCOMPARE(fromLines.records, (QList<QByteArray>{R"({"x":1})", R"({"x":2})"}));

    TrickleDevice truncated("[1,{\"a\":", 1);
    const StreamResult fromTruncated = readAll(&truncated, {});
    QVERIFY(fromTruncated.error);
    QCOMPARE(fromTruncated.recordIndex, 1);
    QCOMPARE(fromTruncated.error->offset, 8);
}

void tst_Json::streamTimesOutOnStalledDevice()
{
    StalledDevice device("[1,2,");
    JsonStreamReader::Options options;
    options.readTimeoutMs = 50;
    const StreamResult result = readAll(&device, options);
    QCOMPARE(result.records, (QList<QByteArray>{"1", "2"}));
    QVERIFY(result.error);
    QCOMPARE(result.error->code, u"json_io"_s);
    QCOMPARE(result.error->offset, 5);
    QVERIFY2(result.error->message.contains(u"no input for 50 ms"_s), qPrintable(result.error->message));
}

void tst_Json::streamReturnsRecordsWithoutWaitingForMore()
{
    // A live NDJSON feed: each complete line is returned at once, before more arrives.
    StalledDevice device("7\n{\"a\":1}\n");
    JsonStreamReader::Options options;
    options.readTimeoutMs = 20;
    JsonStreamReader reader(&device, options);
    Value record;
    QVERIFY(reader.next(record));
    QCOMPARE(record, Value(7));
    QVERIFY(reader.next(record));
    QCOMPARE(Json::serialize(record), QByteArray(R"({"a":1})"));
    QCOMPARE(device.waits, 0);
    QVERIFY(!reader.next(record));
    QCOMPARE(device.waits, 1);
    QCOMPARE(reader.error()->code, u"json_io"_s);
}

void tst_Json::streamRefusesClosedDevice()
{
    QBuffer closed;
    const StreamResult result = readAll(&closed, {});
    QVERIFY(result.error);
    QCOMPARE(result.error->code, u"json_io"_s);
}

void tst_Json::streamsLargeFileInBoundedMemory()
{
    // ~36 MB of records with one 2 MB record in the middle, written by the stream writer.
    QTemporaryFile file;
    QVERIFY(file.open());
    const int count = 300000;
    const QString big(2 * 1024 * 1024, u'x');
    {
        JsonStreamWriter writer(&file, JsonStreamWriter::Format::Array);
        for (int i = 0; i < count; ++i) {
            Object record;
            record.append(u"id"_s, Value(i));
            record.append(u"name"_s, Value(u"customer number "_s + QString::number(i)));
            record.append(u"email"_s, Value(u"someone"_s + QString::number(i) + u"@example.com"_s));
            record.append(u"balance"_s, Value(i * 0.25));
            record.append(u"tags"_s, Value(Array{Value(u"a"_s), Value(u"b"_s)}));
            if (i == count / 2)
                record.append(u"blob"_s, Value(big));
            QVERIFY(writer.write(Value(std::move(record))));
        }
        QVERIFY(writer.finish());
        QCOMPARE(writer.recordCount(), count);
    }
    const qint64 size = file.size();
    QVERIFY(size > 30 * 1000 * 1000);
    QVERIFY(file.seek(0));

    JsonStreamReader reader(&file);
    Value record;
    qint64 n = 0;
    qint64 largest = 0;
    qint64 largestAfterBlob = 0;
    while (reader.next(record)) {
        QCOMPARE(record[u"id"].toInt64(-1), n);
        if (n == count / 2)
            QCOMPARE(record[u"blob"].toString().size(), big.size());
        largest = std::max(largest, reader.bufferCapacity());
        if (n > count / 2 + 2000) // past what the chunk holding the blob brought along
            largestAfterBlob = std::max(largestAfterBlob, reader.bufferCapacity());
        ++n;
    }
    QVERIFY2(!reader.error(), qPrintable(messageOf(reader.error())));
    QCOMPARE(n, count);
    QCOMPARE(reader.bytesRead(), size);
    // The buffer grows to the largest record, not the file, and shrinks back after it.
    QVERIFY2(largest < 2 * big.size() + 4 * 64 * 1024, QByteArray::number(largest).constData());
    QVERIFY2(largestAfterBlob <= 4 * 64 * 1024, QByteArray::number(largestAfterBlob).constData());
}

void tst_Json::streamWriterFormats_data()
{
    QTest::addColumn<JsonStreamWriter::Format>("format");
    QTest::addColumn<bool>("pretty");
    QTest::addColumn<QList<Value>>("records");
    QTest::addColumn<QByteArray>("expected");

    using Format = JsonStreamWriter::Format;
    const QList<Value> records = {Value(Object{{u"a"_s, Value(1)}, {u"u"_s, Value()}}), Value(), Value(u"s"_s),
                                  Value(Array{Value(true)})};
    QTest::addRow("array") << Format::Array << false << records << QByteArray(R"([{"a":1},null,"s",[true]])");
    QTest::addRow("array-pretty") << Format::Array << true << records
                                  << QByteArray("[\n  {\n    \"a\": 1\n  },\n  null,\n  \"s\",\n  [\n    true\n  ]\n]");
    QTest::addRow("array-empty") << Format::Array << false << QList<Value>() << QByteArray("[]");
    QTest::addRow("array-empty-pretty") << Format::Array << true << QList<Value>() << QByteArray("[]");
    QTest::addRow("lines") << Format::Lines << false << records << QByteArray("{\"a\":1}\n\"s\"\n[true]\n");
    QTest::addRow("lines-ignore-pretty") << Format::Lines << true << records
                                         << QByteArray("{\"a\":1}\n\"s\"\n[true]\n");
    QTest::addRow("lines-empty") << Format::Lines << false << QList<Value>() << QByteArray();
}

void tst_Json::streamWriterFormats()
{
    QFETCH(JsonStreamWriter::Format, format);
    QFETCH(bool, pretty);
    QFETCH(QList<Value>, records);
    QFETCH(QByteArray, expected);

    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    Json::WriteOptions options;
    options.pretty = pretty;
    JsonStreamWriter writer(&buffer, format, options);
    for (const Value &record : records)
        QVERIFY(writer.write(record));
    QVERIFY(writer.finish());
    QVERIFY(writer.finish()); // once is enough; twice does no harm
    QCOMPARE(buffer.data(), expected);
    QVERIFY(!writer.write(Value(1))); // finished

    if (format == JsonStreamWriter::Format::Array) {
        // Same bytes as serializing the whole array at once.
        Array all(records.begin(), records.end());
        QCOMPARE(buffer.data(), Json::serialize(Value(std::move(all)), options));
    }
}

void tst_Json::streamWriterReportsWriteErrors()
{
    QBuffer readOnly;
    readOnly.setData("");
    QVERIFY(readOnly.open(QIODevice::ReadOnly));
    JsonStreamWriter writer(&readOnly, JsonStreamWriter::Format::Lines);
    QVERIFY(writer.write(Value(1))); // buffered
    QTest::ignoreMessage(QtWarningMsg, "QIODevice::write (QBuffer): ReadOnly device");
    QVERIFY(!writer.finish());
    QVERIFY(writer.error());
    QCOMPARE(writer.error()->code, u"json_io"_s);
    QVERIFY(!writer.write(Value(2)));
}

QTEST_GUILESS_MAIN(tst_Json)
#include "tst_json.moc"
