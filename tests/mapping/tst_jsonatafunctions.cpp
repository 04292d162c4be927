// The JSONata function library called directly through builtinFunctions(), with a small
// CallContext that runs native functions, regexes, match-object closures and C++
// stand-ins for lambdas. Arguments arrive as the evaluator would pass them (already
// coerced to the signature), so these tests pin the library on its own.

#include "mapping/jsonatafunctions_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <atomic>
#include <cmath>
#include <functional>
#include <thread>

using namespace Qt::StringLiterals;
using namespace Conflux;
using namespace Conflux::Mapping::Internal;
using Data::Array;
using Data::Object;
using Data::Value;

namespace {

constexpr qint64 fixedNow = 1623751200000;   // 2021-06-15T10:00:00.000Z

const NativeFunction *findBuiltin(QStringView name)
{
    for (const NativeFunction &f : builtinFunctions()) {
        if (f.name == name)
            return &f;
    }
    return nullptr;
}

// A built-in as a function value.
struct TestNative final : Data::Callable
{
    explicit TestNative(const NativeFunction *f) : function(f) {}
    int arity() const override { return function->arity; }
    const NativeFunction *function;
};

// A C++ stand-in for a JSONata lambda.
struct TestLambda final : Data::Callable
{
    TestLambda(int n, std::function<Value(std::vector<Value> &)> b) : params(n), body(std::move(b)) {}
    int arity() const override { return params; }
    int params;
    std::function<Value(std::vector<Value> &)> body;
};

// A closure (for hand-written matchers' `next`).
struct TestClosure final : NativeClosure
{
    explicit TestClosure(std::function<Value()> b) : body(std::move(b)) {}
    Value invoke(CallContext &, std::vector<Value> &) const override { return body(); }
    std::function<Value()> body;
};

class TestContext final : public CallContext
{
public:
    explicit TestContext(Value input = {}) : m_input(std::move(input)) {}
    const Value &input() const override { return m_input; }
    Value call(const Value &function, std::vector<Value> args) override
    {
        Data::Callable *callable = function.toFunction();
        if (auto *native = dynamic_cast<TestNative *>(callable))
            return native->function->impl(*this, args);
        if (auto *closure = dynamic_cast<NativeClosure *>(callable))
            return closure->invoke(*this, args);
        if (auto *regex = dynamic_cast<Regex *>(callable))
            return regexExec(*regex, args.empty() ? QString() : args.front().toString(), 0);
        if (auto *lambda = dynamic_cast<TestLambda *>(callable)) {
            args.resize(size_t(lambda->params));
            return lambda->body(args);
        }
        throw JsonataException(u"T1006"_s, position(), u"Attempted to invoke a non-function"_s);
    }
    int arity(const Value &function) const override
    {
        return function.isFunction() ? function.toFunction()->arity() : 0;
    }
    qint64 nowMillis() const override { return fixedNow; }
    int position() const override { return 7; }

private:
    Value m_input;
};

Value makeRegex(const QString &pattern, bool caseInsensitive)
{
    auto *regex = new Regex;
    Value value(static_cast<Data::Callable *>(regex));
    regex->pattern = QRegularExpression(pattern, caseInsensitive ? QRegularExpression::CaseInsensitiveOption
                                                                 : QRegularExpression::NoPatternOption);
    regex->source = pattern;
    return value;
}

Value lambda(int params, std::function<Value(std::vector<Value> &)> body)
{
    return Value(static_cast<Data::Callable *>(new TestLambda(params, std::move(body))));
}

// A matcher written "in JSONata" style: finds each 'a' and chains `next` closures.
Value aMatcher(const QString &text, qsizetype from)
{
    const qsizetype at = text.indexOf(u'a', from);
    if (at == -1)
        return {};
    Object match{{u"match"_s, u"a"_s}, {u"start"_s, double(at)}, {u"end"_s, double(at + 1)},
                 {u"groups"_s, Array{}}};
    match.append(u"next"_s, Value(static_cast<Data::Callable *>(
                                new TestClosure([text, at] { return aMatcher(text, at + 1); }))));
    return Value(std::move(match));
}

Value namedLambda(const QString &name)
{
    if (name == u"square")
        return lambda(1, [](auto &a) { return Value(a[0].toDouble() * a[0].toDouble()); });
    if (name == u"add")
        return lambda(2, [](auto &a) { return Value(a[0].toDouble() + a[1].toDouble()); });
    if (name == u"indexed")
        return lambda(2, [](auto &a) {
            return Value(QString::number(a[1].toDouble()) + u':' + a[0].toString());
        });
    if (name == u"withCount")
        return lambda(3, [](auto &a) {
            return Value(QString::number(a[1].toDouble() + 1) + u'/' + QString::number(a[2].size()));
        });
    if (name == u"isEven")
        return lambda(1, [](auto &a) { return Value(std::fmod(a[0].toDouble(), 2) == 0); });
    if (name == u"isThree")
        return lambda(1, [](auto &a) { return Value(a[0].toDouble() == 3); });
    if (name == u"indexIsOne")
        return lambda(2, [](auto &a) { return Value(a[1].toDouble() == 1); });
    if (name == u"byP")
        return lambda(2, [](auto &a) { return Value(a[0][u"p"].toDouble() > a[1][u"p"].toDouble()); });
    if (name == u"kv")
        return lambda(2, [](auto &a) { return Value(a[1].toString() + u": "_s + jsonataString(a[0])); });
    if (name == u"upperMatch")
        return lambda(1, [](auto &a) { return Value(a[0][u"match"].toString().toUpper()); });
    if (name == u"answer")
        return lambda(1, [](auto &) { return Value(42); });
    if (name == u"weighted")
        return lambda(3, [](auto &a) { return Value(a[0].toDouble() + a[1].toDouble() * a[2].toDouble()); });
    if (name == u"aMatcher")
        return lambda(1, [](auto &a) { return aMatcher(a[0].toString(), 0); });
    return {};
}

// JSON with stand-ins: "<undefined>", "<re:pattern>", "<rei:pattern>", "<fn:name>",
// "<lambda:name>", anywhere in the structure.
Value decode(const QJsonValue &json)
{
    if (json.isString()) {
        const QString s = json.toString();
        if (s == u"<undefined>")
            return {};
        if (s.startsWith(u"<re:") && s.endsWith(u'>'))
            return makeRegex(s.mid(4).chopped(1), false);
        if (s.startsWith(u"<rei:") && s.endsWith(u'>'))
            return makeRegex(s.mid(5).chopped(1), true);
        if (s.startsWith(u"<fn:") && s.endsWith(u'>')) {
            const NativeFunction *f = findBuiltin(s.mid(4).chopped(1));
            return f ? Value(static_cast<Data::Callable *>(new TestNative(f))) : Value();
        }
        if (s.startsWith(u"<lambda:") && s.endsWith(u'>'))
            return namedLambda(s.mid(8).chopped(1));
        return s;
    }
    if (json.isArray()) {
        Array items;
        for (const QJsonValue &item : json.toArray())
            items.push_back(decode(item));
        return Value(std::move(items));
    }
    if (json.isObject()) {
        Object members;
        const QJsonObject object = json.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            members.append(it.key(), decode(it.value()));
        return Value(std::move(members));
    }
    return Value::fromQJson(json);
}

std::vector<Value> decodeArgs(const QString &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test arguments %s: %s", qPrintable(json), qPrintable(error.errorString()));
    std::vector<Value> args;
    for (const QJsonValue &item : doc.array())
        args.push_back(decode(item));
    return args;
}

// What the evaluator does with a result sequence.
Value collapse(Value value)
{
    if (value.isArray() && value.hasFlag(Value::Sequence)) {
        if (value.size() == 0)
            return {};
        if (value.size() == 1)
            return value.at(0);
    }
    return value;
}

struct Outcome
{
    Value value;
    QString errorCode;
    QString errorMessage;
};

Outcome invoke(const QString &name, std::vector<Value> args, Value input = {})
{
    const NativeFunction *f = findBuiltin(name);
    if (!f)
        qFatal("no built-in $%s", qPrintable(name));
    TestContext context(std::move(input));
    try {
        return {collapse(f->impl(context, args)), {}, {}};
    } catch (const JsonataException &e) {
        return {{}, e.code, e.message};
    }
}

QString describe(const Value &value)
{
    if (value.isUndefined())
        return u"undefined"_s;
    try {
        return jsonataString(value);
    } catch (const JsonataException &) {
        return u"<unprintable>"_s;
    }
}

} // namespace

