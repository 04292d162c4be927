#include "base/log.h"
#include "security/secrets.h"
#include "security/tokens.h"

#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Security;
using namespace Qt::StringLiterals;

class tst_Security : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tokens()
    {
        QSet<QString> seen;
        for (int i = 0; i < 200; ++i) {
            const QString token = generateToken();
            QVERIFY2(looksLikeToken(token), qPrintable(token));
            QVERIFY(!seen.contains(token));
            seen.insert(token);
        }
        const QString token = generateToken();
        QCOMPARE(hashToken(token).size(), 64);
        QCOMPARE(hashToken(token), hashToken(token));
        QVERIFY(hashToken(token) != hashToken(generateToken()));
        QVERIFY(!looksLikeToken(u"cfx_short"_s));
        QVERIFY(!looksLikeToken(token + u"x"_s));
        QVERIFY(constantTimeEquals("abc", "abc"));
        QVERIFY(!constantTimeEquals("abc", "abd"));
        QVERIFY(!constantTimeEquals("abc", "abcd"));
    }

    void environmentSecrets()
    {
        QCOMPARE(EnvironmentSecretResolver::variableName(u"sap.production.password"_s),
                 u"CONFLUX_SECRET_SAP_PRODUCTION_PASSWORD"_s);
        qputenv("CONFLUX_SECRET_TEST_ENV_ONE", "PLANTED-env-value");
        EnvironmentSecretResolver resolver;
        Result<QString> value = resolver.resolve(u"test.env-one"_s);
        QVERIFY(value);
        QCOMPARE(*value, u"PLANTED-env-value"_s);
        // Resolved values never reach a log line.
        QCOMPARE(Log::redact(u"connecting with PLANTED-env-value now"_s), u"connecting with *** now"_s);
        QCOMPARE(resolver.resolve(u"test.absent"_s).error().code, u"secret_not_found"_s);
        QCOMPARE(resolver.resolve(u"../etc/passwd"_s).error().code, u"secret_invalid_name"_s);
    }

    void directorySecrets()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath(u"erp-db.password"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("PLANTED-dir-value\n");
        file.close();
        DirectorySecretResolver resolver(dir.path());
        QCOMPARE(*resolver.resolve(u"erp-db.password"_s), u"PLANTED-dir-value"_s);
        QCOMPARE(resolver.resolve(u"other"_s).error().code, u"secret_not_found"_s);
        QCOMPARE(resolver.resolve(u".."_s).error().code, u"secret_invalid_name"_s);

        // The node's chain: the credentials directory first, then the environment.
        qputenv("CONFLUX_SECRET_ERP_DB_PASSWORD", "from-environment");
        qputenv("CONFLUX_SECRET_ONLY_ENV", "env-only");
        auto chain = nodeSecretResolver(dir.path());
        QCOMPARE(*chain->resolve(u"erp-db.password"_s), u"PLANTED-dir-value"_s);
        QCOMPARE(*chain->resolve(u"only.env"_s), u"env-only"_s);
        const Result<QString> missing = chain->resolve(u"nowhere"_s);
        QVERIFY(!missing);
        QVERIFY(missing.error().message.contains(dir.path()));
    }

    void logRedaction()
    {
        QVERIFY(Log::isSecretKey(u"Authorization"_s));
        QVERIFY(Log::isSecretKey(u"client_secret"_s));
        QVERIFY(!Log::isSecretKey(u"username"_s));
        const QJsonObject redacted = Log::redact(QJsonObject{
            {u"password"_s, u"hunter2"_s},
            {u"nested"_s, QJsonObject{{u"api_key"_s, u"k-123"_s}, {u"user"_s, u"bob"_s}}},
            {u"ref"_s, QJsonObject{{u"password"_s, QJsonObject{{u"secret"_s, u"db.password"_s}}}}}});
        QCOMPARE(redacted.value(u"password"_s).toString(), u"***"_s);
        QCOMPARE(redacted.value(u"nested"_s).toObject().value(u"api_key"_s).toString(), u"***"_s);
        QCOMPARE(redacted.value(u"nested"_s).toObject().value(u"user"_s).toString(), u"bob"_s);
        // A secret reference names a secret; the name stays readable.
        QCOMPARE(redacted.value(u"ref"_s).toObject().value(u"password"_s).toObject().value(u"secret"_s).toString(),
                 u"db.password"_s);
        Log::addSecretValue(u"abc"_s); // too short to redact safely
        QCOMPARE(Log::redact(u"abcdef"_s), u"abcdef"_s);
    }
};

QTEST_GUILESS_MAIN(tst_Security)
#include "tst_security.moc"
