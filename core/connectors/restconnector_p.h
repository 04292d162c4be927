#pragma once

#include "connectors/httpclient.h"
#include "connectors/restconnector.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QString>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

// What the parts of the REST connector share: its private state (RestConnector::Private) and a
// few helpers. restconnector.cpp holds the Connector interface, restrequest.cpp builds and sends
// requests, restpaging.cpp reads records page by page.

namespace Conflux::Connectors::Internal::RestConnectorDetail {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::RestConnector)
};

using Style = RestPagination::Style;
using ParamsIn = RestPagination::ParamsIn;
using Pairs = QList<std::pair<QString, QString>>;

// Sets `name` to `value`: replaces the first entry of that name and drops the others, or appends.
void setPair(Pairs &list, const QString &name, const QString &value);

// A query string: everything but unreserved characters and the delimiters that vendors write
// as is in their examples (created[gt], $top, a,b, 12:00) is percent-encoded; "+", "&", "=",
// ";" and "#" always are.
QString encodeQuery(const Pairs &query);

bool isEmptyValue(const Data::Value *value);

} // namespace Conflux::Connectors::Internal::RestConnectorDetail

namespace Conflux::Connectors {

struct RestConnector::Private
{
    using Pairs = Internal::RestConnectorDetail::Pairs;

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

} // namespace Conflux::Connectors