class TestJsonataFunctions : public QObject
{
    Q_OBJECT

private slots:
    void table();
    void functions_data();
    void functions();
    void errorMessages();
    void sequences();
    void regexMatchObjects();
    void zeroLengthMatch();
    void urlLoneSurrogate();
    void shuffle();
    void nowAndMillis();
    void stringAndBoolean();
    void concurrentPictures();

private:
    void addRows();
};

void TestJsonataFunctions::table()
{
    QSet<QString> names;
    for (const NativeFunction &f : builtinFunctions()) {
        QVERIFY2(!names.contains(f.name), qPrintable(f.name));
        names.insert(f.name);
        QVERIFY(f.impl);
        QVERIFY(f.signature.startsWith(u'<') && f.signature.endsWith(u'>'));
        QVERIFY(f.arity >= 0 && f.arity <= 4);
    }
    for (const char *name : {"sum", "count", "string", "substring", "match", "replace", "formatNumber",
                             "formatInteger", "parseInteger", "fromMillis", "toMillis", "now", "millis",
                             "map", "filter", "reduce", "sort", "clone", "sift", "each", "single", "zip"})
        QVERIFY2(names.contains(QString::fromLatin1(name)), name);
    QVERIFY(!names.contains(u"eval"_s));   // the evaluator's own
    QCOMPARE(findBuiltin(u"substring")->signature, QLatin1StringView("<s-nn?:s>"));
    QCOMPARE(findBuiltin(u"string")->arity, 1);
}

void TestJsonataFunctions::functions_data()
{
    QTest::addColumn<QString>("function");
    QTest::addColumn<QString>("args");
    QTest::addColumn<QString>("expected");   // JSON, "undefined", or "!CODE"
    addRows();
}

