#include "containereditor.h"

#include "autheditor.h"
#include "keyvaluetable.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

ContainerEditor::ContainerEditor(QWidget *parent)
    : QWidget(parent)
{
    m_title = new QLabel;
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_title->setFont(bold);
    m_summary = new QLabel;
    m_summary->setEnabled(false);
    m_name = new QLineEdit;
    m_name->setObjectName(u"containerName"_s);
    m_description = new QPlainTextEdit;
    m_description->setObjectName(u"containerDescription"_s);
    m_description->setTabChangesFocus(true);
    m_description->setMaximumHeight(70);
    m_variables = new KeyValueTable;
    m_variables->setObjectName(u"collectionVariables"_s);
    m_variables->setCheckable(false);
    m_variables->setPlaceholders(tr("Add a variable"), tr("value (credentials belong in an environment)"));
    m_variables->setMinimumHeight(110);
    m_auth = new AuthEditor;

    auto *form = new QFormLayout;
    form->addRow(tr("&Name"), m_name);
    form->addRow(tr("&Description"), m_description);
    m_variablesLabel = new QLabel(tr("&Variables"));
    m_variablesLabel->setBuddy(m_variables);
    form->addRow(m_variablesLabel, m_variables);
    auto *authBox = new QGroupBox(tr("Authentication of its requests"));
    auto *authLayout = new QVBoxLayout(authBox);
    authLayout->addWidget(m_auth);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_summary);
    layout->addLayout(form);
    layout->addWidget(authBox);
    layout->addStretch(1);

    connect(m_name, &QLineEdit::textEdited, this, [this](const QString &text) {
        m_settings.name = text;
        Q_EMIT edited(u"name"_s);
    });
    connect(m_description, &QPlainTextEdit::textChanged, this, [this] {
        if (m_updating)
            return;
        m_settings.description = m_description->toPlainText();
        Q_EMIT edited(u"description"_s);
    });
    connect(m_variables, &KeyValueTable::edited, this, [this] {
        m_settings.variables = m_variables->pairs();
        Q_EMIT edited(u"variables"_s);
    });
    connect(m_auth, &AuthEditor::edited, this, [this](const QString &what) {
        m_settings.auth = m_auth->auth();
        Q_EMIT edited(u"auth/"_s + what);
    });
}

ContainerEditor::~ContainerEditor() = default;

void ContainerEditor::setSettings(const Settings &settings, bool isCollection, const QString &summary)
{
    m_updating = true;
    m_title->setText(isCollection ? tr("Collection") : tr("Folder"));
    m_summary->setText(summary);
    m_variablesLabel->setVisible(isCollection);
    m_variables->setVisible(isCollection);
    m_auth->setInheritAllowed(!isCollection);
    if (!(settings == m_settings)) {
        m_settings = settings;
        if (m_name->text() != settings.name)
            m_name->setText(settings.name);
        if (m_description->toPlainText() != settings.description)
            m_description->setPlainText(settings.description);
        m_variables->setPairs(settings.variables);
        m_auth->setAuth(settings.auth);
    }
    m_updating = false;
}

void ContainerEditor::setInheritedAuthDescription(const QString &text)
{
    m_auth->setInheritedDescription(text);
}

void ContainerEditor::setEndpointIds(const QStringList &ids)
{
    m_auth->setEndpointIds(ids);
}

} // namespace Conflux::Ui
