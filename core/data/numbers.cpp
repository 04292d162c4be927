#include "data/numbers.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace Conflux::Data {

QByteArray formatNumber(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("Infinity") : QByteArrayLiteral("-Infinity");
    if (value == 0)
        return QByteArrayLiteral("0");   // also -0, as JavaScript writes it

    // Shortest round-trip digits in scientific form: d[.ddd]e±x.
    char sci[40];
    const auto result = std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific);
    *result.ptr = '\0';

    const bool negative = sci[0] == '-';
    const char *p = sci + (negative ? 1 : 0);
    char digits[24];
    int ndigits = 0;
    for (; *p && *p != 'e'; ++p) {
        if (*p != '.')
            digits[ndigits++] = *p;
    }
    const int exponent = std::atoi(p + 1);   // value = 0.d1d2... * 10^(exponent+1)
    const int n = exponent + 1;              // position of the decimal point

    QByteArray out;
    out.reserve(32);
    if (negative)
        out.append('-');
    if (ndigits <= n && n <= 21) {
        out.append(digits, ndigits);
        out.append(n - ndigits, '0');
    } else if (0 < n && n <= 21) {
        out.append(digits, n);
        out.append('.');
        out.append(digits + n, ndigits - n);
    } else if (-6 < n && n <= 0) {
        out.append("0.", 2);
        out.append(-n, '0');
        out.append(digits, ndigits);
    } else {
        out.append(digits[0]);
        if (ndigits > 1) {
            out.append('.');
            out.append(digits + 1, ndigits - 1);
        }
        out.append('e');
        out.append(n - 1 >= 0 ? '+' : '-');
        out.append(QByteArray::number(std::abs(n - 1)));
    }
    return out;
}

QString formatNumberString(double value)
{
    return QString::fromLatin1(formatNumber(value));
}

double roundToPrecision(double value, int precision)
{
    if (!std::isfinite(value) || value == 0)
        return value;
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*e", precision - 1, value);
    return std::strtod(buffer, nullptr);
}

} // namespace Conflux::Data
