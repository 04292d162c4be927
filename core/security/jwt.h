#pragma once

#include "base/result.h"
#include "security/jwk.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace Conflux::Security {

// The JWS algorithms Conflux verifies (RFC 7518 §3). "none" is deliberately not one of them:
// an unsecured token can never be allowed.
enum class JwsAlgorithm {
    HS256, HS384, HS512,
    RS256, RS384, RS512,
    PS256, PS384, PS512,
    ES256, ES384, ES512,
};

QString jwsAlgorithmName(JwsAlgorithm algorithm);
// Exact, case-sensitive match of a registered name; std::nullopt for "none" and the unknown.
std::optional<JwsAlgorithm> jwsAlgorithmFromName(QStringView name);
QList<JwsAlgorithm> allJwsAlgorithms();

// How a route verifies bearer tokens (RFC 7519, with the rules of RFC 8725 built in: the
// header's "alg" only selects among `allowedAlgorithms` and must fit the key's type; "none",
// "jku", "x5u", "jwk", "x5c" are never trusted; any "crit" entry is refused).
struct JwtPolicy
{
    // Fail closed: an empty list allows nothing, so every token is refused.
    QList<JwsAlgorithm> allowedAlgorithms;
    // Exact match of "iss" against one of these; empty means "iss" is not checked.
    QStringList allowedIssuers;
    // "aud" (a string or an array) must contain one of these. When empty, a token that has
    // an "aud" is refused (RFC 7519 §4.1.3: we cannot be an audience we do not know).
    QStringList audiences;
    // Claims that must be present (any JSON value). "exp" by default: a token that never
    // expires is a credential that can never be revoked.
    QStringList requiredClaims{QStringLiteral("exp")};
    // The "typ" header, if set: compared case-insensitively, "application/" optional
    // (RFC 7515 §4.1.9), e.g. "at+jwt" for RFC 9068 access tokens. Empty: not checked.
    QString expectedType;
    // Clock skew tolerated for "exp", "nbf" and "iat", in seconds.
    qint64 leewaySeconds = 60;
    // Tokens longer than this (bytes of the compact form) are refused before any parsing.
    qsizetype maxTokenBytes = 16 * 1024;
    // The time, in seconds since the Unix epoch: `nowSeconds` if set, else `clock()` if set,
    // else the system clock. For deterministic tests.
    std::optional<qint64> nowSeconds;
    std::function<qint64()> clock;

    qint64 now() const;
};

// A compact JWS whose signature verified. The payload is not interpreted.
struct VerifiedJws
{
    QJsonObject header;
    QByteArray payload;
    JwsAlgorithm algorithm = JwsAlgorithm::HS256;
    QString keyId;          // the kid of the key that verified it (may be empty)
};

// A JWT that passed every check of its policy.
struct VerifiedJwt
{
    QJsonObject header;
    QJsonObject claims;
    JwsAlgorithm algorithm = JwsAlgorithm::HS256;
    QString keyId;          // the kid of the key that verified it (may be empty)
    QString subject;        // "sub", empty when absent
    QString issuer;         // "iss", empty when absent
    QStringList audiences;  // "aud" as a list (a single string becomes one entry)
    QStringList scopes;     // "scope" (space-separated) or else "scp" (array or string)
    std::optional<qint64> expiresAt;  // "exp", seconds since the epoch (fraction dropped)
};

// Verifies the signature of a compact JWS (header.payload.signature) with `keys` and the
// algorithm, size and header rules of `policy`; claims are not looked at. Used for JWTs
// (below) and for JWS whose payload is not a claims set.
//
// Errors (Error::code), each with a message that says what is wrong without repeating the
// token or any key:
//   jwt_too_large               the token is longer than policy.maxTokenBytes
//   jwt_malformed               not three base64url segments, header not a JSON object,
//                               "alg"/"kid"/"typ" of the wrong type, empty or non-array "crit"
//   jwt_algorithm_not_allowed   "none", an unknown algorithm, one not in the policy, or one
//                               the key selected by "kid" cannot verify (HS256 with an RSA key)
//   jwt_crit_unsupported        "crit" names an extension (Conflux understands none)
//   jwt_type_invalid            "typ" is not policy.expectedType
//   jwt_unknown_key             no configured key has the "kid", or none fits the algorithm
//   jwt_signature_invalid       the signature does not verify
// Error::offset is the byte offset in the token where a malformed segment starts or a
// base64url error is, when there is one.
Result<VerifiedJws> verifyJws(QByteArrayView token, const JwkSet &keys, const JwtPolicy &policy);

// verifyJws(), then the payload must be a JSON object and its registered claims must pass.
// Further errors:
//   jwt_claim_invalid           a registered claim has the wrong JSON type
//   jwt_claim_missing           a claim of policy.requiredClaims is absent
//   jwt_expired                 now >= exp + leeway
//   jwt_not_yet_valid           now < nbf - leeway
//   jwt_issued_in_future        iat > now + leeway
//   jwt_issuer_invalid          "iss" absent or not one of policy.allowedIssuers
//   jwt_audience_invalid        "aud" absent or none of policy.audiences (or present while
//                               policy.audiences is empty)
Result<VerifiedJwt> verifyJwt(QByteArrayView token, const JwkSet &keys, const JwtPolicy &policy);

// A route's verifier: a policy plus a key store that may be swapped underneath it (by the
// JWKS fetcher). Threading: verify() is const and safe from any number of threads; each call
// takes one snapshot of the store.
class JwtVerifier
{
public:
    JwtVerifier(JwtPolicy policy, std::shared_ptr<const JwkStore> keys);

    const JwtPolicy &policy() const { return m_policy; }
    Result<VerifiedJwt> verify(QByteArrayView token) const;

private:
    JwtPolicy m_policy;
    std::shared_ptr<const JwkStore> m_keys;
};

} // namespace Conflux::Security
