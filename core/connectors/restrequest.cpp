// The REST connector's requests: secrets and authentication (prepare), placeholder values,
// URLs, the first request of a read, the client-side throttle, the exchange with its checks
// (status, JSON, response_check) and OData v2 CSRF tokens.

#include "restconnector_p.h"

#include "base/monotonic.h"
#include "connectors/restauth.h"
#include "data/json.h"
#include "security/secrets.h"

#include <QThread>
#include <QUrl>

#include <algorithm>
#include <mutex>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace Internal::RestConnectorDetail {

namespace {

// The next time each endpoint may send, for the client-side throttle (process-wide).
struct Throttle
{
    std::mutex mutex;
    QHash<QString, qint64> nextSlotMs;

    static Throttle &instance()
    {
        static Throttle throttle;
        return throttle;
    }
};

bool sleepFor(qint64 ms, const CancelToken *cancel)
{
    const qint64 until = monotonicMs() + ms;
    for (;;) {
        if (cancel && cancel->isCancelled())
            return false;
        const qint64 left = until - monotonicMs();
        if (left <= 0)
            return true;
        QThread::msleep(static_cast<unsigned long>(std::min<qint64>(left, 50)));
    }
}

void removePair(Pairs &list, const QString &name)
{
    list.removeIf([&](const auto &p) { return p.first == name; });
}

} // namespace

void setPair(Pairs &list, const QString &name, const QString &value)
{
    auto it = std::find_if(list.begin(), list.end(), [&](const auto &p) { return p.first == name; });
    if (it != list.end()) {
        it->second = value;
        list.erase(std::remove_if(it + 1, list.end(), [&](const auto &p) { return p.first == name; }), list.end());
    } else {
        list.append({name, value});
    }
}

QString encodeQuery(const Pairs &query)
{
    static const QByteArray keep = "!$'()*,:@/?[]";
    QString out;
    for (const auto &[name, value] : query) {
        if (!out.isEmpty())
            out += u'&';
        out += QString::fromLatin1(QUrl::toPercentEncoding(name, keep)) + u'='
               + QString::fromLatin1(QUrl::toPercentEncoding(value, keep));
    }
    return out;
}

bool isEmptyValue(const Data::Value *value)
{
    return !value || value->isNull() || value->isUndefined() || (value->isString() && value->toString().isEmpty());
}

} // namespace Internal::RestConnectorDetail

using namespace Internal::RestConnectorDetail;

Result<void> RestConnector::Private::prepare()
{
    if (prepared)
        return {};
    values = config.values;
    auto resolve = [&](const QString &name) -> Result<QString> {
        if (!context.secrets) {
            return makeError("secret_unavailable", Tr::tr("Endpoint %1 needs the secret \"%2\", but no secret store is "
                                                          "configured")
                                                       .arg(endpointId(), name));
        }
        return context.secrets->resolve(name);
    };
    for (auto it = config.secretParameters.cbegin(); it != config.secretParameters.cend(); ++it) {
        Result<QString> secret = resolve(it.value());
        if (!secret)
            return secret.error();
        values.insert(it.key(), Data::Value(*secret));
    }
    HttpHeaders headers = q->endpoint().headers;
    for (const auto &[name, secretName] : config.secretHeaders) {
        Result<QString> secret = resolve(secretName);
        if (!secret)
            return secret.error();
        headers.append({name.toLatin1(), secret->toUtf8()});
    }
    client->setDefaultHeaders(headers);
    if (api().auth.type != RestAuth::Type::Endpoint) {
        Call none;
        Result<RestAuthSettings> settings =
            RestAuthSettings::resolve(api().auth, lookup(none), config.tokenUrlOverride, endpointId());
        if (!settings)
            return settings.error();
        settings->refreshTokenSecret = config.secretParameters.value(settings->refreshTokenSecret);
        client->setAuthenticator(createRestAuthenticator(std::move(*settings)));
    }
    prepared = true;
    return {};
}

Rest::PlaceholderLookup RestConnector::Private::lookup(const Call &call) const
{
    return [this, &call](QStringView name) -> Rest::Placeholder {
        const RestResource *r = call.resource;
        if (name == u"cursor" && call.cursor)
            return {true, Data::Value(*call.cursor)};
        if (r && r->pagination.paramsIn == ParamsIn::Template) {
            if (name == u"offset")
                return {true, Data::Value(call.offset)};
            if (name == u"limit")
                return {true, Data::Value(call.limit)};
            if (name == u"page")
                return {true, Data::Value(call.page)};
        }
        if (const RestResourceParameter *p = r ? r->parameter(name) : nullptr) {
            if (const Data::Value *v = call.resourceValues.find(name))
                return {true, *v};
            return {true, p->defaultValue};
        }
        if (api().parameter(name)) {
            auto it = values.constFind(name.toString());
            return {true, it == values.constEnd() ? Data::Value() : *it};
        }
        if (call.record) {
            if (const Data::Value *field = call.record->toObject().find(name); field && !field->isObject() && !field->isArray())
                return {true, *field};
        }
        return {};
    };
}

