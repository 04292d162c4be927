// GraphQL passthrough limits: extraction from HTTP, parsing, depth and field counting, and
// hostile documents.

#include <gateway/graphqllimits.h>
#include <gateway/httprequestparser.h>

#include <QTest>

#include <limits>

using namespace Conflux;
using namespace Conflux::Gateway;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Conflux::Gateway::GraphQlLimits)

namespace {

constexpr int intMax = std::numeric_limits<int>::max();

GraphQlLimits unlimited()
{
    GraphQlLimits limits;
    limits.maxDepth = 0;
    limits.maxFields = 0;
    limits.maxQueryBytes = 0;
    return limits;
}

GraphQlLimits limitsOf(int maxDepth, int maxFields, qsizetype maxQueryBytes)
{
    GraphQlLimits limits;
    limits.maxDepth = maxDepth;
    limits.maxFields = maxFields;
    limits.maxQueryBytes = maxQueryBytes;
    return limits;
}

// The error code of an analysis, or "ok".
QString outcome(const Result<GraphQlAnalysis> &result)
{
    return result ? u"ok"_s : result.error().code;
}

// A request as the gateway's HTTP parser produces it from the wire.
Http::HttpRequest parseRequest(const QByteArray &method, const QByteArray &target,
                               const QByteArray &contentType = {}, const QByteArray &body = {})
{
    QByteArray wire = method + ' ' + target + " HTTP/1.1\r\nHost: api.example.test\r\n";
    if (!contentType.isEmpty())
        wire += "Content-Type: " + contentType + "\r\n";
    if (!body.isEmpty() || method == "POST")
        wire += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    wire += "\r\n" + body;
    Http::HttpRequestParser parser;
    if (parser.feed(wire) != Http::HttpRequestParser::State::Complete)
        qFatal("test request does not parse: %s", wire.constData());
    return parser.takeRequest();
}

// fragment F0 on T { <body of F0> } ... fragment F<n-1> on T { <last> }, where each body
// spreads the next fragment through `spreadTemplate` (%1 is the next fragment's name).
QString fragmentChain(int count, const QString &spreadTemplate, const QString &last)
{
    QString document;
    for (int i = 0; i < count; ++i) {
        document += u"fragment F%1 on T { "_s.arg(i);
        document += i + 1 < count ? spreadTemplate.arg(u"F%1"_s.arg(i + 1)) : last;
        document += u" }\n"_s;
    }
    return document;
}

} // namespace

class tst_GraphQlLimits : public QObject
{
    Q_OBJECT

private slots:
    void measures_data();
    void measures();
    void syntaxErrors_data();
    void syntaxErrors();
    void documentErrors_data();
    void documentErrors();
    void limits_data();
    void limits();
    void sizeIsCountedInUtf8Bytes();
    void onlyTheMeasuredOperationCounts();
    void deepNestingDoesNotOverflowTheStack_data();
    void deepNestingDoesNotOverflowTheStack();
    void nestedBracesAreTooDeepOrTooLarge();
    void fragmentFanOutIsMemoized();
    void longFragmentChains();
    void longCycleIsNamedByItsEnds();
    void extractsFromHttp_data();
    void extractsFromHttp();
    void extractionErrors_data();
    void extractionErrors();
    void extractThenAnalyze();
};

