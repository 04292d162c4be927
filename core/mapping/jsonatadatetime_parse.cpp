// $toMillis: reading timestamps with a date/time picture, or as ISO 8601 without one.
// Pictures of plain digits and literals are read directly; others through a regular
// expression built from the picture like the reference's. Both are cached per thread.

#include "mapping/jsonatadatetime_p.h"

#include "mapping/jsonatafunctionlib_p.h"
#include "mapping/jsonatanumberformat_p.h"

#include <QHash>
#include <QRegularExpression>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal::DateTime {

using Data::Value;
using NumberFormat::IntegerPicture;
using namespace Detail;

namespace {

struct ParsePart
{
    enum class Kind : quint8 { Integer, Fraction, Timezone, Name };
    Kind kind;
    char16_t component;
    IntegerPicture integer;          // Integer; Timezone (the separator)
    QHash<QString, double> names;    // Name: exact text -> value
};

// A picture of literals and plain digit runs ("[Y0001]-[M01]-[D01] [H01]:[m01]") read
// without the regular expression. Only built when greedy reading is the regular
// expression's only way to match, so both always agree.
struct FastPart
{
    QString literal;   // ASCII, compared without case like the regular expression
    int width = -1;    // digits: exact count, or 0 for one or more; -1 for a literal
};

struct Matcher
{
    QRegularExpression regex;
    std::vector<std::optional<ParsePart>> groups;   // per capture group; nullopt: literal
    std::vector<FastPart> fast;                     // empty: use the regex
};

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

std::vector<FastPart> fastParts(const Picture &spec)
{
    std::vector<FastPart> parts;
    for (const Marker &part : spec.parts) {
        FastPart fast;
        if (part.isLiteral) {
            for (const QChar c : part.literal) {
                if (c.unicode() >= 0x80)
                    return {};
            }
            fast.literal = part.literal;
        } else if (part.component == u'f') {
            fast.width = 0;
        } else if (part.hasInteger && part.integer.primary == IntegerPicture::Primary::Decimal
                   && !part.integer.ordinal && part.component != u'Z' && part.component != u'z') {
            fast.width = part.integer.parseWidth;
        } else {
            return {};
        }
        // "one or more digits" must be followed by the end or by a non-digit.
        if (!parts.empty() && parts.back().width == 0
            && (fast.width >= 0 || fast.literal.isEmpty() || isAsciiDigit(fast.literal.front())))
            return {};
        parts.push_back(std::move(fast));
    }
    return parts;
}

// Short ASCII digits read as a plain decimal picture: no separators, suffixes or
// other digit families to strip.
bool isPlainDigits(QStringView text, const IntegerPicture &picture)
{
    if (picture.primary != IntegerPicture::Primary::Decimal || picture.ordinal || picture.zeroCode != U'0'
        || picture.regularInterval > 0 || !picture.separators.empty() || text.isEmpty() || text.size() > 15)
        return false;
    return std::all_of(text.begin(), text.end(), isAsciiDigit);
}

// The captured text of each part, or false when `text` does not match.
bool fastMatch(const std::vector<FastPart> &parts, QStringView text, std::vector<QStringView> &captured)
{
    qsizetype at = 0;
    for (const FastPart &part : parts) {
        const qsizetype start = at;
        if (part.width < 0) {
            if (QStringView(text).mid(at, part.literal.size()).compare(part.literal, Qt::CaseInsensitive) != 0)
                return false;
            at += part.literal.size();
        } else {
            while (at < text.size() && isAsciiDigit(text[at]) && (part.width == 0 || at - start < part.width))
                ++at;
            if (at == start || (part.width > 0 && at - start != part.width))
                return false;
        }
        captured.push_back(text.mid(start, at - start));
    }
    return at == text.size();
}

std::shared_ptr<const Matcher> buildMatcher(const QString &picture, int position)
{
    const std::shared_ptr<const Picture> spec = cachedPicture(picture, position);
    auto matcher = std::make_shared<Matcher>();
    QString pattern = u"^"_s;
    for (const Marker &part : spec->parts) {
        QString regex;
        std::optional<ParsePart> parse;
        if (part.isLiteral) {
            regex = QRegularExpression::escape(part.literal);
        } else if (part.component == u'Z' || part.component == u'z') {
            parse = ParsePart{ParsePart::Kind::Timezone, part.component, part.integer, {}};
            regex = part.component == u'z' ? u"GMT[-+][0-9]+"_s : u"[-+][0-9]+"_s;
            if (part.integer.regularInterval > 0)
                regex += QRegularExpression::escape(part.integer.regularSeparator) + u"[0-9]+"_s;
        } else if (part.component == u'f') {
            parse = ParsePart{ParsePart::Kind::Fraction, part.component, {}, {}};
            regex = u"[0-9]+"_s;
        } else if (part.hasInteger) {
            parse = ParsePart{ParsePart::Kind::Integer, part.component, part.integer, {}};
            regex = NumberFormat::integerPattern(part.integer, position);
        } else {
            parse = ParsePart{ParsePart::Kind::Name, part.component, {}, {}};
            auto add = [&](const char *name, double value) {
                QString text = QString::fromLatin1(name);
                if (part.widthMax > 0)
                    text.truncate(part.widthMax);
                parse->names.insert(text, value);
            };
            if (part.component == u'M' || part.component == u'x') {
                for (int i = 0; i < 12; ++i)
                    add(monthNames[i], i + 1);
            } else if (part.component == u'F') {
                for (int i = 1; i <= 7; ++i)
                    add(dayNames[i], i);
            } else if (part.component == u'P') {
                parse->names = {{u"am"_s, 0}, {u"AM"_s, 0}, {u"pm"_s, 1}, {u"PM"_s, 1}};
            } else {
                throwNameModifier(part.component, position);
            }
            regex = u"[a-zA-Z]+"_s;
        }
        pattern += u'(' + regex + u')';
        matcher->groups.push_back(std::move(parse));
    }
    pattern += u'$';
    matcher->fast = fastParts(*spec);
    matcher->regex.setPattern(pattern);
    matcher->regex.setPatternOptions(QRegularExpression::CaseInsensitiveOption);
    matcher->regex.optimize();
    return matcher;
}

std::shared_ptr<const Matcher> cachedMatcher(const QString &picture, int position)
{
    thread_local QHash<QString, std::shared_ptr<const Matcher>> cache;
    if (auto it = cache.constFind(picture); it != cache.constEnd())
        return it.value();
    auto built = buildMatcher(picture, position);
    if (cache.size() >= 256)
        cache.clear();
    cache.insert(picture, built);
    return built;
}

double parseTimezoneMinutes(QStringView text, const ParsePart &part)
{
    if (part.component == u'z')
        text = text.mid(3);   // "GMT"
    const bool negative = text.startsWith(u'-');
    const QStringView digits = text.mid(1);
    double hours = 0;
    double minutes = 0;
    if (part.integer.regularInterval > 0) {
        const qsizetype at = digits.indexOf(part.integer.regularSeparator);
        hours = digits.left(at).toDouble();
        minutes = digits.mid(at + part.integer.regularSeparator.size()).toDouble();
    } else if (digits.size() <= 2) {
        hours = digits.toDouble();
    } else {
        hours = digits.left(2).toDouble();
        minutes = digits.mid(2).toDouble();
    }
    const double total = hours * 60 + minutes;
    return negative ? -total : total;
}

// Components of a timestamp by specifier: unset when not given, NaN when unreadable.
struct Components
{
    std::array<std::optional<double>, 128> values;
    bool any = false;

