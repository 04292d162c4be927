#include "fieldtree.h"

#include <QHeaderView>
#include <QPainter>
#include <QScrollBar>
#include <QStyle>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

constexpr int PathRole = Qt::UserRole + 1;
constexpr int DescriptionRole = Qt::UserRole + 2;   // the tooltip without problems

void addItems(QTreeWidgetItem *parent, QTreeWidget *tree, const MappingFields::Fields &fields,
              QHash<QString, QTreeWidgetItem *> &items)
{
    for (const MappingFields::Field &field : fields) {
        auto *item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(tree);
        QString type = field.type;
        if (!field.format.isEmpty())
            type += u" (%1)"_s.arg(field.format);
        item->setText(0, field.name);
        item->setText(1, type);
        item->setData(0, PathRole, field.path);
        item->setData(0, DescriptionRole, field.required ? FieldTree::tr("%1 — required").arg(field.path) : field.path);
        items.insert(field.path, item);
        addItems(item, tree, field.children, items);
    }
}

} // namespace

FieldTree::FieldTree(QWidget *parent)
    : QTreeWidget(parent)
{
    setColumnCount(2);
    setHeaderLabels({tr("Field"), tr("Type")});
    header()->setSectionResizeMode(0, QHeaderView::Stretch);
    header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    header()->setStretchLastSection(false);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setDragEnabled(false);
    setUniformRowHeights(true);
    setAllColumnsShowFocus(true);
    setExpandsOnDoubleClick(true);

    connect(this, &QTreeWidget::itemCollapsed, this, [this](QTreeWidgetItem *item) {
        m_collapsed.insert(pathOf(item));
        decorate();
        Q_EMIT geometryOfRowsChanged();
    });
    connect(this, &QTreeWidget::itemExpanded, this, [this](QTreeWidgetItem *item) {
        m_collapsed.remove(pathOf(item));
        decorate();
        Q_EMIT geometryOfRowsChanged();
    });
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, &FieldTree::geometryOfRowsChanged);
}

FieldTree::~FieldTree() = default;

QString FieldTree::pathOf(const QTreeWidgetItem *item)
{
    return item ? item->data(0, PathRole).toString() : QString();
}

void FieldTree::setFields(const MappingFields::Fields &fields)
{
    const QString current = currentPath();
    const int scroll = verticalScrollBar()->value();
    m_fields = fields;
    m_items.clear();
    {
        const QSignalBlocker blocker(this);
        clear();
        addItems(nullptr, this, m_fields, m_items);
        for (auto it = m_items.cbegin(); it != m_items.cend(); ++it)
            it.value()->setExpanded(!m_collapsed.contains(it.key()));
        if (QTreeWidgetItem *item = m_items.value(current))
            setCurrentItem(item);
    }
    verticalScrollBar()->setValue(scroll);
    decorate();
    Q_EMIT geometryOfRowsChanged();
}

QTreeWidgetItem *FieldTree::itemForPath(const QString &path) const
{
    return m_items.value(path);
}

QString FieldTree::currentPath() const
{
    return pathOf(currentItem());
}

void FieldTree::setCurrentPath(const QString &path)
{
    if (QTreeWidgetItem *item = m_items.value(path)) {
        setCurrentItem(item);
        scrollToItem(item);
    }
}

QRect FieldTree::anchorRect(const QString &path) const
{
    QTreeWidgetItem *item = m_items.value(path);
    if (!item) {
        // A rule may name a field below one the tree knows (a path into an untyped
        // object): its nearest known ancestor carries the line.
        QString prefix = path;
        while (!item && prefix.contains(u'.')) {
            prefix = prefix.left(prefix.lastIndexOf(u'.'));
            item = m_items.value(prefix);
        }
        if (!item)
            return {};
    }
    // The outermost collapsed ancestor is the visible row.
    for (QTreeWidgetItem *p = item->parent(); p; p = p->parent()) {
        if (!p->isExpanded())
            item = p;
    }
    return visualItemRect(item);
}

void FieldTree::setMapped(const QSet<QString> &paths)
{
    if (paths == m_mapped)
        return;
    m_mapped = paths;
    decorate();
}

void FieldTree::setProblems(const QHash<QString, QStringList> &problems)
{
    if (problems == m_problems)
        return;
    m_problems = problems;
    decorate();
}

void FieldTree::setPlaceholderText(const QString &text)
{
    m_placeholder = text;
    viewport()->update();
}

void FieldTree::paintEvent(QPaintEvent *event)
{
    QTreeWidget::paintEvent(event);
    if (topLevelItemCount() > 0 || m_placeholder.isEmpty())
        return;
    QPainter painter(viewport());
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(viewport()->rect().adjusted(8, 8, -8, -8), Qt::AlignTop | Qt::AlignHCenter | Qt::TextWordWrap,
                     m_placeholder);
}

void FieldTree::decorate()
{
    const QIcon warning = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    for (auto it = m_items.cbegin(); it != m_items.cend(); ++it) {
        QTreeWidgetItem *item = it.value();
        QFont font = item->font(0);
        font.setBold(m_mapped.contains(it.key()));
        item->setFont(0, font);

        QStringList problems = m_problems.value(it.key());
        if (!item->isExpanded()) {
            // A collapsed row speaks for its hidden children.
            for (auto p = m_problems.cbegin(); p != m_problems.cend(); ++p) {
                if (p.key().startsWith(it.key() + u'.'))
                    problems.append(p.key() + u": "_s + p.value().join(u"; "_s));
            }
        }
        item->setIcon(0, problems.isEmpty() ? QIcon() : warning);
        item->setToolTip(1, problems.join(u'\n'));
        const QString description = item->data(0, DescriptionRole).toString();
        item->setToolTip(0, problems.isEmpty() ? description : description + u'\n' + problems.join(u'\n'));
    }
}

} // namespace Conflux::Ui
