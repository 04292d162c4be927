// The SQL connector's catalog: the type names of each database, the tables and columns it
// reads from information_schema / pg_catalog, sqlite_master or the ODBC driver, and discover().

#include "sqlconnector_p.h"

#include <QSqlError>
#include <QSqlField>
#include <QSqlIndex>
#include <QSqlRecord>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors::Internal::Sql {

namespace {

// --- type names of each catalog

Column postgresColumn(const QString &name, const QString &dataType, const QString &udt,
                      const QVariant &scale)
{
    Column c;
    c.name = name;
    c.sqlType = dataType == "ARRAY"_L1  ? udt.mid(1) + u"[]"_s
        : dataType == "USER-DEFINED"_L1 ? udt
                                        : dataType;
    auto kindOf = [](const QString &t, const QVariant &numericScale) {
        if (t == "int2"_L1 || t == "int4"_L1 || t == "int8"_L1 || t == "oid"_L1)
            return Kind::Integer;
        if (t == "numeric"_L1)
            return !numericScale.isNull() && numericScale.toInt() == 0 ? Kind::Integer
                                                                       : Kind::Decimal;
        if (t == "float4"_L1 || t == "float8"_L1)
            return Kind::Float;
        if (t == "bool"_L1)
            return Kind::Boolean;
        if (t == "date"_L1)
            return Kind::Date;
        if (t == "time"_L1 || t == "timetz"_L1)
            return Kind::Time;
        if (t == "timestamp"_L1)
            return Kind::LocalDateTime;
        if (t == "timestamptz"_L1)
            return Kind::DateTime;
        if (t == "json"_L1 || t == "jsonb"_L1)
            return Kind::Json;
        if (t == "bytea"_L1)
            return Kind::Binary;
        if (t == "uuid"_L1)
            return Kind::Uuid;
        return Kind::Text;
    };
    if (udt.startsWith(u'_')) {
        c.kind = Kind::Array;
        c.elementKind = kindOf(udt.mid(1), QVariant());
        c.readAs = ReadAs::JsonText;
        return c;
    }
    c.kind = kindOf(udt, scale);
    switch (c.kind) {
    case Kind::Integer:
        c.readAs = udt == "numeric"_L1 ? ReadAs::Text : ReadAs::Raw;
        break;
    case Kind::Float:
    case Kind::Boolean:
    case Kind::Binary:
        break;
    case Kind::Date:
    case Kind::Time:
    case Kind::LocalDateTime:
    case Kind::DateTime:
        c.readAs = ReadAs::JsonScalar;
        break;
    default:
        c.readAs = ReadAs::Text;
        break;
    }
    c.compareAsText = udt == "json"_L1 || udt == "xml"_L1 || udt == "point"_L1 || udt == "line"_L1
        || udt == "lseg"_L1 || udt == "box"_L1 || udt == "path"_L1 || udt == "polygon"_L1
        || udt == "circle"_L1;
    return c;
}

Column mysqlColumn(const QString &name, const QString &dataType, const QString &columnType,
                   const QVariant &scale)
{
    Column c;
    c.name = name;
    c.sqlType = columnType;
    const QString t = dataType.toLower();
    const QString full = columnType.toLower();
    if (t == "tinyint"_L1 && full.startsWith("tinyint(1)"_L1)) {
        c.kind = Kind::Boolean;
    } else if (t == "bit"_L1) {
        // BIT(1) a flag, BIT(n) a bit field of up to 64 bits, read as the number it holds.
        c.kind = full == "bit(1)"_L1 ? Kind::Boolean : Kind::Integer;
        c.readAs = ReadAs::Unsigned;
    } else if (t == "tinyint"_L1 || t == "smallint"_L1 || t == "mediumint"_L1 || t == "int"_L1
               || t == "integer"_L1 || t == "bigint"_L1 || t == "year"_L1) {
        c.kind = Kind::Integer;
    } else if (t == "decimal"_L1 || t == "numeric"_L1) {
        c.kind = !scale.isNull() && scale.toInt() == 0 ? Kind::Integer : Kind::Decimal;
        c.readAs = ReadAs::Text;
    } else if (t == "float"_L1 || t == "double"_L1 || t == "real"_L1) {
        c.kind = Kind::Float;
    } else if (t == "date"_L1) {
        c.kind = Kind::Date;
        c.readAs = ReadAs::Text;
    } else if (t == "time"_L1) {
        c.kind = Kind::Time;
        c.readAs = ReadAs::Text;
    } else if (t == "datetime"_L1) {
        c.kind = Kind::LocalDateTime;
        c.readAs = ReadAs::Text;
    } else if (t == "timestamp"_L1) {
        // An instant, stored in UTC and shown in the session's time zone, which is UTC.
        c.kind = Kind::DateTime;
        c.readAs = ReadAs::Text;
    } else if (t == "json"_L1) {
        c.kind = Kind::Json; // MySQL; MariaDB's JSON is a longtext with a json_valid() check
        c.bytesAreText = true;
    } else if (t.contains("binary"_L1) || t.contains("blob"_L1)) {
        c.kind = Kind::Binary;
    } else if (t == "uuid"_L1) {
        c.kind = Kind::Uuid; // MariaDB 10.7+
        c.bytesAreText = true;
    } else {
        c.kind = Kind::Text;
        c.bytesAreText = true;
    }
    return c;
}

// MariaDB declares JSON columns as longtext with a CHECK (json_valid(`column`)) constraint,
// whose name is the column's.
bool isMariaDbJsonCheck(const QString &column, const QString &clause)
{
    return clause.simplified() == u"json_valid(%1)"_s.arg(quoteIdentifier(Driver::MySql, column));
}

// SQLite's affinity rules (https://www.sqlite.org/datatype3.html), refined by common type names.
Kind sqliteKind(const QString &declared)
{
    const QString t = declared.toUpper();
    if (t.isEmpty())
        return Kind::Any;
    if (t.contains("BOOL"_L1))
        return Kind::Boolean;
    if (t.contains("INT"_L1))
        return Kind::Integer;
    if (t.contains("DATETIME"_L1) || t.contains("TIMESTAMP"_L1))
        return Kind::LocalDateTime;
    if (t.contains("DATE"_L1))
        return Kind::Date;
    if (t.contains("TIME"_L1))
        return Kind::Time;
    if (t.contains("JSON"_L1))
        return Kind::Json;
    if (t.contains("UUID"_L1))
        return Kind::Uuid;
    if (t.contains("CHAR"_L1) || t.contains("CLOB"_L1) || t.contains("TEXT"_L1))
        return Kind::Text;
    if (t.contains("BLOB"_L1))
        return Kind::Binary;
    if (t.contains("REAL"_L1) || t.contains("FLOA"_L1) || t.contains("DOUB"_L1)
        || t.contains("NUM"_L1) || t.contains("DEC"_L1))
        return Kind::Float;
    return Kind::Any;
}

Kind metaTypeKind(int type)
{
    switch (type) {
    case QMetaType::Bool:
        return Kind::Boolean;
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::Short:
    case QMetaType::UShort:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
        return Kind::Integer;
    case QMetaType::Double:
    case QMetaType::Float:
        return Kind::Float;
    case QMetaType::QDate:
        return Kind::Date;
    case QMetaType::QTime:
        return Kind::Time;
    case QMetaType::QDateTime:
        return Kind::LocalDateTime;
    case QMetaType::QByteArray:
        return Kind::Binary;
    default:
        return Kind::Text;
    }
}

// How a column an ODBC driver describes (SQLDescribeCol: QSqlField::typeID() is the SQL type
// code, precision() the scale) converts; QODBC passes on no type names. Codes of ODBC 2 and 3.
Kind odbcKind(const QSqlField &field, QString *typeName)
{
    switch (field.typeID()) {
    case -7: // SQL_BIT
        *typeName = u"bit"_s;
        return Kind::Boolean;
    case -6: // SQL_TINYINT
    case 4: // SQL_INTEGER
    case 5: // SQL_SMALLINT
    case -5: // SQL_BIGINT
        *typeName = u"integer"_s;
        return Kind::Integer;
    case 2: // SQL_NUMERIC
    case 3: // SQL_DECIMAL; precision() is the scale (DECIMAL_DIGITS)
        *typeName = field.typeID() == 2 ? u"numeric"_s : u"decimal"_s;
        return field.precision() <= 0 ? Kind::Integer : Kind::Decimal;
    case 6: // SQL_FLOAT
    case 7: // SQL_REAL
    case 8: // SQL_DOUBLE
        *typeName = u"float"_s;
        return Kind::Float;
    case 9: // SQL_DATE
    case 91: // SQL_TYPE_DATE
        *typeName = u"date"_s;
        return Kind::Date;
    case 10: // SQL_TIME
    case 92: // SQL_TYPE_TIME
        *typeName = u"time"_s;
        return Kind::Time;
    case 11: // SQL_TIMESTAMP
    case 93: // SQL_TYPE_TIMESTAMP
        *typeName = u"timestamp"_s;
        return Kind::LocalDateTime;
    case -11: // SQL_GUID
        *typeName = u"guid"_s;
        return Kind::Uuid;
    case -2: // SQL_BINARY
    case -3: // SQL_VARBINARY
    case -4: // SQL_LONGVARBINARY
        *typeName = u"binary"_s;
        return Kind::Binary;
    case 1: // SQL_CHAR
    case 12: // SQL_VARCHAR
    case -1: // SQL_LONGVARCHAR
    case -8: // SQL_WCHAR
    case -9: // SQL_WVARCHAR
    case -10: // SQL_WLONGVARCHAR
        *typeName = u"character"_s;
        return Kind::Text;
    default:
        *typeName = QString::fromLatin1(field.metaType().name());
        return metaTypeKind(field.metaType().id());
    }
}

void finishTable(Table &table)
{
    table.byName.clear();
    for (qsizetype i = 0; i < qsizetype(table.columns.size()); ++i)
        table.byName.insert(table.columns[size_t(i)].name, int(i));
    for (const QString &key : std::as_const(table.key)) {
        if (const int i = table.indexOf(key); i >= 0)
            table.columns[size_t(i)].nullable = false;
    }
}

} // namespace

} // namespace Conflux::Connectors::Internal::Sql

