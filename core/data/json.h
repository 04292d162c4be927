#pragma once

#include "base/result.h"
#include "data/value.h"

#include <QByteArray>
#include <QByteArrayView>

namespace Conflux::Data::Json {

// What parse() does when an object names the same member twice (RFC 8259 leaves it open).
enum class DuplicateKeys {
    LastWins, // JSON.parse and jsonata-js: the last value, at the position of the first key
    Reject    // error "json_duplicate_key" naming the key and its byte offset
};

struct ReadOptions
{
    int maxDepth = 512;                      // nested arrays/objects; deeper is "json_limit"
    qint64 maxBytes = 256 * 1024 * 1024;     // input size; larger is "json_limit"
    DuplicateKeys duplicateKeys = DuplicateKeys::LastWins;
};

struct WriteOptions
{
    bool pretty = false;     // JSON.stringify(v, null, indent) instead of JSON.stringify(v)
    int indent = 2;          // spaces per level when pretty (clamped to 0..10 like JavaScript)
    bool asciiOnly = false;  // write non-ASCII characters as \uXXXX escapes
};

// Parses one JSON text (RFC 8259, strict): no comments, no trailing commas, no NaN or
// Infinity, one top-level value of any type with only whitespace around it. A UTF-8 byte
// order mark at the start is skipped. Invalid UTF-8 and unpaired surrogate escapes are
// errors. Numbers follow Value::numberFromText: integers beyond 2^53 keep their exact
// text; a number beyond double range is an error, one too small for a double reads as 0.
//
// Errors: Error::code is "json_syntax", "json_limit" or "json_duplicate_key"; the message
// says what and where ("unexpected character '}' at byte 1234 (line 7, column 3): expected
// a value"; columns count characters); Error::offset is the byte offset in `utf8`.
// Thread-safe (no shared state); the result shares nothing with the input.
Result<Value> parse(QByteArrayView utf8, const ReadOptions &options = {});

// Writes `value` the way JSON.stringify does: compact, or indented when options.pretty.
// Members whose value is undefined or a function are skipped; such array items become
// null. NaN and infinities become null. Numbers use formatNumber() (JavaScript's text);
// integers kept as exact text are written as that text. Strings are escaped like
// JSON.stringify (\" \\ \b \f \n \r \t, other control characters and unpaired surrogates
// as \u00xx / \udxxx) and are otherwise UTF-8. An undefined or function value at the top
// level writes nothing (JSON.stringify returns undefined). Thread-safe.
QByteArray serialize(const Value &value, const WriteOptions &options = {});
// Appends to `out` instead (for writers that batch many values into one buffer).
void serialize(const Value &value, QByteArray &out, const WriteOptions &options = {});

} // namespace Conflux::Data::Json
