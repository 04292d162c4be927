#pragma once

#include "tester/collection.h"

#include <QWidget>

#include <functional>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QStackedWidget;

namespace Conflux::Ui {

// The authentication of a request, a folder or a collection: inherit (from the folder or
// collection around it), none, Basic, Bearer, API key (header or query parameter), OAuth2
// client credentials, or the authentication of a project endpoint. Credentials are a
// {{variable}} (given by an environment) or a keychain secret; a literal password would be
// refused by the project loader, so the editor says so as it is typed.
class AuthEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuthEditor)

public:
    explicit AuthEditor(QWidget *parent = nullptr);
    ~AuthEditor() override;

    // A collection has nothing to inherit from: "inherit" is not offered.
    void setInheritAllowed(bool allowed);
    // What "inherit" gives here, shown under it ("Basic, from the folder orders").
    void setInheritedDescription(const QString &text);
    void setEndpointIds(const QStringList &ids);

    void setAuth(const Tester::Auth &auth);
    Tester::Auth auth() const { return m_auth; }

    QComboBox *typeBox() const { return m_type; }
    // The line edit of a field by its document name: "username", "password", "token",
    // "parameter", "value", "token_url", "client_id", "client_secret", "scopes", "audience".
    QLineEdit *field(const QString &name) const;

    // "Basic", "OAuth2 client credentials", ...
    static QString typeLabel(Tester::Auth::Type type);

Q_SIGNALS:
    void edited(const QString &what);

private:
    struct CredentialField
    {
        QComboBox *source = nullptr;
        QLineEdit *edit = nullptr;
        QLabel *warning = nullptr;
    };
    QLineEdit *addText(QFormLayout *form, const QString &name, const QString &label, const QString &placeholder,
                       std::function<void(Tester::Auth &, const QString &)> store);
    void addCredential(QFormLayout *form, const QString &name, const QString &label,
                       Tester::Credential Tester::Auth::*member);
    void showAuth();
    void showCredential(const CredentialField &field, const Tester::Credential &credential);
    static void warnIfLiteral(const CredentialField &field, const Tester::Credential &credential);

    Tester::Auth m_auth;
    QComboBox *m_type = nullptr;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_inherited = nullptr;
    QComboBox *m_apiKeyIn = nullptr;
    QComboBox *m_endpoint = nullptr;
    QHash<QString, QLineEdit *> m_fields;
    QList<std::pair<CredentialField, Tester::Credential Tester::Auth::*>> m_credentials;
    bool m_inheritAllowed = true;
    bool m_updating = false;
};

} // namespace Conflux::Ui
