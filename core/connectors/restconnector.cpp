#include "restconnector.h"

#include "base/monotonic.h"
#include "connectors/httpclient.h"
#include "connectors/restauth.h"
#include "data/json.h"
#include "security/secrets.h"

#include <QCoreApplication>
#include <QHash>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <mutex>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::RestConnector)
};

using Style = RestPagination::Style;
using ParamsIn = RestPagination::ParamsIn;
using Pairs = QList<std::pair<QString, QString>>;

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

void removePair(Pairs &list, const QString &name)
{
    list.removeIf([&](const auto &p) { return p.first == name; });
}

// A query string: everything but unreserved characters and the delimiters that vendors write
// as is in their examples (created[gt], $top, a,b, 12:00) is percent-encoded; "+", "&", "=",
// ";" and "#" always are.
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

// application/x-www-form-urlencoded with nested members as a[b]=c and items as a[0]=c.
void formFields(const QString &prefix, const Data::Value &value, QByteArray &out)
{
    if (value.isObject() || value.isArray()) {
        if (value.isObject()) {
            for (const auto &[key, member] : value.toObject())
                formFields(prefix.isEmpty() ? key : prefix + u'[' + key + u']', member, out);
        } else {
            for (qsizetype i = 0; i < value.size(); ++i)
                formFields(prefix + u'[' + QString::number(i) + u']', value.at(i), out);
        }
        return;
    }
    if (value.isUndefined())
        return;
    if (!out.isEmpty())
        out += '&';
    out += QUrl::toPercentEncoding(prefix) + '=' + QUrl::toPercentEncoding(Rest::scalarText(value));
}

// RFC 8288: the target of the link with rel="next", or an empty string.
QString nextLink(const HttpResponse &response)
{
    const QString all = QString::fromUtf8(response.headerValues("Link").join(','));
    qsizetype i = 0;
    while ((i = all.indexOf(u'<', i)) >= 0) {
        const qsizetype close = all.indexOf(u'>', i);
        if (close < 0)
            break;
        const QString target = all.mid(i + 1, close - i - 1).trimmed();
        qsizetype end = all.indexOf(u'<', close);
        const QString params = all.mid(close + 1, end < 0 ? -1 : end - close - 1);
        for (const QString &param : params.split(u';')) {
            const qsizetype eq = param.indexOf(u'=');
            if (eq < 0 || param.left(eq).trimmed().compare(u"rel", Qt::CaseInsensitive) != 0)
                continue;
            QString rel = param.mid(eq + 1).trimmed();
            rel.remove(u'"');
            rel.remove(u',');
            if (rel.split(u' ', Qt::SkipEmptyParts).contains(u"next"_s, Qt::CaseInsensitive))
                return target;
        }
        i = close;
    }
    return {};
}

// The query of a URL as decoded name/value pairs, in order.
Pairs queryPairs(const QUrl &url)
{
    Pairs query;
    for (const QString &item : url.query(QUrl::FullyEncoded).split(u'&', Qt::SkipEmptyParts)) {
        const qsizetype eq = item.indexOf(u'=');
        query.append({QUrl::fromPercentEncoding(item.left(eq).toLatin1()),
                      eq < 0 ? QString() : QUrl::fromPercentEncoding(item.mid(eq + 1).toLatin1())});
    }
    return query;
}

bool isEmptyValue(const Data::Value *value)
{
    return !value || value->isNull() || value->isUndefined() || (value->isString() && value->toString().isEmpty());
}

QString cursorPointer(const QString &field)
{
    if (field.isEmpty() || field.startsWith(u'/'))
        return field;
    return u'/' + Rest::escapePointerToken(field);
}

} // namespace

// ---- private state --------------------------------------------------------------------------

struct RestConnector::Private
{
    RestConnector *q = nullptr;
    RestEndpointConfig config;
    ConnectorContext context;
    std::unique_ptr<HttpClient> client;
    bool prepared = false;
    QHash<QString, Data::Value> values;     // definition parameters, secrets resolved
    QHash<QString, QByteArray> csrfTokens;  // odata_v2 service root → token

    // What one read or write is about.
    struct Call
    {
        const RestResource *resource = nullptr;
        Data::Object resourceValues;
        std::optional<QString> cursor;     // formatted, when the read is incremental
        qint64 offset = 0, limit = 0, page = 0;
        const Data::Value *record = nullptr; // writes: fields for the path placeholders
        const CancelToken *cancel = nullptr;
    };

