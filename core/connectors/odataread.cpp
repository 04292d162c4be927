// Reading from an OData service: the service's JSON decoded into logical records, paging
// (server-driven next links and client $top/$skip), ODataConnector::read() and query().

#include "odataconnector_p.h"

#include "data/json.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace ODataInternal;

namespace {

bool hostMatches(const QString &host, const QString &pattern)
{
    if (pattern.startsWith(u"*."))
        return host.endsWith(QStringView(pattern).mid(1), Qt::CaseInsensitive);
    return host.compare(pattern, Qt::CaseInsensitive) == 0;
}

// Orders cursor values: numbers by value, date-times as instants, other strings as text.
int compareCursor(const Data::Value &a, const Data::Value &b)
{
    if (a.isNumber() && b.isNumber())
        return a.toDouble() < b.toDouble() ? -1 : a.toDouble() > b.toDouble() ? 1 : 0;
    if (a.isString() && b.isString()) {
        const std::optional<QDateTime> x = parseDateTime(a.toString());
        const std::optional<QDateTime> y = parseDateTime(b.toString());
        if (x && y)
            return *x < *y ? -1 : *y < *x ? 1 : 0;
        return a.toString().compare(b.toString());
    }
    return 0;
}

// ---- payload decoding ----------------------------------------------------------------------

// Turns the service's JSON into the logical records (see the header).
class Decoder
{
public:
    Decoder(const ODataMetadata *metadata, int version) : m_metadata(metadata), m_version(version) { }

    Data::Value entity(const Data::Value &value, const ODataStructuredType *type, int depth = 0) const
    {
        if (!value.isObject() || depth > 64)
            return value;
        const Data::Object &in = value.toObject();
        if (m_version == 2 && m_metadata) {
            // the record's own (possibly derived) type
            const Data::Value &typeName = in.find(u"__metadata") ? (*in.find(u"__metadata"))[u"type"] : Data::Value();
            if (typeName.isString()) {
                if (const ODataStructuredType *own = m_metadata->entityType(typeName.toString()))
                    type = own;
            }
        }
        Data::Object out;
        out.reserve(in.size());
        for (const auto &[name, member] : in) {
            if (name.startsWith(u"__") || name.contains(u'@'))
                continue;
            if (member.isObject() && member.toObject().size() == 1 && member.toObject().contains(u"__deferred"))
                continue; // v2 navigation that was not expanded
            if (type && m_metadata) {
                if (const ODataProperty *property = findProperty(*type, name)) {
                    out.append(name, typed(member, property->type, depth + 1));
                    continue;
                }
                if (const ODataNavigationProperty *navigation = findNavigation(*type, name)) {
                    out.append(name, navigationValue(member, m_metadata->entityType(navigation->targetType), depth + 1));
                    continue;
                }
            }
            out.append(name, untyped(member, depth + 1));
        }
        return Data::Value(std::move(out));
    }

    Data::Value navigationValue(const Data::Value &value, const ODataStructuredType *type, int depth) const
    {
        if (value.isObject() && value.toObject().contains(u"results") && value[u"results"].isArray())
            return navigationValue(value[u"results"], type, depth);
        if (value.isArray()) {
            Data::Array items;
            items.reserve(size_t(value.size()));
            for (const Data::Value &item : value.toArray())
                items.push_back(entity(item, type, depth + 1));
            return Data::Value(std::move(items));
        }
        return entity(value, type, depth);
    }

    Data::Value typed(const Data::Value &value, const QString &typeName, int depth) const
    {
        if (typeName.startsWith(u"Collection(") && typeName.endsWith(u')')) {
            const QString element = typeName.mid(11, typeName.size() - 12);
            Data::Value list = value;
            if (list.isObject() && list[u"results"].isArray())
                list = list[u"results"];
            if (!list.isArray())
                return untyped(value, depth);
            Data::Array items;
            for (const Data::Value &item : list.toArray())
                items.push_back(typed(item, element, depth + 1));
            return Data::Value(std::move(items));
        }
        if (!typeName.startsWith(u"Edm.")) {
            if (const ODataComplexType *complex = m_metadata ? m_metadata->complexType(typeName) : nullptr)
                return entity(value, complex, depth);
            if (m_metadata) {
                const auto underlying = m_metadata->typeDefinitions.constFind(m_metadata->qualify(typeName));
                if (underlying != m_metadata->typeDefinitions.constEnd())
                    return primitive(value, *underlying);
            }
            return untyped(value, depth);
        }
        return primitive(value, typeName);
    }

