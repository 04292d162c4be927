#pragma once

#include "base/result.h"
#include "connectors/httpclient.h"
#include "connectors/restapi.h"

#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>

// The connector catalog's seven authentication types as HttpAuthenticators
// (docs/formats/connector-catalog.md, "Authentication"): none, basic, bearer, api_key,
// oauth2_client_credentials, oauth2_refresh_token and oauth2_jwt_bearer (RFC 7523, signed
// with core/security/jwtsign.h).
//
// Access tokens live in the process-wide cache of httpclient.h (cachedAccessToken), keyed by
// the token URL, the client, the grant and a hash of the credentials, so that endpoints with
// the same credentials share a token and different credentials never do. They are fetched
// again a minute before they expire and once after a 401.
//
// Refresh-token rotation (QuickBooks, Xero, Dropbox answer a refresh with a new refresh
// token and may invalidate the old one): the new token is kept in memory for the rest of the
// process and used for every later refresh with the same credentials, and a warning is
// logged. It is NOT written back to the secret store: SecretResolver can only read. After a
// restart the configured secret is used again; if the vendor has invalidated it, the token
// endpoint refuses it ("authentication_failed") and the secret must be updated by hand.
//
// Threading: an authenticator is used by one HttpClient (one thread) at a time; the token
// cache and the rotation memory are shared and guarded.

namespace Conflux::Connectors {

// RestAuth with every template expanded and every secret resolved.
struct RestAuthSettings
{
    RestAuth::Type type = RestAuth::Type::None;
    QString username, password;
    QString token;
    QString header = QStringLiteral("Authorization");
    QString prefix = QStringLiteral("Bearer");
    bool inQuery = false;
    QString name, value;
    QUrl tokenUrl;
    QString clientId, clientSecret, refreshToken;
    RestAuth::ClientAuth clientAuth = RestAuth::ClientAuth::Basic;
    bool jsonTokenRequest = false;
    QString grantType;
    QStringList scopes;
    QList<std::pair<QString, QString>> tokenParams;
    RestAuth::Grant grant = RestAuth::Grant::JwtBearer;
    QString algorithm = QStringLiteral("RS256");
    QString keyId;
    QString privateKey;
    QList<std::pair<QString, QString>> claims;
    QString refreshTokenSecret;   // the secret the refresh token came from, for the warning
    QString endpointId;           // for messages

    // Expands `auth` with `lookup` (the definition's parameters with secrets resolved).
    // `tokenUrl` replaces auth.token_url when set (configuration.token_url). Errors:
    // "invalid_endpoint" (a token URL that is not http(s) after expansion).
    static Result<RestAuthSettings> resolve(const RestAuth &auth, const Rest::PlaceholderLookup &lookup,
                                            const std::optional<QString> &tokenUrl, const QString &endpointId);
};

// Errors of apply(): "authentication_failed" (the token endpoint refused, or answered without
// an access token), "signing_key_invalid" (oauth2_jwt_bearer's private key), the transport's.
std::shared_ptr<HttpAuthenticator> createRestAuthenticator(RestAuthSettings settings);

// Forgets rotated refresh tokens (tests).
void resetRotatedRefreshTokens();

} // namespace Conflux::Connectors
