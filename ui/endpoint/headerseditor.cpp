#include "headerseditor.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui::Endpoint {

namespace {
constexpr int secretRole = Qt::UserRole + 1;
}

HeadersEditor::HeadersEditor(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_table = new QTableWidget(0, 2, this);
    m_table->setHorizontalHeaderLabels({tr("Header"), tr("Value")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setColumnWidth(0, 180);
    m_table->setMinimumHeight(90);
    m_table->setMaximumHeight(160);
    layout->addWidget(m_table);
    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(tr("Add header"), this);
    m_remove = new QPushButton(tr("Remove"), this);
    buttons->addWidget(add);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    layout->addLayout(buttons);

    connect(add, &QPushButton::clicked, this, [this] {
        m_updating = true;
        addRow(QString(), QJsonValue(QString()));
        m_updating = false;
        m_table->setCurrentCell(m_table->rowCount() - 1, 0);
        m_table->editItem(m_table->item(m_table->rowCount() - 1, 0));
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const int row = m_table->currentRow();
        if (row < 0)
            return;
        m_table->removeRow(row);
        Q_EMIT edited(headers());
    });
    connect(m_table, &QTableWidget::itemChanged, this, [this] {
        if (!m_updating)
            Q_EMIT edited(headers());
    });
}

HeadersEditor::~HeadersEditor() = default;

void HeadersEditor::addRow(const QString &name, const QJsonValue &value)
{
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    m_table->setItem(row, 0, new QTableWidgetItem(name));
    auto *valueItem = new QTableWidgetItem;
    const QString secret = value.toObject().value(u"secret"_s).toString();
    if (!secret.isEmpty()) {
        valueItem->setText(tr("(keychain: %1)").arg(secret));
        valueItem->setData(secretRole, secret);
        valueItem->setFlags(valueItem->flags() & ~Qt::ItemIsEditable);
    } else {
        valueItem->setText(value.toString());
    }
    m_table->setItem(row, 1, valueItem);
}

QJsonObject HeadersEditor::headers() const
{
    QJsonObject out;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QString name = m_table->item(row, 0) ? m_table->item(row, 0)->text().trimmed() : QString();
        if (name.isEmpty())
            continue;   // a row being filled in
        const QTableWidgetItem *value = m_table->item(row, 1);
        const QString secret = value ? value->data(secretRole).toString() : QString();
        if (!secret.isEmpty())
            out.insert(name, QJsonObject{{u"secret"_s, secret}});
        else
            out.insert(name, value ? value->text() : QString());
    }
    return out;
}

void HeadersEditor::setHeaders(const QJsonObject &headers)
{
    // The table already says this (the user's own edit coming back): keep rows being filled in.
    if (this->headers() == headers)
        return;
    m_updating = true;
    m_table->setRowCount(0);
    for (auto it = headers.begin(); it != headers.end(); ++it)
        addRow(it.key(), it.value());
    m_updating = false;
    m_shown = headers;
}

} // namespace Conflux::Ui::Endpoint
