#include "mapping/jsonatanumberformat_p.h"

#include "mapping/jsonatafunctionlib_p.h"

#include "data/numbers.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal::NumberFormat {

using Data::Value;

namespace {

QString jsNumberText(double value)
{
    return QString::fromLatin1(Data::formatNumber(value));
}

// JavaScript's parseInt(text, 10): leading white space, a sign, then decimal digits.
double jsParseInt(QStringView text)
{
    qsizetype i = 0;
    while (i < text.size() && text[i].isSpace())
        ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == u'+' || text[i] == u'-')) {
        negative = text[i] == u'-';
        ++i;
    }
    QByteArray digits;
    while (i < text.size() && text[i] >= u'0' && text[i] <= u'9')
        digits.append(char(text[i++].unicode()));
    if (digits.isEmpty())
        return std::nan("");
    const double value = std::strtod(digits.constData(), nullptr);
    return negative ? -value : value;
}

// ---- words, roman numerals, letters ------------------------------------------------------

const char *const smallWords[] = {"Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven",
                                  "Eight", "Nine", "Ten", "Eleven", "Twelve", "Thirteen",
                                  "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen",
                                  "Nineteen"};
const char *const ordinalWords[] = {"Zeroth", "First", "Second", "Third", "Fourth", "Fifth",
                                    "Sixth", "Seventh", "Eighth", "Ninth", "Tenth", "Eleventh",
                                    "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth",
                                    "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth"};
const char *const decadeWords[] = {"Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy",
                                   "Eighty", "Ninety", "Hundred"};
const char *const magnitudeWords[] = {"Thousand", "Million", "Billion", "Trillion"};

void appendWords(QString &out, double number, bool afterPrevious, bool ordinal)
{
    if (number <= 19) {
        if (afterPrevious)
            out += u" and "_s;
        const int n = int(number);
        out += QLatin1StringView(ordinal ? ordinalWords[n] : smallWords[n]);
    } else if (number < 100) {
        const int tens = int(number / 10);
        const int remainder = int(number) % 10;
        if (afterPrevious)
            out += u" and "_s;
        out += QLatin1StringView(decadeWords[tens - 2]);
        if (remainder > 0) {
            out += u'-';
            appendWords(out, remainder, false, ordinal);
        } else if (ordinal) {
            out.chop(1);   // Twenty -> Twentieth
            out += u"ieth"_s;
        }
    } else if (number < 1000) {
        const int hundreds = int(number / 100);
        const int remainder = int(number) % 100;
        if (afterPrevious)
            out += u", "_s;
        out += QLatin1StringView(smallWords[hundreds]);
        out += u" Hundred"_s;
        if (remainder > 0)
            appendWords(out, remainder, true, ordinal);
        else if (ordinal)
            out += u"th"_s;
    } else {
        int magnitude = int(std::floor(std::log10(number) / 3));
        magnitude = std::min(magnitude, 4);   // beyond trillions: "thousand trillion" ...
        const double factor = std::pow(10, magnitude * 3);
        const double mantissa = std::floor(number / factor);
        const double remainder = number - mantissa * factor;
        if (afterPrevious)
            out += u", "_s;
        appendWords(out, mantissa, false, false);
        out += u' ';
        out += QLatin1StringView(magnitudeWords[magnitude - 1]);
        if (remainder > 0)
            appendWords(out, remainder, true, ordinal);
        else if (ordinal)
            out += u"th"_s;
    }
}

// Every word the parser knows, lowercase, with its value; in the reference's order.
const std::vector<std::pair<QString, double>> &wordValues()
{
    static const std::vector<std::pair<QString, double>> values = [] {
        std::vector<std::pair<QString, double>> v;
        for (int i = 0; i < 20; ++i)
            v.emplace_back(QString::fromLatin1(smallWords[i]).toLower(), i);
        for (int i = 0; i < 20; ++i)
            v.emplace_back(QString::fromLatin1(ordinalWords[i]).toLower(), i);
        for (int i = 0; i < 9; ++i) {
            const QString word = QString::fromLatin1(decadeWords[i]).toLower();
            v.emplace_back(word, (i + 2) * 10);
            v.emplace_back(word.left(word.size() - 1) + u"ieth"_s, (i + 2) * 10);
        }
        v.emplace_back(u"hundredth"_s, 100);
        for (int i = 0; i < 4; ++i) {
            const QString word = QString::fromLatin1(magnitudeWords[i]).toLower();
            const double value = std::pow(10, (i + 1) * 3);
            v.emplace_back(word, value);
            v.emplace_back(word + u"th"_s, value);
        }
        return v;
    }();
    return values;
}