void TestJsonataFunctions::addRows()
{
    auto row = [](const char *name, const char *function, const char16_t *args, const char16_t *expected) {
        QTest::addRow("%s", name) << QString::fromLatin1(function) << QString::fromUtf16(args)
                                  << QString::fromUtf16(expected);
    };

    // $string
    row("string/integer", "string", u"[5]", u"\"5\"");
    row("string/fraction", "string", u"[3.142857142857143]", u"\"3.14285714285714\"");
    row("string/1e100", "string", u"[1e100]", u"\"1e+100\"");
    row("string/1e-7", "string", u"[1e-7]", u"\"1e-7\"");
    row("string/1e-6", "string", u"[1e-6]", u"\"0.000001\"");
    row("string/1e21", "string", u"[1e21]", u"\"1e+21\"");
    row("string/1e20", "string", u"[1e20]", u"\"100000000000000000000\"");
    row("string/true", "string", u"[true]", u"\"true\"");
    row("string/null", "string", u"[null]", u"\"null\"");
    row("string/undefined", "string", u"[\"<undefined>\"]", u"undefined");
    row("string/function", "string", u"[\"<fn:sum>\"]", u"\"\"");
    row("string/object", "string", u"[{\"string\":\"hello\"}]", u"\"{\\\"string\\\":\\\"hello\\\"}\"");
    row("string/pretty", "string", u"[{\"string\":\"hello\"}, true]",
        u"\"{\\n  \\\"string\\\": \\\"hello\\\"\\n}\"");
    row("string/prettyArray", "string", u"[[\"string\", 5], true]", u"\"[\\n  \\\"string\\\",\\n  5\\n]\"");
    // (QJsonObject sorts keys, so the input is written in that order)
    row("string/nested", "string", u"[{\"a\":[],\"f\":\"<fn:sum>\",\"n\":0.30000000000000004,\"o\":{}}]",
        u"\"{\\\"a\\\":[],\\\"f\\\":\\\"\\\",\\\"n\\\":0.3,\\\"o\\\":{}}\"");
    row("string/escapes", "string", u"[[\"q\\\"b\\\\s\\n\\u0001\"]]",
        u"\"[\\\"q\\\\\\\"b\\\\\\\\s\\\\n\\\\u0001\\\"]\"");

    // $length, $substring...
    row("length/ascii", "length", u"[\"hello\"]", u"5");
    row("length/astral", "length", u"[\"𝄞💩\"]", u"2");
    row("length/cjk", "length", u"[\"超明體繁\"]", u"4");
    row("length/undefined", "length", u"[\"<undefined>\"]", u"undefined");
    row("substring/prefix", "substring", u"[\"hello world\", 0, 5]", u"\"hello\"");
    row("substring/negative", "substring", u"[\"hello world\", -5, 5]", u"\"world\"");
    row("substring/rest", "substring", u"[\"hello world\", 6, \"<undefined>\"]", u"\"world\"");
    row("substring/negativeLength", "substring", u"[\"hello world\", -5, -1]", u"\"\"");
    row("substring/before", "substring", u"[\"hello world\", -100, 3]", u"\"hel\"");
    row("substring/astral", "substring", u"[\"𝄞💩\", 1, 1]", u"\"💩\"");
    row("substring/astralNegative", "substring", u"[\"😂😁😀\", -2, 1]", u"\"😁\"");
    row("substring/astralTooFar", "substring", u"[\"😂😁😀\", -5, 1]", u"\"😂\"");
    row("substringBefore/found", "substringBefore", u"[\"Hello World\", \" \"]", u"\"Hello\"");
    row("substringBefore/missing", "substringBefore", u"[\"Hello World\", \"f\"]", u"\"Hello World\"");
    row("substringAfter/found", "substringAfter", u"[\"Hello World\", \"l\"]", u"\"lo World\"");
    row("substringAfter/end", "substringAfter", u"[\"Hello World\", \"ld\"]", u"\"\"");
    row("uppercase", "uppercase", u"[\"Hello straße\"]", u"\"HELLO STRASSE\"");
    row("lowercase", "lowercase", u"[\"Hello World\"]", u"\"hello world\"");
    row("trim", "trim", u"[\"   Hello     \\t World  \\t \"]", u"\"Hello World\"");
    row("pad/right", "pad", u"[\"foo\", 5, \"<undefined>\"]", u"\"foo  \"");
    row("pad/left", "pad", u"[\"foo\", -5, \"#\"]", u"\"##foo\"");
    row("pad/cycle", "pad", u"[\"foo\", 8, \"-+\"]", u"\"foo-+-+-\"");
    row("pad/astral", "pad", u"[\"a𝄞💩\", 7, \"💩\"]", u"\"a𝄞💩💩💩💩💩\"");
    row("pad/fraction", "pad", u"[\"foo\", -5.7, \" \"]", u"\"  foo\"");
    row("pad/wideEnough", "pad", u"[\"foo\", 1]", u"\"foo\"");
    row("pad/huge", "pad", u"[\"foo\", 1e12]", u"!D1001");

    // matching
    row("contains/string", "contains", u"[\"Hello World\", \"lo\"]", u"true");
    row("contains/case", "contains", u"[\"Hello World\", \"world\"]", u"false");
    row("contains/regex", "contains", u"[\"ababbxabbcc\", \"<re:ab+>\"]", u"true");
    row("contains/regexMiss", "contains", u"[\"ababbxabbcc\", \"<re:ax+>\"]", u"false");
    row("contains/undefinedToken", "contains", u"[\"Hello\", \"<undefined>\"]", u"undefined");
    row("split/space", "split", u"[\"Hello  World\", \" \"]", u"[\"Hello\", \"\", \"World\"]");
    row("split/empty", "split", u"[\"Hello\", \"\"]", u"[\"H\", \"e\", \"l\", \"l\", \"o\"]");
    row("split/limit", "split", u"[\"a, b, c, d\", \", \", 2]", u"[\"a\", \"b\"]");
    row("split/limitFraction", "split", u"[\"a, b, c, d\", \", \", 2.5]", u"[\"a\", \"b\"]");
    row("split/limitZero", "split", u"[\"a, b, c, d\", \", \", 0]", u"[]");
    row("split/negative", "split", u"[\"a, b\", \", \", -3]", u"!D3020");
    row("split/astral", "split", u"[\"12💩345💩6\", \"💩\"]", u"[\"12\", \"345\", \"6\"]");
    row("split/regex", "split", u"[\"ababbxabbcc\", \"<re:b+>\"]", u"[\"a\", \"a\", \"xa\", \"cc\"]");
    row("split/regexLimit", "split", u"[\"ababbxabbcc\", \"<re:b+>\", 2]", u"[\"a\", \"a\"]");
    row("split/regexMiss", "split", u"[\"ababbxabbcc\", \"<re:d+>\"]", u"[\"ababbxabbcc\"]");
    row("split/badMatcher", "split", u"[\"some text\", \"<fn:uppercase>\"]", u"!T1010");
    row("join/separator", "join", u"[[\"hello\", \"world\"], \", \"]", u"\"hello, world\"");
    row("join/none", "join", u"[[\"hello\", \"world\"]]", u"\"helloworld\"");
    row("join/empty", "join", u"[[], \", \"]", u"\"\"");
    row("match/all", "match", u"[\"abracadabra\", \"<re:a>\"]",
        u"[{\"match\":\"a\",\"index\":0,\"groups\":[]},{\"match\":\"a\",\"index\":3,\"groups\":[]},"
        u"{\"match\":\"a\",\"index\":5,\"groups\":[]},{\"match\":\"a\",\"index\":7,\"groups\":[]},"
        u"{\"match\":\"a\",\"index\":10,\"groups\":[]}]");
    row("match/custom", "match", u"[\"abracadabra\", \"<lambda:aMatcher>\"]",
        u"[{\"match\":\"a\",\"index\":0,\"groups\":[]},{\"match\":\"a\",\"index\":3,\"groups\":[]},"
        u"{\"match\":\"a\",\"index\":5,\"groups\":[]},{\"match\":\"a\",\"index\":7,\"groups\":[]},"
        u"{\"match\":\"a\",\"index\":10,\"groups\":[]}]");
    row("match/limit", "match", u"[\"abracadabra\", \"<re:a(.)>\", 1]",
        u"{\"match\":\"ab\",\"index\":0,\"groups\":[\"b\"]}");
    row("match/none", "match", u"[\"abc\", \"<re:x>\"]", u"undefined");
    row("match/negativeLimit", "match", u"[\"abc\", \"<re:x>\", -1]", u"!D3040");

    // $replace
    row("replace/string", "replace", u"[\"Hello World\", \"World\", \"Everyone\"]", u"\"Hello Everyone\"");
    row("replace/limit", "replace", u"[\"the cat sat on the mat\", \"at\", \"it\", 2]",
        u"\"the cit sit on the mat\"");
    row("replace/limitZero", "replace", u"[\"the cat\", \"at\", \"it\", 0]", u"\"the cat\"");
    row("replace/emptyPattern", "replace", u"[\"hello\", \"\", \"bye\"]", u"!D3010");
    row("replace/negativeLimit", "replace", u"[\"hello\", \"l\", \"1\", -2]", u"!D3011");
    row("replace/regex", "replace", u"[\"ababbxabbcc\", \"<re:b+>\", \"yy\"]", u"\"ayyayyxayycc\"");
    row("replace/regexLimit", "replace", u"[\"ababbxabbcc\", \"<re:b+>\", \"yy\", 2]", u"\"ayyayyxabbcc\"");
    row("replace/groups", "replace", u"[\"John Smith\", \"<re:(\\\\w+)\\\\s(\\\\w+)>\", \"$2, $1\"]",
        u"\"Smith, John\"");
    row("replace/dollar", "replace", u"[\"265USD\", \"<re:([0-9]+)USD>\", \"$$$1\"]", u"\"$265\"");
    row("replace/notGroup", "replace", u"[\"265USD\", \"<re:([0-9]+)USD>\", \"$w\"]", u"\"$w\"");
    row("replace/whole", "replace", u"[\"265USD\", \"<re:([0-9]+)USD>\", \"$0 -> $$$1\"]",
        u"\"265USD -> $265\"");
    row("replace/missingGroup", "replace", u"[\"265USD\", \"<re:([0-9]+)USD>\", \"$0$1$2\"]",
        u"\"265USD265\"");
    row("replace/unmatchedGroup", "replace", u"[\"abcd\", \"<re:(ab)|(a)>\", \"[1=$1][2=$2]\"]",
        u"\"[1=ab][2=]cd\"");
    row("replace/lazy", "replace", u"[\"abracadabra\", \"<re:a.*?a>\", \"*\"]", u"\"*c*bra\"");
    row("replace/lazyPlus", "replace", u"[\"AAAA\", \"<re:A+?>\", \"b\"]", u"\"bbbb\"");
    row("replace/manyGroups", "replace",
        u"[\"abcdefghijklmno\", \"<re:(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)(m)>\", \"$8$5$12$12$18$123\"]",
        u"\"hella8l3no\"");
    row("replace/noGroups", "replace", u"[\"abcdefghijklmno\", \"<re:ijk>\", \"$8$5$12$12$18$123\"]",
        u"\"abcdefgh22823lmno\"");
    row("replace/oneGroup", "replace", u"[\"abcdefghijklmno\", \"<re:(ijk)>\", \"$8$5$12$12$18$123\"]",
        u"\"abcdefghijk2ijk2ijk8ijk23lmno\"");
    row("replace/trailingDollar", "replace", u"[\"abcdefghijklmno\", \"<re:(ijk)>\", \"$x$\"]",
        u"\"abcdefgh$x$lmno\"");
    row("replace/function", "replace", u"[\"Bowler Hat\", \"<rei:(h)(at)>\", \"<lambda:upperMatch>\"]",
        u"\"Bowler HAT\"");
    row("replace/functionNotString", "replace", u"[\"Bowler Hat\", \"<rei:hat>\", \"<lambda:answer>\"]",
        u"!D3012");
    row("replace/zeroLength", "replace", u"[\"abracadabra\", \"<re:.*?>\", \"$1\"]", u"!D1004");

    // base64 and URLs
    row("base64encode", "base64encode", u"[\"hello:world\"]", u"\"aGVsbG86d29ybGQ=\"");
    row("base64decode", "base64decode", u"[\"aGVsbG86d29ybGQ=\"]", u"\"hello:world\"");
    row("encodeUrlComponent", "encodeUrlComponent", u"[\"?x=test\"]", u"\"%3Fx%3Dtest\"");
    row("encodeUrl", "encodeUrl", u"[\"https://mozilla.org/?x=шеллы\"]",
        u"\"https://mozilla.org/?x=%D1%88%D0%B5%D0%BB%D0%BB%D1%8B\"");
    row("decodeUrl", "decodeUrl", u"[\"https://mozilla.org/?x=%D1%88%D0%B5%D0%BB%D0%BB%D1%8B\"]",
        u"\"https://mozilla.org/?x=шеллы\"");
    row("decodeUrl/reserved", "decodeUrl", u"[\"%3Fx%3D%41\"]", u"\"%3Fx%3DA\"");
    row("decodeUrlComponent", "decodeUrlComponent", u"[\"%3Fx%3Dtest\"]", u"\"?x=test\"");
    row("decodeUrl/malformed", "decodeUrl", u"[\"%E0%A4%A\"]", u"!D3140");
    row("decodeUrlComponent/malformed", "decodeUrlComponent", u"[\"%C0%80\"]", u"!D3140");

    // numbers
    row("number/hex", "number", u"[\"0x12\"]", u"18");
    row("number/binary", "number", u"[\"0B101\"]", u"5");
    row("number/octal", "number", u"[\"0O12\"]", u"10");
    row("number/negative", "number", u"[\"-0.05\"]", u"-0.05");
    row("number/exponent", "number", u"[\"1.0e-2\"]", u"0.01");
    row("number/leadingZeros", "number", u"[\"-007\"]", u"-7");
    row("number/zeros", "number", u"[\"000.00123000\"]", u"0.00123");
    row("number/true", "number", u"[true]", u"1");
    row("number/tooBig", "number", u"[\"10e500\"]", u"!D3030");
    row("number/text", "number", u"[\"1234 hello\"]", u"!D3030");
    row("number/empty", "number", u"[\"\"]", u"!D3030");
    row("number/badHex", "number", u"[\"0x12z\"]", u"!D3030");
    row("abs", "abs", u"[-3.7]", u"3.7");
    row("floor", "floor", u"[-3.7]", u"-4");
    row("ceil", "ceil", u"[-3.7]", u"-3");
    row("round/down", "round", u"[2.5]", u"2");
    row("round/up", "round", u"[3.5]", u"4");
    row("round/negativeHalf", "round", u"[-0.5]", u"0");
    row("round/negative", "round", u"[-7.5]", u"-8");
    row("round/negativeEven", "round", u"[-8.5]", u"-8");
    row("round/precision", "round", u"[4.525, 2]", u"4.52");
    row("round/precisionUp", "round", u"[4.515, 2]", u"4.52");
    row("round/precision1", "round", u"[4.49, 1]", u"4.5");
    row("round/hundreds", "round", u"[12450, -2]", u"12400");
    row("round/hundredsUp", "round", u"[12350, -2]", u"12400");
    row("round/tiny", "round", u"[6.022e-23, 24]", u"6e-23");
    row("power", "power", u"[4, 0.5]", u"2");
    row("power/negative", "power", u"[10, -2]", u"0.01");
    row("power/nan", "power", u"[-2, 0.3333333333333333]", u"!D3061");
    row("power/overflow", "power", u"[100, 1000]", u"!D3061");
    row("sqrt", "sqrt", u"[2]", u"1.4142135623730951");
    row("sqrt/negative", "sqrt", u"[-2]", u"!D3060");
    row("sum", "sum", u"[[68.9, 21.67]]", u"90.57000000000001");
    row("sum/undefined", "sum", u"[\"<undefined>\"]", u"undefined");
    row("max", "max", u"[[-1, -5]]", u"-1");
    row("max/empty", "max", u"[[]]", u"undefined");
    row("min", "min", u"[[1, 2, 3]]", u"1");
    row("average", "average", u"[[1, 2, 3]]", u"2");
    row("average/empty", "average", u"[[]]", u"undefined");

    // $formatNumber
    row("formatNumber/grouping", "formatNumber", u"[12345.6, \"#,###.00\"]", u"\"12,345.60\"");
    row("formatNumber/nines", "formatNumber", u"[12345678.9, \"9,999.99\"]", u"\"12,345,678.90\"");
    row("formatNumber/irregular", "formatNumber", u"[123412345678.9, \"9,9,99.99\"]",
        u"\"123412345,6,78.90\"");
    row("formatNumber/fractionGroups", "formatNumber", u"[1234.56789, \"9,999.999,999\"]",
        u"\"1,234.567,890\"");
    row("formatNumber/roundUp", "formatNumber", u"[123.9, \"9999\"]", u"\"0124\"");
    row("formatNumber/percent", "formatNumber", u"[0.14, \"01%\"]", u"\"14%\"");
    row("formatNumber/permille", "formatNumber", u"[0.4857, \"###.###‰\"]", u"\"485.7‰\"");
    row("formatNumber/permilleOption", "formatNumber", u"[0.14, \"###pm\", {\"per-mille\": \"pm\"}]",
        u"\"140pm\"");
    row("formatNumber/minus", "formatNumber", u"[-6, \"000\"]", u"\"-006\"");
    row("formatNumber/exponent", "formatNumber", u"[1234.5678, \"00.000e0\"]", u"\"12.346e2\"");
    row("formatNumber/exponentDigits", "formatNumber", u"[1234.5678, \"00.000e000\"]", u"\"12.346e002\"");
    row("formatNumber/zeroDigit", "formatNumber", u"[1234.5678, \"①①.①①①e①\", {\"zero-digit\": \"⑟\"}]",
        u"\"①②.③④⑥e②\"");
    row("formatNumber/smallExponent", "formatNumber", u"[0.234, \"0.0e0\"]", u"\"2.3e-1\"");
    row("formatNumber/optionalExponent", "formatNumber", u"[0.234, \"#.00e0\"]", u"\"0.23e0\"");
    row("formatNumber/onlyOptional", "formatNumber", u"[0.123, \"#.e9\"]", u"\"0.1e0\"");
    row("formatNumber/noInteger", "formatNumber", u"[0.234, \".00e0\"]", u"\".23e0\"");
    row("formatNumber/negativePicture", "formatNumber",
        u"[-87504.4812, \"000,000.000###;###,###.000###\"]", u"\"87,504.4812\"");
    row("formatNumber/prefixSuffix", "formatNumber", u"[185.2812, \"PREFIX##00.000###SUFFIX\"]",
        u"\"PREFIX185.2812SUFFIX\"");
    row("formatNumber/big", "formatNumber", u"[1e20, \"#,######\"]", u"\"100,000000,000000,000000\"");
    row("formatNumber/letters", "formatNumber", u"[2, \"AAA.AAA\", {\"zero-digit\": \"A\"}]", u"\"AAC.AAA\"");
    row("formatNumber/lettersExponent", "formatNumber", u"[0.1, \"AeAAA\", {\"zero-digit\": \"A\"}]",
        u"\"Be-AAB\"");
    row("formatNumber/zeroExponent", "formatNumber", u"[0, \"0.00e0\"]", u"\"0.00e0\"");
    row("formatNumber/negativeExponent", "formatNumber", u"[-42, \"0e0\"]", u"\"-4e1\"");
    row("formatNumber/D3080", "formatNumber", u"[20, \"#;#;#\"]", u"!D3080");
    row("formatNumber/D3081", "formatNumber", u"[20, \"#.0.0\"]", u"!D3081");
    row("formatNumber/D3082", "formatNumber", u"[20, \"#0%%\"]", u"!D3082");
    row("formatNumber/D3083", "formatNumber", u"[20, \"#0‰‰\"]", u"!D3083");
    row("formatNumber/D3084", "formatNumber", u"[20, \"#0%‰\"]", u"!D3084");
    row("formatNumber/D3085", "formatNumber", u"[20, \".e0\"]", u"!D3085");
    row("formatNumber/D3086", "formatNumber", u"[20, \"0+.e0\"]", u"!D3086");
    row("formatNumber/D3086b", "formatNumber", u"[42, \"%%\"]", u"!D3086");
    row("formatNumber/D3087", "formatNumber", u"[20, \"0,.e0\"]", u"!D3087");
    row("formatNumber/D3088", "formatNumber", u"[20, \"0,\"]", u"!D3088");
    row("formatNumber/D3089", "formatNumber", u"[20, \"0,,0\"]", u"!D3089");
    row("formatNumber/D3090", "formatNumber", u"[20, \"0#.e0\"]", u"!D3090");
    row("formatNumber/D3091", "formatNumber", u"[20, \"#0.#0e0\"]", u"!D3091");
    row("formatNumber/D3092", "formatNumber", u"[20, \"#0.0e0%\"]", u"!D3092");
    row("formatNumber/D3093", "formatNumber", u"[20, \"#0.0e0,0\"]", u"!D3093");

    // $formatBase, $formatInteger, $parseInteger
    row("formatBase/binary", "formatBase", u"[100, 2]", u"\"1100100\"");
    row("formatBase/negative", "formatBase", u"[-100, 2]", u"\"-1100100\"");
    row("formatBase/36", "formatBase", u"[100, 36]", u"\"2s\"");
    row("formatBase/rounding", "formatBase", u"[99.5, 2.5]", u"\"1100100\"");
    row("formatBase/default", "formatBase", u"[100]", u"\"100\"");
    row("formatBase/tooSmall", "formatBase", u"[100, 1]", u"!D3100");
    row("formatBase/tooBig", "formatBase", u"[100, 37]", u"!D3100");
    row("formatInteger/pad", "formatInteger", u"[-3, \"0000\"]", u"\"-0003\"");
    row("formatInteger/optional", "formatInteger", u"[12.6, \"###0\"]", u"\"12\"");
    row("formatInteger/ordinal", "formatInteger", u"[123, \"000;o\"]", u"\"123rd\"");
    row("formatInteger/ordinalTeen", "formatInteger", u"[12, \"###0;o\"]", u"\"12th\"");
    row("formatInteger/arabic", "formatInteger", u"[12340, \"###١\"]", u"\"١٢٣٤٠\"");
    row("formatInteger/fullwidth", "formatInteger", u"[12340, \"###０\"]", u"\"１２３４０\"");
    row("formatInteger/mixedDigits", "formatInteger", u"[12340, \"##0０\"]", u"!D3131");
    row("formatInteger/grouping", "formatInteger", u"[1234567890, \"#,##0\"]", u"\"1,234,567,890\"");
    row("formatInteger/groupingSmall", "formatInteger", u"[12, \"#,##0\"]", u"\"12\"");
    row("formatInteger/irregular", "formatInteger", u"[1234567890, \"#:###,##0\"]", u"\"1234:567,890\"");
    row("formatInteger/irregular2", "formatInteger", u"[1234567890, \"##,##,##0\"]", u"\"12345,67,890\"");
    row("formatInteger/romanZero", "formatInteger", u"[0, \"I\"]", u"\"\"");
    row("formatInteger/roman", "formatInteger", u"[1984, \"I\"]", u"\"MCMLXXXIV\"");
    row("formatInteger/romanLower", "formatInteger", u"[99, \"i\"]", u"\"xcix\"");
    row("formatInteger/words", "formatInteger", u"[3730, \"w\"]", u"\"three thousand, seven hundred and thirty\"");
    row("formatInteger/wordsUpper", "formatInteger", u"[99, \"W\"]", u"\"NINETY-NINE\"");
    row("formatInteger/wordsTitle", "formatInteger", u"[555, \"Ww\"]", u"\"Five Hundred and Fifty-Five\"");
    row("formatInteger/wordsTrillion", "formatInteger", u"[1000000000001, \"w\"]", u"\"one trillion and one\"");
    row("formatInteger/wordsHuge", "formatInteger", u"[1e46, \"w\"]", u"\"ten billion trillion trillion trillion\"");
    row("formatInteger/wordsOrdinal", "formatInteger", u"[20, \"w;o\"]", u"\"twentieth\"");
    row("formatInteger/wordsOrdinal2", "formatInteger", u"[3731, \"w;o\"]",
        u"\"three thousand, seven hundred and thirty-first\"");
    row("formatInteger/wordsOrdinal3", "formatInteger", u"[1000, \"w;o\"]", u"\"one thousandth\"");
    row("formatInteger/letters", "formatInteger", u"[27, \"a\"]", u"\"aa\"");
    row("formatInteger/lettersUpper", "formatInteger", u"[123456, \"A\"]", u"\"FZPH\"");
    row("formatInteger/hugeRoman", "formatInteger", u"[1e300, \"I\"]", u"!D1001");
    row("formatInteger/sequence", "formatInteger", u"[123456, \"α\"]", u"!D3130");
    row("parseInteger/padded", "parseInteger", u"[\"0123\", \"0000\"]", u"123");
    row("parseInteger/ordinal", "parseInteger", u"[\"123rd\", \"000;o\"]", u"123");
    row("parseInteger/arabic", "parseInteger", u"[\"١٢٣٤٠\", \"###١\"]", u"12340");
    row("parseInteger/grouping", "parseInteger", u"[\"12,345,678\", \"#,##0\"]", u"12345678");
    row("parseInteger/irregular", "parseInteger", u"[\"1234:567,890\", \"#:###,##0\"]", u"1234567890");
    row("parseInteger/roman", "parseInteger", u"[\"MCMLXXXIV\", \"I\"]", u"1984");
    row("parseInteger/romanEmpty", "parseInteger", u"[\"\", \"I\"]", u"0");
    row("parseInteger/words", "parseInteger",
        u"[\"four million, three hundred and twenty-seven thousand, seven hundred and thirty\", \"w\"]",
        u"4327730");
    row("parseInteger/wordsHuge", "parseInteger", u"[\"ten billion trillion trillion trillion\", \"w\"]", u"1e46");
    row("parseInteger/wordsOrdinal", "parseInteger", u"[\"Seven Hundred and Thirty-Third\", \"Ww;o\"]", u"733");
    row("parseInteger/letters", "parseInteger", u"[\"FZPH\", \"A\"]", u"123456");
    row("parseInteger/sequence", "parseInteger", u"[\"50\", \"#\"]", u"!D3130");

    // $fromMillis
    row("fromMillis/iso", "fromMillis", u"[1509380732935]", u"\"2017-10-30T16:25:32.935Z\"");
    row("fromMillis/epoch", "fromMillis", u"[1]", u"\"1970-01-01T00:00:00.001Z\"");
    row("fromMillis/date", "fromMillis", u"[1521801216617, \"[Y0001]-[M01]-[D01]\"]", u"\"2018-03-23\"");
    row("fromMillis/literal", "fromMillis", u"[1521801216617, \"Hello\"]", u"\"Hello\"");
    row("fromMillis/brackets", "fromMillis", u"[1521801216617, \"[[Year]]: [[[Y0001]]]\"]", u"\"[Year]: [2018]\"");
    row("fromMillis/groupedYear", "fromMillis", u"[1521801216617, \"Year: <[Y9,999,*]>\"]", u"\"Year: <2,018>\"");
    row("fromMillis/whitespace", "fromMillis",
        u"[1521801216617, \"[Y]-[ M01]-[D 01]T[H01 ]:[ m   ]:[s].[f0  01][Z01:  01t]\"]",
        u"\"2018-03-23T10:33:36.617Z\"");
    row("fromMillis/widths", "fromMillis", u"[1521801216617, \"[D#1,2]/[M1,2]/[Y,2]\"]", u"\"23/03/18\"");
    row("fromMillis/yearWidth", "fromMillis", u"[1521801216617, \"[D#1,2]/[M1,2]/[Y##01,2-2]\"]", u"\"23/03/18\"");
    row("fromMillis/yearFull", "fromMillis", u"[1521801216617, \"[D#1,2]/[M1,2]/[Y0001,2]\"]", u"\"23/03/2018\"");
    row("fromMillis/roman", "fromMillis", u"[1521801216617, \"[D1] [M01] [YI]\"]", u"\"23 03 MMXVIII\"");
    row("fromMillis/letters", "fromMillis", u"[1521801216617, \"[Da] [MA] [Yi]\"]", u"\"w C mmxviii\"");
    row("fromMillis/words", "fromMillis", u"[1521801216617, \"[Yw]\"]", u"\"two thousand and eighteen\"");
    row("fromMillis/names", "fromMillis", u"[1521801216617, \"[FNn], the [Dwo] of [MNn] [Y] [E]\"]",
        u"\"Friday, the twenty-third of March 2018 ISO\"");
    row("fromMillis/shortNames", "fromMillis", u"[1521801216617, \"[FNn,3-3], [D1o] [MNn,3-3] [Y] [C]\"]",
        u"\"Fri, 23rd Mar 2018 ISO\"");
    row("fromMillis/upperMonth", "fromMillis", u"[1521801216617, \"[D1o] [MN] [Y]\"]", u"\"23rd MARCH 2018\"");
    row("fromMillis/twelveHour", "fromMillis", u"[1204405500000, \"[F], [D]/[M]/[Y] [h]:[m]:[s] [P]\"]",
        u"\"saturday, 1/3/2008 9:05:00 pm\"");
    row("fromMillis/midnight", "fromMillis", u"[1199664000000, \"[F], [D]/[M]/[Y] [h]:[m]:[s] [PN]\"]",
        u"\"monday, 7/1/2008 12:00:00 AM\"");
    row("fromMillis/dayOfYear", "fromMillis", u"[1483185600000, \"[d] days in [Y0001]\"]", u"\"366 days in 2016\"");
    row("fromMillis/dayOfYearWords", "fromMillis", u"[1514808000000, \"[dwo] day of the year\"]",
        u"\"first day of the year\"");
    row("fromMillis/sunday", "fromMillis", u"[1522616700000, \"[F0] [FNn]\"]", u"\"7 Sunday\"");
    row("fromMillis/week53", "fromMillis", u"[1451304000000, \"Week: [W]\"]", u"\"Week: 53\"");
    row("fromMillis/week1", "fromMillis", u"[1419854400000, \"Week: [W]\"]", u"\"Week: 1\"");
    row("fromMillis/weekOfMonth", "fromMillis", u"[1483272000000, \"Week: [w] of [xNn]\"]",
        u"\"Week: 5 of December\"");
    row("fromMillis/weekOfMonth2", "fromMillis", u"[1419940800000, \"Week: [w] of [xNn]\"]",
        u"\"Week: 1 of January\"");
    row("fromMillis/isoWeekDate", "fromMillis", u"[1104537600000, \"[X0001]-W[W01]-[F1]\"]", u"\"2004-W53-6\"");
    row("fromMillis/timezone", "fromMillis",
        u"[1521801216617, \"[Y]-[M01]-[D01]T[H01]:[m]:[s].[f001][Z0101t]\", \"+0100\"]",
        u"\"2018-03-23T11:33:36.617+0100\"");
    row("fromMillis/utcOffset", "fromMillis", u"[1531310400000, \"[Y]-[M01]-[D01]T[H01]:[m]:[s][Z01:01]\"]",
        u"\"2018-07-11T12:00:00+00:00\"");
    row("fromMillis/zulu", "fromMillis", u"[1531310400000, \"[H01]:[m]:[s][Z01:01t]\"]", u"\"12:00:00Z\"");
    row("fromMillis/minus5", "fromMillis", u"[1531310400000, \"[H01]:[m]:[s][Z]\", \"-0500\"]",
        u"\"07:00:00-05:00\"");
    row("fromMillis/shortZone", "fromMillis", u"[1531310400000, \"[H01]:[m]:[s][Z0]\", \"-0500\"]",
        u"\"07:00:00-5\"");
    row("fromMillis/halfHour", "fromMillis", u"[1531310400000, \"[H01]:[m]:[s][Z0]\", \"+0530\"]",
        u"\"17:30:00+5:30\"");
    row("fromMillis/gmt", "fromMillis", u"[1531310400000, \"[H01]:[m]:[s][z]\", \"-0500\"]",
        u"\"07:00:00GMT-05:00\"");
    row("fromMillis/isoInZone", "fromMillis", u"[1540127100000, \"<undefined>\", \"-0500\"]",
        u"\"2018-10-21T08:05:00.000-05:00\"");
    row("fromMillis/D3132", "fromMillis", u"[1, \"[q]\"]", u"!D3132");
    row("fromMillis/D3133", "fromMillis", u"[1, \"[YN]-[M]-[D]\"]", u"!D3133");
    row("fromMillis/D3134", "fromMillis", u"[1, \"[Z010101t]\", \"+0530\"]", u"!D3134");
    row("fromMillis/D3135", "fromMillis", u"[1, \"[YN]-[M\"]", u"!D3135");
    row("fromMillis/emptyPicture", "fromMillis", u"[1, \"\"]", u"\"\"");
    row("fromMillis/outOfRange", "fromMillis", u"[1e300]", u"undefined");
    row("fromMillis/undefined", "fromMillis", u"[\"<undefined>\", \"[Y]\"]", u"undefined");

    // $toMillis
    row("toMillis/iso", "toMillis", u"[\"1970-01-01T00:00:00.001Z\"]", u"1");
    row("toMillis/offset", "toMillis", u"[\"2018-02-01T09:42:13.123+0000\"]", u"1517478133123");
    row("toMillis/colonOffset", "toMillis", u"[\"2018-02-01T10:42:13.123+01:00\"]", u"1517478133123");
    row("toMillis/date", "toMillis", u"[\"2017-10-30\"]", u"1509321600000");
    row("toMillis/year", "toMillis", u"[\"2018\"]", u"1514764800000");
    row("toMillis/seconds", "toMillis", u"[\"2017-10-30T15:28:34Z\"]", u"1509377314000");
    row("toMillis/notIso", "toMillis", u"[\"foo\"]", u"!D3110");
    row("toMillis/dayFirst", "toMillis", u"[\"01-02-2018\"]", u"!D3110");
    row("toMillis/badMonth", "toMillis", u"[\"2018-13-01\"]", u"!D3110");
    row("toMillis/monthOverflow", "toMillis", u"[\"2018-02-31\"]", u"1520035200000");
    row("toMillis/unknownMonthName", "toMillis", u"[\"2 Foo 2012\", \"[D1] [MNn] [Y0001]\"]", u"!D3136");
    row("toMillis/unreadableYear", "toMillis", u"[\"and\", \"[Yw]\"]", u"undefined");
    row("toMillis/space", "toMillis", u"[\"2018-02-03 11:15:33\"]", u"!D3110");
    row("toMillis/yearMonth", "toMillis", u"[\"201802\", \"[Y0001][M01]\"]", u"1517443200000");
    row("toMillis/yearWidth", "toMillis", u"[\"201802\", \"[Y,*-4][M01]\"]", u"1517443200000");
    row("toMillis/compact", "toMillis", u"[\"20240101123849\", \"[Y0000][M00][D00][H00][m00][s00]\"]",
        u"1704112729000");
    row("toMillis/ordinal", "toMillis", u"[\"27th 3 1976\", \"[D1o] [M#1] [Y0001]\"]", u"196732800000");
    row("toMillis/past", "toMillis", u"[\"21st 12 1881\", \"[D1o] [M01] [Y0001]\"]", u"-2777932800000");
    row("toMillis/roman", "toMillis", u"[\"MCMLXXXIV\", \"[YI]\"]", u"441763200000");
    row("toMillis/letters", "toMillis", u"[\"w C mmxviii\", \"[Da] [MA] [Yi]\"]", u"1521763200000");
    row("toMillis/monthName", "toMillis", u"[\"27th April 2008\", \"[D1o] [MNn] [Y0001]\"]", u"1209254400000");
    row("toMillis/shortMonth", "toMillis", u"[\"2 Feb 2012\", \"[D1] [MNn,3-3] [Y0001]\"]", u"1328140800000");
    row("toMillis/wordsYear", "toMillis", u"[\"one thousand, nine hundred and eighty-four\", \"[Yw]\"]",
        u"441763200000");
    row("toMillis/wordsYear2", "toMillis", u"[\"nineteen hundred and eighty-four\", \"[Yw]\"]", u"441763200000");
    row("toMillis/wordsDay", "toMillis", u"[\"twenty-seventh April 2008\", \"[Dw] [MNn] [Y0001]\"]",
        u"1209254400000");
    row("toMillis/wordsUpper", "toMillis",
        u"[\"TWENTY-SECOND August two thousand and seventeen\", \"[DW] [MNn] [Yw]\"]", u"1503360000000");
    row("toMillis/wordsOf", "toMillis",
        u"[\"Twentieth of August, two thousand and seventeen\", \"[DW] of [MNn], [Yw]\"]", u"1503187200000");
    row("toMillis/am", "toMillis", u"[\"4/4/2018 12:06 am\", \"[D1]/[M1]/[Y0001] [h]:[m] [P]\"]", u"1522800360000");
    row("toMillis/pm", "toMillis", u"[\"4/4/2018 11:30 pm\", \"[D1]/[M1]/[Y0001] [h]:[m] [P]\"]", u"1522884600000");
    row("toMillis/noon", "toMillis", u"[\"4/4/2018 12:06 pm\", \"[D1]/[M1]/[Y0001] [h]:[m] [P]\"]", u"1522843560000");
    row("toMillis/dayOfYear", "toMillis", u"[\"2018-094\", \"[Y0001]-[d001]\"]", u"1522800000000");
    row("toMillis/dayName", "toMillis", u"[\"Mon, Twelfth November 2018\", \"[FNn,*-3], [DWwo] [MNn] [Y]\"]",
        u"1541980800000");
    row("toMillis/zone", "toMillis",
        u"[\"2020-09-09 08:00:00 +02:00\", \"[Y0001]-[M01]-[D01] [H01]:[m01]:[s01] [Z]\"]", u"1599631200000");
    row("toMillis/gmtZone", "toMillis",
        u"[\"2020-09-09 08:00:00 GMT-05:00\", \"[Y0001]-[M01]-[D01] [H01]:[m01]:[s01] [z]\"]", u"1599656400000");
    row("toMillis/compactZone", "toMillis",
        u"[\"2020-09-09 12:00:00 +0530\", \"[Y0001]-[M01]-[D01] [H01]:[m01]:[s01] [Z0001]\"]", u"1599633000000");
    row("toMillis/fraction", "toMillis",
        u"[\"2026-04-08T19:05:04.01987\", \"[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f1]\"]", u"1775675104019");
    row("toMillis/timeOnly", "toMillis", u"[\"13:45\", \"[H]:[m]\"]", u"1623764700000");
    row("toMillis/literalOnly", "toMillis", u"[\"Hello\", \"Hello\"]", u"undefined");
    row("toMillis/noMatch", "toMillis", u"[\"irrelevent string\", \"[Y]-[M]-[D]\"]", u"undefined");
    row("toMillis/D3132", "toMillis", u"[\"2018-05-22\", \"[Y]-[M]-[q]\"]", u"!D3132");
    row("toMillis/D3133", "toMillis", u"[\"2018-05-22\", \"[YN]-[M]-[D]\"]", u"!D3133");
    row("toMillis/gap", "toMillis", u"[\"2018-22\", \"[Y]-[D]\"]", u"!D3136");
    row("toMillis/gapTime", "toMillis", u"[\"5-22 23:59\", \"[M]-[D] [m]:[s]\"]", u"!D3136");
    row("toMillis/weekDate", "toMillis", u"[\"2018-32-5\", \"[X]-[W]-[F1]\"]", u"!D3136");

    // arrays and objects
    row("count", "count", u"[[1, 2, 3]]", u"3");
    row("count/undefined", "count", u"[\"<undefined>\"]", u"0");
    row("append/arrays", "append", u"[[1, 2], [3, 4]]", u"[1, 2, 3, 4]");
    row("append/values", "append", u"[1, 2]", u"[1, 2]");
    row("append/undefined", "append", u"[1, \"<undefined>\"]", u"1");
    row("append/undefinedFirst", "append", u"[\"<undefined>\", [2, 3]]", u"[2, 3]");
    row("reverse", "reverse", u"[[1, 2, 3]]", u"[3, 2, 1]");
    row("distinct", "distinct",
        u"[[1, 2, 2, \"a\", \"a\", {\"x\": 1}, {\"x\": 1}, [1], [1], null, null, true, true, false]]",
        u"[1, 2, \"a\", {\"x\": 1}, [1], null, true, false]");
    row("distinct/scalar", "distinct", u"[\"hello\"]", u"\"hello\"");
    row("sort/numbers", "sort", u"[[1, 3, 22, 11]]", u"[1, 3, 11, 22]");
    row("sort/strings", "sort", u"[[\"b\", \"a\", \"c\", \"B\"]]", u"[\"B\", \"a\", \"b\", \"c\"]");
    row("sort/mixed", "sort", u"[[{\"a\": 1}, 2]]", u"!D3070");
    row("sort/comparator", "sort",
        u"[[{\"p\": 1, \"i\": 0}, {\"p\": 0, \"i\": 1}, {\"p\": 1, \"i\": 2}, {\"p\": 0, \"i\": 3}], \"<lambda:byP>\"]",
        u"[{\"p\": 0, \"i\": 1}, {\"p\": 0, \"i\": 3}, {\"p\": 1, \"i\": 0}, {\"p\": 1, \"i\": 2}]");
    row("zip", "zip", u"[[1, 2, 3], [4, 5], [7, 8, 9]]", u"[[1, 4, 7], [2, 5, 8]]");
    row("zip/undefined", "zip", u"[[1, 2, 3], \"<undefined>\"]", u"[]");
    row("keys/object", "keys", u"[{\"a\": 1, \"b\": 2}]", u"[\"a\", \"b\"]");
    row("keys/array", "keys", u"[[{\"a\": 1}, {\"b\": 2, \"a\": 3}, 5]]", u"[\"a\", \"b\"]");
    row("keys/single", "keys", u"[{\"foo\": {}}]", u"\"foo\"");
    row("keys/empty", "keys", u"[{}]", u"undefined");
    row("keys/strings", "keys", u"[[\"foo\", \"bar\"]]", u"undefined");
    row("lookup/object", "lookup", u"[{\"a\": null}, \"a\"]", u"null");
    row("lookup/array", "lookup", u"[[{\"a\": 1}, {\"a\": [2, 3]}, {\"b\": 4}], \"a\"]", u"[1, 2, 3]");
    row("lookup/missing", "lookup", u"[[1, 2], \"a\"]", u"undefined");
    row("spread/object", "spread", u"[{\"a\": 1, \"b\": 2}]", u"[{\"a\": 1}, {\"b\": 2}]");
    row("spread/string", "spread", u"[\"Hello\"]", u"\"Hello\"");
    row("spread/array", "spread", u"[[{\"a\": 1}]]", u"[{\"a\": 1}]");
    row("merge", "merge", u"[[{\"a\": 1}, {\"b\": 2, \"a\": 3}]]", u"{\"a\": 3, \"b\": 2}");
    row("merge/undefined", "merge", u"[\"<undefined>\"]", u"undefined");
    row("clone", "clone", u"[{\"a\": [1, 0.30000000000000004, {\"f\": \"<fn:sum>\"}]}]",
        u"{\"a\": [1, 0.3, {\"f\": \"\"}]}");
    row("boolean/zeros", "boolean", u"[[0, 0]]", u"false");
    row("boolean/deep", "boolean", u"[[[[true]]]]", u"true");
    row("boolean/emptyObject", "boolean", u"[{}]", u"false");
    row("boolean/function", "boolean", u"[\"<fn:sum>\"]", u"false");
    row("boolean/string", "boolean", u"[\"x\"]", u"true");
    row("not", "not", u"[\"\"]", u"true");
    row("exists", "exists", u"[null]", u"true");
    row("exists/undefined", "exists", u"[\"<undefined>\"]", u"false");
    row("type/null", "type", u"[null]", u"\"null\"");
    row("type/function", "type", u"[\"<fn:sum>\"]", u"\"function\"");
    row("type/array", "type", u"[[]]", u"\"array\"");
    row("type/undefined", "type", u"[\"<undefined>\"]", u"undefined");
    row("error", "error", u"[\"Too Expensive\"]", u"!D3137");
    row("assert/false", "assert", u"[false, \"<undefined>\"]", u"!D3141");
    row("assert/true", "assert", u"[true]", u"undefined");

    // higher-order functions
    row("map/lambda", "map", u"[[1, 2, 3], \"<lambda:square>\"]", u"[1, 4, 9]");
    row("map/native", "map", u"[[1, 2, 3], \"<fn:string>\"]", u"[\"1\", \"2\", \"3\"]");
    row("map/index", "map", u"[[\"a\", \"b\"], \"<lambda:indexed>\"]", u"[\"0:a\", \"1:b\"]");
    row("map/array", "map", u"[[\"a\", \"b\"], \"<lambda:withCount>\"]", u"[\"1/2\", \"2/2\"]");
    row("map/boolean", "map", u"[[0, 1, 2], \"<fn:boolean>\"]", u"[false, true, true]");
    row("map/single", "map", u"[[1], \"<lambda:square>\"]", u"1");
    row("filter/boolean", "filter", u"[[0, 1, 2], \"<fn:boolean>\"]", u"[1, 2]");
    row("filter/lambda", "filter", u"[[1, 2, 3, 4], \"<lambda:isEven>\"]", u"[2, 4]");
    row("filter/undefined", "filter", u"[\"<undefined>\", \"<lambda:isEven>\"]", u"undefined");
    row("single/many", "single", u"[[0, 1, 2], \"<fn:boolean>\"]", u"!D3138");
    row("single/none", "single", u"[[0, 1, 2], \"<lambda:isThree>\"]", u"!D3139");
    row("single/empty", "single", u"[[]]", u"!D3139");
    row("single/one", "single", u"[[0]]", u"0");
    row("single/index", "single", u"[[\"zero\", \"one\", \"two\"], \"<lambda:indexIsOne>\"]", u"\"one\"");
    row("reduce/sum", "reduce", u"[[1, 2, 3, 4, 5], \"<lambda:add>\"]", u"15");
    row("reduce/init", "reduce", u"[[1, 2, 3, 4, 5], \"<lambda:add>\", 2]", u"17");
    row("reduce/single", "reduce", u"[[1], \"<lambda:add>\"]", u"1");
    row("reduce/index", "reduce", u"[[1, 2, 3], \"<lambda:weighted>\", 0]", u"8");
    row("reduce/arity", "reduce", u"[[1], \"<lambda:square>\"]", u"!D3050");
    row("reduce/native", "reduce", u"[[2, 1, 4, 1], \"<fn:append>\"]", u"[2, 1, 4, 1]");
    row("each/native", "each", u"[{\"a\": \"hello\", \"b\": \"world\"}, \"<fn:uppercase>\"]",
        u"[\"HELLO\", \"WORLD\"]");
    row("each/keys", "each", u"[{\"a\": 1, \"b\": 2}, \"<lambda:kv>\"]", u"[\"a: 1\", \"b: 2\"]");
    row("sift/boolean", "sift", u"[{\"a\": 1, \"b\": 0}, \"<fn:boolean>\"]", u"{\"a\": 1}");
    row("sift/nothing", "sift", u"[{\"b\": 0}, \"<fn:boolean>\"]", u"undefined");
}

