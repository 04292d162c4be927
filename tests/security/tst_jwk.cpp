// JWK, JWK Set and PEM key parsing, base64url and algorithm names.

#include "jwttestkit.h"

#include <QJsonArray>
#include <QTest>

#include <openssl/encoder.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

using namespace Conflux;
using namespace Conflux::Security;
using namespace Conflux::Test;
using namespace Qt::StringLiterals;

class tst_Jwk : public QObject
{
    Q_OBJECT

private:
    PkeyPtr m_rsa, m_ec256, m_ec384;

private Q_SLOTS:
    void initTestCase()
    {
        m_rsa = generate("RSA");
        m_ec256 = generate("EC", "P-256");
        m_ec384 = generate("EC", "P-384");
        QVERIFY(m_rsa && m_ec256 && m_ec384);
    }

    // ---- JWK and PEM parsing ---------------------------------------------------------------

    void jwkErrors_data()
    {
        QTest::addColumn<QJsonObject>("jwk");
        QTest::addColumn<QString>("code");
        const QJsonObject rsa = publicJwkJson(m_rsa.get(), u"r"_s);
        const QJsonObject ec = publicJwkJson(m_ec256.get(), u"e"_s, u"P-256"_s);
        const PkeyPtr small = generate("RSA", nullptr, 1024);

        QTest::addRow("kty missing") << without(rsa, u"kty"_s) << u"jwk_invalid"_s;
        QTest::addRow("kty OKP") << QJsonObject{{u"kty"_s, u"OKP"_s}, {u"crv"_s, u"Ed25519"_s}, {u"x"_s, u"AAAA"_s}}
                                 << u"jwk_unsupported"_s;
        QTest::addRow("kty lower-case rsa") << with(rsa, u"kty"_s, u"rsa"_s) << u"jwk_unsupported"_s;
        QTest::addRow("RSA without n") << without(rsa, u"n"_s) << u"jwk_invalid"_s;
        QTest::addRow("RSA n padded") << with(rsa, u"n"_s, rsa.value("n"_L1).toString() + u"=="_s) << u"jwk_invalid"_s;
        QTest::addRow("RSA n standard base64")
            << with(rsa, u"n"_s, rsa.value("n"_L1).toString().replace(u'-', u'+').replace(u'_', u'/')) << u"jwk_invalid"_s;
        QTest::addRow("RSA n a number") << with(rsa, u"n"_s, 12345) << u"jwk_invalid"_s;
        QTest::addRow("RSA e even") << with(rsa, u"e"_s, u"AQAA"_s) << u"jwk_invalid"_s;
        QTest::addRow("RSA 1024 bits") << publicJwkJson(small.get(), u"s"_s) << u"jwk_weak_key"_s;
        QTest::addRow("EC crv P-192") << with(ec, u"crv"_s, u"P-192"_s) << u"jwk_unsupported"_s;
        QTest::addRow("EC crv secp256k1") << with(ec, u"crv"_s, u"secp256k1"_s) << u"jwk_unsupported"_s;
        QTest::addRow("EC x short") << with(ec, u"x"_s, QString::fromLatin1(b64u(QByteArray(31, '\1')))) << u"jwk_invalid"_s;
        QTest::addRow("EC point off curve") << with(ec, u"y"_s, QString::fromLatin1(b64u(QByteArray(32, '\1')))) << u"jwk_invalid"_s;
        QTest::addRow("EC P-384 coordinates on P-256") << with(publicJwkJson(m_ec384.get(), u"e"_s, u"P-384"_s), u"crv"_s, u"P-256"_s)
                                                      << u"jwk_invalid"_s;
        QTest::addRow("oct k short") << QJsonObject{{u"kty"_s, u"oct"_s}, {u"k"_s, QString::fromLatin1(b64u("short"))}}
                                     << u"jwk_weak_key"_s;
        QTest::addRow("oct k empty") << QJsonObject{{u"kty"_s, u"oct"_s}, {u"k"_s, u""_s}} << u"jwk_invalid"_s;
        QTest::addRow("kid a number") << with(rsa, u"kid"_s, 3) << u"jwk_invalid"_s;
        QTest::addRow("key_ops a string") << with(rsa, u"key_ops"_s, u"verify"_s) << u"jwk_invalid"_s;
    }

