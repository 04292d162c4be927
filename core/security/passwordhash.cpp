#include "passwordhash.h"

#include <QCoreApplication>
#include <QMessageAuthenticationCode>
#include <QMutexLocker>
#include <QRegularExpression>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <chrono>
#include <memory>

using namespace Qt::StringLiterals;

namespace Conflux::Security {
namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Security::PasswordHash)
};

constexpr int SaltBytes = 16;
constexpr int HashBytes = 32;

template<typename T, void (*Free)(T *)>
struct Deleter
{
    void operator()(T *p) const { Free(p); }
};
using KdfPtr = std::unique_ptr<EVP_KDF, Deleter<EVP_KDF, EVP_KDF_free>>;
using KdfContextPtr = std::unique_ptr<EVP_KDF_CTX, Deleter<EVP_KDF_CTX, EVP_KDF_CTX_free>>;

constexpr auto B64 = QByteArray::Base64Encoding | QByteArray::OmitTrailingEquals;

// Strict PHC "B64": standard alphabet, no padding, and the canonical encoding (so that a
// changed trailing bit is an error rather than the same bytes).
bool decodeB64(QStringView text, QByteArray *out)
{
    static const QRegularExpression alphabet(u"^[A-Za-z0-9+/]+$"_s);
    if (!alphabet.match(text).hasMatch())
        return false;
    const QByteArray ascii = text.toLatin1();
    auto decoded = QByteArray::fromBase64Encoding(ascii, QByteArray::Base64Encoding
                                                             | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.toBase64(B64) != ascii)
        return false;
    *out = std::move(decoded.decoded);
    return true;
}

Error malformed(const QString &why)
{
    return makeError("password_hash_malformed", Tr::tr("The stored password hash is malformed"), {why});
}

Error parametersInvalid(const ScryptParameters &p)
{
    return makeError("password_hash_parameters_invalid",
                     Tr::tr("scrypt parameters ln=%1, r=%2, p=%3 are outside the allowed limits")
                         .arg(p.logN)
                         .arg(p.r)
                         .arg(p.p),
                     {Tr::tr("allowed: ln 1–%1, r 1–%2, p 1–%3, 128·r·N at most %4 MiB, N·r·p at most %5 "
                             "and N < 2^(16·r)")
                          .arg(ScryptLimits::MaxLogN)
                          .arg(ScryptLimits::MaxR)
                          .arg(ScryptLimits::MaxP)
                          .arg(ScryptLimits::MaxMemoryBytes / (1024 * 1024))
                          .arg(ScryptLimits::MaxWork)});
}

qint64 steadyMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}
} // namespace

// ---- ScryptParameters ---------------------------------------------------------------------

quint64 ScryptParameters::memoryBytes() const
{
    // OpenSSL's scrypt allocates B (128·r·p) and V (128·r·(N+2)) bytes; see kdf_scrypt.c.
    if (logN < 1 || logN > 62 || r < 1 || p < 1)
        return 0;
    return 128ull * quint64(r) * ((1ull << logN) + 2 + quint64(p));
}

bool ScryptParameters::isWithinLimits() const
{
    if (logN < 1 || logN > ScryptLimits::MaxLogN || r < 1 || r > ScryptLimits::MaxR || p < 1
        || p > ScryptLimits::MaxP)
        return false;
    // RFC 7914 §2: N must be less than 2^(128·r/8); OpenSSL refuses otherwise.
    if (logN >= 16 * r)
        return false;
    const quint64 n = 1ull << logN;
    return 128ull * quint64(r) * n <= ScryptLimits::MaxMemoryBytes
           && n * quint64(r) * quint64(p) <= ScryptLimits::MaxWork;
}

// ---- PasswordHash -------------------------------------------------------------------------

