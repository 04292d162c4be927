// CollectionDesigner, part two: the project it reads, sending, collection runs, the
// history, copy as curl and Postman import/export (see collectiondesigner.cpp for the rest).

#include "collectiondesigner.h"
#include "collectiondesigner_p.h"

#include "historypanel.h"
#include "keychainsecrets.h"
#include "requesteditor.h"
#include "assertioneditor.h"
#include "containereditor.h"
#include "responseview.h"
#include "runreportview.h"
#include "savefile.h"
#include "secretstore.h"

#include "model/projectloader.h"
#include "model/projectwriter.h"
#include "runtime/node.h"
#include "security/secrets.h"
#include "tester/curl.h"
#include "tester/history.h"
#include "tester/postman.h"
#include "tester/postmanendpoint.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QStackedWidget>
#include <QTabWidget>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {

struct CollectionDesigner::ImportOutcome
{
    QString error;
    QString id;
    QString name;
    QString file;                                   // relative to the project folder
    int requests = 0;
    QList<std::pair<QString, QString>> credentials; // lifted out of the collection
    QStringList notes;                              // what the import keeps but does not do
};

struct CollectionDesigner::SecretWriting
{
    ImportOutcome outcome;
    QList<std::pair<QString, QString>> pending;     // credentials still to write
    QJsonObject variables;                          // the environment's, so far
    QString failure;                                // why the keychain took none
};

namespace {

QStringList fileIds(const QString &folder)
{
    QStringList ids;
    for (const QFileInfo &file : QDir(folder).entryInfoList({u"*.json"_s}, QDir::Files, QDir::Name))
        ids.append(file.completeBaseName());
    return ids;
}

// A document id from a name ("Partner API" → "partner-api"), not one of `taken`.
QString freeId(const QString &name, const QStringList &taken)
{
    const QString base = Tester::endpointIdFromName(name).left(56);
    QString id = base;
    for (int n = 2; taken.contains(id); ++n)
        id = u"%1-%2"_s.arg(base).arg(n);
    return id;
}

void collectEndpointAuths(const Tester::Auth &auth, const QList<Tester::Item> &items, QStringList &ids)
{
    if (auth.type == Tester::Auth::Type::Endpoint && !ids.contains(auth.endpoint))
        ids.append(auth.endpoint);
    for (const Tester::Item &item : items)
        collectEndpointAuths(item.auth, item.items, ids);
}

ResponseDisplay displayOf(const Tester::RequestResult &result)
{
    ResponseDisplay display;
    if (result.response) {
        display.status = result.response->status;
        display.reason = QString::fromUtf8(result.response->reason);
        display.headers = result.response->headers;
        display.body = result.response->body;
        display.elapsedMs = result.response->elapsedMs;
    } else if (result.error) {
        display.error = result.error->message;
    }
    return display;
}

int requestsUnder(const QList<Tester::Item> &items)
{
    int n = 0;
    for (const Tester::Item &item : items)
        n += item.isFolder ? requestsUnder(item.items) : 1;
    return n;
}

// Runs `work` on `pool` and `deliver` with its result on the UI thread, unless `self` is gone.
template <typename Work, typename Deliver>
void offThread(QThreadPool &pool, QObject *self, Work work, Deliver deliver)
{
    const QPointer<QObject> guard(self);
    pool.start([guard, work = std::move(work), deliver = std::move(deliver)]() mutable {
        auto result = work();
        QMetaObject::invokeMethod(
            qApp,
            [guard, deliver = std::move(deliver), result = std::move(result)]() mutable {
                if (guard)
                    deliver(std::move(result));
            },
            Qt::QueuedConnection);
    });
}

} // namespace

// ---------------------------------------------------------------------------------------
// The project: environments, endpoints, routes

void CollectionDesigner::reloadProject()
{
    scanProject(false, {});
}

