// The SQL connector's writes: inserts, upserts and deletes in one transaction, in batches.

#include "sqlconnector_p.h"

#include <QSet>
#include <QSqlError>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace Internal::Sql;

// --- writes

Result<WriteSummary> SqlConnector::Private::write(const WriteRequest &request)
{
    if (request.cancel && request.cancel->isCancelled())
        return fail("cancelled", Tr::tr("the write to \"%1\" was cancelled").arg(request.entity));
    if (Result<void> opened = open(); !opened)
        return opened.error();
    Result<std::shared_ptr<const Table>> found = table(request.entity, false);
    if (!found)
        return found.error();
    std::shared_ptr<const Table> t = *found;
    const QString what = Tr::tr("write to \"%1\"").arg(t->name);
    if (t->isView)
        return fail(
            "unsupported",
            Tr::tr("%1: \"%2\" is a view, which this connector only reads").arg(what, t->name));

    QStringList names = request.keyFields;
    if (request.mode != WriteMode::Delete) {
        QSet<QString> seen;
        const Data::Object *previous = nullptr;
        for (const Data::Value &record : request.records) {
            const Data::Object &object = record.toObject();
            if (previous && previous->size() == object.size()) { // the same names: known already
                bool same = true;
                for (qsizetype i = 0; same && i < object.size(); ++i) {
                    const QString &a = object.memberAt(i).first, &b = previous->memberAt(i).first;
                    same = a.isSharedWith(b) || a == b;
                }
                if (same)
                    continue;
            }
            previous = &object;
            for (const auto &member : object) {
                if (t->indexOf(member.first) < 0 && !seen.contains(member.first)) {
                    seen.insert(member.first);
                    names << member.first;
                }
            }
        }
    }
    if (Result<void> refreshed = refreshFor(t, names); !refreshed)
        return refreshed.error();

    WriteState state;
    state.mode = request.mode;
    if (request.mode != WriteMode::Insert) {
        const QStringList keys = request.keyFields.isEmpty() ? t->key : request.keyFields;
        if (keys.isEmpty()) {
            return fail(
                "invalid_request",
                Tr::tr("%1: the table has no primary key; name the key fields of the %2")
                    .arg(what,
                         request.mode == WriteMode::Upsert ? Tr::tr("upsert") : Tr::tr("delete")));
        }
        for (const QString &key : keys) {
            Result<int> index = column(*t, key, what + Tr::tr(", key field"));
            if (!index)
                return index.error();
            state.keys.append(*index);
        }
    }
    state.table = t;
    if (request.records.empty())
        return WriteSummary {};

    // PostgreSQL writes batch_size rows per statement, MySQL too when it inserts or deletes (an
    // upsert's affected-rows count says what happened only for a single row); a statement that
    // fails is retried a row at a time, which names the record (or succeeds: a batch may hold
    // one key twice).
    const bool multiRow = s.driver == Driver::Postgres
        || (s.driver == Driver::MySql && request.mode != WriteMode::Upsert);
    state.rowsPerStatement = multiRow ? s.batchSize : 1;
    // PostgreSQL inserts and upserts of several records stream them with COPY (sqlcopy.cpp);
    // a failure is retried a row at a time by statements, as above.
    state.copy = s.driver == Driver::Postgres && request.records.size() > 1
        && (request.mode == WriteMode::Insert
            || (request.mode == WriteMode::Upsert && !stagingRefused))
        && canCopy(state);
    Result<void> done = runWrite(state, request.records, request.cancel);
    if (!done && state.multiRowFailed) {
        WriteState again;
        again.table = state.table;
        again.mode = state.mode;
        again.keys = state.keys;
        again.rowsPerStatement = 1;
        done = runWrite(again, request.records, request.cancel);
        state.summary = again.summary;
    }
    if (!done)
        return done.error();
    return state.summary;
}

