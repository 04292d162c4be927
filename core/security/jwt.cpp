#include "jwt.h"

#include "jws_p.h"
#include "security/messagetext_p.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Security {
namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Security::Jwt)
};

using Internal::shown;

Error tokenError(const char *code, const QString &message, qint64 offset = -1)
{
    Error error = makeError(code, message);
    error.offset = offset;
    return error;
}

QString formatTime(double seconds)
{
    // Clamp before converting: a NumericDate may be any JSON number.
    const double clamped = std::clamp(seconds, -62135596800.0, 253402300799.0);
    return QDateTime::fromSecsSinceEpoch(qint64(clamped), Qt::UTC).toString(Qt::ISODate);
}

QString normalizedType(QString type)
{
    if (type.startsWith("application/"_L1, Qt::CaseInsensitive))
        type.remove(0, 12);
    return type.toLower();
}

QStringList algorithmNames(const QList<JwsAlgorithm> &algorithms)
{
    QStringList names;
    for (JwsAlgorithm algorithm : algorithms)
        names.append(jwsAlgorithmName(algorithm));
    return names;
}

// A string, or an array of strings (aud, scp); anything else leaves `ok` false.
QStringList stringOrStrings(const QJsonValue &value, bool *ok)
{
    *ok = true;
    if (value.isString())
        return {value.toString()};
    QStringList list;
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (const QJsonValue &entry : array) {
            if (!entry.isString()) {
                *ok = false;
                return {};
            }
            list.append(entry.toString());
        }
        return list;
    }
    *ok = false;
    return {};
}

Result<void> checkClaimTypes(const QJsonObject &claims)
{
    auto invalid = [](const QString &name, const QString &expected) {
        return tokenError("jwt_claim_invalid", Tr::tr("claim \"%1\" must be %2").arg(name, expected));
    };
    for (const QString &name : {u"iss"_s, u"sub"_s, u"jti"_s, u"scope"_s}) {
        if (claims.contains(name) && !claims.value(name).isString())
            return invalid(name, Tr::tr("a string"));
    }
    for (const QString &name : {u"exp"_s, u"nbf"_s, u"iat"_s}) {
        if (claims.contains(name) && !claims.value(name).isDouble())
            return invalid(name, Tr::tr("a number (seconds since 1970-01-01 UTC)"));
    }
    for (const QString &name : {u"aud"_s, u"scp"_s}) {
        bool ok = true;
        if (claims.contains(name))
            stringOrStrings(claims.value(name), &ok);
        if (!ok)
            return invalid(name, Tr::tr("a string or an array of strings"));
    }
    return {};
}

Result<void> checkTimes(const QJsonObject &claims, const JwtPolicy &policy)
{
    const double now = double(policy.now());
    const double leeway = double(std::max<qint64>(policy.leewaySeconds, 0));
    const QString nowText = formatTime(now);
    if (claims.contains("exp"_L1)) {
        const double exp = claims.value("exp"_L1).toDouble();
        if (now >= exp + leeway) {
            return tokenError("jwt_expired", Tr::tr("the token expired at %1 (now %2, leeway %3 s)")
                                                 .arg(formatTime(exp), nowText)
                                                 .arg(qint64(leeway)));
        }
    }
    if (claims.contains("nbf"_L1)) {
        const double nbf = claims.value("nbf"_L1).toDouble();
        if (now + leeway < nbf) {
            return tokenError("jwt_not_yet_valid", Tr::tr("the token is not valid before %1 (now %2, leeway %3 s)")
                                                       .arg(formatTime(nbf), nowText)
                                                       .arg(qint64(leeway)));
        }
    }
    if (claims.contains("iat"_L1)) {
        const double iat = claims.value("iat"_L1).toDouble();
        if (iat > now + leeway) {
            return tokenError("jwt_issued_in_future", Tr::tr("the token claims to be issued at %1, in the future "
                                                             "(now %2, leeway %3 s)")
                                                          .arg(formatTime(iat), nowText)
                                                          .arg(qint64(leeway)));
        }
    }
    return {};
}

