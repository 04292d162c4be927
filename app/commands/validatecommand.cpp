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
            if (d.line > 0 && !d.pointer.isEmpty())
                out() << u" (line %1, column %2)"_s.arg(d.line).arg(d.column);
            out() << '\n';
        }
        const int count = int(result.errors.size());
        out() << (count == 1 ? QCoreApplication::translate("Cli", "1 error in %1").arg(folder)
                             : QCoreApplication::translate("Cli", "%1 errors in %2").arg(count).arg(folder))
              << '\n';
        return 1;
    }
    out() << QCoreApplication::translate("Cli", "%1: valid (%2 documents)")
                 .arg(folder).arg(result.project->documents().size()) << '\n';
    for (const QString &file : result.migratedFiles)
        out() << QCoreApplication::translate("Cli", "%1: migrated to the current schema version on load; "
                                                    "`conflux format` writes it").arg(file) << '\n';
    return 0;
}

} // namespace Conflux::Cli
