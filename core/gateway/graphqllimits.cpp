#include "graphqllimits.h"

#include "httprequest.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QStringDecoder>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;

namespace Conflux::Gateway {
namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Gateway)
};

// Depths and field counts stop growing here: fragments spread twice in each of a chain of
// fragments multiply, and the count must not overflow.
constexpr qint64 saturation = std::numeric_limits<int>::max();

// Both operands in [0, saturation], so the sum cannot overflow.
qint64 saturatingAdd(qint64 a, qint64 b)
{
    return std::min(a + b, saturation);
}

Error invalid(const QString &message)
{
    return makeError("graphql_invalid", message);
}

// ---- Extraction from HTTP ---------------------------------------------------------------

std::optional<QString> decodeUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

// A URL query parameter, form-decoded ('+' is a space, then percent-decoding as UTF-8).
// nullopt when absent. A parameter given twice is an error: the gateway must measure the
// same value the upstream executes, and servers differ in which one of two they take.
Result<std::optional<QString>> urlParameter(const QUrlQuery &query, const QString &name)
{
    const QStringList values = query.allQueryItemValues(name, QUrl::FullyEncoded);
    if (values.isEmpty())
        return std::optional<QString>();
    if (values.size() > 1) {
        return invalid(Tr::tr("the URL parameter \"%1\" is given %2 times; a GraphQL request gives it once")
                           .arg(name)
                           .arg(values.size()));
    }
    QByteArray encoded = values.first().toLatin1();
    encoded.replace('+', ' ');
    std::optional<QString> decoded = decodeUtf8(QByteArray::fromPercentEncoding(encoded));
    if (!decoded)
        return invalid(Tr::tr("the URL parameter \"%1\" is not valid UTF-8").arg(name));
    return decoded;
}

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null: return u"null"_s;
    case QJsonValue::Bool: return u"a boolean"_s;
    case QJsonValue::Double: return u"a number"_s;
    case QJsonValue::String: return u"a string"_s;
    case QJsonValue::Array: return u"an array"_s;
    case QJsonValue::Object: return u"an object"_s;
    case QJsonValue::Undefined: break;
    }
    return u"nothing"_s;
}

Result<GraphQlRequest> fromJsonBody(const QByteArray &bytes)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        Error error = invalid(Tr::tr("the GraphQL request body is not a JSON object: %1 at byte %2")
                                  .arg(parseError.errorString())
                                  .arg(parseError.offset));
        error.offset = parseError.offset;
        return error;
    }
    if (document.isArray())
        return invalid(Tr::tr("batched GraphQL requests (a JSON array) are not supported"));
    if (!document.isObject())
        return invalid(Tr::tr("the GraphQL request body must be a JSON object"));
    const QJsonObject body = document.object();

    const QJsonValue query = body.value(u"query"_s);
    if (query.isUndefined() || query.isNull()) {
        if (body.value(u"extensions"_s).toObject().contains(u"persistedQuery"_s))
            return invalid(Tr::tr("persisted GraphQL queries are not supported: the request must carry \"query\""));
        return invalid(Tr::tr("the GraphQL request has no \"query\""));
    }
    if (!query.isString())
        return invalid(Tr::tr("\"query\" must be a string, not %1").arg(jsonTypeName(query)));
    if (query.toString().isEmpty())
        return invalid(Tr::tr("the GraphQL request has an empty \"query\""));

    const QJsonValue name = body.value(u"operationName"_s);
    if (!name.isUndefined() && !name.isNull() && !name.isString())
        return invalid(Tr::tr("\"operationName\" must be a string or null, not %1").arg(jsonTypeName(name)));
    for (const QString &member : {u"variables"_s, u"extensions"_s}) {
        const QJsonValue value = body.value(member);
        if (!value.isUndefined() && !value.isNull() && !value.isObject()) {
            return invalid(Tr::tr("\"%1\" must be an object or null, not %2").arg(member, jsonTypeName(value)));
        }
    }
    return GraphQlRequest{query.toString(), name.toString()};
}

// ---- Lexer and parser -------------------------------------------------------------------

enum class Kind : quint8 { End, Punctuator, Spread, Name, Int, Float, String, BlockString };