double wordValue(QStringView word)
{
    for (const auto &[text, value] : wordValues()) {
        if (text == word)
            return value;
    }
    return std::nan("");
}

double wordsToNumber(const QString &text)
{
    // Tokens are separated by ", ", " and ", a space, a backslash or a hyphen.
    std::vector<double> values;
    qsizetype tokenStart = 0;
    const qsizetype n = text.size();
    for (qsizetype i = 0; i <= n;) {
        qsizetype separator = 0;
        if (i < n) {
            if (text[i] == u',' && i + 1 < n && text[i + 1].isSpace())
                separator = 2;
            else if (text[i].isSpace() && QStringView(text).mid(i + 1, 3) == u"and"
                     && i + 4 < n && text[i + 4].isSpace())
                separator = 5;
            else if (text[i].isSpace() || text[i] == u'\\' || text[i] == u'-')
                separator = 1;
        }
        if (i == n || separator > 0) {
            values.push_back(wordValue(QStringView(text).mid(tokenStart, i - tokenStart)));
            if (i == n)
                break;
            i += separator;
            tokenStart = i;
        } else {
            ++i;
        }
    }
    std::vector<double> segments{0};
    for (const double value : values) {
        if (value < 100) {
            double top = segments.back();
            segments.pop_back();
            if (top >= 1000) {
                segments.push_back(top);
                top = 0;
            }
            segments.push_back(top + value);
        } else {
            // NaN (an unknown word) lands here too and poisons the result, as it should.
            segments.back() *= value;
        }
    }
    return std::accumulate(segments.begin(), segments.end(), 0.0);
}

QString toRoman(double value)
{
    static const struct { int value; const char *numeral; } numerals[] = {
        {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
        {40, "xl"}, {10, "x"}, {9, "ix"}, {5, "v"}, {4, "iv"}, {1, "i"}};
    QString out;
    for (const auto &numeral : numerals) {
        while (value >= numeral.value) {
            out += QLatin1StringView(numeral.numeral);
            value -= numeral.value;
        }
    }
    return out;
}

double fromRoman(QStringView roman)
{
    auto digit = [](QChar c) -> double {
        switch (c.unicode()) {
        case u'M': return 1000;
        case u'D': return 500;
        case u'C': return 100;
        case u'L': return 50;
        case u'X': return 10;
        case u'V': return 5;
        case u'I': return 1;
        default: return std::nan("");
        }
    };
    double total = 0;
    double largest = 1;
    for (qsizetype i = roman.size() - 1; i >= 0; --i) {
        const double value = digit(roman[i]);
        if (std::isnan(value))
            return value;
        if (value < largest) {
            total -= value;
        } else {
            largest = value;
            total += value;
        }
    }
    return total;
}

QString toLetters(double value, char16_t a)
{
    QString out;
    while (value > 0) {
        out.prepend(QChar(char16_t(a + int(std::fmod(value - 1, 26)))));
        value = std::floor((value - 1) / 26);
    }
    return out;
}

double fromLetters(QStringView letters, char16_t a)
{
    double total = 0;
    const qsizetype n = letters.size();
    for (qsizetype i = 0; i < n; ++i)
        total += (letters[n - i - 1].unicode() - a + 1) * std::pow(26, double(i));
    return total;
}

// The zero of the decimal digit family of `c`, or 0 when `c` is not a decimal digit.
char32_t digitFamilyZero(char32_t c)
{
    if (QChar::category(c) != QChar::Number_DecimalDigit)
        return 0;
    const int value = QChar::digitValue(c);
    return value < 0 ? 0 : c - char32_t(value);
}

int gcd(int a, int b)
{
    return b == 0 ? a : gcd(b, a % b);
}

// The interval of regularly spaced grouping positions, or 0 when they are irregular.
int regularInterval(const std::vector<int> &positions)
{
    if (positions.empty())
        return 0;
    int factor = positions.front();
    for (size_t i = 1; i < positions.size(); ++i)
        factor = gcd(factor, positions[i]);
    if (factor <= 0)
        return 0;
    for (size_t i = 1; i <= positions.size(); ++i) {
        if (std::find(positions.begin(), positions.end(), int(i) * factor) == positions.end())
            return 0;
    }
    return factor;
}

} // namespace

