// String functions of the JSONata library and regexExec(): $string, $length,
// $substring*, case, $trim, $pad, $contains, $match, $replace, $split, $join, base64
// and URL encoding. Lengths and offsets of $length/$substring/$pad count code points;
// match positions are UTF-16 indexes, as in the reference implementation.

#include "mapping/jsonatafunctionlib_p.h"

#include <QByteArray>
#include <QRegularExpressionMatch>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal {

using Data::Array;
using Data::Object;
using Data::Value;

namespace {

bool hasSurrogates(QStringView text)
{
    for (const QChar c : text) {
        if (c.isSurrogate())
            return true;
    }
    return false;
}

// UTF-16 offset of every code point, plus the end.
std::vector<qsizetype> codePointOffsets(QStringView text)
{
    std::vector<qsizetype> offsets;
    offsets.reserve(size_t(text.size()) + 1);
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        offsets.push_back(i);
        if (text[i].isHighSurrogate() && i + 1 < n && text[i + 1].isLowSurrogate())
            ++i;
    }
    offsets.push_back(n);
    return offsets;
}

// Array.prototype.slice() index rules on `length` items.
qsizetype sliceIndex(double index, qsizetype length)
{
    if (std::isnan(index))
        return 0;
    index = std::trunc(index);
    if (index < 0)
        return qsizetype(std::max(double(length) + index, 0.0));
    return qsizetype(std::min(index, double(length)));
}

// Code points [start, end) of `text`, with slice() rules.
QString codePointSlice(const QString &text, double start, double end)
{
    if (!hasSurrogates(text)) {
        const qsizetype from = sliceIndex(start, text.size());
        const qsizetype to = sliceIndex(end, text.size());
        return to > from ? text.mid(from, to - from) : QString();
    }
    const std::vector<qsizetype> offsets = codePointOffsets(text);
    const qsizetype count = qsizetype(offsets.size()) - 1;
    const qsizetype from = sliceIndex(start, count);
    const qsizetype to = sliceIndex(end, count);
    if (to <= from)
        return {};
    return text.mid(offsets[size_t(from)], offsets[size_t(to)] - offsets[size_t(from)]);
}

[[noreturn]] void throwZeroLength(const QString &source, int position)
{
    throwJsonata("D1004", position, u"Regular expression matches zero length string"_s, source);
}

Value execRegex(const QRegularExpression &pattern, const QString &source, const QString &text,
                qsizetype from);

// The `next` member of a match object: the following match, searched from the end of
// this one.
class RegexNext final : public NativeClosure
{
public:
    RegexNext(QRegularExpression pattern, QString source, QString text, qsizetype from)
        : m_pattern(std::move(pattern)), m_source(std::move(source)), m_text(std::move(text)),
          m_from(from) {}

    Value invoke(CallContext &context, std::vector<Value> &) const override
    {
        if (m_from >= m_text.size())
            return {};
        Value next = execRegex(m_pattern, m_source, m_text, m_from);
        if (next.isObject() && next[u"match"].toString().isEmpty())
            throwZeroLength(m_source, context.position());
        return next;
    }

private:
    QRegularExpression m_pattern;
    QString m_source;
    QString m_text;
    qsizetype m_from;
};

Value groupsOf(const QRegularExpressionMatch &match, int groupCount)
{
    Array groups;
    groups.reserve(size_t(groupCount));
    for (int i = 1; i <= groupCount; ++i) {
        if (match.capturedStart(i) < 0)
            groups.emplace_back();   // did not take part (undefined, as in JavaScript)
        else
            groups.emplace_back(match.captured(i));
    }
    return Value(std::move(groups));
}

Value execRegex(const QRegularExpression &pattern, const QString &source, const QString &text,
                qsizetype from)
{
    const QRegularExpressionMatch match = pattern.match(text, from);
    if (!match.hasMatch())
        return {};
    const qsizetype start = match.capturedStart(0);
    const qsizetype end = match.capturedEnd(0);
    Object object;
    object.reserve(5);
    object.append(u"match"_s, match.captured(0));
    object.append(u"start"_s, double(start));
    object.append(u"end"_s, double(end));
    object.append(u"groups"_s, groupsOf(match, pattern.captureCount()));
    object.append(u"next"_s, Value(new RegexNext(pattern, source, text, end)));
    return Value(std::move(object));
}

