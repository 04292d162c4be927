#include <base/log.h>
#include <gateway/httpserver.h>

#include "httptestclient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>
#include <optional>
#include <stdexcept>

using Conflux::Http::HttpRequest;
using Conflux::Http::HttpResponse;
using Conflux::Http::HttpResponder;
using Conflux::Http::HttpServer;
using Conflux::Http::HttpServerOptions;

using namespace Conflux::Test;

namespace {

// A self-signed certificate for CN=localhost made by the openssl CLI; empty on success,
// otherwise why it failed.
QString makeCertificate(const QString &certFile, const QString &keyFile, const QStringList &keySpec)
{
    QProcess openssl;
    QStringList arguments{QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey")};
    arguments += keySpec;
    arguments += {QStringLiteral("-nodes"), QStringLiteral("-subj"), QStringLiteral("/CN=localhost"),
                  QStringLiteral("-days"), QStringLiteral("1"), QStringLiteral("-keyout"), keyFile,
                  QStringLiteral("-out"), certFile};
    openssl.start(QStringLiteral("openssl"), arguments);
    if (!openssl.waitForFinished(60000))
        return QStringLiteral("openssl did not finish: ") + openssl.errorString();
    if (openssl.exitStatus() != QProcess::NormalExit || openssl.exitCode() != 0)
        return QString::fromLocal8Bit(openssl.readAllStandardError());
    return {};
}


} // namespace

class tst_HttpServer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void keepAliveServesTwoRequestsOnOneConnection();
    void pipelinedRequestsAreAnsweredInOrder();
    void connectionHandling_data();
    void connectionHandling();
    void headRequestHasNoBody();
    void smugglingGetsOneResponseAndClose_data();
    void smugglingGetsOneResponseAndClose();
    void payloadTooLargeBeforeTheBody();
    void errorReachesClientThatKeepsSending();
    void expectContinue();
    void handlerWithNestedEventLoop();
    void headerFieldsTooLarge_data();
    void headerFieldsTooLarge();
    void slowlorisIsClosedAfterHeaderTimeout();
    void silentConnectionIsClosed();
    void idleKeepAliveIsClosed();
    void requestId_data();
    void requestId();
    void throwingHandlerGives500();
    void maxConnections();
    void tls();
    void tlsLoadErrorsNameTheFile();
    void tlsLoadsEcKey();
    void drainWaitsForInFlightRequest();
    void drainTimeoutAbortsStragglers();
    void drainFromInsideHandler();
    void listenErrors();
};

void tst_HttpServer::initTestCase()
{
    Conflux::Log::install();
}

void tst_HttpServer::keepAliveServesTwoRequestsOnOneConnection()
{
    HttpServer server;
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());
    QVERIFY(server.serverPort() != 0);

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send(get("/one"));
    auto first = client.read();
    QVERIFY(first);
    QCOMPARE(first->status, 200);
    QCOMPARE(first->body, QByteArray("/one"));
    QVERIFY(!first->hasHeader("connection"));
    QVERIFY(first->hasHeader("date"));
    QCOMPARE(first->header("content-type"), QByteArray("text/plain; charset=utf-8"));

    client.send(get("/two"));
    auto second = client.read();
    QVERIFY(second);
    QCOMPARE(second->body, QByteArray("/two"));
    QVERIFY(client.isConnected());
    QCOMPARE(server.connectionCount(), 1);
}

void tst_HttpServer::pipelinedRequestsAreAnsweredInOrder()
{
    HttpServer server;
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    QByteArray batch;
    for (int i = 0; i < 20; ++i)
        batch += get("/r" + QByteArray::number(i));
    batch += "POST /last HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nend\r\n0\r\n\r\n";
    client.send(batch);
    for (int i = 0; i < 20; ++i) {
        auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->body, "/r" + QByteArray::number(i));
    }
    auto last = client.read();
    QVERIFY(last);
    QCOMPARE(last->body, QByteArray("end"));
    QVERIFY(client.isConnected());
}

void tst_HttpServer::connectionHandling_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("connectionHeader");
    QTest::addColumn<bool>("closes");

    QTest::addRow("http11-close") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                                  << QByteArray("close") << true;
    QTest::addRow("http10-default") << QByteArray("GET / HTTP/1.0\r\n\r\n") << QByteArray("close") << true;
    QTest::addRow("http10-keep-alive") << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                                       << QByteArray("keep-alive") << false;
    QTest::addRow("handler-asks-close") << QByteArray("GET /bye HTTP/1.1\r\nHost: a\r\n\r\n")
                                        << QByteArray("close") << true;
}

