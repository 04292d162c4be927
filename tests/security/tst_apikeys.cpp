#include "security/apikeys.h"
#include "security/authz.h"
#include "security/ipallowlist.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Security;
using namespace Qt::StringLiterals;

namespace {
const QByteArray Pepper = "test pepper: 32 bytes or more, never in the keys file"_ba;
const QDateTime Now = QDateTime(QDate(2025, 3, 1), QTime(12, 0), Qt::UTC);

ApiKeyRecord settings(const QString &name, const QStringList &cidrs = {})
{
    ApiKeyRecord record;
    record.name = name;
    record.scopes = {u"orders:read"_s, u"orders:write"_s};
    record.roles = {u"partner"_s};
    record.rateLimit = {100, 60.0, 10};
    Result<IpAllowList> networks = IpAllowList::parse(cidrs);
    if (networks)
        record.allowedNetworks = *networks;
    return record;
}

QString replaceSecret(const QString &key, QChar c)
{
    return key.left(13) + QString(43, c);
}
QJsonObject minimalRecord()
{
    return {{u"id"_s, u"k1"_s},
            {u"name"_s, u"n"_s},
            {u"prefix"_s, u"Abcd1234"_s},
            {u"hash"_s, u"hmac-sha256:"_s + QString(64, u'a')},
            {u"created_at"_s, u"2025-01-01T00:00:00Z"_s}};
}

QByteArray fileJson(const QJsonArray &keys)
{
    return QJsonDocument(QJsonObject{{u"version"_s, 1}, {u"keys"_s, keys}}).toJson();
}
} // namespace

