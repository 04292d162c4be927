#include "odataconnector.h"

#include "base/log.h"
#include "connectors/httpclient.h"
#include "data/json.h"
#include "data/numbers.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QUuid>
#include <QXmlStreamReader>

#include <algorithm>
#include <climits>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::ODataConnector)
};

using Settings = ODataConnector::Settings;

constexpr int kMaxPageSize = 100'000;
constexpr int kMaxBatchSize = 1000;
constexpr qint64 kMaxPages = 1'000'000;

bool isIntegerType(QStringView t)
{
    return t == u"Edm.Int32" || t == u"Edm.Int64" || t == u"Edm.Int16" || t == u"Edm.Byte" || t == u"Edm.SByte";
}

bool isNumericType(QStringView t)
{
    return isIntegerType(t) || t == u"Edm.Decimal" || t == u"Edm.Double" || t == u"Edm.Single";
}

bool isDateTimeType(QStringView t)
{
    return t == u"Edm.DateTime" || t == u"Edm.DateTimeOffset";
}

QString quoted(QString text)
{
    return u'\'' + text.replace(u'\'', u"''"_s) + u'\'';
}

QString formatUtc(const QDateTime &time)
{
    const QDateTime utc = time.toUTC();
    return utc.toString(utc.time().msec() != 0 ? u"yyyy-MM-dd'T'HH:mm:ss.zzz'Z'"_s : u"yyyy-MM-dd'T'HH:mm:ss'Z'"_s);
}

// An ISO 8601 date-time (a zone-less one read as UTC), a date (midnight UTC) or a v2 "/Date()/".
std::optional<QDateTime> parseDateTime(const QString &text)
{
    if (const std::optional<QString> iso = OData::v2DateToIso(text))
        return parseDateTime(*iso);
    const QString trimmed = text.trimmed();
    if (trimmed.size() == 10) {
        const QDate date = QDate::fromString(trimmed, Qt::ISODate);
        if (date.isValid())
            return QDateTime(date, QTime(0, 0), Qt::UTC);
        return std::nullopt;
    }
    QDateTime time = QDateTime::fromString(trimmed, Qt::ISODateWithMs);
    if (!time.isValid())
        return std::nullopt;
    if (time.timeSpec() == Qt::LocalTime)
        time = QDateTime(time.date(), time.time(), Qt::UTC);
    return time.toUTC();
}

// "PT10H30M5.5S" → QTime
std::optional<QTime> parseDurationTime(QStringView text)
{
    static const QRegularExpression pattern(u"^PT(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+)(?:\\.(\\d{1,9}))?S)?$"_s);
    const QRegularExpressionMatch m = pattern.match(text);
    if (!m.hasMatch() || text.size() <= 2)
        return std::nullopt;
    const int h = m.capturedView(1).toInt();
    const int min = m.capturedView(2).toInt();
    const int s = m.capturedView(3).toInt();
    const int ms = m.capturedView(4).isEmpty() ? 0 : m.captured(4).left(3).leftJustified(3, u'0').toInt();
    const QTime time(h, min, s, ms);
    if (!time.isValid())
        return std::nullopt;
    return time;
}

QString formatTime(const QTime &time)
{
    return time.toString(time.msec() != 0 ? u"HH:mm:ss.zzz"_s : u"HH:mm:ss"_s);
}

bool isNumberText(QStringView text)
{
    static const QRegularExpression pattern(u"^-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?$"_s);
    return pattern.match(text).hasMatch();
}

QString numberText(const Data::Value &value)
{
    return value.hasExactText() ? value.exactText() : Data::formatNumberString(value.toDouble());
}

// Splits "SalesOrders('a/b')/Items" at the slashes outside quoted literals.
QStringList splitPath(const QString &path)
{
    QStringList segments;
    QString current;
    bool inQuote = false;
    for (const QChar c : path) {
        if (c == u'\'')
            inQuote = !inQuote;
        if (c == u'/' && !inQuote) {
            segments.append(current);
            current.clear();
        } else {
            current.append(c);
        }
    }
    segments.append(current);
    return segments;
}

QByteArray encodePathSegment(const QString &segment)
{
    return QUrl::toPercentEncoding(segment, "'(),:$*@!=");
}

bool hostMatches(const QString &host, const QString &pattern)
{
    if (pattern.startsWith(u"*."))
        return host.endsWith(QStringView(pattern).mid(1), Qt::CaseInsensitive);
    return host.compare(pattern, Qt::CaseInsensitive) == 0;
}

// Orders cursor values: numbers by value, date-times as instants, other strings as text.
int compareCursor(const Data::Value &a, const Data::Value &b)
{
    if (a.isNumber() && b.isNumber())
        return a.toDouble() < b.toDouble() ? -1 : a.toDouble() > b.toDouble() ? 1 : 0;
    if (a.isString() && b.isString()) {
        const std::optional<QDateTime> x = parseDateTime(a.toString());
        const std::optional<QDateTime> y = parseDateTime(b.toString());
        if (x && y)
            return *x < *y ? -1 : *y < *x ? 1 : 0;
        return a.toString().compare(b.toString());
    }
    return 0;
}

} // namespace

// ---- the wire format -----------------------------------------------------------------------

std::optional<QString> OData::v2DateToIso(QStringView text)
{
    static const QRegularExpression pattern(u"^/Date\\((-?\\d{1,15})(?:[+-](\\d{1,4}))?\\)/$"_s);
    if (!text.startsWith(u"/Date("))
        return std::nullopt;
    const QRegularExpressionMatch m = pattern.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    // The number is milliseconds since 1970 in UTC; the offset (minutes) only says which local
    // time the writer had in mind, so the instant does not depend on it.
    const qint64 ms = m.capturedView(1).toLongLong();
    return formatUtc(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC));
}

QByteArray OData::encodeQueryValue(const QString &value)
{
    return QUrl::toPercentEncoding(value, "'(),:/$*@!=");
}

Result<QString> OData::literal(const Data::Value &value, QStringView edmType, int version)
{
    if (value.isNull())
        return u"null"_s;
    const QString shown = value.isString() ? quoted(value.toString()) : QString::fromUtf8(Data::Json::serialize(value));
    auto invalid = [&] {
        return makeError("invalid_key", Tr::tr("The value %1 is not a literal of type %2").arg(shown, edmType.toString()));
    };
    const bool v2 = version == 2;
    if (edmType == u"Edm.String") {
        if (value.isString())
            return quoted(value.toString());
        if (value.isNumber())
            return quoted(numberText(value));
        if (value.isBool())
            return quoted(value.toBool() ? u"true"_s : u"false"_s);
        return invalid();
    }
    if (edmType == u"Edm.Boolean") {
        if (value.isBool())
            return value.toBool() ? u"true"_s : u"false"_s;
        if (value.isString() && (value.toString() == u"true" || value.toString() == u"false"))
            return value.toString();
        return invalid();
    }
    if (isNumericType(edmType)) {
        QString text;
        if (value.isNumber() && std::isfinite(value.toDouble()))
            text = numberText(value);
        else if (value.isString() && isNumberText(value.toString().trimmed()))
            text = value.toString().trimmed();
        else
            return invalid();
        if (isIntegerType(edmType) && !QRegularExpression(u"^-?\\d+$"_s).match(text).hasMatch())
            return invalid();
        if (v2) {
            if (edmType == u"Edm.Int64")
                text += u'L';
            else if (edmType == u"Edm.Decimal")
                text += u'M';
            else if (edmType == u"Edm.Double")
                text += u'd';
            else if (edmType == u"Edm.Single")
                text += u'f';
        }
        return text;
    }
    if (edmType == u"Edm.Guid") {
        static const QRegularExpression guid(u"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"_s);
        if (!value.isString() || !guid.match(value.toString()).hasMatch())
            return invalid();
        return v2 ? u"guid'"_s + value.toString() + u'\'' : value.toString();
    }
    if (isDateTimeType(edmType) || edmType == u"Edm.Date") {
        if (!value.isString())
            return invalid();
        const std::optional<QDateTime> time = parseDateTime(value.toString());
        if (!time)
            return invalid();
        if (edmType == u"Edm.Date")
            return time->date().toString(Qt::ISODate);
        const QString utc = formatUtc(*time);
        if (!v2)
            return utc;
        if (edmType == u"Edm.DateTime")
            return u"datetime'"_s + utc.chopped(1) + u'\'';
        return u"datetimeoffset'"_s + utc + u'\'';
    }
    if (edmType == u"Edm.TimeOfDay" || edmType == u"Edm.Time") {
        if (!value.isString())
            return invalid();
        std::optional<QTime> time = parseDurationTime(value.toString());
        if (!time) {
            const QTime parsed = QTime::fromString(value.toString(), Qt::ISODateWithMs);
            if (parsed.isValid())
                time = parsed;
        }
        if (!time)
            return invalid();
        if (!v2)
            return formatTime(*time);
        QString duration = u"time'PT%1H%2M%3"_s.arg(time->hour()).arg(time->minute()).arg(time->second());
        if (time->msec() != 0)
            duration += u".%1"_s.arg(time->msec(), 3, 10, QChar(u'0'));
        return duration + u"S'"_s;
    }
    if (edmType == u"Edm.Duration") {
        if (!value.isString())
            return invalid();
        return u"duration'"_s + value.toString() + u'\'';
    }
    if (edmType == u"Edm.Binary") {
        if (!value.isString())
            return invalid();
        const auto bytes = QByteArray::fromBase64Encoding(value.toString().toLatin1());
        if (!bytes)
            return invalid();
        if (v2)
            return u"X'"_s + QString::fromLatin1(bytes.decoded.toHex()) + u'\'';
        return u"binary'"_s
            + QString::fromLatin1(bytes.decoded.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals))
            + u'\'';
    }
    if (!edmType.startsWith(u"Edm.") && value.isString()) {
        // a v4 enumeration member; v2 has no enums
        return v2 ? quoted(value.toString()) : edmType.toString() + quoted(value.toString());
    }
    if (value.isString())
        return quoted(value.toString());
    if (value.isNumber())
        return numberText(value);
    if (value.isBool())
        return value.toBool() ? u"true"_s : u"false"_s;
    return invalid();
}

