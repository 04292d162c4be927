// JWT access tokens from a real OAuth 2.0 authorization server (oidc-provider from npm,
// started by the "oidc" fixture): the client-credentials grant issues RS256 tokens, the
// JWKS fetcher loads the server's keys from its discovery document, and the verifier
// accepts the genuine token and refuses every altered or misdirected one.

#include "security/jwksfetcher.h"
#include "security/jwt.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

#include "testsupport.h"

using namespace Conflux;
using namespace Conflux::Security;
using namespace Qt::StringLiterals;

class TestOAuth2 : public QObject
{
    Q_OBJECT

private:
    struct Reply
    {
        int status = 0;
        QJsonObject json;
    };

    Reply send(QNetworkRequest request, const QByteArray &body = {}, bool post = false)
    {
        QNetworkReply *reply = post ? m_network.post(request, body) : m_network.get(request);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        Reply out{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                  QJsonDocument::fromJson(reply->readAll()).object()};
        reply->deleteLater();
        return out;
    }

    // The client-credentials grant (RFC 6749 §4.4) with HTTP Basic client authentication.
    Reply token(const QString &scope, const QString &secret)
    {
        QNetworkRequest request(QUrl(m_issuer + u"/token"_s));
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/x-www-form-urlencoded"_ba);
        request.setRawHeader("Authorization", "Basic " + (m_clientId + u':' + secret).toUtf8().toBase64());
        QUrlQuery form;
        form.addQueryItem(u"grant_type"_s, u"client_credentials"_s);
        form.addQueryItem(u"scope"_s, scope);
        form.addQueryItem(u"resource"_s, m_resource);
        return send(request, form.toString(QUrl::FullyEncoded).toUtf8(), true);
    }

    JwtPolicy policy() const
    {
        JwtPolicy p;
        p.allowedAlgorithms = {JwsAlgorithm::RS256};
        p.allowedIssuers = {m_issuer};
        p.audiences = {m_resource};
        p.expectedType = u"at+jwt"_s;
        return p;
    }

    QNetworkAccessManager m_network;
    QString m_issuer, m_clientId, m_secret, m_resource;
    QUrl m_jwksUri;
    std::shared_ptr<JwkSetStore> m_keys = std::make_shared<JwkSetStore>();

private slots:
    void initTestCase()
    {
        QString error;
        const QMap<QString, QString> env = Test::readFixtureEnv("CONFLUX_TEST_OIDC_ENV", &error);
        if (env.isEmpty())
            QFAIL(qPrintable(error));
        m_issuer = env.value(u"OIDC_ISSUER"_s);
        m_clientId = env.value(u"OIDC_CLIENT_ID"_s);
        m_secret = env.value(u"OIDC_CLIENT_SECRET"_s);
        m_resource = env.value(u"OIDC_RESOURCE"_s);
        QVERIFY(!m_issuer.isEmpty() && !m_secret.isEmpty());
        // The keys' address comes from the discovery document, as a route's would.
        const Reply discovery = send(QNetworkRequest(QUrl(m_issuer + u"/.well-known/openid-configuration"_s)));
        QCOMPARE(discovery.status, 200);
        QCOMPARE(discovery.json.value(u"issuer"_s).toString(), m_issuer);
        m_jwksUri = QUrl(discovery.json.value(u"jwks_uri"_s).toString());
        QVERIFY(m_jwksUri.isValid());
        JwksFetcher::Options o;
        o.url = m_jwksUri;
        JwksFetcher fetcher(o, m_keys);
        QSignalSpy fetched(&fetcher, &JwksFetcher::fetched);
        fetcher.start();
        QVERIFY(fetched.wait(10000));
        QVERIFY2(fetched.first().at(0).toBool(), qPrintable(fetcher.lastError()));
        QVERIFY(fetcher.keyCount() >= 1);
    }

