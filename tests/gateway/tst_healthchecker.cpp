// Active health checks: targets leave the rotation after failing their checks in a row and
// come back after passing them, and the pool stops choosing them meanwhile.

#include "gateway/gatewayconfig.h"
#include "gateway/healthchecker.h"
#include "gateway/httpserver.h"
#include "model/project.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <atomic>

using namespace Conflux;
using namespace Conflux::Gateway;
using namespace Conflux::Http;
using namespace Qt::StringLiterals;

class TestHealthChecker : public QObject
{
    Q_OBJECT

private:
    static std::shared_ptr<const GatewayRuntime> runtime(const QJsonObject &route)
    {
        Model::Project project;
        Model::Route r;
        r.document.kind = Model::DocumentKind::Route;
        r.document.id = route.value(u"id"_s).toString();
        r.document.json = route;
        project.routes.append(r);
        auto config = GatewayConfig::fromProject(project);
        if (!config) {
            qWarning("%s", qPrintable(config.error().toString()));
            return nullptr;
        }
        return std::make_shared<const GatewayRuntime>(*config);
    }

    static QJsonObject route(const QList<quint16> &ports, const QJsonObject &check)
    {
        QJsonArray upstreams;
        for (quint16 port : ports)
            upstreams.append(QJsonObject{{u"url"_s, u"http://127.0.0.1:%1/api"_s.arg(port)}});
        return {{u"id"_s, u"r"_s}, {u"path"_s, u"/r"_s}, {u"method"_s, u"GET"_s}, {u"upstreams"_s, upstreams},
                {u"health_check"_s, check}};
    }

    static bool healthy(const GatewayRuntime &runtime, int target)
    {
        return runtime.pool(0).state(0).value(target).healthy;
    }

private slots:
    void failingTargetLeavesAndComesBack()
    {
        std::atomic<int> status = 200;
        QStringList paths;
        HttpServer good, flaky;
        good.setHandler([](const HttpRequest &) { return HttpResponse(200, "ok"); });
        flaky.setHandler([&](const HttpRequest &request) {
            paths.append(request.path);
            return HttpResponse(status.load(), "state");
        });
        QVERIFY(good.listen(QHostAddress::LocalHost, 0));
        QVERIFY(flaky.listen(QHostAddress::LocalHost, 0));
        auto rt = runtime(route({good.serverPort(), flaky.serverPort()},
                                {{u"path"_s, u"/ping"_s}, {u"interval_seconds"_s, 0.1}, {u"timeout_seconds"_s, 0.05},
                                 {u"healthy_threshold"_s, 2}, {u"unhealthy_threshold"_s, 2}}));
        QVERIFY(rt);

        HealthChecker checker(rt);
        QCOMPARE(checker.checkedTargets(), 2);
        QSignalSpy changed(&checker, &HealthChecker::healthChanged);
        QTest::qWait(350);
        QVERIFY(changed.isEmpty()); // healthy targets stay as they were
        QVERIFY(!paths.isEmpty());
        QCOMPARE(paths.constFirst(), u"/ping"_s); // the check's path, not the target's /api

        status = 503;
        QTRY_VERIFY_WITH_TIMEOUT(!healthy(*rt, 1), 3000);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).toString(), u"r"_s);
        QCOMPARE(changed.at(0).at(2).toBool(), false);
        QVERIFY(healthy(*rt, 0));
        // Only the good target is chosen now.
        for (int i = 0; i < 10; ++i) {
            const auto choice = rt->pool(0).pick(0);
            QVERIFY(choice.pick);
            QCOMPARE(choice.pick->target, 0);
            rt->pool(0).release(*choice.pick, true, 0);
        }

        status = 200;
        QTRY_VERIFY_WITH_TIMEOUT(healthy(*rt, 1), 3000);
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.at(1).at(2).toBool(), true);
    }

    void deadTargetAndTimeoutsCount()
    {
        HttpServer slow;
        slow.setAsyncHandler([](const HttpRequest &, HttpResponder responder) {
            QTimer::singleShot(500, [responder] { responder.send(HttpResponse(200, "late")); });
        });
        QVERIFY(slow.listen(QHostAddress::LocalHost, 0));
        quint16 dead = 0;
        {
            HttpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            dead = probe.serverPort();
        }
        auto rt = runtime(route({slow.serverPort(), dead},
                                {{u"interval_seconds"_s, 0.1}, {u"timeout_seconds"_s, 0.05}, {u"unhealthy_threshold"_s, 1}}));
        QVERIFY(rt);
        HealthChecker checker(rt);
        QTRY_VERIFY_WITH_TIMEOUT(!healthy(*rt, 1), 3000); // connection refused
        QTRY_VERIFY_WITH_TIMEOUT(!healthy(*rt, 0), 3000); // answers after the timeout
        // With every target out, the pool refuses with its own reason.
        QCOMPARE(rt->pool(0).pick(0).refusal, UpstreamPool::Refusal::AllUnhealthy);
    }

    void routesWithoutChecksAreLeftAlone()
    {
        auto rt = runtime(route({1}, {{u"enabled"_s, false}}));
        QVERIFY(rt);
        HealthChecker checker(rt);
        QCOMPARE(checker.checkedTargets(), 0);
    }

    void badSettingsAreNamed()
    {
        Model::Project project;
        Model::Route r;
        r.document.kind = Model::DocumentKind::Route;
        r.document.id = u"r"_s;
        r.document.json = route({1}, {{u"path"_s, u"ping"_s}, {u"interval_seconds"_s, 1}, {u"timeout_seconds"_s, 2}});
        project.routes.append(r);
        auto config = GatewayConfig::fromProject(project);
        QVERIFY(!config);
        const QString details = config.error().details.join(u'\n');
        QVERIFY2(details.contains(u"routes/r.json:/health_check/path"_s), qPrintable(details));
        QVERIFY2(details.contains(u"/health_check/timeout_seconds"_s), qPrintable(details));
    }
};

QTEST_GUILESS_MAIN(TestHealthChecker)
#include "tst_healthchecker.moc"
