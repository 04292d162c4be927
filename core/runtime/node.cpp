#include "node.h"

#include "adminapi.h"
#include "brokerapi.h"
#include "endpointapi.h"
#include "projectendpoints.h"
#include "broker/embeddedbroker.h"
#include "broker/messagerouter.h"
#include "broker/projectconsumers.h"
#include "broker/projectqueues.h"
#include "base/log.h"
#include "gateway/gatewayconfig.h"
#include "gateway/gatewayserver.h"
#include "gateway/healthchecker.h"
#include "mapping/mappingrunner.h"
#include "gateway/httpserver.h"
#include "gatewayapi.h"
#include "security/apikeys.h"
#include "security/clientcertificates.h"
#include "security/passwordhash.h"
#include "base/metrics.h"
#include "model/projectloader.h"
#include "projectdeployment.h"
#include "security/secrets.h"
#include "store/statestore.h"
#include "syncapi.h"
#include "syncjobs.h"
#include "syncscheduler.h"

#include <QCoreApplication>
#include <QDir>
#include <QHostInfo>
#include <QJsonArray>
#include <QSslSocket>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Conflux::Runtime {
namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Runtime::Node)
};
} // namespace

Node::Node(QObject *parent)
    : QObject(parent)
{}

Node::~Node()
{
    if (m_state != State::Stopped) {
        delete m_adminServer;
        m_adminServer = nullptr;
        delete m_gateway; // joins its threads before the services go
        m_gateway = nullptr;
    }
}

Result<Store::StoreConfig> Node::storeConfig(const NodeOptions &options)
{
    Store::StoreConfig config;
    if (options.storeUrl.isEmpty()) {
        config.driver = Store::StoreConfig::Driver::Sqlite;
        config.sqlitePath = QDir(options.dataFolder).filePath(u"state.db"_s);
        return config;
    }
    const QUrl url(options.storeUrl, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"postgres" && url.scheme() != u"postgresql")) {
        return makeError("invalid_options",
                         Tr::tr("--store must be postgres://USER@HOST:PORT/DATABASE[?schema=NAME]; got %1")
                             .arg(options.storeUrl));
    }
    if (!url.password().isEmpty()) {
        return makeError("invalid_options",
                         Tr::tr("--store must not contain a password; provide the secret \"store.password\" "
                                "(CONFLUX_SECRET_STORE_PASSWORD or the credentials directory)"));
    }
    config.driver = Store::StoreConfig::Driver::Postgres;
    config.host = url.host();
    config.port = url.port(5432);
    config.user = url.userName();
    config.database = url.path().mid(1);
    config.postgresSchema = QUrlQuery(url).queryItemValue(u"schema"_s);
    const auto secrets = Security::nodeSecretResolver(options.credentialsFolder);
    if (Result<QString> password = secrets->resolve(u"store.password"_s))
        config.password = *password;
    return config;
}

