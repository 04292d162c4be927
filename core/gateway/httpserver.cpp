#include "httpserver.h"

#include "httpconnection_p.h"
#include "socketstream_p.h"

#include <base/log.h>

#include <QFile>
#include <QJsonObject>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTimer>

#include <exception>
#include <utility>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Conflux::Http {

namespace {

constexpr const char *kCategory = "conflux.http";

// Hands over accepted descriptors instead of wrapping them in QTcpSockets: plain connections
// run on PlainSocketStream.
class DescriptorServer final : public QTcpServer
{
public:
    using QTcpServer::QTcpServer;
    std::function<void(qintptr)> onDescriptor;

protected:
    void incomingConnection(qintptr descriptor) override { onDescriptor(descriptor); }
};

// A listening TCP socket with SO_REUSEPORT (and SO_REUSEADDR, as QTcpServer sets), or -1 with
// `error` set. QHostAddress::Any listens on both IPv6 and IPv4.
int listenReusePort(const QHostAddress &address, quint16 port, QString &error)
{
    sockaddr_storage storage = {};
    socklen_t length = 0;
    int family = AF_INET;
    if (address.protocol() == QAbstractSocket::IPv4Protocol || address == QHostAddress(QHostAddress::AnyIPv4)) {
        auto *in = reinterpret_cast<sockaddr_in *>(&storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    } else {
        family = AF_INET6;
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address == QHostAddress(QHostAddress::Any) ? Q_IPV6ADDR{} : address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &bytes, sizeof bytes);
        length = sizeof(sockaddr_in6);
    }
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    const int on = 1;
    const int off = 0;
    bool ok = ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0
              && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == 0;
    if (ok && family == AF_INET6 && address == QHostAddress(QHostAddress::Any))
        ok = ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == 0;
    ok = ok && ::bind(fd, reinterpret_cast<sockaddr *>(&storage), length) == 0 && ::listen(fd, SOMAXCONN) == 0;
    if (!ok) {
        error = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

HttpServer::HttpServer(QObject *parent)
    : QObject(parent)
    , m_drainTimer(new QTimer(this))
{
    m_drainTimer->setSingleShot(true);
    connect(m_drainTimer, &QTimer::timeout, this, [this] {
        const QSet<Internal::HttpConnection *> connections = m_connections;
        for (Internal::HttpConnection *connection : connections)
            connection->abort();
    });
}

HttpServer::~HttpServer()
{
    const QSet<Internal::HttpConnection *> connections = std::exchange(m_connections, {});
    for (Internal::HttpConnection *connection : connections) {
        connection->disconnect(this);
        delete connection;
    }
}

void HttpServer::setOptions(const HttpServerOptions &options)
{
    m_options = options;
}

void HttpServer::setHandler(Handler handler)
{
    m_handler = std::make_shared<const Handler>(std::move(handler));
    m_asyncHandler.reset();
}

void HttpServer::setAsyncHandler(AsyncHandler handler)
{
    m_asyncHandler = std::make_shared<const AsyncHandler>(std::move(handler));
    m_handler.reset();
}

void HttpServer::setTlsConfiguration(const QSslConfiguration &configuration)
{
    m_tls = configuration;
}

Result<QSslConfiguration> HttpServer::loadTlsConfiguration(const QString &certificateFile,
                                                           const QString &privateKeyFile,
                                                           const QByteArray &passPhrase)
{
    QFile certificates(certificateFile);
    if (!certificates.open(QIODevice::ReadOnly)) {
        return makeError("tls_certificate_invalid",
                         tr("Cannot read the TLS certificate file %1: %2")
                             .arg(certificateFile, certificates.errorString()));
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certificates.readAll(), QSsl::Pem);
    if (chain.isEmpty() || chain.constFirst().isNull()) {
        return makeError("tls_certificate_invalid",
                         tr("The file %1 holds no PEM certificate").arg(certificateFile));
    }

    QFile keyFile(privateKeyFile);
    if (!keyFile.open(QIODevice::ReadOnly)) {
        return makeError("tls_key_invalid", tr("Cannot read the TLS private key file %1: %2")
                                                .arg(privateKeyFile, keyFile.errorString()));
    }
    const QByteArray keyData = keyFile.readAll();
    QSslKey key;
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        key = QSslKey(keyData, algorithm, QSsl::Pem, QSsl::PrivateKey, passPhrase);
        if (!key.isNull())
            break;
    }
    if (key.isNull()) {
        return makeError("tls_key_invalid",
                         tr("The file %1 holds no usable private key (expected a PEM RSA, EC or DSA "
                            "key; an encrypted key needs its pass phrase)")
                             .arg(privateKeyFile));
    }

    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    return configuration;
}

Result<void> HttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (isListening()) {
        return makeError("already_listening", tr("The server already listens on %1 port %2")
                                                  .arg(serverAddress().toString())
                                                  .arg(serverPort()));
    }
    delete m_server;
    m_server = nullptr;

    if (m_tls) {
        if (m_tls->localCertificate().isNull() || m_tls->privateKey().isNull()) {
            return makeError("listen_failed",
                             tr("Cannot listen on %1 port %2: the TLS configuration lacks a "
                                "certificate or a private key")
                                 .arg(address.toString())
                                 .arg(port));
        }
        auto *server = new QSslServer(this);
        server->setSslConfiguration(*m_tls);
        if (m_options.headerTimeoutMs > 0)
            server->setHandshakeTimeout(m_options.headerTimeoutMs);
        connect(server, &QSslServer::errorOccurred, this,
                [](QSslSocket *socket, QAbstractSocket::SocketError) {
                    qCDebug(lcConflux).noquote() << "TLS handshake with" << socket->peerAddress().toString()
                                                 << "failed:" << socket->errorString();
                });
        m_server = server;
        connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &HttpServer::acceptPending);
    } else {
        auto *server = new DescriptorServer(this);
        server->onDescriptor = [this](qintptr descriptor) {
            accept(new Internal::PlainSocketStream(int(descriptor), this), false);
        };
        m_server = server;
    }
    m_server->setMaxPendingConnections(std::max(30, m_options.maxConnections));
    bool listening = false;
    QString reason;
    if (m_options.reusePort) {
        const int fd = listenReusePort(address, port, reason);
        listening = fd >= 0 && m_server->setSocketDescriptor(fd);
        if (fd >= 0 && !listening) {
            reason = m_server->errorString();
            ::close(fd);
        }
    } else {
        listening = m_server->listen(address, port);
        if (!listening)
            reason = m_server->errorString();
    }
    if (!listening) {
        delete m_server;
        m_server = nullptr;
        return makeError("listen_failed",
                         tr("Cannot listen on %1 port %2: %3").arg(address.toString()).arg(port).arg(reason));
    }
    m_draining = false;
    m_drainedEmitted = false;
    QJsonObject fields;
    fields.insert(QStringLiteral("address"), m_server->serverAddress().toString());
    fields.insert(QStringLiteral("port"), int(m_server->serverPort()));
    fields.insert(QStringLiteral("tls"), isSecure());
    Conflux::Log::write(QtInfoMsg, kCategory, QStringLiteral("HTTP server listening"), fields);
    return {};
}

