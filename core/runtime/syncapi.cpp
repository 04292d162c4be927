#include "syncapi.h"

#include "apihelpers_p.h"
#include "base/log.h"
#include "data/json.h"
#include "projectendpoints.h"
#include "store/statestore.h"
#include "syncjobs.h"
#include "syncjson.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonObject>
#include <QScopeGuard>
#include <QThread>
#include <algorithm>

using namespace Qt::StringLiterals;
using Conflux::Http::HttpRequest;
using Conflux::Http::HttpResponder;
using Conflux::Http::HttpResponse;

namespace Conflux::Runtime {

using namespace Internal;

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Runtime::SyncApi)
};

constexpr QStringView kPrefix = u"/api/v1/sync";
constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;
constexpr int kDefaultChangesWait = 30; // seconds a delivery of changes waits for a running job
constexpr int kMaxChangesWait = 300;

enum class Action : quint8 {
    ListJobs,
    Job,
    Run,
    Changes,
    Reconcile,
    ResolveAll,
    PurgeRejects,
    Runs,
    OneRun,
    Conflicts,
    OneConflict,
    Resolve,
    Rejects
};

// The status of a failed call (see the class comment).
int statusFor(const Error &error)
{
    const QString &code = error.code;
    if (code == u"sync_job_not_found" || code == u"sync_run_not_found"
        || code == u"sync_conflict_not_found" || code == u"store_not_found")
        return 404;
    if (code == u"invalid_request" || code == u"sync_invalid_conflict")
        return 400;
    if (code == u"sync_busy" || code == u"sync_conflict_resolved"
        || code == u"store_invalid_argument" || code == u"sync_unsupported"
        || code == u"invalid_sync_job" || code == u"mapping_not_found"
        || code == u"endpoint_not_found" || code == u"invalid_endpoint"
        || code == u"secret_unavailable" || code == u"secret_not_found"
        || code == u"connector_unavailable" || code == u"invalid_catalog")
        return 409;
    if (code.startsWith(u"store_"))
        return 500;
    if (code == u"timeout")
        return 504;
    if (code == u"cancelled")
        return 503;
    return 502;
}

HttpResponse failure(const Error &error)
{
    return HttpResponse::error(statusFor(error), error);
}

// A job that is in the project but cannot make a runner (its document or mapping is wrong)
// cannot do what is asked: 409, whatever its own error code.
HttpResponse jobFailure(const Error &error)
{
    return HttpResponse::error(error.code == u"sync_job_not_found" ? 404 : 409, error);
}

Error badRequest(const QString &message)
{
    return makeError("invalid_request", message);
}

Result<int> limitParameter(const HttpRequest &request)
{
    if (!request.query.hasQueryItem(u"limit"_s))
        return kDefaultLimit;
    bool ok = false;
    const int limit = request.query.queryItemValue(u"limit"_s).toInt(&ok);
    if (!ok || limit < 1 || limit > kMaxLimit)
        return badParameter(u"limit"_s, u"a whole number from 1 to %1"_s.arg(kMaxLimit));
    return limit;
}

// A positive id: from the path (`what` names it) or a query parameter.
std::optional<qint64> positiveId(const QString &text)
{
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    if (!ok || id < 1)
        return std::nullopt;
    return id;
}

// The request body as a JSON object; an empty body is an empty object.
Result<Data::Object> bodyObject(const HttpRequest &request, const QStringList &members)
{
    if (request.body.trimmed().isEmpty())
        return Data::Object();
    Result<Data::Value> parsed = Data::Json::parse(request.body);
    if (!parsed)
        return badRequest(Tr::tr("the body is not JSON: %1").arg(parsed.error().message));
    if (!parsed->isObject())
        return badRequest(Tr::tr("the body must be a JSON object, not %1")
                              .arg(QLatin1StringView(parsed->typeName())));
    for (const auto &[name, value] : parsed->toObject().members()) {
        if (!members.contains(name))
            return badRequest(Tr::tr("body member \"%1\" is unknown; expected %2")
                                  .arg(name, members.join(u", "_s)));
    }
    return parsed->toObject();
}

