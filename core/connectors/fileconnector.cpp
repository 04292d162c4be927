#include "fileconnector.h"

#include "base/log.h"
#include "data/csv.h"
#include "data/json.h"
#include "data/jsonstream.h"
#include "data/schemainference.h"
#include "data/xml.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>
#include <QUuid>

#include <algorithm>
#include <cerrno>
#include <optional>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::FileConnector)
};

using Settings = FileConnector::Settings;
using Format = FileConnector::Format;

constexpr int kDefaultPageSize = 500;
constexpr int kMaxPageSize = 100000;

QString formatTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

Error fileError(const QString &message)
{
    return makeError("file_error", message);
}

// A codec's error with the file it came from in front of its message.
Error inFile(const QString &path, Error error)
{
    error.message = path + u": "_s + error.message;
    return error;
}

// ---- configuration -----------------------------------------------------------------------

class ConfigReader
{
public:
    explicit ConfigReader(const Data::Object &config) : m_config(config) { }

    QStringList problems;

    void problem(QStringView key, const QString &text)
    {
        problems.append(u"/configuration/"_s + key.toString() + u": "_s + text);
    }
    bool has(QStringView key) const { return m_config.contains(key); }

    std::optional<QString> string(QStringView key)
    {
        const Data::Value *value = m_config.find(key);
        if (!value)
            return std::nullopt;
        if (!value->isString() || value->toString().isEmpty()) {
            problem(key, Tr::tr("must be a non-empty string"));
            return std::nullopt;
        }
        return value->toString();
    }
    std::optional<bool> boolean(QStringView key)
    {
        const Data::Value *value = m_config.find(key);
        if (!value)
            return std::nullopt;
        if (!value->isBool()) {
            problem(key, Tr::tr("must be true or false"));
            return std::nullopt;
        }
        return value->toBool();
    }
    std::optional<qint64> integer(QStringView key, qint64 min, qint64 max)
    {
        const Data::Value *value = m_config.find(key);
        if (!value)
            return std::nullopt;
        const double d = value->toDouble();
        if (!value->isNumber() || d < double(min) || d > double(max) || d != double(qint64(d))) {
            problem(key, Tr::tr("must be a whole number from %1 to %2").arg(min).arg(max));
            return std::nullopt;
        }
        return qint64(d);
    }
    std::optional<QStringList> strings(QStringView key)
    {
        const Data::Value *value = m_config.find(key);
        if (!value)
            return std::nullopt;
        QStringList list;
        bool ok = value->isArray();
        for (qsizetype i = 0; ok && i < value->size(); ++i) {
            ok = value->at(i).isString() && !value->at(i).toString().isEmpty();
            list.append(value->at(i).toString());
        }
        if (!ok) {
            problem(key, Tr::tr("must be an array of non-empty strings"));
            return std::nullopt;
        }
        return list;
    }
    // One of `names`, or nullopt (with a problem when present but not one of them).
    std::optional<int> choice(QStringView key, const QStringList &names)
    {
        const std::optional<QString> text = string(key);
        if (!text)
            return std::nullopt;
        const qsizetype index = names.indexOf(*text);
        if (index < 0) {
            problem(key, Tr::tr("must be one of %1, not \"%2\"").arg(names.join(u", "_s), *text));
            return std::nullopt;
        }
        return int(index);
    }

private:
    const Data::Object &m_config;
};

const QStringList &knownSettings()
{
    static const QStringList keys{
        u"glob"_s, u"recursive"_s, u"after_read"_s, u"move_to"_s, u"archive_to"_s, u"on_error"_s, u"error_to"_s,
        u"delimiter"_s, u"header"_s, u"typed"_s, u"strict"_s, u"encoding"_s, u"record_path"_s, u"array_paths"_s,
        u"file_name"_s, u"write_mode"_s, u"max_file_size"_s, u"entity"_s, u"include_file_info"_s, u"pretty"_s,
        u"columns"_s, u"sample_size"_s,
        // read by parseEndpoint for every protocol
        u"timeout_seconds"_s, u"retry_attempts"_s};
    return keys;
}

std::optional<Format> formatFromName(const QString &name)
{
    if (name == "csv"_L1)
        return Format::Csv;
    if (name == "json"_L1)
        return Format::Json;
    if (name == "ndjson"_L1 || name == "jsonl"_L1)
        return Format::NdJson;
    if (name == "xml"_L1)
        return Format::Xml;
    return std::nullopt;
}