    void clientCredentialsTokenVerifies()
    {
        const Reply issued = token(u"orders.read"_s, m_secret);
        QCOMPARE(issued.status, 200);
        QCOMPARE(issued.json.value(u"token_type"_s).toString(), u"Bearer"_s);
        const QByteArray accessToken = issued.json.value(u"access_token"_s).toString().toLatin1();
        JwtVerifier verifier(policy(), m_keys);
        Result<VerifiedJwt> verified = verifier.verify(accessToken);
        VERIFY_OK(verified);
        QCOMPARE(verified->algorithm, JwsAlgorithm::RS256);
        QCOMPARE(verified->issuer, m_issuer);
        QCOMPARE(verified->audiences, QStringList{m_resource});
        QCOMPARE(verified->subject, m_clientId);
        QCOMPARE(verified->scopes, QStringList{u"orders.read"_s});
        QVERIFY(!verified->keyId.isEmpty());
        QVERIFY(verified->expiresAt.has_value());
    }

    void wrongClientSecretGetsNoToken()
    {
        const Reply refused = token(u"orders.read"_s, m_secret + u"x"_s);
        QCOMPARE(refused.status, 401);
        QCOMPARE(refused.json.value(u"error"_s).toString(), u"invalid_client"_s);
    }

    // The genuine token, checked by policies it does not satisfy, and altered copies of it.
    void refusals_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<QString>("code");
        QTest::addRow("another audience") << u"audience"_s << u"jwt_audience_invalid"_s;
        QTest::addRow("another issuer") << u"issuer"_s << u"jwt_issuer_invalid"_s;
        QTest::addRow("only ES256 allowed") << u"algorithm"_s << u"jwt_algorithm_not_allowed"_s;
        QTest::addRow("an hour later") << u"clock"_s << u"jwt_expired"_s;
        QTest::addRow("id token type expected") << u"type"_s << u"jwt_type_invalid"_s;
        QTest::addRow("payload altered") << u"payload"_s << u"jwt_signature_invalid"_s;
        QTest::addRow("signature altered") << u"signature"_s << u"jwt_signature_invalid"_s;
    }

    void refusals()
    {
        QFETCH(QString, change);
        QFETCH(QString, code);
        const Reply issued = token(u"orders.read orders.write"_s, m_secret);
        QCOMPARE(issued.status, 200);
        QByteArray accessToken = issued.json.value(u"access_token"_s).toString().toLatin1();
        JwtPolicy p = policy();
        if (change == u"audience")
            p.audiences = {u"api://billing"_s};
        else if (change == u"issuer")
            p.allowedIssuers = {u"https://idp.example"_s};
        else if (change == u"algorithm")
            p.allowedAlgorithms = {JwsAlgorithm::ES256};
        else if (change == u"clock")
            p.nowSeconds = QDateTime::currentSecsSinceEpoch() + 3600;
        else if (change == u"type")
            p.expectedType = u"JWT"_s;
        QList<QByteArray> parts = accessToken.split('.');
        if (change == u"payload") {
            QJsonObject claims = QJsonDocument::fromJson(QByteArray::fromBase64(parts[1], QByteArray::Base64UrlEncoding)).object();
            claims.insert(u"scope"_s, u"orders.read orders.write orders.admin"_s);
            parts[1] = QJsonDocument(claims).toJson(QJsonDocument::Compact)
                           .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        } else if (change == u"signature") {
            parts[2][10] = parts[2][10] == 'A' ? 'B' : 'A';
        }
        accessToken = parts.join('.');
        VERIFY_ERROR(JwtVerifier(p, m_keys).verify(accessToken), qPrintable(code));
    }

    // Key rotation: a verifier whose keys lack the token's kid asks the fetcher to refetch,
    // then accepts the token.
    void unknownKidTriggersARefetch()
    {
        auto keys = std::make_shared<JwkSetStore>();
        JwksFetcher::Options o;
        o.url = m_jwksUri;
        JwksFetcher fetcher(o, keys);
        const QByteArray accessToken = token(u"orders.read"_s, m_secret).json.value(u"access_token"_s).toString().toLatin1();
        JwtVerifier verifier(policy(), keys);
        VERIFY_ERROR(verifier.verify(accessToken), "jwt_unknown_key");
        QSignalSpy fetched(&fetcher, &JwksFetcher::fetched);
        QVERIFY(fetcher.requestRefresh());
        QVERIFY(fetched.wait(10000));
        VERIFY_OK(verifier.verify(accessToken));
        QVERIFY(!fetcher.requestRefresh()); // the cooldown
    }
};

QTEST_GUILESS_MAIN(TestOAuth2)
#include "tst_oauth2.moc"
