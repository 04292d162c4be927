#include "gatewayauth.h"

#include <base/monotonic.h>
#include <security/apikeys.h>
#include <security/authz.h>
#include <security/jwksfetcher.h>
#include <security/passwordhash.h>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QSslCertificate>

using namespace Qt::StringLiterals;

namespace Conflux::Gateway {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Gateway)
};

// How long an introspection answer is believed at most (a revoked token stops working
// within this time).
constexpr qint64 kIntrospectionCacheMs = 30'000;
constexpr qsizetype kIntrospectionCacheEntries = 10'000;

QStringList jsonStrings(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().split(u' ', Qt::SkipEmptyParts);
    QStringList out;
    for (const QJsonValue &v : value.toArray())
        out.append(v.toString());
    return out;
}

// "CN=orders-client, O=Example" → {(CN, orders-client), (O, Example)}.
QList<std::pair<QByteArray, QString>> subjectRule(const QString &rule)
{
    QList<std::pair<QByteArray, QString>> out;
    for (const QString &part : rule.split(u',', Qt::SkipEmptyParts)) {
        const qsizetype eq = part.indexOf(u'=');
        if (eq > 0)
            out.append({part.left(eq).trimmed().toLatin1(), part.mid(eq + 1).trimmed()});
    }
    return out;
}

bool subjectMatches(const QSslCertificate &certificate, const QString &rule)
{
    const auto pairs = subjectRule(rule);
    if (pairs.isEmpty())
        return false;
    for (const auto &[attribute, value] : pairs) {
        if (!certificate.subjectInfo(attribute).contains(value))
            return false;
    }
    return true;
}

bool sanMatches(const QSslCertificate &certificate, const QString &rule)
{
    const qsizetype colon = rule.indexOf(u':');
    if (colon <= 0)
        return false;
    const QString kind = rule.left(colon).toLower();
    const QString value = rule.mid(colon + 1);
    QSsl::AlternativeNameEntryType type;
    if (kind == u"dns")
        type = QSsl::DnsEntry;
    else if (kind == u"email")
        type = QSsl::EmailEntry;
    else if (kind == u"ip")
        type = QSsl::IpAddressEntry;
    else
        return false;
    const auto names = certificate.subjectAlternativeNames();
    return names.values(type).contains(value, kind == u"dns" ? Qt::CaseInsensitive : Qt::CaseSensitive);
}

} // namespace

QByteArray bearerToken(const Http::HttpRequest &request)
{
    const QByteArray authorization = request.header("authorization").trimmed();
    const qsizetype space = authorization.indexOf(' ');
    if (space <= 0 || authorization.left(space).toLower() != "bearer")
        return {};
    return authorization.mid(space + 1).trimmed();
}

void RouteAuthenticator::DeleteLater::operator()(QObject *object) const
{
    if (object)
        object->deleteLater();
}

RouteAuthenticator::RouteAuthenticator(const GatewayRoute &route, const GatewaySettings &settings,
                                       const AuthServices &services)
    : m_config(route.authentication)
    , m_routeId(route.id)
    , m_users(settings.users)
    , m_services(services)
{
    if (m_config.type == u"jwt") {
        Security::JwtPolicy policy;
        for (const QString &name : std::as_const(m_config.algorithms)) {
            if (const auto algorithm = Security::jwsAlgorithmFromName(name))
                policy.allowedAlgorithms.append(*algorithm);
        }
        if (!m_config.issuer.isEmpty())
            policy.allowedIssuers = {m_config.issuer};
        if (!m_config.audience.isEmpty())
            policy.audiences = {m_config.audience};
        policy.leewaySeconds = m_config.leewaySeconds;
        auto keys = std::make_shared<Security::JwkSetStore>();
        m_jwt = std::make_unique<Security::JwtVerifier>(policy, keys);
        Security::JwksFetcher::Options options;
        options.url = m_config.jwksUrl;
        m_fetcher.reset(new Security::JwksFetcher(options, keys));
        m_fetcher->start();
    }
}

