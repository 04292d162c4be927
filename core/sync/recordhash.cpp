#include "recordhash.h"

#include "data/json.h"
#include "tr_p.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <optional>

using namespace Qt::StringLiterals;

namespace Conflux::Sync {

namespace {

bool digits(QStringView s, qsizetype from, qsizetype count, int *out)
{
    if (from + count > s.size())
        return false;
    int v = 0;
    for (qsizetype i = from; i < from + count; ++i) {
        const char16_t c = s[i].unicode();
        if (c < u'0' || c > u'9')
            return false;
        v = v * 10 + (c - u'0');
    }
    *out = v;
    return true;
}

// "YYYY-MM-DD[T ]HH:MM[:SS[.f+]][Z|±HH[:MM]]" in canonical form, or nothing when `s` is not
// such a date-time.
std::optional<QString> canonicalDateTime(QStringView s)
{
    if (s.size() < 16 || s[4] != u'-' || s[7] != u'-' || (s[10] != u'T' && s[10] != u' ')
        || s[13] != u':')
        return std::nullopt;
    int year, month, day, hour, minute, second = 0, msec = 0;
    if (!digits(s, 0, 4, &year) || !digits(s, 5, 2, &month) || !digits(s, 8, 2, &day)
        || !digits(s, 11, 2, &hour) || !digits(s, 14, 2, &minute))
        return std::nullopt;
    qsizetype i = 16;
    if (i < s.size() && s[i] == u':') {
        if (!digits(s, i + 1, 2, &second))
            return std::nullopt;
        i += 3;
        if (i < s.size() && (s[i] == u'.' || s[i] == u',')) {
            ++i;
            int place = 100;
            const qsizetype start = i;
            while (i < s.size() && s[i] >= u'0' && s[i] <= u'9') {
                msec += (s[i].unicode() - u'0') * place;
                place /= 10;
                ++i;
            }
            if (i == start)
                return std::nullopt;
        }
    }
    const QDate date(year, month, day);
    const QTime time(hour, minute, second, msec);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    if (i == s.size()) // a local date-time: no zone to convert from
        return QDateTime(date, time, Qt::UTC).toString(Qt::ISODateWithMs).chopped(1);
    int offsetSeconds = 0;
    if (s[i] == u'Z' || s[i] == u'z') {
        if (i + 1 != s.size())
            return std::nullopt;
    } else if (s[i] == u'+' || s[i] == u'-') {
        int oh = 0, om = 0;
        if (!digits(s, i + 1, 2, &oh))
            return std::nullopt;
        qsizetype j = i + 3;
        if (j < s.size() && s[j] == u':')
            ++j;
        if (j < s.size()) {
            if (!digits(s, j, 2, &om) || j + 2 != s.size())
                return std::nullopt;
        }
        offsetSeconds = (oh * 3600 + om * 60) * (s[i] == u'-' ? -1 : 1);
    } else {
        return std::nullopt;
    }
    const QDateTime utc = QDateTime(date, time, Qt::UTC).addSecs(-offsetSeconds);
    return utc.toString(Qt::ISODateWithMs);
}

// A decimal number written as text the way databases return exact decimals ("1.50",
// "-3", "0.25"): an optional minus, digits without a leading zero, an optional fraction.
bool isDecimalText(QStringView s)
{
    qsizetype i = s.startsWith(u'-') ? 1 : 0;
    const qsizetype start = i;
    while (i < s.size() && s[i].isDigit() && s[i].unicode() < 128)
        ++i;
    const qsizetype whole = i - start;
    if (whole == 0 || (whole > 1 && s[start] == u'0'))
        return false;
    if (i == s.size())
        return true;
    if (s[i] != u'.' || i + 1 == s.size())
        return false;
    for (++i; i < s.size(); ++i) {
        if (!s[i].isDigit() || s[i].unicode() >= 128)
            return false;
    }
    return true;
}

// The number a decimal text stands for, trailing fraction zeros dropped ("1.50" → 1.5).
Data::Value decimalNumber(QString text)
{
    if (text.contains(u'.')) {
        while (text.endsWith(u'0'))
            text.chop(1);
        if (text.endsWith(u'.'))
            text.chop(1);
    }
    return Data::Value::numberFromText(text);
}

Data::Value canonicalScalar(const Data::Value &value)
{
    if (value.hasExactText()) {
        // A decimal the source kept as text ("1.50" from NUMERIC(12,2)) equals 1.5.
        const QString text = value.exactText();
        return isDecimalText(text) ? decimalNumber(text) : value;
    }
    if (value.isString()) {
        // Exact decimals come back from databases as text: "1.50" equals the number 1.5.
        if (value.toString().size() < 40 && isDecimalText(value.toString()))
            return decimalNumber(value.toString());
        if (std::optional<QString> dt = canonicalDateTime(value.toString()))
            return Data::Value(std::move(*dt));
    }
    if (value.isUndefined())
        return Data::Value::null();
    return value;
}

// Appends a value's canonical form to `out`, objects with their members sorted.
void appendCanonical(const Data::Value &value, QByteArray &out)
{
    if (value.isObject()) {
        std::vector<const Data::Object::Member *> members;
        for (const auto &member : value.toObject())
            members.push_back(&member);
        std::sort(members.begin(), members.end(),
                  [](const auto *a, const auto *b) { return a->first < b->first; });
        out += '{';
        for (const auto *member : members) {
            if (member->second.isUndefined() || member->second.isNull())
                continue; // a missing member equals null
            Data::Json::serialize(Data::Value(member->first), out);
            out += ':';
            appendCanonical(member->second, out);
            out += ',';
        }
        out += '}';
    } else if (value.isArray()) {
        out += '[';
        for (const Data::Value &item : value.toArray()) {
            appendCanonical(item, out);
            out += ',';
        }
        out += ']';
    } else {
        Data::Json::serialize(canonicalScalar(value), out);
    }
}

int kindOrder(const Data::Value &v)
{
    if (v.isUndefined() || v.isNull())
        return 0;
    if (v.isBool())
        return 1;
    if (v.isNumber())
        return 2;
    if (v.isString())
        return 3;
    return 4;
}

} // namespace

Data::Value canonicalValue(const Data::Value &value)
{
    if (value.isObject()) {
        std::vector<Data::Object::Member> members;
        for (const auto &[name, member] : value.toObject()) {
            if (!member.isUndefined() && !member.isNull())
                members.emplace_back(name, canonicalValue(member));
        }
        std::sort(members.begin(), members.end(),
                  [](const auto &a, const auto &b) { return a.first < b.first; });
        Data::Object out;
        out.reserve(qsizetype(members.size()));
        for (auto &member : members)
            out.append(std::move(member.first), std::move(member.second));
        return Data::Value(std::move(out));
    }
    if (value.isArray()) {
        Data::Array out;
        for (const Data::Value &item : value.toArray())
            out.push_back(canonicalValue(item));
        return Data::Value(std::move(out));
    }
    return canonicalScalar(value);
}

Result<QString> recordKey(const Data::Value &record, const QStringList &keyFields)
{
    QByteArray text;
    if (keyFields.size() > 1)
        text += '[';
    for (qsizetype i = 0; i < keyFields.size(); ++i) {
        const Data::Value &value = record[keyFields[i]];
        if (value.isUndefined() || value.isNull() || value.isObject() || value.isArray()) {
            return makeError("missing_key",
                             value.isUndefined() || value.isNull()
                                 ? Tr::tr("the key field \"%1\" has no value").arg(keyFields[i])
                                 : Tr::tr("the key field \"%1\" holds an %2, not a value")
                                       .arg(keyFields[i], QLatin1StringView(value.typeName())));
        }
        if (i > 0)
            text += ',';
        Data::Json::serialize(canonicalScalar(value), text);
    }
    if (keyFields.size() > 1)
        text += ']';
    return QString::fromUtf8(text);
}

Result<Data::Value> keyValues(const QString &key, const QStringList &keyFields)
{
    Result<Data::Value> parsed = Data::Json::parse(key.toUtf8());
    if (!parsed)
        return makeError("missing_key", Tr::tr("the key %1 is not JSON").arg(key));
    Data::Object out;
    if (keyFields.size() == 1) {
        out.append(keyFields.front(), std::move(*parsed));
        return Data::Value(std::move(out));
    }
    if (!parsed->isArray() || parsed->size() != keyFields.size())
        return makeError("missing_key",
                         Tr::tr("the key %1 does not hold %2 values").arg(key).arg(keyFields.size()));
    for (qsizetype i = 0; i < keyFields.size(); ++i)
        out.append(keyFields[i], parsed->at(i));
    return Data::Value(std::move(out));
}

QByteArray recordHash(const Data::Value &record, const QStringList &fields)
{
    QStringList sorted = fields;
    sorted.sort();
    QByteArray text;
    text.reserve(256);
    for (const QString &field : std::as_const(sorted)) {
        text += field.toUtf8();
        text += '\0';
        appendCanonical(record[field], text);
        text += '\0';
    }
    return QCryptographicHash::hash(text, QCryptographicHash::Sha256).left(16);
}

QStringList fieldsOf(const Data::Value &record)
{
    QStringList names;
    for (const auto &member : record.toObject())
        names.append(member.first);
    names.sort();
    return names;
}

int compareValues(const Data::Value &a, const Data::Value &b)
{
    const int ka = kindOrder(a), kb = kindOrder(b);
    if (ka != kb)
        return ka < kb ? -1 : 1;
    if (a.isNumber()) {
        if (a.hasExactText() || b.hasExactText()) {
            const qint64 x = a.toInt64(), y = b.toInt64();
            if (a.toDouble() == b.toDouble() && x != y)
                return x < y ? -1 : 1;
        }
        const double x = a.toDouble(), y = b.toDouble();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a.isBool())
        return int(a.toBool()) - int(b.toBool());
    if (a.isString()) {
        const Data::Value ca = canonicalScalar(a), cb = canonicalScalar(b);
        const int c = ca.toString().compare(cb.toString());
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    return 0;
}

} // namespace Conflux::Sync