    struct Page
    {
        HttpResponse response;
        Data::Value body;
    };

    const RestApi &api() const { return config.api; }
    QString endpointId() const { return q->endpoint().id; }

    Result<void> prepare();
    Rest::PlaceholderLookup lookup(const Call &call) const;
    Result<Call> startCall(const QString &entity, const Data::Value &filter, const CancelToken *cancel);
    Result<QUrl> url(const QString &path, const Call &call, const Pairs &query) const;
    Result<QString> baseUrl(const Call &call) const;
    Pairs expandPairs(const RestTemplateMap &map, const Call &call) const;
    Result<HttpRequest> firstRequest(const Call &call, int pageSize) const;
    Result<Page> exchange(HttpRequest request, const CancelToken *cancel, bool jsonRequired, int *status = nullptr);
    Result<void> checkBody(const Data::Value &body, const HttpRequest &request) const;
    Result<void> throttle(const CancelToken *cancel);
    Result<ReadSummary> readPages(Call &call, const ReadRequest &request, const PageSink &sink, HttpResponse *last);
    Result<std::vector<Data::Value>> records(const Data::Value &body, const QString &selector, const Call &call,
                                             QStringList &columns, bool firstPage, const HttpRequest &request) const;
    Result<QByteArray> csrfToken(const QString &path, const Call &call, bool refresh);
    QStringList keyFields(const RestResource &resource, const Data::Object &values) const;
};

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

Result<std::vector<Data::Value>> RestConnector::Private::records(const Data::Value &body, const QString &selector,
                                                                 const Call &call, QStringList &columns, bool firstPage,
                                                                 const HttpRequest &request) const
{
    const RestResource &r = *call.resource;
    const QString where = QString::fromLatin1(request.method) + u' ' + displayUrl(request.url);
    std::vector<Data::Value> out;
    const Data::Value *items = Rest::pointerGet(body, selector);
    if (!items || items->isNull())
        return out; // QuickBooks leaves the member out when nothing matches
    if (!items->isArray()) {
        return makeError("invalid_response", Tr::tr("%1: the record selector \"%2\" points to %3, not to an array of "
                                                    "records")
                                                 .arg(where, selector, QLatin1StringView(items->typeName())));
    }
    if (r.recordFormat == RestResource::RecordFormat::Object) {
        out.reserve(size_t(items->size()));
        for (qsizetype i = 0; i < items->size(); ++i) {
            const Data::Value &item = items->at(i);
            if (!item.isObject()) {
                return makeError("invalid_response", Tr::tr("%1: record %2 at \"%3\" is %4, not an object")
                                                         .arg(where)
                                                         .arg(i)
                                                         .arg(selector, QLatin1StringView(item.typeName())));
            }
            out.push_back(item);
        }
        return out;
    }
    // Column names for array and cells_fv records.
    qsizetype first = 0;
    if (!r.columnsPath.isEmpty()) {
        if (const Data::Value *descriptors = Rest::pointerGet(body, r.columnsPath); descriptors && descriptors->isArray()) {
            columns.clear();
            for (const Data::Value &d : descriptors->toArray())
                columns.append(d.isObject() ? Rest::scalarText(d[r.columnNameField]) : Rest::scalarText(d));
        }
    } else if (!r.columnNamesParam.isEmpty() && columns.isEmpty()) {
        const Data::Value *names = call.resourceValues.find(r.columnNamesParam);
        for (const QString &name : (names ? Rest::scalarText(*names) : QString()).split(u',', Qt::SkipEmptyParts))
            columns.append(name.trimmed());
    } else if (r.headerRow && firstPage && items->size() > 0) {
        columns.clear();
        for (const Data::Value &cell : items->at(0).toArray())
            columns.append(Rest::scalarText(cell));
        first = 1;
    }
    if (columns.isEmpty() && items->size() > first) {
        return makeError("invalid_response", Tr::tr("%1: no column names for the %2 records (columns_path, "
                                                    "column_names_param or header_row)")
                                                 .arg(where, r.recordFormat == RestResource::RecordFormat::Array
                                                                 ? u"array"_s
                                                                 : u"cells_fv"_s));
    }
    for (qsizetype i = first; i < items->size(); ++i) {
        const Data::Value &item = items->at(i);
        Data::Array cells;
        if (r.recordFormat == RestResource::RecordFormat::Array && item.isArray()) {
            cells = item.toArray();
        } else if (r.recordFormat == RestResource::RecordFormat::CellsFv && item[u"f"].isArray()) {
            for (const Data::Value &cell : item[u"f"].toArray())
                cells.push_back(cell.isObject() ? cell[u"v"] : Data::Value::null());
        } else {
            return makeError("invalid_response", Tr::tr("%1: record %2 at \"%3\" is not %4")
                                                     .arg(where)
                                                     .arg(i)
                                                     .arg(selector, r.recordFormat == RestResource::RecordFormat::Array
                                                                        ? Tr::tr("an array of cells")
                                                                        : Tr::tr("an {\"f\": [{\"v\": ...}]} row")));
        }
        Data::Object record;
        for (qsizetype c = 0; c < std::max<qsizetype>(columns.size(), qsizetype(cells.size())); ++c) {
            const QString name = c < columns.size() ? columns.at(c) : u"column_%1"_s.arg(c + 1);
            const Data::Value cell = c < qsizetype(cells.size()) ? cells[size_t(c)] : Data::Value::null();
            record.insert(name, cell.isUndefined() ? Data::Value::null() : cell);
        }
        out.push_back(Data::Value(std::move(record)));
    }
    return out;
}

