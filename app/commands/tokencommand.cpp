#include "tokencommand.h"

#include "security/tokens.h"
#include "store/statestore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Conflux::Cli {

QString TokenCommand::summary() const
{
    return QCoreApplication::translate("Cli", "Create, list or revoke admin API tokens: token create|list|revoke.");
}

int TokenCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"action"_s, u"create | list | revoke NAME"_s);
    const QCommandLineOption data(u"data"_s, QCoreApplication::translate("Cli", "The node's data folder."), u"DIR"_s,
                                  defaultDataFolder());
    const QCommandLineOption store(u"store"_s, QCoreApplication::translate("Cli", "A PostgreSQL state store URL."), u"URL"_s);
    const QCommandLineOption tokenName(u"name"_s, QCoreApplication::translate("Cli", "Name of the new token."), u"NAME"_s);
    parser.addOptions({data, store, tokenName});
    int exitCode = 0;
    if (!parse(parser, arguments, exitCode))
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0);
    if (action != u"create" && action != u"list" && action != u"revoke") {
        err() << QCoreApplication::translate("Cli", "usage: conflux token create|list|revoke NAME --data DIR") << '\n';
        return 2;
    }

    const std::unique_ptr<Store::StateStore> stateStore = openNodeStore(parser.value(data), parser.value(store), err());
    if (!stateStore)
        return 1;

    if (action == u"create") {
        const QString name = parser.isSet(tokenName)
                                 ? parser.value(tokenName)
                                 : u"token-%1"_s.arg(QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd-HHmmss"_s));
        const QString token = Security::generateToken();
        Result<qint64> added = stateStore->addApiToken(name, QString::fromLatin1(Security::hashToken(token)));
        if (!added) {
            err() << added.error().toString() << '\n';
            return 1;
        }
        (void)stateStore->appendAudit({0, {}, u"cli"_s, u"token.create"_s,
                                       QString::fromUtf8(QJsonDocument(QJsonObject{{u"name"_s, name}}).toJson(QJsonDocument::Compact))});
        out() << token << '\n';
        err() << QCoreApplication::translate("Cli", "Created token \"%1\". It is shown only now; store it safely.").arg(name)
              << '\n';
        return 0;
    }
    if (action == u"list") {
        Result<QList<Store::ApiToken>> tokens = stateStore->apiTokens();
        if (!tokens) {
            err() << tokens.error().toString() << '\n';
            return 1;
        }
        for (const Store::ApiToken &t : std::as_const(*tokens)) {
            out() << t.name << '\t' << t.createdAt.toString(Qt::ISODate) << '\t'
                  << (t.lastUsedAt ? t.lastUsedAt->toString(Qt::ISODate) : u"never"_s) << '\n';
        }
        return 0;
    }
    if (positional.size() != 2) {
        err() << QCoreApplication::translate("Cli", "usage: conflux token revoke NAME --data DIR") << '\n';
        return 2;
    }
    if (Result<void> revoked = stateStore->revokeApiToken(positional.at(1)); !revoked) {
        err() << revoked.error().toString() << '\n';
        return 1;
    }
    (void)stateStore->appendAudit({0, {}, u"cli"_s, u"token.revoke"_s,
                                   QString::fromUtf8(QJsonDocument(QJsonObject{{u"name"_s, positional.at(1)}}).toJson(QJsonDocument::Compact))});
    return 0;
}

} // namespace Conflux::Cli
