// The gateway's HTTP/1.1 upstream client: against Conflux's own HttpServer for ordinary
// exchanges, and against a raw QTcpServer scripted byte by byte for framing, errors and the
// connection pool's edge cases.

#include <base/log.h>
#include <gateway/httpserver.h>
#include <gateway/upstreamclient.h>

#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QProcess>
#include <QScopeGuard>
#include <QSslCertificate>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

using Conflux::Result;
using Conflux::Gateway::UpstreamClient;
using Conflux::Gateway::UpstreamRequest;
using Conflux::Gateway::UpstreamResponse;
using Conflux::Http::HttpRequest;
using Conflux::Http::HttpResponse;
using Conflux::Http::HttpServer;

using namespace Qt::StringLiterals;

namespace {

// What one send() produced.
struct Outcome
{
    int calls = 0;
    std::optional<Result<UpstreamResponse>> result;

    bool isOk() const { return result && result->isOk(); }
    QString code() const { return result && !result->isOk() ? result->error().code : QString(); }
    QString message() const { return result && !result->isOk() ? result->error().message : QString(); }
    const UpstreamResponse &response() const { return result->value(); }
};

UpstreamClient::Done capture(const std::shared_ptr<Outcome> &outcome)
{
    return [outcome](Result<UpstreamResponse> result) {
        ++outcome->calls;
        outcome->result.emplace(std::move(result));
    };
}

UpstreamRequest request(const QString &url, const QByteArray &method = "GET", const QByteArray &body = {})
{
    UpstreamRequest r;
    r.url = QUrl(url);
    r.method = method;
    r.body = body;
    r.timeoutMs = 10000;
    return r;
}

// Sends and waits for `done`; the outcome has no result when it never came.
std::shared_ptr<Outcome> exchange(UpstreamClient &client, UpstreamRequest r, int waitMs = 10000)
{
    // A real event loop rather than QTest::qWaitFor(), which sleeps between its polls.
    auto outcome = std::make_shared<Outcome>();
    QEventLoop loop;
    QPointer<QEventLoop> guard(&loop);
    QTimer::singleShot(waitMs, &loop, &QEventLoop::quit);
    client.send(std::move(r), [outcome, guard](Result<UpstreamResponse> result) {
        capture(outcome)(std::move(result));
        if (guard)
            guard->quit();
    });
    if (outcome->calls == 0)
        loop.exec();
    return outcome; // the caller checks outcome->calls
}

// Takes one request (head and Content-Length body) off the front of `buffer`.
std::optional<QByteArray> takeRequest(QByteArray &buffer)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return std::nullopt;
    qsizetype length = 0;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    for (const QByteArray &line : lines) {
        if (line.toLower().startsWith("content-length:"))
            length = line.mid(15).trimmed().toLongLong();
    }
    if (buffer.size() < end + 4 + length)
        return std::nullopt;
    QByteArray out = buffer.left(end + 4 + length);
    buffer.remove(0, end + 4 + length);
    return out;
}

// A raw TCP upstream. For every request received complete on a connection, `script` is
// called with the connection's index (in accept order), the request's index on that
// connection and the request bytes; it answers through write(), close() or not at all.
class ScriptedUpstream
{
public:
    struct Peer
    {
        QPointer<QTcpSocket> socket;
        QByteArray buffer;
        int index = 0;
        int requests = 0;
    };
    using Script = std::function<void(ScriptedUpstream &, Peer &, const QByteArray &request)>;

    explicit ScriptedUpstream(Script script) : m_script(std::move(script))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
                auto peer = std::make_shared<Peer>();
                peer->socket = socket;
                peer->index = m_accepted++;
                m_peers.append(peer);
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, peer] { readMore(*peer); });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, [this] { ++m_closedByClient; });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }

    QString url(const QString &path = u"/"_s) const
    {
        return u"http://127.0.0.1:%1%2"_s.arg(m_server.serverPort()).arg(path);
    }
    QString where() const { return u"127.0.0.1:%1"_s.arg(m_server.serverPort()); }
    int accepted() const { return m_accepted; }
    int closedByClient() const { return m_closedByClient; }
    QList<QByteArray> requests() const { return m_requests; }

    // Writes `bytes` at once, or one byte per millisecond with a flush after each, so that the
    // client sees them in many reads; then closes the connection when asked.
    void write(Peer &peer, const QByteArray &bytes, bool split, bool closeAfter = false)
    {
        QPointer<QTcpSocket> socket = peer.socket;
        if (!socket)
            return;
        if (!split) {
            socket->write(bytes);
            socket->flush();
            if (closeAfter)
                socket->disconnectFromHost();
            return;
        }
        auto *timer = new QTimer(socket);
        auto offset = std::make_shared<qsizetype>(0);
        QObject::connect(timer, &QTimer::timeout, socket, [socket, timer, bytes, offset, closeAfter] {
            if (*offset < bytes.size()) {
                socket->write(bytes.mid((*offset)++, 1));
                socket->flush();
                return;
            }
            timer->deleteLater();
            if (closeAfter)
                socket->disconnectFromHost();
        });
        timer->start(1);
    }

