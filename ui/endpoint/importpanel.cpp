#include "importpanel.h"

#include "secretstore.h"

#include "model/projectwriter.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QThreadPool>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Conflux::Ui::Endpoint {

namespace {

Connectors::DefinitionFormat formatOf(ImportSource source)
{
    switch (source) {
    case ImportSource::Wsdl: return Connectors::DefinitionFormat::Wsdl;
    case ImportSource::ODataMetadata: return Connectors::DefinitionFormat::ODataMetadata;
    default: return Connectors::DefinitionFormat::OpenApi;
    }
}

bool isRemote(const QString &location)
{
    return location.startsWith(u"http://"_s, Qt::CaseInsensitive)
        || location.startsWith(u"https://"_s, Qt::CaseInsensitive);
}

} // namespace

ImportPanel::ImportPanel(QString projectFolder, SecretStore *secrets, QWidget *parent)
    : QWidget(parent)
    , m_projectFolder(std::move(projectFolder))
    , m_secrets(secrets)
{
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Create an endpoint from an API definition or a Postman collection. The new "
                                "documents go into the project's endpoints folder; their entities show in the "
                                "schema view."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    m_source = new QComboBox(this);
    m_source->addItem(tr("OpenAPI 3 (JSON or YAML)"), int(ImportSource::OpenApi));
    m_source->addItem(tr("WSDL 1.1 (SOAP)"), int(ImportSource::Wsdl));
    m_source->addItem(tr("OData $metadata"), int(ImportSource::ODataMetadata));
    m_source->addItem(tr("Postman collection v2.1"), int(ImportSource::PostmanCollection));
    form->addRow(tr("Definition"), m_source);

    auto *locationRow = new QHBoxLayout;
    m_location = new QLineEdit(this);
    m_location->setPlaceholderText(tr("A file, or an http(s) URL to download"));
    auto *browse = new QPushButton(tr("Browse…"), this);
    locationRow->addWidget(m_location, 1);
    locationRow->addWidget(browse);
    form->addRow(tr("From"), locationRow);
    m_id = new QLineEdit(this);
    form->addRow(tr("New endpoint id"), m_id);
    m_name = new QLineEdit(this);
    form->addRow(tr("Name"), m_name);
    m_serviceUrl = new QLineEdit(this);
    form->addRow(tr("Service URL"), m_serviceUrl);
    layout->addLayout(form);
    updatePlaceholders();

    auto *buttons = new QHBoxLayout;
    m_import = new QPushButton(tr("Import"), this);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setEnabled(false);
    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(160);
    m_busy->hide();
    buttons->addWidget(m_import);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_busy);
    buttons->addStretch(1);
    layout->addLayout(buttons);

    m_result = new QLabel(this);
    m_result->setObjectName(u"importResult"_s);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_result);
    layout->addStretch(1);

    connect(m_source, &QComboBox::currentIndexChanged, this, &ImportPanel::updatePlaceholders);
    connect(browse, &QPushButton::clicked, this, &ImportPanel::browse);
    connect(m_import, &QPushButton::clicked, this, &ImportPanel::startImport);
    connect(m_cancel, &QPushButton::clicked, this, &ImportPanel::cancel);
}

ImportPanel::~ImportPanel()
{
    if (m_cancelToken)
        m_cancelToken->cancel();
}

void ImportPanel::setSource(ImportSource source)
{
    m_source->setCurrentIndex(m_source->findData(int(source)));
}

void ImportPanel::setLocation(const QString &location)
{
    m_location->setText(location);
}

void ImportPanel::setEndpointId(const QString &id)
{
    m_id->setText(id);
}

void ImportPanel::setServiceUrl(const QString &url)
{
    m_serviceUrl->setText(url);
}

bool ImportPanel::isBusy() const
{
    return m_cancelToken != nullptr || m_pendingSecrets > 0;
}

QString ImportPanel::resultText() const
{
    return m_result->text();
}

void ImportPanel::browse()
{
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Import a definition"), m_projectFolder,
        tr("Definitions (*.json *.yaml *.yml *.wsdl *.xml *.edmx);;Postman collections (*.postman_collection.json "
           "*.json);;All files (*)"));
    if (!file.isEmpty())
        m_location->setText(file);
}