struct Token
{
    Kind kind = Kind::End;
    qsizetype start = 0;
    qsizetype end = 0;
};

struct Spread
{
    QStringView name;
    qsizetype offset = 0;  // of the "..."
    qint64 base = 0;       // field levels around the spread: its fragment's fields are at base + 1
    qsizetype target = -1; // index of the fragment, once resolved
};

// One operation or fragment definition, measured without its spreads while parsing and
// with them (recursively) once every fragment is known.
struct Definition
{
    enum class State : quint8 { Unvisited, Visiting, Done };

    bool isFragment = false;
    QStringView name;
    QString operationType;
    qsizetype offset = 0;
    qint64 localDepth = 0;
    qint64 localFields = 0;
    std::vector<Spread> spreads;

    State state = State::Unvisited;
    qint64 depth = 0;
    qint64 fields = 0;
};

bool isDigit(char16_t c)
{
    return c >= u'0' && c <= u'9';
}

bool isHexDigit(char16_t c)
{
    return isDigit(c) || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

int hexValue(char16_t c)
{
    return isDigit(c) ? c - u'0' : (c | 0x20) - u'a' + 10;
}

bool isNameStart(char16_t c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
}

bool isNameContinue(char16_t c)
{
    return isNameStart(c) || isDigit(c);
}

// "3:14": 1-based line and column (in UTF-16 units) of a character offset. "\r\n", "\r" and
// "\n" each end a line, as in the GraphQL spec.
QString lineColumn(QStringView source, qsizetype offset)
{
    qsizetype line = 1;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < offset && i < source.size(); ++i) {
        const char16_t c = source[i].unicode();
        if (c == u'\n' || (c == u'\r' && (i + 1 >= source.size() || source[i + 1] != u'\n'))) {
            ++line;
            lineStart = i + 1;
        }
    }
    return u"%1:%2"_s.arg(line).arg(offset - lineStart + 1);
}

// A name or a number from hostile input, shortened for a message.
QString shortened(QStringView text)
{
    constexpr qsizetype maxLength = 40;
    if (text.size() <= maxLength)
        return text.toString();
    return text.first(maxLength).toString() + u"…"_s;
}

QString describeCharacter(QStringView source, qsizetype at)
{
    const char16_t c = source[at].unicode();
    if (c > 0x20 && c < 0x7f)
        return u"'%1'"_s.arg(QChar(c));
    char32_t code = c;
    if (QChar::isHighSurrogate(c) && at + 1 < source.size() && source[at + 1].isLowSurrogate())
        code = QChar::surrogateToUcs4(c, source[at + 1].unicode());
    return u"U+%1"_s.arg(uint(code), 4, 16, QChar(u'0')).toUpper();
}

bool isTypeSystemKeyword(QStringView word)
{
    for (QStringView keyword : {u"schema", u"scalar", u"type", u"interface", u"union", u"enum", u"input",
                                u"directive", u"extend"}) {
        if (word == keyword)
            return true;
    }
    return false;
}

// A recursive-descent parser of the executable subset of the GraphQL grammar, written as
// loops with explicit stacks wherever the grammar nests (selection sets, list and object
// values, list types): any nesting costs heap, never C++ stack. It records what measuring
// needs and keeps nothing else (argument values are checked and skipped).
//
// Every parse function returns false after recording a syntax error; the caller returns
// false at once.
class Parser
{
public:
    explicit Parser(QStringView source) : m_source(source) {}

    bool parseDocument();
    std::vector<Definition> &definitions() { return m_definitions; }
    const Error &error() const { return m_error; }

private:
    // Lexer: advances m_token to the next token after ignored characters.
    bool next();
    bool lexNumber(qsizetype start);
    bool lexString(qsizetype start);
    bool token(Kind kind, qsizetype end)
    {
        m_token.kind = kind;
        m_token.end = end;
        return true;
    }

    bool parseDefinition();
    bool parseVariableDefinitions();
    bool parseType();
    bool parseDirectives(bool isConst);
    bool parseArguments(bool isConst);
    bool parseValue(bool isConst);
    bool parseSelectionSet(Definition &definition);

