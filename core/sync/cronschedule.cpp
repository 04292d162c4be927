#include "cronschedule.h"

#include "tr_p.h"

#include <QList>
#include <QStringList>

#include <algorithm>
#include <bit>
#include <utility>

using namespace Qt::StringLiterals;

namespace Conflux::Sync {

namespace {

constexpr qint64 EpochJulianDay = 2440588; // QDate(1970, 1, 1).toJulianDay()
constexpr qint64 MinutesPerDay = 24 * 60;
// The Gregorian calendar repeats every 400 years (146097 days, a whole number of weeks): a
// schedule that matches no date in 400 years never will.
constexpr qint64 HorizonMinutes = 146097 * MinutesPerDay;
constexpr quint32 AllHours = (1u << 24) - 1;
constexpr quint64 AllMinutes = (quint64(1) << 60) - 1;
constexpr quint32 AllDays = ((1u << 31) - 1) << 1; // bits 1-31
constexpr quint8 AllWeekdays = 0x7f;
constexpr quint16 AllMonths = 0x1ffe; // bits 1-12

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

qint64 ceilDiv(qint64 a, qint64 b)
{
    return -floorDiv(-a, b);
}

// The lowest set bit at or above `from`, or -1.
int nextBit(quint64 bits, int from)
{
    if (from >= 64)
        return -1;
    const quint64 rest = bits & (~quint64(0) << from);
    return rest ? std::countr_zero(rest) : -1;
}

enum class Names : quint8 { None, Months, Weekdays };

struct FieldSpec
{
    const char *name;
    int min;
    int max;
    int stepEnd;       // where "a/n" ends: the field's last value (day-of-week: 6, Saturday)
    Names names;
    bool allowsQuestion; // '?' for "any" (Quartz habit), only in the day fields
};

constexpr FieldSpec Fields[5] = {
    {"minute", 0, 59, 59, Names::None, false},
    {"hour", 0, 23, 23, Names::None, false},
    {"day-of-month", 1, 31, 31, Names::None, true},
    {"month", 1, 12, 12, Names::Months, false},
    {"day-of-week", 0, 7, 6, Names::Weekdays, true},
};

constexpr const char *MonthNames[12] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                        "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char *WeekdayNames[7] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

Error scheduleError(const QString &why, qsizetype index)
{
    Error e = makeError("invalid_schedule", Tr::tr("%1 (column %2)").arg(why).arg(index + 1));
    e.offset = index;
    return e;
}

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

bool isAsciiLetter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
}

// Parses one field, [begin, end) of the expression, into a bit set (bit n: value n).
class FieldParser
{
public:
    FieldParser(const QString &text, qsizetype begin, qsizetype end, int field)
        : m_text(text), m_begin(begin), m_end(end), m_field(field), m_spec(Fields[field])
    {}

    std::optional<Error> parse(quint64 &bits)
    {
        qsizetype itemBegin = m_begin;
        for (;;) {
            qsizetype itemEnd = itemBegin;
            while (itemEnd < m_end && m_text.at(itemEnd) != u',')
                ++itemEnd;
            if (auto error = parseItem(itemBegin, itemEnd, bits))
                return error;
            if (itemEnd >= m_end)
                return std::nullopt;
            itemBegin = itemEnd + 1;
        }
    }

private:
    Error fail(qsizetype at, const QString &why) const
    {
        return scheduleError(Tr::tr("%1 (field %2): %3")
                                 .arg(QLatin1String(m_spec.name))
                                 .arg(m_field + 1)
                                 .arg(why),
                             at);
    }

    QString textAt(qsizetype begin, qsizetype end) const { return m_text.mid(begin, end - begin); }

    struct Value
    {
        int number = 0;
        bool sundayName = false; // spelled "SUN": as the end of a range it means 7
    };