void ImportPanel::updatePlaceholders()
{
    // What an empty field means depends on the source.
    const bool postman = ImportSource(m_source->currentData().toInt()) == ImportSource::PostmanCollection;
    m_id->setPlaceholderText(postman ? tr("from the collection's name; several base URLs: <id>, <id>-2, ...")
                                     : u"orders-api"_s);
    m_name->setPlaceholderText(postman ? tr("the collection's name") : tr("the definition's title"));
    m_serviceUrl->setPlaceholderText(postman ? tr("what {{baseUrl}} stands for, when the collection does not define it")
                                             : tr("from the definition (OData from a file: the service root)"));
}

void ImportPanel::startImport()
{
    const auto source = ImportSource(m_source->currentData().toInt());
    if (m_projectFolder.isEmpty()) {
        showResult(tr("Open a project first: an import writes a new document into its endpoints folder."), true);
        return;
    }
    if (m_pendingSecrets > 0)
        return;   // the last import's credentials are still going into the keychain
    const QString location = m_location->text().trimmed();
    if (location.isEmpty()) {
        showResult(tr("Give the file or URL of the definition."), true);
        return;
    }
    const QString id = m_id->text().trimmed();
    const QString file = u"endpoints/"_s + id + u".json"_s;
    if (!id.isEmpty() && QFileInfo::exists(QDir(m_projectFolder).filePath(file))) {
        showResult(tr("%1 already exists: choose another endpoint id.").arg(file), true);
        return;
    }

    Connectors::DefinitionImportOptions options;
    options.endpointId = id;
    options.name = m_name->text().trimmed();
    options.location = isRemote(location) ? location : QDir(m_projectFolder).absoluteFilePath(location);
    options.serviceUrl = QUrl(m_serviceUrl->text().trimmed());
    const Connectors::DefinitionFormat format = formatOf(source);
    const bool postman = source == ImportSource::PostmanCollection;
    const QString endpointsFolder = QDir(m_projectFolder).filePath(u"endpoints"_s);

    if (m_cancelToken)
        m_cancelToken->cancel();
    auto token = std::make_shared<Connectors::CancelToken>();
    m_cancelToken = token;
    const quint64 run = ++m_run;
    setBusy(true);
    showResult(isRemote(location) ? tr("Downloading %1…").arg(location) : tr("Reading %1…").arg(location), false);
    const QPointer<ImportPanel> self(this);
    QThreadPool::globalInstance()->start([self, run, token, options, format, postman, endpointsFolder] {
        Result<Outcome> result = [&]() -> Result<Outcome> {
            Result<QByteArray> bytes = Connectors::fetchDefinition(options.location, token.get(),
                                                                   options.timeoutSeconds);
            if (!bytes)
                return bytes.error();
            Outcome outcome;
            if (!postman) {
                Result<Connectors::ImportedEndpoint> endpoint = Connectors::importDefinition(format, *bytes, options);
                if (!endpoint)
                    return endpoint.error();
                outcome.endpoints.push_back(std::move(*endpoint));
                return outcome;
            }
            Tester::PostmanEndpointOptions postmanOptions;
            postmanOptions.endpointId = options.endpointId;
            postmanOptions.name = options.name;
            postmanOptions.serviceUrl = options.serviceUrl;
            // The ids the project has: later endpoints of the collection step around them.
            const QStringList files = QDir(endpointsFolder).entryList({u"*.json"_s}, QDir::Files);
            for (const QString &f : files)
                postmanOptions.takenIds.append(QFileInfo(f).completeBaseName());
            Result<Tester::PostmanEndpoints> endpoints = Tester::postmanEndpoints(*bytes, postmanOptions);
            if (!endpoints)
                return endpoints.error();
            outcome.endpoints = std::move(endpoints->endpoints);
            outcome.secrets = std::move(endpoints->secrets);
            outcome.warnings = std::move(endpoints->warnings);
            outcome.summary = tr("Postman collection \"%1\": %n request(s)", nullptr, endpoints->requests)
                                  .arg(endpoints->collectionName);
            return outcome;
        }();
        QMetaObject::invokeMethod(
            qApp,
            [self, run, result = std::move(result), location = options.location] {
                if (self)
                    self->finish(run, result, location);
            },
            Qt::QueuedConnection);
    });
}

