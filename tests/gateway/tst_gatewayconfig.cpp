// Route documents compiled for the gateway: the sample project, defaults, and every problem
// reported with its file and pointer.

#include "gateway/gatewayconfig.h"
#include "mapping/mappingrunner.h"
#include "model/project.h"
#include "model/projectloader.h"

#include <QJsonDocument>
#include <QTest>

#include "testsupport.h"

using namespace Conflux;
using namespace Conflux::Gateway;
using namespace Qt::StringLiterals;

namespace {

Model::Route routeDocument(const QByteArray &json)
{
    Model::Route r;
    r.document.kind = Model::DocumentKind::Route;
    r.document.json = QJsonDocument::fromJson(json).object();
    r.document.id = r.document.json.value(u"id"_s).toString();
    r.document.file = u"routes/%1.json"_s.arg(r.document.id);
    return r;
}

} // namespace

class TestGatewayConfig : public QObject
{
    Q_OBJECT

private slots:
    void sampleProject()
    {
        const Model::LoadResult loaded = Model::ProjectLoader().loadFolder(Test::sampleFolder());
        QVERIFY(loaded.isOk());
        // Without its lookup tables the mapping a route's response rules run cannot compile.
        auto noTables = GatewayConfig::fromProject(*loaded.project);
        QVERIFY(!noTables);
        QVERIFY2(noTables.error().details.join(u'\n').contains(u"mappings/shop-order-to-erp.json: /rules/5/table"_s),
                 qPrintable(noTables.error().details.join(u'\n')));
        auto config = GatewayConfig::fromProject(*loaded.project,
                                                 Mapping::tablesInFolder(Test::sampleFolder() + u"/tables"_s));
        VERIFY_OK(config);
        QCOMPARE((*config)->routes.size(), loaded.project->routes.size());
        const GatewayRoute *orders = nullptr;
        for (const GatewayRoute &r : (*config)->routes) {
            if (r.id == u"orders-api")
                orders = &r;
        }
        QVERIFY(orders);
        QCOMPARE(orders->authentication.type, u"jwt"_s);
        QCOMPARE(orders->authentication.requiredScopes, QStringList{u"orders.read"_s});
        QVERIFY(orders->pool.circuitBreaker);
        QCOMPARE(orders->pool.breaker.halfOpenMaxCalls, 3);
        QCOMPARE(orders->pool.breaker.openMs, 30000);
        QCOMPARE(orders->timeoutMs, 15000);
        QCOMPARE(orders->responseTransform.size(), 1); // response_mapping
        QVERIFY(orders->requestTransform.isEmpty());
        QCOMPARE(orders->retryAttempts, 2);
        QVERIFY(orders->caching);
        QCOMPARE(orders->cacheTtlMs, 30000);
        QVERIFY(orders->rateLimit);
        QCOMPARE(orders->rateLimit->requests, 100);
        QCOMPARE(orders->rateLimit->burst, 50);
        QCOMPARE(orders->rateLimitKey, u"subject"_s);
        QCOMPARE(orders->requestHeaders.size(), 1);
        QCOMPARE(orders->requestHeaders.first().name, "X-Source"_ba);
        // The compiled table answers the sample's paths.
        // Versioned by path: served under /v1.
        QCOMPARE((*config)->table->lookup("GET", "/api/orders/42").status, 404);
        const RouteLookup hit = (*config)->table->lookup("GET", "/v1/api/orders/42");
        QVERIFY(hit.match);
        QCOMPARE((*config)->routes.at(hit.match->route).id, u"orders-api"_s);
        QCOMPARE(hit.match->params.value(u"id"_s), u"42"_s);
        const RouteLookup soap = (*config)->table->lookup("GET", "/soap/partner");
        QCOMPARE(soap.status, 405);
    }

    void defaults()
    {
        Model::Project project;
        project.routes.append(routeDocument("{\"id\": \"plain\", \"path\": \"/p\", \"method\": \"GET\","
            " \"upstream_url\": \"http://127.0.0.1:9000\"}"));
        auto config = GatewayConfig::fromProject(project);
        VERIFY_OK(config);
        const GatewayRoute &r = (*config)->routes.first();
        QCOMPARE(r.protocol, u"REST"_s);
        QCOMPARE(r.timeoutMs, 30000);
        QCOMPARE(r.retryAttempts, 0);
        QVERIFY(!r.pool.circuitBreaker);
        QCOMPARE(r.pool.balancing, UpstreamPoolSettings::Balancing::RoundRobin);
        QCOMPARE(r.authentication.type, u"none"_s);
        QVERIFY(!r.rateLimit);
        QVERIFY(!r.caching);
        QCOMPARE(r.targets.size(), 1);
        QCOMPARE(r.targets.first().url.port(), 9000);
    }