    std::optional<double> &operator[](char16_t c) { return values[c & 0x7f]; }
    bool truthy(char16_t c) const
    {
        const auto &v = values[c & 0x7f];
        return v && *v != 0 && !std::isnan(*v);
    }
};

} // namespace

namespace {

// ISO 8601 as the reference accepts it: YYYY[-MM[-DD]][Thh:mm:ss][.s+][Z|±hh[:]mm].
Value parseIso(const QString &text, int position)
{
    const qsizetype n = text.size();
    auto digit = [&](qsizetype i) { return i < n && text[i] >= u'0' && text[i] <= u'9'; };
    auto number = [&](qsizetype i, int count) {
        int v = 0;
        for (int k = 0; k < count; ++k)
            v = v * 10 + (text[i + k].unicode() - u'0');
        return v;
    };
    // A greedy left-to-right read (the reference uses a regular expression to the same end).
    qsizetype i = 0;
    int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
    double offset = 0;
    bool ok = digit(0) && digit(1) && digit(2) && digit(3);
    bool hasFraction = false, hasTime = false;
    if (ok) {
        year = number(0, 4);
        i = 4;
        if (i < n && text[i] == u'-' && digit(i + 1) && digit(i + 2) && text[i + 1] <= u'1') {
            month = number(i + 1, 2);
            i += 3;
            if (i < n && text[i] == u'-' && digit(i + 1) && digit(i + 2) && text[i + 1] <= u'3') {
                day = number(i + 1, 2);
                i += 3;
            }
        }
        if (i < n && text[i] == u'T') {
            ok = digit(i + 1) && digit(i + 2) && text[i + 1] <= u'2' && i + 3 < n && text[i + 3] == u':'
                 && digit(i + 4) && digit(i + 5) && text[i + 4] <= u'5' && i + 6 < n && text[i + 6] == u':'
                 && digit(i + 7) && digit(i + 8) && text[i + 7] <= u'5';
            if (ok) {
                hour = number(i + 1, 2);
                minute = number(i + 4, 2);
                second = number(i + 7, 2);
                hasTime = true;
                i += 9;
            }
        }
        if (ok && i < n && text[i] == u'.') {
            qsizetype k = i + 1;
            int scale = 100;
            while (digit(k)) {
                millis += (text[k].unicode() - u'0') * scale;
                scale /= 10;
                ++k;
            }
            ok = k > i + 1;
            hasFraction = true;
            i = k;
        }
        if (ok && i < n && text[i] == u'Z') {
            ++i;
        } else if (ok && i < n && (text[i] == u'+' || text[i] == u'-')) {
            const bool negative = text[i] == u'-';
            ok = digit(i + 1) && digit(i + 2) && text[i + 1] <= u'2';
            if (ok) {
                const int h = number(i + 1, 2);
                qsizetype k = i + 3;
                if (k < n && text[k] == u':')
                    ++k;
                ok = digit(k) && digit(k + 1) && text[k] <= u'5';
                if (ok) {
                    offset = (h * 60 + number(k, 2)) * (negative ? -1 : 1);
                    i = k + 2;
                }
            }
        }
        ok = ok && i == n;
    }
    // Shapes the reference's pattern accepts but Date.parse() cannot read give NaN there,
    // which JSON cannot hold; they are refused like any other non-ISO text.
    auto refuse = [&] {
        throwJsonata("D3110", position,
                     u"The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given %1"_s
                         .arg(jsonLiteral(text)),
                     text);
    };
    if (!ok)
        refuse();
    // What Date.parse() accepts: real months, days up to 31, hours up to 24:00:00.
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24
        || (hour == 24 && (minute || second || millis)) || (hasFraction && !hasTime))
        refuse();
    const double utc = double(daysFromCivil(year, month, 1) + day - 1) * double(msPerDay)
                       + hour * 3600000.0 + minute * 60000.0 + second * 1000.0 + millis;
    return utc - offset * 60000;
}

} // namespace