bool HttpServer::isListening() const
{
    return m_server && m_server->isListening();
}

quint16 HttpServer::serverPort() const
{
    return m_server ? m_server->serverPort() : 0;
}

QHostAddress HttpServer::serverAddress() const
{
    return m_server ? m_server->serverAddress() : QHostAddress();
}

void HttpServer::close()
{
    if (m_server)
        m_server->close();
}

void HttpServer::drain(int timeoutMs)
{
    close();
    if (!m_draining) {
        m_draining = true;
        const QSet<Internal::HttpConnection *> connections = m_connections;
        for (Internal::HttpConnection *connection : connections)
            connection->beginDrain();
    }
    if (!m_drainedEmitted && timeoutMs >= 0)
        m_drainTimer->start(timeoutMs);
    QMetaObject::invokeMethod(this, &HttpServer::maybeFinishDrain, Qt::QueuedConnection);
}

void HttpServer::maybeFinishDrain()
{
    if (!m_draining || m_drainedEmitted || !m_connections.isEmpty())
        return;
    m_drainedEmitted = true;
    m_drainTimer->stop();
    Q_EMIT drained();
}

void HttpServer::acceptPending()
{
    while (m_server && m_server->hasPendingConnections()) {
        QTcpSocket *socket = m_server->nextPendingConnection();
        if (!socket)
            break;
        accept(new Internal::QtSocketStream(socket, true, this), true);
    }
}

