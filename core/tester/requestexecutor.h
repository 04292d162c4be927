#pragma once

#include "base/result.h"
#include "tester/prepare.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace Conflux::Tester {

struct ExecuteOptions
{
    int timeoutMs = 30'000;           // the whole exchange (a token request has its own)
    int maxRedirects = 10;            // when the request follows redirects
    bool insecure = false;            // do not verify the server's certificate (self-signed test servers)
    QSslConfiguration tls;            // CA certificates, client certificate; null: the system's
    qint64 maxResponseBytes = 64 * 1024 * 1024;
};

struct Response
{
    int status = 0;
    QByteArray reason;
    Headers headers;
    QByteArray body;
    QUrl url;                         // after redirects
    qint64 elapsedMs = 0;             // from sending to the last byte (a token fetch not included)
    qint64 size = 0;                  // bytes of the body and the header lines

    QByteArray header(QByteArrayView name) const;   // the first of that name, case-insensitive
    QList<QByteArray> headerValues(QByteArrayView name) const;
};

class RequestExecutor;

// One request in flight. It emits finished() exactly once — with a response, or with an
// error: "connection_failed", "tls_error", "timeout", "cancelled", "response_too_large",
// "authentication_failed" (the OAuth2 token endpoint refused) — always from the event loop,
// never inside RequestExecutor::send() or cancel(). Non-2xx answers are responses.
// The call is a child of its executor; delete it (deleteLater) when done with it.
class RequestCall final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestCall)

public:
    ~RequestCall() override;

    // Stops the exchange; finished() follows with "cancelled" unless it already came.
    void cancel();
    bool isFinished() const { return m_finished; }
    // Valid once finished.
    const Result<Response> &result() const { return m_result; }
    const PreparedRequest &request() const { return m_request; }

Q_SIGNALS:
    void finished();

private:
    friend class RequestExecutor;
    RequestCall(RequestExecutor *executor, PreparedRequest request, ExecuteOptions options);

    void start();
    void fetchToken(bool forceRefresh);
    void onTokenReply();
    void sendRequest();
    void onReply();
    void fail(Error error);
    void finish();

    RequestExecutor *m_executor;
    PreparedRequest m_request;
    ExecuteOptions m_options;
    QPointer<QNetworkReply> m_reply;
    QTimer *m_timer = nullptr;
    QElapsedTimer m_clock;
    Result<Response> m_result = Error{};
    bool m_finished = false;
    bool m_timedOut = false;
    bool m_tooLarge = false;
    bool m_cancelled = false;
    bool m_tokenFromCache = false;
    bool m_retriedAfter401 = false;
    QString m_tokenKey;
};

// Sends prepared requests asynchronously with a QNetworkAccessManager: a deadline for the
// whole exchange, the request's redirect policy (never from https to http), TLS settings, a
// bound on the response size. OAuth2 client-credentials tokens are fetched from the token
// endpoint (client authentication: HTTP Basic, as RFC 6749 §2.3.1 prefers), cached per token
// URL, client, scopes, audience and secret until a minute before they expire, registered with
// the log redactor, and fetched again once when the server answers 401 to a cached token.
//
// Threading: an executor and its calls live on the thread that created them, which must run
// an event loop; nothing blocks it.
class RequestExecutor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestExecutor)

public:
    explicit RequestExecutor(QObject *parent = nullptr);
    ~RequestExecutor() override;

    RequestCall *send(const PreparedRequest &request, const ExecuteOptions &options = {});

    // Forgets cached OAuth2 tokens (tests, or a user who changed credentials).
    static void clearTokenCache();

private:
    friend class RequestCall;
    QNetworkAccessManager *m_network;
};

} // namespace Conflux::Tester
