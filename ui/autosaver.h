#pragma once

#include "autosave.h"

#include <QHash>
#include <QObject>

#include <memory>

class QTimer;
class QWidget;

namespace Conflux::Ui {

class DocumentTabs;

// Writes every modified buffer of the open documents to the project's AutosaveStore on a
// timer (5 s unless set), only when it changed since the last copy; removes a copy when
// its buffer is saved, discarded or back at its saved state.
class Autosaver final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Autosaver)

public:
    explicit Autosaver(DocumentTabs *tabs, QObject *parent = nullptr);
    ~Autosaver() override;

    void setProjectFolder(const QString &folder);   // empty: no project
    void setInterval(int milliseconds);
    int interval() const;
    QString folder() const;

    void autosave();
    void discard(const QString &file);
    void discardAll();
    // Copies that differ from the files on disk: what a crash left behind. Copies equal to
    // their file are removed.
    QList<AutosaveStore::Entry> leftovers();

    // The dialogs of a restore: whether to restore `files` (modal), and that restored
    // copies lack the credentials that were typed (non-blocking).
    static bool askToRestore(QWidget *parent, const QStringList &files);
    static void tellCredentialsRemoved(QWidget *parent, const QStringList &files);

Q_SIGNALS:
    void failed(const QString &message);

private:
    DocumentTabs *m_tabs;
    QTimer *m_timer;
    std::unique_ptr<AutosaveStore> m_store;
    QHash<QString, int> m_revisions;   // file → document revision last written
};

} // namespace Conflux::Ui