Result<ReadSummary> RestConnector::Private::readPages(Call &call, const ReadRequest &request, const PageSink &sink,
                                                      HttpResponse *last)
{
    const RestResource &r = *call.resource;
    const RestPagination &p = r.pagination;
    const int pageSize = request.pageSize > 0 ? request.pageSize : p.pageSize;
    call.limit = pageSize;
    call.offset = p.startOffset;
    call.page = p.startPage;

    // Incremental: the cursor sent to the API (only for the resource's own cursor field) and
    // the client-side filter.
    const QString cursorField = request.cursorField.isEmpty() ? r.cursorField : cursorPointer(request.cursorField);
    const bool incremental = !cursorField.isEmpty() && !request.cursorAfter.isNull() && !request.cursorAfter.isUndefined();
    if (incremental && cursorField == r.cursorField) {
        Result<QString> formatted = Rest::formatCursor(request.cursorAfter, r.cursorFormat);
        if (!formatted)
            return formatted.error();
        call.cursor = *formatted;
    }
    Result<HttpRequest> first = firstRequest(call, pageSize);
    if (!first)
        return first.error();
    HttpRequest current = *first;
    const QUrl origin = current.url;
    const QStringList keys = keyFields(r, call.resourceValues);
    QString selector = r.recordSelector;
    QStringList columns;
    QHash<QString, Data::Value> seen; // key → the greatest cursor passed on (dedup)
    ReadSummary summary;
    qint64 rawRecords = 0;

    for (int n = 0;; ++n) {
        if (n >= config.maxPages) {
            return makeError("max_pages_exceeded",
                             Tr::tr("Endpoint %1, resource %2: still more pages after %3 (configuration.max_pages); "
                                    "the API may never say it is done")
                                 .arg(endpointId(), r.name)
                                 .arg(config.maxPages));
        }
        if (request.cancel && request.cancel->isCancelled())
            return makeError("cancelled", Tr::tr("Reading %1 from endpoint %2 was cancelled").arg(r.name, endpointId()));
        Result<Page> page = exchange(current, request.cancel, true);
        if (!page)
            return page.error();
        if (last)
            *last = page->response;
        Result<std::vector<Data::Value>> found = records(page->body, selector, call, columns, n == 0, current);
        if (!found)
            return found.error();
        ++summary.pages;
        const qsizetype count = qsizetype(found->size());
        rawRecords += count;
        const Data::Value lastRecord = found->empty() ? Data::Value() : found->back();

        // Filter, deduplicate, project, limit.
        std::vector<Data::Value> passed;
        passed.reserve(found->size());
        for (Data::Value &record : *found) {
            const Data::Value *cursor = cursorField.isEmpty() ? nullptr : Rest::pointerGet(record, cursorField);
            if (incremental && !isEmptyValue(cursor) && Rest::compareCursor(*cursor, request.cursorAfter) <= 0)
                continue;
            const Data::Value key = Rest::recordKey(record, keys);
            if (!key.isUndefined()) {
                const QString id = QString::fromUtf8(Data::Json::serialize(key));
                auto it = seen.find(id);
                if (it != seen.end() && (isEmptyValue(cursor) || it->isUndefined() || Rest::compareCursor(*cursor, *it) <= 0))
                    continue;
                seen.insert(id, cursor ? *cursor : Data::Value());
            }
            if (!isEmptyValue(cursor) && (summary.lastCursor.isNull() || summary.lastCursor.isUndefined()
                                          || Rest::compareCursor(*cursor, summary.lastCursor) > 0))
                summary.lastCursor = *cursor;
            if (!request.fields.isEmpty()) {
                Data::Object projected;
                for (const QString &field : request.fields) {
                    if (const Data::Value *v = record.toObject().find(field))
                        projected.insert(field, *v);
                }
                record = Data::Value(std::move(projected));
            }
            passed.push_back(std::move(record));
            if (request.limit >= 0 && summary.records + qint64(passed.size()) >= request.limit)
                break;
        }
        summary.records += qint64(passed.size());
        const bool limited = request.limit >= 0 && summary.records >= request.limit;
        if (!passed.empty() && sink && !sink(std::move(passed))) {
            summary.stoppedEarly = true;
            return summary;
        }
        if (limited) {
            summary.stoppedEarly = true;
            return summary;
        }

        // Is there another page, and which request fetches it?
        bool more = count > 0 && p.style != Style::None;
        if (p.hasMorePath) {
            const Data::Value *v = Rest::pointerGet(page->body, *p.hasMorePath);
            more = more && v && v->isBool() && v->toBool();
        }
        if (p.donePath) {
            const Data::Value *v = Rest::pointerGet(page->body, *p.donePath);
            more = more && !(v && v->toBool());
        }
        auto number = [&](const std::optional<QString> &path) -> std::optional<double> {
            const Data::Value *v = path ? Rest::pointerGet(page->body, *path) : nullptr;
            if (v && v->isNumber())
                return v->toDouble();
            if (v && v->isString() && !v->toString().isEmpty())
                return v->toString().toDouble();
            return std::nullopt;
        };
        if (!more)
            break;
        HttpRequest next = *first;
        switch (p.style) {
        case Style::None:
            break;
        case Style::Offset: {
            if (pageSize > 0 && count < pageSize)
                more = false;
            if (const std::optional<double> total = number(p.totalPath); total && double(p.startOffset + rawRecords) >= *total)
                more = false;
            call.offset = p.startOffset + qint64(n + 1) * pageSize;
            break;
        }
        case Style::Page: {
            if (pageSize > 0 && count < pageSize)
                more = false;
            if (const std::optional<double> pages = number(p.totalPagesPath); pages && double(n + 1) >= *pages)
                more = false;
            if (const std::optional<double> total = number(p.totalPath); total && double(rawRecords) >= *total)
                more = false;
            call.page = p.startPage + n + 1;
            break;
        }
        case Style::Cursor: {
            const bool continued = n > 0 && p.continuation;
            const Data::Value *cursor = nullptr;
            if (p.nextCursorPath.isEmpty()) {
                cursor = Rest::pointerGet(lastRecord, p.lastRecordCursorPath);
            } else {
                const QString path = continued && p.continuation->nextCursorPath ? *p.continuation->nextCursorPath
                                                                                   : p.nextCursorPath;
                cursor = Rest::pointerGet(page->body, path);
            }
            if (isEmptyValue(cursor)) {
                more = false;
                break;
            }
            const Data::Value cursorValue = *cursor;
            if (p.continuation) {
                const RestContinuation &c = *p.continuation;
                selector = c.recordSelector.value_or(r.recordSelector);
                Pairs query = expandPairs(api().query, call);
                if (p.paramsIn == ParamsIn::Query)
                    setPair(query, p.cursorParam, Rest::scalarText(cursorValue));
                Result<QUrl> target = url(c.path, call, query);
                if (!target)
                    return target.error();
                next.method = c.method;
                next.url = *target;
                Data::Value body = c.body.isUndefined() ? Data::Value() : Rest::expandJson(c.body, lookup(call));
                if (p.paramsIn == ParamsIn::Body && !Rest::pointerSet(body, p.cursorParam, cursorValue)) {
                    return makeError("invalid_endpoint", Tr::tr("resource %1 of endpoint %2: the cursor %3 cannot be "
                                                                "placed in the continuation body")
                                                             .arg(r.name, endpointId(), p.cursorParam));
                }
                next.body = body.isUndefined() ? QByteArray() : Data::Json::serialize(body);
                if (next.body.isEmpty())
                    next.headers.removeIf([](const auto &h) { return h.first.compare("Content-Type", Qt::CaseInsensitive) == 0; });
                else
                    next.setHeader("Content-Type", "application/json");
            } else if (p.paramsIn == ParamsIn::Body) {
                Result<Data::Value> body = Data::Json::parse(first->body.isEmpty() ? "{}"_ba : first->body);
                Data::Value patched = body ? *body : Data::Value(Data::Object());
                if (!Rest::pointerSet(patched, p.cursorParam, cursorValue)) {
                    return makeError("invalid_endpoint", Tr::tr("resource %1 of endpoint %2: the cursor %3 cannot be "
                                                                "placed in the request body")
                                                             .arg(r.name, endpointId(), p.cursorParam));
                }
                next.body = Data::Json::serialize(patched);
                next.setHeader("Content-Type", "application/json");
            } else {
                Pairs query = queryPairs(first->url);
                setPair(query, p.cursorParam, Rest::scalarText(cursorValue));
                next.url.setQuery(encodeQuery(query), QUrl::TolerantMode);
            }
            break;
        }
        case Style::LinkHeader:
        case Style::NextUrl: {
            QString target;
            if (p.style == Style::LinkHeader) {
                target = nextLink(page->response);
            } else {
                const Data::Value *v = Rest::pointerGet(page->body, p.nextUrlPath);
                target = isEmptyValue(v) ? QString() : Rest::scalarText(*v);
            }
            if (target.isEmpty()) {
                more = false;
                break;
            }
            const QUrl resolved = current.url.resolved(QUrl::fromEncoded(target.toUtf8(), QUrl::TolerantMode));
            if (resolved.host().compare(origin.host(), Qt::CaseInsensitive) != 0
                || (origin.scheme() == "https"_L1 && resolved.scheme() != "https"_L1)) {
                return makeError("invalid_response",
                                 Tr::tr("%1: the next page's URL %2 is on another host; it is not followed, so that "
                                        "the endpoint's credentials are not sent there")
                                     .arg(displayUrl(current.url), displayUrl(resolved)));
            }
            next.method = "GET";
            next.url = resolved;
            next.body.clear();
            next.headers.removeIf([](const auto &h) { return h.first.compare("Content-Type", Qt::CaseInsensitive) == 0; });
            break;
        }
        }
        if (!more)
            break;
        if (p.style == Style::Offset || p.style == Style::Page) {
            Result<HttpRequest> rebuilt = firstRequest(call, pageSize);
            if (!rebuilt)
                return rebuilt.error();
            next = *rebuilt;
            auto put = [&](const QString &param, qint64 value) {
                if (param.isEmpty())
                    return;
                if (p.paramsIn == ParamsIn::Body) {
                    Result<Data::Value> body = Data::Json::parse(next.body);
                    Data::Value patched = body ? *body : Data::Value(Data::Object());
                    Rest::pointerSet(patched, param, Data::Value(value));
                    next.body = Data::Json::serialize(patched);
                }
            };
            if (p.paramsIn == ParamsIn::Query) {
                Pairs query = queryPairs(next.url);
                if (p.style == Style::Offset)
                    setPair(query, p.offsetParam, QString::number(call.offset));
                else
                    setPair(query, p.pageParam, QString::number(call.page));
                next.url.setQuery(encodeQuery(query), QUrl::TolerantMode);
            } else if (p.paramsIn == ParamsIn::Body) {
                put(p.style == Style::Offset ? p.offsetParam : p.pageParam, p.style == Style::Offset ? call.offset : call.page);
            }
        }
        current = next;
    }
    return summary;
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

// ---- RestConnector ----------------------------------------------------------------------------

RestConnector::RestConnector(EndpointSpec endpoint, RestEndpointConfig config, ConnectorContext context)
    : Connector(std::move(endpoint)), d(std::make_unique<Private>())
{
    d->q = this;
    d->config = std::move(config);
    d->context = std::move(context);
    Result<HttpClientOptions> options = HttpClientOptions::fromEndpoint(this->endpoint());
    d->client = std::make_unique<HttpClient>(options ? *options : HttpClientOptions(), this->endpoint().authentication,
                                             d->context);
}

RestConnector::~RestConnector() = default;

const RestApi &RestConnector::api() const
{
    return d->api();
}

Capabilities RestConnector::capabilities() const
{
    Capabilities caps = Capability::TestConnection | Capability::DiscoverSchema;
    for (const RestResource &r : d->api().resources) {
        if (r.readable)
            caps |= Capability::Read;
        if (r.readable && !r.cursorField.isEmpty())
            caps |= Capability::IncrementalRead;
        if (r.insert)
            caps |= Capability::Insert;
        if (r.update)
            caps |= Capability::Upsert;
        if (r.remove)
            caps |= Capability::Delete;
    }
    return caps;
}

Result<QString> RestConnector::resolvedBaseUrl()
{
    if (Result<void> ready = d->prepare(); !ready)
        return ready.error();
    return d->baseUrl(Private::Call());
}

Result<ConnectionTest> RestConnector::testConnection()
{
    if (Result<void> ready = d->prepare(); !ready)
        return ready.error();
    // The first readable resource whose required parameters have values: one small page.
    for (const RestResource &r : d->api().resources) {
        if (!r.readable)
            continue;
        const Data::Object given = d->config.resourceValues.value(r.name);
        const bool complete = std::all_of(r.parameters.begin(), r.parameters.end(), [&](const RestResourceParameter &p) {
            return !p.required || !isEmptyValue(given.find(p.name)) || !p.defaultValue.isUndefined();
        });
        if (!complete)
            continue;
        Result<Private::Call> call = d->startCall(r.name, {}, nullptr);
        if (!call)
            return call.error();
        ReadRequest request;
        request.entity = r.name;
        request.pageSize = r.pagination.limitParam.isEmpty() ? 0 : 1;
        request.limit = 1;
        HttpResponse last;
        const qint64 started = monotonicMs();
        Result<ReadSummary> read = d->readPages(*call, request, {}, &last);
        if (!read)
            return read.error();
        ConnectionTest test;
        test.latencyMs = last.elapsedMs > 0 ? last.elapsedMs : monotonicMs() - started;
        test.serverInfo = u"HTTP %1"_s.arg(last.status);
        if (const QByteArray server = last.header("Server"); !server.isEmpty())
            test.serverInfo += u", "_s + QString::fromLatin1(server);
        return test;
    }
    Result<QString> base = d->baseUrl(Private::Call());
    if (!base)
        return base.error();
    HttpRequest request;
    request.url = QUrl::fromEncoded(base->toUtf8(), QUrl::TolerantMode);
    if (Result<void> waited = d->throttle(nullptr); !waited)
        return waited.error();
    Result<HttpResponse> response = d->client->send(request);
    if (!response)
        return response.error();
    if (response->status == 401 || response->status == 403)
        return makeError("authentication_failed", Tr::tr("GET %1: %2").arg(displayUrl(request.url), response->describe()));
    if (response->status >= 500)
        return makeError("http_error", Tr::tr("GET %1: %2").arg(displayUrl(request.url), response->describe()));
    ConnectionTest test;
    test.latencyMs = response->elapsedMs;
    test.serverInfo = u"HTTP %1"_s.arg(response->status);
    if (const QByteArray server = response->header("Server"); !server.isEmpty())
        test.serverInfo += u", "_s + QString::fromLatin1(server);
    return test;
}

Result<std::vector<Entity>> RestConnector::discover()
{
    std::vector<Entity> entities;
    for (const RestResource &r : d->api().resources) {
        if (!r.readable)
            continue;
        Entity e;
        e.name = r.name;
        e.description = r.description;
        e.keyFields = d->keyFields(r, d->config.resourceValues.value(r.name));
        // A top-level cursor field by its name, a nested one as its pointer.
        e.cursorField = r.cursorField.count(u'/') == 1 ? r.cursorField.mid(1).replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s)
                                                       : r.cursorField;
        e.capabilities = Capability::Read;
        if (!r.cursorField.isEmpty())
            e.capabilities |= Capability::IncrementalRead;
        if (r.insert)
            e.capabilities |= Capability::Insert;
        if (r.update)
            e.capabilities |= Capability::Upsert;
        if (r.remove)
            e.capabilities |= Capability::Delete;
        if (d->config.discoverSamples) {
            const Data::Object given = d->config.resourceValues.value(r.name);
            const bool complete = std::all_of(r.parameters.begin(), r.parameters.end(), [&](const RestResourceParameter &p) {
                return !p.required || !isEmptyValue(given.find(p.name)) || !p.defaultValue.isUndefined();
            });
            if (complete) {
                Result<Data::SchemaField> schema = sampleSchema(r.name);
                if (!schema)
                    return schema.error();
                e.schema = std::move(*schema);
            }
        }
        entities.push_back(std::move(e));
    }
    return entities;
}

