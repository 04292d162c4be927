#include "jsonataeditor.h"

#include "mapping/jsonata.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QRegularExpression>
#include <QScrollBar>
#include <QStringListModel>
#include <QSyntaxHighlighter>
#include <QTextBlock>
#include <QTimer>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

// JSONata's tokens: strings, numbers, $names (functions and variables), keywords,
// `quoted names`, comments and operators.
class JsonataHighlighter final : public QSyntaxHighlighter
{
public:
    explicit JsonataHighlighter(QTextDocument *document)
        : QSyntaxHighlighter(document)
    {
        m_string.setForeground(QColor(0x0a, 0x7d, 0x32));
        m_number.setForeground(QColor(0x1c, 0x4f, 0xb8));
        m_function.setForeground(QColor(0x8a, 0x2b, 0xb0));
        m_function.setFontWeight(QFont::Bold);
        m_keyword.setForeground(QColor(0xb0, 0x4a, 0x00));
        m_keyword.setFontWeight(QFont::Bold);
        m_quoted.setForeground(QColor(0x6b, 0x55, 0x00));
        m_comment.setForeground(QColor(0x80, 0x80, 0x80));
        m_comment.setFontItalic(true);
        m_operator.setForeground(QColor(0xa0, 0x10, 0x40));
    }

protected:
    void highlightBlock(const QString &text) override
    {
        static const QRegularExpression token(
            uR"re((\/\*.*?(\*\/|$))|("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)|(`[^`]*`?)|(\$[A-Za-z_0-9]*)|(\b\d+(\.\d+)?([eE][+-]?\d+)?\b)|(\b(and|or|in|true|false|null|function)\b)|([-+*/%&=<>!?:~^|#@]+))re"_s);
        int start = 0;
        // A comment left open on the previous line continues here.
        if (previousBlockState() == 1) {
            const qsizetype end = text.indexOf(u"*/"_s);
            const int length = end < 0 ? int(text.size()) : int(end + 2);
            setFormat(0, length, m_comment);
            start = length;
            setCurrentBlockState(end < 0 ? 1 : 0);
            if (end < 0)
                return;
        } else {
            setCurrentBlockState(0);
        }
        auto it = token.globalMatch(text, start);
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            const int at = int(m.capturedStart()), length = int(m.capturedLength());
            if (m.capturedLength(1)) {
                setFormat(at, length, m_comment);
                if (!m.captured(1).endsWith(u"*/"_s))
                    setCurrentBlockState(1);
            } else if (m.capturedLength(3)) {
                setFormat(at, length, m_string);
            } else if (m.capturedLength(4)) {
                setFormat(at, length, m_quoted);
            } else if (m.capturedLength(5)) {
                setFormat(at, length, m_function);
            } else if (m.capturedLength(6)) {
                setFormat(at, length, m_number);
            } else if (m.capturedLength(9)) {
                setFormat(at, length, m_keyword);
            } else if (m.capturedLength(11)) {
                setFormat(at, length, m_operator);
            }
        }
    }

private:
    QTextCharFormat m_string, m_number, m_function, m_keyword, m_quoted, m_comment, m_operator;
};

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'.' || c == u'$';
}

} // namespace

JsonataEditor::JsonataEditor(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_highlighter(new JsonataHighlighter(document()))
    , m_completer(new QCompleter(this))
    , m_model(new QStringListModel(this))
    , m_checkTimer(new QTimer(this))
{
    setObjectName(u"jsonataEditor"_s);
    QFont font(u"monospace"_s);
    font.setStyleHint(QFont::Monospace);
    setFont(font);
    setTabChangesFocus(true);
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    m_model->setStringList(functionNames());
    m_completer->setModel(m_model);
    m_completer->setWidget(this);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchStartsWith);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setModelSorting(QCompleter::UnsortedModel);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this,
            &JsonataEditor::insertCompletion);

    m_checkTimer->setSingleShot(true);
    m_checkTimer->setInterval(150);
    connect(m_checkTimer, &QTimer::timeout, this, &JsonataEditor::check);
    connect(this, &QPlainTextEdit::textChanged, m_checkTimer, qOverload<>(&QTimer::start));
}

JsonataEditor::~JsonataEditor() = default;

QStringList JsonataEditor::functionNames()
{
    // The function library of JSONata 2.x (docs.jsonata.org), as the engine implements it.
    static const QStringList names = {
        u"$abs"_s, u"$append"_s, u"$assert"_s, u"$average"_s, u"$base64decode"_s, u"$base64encode"_s,
        u"$boolean"_s, u"$ceil"_s, u"$contains"_s, u"$count"_s, u"$decodeUrl"_s,
        u"$decodeUrlComponent"_s, u"$distinct"_s, u"$each"_s, u"$encodeUrl"_s,
        u"$encodeUrlComponent"_s, u"$error"_s, u"$eval"_s, u"$exists"_s, u"$filter"_s, u"$floor"_s,
        u"$formatBase"_s, u"$formatInteger"_s, u"$formatNumber"_s, u"$fromMillis"_s, u"$join"_s,
        u"$keys"_s, u"$length"_s, u"$lookup"_s, u"$lowercase"_s, u"$map"_s, u"$match"_s, u"$max"_s,
        u"$merge"_s, u"$millis"_s, u"$min"_s, u"$not"_s, u"$now"_s, u"$number"_s, u"$pad"_s,
        u"$parseInteger"_s, u"$power"_s, u"$random"_s, u"$reduce"_s, u"$replace"_s, u"$reverse"_s,
        u"$round"_s, u"$shuffle"_s, u"$sift"_s, u"$single"_s, u"$sort"_s, u"$split"_s, u"$spread"_s,
        u"$sqrt"_s, u"$string"_s, u"$substring"_s, u"$substringAfter"_s, u"$substringBefore"_s,
        u"$sum"_s, u"$toMillis"_s, u"$trim"_s, u"$type"_s, u"$uppercase"_s, u"$zip"_s};
    return names;
}

void JsonataEditor::setFieldPaths(const QStringList &paths)
{
    if (paths == m_fieldPaths)
        return;
    m_fieldPaths = paths;
    m_model->setStringList(paths + functionNames());
}

QString JsonataEditor::wordBeforeCursor() const
{
    const QTextCursor cursor = textCursor();
    const QString line = cursor.block().text();
    int start = cursor.positionInBlock();
    while (start > 0 && isWordChar(line.at(start - 1)))
        --start;
    return line.mid(start, cursor.positionInBlock() - start);
}

void JsonataEditor::insertCompletion(const QString &completion)
{
    QTextCursor cursor = textCursor();
    const QString prefix = wordBeforeCursor();
    cursor.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, int(prefix.size()));
    QString text = completion;
    // A function is inserted with its parentheses, the cursor between them.
    const bool isFunction = completion.startsWith(u'$');
    if (isFunction)
        text += u"()"_s;
    cursor.insertText(text);
    if (isFunction)
        cursor.movePosition(QTextCursor::Left);
    setTextCursor(cursor);
}

void JsonataEditor::updateCompletion(bool force)
{
    const QString prefix = wordBeforeCursor();
    if (!force && prefix.isEmpty()) {
        m_completer->popup()->hide();
        return;
    }
    if (prefix != m_completer->completionPrefix()) {
        m_completer->setCompletionPrefix(prefix);
        m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    }
    if (m_completer->completionCount() == 0
        || (m_completer->completionCount() == 1 && m_completer->currentCompletion() == prefix)) {
        m_completer->popup()->hide();
        return;
    }
    QRect rect = cursorRect();
    rect.setWidth(m_completer->popup()->sizeHintForColumn(0)
                  + m_completer->popup()->verticalScrollBar()->sizeHint().width() + 8);
    m_completer->complete(rect);
}

void JsonataEditor::keyPressEvent(QKeyEvent *event)
{
    QAbstractItemView *popup = m_completer->popup();
    if (popup->isVisible()) {
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Tab:
            if (popup->currentIndex().isValid()) {
                insertCompletion(popup->currentIndex().data().toString());
                popup->hide();
                return;
            }
            break;
        case Qt::Key_Escape:
            popup->hide();
            return;
        case Qt::Key_Down:
        case Qt::Key_Up: {
            const int row = popup->currentIndex().row() + (event->key() == Qt::Key_Down ? 1 : -1);
            const QModelIndex next = popup->model()->index(qBound(0, row, popup->model()->rowCount() - 1), 0);
            popup->setCurrentIndex(next);
            return;
        }
        default:
            break;
        }
    }
    const bool force = event->key() == Qt::Key_Space && (event->modifiers() & Qt::ControlModifier);
    if (!force)
        QPlainTextEdit::keyPressEvent(event);
    const QString typed = event->text();
    if (force || (!typed.isEmpty() && isWordChar(typed.back())))
        updateCompletion(force);
    else if (popup->isVisible())
        popup->hide();
}

bool JsonataEditor::event(QEvent *event)
{
    // Tab accepts a completion instead of moving the focus while the list is open.
    if (event->type() == QEvent::KeyPress && m_completer->popup()->isVisible()) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Tab) {
            keyPressEvent(key);
            return true;
        }
    }
    return QPlainTextEdit::event(event);
}

void JsonataEditor::check()
{
    m_checkTimer->stop();
    const QString text = toPlainText();
    QString message;
    int offset = -1;
    if (!text.trimmed().isEmpty()) {
        const Result<Mapping::Expression> compiled = Mapping::Expression::compile(text);
        if (!compiled) {
            offset = int(qBound<qint64>(0, compiled.error().offset, text.size()));
            message = tr("%1 at position %2: %3").arg(compiled.error().code).arg(offset).arg(compiled.error().message);
        }
    }
    const bool changed = message != m_errorMessage || offset != m_errorOffset;
    m_errorMessage = message;
    m_errorOffset = offset;
    updateUnderline();
    viewport()->setToolTip(message);
    if (changed)
        Q_EMIT errorChanged(message);
}

void JsonataEditor::updateUnderline()
{
    QList<QTextEdit::ExtraSelection> selections;
    if (m_errorOffset >= 0) {
        const int length = int(document()->characterCount()) - 1;
        // Underline the token at the error; at the very end, the last character.
        int start = qMin(m_errorOffset, qMax(0, length - 1));
        int end = start + 1;
        const QString text = toPlainText();
        while (end < length && isWordChar(text.at(end)) && isWordChar(text.at(start)))
            ++end;
        QTextEdit::ExtraSelection selection;
        selection.cursor = QTextCursor(document());
        selection.cursor.setPosition(start);
        selection.cursor.setPosition(qMin(end, length), QTextCursor::KeepAnchor);
        selection.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        selection.format.setUnderlineColor(Qt::red);
        selection.format.setBackground(QColor(0xff, 0xe0, 0xe0));
        selection.format.setToolTip(m_errorMessage);
        selections.append(selection);
    }
    setExtraSelections(selections);
}

} // namespace Conflux::Ui
