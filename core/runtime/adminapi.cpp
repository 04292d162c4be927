#include "adminapi.h"

#include "base/version.h"
#include "brokerapi.h"
#include "endpointapi.h"
#include "gatewayapi.h"
#include "base/metrics.h"
#include "model/documentkind.h"
#include "processinfo.h"
#include "projectdeployment.h"
#include "security/tokens.h"
#include "store/statestore.h"
#include "syncapi.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Conflux::Runtime {
namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Runtime::AdminApi)
};

using Http::HttpRequest;
using Http::HttpResponse;

QJsonArray toJson(const QStringList &list)
{
    QJsonArray out;
    for (const QString &s : list)
        out.append(s);
    return out;
}

int statusFor(const Error &error)
{
    const QString &code = error.code;
    if (code == u"project_invalid" || code.startsWith(u"bundle_invalid"))
        return 400;
    if (code == u"bundle_too_large")
        return 413;
    if (code == u"store_not_found")
        return 404;
    if (code == u"no_earlier_version")
        return 409;
    return 500;
}

QJsonObject versionJson(const Store::ProjectVersionInfo &info)
{
    return {{u"version"_s, info.version},
            {u"digest"_s, info.sha256},
            {u"source"_s, Store::projectVersionSourceToString(info.source)},
            {u"comment"_s, info.comment},
            {u"actor"_s, info.actor},
            {u"created_at"_s, info.createdAt.toString(Qt::ISODateWithMs)},
            {u"size"_s, info.size},
            {u"active"_s, info.isActive}};
}
} // namespace

AdminApi::AdminApi(Store::StateStore &store, ProjectDeployment &deployment, MetricsRegistry &metrics)
    : m_store(store), m_deployment(deployment), m_metrics(metrics),
      m_started(QDateTime::currentDateTimeUtc())
{
    m_metrics.gauge(u"conflux_build_info"_s, u"Conflux build; the value is always 1"_s, {u"version"_s})
        .set({QLatin1String(versionString)}, 1);
    m_metrics.gauge(u"conflux_start_time_seconds"_s, u"Unix time the node started"_s)
        .set({}, double(m_started.toSecsSinceEpoch()));
}

std::optional<QString> AdminApi::authenticate(const HttpRequest &request)
{
    const QByteArray header = request.header("Authorization");
    if (!header.startsWith("Bearer "))
        return std::nullopt;
    const QString token = QString::fromLatin1(header.mid(7).trimmed());
    if (!Security::looksLikeToken(token))
        return std::nullopt;
    Result<std::optional<Store::ApiToken>> found =
        m_store.findApiTokenByHash(QString::fromLatin1(Security::hashToken(token)));
    if (!found || !found->has_value())
        return std::nullopt;
    const Store::ApiToken &stored = **found;
    // Record use at most once a minute per token: the audit value of finer detail is small.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (!stored.lastUsedAt || stored.lastUsedAt->secsTo(now) >= 60)
        (void)m_store.recordApiTokenUse(stored.id, now);
    return stored.name;
}

HttpResponse AdminApi::handle(const HttpRequest &request)
{
    QElapsedTimer timer;
    timer.start();
    QString routeLabel = u"other"_s;
    HttpResponse response = route(request, routeLabel);
    record(routeLabel, response.status(), timer.nsecsElapsed());
    return response;
}

void AdminApi::handleAsync(const HttpRequest &request, Http::HttpResponder responder)
{
    const bool endpoints = m_endpoints && EndpointApi::handles(request.path);
    const bool sync = !endpoints && m_sync && SyncApi::handles(request.path);
    if (!endpoints && !sync) {
        responder.send(handle(request));
        return;
    }
    QElapsedTimer timer;
    timer.start();
    const std::optional<QString> actor = authenticate(request);
    if (!actor) {
        record(u"other"_s, 401, timer.nsecsElapsed());
        responder.send(unauthorized());
        return;
    }
    // The metrics registry is thread-safe; this object outlives the modules' workers.
    auto observer = [this, timer](const QString &label, int status) { record(label, status, timer.nsecsElapsed()); };
    if (sync)
        m_sync->handle(request, std::move(responder), *actor, std::move(observer));
    else
        m_endpoints->handle(request, std::move(responder), *actor, std::move(observer));
}

