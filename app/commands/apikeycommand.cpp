#include "apikeycommand.h"
#include <QRegularExpression>

#include "runtime/gatewayapi.h"
#include "security/apikeys.h"
#include "security/passwordhash.h"
#include "security/secrets.h"
#include "store/statestore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace Conflux::Cli {

QString ApiKeyCommand::summary() const
{
    return QCoreApplication::translate("Cli", "Create, list, disable or revoke gateway API keys: apikey create|list|revoke|disable|enable.");
}

int ApiKeyCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"action"_s, u"create | list | revoke ID | disable ID | enable ID"_s);
    const QCommandLineOption data(u"data"_s, QCoreApplication::translate("Cli", "The node's data folder."), u"DIR"_s,
                                  defaultDataFolder());
    const QCommandLineOption store(u"store"_s, QCoreApplication::translate("Cli", "A PostgreSQL state store URL."), u"URL"_s);
    const QCommandLineOption credentials(u"credentials"_s, QCoreApplication::translate("Cli", "Folder with one file per secret (for gateway.api_key_pepper)."), u"DIR"_s);
    const QCommandLineOption keyName(u"name"_s, QCoreApplication::translate("Cli", "Who the key is for."), u"NAME"_s);
    const QCommandLineOption scopes(u"scopes"_s, QCoreApplication::translate("Cli", "Comma-separated scopes."), u"LIST"_s);
    const QCommandLineOption roles(u"roles"_s, QCoreApplication::translate("Cli", "Comma-separated roles."), u"LIST"_s);
    const QCommandLineOption rate(u"rate-limit"_s, QCoreApplication::translate("Cli", "The key's own limit: REQUESTS/SECONDS[+BURST], e.g. 100/60."), u"LIMIT"_s);
    const QCommandLineOption cidrs(u"allow"_s, QCoreApplication::translate("Cli", "Comma-separated networks the key may be used from (CIDR)."), u"LIST"_s);
    const QCommandLineOption expires(u"expires"_s, QCoreApplication::translate("Cli", "Expiry, ISO 8601 (e.g. 2027-01-31T00:00:00Z)."), u"TIME"_s);
    parser.addOptions({data, store, credentials, keyName, scopes, roles, rate, cidrs, expires});
    int exitCode = 0;
    if (!parse(parser, arguments, exitCode))
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0);
    const QStringList actions{u"create"_s, u"list"_s, u"revoke"_s, u"disable"_s, u"enable"_s};
    if (!actions.contains(action) || (action != u"create" && action != u"list" && positional.size() != 2)) {
        err() << QCoreApplication::translate("Cli", "usage: conflux apikey create --name NAME | list | revoke ID | disable ID | enable ID [--data DIR]") << '\n';
        return 2;
    }

    const std::unique_ptr<Store::StateStore> stateStore = openNodeStore(parser.value(data), parser.value(store), err());
    if (!stateStore)
        return 1;
    QByteArray pepper;
    if (Result<QString> resolved = Security::nodeSecretResolver(parser.value(credentials))->resolve(u"gateway.api_key_pepper"_s))
        pepper = resolved->toUtf8();
    Security::ApiKeyStore keys(pepper);
    if (Result<void> loaded = Runtime::loadApiKeys(*stateStore, keys); !loaded) {
        err() << loaded.error().toString() << '\n';
        return 1;
    }
    const auto split = [](const QString &text) { return text.split(u',', Qt::SkipEmptyParts); };

    if (action == u"list") {
        for (const Security::ApiKeyRecord &r : keys.records()) {
            out() << r.id << '\t' << r.displayKey() << '\t' << r.name << '\t' << r.scopes.join(u',') << '\t'
                  << (r.disabled ? u"disabled"_s : u"enabled"_s) << '\t'
                  << (r.expiresAt.isValid() ? r.expiresAt.toString(Qt::ISODate) : u"never"_s) << '\n';
        }
        return 0;
    }

    QString audit;
    QString id = positional.value(1);
    if (action == u"create") {
        Security::ApiKeyRecord settings;
        settings.name = parser.value(keyName);
        settings.scopes = split(parser.value(scopes));
        settings.roles = split(parser.value(roles));
        if (parser.isSet(rate)) {
            const QRegularExpression pattern(u"^(\\d+)/(\\d+(?:\\.\\d+)?)(?:\\+(\\d+))?$"_s);
            const QRegularExpressionMatch m = pattern.match(parser.value(rate));
            if (!m.hasMatch()) {
                err() << QCoreApplication::translate("Cli", "--rate-limit must be REQUESTS/SECONDS[+BURST], e.g. 100/60+20") << '\n';
                return 2;
            }
            settings.rateLimit = {m.captured(1).toLongLong(), m.captured(2).toDouble(), m.captured(3).toLongLong()};
        }
        if (parser.isSet(cidrs)) {
            Result<Security::IpAllowList> networks = Security::IpAllowList::parse(split(parser.value(cidrs)));
            if (!networks) {
                err() << networks.error().toString() << '\n';
                return 2;
            }
            settings.allowedNetworks = *networks;
        }
        if (parser.isSet(expires)) {
            settings.expiresAt = QDateTime::fromString(parser.value(expires), Qt::ISODate);
            if (!settings.expiresAt.isValid()) {
                err() << QCoreApplication::translate("Cli", "--expires must be an ISO 8601 date-time") << '\n';
                return 2;
            }
        }
        Result<Security::GeneratedApiKey> generated = keys.generate(settings);
        if (!generated) {
            err() << generated.error().toString() << '\n';
            return 1;
        }
        if (Result<void> saved = Runtime::saveApiKeys(*stateStore, keys); !saved) {
            err() << saved.error().toString() << '\n';
            return 1;
        }
        id = generated->record.id;
        out() << generated->key << '\n';
        out().flush();
        err() << QCoreApplication::translate("Cli", "Created API key %1 (id %2) for \"%3\". It is shown only now; store it safely.")
                     .arg(generated->record.displayKey(), id, settings.name)
              << '\n';
    } else {
        Result<void> changed = action == u"revoke" ? keys.revoke(id) : keys.setDisabled(id, action == u"disable");
        if (changed)
            changed = Runtime::saveApiKeys(*stateStore, keys);
        if (!changed) {
            err() << changed.error().toString() << '\n';
            return 1;
        }
    }
    (void)stateStore->appendAudit({0, {}, u"cli"_s, u"api_key."_s + action,
                                   QString::fromUtf8(QJsonDocument(QJsonObject{{u"id"_s, id}}).toJson(QJsonDocument::Compact))});
    return 0;
}

QString HashPasswordCommand::summary() const
{
    return QCoreApplication::translate("Cli", "Read a password from standard input and print its scrypt hash (for gateway.users).");
}

int HashPasswordCommand::run(const QStringList &arguments)
{
    QCommandLineParser parser;
    int exitCode = 0;
    if (!parse(parser, arguments, exitCode))
        return exitCode;
    QTextStream in(stdin);
    const QString password = in.readLine();
    if (password.isEmpty()) {
        err() << QCoreApplication::translate("Cli", "no password on standard input") << '\n';
        return 2;
    }
    Result<QString> hash = Security::PasswordHasher().hash(password.toUtf8());
    if (!hash) {
        err() << hash.error().toString() << '\n';
        return 1;
    }
    out() << *hash << '\n';
    return 0;
}

} // namespace Conflux::Cli
