#include "jsonatacommand.h"

#include "data/json.h"
#include "mapping/jsonata.h"

#include <QCoreApplication>
#include <QFile>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace Conflux::Cli {

namespace {

// The expression with a caret under the error position, for a terminal.
QString pointAt(const QString &expression, qint64 offset)
{
    if (offset < 0 || offset > expression.size() || expression.contains(u'\n'))
        return QString();
    return u"  "_s + expression + u"\n  "_s + QString(qsizetype(offset), u' ') + u"^\n"_s;
}

} // namespace

QString JsonataCommand::summary() const
{
    return QCoreApplication::translate("Cli", "Evaluate a JSONata expression against JSON from a file or stdin.");
}

int JsonataCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"EXPR"_s, QCoreApplication::translate("Cli", "The JSONata expression."));
    parser.addPositionalArgument(u"FILE"_s, QCoreApplication::translate("Cli", "JSON input; stdin when absent or \"-\"."),
                                 u"[FILE]"_s);
    const QCommandLineOption pretty(u"pretty"_s, QCoreApplication::translate("Cli", "Indent the result."));
    const QCommandLineOption noInput(u"no-input"_s,
                                     QCoreApplication::translate("Cli", "Evaluate without input (do not read stdin)."));
    const QCommandLineOption bind({u"b"_s, u"bind"_s},
                                  QCoreApplication::translate("Cli", "Bind $NAME to a JSON value (repeatable)."),
                                  u"NAME=JSON"_s);
    parser.addOptions({pretty, noInput, bind});
    int exitCode = 0;
    if (!parse(parser, arguments, exitCode))
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty() || positional.size() > 2) {
        err() << QCoreApplication::translate("Cli", "usage: conflux jsonata EXPR [FILE]") << '\n';
        return 2;
    }
    const QString expression = positional.at(0);

    Result<Mapping::Expression> compiled = Mapping::Expression::compile(expression);
    if (!compiled) {
        const Error &e = compiled.error();
        err() << QCoreApplication::translate("Cli", "error %1 at position %2: %3")
                     .arg(e.code).arg(e.offset).arg(e.message) << '\n' << pointAt(expression, e.offset);
        return 1;
    }

    Data::Object bindings;
    for (const QString &binding : parser.values(bind)) {
        QString error;
        if (!addBinding(binding, bindings, error)) {
            err() << u"--bind "_s << error << '\n';
            return 2;
        }
    }

    Data::Value input;
    if (!parser.isSet(noInput)) {
        const QString path = positional.value(1, u"-"_s);
        QFile file;
        const bool opened = path == u"-" ? file.open(stdin, QIODevice::ReadOnly)
                                         : (file.setFileName(path), file.open(QIODevice::ReadOnly));
        if (!opened) {
            err() << QCoreApplication::translate("Cli", "%1: cannot read: %2").arg(path, file.errorString()) << '\n';
            return 1;
        }
        const QByteArray text = file.readAll();
        if (!text.trimmed().isEmpty()) {
            Result<Data::Value> parsed = Data::Json::parse(text);
            if (!parsed) {
                err() << QCoreApplication::translate("Cli", "%1: %2")
                             .arg(path == u"-" ? u"stdin"_s : path, parsed.error().message) << '\n';
                return 1;
            }
            input = std::move(parsed).value();
        }
    }

    Result<Data::Value> result = compiled->evaluate(input, bindings);
    if (!result) {
        const Error &e = result.error();
        err() << QCoreApplication::translate("Cli", "error %1 at position %2: %3")
                     .arg(e.code).arg(e.offset).arg(e.message) << '\n' << pointAt(expression, e.offset);
        return 1;
    }
    if (!result->isUndefined()) {
        Data::Json::WriteOptions options;
        options.pretty = parser.isSet(pretty);
        QByteArray text = Data::Json::serialize(*result, options);
        text.append('\n');
        std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
        std::fflush(stdout);
    }
    return 0;
}

} // namespace Conflux::Cli