void HttpServer::accept(Internal::SocketStream *stream, bool secure)
{
    if (m_draining || connectionCount() >= m_options.maxConnections) {
        ++m_refusedSinceLog;
        // Under a flood, one warning a second is enough.
        if (!m_refusalLogClock.isValid() || m_refusalLogClock.elapsed() >= 1000) {
            QJsonObject fields;
            fields.insert(QStringLiteral("peer"), stream->peerAddress().toString());
            fields.insert(QStringLiteral("connections"), connectionCount());
            fields.insert(QStringLiteral("refused"), m_refusedSinceLog);
            Conflux::Log::write(QtWarningMsg, kCategory,
                                m_draining ? QStringLiteral("connection refused: draining")
                                           : QStringLiteral("connection refused: too many connections"),
                                fields);
            m_refusalLogClock.start();
            m_refusedSinceLog = 0;
        }
        stream->abort();
        delete stream;
        return;
    }
    auto *connection = new Internal::HttpConnection(
        stream, m_options, secure,
        [this](const HttpRequest &request, HttpResponder responder) { dispatchAsync(request, std::move(responder)); },
        this);
    m_connections.insert(connection);
    connect(connection, &Internal::HttpConnection::closed, this, &HttpServer::connectionClosed);
    connection->start();
}

void HttpServer::connectionClosed(Internal::HttpConnection *connection)
{
    if (m_connections.remove(connection))
        connection->deleteLater();
    if (m_draining)
        QMetaObject::invokeMethod(this, &HttpServer::maybeFinishDrain, Qt::QueuedConnection);
}

void HttpServer::dispatchAsync(const HttpRequest &request, HttpResponder responder)
{
    const std::shared_ptr<const AsyncHandler> handler = m_asyncHandler;
    if (!handler || !*handler) {
        responder.send(dispatch(request));
        return;
    }
    try {
        (*handler)(request, responder);
    } catch (const std::exception &e) {
        QJsonObject fields;
        fields.insert(QStringLiteral("method"), QString::fromLatin1(request.method));
        fields.insert(QStringLiteral("path"), request.path);
        Conflux::Log::write(QtCriticalMsg, kCategory,
                            QStringLiteral("handler failed: %1").arg(QString::fromLocal8Bit(e.what())), fields);
        responder.send(HttpResponse::error(500, QStringLiteral("internal_error"), QStringLiteral("internal server error")));
    }
}

HttpResponse HttpServer::dispatch(const HttpRequest &request)
{
    // A copy, so that setHandler() from inside the handler cannot destroy the running one.
    const std::shared_ptr<const Handler> handler = m_handler;
    if (!handler || !*handler)
        return HttpResponse::error(404, QStringLiteral("not_found"), QStringLiteral("no handler is installed"));

    const auto failure = [&request](const QString &what) {
        QJsonObject fields;
        fields.insert(QStringLiteral("method"), QString::fromLatin1(request.method));
        fields.insert(QStringLiteral("path"), request.path);
        Conflux::Log::write(QtCriticalMsg, kCategory, what, fields);
        return HttpResponse::error(500, QStringLiteral("internal_error"),
                                   QStringLiteral("internal server error"));
    };
    try {
        HttpResponse response = (*handler)(request);
        if (response.status() < 200 || response.status() > 599) {
            return failure(QStringLiteral("handler returned the invalid final status %1")
                               .arg(response.status()));
        }
        return response;
    } catch (const std::exception &e) {
        return failure(QStringLiteral("handler failed: %1").arg(QString::fromLocal8Bit(e.what())));
    } catch (...) {
        return failure(QStringLiteral("handler failed with an unknown exception"));
    }
}

} // namespace Conflux::Http
