#pragma once

#include "base/result.h"
#include "security/jwt.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <memory>

struct evp_pkey_st;

// Signing JWS/JWT (RFC 7515, RFC 7519) with a private key: what an OAuth2 client needs for
// the RFC 7523 grants (JWT bearer assertions, private_key_jwt client authentication).
// The verifying side is jwt.h; a token signed here verifies there with the public half.

namespace Conflux::Security {

// A private key for signing, read from PEM: "PRIVATE KEY" (PKCS#8), "RSA PRIVATE KEY"
// (PKCS#1) or "EC PRIVATE KEY" (SEC 1), unencrypted. RSA keys need 2048 bits or more.
//
// Errors: "signing_key_invalid" (not a PEM private key, an encrypted one, a key OpenSSL
// cannot read, an RSA key under 2048 bits), never quoting the key. An immutable value;
// copies share the OpenSSL key and may be used from several threads.
class SigningKey
{
public:
    enum class Type { Rsa, Ec };

    SigningKey() = default;
    static Result<SigningKey> fromPem(const QByteArray &pem);

    bool isNull() const { return !m_key; }
    Type type() const { return m_type; }
    QString curve() const { return m_curve; } // "P-256", "P-384", "P-521" for EC keys
    int bits() const { return m_bits; }

    // Whether the key can sign with `algorithm`: RS*/PS* need RSA, ES256 P-256, ES384
    // P-384, ES512 P-521; HS* never (they take a shared secret, not a private key).
    bool canSign(JwsAlgorithm algorithm, QString *reason = nullptr) const;

    // The public half as a PEM "PUBLIC KEY" (for tests and for registering with a vendor).
    QByteArray publicKeyPem() const;

    evp_pkey_st *key() const { return m_key.get(); }

private:
    Type m_type = Type::Rsa;
    QString m_curve;
    int m_bits = 0;
    std::shared_ptr<evp_pkey_st> m_key;
};

// The JWS signature of `signingInput` in the form the compact serialization carries: the
// RSA signature (PKCS#1 v1.5 or PSS with MGF1 and a salt as long as the hash), or for
// ECDSA the fixed-size R||S (RFC 7518 §3.4), not OpenSSL's DER.
// Errors: "jwt_algorithm_not_allowed" (the key cannot sign with it), "jwt_sign_failed".
Result<QByteArray> signJwsInput(JwsAlgorithm algorithm, const SigningKey &key, QByteArrayView signingInput);

// A compact JWS: base64url(header).base64url(payload).base64url(signature). "alg" is set in
// the header from `algorithm` (replacing any given); "typ" and "kid" are the caller's.
Result<QByteArray> signJws(JwsAlgorithm algorithm, const SigningKey &key, QJsonObject header,
                           const QByteArray &payload);

// A signed JWT: header {"alg", "typ": "JWT", "kid" when keyId is not empty} and `claims`.
Result<QByteArray> signJwt(JwsAlgorithm algorithm, const SigningKey &key, const QJsonObject &claims,
                           const QString &keyId = {});

} // namespace Conflux::Security