    Data::Value primitive(const Data::Value &value, QStringView type) const
    {
        if (!value.isString())
            return value;
        const QString &text = value.toString();
        if (isDateTimeType(type)) {
            if (const std::optional<QString> iso = OData::v2DateToIso(text))
                return *iso;
            return value;
        }
        if (type == u"Edm.Time" && text.startsWith(u"PT")) {
            if (const std::optional<QTime> time = parseDurationTime(text))
                return formatTime(*time);
            return value;
        }
        if (isNumericType(type)) {
            Data::Value number = Data::Value::numberFromText(text);
            return number.isUndefined() ? value : number;
        }
        return value;
    }

    // Without a type: v2 dates by their form, wrappers and annotations dropped.
    Data::Value untyped(const Data::Value &value, int depth) const
    {
        if (depth > 64)
            return value;
        if (value.isString()) {
            if (const std::optional<QString> iso = OData::v2DateToIso(value.toString()))
                return *iso;
            return value;
        }
        if (value.isArray()) {
            Data::Array items;
            items.reserve(size_t(value.size()));
            for (const Data::Value &item : value.toArray())
                items.push_back(untyped(item, depth + 1));
            return Data::Value(std::move(items));
        }
        if (value.isObject()) {
            if (m_version == 2 && value[u"results"].isArray())
                return untyped(value[u"results"], depth + 1);
            return entity(value, nullptr, depth);
        }
        return value;
    }

private:
    const ODataProperty *findProperty(const ODataStructuredType &type, QStringView name) const
    {
        for (const ODataProperty *property : m_metadata->allProperties(type)) {
            if (property->name == name)
                return property;
        }
        return nullptr;
    }
    const ODataNavigationProperty *findNavigation(const ODataStructuredType &type, QStringView name) const
    {
        for (const ODataNavigationProperty *navigation : m_metadata->allNavigationProperties(type)) {
            if (navigation->name == name)
                return navigation;
        }
        return nullptr;
    }

    const ODataMetadata *m_metadata;
    int m_version;
};

} // namespace

// ---- answers and paging --------------------------------------------------------------------

Result<ODataConnector::Private::Answer> ODataConnector::Private::decode(const HttpResponse &response, const QUrl &url,
                                                                        bool single, const ODataStructuredType *type) const
{
    Result<Data::Value> json = parseJson(response, "GET", url);
    if (!json)
        return json.error();
    const Decoder decoder(metadata ? &*metadata : nullptr, settings.version);
    Answer answer;
    auto malformed = [&](const QString &what) {
        return makeError("malformed_response", Tr::tr("%1: %2").arg(where("GET", url), what));
    };
    if (settings.version == 2) {
        const Data::Value &d = (*json)[u"d"];
        if (single) {
            if (!d.isObject())
                return malformed(Tr::tr("an OData v2 entity is {\"d\": {...}}, the answer is not"));
            answer.records.push_back(decoder.entity(d, type));
            return answer;
        }
        const Data::Value &results = d.isArray() ? d : d[u"results"];
        if (!results.isArray())
            return malformed(Tr::tr("an OData v2 collection is {\"d\": {\"results\": [...]}}, the answer is not"));
        answer.nextLink = d[u"__next"].toString();
        const Data::Value &count = d[u"__count"];
        if (count.isString() || count.isNumber())
            answer.count = count.isString() ? count.toString().toLongLong() : count.toInt64();
        answer.records.reserve(size_t(results.size()));
        for (const Data::Value &record : results.toArray())
            answer.records.push_back(decoder.entity(record, type));
        return answer;
    }
    if (!json->isObject())
        return malformed(Tr::tr("the answer is not a JSON object"));
    if (single) {
        answer.records.push_back(decoder.entity(*json, type));
        return answer;
    }
    const Data::Value &value = (*json)[u"value"];
    if (!value.isArray())
        return malformed(Tr::tr("an OData v4 collection is {\"value\": [...]}, the answer has no value array"));
    answer.nextLink = (*json)[u"@odata.nextLink"].toString();
    const Data::Value &count = (*json)[u"@odata.count"];
    if (count.isNumber() || count.isString())
        answer.count = count.isString() ? count.toString().toLongLong() : count.toInt64();
    answer.records.reserve(size_t(value.size()));
    for (const Data::Value &record : value.toArray())
        answer.records.push_back(decoder.entity(record, type));
    return answer;
}

