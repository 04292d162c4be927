#include "autheditor.h"

#include "tester/variables.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QStackedWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

using Type = Tester::Auth::Type;

namespace {

constexpr Type allTypes[] = {Type::Inherit, Type::None, Type::Basic, Type::Bearer,
                             Type::ApiKey, Type::OAuth2ClientCredentials, Type::Endpoint};

QFormLayout *newPage(QStackedWidget *pages)
{
    auto *page = new QWidget;
    auto *form = new QFormLayout(page);
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    pages->addWidget(page);
    return form;
}

enum CredentialSource { Text, Secret };

} // namespace

QString AuthEditor::typeLabel(Type type)
{
    switch (type) {
    case Type::Inherit:
        return tr("Inherit from parent");
    case Type::None:
        return tr("No authentication");
    case Type::Basic:
        return tr("Basic");
    case Type::Bearer:
        return tr("Bearer token");
    case Type::ApiKey:
        return tr("API key");
    case Type::OAuth2ClientCredentials:
        return tr("OAuth2 client credentials");
    case Type::Endpoint:
        return tr("An endpoint's authentication");
    }
    return {};
}

AuthEditor::AuthEditor(QWidget *parent)
    : QWidget(parent)
{
    m_type = new QComboBox;
    m_type->setObjectName(u"authType"_s);
    for (Type type : allTypes)
        m_type->addItem(typeLabel(type), int(type));
    m_pages = new QStackedWidget;

    // Inherit
    QFormLayout *form = newPage(m_pages);
    m_inherited = new QLabel;
    m_inherited->setWordWrap(true);
    form->addRow(m_inherited);
    // None
    form = newPage(m_pages);
    auto *none = new QLabel(tr("The request is sent without credentials."));
    none->setEnabled(false);
    form->addRow(none);
    // Basic
    form = newPage(m_pages);
    addText(form, u"username"_s, tr("&Username"), tr("user or {{variable}}"),
            [](Tester::Auth &a, const QString &t) { a.username = t; });
    addCredential(form, u"password"_s, tr("&Password"), &Tester::Auth::password);
    // Bearer
    form = newPage(m_pages);
    addCredential(form, u"token"_s, tr("&Token"), &Tester::Auth::token);
    // API key
    form = newPage(m_pages);
    m_apiKeyIn = new QComboBox;
    m_apiKeyIn->setObjectName(u"apiKeyIn"_s);
    m_apiKeyIn->addItem(tr("Header"), false);
    m_apiKeyIn->addItem(tr("Query parameter"), true);
    form->addRow(tr("&Add to"), m_apiKeyIn);
    connect(m_apiKeyIn, &QComboBox::activated, this, [this] {
        m_auth.inQuery = m_apiKeyIn->currentData().toBool();
        Q_EMIT edited(u"in"_s);
    });
    addText(form, u"parameter"_s, tr("&Name"), tr("X-Api-Key"),
            [](Tester::Auth &a, const QString &t) { a.parameter = t; });
    addCredential(form, u"value"_s, tr("&Value"), &Tester::Auth::value);
    // OAuth2 client credentials
    form = newPage(m_pages);
    addText(form, u"token_url"_s, tr("Token &URL"), tr("https://auth.example.com/oauth/token"),
            [](Tester::Auth &a, const QString &t) { a.tokenUrl = t; });
    addText(form, u"client_id"_s, tr("&Client ID"), tr("client id or {{variable}}"),
            [](Tester::Auth &a, const QString &t) { a.clientId = t; });
    addCredential(form, u"client_secret"_s, tr("Client &secret"), &Tester::Auth::clientSecret);
    addText(form, u"scopes"_s, tr("S&copes"), tr("separated by spaces"),
            [](Tester::Auth &a, const QString &t) { a.scopes = t.split(u' ', Qt::SkipEmptyParts); });
    addText(form, u"audience"_s, tr("&Audience"), tr("optional"),
            [](Tester::Auth &a, const QString &t) { a.audience = t; });
    // Endpoint
    form = newPage(m_pages);
    m_endpoint = new QComboBox;
    m_endpoint->setObjectName(u"authEndpoint"_s);
    m_endpoint->setEditable(true);
    m_endpoint->setInsertPolicy(QComboBox::NoInsert);
    form->addRow(tr("&Endpoint"), m_endpoint);
    auto *endpointNote = new QLabel(tr("The request is sent with that endpoint's authentication, its secrets read "
                                       "from the OS keychain."));
    endpointNote->setWordWrap(true);
    endpointNote->setEnabled(false);
    form->addRow(endpointNote);
    connect(m_endpoint, &QComboBox::currentTextChanged, this, [this](const QString &text) {
        if (m_updating || text == m_auth.endpoint)
            return;
        m_auth.endpoint = text;
        Q_EMIT edited(u"endpoint"_s);
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *typeRow = new QFormLayout;
    typeRow->addRow(tr("&Type"), m_type);
    layout->addLayout(typeRow);
    layout->addWidget(m_pages);
    layout->addStretch(1);

    connect(m_type, &QComboBox::activated, this, [this] {
        const auto type = Type(m_type->currentData().toInt());
        if (type == m_auth.type)
            return;
        // The fields of the other types stay: switching back and forth loses nothing.
        m_auth.type = type;
        showAuth();
        Q_EMIT edited(u"type"_s);
    });
    showAuth();
}

AuthEditor::~AuthEditor() = default;

QLineEdit *AuthEditor::addText(QFormLayout *form, const QString &name, const QString &label,
                               const QString &placeholder, std::function<void(Tester::Auth &, const QString &)> store)
{
    auto *edit = new QLineEdit;
    edit->setObjectName(u"auth_"_s + name);
    edit->setPlaceholderText(placeholder);
    form->addRow(label, edit);
    m_fields.insert(name, edit);
    connect(edit, &QLineEdit::textEdited, this, [this, name, store](const QString &text) {
        store(m_auth, text);
        Q_EMIT edited(name);
    });
    return edit;
}

void AuthEditor::addCredential(QFormLayout *form, const QString &name, const QString &label,
                               Tester::Credential Tester::Auth::*member)
{
    CredentialField field;
    field.source = new QComboBox;
    field.source->setObjectName(u"auth_"_s + name + u"_source"_s);
    field.source->addItem(tr("Variable"), int(Text));
    field.source->addItem(tr("Keychain secret"), int(Secret));
    field.source->setToolTip(tr("A {{variable}} from the environment, or the name of a secret in the OS keychain"));
    field.edit = new QLineEdit;
    field.edit->setObjectName(u"auth_"_s + name);
    field.warning = new QLabel;
    field.warning->setWordWrap(true);
    field.warning->setStyleSheet(u"color: #b3261e"_s);
    field.warning->hide();
    auto *row = new QWidget;
    auto *rowLayout = new QHBoxLayout(row);
    rowLayout->setContentsMargins(0, 0, 0, 0);
    rowLayout->addWidget(field.source);
    rowLayout->addWidget(field.edit, 1);
    form->addRow(label, row);
    form->addRow(QString(), field.warning);
    m_fields.insert(name, field.edit);
    m_credentials.append({field, member});

    auto store = [this, field, member, name] {
        Tester::Credential &credential = m_auth.*member;
        const QString text = field.edit->text();
        if (field.source->currentData().toInt() == Secret)
            credential = {text.trimmed(), {}};
        else
            credential = {{}, text};
        warnIfLiteral(field, credential);
        Q_EMIT edited(name);
    };
    connect(field.edit, &QLineEdit::textEdited, this, store);
    connect(field.source, &QComboBox::activated, this, [field, store] {
        field.edit->setPlaceholderText(field.source->currentData().toInt() == Secret
                                           ? tr("secret name, e.g. partner.api-key")
                                           : tr("{{variable}}"));
        store();
    });
}

void AuthEditor::warnIfLiteral(const CredentialField &field, const Tester::Credential &credential)
{
    // Only a text that is nothing but {{variables}} keeps the credential out of the project.
    QString rest = credential.text;
    for (const QString &name : Tester::Variables::referencedNames(credential.text))
        rest.remove(u"{{"_s + name + u"}}"_s);
    const bool literal = !credential.isSecret() && !rest.trimmed().isEmpty();
    field.warning->setText(literal ? tr("A credential written here as text would be saved in the project, which "
                                        "refuses it: use a {{variable}} from an environment or a keychain secret.")
                                   : QString());
    field.warning->setVisible(literal);
}

void AuthEditor::setInheritAllowed(bool allowed)
{
    m_inheritAllowed = allowed;
    const int index = m_type->findData(int(Type::Inherit));
    if (!allowed && index >= 0)
        m_type->removeItem(index);
    else if (allowed && index < 0)
        m_type->insertItem(0, typeLabel(Type::Inherit), int(Type::Inherit));
    showAuth();
}

void AuthEditor::setInheritedDescription(const QString &text)
{
    m_inherited->setText(text);
}

void AuthEditor::setEndpointIds(const QStringList &ids)
{
    m_updating = true;
    const QString current = m_endpoint->currentText();
    m_endpoint->clear();
    m_endpoint->addItems(ids);
    m_endpoint->setCurrentText(current);
    m_updating = false;
}

QLineEdit *AuthEditor::field(const QString &name) const
{
    return m_fields.value(name);
}

void AuthEditor::setAuth(const Tester::Auth &auth)
{
    if (auth == m_auth)
        return;
    m_auth = auth;
    showAuth();
}

void AuthEditor::showCredential(const CredentialField &field, const Tester::Credential &credential)
{
    field.source->setCurrentIndex(field.source->findData(int(credential.isSecret() ? Secret : Text)));
    const QString text = credential.isSecret() ? credential.secretName : credential.text;
    if (field.edit->text() != text)
        field.edit->setText(text);
    field.edit->setPlaceholderText(credential.isSecret() ? tr("secret name, e.g. partner.api-key") : tr("{{variable}}"));
    warnIfLiteral(field, credential);
}

void AuthEditor::showAuth()
{
    m_updating = true;
    // A collection's "inherit" is "none".
    const Type shown = !m_inheritAllowed && m_auth.type == Type::Inherit ? Type::None : m_auth.type;
    m_type->setCurrentIndex(m_type->findData(int(shown)));
    m_pages->setCurrentIndex(int(shown));
    auto setText = [this](const QString &name, const QString &text) {
        QLineEdit *edit = m_fields.value(name);
        if (edit->text() != text)
            edit->setText(text);
    };
    setText(u"username"_s, m_auth.username);
    setText(u"parameter"_s, m_auth.parameter);
    setText(u"token_url"_s, m_auth.tokenUrl);
    setText(u"client_id"_s, m_auth.clientId);
    if (m_auth.scopes != m_fields.value(u"scopes"_s)->text().split(u' ', Qt::SkipEmptyParts))
        setText(u"scopes"_s, m_auth.scopes.join(u' '));
    setText(u"audience"_s, m_auth.audience);
    m_apiKeyIn->setCurrentIndex(m_auth.inQuery ? 1 : 0);
    if (m_endpoint->currentText() != m_auth.endpoint)
        m_endpoint->setCurrentText(m_auth.endpoint);
    for (const auto &[field, member] : std::as_const(m_credentials))
        showCredential(field, m_auth.*member);
    m_updating = false;
}

} // namespace Conflux::Ui