void ImportPanel::cancel()
{
    if (!m_cancelToken)
        return;
    m_cancelToken->cancel();
    ++m_run;
    setBusy(false);
    showResult(tr("Import cancelled; nothing was written."), true);
}

void ImportPanel::finish(quint64 run, const Result<Outcome> &result, const QString &location)
{
    if (run != m_run)
        return;
    setBusy(false);
    if (!result) {
        QString message = tr("Import failed (%1): %2").arg(result.error().code, result.error().message);
        for (const QString &detail : result.error().details)
            message += u"\n• "_s + detail;
        showResult(message, true);
        Q_EMIT failed(message);
        return;
    }
    std::vector<Connectors::ImportedEndpoint> endpoints = result->endpoints;
    const QDir project(m_projectFolder);
    QList<QJsonObject> documents;
    QStringList files;
    for (Connectors::ImportedEndpoint &endpoint : endpoints) {
        QJsonObject document = endpoint.document.toQJson().toObject();
        // A WSDL inside the project is referred to relative to it, so the project can move.
        QJsonObject configuration = document.value(u"configuration"_s).toObject();
        if (configuration.value(u"wsdl"_s).toString() == location && !isRemote(location)) {
            const QString relative = project.relativeFilePath(location);
            if (!relative.startsWith(u".."_s)) {
                configuration.insert(u"wsdl"_s, relative);
                document.insert(u"configuration"_s, configuration);
                endpoint.document = Data::Value::fromQJson(document);
            }
        }
        const QString file = u"endpoints/"_s + document.value(u"id"_s).toString() + u".json"_s;
        // All or nothing: a file that appeared meanwhile stops the import before anything is written.
        if (QFileInfo::exists(project.filePath(file))) {
            showResult(tr("%1 already exists: choose another endpoint id. Nothing was written.").arg(file), true);
            return;
        }
        documents.append(document);
        files.append(file);
    }
    QStringList written;
    bool writeFailed = false;
    for (qsizetype i = 0; i < files.size(); ++i) {
        const Result<bool> ok = Model::ProjectWriter(m_projectFolder).writeDocument(files.at(i), documents.at(i));
        if (!ok) {
            QString text = tr("Could not write %1: %2").arg(files.at(i), ok.error().toString());
            if (!written.isEmpty())
                text += u'\n' + tr("Written before: %1.").arg(written.join(u", "_s));
            showResult(text, true);
            writeFailed = true;
            break;
        }
        written.append(files.at(i));
    }
    if (written.isEmpty())
        return;

    auto operationList = [](const QStringList &operations) {
        return operations.mid(0, 12).join(u", "_s)
               + (operations.size() > 12 ? tr(" (and %1 more)").arg(operations.size() - 12) : QString());
    };
    QString text = writeFailed ? m_result->text() + u'\n' : QString();
    QString tail;
    if (result->summary.isEmpty()) {
        // One definition, one document.
        const Connectors::ImportedEndpoint &endpoint = endpoints.front();
        text += tr("Created %1 — %2.").arg(written.first(), endpoint.summary);
        if (!endpoint.operations.isEmpty())
            text += u' ' + tr("Operations: %1.").arg(operationList(endpoint.operations));
        if (!endpoint.warnings.isEmpty())
            tail = tr("Not imported: %1").arg(endpoint.warnings.join(u"; "_s));
    } else {
        // A collection: a line per document, then what was left out, a line each.
        text += tr("Created %1 — %2, endpoints: %3.").arg(written.join(u", "_s), result->summary).arg(written.size());
        QStringList warnings = result->warnings;
        for (qsizetype i = 0; i < written.size(); ++i) {
            const Connectors::ImportedEndpoint &endpoint = endpoints.at(size_t(i));
            text += u"\n• "_s + tr("%1: %2, operations: %3.")
                                    .arg(written.at(i), endpoint.document[u"url"].toString(),
                                         operationList(endpoint.operations));
            for (const QString &w : endpoint.warnings)
                warnings.append(written.size() > 1 ? written.at(i) + u": "_s + w : w);
        }
        if (!warnings.isEmpty())
            tail = tr("Not imported:") + u"\n• "_s + warnings.join(u"\n• "_s);
    }
    for (qsizetype i = 0; i < written.size(); ++i)
        Q_EMIT imported(written.at(i), endpoints.at(size_t(i)));

    // Only secrets of documents that were written are kept.
    QList<Tester::PostmanSecret> secrets;
    for (const Tester::PostmanSecret &s : result->secrets) {
        if (written.contains(u"endpoints/"_s + s.endpointId + u".json"_s))
            secrets.append(s);
    }
    keepSecrets(run, text, tail, writeFailed, std::move(secrets));
}