void tst_HttpServer::connectionHandling()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, connectionHeader);
    QFETCH(bool, closes);

    HttpServer server;
    server.setHandler([](const HttpRequest &r) {
        HttpResponse response = echo(r);
        if (r.path == QLatin1String("/bye"))
            response.setHeader("Connection", "close");
        return response;
    });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send(request);
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->header("connection"), connectionHeader);
    if (closes) {
        QVERIFY(client.waitClosed());
        QVERIFY(client.buffer().isEmpty());
        QTRY_COMPARE(server.connectionCount(), 0);
    } else {
        QTest::qWait(50);
        QVERIFY(client.isConnected());
    }
}

void tst_HttpServer::headRequestHasNoBody()
{
    HttpServer server;
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send("HEAD /abc HTTP/1.1\r\nHost: a\r\n\r\n" + get("/next"));
    auto head = client.read(5000, true);
    QVERIFY(head);
    QCOMPARE(head->header("content-length"), QByteArray("4"));
    auto next = client.read();
    QVERIFY(next);
    QCOMPARE(next->body, QByteArray("/next"));
}

void tst_HttpServer::smugglingGetsOneResponseAndClose_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");

    const QByteArray smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
    QTest::addRow("content-length-and-chunked")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "0\r\n\r\n" + smuggled)
        << 400;
    QTest::addRow("duplicate-content-length")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 40\r\n\r\n" + smuggled)
        << 400;
    QTest::addRow("obfuscated-transfer-encoding")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + smuggled)
        << 400;
    QTest::addRow("space-before-colon")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\nContent-Length: 0\r\n\r\n"
                      "0\r\n\r\n" + smuggled)
        << 400;
    QTest::addRow("gzip-then-chunked")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" + smuggled)
        << 501;
    QTest::addRow("bare-lf-chunk") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                                                 "0\n\r\n" + smuggled)
                                   << 400;
}

void tst_HttpServer::smugglingGetsOneResponseAndClose()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);

    HttpServer server;
    int handled = 0;
    server.setHandler([&handled](const HttpRequest &r) {
        ++handled;
        return echo(r);
    });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send(request);
    QVERIFY(client.waitClosed());

    QByteArray all = client.buffer();
    QCOMPARE(all.count("HTTP/1.1 "), 1);
    Response response;
    QVERIFY(takeResponse(all, &response));
    QVERIFY(all.isEmpty());
    QCOMPARE(response.status, status);
    QCOMPARE(response.header("connection"), QByteArray("close"));
    QCOMPARE(response.header("content-type"), QByteArray("application/json"));
    const QJsonObject error = response.json().value(QLatin1String("error")).toObject();
    QVERIFY(!error.value(QLatin1String("code")).toString().isEmpty());
    QVERIFY(!error.value(QLatin1String("message")).toString().isEmpty());
    QVERIFY(error.value(QLatin1String("details")).isArray());
    QCOMPARE(handled, 0);
}

void tst_HttpServer::payloadTooLargeBeforeTheBody()
{
    HttpServer server;
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    // Only the header section is sent; the answer must not wait for 20 MB that never come.
    client.send("PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 20000000\r\nExpect: 100-continue\r\n\r\n");
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 413); // and no "100 Continue" before it
    QCOMPARE(response->header("connection"), QByteArray("close"));
    QCOMPARE(response->json()[QLatin1String("error")][QLatin1String("code")].toString(),
             QStringLiteral("payload_too_large"));
    QVERIFY(client.waitClosed());
}

void tst_HttpServer::errorReachesClientThatKeepsSending()
{
    HttpServer server;
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    // No Expect: the client sends its oversized body regardless. The lingering close must let
    // it read the 413 instead of a connection reset.
    client.send("PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 20000000\r\n\r\n");
    client.send(QByteArray(4 * 1024 * 1024, 'x'));
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 413);
    QVERIFY(client.waitClosed());
    QTRY_COMPARE(server.connectionCount(), 0);
}

void tst_HttpServer::handlerWithNestedEventLoop()
{
    HttpServer server;
    server.setHandler([](const HttpRequest &request) {
        if (request.path == QLatin1String("/slow")) {
            QEventLoop loop; // e.g. a handler waiting for a backend reply
            QTimer::singleShot(150, &loop, &QEventLoop::quit);
            loop.exec();
        }
        return echo(request);
    });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send(get("/slow") + get("/fast"));
    QTest::qWait(50);
    client.send(get("/later")); // arrives while the handler runs its event loop
    for (const char *path : {"/slow", "/fast", "/later"}) {
        auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->body, QByteArray(path));
    }
}

