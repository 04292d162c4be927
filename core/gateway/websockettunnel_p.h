#pragma once

// Byte pipe between a client and an upstream after a WebSocket upgrade. Private to the gateway.

#include <QObject>

class QTcpSocket;
class QTimer;

namespace Conflux::Gateway::Internal {

// Relays bytes both ways until either side closes (the other is then closed once its pending
// output is written) or nothing moved for `idleTimeoutMs`. Owns both sockets and deletes
// itself when done. Back-pressure: a side is not read while the other has more than 1 MiB
// waiting to be written. Frames are not parsed: the tunnel is transparent.
class WebSocketTunnel final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebSocketTunnel)

public:
    // `toUpstream`: bytes the client sent after its upgrade request; `toClient`: bytes the
    // upstream sent after its 101 response.
    WebSocketTunnel(QTcpSocket *client, QTcpSocket *upstream, const QByteArray &toUpstream, const QByteArray &toClient,
                    int idleTimeoutMs, QObject *parent);
    ~WebSocketTunnel() override;

    static int openTunnels();

private:
    void relay(QTcpSocket *from, QTcpSocket *to);
    void closed(QTcpSocket *side);
    void maybeFinish();

    QTcpSocket *m_client;
    QTcpSocket *m_upstream;
    QTimer *m_idle;
    bool m_finishing = false;
};

} // namespace Conflux::Gateway::Internal
