#include "testcommand.h"

#include "connectors/httpclient.h"
#include "model/projectloader.h"
#include "security/secrets.h"
#include "tester/collection.h"
#include "tester/curl.h"
#include "tester/junit.h"
#include "tester/history.h"
#include "tester/postman.h"
#include "tester/runner.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSslCertificate>
#include <QTimer>

#include <atomic>
#include <csignal>

using namespace Qt::StringLiterals;

namespace Conflux::Cli {

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

QString tr(const char *text)
{
    return QCoreApplication::translate("Cli", text);
}

// SIGINT/SIGTERM during a run: the run is cancelled cleanly (the request in flight aborted, the
// report and the JUnit file written). A second signal ends the process the default way.
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void onSignal(int signal)
{
    g_interrupted.store(true, std::memory_order_relaxed);
    ::signal(signal, SIG_DFL);
}

void cancelOnSignals()
{
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

void printDiagnostics(QTextStream &err, const Model::Diagnostics &diagnostics)
{
    for (const Model::Diagnostic &d : diagnostics) {
        err << d.toString();
        if (d.line > 0 && !d.pointer.isEmpty())
            err << u" (line %1, column %2)"_s.arg(d.line).arg(d.column);
        err << '\n';
    }
}

void printError(QTextStream &err, const Error &error)
{
    err << error.message << '\n';
    for (const QString &detail : error.details)
        err << u"  "_s << detail << '\n';
}

// The project a collection file sits in: <project>/collections/<id>.json.
QString projectOfFile(const QString &file)
{
    const QDir folder = QFileInfo(file).absoluteDir();
    if (folder.dirName() != u"collections")
        return {};
    const QString project = QFileInfo(folder.absolutePath()).absolutePath();
    return QFile::exists(QDir(project).filePath(QLatin1String(Model::projectFileName))) ? project : QString();
}

QString humanSize(qint64 bytes)
{
    return bytes < 1024 ? u"%1 B"_s.arg(bytes) : u"%1 KiB"_s.arg(double(bytes) / 1024.0, 0, 'f', 1);
}

struct Inputs
{
    Tester::Collection collection;
    QStringList notes;
    std::shared_ptr<const Model::Project> project;
    QString projectFolder;
    std::optional<Tester::Environment> environment;
    QList<std::pair<QString, QString>> credentials;   // literal ones of a Postman file
};

// Reads COLLECTION: a file (a Conflux collection document or a Postman collection), or an id
// of the project. Errors are printed; returns false for exit code 2.
bool readCollection(const QString &argument, const QString &projectOption, Inputs &in, QTextStream &err)
{
    const Model::ProjectLoader loader;
    const QFileInfo info(argument);
    QString projectFolder = projectOption;
    if (info.isFile()) {
        QFile file(argument);
        if (!file.open(QIODevice::ReadOnly)) {
            err << tr("%1: cannot read: %2").arg(argument, file.errorString()) << '\n';
            return false;
        }
        const QByteArray text = file.readAll();
        const QJsonObject json = QJsonDocument::fromJson(text).object();
        if (json.contains(u"info"_s) && json.contains(u"item"_s)) {
            Result<Tester::PostmanImport> imported = Tester::importPostman(text);
            if (!imported) {
                err << argument << ": ";
                printError(err, imported.error());
                return false;
            }
            in.collection = imported->collection;
            in.notes = imported->notUnderstood;
            in.credentials = imported->credentials;
        } else {
            const Model::Diagnostics errors =
                loader.validateDocument(u"collections/"_s + info.fileName(), text);
            if (!errors.isEmpty()) {
                printDiagnostics(err, errors);
                err << tr("%1 is neither a valid collection document nor a Postman collection").arg(argument) << '\n';
                return false;
            }
            Result<Tester::Collection> collection = Tester::Collection::fromJson(json);
            if (!collection) {
                printError(err, collection.error());
                return false;
            }
            in.collection = *collection;
            if (projectFolder.isEmpty())
                projectFolder = projectOfFile(argument);
        }
    } else if (argument.endsWith(u".json"_s) || argument.contains(u'/')) {
        err << tr("%1: no such file").arg(argument) << '\n';
        return false;
    }
    if (!info.isFile() && projectFolder.isEmpty())
        projectFolder = QDir::currentPath();
    if (!projectFolder.isEmpty()) {
        const Model::LoadResult loaded = loader.loadFolder(projectFolder);
        if (!loaded.isOk()) {
            printDiagnostics(err, loaded.errors);
            err << tr("the project %1 is not valid").arg(projectFolder) << '\n';
            return false;
        }
        in.project = loaded.project;
        in.projectFolder = projectFolder;
    }
    if (!info.isFile()) {
        const Model::Document *document = in.project->document(Model::DocumentKind::Collection, argument);
        if (!document) {
            QStringList ids;
            for (const Model::Collection &c : in.project->collections)
                ids.append(c.document.id);
            err << tr("the project %1 has no collection \"%2\" (its collections: %3)")
                       .arg(projectFolder, argument, ids.isEmpty() ? tr("none") : ids.join(u", "_s))
                << '\n';
            return false;
        }
        Result<Tester::Collection> collection = Tester::Collection::fromJson(document->json);
        if (!collection) {
            printError(err, collection.error());
            return false;
        }
        in.collection = *collection;
    }
    return true;
}

// --env: an environment id of the project, an environments/<id>.json file, or a Postman
// environment file ({"values": [{"key", "value", "enabled"}]}).
bool readEnvironment(const QString &argument, Inputs &in, QTextStream &err)
{
    const QFileInfo info(argument);
    if (info.isFile()) {
        QFile file(argument);
        if (!file.open(QIODevice::ReadOnly)) {
            err << tr("%1: cannot read: %2").arg(argument, file.errorString()) << '\n';
            return false;
        }
        const QByteArray text = file.readAll();
        const QJsonObject json = QJsonDocument::fromJson(text).object();
        if (json.value(u"values"_s).isArray()) {
            Tester::Environment environment;
            environment.name = json.value(u"name"_s).toString(info.completeBaseName());
            const QJsonArray values = json.value(u"values"_s).toArray();
            for (const QJsonValue &v : values) {
                const QJsonObject o = v.toObject();
                if (o.value(u"enabled"_s).toBool(true))
                    environment.variables.append({o.value(u"key"_s).toString(),
                                                  Tester::Credential{{}, o.value(u"value"_s).toVariant().toString()}});
            }
            in.environment = environment;
            return true;
        }
        const Model::Diagnostics errors =
            Model::ProjectLoader().validateDocument(u"environments/"_s + info.fileName(), text);
        if (!errors.isEmpty()) {
            printDiagnostics(err, errors);
            return false;
        }
        Result<Tester::Environment> environment = Tester::Environment::fromJson(json);
        if (!environment) {
            printError(err, environment.error());
            return false;
        }
        in.environment = *environment;
        return true;
    }
    const Model::Document *document =
        in.project ? in.project->document(Model::DocumentKind::Environment, argument) : nullptr;
    if (!document) {
        QStringList ids;
        if (in.project) {
            for (const Model::Environment &e : in.project->environments)
                ids.append(e.document.id);
        }
        err << (in.project ? tr("the project has no environment \"%1\" (its environments: %2)")
                                 .arg(argument, ids.isEmpty() ? tr("none") : ids.join(u", "_s))
                           : tr("%1: no such file, and no project to find an environment of that id in (--project)")
                                 .arg(argument))
            << '\n';
        return false;
    }
    Result<Tester::Environment> environment = Tester::Environment::fromJson(document->json);
    if (!environment) {
        printError(err, environment.error());
        return false;
    }
    in.environment = *environment;
    return true;
}

void printResult(QTextStream &out, const Tester::RequestResult &r, bool curl)
{
    out << u"→ "_s << r.displayName() << '\n';
    if (r.request) {
        out << u"  "_s << QString::fromLatin1(r.request->method) << ' '
            << r.request->url.toDisplayString(QUrl::RemoveUserInfo);
    }
    if (r.response) {
        out << u" → %1 %2 (%3 ms, %4)"_s.arg(r.response->status)
                   .arg(QString::fromLatin1(r.response->reason))
                   .arg(r.response->elapsedMs)
                   .arg(humanSize(r.response->size));
    }
    if (r.request)
        out << '\n';
    if (curl && r.request) {
        Tester::CurlOptions options;
        options.maskSecrets = true;
        out << u"  $ "_s << Tester::toCurl(*r.request, options) << '\n';
    }
    if (r.error)
        out << u"  ✗ "_s << tr("error [%1]: %2").arg(r.error->code, r.error->toString()) << '\n';
    for (const Tester::AssertionResult &a : r.assertions) {
        if (a.passed)
            out << u"  ✓ "_s << a.name << '\n';
        else
            out << u"  ✗ "_s << a.name << u" — "_s << a.message << '\n';
    }
    out.flush();
}

} // namespace

QString TestCommand::summary() const
{
    return tr("Run a request collection (a project collection, a collections/*.json file or a Postman "
              "v2.1 file) and check its assertions.");
}

int TestCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"COLLECTION"_s, tr("A collection id of the project, a collections/<id>.json "
                                                     "file, or a Postman v2.1 collection file."));
    const QCommandLineOption envOption(u"env"_s, tr("An environment id of the project, an environment file, "
                                                    "or a Postman environment file."), u"ENV"_s);
    const QCommandLineOption varOption(u"var"_s, tr("A variable NAME=VALUE, used when neither the collection "
                                                    "nor the environment defines NAME (repeatable)."),
                                       u"NAME=VALUE"_s);
    const QCommandLineOption folderOption(u"folder"_s, tr("Run only this folder (\"a/b\" for a nested one)."),
                                          u"NAME"_s);
    const QCommandLineOption junitOption(u"junit"_s, tr("Write the results as JUnit XML to FILE."), u"FILE"_s);
    const QCommandLineOption projectOption(u"project"_s, tr("The project folder (default: the one a "
                                                            "collections/*.json file is in, else the "
                                                            "current folder)."),
                                           u"DIR"_s);
    const QCommandLineOption timeoutOption(u"timeout"_s, tr("Milliseconds each request may take (default 30000)."),
                                           u"MS"_s, u"30000"_s);
    const QCommandLineOption insecureOption(u"insecure"_s, tr("Do not verify servers' TLS certificates."));
    const QCommandLineOption credentialsOption(u"credentials"_s, tr("A folder of secret files (one per secret "
                                                                    "name); the environment's "
                                                                    "CONFLUX_SECRET_* variables are read too."),
                                               u"DIR"_s);
    const QCommandLineOption gatewayOption(u"gateway"_s, tr("A node's gateway address (http://127.0.0.1:8080): "
                                                            "requests that name a route are sent through it."),
                                           u"URL"_s);
    const QCommandLineOption curlOption(u"curl"_s, tr("Print each request as a curl command line "
                                                      "(credentials as *****)."));
    const QCommandLineOption caOption(u"ca-file"_s, tr("PEM CA certificates to trust beyond the system's."),
                                      u"FILE"_s);
    const QCommandLineOption certOption(u"cert"_s, tr("A PEM client certificate to present (with --key)."),
                                        u"FILE"_s);
    const QCommandLineOption keyOption(u"key"_s, tr("The PEM private key of --cert."), u"FILE"_s);
    const QCommandLineOption historyOption(u"history"_s, tr("Record the exchanges in the project's request "
                                                            "history (.conflux/history)."));
    parser.addOptions({envOption, varOption, folderOption, junitOption, projectOption, timeoutOption,
                       insecureOption, credentialsOption, gatewayOption, historyOption, caOption, certOption, curlOption,
                       keyOption});
    int exitCode = 0;
    if (!parse(parser, arguments, exitCode))
        return exitCode;
    if (parser.positionalArguments().size() != 1) {
        err() << tr("usage: conflux test COLLECTION [--env ENV] [--var NAME=VALUE ...] [--folder NAME] "
                    "[--junit FILE] [--project DIR] [--timeout MS] [--insecure]")
              << '\n';
        return kExitUsage;
    }
    bool timeoutOk = false;
    const int timeoutMs = parser.value(timeoutOption).toInt(&timeoutOk);
    if (!timeoutOk || timeoutMs <= 0) {
        err() << tr("--timeout: expected a positive number of milliseconds, not \"%1\"").arg(parser.value(timeoutOption))
              << '\n';
        return kExitUsage;
    }
    QList<std::pair<QString, QString>> extra;
    for (const QString &binding : parser.values(varOption)) {
        const qsizetype eq = binding.indexOf(u'=');
        if (eq <= 0) {
            err() << tr("--var %1: expected NAME=VALUE").arg(binding) << '\n';
            return kExitUsage;
        }
        extra.append({binding.left(eq), binding.mid(eq + 1)});
    }
    QUrl gateway;
    if (parser.isSet(gatewayOption)) {
        gateway = QUrl(parser.value(gatewayOption));
        if (!gateway.isValid() || (gateway.scheme() != u"http" && gateway.scheme() != u"https") || gateway.host().isEmpty()) {
            err() << tr("--gateway: \"%1\" is not an http(s) URL").arg(parser.value(gatewayOption)) << '\n';
            return kExitUsage;
        }
    }

    // TLS as the HTTP connectors configure it (configuration.tls of an endpoint).
    QSslConfiguration tls;
    if (parser.isSet(certOption) != parser.isSet(keyOption)) {
        err() << tr("--cert and --key go together") << '\n';
        return kExitUsage;
    }
    if (parser.isSet(certOption)) {
        Result<QSslConfiguration> client = Connectors::HttpClientOptions::clientCertificate(
            parser.value(certOption), parser.value(keyOption), {}, parser.value(caOption));
        if (!client) {
            printError(err(), client.error());
            return kExitUsage;
        }
        tls = *client;
    } else if (parser.isSet(caOption)) {
        const QList<QSslCertificate> cas = QSslCertificate::fromPath(parser.value(caOption), QSsl::Pem);
        if (cas.isEmpty()) {
            err() << tr("--ca-file %1: no PEM certificate could be read").arg(parser.value(caOption)) << '\n';
            return kExitUsage;
        }
        tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(cas);
    }

    Inputs in;
    if (!readCollection(parser.positionalArguments().constFirst(), parser.value(projectOption), in, err()))
        return kExitUsage;
    if (parser.isSet(envOption) && !readEnvironment(parser.value(envOption), in, err()))
        return kExitUsage;
    for (const QString &note : std::as_const(in.notes))
        err() << tr("note: %1").arg(note) << '\n';

    std::unique_ptr<Tester::History> history;
    if (parser.isSet(historyOption)) {
        if (in.projectFolder.isEmpty()) {
            err() << tr("--history needs a project (--project DIR)") << '\n';
            return kExitUsage;
        }
        history = std::make_unique<Tester::History>(in.projectFolder);
    }

    Tester::RunOptions options;
    options.folder = parser.value(folderOption);
    options.execute.timeoutMs = timeoutMs;
    options.execute.insecure = parser.isSet(insecureOption);
    options.execute.tls = tls;
    options.project = in.project;
    options.gatewayUrl = gateway;
    options.environment = in.environment;
    // A Postman file's literal credentials, now {{variables}}: after --var, which can replace them.
    options.extraVariables = extra + in.credentials;
    options.secrets = Security::nodeSecretResolver(parser.value(credentialsOption));
    options.history = history.get();

    Tester::CollectionRunner runner;
    QEventLoop loop;
    QObject::connect(&runner, &Tester::CollectionRunner::requestFinished, &runner,
                     [curl = parser.isSet(curlOption)](int, const Tester::RequestResult &result) {
                         printResult(out(), result, curl);
                     });
    QObject::connect(&runner, &Tester::CollectionRunner::finished, &loop, &QEventLoop::quit);
    if (Result<void> started = runner.start(in.collection, options); !started) {
        printError(err(), started.error());
        return kExitUsage;
    }
    // The handler only sets a flag; the runner is cancelled from its own thread.
    cancelOnSignals();
    QTimer interruptPoll;
    QObject::connect(&interruptPoll, &QTimer::timeout, &runner, [&runner] {
        if (g_interrupted.load(std::memory_order_relaxed))
            runner.cancel();
    });
    interruptPoll.start(100);
    loop.exec();
    interruptPoll.stop();

    const Tester::RunReport &report = runner.report();
    int assertions = 0;
    int failedAssertions = 0;
    for (const Tester::RequestResult &r : report.results) {
        for (const Tester::AssertionResult &a : r.assertions) {
            ++assertions;
            failedAssertions += a.passed ? 0 : 1;
        }
    }
    const int failed = report.failedCount();
    out() << '\n'
          << tr("%1: %2 requests, %3 failed; %4 assertions, %5 failed (%6 ms)")
                 .arg(report.collectionName)
                 .arg(report.results.size())
                 .arg(failed)
                 .arg(assertions)
                 .arg(failedAssertions)
                 .arg(report.elapsedMs)
          << (report.cancelled ? tr(" — cancelled") : QString()) << '\n';
    out().flush();

    if (parser.isSet(junitOption)) {
        QSaveFile file(parser.value(junitOption));
        if (!file.open(QIODevice::WriteOnly) || file.write(Tester::toJUnitXml(report)) < 0 || !file.commit()) {
            err() << tr("%1: cannot write the JUnit report: %2").arg(parser.value(junitOption), file.errorString())
                  << '\n';
            return kExitFailed;
        }
    }
    return report.passed() ? 0 : kExitFailed;
}

} // namespace Conflux::Cli