QString OData::errorText(const QByteArray &body)
{
    auto join = [](const QString &code, const QString &message) {
        if (code.isEmpty())
            return message;
        return message.isEmpty() ? code : code + u": "_s + message;
    };
    const QByteArray trimmed = body.trimmed();
    if (trimmed.startsWith('{')) {
        Result<Data::Value> json = Data::Json::parse(trimmed);
        if (!json || !json->isObject())
            return {};
        const Data::Object &root = json->toObject();
        const Data::Value *error = root.find(u"error");
        if (!error)
            error = root.find(u"odata.error");
        if (!error || !error->isObject())
            return {};
        const Data::Value &code = (*error)[u"code"];
        const Data::Value &message = (*error)[u"message"];
        const QString codeText = code.isString() ? code.toString() : code.isNumber() ? numberText(code) : QString();
        const QString messageText = message.isString() ? message.toString()
                                    : message.isObject() ? message[u"value"].toString()
                                                         : QString();
        return join(codeText, messageText);
    }
    if (trimmed.startsWith('<')) {
        QXmlStreamReader xml(trimmed);
        QString code;
        QString message;
        bool inError = false;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            const QStringView name = xml.name();
            if (name == u"error") {
                inError = true;
            } else if (inError && name == u"code" && code.isEmpty()) {
                code = xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
            } else if (inError && name == u"message" && message.isEmpty()) {
                message = xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
            }
        }
        if (!inError)
            return {};
        return join(code, message);
    }
    return {};
}

// ---- payload decoding ----------------------------------------------------------------------

namespace {

// Turns the service's JSON into the logical records (see the header).
class Decoder
{
public:
    Decoder(const ODataMetadata *metadata, int version) : m_metadata(metadata), m_version(version) { }

    Data::Value entity(const Data::Value &value, const ODataStructuredType *type, int depth = 0) const
    {
        if (!value.isObject() || depth > 64)
            return value;
        const Data::Object &in = value.toObject();
        if (m_version == 2 && m_metadata) {
            // the record's own (possibly derived) type
            const Data::Value &typeName = in.find(u"__metadata") ? (*in.find(u"__metadata"))[u"type"] : Data::Value();
            if (typeName.isString()) {
                if (const ODataStructuredType *own = m_metadata->entityType(typeName.toString()))
                    type = own;
            }
        }
        Data::Object out;
        out.reserve(in.size());
        for (const auto &[name, member] : in) {
            if (name.startsWith(u"__") || name.contains(u'@'))
                continue;
            if (member.isObject() && member.toObject().size() == 1 && member.toObject().contains(u"__deferred"))
                continue; // v2 navigation that was not expanded
            if (type && m_metadata) {
                if (const ODataProperty *property = findProperty(*type, name)) {
                    out.append(name, typed(member, property->type, depth + 1));
                    continue;
                }
                if (const ODataNavigationProperty *navigation = findNavigation(*type, name)) {
                    out.append(name, navigationValue(member, m_metadata->entityType(navigation->targetType), depth + 1));
                    continue;
                }
            }
            out.append(name, untyped(member, depth + 1));
        }
        return Data::Value(std::move(out));
    }

    Data::Value navigationValue(const Data::Value &value, const ODataStructuredType *type, int depth) const
    {
        if (value.isObject() && value.toObject().contains(u"results") && value[u"results"].isArray())
            return navigationValue(value[u"results"], type, depth);
        if (value.isArray()) {
            Data::Array items;
            items.reserve(size_t(value.size()));
            for (const Data::Value &item : value.toArray())
                items.push_back(entity(item, type, depth + 1));
            return Data::Value(std::move(items));
        }
        return entity(value, type, depth);
    }

    Data::Value typed(const Data::Value &value, const QString &typeName, int depth) const
    {
        if (typeName.startsWith(u"Collection(") && typeName.endsWith(u')')) {
            const QString element = typeName.mid(11, typeName.size() - 12);
            Data::Value list = value;
            if (list.isObject() && list[u"results"].isArray())
                list = list[u"results"];
            if (!list.isArray())
                return untyped(value, depth);
            Data::Array items;
            for (const Data::Value &item : list.toArray())
                items.push_back(typed(item, element, depth + 1));
            return Data::Value(std::move(items));
        }
        if (!typeName.startsWith(u"Edm.")) {
            if (const ODataComplexType *complex = m_metadata ? m_metadata->complexType(typeName) : nullptr)
                return entity(value, complex, depth);
            if (m_metadata) {
                const auto underlying = m_metadata->typeDefinitions.constFind(m_metadata->qualify(typeName));
                if (underlying != m_metadata->typeDefinitions.constEnd())
                    return primitive(value, *underlying);
            }
            return untyped(value, depth);
        }
        return primitive(value, typeName);
    }

    Data::Value primitive(const Data::Value &value, QStringView type) const
    {
        if (!value.isString())
            return value;
        const QString &text = value.toString();
        if (isDateTimeType(type)) {
            if (const std::optional<QString> iso = OData::v2DateToIso(text))
                return *iso;
            return value;
        }
        if (type == u"Edm.Time" && text.startsWith(u"PT")) {
            if (const std::optional<QTime> time = parseDurationTime(text))
                return formatTime(*time);
            return value;
        }
        if (isNumericType(type)) {
            Data::Value number = Data::Value::numberFromText(text);
            return number.isUndefined() ? value : number;
        }
        return value;
    }

    // Without a type: v2 dates by their form, wrappers and annotations dropped.
    Data::Value untyped(const Data::Value &value, int depth) const
    {
        if (depth > 64)
            return value;
        if (value.isString()) {
            if (const std::optional<QString> iso = OData::v2DateToIso(value.toString()))
                return *iso;
            return value;
        }
        if (value.isArray()) {
            Data::Array items;
            items.reserve(size_t(value.size()));
            for (const Data::Value &item : value.toArray())
                items.push_back(untyped(item, depth + 1));
            return Data::Value(std::move(items));
        }
        if (value.isObject()) {
            if (m_version == 2 && value[u"results"].isArray())
                return untyped(value[u"results"], depth + 1);
            return entity(value, nullptr, depth);
        }
        return value;
    }

private:
    const ODataProperty *findProperty(const ODataStructuredType &type, QStringView name) const
    {
        for (const ODataProperty *property : m_metadata->allProperties(type)) {
            if (property->name == name)
                return property;
        }
        return nullptr;
    }
    const ODataNavigationProperty *findNavigation(const ODataStructuredType &type, QStringView name) const
    {
        for (const ODataNavigationProperty *navigation : m_metadata->allNavigationProperties(type)) {
            if (navigation->name == name)
                return navigation;
        }
        return nullptr;
    }