    bool isPunctuator(char16_t c) const
    {
        return m_token.kind == Kind::Punctuator && m_source[m_token.start] == c;
    }
    bool isName() const { return m_token.kind == Kind::Name; }
    bool isKeyword(QStringView word) const { return isName() && text() == word; }
    QStringView text() const { return m_source.sliced(m_token.start, m_token.end - m_token.start); }
    QString describeToken() const;

    bool fail(qsizetype offset, const QString &message);
    bool unexpected(const QString &expected);
    bool expectPunctuator(char16_t c);
    bool expectName(const QString &what);

    QStringView m_source;
    Token m_token;
    std::vector<Definition> m_definitions;
    Error m_error;
};

bool Parser::fail(qsizetype offset, const QString &message)
{
    m_error = invalid(Tr::tr("GraphQL syntax error at %1: %2").arg(lineColumn(m_source, offset), message));
    m_error.offset = offset;
    return false;
}

QString Parser::describeToken() const
{
    switch (m_token.kind) {
    case Kind::End: return Tr::tr("the end of the document");
    case Kind::Punctuator:
    case Kind::Spread: return u"'%1'"_s.arg(text());
    case Kind::Name: return Tr::tr("the name \"%1\"").arg(shortened(text()));
    case Kind::Int:
    case Kind::Float: return Tr::tr("the number %1").arg(shortened(text()));
    case Kind::String:
    case Kind::BlockString: return Tr::tr("a string");
    }
    return {};
}

bool Parser::unexpected(const QString &expected)
{
    return fail(m_token.start, Tr::tr("expected %1, found %2").arg(expected, describeToken()));
}

bool Parser::expectPunctuator(char16_t c)
{
    if (!isPunctuator(c))
        return unexpected(u"'%1'"_s.arg(QChar(c)));
    return next();
}

bool Parser::expectName(const QString &what)
{
    if (!isName())
        return unexpected(what);
    return next();
}

bool Parser::next()
{
    const qsizetype n = m_source.size();
    qsizetype p = m_token.end;
    while (p < n) {
        const char16_t c = m_source[p].unicode();
        if (c == u' ' || c == u'\t' || c == u',' || c == u'\n' || c == u'\r' || c == 0xfeff) {
            ++p;
        } else if (c == u'#') {
            while (p < n && m_source[p] != u'\n' && m_source[p] != u'\r')
                ++p;
        } else {
            break;
        }
    }
    m_token.start = p;
    if (p >= n)
        return token(Kind::End, p);

    const char16_t c = m_source[p].unicode();
    switch (c) {
    case u'!': case u'$': case u'&': case u'(': case u')': case u':': case u'=': case u'@':
    case u'[': case u']': case u'{': case u'|': case u'}':
        return token(Kind::Punctuator, p + 1);
    case u'.':
        if (p + 2 < n && m_source[p + 1] == u'.' && m_source[p + 2] == u'.')
            return token(Kind::Spread, p + 3);
        return fail(p, Tr::tr("unexpected '.' (a fragment spread is '...')"));
    case u'"':
        return lexString(p);
    default:
        break;
    }
    if (c == u'-' || isDigit(c))
        return lexNumber(p);
    if (isNameStart(c)) {
        qsizetype end = p + 1;
        while (end < n && isNameContinue(m_source[end].unicode()))
            ++end;
        return token(Kind::Name, end);
    }
    return fail(p, Tr::tr("unexpected character %1").arg(describeCharacter(m_source, p)));
}