void tst_HttpServer::expectContinue()
{
    HttpServer server;
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send("PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    auto interim = client.read();
    QVERIFY(interim);
    QCOMPARE(interim->status, 100);
    client.send("hello");
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->body, QByteArray("hello"));
}

void tst_HttpServer::headerFieldsTooLarge_data()
{
    QTest::addColumn<QByteArray>("request");

    QByteArray many;
    for (int i = 0; i < 101; ++i)
        many += "X-Field-" + QByteArray::number(i) + ": v\r\n";
    QTest::addRow("too-many-fields") << get("/", many);
    QTest::addRow("field-too-long") << get("/", "X-Big: " + QByteArray(17 * 1024, 'b') + "\r\n");
}

void tst_HttpServer::headerFieldsTooLarge()
{
    QFETCH(QByteArray, request);

    HttpServer server;
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send(request);
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 431);
    QCOMPARE(response->header("connection"), QByteArray("close"));
    QVERIFY(client.waitClosed());
}

void tst_HttpServer::slowlorisIsClosedAfterHeaderTimeout()
{
    HttpServerOptions options;
    options.headerTimeoutMs = 300;
    HttpServer server;
    server.setOptions(options);
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    QElapsedTimer clock;
    clock.start();
    client.send("GET / HTTP/1.1\r\nHost: a\r\n");
    // Trickling header lines does not extend the deadline.
    for (int i = 0; i < 20 && client.isConnected(); ++i) {
        QTest::qWait(50);
        client.send("X-Drip-" + QByteArray::number(i) + ": 1\r\n");
    }
    QVERIFY(client.waitClosed());
    QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
    Response response;
    QVERIFY(takeResponse(client.buffer(), &response));
    QCOMPARE(response.status, 408);
    QTRY_COMPARE(server.connectionCount(), 0);
}

void tst_HttpServer::silentConnectionIsClosed()
{
    HttpServerOptions options;
    options.headerTimeoutMs = 200;
    HttpServer server;
    server.setOptions(options);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    QVERIFY(client.waitClosed(3000));
    QVERIFY(client.buffer().isEmpty()); // nothing was asked, nothing is answered
}

void tst_HttpServer::idleKeepAliveIsClosed()
{
    HttpServerOptions options;
    options.idleTimeoutMs = 200;
    HttpServer server;
    server.setOptions(options);
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send(get("/"));
    QVERIFY(client.read());
    QVERIFY(client.waitClosed(3000));
    QVERIFY(client.buffer().isEmpty());
}

void tst_HttpServer::requestId_data()
{
    QTest::addColumn<QByteArray>("incoming");
    QTest::addColumn<bool>("kept");

    QTest::addRow("sane") << QByteArray("abc-123.DEF_x") << true;
    QTest::addRow("max-length") << QByteArray(128, 'a') << true;
    QTest::addRow("too-long") << QByteArray(129, 'a') << false;
    QTest::addRow("space") << QByteArray("a b") << false;
    QTest::addRow("markup") << QByteArray("<script>") << false;
    QTest::addRow("absent") << QByteArray() << false;
}

void tst_HttpServer::requestId()
{
    QFETCH(QByteArray, incoming);
    QFETCH(bool, kept);

    HttpServer server;
    QString seenId;
    QString seenScope;
    server.setHandler([&](const HttpRequest &request) {
        seenId = request.requestId;
        seenScope = Conflux::Log::currentRequestId();
        return HttpResponse(204);
    });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send(get("/", incoming.isEmpty() ? QByteArray() : "X-Request-Id: " + incoming + "\r\n"));
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 204);
    QVERIFY(!response->hasHeader("content-length"));
    const QByteArray echoed = response->header("x-request-id");
    if (kept) {
        QCOMPARE(echoed, incoming);
    } else {
        QVERIFY(echoed != incoming);
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(QString::fromLatin1(echoed)).hasMatch());
    }
    QCOMPARE(seenId, QString::fromLatin1(echoed));
    QCOMPARE(seenScope, seenId);
    QVERIFY(Conflux::Log::currentRequestId().isEmpty()); // restored after the handler

    // A rejected request carries an id too.
    client.send("BAD\r\n\r\n");
    auto rejected = client.read();
    QVERIFY(rejected);
    QCOMPARE(rejected->status, 400);
    QVERIFY(!rejected->header("x-request-id").isEmpty());
}

