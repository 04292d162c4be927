// The files connector's reads: the record sources of each format, read() with its cursors and
// pages, and after_read.

#include "fileconnector_p.h"

#include "base/log.h"
#include "data/csv.h"
#include "data/json.h"
#include "data/jsonstream.h"
#include "data/xml.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>

#include <algorithm>
#include <optional>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace Internal::File;

namespace {

constexpr int kDefaultPageSize = 500;
constexpr int kMaxPageSize = 100000;

// ---- record sources ----------------------------------------------------------------------

class CsvSource final : public RecordSource
{
public:
    CsvSource(std::unique_ptr<QFile> file, const Data::Csv::CsvOptions &options)
        : m_file(std::move(file)), m_reader(m_file.get(), options) { }
    Result<Data::Value> next() override { return m_reader.next(); }

private:
    std::unique_ptr<QFile> m_file;
    Data::Csv::CsvReader m_reader;
};

class JsonSource final : public RecordSource
{
public:
    JsonSource(std::unique_ptr<QFile> file, const Data::JsonStreamReader::Options &options)
        : m_file(std::move(file)), m_reader(m_file.get(), options) { }
    Result<Data::Value> next() override
    {
        Data::Value record;
        if (m_reader.next(record))
            return record;
        if (m_reader.error())
            return *m_reader.error();
        return Data::Value();
    }

private:
    std::unique_ptr<QFile> m_file;
    Data::JsonStreamReader m_reader;
};

class XmlSource final : public RecordSource
{
public:
    XmlSource(std::unique_ptr<QFile> file, const QString &recordPath, const Data::Xml::XmlReadOptions &options)
        : m_file(std::move(file)), m_reader(m_file.get(), recordPath, options) { }
    Result<Data::Value> next() override { return m_reader.next(); }

private:
    std::unique_ptr<QFile> m_file;
    Data::Xml::XmlRecordReader m_reader;
};

// Records of a document read whole (JSON with a record_path).
class ArraySource final : public RecordSource
{
public:
    explicit ArraySource(Data::Array records) : m_records(std::move(records)) { }
    Result<Data::Value> next() override
    {
        return m_next < m_records.size() ? std::move(m_records[m_next++]) : Data::Value();
    }

private:
    Data::Array m_records;
    size_t m_next = 0;
};

// The value at a JSON pointer (RFC 6901), or nullptr.
const Data::Value *resolvePointer(const Data::Value &document, const QString &pointer)
{
    const Data::Value *current = &document;
    if (pointer.isEmpty())
        return current;
    const QStringList tokens = pointer.mid(1).split(u'/');
    for (QString token : tokens) {
        token.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
        if (current->isObject()) {
            current = current->toObject().find(token);
        } else if (current->isArray()) {
            bool ok = false;
            const qsizetype index = token.toLongLong(&ok);
            current = ok && index >= 0 && index < current->size() ? &current->at(index) : nullptr;
        } else {
            current = nullptr;
        }
        if (!current)
            return nullptr;
    }
    return current;
}

} // namespace

