#pragma once

#include "connectors/connector.h"

#include <QTreeWidget>

#include <vector>

namespace Conflux::Ui::Endpoint {

// The schema view: the endpoint's entities (tables, resources, operations, entity sets) and
// under each its fields with their types — "string (date-time)", "integer or null", "array of
// object" — and notes (key, optional, cursor). Fed by discovery or by an imported definition.
class SchemaTree final : public QTreeWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SchemaTree)

public:
    explicit SchemaTree(QWidget *parent = nullptr);
    ~SchemaTree() override;

    void setEntities(const std::vector<Connectors::Entity> &entities);
    // The type text of one field, as the tree shows it.
    static QString typeText(const Data::SchemaField &field);

private:
    void addFields(QTreeWidgetItem *parent, const Data::SchemaField &field, const QStringList &keys, int depth);
};

} // namespace Conflux::Ui::Endpoint
