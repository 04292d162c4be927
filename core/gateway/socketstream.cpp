#include "socketstream_p.h"

#include <QHostInfo>
#include <QPointer>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpSocket>

#include <array>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Conflux::Http::Internal {

namespace {

// What one readiness event reads at most before the event loop serves other sockets, and what
// a stream holds unread before it stops reading (TCP flow control then pushes back).
constexpr qsizetype kReadChunkBytes = 64 * 1024;
constexpr qsizetype kMaxBufferedInBytes = 64 * 1024;

char *scratchBuffer()
{
    thread_local std::array<char, kReadChunkBytes> buffer;
    return buffer.data();
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

void setLowDelay(int fd)
{
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

} // namespace

// --- PlainSocketStream ------------------------------------------------------------------------

PlainSocketStream::PlainSocketStream(int descriptor, QObject *parent)
    : SocketStream(parent)
{
    sockaddr_storage address = {};
    socklen_t length = sizeof address;
    if (::getpeername(descriptor, reinterpret_cast<sockaddr *>(&address), &length) == 0) {
        m_peerAddress = QHostAddress(reinterpret_cast<const sockaddr *>(&address));
        if (address.ss_family == AF_INET)
            m_peerPort = ntohs(reinterpret_cast<const sockaddr_in *>(&address)->sin_port);
        else if (address.ss_family == AF_INET6)
            m_peerPort = ntohs(reinterpret_cast<const sockaddr_in6 *>(&address)->sin6_port);
    }
    ::fcntl(descriptor, F_SETFL, ::fcntl(descriptor, F_GETFL) | O_NONBLOCK);
    setLowDelay(descriptor);
    setUp(descriptor);
    m_state = State::Connected;
}

PlainSocketStream::PlainSocketStream(QObject *parent)
    : SocketStream(parent)
{
}

PlainSocketStream::~PlainSocketStream()
{
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
    closeDescriptor();
}

void PlainSocketStream::setUp(int descriptor)
{
    m_fd = descriptor;
    m_readNotifier = new QSocketNotifier(QSocketNotifier::Read, this);
    m_readNotifier->setSocket(descriptor);
    m_writeNotifier = new QSocketNotifier(QSocketNotifier::Write, this);
    m_writeNotifier->setSocket(descriptor);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &PlainSocketStream::onReadable);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &PlainSocketStream::onWritable);
    m_readNotifier->setEnabled(m_state != State::Connecting);
    m_writeNotifier->setEnabled(false);
}

void PlainSocketStream::connectToHost(const QString &host, quint16 port)
{
    if (m_state != State::Unconnected)
        return;
    m_state = State::Connecting;
    m_connectPort = port;
    QHostAddress literal;
    if (literal.setAddress(host)) {
        m_candidates = {literal};
        // From the event loop, as with a name: the caller may not expect a signal yet.
        QMetaObject::invokeMethod(this, &PlainSocketStream::connectNext, Qt::QueuedConnection);
        return;
    }
    m_lookupId = QHostInfo::lookupHost(host, this, [this](const QHostInfo &info) {
        m_lookupId = -1;
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            m_state = State::Unconnected;
            m_failure = Failure::Refused;
            m_errorString = info.error() != QHostInfo::NoError ? info.errorString() : tr("Host not found");
            Q_EMIT errorOccurred();
            return;
        }
        m_candidates = info.addresses();
        connectNext();
    });
}

