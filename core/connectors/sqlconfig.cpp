// The SQL connector's configuration: the URL, authentication and settings of an endpoint,
// checked by createSqlConnector().

#include "sqlconnector_p.h"

#include <QDir>
#include <QRegularExpression>
#include <QUrlQuery>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace Internal::Sql;

// --- configuration

namespace {

class ConfigReader
{
public:
    QStringList problems;
    void problem(const QString &pointer, const QString &text)
    {
        problems.append(pointer + u": "_s + text);
    }

    // Connect options "key=value;key": no credentials, nothing that would break libpq's conninfo.
    void options(const QString &text, Driver driver, const QString &pointer, QStringList *out)
    {
        static const QRegularExpression key(u"^[A-Za-z_][A-Za-z0-9_.]*$"_s);
        const QStringList parts = text.split(u';', Qt::SkipEmptyParts);
        for (const QString &raw : parts) {
            const QString part = raw.trimmed();
            if (part.isEmpty())
                continue;
            const QString name = part.section(u'=', 0, 0).trimmed();
            const QString value = part.contains(u'=') ? part.section(u'=', 1).trimmed() : QString();
            static const QStringList secretKeys {u"password"_s, u"pwd"_s, u"passwd"_s,
                                                 u"passfile"_s};
            if (!key.match(name).hasMatch()) {
                problem(pointer, Tr::tr("\"%1\" is not an option name").arg(name));
            } else if (secretKeys.contains(name.toLower())) {
                problem(pointer,
                        Tr::tr("must not carry a password: use \"authentication\" with a secret "
                               "reference"));
            } else if (driver == Driver::MySql
                       && name.compare("CLIENT_FOUND_ROWS"_L1, Qt::CaseInsensitive) == 0) {
                problem(pointer,
                        Tr::tr("CLIENT_FOUND_ROWS would count unchanged rows of an upsert as "
                               "inserted"));
            } else if (driver == Driver::Postgres
                       && (value.contains(u' ') || value.contains(u'\'') || value.contains(u'\\')
                           || value.isEmpty())) {
                problem(pointer,
                        Tr::tr("the value of \"%1\" must be non-empty, without spaces, quotes or "
                               "backslashes")
                            .arg(name));
            } else {
                out->append(value.isEmpty() && !part.contains(u'=') ? name : name + u'=' + value);
            }
        }
    }
};

} // namespace

