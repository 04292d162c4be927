// The GraphQL connector's reads (an entity's query, page by page) and writes (one mutation per
// record).

#include "graphqlconnector_p.h"

#include "data/json.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace Internal::GraphQL;

namespace {

// RFC 6901: the value at `pointer` ("" is the whole value), or nullptr when absent.
const Data::Value *atPointer(const Data::Value &root, QStringView pointer)
{
    const Data::Value *current = &root;
    if (pointer.isEmpty())
        return current;
    const QList<QStringView> segments = pointer.mid(1).split(u'/');
    for (QStringView raw : segments) {
        QString segment = raw.toString();
        segment.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
        if (current->isObject()) {
            current = current->toObject().find(segment);
        } else if (current->isArray()) {
            bool ok = false;
            const qsizetype index = segment.toLongLong(&ok);
            if (!ok || index < 0 || index >= current->size())
                return nullptr;
            current = &current->at(index);
        } else {
            return nullptr;
        }
        if (!current || current->isUndefined())
            return nullptr;
    }
    return current;
}

// Orders two cursor values: numbers by value, RFC 3339 date-times by instant, else by text.
int compareCursor(const Data::Value &a, const Data::Value &b)
{
    if (a.isNumber() && b.isNumber())
        return a.toDouble() < b.toDouble() ? -1 : a.toDouble() > b.toDouble() ? 1 : 0;
    const QString x = a.isString() ? a.toString() : QString::fromUtf8(Data::Json::serialize(a));
    const QString y = b.isString() ? b.toString() : QString::fromUtf8(Data::Json::serialize(b));
    const QDateTime dx = QDateTime::fromString(x, Qt::ISODateWithMs);
    const QDateTime dy = QDateTime::fromString(y, Qt::ISODateWithMs);
    if (dx.isValid() && dy.isValid() && x.contains(u'T') && y.contains(u'T')) {
        const qint64 mx = dx.toMSecsSinceEpoch();
        const qint64 my = dy.toMSecsSinceEpoch();
        return mx < my ? -1 : mx > my ? 1 : 0;
    }
    return x.compare(y);
}

QString keyText(const Data::Value &record, const QStringList &keyFields)
{
    QStringList parts;
    for (const QString &key : keyFields) {
        const Data::Value &v = record[key];
        parts.append(v.isString() ? v.toString() : QString::fromUtf8(Data::Json::serialize(v)));
    }
    return parts.join(u", "_s);
}

} // namespace

