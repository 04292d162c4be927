#include "newdocumentdialog.h"

#include "projectfiles.h"
#include "projectmodel.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

NewDocumentDialog::NewDocumentDialog(Model::DocumentKind kind, const QString &projectFolder, QWidget *parent)
    : QDialog(parent), m_kind(kind), m_projectFolder(projectFolder)
{
    setObjectName(u"newDocumentDialog"_s);
    setWindowTitle(tr("New %1").arg(ProjectModel::kindLabel(kind)));

    m_id = new QLineEdit(this);
    m_id->setObjectName(u"idEdit"_s);
    m_id->setPlaceholderText(tr("e.g. orders-to-erp"));
    m_id->setValidator(new QRegularExpressionValidator(QRegularExpression(u"[a-z0-9][a-z0-9._-]{0,63}"_s), m_id));
    m_name = new QLineEdit(this);
    m_name->setObjectName(u"nameEdit"_s);
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Id:"), m_id);
    form->addRow(tr("&Name:"), m_name);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_hint);
    layout->addStretch();
    layout->addWidget(m_buttons);

    connect(m_id, &QLineEdit::textChanged, this, &NewDocumentDialog::check);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    check();
    resize(420, sizeHint().height());
}

QString NewDocumentDialog::id() const
{
    return m_id->text();
}

QString NewDocumentDialog::name() const
{
    return m_name->text().trimmed().isEmpty() ? m_id->text() : m_name->text().trimmed();
}

void NewDocumentDialog::check()
{
    const QString folder = Model::kindInfo(m_kind).folder;
    const QString file = folder + u'/' + id() + u".json"_s;
    QString hint;
    bool ok = false;
    if (id().isEmpty())
        hint = tr("Lowercase letters, digits, '.', '_' and '-'. The file will be %1/<id>.json.").arg(folder);
    else if (!isValidDocumentId(id()))
        hint = tr("An id starts with a letter or digit.");
    else if (QDir(m_projectFolder).exists(file))
        hint = tr("%1 already exists.").arg(file);
    else {
        hint = tr("Creates %1.").arg(file);
        ok = true;
    }
    m_hint->setText(hint);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
}

} // namespace Conflux::Ui
