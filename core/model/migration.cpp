#include "migration.h"

#include <QCoreApplication>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Conflux::Model {
namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Model::Migration)
};
// Mapping 1 → 2: "fields" (source | expression | default) become typed "rules";
// source_format, target_format, record_path and samples move into "source"/"target".
Result<QJsonObject> migrateMappingV1(const QJsonObject &v1)
{
    QJsonObject out = v1;
    QJsonArray rules;
    const QJsonArray fields = v1.value(u"fields"_s).toArray();
    for (const QJsonValue &fieldValue : fields) {
        const QJsonObject field = fieldValue.toObject();
        QJsonObject rule{{u"target"_s, field.value(u"target"_s)}};
        if (field.contains(u"source"_s)) {
            rule.insert(u"type"_s, u"field_mapping"_s);
            rule.insert(u"source"_s, field.value(u"source"_s));
        } else if (field.contains(u"expression"_s)) {
            rule.insert(u"type"_s, u"expression"_s);
            rule.insert(u"expression"_s, field.value(u"expression"_s));
        } else {
            rule.insert(u"type"_s, u"default_value"_s);
            rule.insert(u"value"_s, field.value(u"default"_s));
        }
        if (rule.value(u"type"_s) != u"default_value"_s && field.contains(u"default"_s))
            rule.insert(u"default"_s, field.value(u"default"_s));
        for (const QString &key : {u"required"_s, u"description"_s}) {
            if (field.contains(key))
                rule.insert(key, field.value(key));
        }
        rules.append(rule);
    }
    out.remove(u"fields"_s);
    out.insert(u"rules"_s, rules);

    QJsonObject source;
    QJsonObject target;
    auto move = [&out](const QString &from, QJsonObject &to, const QString &key) {
        if (out.contains(from))
            to.insert(key, out.take(from));
    };
    move(u"source_format"_s, source, u"format"_s);
    move(u"record_path"_s, source, u"record_path"_s);
    move(u"samples"_s, source, u"samples"_s);
    move(u"target_format"_s, target, u"format"_s);
    if (!source.isEmpty())
        out.insert(u"source"_s, source);
    if (!target.isEmpty())
        out.insert(u"target"_s, target);
    return out;
}

} // namespace

MigrationRegistry::MigrationRegistry()
{
    for (const KindInfo &info : documentKinds())
        m_current.insert(info.kind, info.currentSchemaVersion);
}

const MigrationRegistry &MigrationRegistry::builtin()
{
    static const MigrationRegistry registry = [] {
        MigrationRegistry r;
        r.addStep(DocumentKind::Mapping, 1, migrateMappingV1);
        return r;
    }();
    return registry;
}

int MigrationRegistry::currentVersion(DocumentKind kind) const
{
    return m_current.value(kind, 1);
}

void MigrationRegistry::setCurrentVersion(DocumentKind kind, int version)
{
    m_current.insert(kind, version);
}

void MigrationRegistry::addStep(DocumentKind kind, int fromVersion, Step step)
{
    m_steps.insert({kind, fromVersion}, std::move(step));
}

Result<QJsonObject> MigrationRegistry::migrate(DocumentKind kind, const QJsonObject &document) const
{
    const QJsonValue versionValue = document.value(u"schemaVersion"_s);
    const double raw = versionValue.toDouble(-1);
    if (!versionValue.isDouble() || raw < 1 || raw != double(int(raw))) {
        return makeError("schema_invalid_version",
                         Tr::tr("\"schemaVersion\" must be a positive integer"));
    }
    int version = int(raw);
    const int current = currentVersion(kind);
    if (version > current) {
        return makeError("schema_too_new",
                         Tr::tr("schemaVersion %1 is newer than this Conflux understands for %2 "
                                "documents (up to %3); upgrade Conflux to open it")
                             .arg(version).arg(kindInfo(kind).name).arg(current));
    }
    QJsonObject out = document;
    while (version < current) {
        const auto it = m_steps.constFind({kind, version});
        if (it == m_steps.constEnd()) {
            return makeError("migration_missing",
                             Tr::tr("no migration from schemaVersion %1 to %2 for %3 documents")
                                 .arg(version).arg(version + 1).arg(kindInfo(kind).name));
        }
        Result<QJsonObject> next = (*it)(out);
        if (!next)
            return next.error();
        out = std::move(next).value();
        ++version;
        out.insert(u"schemaVersion"_s, version);
    }
    return out;
}

} // namespace Conflux::Model
