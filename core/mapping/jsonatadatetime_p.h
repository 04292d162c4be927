#pragma once

// Date/time pictures for the JSONata function library ($fromMillis, $toMillis, $now):
// XPath F&O 3.1 fn:format-dateTime pictures such as "[Y0001]-[M01]-[D01]" or
// "[FNn], [D1o] [MNn] [Y]", plus ISO 8601 timestamps when there is no picture.
//
// Errors are thrown as JsonataException (D3110, D3130..D3136); `position` is the
// character offset of the call. Parsed pictures are cached per thread, so repeated
// calls with the same picture cost no analysis; everything here is reentrant.

#include "mapping/jsonatanumberformat_p.h"

#include "data/value.h"

#include <QString>

#include <memory>
#include <vector>

namespace Conflux::Mapping::Internal::DateTime {

// Formats `millis` (since the epoch, UTC) with `picture` (ISO 8601 when null) in the
// time zone `timezone` ("+hhmm"/"-hhmm"; UTC when null).
QString formatMillis(double millis, const QString *picture, const QString *timezone, int position);

// Reads `timestamp` with `picture` (ISO 8601 when null, D3110 when it is not) and returns
// milliseconds since the epoch; undefined when the timestamp does not match the picture
// or a component cannot be read. Components the picture leaves out default from
// `nowMillis` (more significant ones) or to their minimum (less significant ones).
Data::Value parseMillis(const QString &timestamp, const QString *picture, qint64 nowMillis,
                        int position);

// The calendar and picture model shared by jsonatadatetime.cpp (analysis, formatting)
// and jsonatadatetime_parse.cpp.
namespace Detail {

constexpr qint64 msPerDay = 86400000;
constexpr double maxTime = 8.64e15;   // the range of a JavaScript Date, in milliseconds

inline constexpr const char *dayNames[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday",
                                           "Friday", "Saturday", "Sunday"};
inline constexpr const char *monthNames[] = {"January", "February", "March", "April", "May",
                                             "June", "July", "August", "September", "October",
                                             "November", "December"};

struct Civil
{
    qint64 year;
    int month;   // 1..12
    int day;     // 1..31
};

// A moment broken down into UTC fields (the JavaScript Date getUTC* view).
struct Moment
{
    qint64 millis;
    Civil date;
    int hour;
    int minute;
    int second;
    int millisecond;
    int weekday;   // 1 = Monday .. 7 = Sunday (ISO 8601)
};

enum class Names : quint8 { None, Lower, Upper, Title };

// One part of a picture: a literal, or a variable marker such as [D1o] or [MNn,3-3].
struct Marker
{
    bool isLiteral = false;
    QString literal;
    char16_t component = 0;
    Names names = Names::None;
    bool hasInteger = false;
    NumberFormat::IntegerPicture integer;
    QChar presentation2;
    int widthMax = -1;    // -1: not given
    int yearDigits = -1;  // Y: the number of digits to keep, -1 for all
};

// An analysed date/time picture: literals and variable markers in order.
struct Picture
{
    std::vector<Marker> parts;
};

// Days since 1970-01-01 of a proleptic Gregorian year/month (1..12)/day.
qint64 daysFromCivil(qint64 year, int month, int day);
// `millis` since the epoch broken down into UTC fields.
Moment momentOf(qint64 millis);
// JavaScript's Date.UTC(): NaN when an argument is not finite or the result out of range.
double makeUtc(double year, double month0, double day, double hours, double minutes,
               double seconds, double millis);
// The numeric value of a component specifier ('Y', 'M', 'W', 'x', ...) for a moment.
double fragment(char16_t component, const Moment &m);
// The analysed picture, cached per thread; throws D3131, D3132, D3135.
std::shared_ptr<const Picture> cachedPicture(const QString &picture, int position);
[[noreturn]] void throwNameModifier(char16_t component, int position);   // D3133

} // namespace Detail

} // namespace Conflux::Mapping::Internal::DateTime