Result<void> Node::start(const NodeOptions &options)
{
    if (m_state != State::Stopped)
        return makeError("invalid_options", Tr::tr("the node is already running"));
    if (options.dataFolder.isEmpty())
        return makeError("invalid_options", Tr::tr("a data folder is required (--data DIR)"));
    if (!QDir().mkpath(options.dataFolder))
        return makeError("invalid_options", Tr::tr("cannot create the data folder %1").arg(options.dataFolder));
    m_options = options;

    Result<Store::StoreConfig> config = storeConfig(options);
    if (!config)
        return config.error();
    auto store = Store::StateStore::create(*config);
    if (Result<void> opened = store->open(); !opened)
        return opened;

    Broker::EmbeddedBroker::Options brokerOptions;
    brokerOptions.databasePath = QDir(options.dataFolder).filePath(u"broker.db"_s);
    auto broker = std::make_unique<Broker::EmbeddedBroker>(brokerOptions);
    if (Result<void> opened = broker->open(); !opened)
        return opened;
    auto metrics = std::make_unique<MetricsRegistry>();
    // Connectors: relative paths in endpoints resolve against the project folder (the data
    // folder when the node runs a deployed bundle).
    Connectors::ConnectorContext connectorContext;
    connectorContext.secrets = Security::nodeSecretResolver(options.credentialsFolder);
    connectorContext.metrics = metrics.get();
    connectorContext.baseDirectory = options.projectFolder.isEmpty() ? options.dataFolder : options.projectFolder;
    Result<std::unique_ptr<ProjectEndpoints>> endpoints = ProjectEndpoints::create(broker.get(), connectorContext);
    if (!endpoints)
        return endpoints.error();
    auto loader = std::make_unique<Model::ProjectLoader>();
    auto *deployment = new ProjectDeployment(*store, *loader, this);
    if (Result<void> started = deployment->start(options.projectFolder); !started) {
        delete deployment;
        return started;
    }

    auto *server = new Http::HttpServer(this);
    if (!options.tlsCertificateFile.isEmpty() || !options.tlsPrivateKeyFile.isEmpty()) {
        Result<QSslConfiguration> tls =
            Http::HttpServer::loadTlsConfiguration(options.tlsCertificateFile, options.tlsPrivateKeyFile);
        if (!tls) {
            delete server;
            delete deployment;
            return tls.error();
        }
        server->setTlsConfiguration(*tls);
    }
    auto api = std::make_unique<AdminApi>(*store, *deployment, *metrics);
    // Topic publishes go through the project's routing rules (when they compiled).
    auto brokerApi = std::make_unique<BrokerApi>(*broker, [this](Broker::Message message) -> Result<Broker::PublishReceipt> {
        if (!m_router)
            return m_broker->publishToTopic(std::move(message));
        auto routed = m_router->route(std::move(message));
        if (!routed)
            return routed.error();
        return Broker::PublishReceipt{routed->messageId, routed->queues, routed->duplicate};
    });
    brokerApi->setConsumerSource([this] {
        return m_consumers ? m_consumers->status() : QList<Broker::ConsumerStatus>();
    });
    api->setBrokerApi(brokerApi.get());
    auto endpointApi = std::make_unique<EndpointApi>(**endpoints, [this] { return project(); });
    api->setEndpointApi(endpointApi.get());
    server->setAsyncHandler([raw = api.get()](const Http::HttpRequest &request, Http::HttpResponder responder) {
        raw->handleAsync(request, std::move(responder));
    });

    // The gateway: API keys from the store, then one event loop per core.
    const std::shared_ptr<Security::SecretResolver> secrets = Security::nodeSecretResolver(options.credentialsFolder);
    QByteArray pepper;
    if (Result<QString> resolved = secrets->resolve(u"gateway.api_key_pepper"_s))
        pepper = resolved->toUtf8();
    auto apiKeys = std::make_shared<Security::ApiKeyStore>(pepper);
    if (Result<void> loaded = loadApiKeys(*store, *apiKeys); !loaded) {
        delete server;
        delete deployment;
        return loaded;
    }
    auto services = std::make_unique<Gateway::GatewayServices>();
    services->auth.apiKeys = apiKeys;
    services->auth.passwords = std::make_shared<Security::VerifiedPasswordCache>();
    Gateway::GatewayServer *gateway = nullptr;
    std::unique_ptr<GatewayApi> gatewayApi;
    if (options.gatewayEnabled) {
        gateway = new Gateway::GatewayServer(this);
        Gateway::GatewayServerOptions listen;
        listen.address = options.gatewayAddress;
        listen.port = options.gatewayPort;
        listen.threads = options.gatewayThreads;
        // CONFLUX_EVENT_LOOP=qt runs the gateway's loops on Qt's own dispatcher (to compare).
        listen.epoll = qgetenv("CONFLUX_EVENT_LOOP") != "qt";
        listen.http.maxConnections = options.gatewayMaxConnections;
        listen.http.accessLog = false; // the proxy's observer writes a richer line
        if (!options.gatewayTlsCertificateFile.isEmpty() || !options.gatewayTlsPrivateKeyFile.isEmpty()) {
            Result<QSslConfiguration> tls = Http::HttpServer::loadTlsConfiguration(options.gatewayTlsCertificateFile,
                                                                                 options.gatewayTlsPrivateKeyFile);
            if (!tls) {
                delete gateway;
                delete server;
                delete deployment;
                return tls.error();
            }
            listen.tls = *tls;
        }
        if (!options.gatewayClientCaFile.isEmpty()) {
            Result<std::shared_ptr<const Security::ClientCertificateVerifier>> verifier =
                listen.tls ? Security::ClientCertificateVerifier::fromPemFile(options.gatewayClientCaFile)
                           : Result<std::shared_ptr<const Security::ClientCertificateVerifier>>(makeError(
                                 "invalid_options", Tr::tr("a gateway client CA needs the gateway's TLS certificate and key")));
            if (!verifier) {
                delete gateway;
                delete server;
                delete deployment;
                return verifier.error();
            }
            listen.tls->setPeerVerifyMode(QSslSocket::QueryPeer);
            services->auth.verifyClientCertificate = [verifier = *verifier](const QList<QSslCertificate> &chain) {
                return verifier->verify(chain);
            };
        }
        auto accessLog = m_accessLog;
        auto gatewayMetrics = std::make_shared<const GatewayMetrics>(*metrics);
        gateway->setProxySetup([secrets, gatewayMetrics, accessLog](Gateway::Proxy &proxy) {
            proxy.setSecretResolver([secrets](const QString &name) {
                Result<QString> value = secrets->resolve(name);
                return value ? value->toUtf8() : QByteArray();
            });
            proxy.setObserver([gatewayMetrics, accessLog](const Gateway::GatewayRequestRecord &record) {
                gatewayMetrics->record(record, accessLog->load(std::memory_order_relaxed));
            });
        });
        if (Result<void> listening = gateway->listen(listen); !listening) {
            delete gateway;
            delete server;
            delete deployment;
            return listening;
        }
        gatewayApi = std::make_unique<GatewayApi>(*store, *gateway, apiKeys, *metrics);
        api->setGatewayApi(gatewayApi.get());
        connect(gateway, &Gateway::GatewayServer::drained, this, &Node::maybeFinishStop);
    }

    if (Result<void> listening = server->listen(options.adminAddress, options.adminPort); !listening) {
        delete gateway;
        delete server;
        delete deployment;
        return listening;
    }
    connect(server, &Http::HttpServer::drained, this, &Node::maybeFinishStop);
    connect(deployment, &ProjectDeployment::projectChanged, this, &Node::declareQueues);
    connect(deployment, &ProjectDeployment::projectChanged, this, &Node::deployGateway);
    connect(deployment, &ProjectDeployment::projectChanged, this, &Node::deploySyncJobs);
    connect(deployment, &ProjectDeployment::projectChanged, this, &Node::projectChanged);

    // The node's name in the store (sync leases and runs) needs the admin port, known now.
    m_nodeName = options.nodeName.isEmpty() ? u"%1:%2"_s.arg(QHostInfo::localHostName()).arg(server->serverPort())
                                            : options.nodeName;
    // Runs this node left "running" when it died: nothing runs them any more.
    if (Result<int> interrupted = store->interruptSyncRuns(m_nodeName); !interrupted) {
        Log::write(QtWarningMsg, "conflux.sync", u"the sync runs of an earlier start could not be marked interrupted: "_s
                                                     + interrupted.error().message,
                   {{u"node"_s, m_nodeName}});
    } else if (*interrupted > 0) {
        Log::write(QtWarningMsg, "conflux.sync", u"%1 sync run(s) of an earlier start were interrupted"_s.arg(*interrupted),
                   {{u"node"_s, m_nodeName}});
    }
    auto syncApi = std::make_unique<SyncApi>(*store, [this] { return syncJobs(); }, m_nodeName);
    api->setSyncApi(syncApi.get());

    m_store = std::move(store);
    m_broker = std::move(broker);
    m_brokerApi = std::move(brokerApi);
    m_metrics = std::move(metrics);
    m_loader = std::move(loader);
    m_adminApi = std::move(api);
    m_endpoints = std::move(*endpoints);
    m_endpointApi = std::move(endpointApi);
    m_syncApi = std::move(syncApi);
    m_deployment = deployment;
    m_adminServer = server;
    m_gateway = gateway;
    m_gatewayServices = std::move(services);
    m_gatewayApi = std::move(gatewayApi);
    m_apiKeys = apiKeys;
    m_apiKeysJson = QString::fromUtf8(m_apiKeys->toJson());
    m_apiKeyTimer = new QTimer(this);
    connect(m_apiKeyTimer, &QTimer::timeout, this, &Node::reloadApiKeys);
    m_apiKeyTimer->start(5000);
    if (const auto version = deployment->activeVersion())
        m_metrics->gauge(u"conflux_project_version"_s, u"The active project version"_s).set({}, double(*version));

    Log::write(QtInfoMsg, "conflux.runtime", u"node started"_s,
               {{u"admin"_s, adminUrl()},
                {u"gateway"_s, gatewayUrl()},
                {u"store"_s, m_store->config().describe()},
                {u"node"_s, m_nodeName},
                {u"project_version"_s, deployment->activeVersion() ? QJsonValue(*deployment->activeVersion()) : QJsonValue()}});
    declareQueues();
    deployGateway();
    deploySyncJobs();
    m_syncScheduler = std::make_unique<SyncScheduler>([this] { return syncJobs(); }, m_store.get(), m_nodeName,
                                                      m_metrics.get());
    // One run of a job at a time in this node, whoever starts it (both hold the lease under the
    // node's name, so the lease alone cannot keep them apart).
    m_syncScheduler->setBusyCheck([api = m_syncApi.get()](const QString &job) { return api->isRunning(job); });
    m_syncApi->setBusyCheck([scheduler = m_syncScheduler.get()](const QString &job) { return scheduler->isRunning(job); });
    m_syncScheduler->start();
    setState(State::Running);
    Q_EMIT projectChanged();
    return {};
}

