// The Rest:: helpers of restapi.h: JSON pointers, JSON Merge Patch, {placeholder} templates,
// cursor values and record keys.

#include "restapi.h"
#include "restapi_p.h"

#include "data/json.h"
#include "data/numbers.h"

#include <QRegularExpression>
#include <QUrl>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using Internal::RestApiDetail::Tr;

namespace {

bool isIdentifierStart(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
}

bool isIdentifierChar(QChar c)
{
    return isIdentifierStart(c) || (c >= u'0' && c <= u'9');
}

// The placeholder name at `text[i]` == '{', or empty.
QStringView placeholderAt(QStringView text, qsizetype i, qsizetype *end)
{
    qsizetype j = i + 1;
    if (j >= text.size() || !isIdentifierStart(text.at(j)))
        return {};
    while (j < text.size() && isIdentifierChar(text.at(j)))
        ++j;
    if (j >= text.size() || text.at(j) != u'}')
        return {};
    *end = j + 1;
    return text.mid(i + 1, j - i - 1);
}

std::optional<Data::Value> expandJsonValue(const Data::Value &value, const Rest::PlaceholderLookup &lookup)
{
    if (value.isString()) {
        const QString &text = value.toString();
        qsizetype end = 0;
        if (text.startsWith(u'{')) {
            const QStringView name = placeholderAt(text, 0, &end);
            if (!name.isEmpty() && end == text.size()) {
                const Rest::Placeholder p = lookup(name);
                if (p.known) {
                    if (p.value.isUndefined())
                        return std::nullopt;
                    return p.value;
                }
            }
        }
        return Data::Value(Rest::expand(text, lookup).text);
    }
    if (value.isObject()) {
        Data::Object out;
        for (const auto &[key, member] : value.toObject()) {
            if (std::optional<Data::Value> v = expandJsonValue(member, lookup))
                out.append(key, std::move(*v));
        }
        return Data::Value(std::move(out));
    }
    if (value.isArray()) {
        Data::Array out;
        for (const Data::Value &item : value.toArray()) {
            if (std::optional<Data::Value> v = expandJsonValue(item, lookup))
                out.push_back(std::move(*v));
        }
        return Data::Value(std::move(out));
    }
    return value;
}

} // namespace

namespace Rest {

bool isPointer(QStringView text)
{
    if (text.isEmpty())
        return true;
    if (!text.startsWith(u'/'))
        return false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) == u'~' && (i + 1 >= text.size() || (text.at(i + 1) != u'0' && text.at(i + 1) != u'1')))
            return false;
    }
    return true;
}

QString escapePointerToken(QString token)
{
    return token.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
}

namespace {
QStringList pointerTokens(QStringView pointer)
{
    QStringList tokens;
    if (pointer.isEmpty())
        return tokens;
    for (QStringView token : pointer.mid(1).split(u'/'))
        tokens.append(token.toString().replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s));
    return tokens;
}

std::optional<qsizetype> arrayIndex(const QString &token)
{
    if (token.isEmpty() || (token.size() > 1 && token.startsWith(u'0')))
        return std::nullopt;
    bool ok = false;
    const qsizetype index = token.toLongLong(&ok);
    return ok && index >= 0 ? std::optional<qsizetype>(index) : std::nullopt;
}
} // namespace

const Data::Value *pointerGet(const Data::Value &document, QStringView pointer)
{
    const Data::Value *current = &document;
    for (const QString &token : pointerTokens(pointer)) {
        if (current->isObject()) {
            current = current->toObject().find(token);
        } else if (current->isArray()) {
            const std::optional<qsizetype> index = arrayIndex(token);
            if (!index || *index >= current->size())
                return nullptr;
            current = &current->toArray()[size_t(*index)];
        } else {
            return nullptr;
        }
        if (!current)
            return nullptr;
    }
    return current;
}

bool pointerSet(Data::Value &document, QStringView pointer, Data::Value value)
{
    const QStringList tokens = pointerTokens(pointer);
    if (tokens.isEmpty()) {
        document = std::move(value);
        return true;
    }
    if (document.isUndefined() || document.isNull())
        document = Data::Value(Data::Object());
    Data::Value *current = &document;
    for (qsizetype i = 0; i < tokens.size(); ++i) {
        const QString &token = tokens.at(i);
        const bool last = i + 1 == tokens.size();
        if (current->isObject()) {
            Data::Object &object = current->mutableObject();
            if (last) {
                object.insert(token, std::move(value));
                return true;
            }
            Data::Value *next = object.find(token);
            if (!next) {
                object.insert(token, Data::Value(Data::Object()));
                next = object.find(token);
            }
            current = next;
        } else if (current->isArray()) {
            Data::Array &array = current->mutableArray();
            std::optional<qsizetype> index = token == "-"_L1 ? std::optional<qsizetype>(array.size()) : arrayIndex(token);
            if (!index || *index > qsizetype(array.size()))
                return false;
            if (*index == qsizetype(array.size()))
                array.push_back(last ? Data::Value() : Data::Value(Data::Object()));
            if (last) {
                array[size_t(*index)] = std::move(value);
                return true;
            }
            current = &array[size_t(*index)];
        } else {
            return false;
        }
    }
    return false;
}