Result<RestConnector::Private::Call> RestConnector::Private::startCall(const QString &entity, const Data::Value &filter,
                                                                      const CancelToken *cancel)
{
    if (Result<void> ready = prepare(); !ready)
        return ready.error();
    Call call;
    call.cancel = cancel;
    call.resource = api().resource(entity);
    if (!call.resource) {
        QStringList names;
        for (const RestResource &r : api().resources)
            names.append(r.name);
        return makeError("unknown_entity", Tr::tr("Endpoint %1 has no resource \"%2\" (it has: %3)")
                                               .arg(endpointId(), entity, names.join(u", "_s)));
    }
    call.resourceValues = config.resourceValues.value(call.resource->name);
    if (!filter.isNull() && !filter.isUndefined()) {
        if (!filter.isObject())
            return makeError("invalid_request", Tr::tr("the filter of a REST read is an object of the resource's "
                                                       "parameter values"));
        for (const auto &[name, value] : filter.toObject()) {
            if (!call.resource->parameter(name)) {
                return makeError("invalid_request", Tr::tr("resource %1 of endpoint %2 has no parameter \"%3\"")
                                                        .arg(call.resource->name, endpointId(), name));
            }
            call.resourceValues.insert(name, value);
        }
    }
    return call;
}

QStringList RestConnector::Private::keyFields(const RestResource &resource, const Data::Object &given) const
{
    if (!resource.primaryKey.isEmpty())
        return resource.primaryKey;
    if (resource.primaryKeyParam.isEmpty())
        return {};
    const Data::Value *value = given.find(resource.primaryKeyParam);
    const RestResourceParameter *p = resource.parameter(resource.primaryKeyParam);
    const QString text = value ? Rest::scalarText(*value) : p ? Rest::scalarText(p->defaultValue) : QString();
    QStringList fields;
    for (const QString &field : text.split(u',', Qt::SkipEmptyParts))
        fields.append(field.trimmed());
    return fields;
}

Result<QString> RestConnector::Private::baseUrl(const Call &call) const
{
    if (config.baseUrlOverride)
        return *config.baseUrlOverride;
    const QString &base = api().baseUrl;
    // The host is inserted as is; the path's values are encoded as path segments.
    const qsizetype scheme = base.indexOf(u"://"_s);
    const qsizetype pathStart = scheme < 0 ? -1 : base.indexOf(u'/', scheme + 3);
    const Rest::PlaceholderLookup find = lookup(call);
    QString out = Rest::expand(pathStart < 0 ? base : base.left(pathStart), find).text;
    if (pathStart >= 0)
        out += Rest::expand(QStringView(base).mid(pathStart), find, Rest::Encoding::PathSegment).text;
    return out;
}

Result<QUrl> RestConnector::Private::url(const QString &path, const Call &call, const Pairs &query) const
{
    Result<QString> base = baseUrl(call);
    if (!base)
        return base.error();
    QString text = *base;
    while (text.endsWith(u'/') && !path.isEmpty())
        text.chop(1);
    text += Rest::expand(path, lookup(call), Rest::Encoding::PathSegment).text;
    QUrl url = QUrl::fromEncoded(text.toUtf8(), QUrl::TolerantMode);
    if (!url.isValid() || url.host().isEmpty() || (url.scheme() != "https"_L1 && url.scheme() != "http"_L1)) {
        return makeError("invalid_endpoint", Tr::tr("Endpoint %1: \"%2\" is not a valid http(s) URL (check the "
                                                    "parameters in the base URL)")
                                                 .arg(endpointId(), displayUrl(url)));
    }
    if (!query.isEmpty()) {
        const QString existing = url.query(QUrl::FullyEncoded);
        const QString added = encodeQuery(query);
        url.setQuery(existing.isEmpty() ? added : existing + u'&' + added, QUrl::TolerantMode);
    }
    return url;
}

Pairs RestConnector::Private::expandPairs(const RestTemplateMap &map, const Call &call) const
{
    Pairs out;
    const Rest::PlaceholderLookup find = lookup(call);
    for (const auto &[name, value] : map) {
        const Rest::Expanded e = Rest::expand(Rest::scalarText(value), find);
        if (!e.omitted)
            setPair(out, name, e.text);
    }
    return out;
}

