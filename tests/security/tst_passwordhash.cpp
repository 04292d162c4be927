#include "security/passwordhash.h"

#include <QRegularExpression>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Security;
using namespace Qt::StringLiterals;

namespace {
// Cheap parameters, so that the tests run in milliseconds; the defaults get their own test.
const ScryptParameters Fast{4, 8, 1};

QString b64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64Encoding | QByteArray::OmitTrailingEquals));
}
} // namespace

class tst_PasswordHash : public QObject
{
    Q_OBJECT

private:
    // A valid hash of "correct horse" with Fast parameters, made in initTestCase().
    QString m_stored;

private Q_SLOTS:
    void initTestCase()
    {
        Result<QString> stored = PasswordHasher(Fast).hash("correct horse");
        QVERIFY2(stored, qPrintable(stored ? QString() : stored.error().toString()));
        m_stored = *stored;
    }

    // ---- RFC 7914 §12 test vectors ------------------------------------------------------

    void rfc7914_data()
    {
        QTest::addColumn<QByteArray>("password");
        QTest::addColumn<QByteArray>("salt");
        QTest::addColumn<int>("logN");
        QTest::addColumn<int>("r");
        QTest::addColumn<int>("p");
        QTest::addColumn<QByteArray>("expected");

        QTest::addRow("empty, N=16") << ""_ba << ""_ba << 4 << 1 << 1
            << "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
               "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"_ba;
        QTest::addRow("password/NaCl, N=1024 p=16") << "password"_ba << "NaCl"_ba << 10 << 8 << 16
            << "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
               "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"_ba;
        QTest::addRow("pleaseletmein, N=16384") << "pleaseletmein"_ba << "SodiumChloride"_ba << 14 << 8 << 1
            << "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
               "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"_ba;
    }

    void rfc7914()
    {
        QFETCH(QByteArray, password);
        QFETCH(QByteArray, salt);
        QFETCH(int, logN);
        QFETCH(int, r);
        QFETCH(int, p);
        QFETCH(QByteArray, expected);
        Result<QByteArray> key = PasswordHasher::scrypt(password, salt, ScryptParameters{logN, r, p}, 64);
        QVERIFY2(key, qPrintable(key ? QString() : key.error().toString()));
        QCOMPARE(key->toHex(), expected);
    }

    // ---- hash() and verify() --------------------------------------------------------------

    void roundTrip_data()
    {
        QTest::addColumn<QByteArray>("password");
        QTest::addColumn<QByteArray>("wrong");

        QTest::addRow("ascii") << "hunter2"_ba << "hunter3"_ba;
        QTest::addRow("empty") << ""_ba << " "_ba;
        QTest::addRow("utf-8") << QString(u"pässwörd ✓"_s).toUtf8() << QString(u"passwörd ✓"_s).toUtf8();
        QTest::addRow("embedded NUL") << QByteArray("ab\0cd", 5) << QByteArray("ab\0ce", 5);
        QTest::addRow("NUL is not the end") << QByteArray("ab\0cd", 5) << "ab"_ba;
        QTest::addRow("long") << QByteArray(4096, 'x') << QByteArray(4095, 'x');
        QTest::addRow("case matters") << "Secret"_ba << "secret"_ba;
        QTest::addRow("prefix is not enough") << "longer password"_ba << "longer"_ba;
    }

    void roundTrip()
    {
        QFETCH(QByteArray, password);
        QFETCH(QByteArray, wrong);
        const PasswordHasher hasher(Fast);
        Result<QString> stored = hasher.hash(password);
        QVERIFY(stored);
        static const QRegularExpression form(u"^\\$scrypt\\$ln=4,r=8,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$"_s);
        QVERIFY2(form.match(*stored).hasMatch(), qPrintable(*stored));

        Result<bool> right = hasher.verify(password, *stored);
        QVERIFY(right);
        QVERIFY(*right);
        Result<bool> bad = hasher.verify(wrong, *stored);
        QVERIFY(bad);
        QVERIFY(!*bad);

        // A second hash of the same password has another salt.
        Result<QString> again = hasher.hash(password);
        QVERIFY(again);
        QVERIFY(*again != *stored);
        QVERIFY(*hasher.verify(password, *again));
    }