    std::optional<Error> readValue(qsizetype &pos, qsizetype end, Value &value) const
    {
        const QString expected = m_spec.names == Names::None ? Tr::tr("expected a number")
                                                             : Tr::tr("expected a number or a name");
        if (pos >= end)
            return fail(pos, Tr::tr("%1, found the end of the item").arg(expected));
        const qsizetype start = pos;
        if (isAsciiDigit(m_text.at(pos))) {
            qint64 n = 0;
            while (pos < end && isAsciiDigit(m_text.at(pos))) {
                n = std::min<qint64>(n * 10 + m_text.at(pos).unicode() - u'0', 1'000'000);
                ++pos;
            }
            if (n < m_spec.min || n > m_spec.max)
                return fail(start, Tr::tr("%1 is out of range %2-%3")
                                       .arg(textAt(start, pos))
                                       .arg(m_spec.min)
                                       .arg(m_spec.max));
            value.number = int(n);
            return std::nullopt;
        }
        if (isAsciiLetter(m_text.at(pos))) {
            while (pos < end && isAsciiLetter(m_text.at(pos)))
                ++pos;
            const QString word = textAt(start, pos);
            if (m_spec.names == Names::None)
                return fail(start, Tr::tr("%1, found '%2'").arg(expected, word));
            const bool months = m_spec.names == Names::Months;
            const auto *names = months ? MonthNames : WeekdayNames;
            const int count = months ? 12 : 7;
            for (int i = 0; i < count; ++i) {
                if (word.compare(QLatin1String(names[i]), Qt::CaseInsensitive) == 0) {
                    value.number = months ? i + 1 : i;
                    value.sundayName = !months && i == 0;
                    return std::nullopt;
                }
            }
            return fail(start, months ? Tr::tr("unknown month name '%1' (expected JAN-DEC)").arg(word)
                                      : Tr::tr("unknown day-of-week name '%1' (expected SUN-SAT)").arg(word));
        }
        return fail(start, Tr::tr("%1, found '%2'").arg(expected, m_text.at(pos)));
    }

    std::optional<Error> parseItem(qsizetype begin, qsizetype end, quint64 &bits) const
    {
        if (begin == end)
            return fail(begin, Tr::tr("empty list item"));
        qsizetype pos = begin;
        int low = m_spec.min;
        int high = m_spec.max;
        bool single = false;
        const QChar first = m_text.at(pos);
        if (first == u'*') {
            ++pos;
        } else if (first == u'?') {
            if (!m_spec.allowsQuestion)
                return fail(pos, Tr::tr("'?' is only allowed in day-of-month and day-of-week"));
            ++pos;
            if (pos < end && m_text.at(pos) == u'/')
                return fail(pos, Tr::tr("'?' cannot take a step (use '*')"));
        } else {
            Value from;
            if (auto error = readValue(pos, end, from))
                return error;
            low = high = from.number;
            single = true;
            if (pos < end && m_text.at(pos) == u'-') {
                ++pos;
                Value to;
                if (auto error = readValue(pos, end, to))
                    return error;
                high = to.sundayName && low > 0 ? 7 : to.number;
                single = false;
                if (low > high)
                    return fail(begin, Tr::tr("range %1 is reversed").arg(textAt(begin, pos)));
            }
        }
        int step = 1;
        if (pos < end && m_text.at(pos) == u'/') {
            ++pos;
            const qsizetype stepStart = pos;
            qint64 n = 0;
            while (pos < end && isAsciiDigit(m_text.at(pos))) {
                n = std::min<qint64>(n * 10 + m_text.at(pos).unicode() - u'0', 1'000'000);
                ++pos;
            }
            if (pos == stepStart) {
                return fail(stepStart, pos < end ? Tr::tr("expected a step number after '/', found '%1'")
                                                       .arg(m_text.at(pos))
                                                 : Tr::tr("expected a step number after '/'"));
            }
            const int span = m_spec.stepEnd - m_spec.min + 1;
            if (n == 0)
                return fail(stepStart, Tr::tr("step 0 is not allowed"));
            if (n > span)
                return fail(stepStart, Tr::tr("step %1 is larger than the field's %2 values")
                                           .arg(textAt(stepStart, pos))
                                           .arg(span));
            step = int(n);
            if (single) // "a/n": from a to the end of the field
                high = std::max(low, m_spec.stepEnd);
        }
        if (pos < end)
            return fail(pos, Tr::tr("unexpected '%1'").arg(m_text.at(pos)));
        for (int v = low; v <= high; v += step)
            bits |= quint64(1) << v;
        return std::nullopt;
    }

