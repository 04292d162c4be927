#pragma once

#include "base/result.h"

#include <QDateTime>
#include <QString>
#include <QStringView>
#include <QTimeZone>

#include <chrono>
#include <optional>

namespace Conflux::Sync {

// What a scheduler does about fire times it missed (the node was down, the job was paused,
// a run took longer than the interval). The names "run_once" and "skip" are the values of a
// SyncJob's "misfire_policy"; see CronSchedule::dueFire() for the exact rule.
enum class MisfirePolicy {
    RunOnce, // "run_once": one run for any number of missed fire times
    Skip,    // "skip": a missed fire time runs only within the grace window
};

// "run_once" / "skip" (exact, lower case); nullopt for anything else.
std::optional<MisfirePolicy> misfirePolicyFromName(QStringView name);
QString misfirePolicyName(MisfirePolicy policy);

// A cron schedule: five fields (minute hour day-of-month month day-of-week) or a macro
// (@yearly, @monthly, @weekly, @daily, @hourly...), evaluated in an IANA time zone. The
// syntax, the day-of-month/day-of-week rule (Vixie cron's) and the DST rules are described in
// docs/sync.md, "Schedules". A plain value, immutable after parse(); reentrant like Qt's
// value types (give each thread its own copy).
class CronSchedule
{
public:
    // An empty schedule: isValid() is false and it never fires.
    CronSchedule() = default;

    // Errors have the code "invalid_schedule" and a message that names the field (name and
    // number) and the 1-based column in `expression`; Error::offset is that column - 1.
    // An empty `timeZone` means UTC; an id QTimeZone does not know is an error.
    static Result<CronSchedule> parse(const QString &expression, const QString &timeZone = {});

    bool isValid() const { return m_valid; }
    QString expression() const { return m_expression; }
    QTimeZone timeZone() const { return m_zone; }

    // False when no date can ever match (30 February, 31 April...): next() is then always
    // invalid. Known at parse time; a scheduler may warn about it.
    bool canFire() const { return m_valid && !m_neverFires; }

    // The first fire time strictly after `after` (any time spec), in UTC, at minute
    // resolution in the schedule's time zone. Invalid when `after` is invalid, the schedule is
    // empty or can never fire, or nothing matches within the next 400 years (the Gregorian
    // calendar repeats every 400 years, so such a schedule never fires). Never scans minute
    // by minute: it skips months, days and hours that cannot match.
    QDateTime next(const QDateTime &after) const;

    // A short English description, e.g. "at 02:30 every day (Europe/Berlin)". For people;
    // the wording may change.
    QString describe() const;

    // The fire time a scheduler should run now, if any. `lastFire` is the time up to which
    // the scheduler has already handled the schedule (invalid: nothing handled yet, which
    // counts as "handled up to now - grace"). Looks at the fire times in (lastFire, now]:
    // - RunOnce: the latest of them, however old (one run stands for all missed ones);
    // - Skip: the latest of them if it is at most `grace` old (now - fire <= grace), else none.
    // Either way the caller then records `now` as its new lastFire, so the fire times up to
    // now are handled exactly once. Costs a few dozen next() calls at most, however many
    // fire times were missed.
    static std::optional<QDateTime> dueFire(const CronSchedule &schedule, const QDateTime &lastFire,
                                            const QDateTime &now, MisfirePolicy policy,
                                            std::chrono::seconds grace = std::chrono::seconds(60));

    friend bool operator==(const CronSchedule &, const CronSchedule &) = default;

private:
    bool dayMatches(int day, int dayOfWeek) const;
    std::optional<qint64> nextLocalMinute(qint64 from, qint64 limit) const;

    QString m_expression;
    QTimeZone m_zone;
    quint64 m_minutes = 0;   // bit n: minute n matches (0-59)
    quint32 m_hours = 0;     // bit n: hour n (0-23)
    quint32 m_days = 0;      // bit n: day of month n (1-31)
    quint16 m_months = 0;    // bit n: month n (1-12)
    quint8 m_weekdays = 0;   // bit n: weekday n, 0 = Sunday (6 = Saturday)
    bool m_dayOfMonthStar = false; // the field starts with '*' or '?' (Vixie's DOM_STAR)
    bool m_dayOfWeekStar = false;  // likewise for day-of-week
    bool m_neverFires = false;
    bool m_valid = false;
};

} // namespace Conflux::Sync