void CollectionDesigner::scanProject(bool withProject, std::function<void()> then)
{
    const QString folder = context().projectFolder;
    if (folder.isEmpty()) {
        if (!m_project)
            m_project = std::make_shared<ProjectInfo>();
        if (then)
            then();
        return;
    }
    const quint64 scan = ++m_projectScan;
    // Loading (and validating) the whole project is only worth it when a request needs its
    // endpoints; the lists of environments, endpoints and routes are cheap.
    const std::shared_ptr<const Model::ProjectLoader> loader = withProject ? context().loader : nullptr;
    offThread(
        *QThreadPool::globalInstance(), this,
        [folder, loader] {
            auto info = std::make_shared<ProjectInfo>();
            const QDir dir(folder);
            for (const QString &id : fileIds(dir.filePath(u"environments"_s))) {
                const QString file = u"environments/%1.json"_s.arg(id);
                QFile in(dir.filePath(file));
                QJsonParseError parseError;
                const QJsonDocument json = in.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(in.readAll(), &parseError)
                                                                        : QJsonDocument();
                Result<Tester::Environment> environment = json.isObject()
                    ? Tester::Environment::fromJson(json.object())
                    : Result<Tester::Environment>(makeError("invalid_environment", in.error() != QFile::NoError
                                                                                       ? in.errorString()
                                                                                       : parseError.errorString()));
                if (!environment) {
                    info->environmentProblems.append(u"%1: %2"_s.arg(file, environment.error().toString()));
                    continue;
                }
                info->environments.append(*environment);
                info->environmentDocuments.append(json.object());
            }
            info->endpointIds = fileIds(dir.filePath(u"endpoints"_s));
            info->routeIds = fileIds(dir.filePath(u"routes"_s));
            info->collectionIds = fileIds(dir.filePath(u"collections"_s));
            if (loader)
                info->project = loader->loadFolder(folder).project;
            return std::shared_ptr<const ProjectInfo>(info);
        },
        [this, scan, then](std::shared_ptr<const ProjectInfo> info) {
            if (scan == m_projectScan)
                applyProject(std::move(info));
            if (then)
                then();
        });
}

void CollectionDesigner::applyProject(std::shared_ptr<const ProjectInfo> info)
{
    const bool first = !m_project;
    m_project = std::move(info);
    QString selected = m_environment->currentData().toString();
    if (first && !context().projectFolder.isEmpty())
        selected = QSettings().value(u"tester/environment/"_s + context().projectFolder).toString();
    m_environment->clear();
    m_environment->addItem(tr("No environment"), QString());
    for (const Tester::Environment &environment : m_project->environments) {
        m_environment->addItem(environment.name, environment.id);
        QStringList names;
        for (const auto &[name, value] : environment.variables)
            names.append(value.isSecret() ? tr("%1 (keychain secret %2)").arg(name, value.secretName) : name);
        m_environment->setItemData(m_environment->count() - 1,
                                   tr("environments/%1.json: %2").arg(environment.id, names.join(u", "_s)),
                                   Qt::ToolTipRole);
    }
    const int index = m_environment->findData(selected);
    m_environment->setCurrentIndex(index < 0 ? 0 : index);
    m_request->setEndpointIds(m_project->endpointIds);
    m_request->setRouteIds(m_project->routeIds);
    m_container->setEndpointIds(m_project->endpointIds);
    if (!m_project->environmentProblems.isEmpty())
        setStatus(tr("Some environments cannot be used: %1").arg(m_project->environmentProblems.join(u"; "_s)), true);
    Q_EMIT projectReloaded();
}

