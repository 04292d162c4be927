#include "formatcommand.h"

#include "model/jsontext.h"
#include "model/projectloader.h"
#include "model/projectwriter.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace Conflux::Cli {

QString FormatCommand::summary() const
{
    return QCoreApplication::translate("Cli", "Rewrite a valid project's documents in canonical form.");
}

int FormatCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"DIR"_s, QCoreApplication::translate("Cli", "The project folder."));
    const QCommandLineOption check(u"check"_s, QCoreApplication::translate("Cli", "Only report files that would change."));
    parser.addOption(check);
    int exitCode = 0;
    if (!parse(parser, arguments, exitCode))
        return exitCode;
    if (parser.positionalArguments().size() != 1) {
        err() << QCoreApplication::translate("Cli", "usage: conflux format DIR [--check]") << '\n';
        return 2;
    }
    const QString folder = parser.positionalArguments().constFirst();
    Model::Diagnostics errors;
    const Model::ProjectFiles files = Model::readProjectFolder(folder, &errors);
    const Model::LoadResult loaded = Model::ProjectLoader().load(files);
    if (!loaded.isOk()) {
        for (const Model::Diagnostic &d : loaded.errors + errors)
            err() << d.toString() << '\n';
        err() << QCoreApplication::translate("Cli", "not formatted: fix the errors first") << '\n';
        return 1;
    }
    int changed = 0;
    const Model::ProjectWriter writer(folder);
    const QList<Model::Document> documents = loaded.project->documents();
    for (const Model::Document &document : documents) {
        if (Model::canonicalJson(document.json) == files.value(document.file))
            continue;
        ++changed;
        out() << document.file << '\n';
        if (parser.isSet(check))
            continue;
        Result<bool> written = writer.writeDocument(document.file, document.json);
        if (!written) {
            err() << written.error().toString() << '\n';
            return 1;
        }
    }
    return parser.isSet(check) && changed > 0 ? 1 : 0;
}

} // namespace Conflux::Cli