Result<ReadSummary> GraphQLConnector::read(const ReadRequest &request, const PageSink &sink)
{
    const EntitySettings *e = entity(request.entity);
    if (!e) {
        return makeError(
            "unknown_entity",
            Tr::tr("Endpoint %1 has no GraphQL entity \"%2\"").arg(endpoint().id, request.entity));
    }
    Data::Object variables = e->variables;
    if (request.filter.isObject()) {
        for (const auto &[name, value] : request.filter.toObject())
            variables.insert(name, value);
    } else if (!request.filter.isNull() && !request.filter.isUndefined()) {
        return makeError("invalid_request",
                         Tr::tr("The filter of a GraphQL read must be an object of variables"));
    }
    const bool incremental = !request.cursorField.isEmpty();
    if (incremental) {
        if (e->cursorVariable.isEmpty() || request.cursorField != e->cursorField) {
            return makeError("invalid_request",
                             Tr::tr("Entity %1 reads incrementally only by its cursor_field with a "
                                    "cursor_variable; "
                                    "\"%2\" is not configured so")
                                 .arg(e->name, request.cursorField));
        }
        if (!request.cursorAfter.isNull() && !request.cursorAfter.isUndefined())
            variables.insert(e->cursorVariable, request.cursorAfter);
    }
    const int pageSize = request.pageSize > 0 ? request.pageSize
        : e->pageSize > 0                     ? e->pageSize
                                              : m_settings.pageSize;
    if (e->paging != Paging::None)
        variables.insert(e->pageSizeVariable, pageSize);

    ReadSummary summary;
    if (request.limit == 0)
        return summary;
    Data::Value after; // cursor paging: endCursor of the last page
    qint64 offset = 0; // offset paging: elements received so far
    const QString where = Tr::tr("entity %1 of endpoint %2").arg(e->name, endpoint().id);
    for (;;) {
        if (request.cancel && request.cancel->isCancelled())
            return makeError("cancelled", Tr::tr("Reading %1 was cancelled").arg(where));
        if (summary.pages >= m_settings.maxPages) {
            return makeError("graphql_paging",
                             Tr::tr("Reading %1 stopped after %2 pages (max_pages): the server "
                                    "keeps announcing more")
                                 .arg(where, QString::number(summary.pages)));
        }
        if (e->paging == Paging::Cursor && !after.isUndefined())
            variables.insert(e->afterVariable, after);
        if (e->paging == Paging::Offset)
            variables.insert(e->offsetVariable, offset);
        Result<Data::Value> data
            = execute(e->query, Data::Value(variables), e->operationName, request.cancel);
        if (!data) {
            Error error = data.error();
            error.message = Tr::tr("Reading %1, page %2: %3")
                                .arg(where, QString::number(summary.pages + 1), error.message);
            return error;
        }
        const Data::Value *list = atPointer(*data, e->recordsPath);
        if (!list || !(list->isArray() || list->isNull())) {
            return invalidResponse(
                Tr::tr("Reading %1, page %2: the data has no array at records_path %3%4")
                    .arg(where, QString::number(summary.pages + 1), e->recordsPath,
                         list ? Tr::tr(" (a %1)").arg(QString::fromLatin1(list->typeName()))
                              : QString()));
        }
        const qsizetype received = list->size();
        std::vector<Data::Value> records;
        records.reserve(size_t(received));
        for (qsizetype i = 0; i < received; ++i) {
            const Data::Value *node = atPointer(list->at(i), e->nodePath);
            if (!node || !node->isObject()) {
                return invalidResponse(
                    Tr::tr("Reading %1, page %2: element %3 of records_path %4 has no object at "
                           "node_path %5")
                        .arg(where, QString::number(summary.pages + 1), QString::number(i),
                             e->recordsPath, e->nodePath));
            }
            if (incremental) {
                const Data::Value &cursor = (*node)[request.cursorField];
                if (!request.cursorAfter.isNull() && !request.cursorAfter.isUndefined()
                    && (cursor.isNull() || cursor.isUndefined()
                        || compareCursor(cursor, request.cursorAfter) <= 0))
                    continue;
                if (!cursor.isNull() && !cursor.isUndefined()
                    && (summary.lastCursor.isUndefined()
                        || compareCursor(cursor, summary.lastCursor) > 0))
                    summary.lastCursor = cursor;
            }
            if (request.fields.isEmpty()) {
                records.push_back(*node);
            } else {
                Data::Object projected;
                for (const QString &field : request.fields) {
                    if (const Data::Value *v = node->toObject().find(field))
                        projected.append(field, *v);
                }
                records.push_back(Data::Value(std::move(projected)));
            }
        }
        ++summary.pages;

        // What the server says about further pages, before the sink can stop us.
        bool more = false;
        if (e->paging == Paging::Cursor) {
            const Data::Value *info = atPointer(*data, e->pageInfoPath);
            const Data::Value &hasNext = info ? (*info)[u"hasNextPage"] : Data::Value();
            if (!info || !info->isObject() || !hasNext.isBool()) {
                return invalidResponse(
                    Tr::tr("Reading %1, page %2: the data has no {hasNextPage, endCursor} object "
                           "at page_info_path %3")
                        .arg(where, QString::number(summary.pages), e->pageInfoPath));
            }
            more = hasNext.toBool();
            if (more) {
                const Data::Value &end = (*info)[u"endCursor"];
                if (!end.isString() || end.toString().isEmpty()) {
                    return makeError(
                        "graphql_paging",
                        Tr::tr("Reading %1, page %2: hasNextPage is true but endCursor "
                               "is missing")
                            .arg(where, QString::number(summary.pages)));
                }
                if (end == after) {
                    return makeError("graphql_paging",
                                     Tr::tr("Reading %1, page %2: the server answered the same "
                                            "endCursor again; reading on would never end")
                                         .arg(where, QString::number(summary.pages)));
                }
                after = end;
            }
        } else if (e->paging == Paging::Offset) {
            offset += received;
            more = received >= pageSize;
        }

        bool stop = false;
        if (request.limit >= 0 && summary.records + qint64(records.size()) >= request.limit) {
            const qint64 remaining = request.limit - summary.records;
            summary.stoppedEarly = more || qint64(records.size()) > remaining;
            records.resize(size_t(remaining));
            stop = true;
        }
        summary.records += qint64(records.size());
        if (!records.empty() && !sink(std::move(records))) {
            summary.stoppedEarly = true;
            return summary;
        }
        if (stop || !more)
            return summary;
    }
}