RouteAuthenticator::~RouteAuthenticator() = default;

AuthCheck RouteAuthenticator::refuse(int status, const char *code, const QString &message) const
{
    AuthCheck check;
    check.state = AuthCheck::State::Refused;
    check.failure.status = status;
    check.failure.code = code;
    check.failure.message = message;
    if (status == 401) {
        const QString type = m_config.type;
        if (type == u"basic")
            check.failure.challenge = "Basic realm=\"conflux\", charset=\"UTF-8\"";
        else if (type == u"jwt" || type == u"oauth2_introspection")
            check.failure.challenge = "Bearer realm=\"conflux\"";
        else if (type == u"api_key")
            check.failure.challenge = "ApiKey header=\"" + m_config.header + '"';
    }
    return check;
}

AuthCheck RouteAuthenticator::authorize(Identity identity) const
{
    const Security::RouteRequirements requirements{m_config.requiredScopes, m_config.roles};
    if (!requirements.isSatisfiedBy(identity.scopes, identity.roles)) {
        AuthCheck check = refuse(403, "insufficient_scope",
                                 Tr::tr("route %1 needs scopes [%2] and one of the roles [%3]")
                                     .arg(m_routeId, m_config.requiredScopes.join(u' '), m_config.roles.join(u", "_s)));
        if (m_config.type == u"jwt" || m_config.type == u"oauth2_introspection")
            check.failure.challenge = "Bearer error=\"insufficient_scope\", scope=\"" + m_config.requiredScopes.join(u' ').toUtf8() + '"';
        return check;
    }
    AuthCheck check;
    check.identity = std::move(identity);
    return check;
}

qint64 AuthFailureThrottle::blockedForMs(const QString &client, qint64 nowMs) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(client);
    if (it == m_entries.cend() || it->failures < m_maxFailures)
        return 0;
    return std::max<qint64>(0, it->windowStartMs + m_windowMs - nowMs);
}

void AuthFailureThrottle::recordFailure(const QString &client, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    if (m_entries.size() >= m_maxClients && !m_entries.contains(client)) {
        m_entries.removeIf([&](const auto &e) { return e.value().windowStartMs + m_windowMs <= nowMs; });
        if (m_entries.size() >= m_maxClients)
            m_entries.clear();
    }
    Entry &entry = m_entries[client];
    if (entry.failures == 0 || entry.windowStartMs + m_windowMs <= nowMs)
        entry = {nowMs, 0};
    ++entry.failures;
}

AuthCheck RouteAuthenticator::check(const Http::HttpRequest &request, const QHostAddress &client) const
{
    const QString &type = m_config.type;
    if (type == u"none")
        return {};
    if (type == u"api_key")
        return checkApiKey(request, client);
    if (type == u"basic")
        return checkBasic(request);
    if (type == u"mtls")
        return checkMtls(request);
    const QByteArray token = bearerToken(request);
    if (token.isEmpty())
        return refuse(401, "credentials_missing", Tr::tr("route %1 needs a bearer token (Authorization: Bearer …)").arg(m_routeId));
    if (type == u"jwt")
        return checkJwt(token, true);
    // oauth2_introspection
    if (std::optional<Identity> known = cachedIntrospection(token))
        return authorize(*known);
    AuthCheck check;
    check.state = AuthCheck::State::Introspect;
    check.token = token;
    return check;
}

