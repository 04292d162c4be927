#include "jwk.h"

#include "jws_p.h"
#include "jwt.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

using namespace Qt::StringLiterals;

namespace Conflux::Security {
namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Security::Jwk)
};

constexpr int MinRsaBits = 2048;
constexpr int MaxRsaBits = 16384;
constexpr int MinSecretBytes = 32;

template<typename T, void (*Free)(T *)>
struct Deleter
{
    void operator()(T *p) const { Free(p); }
};
using PkeyContextPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using ParamBuilderPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using DecoderPtr = std::unique_ptr<OSSL_DECODER_CTX, Deleter<OSSL_DECODER_CTX, OSSL_DECODER_CTX_free>>;

struct ErrorQueueGuard
{
    ~ErrorQueueGuard() { ERR_clear_error(); }
};

struct Curve
{
    const char *jose;     // crv
    const char *openssl;  // OSSL_PKEY_PARAM_GROUP_NAME
    int coordinateBytes;
};
constexpr Curve curves[] = {
    {"P-256", "prime256v1", 32},
    {"P-384", "secp384r1", 48},
    {"P-521", "secp521r1", 66},
};

const Curve *curveByJoseName(const QString &name)
{
    for (const Curve &curve : curves) {
        if (name == QLatin1StringView(curve.jose))
            return &curve;
    }
    return nullptr;
}

const Curve *curveByOpenSslName(QByteArrayView name)
{
    for (const Curve &curve : curves) {
        if (name == curve.openssl)
            return &curve;
    }
    return nullptr;
}

// Reads an optional string member; an error when present with another type.
Result<QString> optionalString(const QJsonObject &object, const QString &name)
{
    const QJsonValue value = object.value(name);
    if (value.isUndefined())
        return QString();
    if (!value.isString())
        return makeError("jwk_invalid", Tr::tr("JWK member \"%1\" must be a string").arg(name));
    return value.toString();
}

// Reads a required base64url member (RFC 7518 key parameters).
Result<QByteArray> requiredBytes(const QJsonObject &object, const QString &name)
{
    const QJsonValue value = object.value(name);
    if (value.isUndefined())
        return makeError("jwk_invalid", Tr::tr("JWK member \"%1\" is missing").arg(name));
    if (!value.isString())
        return makeError("jwk_invalid", Tr::tr("JWK member \"%1\" must be a string").arg(name));
    const QByteArray text = value.toString().toLatin1();
    qsizetype errorAt = -1;
    std::optional<QByteArray> bytes = Internal::decodeBase64Url(text, &errorAt);
    if (!bytes) {
        Error error = makeError("jwk_invalid", Tr::tr("JWK member \"%1\" is not base64url without "
                                                      "padding (character %2)")
                                                   .arg(name)
                                                   .arg(errorAt));
        error.offset = errorAt;
        return error;
    }
    if (bytes->isEmpty())
        return makeError("jwk_invalid", Tr::tr("JWK member \"%1\" is empty").arg(name));
    return *bytes;
}

Error opensslRefused(const QString &what)
{
    return makeError("jwk_invalid", Tr::tr("%1 is not a valid public key").arg(what));
}

// Builds a public EVP_PKEY of `type` from `params` and runs OpenSSL's public key check
// (RSA: odd modulus, sane exponent, no small factors; EC: the point is on the curve).
std::shared_ptr<evp_pkey_st> publicKeyFromData(const char *type, OSSL_PARAM *params)
{
    PkeyContextPtr context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY *raw = nullptr;
    if (!context || EVP_PKEY_fromdata_init(context.get()) <= 0
        || EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        return {};
    }
    std::shared_ptr<evp_pkey_st> key(raw, EVP_PKEY_free);
    PkeyContextPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return {};
    return key;
}

std::shared_ptr<evp_pkey_st> rsaPublicKey(const QByteArray &n, const QByteArray &e)
{
    BignumPtr modulus(BN_bin2bn(reinterpret_cast<const unsigned char *>(n.constData()), int(n.size()), nullptr));
    BignumPtr exponent(BN_bin2bn(reinterpret_cast<const unsigned char *>(e.constData()), int(e.size()), nullptr));
    ParamBuilderPtr builder(OSSL_PARAM_BLD_new());
    if (!modulus || !exponent || !builder
        || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get())
        || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get())) {
        return {};
    }
    ParamsPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
    return params ? publicKeyFromData("RSA", params.get()) : nullptr;
}

