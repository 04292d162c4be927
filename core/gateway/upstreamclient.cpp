#include "upstreamclient.h"

#include "httpgrammar_p.h"
#include "socketstream_p.h"

#include <QCoreApplication>
#include <QSslSocket>
#include <QTimer>

#include <algorithm>
#include <limits>
#include <list>
#include <vector>

using namespace Qt::StringLiterals;

namespace Conflux::Gateway {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Gateway::UpstreamClient)
};

constexpr qsizetype MaxHeaderBytes = 64 * 1024;  // status line and fields, or a trailer section
constexpr qsizetype MaxChunkLineBytes = 4 * 1024; // chunk size with its extensions

bool isIdempotent(QByteArrayView method)
{
    static const char *const methods[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"};
    return std::any_of(std::begin(methods), std::end(methods), [&](const char *m) { return method == m; });
}

// Methods that define no meaning for a request body: without one, no Content-Length is sent.
bool bodyIsOptional(QByteArrayView method)
{
    static const char *const methods[] = {"GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"};
    return std::any_of(std::begin(methods), std::end(methods), [&](const char *m) { return method == m; });
}

bool isValidFieldValue(QByteArrayView value)
{
    return std::all_of(value.begin(), value.end(), Http::Internal::isFieldValueChar);
}

bool isDigits(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The comma-separated elements of every field of that name, trimmed, empty ones skipped.
QList<QByteArrayView> listElements(const Http::HttpHeaders &headers, QByteArrayView name)
{
    QList<QByteArrayView> out;
    for (const auto &[fieldName, value] : headers) {
        if (!Http::HttpHeaders::nameEquals(fieldName, name))
            continue;
        QByteArrayView rest(value);
        while (true) {
            const qsizetype comma = rest.indexOf(',');
            const QByteArrayView element = Http::Internal::trimmedOws(comma < 0 ? rest : rest.first(comma));
            if (!element.isEmpty())
                out.append(element);
            if (comma < 0)
                break;
            rest = rest.sliced(comma + 1);
        }
    }
    return out;
}

// An HTTP/1.x response read off a byte buffer as it arrives, parsed in place: `parse()`
// consumes from `pos` on and leaves what belongs to the next response. Bounded: the header
// section (and a trailer section) by MaxHeaderBytes, the body by the configured maximum.
class ResponseParser
{
public:
    enum class Outcome : quint8 { NeedMore, Complete, Error };

    void reset(bool headRequest, qint64 maxBody)
    {
        *this = ResponseParser();
        m_headRequest = headRequest;
        m_maxBody = maxBody;
    }

    Outcome parse(const QByteArray &buffer, qsizetype &pos);
    // The connection was closed: a close-delimited body is complete now.
    Outcome atEndOfStream();

    bool hasStarted() const { return m_started; }
    bool keepAlive() const { return m_keepAlive; }
    const QString &error() const { return m_error; }
    UpstreamResponse takeResponse() { return std::move(m_response); }

private:
    enum class Phase : quint8 { StatusLine, Fields, Length, ChunkSize, ChunkData, ChunkEnd, Trailers, UntilClose, Done };

    // One CRLF-terminated line (without the CRLF) from `pos`; NeedMore or Error otherwise.
    Outcome takeLine(const QByteArray &buffer, qsizetype &pos, qsizetype limit, QByteArrayView *line);
    Outcome fail(const QString &message)
    {
        m_error = message;
        return Outcome::Error;
    }
    Outcome statusLine(QByteArrayView line);
    Outcome field(QByteArrayView line);
    Outcome headerComplete();
    Outcome chunkSize(QByteArrayView line);
    bool appendBody(QByteArrayView data);

    Phase m_phase = Phase::StatusLine;
    bool m_headRequest = false;
    bool m_started = false;
    bool m_keepAlive = false;
    qint64 m_maxBody = 0;
    qsizetype m_scanned = 0;      // bytes after `pos` already searched for LF
    qsizetype m_sectionBytes = 0; // of the header (or trailer) section so far
    qint64 m_remaining = 0;       // of the Content-Length body or the current chunk
    UpstreamResponse m_response;
    QString m_error;
};

ResponseParser::Outcome ResponseParser::takeLine(const QByteArray &buffer, qsizetype &pos, qsizetype limit,
                                                 QByteArrayView *line)
{
    const qsizetype lf = buffer.indexOf('\n', pos + m_scanned);
    if (lf < 0) {
        m_scanned = buffer.size() - pos;
        if (m_sectionBytes + m_scanned > limit)
            return fail(Tr::tr("the header section is larger than %1 bytes").arg(limit));
        return Outcome::NeedMore;
    }
    const qsizetype length = lf + 1 - pos;
    m_sectionBytes += length;
    if (m_sectionBytes > limit)
        return fail(Tr::tr("the header section is larger than %1 bytes").arg(limit));
    if (length < 2 || buffer.at(lf - 1) != '\r')
        return fail(Tr::tr("a line ends in a bare LF"));
    *line = QByteArrayView(buffer).sliced(pos, length - 2);
    pos = lf + 1;
    m_scanned = 0;
    return Outcome::Complete;
}

ResponseParser::Outcome ResponseParser::parse(const QByteArray &buffer, qsizetype &pos)
{
    if (pos < buffer.size())
        m_started = true;
    while (true) {
        QByteArrayView line;
        Outcome outcome = Outcome::Complete;
        switch (m_phase) {
        case Phase::StatusLine:
        case Phase::Fields:
        case Phase::Trailers:
            outcome = takeLine(buffer, pos, MaxHeaderBytes, &line);
            if (outcome != Outcome::Complete)
                return outcome;
            if (m_phase == Phase::StatusLine)
                outcome = statusLine(line);
            else if (m_phase == Phase::Trailers) {
                if (line.isEmpty()) // trailer fields are discarded
                    m_phase = Phase::Done;
            } else
                outcome = line.isEmpty() ? headerComplete() : field(line);
            break;
        case Phase::ChunkSize:
            outcome = takeLine(buffer, pos, MaxChunkLineBytes, &line);
            if (outcome == Outcome::Error)
                return fail(Tr::tr("a chunk size line is malformed or longer than %1 bytes").arg(MaxChunkLineBytes));
            if (outcome != Outcome::Complete)
                return outcome;
            outcome = chunkSize(line);
            break;
        case Phase::Length:
        case Phase::ChunkData:
        case Phase::UntilClose: {
            const qsizetype available = buffer.size() - pos;
            if (available == 0)
                return Outcome::NeedMore;
            const qsizetype take = m_phase == Phase::UntilClose ? available : qsizetype(std::min<qint64>(available, m_remaining));
            if (!appendBody(QByteArrayView(buffer).sliced(pos, take)))
                return Outcome::Error;
            pos += take;
            m_remaining -= take;
            if (m_phase == Phase::UntilClose)
                return Outcome::NeedMore;
            if (m_remaining == 0)
                m_phase = m_phase == Phase::Length ? Phase::Done : Phase::ChunkEnd;
            break;
        }
        case Phase::ChunkEnd:
            if (buffer.size() - pos < 2)
                return Outcome::NeedMore;
            if (buffer.at(pos) != '\r' || buffer.at(pos + 1) != '\n')
                return fail(Tr::tr("chunk data is not followed by CRLF"));
            pos += 2;
            m_phase = Phase::ChunkSize;
            m_sectionBytes = 0;
            break;
        case Phase::Done:
            return Outcome::Complete;
        }
        if (outcome == Outcome::Error)
            return outcome;
    }
}

ResponseParser::Outcome ResponseParser::atEndOfStream()
{
    if (m_phase == Phase::UntilClose) {
        m_phase = Phase::Done;
        return Outcome::Complete;
    }
    return m_phase == Phase::Done ? Outcome::Complete : Outcome::NeedMore;
}

ResponseParser::Outcome ResponseParser::statusLine(QByteArrayView line)
{
    // HTTP/1.x SP 3DIGIT SP reason-phrase (the SP before an empty reason may be missing)
    const bool shapeOk = line.size() >= 12 && line.startsWith("HTTP/1.") && line[7] >= '0' && line[7] <= '9'
        && line[8] == ' ' && line[9] >= '1' && line[9] <= '5' && isDigits(line.sliced(10, 2))
        && (line.size() == 12 || line[12] == ' ');
    if (!shapeOk)
        return fail(Tr::tr("the status line \"%1\" is malformed").arg(QString::fromLatin1(line.first(std::min<qsizetype>(line.size(), 80)))));
    const QByteArrayView reason = line.size() > 13 ? line.sliced(13) : QByteArrayView();
    if (!isValidFieldValue(reason))
        return fail(Tr::tr("the reason phrase holds control characters"));
    m_response.status = line.sliced(9, 3).toInt();
    m_response.version = Http::Internal::interned(line.first(8));
    m_response.reason = Http::Internal::interned(reason);
    m_response.headers.clear();
    m_phase = Phase::Fields;
    return Outcome::Complete;
}

ResponseParser::Outcome ResponseParser::field(QByteArrayView line)
{
    if (Http::Internal::isWhitespace(line.front()))
        return fail(Tr::tr("a header field is folded across lines (obs-fold)"));
    const qsizetype colon = line.indexOf(':');
    const QByteArrayView name = colon < 0 ? line : line.first(colon);
    if (colon < 0 || !Http::Internal::isToken(name))
        return fail(Tr::tr("the header field line \"%1\" is malformed").arg(QString::fromLatin1(line.first(std::min<qsizetype>(line.size(), 80)))));
    const QByteArrayView value = Http::Internal::trimmedOws(line.sliced(colon + 1));
    if (!isValidFieldValue(value))
        return fail(Tr::tr("the value of header field %1 holds control characters").arg(QString::fromLatin1(name)));
    m_response.headers.append(Http::Internal::interned(name), Http::Internal::interned(value));
    return Outcome::Complete;
}

ResponseParser::Outcome ResponseParser::headerComplete()
{
    const int status = m_response.status;
    if (status == 101)
        return fail(Tr::tr("the server switched protocols (101) without being asked to"));
    if (status < 200) {
        // An interim response (100 Continue, 102, 103): the final one follows.
        m_phase = Phase::StatusLine;
        m_sectionBytes = 0;
        return Outcome::Complete;
    }
    const Http::HttpHeaders &headers = m_response.headers;
    const bool http10 = m_response.version == "HTTP/1.0";
    m_keepAlive = http10 ? headers.hasToken("connection", "keep-alive") && !headers.hasToken("connection", "close")
                         : !headers.hasToken("connection", "close");

    const bool hasTransferEncoding = headers.contains("transfer-encoding");
    const bool hasContentLength = headers.contains("content-length");
    if (hasTransferEncoding && hasContentLength)
        return fail(Tr::tr("the response has both Content-Length and Transfer-Encoding"));
    if (m_headRequest || status == 204 || status == 304) {
        m_phase = Phase::Done;
        return Outcome::Complete;
    }
    if (hasTransferEncoding) {
        if (http10)
            return fail(Tr::tr("an HTTP/1.0 response has Transfer-Encoding"));
        const QList<QByteArrayView> codings = listElements(headers, "transfer-encoding");
        const auto chunked = std::count_if(codings.begin(), codings.end(), [](QByteArrayView c) {
            return Http::Internal::equalsIgnoringCase(c, "chunked");
        });
        if (chunked > 1 || (chunked == 1 && !Http::Internal::equalsIgnoringCase(codings.back(), "chunked")))
            return fail(Tr::tr("Transfer-Encoding has chunked other than as the final coding"));
        if (chunked == 1) {
            m_phase = Phase::ChunkSize;
            m_sectionBytes = 0;
            return Outcome::Complete;
        }
        // Another coding last: the body runs until the connection closes (RFC 9112 6.3).
    } else if (hasContentLength) {
        const QList<QByteArrayView> lengths = listElements(headers, "content-length");
        if (lengths.isEmpty())
            return fail(Tr::tr("Content-Length is empty"));
        for (QByteArrayView length : lengths) {
            if (!isDigits(length) || length.size() > 18 || length != lengths.front())
                return fail(Tr::tr("Content-Length \"%1\" is invalid").arg(QString::fromLatin1(headers.value("content-length").left(40))));
        }
        m_remaining = lengths.front().toLongLong();
        if (m_remaining > m_maxBody)
            return fail(Tr::tr("the body (Content-Length %1) is larger than the limit of %2 bytes").arg(m_remaining).arg(m_maxBody));
        m_phase = m_remaining == 0 ? Phase::Done : Phase::Length;
        return Outcome::Complete;
    }
    m_keepAlive = false;
    m_phase = Phase::UntilClose;
    return Outcome::Complete;
}

ResponseParser::Outcome ResponseParser::chunkSize(QByteArrayView line)
{
    // chunk-size [ BWS ";" chunk-ext ] — extensions are ignored.
    qsizetype i = 0;
    qint64 size = 0;
    while (i < line.size() && Http::Internal::hexValue(line[i]) >= 0) {
        if (i >= 15)
            return fail(Tr::tr("a chunk size is too large"));
        size = size * 16 + Http::Internal::hexValue(line[i]);
        ++i;
    }
    QByteArrayView rest = Http::Internal::trimmedOws(line.sliced(i));
    if (i == 0 || (!rest.isEmpty() && (rest.front() != ';' || !isValidFieldValue(rest))))
        return fail(Tr::tr("the chunk size line \"%1\" is malformed").arg(QString::fromLatin1(line.first(std::min<qsizetype>(line.size(), 40)))));
    if (size > m_maxBody - m_response.body.size())
        return fail(Tr::tr("the body is larger than the limit of %1 bytes").arg(m_maxBody));
    m_sectionBytes = 0;
    if (size == 0) {
        m_phase = Phase::Trailers; // discarded
        return Outcome::Complete;
    }
    m_remaining = size;
    m_phase = Phase::ChunkData;
    return Outcome::Complete;
}

bool ResponseParser::appendBody(QByteArrayView data)
{
    if (m_response.body.size() + data.size() > m_maxBody) {
        m_error = Tr::tr("the body is larger than the limit of %1 bytes").arg(m_maxBody);
        return false;
    }
    m_response.body.append(data);
    return true;
}

} // namespace

namespace Internal {

struct UpstreamExchange
{
    UpstreamClient *client = nullptr;
    UpstreamClient::Done done;
    QByteArray wire;             // the whole request: head and body
    UpstreamHost *host = nullptr;
    UpstreamConnection *connection = nullptr;
    std::multimap<qint64, std::shared_ptr<UpstreamExchange>>::iterator deadline;
    qint64 timeoutMs = 0;
    bool hasDeadline = false;
    bool waiting = false;        // in host->waiting
    bool idempotent = false;
    bool headRequest = false;
    bool retried = false;
    bool active = true;
};

struct UpstreamConnection
{
    enum class State : quint8 { Connecting, Busy, Idle };

    UpstreamHost *host = nullptr;
    std::list<UpstreamConnection>::iterator self;
    Http::Internal::SocketStream *socket = nullptr; // TLS over QSslSocket for https; a child of the client
    State state = State::Connecting;
    bool started = false;           // connectToHost() was called
    bool established = false;       // connected (and encrypted for https)
    int served = 0;                 // responses received on this connection
    qint64 idleSince = 0;
    std::shared_ptr<UpstreamExchange> exchange;
    bool exchangeOnReused = false;  // the current exchange was sent on a connection that served before
    QByteArray buffer;
    qsizetype pos = 0;
    ResponseParser parser;
    QString tlsErrors;
};

struct UpstreamHost
{
    QString name;
    quint16 port = 0;
    bool secure = false;
    QString where;                                 // "host:port" for messages
    QByteArray hostHeader;                         // the Host field's value
    std::list<UpstreamConnection> connections;     // every open one
    std::vector<UpstreamConnection *> idle;        // the most recently used last
    std::deque<std::shared_ptr<UpstreamExchange>> waiting;
};

} // namespace Internal

using Internal::UpstreamConnection;
using Internal::UpstreamExchange;

void UpstreamClient::Handle::cancel()
{
    if (const std::shared_ptr<UpstreamExchange> exchange = m_exchange.lock()) {
        if (exchange->active && exchange->client)
            exchange->client->cancel(exchange);
    }
}

bool UpstreamClient::Handle::isActive() const
{
    const std::shared_ptr<UpstreamExchange> exchange = m_exchange.lock();
    return exchange && exchange->active;
}

UpstreamClient::UpstreamClient(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_deadlineTimer(new QTimer(this))
    , m_idleTimer(new QTimer(this))
{
    m_clock.start();
    m_deadlineTimer->setSingleShot(true);
    connect(m_deadlineTimer, &QTimer::timeout, this, &UpstreamClient::deadlinesDue);
    m_idleTimer->setInterval(int(std::clamp<qint64>(m_options.idleTimeoutMs / 2, 10, 1000)));
    connect(m_idleTimer, &QTimer::timeout, this, &UpstreamClient::sweepIdle);
}

UpstreamClient::~UpstreamClient()
{
    m_deadlines.clear();
    for (const std::unique_ptr<Host> &host : m_hosts) {
        for (UpstreamConnection &connection : host->connections) {
            disconnect(connection.socket, nullptr, this, nullptr);
            if (connection.exchange) {
                connection.exchange->active = false;
                connection.exchange->client = nullptr;
            }
            delete connection.socket;
        }
        for (const ExchangePtr &exchange : host->waiting) {
            exchange->active = false;
            exchange->client = nullptr;
        }
    }
}

int UpstreamClient::idleConnections() const
{
    return m_idleCount;
}

int UpstreamClient::openConnections() const
{
    return m_openCount;
}

UpstreamClient::Host &UpstreamClient::host(const QUrl &url)
{
    const bool secure = url.scheme() == "https"_L1;
    const quint16 port = quint16(url.port(secure ? 443 : 80));
    const QString name = url.host();
    for (const std::unique_ptr<Host> &host : m_hosts) {
        if (host->port == port && host->secure == secure && host->name == name)
            return *host;
    }
    auto host = std::make_unique<Host>();
    host->name = name;
    host->port = port;
    host->secure = secure;
    const QString encoded = url.host(QUrl::FullyEncoded);
    const QString bracketed = encoded.contains(u':') ? u'[' + encoded + u']' : encoded;
    host->where = bracketed + u':' + QString::number(port);
    const bool defaultPort = port == (secure ? 443 : 80);
    host->hostHeader = (defaultPort ? bracketed : host->where).toLatin1();
    m_hosts.push_back(std::move(host));
    return *m_hosts.back();
}

UpstreamClient::Handle UpstreamClient::send(UpstreamRequest request, Done done)
{
    auto exchange = std::make_shared<UpstreamExchange>();
    exchange->client = this;
    exchange->done = std::move(done);
    exchange->timeoutMs = request.timeoutMs;
    const QUrl &url = request.url;
    const bool schemeOk = url.scheme() == "http"_L1 || url.scheme() == "https"_L1;
    if (!url.isValid() || !schemeOk || url.host().isEmpty() || !Http::Internal::isToken(request.method)) {
        const Error error = makeError("upstream_protocol_error",
                                      !Http::Internal::isToken(request.method)
                                          ? Tr::tr("cannot send to %1: the method \"%2\" is not a token")
                                                .arg(url.toDisplayString(), QString::fromLatin1(request.method.left(40)))
                                          : Tr::tr("cannot send to \"%1\": not an http or https URL with a host")
                                                .arg(url.toDisplayString()));
        QMetaObject::invokeMethod(
            this, [this, exchange, error] { finish(exchange, error); }, Qt::QueuedConnection);
        return Handle(exchange);
    }

    Host &target = host(url);
    exchange->host = &target;
    exchange->idempotent = isIdempotent(request.method);
    exchange->headRequest = request.method == "HEAD";

    if (url != m_lastUrl) {
        QByteArray path = url.path(QUrl::FullyEncoded).toLatin1();
        if (path.isEmpty())
            path = "/";
        if (url.hasQuery())
            path += '?' + url.query(QUrl::FullyEncoded).toLatin1();
        m_lastUrl = url;
        m_lastTarget = path;
    }
    QByteArray &wire = exchange->wire;
    qsizetype headerBytes = 0;
    for (const auto &[name, value] : request.headers)
        headerBytes += name.size() + value.size() + 4;
    wire.reserve(64 + m_lastTarget.size() + target.hostHeader.size() + headerBytes + request.body.size());
    wire += request.method;
    wire += ' ';
    wire += m_lastTarget;
    wire += " HTTP/1.1\r\n";
    if (!request.headers.contains("host")) {
        wire += "Host: ";
        wire += target.hostHeader;
        wire += "\r\n";
    }
    for (const auto &[name, value] : request.headers) {
        if (Http::HttpHeaders::nameEquals(name, "content-length") || Http::HttpHeaders::nameEquals(name, "transfer-encoding"))
            continue;
        if (!Http::Internal::isToken(name) || !isValidFieldValue(value))
            continue;
        wire += name;
        wire += ": ";
        wire += value;
        wire += "\r\n";
    }
    if (!request.body.isEmpty() || !bodyIsOptional(request.method)) {
        wire += "Content-Length: ";
        wire += QByteArray::number(request.body.size());
        wire += "\r\n";
    }
    wire += "\r\n";
    wire += request.body;

    armDeadline(exchange);
    dispatch(exchange, true);
    return Handle(exchange);
}

void UpstreamClient::dispatch(const ExchangePtr &exchange, bool allowIdle)
{
    Host &target = *exchange->host;
    while (allowIdle && !target.idle.empty()) {
        Connection *connection = target.idle.back();
        target.idle.pop_back();
        --m_idleCount;
        const Http::Internal::SocketStream *socket = connection->socket;
        if (socket->isConnected() && socket->bytesAvailable() == 0) {
            attach(exchange, connection);
            return;
        }
        closeConnection(connection); // closed by the server, or it sent something unasked
    }
    if (int(target.connections.size()) < m_options.maxConnectionsPerHost) {
        attach(exchange, openConnection(target));
        return;
    }
    exchange->waiting = true;
    if (exchange->retried)
        target.waiting.push_front(exchange);
    else
        target.waiting.push_back(exchange);
}

void UpstreamClient::attach(const ExchangePtr &exchange, Connection *connection)
{
    exchange->connection = connection;
    connection->exchange = exchange;
    connection->exchangeOnReused = connection->served > 0;
    connection->parser.reset(exchange->headRequest, m_options.maxResponseBytes);
    if (connection->state == Connection::State::Idle) {
        connection->state = Connection::State::Busy;
        m_pending.push_back(connection);
        if (!std::exchange(m_flushPosted, true))
            QMetaObject::invokeMethod(this, &UpstreamClient::flushPending, Qt::QueuedConnection);
    }
}

void UpstreamClient::flushPending()
{
    m_flushPosted = false;
    const std::vector<Connection *> pending = std::exchange(m_pending, {});
    for (Connection *connection : pending) {
        if (connection->exchange)
            connection->socket->write(connection->exchange->wire);
    }
}

UpstreamClient::Connection *UpstreamClient::openConnection(Host &target)
{
    Connection &connection = target.connections.emplace_back();
    connection.self = std::prev(target.connections.end());
    connection.host = &target;
    ++m_openCount;

    Connection *raw = &connection;
    QSslSocket *tls = nullptr;
    if (target.secure) {
        tls = new QSslSocket;
        tls->setSslConfiguration(m_options.tls);
        tls->setPeerVerifyName(target.name);
        connect(tls, &QSslSocket::sslErrors, this, [raw](const QList<QSslError> &errors) {
            QStringList texts;
            for (const QSslError &error : errors)
                texts.append(error.errorString());
            raw->tlsErrors = texts.join("; "_L1);
        });
        connection.socket = new Http::Internal::QtSocketStream(tls, true, this);
    } else {
        connection.socket = new Http::Internal::PlainSocketStream(this);
    }
    Http::Internal::SocketStream *socket = connection.socket;
    using Http::Internal::SocketStream;
    connect(socket, &SocketStream::connected, this, [this, raw] { connected(raw); });
    connect(socket, &SocketStream::readyRead, this, [this, raw] { readyRead(raw); });
    connect(socket, &SocketStream::disconnected, this, [this, raw] { disconnected(raw); });
    connect(socket, &SocketStream::errorOccurred, this, [this, raw] { socketError(raw); });

    // Connect from the event loop: a refused connection can be reported synchronously by
    // connectToHost(), and `done` must not run inside send().
    QMetaObject::invokeMethod(
        socket,
        [raw, tls] {
            raw->started = true;
            const Host &h = *raw->host;
            if (tls)
                tls->connectToHostEncrypted(h.name, h.port);
            else
                static_cast<Http::Internal::PlainSocketStream *>(raw->socket)->connectToHost(h.name, h.port);
        },
        Qt::QueuedConnection);
    return raw;
}

void UpstreamClient::closeConnection(Connection *connection)
{
    Host &target = *connection->host;
    if (connection->state == Connection::State::Idle) {
        const auto it = std::find(target.idle.begin(), target.idle.end(), connection);
        if (it != target.idle.end()) {
            target.idle.erase(it);
            --m_idleCount;
        }
    }
    if (connection->exchange)
        connection->exchange->connection = nullptr;
    if (const auto it = std::find(m_pending.begin(), m_pending.end(), connection); it != m_pending.end())
        m_pending.erase(it);
    Http::Internal::SocketStream *socket = connection->socket;
    disconnect(socket, nullptr, this, nullptr);
    if (connection->started) {
        // We may be inside one of its signals.
        socket->abort();
        socket->deleteLater();
    } else {
        delete socket; // also drops the queued connectToHost()
    }
    --m_openCount;
    target.connections.erase(connection->self);
    if (m_idleCount == 0)
        m_idleTimer->stop();
}

void UpstreamClient::makeIdle(Connection *connection)
{
    Host &target = *connection->host;
    if (int(target.idle.size()) >= m_options.maxIdlePerHost || m_options.maxIdlePerHost <= 0) {
        closeConnection(connection);
        return;
    }
    connection->state = Connection::State::Idle;
    connection->buffer.clear();
    connection->pos = 0;
    connection->idleSince = now();
    target.idle.push_back(connection);
    ++m_idleCount;
    if (m_options.idleTimeoutMs > 0 && !m_idleTimer->isActive())
        m_idleTimer->start();
}

void UpstreamClient::serveWaiting(Host &target)
{
    while (!target.waiting.empty()
           && (!target.idle.empty() || int(target.connections.size()) < m_options.maxConnectionsPerHost)) {
        ExchangePtr exchange = std::move(target.waiting.front());
        target.waiting.pop_front();
        exchange->waiting = false;
        dispatch(exchange, true);
        if (exchange->waiting)
            break;
    }
}

void UpstreamClient::connected(Connection *connection)
{
    connection->established = true;
    connection->state = Connection::State::Busy;
    if (connection->exchange)
        connection->socket->write(connection->exchange->wire);
}

void UpstreamClient::readyRead(Connection *connection)
{
    QByteArray data = connection->socket->readAll();
    if (data.isEmpty())
        return;
    if (connection->state != Connection::State::Busy || !connection->exchange) {
        // Bytes nobody asked for: the connection cannot carry a request any more.
        Host &target = *connection->host;
        closeConnection(connection);
        serveWaiting(target);
        return;
    }
    if (connection->buffer.isEmpty())
        connection->buffer = std::move(data);
    else
        connection->buffer.append(data);
    parse(connection);
}

void UpstreamClient::parse(Connection *connection)
{
    const ResponseParser::Outcome outcome = connection->parser.parse(connection->buffer, connection->pos);
    if (outcome == ResponseParser::Outcome::Complete) {
        responseComplete(connection);
        return;
    }
    if (outcome == ResponseParser::Outcome::Error) {
        const Host &target = *connection->host;
        connectionFailed(connection,
                         makeError("upstream_protocol_error",
                                   Tr::tr("upstream %1 sent a malformed response: %2").arg(target.where, connection->parser.error())),
                         false);
        return;
    }
    // Everything consumed: start the buffer afresh rather than growing it.
    if (connection->pos == connection->buffer.size()) {
        connection->buffer.clear();
        connection->pos = 0;
    } else if (connection->pos > 64 * 1024) {
        connection->buffer.remove(0, connection->pos);
        connection->pos = 0;
    }
}

void UpstreamClient::responseComplete(Connection *connection)
{
    ExchangePtr exchange = std::move(connection->exchange);
    exchange->connection = nullptr;
    ++connection->served;
    Result<UpstreamResponse> response = connection->parser.takeResponse();
    Host &target = *connection->host;
    // Reusable only when it is clean: keep-alive, the request fully written, nothing extra read.
    const bool reusable = connection->parser.keepAlive() && connection->pos == connection->buffer.size()
        && connection->socket->isConnected() && connection->socket->bytesToWrite() == 0;
    if (reusable)
        makeIdle(connection);
    else
        closeConnection(connection);
    serveWaiting(target);
    finish(exchange, std::move(response));
}

void UpstreamClient::disconnected(Connection *connection)
{
    const Host &target = *connection->host;
    if (!connection->established) {
        connectionFailed(connection,
                         makeError("upstream_connect_failed",
                                   Tr::tr("cannot connect to upstream %1: the connection was closed during the TLS handshake")
                                       .arg(target.where)),
                         false);
        return;
    }
    connectionFailed(connection,
                     makeError("upstream_reset", Tr::tr("upstream %1 closed the connection before the response was complete")
                                                     .arg(target.where)),
                     true);
}

void UpstreamClient::socketError(Connection *connection)
{
    const Host &target = *connection->host;
    const Http::Internal::SocketStream *socket = connection->socket;
    if (!connection->established) {
        QString why = socket->errorString();
        if (!connection->tlsErrors.isEmpty())
            why += " ("_L1 + connection->tlsErrors + u')';
        connectionFailed(connection,
                         makeError("upstream_connect_failed", Tr::tr("cannot connect to upstream %1: %2").arg(target.where, why)),
                         false);
        return;
    }
    const bool closed = socket->failure() == Http::Internal::SocketStream::Failure::PeerClosed;
    connectionFailed(connection,
                     makeError("upstream_reset",
                               closed ? Tr::tr("upstream %1 closed the connection before the response was complete").arg(target.where)
                                      : Tr::tr("the connection to upstream %1 failed: %2").arg(target.where, socket->errorString())),
                     closed);
}

// The connection is gone (closed, reset, failed) or must go (protocol error). A response
// delimited by the close completes; a request the server may simply not have seen is retried.
void UpstreamClient::connectionFailed(Connection *connection, Error error, bool closedCleanly)
{
    Host &target = *connection->host;
    if (connection->state == Connection::State::Idle || !connection->exchange) {
        closeConnection(connection);
        serveWaiting(target);
        return;
    }
    if (connection->established && error.code != "upstream_protocol_error"_L1) {
        // Take what is still buffered before looking at how the connection ended.
        QByteArray rest = connection->socket->readAll();
        if (!rest.isEmpty()) {
            connection->buffer.append(rest);
            const ResponseParser::Outcome outcome = connection->parser.parse(connection->buffer, connection->pos);
            if (outcome == ResponseParser::Outcome::Complete) {
                responseComplete(connection);
                return;
            }
            if (outcome == ResponseParser::Outcome::Error) {
                error = makeError("upstream_protocol_error",
                                  Tr::tr("upstream %1 sent a malformed response: %2").arg(target.where, connection->parser.error()));
                closedCleanly = false;
            }
        }
        if (closedCleanly && connection->parser.atEndOfStream() == ResponseParser::Outcome::Complete) {
            responseComplete(connection);
            return;
        }
    }
    ExchangePtr exchange = std::move(connection->exchange);
    exchange->connection = nullptr;
    const bool retry = connection->established && connection->exchangeOnReused && !connection->parser.hasStarted()
        && exchange->idempotent && !exchange->retried && error.code == "upstream_reset"_L1;
    closeConnection(connection);
    if (retry) {
        exchange->retried = true;
        dispatch(exchange, false);
        serveWaiting(target);
        return;
    }
    serveWaiting(target);
    finish(exchange, std::move(error));
}

void UpstreamClient::finish(const ExchangePtr &exchange, Result<UpstreamResponse> result)
{
    if (!exchange->active)
        return;
    exchange->active = false;
    disarmDeadline(*exchange);
    const Done done = std::move(exchange->done);
    exchange->done = nullptr;
    if (done)
        done(std::move(result));
}

void UpstreamClient::cancel(const ExchangePtr &exchange)
{
    if (!exchange->active)
        return;
    exchange->active = false;
    exchange->done = nullptr;
    disarmDeadline(*exchange);
    Host *target = exchange->host;
    if (exchange->waiting && target) {
        auto &queue = target->waiting;
        queue.erase(std::remove_if(queue.begin(), queue.end(), [&exchange](const ExchangePtr &e) { return e == exchange; }),
                    queue.end());
        exchange->waiting = false;
    }
    if (Connection *connection = exchange->connection) {
        connection->exchange.reset();
        exchange->connection = nullptr;
        closeConnection(connection);
        serveWaiting(*target);
    }
}

void UpstreamClient::armDeadline(const ExchangePtr &exchange)
{
    if (exchange->timeoutMs <= 0)
        return;
    const qint64 deadline = now() + exchange->timeoutMs;
    exchange->deadline = m_deadlines.emplace(deadline, exchange);
    exchange->hasDeadline = true;
    if (exchange->deadline == m_deadlines.begin())
        m_deadlineTimer->start(int(std::min<qint64>(exchange->timeoutMs, std::numeric_limits<int>::max())));
}

void UpstreamClient::disarmDeadline(UpstreamExchange &exchange)
{
    // The timer stays armed for a deadline that went; deadlinesDue() re-arms it.
    if (!exchange.hasDeadline)
        return;
    exchange.hasDeadline = false;
    m_deadlines.erase(exchange.deadline);
}

void UpstreamClient::deadlinesDue()
{
    while (!m_deadlines.empty() && m_deadlines.begin()->first <= now()) {
        ExchangePtr exchange = m_deadlines.begin()->second;
        m_deadlines.erase(m_deadlines.begin());
        exchange->hasDeadline = false;
        const QString where = exchange->host ? exchange->host->where : QString();
        const QString phase = exchange->waiting ? Tr::tr("waiting for a free connection")
            : exchange->connection && !exchange->connection->established ? Tr::tr("connecting")
            : Tr::tr("waiting for the response");
        Error error = makeError("upstream_timeout", Tr::tr("upstream %1 timed out after %2 ms (%3)")
                                                        .arg(where).arg(exchange->timeoutMs).arg(phase));
        // Close its connection as cancel() does, then report.
        const Done done = std::move(exchange->done);
        exchange->done = nullptr;
        cancel(exchange);
        if (done)
            done(std::move(error));
    }
    if (!m_deadlines.empty())
        m_deadlineTimer->start(int(std::clamp<qint64>(m_deadlines.begin()->first - now(), 0, std::numeric_limits<int>::max())));
}

void UpstreamClient::sweepIdle()
{
    const qint64 cutoff = now() - m_options.idleTimeoutMs;
    for (const std::unique_ptr<Host> &target : m_hosts) {
        while (!target->idle.empty() && target->idle.front()->idleSince <= cutoff)
            closeConnection(target->idle.front());
    }
    if (m_idleCount == 0)
        m_idleTimer->stop();
}

} // namespace Conflux::Gateway