Result<QUrl> ODataConnector::Private::nextUrl(const QString &link, const QUrl &current) const
{
    const QUrl target = settings.serviceRoot.resolved(QUrl::fromEncoded(link.toUtf8(), QUrl::TolerantMode));
    if (!target.isValid() || (target.scheme() != u"http" && target.scheme() != u"https")) {
        return makeError("malformed_response",
                         Tr::tr("%1: the next link \"%2\" is not a URL").arg(where("GET", current), link.left(200)));
    }
    const bool downgrade = settings.serviceRoot.scheme() == u"https" && target.scheme() != u"https";
    bool allowed = !downgrade && target.host().compare(settings.serviceRoot.host(), Qt::CaseInsensitive) == 0
                   && target.port(target.scheme() == u"https" ? 443 : 80)
                          == settings.serviceRoot.port(settings.serviceRoot.scheme() == u"https" ? 443 : 80);
    for (const QString &pattern : settings.nextLinkHosts)
        allowed = allowed || (!downgrade && hostMatches(target.host(), pattern));
    if (!allowed) {
        return makeError("next_link_refused",
                         Tr::tr("%1: the service's next page is at %2, another host than the service root %3 (or "
                                "plain HTTP); add the host to the endpoint's configuration next_link_hosts to "
                                "follow it with the endpoint's credentials")
                             .arg(where("GET", current), displayUrl(target), displayUrl(settings.serviceRoot)));
    }
    return target;
}

QUrl ODataConnector::Private::pageUrl(const Paging &paging, qint64 skip, std::optional<qint64> top) const
{
    QByteArray query;
    auto add = [&query](const QByteArray &name, const QByteArray &value) {
        query += (query.isEmpty() ? "" : "&") + name + '=' + value;
    };
    for (const auto &[name, value] : paging.options)
        add(name, value);
    if (top)
        add("$top", QByteArray::number(*top));
    if (skip > 0)
        add("$skip", QByteArray::number(skip));
    QByteArray relative = paging.resourcePath;
    if (!query.isEmpty())
        relative += '?' + query;
    return withSapClient(resolve(relative));
}

Result<ODataPage> ODataConnector::Private::run(const Paging &paging, const PageSink *sink, const CancelToken *cancel)
{
    ODataPage page;
    qint64 delivered = 0;
    qint64 offset = paging.skip;
    auto remaining = [&]() -> std::optional<qint64> {
        if (!paging.limit)
            return std::nullopt;
        return std::max<qint64>(0, *paging.limit - delivered);
    };
    auto clientTop = [&]() -> std::optional<qint64> {
        std::optional<qint64> top = remaining();
        if (paging.pageSize > 0 && !paging.single)
            top = top ? std::min<qint64>(*top, paging.pageSize) : qint64(paging.pageSize);
        return top;
    };
    std::optional<qint64> requested = paging.single ? std::nullopt : clientTop();
    qint64 inClientPage = 0;
    int emptyPagesWithLinks = 0;
    QUrl url = paging.single ? pageUrl(paging, 0, std::nullopt) : pageUrl(paging, offset, requested);
    if (requested && *requested == 0)
        return page;
    for (;;) {
        if (cancel && cancel->isCancelled())
            return makeError("cancelled", Tr::tr("Reading %1 was cancelled").arg(displayUrl(url)));
        HttpRequest request;
        request.url = url;
        Result<HttpResponse> response = send(request, cancel);
        if (!response)
            return response.error();
        if (!response->isSuccess())
            return statusError(*response, request.method, request.url);
        Result<Answer> answer = decode(*response, url, paging.single, paging.type);
        if (!answer)
            return answer.error();
        ++page.pages;
        emptyPagesWithLinks = answer->records.empty() && !answer->nextLink.isEmpty() ? emptyPagesWithLinks + 1 : 0;
        if (emptyPagesWithLinks > 100) {
            return makeError("malformed_response",
                             Tr::tr("%1: more than 100 empty pages in a row, each with a next link").arg(where("GET", url)));
        }
        if (answer->count && !page.count)
            page.count = answer->count;
        std::vector<Data::Value> records = std::move(answer->records);
        inClientPage += qint64(records.size());
        bool limitReached = false;
        if (const std::optional<qint64> left = remaining(); left && qint64(records.size()) >= *left) {
            records.resize(size_t(*left));
            limitReached = true;
        }
        delivered += qint64(records.size());
        if (sink) {
            if (!records.empty() && !(*sink)(std::move(records))) {
                page.stoppedEarly = true;
                return page;
            }
        } else {
            page.records.insert(page.records.end(), std::make_move_iterator(records.begin()),
                                std::make_move_iterator(records.end()));
        }
        const bool more = !answer->nextLink.isEmpty() || (paging.pageSize > 0 && requested && inClientPage >= *requested);
        if (limitReached) {
            page.stoppedEarly = more;
            return page;
        }
        if (!answer->nextLink.isEmpty()) {
            Result<QUrl> next = nextUrl(answer->nextLink, url);
            if (!next)
                return next.error();
            if (!paging.follow) {
                page.nextLink = *next;
                return page;
            }
            const QUrl nextWithClient = withSapClient(*next);
            if (nextWithClient == url) {
                return makeError("malformed_response",
                                 Tr::tr("%1: the next link leads to the same page again").arg(where("GET", url)));
            }
            url = nextWithClient;
        } else if (paging.pageSize > 0 && requested && inClientPage >= *requested && !paging.single) {
            offset += inClientPage;
            inClientPage = 0;
            requested = clientTop();
            if (requested && *requested == 0)
                return page;
            url = pageUrl(paging, offset, requested);
            if (!paging.follow) {
                page.nextLink = url;
                return page;
            }
        } else {
            return page;
        }
        if (page.pages >= kMaxPages)
            return makeError("malformed_response", Tr::tr("%1: more than %2 pages").arg(where("GET", url)).arg(kMaxPages));
    }
}

