#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace Conflux::Ui {

// Asks where a new project goes: a parent folder, the project id (the new folder's name)
// and a display name.
class NewProjectDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NewProjectDialog)

public:
    explicit NewProjectDialog(const QString &location, QWidget *parent = nullptr);

    QString folder() const;
    QString id() const;
    QString name() const;

private:
    void check();
    void browse();

    QLineEdit *m_location = nullptr;
    QLineEdit *m_id = nullptr;
    QLineEdit *m_name = nullptr;
    QLabel *m_hint = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace Conflux::Ui