// 200 {"<name>": [item, ...]} from a store listing, or the listing's failure.
template<typename Item, typename ToValue>
HttpResponse listResponse(const Result<QList<Item>> &list, const QString &name, ToValue toValue)
{
    if (!list)
        return failure(list.error());
    Data::Array out;
    out.reserve(size_t(list->size()));
    for (const Item &item : *list)
        out.push_back(toValue(item));
    return jsonResponse(200, Data::Value(Data::Object {{name, Data::Value(std::move(out))}}));
}

QString actorOrDefault(const QString &actor)
{
    return actor.isEmpty() ? u"admin-api"_s : actor;
}

} // namespace

struct SyncApi::Route
{
    Action action = Action::ListJobs;
    QString id;
    QString label;
};

SyncApi::SyncApi(Store::StateStore &store, JobsSource jobs, QString node)
    : m_store(store)
    , m_jobs(std::move(jobs))
    , m_node(std::move(node))
{
    // The store keeps one connection per thread: threads that never expire keep theirs.
    m_pool.setMaxThreadCount(4);
    m_pool.setExpiryTimeout(-1);
    m_pool.setObjectName(u"conflux-sync-api"_s);
    m_runs.setMaxThreadCount(4);
    m_runs.setExpiryTimeout(-1);
    m_runs.setObjectName(u"conflux-sync-runs"_s);
}

SyncApi::~SyncApi()
{
    m_cancel.cancel();
    m_pool.waitForDone();
    m_runs.waitForDone();
}

bool SyncApi::handles(const QString &path)
{
    return path == kPrefix
        || (path.startsWith(kPrefix) && path.size() > kPrefix.size()
            && path[kPrefix.size()] == u'/');
}

void SyncApi::cancelRuns()
{
    m_cancel.cancel();
}

QStringList SyncApi::runningJobs() const
{
    QMutexLocker lock(&m_mutex);
    QStringList out(m_running.begin(), m_running.end());
    out.sort();
    return out;
}

bool SyncApi::isRunning(const QString &job) const
{
    QMutexLocker lock(&m_mutex);
    return m_running.contains(job);
}

bool SyncApi::claim(const QString &job)
{
    QMutexLocker lock(&m_mutex);
    if (m_running.contains(job))
        return false;
    m_running.insert(job);
    return true;
}

void SyncApi::release(const QString &job)
{
    QMutexLocker lock(&m_mutex);
    m_running.remove(job);
}

