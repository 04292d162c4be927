// libFuzzer target for Conflux::Http::HttpRequestParser (core/gateway/httprequestparser.h).
//
// The input is the byte stream of one client connection, exactly as it would arrive on the
// socket, so every corpus file is a plain HTTP request (or several, pipelined) that can be
// replayed with `nc`. Nothing in the input is reserved for the harness: the ways the stream
// is cut into pieces and the small limits are derived from the input's own bytes and hash.
//
// For each of three limit sets (the defaults, a fixed small set, and a tiny set derived from
// the input) the stream is fed four ways: whole, one byte at a time, in pieces whose sizes
// are the input's own bytes, and in pseudo-random pieces (seeded by the input) while taking
// each request only after the next piece arrived (so feed() on a Complete parser is used).
// It then checks what the parser promises:
//  - every way of cutting the stream gives the same requests, the same final state and,
//    apart from which of several limits fires first, the same error;
//  - every request (and the partial request once its headers are complete) is well formed:
//    token method and field names, clean trimmed field values, unambiguous framing (never
//    Content-Length with Transfer-Encoding, at most one Content-Length, only "chunked"),
//    a body as long as its Content-Length, one Host on HTTP/1.1, a keepAlive matching the
//    Connection header, and every limit respected;
//  - consumed bytes never exceed the bytes fed, a request never consumed fewer bytes than
//    its own text, an error stays for good (no further request, same error);
//  - smaller limits only ever turn a request into an error, never change what is parsed;
//  - reset() forgets everything, and a clean stream repeated past the parser's 16 KiB buffer
//    compaction still parses into the same requests.
// A broken promise prints what broke and aborts, which libFuzzer reports as a crash.

#include <gateway/httprequestparser.h>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Qt::StringLiterals;

namespace {

using Conflux::Http::HttpHeaders;
using Conflux::Http::HttpLimits;
using Conflux::Http::HttpParseError;
using Conflux::Http::HttpRequest;
using Conflux::Http::HttpRequestParser;
using State = HttpRequestParser::State;

[[noreturn]] void broken(const char *what, int line)
{
    std::fprintf(stderr, "fuzz_httprequestparser: invariant broken (line %d): %s\n", line, what);
    std::fflush(stderr);
    std::abort();
}

#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition))                                                                          \
            broken(#condition, __LINE__);                                                          \
    } while (false)

// --- grammar, written independently of httpgrammar_p.h so that the two can disagree --------

bool isTokenChar(char c)
{
    static constexpr QByteArrayView extra = "!#$%&'*+-.^_`|~";
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || extra.contains(c);
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

// A stored field value: no CR, LF, NUL or other control but HTAB, no DEL, trimmed of OWS.
bool isCleanFieldValue(QByteArrayView value)
{
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f)
            return false;
    }
    return value.isEmpty() || (!isOws(value.front()) && !isOws(value.back()));
}

QByteArray lowerAscii(QByteArrayView text)
{
    QByteArray lower = text.toByteArray();
    for (char &c : lower) {
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    }
    return lower;
}

// The comma-separated, OWS-trimmed, lowercased elements of every field of that name.
QList<QByteArray> listElements(const HttpHeaders &headers, QByteArrayView name)
{
    QList<QByteArray> elements;
    for (const QByteArray &value : headers.values(name)) {
        for (const QByteArray &element : value.split(','))
            elements.append(lowerAscii(element.trimmed()));
    }
    return elements;
}

// Sum of the field lines' sizes (name ":" value CRLF): a lower bound of their wire size.
qint64 fieldSectionBytes(const HttpHeaders &fields)
{
    qint64 bytes = 0;
    for (const HttpHeaders::Field &field : fields)
        bytes += field.first.size() + 1 + field.second.size() + 2;
    return bytes;
}

void checkFields(const HttpHeaders &fields, const HttpLimits &limits)
{
    for (const HttpHeaders::Field &field : fields) {
        FUZZ_CHECK(isToken(field.first));
        FUZZ_CHECK(isCleanFieldValue(field.second));
        FUZZ_CHECK(field.first.size() + 1 + field.second.size() <= limits.maxHeaderLineBytes);
    }
}

// How far the parser got with a request: before its request line, inside its header section,
// past it (framing decided, the body or trailers still arriving), or done.
enum class Stage { RequestLine, Fields, Body, Complete };