Result<HttpRequest> RestConnector::Private::firstRequest(const Call &call, int pageSize) const
{
    const RestResource &r = *call.resource;
    const RestPagination &p = r.pagination;
    for (const RestResourceParameter &param : r.parameters) {
        const Data::Value *v = call.resourceValues.find(param.name);
        if (param.required && isEmptyValue(v) && param.defaultValue.isUndefined()) {
            return makeError("invalid_request", Tr::tr("resource %1 of endpoint %2 needs its parameter \"%3\" (%4): give "
                                                       "it in the read's filter or in configuration.resource_parameters")
                                                    .arg(r.name, endpointId(), param.name, param.description));
        }
    }
    Pairs query = expandPairs(api().query, call);
    for (const auto &[name, value] : expandPairs(r.query, call))
        setPair(query, name, value);
    Pairs headers = expandPairs(api().headers, call);
    for (const auto &[name, value] : expandPairs(r.headers, call))
        setPair(headers, name, value);
    for (const RestResourceParameter &param : r.parameters) {
        const Data::Value *v = call.resourceValues.find(param.name);
        const Data::Value value = v ? *v : param.defaultValue;
        if (value.isUndefined() || value.isNull())
            continue;
        if (param.in == RestResourceParameter::In::Query)
            setPair(query, param.queryName, Rest::scalarText(value));
        else if (param.in == RestResourceParameter::In::Header)
            setPair(headers, param.queryName, Rest::scalarText(value));
    }
    Data::Value body = r.body.isUndefined() ? Data::Value() : Rest::expandJson(r.body, lookup(call));
    if (call.cursor) {
        if (!r.cursorParam.isEmpty())
            setPair(query, r.cursorParam, *call.cursor);
        const Rest::PlaceholderLookup find = lookup(call);
        for (const auto &[name, value] : r.cursorQuery) {
            if (value.isNull()) {
                removePair(query, name);
                continue;
            }
            const Rest::Expanded e = Rest::expand(Rest::scalarText(value), find);
            if (e.omitted)
                removePair(query, name);
            else
                setPair(query, name, e.text);
        }
        for (const auto &[name, value] : expandPairs(r.cursorHeaders, call))
            setPair(headers, name, value);
        if (!r.cursorBody.isUndefined())
            body = Rest::mergePatch(body, Rest::expandJson(r.cursorBody, find));
    }
    // Paging values of the first page.
    QString misplaced;
    auto put = [&](const QString &param, qint64 value) {
        if (param.isEmpty())
            return;
        if (p.paramsIn == ParamsIn::Body && !Rest::pointerSet(body, param, Data::Value(value)))
            misplaced = param;
        else if (p.paramsIn == ParamsIn::Query)
            setPair(query, param, QString::number(value));
    };
    if (pageSize > 0 && p.style != Style::None)
        put(p.limitParam, pageSize);
    if (p.style == Style::Offset)
        put(p.offsetParam, p.startOffset);
    else if (p.style == Style::Page)
        put(p.pageParam, p.startPage);
    if (!misplaced.isEmpty()) {
        return makeError("invalid_endpoint", Tr::tr("resource %1 of endpoint %2: the paging parameter %3 cannot be placed "
                                                    "in the request body")
                                                 .arg(r.name, endpointId(), misplaced));
    }

    HttpRequest request;
    request.method = r.method;
    Result<QUrl> target = url(r.path, call, query);
    if (!target)
        return target.error();
    request.url = *target;
    for (const auto &[name, value] : headers)
        request.setHeader(name.toLatin1(), value.toUtf8());
    if (!body.isUndefined()) {
        request.body = Data::Json::serialize(body);
        request.setHeader("Content-Type", "application/json");
    }
    // A POST that only reads (a search) may be repeated after a failure.
    request.idempotent = true;
    return request;
}

Result<void> RestConnector::Private::throttle(const CancelToken *cancel)
{
    const qint64 interval = api().rateLimit.minimumIntervalMs();
    if (interval <= 0)
        return {};
    qint64 wait = 0;
    {
        Throttle &t = Throttle::instance();
        std::lock_guard lock(t.mutex);
        const QString key = endpointId() + u'\n' + api().id;
        const qint64 now = monotonicMs();
        const qint64 slot = std::max(now, t.nextSlotMs.value(key, now));
        wait = slot - now;
        t.nextSlotMs.insert(key, slot + interval);
    }
    if (wait > 0 && !sleepFor(wait, cancel))
        return makeError("cancelled", Tr::tr("Endpoint %1: cancelled while waiting for the rate limit").arg(endpointId()));
    return {};
}