Result<void> SqlConnector::Private::runWrite(WriteState &state,
                                             const std::vector<Data::Value> &records,
                                             const CancelToken *cancel)
{
    const Table &t = *state.table;
    const QString what = Tr::tr("write to \"%1\"").arg(t.name);
    if (s.driver == Driver::Odbc) {
        if (!db.transaction())
            return sqlFailure(db.lastError(), what + Tr::tr(": cannot begin a transaction"));
    } else {
        // SQLite: take the write lock at once, so that two writers wait (busy timeout) instead
        // of failing when a read lock cannot be upgraded.
        const QString begin = s.driver == Driver::Sqlite ? u"BEGIN IMMEDIATE"_s
            : s.driver == Driver::MySql                  ? u"START TRANSACTION"_s
                                                         : u"BEGIN"_s;
        if (Result<void> begun = exec(begin, what + Tr::tr(": cannot begin a transaction")); !begun)
            return begun;
    }
    // Rolls back before the prepared statements are released: QPSQL deallocates them, which an
    // aborted transaction would refuse.
    auto rollback = [&](Error error) -> Result<void> {
        if (db.isOpen()) {
            if (s.driver == Driver::Odbc)
                db.rollback();
            else
                QSqlQuery(db).exec(u"ROLLBACK"_s);
        }
        state.statements.clear();
        state.summary = {};
        return error;
    };

    if (state.copy) {
        if (Result<void> copied = copyRecords(state, records, cancel); !copied)
            return rollback(copied.error());
    }
    std::vector<BoundRow> group;
    for (qsizetype i = 0; !state.copy && i < qsizetype(records.size()); ++i) {
        if (i % s.batchSize == 0 && i > 0 && cancel && cancel->isCancelled())
            return rollback(fail(
                "cancelled",
                Tr::tr("%1 was cancelled at record %2; nothing was written").arg(what).arg(i)));
        Result<BoundRow> row = bindRecord(state, records[size_t(i)], i);
        if (!row)
            return rollback(row.error());
        // Rows with the same columns share a statement; 30,000 parameters stay below every
        // database's limit (PostgreSQL 65,535, SQLite 32,766).
        const qsizetype perStatement = std::max<qsizetype>(
            1,
            std::min<qsizetype>(state.rowsPerStatement,
                                30000 / std::max<qsizetype>(1, row->values.size())));
        if (!group.empty()
            && (group.front().columns != row->columns || qsizetype(group.size()) >= perStatement)) {
            if (Result<void> flushed = flush(state, group); !flushed)
                return rollback(flushed.error());
            group.clear();
        }
        group.push_back(std::move(*row));
    }
    if (!group.empty()) {
        if (Result<void> flushed = flush(state, group); !flushed)
            return rollback(flushed.error());
    }
    state.statements.clear();
    QSqlQuery commit(db);
    const bool committed = s.driver == Driver::Odbc ? db.commit() : commit.exec(u"COMMIT"_s);
    if (!committed) { // deferred constraints, serialization failures
        const QSqlError error = s.driver == Driver::Odbc ? db.lastError() : commit.lastError();
        return rollback(sqlFailure(error, what + Tr::tr(": the commit failed")));
    }
    return {};
}