void PlainSocketStream::connectNext()
{
    closeDescriptor();
    if (m_state != State::Connecting)
        return;
    int lastError = ECONNREFUSED;
    while (!m_candidates.isEmpty()) {
        const QHostAddress address = m_candidates.takeFirst();
        sockaddr_storage storage = {};
        socklen_t length = 0;
        if (address.protocol() == QAbstractSocket::IPv4Protocol) {
            auto *in = reinterpret_cast<sockaddr_in *>(&storage);
            in->sin_family = AF_INET;
            in->sin_port = htons(m_connectPort);
            in->sin_addr.s_addr = htonl(address.toIPv4Address());
            length = sizeof(sockaddr_in);
        } else {
            auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons(m_connectPort);
            const Q_IPV6ADDR bytes = address.toIPv6Address();
            std::memcpy(&in6->sin6_addr, &bytes, sizeof bytes);
            in6->sin6_scope_id = address.scopeId().toUInt();
            length = sizeof(sockaddr_in6);
        }
        const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            lastError = errno;
            continue;
        }
        if (::connect(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 && errno != EINPROGRESS) {
            lastError = errno;
            ::close(fd);
            continue;
        }
        m_peerAddress = address;
        m_peerPort = m_connectPort;
        setUp(fd);
        m_writeNotifier->setEnabled(true); // writable: connected or failed
        return;
    }
    m_state = State::Unconnected;
    m_failure = Failure::Refused;
    m_errorString = errnoText(lastError);
    Q_EMIT errorOccurred();
}

QByteArray PlainSocketStream::readAll()
{
    QByteArray taken = std::exchange(m_in, QByteArray());
    if (!taken.isEmpty())
        updateReadNotifier();
    return taken;
}

void PlainSocketStream::updateReadNotifier()
{
    if (m_readNotifier)
        m_readNotifier->setEnabled(m_fd >= 0 && !m_peerClosed && m_state != State::Connecting
                                   && m_in.size() < kMaxBufferedInBytes);
}