void tst_GraphQlLimits::measures_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("operationName");
    QTest::addColumn<int>("depth");
    QTest::addColumn<int>("fields");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("name");

    QTest::addRow("one field") << u"{ a }"_s << QString() << 1 << 1 << u"query"_s << QString();
    QTest::addRow("plain nesting") << u"{ a { b { c } d } e }"_s << QString() << 3 << 5 << u"query"_s << QString();
    QTest::addRow("named query") << u"query Q { a { b } }"_s << QString() << 2 << 2 << u"query"_s << u"Q"_s;
    QTest::addRow("named query, operationName given")
        << u"query Q { a { b } }"_s << u"Q"_s << 2 << 2 << u"query"_s << u"Q"_s;
    QTest::addRow("aliases") << u"{ x: a { y: b } z: a }"_s << QString() << 2 << 3 << u"query"_s << QString();
    QTest::addRow("braces and quotes inside strings")
        << u"{ a(s: \"{ { {\", t: \"}\\\"}\", u: \"#{\") { b } }"_s << QString() << 2 << 2 << u"query"_s
        << QString();
    QTest::addRow("block strings")
        << u"{ a(s: \"\"\" { \\\"\"\" }\n { \"\"\", t: \"\"\"\"\"\") { b } }"_s << QString() << 2 << 2
        << u"query"_s << QString();
    QTest::addRow("object and list values")
        << u"{ a(o: {x: {y: [1, {z: \"}\"}]}}, l: [[[]]], e: {}, n: null, b: true, v: ENUM) { b } }"_s
        << QString() << 2 << 2 << u"query"_s << QString();
    QTest::addRow("numbers") << u"{ a(i: -0, f: 1.5e-3, g: 2E+10, h: 0.0, j: 123) { b } }"_s << QString() << 2
                             << 2 << u"query"_s << QString();
    QTest::addRow("escapes") << u"{ a(s: \"\\u00e9 \\u{1F600} \\\\ \\\" \\/ \\b\\f\\n\\r\\t\") }"_s << QString()
                             << 1 << 1 << u"query"_s << QString();
    QTest::addRow("variables, defaults and directives")
        << u"query Q($id: ID! = \"x\", $l: [[Int!]!] = [[1]], $o: In = {a: {b: [2]}} @dir) @op(a: 1) "
           "{ a(id: $id, o: {k: $o}) @include(if: $x) { b @skip(if: true) @other } }"_s
        << QString() << 2 << 2 << u"query"_s << u"Q"_s;
    QTest::addRow("inline fragments add no level")
        << u"{ a { ... on T { b { c } } ... @include(if: true) { d } ... { e } } }"_s << QString() << 3 << 5
        << u"query"_s << QString();
    QTest::addRow("fragment counts where it is spread")
        << u"query { a { b { ...F } } } fragment F on T { c { d } }"_s << QString() << 4 << 4 << u"query"_s
        << QString();
    QTest::addRow("fragment defined before use")
        << u"fragment F on T { c { d } } { a { ...F } }"_s << QString() << 3 << 3 << u"query"_s << QString();
    QTest::addRow("fragment spreading a fragment")
        << u"{ a { ...F } } fragment F on T { b ...G } fragment G on T { c { d } }"_s << QString() << 3 << 4
        << u"query"_s << QString();
    QTest::addRow("spread twice counts twice")
        << u"{ a { ...F } b { ...F } } fragment F on T { x y }"_s << QString() << 2 << 6 << u"query"_s
        << QString();
    QTest::addRow("spread inside an inline fragment")
        << u"{ a { ... on T { ...F @include(if: $x) } } } fragment F on T { b { c } }"_s << QString() << 3 << 3
        << u"query"_s << QString();
    QTest::addRow("mutation") << u"mutation M($v: In!) { create(input: $v) { id } }"_s << QString() << 2 << 2
                              << u"mutation"_s << u"M"_s;
    QTest::addRow("subscription") << u"subscription { onEvent { id payload { x } } }"_s << QString() << 3 << 4
                                  << u"subscription"_s << QString();
    QTest::addRow("comments and commas")
        << u"# header { {\n{ a, # a comment } {\n b,,, }"_s << QString() << 1 << 2 << u"query"_s << QString();
    QTest::addRow("BOM and CRLF") << u"\uFEFF{\r\n a\r\n}\r\n"_s << QString() << 1 << 1 << u"query"_s << QString();
    QTest::addRow("keywords as field names")
        << u"{ on query fragment mutation type }"_s << QString() << 1 << 5 << u"query"_s << QString();
    QTest::addRow("operationName picks B")
        << u"query A { a } query B { b { c } }"_s << u"B"_s << 2 << 2 << u"query"_s << u"B"_s;
    QTest::addRow("operationName picks A")
        << u"query A { a } query B { b { c } }"_s << u"A"_s << 1 << 1 << u"query"_s << u"A"_s;
    QTest::addRow("operationName picks a mutation")
        << u"query A { a } mutation B { b { c } }"_s << u"B"_s << 2 << 2 << u"mutation"_s << u"B"_s;
    QTest::addRow("shorthand spreading a fragment")
        << u"{ ...F } fragment F on Query { a }"_s << QString() << 1 << 1 << u"query"_s << QString();
    QTest::addRow("unused fragment does not count")
        << u"{ a } fragment Unused on Q { b { c { d } } }"_s << QString() << 1 << 1 << u"query"_s << QString();
}

