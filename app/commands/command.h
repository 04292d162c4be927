#pragma once

#include "data/value.h"

#include <QCommandLineParser>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <memory>
#include <vector>

namespace Conflux::Store {
class StateStore;
}

namespace Conflux::Cli {

// One CLI verb (`conflux <verb> ...`). run() gets the arguments after the verb and returns
// the process exit code. Commands run with a QCoreApplication: never a window.
class Command
{
public:
    virtual ~Command() = default;
    virtual QString name() const = 0;
    virtual QString summary() const = 0;   // one line for `conflux --help`
    virtual int run(const QStringList &arguments) = 0;

    static const std::vector<std::unique_ptr<Command>> &all();
    static Command *find(const QString &name);

protected:
    // Parses `arguments` (without the verb); prints help/errors itself. Returns false when
    // the command should exit with `exitCode`.
    bool parse(QCommandLineParser &parser, const QStringList &arguments, int &exitCode) const;
    static QTextStream &out();
    static QTextStream &err();
};

// Defaults shared by the verbs.
QString defaultDataFolder();

// Opens a node's state store: SQLite in `dataFolder` (created when missing), or the
// PostgreSQL store at `storeUrl`. Prints the error and returns null when it cannot.
std::unique_ptr<Store::StateStore> openNodeStore(const QString &dataFolder, const QString &storeUrl,
                                                 QTextStream &err);

// Reads `NAME=JSON` (the --bind / --var options) into `bindings`, NAME without a leading
// `$`. Returns false, with `error` saying why, when the text is not of that form.
bool addBinding(const QString &text, Data::Object &bindings, QString &error);

} // namespace Conflux::Cli