private:
    void readMore(Peer &peer)
    {
        peer.buffer += peer.socket->readAll();
        while (peer.socket) {
            std::optional<QByteArray> r = takeRequest(peer.buffer);
            if (!r)
                break;
            m_requests.append(*r);
            ++peer.requests;
            m_script(*this, peer, *r);
        }
    }

    QTcpServer m_server;
    Script m_script;
    QList<std::shared_ptr<Peer>> m_peers;
    QList<QByteArray> m_requests;
    int m_accepted = 0;
    int m_closedByClient = 0;
};

// Answers every request with `response`.
ScriptedUpstream::Script always(const QByteArray &response, bool split = false, bool closeAfter = false)
{
    return [=](ScriptedUpstream &upstream, ScriptedUpstream::Peer &peer, const QByteArray &) {
        upstream.write(peer, response, split, closeAfter);
    };
}

const QByteArray okResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

HttpResponse echo(const HttpRequest &r)
{
    HttpResponse response(200, r.method + ' ' + r.target + (r.body.isEmpty() ? QByteArray() : ' ' + r.body), "text/plain");
    response.setReasonPhrase("Fine");
    response.setHeader("X-Seen-Header", r.header("x-test"));
    return response;
}

QString makeCertificate(const QString &certFile, const QString &keyFile)
{
    QProcess openssl;
    openssl.start(u"openssl"_s, {u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
                                 u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s, u"-subj"_s, u"/CN=localhost"_s,
                                 u"-addext"_s, u"subjectAltName=DNS:localhost"_s, u"-days"_s, u"1"_s,
                                 u"-keyout"_s, keyFile, u"-out"_s, certFile});
    if (!openssl.waitForFinished(60000))
        return u"openssl did not finish: "_s + openssl.errorString();
    if (openssl.exitStatus() != QProcess::NormalExit || openssl.exitCode() != 0)
        return QString::fromLocal8Bit(openssl.readAllStandardError());
    return {};
}

} // namespace

class tst_UpstreamClient : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void exchangesWithHttpServer();
    void requestOnTheWire();
    void keepAliveReusesOneConnection();
    void concurrentRequestsUseManyConnections();
    void connectionLimitQueuesRequests();
    void maxIdlePerHost();
    void idleTimeoutClosesConnections();
    void responseFraming_data();
    void responseFraming();
    void malformedResponses_data();
    void malformedResponses();
    void serverClosesIdleConnection();
    void reusedConnectionClosedIsRetried_data();
    void reusedConnectionClosedIsRetried();
    void timeout();
    void connectionRefused();
    void hostNames();
    void invalidRequestFailsLater();
    void cancel();
    void cancelWaitingRequest();
    void tls();
    void throughput();
};

void tst_UpstreamClient::initTestCase()
{
    Conflux::Log::install();
}

void tst_UpstreamClient::exchangesWithHttpServer()
{
    HttpServer server;
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());
    const QString base = u"http://127.0.0.1:%1"_s.arg(server.serverPort());

    UpstreamClient client;
    UpstreamRequest get = request(base + u"/items/a%20b?q=x%26y&z=1"_s);
    get.headers.append("X-Test", "one");
    auto first = exchange(client, get);
    QCOMPARE(first->calls, 1);
    QVERIFY2(first->isOk(), qPrintable(first->message()));
    QCOMPARE(first->response().status, 200);
    QCOMPARE(first->response().reason, QByteArray("Fine"));
    QCOMPARE(first->response().version, QByteArray("HTTP/1.1"));
    QCOMPARE(first->response().body, QByteArray("GET /items/a%20b?q=x%26y&z=1"));
    QCOMPARE(first->response().headers.value("x-seen-header"), QByteArray("one"));
    QCOMPARE(first->response().headers.value("content-type"), QByteArray("text/plain"));

    auto post = exchange(client, request(base + u"/post"_s, "POST", "payload"));
    QVERIFY2(post->isOk(), qPrintable(post->message()));
    QCOMPARE(post->response().body, QByteArray("POST /post payload"));

    auto missing = exchange(client, request(base + u"/nothing"_s, "DELETE"));
    QVERIFY(missing->isOk());
    QCOMPARE(missing->response().status, 200); // the echo answers everything

    QCOMPARE(client.openConnections(), 1);
    QCOMPARE(client.idleConnections(), 1);
    QCOMPARE(server.connectionCount(), 1);
}

