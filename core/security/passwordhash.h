#pragma once

#include "base/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QMutex>
#include <QString>

#include <functional>

namespace Conflux::Security {

// scrypt's cost parameters (RFC 7914): N = 2^logN, block size r, parallelism p. One
// derivation uses about 128 · r · N bytes of memory and time proportional to N · r · p.
//
// The defaults, logN=15 r=8 p=1, take 32 MiB and roughly 50–100 ms of one core on a current
// x86 server: the widely used "interactive login" setting (RFC 7914 §2 discusses it; OWASP's
// scrypt minimum is N=2^17 with r=8, which we judged too heavy for a gateway that verifies
// Basic credentials on its request threads). VerifiedPasswordCache below makes repeated
// requests with the same credentials cheap; wrong passwords always pay the full cost, so
// routes with Basic auth need a rate limit.
struct ScryptParameters
{
    int logN = 15;
    int r = 8;
    int p = 1;

    quint64 memoryBytes() const;    // what OpenSSL allocates for one derivation
    // Whether these are within the limits below (what verify() accepts from a stored hash).
    bool isWithinLimits() const;

    friend bool operator==(const ScryptParameters &, const ScryptParameters &) = default;
};

// The most a stored hash may ask for, so that a tampered or hostile file cannot make one
// verification take minutes or gigabytes: logN 1–20, r 1–32, p 1–16, 128·r·N at most
// 256 MiB, N·r·p at most 2^22 (16 times the default work, about a second), and N < 2^(16·r)
// (RFC 7914 §2).
namespace ScryptLimits {
constexpr int MaxLogN = 20;
constexpr int MaxR = 32;
constexpr int MaxP = 16;
constexpr quint64 MaxMemoryBytes = 256ull * 1024 * 1024;
constexpr quint64 MaxWork = 1ull << 22;
constexpr int MinSaltBytes = 8;
constexpr int MaxSaltBytes = 64;
constexpr int MinHashBytes = 16;
constexpr int MaxHashBytes = 64;
} // namespace ScryptLimits

// A parsed password hash string in PHC string format:
//   $scrypt$ln=15,r=8,p=1$<salt>$<hash>
// salt and hash in standard base64 without padding (the PHC "B64" encoding), parameters
// exactly in that order, decimal without leading zeros. Anything else is malformed.
struct PasswordHash
{
    ScryptParameters parameters;
    QByteArray salt;
    QByteArray hash;

    // Errors: "password_hash_unsupported" (not "$scrypt$": another algorithm),
    // "password_hash_malformed" (bad syntax, bad base64, salt or hash of a length outside
    // ScryptLimits), "password_hash_parameters_invalid" (outside ScryptLimits).
    static Result<PasswordHash> parse(QStringView encoded);
    QString toString() const;
};

// Hashes and verifies passwords with scrypt (OpenSSL 3's EVP_KDF "SCRYPT"). Passwords are
// bytes: the caller decides the encoding (UTF-8 for text; RFC 7617 Basic credentials are
// UTF-8 when the gateway advertises charset="UTF-8"). No Unicode normalization is applied.
//
// A PasswordHasher is a value; its const methods are safe from any number of threads. Each
// hash() or verify() allocates parameters.memoryBytes() for its duration.
class PasswordHasher
{
public:
    PasswordHasher() = default;
    explicit PasswordHasher(const ScryptParameters &parameters) : m_parameters(parameters) {}

    const ScryptParameters &parameters() const { return m_parameters; }

    // A new hash with a random 16-byte salt and a 32-byte derived key.
    // Errors: "password_hash_parameters_invalid" (this hasher's parameters are outside
    // ScryptLimits), "password_hash_failed" (OpenSSL failed, e.g. out of memory).
    Result<QString> hash(QByteArrayView password) const;

    // Whether `password` matches `encoded`; the comparison is constant-time. A wrong password
    // is `false`, not an error. Errors: those of PasswordHash::parse() and
    // "password_hash_failed". The stored string's own parameters are used (bounded).
    Result<bool> verify(QByteArrayView password, QStringView encoded) const;

    // True if `encoded` should be replaced by a fresh hash() after the next successful
    // verify(): it cannot be parsed, or any of its parameters, its salt or its hash length is
    // below this hasher's.
    bool needsRehash(QStringView encoded) const;

    // The derived key itself, for tests. Errors as hash().
    static Result<QByteArray> scrypt(QByteArrayView password, QByteArrayView salt,
                                     const ScryptParameters &parameters, int length);

private:
    ScryptParameters m_parameters;
};

// Remembers credentials that verified recently, so that a client sending the same Basic
// credentials with every request pays scrypt once per `ttlMs` instead of every time.
//
// An entry's key is HMAC-SHA-256, under a random key made when the cache is constructed, of
// the user, the password and the stored hash string. So: an entry never matches after the
// stored hash changes (password changed or rehashed); the cache holds no password; and
// failures are never cached (a wrong password always costs a full verification).
//
// The trade-off: for up to `ttlMs` after a success, a process memory dump holds a fast
// keyed hash of that password (with its key), which can be attacked at SHA-256 speed instead
// of scrypt speed. Anyone who can read the gateway's memory also sees plaintext passwords in
// request buffers, so the cache adds little; a short TTL and a bound keep it so. Removing a
// user is immediate only if the caller stops looking up the stored hash (it must), as an
// entry for a hash nobody asks about is simply never hit.
//
// Threading: all methods are safe from any number of threads (one mutex; verify() does not
// hold it while deriving).
class VerifiedPasswordCache
{
public:
    struct Options
    {
        qint64 ttlMs = 60 * 1000;       // how long a success is remembered
        qsizetype maxEntries = 1024;    // when full, expired entries go first, then the oldest
        // Milliseconds on a monotonic clock; a steady clock when not set. For tests.
        std::function<qint64()> clock;
    };

    VerifiedPasswordCache();
    explicit VerifiedPasswordCache(Options options);
    Q_DISABLE_COPY_MOVE(VerifiedPasswordCache)

    // Whether these credentials verified against `storedHash` less than ttlMs ago.
    bool contains(QStringView user, QByteArrayView password, QStringView storedHash);
    void insert(QStringView user, QByteArrayView password, QStringView storedHash);

    // contains(), else hasher.verify() and insert() on success. Errors as
    // PasswordHasher::verify().
    Result<bool> verify(const PasswordHasher &hasher, QStringView user, QByteArrayView password,
                        QStringView storedHash);

    void clear();
    qsizetype size() const;
    quint64 hits() const;
    quint64 misses() const;

private:
    QByteArray keyOf(QStringView user, QByteArrayView password, QStringView storedHash) const;
    qint64 now() const;

    Options m_options;
    QByteArray m_secret;
    mutable QMutex m_mutex;
    QHash<QByteArray, qint64> m_expiry;   // entry key -> expiry (ms, m_options.clock)
    quint64 m_hits = 0;
    quint64 m_misses = 0;
};

} // namespace Conflux::Security