Result<PasswordHash> PasswordHash::parse(QStringView encoded)
{
    // Refuse early anything far longer than a valid string could be.
    if (encoded.size() > 256)
        return malformed(Tr::tr("longer than 256 characters"));
    const QList<QStringView> fields = encoded.split(u'$');
    // "", "scrypt", params, salt, hash
    if (fields.size() >= 2 && fields.at(0).isEmpty() && fields.at(1) != u"scrypt")
        return makeError("password_hash_unsupported",
                         Tr::tr("The stored password hash uses an unsupported algorithm"));
    if (fields.size() != 5 || !fields.at(0).isEmpty())
        return malformed(Tr::tr("expected $scrypt$ln=…,r=…,p=…$salt$hash"));

    static const QRegularExpression params(u"^ln=(0|[1-9][0-9]{0,2}),r=(0|[1-9][0-9]{0,3}),p=(0|[1-9][0-9]{0,3})$"_s);
    const QRegularExpressionMatch match = params.match(fields.at(2));
    if (!match.hasMatch())
        return malformed(Tr::tr("parameters must be \"ln=<n>,r=<n>,p=<n>\""));

    PasswordHash out;
    out.parameters.logN = match.capturedView(1).toInt();
    out.parameters.r = match.capturedView(2).toInt();
    out.parameters.p = match.capturedView(3).toInt();
    if (!out.parameters.isWithinLimits())
        return parametersInvalid(out.parameters);

    if (!decodeB64(fields.at(3), &out.salt))
        return malformed(Tr::tr("the salt is not canonical unpadded base64"));
    if (!decodeB64(fields.at(4), &out.hash))
        return malformed(Tr::tr("the hash is not canonical unpadded base64"));
    using namespace ScryptLimits;
    if (out.salt.size() < MinSaltBytes || out.salt.size() > MaxSaltBytes)
        return malformed(Tr::tr("the salt must be %1–%2 bytes").arg(MinSaltBytes).arg(MaxSaltBytes));
    if (out.hash.size() < MinHashBytes || out.hash.size() > MaxHashBytes)
        return malformed(Tr::tr("the hash must be %1–%2 bytes").arg(MinHashBytes).arg(MaxHashBytes));
    return out;
}

QString PasswordHash::toString() const
{
    return u"$scrypt$ln=%1,r=%2,p=%3$"_s.arg(parameters.logN).arg(parameters.r).arg(parameters.p)
           + QString::fromLatin1(salt.toBase64(B64)) + u'$' + QString::fromLatin1(hash.toBase64(B64));
}

// ---- PasswordHasher -----------------------------------------------------------------------

Result<QByteArray> PasswordHasher::scrypt(QByteArrayView password, QByteArrayView salt,
                                          const ScryptParameters &parameters, int length)
{
    if (!parameters.isWithinLimits())
        return parametersInvalid(parameters);
    const auto failed = [] {
        return makeError("password_hash_failed", Tr::tr("scrypt key derivation failed (OpenSSL)"));
    };
    const KdfPtr kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_SCRYPT, nullptr));
    if (!kdf)
        return failed();
    const KdfContextPtr context(EVP_KDF_CTX_new(kdf.get()));
    if (!context)
        return failed();

    // OpenSSL copies the octet strings; an empty one still needs a valid pointer.
    static const char empty = 0;
    uint64_t n = uint64_t(1) << parameters.logN;
    uint32_t r = uint32_t(parameters.r);
    uint32_t p = uint32_t(parameters.p);
    uint64_t maxMemory = parameters.memoryBytes();
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                          const_cast<char *>(password.isEmpty() ? &empty : password.data()),
                                          size_t(password.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                          const_cast<char *>(salt.isEmpty() ? &empty : salt.data()),
                                          size_t(salt.size())),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxMemory),
        OSSL_PARAM_construct_end(),
    };
    QByteArray key(length, Qt::Uninitialized);
    if (EVP_KDF_derive(context.get(), reinterpret_cast<unsigned char *>(key.data()), size_t(length), params) != 1)
        return failed();
    return key;
}

Result<QString> PasswordHasher::hash(QByteArrayView password) const
{
    PasswordHash out;
    out.parameters = m_parameters;
    out.salt = QByteArray(SaltBytes, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(out.salt.data()), SaltBytes) != 1)
        return makeError("password_hash_failed", Tr::tr("The random number generator failed (OpenSSL)"));
    Result<QByteArray> key = scrypt(password, out.salt, m_parameters, HashBytes);
    if (!key)
        return key.error();
    out.hash = std::move(*key);
    return out.toString();
}

Result<bool> PasswordHasher::verify(QByteArrayView password, QStringView encoded) const
{
    Result<PasswordHash> stored = PasswordHash::parse(encoded);
    if (!stored)
        return stored.error();
    Result<QByteArray> key = scrypt(password, stored->salt, stored->parameters, int(stored->hash.size()));
    if (!key)
        return key.error();
    return CRYPTO_memcmp(key->constData(), stored->hash.constData(), size_t(key->size())) == 0;
}

