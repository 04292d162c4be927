#include "jsonhighlighter.h"

#include <QColor>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {
namespace {

bool isNumberChar(QChar c)
{
    return c.isDigit() || c == u'-' || c == u'+' || c == u'.' || c == u'e' || c == u'E';
}

} // namespace

JsonHighlighter::JsonHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    m_key.setForeground(QColor(0x1f, 0x4e, 0x9c));
    m_string.setForeground(QColor(0x2b, 0x7a, 0x30));
    m_number.setForeground(QColor(0x9c, 0x3d, 0xa8));
    m_literal.setForeground(QColor(0xb3, 0x5c, 0x00));
    m_literal.setFontWeight(QFont::DemiBold);
    m_punctuation.setForeground(QColor(0x6b, 0x72, 0x80));
    m_invalid.setForeground(QColor(0xc0, 0x1c, 0x28));
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    const qsizetype n = text.size();
    qsizetype i = 0;
    while (i < n) {
        const QChar c = text.at(i);
        if (c.isSpace()) {
            ++i;
        } else if (c == u'"') {
            qsizetype end = i + 1;
            while (end < n && text.at(end) != u'"')
                end += text.at(end) == u'\\' ? 2 : 1;
            end = std::min(end + 1, n);
            // A string followed by ':' is a member name.
            qsizetype next = end;
            while (next < n && text.at(next).isSpace())
                ++next;
            const bool isKey = next < n && text.at(next) == u':';
            setFormat(int(i), int(end - i), isKey ? m_key : m_string);
            i = end;
        } else if (c.isDigit() || c == u'-') {
            qsizetype end = i + 1;
            while (end < n && isNumberChar(text.at(end)))
                ++end;
            setFormat(int(i), int(end - i), m_number);
            i = end;
        } else if (c.isLetter()) {
            qsizetype end = i + 1;
            while (end < n && text.at(end).isLetterOrNumber())
                ++end;
            const QStringView word = QStringView(text).mid(i, end - i);
            const bool literal = word == u"true" || word == u"false" || word == u"null";
            setFormat(int(i), int(end - i), literal ? m_literal : m_invalid);
            i = end;
        } else {
            if (QStringView(u"{}[]:,").contains(c))
                setFormat(int(i), 1, m_punctuation);
            else
                setFormat(int(i), 1, m_invalid);
            ++i;
        }
    }
}

} // namespace Conflux::Ui
