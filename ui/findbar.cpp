#include "findbar.h"

#include "jsoneditor.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

FindBar::FindBar(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"findBar"_s);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    auto *label = new QLabel(tr("Find:"), this);
    m_field = new QLineEdit(this);
    m_field->setObjectName(u"findField"_s);
    m_field->setClearButtonEnabled(true);
    label->setBuddy(m_field);
    auto *previous = new QToolButton(this);
    previous->setText(tr("Previous"));
    previous->setAutoRaise(true);
    auto *next = new QToolButton(this);
    next->setText(tr("Next"));
    next->setAutoRaise(true);
    m_status = new QLabel(this);
    auto *close = new QToolButton(this);
    close->setText(tr("Close"));
    close->setAutoRaise(true);
    layout->addWidget(label);
    layout->addWidget(m_field, 1);
    layout->addWidget(previous);
    layout->addWidget(next);
    layout->addWidget(m_status);
    layout->addStretch();
    layout->addWidget(close);

    connect(m_field, &QLineEdit::returnPressed, this, [this] { findNext(); });
    connect(next, &QToolButton::clicked, this, [this] { findNext(); });
    connect(previous, &QToolButton::clicked, this, [this] { findNext(true); });
    connect(close, &QToolButton::clicked, this, [this] {
        hide();
        if (m_editor)
            m_editor->setFocus();
    });
    hide();
}

void FindBar::setEditor(JsonEditor *editor)
{
    m_editor = editor;
    m_status->clear();
}

void FindBar::activate()
{
    if (m_editor && m_editor->textCursor().hasSelection())
        m_field->setText(m_editor->textCursor().selectedText());
    show();
    m_field->setFocus();
    m_field->selectAll();
}

bool FindBar::findNext(bool backward)
{
    if (!m_editor || m_field->text().isEmpty())
        return false;
    const QTextDocument::FindFlags flags = backward ? QTextDocument::FindBackward : QTextDocument::FindFlags();
    bool found = m_editor->find(m_field->text(), flags);
    if (!found) { // wrap around
        QTextCursor cursor = m_editor->textCursor();
        cursor.movePosition(backward ? QTextCursor::End : QTextCursor::Start);
        m_editor->setTextCursor(cursor);
        found = m_editor->find(m_field->text(), flags);
    }
    m_status->setText(found ? QString() : tr("Not found"));
    return found;
}

void FindBar::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape) {
        hide();
        if (m_editor)
            m_editor->setFocus();
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace Conflux::Ui