void TestJsonataFunctions::functions()
{
    QFETCH(QString, function);
    QFETCH(QString, args);
    QFETCH(QString, expected);

    const Outcome outcome = invoke(function, decodeArgs(args));
    if (expected.startsWith(u'!')) {
        QVERIFY2(!outcome.errorCode.isEmpty(),
                 qPrintable(u"expected %1, got %2"_s.arg(expected.mid(1), describe(outcome.value))));
        QCOMPARE(outcome.errorCode, expected.mid(1));
        QVERIFY(!outcome.errorMessage.isEmpty());
        return;
    }
    QVERIFY2(outcome.errorCode.isEmpty(), qPrintable(outcome.errorCode + u": "_s + outcome.errorMessage));
    if (expected == u"undefined") {
        QVERIFY2(outcome.value.isUndefined(), qPrintable(describe(outcome.value)));
        return;
    }
    const std::vector<Value> wanted = decodeArgs(u'[' + expected + u']');
    QVERIFY2(outcome.value == wanted.front(),
             qPrintable(u"got %1, expected %2"_s.arg(describe(outcome.value), expected)));
}

void TestJsonataFunctions::errorMessages()
{
    Outcome outcome = invoke(u"error"_s, {Value(u"Too Expensive"_s)});
    QCOMPARE(outcome.errorCode, u"D3137"_s);
    QCOMPARE(outcome.errorMessage, u"Too Expensive"_s);
    outcome = invoke(u"error"_s, {Value()});
    QCOMPARE(outcome.errorMessage, u"$error() function evaluated"_s);
    outcome = invoke(u"assert"_s, {Value(false), Value()});
    QCOMPARE(outcome.errorMessage, u"$assert() statement failed"_s);
    outcome = invoke(u"decodeUrl"_s, {Value(u"%E0%A4%A"_s)});
    QCOMPARE(outcome.errorMessage, u"Malformed URL passed to $decodeUrl(): \"%E0%A4%A\""_s);
    outcome = invoke(u"number"_s, {Value(u"Hello"_s)});
    QCOMPARE(outcome.errorMessage, u"Unable to cast value to a number: \"Hello\""_s);
    outcome = invoke(u"sqrt"_s, {Value(-2)});
    QCOMPARE(outcome.errorMessage, u"The sqrt function cannot be applied to a negative number: -2"_s);
}