void tst_UpstreamClient::requestOnTheWire()
{
    ScriptedUpstream upstream(always(okResponse));
    UpstreamClient client;

    UpstreamRequest get = request(upstream.url(u"/a%20b/%C3%A9?x=1%202&y"_s));
    get.headers.append("X-One", "1");
    get.headers.append("Content-Length", "99");    // the client frames the body itself
    get.headers.append("X-Bad", "split\r\nX-Evil: 1"); // dropped, not sent
    get.headers.append("X-One", "2");
    QVERIFY(exchange(client, get)->isOk());

    UpstreamRequest post = request(upstream.url(u"/post"_s), "POST", "body!");
    post.headers.append("Host", "example.org");
    QVERIFY(exchange(client, post)->isOk());

    QVERIFY(exchange(client, request(upstream.url(u"/empty"_s), "POST"))->isOk());

    const QList<QByteArray> seen = upstream.requests();
    QCOMPARE(seen.size(), 3);
    const QByteArray host = "Host: " + upstream.where().toLatin1() + "\r\n";
    QCOMPARE(seen[0], "GET /a%20b/%C3%A9?x=1%202&y HTTP/1.1\r\n" + host + "X-One: 1\r\nX-One: 2\r\n\r\n");
    QCOMPARE(seen[1], QByteArray("POST /post HTTP/1.1\r\nHost: example.org\r\nContent-Length: 5\r\n\r\nbody!"));
    QCOMPARE(seen[2], "POST /empty HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n");
}

void tst_UpstreamClient::keepAliveReusesOneConnection()
{
    ScriptedUpstream upstream(always(okResponse));
    UpstreamClient client;
    for (int i = 0; i < 100; ++i) {
        auto outcome = exchange(client, request(upstream.url(u"/n/%1"_s.arg(i))));
        QVERIFY2(outcome->isOk(), qPrintable(u"request %1: %2"_s.arg(i).arg(outcome->message())));
        QCOMPARE(outcome->response().body, QByteArray("ok"));
    }
    QCOMPARE(upstream.accepted(), 1);
    QCOMPARE(upstream.requests().size(), 100);
    QCOMPARE(client.openConnections(), 1);
    QCOMPARE(client.idleConnections(), 1);
}

void tst_UpstreamClient::concurrentRequestsUseManyConnections()
{
    HttpServer server;
    Conflux::Http::HttpServerOptions options;
    options.accessLog = false;
    server.setOptions(options);
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());

    UpstreamClient client;
    QList<std::shared_ptr<Outcome>> outcomes;
    for (int i = 0; i < 200; ++i) {
        outcomes.append(std::make_shared<Outcome>());
        client.send(request(u"http://127.0.0.1:%1/r/%2"_s.arg(server.serverPort()).arg(i)), capture(outcomes.back()));
    }
    QCOMPARE(client.openConnections(), 200); // nothing idle to reuse: one connection each
    QVERIFY(QTest::qWaitFor([&] { return std::all_of(outcomes.begin(), outcomes.end(), [](const auto &o) { return o->calls > 0; }); },
                            20000));
    for (int i = 0; i < 200; ++i) {
        QCOMPARE(outcomes[i]->calls, 1);
        QVERIFY2(outcomes[i]->isOk(), qPrintable(outcomes[i]->message()));
        QCOMPARE(outcomes[i]->response().body, u"GET /r/%1"_s.arg(i).toLatin1());
    }
    QCOMPARE(client.idleConnections(), 200);

    // A second wave reuses them.
    auto again = exchange(client, request(u"http://127.0.0.1:%1/again"_s.arg(server.serverPort())));
    QVERIFY(again->isOk());
    QCOMPARE(client.openConnections(), 200);
}

void tst_UpstreamClient::connectionLimitQueuesRequests()
{
    ScriptedUpstream upstream(always(okResponse));
    UpstreamClient::Options options;
    options.maxConnectionsPerHost = 4;
    UpstreamClient client(options);
    QList<std::shared_ptr<Outcome>> outcomes;
    for (int i = 0; i < 50; ++i) {
        outcomes.append(std::make_shared<Outcome>());
        client.send(request(upstream.url()), capture(outcomes.back()));
    }
    QCOMPARE(client.openConnections(), 4);
    int most = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            most = std::max(most, client.openConnections());
            return std::all_of(outcomes.begin(), outcomes.end(), [](const auto &o) { return o->calls > 0; });
        },
        10000));
    for (const auto &outcome : outcomes)
        QVERIFY2(outcome->isOk(), qPrintable(outcome->message()));
    QCOMPARE(most, 4);
    QCOMPARE(upstream.accepted(), 4);
    QCOMPARE(upstream.requests().size(), 50);
}

void tst_UpstreamClient::maxIdlePerHost()
{
    ScriptedUpstream upstream(always(okResponse));
    UpstreamClient::Options options;
    options.maxIdlePerHost = 2;
    UpstreamClient client(options);
    QList<std::shared_ptr<Outcome>> outcomes;
    for (int i = 0; i < 5; ++i) {
        outcomes.append(std::make_shared<Outcome>());
        client.send(request(upstream.url()), capture(outcomes.back()));
    }
    QVERIFY(QTest::qWaitFor([&] { return std::all_of(outcomes.begin(), outcomes.end(), [](const auto &o) { return o->calls > 0; }); },
                            10000));
    QCOMPARE(upstream.accepted(), 5);
    QCOMPARE(client.idleConnections(), 2);
    QCOMPARE(client.openConnections(), 2);
    QTRY_COMPARE(upstream.closedByClient(), 3);
}