void SyncApi::handle(const HttpRequest &request, HttpResponder responder, const QString &actor,
                     Observer observer)
{
    const QStringList parts = request.path.mid(kPrefix.size() + 1).split(u'/');
    const QByteArray &method = request.method;
    const bool get = method == "GET" || method == "HEAD";
    const qsizetype n = parts.size();
    const bool hasId = n >= 2 && !parts[1].isEmpty();
    Route route;
    QByteArray allow; // the methods of the route, when the request's is not one of them
    const auto expect = [&](Action action, const char *label, const QByteArray &methods) {
        route.action = action;
        route.label = kPrefix.toString() + QLatin1StringView(label);
        const bool allowed = methods == "GET, HEAD" ? get : methods == method;
        if (!allowed)
            allow = methods;
    };
    if (request.path != kPrefix && parts[0] == u"jobs") {
        if (n == 1)
            expect(Action::ListJobs, "/jobs", "GET, HEAD");
        else if (hasId && n == 2)
            expect(Action::Job, "/jobs/{id}", "GET, HEAD");
        else if (hasId && n == 3 && parts[2] == u"run")
            expect(Action::Run, "/jobs/{id}/run", "POST");
        else if (hasId && n == 3 && parts[2] == u"changes")
            expect(Action::Changes, "/jobs/{id}/changes", "POST");
        else if (hasId && n == 3 && parts[2] == u"reconcile")
            expect(Action::Reconcile, "/jobs/{id}/reconcile", "POST");
        else if (hasId && n == 3 && parts[2] == u"rejects")
            expect(Action::PurgeRejects, "/jobs/{id}/rejects", "DELETE");
        else if (hasId && n == 4 && parts[2] == u"conflicts" && parts[3] == u"resolve")
            expect(Action::ResolveAll, "/jobs/{id}/conflicts/resolve", "POST");
    } else if (request.path != kPrefix && parts[0] == u"runs") {
        if (n == 1)
            expect(Action::Runs, "/runs", "GET, HEAD");
        else if (hasId && n == 2)
            expect(Action::OneRun, "/runs/{id}", "GET, HEAD");
    } else if (request.path != kPrefix && parts[0] == u"conflicts") {
        if (n == 1)
            expect(Action::Conflicts, "/conflicts", "GET, HEAD");
        else if (hasId && n == 2)
            expect(Action::OneConflict, "/conflicts/{id}", "GET, HEAD");
        else if (hasId && n == 3 && parts[2] == u"resolve")
            expect(Action::Resolve, "/conflicts/{id}/resolve", "POST");
    } else if (request.path != kPrefix && parts[0] == u"rejects" && n == 1) {
        expect(Action::Rejects, "/rejects", "GET, HEAD");
    }
    if (hasId)
        route.id = parts[1];

    const auto answer = [responder, observer](const QString &routeLabel, HttpResponse response) {
        const int status = response.status();
        responder.send(std::move(response));
        if (observer)
            observer(routeLabel, status);
    };
    if (route.label.isEmpty()) {
        answer(u"other"_s,
               HttpResponse::error(404, u"not_found"_s,
                                   Tr::tr("no such resource: %1").arg(request.path)));
        return;
    }
    if (!allow.isEmpty()) {
        answer(route.label, HttpResponse::methodNotAllowed(allow));
        return;
    }
    std::shared_ptr<const SyncJobs> jobs = m_jobs ? m_jobs() : nullptr;
    if (!jobs) {
        answer(
            route.label,
            HttpResponse::error(503, u"no_project"_s, Tr::tr("no project is active on this node")));
        return;
    }
    // A job runs once at a time here: the second request is refused before it waits for a thread.
    const bool claimed = route.action == Action::Run;
    if (claimed && ((m_busy && m_busy(route.id)) || !claim(route.id))) {
        answer(route.label,
               HttpResponse::error(
                   409, u"sync_busy"_s,
                   Tr::tr("sync job \"%1\" is running on this node already").arg(route.id)));
        return;
    }
    // The request is copied: the worker outlives this call.
    m_pool.start([this, request, route, jobs, actor, answer, responder, claimed] {
        if (!responder.isConnected()) { // the client left while the call waited for a thread
            if (claimed)
                release(route.id);
            return;
        }
        if (route.action == Action::Run) {
            answer(route.label, run(request, jobs, route.id, actor));
            return;
        }
        if (route.action == Action::Changes) {
            answer(route.label, changes(request, *jobs, route.id, actor));
            return;
        }
        answer(route.label, dispatch(request, route, *jobs, actor));
    });
}

HttpResponse SyncApi::dispatch(const HttpRequest &request, const Route &route, const SyncJobs &jobs,
                               const QString &actor)
{
    switch (route.action) {
    case Action::ListJobs:
        return listJobs(jobs);
    case Action::Job:
        return job(jobs, route.id);
    case Action::Run: // handled by run()
    case Action::Changes: // handled by changes()
        break;
    case Action::Reconcile:
        return reconcile(jobs, route.id, actor);
    case Action::ResolveAll:
        return resolveAll(request, jobs, route.id, actor);
    case Action::PurgeRejects:
        return purgeRejects(jobs, route.id, actor);
    case Action::Runs:
        return runs(request);
    case Action::OneRun:
        return oneRun(route.id);
    case Action::Conflicts:
        return conflicts(request);
    case Action::OneConflict:
        return oneConflict(route.id);
    case Action::Resolve:
        return resolve(request, jobs, route.id, actor);
    case Action::Rejects:
        return rejects(request);
    }
    return HttpResponse::error(404, u"not_found"_s, Tr::tr("no such resource"));
}

