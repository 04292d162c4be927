#include "keyvaluetable.h"

#include <QHeaderView>
#include <QKeyEvent>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

KeyValueTable::KeyValueTable(QWidget *parent)
    : QTableWidget(0, 3, parent)
{
    setHorizontalHeaderLabels({tr("Name"), tr("Value"), tr("Description")});
    horizontalHeader()->setSectionResizeMode(NameColumn, QHeaderView::Interactive);
    horizontalHeader()->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    horizontalHeader()->setSectionResizeMode(DescriptionColumn, QHeaderView::Interactive);
    horizontalHeader()->resizeSection(NameColumn, 180);
    horizontalHeader()->resizeSection(DescriptionColumn, 160);
    verticalHeader()->hide();
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setEditTriggers(QAbstractItemView::AllEditTriggers);
    setTabKeyNavigation(true);
    setWordWrap(false);
    m_namePlaceholder = tr("Add a name");
    connect(this, &QTableWidget::itemChanged, this, &KeyValueTable::onItemChanged);
    rebuild();
}

KeyValueTable::~KeyValueTable() = default;

void KeyValueTable::setPlaceholders(const QString &name, const QString &value)
{
    m_namePlaceholder = name;
    m_valuePlaceholder = value;
    rebuild();
}

void KeyValueTable::setCheckable(bool checkable)
{
    m_checkable = checkable;
    setColumnHidden(DescriptionColumn, !checkable);
    rebuild();
}

void KeyValueTable::setPairs(const QList<Tester::KeyValue> &pairs)
{
    if (pairs == m_pairs)
        return;
    m_pairs = pairs;
    rebuild();
}

void KeyValueTable::rebuild()
{
    m_updating = true;
    const int row = currentRow();
    const int column = currentColumn();
    setRowCount(0);
    for (const Tester::KeyValue &pair : std::as_const(m_pairs))
        addRow(pair);
    addAdderRow();
    if (row >= 0 && row < rowCount())
        setCurrentCell(row, column);
    m_updating = false;
}

void KeyValueTable::addRow(const Tester::KeyValue &pair)
{
    const int row = rowCount();
    insertRow(row);
    setItem(row, NameColumn, new QTableWidgetItem(pair.name));
    setItem(row, ValueColumn, new QTableWidgetItem(pair.value));
    setItem(row, DescriptionColumn, new QTableWidgetItem(pair.description));
    styleRow(row, pair.enabled);
}

// The empty last row that adds a pair: no check box, the placeholders as tool tips.
void KeyValueTable::addAdderRow()
{
    const int row = rowCount();
    insertRow(row);
    auto *name = new QTableWidgetItem;
    name->setToolTip(m_namePlaceholder);
    setItem(row, NameColumn, name);
    auto *value = new QTableWidgetItem;
    value->setToolTip(m_valuePlaceholder);
    setItem(row, ValueColumn, value);
    setItem(row, DescriptionColumn, new QTableWidgetItem);
}

void KeyValueTable::styleRow(int row, bool enabled)
{
    QTableWidgetItem *name = item(row, NameColumn);
    if (!m_checkable)
        return;
    name->setFlags(name->flags() | Qt::ItemIsUserCheckable);
    name->setCheckState(enabled ? Qt::Checked : Qt::Unchecked);
    name->setToolTip(tr("Uncheck to leave this pair out without deleting it"));
    const QColor text = palette().color(enabled ? QPalette::Active : QPalette::Disabled, QPalette::Text);
    for (int c = 0; c < columnCount(); ++c)
        item(row, c)->setForeground(text);
}

void KeyValueTable::onItemChanged(QTableWidgetItem *changed)
{
    if (m_updating)
        return;
    const int row = changed->row();
    if (row < 0)
        return;
    if (row >= m_pairs.size()) {
        // Typing into the last row adds a pair.
        if (changed->text().isEmpty())
            return;
        m_pairs.append(Tester::KeyValue());
    }
    Tester::KeyValue &pair = m_pairs[row];
    switch (changed->column()) {
    case NameColumn:
        pair.name = changed->text();
        // The row that adds a pair has no check box yet: a new pair is on.
        if (changed->data(Qt::CheckStateRole).isValid())
            pair.enabled = changed->checkState() != Qt::Unchecked;
        break;
    case ValueColumn:
        pair.value = changed->text();
        break;
    case DescriptionColumn:
        pair.description = changed->text();
        break;
    default:
        break;
    }
    // A new pair gets its check box and a new empty row below it; a pair turned off is
    // greyed. Done in place: a rebuild would close the editor Tab has just opened.
    m_updating = true;
    styleRow(row, pair.enabled);
    if (row == rowCount() - 1)
        addAdderRow();
    m_updating = false;
    Q_EMIT edited();
}

void KeyValueTable::removeSelectedRows()
{
    QList<int> rows;
    for (const QModelIndex &index : selectionModel()->selectedIndexes()) {
        if (index.row() < m_pairs.size() && !rows.contains(index.row()))
            rows.append(index.row());
    }
    if (rows.isEmpty() && currentRow() >= 0 && currentRow() < m_pairs.size())
        rows.append(currentRow());
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end(), std::greater<>());
    for (int row : std::as_const(rows))
        m_pairs.removeAt(row);
    rebuild();
    Q_EMIT edited();
}

void KeyValueTable::keyPressEvent(QKeyEvent *event)
{
    if (state() != QAbstractItemView::EditingState
        && (event->key() == Qt::Key_Delete || (event->key() == Qt::Key_Backspace && event->modifiers() & Qt::ControlModifier))) {
        removeSelectedRows();
        return;
    }
    QTableWidget::keyPressEvent(event);
}

} // namespace Conflux::Ui
