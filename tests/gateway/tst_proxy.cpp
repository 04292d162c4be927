// The gateway's proxy between a raw-socket client and Conflux HttpServers standing in for
// upstreams: forwarding, header hygiene, tracing, retries, timeouts, circuit breaking.

#include "gateway/gatewayconfig.h"
#include "gateway/httpserver.h"
#include "gateway/proxy.h"
#include "model/project.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>

#include "httptestclient.h"
#include "testsupport.h"

using namespace Conflux;
using namespace Conflux::Gateway;
using namespace Conflux::Http;
using namespace Conflux::Test;
using namespace Qt::StringLiterals;

namespace {

// An upstream that answers with what it received, as JSON.
HttpResponse mirror(const HttpRequest &request, const QByteArray &name)
{
    QJsonObject headers;
    for (const auto &[n, v] : request.headers) {
        const QString key = QString::fromLatin1(n.toLower());
        headers.insert(key, headers.contains(key) ? headers.value(key).toString() + u" | "_s + QString::fromLatin1(v)
                                                  : QString::fromLatin1(v));
    }
    HttpResponse response = HttpResponse::json(200, QJsonObject{{u"upstream"_s, QString::fromLatin1(name)},
                                                                {u"method"_s, QString::fromLatin1(request.method)},
                                                                {u"target"_s, QString::fromLatin1(request.target)},
                                                                {u"body"_s, QString::fromUtf8(request.body)},
                                                                {u"headers"_s, headers}});
    response.addHeader("Set-Cookie", "a=1; Path=/");
    response.addHeader("Set-Cookie", "b=2; Path=/");
    response.addHeader("Keep-Alive", "timeout=99");
    response.addHeader("X-Upstream", name);
    return response;
}

Model::Route routeDocument(const QJsonObject &json)
{
    Model::Route r;
    r.document.kind = Model::DocumentKind::Route;
    r.document.json = json;
    r.document.id = json.value(u"id"_s).toString();
    r.document.file = u"routes/%1.json"_s.arg(r.document.id);
    return r;
}

quint16 closedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort(); // closed when probe goes
}

} // namespace

class TestProxy : public QObject
{
    Q_OBJECT

private:
    // A gateway serving `routes` on a free port.
    struct Gateway
    {
        HttpServer server;
        Proxy proxy;
    };
    std::unique_ptr<Gateway> gateway(const QList<QJsonObject> &routes)
    {
        Model::Project project;
        for (const QJsonObject &r : routes)
            project.routes.append(routeDocument(r));
        auto config = GatewayConfig::fromProject(project);
        if (!config) {
            qWarning("%s", qPrintable(config.error().toString()));
            return nullptr;
        }
        auto g = std::make_unique<Gateway>();
        g->proxy.setRuntime(std::make_shared<GatewayRuntime>(*config));
        Proxy *proxy = &g->proxy;
        g->server.setAsyncHandler([proxy](const HttpRequest &request, HttpResponder responder) {
            proxy->handle(request, std::move(responder));
        });
        if (!g->server.listen(QHostAddress::LocalHost, 0))
            return nullptr;
        return g;
    }
    static QString url(const HttpServer &server, const QString &path = {})
    {
        return u"http://127.0.0.1:%1%2"_s.arg(server.serverPort()).arg(path);
    }

private slots:
    void forwardsWithCleanHeaders()
    {
        HttpServer upstream;
        upstream.setHandler([](const HttpRequest &r) { return mirror(r, "one"); });
        QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
        auto g = gateway({QJsonObject{{u"id"_s, u"items"_s}, {u"path"_s, u"/api/items/{id}"_s}, {u"method"_s, u"*"_s},
                                      {u"upstream_url"_s, url(upstream, u"/items/{id}"_s)},
                                      {u"transformation_rules"_s,
                                       QJsonObject{{u"request_headers"_s, QJsonObject{{u"X-Source"_s, u"conflux"_s}}},
                                                   {u"response_headers"_s, QJsonObject{{u"X-Served-By"_s, u"gw"_s}}},
                                                   {u"remove_request_headers"_s, QJsonArray{u"X-Internal"_s}}}}}});
        QVERIFY(g);
        const QByteArray trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        auto answer = exchange(g->server.serverPort(),
                               "GET /api/items/a%20b?x=1&y=%2F HTTP/1.1\r\nHost: gw.example\r\n"
                               "Connection: keep-alive, X-Secret\r\nX-Secret: s\r\nKeep-Alive: timeout=5\r\n"
                               "TE: trailers\r\nX-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\n"
                               "X-Custom: a\r\nX-Custom: b\r\nX-Internal: no\r\n"
                               "traceparent: 00-" + trace + "-00f067aa0ba902b7-01\r\n\r\n");
        QVERIFY(answer);
        QCOMPARE(answer->status, 200);
        const QJsonObject seen = answer->json();
        QCOMPARE(seen.value(u"target"_s).toString(), u"/items/a%20b?x=1&y=%2F"_s);
        const QJsonObject h = seen.value(u"headers"_s).toObject();
        for (const char *gone : {"x-secret", "keep-alive", "te", "forwarded", "x-internal"})
            QVERIFY2(!h.contains(QLatin1String(gone)), gone);
        QCOMPARE(h.value(u"x-forwarded-for"_s).toString(), u"127.0.0.1"_s);
        QCOMPARE(h.value(u"x-forwarded-host"_s).toString(), u"gw.example"_s);
        QCOMPARE(h.value(u"x-forwarded-proto"_s).toString(), u"http"_s);
        QCOMPARE(h.value(u"x-custom"_s).toString(), u"a, b"_s);
        QCOMPARE(h.value(u"x-source"_s).toString(), u"conflux"_s);
        QCOMPARE(h.value(u"x-request-id"_s).toString().toLatin1(), answer->header("x-request-id"));
        const QList<QByteArray> parent = h.value(u"traceparent"_s).toString().toLatin1().split('-');
        QCOMPARE(parent.size(), 4);
        QCOMPARE(parent[1], trace);                   // the caller's trace
        QVERIFY(parent[2] != "00f067aa0ba902b7");     // our own span
        // The upstream's answer: its hop-by-hop fields gone, cookies kept apart.
        QCOMPARE(answer->header("x-upstream"), "one"_ba);
        QCOMPARE(answer->header("x-served-by"), "gw"_ba);
        QVERIFY(answer->header("keep-alive").isEmpty());
        QCOMPARE(answer->values("set-cookie"), (QList<QByteArray>{"a=1; Path=/", "b=2; Path=/"}));
    }

