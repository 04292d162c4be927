#pragma once

#include "bodyformat.h"

#include <QPlainTextEdit>
#include <QSet>

class QSyntaxHighlighter;

namespace Conflux::Ui {

// A read-only view of a message body: pretty-printed (JSON or XML, highlighted, with
// folding of objects, arrays and elements from the line-number gutter) or raw, as it came.
// Bodies over displayLimit() show their beginning and say so; the whole body is still what
// "save" writes.
class CodeView final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CodeView)

public:
    explicit CodeView(QWidget *parent = nullptr);

    static qsizetype displayLimit();

    void setBody(BodyKind kind, const QByteArray &body, bool pretty);
    void clearBody();
    const FormattedBody &formatted() const { return m_formatted; }
    bool isTruncated() const { return m_truncated; }

    QList<FoldRange> folds() const { return m_formatted.folds; }
    bool isFolded(int firstLine) const { return m_folded.contains(firstLine); }
    // Folds or unfolds the region starting at `firstLine` (0-based); false when none does.
    bool toggleFold(int firstLine);
    void foldAll();
    void unfoldAll();

    // Where a line is, in viewport (and gutter) coordinates; empty when it is hidden.
    QRect lineRect(int line) const;

    int gutterWidth() const;
    void paintGutter(QPaintEvent *event);
    void gutterClicked(const QPoint &position);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    void applyFolds();
    void updateGutterWidth();
    const FoldRange *foldAt(int firstLine) const;

    QWidget *m_gutter = nullptr;
    QSyntaxHighlighter *m_highlighter = nullptr;
    FormattedBody m_formatted;
    QSet<int> m_folded;
    bool m_truncated = false;
};

} // namespace Conflux::Ui