Result<Data::Value> GraphQLConnector::runMutation(const MutationSettings &mutation,
                                                  const Data::Value &record,
                                                  const QStringList &keyFields,
                                                  const CancelToken *cancel)
{
    Data::Object variables = mutation.variables;
    for (const QString &key : keyFields) {
        QString variable = key;
        for (const auto &[field, name] : mutation.keyVariables) {
            if (field == key)
                variable = name;
        }
        if (mentionsVariable(mutation.document, variable))
            variables.insert(variable, record[key]);
    }
    if (!mutation.inputVariable.isEmpty()) {
        Data::Object input;
        for (const auto &[name, value] : record.toObject()) {
            if (!mutation.includeKeys && keyFields.contains(name))
                continue;
            if (!mutation.inputFields.isEmpty() && !mutation.inputFields.contains(name))
                continue;
            input.append(name, value);
        }
        variables.insert(mutation.inputVariable, Data::Value(std::move(input)));
    }
    Result<Data::Value> data = execute(mutation.document, Data::Value(std::move(variables)),
                                       mutation.operationName, cancel);
    if (!data)
        return data.error();
    // The mutation's (first) root field: null for "nothing with that key".
    const Data::Object &fields = data->toObject();
    return fields.isEmpty() ? Data::Value::null() : fields.memberAt(0).second;
}

Result<WriteSummary> GraphQLConnector::write(const WriteRequest &request)
{
    const EntitySettings *e = entity(request.entity);
    if (!e) {
        return makeError(
            "unknown_entity",
            Tr::tr("Endpoint %1 has no GraphQL entity \"%2\"").arg(endpoint().id, request.entity));
    }
    const QStringList keyFields = request.keyFields.isEmpty() ? e->keyFields : request.keyFields;
    auto unsupported = [&](const QString &what) {
        return makeError("unsupported",
                         Tr::tr("Entity %1 of endpoint %2 has no %3 mutation configured")
                             .arg(e->name, endpoint().id, what));
    };
    if (request.mode == WriteMode::Insert && !e->insert)
        return unsupported(u"insert"_s);
    if (request.mode == WriteMode::Upsert && !e->upsert && !e->update)
        return unsupported(u"upsert or update"_s);
    if (request.mode == WriteMode::Delete && !e->remove)
        return unsupported(u"delete"_s);

    WriteSummary summary;
    const qsizetype total = qsizetype(request.records.size());
    for (qsizetype i = 0; i < total; ++i) {
        const Data::Value &record = request.records[size_t(i)];
        const QString which = Tr::tr("record %1 of %2").arg(i + 1).arg(total);
        auto failed = [&](Error error) {
            error.message = Tr::tr("Writing entity %1 of endpoint %2, %3: %4")
                                .arg(e->name, endpoint().id, which, error.message);
            if (i > 0)
                error.details.prepend(
                    Tr::tr("the %n record(s) before it were written", nullptr, int(i)));
            return error;
        };
        if (request.cancel && request.cancel->isCancelled())
            return failed(makeError("cancelled", Tr::tr("cancelled")));
        if (!record.isObject())
            return failed(makeError("invalid_request", Tr::tr("a record must be an object")));
        bool hasKeys = !keyFields.isEmpty();
        for (const QString &key : keyFields) {
            const Data::Value &v = record[key];
            hasKeys = hasKeys && !v.isNull() && !v.isUndefined();
        }
        if ((request.mode == WriteMode::Delete || (request.mode == WriteMode::Upsert && !e->insert))
            && !hasKeys) {
            return failed(makeError(
                "invalid_request",
                Tr::tr("the record lacks its key field(s) %1").arg(keyFields.join(u", "_s))));
        }

        if (request.mode == WriteMode::Insert
            || (request.mode == WriteMode::Upsert && !e->upsert && !hasKeys)) {
            Result<Data::Value> result = runMutation(*e->insert, record, keyFields, request.cancel);
            if (!result)
                return failed(result.error());
            ++summary.inserted;
        } else if (request.mode == WriteMode::Upsert) {
            const MutationSettings &m = e->upsert ? *e->upsert : *e->update;
            Result<Data::Value> result = runMutation(m, record, keyFields, request.cancel);
            if (!result)
                return failed(result.error());
            if (!e->upsert && (result->isNull() || result->isUndefined())) {
                // The update found nothing with that key: insert it.
                if (!e->insert) {
                    return failed(makeError("not_found",
                                            Tr::tr("the update found no record with key %1")
                                                .arg(keyText(record, keyFields))));
                }
                Result<Data::Value> inserted
                    = runMutation(*e->insert, record, keyFields, request.cancel);
                if (!inserted)
                    return failed(inserted.error());
                ++summary.inserted;
            } else {
                ++summary.updated;
            }
        } else {
            Result<Data::Value> result = runMutation(*e->remove, record, keyFields, request.cancel);
            if (!result)
                return failed(result.error());
            if (result->isNull() || result->isUndefined()
                || (result->isBool() && !result->toBool()))
                ++summary.unchanged;
            else
                ++summary.deleted;
        }
    }
    return summary;
}

} // namespace Conflux::Connectors