    const QString &m_text;
    qsizetype m_begin;
    qsizetype m_end;
    int m_field;
    FieldSpec m_spec;
};

struct Macro
{
    const char *name;
    const char *fields;
};

constexpr Macro Macros[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

QList<std::pair<qsizetype, qsizetype>> splitFields(const QString &text)
{
    QList<std::pair<qsizetype, qsizetype>> fields;
    qsizetype i = 0;
    while (i < text.size()) {
        while (i < text.size() && text.at(i).isSpace())
            ++i;
        if (i == text.size())
            break;
        const qsizetype begin = i;
        while (i < text.size() && !text.at(i).isSpace())
            ++i;
        fields.append({begin, i});
    }
    return fields;
}

int daysInMonthAnyYear(int month)
{
    return month == 2 ? 29 : QDate(2001, month, 1).daysInMonth();
}

// --- describe() helpers

QString joinWords(const QStringList &items)
{
    if (items.size() <= 1)
        return items.value(0);
    return items.mid(0, items.size() - 1).join(u", "_s) + u" and "_s + items.last();
}

// Runs of three or more consecutive values become "a-b".
template<typename Name>
QString listText(quint64 bits, int min, int max, Name name)
{
    QStringList items;
    for (int v = min; v <= max; ++v) {
        if (!(bits >> v & 1))
            continue;
        int last = v;
        while (last + 1 <= max && (bits >> (last + 1) & 1))
            ++last;
        if (last - v >= 2) {
            items.append(name(v) + u'-' + name(last));
        } else {
            for (int w = v; w <= last; ++w)
                items.append(name(w));
        }
        v = last;
    }
    return joinWords(items);
}

// n when `bits` is exactly {0, n, 2n, ...} up to max (n >= 2), else 0.
int stepOf(quint64 bits, int max)
{
    for (int n = 2; n <= max; ++n) {
        quint64 pattern = 0;
        for (int v = 0; v <= max; v += n)
            pattern |= quint64(1) << v;
        if (pattern == bits)
            return n;
    }
    return 0;
}

QString number(int v)
{
    return QString::number(v);
}

} // namespace

std::optional<MisfirePolicy> misfirePolicyFromName(QStringView name)
{
    if (name == u"run_once")
        return MisfirePolicy::RunOnce;
    if (name == u"skip")
        return MisfirePolicy::Skip;
    return std::nullopt;
}

QString misfirePolicyName(MisfirePolicy policy)
{
    return policy == MisfirePolicy::Skip ? u"skip"_s : u"run_once"_s;
}

Result<CronSchedule> CronSchedule::parse(const QString &expression, const QString &timeZone)
{
    CronSchedule schedule;
    if (timeZone.isEmpty()) {
        schedule.m_zone = QTimeZone::utc();
    } else {
        schedule.m_zone = QTimeZone(timeZone.toUtf8());
        if (!schedule.m_zone.isValid()) {
            return makeError("invalid_schedule",
                             Tr::tr("unknown time zone '%1' (expected an IANA id such as Europe/Berlin)")
                                 .arg(timeZone));
        }
    }

    QString text = expression;
    QList<std::pair<qsizetype, qsizetype>> fields = splitFields(text);
    if (fields.isEmpty())
        return scheduleError(Tr::tr("the schedule is empty"), expression.size());

    if (text.at(fields.first().first) == u'@') {
        const auto [begin, end] = fields.first();
        const QString name = text.mid(begin, end - begin);
        if (name.compare(u"@reboot"_s, Qt::CaseInsensitive) == 0)
            return scheduleError(Tr::tr("@reboot is not a time schedule"), begin);
        const Macro *macro = nullptr;
        for (const Macro &m : Macros) {
            if (name.compare(QLatin1String(m.name), Qt::CaseInsensitive) == 0)
                macro = &m;
        }
        if (!macro) {
            return scheduleError(Tr::tr("unknown macro '%1' (expected @yearly, @annually, @monthly, "
                                        "@weekly, @daily, @midnight or @hourly)")
                                     .arg(name),
                                 begin);
        }
        if (fields.size() > 1) {
            const auto [extraBegin, extraEnd] = fields.at(1);
            return scheduleError(Tr::tr("unexpected '%1' after %2")
                                     .arg(text.mid(extraBegin, extraEnd - extraBegin), name),
                                 extraBegin);
        }
        text = QString::fromLatin1(macro->fields);
        fields = splitFields(text);
    }

    if (fields.size() != 5) {
        const qsizetype at = fields.size() > 5 ? fields.at(5).first : fields.last().second;
        return scheduleError(Tr::tr("expected 5 fields (minute hour day-of-month month day-of-week), "
                                    "found %1")
                                 .arg(fields.size()),
                             at);
    }

    quint64 bits[5] = {};
    for (int i = 0; i < 5; ++i) {
        FieldParser parser(text, fields.at(i).first, fields.at(i).second, i);
        if (auto error = parser.parse(bits[i]))
            return *error;
    }
    auto startsWithStar = [&](int i) {
        const QChar c = text.at(fields.at(i).first);
        return c == u'*' || c == u'?';
    };

    schedule.m_expression = expression.trimmed();
    schedule.m_minutes = bits[0];
    schedule.m_hours = quint32(bits[1]);
    schedule.m_days = quint32(bits[2]);
    schedule.m_months = quint16(bits[3]);
    schedule.m_weekdays = quint8((bits[4] | bits[4] >> 7) & AllWeekdays); // 7 is Sunday too
    schedule.m_dayOfMonthStar = startsWithStar(2);
    schedule.m_dayOfWeekStar = startsWithStar(4);

    // When the day-of-month field decides alone (or must match as well), a month set without
    // any of its days can never fire: 30 February, 31 April.
    bool dayOfMonthPossible = false;
    for (int month = 1; month <= 12; ++month) {
        if (schedule.m_months >> month & 1) {
            const quint32 daysOfMonth = ((quint32(1) << daysInMonthAnyYear(month)) - 1) << 1;
            dayOfMonthPossible = dayOfMonthPossible || (schedule.m_days & daysOfMonth);
        }
    }
    schedule.m_neverFires = (schedule.m_dayOfMonthStar || schedule.m_dayOfWeekStar) && !dayOfMonthPossible;
    schedule.m_valid = true;
    return schedule;
}

// Vixie cron: when both day fields are restricted (neither starts with '*'), a day matches if
// either does; otherwise both must (the unrestricted one matches every day anyway, except for
// "*/n", which Vixie also counts as unrestricted).
bool CronSchedule::dayMatches(int day, int dayOfWeek) const
{
    const bool dayOfMonth = m_days >> day & 1;
    const bool weekday = m_weekdays >> (dayOfWeek % 7) & 1;
    if (m_dayOfMonthStar || m_dayOfWeekStar)
        return dayOfMonth && weekday;
    return dayOfMonth || weekday;
}

// The first matching local minute in [from, limit), counted in minutes since 1970-01-01 00:00
// of the local wall clock. Skips whole months, days and hours.
std::optional<qint64> CronSchedule::nextLocalMinute(qint64 from, qint64 limit) const
{
    if (from >= limit)
        return std::nullopt;
    qint64 day = floorDiv(from, MinutesPerDay);
    const qint64 lastDay = floorDiv(limit - 1, MinutesPerDay);
    const int minuteOfDay = int(from - day * MinutesPerDay);
    int hour = minuteOfDay / 60;
    int minute = minuteOfDay % 60;
    QDate date = QDate::fromJulianDay(EpochJulianDay + day);
    auto nextDay = [&] {
        ++day;
        date = date.addDays(1);
        hour = minute = 0;
    };
    while (day <= lastDay) {
        int year = 0, month = 0, dom = 0;
        date.getDate(&year, &month, &dom);
        if (!(m_months >> month & 1)) {
            date = QDate(year, month, 1).addMonths(1);
            day = date.toJulianDay() - EpochJulianDay;
            hour = minute = 0;
            continue;
        }
        if (!dayMatches(dom, date.dayOfWeek())) {
            nextDay();
            continue;
        }
        const int h = nextBit(m_hours, hour);
        if (h < 0) {
            nextDay();
            continue;
        }
        if (h != hour)
            minute = 0;
        const int m = nextBit(m_minutes, minute);
        if (m < 0) {
            hour = h + 1;
            minute = 0;
            if (hour > 23)
                nextDay();
            continue;
        }
        const qint64 result = day * MinutesPerDay + h * 60 + m;
        if (result >= limit)
            return std::nullopt;
        return result;
    }
    return std::nullopt;
}

// The zone's offset is constant between transitions, so the search walks the periods between
// transitions: within one, local minute L fires at L * 60 - offset. At a transition:
// - fixed-time schedules (the hour field does not cover every hour): a local time in a
//   spring-forward gap fires once, at the end of the gap (the transition instant); a local time
//   repeated by a fall-back fires only at its first occurrence;
// - schedules that run every hour follow real time: a minute that does not exist is not run
//   (the job runs in the hours around it), a repeated hour runs again.
QDateTime CronSchedule::next(const QDateTime &after) const
{
    if (!m_valid || m_neverFires || !after.isValid())
        return {};
    const bool fixedTime = m_hours != AllHours;
    const bool zoned = m_zone.hasTransitions();
    auto utc = [](qint64 secs) { return QDateTime::fromSecsSinceEpoch(secs, Qt::UTC); };
    auto offsetAt = [&](qint64 secs) { return qint64(m_zone.offsetFromUtc(utc(secs))); };

    const qint64 afterMs = after.toMSecsSinceEpoch();
    qint64 periodStart = floorDiv(afterMs, 1000);
    qint64 offset = offsetAt(periodStart);
    // The first local minute whose instant is after `after`.
    qint64 from = floorDiv(afterMs + offset * 1000, 60000) + 1;
    if (fixedTime && zoned) {
        // Just after a fall-back, the repeated local times have fired already.
        const auto previous = m_zone.previousTransition(utc(periodStart + 1));
        if (previous.atUtc.isValid()) {
            const qint64 at = previous.atUtc.toSecsSinceEpoch();
            from = std::max(from, ceilDiv(at + offsetAt(at - 1), 60));
        }
    }
    const qint64 horizon = from + HorizonMinutes;

    for (;;) {
        std::optional<qint64> transition;
        qint64 newOffset = offset;
        if (zoned) {
            const auto t = m_zone.nextTransition(utc(periodStart));
            if (t.atUtc.isValid()) {
                transition = t.atUtc.toSecsSinceEpoch();
                newOffset = t.offsetFromUtc;
            }
        }
        // Local minutes before periodEnd belong to this period.
        const qint64 periodEnd = transition ? std::min(horizon, ceilDiv(*transition + offset, 60)) : horizon;
        if (const auto minute = nextLocalMinute(from, periodEnd))
            return utc(*minute * 60 - offset);
        if (!transition || periodEnd >= horizon)
            return {};

        const qint64 newStart = ceilDiv(*transition + newOffset, 60);
        if (fixedTime) {
            if (newOffset > offset) {
                const qint64 gapFrom = std::max(from, periodEnd);
                if (gapFrom < newStart && nextLocalMinute(gapFrom, newStart))
                    return utc(*transition);
            }
            from = std::max({from, periodEnd, newStart});
        } else {
            from = newStart;
        }
        periodStart = *transition;
        offset = newOffset;
    }
}

std::optional<QDateTime> CronSchedule::dueFire(const CronSchedule &schedule, const QDateTime &lastFire,
                                               const QDateTime &now, MisfirePolicy policy,
                                               std::chrono::seconds grace)
{
    if (!schedule.canFire() || !now.isValid())
        return std::nullopt;
    const qint64 nowMs = now.toMSecsSinceEpoch();
    // Fire times at or after now - grace; the bound is exclusive, hence the - 1.
    const qint64 graceStart = nowMs - std::max<qint64>(grace.count(), 0) * 1000 - 1;
    qint64 low = lastFire.isValid() ? lastFire.toMSecsSinceEpoch() : graceStart;
    if (policy == MisfirePolicy::Skip)
        low = std::max(low, graceStart);

    auto nextMs = [&](qint64 ms) -> std::optional<qint64> {
        const QDateTime n = schedule.next(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC));
        return n.isValid() ? std::optional<qint64>(n.toMSecsSinceEpoch()) : std::nullopt;
    };
    const auto first = nextMs(low);
    if (!first || *first > nowMs)
        return std::nullopt;
    const auto second = nextMs(*first);
    if (!second || *second > nowMs)
        return QDateTime::fromMSecsSinceEpoch(*first, Qt::UTC);

