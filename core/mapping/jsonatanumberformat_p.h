#pragma once

// Number pictures for the JSONata function library: XPath F&O 3.1 fn:format-number
// ($formatNumber), fn:format-integer ($formatInteger, $parseInteger, and the integer
// components of date/time pictures), $round and $formatBase. Errors are thrown as
// JsonataException with the reference implementation's codes; `position` is the
// character offset of the call, for those errors. Everything here is reentrant.

#include "data/value.h"

#include <QString>
#include <QStringView>

#include <vector>

namespace Conflux::Mapping::Internal::NumberFormat {

// An analysed fn:format-integer picture such as "#,##0", "0001;o", "w", "I" or "A".
struct IntegerPicture
{
    enum class Primary : quint8 { Decimal, Letters, Roman, Words, Sequence };
    enum class Case : quint8 { Lower, Upper, Title };
    struct Separator
    {
        int position;        // digits to its right
        QString character;
    };

    Primary primary = Primary::Decimal;
    Case letterCase = Case::Lower;
    bool ordinal = false;
    char32_t zeroCode = U'0';        // the decimal digit family
    int mandatoryDigits = 0;
    int optionalDigits = 0;
    int regularInterval = 0;         // > 0: one separator repeated every n digits
    QString regularSeparator;
    std::vector<Separator> separators;   // when the grouping is not regular
    int parseWidth = 0;              // date/time parsing: exact digit count when > 0
    QString token;                   // the picture, for D3130
};

// Throws D3131 (digits from two decimal families).
IntegerPicture analyseIntegerPicture(QStringView picture, int position);

// Formats an integral value; throws D3130 for a numbering sequence it does not know.
QString formatInteger(double value, const IntegerPicture &picture, int position);

// Reads `text` as written in `picture` (no validation, like the reference); NaN when
// no number can be read.
double parseInteger(QStringView text, const IntegerPicture &picture, int position);

// A regular expression (no capturing groups) matching what formatInteger() writes;
// used to parse date/time components. Throws D3130 for numbering sequences.
QString integerPattern(const IntegerPicture &picture, int position);

// $formatNumber(value, picture, options): throws D3080..D3093 for bad pictures.
QString formatDecimal(double value, QStringView picture, const Data::Value &options, int position);

// $round(value, precision): half to even at `precision` decimal places (negative
// precision rounds to tens, hundreds ...), computed on the decimal text as the
// reference does, so 4.525 rounds to 4.52 and 4.515 to 4.52.
double roundHalfEven(double value, int precision);

// $formatBase: the integer `value` in `radix` (2..36), lowercase digits.
QString formatRadix(double value, int radix);

} // namespace Conflux::Mapping::Internal::NumberFormat
