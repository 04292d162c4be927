// The table of JSONata built-in functions, the helpers the library files share, and the
// small functions that fit no other group. Semantics follow the reference implementation
// (jsonata-js 2.x) and docs.jsonata.org; see jsonatafunctions_*.cpp for the rest.

#include "mapping/jsonatadatetime_p.h"
#include "mapping/jsonatafunctionlib_p.h"

#include "data/numbers.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal {

using Data::Array;
using Data::Object;
using Data::Value;

// ---- shared helpers --------------------------------------------------------------------

void throwJsonata(const char *code, int position, const QString &message, const Value &value)
{
    throw JsonataException(QString::fromLatin1(code), position, message, {}, value);
}

Value makeSequence(Array items)
{
    Value result(std::move(items));
    result.addFlag(Value::Sequence);
    return result;
}

bool jsTruthy(const Value &value)
{
    switch (value.type()) {
    case Value::Type::Undefined:
    case Value::Type::Null:
        return false;
    case Value::Type::Bool:
        return value.toBool();
    case Value::Type::Number: {
        const double d = value.toDouble();
        return d != 0 && !std::isnan(d);
    }
    case Value::Type::String:
        return !value.toString().isEmpty();
    case Value::Type::Array:
    case Value::Type::Object:
    case Value::Type::Function:
        return true;
    }
    return false;
}

bool jsonataBoolean(const Value &value)
{
    switch (value.type()) {
    case Value::Type::Undefined:
    case Value::Type::Null:
    case Value::Type::Function:
        return false;
    case Value::Type::Bool:
        return value.toBool();
    case Value::Type::Number:
        return value.toDouble() != 0 && !std::isnan(value.toDouble());
    case Value::Type::String:
        return !value.toString().isEmpty();
    case Value::Type::Object:
        return value.size() > 0;
    case Value::Type::Array: {
        const Array &items = value.toArray();
        if (items.size() == 1)
            return jsonataBoolean(items.front());
        for (const Value &item : items) {
            if (jsonataBoolean(item))
                return true;
        }
        return false;
    }
    }
    return false;
}

qsizetype codePointCount(QStringView text)
{
    qsizetype count = 0;
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i, ++count) {
        if (text[i].isHighSurrogate() && i + 1 < n && text[i + 1].isLowSurrogate())
            ++i;
    }
    return count;
}

QString jsSubstring(const QString &text, double start, double end)
{
    const double length = double(text.size());
    auto clamp = [length](double x) {
        if (std::isnan(x))
            return 0.0;
        return std::min(std::max(std::trunc(x), 0.0), length);
    };
    double from = clamp(start);
    double to = clamp(end);
    if (from > to)
        std::swap(from, to);
    return text.mid(qsizetype(from), qsizetype(to - from));
}

// ---- $string and JSON text ---------------------------------------------------------------

namespace {

void appendQuoted(QString &out, QStringView text)
{
    static const char hex[] = "0123456789abcdef";
    out += u'"';
    const qsizetype n = text.size();
    qsizetype plainFrom = 0;
    auto flush = [&](qsizetype upTo) {
        if (upTo > plainFrom)
            out += text.mid(plainFrom, upTo - plainFrom);
    };
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = text[i].unicode();
        const char *escape = nullptr;
        switch (c) {
        case u'"': escape = "\\\""; break;
        case u'\\': escape = "\\\\"; break;
        case u'\b': escape = "\\b"; break;
        case u'\f': escape = "\\f"; break;
        case u'\n': escape = "\\n"; break;
        case u'\r': escape = "\\r"; break;
        case u'\t': escape = "\\t"; break;
        default: break;
        }
        bool unicodeEscape = c < 0x20;
        if (QChar::isHighSurrogate(c)) {
            if (i + 1 < n && text[i + 1].isLowSurrogate()) {
                ++i;   // a well-formed pair stays as it is
                continue;
            }
            unicodeEscape = true;
        } else if (QChar::isLowSurrogate(c)) {
            unicodeEscape = true;   // lone low surrogate
        }
        if (!escape && !unicodeEscape)
            continue;
        flush(i);
        plainFrom = i + 1;
        if (escape) {
            out += QLatin1StringView(escape);
        } else {
            out += u"\\u"_s;
            out += QLatin1Char(hex[(c >> 12) & 0xf]);
            out += QLatin1Char(hex[(c >> 8) & 0xf]);
            out += QLatin1Char(hex[(c >> 4) & 0xf]);
            out += QLatin1Char(hex[c & 0xf]);
        }
    }
    flush(n);
    out += u'"';
}

