// How the SQL connector converts values: records to bound parameters, what the drivers
// return to Data::Value, and a column's field in the schema.

#include "sqlconnector_p.h"

#include "data/json.h"
#include "data/numbers.h"

#include <QDateTime>
#include <QRegularExpression>
#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors::Internal::Sql {

namespace {

QString numberText(const Data::Value &value)
{
    return value.hasExactText() ? value.exactText() : Data::formatNumberString(value.toDouble());
}

QString jsonText(const Data::Value &value)
{
    return QString::fromUtf8(Data::Json::serialize(value));
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

// Drops the trailing zeros of a fraction of seconds: MySQL's "10:30:00.500000" is "10:30:00.5",
// as PostgreSQL's to_json() writes it.
QString trimFraction(QString text)
{
    const qsizetype dot = text.lastIndexOf(u'.');
    if (dot < 0 || text.indexOf(u':') < 0 || dot < text.lastIndexOf(u':'))
        return text;
    qsizetype end = text.size();
    while (end > dot + 1 && text.at(end - 1) == u'0')
        --end;
    if (end == dot + 1)
        --end;
    text.truncate(end);
    return text;
}

// A time of day as ISO 8601 with milliseconds only when there are some ("10:30:00.5").
QString isoTime(const QTime &time)
{
    return time.msec() == 0 ? time.toString(Qt::ISODate)
                            : trimFraction(time.toString(Qt::ISODateWithMs));
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
    case QMetaType::QTime: // ODBC
        return isoTime(v.toTime());
    case QMetaType::QDateTime: {
        const QDateTime dt = v.toDateTime();
        return dt.time().msec() == 0 ? dt.toString(Qt::ISODate)
                                     : trimFraction(dt.toString(Qt::ISODateWithMs));
    }
    default:
        return v.toString();
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

} // namespace

QString escapePointer(QString name)
{
    return name.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
}

QString mysqlUtcText(const QString &text)
{
    static const QRegularExpression stamp(
        u"^(\\d{4}-\\d{2}-\\d{2})[T ](\\d{2}:\\d{2}(?::\\d{2})?)(\\.\\d+)?"
        "\\s*(Z|[+-]\\d{2}(?::?\\d{2})?)$"_s,
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = stamp.match(text.trimmed());
    if (!m.hasMatch())
        return text; // no offset: already UTC for the session, or for the database to refuse
    const QDate date = QDate::fromString(m.captured(1), Qt::ISODate);
    const QTime time = QTime::fromString(m.captured(2), Qt::ISODate);
    if (!date.isValid() || !time.isValid())
        return text;
    int offset = 0;
    const QString zone = m.captured(4);
    if (zone.compare("Z"_L1, Qt::CaseInsensitive) != 0) {
        const QString digits = QString(zone.mid(1)).remove(u':');
        offset = (digits.left(2).toInt() * 60 + digits.mid(2).toInt()) * 60;
        if (zone.startsWith(u'-'))
            offset = -offset;
    }
    const QDateTime utc = QDateTime(date, time, Qt::UTC).addSecs(-offset);
    return utc.toString(u"yyyy-MM-dd HH:mm:ss"_s) + m.captured(3); // the fraction as written
}

QString shortText(const Data::Value &value)
{
    QString text = value.isString() ? value.toString() : jsonText(value);
    if (text.size() > 64)
        text = text.left(61) + u"..."_s;
    return text;
}

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
        if (!value.isString())
            return refuse(Tr::tr("an ISO 8601 string"));
        // MySQL takes no offsets: a TIMESTAMP's instant is written in the session's UTC.
        if (driver == Driver::MySql && column.kind == Kind::DateTime)
            return mysqlUtcText(value.toString());
        return value.toString();
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

Data::Value fromSql(const Column &column, const QVariant &v)
{
    if (v.isNull())
        return Data::Value::null();
    if (column.bytesAreText && v.metaType().id() == QMetaType::QByteArray)
        return fromSql(column, QString::fromUtf8(v.toByteArray()));
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
        if (isText && column.readAs == ReadAs::Text) { // MySQL's "2024-01-15 10:30:00.500000"
            QString text = trimFraction(v.toString());
            if (text.size() > 10 && text.at(10) == u' ')
                text[10] = u'T';
            if (column.kind == Kind::DateTime && text.size() > 10 && !text.endsWith(u'Z')
                && !text.mid(10).contains(u'+') && !text.mid(10).contains(u'-'))
                text += u"+00:00"_s; // a TIMESTAMP, read in the session's UTC
            return text;
        }
        return genericValue(v);
    case Kind::Time:
        if (isText && column.readAs == ReadAs::Text)
            return trimFraction(v.toString());
        return genericValue(v);
    case Kind::Uuid:
        if (isText) { // psqlODBC writes SQL_GUID in capitals; RFC 9562 output is lower case
            static const QRegularExpression uuid(
                u"^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$"_s);
            const QString text = v.toString();
            return uuid.match(text).hasMatch() ? text.toLower() : text;
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

} // namespace Conflux::Connectors::Internal::Sql
