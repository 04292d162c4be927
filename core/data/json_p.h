#pragma once

// The JSON parser's internals, shared by Json::parse() and JsonStreamReader.

#include "data/json.h"

#include <QCoreApplication>
#include <QHash>
#include <QString>
#include <QStringView>

#include <memory>
#include <vector>

namespace Conflux::Data::Json::Internal {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Data::Json)
};

// A problem found by the Parser, positioned relative to the text it was given. The caller
// knows the absolute offset and the line/column base and builds the Error.
struct ParseError
{
    const char *code = "json_syntax";
    qint64 position = -1;
    QString what;    // "unexpected character '}'"
    QString detail;  // "expected a value" (may be empty)
};

struct LineColumn
{
    qint64 line = 1;    // 1-based
    qint64 column = 1;  // 1-based, in characters (UTF-8 sequences count once)
};

// Line and column of `pos` within [begin, pos), counting from line 1, column 1.
LineColumn lineColumn(const char *begin, const char *pos);

// "unexpected character 'x'", "invalid UTF-8 byte 0xFF" or "unexpected end of input"
// (when p == end) for the byte at p.
QString unexpectedWhat(const char *p, const char *end);

// "<what> at byte <offset> (line L, column C)<context>: <detail>"
Error makeError(const ParseError &error, qint64 offset, LineColumn where,
                const QString &context = QString());

// Object keys repeat across records; the cache maps a key's raw bytes to one shared
// QString so each record's members reuse it instead of allocating again. Two-way, small,
// fixed size, so it never grows with the input.
class KeyCache
{
public:
    QString lookup(const char *bytes, qsizetype size, bool ascii);

private:
    struct Entry
    {
        QByteArray raw;
        QString key;
    };
    static constexpr qsizetype slotCount = 128;
    static constexpr qsizetype maxKeySize = 64;
    std::unique_ptr<Entry[]> m_slots;
};

// A strict RFC 8259 parser over UTF-8 bytes. Iterative (an explicit stack), so the depth
// limit, not the thread's stack, bounds nesting. Reusable: scratch stacks and the key
// cache survive between calls, which is what makes parsing a stream of records cheap.
class Parser
{
public:
    explicit Parser(const ReadOptions &options) : m_options(options) {}

    // Parses exactly one value in [begin, end), with only whitespace before and after.
    bool parse(const char *begin, const char *end, Value &out);
    // Absolute offset of `begin`, for messages that mention another position.
    void setBaseOffset(qint64 offset) { m_baseOffset = offset; }
    const ParseError &error() const { return m_error; }

private:
    struct Frame
    {
        size_t base = 0;         // first scratch slot of this container
        bool object = false;
        QString key;             // the member being read
        const unsigned char *keyPos = nullptr;
        std::unique_ptr<QHash<QStringView, qsizetype>> index; // for large objects
    };

    bool parseValue(Value &out);
    bool parseKey(Frame &frame, bool afterComma);
    bool parseString(QString &out, bool isKey);
    bool decodeEscaped(const unsigned char *begin, const unsigned char *end, QString &out);
    bool parseNumber(Value &out);
    bool parseLiteral(const char *word, qsizetype size, Value value, Value &out);
    bool addMember(Frame &frame, Value &&value);
    Value finishObject(Frame &frame);
    Value finishArray(Frame &frame);
    void skipWhitespace();

    bool fail(const unsigned char *at, const QString &what, const QString &detail = QString(),
              const char *code = "json_syntax");
    bool unexpected(const unsigned char *at, const QString &expected);

    ReadOptions m_options;
    const unsigned char *m_begin = nullptr;
    const unsigned char *m_p = nullptr;
    const unsigned char *m_end = nullptr;
    qint64 m_baseOffset = 0;
    int m_depth = 0;
    std::vector<Frame> m_frames;
    std::vector<Value> m_items;
    std::vector<Object::Member> m_members;
    KeyCache m_keys;
    ParseError m_error;
};

// serialize() for a value that sits `level` levels deep in pretty output (stream writers
// that emit the enclosing array themselves).
void serializeAt(const Value &value, QByteArray &out, const WriteOptions &options, int level);

// The number of bytes of the valid UTF-8 sequence at `p` (2..4; ASCII is handled by the
// caller), or 0 when it is invalid or truncated: overlong forms, surrogates and code
// points past U+10FFFF are invalid, as RFC 3629 says.
int utf8SequenceLength(const unsigned char *p, const unsigned char *end);

} // namespace Conflux::Data::Json::Internal
