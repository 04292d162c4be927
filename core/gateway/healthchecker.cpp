#include "healthchecker.h"

#include <base/log.h>

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Conflux::Gateway {

struct HealthChecker::Target
{
    int route = -1;
    int index = -1;                  // in the route's pool
    QUrl url;                        // what is probed
    QUrl target;                     // the pool's target, for reports
    QTimer timer;
    int successes = 0, failures = 0; // in a row
    bool healthy = true;
    bool inFlight = false;
};

HealthChecker::HealthChecker(std::shared_ptr<const GatewayRuntime> runtime, QObject *parent)
    : QObject(parent)
    , m_runtime(std::move(runtime))
    , m_network(new QNetworkAccessManager(this))
{
    const QList<GatewayRoute> &routes = m_runtime->config().routes;
    for (qsizetype r = 0; r < routes.size(); ++r) {
        const HealthCheckSettings &settings = routes[r].healthCheck;
        if (!settings.enabled)
            continue;
        for (qsizetype i = 0; i < routes[r].targets.size(); ++i) {
            auto t = std::make_unique<Target>();
            t->route = int(r);
            t->index = int(i);
            t->target = routes[r].targets[i].url;
            t->url = t->target.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment);
            t->url.setPath(settings.path);
            Target *raw = t.get();
            t->timer.setInterval(int(std::clamp<qint64>(settings.intervalMs, 100, 3'600'000)));
            connect(&t->timer, &QTimer::timeout, this, [this, raw] { probe(*raw); });
            t->timer.start();
            m_targets.push_back(std::move(t));
        }
    }
    // A first round at once, so that a dead target is known before the first interval ends.
    for (const std::unique_ptr<Target> &t : m_targets) {
        Target *raw = t.get();
        QTimer::singleShot(0, this, [this, raw] { probe(*raw); });
    }
}

HealthChecker::~HealthChecker()
{
    // Probes in flight are aborted with the QNetworkAccessManager; their replies never reach
    // the targets that are going.
    for (QNetworkReply *reply : m_network->findChildren<QNetworkReply *>()) {
        reply->disconnect(this);
        reply->abort();
    }
}

void HealthChecker::probe(Target &target)
{
    if (target.inFlight)
        return;
    target.inFlight = true;
    const GatewayRoute &route = m_runtime->config().routes[target.route];
    QNetworkRequest request(target.url);
    request.setTransferTimeout(int(std::clamp<qint64>(route.healthCheck.timeoutMs, 1, 600'000)));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setRawHeader("User-Agent", "conflux-health-check");
    QNetworkReply *reply = m_network->get(request);
    Target *raw = &target;
    connect(reply, &QNetworkReply::finished, this, [this, raw, reply] {
        reply->deleteLater();
        raw->inFlight = false;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const bool ok = status >= 200 && status < 400;
        const HealthCheckSettings &settings = m_runtime->config().routes[raw->route].healthCheck;
        if (ok) {
            raw->failures = 0;
            ++raw->successes;
        } else {
            raw->successes = 0;
            ++raw->failures;
        }
        bool changed = false;
        if (raw->healthy && raw->failures >= settings.unhealthyThreshold) {
            raw->healthy = false;
            changed = true;
        } else if (!raw->healthy && raw->successes >= settings.healthyThreshold) {
            raw->healthy = true;
            changed = true;
        }
        if (!changed)
            return;
        const QString routeId = m_runtime->config().routes[raw->route].id;
        m_runtime->pool(raw->route).setHealthy(raw->index, raw->healthy);
        Log::write(raw->healthy ? QtInfoMsg : QtWarningMsg, "conflux.gateway",
                   raw->healthy ? u"upstream healthy again"_s : u"upstream unhealthy: out of rotation"_s,
                   {{u"route"_s, routeId},
                    {u"upstream"_s, raw->target.toString()},
                    {u"status"_s, status},
                    {u"error"_s, ok ? QString() : reply->errorString()}});
        Q_EMIT healthChanged(routeId, raw->target, raw->healthy);
    });
}

} // namespace Conflux::Gateway
