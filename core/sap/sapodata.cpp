#include "sapodata.h"

#include "connectors/odataconnector.h"
#include "sapconnection.h"
#include "sapoperation.h"
#include "sappool.h"
#include "tr_p.h"

#include <QElapsedTimer>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Sap {

using Internal::Tr;

struct SapODataClient::Service
{
    std::mutex mutex; // one call at a time on the connector
    std::unique_ptr<Connectors::ODataConnector> connector;
};

namespace {

QString serviceUrl(const QUrl &base, const QString &service)
{
    QString root = base.toString(QUrl::StripTrailingSlash);
    QString path = service.startsWith(u'/') ? service : u"/sap/opu/odata/sap/"_s + service;
    if (!path.endsWith(u'/'))
        path += u'/';
    return root + path;
}

// "a,b" or ["a", "b"] → ["a", "b"]; empty when absent.
Result<QStringList> list(const Data::Value &value, const QString &name)
{
    QStringList out;
    if (value.isUndefined() || value.isNull())
        return out;
    if (value.isString()) {
        for (const QString &item : value.toString().split(u','))
            if (!item.trimmed().isEmpty())
                out.append(item.trimmed());
        return out;
    }
    if (value.isArray()) {
        for (const Data::Value &item : value.toArray()) {
            if (!item.isString())
                return makeError("invalid_sap_operation", Tr::tr("\"%1\" must be strings").arg(name));
            out.append(item.toString());
        }
        return out;
    }
    return makeError("invalid_sap_operation", Tr::tr("\"%1\" must be a string or an array of strings").arg(name));
}

Result<std::optional<qint64>> count(const Data::Value &value, const QString &name)
{
    if (value.isUndefined() || value.isNull())
        return std::optional<qint64>();
    const double n = value.toDouble();
    if (!value.isNumber() || n < 0 || n != std::floor(n))
        return makeError("invalid_sap_operation", Tr::tr("\"%1\" must be a whole number of at least 0").arg(name));
    return std::optional<qint64>(qint64(n));
}

// The X.509 logon as the OData endpoint's configuration.tls: the client certificate, its key,
// the key's pass phrase (a secret name) and the CAs to trust.
Data::Value x509Settings(const SapConnection &connection)
{
    Data::Object tls{{u"certificate_file"_s, Data::Value(connection.certificateFile)},
                     {u"key_file"_s, Data::Value(connection.keyFile)}};
    if (!connection.keyPasswordSecret.isEmpty()) {
        tls.insert(u"key_passphrase"_s,
                   Data::Value(Data::Object{{u"secret"_s, Data::Value(connection.keyPasswordSecret)}}));
    }
    if (!connection.caFile.isEmpty())
        tls.insert(u"ca_file"_s, Data::Value(connection.caFile));
    return Data::Value(std::move(tls));
}

// An error of the OData endpoint made from the connection, its TLS details pointing at the
// connection document's authentication ("/authentication/key_file: ...").
Error connectionError(const SapConnection &connection, Error error)
{
    static const QList<std::pair<QString, QString>> pointers{
        {u"/configuration/tls/key_passphrase"_s, u"/authentication/key_password"_s},
        {u"/configuration/tls/"_s, u"/authentication/"_s}};
    bool fromConnection = false;
    for (QString &detail : error.details) {
        for (const auto &[from, to] : pointers) {
            if (detail.startsWith(from)) {
                detail = to + detail.mid(from.size());
                fromConnection = true;
                break;
            }
        }
    }
    if (fromConnection)
        error.message = Tr::tr("SAP connection %1 cannot log on with its X.509 certificate").arg(connection.id);
    return error;
}

} // namespace

SapODataClient::SapODataClient(std::shared_ptr<SapPool> pool) : m_pool(std::move(pool)) { }

SapODataClient::~SapODataClient() = default;

