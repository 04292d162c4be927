#include "documentdesigner.h"

#include "jsoneditor.h"
#include "model/jsontext.h"

#include <QKeySequence>
#include <QShortcut>
#include <QTextDocument>
#include <QTimer>

namespace Conflux::Ui {

DocumentDesigner::DocumentDesigner(JsonEditor *source, DesignerContext context, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_context(std::move(context))
{
    Q_ASSERT(source);
    // Text edits arrive in bursts (a replaceText() is a remove and an insert): parse once
    // after the burst, on the next turn of the event loop.
    connect(source, &QPlainTextEdit::textChanged, this, &DocumentDesigner::scheduleRefresh);

    // Undo and redo anywhere in the designer act on the document's text. Line edits and
    // text editors inside the designer keep their own undo while they have focus: they
    // claim these keys through ShortcutOverride before a shortcut sees them.
    auto *undoShortcut = new QShortcut(QKeySequence::Undo, this, this, &DocumentDesigner::undo);
    undoShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    auto *redoShortcut = new QShortcut(QKeySequence::Redo, this, this, &DocumentDesigner::redo);
    redoShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    m_undoShortcuts = {undoShortcut, redoShortcut};

    scheduleRefresh();
}

DocumentDesigner::~DocumentDesigner()
{
    // Widgets still emit signals while QWidget's destructor tears them down (a line edit
    // that loses the focus finishes its editing). By then the derived designer is gone:
    // nothing connected to its children may run, and nothing may be committed.
    const QList<QObject *> children = findChildren<QObject *>();
    for (QObject *child : children)
        child->blockSignals(true);
}

void DocumentDesigner::commit(const QJsonObject &document, const QString &mergeKey)
{
    const QByteArray text = Model::canonicalJson(document);
    if (text == m_source->text())
        return;
    QTextDocument *textDocument = m_source->document();
    // Join only while our last commit is still the newest step on the stack and the text
    // is what it left: no edit, undo or redo came in between.
    const bool join = !mergeKey.isEmpty() && mergeKey == m_mergeKey
        && textDocument->availableUndoSteps() == m_mergeUndoSteps && textDocument->revision() == m_mergeRevision
        && m_source->text() == m_mergeText;
    m_source->replaceText(text, join);
    m_mergeKey = mergeKey;
    m_mergeUndoSteps = textDocument->availableUndoSteps();
    m_mergeRevision = textDocument->revision();
    m_mergeText = text;
    refresh();
}

void DocumentDesigner::setUndoShortcutsEnabled(bool enabled)
{
    for (QShortcut *shortcut : std::as_const(m_undoShortcuts))
        shortcut->setEnabled(enabled);
}

void DocumentDesigner::undo()
{
    m_source->undo();
    refresh();
}

void DocumentDesigner::redo()
{
    m_source->redo();
    refresh();
}

void DocumentDesigner::scheduleRefresh()
{
    if (m_refreshQueued)
        return;
    m_refreshQueued = true;
    QTimer::singleShot(0, this, [this] {
        if (m_refreshQueued)
            refresh();
    });
}

void DocumentDesigner::refresh()
{
    m_refreshQueued = false;
    const QByteArray text = m_source->text();
    if (m_parsed && text == m_lastText)
        return;
    m_lastText = text;
    const Model::ParsedDocument parsed = Model::parseDocument(m_source->file(), text);
    if (!parsed.errors.isEmpty() || !parsed.value.isObject()) {
        const Model::Diagnostic first = parsed.errors.isEmpty() ? Model::Diagnostic{} : parsed.errors.first();
        const QString message = first.line > 0
            ? tr("line %1, column %2: %3").arg(first.line).arg(first.column).arg(first.message)
            : first.message;
        m_parsed = false;
        m_parseError = message.isEmpty() ? tr("the document is not a JSON object") : message;
        m_document = {};
        documentUnreadable(m_parseError);
        Q_EMIT documentReloaded();
        return;
    }
    m_parsed = true;
    m_parseError.clear();
    m_document = parsed.value.toObject();
    documentChanged(m_document);
    Q_EMIT documentReloaded();
}

void DocumentDesigner::documentUnreadable(const QString &)
{
}

} // namespace Conflux::Ui
