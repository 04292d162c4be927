#include "endpointdesigner.h"

#include "credentials.h"
#include "endpoint/arrayeditor.h"
#include "endpoint/connectionrunner.h"
#include "endpoint/formfield.h"
#include "endpoint/headerseditor.h"
#include "endpoint/importpanel.h"
#include "endpoint/schematree.h"
#include "jsoneditor.h"
#include "secretstore.h"

#include "connectors/endpoint.h"
#include "connectors/endpointimport.h"
#include "data/value.h"
#include "model/projectloader.h"

#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

using namespace Endpoint;

namespace {

// The members of each authentication type (common.schema.json#/definitions/clientAuthentication).
QStringList authMembers(const QString &type)
{
    if (type == u"basic"_s)
        return {u"username"_s, u"password"_s};
    if (type == u"bearer"_s)
        return {u"token"_s};
    if (type == u"api_key"_s)
        return {u"in"_s, u"parameter"_s, u"value"_s};
    if (type == u"oauth2_client_credentials"_s)
        return {u"token_url"_s, u"client_id"_s, u"client_secret"_s, u"scopes"_s, u"audience"_s};
    return {};
}

QString sectionTitle(const QString &section, EndpointKind kind)
{
    if (section == u"general"_s)
        return EndpointDesigner::tr("General");
    if (section == u"connection"_s)
        return EndpointDesigner::tr("Connection");
    if (section == u"authentication"_s)
        return EndpointDesigner::tr("Authentication");
    if (section == u"tls"_s)
        return EndpointDesigner::tr("Client certificate and trusted CAs (TLS)");
    return EndpointDesigner::tr("%1 settings").arg(kindInfo(kind).title);
}

struct Problem
{
    QString pointer;
    QString message;
};

} // namespace

EndpointDesigner::EndpointDesigner(JsonEditor *source, DesignerContext context, QWidget *parent)
    : DocumentDesigner(source, std::move(context), parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QWidget(this);
    buildToolbar(bar);
    layout->addWidget(bar);

    m_result = new QLabel(this);
    m_result->setObjectName(u"connectionResult"_s);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result->hide();
    layout->addWidget(m_result);

    m_pages = new QTabWidget(this);
    m_pages->addTab(buildSettingsPage(), tr("Settings"));
    m_pages->addTab(buildSchemaPage(), tr("Schema"));
    m_import = new ImportPanel(this->context().projectFolder, this->context().secrets, this);
    m_pages->addTab(m_import, tr("Import"));
    layout->addWidget(m_pages, 1);

    m_runner = new ConnectionRunner(this->context().secrets, this->context().projectFolder, this);
    connect(m_runner, &ConnectionRunner::busyChanged, this, [this](bool busy) {
        m_busy->setVisible(busy);
        m_cancel->setEnabled(busy);
        m_test->setEnabled(!busy && canTestConnection(m_kind));
        m_discover->setEnabled(!busy && canTestConnection(m_kind));
    });
    connect(m_runner, &ConnectionRunner::tested, this, &EndpointDesigner::onTested);
    connect(m_runner, &ConnectionRunner::discovered, this, &EndpointDesigner::onDiscovered);
    connect(m_runner, &ConnectionRunner::cancelled, this, [this] {
        setConnectionResult(tr("Cancelled: the result will be ignored (the connector stops within its timeout)."),
                            false);
        if (m_discovering)
            m_schemaStatus->setText(tr("Discovery cancelled."));
    });
    connect(m_import, &ImportPanel::imported, this, &EndpointDesigner::onImported);
}

EndpointDesigner::~EndpointDesigner() = default;

void EndpointDesigner::buildToolbar(QWidget *bar)
{
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    auto *label = new QLabel(tr("Kind of system"), bar);
    m_kindBox = new QComboBox(bar);
    for (const KindInfo &info : endpointKinds())
        m_kindBox->addItem(info.title, int(info.kind));
    label->setBuddy(m_kindBox);
    connect(m_kindBox, &QComboBox::activated, this, &EndpointDesigner::onKindActivated);
    m_busy = new QProgressBar(bar);
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setTextVisible(false);
    m_busy->hide();
    m_test = new QPushButton(tr("Test connection"), bar);
    m_cancel = new QPushButton(tr("Cancel"), bar);
    m_cancel->setEnabled(false);
    connect(m_test, &QPushButton::clicked, this, &EndpointDesigner::testConnection);
    connect(m_cancel, &QPushButton::clicked, this, &EndpointDesigner::cancelConnection);
    row->addWidget(label);
    row->addWidget(m_kindBox);
    row->addStretch(1);
    row->addWidget(m_busy);
    row->addWidget(m_test);
    row->addWidget(m_cancel);
}