void tst_UpstreamClient::idleTimeoutClosesConnections()
{
    ScriptedUpstream upstream(always(okResponse));
    UpstreamClient::Options options;
    options.idleTimeoutMs = 100;
    UpstreamClient client(options);
    QVERIFY(exchange(client, request(upstream.url()))->isOk());
    QCOMPARE(client.idleConnections(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(client.openConnections(), 0, 3000);
    QCOMPARE(client.idleConnections(), 0);
    QTRY_COMPARE(upstream.closedByClient(), 1);
    QVERIFY(exchange(client, request(upstream.url()))->isOk());
    QCOMPARE(upstream.accepted(), 2);
}

void tst_UpstreamClient::responseFraming_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<bool>("closeAfter");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("reusable");
    QTest::addColumn<bool>("split");

    struct Row
    {
        const char *name;
        QByteArray method, wire;
        bool closeAfter;
        int status;
        QByteArray body;
        bool reusable;
    };
    const Row rows[] = {
        {"content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, 200, "hello", true},
        {"chunked with extensions and trailers", "GET",
         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6 ; name=\"v\" ;x\r\n world\r\n"
         "A\r\n0123456789\r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n",
         false, 200, "hello world0123456789", true},
        {"chunked without trailers", "POST", "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
         false, 201, "abc", true},
        {"close-delimited", "GET", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", true, 200,
         "until the end", false},
        {"interim responses first", "POST",
         "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
         "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok",
         false, 202, "ok", true},
        {"HEAD with Content-Length", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", false, 200, "", true},
        {"204", "DELETE", "HTTP/1.1 204 No Content\r\n\r\n", false, 204, "", true},
        {"304 with Content-Length", "GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nETag: \"x\"\r\n\r\n", false,
         304, "", true},
        {"empty reason without its space", "GET", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false, 200, "", true},
        {"Connection: close", "GET", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", true, 200, "ok",
         false},
        {"HTTP/1.0 without keep-alive", "GET", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false, 200, "ok", false},
        {"HTTP/1.0 with keep-alive", "GET", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok",
         false, 200, "ok", true},
        {"repeated equal Content-Length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok", false, 200, "ok",
         true},
    };
    for (const Row &row : rows) {
        for (const bool split : {false, true}) {
            QTest::addRow("%s/%s", row.name, split ? "byte by byte" : "whole")
                << row.method << row.wire << row.closeAfter << row.status << row.body << row.reusable << split;
        }
    }
}

void tst_UpstreamClient::responseFraming()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, wire);
    QFETCH(bool, closeAfter);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, reusable);
    QFETCH(bool, split);

    ScriptedUpstream upstream(always(wire, split, closeAfter));
    UpstreamClient client;
    auto outcome = exchange(client, request(upstream.url(), method, method == "POST" ? "data" : ""));
    QCOMPARE(outcome->calls, 1);
    QVERIFY2(outcome->isOk(), qPrintable(outcome->message()));
    QCOMPARE(outcome->response().status, status);
    QCOMPARE(outcome->response().body, body);
    QCOMPARE(client.idleConnections(), reusable ? 1 : 0);
    QCOMPARE(client.openConnections(), reusable ? 1 : 0);

    if (wire.contains("X-Trailer")) {
        QVERIFY(!outcome->response().headers.contains("x-trailer")); // trailers are discarded
        QCOMPARE(outcome->response().headers.value("transfer-encoding"), QByteArray("chunked"));
    }
    if (method == "HEAD")
        QCOMPARE(outcome->response().headers.value("content-length"), QByteArray("1234"));

    // The next exchange works, on the same connection when it was kept.
    auto next = exchange(client, request(upstream.url(), method, method == "POST" ? "data" : ""));
    QVERIFY2(next->isOk(), qPrintable(next->message()));
    QCOMPARE(next->response().body, body);
    QCOMPARE(upstream.accepted(), reusable ? 1 : 2);
}

