#include "autosave.h"

#include "credentials.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {
namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Ui::AutosaveStore)
};

constexpr QLatin1String indexFileName("index.json");

bool isSafeRelative(const QString &file)
{
    if (file.isEmpty() || QDir::isAbsolutePath(file) || file.contains(u'\\') || file == indexFileName)
        return false;
    const QStringList parts = file.split(u'/');
    for (const QString &part : parts) {
        if (part.isEmpty() || part == u"." || part == u"..")
            return false;
    }
    return true;
}

Result<void> writeAtomically(const QString &path, const QByteArray &bytes)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return makeError("autosave_failed", Tr::tr("cannot create the folder of %1").arg(path));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return makeError("autosave_failed", Tr::tr("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace

AutosaveStore::AutosaveStore(const QString &projectFolder)
    : m_project(QDir::cleanPath(QDir(projectFolder).absolutePath()))
{
    const QByteArray hash = QCryptographicHash::hash(m_project.toUtf8(), QCryptographicHash::Sha1).toHex();
    m_folder = QDir(rootFolder()).filePath(QString::fromLatin1(hash));
}

QString AutosaveStore::rootFolder()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(u"autosave"_s);
}

QJsonObject AutosaveStore::readIndex() const
{
    QFile file(QDir(m_folder).filePath(indexFileName));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

Result<void> AutosaveStore::writeIndex(const QJsonObject &index) const
{
    return writeAtomically(QDir(m_folder).filePath(indexFileName), QJsonDocument(index).toJson());
}

Result<void> AutosaveStore::store(const QString &file, const QByteArray &text)
{
    if (!isSafeRelative(file))
        return makeError("autosave_failed", Tr::tr("%1 is not a path inside the project").arg(file));
    const ScrubbedText scrubbed = scrubCredentials(file, text);
    if (Result<void> written = writeAtomically(QDir(m_folder).filePath(file), scrubbed.text); !written)
        return written;
    QJsonObject index = readIndex();
    index.insert(u"project"_s, m_project);
    QJsonObject files = index.value(u"files"_s).toObject();
    files.insert(file, QJsonObject{{u"savedAt"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                                   {u"credentialsRemoved"_s, scrubbed.credentialsRemoved}});
    index.insert(u"files"_s, files);
    return writeIndex(index);
}

void AutosaveStore::remove(const QString &file)
{
    if (!isSafeRelative(file))
        return;
    QFile::remove(QDir(m_folder).filePath(file));
    QJsonObject index = readIndex();
    QJsonObject files = index.value(u"files"_s).toObject();
    if (!files.contains(file))
        return;
    files.remove(file);
    if (files.isEmpty()) {
        clear();
        return;
    }
    index.insert(u"files"_s, files);
    (void)writeIndex(index);
}

void AutosaveStore::clear()
{
    QDir(m_folder).removeRecursively();
}

QList<AutosaveStore::Entry> AutosaveStore::entries() const
{
    QList<Entry> out;
    const QJsonObject files = readIndex().value(u"files"_s).toObject();
    for (auto it = files.begin(); it != files.end(); ++it) {
        if (!isSafeRelative(it.key()))
            continue;
        QFile file(QDir(m_folder).filePath(it.key()));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QJsonObject meta = it.value().toObject();
        out.append({it.key(), file.readAll(),
                    QDateTime::fromString(meta.value(u"savedAt"_s).toString(), Qt::ISODateWithMs),
                    meta.value(u"credentialsRemoved"_s).toBool()});
    }
    return out;
}

} // namespace Conflux::Ui
