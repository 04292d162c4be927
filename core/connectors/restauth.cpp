#include "restauth.h"

#include "base/log.h"
#include "data/json.h"
#include "security/jwtsign.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QUrlQuery>
#include <QUuid>

#include <mutex>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::RestAuthenticator)
};

// The latest refresh token per credentials key, for vendors that rotate them.
struct RotatedTokens
{
    std::mutex mutex;
    QHash<QString, QString> tokens;

    static RotatedTokens &instance()
    {
        static RotatedTokens rotated;
        return rotated;
    }
};

QByteArray formEncode(const QList<std::pair<QString, QString>> &params)
{
    QByteArray out;
    for (const auto &[name, value] : params) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

class NoAuthenticator final : public HttpAuthenticator
{
public:
    Result<void> apply(HttpClient &, HttpRequest &, const CancelToken *, bool) override { return {}; }
};

class StaticAuthenticator final : public HttpAuthenticator
{
public:
    explicit StaticAuthenticator(RestAuthSettings settings) : m_s(std::move(settings)) {}

    Result<void> apply(HttpClient &, HttpRequest &request, const CancelToken *, bool) override
    {
        switch (m_s.type) {
        case RestAuth::Type::Basic:
            request.setHeader("Authorization", "Basic " + (m_s.username + u':' + m_s.password).toUtf8().toBase64());
            break;
        case RestAuth::Type::Bearer:
            request.setHeader(m_s.header.toLatin1(),
                              (m_s.prefix.isEmpty() ? m_s.token : m_s.prefix + u' ' + m_s.token).toUtf8());
            break;
        case RestAuth::Type::ApiKey:
            if (m_s.inQuery) {
                QUrlQuery query(request.url);
                query.removeAllQueryItems(m_s.name);
                query.addQueryItem(QString::fromLatin1(QUrl::toPercentEncoding(m_s.name)),
                                   QString::fromLatin1(QUrl::toPercentEncoding(m_s.value)));
                request.url.setQuery(query);
            } else {
                request.setHeader(m_s.name.toLatin1(), m_s.value.toUtf8());
            }
            break;
        default:
            break;
        }
        return {};
    }

private:
    RestAuthSettings m_s;
};

class OAuth2Authenticator final : public HttpAuthenticator
{
public:
    explicit OAuth2Authenticator(RestAuthSettings settings) : m_s(std::move(settings))
    {
        QCryptographicHash hash(QCryptographicHash::Sha256);
        auto add = [&](const QString &text) {
            hash.addData(text.toUtf8());
            hash.addData(QByteArrayView("\0", 1));
        };
        add(RestAuth::typeName(m_s.type));
        add(m_s.tokenUrl.toString());
        add(m_s.clientId);
        add(m_s.clientSecret);
        add(m_s.refreshToken);
        add(m_s.privateKey);
        add(m_s.grantType);
        add(m_s.scopes.join(u' '));
        add(QString::number(int(m_s.grant)));
        for (const auto &[name, value] : m_s.tokenParams + m_s.claims) {
            add(name);
            add(value);
        }
        m_key = u"catalog:"_s + m_s.tokenUrl.toString(QUrl::RemoveQuery) + u':' + QString::fromLatin1(hash.result().toHex());
    }

    bool canRefresh() const override { return true; }

    Result<void> apply(HttpClient &client, HttpRequest &request, const CancelToken *cancel, bool forceRefresh) override
    {
        Result<QByteArray> token = cachedAccessToken(m_key, forceRefresh, [&] { return fetch(client, cancel); });
        if (!token)
            return token.error();
        const QByteArray value = m_s.prefix.isEmpty() ? *token : m_s.prefix.toUtf8() + ' ' + *token;
        request.setHeader(m_s.header.toLatin1(), value);
        return {};
    }

private:
    Result<AccessToken> fetch(HttpClient &client, const CancelToken *cancel)
    {
        QList<std::pair<QString, QString>> params;
        switch (m_s.type) {
        case RestAuth::Type::OAuth2ClientCredentials:
            params.append({u"grant_type"_s, m_s.grantType.isEmpty() ? u"client_credentials"_s : m_s.grantType});
            break;
        case RestAuth::Type::OAuth2RefreshToken: {
            QString refresh = m_s.refreshToken;
            {
                RotatedTokens &rotated = RotatedTokens::instance();
                std::lock_guard lock(rotated.mutex);
                refresh = rotated.tokens.value(m_key, refresh);
            }
            params.append({u"grant_type"_s, u"refresh_token"_s});
            params.append({u"refresh_token"_s, refresh});
            break;
        }
        case RestAuth::Type::OAuth2JwtBearer: {
            Result<QByteArray> assertion = signedAssertion();
            if (!assertion)
                return assertion.error();
            Log::addSecretValue(QString::fromLatin1(*assertion));
            if (m_s.grant == RestAuth::Grant::JwtBearer) {
                params.append({u"grant_type"_s, u"urn:ietf:params:oauth:grant-type:jwt-bearer"_s});
                params.append({u"assertion"_s, QString::fromLatin1(*assertion)});
            } else {
                params.append({u"grant_type"_s, u"client_credentials"_s});
                params.append({u"client_assertion_type"_s, u"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"_s});
                params.append({u"client_assertion"_s, QString::fromLatin1(*assertion)});
            }
            break;
        }
        default:
            break;
        }
        if (!m_s.scopes.isEmpty())
            params.append({u"scope"_s, m_s.scopes.join(u' ')});
        params += m_s.tokenParams;

        HttpHeaders headers;
        const bool hasClient = !m_s.clientId.isEmpty();
        if (hasClient) {
            switch (m_s.clientAuth) {
            case RestAuth::ClientAuth::Basic: {
                // RFC 6749 §2.3.1: both form-encoded, then Basic.
                const QByteArray pair = QUrl::toPercentEncoding(m_s.clientId) + ':' + QUrl::toPercentEncoding(m_s.clientSecret);
                headers.append({"Authorization", "Basic " + pair.toBase64()});
                break;
            }
            case RestAuth::ClientAuth::Body:
            case RestAuth::ClientAuth::Query:
                params.append({u"client_id"_s, m_s.clientId});
                if (!m_s.clientSecret.isEmpty())
                    params.append({u"client_secret"_s, m_s.clientSecret});
                break;
            }
        }

        QUrl url = m_s.tokenUrl;
        QByteArray body;
        QByteArray contentType = "application/x-www-form-urlencoded";
        if (m_s.clientAuth == RestAuth::ClientAuth::Query && hasClient) {
            // Marketo's identity service: every parameter in the query of an empty POST.
            QString query = url.query(QUrl::FullyEncoded);
            const QByteArray encoded = formEncode(params);
            url.setQuery(query.isEmpty() ? QString::fromLatin1(encoded) : query + u'&' + QString::fromLatin1(encoded),
                         QUrl::StrictMode);
        } else if (m_s.jsonTokenRequest) {
            Data::Object object;
            for (const auto &[name, value] : params)
                object.insert(name, Data::Value(value));
            body = Data::Json::serialize(Data::Value(std::move(object)));
            contentType = "application/json";
        } else {
            body = formEncode(params);
        }
        if (m_s.type != RestAuth::Type::OAuth2RefreshToken)
            return requestToken(client, url, body, headers, m_s.clientId, cancel, contentType);
        return refresh(client, url, body, headers, contentType, cancel);
    }

    // requestToken() does not return the other members of the answer; a refresh needs the
    // rotated refresh_token, so this reads the answer itself.
    Result<AccessToken> refresh(HttpClient &client, const QUrl &url, const QByteArray &body, const HttpHeaders &headers,
                                const QByteArray &contentType, const CancelToken *cancel)
    {
        HttpRequest request;
        request.method = "POST";
        request.url = url;
        request.authenticate = false;
        request.idempotent = false; // a refresh may rotate the token: never repeat one the server saw
        request.headers = headers;
        request.setHeader("Content-Type", contentType);
        request.setHeader("Accept", "application/json");
        request.body = body;
        const QString where = Tr::tr("the OAuth2 token endpoint %1").arg(displayUrl(url));
        Result<HttpResponse> response = client.send(request, cancel);
        if (!response)
            return Error{response.error().code, where + u": "_s + response.error().message, {}};
        const Result<Data::Value> json = Data::Json::parse(response->body);
        const Data::Value answer = json ? *json : Data::Value();
        if (!response->isSuccess()) {
            QString reason = response->describe();
            if (answer[u"error"].isString()) {
                reason = u"HTTP %1: %2"_s.arg(response->status).arg(answer[u"error"].toString());
                if (answer[u"error_description"].isString())
                    reason += u" ("_s + answer[u"error_description"].toString() + u')';
            }
            return makeError("authentication_failed",
                             Tr::tr("%1 refused the refresh token of endpoint %2: %3").arg(where, m_s.endpointId, reason));
        }
        const Data::Value &access = answer[u"access_token"];
        if (!access.isString() || access.toString().isEmpty())
            return makeError("authentication_failed", Tr::tr("%1 answered without an access_token").arg(where));
        const Data::Value &type = answer[u"token_type"];
        if (type.isString() && type.toString().compare(u"bearer", Qt::CaseInsensitive) != 0)
            return makeError("authentication_failed",
                             Tr::tr("%1 issued a token of type \"%2\"; only Bearer tokens are supported").arg(where, type.toString()));
        AccessToken token;
        token.value = access.toString().toUtf8();
        const Data::Value &expires = answer[u"expires_in"];
        if (expires.isNumber())
            token.lifetimeMs = std::max<qint64>(1, qint64(expires.toDouble())) * 1000;
        else if (expires.isString() && expires.toString().toLongLong() > 0)
            token.lifetimeMs = expires.toString().toLongLong() * 1000;
        const Data::Value &rotated = answer[u"refresh_token"];
        if (rotated.isString() && !rotated.toString().isEmpty()) {
            RotatedTokens &memory = RotatedTokens::instance();
            std::lock_guard lock(memory.mutex);
            const QString previous = memory.tokens.value(m_key, m_s.refreshToken);
            if (rotated.toString() != previous) {
                Log::addSecretValue(rotated.toString());
                memory.tokens.insert(m_key, rotated.toString());
                Log::write(QtWarningMsg, "conflux.connectors",
                           Tr::tr("Endpoint %1: %2 issued a new refresh token. Conflux uses it until the process ends "
                                  "but cannot store it; if the vendor invalidates the old one, update the secret %3")
                               .arg(m_s.endpointId, where,
                                    m_s.refreshTokenSecret.isEmpty() ? Tr::tr("holding the refresh token")
                                                                     : u'"' + m_s.refreshTokenSecret + u'"'),
                           QJsonObject{{u"endpoint"_s, m_s.endpointId}});
            }
        }
        return token;
    }

    Result<QByteArray> signedAssertion() const
    {
        Result<Security::SigningKey> key = Security::SigningKey::fromPem(m_s.privateKey.toUtf8());
        if (!key) {
            return makeError("signing_key_invalid",
                             Tr::tr("Endpoint %1: the private key of the JWT grant: %2").arg(m_s.endpointId, key.error().message));
        }
        const std::optional<Security::JwsAlgorithm> algorithm = Security::jwsAlgorithmFromName(m_s.algorithm);
        if (!algorithm)
            return makeError("invalid_endpoint", Tr::tr("unknown JWT algorithm \"%1\"").arg(m_s.algorithm));
        QJsonObject claims;
        for (const auto &[name, value] : m_s.claims)
            claims.insert(name, value);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        claims.insert(u"iat"_s, now);
        claims.insert(u"exp"_s, now + 3600); // the vendors cap assertions at one hour
        if (m_s.grant == RestAuth::Grant::ClientCredentialsAssertion)
            claims.insert(u"jti"_s, QUuid::createUuid().toString(QUuid::WithoutBraces));
        Result<QByteArray> token = Security::signJwt(*algorithm, *key, claims, m_s.keyId);
        if (!token)
            return Error{token.error().code, Tr::tr("Endpoint %1: %2").arg(m_s.endpointId, token.error().message), {}};
        return token;
    }

    RestAuthSettings m_s;
    QString m_key;
};

} // namespace

