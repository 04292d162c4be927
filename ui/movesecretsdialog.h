#pragma once

#include <QDialog>
#include <QList>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace Conflux::Ui {

// Offered on Save when a document holds plaintext credentials: lists each member (never
// its value) with an editable keychain name, and on accept the window moves the values
// into the OS keychain and writes references instead.
class MoveSecretsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MoveSecretsDialog)

public:
    // `pointers` locate the credentials in `file`; `names` are the suggested secret names.
    MoveSecretsDialog(const QString &file, const QStringList &pointers, const QStringList &names,
                      QWidget *parent = nullptr);

    QString file() const { return m_file; }
    QStringList pointers() const { return m_pointers; }
    QStringList names() const;
    QList<QLineEdit *> nameEdits() const { return m_names; }

private:
    void check();

    QString m_file;
    QStringList m_pointers;
    QList<QLineEdit *> m_names;
    QLabel *m_hint = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace Conflux::Ui