    const ODataMetadata *m_metadata;
    int m_version;
};

// A record as a v2 service expects it: Edm.DateTime as "/Date(ms)/", Edm.DateTimeOffset as
// "/Date(ms+0000)/", Edm.Time as "PT10H30M00S", Edm.Decimal and Edm.Int64 as strings.
Data::Value encodeV2(const Data::Value &value, const ODataStructuredType *type, const ODataMetadata &metadata, int depth = 0);

Data::Value encodeV2Primitive(const Data::Value &value, QStringView type)
{
    if (isDateTimeType(type) && value.isString() && !value.toString().startsWith(u"/Date(")) {
        if (const std::optional<QDateTime> time = parseDateTime(value.toString())) {
            const QString ms = QString::number(time->toMSecsSinceEpoch());
            return type == u"Edm.DateTime" ? u"/Date(%1)/"_s.arg(ms) : u"/Date(%1+0000)/"_s.arg(ms);
        }
    }
    if (type == u"Edm.Time" && value.isString() && !value.toString().startsWith(u"PT")) {
        const QTime time = QTime::fromString(value.toString(), Qt::ISODateWithMs);
        if (time.isValid()) {
            QString text = u"PT%1H%2M%3"_s.arg(time.hour(), 2, 10, QChar(u'0'))
                               .arg(time.minute(), 2, 10, QChar(u'0'))
                               .arg(time.second(), 2, 10, QChar(u'0'));
            if (time.msec() != 0)
                text += u".%1"_s.arg(time.msec(), 3, 10, QChar(u'0'));
            return text + u'S';
        }
    }
    if ((type == u"Edm.Decimal" || type == u"Edm.Int64") && value.isNumber() && std::isfinite(value.toDouble()))
        return numberText(value);
    return value;
}

Data::Value encodeV2Typed(const Data::Value &value, const QString &typeName, const ODataMetadata &metadata, int depth)
{
    if (typeName.startsWith(u"Collection(") && typeName.endsWith(u')') && value.isArray()) {
        const QString element = typeName.mid(11, typeName.size() - 12);
        Data::Array items;
        for (const Data::Value &item : value.toArray())
            items.push_back(encodeV2Typed(item, element, metadata, depth + 1));
        return Data::Value(std::move(items));
    }
    if (const ODataComplexType *complex = metadata.complexType(typeName))
        return encodeV2(value, complex, metadata, depth + 1);
    return encodeV2Primitive(value, typeName);
}

Data::Value encodeV2(const Data::Value &value, const ODataStructuredType *type, const ODataMetadata &metadata, int depth)
{
    if (!value.isObject() || !type || depth > 64)
        return value;
    Data::Object out;
    for (const auto &[name, member] : value.toObject()) {
        const ODataProperty *property = type->property(name);
        if (!property) {
            for (const ODataProperty *p : metadata.allProperties(*type)) {
                if (p->name == name)
                    property = p;
            }
        }
        if (property) {
            out.append(name, encodeV2Typed(member, property->type, metadata, depth));
            continue;
        }
        const ODataNavigationProperty *navigation = nullptr;
        for (const ODataNavigationProperty *n : metadata.allNavigationProperties(*type)) {
            if (n->name == name)
                navigation = n;
        }
        if (navigation) {
            const ODataEntityType *target = metadata.entityType(navigation->targetType);
            if (member.isArray()) {
                Data::Array items;
                for (const Data::Value &item : member.toArray())
                    items.push_back(encodeV2(item, target, metadata, depth + 1));
                out.append(name, Data::Value(std::move(items)));
            } else {
                out.append(name, encodeV2(member, target, metadata, depth + 1));
            }
            continue;
        }
        out.append(name, member);
    }
    return Data::Value(std::move(out));
}

} // namespace

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

    Result<HttpResponse> send(HttpRequest request, const CancelToken *cancel)
    {
        request.url = withSapClient(request.url);
        if (settings.version == 4) {
            request.setHeader("OData-Version", "4.0");
            request.setHeader("OData-MaxVersion", "4.0");
        } else {
            request.setHeader("DataServiceVersion", "2.0");
            request.setHeader("MaxDataServiceVersion", "2.0");
        }
        bool hasAccept = false;
        for (const auto &header : request.headers)
            hasAccept = hasAccept || header.first.compare("Accept", Qt::CaseInsensitive) == 0;
        if (!hasAccept)
            request.setHeader("Accept", "application/json");
        return http->send(request, cancel);
    }

    // A non-2xx answer as an error.
    Error statusError(const HttpResponse &response, const QByteArray &method, const QUrl &url) const
    {
        const QString at = where(method, url);
        if (response.status == 401) {
            const QString user = endpoint.authentication.username;
            return makeError("authentication_failed",
                             user.isEmpty()
                                 ? Tr::tr("%1: HTTP 401: the service wants a logon (the endpoint has no credentials)").arg(at)
                                 : Tr::tr("%1: HTTP 401: the service refused the logon of user \"%2\"").arg(at, user));
        }
        const QString service = OData::errorText(response.body);
        QString message = Tr::tr("%1: HTTP %2").arg(at).arg(response.status);
        if (!response.reason.isEmpty())
            message += u' ' + QString::fromLatin1(response.reason);
        QStringList details{u"http_status: %1"_s.arg(response.status)};
        if (!service.isEmpty()) {
            message += u": "_s + Log::redact(service);
            const QByteArray trimmed = response.body.trimmed();
            Result<Data::Value> json = trimmed.startsWith('{') ? Data::Json::parse(trimmed) : Result<Data::Value>(Data::Value());
            if (json && json->isObject()) {
                Data::Value error = (*json)[u"error"];
                if (error.isUndefined())
                    error = (*json)[u"odata.error"];
                const Data::Value &code = error[u"code"];
                if (code.isString() || code.isNumber())
                    details.append(u"service_code: "_s + (code.isString() ? code.toString() : numberText(code)));
            }
        } else {
            const QString text = response.describe();
            const qsizetype colon = text.indexOf(u": "_s);
            if (colon > 0)
                message += text.mid(colon);
        }
        if (!settings.csrf && response.status == 403
            && response.header("X-CSRF-Token").compare("Required", Qt::CaseInsensitive) == 0)
            message += Tr::tr(" (the service wants a CSRF token; set the endpoint's configuration csrf to true)");
        return makeError("odata_error", message, details);
    }

    Result<Data::Value> parseJson(const HttpResponse &response, const QByteArray &method, const QUrl &url) const
    {
        Result<Data::Value> json = Data::Json::parse(response.body);
        if (!json) {
            const QByteArray type = response.header("Content-Type");
            return makeError("malformed_response",
                             Tr::tr("%1: the answer is not valid JSON (%2%3): %4")
                                 .arg(where(method, url),
                                      type.isEmpty() ? u"no content type"_s : QString::fromLatin1(type),
                                      Tr::tr(", %n byte(s)", nullptr, int(std::min<qsizetype>(response.body.size(), INT_MAX))),
                                      json.error().message));
        }
        return json;
    }

    // The cached $metadata (fetched when missing or on refresh); valid until the next refresh.
    Result<const ODataMetadata *> loadMetadata(bool refresh, const CancelToken *cancel)
    {
        if (metadata && !refresh)
            return &*metadata;
        HttpRequest request;
        request.url = resolve("$metadata");
        request.setHeader("Accept", "application/xml");
        Result<HttpResponse> response = send(request, cancel);
        if (!response)
            return response.error();
        if (!response->isSuccess())
            return statusError(*response, request.method, request.url);
        Result<ODataMetadata> parsed = parseODataMetadata(response->body);
        if (!parsed) {
            Error error = parsed.error();
            error.message = displayUrl(request.url) + u": "_s + error.message;
            return error;
        }
        if (parsed->version != settings.version) {
            return makeError("invalid_endpoint",
                             Tr::tr("The endpoint %1 is OData v%2 (protocol odata_v%2), but %3 describes an OData v%4 "
                                    "service (EDMX %5)")
                                 .arg(endpoint.id)
                                 .arg(settings.version)
                                 .arg(displayUrl(request.url))
                                 .arg(parsed->version)
                                 .arg(parsed->edmxVersion),
                             {u"/protocol: the service is OData v%1"_s.arg(parsed->version)});
        }
        metadata = std::move(*parsed);
        return &*metadata;
    }

    // The entity set and its type, or "unknown_entity".
    Result<std::pair<const ODataEntitySet *, const ODataEntityType *>> entitySet(const QString &name, const CancelToken *cancel)
    {
        Result<const ODataMetadata *> md = loadMetadata(false, cancel);
        if (!md)
            return md.error();
        const ODataEntitySet *set = metadata->entitySet(name);
        const ODataEntityType *type = set ? metadata->entityType(set->entityType) : nullptr;
        if (!set || !type || set->isSingleton) {
            QStringList names;
            for (const ODataEntitySet &s : metadata->entitySets) {
                if (!s.isSingleton)
                    names.append(s.name);
            }
            return makeError("unknown_entity", Tr::tr("The OData service %1 has no entity set \"%2\" (it has: %3)")
                                                   .arg(displayUrl(settings.serviceRoot), name, names.join(u", "_s)));
        }
        return std::pair{set, type};
    }

    // The type of the records a path below the root gives, and whether it is one entity.
    const ODataStructuredType *pathType(const QString &path, bool hasKey, bool *single) const
    {
        *single = hasKey;
        if (!metadata)
            return nullptr;
        const QStringList segments = splitPath(path);
        const ODataStructuredType *type = nullptr;
        for (qsizetype i = 0; i < segments.size(); ++i) {
            QString segment = segments.at(i);
            const qsizetype paren = segment.indexOf(u'(');
            const bool keyed = paren >= 0;
            if (keyed)
                segment.truncate(paren);
            if (i == 0) {
                const ODataEntitySet *set = metadata->entitySet(segment);
                type = set ? metadata->entityType(set->entityType) : nullptr;
                *single = hasKey || keyed || (set && set->isSingleton);
            } else if (type) {
                const ODataNavigationProperty *navigation = nullptr;
                for (const ODataNavigationProperty *n : metadata->allNavigationProperties(*type)) {
                    if (n->name == segment)
                        navigation = n;
                }
                if (!navigation)
                    return nullptr;
                type = metadata->entityType(navigation->targetType);
                *single = hasKey || keyed || !navigation->collection;
            }
            if (!type)
                return nullptr;
        }
        return type;
    }

    Result<Answer> decode(const HttpResponse &response, const QUrl &url, bool single,
                          const ODataStructuredType *type) const
    {
        Result<Data::Value> json = parseJson(response, "GET", url);
        if (!json)
            return json.error();
        const Decoder decoder(metadata ? &*metadata : nullptr, settings.version);
        Answer answer;
        auto malformed = [&](const QString &what) {
            return makeError("malformed_response", Tr::tr("%1: %2").arg(where("GET", url), what));
        };
        if (settings.version == 2) {
            const Data::Value &d = (*json)[u"d"];
            if (single) {
                if (!d.isObject())
                    return malformed(Tr::tr("an OData v2 entity is {\"d\": {...}}, the answer is not"));
                answer.records.push_back(decoder.entity(d, type));
                return answer;
            }
            const Data::Value &results = d.isArray() ? d : d[u"results"];
            if (!results.isArray())
                return malformed(Tr::tr("an OData v2 collection is {\"d\": {\"results\": [...]}}, the answer is not"));
            answer.nextLink = d[u"__next"].toString();
            const Data::Value &count = d[u"__count"];
            if (count.isString() || count.isNumber())
                answer.count = count.isString() ? count.toString().toLongLong() : count.toInt64();
            answer.records.reserve(size_t(results.size()));
            for (const Data::Value &record : results.toArray())
                answer.records.push_back(decoder.entity(record, type));
            return answer;
        }
        if (!json->isObject())
            return malformed(Tr::tr("the answer is not a JSON object"));
        if (single) {
            answer.records.push_back(decoder.entity(*json, type));
            return answer;
        }
        const Data::Value &value = (*json)[u"value"];
        if (!value.isArray())
            return malformed(Tr::tr("an OData v4 collection is {\"value\": [...]}, the answer has no value array"));
        answer.nextLink = (*json)[u"@odata.nextLink"].toString();
        const Data::Value &count = (*json)[u"@odata.count"];
        if (count.isNumber() || count.isString())
            answer.count = count.isString() ? count.toString().toLongLong() : count.toInt64();
        answer.records.reserve(size_t(value.size()));
        for (const Data::Value &record : value.toArray())
            answer.records.push_back(decoder.entity(record, type));
        return answer;
    }

    // Where a next link leads, or "next_link_refused".
    Result<QUrl> nextUrl(const QString &link, const QUrl &current) const
    {
        const QUrl target = settings.serviceRoot.resolved(QUrl::fromEncoded(link.toUtf8(), QUrl::TolerantMode));
        if (!target.isValid() || (target.scheme() != u"http" && target.scheme() != u"https")) {
            return makeError("malformed_response",
                             Tr::tr("%1: the next link \"%2\" is not a URL").arg(where("GET", current), link.left(200)));
        }
        const bool downgrade = settings.serviceRoot.scheme() == u"https" && target.scheme() != u"https";
        bool allowed = !downgrade && target.host().compare(settings.serviceRoot.host(), Qt::CaseInsensitive) == 0
                       && target.port(target.scheme() == u"https" ? 443 : 80)
                              == settings.serviceRoot.port(settings.serviceRoot.scheme() == u"https" ? 443 : 80);
        for (const QString &pattern : settings.nextLinkHosts)
            allowed = allowed || (!downgrade && hostMatches(target.host(), pattern));
        if (!allowed) {
            return makeError("next_link_refused",
                             Tr::tr("%1: the service's next page is at %2, another host than the service root %3 (or "
                                    "plain HTTP); add the host to the endpoint's configuration next_link_hosts to "
                                    "follow it with the endpoint's credentials")
                                 .arg(where("GET", current), displayUrl(target), displayUrl(settings.serviceRoot)));
        }
        return target;
    }

    QUrl pageUrl(const Paging &paging, qint64 skip, std::optional<qint64> top) const
    {
        QByteArray query;
        auto add = [&query](const QByteArray &name, const QByteArray &value) {
            query += (query.isEmpty() ? "" : "&") + name + '=' + value;
        };
        for (const auto &[name, value] : paging.options)
            add(name, value);
        if (top)
            add("$top", QByteArray::number(*top));
        if (skip > 0)
            add("$skip", QByteArray::number(skip));
        QByteArray relative = paging.resourcePath;
        if (!query.isEmpty())
            relative += '?' + query;
        return withSapClient(resolve(relative));
    }

    Result<ODataPage> run(const Paging &paging, const PageSink *sink, const CancelToken *cancel)
    {
        ODataPage page;
        qint64 delivered = 0;
        qint64 offset = paging.skip;
        auto remaining = [&]() -> std::optional<qint64> {
            if (!paging.limit)
                return std::nullopt;
            return std::max<qint64>(0, *paging.limit - delivered);
        };
        auto clientTop = [&]() -> std::optional<qint64> {
            std::optional<qint64> top = remaining();
            if (paging.pageSize > 0 && !paging.single)
                top = top ? std::min<qint64>(*top, paging.pageSize) : qint64(paging.pageSize);
            return top;
        };
        std::optional<qint64> requested = paging.single ? std::nullopt : clientTop();
        qint64 inClientPage = 0;
        int emptyPagesWithLinks = 0;
        QUrl url = paging.single ? pageUrl(paging, 0, std::nullopt) : pageUrl(paging, offset, requested);
        if (requested && *requested == 0)
            return page;
        for (;;) {
            if (cancel && cancel->isCancelled())
                return makeError("cancelled", Tr::tr("Reading %1 was cancelled").arg(displayUrl(url)));
            HttpRequest request;
            request.url = url;
            Result<HttpResponse> response = send(request, cancel);
            if (!response)
                return response.error();
            if (!response->isSuccess())
                return statusError(*response, request.method, request.url);
            Result<Answer> answer = decode(*response, url, paging.single, paging.type);
            if (!answer)
                return answer.error();
            ++page.pages;
            emptyPagesWithLinks = answer->records.empty() && !answer->nextLink.isEmpty() ? emptyPagesWithLinks + 1 : 0;
            if (emptyPagesWithLinks > 100) {
                return makeError("malformed_response",
                                 Tr::tr("%1: more than 100 empty pages in a row, each with a next link").arg(where("GET", url)));
            }
            if (answer->count && !page.count)
                page.count = answer->count;
            std::vector<Data::Value> records = std::move(answer->records);
            inClientPage += qint64(records.size());
            bool limitReached = false;
            if (const std::optional<qint64> left = remaining(); left && qint64(records.size()) >= *left) {
                records.resize(size_t(*left));
                limitReached = true;
            }
            delivered += qint64(records.size());
            if (sink) {
                if (!records.empty() && !(*sink)(std::move(records))) {
                    page.stoppedEarly = true;
                    return page;
                }
            } else {
                page.records.insert(page.records.end(), std::make_move_iterator(records.begin()),
                                    std::make_move_iterator(records.end()));
            }
            const bool more = !answer->nextLink.isEmpty() || (paging.pageSize > 0 && requested && inClientPage >= *requested);
            if (limitReached) {
                page.stoppedEarly = more;
                return page;
            }
            if (!answer->nextLink.isEmpty()) {
                Result<QUrl> next = nextUrl(answer->nextLink, url);
                if (!next)
                    return next.error();
                if (!paging.follow) {
                    page.nextLink = *next;
                    return page;
                }
                const QUrl nextWithClient = withSapClient(*next);
                if (nextWithClient == url) {
                    return makeError("malformed_response",
                                     Tr::tr("%1: the next link leads to the same page again").arg(where("GET", url)));
                }
                url = nextWithClient;
            } else if (paging.pageSize > 0 && requested && inClientPage >= *requested && !paging.single) {
                offset += inClientPage;
                inClientPage = 0;
                requested = clientTop();
                if (requested && *requested == 0)
                    return page;
                url = pageUrl(paging, offset, requested);
                if (!paging.follow) {
                    page.nextLink = url;
                    return page;
                }
            } else {
                return page;
            }
            if (page.pages >= kMaxPages)
                return makeError("malformed_response", Tr::tr("%1: more than %2 pages").arg(where("GET", url)).arg(kMaxPages));
        }
    }

    // ---- writes ----

    Result<void> fetchCsrfToken(const CancelToken *cancel)
    {
        HttpRequest request;
        request.url = settings.serviceRoot;
        request.setHeader("X-CSRF-Token", "Fetch");
        Result<HttpResponse> response = send(request, cancel);
        if (!response)
            return response.error();
        ++csrfFetches;
        if (response->status == 401)
            return statusError(*response, request.method, request.url);
        const QByteArray token = response->header("X-CSRF-Token").trimmed();
        if (!token.isEmpty() && token.compare("Required", Qt::CaseInsensitive) != 0) {
            csrfToken = token;
            Log::addSecretValue(QString::fromLatin1(token));
            return {};
        }
        if (response->isSuccess()) {
            csrfNotNeeded = true; // the service does not use CSRF tokens
            return {};
        }
        Error error = statusError(*response, request.method, request.url);
        error.code = u"csrf_failed"_s;
        error.message = Tr::tr("No CSRF token: ") + error.message;
        return error;
    }

    // A modifying request with the CSRF handshake.
    Result<HttpResponse> sendWrite(HttpRequest request, const CancelToken *cancel)
    {
        if (!request.body.isEmpty() && request.headers.end() == std::find_if(request.headers.begin(), request.headers.end(), [](const auto &h) {
                return h.first.compare("Content-Type", Qt::CaseInsensitive) == 0;
            }))
            request.setHeader("Content-Type", "application/json");
        for (int attempt = 0;; ++attempt) {
            if (settings.csrf && csrfToken.isEmpty() && !csrfNotNeeded) {
                if (Result<void> fetched = fetchCsrfToken(cancel); !fetched)
                    return fetched.error();
            }
            HttpRequest sent = request;
            if (!csrfToken.isEmpty())
                sent.setHeader("X-CSRF-Token", csrfToken);
            Result<HttpResponse> response = send(sent, cancel);
            if (!response)
                return response;
            const bool required = response->status == 403
                                  && response->header("X-CSRF-Token").trimmed().compare("Required", Qt::CaseInsensitive) == 0;
            if (!required || !settings.csrf || attempt > 0)
                return response;
            // The token expired or belongs to a session the server forgot: fetch a new one, once.
            csrfToken.clear();
            csrfNotNeeded = false;
        }
    }

    // Encodes a record for the wire.
    QByteArray body(const Data::Value &record, const ODataStructuredType *type) const
    {
        if (settings.version == 2 && metadata && type)
            return Data::Json::serialize(encodeV2(record, type, *metadata));
        return Data::Json::serialize(record);
    }

    Result<QString> predicate(const ODataEntityType &type, const QStringList &keyFields, const Data::Value &key,
                              const QString &entitySetName) const
    {
        QStringList parts;
        const bool scalar = !key.isObject();
        if (scalar && keyFields.size() != 1) {
            return makeError("invalid_key", Tr::tr("%1 has the key (%2): give an object with each of them")
                                                .arg(entitySetName, keyFields.join(u", "_s)));
        }
        for (const QString &field : keyFields) {
            const Data::Value &value = scalar ? key : key[field];
            if (value.isUndefined() || value.isNull()) {
                return makeError("invalid_key", Tr::tr("The key field %1 of %2 is missing").arg(field, entitySetName));
            }
            QString edmType = u"Edm.String"_s;
            for (const ODataProperty *property : metadata->allProperties(type)) {
                if (property->name == field)
                    edmType = property->type;
            }
            Result<QString> literal = OData::literal(value, edmType, settings.version);
            if (!literal) {
                Error error = literal.error();
                error.message = Tr::tr("Key field %1 of %2: ").arg(field, entitySetName) + error.message;
                return error;
            }
            parts.append(keyFields.size() == 1 && scalar ? *literal : field + u'=' + *literal);
        }
        if (keyFields.size() == 1 && !scalar)
            parts.first() = parts.first().mid(keyFields.first().size() + 1);
        return parts.join(u',');
    }

    QByteArray entityPath(const QString &entitySetName, const QString &predicate) const
    {
        return encodePathSegment(entitySetName) + '(' + encodePathSegment(predicate) + ')';
    }

    // Single-entity calls of the query API.
    Result<Data::Value> entityCall(const QByteArray &method, const QString &entitySetName, const QString &predicate,
                                   const Data::Value *record, const ODataEntityType *type, const CancelToken *cancel,
                                   int *status = nullptr)
    {
        HttpRequest request;
        request.method = method;
        request.url = resolve(predicate.isNull() ? encodePathSegment(entitySetName) : entityPath(entitySetName, predicate));
        if (record)
            request.body = body(*record, type);
        Result<HttpResponse> response = method == "GET" ? send(request, cancel) : sendWrite(request, cancel);
        if (!response)
            return response.error();
        if (status)
            *status = response->status;
        if (!response->isSuccess())
            return statusError(*response, method, withSapClient(request.url));
        if (response->status == 204 || response->body.trimmed().isEmpty())
            return Data::Value::null();
        Result<Answer> answer = decode(*response, withSapClient(request.url), true, type);
        if (!answer)
            return answer.error();
        return answer->records.front();
    }
};

