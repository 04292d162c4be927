#pragma once

// Test support: a deliberately small, scripted HTTP/1.1 server standing in for a webhook
// receiver or a JWKS endpoint.

#include <QHash>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

#include <algorithm>
#include <initializer_list>

namespace Conflux::Test {

// Answers the n-th request with answers[n] (the last one repeats), or never when `hang` is
// set, and records requests.
class WebhookServer : public QObject
{
public:
    struct Answer
    {
        int status = 200;
        QByteArray body = "ok";
        QByteArray cacheControl; // sent as Cache-Control when not empty
    };

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

    explicit WebhookServer(std::initializer_list<int> statuses, bool hang = false) : WebhookServer(answersFor(statuses), hang) {}
    explicit WebhookServer(QList<Answer> answers, bool hang = false) : m_answers(std::move(answers)), m_hang(hang)
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
    QUrl jwksUrl() const { return QUrl(url(QStringLiteral("/jwks"))); }
    const QList<Request> &requests() const { return m_requests; }
    void setAnswers(QList<Answer> answers) { m_answers = std::move(answers); }

private:
    static QList<Answer> answersFor(std::initializer_list<int> statuses)
    {
        QList<Answer> out;
        for (int status : statuses)
            out.append({status, "ok", {}});
        return out;
    }

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
        const Answer answer = m_answers.at(std::min<qsizetype>(m_requests.size(), m_answers.size() - 1));
        m_requests.append(request);
        if (m_hang)
            return;
        QByteArray response = "HTTP/1.1 " + QByteArray::number(answer.status) + " Test\r\n";
        if (!answer.cacheControl.isEmpty())
            response += "Cache-Control: " + answer.cacheControl + "\r\n";
        response += "Content-Length: " + QByteArray::number(answer.body.size()) + "\r\nConnection: close\r\n\r\n";
        socket->write(response + answer.body);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QList<Answer> m_answers;
    bool m_hang = false;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<Request> m_requests;
};


} // namespace Conflux::Test
