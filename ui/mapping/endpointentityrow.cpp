#include "endpointentityrow.h"

#include "endpoint/connectionrunner.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QThreadPool>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

namespace {

// An endpoint document is a few kilobytes; a larger file in endpoints/ is not one.
constexpr qint64 maxEndpointFile = 4 * 1024 * 1024;

const QString errorStyle = u"color: #b02020;"_s;

QString entityTooltip(const Connectors::Entity &entity)
{
    QStringList lines{entity.name};
    if (!entity.description.isEmpty())
        lines.append(entity.description);
    lines.append(EndpointEntityRow::tr("fields: %1").arg(entity.schema.fields.size()));
    if (!entity.keyFields.isEmpty())
        lines.append(EndpointEntityRow::tr("key: %1").arg(entity.keyFields.join(u", "_s)));
    return lines.join(u'\n');
}

} // namespace

EndpointEntityRow::EndpointEntityRow(Side side, SecretStore *secrets, QString projectFolder, QWidget *parent)
    : QWidget(parent)
    , m_projectFolder(std::move(projectFolder))
    , m_runner(new Endpoint::ConnectionRunner(secrets, m_projectFolder, this))
{
    const bool source = side == Side::Source;
    setObjectName(source ? u"sourceEndpointRow"_s : u"targetEndpointRow"_s);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 2);
    outer->setSpacing(2);
    auto *row = new QHBoxLayout;
    row->setSpacing(4);
    outer->addLayout(row);

    m_label = new QLabel(source ? tr("&Source:") : tr("&Target:"), this);
    m_endpointCombo = new QComboBox(this);
    m_endpointCombo->setObjectName(u"endpointCombo"_s);
    m_endpointCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_endpointCombo->setMinimumContentsLength(8);
    m_endpointTip = source ? tr("The endpoint the records come from (source_endpoint)")
                           : tr("The endpoint the records go to (target_endpoint)");
    m_label->setBuddy(m_endpointCombo);
    m_discover = new QPushButton(tr("Discover"), this);
    m_discover->setObjectName(u"discoverButton"_s);
    m_discover->setToolTip(tr("Ask the endpoint which entities it offers, and their fields"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(u"cancelButton"_s);
    m_cancel->setVisible(false);
    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 0);
    m_busy->setTextVisible(false);
    m_busy->setMaximumWidth(40);
    m_busy->setVisible(false);
    m_entityCombo = new QComboBox(this);
    m_entityCombo->setObjectName(u"entityCombo"_s);
    m_entityCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_entityCombo->setMinimumContentsLength(8);
    m_entityCombo->setToolTip(source ? tr("The entity whose fields become source.schema")
                                     : tr("The entity whose fields become target.schema"));

    row->addWidget(m_label);
    row->addWidget(m_endpointCombo, 3);
    row->addWidget(m_discover);
    row->addWidget(m_busy);
    row->addWidget(m_cancel);
    row->addWidget(m_entityCombo, 2);

    m_message = new QLabel(this);
    m_message->setObjectName(u"endpointMessage"_s);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setVisible(false);
    outer->addWidget(m_message);

    connect(m_endpointCombo, &QComboBox::activated, this, [this](int index) {
        const QString id = m_endpointCombo->itemData(index).toString();
        if (id != m_endpoint)
            Q_EMIT endpointChosen(id);
    });
    connect(m_discover, &QPushButton::clicked, this, &EndpointEntityRow::discover);
    connect(m_cancel, &QPushButton::clicked, this, &EndpointEntityRow::cancel);
    connect(m_entityCombo, &QComboBox::activated, this, [this](int index) {
        if (m_discoveredEndpoint != m_endpoint || index < 0 || size_t(index) >= m_entities.size())
            return;
        Q_EMIT entityChosen(m_endpoint, m_entities[size_t(index)]);
    });
    connect(m_runner, &Endpoint::ConnectionRunner::busyChanged, this, &EndpointEntityRow::updateBusy);
    connect(m_runner, &Endpoint::ConnectionRunner::discovered, this, &EndpointEntityRow::onDiscovered);

    fillEndpoints();
    fillEntities();
    updateBusy();
}

EndpointEntityRow::~EndpointEntityRow() = default;

// ---- the project's endpoints -------------------------------------------------------------

