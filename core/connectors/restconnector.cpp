// The REST connector's Connector interface: test, discover, read, write, and its factory. The
// private state's requests are in restrequest.cpp, its page loop in restpaging.cpp.

#include "restconnector.h"
#include "restconnector_p.h"

#include "base/monotonic.h"
#include "data/json.h"

#include <QUrl>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace Internal::RestConnectorDetail;

namespace {

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

} // namespace

// ---- RestConnector ----------------------------------------------------------------------------

RestConnector::RestConnector(EndpointSpec endpoint, RestEndpointConfig config, ConnectorContext context)
    : Connector(std::move(endpoint)), d(std::make_unique<Private>())
{
    d->q = this;
    d->config = std::move(config);
    d->context = std::move(context);
    Result<HttpClientOptions> options = HttpClientOptions::fromEndpoint(this->endpoint(), d->context);
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
    Result<HttpClientOptions> options = HttpClientOptions::fromEndpoint(endpoint, context);
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
