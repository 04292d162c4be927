#pragma once

#include <QByteArray>
#include <QString>

namespace Conflux::Data {

// Numbers written the way JavaScript's Number.prototype.toString writes them (and so
// JSON.stringify and the JSONata reference implementation): the shortest decimal that
// reads back to the same double, plain notation for 1e-7 <= |x| < 1e21, exponent form
// ("1e+21", "1.5e-7") outside. Integral values have no fraction ("2", not "2.0").
// NaN and infinities give "NaN", "Infinity", "-Infinity" (callers that write JSON must
// refuse them first). Thread-safe, allocation only for the result.
QByteArray formatNumber(double value);
QString formatNumberString(double value);

// Like JavaScript's Number.prototype.toPrecision(precision) read back as a number and
// formatted again: the value rounded to `precision` significant digits (1..17).
double roundToPrecision(double value, int precision);

} // namespace Conflux::Data