Value parseMillis(const QString &timestamp, const QString *picture, qint64 nowMillis, int position)
{
    if (!picture)
        return parseIso(timestamp, position);

    const std::shared_ptr<const Matcher> matcher = cachedMatcher(*picture, position);
    std::vector<QStringView> captured;
    captured.reserve(matcher->groups.size());
    std::optional<QRegularExpressionMatch> match;   // owns what `captured` views
    if (!matcher->fast.empty()) {
        if (!fastMatch(matcher->fast, timestamp, captured))
            return {};
    } else {
        match = matcher->regex.match(timestamp);
        if (!match->hasMatch())
            return {};
        for (size_t g = 0; g < matcher->groups.size(); ++g)
            captured.push_back(match->capturedView(int(g) + 1));
    }

    Components components;
    for (size_t g = 0; g < matcher->groups.size(); ++g) {
        const auto &part = matcher->groups[g];
        if (!part)
            continue;
        const QStringView text = captured[g];
        double value = std::nan("");
        switch (part->kind) {
        case ParsePart::Kind::Integer:
            if (isPlainDigits(text, part->integer)) {
                value = 0;
                for (const QChar c : text)
                    value = value * 10 + (c.unicode() - u'0');
            } else {
                value = NumberFormat::parseInteger(text, part->integer, position);
            }
            break;
        case ParsePart::Kind::Fraction: {
            value = 0;
            int scale = 100;
            for (qsizetype k = 0; k < text.size() && k < 3; ++k, scale /= 10)
                value += (text[k].unicode() - u'0') * scale;
            break;
        }
        case ParsePart::Kind::Timezone:
            value = parseTimezoneMinutes(text, *part);
            break;
        case ParsePart::Kind::Name: {
            // An unknown name leaves the component unset (undefined in the reference),
            // where a number that does not read is NaN and counts as given.
            const auto it = part->names.constFind(text.toString());
            if (it != part->names.constEnd())
                value = it.value();
            break;
        }
        }
        if (part->kind != ParsePart::Kind::Name || !std::isnan(value))
            components[part->component] = value;
        components.any = true;
    }
    if (!components.any)
        return {};

    // Which of the date forms {Y M D}, {Y d}, {X x w F}, {X W F} and time forms
    // {H m s f}, {P h m s f} the picture gives (F&O leaves this to implementations; the
    // reference uses bit masks over "YXMxWwdD" and "PHhmsf").
    int mask = 0;
    auto shiftIn = [&](const char16_t *order) {
        mask = 0;
        for (const char16_t *c = order; *c; ++c)
            mask = (mask << 1) | (components.truthy(*c) ? 1 : 0);
    };
    auto isType = [&](int type) { return !(~type & mask) && (type & mask); };
    shiftIn(u"YXMxWwdD");
    const bool dateA = isType(0b10100001);
    const bool dateB = !dateA && isType(0b10000010);
    const bool dateC = isType(0b01010100);
    const bool dateD = !dateC && isType(0b01001000);
    shiftIn(u"PHhmsf");
    const bool timeA = isType(0b010111);
    const bool timeB = !timeA && isType(0b101111);

    // The reference checks Y and D (not d) for the day-of-year form; kept for parity.
    const char16_t *dateComponents = dateB ? u"YD" : dateC ? u"XxwF" : dateD ? u"XWF" : u"YMD";
    const char16_t *timeComponents = timeB ? u"Phmsf" : u"Hmsf";
    std::optional<Moment> now;
    bool startSpecified = false;
    bool endSpecified = false;
    for (const char16_t *order : {dateComponents, timeComponents}) {
        for (const char16_t *c = order; *c; ++c) {
            auto &value = components[*c];
            if (!value) {
                if (startSpecified) {
                    value = (*c == u'M' || *c == u'D' || *c == u'd') ? 1 : 0;
                    endSpecified = true;
                } else {
                    // More significant than anything given: take it from now (a default
                    // am/pm never counts as pm, as in the reference).
                    if (!now)
                        now = momentOf(nowMillis);
                    value = *c == u'P' ? 0 : fragment(*c, *now);
                }
            } else {
                startSpecified = true;
                if (endSpecified) {
                    throwJsonata("D3136", position,
                                 u"The date/time picture string is missing specifiers required to parse the timestamp"_s);
                }
            }
        }
    }

    if (dateC || dateD) {
        throwJsonata("D3136", position,
                     u"The date/time picture string is missing specifiers required to parse the timestamp"_s);
    }
    const double year = components[u'Y'].value_or(std::nan(""));
    const double month = components[u'M'].value_or(0);
    double month0 = month > 0 ? month - 1 : 0;
    double day = components[u'D'].value_or(std::nan(""));
    if (dateB) {
        const double firstJan = makeUtc(year, 0, 1, 0, 0, 0, 0);
        const double derived = firstJan + (components[u'd'].value_or(1) - 1) * double(msPerDay);
        if (std::isfinite(derived)) {
            const Moment m = momentOf(qint64(derived));
            month0 = m.date.month - 1;
            day = m.date.day;
        }
    }
    double hour = components[u'H'].value_or(0);
    if (timeB) {
        const double h = components[u'h'].value_or(0);
        hour = h == 12 ? 0 : h;
        if (components[u'P'].value_or(0) == 1)
            hour += 12;
    }
    double millis = makeUtc(year, month0, day, hour, components[u'm'].value_or(0),
                            components[u's'].value_or(0), components[u'f'].value_or(0));
    const double zone = components.truthy(u'Z') ? *components[u'Z']
                        : components.truthy(u'z') ? *components[u'z'] : 0;
    millis -= zone * 60000;
    if (std::isnan(millis))
        return {};   // a component did not read (an unknown month name, say)
    return millis;
}

} // namespace Conflux::Mapping::Internal::DateTime
