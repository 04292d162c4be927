#pragma once

#include "diagnostic.h"

#include <QByteArray>
#include <QHash>
#include <QJsonValue>

#include <optional>

namespace Conflux::Model {

// The canonical text of a project document: 2-space indent, one member or element per
// line, a trailing newline, UTF-8 without escaping non-ASCII, and a stable key order —
// at every level "kind", "schemaVersion", "id", "name", "description", "type" first, then
// the other keys in code-point order. Writing a parsed canonical file gives the same bytes
// back, so saving an unchanged project changes nothing and changing one field changes one
// line. Integral numbers of magnitude below 2^53 are written without a fraction; other
// numbers in the shortest form that reads back to the same double.
QByteArray canonicalJson(const QJsonValue &value);

// Escapes a member name for use in a JSON pointer (RFC 6901: "~" → "~0", "/" → "~1").
QString escapePointerToken(const QString &token);
QString appendPointer(const QString &pointer, const QString &token);
QString appendPointer(const QString &pointer, qsizetype index);

// Where things are in a JSON text. Built from text that QJsonDocument already accepted.
class JsonSourceMap
{
public:
    struct Position
    {
        int line = 0;   // 1-based
        int column = 0; // 1-based, in characters
    };

    static JsonSourceMap build(const QByteArray &text);

    // The position of the value at `pointer` (for an object member, of its key).
    std::optional<Position> position(const QString &pointer) const;
    // The nearest located ancestor's position when `pointer` itself is not in the text
    // (for example a missing required member).
    Position nearest(const QString &pointer) const;
    // Object members that occur more than once (RFC 8259 leaves them undefined; Conflux
    // refuses them), as pointers to the second and later occurrences.
    const QStringList &duplicateKeys() const { return m_duplicates; }

private:
    QHash<QString, Position> m_positions;
    QStringList m_duplicates;
};

// Parses a document. On a syntax error returns a Diagnostic with line and column; a
// document whose root is not an object, or with duplicate member names, is an error too.
struct ParsedDocument
{
    QJsonValue value;
    JsonSourceMap sourceMap;
    Diagnostics errors;
};
ParsedDocument parseDocument(const QString &file, const QByteArray &text);

} // namespace Conflux::Model