Data::Value mergePatch(const Data::Value &target, const Data::Value &patch)
{
    if (!patch.isObject())
        return patch;
    Data::Object result = target.isObject() ? target.toObject() : Data::Object();
    for (const auto &[key, value] : patch.toObject()) {
        if (value.isNull()) {
            result.remove(key);
        } else {
            const Data::Value *existing = result.find(key);
            result.insert(key, mergePatch(existing ? *existing : Data::Value(), value));
        }
    }
    return Data::Value(std::move(result));
}

QString scalarText(const Data::Value &value)
{
    switch (value.type()) {
    case Data::Value::Type::String:
        return value.toString();
    case Data::Value::Type::Number:
        return value.hasExactText() ? value.exactText() : Data::formatNumberString(value.toDouble());
    case Data::Value::Type::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case Data::Value::Type::Array:
    case Data::Value::Type::Object:
        return QString::fromUtf8(Data::Json::serialize(value));
    default:
        return {};
    }
}

QStringList placeholders(QStringView text)
{
    QStringList names;
    for (qsizetype i = 0; i < text.size(); ++i) {
        qsizetype end = 0;
        if (text.at(i) == u'{') {
            const QStringView name = placeholderAt(text, i, &end);
            if (!name.isEmpty()) {
                names.append(name.toString());
                i = end - 1;
            }
        }
    }
    return names;
}

Expanded expand(QStringView text, const PlaceholderLookup &lookup, Encoding encoding)
{
    Expanded out;
    out.text.reserve(text.size());
    for (qsizetype i = 0; i < text.size();) {
        qsizetype end = 0;
        if (text.at(i) == u'{') {
            const QStringView name = placeholderAt(text, i, &end);
            if (!name.isEmpty()) {
                const Placeholder p = lookup(name);
                if (p.known) {
                    if (p.value.isUndefined() && i == 0 && end == text.size()) {
                        out.omitted = true;
                        out.text.clear();
                        return out;
                    }
                    const QString value = scalarText(p.value);
                    // One path segment: "/" and everything else outside RFC 3986's pchar is encoded.
                    out.text += encoding == Encoding::PathSegment
                                    ? QString::fromLatin1(QUrl::toPercentEncoding(value, "!$&'()*+,;=:@"))
                                    : value;
                    i = end;
                    continue;
                }
            }
        }
        out.text += text.at(i);
        ++i;
    }
    return out;
}

Data::Value expandJson(const Data::Value &value, const PlaceholderLookup &lookup)
{
    return expandJsonValue(value, lookup).value_or(Data::Value());
}

std::optional<QDateTime> parseTimestamp(const Data::Value &value)
{
    auto fromNumber = [](double number) -> std::optional<QDateTime> {
        if (!std::isfinite(number))
            return std::nullopt;
        const double ms = std::abs(number) > 1e11 ? number : number * 1000.0;
        return QDateTime::fromMSecsSinceEpoch(qint64(std::floor(ms)), Qt::UTC);
    };
    if (value.isNumber())
        return fromNumber(value.toDouble());
    if (!value.isString())
        return std::nullopt;
    const QString text = value.toString().trimmed();
    if (text.isEmpty())
        return std::nullopt;
    static const QRegularExpression msDate(u"^/Date\\((-?\\d+)([+-]\\d{4})?\\)/$"_s);
    if (const QRegularExpressionMatch m = msDate.match(text); m.hasMatch())
        return QDateTime::fromMSecsSinceEpoch(m.captured(1).toLongLong(), Qt::UTC);
    static const QRegularExpression numeric(u"^-?\\d+(\\.\\d+)?$"_s);
    if (numeric.match(text).hasMatch())
        return fromNumber(text.toDouble());
    static const QRegularExpression iso(
        u"^(\\d{4}-\\d{2}-\\d{2})(?:[T ](\\d{2}:\\d{2}(?::\\d{2})?)(?:[.,](\\d+))?)?\\s*(Z|z|[+-]\\d{2}(?::?\\d{2})?)?$"_s);
    if (const QRegularExpressionMatch m = iso.match(text); m.hasMatch()) {
        QString time = m.captured(2).isEmpty() ? u"00:00:00"_s : m.captured(2);
        if (time.size() == 5)
            time += u":00"_s;
        const QString fraction = (m.captured(3) + u"000"_s).left(3);
        QString zone = m.captured(4);
        if (zone.isEmpty() || zone == "z"_L1)
            zone = u"Z"_s;
        else if (zone != "Z"_L1 && zone.size() == 5)
            zone.insert(3, u':');
        else if (zone != "Z"_L1 && zone.size() == 3)
            zone += u":00"_s;
        const QDateTime parsed = QDateTime::fromString(m.captured(1) + u'T' + time + u'.' + fraction + zone, Qt::ISODateWithMs);
        if (parsed.isValid())
            return parsed.toUTC();
        return std::nullopt;
    }
    const QDateTime rfc2822 = QDateTime::fromString(text, Qt::RFC2822Date);
    if (rfc2822.isValid())
        return rfc2822.toUTC();
    return std::nullopt;
}

