#include "schematree.h"

#include "connectors/registry.h"

#include <QFont>
#include <QHeaderView>

using namespace Qt::StringLiterals;

namespace Conflux::Ui::Endpoint {

namespace {
// Field trees of recursive definitions are cut by their importers; this only keeps a
// pathological tree from making a huge view.
constexpr int maxDepth = 12;
}

SchemaTree::SchemaTree(QWidget *parent)
    : QTreeWidget(parent)
{
    setColumnCount(3);
    setHeaderLabels({tr("Entity / field"), tr("Type"), tr("Notes")});
    setAlternatingRowColors(true);
    setUniformRowHeights(true);
    header()->setStretchLastSection(true);
    header()->setSectionResizeMode(0, QHeaderView::Interactive);
    setColumnWidth(0, 240);
    setColumnWidth(1, 240);
}

SchemaTree::~SchemaTree() = default;

QString SchemaTree::typeText(const Data::SchemaField &field)
{
    QStringList names = field.typeNames();
    const bool nullable = names.removeAll(u"null"_s) > 0 && !names.isEmpty();
    QString text;
    if (names.size() == 1 && names.first() == u"array"_s) {
        const Data::SchemaField *item = field.item();
        text = item ? tr("array of %1").arg(typeText(*item)) : tr("array");
    } else {
        text = names.isEmpty() ? tr("null") : names.join(tr(" or "));
    }
    if (field.format != Data::StringFormat::None)
        text += u" ("_s + Data::SchemaField::formatName(field.format) + u')';
    if (nullable)
        text += tr(", nullable");
    return text;
}

void SchemaTree::setEntities(const std::vector<Connectors::Entity> &entities)
{
    clear();
    for (const Connectors::Entity &entity : entities) {
        auto *item = new QTreeWidgetItem(this);
        item->setText(0, entity.name);
        item->setText(1, tr("entity"));
        QStringList notes;
        if (!entity.keyFields.isEmpty())
            notes.append(tr("key: %1").arg(entity.keyFields.join(u", "_s)));
        if (!entity.cursorField.isEmpty())
            notes.append(tr("cursor: %1").arg(entity.cursorField));
        if (entity.capabilities.toInt() != 0)
            notes.append(Connectors::capabilityNames(entity.capabilities).join(u", "_s));
        if (!entity.description.isEmpty())
            notes.append(entity.description);
        item->setText(2, notes.join(u" · "_s));
        item->setToolTip(2, entity.description);
        QFont bold = item->font(0);
        bold.setBold(true);
        item->setFont(0, bold);
        addFields(item, entity.schema, entity.keyFields, 0);
    }
    if (topLevelItemCount() > 0) {
        topLevelItem(0)->setExpanded(true);
        setCurrentItem(topLevelItem(0));
    }
}

void SchemaTree::addFields(QTreeWidgetItem *parent, const Data::SchemaField &field, const QStringList &keys, int depth)
{
    if (depth > maxDepth)
        return;
    // An array's fields are its items' fields: show them directly under the array.
    const Data::SchemaField *holder = &field;
    if (holder->fields.empty() && holder->item())
        holder = holder->item();
    for (const Data::SchemaField &child : holder->fields) {
        auto *item = new QTreeWidgetItem(parent);
        item->setText(0, child.name);
        item->setText(1, typeText(child));
        QStringList notes;
        if (depth == 0 && keys.contains(child.name))
            notes.append(tr("key"));
        if (child.optional)
            notes.append(tr("optional"));
        item->setText(2, notes.join(u", "_s));
        addFields(item, child, {}, depth + 1);
    }
}

} // namespace Conflux::Ui::Endpoint
