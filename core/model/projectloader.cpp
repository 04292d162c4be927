#include "projectloader.h"

#include "jsonschema.h"
#include "jsontext.h"
#include "projectbuild.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QRegularExpression>
#include <QFile>
#include <QFileInfo>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Conflux::Model {
namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Model::ProjectLoader)
};

constexpr qint64 maxDocumentBytes = 16 * 1024 * 1024;

// tables/<name>.csv or tables/<name>.json: lookup data shipped with the project. Their
// content is the mapping engine's to read; the loader checks they exist where referenced.
QString tableName(const QString &file)
{
    static const QRegularExpression pattern(u"^tables/([a-z0-9][a-z0-9._-]{0,63})\\.(csv|json)$"_s);
    const QRegularExpressionMatch match = pattern.match(file);
    return match.hasMatch() ? match.captured(1) : QString();
}

// A lookup rule names a table that is not in the project.
Diagnostics checkLookupTables(const QList<Document> &documents, const QSet<QString> &tables)
{
    Diagnostics out;
    for (const Document &d : documents) {
        if (d.kind != DocumentKind::Mapping)
            continue;
        const QJsonArray rules = d.json.value(u"rules"_s).toArray();
        for (qsizetype i = 0; i < rules.size(); ++i) {
            const QJsonObject rule = rules.at(i).toObject();
            const QString table = rule.value(u"table"_s).toString();
            if (rule.value(u"type"_s).toString() == u"lookup" && !tables.contains(table)) {
                out.append({d.file, u"/rules/%1/table"_s.arg(i),
                            Tr::tr("no table \"%1\" in the project (expected tables/%1.csv or "
                                   "tables/%1.json)").arg(table)});
            }
        }
    }
    return out;
}

// Member names that hold credentials, compared after lower-casing and removing '_' and '-'.
bool isCredentialKey(const QString &key)
{
    static const QSet<QString> names = {
        u"password"_s, u"passwd"_s, u"passphrase"_s, u"secret"_s, u"clientsecret"_s,
        u"apikey"_s, u"token"_s, u"accesstoken"_s, u"refreshtoken"_s, u"bearertoken"_s,
        u"privatekey"_s, u"secretkey"_s, u"sharedsecret"_s, u"secretaccesskey"_s};
    QString normalized = key.toLower();
    normalized.remove(u'_');
    normalized.remove(u'-');
    return names.contains(normalized);
}

// "{{name}}": the request tester's variable, filled in from an environment (where a
// credential is a secret reference) at run time; the document holds no credential.
bool isVariableReference(const QString &text)
{
    static const QRegularExpression pattern(u"^\\{\\{[A-Za-z_][A-Za-z0-9_.-]*\\}\\}$"_s);
    return pattern.match(text).hasMatch();
}

void findSecrets(const QString &file, const QJsonValue &value, const QString &pointer, Diagnostics &out)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        if (secretReference(object))
            return;
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString child = appendPointer(pointer, it.key());
            if (isCredentialKey(it.key()) && it.value().isString() && !it.value().toString().isEmpty()
                && !isVariableReference(it.value().toString())) {
                out.append({file, child,
                            Tr::tr("plaintext credential in \"%1\": secrets are never stored in a "
                                   "project; write {\"secret\": \"<name>\"} and keep the value in "
                                   "the keychain, the environment or a credentials directory")
                                .arg(it.key())});
            } else {
                findSecrets(file, it.value(), child, out);
            }
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            findSecrets(file, array.at(i), appendPointer(pointer, i), out);
    }
}

void locate(Diagnostics &diagnostics, const JsonSourceMap &map)
{
    for (Diagnostic &d : diagnostics) {
        if (d.line == 0) {
            const auto position = map.nearest(d.pointer);
            d.line = position.line;
            d.column = position.column;
        }
    }
}

} // namespace

Diagnostics findPlaintextSecrets(const QString &file, const QJsonObject &document)
{
    Diagnostics out;
    findSecrets(file, document, QString(), out);
    return out;
}

// The per-document pipeline: parse, kind, migrate, schema, secrets, id, inner checks.
struct LoadedDocument
{
    std::optional<Document> document; // set when kind and id are known (for references)
    bool valid = false;
    bool migrated = false;
    Diagnostics errors;
};

class DocumentPipeline
{
public:
    DocumentPipeline(const MigrationRegistry &migrations, const SchemaRegistry &schemas)
        : m_migrations(migrations), m_schemas(schemas)
    {}

