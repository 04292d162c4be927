#pragma once

// Test support for the JWT and JWK suites: generated keys, their JWK and PEM forms, and
// tokens signed with them.

#include "security/jwk.h"
#include "security/jws_p.h"
#include "security/jwt.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <functional>
#include <memory>

// Test code only: the suites and this kit share one namespace with the names they use.
namespace Conflux::Test {

using namespace Conflux::Security;
using namespace Qt::StringLiterals;

constexpr qint64 Now = 1'700'000'000;
const QString Issuer = u"https://idp.example"_s;
const QString Audience = u"api://orders"_s;

using PkeyPtr = std::shared_ptr<EVP_PKEY>;
using Signer = std::function<QByteArray(QByteArrayView signingInput)>;

inline QByteArray b64u(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

inline QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

inline QByteArray bignumBytes(EVP_PKEY *key, const char *name, int padTo = 0)
{
    BIGNUM *bn = nullptr;
    if (!EVP_PKEY_get_bn_param(key, name, &bn))
        return {};
    QByteArray out(padTo > 0 ? padTo : BN_num_bytes(bn), Qt::Uninitialized);
    BN_bn2binpad(bn, reinterpret_cast<unsigned char *>(out.data()), int(out.size()));
    BN_free(bn);
    return out;
}

inline PkeyPtr generate(const char *type, const char *curve = nullptr, size_t bits = 2048)
{
    EVP_PKEY *key = curve ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve)
                          : EVP_PKEY_Q_keygen(nullptr, nullptr, type, bits);
    return PkeyPtr(key, EVP_PKEY_free);
}

inline int coordinateBytes(const QString &crv)
{
    return crv == "P-256"_L1 ? 32 : crv == "P-384"_L1 ? 48 : 66;
}

// The public half of a generated key as a JWK object (what an IdP's JWKS would serve).
inline QJsonObject publicJwkJson(EVP_PKEY *key, const QString &kid, const QString &crv = {})
{
    QJsonObject jwk{{u"kid"_s, kid}, {u"use"_s, u"sig"_s}};
    if (crv.isEmpty()) {
        jwk.insert(u"kty"_s, u"RSA"_s);
        jwk.insert(u"n"_s, QString::fromLatin1(b64u(bignumBytes(key, OSSL_PKEY_PARAM_RSA_N))));
        jwk.insert(u"e"_s, QString::fromLatin1(b64u(bignumBytes(key, OSSL_PKEY_PARAM_RSA_E))));
    } else {
        jwk.insert(u"kty"_s, u"EC"_s);
        jwk.insert(u"crv"_s, crv);
        jwk.insert(u"x"_s, QString::fromLatin1(b64u(bignumBytes(key, OSSL_PKEY_PARAM_EC_PUB_X, coordinateBytes(crv)))));
        jwk.insert(u"y"_s, QString::fromLatin1(b64u(bignumBytes(key, OSSL_PKEY_PARAM_EC_PUB_Y, coordinateBytes(crv)))));
    }
    return jwk;
}

inline QByteArray bioText(BIO *bio)
{
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return QByteArray(data, qsizetype(length));
}

inline QByteArray publicPem(EVP_PKEY *key)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PUBKEY(bio.get(), key);
    return bioText(bio.get());
}

inline QByteArray signWith(EVP_PKEY *key, JwsAlgorithm algorithm, QByteArrayView input)
{
    const auto family = Internal::jwsFamily(algorithm);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_PKEY_CTX *keyContext = nullptr;
    const char *digest = Internal::jwsDigestName(algorithm);
    if (EVP_DigestSignInit_ex(ctx.get(), &keyContext, digest, nullptr, nullptr, key, nullptr) != 1)
        return {};
    if (family == Internal::JwsFamily::RsaPss) {
        EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_rsa_mgf1_md_name(keyContext, digest, nullptr);
        EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST);
    }
    const auto *data = reinterpret_cast<const unsigned char *>(input.data());
    size_t length = 0;
    EVP_DigestSign(ctx.get(), nullptr, &length, data, size_t(input.size()));
    QByteArray signature(qsizetype(length), Qt::Uninitialized);
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length, data, size_t(input.size()));
    signature.resize(qsizetype(length));
    if (family != Internal::JwsFamily::Ecdsa)
        return signature;
    // DER → R||S, each padded to the curve's coordinate size.
    const auto *der = reinterpret_cast<const unsigned char *>(signature.constData());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(d2i_ECDSA_SIG(nullptr, &der, long(signature.size())),
                                                              ECDSA_SIG_free);
    const int half = coordinateBytes(QLatin1StringView(Internal::jwsCurve(algorithm)));
    QByteArray raw(2 * half, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), reinterpret_cast<unsigned char *>(raw.data()), half);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), reinterpret_cast<unsigned char *>(raw.data()) + half, half);
    return raw;
}

inline QByteArray hmac(const QByteArray &secret, JwsAlgorithm algorithm, QByteArrayView input)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t length = 0;
    EVP_Q_mac(nullptr, "HMAC", nullptr, Internal::jwsDigestName(algorithm), nullptr, secret.constData(),
              size_t(secret.size()), reinterpret_cast<const unsigned char *>(input.data()), size_t(input.size()),
              out, sizeof out, &length);
    return QByteArray(reinterpret_cast<const char *>(out), qsizetype(length));
}

inline Signer keySigner(const PkeyPtr &key, JwsAlgorithm algorithm)
{
    return [key, algorithm](QByteArrayView input) { return signWith(key.get(), algorithm, input); };
}

inline Signer secretSigner(const QByteArray &secret, JwsAlgorithm algorithm)
{
    return [secret, algorithm](QByteArrayView input) { return hmac(secret, algorithm, input); };
}

inline QByteArray makeToken(const QJsonObject &header, const QByteArray &payload, const Signer &signer)
{
    const QByteArray input = b64u(compactJson(header)) + '.' + b64u(payload);
    return input + '.' + (signer ? b64u(signer(input)) : QByteArray());
}

inline QByteArray makeToken(const QJsonObject &header, const QJsonObject &claims, const Signer &signer)
{
    return makeToken(header, compactJson(claims), signer);
}

inline QJsonObject baseClaims()
{
    return {{u"iss"_s, Issuer},   {u"aud"_s, Audience},      {u"sub"_s, u"user-42"_s},
            {u"exp"_s, Now + 600}, {u"iat"_s, Now - 10},     {u"scope"_s, u"orders:read orders:write"_s}};
}

inline QJsonObject with(QJsonObject object, const QString &key, const QJsonValue &value)
{
    object.insert(key, value);
    return object;
}

inline QJsonObject without(QJsonObject object, const QString &key)
{
    object.remove(key);
    return object;
}

inline JwtPolicy basePolicy(const QStringList &algorithms = {u"RS256"_s, u"ES256"_s})
{
    JwtPolicy policy;
    for (const QString &name : algorithms)
        policy.allowedAlgorithms.append(*jwsAlgorithmFromName(name));
    policy.allowedIssuers = {Issuer};
    policy.audiences = {Audience};
    policy.nowSeconds = Now;
    return policy;
}

// The error code, or "(accepted)": never calls error() on a success.
template<typename T>
QString codeOf(const Result<T> &result)
{
    return result ? u"(accepted)"_s : result.error().code;
}

inline QByteArray replaceSegment(const QByteArray &token, int index, const QByteArray &segment)
{
    QList<QByteArray> parts = token.split('.');
    parts[index] = segment;
    return parts.join('.');
}

} // namespace Conflux::Test
