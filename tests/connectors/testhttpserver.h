#pragma once

// A local HTTP server on its own thread for connector tests: connectors block their calling
// thread, so the server cannot share it. The handler runs on the server's thread; requests are
// recorded for the test to inspect.

#include "gateway/httpserver.h"

#include <QHostAddress>
#include <QMutex>
#include <QMutexLocker>
#include <QSemaphore>
#include <QThread>
#include <QUrl>

#include <functional>

namespace Conflux::Tests {

class TestHttpServer
{
public:
    using Handler = std::function<Http::HttpResponse(const Http::HttpRequest &)>;

    // With a TLS configuration the server speaks HTTPS (and asks for client certificates when
    // the configuration says so).
    explicit TestHttpServer(const QSslConfiguration &tls = {})
    {
        m_thread.setObjectName(QStringLiteral("test-http-server"));
        m_secure = !tls.isNull();
        m_anchor = new QObject;
        m_anchor->moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(
            m_anchor,
            [this, tls] {
                m_server = new Http::HttpServer;
                Http::HttpServerOptions options;
                options.accessLog = false;
                m_server->setOptions(options);
                if (!tls.isNull())
                    m_server->setTlsConfiguration(tls);
                m_server->setHandler([this](const Http::HttpRequest &request) {
                    Handler handler;
                    {
                        QMutexLocker lock(&m_mutex);
                        m_requests.append(request);
                        handler = m_handler;
                    }
                    return handler ? handler(request) : Http::HttpResponse(404);
                });
                const Result<void> listening = m_server->listen(QHostAddress::LocalHost, 0);
                m_listening = bool(listening);
                m_port = m_server->serverPort();
            },
            Qt::BlockingQueuedConnection);
    }

    ~TestHttpServer()
    {
        QMetaObject::invokeMethod(m_anchor, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_anchor->deleteLater();
        m_thread.quit();
        m_thread.wait();
    }

    bool isListening() const { return m_listening; }
    quint16 port() const { return m_port; }
    QUrl url(const QString &path = QStringLiteral("/")) const
    {
        return QUrl(QStringLiteral("%1://%2:%3%4")
                        .arg(m_secure ? QStringLiteral("https") : QStringLiteral("http"),
                             m_secure ? QStringLiteral("localhost") : QStringLiteral("127.0.0.1"))
                        .arg(m_port)
                        .arg(path));
    }

    void setHandler(Handler handler)
    {
        QMutexLocker lock(&m_mutex);
        m_handler = std::move(handler);
    }
    QList<Http::HttpRequest> requests() const
    {
        QMutexLocker lock(&m_mutex);
        return m_requests;
    }
    qsizetype requestCount() const
    {
        QMutexLocker lock(&m_mutex);
        return m_requests.size();
    }
    void clearRequests()
    {
        QMutexLocker lock(&m_mutex);
        m_requests.clear();
    }

private:
    QThread m_thread;
    QObject *m_anchor = nullptr; // lives on m_thread
    Http::HttpServer *m_server = nullptr;
    bool m_listening = false;
    bool m_secure = false;
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    Handler m_handler;
    QList<Http::HttpRequest> m_requests;
};

} // namespace Conflux::Tests