namespace Internal::File {

Result<std::unique_ptr<RecordSource>> openSource(const Settings &s, const FileEntry &entry)
{
    auto file = std::make_unique<QFile>(entry.path);
    if (!file->open(QIODevice::ReadOnly))
        return fileError(Tr::tr("Cannot open %1: %2").arg(entry.path, file->errorString()));
    if (file->size() > s.maxFileSize) {
        return makeError("file_too_large", Tr::tr("%1 has %2 bytes, more than max_file_size (%3)")
                                               .arg(entry.path)
                                               .arg(file->size())
                                               .arg(s.maxFileSize));
    }
    switch (s.format) {
    case Format::Csv: {
        Data::Csv::CsvOptions options;
        options.delimiter = s.delimiter;
        options.header = s.header;
        options.typed = s.typed;
        options.strict = s.strict;
        options.maxSize = s.maxFileSize;
        return std::unique_ptr<RecordSource>(std::make_unique<CsvSource>(std::move(file), options));
    }
    case Format::NdJson:
    case Format::Json: {
        if (s.format == Format::Json && !s.recordPath.isEmpty()) {
            const QByteArray text = file->readAll();
            if (file->error() != QFileDevice::NoError)
                return fileError(Tr::tr("Cannot read %1: %2").arg(entry.path, file->errorString()));
            Data::Json::ReadOptions options;
            options.maxBytes = s.maxFileSize;
            Result<Data::Value> document = Data::Json::parse(text, options);
            if (!document)
                return inFile(entry.path, document.error());
            const Data::Value *records = resolvePointer(*document, s.recordPath);
            if (!records) {
                return makeError("record_path_missing",
                                 Tr::tr("%1: the document has no value at record_path %2")
                                     .arg(entry.path, s.recordPath));
            }
            if (records->isArray())
                return std::unique_ptr<RecordSource>(std::make_unique<ArraySource>(records->toArray()));
            if (records->isObject())
                return std::unique_ptr<RecordSource>(std::make_unique<ArraySource>(Data::Array{*records}));
            return makeError("record_path_missing", Tr::tr("%1: the value at record_path %2 is a %3, not an array of "
                                                           "records or a record")
                                                        .arg(entry.path, s.recordPath,
                                                             QString::fromLatin1(records->typeName())));
        }
        Data::JsonStreamReader::Options options;
        options.mode = s.format == Format::NdJson ? Data::JsonStreamReader::Mode::Values
                                                  : Data::JsonStreamReader::Mode::Auto;
        options.maxRecordBytes = std::min(options.maxRecordBytes, s.maxFileSize);
        return std::unique_ptr<RecordSource>(std::make_unique<JsonSource>(std::move(file), options));
    }
    case Format::Xml: {
        Data::Xml::XmlReadOptions options;
        options.arrayPaths = s.arrayPaths;
        options.limits.maxSize = std::min(options.limits.maxSize, s.maxFileSize);
        return std::unique_ptr<RecordSource>(std::make_unique<XmlSource>(std::move(file), s.recordPath, options));
    }
    }
    return makeError("unsupported", Tr::tr("Unknown data format"));
}

} // namespace Internal::File

namespace {

// ---- after_read --------------------------------------------------------------------------

// Moves the file into `folder`, keeping its path relative to the endpoint's folder.
Result<QString> moveInto(const QString &folder, const FileEntry &entry)
{
    const QString target = unusedPath(folder + u'/' + entry.relative);
    const QString targetDir = QFileInfo(target).absolutePath();
    if (!QDir().mkpath(targetDir))
        return fileError(Tr::tr("Cannot create the folder %1 to move %2 into").arg(targetDir, entry.path));
    QFile file(entry.path);
    if (!file.rename(target))
        return fileError(Tr::tr("Cannot move %1 to %2: %3").arg(entry.path, target, file.errorString()));
    syncDirectory(targetDir);
    syncDirectory(QFileInfo(entry.path).absolutePath());
    return target;
}

Result<void> applyAfterRead(const Settings &s, const FileEntry &entry)
{
    switch (s.afterRead) {
    case FileConnector::AfterRead::Keep:
        return {};
    case FileConnector::AfterRead::Delete: {
        QFile file(entry.path);
        if (!file.remove())
            return fileError(Tr::tr("Cannot delete %1: %2").arg(entry.path, file.errorString()));
        syncDirectory(QFileInfo(entry.path).absolutePath());
        return {};
    }
    case FileConnector::AfterRead::Move:
    case FileConnector::AfterRead::Archive: {
        const QString folder = s.afterRead == FileConnector::AfterRead::Move
                                   ? s.moveTo
                                   : s.archiveTo + u'/' + QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd"_s);
        Result<QString> moved = moveInto(folder, entry);
        if (!moved)
            return moved.error();
        return {};
    }
    }
    return {};
}

// ---- reading -----------------------------------------------------------------------------

// Cursor values compare as numbers when both are numbers or numeric text, else as text;
// nullopt when they cannot be compared (null, missing, objects).
std::optional<int> compareCursor(const Data::Value &a, const Data::Value &b)
{
    const auto numeric = [](const Data::Value &v) -> std::optional<double> {
        if (v.isNumber())
            return v.toDouble();
        if (v.isString()) {
            const Data::Value n = Data::Value::numberFromText(v.toString());
            if (n.isNumber())
                return n.toDouble();
        }
        return std::nullopt;
    };
    const std::optional<double> x = numeric(a);
    const std::optional<double> y = numeric(b);
    if (x && y)
        return *x < *y ? -1 : *x > *y ? 1 : 0;
    if (a.isString() && b.isString())
        return QString::compare(a.toString(), b.toString());
    if (a.isBool() && b.isBool())
        return int(a.toBool()) - int(b.toBool());
    return std::nullopt;
}

class ReadRun
{
public:
    ReadRun(const FileConnector &connector, const ReadRequest &request, const PageSink &sink)
        : m_s(connector.settings()), m_endpointId(connector.endpoint().id), m_request(request), m_sink(sink)
    {
        m_pageSize = request.pageSize > 0 ? std::min(request.pageSize, kMaxPageSize) : kDefaultPageSize;
    }