HttpResponse SyncApi::listJobs(const SyncJobs &jobs)
{
    Data::Array list;
    for (const QString &id : jobs.ids()) {
        Result<Data::Value> item = syncJobToValue(jobs, id, m_store);
        if (!item)
            return failure(item.error());
        list.push_back(std::move(*item));
    }
    Data::Object out;
    out.insert(u"jobs"_s, Data::Value(std::move(list)));
    return jsonResponse(200, Data::Value(std::move(out)));
}

HttpResponse SyncApi::job(const SyncJobs &jobs, const QString &id)
{
    Result<Data::Value> item = syncJobToValue(jobs, id, m_store);
    if (!item)
        return failure(item.error());
    return jsonResponse(200, *item);
}

HttpResponse SyncApi::run(const HttpRequest &request, std::shared_ptr<const SyncJobs> jobs,
                          const QString &id, const QString &actor)
{
    // Every way out of here but a started background run gives the claim back.
    bool handedOver = false;
    const auto cleanup = qScopeGuard([&] {
        if (!handedOver)
            release(id);
    });
    const std::optional<bool> wait = booleanParameter(request, u"wait"_s, false);
    if (!wait)
        return failure(badParameter(u"wait"_s, u"true or false"_s));
    Result<Data::Object> body = bodyObject(request, {u"full_resync"_s});
    if (!body)
        return failure(body.error());
    Sync::SyncRunOptions options;
    options.trigger = u"manual"_s;
    options.cancel = &m_cancel;
    if (const Data::Value *full = body->find(u"full_resync")) {
        if (!full->isBool())
            return failure(badRequest(Tr::tr("body member \"full_resync\" must be true or false")));
        options.fullResync = full->toBool();
    }
    Result<std::unique_ptr<Sync::SyncRunner>> created = jobs->runner(id);
    if (!created)
        return jobFailure(created.error());
    std::shared_ptr<Sync::SyncRunner> runner = std::move(*created);
    Log::write(QtInfoMsg, "conflux.sync", u"sync run requested"_s,
               {{u"job"_s, id},
                {u"actor"_s, actorOrDefault(actor)},
                {u"wait"_s, *wait},
                {u"full_resync"_s, options.fullResync}});

    if (*wait) {
        Result<Sync::SyncRunResult> result = runner->run(options);
        if (!result)
            return failure(result.error());
        return jsonResponse(200, syncRunToValue(result->run));
    }

    // Another node (or a `conflux sync run`) holding the lease: say so now rather than only in
    // the log. The lease can still be taken between this look and the run's start; the run then
    // ends with sync_busy in the log.
    Result<std::optional<QString>> holder = m_store.syncLeaseHolder(id);
    if (!holder)
        return failure(holder.error());
    if (*holder && **holder != m_node) {
        return HttpResponse::error(
            409, u"sync_busy"_s, Tr::tr("sync job \"%1\" is running on \"%2\"").arg(id, **holder));
    }
    m_runs.start([this, runner, options, id] {
        const auto done = qScopeGuard([this, &id] { release(id); });
        Result<Sync::SyncRunResult> result = runner->run(options);
        if (!result) {
            Log::write(QtWarningMsg, "conflux.sync",
                       u"sync run did not start: "_s + result.error().message,
                       {{u"job"_s, id}, {u"code"_s, result.error().code}});
        }
    });
    handedOver = true;
    Data::Object out;
    out.insert(u"job"_s, Data::Value(id));
    out.insert(u"status"_s, Data::Value(u"started"_s));
    return jsonResponse(202, Data::Value(std::move(out)));
}

