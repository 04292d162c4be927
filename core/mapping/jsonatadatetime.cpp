// $fromMillis and $now: date/time picture analysis (cached per thread) and formatting,
// plus the proleptic Gregorian calendar both directions share.

#include "mapping/jsonatadatetime_p.h"

#include "mapping/jsonatafunctionlib_p.h"
#include "mapping/jsonatanumberformat_p.h"

#include <QHash>

#include <algorithm>
#include <cmath>
#include <memory>

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal::DateTime {

using Data::Value;
using NumberFormat::IntegerPicture;
using namespace Detail;

namespace {

// ---- the proleptic Gregorian calendar ------------------------------------------------------

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

Civil civilFromDays(qint64 days)
{
    days += 719468;
    const qint64 era = floorDiv(days, 146097);
    const qint64 dayOfEra = days - era * 146097;
    const qint64 yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    const qint64 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const qint64 mp = (5 * dayOfYear + 2) / 153;
    const int day = int(dayOfYear - (153 * mp + 2) / 5 + 1);
    const int month = int(mp < 10 ? mp + 3 : mp - 9);
    return {yearOfEra + era * 400 + (month <= 2), month, day};
}

qint64 startOfDay(qint64 year, int month0)
{
    const qint64 y = year + floorDiv(month0, 12);
    const int m = int(month0 - floorDiv(month0, 12) * 12);
    return daysFromCivil(y, m + 1, 1) * msPerDay;
}

// Start of week 1 of a year (month0 = 0) or month: the week holding its first Thursday.
qint64 startOfFirstWeek(qint64 year, int month0)
{
    const qint64 first = startOfDay(year, month0);
    const int weekday = momentOf(first).weekday;
    return weekday > 4 ? first + (8 - weekday) * msPerDay : first - (weekday - 1) * msPerDay;
}

double weeksBetween(qint64 start, qint64 end)
{
    return double(end - start) / double(msPerDay * 7) + 1;
}

// ---- picture analysis (F&O 9.8.4) --------------------------------------------------------

const char *defaultPresentation(char16_t component)
{
    switch (component) {
    case u'Y': case u'M': case u'D': case u'd': case u'W': case u'w': case u'X': case u'x':
    case u'H': case u'h': case u'f':
        return "1";
    case u'F': case u'P': case u'C': case u'E':
        return "n";
    case u'm': case u's':
        return "01";
    case u'Z': case u'z':
        return "01:01";
    default:
        return nullptr;
    }
}

int parseWidth(QStringView text)
{
    if (text.isEmpty() || text == u"*")
        return -1;
    bool ok = false;
    const int value = text.toInt(&ok);
    return ok ? std::clamp(value, 0, 1000) : -1;   // a bound, so a picture cannot ask for gigabytes
}

std::shared_ptr<const Picture> analysePicture(const QString &picture, int position)
{
    auto result = std::make_shared<Picture>();
    std::vector<Marker> &parts = result->parts;
    auto addLiteral = [&](qsizetype start, qsizetype end) {
        if (end > start) {
            Marker literal;
            literal.isLiteral = true;
            literal.literal = picture.mid(start, end - start).replace(u"]]"_s, u"]"_s);
            parts.push_back(std::move(literal));
        }
    };
    const qsizetype n = picture.size();
    qsizetype start = 0;
    qsizetype pos = 0;
    while (pos < n) {
        if (picture[pos] != u'[') {
            ++pos;
            continue;
        }
        if (pos + 1 < n && picture[pos + 1] == u'[') {   // "[[" is a literal "["
            addLiteral(start, pos);
            Marker bracket;
            bracket.isLiteral = true;
            bracket.literal = u"["_s;
            parts.push_back(std::move(bracket));
            pos += 2;
            start = pos;
            continue;
        }
        addLiteral(start, pos);
        const qsizetype close = picture.indexOf(u']', pos);
        if (close == -1) {
            throwJsonata("D3135", position,
                         u"No matching closing bracket ']' in date/time picture string"_s);
        }
        QString marker;
        for (qsizetype i = pos + 1; i < close; ++i) {
            if (!picture[i].isSpace())
                marker += picture[i];
        }
        Marker def;
        def.component = marker.isEmpty() ? u'\0' : marker.front().unicode();
        int widthMin = -1;
        QString presentation;
        const qsizetype comma = marker.lastIndexOf(u',');
        if (comma != -1) {
            const QStringView width = QStringView(marker).mid(comma + 1);
            const qsizetype dash = width.indexOf(u'-');
            widthMin = parseWidth(dash == -1 ? width : width.left(dash));
            def.widthMax = dash == -1 ? -1 : parseWidth(width.mid(dash + 1));
            presentation = marker.mid(1, comma - 1);
        } else {
            presentation = marker.mid(1);
        }
        if (presentation.size() > 1 && QStringView(u"atco").contains(presentation.back())) {
            def.presentation2 = presentation.back();
            presentation.chop(1);
        }
        const char *fallback = defaultPresentation(def.component);
        if (!fallback) {
            throwJsonata("D3132", position,
                         u"Unknown component specifier %1 in date/time picture string"_s
                             .arg(jsonLiteral(QString(QChar(def.component)))));
        }
        if (presentation.isEmpty())
            presentation = QString::fromLatin1(fallback);

        if (presentation.front() == u'n') {
            def.names = Names::Lower;
        } else if (presentation.front() == u'N') {
            def.names = presentation.size() > 1 && presentation[1] == u'n' ? Names::Title : Names::Upper;
        } else if (QStringView(u"YMDdFWwXxHhmsf").contains(QChar(def.component))) {
            QString pattern = presentation;
            if (!def.presentation2.isNull())
                pattern += u';' + def.presentation2;
            def.integer = NumberFormat::analyseIntegerPicture(pattern, position);
            def.hasInteger = true;
            // Widths count digits, so only decimal pictures have any (a year in words
            // or roman numerals is cut only by an explicit maximum width).
            const bool decimal = def.integer.primary == IntegerPicture::Primary::Decimal;
            if (decimal && widthMin > def.integer.mandatoryDigits)
                def.integer.mandatoryDigits = widthMin;
            if (def.component == u'Y') {
                if (def.widthMax != -1) {
                    def.yearDigits = def.widthMax;
                    def.integer.mandatoryDigits = def.widthMax;
                } else if (decimal && def.integer.mandatoryDigits + def.integer.optionalDigits >= 2) {
                    def.yearDigits = def.integer.mandatoryDigits + def.integer.optionalDigits;
                }
            }
            // Adjacent integer components need exact widths to be told apart when parsing.
            if (!parts.empty() && parts.back().hasInteger)
                parts.back().integer.parseWidth = parts.back().integer.mandatoryDigits;
        }
        if (def.component == u'Z' || def.component == u'z') {
            def.integer = NumberFormat::analyseIntegerPicture(presentation, position);
            def.hasInteger = false;
        }
        parts.push_back(std::move(def));
        pos = close + 1;
        start = pos;
    }
    addLiteral(start, pos);
    return result;
}

const QString &isoPicture()
{
    static const QString picture = u"[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]"_s;
    return picture;
}

// ---- formatting ---------------------------------------------------------------------------

QString applyNames(QString text, Names names)
{
    if (names == Names::Upper)
        return text.toUpper();
    if (names == Names::Lower)
        return text.toLower();
    return text;
}

void appendComponent(QString &out, const Marker &marker, const Moment &m, int offsetHours,
                     int offsetMinutes, int position)
{
    const char16_t c = marker.component;
    switch (c) {
    case u'Z':
    case u'z': {
        const int offset = offsetHours * 100 + offsetMinutes;
        const IntegerPicture &format = marker.integer;
        QString text;
        if (format.regularInterval > 0) {
            text = NumberFormat::formatInteger(offset, format, position);
        } else if (format.mandatoryDigits == 1 || format.mandatoryDigits == 2) {
            text = NumberFormat::formatInteger(offsetHours, format, position);
            if (offsetMinutes != 0) {
                if (offsetHours == 0 && offsetMinutes < 0)
                    text.prepend(u'-');
                text += u':';
                text += QString::number(std::abs(offsetMinutes)).rightJustified(2, u'0');
            }
        } else if (format.mandatoryDigits == 3 || format.mandatoryDigits == 4) {
            text = NumberFormat::formatInteger(offset, format, position);
        } else {
            throwJsonata("D3134", position,
                         u"The timezone integer format specifier cannot have more than four digits"_s,
                         format.mandatoryDigits);
        }
        if (offset >= 0)
            text.prepend(u'+');
        if (c == u'z')
            text.prepend(u"GMT"_s);
        if (offset == 0 && marker.presentation2 == u't')
            text = u"Z"_s;
        out += text;
        return;
    }
    case u'P': {
        const QString text = m.hour >= 12 ? u"pm"_s : u"am"_s;
        out += marker.names == Names::Upper ? text.toUpper() : text;
        return;
    }
    case u'C':
    case u'E':
        out += u"ISO"_s;
        return;
    default:
        break;
    }

    double value = fragment(c, m);
    if (c == u'Y' && marker.yearDigits != -1)
        value = std::fmod(value, std::pow(10, marker.yearDigits));
    if (marker.names != Names::None) {
        QString name;
        if (c == u'M' || c == u'x')
            name = QLatin1StringView(monthNames[int(value) - 1]);
        else if (c == u'F')
            name = QLatin1StringView(dayNames[int(value)]);
        else
            throwNameModifier(c, position);
        name = applyNames(std::move(name), marker.names);
        if (marker.widthMax > 0 && name.size() > marker.widthMax)
            name.truncate(marker.widthMax);
        out += name;
        return;
    }
    const IntegerPicture &format = marker.integer;
    if (format.primary == IntegerPicture::Primary::Decimal && format.zeroCode == U'0' && !format.ordinal
        && format.regularInterval == 0 && format.separators.empty() && value >= 0 && value < 1e15) {
        // Plain digits, zero-padded: the usual [Y0001], [M01], [H01] ... without detours.
        const QString digits = QString::number(qint64(value));
        if (digits.size() < format.mandatoryDigits)
            out += QString(format.mandatoryDigits - digits.size(), u'0');
        out += digits;
        return;
    }
    out += NumberFormat::formatInteger(value, format, position);
}

// JavaScript's parseInt() of a "+hhmm" zone, split into signed hours and minutes.
bool parseTimezone(const QString &timezone, int &hours, int &minutes)
{
    const QString trimmed = timezone.trimmed();
    qsizetype i = 0;
    bool negative = false;
    if (i < trimmed.size() && (trimmed[i] == u'+' || trimmed[i] == u'-'))
        negative = trimmed[i++] == u'-';
    int value = 0;
    const qsizetype digitsFrom = i;
    while (i < trimmed.size() && trimmed[i].isDigit() && trimmed[i].unicode() < 0x80 && value < 100000)
        value = value * 10 + (trimmed[i++].unicode() - u'0');
    if (i == digitsFrom)
        return false;
    hours = (negative ? -1 : 1) * (value / 100);
    minutes = (negative ? -1 : 1) * (value % 100);
    return true;
}

void putDigits(char16_t *&out, qint64 value, int width)
{
    for (int i = width - 1; i >= 0; --i, value /= 10)
        out[i] = char16_t(u'0' + value % 10);
    out += width;
}

// [Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t] for years 0..9999 and offsets
// below 100 hours, written directly (the hot path of $fromMillis and $now).
QString formatIso(const Moment &m, int offsetHours, int offsetMinutes)
{
    char16_t buffer[32];
    char16_t *out = buffer;
    putDigits(out, m.date.year, 4);
    *out++ = u'-';
    putDigits(out, m.date.month, 2);
    *out++ = u'-';
    putDigits(out, m.date.day, 2);
    *out++ = u'T';
    putDigits(out, m.hour, 2);
    *out++ = u':';
    putDigits(out, m.minute, 2);
    *out++ = u':';
    putDigits(out, m.second, 2);
    *out++ = u'.';
    putDigits(out, m.millisecond, 3);
    const int offset = offsetHours * 100 + offsetMinutes;
    if (offset == 0) {
        *out++ = u'Z';
    } else {
        *out++ = offset > 0 ? u'+' : u'-';
        const int magnitude = std::abs(offset);
        putDigits(out, magnitude / 100, 2);
        *out++ = u':';
        putDigits(out, magnitude % 100, 2);
    }
    return QString(reinterpret_cast<const QChar *>(buffer), out - buffer);
}

} // namespace

namespace Detail {

// Days since 1970-01-01 of year/month(1..12)/day (H. Hinnant's algorithm).
qint64 daysFromCivil(qint64 year, int month, int day)
{
    year -= month <= 2;
    const qint64 era = floorDiv(year, 400);
    const qint64 yearOfEra = year - era * 400;
    const qint64 dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const qint64 dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146097 + dayOfEra - 719468;
}

// Date.UTC(): every argument truncated, months overflowing into years, two-digit years
// in the 1900s; NaN when an argument is not finite or the result out of range.
double makeUtc(double year, double month, double day, double hours, double minutes,
               double seconds, double millis)
{
    for (const double x : {year, month, day, hours, minutes, seconds, millis}) {
        if (!std::isfinite(x))
            return std::nan("");
    }
    double y = std::trunc(year);
    if (y >= 0 && y <= 99)
        y += 1900;
    const double m = std::trunc(month);
    const double yearOfMonth = y + std::floor(m / 12);
    const int monthInYear = int(m - std::floor(m / 12) * 12);
    if (std::fabs(yearOfMonth) > 400000)
        return std::nan("");
    const double days = double(daysFromCivil(qint64(yearOfMonth), monthInYear + 1, 1)) + std::trunc(day) - 1;
    const double time = std::trunc(hours) * 3600000 + std::trunc(minutes) * 60000
                        + std::trunc(seconds) * 1000 + std::trunc(millis);
    const double result = days * double(msPerDay) + time;
    return std::fabs(result) > maxTime ? std::nan("") : result;
}

Moment momentOf(qint64 millis)
{
    const qint64 days = floorDiv(millis, msPerDay);
    const qint64 inDay = millis - days * msPerDay;
    Moment m{millis, civilFromDays(days), int(inDay / 3600000), int(inDay / 60000 % 60),
             int(inDay / 1000 % 60), int(inDay % 1000), 0};
    const int weekday = int(((days % 7) + 7 + 4) % 7);   // 1970-01-01 was a Thursday
    m.weekday = weekday == 0 ? 7 : weekday;
    return m;
}

// The value of a component specifier (F&O 9.8.4.1) for a moment, as a number.
double fragment(char16_t component, const Moment &m)
{
    const qint64 today = daysFromCivil(m.date.year, m.date.month, m.date.day) * msPerDay;
    switch (component) {
    case u'Y':
        return double(m.date.year);
    case u'M':
        return m.date.month;
    case u'D':
        return m.date.day;
    case u'd':
        return double((today - startOfDay(m.date.year, 0)) / msPerDay + 1);
    case u'F':
        return m.weekday;
    case u'W': {
        double week = weeksBetween(startOfFirstWeek(m.date.year, 0), today);
        if (week > 52) {
            if (today >= startOfFirstWeek(m.date.year + 1, 0))
                week = 1;
        } else if (week < 1) {
            week = weeksBetween(startOfFirstWeek(m.date.year - 1, 0), today);
        }
        return std::floor(week);
    }
    case u'w': {
        const int month0 = m.date.month - 1;
        double week = weeksBetween(startOfFirstWeek(m.date.year, month0), today);
        if (week > 4) {
            if (today >= startOfFirstWeek(m.date.year, month0 + 1))
                week = 1;
        } else if (week < 1) {
            week = weeksBetween(startOfFirstWeek(m.date.year, month0 - 1), today);
        }
        return std::floor(week);
    }
    case u'X': {   // the ISO week-numbering year
        if (m.millis < startOfFirstWeek(m.date.year, 0))
            return double(m.date.year - 1);
        if (m.millis >= startOfFirstWeek(m.date.year + 1, 0))
            return double(m.date.year + 1);
        return double(m.date.year);
    }
    case u'x': {   // the month a week-of-month belongs to
        const int month0 = m.date.month - 1;
        if (m.millis < startOfFirstWeek(m.date.year, month0))
            return month0 == 0 ? 12 : month0;
        if (m.millis >= startOfFirstWeek(m.date.year, month0 + 1))
            return month0 == 11 ? 1 : month0 + 2;
        return m.date.month;
    }
    case u'H':
        return m.hour;
    case u'h':
        return m.hour % 12 == 0 ? 12 : m.hour % 12;
    case u'P':
        return m.hour >= 12 ? 1 : 0;
    case u'm':
        return m.minute;
    case u's':
        return m.second;
    case u'f':
        return m.millisecond;
    default:
        return 0;
    }
}

// Analysed pictures, per thread (no locking); bounded, since pictures may be data.
std::shared_ptr<const Picture> cachedPicture(const QString &picture, int position)
{
    thread_local QHash<QString, std::shared_ptr<const Picture>> cache;
    if (auto it = cache.constFind(picture); it != cache.constEnd())
        return it.value();
    auto analysed = analysePicture(picture, position);
    if (cache.size() >= 256)
        cache.clear();
    cache.insert(picture, analysed);
    return analysed;
}

[[noreturn]] void throwNameModifier(char16_t component, int position)
{
    throwJsonata("D3133", position,
                 u"The 'name' modifier can only be applied to months and days in the date/time picture string, not %1"_s
                     .arg(jsonLiteral(QString(QChar(component)))));
}

} // namespace Detail

QString formatMillis(double millis, const QString *picture, const QString *timezone, int position)
{
    int offsetHours = 0;
    int offsetMinutes = 0;
    if (timezone && !parseTimezone(*timezone, offsetHours, offsetMinutes))
        offsetHours = offsetMinutes = 0;
    const double shifted = millis + double(offsetHours * 60 + offsetMinutes) * 60000;
    if (!std::isfinite(shifted) || std::fabs(shifted) > maxTime)
        return {};
    const Moment moment = momentOf(qint64(std::trunc(shifted)));

    if (!picture && moment.date.year >= 0 && moment.date.year <= 9999
        && std::abs(offsetHours * 100 + offsetMinutes) < 10000)
        return formatIso(moment, offsetHours, offsetMinutes);   // without the picture machinery

    const std::shared_ptr<const Picture> spec = cachedPicture(picture ? *picture : isoPicture(), position);
    QString out;
    out.reserve(32);   // also makes an empty result "" rather than null (which means "no date")
    for (const Marker &part : spec->parts) {
        if (part.isLiteral)
            out += part.literal;
        else
            appendComponent(out, part, moment, offsetHours, offsetMinutes, position);
    }
    return out;
}

} // namespace Conflux::Mapping::Internal::DateTime