void tst_GraphQlLimits::measures()
{
    QFETCH(QString, query);
    QFETCH(QString, operationName);
    QFETCH(int, depth);
    QFETCH(int, fields);
    QFETCH(QString, type);
    QFETCH(QString, name);

    const Result<GraphQlAnalysis> result = analyzeGraphQl(query, operationName, unlimited());
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    QCOMPARE(result->depth, depth);
    QCOMPARE(result->fields, fields);
    QCOMPARE(result->operationType, type);
    QCOMPARE(result->operationName, name);
}

void tst_GraphQlLimits::syntaxErrors_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("position");
    QTest::addColumn<QString>("says");

    QTest::addRow("unclosed selection set") << u"{ a"_s << u"1:4"_s << u"the end of the document"_s;
    QTest::addRow("empty selection set") << u"{ }"_s << u"1:3"_s << u"expected a field"_s;
    QTest::addRow("missing colon in an argument") << u"{\n  a(x 1)\n}"_s << u"2:7"_s << u"expected ':'"_s;
    QTest::addRow("unterminated string") << u"{ a(s: \"abc) }"_s << u"1:8"_s << u"unterminated string"_s;
    QTest::addRow("line break in a string") << u"{ a(s: \"ab\ncd\") }"_s << u"1:8"_s << u"unterminated string"_s;
    QTest::addRow("unterminated block string")
        << u"{ a(s: \"\"\"abc\n\n) }"_s << u"1:8"_s << u"unterminated block string"_s;
    QTest::addRow("invalid escape") << u"{ a(s: \"\\q\") }"_s << u"1:9"_s << u"invalid escape sequence \\q"_s;
    QTest::addRow("invalid unicode escape") << u"{ a(s: \"\\u12G4\") }"_s << u"1:9"_s << u"Unicode escape"_s;
    QTest::addRow("single dot") << u"{ a . b }"_s << u"1:5"_s << u"'...'"_s;
    QTest::addRow("leading zero") << u"{ a(n: 012) }"_s << u"1:9"_s << u"cannot start with 0"_s;
    QTest::addRow("number followed by a name") << u"{ a(n: 12abc) }"_s << u"1:10"_s << u"'a'"_s;
    QTest::addRow("unexpected character") << u"{ a ? }"_s << u"1:5"_s << u"unexpected character '?'"_s;
    QTest::addRow("non-ASCII character") << u"{ \u00e9 }"_s << u"1:3"_s << u"U+00E9"_s;
    QTest::addRow("type definition") << u"type Query { a: Int }"_s << u"1:1"_s << u"cannot define types"_s;
    QTest::addRow("empty document") << u"  # nothing here"_s << u"1:17"_s << u"empty"_s;
    QTest::addRow("fragment named on") << u"fragment on on T { a }"_s << u"1:10"_s << u"a fragment name"_s;
    QTest::addRow("fragment without a type") << u"fragment F { a }"_s << u"1:12"_s << u"'on'"_s;
    QTest::addRow("variable in a default value")
        << u"query ($a: Int = $b) { a }"_s << u"1:18"_s << u"constant value"_s;
    QTest::addRow("unclosed list value") << u"{ a(l: [1, 2) }"_s << u"1:13"_s << u"a value or ']'"_s;
    QTest::addRow("missing value") << u"{ a(x: ) }"_s << u"1:8"_s << u"expected a value"_s;
    QTest::addRow("empty arguments") << u"{ a() }"_s << u"1:5"_s << u"argument name"_s;
    QTest::addRow("CRLF counts as one line break") << u"{\r\n a\r\n b(\r\n}"_s << u"4:1"_s << u"argument name"_s;
    QTest::addRow("CR alone is a line break") << u"{\r a\r ?\r}"_s << u"3:2"_s << u"'?'"_s;
    QTest::addRow("extra closing brace") << u"{ a } }"_s << u"1:7"_s << u"an operation or a fragment"_s;
    QTest::addRow("inline fragment without a selection set")
        << u"{ ... on T }"_s << u"1:12"_s << u"inline fragment"_s;
    QTest::addRow("alias without a field") << u"{ a: { b } }"_s << u"1:6"_s << u"after the alias"_s;
}

