#pragma once

// The byte stream under an HTTP connection, served or to an upstream. Private to the gateway.
//
// Plain TCP runs on the descriptor itself (PlainSocketStream): one read() per readiness
// event into a per-thread scratch buffer, writes straight to the kernel, the socket notifiers
// enabled only while there is something to wait for, and no signal per write. QTcpSocket
// asks the kernel how much is readable before every read, copies everything through two
// ring buffers and toggles its notifiers around every write; at tens of thousands of
// requests a second that was a fifth of the gateway's time. TLS stays on QSslSocket
// (QtSocketStream), which does the same job through OpenSSL.

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QString>

class QSocketNotifier;
class QTcpSocket;

namespace Conflux::Http::Internal {

class SocketStream : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SocketStream)

public:
    enum class State : quint8 { Unconnected, Connecting, Connected, Closing };
    enum class Failure : quint8 {
        None,
        PeerClosed,     // an orderly end of the stream from the peer
        Refused,        // connecting failed: refused, unreachable, no such host
        TlsHandshake,   // connecting failed in the TLS handshake
        Reset,          // an established connection failed (reset, broken pipe)
    };

    using QObject::QObject;
    ~SocketStream() override = default;

    virtual State state() const = 0;
    bool isConnected() const { return state() == State::Connected; }
    // Received bytes not taken yet.
    virtual qint64 bytesAvailable() const = 0;
    // Takes every received byte.
    virtual QByteArray readAll() = 0;
    // Sends at once what the kernel takes and keeps the rest; bytesWritten() tells when the
    // kept bytes are gone. Nothing happens when not connected.
    virtual void write(QByteArrayView data) = 0;
    // Bytes kept by write() and not yet sent.
    virtual qint64 bytesToWrite() const = 0;
    // Half-closes: sends FIN after the bytes kept, goes on reading. False when not possible.
    virtual bool shutdownWrite() = 0;
    // Closes once the kept bytes are sent (TLS: after close_notify); disconnected() follows,
    // at once when nothing is kept.
    virtual void disconnectFromHost() = 0;
    // Closes at once; what is kept is lost; no signal.
    virtual void abort() = 0;
    virtual QHostAddress peerAddress() const = 0;
    virtual quint16 peerPort() const = 0;
    virtual QList<QSslCertificate> peerCertificateChain() const { return {}; }
    virtual Failure failure() const = 0;
    virtual QString errorString() const = 0;
    // Hands the connection over as a QTcpSocket (with no parent) for a protocol switch; this
    // stream is left unconnected.
    virtual QTcpSocket *release() = 0;

Q_SIGNALS:
    void connected();
    void readyRead();
    // The bytes kept by write() are all sent.
    void bytesWritten();
    // The stream ended (after the last readyRead()); see failure().
    void disconnected();
    // Connecting failed, or the connection failed while open; disconnected() is not emitted
    // then.
    void errorOccurred();
};

// A TCP connection on its own descriptor.
class PlainSocketStream final : public SocketStream
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlainSocketStream)

public:
    // Adopts a connected, accepted descriptor (made non-blocking here).
    PlainSocketStream(int descriptor, QObject *parent);
    // Unconnected; call connectToHost().
    explicit PlainSocketStream(QObject *parent);
    ~PlainSocketStream() override;

    // Resolves `host` (an address literal at once, a name with QHostInfo) and connects to
    // its addresses in turn; connected() or errorOccurred() follows from the event loop.
    void connectToHost(const QString &host, quint16 port);

    State state() const override { return m_state; }
    qint64 bytesAvailable() const override { return m_in.size(); }
    QByteArray readAll() override;
    void write(QByteArrayView data) override;
    qint64 bytesToWrite() const override { return m_out.size() - m_outPos; }
    bool shutdownWrite() override;
    void disconnectFromHost() override;
    void abort() override;
    QHostAddress peerAddress() const override { return m_peerAddress; }
    quint16 peerPort() const override { return m_peerPort; }
    Failure failure() const override { return m_failure; }
    QString errorString() const override { return m_errorString; }
    QTcpSocket *release() override;

private:
    void setUp(int descriptor);
    void connectNext();
    void onReadable();
    void onWritable();
    // Sends from m_out; false when the connection failed.
    bool flushOut();
    void closeDescriptor();
    void fail(Failure failure, int error);
    void updateReadNotifier();

    int m_fd = -1;
    State m_state = State::Unconnected;
    Failure m_failure = Failure::None;
    bool m_peerClosed = false;
    bool m_shutdownPending = false; // shutdownWrite() once m_out is sent
    bool m_closePending = false;    // disconnectFromHost() once m_out is sent
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QByteArray m_in;
    QByteArray m_out;
    qsizetype m_outPos = 0;
    QHostAddress m_peerAddress;
    quint16 m_peerPort = 0;
    QString m_errorString;
    // Connecting: the addresses still to try, the port, the pending host-name lookup.
    QList<QHostAddress> m_candidates;
    quint16 m_connectPort = 0;
    int m_lookupId = -1;
};

// Any QTcpSocket (in practice a QSslSocket), its signals passed on.
class QtSocketStream final : public SocketStream
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(QtSocketStream)

public:
    // Takes ownership of `socket`. With `encryptedIsConnected`, connected() waits for the TLS
    // handshake (QSslSocket::encrypted).
    QtSocketStream(QTcpSocket *socket, bool encryptedIsConnected, QObject *parent);
    ~QtSocketStream() override;

    QTcpSocket *socket() const { return m_socket; }

    State state() const override;
    qint64 bytesAvailable() const override;
    QByteArray readAll() override;
    void write(QByteArrayView data) override;
    qint64 bytesToWrite() const override;
    bool shutdownWrite() override;
    void disconnectFromHost() override;
    void abort() override;
    QHostAddress peerAddress() const override { return m_peerAddress; }
    quint16 peerPort() const override { return m_peerPort; }
    QList<QSslCertificate> peerCertificateChain() const override;
    Failure failure() const override;
    QString errorString() const override;
    QTcpSocket *release() override;

private:
    QTcpSocket *m_socket;
    bool m_encrypted = false; // connected() seen
    bool m_tls = false;
    QHostAddress m_peerAddress; // kept: QTcpSocket forgets it on disconnect
    quint16 m_peerPort = 0;
};

} // namespace Conflux::Http::Internal