QString resolveFolder(const QString &base, const QString &path)
{
    return QDir::cleanPath(QDir(base).absoluteFilePath(path));
}

// The endpoint's folder from its URL: file:///abs, file:relative or a plain path.
QString folderFromUrl(const EndpointSpec &endpoint, const ConnectorContext &context, QStringList &problems)
{
    const QUrl &url = endpoint.url;
    const QString scheme = url.scheme().toLower();
    QString path;
    if (scheme == "file"_L1 || scheme.isEmpty()) {
        if (!url.host().isEmpty() && url.host() != "localhost"_L1) {
            problems.append(
                u"/url: "_s
                + Tr::tr("file URLs on another host (\"%1\") are not supported").arg(url.host()));
            return {};
        }
        path = url.path(QUrl::FullyDecoded);
    } else {
        problems.append(u"/url: "_s + Tr::tr("a files endpoint needs a file:///absolute/folder URL, not \"%1\"")
                                          .arg(url.toString()));
        return {};
    }
    if (path.isEmpty()) {
        problems.append(u"/url: "_s + Tr::tr("is required: the folder, as file:///absolute/folder or a path relative "
                                             "to the project"));
        return {};
    }
    const QString base = context.baseDirectory.isEmpty() ? QDir::currentPath() : context.baseDirectory;
    return resolveFolder(base, path);
}

bool isPlainFileName(const QString &name)
{
    return !name.isEmpty() && name != "."_L1 && name != ".."_L1 && !name.contains(u'/') && !name.contains(u'\\');
}

const QRegularExpression &placeholderPattern()
{
    static const QRegularExpression pattern(u"\\{([^{}]*)\\}"_s);
    return pattern;
}