Result<RestAuthSettings> RestAuthSettings::resolve(const RestAuth &auth, const Rest::PlaceholderLookup &lookup,
                                                   const std::optional<QString> &tokenUrl, const QString &endpointId)
{
    RestAuthSettings s;
    s.type = auth.type;
    s.endpointId = endpointId;
    auto text = [&](const QString &tmpl) { return Rest::expand(tmpl, lookup).text; };
    auto pairs = [&](const RestTemplateMap &map) {
        QList<std::pair<QString, QString>> out;
        for (const auto &[name, value] : map) {
            const Rest::Expanded e = Rest::expand(Rest::scalarText(value), lookup);
            if (!e.omitted)
                out.append({name, e.text});
        }
        return out;
    };
    s.username = text(auth.username);
    s.password = text(auth.password);
    s.token = text(auth.token);
    s.header = auth.header;
    s.prefix = text(auth.prefix);
    s.inQuery = auth.inQuery;
    s.name = auth.name;
    s.value = text(auth.value);
    s.clientId = text(auth.clientId);
    s.clientSecret = text(auth.clientSecret);
    s.refreshToken = text(auth.refreshToken);
    s.clientAuth = auth.clientAuth.value_or(s.clientSecret.isEmpty() && !s.clientId.isEmpty() ? RestAuth::ClientAuth::Body
                                                                                                : RestAuth::ClientAuth::Basic);
    s.jsonTokenRequest = auth.jsonTokenRequest;
    s.grantType = text(auth.grantType);
    for (const QString &scope : auth.scopes)
        s.scopes.append(text(scope));
    s.tokenParams = pairs(auth.tokenParams);
    s.grant = auth.grant;
    s.algorithm = auth.algorithm;
    s.keyId = text(auth.keyId);
    s.privateKey = text(auth.privateKey);
    s.claims = pairs(auth.claims);
    const QStringList refreshNames = Rest::placeholders(auth.refreshToken);
    if (refreshNames.size() == 1)
        s.refreshTokenSecret = refreshNames.front();
    if (auth.type == RestAuth::Type::OAuth2ClientCredentials || auth.type == RestAuth::Type::OAuth2RefreshToken
        || auth.type == RestAuth::Type::OAuth2JwtBearer) {
        const QString url = tokenUrl.value_or(text(auth.tokenUrl));
        s.tokenUrl = QUrl(url, QUrl::StrictMode);
        if (!s.tokenUrl.isValid() || s.tokenUrl.host().isEmpty()
            || (s.tokenUrl.scheme() != "https"_L1 && s.tokenUrl.scheme() != "http"_L1)) {
            return makeError("invalid_endpoint", Tr::tr("Endpoint %1: the token URL \"%2\" is not an http(s) URL")
                                                     .arg(endpointId, displayUrl(s.tokenUrl)));
        }
    }
    return s;
}

std::shared_ptr<HttpAuthenticator> createRestAuthenticator(RestAuthSettings settings)
{
    switch (settings.type) {
    case RestAuth::Type::None:
    case RestAuth::Type::Endpoint:
        return std::make_shared<NoAuthenticator>();
    case RestAuth::Type::Basic:
    case RestAuth::Type::Bearer:
    case RestAuth::Type::ApiKey:
        for (const QString &value : {settings.password, settings.token, settings.value}) {
            if (value.size() >= 4)
                Log::addSecretValue(value);
        }
        return std::make_shared<StaticAuthenticator>(std::move(settings));
    case RestAuth::Type::OAuth2ClientCredentials:
    case RestAuth::Type::OAuth2RefreshToken:
    case RestAuth::Type::OAuth2JwtBearer:
        return std::make_shared<OAuth2Authenticator>(std::move(settings));
    }
    return std::make_shared<NoAuthenticator>();
}

void resetRotatedRefreshTokens()
{
    RotatedTokens &rotated = RotatedTokens::instance();
    std::lock_guard lock(rotated.mutex);
    rotated.tokens.clear();
}

} // namespace Conflux::Connectors
