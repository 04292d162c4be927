#pragma once

#include "base/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <memory>

// OpenSSL's EVP_PKEY, without pulling OpenSSL headers into every includer.
struct evp_pkey_st;

namespace Conflux::Security {

enum class JwsAlgorithm;

// One verification key: a JSON Web Key (RFC 7517/7518), a PEM public key, or an HMAC secret.
//
// Only public material is kept. A JWK that also carries private members ("d", "p", ...) is
// accepted and those members are ignored: a verifier never needs them. RSA keys must have a
// modulus of 2048–16384 bits; HMAC secrets at least 32 bytes (RFC 7518 §3.2, §3.3).
//
// Errors: "jwk_invalid" (malformed member, bad base64url, key fails OpenSSL's public key
// check), "jwk_unsupported" (kty or crv Conflux does not verify with), "jwk_weak_key"
// (RSA modulus or HMAC secret too small). Messages never contain key material.
//
// A Jwk is an immutable value, cheap to copy (the OpenSSL key is shared). Copies may be used
// from several threads at once.
class Jwk
{
public:
    enum class Type { Rsa, Ec, Oct };

    Jwk() = default;

    static Result<Jwk> fromJson(const QJsonObject &object);
    // A PEM "PUBLIC KEY" (SubjectPublicKeyInfo), "RSA PUBLIC KEY" (PKCS#1) or
    // "CERTIFICATE" (its public key only; the certificate itself is not validated).
    // Private keys are refused, so they do not end up in gateway configuration.
    static Result<Jwk> fromPem(const QByteArray &pem, const QString &keyId = {});
    static Result<Jwk> fromSecret(const QByteArray &secret, const QString &keyId = {});

    bool isNull() const { return !m_key && m_secret.isEmpty(); }
    Type type() const { return m_type; }
    QString typeName() const;           // "RSA", "EC", "oct"
    QString keyId() const { return m_keyId; }
    QString algorithm() const { return m_algorithm; }  // the JWK's "alg", may be empty
    QString use() const { return m_use; }              // the JWK's "use", may be empty
    QStringList operations() const { return m_operations; }  // "key_ops", may be empty
    QString curve() const { return m_curve; }          // "P-256", "P-384", "P-521" for EC
    int bits() const { return m_bits; }                // modulus, curve or secret size

    // The OpenSSL public key (RSA, EC), owned by this Jwk and its copies; null for oct.
    evp_pkey_st *publicKey() const { return m_key.get(); }
    // The HMAC secret of an oct key; empty for RSA and EC.
    QByteArray secret() const { return m_secret; }

    // Whether this key may verify `algorithm`: the key type and size fit the algorithm (an
    // RSA or EC key never verifies HS*, an EC key only its own curve's ES*), its "alg" (if
    // any) names it, its "use" (if any) is "sig" and its "key_ops" (if any) include "verify".
    // `reason`, if given, receives a human-readable explanation when it may not.
    bool canVerify(JwsAlgorithm algorithm, QString *reason = nullptr) const;

private:
    Type m_type = Type::Oct;
    QString m_keyId;
    QString m_algorithm;
    QString m_use;
    QStringList m_operations;
    QString m_curve;
    int m_bits = 0;
    std::shared_ptr<evp_pkey_st> m_key;
    QByteArray m_secret;
};

// The keys a route verifies with: a JWK Set ({"keys": [...]}) or keys configured one by one.
//
// Lookup is by exact "kid" string comparison only; a kid is never used as a path, URL or
// query. A value type: to rotate keys, build a new JwkSet and swap it in (see JwkSetStore).
class JwkSet
{
public:
    static constexpr int MaxKeys = 100;

    JwkSet() = default;
    explicit JwkSet(QList<Jwk> keys) : m_keys(std::move(keys)) {}

    // Parses a JWK Set document (RFC 7517 §5). Keys whose kty or crv is not supported, or
    // that are too weak, are skipped as §5 asks (each one described in `skipped`, for a log
    // line); a key that is malformed fails the whole set ("jwk_invalid"), since a half-read
    // set hides mistakes.
    // More than MaxKeys keys is "jwk_invalid".
    static Result<JwkSet> fromJson(const QByteArray &json, QStringList *skipped = nullptr);
    static Result<JwkSet> fromJson(const QJsonObject &object, QStringList *skipped = nullptr);

    void append(const Jwk &key) { m_keys.append(key); }
    const QList<Jwk> &keys() const { return m_keys; }
    bool isEmpty() const { return m_keys.isEmpty(); }
    qsizetype size() const { return m_keys.size(); }

    QList<Jwk> keysWithId(const QString &keyId) const;
    QList<Jwk> keysWithoutId() const;

private:
    QList<Jwk> m_keys;
};

// Where a verifier gets its keys from. The JWKS fetcher (HTTP, caching, rotation) implements
// or feeds this; the verifier only ever asks for the current snapshot.
// Threading: current() may be called from any thread at any time.
class JwkStore
{
public:
    virtual ~JwkStore() = default;
    virtual JwkSet current() const = 0;
};

// A JwkStore holding one JwkSet that can be replaced at any time, from any thread. A token
// being verified keeps using the snapshot it started with.
class JwkSetStore final : public JwkStore
{
public:
    JwkSetStore() = default;
    explicit JwkSetStore(JwkSet keys) : m_keys(std::move(keys)) {}

    JwkSet current() const override;
    void replace(JwkSet keys);

private:
    mutable QMutex m_mutex;
    JwkSet m_keys;
};

} // namespace Conflux::Security
