#include <gateway/httprequestparser.h>

#include <QRandomGenerator>
#include <QTest>

using Conflux::Http::HttpLimits;
using Conflux::Http::HttpRequest;
using Conflux::Http::HttpRequestParser;
using State = Conflux::Http::HttpRequestParser::State;

namespace {

QByteArray get(const QByteArray &extraHeaders = {})
{
    return "GET / HTTP/1.1\r\nHost: example.test\r\n" + extraHeaders + "\r\n";
}

QByteArray post(const QByteArray &framingHeaders, const QByteArray &body)
{
    return "POST /submit HTTP/1.1\r\nHost: example.test\r\n" + framingHeaders + "\r\n" + body;
}

// Feeds `input` whole or one byte at a time and returns the final state.
State feedAll(HttpRequestParser &parser, const QByteArray &input, bool byteAtATime)
{
    if (!byteAtATime)
        return parser.feed(input);
    State state = parser.state();
    for (char c : input) {
        state = parser.feed(QByteArrayView(&c, 1));
        if (state != State::NeedMore)
            break;
    }
    return state;
}

} // namespace

class tst_HttpRequestParser : public QObject
{
    Q_OBJECT

private slots:
    void rejects_data();
    void rejects();
    void bodyLimitIsDecidedBeforeTheBody();
    void feedOwnedAdoptsOrAppends();
    void chunkedBodyLimitIsCheckedAsChunksArrive();
    void trailerLimits();
    void simpleGet();
    void headersAreOrderedAndCaseInsensitive();
    void pathAndQuery_data();
    void pathAndQuery();
    void contentLengthBody();
    void chunkedBody_data();
    void chunkedBody();
    void pipelining();
    void byteAtATime();
    void keepAlive_data();
    void keepAlive();
    void expectContinue();
    void leadingEmptyLinesAreIgnored();
    void customLimits();
    void splitsAndMutationsAgree();
};

