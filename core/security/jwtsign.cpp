#include "jwtsign.h"

#include "jws_p.h"

#include <QCoreApplication>
#include <QJsonDocument>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

using namespace Qt::StringLiterals;

namespace Conflux::Security {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Security::SigningKey)
};

constexpr int MinRsaBits = 2048;

struct ErrorQueueGuard
{
    ~ErrorQueueGuard() { ERR_clear_error(); }
};

// Refuses encrypted keys instead of letting OpenSSL prompt on the terminal.
int noPassphrase(char *, int, int, void *)
{
    return -1;
}

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

int coordinateBytes(const QString &curve)
{
    return curve == "P-256"_L1 ? 32 : curve == "P-384"_L1 ? 48 : 66;
}

QString joseCurve(QByteArrayView openSslName)
{
    if (openSslName == "prime256v1" || openSslName == "P-256")
        return u"P-256"_s;
    if (openSslName == "secp384r1" || openSslName == "P-384")
        return u"P-384"_s;
    if (openSslName == "secp521r1" || openSslName == "P-521")
        return u"P-521"_s;
    return {};
}

// OpenSSL's DER SEQUENCE { r, s } → the JWS form: R and S big-endian, each padded to the
// curve's coordinate size.
QByteArray ecdsaDerToRaw(const QByteArray &der, int half)
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(der.constData());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(d2i_ECDSA_SIG(nullptr, &bytes, long(der.size())),
                                                              ECDSA_SIG_free);
    if (!sig)
        return {};
    QByteArray raw(2 * half, '\0');
    auto *out = reinterpret_cast<unsigned char *>(raw.data());
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, half) != half
        || BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + half, half) != half) {
        return {};
    }
    return raw;
}

} // namespace

Result<SigningKey> SigningKey::fromPem(const QByteArray &text)
{
    const ErrorQueueGuard guard;
    QByteArray pem = text.trimmed();
    // Keys pasted from a JSON file (a Google service account's private_key) keep "\n" escapes.
    if (!pem.contains('\n') && pem.contains("\\n"))
        pem.replace("\\n", "\n");
    if (!pem.contains("PRIVATE KEY-----")) {
        return makeError("signing_key_invalid",
                         Tr::tr("the signing key is not a PEM private key (-----BEGIN PRIVATE KEY-----)"));
    }
    if (pem.contains("ENCRYPTED")) {
        return makeError("signing_key_invalid",
                         Tr::tr("the signing key is encrypted; store it unencrypted in the secret store"));
    }
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.constData(), int(pem.size())), BIO_free);
    EVP_PKEY *raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr) : nullptr;
    if (!raw)
        return makeError("signing_key_invalid", Tr::tr("the PEM private key cannot be read"));
    SigningKey key;
    key.m_key.reset(raw, EVP_PKEY_free);
    key.m_bits = EVP_PKEY_get_bits(raw);
    if (EVP_PKEY_is_a(raw, "RSA")) {
        key.m_type = Type::Rsa;
        if (key.m_bits < MinRsaBits) {
            return makeError("signing_key_invalid",
                             Tr::tr("the RSA key has %1 bits; at least %2 are needed").arg(key.m_bits).arg(MinRsaBits));
        }
    } else if (EVP_PKEY_is_a(raw, "EC")) {
        char group[64] = {};
        size_t length = 0;
        if (EVP_PKEY_get_utf8_string_param(raw, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length))
            key.m_curve = joseCurve(QByteArrayView(group, qsizetype(length)));
        if (key.m_curve.isEmpty()) {
            return makeError("signing_key_invalid", Tr::tr("the EC key's curve \"%1\" is not supported (P-256, P-384, "
                                                           "P-521 are)")
                                                        .arg(QString::fromLatin1(group)));
        }
        key.m_type = Type::Ec;
    } else {
        return makeError("signing_key_invalid", Tr::tr("only RSA and EC private keys can sign JWTs"));
    }
    return key;
}

