#include "sqlconnector.h"

#include "base/metrics.h"
#include "data/json.h"
#include "data/numbers.h"
#include "security/secrets.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QSqlIndex>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QThread>
#include <QUrlQuery>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <map>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::SqlConnector)
};

std::atomic<quint64> g_nextConnection {1}; // constant-initialized

enum class Driver : quint8 { Sqlite, Postgres, MySql, Odbc };

struct DriverInfo
{
    const char *qtName;
    const char *package;
    const char *label;
};

constexpr DriverInfo kDrivers[] = {
    {"QSQLITE", "libqt6sql6-sqlite", "SQLite"},
    {"QPSQL", "libqt6sql6-psql", "PostgreSQL"},
    {"QMYSQL", "libqt6sql6-mysql", "MySQL"},
    {"QODBC", "libqt6sql6-odbc", "ODBC"},
};

const DriverInfo &driverInfo(Driver driver)
{
    return kDrivers[int(driver)];
}

// How a column's values convert between the database and Data::Value (docs/connectors/sql.md).
enum class Kind : quint8 {
    Integer,
    Decimal,
    Float,
    Boolean,
    Text,
    Uuid,
    Date,
    Time,
    LocalDateTime,
    DateTime,
    Json,
    Binary,
    Array,
    Any
};

// How a column is selected: PostgreSQL and MySQL hand some types over as text, so that exact
// decimals, microseconds and arrays survive the driver.
enum class ReadAs : quint8 { Raw, Text, JsonText, JsonScalar };

struct Column
{
    QString name;
    QString sqlType; // as the catalog names it, for messages
    Kind kind = Kind::Text;
    Kind elementKind = Kind::Text; // arrays
    ReadAs readAs = ReadAs::Raw;
    bool nullable = true;
    bool compareAsText = false; // PostgreSQL json, xml, ...: no equality operator
};

struct Table
{
    QString name;
    bool isView = false;
    QString description;
    std::vector<Column> columns;
    QStringList key;
    QHash<QString, int> byName;

    int indexOf(const QString &column) const { return byName.value(column, -1); }
};

struct Settings
{
    Driver driver = Driver::Sqlite;
    QString host;
    int port = 0;
    QString database; // SQLite: the absolute file path; ODBC: the connection string
    QString user;
    QString passwordSecret; // a secret name; empty: no password
    QString schema; // PostgreSQL schema; MySQL database
    int batchSize = 500;
    QStringList tables; // allow-list; empty: every table
    QStringList connectOptions; // the configuration's "key=value" options
    int queryTimeoutMs = 0;
    int connectTimeoutSeconds = 30;
};

QString escapePointer(QString name)
{
    return name.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
}

QString quoteIdentifier(Driver driver, const QString &name)
{
    if (driver == Driver::MySql)
        return u'`' + QString(name).replace(u'`', u"``"_s) + u'`';
    return u'"' + QString(name).replace(u'"', u"\"\""_s) + u'"';
}

QString numberText(const Data::Value &value)
{
    return value.hasExactText() ? value.exactText() : Data::formatNumberString(value.toDouble());
}

QString jsonText(const Data::Value &value)
{
    return QString::fromUtf8(Data::Json::serialize(value));
}

// A short rendering of a value for messages (keys, filter values).
QString shortText(const Data::Value &value)
{
    QString text = value.isString() ? value.toString() : jsonText(value);
    if (text.size() > 64)
        text = text.left(61) + u"..."_s;
    return text;
}

bool isDecimalText(const QString &text)
{
    static const QRegularExpression decimal(u"^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?$"_s);
    return decimal.match(text).hasMatch();
}

// A PostgreSQL array literal ({"a","b",NULL}) for a bound text parameter.
QString postgresArrayLiteral(const Data::Value &array)
{
    QString out = u"{"_s;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const Data::Value &item = array.at(i);
        if (i > 0)
            out += u',';
        if (item.isNull() || item.isUndefined()) {
            out += u"NULL"_s;
        } else if (item.isArray()) {
            out += postgresArrayLiteral(item);
        } else {
            QString text = item.isString() ? item.toString()
                : item.isNumber()          ? numberText(item)
                : item.isBool()            ? (item.toBool() ? u"true"_s : u"false"_s)
                                           : jsonText(item);
            text.replace(u'\\', u"\\\\"_s).replace(u'"', u"\\\""_s);
            out += u'"' + text + u'"';
        }
    }
    return out + u'}';
}

QVariant typedNull(Kind kind)
{
    switch (kind) {
    case Kind::Integer:
        return QVariant(QMetaType(QMetaType::LongLong));
    case Kind::Float:
        return QVariant(QMetaType(QMetaType::Double));
    case Kind::Boolean:
        return QVariant(QMetaType(QMetaType::Bool));
    case Kind::Binary:
        return QVariant(QMetaType(QMetaType::QByteArray));
    default:
        return QVariant(QMetaType(QMetaType::QString));
    }
}

