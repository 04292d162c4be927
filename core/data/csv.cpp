#include "data/csv.h"

#include "data/numbers.h"

#include <QBuffer>
#include <QHash>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QSet>
#include <QStringDecoder>

#include <cstring>
#include <optional>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

namespace Conflux::Data::Csv {

namespace {

constexpr qint64 chunkSize = 64 * 1024;

QString printable(char c)
{
    switch (c) {
    case '\t': return u"\\t"_s;
    case '\r': return u"\\r"_s;
    case '\n': return u"\\n"_s;
    default: break;
    }
    if (uchar(c) < 0x20 || uchar(c) >= 0x7f)
        return u"\\x%1"_s.arg(uint(uchar(c)), 2, 16, QLatin1Char('0'));
    return QString(QLatin1Char(c));
}

std::optional<Error> checkDelimiters(char delimiter, char quote)
{
    auto bad = [](char c) { return uchar(c) >= 0x80 || c == '\r' || c == '\n' || c == '\0'; };
    if (bad(delimiter) || bad(quote) || delimiter == quote) {
        return makeError("csv_invalid_option",
                         u"The CSV delimiter '%1' and quote '%2' must be two different ASCII characters, "
                         "neither a line break"_s
                             .arg(printable(delimiter), printable(quote)));
    }
    return std::nullopt;
}

// A JSON number literal: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool isNumberLiteral(QStringView s)
{
    qsizetype i = 0;
    const qsizetype n = s.size();
    auto digit = [&](qsizetype k) { return k < n && s[k] >= u'0' && s[k] <= u'9'; };
    if (i < n && s[i] == u'-')
        ++i;
    if (!digit(i))
        return false;
    if (s[i] == u'0') {
        ++i;
    } else {
        while (digit(i))
            ++i;
    }
    if (i < n && s[i] == u'.') {
        ++i;
        if (!digit(i))
            return false;
        while (digit(i))
            ++i;
    }
    if (i < n && (s[i] == u'e' || s[i] == u'E')) {
        ++i;
        if (i < n && (s[i] == u'+' || s[i] == u'-'))
            ++i;
        if (!digit(i))
            return false;
        while (digit(i))
            ++i;
    }
    return i == n;
}

} // namespace

namespace Internal {

// One parser for both read() (the whole input in one view, nothing copied) and CsvReader
// (a buffer refilled from the device). A record that does not fit in what is buffered is
// parsed again from its start once more input arrived; the refill at least doubles the
// buffer, so a long record costs linear time.
class CsvParser
{
public:
    CsvParser(const CsvOptions &options, QIODevice *device) : m_options(options), m_device(device)
    {
        m_error = checkDelimiters(options.delimiter, options.quote);
    }

    void setInput(QByteArrayView input)
    {
        m_input = input;
        m_final = true;
    }

    Result<Value> next()
    {
        if (m_error)
            return *m_error;
        if (m_ended)
            return Value();
        for (;;) {
            switch (parseRecord()) {
            case Step::Record:
                if (m_options.header && !m_haveHeader) {
                    if (!takeHeader())
                        return *m_error;
                    continue;
                }
                return makeRecord();
            case Step::End:
                m_ended = true;
                return Value();
            case Step::Failed:
                return *m_error;
            case Step::NeedMore:
                if (view().size() - m_pos > m_options.maxRecordSize)
                    return limitError();
                if (!fill())
                    m_final = true;
                continue;
            }
        }
    }

    bool atEnd() const { return m_ended || m_error.has_value(); }
    const QStringList &header() const { return m_header; }
    qint64 recordCount() const { return m_recordCount; }
    qint64 bufferedBytes() const { return m_buffer.size(); }

private:
    enum class Step { Record, NeedMore, End, Failed };

    QByteArrayView view() const { return m_device ? QByteArrayView(m_buffer) : m_input; }

    bool fill()
    {
        if (!m_device || m_final)
            return false;
        if (m_pos > 0) {
            m_buffer.remove(0, m_pos);
            m_base += m_pos;
            m_pos = 0;
        }
        const qint64 wanted = std::max<qint64>(chunkSize, m_buffer.size());
        qint64 got = 0;
        const qsizetype old = m_buffer.size();
        m_buffer.resize(old + wanted);
        // A device may hand out little at a time; gather a whole chunk so that a record
        // is not parsed again for every few bytes.
        while (got < wanted) {
            const qint64 n = m_device->read(m_buffer.data() + old + got, wanted - got);
            if (n <= 0)
                break;
            got += n;
        }
        m_buffer.resize(old + got);
        return got > 0;
    }

