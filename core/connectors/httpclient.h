#pragma once

#include "base/circuitbreaker.h"
#include "base/result.h"
#include "connectors/connector.h"
#include "connectors/endpoint.h"

#include <QByteArray>
#include <QList>
#include <QSslConfiguration>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

// The HTTP client of the HTTP-based connectors (REST, SOAP, OData, GraphQL, the catalog, SAP):
// blocking calls from a connector's thread, carried out by a QNetworkAccessManager on one
// process-wide network thread, with what every remote call needs:
//
//   - a deadline per attempt (the whole exchange, not only inactivity);
//   - retries with exponential backoff and full jitter for transport failures and for 408,
//     425, 429, 500, 502, 503 and 504, honouring Retry-After (seconds or an HTTP date);
//     requests that are not idempotent (POST, PATCH) are retried only when the server cannot
//     have acted on them: the connection was refused, or it answered 429 or 503;
//   - a circuit breaker per endpoint, shared by every client of that endpoint in the process;
//     transport failures and 5xx answers count as failures;
//   - connection reuse (keep-alive, HTTP/2 over TLS) inside one client, and its own cookies
//     (SAP Gateway's CSRF token belongs to the session cookie it came with);
//   - redirects followed only to the same host (or hosts the endpoint allows), never from
//     https to http; a bound on the response size; authentication (Basic, Bearer, API key in a
//     header or the query, OAuth2 client credentials with a token cache shared per token URL,
//     client and scopes, refreshed before it expires and once after a 401);
//   - metrics: connector_requests_total{endpoint,method,status},
//     connector_request_duration_seconds{endpoint}, connector_retries_total{endpoint},
//     connector_circuit_breaker_state{endpoint} (0 closed, 1 half-open, 2 open).
//
// Non-2xx answers are responses, not errors (the caller knows what they mean); errors are
// failures to get an answer: "connection_failed", "timeout", "cancelled", "circuit_open",
// "redirect_refused", "response_too_large", "tls_error", "authentication_failed" (the token
// endpoint refused), "secret_not_found"/"secret_unavailable". Messages name the method and
// the URL without its query (which may hold an API key), never a credential.
//
// Threading: one HttpClient is used by one thread at a time (like its connector); it must
// not be used from the network thread itself.

namespace Conflux::Connectors {

using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

struct HttpResponse;

struct HttpRequest
{
    QByteArray method = "GET";
    QUrl url;
    HttpHeaders headers;
    QByteArray body;
    // Retry after failures as for an idempotent method; unset: by the method.
    std::optional<bool> idempotent;
    // Apply the endpoint's authentication (off for the token request itself and pre-signed URLs).
    bool authenticate = true;
    // Whether an answer means the server failed (it counts against the circuit breaker and a
    // retryable status is retried); unset: every 5xx. SOAP services answer application faults
    // (an unknown customer, a wrong WHERE clause) with 500: those are not the server failing.
    std::function<bool(const HttpResponse &)> isServerFailure;

    // Sets a header, replacing any of that name (case-insensitive).
    void setHeader(const QByteArray &name, const QByteArray &value);
};

struct HttpResponse
{
    int status = 0;
    QByteArray reason;
    HttpHeaders headers;
    QByteArray body;
    QUrl url;                 // after redirects
    qint64 elapsedMs = 0;     // of the last attempt
    int attempts = 1;

    // The first value of a header (case-insensitive), or an empty array.
    QByteArray header(QByteArrayView name) const;
    QList<QByteArray> headerValues(QByteArrayView name) const;
    bool isSuccess() const { return status >= 200 && status < 300; }
    // "HTTP 404 Not Found" plus up to 300 characters of the body's text (its error message).
    QString describe() const;
};

struct HttpClientOptions
{
    QString endpointId;              // metrics label and circuit breaker
    int timeoutMs = 30'000;          // each attempt
    int retryAttempts = 3;           // after the first attempt
    int backoffBaseMs = 250;         // attempt n waits a random time in [0, min(max, base·2^n)]
    int backoffMaxMs = 10'000;
    int maxRetryAfterMs = 120'000;   // a longer Retry-After ends the retries at once
    qint64 maxResponseBytes = 256 * 1024 * 1024;
    int maxRedirects = 5;
    QStringList redirectHosts;       // other hosts redirects may lead to ("*.example.com")
    CircuitBreakerSettings breaker;
    QByteArray userAgent = "Conflux";
    // Header name → secret name (EndpointSpec::secretHeaders): resolved at each send(), after
    // the default headers and before the request's own.
    QList<std::pair<QByteArray, QString>> secretHeaders;
    // TLS: CA certificates to trust beyond the system's, and a client certificate with its
    // key (mutual TLS, SAP's X.509 logon). Null: the system defaults.
    QSslConfiguration tls;

    // The TLS configuration for a client certificate and key from PEM files (the key RSA or
    // EC, encrypted with `passPhrase` or not) and, optionally, CA certificates to trust.
    // Errors "tls_certificate_invalid" / "tls_key_invalid" name the file.
    static Result<QSslConfiguration> clientCertificate(const QString &certificateFile, const QString &keyFile,
                                                       const QByteArray &passPhrase = {},
                                                       const QString &caFile = {});

