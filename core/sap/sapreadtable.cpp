#include "sapreadtable.h"

#include "tr_p.h"

#include <QDate>
#include <QTime>

using namespace Qt::StringLiterals;

namespace Conflux::Sap {

using Internal::Tr;

namespace {

// Words of a WHERE clause: runs of non-blanks, with quoted literals ('it''s') kept whole
// even when they contain blanks.
Result<QStringList> whereWords(const QString &where)
{
    QStringList words;
    QString word;
    bool quoted = false;
    for (qsizetype i = 0; i < where.size(); ++i) {
        const QChar c = where.at(i);
        if (quoted) {
            word += c;
            if (c == u'\'') {
                if (i + 1 < where.size() && where.at(i + 1) == u'\'') {
                    word += where.at(++i);
                } else {
                    quoted = false;
                }
            }
            continue;
        }
        if (c.isSpace()) {
            if (!word.isEmpty())
                words.append(std::exchange(word, QString()));
            continue;
        }
        if (c == u'\'')
            quoted = true;
        word += c;
    }
    if (quoted) {
        return makeError("sap_invalid_options",
                         Tr::tr("The WHERE condition \"%1\" has a literal without its closing quote").arg(where));
    }
    if (!word.isEmpty())
        words.append(word);
    return words;
}

int toInt(const Data::Value &value, bool *ok)
{
    const QString text = value.isNumber() ? QString::number(value.toInt64()) : value.toString().trimmed();
    return text.toInt(ok);
}

} // namespace

Result<QStringList> splitWhereClause(const QString &where, int lineWidth)
{
    Result<QStringList> words = whereWords(where);
    if (!words)
        return words.error();
    QStringList lines;
    QString line;
    for (const QString &word : *words) {
        if (word.size() > lineWidth) {
            return makeError("sap_invalid_options",
                             Tr::tr("\"%1\" in the WHERE condition is longer than an OPTIONS line of %2 characters, "
                                    "and SAP cannot continue a word or literal on the next line")
                                 .arg(word)
                                 .arg(lineWidth));
        }
        if (!line.isEmpty() && line.size() + 1 + word.size() > lineWidth)
            lines.append(std::exchange(line, QString()));
        if (!line.isEmpty())
            line += u' ';
        line += word;
    }
    if (!line.isEmpty())
        lines.append(line);
    return lines;
}

Result<Data::Value> readTableParameters(const ReadTableRequest &request)
{
    if (request.delimiter.size() > 1) {
        return makeError("sap_invalid_options",
                         Tr::tr("The RFC_READ_TABLE delimiter \"%1\" is longer than one character").arg(request.delimiter));
    }
    if (request.rowCount < 0 || request.rowSkips < 0)
        return makeError("sap_invalid_options", Tr::tr("ROWCOUNT and ROWSKIPS cannot be negative"));
    Result<QStringList> lines = splitWhereClause(request.where);
    if (!lines)
        return lines.error();
    Data::Object params;
    params.append(u"QUERY_TABLE"_s, Data::Value(request.table.toUpper()));
    params.append(u"DELIMITER"_s, Data::Value(request.delimiter));
    params.append(u"ROWSKIPS"_s, Data::Value(request.rowSkips));
    params.append(u"ROWCOUNT"_s, Data::Value(request.rowCount));
    Data::Array options;
    for (const QString &line : *lines)
        options.push_back(Data::Value(Data::Object{{u"TEXT"_s, Data::Value(line)}}));
    params.append(u"OPTIONS"_s, Data::Value(std::move(options)));
    Data::Array fields;
    for (const QString &field : request.fields)
        fields.push_back(Data::Value(Data::Object{{u"FIELDNAME"_s, Data::Value(field.toUpper())}}));
    params.append(u"FIELDS"_s, Data::Value(std::move(fields)));
    params.append(u"DATA"_s, Data::Value(Data::Array()));
    return Data::Value(std::move(params));
}

Data::Value typedTableValue(QStringView raw, QStringView abapType)
{
    const QString text = raw.trimmed().toString();
    const QChar type = abapType.isEmpty() ? QChar(u'C') : abapType.at(0);
    switch (type.unicode()) {
    case u'D': {
        if (text.isEmpty() || text == u"00000000")
            return Data::Value(nullptr);
        const QDate date = QDate::fromString(text, u"yyyyMMdd"_s);
        return date.isValid() && text.size() == 8 ? Data::Value(date.toString(Qt::ISODate)) : Data::Value(text);
    }
    case u'T': {
        if (text.isEmpty())
            return Data::Value(nullptr);
        const QTime time = QTime::fromString(text, u"HHmmss"_s);
        return time.isValid() && text.size() == 6 ? Data::Value(time.toString(u"HH:mm:ss"_s)) : Data::Value(text);
    }
    case u'I':
    case u'b':
    case u's':
    case u'8': {
        if (text.isEmpty())
            return Data::Value(nullptr);
        QString digits = text;
        if (digits.endsWith(u'-'))
            digits = u'-' + digits.chopped(1).trimmed();
        bool ok = false;
        const qint64 number = digits.toLongLong(&ok);
        return ok ? Data::Value(number) : Data::Value(text);
    }
    case u'F': {
        if (text.isEmpty())
            return Data::Value(nullptr);
        bool ok = false;
        const double number = text.toDouble(&ok);
        return ok ? Data::Value(number) : Data::Value(text);
    }
    case u'P':
        if (text.isEmpty())
            return Data::Value(nullptr);
        if (text.endsWith(u'-'))
            return Data::Value(QString(u'-' + text.chopped(1).trimmed()));
        return Data::Value(text);
    default:
        return Data::Value(text);
    }
}

Result<ReadTableResult> readTableResult(const Data::Value &response)
{
    ReadTableResult result;
    const Data::Value &fields = response[u"FIELDS"];
    if (!fields.isArray()) {
        return makeError("sap_invalid_response",
                         Tr::tr("RFC_READ_TABLE answered without its FIELDS table"));
    }
    for (qsizetype i = 0; i < fields.size(); ++i) {
        const Data::Value &line = fields.at(i);
        ReadTableField field;
        field.name = line[u"FIELDNAME"].toString().trimmed();
        bool offsetOk = false;
        bool lengthOk = false;
        field.offset = toInt(line[u"OFFSET"], &offsetOk);
        field.length = toInt(line[u"LENGTH"], &lengthOk);
        field.type = line[u"TYPE"].toString().trimmed();
        field.description = line[u"FIELDTEXT"].toString().trimmed();
        if (field.name.isEmpty() || !offsetOk || !lengthOk || field.offset < 0 || field.length < 0) {
            return makeError("sap_invalid_response",
                             Tr::tr("RFC_READ_TABLE answered FIELDS line %1 without a field name or with an OFFSET "
                                    "or LENGTH that is not a number: %2")
                                 .arg(i + 1)
                                 .arg(u"FIELDNAME=%1 OFFSET=%2 LENGTH=%3"_s.arg(line[u"FIELDNAME"].toString(),
                                                                               line[u"OFFSET"].toString(),
                                                                               line[u"LENGTH"].toString())));
        }
        result.fields.append(field);
    }
    const Data::Value &data = response[u"DATA"];
    if (!data.isArray() && !(data.isString() && data.toString().isEmpty())) {
        return makeError("sap_invalid_response", Tr::tr("RFC_READ_TABLE answered a DATA parameter that is no table"));
    }
    result.records.reserve(size_t(data.size()));
    for (const Data::Value &row : data.toArray()) {
        // SAP's XML drops the line's trailing blanks: a field past the end is blank.
        const QString wa = row.isObject() ? row[u"WA"].toString() : row.toString();
        Data::Object record;
        record.reserve(result.fields.size());
        for (const ReadTableField &field : result.fields) {
            const QStringView raw = QStringView(wa).mid(std::min<qsizetype>(field.offset, wa.size()), field.length);
            record.append(field.name, typedTableValue(raw, field.type));
        }
        result.records.push_back(Data::Value(std::move(record)));
    }
    return result;
}

} // namespace Conflux::Sap
