// JWS signing (core/security/jwtsign.h): every algorithm a private key can sign with must
// verify with Conflux's own verifier (jwt.h) and the public half of the key.

#include "security/jwk.h"
#include "security/jwt.h"
#include "security/jwtsign.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

using namespace Conflux;
using namespace Conflux::Security;
using namespace Qt::StringLiterals;

namespace {

// A fresh private key in PEM (PKCS#8), made by OpenSSL for the test.
QByteArray generatePem(const char *type, const char *curve, size_t bits = 2048, bool traditional = false)
{
    EVP_PKEY *key = curve ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve)
                          : EVP_PKEY_Q_keygen(nullptr, nullptr, type, bits);
    if (!key)
        return {};
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (traditional)
        PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    else
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    EVP_PKEY_free(key);
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(length));
}

JwtPolicy policyFor(JwsAlgorithm algorithm)
{
    JwtPolicy policy;
    policy.allowedAlgorithms = {algorithm};
    policy.allowedIssuers = {u"client-1"_s};
    policy.audiences = {u"https://login.example/token"_s};
    policy.nowSeconds = 1'700'000'100;
    return policy;
}

} // namespace

class TestJwtSign : public QObject
{
    Q_OBJECT

private slots:
    void signedTokensVerify_data()
    {
        QTest::addColumn<QString>("algorithm");
        QTest::addColumn<QByteArray>("type");
        QTest::addColumn<QByteArray>("curve");
        QTest::addRow("RS256") << u"RS256"_s << "RSA"_ba << QByteArray();
        QTest::addRow("RS384") << u"RS384"_s << "RSA"_ba << QByteArray();
        QTest::addRow("RS512") << u"RS512"_s << "RSA"_ba << QByteArray();
        QTest::addRow("PS256") << u"PS256"_s << "RSA"_ba << QByteArray();
        QTest::addRow("PS384") << u"PS384"_s << "RSA"_ba << QByteArray();
        QTest::addRow("PS512") << u"PS512"_s << "RSA"_ba << QByteArray();
        QTest::addRow("ES256") << u"ES256"_s << "EC"_ba << "P-256"_ba;
        QTest::addRow("ES384") << u"ES384"_s << "EC"_ba << "P-384"_ba;
        QTest::addRow("ES512") << u"ES512"_s << "EC"_ba << "P-521"_ba;
    }