HttpResponse SyncApi::changes(const HttpRequest &request, const SyncJobs &jobs, const QString &id,
                              const QString &actor)
{
    // The records: a JSON array of them, or one object.
    Result<Data::Value> parsed = Data::Json::parse(request.body);
    if (!parsed)
        return failure(badRequest(Tr::tr("the body is not JSON: %1").arg(parsed.error().message)));
    std::vector<Data::Value> records;
    if (parsed->isArray())
        records = parsed->toArray();
    else if (parsed->isObject())
        records.push_back(std::move(*parsed));
    else
        return failure(badRequest(Tr::tr("the body must be a JSON array of records or one record "
                                         "object, not %1")
                                      .arg(QLatin1StringView(parsed->typeName()))));
    if (records.empty())
        return failure(badRequest(Tr::tr("the body holds no records")));
    int waitSeconds = kDefaultChangesWait;
    if (request.query.hasQueryItem(u"wait_seconds"_s)) {
        bool ok = false;
        waitSeconds = request.query.queryItemValue(u"wait_seconds"_s).toInt(&ok);
        if (!ok || waitSeconds < 0 || waitSeconds > kMaxChangesWait)
            return failure(badParameter(u"wait_seconds"_s,
                                        u"a whole number from 0 to %1"_s.arg(kMaxChangesWait)));
    }
    Result<std::unique_ptr<Sync::SyncRunner>> runner = jobs.runner(id);
    if (!runner)
        return jobFailure(runner.error());
    Sync::SyncRunOptions options;
    options.trigger = u"webhook"_s;
    options.cancel = &m_cancel;
    const qsizetype received = qsizetype(records.size());
    options.records = std::move(records);

    // A poll or another delivery of the job may be running here, or on another node (the
    // lease): the delivery waits for its turn, up to wait_seconds.
    const QDeadlineTimer deadline {std::chrono::seconds(waitSeconds)};
    for (;;) {
        if (!(m_busy && m_busy(id)) && claim(id)) {
            const auto done = qScopeGuard([this, &id] { release(id); });
            Result<Sync::SyncRunResult> result = (*runner)->run(options);
            if (result) {
                const Sync::SyncRunResult &ran = *result;
                Log::write(QtInfoMsg, "conflux.sync", u"sync changes received"_s,
                           {{u"job"_s, id},
                            {u"actor"_s, actorOrDefault(actor)},
                            {u"records"_s, received},
                            {u"run"_s, ran.run.id},
                            {u"status"_s, ran.run.status}});
                if (ran.run.status == u"succeeded")
                    return jsonResponse(200, syncRunToValue(ran.run));
                // Not written: the sender should deliver again (unless the records themselves
                // were refused), so not a 2xx; the run says what happened.
                const Error error = ran.error.value_or(
                    makeError("sync_run_failed", Tr::tr("the run ended %1").arg(ran.run.status)));
                Data::Object out = syncRunToValue(ran.run).toObject();
                Data::Object described;
                described.insert(u"code"_s, Data::Value(error.code));
                described.insert(u"message"_s, Data::Value(error.message));
                out.insert(u"error"_s, Data::Value(std::move(described)));
                const int status = error.code == u"validation_threshold_exceeded" ? 422
                    : error.code == u"cancelled"                                 ? 503
                                                                                 : 502;
                return jsonResponse(status, Data::Value(std::move(out)));
            }
            if (result.error().code != u"sync_busy")
                return failure(result.error());
        }
        if (deadline.hasExpired())
            break;
        if (m_cancel.isCancelled())
            return failure(makeError("cancelled", Tr::tr("the node is stopping")));
        QThread::msleep(20);
    }
    return HttpResponse::error(409, u"sync_busy"_s,
                               Tr::tr("sync job \"%1\" was still running after %2 s; deliver the "
                                      "changes again")
                                   .arg(id)
                                   .arg(waitSeconds));
}

HttpResponse SyncApi::reconcile(const SyncJobs &jobs, const QString &id, const QString &actor)
{
    Result<std::unique_ptr<Sync::SyncRunner>> runner = jobs.runner(id);
    if (!runner)
        return jobFailure(runner.error());
    Log::write(QtInfoMsg, "conflux.sync", u"sync reconciliation requested"_s,
               {{u"job"_s, id}, {u"actor"_s, actorOrDefault(actor)}});
    Result<Sync::Reconciliation> result = (*runner)->reconcile(&m_cancel, true);
    if (!result)
        return failure(result.error());
    return jsonResponse(200, result->toValue());
}

