#include "codeview.h"

#include "jsonhighlighter.h"
#include "xmlhighlighter.h"

#include <QFontDatabase>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QTextBlock>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

constexpr int foldMarkerWidth = 14;

class Gutter final : public QWidget
{
public:
    explicit Gutter(CodeView *view) : QWidget(view), m_view(view) { setObjectName(u"codeGutter"_s); }
    QSize sizeHint() const override { return {m_view->gutterWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent *event) override { m_view->paintGutter(event); }
    void mousePressEvent(QMouseEvent *event) override { m_view->gutterClicked(event->position().toPoint()); }

private:
    CodeView *m_view;
};

} // namespace

CodeView::CodeView(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setObjectName(u"codeView"_s);
    setReadOnly(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_gutter = new Gutter(this);
    connect(this, &QPlainTextEdit::blockCountChanged, this, &CodeView::updateGutterWidth);
    connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect &rect, int dy) {
        if (dy)
            m_gutter->scroll(0, dy);
        else
            m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
    });
    updateGutterWidth();
}

qsizetype CodeView::displayLimit()
{
    return 4 * 1024 * 1024;
}

void CodeView::clearBody()
{
    delete m_highlighter;
    m_highlighter = nullptr;
    m_formatted = {};
    m_folded.clear();
    m_truncated = false;
    clear();
}

void CodeView::setBody(BodyKind kind, const QByteArray &body, bool pretty)
{
    clearBody();
    m_truncated = body.size() > displayLimit();
    const QByteArray shown = m_truncated ? body.left(displayLimit()) : body;
    if (pretty && !m_truncated) {
        m_formatted = formatBody(kind, shown);
    } else {
        m_formatted = kind == BodyKind::Binary ? formatBody(kind, body) : FormattedBody{QString::fromUtf8(shown), {}, false, {}};
        if (m_truncated)
            m_formatted.problem = tr("Showing the first %1 MB of %2 MB as it came; save the body to see all of it.")
                                      .arg(displayLimit() / (1024 * 1024))
                                      .arg(double(body.size()) / (1024 * 1024), 0, 'f', 1);
    }
    // Highlighting costs time per line: only for what a person reads.
    if (kind == BodyKind::Json && !m_truncated)
        m_highlighter = new JsonHighlighter(document());
    else if ((kind == BodyKind::Xml || kind == BodyKind::Html) && !m_truncated)
        m_highlighter = new XmlHighlighter(document());
    setPlainText(m_formatted.text);
    updateGutterWidth();
}

const FoldRange *CodeView::foldAt(int firstLine) const
{
    const auto it = std::lower_bound(m_formatted.folds.cbegin(), m_formatted.folds.cend(), firstLine,
                                     [](const FoldRange &f, int line) { return f.first < line; });
    return it != m_formatted.folds.cend() && it->first == firstLine ? &*it : nullptr;
}

bool CodeView::toggleFold(int firstLine)
{
    if (!foldAt(firstLine))
        return false;
    if (!m_folded.remove(firstLine))
        m_folded.insert(firstLine);
    applyFolds();
    return true;
}

void CodeView::foldAll()
{
    for (const FoldRange &fold : std::as_const(m_formatted.folds))
        m_folded.insert(fold.first);
    m_folded.remove(0);   // keep the outermost open: a body folded to one line says nothing
    applyFolds();
}

void CodeView::unfoldAll()
{
    m_folded.clear();
    applyFolds();
}

void CodeView::applyFolds()
{
    // A line is hidden when it lies strictly after the first line of a folded region and
    // not after its last... the closing line hides with it, so a folded region shows its
    // first line only, with a marker.
    QList<bool> hidden(blockCount(), false);
    for (const int first : std::as_const(m_folded)) {
        if (const FoldRange *fold = foldAt(first)) {
            for (int line = fold->first + 1; line <= fold->last && line < hidden.size(); ++line)
                hidden[line] = true;
        }
    }
    for (QTextBlock block = document()->firstBlock(); block.isValid(); block = block.next())
        block.setVisible(!hidden.value(block.blockNumber()));
    document()->markContentsDirty(0, document()->characterCount());
    viewport()->update();
    m_gutter->update();
    ensureCursorVisible();
}