void CollectionDesigner::prepareRun(std::function<void(Result<Tester::RunOptions>)> then)
{
    // An endpoint's authentication needs that endpoint (from the project as deployed when
    // requests go through the local gateway).
    QStringList endpoints;
    collectEndpointAuths(m_collection.auth, m_collection.items, endpoints);
    scanProject(!endpoints.isEmpty() && !m_viaGateway->isChecked(), [this, then, endpoints] {
        Tester::RunOptions options;
        QStringList secretNames;
        const QString environmentId = m_environment->currentData().toString();
        if (!environmentId.isEmpty()) {
            const qsizetype at = std::find_if(m_project->environments.begin(), m_project->environments.end(),
                                              [&](const Tester::Environment &e) { return e.id == environmentId; })
                                 - m_project->environments.begin();
            if (at >= m_project->environments.size()) {
                then(makeError("unknown_environment",
                               tr("The environment \"%1\" is no longer in the project (environments/%1.json)")
                                   .arg(environmentId)));
                return;
            }
            options.environment = m_project->environments.at(at);
            secretNames += secretReferences(m_project->environmentDocuments.at(at));
        }
        options.project = m_project->project;
        if (m_viaGateway->isChecked()) {
            Runtime::Node *engine = context().engine;
            if (!engine || engine->state() != Runtime::Node::State::Running) {
                then(makeError("gateway_unavailable", tr("The local engine is not running: start it (F5) to send "
                                                         "through its gateway, or turn \"Through the local gateway\" "
                                                         "off")));
                return;
            }
            if (engine->gatewayUrl().isEmpty()) {
                then(makeError("gateway_unavailable", tr("The local engine runs without a gateway: the project "
                                                         "settings do not enable it")));
                return;
            }
            options.gatewayUrl = QUrl(engine->gatewayUrl());
            options.project = engine->project();   // the routes as deployed
        }
        // ... and that endpoint's secrets.
        if (options.project) {
            for (const QString &id : std::as_const(endpoints)) {
                if (const Model::Document *document = options.project->document(Model::DocumentKind::Endpoint, id))
                    secretNames += secretReferences(document->json);
            }
        }
        secretNames.removeDuplicates();
        readKeychainSecrets(context().secrets, secretNames, this,
                            [then, options](std::shared_ptr<KeychainSecrets> secrets) mutable {
                                // CONFLUX_SECRET_<NAME>, as `conflux test` reads it, then the
                                // keychain: a secret set for the command line works here too, and
                                // its absence leaves the keychain's own answer.
                                auto chain = std::make_shared<Security::ChainSecretResolver>();
                                chain->append(std::make_unique<Security::EnvironmentSecretResolver>());
                                chain->append(std::make_unique<KeychainSecrets>(*secrets));
                                options.secrets = std::move(chain);
                                then(options);
                            });
    });
}

// ---------------------------------------------------------------------------------------
// Send and run

bool CollectionDesigner::isSending() const
{
    return m_preparing != 0 || m_sender->isRunning();
}

bool CollectionDesigner::isRunning() const
{
    return m_runner->isRunning();
}

void CollectionDesigner::send()
{
    if (!m_valid || m_editors->currentWidget() != m_request || isSending())
        return;
    const QList<int> path = m_current;
    const quint64 generation = ++m_generation;
    m_preparing = generation;
    m_response->setBusy(tr("Sending…"));
    m_output->setCurrentIndex(ResponseTab);
    m_request->assertionEditor()->setResults({});
    updateSending();
    prepareRun([this, path, generation](Result<Tester::RunOptions> options) {
        if (m_preparing != generation)
            return;   // cancelled meanwhile
        m_preparing = 0;
        Result<void> started = options ? Result<void>() : Result<void>(options.error());
        if (options) {
            options->itemPath = path;
            m_sentPath = path;
            started = m_sender->start(m_collection, *options);
        }
        if (!started) {
            Tester::RequestResult failed;
            failed.error = started.error();
            onSendFinished(failed);
            updateSending();
            Q_EMIT sendFinished(m_lastSend);
            return;
        }
        updateSending();
    });
}

void CollectionDesigner::cancelSend()
{
    if (m_preparing) {
        m_preparing = 0;
        Tester::RequestResult cancelled;
        cancelled.error = makeError("cancelled", tr("Cancelled before it was sent"));
        onSendFinished(cancelled);
        updateSending();
        Q_EMIT sendFinished(m_lastSend);
    } else if (m_sender->isRunning()) {
        m_sender->cancel();   // finished() follows with the request cancelled
    }
}

void CollectionDesigner::onSendFinished(const Tester::RequestResult &result)
{
    m_lastSend = result;
    showResult(result);
    if (m_current == m_sentPath)
        m_request->assertionEditor()->setResults(result.assertions);
    recordHistory(result);
    if (result.error) {
        setStatus(result.error->message, true);
        return;
    }
    const int passed = int(std::count_if(result.assertions.begin(), result.assertions.end(),
                                         [](const Tester::AssertionResult &a) { return a.passed; }));
    QString text = tr("%1 %2 in %3 ms")
                       .arg(result.response->status)
                       .arg(QString::fromUtf8(result.response->reason))
                       .arg(result.response->elapsedMs);
    if (!result.assertions.isEmpty())
        text += tr(" · checks: %1 of %2 passed").arg(passed).arg(result.assertions.size());
    setStatus(text, passed < result.assertions.size());
}