    // Column (1-based, in characters) of `position` on the line starting at `lineStart`.
    qint64 columnOf(qsizetype position, qint64 lineStart) const
    {
        const QByteArrayView data = view();
        qint64 column = 1;
        for (qsizetype i = std::max<qsizetype>(0, lineStart - m_base); i < position && i < data.size(); ++i) {
            if ((uchar(data[i]) & 0xC0) != 0x80)
                ++column;
        }
        return column;
    }

    Step failAt(const char *code, const QString &what, qsizetype position, qint64 line, qint64 lineStart)
    {
        m_error = makeError(code, u"CSV error at line %1, column %2: %3"_s
                                      .arg(line)
                                      .arg(columnOf(position, lineStart))
                                      .arg(what));
        m_error->offset = m_base + position;
        return Step::Failed;
    }

    Error limitError()
    {
        m_error = makeError("csv_limit", u"CSV limit exceeded: the record starting at line %1 is larger than "
                                         "%2 bytes (maxRecordSize)"_s
                                             .arg(m_line)
                                             .arg(m_options.maxRecordSize));
        m_error->offset = m_base + m_pos;
        return *m_error;
    }

    bool decode(QByteArrayView bytes, QString *out)
    {
        *out = m_decoder.decode(bytes);
        if (!m_decoder.hasError())
            return true;
        m_decoder.resetState();
        return false;
    }

    Step parseRecord()
    {
        const QByteArrayView data = view();
        const char *d = data.data();
        const qsizetype n = data.size();
        const char delimiter = m_options.delimiter;
        const char quote = m_options.quote;
        qsizetype pos = m_pos;
        qint64 line = m_line;
        qint64 lineStart = m_lineStart;

        if (!m_bomChecked) {
            if (n - pos < 3 && !m_final)
                return Step::NeedMore;
            if (n - pos >= 3 && std::memcmp(d + pos, "\xEF\xBB\xBF", 3) == 0) {
                pos += 3;
                lineStart = m_base + pos;
            }
            m_bomChecked = true;
            m_pos = pos;
            m_lineStart = lineStart;
        }

        if (m_options.skipEmptyLines) {
            while (pos < n && (d[pos] == '\r' || d[pos] == '\n')) {
                if (d[pos] == '\r' && pos + 1 == n && !m_final)
                    break;   // a CRLF split between reads
                pos += (d[pos] == '\r' && pos + 1 < n && d[pos + 1] == '\n') ? 2 : 1;
                ++line;
                lineStart = m_base + pos;
            }
            // Blank lines are consumed for good, so they never count against a record.
            m_pos = pos;
            m_line = line;
            m_lineStart = lineStart;
        }
        if (pos == n)
            return m_final ? Step::End : Step::NeedMore;
        if (pos + 1 == n && d[pos] == '\r' && !m_final)
            return Step::NeedMore;

        const qsizetype recordStart = pos;
        m_fields.clear();
        m_quoted.clear();
        for (;;) {
            if (qsizetype(m_fields.size()) >= m_options.maxFields) {
                return failAt("csv_limit", u"the record has more than %1 fields (maxFields)"_s.arg(m_options.maxFields),
                              pos, line, lineStart);
            }
            QString field;
            if (pos < n && d[pos] == quote) {
                const qsizetype open = pos;
                const qint64 openLine = line;
                const qint64 openLineStart = lineStart;
                ++pos;
                qsizetype segment = pos;
                m_scratch.clear();
                bool escaped = false;
                for (;;) {
                    const void *hit = std::memchr(d + pos, quote, size_t(n - pos));
                    const qsizetype at = hit ? static_cast<const char *>(hit) - d : n;
                    for (qsizetype i = pos; i < at; ++i) {
                        if (d[i] == '\n' || (d[i] == '\r' && (i + 1 >= n || d[i + 1] != '\n'))) {
                            ++line;
                            lineStart = m_base + i + 1;
                        }
                    }
                    if (!hit) {
                        if (!m_final)
                            return Step::NeedMore;
                        return failAt("csv_syntax", u"unterminated quoted field: the input ends before "
                                                    "its closing quote"_s,
                                      open, openLine, openLineStart);
                    }
                    if (at + 1 == n && !m_final)
                        return Step::NeedMore;   // a doubled quote may continue in the next read
                    if (at + 1 < n && d[at + 1] == quote) {
                        m_scratch.append(d + segment, at + 1 - segment);
                        pos = at + 2;
                        segment = pos;
                        escaped = true;
                        continue;
                    }
                    const QByteArrayView tail(d + segment, at - segment);
                    bool ok;
                    if (escaped) {
                        m_scratch.append(tail);
                        ok = decode(m_scratch, &field);
                    } else {
                        ok = decode(tail, &field);
                    }
                    if (!ok)
                        return failAt("csv_encoding", u"the field is not valid UTF-8"_s, open, openLine, openLineStart);
                    pos = at + 1;
                    break;
                }
                if (pos < n) {
                    const char c = d[pos];
                    if (c != delimiter && c != '\r' && c != '\n') {
                        return failAt("csv_syntax", u"unexpected character '%1' after the closing quote of a "
                                                    "field (a quote inside a quoted field is written twice)"_s
                                                        .arg(printable(c)),
                                      pos, line, lineStart);
                    }
                } else if (!m_final) {
                    return Step::NeedMore;
                }
                m_quoted.push_back(true);
            } else {
                const qsizetype start = pos;
                while (pos < n && d[pos] != delimiter && d[pos] != '\n' && d[pos] != '\r')
                    ++pos;
                if (pos == n && !m_final)
                    return Step::NeedMore;
                if (!decode(QByteArrayView(d + start, pos - start), &field))
                    return failAt("csv_encoding", u"the field is not valid UTF-8"_s, start, line, lineStart);
                m_quoted.push_back(false);
            }
            m_fields.push_back(std::move(field));

            if (pos == n)
                break;   // the last record, without a line break
            if (d[pos] == delimiter) {
                ++pos;
                continue;
            }
            if (d[pos] == '\r') {
                if (pos + 1 == n && !m_final)
                    return Step::NeedMore;
                pos += (pos + 1 < n && d[pos + 1] == '\n') ? 2 : 1;
            } else {
                ++pos;
            }
            ++line;
            lineStart = m_base + pos;
            break;
        }
        if (pos - recordStart > m_options.maxRecordSize) {
            limitError();
            return Step::Failed;
        }
        m_recordLine = m_line;
        m_recordOffset = m_base + recordStart;
        m_pos = pos;
        m_line = line;
        m_lineStart = lineStart;
        return Step::Record;
    }

