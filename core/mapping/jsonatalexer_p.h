#pragma once

// Tokenizer of JSONata expressions. Internal to core/mapping.

#include <QString>
#include <QStringView>

namespace Conflux::Mapping::Internal {

enum class TokenType : std::uint8_t { End, Name, Variable, String, Number, Literal, Regex, Operator };

struct Token
{
    TokenType type = TokenType::End;
    QString text;        // name, variable (without $), string value, operator, regex pattern
    QString flags;       // regex flags
    double number = 0;   // Number
    int literal = 0;     // Literal: 0 null, 1 true, 2 false
    int position = 0;    // offset of the first character
};

// Reads one token at a time. Whether `/` starts a regular expression depends on where the
// parser is: after an operand it is division (`infix`), elsewhere a regex literal.
// Throws JsonataException (S01xx, S030x) on malformed input.
class Lexer
{
public:
    explicit Lexer(QStringView source) : m_source(source) {}

    Token next(bool infix);
    int position() const { return m_position; }

private:
    Token scanRegex(int start);
    Token scanString(char16_t quote);
    QChar at(qsizetype i) const { return i < m_source.size() ? m_source[i] : QChar(); }

    QStringView m_source;
    int m_position = 0;
};

// The operator characters that end a name.
bool isOperatorChar(char16_t c);

} // namespace Conflux::Mapping::Internal