void CollectionDesigner::showResult(const Tester::RequestResult &result)
{
    m_response->setResponse(displayOf(result));
}

void CollectionDesigner::run(const QList<int> &folderPath)
{
    if (!m_valid || isRunning())
        return;
    const Tester::Item *folder = nullptr;
    const QList<Tester::Item> *level = &m_collection.items;
    for (int index : folderPath) {
        if (index < 0 || index >= level->size())
            return;
        folder = &level->at(index);
        level = &folder->items;
    }
    if (folder && !folder->isFolder)
        return;
    const QString title = folder ? folder->name : m_collection.name;
    m_runReport->start(title, folder ? requestsUnder(folder->items) : m_collection.requestCount());
    m_output->setCurrentIndex(RunTab);
    m_runButton->setText(tr("&Stop Run"));
    m_escape->setEnabled(true);
    prepareRun([this, folderPath](Result<Tester::RunOptions> options) {
        Result<void> started = options ? Result<void>() : Result<void>(options.error());
        if (options) {
            options->itemPath = folderPath;
            started = m_runner->start(m_collection, *options);
        }
        if (!started) {
            m_runReport->abort(started.error().message);
            m_runButton->setText(tr("&Run Collection"));
            setStatus(started.error().message, true);
            updateSending();
            Tester::RunReport report;
            report.collectionName = m_collection.name;
            report.cancelled = true;
            Q_EMIT runFinished(report);
        }
    });
}

void CollectionDesigner::stopRun()
{
    m_runner->cancel();
}

void CollectionDesigner::updateSending()
{
    m_request->setBusy(isSending());
    m_escape->setEnabled(isSending() || isRunning());
}

void CollectionDesigner::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? u"color: #b3261e"_s : QString());
}

// ---------------------------------------------------------------------------------------
// History

void CollectionDesigner::recordHistory(const Tester::RequestResult &result)
{
    if (!m_historyFile || !result.request)
        return;
    const std::shared_ptr<Tester::History> history = m_historyFile;
    offThread(
        m_io, this,
        [history, request = *result.request, response = result.response, error = result.error] {
            // A history that cannot be written must not fail the send; the panel says why.
            Result<void> appended = history->append(request, response, error);
            Result<QList<Tester::HistoryEntry>> entries = history->entries();
            return appended ? entries : Result<QList<Tester::HistoryEntry>>(appended.error());
        },
        [this](const Result<QList<Tester::HistoryEntry>> &entries) { showHistory(entries); });
}

void CollectionDesigner::showHistory(const Result<QList<Tester::HistoryEntry>> &entries)
{
    if (entries)
        m_history->setEntries(*entries);
    else
        m_history->setError(entries.error().message);
    Q_EMIT historyChanged();
}

void CollectionDesigner::loadHistory()
{
    if (!m_historyFile)
        return;
    const std::shared_ptr<Tester::History> history = m_historyFile;
    offThread(
        m_io, this, [history] { return history->entries(); },
        [this](const Result<QList<Tester::HistoryEntry>> &entries) { showHistory(entries); });
}

void CollectionDesigner::clearHistory()
{
    if (!m_historyFile)
        return;
    const std::shared_ptr<Tester::History> history = m_historyFile;
    offThread(
        m_io, this, [history] { return history->clear(); },
        [this](Result<void> cleared) {
            if (cleared)
                m_history->setEntries({});
            else
                m_history->setError(cleared.error().message);
            Q_EMIT historyChanged();
        });
}

// ---------------------------------------------------------------------------------------
// curl and Postman