// What a request must satisfy. A partial request has its fields checked while they
// accumulate, its framing once the header section is complete.
void checkRequest(const HttpRequest &request, const HttpLimits &limits, Stage stage)
{
    checkFields(request.headers, limits);
    checkFields(request.trailers, limits);
    FUZZ_CHECK(request.headers.size() + request.trailers.size() <= limits.maxHeaderCount);
    FUZZ_CHECK(fieldSectionBytes(request.headers) + fieldSectionBytes(request.trailers)
               <= limits.maxHeaderBytes);
    FUZZ_CHECK(request.body.size() <= limits.maxBodyBytes);
    if (stage == Stage::RequestLine) {
        FUZZ_CHECK(request.headers.isEmpty() && request.trailers.isEmpty()
                   && request.body.isEmpty());
        return;
    }

    FUZZ_CHECK(isToken(request.method));
    FUZZ_CHECK(request.version == "HTTP/1.1"_ba || request.version == "HTTP/1.0"_ba);
    FUZZ_CHECK(!request.target.isEmpty());
    for (char c : request.target)
        FUZZ_CHECK(c >= 0x21 && c <= 0x7e && c != '#');
    FUZZ_CHECK(request.method.size() + 1 + request.target.size() + 1 + 8
               <= limits.maxRequestLineBytes);
    FUZZ_CHECK(!request.rawPath.isEmpty() && !request.path.isEmpty());
    FUZZ_CHECK(!request.path.contains(QChar(u'\0')));
    if (request.target == "*"_ba)
        FUZZ_CHECK(request.method == "OPTIONS"_ba && request.path == u"*"_s);
    if (stage == Stage::Fields)
        return; // the header section may still grow

    const bool http11 = request.isHttp11();
    const HttpHeaders &headers = request.headers;
    FUZZ_CHECK(http11 ? headers.count("host") == 1 : headers.count("host") <= 1);

    // Framing: one unambiguous way to find the end of the body.
    const QList<QByteArray> lengths = headers.values("content-length");
    const bool hasTransferEncoding = headers.contains("transfer-encoding");
    FUZZ_CHECK(lengths.isEmpty() || !hasTransferEncoding);
    FUZZ_CHECK(lengths.size() <= 1);
    if (!lengths.isEmpty()) {
        const QByteArray &text = lengths.constFirst();
        FUZZ_CHECK(!text.isEmpty());
        for (char c : text)
            FUZZ_CHECK(c >= '0' && c <= '9');
        bool ok = false;
        const qint64 length = text.toLongLong(&ok);
        FUZZ_CHECK(ok && length <= limits.maxBodyBytes);
        FUZZ_CHECK(request.body.size() <= length);
        if (stage == Stage::Complete)
            FUZZ_CHECK(request.body.size() == length);
    }
    if (hasTransferEncoding) {
        FUZZ_CHECK(http11);
        FUZZ_CHECK(listElements(headers, "transfer-encoding") == QList<QByteArray> {"chunked"_ba});
    } else {
        FUZZ_CHECK(request.trailers.isEmpty());
    }
    if (lengths.isEmpty() && !hasTransferEncoding)
        FUZZ_CHECK(request.body.isEmpty());
    if (http11) {
        for (const QByteArray &expectation : listElements(headers, "expect"))
            FUZZ_CHECK(expectation == "100-continue"_ba);
    }

    const QList<QByteArray> connection = listElements(headers, "connection");
    const bool keepAlive = http11
        ? !connection.contains("close"_ba)
        : connection.contains("keep-alive"_ba) && !connection.contains("close"_ba);
    FUZZ_CHECK(request.keepAlive == keepAlive);
}

// The fewest bytes a complete request can have been sent in.
qint64 minimalWireSize(const HttpRequest &request)
{
    qint64 size = request.method.size() + 1 + request.target.size() + 1 + 8 + 2;
    size += fieldSectionBytes(request.headers) + 2 + request.body.size();
    if (request.headers.contains("transfer-encoding"))
        size += 5 + fieldSectionBytes(request.trailers); // at least "0\r\n" and the final CRLF
    return size;
}