void tst_GraphQlLimits::syntaxErrors()
{
    QFETCH(QString, query);
    QFETCH(QString, position);
    QFETCH(QString, says);

    const Result<GraphQlAnalysis> result = analyzeGraphQl(query, QString(), GraphQlLimits());
    QCOMPARE(outcome(result), u"graphql_invalid"_s);
    const QString message = result.error().message;
    QVERIFY2(message.contains(u" at "_s + position + u": "_s), qPrintable(message));
    QVERIFY2(message.contains(says), qPrintable(message));
    // The offset agrees with line:column.
    const QStringList lc = position.split(u':');
    const QString before = query.left(result.error().offset);
    const qsizetype lastBreak = std::max(before.lastIndexOf(u'\n'), before.lastIndexOf(u'\r'));
    QCOMPARE(result.error().offset - lastBreak, lc.at(1).toLongLong());
}

void tst_GraphQlLimits::documentErrors_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("operationName");
    QTest::addColumn<QString>("says");

    QTest::addRow("unknown fragment")
        << u"{ a { ...Missing } }"_s << QString() << u"unknown fragment \"Missing\" spread at 1:7"_s;
    QTest::addRow("unknown fragment in an unused fragment")
        << u"{ a } fragment F on T { ...Nope }"_s << QString() << u"unknown fragment \"Nope\""_s;
    QTest::addRow("cycle of two")
        << u"{ ...A } fragment A on T { a ...B } fragment B on T { b { ...A } }"_s << QString()
        << u"fragment cycle A → B → A"_s;
    QTest::addRow("cycle of three, entered midway")
        << u"{ ...X } fragment X on T { ...A } fragment A on T { ...B } fragment B on T { ...C } "
           "fragment C on T { ...A }"_s
        << QString() << u"fragment cycle A → B → C → A"_s;
    QTest::addRow("fragment spreading itself")
        << u"fragment A on T { a ...A } { ...A }"_s << QString() << u"fragment cycle A → A"_s;
    QTest::addRow("cycle in an unused fragment")
        << u"{ a } fragment A on T { ...B } fragment B on T { ...A }"_s << QString() << u"fragment cycle A → B → A"_s;
    QTest::addRow("fragment defined twice")
        << u"{ ...F } fragment F on T { a } fragment F on T { b }"_s << QString()
        << u"fragment \"F\" is defined twice, at 1:10 and 1:32"_s;
    QTest::addRow("operation defined twice")
        << u"query A { a } query A { b }"_s << u"A"_s << u"operation \"A\" is defined twice"_s;
    QTest::addRow("anonymous operation beside another")
        << u"{ a } query B { b }"_s << u"B"_s << u"anonymous operation at 1:1 must be the only operation"_s;
    QTest::addRow("several operations, no operationName")
        << u"query A { a } query B { b }"_s << QString() << u"has 2 operations"_s;
    QTest::addRow("unknown operationName")
        << u"query A { a } query B { b }"_s << u"C"_s << u"no operation named \"C\""_s;
    QTest::addRow("operationName for an anonymous operation")
        << u"{ a }"_s << u"A"_s << u"no operation named \"A\""_s;
    QTest::addRow("only fragments") << u"fragment F on T { a }"_s << QString() << u"no operation"_s;
}

void tst_GraphQlLimits::documentErrors()
{
    QFETCH(QString, query);
    QFETCH(QString, operationName);
    QFETCH(QString, says);

    const Result<GraphQlAnalysis> result = analyzeGraphQl(query, operationName, GraphQlLimits());
    QCOMPARE(outcome(result), u"graphql_invalid"_s);
    QVERIFY2(result.error().message.contains(says), qPrintable(result.error().message));
}