// IntValue and FloatValue: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, not followed by
// '.' or a name start.
bool Parser::lexNumber(qsizetype start)
{
    const qsizetype n = m_source.size();
    const auto digitAt = [&](qsizetype i) { return i < n && isDigit(m_source[i].unicode()); };
    qsizetype p = start;
    if (m_source[p] == u'-')
        ++p;
    if (p < n && m_source[p] == u'0') {
        ++p;
        if (digitAt(p))
            return fail(p, Tr::tr("invalid number: a number cannot start with 0"));
    } else if (digitAt(p)) {
        while (digitAt(p))
            ++p;
    } else {
        return fail(p, Tr::tr("invalid number: expected a digit after '-'"));
    }
    bool isFloat = false;
    if (p < n && m_source[p] == u'.') {
        ++p;
        if (!digitAt(p))
            return fail(p, Tr::tr("invalid number: expected a digit after '.'"));
        while (digitAt(p))
            ++p;
        isFloat = true;
    }
    if (p < n && (m_source[p] == u'e' || m_source[p] == u'E')) {
        ++p;
        if (p < n && (m_source[p] == u'+' || m_source[p] == u'-'))
            ++p;
        if (!digitAt(p))
            return fail(p, Tr::tr("invalid number: expected a digit in the exponent"));
        while (digitAt(p))
            ++p;
        isFloat = true;
    }
    if (p < n && (m_source[p] == u'.' || isNameStart(m_source[p].unicode())))
        return fail(p, Tr::tr("invalid number: unexpected %1 after it").arg(describeCharacter(m_source, p)));
    return token(isFloat ? Kind::Float : Kind::Int, p);
}

// "..." with escapes (\" \\ \/ \b \f \n \r \t \uXXXX \u{X...}) and no line break, or a
// block string """...""" in which only \""" is an escape.
bool Parser::lexString(qsizetype start)
{
    const qsizetype n = m_source.size();
    const auto tripleQuoteAt = [&](qsizetype i) {
        return i + 2 < n && m_source[i] == u'"' && m_source[i + 1] == u'"' && m_source[i + 2] == u'"';
    };
    if (tripleQuoteAt(start)) {
        qsizetype p = start + 3;
        while (p < n) {
            if (tripleQuoteAt(p))
                return token(Kind::BlockString, p + 3);
            p += m_source[p] == u'\\' && tripleQuoteAt(p + 1) ? 4 : 1;
        }
        return fail(start, Tr::tr("unterminated block string"));
    }

    qsizetype p = start + 1;
    while (p < n) {
        const char16_t c = m_source[p].unicode();
        if (c == u'"')
            return token(Kind::String, p + 1);
        if (c == u'\n' || c == u'\r')
            break;
        if (c != u'\\') {
            ++p;
            continue;
        }
        if (p + 1 >= n)
            break;
        const char16_t escaped = m_source[p + 1].unicode();
        if (QStringView(u"\"\\/bfnrt").contains(QChar(escaped))) {
            p += 2;
            continue;
        }
        if (escaped != u'u')
            return fail(p, Tr::tr("invalid escape sequence \\%1 in a string").arg(QChar(escaped)));
        qsizetype h = p + 2;
        if (h < n && m_source[h] == u'{') {
            ++h;
            quint32 code = 0;
            const qsizetype first = h;
            while (h < n && isHexDigit(m_source[h].unicode())) {
                code = code * 16 + quint32(hexValue(m_source[h].unicode()));
                if (code > 0x10ffff)
                    return fail(p, Tr::tr("invalid Unicode escape sequence: beyond U+10FFFF"));
                ++h;
            }
            if (h == first || h >= n || m_source[h] != u'}')
                return fail(p, Tr::tr("invalid Unicode escape sequence: expected \\u{hex digits}"));
            p = h + 1;
            continue;
        }
        for (qsizetype i = 0; i < 4; ++i) {
            if (h + i >= n || !isHexDigit(m_source[h + i].unicode()))
                return fail(p, Tr::tr("invalid Unicode escape sequence: expected \\u and four hex digits"));
        }
        p = h + 4;
    }
    return fail(start, Tr::tr("unterminated string"));
}

bool Parser::parseDocument()
{
    if (!next())
        return false;
    if (m_token.kind == Kind::End)
        return fail(m_token.start, Tr::tr("the document is empty"));
    while (m_token.kind != Kind::End) {
        if (!parseDefinition())
            return false;
    }
    return true;
}

