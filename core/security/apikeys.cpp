#include "apikeys.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QMessageAuthenticationCode>
#include <QReadLocker>
#include <QSaveFile>
#include <QUuid>
#include <QWriteLocker>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Security {
namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Security::ApiKeys)
};

constexpr qsizetype PrefixLength = 8;
constexpr qsizetype SecretBytes = 32;
constexpr qsizetype SecretLength = 43;                        // base64url of 32 bytes
constexpr qsizetype KeyLength = 4 + PrefixLength + 1 + SecretLength;
constexpr qsizetype HashBytes = 32;
constexpr qsizetype MaxNameLength = 200;
constexpr int FileVersion = 1;

const auto HmacSha256 = "hmac-sha256"_L1;
const auto Sha256 = "sha256"_L1;

bool isAlnum(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9');
}

bool isBase64Url(QChar c)
{
    return isAlnum(c) || c == u'-' || c == u'_';
}

bool isValidPrefix(QStringView prefix)
{
    return prefix.size() == PrefixLength && std::all_of(prefix.begin(), prefix.end(), isAlnum);
}

// RFC 6749 §3.3 scope-token: printable ASCII except space, '"' and '\'. Roles alike.
bool isValidToken(const QString &token)
{
    if (token.isEmpty() || token.size() > 200)
        return false;
    return std::all_of(token.begin(), token.end(), [](QChar c) {
        return c.unicode() >= 0x21 && c.unicode() <= 0x7e && c != u'"' && c != u'\\';
    });
}

bool randomBytes(char *out, qsizetype size)
{
    return RAND_bytes(reinterpret_cast<unsigned char *>(out), int(size)) == 1;
}

std::optional<QString> randomPrefix()
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QString prefix;
    while (prefix.size() < PrefixLength) {
        unsigned char bytes[16];
        if (!randomBytes(reinterpret_cast<char *>(bytes), sizeof bytes))
            return std::nullopt;
        for (unsigned char b : bytes) {
            // 248 = 4 · 62: rejecting the rest keeps the characters uniform.
            if (b < 248 && prefix.size() < PrefixLength)
                prefix.append(QLatin1Char(alphabet[b % 62]));
        }
    }
    return prefix;
}

QString isoTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

// Problems with the fields people choose (name, scopes, roles, limits); one line each.
QStringList settingsProblems(const ApiKeyRecord &record)
{
    QStringList problems;
    if (record.name.trimmed().isEmpty() || record.name.size() > MaxNameLength)
        problems.append(Tr::tr("the name must have 1–%1 characters").arg(MaxNameLength));
    else if (std::any_of(record.name.begin(), record.name.end(),
                         [](QChar c) { return c.category() == QChar::Other_Control; }))
        problems.append(Tr::tr("the name must not contain control characters"));
    for (const QString &scope : record.scopes) {
        if (!isValidToken(scope))
            problems.append(Tr::tr("scope \"%1\" is not a valid scope token").arg(scope.left(64)));
    }
    for (const QString &role : record.roles) {
        if (!isValidToken(role))
            problems.append(Tr::tr("role \"%1\" is not a valid role name").arg(role.left(64)));
    }
    const ApiKeyRateLimit &limit = record.rateLimit;
    if (limit.requests < 0 || limit.burst < 0 || !std::isfinite(limit.windowSeconds) || limit.windowSeconds <= 0)
        problems.append(Tr::tr("the rate limit needs requests >= 0, burst >= 0 and window_seconds > 0"));
    return problems;
}

Error invalid(const QString &message, const QStringList &problems)
{
    return makeError("api_key_invalid", message, problems);
}

QStringList stringList(const QJsonValue &value, const QString &member, QStringList *problems)
{
    QStringList out;
    if (value.isUndefined() || value.isNull())
        return out;
    if (!value.isArray()) {
        problems->append(Tr::tr("\"%1\" must be an array of strings").arg(member));
        return out;
    }
    const QJsonArray array = value.toArray();
    for (const QJsonValue &entry : array) {
        if (!entry.isString()) {
            problems->append(Tr::tr("\"%1\" must be an array of strings").arg(member));
            return {};
        }
        out.append(entry.toString());
    }
    return out;
}