void tst_GraphQlLimits::limits_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<GraphQlLimits>("limits");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");

    const QString depth3 = u"{ a { b { c } } }"_s;
    const QString depth11 = u"{ a"_s.repeated(11) + u" }"_s.repeated(11);
    const QString depth10 = u"{ a"_s.repeated(10) + u" }"_s.repeated(10);
    QTest::addRow("depth at the limit") << depth10 << GraphQlLimits() << u"ok"_s << QString();
    QTest::addRow("depth over the limit")
        << depth11 << GraphQlLimits() << u"graphql_too_deep"_s << u"query depth 11 exceeds the limit of 10"_s;
    QTest::addRow("depth through a fragment")
        << u"{ a { ...F } } fragment F on T { b { c } }"_s << limitsOf(2, 0, 0) << u"graphql_too_deep"_s
        << u"query depth 3 exceeds the limit of 2"_s;
    QTest::addRow("depth 0 is unlimited") << depth11 << limitsOf(0, 0, 0) << u"ok"_s << QString();
    QTest::addRow("fields at the limit") << depth3 << limitsOf(0, 3, 0) << u"ok"_s << QString();
    QTest::addRow("fields over the limit")
        << u"{ a b c d }"_s << limitsOf(0, 3, 0) << u"graphql_too_complex"_s
        << u"query selects 4 fields (fragments expanded), more than the limit of 3"_s;
    QTest::addRow("fields counted after expansion")
        << u"{ ...F ...F } fragment F on T { a b }"_s << limitsOf(0, 3, 0) << u"graphql_too_complex"_s
        << u"selects 4 fields"_s;
    QTest::addRow("fields 0 is unlimited") << u"{ a b c d }"_s << limitsOf(0, 0, 0) << u"ok"_s << QString();
    QTest::addRow("bytes at the limit") << depth3 << limitsOf(0, 0, depth3.size()) << u"ok"_s << QString();
    QTest::addRow("bytes over the limit")
        << depth3 << limitsOf(0, 0, depth3.size() - 1) << u"graphql_too_large"_s
        << u"the GraphQL query is 17 bytes long, more than the limit of 16 bytes"_s;
    QTest::addRow("size is checked before syntax")
        << u"this is not GraphQL at all"_s << limitsOf(0, 0, 10) << u"graphql_too_large"_s << QString();
    QTest::addRow("depth is checked before fields")
        << depth11 << limitsOf(10, 5, 0) << u"graphql_too_deep"_s << QString();
    QTest::addRow("syntax is checked before depth")
        << depth11 + u" }"_s << GraphQlLimits() << u"graphql_invalid"_s << QString();
}

void tst_GraphQlLimits::limits()
{
    QFETCH(QString, query);
    QFETCH(GraphQlLimits, limits);
    QFETCH(QString, code);
    QFETCH(QString, message);

    const Result<GraphQlAnalysis> result = analyzeGraphQl(query, QString(), limits);
    QCOMPARE(outcome(result), code);
    if (!message.isEmpty())
        QVERIFY2(result.error().message.contains(message), qPrintable(result.error().message));
}

void tst_GraphQlLimits::sizeIsCountedInUtf8Bytes()
{
    // 'é' is two bytes in UTF-8 and '😀' (a surrogate pair) four.
    const QString query = u"{ a(s: \"\u00e9\U0001F600\") }"_s;
    const qsizetype bytes = query.toUtf8().size();
    QCOMPARE(bytes, query.size() + 1 + 2);
    QCOMPARE(outcome(analyzeGraphQl(query, {}, limitsOf(0, 0, bytes))), u"ok"_s);
    const Result<GraphQlAnalysis> over = analyzeGraphQl(query, {}, limitsOf(0, 0, bytes - 1));
    QCOMPARE(outcome(over), u"graphql_too_large"_s);
    QVERIFY(over.error().message.contains(QString::number(bytes)));
}

void tst_GraphQlLimits::onlyTheMeasuredOperationCounts()
{
    const QString document = u"query Deep { a { b { c } } } query Flat { a }"_s;
    const Result<GraphQlAnalysis> flat = analyzeGraphQl(document, u"Flat"_s, limitsOf(2, 1, 0));
    QVERIFY(flat);
    QCOMPARE(flat->depth, 1);
    QCOMPARE(outcome(analyzeGraphQl(document, u"Deep"_s, limitsOf(2, 1, 0))), u"graphql_too_deep"_s);
}

