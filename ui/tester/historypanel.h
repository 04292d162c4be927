#pragma once

#include "tester/history.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;

namespace Conflux::Ui {

// The project's request history, newest first: time, method, status, URL and time taken.
// Activating an entry shows its exchange again; the designer reads and clears the file
// (core/tester/history.h) off the UI thread and hands the entries here.
class HistoryPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryPanel)

public:
    explicit HistoryPanel(QWidget *parent = nullptr);
    ~HistoryPanel() override;

    void setEntries(const QList<Tester::HistoryEntry> &entries);
    void setError(const QString &message);
    const QList<Tester::HistoryEntry> &entries() const { return m_entries; }
    QListWidget *list() const { return m_list; }

Q_SIGNALS:
    void entryActivated(const Conflux::Tester::HistoryEntry &entry);
    void clearRequested();

private:
    QList<Tester::HistoryEntry> m_entries;   // newest first, as shown
    QLabel *m_note = nullptr;
    QListWidget *m_list = nullptr;
    QPushButton *m_clear = nullptr;
};

} // namespace Conflux::Ui
