// Numeric functions of the JSONata library: $number, $abs, $floor, $ceil, $round,
// $power, $sqrt, $random, the aggregates $sum/$max/$min/$average, and the picture
// functions $formatNumber, $formatBase, $formatInteger, $parseInteger.

#include "mapping/jsonatafunctionlib_p.h"
#include "mapping/jsonatanumberformat_p.h"

#include "data/numbers.h"

#include <QRandomGenerator>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal {

using Data::Array;
using Data::Value;

namespace {

bool isDigit(QChar c, int radix)
{
    const char16_t u = c.unicode();
    if (radix <= 10)
        return u >= u'0' && u < u'0' + radix;
    return (u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f') || (u >= u'A' && u <= u'F');
}

// JSON's number syntax, but leading zeros allowed: -?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?
bool isDecimalText(QStringView text)
{
    qsizetype i = 0;
    const qsizetype n = text.size();
    auto digits = [&] {
        const qsizetype from = i;
        while (i < n && isDigit(text[i], 10))
            ++i;
        return i > from;
    };
    if (i < n && text[i] == u'-')
        ++i;
    if (!digits())
        return false;
    if (i < n && text[i] == u'.') {
        ++i;
        if (!digits())
            return false;
    }
    if (i < n && (text[i] == u'e' || text[i] == u'E')) {
        ++i;
        if (i < n && (text[i] == u'+' || text[i] == u'-'))
            ++i;
        if (!digits())
            return false;
    }
    return i == n;
}

// 0x1F, 0o17, 0b101 (either case); NaN when `text` is not one of these.
double prefixedInteger(QStringView text)
{
    if (text.size() < 3 || text[0] != u'0')
        return std::nan("");
    const char16_t kind = text[1].toLower().unicode();
    const int radix = kind == u'x' ? 16 : kind == u'o' ? 8 : kind == u'b' ? 2 : 0;
    if (radix == 0)
        return std::nan("");
    double value = 0;
    for (const QChar c : text.mid(2)) {
        if (!isDigit(c, radix))
            return std::nan("");
        const char16_t u = c.toLower().unicode();
        value = value * radix + (u <= u'9' ? u - u'0' : u - u'a' + 10);
    }
    return value;
}

bool isIntegral(const Value &value)
{
    const double d = value.toDouble();
    return value.hasExactText() || (std::isfinite(d) && d == std::trunc(d));
}

template<typename Fn>
Value aggregate(const Value &arg, Fn &&fn)
{
    if (arg.isUndefined())
        return {};
    if (!arg.isArray())
        return fn(Array{arg});
    return fn(arg.toArray());
}

} // namespace

Value fnNumber(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    switch (arg.type()) {
    case Value::Type::Undefined:
    case Value::Type::Number:
        return arg;
    case Value::Type::Bool:
        return arg.toBool() ? 1 : 0;
    case Value::Type::String: {
        const QString &text = arg.toString();
        if (isDecimalText(text)) {
            Value number = Value::numberFromText(text);   // keeps big integers exact
            if (!number.isUndefined())
                return number;
        } else if (const double value = prefixedInteger(text); !std::isnan(value)) {
            return value;
        }
        break;
    }
    default:
        break;
    }
    throwJsonata("D3030", context.position(),
                 u"Unable to cast value to a number: %1"_s.arg(jsonLiteral(arg)), arg);
}

Value fnAbs(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined() || (arg.toDouble() >= 0 && !std::signbit(arg.toDouble())))
        return arg;
    return std::fabs(arg.toDouble());
}

Value fnFloor(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined() || isIntegral(arg))
        return arg;
    return std::floor(arg.toDouble());
}

Value fnCeil(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined() || isIntegral(arg))
        return arg;
    const double result = std::ceil(arg.toDouble());
    return result == 0 ? 0.0 : result;   // no -0
}