// ---- $batch --------------------------------------------------------------------------------

namespace {

struct BatchOperation
{
    QByteArray method;
    QByteArray relativeUrl;   // below the service root
    QByteArray body;
};

struct BatchAnswer
{
    int status = 0;
    QByteArray body;
    HttpHeaders headers;
};

QByteArray boundaryOf(const QByteArray &contentType)
{
    for (QByteArray part : contentType.split(';')) {
        part = part.trimmed();
        if (part.toLower().startsWith("boundary=")) {
            QByteArray value = part.mid(9).trimmed();
            if (value.size() >= 2 && value.startsWith('"') && value.endsWith('"'))
                value = value.mid(1, value.size() - 2);
            return value;
        }
    }
    return {};
}

// Splits "headers CRLF CRLF body".
std::pair<HttpHeaders, QByteArray> splitEntity(const QByteArray &entity, QByteArray *firstLine = nullptr)
{
    qsizetype end = entity.indexOf("\r\n\r\n");
    qsizetype skip = 4;
    if (end < 0) {
        end = entity.indexOf("\n\n");
        skip = 2;
    }
    const QByteArray head = end < 0 ? entity : entity.left(end);
    const QByteArray rest = end < 0 ? QByteArray() : entity.mid(end + skip);
    HttpHeaders headers;
    const QList<QByteArray> lines = head.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (i == 0 && firstLine) {
            *firstLine = line;
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    return {headers, rest};
}

QByteArray headerValue(const HttpHeaders &headers, QByteArrayView name)
{
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

// The parts between the boundaries of a multipart body.
std::optional<QList<QByteArray>> multipartParts(const QByteArray &body, const QByteArray &boundary)
{
    const QByteArray delimiter = "--" + boundary;
    QList<QByteArray> parts;
    qsizetype pos = body.indexOf(delimiter);
    if (pos < 0)
        return std::nullopt;
    for (;;) {
        pos += delimiter.size();
        if (body.mid(pos, 2) == "--")
            return parts;
        const qsizetype next = body.indexOf(delimiter, pos);
        if (next < 0)
            return std::nullopt; // cut short: no closing delimiter
        QByteArray part = body.mid(pos, next - pos);
        if (part.startsWith("\r\n"))
            part.remove(0, 2);
        else if (part.startsWith('\n'))
            part.remove(0, 1);
        if (part.endsWith("\r\n"))
            part.chop(2);
        else if (part.endsWith('\n'))
            part.chop(1);
        parts.append(part);
        pos = next;
    }
}

// The answers of a $batch response in order: one per change set (its first operation's answer).
std::optional<std::vector<BatchAnswer>> parseBatch(const QByteArray &body, const QByteArray &contentType, int depth = 0)
{
    const QByteArray boundary = boundaryOf(contentType);
    if (boundary.isEmpty() || depth > 2)
        return std::nullopt;
    const std::optional<QList<QByteArray>> parts = multipartParts(body, boundary);
    if (!parts)
        return std::nullopt;
    std::vector<BatchAnswer> answers;
    for (const QByteArray &part : *parts) {
        auto [headers, content] = splitEntity(part);
        const QByteArray type = headerValue(headers, "Content-Type").toLower();
        if (type.startsWith("multipart/mixed")) {
            std::optional<std::vector<BatchAnswer>> inner = parseBatch(content, headerValue(headers, "Content-Type"), depth + 1);
            if (!inner || inner->empty())
                return std::nullopt;
            answers.push_back(std::move(inner->front()));
            continue;
        }
        QByteArray statusLine;
        auto [innerHeaders, innerBody] = splitEntity(content, &statusLine);
        const QList<QByteArray> words = statusLine.split(' ');
        bool ok = false;
        const int status = words.size() >= 2 ? words.at(1).toInt(&ok) : 0;
        if (!statusLine.startsWith("HTTP/") || !ok)
            return std::nullopt;
        answers.push_back({status, innerBody.trimmed(), innerHeaders});
    }
    return answers;
}

} // namespace

// ---- writes --------------------------------------------------------------------------------

namespace {

class Writer
{
public:
    Writer(ODataConnector::Private &d, const WriteRequest &request, const ODataEntitySet &set, const ODataEntityType &type)
        : d(d), m_request(request), m_set(set), m_type(type)
    {
        m_keyFields = request.keyFields.isEmpty() ? type.keys : request.keyFields;
    }

    Result<WriteSummary> run()
    {
        if (Result<void> allowed = checkAllowed(); !allowed)
            return allowed.error();
        const qsizetype total = qsizetype(m_request.records.size());
        const int batch = d.settings.batchSize;
        for (qsizetype start = 0; start < total; start += batch) {
            if (m_request.cancel && m_request.cancel->isCancelled()) {
                return makeError("cancelled", Tr::tr("Writing to %1 was cancelled after %n record(s)", nullptr, int(start))
                                                  .arg(m_set.name));
            }
            const qsizetype end = std::min<qsizetype>(total, start + batch);
            Result<void> done = batch > 1 ? writeBatch(start, end) : writeOne(start);
            if (!done)
                return done.error();
        }
        return m_summary;
    }

private:
    Result<void> checkAllowed() const
    {
        const bool ok = m_request.mode == WriteMode::Insert   ? m_set.creatable
                        : m_request.mode == WriteMode::Delete ? m_set.deletable
                                                              : m_set.creatable && m_set.updatable;
        if (!ok) {
            return makeError("unsupported", Tr::tr("The OData service does not allow %1 on %2 (its $metadata says so)")
                                                .arg(m_request.mode == WriteMode::Insert   ? u"inserts"_s
                                                     : m_request.mode == WriteMode::Delete ? u"deletes"_s
                                                                                           : u"upserts"_s,
                                                     m_set.name));
        }
        return {};
    }

    qint64 written() const { return m_summary.inserted + m_summary.updated + m_summary.deleted + m_summary.unchanged; }

    Error recordError(qsizetype index, const QString &predicate, Error error) const
    {
        const QString key = predicate.isEmpty() ? Tr::tr("no key") : Tr::tr("key (%1)").arg(predicate);
        error.message = Tr::tr("Record %1 (%2) of %3: %4 (%n record(s) written before it)", nullptr, int(written()))
                            .arg(index)
                            .arg(key, m_set.name, error.message);
        return error;
    }

    Result<QString> recordKey(qsizetype index)
    {
        const Data::Value &record = m_request.records[size_t(index)];
        if (!record.isObject())
            return recordError(index, {}, makeError("invalid_request", Tr::tr("a record must be an object, not %1")
                                                                          .arg(QString::fromLatin1(record.typeName()))));
        if (m_request.mode == WriteMode::Insert)
            return QString();
        Result<QString> predicate = d.predicate(m_type, m_keyFields, record, m_set.name);
        if (!predicate)
            return recordError(index, {}, predicate.error());
        return predicate;
    }

    Result<void> writeOne(qsizetype index)
    {
        Result<QString> predicate = recordKey(index);
        if (!predicate)
            return predicate.error();
        const Data::Value &record = m_request.records[size_t(index)];
        int status = 0;
        switch (m_request.mode) {
        case WriteMode::Insert: {
            Result<Data::Value> created = d.entityCall("POST", m_set.name, QString(), &record, &m_type, m_request.cancel);
            if (!created)
                return recordError(index, keyText(record), created.error());
            ++m_summary.inserted;
            return {};
        }
        case WriteMode::Upsert: {
            Result<Data::Value> updated = d.entityCall(d.settings.updateMethod, m_set.name, *predicate, &record, &m_type,
                                                       m_request.cancel, &status);
            if (updated) {
                ++(status == 201 ? m_summary.inserted : m_summary.updated);
                return {};
            }
            if (status != 404)
                return recordError(index, *predicate, updated.error());
            Result<Data::Value> created = d.entityCall("POST", m_set.name, QString(), &record, &m_type, m_request.cancel);
            if (!created)
                return recordError(index, *predicate, created.error());
            ++m_summary.inserted;
            return {};
        }
        case WriteMode::Delete: {
            Result<Data::Value> removed = d.entityCall("DELETE", m_set.name, *predicate, nullptr, &m_type,
                                                       m_request.cancel, &status);
            if (removed)
                ++m_summary.deleted;
            else if (status == 404)
                ++m_summary.unchanged; // already gone
            else
                return recordError(index, *predicate, removed.error());
            return {};
        }
        }
        return {};
    }

    // For messages about inserts: the key fields the record has.
    QString keyText(const Data::Value &record) const
    {
        Result<QString> predicate = d.predicate(m_type, m_keyFields, record, m_set.name);
        return predicate ? *predicate : QString();
    }

    Result<void> writeBatch(qsizetype start, qsizetype end)
    {
        std::vector<BatchOperation> operations;
        QStringList predicates;
        for (qsizetype i = start; i < end; ++i) {
            Result<QString> predicate = recordKey(i);
            if (!predicate)
                return predicate.error();
            const Data::Value &record = m_request.records[size_t(i)];
            BatchOperation operation;
            switch (m_request.mode) {
            case WriteMode::Insert:
                operation = {"POST", encodePathSegment(m_set.name), d.body(record, &m_type)};
                predicates.append(keyText(record));
                break;
            case WriteMode::Upsert:
                operation = {d.settings.updateMethod, d.entityPath(m_set.name, *predicate), d.body(record, &m_type)};
                predicates.append(*predicate);
                break;
            case WriteMode::Delete:
                operation = {"DELETE", d.entityPath(m_set.name, *predicate), {}};
                predicates.append(*predicate);
                break;
            }
            operations.push_back(std::move(operation));
        }
        Result<std::vector<BatchAnswer>> answers = sendBatch(operations);
        if (!answers)
            return recordError(start, predicates.value(0), answers.error());
        std::vector<qsizetype> toCreate;
        std::optional<Error> failure;
        for (size_t j = 0; j < answers->size(); ++j) {
            const BatchAnswer &answer = (*answers)[j];
            const qsizetype index = start + qsizetype(j);
            const bool ok = answer.status >= 200 && answer.status < 300;
            if (m_request.mode == WriteMode::Insert && ok) {
                ++m_summary.inserted;
            } else if (m_request.mode == WriteMode::Upsert && ok) {
                ++(answer.status == 201 ? m_summary.inserted : m_summary.updated);
            } else if (m_request.mode == WriteMode::Upsert && answer.status == 404) {
                toCreate.push_back(index);
            } else if (m_request.mode == WriteMode::Delete && (ok || answer.status == 404)) {
                ++(ok ? m_summary.deleted : m_summary.unchanged);
            } else if (!failure) {
                failure = recordError(index, predicates.value(qsizetype(j)), answerError(answer, operations[j]));
            }
        }
        if (failure)
            return *failure;
        if (!toCreate.empty()) {
            std::vector<BatchOperation> creates;
            for (const qsizetype index : toCreate)
                creates.push_back({"POST", encodePathSegment(m_set.name), d.body(m_request.records[size_t(index)], &m_type)});
            for (size_t done = 0; done < creates.size();) {
                const std::vector<BatchOperation> rest(creates.begin() + qsizetype(done), creates.end());
                Result<std::vector<BatchAnswer>> created = sendBatch(rest);
                if (!created)
                    return recordError(toCreate[done], predicates.value(toCreate[done] - start), created.error());
                for (const BatchAnswer &answer : *created) {
                    if (answer.status < 200 || answer.status >= 300) {
                        return recordError(toCreate[done], predicates.value(toCreate[done] - start),
                                           answerError(answer, creates[done]));
                    }
                    ++m_summary.inserted;
                    ++done;
                }
            }
        }
        // A service that stops at the first failed change set (SAP CAP without
        // odata.continue-on-error) answers fewer: send the rest again.
        if (qsizetype(answers->size()) < end - start)
            return writeBatch(start + qsizetype(answers->size()), end);
        return {};
    }

    Error answerError(const BatchAnswer &answer, const BatchOperation &operation) const
    {
        HttpResponse response;
        response.status = answer.status;
        response.headers = answer.headers;
        response.body = answer.body;
        return d.statusError(response, operation.method, d.resolve(operation.relativeUrl));
    }

    // One $batch request with one change set per operation.
    Result<std::vector<BatchAnswer>> sendBatch(const std::vector<BatchOperation> &operations)
    {
        const QByteArray id = QUuid::createUuid().toByteArray(QUuid::Id128);
        const QByteArray boundary = "batch_" + id;
        QByteArray body;
        for (size_t i = 0; i < operations.size(); ++i) {
            const BatchOperation &operation = operations[i];
            const QByteArray changeset = "changeset_" + id + '_' + QByteArray::number(qulonglong(i));
            body += "--" + boundary + "\r\nContent-Type: multipart/mixed; boundary=" + changeset + "\r\n\r\n";
            body += "--" + changeset + "\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
                    "Content-ID: " + QByteArray::number(qulonglong(i + 1)) + "\r\n\r\n";
            body += operation.method + ' ' + operation.relativeUrl + " HTTP/1.1\r\nAccept: application/json\r\n";
            if (!operation.body.isEmpty()) {
                body += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(operation.body.size())
                        + "\r\n\r\n" + operation.body + "\r\n";
            } else {
                body += "\r\n";
            }
            body += "--" + changeset + "--\r\n";
        }
        body += "--" + boundary + "--\r\n";
        HttpRequest request;
        request.method = "POST";
        request.url = d.resolve("$batch");
        request.body = body;
        request.setHeader("Content-Type", "multipart/mixed; boundary=" + boundary);
        request.setHeader("Accept", "multipart/mixed");
        // every change set on its own: one record's failure does not stop the others
        request.setHeader("Prefer", "odata.continue-on-error");
        Result<HttpResponse> response = d.sendWrite(request, m_request.cancel);
        if (!response)
            return response.error();
        const QUrl url = d.withSapClient(request.url);
        if (!response->isSuccess())
            return d.statusError(*response, request.method, url);
        std::optional<std::vector<BatchAnswer>> answers = parseBatch(response->body, response->header("Content-Type"));
        if (!answers || answers->empty() || answers->size() > operations.size()) {
            return makeError("malformed_response",
                             Tr::tr("%1: the $batch answer is not a multipart/mixed body with an answer for each of the "
                                    "%2 change sets")
                                 .arg(d.where(request.method, url))
                                 .arg(operations.size()));
        }
        return std::move(*answers);
    }

    ODataConnector::Private &d;
    const WriteRequest &m_request;
    const ODataEntitySet &m_set;
    const ODataEntityType &m_type;
    QStringList m_keyFields;
    WriteSummary m_summary;
};

// ---- configuration -------------------------------------------------------------------------

Result<Settings> readSettings(const EndpointSpec &endpoint)
{
    Settings settings;
    QStringList problems;
    auto problem = [&problems](const QString &pointer, const QString &text) { problems.append(pointer + u": "_s + text); };
    if (endpoint.protocol == Protocol::ODataV2)
        settings.version = 2;
    else if (endpoint.protocol == Protocol::ODataV4)
        settings.version = 4;
    else
        problem(u"/protocol"_s, Tr::tr("the OData connector serves odata_v2 and odata_v4, not %1").arg(protocolName(endpoint.protocol)));

    QUrl root = endpoint.url;
    if (!root.isValid() || root.host().isEmpty() || (root.scheme() != u"http" && root.scheme() != u"https")) {
        problem(u"/url"_s, Tr::tr("the service root must be an http or https URL, not \"%1\"").arg(displayUrl(root)));
    } else if (root.hasQuery() || root.hasFragment()) {
        problem(u"/url"_s, Tr::tr("the service root must not have a query or fragment (for the SAP client use the "
                                  "configuration sap_client)"));
    } else {
        if (!root.path().endsWith(u'/'))
            root.setPath(root.path() + u'/');
        settings.serviceRoot = root;
    }

    const Data::Object &config = endpoint.configuration;
    auto integer = [&](QStringView key, int min, int max, int &target) {
        const Data::Value *value = config.find(key);
        if (!value)
            return;
        const double number = value->toDouble();
        if (!value->isNumber() || number != std::floor(number) || number < min || number > max) {
            problem(u"/configuration/"_s + key.toString(), Tr::tr("must be an integer from %1 to %2").arg(min).arg(max));
            return;
        }
        target = int(number);
    };
    integer(u"page_size", 0, kMaxPageSize, settings.pageSize);
    integer(u"batch_size", 1, kMaxBatchSize, settings.batchSize);
    if (const Data::Value *csrf = config.find(u"csrf")) {
        if (csrf->isBool())
            settings.csrf = csrf->toBool();
        else
            problem(u"/configuration/csrf"_s, Tr::tr("must be true or false"));
    }
    if (const Data::Value *client = config.find(u"sap_client")) {
        static const QRegularExpression threeDigits(u"^\\d{3}$"_s);
        if (client->isString() && threeDigits.match(client->toString()).hasMatch())
            settings.sapClient = client->toString();
        else if (client->isNumber() && client->toDouble() >= 0 && client->toDouble() <= 999 && client->toDouble() == std::floor(client->toDouble()))
            settings.sapClient = u"%1"_s.arg(int(client->toDouble()), 3, 10, QChar(u'0'));
        else
            problem(u"/configuration/sap_client"_s, Tr::tr("must be an SAP client: three digits such as \"100\""));
    }
    if (const Data::Value *hosts = config.find(u"next_link_hosts")) {
        bool ok = hosts->isArray();
        for (const Data::Value &host : hosts->toArray()) {
            if (!host.isString() || host.toString().isEmpty() || host.toString().contains(u'/') || host.toString() == u"*") {
                ok = false;
                break;
            }
            settings.nextLinkHosts.append(host.toString());
        }
        if (!ok) {
            problem(u"/configuration/next_link_hosts"_s,
                    Tr::tr("must be an array of host names (\"localhost\", \"*.example.com\")"));
        }
    }
    settings.updateMethod = settings.version == 2 ? "MERGE" : "PATCH";
    if (const Data::Value *method = config.find(u"update_method")) {
        const QString name = method->toString().toUpper();
        if (!method->isString() || (name != u"PATCH" && name != u"MERGE" && name != u"PUT"))
            problem(u"/configuration/update_method"_s, Tr::tr("must be \"patch\", \"merge\" (OData v2) or \"put\""));
        else if (name == u"MERGE" && settings.version == 4)
            problem(u"/configuration/update_method"_s, Tr::tr("MERGE is OData v2; OData v4 updates with PATCH or PUT"));
        else
            settings.updateMethod = name.toLatin1();
    }
    if (!problems.isEmpty()) {
        return makeError("invalid_endpoint", Tr::tr("Endpoint %1 has an invalid OData configuration").arg(endpoint.id),
                         problems);
    }
    return settings;
}

QString cursorCandidate(const ODataMetadata &metadata, const ODataEntityType &type)
{
    static const QRegularExpression names(u"^(changedat|changedon|lastchangedatetime|lastchangedat|modifiedat|"
                                          "lastmodifiedat|lastmodified|updatedat|lastupdated|modifiedon)$"_s);
    for (const ODataProperty *property : metadata.allProperties(type)) {
        if ((isDateTimeType(property->type)) && names.match(property->name.toLower()).hasMatch())
            return property->name;
    }
    return {};
}

} // namespace

// ---- ODataConnector ------------------------------------------------------------------------

ODataConnector::ODataConnector(EndpointSpec endpoint, std::unique_ptr<Private> d)
    : Connector(std::move(endpoint)), d(std::move(d))
{
}

ODataConnector::~ODataConnector() = default;

const ODataConnector::Settings &ODataConnector::settings() const
{
    return d->settings;
}

int ODataConnector::version() const
{
    return d->settings.version;
}

int ODataConnector::csrfTokenFetches() const
{
    return d->csrfFetches;
}

Capabilities ODataConnector::capabilities() const
{
    return Capability::TestConnection | Capability::DiscoverSchema | Capability::Read | Capability::IncrementalRead
           | Capability::Insert | Capability::Upsert | Capability::Delete;
}

Result<ODataMetadata> ODataConnector::metadata(bool refresh, const CancelToken *cancel)
{
    Result<const ODataMetadata *> md = d->loadMetadata(refresh, cancel);
    if (!md)
        return md.error();
    return **md;
}

Result<ConnectionTest> ODataConnector::testConnection()
{
    QElapsedTimer timer;
    timer.start();
    Result<const ODataMetadata *> loaded = d->loadMetadata(true, nullptr);
    if (!loaded)
        return loaded.error();
    const ODataMetadata *md = *loaded;
    const auto sets = std::count_if(md->entitySets.begin(), md->entitySets.end(),
                                    [](const ODataEntitySet &set) { return !set.isSingleton; });
    ConnectionTest test;
    test.latencyMs = timer.elapsed();
    test.serverInfo = (sets == 1 ? Tr::tr("OData v%1, %2 entity set") : Tr::tr("OData v%1, %2 entity sets"))
                          .arg(md->version)
                          .arg(sets);
    return test;
}

Result<std::vector<Entity>> ODataConnector::discover()
{
    Result<const ODataMetadata *> loaded = d->loadMetadata(false, nullptr);
    if (!loaded)
        return loaded.error();
    const ODataMetadata *md = *loaded;
    std::vector<Entity> entities;
    for (const ODataEntitySet &set : md->entitySets) {
        const ODataEntityType *type = md->entityType(set.entityType);
        if (set.isSingleton || !type)
            continue;
        Result<Data::SchemaField> schema = entitySchema(*md, set.name, 0);
        if (!schema)
            return schema.error();
        Entity entity;
        entity.name = set.name;
        QString label = set.annotations.value(u"sap:label"_s);
        if (label.isEmpty())
            label = set.annotations.value(u"Common.Label"_s);
        if (label.isEmpty())
            label = type->annotations.value(u"sap:label"_s, type->annotations.value(u"Common.Label"_s));
        entity.description = label.isEmpty() ? Tr::tr("Entity set of %1").arg(type->qualifiedName)
                                             : Tr::tr("%1 (entity set of %2)").arg(label, type->qualifiedName);
        entity.schema = std::move(*schema);
        entity.keyFields = type->keys;
        entity.cursorField = cursorCandidate(*md, *type);
        entity.capabilities = Capability::Read | Capability::IncrementalRead;
        if (set.creatable)
            entity.capabilities |= Capability::Insert;
        if (set.creatable && set.updatable)
            entity.capabilities |= Capability::Upsert;
        if (set.deletable)
            entity.capabilities |= Capability::Delete;
        entities.push_back(std::move(entity));
    }
    return entities;
}

Result<ReadSummary> ODataConnector::read(const ReadRequest &request, const PageSink &sink)
{
    auto found = d->entitySet(request.entity, request.cancel);
    if (!found)
        return found.error();
    const auto [set, type] = *found;
    Private::Paging paging;
    paging.resourcePath = encodePathSegment(set->name);
    paging.type = type;
    QStringList filters;
    if (request.filter.isString() && !request.filter.toString().trimmed().isEmpty())
        filters.append(request.filter.toString().trimmed());
    else if (!request.filter.isNull() && !request.filter.isUndefined() && !request.filter.isString())
        return makeError("invalid_request", Tr::tr("The filter of an OData read is a $filter string, not %1")
                                                .arg(QString::fromLatin1(request.filter.typeName())));
    QStringList select = request.fields;
    QStringList orderBy;
    if (!request.cursorField.isEmpty()) {
        const ODataProperty *cursor = nullptr;
        for (const ODataProperty *property : d->metadata->allProperties(*type)) {
            if (property->name == request.cursorField)
                cursor = property;
        }
        if (!cursor) {
            return makeError("invalid_request", Tr::tr("The cursor field %1 is not a property of %2")
                                                    .arg(request.cursorField, set->name));
        }
        if (!request.cursorAfter.isNull() && !request.cursorAfter.isUndefined()) {
            Result<QString> literal = OData::literal(request.cursorAfter, cursor->type, d->settings.version);
            if (!literal) {
                Error error = literal.error();
                error.code = u"invalid_request"_s;
                error.message = Tr::tr("The cursor value of %1: ").arg(request.cursorField) + error.message;
                return error;
            }
            if (!filters.isEmpty())
                filters.first() = u'(' + filters.first() + u')';
            filters.append(request.cursorField + u" gt "_s + *literal);
        }
        orderBy.append(request.cursorField);
        if (!select.isEmpty() && !select.contains(request.cursorField))
            select.append(request.cursorField);
    }
    const int pageSize = request.pageSize > 0 ? std::min(request.pageSize, kMaxPageSize) : d->settings.pageSize;
    if (orderBy.isEmpty() && pageSize > 0)
        orderBy = type->keys; // $skip paging needs a stable order
    if (!filters.isEmpty())
        paging.options.append({"$filter", OData::encodeQueryValue(filters.join(u" and "_s))});
    if (!select.isEmpty())
        paging.options.append({"$select", OData::encodeQueryValue(select.join(u','))});
    if (!orderBy.isEmpty())
        paging.options.append({"$orderby", OData::encodeQueryValue(orderBy.join(u','))});
    paging.pageSize = pageSize;
    if (request.limit >= 0)
        paging.limit = request.limit;

    ReadSummary summary;
    const PageSink counting = [&](std::vector<Data::Value> &&records) {
        summary.records += qint64(records.size());
        if (!request.cursorField.isEmpty()) {
            for (const Data::Value &record : records) {
                const Data::Value &cursor = record[request.cursorField];
                if (!cursor.isNull() && !cursor.isUndefined()
                    && (summary.lastCursor.isUndefined() || compareCursor(cursor, summary.lastCursor) > 0))
                    summary.lastCursor = cursor;
            }
        }
        return sink(std::move(records));
    };
    Result<ODataPage> page = d->run(paging, &counting, request.cancel);
    if (!page)
        return page.error();
    summary.pages = page->pages;
    summary.stoppedEarly = page->stoppedEarly;
    return summary;
}

Result<WriteSummary> ODataConnector::write(const WriteRequest &request)
{
    auto found = d->entitySet(request.entity, request.cancel);
    if (!found)
        return found.error();
    if (request.records.empty())
        return WriteSummary{};
    return Writer(*d, request, *found->first, *found->second).run();
}

namespace {

// The request of a query, without $top/$skip (the paging adds them).
ODataConnector::Private::Paging queryPaging(const ODataConnector::Private &d, const ODataQuery &query)
{
    ODataConnector::Private::Paging paging;
    QByteArray path;
    for (const QString &segment : splitPath(query.entitySet.trimmed()))
        path += (path.isEmpty() ? "" : "/") + encodePathSegment(segment);
    if (!query.key.isEmpty()) {
        QString key = query.key.trimmed();
        if (key.startsWith(u'(') && key.endsWith(u')'))
            key = key.mid(1, key.size() - 2);
        path += '(' + encodePathSegment(key) + ')';
    }
    paging.resourcePath = path;
    if (!query.filter.isEmpty())
        paging.options.append({"$filter", OData::encodeQueryValue(query.filter)});
    if (!query.select.isEmpty())
        paging.options.append({"$select", OData::encodeQueryValue(query.select.join(u','))});
    if (!query.expand.isEmpty())
        paging.options.append({"$expand", OData::encodeQueryValue(query.expand.join(u','))});
    if (!query.orderBy.isEmpty())
        paging.options.append({"$orderby", OData::encodeQueryValue(query.orderBy.join(u','))});
    if (query.count) {
        if (d.settings.version == 4)
            paging.options.append({QByteArray("$count"), QByteArray("true")});
        else
            paging.options.append({QByteArray("$inlinecount"), QByteArray("allpages")});
    }
    for (auto it = query.custom.cbegin(); it != query.custom.cend(); ++it)
        paging.options.append({OData::encodeQueryValue(it.key()), OData::encodeQueryValue(it.value())});
    paging.single = !query.key.isEmpty() || splitPath(query.entitySet.trimmed()).constLast().contains(u'(');
    paging.limit = query.top;
    paging.skip = query.skip.value_or(0);
    paging.pageSize = d.settings.pageSize;
    paging.follow = query.followNextLinks;
    return paging;
}

} // namespace

QUrl ODataConnector::queryUrl(const ODataQuery &query) const
{
    const Private::Paging paging = queryPaging(*d, query);
    if (paging.single)
        return d->pageUrl(paging, 0, std::nullopt);
    std::optional<qint64> top = paging.limit;
    if (paging.pageSize > 0)
        top = top ? std::min<qint64>(*top, paging.pageSize) : qint64(paging.pageSize);
    return d->pageUrl(paging, paging.skip, top);
}

Result<ODataPage> ODataConnector::query(const ODataQuery &query, const CancelToken *cancel)
{
    return this->query(query, PageSink(), cancel);
}

Result<ODataPage> ODataConnector::query(const ODataQuery &query, const PageSink &sink, const CancelToken *cancel)
{
    if (query.entitySet.trimmed().isEmpty())
        return makeError("invalid_request", Tr::tr("An OData query needs an entity set"));
    if ((query.top && *query.top < 0) || (query.skip && *query.skip < 0))
        return makeError("invalid_request", Tr::tr("$top and $skip of an OData query cannot be negative"));
    // The types decode v2 payloads; without $metadata the records are decoded by their form.
    if (!d->metadata) {
        Result<const ODataMetadata *> md = d->loadMetadata(false, cancel);
        if (!md && (md.error().code == u"authentication_failed" || md.error().code == u"cancelled"))
            return md.error();
    }
    Private::Paging paging = queryPaging(*d, query);
    if (d->metadata) {
        bool single = paging.single;
        paging.type = d->pathType(query.entitySet.trimmed(), !query.key.isEmpty(), &single);
        if (paging.type)
            paging.single = single;
    }
    return d->run(paging, sink ? &sink : nullptr, cancel);
}

Result<QString> ODataConnector::keyPredicate(const QString &entitySet, const Data::Value &key, const CancelToken *cancel)
{
    auto found = d->entitySet(entitySet, cancel);
    if (!found)
        return found.error();
    return d->predicate(*found->second, found->second->keys, key, entitySet);
}

Result<Data::Value> ODataConnector::get(const QString &entitySet, const Data::Value &key, const CancelToken *cancel)
{
    auto found = d->entitySet(entitySet, cancel);
    if (!found)
        return found.error();
    Result<QString> predicate = d->predicate(*found->second, found->second->keys, key, entitySet);
    if (!predicate)
        return predicate.error();
    return d->entityCall("GET", entitySet, *predicate, nullptr, found->second, cancel);
}

Result<Data::Value> ODataConnector::create(const QString &entitySet, const Data::Value &body, const CancelToken *cancel)
{
    auto found = d->entitySet(entitySet, cancel);
    if (!found)
        return found.error();
    if (!body.isObject())
        return makeError("invalid_request", Tr::tr("The body of an OData create is an object"));
    return d->entityCall("POST", entitySet, QString(), &body, found->second, cancel);
}

Result<Data::Value> ODataConnector::update(const QString &entitySet, const Data::Value &key, const Data::Value &body,
                                           const CancelToken *cancel)
{
    auto found = d->entitySet(entitySet, cancel);
    if (!found)
        return found.error();
    if (!body.isObject())
        return makeError("invalid_request", Tr::tr("The body of an OData update is an object"));
    Result<QString> predicate = d->predicate(*found->second, found->second->keys, key, entitySet);
    if (!predicate)
        return predicate.error();
    return d->entityCall(d->settings.updateMethod, entitySet, *predicate, &body, found->second, cancel);
}

Result<Data::Value> ODataConnector::remove(const QString &entitySet, const Data::Value &key, const CancelToken *cancel)
{
    auto found = d->entitySet(entitySet, cancel);
    if (!found)
        return found.error();
    Result<QString> predicate = d->predicate(*found->second, found->second->keys, key, entitySet);
    if (!predicate)
        return predicate.error();
    return d->entityCall("DELETE", entitySet, *predicate, nullptr, found->second, cancel);
}

// ---- factories -----------------------------------------------------------------------------

Result<std::unique_ptr<ODataConnector>> createODataConnectorTyped(const EndpointSpec &endpoint, const ConnectorContext &context)
{
    Result<Settings> settings = readSettings(endpoint);
    Result<HttpClientOptions> options = HttpClientOptions::fromEndpoint(endpoint);
    if (!settings || !options) {
        QStringList problems;
        if (!settings)
            problems += settings.error().details;
        if (!options)
            problems += options.error().details;
        return makeError("invalid_endpoint", Tr::tr("Endpoint %1 has an invalid OData configuration").arg(endpoint.id),
                         problems);
    }
    auto d = std::make_unique<ODataConnector::Private>();
    d->endpoint = endpoint;
    d->settings = std::move(*settings);
    d->http = std::make_unique<HttpClient>(std::move(*options), endpoint.authentication, context);
    d->http->setDefaultHeaders(endpoint.headers);
    return std::unique_ptr<ODataConnector>(new ODataConnector(endpoint, std::move(d)));
}

Result<std::unique_ptr<Connector>> createODataConnector(const EndpointSpec &endpoint, const ConnectorContext &context)
{
    Result<std::unique_ptr<ODataConnector>> connector = createODataConnectorTyped(endpoint, context);
    if (!connector)
        return connector.error();
    return std::unique_ptr<Connector>(std::move(*connector));
}

} // namespace Conflux::Connectors
