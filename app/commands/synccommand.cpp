#include "synccommand.h"

#include "connectors/connector.h"
#include "data/json.h"
#include "model/project.h"
#include "model/projectloader.h"
#include "runtime/projectendpoints.h"
#include "runtime/syncjobs.h"
#include "runtime/syncjson.h"
#include "security/secrets.h"
#include "store/statestore.h"
#include "sync/syncrunner.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostInfo>
#include <QScopeGuard>
#include <QThread>
#include <csignal>

using namespace Qt::StringLiterals;

namespace Conflux::Cli {

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitBusy = 3;
constexpr int kStatusRuns = 5; // runs `sync status` shows per job
constexpr int kCountLimit = 10'000; // conflicts and rejects `sync status` counts at most

QString tr(const char *text)
{
    return QCoreApplication::translate("Cli", text);
}

// The run in progress, cancelled by SIGINT/SIGTERM. A second signal ends the process the
// default way (the handler is reset after the first).
Connectors::CancelToken *g_cancel = nullptr;

void onSignal(int signal)
{
    if (g_cancel)
        g_cancel->cancel(); // an atomic store: safe in a signal handler
    ::signal(signal, SIG_DFL);
}

void cancelOnSignals(Connectors::CancelToken *token)
{
    g_cancel = token;
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

void printError(QTextStream &err, const QString &where, const Error &error)
{
    err << u"%1: [%2] %3"_s.arg(where, error.code, error.message) << '\n';
    for (const QString &detail : error.details)
        err << u"  "_s << detail << '\n';
}

QString compact(const Data::Value &value)
{
    return QString::fromUtf8(Data::Json::serialize(value));
}

void printJson(QTextStream &out, const Data::Value &value)
{
    out << compact(value) << '\n';
}

QString countsLine(const Data::Value &run)
{
    return tr("read %1  written %2  skipped %3  rejected %4  conflicts %5  deleted %6")
        .arg(run[u"read"].toInt64())
        .arg(run[u"written"].toInt64())
        .arg(run[u"skipped"].toInt64())
        .arg(run[u"rejected"].toInt64())
        .arg(run[u"conflicts"].toInt64())
        .arg(run[u"deleted"].toInt64());
}

// "#12  succeeded  manual  2024-05-01T10:00:00.000Z  read 3  written 3 ..."
QString runLine(const Data::Value &run)
{
    return u"#%1  %2  %3  %4  %5"_s.arg(run[u"id"].toInt64())
        .arg(run[u"status"].toString(), run[u"trigger"].toString(), run[u"started_at"].toString(),
             countsLine(run));
}

void printRunErrors(QTextStream &out, const Data::Value &run, const QString &indent)
{
    for (const Data::Value &error : run[u"errors"].toArray()) {
        out << indent
            << tr("error: [%1] %2").arg(error[u"code"].toString(), error[u"message"].toString())
            << '\n';
        for (const Data::Value &detail : error[u"details"].toArray())
            out << indent << u"  "_s << detail.toString() << '\n';
    }
}

// What a person calls themselves here: who resolved a conflict from the command line.
QString cliActor(const QString &node)
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("LOGNAME");
    return user.isEmpty() ? node : u"cli:"_s + user;
}

// A project's jobs with the store and connectors they run with. Members are destroyed in
// reverse order: the jobs (whose runners point at the store and the endpoints) first.
struct Workspace
{
    std::shared_ptr<const Model::Project> project;
    std::unique_ptr<Store::StateStore> store;
    std::unique_ptr<Runtime::ProjectEndpoints> endpoints;
    std::shared_ptr<const Runtime::SyncJobs> jobs;
};

// What the actions work with.
struct Session
{
    QTextStream &out;
    QTextStream &err;
    const Runtime::SyncJobs &jobs;
    Store::StateStore &store;
    bool json = false;
};

int listJobs(const Session &s)
{
    Data::Array list;
    for (const QString &id : s.jobs.ids()) {
        Result<Data::Value> job = Runtime::syncJobToValue(s.jobs, id, s.store);
        if (!job) {
            printError(s.err, id, job.error());
            return kExitFailed;
        }
        if (s.json) {
            list.push_back(std::move(*job));
            continue;
        }
        const Data::Value &j = *job;
        QString line = u"%1  %2  %3 -> %4  %5"_s.arg(
            id, j[u"strategy"].toString(), j[u"source_endpoint"].toString(),
            j[u"target_endpoint"].toString(), j[u"write_mode"].toString());
        if (j[u"error"].isObject())
            line += u"  "_s
                + tr("error: [%1] %2")
                      .arg(j[u"error"][u"code"].toString(), j[u"error"][u"message"].toString());
        else if (j[u"last_run"].isObject())
            line += u"  "_s
                + tr("last run: %1 (#%2, %3)")
                      .arg(j[u"last_run"][u"status"].toString())
                      .arg(j[u"last_run"][u"id"].toInt64())
                      .arg(j[u"last_run"][u"started_at"].toString());
        else
            line += u"  "_s + tr("never run");
        s.out << line << '\n';
    }
    if (s.json)
        printJson(s.out, Data::Value(Data::Object {{u"jobs"_s, Data::Value(std::move(list))}}));
    else if (s.jobs.ids().isEmpty())
        s.out << tr("the project has no sync jobs") << '\n';
    return 0;
}

int showStatus(const Session &s, const QString &target)
{
    const QStringList ids = target.isEmpty() ? s.jobs.ids() : QStringList {target};
    Data::Array list;
    for (const QString &id : ids) {
        Result<Data::Value> job = Runtime::syncJobToValue(s.jobs, id, s.store);
        Result<QList<Store::SyncRunRecord>> runs = job
            ? s.store.syncRuns(id, kStatusRuns)
            : Result<QList<Store::SyncRunRecord>>(job.error());
        Result<QList<Store::SyncConflict>> open = runs
            ? s.store.syncConflicts(id, u"open"_s, kCountLimit)
            : Result<QList<Store::SyncConflict>>(runs.error());
        Result<QList<Store::SyncReject>> rejected = open
            ? s.store.syncRejects(id, 0, kCountLimit)
            : Result<QList<Store::SyncReject>>(open.error());
        if (!rejected) {
            printError(s.err, id, rejected.error());
            return kExitFailed;
        }
        Data::Value item = std::move(*job);
        Data::Array runList;
        for (const Store::SyncRunRecord &run : std::as_const(*runs))
            runList.push_back(Runtime::syncRunToValue(run));
        item.mutableObject().insert(u"runs"_s, Data::Value(std::move(runList)));
        item.mutableObject().insert(u"open_conflicts"_s, Data::Value(qint64(open->size())));
        item.mutableObject().insert(u"rejects"_s, Data::Value(qint64(rejected->size())));
        if (s.json) {
            list.push_back(std::move(item));
            continue;
        }
        const auto atLeast = [](qsizetype n) {
            return n >= kCountLimit ? QString::number(n) + u'+' : QString::number(n);
        };
        s.out << u"%1  %2  %3 -> %4"_s.arg(id, item[u"strategy"].toString(),
                                           item[u"source_endpoint"].toString(),
                                           item[u"target_endpoint"].toString())
              << '\n';
        if (item[u"error"].isObject())
            s.out << u"  "_s
                  << tr("error: [%1] %2")
                         .arg(item[u"error"][u"code"].toString(),
                              item[u"error"][u"message"].toString())
                  << '\n';
        s.out << u"  "_s
              << (item[u"lease_holder"].isString()
                      ? tr("lease: held by %1").arg(item[u"lease_holder"].toString())
                      : tr("lease: free"))
              << '\n';
        s.out << u"  "_s
              << (item.toObject().contains(u"checkpoint")
                      ? tr("checkpoint: %1").arg(compact(item[u"checkpoint"]))
                      : tr("checkpoint: none"))
              << '\n';
        s.out << u"  "_s
              << tr("open conflicts: %1  rejects: %2")
                     .arg(atLeast(open->size()), atLeast(rejected->size()))
              << '\n';
        if (item[u"runs"].toArray().empty())
            s.out << u"  "_s << tr("runs: none") << '\n';
        else
            s.out << u"  "_s << tr("runs:") << '\n';
        for (const Data::Value &run : item[u"runs"].toArray())
            s.out << u"    "_s << runLine(run) << '\n';
    }
    if (s.json)
        printJson(s.out, Data::Value(Data::Object {{u"jobs"_s, Data::Value(std::move(list))}}));
    return 0;
}

int listRuns(const Session &s, const QString &target, int limit)
{
    Result<QList<Store::SyncRunRecord>> runs = s.store.syncRuns(target, limit);
    if (!runs) {
        printError(s.err, target, runs.error());
        return kExitFailed;
    }
    Data::Array list;
    for (const Store::SyncRunRecord &run : std::as_const(*runs)) {
        Data::Value value = Runtime::syncRunToValue(run);
        if (!s.json) {
            s.out << runLine(value) << '\n';
            printRunErrors(s.out, value, u"  "_s);
        }
        list.push_back(std::move(value));
    }
    if (s.json)
        printJson(s.out, Data::Value(Data::Object {{u"runs"_s, Data::Value(std::move(list))}}));
    else if (runs->isEmpty())
        s.out << tr("%1: no runs").arg(target) << '\n';
    return 0;
}

int listConflicts(const Session &s, const QString &target, const QString &status, int limit)
{
    Result<QList<Store::SyncConflict>> conflicts = s.store.syncConflicts(target, status, limit);
    if (!conflicts) {
        printError(s.err, target, conflicts.error());
        return kExitFailed;
    }
    Data::Array list;
    for (const Store::SyncConflict &conflict : std::as_const(*conflicts)) {
        Data::Value value = Runtime::syncConflictToValue(conflict);
        if (!s.json) {
            QString line
                = u"#%1  %2  key %3  %4"_s.arg(conflict.id)
                      .arg(conflict.status, conflict.key, value[u"detected_at"].toString());
            if (conflict.runId > 0)
                line += u"  "_s + tr("run %1").arg(conflict.runId);
            if (conflict.status == u"resolved")
                line += u"  "_s
                    + tr("resolved: %1 by %2").arg(conflict.resolution, conflict.resolvedBy);
            s.out << line << '\n'
                  << u"  source: "_s << compact(value[u"source_record"]) << '\n'
                  << u"  target: "_s << compact(value[u"target_record"]) << '\n';
        }
        list.push_back(std::move(value));
    }
    if (s.json)
        printJson(s.out,
                  Data::Value(Data::Object {{u"conflicts"_s, Data::Value(std::move(list))}}));
    else if (conflicts->isEmpty())
        s.out << tr("%1: no conflicts").arg(target) << '\n';
    return 0;
}

int listRejects(const Session &s, const QString &target, qint64 runId, int limit)
{
    Result<QList<Store::SyncReject>> rejects = s.store.syncRejects(target, runId, limit);
    if (!rejects) {
        printError(s.err, target, rejects.error());
        return kExitFailed;
    }
    Data::Array list;
    for (const Store::SyncReject &reject : std::as_const(*rejects)) {
        Data::Value value = Runtime::syncRejectToValue(reject);
        if (!s.json) {
            QStringList reasons;
            for (const Data::Value &reason : value[u"reasons"].toArray())
                reasons.append(reason.toString());
            s.out << u"#%1  "_s.arg(reject.id) << tr("run %1").arg(reject.runId) << u"  "_s
                  << (reject.key.isEmpty() ? tr("no key") : tr("key %1").arg(reject.key)) << u"  "_s
                  << value[u"at"].toString() << '\n'
                  << u"  "_s << tr("reasons: %1").arg(reasons.join(u"; "_s)) << '\n'
                  << u"  "_s << tr("record: %1").arg(compact(value[u"record"])) << '\n';
        }
        list.push_back(std::move(value));
    }
    if (s.json)
        printJson(s.out, Data::Value(Data::Object {{u"rejects"_s, Data::Value(std::move(list))}}));
    else if (rejects->isEmpty())
        s.out << tr("%1: no rejected records").arg(target) << '\n';
    return 0;
}

int resolveConflict(const Session &s, const QString &target, qint64 conflictId,
                    const QString &resolution, const Data::Value &customRecord,
                    const QString &actor)
{
    Result<std::optional<Store::SyncConflict>> found = s.store.syncConflict(conflictId);
    if (!found) {
        printError(s.err, target, found.error());
        return kExitFailed;
    }
    if (!*found) {
        printError(s.err, target,
                   makeError("sync_conflict_not_found",
                             tr("there is no sync conflict %1").arg(conflictId)));
        return kExitFailed;
    }
    if ((*found)->status != u"open") {
        printError(s.err, target,
                   makeError("sync_conflict_resolved",
                             tr("conflict %1 was resolved already (%2, by %3)")
                                 .arg(QString::number(conflictId), (*found)->resolution,
                                      (*found)->resolvedBy)));
        return kExitFailed;
    }
    Result<std::unique_ptr<Sync::SyncRunner>> runner = s.jobs.runner((*found)->jobId);
    if (!runner) {
        printError(s.err, (*found)->jobId, runner.error());
        return kExitFailed;
    }
    Result<void> resolved = (*runner)->resolveConflict(conflictId, resolution, customRecord, actor);
    if (!resolved) {
        printError(s.err, target, resolved.error());
        return kExitFailed;
    }
    Result<std::optional<Store::SyncConflict>> after = s.store.syncConflict(conflictId);
    if (s.json && after && *after)
        printJson(s.out, Runtime::syncConflictToValue(**after));
    else
        s.out << tr("conflict %1 of %2 (key %3) resolved: %4")
                     .arg(target, (*found)->jobId, (*found)->key, resolution)
              << '\n';
    return 0;
}

int reconcileJob(const Session &s, Sync::SyncRunner &runner, const QString &target,
                 const Connectors::CancelToken &cancel)
{
    Result<Sync::Reconciliation> r = runner.reconcile(&cancel, true);
    if (!r) {
        printError(s.err, target, r.error());
        return kExitFailed;
    }
    const bool complete = r->accuracy() >= 1.0;
    if (s.json) {
        printJson(s.out, r->toValue());
        return complete ? 0 : kExitFailed;
    }
    s.out << tr("%1: source %2 records, target %3")
                 .arg(target)
                 .arg(r->sourceRecords)
                 .arg(r->targetRecords)
          << '\n'
          << tr("matched %1  missing %2  extra %3  different %4  duplicates %5  rejected %6")
                 .arg(r->matched)
                 .arg(r->missing)
                 .arg(r->extra)
                 .arg(r->different)
                 .arg(r->duplicates)
                 .arg(r->rejected)
          << '\n'
          << tr("accuracy %1%").arg(r->toValue()[u"accuracy_percent"].toDouble()) << '\n';
    if (!r->missingKeys.isEmpty())
        s.out << tr("missing keys: %1").arg(r->missingKeys.join(u", "_s)) << '\n';
    if (!r->extraKeys.isEmpty())
        s.out << tr("extra keys: %1").arg(r->extraKeys.join(u", "_s)) << '\n';
    if (!r->differentKeys.isEmpty())
        s.out << tr("different keys: %1").arg(r->differentKeys.join(u", "_s)) << '\n';
    return complete ? 0 : kExitFailed;
}

int runJob(const Session &s, Sync::SyncRunner &runner, const QString &target, bool full,
           double waitLeaseSeconds, const Connectors::CancelToken &cancel)
{
    Sync::SyncRunOptions runOptions;
    runOptions.trigger = u"manual"_s;
    runOptions.cancel = &cancel;
    runOptions.fullResync = full;
    QElapsedTimer waited;
    waited.start();
    Result<Sync::SyncRunResult> result = runner.run(runOptions);
    while (!result && result.error().code == u"sync_busy"
           && waited.elapsed() < qint64(waitLeaseSeconds * 1000) && !cancel.isCancelled()) {
        QThread::msleep(250);
        if (!cancel.isCancelled())
            result = runner.run(runOptions);
    }
    if (!result && cancel.isCancelled()) {
        s.err << tr("%1: cancelled while waiting for the job's lease: %2")
                     .arg(target, result.error().message)
              << '\n';
        return kExitFailed;
    }
    if (!result) {
        if (result.error().code == u"sync_busy") {
            printError(s.err, target, result.error());
            return kExitBusy;
        }
        printError(s.err, target, result.error());
        return kExitFailed;
    }
    const Data::Value run = Runtime::syncRunToValue(result->run);
    const bool succeeded = result->run.status == u"succeeded";
    if (s.json) {
        printJson(s.out, run);
        return succeeded ? 0 : kExitFailed;
    }
    s.out << tr("%1: run #%2 %3").arg(target).arg(result->run.id).arg(result->run.status);
    if (run[u"duration_ms"].isNumber())
        s.out << tr(" in %1 ms").arg(run[u"duration_ms"].toInt64());
    s.out << '\n' << u"  "_s << countsLine(run) << '\n';
    if (!run[u"checkpoint_after"].isNull())
        s.out << u"  "_s << tr("checkpoint: %1").arg(compact(run[u"checkpoint_after"])) << '\n';
    printRunErrors(s.out, run, u"  "_s);
    return succeeded ? 0 : kExitFailed;
}

} // namespace