bool sameRequest(const HttpRequest &a, const HttpRequest &b)
{
    return a.method == b.method && a.target == b.target && a.rawPath == b.rawPath
        && a.path == b.path && a.query.query() == b.query.query() && a.version == b.version
        && a.headers == b.headers && a.trailers == b.trailers && a.body == b.body
        && a.keepAlive == b.keepAlive;
}

bool sameError(const HttpParseError &a, const HttpParseError &b)
{
    return a.status == b.status && a.reason == b.reason && a.offset == b.offset;
}

// Errors from an HttpLimits size limit. Which one fires first may depend on how the bytes
// arrive: an unfinished line is rejected as soon as it is too long to fit, while a finished
// one may first show another fault (a bare LF, say).
bool isLimitError(const HttpParseError &error)
{
    return error.status == 413 || error.status == 414 || error.status == 431
        || error.reason.contains(u"longer than");
}

struct Outcome
{
    QList<HttpRequest> requests;
    State state = State::NeedMore; // at the end of the stream
    HttpParseError error;
    qsizetype bufferedBytes = 0;
    bool headerComplete = false;
    bool idle = false;
    bool expectsContinue = false;
    HttpRequest partial;
};

// Checks what must hold between any two calls on the parser. `fed` and `consumedBefore`
// count stream bytes: all fed so far, and those of the requests already taken.
void checkParser(const HttpRequestParser &parser, qint64 fed, qint64 consumedBefore)
{
    FUZZ_CHECK(parser.bufferedBytes() >= 0 && parser.bufferedBytes() <= fed - consumedBefore);
    if (parser.state() == State::Error) {
        const HttpParseError &error = parser.error();
        static constexpr int statuses[] = {400, 413, 414, 417, 431, 501, 505};
        FUZZ_CHECK(std::find(std::begin(statuses), std::end(statuses), error.status)
                   != std::end(statuses));
        FUZZ_CHECK(!error.reason.isEmpty());
        FUZZ_CHECK(error.offset >= 0 && error.offset <= fed - consumedBefore);
        FUZZ_CHECK(!parser.isHeaderComplete() && !parser.expectsContinue() && !parser.isIdle());
        return;
    }
    // Framing is decided once the header section is complete, before any body byte.
    const HttpRequest &partial = parser.partialRequest();
    const Stage stage = parser.state() == State::Complete ? Stage::Complete
        : parser.isHeaderComplete()                       ? Stage::Body
        : partial.method.isEmpty()                        ? Stage::RequestLine
                                                          : Stage::Fields;
    checkRequest(partial, parser.limits(), stage);
    if (parser.isIdle())
        FUZZ_CHECK(parser.state() == State::NeedMore && parser.bufferedBytes() == 0
                   && !parser.isHeaderComplete());
    if (parser.expectsContinue()) {
        FUZZ_CHECK(parser.state() == State::NeedMore && parser.isHeaderComplete());
        FUZZ_CHECK(partial.isHttp11() && partial.body.isEmpty() && parser.bufferedBytes() == 0);
        FUZZ_CHECK(listElements(partial.headers, "expect").contains("100-continue"_ba));
        FUZZ_CHECK(partial.headers.contains("transfer-encoding")
                   || partial.headers.value("content-length").toLongLong() > 0);
    }
}

// Cuts the stream into pieces.
class Splitter
{
public:
    enum class Mode { Whole, Bytes, OwnBytes, Random };

    Splitter(Mode mode, QByteArrayView input, std::uint64_t seed)
        : m_mode(mode)
        , m_input(input)
        , m_state(seed | 1)
    {
    }

    qsizetype next(qsizetype pos)
    {
        switch (m_mode) {
        case Mode::Whole:
            return m_input.size() - pos;
        case Mode::Bytes:
            return 1;
        case Mode::OwnBytes:
            return 1 + static_cast<unsigned char>(m_input[pos]) % 13;
        case Mode::Random:
            // xorshift64; mostly small pieces, now and then a large one.
            m_state ^= m_state << 13;
            m_state ^= m_state >> 7;
            m_state ^= m_state << 17;
            return (m_state & 7) == 0 ? qsizetype(1 + (m_state >> 8) % 200)
                                      : qsizetype(1 + (m_state >> 8) % 6);
        }
        return 1;
    }

private:
    Mode m_mode;
    QByteArrayView m_input;
    std::uint64_t m_state;
};