void Node::stop()
{
    if (m_state != State::Running)
        return;
    setState(State::Stopping);
    Log::write(QtInfoMsg, "conflux.runtime", u"node stopping: draining requests"_s);
    m_draining = m_gateway ? 2 : 1;
    if (m_apiKeyTimer)
        m_apiKeyTimer->stop();
    // Sync runs stop at their next batch (status "cancelled", checkpoint at the last commit), so
    // that requests waiting for them answer while the admin server drains.
    if (m_syncScheduler)
        m_syncScheduler->cancelRuns();
    if (m_syncApi)
        m_syncApi->cancelRuns();
    if (m_gateway)
        m_gateway->drain(m_options.drainTimeoutMs);
    m_adminServer->drain(m_options.drainTimeoutMs);
}

void Node::maybeFinishStop()
{
    if (m_state == State::Stopping && m_draining > 0 && --m_draining == 0)
        finishStop();
}

void Node::finishStop()
{
    m_adminServer->deleteLater();
    m_adminServer = nullptr;
    m_gatewayApi.reset();
    m_healthChecker.reset();
    delete m_gateway; // joins its threads; their proxies hold the runtime, which holds the services
    m_gateway = nullptr;
    m_gatewayServices.reset();
    m_apiKeys.reset();
    delete m_apiKeyTimer;
    m_apiKeyTimer = nullptr;
    m_syncScheduler.reset(); // waits for its runs (cancelled by stop())
    m_syncApi.reset(); // cancels and waits for its calls and runs; they report to the admin API
    {
        std::lock_guard lock(m_syncJobsMutex);
        m_syncJobs.reset(); // its runners point at the endpoints and the store
    }
    m_endpointApi.reset(); // cancels and waits for its calls; they report to the admin API
    m_adminApi.reset();
    m_brokerApi.reset();
    m_consumers.reset(); // finish their batches and settle them
    m_router.reset(); // dead-letters webhook deliveries still pending
    m_endpoints.reset(); // its queue connectors use the broker
    m_broker.reset(); // commits what is pending
    delete m_deployment;
    m_deployment = nullptr;
    m_store.reset();
    m_loader.reset();
    setState(State::Stopped);
    Log::write(QtInfoMsg, "conflux.runtime", u"node stopped"_s);
    Q_EMIT stopped();
}