Result<Settings> readSettings(const EndpointSpec &endpoint, const ConnectorContext &context)
{
    Settings s;
    QStringList problems;
    if (endpoint.protocol != Protocol::Files)
        problems.append(u"/protocol: "_s + Tr::tr("must be files, not %1").arg(protocolName(endpoint.protocol)));
    s.folder = folderFromUrl(endpoint, context, problems);

    ConfigReader in(endpoint.configuration);
    for (const auto &[key, value] : endpoint.configuration) {
        if (!knownSettings().contains(key) && !key.startsWith(u"x-"))
            in.problem(key, Tr::tr("is not a setting of the files connector"));
    }

    const std::optional<QString> glob = in.string(u"glob");
    std::optional<Format> format = formatFromName(endpoint.dataFormat);
    if (!endpoint.dataFormat.isEmpty() && !format)
        problems.append(u"/data_format: "_s + Tr::tr("must be csv, json, ndjson or xml"));
    if (endpoint.dataFormat.isEmpty()) {
        // No data_format: the glob's extension says it ("*.csv").
        if (glob)
            format = formatFromName(QFileInfo(*glob).suffix().toLower());
        if (!format)
            problems.append(u"/data_format: "_s + Tr::tr("is required for a files endpoint: csv, json, ndjson or xml"));
    }
    s.format = format.value_or(Format::Csv);
    const QString ext = FileConnector::extension(s.format);

    s.glob = glob.value_or(u"*."_s + ext);
    if (s.glob.startsWith(u'/') || s.glob.split(u'/').contains(u".."_s))
        in.problem(u"glob", Tr::tr("must be a pattern inside the folder (no leading \"/\", no \"..\")"));
    s.recursive = in.boolean(u"recursive").value_or(false);

    s.entity = in.string(u"entity").value_or(endpoint.id);
    if (s.entity.isEmpty())
        in.problem(u"entity", Tr::tr("is required when the endpoint has no id"));

    static const QStringList afterReads{u"keep"_s, u"move"_s, u"archive"_s, u"delete"_s};
    s.afterRead = FileConnector::AfterRead(in.choice(u"after_read", afterReads).value_or(0));
    static const QStringList onErrors{u"fail"_s, u"quarantine"_s};
    s.onError = FileConnector::OnError(in.choice(u"on_error", onErrors).value_or(0));
    s.moveTo = resolveFolder(s.folder, in.string(u"move_to").value_or(u"processed"_s));
    s.archiveTo = resolveFolder(s.folder, in.string(u"archive_to").value_or(u"archive"_s));
    s.errorTo = resolveFolder(s.folder, in.string(u"error_to").value_or(u"error"_s));
    const auto checkTarget = [&](QStringView key, const QString &target) {
        if (target == s.folder)
            in.problem(key, Tr::tr("must be another folder than the endpoint's own"));
    };
    if (s.afterRead == FileConnector::AfterRead::Move)
        checkTarget(u"move_to", s.moveTo);
    if (s.afterRead == FileConnector::AfterRead::Archive)
        checkTarget(u"archive_to", s.archiveTo);
    if (s.onError == FileConnector::OnError::Quarantine)
        checkTarget(u"error_to", s.errorTo);

    if (const std::optional<QString> delimiter = in.string(u"delimiter")) {
        const QString d = *delimiter == "tab"_L1 ? u"\t"_s : *delimiter;
        if (d.size() != 1 || d.at(0).unicode() > 127 || d == "\""_L1 || d == "\r"_L1 || d == "\n"_L1)
            in.problem(u"delimiter", Tr::tr("must be one ASCII character other than the quote and line breaks "
                                            "(\",\", \";\", \"|\", \"\\t\" or \"tab\")"));
        else
            s.delimiter = char(d.at(0).unicode());
    }
    s.header = in.boolean(u"header").value_or(true);
    s.typed = in.boolean(u"typed").value_or(false);
    s.strict = in.boolean(u"strict").value_or(true);
    if (const std::optional<QString> encoding = in.string(u"encoding")) {
        const QString e = encoding->toLower();
        if (e != "utf-8"_L1 && e != "utf8"_L1)
            in.problem(u"encoding", Tr::tr("only utf-8 is supported (XML files may name their own encoding in their "
                                           "declaration), not \"%1\"")
                                        .arg(*encoding));
    }
    const bool csvOnly = s.format != Format::Csv;
    for (const QStringView key : {u"delimiter", u"header", u"typed", u"strict", u"columns"}) {
        if (csvOnly && in.has(key))
            in.problem(key, Tr::tr("applies to csv files only"));
    }

    if (const Data::Value *path = endpoint.configuration.find(u"record_path"); path && !path->isString()) {
        in.problem(u"record_path", Tr::tr("must be a string"));
    } else if (path) {
        s.recordPath = path->toString();
    }
    if (s.format == Format::Json) {
        if (!s.recordPath.isEmpty() && !s.recordPath.startsWith(u'/'))
            in.problem(u"record_path", Tr::tr("must be a JSON pointer such as /data/items"));
    } else if (s.format == Format::Xml) {
        QString stripped = s.recordPath;
        stripped.remove(u'/');
        if (stripped.isEmpty())
            in.problem(u"record_path", Tr::tr("is required for xml: the path of the repeated record element, such "
                                              "as Orders/Order or //Order"));
    } else if (in.has(u"record_path")) {
        in.problem(u"record_path", Tr::tr("applies to json and xml files only"));
    }
    s.arrayPaths = in.strings(u"array_paths").value_or(QStringList{});
    if (s.format != Format::Xml && in.has(u"array_paths"))
        in.problem(u"array_paths", Tr::tr("applies to xml files only"));
    s.columns = in.strings(u"columns").value_or(QStringList{});

    s.fileName = in.string(u"file_name").value_or(u"{entity}-{timestamp}."_s + ext);
    if (!isPlainFileName(s.fileName))
        in.problem(u"file_name", Tr::tr("must be a file name without folders"));
    for (const QRegularExpressionMatch &m : placeholderPattern().globalMatch(s.fileName)) {
        static const QStringList names{u"timestamp"_s, u"date"_s, u"uuid"_s, u"entity"_s};
        if (!names.contains(m.captured(1)))
            in.problem(u"file_name", Tr::tr("unknown placeholder {%1} (known: {timestamp}, {date}, {uuid}, {entity})")
                                         .arg(m.captured(1)));
    }
    static const QStringList writeModes{u"new_file"_s, u"append"_s};
    s.writeMode = FileConnector::WriteAppend(in.choice(u"write_mode", writeModes).value_or(0));
    if (s.writeMode == FileConnector::WriteAppend::Append && s.format != Format::Csv && s.format != Format::NdJson)
        in.problem(u"write_mode", Tr::tr("append works for csv and ndjson files only"));

    s.maxFileSize = in.integer(u"max_file_size", 1, qint64(1) << 50).value_or(s.maxFileSize);
    s.includeFileInfo = in.boolean(u"include_file_info").value_or(false);
    s.pretty = in.boolean(u"pretty").value_or(false);
    s.sampleSize = int(in.integer(u"sample_size", 1, 1000000).value_or(s.sampleSize));

    problems += in.problems;
    if (!problems.isEmpty()) {
        return makeError("invalid_endpoint",
                         Tr::tr("The files endpoint %1 is not configured correctly").arg(endpoint.id), problems);
    }
    return s;
}

