#include "historypanel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

HistoryPanel::HistoryPanel(QWidget *parent)
    : QWidget(parent)
{
    m_note = new QLabel(tr("Requests sent from this project, newest first (kept in .conflux/history, never in git)."));
    m_note->setWordWrap(true);
    m_clear = new QPushButton(tr("Clear History"));
    m_clear->setObjectName(u"clearHistory"_s);
    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_note, 1);
    top->addWidget(m_clear);
    m_list = new QListWidget;
    m_list->setObjectName(u"historyList"_s);
    m_list->setUniformItemSizes(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_list, 1);

    connect(m_clear, &QPushButton::clicked, this, &HistoryPanel::clearRequested);
    auto activate = [this](QListWidgetItem *item) {
        const int row = m_list->row(item);
        if (row >= 0 && row < m_entries.size())
            Q_EMIT entryActivated(m_entries.at(row));
    };
    connect(m_list, &QListWidget::itemActivated, this, activate);
    connect(m_list, &QListWidget::itemClicked, this, activate);
}

HistoryPanel::~HistoryPanel() = default;

void HistoryPanel::setEntries(const QList<Tester::HistoryEntry> &entries)
{
    m_entries = entries;
    std::reverse(m_entries.begin(), m_entries.end());
    m_list->clear();
    for (const Tester::HistoryEntry &entry : std::as_const(m_entries)) {
        const QString outcome = entry.status ? QString::number(entry.status) : tr("no answer");
        auto *item = new QListWidgetItem(u"%1   %2 %3   %4   %5"_s
                                             .arg(entry.time.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s),
                                                  QString::fromLatin1(entry.method), outcome, entry.url,
                                                  entry.status ? tr("%1 ms").arg(entry.elapsedMs) : entry.error),
                                         m_list);
        item->setToolTip(entry.name.isEmpty() ? entry.url : entry.name);
        if (!entry.status || entry.status >= 400)
            item->setForeground(QColor(0xb3, 0x26, 0x1e));
    }
    m_clear->setEnabled(!m_entries.isEmpty());
}

void HistoryPanel::setError(const QString &message)
{
    m_note->setText(message);
}

} // namespace Conflux::Ui
