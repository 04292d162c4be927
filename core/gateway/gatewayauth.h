#pragma once

#include "gatewayconfig.h"
#include "httprequest.h"
#include "ratelimiter.h"

#include <security/jwt.h>

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace Conflux::Security {
class ApiKeyStore;
class JwksFetcher;
class VerifiedPasswordCache;
} // namespace Conflux::Security

namespace Conflux::Gateway {

// Who a request comes from, once authenticated.
struct Identity
{
    QString kind;                    // "api_key", "basic", "jwt", "introspection", "mtls"
    QString id;                      // key id, user name, token subject (or client_id), certificate subject
    QStringList scopes, roles;
    QString apiKeyId;                // api_key only
    std::optional<RateLimit> rateLimit; // the key's own limit, when it has one
};

// Why a request was refused: the status (401 or 403), an error code for the body, a message
// that never repeats a credential, and for 401 the WWW-Authenticate challenge.
struct AuthFailure
{
    int status = 401;
    QByteArray code;
    QString message;
    QByteArray challenge;
};

// What the synchronous part of authentication decided.
struct AuthCheck
{
    enum class State {
        Authenticated,      // `identity` (or anonymous on a route without authentication)
        Refused,            // `failure`
        AwaitKeys,          // jwt: the token names a key the JWKS lacks; a refresh was asked for
        Introspect,         // oauth2_introspection: ask the server about `token`
    };
    State state = State::Authenticated;
    std::optional<Identity> identity;
    AuthFailure failure;
    QByteArray token;               // the bearer token (AwaitKeys, Introspect)
};

// Counts failed authentications per client address so that guessing is slow: after
// `maxFailures` refused credentials within `windowMs`, the client is refused (429) without its
// credentials being checked (no scrypt run) until the window that began with its first
// failure ends. Bounded: at most `maxClients` addresses are tracked; when full, expired
// entries go first, then everything (fail open for guessing, never for valid credentials).
// Thread-safe.
class AuthFailureThrottle
{
public:
    explicit AuthFailureThrottle(int maxFailures = 10, qint64 windowMs = 60'000, qsizetype maxClients = 100'000)
        : m_maxFailures(maxFailures), m_windowMs(windowMs), m_maxClients(maxClients)
    {}
    // Milliseconds until the client may try again; 0 when it may now.
    qint64 blockedForMs(const QString &client, qint64 nowMs) const;
    void recordFailure(const QString &client, qint64 nowMs);

private:
    struct Entry
    {
        qint64 windowStartMs = 0;
        int failures = 0;
    };
    int m_maxFailures;
    qint64 m_windowMs;
    qsizetype m_maxClients;
    mutable QMutex m_mutex;
    QHash<QString, Entry> m_entries;
};

// The services authentication needs that outlive one deployment. Thread-safe.
struct AuthServices
{
    std::shared_ptr<Security::ApiKeyStore> apiKeys;
    std::shared_ptr<Security::VerifiedPasswordCache> passwords;
    std::shared_ptr<AuthFailureThrottle> failures = std::make_shared<AuthFailureThrottle>();
    // Verifies client certificate chains for mtls routes (the listener's client CA), or
    // nullptr when the gateway does not speak TLS with client certificates.
    std::function<Result<void>(const QList<QSslCertificate> &chain)> verifyClientCertificate;
};

// How one route authenticates and authorizes its callers; built when a project is deployed.
// check() is const and safe from any thread.
class RouteAuthenticator
{
public:
    RouteAuthenticator(const GatewayRoute &route, const GatewaySettings &settings, const AuthServices &services);
    ~RouteAuthenticator();
    Q_DISABLE_COPY_MOVE(RouteAuthenticator)

    const RouteAuthentication &config() const { return m_config; }
    bool isRequired() const { return m_config.type != QLatin1String("none"); }

    // `client`: the client's address (the socket peer, or what trusted proxies say), which
    // API keys' allowed networks are checked against.
    AuthCheck check(const Http::HttpRequest &request, const QHostAddress &client) const;
    // After AwaitKeys, once the JWKS fetch finished: verifies again with what it brought.
    AuthCheck recheckJwt(const QByteArray &token) const;
    // After an RFC 7662 answer (the JSON object of a 200 response) for `token`.
    AuthCheck introspected(const QByteArray &token, const QJsonObject &answer) const;
    std::optional<Identity> cachedIntrospection(const QByteArray &token) const;

    // jwt routes: the fetcher that keeps the keys (lives on the thread that built this).
    Security::JwksFetcher *jwksFetcher() const { return m_fetcher.get(); }

private:
    AuthCheck authorize(Identity identity) const;
    AuthCheck refuse(int status, const char *code, const QString &message) const;
    AuthCheck checkApiKey(const Http::HttpRequest &request, const QHostAddress &client) const;
    AuthCheck checkBasic(const Http::HttpRequest &request) const;
    AuthCheck checkJwt(const QByteArray &token, bool mayAwait) const;
    AuthCheck checkMtls(const Http::HttpRequest &request) const;

    struct DeleteLater
    {
        void operator()(QObject *object) const;
    };

    RouteAuthentication m_config;
    QString m_routeId;
    QList<BasicUser> m_users;
    AuthServices m_services;
    std::unique_ptr<Security::JwtVerifier> m_jwt;
    std::unique_ptr<Security::JwksFetcher, DeleteLater> m_fetcher;

    struct CachedToken
    {
        Identity identity;
        qint64 expiresMs = 0;
    };
    mutable QMutex m_introspectionMutex;
    mutable QHash<QByteArray, CachedToken> m_introspection; // SHA-256 of the token → answer
};

// The bearer token of an Authorization header ("Bearer <token>", scheme case-insensitive), or empty.
QByteArray bearerToken(const Http::HttpRequest &request);

} // namespace Conflux::Gateway