    bool takeHeader()
    {
        m_haveHeader = true;
        QHash<QString, qsizetype> seen;
        for (qsizetype i = 0; i < qsizetype(m_fields.size()); ++i) {
            const QString &name = m_fields[size_t(i)];
            if (name.isEmpty()) {
                m_error = makeError("csv_header", u"CSV header error at line %1: column %2 has an empty name"_s
                                                      .arg(m_recordLine)
                                                      .arg(i + 1));
                m_error->offset = m_recordOffset;
                return false;
            }
            const auto it = seen.constFind(name);
            if (it != seen.constEnd()) {
                m_error = makeError("csv_header",
                                    u"CSV header error at line %1: columns %2 and %3 are both named \"%4\""_s
                                        .arg(m_recordLine)
                                        .arg(*it + 1)
                                        .arg(i + 1)
                                        .arg(name));
                m_error->offset = m_recordOffset;
                return false;
            }
            seen.insert(name, i);
            m_header.append(name);
        }
        return true;
    }

    Value fieldValue(size_t i)
    {
        QString &text = m_fields[i];
        if (!m_options.typed || m_quoted[i])
            return Value(std::move(text));
        if (text.isEmpty())
            return Value(nullptr);
        if (text == u"true")
            return Value(true);
        if (text == u"false")
            return Value(false);
        if (isNumberLiteral(text)) {
            Value number = Value::numberFromText(text);
            if (number.isNumber())
                return number;
        }
        return Value(std::move(text));
    }

    Result<Value> fieldCountError(qsizetype expected, const QString &against)
    {
        m_error = makeError("csv_field_count",
                            u"CSV error at line %1: record %2 has %3 fields, %4 has %5 "
                            "(set strict to false to accept records of other lengths)"_s
                                .arg(m_recordLine)
                                .arg(m_recordCount + 1)
                                .arg(m_fields.size())
                                .arg(against)
                                .arg(expected));
        m_error->offset = m_recordOffset;
        return *m_error;
    }