Result<BoundRow> SqlConnector::Private::bindRecord(const WriteState &state,
                                                   const Data::Value &record, qsizetype index) const
{
    const Table &t = *state.table;
    // Messages are made only when there is something to say: this runs for every record.
    auto what = [&] { return Tr::tr("write to \"%1\"").arg(t.name); };
    BoundRow row;
    row.index = index;
    if (!record.isObject()) {
        return fail("invalid_record",
                    Tr::tr("%1: record %2 is not an object but %3")
                        .arg(what())
                        .arg(index)
                        .arg(QLatin1StringView(record.typeName())));
    }
    const Data::Object &object = record.toObject();
    row.record = &record;
    // The columns of the record's members: those of the record before when the names are the
    // same (shared, mostly), else looked up.
    const qsizetype size = object.size();
    bool sameLayout = state.layoutNames.size() == size;
    for (qsizetype i = 0; sameLayout && i < size; ++i) {
        const QString &name = object.memberAt(i).first;
        const QString &known = state.layoutNames.at(i);
        sameLayout = name.isSharedWith(known) || name == known;
    }
    if (!sameLayout) {
        state.layoutNames.clear();
        state.layoutColumns.clear();
        for (const auto &member : object) {
            state.layoutNames.append(member.first);
            state.layoutColumns.append(t.indexOf(member.first));
        }
    }
    auto member = [&](int column) -> const Data::Value * {
        const qsizetype i = state.layoutColumns.indexOf(column);
        return i < 0 ? nullptr : &object.memberAt(i).second;
    };
    for (int k : state.keys) {
        const Data::Value *value = member(k);
        if (!value || value->isNull() || value->isUndefined()) {
            return fail("invalid_record",
                        Tr::tr("%1: record %2 has no value for the key field \"%3\"")
                            .arg(what())
                            .arg(index)
                            .arg(t.columns[size_t(k)].name));
        }
    }
    auto label = [&] { return recordLabel(state, record, index); };

    std::vector<std::pair<int, const Data::Value *>> members;
    members.reserve(size_t(size));
    if (state.mode == WriteMode::Delete) {
        for (int k : state.keys)
            members.emplace_back(k, member(k));
    } else {
        for (qsizetype i = 0; i < size; ++i) {
            const auto &[name, value] = object.memberAt(i);
            if (value.isUndefined())
                continue;
            const int c = state.layoutColumns.at(i);
            if (c < 0) {
                return fail(
                    "unknown_field",
                    Tr::tr("%1: %2: the table has no column \"%3\"").arg(what(), label(), name));
            }
            members.emplace_back(c, &value);
        }
        if (members.empty())
            return fail("invalid_record", Tr::tr("%1: %2 has no fields").arg(what(), label()));
        std::sort(members.begin(), members.end(),
                  [](const auto &a, const auto &b) { return a.first < b.first; });
    }
    row.columns.reserve(qsizetype(members.size()));
    row.values.reserve(qsizetype(members.size()));
    for (const auto &[c, value] : members) {
        QString error;
        QVariant bound = toSql(s.driver, t.columns[size_t(c)], *value, &error);
        if (!error.isEmpty())
            return fail("invalid_record", Tr::tr("%1: %2: %3").arg(what(), label(), error));
        row.columns.append(c);
        row.values.append(std::move(bound));
    }
    return row;
}

QString SqlConnector::Private::recordLabel(const WriteState &state, const Data::Value &record,
                                          qsizetype index) const
{
    const Table &t = *state.table;
    const Data::Object &object = record.toObject();
    QStringList keyParts;
    auto add = [&](const QString &name) {
        if (const Data::Value *value = object.find(name);
            value && !value->isNull() && !value->isUndefined())
            keyParts << name + u'=' + shortText(*value);
    };
    for (int k : state.keys)
        add(t.columns[size_t(k)].name);
    if (state.keys.isEmpty()) { // an insert: name the primary key where the record has it
        for (const QString &name : t.key)
            add(name);
    }
    return keyParts.isEmpty() ? Tr::tr("record %1").arg(index)
                              : Tr::tr("record %1 (%2)").arg(index).arg(keyParts.join(u", "_s));
}

Result<QSqlQuery *> SqlConnector::Private::statement(WriteState &state, const QString &sql)
{
    auto it = state.statements.find(sql);
    if (it == state.statements.end()) {
        QSqlQuery query(db);
        query.setForwardOnly(true);
        if (!query.prepare(sql))
            return sqlFailure(query.lastError(), Tr::tr("write to \"%1\"").arg(state.table->name));
        it = state.statements.emplace(sql, std::move(query)).first;
    }
    return &it->second;
}

QString SqlConnector::Private::upsertClause(const WriteState &state,
                                           const QList<int> &columns) const
{
    // DO UPDATE only where a value differs: equal rows count as unchanged (and get no new row
    // version, no trigger call).
    const Table &t = *state.table;
    const bool pg = s.driver == Driver::Postgres;
    QStringList keyNames;
    for (int k : std::as_const(state.keys))
        keyNames << quote(t.columns[size_t(k)].name);
    QStringList sets, changed;
    for (int c : columns) {
        if (state.keys.contains(c))
            continue;
        const Column &column = t.columns[size_t(c)];
        const QString u = quote(column.name);
        sets << u + u" = EXCLUDED."_s + u;
        if (!pg)
            changed << u"conflux_t.%1 IS NOT excluded.%1"_s.arg(u);
        else if (column.compareAsText)
            changed << u"conflux_t.%1::%2 IS DISTINCT FROM EXCLUDED.%1::%2"_s.arg(
                u, column.sqlType == "json"_L1 ? u"jsonb"_s : u"text"_s);
        else
            changed << u"conflux_t.%1 IS DISTINCT FROM EXCLUDED.%1"_s.arg(u);
    }
    QString clause = u" ON CONFLICT (%1) "_s.arg(keyNames.join(u", "_s));
    if (sets.isEmpty())
        return clause + u"DO NOTHING"_s;
    return clause + u"DO UPDATE SET "_s + sets.join(u", "_s) + u" WHERE "_s
        + changed.join(u" OR "_s);
}