void CollectionDesigner::copyAsCurl(bool masked)
{
    if (!m_valid || m_editors->currentWidget() != m_request)
        return;
    const QList<int> path = m_current;
    prepareRun([this, path, masked](Result<Tester::RunOptions> options) {
        Result<Tester::PreparedRequest> prepared = options
            ? Tester::prepareForRun(m_collection, path, *options)
            : Result<Tester::PreparedRequest>(options.error());
        if (!prepared) {
            setStatus(tr("Not copied: %1").arg(prepared.error().message), true);
            return;
        }
        Tester::CurlOptions curl;
        curl.maskSecrets = masked;
        curl.multiline = true;
        const QString command = Tester::toCurl(*prepared, curl);
        QApplication::clipboard()->setText(command);
        setStatus(prepared->oauth2 ? tr("Copied as curl, without the OAuth2 token: it is fetched when the request "
                                        "is sent")
                                   : tr("Copied as curl"));
        Q_EMIT curlCopied(command);
    });
}

void CollectionDesigner::chooseImportFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import a Postman collection"), QString(),
                                                      tr("Postman collections (*.json);;All files (*)"));
    if (!path.isEmpty())
        importPostmanFile(path);
}

void CollectionDesigner::chooseExportFile()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export as a Postman collection"),
                                                      m_collection.id + u".postman_collection.json"_s,
                                                      tr("Postman collections (*.json)"));
    if (!path.isEmpty())
        exportPostmanFile(path);
}

void CollectionDesigner::importPostmanFile(const QString &path)
{
    const QString folder = context().projectFolder;
    if (folder.isEmpty()) {
        Q_EMIT postmanFinished(false, tr("Open a project to import into"));
        return;
    }
    setStatus(tr("Importing %1…").arg(QDir::toNativeSeparators(path)));
    offThread(
        m_io, this,
        [folder, path] {
            ImportOutcome outcome;
            QFile in(path);
            if (!in.open(QIODevice::ReadOnly)) {
                outcome.error = tr("Cannot read %1: %2").arg(QDir::toNativeSeparators(path), in.errorString());
                return outcome;
            }
            Result<Tester::PostmanImport> imported = Tester::importPostman(in.readAll());
            if (!imported) {
                outcome.error = tr("%1 is not a Postman collection v2.1: %2")
                                    .arg(QDir::toNativeSeparators(path), imported.error().toString());
                return outcome;
            }
            Tester::Collection collection = imported->collection;
            collection.id = freeId(collection.name, fileIds(QDir(folder).filePath(u"collections"_s)));
            const QString file = u"collections/%1.json"_s.arg(collection.id);
            const QJsonObject document = collection.toJson();
            // Postman keeps literal credentials in places the import does not move them from
            // (a variable named like one, say): the project refuses them, so nothing is written.
            const Model::Diagnostics plaintext = Model::findPlaintextSecrets(file, document);
            if (!plaintext.isEmpty()) {
                QStringList where;
                for (const Model::Diagnostic &d : plaintext)
                    where.append(d.toString() + u' ' + d.message);
                outcome.error = tr("Not imported: the collection holds credentials as plain text, which a project "
                                   "never stores (%1). Replace them with {{variables}} in Postman and export again.")
                                    .arg(where.join(u"; "_s));
                return outcome;
            }
            Result<bool> written = Model::ProjectWriter(folder).writeDocument(file, document);
            if (!written) {
                outcome.error = written.error().message;
                return outcome;
            }
            outcome.id = collection.id;
            outcome.name = collection.name;
            outcome.file = file;
            outcome.requests = collection.requestCount();
            outcome.credentials = imported->credentials;
            outcome.notes = imported->notUnderstood;
            return outcome;
        },
        [this](ImportOutcome outcome) { finishImport(outcome); });
}

void CollectionDesigner::finishImport(const ImportOutcome &outcome)
{
    if (!outcome.error.isEmpty()) {
        setStatus(outcome.error, true);
        Q_EMIT postmanFinished(false, outcome.error);
        return;
    }
    if (outcome.credentials.isEmpty()) {
        QString message = tr("Imported %n request(s) into %1", nullptr, outcome.requests).arg(outcome.file);
        if (!outcome.notes.isEmpty())
            message += tr(". Kept but not done: %1").arg(outcome.notes.join(u"; "_s));
        setStatus(message);
        Q_EMIT documentCreated(outcome.file);
        Q_EMIT postmanFinished(true, message);
        return;
    }
    auto writing = std::make_shared<SecretWriting>();
    writing->outcome = outcome;
    writing->pending = outcome.credentials;
    writeImportedEnvironment(writing);
}