Result<void> checkIssuerAndAudience(const QJsonObject &claims, const JwtPolicy &policy)
{
    if (!policy.allowedIssuers.isEmpty()) {
        if (!claims.contains("iss"_L1))
            return tokenError("jwt_issuer_invalid", Tr::tr("the token has no \"iss\" claim; this route requires one"));
        const QString issuer = claims.value("iss"_L1).toString();
        if (!policy.allowedIssuers.contains(issuer))
            return tokenError("jwt_issuer_invalid", Tr::tr("issuer \"%1\" is not accepted by this route").arg(shown(issuer)));
    }
    bool ok = true;
    const QStringList audiences = stringOrStrings(claims.value("aud"_L1), &ok);
    const bool hasAudience = claims.contains("aud"_L1);
    if (policy.audiences.isEmpty()) {
        if (hasAudience) {
            return tokenError("jwt_audience_invalid", Tr::tr("the token is meant for audience \"%1\", but this "
                                                             "route has no audience configured")
                                                          .arg(shown(audiences.join(u", "_s))));
        }
        return {};
    }
    if (!hasAudience)
        return tokenError("jwt_audience_invalid", Tr::tr("the token has no \"aud\" claim; this route requires one"));
    for (const QString &audience : audiences) {
        if (policy.audiences.contains(audience))
            return {};
    }
    return tokenError("jwt_audience_invalid", Tr::tr("the token is meant for \"%1\", not for this route")
                                                  .arg(shown(audiences.join(u", "_s))));
}

QStringList scopesOf(const QJsonObject &claims)
{
    if (claims.contains("scope"_L1))
        return claims.value("scope"_L1).toString().split(u' ', Qt::SkipEmptyParts);
    const QJsonValue scp = claims.value("scp"_L1);
    if (scp.isString())
        return scp.toString().split(u' ', Qt::SkipEmptyParts);
    bool ok = true;
    return stringOrStrings(scp, &ok);
}

// The header rules of RFC 7515 and RFC 8725, before any key is touched.
Result<JwsAlgorithm> checkHeader(const QJsonObject &header, const JwtPolicy &policy)
{
    const QJsonValue alg = header.value("alg"_L1);
    if (!alg.isString())
        return tokenError("jwt_malformed", Tr::tr("the header has no \"alg\" string"), 0);
    const QString name = alg.toString();
    if (name.compare("none"_L1, Qt::CaseInsensitive) == 0)
        return tokenError("jwt_algorithm_not_allowed", Tr::tr("unsecured tokens (alg \"none\") are never accepted"));
    const std::optional<JwsAlgorithm> algorithm = jwsAlgorithmFromName(name);
    if (!algorithm)
        return tokenError("jwt_algorithm_not_allowed", Tr::tr("algorithm \"%1\" is not supported").arg(shown(name)));
    if (!policy.allowedAlgorithms.contains(*algorithm)) {
        const QStringList allowed = algorithmNames(policy.allowedAlgorithms);
        return tokenError("jwt_algorithm_not_allowed",
                          Tr::tr("algorithm %1 is not allowed on this route (allowed: %2)")
                              .arg(name, allowed.isEmpty() ? Tr::tr("none configured") : allowed.join(u", "_s)));
    }

    // RFC 7515 §4.1.11. Conflux implements no extension, so any listed name is one the
    // recipient does not understand.
    if (header.contains("crit"_L1)) {
        const QJsonValue crit = header.value("crit"_L1);
        const QJsonArray names = crit.toArray();
        if (!crit.isArray() || names.isEmpty())
            return tokenError("jwt_malformed", Tr::tr("header \"crit\" must be a non-empty array of names"), 0);
        QStringList listed;
        for (const QJsonValue &entry : names) {
            if (!entry.isString())
                return tokenError("jwt_malformed", Tr::tr("header \"crit\" must be a non-empty array of names"), 0);
            listed.append(shown(entry.toString()));
        }
        return tokenError("jwt_crit_unsupported", Tr::tr("the token requires header extensions that are not "
                                                         "supported: %1")
                                                      .arg(shown(listed.join(u", "_s))));
    }

    for (const QString &member : {u"kid"_s, u"typ"_s, u"cty"_s}) {
        if (header.contains(member) && !header.value(member).isString())
            return tokenError("jwt_malformed", Tr::tr("header \"%1\" must be a string").arg(member), 0);
    }
    if (!policy.expectedType.isEmpty()) {
        const QJsonValue typ = header.value("typ"_L1);
        if (typ.isUndefined())
            return tokenError("jwt_type_invalid", Tr::tr("the header has no \"typ\"; this route expects \"%1\"").arg(policy.expectedType));
        if (normalizedType(typ.toString()) != normalizedType(policy.expectedType)) {
            return tokenError("jwt_type_invalid", Tr::tr("token type \"%1\" is not the expected \"%2\"")
                                                      .arg(shown(typ.toString()), policy.expectedType));
        }
    }
    // "jku", "x5u", "jwk", "x5c", "x5t" are deliberately never read: keys come only from
    // the route's configuration.
    return *algorithm;
}
} // namespace