HttpResponse SyncApi::resolveAll(const HttpRequest &request, const SyncJobs &jobs,
                                 const QString &id, const QString &actor)
{
    Result<Data::Object> body = bodyObject(request, {u"resolution"_s});
    if (!body)
        return failure(body.error());
    const Data::Value *resolution = body->find(u"resolution");
    if (!resolution || (resolution->toString() != u"source" && resolution->toString() != u"target"))
        return failure(
            badRequest(Tr::tr("body member \"resolution\" must be \"source\" or \"target\"")));
    Result<std::unique_ptr<Sync::SyncRunner>> runner = jobs.runner(id);
    if (!runner)
        return jobFailure(runner.error());
    const QString by = actorOrDefault(actor);
    Result<int> resolved = (*runner)->resolveConflicts(resolution->toString(), by);
    if (!resolved)
        return failure(resolved.error());
    Log::write(QtInfoMsg, "conflux.sync", u"sync conflicts resolved"_s,
               {{u"job"_s, id},
                {u"actor"_s, by},
                {u"resolution"_s, resolution->toString()},
                {u"resolved"_s, *resolved}});
    Data::Object out;
    out.insert(u"resolved"_s, Data::Value(*resolved));
    return jsonResponse(200, Data::Value(std::move(out)));
}

HttpResponse SyncApi::purgeRejects(const SyncJobs &jobs, const QString &id, const QString &actor)
{
    if (!jobs.ids().contains(id))
        return failure(jobs.spec(id).error());
    Result<int> purged = m_store.purgeSyncRejects(id);
    if (!purged)
        return failure(purged.error());
    Log::write(QtInfoMsg, "conflux.sync", u"sync rejects purged"_s,
               {{u"job"_s, id}, {u"actor"_s, actorOrDefault(actor)}, {u"purged"_s, *purged}});
    Data::Object out;
    out.insert(u"purged"_s, Data::Value(*purged));
    return jsonResponse(200, Data::Value(std::move(out)));
}

HttpResponse SyncApi::runs(const HttpRequest &request)
{
    Result<int> limit = limitParameter(request);
    if (!limit)
        return failure(limit.error());
    Result<QList<Store::SyncRunRecord>> list
        = m_store.syncRuns(request.query.queryItemValue(u"job"_s, QUrl::FullyDecoded), *limit);
    return listResponse(list, u"runs"_s, syncRunToValue);
}

HttpResponse SyncApi::oneRun(const QString &id)
{
    const std::optional<qint64> number = positiveId(id);
    if (!number)
        return failure(
            badRequest(Tr::tr("the run id must be a positive whole number, not \"%1\"").arg(id)));
    Result<std::optional<Store::SyncRunRecord>> found = m_store.syncRun(*number);
    if (!found)
        return failure(found.error());
    if (!*found)
        return failure(
            makeError("sync_run_not_found", Tr::tr("there is no sync run %1").arg(*number)));
    return jsonResponse(200, syncRunToValue(**found));
}

HttpResponse SyncApi::conflicts(const HttpRequest &request)
{
    Result<int> limit = limitParameter(request);
    if (!limit)
        return failure(limit.error());
    const QString status = request.query.queryItemValue(u"status"_s, QUrl::FullyDecoded);
    if (!status.isEmpty() && status != u"open" && status != u"resolved")
        return failure(badParameter(u"status"_s, u"open or resolved"_s));
    Result<QList<Store::SyncConflict>> list = m_store.syncConflicts(
        request.query.queryItemValue(u"job"_s, QUrl::FullyDecoded), status, *limit);
    return listResponse(list, u"conflicts"_s, syncConflictToValue);
}

HttpResponse SyncApi::oneConflict(const QString &id)
{
    const std::optional<qint64> number = positiveId(id);
    if (!number)
        return failure(badRequest(
            Tr::tr("the conflict id must be a positive whole number, not \"%1\"").arg(id)));
    Result<std::optional<Store::SyncConflict>> found = m_store.syncConflict(*number);
    if (!found)
        return failure(found.error());
    if (!*found)
        return failure(makeError("sync_conflict_not_found",
                                 Tr::tr("there is no sync conflict %1").arg(*number)));
    return jsonResponse(200, syncConflictToValue(**found));
}