QWidget *EndpointDesigner::buildSettingsPage()
{
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_form = new QWidget(scroll);
    auto *layout = new QVBoxLayout(m_form);
    m_problems = new QLabel(m_form);
    m_problems->setObjectName(u"documentProblems"_s);
    m_problems->setWordWrap(true);
    m_problems->setStyleSheet(u"color: #c62828;"_s);
    m_problems->hide();
    layout->addWidget(m_problems);

    const QStringList order{u"general"_s, u"connection"_s, u"settings"_s, u"headers"_s, u"authentication"_s, u"tls"_s};
    // One row widget per field in a box layout per section: hiding a row leaves no gap (a
    // QFormLayout in Qt 6.4 keeps spacing for rows hidden with setRowVisible()).
    QHash<QString, QVBoxLayout *> rowsOf;
    QHash<QString, QList<QLabel *>> labelsOf;
    auto addRow = [&](const QString &section, QLabel *label, QWidget *field) {
        auto *row = new QWidget(m_sections.value(section));
        auto *rowLayout = new QHBoxLayout(row);
        rowLayout->setContentsMargins(0, 0, 0, 0);
        label->setParent(row);
        label->setMinimumHeight(24);
        rowLayout->addWidget(label, 0, Qt::AlignTop);
        rowLayout->addWidget(field, 1);
        rowsOf.value(section)->addWidget(row);
        labelsOf[section].append(label);
        return row;
    };
    for (const QString &section : order) {
        auto *box = new QGroupBox(m_form);
        layout->addWidget(box);
        if (section == u"headers"_s) {
            box->setTitle(tr("Headers sent with every request"));
            auto *boxLayout = new QVBoxLayout(box);
            m_headers = new HeadersEditor(box);
            boxLayout->addWidget(m_headers);
            m_headersBox = box;
            connect(m_headers, &HeadersEditor::edited, this, [this](const QJsonObject &headers) {
                onFieldEdited(u"/headers"_s, headers.isEmpty() ? QJsonValue(QJsonValue::Undefined) : headers);
            });
            continue;
        }
        box->setTitle(sectionTitle(section, m_kind));
        auto *rows = new QVBoxLayout(box);
        rows->setSpacing(6);
        rowsOf.insert(section, rows);
        m_sections.insert(section, box);
        if (section == u"general"_s) {
            m_idLabel = new QLabel(box);
            m_idLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
            addRow(section, new QLabel(tr("Id")), m_idLabel);
        }
    }
    layout->addStretch(1);

    for (const FieldSpec &spec : endpointFields()) {
        auto *field = new FormField(spec, m_form);
        m_rows.insert(field, addRow(spec.section, field->label(), field));
        m_fields.append(field);
        connect(field, &FormField::edited, this, &EndpointDesigner::onFieldEdited);
        connect(field, &FormField::secretEntered, this, &EndpointDesigner::onSecretEntered);
    }
    // The arrays a connector needs that are not single values: REST resources, SOAP entities.
    auto addArray = [&](ArrayEditor *editor, const QString &label, const QList<EndpointKind> &kinds) {
        auto *text = new QLabel(label);
        m_arrays.append({editor, kinds, addRow(u"settings"_s, text, editor)});
        connect(editor, &ArrayEditor::edited, this, [this](const QString &pointer, const QJsonArray &items) {
            onFieldEdited(pointer, items.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(items));
        });
    };
    addArray(new ArrayEditor(u"/configuration/resources"_s,
                             {{u"name"_s, tr("Name")},
                              {u"method"_s, tr("Method")},
                              {u"path"_s, tr("Path")},
                              {u"record_selector"_s, tr("Records at")},
                              {u"primary_key"_s, tr("Key"), true}},
                             tr("Add resource"), m_form),
             tr("Resources"), {EndpointKind::Rest});
    addArray(new ArrayEditor(u"/configuration/entities"_s,
                             {{u"name"_s, tr("Name")},
                              {u"operation"_s, tr("Operation")},
                              {u"records_path"_s, tr("Records at")},
                              {u"key"_s, tr("Key"), true}},
                             tr("Add entity"), m_form),
             tr("Entities"), {EndpointKind::Soap});

    // Labels of one section share a column.
    for (const QList<QLabel *> &labels : std::as_const(labelsOf)) {
        int width = 0;
        for (const QLabel *label : labels)
            width = std::max(width, label->sizeHint().width());
        for (QLabel *label : labels)
            label->setFixedWidth(width + 8);
    }
    scroll->setWidget(m_form);
    return scroll;
}