void PlainSocketStream::onReadable()
{
    if (m_fd < 0)
        return;
    // One read() per event; another only when the buffer came back full (more may wait).
    // When less came, the kernel's queue is empty or nearly so, and poll() says so next time.
    const QPointer<PlainSocketStream> alive(this);
    qsizetype total = 0;
    while (m_in.size() < kMaxBufferedInBytes) {
        const ssize_t n = ::read(m_fd, scratchBuffer(), size_t(kReadChunkBytes));
        if (n > 0) {
            m_in.append(scratchBuffer(), qsizetype(n));
            total += n;
            if (n < kReadChunkBytes)
                break;
            continue;
        }
        if (n == 0) {
            m_peerClosed = true;
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            break;
        const int error = errno;
        if (total > 0) {
            Q_EMIT readyRead();
            if (!alive)
                return;
        }
        fail(Failure::Reset, error);
        return;
    }
    if (total > 0) {
        Q_EMIT readyRead();
        if (!alive || m_fd < 0)
            return;
    }
    if (m_peerClosed) {
        // The peer is done; what we still owe it is of no use unless it only half-closed,
        // which HTTP/1.1 clients and servers do not rely on.
        m_failure = Failure::PeerClosed;
        m_errorString = tr("The remote host closed the connection");
        closeDescriptor();
        m_state = State::Unconnected;
        Q_EMIT disconnected();
        return;
    }
    updateReadNotifier();
}

void PlainSocketStream::write(QByteArrayView data)
{
    if (data.isEmpty() || (m_state != State::Connected && m_state != State::Connecting) || m_closePending)
        return;
    if (m_state == State::Connected && bytesToWrite() == 0) {
        ssize_t n;
        do
            n = ::send(m_fd, data.data(), size_t(data.size()), MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            // Reported from the event loop: the caller is in the middle of something.
            const int error = errno;
            QMetaObject::invokeMethod(this, [this, error] { fail(Failure::Reset, error); }, Qt::QueuedConnection);
            m_state = State::Closing;
            return;
        }
        const qsizetype sent = n < 0 ? 0 : qsizetype(n);
        if (sent == data.size())
            return;
        data = data.sliced(sent);
    }
    if (m_outPos > 0 && m_outPos == m_out.size()) {
        m_out.clear();
        m_outPos = 0;
    }
    m_out.append(data.data(), data.size());
    if (m_state == State::Connected)
        m_writeNotifier->setEnabled(true);
}

bool PlainSocketStream::flushOut()
{
    while (m_outPos < m_out.size()) {
        const ssize_t n = ::send(m_fd, m_out.constData() + m_outPos, size_t(m_out.size() - m_outPos), MSG_NOSIGNAL);
        if (n > 0) {
            m_outPos += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        fail(Failure::Reset, n < 0 ? errno : EPIPE);
        return false;
    }
    m_out.clear();
    m_outPos = 0;
    return true;
}

void PlainSocketStream::onWritable()
{
    if (m_fd < 0)
        return;
    if (m_state == State::Connecting) {
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
            error = errno;
        if (error != 0) {
            if (!m_candidates.isEmpty()) {
                connectNext();
                return;
            }
            closeDescriptor();
            m_state = State::Unconnected;
            m_failure = Failure::Refused;
            m_errorString = errnoText(error);
            Q_EMIT errorOccurred();
            return;
        }
        setLowDelay(m_fd);
        m_state = State::Connected;
        m_candidates.clear();
        m_writeNotifier->setEnabled(bytesToWrite() > 0);
        updateReadNotifier();
        const QPointer<PlainSocketStream> alive(this);
        Q_EMIT connected();
        if (!alive || m_fd < 0)
            return;
        if (bytesToWrite() == 0)
            return;
    }
    if (!flushOut())
        return;
    if (bytesToWrite() > 0)
        return;
    m_writeNotifier->setEnabled(false);
    if (m_closePending) {
        closeDescriptor();
        m_state = State::Unconnected;
        Q_EMIT disconnected();
        return;
    }
    if (m_shutdownPending) {
        m_shutdownPending = false;
        ::shutdown(m_fd, SHUT_WR);
    }
    Q_EMIT bytesWritten();
}

bool PlainSocketStream::shutdownWrite()
{
    if (m_state != State::Connected)
        return false;
    if (bytesToWrite() > 0) {
        m_shutdownPending = true;
        return true;
    }
    return ::shutdown(m_fd, SHUT_WR) == 0;
}

void PlainSocketStream::disconnectFromHost()
{
    if (m_state == State::Connected && bytesToWrite() > 0) {
        m_closePending = true;
        m_state = State::Closing;
        return;
    }
    if (m_state != State::Connected && m_state != State::Connecting)
        return; // closed already, closing, or a failed write's failure is on its way
    closeDescriptor();
    m_state = State::Unconnected;
    Q_EMIT disconnected();
}

void PlainSocketStream::abort()
{
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    closeDescriptor();
    m_candidates.clear();
    m_state = State::Unconnected;
    m_out.clear();
    m_outPos = 0;
}

void PlainSocketStream::closeDescriptor()
{
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void PlainSocketStream::fail(Failure failure, int error)
{
    if (m_fd < 0 && m_state == State::Unconnected)
        return;
    closeDescriptor();
    m_state = State::Unconnected;
    m_failure = failure;
    m_errorString = errnoText(error);
    Q_EMIT errorOccurred();
}

QTcpSocket *PlainSocketStream::release()
{
    if (m_fd < 0 || m_state != State::Connected)
        return nullptr;
    const int fd = m_fd;
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    m_fd = -1;
    m_state = State::Unconnected;
    auto *socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(fd, QAbstractSocket::ConnectedState)) {
        ::close(fd);
        delete socket;
        return nullptr;
    }
    // What write() kept goes out first.
    if (bytesToWrite() > 0)
        socket->write(m_out.constData() + m_outPos, m_out.size() - m_outPos);
    m_out.clear();
    m_outPos = 0;
    return socket;
}

// --- QtSocketStream ---------------------------------------------------------------------------

QtSocketStream::QtSocketStream(QTcpSocket *socket, bool encryptedIsConnected, QObject *parent)
    : SocketStream(parent)
    , m_socket(socket)
    , m_tls(encryptedIsConnected)
    , m_peerAddress(socket->peerAddress())
    , m_peerPort(socket->peerPort())
{
    socket->setParent(this);
    const auto onConnected = [this] {
        m_encrypted = true;
        m_peerAddress = m_socket->peerAddress();
        m_peerPort = m_socket->peerPort();
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        Q_EMIT connected();
    };
    if (auto *tls = qobject_cast<QSslSocket *>(socket); tls && encryptedIsConnected)
        connect(tls, &QSslSocket::encrypted, this, onConnected);
    else
        connect(socket, &QTcpSocket::connected, this, onConnected);
    // Bounds what Qt reads ahead for one connection; past it TCP flow control pushes back.
    socket->setReadBufferSize(kMaxBufferedInBytes);
    if (socket->state() == QAbstractSocket::ConnectedState) {
        m_encrypted = true;
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    }
    connect(socket, &QTcpSocket::readyRead, this, &SocketStream::readyRead);
    connect(socket, &QTcpSocket::bytesWritten, this, &SocketStream::bytesWritten);
    connect(socket, &QTcpSocket::disconnected, this, &SocketStream::disconnected);
    connect(socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        // The peer's orderly close of an established stream is its end (disconnected()), not
        // a failure to report twice; before the handshake is done it is a failure.
        if (error != QAbstractSocket::RemoteHostClosedError || !m_encrypted)
            Q_EMIT errorOccurred();
    });
}

QtSocketStream::~QtSocketStream()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

SocketStream::State QtSocketStream::state() const
{
    if (!m_socket)
        return State::Unconnected;
    switch (m_socket->state()) {
    case QAbstractSocket::ConnectedState:
        return m_encrypted ? State::Connected : State::Connecting;
    case QAbstractSocket::HostLookupState:
    case QAbstractSocket::ConnectingState:
        return State::Connecting;
    case QAbstractSocket::ClosingState:
        return State::Closing;
    default:
        return State::Unconnected;
    }
}

qint64 QtSocketStream::bytesAvailable() const
{
    return m_socket ? m_socket->bytesAvailable() : 0;
}

QByteArray QtSocketStream::readAll()
{
    return m_socket ? m_socket->readAll() : QByteArray();
}

void QtSocketStream::write(QByteArrayView data)
{
    if (!m_socket || data.isEmpty())
        return;
    m_socket->write(data.data(), data.size());
    m_socket->flush(); // now, not on the next pass of the event loop
}

qint64 QtSocketStream::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

bool QtSocketStream::shutdownWrite()
{
    // TLS needs close_notify (disconnectFromHost()); a half-close below it would cut the record
    // stream. Plain QTcpSockets are not used here, so there is nothing else to do.
    return false;
}

void QtSocketStream::disconnectFromHost()
{
    if (m_socket)
        m_socket->disconnectFromHost();
}

void QtSocketStream::abort()
{
    if (m_socket)
        m_socket->abort();
}

QList<QSslCertificate> QtSocketStream::peerCertificateChain() const
{
    if (const auto *tls = qobject_cast<const QSslSocket *>(m_socket))
        return tls->peerCertificateChain();
    return {};
}

SocketStream::Failure QtSocketStream::failure() const
{
    if (!m_socket)
        return Failure::None;
    switch (m_socket->error()) {
    case QAbstractSocket::UnknownSocketError:
        return Failure::None;
    case QAbstractSocket::RemoteHostClosedError:
        return m_encrypted ? Failure::PeerClosed : (m_tls ? Failure::TlsHandshake : Failure::Refused);
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        return m_encrypted ? Failure::Reset : Failure::TlsHandshake;
    default:
        return m_encrypted ? Failure::Reset : Failure::Refused;
    }
}

QString QtSocketStream::errorString() const
{
    return m_socket ? m_socket->errorString() : QString();
}

QTcpSocket *QtSocketStream::release()
{
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    if (socket) {
        socket->disconnect(this);
        socket->setParent(nullptr);
    }
    return socket;
}

} // namespace Conflux::Http::Internal