class tst_ApiKeys : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ---- IpAllowList ----------------------------------------------------------------------

    void cidrParse_data()
    {
        QTest::addColumn<QString>("entry");
        QTest::addColumn<QString>("canonical");   // empty: must be refused

        QTest::addRow("v4 /8") << u"10.0.0.0/8"_s << u"10.0.0.0/8"_s;
        QTest::addRow("v4 /0") << u"0.0.0.0/0"_s << u"0.0.0.0/0"_s;
        QTest::addRow("v4 /32") << u"192.0.2.7/32"_s << u"192.0.2.7/32"_s;
        QTest::addRow("v4 host") << u"192.0.2.7"_s << u"192.0.2.7/32"_s;
        QTest::addRow("v4 /31") << u"192.0.2.6/31"_s << u"192.0.2.6/31"_s;
        QTest::addRow("whitespace around") << u" 10.0.0.0/8 "_s << u"10.0.0.0/8"_s;
        QTest::addRow("v6 /0") << u"::/0"_s << u"::/0"_s;
        QTest::addRow("v6 /128") << u"2001:db8::1/128"_s << u"2001:db8::1/128"_s;
        QTest::addRow("v6 host") << u"2001:db8::1"_s << u"2001:db8::1/128"_s;
        QTest::addRow("v6 upper case") << u"2001:DB8::/32"_s << u"2001:db8::/32"_s;
        QTest::addRow("v6 /127") << u"2001:db8::/127"_s << u"2001:db8::/127"_s;
        QTest::addRow("v6 /65") << u"2001:db8:0:0:8000::/65"_s << u"2001:db8:0:0:8000::/65"_s;
        QTest::addRow("mapped /104 is v4 /8") << u"::ffff:10.0.0.0/104"_s << u"10.0.0.0/8"_s;
        QTest::addRow("mapped host is v4 /32") << u"::ffff:10.0.0.1"_s << u"10.0.0.1/32"_s;
        QTest::addRow("mapped /96 is v4 /0") << u"::ffff:0.0.0.0/96"_s << u"0.0.0.0/0"_s;

        QTest::addRow("v4 /33") << u"10.0.0.0/33"_s << QString();
        QTest::addRow("v6 /129") << u"2001:db8::/129"_s << QString();
        QTest::addRow("negative prefix") << u"10.0.0.0/-1"_s << QString();
        QTest::addRow("plus prefix") << u"10.0.0.0/+8"_s << QString();
        QTest::addRow("empty prefix") << u"10.0.0.0/"_s << QString();
        QTest::addRow("leading zero prefix") << u"10.0.0.0/08"_s << QString();
        QTest::addRow("netmask") << u"10.0.0.0/255.0.0.0"_s << QString();
        QTest::addRow("two prefixes") << u"10.0.0.0/8/8"_s << QString();
        QTest::addRow("v4 host bits") << u"10.1.2.3/8"_s << QString();
        QTest::addRow("v4 host bits /31") << u"192.0.2.7/31"_s << QString();
        QTest::addRow("v6 host bits") << u"2001:db8::1/32"_s << QString();
        QTest::addRow("short v4") << u"10.1"_s << QString();
        QTest::addRow("short v4 network") << u"10/8"_s << QString();
        QTest::addRow("octal-looking") << u"010.0.0.1"_s << QString();
        QTest::addRow("hex") << u"0x7f.0.0.1"_s << QString();
        QTest::addRow("octet 256") << u"10.0.0.256"_s << QString();
        QTest::addRow("five octets") << u"10.0.0.0.0"_s << QString();
        QTest::addRow("hostname") << u"localhost"_s << QString();
        QTest::addRow("garbage") << u"allow all"_s << QString();
        QTest::addRow("empty") << QString() << QString();
        QTest::addRow("only a prefix") << u"/8"_s << QString();
        QTest::addRow("v6 triple colon") << u"2001:::1"_s << QString();
        QTest::addRow("v6 zone") << u"fe80::1%eth0"_s << QString();
        QTest::addRow("v6 zone with prefix") << u"fe80::%eth0/64"_s << QString();
        QTest::addRow("wildcard") << u"*"_s << QString();
    }

    void cidrParse()
    {
        QFETCH(QString, entry);
        QFETCH(QString, canonical);
        Result<IpAllowList> list = IpAllowList::parse({entry});
        if (canonical.isEmpty()) {
            QVERIFY(!list);
            QCOMPARE(list.error().code, u"ip_allow_list_invalid"_s);
            QCOMPARE(list.error().details.size(), 1);
            // The message names the entry.
            QVERIFY2(list.error().details.first().contains(u"\""_s + entry + u"\""_s),
                     qPrintable(list.error().details.first()));
            return;
        }
        QVERIFY2(list, qPrintable(list ? QString() : list.error().toString()));
        QCOMPARE(list->entries(), QStringList{canonical});
        // Canonical entries parse to themselves.
        Result<IpAllowList> again = IpAllowList::parse(list->entries());
        QVERIFY(again);
        QCOMPARE(*again, *list);
    }

    void cidrParseReportsEveryBadEntry()
    {
        Result<IpAllowList> list = IpAllowList::parse({u"10.0.0.0/8"_s, u"nonsense"_s, u"2001:db8::/200"_s});
        QVERIFY(!list);
        QCOMPARE(list.error().details.size(), 2);
        QVERIFY(list.error().details.at(0).contains(u"\"nonsense\""_s));
        QVERIFY(list.error().details.at(1).contains(u"\"2001:db8::/200\""_s));
        QVERIFY(list.error().details.at(1).contains(u"128"_s));
        // The host-bits message says which network was probably meant.
        Result<IpAllowList> hostBits = IpAllowList::parse({u"10.1.2.3/8"_s});
        QVERIFY(!hostBits);
        QVERIFY2(hostBits.error().details.first().contains(u"10.0.0.0/8"_s), qPrintable(hostBits.error().toString()));
    }

    void cidrContains_data()
    {
        QTest::addColumn<QStringList>("cidrs");
        QTest::addColumn<QString>("peer");
        QTest::addColumn<bool>("expected");

        const QStringList v4{u"10.0.0.0/8"_s, u"192.0.2.7/32"_s};
        const QStringList v6{u"2001:db8::/32"_s, u"2001:db8:ffff::1/128"_s};
        QTest::addRow("v4 inside") << v4 << u"10.200.3.4"_s << true;
        QTest::addRow("v4 first of range") << v4 << u"10.0.0.0"_s << true;
        QTest::addRow("v4 last of range") << v4 << u"10.255.255.255"_s << true;
        QTest::addRow("v4 just outside") << v4 << u"11.0.0.0"_s << false;
        QTest::addRow("v4 /32 exact") << v4 << u"192.0.2.7"_s << true;
        QTest::addRow("v4 /32 neighbour") << v4 << u"192.0.2.8"_s << false;
        QTest::addRow("v4 mapped inside") << v4 << u"::ffff:10.1.1.1"_s << true;
        QTest::addRow("v4 mapped /32") << v4 << u"::ffff:192.0.2.7"_s << true;
        QTest::addRow("v4 mapped outside") << v4 << u"::ffff:11.1.1.1"_s << false;
        QTest::addRow("v4 compatible is not mapped") << v4 << u"::10.1.1.1"_s << false;
        QTest::addRow("v4 rule, v6 peer") << v4 << u"2001:db8::1"_s << false;
        QTest::addRow("v6 inside") << v6 << u"2001:db8:1::5"_s << true;
        QTest::addRow("v6 outside") << v6 << u"2001:db9::1"_s << false;
        QTest::addRow("v6 /128 exact") << v6 << u"2001:db8:ffff::1"_s << true;
        QTest::addRow("v6 rule, v4 peer") << v6 << u"10.0.0.1"_s << false;
        QTest::addRow("v6 peer with zone") << QStringList{u"fe80::/64"_s} << u"fe80::1%eth0"_s << true;
        QTest::addRow("v4 /0 takes all v4") << QStringList{u"0.0.0.0/0"_s} << u"203.0.113.9"_s << true;
        QTest::addRow("v4 /0 takes mapped") << QStringList{u"0.0.0.0/0"_s} << u"::ffff:203.0.113.9"_s << true;
        QTest::addRow("v4 /0 not v6") << QStringList{u"0.0.0.0/0"_s} << u"2001:db8::1"_s << false;
        QTest::addRow("v6 /0 takes all v6") << QStringList{u"::/0"_s} << u"2001:db8::1"_s << true;
        QTest::addRow("v6 /0 not v4") << QStringList{u"::/0"_s} << u"10.0.0.1"_s << false;
        QTest::addRow("v6 /0 not mapped") << QStringList{u"::/0"_s} << u"::ffff:10.0.0.1"_s << false;
        QTest::addRow(":: is not 0.0.0.0") << QStringList{u"0.0.0.0/32"_s} << u"::"_s << false;
        QTest::addRow("mapped rule, v4 peer") << QStringList{u"::ffff:10.0.0.0/104"_s} << u"10.9.9.9"_s << true;
        QTest::addRow("mapped rule, mapped peer") << QStringList{u"::ffff:10.0.0.0/104"_s} << u"::ffff:10.9.9.9"_s << true;
        QTest::addRow("mapped rule, outside") << QStringList{u"::ffff:10.0.0.0/104"_s} << u"11.0.0.1"_s << false;
        QTest::addRow("loopback v4") << QStringList{u"127.0.0.0/8"_s} << u"127.0.0.1"_s << true;
        QTest::addRow("loopback v6 is not v4") << QStringList{u"127.0.0.0/8"_s} << u"::1"_s << false;
        QTest::addRow("null peer") << v4 << QString() << false;
        QTest::addRow("empty list") << QStringList{} << u"10.0.0.1"_s << false;
    }

    void cidrContains()
    {
        QFETCH(QStringList, cidrs);
        QFETCH(QString, peer);
        QFETCH(bool, expected);
        Result<IpAllowList> list = IpAllowList::parse(cidrs);
        QVERIFY2(list, qPrintable(list ? QString() : list.error().toString()));
        const QHostAddress address(peer);
        QCOMPARE(address.isNull(), peer.isEmpty());
        QCOMPARE(list->contains(address), expected);
    }

    // ---- authz.h --------------------------------------------------------------------------

    void authorization_data()
    {
        QTest::addColumn<QStringList>("grantedScopes");
        QTest::addColumn<QStringList>("grantedRoles");
        QTest::addColumn<QStringList>("requiredScopes");
        QTest::addColumn<QStringList>("acceptedRoles");
        QTest::addColumn<bool>("scopesOk");
        QTest::addColumn<bool>("rolesOk");

        const QStringList rw{u"orders:read"_s, u"orders:write"_s};
        QTest::addRow("nothing required") << QStringList{} << QStringList{} << QStringList{} << QStringList{} << true << true;
        QTest::addRow("all scopes present") << rw << QStringList{} << rw << QStringList{} << true << true;
        QTest::addRow("one scope missing") << QStringList{u"orders:read"_s} << QStringList{} << rw << QStringList{} << false << true;
        QTest::addRow("subset required") << rw << QStringList{} << QStringList{u"orders:write"_s} << QStringList{} << true << true;
        QTest::addRow("scopes case-sensitive") << QStringList{u"Orders:Read"_s} << QStringList{} << QStringList{u"orders:read"_s} << QStringList{} << false << true;
        QTest::addRow("no prefix matching") << QStringList{u"orders"_s} << QStringList{} << QStringList{u"orders:read"_s} << QStringList{} << false << true;
        QTest::addRow("any role") << QStringList{} << QStringList{u"partner"_s} << QStringList{} << QStringList{u"admin"_s, u"partner"_s} << true << true;
        QTest::addRow("no accepted role") << QStringList{} << QStringList{u"guest"_s} << QStringList{} << QStringList{u"admin"_s, u"partner"_s} << true << false;
        QTest::addRow("no roles granted") << QStringList{} << QStringList{} << QStringList{} << QStringList{u"admin"_s} << true << false;
    }

    void authorization()
    {
        QFETCH(QStringList, grantedScopes);
        QFETCH(QStringList, grantedRoles);
        QFETCH(QStringList, requiredScopes);
        QFETCH(QStringList, acceptedRoles);
        QFETCH(bool, scopesOk);
        QFETCH(bool, rolesOk);
        QCOMPARE(hasScopes(grantedScopes, requiredScopes), scopesOk);
        QCOMPARE(hasAnyRole(grantedRoles, acceptedRoles), rolesOk);
        const RouteRequirements route{requiredScopes, acceptedRoles};
        QCOMPARE(route.isSatisfiedBy(grantedScopes, grantedRoles), scopesOk && rolesOk);
    }

    // ---- ApiKeyStore ----------------------------------------------------------------------

    void generate()
    {
        ApiKeyStore store(Pepper);
        Result<GeneratedApiKey> made = store.generate(settings(u"billing"_s), Now);
        QVERIFY2(made, qPrintable(made ? QString() : made.error().toString()));
        static const QRegularExpression form(u"^cfx_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$"_s);
        QVERIFY2(form.match(made->key).hasMatch(), qPrintable(made->key));
        QVERIFY(ApiKeyStore::looksLikeApiKey(made->key));

        const ApiKeyRecord &record = made->record;
        QVERIFY(!record.id.isEmpty());
        QCOMPARE(record.name, u"billing"_s);
        QCOMPARE(record.prefix, made->key.mid(4, 8));
        QCOMPARE(record.displayKey(), u"cfx_"_s + record.prefix + u"_…"_s);
        QCOMPARE(record.hashAlgorithm, u"hmac-sha256"_s);
        QCOMPARE(record.hash, store.hashKey(made->key));
        QCOMPARE(record.hash.size(), 32);
        QCOMPARE(record.createdAt, Now);
        QCOMPARE(record.rateLimit, (ApiKeyRateLimit{100, 60.0, 10}));
        QCOMPARE(store.size(), 1);

        Result<ApiKeyRecord> verified = store.verify(made->key, QHostAddress(u"203.0.113.5"_s), Now);
        QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().toString()));
        QCOMPARE(verified->id, record.id);
        QCOMPARE(verified->scopes, record.scopes);
        QCOMPARE(verified->roles, record.roles);

        // Keys are distinct.
        Result<GeneratedApiKey> other = store.generate(settings(u"billing"_s), Now);
        QVERIFY(other);
        QVERIFY(other->key != made->key);
        QVERIFY(other->record.id != record.id);
        QVERIFY(other->record.prefix != record.prefix);
        QCOMPARE(store.verify(other->key, {}, Now)->id, other->record.id);
    }

    void generateInvalid_data()
    {
        QTest::addColumn<ApiKeyRecord>("settings");
        ApiKeyRecord noName = settings(QString());
        ApiKeyRecord blankName = settings(u"   "_s);
        ApiKeyRecord badScope = settings(u"x"_s);
        badScope.scopes.append(u"orders read"_s);
        ApiKeyRecord emptyRole = settings(u"x"_s);
        emptyRole.roles.append(QString());
        ApiKeyRecord badLimit = settings(u"x"_s);
        badLimit.rateLimit = {10, 0.0, 0};
        ApiKeyRecord negativeBurst = settings(u"x"_s);
        negativeBurst.rateLimit = {10, 1.0, -1};
        ApiKeyRecord expired = settings(u"x"_s);
        expired.expiresAt = Now;
        QTest::addRow("no name") << noName;
        QTest::addRow("blank name") << blankName;
        QTest::addRow("scope with space") << badScope;
        QTest::addRow("empty role") << emptyRole;
        QTest::addRow("zero window") << badLimit;
        QTest::addRow("negative burst") << negativeBurst;
        QTest::addRow("expires now") << expired;
    }

    void generateInvalid()
    {
        QFETCH(ApiKeyRecord, settings);
        ApiKeyStore store(Pepper);
        Result<GeneratedApiKey> made = store.generate(settings, Now);
        QVERIFY(!made);
        QCOMPARE(made.error().code, u"api_key_invalid"_s);
        QVERIFY(!made.error().details.isEmpty());
        QCOMPARE(store.size(), 0);
    }

    void verify_data()
    {
        QTest::addColumn<QStringList>("cidrs");
        QTest::addColumn<bool>("disabled");
        QTest::addColumn<qint64>("expiresInMs");   // 0: never
        QTest::addColumn<qint64>("nowOffsetMs");
        QTest::addColumn<QString>("peer");
        QTest::addColumn<QString>("presented");    // "key", or how to change it
        QTest::addColumn<QString>("code");         // empty: accepted

        const QStringList none;
        const QString v4 = u"198.51.100.7"_s;
        QTest::addRow("valid") << none << false << qint64(0) << qint64(0) << v4 << u"key"_s << QString();
        QTest::addRow("valid, no peer, no list") << none << false << qint64(0) << qint64(0) << QString() << u"key"_s << QString();
        QTest::addRow("other secret, same prefix") << none << false << qint64(0) << qint64(0) << v4 << u"secret"_s << u"api_key_unknown"_s;
        QTest::addRow("other prefix") << none << false << qint64(0) << qint64(0) << v4 << u"prefix"_s << u"api_key_unknown"_s;
        QTest::addRow("one character changed") << none << false << qint64(0) << qint64(0) << v4 << u"last"_s << u"api_key_unknown"_s;
        QTest::addRow("empty") << none << false << qint64(0) << qint64(0) << v4 << u""_s << u"api_key_malformed"_s;
        QTest::addRow("truncated") << none << false << qint64(0) << qint64(0) << v4 << u"truncated"_s << u"api_key_malformed"_s;
        QTest::addRow("trailing newline") << none << false << qint64(0) << qint64(0) << v4 << u"newline"_s << u"api_key_malformed"_s;
        QTest::addRow("wrong scheme") << none << false << qint64(0) << qint64(0) << v4 << u"scheme"_s << u"api_key_malformed"_s;
        QTest::addRow("bad character") << none << false << qint64(0) << qint64(0) << v4 << u"badchar"_s << u"api_key_malformed"_s;
        QTest::addRow("admin token") << none << false << qint64(0) << qint64(0) << v4 << u"token"_s << u"api_key_malformed"_s;
        QTest::addRow("disabled") << none << true << qint64(0) << qint64(0) << v4 << u"key"_s << u"api_key_disabled"_s;
        QTest::addRow("disabled, wrong secret") << none << true << qint64(0) << qint64(0) << v4 << u"secret"_s << u"api_key_unknown"_s;
        QTest::addRow("before expiry") << none << false << qint64(60000) << qint64(59999) << v4 << u"key"_s << QString();
        QTest::addRow("at expiry") << none << false << qint64(60000) << qint64(60000) << v4 << u"key"_s << u"api_key_expired"_s;
        QTest::addRow("after expiry") << none << false << qint64(60000) << qint64(86400000) << v4 << u"key"_s << u"api_key_expired"_s;
        QTest::addRow("expired, wrong secret") << none << false << qint64(60000) << qint64(86400000) << v4 << u"secret"_s << u"api_key_unknown"_s;
        QTest::addRow("v4 allowed") << QStringList{u"198.51.100.0/24"_s} << false << qint64(0) << qint64(0) << v4 << u"key"_s << QString();
        QTest::addRow("v4 not allowed") << QStringList{u"198.51.100.0/25"_s} << false << qint64(0) << qint64(0) << u"198.51.100.200"_s << u"key"_s << u"api_key_ip_not_allowed"_s;
        QTest::addRow("v6 allowed") << QStringList{u"2001:db8::/48"_s} << false << qint64(0) << qint64(0) << u"2001:db8:0:1::9"_s << u"key"_s << QString();
        QTest::addRow("v6 not allowed") << QStringList{u"2001:db8::/48"_s} << false << qint64(0) << qint64(0) << u"2001:db8:1::9"_s << u"key"_s << u"api_key_ip_not_allowed"_s;
        QTest::addRow("mapped allowed") << QStringList{u"198.51.100.0/24"_s} << false << qint64(0) << qint64(0) << u"::ffff:198.51.100.7"_s << u"key"_s << QString();
        QTest::addRow("mapped not allowed") << QStringList{u"198.51.100.0/24"_s} << false << qint64(0) << qint64(0) << u"::ffff:198.51.101.7"_s << u"key"_s << u"api_key_ip_not_allowed"_s;
        QTest::addRow("v4 rule, v6 peer") << QStringList{u"198.51.100.0/24"_s} << false << qint64(0) << qint64(0) << u"2001:db8::1"_s << u"key"_s << u"api_key_ip_not_allowed"_s;
        QTest::addRow("list, no peer") << QStringList{u"198.51.100.0/24"_s} << false << qint64(0) << qint64(0) << QString() << u"key"_s << u"api_key_ip_not_allowed"_s;
        QTest::addRow("not allowed, wrong secret") << QStringList{u"10.0.0.0/8"_s} << false << qint64(0) << qint64(0) << v4 << u"secret"_s << u"api_key_unknown"_s;
        QTest::addRow("disabled beats expired") << none << true << qint64(60000) << qint64(86400000) << v4 << u"key"_s << u"api_key_disabled"_s;
    }

    void verify()
    {
        QFETCH(QStringList, cidrs);
        QFETCH(bool, disabled);
        QFETCH(qint64, expiresInMs);
        QFETCH(qint64, nowOffsetMs);
        QFETCH(QString, peer);
        QFETCH(QString, presented);
        QFETCH(QString, code);

        ApiKeyStore store(Pepper);
        ApiKeyRecord wanted = settings(u"partner"_s, cidrs);
        QCOMPARE(wanted.allowedNetworks.size(), cidrs.size());
        if (expiresInMs)
            wanted.expiresAt = Now.addMSecs(expiresInMs);
        Result<GeneratedApiKey> made = store.generate(wanted, Now);
        QVERIFY(made);
        // A second key, so that "unknown" is not merely "the store is empty".
        QVERIFY(store.generate(settings(u"other"_s), Now));
        if (disabled)
            QVERIFY(store.setDisabled(made->record.id, true));

        const QString key = made->key;
        QString sent = key;
        if (presented == u"secret"_s)
            sent = replaceSecret(key, key.at(20) == u'A' ? u'B' : u'A');
        else if (presented == u"prefix"_s)
            sent = u"cfx_zzzzzzzz"_s + key.mid(12);
        else if (presented == u"last"_s)
            sent = key.left(55) + (key.at(55) == u'A' ? u'Q' : u'A');
        else if (presented == u"truncated"_s)
            sent = key.left(55);
        else if (presented == u"newline"_s)
            sent = key + u'\n';
        else if (presented == u"scheme"_s)
            sent = u"cfy_"_s + key.mid(4);
        else if (presented == u"badchar"_s)
            sent = key.left(30) + u'+' + key.mid(31);
        else if (presented == u"token"_s)
            sent = u"cfx_"_s + key.mid(13);
        else if (presented != u"key"_s)
            sent = presented;

        const QHostAddress address = peer.isEmpty() ? QHostAddress() : QHostAddress(peer);
        Result<ApiKeyRecord> result = store.verify(sent, address, Now.addMSecs(nowOffsetMs));
        if (code.isEmpty()) {
            QVERIFY2(result, qPrintable(result ? QString() : result.error().toString()));
            QCOMPARE(result->id, made->record.id);
            return;
        }
        QVERIFY(!result);
        QCOMPARE(result.error().code, code);
        // No message repeats the key or its secret part.
        const QString all = result.error().toString();
        QVERIFY(!all.contains(key.mid(13)));
        QVERIFY(!all.contains(sent.mid(13)) || sent.size() < 20);
    }

    void prefixCollision()
    {
        ApiKeyStore store(Pepper);
        Result<GeneratedApiKey> first = store.generate(settings(u"first"_s), Now);
        QVERIFY(first);

        // Another key with the same prefix (an import, or a 1 in 2^47 accident).
        const QString twin = replaceSecret(first->key, u'Q');
        QVERIFY(ApiKeyStore::looksLikeApiKey(twin));
        ApiKeyRecord second = first->record;
        second.id = u"twin"_s;
        second.name = u"second"_s;
        second.scopes = {u"other:scope"_s};
        second.hash = store.hashKey(twin);
        QVERIFY(store.add(second));
        QCOMPARE(store.size(), 2);

        QCOMPARE(store.verify(first->key, {}, Now)->id, first->record.id);
        QCOMPARE(store.verify(twin, {}, Now)->id, u"twin"_s);
        QCOMPARE(store.verify(twin, {}, Now)->scopes, QStringList{u"other:scope"_s});
        QCOMPARE(store.verify(replaceSecret(first->key, u'R'), {}, Now).error().code, u"api_key_unknown"_s);

        // Disabling one does not affect the other.
        QVERIFY(store.setDisabled(u"twin"_s, true));
        QCOMPARE(store.verify(twin, {}, Now).error().code, u"api_key_disabled"_s);
        QVERIFY(store.verify(first->key, {}, Now));

        // Same hash again, or same id again: refused.
        ApiKeyRecord copy = second;
        copy.id = u"copy"_s;
        QCOMPARE(store.add(copy).error().code, u"api_key_duplicate"_s);
        ApiKeyRecord sameId = second;
        sameId.hash = store.hashKey(replaceSecret(first->key, u'S'));
        QCOMPARE(store.add(sameId).error().code, u"api_key_duplicate"_s);
    }

    void revoke()
    {
        ApiKeyStore store(Pepper);
        Result<GeneratedApiKey> a = store.generate(settings(u"a"_s), Now);
        Result<GeneratedApiKey> b = store.generate(settings(u"b"_s), Now);
        QVERIFY(a && b);
        QVERIFY(store.revoke(a->record.id));
        QCOMPARE(store.size(), 1);
        QCOMPARE(store.verify(a->key, {}, Now).error().code, u"api_key_unknown"_s);
        QCOMPARE(store.verify(b->key, {}, Now)->id, b->record.id);
        QVERIFY(!store.record(a->record.id));
        QCOMPARE(store.record(b->record.id)->name, u"b"_s);
        QCOMPARE(store.revoke(a->record.id).error().code, u"api_key_not_found"_s);
        QCOMPARE(store.setDisabled(a->record.id, true).error().code, u"api_key_not_found"_s);

        QVERIFY(store.setDisabled(b->record.id, true));
        QCOMPARE(store.verify(b->key, {}, Now).error().code, u"api_key_disabled"_s);
        QVERIFY(store.setDisabled(b->record.id, false));
        QVERIFY(store.verify(b->key, {}, Now));
    }

    void jsonRoundTrip()
    {
        ApiKeyStore store(Pepper);
        QStringList keys;
        ApiKeyRecord full = settings(u"full"_s, {u"10.0.0.0/8"_s, u"2001:db8::/32"_s, u"::ffff:192.0.2.0/120"_s});
        full.expiresAt = Now.addDays(30).addMSecs(123);
        ApiKeyRecord bare;
        bare.name = u"bare — ünïcode"_s;
        for (const ApiKeyRecord &wanted : {full, bare, settings(u"third"_s)}) {
            Result<GeneratedApiKey> made = store.generate(wanted, Now);
            QVERIFY(made);
            keys.append(made->key);
        }
        QVERIFY(store.setDisabled(store.records().at(2).id, true));

        const QByteArray json = store.toJson();
        for (const QString &key : keys) {
            QVERIFY(!json.contains(key.toLatin1()));
            QVERIFY(!json.contains(key.mid(13).toLatin1()));
        }
        QVERIFY(!json.contains(Pepper));

        const QJsonObject first = QJsonDocument::fromJson(json).object().value(u"keys"_s).toArray().at(0).toObject();
        QCOMPARE(first.value(u"allowed_cidrs"_s).toArray().at(2).toString(), u"192.0.2.0/24"_s);
        QVERIFY(first.value(u"hash"_s).toString().startsWith(u"hmac-sha256:"_s));
        QCOMPARE(first.value(u"rate_limit"_s).toObject().value(u"window_seconds"_s).toDouble(), 60.0);
        const QJsonObject second = QJsonDocument::fromJson(json).object().value(u"keys"_s).toArray().at(1).toObject();
        QVERIFY(!second.contains(u"rate_limit"_s));
        QVERIFY(!second.contains(u"expires_at"_s));

        ApiKeyStore loaded(Pepper);
        Result<void> ok = loaded.loadJson(json);
        QVERIFY2(ok, qPrintable(ok ? QString() : ok.error().toString()));
        QCOMPARE(loaded.size(), 3);
        QCOMPARE(loaded.toJson(), json);
        const QList<ApiKeyRecord> before = store.records();
        const QList<ApiKeyRecord> after = loaded.records();
        for (qsizetype i = 0; i < before.size(); ++i) {
            QCOMPARE(after.at(i).id, before.at(i).id);
            QCOMPARE(after.at(i).hash, before.at(i).hash);
            QCOMPARE(after.at(i).prefix, before.at(i).prefix);
            QCOMPARE(after.at(i).scopes, before.at(i).scopes);
            QCOMPARE(after.at(i).roles, before.at(i).roles);
            QCOMPARE(after.at(i).rateLimit, before.at(i).rateLimit);
            QCOMPARE(after.at(i).allowedNetworks, before.at(i).allowedNetworks);
            QCOMPARE(after.at(i).createdAt, before.at(i).createdAt);
            QCOMPARE(after.at(i).expiresAt, before.at(i).expiresAt);
            QCOMPARE(after.at(i).disabled, before.at(i).disabled);
            QCOMPARE(after.at(i).name, before.at(i).name);
        }
        QCOMPARE(loaded.verify(keys.at(0), QHostAddress(u"::ffff:10.1.2.3"_s), Now)->name, u"full"_s);
        QCOMPARE(loaded.verify(keys.at(1), {}, Now)->name, bare.name);
        QCOMPARE(loaded.verify(keys.at(2), {}, Now).error().code, u"api_key_disabled"_s);

        // Another pepper: the records load, but no key matches them.
        ApiKeyStore otherPepper("another pepper of at least 32 bytes!!"_ba);
        QVERIFY(otherPepper.loadJson(json));
        QCOMPARE(otherPepper.verify(keys.at(1), {}, Now).error().code, u"api_key_unknown"_s);
        // No pepper: HMAC records cannot be verified and are refused.
        ApiKeyStore noPepper;
        Result<void> refused = noPepper.loadJson(json);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, u"api_key_store_invalid"_s);
        QVERIFY(refused.error().toString().contains(u"pepper"_s));
    }

    void files()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"api-keys.json"_s);
        ApiKeyStore store(Pepper);
        QVERIFY(store.loadFile(path));      // missing: empty
        QCOMPARE(store.size(), 0);
        Result<GeneratedApiKey> made = store.generate(settings(u"file"_s), Now);
        QVERIFY(made);
        QVERIFY(store.saveFile(path));
        QCOMPARE(QFile::permissions(path) & (QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther),
                 QFileDevice::Permissions());

        ApiKeyStore loaded(Pepper);
        QVERIFY(loaded.loadFile(path));
        QCOMPARE(loaded.verify(made->key, {}, Now)->id, made->record.id);

        QCOMPARE(loaded.loadFile(dir.path()).error().code, u"api_key_store_io"_s);
        QCOMPARE(store.saveFile(dir.filePath(u"missing/dir/keys.json"_s)).error().code, u"api_key_store_io"_s);
    }

    void sha256WithoutPepper()
    {
        ApiKeyStore store;
        QCOMPARE(store.hashAlgorithm(), u"sha256"_s);
        Result<GeneratedApiKey> made = store.generate(settings(u"plain"_s), Now);
        QVERIFY(made);
        QCOMPARE(made->record.hash, QCryptographicHash::hash(made->key.toUtf8(), QCryptographicHash::Sha256));
        QVERIFY(store.verify(made->key, {}, Now));
        // A peppered store refuses plain records: they could have been written by anyone who
        // can write the file.
        ApiKeyStore peppered(Pepper);
        QCOMPARE(peppered.loadJson(store.toJson()).error().code, u"api_key_store_invalid"_s);
        QCOMPARE(peppered.add(made->record).error().code, u"api_key_invalid"_s);
    }

    void loadInvalid_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("mentions");

        const auto file = [](const QJsonArray &keys) { return fileJson(keys); };
        const auto with = [](const char *member, const QJsonValue &value) {
            QJsonObject record = minimalRecord();
            if (value.isUndefined())
                record.remove(QString::fromLatin1(member));
            else
                record.insert(QString::fromLatin1(member), value);
            return fileJson({record});
        };
        const QString invalid = u"api_key_store_invalid"_s;

        QTest::addRow("not json") << "{"_ba << invalid << QString();
        QTest::addRow("array") << "[]"_ba << invalid << QString();
        QTest::addRow("no version") << QJsonDocument(QJsonObject{{u"keys"_s, QJsonArray()}}).toJson() << invalid << QString();
        QTest::addRow("future version") << QJsonDocument(QJsonObject{{u"version"_s, 2}, {u"keys"_s, QJsonArray()}}).toJson()
                                        << invalid << QString();
        QTest::addRow("keys not array") << QJsonDocument(QJsonObject{{u"version"_s, 1}, {u"keys"_s, QJsonObject()}}).toJson()
                                        << invalid << QString();
        QTest::addRow("entry not object") << file({1}) << invalid << QString();
        QTest::addRow("no hash") << with("hash", QJsonValue::Undefined) << invalid << u"hash"_s;
        QTest::addRow("bad hash hex") << with("hash", u"hmac-sha256:xyz"_s) << invalid << u"hash"_s;
        QTest::addRow("upper-case hex") << with("hash", u"hmac-sha256:"_s + QString(64, u'A')) << invalid << u"hash"_s;
        QTest::addRow("unknown hash algorithm") << with("hash", u"md5:"_s + QString(64, u'a')) << invalid << u"hash"_s;
        QTest::addRow("no id") << with("id", QJsonValue::Undefined) << invalid << u"id"_s;
        QTest::addRow("bad prefix") << with("prefix", u"Abc_1234"_s) << invalid << u"prefix"_s;
        QTest::addRow("short prefix") << with("prefix", u"Abc"_s) << invalid << u"prefix"_s;
        QTest::addRow("bad cidr") << with("allowed_cidrs", QJsonArray{u"10.0.0.0/8"_s, u"10.0.0.0/99"_s}) << invalid
                                  << u"10.0.0.0/99"_s;
        QTest::addRow("cidrs not strings") << with("allowed_cidrs", QJsonArray{10}) << invalid << u"allowed_cidrs"_s;
        QTest::addRow("no created_at") << with("created_at", QJsonValue::Undefined) << invalid << u"created_at"_s;
        QTest::addRow("time without offset") << with("expires_at", u"2026-01-01T00:00:00"_s) << invalid << u"expires_at"_s;
        QTest::addRow("time garbage") << with("expires_at", u"tomorrow"_s) << invalid << u"expires_at"_s;
        QTest::addRow("scope with space") << with("scopes", QJsonArray{u"a b"_s}) << invalid << u"a b"_s;
        QTest::addRow("negative rate") << with("rate_limit", QJsonObject{{u"requests"_s, -1}}) << invalid << u"requests"_s;
        QTest::addRow("fractional rate") << with("rate_limit", QJsonObject{{u"requests"_s, 1.5}}) << invalid << u"requests"_s;
        QTest::addRow("zero window") << with("rate_limit", QJsonObject{{u"requests"_s, 1}, {u"window_seconds"_s, 0}})
                                     << invalid << u"window_seconds"_s;
        QTest::addRow("rate limit a number") << with("rate_limit", 5) << invalid << u"rate_limit"_s;
        QTest::addRow("disabled not bool") << with("disabled", u"no"_s) << invalid << u"disabled"_s;

        QJsonObject twin = minimalRecord();
        twin.insert(u"hash"_s, u"hmac-sha256:"_s + QString(64, u'b'));
        QTest::addRow("duplicate id") << file({minimalRecord(), twin}) << u"api_key_duplicate"_s << u"k1"_s;
        twin = minimalRecord();
        twin.insert(u"id"_s, u"k2"_s);
        QTest::addRow("duplicate hash") << file({minimalRecord(), twin}) << u"api_key_duplicate"_s << u"k2"_s;
    }

    void loadInvalid()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, code);
        QFETCH(QString, mentions);
        ApiKeyStore store(Pepper);
        Result<GeneratedApiKey> kept = store.generate(settings(u"kept"_s), Now);
        QVERIFY(kept);
        Result<void> loaded = store.loadJson(json);
        QVERIFY(!loaded);
        QCOMPARE(loaded.error().code, code);
        QVERIFY2(loaded.error().toString().contains(mentions), qPrintable(loaded.error().toString()));
        // A failed load changes nothing.
        QCOMPARE(store.size(), 1);
        QVERIFY(store.verify(kept->key, {}, Now));
    }

    void loadValidMinimal()
    {
        // Optional members may be absent, unknown ones are ignored, times may have any offset.
        QJsonObject object = minimalRecord();
        object.insert(u"created_at"_s, u"2025-01-01T02:00:00+02:00"_s);
        object.insert(u"unknown"_s, true);
        ApiKeyStore store(Pepper);
        Result<void> loaded = store.loadJson(fileJson({object}));
        QVERIFY2(loaded, qPrintable(loaded ? QString() : loaded.error().toString()));
        const ApiKeyRecord record = store.records().constFirst();
        QCOMPARE(record.id, u"k1"_s);
        QCOMPARE(record.createdAt, QDateTime(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC));
        QVERIFY(!record.expiresAt.isValid());
        QVERIFY(!record.disabled);
        QVERIFY(!record.rateLimit.isEnabled());
        QVERIFY(record.allowedNetworks.isEmpty());
        QVERIFY(record.scopes.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_ApiKeys)
#include "tst_apikeys.moc"
