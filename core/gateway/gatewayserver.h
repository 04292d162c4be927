#pragma once

#include "httpserver.h"
#include "proxy.h"

#include <base/result.h>

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>

#include <memory>
#include <optional>
#include <vector>

namespace Conflux::Gateway {

struct GatewayServerOptions
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8080;               // 0: an ephemeral port (tests)
    int threads = 0;                   // event loops; 0: one per core (QThread::idealThreadCount)
    Http::HttpServerOptions http;      // per event loop (maxConnections is divided among them)
    std::optional<QSslConfiguration> tls;
    // The loops run on EpollEventDispatcher (Linux), whose wait does not grow with the
    // number of open sockets; false keeps Qt's own dispatcher (for comparison).
    bool epoll = true;
};

// The gateway's listener: one event loop per core, each with its own HttpServer and Proxy,
// all listening on one address and port with SO_REUSEPORT so that the kernel spreads new
// connections among them. Nothing is shared between the loops but the deployed runtime
// (GatewayRuntime: its pools, limiter and cache are thread-safe).
//
// Threading: a GatewayServer lives on the thread that created it; its loops are its own
// threads. drained() is emitted on the owner's thread.
class GatewayServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayServer)

public:
    explicit GatewayServer(QObject *parent = nullptr);
    ~GatewayServer() override; // aborts open connections and joins the threads

    // Called on each loop's thread once its Proxy exists, before it serves (to install
    // observers and resolvers).
    void setProxySetup(std::function<void(Proxy &)> setup) { m_setup = std::move(setup); }

    // Starts the loops and listens. Errors: "listen_failed", "already_listening".
    Result<void> listen(const GatewayServerOptions &options);
    bool isListening() const { return !m_loops.empty(); }
    quint16 serverPort() const { return m_port; }
    QHostAddress serverAddress() const { return m_options.address; }
    bool isSecure() const { return m_options.tls.has_value(); }
    int threadCount() const { return int(m_loops.size()); }

    // Serve these routes from the next request on (null: 503 "no project is deployed").
    void setRuntime(std::shared_ptr<const GatewayRuntime> runtime);
    std::shared_ptr<const GatewayRuntime> runtime() const { return m_runtime; }

    // Graceful stop as HttpServer::drain(), on every loop; drained() once all are done.
    void drain(int timeoutMs);

Q_SIGNALS:
    void drained();

private:
    struct Loop;
    void stopLoops();

    GatewayServerOptions m_options;
    std::function<void(Proxy &)> m_setup;
    std::vector<std::unique_ptr<Loop>> m_loops;
    std::shared_ptr<const GatewayRuntime> m_runtime;
    quint16 m_port = 0;
    int m_draining = 0;
};

} // namespace Conflux::Gateway
