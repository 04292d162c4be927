#pragma once

#include "model/documentkind.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace Conflux::Ui {

// Asks for the id (and a display name) of a new document of one kind. The id must be a
// valid document id and not yet used by a file in the kind's folder.
class NewDocumentDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NewDocumentDialog)

public:
    NewDocumentDialog(Model::DocumentKind kind, const QString &projectFolder, QWidget *parent = nullptr);

    QString id() const;
    QString name() const;

private:
    void check();

    Model::DocumentKind m_kind;
    QString m_projectFolder;
    QLineEdit *m_id = nullptr;
    QLineEdit *m_name = nullptr;
    QLabel *m_hint = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace Conflux::Ui
