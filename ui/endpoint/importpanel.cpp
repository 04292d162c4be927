#include "importpanel.h"

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

ImportPanel::ImportPanel(QString projectFolder, QWidget *parent)
    : QWidget(parent)
    , m_projectFolder(std::move(projectFolder))
{
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Create an endpoint from an API definition. The new document goes into the "
                                "project's endpoints folder; its entities show in the schema view."),
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
    m_id->setPlaceholderText(u"orders-api"_s);
    form->addRow(tr("New endpoint id"), m_id);
    m_name = new QLineEdit(this);
    m_name->setPlaceholderText(tr("the definition's title"));
    form->addRow(tr("Name"), m_name);
    m_serviceUrl = new QLineEdit(this);
    m_serviceUrl->setPlaceholderText(tr("from the definition (OData from a file: the service root)"));
    form->addRow(tr("Service URL"), m_serviceUrl);
    layout->addLayout(form);

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

    connect(browse, &QPushButton::clicked, this, &ImportPanel::browse);
    connect(m_import, &QPushButton::clicked, this, &ImportPanel::startImport);
    connect(m_cancel, &QPushButton::clicked, this, &ImportPanel::cancel);
}

ImportPanel::~ImportPanel()
{
    if (m_cancelToken)
        m_cancelToken->cancel();
}

bool ImportPanel::isAvailable(ImportSource source)
{
    return source != ImportSource::PostmanCollection;
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
    return m_cancelToken != nullptr;
}

QString ImportPanel::resultText() const
{
    return m_result->text();
}

void ImportPanel::browse()
{
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Import a definition"), m_projectFolder,
        tr("Definitions (*.json *.yaml *.yml *.wsdl *.xml *.edmx);;All files (*)"));
    if (!file.isEmpty())
        m_location->setText(file);
}

void ImportPanel::startImport()
{
    const auto source = ImportSource(m_source->currentData().toInt());
    if (!isAvailable(source)) {
        showResult(tr("Importing Postman collections is not available yet in this build: the request tester's "
                      "collection reader will provide it."),
                   true);
        return;
    }
    if (m_projectFolder.isEmpty()) {
        showResult(tr("Open a project first: an import writes a new document into its endpoints folder."), true);
        return;
    }
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

    if (m_cancelToken)
        m_cancelToken->cancel();
    auto token = std::make_shared<Connectors::CancelToken>();
    m_cancelToken = token;
    const quint64 run = ++m_run;
    setBusy(true);
    showResult(isRemote(location) ? tr("Downloading %1…").arg(location) : tr("Reading %1…").arg(location), false);
    const QPointer<ImportPanel> self(this);
    QThreadPool::globalInstance()->start([self, run, token, options, format] {
        Result<Connectors::ImportedEndpoint> result = [&]() -> Result<Connectors::ImportedEndpoint> {
            Result<QByteArray> bytes = Connectors::fetchDefinition(options.location, token.get(),
                                                                   options.timeoutSeconds);
            if (!bytes)
                return bytes.error();
            return Connectors::importDefinition(format, *bytes, options);
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

void ImportPanel::finish(quint64 run, const Result<Connectors::ImportedEndpoint> &result, const QString &location)
{
    if (run != m_run)
        return;
    setBusy(false);
    if (!result) {
        const QString message = tr("Import failed (%1): %2").arg(result.error().code, result.error().toString());
        showResult(message, true);
        Q_EMIT failed(message);
        return;
    }
    Connectors::ImportedEndpoint endpoint = *result;
    QJsonObject document = endpoint.document.toQJson().toObject();
    // A WSDL inside the project is referred to relative to it, so the project can move.
    const QDir project(m_projectFolder);
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
    if (QFileInfo::exists(project.filePath(file))) {
        showResult(tr("%1 already exists: choose another endpoint id.").arg(file), true);
        return;
    }
    const Result<bool> written = Model::ProjectWriter(m_projectFolder).writeDocument(file, document);
    if (!written) {
        showResult(tr("Could not write %1: %2").arg(file, written.error().toString()), true);
        return;
    }
    QString text = tr("Created %1 — %2.").arg(file, endpoint.summary);
    if (!endpoint.operations.isEmpty())
        text += u' ' + tr("Operations: %1.").arg(endpoint.operations.mid(0, 12).join(u", "_s))
                + (endpoint.operations.size() > 12 ? tr(" (and %1 more)").arg(endpoint.operations.size() - 12)
                                                   : QString());
    if (!endpoint.warnings.isEmpty())
        text += u'\n' + tr("Not imported: %1").arg(endpoint.warnings.join(u"; "_s));
    showResult(text, false);
    Q_EMIT imported(file, endpoint);
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
