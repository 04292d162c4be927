#include "bodyformat.h"

#include <QCoreApplication>
#include <QXmlStreamReader>
#include <QXmlStreamWriter>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

QString trFormat(const char *text)
{
    return QCoreApplication::translate("Conflux::Ui::BodyFormat", text);
}

bool startsLike(const QByteArray &body, char c)
{
    for (char b : body) {
        if (b == ' ' || b == '\t' || b == '\r' || b == '\n')
            continue;
        return b == c;
    }
    return false;
}

// Fold ranges from a text whose openings and closings are known per line: a stack of open
// lines, closed by the line that ends each.
class FoldCollector
{
public:
    void open(int line) { m_open.append(line); }
    void close(int line)
    {
        if (m_open.isEmpty())
            return;
        const int first = m_open.takeLast();
        if (line > first)
            m_folds.append({first, line});
    }
    QList<FoldRange> folds()
    {
        std::sort(m_folds.begin(), m_folds.end(), [](const FoldRange &a, const FoldRange &b) { return a.first < b.first; });
        return m_folds;
    }

private:
    QList<int> m_open;
    QList<FoldRange> m_folds;
};

} // namespace

BodyKind detectBodyKind(const QByteArray &contentType, const QByteArray &body)
{
    const QByteArray type = contentType.toLower();
    if (type.contains("json"))
        return BodyKind::Json;
    if (type.contains("html"))
        return BodyKind::Html;
    if (type.contains("xml"))
        return BodyKind::Xml;
    if (type.startsWith("image/") || type.startsWith("audio/") || type.startsWith("video/")
        || type.contains("octet-stream") || type.contains("zip") || type.contains("pdf"))
        return BodyKind::Binary;
    if (body.left(4096).contains('\0'))
        return BodyKind::Binary;
    if (startsLike(body, '{') || startsLike(body, '['))
        return BodyKind::Json;
    if (startsLike(body, '<'))
        return body.left(512).toLower().contains("<!doctype html") || body.left(512).toLower().contains("<html")
            ? BodyKind::Html : BodyKind::Xml;
    return BodyKind::Text;
}

FormattedBody formatJson(const QByteArray &body)
{
    FormattedBody out;
    QByteArray text;
    text.reserve(body.size() + body.size() / 4);
    FoldCollector folds;
    int depth = 0;
    int line = 0;
    QList<char> stack;
    bool expectValue = true;   // right after '[', ',', ':' or at the start
    auto newline = [&] {
        text.append('\n');
        text.append(QByteArray(depth * 2, ' '));
        ++line;
    };
    auto fail = [&](qsizetype offset, const QString &what) {
        out.text = QString::fromUtf8(body);
        out.problem = trFormat("%1 at byte %2").arg(what).arg(offset);
        return out;
    };

    const qsizetype n = body.size();
    qsizetype i = 0;
    bool seenValue = false;
    while (i < n) {
        const char c = body.at(i);
        switch (c) {
        case ' ': case '\t': case '\r': case '\n':
            ++i;
            continue;
        case '{': case '[': {
            if (!expectValue)
                return fail(i, trFormat("unexpected '%1'").arg(QChar::fromLatin1(c)));
            const char close = c == '{' ? '}' : ']';
            // An empty object or array stays on one line.
            qsizetype next = i + 1;
            while (next < n && QByteArrayView(" \t\r\n").contains(body.at(next)))
                ++next;
            if (next < n && body.at(next) == close) {
                text.append(c).append(close);
                i = next + 1;
                expectValue = false;
                seenValue = true;
                continue;
            }
            text.append(c);
            folds.open(line);
            stack.append(close);
            ++depth;
            newline();
            expectValue = true;
            ++i;
            continue;
        }
        case '}': case ']':
            if (stack.isEmpty() || stack.last() != c)
                return fail(i, trFormat("unexpected '%1'").arg(QChar::fromLatin1(c)));
            stack.removeLast();
            --depth;
            newline();
            text.append(c);
            folds.close(line);
            expectValue = false;
            ++i;
            continue;
        case ',':
            if (stack.isEmpty() || expectValue)
                return fail(i, trFormat("unexpected ','"));
            text.append(',');
            newline();
            expectValue = true;
            ++i;
            continue;
        case ':':
            if (stack.isEmpty() || stack.last() != '}')
                return fail(i, trFormat("unexpected ':'"));
            text.append(": ");
            expectValue = true;
            ++i;
            continue;
        case '"': {
            qsizetype end = i + 1;
            while (end < n && body.at(end) != '"') {
                if (body.at(end) == '\n')
                    return fail(end, trFormat("line break inside a string"));
                end += body.at(end) == '\\' ? 2 : 1;
            }
            if (end >= n)
                return fail(i, trFormat("unterminated string"));
            text.append(body.constData() + i, end + 1 - i);
            i = end + 1;
            expectValue = false;
            seenValue = true;
            continue;
        }
        default: {
            // Numbers and the literals, copied as spelled.
            qsizetype end = i;
            while (end < n && !QByteArrayView(" \t\r\n,:]}[{\"").contains(body.at(end)))
                ++end;
            const QByteArrayView word(body.constData() + i, end - i);
            const bool literal = word == "true" || word == "false" || word == "null";
            const bool number = !word.isEmpty() && (QByteArrayView("-0123456789").contains(word.at(0)));
            if (!expectValue || (!literal && !number))
                return fail(i, trFormat("unexpected '%1'").arg(QString::fromUtf8(word.first(std::min<qsizetype>(word.size(), 20)))));
            text.append(word);
            i = end;
            expectValue = false;
            seenValue = true;
            continue;
        }
        }
    }
    if (!stack.isEmpty())
        return fail(n, trFormat("the body ends inside an object or array"));
    if (!seenValue)
        return fail(0, trFormat("no JSON value"));
    out.text = QString::fromUtf8(text);
    out.folds = folds.folds();
    out.reformatted = true;
    return out;
}