// ---- integer pictures --------------------------------------------------------------------

IntegerPicture analyseIntegerPicture(QStringView picture, int position)
{
    IntegerPicture format;
    QStringView primary = picture;
    const qsizetype semicolon = picture.lastIndexOf(u';');
    if (semicolon != -1) {
        primary = picture.left(semicolon);
        const QStringView modifier = picture.mid(semicolon + 1);
        format.ordinal = modifier.startsWith(u'o');
    }

    using Primary = IntegerPicture::Primary;
    using Case = IntegerPicture::Case;
    if (primary == u"A" || primary == u"a") {
        format.primary = Primary::Letters;
        format.letterCase = primary == u"A" ? Case::Upper : Case::Lower;
        return format;
    }
    if (primary == u"I" || primary == u"i") {
        format.primary = Primary::Roman;
        format.letterCase = primary == u"I" ? Case::Upper : Case::Lower;
        return format;
    }
    if (primary == u"W" || primary == u"w" || primary == u"Ww") {
        format.primary = Primary::Words;
        format.letterCase = primary == u"W" ? Case::Upper : primary == u"w" ? Case::Lower : Case::Title;
        return format;
    }

    // A decimal digit pattern: scan from the right, counting digits to place separators.
    const QList<uint> codePoints = primary.toUcs4();
    std::vector<IntegerPicture::Separator> separators;
    char32_t zero = 0;
    int digitsSoFar = 0;
    for (auto it = codePoints.crbegin(); it != codePoints.crend(); ++it) {
        const char32_t c = *it;
        if (const char32_t family = digitFamilyZero(c)) {
            if (zero == 0) {
                zero = family;
            } else if (family != zero) {
                throwJsonata("D3131", position,
                             u"In a decimal digit pattern, all digits must be from the same decimal group"_s);
            }
            ++format.mandatoryDigits;
            ++digitsSoFar;
        } else if (c == U'#') {
            ++format.optionalDigits;
            ++digitsSoFar;
        } else {
            separators.push_back({digitsSoFar, QString::fromUcs4(&c, 1)});
        }
    }
    if (format.mandatoryDigits == 0) {
        format.primary = Primary::Sequence;   // an implementation-defined numbering
        format.token = primary.toString();
        return format;
    }
    format.zeroCode = zero;
    bool sameCharacter = true;
    std::vector<int> positions;
    for (const auto &separator : separators) {
        sameCharacter = sameCharacter && separator.character == separators.front().character;
        positions.push_back(separator.position);
    }
    const int interval = sameCharacter ? regularInterval(positions) : 0;
    if (interval > 0) {
        format.regularInterval = interval;
        format.regularSeparator = separators.front().character;
    } else {
        format.separators = std::move(separators);
    }
    return format;
}