std::shared_ptr<evp_pkey_st> ecPublicKey(const Curve &curve, const QByteArray &x, const QByteArray &y)
{
    const QByteArray point = QByteArray(1, '\x04') + x + y;  // SEC 1 uncompressed point
    ParamBuilderPtr builder(OSSL_PARAM_BLD_new());
    if (!builder
        || !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.openssl, 0)
        || !OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                             size_t(point.size()))) {
        return {};
    }
    ParamsPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
    return params ? publicKeyFromData("EC", params.get()) : nullptr;
}

QString describeKey(const Jwk &key)
{
    return key.keyId().isEmpty() ? Tr::tr("the %1 key without kid").arg(key.typeName())
                                 : Tr::tr("%1 key \"%2\"").arg(key.typeName(), key.keyId());
}
} // namespace

// ---- Jwk ----------------------------------------------------------------------------------

Result<Jwk> Jwk::fromJson(const QJsonObject &object)
{
    const ErrorQueueGuard guard;
    const QJsonValue kty = object.value("kty"_L1);
    if (!kty.isString())
        return makeError("jwk_invalid", Tr::tr("JWK member \"kty\" is missing or not a string"));

    Jwk key;
    for (auto [name, field] : {std::pair{u"kid"_s, &key.m_keyId}, std::pair{u"alg"_s, &key.m_algorithm},
                               std::pair{u"use"_s, &key.m_use}}) {
        Result<QString> value = optionalString(object, name);
        if (!value)
            return value.error();
        *field = *value;
    }
    const QJsonValue ops = object.value("key_ops"_L1);
    if (!ops.isUndefined()) {
        if (!ops.isArray())
            return makeError("jwk_invalid", Tr::tr("JWK member \"key_ops\" must be an array of strings"));
        const QJsonArray list = ops.toArray();
        for (const QJsonValue &op : list) {
            if (!op.isString())
                return makeError("jwk_invalid", Tr::tr("JWK member \"key_ops\" must be an array of strings"));
            key.m_operations.append(op.toString());
        }
    }

    const QString type = kty.toString();
    if (type == "RSA"_L1) {
        Result<QByteArray> n = requiredBytes(object, u"n"_s);
        if (!n)
            return n.error();
        Result<QByteArray> e = requiredBytes(object, u"e"_s);
        if (!e)
            return e.error();
        // Cheap size checks before OpenSSL does any arithmetic on attacker-sized numbers.
        if (n->size() > MaxRsaBits / 8 + 1)
            return makeError("jwk_unsupported", Tr::tr("RSA modulus larger than %1 bits").arg(MaxRsaBits));
        if (e->size() > 32)
            return makeError("jwk_invalid", Tr::tr("RSA public exponent larger than 256 bits"));
        key.m_type = Type::Rsa;
        key.m_key = rsaPublicKey(*n, *e);
        if (!key.m_key)
            return opensslRefused(Tr::tr("RSA key (n, e)"));
        key.m_bits = EVP_PKEY_get_bits(key.m_key.get());
        if (key.m_bits < MinRsaBits) {
            return makeError("jwk_weak_key", Tr::tr("RSA modulus of %1 bits; at least %2 are required")
                                                 .arg(key.m_bits)
                                                 .arg(MinRsaBits));
        }
    } else if (type == "EC"_L1) {
        Result<QString> crv = optionalString(object, u"crv"_s);
        if (!crv)
            return crv.error();
        const Curve *curve = curveByJoseName(*crv);
        if (!curve) {
            return makeError("jwk_unsupported", Tr::tr("EC curve \"%1\" is not supported (P-256, P-384, "
                                                       "P-521 are)")
                                                    .arg(crv->left(32)));
        }
        Result<QByteArray> x = requiredBytes(object, u"x"_s);
        if (!x)
            return x.error();
        Result<QByteArray> y = requiredBytes(object, u"y"_s);
        if (!y)
            return y.error();
        // RFC 7518 §6.2.1.2/3: coordinates have the full size of the curve.
        if (x->size() != curve->coordinateBytes || y->size() != curve->coordinateBytes) {
            return makeError("jwk_invalid", Tr::tr("EC coordinates for %1 must be %2 bytes each")
                                                .arg(QLatin1StringView(curve->jose))
                                                .arg(curve->coordinateBytes));
        }
        key.m_type = Type::Ec;
        key.m_curve = QLatin1StringView(curve->jose);
        key.m_key = ecPublicKey(*curve, *x, *y);
        if (!key.m_key)
            return opensslRefused(Tr::tr("EC key (x, y on %1)").arg(key.m_curve));
        key.m_bits = EVP_PKEY_get_bits(key.m_key.get());
    } else if (type == "oct"_L1) {
        Result<QByteArray> k = requiredBytes(object, u"k"_s);
        if (!k)
            return k.error();
        Result<Jwk> secret = fromSecret(*k, key.m_keyId);
        if (!secret)
            return secret.error();
        key.m_type = Type::Oct;
        key.m_secret = secret->m_secret;
        key.m_bits = secret->m_bits;
    } else {
        return makeError("jwk_unsupported", Tr::tr("JWK key type \"%1\" is not supported (RSA, EC, oct are)")
                                                .arg(type.left(32)));
    }
    return key;
}