// OperationDefinition: SelectionSet | OperationType Name? VariableDefinitions? Directives? SelectionSet
// FragmentDefinition: fragment FragmentName TypeCondition Directives? SelectionSet
bool Parser::parseDefinition()
{
    Definition definition;
    definition.offset = m_token.start;
    if (isPunctuator(u'{')) {
        definition.operationType = u"query"_s;
    } else if (isKeyword(u"query") || isKeyword(u"mutation") || isKeyword(u"subscription")) {
        definition.operationType = text().toString();
        if (!next())
            return false;
        if (isName()) {
            definition.name = text();
            if (!next())
                return false;
        }
        if (isPunctuator(u'(') && !parseVariableDefinitions())
            return false;
        if (!parseDirectives(false))
            return false;
    } else if (isKeyword(u"fragment")) {
        definition.isFragment = true;
        if (!next())
            return false;
        if (!isName() || text() == u"on")
            return unexpected(Tr::tr("a fragment name"));
        definition.name = text();
        if (!next())
            return false;
        if (!isKeyword(u"on"))
            return unexpected(Tr::tr("'on' and the fragment's type"));
        if (!next() || !expectName(Tr::tr("a type name after 'on'")) || !parseDirectives(false))
            return false;
    } else if (isName() && isTypeSystemKeyword(text())) {
        return fail(m_token.start, Tr::tr("a GraphQL request cannot define types (\"%1\"), only operations and fragments")
                                       .arg(text()));
    } else if (m_token.kind == Kind::String || m_token.kind == Kind::BlockString) {
        return fail(m_token.start, Tr::tr("a GraphQL request cannot hold descriptions or type definitions, "
                                          "only operations and fragments"));
    } else {
        return unexpected(Tr::tr("an operation or a fragment definition"));
    }
    if (!parseSelectionSet(definition))
        return false;
    m_definitions.push_back(std::move(definition));
    return true;
}

// ( ($name: Type = DefaultValue @directives)+ )
bool Parser::parseVariableDefinitions()
{
    if (!next())
        return false;
    do {
        if (!isPunctuator(u'$'))
            return unexpected(Tr::tr("a variable ('$name') or ')'"));
        if (!next() || !expectName(Tr::tr("a variable name")) || !expectPunctuator(u':') || !parseType())
            return false;
        if (isPunctuator(u'=') && (!next() || !parseValue(true)))
            return false;
        if (!parseDirectives(true))
            return false;
    } while (!isPunctuator(u')'));
    return next();
}

// Name, [Type] or Type!, nested without recursion: count the '[', then close them.
bool Parser::parseType()
{
    qsizetype lists = 0;
    while (isPunctuator(u'[')) {
        ++lists;
        if (!next())
            return false;
    }
    if (!expectName(Tr::tr("a type name")))
        return false;
    if (isPunctuator(u'!') && !next())
        return false;
    for (; lists > 0; --lists) {
        if (!expectPunctuator(u']'))
            return false;
        if (isPunctuator(u'!') && !next())
            return false;
    }
    return true;
}

bool Parser::parseDirectives(bool isConst)
{
    while (isPunctuator(u'@')) {
        if (!next() || !expectName(Tr::tr("a directive name")))
            return false;
        if (isPunctuator(u'(') && !parseArguments(isConst))
            return false;
    }
    return true;
}

// ( (name: Value)+ )
bool Parser::parseArguments(bool isConst)
{
    if (!next())
        return false;
    do {
        if (!expectName(Tr::tr("an argument name or ')'")) || !expectPunctuator(u':') || !parseValue(isConst))
            return false;
    } while (!isPunctuator(u')'));
    return next();
}

// A value, skipped: $variable (unless constant), numbers, strings, names (true, false, null,
// enum values), lists [ Value* ] and objects { (name: Value)* }. `open` holds the closing
// punctuator of each list and object the value is in.
bool Parser::parseValue(bool isConst)
{
    std::vector<char16_t> open;
    for (;;) {
        if (isPunctuator(u'[') || isPunctuator(u'{')) {
            open.push_back(isPunctuator(u'[') ? u']' : u'}');
            if (!next())
                return false;
        } else {
            if (isPunctuator(u'$')) {
                if (isConst)
                    return fail(m_token.start, Tr::tr("a variable cannot be used in a constant value"));
                if (!next())
                    return false;
                if (!isName())
                    return unexpected(Tr::tr("a variable name"));
            } else if (m_token.kind != Kind::Int && m_token.kind != Kind::Float && m_token.kind != Kind::String
                       && m_token.kind != Kind::BlockString && m_token.kind != Kind::Name) {
                return unexpected(open.empty() ? Tr::tr("a value")
                                               : Tr::tr("a value or '%1'").arg(QChar(open.back())));
            }
            if (!next())
                return false;
        }
        // Close the lists and objects that end here; stop where the next value starts.
        for (;;) {
            if (open.empty())
                return true;
            if (isPunctuator(open.back())) {
                open.pop_back();
                if (!next())
                    return false;
                continue;
            }
            if (open.back() == u'}') {
                if (!expectName(Tr::tr("a field name or '}'")) || !expectPunctuator(u':'))
                    return false;
            }
            break;
        }
    }
}

