#include "endpointcommand.h"

#include "connectors/connector.h"
#include "data/json.h"
#include "model/project.h"
#include "model/projectloader.h"
#include "runtime/projectendpoints.h"
#include "security/secrets.h"

#include <QCoreApplication>
#include <QDir>

using namespace Qt::StringLiterals;

namespace Conflux::Cli {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Cli", text);
}

QString typesOf(const Data::Value &field)
{
    QStringList types;
    for (const Data::Value &type : field[u"types"].toArray())
        types.append(type.toString());
    return types.join(u'|');
}

// One line per field: its path, types and flags, indented by depth.
void printFieldTree(QTextStream &out, const Data::Value &field, int depth)
{
    const QString path = field[u"path"].toString();
    if (!path.isEmpty()) {
        QString line = QString(depth * 2, u' ') + path + u"  "_s + typesOf(field);
        if (field[u"optional"].toBool())
            line += u" optional"_s;
        if (!field[u"format"].toString().isEmpty())
            line += u" ("_s + field[u"format"].toString() + u')';
        out << line << '\n';
    }
    for (const Data::Value &child : field[u"children"].toArray())
        printFieldTree(out, child, path.isEmpty() ? depth : depth + 1);
    if (field[u"items"].isObject())
        printFieldTree(out, field[u"items"], path.isEmpty() ? depth : depth + 1);
}

void printError(QTextStream &err, const QString &id, const Error &error)
{
    err << u"%1: [%2] %3"_s.arg(id, error.code, error.message) << '\n';
    for (const QString &detail : error.details)
        err << u"  "_s << detail << '\n';
}

} // namespace

QString EndpointCommand::summary() const
{
    return tr("List, test, discover or read the endpoints of a project (list | test ID | discover ID | read ID).");
}

int EndpointCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"ACTION"_s, tr("list, test, discover or read."));
    parser.addPositionalArgument(u"ID"_s, tr("The endpoint's id (all but list)."));
    const QCommandLineOption projectOption(u"project"_s, tr("The project folder (default: the current folder)."),
                                           u"DIR"_s, u"."_s);
    const QCommandLineOption credentialsOption(
        u"credentials"_s, tr("A folder of secret files (one file per secret name); the environment's "
                             "CONFLUX_SECRET_<NAME> variables are read either way."),
        u"DIR"_s);
    const QCommandLineOption entityOption(u"entity"_s, tr("discover: only this entity; read: the entity to read."),
                                          u"NAME"_s);
    const QCommandLineOption limitOption(u"limit"_s, tr("read: at most N records."), u"N"_s);
    const QCommandLineOption fieldsOption(u"fields"_s,
                                          tr("read: only these fields (a,b,c)."),
                                          u"LIST"_s);
    const QCommandLineOption treeOption(u"tree"_s, tr("discover: print each entity's field tree."));
    const QCommandLineOption consumeOption(
        u"consume"_s, tr("read: allow a read that takes what it reads (queue messages, files moved after reading)."));
    const QCommandLineOption jsonOption(u"json"_s, tr("Print JSON, as the admin API answers."));
    parser.addOption(projectOption);
    parser.addOption(credentialsOption);
    parser.addOption(entityOption);
    parser.addOption(limitOption);
    parser.addOption(fieldsOption);
    parser.addOption(treeOption);
    parser.addOption(consumeOption);
    parser.addOption(jsonOption);
    int exitCode = 0;
    if (!parse(parser, arguments, exitCode))
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0);
    const bool known = action == u"list" || action == u"test" || action == u"discover" || action == u"read";
    if (!known || (action == u"list" ? positional.size() != 1 : positional.size() != 2)) {
        err() << tr("usage: conflux endpoint list | test ID | discover ID | read ID --entity NAME [--project DIR]")
              << '\n';
        return 2;
    }
    const QString id = positional.value(1);
    const bool json = parser.isSet(jsonOption);

    const QString folder = parser.value(projectOption);
    const Model::LoadResult loaded = Model::ProjectLoader().loadFolder(folder);
    if (!loaded.isOk()) {
        for (const Model::Diagnostic &d : loaded.errors)
            err() << d.toString() << '\n';
        err() << tr("%1 is not a valid project; `conflux validate %1` explains").arg(folder) << '\n';
        return 1;
    }
    const Model::Project &project = *loaded.project;

    Connectors::ConnectorContext context;
    context.secrets = Security::nodeSecretResolver(parser.value(credentialsOption));
    context.baseDirectory = QDir(folder).absolutePath();
    // No node runs here: conflux_broker endpoints need one (the admin API serves them).
    Result<std::unique_ptr<Runtime::ProjectEndpoints>> endpoints = Runtime::ProjectEndpoints::create(nullptr, context);
    if (!endpoints) {
        printError(err(), folder, endpoints.error());
        return 1;
    }

    if (action == u"list") {
        Data::Array list;
        for (const Model::Endpoint &endpoint : project.endpoints) {
            Result<std::unique_ptr<Connectors::Connector>> connector = (*endpoints)->create(project, endpoint.document.id);
            const QStringList capabilities = connector ? Connectors::capabilityNames((*connector)->capabilities())
                                                       : QStringList();
            if (json) {
                Data::Object item;
                item.insert(u"id"_s, Data::Value(endpoint.document.id));
                item.insert(u"name"_s, Data::Value(endpoint.document.name));
                item.insert(u"type"_s, Data::Value(endpoint.type));
                item.insert(u"protocol"_s, Data::Value(endpoint.protocol));
                if (connector) {
                    Data::Array names;
                    for (const QString &name : capabilities)
                        names.emplace_back(name);
                    item.insert(u"capabilities"_s, Data::Value(std::move(names)));
                } else {
                    item.insert(u"error"_s, Runtime::errorToValue(connector.error()));
                }
                list.emplace_back(std::move(item));
                continue;
            }
            out() << endpoint.document.id << u"  "_s << endpoint.protocol << u"  "_s
                  << (connector ? capabilities.join(u',') : u"error: "_s + connector.error().toString()) << '\n';
        }
        if (json) {
            Data::Object document;
            document.insert(u"endpoints"_s, Data::Value(std::move(list)));
            out() << QString::fromUtf8(Data::Json::serialize(Data::Value(std::move(document)))) << '\n';
        }
        return 0;
    }

    Result<std::unique_ptr<Connectors::Connector>> connector = (*endpoints)->create(project, id);
    if (!connector) {
        printError(err(), id, connector.error());
        return 1;
    }

    if (action == u"test") {
        Result<Connectors::ConnectionTest> tested = (*connector)->testConnection();
        if (json) {
            Data::Object document;
            document.insert(u"ok"_s, Data::Value(tested.isOk()));
            if (tested) {
                const Data::Value result = Runtime::connectionTestToValue(*tested);
                for (const auto &[key, value] : result.toObject())
                    document.insert(key, value);
            } else {
                document.insert(u"error"_s, Runtime::errorToValue(tested.error()));
            }
            out() << QString::fromUtf8(Data::Json::serialize(Data::Value(std::move(document)))) << '\n';
            return tested ? 0 : 1;
        }
        if (!tested) {
            printError(err(), id, tested.error());
            return 1;
        }
        out() << tr("%1: connected in %2 ms: %3").arg(id).arg(tested->latencyMs).arg(tested->serverInfo) << '\n';
        return 0;
    }

    if (action == u"discover") {
        Result<std::vector<Connectors::Entity>> found = (*connector)->discover();
        if (!found) {
            printError(err(), id, found.error());
            return 1;
        }
        const QString only = parser.value(entityOption);
        Data::Array list;
        int matched = 0;
        for (const Connectors::Entity &entity : *found) {
            if (!only.isEmpty() && entity.name != only)
                continue;
            ++matched;
            const bool withTree = parser.isSet(treeOption);
            if (json) {
                list.push_back(Runtime::entityToValue(entity, withTree));
                continue;
            }
            out() << entity.name;
            if (!entity.keyFields.isEmpty())
                out() << tr("  key: %1").arg(entity.keyFields.join(u','));
            if (!entity.cursorField.isEmpty())
                out() << tr("  cursor: %1").arg(entity.cursorField);
            out() << u"  "_s << Connectors::capabilityNames(entity.capabilities).join(u',') << '\n';
            if (withTree)
                printFieldTree(out(), entity.schema.toValue(), 1);
        }
        if (!only.isEmpty() && matched == 0) {
            err() << tr("%1: no entity \"%2\"").arg(id, only) << '\n';
            return 1;
        }
        if (json) {
            Data::Object document;
            document.insert(u"entities"_s, Data::Value(std::move(list)));
            out() << QString::fromUtf8(Data::Json::serialize(Data::Value(std::move(document)))) << '\n';
        }
        return 0;
    }

    // read
    Connectors::ReadRequest read;
    read.entity = parser.value(entityOption);
    if (read.entity.isEmpty()) {
        err() << tr("conflux endpoint read needs --entity NAME (`conflux endpoint discover %1` lists them)").arg(id)
              << '\n';
        return 2;
    }
    if (parser.isSet(limitOption)) {
        bool ok = false;
        read.limit = parser.value(limitOption).toLongLong(&ok);
        if (!ok || read.limit < 1) {
            err() << tr("--limit must be a whole number of at least 1") << '\n';
            return 2;
        }
    }
    if (parser.isSet(fieldsOption))
        read.fields = parser.value(fieldsOption).split(u',', Qt::SkipEmptyParts);
    if ((*connector)->capabilities().testFlag(Connectors::Capability::ConsumingRead) && !parser.isSet(consumeOption)) {
        err() << tr("%1: reading takes what it reads (messages are acknowledged, files moved or deleted); add "
                    "--consume to read anyway")
                     .arg(id)
              << '\n';
        return 1;
    }
    QTextStream &stream = out();
    Result<Connectors::ReadSummary> summary = (*connector)->read(read, [&stream](std::vector<Data::Value> &&page) {
        for (const Data::Value &record : page)
            stream << QString::fromUtf8(Data::Json::serialize(record)) << '\n';
        stream.flush();
        return true;
    });
    if (!summary) {
        printError(err(), id, summary.error());
        return 1;
    }
    return 0;
}

} // namespace Conflux::Cli
