#include "projectwriter.h"

#include "jsontext.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace Conflux::Model {
namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Model::ProjectWriter)
};

bool isSafeRelativePath(const QString &file)
{
    if (file.isEmpty() || QDir::isAbsolutePath(file) || file.contains(u'\\'))
        return false;
    const QStringList parts = file.split(u'/');
    for (const QString &part : parts) {
        if (part.isEmpty() || part == u"." || part == u"..")
            return false;
    }
    return true;
}
} // namespace

Result<bool> writeFileIfChanged(const QString &path, const QByteArray &bytes)
{
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly) && existing.size() == bytes.size() && existing.readAll() == bytes)
        return false;
    existing.close();
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return makeError("write_failed", Tr::tr("cannot create the folder of %1").arg(path));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return makeError("write_failed", Tr::tr("cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

ProjectWriter::ProjectWriter(const QString &projectFolder)
    : m_folder(projectFolder)
{}

Result<bool> ProjectWriter::writeDocument(const QString &file, const QJsonObject &document) const
{
    if (!isSafeRelativePath(file))
        return makeError("invalid_path", Tr::tr("%1 is not a path inside the project").arg(file));
    const Diagnostics secrets = findPlaintextSecrets(file, document);
    if (!secrets.isEmpty()) {
        return makeError("plaintext_secret",
                         Tr::tr("%1 was not saved because it holds a plaintext credential").arg(file),
                         toStrings(secrets));
    }
    return writeFileIfChanged(QDir(m_folder).filePath(file), canonicalJson(document));
}

Result<bool> ProjectWriter::writeText(const QString &file, const QByteArray &text) const
{
    const ParsedDocument parsed = parseDocument(file, text);
    if (!parsed.value.isObject())
        return makeError("invalid_json", Tr::tr("%1 is not a JSON document").arg(file), toStrings(parsed.errors));
    return writeDocument(file, parsed.value.toObject());
}

Result<int> ProjectWriter::writeFiles(const ProjectFiles &files) const
{
    int changed = 0;
    for (auto it = files.begin(); it != files.end(); ++it) {
        Result<bool> written = writeText(it.key(), it.value());
        if (!written)
            return written.error();
        changed += written.value() ? 1 : 0;
    }
    return changed;
}

} // namespace Conflux::Model
