// The SQL connector's reads: one SELECT of the requested columns, filtered and ordered by the
// key or the cursor, handed to the sink in pages.

#include "sqlconnector_p.h"

#include <QSqlError>
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace Internal::Sql;

namespace Internal::Sql {

Data::Value recordOf(const QSqlQuery &query, const ReadPlan &plan, Data::Value *cursorValue)
{
    const Table &t = *plan.table;
    Data::Object record;
    record.reserve(plan.emitted);
    for (qsizetype i = 0; i < plan.emitted; ++i) {
        const Column &c = t.columns[size_t(plan.columns[i])];
        record.append(c.name, fromSql(c, query.value(int(i))));
    }
    if (plan.cursorColumn >= 0) {
        *cursorValue = plan.cursorColumn < plan.emitted
            ? record.memberAt(plan.cursorColumn).second
            : fromSql(t.columns[size_t(plan.cursor)], query.value(plan.cursorColumn));
    }
    return Data::Value(std::move(record));
}

} // namespace Internal::Sql

Result<ReadSummary> SqlConnector::Private::read(const ReadRequest &request, const PageSink &sink)
{
    if (request.cancel && request.cancel->isCancelled())
        return fail("cancelled", Tr::tr("the read of \"%1\" was cancelled").arg(request.entity));
    if (Result<void> opened = open(); !opened)
        return opened.error();
    Result<std::shared_ptr<const Table>> found = table(request.entity, false);
    if (!found)
        return found.error();
    std::shared_ptr<const Table> t = *found;
    const QString what = Tr::tr("read of \"%1\"").arg(t->name);
    QStringList names = request.fields;
    if (!request.cursorField.isEmpty())
        names << request.cursorField;
    for (const auto &member : request.filter.toObject())
        names << member.first;
    if (Result<void> refreshed = refreshFor(t, names); !refreshed)
        return refreshed.error();

    QList<int> selected;
    for (const QString &field : request.fields) {
        Result<int> index = column(*t, field, what);
        if (!index)
            return index.error();
        if (!selected.contains(*index))
            selected.append(*index);
    }
    int cursor = -1;
    if (!request.cursorField.isEmpty()) {
        Result<int> index = column(*t, request.cursorField, what);
        if (!index)
            return index.error();
        cursor = *index;
    }
    if (request.fields.isEmpty()) {
        for (int i = 0; i < int(t->columns.size()); ++i)
            selected.append(i);
    }

    QStringList conditions;
    QVariantList params;
    auto bind
        = [&](const Column &c, const Data::Value &value, const QString &where) -> Result<void> {
        QString error;
        QVariant bound = toSql(s.driver, c, value, &error);
        if (!error.isEmpty())
            return fail("invalid_request", where + u": "_s + error);
        params.append(bound);
        return {};
    };
    if (!request.filter.isUndefined() && !request.filter.isNull()) {
        if (!request.filter.isObject()) {
            return fail("invalid_request",
                        Tr::tr("%1: the filter must be an object of column names and values, "
                               "not %2")
                            .arg(what, QLatin1StringView(request.filter.typeName())));
        }
        for (const auto &[name, value] : request.filter.toObject()) {
            Result<int> index = column(*t, name, what + Tr::tr(", filter"));
            if (!index)
                return index.error();
            const Column &c = t->columns[size_t(*index)];
            const QString where = Tr::tr("%1, filter \"%2\"").arg(what, name);
            if (value.isNull()) {
                conditions << quote(c.name) + u" IS NULL"_s;
            } else if (value.isArray() && value.size() > 0) {
                QStringList marks;
                for (const Data::Value &item : value.toArray()) {
                    if (item.isArray() || item.isObject() || item.isNull())
                        return fail("invalid_request",
                                    where + Tr::tr(": a list may hold only non-null scalars"));
                    if (Result<void> done = bind(c, item, where); !done)
                        return done.error();
                    marks << u"?"_s;
                }
                conditions << quote(c.name) + u" IN ("_s + marks.join(u", "_s) + u')';
            } else if (value.isObject() || value.isArray()) {
                return fail("invalid_request",
                            where + Tr::tr(": expects a value or a non-empty list of values"));
            } else {
                if (Result<void> done = bind(c, value, where); !done)
                    return done.error();
                conditions << quote(c.name) + u" = ?"_s;
            }
        }
    }
    if (cursor >= 0 && !request.cursorAfter.isUndefined() && !request.cursorAfter.isNull()) {
        if (Result<void> done
            = bind(t->columns[size_t(cursor)], request.cursorAfter, what + Tr::tr(", cursor"));
            !done)
            return done.error();
        conditions << quote(t->columns[size_t(cursor)].name) + u" > ?"_s;
    }

    // The select list: the requested columns, then the cursor when it is not among them.
    QList<int> columns = selected;
    if (cursor >= 0 && !columns.contains(cursor))
        columns.append(cursor);
    QStringList expressions;
    for (int i : std::as_const(columns)) {
        const Column &c = t->columns[size_t(i)];
        const QString q = quote(c.name);
        if (s.driver == Driver::Postgres) {
            switch (c.readAs) {
            case ReadAs::Raw:
            case ReadAs::Unsigned:
                expressions << q;
                break;
            case ReadAs::Text:
                expressions << q + u"::text"_s;
                break;
            case ReadAs::JsonText:
                expressions << u"pg_catalog.to_json(%1)::text"_s.arg(q);
                break;
            case ReadAs::JsonScalar:
                expressions << u"pg_catalog.to_json(%1) #>> '{}'"_s.arg(q);
                break;
            }
        } else if (s.driver == Driver::MySql && c.readAs == ReadAs::Text) {
            expressions << u"CAST(%1 AS CHAR)"_s.arg(q);
        } else if (s.driver == Driver::MySql && c.readAs == ReadAs::Unsigned) {
            expressions << u"CAST(%1 AS UNSIGNED)"_s.arg(q);
        } else {
            expressions << q;
        }
    }
    QString sql = u"SELECT "_s + expressions.join(u", "_s) + u" FROM "_s + tableRef(*t);
    if (!conditions.isEmpty())
        sql += u" WHERE "_s + conditions.join(u" AND "_s);
    QStringList order;
    if (cursor >= 0) {
        const bool nullsFirst = s.driver == Driver::Postgres || s.driver == Driver::Sqlite;
        order << quote(t->columns[size_t(cursor)].name)
                + (nullsFirst ? u" ASC NULLS FIRST"_s : u" ASC"_s);
    }
    for (const QString &key : t->key) {
        if (cursor < 0 || key != t->columns[size_t(cursor)].name)
            order << quote(key);
    }
    if (!order.isEmpty())
        sql += u" ORDER BY "_s + order.join(u", "_s);
    ReadSummary summary;
    if (cursor >= 0)
        summary.lastCursor
            = request.cursorAfter.isUndefined() ? Data::Value::null() : request.cursorAfter;
    if (request.limit == 0)
        return summary;
    // One more row than the limit says whether the limit stopped the read. (A number this
    // function formats, so it is spliced, not bound: MySQL cannot bind LIMIT as text.)
    if (request.limit > 0 && s.driver != Driver::Odbc)
        sql += u" LIMIT %1"_s.arg(request.limit + 1);

    ReadPlan plan;
    plan.sql = sql;
    plan.params = params;
    plan.table = t;
    plan.columns = columns;
    plan.emitted = selected.size();
    plan.cursor = cursor;
    plan.cursorColumn = cursor >= 0 ? int(columns.indexOf(cursor)) : -1;
    plan.pageSize = request.pageSize > 0 ? request.pageSize : 1000;
    // Reads of a whole SQLite table (or all of it after a cursor) are read ahead on a second
    // connection (see readAhead); filtered and limited reads are small and stay as they are.
    if (s.driver == Driver::Sqlite && s.database != ":memory:"_L1 && request.limit < 0
        && (request.filter.isUndefined() || request.filter.isNull()))
        return readAhead(plan, request, sink, summary);

    Result<QSqlQuery> executed = run(sql, params, what);
    if (!executed)
        return executed.error();
    QSqlQuery &query = *executed;

    const int pageSize = plan.pageSize;
    std::vector<Data::Value> page;
    page.reserve(size_t(std::min(pageSize, 10000)));
    bool more = false;
    while (query.next()) {
        if (request.limit > 0 && summary.records == request.limit) {
            more = true; // the extra row: the limit stopped the read
            break;
        }
        Data::Value cursorValue;
        page.push_back(recordOf(query, plan, &cursorValue));
        if (!cursorValue.isNull() && !cursorValue.isUndefined())
            summary.lastCursor = std::move(cursorValue);
        ++summary.records;
        if (qsizetype(page.size()) == pageSize) {
            ++summary.pages;
            const bool goOn = sink(std::exchange(page, {}));
            page.reserve(size_t(std::min(pageSize, 10000)));
            const bool cancelled = request.cancel && request.cancel->isCancelled();
            if (!goOn || cancelled) {
                // Rows left: end the stream on the server rather than read them all.
                if (query.next())
                    abandonQuery();
                if (cancelled)
                    return fail("cancelled",
                                Tr::tr("the read of \"%1\" was cancelled after %2 records")
                                    .arg(t->name)
                                    .arg(summary.records));
                summary.stoppedEarly = true;
                return summary;
            }
        }
    }
    if (query.lastError().isValid())
        return sqlFailure(query.lastError(), what);
    if (!page.empty()) {
        ++summary.pages;
        sink(std::move(page));
    }
    summary.stoppedEarly = more;
    return summary;
}

