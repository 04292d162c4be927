// The files connector: listing the folder, testConnection() and discover().

#include "fileconnector_p.h"

#include "data/schemainference.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace Conflux::Connectors::Internal::File {

QString formatTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

Error fileError(const QString &message)
{
    return makeError("file_error", message);
}

Error inFile(const QString &path, Error error)
{
    error.message = path + u": "_s + error.message;
    return error;
}

// ---- listing -----------------------------------------------------------------------------

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

// ---- files -------------------------------------------------------------------------------

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

} // namespace Conflux::Connectors::Internal::File

namespace Conflux::Connectors {

using namespace Internal::File;

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
    Capabilities out = Capability::TestConnection | Capability::DiscoverSchema | Capability::Read
                       | Capability::IncrementalRead | Capability::Insert;
    if (m_settings.afterRead != AfterRead::Keep)
        out |= Capability::ConsumingRead; // files are moved or deleted once read
    return out;
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

} // namespace Conflux::Connectors
