#include "projectfiles.h"

#include "model/projectwriter.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Conflux::Ui {
namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Ui::ProjectFiles)
};

QJsonObject header(Model::DocumentKind kind, const QString &id, const QString &name)
{
    const Model::KindInfo &info = Model::kindInfo(kind);
    return {{u"kind"_s, info.name},
            {u"schemaVersion"_s, info.currentSchemaVersion},
            {u"id"_s, id},
            {u"name"_s, name.trimmed().isEmpty() ? id : name.trimmed()}};
}

} // namespace

bool isValidDocumentId(const QString &id)
{
    static const QRegularExpression pattern(u"^[a-z0-9][a-z0-9._-]{0,63}$"_s);
    return pattern.match(id).hasMatch();
}

Result<void> createProjectFolder(const QString &folder, const QString &id, const QString &name)
{
    if (!isValidDocumentId(id))
        return makeError("invalid_id", Tr::tr("\"%1\" is not a valid project id.").arg(id));
    const QDir dir(folder);
    if (dir.exists() && !dir.isEmpty())
        return makeError("exists", Tr::tr("%1 already exists and is not empty.").arg(QDir::toNativeSeparators(folder)));
    if (!QDir().mkpath(folder))
        return makeError("write_failed", Tr::tr("Cannot create %1.").arg(QDir::toNativeSeparators(folder)));
    for (const QString &sub : Model::projectFolders()) {
        if (!dir.mkpath(sub))
            return makeError("write_failed", Tr::tr("Cannot create %1.").arg(QDir::toNativeSeparators(dir.filePath(sub))));
    }
    const Result<bool> written = Model::ProjectWriter(folder).writeDocument(
        QLatin1String(Model::projectFileName), header(Model::DocumentKind::Project, id, name));
    if (!written)
        return written.error();
    return {};
}

Result<QString> createDocumentFile(const QString &projectFolder, Model::DocumentKind kind, const QString &id,
                                   const QString &name)
{
    if (kind == Model::DocumentKind::Project || !isValidDocumentId(id))
        return makeError("invalid_id", Tr::tr("\"%1\" is not a valid document id.").arg(id));
    const QString file = Model::kindInfo(kind).folder + u'/' + id + u".json"_s;
    if (QFileInfo::exists(QDir(projectFolder).filePath(file)))
        return makeError("exists", Tr::tr("%1 already exists.").arg(file));
    const Result<bool> written = Model::ProjectWriter(projectFolder).writeDocument(file, header(kind, id, name));
    if (!written)
        return written.error();
    return file;
}

} // namespace Conflux::Ui
