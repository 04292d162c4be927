#pragma once

#include "model/documentkind.h"

#include <QSet>
#include <QTreeView>

namespace Conflux::Ui {

class ProjectModel;

// The tree of the project's documents. Activating a document (double-click, Enter)
// emits documentActivated(); the expanded kinds and the current document survive a reload
// of the model.
class ProjectExplorer final : public QTreeView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProjectExplorer)

public:
    explicit ProjectExplorer(ProjectModel *model, QWidget *parent = nullptr);

    ProjectModel *projectModel() const { return m_model; }

Q_SIGNALS:
    void documentActivated(const QString &file);
    void newDocumentRequested(Conflux::Model::DocumentKind kind);

protected:
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    void rememberExpanded();
    void restoreExpanded();

    ProjectModel *m_model;
    QSet<int> m_collapsedKinds;
    QString m_currentFile;
};

} // namespace Conflux::Ui