// Walks the matches of a matcher function over a text: a regular expression directly,
// any other function through the match objects it returns (start/end/groups/next).
class Matcher
{
public:
    Matcher(CallContext &context, const Value &function, const QString &text, QLatin1StringView name)
        : m_context(context), m_function(function), m_regex(asRegex(function)), m_text(text),
          m_name(name) {}

    bool first() { return m_regex ? regexAt(0) : adopt(m_context.call(m_function, {m_text})); }

    bool next()
    {
        if (m_regex) {
            if (m_lastIndex >= m_text.size())
                return false;
            const bool found = regexAt(m_lastIndex);
            if (found && match.toString().isEmpty())
                throwZeroLength(m_regex->source, m_context.position());
            return found;
        }
        const Value next = m_object[u"next"];
        if (!next.isFunction())
            return false;
        return adopt(m_context.call(next, {}));
    }

    // The whole match object, as a replacement function receives it.
    Value object() const
    {
        if (!m_regex)
            return m_object;
        return execRegex(m_regex->pattern, m_regex->source, m_text, qsizetype(start));
    }

    Value match;     // the matched text
    double start = 0;
    double end = 0;
    Value groups;

private:
    bool regexAt(qsizetype from)
    {
        const QRegularExpressionMatch m = m_regex->pattern.match(m_text, from);
        if (!m.hasMatch())
            return false;
        match = m.captured(0);
        start = double(m.capturedStart(0));
        end = double(m.capturedEnd(0));
        groups = groupsOf(m, m_regex->pattern.captureCount());
        m_lastIndex = m.capturedEnd(0);
        return true;
    }

    bool adopt(const Value &result)
    {
        if (result.isUndefined() || result.isNull() || (result.isBool() && !result.toBool()))
            return false;
        const bool valid = result.isObject()
                           && (result[u"start"].isNumber() || result[u"groups"].isArray()
                               || result[u"next"].isFunction());
        if (!valid) {
            throw JsonataException(u"T1010"_s, m_context.position(),
                                   u"The matcher function argument passed to function %1 does not return the correct object structure"_s
                                       .arg(jsonLiteral(QString(m_name))),
                                   m_name);
        }
        m_object = result;
        match = result[u"match"];
        start = result[u"start"].toDouble();
        end = result[u"end"].toDouble();
        groups = result[u"groups"];
        return true;
    }

    CallContext &m_context;
    Value m_function;
    const Regex *m_regex;
    const QString &m_text;
    QLatin1StringView m_name;
    qsizetype m_lastIndex = 0;
    Value m_object;
};

// Expands $0, $1 ... and $$ in a replacement string the way the reference does: as
// many digits as the group count has, one fewer when that names no group.
QString expandReplacement(const QString &replacement, const QString &matched, const Array &groups)
{
    QString out;
    const qsizetype n = replacement.size();
    qsizetype position = 0;
    qsizetype dollar = replacement.indexOf(u'$');
    while (dollar != -1 && position < n) {
        out += QStringView(replacement).mid(position, dollar - position);
        position = dollar + 1;
        const QChar next = position < n ? replacement[position] : QChar();
        if (next == u'$') {
            out += u'$';
            ++position;
        } else if (next == u'0') {
            out += matched;
            ++position;
        } else {
            const qsizetype groupCount = qsizetype(groups.size());
            const int maxDigits = groupCount == 0 ? 1 : int(std::floor(std::log10(double(groupCount)))) + 1;
            auto readIndex = [&](int digits) -> qsizetype {
                qsizetype value = -1;
                for (int k = 0; k < digits && position + k < n; ++k) {
                    const QChar c = replacement[position + k];
                    if (c < u'0' || c > u'9')
                        break;
                    value = (value < 0 ? 0 : value * 10) + (c.unicode() - u'0');
                }
                return value;
            };
            qsizetype index = readIndex(maxDigits);
            if (maxDigits > 1 && index > groupCount)
                index = readIndex(maxDigits - 1);
            if (index >= 0) {
                if (groupCount > 0 && index >= 1 && index <= groupCount) {
                    const Value &group = groups[size_t(index - 1)];
                    if (group.isString())
                        out += group.toString();
                }
                position += QString::number(index).size();
            } else {
                out += u'$';   // not a group reference: a literal $
            }
        }
        dollar = replacement.indexOf(u'$', position);
    }
    out += QStringView(replacement).mid(position);
    return out;
}