void TestJsonataFunctions::sequences()
{
    TestContext context;
    std::vector<Value> args = decodeArgs(u"[[1, 2], \"<lambda:square>\"]"_s);
    QVERIFY(findBuiltin(u"map")->impl(context, args).hasFlag(Value::Sequence));
    args = decodeArgs(u"[[1, 2], [3]]"_s);
    QVERIFY(!findBuiltin(u"append")->impl(context, args).hasFlag(Value::Sequence));
    args = decodeArgs(u"[[3, 1, 2]]"_s);
    QVERIFY(!findBuiltin(u"sort")->impl(context, args).hasFlag(Value::Sequence));
    args = decodeArgs(u"[{\"a\": 1}]"_s);
    QVERIFY(findBuiltin(u"keys")->impl(context, args).hasFlag(Value::Sequence));
    args = decodeArgs(u"[\"a-b\", \"-\"]"_s);
    QVERIFY(!findBuiltin(u"split")->impl(context, args).hasFlag(Value::Sequence));

    // $string() of the implicit wrapper around an array input writes the array.
    Value wrapper(Array{Value(Array{Value(4), Value(true)})});
    wrapper.addFlag(Value::OuterWrapper);
    args = {wrapper};
    QCOMPARE(findBuiltin(u"string")->impl(context, args).toString(), u"[4,true]"_s);
}