bool SigningKey::canSign(JwsAlgorithm algorithm, QString *reason) const
{
    auto refuse = [&](const QString &why) {
        if (reason)
            *reason = why;
        return false;
    };
    if (!m_key)
        return refuse(Tr::tr("no key"));
    switch (Internal::jwsFamily(algorithm)) {
    case Internal::JwsFamily::Hmac:
        return refuse(Tr::tr("%1 signs with a shared secret, not a private key").arg(jwsAlgorithmName(algorithm)));
    case Internal::JwsFamily::RsaPkcs1:
    case Internal::JwsFamily::RsaPss:
        if (m_type != Type::Rsa)
            return refuse(Tr::tr("%1 needs an RSA key, not an EC key").arg(jwsAlgorithmName(algorithm)));
        return true;
    case Internal::JwsFamily::Ecdsa:
        if (m_type != Type::Ec)
            return refuse(Tr::tr("%1 needs an EC key, not an RSA key").arg(jwsAlgorithmName(algorithm)));
        if (QLatin1StringView(Internal::jwsCurve(algorithm)) != m_curve) {
            return refuse(Tr::tr("%1 needs a key on %2, not %3")
                              .arg(jwsAlgorithmName(algorithm), QLatin1StringView(Internal::jwsCurve(algorithm)),
                                   m_curve));
        }
        return true;
    }
    return refuse(Tr::tr("unknown algorithm"));
}

QByteArray SigningKey::publicKeyPem() const
{
    if (!m_key)
        return {};
    const ErrorQueueGuard guard;
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), m_key.get()) != 1)
        return {};
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(length));
}

Result<QByteArray> signJwsInput(JwsAlgorithm algorithm, const SigningKey &key, QByteArrayView signingInput)
{
    const ErrorQueueGuard guard;
    QString reason;
    if (!key.canSign(algorithm, &reason))
        return makeError("jwt_algorithm_not_allowed", Tr::tr("cannot sign with %1: %2").arg(jwsAlgorithmName(algorithm), reason));
    const Internal::JwsFamily family = Internal::jwsFamily(algorithm);
    const char *digest = Internal::jwsDigestName(algorithm);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_PKEY_CTX *keyContext = nullptr; // owned by ctx
    const auto failed = [&] {
        return makeError("jwt_sign_failed", Tr::tr("OpenSSL could not sign with %1").arg(jwsAlgorithmName(algorithm)));
    };
    if (!ctx || EVP_DigestSignInit_ex(ctx.get(), &keyContext, digest, nullptr, nullptr, key.key(), nullptr) != 1)
        return failed();
    if (family == Internal::JwsFamily::RsaPkcs1) {
        if (EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) <= 0)
            return failed();
    } else if (family == Internal::JwsFamily::RsaPss) {
        // RFC 7518 §3.5: MGF1 with the same hash, a salt as long as the hash.
        if (EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) <= 0
            || EVP_PKEY_CTX_set_rsa_mgf1_md_name(keyContext, digest, nullptr) <= 0
            || EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) <= 0) {
            return failed();
        }
    }
    const auto *data = reinterpret_cast<const unsigned char *>(signingInput.data());
    size_t length = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &length, data, size_t(signingInput.size())) != 1)
        return failed();
    QByteArray signature(qsizetype(length), Qt::Uninitialized);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length, data,
                       size_t(signingInput.size()))
        != 1) {
        return failed();
    }
    signature.resize(qsizetype(length));
    if (family != Internal::JwsFamily::Ecdsa)
        return signature;
    QByteArray raw = ecdsaDerToRaw(signature, coordinateBytes(key.curve()));
    if (raw.isEmpty())
        return failed();
    return raw;
}

Result<QByteArray> signJws(JwsAlgorithm algorithm, const SigningKey &key, QJsonObject header, const QByteArray &payload)
{
    header.insert(u"alg"_s, jwsAlgorithmName(algorithm));
    const QByteArray input = base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' + base64Url(payload);
    Result<QByteArray> signature = signJwsInput(algorithm, key, input);
    if (!signature)
        return signature.error();
    return input + '.' + base64Url(*signature);
}

Result<QByteArray> signJwt(JwsAlgorithm algorithm, const SigningKey &key, const QJsonObject &claims, const QString &keyId)
{
    QJsonObject header{{u"typ"_s, u"JWT"_s}};
    if (!keyId.isEmpty())
        header.insert(u"kid"_s, keyId);
    return signJws(algorithm, key, header, QJsonDocument(claims).toJson(QJsonDocument::Compact));
}

} // namespace Conflux::Security