void tst_HttpServer::throwingHandlerGives500()
{
    HttpServer server;
    server.setHandler([](const HttpRequest &request) -> HttpResponse {
        if (request.path == QLatin1String("/throw"))
            throw std::runtime_error("database password is hunter2");
        return echo(request);
    });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send(get("/throw"));
    auto failed = client.read();
    QVERIFY(failed);
    QCOMPARE(failed->status, 500);
    QCOMPARE(failed->json()[QLatin1String("error")][QLatin1String("code")].toString(),
             QStringLiteral("internal_error"));
    QVERIFY(!failed->body.contains("hunter2")); // the exception text stays in the log
    // The connection and the server keep serving.
    client.send(get("/after"));
    auto after = client.read();
    QVERIFY(after);
    QCOMPARE(after->body, QByteArray("/after"));
}

void tst_HttpServer::maxConnections()
{
    HttpServerOptions options;
    options.maxConnections = 1;
    HttpServer server;
    server.setOptions(options);
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    Client first;
    QVERIFY(first.connectTo(server.serverPort()));
    first.send(get("/"));
    QVERIFY(first.read());

    Client second;
    QVERIFY(second.connectTo(server.serverPort()));
    second.send(get("/"));
    QVERIFY(second.waitClosed());
    QVERIFY(second.buffer().isEmpty());

    first.socket()->disconnectFromHost();
    QTRY_COMPARE(server.connectionCount(), 0);
    Client third;
    QVERIFY(third.connectTo(server.serverPort()));
    third.send(get("/third"));
    auto response = third.read();
    QVERIFY(response);
    QCOMPARE(response->body, QByteArray("/third"));
}

void tst_HttpServer::tls()
{
    if (!QSslSocket::supportsSsl())
        QFAIL("Qt has no TLS backend here");

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString certFile = dir.filePath(QStringLiteral("cert.pem"));
    const QString keyFile = dir.filePath(QStringLiteral("key.pem"));
    const QString failure = makeCertificate(certFile, keyFile, {QStringLiteral("rsa:2048")});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));

    const auto configuration = HttpServer::loadTlsConfiguration(certFile, keyFile);
    QVERIFY2(configuration.isOk(), qPrintable(configuration.isOk() ? QString() : configuration.error().message));

    HttpServer server;
    server.setTlsConfiguration(*configuration);
    server.setHandler(echo);
    QVERIFY(server.isSecure());
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    auto socket = std::make_unique<QSslSocket>();
    QSslSocket *ssl = socket.get();
    QSslConfiguration clientConfiguration = ssl->sslConfiguration();
    clientConfiguration.setCaCertificates(configuration->localCertificateChain()); // trust exactly this one
    ssl->setSslConfiguration(clientConfiguration);
    Client client(std::move(socket));
    ssl->connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.serverPort(), QStringLiteral("localhost"));
    QVERIFY2(QTest::qWaitFor([ssl] { return ssl->isEncrypted(); }, 10000), qPrintable(ssl->errorString()));

    client.send(get("/secure"));
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->body, QByteArray("/secure"));
    QCOMPARE(response->header("x-secure"), QByteArray("yes"));
    client.send(get("/again", "Connection: close\r\n"));
    auto again = client.read();
    QVERIFY(again);
    QCOMPARE(again->body, QByteArray("/again"));
    QVERIFY(client.waitClosed());

    // Plain HTTP on the TLS port gets no HTTP answer.
    Client plain;
    QVERIFY(plain.connectTo(server.serverPort()));
    plain.send(get("/"));
    QVERIFY(plain.waitClosed(10000));
    QVERIFY(!plain.buffer().startsWith("HTTP/"));
}

void tst_HttpServer::tlsLoadErrorsNameTheFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString missing = dir.filePath(QStringLiteral("missing-cert.pem"));
    const QString garbage = dir.filePath(QStringLiteral("garbage.pem"));
    {
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not PEM\n");
    }

    const auto noFile = HttpServer::loadTlsConfiguration(missing, garbage);
    QVERIFY(!noFile.isOk());
    QCOMPARE(noFile.error().code, QStringLiteral("tls_certificate_invalid"));
    QVERIFY(noFile.error().message.contains(missing));

    const auto notPem = HttpServer::loadTlsConfiguration(garbage, garbage);
    QVERIFY(!notPem.isOk());
    QCOMPARE(notPem.error().code, QStringLiteral("tls_certificate_invalid"));
    QVERIFY(notPem.error().message.contains(garbage));

    // A certificate file given as the key: the key file is named.
    const QString certFile = dir.filePath(QStringLiteral("cert.pem"));
    const QString keyFile = dir.filePath(QStringLiteral("key.pem"));
    const QString failure = makeCertificate(certFile, keyFile, {QStringLiteral("rsa:2048")});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    const auto noKey = HttpServer::loadTlsConfiguration(certFile, certFile);
    QVERIFY(!noKey.isOk());
    QCOMPARE(noKey.error().code, QStringLiteral("tls_key_invalid"));
    QVERIFY(noKey.error().message.contains(certFile));

    HttpServer server;
    server.setTlsConfiguration(QSslConfiguration());
    const auto listened = server.listen(QHostAddress::LocalHost, 0);
    QVERIFY(!listened.isOk());
    QCOMPARE(listened.error().code, QStringLiteral("listen_failed"));
}