Value fnRound(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const double precision = std::trunc(argAt(args, 1).toDouble());
    if (isIntegral(arg) && precision >= 0)
        return arg;
    return NumberFormat::roundHalfEven(arg.toDouble(), int(std::clamp(precision, -400.0, 400.0)));
}

Value fnPower(CallContext &context, std::vector<Value> &args)
{
    const Value &base = argAt(args, 0);
    if (base.isUndefined())
        return {};
    const Value &exponent = argAt(args, 1);
    const double result = std::pow(base.toDouble(), exponent.toDouble());
    if (!std::isfinite(result)) {
        throwJsonata("D3061", context.position(),
                     u"The power function has resulted in a value that cannot be represented as a JSON number: base=%1, exponent=%2"_s
                         .arg(jsonLiteral(base), jsonLiteral(exponent)),
                     base);
    }
    return result;
}

Value fnSqrt(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    if (arg.toDouble() < 0) {
        throwJsonata("D3060", context.position(),
                     u"The sqrt function cannot be applied to a negative number: %1"_s.arg(jsonLiteral(arg)),
                     arg);
    }
    return std::sqrt(arg.toDouble());
}

Value fnRandom(CallContext &, std::vector<Value> &)
{
    return QRandomGenerator::global()->generateDouble();
}

Value fnSum(CallContext &, std::vector<Value> &args)
{
    return aggregate(argAt(args, 0), [](const Array &items) -> Value {
        double total = 0;
        for (const Value &item : items)
            total += item.toDouble();
        return total;
    });
}

Value fnMax(CallContext &, std::vector<Value> &args)
{
    return aggregate(argAt(args, 0), [](const Array &items) -> Value {
        if (items.empty())
            return {};
        double best = -INFINITY;
        for (const Value &item : items)
            best = std::max(best, item.toDouble());
        return best;
    });
}

Value fnMin(CallContext &, std::vector<Value> &args)
{
    return aggregate(argAt(args, 0), [](const Array &items) -> Value {
        if (items.empty())
            return {};
        double best = INFINITY;
        for (const Value &item : items)
            best = std::min(best, item.toDouble());
        return best;
    });
}

Value fnAverage(CallContext &, std::vector<Value> &args)
{
    return aggregate(argAt(args, 0), [](const Array &items) -> Value {
        if (items.empty())
            return {};
        double total = 0;
        for (const Value &item : items)
            total += item.toDouble();
        return total / double(items.size());
    });
}

Value fnFormatNumber(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    return NumberFormat::formatDecimal(arg.toDouble(), argAt(args, 1).toString(), argAt(args, 2),
                                       context.position());
}

Value fnFormatBase(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const Value &radixArg = argAt(args, 1);
    const double radix = radixArg.isUndefined() ? 10 : NumberFormat::roundHalfEven(radixArg.toDouble(), 0);
    if (!(radix >= 2 && radix <= 36)) {
        throwJsonata("D3100", context.position(),
                     u"The radix of the formatBase function must be between 2 and 36.  It was given %1"_s
                         .arg(jsonLiteral(radix)),
                     radix);
    }
    if (arg.hasExactText() && radix == 10)
        return arg.exactText();
    return NumberFormat::formatRadix(NumberFormat::roundHalfEven(arg.toDouble(), 0), int(radix));
}

Value fnFormatInteger(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const NumberFormat::IntegerPicture picture =
        NumberFormat::analyseIntegerPicture(argAt(args, 1).toString(), context.position());
    return NumberFormat::formatInteger(std::floor(arg.toDouble()), picture, context.position());
}

Value fnParseInteger(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const NumberFormat::IntegerPicture picture =
        NumberFormat::analyseIntegerPicture(argAt(args, 1).toString(), context.position());
    const double value = NumberFormat::parseInteger(arg.toString(), picture, context.position());
    if (std::isnan(value))
        return {};   // nothing readable (the reference returns NaN, which JSON cannot hold)
    return value;
}

} // namespace Conflux::Mapping::Internal