void tst_UpstreamClient::malformedResponses_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<bool>("closeAfter");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("mentions");

    const QString protocol = u"upstream_protocol_error"_s;
    const QString reset = u"upstream_reset"_s;
    QTest::addRow("bad status code") << QByteArray("HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n") << false << protocol
                                     << u"status line"_s;
    QTest::addRow("not HTTP") << QByteArray("ICY 200 OK\r\n\r\n") << false << protocol << u"status line"_s;
    QTest::addRow("HTTP/2 status line") << QByteArray("HTTP/2 200 OK\r\n\r\n") << false << protocol << u"status line"_s;
    QTest::addRow("status 600") << QByteArray("HTTP/1.1 600 Odd\r\n\r\n") << false << protocol << u"status line"_s;
    QTest::addRow("bad chunk size") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
                                    << false << protocol << u"chunk size"_s;
    QTest::addRow("chunk data without CRLF")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n0\r\n\r\n") << false << protocol
        << u"CRLF"_s;
    QTest::addRow("huge chunk size")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n") << false << protocol
        << u"chunk size"_s;
    QTest::addRow("Content-Length and Transfer-Encoding")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        << false << protocol << u"both"_s;
    QTest::addRow("chunked not last")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n") << false << protocol << u"chunked"_s;
    QTest::addRow("conflicting Content-Length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok")
                                                << false << protocol << u"Content-Length"_s;
    QTest::addRow("negative Content-Length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n") << false
                                             << protocol << u"Content-Length"_s;
    QTest::addRow("obs-fold") << QByteArray("HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n") << false
                              << protocol << u"obs-fold"_s;
    QTest::addRow("space before colon") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n") << false << protocol
                                        << u"malformed"_s;
    QTest::addRow("control character in value") << QByteArray("HTTP/1.1 200 OK\r\nX-A: a\x01" "b\r\n\r\n") << false
                                                << protocol << u"control"_s;
    QTest::addRow("bare LF") << QByteArray("HTTP/1.1 200 OK\nContent-Length: 0\n\n") << false << protocol << u"LF"_s;
    QTest::addRow("header section over 64 KiB")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(70 * 1024, 'a') + "\r\n\r\n") << false << protocol
        << u"larger than"_s;
    QTest::addRow("many fields over 64 KiB")
        << QByteArray("HTTP/1.1 200 OK\r\n" + QByteArray("X-Field: 0123456789012345678901234567890123456789\r\n").repeated(2000))
        << false << protocol << u"larger than"_s;
    QTest::addRow("101 unasked") << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n") << false << protocol
                                 << u"101"_s;
    QTest::addRow("Content-Length over the limit") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n") << false
                                                   << protocol << u"limit"_s;
    QTest::addRow("chunked over the limit")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + QByteArray("800\r\n" + QByteArray(2048, 'x') + "\r\n").repeated(3) + "0\r\n\r\n")
        << false << protocol << u"limit"_s;
    QTest::addRow("close-delimited over the limit") << QByteArray("HTTP/1.1 200 OK\r\n\r\n" + QByteArray(5000, 'x')) << true
                                                    << protocol << u"limit"_s;
    QTest::addRow("truncated body") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf") << true << reset
                                    << u"closed"_s;
    QTest::addRow("truncated chunked body") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
                                            << true << reset << u"closed"_s;
    QTest::addRow("truncated header") << QByteArray("HTTP/1.1 200 OK\r\nContent-") << true << reset << u"closed"_s;
    QTest::addRow("closed without a byte") << QByteArray() << true << reset << u"closed"_s;
}

void tst_UpstreamClient::malformedResponses()
{
    QFETCH(QByteArray, wire);
    QFETCH(bool, closeAfter);
    QFETCH(QString, code);
    QFETCH(QString, mentions);

    ScriptedUpstream upstream(always(wire, false, closeAfter));
    UpstreamClient::Options options;
    options.maxResponseBytes = 4096;
    UpstreamClient client(options);
    auto outcome = exchange(client, request(upstream.url()));
    QCOMPARE(outcome->calls, 1);
    QVERIFY(!outcome->isOk());
    QCOMPARE(outcome->code(), code);
    QVERIFY2(outcome->message().contains(upstream.where()), qPrintable(outcome->message()));
    QVERIFY2(outcome->message().contains(mentions), qPrintable(outcome->message()));
    QCOMPARE(client.openConnections(), 0);
    QCOMPARE(upstream.accepted(), 1); // a fresh connection is not retried
    QTRY_COMPARE(upstream.closedByClient(), 1);
}

void tst_UpstreamClient::serverClosesIdleConnection()
{
    // The server answers, then closes the kept-alive connection while it is idle.
    ScriptedUpstream upstream([](ScriptedUpstream &u, ScriptedUpstream::Peer &peer, const QByteArray &) {
        u.write(peer, okResponse, false);
        QPointer<QTcpSocket> socket = peer.socket;
        QTimer::singleShot(50, socket, [socket] { socket->disconnectFromHost(); });
    });
    UpstreamClient client;
    QVERIFY(exchange(client, request(upstream.url()))->isOk());
    QCOMPARE(client.idleConnections(), 1);
    QTRY_COMPARE(client.openConnections(), 0); // noticed while idle
    QCOMPARE(client.idleConnections(), 0);
    auto next = exchange(client, request(upstream.url()));
    QVERIFY2(next->isOk(), qPrintable(next->message()));
    QCOMPARE(upstream.accepted(), 2);
}