    void defaults()
    {
        const PasswordHasher hasher;
        QCOMPARE(hasher.parameters(), (ScryptParameters{15, 8, 1}));
        QVERIFY(hasher.parameters().isWithinLimits());
        // 32 MiB: more than OpenSSL's default maxmem, so this fails unless we raise it.
        QVERIFY(hasher.parameters().memoryBytes() > 32u * 1024 * 1024);
        Result<QString> stored = hasher.hash("gateway user");
        QVERIFY2(stored, qPrintable(stored ? QString() : stored.error().toString()));
        QVERIFY(stored->startsWith(u"$scrypt$ln=15,r=8,p=1$"_s));
        QVERIFY(*hasher.verify("gateway user", *stored));
        QVERIFY(!*hasher.verify("gateway user.", *stored));
        QVERIFY(!hasher.needsRehash(*stored));
    }

    // A stored string whose fields were changed but that still parses: it must not verify.
    void tamperedFields_data()
    {
        QTest::addColumn<int>("field");      // 2 parameters, 3 salt, 4 hash
        QTest::addColumn<QString>("replacement");
        QTest::addColumn<bool>("verifies");

        QTest::addRow("ln raised") << 2 << u"ln=5,r=8,p=1"_s << false;
        QTest::addRow("ln lowered") << 2 << u"ln=3,r=8,p=1"_s << false;
        QTest::addRow("r changed") << 2 << u"ln=4,r=7,p=1"_s << false;
        QTest::addRow("p changed") << 2 << u"ln=4,r=8,p=2"_s << false;
        QTest::addRow("salt replaced") << 3 << b64(QByteArray(16, 'S')) << false;
        QTest::addRow("salt shortened") << 3 << QString() << false;   // filled in below
        QTest::addRow("hash replaced") << 4 << b64(QByteArray(32, 'H')) << false;
        QTest::addRow("hash one bit flipped") << 4 << u"flip"_s << false;
        // scrypt's output is PBKDF2's, whose shorter outputs are prefixes of longer ones: a
        // truncated hash still verifies (with fewer bits; the minimum length bounds that).
        QTest::addRow("hash shortened") << 4 << QString() << true;   // filled in below
    }

