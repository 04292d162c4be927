#include "gatewayserver.h"

#include "base/epolleventdispatcher.h"

#include <QTcpServer>
#include <QThread>

using namespace Qt::StringLiterals;

namespace Conflux::Gateway {

struct GatewayServer::Loop
{
    QThread thread;
    QObject *home = nullptr;        // lives in `thread`; parent of the two below
    Http::HttpServer *server = nullptr;
    Proxy *proxy = nullptr;
};

GatewayServer::GatewayServer(QObject *parent) : QObject(parent)
{
}

GatewayServer::~GatewayServer()
{
    stopLoops();
}

void GatewayServer::stopLoops()
{
    for (const std::unique_ptr<Loop> &loop : m_loops) {
        if (loop->home) {
            QObject *home = loop->home;
            QMetaObject::invokeMethod(home, [home] { delete home; }, Qt::BlockingQueuedConnection);
            loop->home = nullptr;
        }
        loop->thread.quit();
        loop->thread.wait();
    }
    m_loops.clear();
    m_port = 0;
}

Result<void> GatewayServer::listen(const GatewayServerOptions &options)
{
    if (isListening()) {
        return makeError("already_listening",
                         tr("The gateway already listens on %1 port %2").arg(m_options.address.toString()).arg(m_port));
    }
    m_options = options;
    const int count = options.threads > 0 ? options.threads : std::max(1, QThread::idealThreadCount());

    // SO_REUSEPORT would let a second node of the same user share a fixed port silently and
    // steal half of its connections: make sure nobody listens there first.
    if (options.port != 0) {
        QTcpServer probe;
        if (!probe.listen(options.address, options.port)) {
            return makeError("listen_failed", tr("Cannot listen on %1 port %2: %3")
                                                  .arg(options.address.toString())
                                                  .arg(options.port)
                                                  .arg(probe.errorString()));
        }
    }

    Http::HttpServerOptions http = options.http;
    http.reusePort = true;
    http.maxConnections = std::max(1, (options.http.maxConnections + count - 1) / count);
    quint16 port = options.port;
    for (int i = 0; i < count; ++i) {
        auto loop = std::make_unique<Loop>();
        loop->thread.setObjectName(u"gateway-%1"_s.arg(i));
        loop->home = new QObject;
        loop->home->moveToThread(&loop->thread);
#ifdef Q_OS_LINUX
        if (options.epoll)
            loop->thread.setEventDispatcher(new EpollEventDispatcher);
#endif
        loop->thread.start();
        Result<void> listening;
        Loop *raw = loop.get();
        QMetaObject::invokeMethod(
            raw->home,
            [&, raw] {
                raw->proxy = new Proxy(raw->home);
                if (m_setup)
                    m_setup(*raw->proxy);
                raw->proxy->setRuntime(m_runtime);
                raw->server = new Http::HttpServer(raw->home);
                raw->server->setOptions(http);
                if (options.tls)
                    raw->server->setTlsConfiguration(*options.tls);
                Proxy *proxy = raw->proxy;
                raw->server->setAsyncHandler([proxy](const Http::HttpRequest &request, Http::HttpResponder responder) {
                    proxy->handle(request, std::move(responder));
                });
                listening = raw->server->listen(options.address, port);
                if (listening)
                    port = raw->server->serverPort();
            },
            Qt::BlockingQueuedConnection);
        connect(raw->server, &Http::HttpServer::drained, this, [this] {
            if (m_draining > 0 && --m_draining == 0)
                Q_EMIT drained();
        });
        m_loops.push_back(std::move(loop));
        if (!listening) {
            stopLoops();
            return listening.error();
        }
    }
    m_port = port;
    return {};
}

void GatewayServer::setRuntime(std::shared_ptr<const GatewayRuntime> runtime)
{
    m_runtime = runtime;
    for (const std::unique_ptr<Loop> &loop : m_loops) {
        Proxy *proxy = loop->proxy;
        Http::HttpServer *server = loop->server;
        QMetaObject::invokeMethod(
            proxy,
            [proxy, server, runtime] {
                // The project's body limit is the parser's, so that a larger body is refused
                // before it is read (413) and a limit above the default works at all.
                if (runtime) {
                    Http::HttpServerOptions options = server->options();
                    options.limits.maxBodyBytes = runtime->config().settings.maxBodyBytes;
                    server->setOptions(options);
                }
                proxy->setRuntime(runtime);
            },
            Qt::QueuedConnection);
    }
}

void GatewayServer::drain(int timeoutMs)
{
    if (m_loops.empty()) {
        QMetaObject::invokeMethod(this, &GatewayServer::drained, Qt::QueuedConnection);
        return;
    }
    m_draining = int(m_loops.size());
    for (const std::unique_ptr<Loop> &loop : m_loops) {
        Http::HttpServer *server = loop->server;
        QMetaObject::invokeMethod(server, [server, timeoutMs] { server->drain(timeoutMs); }, Qt::QueuedConnection);
    }
}

} // namespace Conflux::Gateway