QDateTime timeMember(const QJsonObject &object, const QString &member, bool required, QStringList *problems)
{
    const QJsonValue value = object.value(member);
    if (value.isUndefined() && !required)
        return {};
    const QDateTime time = value.isString() ? QDateTime::fromString(value.toString(), Qt::ISODateWithMs) : QDateTime();
    // A time without an offset would be read as local time: refuse it.
    if (!time.isValid() || time.timeSpec() == Qt::LocalTime) {
        problems->append(Tr::tr("\"%1\" must be an ISO 8601 time with an offset, e.g. "
                                "2025-01-31T12:00:00Z").arg(member));
        return {};
    }
    return time.toUTC();
}
} // namespace

// ---- ApiKeyRecord -------------------------------------------------------------------------

QString ApiKeyRecord::displayKey() const
{
    return u"cfx_"_s + prefix + u"_…"_s;
}

QJsonObject ApiKeyRecord::toJson() const
{
    QJsonObject object{
        {u"id"_s, id},
        {u"name"_s, name},
        {u"prefix"_s, prefix},
        {u"hash"_s, hashAlgorithm + u':' + QString::fromLatin1(hash.toHex())},
        {u"scopes"_s, QJsonArray::fromStringList(scopes)},
        {u"roles"_s, QJsonArray::fromStringList(roles)},
        {u"allowed_cidrs"_s, QJsonArray::fromStringList(allowedNetworks.entries())},
        {u"created_at"_s, isoTime(createdAt)},
        {u"disabled"_s, disabled},
    };
    if (rateLimit.isEnabled()) {
        object.insert(u"rate_limit"_s, QJsonObject{{u"requests"_s, rateLimit.requests},
                                                   {u"window_seconds"_s, rateLimit.windowSeconds},
                                                   {u"burst"_s, rateLimit.burst}});
    }
    if (expiresAt.isValid())
        object.insert(u"expires_at"_s, isoTime(expiresAt));
    return object;
}

Result<ApiKeyRecord> ApiKeyRecord::fromJson(const QJsonObject &object)
{
    ApiKeyRecord record;
    QStringList problems;
    const auto string = [&](const QString &member) {
        const QJsonValue value = object.value(member);
        if (!value.isString())
            problems.append(Tr::tr("\"%1\" must be a string").arg(member));
        return value.toString();
    };

    record.id = string(u"id"_s);
    if (record.id.isEmpty() && object.value(u"id"_s).isString())
        problems.append(Tr::tr("\"id\" must not be empty"));
    record.name = string(u"name"_s);
    record.prefix = string(u"prefix"_s);
    if (object.value(u"prefix"_s).isString() && !isValidPrefix(record.prefix))
        problems.append(Tr::tr("\"prefix\" must be %1 letters or digits").arg(PrefixLength));

    const QString hash = string(u"hash"_s);
    const qsizetype colon = hash.indexOf(u':');
    record.hashAlgorithm = hash.left(colon);
    const QString hex = colon < 0 ? QString() : hash.mid(colon + 1);
    const bool hexOk = hex.size() == 2 * HashBytes && std::all_of(hex.begin(), hex.end(), [](QChar c) {
        return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
    });
    if ((record.hashAlgorithm != HmacSha256 && record.hashAlgorithm != Sha256) || !hexOk)
        problems.append(Tr::tr("\"hash\" must be \"hmac-sha256:\" or \"sha256:\" and 64 lowercase hex digits"));
    else
        record.hash = QByteArray::fromHex(hex.toLatin1());

    record.scopes = stringList(object.value(u"scopes"_s), u"scopes"_s, &problems);
    record.roles = stringList(object.value(u"roles"_s), u"roles"_s, &problems);

    const QJsonValue limit = object.value(u"rate_limit"_s);
    if (limit.isObject()) {
        const QJsonObject o = limit.toObject();
        const auto integer = [&](const QString &member, qint64 fallback) -> qint64 {
            const QJsonValue v = o.value(member);
            if (v.isUndefined())
                return fallback;
            const double d = v.toDouble(-1);
            if (!v.isDouble() || d != std::floor(d) || d < 0 || d > 9e15) {
                problems.append(Tr::tr("\"rate_limit.%1\" must be a whole number >= 0").arg(member));
                return fallback;
            }
            return qint64(d);
        };
        record.rateLimit.requests = integer(u"requests"_s, 0);
        record.rateLimit.burst = integer(u"burst"_s, 0);
        const QJsonValue window = o.value(u"window_seconds"_s);
        if (!window.isUndefined() && !window.isDouble())
            problems.append(Tr::tr("\"rate_limit.window_seconds\" must be a number"));
        record.rateLimit.windowSeconds = window.toDouble(1.0);
    } else if (!limit.isUndefined() && !limit.isNull()) {
        problems.append(Tr::tr("\"rate_limit\" must be an object"));
    }

    const QStringList cidrs = stringList(object.value(u"allowed_cidrs"_s), u"allowed_cidrs"_s, &problems);
    Result<IpAllowList> networks = IpAllowList::parse(cidrs);
    if (networks)
        record.allowedNetworks = *networks;
    else
        problems.append(networks.error().details);

    record.createdAt = timeMember(object, u"created_at"_s, true, &problems);
    record.expiresAt = timeMember(object, u"expires_at"_s, false, &problems);

    const QJsonValue disabled = object.value(u"disabled"_s);
    if (!disabled.isUndefined() && !disabled.isBool())
        problems.append(Tr::tr("\"disabled\" must be true or false"));
    record.disabled = disabled.toBool(false);

    if (problems.isEmpty())
        problems = settingsProblems(record);
    if (!problems.isEmpty()) {
        const QString who = record.id.isEmpty() ? Tr::tr("An API key record")
                                                : Tr::tr("API key record \"%1\"").arg(record.id.left(64));
        return invalid(Tr::tr("%1 is invalid").arg(who), problems);
    }
    return record;
}

