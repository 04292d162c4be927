#include "bundlecommand.h"

#include "model/bundle.h"
#include "model/projectloader.h"
#include "model/projectwriter.h"

#include <QCoreApplication>
#include <QFile>

using namespace Qt::StringLiterals;

namespace Conflux::Cli {

QString BundleCommand::summary() const
{
    return QCoreApplication::translate("Cli", "Pack a valid project into a bundle for PUT /api/v1/project.");
}

int BundleCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"DIR"_s, QCoreApplication::translate("Cli", "The project folder."));
    const QCommandLineOption output({u"o"_s, u"output"_s}, QCoreApplication::translate("Cli", "Write to FILE."), u"FILE"_s);
    parser.addOption(output);
    int exitCode = 0;
    if (!parse(parser, arguments, exitCode))
        return exitCode;
    if (parser.positionalArguments().size() != 1) {
        err() << QCoreApplication::translate("Cli", "usage: conflux bundle DIR [-o FILE]") << '\n';
        return 2;
    }
    Model::Diagnostics errors;
    const Model::ProjectFiles files = Model::readProjectFolder(parser.positionalArguments().constFirst(), &errors);
    const Model::LoadResult loaded = Model::ProjectLoader().load(files);
    if (!loaded.isOk()) {
        for (const Model::Diagnostic &d : loaded.errors + errors)
            err() << d.toString() << '\n';
        return 1;
    }
    const QByteArray bundle = Model::Bundle::make(files);
    if (!parser.isSet(output)) {
        QFile stdOut;
        if (!stdOut.open(stdout, QIODevice::WriteOnly) || stdOut.write(bundle) != bundle.size())
            return 1;
        return 0;
    }
    Result<bool> written = Model::writeFileIfChanged(parser.value(output), bundle);
    if (!written) {
        err() << written.error().toString() << '\n';
        return 1;
    }
    return 0;
}

} // namespace Conflux::Cli
