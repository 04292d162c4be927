#pragma once

// What the parts of the OData connector share: its state (ODataConnector::Private) and the
// helpers of the wire format. The parts, by concern:
//   odatawire.cpp      the wire format: literals, dates, query encoding, error bodies
//   odatarequests.cpp  requests to the service, their errors, $metadata, entity sets
//   odataread.cpp      payload decoding, paging and next links, read() and query()
//   odatawrite.cpp     single-entity calls, the CSRF handshake, $batch, write()
//   odataconnector.cpp configuration, discovery and the factories

#include "connectors/httpclient.h"
#include "connectors/odataconnector.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTime>
#include <QUrl>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace Conflux::Connectors {

namespace ODataInternal {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::ODataConnector)
};

inline constexpr int kMaxPageSize = 100'000;
inline constexpr int kMaxBatchSize = 1000;
inline constexpr qint64 kMaxPages = 1'000'000;

bool isNumericType(QStringView t);
bool isDateTimeType(QStringView t);
// An ISO 8601 date-time (a zone-less one read as UTC), a date (midnight UTC) or a v2 "/Date()/".
std::optional<QDateTime> parseDateTime(const QString &text);
// "PT10H30M5.5S" → QTime
std::optional<QTime> parseDurationTime(QStringView text);
QString formatTime(const QTime &time);
QString numberText(const Data::Value &value);
// Splits "SalesOrders('a/b')/Items" at the slashes outside quoted literals.
QStringList splitPath(const QString &path);
QByteArray encodePathSegment(const QString &segment);

} // namespace ODataInternal

// ---- the connector's state -----------------------------------------------------------------

struct ODataConnector::Private
{
    EndpointSpec endpoint;
    Settings settings;
    std::unique_ptr<HttpClient> http;
    std::optional<ODataMetadata> metadata;
    QByteArray csrfToken;
    bool csrfNotNeeded = false;  // the service answered a fetch without a token
    int csrfFetches = 0;

    // One decoded response of a collection or an entity.
    struct Answer
    {
        std::vector<Data::Value> records;
        QString nextLink;
        std::optional<qint64> count;
    };

    // One GET of a paged query.
    struct Paging
    {
        QByteArray resourcePath;          // below the root, already encoded
        QList<std::pair<QByteArray, QByteArray>> options; // encoded, without $top/$skip
        std::optional<qint64> limit;      // $top over all pages
        qint64 skip = 0;
        int pageSize = 0;                 // client paging
        bool follow = true;
        bool single = false;              // one entity, not a collection
        const ODataStructuredType *type = nullptr;
    };

    // ---- requests (odatarequests.cpp) ----

    QString where(const QByteArray &method, const QUrl &url) const
    {
        return QString::fromLatin1(method) + u' ' + displayUrl(url);
    }

    QUrl withSapClient(QUrl url) const
    {
        if (settings.sapClient.isEmpty())
            return url;
        QByteArray query = url.query(QUrl::FullyEncoded).toLatin1();
        if (query.contains("sap-client="))
            return url;
        if (!query.isEmpty())
            query += '&';
        query += "sap-client=" + settings.sapClient.toLatin1();
        url.setQuery(QString::fromLatin1(query), QUrl::StrictMode);
        return url;
    }

    QUrl resolve(const QByteArray &relativeEncoded) const
    {
        return QUrl::fromEncoded(settings.serviceRoot.toEncoded() + relativeEncoded, QUrl::StrictMode);
    }

    Result<HttpResponse> send(HttpRequest request, const CancelToken *cancel);

    // A non-2xx answer as an error.
    Error statusError(const HttpResponse &response, const QByteArray &method, const QUrl &url) const;

    Result<Data::Value> parseJson(const HttpResponse &response, const QByteArray &method, const QUrl &url) const;

    // The cached $metadata (fetched when missing or on refresh); valid until the next refresh.
    Result<const ODataMetadata *> loadMetadata(bool refresh, const CancelToken *cancel);

    // The entity set and its type, or "unknown_entity".
    Result<std::pair<const ODataEntitySet *, const ODataEntityType *>> entitySet(const QString &name, const CancelToken *cancel);

    // The type of the records a path below the root gives, and whether it is one entity.
    const ODataStructuredType *pathType(const QString &path, bool hasKey, bool *single) const;

    // ---- reads (odataread.cpp) ----

    Result<Answer> decode(const HttpResponse &response, const QUrl &url, bool single,
                          const ODataStructuredType *type) const;

    // Where a next link leads, or "next_link_refused".
    Result<QUrl> nextUrl(const QString &link, const QUrl &current) const;

    QUrl pageUrl(const Paging &paging, qint64 skip, std::optional<qint64> top) const;

    Result<ODataPage> run(const Paging &paging, const PageSink *sink, const CancelToken *cancel);

    // ---- writes (odatawrite.cpp) ----

    Result<void> fetchCsrfToken(const CancelToken *cancel);

    // A modifying request with the CSRF handshake.
    Result<HttpResponse> sendWrite(HttpRequest request, const CancelToken *cancel);

    // Encodes a record for the wire.
    QByteArray body(const Data::Value &record, const ODataStructuredType *type) const;

    Result<QString> predicate(const ODataEntityType &type, const QStringList &keyFields, const Data::Value &key,
                              const QString &entitySetName) const;

    QByteArray entityPath(const QString &entitySetName, const QString &predicate) const;

    // Single-entity calls of the query API.
    Result<Data::Value> entityCall(const QByteArray &method, const QString &entitySetName, const QString &predicate,
                                   const Data::Value *record, const ODataEntityType *type, const CancelToken *cancel,
                                   int *status = nullptr);
};

} // namespace Conflux::Connectors
