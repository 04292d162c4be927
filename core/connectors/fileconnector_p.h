#pragma once

#include "connectors/fileconnector.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QString>

#include <memory>
#include <vector>

// Internals shared by the parts of the files connector: fileconnector.cpp (listing the folder,
// testConnection(), discover()), fileread.cpp (record sources, read(), after_read),
// filewrite.cpp (write()) and fileconfig.cpp (the configuration).

namespace Conflux::Connectors::Internal::File {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::FileConnector)
};

using Settings = FileConnector::Settings;
using Format = FileConnector::Format;

// A file of the endpoint's folder that matches the glob.
struct FileEntry
{
    QString path;       // absolute
    QString relative;   // to the endpoint's folder
    QDateTime modified; // UTC
    qint64 size = 0;
};

class RecordSource
{
public:
    virtual ~RecordSource() = default;
    // The next record; undefined at the end. Codec errors come without the file name.
    virtual Result<Data::Value> next() = 0;
};

// fileconnector.cpp
QString formatTime(const QDateTime &time);
Error fileError(const QString &message);
// A codec's error with the file it came from in front of its message.
Error inFile(const QString &path, Error error);
Result<std::vector<FileEntry>> listFiles(const Settings &s);
void syncDirectory(const QString &path);
// `path`, or the first of path-1.ext, path-2.ext ... that does not exist yet.
QString unusedPath(const QString &path);

// fileread.cpp
Result<std::unique_ptr<RecordSource>> openSource(const Settings &s, const FileEntry &entry);

} // namespace Conflux::Connectors::Internal::File
