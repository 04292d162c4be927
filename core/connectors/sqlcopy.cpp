// The SQL connector's bulk writes to PostgreSQL: the records of one write call streamed with
// COPY through the QPSQL connection's libpq handle.
//
// Why: a multi-row INSERT through QPSQL is sent as the text of an EXECUTE with every value
// formatted into it, which the server parses and plans per statement. COPY streams the rows in
// PostgreSQL's text format, which the server parses while the next ones are bound and sent.
// The values are the ones bindRecord() checked and converted (toSql), written in their text
// input form: the server converts them with the same input functions as bound parameters.
//
// Where the rows go:
// - inserts: into the table (rows that set a GENERATED ALWAYS identity column, which COPY
//   would take and an INSERT refuses: through the staging table below and INSERT ... SELECT);
// - upserts by the table's primary key: first into the table as well, after a savepoint (rows
//   with new keys are inserted, which is all an upsert does with them; statement-level
//   triggers see an INSERT only). When a key is there already, the COPY fails on it: back to
//   the savepoint, and the rows go the next way, as do the remaining groups of the call. (The
//   rows copied before the failing one leave dead tuples for VACUUM; a group of mostly new
//   keys with an old one at the end costs twice.)
// - other upserts: into a temporary staging table per column list (the table's column types,
//   none of its constraints, dropped at the commit), from which one INSERT ... SELECT ...
//   ON CONFLICT per column list writes them, with the statement path's change detection.
// Tables with rewrite rules (which COPY bypasses) or row-level security (which COPY refuses)
// are written by statements, as are single records (canCopy(), write()).
// Any other failure is an "sql_error" after which write() retries the whole call a row at a
// time by statements, which names the record at fault.

#include "sqlconnector_p.h"

#include <QSet>
#include <QSqlError>
#include <QStringEncoder>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <libpq-fe.h>
#include <memory>
#include <optional>
#include <variant>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace Internal::Sql;

namespace {

struct ResultDeleter
{
    void operator()(PGresult *result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// QPSQL's connection (QSqlDriver::handle() holds a PGconn*, which Qt 6.4 names by its struct,
// pg_conn*), or null.
PGconn *connectionOf(const QSqlDatabase &db)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid()
        || (qstrcmp(handle.typeName(), "PGconn*") != 0 && qstrcmp(handle.typeName(), "pg_conn*") != 0))
        return nullptr;
    return *static_cast<PGconn *const *>(handle.constData());
}

// As QPSQL reports errors: the server's message, and the SQLSTATE as the native code.
QSqlError pgError(PGconn *connection, const PGresult *result)
{
    const char *message = result ? PQresultErrorMessage(result) : nullptr;
    if (!message || !*message)
        message = PQerrorMessage(connection);
    const char *state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    return QSqlError(QString(), QString::fromUtf8(message), QSqlError::StatementError,
                     state ? QString::fromLatin1(state) : QString());
}

// Backslash escapes for COPY's delimiters in out[from...] (rare: looked for first).
void escapeCopyText(QByteArray &out, qsizetype from)
{
    const char *begin = out.constData() + from;
    const char *end = out.constData() + out.size();
    const char *special = std::find_if(begin, end, [](char c) {
        return c == '\\' || c == '\t' || c == '\n' || c == '\r';
    });
    if (special == end)
        return;
    const QByteArray text = out.mid(from);
    out.truncate(from);
    for (const char c : text) {
        const char escape = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : 0;
        if (escape)
            out.append('\\');
        out.append(escape ? escape : c);
    }
}

// A bound value in COPY's text format, as PostgreSQL's input function for the column reads it:
// \N for NULL; the delimiters escaped. Written straight into `out`: this runs for every value.
void appendCopyValue(QByteArray &out, const QVariant &value)
{
    if (value.isNull()) {
        out.append("\\N");
        return;
    }
    char number[32];
    auto append = [&](std::to_chars_result written) { out.append(number, written.ptr - number); };
    switch (value.metaType().id()) {
    case QMetaType::Bool:
        out.append(value.toBool() ? 't' : 'f');
        return;
    case QMetaType::Int:
    case QMetaType::LongLong:
        append(std::to_chars(number, number + sizeof number, value.toLongLong()));
        return;
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        append(std::to_chars(number, number + sizeof number, value.toULongLong()));
        return;
    case QMetaType::Double: {
        // As QPSQL formats a double parameter: the shortest text that reads back the same.
        const double d = value.toDouble();
        if (std::isnan(d))
            out.append("NaN");
        else if (std::isinf(d))
            out.append(d > 0 ? "Infinity" : "-Infinity");
        else
            append(std::to_chars(number, number + sizeof number, d));
        return;
    }
    case QMetaType::QByteArray: // bytea's hex input, its backslash escaped for COPY
        out.append("\\\\x");
        out.append(value.toByteArray().toHex());
        return;
    case QMetaType::QString: {
        // UTF-8 needs at most 3 bytes per UTF-16 code unit.
        QStringEncoder encoder(QStringEncoder::Utf8, QStringEncoder::Flag::Stateless);
        const QString &text = *static_cast<const QString *>(value.constData());
        const qsizetype from = out.size();
        out.resize(from + 3 * text.size());
        char *end = encoder.appendToBuffer(out.data() + from, text);
        out.truncate(end - out.constData());
        escapeCopyText(out, from);
        return;
    }
    default: {
        const qsizetype from = out.size();
        out.append(value.toString().toUtf8());
        escapeCopyText(out, from);
        return;
    }
    }
}

} // namespace