Result<Jwk> Jwk::fromPem(const QByteArray &pem, const QString &keyId)
{
    const ErrorQueueGuard guard;
    if (pem.contains("PRIVATE KEY")) {
        return makeError("jwk_invalid", Tr::tr("a private key was given; configure the public key (or "
                                               "certificate) instead"));
    }
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    if (!bio)
        return makeError("jwk_invalid", Tr::tr("cannot read the PEM text"));

    EVP_PKEY *raw = nullptr;
    if (pem.contains("-----BEGIN CERTIFICATE-----")) {
        X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
        if (certificate)
            raw = X509_get_pubkey(certificate.get());
    } else if (pem.contains("-----BEGIN RSA PUBLIC KEY-----")) {
        DecoderPtr decoder(OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", "type-specific", "RSA",
                                                         EVP_PKEY_PUBLIC_KEY, nullptr, nullptr));
        const auto *data = reinterpret_cast<const unsigned char *>(pem.constData());
        size_t length = size_t(pem.size());
        if (!decoder || !OSSL_DECODER_from_data(decoder.get(), &data, &length)) {
            EVP_PKEY_free(raw);
            raw = nullptr;
        }
    } else {
        raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    }
    if (!raw) {
        return makeError("jwk_invalid", Tr::tr("no PEM public key, RSA public key or certificate could be "
                                               "read"));
    }

    Jwk key;
    key.m_keyId = keyId;
    key.m_key.reset(raw, EVP_PKEY_free);
    key.m_bits = EVP_PKEY_get_bits(raw);
    if (EVP_PKEY_is_a(raw, "RSA")) {
        key.m_type = Type::Rsa;
        if (key.m_bits < MinRsaBits || key.m_bits > MaxRsaBits) {
            return makeError("jwk_weak_key", Tr::tr("RSA modulus of %1 bits; %2 to %3 are accepted")
                                                 .arg(key.m_bits)
                                                 .arg(MinRsaBits)
                                                 .arg(MaxRsaBits));
        }
    } else if (EVP_PKEY_is_a(raw, "EC")) {
        char group[64] = {};
        size_t length = 0;
        const Curve *curve = nullptr;
        if (EVP_PKEY_get_utf8_string_param(raw, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length))
            curve = curveByOpenSslName(QByteArrayView(group, qsizetype(length)));
        if (!curve) {
            return makeError("jwk_unsupported", Tr::tr("EC curve \"%1\" is not supported (P-256, P-384, "
                                                       "P-521 are)")
                                                    .arg(QString::fromLatin1(group)));
        }
        key.m_type = Type::Ec;
        key.m_curve = QLatin1StringView(curve->jose);
    } else {
        return makeError("jwk_unsupported", Tr::tr("only RSA and EC public keys are supported"));
    }
    PkeyContextPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, raw, nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return opensslRefused(Tr::tr("the PEM key"));
    return key;
}

Result<Jwk> Jwk::fromSecret(const QByteArray &secret, const QString &keyId)
{
    if (secret.size() < MinSecretBytes) {
        return makeError("jwk_weak_key", Tr::tr("HMAC secret of %1 bytes; at least %2 are required")
                                             .arg(secret.size())
                                             .arg(MinSecretBytes));
    }
    Jwk key;
    key.m_type = Type::Oct;
    key.m_keyId = keyId;
    key.m_secret = secret;
    key.m_bits = int(secret.size() * 8);
    return key;
}

QString Jwk::typeName() const
{
    switch (m_type) {
    case Type::Rsa:
        return u"RSA"_s;
    case Type::Ec:
        return u"EC"_s;
    case Type::Oct:
        break;
    }
    return u"oct"_s;
}

