#include "documenttabs.h"

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
        if (auto *editor = qobject_cast<JsonEditor *>(widget(i)))
            out.append(editor);
    }
    return out;
}

JsonEditor *DocumentTabs::currentEditor() const
{
    return qobject_cast<JsonEditor *>(currentWidget());
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
    auto *editor = new JsonEditor(file, std::move(loader), this);
    editor->load(text);
    connect(editor->document(), &QTextDocument::modificationChanged, this, [this, editor] {
        updateTitle(editor);
        Q_EMIT modificationChanged(editor);
    });
    const int index = addTab(editor, icon, QString());
    setTabToolTip(index, file);
    updateTitle(editor);
    setCurrentIndex(index);
    return editor;
}

void DocumentTabs::removeEditor(JsonEditor *editor)
{
    const int index = indexOf(editor);
    if (index < 0)
        return;
    removeTab(index);
    editor->deleteLater();
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
    const int index = indexOf(editor);
    if (index < 0)
        return;
    const QString name = QFileInfo(editor->file()).fileName();
    setTabText(index, editor->isModified() ? name + u'*' : name);
}

} // namespace Conflux::Ui
