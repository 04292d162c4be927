#include "httpheaders.h"

#include "httpgrammar_p.h"

#include <array>
#include <cstring>

namespace Conflux::Http {

bool HttpHeaders::nameEquals(QByteArrayView a, QByteArrayView b)
{
    return Internal::equalsIgnoringCase(a, b);
}

qsizetype HttpHeaders::indexOf(QByteArrayView name, qsizetype from) const
{
    for (qsizetype i = qMax<qsizetype>(from, 0); i < m_fields.size(); ++i) {
        if (nameEquals(m_fields.at(i).first, name))
            return i;
    }
    return -1;
}

void HttpHeaders::set(const QByteArray &name, const QByteArray &value)
{
    const qsizetype first = indexOf(name);
    if (first < 0) {
        append(name, value);
        return;
    }
    m_fields[first] = {name, value};
    for (qsizetype i = m_fields.size() - 1; i > first; --i) {
        if (nameEquals(m_fields.at(i).first, name))
            m_fields.removeAt(i);
    }
}

qsizetype HttpHeaders::remove(QByteArrayView name)
{
    return m_fields.removeIf([name](const Field &field) { return nameEquals(field.first, name); });
}

QByteArray HttpHeaders::value(QByteArrayView name, const QByteArray &defaultValue) const
{
    const qsizetype i = indexOf(name);
    return i < 0 ? defaultValue : m_fields.at(i).second;
}

QList<QByteArray> HttpHeaders::values(QByteArrayView name) const
{
    QList<QByteArray> out;
    for (const Field &field : m_fields) {
        if (nameEquals(field.first, name))
            out.append(field.second);
    }
    return out;
}

qsizetype HttpHeaders::count(QByteArrayView name) const
{
    qsizetype n = 0;
    for (const Field &field : m_fields) {
        if (nameEquals(field.first, name))
            ++n;
    }
    return n;
}

bool HttpHeaders::hasToken(QByteArrayView name, QByteArrayView token) const
{
    for (const Field &field : m_fields) {
        if (!nameEquals(field.first, name))
            continue;
        QByteArrayView rest(field.second);
        while (!rest.isEmpty()) {
            const qsizetype comma = rest.indexOf(',');
            const QByteArrayView element = Internal::trimmedOws(comma < 0 ? rest : rest.first(comma));
            if (Internal::equalsIgnoringCase(element, token))
                return true;
            if (comma < 0)
                break;
            rest = rest.sliced(comma + 1);
        }
    }
    return false;
}

} // namespace Conflux::Http

namespace Conflux::Http::Internal {

namespace {

using namespace Qt::StringLiterals;

// An open-addressing table of the common tokens, keyed by length and the first and last bytes.
class InternTable
{
public:
    InternTable()
    {
        const QByteArray tokens[] = {
            // methods, versions, reasons
            "GET"_ba, "HEAD"_ba, "POST"_ba, "PUT"_ba, "DELETE"_ba, "PATCH"_ba, "OPTIONS"_ba,
            "HTTP/1.1"_ba, "HTTP/1.0"_ba, "OK"_ba, "Created"_ba, "No Content"_ba, "Not Found"_ba,
            // field names as clients and servers usually spell them
            "Host"_ba, "User-Agent"_ba, "Accept"_ba, "Accept-Encoding"_ba, "Accept-Language"_ba,
            "Accept-Ranges"_ba, "Authorization"_ba, "Cache-Control"_ba, "Connection"_ba, "Content-Encoding"_ba,
            "Content-Length"_ba, "Content-Type"_ba, "Cookie"_ba, "Date"_ba, "ETag"_ba, "Expires"_ba,
            "If-Modified-Since"_ba, "If-None-Match"_ba, "Keep-Alive"_ba, "Last-Modified"_ba, "Location"_ba,
            "Origin"_ba, "Pragma"_ba, "Referer"_ba, "Server"_ba, "Set-Cookie"_ba, "Transfer-Encoding"_ba,
            "Upgrade"_ba, "Vary"_ba, "X-Api-Key"_ba, "X-Forwarded-For"_ba, "X-Forwarded-Host"_ba,
            "X-Forwarded-Proto"_ba, "X-Request-Id"_ba, "traceparent"_ba, "tracestate"_ba,
            "host"_ba, "user-agent"_ba, "accept"_ba, "accept-encoding"_ba, "authorization"_ba,
            "cache-control"_ba, "connection"_ba, "content-length"_ba, "content-type"_ba, "date"_ba,
            "server"_ba, "x-api-key"_ba, "x-request-id"_ba,
            // values
            "keep-alive"_ba, "close"_ba, "chunked"_ba, "gzip"_ba, "*/*"_ba, "no-cache"_ba,
            "application/json"_ba, "text/plain"_ba, "text/html"_ba, "application/xml"_ba, "text/xml"_ba,
        };
        for (const QByteArray &token : tokens) {
            std::size_t i = slot(token);
            while (!m_slots[i].isNull())
                i = (i + 1) % m_slots.size();
            m_slots[i] = token;
        }
    }

    QByteArray find(QByteArrayView text) const
    {
        if (text.isEmpty() || text.size() > 24)
            return text.toByteArray();
        for (std::size_t i = slot(text);; i = (i + 1) % m_slots.size()) {
            const QByteArray &candidate = m_slots[i];
            if (candidate.isNull())
                return text.toByteArray();
            if (candidate.size() == text.size() && std::memcmp(candidate.constData(), text.data(), text.size()) == 0)
                return candidate;
        }
    }

private:
    std::size_t slot(QByteArrayView text) const
    {
        const auto first = uchar(text.front());
        const auto last = uchar(text.back());
        const auto middle = uchar(text[text.size() / 2]);
        return (std::size_t(text.size()) * 131 + first * 31 + middle * 7 + last) % m_slots.size();
    }

    std::array<QByteArray, 256> m_slots; // at most a third full, so chains stay short
};

} // namespace

QByteArray interned(QByteArrayView text)
{
    static const InternTable table;
    return table.find(text);
}

} // namespace Conflux::Http::Internal
