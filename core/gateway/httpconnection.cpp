#include "httpconnection_p.h"

#include "socketstream_p.h"

#include <base/log.h>

#include <QJsonArray>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <limits>

namespace Conflux::Http::Internal {

namespace {

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
// Pipelined requests wait while this much of earlier responses is still unsent, so a client
// that sends but never reads cannot make the server buffer responses without bound.
constexpr qint64 kMaxPendingOutputBytes = 64 * 1024;

bool isSaneRequestId(QByteArrayView id)
{
    if (id.isEmpty() || id.size() > 128)
        return false;
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

QString requestIdFor(const HttpHeaders &headers)
{
    const QByteArray incoming = headers.value("x-request-id");
    // Several X-Request-Id fields are not sane either.
    if (headers.count("x-request-id") == 1 && isSaneRequestId(incoming))
        return QString::fromLatin1(incoming);
    return Conflux::Log::newRequestId();
}

// The connections of this thread with deferred response bytes, flushed together from the event
// loop once it has handled everything that was ready.
struct DeferredWrites
{
    std::vector<HttpConnection *> connections;
    bool posted = false;
    QObject context; // the posted flush runs in its (this thread's) event loop
};

DeferredWrites &deferredWrites()
{
    thread_local DeferredWrites writes;
    return writes;
}

void flushDeferredWrites()
{
    DeferredWrites &writes = deferredWrites();
    writes.posted = false;
    const std::vector<HttpConnection *> connections = std::exchange(writes.connections, {});
    for (HttpConnection *connection : connections)
        connection->flushDeferred();
}

} // namespace

HttpConnection::HttpConnection(SocketStream *socket, const HttpServerOptions &options, bool secure,
                               Dispatch dispatch, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_timer(new QTimer(this))
    , m_writeTimer(new QTimer(this))
    , m_options(options)
    , m_parser(options.limits)
    , m_dispatch(std::move(dispatch))
    , m_peerAddress(socket->peerAddress())
    , m_peerPort(socket->peerPort())
    , m_secure(secure)
{
    m_socket->setParent(this);
    m_timer->setSingleShot(true);
    m_writeTimer->setSingleShot(true);
    connect(m_socket, &SocketStream::readyRead, this, &HttpConnection::pump);
    connect(m_socket, &SocketStream::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &SocketStream::disconnected, this, &HttpConnection::onDisconnected);
    // A failed connection is as gone as a closed one.
    connect(m_socket, &SocketStream::errorOccurred, this, &HttpConnection::onDisconnected);
    connect(m_timer, &QTimer::timeout, this, &HttpConnection::onTimer);
    // A client that stops reading its response gets no more of our memory or time.
    connect(m_writeTimer, &QTimer::timeout, this, &HttpConnection::abort);
}

HttpConnection::~HttpConnection()
{
    if (!m_deferred.isEmpty()) {
        std::vector<HttpConnection *> &pending = deferredWrites().connections;
        pending.erase(std::remove(pending.begin(), pending.end(), this), pending.end());
    }
    if (m_responderState) {
        QMutexLocker lock(&m_responderState->mutex);
        m_responderState->connection = nullptr;
    }
    m_socket->disconnect(this);
    m_socket->abort();
}

void HttpConnection::start()
{
    // A fresh connection must send its first header section within the header timeout.
    enterPhase(Phase::Header);
    m_requestClock.start();
    if (!m_socket->isConnected()) {
        finish();
        return;
    }
    pump();
}

void HttpConnection::beginDrain()
{
    m_draining = true;
    // A response still owed closes the connection once it is written.
    if (m_phase == Phase::Closing || m_phase == Phase::Closed || m_busy > 0 || m_awaited)
        return;
    if (m_parser.isIdle())
        startClosing();
}

void HttpConnection::abort()
{
    if (m_phase == Phase::Closed)
        return;
    m_phase = Phase::Closed;
    m_timer->stop();
    m_writeTimer->stop();
    m_socket->abort();
    finish();
}

void HttpConnection::setDeadline(int ms)
{
    if (ms <= 0) {
        m_deadlineMs = 0; // the timer, if set, finds nothing due
        return;
    }
    const qint64 now = steadyMs();
    m_deadlineMs = now + ms;
    if (!m_timer->isActive() || m_timerDueMs > m_deadlineMs) {
        m_timer->start(ms);
        m_timerDueMs = m_deadlineMs;
    }
}

void HttpConnection::onTimer()
{
    if (m_deadlineMs == 0)
        return;
    const qint64 now = steadyMs();
    if (now < m_deadlineMs) {
        // The deadline moved on since the timer was set.
        m_timer->start(int(std::min<qint64>(m_deadlineMs - now, std::numeric_limits<int>::max())));
        m_timerDueMs = m_deadlineMs;
        return;
    }
    m_deadlineMs = 0;
    onTimeout();
}

void HttpConnection::enterPhase(Phase phase)
{
    m_phase = phase;
    int timeout = 0;
    switch (phase) {
    case Phase::Header:
        timeout = m_options.headerTimeoutMs;
        break;
    case Phase::Body:
        timeout = m_options.bodyTimeoutMs;
        break;
    case Phase::Idle:
        timeout = m_options.idleTimeoutMs;
        break;
    case Phase::Closing:
    case Phase::Closed:
        break;
    }
    setDeadline(timeout);
}

void HttpConnection::pump()
{
    if (m_phase == Phase::Closed)
        return;
    if (m_phase == Phase::Closing) {
        m_socket->readAll(); // lingering: what the client still sends is discarded
        return;
    }
    // A handler running a nested event loop: the outer pump() goes on when it returns. A
    // response still owed: complete() goes on (what arrives meanwhile waits in the buffer).
    if (m_busy > 0 || m_awaited)
        return;

    ++m_busy;
    while (m_phase != Phase::Closing && m_phase != Phase::Closed) {
        HttpRequestParser::State state = m_parser.state();
        if (state == HttpRequestParser::State::NeedMore) {
            if (m_socket->bytesAvailable() <= 0)
                break;
            if (m_parser.isIdle())
                m_requestClock.start();
            state = m_parser.feedOwned(m_socket->readAll());
            if (state == HttpRequestParser::State::NeedMore) {
                updateReadPhase();
                continue;
            }
        }
        if (state == HttpRequestParser::State::Error) {
            respondToParseError();
            break;
        }
        // Complete.
        if (m_socket->bytesToWrite() + m_deferred.size() > kMaxPendingOutputBytes)
            break; // onBytesWritten() or flushDeferred() resumes
        respond(m_parser.takeRequest());
        if (m_awaited || m_phase == Phase::Closing || m_phase == Phase::Closed)
            break;
        prepareNextRequest();
    }
    --m_busy;
    if (m_busy == 0 && m_closePending)
        finish();
}

void HttpConnection::prepareNextRequest()
{
    // A pipelined request may already be buffered, complete or in part.
    m_requestClock.start();
    m_continueSent = false;
    m_parser.parse();
    enterPhase(m_parser.isIdle() ? Phase::Idle : Phase::Header);
    if (m_parser.state() == HttpRequestParser::State::NeedMore)
        updateReadPhase();
}

void HttpConnection::updateReadPhase()
{
    if (m_parser.isHeaderComplete()) {
        // Each read of the body renews its deadline.
        enterPhase(Phase::Body);
        if (!m_continueSent && m_parser.expectsContinue()) {
            m_continueSent = true;
            send("HTTP/1.1 100 Continue\r\n\r\n");
        }
    } else if (!m_parser.isIdle() && m_phase != Phase::Header) {
        // The first bytes of a header section start its fixed deadline.
        enterPhase(Phase::Header);
    }
}

void HttpConnection::respond(HttpRequest request)
{
    setDeadline(0); // the handler's time is not the client's
    request.peerAddress = m_peerAddress;
    request.peerPort = m_peerPort;
    request.isSecure = m_secure;
    if (m_secure)
        request.peerCertificateChain = m_socket->peerCertificateChain();
    request.requestId = requestIdFor(request.headers);

    m_awaited = Awaited{request.method, request.path, request.requestId, request.keepAlive, request.isHttp11()};
    m_responderState = std::make_shared<HttpResponder::State>();
    m_responderState->connection = this;
    m_responderState->thread = thread();
    m_responderState->token = ++m_responseToken;
    const HttpResponder responder(m_responderState);
    m_inDispatch = true;
    {
        const Conflux::Log::RequestScope scope(request.requestId);
        m_dispatch(request, responder);
    }
    m_inDispatch = false;
}

void HttpConnection::completeUpgrade(quint64 token, HttpResponse response, HttpResponder::Takeover takeover)
{
    const std::optional<Awaited> taken = takeAwaited(token);
    if (!taken)
        return;
    const Awaited &awaited = *taken;
    if (m_phase == Phase::Closed || !m_socket->isConnected())
        return;
    HttpResponse::WireOptions wire;
    wire.upgrade = true;
    const qint64 bytes = writeResponse(response, wire, awaited.requestId);
    if (m_options.accessLog)
        logAccess(awaited.method, awaited.path, response.status(), bytes, awaited.requestId);
    // Hand the connection over; the stream is left unconnected for the rest of this
    // connection's life (finish(), the destructor).
    m_timer->stop();
    m_writeTimer->stop();
    QByteArray buffered = m_parser.takeBuffered();
    buffered += m_socket->readAll();
    QTcpSocket *socket = m_socket->release();
    if (socket && takeover)
        takeover(socket, std::move(buffered));
    else if (socket)
        socket->deleteLater();
    finish();
}

std::optional<HttpConnection::Awaited> HttpConnection::takeAwaited(quint64 token)
{
    if (!m_awaited || token != m_responseToken)
        return std::nullopt;
    std::optional<Awaited> awaited = std::exchange(m_awaited, std::nullopt);
    {
        QMutexLocker lock(&m_responderState->mutex);
        m_responderState->connection = nullptr;
    }
    m_responderState.reset();
    return awaited;
}

void HttpConnection::complete(quint64 token, HttpResponse response)
{
    const std::optional<Awaited> taken = takeAwaited(token);
    if (!taken)
        return;
    const Awaited &awaited = *taken;
    if (m_phase == Phase::Closed)
        return;
    const bool close = !awaited.keepAlive || m_draining || response.headers().hasToken("connection", "close");
    HttpResponse::WireOptions wire;
    wire.closeConnection = close;
    wire.explicitKeepAlive = !close && !awaited.http11;
    wire.headRequest = awaited.method == "HEAD";
    const qint64 bytes = writeResponse(response, wire, awaited.requestId, !close);
    if (m_options.accessLog)
        logAccess(awaited.method, awaited.path, response.status(), bytes, awaited.requestId);
    if (close) {
        startClosing();
        return;
    }
    if (m_inDispatch)
        return; // answered at once: pump() goes on
    prepareNextRequest();
    pump();
}

void HttpConnection::respondToParseError()
{
    const HttpParseError &error = m_parser.error();
    const HttpRequest &partial = m_parser.partialRequest();
    const QString requestId = requestIdFor(partial.headers);
    const QJsonArray details{QStringLiteral("at byte %1 of the request").arg(error.offset)};
    HttpResponse::WireOptions wire;
    wire.closeConnection = true;
    const qint64 bytes = writeResponse(
        HttpResponse::error(error.status, HttpResponse::standardErrorCode(error.status), error.reason,
                            details),
        wire, requestId);
    logAccess(partial.method, partial.path, error.status, bytes, requestId, error.reason);
    startClosing();
}

void HttpConnection::respondToTimeout()
{
    const HttpRequest &partial = m_parser.partialRequest();
    const QString requestId = requestIdFor(partial.headers);
    const int timeout = m_phase == Phase::Body ? m_options.bodyTimeoutMs : m_options.headerTimeoutMs;
    HttpResponse::WireOptions wire;
    wire.closeConnection = true;
    const qint64 bytes = writeResponse(
        HttpResponse::error(408, HttpResponse::standardErrorCode(408),
                            QStringLiteral("the request was not received within %1 ms").arg(timeout)),
        wire, requestId);
    logAccess(partial.method, partial.path, 408, bytes, requestId, QStringLiteral("request timeout"));
    startClosing();
}

qint64 HttpConnection::writeResponse(const HttpResponse &response, const HttpResponse::WireOptions &wire,
                                     const QString &requestId, bool defer)
{
    // Request ids are ASCII (sane ones from the client, or made here).
    char id[128];
    const qsizetype idLength = std::min<qsizetype>(requestId.size(), qsizetype(sizeof id));
    for (qsizetype i = 0; i < idLength; ++i)
        id[i] = char(requestId.at(i).unicode());
    HttpResponse::WireOptions options = wire;
    options.requestId = QByteArrayView(id, idLength);
    const QByteArray bytes = response.serialize(options);
    if (m_phase == Phase::Closed)
        return bytes.size();
    if (!defer) {
        send(bytes);
        return bytes.size();
    }
    if (m_deferred.isEmpty()) {
        DeferredWrites &writes = deferredWrites();
        writes.connections.push_back(this);
        if (!std::exchange(writes.posted, true))
            QMetaObject::invokeMethod(&writes.context, &flushDeferredWrites, Qt::QueuedConnection);
        m_deferred = bytes;
    } else {
        m_deferred += bytes;
    }
    return bytes.size();
}

void HttpConnection::send(QByteArrayView bytes)
{
    flushDeferred(); // in order
    m_socket->write(bytes);
    // What the kernel did not take must go within the idle timeout.
    if (m_options.idleTimeoutMs > 0 && m_socket->bytesToWrite() > 0)
        m_writeTimer->start(m_options.idleTimeoutMs);
}

void HttpConnection::flushDeferred()
{
    if (m_deferred.isEmpty())
        return;
    std::vector<HttpConnection *> &pending = deferredWrites().connections;
    if (const auto it = std::find(pending.begin(), pending.end(), this); it != pending.end())
        pending.erase(it);
    const QByteArray bytes = std::exchange(m_deferred, QByteArray());
    if (m_phase == Phase::Closed)
        return;
    send(bytes);
    // Pipelined requests may have waited for this output.
    if (m_phase != Phase::Closing && m_socket->bytesToWrite() <= kMaxPendingOutputBytes
        && m_parser.state() == HttpRequestParser::State::Complete)
        pump();
}

void HttpConnection::logAccess(const QByteArray &method, const QString &path, int status, qint64 bytes,
                               const QString &requestId, const QString &rejection) const
{
    QJsonObject fields;
    if (!rejection.isEmpty())
        fields.insert(QStringLiteral("error"), rejection);
    fields.insert(QStringLiteral("method"), QString::fromLatin1(method));
    fields.insert(QStringLiteral("path"), path);
    fields.insert(QStringLiteral("status"), status);
    fields.insert(QStringLiteral("duration_ms"), double(m_requestClock.nsecsElapsed() / 1000) / 1000.0);
    fields.insert(QStringLiteral("bytes"), bytes);
    fields.insert(QStringLiteral("peer"), m_peerAddress.toString());
    fields.insert(QStringLiteral("request_id"), requestId);
    Conflux::Log::write(QtInfoMsg, "conflux.http.access",
                        QStringLiteral("%1 %2 %3")
                            .arg(method.isEmpty() ? QStringLiteral("-") : QString::fromLatin1(method),
                                 path.isEmpty() ? QStringLiteral("-") : path)
                            .arg(status),
                        fields);
}

void HttpConnection::onTimeout()
{
    switch (m_phase) {
    case Phase::Header:
        if (m_parser.isIdle()) {
            startClosing(); // nothing was asked: nothing to answer
            return;
        }
        respondToTimeout();
        return;
    case Phase::Body:
        respondToTimeout();
        return;
    case Phase::Idle:
        startClosing();
        return;
    case Phase::Closing:
        abort(); // the lingering time is over
        return;
    case Phase::Closed:
        return;
    }
}

void HttpConnection::onBytesWritten()
{
    if (m_socket->bytesToWrite() > 0) {
        if (m_options.idleTimeoutMs > 0)
            m_writeTimer->start(m_options.idleTimeoutMs); // progress
    } else {
        m_writeTimer->stop();
    }
    if (m_phase == Phase::Closing) {
        // TLS connections were handed to disconnectFromHost(), which flushes by itself.
        if (!m_secure && !m_halfClosed && m_socket->bytesToWrite() == 0)
            finishFlush();
    } else if (m_socket->bytesToWrite() <= kMaxPendingOutputBytes
               && m_parser.state() == HttpRequestParser::State::Complete) {
        pump(); // pipelined requests waited for the output to drain
    }
}

void HttpConnection::onDisconnected()
{
    if (m_phase == Phase::Closed)
        return;
    m_phase = Phase::Closed;
    m_timer->stop();
    m_writeTimer->stop();
    finish();
}

void HttpConnection::startClosing()
{
    if (m_phase == Phase::Closing || m_phase == Phase::Closed)
        return;
    flushDeferred();
    m_phase = Phase::Closing;
    setDeadline(0);
    m_socket->readAll();
    if (m_secure) {
        // QSslSocket sends close_notify once its buffers are written, then closes.
        m_socket->disconnectFromHost();
        if (m_phase != Phase::Closed && m_options.lingerTimeoutMs > 0)
            setDeadline(m_options.lingerTimeoutMs);
        return;
    }
    if (m_socket->bytesToWrite() == 0)
        finishFlush();
}

void HttpConnection::finishFlush()
{
    // Half-close and keep reading, so that data the client sent after what we answered does
    // not turn our FIN into a reset that destroys the response before the client reads it.
    if (m_options.lingerTimeoutMs > 0 && m_socket->isConnected() && m_socket->shutdownWrite()) {
        m_halfClosed = true;
        m_socket->readAll();
        setDeadline(m_options.lingerTimeoutMs);
        return;
    }
    m_socket->disconnectFromHost();
    if (m_phase != Phase::Closed) {
        if (m_options.lingerTimeoutMs > 0)
            setDeadline(m_options.lingerTimeoutMs);
        else
            abort();
    }
}

void HttpConnection::finish()
{
    if (m_closedEmitted)
        return;
    if (m_responderState) {
        // Whatever the handler still owes, nobody waits for it any more.
        QMutexLocker lock(&m_responderState->mutex);
        m_responderState->connection = nullptr;
    }
    if (m_busy > 0) {
        m_closePending = true; // the handler on our stack still uses this connection
        return;
    }
    m_phase = Phase::Closed;
    m_timer->stop();
    m_writeTimer->stop();
    if (m_socket->state() != SocketStream::State::Unconnected)
        m_socket->abort();
    m_closedEmitted = true;
    Q_EMIT closed(this);
}

} // namespace Conflux::Http::Internal

namespace Conflux::Http {

void HttpResponder::send(HttpResponse response) const
{
    if (!m_state || m_state->sent.exchange(true))
        return;
    QMutexLocker lock(&m_state->mutex);
    Internal::HttpConnection *connection = m_state->connection;
    if (!connection)
        return;
    const quint64 token = m_state->token;
    if (QThread::currentThread() == m_state->thread) {
        lock.unlock(); // the connection lives on this thread: it cannot go away under us
        connection->complete(token, std::move(response));
        return;
    }
    // Posted while the lock keeps the connection alive; Qt drops the event if the
    // connection is deleted before it runs, and complete() checks the token.
    QMetaObject::invokeMethod(
        connection, [connection, token, response = std::move(response)]() mutable {
            connection->complete(token, std::move(response));
        },
        Qt::QueuedConnection);
}

void HttpResponder::upgrade(HttpResponse response, Takeover takeover) const
{
    if (!m_state || m_state->sent.exchange(true))
        return;
    QMutexLocker lock(&m_state->mutex);
    Internal::HttpConnection *connection = m_state->connection;
    if (!connection)
        return;
    const quint64 token = m_state->token;
    if (QThread::currentThread() == m_state->thread) {
        lock.unlock();
        connection->completeUpgrade(token, std::move(response), std::move(takeover));
        return;
    }
    QMetaObject::invokeMethod(
        connection,
        [connection, token, response = std::move(response), takeover = std::move(takeover)]() mutable {
            connection->completeUpgrade(token, std::move(response), std::move(takeover));
        },
        Qt::QueuedConnection);
}

bool HttpResponder::isConnected() const
{
    if (!m_state)
        return false;
    QMutexLocker lock(&m_state->mutex);
    return m_state->connection != nullptr;
}

} // namespace Conflux::Http
