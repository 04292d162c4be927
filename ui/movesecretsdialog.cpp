#include "movesecretsdialog.h"

#include "credentials.h"
#include "secretstore.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSet>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

MoveSecretsDialog::MoveSecretsDialog(const QString &file, const QStringList &pointers, const QStringList &names,
                                     QWidget *parent)
    : QDialog(parent), m_file(file), m_pointers(pointers)
{
    setObjectName(u"moveSecretsDialog"_s);
    setWindowTitle(tr("Move Credentials to the Keychain"));

    auto *intro = new QLabel(
        tr("<p><b>%1</b> holds %n plaintext credential(s). A project never stores secrets, so it "
           "cannot be saved like this.</p><p>Conflux can move each value into the OS keychain "
           "(service \"%2\") and write a reference <code>{\"secret\": \"name\"}</code> in its place. "
           "Nodes resolve the same names from their environment or credentials directory.</p>",
           nullptr, int(pointers.size()))
            .arg(file.toHtmlEscaped(), SecretStore::service()),
        this);
    intro->setWordWrap(true);
    intro->setTextFormat(Qt::RichText);

    auto *form = new QFormLayout;
    for (qsizetype i = 0; i < pointers.size(); ++i) {
        auto *edit = new QLineEdit(names.value(i), this);
        edit->setObjectName(u"secretName%1"_s.arg(i));
        edit->setMaxLength(128);
        connect(edit, &QLineEdit::textChanged, this, &MoveSecretsDialog::check);
        form->addRow(tr("%1 →").arg(pointers.at(i)), edit);
        m_names.append(edit);
    }
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Move to Keychain and Save"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_hint);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    check();
    resize(560, sizeHint().height());
}

QStringList MoveSecretsDialog::names() const
{
    QStringList out;
    for (const QLineEdit *edit : m_names)
        out.append(edit->text().trimmed());
    return out;
}

void MoveSecretsDialog::check()
{
    const QStringList all = names();
    QString problem;
    QSet<QString> seen;
    for (const QString &name : all) {
        if (!isValidSecretName(name))
            problem = tr("A secret name is 1–128 characters of letters, digits, '.', '_' and '-', "
                         "starting with a letter or digit.");
        else if (seen.contains(name))
            problem = tr("Each credential needs its own name.");
        seen.insert(name);
    }
    m_hint->setText(problem);
    m_hint->setVisible(!problem.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace Conflux::Ui