void tst_GraphQlLimits::deepNestingDoesNotOverflowTheStack_data()
{
    constexpr int n = 100000;
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("depth");

    QTest::addRow("100k nested fields")
        << u"{ a"_s.repeated(n) + u" }"_s.repeated(n) << u"ok"_s << n;
    QTest::addRow("100k nested fields, one brace short")
        << u"{ a"_s.repeated(n) + u" }"_s.repeated(n - 1) << u"graphql_invalid"_s << 0;
    QTest::addRow("100k opening braces") << u"{"_s.repeated(n) << u"graphql_invalid"_s << 0;
    QTest::addRow("100k nested inline fragments")
        << u"{ a "_s + u"... { "_s.repeated(n) + u"b"_s + u" }"_s.repeated(n) + u" }"_s << u"ok"_s << 1;
    QTest::addRow("100k nested lists in an argument")
        << u"{ a(x: "_s + u"["_s.repeated(n) + u"]"_s.repeated(n) + u") }"_s << u"ok"_s << 1;
    QTest::addRow("100k open lists in an argument")
        << u"{ a(x: "_s + u"["_s.repeated(n) << u"graphql_invalid"_s << 0;
    QTest::addRow("100k nested objects in an argument")
        << u"{ a(x: "_s + u"{k: "_s.repeated(n) + u"1"_s + u"}"_s.repeated(n) + u") }"_s << u"ok"_s << 1;
    QTest::addRow("100k nested list types")
        << u"query ($v: "_s + u"["_s.repeated(n) + u"Int"_s + u"]!"_s.repeated(n) + u") { a }"_s << u"ok"_s << 1;
}

void tst_GraphQlLimits::deepNestingDoesNotOverflowTheStack()
{
    QFETCH(QString, query);
    QFETCH(QString, code);
    QFETCH(int, depth);

    const Result<GraphQlAnalysis> result = analyzeGraphQl(query, QString(), unlimited());
    QCOMPARE(outcome(result), code);
    if (result)
        QCOMPARE(result->depth, depth);
}

void tst_GraphQlLimits::nestedBracesAreTooDeepOrTooLarge()
{
    constexpr int n = 100000;
    const QString query = u"{ a"_s.repeated(n) + u" }"_s.repeated(n);

    // The default byte limit refuses it before parsing.
    QCOMPARE(outcome(analyzeGraphQl(query, QString(), GraphQlLimits())), u"graphql_too_large"_s);

    // Without a byte limit it is parsed, and refused for its depth.
    GraphQlLimits limits;
    limits.maxQueryBytes = 0;
    const Result<GraphQlAnalysis> deep = analyzeGraphQl(query, QString(), limits);
    QCOMPARE(outcome(deep), u"graphql_too_deep"_s);
    QCOMPARE(deep.error().message, u"query depth 100000 exceeds the limit of 10"_s);
}

void tst_GraphQlLimits::fragmentFanOutIsMemoized()
{
    // Each of 30 fragments selects one field and spreads the next twice: F0 expands to
    // 2^30 - 1 fields.
    const QString chain = fragmentChain(30, u"x ...%1 ...%1"_s, u"x"_s);
    const Result<GraphQlAnalysis> once = analyzeGraphQl(u"{ ...F0 }\n"_s + chain, QString(), unlimited());
    QVERIFY(once);
    QCOMPARE(once->fields, (1 << 30) - 1);
    QCOMPARE(once->depth, 1);

    // Spread four times the count passes INT_MAX and saturates.
    const QString four = u"{ ...F0 ...F0 ...F0 ...F0 }\n"_s + chain;
    const Result<GraphQlAnalysis> saturated = analyzeGraphQl(four, QString(), unlimited());
    QVERIFY(saturated);
    QCOMPARE(saturated->fields, intMax);

    const Result<GraphQlAnalysis> refused = analyzeGraphQl(four, QString(), GraphQlLimits());
    QCOMPARE(outcome(refused), u"graphql_too_complex"_s);
    QVERIFY2(refused.error().message.contains(u"at least 2147483647"_s), qPrintable(refused.error().message));

    // 300 fragments: 2^300 expansions. Only memoization can answer this at all.
    const QString huge = u"{ ...F0 }\n"_s + fragmentChain(300, u"x { y } ...%1 ...%1"_s, u"x"_s);
    const Result<GraphQlAnalysis> hugeResult = analyzeGraphQl(huge, QString(), unlimited());
    QVERIFY(hugeResult);
    QCOMPARE(hugeResult->fields, intMax);
    QCOMPARE(hugeResult->depth, 2);
}