void AdminApi::record(const QString &routeLabel, int status, qint64 elapsedNs)
{
    m_metrics.counter(u"conflux_admin_requests_total"_s, u"Admin API requests by route and status code"_s,
                      {u"route"_s, u"code"_s})
        .increment({routeLabel, QString::number(status)});
    m_metrics.histogram(u"conflux_admin_request_duration_seconds"_s, u"Admin API request duration"_s,
                        {u"route"_s})
        .observe({routeLabel}, double(elapsedNs) / 1e9);
}

HttpResponse AdminApi::unauthorized()
{
    HttpResponse response = HttpResponse::error(
        401, u"unauthorized"_s,
        Tr::tr("a valid token is required: send \"Authorization: Bearer <token>\" "
               "(create one with `conflux token create --data DIR`)"));
    response.setHeader("WWW-Authenticate", "Bearer realm=\"conflux\"");
    return response;
}

HttpResponse AdminApi::route(const HttpRequest &request, QString &routeLabel)
{
    const QString &path = request.path;
    const QByteArray &method = request.method;
    const bool get = method == "GET" || method == "HEAD";

    if (path == u"/health") {
        routeLabel = path;
        return get ? HttpResponse::json(200, QJsonObject{{u"status"_s, u"ok"_s}}) : HttpResponse::methodNotAllowed("GET, HEAD");
    }
    if (path == u"/ready") {
        routeLabel = path;
        return get ? ready() : HttpResponse::methodNotAllowed("GET, HEAD");
    }
    if (path == u"/metrics") {
        routeLabel = path;
        if (!get)
            return HttpResponse::methodNotAllowed("GET, HEAD");
        updateProcessMetrics(m_metrics);
        if (m_gateway)
            m_gateway->updateMetrics();
        QByteArray text = m_metrics.render();
        if (m_broker)
            m_broker->renderMetrics(text);
        return HttpResponse(200, text, MetricsRegistry::contentType());
    }
    if (!path.startsWith(u"/api/"))
        return HttpResponse::error(404, u"not_found"_s, Tr::tr("no such resource: %1").arg(path));

    const std::optional<QString> actor = authenticate(request);
    if (!actor)
        return unauthorized();
    if (m_broker && BrokerApi::handles(path))
        return m_broker->handle(request, routeLabel);
    if (m_gateway && GatewayApi::handles(path))
        return m_gateway->handle(request, *actor, routeLabel);
    routeLabel = path;
    if (path == u"/api/v1/status")
        return get ? status() : HttpResponse::methodNotAllowed("GET, HEAD");
    if (path == u"/api/v1/project") {
        if (get)
            return activeProject();
        if (method == "PUT")
            return deploy(request, *actor);
        return HttpResponse::methodNotAllowed("GET, HEAD, PUT");
    }
    if (path == u"/api/v1/project/versions")
        return get ? versions() : HttpResponse::methodNotAllowed("GET, HEAD");
    if (path == u"/api/v1/project/rollback")
        return method == "POST" ? rollback(request, *actor) : HttpResponse::methodNotAllowed("POST");
    routeLabel = u"other"_s;
    return HttpResponse::error(404, u"not_found"_s, Tr::tr("no such resource: %1").arg(path));
}

HttpResponse AdminApi::ready()
{
    if (!m_store.isOpen())
        return HttpResponse::json(503, QJsonObject{{u"status"_s, u"not_ready"_s}, {u"reason"_s, Tr::tr("the state store is not open")}});
    const std::optional<qint64> version = m_deployment.activeVersion();
    if (!version) {
        return HttpResponse::json(503, QJsonObject{{u"status"_s, u"not_ready"_s},
                                                   {u"reason"_s, Tr::tr("no project is deployed")}});
    }
    return HttpResponse::json(200, QJsonObject{{u"status"_s, u"ready"_s}, {u"project_version"_s, *version}});
}

HttpResponse AdminApi::status()
{
    QJsonObject node{{u"version"_s, QLatin1String(versionString)},
                     {u"started_at"_s, m_started.toString(Qt::ISODateWithMs)},
                     {u"uptime_seconds"_s, m_started.secsTo(QDateTime::currentDateTimeUtc())},
                     {u"pid"_s, QCoreApplication::applicationPid()}};
    const Store::StoreConfig &config = m_store.config();
    QJsonObject store{{u"driver"_s, config.driver == Store::StoreConfig::Driver::Sqlite ? u"sqlite"_s : u"postgres"_s},
                      {u"location"_s, config.describe()},
                      {u"schema_version"_s, m_store.schemaVersion()}};
    QJsonObject project;
    if (const auto current = m_deployment.project()) {
        QJsonObject counts;
        for (const Model::KindInfo &info : Model::documentKinds()) {
            if (info.kind != Model::DocumentKind::Project)
                counts.insert(info.name, current->count(info.kind));
        }
        project = {{u"id"_s, current->id()},
                   {u"name"_s, current->name()},
                   {u"version"_s, m_deployment.activeVersion().value_or(0)},
                   {u"digest"_s, m_deployment.activeDigest()},
                   {u"documents"_s, counts}};
    }
    return HttpResponse::json(200, QJsonObject{{u"node"_s, node},
                                               {u"store"_s, store},
                                               {u"project"_s, project.isEmpty() ? QJsonValue() : QJsonValue(project)},
                                               {u"state"_s, project.isEmpty() ? u"waiting_for_project"_s : u"running"_s}});
}

