// The JWKS fetcher against a local HTTP server whose answers the test scripts: caching by
// max-age, keeping the old keys on failures, size limits, and the unknown-kid cooldown.

#include "security/jwksfetcher.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include "webhookserver.h"

using namespace Conflux::Security;
using namespace Qt::StringLiterals;

namespace {

// RFC 7515 A.3's P-256 public key, then the same plus RFC 7520's HMAC key: a rotation.
const char jwksA[] = R"x({"keys":[{"kty":"EC","crv":"P-256","kid":"a",
 "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})x";
const char jwksAB[] = R"x({"keys":[{"kty":"EC","crv":"P-256","kid":"a",
 "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
 {"kty":"oct","kid":"b","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}]})x";

using JsonServer = Conflux::Test::WebhookServer;
using Answers = QList<JsonServer::Answer>;

JwksFetcher::Options options(const QUrl &url)
{
    JwksFetcher::Options o;
    o.url = url;
    o.retryMs = 50;
    o.minRefreshMs = 200;
    o.timeoutMs = 3000;
    return o;
}

QStringList kids(const JwkSetStore &store)
{
    QStringList out;
    const JwkSet set = store.current();
    for (const Jwk &k : set.keys())
        out.append(k.keyId());
    return out;
}

} // namespace

class TestJwksFetcher : public QObject
{
    Q_OBJECT

private slots:
    void fetchesAndRefreshesByMaxAge()
    {
        JsonServer server(Answers{{200, jwksA, "public, max-age=0"}, {200, jwksAB, "max-age=86400"}});
        auto store = std::make_shared<JwkSetStore>();
        JwksFetcher fetcher(options(server.jwksUrl()), store);
        QSignalSpy fetched(&fetcher, &JwksFetcher::fetched);
        fetcher.start();
        QVERIFY(fetched.wait(5000));
        QCOMPARE(fetched.takeFirst().at(0).toBool(), true);
        QCOMPARE(kids(*store), QStringList{u"a"_s});
        QVERIFY(fetcher.lastError().isEmpty());
        QVERIFY(fetcher.lastFetched().isValid());
        // max-age=0 is clamped to minRefreshMs (200 ms): the rotated set arrives by itself.
        QVERIFY(fetched.wait(5000));
        QCOMPARE(kids(*store), (QStringList{u"a"_s, u"b"_s}));
        QCOMPARE(fetcher.keyCount(), 2);
        // A day's max-age: no third request soon.
        QTest::qWait(500);
        QCOMPARE(server.requests().size(), 2);
    }

    void failuresKeepTheKeys_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("says");
        QTest::addRow("server error") << 503 << "{}"_ba << u"HTTP 503"_s;
        QTest::addRow("not json") << 200 << "<html>"_ba << u"not usable"_s;
        QTest::addRow("no keys member") << 200 << "{}"_ba << u"not usable"_s;
        QTest::addRow("only unsupported keys")
            << 200 << R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})"_ba
            << u"no key Conflux can use"_s;
        QTest::addRow("too large") << 200 << QByteArray(600 * 1024, ' ') + "{}" << u"larger than"_s;
    }

    void failuresKeepTheKeys()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, says);
        JsonServer server(Answers{{200, jwksA, "max-age=0"}, {status, body, {}}});
        auto store = std::make_shared<JwkSetStore>();
        JwksFetcher fetcher(options(server.jwksUrl()), store);
        QSignalSpy fetched(&fetcher, &JwksFetcher::fetched);
        fetcher.start();
        QVERIFY(fetched.wait(5000));
        QVERIFY(fetched.wait(5000)); // the refresh, which fails
        QCOMPARE(fetched.at(1).at(0).toBool(), false);
        QVERIFY2(fetcher.lastError().contains(says), qPrintable(fetcher.lastError()));
        QCOMPARE(kids(*store), QStringList{u"a"_s});
        // Retried (50 ms, doubling): the server recovers, the error clears.
        server.setAnswers(Answers{{200, jwksAB, "max-age=3600"}});
        QTRY_COMPARE_WITH_TIMEOUT(kids(*store), (QStringList{u"a"_s, u"b"_s}), 5000);
        QVERIFY(fetcher.lastError().isEmpty());
    }

    void unreachableServer()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const QUrl url(u"http://127.0.0.1:%1/jwks"_s.arg(probe.serverPort()));
        probe.close();
        auto store = std::make_shared<JwkSetStore>();
        JwksFetcher fetcher(options(url), store);
        QSignalSpy fetched(&fetcher, &JwksFetcher::fetched);
        fetcher.start();
        QVERIFY(fetched.wait(5000));
        QCOMPARE(fetched.first().at(0).toBool(), false);
        QVERIFY2(fetcher.lastError().contains(u"cannot fetch"_s), qPrintable(fetcher.lastError()));
        QVERIFY(store->current().isEmpty());
    }

    // Tokens with made-up kids cannot make Conflux hammer the server: one refetch per cooldown.
    void unknownKidRefreshHasACooldown()
    {
        JsonServer server(Answers{{200, jwksA, "max-age=3600"}, {200, jwksAB, "max-age=3600"}});
        auto store = std::make_shared<JwkSetStore>();
        JwksFetcher::Options o = options(server.jwksUrl());
        o.unknownKidCooldownMs = 400;
        JwksFetcher fetcher(o, store);
        QSignalSpy fetched(&fetcher, &JwksFetcher::fetched);
        fetcher.start();
        QVERIFY(fetched.wait(5000));
        QVERIFY(fetcher.requestRefresh());
        QVERIFY(!fetcher.requestRefresh());
        QVERIFY(fetched.wait(5000));
        QCOMPARE(kids(*store), (QStringList{u"a"_s, u"b"_s}));
        for (int i = 0; i < 20; ++i)
            QVERIFY(!fetcher.requestRefresh());
        QTest::qWait(100);
        QCOMPARE(server.requests().size(), 2);
        QTest::qWait(400);
        QVERIFY(fetcher.requestRefresh());
        QTRY_COMPARE(server.requests().size(), 3);
    }
};

QTEST_GUILESS_MAIN(TestJwksFetcher)
#include "tst_jwksfetcher.moc"
