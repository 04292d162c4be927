#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace Conflux::Ui {

// What a message body is, for showing it: from its Content-Type, else from its first bytes.
enum class BodyKind { Json, Xml, Html, Text, Binary };
BodyKind detectBodyKind(const QByteArray &contentType, const QByteArray &body);

// A region that can be folded: the lines of an object, array or element, 0-based,
// `first` holding the opening and `last` the closing.
struct FoldRange
{
    int first = 0;
    int last = 0;
};

struct FormattedBody
{
    QString text;
    QList<FoldRange> folds;   // ordered by `first`
    bool reformatted = false; // false when the body is shown as it came (not well-formed)
    QString problem;          // why it was not reformatted, with the byte offset
};

// Indents JSON by two spaces per level, keeping member order, duplicate members and
// number spellings exactly as sent (the body is re-spaced, not parsed and re-serialized).
// A body that is not well-formed comes back unchanged with the offset of the problem.
FormattedBody formatJson(const QByteArray &body);
// Indents XML (elements, attributes, text, comments, CDATA and processing instructions in
// document order); a body that is not well-formed comes back unchanged with the line and
// column of the problem.
FormattedBody formatXml(const QByteArray &body);
// formatJson, formatXml, or the text as it is, by kind.
FormattedBody formatBody(BodyKind kind, const QByteArray &body);

} // namespace Conflux::Ui