QWidget *EndpointDesigner::buildSchemaPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *row = new QHBoxLayout;
    m_discover = new QPushButton(tr("Discover entities"), page);
    m_schemaStatus = new QLabel(tr("Discover the endpoint's entities, or import a definition."), page);
    m_schemaStatus->setObjectName(u"schemaStatus"_s);
    m_schemaStatus->setWordWrap(true);
    row->addWidget(m_discover);
    row->addWidget(m_schemaStatus, 1);
    layout->addLayout(row);
    m_schema = new SchemaTree(page);
    layout->addWidget(m_schema, 1);
    connect(m_discover, &QPushButton::clicked, this, &EndpointDesigner::discoverSchema);
    return page;
}

void EndpointDesigner::showPage(Page page)
{
    m_pages->setCurrentIndex(int(page));
}

ArrayEditor *EndpointDesigner::arrayEditor(const QString &pointer) const
{
    for (const ArrayRow &array : m_arrays) {
        if (array.editor->pointer() == pointer)
            return array.editor;
    }
    return nullptr;
}

FormField *EndpointDesigner::field(const QString &pointer) const
{
    for (FormField *f : m_fields) {
        if (f->spec().pointer == pointer && (f->spec().kinds.isEmpty() || f->spec().kinds.contains(m_kind)))
            return f;
    }
    return nullptr;
}

bool EndpointDesigner::isVisibleFor(const FieldSpec &spec, const QJsonObject &document) const
{
    if (!spec.kinds.isEmpty() && !spec.kinds.contains(m_kind))
        return false;
    if (spec.dependsOn.isEmpty())
        return true;
    return spec.dependsValues.contains(valueAt(document, spec.dependsOn).toString());
}

void EndpointDesigner::documentChanged(const QJsonObject &document)
{
    m_form->setEnabled(true);
    m_kind = kindOfDocument(document);
    const int kindIndex = m_kindBox->findData(int(m_kind));
    if (m_kindBox->currentIndex() != kindIndex)
        m_kindBox->setCurrentIndex(kindIndex);
    m_kindBox->setEnabled(true);
    m_sections.value(u"settings"_s)->setTitle(sectionTitle(u"settings"_s, m_kind));
    m_idLabel->setText(tr("%1 (file %2)").arg(document.value(u"id"_s).toString(), source()->file()));

    for (FormField *f : std::as_const(m_fields)) {
        if (f->spec().kinds.isEmpty() || f->spec().kinds.contains(m_kind))
            f->setValue(valueAt(document, f->spec().pointer));
    }
    m_headers->setHeaders(document.value(u"headers"_s).toObject());
    for (const ArrayRow &array : std::as_const(m_arrays)) {
        if (array.kinds.contains(m_kind))
            array.editor->setItems(valueAt(document, array.editor->pointer()).toArray());
    }
    updateVisibility(document);
    validate(document);
    if (!m_runner->isBusy()) {
        m_test->setEnabled(canTestConnection(m_kind));
        m_discover->setEnabled(canTestConnection(m_kind));
    }
    m_test->setToolTip(canTestConnection(m_kind) ? QString()
                                                 : tr("A webhook endpoint receives calls: there is nothing to connect to"));
}

void EndpointDesigner::documentUnreadable(const QString &message)
{
    m_form->setEnabled(false);
    m_kindBox->setEnabled(false);
    m_problems->setText(tr("The JSON text does not parse (%1). Fix it in the JSON view; the form is read-only until "
                           "then.")
                            .arg(message));
    m_problems->show();
}

void EndpointDesigner::updateVisibility(const QJsonObject &document)
{
    QHash<QGroupBox *, bool> anyVisible;
    for (FormField *f : std::as_const(m_fields)) {
        const bool visible = isVisibleFor(f->spec(), document);
        auto *box = m_sections.value(f->spec().section);
        m_rows.value(f)->setVisible(visible);
        anyVisible[box] = anyVisible.value(box) || visible;
    }
    for (const ArrayRow &array : std::as_const(m_arrays)) {
        const bool visible = array.kinds.contains(m_kind);
        array.row->setVisible(visible);
        anyVisible[m_sections.value(u"settings"_s)] = anyVisible.value(m_sections.value(u"settings"_s)) || visible;
    }
    for (auto it = anyVisible.begin(); it != anyVisible.end(); ++it)
        it.key()->setVisible(it.value());
    const bool http = m_kind == EndpointKind::Rest || m_kind == EndpointKind::Soap || m_kind == EndpointKind::ODataV2
                      || m_kind == EndpointKind::ODataV4 || m_kind == EndpointKind::GraphQL
                      || m_kind == EndpointKind::Webhook;
    m_headersBox->setVisible(http);
}

