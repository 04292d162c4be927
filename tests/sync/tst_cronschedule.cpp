// Cron schedules: syntax, next fire times (month ends, leap years, the day-of-month /
// day-of-week rule, DST in Europe/Berlin and America/New_York), errors with field and column,
// impossible schedules and misfire handling. Every expected time was worked out by hand from
// the calendar and the zones' 2024 transitions:
//   Europe/Berlin     2024-03-31 01:00Z: 02:00 CET -> 03:00 CEST; 2024-10-27 01:00Z: 03:00 CEST -> 02:00 CET
//   America/New_York  2024-03-10 07:00Z: 02:00 EST -> 03:00 EDT; 2024-11-03 06:00Z: 02:00 EDT -> 01:00 EST

#include "sync/cronschedule.h"

#include <QTest>

using namespace Conflux;
using namespace Conflux::Sync;
using namespace Qt::StringLiterals;

namespace {

QDateTime utc(const QString &iso)
{
    QDateTime t = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!t.isValid())
        qFatal("bad time literal in the test: %s", qPrintable(iso));
    return t;
}

QString isoUtc(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : u"invalid"_s;
}

CronSchedule schedule(const QString &expression, const QString &zone = {})
{
    auto parsed = CronSchedule::parse(expression, zone);
    if (!parsed)
        qFatal("%s does not parse: %s", qPrintable(expression), qPrintable(parsed.error().message));
    return *parsed;
}

} // namespace