// ---- read and query ------------------------------------------------------------------------

Result<ReadSummary> ODataConnector::read(const ReadRequest &request, const PageSink &sink)
{
    auto found = d->entitySet(request.entity, request.cancel);
    if (!found)
        return found.error();
    const auto [set, type] = *found;
    Private::Paging paging;
    paging.resourcePath = encodePathSegment(set->name);
    paging.type = type;
    QStringList filters;
    if (request.filter.isString() && !request.filter.toString().trimmed().isEmpty())
        filters.append(request.filter.toString().trimmed());
    else if (!request.filter.isNull() && !request.filter.isUndefined() && !request.filter.isString())
        return makeError("invalid_request", Tr::tr("The filter of an OData read is a $filter string, not %1")
                                                .arg(QString::fromLatin1(request.filter.typeName())));
    QStringList select = request.fields;
    QStringList orderBy;
    if (!request.cursorField.isEmpty()) {
        const ODataProperty *cursor = nullptr;
        for (const ODataProperty *property : d->metadata->allProperties(*type)) {
            if (property->name == request.cursorField)
                cursor = property;
        }
        if (!cursor) {
            return makeError("invalid_request", Tr::tr("The cursor field %1 is not a property of %2")
                                                    .arg(request.cursorField, set->name));
        }
        if (!request.cursorAfter.isNull() && !request.cursorAfter.isUndefined()) {
            Result<QString> literal = OData::literal(request.cursorAfter, cursor->type, d->settings.version);
            if (!literal) {
                Error error = literal.error();
                error.code = u"invalid_request"_s;
                error.message = Tr::tr("The cursor value of %1: ").arg(request.cursorField) + error.message;
                return error;
            }
            if (!filters.isEmpty())
                filters.first() = u'(' + filters.first() + u')';
            filters.append(request.cursorField + u" gt "_s + *literal);
        }
        orderBy.append(request.cursorField);
        if (!select.isEmpty() && !select.contains(request.cursorField))
            select.append(request.cursorField);
    }
    const int pageSize = request.pageSize > 0 ? std::min(request.pageSize, kMaxPageSize) : d->settings.pageSize;
    if (orderBy.isEmpty() && pageSize > 0)
        orderBy = type->keys; // $skip paging needs a stable order
    if (!filters.isEmpty())
        paging.options.append({"$filter", OData::encodeQueryValue(filters.join(u" and "_s))});
    if (!select.isEmpty())
        paging.options.append({"$select", OData::encodeQueryValue(select.join(u','))});
    if (!orderBy.isEmpty())
        paging.options.append({"$orderby", OData::encodeQueryValue(orderBy.join(u','))});
    paging.pageSize = pageSize;
    if (request.limit >= 0)
        paging.limit = request.limit;

    ReadSummary summary;
    const PageSink counting = [&](std::vector<Data::Value> &&records) {
        summary.records += qint64(records.size());
        if (!request.cursorField.isEmpty()) {
            for (const Data::Value &record : records) {
                const Data::Value &cursor = record[request.cursorField];
                if (!cursor.isNull() && !cursor.isUndefined()
                    && (summary.lastCursor.isUndefined() || compareCursor(cursor, summary.lastCursor) > 0))
                    summary.lastCursor = cursor;
            }
        }
        return sink(std::move(records));
    };
    Result<ODataPage> page = d->run(paging, &counting, request.cancel);
    if (!page)
        return page.error();
    summary.pages = page->pages;
    summary.stoppedEarly = page->stoppedEarly;
    return summary;
}