QRect CodeView::lineRect(int line) const
{
    const QTextBlock block = document()->findBlockByNumber(line);
    if (!block.isValid() || !block.isVisible())
        return {};
    return blockBoundingGeometry(block).translated(contentOffset()).toRect();
}

int CodeView::gutterWidth() const
{
    const int digits = QString::number(std::max(1, blockCount())).size();
    return 8 + fontMetrics().horizontalAdvance(u'9') * digits + foldMarkerWidth;
}

void CodeView::updateGutterWidth()
{
    setViewportMargins(gutterWidth(), 0, 0, 0);
    m_gutter->update();
}

void CodeView::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect r = contentsRect();
    m_gutter->setGeometry(r.left(), r.top(), gutterWidth(), r.height());
}

void CodeView::paintGutter(QPaintEvent *event)
{
    QPainter painter(m_gutter);
    painter.fillRect(event->rect(), palette().color(QPalette::AlternateBase));
    painter.setRenderHint(QPainter::Antialiasing);
    const int numbersWidth = m_gutter->width() - foldMarkerWidth - 4;
    for (QTextBlock block = firstVisibleBlock(); block.isValid(); block = block.next()) {
        if (!block.isVisible())
            continue;
        const QRectF box = blockBoundingGeometry(block).translated(contentOffset());
        if (box.top() > event->rect().bottom())
            break;
        const int line = block.blockNumber();
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(QRectF(0, box.top(), numbersWidth, box.height()), Qt::AlignRight | Qt::AlignVCenter,
                         QString::number(line + 1));
        if (foldAt(line)) {
            // A triangle: pointing right when folded, down when open.
            const QPointF c(m_gutter->width() - foldMarkerWidth / 2.0 - 1, box.center().y());
            QPainterPath path;
            if (m_folded.contains(line)) {
                path.moveTo(c + QPointF(-2.5, -4));
                path.lineTo(c + QPointF(3, 0));
                path.lineTo(c + QPointF(-2.5, 4));
            } else {
                path.moveTo(c + QPointF(-4, -2.5));
                path.lineTo(c + QPointF(4, -2.5));
                path.lineTo(c + QPointF(0, 3));
            }
            path.closeSubpath();
            painter.fillPath(path, palette().color(QPalette::Mid));
        }
    }
}

void CodeView::gutterClicked(const QPoint &position)
{
    for (QTextBlock block = firstVisibleBlock(); block.isValid(); block = block.next()) {
        if (!block.isVisible())
            continue;
        const QRectF box = blockBoundingGeometry(block).translated(contentOffset());
        if (position.y() < box.top())
            break;
        if (position.y() <= box.bottom()) {
            toggleFold(block.blockNumber());
            return;
        }
    }
}

void CodeView::paintEvent(QPaintEvent *event)
{
    QPlainTextEdit::paintEvent(event);
    if (m_folded.isEmpty())
        return;
    // A folded line ends with a "…" box, like the editors people know.
    QPainter painter(viewport());
    painter.setPen(palette().color(QPalette::Mid));
    for (QTextBlock block = firstVisibleBlock(); block.isValid(); block = block.next()) {
        const QRectF box = blockBoundingGeometry(block).translated(contentOffset());
        if (box.top() > event->rect().bottom())
            break;
        if (!block.isVisible() || !m_folded.contains(block.blockNumber()))
            continue;
        const qreal x = box.left() + document()->documentMargin()
            + fontMetrics().horizontalAdvance(block.text()) + 6;
        const QRectF marker(x, box.top() + 2, fontMetrics().horizontalAdvance(u"…"_s) + 8, box.height() - 4);
        painter.drawRoundedRect(marker, 3, 3);
        painter.drawText(marker, Qt::AlignCenter, u"…"_s);
    }
}

} // namespace Conflux::Ui