QString SyncCommand::summary() const
{
    return tr("Run and inspect the sync jobs of a project (list | run JOB | status | reconcile JOB "
              "| runs | "
              "conflicts | resolve ID | rejects).");
}

int SyncCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(
        u"ACTION"_s, tr("list, run, status, reconcile, runs, conflicts, resolve or rejects."));
    parser.addPositionalArgument(u"JOB"_s, tr("The sync job's id (resolve: the conflict's id)."),
                                 u"[JOB]"_s);
    const QCommandLineOption projectOption(
        u"project"_s, tr("The project folder (default: the current folder)."), u"DIR"_s, u"."_s);
    const QCommandLineOption dataOption(
        u"data"_s,
        tr("The node data folder whose state store to use (default, as `conflux run`: %1).")
            .arg(defaultDataFolder()),
        u"DIR"_s, defaultDataFolder());
    const QCommandLineOption storeOption(
        {u"store-url"_s, u"store"_s},
        tr("PostgreSQL state store: postgres://USER@HOST:PORT/DB[?schema=NAME] "
           "(as the node's --store)."),
        u"URL"_s);
    const QCommandLineOption nodeOption(
        u"node"_s, tr("The name runs and leases are recorded under (default: cli@<host>)."),
        u"NAME"_s);
    const QCommandLineOption leaseTtlOption(
        u"lease-ttl"_s, tr("run: the job's lease lasts this long unless renewed (default 60)."),
        u"SECONDS"_s, u"60"_s);
    const QCommandLineOption waitLeaseOption(
        u"wait-lease"_s,
        tr("run: while another holder has the job's lease, retry every 250 ms for up to this long "
           "(default 0)."),
        u"SECONDS"_s, u"0"_s);
    const QCommandLineOption credentialsOption(
        u"credentials"_s,
        tr("A folder of secret files (one file per secret name); the environment's "
           "CONFLUX_SECRET_<NAME> variables are read either way."),
        u"DIR"_s);
    const QCommandLineOption fullOption(
        u"full"_s, tr("run: ignore the checkpoint and the row hashes; read everything."));
    const QCommandLineOption limitOption(
        u"limit"_s, tr("runs, conflicts, rejects: at most N (default 20)."), u"N"_s, u"20"_s);
    const QCommandLineOption statusOption(u"status"_s, tr("conflicts: only open or resolved ones."),
                                          u"STATUS"_s);
    const QCommandLineOption asOption(u"as"_s, tr("resolve: source, target or custom."),
                                      u"RESOLUTION"_s);
    const QCommandLineOption recordOption(
        u"record"_s, tr("resolve --as custom: a JSON file with the record to write (- for stdin)."),
        u"FILE"_s);
    const QCommandLineOption runOption(u"run"_s, tr("rejects: only those of this run."), u"ID"_s);
    const QCommandLineOption jsonOption(u"json"_s, tr("Print JSON, as the admin API answers."));
    parser.addOptions({projectOption, dataOption, storeOption, nodeOption, leaseTtlOption,
                       waitLeaseOption, credentialsOption, fullOption, limitOption, statusOption,
                       asOption, recordOption, runOption, jsonOption});
    int exitCode = 0;
    if (!parse(parser, arguments, exitCode))
        return exitCode;

    // --- usage
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0);
    const QString target = positional.value(1);
    const QStringList withJob
        = {u"run"_s, u"reconcile"_s, u"runs"_s, u"conflicts"_s, u"resolve"_s, u"rejects"_s};
    const bool known = action == u"list" || action == u"status" || withJob.contains(action);
    const int expected = action == u"list" ? 1
        : action == u"status"              ? (positional.size() == 2 ? 2 : 1)
                                           : 2;
    if (!known || positional.size() != expected) {
        err() << tr("usage: conflux sync list | run JOB [--full] | status [JOB] | reconcile JOB | "
                    "runs JOB | "
                    "conflicts JOB | resolve ID --as source|target|custom | rejects JOB  "
                    "[--project DIR] [--data DIR]")
              << '\n';
        return kExitUsage;
    }
    bool ok = false;
    const int limit = parser.value(limitOption).toInt(&ok);
    if (!ok || limit < 1 || limit > 100'000) {
        err() << tr("--limit must be a whole number from 1 to 100000") << '\n';
        return kExitUsage;
    }
    const qint64 leaseTtlSeconds = parser.value(leaseTtlOption).toLongLong(&ok);
    if (!ok || leaseTtlSeconds < 1 || leaseTtlSeconds > 86'400) {
        err() << tr("--lease-ttl must be a whole number of seconds from 1 to 86400") << '\n';
        return kExitUsage;
    }
    const double waitLeaseSeconds = parser.value(waitLeaseOption).toDouble(&ok);
    if (!ok || waitLeaseSeconds < 0 || waitLeaseSeconds > 86'400) {
        err() << tr("--wait-lease must be a number of seconds from 0 to 86400") << '\n';
        return kExitUsage;
    }
    const QString status = parser.value(statusOption);
    if (!status.isEmpty() && status != u"open" && status != u"resolved") {
        err() << tr("--status must be open or resolved") << '\n';
        return kExitUsage;
    }
    qint64 runId = 0;
    if (parser.isSet(runOption)) {
        runId = parser.value(runOption).toLongLong(&ok);
        if (!ok || runId < 1) {
            err() << tr("--run must be a run id (a positive whole number)") << '\n';
            return kExitUsage;
        }
    }
    qint64 conflictId = 0;
    const QString resolution = parser.value(asOption);
    if (action == u"resolve") {
        conflictId = target.toLongLong(&ok);
        if (!ok || conflictId < 1) {
            err() << tr("conflux sync resolve needs a conflict id (a positive whole number; "
                        "`conflux sync conflicts JOB` "
                        "lists them), not \"%1\"")
                         .arg(target)
                  << '\n';
            return kExitUsage;
        }
        if (resolution != u"source" && resolution != u"target" && resolution != u"custom") {
            err() << tr("conflux sync resolve needs --as source, --as target or --as custom")
                  << '\n';
            return kExitUsage;
        }
        if ((resolution == u"custom") != parser.isSet(recordOption)) {
            err() << tr("--record FILE goes with --as custom, and only with it") << '\n';
            return kExitUsage;
        }
    }
    const bool json = parser.isSet(jsonOption);
    const QString node = parser.isSet(nodeOption) ? parser.value(nodeOption)
                                                  : u"cli@"_s + QHostInfo::localHostName();
    if (node.trimmed().isEmpty()) {
        err() << tr("--node must not be empty") << '\n';
        return kExitUsage;
    }

    // A custom record is read before anything is opened: a bad file changes nothing.
    Data::Value customRecord;
    if (resolution == u"custom") {
        const QString path = parser.value(recordOption);
        QFile file(path);
        const bool opened
            = path == u"-" ? file.open(stdin, QIODevice::ReadOnly) : file.open(QIODevice::ReadOnly);
        if (!opened) {
            err() << tr("%1: cannot read the record: %2").arg(path, file.errorString()) << '\n';
            return kExitFailed;
        }
        Result<Data::Value> parsed = Data::Json::parse(file.readAll());
        if (!parsed) {
            printError(err(), path, parsed.error());
            return kExitFailed;
        }
        if (!parsed->isObject()) {
            err() << tr("%1: the record must be a JSON object, not %2")
                         .arg(path, QLatin1StringView(parsed->typeName()))
                  << '\n';
            return kExitFailed;
        }
        customRecord = std::move(*parsed);
    }

    // --- the project, the store, the connectors, the jobs
    Workspace ws;
    const QString folder = parser.value(projectOption);
    const Model::LoadResult loaded = Model::ProjectLoader().loadFolder(folder);
    if (!loaded.isOk()) {
        for (const Model::Diagnostic &d : loaded.errors)
            err() << d.toString() << '\n';
        err() << tr("%1 is not a valid project; `conflux validate %1` explains").arg(folder)
              << '\n';
        return kExitFailed;
    }
    ws.project = loaded.project;
    ws.store = openNodeStore(parser.value(dataOption), parser.value(storeOption), err());
    if (!ws.store)
        return kExitFailed;
    Connectors::ConnectorContext context;
    context.secrets = Security::nodeSecretResolver(parser.value(credentialsOption));
    context.baseDirectory = QDir(folder).absolutePath();
    // No node runs here: conflux_broker endpoints need one.
    Result<std::unique_ptr<Runtime::ProjectEndpoints>> endpoints
        = Runtime::ProjectEndpoints::create(nullptr, context);
    if (!endpoints) {
        printError(err(), folder, endpoints.error());
        return kExitFailed;
    }
    ws.endpoints = std::move(*endpoints);
    Runtime::SyncJobsOptions options;
    options.store = ws.store.get();
    options.endpoints = ws.endpoints.get();
    options.node = node;
    options.projectFolder = QDir(folder).absolutePath();
    options.leaseTtlMs = leaseTtlSeconds * 1000;
    ws.jobs = Runtime::SyncJobs::create(ws.project, options);
    const Runtime::SyncJobs &jobs = *ws.jobs;
    const Session session {out(), err(), jobs, *ws.store, json};
    // The store keeps the history of jobs the project no longer has: shown, with a note.
    if ((action == u"runs" || action == u"conflicts" || action == u"rejects")
        && !jobs.ids().contains(target))
        err() << tr("note: the project has no sync job \"%1\"; showing what the store has of it")
                     .arg(target)
              << '\n';

    if (action == u"list")
        return listJobs(session);
    if (action == u"status")
        return showStatus(session, target);
    if (action == u"runs")
        return listRuns(session, target, limit);
    if (action == u"conflicts")
        return listConflicts(session, target, status, limit);
    if (action == u"rejects")
        return listRejects(session, target, runId, limit);
    if (action == u"resolve")
        return resolveConflict(session, target, conflictId, resolution, customRecord,
                               cliActor(node));

    // run, reconcile: a job of the project; SIGINT and SIGTERM cancel them.
    Result<std::unique_ptr<Sync::SyncRunner>> runner = jobs.runner(target);
    if (!runner) {
        printError(err(), target, runner.error());
        return kExitFailed;
    }
    Connectors::CancelToken cancel;
    cancelOnSignals(&cancel);
    const auto restoreSignals = qScopeGuard([] {
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        g_cancel = nullptr;
    });
    if (action == u"reconcile")
        return reconcileJob(session, **runner, target, cancel);
    return runJob(session, **runner, target, parser.isSet(fullOption), waitLeaseSeconds, cancel);
}

} // namespace Conflux::Cli