namespace {

// The request of a query, without $top/$skip (the paging adds them).
ODataConnector::Private::Paging queryPaging(const ODataConnector::Private &d, const ODataQuery &query)
{
    ODataConnector::Private::Paging paging;
    QByteArray path;
    for (const QString &segment : splitPath(query.entitySet.trimmed()))
        path += (path.isEmpty() ? "" : "/") + encodePathSegment(segment);
    if (!query.key.isEmpty()) {
        QString key = query.key.trimmed();
        if (key.startsWith(u'(') && key.endsWith(u')'))
            key = key.mid(1, key.size() - 2);
        path += '(' + encodePathSegment(key) + ')';
    }
    paging.resourcePath = path;
    if (!query.filter.isEmpty())
        paging.options.append({"$filter", OData::encodeQueryValue(query.filter)});
    if (!query.select.isEmpty())
        paging.options.append({"$select", OData::encodeQueryValue(query.select.join(u','))});
    if (!query.expand.isEmpty())
        paging.options.append({"$expand", OData::encodeQueryValue(query.expand.join(u','))});
    if (!query.orderBy.isEmpty())
        paging.options.append({"$orderby", OData::encodeQueryValue(query.orderBy.join(u','))});
    if (query.count) {
        if (d.settings.version == 4)
            paging.options.append({QByteArray("$count"), QByteArray("true")});
        else
            paging.options.append({QByteArray("$inlinecount"), QByteArray("allpages")});
    }
    for (auto it = query.custom.cbegin(); it != query.custom.cend(); ++it)
        paging.options.append({OData::encodeQueryValue(it.key()), OData::encodeQueryValue(it.value())});
    paging.single = !query.key.isEmpty() || splitPath(query.entitySet.trimmed()).constLast().contains(u'(');
    paging.limit = query.top;
    paging.skip = query.skip.value_or(0);
    paging.pageSize = d.settings.pageSize;
    paging.follow = query.followNextLinks;
    return paging;
}

} // namespace

QUrl ODataConnector::queryUrl(const ODataQuery &query) const
{
    const Private::Paging paging = queryPaging(*d, query);
    if (paging.single)
        return d->pageUrl(paging, 0, std::nullopt);
    std::optional<qint64> top = paging.limit;
    if (paging.pageSize > 0)
        top = top ? std::min<qint64>(*top, paging.pageSize) : qint64(paging.pageSize);
    return d->pageUrl(paging, paging.skip, top);
}

Result<ODataPage> ODataConnector::query(const ODataQuery &query, const CancelToken *cancel)
{
    return this->query(query, PageSink(), cancel);
}

Result<ODataPage> ODataConnector::query(const ODataQuery &query, const PageSink &sink, const CancelToken *cancel)
{
    if (query.entitySet.trimmed().isEmpty())
        return makeError("invalid_request", Tr::tr("An OData query needs an entity set"));
    if ((query.top && *query.top < 0) || (query.skip && *query.skip < 0))
        return makeError("invalid_request", Tr::tr("$top and $skip of an OData query cannot be negative"));
    // The types decode v2 payloads; without $metadata the records are decoded by their form.
    if (!d->metadata) {
        Result<const ODataMetadata *> md = d->loadMetadata(false, cancel);
        if (!md && (md.error().code == u"authentication_failed" || md.error().code == u"cancelled"))
            return md.error();
    }
    Private::Paging paging = queryPaging(*d, query);
    if (d->metadata) {
        bool single = paging.single;
        paging.type = d->pathType(query.entitySet.trimmed(), !query.key.isEmpty(), &single);
        if (paging.type)
            paging.single = single;
    }
    return d->run(paging, sink ? &sink : nullptr, cancel);
}

} // namespace Conflux::Connectors