void ImportPanel::keepSecrets(quint64 run, const QString &text, const QString &tail, bool isError,
                              QList<Tester::PostmanSecret> secrets)
{
    // Shared by the keychain's answers; the last one to arrive writes the result.
    struct State
    {
        QString text;
        QStringList stored;
        QStringList toSet;     // "name (where): why"
        int pending = 0;
        bool failed = false;
    };
    auto state = std::make_shared<State>();
    state->text = text;
    auto report = [this, state, tail, isError] {
        QString out = state->text;
        if (!state->stored.isEmpty())
            out += u'\n' + tr("Saved in the OS keychain: %1 (the credentials the collection held).")
                               .arg(state->stored.join(u", "_s));
        if (!state->toSet.isEmpty())
            out += u'\n' + tr("Set these secrets (open the endpoint, type the credential under Authentication "
                               "and press Enter):") + u"\n• "_s + state->toSet.join(u"\n• "_s);
        if (!tail.isEmpty())
            out += u'\n' + tail;
        showResult(out, isError);
        m_import->setEnabled(m_pendingSecrets == 0);
    };
    for (const Tester::PostmanSecret &s : std::as_const(secrets)) {
        const QString where = tr("endpoints/%1.json, %2").arg(s.endpointId, s.pointer);
        if (s.value.isEmpty()) {
            state->toSet.append(s.origin.isEmpty()
                                    ? tr("%1 (%2): the collection gives no value").arg(s.name, where)
                                    : tr("%1 (%2): the collection takes it from %3, which it does not define")
                                          .arg(s.name, where, s.origin));
        } else if (!m_secrets) {
            state->toSet.append(tr("%1 (%2): no OS keychain is available here, so the value the collection held "
                                   "was not saved anywhere").arg(s.name, where));
        } else {
            ++state->pending;
        }
    }
    if (state->pending == 0) {
        report();
        return;
    }
    m_pendingSecrets += state->pending;
    m_import->setEnabled(false);
    showResult(state->text + u'\n' + tr("Saving %n credential(s) in the OS keychain…", nullptr, state->pending), false);
    for (const Tester::PostmanSecret &s : std::as_const(secrets)) {
        if (s.value.isEmpty() || !m_secrets)
            continue;
        const QString where = tr("endpoints/%1.json, %2").arg(s.endpointId, s.pointer);
        m_secrets->write(s.name, s.value, this, [this, state, report, name = s.name, where, run](Result<void> ok) {
            if (ok) {
                state->stored.append(name);
            } else if (ok.error().code == u"keychain_unavailable"_s) {
                state->toSet.append(tr("%1 (%2): the OS keychain is not available, so the value the collection held "
                                       "was not saved anywhere (%3)").arg(name, where, ok.error().message));
            } else {
                state->toSet.append(tr("%1 (%2): the OS keychain refused it, so the value the collection held was not "
                                       "saved anywhere (%3)").arg(name, where, ok.error().message));
            }
            --m_pendingSecrets;
            if (--state->pending == 0 && run == m_run)
                report();
        });
    }
}

void ImportPanel::showResult(const QString &text, bool isError)
{
    m_result->setText(text);
    m_result->setStyleSheet(isError ? u"color: #c62828;"_s : QString());
}

void ImportPanel::setBusy(bool busy)
{
    if (!busy)
        m_cancelToken.reset();
    m_busy->setVisible(busy);
    m_cancel->setEnabled(busy);
    m_import->setEnabled(!busy);
}

} // namespace Conflux::Ui::Endpoint
