#include "jws_p.h"

#include "jwk.h"
#include "jwt.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>

using namespace Qt::StringLiterals;

namespace Conflux::Security {

namespace {
struct AlgorithmInfo
{
    JwsAlgorithm algorithm;
    const char *name;
    Internal::JwsFamily family;
    int hashBytes;
    const char *curve;
};

using Internal::JwsFamily;
constexpr AlgorithmInfo algorithms[] = {
    {JwsAlgorithm::HS256, "HS256", JwsFamily::Hmac, 32, nullptr},
    {JwsAlgorithm::HS384, "HS384", JwsFamily::Hmac, 48, nullptr},
    {JwsAlgorithm::HS512, "HS512", JwsFamily::Hmac, 64, nullptr},
    {JwsAlgorithm::RS256, "RS256", JwsFamily::RsaPkcs1, 32, nullptr},
    {JwsAlgorithm::RS384, "RS384", JwsFamily::RsaPkcs1, 48, nullptr},
    {JwsAlgorithm::RS512, "RS512", JwsFamily::RsaPkcs1, 64, nullptr},
    {JwsAlgorithm::PS256, "PS256", JwsFamily::RsaPss, 32, nullptr},
    {JwsAlgorithm::PS384, "PS384", JwsFamily::RsaPss, 48, nullptr},
    {JwsAlgorithm::PS512, "PS512", JwsFamily::RsaPss, 64, nullptr},
    {JwsAlgorithm::ES256, "ES256", JwsFamily::Ecdsa, 32, "P-256"},
    {JwsAlgorithm::ES384, "ES384", JwsFamily::Ecdsa, 48, "P-384"},
    {JwsAlgorithm::ES512, "ES512", JwsFamily::Ecdsa, 64, "P-521"},
};

const AlgorithmInfo &info(JwsAlgorithm algorithm)
{
    for (const AlgorithmInfo &entry : algorithms) {
        if (entry.algorithm == algorithm)
            return entry;
    }
    Q_UNREACHABLE();
}

const char *digestName(int hashBytes)
{
    return hashBytes == 32 ? "SHA256" : hashBytes == 48 ? "SHA384" : "SHA512";
}

int base64UrlValue(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

// Leaves no OpenSSL errors behind on this thread for unrelated code to trip over.
struct ErrorQueueGuard
{
    ~ErrorQueueGuard() { ERR_clear_error(); }
};

bool verifyHmac(JwsAlgorithm algorithm, const QByteArray &secret, QByteArrayView input,
                QByteArrayView signature)
{
    const AlgorithmInfo &alg = info(algorithm);
    if (signature.size() != alg.hashBytes || secret.isEmpty())
        return false;
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t macLength = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, digestName(alg.hashBytes), nullptr, secret.constData(),
                   size_t(secret.size()), reinterpret_cast<const unsigned char *>(input.data()),
                   size_t(input.size()), mac, sizeof mac, &macLength)) {
        return false;
    }
    const bool equal = macLength == size_t(signature.size())
                       && CRYPTO_memcmp(mac, signature.data(), macLength) == 0;
    OPENSSL_cleanse(mac, sizeof mac);
    return equal;
}

// JWS carries ECDSA signatures as the fixed-size big-endian R || S (RFC 7518 §3.4); OpenSSL
// verifies the DER SEQUENCE { r INTEGER, s INTEGER }.
QByteArray ecdsaRawToDer(QByteArrayView raw)
{
    const qsizetype half = raw.size() / 2;
    const auto *bytes = reinterpret_cast<const unsigned char *>(raw.data());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), ECDSA_SIG_free);
    BIGNUM *r = BN_bin2bn(bytes, int(half), nullptr);
    BIGNUM *s = BN_bin2bn(bytes + half, int(half), nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return {};
    }
    const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (length <= 0)
        return {};
    QByteArray der(length, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(der.data());
    if (i2d_ECDSA_SIG(sig.get(), &out) != length)
        return {};
    return der;
}

int ecCoordinateBytes(const char *curve)
{
    const QByteArrayView name(curve);
    return name == "P-256" ? 32 : name == "P-384" ? 48 : 66;
}

