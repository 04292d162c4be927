#pragma once

// One HTTP connection of an HttpServer: reads, parses, dispatches and writes, with the
// timeouts and the lingering close. Private to the gateway module.

#include "httprequestparser.h"
#include "httpresponse.h"
#include "httpserver.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QObject>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

class QTimer;

namespace Conflux::Http::Internal {
class HttpConnection;
class SocketStream;
} // namespace Conflux::Http::Internal

namespace Conflux::Http {

// Shared by the copies of one responder and its connection, which clears `connection`
// (under the mutex) when it stops waiting or is destroyed.
struct HttpResponder::State
{
    QMutex mutex;
    Internal::HttpConnection *connection = nullptr;
    QThread *thread = nullptr;
    quint64 token = 0;
    std::atomic<bool> sent{false};
};

} // namespace Conflux::Http

namespace Conflux::Http::Internal {

class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    // Answers the request through the responder, at once or later.
    using Dispatch = std::function<void(const HttpRequest &, HttpResponder)>;

    // Takes ownership of `stream` (which must be connected; encrypted when `secure`).
    HttpConnection(SocketStream *stream, const HttpServerOptions &options, bool secure, Dispatch dispatch,
                   QObject *parent);
    ~HttpConnection() override;

    // Starts serving (reads what is already buffered).
    void start();
    // Closes at once when idle; otherwise after the response to the request in progress.
    void beginDrain();
    // Closes at once, losing what is in flight.
    void abort();
    // The handler's answer to the request `token` (ignored when stale or closed). Called by
    // HttpResponder on this connection's thread.
    void complete(quint64 token, HttpResponse response);
    // The handler's 101 answer: written, then the socket goes to `takeover` and this
    // connection closes without touching it.
    void completeUpgrade(quint64 token, HttpResponse response, HttpResponder::Takeover takeover);

Q_SIGNALS:
    // Emitted once, when the socket is closed and no handler is running on this connection;
    // the owner may delete the connection then (with deleteLater()).
    void closed(Conflux::Http::Internal::HttpConnection *connection);

private:
    enum class Phase {
        Header,  // waiting for (the rest of) a header section: fixed deadline
        Body,    // reading a body: deadline per read
        Idle,    // between requests
        Closing, // last response queued: flushing, then lingering
        Closed,
    };

    void pump();
    bool readInto();
    void respond(HttpRequest request);
    // After a response on a connection that stays open: the next request, maybe buffered.
    void prepareNextRequest();
    void respondToParseError();
    void respondToTimeout();
    // Queues the response; returns its size on the wire. Does not close. With `defer`, the
    // bytes wait for flushDeferred(), which runs once the event loop has handled everything
    // that was ready: responses then reach their clients in one burst per pass, and the
    // processes waiting for them wake once for many instead of once for each.
    qint64 writeResponse(const HttpResponse &response, const HttpResponse::WireOptions &wire,
                         const QString &requestId, bool defer = false);
    void send(QByteArrayView bytes);
public:
    // Writes what writeResponse() deferred. Called from the event loop (and before any other
    // write on this connection).
    void flushDeferred();
private:
    void enterPhase(Phase phase);
    // The phase deadline, `ms` from now (<= 0: none). The timer is moved only when the new
    // deadline is earlier than the one it is set for: a request answered at once sets and
    // clears deadlines without touching the event loop's timers.
    void setDeadline(int ms);
    void onTimer();
    void updateReadPhase();
    void onTimeout();
    void onBytesWritten();
    void onDisconnected();
    void startClosing();
    void finishFlush();
    void finish();
    // One access-log record; `rejection` is the reason when the request was refused unparsed.
    void logAccess(const QByteArray &method, const QString &path, int status, qint64 bytes,
                   const QString &requestId, const QString &rejection = {}) const;

    SocketStream *m_socket = nullptr; // owned (child)
    QTimer *m_timer = nullptr;        // phase deadline (child)
    qint64 m_deadlineMs = 0;          // of the phase, on steadyMs(); 0: none
    qint64 m_timerDueMs = 0;          // when m_timer fires, if active
    QTimer *m_writeTimer = nullptr; // response progress (child)
    HttpServerOptions m_options;
    HttpRequestParser m_parser;
    Dispatch m_dispatch;
    QElapsedTimer m_requestClock;
    QHostAddress m_peerAddress; // kept: the stream forgets it on disconnect
    quint16 m_peerPort = 0;
    Phase m_phase = Phase::Header;
    bool m_secure = false;
    bool m_draining = false;
    bool m_continueSent = false;
    bool m_requestStarted = false;
    bool m_halfClosed = false;
    int m_busy = 0;            // nesting depth of pump() (a handler may run an event loop)
    bool m_closedEmitted = false;
    bool m_closePending = false; // finish() was needed while busy

    // The request whose response the handler still owes.
    struct Awaited
    {
        QByteArray method;
        QString path;
        QString requestId;
        bool keepAlive = true;
        bool http11 = true;
    };
    std::optional<Awaited> m_awaited;
    // The awaited request if `token` is its answer's (and the responder is let go), else nothing.
    std::optional<Awaited> takeAwaited(quint64 token);
    quint64 m_responseToken = 0;
    bool m_inDispatch = false;    // the handler is running on our stack
    std::shared_ptr<HttpResponder::State> m_responderState; // of the awaited request
    QByteArray m_deferred; // response bytes waiting for flushDeferred()
};

} // namespace Conflux::Http::Internal
