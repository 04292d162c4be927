#pragma once

#include "httpheaders.h"

#include <QByteArray>
#include <QJsonArray>
#include <QString>

class QDateTime;
class QJsonDocument;
class QJsonObject;

namespace Conflux {
struct Error;
}

namespace Conflux::Http {

// An HTTP response as a handler returns it: status, optional reason phrase, header fields
// and a complete body. A plain value type.
//
// Framing is the server's business: Content-Length, Transfer-Encoding, Connection, Keep-Alive
// and Date set here are ignored by serialize(), which writes its own. Fields whose name is not
// a token or whose value holds CR, LF, NUL or other control characters are dropped on
// serialization so that a handler cannot split the response.
class HttpResponse
{
public:
    HttpResponse() = default; // 200, no body
    explicit HttpResponse(int status, const QByteArray &body = {}, const QByteArray &contentType = {});

    int status() const { return m_status; }
    void setStatus(int status) { m_status = status; }

    // The reason phrase sent; the standard one for the status unless set.
    QByteArray reasonPhrase() const;
    void setReasonPhrase(const QByteArray &reason) { m_reason = reason; }

    HttpHeaders &headers() { return m_headers; }
    const HttpHeaders &headers() const { return m_headers; }
    QByteArray header(QByteArrayView name) const { return m_headers.value(name); }
    void setHeader(const QByteArray &name, const QByteArray &value) { m_headers.set(name, value); }
    void addHeader(const QByteArray &name, const QByteArray &value) { m_headers.append(name, value); }

    const QByteArray &body() const { return m_body; }
    // Sets the body and, when `contentType` is not empty, the Content-Type field.
    void setBody(const QByteArray &body, const QByteArray &contentType = {});

    // `application/json` responses with a compact JSON body.
    static HttpResponse json(int status, const QJsonObject &object);
    static HttpResponse json(int status, const QJsonDocument &document);
    // A text body encoded as UTF-8.
    static HttpResponse text(int status, const QString &text,
                             const QByteArray &contentType = "text/plain; charset=utf-8");
    // The project's error shape:
    //   {"error": {"code": "...", "message": "...", "details": [...]}}
    static HttpResponse error(int status, const QString &code, const QString &message,
                              const QJsonArray &details = {});
    // The same from a Conflux::Error (its details become strings in "details").
    static HttpResponse error(int status, const Conflux::Error &error);
    // 405 "method_not_allowed" with the Allow field, e.g. methodNotAllowed("GET, HEAD").
    static HttpResponse methodNotAllowed(const QByteArray &allow);

    // The standard reason phrase ("Not Found"), or "Unknown" for unregistered codes.
    static QByteArray standardReasonPhrase(int status);
    // A stable snake_case error code for a status ("not_found", "payload_too_large", ...).
    static QString standardErrorCode(int status);
    // An IMF-fixdate as used by the Date field ("Sun, 06 Nov 1994 08:49:37 GMT").
    static QByteArray httpDate(const QDateTime &time);

    struct WireOptions
    {
        bool closeConnection = false;   // add "Connection: close"
        bool explicitKeepAlive = false; // add "Connection: keep-alive" (HTTP/1.0 clients)
        bool headRequest = false;       // send the headers of the body but not the body
        bool upgrade = false;           // add "Connection: Upgrade" (a 101 switching protocols)
        QByteArrayView requestId;       // when set, sent as X-Request-Id (in place of any such field)
    };
    // The response as HTTP/1.1 bytes, with Date and, unless the status forbids a body
    // (1xx, 204, 304), Content-Length. Statuses outside 100..599 are sent as 500.
    QByteArray serialize(const WireOptions &options) const;
    QByteArray serialize() const { return serialize(WireOptions()); }

private:
    int m_status = 200;
    QByteArray m_reason;
    HttpHeaders m_headers;
    QByteArray m_body;
};

} // namespace Conflux::Http