void EndpointDesigner::validate(const QJsonObject &document)
{
    QList<Problem> problems;
    auto add = [&problems](QString pointer, const QString &message) {
        // "missing required property "url"" belongs to the member it names.
        static const QRegularExpression required(u"^missing required property \"([^\"]+)\""_s);
        if (const QRegularExpressionMatch m = required.match(message); m.hasMatch())
            pointer += u'/' + m.captured(1);
        for (const Problem &p : std::as_const(problems)) {
            if (p.pointer == pointer && p.message == message)
                return;
        }
        problems.append({pointer, message});
    };
    if (const auto &loader = context().loader) {
        for (const Model::Diagnostic &d : loader->validateDocument(source()->file(), source()->text()))
            add(d.pointer, d.message);
    }
    // The connector's own rules (a URL that fits the protocol, settings of the right kind).
    const Result<Connectors::EndpointSpec> parsed = Connectors::parseEndpoint(Data::Value::fromQJson(document));
    if (!parsed) {
        for (const QString &detail : parsed.error().details) {
            const qsizetype colon = detail.indexOf(u": "_s);
            if (detail.startsWith(u'/') && colon > 0)
                add(detail.left(colon), detail.mid(colon + 2));
            else
                add(QString(), detail);
        }
        if (parsed.error().details.isEmpty())
            add(QString(), parsed.error().message);
    }

    QHash<FormField *, QStringList> byField;
    QHash<ArrayEditor *, QStringList> byArray;
    QStringList unplaced;
    for (const Problem &p : std::as_const(problems)) {
        FormField *target = nullptr;
        for (FormField *f : std::as_const(m_fields)) {
            if (!isVisibleFor(f->spec(), document))
                continue;
            const QString &pointer = f->spec().pointer;
            if (p.pointer == pointer || p.pointer.startsWith(pointer + u'/')) {
                target = f;
                break;
            }
        }
        if (target) {
            byField[target].append(p.message);
            continue;
        }
        ArrayEditor *array = nullptr;
        for (const ArrayRow &a : std::as_const(m_arrays)) {
            const QString &pointer = a.editor->pointer();
            if (a.kinds.contains(m_kind) && (p.pointer == pointer || p.pointer.startsWith(pointer + u'/')))
                array = a.editor;
        }
        if (array)
            byArray[array].append(p.pointer + u": "_s + p.message);
        else
            unplaced.append(p.pointer.isEmpty() ? p.message : p.pointer + u": "_s + p.message);
    }
    for (FormField *f : std::as_const(m_fields))
        f->setDocumentErrors(byField.value(f));
    for (const ArrayRow &a : std::as_const(m_arrays))
        a.editor->setErrors(byArray.value(a.editor));
    m_problems->setText(unplaced.join(u'\n'));
    m_problems->setVisible(!unplaced.isEmpty());
}

void EndpointDesigner::onFieldEdited(const QString &pointer, const QJsonValue &value)
{
    if (!hasDocument())
        return;
    QJsonObject document = this->document();
    if (pointer == u"/authentication/type"_s) {
        // Another type: keep only the members that type has (a password does not become a token).
        if (value.isUndefined()) {
            document.remove(u"authentication"_s);
        } else {
            const QJsonObject before = document.value(u"authentication"_s).toObject();
            QJsonObject auth{{u"type"_s, value}};
            for (const QString &member : authMembers(value.toString())) {
                if (before.contains(member))
                    auth.insert(member, before.value(member));
            }
            if (value.toString() == u"api_key"_s && !auth.contains(u"in"_s))
                auth.insert(u"in"_s, u"header"_s);
            document.insert(u"authentication"_s, auth);
        }
        commit(document);
        return;
    }
    // Typing in one field is one undo step, as in any text field.
    commit(withValueAt(document, pointer, value), pointer);
}

