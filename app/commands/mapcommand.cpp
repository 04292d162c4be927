#include "mapcommand.h"

#include "data/json.h"
#include "mapping/mappingrunner.h"
#include "model/jsontext.h"
#include "model/migration.h"
#include "model/projectloader.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Conflux::Cli {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Cli", text);
}

// The mapping document, validated and migrated to the current schema version, and the
// folder its lookup tables live in (the project's tables/ when it sits in a project).
struct LoadedMapping
{
    Data::Value document;
    QString tablesFolder;
};

Result<LoadedMapping> loadMapping(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError("mapping_unreadable", tr("%1: cannot read: %2").arg(path, file.errorString()));
    const QByteArray text = file.readAll();

    const Model::ProjectLoader loader;
    const QFileInfo info(path);
    // Validated under the name its id asks for: a standalone mapping may be named anything.
    const Model::ParsedDocument parsed = Model::parseDocument(path, text);
    const QString id = parsed.value.toObject().value(u"id"_s).toString();
    const Model::Diagnostics problems =
        loader.validateDocument(u"mappings/%1.json"_s.arg(id.isEmpty() ? info.completeBaseName() : id), text);
    if (!problems.isEmpty()) {
        QStringList lines;
        for (const Model::Diagnostic &d : problems) {
            QString line = d.pointer.isEmpty() ? d.message : d.pointer + u": "_s + d.message;
            if (d.line > 0)
                line += u" (line %1, column %2)"_s.arg(d.line).arg(d.column);
            lines.append(line);
        }
        return makeError("mapping_invalid", tr("%1 is not a valid mapping").arg(path), lines);
    }
    Result<QJsonObject> migrated = Model::MigrationRegistry::builtin().migrate(
        Model::DocumentKind::Mapping, parsed.value.toObject());
    if (!migrated)
        return migrated.error();

    LoadedMapping out;
    out.document = Data::Value::fromQJson(*migrated);
    // mappings/<id>.json inside a project folder: the tables are ../tables.
    QDir project = info.absoluteDir();
    if (project.dirName() == u"mappings" && project.cdUp() && project.exists(u"project.json"_s))
        out.tablesFolder = project.filePath(u"tables"_s);
    return out;
}

QString formatFromExtension(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"ndjson" || suffix == u"jsonl")
        return u"ndjson"_s;
    if (suffix == u"json" || suffix == u"xml" || suffix == u"csv")
        return suffix;
    return QString();
}

} // namespace

QString MapCommand::summary() const
{
    return tr("Map a JSON, NDJSON, XML or CSV input with a mapping document, streaming.");
}

int MapCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"MAPPING"_s, tr("The mapping document (mappings/<id>.json)."));
    parser.addPositionalArgument(u"INPUT"_s, tr("The input file; stdin when absent or \"-\"."), u"[INPUT]"_s);
    const QCommandLineOption output({u"o"_s, u"output"_s}, tr("Write the records to FILE instead of stdout."), u"FILE"_s);
    const QCommandLineOption errors(u"errors"_s, tr("Write rejected records to FILE instead of stderr."), u"FILE"_s);
    const QCommandLineOption format(u"format"_s, tr("The input format: json, ndjson, xml or csv (default: the "
                                                    "mapping's source format, else the file extension)."), u"FORMAT"_s);
    const QCommandLineOption tables(u"tables"_s, tr("The folder of lookup tables (default: the project's tables/)."),
                                    u"DIR"_s);
    const QCommandLineOption variable({u"v"_s, u"var"_s}, tr("Bind $NAME to a JSON value (repeatable)."),
                                      u"NAME=JSON"_s);
    parser.addOptions({output, errors, format, tables, variable});
    int exitCode = 0;
    if (!parse(parser, arguments, exitCode))
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty() || positional.size() > 2) {
        err() << tr("usage: conflux map MAPPING.json [INPUT]") << '\n';
        return 2;
    }

    Result<LoadedMapping> loaded = loadMapping(positional.at(0));
    if (!loaded) {
        err() << loaded.error().message << '\n';
        for (const QString &detail : loaded.error().details)
            err() << u"  "_s << detail << '\n';
        return 1;
    }
    const QString tablesFolder = parser.isSet(tables) ? parser.value(tables) : loaded->tablesFolder;
    Result<Mapping::CompiledMapping> mapping = Mapping::CompiledMapping::compile(
        loaded->document, tablesFolder.isEmpty() ? Mapping::TableLoader() : Mapping::tablesInFolder(tablesFolder));
    if (!mapping) {
        err() << positional.at(0) << u": "_s << mapping.error().message << '\n';
        return 1;
    }

    Data::Object variables;
    for (const QString &binding : parser.values(variable)) {
        QString error;
        if (!addBinding(binding, variables, error)) {
            err() << u"--var "_s << error << '\n';
            return 2;
        }
    }

    const QString inputPath = positional.value(1, u"-"_s);
    QFile input;
    const bool inputOpen = inputPath == u"-" ? input.open(stdin, QIODevice::ReadOnly)
                                             : (input.setFileName(inputPath), input.open(QIODevice::ReadOnly));
    if (!inputOpen) {
        err() << tr("%1: cannot read: %2").arg(inputPath, input.errorString()) << '\n';
        return 1;
    }
    QFile out;
    const bool outputOpen = parser.isSet(output)
        ? (out.setFileName(parser.value(output)), out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        : out.open(stdout, QIODevice::WriteOnly);
    if (!outputOpen) {
        err() << tr("%1: cannot write: %2").arg(out.fileName(), out.errorString()) << '\n';
        return 1;
    }
    QFile rejects;
    const bool rejectsOpen = parser.isSet(errors)
        ? (rejects.setFileName(parser.value(errors)), rejects.open(QIODevice::WriteOnly | QIODevice::Truncate))
        : rejects.open(stderr, QIODevice::WriteOnly);
    if (!rejectsOpen) {
        err() << tr("%1: cannot write: %2").arg(rejects.fileName(), rejects.errorString()) << '\n';
        return 1;
    }

    QString sourceFormat = parser.value(format);
    if (sourceFormat.isEmpty() && (*mapping).source()[u"format"].isUndefined() && inputPath != u"-")
        sourceFormat = formatFromExtension(inputPath);

    const auto onReject = [&rejects](qint64 index, const Data::Value &, const Mapping::MappedRecord &mapped) {
        Data::Array reasons;
        for (const Mapping::FieldViolation &v : mapped.violations) {
            reasons.push_back(Data::Value(Data::Object{{u"field"_s, Data::Value(v.field)},
                                                       {u"rule"_s, Data::Value(v.rule)},
                                                       {u"message"_s, Data::Value(v.message)}}));
        }
        const Data::Value line(Data::Object{{u"record"_s, Data::Value(index)},
                                            {u"errors"_s, Data::Value(std::move(reasons))}});
        QByteArray text = Data::Json::serialize(line);
        text.append('\n');
        rejects.write(text);
    };
    Result<Mapping::MappingRunStats> stats = Mapping::runMapping(*mapping, &input, &out, onReject,
                                                                 variables, sourceFormat);
    out.close();
    rejects.flush();
    if (!stats) {
        err() << (inputPath == u"-" ? u"stdin"_s : inputPath) << u": "_s << stats.error().message << '\n';
        return 1;
    }
    err() << tr("%1: %2 records read, %3 written, %4 rejected")
                 .arg(inputPath == u"-" ? u"stdin"_s : inputPath)
                 .arg(stats->records).arg(stats->written).arg(stats->rejected) << '\n';
    return stats->rejected > 0 ? 3 : 0;
}

} // namespace Conflux::Cli
