// WebSocket routes through the gateway, with Qt's own WebSocket client and server at the ends:
// the handshake goes through, frames of any size flow both ways unchanged, closes propagate,
// and refusals are relayed.

#include "gateway/gatewayconfig.h"
#include "gateway/gatewayserver.h"
#include "gateway/httpserver.h"
#include "model/project.h"

#include <QJsonObject>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include "httptestclient.h"

using namespace Conflux;
using namespace Conflux::Gateway;
using namespace Conflux::Test;
using namespace Qt::StringLiterals;

class TestWebSocket : public QObject
{
    Q_OBJECT

private:
    // An upstream that echoes every message with a prefix and remembers what it was asked.
    struct Echo
    {
        QWebSocketServer server{u"echo"_s, QWebSocketServer::NonSecureMode};
        QList<QWebSocket *> clients;
        QString path, header, protocol;
        int disconnects = 0;
    };

    static std::unique_ptr<Echo> startEcho()
    {
        auto echo = std::make_unique<Echo>();
        Echo *e = echo.get();
        QObject::connect(&e->server, &QWebSocketServer::newConnection, &e->server, [e] {
            QWebSocket *socket = e->server.nextPendingConnection();
            e->clients.append(socket);
            e->path = socket->requestUrl().path();
            e->header = QString::fromLatin1(socket->request().rawHeader("X-Route"));
            e->protocol = QString::fromLatin1(socket->request().rawHeader("Sec-WebSocket-Protocol"));
            QObject::connect(socket, &QWebSocket::textMessageReceived, socket,
                             [socket](const QString &m) { socket->sendTextMessage(u"echo:"_s + m); });
            QObject::connect(socket, &QWebSocket::binaryMessageReceived, socket,
                             [socket](const QByteArray &m) { socket->sendBinaryMessage(m); });
            QObject::connect(socket, &QWebSocket::disconnected, socket, [e] { ++e->disconnects; });
        });
        if (!e->server.listen(QHostAddress::LocalHost, 0))
            return nullptr;
        return echo;
    }

    static std::unique_ptr<GatewayServer> startGateway(const QString &upstream)
    {
        Model::Project project;
        Model::Route route;
        route.document.kind = Model::DocumentKind::Route;
        route.document.id = u"chat"_s;
        route.document.json = QJsonObject{
            {u"id"_s, u"chat"_s}, {u"path"_s, u"/ws/{room}"_s}, {u"method"_s, u"GET"_s}, {u"protocol"_s, u"WebSocket"_s},
            {u"upstream_url"_s, upstream},
            {u"transformation_rules"_s, QJsonObject{{u"request_headers"_s, QJsonObject{{u"X-Route"_s, u"chat"_s}}}}}};
        project.routes.append(route);
        auto config = GatewayConfig::fromProject(project);
        if (!config) {
            qWarning("%s", qPrintable(config.error().toString()));
            return nullptr;
        }
        auto server = std::make_unique<GatewayServer>();
        GatewayServerOptions options;
        options.port = 0;
        options.threads = 1;
        options.http.accessLog = false;
        if (!server->listen(options))
            return nullptr;
        server->setRuntime(std::make_shared<GatewayRuntime>(*config));
        QTest::qWait(20);
        return server;
    }

private slots:
    void messagesFlowBothWays()
    {
        auto echo = startEcho();
        QVERIFY(echo);
        auto gateway = startGateway(u"ws://127.0.0.1:%1/rooms/{room}"_s.arg(echo->server.serverPort()));
        QVERIFY(gateway);

        QWebSocket client;
        QSignalSpy connected(&client, &QWebSocket::connected);
        QSignalSpy texts(&client, &QWebSocket::textMessageReceived);
        QSignalSpy binaries(&client, &QWebSocket::binaryMessageReceived);
        QNetworkRequest request(QUrl(u"ws://127.0.0.1:%1/ws/lobby"_s.arg(gateway->serverPort())));
        request.setRawHeader("Sec-WebSocket-Protocol", "chat.v1");
        client.open(request);
        QVERIFY(connected.wait(5000));
        QCOMPARE(echo->path, u"/rooms/lobby"_s);   // the template parameter went upstream
        QCOMPARE(echo->header, u"chat"_s);         // and the route's header
        QCOMPARE(echo->protocol, u"chat.v1"_s);    // and the client's subprotocol request

        client.sendTextMessage(u"hello"_s);
        QVERIFY(texts.wait(5000));
        QCOMPARE(texts.at(0).at(0).toString(), u"echo:hello"_s);

        // 3 MB in one frame: more than the tunnel's back-pressure threshold, arrives whole.
        QByteArray big(3 * 1024 * 1024, Qt::Uninitialized);
        for (qsizetype i = 0; i < big.size(); ++i)
            big[i] = char(i * 31 % 251);
        client.sendBinaryMessage(big);
        QTRY_COMPARE_WITH_TIMEOUT(binaries.size(), 1, 10000);
        QCOMPARE(binaries.at(0).at(0).toByteArray(), big);

        // Many small messages in a row keep their order.
        for (int i = 0; i < 200; ++i)
            client.sendTextMessage(QString::number(i));
        QTRY_COMPARE_WITH_TIMEOUT(texts.size(), 201, 10000);
        for (int i = 0; i < 200; ++i)
            QCOMPARE(texts.at(i + 1).at(0).toString(), u"echo:"_s + QString::number(i));

        // The client closes: the upstream's connection closes too.
        client.close();
        QTRY_COMPARE_WITH_TIMEOUT(echo->disconnects, 1, 5000);
    }