FormattedBody formatXml(const QByteArray &body)
{
    FormattedBody out;
    QXmlStreamReader reader(body);
    QString text;
    QXmlStreamWriter writer(&text);
    writer.setAutoFormatting(true);
    writer.setAutoFormattingIndent(2);
    while (!reader.atEnd()) {
        reader.readNext();
        if (reader.tokenType() == QXmlStreamReader::StartDocument)
            continue;   // the declaration is written back below, as it was
        if (reader.tokenType() == QXmlStreamReader::Characters && reader.isWhitespace())
            continue;   // indentation is ours now
        writer.writeCurrentToken(reader);
    }
    if (reader.hasError()) {
        out.text = QString::fromUtf8(body);
        out.problem = trFormat("line %1, column %2: %3")
                          .arg(reader.lineNumber()).arg(reader.columnNumber()).arg(reader.errorString());
        return out;
    }
    if (text.startsWith(u'\n'))
        text.remove(0, 1);
    const qsizetype declarationEnd = body.startsWith("<?xml") ? body.indexOf("?>") : -1;
    if (declarationEnd > 0)
        text.prepend(QString::fromUtf8(body.left(declarationEnd + 2)) + u'\n');

    // Folds: an opening tag on a line of its own whose closing tag is on a later line.
    FoldCollector folds;
    const QStringList lines = text.split(u'\n');
    for (int l = 0; l < lines.size(); ++l) {
        const QString trimmed = lines.at(l).trimmed();
        if (trimmed.startsWith(u"</"))
            folds.close(l);
        else if (trimmed.startsWith(u'<') && !trimmed.startsWith(u"<?") && !trimmed.startsWith(u"<!")
                 && !trimmed.endsWith(u"/>") && !trimmed.contains(u"</"))
            folds.open(l);
    }
    out.text = text;
    out.folds = folds.folds();
    out.reformatted = true;
    return out;
}

FormattedBody formatBody(BodyKind kind, const QByteArray &body)
{
    switch (kind) {
    case BodyKind::Json:
        return formatJson(body);
    case BodyKind::Xml:
        return formatXml(body);
    case BodyKind::Html:
    case BodyKind::Text:
        return {QString::fromUtf8(body), {}, false, {}};
    case BodyKind::Binary:
        break;
    }
    return {QCoreApplication::translate("Conflux::Ui::BodyFormat", "(%n byte(s) of binary data; save the body to look at it)",
                                        nullptr, int(body.size())),
            {}, false, {}};
}

} // namespace Conflux::Ui
