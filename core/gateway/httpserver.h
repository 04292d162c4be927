#pragma once

#include "httprequest.h"
#include "httprequestparser.h"
#include "httpresponse.h"

#include <base/result.h>

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QSslConfiguration>

#include <functional>
#include <memory>
#include <optional>

class QTcpServer;
class QTcpSocket;
class QTimer;

namespace Conflux::Http {

namespace Internal {
class HttpConnection;
class SocketStream;
} // namespace Internal

// Answers one request of an asynchronous handler, later and from any thread. Copyable; the
// first send() counts, later ones are ignored. When the client is gone (or the server
// aborted the connection) send() does nothing and isConnected() says false, so that the
// handler can stop work nobody waits for.
class HttpResponder
{
public:
    // Takes over the client's connection after a 101 Switching Protocols: receives the socket
    // (now without a parent: the receiver owns it) and the bytes the client sent after the
    // request, on the connection's thread.
    using Takeover = std::function<void(QTcpSocket *socket, QByteArray buffered)>;

    HttpResponder() = default;
    void send(HttpResponse response) const;
    // Answers with `response` (status 101; "Connection: Upgrade" is added) and hands the
    // connection to `takeover`; the server forgets it. Like send(), only the first answer counts.
    void upgrade(HttpResponse response, Takeover takeover) const;
    bool isConnected() const;

private:
    friend class Internal::HttpConnection;
    struct State;
    explicit HttpResponder(std::shared_ptr<State> state) : m_state(std::move(state)) {}
    std::shared_ptr<State> m_state;
};

// Tunables of an HttpServer. Times are in milliseconds; a value <= 0 disables that timeout.
struct HttpServerOptions
{
    HttpLimits limits;
    // From a connection's accept, or from the first byte of a request, until its header
    // section is complete (a fixed deadline: slowloris clients are cut off) → 408 and close.
    int headerTimeoutMs = 10'000;
    // Longest pause between two reads of a request body → 408 and close.
    int bodyTimeoutMs = 60'000;
    // How long a keep-alive connection may wait for its next request, and how long a response
    // may make no progress towards the client → closed silently.
    int idleTimeoutMs = 60'000;
    // After the last response of a connection, how long to keep reading (and discarding) what
    // the client still sends before closing, so that it receives that response rather than a
    // reset (a "lingering close", as nginx does).
    int lingerTimeoutMs = 2'000;
    // Connections beyond this many are closed as soon as they are accepted.
    int maxConnections = 1024;
    // Listen with SO_REUSEPORT, so that several servers (one per thread) can share one address
    // and port and the kernel spreads new connections among them (Linux).
    bool reusePort = false;
    // Log one access record per answered request. Requests refused before a handler saw them
    // (parse errors, limits, timeouts) are logged either way.
    bool accessLog = true;
};

// A strict HTTP/1.1 server (HTTP/1.0 accepted) over TCP or TLS.
//
// Threading: lives in the thread that created it and calls the handler on that thread,
// synchronously; the handler may run a nested event loop. Not thread-safe.
//
// Requests are parsed by HttpRequestParser with options().limits; a request that fails to
// parse is answered with its status, `Connection: close` and the project's error shape, and
// the connection is closed: there is never a second response on it. Keep-alive and pipelining
// are supported; responses go out in request order. "Expect: 100-continue" gets an interim
// 100 only when the announced body is acceptable by size.
//
// Every request gets a request id: the client's X-Request-Id when it is 1..128 characters of
// [A-Za-z0-9._-], otherwise Conflux::Log::newRequestId(). It is set in HttpRequest::requestId,
// echoed as X-Request-Id, and installed as Conflux::Log::RequestScope while the handler runs.
// One access-log record per request goes to Conflux::Log::write (category
// "conflux.http.access": method, path, status, duration_ms, bytes, peer, request_id; never
// header values or the query).
//
// A handler that throws produces a 500 with a generic message (the exception text goes to the
// log only). Do not destroy the server from inside its handler (use deleteLater()).
class HttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    using Handler = std::function<HttpResponse(const HttpRequest &)>;
    // Answers through the responder, now or later (a proxy waiting for its upstream). The
    // connection reads no further request until then, so pipelined responses keep their order.
    using AsyncHandler = std::function<void(const HttpRequest &, HttpResponder)>;

    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override; // aborts all connections

    // Applies to connections accepted afterwards.
    void setOptions(const HttpServerOptions &options);
    const HttpServerOptions &options() const { return m_options; }

    // Without a handler every request gets 404. The last of setHandler() and
    // setAsyncHandler() applies.
    void setHandler(Handler handler);
    void setAsyncHandler(AsyncHandler handler);

    // Serve TLS with this configuration (it needs a local certificate and private key). Call
    // before listen(); it has no effect on a server that is already listening.
    void setTlsConfiguration(const QSslConfiguration &configuration);
    bool isSecure() const { return m_tls.has_value(); }

    // A server-side TLS configuration (TLS 1.2 or later, no client certificates) from PEM
    // files: the certificate file may hold the chain after the leaf certificate; the key may
    // be RSA, EC or DSA, encrypted with `passPhrase` or not. Errors name the file at fault
    // (code "tls_certificate_invalid" or "tls_key_invalid").
    static Result<QSslConfiguration> loadTlsConfiguration(const QString &certificateFile,
                                                          const QString &privateKeyFile,
                                                          const QByteArray &passPhrase = {});

    // Starts accepting connections. Port 0 picks a free port (see serverPort()). Fails with
    // code "listen_failed" naming the address and the reason, or "already_listening".
    Result<void> listen(const QHostAddress &address, quint16 port);
    bool isListening() const;
    quint16 serverPort() const;
    QHostAddress serverAddress() const;

    // Open connections (accepted and not yet closed).
    int connectionCount() const { return int(m_connections.size()); }

    // Stops accepting new connections; open ones are served as before.
    void close();

    // Graceful stop (for SIGTERM): stops accepting, closes idle keep-alive connections at once,
    // lets every connection with a request in progress finish it (its response carries
    // `Connection: close`), then emits drained(). Connections still open after `timeoutMs` are
    // aborted and drained() follows. drained() is emitted once, from the event loop, even when
    // nothing was open.
    void drain(int timeoutMs);
    bool isDraining() const { return m_draining; }

Q_SIGNALS:
    void drained();

private:
    // TLS connections, handshake done (QSslServer).
    void acceptPending();
    // Takes the stream: serves it, or closes it when draining or full.
    void accept(Internal::SocketStream *stream, bool secure);
    void connectionClosed(Internal::HttpConnection *connection);
    void maybeFinishDrain();
    HttpResponse dispatch(const HttpRequest &request);
    void dispatchAsync(const HttpRequest &request, HttpResponder responder);

    HttpServerOptions m_options;
    std::shared_ptr<const Handler> m_handler;
    std::shared_ptr<const AsyncHandler> m_asyncHandler;
    std::optional<QSslConfiguration> m_tls;
    QTcpServer *m_server = nullptr; // owned (child)
    QSet<Internal::HttpConnection *> m_connections; // owned (children)
    QTimer *m_drainTimer = nullptr;
    bool m_draining = false;
    bool m_drainedEmitted = false;
    QElapsedTimer m_refusalLogClock;
    int m_refusedSinceLog = 0;
};

} // namespace Conflux::Http
