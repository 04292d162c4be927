#include "connectors/httpclient.h"

#include "base/metrics.h"
#include "security/secrets.h"
#include "testhttpserver.h"
#include "testsecrets.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <thread>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;
using Conflux::Test::MapSecrets;
using Conflux::Tests::TestHttpServer;

namespace {

HttpClientOptions quickOptions(const QString &endpoint, int retries = 3)
{
    HttpClientOptions options;
    options.endpointId = endpoint;
    options.timeoutMs = 5000;
    options.retryAttempts = retries;
    options.backoffBaseMs = 5;
    options.backoffMaxMs = 20;
    return options;
}

ConnectorContext contextWith(QHash<QString, QString> secrets, MetricsRegistry *metrics = nullptr)
{
    ConnectorContext context;
    context.secrets = std::make_shared<MapSecrets>(std::move(secrets));
    context.metrics = metrics;
    return context;
}

HttpRequest get(const QUrl &url)
{
    HttpRequest request;
    request.url = url;
    return request;
}

} // namespace

class TestHttpClient : public QObject
{
    Q_OBJECT

private slots:
    void init() { HttpClient::resetSharedState(); }

    void getsAResponseWithHeadersAndBody()
    {
        TestHttpServer server;
        QVERIFY(server.isListening());
        server.setHandler([](const Http::HttpRequest &request) {
            Http::HttpResponse response(200, "{\"path\":\"" + request.rawPath + "\"}", "application/json");
            response.addHeader("X-Seen-Agent", request.header("User-Agent"));
            response.addHeader("X-Seen-Tenant", request.header("X-Tenant"));
            return response;
        });
        HttpClient client(quickOptions(u"plain"_s), {}, {});
        client.setDefaultHeaders({{"X-Tenant", "default"}, {"Accept", "application/json"}});
        HttpRequest request = get(server.url(u"/items/7"_s));
        request.setHeader("x-tenant", "acme");
        Result<HttpResponse> response = client.send(request);
        QVERIFY2(response, qPrintable(response ? QString() : response.error().toString()));
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, QByteArray("{\"path\":\"/items/7\"}"));
        QCOMPARE(response->header("content-type"), QByteArray("application/json"));
        QCOMPARE(response->header("X-Seen-Agent"), QByteArray("Conflux"));
        QCOMPARE(response->header("X-Seen-Tenant"), QByteArray("acme"));
        QCOMPARE(response->attempts, 1);
        QCOMPARE(server.requests().constFirst().header("Accept"), QByteArray("application/json"));
    }

    void retriesUnavailableHonouringRetryAfter()
    {
        TestHttpServer server;
        std::atomic<int> calls{0};
        server.setHandler([&](const Http::HttpRequest &) {
            if (++calls < 3) {
                Http::HttpResponse busy(503, "busy");
                busy.setHeader("Retry-After", "1");
                return busy;
            }
            return Http::HttpResponse(200, "ok");
        });
        HttpClient client(quickOptions(u"retry-after"_s), {}, {});
        QElapsedTimer timer;
        timer.start();
        Result<HttpResponse> response = client.send(get(server.url()));
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->attempts, 3);
        QCOMPARE(calls.load(), 3);
        // two waits of Retry-After: 1 s, not the 5–20 ms backoff
        QVERIFY2(timer.elapsed() >= 1900, qPrintable(QString::number(timer.elapsed())));
    }

    void givesUpAfterTheRetriesWithTheLastAnswer()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return Http::HttpResponse(502, "bad gateway"); });
        HttpClient client(quickOptions(u"exhausted"_s, 2), {}, {});
        Result<HttpResponse> response = client.send(get(server.url()));
        QVERIFY(response);
        QCOMPARE(response->status, 502);
        QCOMPARE(response->attempts, 3);
        QCOMPARE(server.requestCount(), 3);
        QVERIFY(response->describe().startsWith(u"HTTP 502 Bad Gateway: bad gateway"_s));
    }

    void doesNotRetryPostAfterTheServerMayHaveActed()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return Http::HttpResponse(500, "oops"); });
        HttpClient client(quickOptions(u"post"_s), {}, {});
        HttpRequest post = get(server.url());
        post.method = "POST";
        post.body = "{}";
        Result<HttpResponse> response = client.send(post);
        QVERIFY(response);
        QCOMPARE(response->status, 500);
        QCOMPARE(server.requestCount(), 1);

        // ...but 429 says it did not act: retried
        std::atomic<int> calls{0};
        server.clearRequests();
        server.setHandler([&](const Http::HttpRequest &) {
            return ++calls == 1 ? Http::HttpResponse(429, "slow down") : Http::HttpResponse(201, "made");
        });
        response = client.send(post);
        QVERIFY(response);
        QCOMPARE(response->status, 201);
        QCOMPARE(server.requestCount(), 2);
        QCOMPARE(server.requests().constLast().body, QByteArray("{}"));
    }

    void retryAfterBeyondTheLimitEndsTheRetries()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            Http::HttpResponse busy(429, "quota");
            busy.setHeader("Retry-After", "3600");
            return busy;
        });
        HttpClient client(quickOptions(u"quota"_s), {}, {});
        Result<HttpResponse> response = client.send(get(server.url()));
        QVERIFY(response);
        QCOMPARE(response->status, 429);
        QCOMPARE(server.requestCount(), 1);
    }

    void parsesRetryAfter()
    {
        QCOMPARE(parseRetryAfter("120"), 120'000);
        QCOMPARE(parseRetryAfter(" 0 "), 0);
        QCOMPARE(parseRetryAfter(""), -1);
        QCOMPARE(parseRetryAfter("soon"), -1);
        QCOMPARE(parseRetryAfter("-5"), -1);
        const QDateTime later = QDateTime::currentDateTimeUtc().addSecs(30);
        const qint64 ms = parseRetryAfter(QLocale::c().toString(later, u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_s).toLatin1());
        QVERIFY2(ms > 25'000 && ms <= 30'000, qPrintable(QString::number(ms)));
        QCOMPARE(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), 0); // in the past
    }

    void timesOutASlowServer()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            QThread::msleep(1500);
            return Http::HttpResponse(200, "late");
        });
        HttpClientOptions options = quickOptions(u"slow"_s, 0);
        options.timeoutMs = 300;
        HttpClient client(options, {}, {});
        QElapsedTimer timer;
        timer.start();
        Result<HttpResponse> response = client.send(get(server.url(u"/slow?key=secret"_s)));
        QVERIFY(!response);
        QCOMPARE(response.error().code, u"timeout"_s);
        QVERIFY(timer.elapsed() < 1200);
        QVERIFY(response.error().message.contains(u"GET http://127.0.0.1:"_s));
        QVERIFY(!response.error().message.contains(u"secret"_s));
    }

    void reportsARefusedConnection()
    {
        quint16 port = 0;
        {
            TestHttpServer closed;
            port = closed.port();
        }
        HttpClient client(quickOptions(u"refused"_s, 1), {}, {});
        Result<HttpResponse> response = client.send(get(QUrl(u"http://127.0.0.1:%1/x"_s.arg(port))));
        QVERIFY(!response);
        QCOMPARE(response.error().code, u"connection_failed"_s);
        QVERIFY(response.error().message.contains(u"127.0.0.1:%1/x"_s.arg(port)));
    }

    void opensTheCircuitAfterRepeatedFailures()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return Http::HttpResponse(500, "down"); });
        MetricsRegistry metrics;
        HttpClientOptions options = quickOptions(u"flaky"_s, 0);
        options.breaker.failureThreshold = 3;
        options.breaker.openMs = 60'000;
        HttpClient client(options, {}, contextWith({}, &metrics));
        for (int i = 0; i < 3; ++i) {
            Result<HttpResponse> response = client.send(get(server.url()));
            QVERIFY(response);
            QCOMPARE(response->status, 500);
        }
        QCOMPARE(client.breakerState(), CircuitBreaker::State::Open);
        Result<HttpResponse> refused = client.send(get(server.url()));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, u"circuit_open"_s);
        QCOMPARE(server.requestCount(), 3);

        // The breaker belongs to the endpoint: another client of it is refused too.
        HttpClient sibling(options, {}, {});
        Result<HttpResponse> alsoRefused = sibling.send(get(server.url()));
        QVERIFY(!alsoRefused);
        QCOMPARE(alsoRefused.error().code, u"circuit_open"_s);

        const QByteArray text = metrics.render();
        QVERIFY(text.contains("connector_circuit_breaker_state{endpoint=\"flaky\"} 2"));
        QVERIFY(text.contains("connector_requests_total{endpoint=\"flaky\",method=\"GET\",status=\"500\"} 3"));
        QVERIFY(text.contains("connector_requests_total{endpoint=\"flaky\",method=\"GET\",status=\"circuit_open\"} 1"));
    }

    void clientErrorsDoNotOpenTheCircuit()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return Http::HttpResponse(404, "no such thing"); });
        HttpClientOptions options = quickOptions(u"notfound"_s, 0);
        options.breaker.failureThreshold = 2;
        HttpClient client(options, {}, {});
        for (int i = 0; i < 4; ++i)
            QCOMPARE(client.send(get(server.url()))->status, 404);
        QCOMPARE(client.breakerState(), CircuitBreaker::State::Closed);
    }

    void followsRedirectsOnlyWhereAllowed()
    {
        TestHttpServer server;
        const quint16 port = server.port();
        server.setHandler([port](const Http::HttpRequest &request) {
            Http::HttpResponse response(200, "landed at " + request.rawPath);
            if (request.rawPath == "/same") {
                response = Http::HttpResponse(302);
                response.setHeader("Location", "/target");
            } else if (request.rawPath == "/elsewhere") {
                response = Http::HttpResponse(301);
                response.setHeader("Location", "http://localhost:" + QByteArray::number(port) + "/target");
            }
            return response;
        });
        HttpClient client(quickOptions(u"redirects"_s), {}, {});
        Result<HttpResponse> same = client.send(get(server.url(u"/same"_s)));
        QVERIFY(same);
        QCOMPARE(same->body, QByteArray("landed at /target"));
        QCOMPARE(same->url.path(), u"/target"_s);

        Result<HttpResponse> elsewhere = client.send(get(server.url(u"/elsewhere"_s)));
        QVERIFY(!elsewhere);
        QCOMPARE(elsewhere.error().code, u"redirect_refused"_s);
        QVERIFY(elsewhere.error().message.contains(u"http://localhost:"_s));

        HttpClientOptions allowing = quickOptions(u"redirects2"_s);
        allowing.redirectHosts = {u"localhost"_s};
        HttpClient allowed(allowing, {}, {});
        Result<HttpResponse> followed = allowed.send(get(server.url(u"/elsewhere"_s)));
        QVERIFY2(followed, qPrintable(followed ? QString() : followed.error().toString()));
        QCOMPARE(followed->body, QByteArray("landed at /target"));
    }

    void boundsTheResponseSize()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            Http::HttpResponse response(200, QByteArray(100'000, 'x'));
            if (request.rawPath == "/chunked")
                response.setHeader("Transfer-Encoding", "chunked");
            return response;
        });
        HttpClientOptions options = quickOptions(u"big"_s, 0);
        options.maxResponseBytes = 4096;
        HttpClient client(options, {}, {});
        Result<HttpResponse> response = client.send(get(server.url()));
        QVERIFY(!response);
        QCOMPARE(response.error().code, u"response_too_large"_s);
        QVERIFY(response.error().message.contains(u"4096"_s));
        // the connection stays usable for the next call
        options.maxResponseBytes = 1'000'000;
        HttpClient roomy(options, {}, {});
        QCOMPARE(roomy.send(get(server.url()))->body.size(), 100'000);
    }

    void appliesBasicBearerAndApiKeys()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            return Http::HttpResponse(200, request.header("Authorization") + "|" + request.header("X-Api-Key") + "|"
                                               + request.query.queryItemValue(u"api_key"_s).toUtf8());
        });
        const ConnectorContext context = contextWith({{u"pw"_s, u"s3cret:pass"_s}, {u"tok"_s, u"abc.def"_s},
                                                      {u"key"_s, u"k&y=1"_s}});
        ClientAuthentication basic;
        basic.type = ClientAuthentication::Type::Basic;
        basic.username = u"anna"_s;
        basic.secret = u"pw"_s;
        QCOMPARE(HttpClient(quickOptions(u"a"_s), basic, context).send(get(server.url()))->body,
                 "Basic " + QByteArray("anna:s3cret:pass").toBase64() + "||");

        ClientAuthentication bearer;
        bearer.type = ClientAuthentication::Type::Bearer;
        bearer.secret = u"tok"_s;
        QCOMPARE(HttpClient(quickOptions(u"b"_s), bearer, context).send(get(server.url()))->body,
                 QByteArray("Bearer abc.def||"));

        ClientAuthentication header;
        header.type = ClientAuthentication::Type::ApiKey;
        header.parameter = u"X-Api-Key"_s;
        header.secret = u"key"_s;
        QCOMPARE(HttpClient(quickOptions(u"c"_s), header, context).send(get(server.url()))->body,
                 QByteArray("|k&y=1|"));

        ClientAuthentication query = header;
        query.inQuery = true;
        query.parameter = u"api_key"_s;
        QCOMPARE(HttpClient(quickOptions(u"d"_s), query, context).send(get(server.url(u"/x?page=2"_s)))->body,
                 QByteArray("||k&y=1"));
        QCOMPARE(server.requests().constLast().query.queryItemValue(u"page"_s), u"2"_s);

        ClientAuthentication missing = bearer;
        missing.secret = u"nope"_s;
        Result<HttpResponse> failed = HttpClient(quickOptions(u"e"_s), missing, context).send(get(server.url()));
        QVERIFY(!failed);
        QCOMPARE(failed.error().code, u"secret_not_found"_s);
        Result<HttpResponse> noStore = HttpClient(quickOptions(u"f"_s), bearer, {}).send(get(server.url()));
        QVERIFY(!noStore);
        QCOMPARE(noStore.error().code, u"secret_unavailable"_s);
    }

    void resolvesSecretHeadersAtEachRequest()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            return Http::HttpResponse(200, request.header("X-Tenant-Key") + "|" + request.header("Accept"));
        });
        HttpClientOptions options = quickOptions(u"tenant"_s);
        options.secretHeaders = {{"X-Tenant-Key", u"tenant.key"_s}};
        HttpClient client(options, {}, contextWith({{u"tenant.key"_s, u"t-123"_s}}));
        client.setDefaultHeaders({{"Accept", "application/json"}, {"X-Tenant-Key", "replaced"}});
        QCOMPARE(client.send(get(server.url()))->body, QByteArray("t-123|application/json"));
        // The request's own header wins.
        HttpRequest own = get(server.url());
        own.headers.append(std::pair<QByteArray, QByteArray>("x-tenant-key", "mine"));
        QCOMPARE(client.send(own)->body, QByteArray("mine|application/json"));

        // A missing secret names the header, and nothing is sent.
        const qsizetype sent = server.requests().size();
        options.secretHeaders = {{"X-Tenant-Key", u"tenant.other"_s}};
        Result<HttpResponse> missing = HttpClient(options, {}, contextWith({})).send(get(server.url()));
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, u"secret_not_found"_s);
        QVERIFY2(missing.error().message.contains(u"X-Tenant-Key"_s), qPrintable(missing.error().message));
        QCOMPARE(server.requests().size(), sent);
        // A value with a line break would split the request: refused.
        options.secretHeaders = {{"X-Tenant-Key", u"tenant.key"_s}};
        Result<HttpResponse> split =
            HttpClient(options, {}, contextWith({{u"tenant.key"_s, u"a\r\nX-Evil: 1"_s}})).send(get(server.url()));
        QVERIFY(!split);
        QCOMPARE(split.error().code, u"secret_invalid"_s);
        QVERIFY(!split.error().message.contains(u"X-Evil"_s));

        // From an endpoint document.
        EndpointSpec endpoint;
        endpoint.id = u"tenant"_s;
        endpoint.secretHeaders = {{"X-Tenant-Key", u"tenant.key"_s}};
        Result<HttpClientOptions> fromEndpoint = HttpClientOptions::fromEndpoint(endpoint);
        QVERIFY(fromEndpoint);
        QCOMPARE(fromEndpoint->secretHeaders.size(), 1);
    }

    void cachesAndRefreshesOAuth2Tokens()
    {
        TestHttpServer server;
        std::atomic<int> issued{0};
        std::atomic<bool> rejectNext{false};
        server.setHandler([&](const Http::HttpRequest &request) {
            if (request.rawPath == "/token") {
                const bool good = request.header("Authorization")
                    == "Basic " + QByteArray("shop-client:top%20secret").toBase64();
                if (!good || !request.body.contains("grant_type=client_credentials")
                    || !request.body.contains("scope=orders.read%20orders.write"))
                    return Http::HttpResponse(401, "{\"error\":\"invalid_client\",\"error_description\":\"bad credentials\"}",
                                              "application/json");
                const QByteArray token = "tok-" + QByteArray::number(++issued);
                return Http::HttpResponse(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}",
                                          "application/json");
            }
            if (rejectNext.exchange(false))
                return Http::HttpResponse(401, "expired");
            return Http::HttpResponse(200, request.header("Authorization"));
        });
        ClientAuthentication oauth;
        oauth.type = ClientAuthentication::Type::OAuth2ClientCredentials;
        oauth.clientId = u"shop-client"_s;
        oauth.secret = u"cs"_s;
        oauth.tokenUrl = server.url(u"/token"_s);
        oauth.scopes = {u"orders.read"_s, u"orders.write"_s};
        const ConnectorContext context = contextWith({{u"cs"_s, u"top secret"_s}});
        HttpClient client(quickOptions(u"oauth"_s), oauth, context);
        QCOMPARE(client.send(get(server.url(u"/a"_s)))->body, QByteArray("Bearer tok-1"));
        QCOMPARE(client.send(get(server.url(u"/b"_s)))->body, QByteArray("Bearer tok-1"));
        // another client of the same credentials shares the cached token
        HttpClient other(quickOptions(u"oauth-2"_s), oauth, context);
        QCOMPARE(other.send(get(server.url(u"/c"_s)))->body, QByteArray("Bearer tok-1"));
        QCOMPARE(issued.load(), 1);

        // a 401 from the API: one new token, one repeat of the call
        rejectNext = true;
        Result<HttpResponse> again = client.send(get(server.url(u"/d"_s)));
        QVERIFY(again);
        QCOMPARE(again->status, 200);
        QCOMPARE(again->body, QByteArray("Bearer tok-2"));

        // the token endpoint refusing: authentication_failed with its reason, no secret
        HttpClient::resetSharedState();
        const ConnectorContext wrong = contextWith({{u"cs"_s, u"wrong secret"_s}});
        Result<HttpResponse> refused = HttpClient(quickOptions(u"oauth-3"_s), oauth, wrong).send(get(server.url()));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, u"authentication_failed"_s);
        QVERIFY(refused.error().message.contains(u"invalid_client (bad credentials)"_s));
        QVERIFY(!refused.error().message.contains(u"wrong secret"_s));
    }

    void usesAPluggableAuthenticator()
    {
        struct Counting final : HttpAuthenticator
        {
            int applied = 0;
            int refreshed = 0;
            Result<void> apply(HttpClient &, HttpRequest &request, const CancelToken *, bool forceRefresh) override
            {
                ++applied;
                refreshed += forceRefresh ? 1 : 0;
                request.setHeader("X-Signature", "sig-" + QByteArray::number(applied));
                return {};
            }
            bool canRefresh() const override { return true; }
        };
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            return request.header("X-Signature") == "sig-1" ? Http::HttpResponse(401, "stale")
                                                            : Http::HttpResponse(200, request.header("X-Signature"));
        });
        auto authenticator = std::make_shared<Counting>();
        HttpClient client(quickOptions(u"custom-auth"_s), {}, {});
        client.setAuthenticator(authenticator);
        Result<HttpResponse> response = client.send(get(server.url()));
        QVERIFY(response);
        QCOMPARE(response->body, QByteArray("sig-2"));
        QCOMPARE(authenticator->refreshed, 1);
        QCOMPARE(server.requestCount(), 2);
    }

    void soapFaultsAreNotServerFailures()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            return Http::HttpResponse(500, "<Envelope><Body><Fault><faultstring>No such vendor</faultstring></Fault></Body></Envelope>");
        });
        HttpClientOptions options = quickOptions(u"soap-faults"_s, 2);
        options.breaker.failureThreshold = 2;
        HttpClient client(options, {}, {});
        HttpRequest request = get(server.url());
        request.isServerFailure = [](const HttpResponse &response) { return !response.body.contains("<Fault>"); };
        for (int i = 0; i < 3; ++i) {
            Result<HttpResponse> response = client.send(request);
            QVERIFY(response);
            QCOMPARE(response->status, 500);
            QCOMPARE(response->attempts, 1); // an application fault is not retried
        }
        QCOMPARE(server.requestCount(), 3);
        QCOMPARE(client.breakerState(), CircuitBreaker::State::Closed);
    }

    void presentsAClientCertificate()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto openssl = [&](const QStringList &arguments) {
            QProcess process;
            process.setWorkingDirectory(dir.path());
            process.start(u"openssl"_s, arguments);
            process.waitForFinished(30'000);
            return process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0
                ? QString()
                : u"openssl "_s + arguments.join(u' ') + u": "_s + QString::fromLocal8Bit(process.readAllStandardError());
        };
        const QStringList ec{u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s};
        QCOMPARE(openssl(QStringList{u"req"_s, u"-x509"_s} + ec
                         + QStringList{u"-keyout"_s, u"ca.key"_s, u"-out"_s, u"ca.pem"_s, u"-days"_s, u"2"_s, u"-subj"_s,
                                       u"/CN=Test CA"_s}),
                 QString());
        QCOMPARE(openssl(QStringList{u"req"_s} + ec
                         + QStringList{u"-keyout"_s, u"client.key"_s, u"-out"_s, u"client.csr"_s, u"-subj"_s,
                                       u"/CN=CONFLUX_RFC"_s}),
                 QString());
        QCOMPARE(openssl({u"x509"_s, u"-req"_s, u"-in"_s, u"client.csr"_s, u"-CA"_s, u"ca.pem"_s, u"-CAkey"_s, u"ca.key"_s,
                          u"-CAcreateserial"_s, u"-out"_s, u"client.pem"_s, u"-days"_s, u"2"_s}),
                 QString());
        QCOMPARE(openssl(QStringList{u"req"_s, u"-x509"_s} + ec
                         + QStringList{u"-keyout"_s, u"server.key"_s, u"-out"_s, u"server.pem"_s, u"-days"_s, u"2"_s,
                                       u"-subj"_s, u"/CN=localhost"_s, u"-addext"_s, u"subjectAltName=DNS:localhost"_s}),
                 QString());

        Result<QSslConfiguration> serverTls = Http::HttpServer::loadTlsConfiguration(dir.filePath(u"server.pem"_s),
                                                                                    dir.filePath(u"server.key"_s));
        QVERIFY(serverTls);
        serverTls->setCaCertificates(QSslCertificate::fromPath(dir.filePath(u"ca.pem"_s)));
        serverTls->setPeerVerifyMode(QSslSocket::VerifyPeer);
        TestHttpServer server(*serverTls);
        QVERIFY(server.isListening());
        server.setHandler([](const Http::HttpRequest &request) {
            return Http::HttpResponse(200, request.peerCertificateChain.isEmpty()
                                               ? QByteArray("anonymous")
                                               : request.peerCertificateChain.constFirst()
                                                     .subjectInfo(QSslCertificate::CommonName)
                                                     .join(u',')
                                                     .toUtf8());
        });

        Result<QSslConfiguration> tls = HttpClientOptions::clientCertificate(
            dir.filePath(u"client.pem"_s), dir.filePath(u"client.key"_s), {}, dir.filePath(u"server.pem"_s));
        QVERIFY2(tls, qPrintable(tls ? QString() : tls.error().toString()));
        HttpClientOptions options = quickOptions(u"mtls"_s, 0);
        options.tls = *tls;
        HttpClient client(options, {}, {});
        Result<HttpResponse> response = client.send(get(server.url()));
        QVERIFY2(response, qPrintable(response ? QString() : response.error().toString()));
        QCOMPARE(response->body, QByteArray("CONFLUX_RFC"));

        // Without the certificate the server refuses the handshake.
        HttpClientOptions without = quickOptions(u"mtls-none"_s, 0);
        QSslConfiguration trustOnly = QSslConfiguration::defaultConfiguration();
        trustOnly.addCaCertificates(QSslCertificate::fromPath(dir.filePath(u"server.pem"_s)));
        without.tls = trustOnly;
        Result<HttpResponse> refused = HttpClient(without, {}, {}).send(get(server.url()));
        QVERIFY(!refused || refused->status >= 400);

        Result<QSslConfiguration> missing = HttpClientOptions::clientCertificate(dir.filePath(u"nope.pem"_s),
                                                                                 dir.filePath(u"client.key"_s));
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, u"tls_certificate_invalid"_s);
        Result<QSslConfiguration> badKey = HttpClientOptions::clientCertificate(dir.filePath(u"client.pem"_s),
                                                                                dir.filePath(u"client.pem"_s));
        QVERIFY(!badKey);
        QCOMPARE(badKey.error().code, u"tls_key_invalid"_s);
    }

    void cancelsAWaitingCall()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            QThread::msleep(1500);
            return Http::HttpResponse(200);
        });
        HttpClient client(quickOptions(u"cancel"_s), {}, {});
        CancelToken cancel;
        std::thread canceller([&] {
            QThread::msleep(150);
            cancel.cancel();
        });
        QElapsedTimer timer;
        timer.start();
        Result<HttpResponse> response = client.send(get(server.url()), &cancel);
        canceller.join();
        QVERIFY(!response);
        QCOMPARE(response.error().code, u"cancelled"_s);
        QVERIFY(timer.elapsed() < 1000);
        QCOMPARE(client.breakerState(), CircuitBreaker::State::Closed);
    }

    void keepsCookiesPerClient()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            Http::HttpResponse response(200, request.header("Cookie"));
            if (request.rawPath == "/login")
                response.setHeader("Set-Cookie", "SAP_SESSIONID=abc123; Path=/");
            return response;
        });
        HttpClient client(quickOptions(u"cookies"_s), {}, {});
        QVERIFY(client.send(get(server.url(u"/login"_s))));
        QCOMPARE(client.send(get(server.url(u"/next"_s)))->body, QByteArray("SAP_SESSIONID=abc123"));
        HttpClient other(quickOptions(u"cookies"_s), {}, {});
        QCOMPARE(other.send(get(server.url(u"/next"_s)))->body, QByteArray());
        client.clearCookies();
        QCOMPARE(client.send(get(server.url(u"/next"_s)))->body, QByteArray());
    }

    void readsItsOptionsFromTheEndpoint()
    {
        EndpointSpec endpoint;
        endpoint.id = u"crm"_s;
        endpoint.timeoutSeconds = 7;
        endpoint.retryAttempts = 1;
        endpoint.configuration.insert(u"redirect_hosts"_s, Data::Value(Data::Array{Data::Value(u"*.crm.example"_s)}));
        Data::Object breaker;
        breaker.insert(u"failure_threshold"_s, Data::Value(9));
        breaker.insert(u"timeout_seconds"_s, Data::Value(12));
        endpoint.configuration.insert(u"circuit_breaker"_s, Data::Value(breaker));
        Result<HttpClientOptions> options = HttpClientOptions::fromEndpoint(endpoint);
        QVERIFY(options);
        QCOMPARE(options->timeoutMs, 7000);
        QCOMPARE(options->retryAttempts, 1);
        QCOMPARE(options->redirectHosts, QStringList{u"*.crm.example"_s});
        QCOMPARE(options->breaker.failureThreshold, 9);
        QCOMPARE(options->breaker.openMs, 12'000);

        endpoint.configuration.insert(u"redirect_hosts"_s, Data::Value(u"everywhere"_s));
        breaker.insert(u"failure_threshold"_s, Data::Value(0));
        endpoint.configuration.insert(u"circuit_breaker"_s, Data::Value(breaker));
        endpoint.configuration.insert(u"max_response_bytes"_s, Data::Value(1.5));
        Result<HttpClientOptions> bad = HttpClientOptions::fromEndpoint(endpoint);
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, u"invalid_endpoint"_s);
        const QString details = bad.error().details.join(u'\n');
        QVERIFY(details.contains(u"/configuration/redirect_hosts"_s));
        QVERIFY(details.contains(u"/configuration/circuit_breaker/failure_threshold"_s));
        QVERIFY(details.contains(u"/configuration/max_response_bytes"_s));
    }
};

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
