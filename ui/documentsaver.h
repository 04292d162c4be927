#pragma once

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>

class QWidget;

namespace Conflux::Ui {

class JsonEditor;
class SecretStore;

// Saves an editor's buffer through ProjectWriter, in canonical form. A buffer that does
// not parse is refused. A buffer holding plaintext credentials is never written as is:
// the user is offered to move each value into the OS keychain (MoveSecretsDialog, then
// SecretStore) and the document is written with references; if the keychain fails,
// nothing is written. The outcome arrives as saved() or failed(), possibly later.
class DocumentSaver final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DocumentSaver)

public:
    DocumentSaver(SecretStore *secrets, QWidget *dialogParent);

    void setProjectFolder(const QString &folder) { m_folder = folder; }
    void save(JsonEditor *editor);
    bool isPending(const JsonEditor *editor) const;

Q_SIGNALS:
    // `canonical` is the text written (or already on disk); `changed` whether the file changed.
    void saved(Conflux::Ui::JsonEditor *editor, const QByteArray &canonical, bool changed);
    void failed(Conflux::Ui::JsonEditor *editor, const QString &message, const QStringList &details);

private:
    void write(JsonEditor *editor, const QJsonObject &document);
    void moveSecrets(JsonEditor *editor, const QJsonObject &document, const QStringList &pointers);
    void storeInKeychain(QPointer<JsonEditor> editor, QJsonObject document, QStringList pointers,
                         QStringList names, qsizetype next);
    void finishPending(JsonEditor *editor);

    SecretStore *m_secrets;
    QWidget *m_dialogParent;
    QString m_folder;
    QList<QPointer<JsonEditor>> m_pending;
};

} // namespace Conflux::Ui
