// The OData wire format (namespace OData of odataconnector.h: literals, v2 dates, query
// encoding, error bodies) and the helpers for types, dates and paths the parts share.

#include "odataconnector_p.h"

#include "data/json.h"
#include "data/numbers.h"

#include <QRegularExpression>
#include <QXmlStreamReader>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace ODataInternal;

namespace {

bool isIntegerType(QStringView t)
{
    return t == u"Edm.Int32" || t == u"Edm.Int64" || t == u"Edm.Int16" || t == u"Edm.Byte" || t == u"Edm.SByte";
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

bool isNumberText(QStringView text)
{
    static const QRegularExpression pattern(u"^-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?$"_s);
    return pattern.match(text).hasMatch();
}

} // namespace

// ---- shared helpers ------------------------------------------------------------------------

namespace ODataInternal {

bool isNumericType(QStringView t)
{
    return isIntegerType(t) || t == u"Edm.Decimal" || t == u"Edm.Double" || t == u"Edm.Single";
}

bool isDateTimeType(QStringView t)
{
    return t == u"Edm.DateTime" || t == u"Edm.DateTimeOffset";
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

} // namespace ODataInternal

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

} // namespace Conflux::Connectors