// ---- listing -----------------------------------------------------------------------------

struct FileEntry
{
    QString path;       // absolute
    QString relative;   // to the endpoint's folder
    QDateTime modified; // UTC
    qint64 size = 0;
};

Result<std::vector<FileEntry>> listFiles(const Settings &s)
{
    const QFileInfo root(s.folder);
    if (!root.exists())
        return makeError("connection_failed", Tr::tr("The folder %1 does not exist").arg(s.folder));
    if (!root.isDir())
        return makeError("connection_failed", Tr::tr("%1 is not a folder").arg(s.folder));
    if (!root.isReadable() || !root.isExecutable())
        return makeError("connection_failed", Tr::tr("The folder %1 cannot be read (permission denied)").arg(s.folder));

    const QRegularExpression glob(QRegularExpression::wildcardToRegularExpression(s.glob));
    const bool byPath = s.glob.contains(u'/');
    // after_read and on_error targets inside the folder are not read again.
    QStringList excluded;
    if (s.afterRead == FileConnector::AfterRead::Move)
        excluded.append(s.moveTo + u'/');
    if (s.afterRead == FileConnector::AfterRead::Archive)
        excluded.append(s.archiveTo + u'/');
    if (s.onError == FileConnector::OnError::Quarantine)
        excluded.append(s.errorTo + u'/');

    const QDir dir(s.folder);
    std::vector<FileEntry> files;
    QDirIterator it(s.folder, QDir::Files | QDir::NoDotAndDotDot,
                    s.recursive ? QDirIterator::Subdirectories : QDirIterator::NoIteratorFlags);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString relative = dir.relativeFilePath(path);
        // Hidden files and folders (a writer's temporary file among them) are never records.
        if (relative.startsWith(u'.') || relative.contains(u"/."))
            continue;
        if (std::any_of(excluded.cbegin(), excluded.cend(), [&](const QString &x) { return path.startsWith(x); }))
            continue;
        if (!glob.match(byPath ? relative : it.fileName()).hasMatch())
            continue;
        const QFileInfo info = it.fileInfo();
        files.push_back({path, relative, info.lastModified().toUTC(), info.size()});
    }
    std::sort(files.begin(), files.end(),
              [](const FileEntry &a, const FileEntry &b) { return a.relative < b.relative; });
    return files;
}

// ---- record sources ----------------------------------------------------------------------

class RecordSource
{
public:
    virtual ~RecordSource() = default;
    // The next record; undefined at the end. Codec errors come without the file name.
    virtual Result<Data::Value> next() = 0;
};

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

// ---- after_read --------------------------------------------------------------------------

void syncDirectory(const QString &path)
{
#ifdef Q_OS_UNIX
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
#else
    Q_UNUSED(path);
#endif
}

// `path`, or the first of path-1.ext, path-2.ext ... that does not exist yet.
QString unusedPath(const QString &path)
{
    if (!QFileInfo::exists(path))
        return path;
    const QFileInfo info(path);
    const QString suffix = info.suffix().isEmpty() ? QString() : u'.' + info.suffix();
    const QString stem = info.absolutePath() + u'/' + (suffix.isEmpty() ? info.fileName() : info.completeBaseName());
    for (int i = 1;; ++i) {
        const QString candidate = stem + u'-' + QString::number(i) + suffix;
        if (!QFileInfo::exists(candidate))
            return candidate;
    }
}

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

// ---- writing -----------------------------------------------------------------------------

QString expandFileName(const Settings &s)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QString entity = s.entity;
    entity.replace(u'/', u'_').replace(u'\\', u'_');
    QString name = s.fileName;
    name.replace(u"{timestamp}"_s, now.toString(u"yyyyMMdd'T'HHmmsszzz'Z'"_s))
        .replace(u"{date}"_s, now.toString(u"yyyy-MM-dd"_s))
        .replace(u"{uuid}"_s, QUuid::createUuid().toString(QUuid::WithoutBraces))
        .replace(u"{entity}"_s, entity);
    return name;
}

