#include "projectmodel.h"

#include "icons.h"
#include "model/jsontext.h"
#include "model/projectloader.h"

#include <QBrush>
#include <QFileInfo>
#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

using Model::DocumentKind;

struct ProjectModel::Node
{
    bool isKind = false;
    DocumentKind kind = DocumentKind::Project;
    QString file;
    QString id;
    QString name;
    Node *parent = nullptr;
    int row = 0;
    std::vector<std::unique_ptr<Node>> children;
};

ProjectModel::ProjectModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

ProjectModel::~ProjectModel() = default;

QString ProjectModel::kindTitle(DocumentKind kind)
{
    switch (kind) {
    case DocumentKind::Project: return tr("Project");
    case DocumentKind::Endpoint: return tr("Endpoints");
    case DocumentKind::Mapping: return tr("Mappings");
    case DocumentKind::Workflow: return tr("Workflows");
    case DocumentKind::SapConnection: return tr("SAP connections");
    case DocumentKind::SapOperation: return tr("SAP operations");
    case DocumentKind::SyncJob: return tr("Sync jobs");
    case DocumentKind::Route: return tr("Routes");
    case DocumentKind::Queue: return tr("Queues");
    case DocumentKind::Consumer: return tr("Consumers");
    case DocumentKind::RoutingRule: return tr("Routing rules");
    case DocumentKind::Collection: return tr("Collections");
    case DocumentKind::Environment: return tr("Environments");
    }
    return {};
}

QString ProjectModel::kindLabel(DocumentKind kind)
{
    switch (kind) {
    case DocumentKind::Project: return tr("Project");
    case DocumentKind::Endpoint: return tr("Endpoint");
    case DocumentKind::Mapping: return tr("Mapping");
    case DocumentKind::Workflow: return tr("Workflow");
    case DocumentKind::SapConnection: return tr("SAP connection");
    case DocumentKind::SapOperation: return tr("SAP operation");
    case DocumentKind::SyncJob: return tr("Sync job");
    case DocumentKind::Route: return tr("Route");
    case DocumentKind::Queue: return tr("Queue");
    case DocumentKind::Consumer: return tr("Consumer");
    case DocumentKind::RoutingRule: return tr("Routing rule");
    case DocumentKind::Collection: return tr("Collection");
    case DocumentKind::Environment: return tr("Environment");
    }
    return {};
}

void ProjectModel::setProjectFolder(const QString &folder)
{
    m_folder = folder;
    m_errors.clear();
    reload();
}

void ProjectModel::reload()
{
    beginResetModel();
    m_top.clear();
    if (!m_folder.isEmpty()) {
        Model::Diagnostics readErrors;
        const Model::ProjectFiles files = Model::readProjectFolder(m_folder, &readErrors);
        QHash<DocumentKind, Node *> kindNodes;
        if (files.contains(QLatin1String(Model::projectFileName))) {
            auto node = std::make_unique<Node>();
            node->file = QLatin1String(Model::projectFileName);
            m_top.push_back(std::move(node));
        }
        for (const Model::KindInfo &info : Model::documentKinds()) {
            if (info.kind == DocumentKind::Project)
                continue;
            auto node = std::make_unique<Node>();
            node->isKind = true;
            node->kind = info.kind;
            kindNodes.insert(info.kind, node.get());
            m_top.push_back(std::move(node));
        }
        for (auto it = files.begin(); it != files.end(); ++it) {
            const Model::ParsedDocument parsed = Model::parseDocument(it.key(), it.value());
            const QJsonObject json = parsed.value.toObject();
            const QString folder = it.key().contains(u'/') ? it.key().section(u'/', 0, 0) : QString();
            Node *document = nullptr;
            if (folder.isEmpty()) {
                document = m_top.front().get();
            } else {
                // The kind the document names, if it may live here; else the folder's first kind.
                const QList<DocumentKind> allowed = Model::kindsInFolder(folder);
                if (allowed.isEmpty())
                    continue;
                DocumentKind kind = allowed.first();
                if (const auto named = Model::kindFromName(json.value(u"kind"_s).toString());
                    named && allowed.contains(*named))
                    kind = *named;
                Node *parent = kindNodes.value(kind);
                auto node = std::make_unique<Node>();
                node->kind = kind;
                node->parent = parent;
                document = node.get();
                parent->children.push_back(std::move(node));
            }
            document->file = it.key();
            document->id = json.value(u"id"_s).toString();
            document->name = json.value(u"name"_s).toString();
            if (document->name.isEmpty())
                document->name = document->id.isEmpty() ? QFileInfo(it.key()).completeBaseName() : document->id;
        }
        for (size_t i = 0; i < m_top.size(); ++i) {
            Node *top = m_top.at(i).get();
            top->row = int(i);
            std::sort(top->children.begin(), top->children.end(), [](const auto &a, const auto &b) {
                const int byName = QString::compare(a->name, b->name, Qt::CaseInsensitive);
                return byName != 0 ? byName < 0 : a->file < b->file;
            });
            for (size_t j = 0; j < top->children.size(); ++j)
                top->children.at(j)->row = int(j);
        }
    }
    endResetModel();
}