void Node::declareQueues()
{
    const auto current = project();
    if (!m_broker || !current)
        return;
    if (Result<void> declared = Broker::declareProjectQueues(*m_broker, *current); !declared) {
        Log::write(QtWarningMsg, "conflux.broker", declared.error().message,
                   {{u"details"_s, QJsonArray::fromStringList(declared.error().details)}});
    }
    // The old project's consumers finish their batches, then the new ones start.
    m_consumers.reset();
    QStringList problems;
    m_consumers = Broker::ProjectConsumers::start(*current, *m_broker, {}, &problems);
    for (const QString &problem : std::as_const(problems))
        Log::write(QtWarningMsg, "conflux.broker", problem);
    Broker::MessageRouterOptions options;
    std::shared_ptr<Security::SecretResolver> secrets = Security::nodeSecretResolver(m_options.credentialsFolder);
    options.resolveSecret = [secrets](const QString &name) { return secrets->resolve(name); };
    auto router = Broker::MessageRouter::create(*current, *m_broker, options);
    if (!router) {
        // The old rules stay in force rather than none at all.
        Log::write(QtWarningMsg, "conflux.broker", router.error().message,
                   {{u"details"_s, QJsonArray::fromStringList(router.error().details)}});
        return;
    }
    m_router = std::move(*router);
}

