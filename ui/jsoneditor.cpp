#include "jsoneditor.h"

#include "icons.h"
#include "jsonhighlighter.h"
#include "model/projectloader.h"

#include <QFontDatabase>
#include <QHelpEvent>
#include <QMap>
#include <QPainter>
#include <QScrollBar>
#include <QSet>
#include <QTextBlock>
#include <QTextLayout>
#include <QTimer>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {
namespace {

constexpr int defaultValidationDelayMs = 300;

constexpr QRgb errorColor = 0xd02b2b;
constexpr QRgb errorLineColor = 0xfdeeee;
constexpr QRgb currentLineColor = 0xf2f6fb;
constexpr QRgb gutterBackground = 0xf5f6f8;
constexpr QRgb gutterText = 0x9aa1ab;
constexpr QRgb gutterCurrentText = 0x3c4450;

class Gutter final : public QWidget
{
public:
    explicit Gutter(JsonEditor *editor)
        : QWidget(editor), m_editor(editor)
    {
        setObjectName(u"lineNumberGutter"_s);
    }

    QSize sizeHint() const override { return {m_editor->gutterWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent *event) override { m_editor->paintGutter(event); }

    bool event(QEvent *event) override
    {
        if (event->type() == QEvent::ToolTip) {
            auto *help = static_cast<QHelpEvent *>(event);
            const QTextCursor cursor = m_editor->cursorForPosition(QPoint(0, help->pos().y()));
            const QString messages = m_editor->messagesAtLine(cursor.blockNumber());
            if (messages.isEmpty())
                QToolTip::hideText();
            else
                QToolTip::showText(help->globalPos(), messages, this);
            return true;
        }
        return QWidget::event(event);
    }

private:
    JsonEditor *m_editor;
};

// 1-based column in characters (code points) → index in the UTF-16 block text.
int utf16Index(const QString &text, int column)
{
    int index = 0;
    for (int c = 1; c < column && index < text.size(); ++c)
        index += (text.at(index).isHighSurrogate() && index + 1 < text.size()) ? 2 : 1;
    return index;
}

// The extent of the token starting at `index`: a string, or a run of word characters.
int tokenLength(const QString &text, int index)
{
    if (index >= text.size())
        return 0;
    if (text.at(index) == u'"') {
        int end = index + 1;
        while (end < text.size() && text.at(end) != u'"')
            end += text.at(end) == u'\\' ? 2 : 1;
        return std::min<int>(end + 1, int(text.size())) - index;
    }
    int end = index;
    while (end < text.size() && !text.at(end).isSpace() && !QStringView(u",:{}[]").contains(text.at(end)))
        ++end;
    return std::max(1, end - index);
}

} // namespace

JsonEditor::JsonEditor(const QString &file, std::shared_ptr<const Model::ProjectLoader> loader, QWidget *parent)
    : QPlainTextEdit(parent), m_file(file), m_loader(std::move(loader))
{
    setObjectName(u"jsonEditor"_s);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabChangesFocus(false);
    setTabStopDistance(fontMetrics().horizontalAdvance(u' ') * 2);
    setFrameShape(QFrame::NoFrame);

    m_highlighter = new JsonHighlighter(document());
    m_gutter = new Gutter(this);
    m_errorMarker = Icons::error().pixmap(QSize(12, 12), devicePixelRatioF());

    m_validationTimer = new QTimer(this);
    m_validationTimer->setSingleShot(true);
    m_validationTimer->setInterval(defaultValidationDelayMs);
    connect(m_validationTimer, &QTimer::timeout, this, &JsonEditor::validateNow);
    connect(document(), &QTextDocument::contentsChange, this, [this](int, int removed, int added) {
        if (removed != 0 || added != 0)
            m_validationTimer->start();
    });

    connect(this, &QPlainTextEdit::blockCountChanged, this, &JsonEditor::updateGutterWidth);
    connect(this, &QPlainTextEdit::updateRequest, this, &JsonEditor::updateGutter);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, &JsonEditor::updateSelections);
    updateGutterWidth();
    updateSelections();
}

JsonEditor::~JsonEditor() = default;

QByteArray JsonEditor::text() const
{
    return toPlainText().toUtf8();
}

bool JsonEditor::isModified() const
{
    return document()->isModified();
}

void JsonEditor::load(const QByteArray &text)
{
    setPlainText(QString::fromUtf8(text));
    document()->setModified(false);
    validateNow();
}