Result<std::unique_ptr<Connector>> createSqlConnector(const EndpointSpec &endpoint,
                                                      const ConnectorContext &context)
{
    ConfigReader in;
    Settings s;
    s.connectTimeoutSeconds = std::max(1, endpoint.timeoutSeconds);
    if (endpoint.protocol != Protocol::Sql)
        in.problem(u"/protocol"_s, Tr::tr("must be \"sql\" for the SQL connector"));

    const QUrl &url = endpoint.url;
    const QString scheme = url.scheme().toLower();
    QString urlUser = url.userName(QUrl::FullyDecoded);
    if (scheme == "sqlite"_L1) {
        s.driver = Driver::Sqlite;
        const QString path = url.path(QUrl::FullyDecoded);
        if (!url.host().isEmpty())
            in.problem(u"/url"_s,
                       Tr::tr("an SQLite URL names a file (sqlite:relative/path.db or "
                              "sqlite:///absolute/path.db), not a host"));
        else if (path.isEmpty())
            in.problem(u"/url"_s,
                       Tr::tr("names no database file: sqlite:relative/path.db or "
                              "sqlite:///absolute/path.db"));
        else if (path == ":memory:"_L1)
            s.database = path;
        else
            s.database = QDir::cleanPath(
                QDir(context.baseDirectory.isEmpty() ? QDir::currentPath() : context.baseDirectory)
                    .absoluteFilePath(path));
        if (url.hasQuery())
            in.problem(u"/url"_s,
                       Tr::tr("an SQLite URL takes no query; use /configuration/connect_options"));
    } else if (scheme == "postgresql"_L1 || scheme == "postgres"_L1 || scheme == "mysql"_L1
               || scheme == "mariadb"_L1) {
        const bool pg = scheme.startsWith("postgres"_L1);
        s.driver = pg ? Driver::Postgres : Driver::MySql;
        s.host = url.host();
        s.port = url.port(pg ? 5432 : 3306);
        s.database = url.path(QUrl::FullyDecoded).mid(1);
        if (s.host.isEmpty())
            in.problem(u"/url"_s, Tr::tr("names no host: %1://host:port/database").arg(scheme));
        if (s.database.isEmpty() || s.database.contains(u'/'))
            in.problem(u"/url"_s, Tr::tr("names no database: %1://host:port/database").arg(scheme));
        if (url.hasQuery()) {
            if (!pg) {
                in.problem(
                    u"/url"_s,
                    Tr::tr("a MySQL URL takes no query; use /configuration/connect_options"));
            } else {
                QStringList parts;
                for (const auto &[k, v] : QUrlQuery(url).queryItems(QUrl::FullyDecoded))
                    parts << k + u'=' + v;
                in.options(parts.join(u';'), s.driver, u"/url"_s, &s.connectOptions);
            }
        }
    } else if (scheme == "odbc"_L1) {
        s.driver = Driver::Odbc;
        s.database = url.path(QUrl::FullyDecoded); // everything after "odbc:"
        urlUser.clear();
        static const QRegularExpression pwd(u"(^|;)\\s*pwd\\s*="_s,
                                            QRegularExpression::CaseInsensitiveOption);
        if (s.database.isEmpty())
            in.problem(u"/url"_s,
                       Tr::tr("names no data source: odbc:DSN=name or odbc:DRIVER=...;SERVER=..."));
        else if (pwd.match(s.database).hasMatch())
            in.problem(
                u"/url"_s,
                Tr::tr("must not carry a password (PWD=): use \"authentication\" with a secret "
                       "reference"));
        if (url.hasQuery())
            in.problem(u"/url"_s, Tr::tr("an ODBC connection string cannot hold \"?\""));
    } else {
        in.problem(
            u"/url"_s,
            Tr::tr("needs a sqlite:, postgresql://, mysql://, mariadb:// or odbc: URL, not \"%1\"")
                .arg(url.toDisplayString(QUrl::RemoveUserInfo)));
    }

    s.user = urlUser;
    const ClientAuthentication &auth = endpoint.authentication;
    switch (auth.type) {
    case ClientAuthentication::Type::None:
        break;
    case ClientAuthentication::Type::Basic:
        if (s.driver == Driver::Sqlite) {
            in.problem(u"/authentication"_s,
                       Tr::tr("SQLite has no logins: remove \"authentication\""));
            break;
        }
        if (!urlUser.isEmpty() && !auth.username.isEmpty() && urlUser != auth.username)
            in.problem(
                u"/authentication/username"_s,
                Tr::tr("\"%1\" differs from the user \"%2\" in /url").arg(auth.username, urlUser));
        if (!auth.username.isEmpty())
            s.user = auth.username;
        s.passwordSecret = auth.secret;
        break;
    default:
        in.problem(u"/authentication/type"_s,
                   Tr::tr("a sql endpoint supports \"none\" or \"basic\""));
        break;
    }

    static const QStringList known {u"schema"_s,
                                    u"batch_size"_s,
                                    u"tables"_s,
                                    u"connect_options"_s,
                                    u"query_timeout_seconds"_s,
                                    u"timeout_seconds"_s,
                                    u"retry_attempts"_s,
                                    u"odbc_driver"_s};
    const Data::Object &config = endpoint.configuration;
    for (const auto &[key, value] : config) {
        if (!key.startsWith("x-"_L1) && !known.contains(key))
            in.problem(
                u"/configuration/"_s + escapePointer(key),
                Tr::tr("unknown setting (the sql connector knows %1)").arg(known.join(u", "_s)));
    }
    if (const Data::Value *schema = config.find(u"schema")) {
        if (!schema->isString() || schema->toString().isEmpty() || schema->toString().size() > 128)
            in.problem(u"/configuration/schema"_s,
                       Tr::tr("must be a non-empty string of at most 128 characters"));
        else if (s.driver == Driver::Sqlite && schema->toString() != "main"_L1)
            in.problem(u"/configuration/schema"_s, Tr::tr("SQLite has no schemas (only \"main\")"));
        else if (s.driver == Driver::Odbc)
            in.problem(u"/configuration/schema"_s,
                       Tr::tr("is not supported over ODBC: choose it in the data source"));
        else
            s.schema = schema->toString();
    }
    if (s.schema.isEmpty())
        s.schema = s.driver == Driver::Postgres ? u"public"_s
            : s.driver == Driver::MySql         ? s.database
                                                : u"main"_s;
    // A URL cannot hold the braces and spaces of "DRIVER={PostgreSQL Unicode}" unencoded: the
    // driver of a DSN-less ODBC connection may be named here instead.
    if (const Data::Value *driver = config.find(u"odbc_driver")) {
        static const QRegularExpression driverKey(u"(^|;)\\s*(driver|dsn|filedsn)\\s*="_s,
                                                  QRegularExpression::CaseInsensitiveOption);
        const QString name = driver->isString() ? driver->toString().trimmed() : QString();
        if (s.driver != Driver::Odbc)
            in.problem(u"/configuration/odbc_driver"_s, Tr::tr("is for odbc: URLs only"));
        else if (name.isEmpty() || name.size() > 256 || name.contains(u'{') || name.contains(u'}')
                 || name.contains(u';') || name.contains(u'='))
            in.problem(u"/configuration/odbc_driver"_s,
                       Tr::tr("must be the name of an installed ODBC driver (as odbcinst -q -d "
                              "lists it), without braces, \";\" or \"=\""));
        else if (driverKey.match(s.database).hasMatch())
            in.problem(u"/configuration/odbc_driver"_s,
                       Tr::tr("the URL names the driver or data source already (DRIVER=, DSN=)"));
        else
            s.database = u"DRIVER={%1};"_s.arg(name) + s.database;
    }
    if (const Data::Value *batch = config.find(u"batch_size")) {
        const double n = batch->toDouble();
        if (!batch->isNumber() || n != std::trunc(n) || n < 1 || n > 100000)
            in.problem(u"/configuration/batch_size"_s,
                       Tr::tr("must be a whole number from 1 to 100000"));
        else
            s.batchSize = int(n);
    }
    if (const Data::Value *tables = config.find(u"tables")) {
        if (!tables->isArray()) {
            in.problem(u"/configuration/tables"_s, Tr::tr("must be an array of table names"));
        } else {
            for (qsizetype i = 0; i < tables->size(); ++i) {
                const Data::Value &name = tables->at(i);
                if (!name.isString() || name.toString().isEmpty())
                    in.problem(u"/configuration/tables/%1"_s.arg(i),
                               Tr::tr("must be a non-empty table name"));
                else if (s.tables.contains(name.toString()))
                    in.problem(u"/configuration/tables/%1"_s.arg(i),
                               Tr::tr("\"%1\" is listed twice").arg(name.toString()));
                else
                    s.tables.append(name.toString());
            }
        }
    }
    if (const Data::Value *options = config.find(u"connect_options")) {
        if (!options->isString())
            in.problem(u"/configuration/connect_options"_s,
                       Tr::tr("must be a string of key=value pairs separated by \";\""));
        else
            in.options(options->toString(), s.driver, u"/configuration/connect_options"_s,
                       &s.connectOptions);
    }
    if (const Data::Value *timeout = config.find(u"query_timeout_seconds")) {
        const double seconds = timeout->toDouble();
        if (!timeout->isNumber() || seconds <= 0 || seconds > 86400)
            in.problem(u"/configuration/query_timeout_seconds"_s,
                       Tr::tr("must be a number of seconds, more than 0 "
                              "and at most 86400"));
        else if (s.driver == Driver::Sqlite || s.driver == Driver::Odbc)
            in.problem(u"/configuration/query_timeout_seconds"_s,
                       Tr::tr("is supported for PostgreSQL, MySQL and MariaDB only"));
        else
            s.queryTimeoutMs = std::max(1, int(std::lround(seconds * 1000)));
    }

    const QString name = endpoint.id.isEmpty() ? Tr::tr("the endpoint")
                                               : Tr::tr("endpoint \"%1\"").arg(endpoint.id);
    if (!in.problems.isEmpty())
        return makeError("invalid_endpoint", Tr::tr("%1 is not a valid sql endpoint").arg(name),
                         in.problems);
    const DriverInfo &info = driverInfo(s.driver);
    if (!QSqlDatabase::isDriverAvailable(QLatin1StringView(info.qtName))) {
        return makeError(
            "driver_unavailable",
            Tr::tr("%1: the Qt SQL driver %2 for %3 is not installed (apt-get install %4)")
                .arg(name, QLatin1StringView(info.qtName), QLatin1StringView(info.label),
                     QLatin1StringView(info.package)));
    }

    auto d = std::make_unique<SqlConnector::Private>();
    d->s = std::move(s);
    d->context = context;
    d->endpointId = endpoint.id;
    return std::unique_ptr<Connector>(new SqlConnector(endpoint, std::move(d)));
}

} // namespace Conflux::Connectors