void tst_UpstreamClient::reusedConnectionClosedIsRetried_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<bool>("retried");
    QTest::addRow("GET") << QByteArray("GET") << true;
    QTest::addRow("PUT") << QByteArray("PUT") << true;
    QTest::addRow("DELETE") << QByteArray("DELETE") << true;
    QTest::addRow("POST is not") << QByteArray("POST") << false;
    QTest::addRow("PATCH is not") << QByteArray("PATCH") << false;
}

void tst_UpstreamClient::reusedConnectionClosedIsRetried()
{
    QFETCH(QByteArray, method);
    QFETCH(bool, retried);

    // The first connection answers its first request, then closes on the second one without
    // a byte of response, as a server does whose keep-alive timeout struck just then.
    ScriptedUpstream upstream([](ScriptedUpstream &u, ScriptedUpstream::Peer &peer, const QByteArray &) {
        if (peer.index == 0 && peer.requests == 2)
            peer.socket->disconnectFromHost();
        else
            u.write(peer, okResponse, false);
    });
    UpstreamClient client;
    QVERIFY(exchange(client, request(upstream.url(), method, "x"))->isOk());
    QCOMPARE(client.idleConnections(), 1);
    auto second = exchange(client, request(upstream.url(), method, "x"));
    QCOMPARE(second->calls, 1);
    if (retried) {
        QVERIFY2(second->isOk(), qPrintable(second->message()));
        QCOMPARE(second->response().body, QByteArray("ok"));
        QCOMPARE(upstream.accepted(), 2);
        QCOMPARE(upstream.requests().size(), 3);
    } else {
        QCOMPARE(second->code(), u"upstream_reset"_s);
        QVERIFY(second->message().contains(upstream.where()));
        QCOMPARE(upstream.accepted(), 1);
        QCOMPARE(upstream.requests().size(), 2);
    }
}

void tst_UpstreamClient::timeout()
{
    ScriptedUpstream upstream([](ScriptedUpstream &, ScriptedUpstream::Peer &, const QByteArray &) {}); // never answers
    UpstreamClient client;
    UpstreamRequest r = request(upstream.url());
    r.timeoutMs = 200;
    QElapsedTimer clock;
    clock.start();
    auto outcome = exchange(client, r, 5000);
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(outcome->calls, 1);
    QCOMPARE(outcome->code(), u"upstream_timeout"_s);
    QVERIFY2(outcome->message().contains(upstream.where()), qPrintable(outcome->message()));
    QVERIFY2(outcome->message().contains(u"200 ms"_s), qPrintable(outcome->message()));
    QVERIFY2(elapsed >= 190 && elapsed < 3000, qPrintable(QString::number(elapsed)));
    QCOMPARE(client.openConnections(), 0);
    QTRY_COMPARE(upstream.closedByClient(), 1); // the timeout closed the connection
    QTest::qWait(100);
    QCOMPARE(outcome->calls, 1);

    // The deadline covers the wait for a free connection too.
    UpstreamClient::Options options;
    options.maxConnectionsPerHost = 1;
    UpstreamClient limited(options);
    auto first = std::make_shared<Outcome>();
    limited.send(request(upstream.url()), capture(first));
    UpstreamRequest queued = request(upstream.url());
    queued.timeoutMs = 150;
    auto second = exchange(limited, queued, 5000);
    QCOMPARE(second->code(), u"upstream_timeout"_s);
    QVERIFY2(second->message().contains(u"free connection"_s), qPrintable(second->message()));
    QCOMPARE(first->calls, 0);
    QCOMPARE(limited.openConnections(), 1);
}

void tst_UpstreamClient::connectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    UpstreamClient client;
    auto outcome = std::make_shared<Outcome>();
    client.send(request(u"http://127.0.0.1:%1/"_s.arg(port)), capture(outcome));
    QCOMPARE(outcome->calls, 0); // never from inside send()
    QTRY_COMPARE(outcome->calls, 1);
    QCOMPARE(outcome->code(), u"upstream_connect_failed"_s);
    QVERIFY2(outcome->message().contains(u"127.0.0.1:%1"_s.arg(port)), qPrintable(outcome->message()));
    QCOMPARE(client.openConnections(), 0);
}

void tst_UpstreamClient::hostNames()
{
    // The server listens on IPv4 only; "localhost" may resolve to ::1 first, which refuses,
    // and the client goes on to the next address.
    HttpServer server;
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());
    UpstreamClient client;
    auto named = exchange(client, request(u"http://localhost:%1/by-name"_s.arg(server.serverPort())));
    QVERIFY2(named->isOk(), qPrintable(named->message()));
    QCOMPARE(named->response().body, QByteArray("GET /by-name"));
    QCOMPARE(client.openConnections(), 1);

    // A name that does not resolve fails the exchange, from the event loop, naming the host.
    auto unknown = std::make_shared<Outcome>();
    client.send(request(u"http://no-such-host.invalid:8080/"_s), capture(unknown));
    QCOMPARE(unknown->calls, 0);
    QTRY_COMPARE_WITH_TIMEOUT(unknown->calls, 1, 15000);
    QCOMPARE(unknown->code(), u"upstream_connect_failed"_s);
    QVERIFY2(unknown->message().contains(u"no-such-host.invalid:8080"_s), qPrintable(unknown->message()));
    QCOMPARE(client.openConnections(), 1); // the localhost connection, idle
}

