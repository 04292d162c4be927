#include "bundle.h"

#include "jsontext.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Conflux::Model::Bundle {
namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Model::Bundle)
};
} // namespace

QByteArray make(const ProjectFiles &files)
{
    QJsonObject content;
    for (auto it = files.begin(); it != files.end(); ++it) {
        const QJsonDocument doc = QJsonDocument::fromJson(it.value());
        if (doc.isObject())
            content.insert(it.key(), doc.object());
        else
            content.insert(it.key(), QString::fromUtf8(it.value()));
    }
    QJsonObject bundle;
    bundle.insert(u"kind"_s, u"ProjectBundle"_s);
    bundle.insert(u"schemaVersion"_s, 1);
    bundle.insert(u"files"_s, content);
    return canonicalJson(bundle);
}

Result<ProjectFiles> read(const QByteArray &bytes, qint64 maxBytes)
{
    if (bytes.size() > maxBytes) {
        return makeError("bundle_too_large",
                         Tr::tr("the bundle is %1 bytes; the limit is %2").arg(bytes.size()).arg(maxBytes));
    }
    const ParsedDocument parsed = parseDocument(u"bundle"_s, bytes);
    if (!parsed.errors.isEmpty())
        return makeError("bundle_invalid", Tr::tr("the bundle is not valid JSON"), toStrings(parsed.errors));
    const QJsonObject root = parsed.value.toObject();
    if (root.value(u"kind"_s).toString() != u"ProjectBundle") {
        return makeError("bundle_invalid", Tr::tr("the bundle must have \"kind\": \"ProjectBundle\""));
    }
    if (root.value(u"schemaVersion"_s).toInt() != 1) {
        return makeError("bundle_invalid",
                         Tr::tr("bundle schemaVersion %1 is not supported (this Conflux reads 1)")
                             .arg(root.value(u"schemaVersion"_s).toVariant().toString()));
    }
    if (!root.value(u"files"_s).isObject())
        return makeError("bundle_invalid", Tr::tr("the bundle must have a \"files\" object"));
    ProjectFiles files;
    const QJsonObject content = root.value(u"files"_s).toObject();
    for (auto it = content.begin(); it != content.end(); ++it) {
        if (it.value().isObject())
            files.insert(it.key(), canonicalJson(it.value()));
        else if (it.value().isString())
            files.insert(it.key(), it.value().toString().toUtf8());
        else
            return makeError("bundle_invalid",
                             Tr::tr("files/%1 must be a document or its text").arg(it.key()));
    }
    return files;
}

QByteArray digest(const ProjectFiles &files)
{
    return QCryptographicHash::hash(make(files), QCryptographicHash::Sha256).toHex();
}

} // namespace Conflux::Model::Bundle