    void jwkErrors()
    {
        QFETCH(QJsonObject, jwk);
        QFETCH(QString, code);
        Result<Jwk> key = Jwk::fromJson(jwk);
        QVERIFY(!key);
        QCOMPARE(codeOf(key), code);
    }

    void jwkSet()
    {
        const QJsonObject rsa = publicJwkJson(m_rsa.get(), u"r"_s);
        const QJsonObject okp{{u"kty"_s, u"OKP"_s}, {u"crv"_s, u"Ed25519"_s}, {u"x"_s, u"AAAA"_s}};
        const QJsonObject weak = publicJwkJson(generate("RSA", nullptr, 1024).get(), u"old"_s);
        QStringList skipped;
        Result<JwkSet> set = JwkSet::fromJson(QJsonObject{{u"keys"_s, QJsonArray{okp, rsa, weak}}}, &skipped);
        QVERIFY(set);
        QCOMPARE(set->size(), 1);
        QCOMPARE(skipped.size(), 2);
        QVERIFY(skipped.at(0).startsWith("/keys/0"_L1));

        Result<JwkSet> broken = JwkSet::fromJson(QJsonObject{{u"keys"_s, QJsonArray{rsa, without(rsa, u"e"_s)}}});
        QCOMPARE(codeOf(broken), u"jwk_invalid"_s);
        QVERIFY(broken.error().message.startsWith("/keys/1"_L1));
        QCOMPARE(codeOf(JwkSet::fromJson("{\"keys\": {}}"_ba)), u"jwk_invalid"_s);
        QCOMPARE(codeOf(JwkSet::fromJson("[]"_ba)), u"jwk_invalid"_s);
        QCOMPARE(codeOf(JwkSet::fromJson("{\"keys\": [1]}"_ba)), u"jwk_invalid"_s);
        QCOMPARE(codeOf(JwkSet::fromJson("{\"keys\": [}"_ba)), u"jwk_invalid"_s);
        QJsonArray many;
        for (int i = 0; i <= JwkSet::MaxKeys; ++i)
            many.append(okp);
        QCOMPARE(codeOf(JwkSet::fromJson(QJsonObject{{u"keys"_s, many}})), u"jwk_invalid"_s);
        QVERIFY(JwkSet::fromJson("{\"keys\": []}"_ba)->isEmpty());
    }