void tst_UpstreamClient::invalidRequestFailsLater()
{
    UpstreamClient client;
    auto badScheme = std::make_shared<Outcome>();
    client.send(request(u"ftp://127.0.0.1/x"_s), capture(badScheme));
    auto badMethod = std::make_shared<Outcome>();
    client.send(request(u"http://127.0.0.1/x"_s, "GET /evil"), capture(badMethod));
    QCOMPARE(badScheme->calls, 0);
    QCOMPARE(badMethod->calls, 0);
    QTRY_COMPARE(badScheme->calls, 1);
    QTRY_COMPARE(badMethod->calls, 1);
    QCOMPARE(badScheme->code(), u"upstream_protocol_error"_s);
    QVERIFY(badScheme->message().contains(u"ftp://127.0.0.1/x"_s));
    QCOMPARE(badMethod->code(), u"upstream_protocol_error"_s);
    QVERIFY(badMethod->message().contains(u"method"_s));
    QCOMPARE(client.openConnections(), 0);
}

void tst_UpstreamClient::cancel()
{
    ScriptedUpstream upstream([](ScriptedUpstream &, ScriptedUpstream::Peer &, const QByteArray &) {}); // never answers
    UpstreamClient client;

    // While waiting for the response.
    auto waiting = std::make_shared<Outcome>();
    UpstreamClient::Handle handle = client.send(request(upstream.url()), capture(waiting));
    QVERIFY(handle.isActive());
    QTRY_COMPARE(upstream.requests().size(), 1);
    handle.cancel();
    QVERIFY(!handle.isActive());
    QCOMPARE(client.openConnections(), 0);
    QTRY_COMPARE(upstream.closedByClient(), 1);

    // Before the connection is even made.
    auto early = std::make_shared<Outcome>();
    UpstreamClient::Handle earlyHandle = client.send(request(upstream.url()), capture(early));
    earlyHandle.cancel();
    QCOMPARE(client.openConnections(), 0);

    QTest::qWait(200);
    QCOMPARE(waiting->calls, 0);
    QCOMPARE(early->calls, 0);
    handle.cancel(); // again: harmless
    UpstreamClient::Handle().cancel();

    // Destroying the client ends its exchanges without calling `done`.
    auto orphan = std::make_shared<Outcome>();
    UpstreamClient::Handle orphanHandle;
    {
        UpstreamClient shortLived;
        orphanHandle = shortLived.send(request(upstream.url()), capture(orphan));
        QTRY_COMPARE(upstream.requests().size(), 2);
    }
    QVERIFY(!orphanHandle.isActive());
    orphanHandle.cancel();
    QTRY_COMPARE(upstream.closedByClient(), 2);
    QCOMPARE(orphan->calls, 0);
}

void tst_UpstreamClient::cancelWaitingRequest()
{
    ScriptedUpstream upstream([](ScriptedUpstream &u, ScriptedUpstream::Peer &peer, const QByteArray &r) {
        if (!r.startsWith("GET /slow"))
            u.write(peer, okResponse, false);
    });
    UpstreamClient::Options options;
    options.maxConnectionsPerHost = 1;
    UpstreamClient client(options);
    auto slow = std::make_shared<Outcome>();
    UpstreamClient::Handle slowHandle = client.send(request(upstream.url(u"/slow"_s)), capture(slow));
    auto queued = std::make_shared<Outcome>();
    UpstreamClient::Handle queuedHandle = client.send(request(upstream.url(u"/queued"_s)), capture(queued));
    auto after = std::make_shared<Outcome>();
    client.send(request(upstream.url(u"/after"_s)), capture(after));
    QTRY_COMPARE(upstream.requests().size(), 1);
    queuedHandle.cancel();
    slowHandle.cancel(); // frees the only connection slot for /after
    QTRY_COMPARE(after->calls, 1);
    QVERIFY2(after->isOk(), qPrintable(after->message()));
    QCOMPARE(upstream.requests().size(), 2);
    QVERIFY(upstream.requests().at(1).startsWith("GET /after "));
    QCOMPARE(slow->calls, 0);
    QCOMPARE(queued->calls, 0);
}