// SelectionSet: { Selection+ }, where a Selection is
//   Field:          (alias:)? name Arguments? Directives? SelectionSet?
//   FragmentSpread: ... FragmentName Directives?
//   InlineFragment: ... (on Type)? Directives? SelectionSet
// Each open selection set is a frame holding the depth of the fields directly in it: a
// field's selection set is one deeper, an inline fragment's is at the same depth.
bool Parser::parseSelectionSet(Definition &definition)
{
    if (!isPunctuator(u'{'))
        return unexpected(Tr::tr("a selection set ('{')"));
    if (!next())
        return false;
    struct Frame
    {
        qint64 depth;
        bool isEmpty;
    };
    std::vector<Frame> frames{{1, true}};
    while (!frames.empty()) {
        if (isPunctuator(u'}')) {
            if (frames.back().isEmpty)
                return unexpected(Tr::tr("a field or a fragment spread"));
            frames.pop_back();
            if (!next())
                return false;
            continue;
        }
        const qint64 depth = frames.back().depth;
        frames.back().isEmpty = false;

        if (m_token.kind == Kind::Spread) {
            const qsizetype spreadOffset = m_token.start;
            if (!next())
                return false;
            if (isName() && text() != u"on") {
                definition.spreads.push_back({text(), spreadOffset, depth - 1});
                if (!next() || !parseDirectives(false))
                    return false;
                continue;
            }
            if (isKeyword(u"on") && (!next() || !expectName(Tr::tr("a type name after 'on'"))))
                return false;
            if (!parseDirectives(false))
                return false;
            if (!isPunctuator(u'{'))
                return unexpected(Tr::tr("the selection set ('{') of an inline fragment"));
            if (!next())
                return false;
            frames.push_back({depth, true});
            continue;
        }

        if (!isName())
            return unexpected(Tr::tr("a field, a fragment spread or '}'"));
        if (!next())
            return false;
        if (isPunctuator(u':') && (!next() || !expectName(Tr::tr("a field name after the alias"))))
            return false;
        definition.localFields = saturatingAdd(definition.localFields, 1);
        definition.localDepth = std::max(definition.localDepth, depth);
        if (isPunctuator(u'(') && !parseArguments(false))
            return false;
        if (!parseDirectives(false))
            return false;
        if (isPunctuator(u'{')) {
            if (!next())
                return false;
            frames.push_back({std::min(depth + 1, saturation), true});
        }
    }
    return true;
}

// ---- Validation and measurement ---------------------------------------------------------

QString cycleText(const std::vector<Definition> &definitions, const std::vector<qsizetype> &cycle)
{
    // A cycle through thousands of fragments is named by its ends.
    constexpr qsizetype shown = 8;
    QStringList names;
    const qsizetype count = qsizetype(cycle.size());
    for (qsizetype i = 0; i < count; ++i) {
        if (count > 2 * shown && i == shown) {
            names.append(u"…"_s);
            i = count - shown;
        }
        names.append(shortened(definitions[size_t(cycle[size_t(i)])].name));
    }
    names.append(shortened(definitions[size_t(cycle.front())].name));
    return names.join(u" → "_s);
}

