// The files connector's configuration: the folder, the format and its settings, checked by
// createFileConnector().

#include "fileconnector_p.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <optional>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace Internal::File;

namespace {

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

} // namespace

Result<std::unique_ptr<Connector>> createFileConnector(const EndpointSpec &endpoint, const ConnectorContext &context)
{
    Result<Settings> settings = readSettings(endpoint, context);
    if (!settings)
        return settings.error();
    return std::unique_ptr<Connector>(std::make_unique<FileConnector>(endpoint, std::move(*settings)));
}

} // namespace Conflux::Connectors