// ---- ApiKeyStore --------------------------------------------------------------------------

ApiKeyStore::ApiKeyStore(const QByteArray &pepper) : m_pepper(pepper) {}

QString ApiKeyStore::hashAlgorithm() const
{
    return m_pepper.isEmpty() ? QString(Sha256) : QString(HmacSha256);
}

QByteArray ApiKeyStore::hashKey(QStringView key) const
{
    const QByteArray bytes = key.toUtf8();
    if (m_pepper.isEmpty())
        return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
    return QMessageAuthenticationCode::hash(bytes, m_pepper, QCryptographicHash::Sha256);
}

bool ApiKeyStore::looksLikeApiKey(QStringView key)
{
    return key.size() == KeyLength && key.startsWith(u"cfx_") && isValidPrefix(key.mid(4, PrefixLength))
           && key.at(4 + PrefixLength) == u'_'
           && std::all_of(key.begin() + 4 + PrefixLength + 1, key.end(), isBase64Url);
}

Result<GeneratedApiKey> ApiKeyStore::generate(const ApiKeyRecord &settings, const QDateTime &now)
{
    QStringList problems = settingsProblems(settings);
    if (settings.expiresAt.isValid() && settings.expiresAt <= now)
        problems.append(Tr::tr("the expiry time is not in the future"));
    if (!problems.isEmpty())
        return invalid(Tr::tr("Cannot create the API key"), problems);

    QByteArray secret(SecretBytes, Qt::Uninitialized);
    if (!randomBytes(secret.data(), secret.size()))
        return makeError("api_key_generation_failed", Tr::tr("The random number generator failed (OpenSSL)"));

    ApiKeyRecord record;
    record.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    record.name = settings.name;
    record.hashAlgorithm = hashAlgorithm();
    record.scopes = settings.scopes;
    record.roles = settings.roles;
    record.rateLimit = settings.rateLimit;
    record.allowedNetworks = settings.allowedNetworks;
    record.createdAt = now.toUTC();
    record.expiresAt = settings.expiresAt.isValid() ? settings.expiresAt.toUTC() : QDateTime();
    record.disabled = settings.disabled;

    QWriteLocker lock(&m_lock);
    // Prefer an unused prefix; after a few tries (2^47 possibilities: practically never)
    // accept a collision, which verify() handles.
    for (int attempt = 0; attempt < 8; ++attempt) {
        std::optional<QString> prefix = randomPrefix();
        if (!prefix)
            return makeError("api_key_generation_failed", Tr::tr("The random number generator failed (OpenSSL)"));
        record.prefix = *prefix;
        if (!m_byPrefix.contains(record.prefix))
            break;
    }
    GeneratedApiKey out;
    out.key = u"cfx_"_s + record.prefix + u'_'
              + QString::fromLatin1(secret.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    record.hash = hashKey(out.key);
    out.record = record;
    m_records.append(std::move(record));
    reindex();
    return out;
}

Result<ApiKeyRecord> ApiKeyStore::verify(QStringView key, const QHostAddress &peer,
                                          const QDateTime &now) const
{
    if (!looksLikeApiKey(key))
        return makeError("api_key_malformed", Tr::tr("The API key is not in the form cfx_<prefix>_<secret>"));
    const QString prefix = key.mid(4, PrefixLength).toString();
    const QByteArray presented = hashKey(key);

    QReadLocker lock(&m_lock);
    const ApiKeyRecord *match = nullptr;
    // Every candidate is compared, in constant time each: a match does not end the loop.
    const auto [first, last] = m_byPrefix.equal_range(prefix);
    for (auto it = first; it != last; ++it) {
        const ApiKeyRecord &candidate = m_records.at(*it);
        if (candidate.hash.size() == presented.size()
            && CRYPTO_memcmp(candidate.hash.constData(), presented.constData(), size_t(presented.size())) == 0
            && !match)
            match = &candidate;
    }
    if (!match)
        return makeError("api_key_unknown", Tr::tr("Unknown API key"), {u"cfx_"_s + prefix + u"_…"_s});

    const auto who = [match] { return Tr::tr("API key \"%1\" (%2)").arg(match->name.left(64), match->id); };
    if (match->disabled)
        return makeError("api_key_disabled", Tr::tr("%1 is disabled").arg(who()));
    if (match->expiresAt.isValid() && now >= match->expiresAt)
        return makeError("api_key_expired", Tr::tr("%1 expired at %2").arg(who(), isoTime(match->expiresAt)));
    if (!match->allowedNetworks.isEmpty() && !match->allowedNetworks.contains(peer)) {
        const QString address = peer.isNull() ? Tr::tr("an unknown address") : peer.toString();
        return makeError("api_key_ip_not_allowed", Tr::tr("%1 may not be used from %2").arg(who(), address));
    }
    return *match;
}

Result<void> ApiKeyStore::checkAddable(const QList<ApiKeyRecord> &records, const ApiKeyRecord &record) const
{
    QStringList problems = settingsProblems(record);
    if (record.id.isEmpty())
        problems.append(Tr::tr("the id is empty"));
    if (!isValidPrefix(record.prefix))
        problems.append(Tr::tr("the prefix must be %1 letters or digits").arg(PrefixLength));
    if (record.hashAlgorithm != hashAlgorithm())
        problems.append(Tr::tr("the hash is %1 but this store uses %2 (was the pepper changed?)")
                            .arg(record.hashAlgorithm, hashAlgorithm()));
    if (record.hash.size() != HashBytes)
        problems.append(Tr::tr("the hash must be %1 bytes").arg(HashBytes));
    if (!problems.isEmpty())
        return invalid(Tr::tr("API key record \"%1\" is invalid").arg(record.id.left(64)), problems);
    for (const ApiKeyRecord &other : records) {
        if (other.id == record.id || other.hash == record.hash)
            return makeError("api_key_duplicate", Tr::tr("API key record \"%1\" duplicates record \"%2\"")
                                                      .arg(record.id.left(64), other.id));
    }
    return {};
}

Result<void> ApiKeyStore::add(const ApiKeyRecord &record)
{
    QWriteLocker lock(&m_lock);
    Result<void> ok = checkAddable(m_records, record);
    if (!ok)
        return ok;
    m_records.append(record);
    reindex();
    return {};
}

Result<void> ApiKeyStore::revoke(const QString &id)
{
    QWriteLocker lock(&m_lock);
    const auto it = m_byId.constFind(id);
    if (it == m_byId.cend())
        return makeError("api_key_not_found", Tr::tr("There is no API key with id \"%1\"").arg(id.left(64)));
    m_records.removeAt(it.value());
    reindex();
    return {};
}

Result<void> ApiKeyStore::setDisabled(const QString &id, bool disabled)
{
    QWriteLocker lock(&m_lock);
    const auto it = m_byId.constFind(id);
    if (it == m_byId.cend())
        return makeError("api_key_not_found", Tr::tr("There is no API key with id \"%1\"").arg(id.left(64)));
    m_records[it.value()].disabled = disabled;
    return {};
}

std::optional<ApiKeyRecord> ApiKeyStore::record(const QString &id) const
{
    QReadLocker lock(&m_lock);
    const auto it = m_byId.constFind(id);
    if (it == m_byId.cend())
        return std::nullopt;
    return m_records.at(it.value());
}

QList<ApiKeyRecord> ApiKeyStore::records() const
{
    QReadLocker lock(&m_lock);
    return m_records;
}

qsizetype ApiKeyStore::size() const
{
    QReadLocker lock(&m_lock);
    return m_records.size();
}

void ApiKeyStore::reindex()
{
    m_byId.clear();
    m_byPrefix.clear();
    for (qsizetype i = 0; i < m_records.size(); ++i) {
        m_byId.insert(m_records.at(i).id, i);
        m_byPrefix.insert(m_records.at(i).prefix, i);
    }
}

QByteArray ApiKeyStore::toJson() const
{
    QJsonArray keys;
    {
        QReadLocker lock(&m_lock);
        for (const ApiKeyRecord &record : m_records)
            keys.append(record.toJson());
    }
    return QJsonDocument(QJsonObject{{u"version"_s, FileVersion}, {u"keys"_s, keys}}).toJson(QJsonDocument::Indented);
}

Result<void> ApiKeyStore::loadJson(QByteArrayView json)
{
    const auto storeInvalid = [](const QString &why, const QStringList &details = {}) {
        return makeError("api_key_store_invalid", Tr::tr("The API keys file is invalid: %1").arg(why), details);
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        Error error = storeInvalid(parseError.errorString());
        error.offset = parseError.offset;
        return error;
    }
    const QJsonObject root = document.object();
    if (!document.isObject() || root.value(u"version"_s).toInt(-1) != FileVersion || !root.value(u"keys"_s).isArray())
        return storeInvalid(Tr::tr("expected {\"version\": %1, \"keys\": [...]}").arg(FileVersion));

    QList<ApiKeyRecord> records;
    const QJsonArray keys = root.value(u"keys"_s).toArray();
    for (qsizetype i = 0; i < keys.size(); ++i) {
        if (!keys.at(i).isObject())
            return storeInvalid(Tr::tr("entry %1 of \"keys\" is not an object").arg(i));
        Result<ApiKeyRecord> record = ApiKeyRecord::fromJson(keys.at(i).toObject());
        if (!record)
            return storeInvalid(Tr::tr("entry %1: %2").arg(i).arg(record.error().message), record.error().details);
        Result<void> addable = checkAddable(records, *record);
        if (!addable && addable.error().code == "api_key_duplicate"_L1)
            return addable.error();
        if (!addable)
            return storeInvalid(Tr::tr("entry %1: %2").arg(i).arg(addable.error().message), addable.error().details);
        records.append(std::move(*record));
    }
    QWriteLocker lock(&m_lock);
    m_records = std::move(records);
    reindex();
    return {};
}

Result<void> ApiKeyStore::loadFile(const QString &path)
{
    QFile file(path);
    if (!file.exists()) {
        QWriteLocker lock(&m_lock);
        m_records.clear();
        reindex();
        return {};
    }
    if (!file.open(QIODevice::ReadOnly))
        return makeError("api_key_store_io", Tr::tr("Cannot read %1: %2").arg(path, file.errorString()));
    return loadJson(file.readAll());
}

Result<void> ApiKeyStore::saveFile(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError("api_key_store_io", Tr::tr("Cannot write %1: %2").arg(path, file.errorString()));
    // Only hashes are written, but the list of keys, scopes and networks is nobody else's
    // business either.
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(toJson());
    if (!file.commit())
        return makeError("api_key_store_io", Tr::tr("Cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace Conflux::Security
