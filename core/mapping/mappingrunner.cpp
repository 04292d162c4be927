#include "mapping/mappingrunner.h"

#include "data/csv.h"
#include "data/json.h"
#include "data/jsonstream.h"
#include "data/xml.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QIODevice>

#include <memory>

using namespace Qt::StringLiterals;

namespace Conflux::Mapping {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Mapping::MappingRunner)
};

using Data::Value;

// One record at a time from the input; undefined at the end.
class RecordSource
{
public:
    virtual ~RecordSource() = default;
    virtual Result<Value> next() = 0;
};

class JsonSource final : public RecordSource
{
public:
    JsonSource(QIODevice *device, Data::JsonStreamReader::Mode mode)
        : m_reader(device, streamOptions(mode)) {}

    Result<Value> next() override
    {
        Value v;
        if (m_reader.next(v))
            return v;
        if (const auto error = m_reader.error())
            return *error;
        return Value();
    }

private:
    static Data::JsonStreamReader::Options streamOptions(Data::JsonStreamReader::Mode mode)
    {
        Data::JsonStreamReader::Options options;
        options.mode = mode;
        return options;
    }

    Data::JsonStreamReader m_reader;
};

class CsvSource final : public RecordSource
{
public:
    CsvSource(QIODevice *device, const Data::Csv::CsvOptions &options) : m_reader(device, options) {}
    Result<Value> next() override { return m_reader.next(); }

private:
    Data::Csv::CsvReader m_reader;
};

class XmlSource final : public RecordSource
{
public:
    XmlSource(QIODevice *device, const QString &recordPath, const Data::Xml::XmlReadOptions &options)
        : m_reader(device, recordPath, options) {}
    Result<Value> next() override { return m_reader.next(); }

private:
    Data::Xml::XmlRecordReader m_reader;
};

// A whole document read at once, its records picked by the mapping's record_path.
class DocumentSource final : public RecordSource
{
public:
    explicit DocumentSource(Data::Array records) : m_records(std::move(records)) {}
    Result<Value> next() override
    {
        return m_next < m_records.size() ? m_records[m_next++] : Value();
    }

private:
    Data::Array m_records;
    size_t m_next = 0;
};

// One record at a time to the output.
class RecordSink
{
public:
    virtual ~RecordSink() = default;
    virtual Result<void> write(const Value &record) = 0;
    virtual Result<void> finish() = 0;
};

class JsonSink final : public RecordSink
{
public:
    JsonSink(QIODevice *device, bool lines) : m_device(device), m_lines(lines) {}

    Result<void> write(const Value &record) override
    {
        if (!m_lines)
            m_buffer.append(m_count == 0 ? "[\n" : ",\n");
        Data::Json::serialize(record, m_buffer);
        if (m_lines)
            m_buffer.append('\n');
        ++m_count;
        return m_buffer.size() > 64 * 1024 ? flush() : Result<void>();
    }

    Result<void> finish() override
    {
        if (!m_lines)
            m_buffer.append(m_count == 0 ? "[]\n" : "\n]\n");
        return flush();
    }

private:
    Result<void> flush()
    {
        if (m_device->write(m_buffer) != m_buffer.size())
            return makeError("output_failed", Tr::tr("cannot write the output: %1").arg(m_device->errorString()));
        m_buffer.resize(0);   // keeps the capacity for the next batch
        return {};
    }

    QIODevice *m_device;
    bool m_lines;
    QByteArray m_buffer;
    qint64 m_count = 0;
};

class CsvSink final : public RecordSink
{
public:
    CsvSink(QIODevice *device, const Data::Csv::CsvWriteOptions &options) : m_writer(device, options) {}
    Result<void> write(const Value &record) override { return m_writer.write(record); }
    Result<void> finish() override { return {}; }

private:
    Data::Csv::CsvWriter m_writer;
};

// <root><record>…</record>…</root>: each record written as its own element.
class XmlSink final : public RecordSink
{
public:
    XmlSink(QIODevice *device, QString root, QString record)
        : m_device(device), m_root(std::move(root)), m_record(std::move(record)) {}

    Result<void> write(const Value &record) override
    {
        if (!m_started) {
            m_device->write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + m_root.toUtf8() + ">\n");
            m_started = true;
        }
        Data::Xml::XmlWriteOptions options;
        options.declaration = false;
        Result<QByteArray> text = Data::Xml::write(Value(Data::Object{{m_record, record}}), options);
        if (!text)
            return text.error();
        m_device->write(*text);
        m_device->write("\n");
        return {};
    }

    Result<void> finish() override
    {
        if (!m_started)
            m_device->write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + m_root.toUtf8() + "/>\n");
        else
            m_device->write("</" + m_root.toUtf8() + ">\n");
        return {};
    }

private:
    QIODevice *m_device;
    QString m_root;
    QString m_record;
    bool m_started = false;
};

// The "csv" options a mapping's source and target share.
template<typename Options>
Options csvOptions(const Value &spec)
{
    Options options;
    if (spec[u"delimiter"].isString())
        options.delimiter = char(spec[u"delimiter"].toString().at(0).toLatin1());
    if (spec[u"quote"].isString())
        options.quote = char(spec[u"quote"].toString().at(0).toLatin1());
    if (spec[u"header"].isBool())
        options.header = spec[u"header"].toBool();
    return options;
}

Data::Csv::CsvWriteOptions csvWriteOptions(const Value &spec)
{
    auto options = csvOptions<Data::Csv::CsvWriteOptions>(spec);
    for (const Value &column : spec[u"columns"].toArray())
        options.columns.append(column.toString());
    return options;
}