AuthCheck RouteAuthenticator::checkApiKey(const Http::HttpRequest &request, const QHostAddress &client) const
{
    const QByteArray key = request.header(m_config.header).trimmed();
    if (key.isEmpty()) {
        return refuse(401, "credentials_missing",
                      Tr::tr("route %1 needs an API key in the %2 header").arg(m_routeId, QString::fromLatin1(m_config.header)));
    }
    if (!m_services.apiKeys)
        return refuse(401, "api_key_invalid", Tr::tr("this node has no API keys"));
    Result<Security::ApiKeyRecord> record = m_services.apiKeys->verify(QString::fromLatin1(key), client);
    if (!record) {
        const bool forbidden = record.error().code == u"api_key_ip_not_allowed";
        return refuse(forbidden ? 403 : 401, forbidden ? "api_key_ip_not_allowed" : "api_key_invalid", record.error().message);
    }
    Identity identity;
    identity.kind = u"api_key"_s;
    identity.id = record->id;
    identity.apiKeyId = record->id;
    identity.scopes = record->scopes;
    identity.roles = record->roles;
    if (record->rateLimit.isEnabled())
        identity.rateLimit = RateLimit{record->rateLimit.requests, record->rateLimit.windowSeconds, record->rateLimit.burst};
    return authorize(identity);
}