void tst_GraphQlLimits::longFragmentChains()
{
    // Each fragment nests the next one a level deeper: depth grows by one per fragment.
    constexpr int count = 5000;
    const QString chain = fragmentChain(count, u"a { ...%1 }"_s, u"leaf"_s);
    const Result<GraphQlAnalysis> result = analyzeGraphQl(u"{ ...F0 }\n"_s + chain, QString(), unlimited());
    QVERIFY(result);
    QCOMPARE(result->depth, count);
    QCOMPARE(result->fields, count);

    GraphQlLimits limits = unlimited();
    limits.maxDepth = 10;
    const Result<GraphQlAnalysis> deep = analyzeGraphQl(u"{ ...F0 }\n"_s + chain, QString(), limits);
    QCOMPARE(outcome(deep), u"graphql_too_deep"_s);
    QCOMPARE(deep.error().message, u"query depth 5000 exceeds the limit of 10"_s);
}

void tst_GraphQlLimits::longCycleIsNamedByItsEnds()
{
    constexpr int count = 1000;
    const QString chain = fragmentChain(count, u"...%1"_s, u"...F0"_s);
    const Result<GraphQlAnalysis> result = analyzeGraphQl(u"{ ...F0 }\n"_s + chain, QString(), unlimited());
    QCOMPARE(outcome(result), u"graphql_invalid"_s);
    const QString message = result.error().message;
    QVERIFY2(message.startsWith(u"fragment cycle F0 → F1 → "_s), qPrintable(message));
    QVERIFY2(message.endsWith(u" → F998 → F999 → F0"_s), qPrintable(message));
    QVERIFY2(message.contains(u"…"_s), qPrintable(message));
    QVERIFY2(message.size() < 200, qPrintable(message));
}

void tst_GraphQlLimits::extractsFromHttp_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("operationName");

    QTest::addRow("POST JSON")
        << "POST"_ba << "/graphql"_ba << "application/json"_ba
        << "{\"query\": \"query Op { a }\", \"operationName\": \"Op\", \"variables\": {\"x\": 1}}"_ba
        << u"query Op { a }"_s << u"Op"_s;
    QTest::addRow("POST JSON with charset, null members")
        << "POST"_ba << "/graphql"_ba << "Application/JSON; charset=utf-8"_ba
        << "{\"query\": \"{ a }\", \"operationName\": null, \"variables\": null}"_ba << u"{ a }"_s << QString();
    QTest::addRow("POST JSON, escapes and UTF-8")
        << "POST"_ba << "/graphql"_ba << "application/json"_ba
        << "{\"query\": \"{ a(s: \\\"\xc3\xa9\\\") }\\n\"}"_ba << u"{ a(s: \"\u00e9\") }\n"_s << QString();
    QTest::addRow("POST application/graphql")
        << "POST"_ba << "/graphql?operationName=B"_ba << "application/graphql"_ba
        << "query A { a } query B { b }"_ba << u"query A { a } query B { b }"_s << u"B"_s;
    QTest::addRow("GET, percent-encoded")
        << "GET"_ba << "/graphql?query=%7B%20a%20%7B%20b%20%7D%20%7D&operationName="_ba << QByteArray()
        << QByteArray() << u"{ a { b } }"_s << QString();
    QTest::addRow("GET, form-encoded spaces and a literal plus")
        << "GET"_ba << "/graphql?operationName=Q&query=query+Q+%7B+a(s%3A+%22%2B%C3%A9%22)+%7D"_ba << QByteArray()
        << QByteArray() << u"query Q { a(s: \"+\u00e9\") }"_s << u"Q"_s;
}

void tst_GraphQlLimits::extractsFromHttp()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(QString, query);
    QFETCH(QString, operationName);

    const Result<GraphQlRequest> result = extractGraphQl(parseRequest(method, target, contentType, body));
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    QCOMPARE(result->query, query);
    QCOMPARE(result->operationName, operationName);
}

