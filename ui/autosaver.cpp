#include "autosaver.h"

#include "documenttabs.h"
#include "jsoneditor.h"

#include <QDir>
#include <QFile>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {
namespace {
constexpr int defaultIntervalMs = 5000;
}

Autosaver::Autosaver(DocumentTabs *tabs, QObject *parent)
    : QObject(parent), m_tabs(tabs), m_timer(new QTimer(this))
{
    m_timer->setInterval(defaultIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &Autosaver::autosave);
    m_timer->start();
}

Autosaver::~Autosaver() = default;

void Autosaver::setProjectFolder(const QString &folder)
{
    m_revisions.clear();
    m_store = folder.isEmpty() ? nullptr : std::make_unique<AutosaveStore>(folder);
}

void Autosaver::setInterval(int milliseconds)
{
    m_timer->start(milliseconds);
}

int Autosaver::interval() const
{
    return m_timer->interval();
}

QString Autosaver::folder() const
{
    return m_store ? m_store->folder() : QString();
}

void Autosaver::autosave()
{
    if (!m_store)
        return;
    const QList<JsonEditor *> editors = m_tabs->editors();
    for (JsonEditor *editor : editors) {
        const QString file = editor->file();
        if (!editor->isModified()) {
            // Back at the saved state (undo): a copy would only offer a stale restore.
            if (m_revisions.remove(file))
                m_store->remove(file);
            continue;
        }
        const int revision = editor->document()->revision();
        if (m_revisions.value(file, -1) == revision)
            continue;
        if (Result<void> stored = m_store->store(file, editor->text()); !stored) {
            Q_EMIT failed(stored.error().message);
            continue;
        }
        m_revisions.insert(file, revision);
    }
}

void Autosaver::discard(const QString &file)
{
    m_revisions.remove(file);
    if (m_store)
        m_store->remove(file);
}

void Autosaver::discardAll()
{
    m_revisions.clear();
    if (m_store)
        m_store->clear();
}

QList<AutosaveStore::Entry> Autosaver::leftovers()
{
    QList<AutosaveStore::Entry> out;
    if (!m_store)
        return out;
    const QList<AutosaveStore::Entry> entries = m_store->entries();
    for (const AutosaveStore::Entry &entry : entries) {
        QFile file(QDir(m_store->projectFolder()).filePath(entry.file));
        const QByteArray onDisk = file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        if (onDisk == entry.text)
            m_store->remove(entry.file);
        else
            out.append(entry);
    }
    return out;
}

bool Autosaver::askToRestore(QWidget *parent, const QStringList &files)
{
    QMessageBox box(QMessageBox::Question, tr("Restore Unsaved Changes"),
                    tr("Conflux was not closed properly. Unsaved changes to %n document(s) were kept:",
                       nullptr, int(files.size()))
                        + u"\n\n"_s + files.join(u'\n'),
                    QMessageBox::NoButton, parent);
    QPushButton *restore = box.addButton(tr("&Restore"), QMessageBox::AcceptRole);
    box.addButton(tr("&Discard"), QMessageBox::DestructiveRole);
    box.setDefaultButton(restore);
    box.exec();
    return box.clickedButton() == static_cast<QAbstractButton *>(restore);
}

void Autosaver::tellCredentialsRemoved(QWidget *parent, const QStringList &files)
{
    auto *box = new QMessageBox(
        QMessageBox::Information, tr("Re-enter Credentials"),
        tr("Credentials are never written to disk, not even to autosaved copies, so the restored "
           "changes have empty values where credentials were typed. Re-enter them before saving:")
            + u"\n\n"_s + files.join(u'\n'),
        QMessageBox::Ok, parent);
    box->setObjectName(u"reenterCredentialsMessage"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace Conflux::Ui