bool verifyAsymmetric(JwsAlgorithm algorithm, EVP_PKEY *key, QByteArrayView input,
                      QByteArrayView signature)
{
    const AlgorithmInfo &alg = info(algorithm);
    QByteArray der;
    if (alg.family == JwsFamily::Ecdsa) {
        // A wrong size would otherwise be cut into an R and S of the wrong lengths.
        if (signature.size() != 2 * ecCoordinateBytes(alg.curve))
            return false;
        der = ecdsaRawToDer(signature);
        if (der.isEmpty())
            return false;
        signature = der;
    }

    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_PKEY_CTX *keyContext = nullptr;  // owned by ctx
    if (!ctx
        || EVP_DigestVerifyInit_ex(ctx.get(), &keyContext, digestName(alg.hashBytes), nullptr,
                                   nullptr, key, nullptr) != 1) {
        return false;
    }
    if (alg.family == JwsFamily::RsaPkcs1) {
        if (EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) <= 0)
            return false;
    } else if (alg.family == JwsFamily::RsaPss) {
        // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash output.
        if (EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) <= 0
            || EVP_PKEY_CTX_set_rsa_mgf1_md_name(keyContext, digestName(alg.hashBytes), nullptr) <= 0
            || EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) <= 0) {
            return false;
        }
    }
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(signature.data()),
                            size_t(signature.size()),
                            reinterpret_cast<const unsigned char *>(input.data()),
                            size_t(input.size()))
           == 1;
}
} // namespace

QString jwsAlgorithmName(JwsAlgorithm algorithm)
{
    return QString::fromLatin1(info(algorithm).name);
}

std::optional<JwsAlgorithm> jwsAlgorithmFromName(QStringView name)
{
    for (const AlgorithmInfo &entry : algorithms) {
        if (name == QLatin1StringView(entry.name))
            return entry.algorithm;
    }
    return std::nullopt;
}

QList<JwsAlgorithm> allJwsAlgorithms()
{
    QList<JwsAlgorithm> all;
    for (const AlgorithmInfo &entry : algorithms)
        all.append(entry.algorithm);
    return all;
}

namespace Internal {

JwsFamily jwsFamily(JwsAlgorithm algorithm)
{
    return info(algorithm).family;
}

int jwsHashBytes(JwsAlgorithm algorithm)
{
    return info(algorithm).hashBytes;
}

const char *jwsDigestName(JwsAlgorithm algorithm)
{
    return digestName(info(algorithm).hashBytes);
}

const char *jwsCurve(JwsAlgorithm algorithm)
{
    return info(algorithm).curve;
}

std::optional<QByteArray> decodeBase64Url(QByteArrayView text, qsizetype *errorAt)
{
    // One leftover character carries only 6 bits: never a whole byte.
    if (text.size() % 4 == 1) {
        if (errorAt)
            *errorAt = text.size() - 1;
        return std::nullopt;
    }
    QByteArray out;
    out.reserve(text.size() * 3 / 4);
    quint32 accumulator = 0;
    int bits = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const int value = base64UrlValue(text.at(i));
        if (value < 0) {
            if (errorAt)
                *errorAt = i;
            return std::nullopt;
        }
        accumulator = (accumulator << 6) | quint32(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.append(char((accumulator >> bits) & 0xFF));
            accumulator &= (1u << bits) - 1;
        }
    }
    if (bits > 0 && accumulator != 0) {
        if (errorAt)
            *errorAt = text.size() - 1;
        return std::nullopt;
    }
    return out;
}

bool verifyJwsSignature(JwsAlgorithm algorithm, const Jwk &key, QByteArrayView signingInput,
                        QByteArrayView signature)
{
    const ErrorQueueGuard guard;
    if (jwsFamily(algorithm) == JwsFamily::Hmac) {
        if (key.type() != Jwk::Type::Oct)
            return false;
        return verifyHmac(algorithm, key.secret(), signingInput, signature);
    }
    if (key.type() == Jwk::Type::Oct || !key.publicKey())
        return false;
    return verifyAsymmetric(algorithm, key.publicKey(), signingInput, signature);
}

} // namespace Internal
} // namespace Conflux::Security
