#include "saprfcclient.h"

#include "connectors/httpclient.h"
#include "connectors/soapconnector.h"
#include "sap/sapoperation.h"
#include "sap/sappool.h"
#include "tr_p.h"

#include <QElapsedTimer>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Conflux::Sap {

using Internal::Tr;

namespace {

enum class Session : quint8 { None, Open, Close };

struct Call
{
    QString function;
    Data::Value parameters;
    QStringList tables;
    Session session = Session::None;
    bool idempotent = false;
    bool checkReturn = false;
};

// One HTTP exchange with SAP's SOAP RFC service on the lease's client, counted in the
// metrics. With checkReturn, RETURN's E/A messages fail it and the others go to `messages`.
Result<Data::Value> exchange(SapPool::Lease &lease, const Call &call, QList<SapMessage> *messages,
                             const Connectors::CancelToken *cancel)
{
    QElapsedTimer timer;
    timer.start();
    SapPool &pool = lease.pool();
    auto finish = [&](Result<Data::Value> result) {
        pool.recordCall(call.function, result ? u"ok"_s : result.error().code, double(timer.nsecsElapsed()) / 1e9);
        return result;
    };
    Result<QByteArray> body = buildRfcRequest(call.function, call.parameters);
    if (!body)
        return finish(body.error());

    QUrlQuery query;
    if (call.session == Session::Open)
        query.addQueryItem(u"sap-sessioncmd"_s, u"open"_s);
    else if (call.session == Session::Close)
        query.addQueryItem(u"sap-sessioncmd"_s, u"close"_s);
    Connectors::HttpRequest request;
    request.method = "POST";
    request.url = pool.url(u"/sap/bc/soap/rfc"_s, query);
    request.body = *body;
    request.setHeader("Content-Type", "text/xml; charset=utf-8");
    request.setHeader("Accept", "text/xml");
    request.setHeader("SOAPAction", '"' + QByteArray(kRfcNamespace.data(), kRfcNamespace.size()) + ':'
                                        + rfcXmlName(call.function).toUtf8() + '"');
    if (call.idempotent)
        request.idempotent = true;
    // SAP answers RFC exceptions as SOAP faults with HTTP 500: the caller's error, not the
    // system failing, so they neither open the circuit breaker nor are retried.
    request.isServerFailure = [](const Connectors::HttpResponse &answer) {
        return answer.status >= 500 && !Connectors::Soap::isFaultEnvelope(answer.body);
    };

    Result<Connectors::HttpResponse> response = lease.client().send(request, cancel);
    if (!response) {
        Error error = response.error();
        error.message = call.function + u": "_s + error.message;
        return finish(error);
    }
    if (!response->isSuccess() && !Connectors::Soap::isFaultEnvelope(response->body))
        return finish(pool.httpError(call.function, response->status, response->describe()));
    QStringList tables = call.tables + rfcTableParameters(call.parameters);
    Result<Data::Value> data = parseRfcResponse(call.function, response->body, tables);
    if (!data)
        return finish(data.error());
    if (call.checkReturn) {
        const QList<SapMessage> found = returnMessages(*data);
        if (Result<void> ok = checkReturnMessages(call.function, found); !ok)
            return finish(ok.error());
        if (messages)
            messages->append(found);
    }
    return finish(data);
}

bool sapAnswered(const Error &error)
{
    return error.code == u"sap_bapi_error" || error.code == u"sap_rfc_fault" || error.code == u"sap_invalid_response"
        || error.code == u"sap_http_error";
}

} // namespace

SapRfcClient::SapRfcClient(std::shared_ptr<SapPool> pool) : m_pool(std::move(pool)) { }

SapRfcClient::~SapRfcClient() = default;

Result<Data::Value> SapRfcClient::call(const QString &function, const Data::Value &parameters,
                                       const RfcCallOptions &options)
{
    Result<SapPool::Lease> lease = m_pool->acquire(options.cancel);
    if (!lease)
        return lease.error();
    Call call{function, parameters, options.tables, Session::None, options.idempotent, false};
    return exchange(*lease, call, nullptr, options.cancel);
}

