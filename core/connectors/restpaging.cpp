// The REST connector's reads: records taken from an answer (object, array and cells_fv
// records) and the page loop (pagination styles, the incremental filter, deduplication).

#include "restconnector_p.h"

#include "data/json.h"

#include <QUrl>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace Internal::RestConnectorDetail;

namespace {

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

QString cursorPointer(const QString &field)
{
    if (field.isEmpty() || field.startsWith(u'/'))
        return field;
    return u'/' + Rest::escapePointerToken(field);
}

} // namespace

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

} // namespace Conflux::Connectors