void tst_HttpRequestParser::rejects_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("reason");

    const QString malformedLine = QStringLiteral("malformed request line");
    const QString invalidLength = QStringLiteral("invalid Content-Length value");

    // Request smuggling: framing.
    QTest::addRow("content-length-and-transfer-encoding")
        << post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n") << 400
        << QStringLiteral("both Content-Length and Transfer-Encoding present");
    QTest::addRow("transfer-encoding-and-content-length")
        << post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n") << 400
        << QStringLiteral("both Content-Length and Transfer-Encoding present");
    QTest::addRow("duplicate-content-length-same")
        << post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello") << 400
        << QStringLiteral("duplicate Content-Length header");
    QTest::addRow("duplicate-content-length-differing")
        << post("Content-Length: 5\r\ncontent-length: 6\r\n", "hello!") << 400
        << QStringLiteral("duplicate Content-Length header");
    QTest::addRow("content-length-list") << post("Content-Length: 5, 5\r\n", "hello") << 400 << invalidLength;
    QTest::addRow("content-length-letters") << post("Content-Length: abc\r\n", "") << 400 << invalidLength;
    QTest::addRow("content-length-plus") << post("Content-Length: +5\r\n", "hello") << 400 << invalidLength;
    QTest::addRow("content-length-minus") << post("Content-Length: -5\r\n", "") << 400 << invalidLength;
    QTest::addRow("content-length-hex") << post("Content-Length: 0x5\r\n", "hello") << 400 << invalidLength;
    QTest::addRow("content-length-inner-space") << post("Content-Length: 1 0\r\n", "") << 400 << invalidLength;
    QTest::addRow("content-length-empty")
        << post("Content-Length:\r\n", "") << 400 << QStringLiteral("empty Content-Length header");
    QTest::addRow("content-length-overflow")
        << post("Content-Length: 99999999999999999999999\r\n", "") << 400
        << QStringLiteral("Content-Length value out of range");
    QTest::addRow("transfer-encoding-gzip")
        << post("Transfer-Encoding: gzip\r\n", "") << 400 << QStringLiteral("must end with chunked");
    QTest::addRow("transfer-encoding-chunked-then-gzip")
        << post("Transfer-Encoding: chunked, gzip\r\n", "") << 400 << QStringLiteral("must end with chunked");
    QTest::addRow("transfer-encoding-identity")
        << post("Transfer-Encoding: identity\r\n", "") << 400 << QStringLiteral("must end with chunked");
    QTest::addRow("transfer-encoding-xchunked")
        << post("Transfer-Encoding: xchunked\r\n", "") << 400 << QStringLiteral("must end with chunked");
    QTest::addRow("transfer-encoding-chunked-parameter")
        << post("Transfer-Encoding: chunked;q=1\r\n", "") << 400 << QStringLiteral("must end with chunked");
    QTest::addRow("transfer-encoding-empty")
        << post("Transfer-Encoding:\r\n", "") << 400 << QStringLiteral("empty element in Transfer-Encoding");
    QTest::addRow("transfer-encoding-chunked-twice")
        << post("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n") << 400
        << QStringLiteral("chunked applied more than once");
    QTest::addRow("transfer-encoding-two-fields")
        << post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n") << 400
        << QStringLiteral("chunked applied more than once");
    QTest::addRow("transfer-encoding-gzip-chunked")
        << post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n") << 501
        << QStringLiteral("unsupported transfer coding gzip");
    QTest::addRow("transfer-encoding-vertical-tab")
        << post("Transfer-Encoding: \x0b" "chunked\r\n", "0\r\n\r\n") << 400
        << QStringLiteral("invalid character in value of header Transfer-Encoding");
    QTest::addRow("transfer-encoding-http10")
        << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400
        << QStringLiteral("Transfer-Encoding in an HTTP/1.0 request");

    // Chunks.
    const QByteArray chunked = "Transfer-Encoding: chunked\r\n";
    QTest::addRow("chunk-size-not-hex") << post(chunked, "zz\r\n") << 400 << QStringLiteral("invalid chunk size");
    QTest::addRow("chunk-size-empty") << post(chunked, "\r\n") << 400 << QStringLiteral("invalid chunk size");
    QTest::addRow("chunk-size-negative") << post(chunked, "-1\r\n") << 400 << QStringLiteral("invalid chunk size");
    QTest::addRow("chunk-size-leading-space")
        << post(chunked, " 5\r\nhello\r\n0\r\n\r\n") << 400 << QStringLiteral("invalid chunk size");
    QTest::addRow("chunk-size-0x-prefix")
        << post(chunked, "0x5\r\nhello\r\n0\r\n\r\n") << 400 << QStringLiteral("invalid chunk extension");
    QTest::addRow("chunk-size-overflow")
        << post(chunked, "fffffffffffffffff\r\n") << 400 << QStringLiteral("chunk size out of range");
    QTest::addRow("chunk-size-trailing-space")
        << post(chunked, "5 \r\nhello\r\n0\r\n\r\n") << 400 << QStringLiteral("invalid chunk extension");
    QTest::addRow("chunk-extension-control")
        << post(chunked, "5;a\x01\r\nhello\r\n0\r\n\r\n") << 400 << QStringLiteral("invalid chunk extension");
    QTest::addRow("chunk-extension-no-name")
        << post(chunked, "5;=x\r\nhello\r\n0\r\n\r\n") << 400 << QStringLiteral("invalid chunk extension");
    QTest::addRow("chunk-extension-unterminated-quote")
        << post(chunked, "5;a=\"x\r\nhello\r\n0\r\n\r\n") << 400 << QStringLiteral("invalid chunk extension");
    QTest::addRow("chunk-extension-too-long")
        << post(chunked, "5;a=" + QByteArray(5000, 'x') + "\r\nhello\r\n0\r\n\r\n") << 400
        << QStringLiteral("chunk size line longer than 4096 bytes");
    QTest::addRow("chunk-data-without-crlf")
        << post(chunked, "5\r\nhelloX\r\n0\r\n\r\n") << 400 << QStringLiteral("missing CRLF after chunk data");
    QTest::addRow("chunk-data-bare-lf")
        << post(chunked, "5\r\nhello\n0\r\n\r\n") << 400 << QStringLiteral("missing CRLF after chunk data");
    QTest::addRow("chunk-size-bare-lf")
        << post(chunked, "5\nhello\r\n0\r\n\r\n") << 400 << QStringLiteral("bare LF in chunk size line");
    QTest::addRow("chunk-longer-than-announced")
        << post(chunked, "2\r\nhello\r\n0\r\n\r\n") << 400 << QStringLiteral("missing CRLF after chunk data");

    // Line syntax.
    QTest::addRow("obs-fold")
        << get("X-Folded: a\r\n b\r\n") << 400 << QStringLiteral("obsolete line folding (obs-fold)");
    QTest::addRow("obs-fold-tab")
        << get("X-Folded: a\r\n\tb\r\n") << 400 << QStringLiteral("obsolete line folding (obs-fold)");
    QTest::addRow("whitespace-before-first-header")
        << QByteArray("GET / HTTP/1.1\r\n Host: example.test\r\n\r\n") << 400
        << QStringLiteral("obsolete line folding (obs-fold)");
    QTest::addRow("bare-lf-request-line")
        << QByteArray("GET / HTTP/1.1\nHost: example.test\r\n\r\n") << 400 << QStringLiteral("bare LF in request line");
    QTest::addRow("bare-lf-header")
        << QByteArray("GET / HTTP/1.1\r\nHost: example.test\n\r\n") << 400 << QStringLiteral("bare LF in header section");
    QTest::addRow("bare-lf-end-of-headers")
        << QByteArray("GET / HTTP/1.1\r\nHost: example.test\r\n\n") << 400 << QStringLiteral("bare LF in header section");
    QTest::addRow("bare-cr-in-value")
        << get("X-A: a\rb\r\n") << 400 << QStringLiteral("invalid character in value of header X-A");
    QTest::addRow("nul-in-value")
        << get(QByteArray("X-A: a\0b\r\n", 10)) << 400 << QStringLiteral("invalid character in value of header X-A");
    QTest::addRow("space-before-colon")
        << QByteArray("GET / HTTP/1.1\r\nHost : example.test\r\n\r\n") << 400
        << QStringLiteral("whitespace between header name and colon");
    QTest::addRow("tab-before-colon")
        << get("Content-Length\t: 0\r\n") << 400 << QStringLiteral("whitespace between header name and colon");
    QTest::addRow("space-in-header-name")
        << get("X Y: 1\r\n") << 400 << QStringLiteral("invalid character in header name");
    QTest::addRow("at-in-header-name")
        << get("X@Y: 1\r\n") << 400 << QStringLiteral("invalid character in header name");
    QTest::addRow("non-ascii-header-name")
        << get("X-\xc3\xa9: 1\r\n") << 400 << QStringLiteral("invalid character in header name");
    QTest::addRow("empty-header-name") << get(": 1\r\n") << 400 << QStringLiteral("empty header name");
    QTest::addRow("header-without-colon") << get("Foo\r\n") << 400 << QStringLiteral("header line without colon");

    // Request line.
    QTest::addRow("method-with-parenthesis")
        << QByteArray("G(T / HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("invalid character in method");
    QTest::addRow("method-with-slash")
        << QByteArray("GET/ / HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("invalid character in method");
    QTest::addRow("missing-method") << QByteArray(" / HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << malformedLine;
    QTest::addRow("double-space") << QByteArray("GET  / HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << malformedLine;
    QTest::addRow("space-in-target") << QByteArray("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << malformedLine;
    QTest::addRow("trailing-space") << QByteArray("GET / HTTP/1.1 \r\nHost: a\r\n\r\n") << 400 << malformedLine;
    QTest::addRow("tab-separator")
        << QByteArray("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << malformedLine;
    QTest::addRow("http-0.9") << QByteArray("GET /\r\n\r\n") << 400 << malformedLine;
    QTest::addRow("lowercase-version")
        << QByteArray("GET / http/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("malformed HTTP version");
    QTest::addRow("version-two-digit-minor")
        << QByteArray("GET / HTTP/1.10\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("malformed HTTP version");
    QTest::addRow("version-no-minor")
        << QByteArray("GET / HTTP/1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("malformed HTTP version");
    QTest::addRow("version-2.0")
        << QByteArray("GET / HTTP/2.0\r\nHost: a\r\n\r\n") << 505 << QStringLiteral("HTTP version HTTP/2.0 is not supported");
    QTest::addRow("version-1.2")
        << QByteArray("GET / HTTP/1.2\r\nHost: a\r\n\r\n") << 505 << QStringLiteral("HTTP version HTTP/1.2 is not supported");
    QTest::addRow("version-0.9")
        << QByteArray("GET / HTTP/0.9\r\nHost: a\r\n\r\n") << 505 << QStringLiteral("HTTP version HTTP/0.9 is not supported");
    QTest::addRow("target-relative")
        << QByteArray("GET foo HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("unsupported request-target form");
    QTest::addRow("target-authority-form")
        << QByteArray("CONNECT example.test:443 HTTP/1.1\r\nHost: a\r\n\r\n") << 400
        << QStringLiteral("unsupported request-target form");
    QTest::addRow("target-asterisk-with-get")
        << QByteArray("GET * HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("only allowed with OPTIONS");
    QTest::addRow("target-delete-char")
        << QByteArray("GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("invalid character in request target");
    QTest::addRow("target-non-ascii")
        << QByteArray("GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("invalid character in request target");
    QTest::addRow("target-fragment")
        << QByteArray("GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("fragment in request target");
    QTest::addRow("path-encoded-nul")
        << QByteArray("GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("encoded NUL in path");
    QTest::addRow("path-bad-percent")
        << QByteArray("GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("invalid percent-encoding in path");
    QTest::addRow("path-truncated-percent")
        << QByteArray("GET /a%4 HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("invalid percent-encoding in path");
    QTest::addRow("path-invalid-utf8")
        << QByteArray("GET /a%ff HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("path is not valid UTF-8");
    QTest::addRow("path-overlong-utf8")
        << QByteArray("GET /%c0%af HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("path is not valid UTF-8");
    QTest::addRow("path-truncated-utf8")
        << QByteArray("GET /%c3 HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("path is not valid UTF-8");
    QTest::addRow("path-surrogate-utf8")
        << QByteArray("GET /%ed%a0%80 HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QStringLiteral("path is not valid UTF-8");
    QTest::addRow("too-many-empty-lines")
        << QByteArray("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n") << 400
        << QStringLiteral("too many empty lines");

    // Host and Expect.
    QTest::addRow("missing-host")
        << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400 << QStringLiteral("missing Host header");
    QTest::addRow("duplicate-host")
        << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400 << QStringLiteral("duplicate Host header");
    QTest::addRow("expect-unknown")
        << post("Expect: 200-ok\r\nContent-Length: 1\r\n", "x") << 417 << QStringLiteral("unsupported expectation 200-ok");

    // Limits.
    QTest::addRow("request-line-too-long")
        << QByteArray("GET /" + QByteArray(9000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n") << 414
        << QStringLiteral("request line longer than 8192 bytes");
    QTest::addRow("header-line-too-long")
        << get("X-Big: " + QByteArray(17 * 1024, 'a') + "\r\n") << 431
        << QStringLiteral("header line longer than 16384 bytes");
    QByteArray manyBigHeaders;
    for (int i = 0; i < 5; ++i)
        manyBigHeaders += "X-Big-" + QByteArray::number(i) + ": " + QByteArray(15 * 1024, 'a') + "\r\n";
    QTest::addRow("header-section-too-large")
        << get(manyBigHeaders) << 431 << QStringLiteral("header section larger than 65536 bytes");
    QByteArray manyHeaders;
    for (int i = 0; i < 100; ++i)
        manyHeaders += "X-H" + QByteArray::number(i) + ": 1\r\n";
    QTest::addRow("too-many-headers")
        << get(manyHeaders) << 431 << QStringLiteral("more than 100 header and trailer fields");
    QTest::addRow("content-length-over-limit")
        << post("Content-Length: 10485761\r\n", "") << 413
        << QStringLiteral("request body of 10485761 bytes exceeds the limit of 10485760 bytes");
    QTest::addRow("chunk-over-limit")
        << post(chunked, "a00001\r\n") << 413
        << QStringLiteral("chunked request body exceeds the limit of 10485760 bytes");
}

void tst_HttpRequestParser::rejects()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    QFETCH(QString, reason);

    for (const bool byteAtATime : {false, true}) {
        HttpRequestParser parser;
        const State state = feedAll(parser, input, byteAtATime);
        QCOMPARE(state, State::Error);
        QCOMPARE(parser.state(), State::Error);
        QCOMPARE(parser.error().status, status);
        QVERIFY2(parser.error().reason.contains(reason), qPrintable(parser.error().reason));
        QVERIFY(parser.error().offset >= 0);
        QVERIFY(parser.error().offset <= input.size());
        // An error is final.
        QCOMPARE(parser.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), State::Error);
    }
}

void tst_HttpRequestParser::feedOwnedAdoptsOrAppends()
{
    HttpRequestParser parser;
    // Adopted whole while nothing is buffered; appended while a partial request waits.
    QCOMPARE(parser.feedOwned(QByteArray("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HT")), State::Complete);
    QCOMPARE(parser.takeRequest().path, QStringLiteral("/a"));
    QCOMPARE(parser.parse(), State::NeedMore);
    QCOMPARE(parser.feedOwned(QByteArray("TP/1.1\r\nHost: x\r\n\r\n")), State::Complete);
    QCOMPARE(parser.takeRequest().path, QStringLiteral("/b"));
    QCOMPARE(parser.parse(), State::NeedMore);
    QVERIFY(parser.isIdle());
    QCOMPARE(parser.feedOwned(QByteArray("POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")), State::Complete);
    const HttpRequest post = parser.takeRequest();
    QCOMPARE(post.path, QStringLiteral("/c"));
    QCOMPARE(post.body, QByteArray("hi"));
    // An error stays an error.
    QCOMPARE(parser.parse(), State::NeedMore);
    QCOMPARE(parser.feedOwned(QByteArray("GET / HTTP/1.1\nHost: x\r\n\r\n")), State::Error);
    QCOMPARE(parser.feedOwned(QByteArray("GET / HTTP/1.1\r\n\r\n")), State::Error);
}

void tst_HttpRequestParser::bodyLimitIsDecidedBeforeTheBody()
{
    HttpRequestParser parser;
    // Only the header section has arrived: 413 at once, the body is never waited for.
    QCOMPARE(parser.feed(post("Content-Length: 20000000\r\nExpect: 100-continue\r\n", "")), State::Error);
    QCOMPARE(parser.error().status, 413);
    QVERIFY(!parser.expectsContinue());
}

void tst_HttpRequestParser::chunkedBodyLimitIsCheckedAsChunksArrive()
{
    HttpLimits limits;
    limits.maxBodyBytes = 10;
    HttpRequestParser parser(limits);
    QCOMPARE(parser.feed(post("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n")), State::NeedMore);
    QCOMPARE(parser.feed("5\r\nworld\r\n"), State::NeedMore); // exactly at the limit
    QCOMPARE(parser.feed("1\r\n"), State::Error);
    QCOMPARE(parser.error().status, 413);
}

void tst_HttpRequestParser::trailerLimits()
{
    HttpLimits limits;
    limits.maxHeaderCount = 3;
    HttpRequestParser parser(limits);
    // Host, Transfer-Encoding and one trailer fit; a second trailer does not.
    QCOMPARE(parser.feed(post("Transfer-Encoding: chunked\r\n", "0\r\nA: 1\r\n")), State::NeedMore);
    QCOMPARE(parser.feed("B: 2\r\n"), State::Error);
    QCOMPARE(parser.error().status, 431);

    HttpRequestParser obsFold;
    QCOMPARE(obsFold.feed(post("Transfer-Encoding: chunked\r\n", "0\r\nA: 1\r\n 2\r\n\r\n")), State::Error);
    QCOMPARE(obsFold.error().status, 400);
    QVERIFY(obsFold.error().reason.contains(QLatin1String("trailer section")));
}

void tst_HttpRequestParser::simpleGet()
{
    HttpRequestParser parser;
    QVERIFY(parser.isIdle());
    QCOMPARE(parser.feed("GET /health HTTP/1.1\r\nHost: localhost:8080\r\nAccept: */*\r\n\r\n"), State::Complete);
    const HttpRequest request = parser.takeRequest();
    QCOMPARE(request.method, QByteArray("GET"));
    QCOMPARE(request.target, QByteArray("/health"));
    QCOMPARE(request.path, QStringLiteral("/health"));
    QCOMPARE(request.version, QByteArray("HTTP/1.1"));
    QVERIFY(request.isHttp11());
    QCOMPARE(request.header("host"), QByteArray("localhost:8080"));
    QVERIFY(request.body.isEmpty());
    QVERIFY(request.keepAlive);
    QCOMPARE(parser.state(), State::NeedMore);
    QVERIFY(parser.isIdle());
}

void tst_HttpRequestParser::headersAreOrderedAndCaseInsensitive()
{
    HttpRequestParser parser;
    QCOMPARE(parser.feed("GET / HTTP/1.1\r\nHOST: a\r\nX-Multi: one\r\nx-multi:two  \r\nAccept:\t*/*\t\r\n"
                         "X-Empty:\r\nX-Latin: caf\xe9\r\n\r\n"),
             State::Complete);
    const HttpRequest request = parser.takeRequest();
    QCOMPARE(request.headers.size(), 6);
    QCOMPARE(request.headers.fields().at(0).first, QByteArray("HOST"));
    QCOMPARE(request.headers.fields().at(2).first, QByteArray("x-multi"));
    QCOMPARE(request.header("Host"), QByteArray("a"));
    QCOMPARE(request.header("X-MULTI"), QByteArray("one"));
    QCOMPARE(request.headers.values("x-Multi"), (QList<QByteArray>{"one", "two"}));
    QCOMPARE(request.header("accept"), QByteArray("*/*"));
    QVERIFY(request.hasHeader("x-empty"));
    QCOMPARE(request.header("x-empty"), QByteArray());
    QCOMPARE(request.header("x-latin"), QByteArray("caf\xe9")); // obs-text is kept as is
    QVERIFY(!request.hasHeader("x-missing"));
}

void tst_HttpRequestParser::pathAndQuery_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("rawPath");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("queryKey");
    QTest::addColumn<QString>("queryValue");

    QTest::addRow("plain") << QByteArray("/api/v1/items") << QByteArray("/api/v1/items")
                           << QStringLiteral("/api/v1/items") << QString() << QString();
    QTest::addRow("encoded-space-and-utf8")
        << QByteArray("/a%20b/caf%C3%A9?x=1&name=%C3%A9t%C3%A9") << QByteArray("/a%20b/caf%C3%A9")
        << QStringLiteral("/a b/caf\u00e9") << QStringLiteral("name") << QStringLiteral("\u00e9t\u00e9");
    QTest::addRow("encoded-slash-stays-in-segment")
        << QByteArray("/files/a%2Fb") << QByteArray("/files/a%2Fb") << QStringLiteral("/files/a/b") << QString()
        << QString();
    QTest::addRow("plus-is-not-space") << QByteArray("/a+b?q=c+d") << QByteArray("/a+b") << QStringLiteral("/a+b")
                                       << QStringLiteral("q") << QStringLiteral("c+d");
    QTest::addRow("empty-query") << QByteArray("/x?") << QByteArray("/x") << QStringLiteral("/x") << QString()
                                 << QString();
    QTest::addRow("absolute-form")
        << QByteArray("http://example.test:8080/status?verbose=1") << QByteArray("/status")
        << QStringLiteral("/status") << QStringLiteral("verbose") << QStringLiteral("1");
    QTest::addRow("absolute-form-without-path")
        << QByteArray("https://example.test?x=y") << QByteArray("/") << QStringLiteral("/") << QStringLiteral("x")
        << QStringLiteral("y");
}

void tst_HttpRequestParser::pathAndQuery()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, rawPath);
    QFETCH(QString, path);
    QFETCH(QString, queryKey);
    QFETCH(QString, queryValue);

    HttpRequestParser parser;
    QCOMPARE(parser.feed("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n"), State::Complete);
    const HttpRequest request = parser.takeRequest();
    QCOMPARE(request.target, target);
    QCOMPARE(request.rawPath, rawPath);
    QCOMPARE(request.path, path);
    if (!queryKey.isEmpty())
        QCOMPARE(request.query.queryItemValue(queryKey, QUrl::FullyDecoded), queryValue);
    else
        QVERIFY(request.query.isEmpty());
}

void tst_HttpRequestParser::contentLengthBody()
{
    HttpRequestParser parser;
    QCOMPARE(parser.feed(post("Content-Type: application/json\r\nContent-Length: 13\r\n", "{\"a\":")),
             State::NeedMore);
    QVERIFY(parser.isHeaderComplete());
    QCOMPARE(parser.partialRequest().header("content-type"), QByteArray("application/json"));
    QCOMPARE(parser.feed("[1,2,3]}"), State::Complete);
    const HttpRequest request = parser.takeRequest();
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.body, QByteArray("{\"a\":[1,2,3]}"));

    HttpRequestParser zero;
    QCOMPARE(zero.feed(post("Content-Length: 000\r\n", "")), State::Complete);
    QVERIFY(zero.takeRequest().body.isEmpty());
}

void tst_HttpRequestParser::chunkedBody_data()
{
    QTest::addColumn<QByteArray>("chunks");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("trailerCount");

    QTest::addRow("one-chunk") << QByteArray("5\r\nhello\r\n0\r\n\r\n") << QByteArray("hello") << 0;
    QTest::addRow("several-chunks") << QByteArray("5\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\n\r\n")
                                    << QByteArray("hello world!") << 0;
    QTest::addRow("uppercase-hex-and-leading-zeros")
        << QByteArray("00A\r\n0123456789\r\n000\r\n\r\n") << QByteArray("0123456789") << 0;
    QTest::addRow("extensions")
        << QByteArray("5;name=value\r\nhello\r\n3 ; q=\"a \\\"b\\\"\" ;flag\r\nabc\r\n0;last\r\n\r\n")
        << QByteArray("helloabc") << 0;
    QTest::addRow("empty-body") << QByteArray("0\r\n\r\n") << QByteArray() << 0;
    QTest::addRow("trailers") << QByteArray("3\r\nabc\r\n0\r\nX-Checksum: 42\r\nX-Other: yes\r\n\r\n")
                              << QByteArray("abc") << 2;
    QTest::addRow("crlf-inside-data") << QByteArray("4\r\n\r\n\r\n\r\n0\r\n\r\n") << QByteArray("\r\n\r\n") << 0;
}

void tst_HttpRequestParser::chunkedBody()
{
    QFETCH(QByteArray, chunks);
    QFETCH(QByteArray, body);
    QFETCH(int, trailerCount);

    for (const bool byteAtATime : {false, true}) {
        HttpRequestParser parser;
        QCOMPARE(feedAll(parser, post("Transfer-Encoding: Chunked\r\n", chunks), byteAtATime), State::Complete);
        const HttpRequest request = parser.takeRequest();
        QCOMPARE(request.body, body);
        QCOMPARE(request.trailers.size(), trailerCount);
        QCOMPARE(request.headers.count("x-checksum"), 0); // trailers are not merged into headers
        if (trailerCount)
            QCOMPARE(request.trailers.value("x-checksum"), QByteArray("42"));
        QVERIFY(parser.isIdle());
    }
}

void tst_HttpRequestParser::pipelining()
{
    HttpRequestParser parser;
    const QByteArray stream = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
                              "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                              "GET /three HTTP/1.1\r\nHost: a\r\n";
    QCOMPARE(parser.feed(stream), State::Complete);
    // Complete: more bytes are only buffered.
    QCOMPARE(parser.feed("\r\n"), State::Complete);
    QCOMPARE(parser.takeRequest().path, QStringLiteral("/one"));
    QCOMPARE(parser.state(), State::NeedMore);
    QVERIFY(!parser.isIdle());
    QCOMPARE(parser.parse(), State::Complete);
    const HttpRequest second = parser.takeRequest();
    QCOMPARE(second.path, QStringLiteral("/two"));
    QCOMPARE(second.body, QByteArray("abc"));
    QCOMPARE(parser.parse(), State::Complete);
    QCOMPARE(parser.takeRequest().path, QStringLiteral("/three"));
    QCOMPARE(parser.parse(), State::NeedMore);
    QVERIFY(parser.isIdle());
    QCOMPARE(parser.bufferedBytes(), 0);
}

void tst_HttpRequestParser::byteAtATime()
{
    const QByteArray stream = "PUT /items/7?force=true HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "4;x=y\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n"
                              "DELETE /items/7 HTTP/1.0\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok";
    HttpRequestParser parser;
    QList<HttpRequest> requests;
    for (char c : stream) {
        State state = parser.feed(QByteArrayView(&c, 1));
        while (state == State::Complete) {
            requests.append(parser.takeRequest());
            state = parser.parse();
        }
        QCOMPARE(state, State::NeedMore);
    }
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests.at(0).method, QByteArray("PUT"));
    QCOMPARE(requests.at(0).body, QByteArray("Wikipedia"));
    QCOMPARE(requests.at(0).query.queryItemValue(QStringLiteral("force")), QStringLiteral("true"));
    QCOMPARE(requests.at(0).trailers.value("X-T"), QByteArray("1"));
    QCOMPARE(requests.at(1).method, QByteArray("DELETE"));
    QCOMPARE(requests.at(1).version, QByteArray("HTTP/1.0"));
    QCOMPARE(requests.at(1).body, QByteArray("ok"));
    QVERIFY(requests.at(1).keepAlive);
}

void tst_HttpRequestParser::keepAlive_data()
{
    QTest::addColumn<QByteArray>("version");
    QTest::addColumn<QByteArray>("connection");
    QTest::addColumn<bool>("keepAlive");

    QTest::addRow("1.1-default") << QByteArray("HTTP/1.1") << QByteArray() << true;
    QTest::addRow("1.1-close") << QByteArray("HTTP/1.1") << QByteArray("close") << false;
    QTest::addRow("1.1-close-mixed-case") << QByteArray("HTTP/1.1") << QByteArray("Upgrade, CLOSE") << false;
    QTest::addRow("1.1-keep-alive") << QByteArray("HTTP/1.1") << QByteArray("keep-alive") << true;
    QTest::addRow("1.0-default") << QByteArray("HTTP/1.0") << QByteArray() << false;
    QTest::addRow("1.0-keep-alive") << QByteArray("HTTP/1.0") << QByteArray("Keep-Alive") << true;
    QTest::addRow("1.0-keep-alive-and-close") << QByteArray("HTTP/1.0") << QByteArray("keep-alive, close") << false;
}

void tst_HttpRequestParser::keepAlive()
{
    QFETCH(QByteArray, version);
    QFETCH(QByteArray, connection);
    QFETCH(bool, keepAlive);

    QByteArray input = "GET / " + version + "\r\nHost: a\r\n";
    if (!connection.isEmpty())
        input += "Connection: " + connection + "\r\n";
    input += "\r\n";
    HttpRequestParser parser;
    QCOMPARE(parser.feed(input), State::Complete);
    QCOMPARE(parser.takeRequest().keepAlive, keepAlive);
}

void tst_HttpRequestParser::expectContinue()
{
    HttpRequestParser parser;
    QCOMPARE(parser.feed(post("Content-Length: 5\r\nExpect: 100-Continue\r\n", "")), State::NeedMore);
    QVERIFY(parser.expectsContinue());
    QCOMPARE(parser.feed("he"), State::NeedMore);
    QVERIFY(!parser.expectsContinue()); // the body is already coming
    QCOMPARE(parser.feed("llo"), State::Complete);

    HttpRequestParser chunked;
    QCOMPARE(chunked.feed(post("Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n", "")), State::NeedMore);
    QVERIFY(chunked.expectsContinue());

    HttpRequestParser noBody;
    QCOMPARE(noBody.feed(post("Content-Length: 0\r\nExpect: 100-continue\r\n", "")), State::Complete);
    QVERIFY(!noBody.expectsContinue());

    // HTTP/1.0 ignores Expect (RFC 9110 §10.1.1), even an unknown one.
    HttpRequestParser http10;
    QCOMPARE(http10.feed("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n"), State::NeedMore);
    QVERIFY(!http10.expectsContinue());
}

void tst_HttpRequestParser::leadingEmptyLinesAreIgnored()
{
    HttpRequestParser parser;
    QCOMPARE(parser.feed("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), State::Complete);
    QCOMPARE(parser.takeRequest().path, QStringLiteral("/"));
}

void tst_HttpRequestParser::customLimits()
{
    HttpLimits limits;
    limits.maxRequestLineBytes = 32;
    limits.maxHeaderLineBytes = 20;
    limits.maxHeaderBytes = 40;
    limits.maxHeaderCount = 2;
    limits.maxBodyBytes = 4;

    const auto statusOf = [&limits](const QByteArray &input) {
        HttpRequestParser parser(limits);
        parser.feed(input);
        return parser.state() == State::Error ? parser.error().status : 0;
    };
    QCOMPARE(statusOf("GET /0123456789012345678901234567 HTTP/1.1\r\n"), 414);
    // Rejected before its end arrives: the line alone is already over the limit.
    QCOMPARE(statusOf("GET /" + QByteArray(40, 'a')), 414);
    QCOMPARE(statusOf("GET / HTTP/1.1\r\nHost: 0123456789012345\r\n"), 431);
    QCOMPARE(statusOf("GET / HTTP/1.1\r\nHost: 0123456789012\r\nA: 01234567890123456\r\n"), 431);
    QCOMPARE(statusOf("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n"), 431);
    QCOMPARE(statusOf("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"), 413);
    QCOMPARE(statusOf("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd"), 0);
}

// A small deterministic fuzz: valid streams, and streams with one byte changed, parsed whole
// and in random pieces, must give the same requests or the same error.
void tst_HttpRequestParser::splitsAndMutationsAgree()
{
    const QList<QByteArray> seeds = {
        "GET /a%20b?x=1 HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n\r\npayload",
        "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3;e=\"v\"\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    };
    const char interesting[] = {'\r', '\n', ' ', '\t', ':', ';', '0', 'f', '%', '\0', '"', 'x'};

    struct Outcome
    {
        QList<QByteArray> summaries;
        State state = State::NeedMore;
        int status = 0;
        bool operator==(const Outcome &) const = default;
    };
    const auto run = [](const QByteArray &input, QRandomGenerator *pieces) {
        HttpRequestParser parser;
        Outcome outcome;
        qsizetype pos = 0;
        while (pos < input.size()) {
            const qsizetype size = pieces ? qsizetype(1 + pieces->bounded(7)) : input.size();
            State state = parser.feed(QByteArrayView(input).sliced(pos, qMin(size, input.size() - pos)));
            pos += size;
            while (state == State::Complete) {
                const HttpRequest request = parser.takeRequest();
                outcome.summaries.append(request.method + ' ' + request.path.toUtf8() + ' ' + request.body + ' '
                                         + QByteArray::number(request.headers.size()) + ' '
                                         + QByteArray::number(request.trailers.size()));
                state = parser.parse();
            }
            if (state == State::Error)
                break;
        }
        outcome.state = parser.state();
        outcome.status = parser.state() == State::Error ? parser.error().status : 0;
        return outcome;
    };

    QRandomGenerator random(20261122);
    int errors = 0;
    for (const QByteArray &seed : seeds) {
        QCOMPARE(run(seed, nullptr).state, State::NeedMore);
        for (int round = 0; round < 400; ++round) {
            QByteArray input = seed;
            if (round > 0) {
                const qsizetype at = random.bounded(int(input.size()));
                input[at] = round % 2 ? interesting[random.bounded(int(sizeof interesting))]
                                      : char(random.bounded(256));
            }
            const Outcome whole = run(input, nullptr);
            const Outcome pieces = run(input, &random);
            QVERIFY2(whole == pieces, input.toPercentEncoding().constData());
            errors += whole.state == State::Error;
        }
    }
    QVERIFY(errors > 0);
}

QTEST_GUILESS_MAIN(tst_HttpRequestParser)
#include "tst_httprequestparser.moc"
