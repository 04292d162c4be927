#include "httprequestparser.h"

#include "httpgrammar_p.h"

#include <QStringDecoder>

#include <limits>

// Reasons are English on purpose: they are sent to remote clients and written to logs, where
// the node's locale must not change what an API consumer or an operator reads.

namespace Conflux::Http {

using namespace Internal;

namespace {

// RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
constexpr int kMaxLeadingEmptyLines = 4;
// Keep consumed bytes at the front of the buffer until this much can be dropped at once.
constexpr qsizetype kCompactThreshold = 16 * 1024;

QString latin1(const char *text)
{
    return QString::fromLatin1(text);
}

QString number(qint64 value)
{
    return QString::number(value);
}

// Appends the OWS-trimmed elements of a comma-separated list (RFC 9110 §5.6.1).
void splitList(QByteArrayView value, QList<QByteArrayView> *out)
{
    while (true) {
        const qsizetype comma = value.indexOf(',');
        out->append(trimmedOws(comma < 0 ? value : value.first(comma)));
        if (comma < 0)
            return;
        value = value.sliced(comma + 1);
    }
}

} // namespace

HttpRequestParser::HttpRequestParser(const HttpLimits &limits)
    : m_limits(limits)
{
}

void HttpRequestParser::reset()
{
    *this = HttpRequestParser(m_limits);
}

HttpRequestParser::State HttpRequestParser::feed(QByteArrayView data)
{
    if (m_state == State::Error)
        return m_state;
    m_buffer.append(data);
    if (m_state == State::Complete)
        return m_state;
    return parse();
}

HttpRequestParser::State HttpRequestParser::feedOwned(QByteArray &&data)
{
    if (m_state == State::Error || m_pos != m_buffer.size() || !m_buffer.isEmpty())
        return feed(QByteArrayView(data));
    m_buffer = std::move(data);
    m_pos = 0;
    m_scanPos = 0;
    if (m_state == State::Complete)
        return m_state;
    return parse();
}

bool HttpRequestParser::isHeaderComplete() const
{
    return m_state != State::Error && m_phase != Phase::RequestLine && m_phase != Phase::Headers;
}

bool HttpRequestParser::expectsContinue() const
{
    return m_expectContinue && m_state == State::NeedMore && !m_sawChunk
           && (m_phase == Phase::Body || m_phase == Phase::ChunkSize) && m_request.body.isEmpty()
           && bufferedBytes() == 0;
}

bool HttpRequestParser::isIdle() const
{
    return m_state == State::NeedMore && m_phase == Phase::RequestLine && bufferedBytes() == 0;
}

HttpRequest HttpRequestParser::takeRequest()
{
    Q_ASSERT(m_state == State::Complete);
    HttpRequest request = std::move(m_request);
    startRequest();
    return request;
}

void HttpRequestParser::startRequest()
{
    m_request = HttpRequest();
    m_state = State::NeedMore;
    m_phase = Phase::RequestLine;
    m_requestStart = m_dropped + m_pos;
    m_leadingEmptyLines = 0;
    m_fieldBytes = 0;
    m_fieldCount = 0;
    m_bodyRemaining = 0;
    m_chunked = false;
    m_sawChunk = false;
    m_expectContinue = false;
    compact();
}

void HttpRequestParser::compact()
{
    if (m_pos == 0)
        return;
    if (m_pos == m_buffer.size()) {
        m_dropped += m_pos;
        m_buffer.clear();
        m_pos = 0;
        m_scanPos = 0;
    } else if (m_pos >= kCompactThreshold) {
        m_buffer.remove(0, m_pos);
        m_dropped += m_pos;
        m_scanPos = qMax<qsizetype>(m_scanPos - m_pos, 0);
        m_pos = 0;
    }
}

bool HttpRequestParser::fail(int status, const QString &reason, qsizetype bufferPos)
{
    m_state = State::Error;
    m_error.status = status;
    m_error.reason = reason;
    m_error.offset = m_dropped + bufferPos - m_requestStart;
    return false;
}

HttpRequestParser::LineStatus HttpRequestParser::nextLine(qsizetype maxLength, QByteArrayView *line,
                                                          qsizetype *where)
{
    const qsizetype lf = m_buffer.indexOf('\n', qMax(m_scanPos, m_pos));
    *where = m_pos;
    if (lf < 0) {
        m_scanPos = m_buffer.size();
        // The unfinished line may still end in the CR of its CRLF.
        return m_buffer.size() - m_pos > maxLength + 1 ? LineStatus::TooLong : LineStatus::NeedMore;
    }
    if (lf == m_pos || m_buffer.at(lf - 1) != '\r') {
        *where = lf;
        return LineStatus::BareLf;
    }
    const qsizetype length = lf - 1 - m_pos;
    if (length > maxLength)
        return LineStatus::TooLong;
    *line = QByteArrayView(m_buffer).sliced(m_pos, length);
    m_pos = lf + 1;
    m_scanPos = m_pos;
    return LineStatus::Line;
}

HttpRequestParser::State HttpRequestParser::parse()
{
    while (m_state == State::NeedMore) {
        QByteArrayView line;
        qsizetype where = 0;
        bool progressed = false;
        switch (m_phase) {
        case Phase::RequestLine:
            switch (nextLine(m_limits.maxRequestLineBytes, &line, &where)) {
            case LineStatus::NeedMore:
                break;
            case LineStatus::TooLong:
                fail(414, latin1("request line longer than %1 bytes").arg(m_limits.maxRequestLineBytes),
                     where);
                break;
            case LineStatus::BareLf:
                fail(400, latin1("bare LF in request line (lines must end with CRLF)"), where);
                break;
            case LineStatus::Line:
                if (line.isEmpty()) {
                    if (++m_leadingEmptyLines > kMaxLeadingEmptyLines) {
                        fail(400, latin1("too many empty lines before the request line"), where);
                        break;
                    }
                    m_requestStart = m_dropped + m_pos;
                    progressed = true;
                } else {
                    progressed = parseRequestLine(line, where);
                    if (progressed)
                        m_phase = Phase::Headers;
                }
                break;
            }
            break;
        case Phase::Headers:
        case Phase::Trailers:
            progressed = stepFieldSection(m_phase);
            break;
        case Phase::Body:
        case Phase::ChunkData: {
            const qint64 take = qMin<qint64>(m_bodyRemaining, m_buffer.size() - m_pos);
            if (take > 0) {
                m_request.body.append(m_buffer.constData() + m_pos, qsizetype(take));
                m_pos += qsizetype(take);
                m_bodyRemaining -= take;
            }
            if (m_bodyRemaining == 0) {
                m_phase = m_phase == Phase::Body ? Phase::Done : Phase::ChunkDataEnd;
                progressed = true;
            }
            break;
        }
        case Phase::ChunkDataEnd: {
            const qsizetype available = m_buffer.size() - m_pos;
            if (available >= 1 && m_buffer.at(m_pos) != '\r') {
                fail(400, latin1("missing CRLF after chunk data"), m_pos);
            } else if (available >= 2) {
                if (m_buffer.at(m_pos + 1) != '\n') {
                    fail(400, latin1("missing CRLF after chunk data"), m_pos + 1);
                } else {
                    m_pos += 2;
                    m_phase = Phase::ChunkSize;
                    progressed = true;
                }
            }
            break;
        }
        case Phase::ChunkSize:
            switch (nextLine(m_limits.maxChunkLineBytes, &line, &where)) {
            case LineStatus::NeedMore:
                break;
            case LineStatus::TooLong:
                fail(400, latin1("chunk size line longer than %1 bytes").arg(m_limits.maxChunkLineBytes),
                     where);
                break;
            case LineStatus::BareLf:
                fail(400, latin1("bare LF in chunk size line (lines must end with CRLF)"), where);
                break;
            case LineStatus::Line:
                progressed = parseChunkSize(line, where);
                break;
            }
            break;
        case Phase::Done:
            m_state = State::Complete;
            break;
        }
        if (!progressed && m_state == State::NeedMore)
            break;
    }
    compact();
    return m_state;
}

bool HttpRequestParser::parseRequestLine(QByteArrayView line, qsizetype lineStart)
{
    // request-line = method SP request-target SP HTTP-version
    const qsizetype sp1 = line.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || sp2 == sp1 + 1 || line.indexOf(' ', sp2 + 1) >= 0) {
        return fail(400, latin1("malformed request line (expected method, target and version "
                                "separated by single spaces)"),
                    lineStart);
    }
    const QByteArrayView method = line.first(sp1);
    const QByteArrayView target = line.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = line.sliced(sp2 + 1);

