#include "websockettunnel_p.h"

#include <QTcpSocket>
#include <QTimer>

#include <atomic>

namespace Conflux::Gateway::Internal {

namespace {

constexpr qint64 kMaxPendingBytes = 1024 * 1024;
std::atomic<int> g_open{0};

} // namespace

WebSocketTunnel::WebSocketTunnel(QTcpSocket *client, QTcpSocket *upstream, const QByteArray &toUpstream,
                                 const QByteArray &toClient, int idleTimeoutMs, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_upstream(upstream)
    , m_idle(new QTimer(this))
{
    ++g_open;
    m_client->setParent(this);
    m_upstream->setParent(this);
    m_client->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_upstream->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_idle->setSingleShot(true);
    connect(m_idle, &QTimer::timeout, this, [this] {
        m_client->abort();
        m_upstream->abort();
        maybeFinish();
    });
    for (QTcpSocket *side : {m_client, m_upstream}) {
        QTcpSocket *other = side == m_client ? m_upstream : m_client;
        connect(side, &QTcpSocket::readyRead, this, [this, side, other] { relay(side, other); });
        // Output drained on one side: the other may be read again.
        connect(side, &QTcpSocket::bytesWritten, this, [this, side, other] {
            if (side->bytesToWrite() <= kMaxPendingBytes)
                relay(other, side);
        });
        connect(side, &QTcpSocket::disconnected, this, [this, side] { closed(side); });
        connect(side, &QAbstractSocket::stateChanged, this, &WebSocketTunnel::maybeFinish);
    }
    if (idleTimeoutMs > 0)
        m_idle->setInterval(idleTimeoutMs);
    if (!toUpstream.isEmpty())
        m_upstream->write(toUpstream);
    if (!toClient.isEmpty())
        m_client->write(toClient);
    m_idle->start();
    // Bytes that arrived before the tunnel existed.
    relay(m_client, m_upstream);
    relay(m_upstream, m_client);
    if (m_client->state() != QAbstractSocket::ConnectedState)
        QMetaObject::invokeMethod(this, [this] { closed(m_client); }, Qt::QueuedConnection);
    if (m_upstream->state() != QAbstractSocket::ConnectedState)
        QMetaObject::invokeMethod(this, [this] { closed(m_upstream); }, Qt::QueuedConnection);
}

WebSocketTunnel::~WebSocketTunnel()
{
    --g_open;
    m_client->disconnect(this);
    m_upstream->disconnect(this);
}

int WebSocketTunnel::openTunnels()
{
    return g_open.load();
}

void WebSocketTunnel::relay(QTcpSocket *from, QTcpSocket *to)
{
    if (m_finishing || to->bytesToWrite() > kMaxPendingBytes)
        return;
    const qint64 available = from->bytesAvailable();
    if (available <= 0)
        return;
    to->write(from->read(std::min(available, kMaxPendingBytes)));
    m_idle->start();
}

void WebSocketTunnel::closed(QTcpSocket *side)
{
    if (m_finishing)
        return;
    m_finishing = true;
    QTcpSocket *other = side == m_client ? m_upstream : m_client;
    // What the closing side sent last still goes through.
    if (side->bytesAvailable() > 0)
        other->write(side->readAll());
    other->disconnectFromHost(); // after its pending output
    maybeFinish();
}

void WebSocketTunnel::maybeFinish()
{
    if (m_client->state() == QAbstractSocket::UnconnectedState && m_upstream->state() == QAbstractSocket::UnconnectedState)
        deleteLater();
}

} // namespace Conflux::Gateway::Internal
