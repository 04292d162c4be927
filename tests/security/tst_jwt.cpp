#include "jwttestkit.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <openssl/rand.h>

using namespace Conflux;
using namespace Conflux::Security;
using namespace Conflux::Test;
using namespace Qt::StringLiterals;

namespace {
// RFC 7520 §3: the keys of the JOSE cookbook. The RSA key is given with its private members
// (§3.4), which the parser must ignore; the EC and RSA keys share a kid.
const char rfc7520Jwks[] = R"x({"keys": [
 {"kty": "EC", "kid": "bilbo.baggins@hobbiton.example", "use": "sig", "crv": "P-521",
  "x": "AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt",
  "y": "AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1",
  "d": "AAhRON2r9cqXX1hg-RoI6R1tX5p2rUAYdmpHZoC1XNM56KtscrX6zbKipQrCW9CGZH3T4ubpnoTKLDYJ_fF3_rJt"},
 {"kty": "RSA", "kid": "bilbo.baggins@hobbiton.example", "use": "sig",
  "n": "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw",
  "e": "AQAB",
  "d": "bWUC9B-EFRIo8kpGfh0ZuyGPvMNKvYWNtB_ikiH9k20eT-O1q_I78eiZkpXxXQ0UTEs2LsNRS-8uJbvQ-A1irkwMSMkK1J3XTGgdrhCku9gRldY7sNA_AKZGh-Q661_42rINLRCe8W-nZ34ui_qOfkLnK9QWDDqpaIsA-bMwWWSDFu2MUBYwkHTMEzLYGqOe04noqeq1hExBTHBOBdkMXiuFhUq1BU6l-DqEiWxqg82sXt2h-LMnT3046AOYJoRioz75tSUQfGCshWTBnP5uDjd18kKhyv07lhfSJdrPdM5Plyl21hsFf4L_mHCuoFau7gdsPfHPxxjVOcOpBrQzwQ",
  "p": "3Slxg_DwTXJcb6095RoXygQCAZ5RnAvZlno1yhHtnUex_fp7AZ_9nRaO7HX_-SFfGQeutao2TDjDAWU4Vupk8rw9JR0AzZ0N2fvuIAmr_WCsmGpeNqQnev1T7IyEsnh8UMt-n5CafhkikzhEsrmndH6LxOrvRJlsPp6Zv8bUq0k",
  "q": "uKE2dh-cTf6ERF4k4e_jy78GfPYUIaUyoSSJuBzp3Cubk3OCqs6grT8bR_cu0Dm1MZwWmtdqDyI95HrUeq3MP15vMMON8lHTeZu2lmKvwqW7anV5UzhM1iZ7z4yMkuUwFWoBvyY898EXvRD-hdqRxHlSqAZ192zB3pVFJ0s7pFc"},
 {"kty": "oct", "kid": "018c0ae5-4d9b-471b-bfd6-eef314bc7037", "use": "sig", "alg": "HS256",
  "k": "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}
]})x";

const char rfc7520Payload[] =
    "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9h"
    "ZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3"
    "ZXB0IG9mZiB0by4";

// RFC 7515 Appendix A: the shared payload of A.1–A.3 and A.5, with its CRLFs.
const char rfc7515Payload[] =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
} // namespace

class tst_Jwt : public QObject
{
    Q_OBJECT

private:
    PkeyPtr m_rsa, m_rsaOther, m_ec256, m_ec384, m_ec521, m_attacker;
    QByteArray m_secret;
    JwkSet m_keys;  // what the attack tests verify with: the "IdP" keys rsa-1 and ec-1

private Q_SLOTS:
    void initTestCase()
    {
        m_rsa = generate("RSA");
        m_rsaOther = generate("RSA");
        m_attacker = generate("RSA");
        m_ec256 = generate("EC", "P-256");
        m_ec384 = generate("EC", "P-384");
        m_ec521 = generate("EC", "P-521");
        QVERIFY(m_rsa && m_rsaOther && m_attacker && m_ec256 && m_ec384 && m_ec521);
        m_secret = QByteArray(64, Qt::Uninitialized);
        QCOMPARE(RAND_bytes(reinterpret_cast<unsigned char *>(m_secret.data()), 64), 1);

        const QJsonObject jwks{{u"keys"_s, QJsonArray{publicJwkJson(m_rsa.get(), u"rsa-1"_s),
                                                     publicJwkJson(m_ec256.get(), u"ec-1"_s, u"P-256"_s)}}};
        Result<JwkSet> keys = JwkSet::fromJson(compactJson(jwks));
        QVERIFY2(keys, qPrintable(keys ? QString() : keys.error().message));
        QCOMPARE(keys->size(), 2);
        m_keys = *keys;
    }

    // ---- RFC vectors ----------------------------------------------------------------------

    void rfc7515_data()
    {
        QTest::addColumn<QByteArray>("jwk");
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QString>("code");

        QTest::addRow("A.1 HS256")
            << R"x({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})x"_ba
            << "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."_ba + rfc7515Payload + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
            << QString();
        QTest::addRow("A.2 RS256")
            << R"x({"kty":"RSA","e":"AQAB","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"})x"_ba
            << "eyJhbGciOiJSUzI1NiJ9."_ba + rfc7515Payload
                   + ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"
            << QString();
        QTest::addRow("A.3 ES256")
            << R"x({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})x"_ba
            << "eyJhbGciOiJFUzI1NiJ9."_ba + rfc7515Payload
                   + ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"
            << QString();
        QTest::addRow("A.5 unsecured")
            << R"x({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})x"_ba
            << "eyJhbGciOiJub25lIn0."_ba + rfc7515Payload + "."
            << u"jwt_algorithm_not_allowed"_s;
    }

