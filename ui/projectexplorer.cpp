#include "projectexplorer.h"

#include "projectmodel.h"

#include <QContextMenuEvent>
#include <QHeaderView>
#include <QMenu>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

ProjectExplorer::ProjectExplorer(ProjectModel *model, QWidget *parent)
    : QTreeView(parent), m_model(model)
{
    setObjectName(u"projectExplorer"_s);
    setModel(model);
    setHeaderHidden(true);
    setUniformRowHeights(true);
    setExpandsOnDoubleClick(true);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setFrameShape(QFrame::NoFrame);
    setAnimated(false);
    setIndentation(16);

    connect(this, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const QString file = index.data(ProjectModel::FileRole).toString();
        if (!file.isEmpty())
            Q_EMIT documentActivated(file);
    });
    connect(model, &QAbstractItemModel::modelAboutToBeReset, this, &ProjectExplorer::rememberExpanded);
    connect(model, &QAbstractItemModel::modelReset, this, &ProjectExplorer::restoreExpanded);
    restoreExpanded();
}

void ProjectExplorer::rememberExpanded()
{
    m_collapsedKinds.clear();
    m_currentFile = currentIndex().data(ProjectModel::FileRole).toString();
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QModelIndex index = m_model->index(row, 0);
        if (index.data(ProjectModel::IsKindNodeRole).toBool() && !isExpanded(index))
            m_collapsedKinds.insert(index.data(ProjectModel::KindRole).toInt());
    }
}

void ProjectExplorer::restoreExpanded()
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QModelIndex index = m_model->index(row, 0);
        if (index.data(ProjectModel::IsKindNodeRole).toBool())
            setExpanded(index, !m_collapsedKinds.contains(index.data(ProjectModel::KindRole).toInt()));
    }
    if (!m_currentFile.isEmpty())
        setCurrentIndex(m_model->indexForFile(m_currentFile));
}

void ProjectExplorer::contextMenuEvent(QContextMenuEvent *event)
{
    const QModelIndex index = indexAt(event->pos());
    if (!index.isValid())
        return;
    QMenu menu(this);
    const auto kind = Model::DocumentKind(index.data(ProjectModel::KindRole).toInt());
    const QString file = index.data(ProjectModel::FileRole).toString();
    if (!file.isEmpty()) {
        menu.addAction(tr("&Open"), this, [this, file] { Q_EMIT documentActivated(file); });
    }
    if (kind != Model::DocumentKind::Project) {
        menu.addAction(tr("&New %1…").arg(ProjectModel::kindLabel(kind)), this,
                       [this, kind] { Q_EMIT newDocumentRequested(kind); });
    }
    menu.exec(event->globalPos());
}

} // namespace Conflux::Ui
