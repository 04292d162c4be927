#pragma once

#include "base/result.h"
#include "store/storeconfig.h"

#include <QHostAddress>
#include <QObject>
#include <QString>

class QTimer;

#include <atomic>
#include <memory>
#include <mutex>

namespace Conflux::Broker {
class EmbeddedBroker;
class MessageBroker;
class MessageRouter;
class ProjectConsumers;
}
namespace Conflux::Gateway {
class GatewayServer;
class HealthChecker;
struct GatewayServices;
}
namespace Conflux::Http {
class HttpServer;
}
namespace Conflux::Security {
class ApiKeyStore;
}
namespace Conflux::Model {
class Project;
class ProjectLoader;
}
namespace Conflux::Store {
class StateStore;
}

namespace Conflux {
class MetricsRegistry;
}

namespace Conflux::Runtime {

class AdminApi;
class BrokerApi;
class EndpointApi;
class GatewayApi;
class ProjectDeployment;
class ProjectEndpoints;
class SyncApi;
class SyncJobs;
class SyncScheduler;

struct NodeOptions
{
    QString projectFolder;          // empty: run the active deployed version from the store
    QString dataFolder;             // required: state.db, broker.db and other node files live here
    QHostAddress adminAddress = QHostAddress::LocalHost;
    quint16 adminPort = 8081;       // 0: an ephemeral port (tests; the studio's local engine)
    QString tlsCertificateFile;     // both set: the admin API speaks HTTPS
    QString tlsPrivateKeyFile;
    QString storeUrl;               // empty: SQLite in dataFolder; postgres://user@host:port/db[?schema=s]
    QString credentialsFolder;      // secrets for nodes; see Security::nodeSecretResolver
    // This node's name in the state store: the holder of sync leases and the node of sync runs.
    // Empty: the host name, ":" and the admin port (computed at start). Nodes sharing a store
    // need different names; a node keeps its name across restarts so that it can mark the runs
    // it left "running" when it died as interrupted.
    QString nodeName;
    int drainTimeoutMs = 10'000;
    // The API gateway: the project's routes.
    bool gatewayEnabled = true;
    QHostAddress gatewayAddress = QHostAddress::LocalHost;
    quint16 gatewayPort = 8080;     // 0: an ephemeral port
    int gatewayThreads = 0;         // event loops; 0: one per core
    int gatewayMaxConnections = 10'000;
    QString gatewayTlsCertificateFile; // both set: the gateway speaks HTTPS
    QString gatewayTlsPrivateKeyFile;
    // PEM CA certificates for mutual TLS: clients are asked for a certificate (not required);
    // routes of type mtls accept only certificates these CAs issued. Needs the TLS files.
    QString gatewayClientCaFile;
};

// One engine host: the state store, the active project, metrics and the admin API. The
// headless node (`conflux --no-gui`) and the studio's local engine both run a Node.
//
// Lifecycle: start() → running → stop() (drains the admin server, closes the store) →
// stopped (emits stopped()). start() can be called again after stopped.
// Threading: a Node lives on the thread that created it, which must run an event loop.
class Node final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Node)

public:
    enum class State { Stopped, Running, Stopping };
    Q_ENUM(State)

    explicit Node(QObject *parent = nullptr);
    ~Node() override;

    // Errors: "invalid_options", store errors ("store_*"), "project_invalid" (every error of
    // the project folder in details), "tls_*", "listen_failed".
    Result<void> start(const NodeOptions &options);
    void stop();

    State state() const { return m_state; }
    quint16 adminPort() const;
    QString adminUrl() const;
    quint16 gatewayPort() const;
    QString gatewayUrl() const;     // empty when the gateway is not enabled
    std::shared_ptr<const Model::Project> project() const;
    Store::StateStore *store() const { return m_store.get(); }
    // The embedded broker (queues of the active project), while running.
    Broker::MessageBroker *broker() const;
    MetricsRegistry &metrics() const { return *m_metrics; }
    // The connectors of the active project's endpoints (every protocol, the built-in catalog,
    // queues on the embedded broker), while running.
    const ProjectEndpoints *endpoints() const { return m_endpoints.get(); }
    // The active project's sync jobs, ready to run (rebuilt on each deploy or reload); null
    // while stopped or without a project. Any thread; a redeploy does not disturb the jobs
    // (and runners) a caller already holds.
    std::shared_ptr<const SyncJobs> syncJobs() const;
    // NodeOptions::nodeName, or the name computed at start.
    QString nodeName() const { return m_nodeName; }

    static Result<Store::StoreConfig> storeConfig(const NodeOptions &options);

Q_SIGNALS:
    void stateChanged(Conflux::Runtime::Node::State state);
    void projectChanged();
    void stopped();

private:
    void setState(State state);
    void finishStop();
    void declareQueues();
    void deployGateway();
    void deploySyncJobs();
    void reloadApiKeys();
    void maybeFinishStop();

    State m_state = State::Stopped;
    NodeOptions m_options;
    std::unique_ptr<MetricsRegistry> m_metrics;
    std::unique_ptr<Model::ProjectLoader> m_loader;
    std::unique_ptr<Store::StateStore> m_store;
    std::unique_ptr<Broker::EmbeddedBroker> m_broker;
    std::unique_ptr<Broker::MessageRouter> m_router; // the active project's routing rules
    std::unique_ptr<Broker::ProjectConsumers> m_consumers; // its webhook consumers, running
    std::unique_ptr<ProjectEndpoints> m_endpoints; // uses m_broker
    std::unique_ptr<BrokerApi> m_brokerApi;
    std::unique_ptr<AdminApi> m_adminApi;
    std::unique_ptr<EndpointApi> m_endpointApi; // its workers report to m_adminApi
    ProjectDeployment *m_deployment = nullptr;  // child
    Http::HttpServer *m_adminServer = nullptr;  // child
    Gateway::GatewayServer *m_gateway = nullptr; // child
    std::unique_ptr<Gateway::GatewayServices> m_gatewayServices;
    std::unique_ptr<Gateway::HealthChecker> m_healthChecker; // of the deployed routes
    std::shared_ptr<Security::ApiKeyStore> m_apiKeys;
    std::unique_ptr<GatewayApi> m_gatewayApi;
    QString m_apiKeysJson;           // what was last loaded from the store
    QTimer *m_apiKeyTimer = nullptr; // child
    int m_draining = 0;              // servers still draining
    QString m_nodeName;
    mutable std::mutex m_syncJobsMutex;
    std::shared_ptr<const SyncJobs> m_syncJobs; // guarded by m_syncJobsMutex
    // Runs the scheduled, polling and event-driven jobs of m_syncJobs.
    std::unique_ptr<SyncScheduler> m_syncScheduler;
    // Declared after the store, the endpoints and the admin API, so destroyed before them: its
    // runs use the first two and report to the third.
    std::unique_ptr<SyncApi> m_syncApi;
    std::shared_ptr<std::atomic<bool>> m_accessLog = std::make_shared<std::atomic<bool>>(true);
};

} // namespace Conflux::Runtime