    // Several fire times in (low, now]: bisect on "next(x) <= now", which holds at *first and
    // not at now; next() of the last x where it holds is the latest fire time.
    qint64 yes = *first;
    qint64 no = nowMs;
    while (no - yes > 1) {
        const qint64 mid = yes + (no - yes) / 2;
        const auto n = nextMs(mid);
        if (n && *n <= nowMs)
            yes = mid;
        else
            no = mid;
    }
    return QDateTime::fromMSecsSinceEpoch(*nextMs(yes), Qt::UTC);
}

QString CronSchedule::describe() const
{
    if (!m_valid)
        return {};
    const QString zone = u" ("_s + QString::fromUtf8(m_zone.id()) + u')';
    if (m_neverFires)
        return u"never: no month in the schedule has the day of month it names"_s + zone;

    auto hh = [](int v) { return QStringLiteral("%1").arg(v, 2, 10, QLatin1Char('0')); };
    const bool allHours = m_hours == AllHours;
    const QString hours = listText(m_hours, 0, 23, number);
    const QString hourWord = std::popcount(m_hours) > 1 ? u"hours "_s : u"hour "_s;
    const QString hourPart = allHours ? QString() : u" during "_s + hourWord + hours;
    QString time;
    bool frequency = false;
    if (m_minutes == AllMinutes) {
        time = u"every minute"_s + hourPart;
        frequency = true;
    } else if (const int step = stepOf(m_minutes, 59)) {
        time = u"every %1 minutes"_s.arg(step) + hourPart;
        frequency = true;
    } else if (std::popcount(m_minutes) == 1 && !allHours && std::popcount(m_hours) <= 4) {
        const int minute = std::countr_zero(m_minutes);
        QStringList times;
        for (int h = 0; h < 24; ++h) {
            if (m_hours >> h & 1)
                times.append(hh(h) + u':' + hh(minute));
        }
        time = u"at "_s + joinWords(times);
    } else {
        const QString minutes = listText(m_minutes, 0, 59, number);
        frequency = allHours;
        time = (std::popcount(m_minutes) > 1 ? u"at minutes "_s : u"at minute "_s) + minutes
            + (allHours ? u" of every hour"_s : u" past "_s + hourWord + hours);
    }

    auto weekdayName = [](int v) {
        static const char *const names[7] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                             "Thursday", "Friday", "Saturday"};
        return QString::fromLatin1(names[v]);
    };
    auto monthName = [](int v) {
        static const char *const names[13] = {"", "January", "February", "March", "April", "May", "June",
                                              "July", "August", "September", "October", "November", "December"};
        return QString::fromLatin1(names[v]);
    };
    const QString dayOfMonth = (std::popcount(m_days) > 1 ? u"on days "_s : u"on day "_s)
        + listText(m_days, 1, 31, number) + u" of the month"_s;
    const QString weekdays = u"on "_s + listText(m_weekdays, 0, 6, weekdayName);
    QString days;
    if (!m_dayOfMonthStar && !m_dayOfWeekStar) {
        days = dayOfMonth + u" or "_s + weekdays;
    } else if (m_days == AllDays && m_weekdays == AllWeekdays) {
        days = frequency ? QString() : u"every day"_s;
    } else if (m_days == AllDays) {
        days = weekdays;
    } else if (m_weekdays == AllWeekdays) {
        days = dayOfMonth;
    } else {
        days = dayOfMonth + u" if it falls on "_s
            + listText(m_weekdays, 0, 6, weekdayName).replace(u" and "_s, u" or "_s);
    }
    const QString months = m_months == AllMonths ? QString()
                                                 : u"in "_s + listText(m_months, 1, 12, monthName);
    QString result = time;
    for (const QString &part : {days, months}) {
        if (!part.isEmpty())
            result += u' ' + part;
    }
    return result + zone;
}

} // namespace Conflux::Sync