    for (qsizetype i = 0; i < method.size(); ++i) {
        if (!isTokenChar(method[i]))
            return fail(400, latin1("invalid character in method"), lineStart + i);
    }
    const auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
    if (version.size() != 8 || !version.startsWith("HTTP/") || !isDigit(version[5]) || version[6] != '.'
        || !isDigit(version[7])) {
        return fail(400, latin1("malformed HTTP version"), lineStart + sp2 + 1);
    }
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        return fail(505, latin1("HTTP version %1 is not supported").arg(QLatin1String(version)),
                    lineStart + sp2 + 1);
    }
    m_request.method = interned(method);
    m_request.version = interned(version);
    return parseTarget(target, lineStart + sp1 + 1);
}

bool HttpRequestParser::parseTarget(QByteArrayView target, qsizetype targetStart)
{
    for (qsizetype i = 0; i < target.size(); ++i) {
        const char c = target[i];
        if (c < 0x21 || c > 0x7e)
            return fail(400, latin1("invalid character in request target"), targetStart + i);
        if (c == '#')
            return fail(400, latin1("fragment in request target"), targetStart + i);
    }
    m_request.target = target.toByteArray();

    QByteArrayView pathAndQuery;
    if (target == "*") {
        if (m_request.method != "OPTIONS")
            return fail(400, latin1("asterisk-form target is only allowed with OPTIONS"), targetStart);
        m_request.rawPath = "*";
        m_request.path = QStringLiteral("*");
        return true;
    }
    if (target.startsWith('/')) {
        pathAndQuery = target;
    } else {
        // absolute-form: scheme "://" authority path-abempty [ "?" query ]
        qsizetype schemeLength = 0;
        if (equalsIgnoringCase(target.first(qMin<qsizetype>(7, target.size())), "http://"))
            schemeLength = 7;
        else if (equalsIgnoringCase(target.first(qMin<qsizetype>(8, target.size())), "https://"))
            schemeLength = 8;
        if (schemeLength == 0)
            return fail(400, latin1("unsupported request-target form"), targetStart);
        const QByteArrayView rest = target.sliced(schemeLength);
        qsizetype authorityEnd = 0;
        while (authorityEnd < rest.size() && rest[authorityEnd] != '/' && rest[authorityEnd] != '?')
            ++authorityEnd;
        if (authorityEnd == 0)
            return fail(400, latin1("absolute-form target without authority"), targetStart);
        pathAndQuery = rest.sliced(authorityEnd);
    }

    const qsizetype question = pathAndQuery.indexOf('?');
    const QByteArrayView rawPath = question < 0 ? pathAndQuery : pathAndQuery.first(question);
    const qsizetype pathStart = targetStart + (target.size() - pathAndQuery.size());
    m_request.rawPath = rawPath.isEmpty() ? QByteArray("/") : rawPath.toByteArray();
    if (question >= 0)
        m_request.query.setQuery(QString::fromLatin1(pathAndQuery.sliced(question + 1)));

    QByteArray decoded;
    decoded.reserve(rawPath.size());
    for (qsizetype i = 0; i < rawPath.size(); ++i) {
        if (rawPath[i] != '%') {
            decoded.append(rawPath[i]);
            continue;
        }
        const int high = i + 2 < rawPath.size() ? hexValue(rawPath[i + 1]) : -1;
        const int low = high >= 0 ? hexValue(rawPath[i + 2]) : -1;
        if (low < 0)
            return fail(400, latin1("invalid percent-encoding in path"), pathStart + i);
        const char byte = char(high * 16 + low);
        if (byte == '\0')
            return fail(400, latin1("encoded NUL in path"), pathStart + i);
        decoded.append(byte);
        i += 2;
    }
    // Stateless, so that a truncated sequence at the end is an error too; keep a BOM as a
    // character so that it cannot hide in front of a path.
    QStringDecoder decoder(QStringDecoder::Utf8,
                           QStringDecoder::Flag::Stateless | QStringDecoder::Flag::ConvertInitialBom);
    QString path = decoder.decode(decoded);
    if (decoder.hasError())
        return fail(400, latin1("path is not valid UTF-8"), pathStart);
    m_request.path = rawPath.isEmpty() ? QStringLiteral("/") : std::move(path);
    return true;
}