void EndpointDesigner::onSecretEntered(const QString &pointer, const QString &value)
{
    FormField *f = field(pointer);
    if (!f || !hasDocument())
        return;
    QString name = valueAt(document(), pointer).toObject().value(u"secret"_s).toString();
    if (name.isEmpty())
        name = suggestSecretName(source()->file(), pointer, ConnectionRunner::secretNames(document()));
    SecretStore *store = context().secrets;
    if (!store) {
        const QString message = tr("No OS keychain is available here, so the credential was not saved, and nothing "
                                   "was written anywhere.");
        f->setSecretStatus(message, true);
        Q_EMIT secretRefused(pointer, message);
        return;
    }
    f->setSecretStatus(tr("Saving in the OS keychain…"), false);
    const QPointer<FormField> target(f);
    store->write(name, value, this, [this, pointer, name, target](Result<void> written) {
        if (!written) {
            const QString message =
                written.error().code == u"keychain_unavailable"_s
                    ? tr("The OS keychain is not available, so the credential was not saved and nothing was "
                         "written anywhere. Start the desktop's keyring (Secret Service) and press Enter again.\n"
                         "Reason: %1")
                          .arg(written.error().message)
                    : tr("The OS keychain refused the credential (%1): nothing was written.")
                          .arg(written.error().message);
            if (target)
                target->setSecretStatus(message, true);
            Q_EMIT secretRefused(pointer, message);
            return;
        }
        if (target) {
            target->clearTypedText();
            target->setSecretStatus(tr("Saved in the OS keychain as %1").arg(name), false);
        }
        if (hasDocument())
            commit(withValueAt(document(), pointer, QJsonObject{{u"secret"_s, name}}));
        Q_EMIT secretStored(pointer, name);
    });
}

void EndpointDesigner::onKindActivated(int index)
{
    const auto kind = EndpointKind(m_kindBox->itemData(index).toInt());
    if (!hasDocument() || kind == m_kind)
        return;
    commit(switchKind(document(), kind));
}

void EndpointDesigner::testConnection()
{
    if (!hasDocument())
        return;
    m_discovering = false;
    setConnectionResult(tr("Connecting…"), true);
    m_runner->start(ConnectionRunner::Action::TestConnection, document(), source()->file());
}

void EndpointDesigner::discoverSchema()
{
    if (!hasDocument())
        return;
    m_discovering = true;
    m_schemaStatus->setText(tr("Discovering…"));
    m_runner->start(ConnectionRunner::Action::Discover, document(), source()->file());
}

void EndpointDesigner::cancelConnection()
{
    m_runner->cancel();
}

bool EndpointDesigner::isConnecting() const
{
    return m_runner->isBusy();
}

QString EndpointDesigner::connectionResult() const
{
    return m_result->text();
}

QString EndpointDesigner::schemaStatus() const
{
    return m_schemaStatus->text();
}

QString EndpointDesigner::documentProblems() const
{
    return m_problems->isVisible() || !m_problems->text().isEmpty() ? m_problems->text() : QString();
}

void EndpointDesigner::setConnectionResult(const QString &text, bool ok)
{
    m_result->setText(text);
    m_result->setStyleSheet(ok ? u"color: #2e7d32;"_s : u"color: #c62828;"_s);
    m_result->show();
}

void EndpointDesigner::onTested(const Result<Connectors::ConnectionTest> &result)
{
    if (result) {
        QString text = tr("Connected in %1 ms").arg(result->latencyMs);
        if (!result->serverInfo.isEmpty())
            text += u" — "_s + result->serverInfo;
        setConnectionResult(text, true);
    } else {
        const Error &error = result.error();
        QString text = tr("Connection failed (%1): %2").arg(error.code, error.message);
        if (!error.details.isEmpty())
            text += u'\n' + tr("Cause: %1").arg(error.details.join(u"; "_s));
        setConnectionResult(text, false);
    }
    Q_EMIT connectionFinished(result.isOk());
}

void EndpointDesigner::onDiscovered(const Result<std::vector<Connectors::Entity>> &result)
{
    m_discovering = false;
    if (result) {
        m_schema->setEntities(*result);
        m_schemaStatus->setText(tr("Entities discovered: %1").arg(result->size()));
        m_schemaStatus->setStyleSheet(QString());
    } else {
        const Error &error = result.error();
        QString text = tr("Discovery failed (%1): %2").arg(error.code, error.message);
        if (!error.details.isEmpty())
            text += u'\n' + tr("Cause: %1").arg(error.details.join(u"; "_s));
        m_schemaStatus->setText(text);
        m_schemaStatus->setStyleSheet(u"color: #c62828;"_s);
    }
    Q_EMIT discoveryFinished(result.isOk());
}

void EndpointDesigner::onImported(const QString &file, const Connectors::ImportedEndpoint &endpoint)
{
    m_schema->setEntities(endpoint.entities);
    m_schemaStatus->setText(tr("From the imported definition (%1): %2").arg(file, endpoint.summary));
    m_schemaStatus->setStyleSheet(QString());
    Q_EMIT endpointImported(file);
}

} // namespace Conflux::Ui