Result<Data::SchemaField> RestConnector::sampleSchema(const QString &entity, const Data::Object &parameters,
                                                      const CancelToken *cancel)
{
    Result<Private::Call> call = d->startCall(entity, parameters.isEmpty() ? Data::Value() : Data::Value(parameters), cancel);
    if (!call)
        return call.error();
    Data::SchemaInference inference;
    ReadRequest request;
    request.entity = entity;
    request.cancel = cancel;
    Result<ReadSummary> read = d->readPages(*call, request,
                                            [&](std::vector<Data::Value> &&records) {
                                                for (const Data::Value &record : records)
                                                    inference.add(record);
                                                return false; // one page is enough
                                            },
                                            nullptr);
    if (!read)
        return read.error();
    return inference.result();
}

Result<ReadSummary> RestConnector::read(const ReadRequest &request, const PageSink &sink)
{
    Result<Private::Call> call = d->startCall(request.entity, request.filter, request.cancel);
    if (!call)
        return call.error();
    if (!call->resource->readable) {
        return makeError("unsupported", Tr::tr("resource %1 of endpoint %2 cannot be read (\"read\": false)")
                                            .arg(call->resource->name, endpoint().id));
    }
    return d->readPages(*call, request, sink, nullptr);
}

Result<WriteSummary> RestConnector::write(const WriteRequest &request)
{
    Result<Private::Call> started = d->startCall(request.entity, {}, request.cancel);
    if (!started)
        return started.error();
    Private::Call call = *started;
    const RestResource &r = *call.resource;
    const QStringList keys = request.keyFields.isEmpty() ? d->keyFields(r, call.resourceValues) : request.keyFields;
    WriteSummary summary;
    const qsizetype total = qsizetype(request.records.size());
    auto failed = [&](qsizetype index, const Error &error) {
        return Error{error.code,
                     Tr::tr("Writing record %1 of %2 to %3 (%4 inserted, %5 updated, %6 deleted before it): %7")
                         .arg(index + 1)
                         .arg(total)
                         .arg(r.name)
                         .arg(summary.inserted)
                         .arg(summary.updated)
                         .arg(summary.deleted)
                         .arg(error.message),
                     error.details};
    };
    for (qsizetype i = 0; i < total; ++i) {
        if (request.cancel && request.cancel->isCancelled())
            return failed(i, makeError("cancelled", Tr::tr("cancelled")));
        const Data::Value &record = request.records[size_t(i)];
        if (!record.isObject())
            return failed(i, makeError("invalid_request", Tr::tr("the record is %1, not an object").arg(QLatin1StringView(record.typeName()))));
        const RestWriteOperation *op = nullptr;
        enum class Kind { Insert, Update, Delete } kind = Kind::Insert;
        switch (request.mode) {
        case WriteMode::Insert:
            op = r.insert ? &*r.insert : nullptr;
            break;
        case WriteMode::Upsert:
            if (r.update && !Rest::recordKey(record, keys).isUndefined()) {
                op = &*r.update;
                kind = Kind::Update;
            } else {
                op = r.insert ? &*r.insert : nullptr;
            }
            break;
        case WriteMode::Delete:
            op = r.remove ? &*r.remove : nullptr;
            kind = Kind::Delete;
            break;
        }
        if (!op) {
            return failed(i, makeError("unsupported", Tr::tr("the resource has no %1 operation")
                                                          .arg(request.mode == WriteMode::Delete ? u"delete"_s
                                                                                                 : request.mode == WriteMode::Insert
                                                                                                       ? u"insert"_s
                                                                                                       : u"insert or update"_s)));
        }
        call.record = &record;
        // Every placeholder of the path needs a value: a parameter or a field of the record. A
        // field the path carries (the key in /customers/{id}) is left out of the body.
        const Rest::PlaceholderLookup find = d->lookup(call);
        Data::Value fields = record;
        for (const QString &name : Rest::placeholders(op->path)) {
            const Rest::Placeholder p = find(name);
            if (!p.known || p.value.isUndefined() || p.value.isNull() || Rest::scalarText(p.value).isEmpty())
                return failed(i, makeError("invalid_request", Tr::tr("no value for {%1} in the path %2").arg(name, op->path)));
            if (!r.parameter(name) && !d->api().parameter(name))
                fields.mutableObject().remove(name);
        }
        Pairs query = d->expandPairs(d->api().query, call);
        for (const auto &[name, value] : d->expandPairs(op->query, call))
            setPair(query, name, value);
        Result<QUrl> target = d->url(op->path, call, query);
        if (!target)
            return failed(i, target.error());
        HttpRequest http;
        http.method = op->method;
        http.url = *target;
        for (const auto &[name, value] : d->expandPairs(d->api().headers, call))
            http.setHeader(name.toLatin1(), value.toUtf8());
        for (const auto &[name, value] : d->expandPairs(op->headers, call))
            http.setHeader(name.toLatin1(), value.toUtf8());
        if (op->method != "DELETE") {
            const Data::Value body = op->bodyKey.isEmpty() ? fields : Data::Value(Data::Object{{op->bodyKey, fields}});
            if (op->form) {
                QByteArray form;
                formFields(QString(), body, form);
                http.body = form;
                http.setHeader("Content-Type", "application/x-www-form-urlencoded");
            } else {
                http.body = Data::Json::serialize(body);
                http.setHeader("Content-Type", "application/json");
            }
        }
        if (d->api().protocol == "odata_v2"_L1) {
            Result<QByteArray> token = d->csrfToken(op->path, call, false);
            if (!token)
                return failed(i, token.error());
            http.setHeader("X-CSRF-Token", *token);
        }
        int status = 0;
        Result<Private::Page> done = d->exchange(http, request.cancel, false, &status);
        if (!done && d->api().protocol == "odata_v2"_L1 && done.error().code == u"authentication_failed"_s) {
            // An expired CSRF token: fetch a new one once.
            Result<QByteArray> token = d->csrfToken(op->path, call, true);
            if (!token)
                return failed(i, token.error());
            http.setHeader("X-CSRF-Token", *token);
            done = d->exchange(http, request.cancel, false, &status);
        }
        if (!done && kind == Kind::Delete && status == 404) {
            ++summary.unchanged; // already gone
            continue;
        }
        if (!done)
            return failed(i, done.error());
        switch (kind) {
        case Kind::Insert:
            ++summary.inserted;
            break;
        case Kind::Update:
            ++summary.updated;
            break;
        case Kind::Delete:
            ++summary.deleted;
            break;
        }
    }
    return summary;
}

Result<std::unique_ptr<Connector>> createRestConnector(const EndpointSpec &endpoint, const ConnectorContext &context,
                                                       const ConnectorCatalog *catalog)
{
    if (endpoint.protocol != Protocol::Rest) {
        return makeError("invalid_endpoint", Tr::tr("Endpoint %1 speaks %2, not rest").arg(endpoint.id, protocolName(endpoint.protocol)),
                         {u"/protocol: must be rest"_s});
    }
    Result<RestEndpointConfig> config = RestEndpointConfig::fromEndpoint(endpoint, catalog);
    Result<HttpClientOptions> options = HttpClientOptions::fromEndpoint(endpoint);
    if (!config || !options) {
        QStringList details;
        if (!config)
            details += config.error().details;
        if (!options)
            details += options.error().details;
        return makeError("invalid_endpoint", Tr::tr("Endpoint %1 has an invalid REST configuration").arg(endpoint.id), details);
    }
    return std::unique_ptr<Connector>(std::make_unique<RestConnector>(endpoint, std::move(*config), context));
}

} // namespace Conflux::Connectors