bool HttpRequestParser::stepFieldSection(Phase phase)
{
    const bool trailers = phase == Phase::Trailers;
    const char *const what = trailers ? "trailer" : "header";
    QByteArrayView line;
    qsizetype where = 0;
    switch (nextLine(m_limits.maxHeaderLineBytes, &line, &where)) {
    case LineStatus::NeedMore:
        if (m_fieldBytes + bufferedBytes() > m_limits.maxHeaderBytes) {
            return fail(431, latin1("%1 section larger than %2 bytes")
                                 .arg(latin1(what), number(m_limits.maxHeaderBytes)),
                        where);
        }
        return false;
    case LineStatus::TooLong:
        return fail(431, latin1("%1 line longer than %2 bytes")
                             .arg(latin1(what), number(m_limits.maxHeaderLineBytes)),
                    where);
    case LineStatus::BareLf:
        return fail(400, latin1("bare LF in %1 section (lines must end with CRLF)").arg(latin1(what)),
                    where);
    case LineStatus::Line:
        break;
    }

    m_fieldBytes += line.size() + 2;
    if (m_fieldBytes > m_limits.maxHeaderBytes) {
        return fail(431, latin1("%1 section larger than %2 bytes")
                             .arg(latin1(what), number(m_limits.maxHeaderBytes)),
                    where);
    }
    if (line.isEmpty()) {
        if (trailers) {
            m_phase = Phase::Done;
            return true;
        }
        return finishHeaders(where);
    }
    if (isWhitespace(line.front())) {
        return fail(400, latin1("obsolete line folding (obs-fold) in %1 section").arg(latin1(what)),
                    where);
    }
    if (++m_fieldCount > m_limits.maxHeaderCount) {
        return fail(431, latin1("more than %1 header and trailer fields").arg(m_limits.maxHeaderCount),
                    where);
    }
    return parseFieldLine(line, where, trailers ? &m_request.trailers : &m_request.headers);
}

