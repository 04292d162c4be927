#include "data/json.h"

#include "data/json_p.h"
#include "data/numbers.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>

using namespace Qt::StringLiterals;

namespace Conflux::Data::Json {

using namespace Internal;

namespace {

using uchar = unsigned char;

// Bytes that may appear unescaped in a string and need no further look: printable ASCII
// except '"' and '\'.
constexpr std::array<bool, 256> plainStringBytes = [] {
    std::array<bool, 256> table{};
    for (int c = 0x20; c < 0x80; ++c)
        table[size_t(c)] = c != '"' && c != '\\';
    return table;
}();

constexpr bool isWhitespace(uchar c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

constexpr bool isDigit(uchar c)
{
    return c >= '0' && c <= '9';
}

int hexValue(uchar c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Four hex digits at p (caller checked the bounds), or -1.
int hex4(const uchar *p)
{
    int v = 0;
    for (int i = 0; i < 4; ++i) {
        const int h = hexValue(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

QString hexByte(uchar c)
{
    return u"0x"_s + QString::number(c, 16).toUpper().rightJustified(2, u'0');
}

QString codePointName(uint cp)
{
    return u"U+"_s + QString::number(cp, 16).toUpper().rightJustified(4, u'0');
}

// How to show the character at p in a message: 'x', U+000A for controls, or empty when
// the bytes are not valid UTF-8.
QString describeCharacter(const uchar *p, const uchar *end)
{
    const uchar c = *p;
    if (c < 0x20 || c == 0x7f)
        return codePointName(c);
    if (c < 0x80)
        return u'\'' + QString(QLatin1Char(char(c))) + u'\'';
    const int n = utf8SequenceLength(p, end);
    if (n == 0)
        return QString();
    return u'\'' + QString::fromUtf8(reinterpret_cast<const char *>(p), n) + u'\'';
}

// A member name as a message shows it: quoted, long names shortened.
QString quotedKey(const QString &key)
{
    constexpr qsizetype maxShown = 60;
    if (key.size() <= maxShown)
        return u'"' + key + u'"';
    return u'"' + key.left(maxShown) + u"\u2026\""_s;
}

// Keys are short and differ early or late; a few bytes and the length place them well
// enough for a small cache, at a fraction of a full hash's cost.
quint32 keyHash(const uchar *p, qsizetype n)
{
    quint32 h = quint32(n) * 0x9e3779b1u;
    h ^= quint32(p[0]) * 0x85ebca77u;
    h ^= quint32(p[n - 1]) * 0xc2b2ae3du;
    h ^= quint32(p[n / 2]) * 0x27d4eb2fu;
    if (n > 3)
        h ^= quint32(p[1]) * 0x165667b1u + quint32(p[n - 2]);
    return h ^ (h >> 13);
}

} // namespace

namespace Internal {

int utf8SequenceLength(const uchar *p, const uchar *end)
{
    const uchar c = p[0];
    const qsizetype left = end - p;
    auto cont = [](uchar b) { return (b & 0xc0) == 0x80; };
    if (c >= 0xc2 && c <= 0xdf)
        return left >= 2 && cont(p[1]) ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (left < 3 || !cont(p[1]) || !cont(p[2]))
            return 0;
        if (c == 0xe0 && p[1] < 0xa0)
            return 0; // overlong
        if (c == 0xed && p[1] > 0x9f)
            return 0; // UTF-16 surrogate
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (left < 4 || !cont(p[1]) || !cont(p[2]) || !cont(p[3]))
            return 0;
        if (c == 0xf0 && p[1] < 0x90)
            return 0; // overlong
        if (c == 0xf4 && p[1] > 0x8f)
            return 0; // beyond U+10FFFF
        return 4;
    }
    return 0;
}

LineColumn lineColumn(const char *begin, const char *pos)
{
    LineColumn where;
    const char *lineStart = begin;
    for (const char *p = begin; p < pos;) {
        const void *nl = std::memchr(p, '\n', size_t(pos - p));
        if (!nl)
            break;
        ++where.line;
        p = lineStart = static_cast<const char *>(nl) + 1;
    }
    qint64 characters = 0;
    for (const char *p = lineStart; p < pos; ++p) {
        if ((uchar(*p) & 0xc0) != 0x80)
            ++characters;
    }
    where.column = characters + 1;
    return where;
}

Error makeError(const ParseError &error, qint64 offset, LineColumn where, const QString &context)
{
    // One multi-argument arg() call, so text inside `what` (a key, a character) is never
    // taken for a placeholder.
    QString message = Tr::tr("%1 at byte %2 (line %3, column %4)%5")
                          .arg(error.what, QString::number(offset), QString::number(where.line),
                               QString::number(where.column), context);
    if (!error.detail.isEmpty())
        message += u": "_s + error.detail;
    Error result{QString::fromLatin1(error.code), message, {}, offset};
    return result;
}

QString KeyCache::lookup(const char *bytes, qsizetype size, bool ascii)
{
    auto make = [&] {
        return ascii ? QString::fromLatin1(bytes, size) : QString::fromUtf8(bytes, size);
    };
    if (size == 0)
        return QStringLiteral("");
    if (size > maxKeySize)
        return make();
    if (!m_slots)
        m_slots = std::make_unique<Entry[]>(size_t(slotCount));
    // Two-way: a record's keys that land on one slot do not evict each other.
    const quint32 h = keyHash(reinterpret_cast<const uchar *>(bytes), size);
    const qsizetype first = qsizetype(h & (slotCount - 2));
    for (qsizetype i = first; i < first + 2; ++i) {
        const Entry &slot = m_slots[i];
        if (slot.raw.size() == size && std::memcmp(slot.raw.constData(), bytes, size_t(size)) == 0)
            return slot.key;
    }
    // Replace the older of the two: the pair is kept in most-recent-first order.
    m_slots[first + 1] = std::move(m_slots[first]);
    Entry &slot = m_slots[first];
    slot.raw = QByteArray(bytes, size);
    slot.key = make();
    return slot.key;
}

// --- Parser ---------------------------------------------------------------------------

bool Parser::fail(const uchar *at, const QString &what, const QString &detail, const char *code)
{
    m_error.code = code;
    m_error.position = at - m_begin;
    m_error.what = what;
    m_error.detail = detail;
    return false;
}

QString unexpectedWhat(const char *p, const char *end)
{
    if (p >= end)
        return Tr::tr("unexpected end of input");
    const auto *at = reinterpret_cast<const uchar *>(p);
    const QString shown = describeCharacter(at, reinterpret_cast<const uchar *>(end));
    if (shown.isEmpty())
        return Tr::tr("invalid UTF-8 byte %1").arg(hexByte(*at));
    return Tr::tr("unexpected character %1").arg(shown);
}

bool Parser::unexpected(const uchar *at, const QString &expected)
{
    at = std::min(at, m_end);
    return fail(at, unexpectedWhat(reinterpret_cast<const char *>(at), reinterpret_cast<const char *>(m_end)),
                expected);
}

void Parser::skipWhitespace()
{
    while (m_p < m_end && isWhitespace(*m_p))
        ++m_p;
}

bool Parser::parse(const char *begin, const char *end, Value &out)
{
    m_begin = m_p = reinterpret_cast<const uchar *>(begin);
    m_end = reinterpret_cast<const uchar *>(end);
    m_depth = 0;
    m_error = ParseError();
    bool ok = parseValue(out);
    if (ok) {
        skipWhitespace();
        if (m_p != m_end)
            ok = unexpected(m_p, Tr::tr("expected the end of the input after the top-level value"));
    }
    if (!ok) {
        m_frames.clear();
        m_items.clear();
        m_members.clear();
        out = Value();
    }
    // Scratch space follows the largest container seen; let a one-off giant go.
    constexpr size_t keepSlots = 1 << 16;
    if (m_items.capacity() > keepSlots)
        m_items.shrink_to_fit();
    if (m_members.capacity() > keepSlots)
        m_members.shrink_to_fit();
    return ok;
}

bool Parser::parseValue(Value &result)
{
    Value value;
    bool afterComma = false;
    for (;;) {
        skipWhitespace();
        if (m_p == m_end)
            return unexpected(m_p, Tr::tr("expected a value"));
        switch (*m_p) {
        case '{':
        case '[': {
            const bool object = *m_p == '{';
            if (++m_depth > m_options.maxDepth) {
                return fail(m_p, Tr::tr("nesting deeper than %1 levels").arg(m_options.maxDepth),
                            Tr::tr("the depth limit is ReadOptions::maxDepth"), "json_limit");
            }
            ++m_p;
            skipWhitespace();
            if (m_p < m_end && *m_p == (object ? '}' : ']')) {
                ++m_p;
                --m_depth;
                value = object ? Value(Object()) : Value(Array());
                break;
            }
            Frame &frame = m_frames.emplace_back();
            frame.object = object;
            frame.base = object ? m_members.size() : m_items.size();
            if (object && !parseKey(frame, false))
                return false;
            afterComma = false;
            continue;
        }
        case '"': {
            QString s;
            if (!parseString(s, false))
                return false;
            value = Value(std::move(s));
            break;
        }
        case 't':
            if (!parseLiteral("true", 4, Value(true), value))
                return false;
            break;
        case 'f':
            if (!parseLiteral("false", 5, Value(false), value))
                return false;
            break;
        case 'n':
            if (!parseLiteral("null", 4, Value(nullptr), value))
                return false;
            break;
        case '-':
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
            if (!parseNumber(value))
                return false;
            break;
        case '/':
            return unexpected(m_p, Tr::tr("expected a value (comments are not allowed in JSON)"));
        case '\'':
            return unexpected(m_p, Tr::tr("expected a value (JSON strings use double quotes)"));
        case ']':
        case '}':
            if (afterComma)
                return unexpected(m_p, Tr::tr("expected a value (trailing commas are not allowed in JSON)"));
            return unexpected(m_p, Tr::tr("expected a value"));
        default:
            return unexpected(m_p, Tr::tr("expected a value"));
        }

        // A complete value: hand it to the enclosing containers, closing those that end.
        for (;;) {
            if (m_frames.empty()) {
                result = std::move(value);
                return true;
            }
            Frame &frame = m_frames.back();
            if (frame.object) {
                if (!addMember(frame, std::move(value)))
                    return false;
            } else {
                m_items.push_back(std::move(value));
            }
            skipWhitespace();
            const uchar close = frame.object ? '}' : ']';
            if (m_p < m_end && *m_p == ',') {
                ++m_p;
                if (frame.object && !parseKey(frame, true))
                    return false;
                afterComma = !frame.object;
                break;
            }
            if (m_p < m_end && *m_p == close) {
                ++m_p;
                --m_depth;
                value = frame.object ? finishObject(frame) : finishArray(frame);
                m_frames.pop_back();
                continue;
            }
            return unexpected(m_p, frame.object ? Tr::tr("expected ',' or '}' after an object member")
                                                : Tr::tr("expected ',' or ']' after an array item"));
        }
    }
}

bool Parser::parseKey(Frame &frame, bool afterComma)
{
    skipWhitespace();
    if (m_p == m_end || *m_p != '"') {
        if (m_p < m_end && *m_p == '}' && afterComma)
            return unexpected(m_p, Tr::tr("expected a member name (trailing commas are not allowed in JSON)"));
        if (m_p < m_end && *m_p == '\'')
            return unexpected(m_p, Tr::tr("expected a member name (JSON strings use double quotes)"));
        if (m_p < m_end && *m_p == '/')
            return unexpected(m_p, Tr::tr("expected a member name (comments are not allowed in JSON)"));
        if (m_p < m_end && (((*m_p | 0x20) >= 'a' && (*m_p | 0x20) <= 'z') || *m_p == '_' || *m_p == '$'))
            return unexpected(m_p, Tr::tr("expected a member name (member names must be double-quoted strings)"));
        return unexpected(m_p, afterComma ? Tr::tr("expected a member name")
                                          : Tr::tr("expected a member name or '}'"));
    }
    frame.keyPos = m_p;
    if (!parseString(frame.key, true))
        return false;
    skipWhitespace();
    if (m_p == m_end || *m_p != ':')
        return unexpected(m_p, Tr::tr("expected ':' after the member name"));
    ++m_p;
    return true;
}

bool Parser::addMember(Frame &frame, Value &&value)
{
    // Objects are small as a rule: compare names directly, and keep a hash only for
    // objects that grow past a few dozen members (a lookup table, a map of ids).
    constexpr size_t linearLimit = 16;
    const size_t count = m_members.size() - frame.base;
    qsizetype duplicate = -1;
    if (frame.index) {
        duplicate = frame.index->value(QStringView(frame.key), -1);
    } else if (count < linearLimit) {
        const QString &key = frame.key;
        for (size_t i = frame.base; i < m_members.size(); ++i) {
            const QString &other = m_members[i].first;
            if (other.size() == key.size() && (other.constData() == key.constData() || other == key)) {
                duplicate = qsizetype(i - frame.base);
                break;
            }
        }
    } else {
        frame.index = std::make_unique<QHash<QStringView, qsizetype>>();
        frame.index->reserve(qsizetype(count * 2));
        for (size_t i = frame.base; i < m_members.size(); ++i)
            frame.index->insert(QStringView(m_members[i].first), qsizetype(i - frame.base));
        duplicate = frame.index->value(QStringView(frame.key), -1);
    }

    if (duplicate >= 0) {
        if (m_options.duplicateKeys == DuplicateKeys::Reject) {
            return fail(frame.keyPos, Tr::tr("duplicate key %1").arg(quotedKey(frame.key)),
                        Tr::tr("the object already has a member with this name"),
                        "json_duplicate_key");
        }
        m_members[frame.base + size_t(duplicate)].second = std::move(value);
        return true;
    }
    m_members.emplace_back(std::move(frame.key), std::move(value));
    if (frame.index)
        frame.index->insert(QStringView(m_members.back().first), qsizetype(count));
    return true;
}

Value Parser::finishObject(Frame &frame)
{
    Object object;
    object.reserve(qsizetype(m_members.size() - frame.base));
    for (size_t i = frame.base; i < m_members.size(); ++i)
        object.append(std::move(m_members[i].first), std::move(m_members[i].second));
    m_members.resize(frame.base);
    return Value(std::move(object));
}

Value Parser::finishArray(Frame &frame)
{
    const auto first = m_items.begin() + std::ptrdiff_t(frame.base);
    Array items(std::make_move_iterator(first), std::make_move_iterator(m_items.end()));
    m_items.erase(first, m_items.end());
    return Value(std::move(items));
}

bool Parser::parseString(QString &out, bool isKey)
{
    const uchar *start = m_p + 1;
    const uchar *p = start;
    while (p < m_end && plainStringBytes[*p])
        ++p;
    if (p < m_end && *p == '"') {
        // The common case: ASCII without escapes.
        const auto *bytes = reinterpret_cast<const char *>(start);
        out = isKey ? m_keys.lookup(bytes, p - start, true) : QString::fromLatin1(bytes, p - start);
        m_p = p + 1;
        return true;
    }

    bool escaped = false;
    bool ascii = true;
    while (p < m_end) {
        const uchar c = *p;
        if (plainStringBytes[c]) {
            ++p;
        } else if (c == '"') {
            break;
        } else if (c == '\\') {
            escaped = true;
            p += 2; // decodeEscaped() checks what follows
        } else if (c < 0x20) {
            return fail(p, Tr::tr("unescaped control character %1 in a string").arg(codePointName(c)),
                        Tr::tr("control characters must be escaped, e.g. \\n for a line feed"));
        } else {
            const int n = utf8SequenceLength(p, m_end);
            if (n == 0)
                return fail(p, Tr::tr("invalid UTF-8 byte %1 in a string").arg(hexByte(c)),
                            Tr::tr("JSON text must be UTF-8"));
            ascii = false;
            p += n;
        }
    }
    if (p >= m_end) {
        return fail(m_end, Tr::tr("unexpected end of input"),
                    Tr::tr("the string that starts at byte %1 is not terminated")
                        .arg(m_baseOffset + (start - 1 - m_begin)));
    }
    if (!escaped) {
        const auto *bytes = reinterpret_cast<const char *>(start);
        if (isKey)
            out = m_keys.lookup(bytes, p - start, ascii);
        else
            out = ascii ? QString::fromLatin1(bytes, p - start) : QString::fromUtf8(bytes, p - start);
    } else if (!decodeEscaped(start, p, out)) {
        return false;
    }
    m_p = p + 1;
    return true;
}

// Decodes a string body whose UTF-8 is already validated and whose end is known.
bool Parser::decodeEscaped(const uchar *begin, const uchar *end, QString &out)
{
    out = QString(end - begin, Qt::Uninitialized); // never more UTF-16 units than bytes
    auto *w = reinterpret_cast<char16_t *>(out.data());
    char16_t *const first = w;
    const uchar *p = begin;
    while (p < end) {
        const uchar c = *p;
        if (c < 0x80 && c != '\\') {
            *w++ = c;
            ++p;
            continue;
        }
        if (c >= 0x80) {
            const int n = (c >= 0xf0) ? 4 : (c >= 0xe0) ? 3 : 2;
            char32_t cp = (n == 2) ? (c & 0x1f) : (n == 3) ? (c & 0x0f) : (c & 0x07);
            for (int i = 1; i < n; ++i)
                cp = (cp << 6) | (p[i] & 0x3f);
            if (cp >= 0x10000) {
                *w++ = QChar::highSurrogate(cp);
                *w++ = QChar::lowSurrogate(cp);
            } else {
                *w++ = char16_t(cp);
            }
            p += n;
            continue;
        }
        const uchar e = p[1];
        switch (e) {
        case '"': *w++ = u'"'; break;
        case '\\': *w++ = u'\\'; break;
        case '/': *w++ = u'/'; break;
        case 'b': *w++ = u'\b'; break;
        case 'f': *w++ = u'\f'; break;
        case 'n': *w++ = u'\n'; break;
        case 'r': *w++ = u'\r'; break;
        case 't': *w++ = u'\t'; break;
        case 'u': {
            const int unit = end - p >= 6 ? hex4(p + 2) : -1;
            if (unit < 0)
                return fail(p, Tr::tr("invalid escape \\u in a string"),
                            Tr::tr("\\u must be followed by four hex digits"));
            if (QChar::isLowSurrogate(char32_t(unit))) {
                return fail(p, Tr::tr("unpaired surrogate escape \\u%1 in a string")
                                   .arg(QString::number(unit, 16).toUpper()),
                            Tr::tr("a low surrogate must follow a high surrogate (\\uD800-\\uDBFF)"));
            }
            if (QChar::isHighSurrogate(char32_t(unit))) {
                const int low = (end - p >= 12 && p[6] == '\\' && p[7] == 'u') ? hex4(p + 8) : -1;
                if (low < 0 || !QChar::isLowSurrogate(char32_t(low))) {
                    return fail(p, Tr::tr("unpaired surrogate escape \\u%1 in a string")
                                       .arg(QString::number(unit, 16).toUpper()),
                                Tr::tr("a high surrogate must be followed by a low surrogate "
                                       "escape (\\uDC00-\\uDFFF)"));
                }
                *w++ = char16_t(unit);
                *w++ = char16_t(low);
                p += 12;
                continue;
            }
            *w++ = char16_t(unit);
            p += 6;
            continue;
        }
        default: {
            const QString shown = e < 0x20 || e >= 0x7f ? hexByte(e) : QString(QLatin1Char(char(e)));
            return fail(p, Tr::tr("invalid escape sequence \\%1 in a string").arg(shown),
                        Tr::tr("the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX"));
        }
        }
        p += 2;
    }
    out.truncate(w - first);
    return true;
}

bool Parser::parseNumber(Value &out)
{
    const uchar *start = m_p;
    const uchar *p = m_p;
    const bool negative = *p == '-';
    if (negative)
        ++p;
    if (p == m_end || !isDigit(*p))
        return unexpected(p, Tr::tr("expected a digit after '-'"));
    const uchar *digits = p;
    if (*p == '0') {
        ++p;
        if (p < m_end && isDigit(*p))
            return unexpected(p, Tr::tr("numbers cannot have leading zeros"));
    } else {
        while (p < m_end && isDigit(*p))
            ++p;
    }
    const qsizetype integerDigits = p - digits;
    bool integral = true;
    if (p < m_end && *p == '.') {
        integral = false;
        ++p;
        if (p == m_end || !isDigit(*p))
            return unexpected(p, Tr::tr("expected a digit after the decimal point"));
        while (p < m_end && isDigit(*p))
            ++p;
    }
    if (p < m_end && (*p == 'e' || *p == 'E')) {
        integral = false;
        ++p;
        if (p < m_end && (*p == '+' || *p == '-'))
            ++p;
        if (p == m_end || !isDigit(*p))
            return unexpected(p, Tr::tr("expected a digit in the exponent"));
        while (p < m_end && isDigit(*p))
            ++p;
    }
    m_p = p;

    if (integral && integerDigits <= 15) {
        qint64 v = 0;
        for (const uchar *d = digits; d < p; ++d)
            v = v * 10 + (*d - '0');
        out = Value(negative ? -double(v) : double(v)); // "-0" stays -0, as in JavaScript
        return true;
    }

    const auto *text = reinterpret_cast<const char *>(start);
    double d = 0;
    const auto [end, ec] = std::from_chars(text, reinterpret_cast<const char *>(p), d);
    if (ec == std::errc::result_out_of_range) {
        // from_chars reports underflow too; strtod tells the two apart (0 or a denormal
        // for underflow, as JSON.parse gives).
        const std::string copy(text, size_t(p - start));
        d = std::strtod(copy.c_str(), nullptr);
    } else if (ec != std::errc() || end != reinterpret_cast<const char *>(p)) {
        return fail(start, Tr::tr("invalid number"));
    }
    if (!std::isfinite(d)) {
        return fail(start, Tr::tr("number out of range"),
                    Tr::tr("the number is beyond the range of a double (about 1.8e308)"));
    }
    if (integral && std::fabs(d) >= 9007199254740992.0) {
        out = Value::numberFromText(QString::fromLatin1(text, p - start));
        return true;
    }
    out = Value(d);
    return true;
}

bool Parser::parseLiteral(const char *word, qsizetype size, Value value, Value &out)
{
    for (qsizetype i = 0; i < size; ++i) {
        if (m_p + i == m_end || m_p[i] != uchar(word[i]))
            return unexpected(m_p + i, Tr::tr("expected '%1'").arg(QLatin1StringView(word)));
    }
    m_p += size;
    out = std::move(value);
    return true;
}

} // namespace Internal

Result<Value> parse(QByteArrayView utf8, const ReadOptions &options)
{
    if (utf8.size() > options.maxBytes) {
        return Error{u"json_limit"_s,
                     Tr::tr("the input is %1 bytes, larger than the limit of %2 bytes")
                         .arg(utf8.size())
                         .arg(options.maxBytes),
                     {},
                     options.maxBytes};
    }
    const char *begin = utf8.data();
    const char *end = begin + utf8.size();
    const char *start = begin;
    if (utf8.size() >= 3 && std::memcmp(begin, "\xEF\xBB\xBF", 3) == 0)
        start += 3;
    Parser parser(options);
    parser.setBaseOffset(start - begin);
    Value out;
    if (parser.parse(start, end, out))
        return out;
    const ParseError &e = parser.error();
    const char *at = start + e.position;
    return makeError(e, at - begin, lineColumn(start, at));
}

// --- Serializer -----------------------------------------------------------------------

namespace {

// For ASCII: 0 when the character is written as is, else the letter after the backslash
// ('u' for \u00xx).
constexpr std::array<char, 128> escapeLetters = [] {
    std::array<char, 128> table{};
    for (int c = 0; c < 0x20; ++c)
        table[size_t(c)] = 'u';
    table['"'] = '"';
    table['\\'] = '\\';
    table['\b'] = 'b';
    table['\f'] = 'f';
    table['\n'] = 'n';
    table['\r'] = 'r';
    table['\t'] = 't';
    return table;
}();

constexpr char hexDigits[] = "0123456789abcdef";

char *writeUnicodeEscape(char *w, char16_t unit)
{
    *w++ = '\\';
    *w++ = 'u';
    *w++ = hexDigits[(unit >> 12) & 0xf];
    *w++ = hexDigits[(unit >> 8) & 0xf];
    *w++ = hexDigits[(unit >> 4) & 0xf];
    *w++ = hexDigits[unit & 0xf];
    return w;
}

class Writer
{
public:
    Writer(QByteArray &out, const WriteOptions &options)
        : m_out(out)
        , m_indent(options.pretty ? std::clamp(options.indent, 0, 10) : 0)
        , m_asciiOnly(options.asciiOnly)
    {}

    void write(const Value &value, int level);
    void writeString(QStringView s);

private:
    void writeNumber(const Value &value);
    void newline(int level)
    {
        m_out.append('\n');
        m_out.append(qsizetype(level) * m_indent, ' ');
    }

    QByteArray &m_out;
    int m_indent;
    bool m_asciiOnly;
};

void Writer::write(const Value &value, int level)
{
    switch (value.type()) {
    case Value::Type::Undefined:
    case Value::Type::Function:
    case Value::Type::Null:
        m_out.append("null", 4);
        return;
    case Value::Type::Bool:
        if (value.toBool())
            m_out.append("true", 4);
        else
            m_out.append("false", 5);
        return;
    case Value::Type::Number:
        writeNumber(value);
        return;
    case Value::Type::String:
        writeString(value.toString());
        return;
    case Value::Type::Array: {
        const Array &items = value.toArray();
        if (items.empty()) {
            m_out.append("[]", 2);
            return;
        }
        m_out.append('[');
        bool first = true;
        for (const Value &item : items) {
            if (!first)
                m_out.append(',');
            first = false;
            if (m_indent)
                newline(level + 1);
            write(item, level + 1);
        }
        if (m_indent)
            newline(level);
        m_out.append(']');
        return;
    }
    case Value::Type::Object: {
        m_out.append('{');
        bool first = true;
        for (const auto &[key, member] : value.toObject()) {
            if (member.isUndefined() || member.isFunction())
                continue;
            if (!first)
                m_out.append(',');
            first = false;
            if (m_indent)
                newline(level + 1);
            writeString(key);
            if (m_indent)
                m_out.append(": ", 2);
            else
                m_out.append(':');
            write(member, level + 1);
        }
        if (m_indent && !first)
            newline(level);
        m_out.append('}');
        return;
    }
    }
}

void Writer::writeNumber(const Value &value)
{
    if (value.hasExactText()) {
        m_out.append(value.exactText().toLatin1());
        return;
    }
    const double d = value.toDouble();
    if (!std::isfinite(d)) {
        m_out.append("null", 4);
        return;
    }
    // Integers below 1e15 print the same in every notation; skip formatNumber's work.
    if (std::fabs(d) < 1e15 && d == std::trunc(d)) {
        char buffer[24];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, qint64(d));
        m_out.append(buffer, result.ptr - buffer);
        return;
    }
    m_out.append(formatNumber(d));
}

void Writer::writeString(QStringView s)
{
    m_out.append('"');
    const char16_t *u = s.utf16();
    const char16_t *const end = u + s.size();
    // Bounded segments: a worst case of 6 bytes per unit would otherwise reserve six
    // times a huge string at once.
    constexpr qsizetype segment = 4096;
    while (u < end) {
        const char16_t *segmentEnd = u + std::min<qsizetype>(end - u, segment);
        if (segmentEnd < end && QChar::isHighSurrogate(segmentEnd[-1]))
            ++segmentEnd; // keep a surrogate pair together
        const qsizetype used = m_out.size();
        m_out.resize(used + (segmentEnd - u) * 6);
        char *const base = m_out.data();
        char *w = base + used;
        while (u < segmentEnd) {
            const char16_t c = *u++;
            if (c < 0x80) {
                const char letter = escapeLetters[c];
                if (!letter) {
                    *w++ = char(c);
                } else if (letter != 'u') {
                    *w++ = '\\';
                    *w++ = letter;
                } else {
                    w = writeUnicodeEscape(w, c);
                }
            } else if (m_asciiOnly) {
                w = writeUnicodeEscape(w, c);
            } else if (c < 0x800) {
                *w++ = char(0xc0 | (c >> 6));
                *w++ = char(0x80 | (c & 0x3f));
            } else if (!QChar::isSurrogate(c)) {
                *w++ = char(0xe0 | (c >> 12));
                *w++ = char(0x80 | ((c >> 6) & 0x3f));
                *w++ = char(0x80 | (c & 0x3f));
            } else if (QChar::isHighSurrogate(c) && u < segmentEnd && QChar::isLowSurrogate(*u)) {
                const char32_t cp = QChar::surrogateToUcs4(c, *u++);
                *w++ = char(0xf0 | (cp >> 18));
                *w++ = char(0x80 | ((cp >> 12) & 0x3f));
                *w++ = char(0x80 | ((cp >> 6) & 0x3f));
                *w++ = char(0x80 | (cp & 0x3f));
            } else {
                w = writeUnicodeEscape(w, c); // unpaired surrogate, as JSON.stringify writes it
            }
        }
        m_out.resize(w - base);
    }
    m_out.append('"');
}

} // namespace

void Internal::serializeAt(const Value &value, QByteArray &out, const WriteOptions &options, int level)
{
    Writer(out, options).write(value, level);
}

void serialize(const Value &value, QByteArray &out, const WriteOptions &options)
{
    if (value.isUndefined() || value.isFunction())
        return;
    Writer(out, options).write(value, 0);
}

QByteArray serialize(const Value &value, const WriteOptions &options)
{
    QByteArray out;
    serialize(value, out, options);
    return out;
}

} // namespace Conflux::Data::Json