void TestJsonataFunctions::regexMatchObjects()
{
    const Value regexValue = makeRegex(u"a(.)"_s, false);
    const auto *regex = dynamic_cast<const Regex *>(regexValue.toFunction());
    const Value first = regexExec(*regex, u"xabyac"_s, 0);
    QCOMPARE(first[u"match"].toString(), u"ab"_s);
    QCOMPARE(first[u"start"].toDouble(), 1.0);
    QCOMPARE(first[u"end"].toDouble(), 3.0);
    QCOMPARE(first[u"groups"].at(0).toString(), u"b"_s);
    QVERIFY(first[u"next"].isFunction());

    TestContext context;
    const Value second = context.call(first[u"next"], {});
    QCOMPARE(second[u"match"].toString(), u"ac"_s);
    QCOMPARE(second[u"start"].toDouble(), 4.0);
    QVERIFY(context.call(second[u"next"], {}).isUndefined());   // at the end of the text
    QVERIFY(regexExec(*regex, u"xyz"_s, 0).isUndefined());
    QCOMPARE(regexExec(*regex, u"xabyac"_s, 2)[u"start"].toDouble(), 4.0);
}

void TestJsonataFunctions::zeroLengthMatch()
{
    const Value regexValue = makeRegex(u"x*"_s, false);
    const auto *regex = dynamic_cast<const Regex *>(regexValue.toFunction());
    const Value first = regexExec(*regex, u"abc"_s, 0);
    QCOMPARE(first[u"match"].toString(), QString());   // the first match may be empty
    TestContext context;
    try {
        context.call(first[u"next"], {});
        QFAIL("expected D1004");
    } catch (const JsonataException &e) {
        QCOMPARE(e.code, u"D1004"_s);
    }
    // $contains only looks for the first match.
    QCOMPARE(invoke(u"contains"_s, {Value(u"abc"_s), regexValue}).value, Value(true));
    QCOMPARE(invoke(u"split"_s, {Value(u"abc"_s), regexValue, Value()}).errorCode, u"D1004"_s);
}