// Computes every definition's depth and field count with its spreads expanded, each
// fragment once (depth-first, with an explicit stack). Errors: unknown fragments, cycles.
Result<void> resolve(std::vector<Definition> &definitions, const QHash<QStringView, qsizetype> &fragments,
                     QStringView source)
{
    struct Step
    {
        qsizetype definition;
        size_t nextSpread;
    };
    for (size_t root = 0; root < definitions.size(); ++root) {
        if (definitions[root].state != Definition::State::Unvisited)
            continue;
        std::vector<Step> path{{qsizetype(root), 0}};
        definitions[root].state = Definition::State::Visiting;
        while (!path.empty()) {
            Definition &current = definitions[size_t(path.back().definition)];
            if (path.back().nextSpread < current.spreads.size()) {
                Spread &spread = current.spreads[path.back().nextSpread++];
                const auto found = fragments.constFind(spread.name);
                if (found == fragments.constEnd()) {
                    Error error = invalid(Tr::tr("unknown fragment \"%1\" spread at %2")
                                              .arg(shortened(spread.name), lineColumn(source, spread.offset)));
                    error.offset = spread.offset;
                    return error;
                }
                spread.target = *found;
                Definition &target = definitions[size_t(spread.target)];
                if (target.state == Definition::State::Visiting) {
                    std::vector<qsizetype> cycle;
                    auto step = std::find_if(path.cbegin(), path.cend(),
                                             [&](const Step &s) { return s.definition == spread.target; });
                    for (; step != path.cend(); ++step)
                        cycle.push_back(step->definition);
                    Error error = invalid(Tr::tr("fragment cycle %1").arg(cycleText(definitions, cycle)));
                    error.details.append(Tr::tr("the cycle closes at %1").arg(lineColumn(source, spread.offset)));
                    error.offset = spread.offset;
                    return error;
                }
                if (target.state == Definition::State::Unvisited) {
                    target.state = Definition::State::Visiting;
                    path.push_back({spread.target, 0});
                }
                continue;
            }
            qint64 depth = current.localDepth;
            qint64 fields = current.localFields;
            for (const Spread &spread : current.spreads) {
                const Definition &fragment = definitions[size_t(spread.target)];
                depth = std::max(depth, std::min(spread.base + fragment.depth, saturation));
                fields = saturatingAdd(fields, fragment.fields);
            }
            current.depth = depth;
            current.fields = fields;
            current.state = Definition::State::Done;
            path.pop_back();
        }
    }
    return {};
}

qint64 utf8Length(QStringView text)
{
    qint64 bytes = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (c < 0x80) {
            bytes += 1;
        } else if (c < 0x800) {
            bytes += 2;
        } else if (QChar::isHighSurrogate(c) && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            bytes += 4;
            ++i;
        } else {
            bytes += 3;
        }
    }
    return bytes;
}

} // namespace