// {"A": {"B": [records]}} for the XML record path "A/B/C"'s parent chain, the records at C.
Result<Data::Value> xmlDocument(const Settings &s, const std::vector<Data::Value> &records)
{
    if (s.recordPath.startsWith(u"//")) {
        return makeError("unsupported", Tr::tr("Writing XML needs a record_path from the root element (such as "
                                               "Orders/Order), not %1")
                                            .arg(s.recordPath));
    }
    const QStringList names = s.recordPath.split(u'/', Qt::SkipEmptyParts);
    if (names.size() == 1 && records.size() != 1) {
        return makeError("unsupported", Tr::tr("The record_path %1 makes each record a whole document: an XML file "
                                               "holds one such record, not %2")
                                            .arg(s.recordPath)
                                            .arg(records.size()));
    }
    Data::Value value = names.size() == 1 ? records.front() : Data::Value(Data::Array(records));
    for (qsizetype i = names.size() - 1; i >= 0; --i)
        value = Data::Value(Data::Object{{names.at(i), std::move(value)}});
    return value;
}

Data::Value jsonDocument(const Settings &s, Data::Value records)
{
    const QStringList tokens = s.recordPath.mid(1).split(u'/');
    for (qsizetype i = tokens.size() - 1; i >= 0; --i) {
        QString token = tokens.at(i);
        token.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
        records = Data::Value(Data::Object{{token, std::move(records)}});
    }
    return records;
}

Result<void> tooLarge(const Settings &s, const QString &path)
{
    return makeError("file_too_large", Tr::tr("Writing %1 would pass max_file_size (%2 bytes); nothing was written")
                                           .arg(path)
                                           .arg(s.maxFileSize));
}

// Serializes `records` in the endpoint's format into `out`, stopping at `budget` bytes.
Result<void> serializeRecords(const Settings &s, const WriteRequest &request, QIODevice *out,
                              const Data::Csv::CsvWriteOptions &csv, qint64 budget, const QString &path)
{
    const auto cancelled = [&] { return request.cancel && request.cancel->isCancelled(); };
    const auto cancelError = [&] { return makeError("cancelled", Tr::tr("Writing %1 was cancelled").arg(path)); };
    switch (s.format) {
    case Format::Csv: {
        Data::Csv::CsvWriter writer(out, csv);
        for (const Data::Value &record : request.records) {
            if (cancelled())
                return cancelError();
            if (Result<void> written = writer.write(record); !written)
                return written.error();
            if (out->pos() > budget)
                return tooLarge(s, path);
        }
        return {};
    }
    case Format::NdJson:
    case Format::Json:
        if (s.format == Format::NdJson || s.recordPath.isEmpty()) {
            Data::Json::WriteOptions options;
            options.pretty = s.pretty && s.format == Format::Json;
            Data::JsonStreamWriter writer(out, s.format == Format::NdJson ? Data::JsonStreamWriter::Format::Lines
                                                                          : Data::JsonStreamWriter::Format::Array,
                                          options);
            for (const Data::Value &record : request.records) {
                if (cancelled())
                    return cancelError();
                if (!writer.write(record))
                    return *writer.error();
                if (out->pos() > budget)
                    return tooLarge(s, path);
            }
            if (!writer.finish())
                return *writer.error();
        } else {
            Data::Json::WriteOptions options;
            options.pretty = s.pretty;
            QByteArray text = Data::Json::serialize(
                jsonDocument(s, Data::Value(Data::Array(request.records))), options);
            text.append('\n');
            if (text.size() > budget)
                return tooLarge(s, path);
            if (out->write(text) != text.size())
                return fileError(Tr::tr("Cannot write %1: %2").arg(path, out->errorString()));
        }
        return out->pos() > budget ? tooLarge(s, path) : Result<void>();
    case Format::Xml: {
        Result<Data::Value> document = xmlDocument(s, request.records);
        if (!document)
            return document.error();
        Data::Xml::XmlWriteOptions options;
        options.indent = s.pretty ? 2 : 0;
        Result<QByteArray> text = Data::Xml::write(*document, options);
        if (!text)
            return text.error();
        if (text->size() > budget)
            return tooLarge(s, path);
        if (out->write(*text) != text->size())
            return fileError(Tr::tr("Cannot write %1: %2").arg(path, out->errorString()));
        return {};
    }
    }
    return {};
}

