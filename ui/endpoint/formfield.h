#pragma once

#include "endpointfields.h"

#include <QJsonValue>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;

namespace Conflux::Ui::Endpoint {

// One form field: its editor and, below it, the field's problems — its own check of what
// is being typed, then the document's diagnostics at its JSON pointer. Edits are reported
// as values (undefined: remove the member); the designer commits them. setValue() from the
// document leaves an editor that has focus alone when it already shows that value, so
// typing keeps its cursor while the document is rewritten under it.
class FormField final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FormField)

public:
    explicit FormField(FieldSpec spec, QWidget *parent = nullptr);
    ~FormField() override;

    const FieldSpec &spec() const { return m_spec; }
    QLabel *label() const { return m_label; }
    // The editing widget (QLineEdit, QComboBox or QCheckBox), for tests and focus.
    QWidget *editor() const;
    QLineEdit *lineEdit() const { return m_line; }
    QComboBox *comboBox() const { return m_combo; }
    QCheckBox *checkBox() const { return m_check; }

    void setValue(const QJsonValue &value);
    // The document's problems at this field (already mapped by pointer).
    void setDocumentErrors(const QStringList &errors);
    // The message next to the field: its own check first, else the document's.
    QString errorText() const;
    // Secret fields: the keychain item the document refers to, and a status line.
    void setSecretStatus(const QString &text, bool isError);
    QString secretStatus() const;
    // The value as typed, for secret fields (never stored by the field itself).
    QString typedText() const;
    void clearTypedText();

Q_SIGNALS:
    // A new value for the member (undefined: remove it).
    void edited(const QString &pointer, const QJsonValue &value);
    // Secret fields: the user finished typing a credential.
    void secretEntered(const QString &pointer, const QString &value);

private:
    void onTextEdited(const QString &text);
    // The field's own problem with `text`, empty when there is none.
    QString check(const QString &text) const;
    QString textOf(const QJsonValue &value) const;
    void updateMessage();
    void showSecretStatus();

    FieldSpec m_spec;
    QLabel *m_label = nullptr;
    QLineEdit *m_line = nullptr;
    QComboBox *m_combo = nullptr;
    QCheckBox *m_check = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_secretStatus = nullptr;
    QString m_ownError;
    QString m_keychainError;
    QString m_secretNote;
    QStringList m_documentErrors;
    bool m_updating = false;
};

} // namespace Conflux::Ui::Endpoint