void TestJsonataFunctions::urlLoneSurrogate()
{
    const QString lone(QChar(0xd800));
    QCOMPARE(invoke(u"encodeUrl"_s, {Value(lone)}).errorCode, u"D3140"_s);
    QCOMPARE(invoke(u"encodeUrlComponent"_s, {Value(lone)}).errorCode, u"D3140"_s);
    QCOMPARE(invoke(u"encodeUrlComponent"_s, {Value(u"𝄞"_s)}).value, Value(u"%F0%9D%84%9E"_s));
}

void TestJsonataFunctions::shuffle()
{
    Array items;
    for (int i = 1; i <= 20; ++i)
        items.emplace_back(i);
    const Outcome shuffled = invoke(u"shuffle"_s, {Value(items)});
    QCOMPARE(shuffled.value.size(), 20);
    const Outcome sorted = invoke(u"sort"_s, {shuffled.value, Value()});
    QVERIFY(sorted.value == Value(items));
    QCOMPARE(invoke(u"shuffle"_s, {Value(Array{Value(1)})}).value, Value(Array{Value(1)}));
    const double random = invoke(u"random"_s, {}).value.toDouble();
    QVERIFY(random >= 0 && random < 1);
}

void TestJsonataFunctions::nowAndMillis()
{
    QCOMPARE(invoke(u"millis"_s, {}).value.toDouble(), double(fixedNow));
    QCOMPARE(invoke(u"now"_s, {Value(), Value()}).value.toString(), u"2021-06-15T10:00:00.000Z"_s);
    QCOMPARE(invoke(u"now"_s, {Value(u"[Y]/[M]/[D] [H01]:[m]"_s), Value(u"+0200"_s)}).value.toString(),
             u"2021/6/15 12:00"_s);
}