const QString &matchText(const Value &match)
{
    return match.toString();
}

} // namespace

Value regexExec(const Regex &regex, const QString &text, qsizetype from)
{
    return execRegex(regex.pattern, regex.source, text, from);
}

// ---- simple string functions -------------------------------------------------------------

Value fnString(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined() || arg.isString())
        return arg;
    return stringifyValue(arg, argAt(args, 1).toBool(), context.position());
}

Value fnLength(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    return double(codePointCount(arg.toString()));
}

Value fnSubstring(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const QString &text = arg.toString();
    const double length = double(codePointCount(text));
    double start = argAt(args, 1).toDouble();
    if (length + start < 0)
        start = 0;
    const Value &count = argAt(args, 2);
    if (count.isUndefined())
        return codePointSlice(text, start, length);
    const double n = count.toDouble();
    if (n <= 0)
        return QString();
    const double end = start >= 0 ? start + n : length + start + n;
    return codePointSlice(text, start, end);
}

Value fnSubstringBefore(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const QString &text = arg.toString();
    const qsizetype at = text.indexOf(argAt(args, 1).toString());
    return at == -1 ? arg : Value(text.left(at));
}

Value fnSubstringAfter(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const QString &text = arg.toString();
    const QString &chars = argAt(args, 1).toString();
    const qsizetype at = text.indexOf(chars);
    return at == -1 ? arg : Value(text.mid(at + chars.size()));
}

namespace {

// Case mapping with a fast path for ASCII text (the common case on the hot path);
// anything else goes through Qt's full Unicode mapping (ß -> SS and the like).
Value changeCase(const Value &arg, bool upper)
{
    const QString &text = arg.toString();
    const char16_t from = upper ? u'a' : u'A';
    const qsizetype n = text.size();
    qsizetype first = -1;
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = text[i].unicode();
        if (c >= 0x80)
            return upper ? text.toUpper() : text.toLower();
        if (first == -1 && c >= from && c <= from + 25)
            first = i;
    }
    if (first == -1)
        return arg;   // nothing to change: share the string
    QString out = text;
    char16_t *data = reinterpret_cast<char16_t *>(out.data());
    for (qsizetype i = first; i < n; ++i) {
        if (data[i] >= from && data[i] <= from + 25)
            data[i] = char16_t(data[i] ^ 0x20);
    }
    return out;
}

} // namespace

Value fnUppercase(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    return changeCase(arg, true);
}

Value fnLowercase(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    return changeCase(arg, false);
}