Result<void> SqlConnector::Private::flush(WriteState &state, const std::vector<BoundRow> &group)
{
    const Table &t = *state.table;
    const QList<int> &columns = group.front().columns;
    QStringList names;
    for (int c : columns)
        names << quote(t.columns[size_t(c)].name);
    QStringList keyNames;
    for (int k : std::as_const(state.keys))
        keyNames << quote(t.columns[size_t(k)].name);
    QStringList updates; // non-key columns of an upsert
    for (int c : columns) {
        if (!state.keys.contains(c))
            updates << quote(t.columns[size_t(c)].name);
    }
    const QString target = tableRef(t);
    const QString marks = u"("_s + QStringList(columns.size(), u"?"_s).join(u", "_s) + u')';
    const QString values = QStringList(qsizetype(group.size()), marks).join(u", "_s);
    const QString keyMatch = [&] {
        QStringList parts;
        for (const QString &k : keyNames)
            parts << k + u" = ?"_s;
        return parts.join(u" AND "_s);
    }();

    QString sql;
    QString existsSql;
    QString odbcUpdateSql;
    switch (state.mode) {
    case WriteMode::Insert:
        sql = u"INSERT INTO %1 (%2) VALUES %3"_s.arg(target, names.join(u", "_s), values);
        break;
    case WriteMode::Delete: {
        // ORed key matches rather than IN (VALUES ...): PostgreSQL then types every parameter
        // from its column.
        QStringList alternatives(qsizetype(group.size()), u'(' + keyMatch + u')');
        sql = u"DELETE FROM %1 WHERE %2"_s.arg(target, alternatives.join(u" OR "_s));
        break;
    }
    case WriteMode::Upsert:
        switch (s.driver) {
        case Driver::Postgres:
        case Driver::Sqlite: {
            // PostgreSQL's xmax is 0 for a row this statement inserted; SQLite has no such
            // marker, so the key is looked up first.
            const bool pg = s.driver == Driver::Postgres;
            sql = u"INSERT INTO %1 AS conflux_t (%2) VALUES %3"_s.arg(target, names.join(u", "_s),
                                                                     values)
                + upsertClause(state, columns);
            if (pg)
                sql += updates.isEmpty() ? u" RETURNING true"_s : u" RETURNING (xmax = 0)"_s;
            else
                existsSql = u"SELECT 1 FROM %1 WHERE %2"_s.arg(target, keyMatch);
            break;
        }
        case Driver::MySql: {
            QStringList sets;
            for (const QString &u : std::as_const(updates))
                sets << u"%1 = VALUES(%1)"_s.arg(u);
            if (sets.isEmpty())
                sets << u"%1 = %1"_s.arg(keyNames.front());
            sql = u"INSERT INTO %1 (%2) VALUES %3 ON DUPLICATE KEY UPDATE %4"_s.arg(
                target, names.join(u", "_s), values, sets.join(u", "_s));
            break;
        }
        case Driver::Odbc: {
            // No portable upsert: the key is looked up, then the row updated or inserted. (An
            // UPDATE first, INSERT when it matched nothing, would insert a duplicate where the
            // driver counts changed rather than matched rows, as MySQL's does.)
            existsSql = u"SELECT 1 FROM %1 WHERE %2"_s.arg(target, keyMatch);
            QStringList sets;
            for (const QString &u : std::as_const(updates))
                sets << u + u" = ?"_s;
            if (!sets.isEmpty())
                odbcUpdateSql
                    = u"UPDATE %1 SET %2 WHERE %3"_s.arg(target, sets.join(u", "_s), keyMatch);
            sql = u"INSERT INTO %1 (%2) VALUES %3"_s.arg(target, names.join(u", "_s), values);
            break;
        }
        }
        break;
    }

    const BoundRow &first = group.front();
    const QString what = Tr::tr("write to \"%1\"").arg(t.name);
    auto failure = [&](const QSqlError &error) {
        const QString records = group.size() == 1
            ? recordLabel(state, *first.record, first.index)
            : Tr::tr("records %1 to %2").arg(first.index).arg(group.back().index);
        Error e = sqlFailure(error, what + u": "_s + records);
        if (group.size() > 1 && e.code == "sql_error"_L1)
            state.multiRowFailed = true;
        return e;
    };
    // The key values of a row, for the exists query / the ODBC UPDATE's WHERE.
    auto keyValues = [&](const BoundRow &row) {
        QVariantList out;
        for (int k : std::as_const(state.keys))
            out << row.values.at(row.columns.indexOf(k));
        return out;
    };

    bool existed = false;
    if (!existsSql.isEmpty()) {
        Result<QSqlQuery *> exists = statement(state, existsSql);
        if (!exists)
            return exists.error();
        QSqlQuery &q = **exists;
        const QVariantList params = keyValues(first);
        for (qsizetype i = 0; i < params.size(); ++i)
            q.bindValue(int(i), params[i]);
        if (!q.exec())
            return failure(q.lastError());
        existed = q.next();
        if (q.lastError().isValid())
            return failure(q.lastError());
        q.finish();
    }
    if (s.driver == Driver::Odbc && existed) {
        // The row is there: an UPDATE of the other columns. Drivers count matched (psqlODBC)
        // or changed (MySQL's) rows; none matched or changed is "unchanged".
        qint64 changed = 0;
        if (!odbcUpdateSql.isEmpty()) {
            Result<QSqlQuery *> update = statement(state, odbcUpdateSql);
            if (!update)
                return update.error();
            QSqlQuery &q = **update;
            QVariantList params;
            for (qsizetype i = 0; i < first.columns.size(); ++i) {
                if (!state.keys.contains(first.columns[i]))
                    params << first.values[i];
            }
            params << keyValues(first);
            for (qsizetype i = 0; i < params.size(); ++i)
                q.bindValue(int(i), params[i]);
            if (!q.exec())
                return failure(q.lastError());
            changed = std::max(0, q.numRowsAffected());
            q.finish();
        }
        if (changed > 0)
            state.summary.updated += 1;
        else
            state.summary.unchanged += 1;
        return {};
    }

    Result<QSqlQuery *> prepared = statement(state, sql);
    if (!prepared)
        return prepared.error();
    QSqlQuery &q = **prepared;
    int position = 0;
    for (const BoundRow &row : group) {
        const QVariantList bound = state.mode == WriteMode::Delete ? keyValues(row) : row.values;
        for (const QVariant &value : bound)
            q.bindValue(position++, value);
    }
    if (!q.exec())
        return failure(q.lastError());
    const qint64 rows = qint64(group.size());
    const qint64 affected = q.numRowsAffected();
    WriteSummary &sum = state.summary;
    switch (state.mode) {
    case WriteMode::Insert:
        sum.inserted += affected >= 0 ? affected : rows;
        break;
    case WriteMode::Delete:
        sum.deleted += std::max<qint64>(0, affected);
        break;
    case WriteMode::Upsert:
        if (s.driver == Driver::Postgres) {
            qint64 returned = 0;
            while (q.next()) {
                ++returned;
                if (q.value(0).toBool())
                    ++sum.inserted;
                else
                    ++sum.updated;
            }
            if (q.lastError().isValid())
                return failure(q.lastError());
            sum.unchanged += rows - returned;
        } else if (s.driver == Driver::Sqlite) {
            if (!existed)
                ++sum.inserted;
            else if (affected > 0)
                ++sum.updated;
            else
                ++sum.unchanged;
        } else if (s.driver == Driver::MySql) {
            // ON DUPLICATE KEY UPDATE: 1 a new row, 2 an updated one, 0 an equal one (without
            // CLIENT_FOUND_ROWS, which would make that 1 as well).
            if (affected == 1)
                ++sum.inserted;
            else if (affected == 2)
                ++sum.updated;
            else
                ++sum.unchanged;
        } else {
            ++sum.inserted; // ODBC: the key was not there
        }
        break;
    }
    q.finish();
    return {};
}

} // namespace Conflux::Connectors
