#pragma once

// A local HTTP server on its own thread for connector tests: connectors block their calling
// thread, so the server cannot share it. The handler runs on the server's thread; requests are
// recorded for the test to inspect.

#include "gateway/httpserver.h"

#include <QDir>
#include <QHostAddress>
#include <QMutex>
#include <QMutexLocker>
#include <QProcess>
#include <QSemaphore>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QStringList>
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

    // HTTPS that requires a client certificate issued by one of `clientCas` and verifies it: a
    // client without a certificate, or with one another CA issued, fails in the TLS handshake.
    TestHttpServer(const QSslConfiguration &tls, const QList<QSslCertificate> &clientCas)
        : TestHttpServer(requiringClientCertificates(tls, clientCas))
    {
    }

    // `tls` changed to require and verify client certificates issued by `clientCas`.
    static QSslConfiguration requiringClientCertificates(QSslConfiguration tls, const QList<QSslCertificate> &clientCas)
    {
        tls.setCaCertificates(clientCas);
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
        return tls;
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

// Certificates for TLS tests, made at run time by the openssl CLI in `folder` (EC P-256 keys,
// valid for two days):
//   ca.pem, ca.key                 a CA ("Conflux Test CA")
//   server.pem, server.key         issued by the CA to localhost (CN and subjectAltName)
//   client.pem, client.key         issued by the CA to CN=CONFLUX_RFC
//   client-encrypted.key           client.key encrypted with the pass phrase below
//   impostor.pem, impostor.key     self-signed, also CN=CONFLUX_RFC: the wrong certificate
// Returns an empty string, or which openssl command failed and why.
inline constexpr char testKeyPassPhrase[] = "key-Passw0rd";

inline QString makeTestCertificates(const QString &folder)
{
    auto openssl = [&](const QStringList &arguments) {
        QProcess process;
        process.setWorkingDirectory(folder);
        process.start(QStringLiteral("openssl"), arguments);
        if (!process.waitForFinished(30'000))
            return QStringLiteral("openssl %1 did not finish: %2").arg(arguments.join(u' '), process.errorString());
        return process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0
            ? QString()
            : QStringLiteral("openssl %1: %2")
                  .arg(arguments.join(u' '), QString::fromLocal8Bit(process.readAllStandardError()));
    };
    const QStringList ec{QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                         QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes")};
    // issues `name`.csr with the CA, copying its extensions (the server's subjectAltName)
    auto issue = [&](const QString &name) {
        return openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), name + QStringLiteral(".csr"),
                        QStringLiteral("-CA"), QStringLiteral("ca.pem"), QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                        QStringLiteral("-CAcreateserial"), QStringLiteral("-copy_extensions"), QStringLiteral("copy"),
                        QStringLiteral("-out"), name + QStringLiteral(".pem"), QStringLiteral("-days"), QStringLiteral("2")});
    };
    const QList<std::function<QString()>> steps{
        [&] {
            return openssl(QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec
                           + QStringList{QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"),
                                         QStringLiteral("ca.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                                         QStringLiteral("-subj"), QStringLiteral("/CN=Conflux Test CA")});
        },
        [&] {
            return openssl(QStringList{QStringLiteral("req")} + ec
                           + QStringList{QStringLiteral("-keyout"), QStringLiteral("server.key"), QStringLiteral("-out"),
                                         QStringLiteral("server.csr"), QStringLiteral("-subj"), QStringLiteral("/CN=localhost"),
                                         QStringLiteral("-addext"), QStringLiteral("subjectAltName=DNS:localhost")});
        },
        [&] { return issue(QStringLiteral("server")); },
        [&] {
            return openssl(QStringList{QStringLiteral("req")} + ec
                           + QStringList{QStringLiteral("-keyout"), QStringLiteral("client.key"), QStringLiteral("-out"),
                                         QStringLiteral("client.csr"), QStringLiteral("-subj"), QStringLiteral("/CN=CONFLUX_RFC")});
        },
        [&] { return issue(QStringLiteral("client")); },
        [&] {
            return openssl({QStringLiteral("pkey"), QStringLiteral("-in"), QStringLiteral("client.key"), QStringLiteral("-out"),
                            QStringLiteral("client-encrypted.key"), QStringLiteral("-aes256"), QStringLiteral("-passout"),
                            QStringLiteral("pass:") + QLatin1String(testKeyPassPhrase)});
        },
        [&] {
            return openssl(QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec
                           + QStringList{QStringLiteral("-keyout"), QStringLiteral("impostor.key"), QStringLiteral("-out"),
                                         QStringLiteral("impostor.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                                         QStringLiteral("-subj"), QStringLiteral("/CN=CONFLUX_RFC")});
        },
    };
    if (!QDir(folder).exists())
        return QStringLiteral("the folder %1 does not exist").arg(folder);
    for (const auto &step : steps) {
        if (const QString failed = step(); !failed.isEmpty())
            return failed;
    }
    return {};
}

} // namespace Conflux::Tests