qint64 JwtPolicy::now() const
{
    if (nowSeconds)
        return *nowSeconds;
    if (clock)
        return clock();
    return QDateTime::currentSecsSinceEpoch();
}

Result<VerifiedJws> verifyJws(QByteArrayView token, const JwkSet &keys, const JwtPolicy &policy)
{
    if (token.size() > policy.maxTokenBytes) {
        return tokenError("jwt_too_large", Tr::tr("the token is %1 bytes; this route accepts at most %2")
                                               .arg(token.size())
                                               .arg(policy.maxTokenBytes));
    }
    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (firstDot < 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
        const qsizetype segments = token.count('.') + 1;
        if (segments == 5)
            return tokenError("jwt_malformed", Tr::tr("the token has 5 segments: encrypted tokens (JWE) are not supported"));
        return tokenError("jwt_malformed", Tr::tr("the token has %1 segment(s); a signed token has exactly 3").arg(segments));
    }

    struct Segment { const char *name; qsizetype start; QByteArrayView text; QByteArray bytes; };
    Segment segments[] = {
        {"header", 0, token.first(firstDot), {}},
        {"payload", firstDot + 1, token.sliced(firstDot + 1, secondDot - firstDot - 1), {}},
        {"signature", secondDot + 1, token.sliced(secondDot + 1), {}},
    };
    for (Segment &segment : segments) {
        qsizetype errorAt = -1;
        std::optional<QByteArray> bytes = Internal::decodeBase64Url(segment.text, &errorAt);
        if (!bytes) {
            const qint64 offset = segment.start + errorAt;
            return tokenError("jwt_malformed", Tr::tr("the %1 is not base64url without padding (byte %2)")
                                                   .arg(QLatin1StringView(segment.name))
                                                   .arg(offset),
                              offset);
        }
        segment.bytes = std::move(*bytes);
    }

    QJsonParseError parseError;
    const QJsonDocument headerDocument = QJsonDocument::fromJson(segments[0].bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError || !headerDocument.isObject())
        return tokenError("jwt_malformed", Tr::tr("the header is not a JSON object"), 0);
    const QJsonObject header = headerDocument.object();

    Result<JwsAlgorithm> algorithm = checkHeader(header, policy);
    if (!algorithm)
        return algorithm.error();
    const QByteArray &signature = segments[2].bytes;
    if (signature.isEmpty())
        return tokenError("jwt_signature_invalid", Tr::tr("the token has an empty signature"), segments[2].start);

    // Key selection: by exact kid; a kid that names no key may still be verified by the
    // route's keys configured without a kid. Without kid: every key that fits the algorithm.
    const bool hasKid = header.contains("kid"_L1);
    const QString kid = header.value("kid"_L1).toString();
    QList<Jwk> candidates = hasKid ? keys.keysWithId(kid) : keys.keys();
    if (hasKid && candidates.isEmpty())
        candidates = keys.keysWithoutId();
    if (candidates.isEmpty()) {
        if (hasKid)
            return tokenError("jwt_unknown_key", Tr::tr("no configured key has kid \"%1\"").arg(shown(kid)));
        return tokenError("jwt_unknown_key", Tr::tr("no keys are configured for this route"));
    }
    QList<Jwk> fitting;
    QStringList reasons;
    for (const Jwk &key : std::as_const(candidates)) {
        QString reason;
        if (key.canVerify(*algorithm, &reason))
            fitting.append(key);
        else
            reasons.append(reason);
    }
    if (fitting.isEmpty()) {
        Error error = tokenError("jwt_algorithm_not_allowed", Tr::tr("no configured key can verify %1")
                                                                  .arg(jwsAlgorithmName(*algorithm)));
        error.details = reasons;
        return error;
    }

    const QByteArrayView signingInput = token.first(secondDot);
    for (const Jwk &key : std::as_const(fitting)) {
        if (Internal::verifyJwsSignature(*algorithm, key, signingInput, signature)) {
            VerifiedJws verified;
            verified.header = header;
            verified.payload = segments[1].bytes;
            verified.algorithm = *algorithm;
            verified.keyId = key.keyId();
            return verified;
        }
    }
    return tokenError("jwt_signature_invalid", Tr::tr("the %1 signature does not verify with %n configured key(s)",
                                                      nullptr, int(fitting.size()))
                                                   .arg(jwsAlgorithmName(*algorithm)));
}