Result<BapiResult> SapRfcClient::callBapi(const QString &function, const Data::Value &parameters, bool commit,
                                          const Connectors::CancelToken *cancel)
{
    Result<SapPool::Lease> lease = m_pool->acquire(cancel);
    if (!lease)
        return lease.error();
    BapiResult result;
    if (!commit) {
        Call call{function, parameters, {}, Session::None, false, true};
        Result<Data::Value> data = exchange(*lease, call, &result.messages, cancel);
        if (!data)
            return data.error();
        result.data = std::move(*data);
        return result;
    }

    // A stateful session: the BAPI's changes wait in it for the commit (or the rollback).
    Connectors::HttpClient &client = lease->client();
    client.clearCookies();
    Call bapi{function, parameters, {}, Session::Open, false, true};
    Result<Data::Value> data = exchange(*lease, bapi, &result.messages, cancel);
    if (!data) {
        Error error = data.error();
        if (sapAnswered(error)) {
            Call rollback{u"BAPI_TRANSACTION_ROLLBACK"_s, Data::Value(Data::Object()), {}, Session::Close, false, true};
            QList<SapMessage> ignored;
            if (Result<Data::Value> undone = exchange(*lease, rollback, &ignored, cancel); !undone)
                error.details.append(Tr::tr("the rollback failed too: %1").arg(undone.error().message));
            else
                error.details.append(Tr::tr("rolled back with BAPI_TRANSACTION_ROLLBACK"));
        }
        client.clearCookies();
        return error;
    }
    Call commitCall{u"BAPI_TRANSACTION_COMMIT"_s, Data::Value(Data::Object{{u"WAIT"_s, Data::Value(u"X"_s)}}), {},
                    Session::Close, false, true};
    Result<Data::Value> committed = exchange(*lease, commitCall, &result.messages, cancel);
    client.clearCookies();
    if (!committed) {
        Error error = committed.error();
        error.message = Tr::tr("%1 succeeded, but its commit failed: %2").arg(function, error.message);
        return error;
    }
    result.data = std::move(*data);
    return result;
}

Result<ReadTableResult> SapRfcClient::readTable(const ReadTableRequest &request, const Connectors::CancelToken *cancel)
{
    Result<Data::Value> parameters = readTableParameters(request);
    if (!parameters)
        return parameters.error();
    // Not retried as idempotent: SAP answers its exceptions (a wrong WHERE, an unknown table) as
    // SOAP faults with HTTP 500, which a retry would only repeat.
    RfcCallOptions options;
    options.cancel = cancel;
    Result<Data::Value> answer = call(u"RFC_READ_TABLE"_s, *parameters, options);
    if (!answer)
        return answer.error();
    return readTableResult(*answer);
}

Result<ReadTableResult> SapRfcClient::readTable(const QString &table, const QStringList &fields, const QString &where,
                                                int rowCount, int rowSkips, const QString &delimiter)
{
    ReadTableRequest request;
    request.table = table;
    request.fields = fields;
    request.where = where;
    request.rowCount = rowCount;
    request.rowSkips = rowSkips;
    request.delimiter = delimiter;
    return readTable(request);
}

Result<BapiResult> SapRfcClient::run(const SapOperation &operation, const Data::Value &input,
                                     const Connectors::CancelToken *cancel)
{
    if (operation.type != SapOperationType::Bapi && operation.type != SapOperationType::Rfc) {
        return makeError("sap_unsupported",
                         Tr::tr("SAP operation %1 is of type %2: the RFC client runs bapi and rfc operations "
                                "(idoc: SapIdocClient; odata: the OData connector)")
                             .arg(operation.id, operationTypeName(operation.type)));
    }
    if (!input.isObject() && !input.isNull() && !input.isUndefined()) {
        return makeError("sap_invalid_parameters",
                         Tr::tr("The input of SAP operation %1 must be an object of parameters, not %2")
                             .arg(operation.id, QLatin1StringView(input.typeName())));
    }
    Data::Object parameters = operation.parameters;
    for (const auto &[key, value] : input.toObject())
        parameters.insert(key, value);
    const Data::Value merged(std::move(parameters));
    if (operation.type == SapOperationType::Bapi || operation.commit)
        return callBapi(operation.functionName, merged, operation.commit, cancel);
    RfcCallOptions options;
    options.cancel = cancel;
    Result<Data::Value> data = call(operation.functionName, merged, options);
    if (!data)
        return data.error();
    return BapiResult{std::move(*data), {}};
}

} // namespace Conflux::Sap
