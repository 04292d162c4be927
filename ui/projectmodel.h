#pragma once

#include "model/diagnostic.h"
#include "model/documentkind.h"

#include <QAbstractItemModel>
#include <QHash>

#include <memory>
#include <vector>

namespace Conflux::Ui {

// The project explorer's tree: project.json first, then one node per document kind (in
// documentKinds() order, with the number of documents), each holding its documents by
// name. Documents with validation errors are shown in red with an error icon.
class ProjectModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProjectModel)

public:
    enum Role {
        FileRole = Qt::UserRole + 1,  // QString: relative file, for documents
        KindRole,                      // int (Model::DocumentKind)
        IdRole,                        // QString
        IsKindNodeRole,                // bool
        ErrorCountRole,                // int
    };

    explicit ProjectModel(QObject *parent = nullptr);
    ~ProjectModel() override;

    // Scans the folder (project.json and the kind folders). An empty folder clears the model.
    void setProjectFolder(const QString &folder);
    QString projectFolder() const { return m_folder; }
    void reload();
    void setDiagnostics(const Model::Diagnostics &diagnostics);

    QModelIndex indexForFile(const QString &file) const;
    QModelIndex indexForKind(Model::DocumentKind kind) const;
    int documentCount(Model::DocumentKind kind) const;

    // Plural titles ("Endpoints") and singular labels ("Endpoint") of the kinds.
    static QString kindTitle(Model::DocumentKind kind);
    static QString kindLabel(Model::DocumentKind kind);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    struct Node;
    Node *nodeOf(const QModelIndex &index) const;
    QModelIndex indexOf(const Node *node) const;

    QString m_folder;
    std::vector<std::unique_ptr<Node>> m_top;
    QHash<QString, QStringList> m_errors;  // file → messages
};

} // namespace Conflux::Ui