Result<void> RestConnector::Private::checkBody(const Data::Value &body, const HttpRequest &request) const
{
    RestResponseCheck check = api().responseCheck;
    if (check.isEmpty() && api().protocol == "graphql"_L1)
        check.errorsPath = u"/errors"_s;
    if (check.isEmpty())
        return {};
    const QString where = QString::fromLatin1(request.method) + u' ' + displayUrl(request.url);
    auto fail = [&](const QString &why) {
        QString message = why;
        if (check.messagePath) {
            if (const Data::Value *m = Rest::pointerGet(body, *check.messagePath); m && !m->isNull())
                message = Rest::scalarText(*m);
        }
        return makeError("api_error", Tr::tr("%1: the API reported a failure: %2").arg(where, message.left(500)));
    };
    if (check.successPath) {
        const Data::Value *ok = Rest::pointerGet(body, *check.successPath);
        if (!ok || !ok->isBool() || !ok->toBool())
            return fail(Tr::tr("%1 is not true").arg(*check.successPath));
    }
    if (check.errorsPath) {
        const Data::Value *errors = Rest::pointerGet(body, *check.errorsPath);
        if (errors && !errors->isNull() && !(errors->isString() && errors->toString().isEmpty())
            && !((errors->isArray() || errors->isObject()) && errors->size() == 0))
            return fail(Tr::tr("%1 holds errors").arg(*check.errorsPath));
    }
    return {};
}

Result<RestConnector::Private::Page> RestConnector::Private::exchange(HttpRequest request, const CancelToken *cancel,
                                                                    bool jsonRequired, int *status)
{
    if (Result<void> waited = throttle(cancel); !waited)
        return waited.error();
    const QString where = QString::fromLatin1(request.method) + u' ' + displayUrl(request.url);
    Result<HttpResponse> response = client->send(request, cancel);
    if (!response)
        return response.error();
    // Snowflake's SQL API answers 202 while a statement runs: poll its status URL.
    const qint64 pollUntil = monotonicMs() + qint64(q->endpoint().timeoutSeconds) * 10'000;
    while (api().protocol == "sql_rest"_L1 && response->status == 202) {
        const Result<Data::Value> pending = Data::Json::parse(response->body);
        const QString status = pending ? (*pending)[u"statementStatusUrl"].toString() : QString();
        if (status.isEmpty() || monotonicMs() > pollUntil)
            break;
        if (!sleepFor(500, cancel))
            return makeError("cancelled", Tr::tr("%1 was cancelled").arg(where));
        HttpRequest poll;
        poll.url = request.url.resolved(QUrl(status));
        for (const auto &header : request.headers) {
            if (header.first.compare("Content-Type", Qt::CaseInsensitive) != 0)
                poll.headers.append(header);
        }
        if (Result<void> waited = throttle(cancel); !waited)
            return waited.error();
        response = client->send(poll, cancel);
        if (!response)
            return response.error();
    }
    if (status)
        *status = response->status;
    if (response->status == 401 || response->status == 403) {
        return makeError("authentication_failed",
                         Tr::tr("%1: the API refused the credentials of endpoint %2: %3").arg(where, endpointId(), response->describe()));
    }
    if (!response->isSuccess())
        return makeError("http_error", Tr::tr("%1: %2").arg(where, response->describe()));
    Page page;
    const QByteArray trimmed = response->body.trimmed();
    if (!trimmed.isEmpty()) {
        Result<Data::Value> body = Data::Json::parse(response->body);
        if (body) {
            page.body = std::move(*body);
            if (Result<void> checked = checkBody(page.body, request); !checked)
                return checked.error();
        } else if (jsonRequired) {
            return makeError("invalid_response", Tr::tr("%1: the answer is not JSON: %2").arg(where, body.error().message));
        }
    } else if (jsonRequired) {
        return makeError("invalid_response", Tr::tr("%1: HTTP %2 with an empty body where JSON was expected")
                                                 .arg(where)
                                                 .arg(response->status));
    }
    page.response = std::move(*response);
    return page;
}

Result<QByteArray> RestConnector::Private::csrfToken(const QString &path, const Call &call, bool refresh)
{
    // The service root: the first segment of the path (/API_BUSINESS_PARTNER/...).
    const qsizetype second = path.indexOf(u'/', 1);
    const QString root = (second < 0 ? path : path.left(second)) + u'/';
    if (!refresh && csrfTokens.contains(root))
        return csrfTokens.value(root);
    Result<QUrl> target = url(root, call, {});
    if (!target)
        return target.error();
    HttpRequest fetch;
    fetch.url = *target;
    fetch.setHeader("X-CSRF-Token", "Fetch");
    if (Result<void> waited = throttle(call.cancel); !waited)
        return waited.error();
    Result<HttpResponse> response = client->send(fetch, call.cancel);
    if (!response)
        return response.error();
    const QByteArray token = response->header("X-CSRF-Token");
    if (token.isEmpty() || token.compare("Required", Qt::CaseInsensitive) == 0) {
        return makeError("authentication_failed", Tr::tr("GET %1: no X-CSRF-Token in the answer (%2)")
                                                      .arg(displayUrl(fetch.url), response->describe()));
    }
    csrfTokens.insert(root, token);
    return token;
}

} // namespace Conflux::Connectors