bool PasswordHasher::needsRehash(QStringView encoded) const
{
    Result<PasswordHash> stored = PasswordHash::parse(encoded);
    if (!stored)
        return true;
    const ScryptParameters &p = stored->parameters;
    return p.logN < m_parameters.logN || p.r < m_parameters.r || p.p < m_parameters.p
           || stored->salt.size() < SaltBytes || stored->hash.size() < HashBytes;
}

// ---- VerifiedPasswordCache ----------------------------------------------------------------

VerifiedPasswordCache::VerifiedPasswordCache() : VerifiedPasswordCache(Options()) {}

VerifiedPasswordCache::VerifiedPasswordCache(Options options)
    : m_options(std::move(options)), m_secret(32, Qt::Uninitialized)
{
    if (RAND_bytes(reinterpret_cast<unsigned char *>(m_secret.data()), int(m_secret.size())) != 1) {
        // Without a secret the keys would be plain hashes of passwords: cache nothing.
        m_options.maxEntries = 0;
    }
}

QByteArray VerifiedPasswordCache::keyOf(QStringView user, QByteArrayView password, QStringView storedHash) const
{
    // Length-prefixed fields, so that ("ab", "c") and ("a", "bc") differ.
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, m_secret);
    const auto field = [&mac](QByteArrayView bytes) {
        const quint64 size = quint64(bytes.size());
        char length[8];
        for (int i = 0; i < 8; ++i)
            length[i] = char((size >> (8 * (7 - i))) & 0xff);
        mac.addData(length, 8);
        mac.addData(bytes.data(), bytes.size());
    };
    field(user.toUtf8());
    field(password);
    field(storedHash.toUtf8());
    return mac.result();
}

qint64 VerifiedPasswordCache::now() const
{
    return m_options.clock ? m_options.clock() : steadyMs();
}

bool VerifiedPasswordCache::contains(QStringView user, QByteArrayView password, QStringView storedHash)
{
    const QByteArray key = keyOf(user, password, storedHash);
    const qint64 time = now();
    QMutexLocker lock(&m_mutex);
    const auto it = m_expiry.find(key);
    if (it != m_expiry.end() && time < it.value()) {
        ++m_hits;
        return true;
    }
    if (it != m_expiry.end())
        m_expiry.erase(it);
    ++m_misses;
    return false;
}

void VerifiedPasswordCache::insert(QStringView user, QByteArrayView password, QStringView storedHash)
{
    if (m_options.maxEntries <= 0 || m_options.ttlMs <= 0)
        return;
    const QByteArray key = keyOf(user, password, storedHash);
    const qint64 time = now();
    QMutexLocker lock(&m_mutex);
    if (!m_expiry.contains(key) && m_expiry.size() >= m_options.maxEntries) {
        m_expiry.removeIf([time](QHash<QByteArray, qint64>::iterator it) { return it.value() <= time; });
        // Still full: drop the entry that expires first (the oldest, as the TTL is fixed).
        // A linear scan, but only after a scrypt derivation, which costs far more.
        while (m_expiry.size() >= m_options.maxEntries) {
            auto oldest = m_expiry.begin();
            for (auto it = m_expiry.begin(); it != m_expiry.end(); ++it) {
                if (it.value() < oldest.value())
                    oldest = it;
            }
            m_expiry.erase(oldest);
        }
    }
    m_expiry.insert(key, time + m_options.ttlMs);
}

Result<bool> VerifiedPasswordCache::verify(const PasswordHasher &hasher, QStringView user,
                                           QByteArrayView password, QStringView storedHash)
{
    if (contains(user, password, storedHash))
        return true;
    Result<bool> verified = hasher.verify(password, storedHash);
    if (verified && *verified)
        insert(user, password, storedHash);
    return verified;
}

void VerifiedPasswordCache::clear()
{
    QMutexLocker lock(&m_mutex);
    m_expiry.clear();
}

qsizetype VerifiedPasswordCache::size() const
{
    QMutexLocker lock(&m_mutex);
    return m_expiry.size();
}

quint64 VerifiedPasswordCache::hits() const
{
    QMutexLocker lock(&m_mutex);
    return m_hits;
}

quint64 VerifiedPasswordCache::misses() const
{
    QMutexLocker lock(&m_mutex);
    return m_misses;
}

} // namespace Conflux::Security