    void weightedUpstreamsAndVersions()
    {
        Model::Project project;
        project.routes.append(routeDocument("{\"id\": \"v2\", \"path\": \"/orders\", \"method\": \"GET\","
            " \"version\": \"v2\", \"deprecated\": true, \"sunset\": \"2027-06-30T00:00:00Z\","
            " \"load_balancing\": \"least_connections\","
            " \"upstreams\": [{\"url\": \"http://10.0.0.1:80\", \"weight\": 3}, {\"url\": \"https://10.0.0.2\"}]}"));
        auto config = GatewayConfig::fromProject(project);
        VERIFY_OK(config);
        const GatewayRoute &r = (*config)->routes.first();
        QCOMPARE(r.targets.size(), 2);
        QCOMPARE(r.targets.at(0).weight, 3);
        QCOMPARE(r.targets.at(1).weight, 1);
        QCOMPARE(r.pool.balancing, UpstreamPoolSettings::Balancing::LeastConnections);
        // A version without "versioning" is served under its path.
        const RouteLookup hit = (*config)->table->lookup("GET", "/v2/orders");
        QVERIFY(hit.match);
        QCOMPARE(hit.match->responseHeaders.size(), 2);
    }

    void problems_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::addRow("upstream not http")
            << "{\"id\": \"r\", \"path\": \"/x\", \"method\": \"GET\", \"upstream_url\": \"ftp://h/x\"}"_ba
            << u"routes/r.json:/upstream_url: \"ftp://h/x\" is not an http(s) URL with a host"_s;
        QTest::addRow("upstream without host")
            << "{\"id\": \"r\", \"path\": \"/x\", \"method\": \"GET\", \"upstreams\": [{\"url\": \"http:///x\"}]}"_ba
            << u"routes/r.json:/upstreams/0/url:"_s;
        QTest::addRow("websocket upstream on a REST route")
            << "{\"id\": \"r\", \"path\": \"/x\", \"method\": \"GET\", \"upstream_url\": \"ws://h/x\"}"_ba
            << u"routes/r.json:/upstream_url:"_s;
        QTest::addRow("breaker settings without the breaker")
            << "{\"id\": \"r\", \"path\": \"/x\", \"method\": \"GET\", \"upstream_url\": \"http://h\","
            " \"circuit_breaker\": {\"failure_threshold\": 2}}"_ba
            << u"routes/r.json:/circuit_breaker: settings given but circuit_breaker_enabled is not true"_s;
        QTest::addRow("jwt without jwks")
            << "{\"id\": \"r\", \"path\": \"/x\", \"method\": \"GET\", \"upstream_url\": \"http://h\","
            " \"authentication\": {\"type\": \"jwt\", \"issuer\": \"https://idp\", \"audience\": \"api\"}}"_ba
            << u"routes/r.json:/authentication/jwks_url:"_s;
        QTest::addRow("jwt without audience")
            << "{\"id\": \"r\", \"path\": \"/x\", \"method\": \"GET\", \"upstream_url\": \"http://h\","
            " \"authentication\": {\"type\": \"jwt\", \"issuer\": \"https://idp\", \"jwks_url\": \"https://idp/jwks\"}}"_ba
            << u"routes/r.json:/authentication/audience:"_s;
        QTest::addRow("bad sunset")
            << "{\"id\": \"r\", \"path\": \"/x\", \"method\": \"GET\", \"upstream_url\": \"http://h\", \"sunset\": \"soon\"}"_ba
            << u"routes/r.json:/sunset: not a date-time"_s;
        QTest::addRow("bad path")
            << "{\"id\": \"r\", \"path\": \"/a/*/b\", \"method\": \"GET\", \"upstream_url\": \"http://h\"}"_ba
            << u"route r (/a/*/b): \"*\" may only end the path"_s;
    }

    void problems()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        Model::Project project;
        project.routes.append(routeDocument("{\"id\": \"fine\", \"path\": \"/ok\", \"method\": \"GET\","
            " \"upstream_url\": \"http://127.0.0.1:9000\"}"));
        project.routes.append(routeDocument(json));
        auto config = GatewayConfig::fromProject(project);
        QVERIFY(!config);
        QCOMPARE(config.error().code, u"gateway_invalid_routes"_s);
        QCOMPARE(config.error().details.size(), 1);
        QVERIFY2(config.error().details.first().startsWith(expected), qPrintable(config.error().details.first()));
    }

    void everyProblemIsReported()
    {
        Model::Project project;
        project.routes.append(routeDocument("{\"id\": \"a\", \"path\": \"/a\", \"method\": \"GET\", \"upstream_url\": \"ftp://x\"}"));
        project.routes.append(routeDocument("{\"id\": \"b\", \"path\": \"/b\", \"method\": \"GET\", \"upstream_url\": \"http://h\","
            " \"cache_ttl_seconds\": 5}"));
        project.routes.append(routeDocument("{\"id\": \"c\", \"path\": \"/a\", \"method\": \"GET\", \"upstream_url\": \"http://h\"}"));
        auto config = GatewayConfig::fromProject(project);
        QVERIFY(!config);
        QCOMPARE(config.error().details.size(), 3);
    }
};

QTEST_GUILESS_MAIN(TestGatewayConfig)
#include "tst_gatewayconfig.moc"
