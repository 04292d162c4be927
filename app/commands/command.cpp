#include "command.h"

#include "bundlecommand.h"
#include "data/json.h"
#include "endpointcommand.h"
#include "formatcommand.h"
#include "jsonatacommand.h"
#include "mapcommand.h"
#include "runcommand.h"
#include "apikeycommand.h"
#include "runtime/node.h"
#include "store/statestore.h"
#include "synccommand.h"
#include "testcommand.h"
#include "tokencommand.h"
#include "validatecommand.h"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace Conflux::Cli {

const std::vector<std::unique_ptr<Command>> &Command::all()
{
    static const std::vector<std::unique_ptr<Command>> commands = [] {
        std::vector<std::unique_ptr<Command>> list;
        list.push_back(std::make_unique<RunCommand>());
        list.push_back(std::make_unique<ValidateCommand>());
        list.push_back(std::make_unique<FormatCommand>());
        list.push_back(std::make_unique<BundleCommand>());
        list.push_back(std::make_unique<TokenCommand>());
        list.push_back(std::make_unique<ApiKeyCommand>());
        list.push_back(std::make_unique<HashPasswordCommand>());
        list.push_back(std::make_unique<JsonataCommand>());
        list.push_back(std::make_unique<MapCommand>());
        list.push_back(std::make_unique<EndpointCommand>());
        list.push_back(std::make_unique<SyncCommand>());
        list.push_back(std::make_unique<TestCommand>());
        return list;
    }();
    return commands;
}

Command *Command::find(const QString &name)
{
    for (const auto &command : all()) {
        if (command->name() == name)
            return command.get();
    }
    return nullptr;
}

bool Command::parse(QCommandLineParser &parser, const QStringList &arguments, int &exitCode) const
{
    parser.setApplicationDescription(summary());
    const QCommandLineOption help({u"h"_s, u"help"_s}, QCoreApplication::translate("Cli", "Show this help."));
    parser.addOption(help);
    QStringList argv = arguments;
    argv.prepend(u"conflux "_s + name());
    if (!parser.parse(argv)) {
        err() << parser.errorText() << '\n' << QCoreApplication::translate("Cli", "Try `conflux %1 --help`.").arg(name()) << '\n';
        exitCode = 2;
        return false;
    }
    if (parser.isSet(help)) {
        out() << parser.helpText();
        exitCode = 0;
        return false;
    }
    return true;
}

QTextStream &Command::out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &Command::err()
{
    static QTextStream stream(stderr);
    return stream;
}

bool addBinding(const QString &text, Data::Object &bindings, QString &error)
{
    const qsizetype eq = text.indexOf(u'=');
    if (eq <= 0) {
        error = QCoreApplication::translate("Cli", "%1: expected NAME=JSON").arg(text);
        return false;
    }
    Result<Data::Value> value = Data::Json::parse(text.mid(eq + 1).toUtf8());
    if (!value) {
        error = QCoreApplication::translate("Cli", "%1: expected NAME=JSON (%2)").arg(text, value.error().message);
        return false;
    }
    QString name = text.left(eq);
    if (name.startsWith(u'$'))
        name.remove(0, 1);
    bindings.insert(name, std::move(value).value());
    return true;
}

QString defaultDataFolder()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(u"node"_s);
}

std::unique_ptr<Store::StateStore> openNodeStore(const QString &dataFolder, const QString &storeUrl, QTextStream &err)
{
    Runtime::NodeOptions options;
    options.dataFolder = dataFolder;
    options.storeUrl = storeUrl;
    QDir().mkpath(options.dataFolder);
    Result<Store::StoreConfig> config = Runtime::Node::storeConfig(options);
    if (!config) {
        err << config.error().toString() << '\n';
        return nullptr;
    }
    auto stateStore = Store::StateStore::create(*config);
    if (Result<void> opened = stateStore->open(); !opened) {
        err << opened.error().toString() << '\n';
        return nullptr;
    }
    return stateStore;
}

} // namespace Conflux::Cli