Result<GraphQlRequest> extractGraphQl(const Http::HttpRequest &request)
{
    if (request.method == "GET") {
        const Result<std::optional<QString>> query = urlParameter(request.query, u"query"_s);
        if (!query)
            return query.error();
        if (!query->has_value() || (*query)->isEmpty())
            return invalid(Tr::tr("the GraphQL request has no \"query\" URL parameter"));
        const Result<std::optional<QString>> name = urlParameter(request.query, u"operationName"_s);
        if (!name)
            return name.error();
        return GraphQlRequest{**query, name->value_or(QString())};
    }
    if (request.method != "POST") {
        return invalid(Tr::tr("a GraphQL request is a GET or a POST, not a %1")
                           .arg(QString::fromLatin1(request.method)));
    }

    const QByteArray contentType = request.header("Content-Type");
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArray mediaType = (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
    if (mediaType == "application/json")
        return fromJsonBody(request.body);
    if (mediaType == "application/graphql") {
        const std::optional<QString> query = decodeUtf8(request.body);
        if (!query)
            return invalid(Tr::tr("the GraphQL request body is not valid UTF-8"));
        if (query->isEmpty())
            return invalid(Tr::tr("the GraphQL request body is empty"));
        const Result<std::optional<QString>> name = urlParameter(request.query, u"operationName"_s);
        if (!name)
            return name.error();
        return GraphQlRequest{*query, name->value_or(QString())};
    }
    if (contentType.isEmpty())
        return invalid(Tr::tr("a GraphQL POST request needs Content-Type application/json"));
    return invalid(Tr::tr("a GraphQL POST request has Content-Type application/json (or application/graphql), "
                          "not \"%1\"")
                       .arg(QString::fromLatin1(contentType)));
}

Result<GraphQlAnalysis> analyzeGraphQl(QStringView query, const QString &operationName,
                                       const GraphQlLimits &limits)
{
    if (limits.maxQueryBytes > 0) {
        const qint64 bytes = utf8Length(query);
        if (bytes > limits.maxQueryBytes) {
            return makeError("graphql_too_large",
                             Tr::tr("the GraphQL query is %1 bytes long, more than the limit of %2 bytes")
                                 .arg(bytes)
                                 .arg(limits.maxQueryBytes));
        }
    }

    Parser parser(query);
    if (!parser.parseDocument())
        return parser.error();
    std::vector<Definition> &definitions = parser.definitions();

    QHash<QStringView, qsizetype> fragments;
    QHash<QStringView, qsizetype> operationsByName;
    std::vector<qsizetype> operations;
    qsizetype anonymous = -1;
    for (size_t i = 0; i < definitions.size(); ++i) {
        const Definition &definition = definitions[i];
        QHash<QStringView, qsizetype> &names = definition.isFragment ? fragments : operationsByName;
        if (!definition.isFragment) {
            operations.push_back(qsizetype(i));
            if (definition.name.isEmpty()) {
                anonymous = qsizetype(i);
                continue;
            }
        }
        const auto earlier = names.constFind(definition.name);
        if (earlier != names.constEnd()) {
            Error error = invalid((definition.isFragment ? Tr::tr("fragment \"%1\" is defined twice, at %2 and %3")
                                                         : Tr::tr("operation \"%1\" is defined twice, at %2 and %3"))
                                      .arg(shortened(definition.name),
                                           lineColumn(query, definitions[size_t(*earlier)].offset),
                                           lineColumn(query, definition.offset)));
            error.offset = definition.offset;
            return error;
        }
        names.insert(definition.name, qsizetype(i));
    }
    if (anonymous >= 0 && operations.size() > 1) {
        Error error = invalid(Tr::tr("the anonymous operation at %1 must be the only operation in the document")
                                  .arg(lineColumn(query, definitions[size_t(anonymous)].offset)));
        error.offset = definitions[size_t(anonymous)].offset;
        return error;
    }

    const Result<void> resolved = resolve(definitions, fragments, query);
    if (!resolved)
        return resolved.error();

    qsizetype chosen = -1;
    if (!operationName.isEmpty()) {
        chosen = operationsByName.value(QStringView(operationName), -1);
        if (chosen < 0)
            return invalid(Tr::tr("the GraphQL document has no operation named \"%1\"").arg(shortened(operationName)));
    } else if (operations.size() == 1) {
        chosen = operations.front();
    } else if (operations.empty()) {
        return invalid(Tr::tr("the GraphQL document has no operation, only fragments"));
    } else {
        return invalid(Tr::tr("the GraphQL document has %1 operations; operationName must name the one to run")
                           .arg(operations.size()));
    }
    const Definition &operation = definitions[size_t(chosen)];

    if (limits.maxDepth > 0 && operation.depth > limits.maxDepth) {
        return makeError("graphql_too_deep",
                         Tr::tr("query depth %1 exceeds the limit of %2").arg(operation.depth).arg(limits.maxDepth));
    }
    if (limits.maxFields > 0 && operation.fields > limits.maxFields) {
        const QString count = operation.fields >= saturation ? Tr::tr("at least %1").arg(saturation)
                                                             : QString::number(operation.fields);
        return makeError("graphql_too_complex",
                         Tr::tr("query selects %1 fields (fragments expanded), more than the limit of %2")
                             .arg(count)
                             .arg(limits.maxFields));
    }

    GraphQlAnalysis analysis;
    analysis.depth = int(operation.depth);
    analysis.fields = int(operation.fields);
    analysis.operationName = operation.name.toString();
    analysis.operationType = operation.operationType;
    return analysis;
}

} // namespace Conflux::Gateway
