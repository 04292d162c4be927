#pragma once

#include "base/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Conflux::Ui {

// Unsaved edits of one project, kept so a crash loses nothing:
//   <AppDataLocation>/autosave/<sha1 of the project path>/<relative file>
// plus index.json (the project path, and per file when it was written and whether
// credential values were removed). Every write is atomic. Credential values are never
// written: they are blanked (see scrubCredentials()) and the entry is marked instead.
class AutosaveStore
{
public:
    explicit AutosaveStore(const QString &projectFolder);

    struct Entry
    {
        QString file;                // relative to the project folder
        QByteArray text;
        QDateTime savedAt;
        bool credentialsRemoved = false;
    };

    static QString rootFolder();
    QString folder() const { return m_folder; }
    QString projectFolder() const { return m_project; }

    Result<void> store(const QString &file, const QByteArray &text);
    void remove(const QString &file);
    void clear();
    QList<Entry> entries() const;

private:
    QJsonObject readIndex() const;
    Result<void> writeIndex(const QJsonObject &index) const;

    QString m_project;
    QString m_folder;
};

} // namespace Conflux::Ui