bool HttpRequestParser::parseFieldLine(QByteArrayView line, qsizetype lineStart, HttpHeaders *into)
{
    // field-line = field-name ":" OWS field-value OWS
    const qsizetype colon = line.indexOf(':');
    if (colon < 0)
        return fail(400, latin1("header line without colon"), lineStart);
    const QByteArrayView name = line.first(colon);
    if (name.isEmpty())
        return fail(400, latin1("empty header name"), lineStart);
    if (isWhitespace(name.back()))
        return fail(400, latin1("whitespace between header name and colon"), lineStart + colon - 1);
    for (qsizetype i = 0; i < name.size(); ++i) {
        if (!isTokenChar(name[i]))
            return fail(400, latin1("invalid character in header name"), lineStart + i);
    }
    const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
    for (qsizetype i = 0; i < value.size(); ++i) {
        if (!isFieldValueChar(value[i])) {
            return fail(400, latin1("invalid character in value of header %1").arg(QLatin1String(name)),
                        lineStart + (value.data() - line.data()) + i);
        }
    }
    into->append(interned(name), interned(value));
    return true;
}

bool HttpRequestParser::finishHeaders(qsizetype pos)
{
    const HttpHeaders &headers = m_request.headers;
    const bool http11 = m_request.isHttp11();

    const qsizetype hosts = headers.count("host");
    if (hosts > 1)
        return fail(400, latin1("duplicate Host header"), pos);
    if (hosts == 0 && http11)
        return fail(400, latin1("missing Host header (required in HTTP/1.1)"), pos);

    const QList<QByteArray> lengths = headers.values("content-length");
    const bool hasTransferEncoding = headers.contains("transfer-encoding");
    if (!lengths.isEmpty() && hasTransferEncoding)
        return fail(400, latin1("both Content-Length and Transfer-Encoding present"), pos);
    if (lengths.size() > 1)
        return fail(400, latin1("duplicate Content-Length header"), pos);

    qint64 length = 0;
    if (lengths.size() == 1) {
        const QByteArray &value = lengths.constFirst();
        if (value.isEmpty())
            return fail(400, latin1("empty Content-Length header"), pos);
        for (char c : value) {
            if (c < '0' || c > '9')
                return fail(400, latin1("invalid Content-Length value (digits only)"), pos);
            const int digit = c - '0';
            if (length > (std::numeric_limits<qint64>::max() - digit) / 10)
                return fail(400, latin1("Content-Length value out of range"), pos);
            length = length * 10 + digit;
        }
        if (length > m_limits.maxBodyBytes) {
            return fail(413, latin1("request body of %1 bytes exceeds the limit of %2 bytes")
                                 .arg(number(length), number(m_limits.maxBodyBytes)),
                        pos);
        }
    }

    if (hasTransferEncoding) {
        if (!http11)
            return fail(400, latin1("Transfer-Encoding in an HTTP/1.0 request"), pos);
        QList<QByteArrayView> codings;
        for (const HttpHeaders::Field &field : headers) {
            if (HttpHeaders::nameEquals(field.first, "transfer-encoding"))
                splitList(field.second, &codings);
        }
        int chunkedCount = 0;
        for (QByteArrayView coding : std::as_const(codings)) {
            if (coding.isEmpty())
                return fail(400, latin1("empty element in Transfer-Encoding"), pos);
            if (equalsIgnoringCase(coding, "chunked"))
                ++chunkedCount;
        }
        if (codings.isEmpty() || !equalsIgnoringCase(codings.constLast(), "chunked"))
            return fail(400, latin1("Transfer-Encoding must end with chunked"), pos);
        if (chunkedCount > 1)
            return fail(400, latin1("chunked applied more than once in Transfer-Encoding"), pos);
        if (codings.size() > 1) {
            return fail(501, latin1("unsupported transfer coding %1")
                                 .arg(QLatin1String(codings.constFirst())),
                        pos);
        }
        m_chunked = true;
    }

    if (http11) {
        // RFC 9110 §10.1.1: HTTP/1.0 requests' Expect is ignored.
        QList<QByteArrayView> expectations;
        for (const HttpHeaders::Field &field : headers) {
            if (HttpHeaders::nameEquals(field.first, "expect"))
                splitList(field.second, &expectations);
        }
        for (QByteArrayView expectation : std::as_const(expectations)) {
            if (!equalsIgnoringCase(expectation, "100-continue")) {
                return fail(417, latin1("unsupported expectation %1").arg(QLatin1String(expectation)),
                            pos);
            }
            m_expectContinue = true;
        }
    }

    m_request.keepAlive = http11 ? !headers.hasToken("connection", "close")
                                 : headers.hasToken("connection", "keep-alive")
                                       && !headers.hasToken("connection", "close");

    if (m_chunked) {
        m_phase = Phase::ChunkSize;
    } else if (length > 0) {
        m_bodyRemaining = length;
        m_phase = Phase::Body;
    } else {
        m_expectContinue = false; // nothing to wait for
        m_phase = Phase::Done;
    }
    return true;
}