// A record value as a bound parameter for `column`; empty `error` on success.
QVariant toSql(Driver driver, const Column &column, const Data::Value &value, QString *error)
{
    if (value.isNull() || value.isUndefined())
        return typedNull(column.kind);
    auto refuse = [&](const QString &expected) {
        *error = Tr::tr("column \"%1\" (%2) expects %3, not %4")
                     .arg(column.name, column.sqlType, expected,
                          value.isString() ? u"\"%1\""_s.arg(shortText(value)) : shortText(value));
        return QVariant();
    };
    switch (column.kind) {
    case Kind::Integer:
        if (value.isNumber()) {
            if (value.hasExactText()) {
                bool ok = false;
                const qint64 n = value.exactText().toLongLong(&ok);
                return ok ? QVariant(n) : QVariant(value.exactText());
            }
            const double d = value.toDouble();
            if (std::trunc(d) == d && std::abs(d) < 9.2e18)
                return qint64(d);
            if (std::trunc(d) == d)
                return numberText(value); // beyond 64 bits: numeric(p,0) takes it, int8 refuses it
            return refuse(Tr::tr("an integer"));
        }
        if (value.isString()) {
            static const QRegularExpression integer(u"^[+-]?\\d+$"_s);
            const QString text = value.toString().trimmed();
            bool ok = false;
            const qint64 n = text.toLongLong(&ok);
            if (ok)
                return n;
            if (integer.match(text).hasMatch())
                return text; // beyond 64 bits: the database decides (numeric(p,0) takes it)
        }
        return refuse(Tr::tr("an integer"));
    case Kind::Decimal:
        if (value.isNumber())
            return numberText(value);
        if (value.isString() && isDecimalText(value.toString().trimmed()))
            return value.toString().trimmed();
        return refuse(Tr::tr("a decimal number"));
    case Kind::Float:
        if (value.isNumber())
            return value.toDouble();
        if (value.isString()) {
            bool ok = false;
            const double d = value.toString().trimmed().toDouble(&ok);
            if (ok)
                return d;
        }
        return refuse(Tr::tr("a number"));
    case Kind::Boolean: {
        std::optional<bool> b;
        if (value.isBool()) {
            b = value.toBool();
        } else if (value.isNumber() && (value.toDouble() == 0 || value.toDouble() == 1)) {
            b = value.toDouble() == 1;
        } else if (value.isString()) {
            const QString text = value.toString().trimmed().toLower();
            if (text == "true"_L1 || text == "t"_L1 || text == "1"_L1 || text == "yes"_L1)
                b = true;
            else if (text == "false"_L1 || text == "f"_L1 || text == "0"_L1 || text == "no"_L1)
                b = false;
        }
        if (!b)
            return refuse(Tr::tr("a boolean"));
        // PostgreSQL and ODBC have a boolean type; SQLite and MySQL store 0 and 1.
        if (driver == Driver::Postgres || driver == Driver::Odbc)
            return *b;
        return qint64(*b ? 1 : 0);
    }
    case Kind::Date:
    case Kind::Time:
    case Kind::LocalDateTime:
    case Kind::DateTime:
        if (value.isString())
            return value.toString();
        return refuse(Tr::tr("an ISO 8601 string"));
    case Kind::Json:
        return jsonText(value);
    case Kind::Binary:
        if (value.isString()) {
            const auto decoded = QByteArray::fromBase64Encoding(
                value.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (decoded)
                return *decoded;
        }
        return refuse(Tr::tr("a base64 string"));
    case Kind::Array:
        if (value.isArray())
            return postgresArrayLiteral(value);
        return refuse(Tr::tr("an array"));
    case Kind::Text:
    case Kind::Uuid:
    case Kind::Any:
        if (value.isString())
            return value.toString();
        if (value.isBool())
            return column.kind == Kind::Any ? QVariant(qint64(value.toBool() ? 1 : 0))
                                            : QVariant(value.toBool() ? u"true"_s : u"false"_s);
        if (value.isNumber()) {
            if (column.kind != Kind::Any)
                return numberText(value);
            if (value.hasExactText()) {
                bool ok = false;
                const qint64 n = value.exactText().toLongLong(&ok);
                return ok ? QVariant(n) : QVariant(value.exactText());
            }
            const double d = value.toDouble();
            if (std::trunc(d) == d && std::abs(d) < 9.2e18)
                return qint64(d);
            return d;
        }
        if (value.isObject() || value.isArray())
            return jsonText(value);
        return refuse(Tr::tr("a string"));
    }
    return refuse(Tr::tr("a value"));
}

// A value the driver returned, as a Data::Value whatever the column says (SQLite is dynamically
// typed).
Data::Value genericValue(const QVariant &v)
{
    switch (v.metaType().id()) {
    case QMetaType::Bool:
        return v.toBool();
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::Short:
    case QMetaType::UShort:
    case QMetaType::Char:
    case QMetaType::SChar:
    case QMetaType::UChar:
    case QMetaType::Long:
    case QMetaType::LongLong:
        return v.toLongLong();
    case QMetaType::ULong:
    case QMetaType::ULongLong:
        return v.toULongLong();
    case QMetaType::Double:
    case QMetaType::Float:
        return v.toDouble();
    case QMetaType::QByteArray:
        return QString::fromLatin1(v.toByteArray().toBase64());
    case QMetaType::QDate:
        return v.toDate().toString(Qt::ISODate);
    case QMetaType::QTime:
        return v.toTime().toString(Qt::ISODateWithMs);
    case QMetaType::QDateTime:
        return v.toDateTime().toString(Qt::ISODateWithMs);
    default:
        return v.toString();
    }
}

Data::Value fromSql(const Column &column, const QVariant &v)
{
    if (v.isNull())
        return Data::Value::null();
    const bool isText = v.metaType().id() == QMetaType::QString;
    switch (column.kind) {
    case Kind::Integer:
    case Kind::Float:
    case Kind::Decimal:
        if (isText) {
            const QString text = v.toString();
            if (column.kind == Kind::Decimal)
                return text; // exact: Data::Value keeps only integers exact
            Data::Value number = Data::Value::numberFromText(text);
            return number.isUndefined() ? Data::Value(text) : number;
        }
        return genericValue(v);
    case Kind::Boolean:
        if (v.metaType().id() == QMetaType::Bool)
            return v.toBool();
        if (isText) {
            const QString text = v.toString().toLower();
            if (text == "t"_L1 || text == "true"_L1 || text == "1"_L1)
                return true;
            if (text == "f"_L1 || text == "false"_L1 || text == "0"_L1)
                return false;
            return text;
        }
        if (v.metaType().id() == QMetaType::Double)
            return Data::Value(v.toDouble());
        return v.toLongLong() != 0;
    case Kind::LocalDateTime:
    case Kind::DateTime:
        if (isText && column.readAs == ReadAs::Text) { // MySQL's "2024-01-15 10:30:00"
            QString text = v.toString();
            if (text.size() > 10 && text.at(10) == u' ')
                text[10] = u'T';
            return text;
        }
        return genericValue(v);
    case Kind::Json:
    case Kind::Array:
        if (isText) {
            const QString text = v.toString();
            Result<Data::Value> parsed = Data::Json::parse(text.toUtf8());
            if (parsed)
                return std::move(parsed).value();
            return text;
        }
        return genericValue(v);
    default:
        return genericValue(v);
    }
}

Data::SchemaTypes schemaTypes(Kind kind, Data::StringFormat *format)
{
    using Data::SchemaType;
    *format = Data::StringFormat::None;
    switch (kind) {
    case Kind::Integer:
        return SchemaType::Integer;
    case Kind::Float:
        return SchemaType::Number;
    case Kind::Boolean:
        return SchemaType::Boolean;
    case Kind::Uuid:
        *format = Data::StringFormat::Uuid;
        return SchemaType::String;
    case Kind::Date:
        *format = Data::StringFormat::Date;
        return SchemaType::String;
    case Kind::Time:
        *format = Data::StringFormat::Time;
        return SchemaType::String;
    case Kind::LocalDateTime:
        *format = Data::StringFormat::LocalDateTime;
        return SchemaType::String;
    case Kind::DateTime:
        *format = Data::StringFormat::DateTime;
        return SchemaType::String;
    case Kind::Json:
        return SchemaType::Object | SchemaType::Array | SchemaType::String | SchemaType::Number
            | SchemaType::Boolean;
    case Kind::Array:
        return SchemaType::Array;
    case Kind::Any:
        return SchemaType::Integer | SchemaType::Number | SchemaType::String;
    case Kind::Decimal:
    case Kind::Text:
    case Kind::Binary:
        return SchemaType::String;
    }
    return SchemaType::String;
}

Data::SchemaField columnField(const Column &column)
{
    Data::SchemaField field;
    field.name = column.name;
    field.path = escapePointer(column.name);
    field.types = schemaTypes(column.kind, &field.format);
    if (column.nullable)
        field.types |= Data::SchemaType::Null;
    if (column.kind == Kind::Array) {
        Data::SchemaField item;
        item.name = u"[]"_s;
        item.path = field.path + u"[]"_s;
        item.types = schemaTypes(column.elementKind, &item.format) | Data::SchemaType::Null;
        field.items.push_back(std::move(item));
    }
    return field;
}

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
    if ((t == "tinyint"_L1 && full.startsWith("tinyint(1)"_L1))
        || (t == "bit"_L1 && full == "bit(1)"_L1)) {
        c.kind = Kind::Boolean;
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
    } else if (t == "datetime"_L1 || t == "timestamp"_L1) {
        c.kind = Kind::LocalDateTime;
        c.readAs = ReadAs::Text;
    } else if (t == "json"_L1) {
        c.kind = Kind::Json;
    } else if (t.contains("binary"_L1) || t.contains("blob"_L1) || t == "bit"_L1) {
        c.kind = Kind::Binary;
    } else {
        c.kind = Kind::Text;
    }
    return c;
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

// A record's bound values for one statement: the columns it sets (in table order) and their values.
struct BoundRow
{
    qsizetype index = 0;
    QList<int> columns;
    QVariantList values;
    QString keyText;
};

struct WriteState
{
    std::shared_ptr<const Table> table;
    WriteMode mode = WriteMode::Insert;
    QList<int> keys;
    qsizetype rowsPerStatement = 1;
    std::map<QString, QSqlQuery> statements; // prepared once per call, by SQL text
    WriteSummary summary;
    bool multiRowFailed = false; // a multi-row statement failed: retry one row at a time
};

} // namespace