void tst_UpstreamClient::tls()
{
    if (!QSslSocket::supportsSsl())
        QFAIL("Qt has no TLS backend here");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString certFile = dir.filePath(u"cert.pem"_s);
    const QString keyFile = dir.filePath(u"key.pem"_s);
    const QString failure = makeCertificate(certFile, keyFile);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    const auto serverTls = HttpServer::loadTlsConfiguration(certFile, keyFile);
    QVERIFY2(serverTls.isOk(), qPrintable(serverTls.isOk() ? QString() : serverTls.error().message));

    HttpServer server;
    server.setTlsConfiguration(*serverTls);
    server.setHandler(echo);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0).isOk());
    const QString url = u"https://localhost:%1/secure"_s.arg(server.serverPort());

    // The default configuration does not trust a self-signed certificate.
    UpstreamClient strict;
    auto refused = exchange(strict, request(url));
    QCOMPARE(refused->calls, 1);
    QCOMPARE(refused->code(), u"upstream_connect_failed"_s);
    QVERIFY2(refused->message().contains(u"localhost:%1"_s.arg(server.serverPort())), qPrintable(refused->message()));
    QCOMPARE(strict.openConnections(), 0);

    UpstreamClient::Options options;
    options.tls.setCaCertificates(QSslCertificate::fromPath(certFile));
    UpstreamClient trusting(options);
    for (int i = 0; i < 3; ++i) {
        auto outcome = exchange(trusting, request(url, "POST", "over tls"));
        QVERIFY2(outcome->isOk(), qPrintable(outcome->message()));
        QCOMPARE(outcome->response().body, QByteArray("POST /secure over tls"));
    }
    QCOMPARE(trusting.openConnections(), 1);
    QCOMPARE(server.connectionCount(), 1);
}

void tst_UpstreamClient::throughput()
{
    // Printed, not asserted: requests/s of this client and of QNetworkAccessManager, one at a
    // time, against an HttpServer on its own thread.
    const int count = qEnvironmentVariableIsSet("CONFLUX_UPSTREAM_BENCH_REQUESTS")
        ? qEnvironmentVariableIntValue("CONFLUX_UPSTREAM_BENCH_REQUESTS")
        : 20000;
    QThread serverThread;
    serverThread.start();
    QObject anchor;
    anchor.moveToThread(&serverThread);
    HttpServer *server = nullptr;
    quint16 port = 0;
    QMetaObject::invokeMethod(
        &anchor,
        [&] {
            server = new HttpServer;
            Conflux::Http::HttpServerOptions options;
            options.accessLog = false;
            server->setOptions(options);
            server->setHandler([](const HttpRequest &) { return HttpResponse(200, "hello, bench", "text/plain"); });
            if (server->listen(QHostAddress::LocalHost, 0).isOk())
                port = server->serverPort();
        },
        Qt::BlockingQueuedConnection);
    auto stopServer = qScopeGuard([&] {
        QMetaObject::invokeMethod(&anchor, [&] { delete server; }, Qt::BlockingQueuedConnection);
        serverThread.quit();
        serverThread.wait();
    });
    QVERIFY(port != 0);
    const QUrl url(u"http://127.0.0.1:%1/bench"_s.arg(port));

    QEventLoop loop;
    QTimer::singleShot(600000, &loop, &QEventLoop::quit);
    UpstreamClient client;
    int done = 0, failed = 0;
    std::function<void()> next;
    next = [&] {
        UpstreamRequest r;
        r.url = url;
        r.method = "GET";
        client.send(r, [&](Result<UpstreamResponse> result) {
            if (!result.isOk() || result->body != "hello, bench")
                ++failed;
            if (++done < count)
                next();
            else
                loop.quit();
        });
    };
    QElapsedTimer clock;
    clock.start();
    next();
    loop.exec();
    QCOMPARE(done, count);
    const double clientRate = count * 1000.0 / std::max<qint64>(1, clock.elapsed());
    QCOMPARE(failed, 0);
    QCOMPARE(client.openConnections(), 1);

    QNetworkAccessManager network;
    int qnamDone = 0, qnamFailed = 0;
    std::function<void()> qnamNext;
    qnamNext = [&] {
        QNetworkReply *reply = network.get(QNetworkRequest(url));
        connect(reply, &QNetworkReply::finished, this, [&, reply] {
            reply->deleteLater();
            if (reply->error() != QNetworkReply::NoError || reply->readAll() != "hello, bench")
                ++qnamFailed;
            if (++qnamDone < count)
                qnamNext();
            else
                loop.quit();
        });
    };
    QTimer::singleShot(600000, &loop, &QEventLoop::quit);
    clock.restart();
    qnamNext();
    loop.exec();
    QCOMPARE(qnamDone, count);
    const double qnamRate = count * 1000.0 / std::max<qint64>(1, clock.elapsed());
    QCOMPARE(qnamFailed, 0);

    qInfo("sequential GET x%d: UpstreamClient %.0f req/s, QNetworkAccessManager %.0f req/s, ratio %.2fx", count,
          clientRate, qnamRate, clientRate / qnamRate);
}

QTEST_GUILESS_MAIN(tst_UpstreamClient)
#include "tst_upstreamclient.moc"