void TestJsonataFunctions::stringAndBoolean()
{
    QCOMPARE(jsonataString(Value(u"text"_s)), u"text"_s);
    QCOMPARE(jsonataString(Value(0.1 + 0.2)), u"0.3"_s);
    QCOMPARE(jsonataString(Value::numberFromText(u"12345678901234567890")), u"12345678901234567890"_s);
    try {
        jsonataString(Value(std::numeric_limits<double>::infinity()));
        QFAIL("expected D3001");
    } catch (const JsonataException &e) {
        QCOMPARE(e.code, u"D3001"_s);
    }
    try {
        jsonataString(Value(Object{{u"inf"_s, Value(std::numeric_limits<double>::infinity())}}));
        QFAIL("expected D1001");
    } catch (const JsonataException &e) {
        QCOMPARE(e.code, u"D1001"_s);
    }
    QVERIFY(!jsonataBoolean(Value()));
    QVERIFY(!jsonataBoolean(Value(Array{Value(0), Value(u""_s)})));
    QVERIFY(jsonataBoolean(Value(Array{Value(0), Value(u"x"_s)})));
    QVERIFY(jsonataBoolean(Value(Object{{u"a"_s, Value(false)}})));
}

void TestJsonataFunctions::concurrentPictures()
{
    // Pictures are cached per thread; threads formatting and parsing at once must agree.
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&mismatches, t] {
            for (int i = 0; i < 300; ++i) {
                const double millis = 1521801216617.0 + double(t * 1000 + i) * 86400123.0;
                const QString picture = i % 2 ? u"[Y0001]-[M01]-[D01] [H01]:[m01]:[s01].[f001]"_s
                                              : u"[D1o] [MNn] [Y] [h]:[m01]:[s01].[f001] [P]"_s;
                const Outcome text = invoke(u"fromMillis"_s, {Value(millis), Value(picture), Value()});
                const Outcome back = invoke(u"toMillis"_s, {text.value, Value(picture)});
                if (back.value.toDouble() != millis)
                    ++mismatches;
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(mismatches.load(), 0);
}

QTEST_GUILESS_MAIN(TestJsonataFunctions)
#include "tst_jsonatafunctions.moc"