    void rfc7515()
    {
        QFETCH(QByteArray, jwk);
        QFETCH(QByteArray, token);
        QFETCH(QString, code);
        Result<Jwk> key = Jwk::fromJson(QJsonDocument::fromJson(jwk).object());
        QVERIFY2(key, qPrintable(key ? QString() : key.error().message));

        JwtPolicy policy;
        policy.allowedAlgorithms = allJwsAlgorithms();
        policy.clock = [] { return qint64(1300819380 - 3600); };  // an hour before "exp"
        const JwkSet keys(QList<Jwk>{*key});
        Result<VerifiedJwt> result = verifyJwt(token, keys, policy);
        if (!code.isEmpty()) {
            QVERIFY(!result);
            QCOMPARE(codeOf(result), code);
            return;
        }
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->issuer, u"joe"_s);
        QCOMPARE(*result->expiresAt, 1300819380);
        QCOMPARE(result->claims.value("http://example.com/is_root"_L1).toBool(), true);

        // The same token on the real clock: long expired.
        policy.clock = {};
        QCOMPARE(codeOf(verifyJwt(token, keys, policy)), u"jwt_expired"_s);
        // One second after exp + leeway, with the injected clock.
        policy.nowSeconds = 1300819380 + 60;
        QCOMPARE(codeOf(verifyJwt(token, keys, policy)), u"jwt_expired"_s);
    }

    void rfc7515_es512()
    {
        // A.4: the payload is the text "Payload", so only the JWS level applies.
        const QByteArray jwk = R"x({"kty":"EC","crv":"P-521","x":"AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk","y":"ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2"})x"_ba;
        const QByteArray token = "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn"_ba;
        Result<Jwk> key = Jwk::fromJson(QJsonDocument::fromJson(jwk).object());
        QVERIFY(key);
        QCOMPARE(key->curve(), u"P-521"_s);
        JwtPolicy policy = basePolicy({u"ES512"_s});
        const JwkSet keys(QList<Jwk>{*key});
        Result<VerifiedJws> result = verifyJws(token, keys, policy);
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(result->payload, "Payload"_ba);
        QCOMPARE(result->algorithm, JwsAlgorithm::ES512);
        // As a JWT it is refused: the payload is no claims set.
        QCOMPARE(codeOf(verifyJwt(token, keys, policy)), u"jwt_malformed"_s);
        // One bit of S flipped.
        QByteArray tampered = token;
        tampered[tampered.size() - 3] = tampered.at(tampered.size() - 3) == 'A' ? 'B' : 'A';
        QCOMPARE(codeOf(verifyJws(tampered, keys, policy)), u"jwt_signature_invalid"_s);
    }

    void rfc7520_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QString>("algorithm");
        QTest::addColumn<QString>("kid");

        QTest::addRow("4.1 RS256")
            << "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9."_ba + rfc7520Payload
                   + ".MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg"
            << u"RS256"_s << u"bilbo.baggins@hobbiton.example"_s;
        QTest::addRow("4.2 PS384")
            << "eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9."_ba + rfc7520Payload
                   + ".cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2IpN6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDItllVo6_1OLPpcbUrhiUSMxbbXUvdvWXzg-UD8biiReQFlfz28zGWVsdiNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRXe8P_ijQ7p8Vdz0TTrxUeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8cBE5awDzT0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTOcbH510a6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw"
            << u"PS384"_s << u"bilbo.baggins@hobbiton.example"_s;
        QTest::addRow("4.3 ES512")
            << "eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9."_ba + rfc7520Payload
                   + ".AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2"
            << u"ES512"_s << u"bilbo.baggins@hobbiton.example"_s;
        QTest::addRow("4.4 HS256")
            << "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9."_ba + rfc7520Payload
                   + ".s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0"
            << u"HS256"_s << u"018c0ae5-4d9b-471b-bfd6-eef314bc7037"_s;
    }

    void rfc7520()
    {
        QFETCH(QByteArray, token);
        QFETCH(QString, algorithm);
        QFETCH(QString, kid);
        Result<JwkSet> keys = JwkSet::fromJson(QByteArray(rfc7520Jwks));
        QVERIFY2(keys, qPrintable(keys ? QString() : keys.error().message));
        QCOMPARE(keys->size(), 3);

        JwtPolicy policy;
        policy.allowedAlgorithms = allJwsAlgorithms();
        Result<VerifiedJws> result = verifyJws(token, *keys, policy);
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        QCOMPARE(jwsAlgorithmName(result->algorithm), algorithm);
        QCOMPARE(result->keyId, kid);
        QCOMPARE(QString::fromUtf8(result->payload),
                 u"It\u2019s a dangerous business, Frodo, going out your door. You step onto the road, and if "
                 u"you don't keep your feet, there\u2019s no knowing where you might be swept off to."_s);

        // The payload changed by one character no longer verifies.
        const qsizetype at = token.indexOf('.') + 5;
        QByteArray tampered = token;
        tampered[at] = tampered.at(at) == 'A' ? 'B' : 'A';
        QCOMPARE(codeOf(verifyJws(tampered, *keys, policy)), u"jwt_signature_invalid"_s);
        // Not allowed by the route: refused before any key is used.
        policy.allowedAlgorithms.removeAll(*jwsAlgorithmFromName(algorithm));
        QCOMPARE(codeOf(verifyJws(token, *keys, policy)), u"jwt_algorithm_not_allowed"_s);
    }

    // ---- every algorithm, with fresh keys -------------------------------------------------

    void roundTrip_data()
    {
        QTest::addColumn<QString>("algorithm");
        for (JwsAlgorithm algorithm : allJwsAlgorithms())
            QTest::addRow("%s", qPrintable(jwsAlgorithmName(algorithm))) << jwsAlgorithmName(algorithm);
    }

    void roundTrip()
    {
        QFETCH(QString, algorithm);
        const JwsAlgorithm alg = *jwsAlgorithmFromName(algorithm);
        const auto family = Internal::jwsFamily(alg);
        Signer signer;
        QList<Jwk> fromJwk, fromConfig;
        if (family == Internal::JwsFamily::Hmac) {
            signer = secretSigner(m_secret, alg);
            const QJsonObject oct{{u"kty"_s, u"oct"_s}, {u"kid"_s, u"k1"_s},
                                  {u"k"_s, QString::fromLatin1(b64u(m_secret))}};
            Result<Jwk> jwk = Jwk::fromJson(oct);
            Result<Jwk> raw = Jwk::fromSecret(m_secret, u"k1"_s);
            QVERIFY(jwk && raw);
            fromJwk = {*jwk};
            fromConfig = {*raw};
        } else {
            const QString crv = QString::fromLatin1(Internal::jwsCurve(alg));
            const PkeyPtr key = crv.isEmpty() ? m_rsa : crv == "P-256"_L1 ? m_ec256 : crv == "P-384"_L1 ? m_ec384 : m_ec521;
            signer = keySigner(key, alg);
            Result<Jwk> jwk = Jwk::fromJson(publicJwkJson(key.get(), u"k1"_s, crv));
            Result<Jwk> pem = Jwk::fromPem(publicPem(key.get()), u"k1"_s);
            QVERIFY2(jwk, qPrintable(jwk ? QString() : jwk.error().message));
            QVERIFY2(pem, qPrintable(pem ? QString() : pem.error().message));
            QCOMPARE(pem->curve(), crv);
            fromJwk = {*jwk};
            fromConfig = {*pem};
        }
        const QByteArray token = makeToken(QJsonObject{{u"alg"_s, algorithm}, {u"kid"_s, u"k1"_s}, {u"typ"_s, u"JWT"_s}},
                                           with(baseClaims(), u"scope"_s, u"a b  c"_s), signer);
        const JwtPolicy policy = basePolicy({algorithm});
        for (const QList<Jwk> &keys : {fromJwk, fromConfig}) {
            Result<VerifiedJwt> result = verifyJwt(token, JwkSet(keys), policy);
            QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
            QCOMPARE(result->algorithm, alg);
            QCOMPARE(result->keyId, u"k1"_s);
            QCOMPARE(result->subject, u"user-42"_s);
            QCOMPARE(result->scopes, QStringList({u"a"_s, u"b"_s, u"c"_s}));
            QCOMPARE(result->audiences, QStringList{Audience});
            QCOMPARE(result->header.value("typ"_L1).toString(), u"JWT"_s);
        }
        // The last signature byte changed: refused.
        QByteArray signature = *Internal::decodeBase64Url(token.sliced(token.lastIndexOf('.') + 1));
        signature[signature.size() - 1] = char(signature.at(signature.size() - 1) ^ 0x01);
        const QByteArray tampered = replaceSegment(token, 2, b64u(signature));
        QCOMPARE(codeOf(verifyJwt(tampered, JwkSet(fromJwk), policy)), u"jwt_signature_invalid"_s);
        // Another key of the same kind: refused.
        const Signer stranger = family == Internal::JwsFamily::Hmac    ? secretSigner(QByteArray(64, 'x'), alg)
                                : family == Internal::JwsFamily::Ecdsa ? keySigner(generate("EC", Internal::jwsCurve(alg)), alg)
                                                                       : keySigner(m_rsaOther, alg);
        QCOMPARE(codeOf(verifyJwt(makeToken(QJsonObject{{u"alg"_s, algorithm}}, baseClaims(), stranger), JwkSet(fromJwk), policy)),
                 u"jwt_signature_invalid"_s);
    }

    // ---- attacks and RFC 8725 rules -------------------------------------------------------

    void attacks_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QStringList>("allowed");
        QTest::addColumn<QString>("code");

        const QStringList rs = {u"RS256"_s, u"ES256"_s};
        const Signer rsa = keySigner(m_rsa, JwsAlgorithm::RS256);
        const QJsonObject header{{u"alg"_s, u"RS256"_s}, {u"kid"_s, u"rsa-1"_s}};
        const QJsonObject claims = baseClaims();
        const QByteArray valid = makeToken(header, claims, rsa);

        QTest::addRow("valid RS256") << valid << rs << QString();
        QTest::addRow("valid ES256 without kid")
            << makeToken(QJsonObject{{u"alg"_s, u"ES256"_s}}, claims, keySigner(m_ec256, JwsAlgorithm::ES256)) << rs << QString();

        // alg "none", however spelt, with and without a signature.
        QTest::addRow("alg none, no signature")
            << makeToken(QJsonObject{{u"alg"_s, u"none"_s}}, claims, {}) << rs << u"jwt_algorithm_not_allowed"_s;
        QTest::addRow("alg none, kept signature")
            << replaceSegment(valid, 0, b64u(R"x({"alg":"none","kid":"rsa-1"})x")) << rs << u"jwt_algorithm_not_allowed"_s;
        QTest::addRow("alg NoNe") << makeToken(QJsonObject{{u"alg"_s, u"NoNe"_s}}, claims, {}) << rs
                                  << u"jwt_algorithm_not_allowed"_s;
        QTest::addRow("alg missing") << makeToken(QJsonObject{{u"kid"_s, u"rsa-1"_s}}, claims, rsa) << rs
                                     << u"jwt_malformed"_s;
        QTest::addRow("alg not a string") << makeToken(QJsonObject{{u"alg"_s, 256}}, claims, rsa) << rs << u"jwt_malformed"_s;
        QTest::addRow("alg unknown") << makeToken(QJsonObject{{u"alg"_s, u"XS256"_s}}, claims, rsa) << rs
                                     << u"jwt_algorithm_not_allowed"_s;
        QTest::addRow("alg not allowed (RS512)")
            << makeToken(QJsonObject{{u"alg"_s, u"RS512"_s}, {u"kid"_s, u"rsa-1"_s}}, claims, keySigner(m_rsa, JwsAlgorithm::RS512))
            << rs << u"jwt_algorithm_not_allowed"_s;
        QTest::addRow("empty allow list") << valid << QStringList() << u"jwt_algorithm_not_allowed"_s;

        // RS256 → HS256 with the public key as the HMAC secret, even on a route that allows both.
        for (const QByteArray &secret : {publicPem(m_rsa.get()), bignumBytes(m_rsa.get(), OSSL_PKEY_PARAM_RSA_N)}) {
            const bool pem = secret.startsWith("-----");
            const Signer forged = secretSigner(secret, JwsAlgorithm::HS256);
            const QByteArray withKid = makeToken(QJsonObject{{u"alg"_s, u"HS256"_s}, {u"kid"_s, u"rsa-1"_s}}, claims, forged);
            const QByteArray noKid = makeToken(QJsonObject{{u"alg"_s, u"HS256"_s}}, claims, forged);
            const char *what = pem ? "PEM" : "modulus";
            QTest::addRow("HS256 with %s as secret, RS-only route", what) << withKid << rs << u"jwt_algorithm_not_allowed"_s;
            QTest::addRow("HS256 with %s as secret, kid, mixed route", what)
                << withKid << QStringList{u"RS256"_s, u"HS256"_s} << u"jwt_algorithm_not_allowed"_s;
            QTest::addRow("HS256 with %s as secret, no kid, mixed route", what)
                << noKid << QStringList{u"RS256"_s, u"HS256"_s} << u"jwt_algorithm_not_allowed"_s;
        }
        QTest::addRow("ES256 header on the RSA key")
            << makeToken(QJsonObject{{u"alg"_s, u"ES256"_s}, {u"kid"_s, u"rsa-1"_s}}, claims, keySigner(m_ec256, JwsAlgorithm::ES256))
            << rs << u"jwt_algorithm_not_allowed"_s;

        // kid is a lookup string only.
        for (const QString &kid : {u"../../../../etc/passwd"_s, u"https://attacker.example/key.pem"_s,
                                   u"' OR '1'='1"_s, u"/dev/null"_s, u"rsa-1\u0000"_s}) {
            QTest::addRow("kid %s", qPrintable(kid.left(24)))
                << makeToken(QJsonObject{{u"alg"_s, u"RS256"_s}, {u"kid"_s, kid}}, claims, rsa) << rs << u"jwt_unknown_key"_s;
        }
        QTest::addRow("kid not a string") << makeToken(QJsonObject{{u"alg"_s, u"RS256"_s}, {u"kid"_s, 1}}, claims, rsa)
                                          << rs << u"jwt_malformed"_s;

        // jku / x5u / jwk / x5c are never used.
        const Signer attacker = keySigner(m_attacker, JwsAlgorithm::RS256);
        const QJsonObject attackerJwk = publicJwkJson(m_attacker.get(), u"evil"_s);
        QTest::addRow("jku ignored, real key")
            << makeToken(with(header, u"jku"_s, u"https://attacker.example/jwks.json"_s), claims, rsa) << rs << QString();
        QTest::addRow("jku, attacker key")
            << makeToken(with(header, u"jku"_s, u"https://attacker.example/jwks.json"_s), claims, attacker) << rs
            << u"jwt_signature_invalid"_s;
        QTest::addRow("x5u, attacker key")
            << makeToken(with(header, u"x5u"_s, u"https://attacker.example/cert.pem"_s), claims, attacker) << rs
            << u"jwt_signature_invalid"_s;
        QTest::addRow("embedded jwk, no kid")
            << makeToken(QJsonObject{{u"alg"_s, u"RS256"_s}, {u"jwk"_s, attackerJwk}}, claims, attacker) << rs
            << u"jwt_signature_invalid"_s;
        QTest::addRow("embedded jwk, its kid")
            << makeToken(QJsonObject{{u"alg"_s, u"RS256"_s}, {u"kid"_s, u"evil"_s}, {u"jwk"_s, attackerJwk}}, claims, attacker)
            << rs << u"jwt_unknown_key"_s;
        QTest::addRow("x5c, attacker key")
            << makeToken(with(header, u"x5c"_s, QJsonArray{u"MIIB"_s}), claims, attacker) << rs << u"jwt_signature_invalid"_s;

        // crit.
        QTest::addRow("crit unknown") << makeToken(with(header, u"crit"_s, QJsonArray{u"exp"_s}), with(claims, u"exp"_s, Now + 60), rsa)
                                      << rs << u"jwt_crit_unsupported"_s;
        QTest::addRow("crit b64") << makeToken(with(with(header, u"crit"_s, QJsonArray{u"b64"_s}), u"b64"_s, false), claims, rsa)
                                  << rs << u"jwt_crit_unsupported"_s;
        QTest::addRow("crit empty") << makeToken(with(header, u"crit"_s, QJsonArray()), claims, rsa) << rs << u"jwt_malformed"_s;
        QTest::addRow("crit string") << makeToken(with(header, u"crit"_s, u"exp"_s), claims, rsa) << rs << u"jwt_malformed"_s;
        QTest::addRow("crit number entry") << makeToken(with(header, u"crit"_s, QJsonArray{1}), claims, rsa) << rs << u"jwt_malformed"_s;

        // Tampering.
        QTest::addRow("tampered payload")
            << replaceSegment(valid, 1, b64u(compactJson(with(claims, u"sub"_s, u"admin"_s)))) << rs << u"jwt_signature_invalid"_s;
        QTest::addRow("tampered header")
            << replaceSegment(valid, 0, b64u(compactJson(with(header, u"typ"_s, u"JWT"_s)))) << rs << u"jwt_signature_invalid"_s;
        const QByteArray signature = *Internal::decodeBase64Url(valid.sliced(valid.lastIndexOf('.') + 1));
        QTest::addRow("truncated signature") << replaceSegment(valid, 2, b64u(signature.first(signature.size() - 1))) << rs
                                             << u"jwt_signature_invalid"_s;
        QTest::addRow("signature doubled") << replaceSegment(valid, 2, b64u(signature + signature)) << rs
                                           << u"jwt_signature_invalid"_s;
        QTest::addRow("signature removed") << replaceSegment(valid, 2, {}) << rs << u"jwt_signature_invalid"_s;
        const QByteArray es = makeToken(QJsonObject{{u"alg"_s, u"ES256"_s}, {u"kid"_s, u"ec-1"_s}}, claims,
                                        keySigner(m_ec256, JwsAlgorithm::ES256));
        const QByteArray esSignature = *Internal::decodeBase64Url(es.sliced(es.lastIndexOf('.') + 1));
        QTest::addRow("ES256 signature truncated") << replaceSegment(es, 2, b64u(esSignature.first(63))) << rs
                                                   << u"jwt_signature_invalid"_s;
        QTest::addRow("ES256 signature as DER")
            << makeToken(QJsonObject{{u"alg"_s, u"ES256"_s}, {u"kid"_s, u"ec-1"_s}}, claims,
                         [this](QByteArrayView input) { return signWith(m_ec256.get(), JwsAlgorithm::RS256, input); })
            << rs << u"jwt_signature_invalid"_s;
        QTest::addRow("ES256 with S = 0") << replaceSegment(es, 2, b64u(esSignature.first(32) + QByteArray(32, '\0'))) << rs
                                          << u"jwt_signature_invalid"_s;

        // Encoding and shape.
        QTest::addRow("padding in signature") << valid + "==" << rs << u"jwt_malformed"_s;
        const QByteArray headerSegment = valid.first(valid.indexOf('.'));
        QTest::addRow("padding in header") << replaceSegment(valid, 0, headerSegment + "=") << rs << u"jwt_malformed"_s;
        QTest::addRow("'+' in header") << replaceSegment(valid, 0, "eyJ+" + headerSegment.sliced(4)) << rs
                                       << u"jwt_malformed"_s;
        QTest::addRow("'/' in payload") << replaceSegment(valid, 1, "ey/" + valid.split('.').at(1).sliced(3)) << rs
                                        << u"jwt_malformed"_s;
        QTest::addRow("space in signature") << replaceSegment(valid, 2, "ab cd") << rs << u"jwt_malformed"_s;
        QTest::addRow("non-canonical base64url") << replaceSegment(valid, 2, "AB") << rs << u"jwt_malformed"_s;
        QTest::addRow("impossible length") << replaceSegment(valid, 2, "ABCDE") << rs << u"jwt_malformed"_s;
        QTest::addRow("2 segments") << valid.first(valid.lastIndexOf('.')) << rs << u"jwt_malformed"_s;
        QTest::addRow("4 segments") << valid + ".AAAA" << rs << u"jwt_malformed"_s;
        QTest::addRow("5 segments (JWE)") << valid + ".AAAA.AAAA" << rs << u"jwt_malformed"_s;
        QTest::addRow("empty") << QByteArray() << rs << u"jwt_malformed"_s;
        QTest::addRow("two dots") << ".."_ba << rs << u"jwt_malformed"_s;
        QTest::addRow("Bearer prefix") << "Bearer " + valid << rs << u"jwt_malformed"_s;
        QTest::addRow("header is an array") << replaceSegment(valid, 0, b64u("[\"RS256\"]")) << rs << u"jwt_malformed"_s;
        QTest::addRow("header is not JSON") << replaceSegment(valid, 0, b64u("alg=RS256")) << rs << u"jwt_malformed"_s;
        QTest::addRow("payload is an array") << makeToken(header, "[1,2]"_ba, rsa) << rs << u"jwt_malformed"_s;
        QTest::addRow("payload is not JSON") << makeToken(header, "sub=admin"_ba, rsa) << rs << u"jwt_malformed"_s;
        QTest::addRow("oversize") << makeToken(header, with(claims, u"pad"_s, QString(16 * 1024, u'x')), rsa) << rs
                                  << u"jwt_too_large"_s;

        // Issuer and audience.
        QTest::addRow("iss wrong") << makeToken(header, with(claims, u"iss"_s, u"https://evil.example"_s), rsa) << rs
                                   << u"jwt_issuer_invalid"_s;
        QTest::addRow("iss other case") << makeToken(header, with(claims, u"iss"_s, u"https://IDP.example"_s), rsa) << rs
                                        << u"jwt_issuer_invalid"_s;
        QTest::addRow("iss prefix") << makeToken(header, with(claims, u"iss"_s, Issuer + u"/"_s), rsa) << rs
                                    << u"jwt_issuer_invalid"_s;
        QTest::addRow("iss missing") << makeToken(header, without(claims, u"iss"_s), rsa) << rs << u"jwt_issuer_invalid"_s;
        QTest::addRow("iss number") << makeToken(header, with(claims, u"iss"_s, 7), rsa) << rs << u"jwt_claim_invalid"_s;
        QTest::addRow("aud missing") << makeToken(header, without(claims, u"aud"_s), rsa) << rs << u"jwt_audience_invalid"_s;
        QTest::addRow("aud different") << makeToken(header, with(claims, u"aud"_s, u"api://billing"_s), rsa) << rs
                                       << u"jwt_audience_invalid"_s;
        QTest::addRow("aud array with ours")
            << makeToken(header, with(claims, u"aud"_s, QJsonArray{u"api://billing"_s, Audience}), rsa) << rs << QString();
        QTest::addRow("aud array without ours")
            << makeToken(header, with(claims, u"aud"_s, QJsonArray{u"api://billing"_s, u"api://hr"_s}), rsa) << rs
            << u"jwt_audience_invalid"_s;
        QTest::addRow("aud empty array") << makeToken(header, with(claims, u"aud"_s, QJsonArray()), rsa) << rs
                                         << u"jwt_audience_invalid"_s;
        QTest::addRow("aud number") << makeToken(header, with(claims, u"aud"_s, 5), rsa) << rs << u"jwt_claim_invalid"_s;
        QTest::addRow("aud array of numbers") << makeToken(header, with(claims, u"aud"_s, QJsonArray{5}), rsa) << rs
                                              << u"jwt_claim_invalid"_s;

        // Required and typed claims.
        QTest::addRow("exp missing") << makeToken(header, without(claims, u"exp"_s), rsa) << rs << u"jwt_claim_missing"_s;
        QTest::addRow("exp a string") << makeToken(header, with(claims, u"exp"_s, u"tomorrow"_s), rsa) << rs
                                      << u"jwt_claim_invalid"_s;
        QTest::addRow("exp fractional") << makeToken(header, with(claims, u"exp"_s, double(Now) + 0.5), rsa) << rs << QString();
        QTest::addRow("sub an object") << makeToken(header, with(claims, u"sub"_s, QJsonObject()), rsa) << rs
                                       << u"jwt_claim_invalid"_s;
        QTest::addRow("scp mixed array") << makeToken(header, with(claims, u"scp"_s, QJsonArray{u"a"_s, 1}), rsa) << rs
                                         << u"jwt_claim_invalid"_s;
    }

    void attacks()
    {
        QFETCH(QByteArray, token);
        QFETCH(QStringList, allowed);
        QFETCH(QString, code);
        Result<VerifiedJwt> result = verifyJwt(token, m_keys, basePolicy(allowed));
        if (code.isEmpty()) {
            QVERIFY2(result, qPrintable(result ? QString() : result.error().code + u": "_s + result.error().message));
            QCOMPARE(result->subject, u"user-42"_s);
            return;
        }
        QVERIFY2(!result, "the token was accepted");
        QCOMPARE(codeOf(result), code);
        QVERIFY(!result.error().message.isEmpty());
        // Messages never repeat the token or its signature.
        const QString everything = result.error().toString();
        const QList<QByteArray> parts = token.split('.');
        for (const QByteArray &part : parts) {
            if (part.size() >= 16)
                QVERIFY2(!everything.contains(QString::fromLatin1(part.left(16))), qPrintable(everything));
        }
    }

    void timeClaims_data()
    {
        QTest::addColumn<QString>("claim");
        QTest::addColumn<qint64>("value");
        QTest::addColumn<qint64>("leeway");
        QTest::addColumn<QString>("code");

        QTest::addRow("exp at now-leeway") << u"exp"_s << Now - 60 << qint64(60) << u"jwt_expired"_s;
        QTest::addRow("exp 1 s inside leeway") << u"exp"_s << Now - 59 << qint64(60) << QString();
        QTest::addRow("exp now, no leeway") << u"exp"_s << Now << qint64(0) << u"jwt_expired"_s;
        QTest::addRow("exp now+1, no leeway") << u"exp"_s << Now + 1 << qint64(0) << QString();
        QTest::addRow("exp long past") << u"exp"_s << Now - 86400 << qint64(60) << u"jwt_expired"_s;
        QTest::addRow("nbf at now+leeway") << u"nbf"_s << Now + 60 << qint64(60) << QString();
        QTest::addRow("nbf 1 s beyond leeway") << u"nbf"_s << Now + 61 << qint64(60) << u"jwt_not_yet_valid"_s;
        QTest::addRow("nbf now, no leeway") << u"nbf"_s << Now << qint64(0) << QString();
        QTest::addRow("nbf now+1, no leeway") << u"nbf"_s << Now + 1 << qint64(0) << u"jwt_not_yet_valid"_s;
        QTest::addRow("iat at now+leeway") << u"iat"_s << Now + 60 << qint64(60) << QString();
        QTest::addRow("iat 1 s beyond leeway") << u"iat"_s << Now + 61 << qint64(60) << u"jwt_issued_in_future"_s;
        QTest::addRow("iat now+1, no leeway") << u"iat"_s << Now + 1 << qint64(0) << u"jwt_issued_in_future"_s;
        QTest::addRow("iat long past") << u"iat"_s << Now - 86400 * 365 << qint64(0) << QString();
    }

    void timeClaims()
    {
        QFETCH(QString, claim);
        QFETCH(qint64, value);
        QFETCH(qint64, leeway);
        QFETCH(QString, code);
        const QByteArray token = makeToken(QJsonObject{{u"alg"_s, u"ES256"_s}}, with(baseClaims(), claim, value),
                                           keySigner(m_ec256, JwsAlgorithm::ES256));
        JwtPolicy policy = basePolicy();
        policy.leewaySeconds = leeway;
        Result<VerifiedJwt> result = verifyJwt(token, m_keys, policy);
        if (code.isEmpty()) {
            QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        } else {
            QVERIFY(!result);
            QCOMPARE(codeOf(result), code);
        }
    }

    void typeHeader_data()
    {
        QTest::addColumn<QJsonValue>("typ");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("code");
        QTest::addRow("not checked") << QJsonValue(u"whatever"_s) << QString() << QString();
        QTest::addRow("at+jwt") << QJsonValue(u"at+jwt"_s) << u"at+jwt"_s << QString();
        QTest::addRow("application/at+JWT") << QJsonValue(u"application/at+JWT"_s) << u"at+jwt"_s << QString();
        QTest::addRow("JWT for at+jwt") << QJsonValue(u"JWT"_s) << u"at+jwt"_s << u"jwt_type_invalid"_s;
        QTest::addRow("missing") << QJsonValue(QJsonValue::Undefined) << u"at+jwt"_s << u"jwt_type_invalid"_s;
        QTest::addRow("number") << QJsonValue(1) << QString() << u"jwt_malformed"_s;
    }

    void typeHeader()
    {
        QFETCH(QJsonValue, typ);
        QFETCH(QString, expected);
        QFETCH(QString, code);
        QJsonObject header{{u"alg"_s, u"RS256"_s}};
        if (!typ.isUndefined())
            header.insert(u"typ"_s, typ);
        JwtPolicy policy = basePolicy();
        policy.expectedType = expected;
        Result<VerifiedJwt> result = verifyJwt(makeToken(header, baseClaims(), keySigner(m_rsa, JwsAlgorithm::RS256)), m_keys, policy);
        QCOMPARE(result ? QString() : codeOf(result), code);
    }

    // ---- policy details --------------------------------------------------------------------

    void audienceWithoutConfiguration()
    {
        // RFC 7519 §4.1.3: a token meant for an audience the route does not claim is refused.
        JwtPolicy policy = basePolicy();
        policy.audiences.clear();
        const Signer rsa = keySigner(m_rsa, JwsAlgorithm::RS256);
        const QJsonObject header{{u"alg"_s, u"RS256"_s}};
        QCOMPARE(codeOf(verifyJwt(makeToken(header, baseClaims(), rsa), m_keys, policy)), u"jwt_audience_invalid"_s);
        QVERIFY(verifyJwt(makeToken(header, without(baseClaims(), u"aud"_s), rsa), m_keys, policy));
        // Issuer not configured: not checked.
        policy.allowedIssuers.clear();
        QVERIFY(verifyJwt(makeToken(header, without(with(baseClaims(), u"iss"_s, u"x"_s), u"aud"_s), rsa), m_keys, policy));
    }

    void requiredClaims()
    {
        JwtPolicy policy = basePolicy();
        policy.requiredClaims = {u"sub"_s, u"jti"_s};
        const Signer rsa = keySigner(m_rsa, JwsAlgorithm::RS256);
        const QJsonObject header{{u"alg"_s, u"RS256"_s}};
        Result<VerifiedJwt> missing = verifyJwt(makeToken(header, baseClaims(), rsa), m_keys, policy);
        QCOMPARE(codeOf(missing), u"jwt_claim_missing"_s);
        QVERIFY(missing.error().message.contains("\"jti\""_L1));
        QVERIFY(verifyJwt(makeToken(header, with(without(baseClaims(), u"exp"_s), u"jti"_s, u"1"_s), rsa), m_keys, policy));
    }

    void scopes_data()
    {
        QTest::addColumn<QJsonObject>("extra");
        QTest::addColumn<QStringList>("scopes");
        QTest::addRow("scope string") << QJsonObject{{u"scope"_s, u" read  write "_s}} << QStringList{u"read"_s, u"write"_s};
        QTest::addRow("scp array") << QJsonObject{{u"scp"_s, QJsonArray{u"read"_s, u"write"_s}}}
                                   << QStringList{u"read"_s, u"write"_s};
        QTest::addRow("scp string") << QJsonObject{{u"scp"_s, u"read write"_s}} << QStringList{u"read"_s, u"write"_s};
        QTest::addRow("scope wins") << QJsonObject{{u"scope"_s, u"a"_s}, {u"scp"_s, QJsonArray{u"b"_s}}} << QStringList{u"a"_s};
        QTest::addRow("none") << QJsonObject() << QStringList();
    }

    void scopes()
    {
        QFETCH(QJsonObject, extra);
        QFETCH(QStringList, scopes);
        QJsonObject claims = without(baseClaims(), u"scope"_s);
        for (auto it = extra.begin(); it != extra.end(); ++it)
            claims.insert(it.key(), it.value());
        Result<VerifiedJwt> result = verifyJwt(makeToken(QJsonObject{{u"alg"_s, u"RS256"_s}}, claims,
                                                         keySigner(m_rsa, JwsAlgorithm::RS256)),
                                               m_keys, basePolicy());
        QVERIFY(result);
        QCOMPARE(result->scopes, scopes);
    }

    void injectedClock()
    {
        const QByteArray token = makeToken(QJsonObject{{u"alg"_s, u"RS256"_s}}, baseClaims(), keySigner(m_rsa, JwsAlgorithm::RS256));
        JwtPolicy policy = basePolicy();
        policy.nowSeconds.reset();
        qint64 now = Now;
        policy.clock = [&now] { return now; };
        QVERIFY(verifyJwt(token, m_keys, policy));
        now = Now + 600 + 60;  // exp + leeway
        QCOMPARE(codeOf(verifyJwt(token, m_keys, policy)), u"jwt_expired"_s);
        policy.nowSeconds = Now;  // a fixed time wins over the clock
        QVERIFY(verifyJwt(token, m_keys, policy));
    }

    void duplicateHeaderMembers()
    {
        // RFC 7515 §4: either refuse, or use the last member. Never "none".
        const QByteArray header = R"x({"alg":"none","alg":"RS256"})x";
        const QByteArray input = b64u(header) + '.' + b64u(compactJson(baseClaims()));
        const QByteArray token = input + '.' + b64u(signWith(m_rsa.get(), JwsAlgorithm::RS256, input));
        Result<VerifiedJwt> result = verifyJwt(token, m_keys, basePolicy());
        if (result)
            QCOMPARE(result->algorithm, JwsAlgorithm::RS256);
        const QByteArray reversed = R"x({"alg":"RS256","alg":"none"})x";
        const QByteArray input2 = b64u(reversed) + '.' + b64u(compactJson(baseClaims()));
        const QByteArray token2 = input2 + '.' + b64u(signWith(m_rsa.get(), JwsAlgorithm::RS256, input2));
        QVERIFY(!verifyJwt(token2, m_keys, basePolicy()));
    }

    // ---- key selection and store -----------------------------------------------------------

    void keySelection()
    {
        const QJsonObject claims = baseClaims();
        const JwtPolicy policy = basePolicy({u"RS256"_s});
        const QByteArray noKid = makeToken(QJsonObject{{u"alg"_s, u"RS256"_s}}, claims, keySigner(m_rsa, JwsAlgorithm::RS256));
        const QByteArray kid = makeToken(QJsonObject{{u"alg"_s, u"RS256"_s}, {u"kid"_s, u"from-idp"_s}}, claims,
                                         keySigner(m_rsa, JwsAlgorithm::RS256));
        Result<Jwk> right = Jwk::fromPem(publicPem(m_rsa.get()), u"right"_s);
        Result<Jwk> wrong = Jwk::fromPem(publicPem(m_rsaOther.get()), u"wrong"_s);
        Result<Jwk> unnamed = Jwk::fromPem(publicPem(m_rsa.get()));
        QVERIFY(right && wrong && unnamed);

        // No kid: every fitting key is tried.
        Result<VerifiedJwt> result = verifyJwt(noKid, JwkSet({*wrong, *right}), policy);
        QVERIFY(result);
        QCOMPARE(result->keyId, u"right"_s);
        // A kid no key has: keys configured without kid still apply; keys with another kid do not.
        QVERIFY(verifyJwt(kid, JwkSet({*wrong, *unnamed}), policy));
        QCOMPARE(codeOf(verifyJwt(kid, JwkSet({*wrong, *right}), policy)), u"jwt_unknown_key"_s);
        // No keys at all.
        QCOMPARE(codeOf(verifyJwt(noKid, JwkSet(), policy)), u"jwt_unknown_key"_s);

        // The JWK's own restrictions.
        const QJsonObject base = publicJwkJson(m_rsa.get(), u"from-idp"_s);
        for (const QJsonObject &jwk : {with(base, u"use"_s, u"enc"_s), with(base, u"alg"_s, u"RS512"_s),
                                       with(base, u"key_ops"_s, QJsonArray{u"sign"_s})}) {
            Result<Jwk> restricted = Jwk::fromJson(jwk);
            QVERIFY(restricted);
            Result<VerifiedJwt> refused = verifyJwt(kid, JwkSet({*restricted}), policy);
            QCOMPARE(codeOf(refused), u"jwt_algorithm_not_allowed"_s);
            QCOMPARE(refused.error().details.size(), 1);
        }
        Result<Jwk> verifyOp = Jwk::fromJson(with(with(base, u"key_ops"_s, QJsonArray{u"verify"_s}), u"alg"_s, u"RS256"_s));
        QVERIFY(verifyOp);
        QVERIFY(verifyJwt(kid, JwkSet({*verifyOp}), policy));

        // An EC key verifies only its own curve's algorithm.
        Result<Jwk> p384 = Jwk::fromJson(publicJwkJson(m_ec384.get(), u"ec-384"_s, u"P-384"_s));
        QVERIFY(p384);
        QVERIFY(p384->canVerify(JwsAlgorithm::ES384));
        QVERIFY(!p384->canVerify(JwsAlgorithm::ES256));
        QVERIFY(!p384->canVerify(JwsAlgorithm::ES512));
        QVERIFY(!p384->canVerify(JwsAlgorithm::RS256));
        QVERIFY(!p384->canVerify(JwsAlgorithm::HS384));
        const QByteArray es256 = makeToken(QJsonObject{{u"alg"_s, u"ES256"_s}, {u"kid"_s, u"ec-384"_s}}, claims,
                                           keySigner(m_ec256, JwsAlgorithm::ES256));
        QCOMPARE(codeOf(verifyJwt(es256, JwkSet({*p384}), basePolicy({u"ES256"_s, u"ES384"_s}))), u"jwt_algorithm_not_allowed"_s);

        // A 32-byte secret is enough for HS256, not for HS512.
        const QByteArray secret(32, 's');
        Result<Jwk> hmacKey = Jwk::fromSecret(secret);
        QVERIFY(hmacKey);
        JwtPolicy hs = basePolicy({u"HS256"_s, u"HS512"_s});
        QVERIFY(verifyJwt(makeToken(QJsonObject{{u"alg"_s, u"HS256"_s}}, claims, secretSigner(secret, JwsAlgorithm::HS256)),
                          JwkSet({*hmacKey}), hs));
        Result<VerifiedJwt> shortKey = verifyJwt(
            makeToken(QJsonObject{{u"alg"_s, u"HS512"_s}}, claims, secretSigner(secret, JwsAlgorithm::HS512)), JwkSet({*hmacKey}), hs);
        QCOMPARE(codeOf(shortKey), u"jwt_algorithm_not_allowed"_s);
        QVERIFY(!shortKey.error().toString().contains(QString::fromLatin1(secret)));
    }

    void swappableStore()
    {
        auto store = std::make_shared<JwkSetStore>(m_keys);
        const JwtVerifier verifier(basePolicy(), store);
        const QByteArray token = makeToken(QJsonObject{{u"alg"_s, u"RS256"_s}, {u"kid"_s, u"rsa-1"_s}}, baseClaims(),
                                           keySigner(m_rsa, JwsAlgorithm::RS256));
        QVERIFY(verifier.verify(token));
        // Rotated: the IdP now signs with another key.
        Result<Jwk> rotated = Jwk::fromJson(publicJwkJson(m_rsaOther.get(), u"rsa-2"_s));
        QVERIFY(rotated);
        store->replace(JwkSet({*rotated}));
        QCOMPARE(codeOf(verifier.verify(token)), u"jwt_unknown_key"_s);
        store->replace(m_keys);
        QVERIFY(verifier.verify(token));
        QCOMPARE(codeOf(JwtVerifier(basePolicy(), nullptr).verify(token)), u"jwt_unknown_key"_s);
    }

};

QTEST_GUILESS_MAIN(tst_Jwt)
#include "tst_jwt.moc"