    void newTraceWhenNoneOrInvalid()
    {
        HttpServer upstream;
        upstream.setHandler([](const HttpRequest &r) { return mirror(r, "one"); });
        QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
        auto g = gateway({QJsonObject{{u"id"_s, u"r"_s}, {u"path"_s, u"/x"_s}, {u"method"_s, u"GET"_s},
                                      {u"upstream_url"_s, url(upstream)}}});
        QVERIFY(g);
        for (const QByteArray &incoming : {QByteArray(), "traceparent: 00-00000000000000000000000000000000-00f067aa0ba902b7-01\r\n"_ba,
                                           "traceparent: garbage\r\n"_ba}) {
            auto answer = exchange(g->server.serverPort(), "GET /x HTTP/1.1\r\nHost: a\r\n" + incoming + "\r\n");
            QVERIFY(answer);
            const QByteArray tp = answer->json().value(u"headers"_s).toObject().value(u"traceparent"_s).toString().toLatin1();
            QVERIFY2(QRegularExpression(u"^00-[0-9a-f]{32}-[0-9a-f]{16}-01$"_s).match(QString::fromLatin1(tp)).hasMatch(), tp);
            QVERIFY(!tp.contains("00000000000000000000000000000000"));
        }
    }

    void prefixRoutesAndBodies()
    {
        HttpServer upstream;
        upstream.setHandler([](const HttpRequest &r) { return mirror(r, "files"); });
        QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
        auto g = gateway({QJsonObject{{u"id"_s, u"files"_s}, {u"path"_s, u"/files/*"_s}, {u"method"_s, u"*"_s},
                                      {u"upstream_url"_s, url(upstream, u"/store"_s)}}});
        QVERIFY(g);
        auto answer = exchange(g->server.serverPort(),
                               "PUT /files/docs/report.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
        QVERIFY(answer);
        QCOMPARE(answer->json().value(u"target"_s).toString(), u"/store/docs/report.txt"_s);
        QCOMPARE(answer->json().value(u"method"_s).toString(), u"PUT"_s);
        QCOMPARE(answer->json().value(u"body"_s).toString(), u"hello"_s);
        // Chunked from the client: de-chunked, sent with a length.
        answer = exchange(g->server.serverPort(), "POST /files/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                                                  "3\r\nabc\r\n0\r\n\r\n");
        QVERIFY(answer);
        QCOMPARE(answer->json().value(u"body"_s).toString(), u"abc"_s);
        QVERIFY(!answer->json().value(u"headers"_s).toObject().contains(u"transfer-encoding"_s));
    }

    void transformsBothWays()
    {
        HttpServer upstream;
        upstream.setHandler([](const HttpRequest &r) { return mirror(r, "t"); });
        QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
        const QJsonObject rules{
            {u"request"_s, QJsonArray{QJsonObject{{u"type"_s, u"jsonata"_s},
                                                  {u"expression"_s, u"{\"sku\": item.code, \"qty\": $number(n)}"_s}}}},
            {u"response"_s, QJsonArray{QJsonObject{{u"type"_s, u"field_mapping"_s},
                                                   {u"mappings"_s, QJsonObject{{u"sent"_s, u"body"_s}, {u"via"_s, u"method"_s}}}},
                                       QJsonObject{{u"type"_s, u"headers"_s}, {u"add"_s, QJsonObject{{u"X-Shaped"_s, u"yes"_s}}}}}}};
        auto g = gateway({QJsonObject{{u"id"_s, u"t"_s}, {u"path"_s, u"/t"_s}, {u"method"_s, u"POST"_s},
                                      {u"upstream_url"_s, url(upstream, u"/t"_s)}, {u"transformation_rules"_s, rules}}});
        QVERIFY(g);
        const QByteArray body = "{\"item\": {\"code\": \"A-1\"}, \"n\": \"3\"}";
        auto answer = exchange(g->server.serverPort(), "POST /t HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                                                       "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QVERIFY(answer);
        QCOMPARE(answer->status, 200);
        QCOMPARE(answer->header("x-shaped"), QByteArray("yes"));
        // The upstream received the mapped request; the client gets the mapped response.
        const QJsonObject json = answer->json();
        QCOMPARE(json.keys(), (QStringList{u"sent"_s, u"via"_s}));
        QCOMPARE(json.value(u"via"_s).toString(), u"POST"_s);
        QCOMPARE(QJsonDocument::fromJson(json.value(u"sent"_s).toString().toUtf8()).object(),
                 (QJsonObject{{u"sku"_s, u"A-1"_s}, {u"qty"_s, 3}}));

        // A request body the rules cannot read is the client's error, and nothing goes upstream.
        answer = exchange(g->server.serverPort(), "POST /t HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nnot");
        QVERIFY(answer);
        QCOMPARE(answer->status, 400);
        QCOMPARE(answer->json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"transform_failed"_s);
        QVERIFY(answer->json().value(u"error"_s).toObject().value(u"message"_s).toString().contains(u"/transformation_rules/request/0"_s));
    }

    void failedResponseTransformIsBadGateway()
    {
        HttpServer upstream;
        upstream.setHandler([](const HttpRequest &) { return HttpResponse(200, "<not json", "text/plain"); });
        QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
        const QJsonObject rules{{u"response_mapping"_s, u"m"_s}};
        Model::Project project;
        Model::Mapping mapping;
        mapping.document.id = u"m"_s;
        mapping.document.json = QJsonObject{{u"kind"_s, u"Mapping"_s}, {u"schemaVersion"_s, 2}, {u"id"_s, u"m"_s},
                                            {u"rules"_s, QJsonArray{QJsonObject{{u"type"_s, u"expression"_s}, {u"target"_s, u"x"_s}, {u"expression"_s, u"a"_s}}}}};
        project.mappings.append(mapping);
        project.routes.append(routeDocument({{u"id"_s, u"r"_s}, {u"path"_s, u"/r"_s}, {u"method"_s, u"GET"_s},
                                             {u"upstream_url"_s, url(upstream, u"/"_s)}, {u"transformation_rules"_s, rules}}));
        auto config = GatewayConfig::fromProject(project);
        QVERIFY2(config, qPrintable(config ? QString() : config.error().toString()));
        QCOMPARE((*config)->routes[0].responseTransform.size(), 1);
        HttpServer server;
        Proxy proxy;
        proxy.setRuntime(std::make_shared<GatewayRuntime>(*config));
        server.setAsyncHandler([&proxy](const HttpRequest &request, HttpResponder responder) {
            proxy.handle(request, std::move(responder));
        });
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        auto answer = exchange(server.serverPort(), "GET /r HTTP/1.1\r\nHost: a\r\n\r\n");
        QVERIFY(answer);
        QCOMPARE(answer->status, 502);
        QCOMPARE(answer->json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"transform_failed"_s);

        // A rule naming a mapping the project lacks is a deployment problem, named.
        Model::Project missing;
        missing.routes.append(routeDocument({{u"id"_s, u"r"_s}, {u"path"_s, u"/r"_s}, {u"method"_s, u"GET"_s},
                                             {u"upstream_url"_s, url(upstream, u"/"_s)}, {u"transformation_rules"_s, rules}}));
        auto bad = GatewayConfig::fromProject(missing);
        QVERIFY(!bad);
        QVERIFY2(bad.error().details.join(u'\n').contains(u"routes/r.json:/transformation_rules/response/0/mapping"_s),
                 qPrintable(bad.error().details.join(u'\n')));
    }

    void graphqlDepthLimit()
    {
        HttpServer upstream;
        upstream.setHandler([](const HttpRequest &r) { return mirror(r, "gql"); });
        QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
        auto g = gateway({QJsonObject{{u"id"_s, u"gql"_s}, {u"path"_s, u"/graphql"_s}, {u"method"_s, u"*"_s},
                                      {u"protocol"_s, u"GraphQL"_s}, {u"graphql"_s, QJsonObject{{u"max_depth"_s, 2}}},
                                      {u"upstream_url"_s, url(upstream, u"/graphql"_s)}}});
        QVERIFY(g);
        const auto post = [&](const QByteArray &query) {
            const QByteArray body = QJsonDocument(QJsonObject{{u"query"_s, QString::fromUtf8(query)}}).toJson(QJsonDocument::Compact);
            return exchange(g->server.serverPort(), "POST /graphql HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                                                    "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        };
        auto answer = post("{ order(id: \"1\") { id } }");
        QVERIFY(answer);
        QCOMPARE(answer->status, 200);
        QCOMPARE(answer->json().value(u"upstream"_s).toString(), u"gql"_s); // passed through as sent
        QVERIFY(answer->json().value(u"body"_s).toString().contains(u"order(id"_s));

        answer = post("{ order(id: \"1\") { customer { name } } }");
        QVERIFY(answer);
        QCOMPARE(answer->status, 400);
        QCOMPARE(answer->json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"graphql_too_deep"_s);

        answer = post("{ order( }");
        QVERIFY(answer);
        QCOMPARE(answer->status, 400);
        QCOMPARE(answer->json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"graphql_invalid"_s);

        answer = exchange(g->server.serverPort(), "GET /graphql?query=mutation%20%7B%20cancel%20%7D HTTP/1.1\r\nHost: a\r\n\r\n");
        QVERIFY(answer);
        QCOMPARE(answer->status, 405);
        QCOMPARE(answer->header("allow"), QByteArray("POST"));
    }

    void soapPassthrough()
    {
        HttpServer upstream;
        upstream.setHandler([](const HttpRequest &r) {
            HttpResponse fault(500, "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
                                    "<soap:Fault><faultcode>soap:Server</faultcode><faultstring>"
                                    + r.header("soapaction") + "</faultstring></soap:Fault></soap:Body></soap:Envelope>",
                               "text/xml; charset=utf-8");
            return fault;
        });
        QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
        auto g = gateway({QJsonObject{{u"id"_s, u"soap"_s}, {u"path"_s, u"/soap"_s}, {u"method"_s, u"*"_s},
                                      {u"protocol"_s, u"SOAP"_s}, {u"upstream_url"_s, url(upstream, u"/svc"_s)}}});
        QVERIFY(g);
        const QByteArray envelope = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body/></soap:Envelope>";
        auto answer = exchange(g->server.serverPort(),
                               "POST /soap HTTP/1.1\r\nHost: a\r\nContent-Type: text/xml; charset=utf-8\r\nSOAPAction: \"urn:Cancel\"\r\n"
                               "Content-Length: " + QByteArray::number(envelope.size()) + "\r\n\r\n" + envelope);
        QVERIFY(answer);
        // The fault and its status come back as the upstream sent them; SOAPAction went through.
        QCOMPARE(answer->status, 500);
        QVERIFY(answer->body.contains("<faultstring>\"urn:Cancel\"</faultstring>"));
        QVERIFY(answer->header("content-type").startsWith("text/xml"));

        answer = exchange(g->server.serverPort(), "POST /soap HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                                                  "Content-Length: 2\r\n\r\n{}");
        QVERIFY(answer);
        QCOMPARE(answer->status, 415);
    }

    void routingAnswers()
    {
        auto g = gateway({QJsonObject{{u"id"_s, u"r"_s}, {u"path"_s, u"/only-get"_s}, {u"method"_s, u"GET"_s},
                                      {u"upstream_url"_s, u"http://127.0.0.1:1"_s}}});
        QVERIFY(g);
        auto answer = exchange(g->server.serverPort(), "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n");
        QVERIFY(answer);
        QCOMPARE(answer->status, 404);
        QCOMPARE(answer->json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"not_found"_s);
        answer = exchange(g->server.serverPort(), "DELETE /only-get HTTP/1.1\r\nHost: a\r\n\r\n");
        QVERIFY(answer);
        QCOMPARE(answer->status, 405);
        QCOMPARE(answer->header("allow"), "GET, HEAD"_ba);
    }

    // A refused connection is retried on the other target for GET; a POST is not retried.
    void retriesIdempotentOnly()
    {
        HttpServer upstream;
        int hits = 0;
        upstream.setHandler([&](const HttpRequest &r) {
            ++hits;
            return mirror(r, "live");
        });
        QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
        const QString dead = u"http://127.0.0.1:%1"_s.arg(closedPort());
        auto g = gateway({QJsonObject{{u"id"_s, u"r"_s}, {u"path"_s, u"/x"_s}, {u"method"_s, u"*"_s},
                                      {u"retry_attempts"_s, 1},
                                      {u"upstreams"_s, QJsonArray{QJsonObject{{u"url"_s, dead}}, QJsonObject{{u"url"_s, url(upstream)}}}}}});
        QVERIFY(g);
        int ok = 0, failed = 0;
        for (int i = 0; i < 4; ++i) {
            auto answer = exchange(g->server.serverPort(), "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            QVERIFY(answer);
            QCOMPARE(answer->status, 200); // the dead target's turns are retried on the live one
            ++ok;
        }
        QCOMPARE(hits, 4);
        for (int i = 0; i < 2; ++i) {
            auto answer = exchange(g->server.serverPort(), "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx");
            QVERIFY(answer);
            if (answer->status == 502) {
                ++failed;
                QCOMPARE(answer->json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"upstream_unavailable"_s);
            }
        }
        QCOMPARE(failed, 1); // round-robin: one of the two POSTs met the dead target
        QCOMPARE(ok, 4);
    }

    void slowUpstreamTimesOut()
    {
        HttpServer upstream;
        std::optional<HttpResponder> never;
        upstream.setAsyncHandler([&](const HttpRequest &, HttpResponder responder) { never = responder; });
        QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
        auto g = gateway({QJsonObject{{u"id"_s, u"slow"_s}, {u"path"_s, u"/x"_s}, {u"method"_s, u"GET"_s},
                                      {u"timeout_seconds"_s, 0.3}, {u"upstream_url"_s, url(upstream)}}});
        QVERIFY(g);
        auto answer = exchange(g->server.serverPort(), "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        QVERIFY(answer);
        QCOMPARE(answer->status, 504);
        QCOMPARE(answer->json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"upstream_timeout"_s);
    }

    // After failure_threshold failures the circuit opens: 503 at once, the upstream untouched.
    void openCircuitAnswersAtOnce()
    {
        HttpServer upstream;
        int hits = 0;
        upstream.setHandler([&](const HttpRequest &) {
            ++hits;
            return HttpResponse::text(503, u"down"_s);
        });
        QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
        auto g = gateway({QJsonObject{{u"id"_s, u"cb"_s}, {u"path"_s, u"/x"_s}, {u"method"_s, u"GET"_s},
                                      {u"upstream_url"_s, url(upstream)}, {u"circuit_breaker_enabled"_s, true},
                                      {u"circuit_breaker"_s, QJsonObject{{u"failure_threshold"_s, 2}, {u"timeout_seconds"_s, 30}}}}});
        QVERIFY(g);
        for (int i = 0; i < 2; ++i) {
            auto answer = exchange(g->server.serverPort(), "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            QVERIFY(answer);
            QCOMPARE(answer->status, 503); // the upstream's own answer, passed through
            QCOMPARE(answer->body, "down"_ba);
        }
        auto answer = exchange(g->server.serverPort(), "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        QVERIFY(answer);
        QCOMPARE(answer->status, 503);
        QCOMPARE(answer->json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"circuit_open"_s);
        QVERIFY(answer->header("retry-after").toInt() >= 29);
        QCOMPARE(hits, 2);
    }
};

QTEST_GUILESS_MAIN(TestProxy)
#include "tst_proxy.moc"