// The credentials an import lifted out of the collection go to the OS keychain, as
// "<collection id>.<variable>", one after another, and a new environment refers to them;
// without a keychain nothing is kept and the message names the variables to define.
void CollectionDesigner::writeImportedEnvironment(std::shared_ptr<SecretWriting> writing)
{
    if (writing->failure.isEmpty() && !writing->pending.isEmpty()) {
        const auto [name, value] = writing->pending.takeFirst();
        const QString secret = writing->outcome.id + u'.' + name;
        if (!context().secrets) {
            writing->failure = tr("no OS keychain is available here");
            writeImportedEnvironment(writing);
            return;
        }
        context().secrets->write(secret, value, this, [this, writing, name, secret](Result<void> written) {
            if (written)
                writing->variables.insert(name, QJsonObject{{u"secret"_s, secret}});
            else
                writing->failure = written.error().message;
            writeImportedEnvironment(writing);
        });
        return;
    }
    const ImportOutcome &outcome = writing->outcome;
    QStringList names;
    for (const auto &[name, value] : outcome.credentials)
        names.append(u"{{"_s + name + u"}}"_s);
    QString message = tr("Imported %n request(s) into %1", nullptr, outcome.requests).arg(outcome.file);
    if (!writing->failure.isEmpty()) {
        message += tr(". Its credentials were not kept (%1): define %2 in an environment")
                       .arg(writing->failure, names.join(u", "_s));
        setStatus(message, true);
        Q_EMIT documentCreated(outcome.file);
        Q_EMIT postmanFinished(true, message);
        return;
    }
    const QString folder = context().projectFolder;
    const QJsonObject variables = writing->variables;
    offThread(
        m_io, this,
        [folder, variables, outcome] {
            const QString id = freeId(outcome.id, fileIds(QDir(folder).filePath(u"environments"_s)));
            const QString file = u"environments/%1.json"_s.arg(id);
            const QJsonObject document{{u"kind"_s, u"Environment"_s},
                                       {u"schemaVersion"_s, 1},
                                       {u"id"_s, id},
                                       {u"name"_s, tr("%1 (from Postman)").arg(outcome.name)},
                                       {u"variables"_s, variables}};
            Result<bool> written = Model::ProjectWriter(folder).writeDocument(file, document);
            return written ? std::pair{id, QString()} : std::pair{id, written.error().message};
        },
        [this, message, names, outcome](std::pair<QString, QString> environment) mutable {
            const auto &[id, error] = environment;
            if (error.isEmpty()) {
                message += tr(". Its credentials (%1) are in the OS keychain, used through the environment "
                              "environments/%2.json, now selected")
                               .arg(names.join(u", "_s), id);
                // Selected once the project is read again.
                QSettings().setValue(u"tester/environment/"_s + context().projectFolder, id);
                m_environment->addItem(tr("%1 (from Postman)").arg(outcome.name), id);
                m_environment->setCurrentIndex(m_environment->count() - 1);
                reloadProject();
            } else {
                message += tr(". Its credentials are in the OS keychain, but the environment was not written (%1): "
                              "define %2 in an environment as keychain secrets \"%3.<name>\"")
                               .arg(error, names.join(u", "_s), outcome.id);
            }
            if (!outcome.notes.isEmpty())
                message += tr(". Kept but not done: %1").arg(outcome.notes.join(u"; "_s));
            setStatus(message, !error.isEmpty());
            Q_EMIT documentCreated(outcome.file);
            Q_EMIT postmanFinished(true, message);
        });
}

void CollectionDesigner::exportPostmanFile(const QString &path)
{
    const QByteArray json = QJsonDocument(Tester::exportPostman(m_collection)).toJson(QJsonDocument::Indented);
    saveFileInBackground(path, json, this, [this, path](const QString &error) {
        const QString message = error.isEmpty()
            ? tr("Exported %1 as a Postman collection v2.1 to %2").arg(m_collection.name, QDir::toNativeSeparators(path))
            : error;
        setStatus(message, !error.isEmpty());
        Q_EMIT postmanFinished(error.isEmpty(), message);
    });
}

} // namespace Conflux::Ui