    void tamperedFields()
    {
        QFETCH(int, field);
        QFETCH(QString, replacement);
        QFETCH(bool, verifies);
        QStringList fields = m_stored.split(u'$');
        QCOMPARE(fields.size(), 5);
        if (replacement == u"flip"_s) {
            QByteArray bytes = QByteArray::fromBase64(fields.at(field).toLatin1());
            bytes[7] = char(bytes.at(7) ^ 0x10);
            replacement = b64(bytes);
        } else if (replacement.isEmpty()) {
            // Drop the last 4 bytes (keeps canonical base64 and a length within the limits).
            QByteArray bytes = QByteArray::fromBase64(fields.at(field).toLatin1());
            bytes.chop(4);
            replacement = b64(bytes);
        }
        QVERIFY(fields.at(field) != replacement);
        fields[field] = replacement;
        const QString tampered = fields.join(u'$');
        QVERIFY(PasswordHash::parse(tampered));
        Result<bool> verified = PasswordHasher(Fast).verify("correct horse", tampered);
        QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().toString()));
        QCOMPARE(*verified, verifies);
        QVERIFY(*PasswordHasher(Fast).verify("correct horse", m_stored));
    }

    // Stored strings that must be refused before any derivation.
    void malformed_data()
    {
        QTest::addColumn<QString>("stored");
        QTest::addColumn<QString>("code");

        const QString salt = b64(QByteArray(16, 's'));
        const QString hash = b64(QByteArray(32, 'h'));
        const auto with = [&](const QString &params, const QString &s = {}, const QString &h = {}) {
            return u"$scrypt$"_s + params + u'$' + (s.isNull() ? salt : s) + u'$' + (h.isNull() ? hash : h);
        };
        const QString ok = u"password_hash_malformed"_s;
        const QString bounds = u"password_hash_parameters_invalid"_s;

        QTest::addRow("empty") << QString() << ok;
        QTest::addRow("plain text") << u"hunter2"_s << ok;
        QTest::addRow("other algorithm") << u"$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"_s
                                         << u"password_hash_unsupported"_s;
        QTest::addRow("bcrypt") << u"$2b$12$abcdefghijklmnopqrstuu5gq9DHq1jBm3L1kbP1A2bOvUMEXOVjy"_s
                                << u"password_hash_unsupported"_s;
        QTest::addRow("no leading $") << with(u"ln=4,r=8,p=1"_s).mid(1) << ok;
        QTest::addRow("missing hash") << u"$scrypt$ln=4,r=8,p=1$"_s + salt << ok;
        QTest::addRow("extra field") << with(u"ln=4,r=8,p=1"_s) + u"$x"_s << ok;
        QTest::addRow("parameters reordered") << with(u"r=8,ln=4,p=1"_s) << ok;
        QTest::addRow("parameter missing") << with(u"ln=4,r=8"_s) << ok;
        QTest::addRow("unknown parameter") << with(u"ln=4,r=8,p=1,x=1"_s) << ok;
        QTest::addRow("leading zero") << with(u"ln=04,r=8,p=1"_s) << ok;
        QTest::addRow("negative") << with(u"ln=-4,r=8,p=1"_s) << ok;
        QTest::addRow("spaces") << with(u"ln=4, r=8,p=1"_s) << ok;
        QTest::addRow("huge number") << with(u"ln=4,r=99999999999,p=1"_s) << ok;
        QTest::addRow("salt with padding") << with(u"ln=4,r=8,p=1"_s, salt + u"=="_s) << ok;
        QTest::addRow("salt base64url") << with(u"ln=4,r=8,p=1"_s, u"c2Fsd-1fc2Fsd_1fc2FsdA"_s) << ok;
        QTest::addRow("salt not canonical") << with(u"ln=4,r=8,p=1"_s, salt.left(21) + u'u') << ok;
        QTest::addRow("salt empty") << with(u"ln=4,r=8,p=1"_s, u""_s) << ok;
        QTest::addRow("salt too short") << with(u"ln=4,r=8,p=1"_s, b64("1234567")) << ok;
        QTest::addRow("salt too long") << with(u"ln=4,r=8,p=1"_s, b64(QByteArray(65, 's'))) << ok;
        QTest::addRow("hash too short") << with(u"ln=4,r=8,p=1"_s, {}, b64(QByteArray(15, 'h'))) << ok;
        QTest::addRow("hash too long") << with(u"ln=4,r=8,p=1"_s, {}, b64(QByteArray(65, 'h'))) << ok;
        QTest::addRow("hash garbage") << with(u"ln=4,r=8,p=1"_s, {}, u"*not base64*"_s) << ok;
        QTest::addRow("very long") << with(u"ln=4,r=8,p=1"_s, {}, QString(400, u'A')) << ok;
        QTest::addRow("ln 0") << with(u"ln=0,r=8,p=1"_s) << bounds;
        QTest::addRow("ln 21") << with(u"ln=21,r=8,p=1"_s) << bounds;
        QTest::addRow("ln 64") << with(u"ln=64,r=8,p=1"_s) << bounds;
        QTest::addRow("r 0") << with(u"ln=4,r=0,p=1"_s) << bounds;
        QTest::addRow("r 33") << with(u"ln=4,r=33,p=1"_s) << bounds;
        QTest::addRow("p 0") << with(u"ln=4,r=8,p=0"_s) << bounds;
        QTest::addRow("p 17") << with(u"ln=4,r=8,p=17"_s) << bounds;
        QTest::addRow("1 GiB") << with(u"ln=20,r=8,p=1"_s) << bounds;
        QTest::addRow("too much work") << with(u"ln=17,r=8,p=16"_s) << bounds;
        QTest::addRow("N too large for r") << with(u"ln=16,r=1,p=1"_s) << bounds;
    }

    void malformed()
    {
        QFETCH(QString, stored);
        QFETCH(QString, code);
        Result<PasswordHash> parsed = PasswordHash::parse(stored);
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().code, code);
        Result<bool> verified = PasswordHasher(Fast).verify("correct horse", stored);
        QVERIFY(!verified);
        QCOMPARE(verified.error().code, code);
        QVERIFY(PasswordHasher(Fast).needsRehash(stored));
    }

    void limits_data()
    {
        QTest::addColumn<int>("logN");
        QTest::addColumn<int>("r");
        QTest::addColumn<int>("p");
        QTest::addColumn<bool>("within");

        QTest::addRow("defaults") << 15 << 8 << 1 << true;
        QTest::addRow("smallest") << 1 << 1 << 1 << true;
        QTest::addRow("256 MiB") << 18 << 8 << 1 << true;
        QTest::addRow("ln 20 r 2") << 20 << 2 << 1 << true;
        QTest::addRow("512 MiB") << 19 << 8 << 1 << false;
        QTest::addRow("work at limit") << 15 << 8 << 16 << true;
        QTest::addRow("work over limit") << 16 << 8 << 16 << false;
        QTest::addRow("r at limit") << 10 << 32 << 1 << true;
        QTest::addRow("N < 2^(16r) at r=1") << 15 << 1 << 1 << true;
        QTest::addRow("N = 2^16 at r=1") << 16 << 1 << 1 << false;
    }

    void limits()
    {
        QFETCH(int, logN);
        QFETCH(int, r);
        QFETCH(int, p);
        QFETCH(bool, within);
        const ScryptParameters parameters{logN, r, p};
        QCOMPARE(parameters.isWithinLimits(), within);
        if (!within) {
            Result<QString> stored = PasswordHasher(parameters).hash("x");
            QVERIFY(!stored);
            QCOMPARE(stored.error().code, u"password_hash_parameters_invalid"_s);
        }
    }

    void needsRehash_data()
    {
        QTest::addColumn<QString>("stored");
        QTest::addColumn<bool>("expected");

        const auto make = [](ScryptParameters p, int saltBytes = 16, int hashBytes = 32) {
            return PasswordHash{p, QByteArray(saltBytes, 's'), QByteArray(hashBytes, 'h')}.toString();
        };
        QTest::addRow("current") << make({15, 8, 1}) << false;
        QTest::addRow("stronger ln") << make({16, 8, 1}) << false;
        QTest::addRow("stronger r and p") << make({15, 16, 2}) << false;
        QTest::addRow("weaker ln") << make({14, 8, 1}) << true;
        QTest::addRow("weaker r") << make({15, 4, 1}) << true;
        QTest::addRow("weaker ln, stronger r") << make({14, 16, 1}) << true;
        QTest::addRow("short salt") << make({15, 8, 1}, 8) << true;
        QTest::addRow("short hash") << make({15, 8, 1}, 16, 16) << true;
        QTest::addRow("longer salt and hash") << make({15, 8, 1}, 32, 64) << false;
        QTest::addRow("malformed") << u"$scrypt$nonsense"_s << true;
        QTest::addRow("other algorithm") << u"$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"_s << true;
    }

    void needsRehash()
    {
        QFETCH(QString, stored);
        QFETCH(bool, expected);
        QCOMPARE(PasswordHasher().needsRehash(stored), expected);
    }

    void toStringRoundTrip()
    {
        Result<PasswordHash> parsed = PasswordHash::parse(m_stored);
        QVERIFY(parsed);
        QCOMPARE(parsed->parameters, Fast);
        QCOMPARE(parsed->salt.size(), 16);
        QCOMPARE(parsed->hash.size(), 32);
        QCOMPARE(parsed->toString(), m_stored);
    }

    // ---- VerifiedPasswordCache ------------------------------------------------------------

    void cacheHitMissExpiry()
    {
        qint64 now = 1000;
        VerifiedPasswordCache cache({5000, 16, [&now] { return now; }});
        const PasswordHasher hasher(Fast);

        Result<bool> first = cache.verify(hasher, u"alice", "correct horse", m_stored);
        QVERIFY(first && *first);
        QCOMPARE(cache.misses(), 1u);
        QCOMPARE(cache.hits(), 0u);
        QCOMPARE(cache.size(), 1);

        now += 4999;
        Result<bool> second = cache.verify(hasher, u"alice", "correct horse", m_stored);
        QVERIFY(second && *second);
        QCOMPARE(cache.hits(), 1u);

        // A wrong password is never a hit and never cached.
        Result<bool> wrong = cache.verify(hasher, u"alice", "correct horse!", m_stored);
        QVERIFY(wrong && !*wrong);
        QCOMPARE(cache.hits(), 1u);
        QCOMPARE(cache.misses(), 2u);
        QCOMPARE(cache.size(), 1);

        // The same password for another user, or against another stored hash: a miss.
        QVERIFY(!cache.contains(u"bob", "correct horse", m_stored));
        Result<QString> rehashed = hasher.hash("correct horse");
        QVERIFY(rehashed);
        QVERIFY(!cache.contains(u"alice", "correct horse", *rehashed));
        // Field boundaries are part of the key.
        QVERIFY(!cache.contains(u"alicec", "orrect horse", m_stored));

        // Expired at exactly ttl after the insert.
        now += 1;
        QVERIFY(!cache.contains(u"alice", "correct horse", m_stored));
        QCOMPARE(cache.size(), 0);
        Result<bool> third = cache.verify(hasher, u"alice", "correct horse", m_stored);
        QVERIFY(third && *third);
        QCOMPARE(cache.size(), 1);
        QVERIFY(cache.contains(u"alice", "correct horse", m_stored));

        cache.clear();
        QCOMPARE(cache.size(), 0);
        QVERIFY(!cache.contains(u"alice", "correct horse", m_stored));
    }

    void cacheErrorsPassThrough()
    {
        VerifiedPasswordCache cache;
        Result<bool> result = cache.verify(PasswordHasher(Fast), u"alice", "x", u"$scrypt$ln=30,r=8,p=1$AAAA$AAAA");
        QVERIFY(!result);
        QCOMPARE(result.error().code, u"password_hash_parameters_invalid"_s);
        QCOMPARE(cache.size(), 0);
    }

    void cacheBound_data()
    {
        QTest::addColumn<qsizetype>("maxEntries");
        QTest::addColumn<int>("inserts");       // one per millisecond, ttl 10 ms
        QTest::addColumn<qint64>("insertAt");   // then one more insert at this time
        QTest::addColumn<QList<int>>("kept");   // indexes still cached afterwards

        QTest::addRow("under the bound") << qsizetype(4) << 3 << qint64(3) << QList<int>{0, 1, 2, 3};
        QTest::addRow("full: oldest goes") << qsizetype(3) << 3 << qint64(3) << QList<int>{1, 2, 3};
        QTest::addRow("full: expired go first") << qsizetype(3) << 3 << qint64(11) << QList<int>{2, 3};
        QTest::addRow("bound of one") << qsizetype(1) << 3 << qint64(3) << QList<int>{3};
        QTest::addRow("disabled") << qsizetype(0) << 3 << qint64(3) << QList<int>{};
    }

    void cacheBound()
    {
        QFETCH(qsizetype, maxEntries);
        QFETCH(int, inserts);
        QFETCH(qint64, insertAt);
        QFETCH(QList<int>, kept);
        qint64 now = 0;
        VerifiedPasswordCache cache({10, maxEntries, [&now] { return now; }});
        const auto user = [](int i) { return u"user%1"_s.arg(i); };
        for (int i = 0; i < inserts; ++i) {
            now = i;
            cache.insert(user(i), "pw", m_stored);
        }
        now = insertAt;
        cache.insert(user(inserts), "pw", m_stored);
        QCOMPARE(cache.size(), kept.size());
        QVERIFY(cache.size() <= maxEntries);
        for (int i = 0; i <= inserts; ++i)
            QCOMPARE(cache.contains(user(i), "pw", m_stored), kept.contains(i));
    }
};

QTEST_GUILESS_MAIN(tst_PasswordHash)
#include "tst_passwordhash.moc"