class tst_CronSchedule : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The next fire times after a start time, one after the other.
    void fires_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("after");
        QTest::addColumn<QString>("expected"); // space-separated UTC times

        // Syntax elements (UTC). 2024-01-15 is a Monday.
        QTest::addRow("every minute") << u"* * * * *"_s << QString() << u"2024-01-15T10:07:30Z"_s
                                      << u"2024-01-15T10:08:00Z 2024-01-15T10:09:00Z 2024-01-15T10:10:00Z"_s;
        QTest::addRow("strictly after a fire time") << u"* * * * *"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                                    << u"2024-01-15T10:08:00Z"_s;
        QTest::addRow("milliseconds before the minute") << u"* * * * *"_s << QString() << u"2024-01-15T10:07:59.999Z"_s
                                                        << u"2024-01-15T10:08:00Z"_s;
        QTest::addRow("number") << u"5 * * * *"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                << u"2024-01-15T11:05:00Z 2024-01-15T12:05:00Z"_s;
        QTest::addRow("minute and hour") << u"30 2 * * *"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                         << u"2024-01-16T02:30:00Z 2024-01-17T02:30:00Z"_s;
        QTest::addRow("range") << u"10-12 * * * *"_s << QString() << u"2024-01-15T10:11:00Z"_s
                               << u"2024-01-15T10:12:00Z 2024-01-15T11:10:00Z 2024-01-15T11:11:00Z"_s;
        QTest::addRow("step of star") << u"*/20 * * * *"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                      << u"2024-01-15T10:20:00Z 2024-01-15T10:40:00Z 2024-01-15T11:00:00Z"_s;
        QTest::addRow("step of range") << u"5-30/10 * * * *"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                       << u"2024-01-15T10:15:00Z 2024-01-15T10:25:00Z 2024-01-15T11:05:00Z"_s;
        QTest::addRow("step from a value to the end") << u"50/4 * * * *"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                                      << u"2024-01-15T10:50:00Z 2024-01-15T10:54:00Z "
                                                         "2024-01-15T10:58:00Z 2024-01-15T11:50:00Z"_s;
        QTest::addRow("list of value, range, step") << u"0,15-16,45/5 * * * *"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                                    << u"2024-01-15T10:15:00Z 2024-01-15T10:16:00Z 2024-01-15T10:45:00Z "
                                                       "2024-01-15T10:50:00Z 2024-01-15T10:55:00Z 2024-01-15T11:00:00Z"_s;
        QTest::addRow("hour step") << u"0 */6 * * *"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                   << u"2024-01-15T12:00:00Z 2024-01-15T18:00:00Z 2024-01-16T00:00:00Z"_s;
        QTest::addRow("hour range step") << u"0 8-18/5 * * *"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                         << u"2024-01-15T13:00:00Z 2024-01-15T18:00:00Z 2024-01-16T08:00:00Z"_s;
        QTest::addRow("month names, any case") << u"0 0 1 jan,Jul *"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                               << u"2024-07-01T00:00:00Z 2025-01-01T00:00:00Z 2025-07-01T00:00:00Z"_s;
        QTest::addRow("month name range") << u"0 0 1 MAR-MAY *"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                          << u"2024-03-01T00:00:00Z 2024-04-01T00:00:00Z 2024-05-01T00:00:00Z "
                                             "2025-03-01T00:00:00Z"_s;
        QTest::addRow("month step") << u"0 0 1 */5 *"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                    << u"2024-06-01T00:00:00Z 2024-11-01T00:00:00Z 2025-01-01T00:00:00Z"_s;
        QTest::addRow("weekday name range") << u"0 9 * * mon-FRI"_s << QString() << u"2024-01-19T10:00:00Z"_s
                                            << u"2024-01-22T09:00:00Z 2024-01-23T09:00:00Z 2024-01-24T09:00:00Z"_s;
        QTest::addRow("weekday name list") << u"0 9 * * SAT,sun"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                           << u"2024-01-20T09:00:00Z 2024-01-21T09:00:00Z 2024-01-27T09:00:00Z"_s;
        QTest::addRow("FRI-SUN wraps to Sunday") << u"0 9 * * FRI-SUN"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                                 << u"2024-01-19T09:00:00Z 2024-01-20T09:00:00Z "
                                                    "2024-01-21T09:00:00Z 2024-01-26T09:00:00Z"_s;
        QTest::addRow("weekday 7 is Sunday") << u"0 9 * * 7"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                             << u"2024-01-21T09:00:00Z 2024-01-28T09:00:00Z"_s;
        QTest::addRow("weekday 0 is Sunday") << u"0 9 * * 0"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                             << u"2024-01-21T09:00:00Z 2024-01-28T09:00:00Z"_s;
        QTest::addRow("weekday range 5-7") << u"0 9 * * 5-7"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                           << u"2024-01-19T09:00:00Z 2024-01-20T09:00:00Z "
                                              "2024-01-21T09:00:00Z 2024-01-26T09:00:00Z"_s;
        QTest::addRow("weekday a/n ends on Saturday") << u"0 9 * * 1/2"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                                      << u"2024-01-17T09:00:00Z 2024-01-19T09:00:00Z "
                                                         "2024-01-22T09:00:00Z"_s;
        QTest::addRow("? as any day of month") << u"0 9 ? * 1"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                               << u"2024-01-22T09:00:00Z 2024-01-29T09:00:00Z"_s;
        QTest::addRow("? as any weekday") << u"0 9 15 * ?"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                          << u"2024-02-15T09:00:00Z 2024-03-15T09:00:00Z"_s;
        QTest::addRow("fields separated by tabs and runs of spaces") << u" 0\t9   15 *  ? "_s << QString()
                                                                     << u"2024-01-15T10:07:00Z"_s
                                                                     << u"2024-02-15T09:00:00Z"_s;

        // Macros.
        QTest::addRow("@yearly") << u"@yearly"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                 << u"2025-01-01T00:00:00Z 2026-01-01T00:00:00Z"_s;
        QTest::addRow("@annually") << u"@annually"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                   << u"2025-01-01T00:00:00Z"_s;
        QTest::addRow("@monthly") << u"@monthly"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                  << u"2024-02-01T00:00:00Z 2024-03-01T00:00:00Z"_s;
        QTest::addRow("@weekly is Sunday midnight") << u"@weekly"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                                    << u"2024-01-21T00:00:00Z 2024-01-28T00:00:00Z"_s;
        QTest::addRow("@daily") << u"@daily"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                << u"2024-01-16T00:00:00Z 2024-01-17T00:00:00Z"_s;
        QTest::addRow("@midnight, upper case") << u"@MIDNIGHT"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                               << u"2024-01-16T00:00:00Z"_s;
        QTest::addRow("@hourly") << u"@hourly"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                 << u"2024-01-15T11:00:00Z 2024-01-15T12:00:00Z"_s;

        // Month ends, year ends, leap years.
        QTest::addRow("31st skips short months") << u"0 12 31 * *"_s << QString() << u"2024-01-31T12:00:00Z"_s
                                                 << u"2024-03-31T12:00:00Z 2024-05-31T12:00:00Z "
                                                    "2024-07-31T12:00:00Z 2024-08-31T12:00:00Z"_s;
        QTest::addRow("last minute of the year") << u"59 23 31 12 *"_s << QString() << u"2024-06-01T00:00:00Z"_s
                                                 << u"2024-12-31T23:59:00Z 2025-12-31T23:59:00Z"_s;
        QTest::addRow("year end rollover") << u"* * * * *"_s << QString() << u"2024-12-31T23:59:00Z"_s
                                           << u"2025-01-01T00:00:00Z"_s;
        QTest::addRow("29 February") << u"0 0 29 2 *"_s << QString() << u"2024-01-15T00:00:00Z"_s
                                     << u"2024-02-29T00:00:00Z 2028-02-29T00:00:00Z 2032-02-29T00:00:00Z"_s;
        QTest::addRow("29 February skips 2100") << u"0 0 29 2 *"_s << QString() << u"2096-03-01T00:00:00Z"_s
                                                << u"2104-02-29T00:00:00Z"_s;
        QTest::addRow("28-29 February") << u"0 0 28-29 2 *"_s << QString() << u"2023-02-28T00:00:00Z"_s
                                        << u"2024-02-28T00:00:00Z 2024-02-29T00:00:00Z 2025-02-28T00:00:00Z"_s;
        // Vixie: both fields start with '*', so both must match: 1 February that is a Sunday.
        QTest::addRow("1 February on a Sunday, 11 years apart") << u"0 12 */31 2 */7"_s << QString()
                                                                << u"2015-02-02T00:00:00Z"_s
                                                                << u"2026-02-01T12:00:00Z"_s;

        // Day of month and day of week (Vixie cron). 2024-10-01 is a Tuesday; the 13th a Sunday.
        QTest::addRow("both restricted: either matches") << u"0 0 13 * 5"_s << QString() << u"2024-10-01T00:00:00Z"_s
                                                         << u"2024-10-04T00:00:00Z 2024-10-11T00:00:00Z "
                                                            "2024-10-13T00:00:00Z 2024-10-18T00:00:00Z"_s;
        QTest::addRow("names, both restricted") << u"0 0 1,15 * MON"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                                << u"2024-01-22T00:00:00Z 2024-01-29T00:00:00Z "
                                                   "2024-02-01T00:00:00Z 2024-02-05T00:00:00Z"_s;
        QTest::addRow("1-31 is restricted: every day") << u"0 0 1-31 * 1"_s << QString() << u"2024-01-15T10:07:00Z"_s
                                                       << u"2024-01-16T00:00:00Z 2024-01-17T00:00:00Z"_s;
        QTest::addRow("weekday star: day of month decides") << u"0 0 13 * *"_s << QString() << u"2024-10-01T00:00:00Z"_s
                                                            << u"2024-10-13T00:00:00Z 2024-11-13T00:00:00Z"_s;
        QTest::addRow("day-of-month star: weekday decides") << u"0 0 * * 5"_s << QString() << u"2024-10-01T00:00:00Z"_s
                                                            << u"2024-10-04T00:00:00Z 2024-10-11T00:00:00Z"_s;
        QTest::addRow("*/10 counts as unrestricted: both must match") << u"0 0 */10 * 1"_s << QString()
                                                                      << u"2024-01-01T00:00:00Z"_s
                                                                      << u"2024-03-11T00:00:00Z 2024-04-01T00:00:00Z"_s;

        // Europe/Berlin.
        QTest::addRow("Berlin midnight across spring forward") << u"0 0 * * *"_s << u"Europe/Berlin"_s
                                                               << u"2024-03-30T12:00:00Z"_s
                                                               << u"2024-03-30T23:00:00Z 2024-03-31T22:00:00Z"_s;
        QTest::addRow("Berlin 02:30 in the spring gap runs at 03:00") << u"30 2 * * *"_s << u"Europe/Berlin"_s
                                                                      << u"2024-03-29T12:00:00Z"_s
                                                                      << u"2024-03-30T01:30:00Z 2024-03-31T01:00:00Z "
                                                                         "2024-04-01T00:30:00Z"_s;
        QTest::addRow("Berlin gap: several times, one run") << u"*/20 2 * * *"_s << u"Europe/Berlin"_s
                                                            << u"2024-03-30T23:00:00Z"_s
                                                            << u"2024-03-31T01:00:00Z 2024-04-01T00:00:00Z "
                                                               "2024-04-01T00:20:00Z"_s;
        QTest::addRow("Berlin gap run and 03:00 are one run") << u"0 2,3 * * *"_s << u"Europe/Berlin"_s
                                                              << u"2024-03-30T23:00:00Z"_s
                                                              << u"2024-03-31T01:00:00Z 2024-04-01T00:00:00Z "
                                                                 "2024-04-01T01:00:00Z"_s;
        QTest::addRow("Berlin hourly skips the missing hour") << u"0 * * * *"_s << u"Europe/Berlin"_s
                                                              << u"2024-03-31T00:00:00Z"_s
                                                              << u"2024-03-31T01:00:00Z 2024-03-31T02:00:00Z"_s;
        QTest::addRow("Berlin :30 hourly: no gap run") << u"30 * * * *"_s << u"Europe/Berlin"_s
                                                       << u"2024-03-31T00:00:00Z"_s
                                                       << u"2024-03-31T00:30:00Z 2024-03-31T01:30:00Z "
                                                          "2024-03-31T02:30:00Z"_s;
        QTest::addRow("Berlin every 15 minutes through spring forward") << u"*/15 * * * *"_s << u"Europe/Berlin"_s
                                                                        << u"2024-03-31T00:30:00Z"_s
                                                                        << u"2024-03-31T00:45:00Z 2024-03-31T01:00:00Z "
                                                                           "2024-03-31T01:15:00Z"_s;
        QTest::addRow("Berlin 02:30 runs once at fall back") << u"30 2 * * *"_s << u"Europe/Berlin"_s
                                                             << u"2024-10-25T12:00:00Z"_s
                                                             << u"2024-10-26T00:30:00Z 2024-10-27T00:30:00Z "
                                                                "2024-10-28T01:30:00Z"_s;
        QTest::addRow("Berlin repeated hour, fixed time: first occurrence only")
            << u"*/20 2 * * *"_s << u"Europe/Berlin"_s << u"2024-10-26T23:00:00Z"_s
            << u"2024-10-27T00:00:00Z 2024-10-27T00:20:00Z 2024-10-27T00:40:00Z 2024-10-28T01:00:00Z"_s;
        QTest::addRow("Berlin after inside the second occurrence") << u"30 2 * * *"_s << u"Europe/Berlin"_s
                                                                   << u"2024-10-27T01:10:00Z"_s
                                                                   << u"2024-10-28T01:30:00Z"_s;
        QTest::addRow("Berlin every 15 minutes through fall back") << u"*/15 * * * *"_s << u"Europe/Berlin"_s
                                                                   << u"2024-10-27T00:30:00Z"_s
                                                                   << u"2024-10-27T00:45:00Z 2024-10-27T01:00:00Z "
                                                                      "2024-10-27T01:15:00Z 2024-10-27T01:30:00Z "
                                                                      "2024-10-27T01:45:00Z 2024-10-27T02:00:00Z"_s;
        QTest::addRow("Berlin hourly :30 runs in both occurrences") << u"30 * * * *"_s << u"Europe/Berlin"_s
                                                                    << u"2024-10-27T00:40:00Z"_s
                                                                    << u"2024-10-27T01:30:00Z 2024-10-27T02:30:00Z"_s;
        QTest::addRow("Berlin hourly :30 from the second occurrence") << u"30 * * * *"_s << u"Europe/Berlin"_s
                                                                      << u"2024-10-27T01:10:00Z"_s
                                                                      << u"2024-10-27T01:30:00Z 2024-10-27T02:30:00Z"_s;

        // America/New_York.
        QTest::addRow("New York 02:30 in the spring gap") << u"30 2 * * *"_s << u"America/New_York"_s
                                                          << u"2024-03-08T12:00:00Z"_s
                                                          << u"2024-03-09T07:30:00Z 2024-03-10T07:00:00Z "
                                                             "2024-03-11T06:30:00Z"_s;
        QTest::addRow("New York Sunday 02:00 in the gap") << u"0 2 * * SUN"_s << u"America/New_York"_s
                                                          << u"2024-03-03T12:00:00Z"_s
                                                          << u"2024-03-10T07:00:00Z 2024-03-17T06:00:00Z"_s;
        QTest::addRow("New York 01:30 runs once at fall back") << u"30 1 * * *"_s << u"America/New_York"_s
                                                               << u"2024-11-01T12:00:00Z"_s
                                                               << u"2024-11-02T05:30:00Z 2024-11-03T05:30:00Z "
                                                                  "2024-11-04T06:30:00Z"_s;
        QTest::addRow("New York every 30 minutes through fall back") << u"*/30 * * * *"_s << u"America/New_York"_s
                                                                     << u"2024-11-03T05:00:00Z"_s
                                                                     << u"2024-11-03T05:30:00Z 2024-11-03T06:00:00Z "
                                                                        "2024-11-03T06:30:00Z 2024-11-03T07:00:00Z"_s;
        QTest::addRow("New York, after given with an offset") << u"0 9 * * *"_s << u"America/New_York"_s
                                                              << u"2024-07-04T09:00:00-04:00"_s
                                                              << u"2024-07-05T13:00:00Z 2024-07-06T13:00:00Z"_s;
    }

    void fires()
    {
        QFETCH(QString, expression);
        QFETCH(QString, zone);
        QFETCH(QString, after);
        QFETCH(QString, expected);

        const CronSchedule s = schedule(expression, zone);
        QVERIFY(s.canFire());
        QStringList actual;
        QDateTime t = utc(after);
        const qsizetype count = expected.split(u' ').size();
        for (qsizetype i = 0; i < count; ++i) {
            const QDateTime n = s.next(t);
            actual.append(isoUtc(n));
            if (!n.isValid())
                break;
            QCOMPARE(n.timeSpec(), Qt::UTC);
            t = n;
        }
        QCOMPARE(actual.join(u' '), expected);
    }

    // `after` in any time spec; the answer is always UTC.
    void timeSpecs()
    {
        const CronSchedule s = schedule(u"0 9 * * *"_s, u"Asia/Tokyo"_s); // 00:00Z
        const QDateTime inOffset(QDate(2024, 5, 1), QTime(5, 30), Qt::OffsetFromUTC, 5 * 3600 + 1800); // 00:00Z
        QCOMPARE(isoUtc(s.next(inOffset)), u"2024-05-02T00:00:00Z"_s);
        const QDateTime inZone(QDate(2024, 5, 1), QTime(8, 59), QTimeZone("Asia/Tokyo")); // 23:59Z the day before
        QCOMPARE(isoUtc(s.next(inZone)), u"2024-05-01T00:00:00Z"_s);
        QCOMPARE(s.next(inZone).timeSpec(), Qt::UTC);
        QVERIFY(!s.next(QDateTime()).isValid());
        QVERIFY(!CronSchedule().next(inZone).isValid());
        QVERIFY(!CronSchedule().isValid());
    }

    void accessors()
    {
        const CronSchedule berlin = schedule(u"  30 2 * * *  "_s, u"Europe/Berlin"_s);
        QCOMPARE(berlin.expression(), u"30 2 * * *"_s);
        QCOMPARE(berlin.timeZone().id(), "Europe/Berlin"_ba);
        QVERIFY(berlin.isValid());
        const CronSchedule plain = schedule(u"@daily"_s);
        QCOMPARE(plain.expression(), u"@daily"_s);
        QCOMPARE(plain.timeZone().id(), "UTC"_ba);
        QVERIFY(plain == schedule(u"@daily"_s));
        QVERIFY(!(plain == berlin));
    }

    void errors_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("column"); // 0: no column

        const QString fields = u"expected 5 fields (minute hour day-of-month month day-of-week), "_s;
        QTest::addRow("empty") << QString() << QString() << u"the schedule is empty (column 1)"_s << 1;
        QTest::addRow("blank") << u"   "_s << QString() << u"the schedule is empty (column 4)"_s << 4;
        QTest::addRow("four fields") << u"* * * *"_s << QString() << fields + u"found 4 (column 8)"_s << 8;
        QTest::addRow("six fields") << u"0 0 * * * extra"_s << QString() << fields + u"found 6 (column 11)"_s << 11;
        QTest::addRow("hour out of range") << u"30 25 * * *"_s << QString()
                                           << u"hour (field 2): 25 is out of range 0-23 (column 4)"_s << 4;
        QTest::addRow("minute out of range") << u"60 * * * *"_s << QString()
                                             << u"minute (field 1): 60 is out of range 0-59 (column 1)"_s << 1;
        QTest::addRow("huge number") << u"99999999999 * * * *"_s << QString()
                                     << u"minute (field 1): 99999999999 is out of range 0-59 (column 1)"_s << 1;
        QTest::addRow("day of month 0") << u"0 0 0 * *"_s << QString()
                                        << u"day-of-month (field 3): 0 is out of range 1-31 (column 5)"_s << 5;
        QTest::addRow("month 13") << u"0 0 1 13 *"_s << QString()
                                  << u"month (field 4): 13 is out of range 1-12 (column 7)"_s << 7;
        QTest::addRow("weekday 8") << u"0 0 * * 8"_s << QString()
                                   << u"day-of-week (field 5): 8 is out of range 0-7 (column 9)"_s << 9;
        QTest::addRow("range end out of range") << u"0 0 * * 1-9"_s << QString()
                                                << u"day-of-week (field 5): 9 is out of range 0-7 (column 11)"_s << 11;
        QTest::addRow("empty list item") << u"0,,5 * * * *"_s << QString()
                                         << u"minute (field 1): empty list item (column 3)"_s << 3;
        QTest::addRow("trailing comma") << u"0 1, * * *"_s << QString()
                                        << u"hour (field 2): empty list item (column 5)"_s << 5;
        QTest::addRow("leading comma") << u"0 ,1 * * *"_s << QString()
                                       << u"hour (field 2): empty list item (column 3)"_s << 3;
        QTest::addRow("step 0") << u"*/0 * * * *"_s << QString()
                                << u"minute (field 1): step 0 is not allowed (column 3)"_s << 3;
        QTest::addRow("step larger than the field") << u"*/61 * * * *"_s << QString()
                                                    << u"minute (field 1): step 61 is larger than the field's 60 values (column 3)"_s << 3;
        QTest::addRow("missing step") << u"5/ * * * *"_s << QString()
                                      << u"minute (field 1): expected a step number after '/' (column 3)"_s << 3;
        QTest::addRow("step not a number") << u"0 0 * * */x"_s << QString()
                                           << u"day-of-week (field 5): expected a step number after '/', found 'x' (column 11)"_s << 11;
        QTest::addRow("reversed range") << u"0 20-10 * * *"_s << QString()
                                        << u"hour (field 2): range 20-10 is reversed (column 3)"_s << 3;
        QTest::addRow("reversed name range") << u"0 0 1 DEC-JAN *"_s << QString()
                                             << u"month (field 4): range DEC-JAN is reversed (column 7)"_s << 7;
        QTest::addRow("unknown month name") << u"0 0 1 FOO *"_s << QString()
                                            << u"month (field 4): unknown month name 'FOO' (expected JAN-DEC) (column 7)"_s << 7;
        QTest::addRow("full weekday name") << u"0 0 * * MONDAY"_s << QString()
                                           << u"day-of-week (field 5): unknown day-of-week name 'MONDAY' (expected SUN-SAT) (column 9)"_s << 9;
        QTest::addRow("name in a numeric field") << u"MON * * * *"_s << QString()
                                                 << u"minute (field 1): expected a number, found 'MON' (column 1)"_s << 1;
        QTest::addRow("weekday name in month") << u"0 0 1 MON *"_s << QString()
                                               << u"month (field 4): unknown month name 'MON' (expected JAN-DEC) (column 7)"_s << 7;
        QTest::addRow("trailing garbage in a field") << u"5x * * * *"_s << QString()
                                                     << u"minute (field 1): unexpected 'x' (column 2)"_s << 2;
        QTest::addRow("two dashes") << u"1-2-3 * * * *"_s << QString()
                                    << u"minute (field 1): unexpected '-' (column 4)"_s << 4;
        QTest::addRow("two steps") << u"*/2/3 * * * *"_s << QString()
                                   << u"minute (field 1): unexpected '/' (column 4)"_s << 4;
        QTest::addRow("range without end") << u"1- * * * *"_s << QString()
                                           << u"minute (field 1): expected a number, found the end of the item (column 3)"_s << 3;
        QTest::addRow("negative number") << u"0 0 -1 * *"_s << QString()
                                         << u"day-of-month (field 3): expected a number, found '-' (column 5)"_s << 5;
        QTest::addRow("unknown character") << u"0 0 * * #"_s << QString()
                                           << u"day-of-week (field 5): expected a number or a name, found '#' (column 9)"_s << 9;
        QTest::addRow("? outside the day fields") << u"? * * * *"_s << QString()
                                                  << u"minute (field 1): '?' is only allowed in day-of-month and day-of-week (column 1)"_s << 1;
        QTest::addRow("? with a step") << u"0 0 ?/2 * *"_s << QString()
                                       << u"day-of-month (field 3): '?' cannot take a step (use '*') (column 6)"_s << 6;
        QTest::addRow("leading spaces count in the column") << u"  0 99 * * *"_s << QString()
                                                            << u"hour (field 2): 99 is out of range 0-23 (column 5)"_s << 5;
        QTest::addRow("unknown macro") << u"@fortnightly"_s << QString()
                                       << u"unknown macro '@fortnightly' (expected @yearly, @annually, @monthly, "
                                          "@weekly, @daily, @midnight or @hourly) (column 1)"_s << 1;
        QTest::addRow("@reboot") << u"@reboot"_s << QString() << u"@reboot is not a time schedule (column 1)"_s << 1;
        QTest::addRow("macro with more") << u"@daily 5"_s << QString()
                                         << u"unexpected '5' after @daily (column 8)"_s << 8;
        QTest::addRow("unknown time zone") << u"0 0 * * *"_s << u"Mars/Olympus"_s
                                           << u"unknown time zone 'Mars/Olympus' (expected an IANA id such as Europe/Berlin)"_s << 0;
    }

    void errors()
    {
        QFETCH(QString, expression);
        QFETCH(QString, zone);
        QFETCH(QString, message);
        QFETCH(int, column);

        const auto parsed = CronSchedule::parse(expression, zone);
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().code, u"invalid_schedule"_s);
        QCOMPARE(parsed.error().message, message);
        QCOMPARE(parsed.error().offset, qint64(column - 1));
    }

    void impossible_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addRow("30 February") << u"0 0 30 2 *"_s;
        QTest::addRow("30 and 31 February") << u"0 0 30,31 FEB *"_s;
        QTest::addRow("31st of the 30-day months") << u"0 0 31 4,6,9,11 *"_s;
        // Weekday "*/2" counts as unrestricted, so the day of month must match as well.
        QTest::addRow("30 February on even weekdays") << u"0 0 30 2 */2"_s;
    }

    void impossible()
    {
        QFETCH(QString, expression);
        const CronSchedule s = schedule(expression, u"Europe/Berlin"_s);
        QVERIFY(s.isValid());
        QVERIFY(!s.canFire());
        QVERIFY(!s.next(utc(u"2024-01-01T00:00:00Z"_s)).isValid());
        QVERIFY(!CronSchedule::dueFire(s, utc(u"2020-01-01T00:00:00Z"_s), utc(u"2024-01-01T00:00:00Z"_s),
                                       MisfirePolicy::RunOnce));
    }

    // Schedules that look impossible but are not: either day field may match.
    void possible()
    {
        // 30 February or any Monday in February: 2024-02-05 is the first Monday.
        const CronSchedule s = schedule(u"0 0 30 2 1"_s);
        QVERIFY(s.canFire());
        QCOMPARE(isoUtc(s.next(utc(u"2024-01-01T00:00:00Z"_s))), u"2024-02-05T00:00:00Z"_s);
    }

    void misfire_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("lastFire"); // empty: none
        QTest::addColumn<QString>("now");
        QTest::addColumn<QString>("policy");
        QTest::addColumn<int>("grace");        // seconds; -1: the default
        QTest::addColumn<QString>("expected"); // empty: nothing due

        const QString hourly = u"0 * * * *"_s;
        QTest::addRow("nothing due") << hourly << QString() << u"2024-01-15T10:00:00Z"_s << u"2024-01-15T10:30:00Z"_s
                                     << u"run_once"_s << -1 << QString();
        QTest::addRow("due exactly now") << hourly << QString() << u"2024-01-15T10:30:00Z"_s << u"2024-01-15T11:00:00Z"_s
                                         << u"run_once"_s << -1 << u"2024-01-15T11:00:00Z"_s;
        QTest::addRow("a fire at lastFire is handled") << hourly << QString() << u"2024-01-15T11:00:00Z"_s
                                                       << u"2024-01-15T11:00:30Z"_s << u"run_once"_s << -1 << QString();
        QTest::addRow("run_once: one missed") << hourly << QString() << u"2024-01-15T10:30:00Z"_s
                                              << u"2024-01-15T11:20:00Z"_s << u"run_once"_s << -1
                                              << u"2024-01-15T11:00:00Z"_s;
        QTest::addRow("run_once: many missed, the latest runs") << hourly << QString() << u"2024-01-10T10:30:00Z"_s
                                                                << u"2024-01-15T10:20:00Z"_s << u"run_once"_s << -1
                                                                << u"2024-01-15T10:00:00Z"_s;
        QTest::addRow("run_once: many missed, the latest exactly now") << hourly << QString()
                                                                       << u"2024-01-15T07:30:00Z"_s
                                                                       << u"2024-01-15T10:00:00Z"_s << u"run_once"_s
                                                                       << -1 << u"2024-01-15T10:00:00Z"_s;
        QTest::addRow("run_once: four years of minutes missed") << u"* * * * *"_s << QString()
                                                                << u"2020-01-01T00:00:00Z"_s
                                                                << u"2024-01-15T10:07:30Z"_s << u"run_once"_s << -1
                                                                << u"2024-01-15T10:07:00Z"_s;
        QTest::addRow("run_once: two missed a month apart") << u"0 3 1 * *"_s << QString() << u"2024-01-20T00:00:00Z"_s
                                                            << u"2024-03-10T00:00:00Z"_s << u"run_once"_s << -1
                                                            << u"2024-03-01T03:00:00Z"_s;
        QTest::addRow("skip: within the grace window") << hourly << QString() << u"2024-01-15T10:30:00Z"_s
                                                       << u"2024-01-15T11:00:59Z"_s << u"skip"_s << -1
                                                       << u"2024-01-15T11:00:00Z"_s;
        QTest::addRow("skip: exactly the grace late") << hourly << QString() << u"2024-01-15T10:30:00Z"_s
                                                      << u"2024-01-15T11:01:00Z"_s << u"skip"_s << -1
                                                      << u"2024-01-15T11:00:00Z"_s;
        QTest::addRow("skip: a second later") << hourly << QString() << u"2024-01-15T10:30:00Z"_s
                                              << u"2024-01-15T11:01:01Z"_s << u"skip"_s << -1 << QString();
        QTest::addRow("skip: many missed, the latest is in time") << hourly << QString() << u"2024-01-10T10:30:00Z"_s
                                                                  << u"2024-01-15T10:00:30Z"_s << u"skip"_s << -1
                                                                  << u"2024-01-15T10:00:00Z"_s;
        QTest::addRow("skip: many missed, none in time") << hourly << QString() << u"2024-01-10T10:30:00Z"_s
                                                         << u"2024-01-15T10:20:00Z"_s << u"skip"_s << -1 << QString();
        QTest::addRow("skip: longer grace") << hourly << QString() << u"2024-01-15T10:30:00Z"_s
                                            << u"2024-01-15T11:09:00Z"_s << u"skip"_s << 600 << u"2024-01-15T11:00:00Z"_s;
        QTest::addRow("skip: longer grace, too late") << hourly << QString() << u"2024-01-15T10:30:00Z"_s
                                                      << u"2024-01-15T11:11:00Z"_s << u"skip"_s << 600 << QString();
        QTest::addRow("no lastFire: within grace") << hourly << QString() << QString() << u"2024-01-15T11:00:30Z"_s
                                                   << u"run_once"_s << -1 << u"2024-01-15T11:00:00Z"_s;
        QTest::addRow("no lastFire: nothing older than grace") << hourly << QString() << QString()
                                                               << u"2024-01-15T11:05:00Z"_s << u"run_once"_s << -1
                                                               << QString();
        QTest::addRow("lastFire after now (clock went back)") << hourly << QString() << u"2024-01-15T12:00:00Z"_s
                                                              << u"2024-01-15T11:30:00Z"_s << u"run_once"_s << -1
                                                              << QString();
        QTest::addRow("run_once: Berlin fall back, first occurrence") << u"30 2 * * *"_s << u"Europe/Berlin"_s
                                                                      << u"2024-10-26T12:00:00Z"_s
                                                                      << u"2024-10-27T03:00:00Z"_s << u"run_once"_s
                                                                      << -1 << u"2024-10-27T00:30:00Z"_s;
        QTest::addRow("run_once: Berlin quarter hours over fall back") << u"*/15 * * * *"_s << u"Europe/Berlin"_s
                                                                       << u"2024-10-26T00:00:00Z"_s
                                                                       << u"2024-10-27T01:20:00Z"_s << u"run_once"_s
                                                                       << -1 << u"2024-10-27T01:15:00Z"_s;
        QTest::addRow("run_once: New York spring gap") << u"30 2 * * *"_s << u"America/New_York"_s
                                                       << u"2024-03-09T12:00:00Z"_s << u"2024-03-10T12:00:00Z"_s
                                                       << u"run_once"_s << -1 << u"2024-03-10T07:00:00Z"_s;
    }

    void misfire()
    {
        QFETCH(QString, expression);
        QFETCH(QString, zone);
        QFETCH(QString, lastFire);
        QFETCH(QString, now);
        QFETCH(QString, policy);
        QFETCH(int, grace);
        QFETCH(QString, expected);

        const CronSchedule s = schedule(expression, zone);
        const auto p = misfirePolicyFromName(policy);
        QVERIFY(p);
        const QDateTime last = lastFire.isEmpty() ? QDateTime() : utc(lastFire);
        const auto due = grace < 0 ? CronSchedule::dueFire(s, last, utc(now), *p)
                                   : CronSchedule::dueFire(s, last, utc(now), *p, std::chrono::seconds(grace));
        QCOMPARE(due ? isoUtc(*due) : QString(), expected);
        if (due)
            QCOMPARE(due->timeSpec(), Qt::UTC);
    }

    void misfirePolicyNames()
    {
        QCOMPARE(misfirePolicyFromName(u"run_once"), MisfirePolicy::RunOnce);
        QCOMPARE(misfirePolicyFromName(u"skip"), MisfirePolicy::Skip);
        QVERIFY(!misfirePolicyFromName(u"RunOnce"));
        QVERIFY(!misfirePolicyFromName(u""));
        QCOMPARE(misfirePolicyName(MisfirePolicy::RunOnce), u"run_once"_s);
        QCOMPARE(misfirePolicyName(MisfirePolicy::Skip), u"skip"_s);
    }

    void describe_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("expected");
        QTest::addRow("daily") << u"30 2 * * *"_s << u"Europe/Berlin"_s << u"at 02:30 every day (Europe/Berlin)"_s;
        QTest::addRow("quarter hours") << u"*/15 * * * *"_s << QString() << u"every 15 minutes (UTC)"_s;
        QTest::addRow("working days") << u"0 9 * * 1-5"_s << QString() << u"at 09:00 on Monday-Friday (UTC)"_s;
        QTest::addRow("two times") << u"0 9,17 * * *"_s << QString() << u"at 09:00 and 17:00 every day (UTC)"_s;
        QTest::addRow("either day field") << u"0 0 13 * 5"_s << QString()
                                          << u"at 00:00 on day 13 of the month or on Friday (UTC)"_s;
        QTest::addRow("yearly") << u"@yearly"_s << QString() << u"at 00:00 on day 1 of the month in January (UTC)"_s;
        QTest::addRow("minutes of every hour") << u"0,20 * * * *"_s << QString()
                                               << u"at minutes 0 and 20 of every hour (UTC)"_s;
        QTest::addRow("minute of every hour") << u"30 * * * *"_s << QString() << u"at minute 30 of every hour (UTC)"_s;
        QTest::addRow("office hours") << u"* 9-17 * * *"_s << QString() << u"every minute during hours 9-17 (UTC)"_s;
        QTest::addRow("both day fields must match") << u"0 0 */10 * 1"_s << QString()
                                                    << u"at 00:00 on days 1, 11, 21 and 31 of the month if it falls on Monday (UTC)"_s;
        QTest::addRow("never") << u"0 0 30 2 *"_s << QString()
                               << u"never: no month in the schedule has the day of month it names (UTC)"_s;
    }

    void describe()
    {
        QFETCH(QString, expression);
        QFETCH(QString, zone);
        QFETCH(QString, expected);
        QCOMPARE(schedule(expression, zone).describe(), expected);
    }
};

QTEST_GUILESS_MAIN(tst_CronSchedule)
#include "tst_cronschedule.moc"