// Feeds `input` to a fresh parser (or `reuse`, after reset()) as `splitter` cuts it, taking
// each request as soon as it is complete, or with `lazyTake` only after the next piece.
Outcome drive(const HttpLimits &limits, QByteArrayView input, Splitter splitter, bool lazyTake,
              HttpRequestParser *reuse = nullptr)
{
    HttpRequestParser fresh(limits);
    HttpRequestParser &parser = reuse ? *reuse : fresh;
    if (reuse) {
        parser.reset();
        FUZZ_CHECK(parser.state() == State::NeedMore && parser.isIdle());
    }
    Outcome outcome;
    qint64 fed = 0;
    qint64 consumedBefore = 0;

    const auto takeAll = [&] {
        while (parser.state() == State::Complete) {
            const qint64 consumed = fed - parser.bufferedBytes();
            const qsizetype buffered = parser.bufferedBytes();
            HttpRequest request = parser.takeRequest();
            FUZZ_CHECK(parser.state() == State::NeedMore && parser.bufferedBytes() == buffered);
            checkRequest(request, limits, Stage::Complete);
            FUZZ_CHECK(consumed - consumedBefore >= minimalWireSize(request));
            outcome.requests.append(std::move(request));
            consumedBefore = consumed;
            checkParser(parser, fed, consumedBefore);
            const State state = parser.parse();
            FUZZ_CHECK(state == parser.state());
            checkParser(parser, fed, consumedBefore);
        }
    };

    qsizetype pos = 0;
    while (pos < input.size() && parser.state() != State::Error) {
        const qsizetype size = qBound<qsizetype>(1, splitter.next(pos), input.size() - pos);
        const bool wasComplete = parser.state() == State::Complete;
        const HttpRequest before = wasComplete ? parser.partialRequest() : HttpRequest();
        const State state = parser.feed(input.sliced(pos, size));
        pos += size;
        fed += size;
        FUZZ_CHECK(state == parser.state());
        if (wasComplete) // feed() on a Complete parser only buffers
            FUZZ_CHECK(state == State::Complete && sameRequest(before, parser.partialRequest()));
        checkParser(parser, fed, consumedBefore);
        if (!lazyTake || wasComplete)
            takeAll();
    }
    takeAll();

    outcome.state = parser.state();
    outcome.bufferedBytes = parser.bufferedBytes();
    outcome.headerComplete = parser.isHeaderComplete();
    outcome.idle = parser.isIdle();
    outcome.expectsContinue = parser.expectsContinue();
    outcome.partial = parser.partialRequest();
    if (parser.state() == State::Error) {
        // An error is for good: more bytes, even a valid request, change nothing.
        outcome.error = parser.error();
        const HttpParseError error = parser.error();
        FUZZ_CHECK(parser.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n") == State::Error);
        FUZZ_CHECK(parser.parse() == State::Error);
        FUZZ_CHECK(sameError(error, parser.error()));
    }
    return outcome;
}

bool sameRequests(const QList<HttpRequest> &a, const QList<HttpRequest> &b, qsizetype count)
{
    for (qsizetype i = 0; i < count; ++i) {
        if (!sameRequest(a.at(i), b.at(i)))
            return false;
    }
    return true;
}

// The same stream, cut differently, must parse the same.
void checkSameOutcome(const Outcome &a, const Outcome &b)
{
    FUZZ_CHECK(a.requests.size() == b.requests.size());
    FUZZ_CHECK(sameRequests(a.requests, b.requests, a.requests.size()));
    FUZZ_CHECK(a.state == b.state);
    if (a.state == State::Error) {
        FUZZ_CHECK(sameError(a.error, b.error) || isLimitError(a.error) || isLimitError(b.error));
        return;
    }
    FUZZ_CHECK(a.bufferedBytes == b.bufferedBytes);
    FUZZ_CHECK(a.headerComplete == b.headerComplete && a.idle == b.idle);
    FUZZ_CHECK(a.expectsContinue == b.expectsContinue);
    FUZZ_CHECK(sameRequest(a.partial, b.partial));
}

// `small` was parsed with limits no larger than those of `large`, both whole: limits only
// reject, so `small` parses a prefix of `large`'s requests and differs only by a limit error.
void checkSmallerLimits(const Outcome &small, const Outcome &large)
{
    FUZZ_CHECK(small.requests.size() <= large.requests.size());
    FUZZ_CHECK(sameRequests(small.requests, large.requests, small.requests.size()));
    if (small.state == State::Error && isLimitError(small.error))
        return;
    FUZZ_CHECK(small.requests.size() == large.requests.size());
    FUZZ_CHECK(small.state == large.state);
    if (small.state == State::Error)
        FUZZ_CHECK(sameError(small.error, large.error));
    else
        FUZZ_CHECK(sameRequest(small.partial, large.partial));
}

std::uint64_t fnv1a(QByteArrayView data)
{
    std::uint64_t hash = 14695981039346656037ull;
    for (char c : data) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ull;
    }
    return hash;
}

