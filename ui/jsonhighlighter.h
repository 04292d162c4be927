#pragma once

#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace Conflux::Ui {

// JSON syntax colouring: member names, strings, numbers, literals and punctuation.
// JSON strings cannot span lines, so every block is scanned on its own.
class JsonHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JsonHighlighter)

public:
    explicit JsonHighlighter(QTextDocument *document);

protected:
    void highlightBlock(const QString &text) override;

private:
    QTextCharFormat m_key;
    QTextCharFormat m_string;
    QTextCharFormat m_number;
    QTextCharFormat m_literal;
    QTextCharFormat m_punctuation;
    QTextCharFormat m_invalid;
};

} // namespace Conflux::Ui