int significantDigits(const QByteArray &text)
{
    int digits = 0;
    bool leading = true;
    for (const char c : text) {
        if (c == 'e')
            break;
        if (c < '0' || c > '9' || (leading && c == '0'))
            continue;
        leading = false;
        ++digits;
    }
    return digits;
}

// A number as the reference writes it inside JSON: fractions with 15 significant digits,
// hiding binary noise such as 0.1 + 0.2 = 0.30000000000000004.
QByteArray fractionText(double d)
{
    QByteArray text = Data::formatNumber(d);
    if (d != std::trunc(d) && significantDigits(text) > 15)
        text = Data::formatNumber(Data::roundToPrecision(d, 15));
    return text;
}

void appendNumber(QString &out, const Value &value, int position)
{
    if (value.hasExactText()) {
        out += value.exactText();
        return;
    }
    double d = value.toDouble();
    if (std::isnan(d)) {
        out += u"null"_s;
        return;
    }
    if (std::isinf(d))
        throwJsonata("D1001", position, u"Number out of range: %1"_s.arg(Data::formatNumberString(d)), value);
    out += QLatin1StringView(fractionText(d));
}

void appendIndent(QString &out, int indent)
{
    out += u'\n';
    out += QString(indent, u' ');
}

void serialize(QString &out, const Value &value, bool pretty, int indent, int position)
{
    switch (value.type()) {
    case Value::Type::Undefined:
    case Value::Type::Null:
        out += u"null"_s;
        return;
    case Value::Type::Bool:
        out += value.toBool() ? u"true"_s : u"false"_s;
        return;
    case Value::Type::Number:
        appendNumber(out, value, position);
        return;
    case Value::Type::String:
        appendQuoted(out, value.toString());
        return;
    case Value::Type::Function:
        out += u"\"\""_s;
        return;
    case Value::Type::Array: {
        const Array &items = value.toArray();
        if (items.empty()) {
            out += u"[]"_s;
            return;
        }
        out += u'[';
        bool first = true;
        for (const Value &item : items) {
            if (!first)
                out += u',';
            first = false;
            if (pretty)
                appendIndent(out, indent + 2);
            serialize(out, item, pretty, indent + 2, position);
        }
        if (pretty)
            appendIndent(out, indent);
        out += u']';
        return;
    }
    case Value::Type::Object: {
        out += u'{';
        bool first = true;
        for (const auto &[key, member] : value.toObject()) {
            if (member.isUndefined())
                continue;
            if (!first)
                out += u',';
            first = false;
            if (pretty)
                appendIndent(out, indent + 2);
            appendQuoted(out, key);
            out += pretty ? u": "_s : u":"_s;
            serialize(out, member, pretty, indent + 2, position);
        }
        if (!first && pretty)
            appendIndent(out, indent);
        out += u'}';
        return;
    }
    }
}

} // namespace

QString stringifyValue(const Value &value, bool prettify, int position)
{
    switch (value.type()) {
    case Value::Type::Undefined:
        return {};
    case Value::Type::String:
        return value.toString();
    case Value::Type::Function:
        return {};
    case Value::Type::Number:
        if (!value.hasExactText() && !std::isfinite(value.toDouble())) {
            throwJsonata("D3001", position,
                         u"Attempting to invoke string function on Infinity or NaN"_s, value);
        }
        break;
    case Value::Type::Array:
        // The implicit wrapper around an array input stands for the array itself.
        if (value.hasFlag(Value::OuterWrapper) && value.size() == 1)
            return stringifyValue(value.at(0), prettify, position);
        break;
    default:
        break;
    }
    QString out;
    serialize(out, value, prettify, 0, position);
    return out;
}

QString jsonataString(const Value &value, bool prettify)
{
    return stringifyValue(value, prettify, -1);
}

QString jsonLiteral(const Value &value)
{
    if (value.isUndefined())
        return u"undefined"_s;
    QString out;
    try {
        serialize(out, value, false, 0, -1);
    } catch (const JsonataException &) {
        out = Data::formatNumberString(value.toDouble());
    }
    return out;
}