// Reading ahead: the query runs in a thread of its own, on a connection of its own (QtSql
// connections belong to the thread that opened them), and hands its pages over through a
// queue of two, while the calling thread gives the ones before to the sink — which, for a sync
// run, writes them to the target meanwhile. The sink is called on the calling thread, with the
// same pages, counts, cursor and stopping rules as a read without it. SQLite only: a second
// connection to a file costs nothing, whereas a server would see a second session per read.
Result<ReadSummary> SqlConnector::Private::readAhead(const ReadPlan &plan,
                                                     const ReadRequest &request,
                                                     const PageSink &sink, ReadSummary summary)
{
    struct Page
    {
        std::vector<Data::Value> records;
        Data::Value lastCursor;
    };
    struct Queue
    {
        std::mutex mutex;
        std::condition_variable changed;
        std::deque<Page> pages;
        bool finished = false; // the reader is done (error says whether it failed)
        bool stopped = false;  // the caller wants no more
        std::optional<Error> error;
    } queue;
    const QString what = Tr::tr("read of \"%1\"").arg(plan.table->name);

    std::thread reader([&, settings = s, context = context, id = endpointId] {
        auto finish = [&](std::optional<Error> error) {
            std::lock_guard lock(queue.mutex);
            queue.error = std::move(error);
            queue.finished = true;
            queue.changed.notify_all();
        };
        auto push = [&](Page &&page) {
            std::unique_lock lock(queue.mutex);
            queue.changed.wait(lock, [&] { return queue.pages.size() < 2 || queue.stopped; });
            if (queue.stopped)
                return false;
            queue.pages.push_back(std::move(page));
            queue.changed.notify_all();
            return true;
        };
        SqlConnector::Private connection;
        connection.s = settings;
        connection.context = context;
        connection.endpointId = id;
        if (Result<void> opened = connection.open(); !opened)
            return finish(opened.error());
        // Reads in cursor order visit the table's pages by rowid, out of file order: mapped,
        // they cost a memory access each instead of a pread() (the file is in the page cache).
        (void)connection.exec(u"PRAGMA mmap_size = 1073741824"_s, what);
        Result<QSqlQuery> executed = connection.run(plan.sql, plan.params, what);
        if (!executed)
            return finish(executed.error());
        QSqlQuery &query = *executed;
        Page page;
        page.records.reserve(size_t(std::min(plan.pageSize, 10000)));
        while (query.next()) {
            Data::Value cursorValue;
            page.records.push_back(recordOf(query, plan, &cursorValue));
            if (!cursorValue.isNull() && !cursorValue.isUndefined())
                page.lastCursor = std::move(cursorValue);
            if (qsizetype(page.records.size()) == plan.pageSize) {
                if (!push(std::exchange(page, {})))
                    return finish({});
                page.records.reserve(size_t(std::min(plan.pageSize, 10000)));
            }
        }
        if (query.lastError().isValid())
            return finish(connection.sqlFailure(query.lastError(), what));
        if (!page.records.empty())
            push(std::move(page));
        finish({});
    });

    auto stop = [&] {
        {
            std::lock_guard lock(queue.mutex);
            queue.stopped = true;
            queue.changed.notify_all();
        }
        reader.join();
    };
    for (;;) {
        Page page;
        {
            std::unique_lock lock(queue.mutex);
            queue.changed.wait(lock, [&] { return !queue.pages.empty() || queue.finished; });
            if (queue.pages.empty())
                break;
            page = std::move(queue.pages.front());
            queue.pages.pop_front();
            queue.changed.notify_all();
        }
        const bool full = qsizetype(page.records.size()) == plan.pageSize;
        summary.records += qint64(page.records.size());
        ++summary.pages;
        if (!page.lastCursor.isUndefined())
            summary.lastCursor = std::move(page.lastCursor);
        const bool goOn = sink(std::move(page.records));
        if (!full)
            continue; // the last page: nothing left to stop
        const bool cancelled = request.cancel && request.cancel->isCancelled();
        if (!goOn || cancelled) {
            stop();
            if (cancelled)
                return fail("cancelled", Tr::tr("the read of \"%1\" was cancelled after %2 records")
                                             .arg(plan.table->name)
                                             .arg(summary.records));
            summary.stoppedEarly = true;
            return summary;
        }
    }
    reader.join();
    if (queue.error)
        return *queue.error;
    return summary;
}

} // namespace Conflux::Connectors