std::vector<ProjectEndpoint> EndpointEntityRow::listEndpoints(const QString &projectFolder)
{
    std::vector<ProjectEndpoint> out;
    if (projectFolder.isEmpty())
        return out;
    const QDir folder(QDir(projectFolder).filePath(u"endpoints"_s));
    const QFileInfoList files = folder.entryInfoList({u"*.json"_s}, QDir::Files | QDir::Readable, QDir::Name);
    for (const QFileInfo &info : files) {
        ProjectEndpoint endpoint;
        endpoint.id = info.completeBaseName();
        endpoint.file = info.absoluteFilePath();
        const QString relative = u"endpoints/"_s + info.fileName();
        QFile file(endpoint.file);
        if (info.size() > maxEndpointFile) {
            endpoint.error = tr("%1 is larger than %2 MB; it is no endpoint document")
                                 .arg(relative).arg(maxEndpointFile / (1024 * 1024));
        } else if (!file.open(QIODevice::ReadOnly)) {
            endpoint.error = tr("%1 cannot be read: %2").arg(relative, file.errorString());
        } else {
            QJsonParseError parseError;
            const QJsonDocument json = QJsonDocument::fromJson(file.readAll(), &parseError);
            if (parseError.error != QJsonParseError::NoError) {
                endpoint.error = tr("%1 is not valid JSON (%2 at byte %3); fix it in its editor")
                                     .arg(relative, parseError.errorString())
                                     .arg(parseError.offset);
            } else if (!json.isObject() || json.object().value(u"kind"_s).toString() != u"Endpoint") {
                continue;   // another kind of document in the wrong folder: the loader reports it
            } else {
                endpoint.document = json.object();
                endpoint.id = endpoint.document.value(u"id"_s).toString(endpoint.id);
                endpoint.name = endpoint.document.value(u"name"_s).toString();
                endpoint.protocol = endpoint.document.value(u"protocol"_s).toString();
            }
        }
        out.push_back(std::move(endpoint));
    }
    return out;
}

void EndpointEntityRow::rescan()
{
    if (m_projectFolder.isEmpty())
        return;   // no project: nothing to list, and no reference can be checked
    const quint64 generation = ++m_listGeneration;
    const QString folder = m_projectFolder;
    const QPointer<EndpointEntityRow> self(this);
    QThreadPool::globalInstance()->start([folder, generation, self] {
        std::vector<ProjectEndpoint> endpoints = listEndpoints(folder);
        QMetaObject::invokeMethod(
            qApp,
            [self, generation, endpoints = std::move(endpoints)] {
                if (self)
                    self->onListed(generation, endpoints);
            },
            Qt::QueuedConnection);
    });
    updateBusy();
}

void EndpointEntityRow::onListed(quint64 generation, std::vector<ProjectEndpoint> endpoints)
{
    if (generation != m_listGeneration)
        return;   // a newer listing is on its way
    m_endpoints = std::move(endpoints);
    m_listed = true;
    fillEndpoints();
    checkReference();
    if (m_discoverPending)
        startDiscovery();
    updateBusy();
    Q_EMIT endpointsListed();
}

void EndpointEntityRow::checkReference()
{
    if (!m_listed)
        return;
    QString problem;
    if (!m_endpoint.isEmpty()) {
        const ProjectEndpoint *endpoint = findEndpoint(m_endpoint);
        problem = endpoint ? endpoint->error
                           : tr("No endpoint \"%1\" in this project (endpoints/%1.json): choose another one.")
                                 .arg(m_endpoint);
    }
    if (!problem.isEmpty()) {
        setMessage(problem, true);
        m_referenceError = true;
    } else if (m_referenceError) {
        setMessage(QString(), false);   // the endpoint is there now (or was fixed)
    }
}

const ProjectEndpoint *EndpointEntityRow::findEndpoint(const QString &id) const
{
    if (id.isEmpty())
        return nullptr;
    const auto it = std::find_if(m_endpoints.begin(), m_endpoints.end(),
                                 [&id](const ProjectEndpoint &e) { return e.id == id; });
    return it == m_endpoints.end() ? nullptr : &*it;
}

void EndpointEntityRow::fillEndpoints()
{
    const QSignalBlocker blocker(m_endpointCombo);
    m_endpointCombo->clear();
    m_endpointCombo->addItem(tr("(none)"), QString());
    for (const ProjectEndpoint &e : m_endpoints) {
        const QString text = e.name.isEmpty() || e.name == e.id ? e.id : u"%1 (%2)"_s.arg(e.name, e.id);
        m_endpointCombo->addItem(text, e.id);
        const int index = m_endpointCombo->count() - 1;
        m_endpointCombo->setItemData(
            index,
            e.error.isEmpty() ? tr("%1\nprotocol: %2\n%3").arg(e.id, e.protocol, QDir(m_projectFolder).relativeFilePath(e.file))
                              : e.error,
            Qt::ToolTipRole);
    }
    int current = m_endpointCombo->findData(m_endpoint);
    if (current < 0) {
        // Named by the document but not (yet) found: shown as it is, so nothing changes silently.
        m_endpointCombo->addItem(m_listed ? tr("%1 (not found)").arg(m_endpoint) : m_endpoint, m_endpoint);
        current = m_endpointCombo->count() - 1;
    }
    m_endpointCombo->setCurrentIndex(current);
    // A narrow pane cuts the name off; the tooltip has it whole.
    m_endpointCombo->setToolTip(m_endpointCombo->currentText() + u'\n' + m_endpointTip);
}

// ---- the document ------------------------------------------------------------------------

void EndpointEntityRow::setDocumentState(const QString &endpoint, const QString &entity)
{
    const bool endpointChanged = endpoint != m_endpoint;
    // "Choose one" is answered once the document names an entity.
    if (!endpointChanged && entity != m_entity && !entity.isEmpty() && !m_error && !isBusy())
        setMessage(QString(), false);
    m_endpoint = endpoint;
    m_entity = entity;
    if (endpointChanged) {
        // Another endpoint (chosen here, typed in the JSON view, undone): what was found or
        // is being looked for belongs to the old one.
        if (isBusy() && m_discovering != m_endpoint)
            cancel();
        setMessage(QString(), false);
        fillEndpoints();
        checkReference();
    }
    fillEntities();
    updateBusy();
}