AuthCheck RouteAuthenticator::checkBasic(const Http::HttpRequest &request) const
{
    const QByteArray authorization = request.header("authorization").trimmed();
    const qsizetype space = authorization.indexOf(' ');
    if (space <= 0 || authorization.left(space).toLower() != "basic")
        return refuse(401, "credentials_missing", Tr::tr("route %1 needs Basic credentials").arg(m_routeId));
    const auto decoded = QByteArray::fromBase64Encoding(authorization.mid(space + 1).trimmed(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    const qsizetype colon = decoded ? decoded.decoded.indexOf(':') : -1;
    if (colon <= 0)
        return refuse(401, "credentials_invalid", Tr::tr("the Basic credentials are malformed"));
    const QString username = QString::fromUtf8(decoded.decoded.left(colon));
    const QByteArray password = decoded.decoded.mid(colon + 1);
    const auto user = std::find_if(m_users.begin(), m_users.end(), [&](const BasicUser &u) { return u.username == username; });
    if (user == m_users.end() || !m_services.passwords)
        return refuse(401, "credentials_invalid", Tr::tr("wrong user name or password"));
    static const Security::PasswordHasher hasher;
    Result<bool> verified = m_services.passwords->verify(hasher, username, password, user->passwordHash);
    if (!verified || !*verified)
        return refuse(401, "credentials_invalid", Tr::tr("wrong user name or password"));
    if (!m_config.users.isEmpty() && !m_config.users.contains(username))
        return refuse(403, "user_not_allowed", Tr::tr("user %1 may not call route %2").arg(username, m_routeId));
    Identity identity;
    identity.kind = u"basic"_s;
    identity.id = username;
    identity.scopes = user->scopes;
    identity.roles = user->roles;
    return authorize(identity);
}

AuthCheck RouteAuthenticator::checkJwt(const QByteArray &token, bool mayAwait) const
{
    Result<Security::VerifiedJwt> verified = m_jwt->verify(token);
    if (!verified) {
        if (mayAwait && verified.error().code == u"jwt_unknown_key" && m_fetcher
            && (m_fetcher->requestRefresh() || m_fetcher->keyCount() == 0)) {
            AuthCheck check;
            check.state = AuthCheck::State::AwaitKeys;
            check.token = token;
            return check;
        }
        AuthCheck check = refuse(401, "invalid_token", verified.error().message);
        check.failure.challenge = "Bearer realm=\"conflux\", error=\"invalid_token\"";
        return check;
    }
    Identity identity;
    identity.kind = u"jwt"_s;
    identity.id = !verified->subject.isEmpty() ? verified->subject : verified->claims.value(u"client_id"_s).toString();
    identity.scopes = verified->scopes;
    identity.roles = jsonStrings(verified->claims.value(u"roles"_s));
    return authorize(identity);
}

AuthCheck RouteAuthenticator::recheckJwt(const QByteArray &token) const
{
    return checkJwt(token, false);
}

std::optional<Identity> RouteAuthenticator::cachedIntrospection(const QByteArray &token) const
{
    const QByteArray key = QCryptographicHash::hash(token, QCryptographicHash::Sha256);
    QMutexLocker lock(&m_introspectionMutex);
    const auto it = m_introspection.constFind(key);
    if (it == m_introspection.cend())
        return std::nullopt;
    if (it->expiresMs <= monotonicMs()) {
        m_introspection.erase(it);
        return std::nullopt;
    }
    return it->identity;
}

AuthCheck RouteAuthenticator::introspected(const QByteArray &token, const QJsonObject &answer) const
{
    if (!answer.value(u"active"_s).toBool())
        return refuse(401, "invalid_token", Tr::tr("the authorization server says the token is not active"));
    const qint64 nowSeconds = QDateTime::currentSecsSinceEpoch();
    if (!m_config.issuer.isEmpty() && answer.contains(u"iss"_s) && answer.value(u"iss"_s).toString() != m_config.issuer)
        return refuse(401, "invalid_token", Tr::tr("the token was issued by another issuer"));
    if (!m_config.audience.isEmpty() && !jsonStrings(answer.value(u"aud"_s)).contains(m_config.audience))
        return refuse(401, "invalid_token", Tr::tr("the token is not meant for audience %1").arg(m_config.audience));
    const QJsonValue exp = answer.value(u"exp"_s);
    if (exp.isDouble() && qint64(exp.toDouble()) <= nowSeconds)
        return refuse(401, "invalid_token", Tr::tr("the token has expired"));

    Identity identity;
    identity.kind = u"introspection"_s;
    for (const char *claim : {"sub", "client_id", "username"}) {
        identity.id = answer.value(QLatin1String(claim)).toString();
        if (!identity.id.isEmpty())
            break;
    }
    identity.scopes = jsonStrings(answer.value(u"scope"_s));
    identity.roles = jsonStrings(answer.value(u"roles"_s));

    qint64 lifetimeMs = kIntrospectionCacheMs;
    if (exp.isDouble())
        lifetimeMs = std::min(lifetimeMs, (qint64(exp.toDouble()) - nowSeconds) * 1000);
    if (lifetimeMs > 0) {
        const QByteArray key = QCryptographicHash::hash(token, QCryptographicHash::Sha256);
        QMutexLocker lock(&m_introspectionMutex);
        if (m_introspection.size() >= kIntrospectionCacheEntries) {
            const qint64 now = monotonicMs();
            m_introspection.removeIf([now](const auto &entry) { return entry.value().expiresMs <= now; });
            if (m_introspection.size() >= kIntrospectionCacheEntries)
                m_introspection.clear();
        }
        m_introspection.insert(key, {identity, monotonicMs() + lifetimeMs});
    }
    return authorize(identity);
}

AuthCheck RouteAuthenticator::checkMtls(const Http::HttpRequest &request) const
{
    if (!request.isSecure || request.peerCertificateChain.isEmpty())
        return refuse(401, "client_certificate_required", Tr::tr("route %1 needs a TLS client certificate").arg(m_routeId));
    if (!m_services.verifyClientCertificate)
        return refuse(401, "client_certificate_invalid", Tr::tr("this listener has no client CA to verify certificates with"));
    if (Result<void> verified = m_services.verifyClientCertificate(request.peerCertificateChain); !verified)
        return refuse(401, "client_certificate_invalid", verified.error().message);
    const QSslCertificate &leaf = request.peerCertificateChain.constFirst();
    const bool accepted = std::any_of(m_config.subjects.begin(), m_config.subjects.end(),
                                      [&](const QString &rule) { return subjectMatches(leaf, rule); })
                          || std::any_of(m_config.sans.begin(), m_config.sans.end(),
                                         [&](const QString &rule) { return sanMatches(leaf, rule); });
    const QString commonName = leaf.subjectInfo(QSslCertificate::CommonName).value(0);
    if (!accepted)
        return refuse(403, "client_certificate_not_allowed", Tr::tr("certificate %1 may not call route %2").arg(commonName, m_routeId));
    Identity identity;
    identity.kind = u"mtls"_s;
    identity.id = commonName.isEmpty() ? leaf.subjectDisplayName() : commonName;
    return authorize(identity);
}

} // namespace Conflux::Gateway
