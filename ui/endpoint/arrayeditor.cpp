#include "arrayeditor.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui::Endpoint {

namespace {

QString cellText(const QJsonValue &value)
{
    if (value.isArray()) {
        QStringList items;
        for (const QJsonValue &item : value.toArray())
            items.append(item.toString());
        return items.join(u", "_s);
    }
    return value.isString() ? value.toString() : QString();
}

} // namespace

ArrayEditor::ArrayEditor(QString pointer, QList<Column> columns, const QString &addText, QWidget *parent)
    : QWidget(parent)
    , m_pointer(std::move(pointer))
    , m_columns(std::move(columns))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_table = new QTableWidget(0, int(m_columns.size()), this);
    QStringList labels;
    for (const Column &column : std::as_const(m_columns))
        labels.append(column.label);
    m_table->setHorizontalHeaderLabels(labels);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setMinimumHeight(110);
    m_table->setMaximumHeight(200);
    layout->addWidget(m_table);
    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(addText, this);
    auto *remove = new QPushButton(tr("Remove"), this);
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    m_errors = new QLabel(this);
    m_errors->setObjectName(u"fieldError"_s);
    m_errors->setWordWrap(true);
    m_errors->setStyleSheet(u"color: #c62828;"_s);
    m_errors->hide();
    layout->addWidget(m_errors);

    connect(add, &QPushButton::clicked, this, [this] {
        m_updating = true;
        addRow({});
        m_updating = false;
        m_items.append(QJsonObject());
        m_table->setCurrentCell(m_table->rowCount() - 1, 0);
        m_table->editItem(m_table->item(m_table->rowCount() - 1, 0));
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_table->currentRow();
        if (row < 0)
            return;
        m_table->removeRow(row);
        m_items.removeAt(row);
        Q_EMIT edited(m_pointer, items());
    });
    connect(m_table, &QTableWidget::itemChanged, this, [this] {
        if (!m_updating)
            Q_EMIT edited(m_pointer, items());
    });
}

ArrayEditor::~ArrayEditor() = default;

void ArrayEditor::addRow(const QJsonObject &item)
{
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    for (int c = 0; c < m_columns.size(); ++c)
        m_table->setItem(row, c, new QTableWidgetItem(cellText(item.value(m_columns.at(c).member))));
}

QJsonArray ArrayEditor::items() const
{
    QJsonArray out;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        QJsonObject item = m_items.at(row).toObject();
        bool empty = true;
        for (int c = 0; c < m_columns.size(); ++c) {
            const Column &column = m_columns.at(c);
            const QString text = m_table->item(row, c) ? m_table->item(row, c)->text().trimmed() : QString();
            if (text.isEmpty()) {
                item.remove(column.member);
                continue;
            }
            empty = false;
            if (column.isList) {
                QJsonArray list;
                for (const QString &part : text.split(u','))
                    if (!part.trimmed().isEmpty())
                        list.append(part.trimmed());
                item.insert(column.member, list);
            } else {
                item.insert(column.member, text);
            }
        }
        // A row just added and not typed into yet is not written.
        if (!empty || !item.isEmpty())
            out.append(item);
    }
    return out;
}

void ArrayEditor::setItems(const QJsonArray &items)
{
    if (this->items() == items)
        return;   // the user's own edit coming back: keep rows being filled in
    m_updating = true;
    m_table->setRowCount(0);
    for (const QJsonValue &item : items)
        addRow(item.toObject());
    m_updating = false;
    m_items = items;
}

void ArrayEditor::setErrors(const QStringList &errors)
{
    m_errors->setText(errors.join(u'\n'));
    m_errors->setVisible(!errors.isEmpty());
}

QString ArrayEditor::errorText() const
{
    return m_errors->text();
}

} // namespace Conflux::Ui::Endpoint