    LoadedDocument run(const QString &file, const QByteArray &text) const
    {
        LoadedDocument out;
        if (text.size() > maxDocumentBytes) {
            out.errors.append({file, QString(),
                               Tr::tr("document is %1 bytes; the limit is %2")
                                   .arg(text.size()).arg(maxDocumentBytes)});
            return out;
        }
        ParsedDocument parsed = parseDocument(file, text);
        if (!parsed.value.isObject()) {
            out.errors = parsed.errors;
            return out;
        }
        out.errors = parsed.errors; // duplicate member names
        const QJsonObject object = parsed.value.toObject();

        // Which kind, and may it live here?
        const QString folder = file.contains(u'/') ? file.section(u'/', 0, 0) : QString();
        const QJsonValue kindValue = object.value(u"kind"_s);
        const std::optional<DocumentKind> kind = kindFromName(kindValue.toString());
        if (!kindValue.isString()) {
            out.errors.append({file, u"/kind"_s, Tr::tr("missing \"kind\": every document names its kind")});
        } else if (!kind) {
            out.errors.append({file, u"/kind"_s, Tr::tr("unknown kind \"%1\"").arg(kindValue.toString())});
        } else if (kindInfo(*kind).folder != folder || (folder.isEmpty() && file != QLatin1String(projectFileName))) {
            const KindInfo &info = kindInfo(*kind);
            out.errors.append({file, u"/kind"_s,
                               info.folder.isEmpty()
                                   ? Tr::tr("a %1 document belongs in project.json").arg(info.name)
                                   : Tr::tr("a %1 document belongs in %2/").arg(info.name, info.folder)});
        }
        if (!out.errors.isEmpty() || !kind) {
            locate(out.errors, parsed.sourceMap);
            return out;
        }

        Result<QJsonObject> migrated = m_migrations.migrate(*kind, object);
        if (!migrated) {
            out.errors.append({file, u"/schemaVersion"_s, migrated.error().message});
            locate(out.errors, parsed.sourceMap);
            return out;
        }
        const QJsonObject json = std::move(migrated).value();
        out.migrated = json.value(u"schemaVersion"_s) != object.value(u"schemaVersion"_s);

        Document document{*kind, file, json.value(u"id"_s).toString(), json.value(u"name"_s).toString(),
                          json.value(u"schemaVersion"_s).toInt(), json};
        if (!document.id.isEmpty())
            out.document = document;

        // Plaintext credentials first: their message is clearer than the schema's
        // "expected object" for the same member.
        Diagnostics errors = findPlaintextSecrets(file, json);
        QSet<QString> secretPointers;
        for (const Diagnostic &d : std::as_const(errors))
            secretPointers.insert(d.pointer);
        const QString schemaUri = QLatin1String(schemaUriBase) + kindInfo(*kind).schemaFile;
        const QList<SchemaError> schemaErrors = m_schemas.validate(schemaUri, json);
        for (const SchemaError &e : schemaErrors) {
            if (!secretPointers.contains(e.pointer))
                errors.append({file, e.pointer, e.message});
        }
        if (*kind != DocumentKind::Project && !document.id.isEmpty()) {
            const QString expected = QFileInfo(file).completeBaseName();
            if (expected != document.id) {
                errors.append({file, u"/id"_s,
                               Tr::tr("id \"%1\" does not match the file name; the file must be %2/%1.json")
                                   .arg(document.id, folder)});
            }
        }
        if (errors.isEmpty())
            errors += Internal::checkDocument(document);
        locate(errors, parsed.sourceMap);
        out.errors += errors;
        out.valid = out.errors.isEmpty();
        return out;
    }

private:
    const MigrationRegistry &m_migrations;
    const SchemaRegistry &m_schemas;
};

ProjectLoader::ProjectLoader(const MigrationRegistry &migrations)
    : m_migrations(migrations), m_schemas(std::make_unique<SchemaRegistry>())
{
    const QDir dir(u":/conflux/schemas"_s);
    const QStringList files = dir.entryList({u"*.schema.json"_s}, QDir::Files, QDir::Name);
    for (const QString &name : files) {
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::ReadOnly))
            qFatal("cannot open the built-in schema %s", qPrintable(name));
        const ParsedDocument parsed = parseDocument(name, file.readAll());
        Result<void> added = m_schemas->addSchema(parsed.value, QLatin1String(schemaUriBase) + name);
        if (!parsed.errors.isEmpty() || !added)
            qFatal("the built-in schema %s is invalid", qPrintable(name));
    }
}

ProjectLoader::~ProjectLoader() = default;

Diagnostics ProjectLoader::validateDocument(const QString &file, const QByteArray &text) const
{
    return DocumentPipeline(m_migrations, *m_schemas).run(file, text).errors;
}

