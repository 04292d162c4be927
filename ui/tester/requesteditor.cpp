#include "requesteditor.h"

#include "assertioneditor.h"
#include "autheditor.h"
#include "bodyeditor.h"
#include "keyvaluetable.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QUrlQuery>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

int enabledCount(const QList<Tester::KeyValue> &pairs)
{
    return int(std::count_if(pairs.begin(), pairs.end(), [](const Tester::KeyValue &p) { return p.enabled; }));
}

} // namespace

RequestEditor::RequestEditor(QWidget *parent)
    : QWidget(parent)
{
    m_method = new QComboBox;
    m_method->setObjectName(u"method"_s);
    m_method->setEditable(true);
    m_method->setInsertPolicy(QComboBox::NoInsert);
    m_method->addItems({u"GET"_s, u"POST"_s, u"PUT"_s, u"PATCH"_s, u"DELETE"_s, u"HEAD"_s, u"OPTIONS"_s});
    m_method->setMinimumContentsLength(7);
    m_method->setToolTip(tr("The HTTP method"));
    m_url = new QLineEdit;
    m_url->setObjectName(u"url"_s);
    m_url->setPlaceholderText(tr("https://api.example.com/orders/{{order_id}}"));
    m_url->setToolTip(tr("The URL; {{name}} takes a variable's value (Ctrl+L)"));
    m_send = new QPushButton(tr("Send"));
    m_send->setObjectName(u"send"_s);
    m_send->setDefault(true);
    m_send->setToolTip(tr("Send the request (Ctrl+Return)"));

    auto *line = new QHBoxLayout;
    line->setContentsMargins(0, 0, 0, 0);
    line->addWidget(m_method);
    line->addWidget(m_url, 1);
    line->addWidget(m_send);

    m_params = new KeyValueTable;
    m_params->setObjectName(u"params"_s);
    m_params->setPlaceholders(tr("Add a query parameter"), tr("value or {{variable}}"));
    m_headers = new KeyValueTable;
    m_headers->setObjectName(u"headers"_s);
    m_headers->setPlaceholders(tr("Add a header"), tr("value or {{variable}}"));
    m_body = new BodyEditor;
    m_auth = new AuthEditor;
    m_assertions = new AssertionEditor;

    auto *settings = new QWidget;
    auto *form = new QFormLayout(settings);
    m_route = new QComboBox;
    m_route->setObjectName(u"route"_s);
    m_route->setEditable(true);
    m_route->setInsertPolicy(QComboBox::NoInsert);
    m_route->setToolTip(tr("A route of the project: with \"Through the local gateway\" on, the request goes to the "
                           "gateway's path for it instead of the URL"));
    form->addRow(tr("Gateway &route"), m_route);
    m_followRedirects = new QCheckBox(tr("Follow &redirects"));
    m_followRedirects->setObjectName(u"followRedirects"_s);
    form->addRow(QString(), m_followRedirects);
    m_variables = new KeyValueTable;
    m_variables->setObjectName(u"requestVariables"_s);
    m_variables->setPlaceholders(tr("Add a variable of this request"), tr("value"));
    m_variables->setMinimumHeight(90);
    form->addRow(tr("&Variables"), m_variables);
    m_description = new QPlainTextEdit;
    m_description->setObjectName(u"requestDescription"_s);
    m_description->setTabChangesFocus(true);
    m_description->setMaximumHeight(90);
    form->addRow(tr("&Description"), m_description);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(u"requestTabs"_s);
    m_tabs->setDocumentMode(true);
    m_tabs->insertTab(ParamsTab, m_params, QString());
    m_tabs->insertTab(HeadersTab, m_headers, QString());
    m_tabs->insertTab(BodyTab, m_body, QString());
    m_tabs->insertTab(AuthTab, m_auth, QString());
    m_tabs->insertTab(ChecksTab, m_assertions, QString());
    m_tabs->insertTab(SettingsTab, settings, tr("Settings"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(line);
    layout->addWidget(m_tabs, 1);

    connect(m_send, &QPushButton::clicked, this, [this] {
        if (m_busy)
            Q_EMIT cancelRequested();
        else
            Q_EMIT sendRequested();
    });
    connect(m_method, &QComboBox::currentTextChanged, this, [this](const QString &text) {
        if (m_updating)
            return;
        const QString method = text.trimmed().toUpper();
        if (method.isEmpty() || method == m_item.request.method)
            return;
        m_item.request.method = method;
        Q_EMIT edited(u"method"_s);
    });
    connect(m_url, &QLineEdit::textEdited, this, [this](const QString &text) {
        m_item.request.url = text.trimmed();
        Q_EMIT edited(u"url"_s);
    });
    connect(m_url, &QLineEdit::editingFinished, this, &RequestEditor::moveQueryToParams);
    connect(m_params, &KeyValueTable::edited, this, [this] {
        m_item.request.query = m_params->pairs();
        updateTabTitles();
        Q_EMIT edited(u"query"_s);
    });
    connect(m_headers, &KeyValueTable::edited, this, [this] {
        m_item.request.headers = m_headers->pairs();
        updateTabTitles();
        Q_EMIT edited(u"headers"_s);
    });
    connect(m_body, &BodyEditor::edited, this, [this](const QString &what) {
        m_item.request.body = m_body->body();
        updateTabTitles();
        Q_EMIT edited(u"body/"_s + what);
    });
    connect(m_auth, &AuthEditor::edited, this, [this](const QString &what) {
        m_item.auth = m_auth->auth();
        Q_EMIT edited(u"auth/"_s + what);
    });
    connect(m_assertions, &AssertionEditor::edited, this, [this](const QString &what) {
        m_item.request.assertions = m_assertions->assertions();
        updateTabTitles();
        Q_EMIT edited(u"assertions/"_s + what);
    });
    connect(m_route, &QComboBox::currentTextChanged, this, [this](const QString &text) {
        if (m_updating || text.trimmed() == m_item.request.route)
            return;
        m_item.request.route = text.trimmed();
        Q_EMIT edited(u"route"_s);
    });
    connect(m_followRedirects, &QCheckBox::toggled, this, [this](bool on) {
        if (m_updating)
            return;
        m_item.request.followRedirects = on;
        Q_EMIT edited(u"follow_redirects"_s);
    });
    connect(m_variables, &KeyValueTable::edited, this, [this] {
        m_item.request.variables = m_variables->pairs();
        Q_EMIT edited(u"variables"_s);
    });
    connect(m_description, &QPlainTextEdit::textChanged, this, [this] {
        if (m_updating)
            return;
        m_item.description = m_description->toPlainText();
        Q_EMIT edited(u"description"_s);
    });
    showItem();
}

RequestEditor::~RequestEditor()
{
    // A line edit losing focus while it is destroyed would call back into a half-gone editor.
    m_url->disconnect(this);
}

void RequestEditor::setItem(const Tester::Item &item)
{
    if (item == m_item)
        return;
    m_item = item;
    showItem();
}

void RequestEditor::showItem()
{
    m_updating = true;
    const Tester::RequestSpec &request = m_item.request;
    if (m_method->currentText() != request.method)
        m_method->setCurrentText(request.method);
    if (m_url->text() != request.url)
        m_url->setText(request.url);
    m_params->setPairs(request.query);
    m_headers->setPairs(request.headers);
    m_body->setBody(request.body);
    m_auth->setAuth(m_item.auth);
    m_assertions->setAssertions(request.assertions);
    if (m_route->currentText() != request.route)
        m_route->setCurrentText(request.route);
    m_followRedirects->setChecked(request.followRedirects.value_or(true));
    m_variables->setPairs(request.variables);
    if (m_description->toPlainText() != m_item.description)
        m_description->setPlainText(m_item.description);
    updateTabTitles();
    m_updating = false;
}

void RequestEditor::updateTabTitles()
{
    // The counts say at a glance what a request carries, as Postman's tabs do.
    auto title = [](const QString &name, int count) { return count ? u"%1 (%2)"_s.arg(name).arg(count) : name; };
    m_tabs->setTabText(ParamsTab, title(tr("Params"), enabledCount(m_item.request.query)));
    m_tabs->setTabText(HeadersTab, title(tr("Headers"), enabledCount(m_item.request.headers)));
    m_tabs->setTabText(BodyTab, m_item.request.body.mode == Tester::Body::Mode::None ? tr("Body") : tr("Body •"));
    m_tabs->setTabText(AuthTab, tr("Auth"));
    m_tabs->setTabText(ChecksTab, title(tr("Checks"), int(m_item.request.assertions.size())));
}

void RequestEditor::moveQueryToParams()
{
    const QString url = m_item.request.url;
    const qsizetype mark = url.indexOf(u'?');
    if (mark < 0)
        return;
    QString query = url.mid(mark + 1);
    QString fragment;
    if (const qsizetype hash = query.indexOf(u'#'); hash >= 0) {
        fragment = query.mid(hash);
        query.truncate(hash);
    }
    for (const QString &part : query.split(u'&', Qt::SkipEmptyParts)) {
        const qsizetype eq = part.indexOf(u'=');
        Tester::KeyValue pair;
        // Decoded as a browser would, so that "a%20b" shows as "a b"; sending encodes again.
        pair.name = QUrl::fromPercentEncoding(part.left(eq < 0 ? part.size() : eq).toUtf8());
        pair.value = eq < 0 ? QString() : QUrl::fromPercentEncoding(part.mid(eq + 1).toUtf8());
        m_item.request.query.append(pair);
    }
    m_item.request.url = url.left(mark) + fragment;
    showItem();
    Q_EMIT edited(u"url-query"_s);
}

void RequestEditor::setInheritedAuthDescription(const QString &text)
{
    m_auth->setInheritedDescription(text);
}

void RequestEditor::setEndpointIds(const QStringList &ids)
{
    m_auth->setEndpointIds(ids);
}

void RequestEditor::setRouteIds(const QStringList &ids)
{
    m_updating = true;
    m_route->clear();
    m_route->addItem(QString());
    m_route->addItems(ids);
    m_route->setCurrentText(m_item.request.route);
    m_updating = false;
}

void RequestEditor::setBusy(bool busy)
{
    m_busy = busy;
    m_send->setText(busy ? tr("Cancel") : tr("Send"));
    m_send->setToolTip(busy ? tr("Stop waiting for the answer (Esc)") : tr("Send the request (Ctrl+Return)"));
}

void RequestEditor::showTab(Tab tab)
{
    m_tabs->setCurrentIndex(tab);
}

} // namespace Conflux::Ui