Data::Csv::CsvWriteOptions csvWriteOptions(const Settings &s)
{
    Data::Csv::CsvWriteOptions options;
    options.delimiter = s.delimiter;
    options.header = s.header;
    options.columns = s.columns;
    return options;
}

Result<void> writeNewFile(const Settings &s, const WriteRequest &request, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fileError(Tr::tr("Cannot create %1: %2").arg(path, file.errorString()));
    Result<void> written = serializeRecords(s, request, &file, csvWriteOptions(s), s.maxFileSize, path);
    if (!written) {
        file.cancelWriting();
        Error error = written.error();
        if (error.code != "file_too_large"_L1 && error.code != "cancelled"_L1)
            error.message = Tr::tr("Nothing was written to %1: %2").arg(path, error.message);
        return error;
    }
    // commit() flushes, fsyncs and renames the temporary file over the target.
    if (!file.commit())
        return fileError(Tr::tr("Cannot write %1: %2").arg(path, file.errorString()));
    syncDirectory(QFileInfo(path).absolutePath());
    return {};
}

Result<void> appendToFile(const Settings &s, const WriteRequest &request, const QString &path)
{
    Data::Csv::CsvWriteOptions csv = csvWriteOptions(s);
    QByteArray separator; // a line break, when the file does not end in one
    const qint64 existing = QFileInfo(path).exists() ? QFileInfo(path).size() : 0;
    if (existing > 0) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fileError(Tr::tr("Cannot open %1: %2").arg(path, file.errorString()));
        if (s.format == Format::Csv && s.header) {
            // New lines follow the header the file already has.
            Data::Csv::CsvOptions options;
            options.delimiter = s.delimiter;
            Data::Csv::CsvReader reader(&file, options);
            Result<Data::Value> first = reader.next();
            if (reader.header().isEmpty())
                return first ? fileError(Tr::tr("%1 has no CSV header to append to").arg(path))
                             : inFile(path, first.error());
            csv.columns = reader.header();
            csv.header = false;
            for (size_t i = 0; i < request.records.size(); ++i) {
                for (const auto &[key, value] : request.records[i].toObject()) {
                    if (!csv.columns.contains(key)) {
                        return makeError("csv_unknown_field", Tr::tr("Record %1 has the field \"%2\", which the header "
                                                                     "of %3 does not have; nothing was written")
                                                                  .arg(i + 1)
                                                                  .arg(key, path));
                    }
                }
            }
        }
        if (file.seek(existing - 1)) {
            const QByteArray last = file.read(1);
            if (last != "\n" && last != "\r")
                separator = s.format == Format::Csv ? csv.lineEnding : QByteArray("\n");
        }
    }

    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    buffer.write(separator);
    if (Result<void> written = serializeRecords(s, request, &buffer, csv, s.maxFileSize - existing, path); !written)
        return written.error();
    const QByteArray bytes = buffer.data();

    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
        return fileError(Tr::tr("Cannot open %1 to append: %2").arg(path, file.errorString()));
    const qint64 before = file.size();
    if (before + bytes.size() > s.maxFileSize)
        return tooLarge(s, path);
    bool ok = file.write(bytes) == bytes.size() && file.flush();
    QString failure = ok ? QString() : file.errorString();
#ifdef Q_OS_UNIX
    if (ok && ::fsync(file.handle()) != 0) {
        ok = false;
        failure = qt_error_string(errno);
    }
#endif
    if (!ok) {
        // Leave no partial line behind.
        file.resize(before);
        return fileError(Tr::tr("Cannot append to %1: %2").arg(path, failure));
    }
    if (before == 0)
        syncDirectory(QFileInfo(path).absolutePath());
    return {};
}

} // namespace

// ---- FileConnector -----------------------------------------------------------------------

FileConnector::FileConnector(EndpointSpec endpoint, Settings settings)
    : Connector(std::move(endpoint)), m_settings(std::move(settings))
{
}

QString FileConnector::extension(Format format)
{
    switch (format) {
    case Format::Csv: return u"csv"_s;
    case Format::Json: return u"json"_s;
    case Format::NdJson: return u"ndjson"_s;
    case Format::Xml: return u"xml"_s;
    }
    return {};
}

Capabilities FileConnector::capabilities() const
{
    return Capability::TestConnection | Capability::DiscoverSchema | Capability::Read | Capability::IncrementalRead
           | Capability::Insert;
}