struct SqlConnector::Private
{
    Settings s;
    ConnectorContext context;
    QString endpointId;

    QSqlDatabase db;
    QString connectionName;
    QThread *thread = nullptr;
    QString password; // of the current connection: scrubbed from every message
    QString serverInfo;
    qint64 backendPid = 0; // PostgreSQL: to cancel an abandoned query
    bool broken = false; // the connection failed: reconnect at the next call
    QHash<QString, std::shared_ptr<const Table>> catalog; // tables loaded so far

    ~Private() { drop(); }

    QString quote(const QString &name) const
    {
        if (s.driver == Driver::Odbc && db.isOpen()) // the driver knows its quote character
            return db.driver()->escapeIdentifier(name, QSqlDriver::FieldName);
        return quoteIdentifier(s.driver, name);
    }
    QString tableRef(const Table &table) const
    {
        if (s.driver == Driver::Postgres || s.driver == Driver::MySql)
            return quote(s.schema) + u'.' + quote(table.name);
        if (s.driver == Driver::Odbc && db.isValid())
            return db.driver()->escapeIdentifier(table.name, QSqlDriver::TableName);
        return quote(table.name);
    }
    QString where() const
    {
        const QString label = QLatin1StringView(driverInfo(s.driver).label);
        switch (s.driver) {
        case Driver::Sqlite:
            return label + u' ' + s.database;
        case Driver::Odbc:
            return label + u" \""_s + s.database.left(80) + u'"';
        default:
            return u"%1 %2:%3/%4"_s.arg(label, s.host, QString::number(s.port), s.database);
        }
    }
    QString scrub(QString text) const
    {
        if (password.size() >= 3)
            text.replace(password, u"***"_s);
        return text;
    }
    Error fail(const char *code, const QString &message, const QStringList &details = {}) const
    {
        return makeError(code, scrub(where() + u": "_s + message), details);
    }

    void drop();
    Result<void> open();
    Result<void> prepareSession();
    QString driverText(const QSqlError &error) const;
    const char *classify(const QSqlError &error) const;
    Error sqlFailure(const QSqlError &error, const QString &what);
    Result<QSqlQuery> run(const QString &sql, const QVariantList &params, const QString &what);
    Result<void> each(const QString &sql, const QVariantList &params, const QString &what,
                      const std::function<void(const QSqlQuery &)> &row);
    void abandonQuery();

    Result<std::vector<Table>> loadTables(const QString &only);
    Result<std::shared_ptr<const Table>> table(QString name, bool refresh);
    Result<void> refreshFor(std::shared_ptr<const Table> &table, const QStringList &names);
    Result<int> column(const Table &table, const QString &name, const QString &what) const;

    Result<ConnectionTest> testConnection();
    Result<std::vector<Entity>> discover();
    Result<ReadSummary> read(const ReadRequest &request, const PageSink &sink);
    Result<WriteSummary> write(const WriteRequest &request);
    Result<void> runWrite(WriteState &state, const std::vector<Data::Value> &records,
                          const CancelToken *cancel);
    Result<BoundRow> bindRecord(const WriteState &state, const Data::Value &record,
                                qsizetype index) const;
    Result<void> flush(WriteState &state, const std::vector<BoundRow> &group);
    Result<QSqlQuery *> statement(WriteState &state, const QString &sql);
    Result<void> exec(const QString &sql, const QString &what);

    template<typename T>
    Result<T> counted(const char *operation, Result<T> result, const QElapsedTimer &timer) const
    {
        if (context.metrics) {
            const QString status = result ? u"ok"_s : result.error().code;
            context.metrics
                ->counter(u"connector_requests_total"_s,
                          u"Requests connectors sent, by endpoint, method and status"_s,
                          {u"endpoint"_s, u"method"_s, u"status"_s})
                .increment({endpointId, QString::fromLatin1(operation), status});
            context.metrics
                ->histogram(u"connector_request_duration_seconds"_s,
                            u"Duration of connector requests"_s, {u"endpoint"_s})
                .observe({endpointId}, double(timer.nsecsElapsed()) / 1e9);
        }
        return result;
    }
};

// --- connection

void SqlConnector::Private::drop()
{
    if (connectionName.isEmpty())
        return;
    db = QSqlDatabase(); // the last handle: removeDatabase() closes it, whichever thread opened it
    QSqlDatabase::removeDatabase(connectionName);
    connectionName.clear();
    thread = nullptr;
}