void tst_HttpServer::tlsLoadsEcKey()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString certFile = dir.filePath(QStringLiteral("ec-cert.pem"));
    const QString keyFile = dir.filePath(QStringLiteral("ec-key.pem"));
    const QString failure = makeCertificate(
        certFile, keyFile,
        {QStringLiteral("ec"), QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1")});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    const auto configuration = HttpServer::loadTlsConfiguration(certFile, keyFile);
    QVERIFY2(configuration.isOk(), qPrintable(configuration.isOk() ? QString() : configuration.error().message));
    QCOMPARE(configuration->privateKey().algorithm(), QSsl::Ec);
}

void tst_HttpServer::drainWaitsForInFlightRequest()
{
    HttpServer server;
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());
    const quint16 port = server.serverPort();
    QSignalSpy drained(&server, &HttpServer::drained);

    Client idle;
    QVERIFY(idle.connectTo(port));
    idle.send(get("/"));
    QVERIFY(idle.read());

    Client busy;
    QVERIFY(busy.connectTo(port));
    busy.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello");
    QTRY_COMPARE(server.connectionCount(), 2);
    QTest::qWait(50);

    server.drain(10000);
    QVERIFY(server.isDraining());
    QVERIFY(!server.isListening());
    QVERIFY(idle.waitClosed()); // idle keep-alive: closed at once
    QTest::qWait(100);
    QCOMPARE(drained.count(), 0); // the upload is still in flight
    QVERIFY(busy.isConnected());

    busy.send("world");
    auto response = busy.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->body, QByteArray("helloworld"));
    QCOMPARE(response->header("connection"), QByteArray("close"));
    QVERIFY(busy.waitClosed());
    QTRY_COMPARE(drained.count(), 1);
    QCOMPARE(server.connectionCount(), 0);

    // No longer accepting.
    Client late;
    late.socket()->connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(late.waitClosed());
}

void tst_HttpServer::drainTimeoutAbortsStragglers()
{
    HttpServer server;
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());
    QSignalSpy drained(&server, &HttpServer::drained);

    Client straggler;
    QVERIFY(straggler.connectTo(server.serverPort()));
    straggler.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\npartial");
    QTRY_COMPARE(server.connectionCount(), 1);

    server.drain(200);
    QVERIFY(drained.wait(5000));
    QCOMPARE(drained.count(), 1);
    QVERIFY(straggler.waitClosed());

    // Nothing open: drained still comes, from the event loop.
    HttpServer empty;
    QSignalSpy emptyDrained(&empty, &HttpServer::drained);
    empty.drain(1000);
    QCOMPARE(emptyDrained.count(), 0);
    QVERIFY(emptyDrained.wait(1000));
}

void tst_HttpServer::drainFromInsideHandler()
{
    // An admin "shutdown" endpoint: the handler starts the drain, its own response still goes out.
    HttpServer server;
    server.setHandler([&server](const HttpRequest &request) {
        if (request.path == QLatin1String("/shutdown")) {
            server.drain(5000);
            return HttpResponse::json(202, QJsonObject{{QStringLiteral("status"), QStringLiteral("stopping")}});
        }
        return echo(request);
    });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());
    QSignalSpy drained(&server, &HttpServer::drained);

    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send(get("/shutdown") + get("/not-served"));
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 202);
    QCOMPARE(response->header("connection"), QByteArray("close"));
    QVERIFY(client.waitClosed());
    QVERIFY(client.buffer().isEmpty()); // the pipelined request got no response
    QTRY_COMPARE(drained.count(), 1);
}

void tst_HttpServer::listenErrors()
{
    HttpServer first;
    QVERIFY(first.listen(QHostAddress::LocalHost, 0).isOk());
    const auto again = first.listen(QHostAddress::LocalHost, 0);
    QVERIFY(!again.isOk());
    QCOMPARE(again.error().code, QStringLiteral("already_listening"));

    HttpServer second;
    const auto taken = second.listen(QHostAddress::LocalHost, first.serverPort());
    QVERIFY(!taken.isOk());
    QCOMPARE(taken.error().code, QStringLiteral("listen_failed"));
    QVERIFY(taken.error().message.contains(QString::number(first.serverPort())));
}

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_httpserver.moc"