void JsonEditor::replaceText(const QByteArray &text, bool joinPrevious)
{
    const QString replacement = QString::fromUtf8(text);
    if (replacement == toPlainText())
        return;
    const int line = textCursor().blockNumber();
    const int column = textCursor().positionInBlock();
    const int scroll = verticalScrollBar()->value();
    QTextCursor cursor(document());
    if (joinPrevious && document()->isUndoAvailable())
        cursor.joinPreviousEditBlock();
    else
        cursor.beginEditBlock();
    cursor.select(QTextCursor::Document);
    cursor.insertText(replacement);
    cursor.endEditBlock();
    const QTextBlock block = document()->findBlockByNumber(std::min(line, blockCount() - 1));
    cursor.setPosition(block.position() + std::min(column, block.length() - 1));
    setTextCursor(cursor);
    verticalScrollBar()->setValue(scroll);
    validateNow();
}

void JsonEditor::setValidationDelay(int milliseconds)
{
    m_validationTimer->setInterval(milliseconds);
}

void JsonEditor::validateNow()
{
    m_validationTimer->stop();
    m_own = m_loader->validateDocument(m_file, text());
    updateSelections();
    m_gutter->update();
    viewport()->update();
    Q_EMIT diagnosticsChanged();
    Q_EMIT validated();
}

Model::Diagnostics JsonEditor::diagnostics() const
{
    Model::Diagnostics all = m_own;
    for (const Model::Diagnostic &d : m_project) {
        if (!all.contains(d))
            all.append(d);
    }
    return all;
}

void JsonEditor::setProjectDiagnostics(const Model::Diagnostics &diagnostics)
{
    if (diagnostics == m_project)
        return;
    m_project = diagnostics;
    updateSelections();
    m_gutter->update();
    viewport()->update();
    Q_EMIT diagnosticsChanged();
}

int JsonEditor::positionOf(int line, int column) const
{
    const QTextBlock block = document()->findBlockByNumber(std::max(0, line - 1));
    if (!block.isValid())
        return document()->characterCount() - 1;
    return block.position() + std::min(utf16Index(block.text(), std::max(1, column)), block.length() - 1);
}

void JsonEditor::goTo(int line, int column)
{
    QTextCursor cursor(document());
    cursor.setPosition(positionOf(line, column));
    setTextCursor(cursor);
    centerCursor();
    setFocus(Qt::OtherFocusReason);
}

QString JsonEditor::messagesAtLine(int blockNumber) const
{
    QStringList messages;
    const Model::Diagnostics all = diagnostics();
    for (const Model::Diagnostic &d : all) {
        if (std::max(1, d.line) - 1 == blockNumber)
            messages.append(d.pointer.isEmpty() ? d.message : d.pointer + u": "_s + d.message);
    }
    return messages.join(u'\n');
}

void JsonEditor::updateSelections()
{
    QList<QTextEdit::ExtraSelection> selections;
    QTextEdit::ExtraSelection current;
    current.format.setBackground(QColor(currentLineColor));
    current.format.setProperty(QTextFormat::FullWidthSelection, true);
    current.cursor = textCursor();
    current.cursor.clearSelection();
    selections.append(current);

    const Model::Diagnostics all = diagnostics();
    for (const Model::Diagnostic &d : all) {
        const QTextBlock block = document()->findBlockByNumber(std::max(1, d.line) - 1);
        if (!block.isValid())
            continue;
        QTextEdit::ExtraSelection line;
        line.format.setBackground(QColor(errorLineColor));
        line.format.setProperty(QTextFormat::FullWidthSelection, true);
        line.cursor = QTextCursor(block);
        selections.append(line);

        const QString text = block.text();
        int index = d.line > 0 ? utf16Index(text, d.column) : 0;
        while (index < text.size() && text.at(index).isSpace())
            ++index;
        int length = tokenLength(text, index);
        if (length == 0) { // at the end of the line: mark the last character
            index = std::max(0, int(text.size()) - 1);
            length = text.isEmpty() ? 0 : 1;
        }
        QTextEdit::ExtraSelection underline;
        underline.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        underline.format.setUnderlineColor(QColor(errorColor));
        underline.format.setToolTip(d.message);
        underline.cursor = QTextCursor(document());
        underline.cursor.setPosition(block.position() + index);
        underline.cursor.setPosition(block.position() + index + length, QTextCursor::KeepAnchor);
        selections.append(underline);
    }
    setExtraSelections(selections);
}

int JsonEditor::gutterWidth() const
{
    const int digits = std::max(3, int(QString::number(std::max(1, blockCount())).size()));
    return 8 + m_errorMarker.width() / m_errorMarker.devicePixelRatio() + 6
           + fontMetrics().horizontalAdvance(u'9') * digits + 10;
}

void JsonEditor::updateGutterWidth()
{
    setViewportMargins(gutterWidth(), 0, 0, 0);
}

