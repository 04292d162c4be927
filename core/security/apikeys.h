#pragma once

#include "base/result.h"
#include "security/ipallowlist.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QReadWriteLock>
#include <QString>
#include <QStringList>

#include <optional>

namespace Conflux::Security {

// A per-key rate limit as plain numbers; the gateway turns it into its RateLimit (same
// meaning and JSON shape: "requests" per "window_seconds", plus "burst").
struct ApiKeyRateLimit
{
    qint64 requests = 0;        // 0: no per-key limit
    double windowSeconds = 1.0; // > 0
    qint64 burst = 0;           // >= 0

    bool isEnabled() const { return requests > 0; }
    friend bool operator==(const ApiKeyRateLimit &, const ApiKeyRateLimit &) = default;
};

// What the store keeps about one API key. Never the key itself.
struct ApiKeyRecord
{
    QString id;                 // unique and stable (a UUID); what admins revoke by
    QString name;               // for people: "billing service", 1–200 characters
    // 8 characters [A-Za-z0-9]: the key is "cfx_<prefix>_<secret>". The prefix is not
    // secret; it finds the record and lets people recognise a key ("cfx_Ab12Cd34_…").
    QString prefix;
    QString hashAlgorithm;      // "hmac-sha256" (with the store's pepper) or "sha256"
    QByteArray hash;            // 32 bytes: hashAlgorithm of the whole key in UTF-8
    QStringList scopes;         // see authz.h
    QStringList roles;
    ApiKeyRateLimit rateLimit;
    IpAllowList allowedNetworks; // empty: usable from any address
    QDateTime createdAt;        // UTC
    QDateTime expiresAt;        // UTC; invalid: never expires
    bool disabled = false;

    QString displayKey() const; // "cfx_<prefix>_…"

    // The keys-file form: {"id", "name", "prefix", "hash": "<algorithm>:<hex>", "scopes",
    // "roles", "rate_limit" (absent when not enabled), "allowed_cidrs", "created_at",
    // "expires_at" (absent when never; ISO 8601 with milliseconds), "disabled"}.
    QJsonObject toJson() const;
    // Errors: "api_key_invalid" with one line per problem in Error::details.
    static Result<ApiKeyRecord> fromJson(const QJsonObject &object);
};

// A freshly generated key: `key` is the only time the plaintext exists; show it once.
struct GeneratedApiKey
{
    QString key;
    ApiKeyRecord record;
};

// The API keys of a node.
//
// Keys are "cfx_" + 8-character prefix + "_" + 43 base64url characters (32 bytes from
// OpenSSL's CSPRNG): 56 characters, distinguishable from admin tokens (tokens.h, 47).
// Only a hash is stored. A key has 256 bits of entropy, so a fast hash is as irreversible as
// a slow one and a slow one would only add latency to every request: the store uses
// HMAC-SHA-256 keyed with a server-side pepper (kept outside the keys file, e.g. as a secret
// of SecretResolver). The pepper is what makes a writable-but-not-readable keys file safe:
// without it an attacker cannot add a record for a key of their own. With an empty pepper the
// store uses plain SHA-256. A store accepts only records of its own algorithm, and changing
// the pepper invalidates every key.
//
// verify() finds candidates by prefix (public, may collide: all candidates are checked) and
// compares hashes with CRYPTO_memcmp, so its timing does not depend on the secret part.
// It reports why a key is refused only after the secret matched; before that every failure
// is api_key_unknown or api_key_malformed.
//
// Threading: every method is safe from any number of threads (a read-write lock; verify()
// only reads). The store is not a QObject and does not persist itself: callers save after
// changes.
class ApiKeyStore
{
public:
    // `pepper`: at least 32 random bytes, or empty for plain SHA-256.
    explicit ApiKeyStore(const QByteArray &pepper = {});
    Q_DISABLE_COPY_MOVE(ApiKeyStore)

    QString hashAlgorithm() const;
    // This store's hash of a key (any string; no format check).
    QByteArray hashKey(QStringView key) const;
    static bool looksLikeApiKey(QStringView key);

    // Makes a key with the name, scopes, roles, rate limit, networks, expiry and disabled
    // flag of `settings` (its id, prefix, hash and times are ignored) and adds its record.
    // Errors: "api_key_invalid" (no name, bad scope or role, bad rate limit, expiry not after
    // `now`), "api_key_generation_failed" (the random number generator failed).
    Result<GeneratedApiKey> generate(const ApiKeyRecord &settings,
                                     const QDateTime &now = QDateTime::currentDateTimeUtc());

    // The record of `key`, if the key is valid for `peer` at `now`. Errors:
    //   api_key_malformed         not a "cfx_<prefix>_<secret>" key
    //   api_key_unknown           no record has this key (revoked keys included)
    //   api_key_disabled          the record is disabled
    //   api_key_expired           now >= expiresAt
    //   api_key_ip_not_allowed    the record has allowed networks and `peer` is in none
    //                             (a null peer is in none)
    // Messages never contain the key; they may name the record's id, name and prefix.
    Result<ApiKeyRecord> verify(QStringView key, const QHostAddress &peer,
                                const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    // Adds an existing record (an import, a restore). Errors: "api_key_invalid" (fields as in
    // fromJson(), another algorithm than this store's), "api_key_duplicate" (id or hash in
    // use).
    Result<void> add(const ApiKeyRecord &record);
    // Removes the record: the key stops working at once. Errors: "api_key_not_found".
    Result<void> revoke(const QString &id);
    Result<void> setDisabled(const QString &id, bool disabled);

    std::optional<ApiKeyRecord> record(const QString &id) const;
    QList<ApiKeyRecord> records() const;    // in the order they were added
    qsizetype size() const;

    // {"version": 1, "keys": [record, ...]}
    QByteArray toJson() const;
    // Replaces every record with those of `json`, or on any error changes nothing.
    // Errors: "api_key_store_invalid" (not JSON, unknown version, a bad record — details say
    // which), "api_key_duplicate".
    Result<void> loadJson(QByteArrayView json);
    // loadJson() of a file; a file that does not exist is an empty store.
    // Further errors: "api_key_store_io".
    Result<void> loadFile(const QString &path);
    // Writes atomically (QSaveFile), readable by the owner only. Errors: "api_key_store_io".
    Result<void> saveFile(const QString &path) const;

private:
    Result<void> checkAddable(const QList<ApiKeyRecord> &records, const ApiKeyRecord &record) const;
    void reindex();

    QByteArray m_pepper;
    mutable QReadWriteLock m_lock;
    QList<ApiKeyRecord> m_records;
    QHash<QString, qsizetype> m_byId;
    QMultiHash<QString, qsizetype> m_byPrefix;
};

} // namespace Conflux::Security
