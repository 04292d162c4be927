#pragma once

#include "httpheaders.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QSslCertificate>
#include <QString>
#include <QUrlQuery>

namespace Conflux::Http {

// One parsed HTTP/1.x request. A plain value type, produced by HttpRequestParser (which fills
// everything except the connection fields) and completed by HttpServer (peer, isSecure,
// requestId) before a handler sees it.
//
// Everything here has passed the strict checks of HttpRequestParser: the method and header
// names are tokens, header values hold no control characters, the body is complete and
// already de-chunked, and `path` is valid UTF-8 without NUL.
struct HttpRequest
{
    QByteArray method;   // as sent, case-sensitive ("GET", "POST", ...)
    QByteArray target;   // the raw request-target, e.g. "/api/v1/items?limit=10%20"
    QByteArray rawPath;  // the path part of the target, still percent-encoded
    QString path;        // rawPath percent-decoded as UTF-8 ("*" for OPTIONS *)
    QUrlQuery query;     // the query part of the target ("" when there is none)
    QByteArray version;  // "HTTP/1.0" or "HTTP/1.1"
    HttpHeaders headers; // in the order received
    HttpHeaders trailers; // fields of a chunked body's trailer section, kept apart from headers
    QByteArray body;     // the decoded body; empty when the request has none

    // Whether the connection may stay open after the response: HTTP/1.1 unless
    // "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".
    bool keepAlive = true;

    // Set by HttpServer.
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    bool isSecure = false;  // received over TLS
    // The client's certificate (first) and its chain, when the TLS server asked for one and
    // the client sent it; verified against the server's CA certificates when it requires one.
    QList<QSslCertificate> peerCertificateChain;
    QString requestId;      // the X-Request-Id echoed on the response

    // First value of a header (case-insensitive name), or an empty array.
    QByteArray header(QByteArrayView name) const { return headers.value(name); }
    bool hasHeader(QByteArrayView name) const { return headers.contains(name); }
    bool isHttp11() const { return version == "HTTP/1.1"; }
};

} // namespace Conflux::Http