Data::Xml::XmlReadOptions xmlReadOptions(const Value &source)
{
    Data::Xml::XmlReadOptions options;
    for (const Value &path : source[u"array_paths"].toArray())
        options.arrayPaths.append(path.toString());
    return options;
}

Result<std::unique_ptr<RecordSource>> openSource(const CompiledMapping &mapping, QIODevice *input,
                                                 const QString &format)
{
    const Value &source = mapping.source();
    const bool wholeDocument = source[u"record_path"].isString();
    if (format == u"csv")
        return std::unique_ptr<RecordSource>(new CsvSource(input, csvOptions<Data::Csv::CsvOptions>(source[u"csv"])));
    if (format == u"xml" && source[u"record_element"].isString()) {
        return std::unique_ptr<RecordSource>(
            new XmlSource(input, source[u"record_element"].toString(), xmlReadOptions(source)));
    }
    if (format == u"ndjson")
        return std::unique_ptr<RecordSource>(new JsonSource(input, Data::JsonStreamReader::Mode::Values));
    if (format == u"json" && !wholeDocument)
        return std::unique_ptr<RecordSource>(new JsonSource(input, Data::JsonStreamReader::Mode::Auto));

    // A whole document: XML without a record element, or JSON with a record_path.
    const QByteArray bytes = input->readAll();
    Result<Value> document = format == u"xml" ? Data::Xml::read(bytes, xmlReadOptions(source))
                                              : Data::Json::parse(bytes);
    if (!document)
        return document.error();
    Result<Data::Array> records = mapping.records(*document);
    if (!records)
        return records.error();
    return std::unique_ptr<RecordSource>(new DocumentSource(std::move(records).value()));
}

std::unique_ptr<RecordSink> openSink(const CompiledMapping &mapping, QIODevice *output)
{
    const Value &target = mapping.target();
    const QString format = target[u"format"].isString() ? target[u"format"].toString() : u"json"_s;
    if (format == u"csv")
        return std::make_unique<CsvSink>(output, csvWriteOptions(target[u"csv"]));
    if (format == u"xml") {
        const QString root = target[u"root_element"].isString() ? target[u"root_element"].toString() : u"records"_s;
        const QString record = target[u"record_element"].isString() ? target[u"record_element"].toString() : u"record"_s;
        return std::make_unique<XmlSink>(output, root, record);
    }
    return std::make_unique<JsonSink>(output, format == u"ndjson");
}

} // namespace

Result<MappingRunStats> runMapping(const CompiledMapping &mapping, QIODevice *input, QIODevice *output,
                                   const RejectHandler &onReject, const Data::Object &variables,
                                   const QString &formatOverride)
{
    const Value &sourceFormat = mapping.source()[u"format"];
    const QString format = !formatOverride.isEmpty() ? formatOverride
                         : sourceFormat.isString()    ? sourceFormat.toString()
                                                      : u"json"_s;
    Result<std::unique_ptr<RecordSource>> source = openSource(mapping, input, format);
    if (!source)
        return source.error();
    std::unique_ptr<RecordSink> sink = openSink(mapping, output);

    MappingRunStats stats;
    for (;;) {
        Result<Value> record = (*source)->next();
        if (!record) {
            Error e = record.error();
            e.message = Tr::tr("record %1: %2").arg(stats.records).arg(e.message);
            if (Result<void> finished = sink->finish(); !finished)
                return finished.error();
            return e;
        }
        if (record->isUndefined())
            break;
        const MappedRecord mapped = mapping.map(*record, variables);
        if (mapped.isValid()) {
            Result<void> written = sink->write(mapped.output);
            if (!written) {
                MappedRecord failed = mapped;
                failed.violations.push_back({QString(), u"output"_s, written.error().message});
                if (onReject)
                    onReject(stats.records, *record, failed);
                ++stats.rejected;
            } else {
                ++stats.written;
            }
        } else {
            if (onReject)
                onReject(stats.records, *record, mapped);
            ++stats.rejected;
        }
        ++stats.records;
    }
    if (Result<void> finished = sink->finish(); !finished)
        return finished.error();
    return stats;
}

Result<Value> readLookupTable(const QString &name, const QByteArray &content, bool isCsv)
{
    Result<Value> rows = isCsv ? Data::Csv::read(content) : Data::Json::parse(content);
    if (!rows) {
        return makeError("mapping_table", Tr::tr("table %1: %2").arg(name, rows.error().message));
    }
    if (!rows->isArray())
        return makeError("mapping_table", Tr::tr("table %1: expected an array of row objects").arg(name));
    for (size_t i = 0; i < rows->toArray().size(); ++i) {
        if (!rows->at(qsizetype(i)).isObject()) {
            return makeError("mapping_table",
                             Tr::tr("table %1: row %2 is not an object").arg(name).arg(i));
        }
    }
    return rows;
}

TableLoader tablesInFolder(const QString &folder)
{
    return [folder](const QString &name) -> Result<Value> {
        const QDir dir(folder);
        for (const bool csv : {true, false}) {
            const QString fileName = name + (csv ? u".csv"_s : u".json"_s);
            if (!dir.exists(fileName))
                continue;
            QFile file(dir.filePath(fileName));
            if (!file.open(QIODevice::ReadOnly)) {
                return makeError("mapping_table",
                                 Tr::tr("table %1: cannot read %2: %3").arg(name, file.fileName(), file.errorString()));
            }
            return readLookupTable(fileName, file.readAll(), csv);
        }
        return makeError("mapping_table", Tr::tr("no table \"%1\": expected %2/%1.csv or %2/%1.json")
                                              .arg(name, QDir::toNativeSeparators(folder)));
    };
}

} // namespace Conflux::Mapping