HttpResponse SyncApi::resolve(const HttpRequest &request, const SyncJobs &jobs, const QString &id,
                              const QString &actor)
{
    const std::optional<qint64> number = positiveId(id);
    if (!number)
        return failure(badRequest(
            Tr::tr("the conflict id must be a positive whole number, not \"%1\"").arg(id)));
    Result<Data::Object> body = bodyObject(request, {u"resolution"_s, u"record"_s});
    if (!body)
        return failure(body.error());
    const Data::Value *resolutionValue = body->find(u"resolution");
    const QString resolution = resolutionValue ? resolutionValue->toString() : QString();
    if (resolution != u"source" && resolution != u"target" && resolution != u"custom")
        return failure(badRequest(
            Tr::tr("body member \"resolution\" must be \"source\", \"target\" or \"custom\"")));
    const Data::Value *record = body->find(u"record");
    if (resolution == u"custom" && (!record || !record->isObject()))
        return failure(badRequest(
            Tr::tr("body member \"record\" must be the record to write (an object) for a "
                   "custom resolution")));
    if (resolution != u"custom" && record)
        return failure(
            badRequest(Tr::tr("body member \"record\" belongs to a custom resolution only")));

    Result<std::optional<Store::SyncConflict>> found = m_store.syncConflict(*number);
    if (!found)
        return failure(found.error());
    if (!*found)
        return failure(makeError("sync_conflict_not_found",
                                 Tr::tr("there is no sync conflict %1").arg(*number)));
    const Store::SyncConflict &conflict = **found;
    if (conflict.status != u"open") {
        return failure(makeError(
            "sync_conflict_resolved",
            Tr::tr("sync conflict %1 was resolved already (%2, by %3)")
                .arg(QString::number(*number), conflict.resolution, conflict.resolvedBy)));
    }
    Result<std::unique_ptr<Sync::SyncRunner>> runner = jobs.runner(conflict.jobId);
    if (!runner) {
        Error error = runner.error();
        if (error.code == u"sync_job_not_found")
            error.message = Tr::tr("the job of conflict %1, \"%2\", is not in the active project")
                                .arg(QString::number(*number), conflict.jobId);
        return HttpResponse::error(409, error);
    }
    const QString by = actorOrDefault(actor);
    Result<void> resolved
        = (*runner)->resolveConflict(*number, resolution, record ? *record : Data::Value(), by);
    if (!resolved)
        return failure(resolved.error());
    Log::write(QtInfoMsg, "conflux.sync", u"sync conflict resolved"_s,
               {{u"job"_s, conflict.jobId},
                {u"conflict"_s, *number},
                {u"actor"_s, by},
                {u"resolution"_s, resolution}});
    Result<std::optional<Store::SyncConflict>> after = m_store.syncConflict(*number);
    if (!after)
        return failure(after.error());
    if (!*after)
        return failure(makeError("sync_conflict_not_found",
                                 Tr::tr("there is no sync conflict %1").arg(*number)));
    return jsonResponse(200, syncConflictToValue(**after));
}

HttpResponse SyncApi::rejects(const HttpRequest &request)
{
    Result<int> limit = limitParameter(request);
    if (!limit)
        return failure(limit.error());
    qint64 runId = 0;
    if (request.query.hasQueryItem(u"run"_s)) {
        const std::optional<qint64> number = positiveId(request.query.queryItemValue(u"run"_s));
        if (!number)
            return failure(badParameter(u"run"_s, u"a run id (a positive whole number)"_s));
        runId = *number;
    }
    Result<QList<Store::SyncReject>> list = m_store.syncRejects(
        request.query.queryItemValue(u"job"_s, QUrl::FullyDecoded), runId, *limit);
    return listResponse(list, u"rejects"_s, syncRejectToValue);
}

} // namespace Conflux::Runtime