QString formatInteger(double value, const IntegerPicture &picture, int position)
{
    using Primary = IntegerPicture::Primary;
    using Case = IntegerPicture::Case;
    const bool negative = value < 0;
    value = std::fabs(value);
    QString out;
    switch (picture.primary) {
    case Primary::Letters:
        if (!std::isfinite(value))
            throwJsonata("D1001", position, u"Number out of range: %1"_s.arg(jsNumberText(value)), value);
        out = toLetters(value, picture.letterCase == Case::Upper ? u'A' : u'a');
        break;
    case Primary::Roman:
        if (!(value < 1e7)) {   // the reference runs out of stack long before
            throwJsonata("D1001", position, u"Number out of range: %1"_s.arg(jsNumberText(value)), value);
        }
        out = toRoman(value);
        if (picture.letterCase == Case::Upper)
            out = out.toUpper();
        break;
    case Primary::Words:
        if (!std::isfinite(value))
            throwJsonata("D1001", position, u"Number out of range: %1"_s.arg(jsNumberText(value)), value);
        appendWords(out, value, false, picture.ordinal);
        if (picture.letterCase == Case::Upper)
            out = out.toUpper();
        else if (picture.letterCase == Case::Lower)
            out = out.toLower();
        break;
    case Primary::Decimal: {
        out = value < 9007199254740992.0 ? QString::number(qint64(value)) : jsNumberText(value);
        if (out.size() < picture.mandatoryDigits)
            out.prepend(QString(picture.mandatoryDigits - out.size(), u'0'));
        if (picture.zeroCode != U'0') {
            QString mapped;
            for (const QChar c : std::as_const(out)) {
                const char32_t shifted = c.unicode() + picture.zeroCode - U'0';
                mapped += QString::fromUcs4(&shifted, 1);
            }
            out = mapped;
        }
        if (picture.regularInterval > 0) {
            const qsizetype digits = out.size();
            for (qsizetype at = digits - picture.regularInterval; at > 0; at -= picture.regularInterval)
                out.insert(at, picture.regularSeparator);
        } else {
            // Leftmost first: positions count from the right, which insertions to the
            // left do not disturb.
            const qsizetype digits = out.size();
            for (auto it = picture.separators.crbegin(); it != picture.separators.crend(); ++it) {
                if (it->position > 0 && it->position < digits)
                    out.insert(out.size() - it->position, it->character);
            }
        }
        if (picture.ordinal) {
            const QChar last = out.isEmpty() ? QChar() : out.back();
            const bool teen = out.size() > 1 && out[out.size() - 2] == u'1';
            if (!teen && last == u'1')
                out += u"st"_s;
            else if (!teen && last == u'2')
                out += u"nd"_s;
            else if (!teen && last == u'3')
                out += u"rd"_s;
            else
                out += u"th"_s;
        }
        break;
    }
    case Primary::Sequence:
        throwJsonata("D3130", position,
                     u"Formatting or parsing an integer as a sequence starting with \"%1\" is not supported by this implementation"_s
                         .arg(picture.token));
    }
    if (negative)
        out.prepend(u'-');
    return out;
}

double parseInteger(QStringView text, const IntegerPicture &picture, int position)
{
    using Primary = IntegerPicture::Primary;
    using Case = IntegerPicture::Case;
    switch (picture.primary) {
    case Primary::Letters:
        return fromLetters(text, picture.letterCase == Case::Upper ? u'A' : u'a');
    case Primary::Roman:
        return fromRoman(picture.letterCase == Case::Upper ? text.toString() : text.toString().toUpper());
    case Primary::Words:
        return wordsToNumber(text.toString().toLower());
    case Primary::Decimal: {
        QString digits = text.toString();
        if (picture.ordinal)
            digits.chop(2);
        if (picture.regularInterval > 0) {
            digits.remove(picture.regularSeparator);
        } else {
            for (const auto &separator : picture.separators)
                digits.remove(separator.character);
        }
        if (picture.zeroCode != U'0') {
            QString shifted;
            for (const char32_t c : digits.toUcs4()) {
                const char32_t ascii = c - picture.zeroCode + U'0';
                shifted += QString::fromUcs4(&ascii, 1);
            }
            digits = shifted;
        }
        return jsParseInt(digits);
    }
    case Primary::Sequence:
        break;
    }
    throwJsonata("D3130", position,
                 u"Formatting or parsing an integer as a sequence starting with \"%1\" is not supported by this implementation"_s
                     .arg(picture.token));
}

QString integerPattern(const IntegerPicture &picture, int position)
{
    using Primary = IntegerPicture::Primary;
    const bool upper = picture.letterCase == IntegerPicture::Case::Upper;
    switch (picture.primary) {
    case Primary::Letters:
        return upper ? u"[A-Z]+"_s : u"[a-z]+"_s;
    case Primary::Roman:
        return upper ? u"[MDCLXVI]+"_s : u"[mdclxvi]+"_s;
    case Primary::Words: {
        QString pattern = u"(?:"_s;
        for (const auto &[word, value] : wordValues()) {
            pattern += word;
            pattern += u'|';
        }
        pattern += u"and|[\\-, ])+"_s;
        return pattern;
    }
    case Primary::Decimal: {
        QString pattern = u"[0-9]"_s;
        pattern += picture.parseWidth > 0 ? u"{%1}"_s.arg(picture.parseWidth) : u"+"_s;
        if (picture.ordinal)
            pattern += u"(?:th|st|nd|rd)"_s;
        return pattern;
    }
    case Primary::Sequence:
        break;
    }
    throwJsonata("D3130", position,
                 u"Formatting or parsing an integer as a sequence starting with \"%1\" is not supported by this implementation"_s
                     .arg(picture.token));
}