void ProjectModel::setDiagnostics(const Model::Diagnostics &diagnostics)
{
    QHash<QString, QStringList> errors;
    for (const Model::Diagnostic &d : diagnostics)
        errors[d.file].append(d.pointer.isEmpty() ? d.message : d.pointer + u": "_s + d.message);
    if (errors == m_errors)
        return;
    m_errors = errors;
    if (m_top.empty())
        return;
    Q_EMIT dataChanged(index(0, 0), index(int(m_top.size()) - 1, 0));
    for (const auto &top : m_top) {
        if (!top->children.empty()) {
            const QModelIndex parent = indexOf(top.get());
            Q_EMIT dataChanged(index(0, 0, parent), index(int(top->children.size()) - 1, 0, parent));
        }
    }
}

QModelIndex ProjectModel::indexForFile(const QString &file) const
{
    for (const auto &top : m_top) {
        if (!top->isKind && top->file == file)
            return indexOf(top.get());
        for (const auto &child : top->children) {
            if (child->file == file)
                return indexOf(child.get());
        }
    }
    return {};
}

QModelIndex ProjectModel::indexForKind(DocumentKind kind) const
{
    for (const auto &top : m_top) {
        if (top->isKind && top->kind == kind)
            return indexOf(top.get());
    }
    return {};
}

int ProjectModel::documentCount(DocumentKind kind) const
{
    if (kind == DocumentKind::Project)
        return (!m_top.empty() && !m_top.front()->isKind) ? 1 : 0;
    const QModelIndex index = indexForKind(kind);
    return index.isValid() ? int(nodeOf(index)->children.size()) : 0;
}

ProjectModel::Node *ProjectModel::nodeOf(const QModelIndex &index) const
{
    return static_cast<Node *>(index.internalPointer());
}

QModelIndex ProjectModel::indexOf(const Node *node) const
{
    return node ? createIndex(node->row, 0, const_cast<Node *>(node)) : QModelIndex();
}

QModelIndex ProjectModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column != 0 || row < 0)
        return {};
    if (!parent.isValid())
        return size_t(row) < m_top.size() ? indexOf(m_top.at(size_t(row)).get()) : QModelIndex();
    const Node *node = nodeOf(parent);
    return size_t(row) < node->children.size() ? indexOf(node->children.at(size_t(row)).get()) : QModelIndex();
}

QModelIndex ProjectModel::parent(const QModelIndex &child) const
{
    return child.isValid() ? indexOf(nodeOf(child)->parent) : QModelIndex();
}

int ProjectModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_top.size());
    if (parent.column() != 0)
        return 0;
    return int(nodeOf(parent)->children.size());
}

int ProjectModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant ProjectModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Node *node = nodeOf(index);
    if (node->isKind) {
        switch (role) {
        case Qt::DisplayRole:
            return tr("%1 (%2)").arg(kindTitle(node->kind)).arg(node->children.size());
        case Qt::DecorationRole:
            return Icons::kind(node->kind);
        case Qt::ToolTipRole:
            return tr("%1 documents in %2/").arg(Model::kindInfo(node->kind).name, Model::kindInfo(node->kind).folder);
        case KindRole:
            return int(node->kind);
        case IsKindNodeRole:
            return true;
        case ErrorCountRole: {
            int count = 0;
            for (const auto &child : node->children)
                count += int(m_errors.value(child->file).size());
            return count;
        }
        default:
            return {};
        }
    }
    const QStringList errors = m_errors.value(node->file);
    switch (role) {
    case Qt::DisplayRole:
        return node->name;
    case Qt::DecorationRole:
        return errors.isEmpty() ? Icons::kind(node->kind) : Icons::error();
    case Qt::ForegroundRole:
        return errors.isEmpty() ? QVariant() : QVariant(QBrush(QColor(0xc0, 0x1c, 0x28)));
    case Qt::ToolTipRole: {
        QString tip = tr("File: %1\nId: %2").arg(node->file, node->id);
        if (!errors.isEmpty())
            tip += u"\n\n"_s + tr("%n problem(s):", nullptr, int(errors.size())) + u"\n"_s + errors.join(u'\n');
        return tip;
    }
    case FileRole:
        return node->file;
    case KindRole:
        return int(node->kind);
    case IdRole:
        return node->id;
    case IsKindNodeRole:
        return false;
    case ErrorCountRole:
        return int(errors.size());
    default:
        return {};
    }
}

} // namespace Conflux::Ui
