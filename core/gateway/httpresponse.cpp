#include "httpresponse.h"

#include <charconv>

#include "httpgrammar_p.h"

#include <base/result.h>

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

namespace Conflux::Http {

using namespace Internal;

namespace {

struct StatusInfo
{
    int status;
    const char *reason;
    const char *code;
};

constexpr StatusInfo kStatuses[] = {
    {100, "Continue", "continue"},
    {101, "Switching Protocols", "switching_protocols"},
    {200, "OK", "ok"},
    {201, "Created", "created"},
    {202, "Accepted", "accepted"},
    {204, "No Content", "no_content"},
    {206, "Partial Content", "partial_content"},
    {301, "Moved Permanently", "moved_permanently"},
    {302, "Found", "found"},
    {303, "See Other", "see_other"},
    {304, "Not Modified", "not_modified"},
    {307, "Temporary Redirect", "temporary_redirect"},
    {308, "Permanent Redirect", "permanent_redirect"},
    {400, "Bad Request", "bad_request"},
    {401, "Unauthorized", "unauthorized"},
    {403, "Forbidden", "forbidden"},
    {404, "Not Found", "not_found"},
    {405, "Method Not Allowed", "method_not_allowed"},
    {406, "Not Acceptable", "not_acceptable"},
    {408, "Request Timeout", "request_timeout"},
    {409, "Conflict", "conflict"},
    {410, "Gone", "gone"},
    {411, "Length Required", "length_required"},
    {412, "Precondition Failed", "precondition_failed"},
    {413, "Content Too Large", "payload_too_large"},
    {414, "URI Too Long", "uri_too_long"},
    {415, "Unsupported Media Type", "unsupported_media_type"},
    {417, "Expectation Failed", "expectation_failed"},
    {422, "Unprocessable Content", "unprocessable_content"},
    {428, "Precondition Required", "precondition_required"},
    {429, "Too Many Requests", "too_many_requests"},
    {431, "Request Header Fields Too Large", "header_fields_too_large"},
    {500, "Internal Server Error", "internal_error"},
    {501, "Not Implemented", "not_implemented"},
    {502, "Bad Gateway", "bad_gateway"},
    {503, "Service Unavailable", "service_unavailable"},
    {504, "Gateway Timeout", "gateway_timeout"},
    {505, "HTTP Version Not Supported", "http_version_not_supported"},
};

const StatusInfo *findStatus(int status)
{
    for (const StatusInfo &info : kStatuses) {
        if (info.status == status)
            return &info;
    }
    return nullptr;
}

bool isValidReason(QByteArrayView reason)
{
    for (char c : reason) {
        if (!isFieldValueChar(c))
            return false;
    }
    return true;
}

bool isFramingField(QByteArrayView name)
{
    return equalsIgnoringCase(name, "content-length") || equalsIgnoringCase(name, "transfer-encoding")
           || equalsIgnoringCase(name, "connection") || equalsIgnoringCase(name, "keep-alive")
           || equalsIgnoringCase(name, "date");
}

bool isValidField(const HttpHeaders::Field &field)
{
    if (!isToken(field.first))
        return false;
    for (char c : field.second) {
        if (!isFieldValueChar(c))
            return false;
    }
    return true;
}

// The Date value changes once a second; formatting it per response would dominate small ones.
QByteArray currentHttpDate()
{
    thread_local qint64 cachedSecond = -1;
    thread_local QByteArray cached;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 second = now.toSecsSinceEpoch();
    if (second != cachedSecond) {
        cached = HttpResponse::httpDate(now);
        cachedSecond = second;
    }
    return cached;
}

} // namespace

HttpResponse::HttpResponse(int status, const QByteArray &body, const QByteArray &contentType)
    : m_status(status)
{
    setBody(body, contentType);
}

QByteArray HttpResponse::reasonPhrase() const
{
    return m_reason.isEmpty() || !isValidReason(m_reason) ? standardReasonPhrase(m_status) : m_reason;
}

void HttpResponse::setBody(const QByteArray &body, const QByteArray &contentType)
{
    m_body = body;
    if (!contentType.isEmpty())
        m_headers.set("Content-Type", contentType);
}

HttpResponse HttpResponse::json(int status, const QJsonObject &object)
{
    return json(status, QJsonDocument(object));
}

HttpResponse HttpResponse::json(int status, const QJsonDocument &document)
{
    return HttpResponse(status, document.toJson(QJsonDocument::Compact), "application/json");
}

HttpResponse HttpResponse::text(int status, const QString &text, const QByteArray &contentType)
{
    return HttpResponse(status, text.toUtf8(), contentType);
}

HttpResponse HttpResponse::error(int status, const QString &code, const QString &message,
                                 const QJsonArray &details)
{
    QJsonObject error;
    error.insert(QStringLiteral("code"), code);
    error.insert(QStringLiteral("message"), message);
    error.insert(QStringLiteral("details"), details);
    QJsonObject root;
    root.insert(QStringLiteral("error"), error);
    return json(status, root);
}

HttpResponse HttpResponse::error(int status, const Conflux::Error &error)
{
    return HttpResponse::error(status, error.code, error.message, QJsonArray::fromStringList(error.details));
}

HttpResponse HttpResponse::methodNotAllowed(const QByteArray &allow)
{
    HttpResponse response = error(405, QStringLiteral("method_not_allowed"),
                                  QStringLiteral("method not allowed; use %1").arg(QString::fromLatin1(allow)));
    response.setHeader("Allow", allow);
    return response;
}

QByteArray HttpResponse::standardReasonPhrase(int status)
{
    const StatusInfo *info = findStatus(status);
    return info ? QByteArray(info->reason) : QByteArray("Unknown");
}

QString HttpResponse::standardErrorCode(int status)
{
    const StatusInfo *info = findStatus(status);
    if (info)
        return QString::fromLatin1(info->code);
    return status >= 500 ? QStringLiteral("internal_error") : QStringLiteral("bad_request");
}

QByteArray HttpResponse::httpDate(const QDateTime &time)
{
    return QLocale::c()
        .toString(time.toUTC(), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
        .toLatin1();
}

QByteArray HttpResponse::serialize(const WireOptions &options) const
{
    const int status = (m_status >= 100 && m_status <= 599) ? m_status : 500;
    const bool bodyAllowed = status >= 200 && status != 204 && status != 304;
    const bool bodySent = bodyAllowed && !options.headRequest;
    const auto appendNumber = [](QByteArray &out, qint64 value) {
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
        out.append(digits, end - digits);
    };

    qsizetype size = 160 + options.requestId.size() + (bodySent ? m_body.size() : 0);
    for (const HttpHeaders::Field &field : m_headers)
        size += field.first.size() + field.second.size() + 4;
    QByteArray out;
    out.reserve(size);
    out.append("HTTP/1.1 ");
    appendNumber(out, status);
    out.append(' ');
    out.append(status == m_status ? reasonPhrase() : standardReasonPhrase(status));
    out.append("\r\n");

    out.append("Date: ");
    out.append(currentHttpDate());
    out.append("\r\n");
    for (const HttpHeaders::Field &field : m_headers) {
        if (isFramingField(field.first) || !isValidField(field))
            continue;
        if (!options.requestId.isEmpty() && HttpHeaders::nameEquals(field.first, "x-request-id"))
            continue;
        out.append(field.first);
        out.append(": ");
        out.append(field.second);
        out.append("\r\n");
    }
    if (!options.requestId.isEmpty()) {
        out.append("X-Request-Id: ");
        out.append(options.requestId);
        out.append("\r\n");
    }
    if (bodyAllowed) {
        out.append("Content-Length: ");
        appendNumber(out, m_body.size());
        out.append("\r\n");
    }
    if (options.upgrade)
        out.append("Connection: Upgrade\r\n");
    else if (options.closeConnection)
        out.append("Connection: close\r\n");
    else if (options.explicitKeepAlive)
        out.append("Connection: keep-alive\r\n");
    out.append("\r\n");
    if (bodySent)
        out.append(m_body);
    return out;
}

} // namespace Conflux::Http
