#pragma once

#include "tester/collection.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;

namespace Conflux::Ui {

class AssertionEditor;
class AuthEditor;
class BodyEditor;
class KeyValueTable;

// One request of a collection, as Postman lays it out: the method, the URL and Send on one
// line; under it tabs for the query parameters, headers, body, authentication, checks
// (assertions) and settings (the gateway route, redirects, the request's own variables, a
// description). Typing "?a=1&b=2" into the URL moves the pairs to the parameters when the
// field is left.
class RequestEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestEditor)

public:
    explicit RequestEditor(QWidget *parent = nullptr);
    ~RequestEditor() override;

    // Shows `item` (a request); keeps the field being typed in when nothing there changed.
    void setItem(const Tester::Item &item);
    Tester::Item item() const { return m_item; }

    void setInheritedAuthDescription(const QString &text);
    void setEndpointIds(const QStringList &ids);
    void setRouteIds(const QStringList &ids);
    // While a send is in flight Send becomes Cancel.
    void setBusy(bool busy);
    bool isBusy() const { return m_busy; }

    enum Tab { ParamsTab, HeadersTab, BodyTab, AuthTab, ChecksTab, SettingsTab };
    void showTab(Tab tab);

    QComboBox *methodBox() const { return m_method; }
    QLineEdit *urlEdit() const { return m_url; }
    QPushButton *sendButton() const { return m_send; }
    KeyValueTable *paramsTable() const { return m_params; }
    KeyValueTable *headersTable() const { return m_headers; }
    BodyEditor *bodyEditor() const { return m_body; }
    AuthEditor *authEditor() const { return m_auth; }
    AssertionEditor *assertionEditor() const { return m_assertions; }
    QComboBox *routeBox() const { return m_route; }

Q_SIGNALS:
    // After each change by the user; `what` names the field (for merging keystrokes).
    void edited(const QString &what);
    void sendRequested();
    void cancelRequested();

private:
    void showItem();
    void moveQueryToParams();
    void updateTabTitles();

    Tester::Item m_item;
    QComboBox *m_method = nullptr;
    QLineEdit *m_url = nullptr;
    QPushButton *m_send = nullptr;
    QTabWidget *m_tabs = nullptr;
    KeyValueTable *m_params = nullptr;
    KeyValueTable *m_headers = nullptr;
    BodyEditor *m_body = nullptr;
    AuthEditor *m_auth = nullptr;
    AssertionEditor *m_assertions = nullptr;
    QComboBox *m_route = nullptr;
    QCheckBox *m_followRedirects = nullptr;
    KeyValueTable *m_variables = nullptr;
    QPlainTextEdit *m_description = nullptr;
    bool m_busy = false;
    bool m_updating = false;
};

} // namespace Conflux::Ui