Result<VerifiedJwt> verifyJwt(QByteArrayView token, const JwkSet &keys, const JwtPolicy &policy)
{
    Result<VerifiedJws> jws = verifyJws(token, keys, policy);
    if (!jws)
        return jws.error();

    QJsonParseError parseError;
    const QJsonDocument payload = QJsonDocument::fromJson(jws->payload, &parseError);
    if (parseError.error != QJsonParseError::NoError || !payload.isObject()) {
        return tokenError("jwt_malformed", Tr::tr("the payload is not a JSON object (a JWT claims set)"),
                          token.indexOf('.') + 1);
    }
    const QJsonObject claims = payload.object();

    if (Result<void> types = checkClaimTypes(claims); !types)
        return types.error();
    for (const QString &name : policy.requiredClaims) {
        if (!claims.contains(name))
            return tokenError("jwt_claim_missing", Tr::tr("the token has no \"%1\" claim; this route requires it").arg(name));
    }
    if (Result<void> times = checkTimes(claims, policy); !times)
        return times.error();
    if (Result<void> parties = checkIssuerAndAudience(claims, policy); !parties)
        return parties.error();

    VerifiedJwt verified;
    verified.header = jws->header;
    verified.claims = claims;
    verified.algorithm = jws->algorithm;
    verified.keyId = jws->keyId;
    verified.subject = claims.value("sub"_L1).toString();
    verified.issuer = claims.value("iss"_L1).toString();
    bool ok = true;
    if (claims.contains("aud"_L1))
        verified.audiences = stringOrStrings(claims.value("aud"_L1), &ok);
    verified.scopes = scopesOf(claims);
    if (claims.contains("exp"_L1)) {
        const double exp = claims.value("exp"_L1).toDouble();
        if (std::isfinite(exp) && std::abs(exp) < 9.0e15)
            verified.expiresAt = qint64(exp);
    }
    return verified;
}

JwtVerifier::JwtVerifier(JwtPolicy policy, std::shared_ptr<const JwkStore> keys)
    : m_policy(std::move(policy))
    , m_keys(std::move(keys))
{
}

Result<VerifiedJwt> JwtVerifier::verify(QByteArrayView token) const
{
    return verifyJwt(token, m_keys ? m_keys->current() : JwkSet(), m_policy);
}

} // namespace Conflux::Security