void tst_GraphQlLimits::extractionErrors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("says");

    const QByteArray json = "application/json";
    QTest::addRow("no query") << "POST"_ba << "/g"_ba << json << "{\"operationName\": \"A\"}"_ba
                              << u"has no \"query\""_s;
    QTest::addRow("query is a number") << "POST"_ba << "/g"_ba << json << "{\"query\": 42}"_ba
                                       << u"\"query\" must be a string, not a number"_s;
    QTest::addRow("empty query") << "POST"_ba << "/g"_ba << json << "{\"query\": \"\"}"_ba << u"empty"_s;
    QTest::addRow("not JSON") << "POST"_ba << "/g"_ba << json << "{ a }"_ba << u"not a JSON object"_s;
    QTest::addRow("empty body") << "POST"_ba << "/g"_ba << json << QByteArray() << u"not a JSON object"_s;
    QTest::addRow("batch") << "POST"_ba << "/g"_ba << json << "[{\"query\": \"{ a }\"}]"_ba << u"batched"_s;
    QTest::addRow("JSON string") << "POST"_ba << "/g"_ba << json << "\"{ a }\""_ba << u"not a JSON object"_s;
    QTest::addRow("operationName is a number")
        << "POST"_ba << "/g"_ba << json << "{\"query\": \"{ a }\", \"operationName\": 1}"_ba
        << u"\"operationName\" must be a string or null"_s;
    QTest::addRow("variables is a string")
        << "POST"_ba << "/g"_ba << json << "{\"query\": \"{ a }\", \"variables\": \"{}\"}"_ba
        << u"\"variables\" must be an object or null, not a string"_s;
    QTest::addRow("persisted query")
        << "POST"_ba << "/g"_ba << json
        << "{\"extensions\": {\"persistedQuery\": {\"version\": 1, \"sha256Hash\": \"ab\"}}}"_ba
        << u"persisted"_s;
    QTest::addRow("application/graphql, invalid UTF-8")
        << "POST"_ba << "/g"_ba << "application/graphql"_ba << "{ a(s: \"\xff\") }"_ba << u"UTF-8"_s;
    QTest::addRow("text/plain") << "POST"_ba << "/g"_ba << "text/plain"_ba << "{ a }"_ba << u"\"text/plain\""_s;
    QTest::addRow("no Content-Type") << "POST"_ba << "/g"_ba << QByteArray() << "{ a }"_ba
                                     << u"needs Content-Type"_s;
    QTest::addRow("PUT") << "PUT"_ba << "/g"_ba << json << "{\"query\": \"{ a }\"}"_ba << u"not a PUT"_s;
    QTest::addRow("GET without query") << "GET"_ba << "/g?operationName=A"_ba << QByteArray() << QByteArray()
                                       << u"no \"query\" URL parameter"_s;
    QTest::addRow("GET with two queries")
        << "GET"_ba << "/g?query=%7Ba%7D&query=%7Bb%7D"_ba << QByteArray() << QByteArray()
        << u"\"query\" is given 2 times"_s;
    QTest::addRow("GET with two operationNames")
        << "GET"_ba << "/g?query=%7Ba%7D&operationName=A&operationName=B"_ba << QByteArray() << QByteArray()
        << u"\"operationName\" is given 2 times"_s;
    QTest::addRow("GET, invalid UTF-8") << "GET"_ba << "/g?query=%7B%FF%7D"_ba << QByteArray() << QByteArray()
                                        << u"not valid UTF-8"_s;
}

void tst_GraphQlLimits::extractionErrors()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(QString, says);

    const Result<GraphQlRequest> result = extractGraphQl(parseRequest(method, target, contentType, body));
    QVERIFY(!result);
    QCOMPARE(result.error().code, u"graphql_invalid"_s);
    QVERIFY2(result.error().message.contains(says), qPrintable(result.error().message));
}

void tst_GraphQlLimits::extractThenAnalyze()
{
    const QByteArray body = "{\"query\": \"query Cheap { a } query Costly { a { b { c } } }\", "
                            "\"operationName\": \"Costly\"}";
    const Result<GraphQlRequest> request
        = extractGraphQl(parseRequest("POST", "/graphql", "application/json", body));
    QVERIFY(request);
    const Result<GraphQlAnalysis> analysis
        = analyzeGraphQl(request->query, request->operationName, limitsOf(2, 0, 0));
    QCOMPARE(outcome(analysis), u"graphql_too_deep"_s);
    QCOMPARE(analysis.error().message, u"query depth 3 exceeds the limit of 2"_s);
}

QTEST_GUILESS_MAIN(tst_GraphQlLimits)
#include "tst_graphqllimits.moc"