namespace Conflux::Connectors {

using namespace Internal::Sql;

// --- catalog

Result<std::vector<Table>> SqlConnector::Private::loadTables(const QString &only)
{
    if (Result<void> opened = open(); !opened)
        return opened.error();
    std::vector<Table> tables;
    QHash<QString, size_t> byName;
    auto add = [&](Table table) {
        byName.insert(table.name, tables.size());
        tables.push_back(std::move(table));
    };
    const QString what = only.isEmpty()
        ? Tr::tr("cannot read the catalog")
        : Tr::tr("cannot read the catalog entry of \"%1\"").arg(only);
    auto filter = [&](const QString &column) {
        return only.isEmpty() ? QString() : u" AND %1 = ?"_s.arg(column);
    };
    QVariantList params {s.schema};
    if (!only.isEmpty())
        params << only;

    if (s.driver == Driver::Postgres || s.driver == Driver::MySql) {
        const bool pg = s.driver == Driver::Postgres;
        const QString tablesSql = pg
            ? u"SELECT t.table_name, t.table_type, "
              u"pg_catalog.obj_description(pg_catalog.to_regclass("
              "pg_catalog.quote_ident(t.table_schema) || '.' || "
              "pg_catalog.quote_ident(t.table_name))::pg_catalog.oid, "
              "'pg_class') FROM information_schema.tables t WHERE t.table_schema = ? "
              "AND t.table_type IN ('BASE TABLE', 'VIEW', 'FOREIGN')%1 ORDER BY t.table_name"_s
            : u"SELECT t.table_name, t.table_type, t.table_comment FROM information_schema.tables "
              u"t "
              "WHERE t.table_schema = ?%1 ORDER BY t.table_name"_s;
        Result<void> done
            = each(tablesSql.arg(filter(u"t.table_name"_s)), params, what, [&](const QSqlQuery &q) {
                  Table table;
                  table.name = q.value(0).toString();
                  table.isView = q.value(1).toString() == "VIEW"_L1
                      || q.value(1).toString() == "SYSTEM VIEW"_L1;
                  table.description = q.value(2).toString();
                  if (table.isView && !pg && table.description == "VIEW"_L1)
                      table.description.clear(); // MySQL's table_comment of every view
                  add(std::move(table));
              });
        if (!done)
            return done.error();
        const QString columnsSql = pg
            ? u"SELECT c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable, "
              u"c.numeric_scale "
              "FROM information_schema.columns c WHERE c.table_schema = ?%1 "
              "ORDER BY c.table_name, c.ordinal_position"_s
            : u"SELECT c.table_name, c.column_name, c.data_type, c.column_type, c.is_nullable, "
              u"c.numeric_scale "
              "FROM information_schema.columns c WHERE c.table_schema = ?%1 "
              "ORDER BY c.table_name, c.ordinal_position"_s;
        done = each(
            columnsSql.arg(filter(u"c.table_name"_s)), params, what, [&](const QSqlQuery &q) {
                const auto it = byName.constFind(q.value(0).toString());
                if (it == byName.cend())
                    return;
                Column column = pg ? postgresColumn(q.value(1).toString(), q.value(2).toString(),
                                                    q.value(3).toString(), q.value(5))
                                   : mysqlColumn(q.value(1).toString(), q.value(2).toString(),
                                                 q.value(3).toString(), q.value(5));
                column.nullable = q.value(4).toString() == "YES"_L1;
                tables[*it].columns.push_back(std::move(column));
            });
        if (!done)
            return done.error();
        // pg_catalog rather than information_schema.table_constraints, which hides the keys
        // of tables a role may only SELECT from.
        const QString keysSql = pg
            ? u"SELECT c.relname, a.attname FROM pg_catalog.pg_index i "
              "JOIN pg_catalog.pg_class c ON c.oid = i.indrelid "
              "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
              "CROSS JOIN LATERAL pg_catalog.unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
              "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
              "WHERE n.nspname = ? AND i.indisprimary%1 ORDER BY c.relname, k.ord"_s
            : u"SELECT k.table_name, k.column_name FROM information_schema.key_column_usage k "
              "WHERE k.table_schema = ? AND k.constraint_name = 'PRIMARY'%1 "
              "ORDER BY k.table_name, k.ordinal_position"_s;
        done = each(keysSql.arg(filter(pg ? u"c.relname"_s : u"k.table_name"_s)), params, what,
                    [&](const QSqlQuery &q) {
                        if (const auto it = byName.constFind(q.value(0).toString());
                            it != byName.cend())
                            tables[*it].key.append(q.value(1).toString());
                    });
        if (!done)
            return done.error();
        if (mariaDb) {
            done = each(
                u"SELECT c.table_name, c.constraint_name, c.check_clause "
                "FROM information_schema.check_constraints c "
                "WHERE c.constraint_schema = ? AND c.level = 'Column' "
                "AND LEFT(c.check_clause, 11) = 'json_valid('%1"_s.arg(filter(u"c.table_name"_s)),
                params, what, [&](const QSqlQuery &q) {
                    const auto it = byName.constFind(q.value(0).toString());
                    if (it == byName.cend())
                        return;
                    const QString name = q.value(1).toString();
                    for (Column &column : tables[*it].columns) {
                        if (column.name == name && column.kind == Kind::Text
                            && isMariaDbJsonCheck(name, q.value(2).toString())) {
                            column.kind = Kind::Json;
                            column.sqlType = u"json"_s;
                        }
                    }
                });
            if (!done)
                return done.error();
        }
    } else if (s.driver == Driver::Sqlite) {
        QVariantList sqliteParams;
        if (!only.isEmpty())
            sqliteParams << only;
        Result<void> done = each(
            u"SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'%1 ORDER BY name"_s.arg(filter(u"name"_s)),
            sqliteParams, what, [&](const QSqlQuery &q) {
                Table table;
                table.name = q.value(0).toString();
                table.isView = q.value(1).toString() == "view"_L1;
                add(std::move(table));
            });
        if (!done)
            return done.error();
        for (Table &table : tables) {
            Result<QSqlQuery> info = run(
                u"SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid"_s,
                {table.name}, what);
            if (!info)
                return info.error();
            std::vector<std::pair<int, QString>> key;
            while (info->next()) {
                Column column;
                column.name = info->value(0).toString();
                column.sqlType = info->value(1).toString();
                column.kind = sqliteKind(column.sqlType);
                if (column.sqlType.isEmpty())
                    column.sqlType = u"any"_s;
                column.nullable = info->value(2).toInt() == 0;
                if (const int pk = info->value(3).toInt(); pk > 0)
                    key.emplace_back(pk, column.name);
                table.columns.push_back(std::move(column));
            }
            std::sort(key.begin(), key.end());
            for (const auto &k : key)
                table.key.append(k.second);
        }
    } else {
        // The driver's table list (SQLTables) and primary keys (SQLPrimaryKeys), and the
        // columns as the driver describes the result of "SELECT * FROM t WHERE 1=0". QODBC's
        // column list (SQLColumns) is not used: it passes the name as a pattern ("order_lines"
        // also matches "orderXlines"), folds its case and cannot find names holding a quote.
        // A driver may list tables of several schemas (psqlODBC lists every schema's), and the
        // same name twice: a table the unqualified name does not reach (psqlODBC: one outside
        // the search_path) is left out, as the SQL of this connector cannot reach it either.
        const QStringList views = db.tables(QSql::Views);
        QStringList names = only.isEmpty() ? db.tables(QSql::Tables) + views : QStringList {only};
        names.sort();
        names.removeDuplicates();
        for (const QString &name : std::as_const(names)) {
            if (!s.tables.isEmpty() && !s.tables.contains(name))
                continue;
            Table table;
            table.name = name;
            table.isView = views.contains(name);
            QSqlQuery query(db);
            query.setForwardOnly(true);
            if (!query.exec(u"SELECT * FROM %1 WHERE 1=0"_s.arg(quote(name)))) {
                if (qstrcmp(classify(query.lastError()), "connection_failed") == 0)
                    return sqlFailure(query.lastError(), what);
                continue; // not reachable by its name (or not there)
            }
            const QSqlRecord record = query.record();
            for (int i = 0; i < record.count(); ++i) {
                const QSqlField field = record.field(i);
                Column column;
                column.name = field.name();
                column.kind = odbcKind(field, &column.sqlType);
                column.nullable = field.requiredStatus() != QSqlField::Required;
                table.columns.push_back(std::move(column));
            }
            query.finish();
            if (!table.isView) {
                // A quoted name is taken as it is (not case-folded); QODBC cannot pass one that
                // holds the quote character or a dot, whose key is then not found.
                const QSqlIndex primary
                    = db.primaryIndex(db.driver()->escapeIdentifier(name, QSqlDriver::TableName));
                QStringList key;
                for (int i = 0; i < primary.count(); ++i)
                    key.append(primary.fieldName(i));
                bool known = !key.isEmpty();
                for (const QString &k : std::as_const(key)) {
                    known = known
                        && std::any_of(table.columns.begin(), table.columns.end(),
                                       [&](const Column &c) { return c.name == k; });
                }
                if (known)
                    table.key = key;
            }
            add(std::move(table));
        }
    }

    std::vector<Table> allowed;
    for (Table &table : tables) {
        if (!s.tables.isEmpty() && !s.tables.contains(table.name))
            continue;
        finishTable(table);
        allowed.push_back(std::move(table));
    }
    return allowed;
}

Result<std::shared_ptr<const Table>> SqlConnector::Private::table(QString name, bool refresh)
{
    if (!s.tables.isEmpty() && !s.tables.contains(name)) {
        return fail("unknown_entity",
                    Tr::tr("the table \"%1\" is not in the endpoint's tables (%2)")
                        .arg(name, s.tables.join(u", "_s)));
    }
    if (refresh || !catalog.contains(name)) {
        Result<std::vector<Table>> loaded = loadTables(name);
        if (!loaded)
            return loaded.error();
        catalog.remove(name);
        for (Table &t : *loaded) {
            if (t.name == name)
                catalog.insert(name, std::make_shared<const Table>(std::move(t)));
        }
    }
    const auto it = catalog.constFind(name);
    if (it == catalog.cend()) {
        const QString schema = s.driver == Driver::Postgres || s.driver == Driver::MySql
            ? Tr::tr(" in the schema \"%1\"").arg(s.schema)
            : QString();
        return fail("unknown_entity",
                    Tr::tr("there is no table or view \"%1\"%2").arg(name, schema));
    }
    return *it;
}

// A name missing from the cached catalog reloads the table once: the column may have been
// added since.
Result<void> SqlConnector::Private::refreshFor(std::shared_ptr<const Table> &t,
                                               const QStringList &names)
{
    for (const QString &name : names) {
        if (t->indexOf(name) < 0) {
            Result<std::shared_ptr<const Table>> reloaded = table(t->name, true);
            if (!reloaded)
                return reloaded.error();
            t = *reloaded;
            break;
        }
    }
    return {};
}

Result<int> SqlConnector::Private::column(const Table &t, const QString &name,
                                          const QString &what) const
{
    const int index = t.indexOf(name);
    if (index < 0) {
        QStringList names;
        for (const Column &c : t.columns)
            names.append(c.name);
        return fail("unknown_field",
                    Tr::tr("%1: the table \"%2\" has no column \"%3\" (columns: %4)")
                        .arg(what, t.name, name, names.join(u", "_s)));
    }
    return index;
}

Result<std::vector<Entity>> SqlConnector::Private::discover()
{
    Result<std::vector<Table>> tables = loadTables({});
    if (!tables)
        return tables.error();
    if (tables->empty() && s.driver == Driver::Postgres) {
        Result<QSqlQuery> query = run(u"SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?"_s,
                                      {s.schema}, Tr::tr("cannot read the catalog"));
        if (!query)
            return query.error();
        if (!query->next()) {
            return fail("invalid_endpoint",
                        Tr::tr("the schema \"%1\" does not exist").arg(s.schema),
                        {u"/configuration/schema: "_s
                         + Tr::tr("no schema \"%1\" in this database").arg(s.schema)});
        }
    }
    catalog.clear();
    std::vector<Entity> entities;
    for (Table &table : *tables) {
        Entity entity;
        entity.name = table.name;
        entity.description = table.description;
        entity.schema.types = Data::SchemaType::Object;
        for (const Column &column : table.columns)
            entity.schema.fields.push_back(columnField(column));
        entity.keyFields = table.key;
        entity.capabilities = Capability::Read | Capability::IncrementalRead;
        if (!table.isView) {
            entity.capabilities |= Capability::Insert | Capability::Transactions;
            if (!table.key.isEmpty())
                entity.capabilities |= Capability::Upsert | Capability::Delete;
        }
        entities.push_back(std::move(entity));
        const QString name = table.name;
        catalog.insert(name, std::make_shared<const Table>(std::move(table)));
    }
    return entities;
}

} // namespace Conflux::Connectors