Result<Data::Value> SapODataClient::run(const SapOperation &operation, const Data::Value &input,
                                        const Connectors::CancelToken *cancel)
{
    const SapConnection &connection = m_pool->connection();
    if (operation.type != SapOperationType::OData) {
        return makeError("sap_unsupported", Tr::tr("SAP operation %1 is of type %2, not odata")
                                                .arg(operation.id, operationTypeName(operation.type)));
    }
    if (!input.isUndefined() && !input.isNull() && !input.isObject()) {
        return makeError("invalid_sap_operation", Tr::tr("The input of SAP operation %1 must be an object, not %2")
                                                      .arg(operation.id, QLatin1StringView(input.typeName())));
    }
    // The operation's constant parameters, with the input over them.
    Data::Object options = operation.parameters;
    for (const auto &[key, value] : input.toObject())
        options.insert(key, value);
    const Data::Value merged(options);

    int version = operation.service.contains(u"/odata/v4/") || operation.service.contains(u"/odata4/") ? 4 : 2;
    if (const Data::Value *v = options.find(u"odata_version")) {
        if (v->toDouble() != 2 && v->toDouble() != 4)
            return makeError("invalid_sap_operation", Tr::tr("SAP operation %1: odata_version must be 2 or 4").arg(operation.id));
        version = int(v->toDouble());
    }
    const QString method = operation.method.isEmpty() ? u"GET"_s : operation.method;
    const QString label = u"ODATA %1 %2"_s.arg(method, operation.entitySet);

    // One connector per service and version, created on first use.
    const QString url = serviceUrl(connection.baseUrl, operation.service);
    std::shared_ptr<Service> service;
    {
        std::lock_guard lock(m_mutex);
        const bool update = method == u"PUT" || method == u"PATCH" || method == u"MERGE";
        std::shared_ptr<Service> &slot =
            m_services[url + u'#' + QString::number(version) + (update ? u'#' + method : QString())];
        if (!slot) {
            Connectors::EndpointSpec endpoint;
            endpoint.id = u"sap/"_s + connection.id; // shares the connection's circuit breaker
            endpoint.name = connection.name;
            endpoint.type = Connectors::EndpointType::Api;
            endpoint.protocol = version == 4 ? Connectors::Protocol::ODataV4 : Connectors::Protocol::ODataV2;
            endpoint.url = QUrl(url);
            endpoint.authentication = connection.authentication;
            endpoint.timeoutSeconds = connection.timeoutSeconds;
            endpoint.configuration.insert(u"sap_client"_s, Data::Value(connection.client));
            if (update)
                endpoint.configuration.insert(u"update_method"_s, Data::Value(method.toLower()));
            if (connection.authenticationType == SapAuthentication::X509)
                endpoint.configuration.insert(u"tls"_s, x509Settings(connection));
            Result<std::unique_ptr<Connectors::ODataConnector>> made =
                Connectors::createODataConnectorTyped(endpoint, m_pool->context());
            if (!made)
                return connectionError(connection, made.error());
            auto created = std::make_shared<Service>();
            created->connector = std::move(*made);
            slot = std::move(created);
        }
        service = slot;
    }

    QElapsedTimer timer;
    timer.start();
    auto finish = [&](Result<Data::Value> result) {
        m_pool->recordCall(label, result ? u"ok"_s : result.error().code, double(timer.nsecsElapsed()) / 1e9);
        if (!result) {
            Error error = result.error();
            error.message = Tr::tr("SAP operation %1 (%2): %3").arg(operation.id, label, error.message);
            return Result<Data::Value>(error);
        }
        return result;
    };
    std::lock_guard busy(service->mutex);
    Connectors::ODataConnector &odata = *service->connector;
    const Data::Value key = merged[u"key"];

    if (method == u"GET") {
        if (!key.isUndefined() && !key.isNull())
            return finish(odata.get(operation.entitySet, key, cancel));
        Connectors::ODataQuery query;
        query.entitySet = operation.entitySet;
        if (const Data::Value filter = merged[u"filter"]; filter.isString())
            query.filter = filter.toString();
        else if (!filter.isUndefined() && !filter.isNull())
            return finish(makeError("invalid_sap_operation", Tr::tr("\"filter\" must be a string in OData syntax")));
        Result<QStringList> select = list(merged[u"select"], u"select"_s);
        Result<QStringList> expand = list(merged[u"expand"], u"expand"_s);
        Result<QStringList> orderBy = list(merged[u"orderby"], u"orderby"_s);
        Result<std::optional<qint64>> top = count(merged[u"top"], u"top"_s);
        Result<std::optional<qint64>> skip = count(merged[u"skip"], u"skip"_s);
        for (const Error *error : {select ? nullptr : &select.error(), expand ? nullptr : &expand.error(),
                                   orderBy ? nullptr : &orderBy.error(), top ? nullptr : &top.error(),
                                   skip ? nullptr : &skip.error()}) {
            if (error)
                return finish(*error);
        }
        query.select = *select;
        query.expand = *expand;
        query.orderBy = *orderBy;
        query.top = *top;
        query.skip = *skip;
        query.count = merged[u"count"].toBool();
        Result<Connectors::ODataPage> page = odata.query(query, cancel);
        if (!page)
            return finish(page.error());
        Data::Array results;
        results.reserve(page->records.size());
        for (Data::Value &record : page->records)
            results.push_back(std::move(record));
        Data::Object out{{u"results"_s, Data::Value(std::move(results))}};
        if (page->count)
            out.insert(u"count"_s, Data::Value(*page->count));
        return finish(Data::Value(std::move(out)));
    }
    if (method == u"POST") {
        Data::Object body = input.toObject();
        return finish(odata.create(operation.entitySet, Data::Value(std::move(body)), cancel));
    }
    if (key.isUndefined() || key.isNull()) {
        return finish(makeError("invalid_sap_operation",
                                Tr::tr("a %1 needs the entity's \"key\" in the input").arg(method)));
    }
    if (method == u"DELETE")
        return finish(odata.remove(operation.entitySet, key, cancel));
    const Data::Value data = merged[u"data"];
    if (!data.isObject())
        return finish(makeError("invalid_sap_operation", Tr::tr("a %1 needs the changed fields as \"data\"").arg(method)));
    return finish(odata.update(operation.entitySet, key, data, cancel));
}

} // namespace Conflux::Sap
