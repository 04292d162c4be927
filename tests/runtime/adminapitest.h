#pragma once

// What the admin API tests over real HTTP share (tst_endpointapi, tst_syncapi): a blocking
// request with an optional bearer token and JSON body, its reply, and the project files the
// tests write.

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace Conflux::Test {

struct AdminReply
{
    int status = 0;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString code() const { return json()[u"error"][u"code"].toString(); }
    QString message() const { return json()[u"error"][u"message"].toString(); }
};

// `method` on `url`, waited for in a local event loop; a non-empty body goes as JSON.
inline AdminReply adminRequest(QNetworkAccessManager &network, const QByteArray &method,
                               const QUrl &url, const QString &token, const QByteArray &body = {})
{
    QNetworkRequest request(url);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    QNetworkReply *reply = network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    AdminReply out {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                    reply->readAll()};
    reply->deleteLater();
    return out;
}

inline bool writeFile(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
}

// An Endpoint document; `rest` holds further members ("url": ..., ...), or nothing.
inline QByteArray endpointDocument(const QString &id, const QString &type,
                                   const QString &protocol, const QString &rest)
{
    return QStringLiteral("{\"kind\": \"Endpoint\", \"schemaVersion\": 1, \"id\": \"%1\", "
                          "\"name\": \"%1\", \"type\": \"%2\", \"protocol\": \"%3\"%4}\n")
        .arg(id, type, protocol, rest.isEmpty() ? QString() : QStringLiteral(", ") + rest)
        .toUtf8();
}

// The object of `list` whose "id" is `id`, or an empty one.
inline QJsonObject byId(const QJsonArray &list, const QString &id)
{
    for (const QJsonValue &item : list) {
        if (item[u"id"].toString() == id)
            return item.toObject();
    }
    return {};
}

} // namespace Conflux::Test