void EndpointEntityRow::fillEntities()
{
    const QSignalBlocker blocker(m_entityCombo);
    m_entityCombo->clear();
    const bool discovered = !m_entities.empty() && m_discoveredEndpoint == m_endpoint && !m_endpoint.isEmpty();
    if (discovered) {
        for (const Connectors::Entity &entity : m_entities) {
            m_entityCombo->addItem(entity.name);
            m_entityCombo->setItemData(m_entityCombo->count() - 1, entityTooltip(entity), Qt::ToolTipRole);
        }
        m_entityCombo->setPlaceholderText(tr("Choose an entity"));
        m_entityCombo->setCurrentIndex(m_entityCombo->findText(m_entity, Qt::MatchExactly));
    } else if (!m_entity.isEmpty() && !m_endpoint.isEmpty()) {
        // The entity the schema came from, until a discovery offers the others.
        m_entityCombo->addItem(m_entity);
        m_entityCombo->setCurrentIndex(0);
    } else {
        m_entityCombo->setCurrentIndex(-1);
    }
    m_entityCombo->setEnabled(discovered);
    // Nothing to show before a discovery: the endpoint's name gets the room.
    m_entityCombo->setVisible(m_entityCombo->count() > 0);
}

// ---- discovery ---------------------------------------------------------------------------

bool EndpointEntityRow::isBusy() const
{
    return m_discoverPending || m_runner->isBusy();
}

void EndpointEntityRow::discover()
{
    if (m_endpoint.isEmpty()) {
        setMessage(tr("Choose an endpoint first."), true);
        return;
    }
    if (m_projectFolder.isEmpty()) {
        setMessage(tr("No project is open: the endpoint's document cannot be found."), true);
        return;
    }
    m_runner->cancel();
    m_discovering = m_endpoint;
    m_discoverPending = true;
    setMessage(tr("Reading %1…").arg(m_endpoint), false);
    // The endpoint document is read again, so that discovery uses what is saved.
    rescan();
}

void EndpointEntityRow::startDiscovery()
{
    m_discoverPending = false;
    const ProjectEndpoint *endpoint = findEndpoint(m_discovering);
    checkReference();
    if (!endpoint || !endpoint->error.isEmpty()) {
        updateBusy();
        Q_EMIT discoveryFinished(false);
        return;
    }
    setMessage(tr("Discovering the entities of %1…").arg(m_discovering), false);
    m_runner->start(Endpoint::ConnectionRunner::Action::Discover, endpoint->document, endpoint->file);
}

void EndpointEntityRow::cancel()
{
    if (!isBusy())
        return;
    m_discoverPending = false;
    m_runner->cancel();
    setMessage(tr("Discovery cancelled."), false);
    updateBusy();
}

void EndpointEntityRow::onDiscovered(const Result<std::vector<Connectors::Entity>> &result)
{
    if (!result) {
        setMessage(tr("Discovery of %1 failed: %2").arg(m_discovering, result.error().toString()), true);
        updateBusy();
        Q_EMIT discoveryFinished(false);
        return;
    }
    m_entities = result.value();
    m_discoveredEndpoint = m_discovering;
    if (m_entities.empty())
        setMessage(tr("%1 offers no entities.").arg(m_discovering), true);
    else
        setMessage(tr("Entities of %1: %2. Choose one to use its fields.").arg(m_discovering).arg(m_entities.size()),
                   false);
    fillEntities();
    updateBusy();
    Q_EMIT discoveryFinished(!m_entities.empty());
}

QString EndpointEntityRow::message() const
{
    return m_text;
}

void EndpointEntityRow::setMessage(const QString &text, bool error)
{
    m_error = error && !text.isEmpty();
    m_referenceError = false;
    m_text = text;
    // Paths and URLs in errors have no spaces to wrap at: a zero-width space after each
    // separator lets them wrap instead of being cut at the pane's edge.
    QString shown = text;
    shown.replace(u'/', u"/\u200B"_s);
    m_message->setText(shown);
    m_message->setToolTip(text);
    m_message->setStyleSheet(m_error ? errorStyle : QString());
    m_message->setVisible(!text.isEmpty());
}

void EndpointEntityRow::updateBusy()
{
    const bool busy = isBusy();
    m_discover->setVisible(!busy);
    m_discover->setEnabled(!m_endpoint.isEmpty());
    m_cancel->setVisible(busy);
    m_busy->setVisible(busy);
    m_endpointCombo->setEnabled(!busy);
    if (busy != m_wasBusy) {
        m_wasBusy = busy;
        Q_EMIT busyChanged(busy);
    }
}

void EndpointEntityRow::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // Endpoints may have been added or renamed while the designer was hidden.
    if (!isBusy())
        rescan();
}

} // namespace Conflux::Ui
