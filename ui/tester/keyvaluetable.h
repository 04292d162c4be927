#pragma once

#include "tester/collection.h"

#include <QTableWidget>

namespace Conflux::Ui {

// Name/value pairs as Postman shows them — query parameters, headers, form fields,
// variables: a check box to turn a pair off without losing it, the name, the value and a
// description. The last row is always empty: typing into it adds a pair. Delete removes the
// selected rows. What the table does not show of a pair (its "x-..." members) is kept.
class KeyValueTable final : public QTableWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeyValueTable)

public:
    explicit KeyValueTable(QWidget *parent = nullptr);
    ~KeyValueTable() override;

    // Shows `pairs`; does nothing when they are what the table shows (so that a document
    // reloaded after the table's own edit does not disturb the cell being typed in).
    void setPairs(const QList<Tester::KeyValue> &pairs);
    QList<Tester::KeyValue> pairs() const { return m_pairs; }
    void setPlaceholders(const QString &name, const QString &value);
    // Plain name → value pairs (variables): no check boxes, no descriptions.
    void setCheckable(bool checkable);

    void removeSelectedRows();

Q_SIGNALS:
    // After every change by the user.
    void edited();

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    enum Column { NameColumn, ValueColumn, DescriptionColumn };
    void rebuild();
    void addRow(const Tester::KeyValue &pair);
    void addAdderRow();
    void styleRow(int row, bool enabled);
    void onItemChanged(QTableWidgetItem *item);

    QList<Tester::KeyValue> m_pairs;
    QString m_namePlaceholder;
    QString m_valuePlaceholder;
    bool m_checkable = true;
    bool m_updating = false;
};

} // namespace Conflux::Ui
