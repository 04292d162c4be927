#include "documentsaver.h"

#include "credentials.h"
#include "jsoneditor.h"
#include "model/jsontext.h"
#include "model/projectwriter.h"
#include "movesecretsdialog.h"
#include "secretstore.h"

#include <QWidget>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

DocumentSaver::DocumentSaver(SecretStore *secrets, QWidget *dialogParent)
    : QObject(dialogParent), m_secrets(secrets), m_dialogParent(dialogParent)
{}

bool DocumentSaver::isPending(const JsonEditor *editor) const
{
    for (const QPointer<JsonEditor> &pending : m_pending) {
        if (pending == editor)
            return true;
    }
    return false;
}

void DocumentSaver::save(JsonEditor *editor)
{
    if (!editor || isPending(editor))
        return;
    const QString file = editor->file();
    const Model::ParsedDocument parsed = Model::parseDocument(file, editor->text());
    if (!parsed.errors.isEmpty() || !parsed.value.isObject()) {
        Q_EMIT failed(editor,
                      tr("%1 was not saved: it is not a valid JSON document. Fix the errors shown in "
                         "the editor first.").arg(file),
                      Model::toStrings(parsed.errors));
        return;
    }
    const QJsonObject document = parsed.value.toObject();
    const Model::Diagnostics secrets = Model::findPlaintextSecrets(file, document);
    if (secrets.isEmpty()) {
        write(editor, document);
        return;
    }
    QStringList pointers;
    for (const Model::Diagnostic &d : secrets)
        pointers.append(d.pointer);
    moveSecrets(editor, document, pointers);
}

void DocumentSaver::write(JsonEditor *editor, const QJsonObject &document)
{
    const Result<bool> written = Model::ProjectWriter(m_folder).writeDocument(editor->file(), document);
    if (!written) {
        Q_EMIT failed(editor, written.error().message, written.error().details);
        return;
    }
    Q_EMIT saved(editor, Model::canonicalJson(document), written.value());
}

void DocumentSaver::moveSecrets(JsonEditor *editor, const QJsonObject &document, const QStringList &pointers)
{
    QStringList names;
    for (const QString &pointer : pointers)
        names.append(suggestSecretName(editor->file(), pointer, names));

    m_pending.append(editor);
    editor->setReadOnly(true);  // the buffer must not change while its credentials move
    auto *dialog = new MoveSecretsDialog(editor->file(), pointers, names, m_dialogParent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::finished, this,
            [this, dialog, editor = QPointer<JsonEditor>(editor), document, pointers](int result) {
                if (!editor)
                    return;
                if (result != QDialog::Accepted) {
                    finishPending(editor);
                    Q_EMIT failed(editor,
                                  tr("%1 was not saved: it holds plaintext credentials, and a project "
                                     "never stores secrets.").arg(editor->file()),
                                  {});
                    return;
                }
                storeInKeychain(editor, document, pointers, dialog->names(), 0);
            });
    dialog->open();
}

void DocumentSaver::storeInKeychain(QPointer<JsonEditor> editor, QJsonObject document, QStringList pointers,
                                    QStringList names, qsizetype next)
{
    if (!editor)
        return;
    if (next == pointers.size()) {
        for (qsizetype i = 0; i < pointers.size(); ++i) {
            document = replaceAtPointer(document, pointers.at(i), QJsonObject{{u"secret"_s, names.at(i)}})
                           .toObject();
        }
        finishPending(editor);
        write(editor, document);
        return;
    }
    const QString value = valueAtPointer(document, pointers.at(next)).toString();
    m_secrets->write(names.at(next), value, this,
                     [this, editor, document, pointers, names, next](Result<void> stored) {
                         if (!editor)
                             return;
                         if (!stored) {
                             finishPending(editor);
                             Q_EMIT failed(editor,
                                           tr("%1 was not saved: its credentials could not be moved to "
                                              "the OS keychain (%2). Nothing was written; the values "
                                              "remain only in the editor.")
                                               .arg(editor->file(), stored.error().message),
                                           {});
                             return;
                         }
                         storeInKeychain(editor, document, pointers, names, next + 1);
                     });
}

void DocumentSaver::finishPending(JsonEditor *editor)
{
    m_pending.removeIf([editor](const QPointer<JsonEditor> &p) { return !p || p == editor; });
    editor->setReadOnly(false);
}

} // namespace Conflux::Ui