    Result<ReadSummary> run();

private:
    enum class Outcome { Complete, Stopped };
    enum class CursorKind { None, Modified, Field };

    bool cancelled() const { return m_request.cancel && m_request.cancel->isCancelled(); }
    bool limitReached() const
    {
        return m_request.limit >= 0 && m_summary.records + qint64(m_page.size()) >= m_request.limit;
    }
    Result<bool> fetch(RecordSource &source, const FileEntry &entry, Data::Value &record);
    Result<Outcome> readFile(const FileEntry &entry);
    Result<void> check(const FileEntry &entry);
    void add(Data::Value record, const FileEntry &entry);
    bool flush();

    const Settings &m_s;
    QString m_endpointId;
    const ReadRequest &m_request;
    const PageSink &m_sink;
    int m_pageSize = kDefaultPageSize;
    CursorKind m_cursor = CursorKind::None;
    QDateTime m_modifiedAfter;
    ReadSummary m_summary;
    std::vector<Data::Value> m_page;
};

Result<ReadSummary> ReadRun::run()
{
    if (!m_request.entity.isEmpty() && m_request.entity != m_s.entity)
        return makeError("unknown_entity",
                         Tr::tr("The files endpoint has one entity, %1, not %2")
                             .arg(m_s.entity, m_request.entity));
    if (!m_request.filter.isUndefined() && !m_request.filter.isNull())
        return makeError(
            "unsupported",
            Tr::tr(
                "The files connector does not filter records; map or filter them after reading"));
    if (m_request.cursorField == "_modified"_L1) {
        m_cursor = CursorKind::Modified;
        const Data::Value &after = m_request.cursorAfter;
        if (after.isString()) {
            m_modifiedAfter = QDateTime::fromString(after.toString(), Qt::ISODateWithMs);
            if (!m_modifiedAfter.isValid()) {
                return makeError(
                    "invalid_request",
                    Tr::tr("The cursor for _modified must be an ISO 8601 date-time, not \"%1\"")
                        .arg(after.toString()));
            }
        } else if (after.isNumber()) {
            m_modifiedAfter = QDateTime::fromMSecsSinceEpoch(after.toInt64(), Qt::UTC);
        } else if (!after.isNull() && !after.isUndefined()) {
            return makeError("invalid_request", Tr::tr("The cursor for _modified must be a date-time string"));
        }
    } else if (!m_request.cursorField.isEmpty()) {
        m_cursor = CursorKind::Field;
    }

    Result<std::vector<FileEntry>> listed = listFiles(m_s);
    if (!listed)
        return listed.error();
    std::vector<FileEntry> files = std::move(*listed);
    if (m_cursor == CursorKind::Modified) {
        // Oldest change first, so that the cursor never passes a file not yet read.
        if (m_modifiedAfter.isValid()) {
            std::erase_if(files, [&](const FileEntry &f) { return f.modified <= m_modifiedAfter; });
        }
        std::stable_sort(files.begin(), files.end(),
                         [](const FileEntry &a, const FileEntry &b) { return a.modified < b.modified; });
    }

    size_t firstIncomplete = files.size();
    for (size_t i = 0; i < files.size(); ++i) {
        if (cancelled())
            return makeError("cancelled", Tr::tr("Reading %1 was cancelled").arg(m_s.folder));
        if (limitReached()) {
            m_summary.stoppedEarly = true;
            firstIncomplete = i;
            break;
        }
        if (m_s.onError == FileConnector::OnError::Quarantine) {
            Result<void> checked = check(files[i]);
            if (!checked && checked.error().code == "cancelled"_L1)
                return checked.error();
            if (!checked) {
                Result<QString> moved = moveInto(m_s.errorTo, files[i]);
                if (!moved)
                    return moved.error();
                Log::write(QtWarningMsg, "conflux.connectors",
                           Tr::tr("Quarantined a malformed file: %1").arg(checked.error().message),
                           QJsonObject{{u"endpoint"_s, m_endpointId},
                                        {u"file"_s, files[i].path},
                                        {u"moved_to"_s, *moved},
                                        {u"code"_s, checked.error().code}});
                continue;
            }
        }
        Result<Outcome> outcome = readFile(files[i]);
        if (!outcome)
            return outcome.error();
        if (*outcome == Outcome::Stopped) {
            firstIncomplete = i;
            break;
        }
        if (Result<void> done = applyAfterRead(m_s, files[i]); !done)
            return done.error();
    }

    if (m_cursor == CursorKind::Modified) {
        // The newest change of the files read whole, short of the first file not read whole,
        // so that the next read starts again with it (and with any file of the same time).
        for (size_t i = 0; i < firstIncomplete; ++i) {
            if (firstIncomplete < files.size() && files[i].modified >= files[firstIncomplete].modified)
                break;
            m_summary.lastCursor = formatTime(files[i].modified);
        }
    }
    return m_summary;
}

// The next record to deliver (past the cursor) into `record`; false at the end of the file.
Result<bool> ReadRun::fetch(RecordSource &source, const FileEntry &entry, Data::Value &record)
{
    for (;;) {
        Result<Data::Value> next = source.next();
        if (!next)
            return inFile(entry.path, next.error());
        if (next->isUndefined())
            return false;
        if (m_cursor == CursorKind::Field && !m_request.cursorAfter.isUndefined() && !m_request.cursorAfter.isNull()) {
            const std::optional<int> order = compareCursor((*next)[m_request.cursorField], m_request.cursorAfter);
            if (!order || *order <= 0)
                continue;
        }
        record = std::move(*next);
        return true;
    }
}

Result<ReadRun::Outcome> ReadRun::readFile(const FileEntry &entry)
{
    Result<std::unique_ptr<RecordSource>> source = openSource(m_s, entry);
    if (!source)
        return source.error();
    for (;;) {
        if (cancelled())
            return makeError("cancelled", Tr::tr("Reading %1 was cancelled").arg(entry.path));
        Data::Value record;
        Result<bool> more = fetch(**source, entry, record);
        if (!more && !limitReached())
            return more.error();
        if (!more || (*more && limitReached())) {
            // The limit is reached and the file goes on (or is broken past it): stop here.
            m_summary.stoppedEarly = true;
            if (!m_page.empty())
                flush();
            return Outcome::Stopped;
        }
        if (!*more)
            break;
        add(std::move(record), entry);
        if (qsizetype(m_page.size()) >= m_pageSize && !flush()) {
            m_summary.stoppedEarly = true;
            return Outcome::Stopped;
        }
    }
    if (!m_page.empty() && !flush()) {
        // The sink took the last records but asked to stop: the file is not counted as done.
        m_summary.stoppedEarly = true;
        return Outcome::Stopped;
    }
    return Outcome::Complete;
}

// Reads a file to its end without delivering anything (on_error "quarantine").
Result<void> ReadRun::check(const FileEntry &entry)
{
    Result<std::unique_ptr<RecordSource>> source = openSource(m_s, entry);
    if (!source)
        return source.error();
    for (;;) {
        if (cancelled())
            return makeError("cancelled", Tr::tr("Reading %1 was cancelled").arg(entry.path));
        Result<Data::Value> next = (*source)->next();
        if (!next)
            return inFile(entry.path, next.error());
        if (next->isUndefined())
            return {};
    }
}

void ReadRun::add(Data::Value record, const FileEntry &entry)
{
    if (m_cursor == CursorKind::Field) {
        const Data::Value &cursor = record[m_request.cursorField];
        if (m_summary.lastCursor.isUndefined()) {
            if (compareCursor(cursor, cursor))
                m_summary.lastCursor = cursor;
        } else if (const std::optional<int> order = compareCursor(cursor, m_summary.lastCursor); order && *order > 0) {
            m_summary.lastCursor = cursor;
        }
    }
    if (m_s.includeFileInfo && record.isObject()) {
        Data::Object &object = record.mutableObject();
        object.insert(u"_file"_s, entry.relative);
        object.insert(u"_modified"_s, formatTime(entry.modified));
    }
    if (!m_request.fields.isEmpty() && record.isObject()) {
        Data::Object projected;
        for (const QString &field : m_request.fields) {
            if (const Data::Value *value = record.toObject().find(field))
                projected.append(field, *value);
        }
        record = Data::Value(std::move(projected));
    }
    m_page.push_back(std::move(record));
}

bool ReadRun::flush()
{
    const qint64 count = qint64(m_page.size());
    std::vector<Data::Value> page;
    page.swap(m_page);
    m_page.reserve(size_t(m_pageSize));
    m_summary.records += count;
    ++m_summary.pages;
    return m_sink(std::move(page));
}

} // namespace

Result<ReadSummary> FileConnector::read(const ReadRequest &request, const PageSink &sink)
{
    return ReadRun(*this, request, sink).run();
}

} // namespace Conflux::Connectors