void Node::deployGateway()
{
    const auto current = project();
    if (!m_gateway || !current)
        return;
    // Lookup tables of mappings that transformation rules run come from the project folder.
    const Mapping::TableLoader tables = m_options.projectFolder.isEmpty()
                                            ? Mapping::TableLoader()
                                            : Mapping::tablesInFolder(QDir(m_options.projectFolder).filePath(u"tables"_s));
    Result<std::shared_ptr<const Gateway::GatewayConfig>> config = Gateway::GatewayConfig::fromProject(*current, tables);
    if (!config) {
        // The routes served before stay in force rather than none at all.
        Log::write(QtWarningMsg, "conflux.gateway", config.error().message,
                   {{u"details"_s, QJsonArray::fromStringList(config.error().details)}});
        return;
    }
    m_accessLog->store((*config)->settings.accessLog);
    auto runtime = std::make_shared<const Gateway::GatewayRuntime>(*config, *m_gatewayServices);
    m_healthChecker = std::make_unique<Gateway::HealthChecker>(runtime);
    m_gateway->setRuntime(runtime);
    Log::write(QtInfoMsg, "conflux.gateway", u"serving %1 route(s)"_s.arg((*config)->routes.size()),
               {{u"url"_s, gatewayUrl()}});
}

void Node::deploySyncJobs()
{
    const auto current = project();
    if (!m_store || !m_endpoints || !current)
        return;
    SyncJobsOptions options;
    options.store = m_store.get();
    options.endpoints = m_endpoints.get();
    options.metrics = m_metrics.get();
    options.node = m_nodeName;
    // Lookup tables of the jobs' mappings come from the project folder.
    options.projectFolder = m_options.projectFolder;
    std::shared_ptr<const SyncJobs> jobs = SyncJobs::create(current, options);
    for (const QString &id : jobs->ids()) {
        if (Result<Sync::SyncJobSpec> spec = jobs->spec(id); !spec) {
            // The job stays listed with its error; the others run.
            Log::write(QtWarningMsg, "conflux.sync", spec.error().message,
                       {{u"job"_s, id}, {u"code"_s, spec.error().code},
                        {u"details"_s, QJsonArray::fromStringList(spec.error().details)}});
        }
    }
    {
        std::lock_guard lock(m_syncJobsMutex);
        m_syncJobs = jobs;
    }
    // The scheduler reads the jobs at each tick (syncJobs()); runs in progress keep the runners
    // they were made with.
    Log::write(QtInfoMsg, "conflux.sync", u"%1 sync job(s) ready"_s.arg(jobs->ids().size()), {{u"node"_s, m_nodeName}});
}

std::shared_ptr<const SyncJobs> Node::syncJobs() const
{
    std::lock_guard lock(m_syncJobsMutex);
    return m_syncJobs;
}

void Node::reloadApiKeys()
{
    if (!m_store || !m_apiKeys)
        return;
    Result<std::optional<QString>> stored = m_store->setting(QString::fromUtf16(kApiKeysSetting));
    if (!stored || !*stored || **stored == m_apiKeysJson)
        return;
    if (Result<void> loaded = m_apiKeys->loadJson((*stored)->toUtf8()); !loaded) {
        Log::write(QtWarningMsg, "conflux.gateway", u"the stored API keys could not be loaded; the keys in use stay: "_s + loaded.error().message);
        return;
    }
    m_apiKeysJson = **stored;
}

Broker::MessageBroker *Node::broker() const
{
    return m_broker.get();
}

void Node::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

quint16 Node::adminPort() const
{
    return m_adminServer ? m_adminServer->serverPort() : 0;
}

QString Node::adminUrl() const
{
    if (!m_adminServer)
        return {};
    const QString host = m_options.adminAddress.protocol() == QAbstractSocket::IPv6Protocol
                             ? u'[' + m_options.adminAddress.toString() + u']'
                             : m_options.adminAddress.toString();
    return u"%1://%2:%3"_s.arg(m_adminServer->isSecure() ? u"https"_s : u"http"_s, host).arg(adminPort());
}

quint16 Node::gatewayPort() const
{
    return m_gateway ? m_gateway->serverPort() : 0;
}

QString Node::gatewayUrl() const
{
    if (!m_gateway)
        return {};
    const QHostAddress address = m_gateway->serverAddress();
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']'
                                                                               : address.toString();
    return u"%1://%2:%3"_s.arg(m_gateway->isSecure() ? u"https"_s : u"http"_s, host).arg(gatewayPort());
}

std::shared_ptr<const Model::Project> Node::project() const
{
    return m_deployment ? m_deployment->project() : nullptr;
}

} // namespace Conflux::Runtime