bool Jwk::canVerify(JwsAlgorithm algorithm, QString *reason) const
{
    using Internal::JwsFamily;
    const QString name = jwsAlgorithmName(algorithm);
    auto refuse = [&](const QString &why) {
        if (reason)
            *reason = why;
        return false;
    };
    if (isNull())
        return refuse(Tr::tr("the key is empty"));
    switch (Internal::jwsFamily(algorithm)) {
    case JwsFamily::Hmac:
        if (m_type != Type::Oct)
            return refuse(Tr::tr("%1 cannot verify %2, which needs a symmetric (oct) key").arg(describeKey(*this), name));
        if (m_secret.size() < Internal::jwsHashBytes(algorithm)) {
            return refuse(Tr::tr("%1 is %2 bytes, too short for %3 (at least %4)")
                              .arg(describeKey(*this))
                              .arg(m_secret.size())
                              .arg(name)
                              .arg(Internal::jwsHashBytes(algorithm)));
        }
        break;
    case JwsFamily::RsaPkcs1:
    case JwsFamily::RsaPss:
        if (m_type != Type::Rsa)
            return refuse(Tr::tr("%1 cannot verify %2, which needs an RSA key").arg(describeKey(*this), name));
        break;
    case JwsFamily::Ecdsa:
        if (m_type != Type::Ec || m_curve != QLatin1StringView(Internal::jwsCurve(algorithm))) {
            return refuse(Tr::tr("%1 cannot verify %2, which needs an EC key on %3")
                              .arg(describeKey(*this), name, QLatin1StringView(Internal::jwsCurve(algorithm))));
        }
        break;
    }
    if (!m_algorithm.isEmpty() && m_algorithm != name)
        return refuse(Tr::tr("%1 is for %2, not %3").arg(describeKey(*this), m_algorithm.left(16), name));
    if (!m_use.isEmpty() && m_use != "sig"_L1)
        return refuse(Tr::tr("%1 has use \"%2\", not \"sig\"").arg(describeKey(*this), m_use.left(16)));
    if (!m_operations.isEmpty() && !m_operations.contains("verify"_L1))
        return refuse(Tr::tr("%1 does not list \"verify\" in key_ops").arg(describeKey(*this)));
    return true;
}

// ---- JwkSet -------------------------------------------------------------------------------

Result<JwkSet> JwkSet::fromJson(const QByteArray &json, QStringList *skipped)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        Error error = makeError("jwk_invalid", Tr::tr("JWK Set is not valid JSON: %1 at byte %2")
                                                   .arg(parseError.errorString())
                                                   .arg(parseError.offset));
        error.offset = parseError.offset;
        return error;
    }
    if (!document.isObject())
        return makeError("jwk_invalid", Tr::tr("a JWK Set must be a JSON object with a \"keys\" array"));
    return fromJson(document.object(), skipped);
}

Result<JwkSet> JwkSet::fromJson(const QJsonObject &object, QStringList *skipped)
{
    const QJsonValue keys = object.value("keys"_L1);
    if (!keys.isArray())
        return makeError("jwk_invalid", Tr::tr("a JWK Set must be a JSON object with a \"keys\" array"));
    const QJsonArray list = keys.toArray();
    if (list.size() > MaxKeys)
        return makeError("jwk_invalid", Tr::tr("the JWK Set has %1 keys; at most %2 are read").arg(list.size()).arg(MaxKeys));

    JwkSet set;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString where = u"/keys/%1"_s.arg(i);
        if (!list.at(i).isObject())
            return makeError("jwk_invalid", Tr::tr("%1: a JWK must be a JSON object").arg(where));
        Result<Jwk> key = Jwk::fromJson(list.at(i).toObject());
        if (key) {
            set.append(*key);
        } else if (key.error().code == "jwk_unsupported"_L1 || key.error().code == "jwk_weak_key"_L1) {
            if (skipped)
                skipped->append(u"%1: %2"_s.arg(where, key.error().message));
        } else {
            Error error = key.error();
            error.message = u"%1: %2"_s.arg(where, error.message);
            return error;
        }
    }
    return set;
}

QList<Jwk> JwkSet::keysWithId(const QString &keyId) const
{
    QList<Jwk> found;
    for (const Jwk &key : m_keys) {
        if (!key.keyId().isEmpty() && key.keyId() == keyId)
            found.append(key);
    }
    return found;
}

QList<Jwk> JwkSet::keysWithoutId() const
{
    QList<Jwk> found;
    for (const Jwk &key : m_keys) {
        if (key.keyId().isEmpty())
            found.append(key);
    }
    return found;
}

JwkSet JwkSetStore::current() const
{
    const QMutexLocker locker(&m_mutex);
    return m_keys;
}

void JwkSetStore::replace(JwkSet keys)
{
    JwkSet previous;
    {
        const QMutexLocker locker(&m_mutex);
        previous = std::exchange(m_keys, std::move(keys));
    }
    // `previous` (and possibly the last reference to its OpenSSL keys) dies outside the lock.
}

} // namespace Conflux::Security
