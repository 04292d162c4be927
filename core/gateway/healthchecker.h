#pragma once

#include "proxy.h"

#include <QObject>

#include <memory>
#include <vector>

class QNetworkAccessManager;

namespace Conflux::Gateway {

// Active health checks of a deployed runtime: for every route with health_check enabled,
// each target gets GET <target scheme://host:port><path> every interval. A 2xx or 3xx answer
// within the timeout is a success; anything else a failure. After unhealthyThreshold
// failures in a row the target leaves the route's rotation (UpstreamPool::setHealthy(false));
// after healthyThreshold successes in a row it comes back. Targets start healthy.
//
// Threading: a QObject on the thread that created it (which needs an event loop); the pools
// it updates are thread-safe. Destroy it (or replace it with one for the next runtime) when a
// new project is deployed.
class HealthChecker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthChecker)

public:
    explicit HealthChecker(std::shared_ptr<const GatewayRuntime> runtime, QObject *parent = nullptr);
    ~HealthChecker() override;

    int checkedTargets() const { return int(m_targets.size()); }

Q_SIGNALS:
    // After a target changed state.
    void healthChanged(const QString &route, const QUrl &target, bool healthy);

private:
    struct Target;
    void probe(Target &target);

    std::shared_ptr<const GatewayRuntime> m_runtime;
    QNetworkAccessManager *m_network = nullptr;
    std::vector<std::unique_ptr<Target>> m_targets;
};

} // namespace Conflux::Gateway
