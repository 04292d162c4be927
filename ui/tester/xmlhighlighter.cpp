#include "xmlhighlighter.h"

#include <QColor>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {
enum State { Normal = -1, InComment = 1, InCdata = 2, InTag = 3 };
}

XmlHighlighter::XmlHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    m_tag.setForeground(QColor(0x1f, 0x4e, 0x9c));
    m_attribute.setForeground(QColor(0x9c, 0x3d, 0xa8));
    m_value.setForeground(QColor(0x2b, 0x7a, 0x30));
    m_comment.setForeground(QColor(0x6b, 0x72, 0x80));
    m_comment.setFontItalic(true);
    m_cdata.setForeground(QColor(0xb3, 0x5c, 0x00));
    m_entity.setForeground(QColor(0xb3, 0x5c, 0x00));
}

void XmlHighlighter::highlightBlock(const QString &text)
{
    const qsizetype n = text.size();
    qsizetype i = 0;
    int state = previousBlockState();

    // Runs to `terminator`, formatting up to it; returns whether it was found.
    auto runTo = [&](QStringView terminator, const QTextCharFormat &format) {
        const qsizetype end = text.indexOf(terminator, i);
        const qsizetype stop = end < 0 ? n : end + terminator.size();
        setFormat(int(i), int(stop - i), format);
        i = stop;
        return end >= 0;
    };

    while (i < n) {
        if (state == InComment) {
            state = runTo(u"-->", m_comment) ? Normal : InComment;
            continue;
        }
        if (state == InCdata) {
            state = runTo(u"]]>", m_cdata) ? Normal : InCdata;
            continue;
        }
        if (state == InTag) {
            // Attributes until '>' (a tag may span lines).
            const QChar c = text.at(i);
            if (c == u'>' || (c == u'/' && i + 1 < n && text.at(i + 1) == u'>') || (c == u'?' && i + 1 < n && text.at(i + 1) == u'>')) {
                const qsizetype len = c == u'>' ? 1 : 2;
                setFormat(int(i), int(len), m_tag);
                i += len;
                state = Normal;
            } else if (c == u'"' || c == u'\'') {
                qsizetype end = text.indexOf(c, i + 1);
                end = end < 0 ? n : end + 1;
                setFormat(int(i), int(end - i), m_value);
                i = end;
            } else if (c.isSpace() || c == u'=') {
                ++i;
            } else {
                qsizetype end = i;
                while (end < n && !text.at(end).isSpace() && text.at(end) != u'=' && text.at(end) != u'>'
                       && text.at(end) != u'/')
                    ++end;
                setFormat(int(i), int(std::max<qsizetype>(end - i, 1)), m_attribute);
                i = std::max(end, i + 1);
            }
            continue;
        }
        const QStringView rest = QStringView(text).mid(i);
        if (rest.startsWith(u"<!--")) {
            state = InComment;
            setFormat(int(i), 4, m_comment);
            i += 4;
        } else if (rest.startsWith(u"<![CDATA[")) {
            state = InCdata;
            setFormat(int(i), 9, m_cdata);
            i += 9;
        } else if (rest.startsWith(u'<')) {
            qsizetype end = i + 1;
            while (end < n && !text.at(end).isSpace() && text.at(end) != u'>' && text.at(end) != u'/')
                ++end;
            if (end < n && text.at(end) == u'/' && end == i + 1)   // "</name"
                for (++end; end < n && !text.at(end).isSpace() && text.at(end) != u'>'; ++end) {}
            setFormat(int(i), int(end - i), m_tag);
            i = end;
            state = InTag;
        } else if (rest.startsWith(u'&')) {
            const qsizetype end = text.indexOf(u';', i);
            const qsizetype stop = end < 0 ? i + 1 : end + 1;
            setFormat(int(i), int(stop - i), m_entity);
            i = stop;
        } else {
            ++i;
        }
    }
    setCurrentBlockState(state);
}

} // namespace Conflux::Ui