// ---- small functions -------------------------------------------------------------------

Value fnBoolean(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    return jsonataBoolean(arg);
}

Value fnNot(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    return !jsonataBoolean(arg);
}

Value fnExists(CallContext &, std::vector<Value> &args)
{
    return !argAt(args, 0).isUndefined();
}

Value fnType(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    switch (arg.type()) {
    case Value::Type::Undefined: return {};
    case Value::Type::Null: return QStringLiteral("null");
    case Value::Type::Bool: return QStringLiteral("boolean");
    case Value::Type::Number: return QStringLiteral("number");
    case Value::Type::String: return QStringLiteral("string");
    case Value::Type::Array: return QStringLiteral("array");
    case Value::Type::Object: return QStringLiteral("object");
    case Value::Type::Function: return QStringLiteral("function");
    }
    return {};
}

Value fnError(CallContext &context, std::vector<Value> &args)
{
    const QString &message = argAt(args, 0).toString();
    throwJsonata("D3137", context.position(),
                 message.isEmpty() ? u"$error() function evaluated"_s : message);
}

Value fnAssert(CallContext &context, std::vector<Value> &args)
{
    if (!argAt(args, 0).toBool()) {
        const QString &message = argAt(args, 1).toString();
        throwJsonata("D3141", context.position(),
                     message.isEmpty() ? u"$assert() statement failed"_s : message);
    }
    return {};
}

namespace {

// What JSON.parse(JSON.stringify(value)) gives, sharing every part that does not change.
Value cloneValue(const Value &value, int position)
{
    switch (value.type()) {
    case Value::Type::Number: {
        if (value.hasExactText())
            return value;
        const double d = value.toDouble();
        if (std::isnan(d))
            return nullptr;
        if (std::isinf(d))
            throwJsonata("D1001", position, u"Number out of range: %1"_s.arg(Data::formatNumberString(d)), value);
        if (d != std::trunc(d) && significantDigits(Data::formatNumber(d)) > 15)
            return Data::roundToPrecision(d, 15);
        return value;
    }
    case Value::Type::Function:
        return QString();
    case Value::Type::Array: {
        const Array &items = value.toArray();
        Array copy;
        bool changed = false;
        for (size_t i = 0; i < items.size(); ++i) {
            Value item = items[i].isUndefined() ? Value(nullptr) : cloneValue(items[i], position);
            if (!changed && (item.type() != items[i].type() || item != items[i])) {
                changed = true;
                copy.reserve(items.size());
                copy.assign(items.begin(), items.begin() + qsizetype(i));
            }
            if (changed)
                copy.push_back(std::move(item));
        }
        return changed ? Value(std::move(copy)) : value;
    }
    case Value::Type::Object: {
        const Object &members = value.toObject();
        bool changed = false;
        Object copy;
        for (qsizetype i = 0; i < members.size(); ++i) {
            const auto &[key, member] = members.memberAt(i);
            Value item = member.isUndefined() ? Value() : cloneValue(member, position);
            const bool same = item.type() == member.type() && (item.isUndefined() || item == member);
            if (!changed && !same) {
                changed = true;
                copy.reserve(members.size());
                for (qsizetype j = 0; j < i; ++j) {
                    const auto &[k, v] = members.memberAt(j);
                    if (!v.isUndefined())
                        copy.append(k, v);
                }
            }
            if (changed && !item.isUndefined())
                copy.append(key, std::move(item));
        }
        return changed ? Value(std::move(copy)) : value;
    }
    default:
        return value;
    }
}

} // namespace

Value fnClone(CallContext &context, std::vector<Value> &args)
{
    Value arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    if (arg.isArray() && arg.hasFlag(Value::OuterWrapper) && arg.size() == 1)
        arg = arg.at(0);
    Value result = cloneValue(arg, context.position());
    result.setFlags(Value::NoFlags);
    return result;
}

// ---- date and time ---------------------------------------------------------------------

namespace {

const QString *optionalString(const Value &value)
{
    return value.isString() ? &value.toString() : nullptr;
}

Value textOrUndefined(QString text)
{
    return text.isNull() ? Value() : Value(std::move(text));   // null: not a representable date
}

} // namespace

