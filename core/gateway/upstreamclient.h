#pragma once

#include "httpheaders.h"

#include <base/result.h>

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QSslConfiguration>
#include <QString>
#include <QUrl>

#include <deque>
#include <functional>
#include <map>
#include <vector>
#include <memory>

class QTimer;

namespace Conflux::Gateway {

namespace Internal {
struct UpstreamConnection;
struct UpstreamExchange;
struct UpstreamHost;
} // namespace Internal

// One request to an upstream server.
struct UpstreamRequest
{
    // http or https. The path and query are sent as url.path(QUrl::FullyEncoded) and
    // url.query(QUrl::FullyEncoded); the fragment and any user info are not sent.
    QUrl url;
    QByteArray method;
    // Sent as given, in order, except Content-Length and Transfer-Encoding (the client frames
    // the body itself with Content-Length) and fields that are not well-formed (a name that is
    // not a token, a value with CR, LF, NUL or other control characters), which are dropped.
    // The client adds Host (unless given) and Content-Length, nothing else: no
    // `Connection: close` unless it is among these headers.
    Http::HttpHeaders headers;
    QByteArray body;
    // For the whole exchange: waiting for a connection, connecting, sending and receiving the
    // complete response. Milliseconds; <= 0 means no timeout.
    qint64 timeoutMs = 30000;
};

// The final (non-1xx) response to an UpstreamRequest.
struct UpstreamResponse
{
    int status = 0;
    QByteArray reason;
    QByteArray version;         // "HTTP/1.1" or "HTTP/1.0"
    Http::HttpHeaders headers;  // as received, hop-by-hop fields included (the proxy filters)
    QByteArray body;            // complete and de-chunked; chunk trailers are discarded
};

struct UpstreamClientOptions
{
    int maxIdlePerHost = 1024;         // idle keep-alive connections kept per scheme+host+port (as
                                       // many as may be open: a burst does not close and reopen)
    int maxConnectionsPerHost = 1024;  // open connections per scheme+host+port; more requests wait
    qint64 idleTimeoutMs = 60000;      // an idle connection is closed after this long
    qint64 maxResponseBytes = 64 * 1024 * 1024; // the largest response body accepted
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration(); // for https (verifies the peer)
};

// An HTTP/1.1 client for the gateway's upstream calls, with its own keep-alive connection pool
// keyed by scheme, host and port (idle connections are reused last-in first-out).
//
// Threading: lives on the thread that created it, and so do its sockets; send(), cancel() and
// the destructor must be called on that thread, and `done` is called there. Not thread-safe:
// one client per event-loop thread.
//
// Errors, each with a message naming host:port and what happened:
//   "upstream_connect_failed"  connection refused, host not found, TLS handshake failed
//   "upstream_timeout"         no complete response within the request's timeoutMs
//   "upstream_reset"           the connection was closed or reset before the response was complete
//   "upstream_protocol_error"  a malformed response (status line, header fields, chunk sizes,
//                              both Content-Length and Transfer-Encoding), a header section over
//                              64 KiB, a body over maxResponseBytes, or an invalid request
//                              (URL, method) refused before anything was sent
//
// A request with an idempotent method (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) that was sent on
// a reused connection which the server closed before any byte of the response arrived is
// retried once on a new connection: the server may have closed that idle connection just as
// the request went out.
class UpstreamClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamClient)

public:
    using Options = UpstreamClientOptions;
    // Called exactly once per send() (unless cancelled), on the client's thread, never from
    // inside send(). It may call send() again; it must not destroy the client (use
    // deleteLater()).
    using Done = std::function<void(Result<UpstreamResponse>)>;

    // Refers to one exchange. Copyable; outliving the exchange or the client is harmless.
    class Handle
    {
    public:
        Handle() = default;
        // Aborts the exchange if it is still running: its connection is closed and `done` is
        // not called. Call on the client's thread.
        void cancel();
        // True until `done` was called or the exchange was cancelled.
        bool isActive() const;

    private:
        friend class UpstreamClient;
        explicit Handle(std::weak_ptr<Internal::UpstreamExchange> exchange) : m_exchange(std::move(exchange)) {}
        std::weak_ptr<Internal::UpstreamExchange> m_exchange;
    };

    explicit UpstreamClient(Options options = {}, QObject *parent = nullptr);
    // Closes every connection. Exchanges still running end without calling `done`.
    ~UpstreamClient() override;

    const Options &options() const { return m_options; }

    // Starts the exchange.
    Handle send(UpstreamRequest request, Done done);

    // Keep-alive connections waiting for a request, and every open connection (idle,
    // connecting or busy), over all hosts.
    int idleConnections() const;
    int openConnections() const;

private:
    using ExchangePtr = std::shared_ptr<Internal::UpstreamExchange>;
    using Connection = Internal::UpstreamConnection;
    using Host = Internal::UpstreamHost;

    Host &host(const QUrl &url);
    void dispatch(const ExchangePtr &exchange, bool allowIdle);
    void attach(const ExchangePtr &exchange, Connection *connection);
    Connection *openConnection(Host &host);
    void closeConnection(Connection *connection);
    void makeIdle(Connection *connection);
    void serveWaiting(Host &host);
    // Sends the requests attached in this pass of the event loop.
    void flushPending();

    void connected(Connection *connection);
    void readyRead(Connection *connection);
    void disconnected(Connection *connection);
    void socketError(Connection *connection);
    void parse(Connection *connection);
    void responseComplete(Connection *connection);
    void connectionFailed(Connection *connection, Error error, bool closedCleanly);

    void finish(const ExchangePtr &exchange, Result<UpstreamResponse> result);
    void cancel(const ExchangePtr &exchange);
    void armDeadline(const ExchangePtr &exchange);
    void disarmDeadline(Internal::UpstreamExchange &exchange);
    void deadlinesDue();
    void sweepIdle();
    qint64 now() const { return m_clock.elapsed(); }

    Options m_options;
    QElapsedTimer m_clock;
    std::vector<std::unique_ptr<Host>> m_hosts; // few: searched in order
    // The request target (path and query, encoded) of the last URL sent: most requests repeat it.
    QUrl m_lastUrl;
    QByteArray m_lastTarget;
    // Exchanges by deadline: one timer, armed for the earliest.
    std::multimap<qint64, ExchangePtr> m_deadlines;
    QTimer *m_deadlineTimer = nullptr;
    QTimer *m_idleTimer = nullptr;
    // Requests are written together once the event loop has handled everything that was
    // ready, not one by one as they are attached: the upstream then wakes once for a batch
    // instead of once per request, and neither side is switched out as often.
    std::vector<Connection *> m_pending;
    bool m_flushPosted = false;
    int m_idleCount = 0;
    int m_openCount = 0;
};

} // namespace Conflux::Gateway