bool SqlConnector::Private::canCopy(WriteState &state)
{
    if (!connectionOf(db))
        return false;
    // COPY bypasses rewrite rules, which an INSERT applies, and refuses tables with row-level
    // security. It also writes the values given for GENERATED ALWAYS identity columns, which an
    // INSERT refuses: rows that set one go by INSERT ... SELECT from a staging table.
    const Table &table = *state.table;
    bool refused = true;
    state.identityAlways.clear();
    Result<void> checked = each(
        u"SELECT c.relhasrules OR c.relrowsecurity, a.attname FROM pg_catalog.pg_class c "
        "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attidentity = 'a' "
        "AND NOT a.attisdropped WHERE c.oid = pg_catalog.to_regclass(?)"_s,
        {tableRef(table)}, Tr::tr("write to \"%1\"").arg(table.name), [&](const QSqlQuery &row) {
            refused = row.value(0).toBool();
            if (const int c = table.indexOf(row.value(1).toString()); c >= 0)
                state.identityAlways.append(c);
        });
    return checked && !refused;
}

Result<void> SqlConnector::Private::copyRecords(WriteState &state,
                                                const std::vector<Data::Value> &records,
                                                const CancelToken *cancel)
{
    PGconn *connection = connectionOf(db);
    if (!connection)
        return fail("connection_failed", Tr::tr("the PostgreSQL connection is gone"));
    const Table &t = *state.table;
    const QString what = Tr::tr("write to \"%1\"").arg(t.name);

    // Upserts by the primary key try the table first (see above).
    QStringList keyNames;
    for (int k : std::as_const(state.keys))
        keyNames << t.columns[size_t(k)].name;
    bool intoTable = state.mode == WriteMode::Insert
        || (!t.key.isEmpty() && QSet<QString>(keyNames.begin(), keyNames.end())
                                    == QSet<QString>(t.key.begin(), t.key.end()));

    // The group of rows with the same columns that one COPY is streaming.
    struct Group
    {
        QList<int> columns;
        QString names;
        qsizetype first = 0, last = 0;
        bool open = false;
        bool direct = false;     // into the table, else into the staging table
        bool optimistic = false; // an upsert into the table, after a savepoint
    } group;
    // The group's rows in COPY's text format; while optimistic, all of them (they may have to
    // go again), else those not sent yet.
    QByteArray data;
    qsizetype sent = 0;
    constexpr qsizetype chunk = 32 * 1024; // small: the server starts on the first rows early

    auto failure = [&](const QSqlError &error) {
        const QString records = group.first == group.last
            ? Tr::tr("record %1").arg(group.first)
            : Tr::tr("records %1 to %2").arg(group.first).arg(group.last);
        Error e = sqlFailure(error, what + u": "_s + records);
        if (e.code == "sql_error"_L1)
            state.multiRowFailed = true; // write() retries a row at a time, naming the record
        return e;
    };
    QSqlError lastError;
    auto run = [&](const QString &sql) -> Result<PgResult> {
        PgResult result(PQexec(connection, sql.toUtf8().constData()));
        const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_COPY_IN) {
            lastError = pgError(connection, result.get());
            return failure(lastError);
        }
        return result;
    };
    // Sends what is pending (all of it, or once a chunk is full): the server parses it while
    // the next rows are bound.
    auto send = [&](bool all) {
        if (data.size() - sent < (all ? 1 : chunk))
            return true;
        const bool ok
            = PQputCopyData(connection, data.constData() + sent, int(data.size() - sent)) == 1;
        if (group.optimistic) {
            sent = data.size();
        } else {
            data.resize(0); // keeps the buffer for the next chunk
            sent = 0;
        }
        return ok;
    };
    // Ends the COPY: its row count, or the error (`abort`: ends it as failed).
    auto endCopy = [&](const char *abort = nullptr) -> std::variant<qint64, QSqlError> {
        bool ok = abort || send(true);
        if (PQputCopyEnd(connection, abort ? abort : ok ? nullptr : "the client stopped sending") != 1)
            ok = false;
        std::optional<QSqlError> error;
        qint64 copied = 0;
        while (PgResult result {PQgetResult(connection)}) { // the outcome, then a null result
            if (PQresultStatus(result.get()) == PGRES_COMMAND_OK)
                copied = QByteArray(PQcmdTuples(result.get())).toLongLong();
            else if (!error)
                error = pgError(connection, result.get());
        }
        if (!error && !ok)
            error = pgError(connection, nullptr);
        if (error)
            return *error;
        return copied;
    };
    // The staging table of the group's columns, empty. ON COMMIT DROP: each transaction makes
    // its own, so none outlives a change of the table's columns.
    auto stage = [&]() -> Result<QString> {
        auto found = state.stages.constFind(group.names);
        if (found != state.stages.constEnd()) {
            if (Result<PgResult> emptied = run(u"TRUNCATE %1"_s.arg(*found)); !emptied)
                return emptied.error();
            return *found;
        }
        const QString name = u"pg_temp.conflux_stage_%1"_s.arg(state.stages.size() + 1);
        if (Result<PgResult> created = run(
                u"CREATE TEMPORARY TABLE %1 ON COMMIT DROP AS SELECT %2 FROM %3 WITH NO DATA"_s.arg(
                    name, group.names, tableRef(t)));
            !created) {
            // A role without the TEMPORARY privilege: write() retries this call a row at a
            // time, and the next calls go by multi-row statements.
            if (lastError.nativeErrorCode() == "42501"_L1)
                stagingRefused = true;
            return created.error();
        }
        state.stages.insert(group.names, name);
        return name;
    };
    auto startCopy = [&](const QString &into) -> Result<void> {
        if (Result<PgResult> started = run(u"COPY %1 (%2) FROM STDIN"_s.arg(into, group.names));
            !started)
            return started.error();
        group.open = true;
        return {};
    };
    auto startGroup = [&](const BoundRow &row) -> Result<void> {
        group.columns = row.columns;
        group.first = group.last = row.index;
        QStringList names;
        for (int c : std::as_const(group.columns))
            names << quote(t.columns[size_t(c)].name);
        group.names = names.join(u", "_s);
        data.resize(0);
        sent = 0;
        group.direct = intoTable
            && std::none_of(group.columns.begin(), group.columns.end(),
                            [&](int c) { return state.identityAlways.contains(c); });
        group.optimistic = group.direct && state.mode == WriteMode::Upsert;
        if (group.direct) {
            if (group.optimistic) {
                if (Result<PgResult> saved = run(u"SAVEPOINT conflux_copy"_s); !saved)
                    return saved.error();
            }
            return startCopy(tableRef(t));
        }
        Result<QString> into = stage();
        if (!into)
            return into.error();
        return startCopy(*into);
    };
    // Ends the group: the COPY, then what the rows need after it.
    auto endGroup = [&]() -> Result<void> {
        group.open = false;
        std::variant<qint64, QSqlError> copied = endCopy();
        WriteSummary &sum = state.summary;
        if (group.direct) {
            if (const qint64 *rows = std::get_if<qint64>(&copied)) {
                if (group.optimistic) {
                    if (Result<PgResult> released = run(u"RELEASE SAVEPOINT conflux_copy"_s); !released)
                        return released.error();
                }
                sum.inserted += *rows;
                return {};
            }
            const QSqlError &error = std::get<QSqlError>(copied);
            if (!group.optimistic || error.nativeErrorCode() != "23505"_L1)
                return failure(error);
            // A key the table has (unique_violation): the staging table, from now on.
            if (Result<PgResult> back
                = run(u"ROLLBACK TO SAVEPOINT conflux_copy; RELEASE SAVEPOINT conflux_copy"_s);
                !back)
                return back.error();
            intoTable = group.direct = group.optimistic = false;
            Result<QString> into = stage();
            if (!into)
                return into.error();
            if (Result<void> started = startCopy(*into); !started)
                return started;
            group.open = false;
            sent = 0;
            copied = endCopy();
        }
        if (const QSqlError *error = std::get_if<QSqlError>(&copied))
            return failure(*error);
        const QString stageName = state.stages.value(group.names);
        if (state.mode == WriteMode::Insert) {
            Result<PgResult> inserted = run(u"INSERT INTO %1 (%2) SELECT %2 FROM %3"_s.arg(
                tableRef(t), group.names, stageName));
            if (!inserted)
                return inserted.error();
            sum.inserted += QByteArray(PQcmdTuples(inserted->get())).toLongLong();
            return {};
        }
        // xmax is 0 for a row this statement inserted; a row whose values were equal is not
        // returned at all (unchanged).
        const bool onlyKeys = std::all_of(group.columns.begin(), group.columns.end(),
                                          [&](int c) { return state.keys.contains(c); });
        Result<PgResult> upserted = run(
            u"WITH conflux_w AS (INSERT INTO %1 AS conflux_t (%2) SELECT %2 FROM %3%4 RETURNING %5) "
            "SELECT count(*) FILTER (WHERE conflux_w.inserted), count(*) FROM conflux_w"_s.arg(
                tableRef(t), group.names, stageName, upsertClause(state, group.columns),
                onlyKeys ? u"true AS inserted"_s : u"(xmax = 0) AS inserted"_s));
        if (!upserted)
            return upserted.error();
        const qint64 inserted = QByteArray(PQgetvalue(upserted->get(), 0, 0)).toLongLong();
        const qint64 returned = QByteArray(PQgetvalue(upserted->get(), 0, 1)).toLongLong();
        sum.inserted += inserted;
        sum.updated += returned - inserted;
        sum.unchanged += (group.last - group.first + 1) - returned;
        return {};
    };
    auto abandon = [&](Error error) -> Result<void> {
        if (group.open)
            (void)endCopy("abandoned by the client");
        return error;
    };

    for (qsizetype i = 0; i < qsizetype(records.size()); ++i) {
        if (i % s.batchSize == 0 && i > 0 && cancel && cancel->isCancelled())
            return abandon(fail(
                "cancelled",
                Tr::tr("%1 was cancelled at record %2; nothing was written").arg(what).arg(i)));
        Result<BoundRow> row = bindRecord(state, records[size_t(i)], i);
        if (!row)
            return abandon(row.error());
        if (group.open && row->columns != group.columns) {
            if (Result<void> ended = endGroup(); !ended)
                return ended;
        }
        if (!group.open) {
            if (Result<void> started = startGroup(*row); !started)
                return started;
        }
        group.last = i;
        for (qsizetype v = 0; v < row->values.size(); ++v) {
            if (v > 0)
                data.append('\t');
            appendCopyValue(data, row->values.at(v));
        }
        data.append('\n');
        if (!send(false))
            return abandon(failure(pgError(connection, nullptr)));
    }
    if (group.open)
        return endGroup();
    return {};
}

} // namespace Conflux::Connectors
