// The OData connector's requests to the service: headers of the OData version, errors from
// non-2xx answers, JSON bodies, the cached $metadata and the entity sets it names.

#include "odataconnector_p.h"

#include "base/log.h"
#include "data/json.h"

#include <algorithm>
#include <climits>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace ODataInternal;

Result<HttpResponse> ODataConnector::Private::send(HttpRequest request, const CancelToken *cancel)
{
    request.url = withSapClient(request.url);
    if (settings.version == 4) {
        request.setHeader("OData-Version", "4.0");
        request.setHeader("OData-MaxVersion", "4.0");
    } else {
        request.setHeader("DataServiceVersion", "2.0");
        request.setHeader("MaxDataServiceVersion", "2.0");
    }
    bool hasAccept = false;
    for (const auto &header : request.headers)
        hasAccept = hasAccept || header.first.compare("Accept", Qt::CaseInsensitive) == 0;
    if (!hasAccept)
        request.setHeader("Accept", "application/json");
    return http->send(request, cancel);
}

Error ODataConnector::Private::statusError(const HttpResponse &response, const QByteArray &method,
                                           const QUrl &url) const
{
    const QString at = where(method, url);
    if (response.status == 401) {
        const QString user = endpoint.authentication.username;
        return makeError("authentication_failed",
                         user.isEmpty()
                             ? Tr::tr("%1: HTTP 401: the service wants a logon (the endpoint has no credentials)").arg(at)
                             : Tr::tr("%1: HTTP 401: the service refused the logon of user \"%2\"").arg(at, user));
    }
    const QString service = OData::errorText(response.body);
    QString message = Tr::tr("%1: HTTP %2").arg(at).arg(response.status);
    if (!response.reason.isEmpty())
        message += u' ' + QString::fromLatin1(response.reason);
    QStringList details{u"http_status: %1"_s.arg(response.status)};
    if (!service.isEmpty()) {
        message += u": "_s + Log::redact(service);
        const QByteArray trimmed = response.body.trimmed();
        Result<Data::Value> json = trimmed.startsWith('{') ? Data::Json::parse(trimmed) : Result<Data::Value>(Data::Value());
        if (json && json->isObject()) {
            Data::Value error = (*json)[u"error"];
            if (error.isUndefined())
                error = (*json)[u"odata.error"];
            const Data::Value &code = error[u"code"];
            if (code.isString() || code.isNumber())
                details.append(u"service_code: "_s + (code.isString() ? code.toString() : numberText(code)));
        }
    } else {
        const QString text = response.describe();
        const qsizetype colon = text.indexOf(u": "_s);
        if (colon > 0)
            message += text.mid(colon);
    }
    if (!settings.csrf && response.status == 403
        && response.header("X-CSRF-Token").compare("Required", Qt::CaseInsensitive) == 0)
        message += Tr::tr(" (the service wants a CSRF token; set the endpoint's configuration csrf to true)");
    return makeError("odata_error", message, details);
}

Result<Data::Value> ODataConnector::Private::parseJson(const HttpResponse &response, const QByteArray &method,
                                                      const QUrl &url) const
{
    Result<Data::Value> json = Data::Json::parse(response.body);
    if (!json) {
        const QByteArray type = response.header("Content-Type");
        return makeError("malformed_response",
                         Tr::tr("%1: the answer is not valid JSON (%2%3): %4")
                             .arg(where(method, url),
                                  type.isEmpty() ? u"no content type"_s : QString::fromLatin1(type),
                                  Tr::tr(", %n byte(s)", nullptr, int(std::min<qsizetype>(response.body.size(), INT_MAX))),
                                  json.error().message));
    }
    return json;
}

Result<const ODataMetadata *> ODataConnector::Private::loadMetadata(bool refresh, const CancelToken *cancel)
{
    if (metadata && !refresh)
        return &*metadata;
    HttpRequest request;
    request.url = resolve("$metadata");
    request.setHeader("Accept", "application/xml");
    Result<HttpResponse> response = send(request, cancel);
    if (!response)
        return response.error();
    if (!response->isSuccess())
        return statusError(*response, request.method, request.url);
    Result<ODataMetadata> parsed = parseODataMetadata(response->body);
    if (!parsed) {
        Error error = parsed.error();
        error.message = displayUrl(request.url) + u": "_s + error.message;
        return error;
    }
    if (parsed->version != settings.version) {
        return makeError("invalid_endpoint",
                         Tr::tr("The endpoint %1 is OData v%2 (protocol odata_v%2), but %3 describes an OData v%4 "
                                "service (EDMX %5)")
                             .arg(endpoint.id)
                             .arg(settings.version)
                             .arg(displayUrl(request.url))
                             .arg(parsed->version)
                             .arg(parsed->edmxVersion),
                         {u"/protocol: the service is OData v%1"_s.arg(parsed->version)});
    }
    metadata = std::move(*parsed);
    return &*metadata;
}

Result<std::pair<const ODataEntitySet *, const ODataEntityType *>>
ODataConnector::Private::entitySet(const QString &name, const CancelToken *cancel)
{
    Result<const ODataMetadata *> md = loadMetadata(false, cancel);
    if (!md)
        return md.error();
    const ODataEntitySet *set = metadata->entitySet(name);
    const ODataEntityType *type = set ? metadata->entityType(set->entityType) : nullptr;
    if (!set || !type || set->isSingleton) {
        QStringList names;
        for (const ODataEntitySet &s : metadata->entitySets) {
            if (!s.isSingleton)
                names.append(s.name);
        }
        return makeError("unknown_entity", Tr::tr("The OData service %1 has no entity set \"%2\" (it has: %3)")
                                               .arg(displayUrl(settings.serviceRoot), name, names.join(u", "_s)));
    }
    return std::pair{set, type};
}

const ODataStructuredType *ODataConnector::Private::pathType(const QString &path, bool hasKey, bool *single) const
{
    *single = hasKey;
    if (!metadata)
        return nullptr;
    const QStringList segments = splitPath(path);
    const ODataStructuredType *type = nullptr;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        QString segment = segments.at(i);
        const qsizetype paren = segment.indexOf(u'(');
        const bool keyed = paren >= 0;
        if (keyed)
            segment.truncate(paren);
        if (i == 0) {
            const ODataEntitySet *set = metadata->entitySet(segment);
            type = set ? metadata->entityType(set->entityType) : nullptr;
            *single = hasKey || keyed || (set && set->isSingleton);
        } else if (type) {
            const ODataNavigationProperty *navigation = nullptr;
            for (const ODataNavigationProperty *n : metadata->allNavigationProperties(*type)) {
                if (n->name == segment)
                    navigation = n;
            }
            if (!navigation)
                return nullptr;
            type = metadata->entityType(navigation->targetType);
            *single = hasKey || keyed || !navigation->collection;
        }
        if (!type)
            return nullptr;
    }
    return type;
}

} // namespace Conflux::Connectors