    Result<Value> makeRecord()
    {
        const qsizetype count = qsizetype(m_fields.size());
        if (!m_options.header) {
            if (m_width < 0)
                m_width = count;
            else if (m_options.strict && count != m_width)
                return fieldCountError(m_width, u"the first record"_s);
            Array items;
            items.reserve(size_t(count));
            for (size_t i = 0; i < size_t(count); ++i)
                items.push_back(fieldValue(i));
            ++m_recordCount;
            return Value(std::move(items));
        }
        const qsizetype columns = m_header.size();
        if (m_options.strict && count != columns)
            return fieldCountError(columns, u"the header"_s);
        Object record;
        record.reserve(std::max(count, columns));
        for (qsizetype i = 0; i < std::min(count, columns); ++i)
            record.append(m_header.at(i), fieldValue(size_t(i)));
        for (qsizetype i = count; i < columns; ++i)
            record.append(m_header.at(i), Value(nullptr));
        for (qsizetype i = columns; i < count; ++i) {
            QString key = u"_"_s + QString::number(i + 1);
            while (record.contains(key))
                key.prepend(u'_');
            record.append(std::move(key), fieldValue(size_t(i)));
        }
        ++m_recordCount;
        return Value(std::move(record));
    }

    CsvOptions m_options;
    QIODevice *m_device = nullptr;
    QByteArrayView m_input;
    QByteArray m_buffer;           // device mode: unparsed input, from the current record on
    qint64 m_base = 0;             // offset in the input of view()[0]
    qsizetype m_pos = 0;           // parse position in view()
    qint64 m_line = 1;
    qint64 m_lineStart = 0;        // offset in the input where the current line starts
    qint64 m_recordLine = 1;
    qint64 m_recordOffset = 0;
    qint64 m_recordCount = 0;
    qsizetype m_width = -1;        // fields of the first record, without a header
    std::vector<QString> m_fields;
    std::vector<bool> m_quoted;
    QByteArray m_scratch;
    QStringList m_header;
    QStringDecoder m_decoder{QStringDecoder::Utf8, QStringDecoder::Flag::Stateless};
    std::optional<Error> m_error;
    bool m_final = false;
    bool m_bomChecked = false;
    bool m_haveHeader = false;
    bool m_ended = false;
};

} // namespace Internal

Result<Value> read(QByteArrayView csv, const CsvOptions &options)
{
    if (csv.size() > options.maxSize) {
        return makeError("csv_limit", u"CSV limit exceeded: the input has %1 bytes, more than %2 (maxSize)"_s
                                          .arg(csv.size())
                                          .arg(options.maxSize));
    }
    Internal::CsvParser parser(options, nullptr);
    parser.setInput(csv);
    Array records;
    for (;;) {
        Result<Value> record = parser.next();
        if (!record)
            return record.error();
        if (record->isUndefined())
            break;
        records.push_back(std::move(*record));
    }
    return Value(std::move(records));
}

CsvReader::CsvReader(QIODevice *device, const CsvOptions &options)
    : m_parser(std::make_unique<Internal::CsvParser>(options, device))
{
}

CsvReader::~CsvReader() = default;

Result<Value> CsvReader::next()
{
    return m_parser->next();
}

bool CsvReader::atEnd() const
{
    return m_parser->atEnd();
}

QStringList CsvReader::header() const
{
    return m_parser->header();
}

qint64 CsvReader::recordCount() const
{
    return m_parser->recordCount();
}

qint64 CsvReader::bufferedBytes() const
{
    return m_parser->bufferedBytes();
}

// ---- writing ----------------------------------------------------------------------

CsvWriter::CsvWriter(QIODevice *device, const CsvWriteOptions &options) : m_device(device), m_options(options)
{
}

Result<void> CsvWriter::appendField(const Value &value, QStringView column, QByteArray &line)
{
    const char quote = m_options.quote;
    QByteArray text;
    switch (value.type()) {
    case Value::Type::Undefined:
    case Value::Type::Null:
        return {};
    case Value::Type::Bool:
        line.append(value.toBool() ? QByteArrayView("true") : QByteArrayView("false"));
        return {};
    case Value::Type::Number:
        line += value.hasExactText() ? value.exactText().toLatin1() : formatNumber(value.toDouble());
        return {};
    case Value::Type::String:
        text = value.toString().toUtf8();
        if (text.isEmpty()) {
            line += quote;   // "" keeps an empty string apart from null
            line += quote;
            return {};
        }
        break;
    case Value::Type::Object:
    case Value::Type::Array:
        if (m_options.nestedAsJson) {
            text = value.isObject() ? QJsonDocument(value.toQJson().toObject()).toJson(QJsonDocument::Compact)
                                    : QJsonDocument(value.toQJson().toArray()).toJson(QJsonDocument::Compact);
            break;
        }
        return makeError("csv_nested_value",
                         u"CSV record %1, field \"%2\": a nested %3 cannot be written as a CSV field "
                         "(set nestedAsJson to write it as JSON text)"_s
                             .arg(m_count + 1)
                             .arg(column.toString(), QLatin1StringView(value.typeName())));
    case Value::Type::Function:
        return makeError("csv_invalid_value", u"CSV record %1, field \"%2\": a function cannot be written"_s
                                                  .arg(m_count + 1)
                                                  .arg(column.toString()));
    }
    bool needsQuotes = false;
    for (const char c : std::as_const(text)) {
        if (c == m_options.delimiter || c == quote || c == '\r' || c == '\n') {
            needsQuotes = true;
            break;
        }
    }
    if (!needsQuotes) {
        line += text;
        return {};
    }
    line += quote;
    for (const char c : std::as_const(text)) {
        line += c;
        if (c == quote)
            line += quote;
    }
    line += quote;
    return {};
}

Result<void> CsvWriter::write(const Value &record)
{
    if (const std::optional<Error> bad = checkDelimiters(m_options.delimiter, m_options.quote))
        return *bad;
    if (!m_device || !m_device->isWritable())
        return makeError("csv_write", u"Could not write CSV: the device is not open for writing"_s);
    QByteArray line;
    if (!m_started) {
        m_started = true;
        if (!m_options.columns.isEmpty()) {
            m_columns = m_options.columns;
            m_columnsGiven = true;
        } else if (record.isObject()) {
            for (const Object::Member &member : record.toObject()) {
                if (!member.second.isUndefined())
                    m_columns.append(member.first);
            }
        }
        m_columnSet = QSet<QString>(m_columns.cbegin(), m_columns.cend());
        if (m_options.header && !m_columns.isEmpty()) {
            for (qsizetype i = 0; i < m_columns.size(); ++i) {
                if (i > 0)
                    line += m_options.delimiter;
                if (Result<void> ok = appendField(Value(m_columns.at(i)), m_columns.at(i), line); !ok)
                    return ok;
            }
            line += m_options.lineEnding;
            if (m_device->write(line) != line.size())
                return makeError("csv_write", u"Could not write CSV: %1"_s.arg(m_device->errorString()));
            line.clear();
        }
    }

    if (record.isObject()) {
        if (m_columns.isEmpty()) {
            return makeError("csv_invalid_record", u"CSV record %1 is an object, but the columns are unknown "
                                                   "(the first record was an array; give columns)"_s
                                                       .arg(m_count + 1));
        }
        const Object &object = record.toObject();
        if (!m_columnsGiven) {
            for (const Object::Member &member : object) {
                if (!member.second.isUndefined() && !m_columnSet.contains(member.first)) {
                    return makeError("csv_unknown_field",
                                     u"CSV record %1 has a field \"%2\" that the first record did not have "
                                     "(give the columns to write)"_s
                                         .arg(m_count + 1)
                                         .arg(member.first));
                }
            }
        }
        for (qsizetype i = 0; i < m_columns.size(); ++i) {
            if (i > 0)
                line += m_options.delimiter;
            const QString &column = m_columns.at(i);
            const Value *value = object.find(column);
            if (!value)
                continue;
            if (Result<void> ok = appendField(*value, column, line); !ok)
                return ok;
        }
    } else if (record.isArray()) {
        const Array &items = record.toArray();
        for (size_t i = 0; i < items.size(); ++i) {
            if (i > 0)
                line += m_options.delimiter;
            if (Result<void> ok = appendField(items[i], QString::number(i + 1), line); !ok)
                return ok;
        }
    } else {
        return makeError("csv_invalid_record", u"CSV record %1 must be an object or an array, not %2"_s
                                                   .arg(m_count + 1)
                                                   .arg(QLatin1StringView(record.typeName())));
    }
    line += m_options.lineEnding;
    if (m_device->write(line) != line.size())
        return makeError("csv_write", u"Could not write CSV: %1"_s.arg(m_device->errorString()));
    ++m_count;
    return {};
}

Result<QByteArray> write(const Value &records, const CsvWriteOptions &options)
{
    if (!records.isArray())
        return makeError("csv_invalid_value", u"CSV records must be an array, not %1"_s
                                                  .arg(QLatin1StringView(records.typeName())));
    QByteArray out;
    QBuffer buffer(&out);
    buffer.open(QIODevice::WriteOnly);
    CsvWriter writer(&buffer, options);
    for (const Value &record : records.toArray()) {
        if (Result<void> ok = writer.write(record); !ok)
            return ok.error();
    }
    buffer.close();
    return out;
}

} // namespace Conflux::Data::Csv
