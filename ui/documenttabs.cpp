#include "documenttabs.h"

#include "documentdesigner.h"
#include "documentpage.h"
#include "jsoneditor.h"

#include <QFileInfo>
#include <QTabBar>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

DocumentTabs::DocumentTabs(QWidget *parent)
    : QTabWidget(parent)
{
    setObjectName(u"documentTabs"_s);
    setDocumentMode(true);
    setTabsClosable(true);
    setMovable(true);
    setElideMode(Qt::ElideMiddle);
    setUsesScrollButtons(true);
}

QList<JsonEditor *> DocumentTabs::editors() const
{
    QList<JsonEditor *> out;
    for (int i = 0; i < count(); ++i) {
        if (JsonEditor *editor = editorAt(i))
            out.append(editor);
    }
    return out;
}

JsonEditor *DocumentTabs::currentEditor() const
{
    return editorAt(currentIndex());
}

DocumentPage *DocumentTabs::pageAt(int index) const
{
    return qobject_cast<DocumentPage *>(widget(index));
}

JsonEditor *DocumentTabs::editorAt(int index) const
{
    const DocumentPage *page = pageAt(index);
    return page ? page->editor() : nullptr;
}

DocumentPage *DocumentTabs::pageOf(const JsonEditor *editor) const
{
    return pageAt(indexOfEditor(editor));
}

int DocumentTabs::indexOfEditor(const JsonEditor *editor) const
{
    for (int i = 0; editor && i < count(); ++i) {
        if (editorAt(i) == editor)
            return i;
    }
    return -1;
}

void DocumentTabs::setCurrentEditor(JsonEditor *editor)
{
    const int index = indexOfEditor(editor);
    if (index >= 0)
        setCurrentIndex(index);
}

JsonEditor *DocumentTabs::editorFor(const QString &file) const
{
    const QList<JsonEditor *> all = editors();
    for (JsonEditor *editor : all) {
        if (editor->file() == file)
            return editor;
    }
    return nullptr;
}

bool DocumentTabs::anyModified() const
{
    const QList<JsonEditor *> all = editors();
    return std::any_of(all.begin(), all.end(), [](const JsonEditor *e) { return e->isModified(); });
}

JsonEditor *DocumentTabs::addEditor(const QString &file, const QByteArray &text, const QIcon &icon,
                                    std::shared_ptr<const Model::ProjectLoader> loader)
{
    auto *editor = new JsonEditor(file, std::move(loader));
    editor->load(text);
    DocumentDesigner *designer = m_designerFactory ? m_designerFactory(editor) : nullptr;
    auto *page = new DocumentPage(editor, designer, this);
    connect(editor->document(), &QTextDocument::modificationChanged, this, [this, editor] {
        updateTitle(editor);
        Q_EMIT modificationChanged(editor);
    });
    const int index = addTab(page, icon, QString());
    setTabToolTip(index, file);
    updateTitle(editor);
    setCurrentIndex(index);
    return editor;
}

void DocumentTabs::removeEditor(JsonEditor *editor)
{
    const int index = indexOfEditor(editor);
    if (index < 0)
        return;
    QWidget *page = widget(index);
    removeTab(index);
    page->deleteLater();
}

void DocumentTabs::removeAll()
{
    while (count() > 0) {
        QWidget *page = widget(0);
        removeTab(0);
        delete page;
    }
}

void DocumentTabs::updateTitle(JsonEditor *editor)
{
    const int index = indexOfEditor(editor);
    if (index < 0)
        return;
    const QString name = QFileInfo(editor->file()).fileName();
    setTabText(index, editor->isModified() ? name + u'*' : name);
}

} // namespace Conflux::Ui
