#include "newprojectdialog.h"

#include "projectfiles.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

NewProjectDialog::NewProjectDialog(const QString &location, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"newProjectDialog"_s);
    setWindowTitle(tr("New Project"));

    m_location = new QLineEdit(QDir::toNativeSeparators(location), this);
    auto *browse = new QPushButton(tr("&Browse…"), this);
    auto *locationRow = new QHBoxLayout;
    locationRow->addWidget(m_location, 1);
    locationRow->addWidget(browse);
    m_location->setObjectName(u"locationEdit"_s);
    m_id = new QLineEdit(this);
    m_id->setObjectName(u"idEdit"_s);
    m_id->setPlaceholderText(tr("e.g. order-hub"));
    m_id->setValidator(new QRegularExpressionValidator(QRegularExpression(u"[a-z0-9][a-z0-9._-]{0,63}"_s), m_id));
    m_name = new QLineEdit(this);
    m_name->setObjectName(u"nameEdit"_s);
    m_name->setPlaceholderText(tr("e.g. Order Hub"));
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Location:"), locationRow);
    form->addRow(tr("&Id:"), m_id);
    form->addRow(tr("&Name:"), m_name);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_hint);
    layout->addStretch();
    layout->addWidget(m_buttons);

    connect(browse, &QPushButton::clicked, this, &NewProjectDialog::browse);
    connect(m_location, &QLineEdit::textChanged, this, &NewProjectDialog::check);
    connect(m_id, &QLineEdit::textChanged, this, &NewProjectDialog::check);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    check();
    resize(520, sizeHint().height());
}

QString NewProjectDialog::folder() const
{
    return QDir(QDir::fromNativeSeparators(m_location->text())).filePath(id());
}

QString NewProjectDialog::id() const
{
    return m_id->text();
}

QString NewProjectDialog::name() const
{
    return m_name->text().trimmed().isEmpty() ? id() : m_name->text().trimmed();
}

void NewProjectDialog::browse()
{
    const QString chosen = QFileDialog::getExistingDirectory(this, tr("Location of the New Project"), m_location->text());
    if (!chosen.isEmpty())
        m_location->setText(QDir::toNativeSeparators(chosen));
}

void NewProjectDialog::check()
{
    bool ok = false;
    QString hint;
    if (!QDir(QDir::fromNativeSeparators(m_location->text())).exists())
        hint = tr("Choose an existing folder to create the project in.");
    else if (!isValidDocumentId(id()))
        hint = tr("The id names the project folder: lowercase letters, digits, '.', '_' and '-'.");
    else if (QDir(folder()).exists() && !QDir(folder()).isEmpty())
        hint = tr("%1 already exists and is not empty.").arg(QDir::toNativeSeparators(folder()));
    else {
        hint = tr("Creates %1 with project.json and a folder for each kind of document.")
                   .arg(QDir::toNativeSeparators(folder()));
        ok = true;
    }
    m_hint->setText(hint);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
}

} // namespace Conflux::Ui