    void pem()
    {
        // SubjectPublicKeyInfo for RSA and EC is covered by roundTrip; here PKCS#1, certificates
        // and what must be refused.
        std::unique_ptr<OSSL_ENCODER_CTX, decltype(&OSSL_ENCODER_CTX_free)> encoder(
            OSSL_ENCODER_CTX_new_for_pkey(m_rsa.get(), EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", nullptr),
            OSSL_ENCODER_CTX_free);
        unsigned char *data = nullptr;
        size_t length = 0;
        QVERIFY(encoder && OSSL_ENCODER_to_data(encoder.get(), &data, &length));
        const QByteArray pkcs1(reinterpret_cast<const char *>(data), qsizetype(length));
        OPENSSL_free(data);
        QVERIFY(pkcs1.startsWith("-----BEGIN RSA PUBLIC KEY-----"));
        Result<Jwk> fromPkcs1 = Jwk::fromPem(pkcs1);
        QVERIFY2(fromPkcs1, qPrintable(fromPkcs1 ? QString() : fromPkcs1.error().message));
        QCOMPARE(fromPkcs1->type(), Jwk::Type::Rsa);
        QCOMPARE(fromPkcs1->bits(), 2048);

        std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), X509_free);
        X509_set_version(certificate.get(), 2);
        ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1);
        X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0);
        X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600);
        X509_set_pubkey(certificate.get(), m_ec384.get());
        X509_NAME *name = X509_get_subject_name(certificate.get());
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("idp"), -1, -1, 0);
        X509_set_issuer_name(certificate.get(), name);
        QVERIFY(X509_sign(certificate.get(), m_ec384.get(), EVP_sha384()) > 0);
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
        PEM_write_bio_X509(bio.get(), certificate.get());
        Result<Jwk> fromCertificate = Jwk::fromPem(bioText(bio.get()), u"cert"_s);
        QVERIFY2(fromCertificate, qPrintable(fromCertificate ? QString() : fromCertificate.error().message));
        QCOMPARE(fromCertificate->curve(), u"P-384"_s);
        // ES384 through the certificate's key.
        const QByteArray token = makeToken(QJsonObject{{u"alg"_s, u"ES384"_s}}, baseClaims(), keySigner(m_ec384, JwsAlgorithm::ES384));
        QVERIFY(verifyJwt(token, JwkSet({*fromCertificate}), basePolicy({u"ES384"_s})));

        std::unique_ptr<BIO, decltype(&BIO_free)> privateBio(BIO_new(BIO_s_mem()), BIO_free);
        PEM_write_bio_PrivateKey(privateBio.get(), m_rsa.get(), nullptr, nullptr, 0, nullptr, nullptr);
        QCOMPARE(codeOf(Jwk::fromPem(bioText(privateBio.get()))), u"jwk_invalid"_s);
        QCOMPARE(codeOf(Jwk::fromPem("not a key"_ba)), u"jwk_invalid"_s);
        QCOMPARE(codeOf(Jwk::fromPem(publicPem(generate("ED25519").get()))), u"jwk_unsupported"_s);
        QCOMPARE(codeOf(Jwk::fromPem(publicPem(generate("EC", "secp256k1").get()))), u"jwk_unsupported"_s);
        QCOMPARE(codeOf(Jwk::fromPem(publicPem(generate("RSA", nullptr, 1024).get()))), u"jwk_weak_key"_s);
        QCOMPARE(codeOf(Jwk::fromSecret(QByteArray(31, 's'))), u"jwk_weak_key"_s);
    }

    // ---- primitives ------------------------------------------------------------------------

    void base64Url_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("decoded");  // empty with valid=false: refused
        QTest::addColumn<bool>("valid");
        QTest::addRow("empty") << QByteArray() << QByteArray() << true;
        QTest::addRow("f") << "Zg"_ba << "f"_ba << true;
        QTest::addRow("fo") << "Zm8"_ba << "fo"_ba << true;
        QTest::addRow("foo") << "Zm9v"_ba << "foo"_ba << true;
        QTest::addRow("url alphabet") << "-_-_"_ba << QByteArray::fromHex("fbffbf") << true;
        QTest::addRow("padding") << "Zg=="_ba << QByteArray() << false;
        QTest::addRow("plus") << "+A"_ba << QByteArray() << false;
        QTest::addRow("slash") << "/A"_ba << QByteArray() << false;
        QTest::addRow("newline") << "Zm9v\nZm9v"_ba << QByteArray() << false;
        QTest::addRow("one char") << "Z"_ba << QByteArray() << false;
        QTest::addRow("non-canonical Zh") << "Zh"_ba << QByteArray() << false;
        QTest::addRow("non-canonical Zm9") << "Zm9"_ba << QByteArray() << false;
        QTest::addRow("NUL") << QByteArray("Zm\0v", 4) << QByteArray() << false;
    }

    void base64Url()
    {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, decoded);
        QFETCH(bool, valid);
        std::optional<QByteArray> result = Internal::decodeBase64Url(text);
        QCOMPARE(result.has_value(), valid);
        if (valid)
            QCOMPARE(*result, decoded);
    }

    void algorithmNames()
    {
        for (JwsAlgorithm algorithm : allJwsAlgorithms())
            QCOMPARE(jwsAlgorithmFromName(jwsAlgorithmName(algorithm)), algorithm);
        QCOMPARE(allJwsAlgorithms().size(), 12);
        QVERIFY(!jwsAlgorithmFromName(u"none"_s));
        QVERIFY(!jwsAlgorithmFromName(u"hs256"_s));
        QVERIFY(!jwsAlgorithmFromName(u"EdDSA"_s));
        QVERIFY(!jwsAlgorithmFromName(u""_s));
    }
};

QTEST_GUILESS_MAIN(tst_Jwk)
#include "tst_jwk.moc"