Result<void> SqlConnector::Private::open()
{
    QThread *current = QThread::currentThread();
    if (db.isValid() && thread != current)
        drop(); // QtSql connections belong to the thread that created them
    if (broken) {
        db.close();
        broken = false;
    }
    if (!db.isValid()) {
        connectionName = u"conflux-sql-%1-%2"_s.arg(endpointId).arg(g_nextConnection.fetch_add(1));
        db = QSqlDatabase::addDatabase(QLatin1StringView(driverInfo(s.driver).qtName),
                                       connectionName);
        thread = current;
        if (!db.isValid()) {
            return fail("driver_unavailable",
                        Tr::tr("the Qt SQL driver %1 cannot be loaded (apt-get install %2)")
                            .arg(QLatin1StringView(driverInfo(s.driver).qtName),
                                 QLatin1StringView(driverInfo(s.driver).package)));
        }
    }
    if (db.isOpen())
        return {};

    QStringList options;
    switch (s.driver) {
    case Driver::Sqlite:
        if (s.database != ":memory:"_L1 && !QFileInfo(s.database).isFile())
            return fail("connection_failed",
                        Tr::tr("there is no SQLite database file at this path"));
        db.setDatabaseName(s.database);
        options << u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(qint64(s.connectTimeoutSeconds) * 1000);
        break;
    case Driver::Postgres:
        options << u"connect_timeout=%1"_s.arg(s.connectTimeoutSeconds)
                << u"application_name=conflux"_s;
        break;
    case Driver::MySql:
        options << u"MYSQL_OPT_CONNECT_TIMEOUT=%1"_s.arg(s.connectTimeoutSeconds);
        break;
    case Driver::Odbc:
        options << u"SQL_ATTR_LOGIN_TIMEOUT=%1"_s.arg(s.connectTimeoutSeconds)
                << u"SQL_ATTR_CONNECTION_TIMEOUT=%1"_s.arg(s.connectTimeoutSeconds);
        break;
    }
    if (s.driver != Driver::Sqlite) {
        if (s.driver != Driver::Odbc) {
            db.setHostName(s.host);
            db.setPort(s.port);
        }
        db.setDatabaseName(s.database);
        db.setUserName(s.user);
    }
    options << s.connectOptions;
    db.setConnectOptions(options.join(u';'));

    password.clear();
    if (!s.passwordSecret.isEmpty()) {
        if (!context.secrets) {
            return fail(
                "secret_unavailable",
                Tr::tr("the password is the secret \"%1\", but no secret resolver is configured")
                    .arg(s.passwordSecret));
        }
        Result<QString> secret = context.secrets->resolve(s.passwordSecret);
        if (!secret) {
            Error error = secret.error();
            error.message = where() + u": "_s + error.message;
            return error;
        }
        password = *secret;
    }
    db.setPassword(password);
    const bool opened = db.open();
    db.setPassword(QString()); // not kept beyond the connect
    if (!opened) {
        const QSqlError error = db.lastError();
        const QString text = driverText(error);
        const char *code = "connection_failed";
        const QString lower = text.toLower();
        if (lower.contains("password authentication failed"_L1)
            || lower.contains("no password supplied"_L1)
            || lower.contains("authentication failed"_L1) || lower.contains("access denied"_L1)
            || error.nativeErrorCode() == "1045"_L1 || error.nativeErrorCode() == "28P01"_L1
            || error.nativeErrorCode() == "28000"_L1)
            code = "authentication_failed";
        else if (lower.contains("timeout expired"_L1) || lower.contains("timed out"_L1))
            code = "timeout";
        const QString user = s.user.isEmpty() ? QString() : Tr::tr(" as user \"%1\"").arg(s.user);
        Error failure = fail(code, Tr::tr("cannot connect%1: %2").arg(user, text));
        db.close();
        return failure;
    }
    if (Result<void> prepared = prepareSession(); !prepared) {
        db.close();
        return prepared;
    }
    return {};
}

// Session settings, and what testConnection() reports.
Result<void> SqlConnector::Private::prepareSession()
{
    switch (s.driver) {
    case Driver::Postgres: {
        // UTC makes timestamptz read as "...+00:00"; warnings only, so notices never reach stderr.
        QString sql
            = u"SELECT pg_catalog.current_setting('server_version'), pg_catalog.pg_backend_pid(), "
              "pg_catalog.set_config('TimeZone', 'UTC', false), "
              "pg_catalog.set_config('client_min_messages', 'warning', false)"_s;
        QVariantList params;
        if (s.queryTimeoutMs > 0) {
            sql += u", pg_catalog.set_config('statement_timeout', ?, false)"_s;
            params << QString::number(s.queryTimeoutMs);
        }
        Result<QSqlQuery> query = run(sql, params, Tr::tr("cannot prepare the session"));
        if (!query)
            return query.error();
        if (query->next()) {
            serverInfo = u"PostgreSQL "_s + query->value(0).toString().section(u' ', 0, 0);
            backendPid = query->value(1).toLongLong();
        }
        return {};
    }
    case Driver::Sqlite: {
        Result<QSqlQuery> query
            = run(u"SELECT sqlite_version()"_s, {}, Tr::tr("cannot query the version"));
        if (!query)
            return query.error();
        if (query->next())
            serverInfo = u"SQLite "_s + query->value(0).toString();
        return {};
    }
    case Driver::MySql: {
        Result<QSqlQuery> query
            = run(u"SELECT VERSION()"_s, {}, Tr::tr("cannot query the version"));
        if (!query)
            return query.error();
        const QString version = query->next() ? query->value(0).toString() : QString();
        query->finish();
        const bool mariaDb = version.contains("mariadb"_L1, Qt::CaseInsensitive);
        serverInfo = (mariaDb ? u"MariaDB "_s : u"MySQL "_s) + version.section(u'-', 0, 0);
        if (Result<void> done
            = exec(u"SET time_zone = '+00:00'"_s, Tr::tr("cannot set the time zone"));
            !done)
            return done;
        if (s.queryTimeoutMs > 0) {
            const QString sql = mariaDb
                ? u"SET SESSION max_statement_time = %1"_s.arg(s.queryTimeoutMs / 1000.0)
                : u"SET SESSION max_execution_time = %1"_s.arg(s.queryTimeoutMs);
            if (Result<void> done = exec(sql, Tr::tr("cannot set the query timeout")); !done)
                return done;
        }
        return {};
    }
    case Driver::Odbc:
        serverInfo = u"ODBC"_s;
        return {};
    }
    return {};
}