// ---- rounding and radix ------------------------------------------------------------------

namespace {

// Shifts the decimal point of `value` by `places` on its shortest decimal text, which
// is exact where multiplying by a power of ten is not.
double shiftDecimal(double value, int places)
{
    QByteArray text = Data::formatNumber(value);
    const qsizetype e = text.indexOf('e');
    int exponent = places;
    if (e != -1) {
        exponent += std::atoi(text.constData() + e + 1);
        text.truncate(e);
    }
    text += 'e';
    text += QByteArray::number(exponent);
    return std::strtod(text.constData(), nullptr);
}

double jsMathRound(double x)
{
    if (!std::isfinite(x))
        return x;
    const double floor = std::floor(x);
    return x - floor >= 0.5 ? floor + 1 : floor;
}

} // namespace

double roundHalfEven(double value, int precision)
{
    if (!std::isfinite(value))
        return value;
    const double shifted = precision != 0 ? shiftDecimal(value, precision) : value;
    double result = jsMathRound(shifted);
    if (std::fabs(result - shifted) == 0.5 && std::fabs(std::fmod(result, 2)) == 1)
        result -= 1;   // a tie went up to an odd number: take the even neighbour
    if (precision != 0)
        result = shiftDecimal(result, -precision);
    return result == 0 ? 0.0 : result;   // no -0 in JSON
}

QString formatRadix(double value, int radix)
{
    if (radix == 10 || !std::isfinite(value))
        return jsNumberText(value);
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    const bool negative = value < 0;
    double magnitude = std::fabs(value);
    QString out;
    if (magnitude < 9.2e18) {
        auto n = quint64(magnitude);
        do {
            out.prepend(QLatin1Char(digits[n % quint64(radix)]));
            n /= quint64(radix);
        } while (n > 0);
    } else {
        while (magnitude >= 1) {
            const double digit = std::fmod(magnitude, radix);
            out.prepend(QLatin1Char(digits[int(digit)]));
            magnitude = std::floor((magnitude - digit) / radix);
        }
    }
    if (negative)
        out.prepend(u'-');
    return out;
}

// ---- fn:format-number --------------------------------------------------------------------

namespace {

struct DecimalFormat
{
    QString decimal = u"."_s;
    QString grouping = u","_s;
    QString exponent = u"e"_s;
    QString minus = u"-"_s;
    QString percent = u"%"_s;
    QString perMille = QString(QChar(0x2030));
    QString zeroDigit = u"0"_s;
    QString digit = u"#"_s;
    QString patternSeparator = u";"_s;
    char16_t zero = u'0';

    bool isFamilyDigit(QChar c) const { return c.unicode() >= zero && c.unicode() < zero + 10; }
    bool isDigitSign(QChar c) const { return isFamilyDigit(c) || digit == c; }
    bool isActive(QChar c) const
    {
        return isFamilyDigit(c) || decimal == c || exponent == c || grouping == c || digit == c
               || patternSeparator == c;
    }
};

struct SubPicture
{
    QString picture;
    QString prefix;
    QString suffix;
    QString activePart;
    QString mantissa;
    QString integerPart;
    QString fractionalPart;
    bool hasExponent = false;
    QString exponentPart;