    void signedTokensVerify()
    {
        QFETCH(QString, algorithm);
        QFETCH(QByteArray, type);
        QFETCH(QByteArray, curve);
        const JwsAlgorithm alg = *jwsAlgorithmFromName(algorithm);
        const QByteArray pem = generatePem(type.constData(), curve.isEmpty() ? nullptr : curve.constData());
        QVERIFY(!pem.isEmpty());
        Result<SigningKey> key = SigningKey::fromPem(pem);
        QVERIFY2(key, qPrintable(key ? QString() : key.error().toString()));
        QVERIFY(key->canSign(alg));

        const QJsonObject claims{{u"iss"_s, u"client-1"_s},
                                 {u"aud"_s, u"https://login.example/token"_s},
                                 {u"sub"_s, u"user@example.com"_s},
                                 {u"iat"_s, 1'700'000'000},
                                 {u"exp"_s, 1'700'003'600}};
        Result<QByteArray> token = signJwt(alg, *key, claims, u"key-7"_s);
        QVERIFY2(token, qPrintable(token ? QString() : token.error().toString()));
        QCOMPARE(token->count('.'), 2);

        Result<Jwk> publicKey = Jwk::fromPem(key->publicKeyPem(), u"key-7"_s);
        QVERIFY2(publicKey, qPrintable(publicKey ? QString() : publicKey.error().toString()));
        JwkSet keys;
        keys.append(*publicKey);
        Result<VerifiedJwt> verified = verifyJwt(*token, keys, policyFor(alg));
        QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().toString()));
        QCOMPARE(verified->algorithm, alg);
        QCOMPARE(verified->keyId, u"key-7"_s);
        QCOMPARE(verified->subject, u"user@example.com"_s);
        QCOMPARE(verified->header.value(u"typ"_s).toString(), u"JWT"_s);

        // A changed payload must no longer verify: the signature covers it.
        QList<QByteArray> parts = token->split('.');
        QJsonObject tampered = claims;
        tampered.insert(u"sub"_s, u"admin@example.com"_s);
        parts[1] = QJsonDocument(tampered).toJson(QJsonDocument::Compact).toBase64(QByteArray::Base64UrlEncoding
                                                                                    | QByteArray::OmitTrailingEquals);
        Result<VerifiedJwt> forged = verifyJwt(parts.join('.'), keys, policyFor(alg));
        QVERIFY(!forged);
        QCOMPARE(forged.error().code, u"jwt_signature_invalid"_s);
    }

    void ecdsaSignaturesAreRawRAndS()
    {
        Result<SigningKey> key = SigningKey::fromPem(generatePem("EC", "P-384"));
        QVERIFY(key);
        for (int i = 0; i < 20; ++i) { // DER lengths vary; R||S never does
            Result<QByteArray> signature = signJwsInput(JwsAlgorithm::ES384, *key, "input-" + QByteArray::number(i));
            QVERIFY(signature);
            QCOMPARE(signature->size(), 96);
        }
    }

    void readsTraditionalAndEscapedPem()
    {
        const QByteArray rsa = generatePem("RSA", nullptr, 2048, true);
        QVERIFY(rsa.contains("BEGIN RSA PRIVATE KEY"));
        QVERIFY(SigningKey::fromPem(rsa));
        const QByteArray ec = generatePem("EC", "P-256", 0, true);
        QVERIFY(ec.contains("BEGIN EC PRIVATE KEY"));
        Result<SigningKey> ecKey = SigningKey::fromPem(ec);
        QVERIFY(ecKey);
        QCOMPARE(ecKey->curve(), u"P-256"_s);
        // as pasted from a service account's JSON file
        QByteArray escaped = generatePem("RSA", nullptr);
        escaped.replace("\n", "\\n");
        QVERIFY(SigningKey::fromPem(escaped));
    }

    void refusesWhatCannotSign_data()
    {
        QTest::addColumn<QByteArray>("pem");
        QTest::addColumn<QString>("algorithm");
        QTest::addColumn<QString>("code");
        QTest::addRow("public key") << "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"_ba
                                    << u"RS256"_s << u"signing_key_invalid"_s;
        QTest::addRow("garbage") << "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n"_ba
                                 << u"RS256"_s << u"signing_key_invalid"_s;
        QTest::addRow("encrypted") << "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"_ba
                                   << u"RS256"_s << u"signing_key_invalid"_s;
        QTest::addRow("small rsa") << generatePem("RSA", nullptr, 1024) << u"RS256"_s << u"signing_key_invalid"_s;
        QTest::addRow("rsa for ES256") << generatePem("RSA", nullptr) << u"ES256"_s << u"jwt_algorithm_not_allowed"_s;
        QTest::addRow("P-256 for ES384") << generatePem("EC", "P-256") << u"ES384"_s << u"jwt_algorithm_not_allowed"_s;
        QTest::addRow("ec for PS256") << generatePem("EC", "P-256") << u"PS256"_s << u"jwt_algorithm_not_allowed"_s;
        QTest::addRow("HS256") << generatePem("RSA", nullptr) << u"HS256"_s << u"jwt_algorithm_not_allowed"_s;
    }

    void refusesWhatCannotSign()
    {
        QFETCH(QByteArray, pem);
        QFETCH(QString, algorithm);
        QFETCH(QString, code);
        Result<SigningKey> key = SigningKey::fromPem(pem);
        if (!key) {
            QCOMPARE(key.error().code, code);
            QVERIFY(!key.error().message.contains(u"AAAA"_s));
            return;
        }
        Result<QByteArray> token = signJwt(*jwsAlgorithmFromName(algorithm), *key, {{u"iss"_s, u"x"_s}});
        QVERIFY(!token);
        QCOMPARE(token.error().code, code);
    }
};

QTEST_GUILESS_MAIN(TestJwtSign)
#include "tst_jwtsign.moc"