Value fnTrim(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const QString &text = arg.toString();
    auto isBlank = [](QChar c) { return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r'; };
    QString out;
    out.reserve(text.size());
    bool inBlank = false;
    for (const QChar c : text) {
        if (isBlank(c)) {
            inBlank = true;
            continue;
        }
        if (inBlank)
            out += u' ';
        inBlank = false;
        out += c;
    }
    if (inBlank)
        out += u' ';
    if (out.startsWith(u' '))
        out.remove(0, 1);
    if (out.endsWith(u' '))
        out.chop(1);
    return out == text ? arg : Value(std::move(out));
}

Value fnPad(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const QString &text = arg.toString();
    QString padChars = argAt(args, 2).toString();
    if (padChars.isEmpty())
        padChars = u" "_s;
    const double width = std::trunc(argAt(args, 1).toDouble());
    const double padLength = std::fabs(width) - double(codePointCount(text));
    if (!(padLength > 0))
        return arg;
    if (padLength > double(1 << 28)) {   // beyond what a JavaScript string can hold
        throwJsonata("D1001", context.position(),
                     u"Number out of range: %1"_s.arg(jsonLiteral(argAt(args, 1))), argAt(args, 1));
    }
    // The pad characters repeat, cut after padLength code points.
    const std::vector<qsizetype> offsets = codePointOffsets(padChars);
    const qsizetype cycle = qsizetype(offsets.size()) - 1;
    QString padding;
    for (qsizetype i = 0; i < qsizetype(padLength); ++i) {
        const qsizetype k = i % cycle;
        padding += QStringView(padChars).mid(offsets[size_t(k)], offsets[size_t(k) + 1] - offsets[size_t(k)]);
    }
    return width > 0 ? Value(text + padding) : Value(padding + text);
}

// ---- matching ------------------------------------------------------------------------------

Value fnContains(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    const Value &token = argAt(args, 1);
    if (arg.isUndefined() || token.isUndefined())
        return {};
    if (token.isString())
        return arg.toString().contains(token.toString());
    Matcher matcher(context, token, arg.toString(), QLatin1StringView("contains"));
    return matcher.first();
}

Value fnMatch(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const Value &limitArg = argAt(args, 2);
    const double limit = limitArg.isUndefined() ? INFINITY : limitArg.toDouble();
    if (limit < 0) {
        throwJsonata("D3040", context.position(),
                     u"Third argument of match function must evaluate to a positive number"_s, limitArg);
    }
    Array results;
    if (limit > 0) {
        Matcher matcher(context, argAt(args, 1), arg.toString(), QLatin1StringView("match"));
        double count = 0;
        for (bool found = matcher.first(); found && count < limit; found = matcher.next(), ++count) {
            Object item;
            item.reserve(3);
            item.append(u"match"_s, matcher.match);
            item.append(u"index"_s, matcher.start);
            item.append(u"groups"_s, matcher.groups);
            results.emplace_back(std::move(item));
        }
    }
    return makeSequence(std::move(results));
}

Value fnReplace(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const QString &text = arg.toString();
    const Value &pattern = argAt(args, 1);
    const Value &replacement = argAt(args, 2);
    const Value &limitArg = argAt(args, 3);
    if (pattern.isString() && pattern.toString().isEmpty()) {
        throwJsonata("D3010", context.position(),
                     u"Second argument of replace function cannot be an empty string"_s, pattern);
    }
    const double limit = limitArg.isUndefined() ? INFINITY : limitArg.toDouble();
    if (limit < 0) {
        throwJsonata("D3011", context.position(),
                     u"Fourth argument of replace function must evaluate to a positive number"_s, limitArg);
    }
    if (limit == 0)
        return arg;

    auto substitute = [&](const Value &matched, const Value &groups, const Value &object) -> QString {
        if (replacement.isString())
            return expandReplacement(replacement.toString(), matchText(matched), groups.toArray());
        const Value result = context.call(replacement, {object});
        if (!result.isString()) {
            throwJsonata("D3012", context.position(),
                         u"Attempted to replace a matched string with a non-string value: %1"_s
                             .arg(jsonLiteral(result)),
                         result);
        }
        return result.toString();
    };

    QString out;
    double count = 0;
    if (pattern.isString()) {
        const QString &needle = pattern.toString();
        qsizetype position = 0;
        for (qsizetype at = text.indexOf(needle); at != -1 && count < limit;
             at = text.indexOf(needle, position), ++count) {
            out += QStringView(text).mid(position, at - position);
            if (replacement.isString()) {
                out += replacement.toString();
            } else {
                Object object{{u"match"_s, needle}, {u"start"_s, double(at)},
                              {u"end"_s, double(at + needle.size())}, {u"groups"_s, Array{}}};
                out += substitute(needle, Value(Array{}), Value(std::move(object)));
            }
            position = at + needle.size();
        }
        out += QStringView(text).mid(position);
        return out;
    }

    Matcher matcher(context, pattern, text, QLatin1StringView("replace"));
    if (!matcher.first())
        return arg;
    double position = 0;
    do {
        out += jsSubstring(text, position, matcher.start);
        out += substitute(matcher.match, matcher.groups,
                          replacement.isString() ? Value() : matcher.object());
        position = matcher.start + double(matchText(matcher.match).size());
        ++count;
    } while (count < limit && matcher.next());
    out += jsSubstring(text, position, double(text.size()));
    return out;
}

Value fnSplit(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const QString &text = arg.toString();
    const Value &separator = argAt(args, 1);
    const Value &limitArg = argAt(args, 2);
    const double limit = limitArg.isUndefined() ? INFINITY : limitArg.toDouble();
    if (limit < 0) {
        throwJsonata("D3020", context.position(),
                     u"Third argument of split function must evaluate to a positive number"_s, limitArg);
    }
    Array parts;
    if (limit == 0)
        return Value(std::move(parts));

    if (separator.isString()) {
        // String.prototype.split(): the limit is truncated to an integer.
        const double maxParts = std::isinf(limit) ? limit : std::trunc(limit);
        const QString &needle = separator.toString();
        if (needle.isEmpty()) {
            for (qsizetype i = 0; i < text.size() && double(parts.size()) < maxParts; ++i)
                parts.emplace_back(QString(text[i]));
            return Value(std::move(parts));
        }
        qsizetype position = 0;
        for (qsizetype at = text.indexOf(needle); at != -1 && double(parts.size()) < maxParts;
             at = text.indexOf(needle, position)) {
            parts.emplace_back(text.mid(position, at - position));
            position = at + needle.size();
        }
        if (double(parts.size()) < maxParts)
            parts.emplace_back(text.mid(position));
        return Value(std::move(parts));
    }

    Matcher matcher(context, separator, text, QLatin1StringView("split"));
    if (!matcher.first()) {
        parts.emplace_back(arg);
        return Value(std::move(parts));
    }
    double start = 0;
    double count = 0;
    bool found = true;
    for (; found && count < limit; found = matcher.next(), ++count) {
        parts.emplace_back(jsSubstring(text, start, matcher.start));
        start = matcher.end;
    }
    if (count < limit)
        parts.emplace_back(jsSubstring(text, start, double(text.size())));
    return Value(std::move(parts));
}

Value fnJoin(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    if (arg.isString())
        return arg;
    const QString &separator = argAt(args, 1).toString();
    QString out;
    bool first = true;
    for (const Value &item : arg.toArray()) {
        if (!first)
            out += separator;
        first = false;
        out += item.toString();
    }
    return out;
}

// ---- base64 and URLs ---------------------------------------------------------------------

Value fnBase64Encode(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    // Each character is one byte of binary data (its low eight bits), as in the reference.
    const QString &text = arg.toString();
    QByteArray bytes(text.size(), Qt::Uninitialized);
    for (qsizetype i = 0; i < text.size(); ++i)
        bytes[i] = char(text[i].unicode() & 0xff);
    return QString::fromLatin1(bytes.toBase64());
}

Value fnBase64Decode(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    QByteArray encoded = arg.toString().toLatin1();
    encoded.replace('-', '+').replace('_', '/');   // the URL-safe alphabet works too
    return QString::fromLatin1(QByteArray::fromBase64(encoded));
}

namespace {

[[noreturn]] void throwMalformedUrl(const char *function, const QString &text, int position)
{
    throwJsonata("D3140", position,
                 u"Malformed URL passed to $%1(): %2"_s.arg(QLatin1StringView(function), jsonLiteral(text)),
                 text);
}

// encodeURI/encodeURIComponent: UTF-8 percent-encoding of everything outside `keep`.
QString percentEncode(const QString &text, QLatin1StringView keep, const char *function, int position)
{
    static const char hex[] = "0123456789ABCDEF";
    QString out;
    out.reserve(text.size());
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = text[i].unicode();
        if ((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
            || (c < 0x80 && keep.contains(QLatin1Char(char(c))))) {
            out += QChar(c);
            continue;
        }
        char32_t codePoint = c;
        if (QChar::isLowSurrogate(c))
            throwMalformedUrl(function, text, position);
        if (QChar::isHighSurrogate(c)) {
            if (i + 1 >= n || !text[i + 1].isLowSurrogate())
                throwMalformedUrl(function, text, position);
            codePoint = QChar::surrogateToUcs4(c, text[++i].unicode());
        }
        const QByteArray utf8 = QString::fromUcs4(&codePoint, 1).toUtf8();
        for (const char byte : utf8) {
            out += u'%';
            out += QLatin1Char(hex[(uchar(byte) >> 4) & 0xf]);
            out += QLatin1Char(hex[uchar(byte) & 0xf]);
        }
    }
    return out;
}

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    if (u >= u'A' && u <= u'F')
        return u - u'A' + 10;
    return -1;
}

// decodeURI/decodeURIComponent: percent-escapes of UTF-8, except that escapes of
// characters in `reserved` stay as they are.
QString percentDecode(const QString &text, QLatin1StringView reserved, const char *function, int position)
{
    const qsizetype n = text.size();
    auto byteAt = [&](qsizetype i) -> int {
        if (i + 2 >= n || text[i] != u'%')
            return -1;
        const int high = hexValue(text[i + 1]);
        const int low = hexValue(text[i + 2]);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    };
    QString out;
    out.reserve(n);
    for (qsizetype i = 0; i < n;) {
        if (text[i] != u'%') {
            out += text[i++];
            continue;
        }
        const int first = byteAt(i);
        if (first < 0)
            throwMalformedUrl(function, text, position);
        if (first < 0x80) {
            if (reserved.contains(QLatin1Char(char(first))))
                out += QStringView(text).mid(i, 3);
            else
                out += QChar(char16_t(first));
            i += 3;
            continue;
        }
        int length = 0;
        char32_t codePoint = 0;
        if ((first & 0xe0) == 0xc0) {
            length = 2;
            codePoint = first & 0x1f;
        } else if ((first & 0xf0) == 0xe0) {
            length = 3;
            codePoint = first & 0x0f;
        } else if ((first & 0xf8) == 0xf0) {
            length = 4;
            codePoint = first & 0x07;
        } else {
            throwMalformedUrl(function, text, position);
        }
        for (int k = 1; k < length; ++k) {
            const int byte = byteAt(i + 3 * k);
            if (byte < 0 || (byte & 0xc0) != 0x80)
                throwMalformedUrl(function, text, position);
            codePoint = (codePoint << 6) | char32_t(byte & 0x3f);
        }
        static const char32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
        if (codePoint < minimum[length] || codePoint > 0x10ffff
            || (codePoint >= 0xd800 && codePoint <= 0xdfff))
            throwMalformedUrl(function, text, position);
        out += QString::fromUcs4(&codePoint, 1);
        i += 3 * length;
    }
    return out;
}

} // namespace

Value fnEncodeUrlComponent(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    return percentEncode(arg.toString(), QLatin1StringView("-_.!~*'()"), "encodeUrlComponent",
                         context.position());
}

Value fnEncodeUrl(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    return percentEncode(arg.toString(), QLatin1StringView("-_.!~*'();/?:@&=+$,#"), "encodeUrl",
                         context.position());
}

Value fnDecodeUrlComponent(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    return percentDecode(arg.toString(), QLatin1StringView(""), "decodeUrlComponent", context.position());
}

Value fnDecodeUrl(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    return percentDecode(arg.toString(), QLatin1StringView(";/?:@&=+$,#"), "decodeUrl", context.position());
}

} // namespace Conflux::Mapping::Internal
