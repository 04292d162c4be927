#pragma once

// Test support: a deliberately small HTTP/1.1 server standing in for a webhook receiver.

#include <QHash>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QTcpSocket>

#include <algorithm>

namespace Conflux::Test {

// A deliberately small HTTP/1.1 server for webhook tests: answers the n-th request with
// statuses[n] (the last one repeats), or never when `hang` is set, and records requests.
class WebhookServer : public QObject
{
public:
    struct Request
    {
        QByteArray head;
        QByteArray body;
        QByteArray header(const QByteArray &name) const
        {
            for (const QByteArray &line : head.split('\n')) {
                const qsizetype colon = line.indexOf(':');
                if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                    return line.mid(colon + 1).trimmed();
            }
            return {};
        }
    };

    explicit WebhookServer(QList<int> statuses, bool hang = false) : m_statuses(std::move(statuses)), m_hang(hang)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        if (!m_server.listen(QHostAddress::LocalHost, 0))
            qFatal("cannot listen");
    }

    QString url(const QString &path = QStringLiteral("/hook")) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path);
    }
    const QList<Request> &requests() const { return m_requests; }

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        Request request;
        request.head = buffer.left(end);
        const qsizetype length = request.header("Content-Length").toLongLong();
        if (buffer.size() < end + 4 + length)
            return;
        request.body = buffer.mid(end + 4, length);
        m_buffers.remove(socket);
        const int status = m_statuses.at(std::min<qsizetype>(m_requests.size(), m_statuses.size() - 1));
        m_requests.append(request);
        if (m_hang)
            return;
        socket->write(QByteArray("HTTP/1.1 ") + QByteArray::number(status)
                      + " Test\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QList<int> m_statuses;
    bool m_hang = false;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<Request> m_requests;
};


} // namespace Conflux::Test
