#include "validatecommand.h"

#include "model/projectloader.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace Conflux::Cli {

QString ValidateCommand::summary() const
{
    return QCoreApplication::translate("Cli", "Validate a project folder; prints every error as file:pointer: message.");
}

int ValidateCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"DIR"_s, QCoreApplication::translate("Cli", "The project folder."));
    int exitCode = 0;
    if (!parse(parser, arguments, exitCode))
        return exitCode;
    if (parser.positionalArguments().size() != 1) {
        err() << QCoreApplication::translate("Cli", "usage: conflux validate DIR") << '\n';
        return 2;
    }
    const QString folder = parser.positionalArguments().constFirst();
    const Model::LoadResult result = Model::ProjectLoader().loadFolder(folder);
    if (!result.isOk()) {
        for (const Model::Diagnostic &d : result.errors) {
            out() << d.toString();
            if (d.line > 0)
                out() << u" (line %1, column %2)"_s.arg(d.line).arg(d.column);
            out() << '\n';
        }
        out() << QCoreApplication::translate("Cli", "%n error(s) in %1", nullptr, int(result.errors.size())).arg(folder)
              << '\n';
        return 1;
    }
    out() << QCoreApplication::translate("Cli", "%1: valid (%n document(s))", nullptr,
                                         int(result.project->documents().size())).arg(folder) << '\n';
    for (const QString &file : result.migratedFiles)
        out() << QCoreApplication::translate("Cli", "%1: migrated to the current schema version on load; "
                                                    "`conflux format` writes it").arg(file) << '\n';
    return 0;
}

} // namespace Conflux::Cli
