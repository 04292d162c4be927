// HttpServer's asynchronous handlers: answers that come later, from timers and other
// threads, with pipelining, a client that leaves, and a drain in between.

#include <gateway/httpserver.h>

#include "httptestclient.h"

#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <optional>
#include <thread>
#include <vector>

using Conflux::Http::HttpRequest;
using Conflux::Http::HttpResponder;
using Conflux::Http::HttpResponse;
using Conflux::Http::HttpServer;

using namespace Conflux::Test;

class tst_HttpServerAsync : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void asyncHandlerAnswersLater();
    void asyncPipelinedResponsesKeepTheirOrder();
    void asyncAnswerFromAnotherThread();
    void asyncClientGoneBeforeTheAnswer();
    void asyncDrainWaitsForTheAnswer();
};

// An asynchronous handler answers from a timer; a second answer is ignored.
void tst_HttpServerAsync::asyncHandlerAnswersLater()
{
    HttpServer server;
    server.setAsyncHandler([](const HttpRequest &request, HttpResponder responder) {
        QTimer::singleShot(50, [request, responder] {
            responder.send(echo(request));
            responder.send(HttpResponse::text(500, QStringLiteral("twice")));
        });
    });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());
    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send(get("/later"));
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->body, QByteArray("/later"));
    QVERIFY(!response->header("x-request-id").isEmpty());
    // The connection goes on serving.
    client.send(get("/again", "Connection: close\r\n"));
    response = client.read();
    QVERIFY(response);
    QCOMPARE(response->body, QByteArray("/again"));
    QVERIFY(client.waitClosed());
}

// The first request's answer comes last in time, but first on the wire: the connection
// does not read the next request before it.
void tst_HttpServerAsync::asyncPipelinedResponsesKeepTheirOrder()
{
    HttpServer server;
    int inHandler = 0, maxInHandler = 0;
    server.setAsyncHandler([&](const HttpRequest &request, HttpResponder responder) {
        maxInHandler = std::max(maxInHandler, ++inHandler);
        const int delay = request.path == u"/slow" ? 150 : 0;
        QTimer::singleShot(delay, [&, request, responder] {
            --inHandler;
            responder.send(echo(request));
        });
    });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());
    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send(get("/slow") + get("/fast") + get("/slow") + get("/fast"));
    for (const char *expected : {"/slow", "/fast", "/slow", "/fast"}) {
        auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->body, QByteArray(expected));
    }
    QCOMPARE(maxInHandler, 1);
}

void tst_HttpServerAsync::asyncAnswerFromAnotherThread()
{
    HttpServer server;
    std::vector<std::thread> workers;
    server.setAsyncHandler([&](const HttpRequest &request, HttpResponder responder) {
        workers.emplace_back([request, responder] {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            responder.send(echo(request));
        });
    });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());
    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    for (int i = 0; i < 5; ++i) {
        client.send(get("/t" + QByteArray::number(i)));
        auto response = client.read();
        QVERIFY(response);
        QCOMPARE(response->body, "/t" + QByteArray::number(i));
    }
    for (auto &t : workers)
        t.join();
}

// A client that leaves before the answer: the responder says so, and answering anyway is
// harmless (also after the connection object is gone).
void tst_HttpServerAsync::asyncClientGoneBeforeTheAnswer()
{
    HttpServer server;
    std::optional<HttpResponder> held;
    server.setAsyncHandler([&](const HttpRequest &, HttpResponder responder) { held = responder; });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());
    {
        Client client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(get("/never"));
        QTRY_VERIFY(held.has_value());
        QVERIFY(held->isConnected());
        client.socket()->abort();
    }
    QTRY_VERIFY(!held->isConnected());
    QTRY_COMPARE(server.connectionCount(), 0);
    QTest::qWait(20); // the connection object is deleted later
    held->send(HttpResponse::text(200, QStringLiteral("too late")));
    QVERIFY(!held->isConnected());
}

void tst_HttpServerAsync::asyncDrainWaitsForTheAnswer()
{
    HttpServer server;
    std::optional<HttpResponder> held;
    server.setAsyncHandler([&](const HttpRequest &, HttpResponder responder) { held = responder; });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());
    QSignalSpy drained(&server, &HttpServer::drained);
    Client client;
    QVERIFY(client.connectTo(server.serverPort()));
    client.send(get("/pending"));
    QTRY_VERIFY(held.has_value());
    server.drain(10000);
    QTest::qWait(100);
    QVERIFY(client.isConnected());
    QCOMPARE(drained.count(), 0);
    held->send(HttpResponse::text(200, QStringLiteral("done")));
    auto response = client.read();
    QVERIFY(response);
    QCOMPARE(response->body, QByteArray("done"));
    QCOMPARE(response->header("connection"), QByteArray("close"));
    QVERIFY(client.waitClosed());
    QTRY_COMPARE(drained.count(), 1);
}

QTEST_GUILESS_MAIN(tst_HttpServerAsync)
#include "tst_httpserverasync.moc"