HttpResponse AdminApi::activeProject()
{
    const std::optional<qint64> version = m_deployment.activeVersion();
    if (!version)
        return HttpResponse::error(404, u"no_project"_s, Tr::tr("no project is deployed"));
    Result<Store::ProjectVersion> stored = m_store.projectVersion(*version);
    if (!stored)
        return HttpResponse::error(statusFor(stored.error()), stored.error());
    HttpResponse response(200, stored->bundle, "application/json");
    response.setHeader("X-Conflux-Project-Version", QByteArray::number(*version));
    response.setHeader("ETag", '"' + stored->info.sha256.toLatin1() + '"');
    return response;
}

HttpResponse AdminApi::deploy(const HttpRequest &request, const QString &actor)
{
    const QString comment = request.query.queryItemValue(u"comment"_s, QUrl::FullyDecoded);
    Result<ProjectDeployment::Deployed> deployed = m_deployment.deploy(request.body, actor, comment);
    auto &counter = m_metrics.counter(u"conflux_project_deployments_total"_s,
                                      u"Project deployments by result"_s, {u"result"_s});
    if (!deployed) {
        counter.increment({u"refused"_s});
        return HttpResponse::error(statusFor(deployed.error()), deployed.error().code, deployed.error().message,
                                   toJson(deployed.error().details));
    }
    counter.increment({deployed->unchanged ? u"unchanged"_s : u"deployed"_s});
    m_metrics.gauge(u"conflux_project_version"_s, u"The active project version"_s).set({}, double(deployed->version));
    return HttpResponse::json(deployed->unchanged ? 200 : 201,
                              QJsonObject{{u"version"_s, deployed->version},
                                          {u"digest"_s, deployed->digest},
                                          {u"unchanged"_s, deployed->unchanged}});
}

HttpResponse AdminApi::versions()
{
    Result<QList<Store::ProjectVersionInfo>> list = m_store.projectVersions();
    if (!list)
        return HttpResponse::error(500, list.error());
    QJsonArray out;
    for (const Store::ProjectVersionInfo &info : std::as_const(*list))
        out.append(versionJson(info));
    const std::optional<qint64> active = m_deployment.activeVersion();
    return HttpResponse::json(200, QJsonObject{{u"versions"_s, out},
                                               {u"active"_s, active ? QJsonValue(*active) : QJsonValue()}});
}

HttpResponse AdminApi::rollback(const HttpRequest &request, const QString &actor)
{
    std::optional<qint64> version;
    if (!request.body.trimmed().isEmpty()) {
        QJsonParseError error;
        const QJsonDocument body = QJsonDocument::fromJson(request.body, &error);
        if (!body.isObject()) {
            return HttpResponse::error(400, u"invalid_request"_s,
                                       Tr::tr("the body must be a JSON object like {\"version\": 3}"));
        }
        const QJsonValue v = body.object().value(u"version"_s);
        if (!v.isUndefined()) {
            if (!v.isDouble() || v.toDouble() < 1 || v.toDouble() != double(qint64(v.toDouble())))
                return HttpResponse::error(400, u"invalid_request"_s, Tr::tr("\"version\" must be a positive integer"));
            version = qint64(v.toDouble());
        }
    }
    Result<qint64> target = m_deployment.rollback(version, actor);
    if (!target)
        return HttpResponse::error(statusFor(target.error()), target.error().code, target.error().message,
                                   toJson(target.error().details));
    m_metrics.gauge(u"conflux_project_version"_s, u"The active project version"_s).set({}, double(*target));
    return HttpResponse::json(200, QJsonObject{{u"version"_s, *target}, {u"digest"_s, m_deployment.activeDigest()}});
}

} // namespace Conflux::Runtime