    // analysis
    std::vector<int> integerGroupings;
    int regularGrouping = 0;
    std::vector<int> fractionalGroupings;
    int minimumIntegerSize = 0;
    int scalingFactor = 0;
    int minimumFractionalSize = 0;
    int maximumFractionalSize = 0;
    int minimumExponentSize = 0;
};

SubPicture splitSubPicture(const QString &picture, const DecimalFormat &format)
{
    SubPicture parts;
    parts.picture = picture;
    const qsizetype n = picture.size();
    qsizetype first = -1;
    qsizetype last = -1;
    for (qsizetype i = 0; i < n; ++i) {
        if (format.isActive(picture[i]) && format.exponent != picture[i]) {
            if (first == -1)
                first = i;
            last = i;
        }
    }
    if (first != -1) {
        parts.prefix = picture.left(first);
        parts.suffix = picture.mid(last + 1);
    }
    parts.activePart = picture.mid(parts.prefix.size(), n - parts.prefix.size() - parts.suffix.size());
    // Like the reference, an exponent separator right after the active part still counts
    // (leaving an empty exponent, which validation refuses).
    const qsizetype exponentAt = format.exponent.isEmpty() ? -1 : picture.indexOf(format.exponent, parts.prefix.size());
    if (exponentAt == -1 || exponentAt > n - parts.suffix.size()) {
        parts.mantissa = parts.activePart;
    } else {
        const qsizetype inActive = exponentAt - parts.prefix.size();
        parts.mantissa = parts.activePart.left(inActive);
        parts.hasExponent = true;
        parts.exponentPart = parts.activePart.mid(inActive + format.exponent.size());
    }
    const qsizetype decimalAt = parts.mantissa.indexOf(format.decimal);
    if (decimalAt == -1) {
        parts.integerPart = parts.mantissa;
    } else {
        parts.integerPart = parts.mantissa.left(decimalAt);
        parts.fractionalPart = parts.mantissa.mid(decimalAt + format.decimal.size());
    }
    return parts;
}

// F&O 4.7.3; like the reference, the last rule broken decides the error code.
void validate(const SubPicture &parts, const DecimalFormat &format, int position)
{
    const QString &picture = parts.picture;
    const char *error = nullptr;
    const QString *errorText = nullptr;
    static const QString messages[] = {
        u"The sub-picture must not contain more than one instance of the 'decimal-separator' character"_s,
        u"The sub-picture must not contain more than one instance of the 'percent' character"_s,
        u"The sub-picture must not contain more than one instance of the 'per-mille' character"_s,
        u"The sub-picture must not contain both a 'percent' and a 'per-mille' character"_s,
        u"The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'"_s,
        u"The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character"_s,
        u"The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character"_s,
        u"The sub-picture must not contain a 'grouping-separator' at the end of the integer part"_s,
        u"The sub-picture must not contain two adjacent instances of the 'grouping-separator' character"_s,
        u"The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'"_s,
        u"The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'"_s,
        u"A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'"_s,
        u"The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'"_s,
    };
    auto fail = [&](const char *code, int index) {
        error = code;
        errorText = &messages[index];
    };
    auto moreThanOnce = [&picture](const QString &s) {
        return !s.isEmpty() && picture.indexOf(s) != picture.lastIndexOf(s);
    };
    const bool hasPercent = !format.percent.isEmpty() && picture.contains(format.percent);
    const bool hasPerMille = !format.perMille.isEmpty() && picture.contains(format.perMille);

    if (moreThanOnce(format.decimal))
        fail("D3081", 0);
    if (moreThanOnce(format.percent))
        fail("D3082", 1);
    if (moreThanOnce(format.perMille))
        fail("D3083", 2);
    if (hasPercent && hasPerMille)
        fail("D3084", 3);
    if (std::none_of(parts.mantissa.begin(), parts.mantissa.end(),
                     [&](QChar c) { return format.isDigitSign(c); }))
        fail("D3085", 4);
    if (std::any_of(parts.activePart.begin(), parts.activePart.end(),
                    [&](QChar c) { return !format.isActive(c); }))
        fail("D3086", 5);
    const qsizetype decimalAt = picture.indexOf(format.decimal);
    if (decimalAt != -1) {
        const QStringView before = QStringView(picture).left(decimalAt);
        const QStringView after = QStringView(picture).mid(decimalAt + format.decimal.size());
        if (before.endsWith(format.grouping) || after.startsWith(format.grouping))
            fail("D3087", 6);
    } else if (parts.integerPart.endsWith(format.grouping)) {
        fail("D3088", 7);
    }
    if (picture.contains(format.grouping + format.grouping))
        fail("D3089", 8);
    const qsizetype optionalAt = parts.integerPart.indexOf(format.digit);
    if (optionalAt != -1
        && std::any_of(parts.integerPart.begin(), parts.integerPart.begin() + optionalAt,
                       [&](QChar c) { return format.isFamilyDigit(c); }))
        fail("D3090", 9);
    const qsizetype lastOptional = parts.fractionalPart.lastIndexOf(format.digit);
    if (lastOptional != -1
        && std::any_of(parts.fractionalPart.begin() + lastOptional, parts.fractionalPart.end(),
                       [&](QChar c) { return format.isFamilyDigit(c); }))
        fail("D3091", 10);
    if (parts.hasExponent && !parts.exponentPart.isEmpty() && (hasPercent || hasPerMille))
        fail("D3092", 11);
    if (parts.hasExponent
        && (parts.exponentPart.isEmpty()
            || std::any_of(parts.exponentPart.begin(), parts.exponentPart.end(),
                           [&](QChar c) { return !format.isFamilyDigit(c); })))
        fail("D3093", 12);
    if (error)
        throwJsonata(error, position, *errorText);
}

// Digits (mandatory or optional) between each grouping separator and the decimal point.
std::vector<int> groupingPositions(const QString &part, bool fractional, const DecimalFormat &format)
{
    std::vector<int> positions;
    if (format.grouping.isEmpty())
        return positions;
    for (qsizetype at = part.indexOf(format.grouping); at != -1;
         at = part.indexOf(format.grouping, at + 1)) {
        const QStringView side = fractional ? QStringView(part).left(at) : QStringView(part).mid(at);
        positions.push_back(int(std::count_if(side.begin(), side.end(),
                                              [&](QChar c) { return format.isDigitSign(c); })));
    }
    return positions;
}

// F&O 4.7.4
void analyse(SubPicture &parts, const DecimalFormat &format)
{
    auto countFamily = [&](const QString &s) {
        return int(std::count_if(s.begin(), s.end(), [&](QChar c) { return format.isFamilyDigit(c); }));
    };
    parts.integerGroupings = groupingPositions(parts.integerPart, false, format);
    parts.regularGrouping = regularInterval(parts.integerGroupings);
    parts.fractionalGroupings = groupingPositions(parts.fractionalPart, true, format);
    parts.minimumIntegerSize = countFamily(parts.integerPart);
    parts.scalingFactor = parts.minimumIntegerSize;
    parts.minimumFractionalSize = countFamily(parts.fractionalPart);
    parts.maximumFractionalSize = int(std::count_if(parts.fractionalPart.begin(), parts.fractionalPart.end(),
                                                    [&](QChar c) { return format.isDigitSign(c); }));
    if (parts.minimumIntegerSize == 0 && parts.maximumFractionalSize == 0) {
        if (parts.hasExponent) {
            parts.minimumFractionalSize = 1;
            parts.maximumFractionalSize = 1;
        } else {
            parts.minimumIntegerSize = 1;
        }
    }
    if (parts.hasExponent && parts.minimumIntegerSize == 0 && parts.integerPart.contains(format.digit))
        parts.minimumIntegerSize = 1;
    if (parts.minimumIntegerSize == 0 && parts.minimumFractionalSize == 0)
        parts.minimumFractionalSize = 1;
    parts.minimumExponentSize = parts.hasExponent ? countFamily(parts.exponentPart) : 0;
}

// |value| with `places` decimals, in the digit family of the format.
QString fixedText(double value, int places, const DecimalFormat &format)
{
    char buffer[512];   // up to 309 integer digits, a point and 100 decimals
    std::snprintf(buffer, sizeof buffer, "%.*f", std::clamp(places, 0, 100), std::fabs(value));
    QString text = QString::fromLatin1(buffer);
    if (format.zero != u'0') {
        for (QChar &c : text) {
            if (c >= u'0' && c <= u'9')
                c = QChar(char16_t(format.zero + (c.unicode() - u'0')));
        }
    }
    return text;
}

} // namespace

