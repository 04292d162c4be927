// The one executable: the studio by default, the headless node with --no-gui, and the CLI
// verbs. Everything but the studio runs on a QCoreApplication and never creates a window;
// the studio is reached only through studio.h.

#include "base/log.h"
#include "base/version.h"
#include "commands/command.h"
#include "commands/runcommand.h"
#include "studio.h"

#include <QCoreApplication>
#include <QTextStream>

using namespace Qt::StringLiterals;

namespace {

void printHelp()
{
    QTextStream out(stdout);
    out << "Conflux " << Conflux::versionString << " — integration studio and execution engine\n\n"
        << "Usage:\n"
        << "  conflux [PROJECT_DIR]                     open the studio (optionally on a project)\n"
        << "  conflux --no-gui --project DIR [OPTIONS]  run the headless node (see `conflux run --help`)\n"
        << "  conflux <command> [ARGS]\n\n"
        << "Commands:\n";
    for (const auto &command : Conflux::Cli::Command::all())
        out << "  " << command->name().leftJustified(10) << ' ' << command->summary() << '\n';
    out << "\nOptions:\n"
        << "  --help, -h     show this help\n"
        << "  --version, -v  show the version\n"
        << "\nRun `conflux <command> --help` for the options of a command.\n";
}

void setIdentity()
{
    QCoreApplication::setApplicationName(QLatin1String(Conflux::applicationName));
    QCoreApplication::setOrganizationName(QLatin1String(Conflux::organizationName));
    QCoreApplication::setOrganizationDomain(QLatin1String(Conflux::organizationDomain));
    QCoreApplication::setApplicationVersion(QLatin1String(Conflux::versionString));
}

} // namespace

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));

    const QString first = arguments.value(0);
    if (first == u"--help" || first == u"-h" || first == u"help") {
        printHelp();
        return 0;
    }
    if (first == u"--version" || first == u"-v") {
        QTextStream(stdout) << "conflux " << Conflux::versionString << '\n';
        return 0;
    }

    Conflux::Cli::Command *command = Conflux::Cli::Command::find(first);
    if (command || arguments.contains(u"--no-gui"_s)) {
        // No window here, so no GLib main loop either: Qt's own event dispatcher does less work
        // per socket event, which the gateway feels (about a third more requests/s measured).
        if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
            qputenv("QT_NO_GLIB", "1");
        QCoreApplication app(argc, argv);
        setIdentity();
        Conflux::Log::install();
        if (command)
            return command->run(arguments.mid(1));
        return Conflux::Cli::RunCommand().runNode(arguments, true);
    }
    if (first.startsWith(u'-') && first != u"--project" && !first.startsWith(u"-platform") && !first.startsWith(u"--style")) {
        QTextStream(stderr) << "conflux: unknown option " << first << "\nTry `conflux --help`.\n";
        return 2;
    }
    return Conflux::Studio::run(argc, argv, setIdentity);
}
