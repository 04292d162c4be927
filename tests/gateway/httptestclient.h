#pragma once

// Test support for the HTTP server and gateway suites: a raw-socket client that reads
// responses off the wire, and an echoing handler.

#include <gateway/httprequest.h>
#include <gateway/httpresponse.h>

#include <QByteArray>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <optional>

namespace Conflux::Test {

using Conflux::Http::HttpRequest;
using Conflux::Http::HttpResponse;

struct Response
{
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &field : headers) {
            if (field.first.compare(name, Qt::CaseInsensitive) == 0)
                return field.second;
        }
        return {};
    }
    QList<QByteArray> values(QByteArrayView name) const
    {
        QList<QByteArray> out;
        for (const auto &field : headers) {
            if (field.first.compare(name, Qt::CaseInsensitive) == 0)
                out.append(field.second);
        }
        return out;
    }
    bool hasHeader(QByteArrayView name) const
    {
        for (const auto &field : headers) {
            if (field.first.compare(name, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// Takes one complete response off the front of `buffer` (a deliberately small client-side
// reader: status line, fields, Content-Length body).
inline bool takeResponse(QByteArray &buffer, Response *out, bool headRequest = false)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    Response response;
    const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
    if (statusLine.size() < 2 || !statusLine.first().startsWith("HTTP/1.1"))
        return false;
    response.status = statusLine.at(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        response.headers.append({line.left(colon), line.mid(colon + 1).trimmed()});
    }
    qsizetype length = 0;
    if (!headRequest && response.status >= 200)
        length = response.header("content-length").toLongLong();
    if (buffer.size() < end + 4 + length)
        return false;
    response.body = buffer.mid(end + 4, length);
    buffer.remove(0, end + 4 + length);
    *out = response;
    return true;
}

class Client
{
public:
    explicit Client(std::unique_ptr<QTcpSocket> socket = std::make_unique<QTcpSocket>())
        : m_socket(std::move(socket))
    {
    }

    bool connectTo(quint16 port)
    {
        m_socket->connectToHost(QHostAddress::LocalHost, port);
        return QTest::qWaitFor([this] { return m_socket->state() == QAbstractSocket::ConnectedState; }, 5000);
    }

    void send(const QByteArray &data)
    {
        m_socket->write(data);
        m_socket->flush();
    }

    std::optional<Response> read(int timeoutMs = 5000, bool headRequest = false)
    {
        Response response;
        const bool ok = QTest::qWaitFor(
            [&] {
                m_buffer += m_socket->readAll();
                return takeResponse(m_buffer, &response, headRequest);
            },
            timeoutMs);
        if (!ok)
            return std::nullopt;
        return response;
    }

    bool waitClosed(int timeoutMs = 5000)
    {
        return QTest::qWaitFor(
            [this] {
                m_buffer += m_socket->readAll();
                return m_socket->state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
    }

    bool isConnected() const { return m_socket->state() == QAbstractSocket::ConnectedState; }
    QByteArray &buffer() { return m_buffer; }
    QTcpSocket *socket() { return m_socket.get(); }

private:
    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_buffer;
};

// Sends raw request bytes on a new connection and reads one response.
inline std::optional<Response> exchange(quint16 port, const QByteArray &raw, int timeoutMs = 10000)
{
    Client client;
    if (!client.connectTo(port))
        return std::nullopt;
    client.send(raw);
    return client.read(timeoutMs);
}

inline QByteArray get(const QByteArray &path, const QByteArray &extraHeaders = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extraHeaders + "\r\n";
}

// Answers with the path, and the body when there is one.
inline HttpResponse echo(const HttpRequest &request)
{
    HttpResponse response = HttpResponse::text(200, request.path);
    if (!request.body.isEmpty())
        response.setBody(request.body, "application/octet-stream");
    response.setHeader("X-Secure", request.isSecure ? "yes" : "no");
    return response;
}

} // namespace Conflux::Test