bool HttpRequestParser::parseChunkSize(QByteArrayView line, qsizetype lineStart)
{
    // chunk = chunk-size [ chunk-ext ] CRLF
    // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
    qint64 size = 0;
    qsizetype i = 0;
    for (; i < line.size(); ++i) {
        const int digit = hexValue(line[i]);
        if (digit < 0)
            break;
        if (size > (std::numeric_limits<qint64>::max() >> 4))
            return fail(400, latin1("chunk size out of range"), lineStart);
        size = size * 16 + digit;
    }
    if (i == 0)
        return fail(400, latin1("invalid chunk size"), lineStart);

    const auto skipWhitespace = [&] {
        while (i < line.size() && isWhitespace(line[i]))
            ++i;
    };
    const auto invalidExtension = [&] {
        return fail(400, latin1("invalid chunk extension"), lineStart + i);
    };
    while (i < line.size()) {
        skipWhitespace();
        if (i == line.size() || line[i] != ';')
            return invalidExtension();
        ++i;
        skipWhitespace();
        const qsizetype nameStart = i;
        while (i < line.size() && isTokenChar(line[i]))
            ++i;
        if (i == nameStart)
            return invalidExtension();
        const qsizetype afterName = i;
        skipWhitespace();
        if (i == line.size() || line[i] != '=') {
            i = afterName; // the whitespace belongs to the next ";"
            continue;
        }
        ++i;
        skipWhitespace();
        if (i < line.size() && line[i] == '"') {
            // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
            ++i;
            bool closed = false;
            while (i < line.size()) {
                const char c = line[i];
                if (c == '"') {
                    closed = true;
                    ++i;
                    break;
                }
                if (c == '\\') {
                    ++i;
                    if (i == line.size() || !isFieldValueChar(line[i]))
                        return invalidExtension();
                } else if (!isFieldValueChar(c)) {
                    return invalidExtension();
                }
                ++i;
            }
            if (!closed)
                return invalidExtension();
        } else {
            const qsizetype valueStart = i;
            while (i < line.size() && isTokenChar(line[i]))
                ++i;
            if (i == valueStart)
                return invalidExtension();
        }
    }

    if (size > m_limits.maxBodyBytes - m_request.body.size()) {
        return fail(413, latin1("chunked request body exceeds the limit of %1 bytes")
                             .arg(number(m_limits.maxBodyBytes)),
                    lineStart);
    }
    m_sawChunk = true;
    if (size == 0) {
        m_phase = Phase::Trailers;
    } else {
        m_bodyRemaining = size;
        m_phase = Phase::ChunkData;
    }
    return true;
}

} // namespace Conflux::Http

namespace Conflux::Http {

QByteArray HttpRequestParser::takeBuffered()
{
    QByteArray rest = m_buffer.mid(m_pos);
    reset();
    return rest;
}

} // namespace Conflux::Http