Value fnNow(CallContext &context, std::vector<Value> &args)
{
    return textOrUndefined(DateTime::formatMillis(double(context.nowMillis()), optionalString(argAt(args, 0)),
                                                  optionalString(argAt(args, 1)), context.position()));
}

Value fnMillis(CallContext &context, std::vector<Value> &)
{
    return double(context.nowMillis());
}

Value fnFromMillis(CallContext &context, std::vector<Value> &args)
{
    const Value &millis = argAt(args, 0);
    if (millis.isUndefined())
        return {};
    return textOrUndefined(DateTime::formatMillis(millis.toDouble(), optionalString(argAt(args, 1)),
                                                  optionalString(argAt(args, 2)), context.position()));
}

Value fnToMillis(CallContext &context, std::vector<Value> &args)
{
    const Value &timestamp = argAt(args, 0);
    if (timestamp.isUndefined())
        return {};
    return DateTime::parseMillis(timestamp.toString(), optionalString(argAt(args, 1)),
                                 context.nowMillis(), context.position());
}

// ---- the table -------------------------------------------------------------------------

const std::vector<NativeFunction> &builtinFunctions()
{
    // Signatures are the reference implementation's; arity is its parameter count.
    static const std::vector<NativeFunction> table = {
        {QLatin1StringView("sum"), QLatin1StringView("<a<n>:n>"), fnSum, 1},
        {QLatin1StringView("count"), QLatin1StringView("<a:n>"), fnCount, 1},
        {QLatin1StringView("max"), QLatin1StringView("<a<n>:n>"), fnMax, 1},
        {QLatin1StringView("min"), QLatin1StringView("<a<n>:n>"), fnMin, 1},
        {QLatin1StringView("average"), QLatin1StringView("<a<n>:n>"), fnAverage, 1},
        {QLatin1StringView("string"), QLatin1StringView("<x-b?:s>"), fnString, 1},
        {QLatin1StringView("substring"), QLatin1StringView("<s-nn?:s>"), fnSubstring, 3},
        {QLatin1StringView("substringBefore"), QLatin1StringView("<s-s:s>"), fnSubstringBefore, 2},
        {QLatin1StringView("substringAfter"), QLatin1StringView("<s-s:s>"), fnSubstringAfter, 2},
        {QLatin1StringView("lowercase"), QLatin1StringView("<s-:s>"), fnLowercase, 1},
        {QLatin1StringView("uppercase"), QLatin1StringView("<s-:s>"), fnUppercase, 1},
        {QLatin1StringView("length"), QLatin1StringView("<s-:n>"), fnLength, 1},
        {QLatin1StringView("trim"), QLatin1StringView("<s-:s>"), fnTrim, 1},
        {QLatin1StringView("pad"), QLatin1StringView("<s-ns?:s>"), fnPad, 3},
        {QLatin1StringView("match"), QLatin1StringView("<s-f<s:o>n?:a<o>>"), fnMatch, 3},
        {QLatin1StringView("contains"), QLatin1StringView("<s-(sf):b>"), fnContains, 2},
        {QLatin1StringView("replace"), QLatin1StringView("<s-(sf)(sf)n?:s>"), fnReplace, 4},
        {QLatin1StringView("split"), QLatin1StringView("<s-(sf)n?:a<s>>"), fnSplit, 3},
        {QLatin1StringView("join"), QLatin1StringView("<a<s>s?:s>"), fnJoin, 2},
        {QLatin1StringView("formatNumber"), QLatin1StringView("<n-so?:s>"), fnFormatNumber, 3},
        {QLatin1StringView("formatBase"), QLatin1StringView("<n-n?:s>"), fnFormatBase, 2},
        {QLatin1StringView("formatInteger"), QLatin1StringView("<n-s:s>"), fnFormatInteger, 2},
        {QLatin1StringView("parseInteger"), QLatin1StringView("<s-s:n>"), fnParseInteger, 2},
        {QLatin1StringView("number"), QLatin1StringView("<(nsb)-:n>"), fnNumber, 1},
        {QLatin1StringView("floor"), QLatin1StringView("<n-:n>"), fnFloor, 1},
        {QLatin1StringView("ceil"), QLatin1StringView("<n-:n>"), fnCeil, 1},
        {QLatin1StringView("round"), QLatin1StringView("<n-n?:n>"), fnRound, 2},
        {QLatin1StringView("abs"), QLatin1StringView("<n-:n>"), fnAbs, 1},
        {QLatin1StringView("sqrt"), QLatin1StringView("<n-:n>"), fnSqrt, 1},
        {QLatin1StringView("power"), QLatin1StringView("<n-n:n>"), fnPower, 2},
        {QLatin1StringView("random"), QLatin1StringView("<:n>"), fnRandom, 0},
        {QLatin1StringView("boolean"), QLatin1StringView("<x-:b>"), fnBoolean, 1},
        {QLatin1StringView("not"), QLatin1StringView("<x-:b>"), fnNot, 1},
        {QLatin1StringView("map"), QLatin1StringView("<af>"), fnMap, 2},
        {QLatin1StringView("zip"), QLatin1StringView("<a+>"), fnZip, 0},
        {QLatin1StringView("filter"), QLatin1StringView("<af>"), fnFilter, 2},
        {QLatin1StringView("single"), QLatin1StringView("<af?>"), fnSingle, 2},
        {QLatin1StringView("reduce"), QLatin1StringView("<afj?:j>"), fnReduce, 3},
        {QLatin1StringView("sift"), QLatin1StringView("<o-f?:o>"), fnSift, 2},
        {QLatin1StringView("keys"), QLatin1StringView("<x-:a<s>>"), fnKeys, 1},
        {QLatin1StringView("lookup"), QLatin1StringView("<x-s:x>"), fnLookup, 2},
        {QLatin1StringView("append"), QLatin1StringView("<xx:a>"), fnAppend, 2},
        {QLatin1StringView("exists"), QLatin1StringView("<x:b>"), fnExists, 1},
        {QLatin1StringView("spread"), QLatin1StringView("<x-:a<o>>"), fnSpread, 1},
        {QLatin1StringView("merge"), QLatin1StringView("<a<o>:o>"), fnMerge, 1},
        {QLatin1StringView("reverse"), QLatin1StringView("<a:a>"), fnReverse, 1},
        {QLatin1StringView("each"), QLatin1StringView("<o-f:a>"), fnEach, 2},
        {QLatin1StringView("error"), QLatin1StringView("<s?:x>"), fnError, 1},
        {QLatin1StringView("assert"), QLatin1StringView("<bs?:x>"), fnAssert, 2},
        {QLatin1StringView("type"), QLatin1StringView("<x:s>"), fnType, 1},
        {QLatin1StringView("sort"), QLatin1StringView("<af?:a>"), fnSort, 2},
        {QLatin1StringView("shuffle"), QLatin1StringView("<a:a>"), fnShuffle, 1},
        {QLatin1StringView("distinct"), QLatin1StringView("<x:x>"), fnDistinct, 1},
        {QLatin1StringView("base64encode"), QLatin1StringView("<s-:s>"), fnBase64Encode, 1},
        {QLatin1StringView("base64decode"), QLatin1StringView("<s-:s>"), fnBase64Decode, 1},
        {QLatin1StringView("encodeUrlComponent"), QLatin1StringView("<s-:s>"), fnEncodeUrlComponent, 1},
        {QLatin1StringView("encodeUrl"), QLatin1StringView("<s-:s>"), fnEncodeUrl, 1},
        {QLatin1StringView("decodeUrlComponent"), QLatin1StringView("<s-:s>"), fnDecodeUrlComponent, 1},
        {QLatin1StringView("decodeUrl"), QLatin1StringView("<s-:s>"), fnDecodeUrl, 1},
        {QLatin1StringView("toMillis"), QLatin1StringView("<s-s?:n>"), fnToMillis, 2},
        {QLatin1StringView("fromMillis"), QLatin1StringView("<n-s?s?:s>"), fnFromMillis, 3},
        {QLatin1StringView("clone"), QLatin1StringView("<(oa)-:o>"), fnClone, 1},
        {QLatin1StringView("now"), QLatin1StringView("<s?s?:s>"), fnNow, 2},
        {QLatin1StringView("millis"), QLatin1StringView("<:n>"), fnMillis, 0},
    };
    return table;
}

} // namespace Conflux::Mapping::Internal