QString SqlConnector::Private::driverText(const QSqlError &error) const
{
    QString text = error.databaseText().simplified();
    if (text.endsWith("()"_L1)) // QPSQL's empty "(SQLSTATE)"
        text.chop(2);
    text = text.trimmed();
    if (text.isEmpty())
        text = error.driverText().simplified();
    if (text.isEmpty())
        text = Tr::tr("unknown database error");
    const QString code = error.nativeErrorCode();
    if (!code.isEmpty() && !text.contains(code))
        text += u" [%1]"_s.arg(code);
    return scrub(text);
}

const char *SqlConnector::Private::classify(const QSqlError &error) const
{
    const QString code = error.nativeErrorCode();
    switch (s.driver) {
    case Driver::Postgres:
        if (code == "57014"_L1)
            return "timeout"; // statement_timeout
        if (code == "28P01"_L1 || code == "28000"_L1)
            return "authentication_failed";
        if (code.isEmpty() || code.startsWith("08"_L1) || code.startsWith("57P0"_L1))
            return "connection_failed";
        return "sql_error";
    case Driver::Sqlite:
        if (code == "5"_L1 || code == "6"_L1)
            return "timeout"; // SQLITE_BUSY, SQLITE_LOCKED after the busy timeout
        return "sql_error";
    case Driver::MySql:
        if (code == "1045"_L1)
            return "authentication_failed";
        if (code == "3024"_L1 || code == "1969"_L1)
            return "timeout";
        if (code == "2002"_L1 || code == "2003"_L1 || code == "2006"_L1 || code == "2013"_L1)
            return "connection_failed";
        return "sql_error";
    case Driver::Odbc:
        if (code.startsWith("08"_L1))
            return "connection_failed";
        if (code == "HYT00"_L1 || code == "HYT01"_L1)
            return "timeout";
        return "sql_error";
    }
    return "sql_error";
}

Error SqlConnector::Private::sqlFailure(const QSqlError &error, const QString &what)
{
    const char *code = classify(error);
    Error failure = fail(code, what + u": "_s + driverText(error));
    if (qstrcmp(code, "connection_failed") == 0)
        broken = true; // the next call connects again
    return failure;
}

Result<QSqlQuery> SqlConnector::Private::run(const QString &sql, const QVariantList &params,
                                             const QString &what)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    bool ok = false;
    if (params.isEmpty()) {
        ok = query.exec(sql);
    } else if (query.prepare(sql)) {
        for (qsizetype i = 0; i < params.size(); ++i)
            query.bindValue(int(i), params.at(i));
        ok = query.exec();
    }
    if (!ok)
        return sqlFailure(query.lastError(), what);
    return query;
}

// Runs a query and hands each row to `row`; the query is gone before this returns (QPSQL
// deallocates a prepared statement when its query is destroyed, which would discard the rows
// of a query run after it).
Result<void> SqlConnector::Private::each(const QString &sql, const QVariantList &params,
                                         const QString &what,
                                         const std::function<void(const QSqlQuery &)> &row)
{
    Result<QSqlQuery> query = run(sql, params, what);
    if (!query)
        return query.error();
    while (query->next())
        row(*query);
    if (query->lastError().isValid())
        return sqlFailure(query->lastError(), what);
    return {};
}

Result<void> SqlConnector::Private::exec(const QString &sql, const QString &what)
{
    QSqlQuery query(db);
    if (!query.exec(sql))
        return sqlFailure(query.lastError(), what);
    return {};
}