QString formatDecimal(double value, QStringView picture, const Value &options, int position)
{
    DecimalFormat format;
    if (options.isObject()) {
        for (const auto &[key, option] : options.toObject()) {
            const QString text = option.isString() ? option.toString() : jsonLiteral(option);
            if (key == u"decimal-separator")
                format.decimal = text;
            else if (key == u"grouping-separator")
                format.grouping = text;
            else if (key == u"exponent-separator")
                format.exponent = text;
            else if (key == u"minus-sign")
                format.minus = text;
            else if (key == u"percent")
                format.percent = text;
            else if (key == u"per-mille")
                format.perMille = text;
            else if (key == u"zero-digit")
                format.zeroDigit = text;
            else if (key == u"digit")
                format.digit = text;
            else if (key == u"pattern-separator")
                format.patternSeparator = text;
        }
    }
    format.zero = format.zeroDigit.isEmpty() ? u'0' : format.zeroDigit.front().unicode();
    const QChar zeroChar(format.zero);

    const QString pictureText = picture.toString();
    const QStringList subPictures = format.patternSeparator.isEmpty()
                                        ? QStringList{pictureText}
                                        : pictureText.split(format.patternSeparator);
    if (subPictures.size() > 2)
        throwJsonata("D3080", position, u"The picture string must only contain a maximum of two sub-pictures"_s);
    std::vector<SubPicture> parts;
    for (const QString &subPicture : subPictures)
        parts.push_back(splitSubPicture(subPicture, format));
    for (const SubPicture &part : parts)
        validate(part, format, position);
    for (SubPicture &part : parts)
        analyse(part, format);
    if (parts.size() == 1) {
        parts.push_back(parts.front());
        parts.back().prefix.prepend(format.minus);
    }

    const SubPicture &pic = value >= 0 ? parts[0] : parts[1];
    double adjusted = value;
    if (!format.percent.isEmpty() && pic.picture.contains(format.percent))
        adjusted = value * 100;
    else if (!format.perMille.isEmpty() && pic.picture.contains(format.perMille))
        adjusted = value * 1000;

    double mantissa = adjusted;
    int exponent = 0;
    if (pic.minimumExponentSize > 0 && mantissa != 0 && std::isfinite(mantissa)) {
        const double maxMantissa = std::pow(10, pic.scalingFactor);
        const double minMantissa = std::pow(10, pic.scalingFactor - 1);
        while (std::fabs(mantissa) < minMantissa) {
            mantissa *= 10;
            --exponent;
        }
        while (std::fabs(mantissa) > maxMantissa) {
            mantissa /= 10;
            ++exponent;
        }
    }

    const double rounded = roundHalfEven(mantissa, pic.maximumFractionalSize);
    QString text = fixedText(rounded, pic.maximumFractionalSize, format);
    const qsizetype point = text.indexOf(u'.');
    if (point == -1)
        text += format.decimal;
    else
        text.replace(point, 1, format.decimal);
    qsizetype strip = 0;
    while (strip < text.size() && text[strip] == zeroChar)
        ++strip;
    text.remove(0, strip);
    strip = 0;
    while (strip < text.size() && text[text.size() - 1 - strip] == zeroChar)
        ++strip;
    text.chop(strip);

    qsizetype decimalAt = text.indexOf(format.decimal);
    const qsizetype padLeft = pic.minimumIntegerSize - decimalAt;
    const qsizetype padRight = pic.minimumFractionalSize - (text.size() - decimalAt - format.decimal.size());
    if (padLeft > 0)
        text.prepend(QString(padLeft, zeroChar));
    if (padRight > 0)
        text.append(QString(padRight, zeroChar));

    decimalAt = text.indexOf(format.decimal);
    if (pic.regularGrouping > 0) {
        for (qsizetype at = decimalAt - pic.regularGrouping; at > 0; at -= pic.regularGrouping)
            text.insert(at, format.grouping);
    } else {
        for (const int groupingAt : pic.integerGroupings) {
            const qsizetype at = decimalAt - groupingAt;
            if (at > 0) {
                text.insert(at, format.grouping);
                decimalAt += format.grouping.size();
            }
        }
    }
    decimalAt = text.indexOf(format.decimal);
    std::vector<int> fractional = pic.fractionalGroupings;
    std::sort(fractional.rbegin(), fractional.rend());
    for (const int groupingAt : fractional) {
        const qsizetype at = decimalAt + format.decimal.size() + groupingAt;
        if (groupingAt > 0 && at < text.size())
            text.insert(at, format.grouping);
    }

    decimalAt = text.indexOf(format.decimal);
    if (!pic.picture.contains(format.decimal) || decimalAt == text.size() - format.decimal.size())
        text.remove(decimalAt, format.decimal.size());

    if (pic.minimumExponentSize > 0) {
        QString exponentText = fixedText(exponent, 0, format);
        if (exponentText.size() < pic.minimumExponentSize)
            exponentText.prepend(QString(pic.minimumExponentSize - exponentText.size(), zeroChar));
        text += format.exponent;
        if (exponent < 0)
            text += format.minus;
        text += exponentText;
    }
    return pic.prefix + text + pic.suffix;
}

} // namespace Conflux::Mapping::Internal::NumberFormat