void JsonEditor::updateGutter(const QRect &rect, int dy)
{
    if (dy != 0)
        m_gutter->scroll(0, dy);
    else
        m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
    if (rect.contains(viewport()->rect()))
        updateGutterWidth();
}

void JsonEditor::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect area = contentsRect();
    m_gutter->setGeometry(QRect(area.left(), area.top(), gutterWidth(), area.height()));
}

void JsonEditor::paintGutter(QPaintEvent *event)
{
    QPainter painter(m_gutter);
    painter.fillRect(event->rect(), QColor(gutterBackground));
    painter.setFont(font());

    QSet<int> errorLines;
    const Model::Diagnostics all = diagnostics();
    for (const Model::Diagnostic &d : all)
        errorLines.insert(std::max(1, d.line) - 1);

    const int markerSize = int(m_errorMarker.width() / m_errorMarker.devicePixelRatio());
    const int numberRight = m_gutter->width() - 10;
    const int currentBlock = textCursor().blockNumber();
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    while (block.isValid() && top <= event->rect().bottom()) {
        const int height = qRound(blockBoundingRect(block).height());
        if (block.isVisible() && top + height >= event->rect().top()) {
            const int number = block.blockNumber();
            painter.setPen(number == currentBlock ? QColor(gutterCurrentText) : QColor(gutterText));
            painter.drawText(0, top, numberRight, fontMetrics().height(), Qt::AlignRight | Qt::AlignVCenter,
                             QString::number(number + 1));
            if (errorLines.contains(number))
                painter.drawPixmap(6, top + (fontMetrics().height() - markerSize) / 2, m_errorMarker);
        }
        block = block.next();
        top += height;
    }
    painter.setPen(QColor(0xe1, 0xe4, 0xe8));
    painter.drawLine(m_gutter->width() - 1, event->rect().top(), m_gutter->width() - 1, event->rect().bottom());
}

void JsonEditor::paintEvent(QPaintEvent *event)
{
    QPlainTextEdit::paintEvent(event);
    const Model::Diagnostics all = diagnostics();
    if (all.isEmpty())
        return;
    // The first message of each line, after the line's text.
    QMap<int, QString> firstMessage;
    for (const Model::Diagnostic &d : all) {
        const int number = std::max(1, d.line) - 1;
        if (!firstMessage.contains(number))
            firstMessage.insert(number, d.message);
    }
    QPainter painter(viewport());
    QFont small = font();
    small.setItalic(true);
    painter.setFont(small);
    painter.setPen(QColor(errorColor));
    const QFontMetrics metrics(small);
    const QPointF offset = contentOffset();
    for (auto it = firstMessage.cbegin(); it != firstMessage.cend(); ++it) {
        const QTextBlock block = document()->findBlockByNumber(it.key());
        if (!block.isValid() || !block.isVisible())
            continue;
        const QRectF box = blockBoundingGeometry(block).translated(offset);
        if (box.bottom() < event->rect().top() || box.top() > event->rect().bottom())
            continue;
        const qreal textWidth = block.layout()->lineCount() > 0 ? block.layout()->lineAt(0).naturalTextWidth() : 0;
        const int x = int(box.left() + textWidth) + 4 * fontMetrics().horizontalAdvance(u' ');
        const int available = viewport()->width() - x - 8;
        if (available < 40)
            continue;
        const QString text = metrics.elidedText(u"\u25CF "_s + it.value(), Qt::ElideRight, available);
        painter.drawText(QRect(x, int(box.top()), available, int(box.height())), Qt::AlignLeft | Qt::AlignVCenter, text);
    }
}

void JsonEditor::keyPressEvent(QKeyEvent *event)
{
    if (isReadOnly()) {
        QPlainTextEdit::keyPressEvent(event);
        return;
    }
    // Enter keeps the indentation, and indents one step more after an opening bracket.
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && event->modifiers() == Qt::NoModifier) {
        QTextCursor cursor = textCursor();
        const QString line = cursor.block().text();
        QString indent;
        for (QChar c : line) {
            if (c != u' ')
                break;
            indent += c;
        }
        const QString before = line.left(cursor.positionInBlock()).trimmed();
        if (before.endsWith(u'{') || before.endsWith(u'['))
            indent += u"  "_s;
        cursor.insertText(u"\n"_s + indent);
        setTextCursor(cursor);
        return;
    }
    if (event->key() == Qt::Key_Tab && event->modifiers() == Qt::NoModifier) {
        textCursor().insertText(u"  "_s);
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

bool JsonEditor::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString messages = messagesAtLine(cursorForPosition(help->pos()).blockNumber());
        if (messages.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), messages, viewport());
        return true;
    }
    return QPlainTextEdit::viewportEvent(event);
}

} // namespace Conflux::Ui
