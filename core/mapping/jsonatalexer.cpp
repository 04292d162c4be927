#include "mapping/jsonatalexer_p.h"

#include "mapping/jsonatafunctions_p.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal {

namespace {

bool isSpace(char16_t c)
{
    return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r' || c == u'\v';
}

bool isDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}

bool isHex(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f') || (u >= u'A' && u <= u'F');
}

[[noreturn]] void fail(const char *code, int position, const QString &message, const QString &token = {})
{
    throw JsonataException(QString::fromLatin1(code), position, message, token);
}

} // namespace

bool isOperatorChar(char16_t c)
{
    switch (c) {
    case u'.': case u'[': case u']': case u'{': case u'}': case u'(': case u')': case u',':
    case u'@': case u'#': case u';': case u':': case u'?': case u'+': case u'-': case u'*':
    case u'/': case u'%': case u'|': case u'=': case u'<': case u'>': case u'^': case u'&':
    case u'!': case u'~':
        return true;
    default:
        return false;
    }
}

Token Lexer::scanRegex(int start)
{
    // Find the closing `/`, skipping escaped ones and any inside brackets or groups.
    const int patternStart = m_position;
    int depth = 0;
    const int length = int(m_source.size());
    while (m_position < length) {
        const QChar c = m_source[m_position];
        if (c == u'/' && depth == 0) {
            int backslashes = 0;
            while (m_position - backslashes - 1 >= patternStart
                   && m_source[m_position - backslashes - 1] == u'\\')
                ++backslashes;
            if (backslashes % 2 == 0) {
                Token t;
                t.type = TokenType::Regex;
                t.position = start;
                t.text = m_source.mid(patternStart, m_position - patternStart).toString();
                if (t.text.isEmpty())
                    fail("S0301", m_position, u"Empty regular expressions are not allowed"_s);
                ++m_position;
                while (m_position < length
                       && (m_source[m_position] == u'i' || m_source[m_position] == u'm')) {
                    t.flags.append(m_source[m_position]);
                    ++m_position;
                }
                return t;
            }
        }
        const bool escaped = m_position > 0 && m_source[m_position - 1] == u'\\';
        if ((c == u'(' || c == u'[' || c == u'{') && !escaped)
            ++depth;
        if ((c == u')' || c == u']' || c == u'}') && !escaped)
            --depth;
        ++m_position;
    }
    fail("S0302", m_position, u"No terminating / in regular expression"_s);
}

Token Lexer::scanString(char16_t quote)
{
    const int start = m_position;
    ++m_position;
    QString value;
    const int length = int(m_source.size());
    while (m_position < length) {
        QChar c = m_source[m_position];
        if (c == u'\\') {
            ++m_position;
            c = at(m_position);
            switch (c.unicode()) {
            case u'"': value.append(u'"'); break;
            case u'\\': value.append(u'\\'); break;
            case u'/': value.append(u'/'); break;
            case u'b': value.append(u'\b'); break;
            case u'f': value.append(u'\f'); break;
            case u'n': value.append(u'\n'); break;
            case u'r': value.append(u'\r'); break;
            case u't': value.append(u'\t'); break;
            case u'u': {
                bool ok = m_position + 4 < length;
                for (int i = 1; ok && i <= 4; ++i)
                    ok = isHex(m_source[m_position + i]);
                if (!ok) {
                    fail("S0104", m_position,
                         u"The escape sequence \\u must be followed by 4 hex digits"_s);
                }
                value.append(QChar(char16_t(m_source.mid(m_position + 1, 4).toUInt(nullptr, 16))));
                m_position += 4;
                break;
            }
            default:
                fail("S0103", m_position,
                     u"Unsupported escape sequence: \\%1"_s.arg(c), QString(c));
            }
        } else if (c == quote) {
            ++m_position;
            Token t;
            t.type = TokenType::String;
            t.text = std::move(value);
            t.position = start;
            return t;
        } else {
            value.append(c);
        }
        ++m_position;
    }
    fail("S0101", m_position, u"String literal must be terminated by a matching quote"_s);
}