    void upstreamCloseReachesTheClient()
    {
        auto echo = startEcho();
        QVERIFY(echo);
        auto gateway = startGateway(u"ws://127.0.0.1:%1/rooms/{room}"_s.arg(echo->server.serverPort()));
        QVERIFY(gateway);
        QWebSocket client;
        QSignalSpy connected(&client, &QWebSocket::connected);
        QSignalSpy disconnected(&client, &QWebSocket::disconnected);
        client.open(QUrl(u"ws://127.0.0.1:%1/ws/a"_s.arg(gateway->serverPort())));
        QVERIFY(connected.wait(5000));
        QTRY_COMPARE_WITH_TIMEOUT(echo->clients.size(), 1, 5000);
        echo->clients.constFirst()->close(QWebSocketProtocol::CloseCodeGoingAway, u"bye"_s);
        QVERIFY(disconnected.wait(5000));
        QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
        QCOMPARE(client.closeReason(), u"bye"_s);
    }

    void plainRequestsAndRefusals()
    {
        // An upstream that is an ordinary HTTP server refuses the upgrade: its answer is relayed.
        Http::HttpServer plain;
        plain.setHandler([](const Http::HttpRequest &) {
            return Http::HttpResponse::error(403, u"forbidden"_s, u"no sockets here"_s);
        });
        QVERIFY(plain.listen(QHostAddress::LocalHost, 0));
        auto gateway = startGateway(u"ws://127.0.0.1:%1/x"_s.arg(plain.serverPort()));
        QVERIFY(gateway);

        const QByteArray upgrade = "GET /ws/r HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        Client refused;
        QVERIFY(refused.connectTo(gateway->serverPort()));
        refused.send(upgrade);
        auto answer = refused.read(5000);
        QVERIFY(answer);
        QCOMPARE(answer->status, 403);
        QCOMPARE(answer->json().value(u"error"_s).toObject().value(u"message"_s).toString(), u"no sockets here"_s);

        // Not an upgrade at all: 426 and what to do.
        Client plainGet;
        QVERIFY(plainGet.connectTo(gateway->serverPort()));
        plainGet.send("GET /ws/r HTTP/1.1\r\nHost: a\r\n\r\n");
        answer = plainGet.read(5000);
        QVERIFY(answer);
        QCOMPARE(answer->status, 426);
        QCOMPARE(answer->header("upgrade"), QByteArray("websocket"));

        // Nobody listening upstream: 502, not a hang.
        quint16 dead = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            dead = probe.serverPort();
        }
        auto deadGateway = startGateway(u"ws://127.0.0.1:%1/x"_s.arg(dead));
        QVERIFY(deadGateway);
        Client toDead;
        QVERIFY(toDead.connectTo(deadGateway->serverPort()));
        toDead.send(upgrade);
        answer = toDead.read(5000);
        QVERIFY(answer);
        QCOMPARE(answer->status, 502);
    }
};

QTEST_GUILESS_MAIN(TestWebSocket)
#include "tst_websocket.moc"