int compareCursor(const Data::Value &a, const Data::Value &b)
{
    static const QRegularExpression numeric(u"^-?\\d+(\\.\\d+)?$"_s);
    auto asNumber = [](const Data::Value &v) -> std::optional<double> {
        if (v.isNumber())
            return v.toDouble();
        if (v.isString() && numeric.match(v.toString().trimmed()).hasMatch())
            return v.toString().trimmed().toDouble();
        return std::nullopt;
    };
    const std::optional<double> na = asNumber(a);
    const std::optional<double> nb = asNumber(b);
    if (na && nb)
        return *na < *nb ? -1 : *na > *nb ? 1 : 0;
    const std::optional<QDateTime> ta = parseTimestamp(a);
    const std::optional<QDateTime> tb = parseTimestamp(b);
    if (ta && tb) {
        const qint64 ma = ta->toMSecsSinceEpoch();
        const qint64 mb = tb->toMSecsSinceEpoch();
        return ma < mb ? -1 : ma > mb ? 1 : 0;
    }
    const int c = QString::compare(scalarText(a), scalarText(b));
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

bool isValidCursorFormat(const QString &format)
{
    static const QStringList names{u"as_read"_s, u"iso8601"_s, u"iso8601_date"_s, u"unix_seconds"_s, u"unix_millis"_s};
    return names.contains(format) || (format.startsWith(u"qt:"_s) && format.size() > 3);
}

Result<QString> formatCursor(const Data::Value &value, const QString &format)
{
    if (format.isEmpty() || format == "as_read"_L1)
        return scalarText(value);
    const std::optional<QDateTime> time = parseTimestamp(value);
    if (!time) {
        return makeError("invalid_cursor", Tr::tr("the cursor value \"%1\" is not a time, which cursor_format %2 needs")
                                               .arg(scalarText(value).left(100), format));
    }
    const QDateTime utc = time->toUTC();
    if (format == "iso8601"_L1)
        return utc.toString(u"yyyy-MM-dd'T'HH:mm:ss'Z'"_s);
    if (format == "iso8601_date"_L1)
        return utc.toString(u"yyyy-MM-dd"_s);
    if (format == "unix_seconds"_L1)
        return QString::number(std::floor(double(utc.toMSecsSinceEpoch()) / 1000.0), 'f', 0);
    if (format == "unix_millis"_L1)
        return QString::number(utc.toMSecsSinceEpoch());
    if (format.startsWith(u"qt:"_s))
        return utc.toString(format.mid(3));
    return makeError("invalid_cursor", Tr::tr("unknown cursor_format \"%1\"").arg(format));
}

const Data::Value *recordField(const Data::Value &record, const QString &field)
{
    if (field.startsWith(u'/'))
        return pointerGet(record, field);
    return record.toObject().find(field);
}

Data::Value recordKey(const Data::Value &record, const QStringList &fields)
{
    if (fields.isEmpty())
        return {};
    Data::Array parts;
    for (const QString &field : fields) {
        const Data::Value *value = recordField(record, field);
        if (!value || value->isNull() || value->isUndefined() || (value->isString() && value->toString().isEmpty()))
            return {};
        parts.push_back(*value);
    }
    if (parts.size() == 1)
        return parts.front();
    return Data::Value(std::move(parts));
}

} // namespace Rest

} // namespace Conflux::Connectors