Token Lexer::next(bool infix)
{
    const int length = int(m_source.size());
    for (;;) {
        while (m_position < length && isSpace(m_source[m_position].unicode()))
            ++m_position;
        if (m_position < length && m_source[m_position] == u'/' && at(m_position + 1) == u'*') {
            const int commentStart = m_position;
            m_position += 2;
            for (;;) {
                if (m_position + 1 >= length) {
                    m_position = length;
                    fail("S0106", commentStart, u"Comment has no closing tag"_s);
                }
                if (m_source[m_position] == u'*' && m_source[m_position + 1] == u'/')
                    break;
                ++m_position;
            }
            m_position += 2;
            continue;
        }
        break;
    }
    Token t;
    t.position = m_position;
    if (m_position >= length)
        return t;

    const QChar c = m_source[m_position];
    if (!infix && c == u'/') {
        ++m_position;
        return scanRegex(t.position);
    }

    static constexpr std::pair<char16_t, char16_t> doubles[] = {
        {u'.', u'.'}, {u':', u'='}, {u'!', u'='}, {u'>', u'='}, {u'<', u'='},
        {u'*', u'*'}, {u'~', u'>'}, {u'?', u':'}, {u'?', u'?'}};
    const QChar c2 = at(m_position + 1);
    for (const auto &[a, b] : doubles) {
        if (c == a && c2 == b) {
            t.type = TokenType::Operator;
            t.text = QString(QChar(a)) + QChar(b);
            m_position += 2;
            return t;
        }
    }
    if (isOperatorChar(c.unicode())) {
        t.type = TokenType::Operator;
        t.text = QString(c);
        ++m_position;
        return t;
    }
    if (c == u'"' || c == u'\'')
        return scanString(c.unicode());

    if (isDigit(c)) {
        // -?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?  (the sign is an operator here)
        int i = m_position;
        if (c == u'0') {
            ++i;
        } else {
            while (i < length && isDigit(m_source[i]))
                ++i;
        }
        if (at(i) == u'.' && isDigit(at(i + 1))) {
            i += 2;
            while (i < length && isDigit(m_source[i]))
                ++i;
        }
        if (at(i) == u'e' || at(i) == u'E') {
            int j = i + 1;
            if (at(j) == u'+' || at(j) == u'-')
                ++j;
            if (isDigit(at(j))) {
                while (j < length && isDigit(m_source[j]))
                    ++j;
                i = j;
            }
        }
        const QStringView text = m_source.mid(m_position, i - m_position);
        const double d = text.toDouble();
        if (!std::isfinite(d))
            fail("S0102", m_position, u"Number out of range: %1"_s.arg(text), text.toString());
        m_position = i;
        t.type = TokenType::Number;
        t.number = d;
        t.text = text.toString();
        return t;
    }

    if (c == u'`') {
        ++m_position;
        const qsizetype end = m_source.indexOf(u'`', m_position);
        if (end < 0) {
            m_position = length;
            fail("S0105", length,
                 u"Quoted property name must be terminated with a backquote (`)"_s);
        }
        t.type = TokenType::Name;
        t.text = m_source.mid(m_position, end - m_position).toString();
        m_position = int(end) + 1;
        return t;
    }

    int i = m_position;
    while (i < length && !isSpace(m_source[i].unicode()) && !isOperatorChar(m_source[i].unicode()))
        ++i;
    if (c == u'$') {
        t.type = TokenType::Variable;
        t.text = m_source.mid(m_position + 1, i - m_position - 1).toString();
        m_position = i;
        return t;
    }
    const QStringView name = m_source.mid(m_position, i - m_position);
    m_position = i;
    if (name == u"or" || name == u"in" || name == u"and") {
        t.type = TokenType::Operator;
        t.text = name.toString();
    } else if (name == u"true" || name == u"false" || name == u"null") {
        t.type = TokenType::Literal;
        t.literal = name == u"null" ? 0 : name == u"true" ? 1 : 2;
        t.text = name.toString();
    } else {
        t.type = TokenType::Name;
        t.text = name.toString();
    }
    return t;
}

} // namespace Conflux::Mapping::Internal