    // From an endpoint: timeout_seconds, retry_attempts, and configuration
    // "max_response_bytes", "redirect_hosts", "circuit_breaker" {failure_threshold,
    // success_threshold, timeout_seconds, half_open_max_calls, metrics_window_seconds}.
    // Problems are "invalid_endpoint" details ("/configuration/redirect_hosts: ...").
    static Result<HttpClientOptions> fromEndpoint(const EndpointSpec &endpoint);
    // The same and configuration "tls" (tlsFromEndpoint below) in `tls`; the problems of both
    // are the details of one "invalid_endpoint".
    static Result<HttpClientOptions> fromEndpoint(const EndpointSpec &endpoint, const ConnectorContext &context);
};

// The TLS settings of an HTTP endpoint, its configuration "tls" (docs/connectors/odata.md):
//   {"certificate_file": "certs/client.pem", "key_file": "certs/client.key",
//    "key_passphrase": {"secret": "name"}, "ca_file": "certs/ca.pem", "verify_peer": true}
// certificate_file and key_file (PEM; the key RSA, EC or DSA) go together: the client
// certificate presented to the server (mutual TLS, SAP's X.509 logon). ca_file: PEM CA
// certificates trusted beyond the system's. key_passphrase: only a secret reference, resolved
// now through context.secrets. verify_peer false stops checking the server's certificate and
// logs a warning the first time it is read for an endpoint id in the process (reading it again,
// as a factory and its connector may, stays quiet).
// Relative paths resolve against context.baseDirectory. Put the result into
// HttpClientOptions::tls.
// nullopt: the endpoint has no configuration.tls (the system's defaults). Errors:
// "invalid_endpoint" with one detail per problem, each naming its JSON pointer
// ("/configuration/tls/certificate_file: Cannot read the client certificate ...").
Result<std::optional<QSslConfiguration>> tlsFromEndpoint(const EndpointSpec &endpoint, const ConnectorContext &context);

class HttpClient;

// Adds credentials to each request for schemes beyond the endpoint's ClientAuthentication
// (the connector catalog's templates, refresh tokens, signed JWT grants). It may call
// client.send() itself with `authenticate` off (to fetch a token).
class HttpAuthenticator
{
public:
    virtual ~HttpAuthenticator() = default;
    // forceRefresh: the server answered 401 to the last credentials; get new ones.
    virtual Result<void> apply(HttpClient &client, HttpRequest &request, const CancelToken *cancel,
                               bool forceRefresh) = 0;
    // Whether a 401 is worth one refresh and one repeat of the call (token schemes).
    virtual bool canRefresh() const { return false; }
};

// A token and how long it lives.
struct AccessToken
{
    QByteArray value;
    qint64 lifetimeMs = 3600 * 1000;
};

// The process-wide cache of access tokens, by a key naming the token endpoint, client and
// scopes. `fetch` runs when there is no token, it is about to expire (a minute before, or at
// half its life), or `forceRefresh` is set; one fetch per key at a time. Fetched tokens are
// registered with the log redactor.
Result<QByteArray> cachedAccessToken(const QString &key, bool forceRefresh,
                                     const std::function<Result<AccessToken>()> &fetch);

// Asks an OAuth2 token endpoint (RFC 6749 §4.4 and the other grants) for an access token:
// POSTs `body` with `headers`, reads access_token, token_type (Bearer) and expires_in.
// Errors: "authentication_failed" with the server's error and error_description, or the
// transport's errors; the message names the token URL and `clientId`, never a secret.
Result<AccessToken> requestToken(HttpClient &client, const QUrl &tokenUrl, const QByteArray &body,
                                 const HttpHeaders &headers, const QString &clientId, const CancelToken *cancel,
                                 const QByteArray &contentType = "application/x-www-form-urlencoded");

class HttpClient
{
public:
    HttpClient(HttpClientOptions options, ClientAuthentication authentication, ConnectorContext context);
    ~HttpClient();
    HttpClient(const HttpClient &) = delete;
    HttpClient &operator=(const HttpClient &) = delete;

    // Sends the request with retries; the endpoint's headers (setDefaultHeaders) come first,
    // the request's own replace them by name.
    Result<HttpResponse> send(const HttpRequest &request, const CancelToken *cancel = nullptr);

    void setDefaultHeaders(HttpHeaders headers);
    // Replaces the ClientAuthentication given to the constructor.
    void setAuthenticator(std::shared_ptr<HttpAuthenticator> authenticator);
    const HttpClientOptions &options() const;
    CircuitBreaker::State breakerState() const;
    void clearCookies();

    // Resolves a secret reference through the context's resolver; errors as the resolver's,
    // or "secret_unavailable" without one.
    Result<QString> resolveSecret(const QString &name) const;

    // Forgets cached OAuth2 tokens and circuit breakers of the process (tests).
    static void resetSharedState();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

// Parses Retry-After (delay-seconds or an HTTP date) into milliseconds from now; -1 when
// absent or malformed.
qint64 parseRetryAfter(const QByteArray &value);

// The URL for messages: scheme, host, port and path, without the query or user information.
QString displayUrl(const QUrl &url);

} // namespace Conflux::Connectors
