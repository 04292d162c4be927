#pragma once

#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace Conflux::Ui {

// XML (and HTML) colouring: tags, attribute names and values, comments, CDATA sections
// and processing instructions. Comments and CDATA may span lines: the block state says
// whether a block starts inside one.
class XmlHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(XmlHighlighter)

public:
    explicit XmlHighlighter(QTextDocument *document);

protected:
    void highlightBlock(const QString &text) override;

private:
    QTextCharFormat m_tag;
    QTextCharFormat m_attribute;
    QTextCharFormat m_value;
    QTextCharFormat m_comment;
    QTextCharFormat m_cdata;
    QTextCharFormat m_entity;
};

} // namespace Conflux::Ui