Result<ConnectionTest> FileConnector::testConnection()
{
    QElapsedTimer timer;
    timer.start();
    Result<std::vector<FileEntry>> files = listFiles(m_settings);
    if (!files)
        return files.error();
    const bool writable = QFileInfo(m_settings.folder).isWritable();
    if (!writable && m_settings.afterRead != AfterRead::Keep) {
        return makeError("connection_failed", Tr::tr("The folder %1 is not writable, but after_read needs to move or "
                                                     "delete its files")
                                                  .arg(m_settings.folder));
    }
    ConnectionTest test;
    test.serverInfo = Tr::tr("%n file(s) match \"%1\" in %2", nullptr, int(files->size()))
                          .arg(m_settings.glob, m_settings.folder);
    if (!writable)
        test.serverInfo += Tr::tr(" (read-only: writes will fail)");
    test.latencyMs = timer.elapsed();
    return test;
}

Result<std::vector<Entity>> FileConnector::discover()
{
    Result<std::vector<FileEntry>> files = listFiles(m_settings);
    if (!files)
        return files.error();
    Entity entity;
    entity.name = m_settings.entity;
    entity.capabilities = capabilities();
    if (m_settings.includeFileInfo)
        entity.cursorField = u"_modified"_s;
    Data::SchemaInference inference;
    if (files->empty()) {
        entity.description = Tr::tr("%1 files matching \"%2\" in %3 (none yet: the fields are not known)")
                                 .arg(extension(m_settings.format), m_settings.glob, m_settings.folder);
    } else {
        const FileEntry &first = files->front();
        entity.description = Tr::tr("%1 files matching \"%2\" in %3 (fields from %4)")
                                 .arg(extension(m_settings.format), m_settings.glob, m_settings.folder, first.relative);
        Result<std::unique_ptr<RecordSource>> source = openSource(m_settings, first);
        if (!source)
            return source.error();
        for (int n = 0; n < m_settings.sampleSize; ++n) {
            Result<Data::Value> record = (*source)->next();
            if (!record)
                return inFile(first.path, record.error());
            if (record->isUndefined())
                break;
            if (m_settings.includeFileInfo && record->isObject()) {
                record->mutableObject().insert(u"_file"_s, first.relative);
                record->mutableObject().insert(u"_modified"_s, formatTime(first.modified));
            }
            inference.add(*record);
        }
    }
    entity.schema = inference.result();
    return std::vector<Entity>{std::move(entity)};
}

Result<ReadSummary> FileConnector::read(const ReadRequest &request, const PageSink &sink)
{
    return ReadRun(*this, request, sink).run();
}

Result<WriteSummary> FileConnector::write(const WriteRequest &request)
{
    if (request.mode != WriteMode::Insert) {
        return makeError("unsupported", Tr::tr("The files connector only inserts records (into new files, or appended "
                                               "to one); upsert and delete are not supported"));
    }
    if (!request.entity.isEmpty() && request.entity != m_settings.entity)
        return makeError("unknown_entity",
                         Tr::tr("The files endpoint has one entity, %1, not %2")
                             .arg(m_settings.entity, request.entity));
    if (request.cancel && request.cancel->isCancelled())
        return makeError("cancelled", Tr::tr("Writing to %1 was cancelled").arg(m_settings.folder));
    WriteSummary summary;
    if (request.records.empty())
        return summary;
    const QFileInfo folder(m_settings.folder);
    if (!folder.isDir())
        return makeError("connection_failed", Tr::tr("The folder %1 does not exist").arg(m_settings.folder));

    const QString path = m_settings.folder + u'/' + expandFileName(m_settings);
    Result<void> written = m_settings.writeMode == WriteAppend::Append
                               ? appendToFile(m_settings, request, path)
                               : writeNewFile(m_settings, request, unusedPath(path));
    if (!written)
        return written.error();
    summary.inserted = qint64(request.records.size());
    return summary;
}

Result<std::unique_ptr<Connector>> createFileConnector(const EndpointSpec &endpoint, const ConnectorContext &context)
{
    Result<Settings> settings = readSettings(endpoint, context);
    if (!settings)
        return settings.error();
    return std::unique_ptr<Connector>(std::make_unique<FileConnector>(endpoint, std::move(*settings)));
}

} // namespace Conflux::Connectors