HttpLimits smallLimits()
{
    HttpLimits limits;
    limits.maxRequestLineBytes = 40;
    limits.maxHeaderLineBytes = 40;
    limits.maxHeaderBytes = 160;
    limits.maxHeaderCount = 6;
    limits.maxBodyBytes = 32;
    limits.maxChunkLineBytes = 12;
    return limits;
}

// Tiny limits (0 to 63 each, sometimes 0) taken from the hash, so that every limit also
// meets its edge cases.
HttpLimits derivedLimits(std::uint64_t hash)
{
    const auto pick = [&hash] {
        const int value = int(hash & 63);
        hash >>= 6;
        return value;
    };
    HttpLimits limits;
    limits.maxRequestLineBytes = pick();
    limits.maxHeaderLineBytes = pick();
    limits.maxHeaderBytes = pick() * 4;
    limits.maxHeaderCount = pick() % 9;
    limits.maxBodyBytes = pick();
    limits.maxChunkLineBytes = pick();
    return limits;
}

// A stream that parsed into requests and left the parser idle is repeated until it crosses
// the parser's buffer compaction threshold (16 KiB); it must parse into the same requests.
void checkRepeated(QByteArrayView input, const Outcome &whole, std::uint64_t seed)
{
    if (whole.requests.isEmpty() || !whole.idle || input.front() == '\r' || input.front() == '\n')
        return;
    constexpr qsizetype kTarget = 20 * 1024;
    const qsizetype repeats = qMin<qsizetype>(kTarget / input.size() + 1, 4096);
    QByteArray stream;
    stream.reserve(input.size() * repeats);
    for (qsizetype i = 0; i < repeats; ++i)
        stream.append(input);
    // Fed whole, the buffer is compacted while requests are taken; in pieces, whenever a piece
    // happens to end where it can.
    for (const Splitter::Mode mode : {Splitter::Mode::Whole, Splitter::Mode::Random}) {
        const Outcome repeated = drive(HttpLimits(), stream, Splitter(mode, stream, seed), false);
        FUZZ_CHECK(repeated.state == State::NeedMore && repeated.idle);
        FUZZ_CHECK(repeated.requests.size() == whole.requests.size() * repeats);
        for (qsizetype i = 0; i < repeated.requests.size(); ++i)
            FUZZ_CHECK(
                sameRequest(repeated.requests.at(i), whole.requests.at(i % whole.requests.size())));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0 || size > 1024 * 1024)
        return 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const std::uint64_t hash = fnv1a(input);

    const HttpLimits limitSets[] = {HttpLimits(), smallLimits(), derivedLimits(hash)};
    Outcome wholeDefault;
    for (const HttpLimits &limits : limitSets) {
        const Outcome whole
            = drive(limits, input, Splitter(Splitter::Mode::Whole, input, hash), false);
        checkSameOutcome(whole,
                         drive(limits, input, Splitter(Splitter::Mode::Bytes, input, hash), false));
        checkSameOutcome(
            whole, drive(limits, input, Splitter(Splitter::Mode::OwnBytes, input, hash), false));
        checkSameOutcome(whole,
                         drive(limits, input, Splitter(Splitter::Mode::Random, input, hash), true));
        if (&limits == &limitSets[0])
            wholeDefault = whole;
        else
            checkSmallerLimits(whole, wholeDefault);
    }

    // reset() must leave nothing behind, not even an error or half a request.
    HttpRequestParser reused(HttpLimits {});
    reused.feed(input.first(size / 2));
    checkSameOutcome(
        wholeDefault,
        drive(HttpLimits(), input, Splitter(Splitter::Mode::Whole, input, hash), false, &reused));

    checkRepeated(input, wholeDefault, hash);
    return 0;
}