LoadResult ProjectLoader::load(const ProjectFiles &files) const
{
    LoadResult result;
    const DocumentPipeline pipeline(m_migrations, *m_schemas);
    QList<Document> documents;
    QHash<DocumentKind, QSet<QString>> presentIds;
    QSet<QString> tables;
    bool allValid = true;
    bool haveProject = false;
    const QStringList folders = projectFolders();

    for (auto it = files.begin(); it != files.end(); ++it) {
        const QString &file = it.key();
        if (file.startsWith(u"tables/"_s)) {
            const QString table = tableName(file);
            if (table.isEmpty()) {
                result.errors.append({file, QString(),
                                      Tr::tr("not a table: tables are tables/<name>.csv or "
                                             "tables/<name>.json, the name in lowercase letters, "
                                             "digits, '.', '_' and '-'")});
                allValid = false;
            } else if (tables.contains(table)) {
                result.errors.append({file, QString(),
                                      Tr::tr("table \"%1\" exists both as .csv and as .json").arg(table)});
                allValid = false;
            }
            tables.insert(table);
            continue;
        }
        const bool inKnownFolder = file.count(u'/') == 1 && folders.contains(file.section(u'/', 0, 0))
                                   && file.endsWith(u".json"_s);
        if (file != QLatin1String(projectFileName) && !inKnownFolder) {
            result.errors.append({file, QString(),
                                  Tr::tr("not a project document: documents are project.json or "
                                         "<folder>/<id>.json in %1")
                                      .arg(folders.join(u", "_s))});
            allValid = false;
            continue;
        }
        haveProject |= file == QLatin1String(projectFileName);
        LoadedDocument loaded = pipeline.run(file, it.value());
        result.errors += loaded.errors;
        allValid &= loaded.valid;
        if (loaded.migrated)
            result.migratedFiles.append(file);
        if (loaded.document) {
            documents.append(*loaded.document);
        } else if (file != QLatin1String(projectFileName)) {
            // The file exists but could not be read as a document: references to it are not
            // also reported as dangling.
            for (DocumentKind kind : kindsInFolder(file.section(u'/', 0, 0)))
                presentIds[kind].insert(QFileInfo(file).completeBaseName());
        }
    }
    if (!haveProject) {
        result.errors.prepend({QLatin1String(projectFileName), QString(),
                               Tr::tr("missing: a project folder must contain project.json")});
        allValid = false;
    }

    Diagnostics references = Internal::checkReferences(documents, presentIds);
    references += checkLookupTables(documents, tables);
    for (const Diagnostic &d : references) {
        Diagnostic located = d;
        const JsonSourceMap map = JsonSourceMap::build(files.value(d.file));
        const auto position = map.nearest(d.pointer);
        located.line = position.line;
        located.column = position.column;
        result.errors.append(located);
    }
    if (!allValid || !result.errors.isEmpty())
        return result;

    auto project = std::make_shared<Project>();
    for (const Document &d : std::as_const(documents))
        Internal::addDocument(*project, d);
    result.project = std::move(project);
    return result;
}

LoadResult ProjectLoader::loadFolder(const QString &folder) const
{
    Diagnostics readErrors;
    const ProjectFiles files = readProjectFolder(folder, &readErrors);
    if (!readErrors.isEmpty()) {
        LoadResult result;
        result.errors = readErrors;
        return result;
    }
    return load(files);
}

ProjectFiles readProjectFolder(const QString &folder, Diagnostics *errors)
{
    ProjectFiles files;
    const QDir dir(folder);
    if (!dir.exists()) {
        errors->append({QString(), QString(), Tr::tr("project folder %1 does not exist").arg(folder)});
        return files;
    }
    auto read = [&](const QString &relative) {
        QFile file(dir.filePath(relative));
        if (file.size() > maxDocumentBytes) {
            errors->append({relative, QString(),
                            Tr::tr("document is %1 bytes; the limit is %2").arg(file.size()).arg(maxDocumentBytes)});
            return;
        }
        if (!file.open(QIODevice::ReadOnly)) {
            errors->append({relative, QString(), Tr::tr("cannot read: %1").arg(file.errorString())});
            return;
        }
        files.insert(relative, file.readAll());
    };
    if (dir.exists(QLatin1String(projectFileName)))
        read(QLatin1String(projectFileName));
    const QStringList folders = projectFolders();
    for (const QString &sub : folders) {
        const QStringList names = QDir(dir.filePath(sub)).entryList({u"*.json"_s}, QDir::Files, QDir::Name);
        for (const QString &name : names)
            read(sub + u'/' + name);
    }
    const QStringList tables = QDir(dir.filePath(u"tables"_s))
                                   .entryList({u"*.csv"_s, u"*.json"_s}, QDir::Files, QDir::Name);
    for (const QString &name : tables)
        read(u"tables/"_s + name);
    return files;
}

} // namespace Conflux::Model