// PostgreSQL streams a forward-only result row by row; dropping it early would make QPSQL
// read (and discard) every remaining row. Cancelling it on the server first ends the stream.
void SqlConnector::Private::abandonQuery()
{
    if (s.driver != Driver::Postgres || backendPid <= 0)
        return;
    const QString name = connectionName + u"-cancel"_s;
    {
        QSqlDatabase other = QSqlDatabase::cloneDatabase(db, name);
        other.setPassword(password);
        if (other.open()) {
            QSqlQuery query(other);
            if (query.prepare(u"SELECT pg_catalog.pg_cancel_backend(?)"_s)) {
                query.bindValue(0, backendPid);
                query.exec();
            }
        }
        other.setPassword(QString());
    }
    QSqlDatabase::removeDatabase(name);
}

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
        const QStringList views = db.tables(QSql::Views);
        QStringList names = db.tables(QSql::Tables) + views;
        names.sort();
        for (const QString &name : std::as_const(names)) {
            if (!only.isEmpty() && name != only)
                continue;
            Table table;
            table.name = name;
            table.isView = views.contains(name);
            const QSqlRecord record = db.record(name);
            for (int i = 0; i < record.count(); ++i) {
                const QSqlField field = record.field(i);
                Column column;
                column.name = field.name();
                column.kind = metaTypeKind(field.metaType().id());
                column.sqlType = QString::fromLatin1(field.metaType().name());
                column.nullable = field.requiredStatus() != QSqlField::Required;
                table.columns.push_back(std::move(column));
            }
            const QSqlIndex primary = db.primaryIndex(name);
            for (int i = 0; i < primary.count(); ++i)
                table.key.append(primary.fieldName(i));
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

// --- operations

Result<ConnectionTest> SqlConnector::Private::testConnection()
{
    QElapsedTimer timer;
    timer.start();
    // A connection opened by an earlier call may have died since (a server restart): that
    // one failure is retried on a new connection.
    const bool reused = db.isValid() && db.isOpen() && thread == QThread::currentThread();
    for (int attempt = 0;; ++attempt) {
        if (Result<void> opened = open(); !opened)
            return opened.error();
        if (s.driver == Driver::Odbc)
            break;
        Result<QSqlQuery> query = run(u"SELECT 1"_s, {}, Tr::tr("the test query failed"));
        if (query && query->next())
            break;
        if (!query && reused && attempt == 0 && query.error().code == "connection_failed"_L1)
            continue;
        return query ? fail("sql_error", Tr::tr("the test query returned no row")) : query.error();
    }
    ConnectionTest test;
    test.latencyMs = timer.elapsed();
    test.serverInfo = serverInfo;
    return test;
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

    Result<QSqlQuery> executed = run(sql, params, what);
    if (!executed)
        return executed.error();
    QSqlQuery &query = *executed;

    const int pageSize = request.pageSize > 0 ? request.pageSize : 1000;
    const int cursorColumn = cursor >= 0 ? int(columns.indexOf(cursor)) : -1;
    const qsizetype emitted = selected.size();
    std::vector<Data::Value> page;
    page.reserve(size_t(std::min(pageSize, 10000)));
    bool more = false;
    while (query.next()) {
        if (request.limit > 0 && summary.records == request.limit) {
            more = true; // the extra row: the limit stopped the read
            break;
        }
        Data::Object record;
        record.reserve(emitted);
        for (qsizetype i = 0; i < emitted; ++i) {
            const Column &c = t->columns[size_t(columns[i])];
            record.append(c.name, fromSql(c, query.value(int(i))));
        }
        if (cursorColumn >= 0) {
            Data::Value value = cursorColumn < emitted
                ? record.memberAt(cursorColumn).second
                : fromSql(t->columns[size_t(cursor)], query.value(cursorColumn));
            if (!value.isNull())
                summary.lastCursor = std::move(value);
        }
        page.emplace_back(std::move(record));
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
        for (const Data::Value &record : request.records) {
            for (const auto &member : record.toObject()) {
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

    // PostgreSQL writes batch_size rows per statement; a statement that fails is retried a row
    // at a time, which names the record (or succeeds: a batch may hold one key twice).
    const bool multiRow = s.driver == Driver::Postgres;
    state.rowsPerStatement = multiRow ? s.batchSize : 1;
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

    std::vector<BoundRow> group;
    for (qsizetype i = 0; i < qsizetype(records.size()); ++i) {
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
    const QString what = Tr::tr("write to \"%1\"").arg(t.name);
    BoundRow row;
    row.index = index;
    if (!record.isObject()) {
        return fail("invalid_record",
                    Tr::tr("%1: record %2 is not an object but %3")
                        .arg(what)
                        .arg(index)
                        .arg(QLatin1StringView(record.typeName())));
    }
    const Data::Object &object = record.toObject();
    QStringList keyParts;
    for (int k : state.keys) {
        const QString &name = t.columns[size_t(k)].name;
        const Data::Value *value = object.find(name);
        if (!value || value->isNull() || value->isUndefined()) {
            return fail("invalid_record",
                        Tr::tr("%1: record %2 has no value for the key field \"%3\"")
                            .arg(what)
                            .arg(index)
                            .arg(name));
        }
        keyParts << name + u'=' + shortText(*value);
    }
    if (state.keys.isEmpty()) { // an insert: name the primary key where the record has it
        for (const QString &name : t.key) {
            if (const Data::Value *value = object.find(name);
                value && !value->isNull() && !value->isUndefined())
                keyParts << name + u'=' + shortText(*value);
        }
    }
    row.keyText = keyParts.join(u", "_s);
    const QString label = row.keyText.isEmpty()
        ? Tr::tr("record %1").arg(index)
        : Tr::tr("record %1 (%2)").arg(index).arg(row.keyText);

    std::vector<std::pair<int, const Data::Value *>> members;
    if (state.mode == WriteMode::Delete) {
        for (int k : state.keys)
            members.emplace_back(k, object.find(t.columns[size_t(k)].name));
    } else {
        for (const auto &[name, value] : object) {
            if (value.isUndefined())
                continue;
            const int c = t.indexOf(name);
            if (c < 0) {
                return fail(
                    "unknown_field",
                    Tr::tr("%1: %2: the table has no column \"%3\"").arg(what, label, name));
            }
            members.emplace_back(c, &value);
        }
        if (members.empty())
            return fail("invalid_record", Tr::tr("%1: %2 has no fields").arg(what, label));
        std::sort(members.begin(), members.end(),
                  [](const auto &a, const auto &b) { return a.first < b.first; });
    }
    for (const auto &[c, value] : members) {
        QString error;
        QVariant bound = toSql(s.driver, t.columns[size_t(c)], *value, &error);
        if (!error.isEmpty())
            return fail("invalid_record", Tr::tr("%1: %2: %3").arg(what, label, error));
        row.columns.append(c);
        row.values.append(std::move(bound));
    }
    return row;
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
            // DO UPDATE only where a value differs: equal rows count as unchanged (and get no new
            // row version, no trigger call). PostgreSQL's xmax is 0 for a row this statement
            // inserted; SQLite has no such marker, so the key is looked up first.
            const bool pg = s.driver == Driver::Postgres;
            sql = u"INSERT INTO %1 AS conflux_t (%2) VALUES %3 ON CONFLICT (%4) "_s.arg(
                target, names.join(u", "_s), values, keyNames.join(u", "_s));
            if (updates.isEmpty()) {
                sql += u"DO NOTHING"_s;
            } else {
                QStringList sets, changed;
                for (const QString &u : std::as_const(updates))
                    sets << u + u" = EXCLUDED."_s + u;
                for (int c : columns) {
                    if (state.keys.contains(c))
                        continue;
                    const Column &column = t.columns[size_t(c)];
                    const QString u = quote(column.name);
                    if (!pg)
                        changed << u"conflux_t.%1 IS NOT excluded.%1"_s.arg(u);
                    else if (column.compareAsText)
                        changed << u"conflux_t.%1::%2 IS DISTINCT FROM EXCLUDED.%1::%2"_s.arg(
                            u, column.sqlType == "json"_L1 ? u"jsonb"_s : u"text"_s);
                    else
                        changed << u"conflux_t.%1 IS DISTINCT FROM EXCLUDED.%1"_s.arg(u);
                }
                sql += u"DO UPDATE SET "_s + sets.join(u", "_s) + u" WHERE "_s
                    + changed.join(u" OR "_s);
            }
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
            // No portable upsert: UPDATE, then INSERT when no row matched.
            QStringList sets;
            for (const QString &u : std::as_const(updates))
                sets << u + u" = ?"_s;
            if (!sets.isEmpty())
                existsSql
                    = u"UPDATE %1 SET %2 WHERE %3"_s.arg(target, sets.join(u", "_s), keyMatch);
            else
                existsSql = u"SELECT 1 FROM %1 WHERE %2"_s.arg(target, keyMatch);
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
            ? (first.keyText.isEmpty()
                   ? Tr::tr("record %1").arg(first.index)
                   : Tr::tr("record %1 (%2)").arg(first.index).arg(first.keyText))
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
    qint64 odbcUpdated = 0;
    if (!existsSql.isEmpty()) {
        Result<QSqlQuery *> exists = statement(state, existsSql);
        if (!exists)
            return exists.error();
        QSqlQuery &q = **exists;
        QVariantList params;
        if (s.driver == Driver::Odbc && !updates.isEmpty()) {
            for (qsizetype i = 0; i < first.columns.size(); ++i) {
                if (!state.keys.contains(first.columns[i]))
                    params << first.values[i];
            }
        }
        params << keyValues(first);
        for (qsizetype i = 0; i < params.size(); ++i)
            q.bindValue(int(i), params[i]);
        if (!q.exec())
            return failure(q.lastError());
        if (s.driver == Driver::Odbc && !updates.isEmpty())
            odbcUpdated = std::max(0, q.numRowsAffected());
        else
            existed = q.next();
        q.finish();
        if (s.driver == Driver::Odbc && (odbcUpdated > 0 || existed)) {
            if (odbcUpdated > 0)
                state.summary.updated += 1;
            else
                state.summary.unchanged += 1;
            return {};
        }
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
            if (affected == 1)
                ++sum.inserted;
            else if (affected == 2)
                ++sum.updated;
            else
                ++sum.unchanged;
        } else {
            ++sum.inserted;
        }
        break;
    }
    q.finish();
    return {};
}

// --- SqlConnector

SqlConnector::SqlConnector(EndpointSpec endpoint, std::unique_ptr<Private> p)
    : Connector(std::move(endpoint))
    , d(std::move(p))
{
}

SqlConnector::~SqlConnector() = default;

Capabilities SqlConnector::capabilities() const
{
    return Capability::TestConnection | Capability::DiscoverSchema | Capability::Read
        | Capability::IncrementalRead | Capability::Insert | Capability::Upsert | Capability::Delete
        | Capability::Transactions;
}

Result<ConnectionTest> SqlConnector::testConnection()
{
    QElapsedTimer timer;
    timer.start();
    return d->counted("test", d->testConnection(), timer);
}

Result<std::vector<Entity>> SqlConnector::discover()
{
    QElapsedTimer timer;
    timer.start();
    return d->counted("discover", d->discover(), timer);
}

Result<ReadSummary> SqlConnector::read(const ReadRequest &request, const PageSink &sink)
{
    QElapsedTimer timer;
    timer.start();
    return d->counted("read", d->read(request, sink), timer);
}

Result<WriteSummary> SqlConnector::write(const WriteRequest &request)
{
    QElapsedTimer timer;
    timer.start();
    return d->counted("write", d->write(request), timer);
}

// --- configuration

namespace {

class ConfigReader
{
public:
    QStringList problems;
    void problem(const QString &pointer, const QString &text)
    {
        problems.append(pointer + u": "_s + text);
    }

    // Connect options "key=value;key": no credentials, nothing that would break libpq's conninfo.
    void options(const QString &text, Driver driver, const QString &pointer, QStringList *out)
    {
        static const QRegularExpression key(u"^[A-Za-z_][A-Za-z0-9_.]*$"_s);
        const QStringList parts = text.split(u';', Qt::SkipEmptyParts);
        for (const QString &raw : parts) {
            const QString part = raw.trimmed();
            if (part.isEmpty())
                continue;
            const QString name = part.section(u'=', 0, 0).trimmed();
            const QString value = part.contains(u'=') ? part.section(u'=', 1).trimmed() : QString();
            static const QStringList secretKeys {u"password"_s, u"pwd"_s, u"passwd"_s,
                                                 u"passfile"_s};
            if (!key.match(name).hasMatch()) {
                problem(pointer, Tr::tr("\"%1\" is not an option name").arg(name));
            } else if (secretKeys.contains(name.toLower())) {
                problem(pointer,
                        Tr::tr("must not carry a password: use \"authentication\" with a secret "
                               "reference"));
            } else if (driver == Driver::Postgres
                       && (value.contains(u' ') || value.contains(u'\'') || value.contains(u'\\')
                           || value.isEmpty())) {
                problem(pointer,
                        Tr::tr("the value of \"%1\" must be non-empty, without spaces, quotes or "
                               "backslashes")
                            .arg(name));
            } else {
                out->append(value.isEmpty() && !part.contains(u'=') ? name : name + u'=' + value);
            }
        }
    }
};

} // namespace

Result<std::unique_ptr<Connector>> createSqlConnector(const EndpointSpec &endpoint,
                                                      const ConnectorContext &context)
{
    ConfigReader in;
    Settings s;
    s.connectTimeoutSeconds = std::max(1, endpoint.timeoutSeconds);
    if (endpoint.protocol != Protocol::Sql)
        in.problem(u"/protocol"_s, Tr::tr("must be \"sql\" for the SQL connector"));

    const QUrl &url = endpoint.url;
    const QString scheme = url.scheme().toLower();
    QString urlUser = url.userName(QUrl::FullyDecoded);
    if (scheme == "sqlite"_L1) {
        s.driver = Driver::Sqlite;
        const QString path = url.path(QUrl::FullyDecoded);
        if (!url.host().isEmpty())
            in.problem(u"/url"_s,
                       Tr::tr("an SQLite URL names a file (sqlite:relative/path.db or "
                              "sqlite:///absolute/path.db), not a host"));
        else if (path.isEmpty())
            in.problem(u"/url"_s,
                       Tr::tr("names no database file: sqlite:relative/path.db or "
                              "sqlite:///absolute/path.db"));
        else if (path == ":memory:"_L1)
            s.database = path;
        else
            s.database = QDir::cleanPath(
                QDir(context.baseDirectory.isEmpty() ? QDir::currentPath() : context.baseDirectory)
                    .absoluteFilePath(path));
        if (url.hasQuery())
            in.problem(u"/url"_s,
                       Tr::tr("an SQLite URL takes no query; use /configuration/connect_options"));
    } else if (scheme == "postgresql"_L1 || scheme == "postgres"_L1 || scheme == "mysql"_L1
               || scheme == "mariadb"_L1) {
        const bool pg = scheme.startsWith("postgres"_L1);
        s.driver = pg ? Driver::Postgres : Driver::MySql;
        s.host = url.host();
        s.port = url.port(pg ? 5432 : 3306);
        s.database = url.path(QUrl::FullyDecoded).mid(1);
        if (s.host.isEmpty())
            in.problem(u"/url"_s, Tr::tr("names no host: %1://host:port/database").arg(scheme));
        if (s.database.isEmpty() || s.database.contains(u'/'))
            in.problem(u"/url"_s, Tr::tr("names no database: %1://host:port/database").arg(scheme));
        if (url.hasQuery()) {
            if (!pg) {
                in.problem(
                    u"/url"_s,
                    Tr::tr("a MySQL URL takes no query; use /configuration/connect_options"));
            } else {
                QStringList parts;
                for (const auto &[k, v] : QUrlQuery(url).queryItems(QUrl::FullyDecoded))
                    parts << k + u'=' + v;
                in.options(parts.join(u';'), s.driver, u"/url"_s, &s.connectOptions);
            }
        }
    } else if (scheme == "odbc"_L1) {
        s.driver = Driver::Odbc;
        s.database = url.path(QUrl::FullyDecoded); // everything after "odbc:"
        urlUser.clear();
        static const QRegularExpression pwd(u"(^|;)\\s*pwd\\s*="_s,
                                            QRegularExpression::CaseInsensitiveOption);
        if (s.database.isEmpty())
            in.problem(u"/url"_s,
                       Tr::tr("names no data source: odbc:DSN=name or odbc:DRIVER=...;SERVER=..."));
        else if (pwd.match(s.database).hasMatch())
            in.problem(
                u"/url"_s,
                Tr::tr("must not carry a password (PWD=): use \"authentication\" with a secret "
                       "reference"));
        if (url.hasQuery())
            in.problem(u"/url"_s, Tr::tr("an ODBC connection string cannot hold \"?\""));
    } else {
        in.problem(
            u"/url"_s,
            Tr::tr("needs a sqlite:, postgresql://, mysql://, mariadb:// or odbc: URL, not \"%1\"")
                .arg(url.toDisplayString(QUrl::RemoveUserInfo)));
    }

    s.user = urlUser;
    const ClientAuthentication &auth = endpoint.authentication;
    switch (auth.type) {
    case ClientAuthentication::Type::None:
        break;
    case ClientAuthentication::Type::Basic:
        if (s.driver == Driver::Sqlite) {
            in.problem(u"/authentication"_s,
                       Tr::tr("SQLite has no logins: remove \"authentication\""));
            break;
        }
        if (!urlUser.isEmpty() && !auth.username.isEmpty() && urlUser != auth.username)
            in.problem(
                u"/authentication/username"_s,
                Tr::tr("\"%1\" differs from the user \"%2\" in /url").arg(auth.username, urlUser));
        if (!auth.username.isEmpty())
            s.user = auth.username;
        s.passwordSecret = auth.secret;
        break;
    default:
        in.problem(u"/authentication/type"_s,
                   Tr::tr("a sql endpoint supports \"none\" or \"basic\""));
        break;
    }

    static const QStringList known {u"schema"_s,
                                    u"batch_size"_s,
                                    u"tables"_s,
                                    u"connect_options"_s,
                                    u"query_timeout_seconds"_s,
                                    u"timeout_seconds"_s,
                                    u"retry_attempts"_s};
    const Data::Object &config = endpoint.configuration;
    for (const auto &[key, value] : config) {
        if (!key.startsWith("x-"_L1) && !known.contains(key))
            in.problem(
                u"/configuration/"_s + escapePointer(key),
                Tr::tr("unknown setting (the sql connector knows %1)").arg(known.join(u", "_s)));
    }
    if (const Data::Value *schema = config.find(u"schema")) {
        if (!schema->isString() || schema->toString().isEmpty() || schema->toString().size() > 128)
            in.problem(u"/configuration/schema"_s,
                       Tr::tr("must be a non-empty string of at most 128 characters"));
        else if (s.driver == Driver::Sqlite && schema->toString() != "main"_L1)
            in.problem(u"/configuration/schema"_s, Tr::tr("SQLite has no schemas (only \"main\")"));
        else if (s.driver == Driver::Odbc)
            in.problem(u"/configuration/schema"_s,
                       Tr::tr("is not supported over ODBC: choose it in the data source"));
        else
            s.schema = schema->toString();
    }
    if (s.schema.isEmpty())
        s.schema = s.driver == Driver::Postgres ? u"public"_s
            : s.driver == Driver::MySql         ? s.database
                                                : u"main"_s;
    if (const Data::Value *batch = config.find(u"batch_size")) {
        const double n = batch->toDouble();
        if (!batch->isNumber() || n != std::trunc(n) || n < 1 || n > 100000)
            in.problem(u"/configuration/batch_size"_s,
                       Tr::tr("must be a whole number from 1 to 100000"));
        else
            s.batchSize = int(n);
    }
    if (const Data::Value *tables = config.find(u"tables")) {
        if (!tables->isArray()) {
            in.problem(u"/configuration/tables"_s, Tr::tr("must be an array of table names"));
        } else {
            for (qsizetype i = 0; i < tables->size(); ++i) {
                const Data::Value &name = tables->at(i);
                if (!name.isString() || name.toString().isEmpty())
                    in.problem(u"/configuration/tables/%1"_s.arg(i),
                               Tr::tr("must be a non-empty table name"));
                else if (s.tables.contains(name.toString()))
                    in.problem(u"/configuration/tables/%1"_s.arg(i),
                               Tr::tr("\"%1\" is listed twice").arg(name.toString()));
                else
                    s.tables.append(name.toString());
            }
        }
    }
    if (const Data::Value *options = config.find(u"connect_options")) {
        if (!options->isString())
            in.problem(u"/configuration/connect_options"_s,
                       Tr::tr("must be a string of key=value pairs separated by \";\""));
        else
            in.options(options->toString(), s.driver, u"/configuration/connect_options"_s,
                       &s.connectOptions);
    }
    if (const Data::Value *timeout = config.find(u"query_timeout_seconds")) {
        const double seconds = timeout->toDouble();
        if (!timeout->isNumber() || seconds <= 0 || seconds > 86400)
            in.problem(u"/configuration/query_timeout_seconds"_s,
                       Tr::tr("must be a number of seconds, more than 0 "
                              "and at most 86400"));
        else if (s.driver == Driver::Sqlite || s.driver == Driver::Odbc)
            in.problem(u"/configuration/query_timeout_seconds"_s,
                       Tr::tr("is supported for PostgreSQL, MySQL and MariaDB only"));
        else
            s.queryTimeoutMs = std::max(1, int(std::lround(seconds * 1000)));
    }

    const QString name = endpoint.id.isEmpty() ? Tr::tr("the endpoint")
                                               : Tr::tr("endpoint \"%1\"").arg(endpoint.id);
    if (!in.problems.isEmpty())
        return makeError("invalid_endpoint", Tr::tr("%1 is not a valid sql endpoint").arg(name),
                         in.problems);
    const DriverInfo &info = driverInfo(s.driver);
    if (!QSqlDatabase::isDriverAvailable(QLatin1StringView(info.qtName))) {
        return makeError(
            "driver_unavailable",
            Tr::tr("%1: the Qt SQL driver %2 for %3 is not installed (apt-get install %4)")
                .arg(name, QLatin1StringView(info.qtName), QLatin1StringView(info.label),
                     QLatin1StringView(info.package)));
    }

    auto d = std::make_unique<SqlConnector::Private>();
    d->s = std::move(s);
    d->context = context;
    d->endpointId = endpoint.id;
    return std::unique_ptr<Connector>(new SqlConnector(endpoint, std::move(d)));
}

} // namespace Conflux::Connectors
