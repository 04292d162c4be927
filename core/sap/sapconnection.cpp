#include "sapconnection.h"

#include "tr_p.h"

#include <QRegularExpression>

#include <array>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Sap {

using Internal::Tr;

namespace {

constexpr std::array<std::pair<QLatin1StringView, SapSystemType>, 7> kSystemTypes{{
    {"ERP"_L1, SapSystemType::Erp},
    {"S4HANA"_L1, SapSystemType::S4Hana},
    {"BW"_L1, SapSystemType::Bw},
    {"CRM"_L1, SapSystemType::Crm},
    {"SRM"_L1, SapSystemType::Srm},
    {"PI_PO"_L1, SapSystemType::PiPo},
    {"FIORI"_L1, SapSystemType::Fiori},
}};

constexpr std::array<std::pair<QLatin1StringView, SapConnectionType>, 3> kConnectionTypes{{
    {"soap_rfc"_L1, SapConnectionType::SoapRfc},
    {"odata"_L1, SapConnectionType::OData},
    {"idoc_http"_L1, SapConnectionType::IdocHttp},
}};

bool matches(const QString &text, const char *pattern)
{
    return QRegularExpression(QRegularExpression::anchoredPattern(QLatin1StringView(pattern))).match(text).hasMatch();
}

class Reader
{
public:
    explicit Reader(const Data::Value &document) : m_document(document) { }

    QStringList problems;

    void problem(const QString &pointer, const QString &text) { problems.append(pointer + u": "_s + text); }

    const Data::Value *member(QStringView key) const { return m_document.toObject().find(key); }

    QString string(QStringView key, bool required, const char *pattern = nullptr, const QString &expected = {})
    {
        const QString pointer = u'/' + key.toString();
        const Data::Value *value = member(key);
        if (!value) {
            if (required)
                problem(pointer, Tr::tr("is required"));
            return {};
        }
        if (!value->isString() || value->toString().isEmpty()) {
            problem(pointer, expected.isEmpty() ? Tr::tr("must be a non-empty string") : expected);
            return {};
        }
        if (pattern && !matches(value->toString(), pattern)) {
            problem(pointer, expected.isEmpty() ? Tr::tr("\"%1\" has the wrong form").arg(value->toString())
                                                : Tr::tr("\"%1\": %2").arg(value->toString(), expected));
            return {};
        }
        return value->toString();
    }

    QString secret(const Data::Value *value, const QString &pointer)
    {
        if (value->isString()) {
            problem(pointer, Tr::tr("must be a secret reference such as {\"secret\": \"sap.production.password\"}, "
                                    "never the password itself"));
            return {};
        }
        const Data::Value *name = value->isObject() ? value->toObject().find(u"secret") : nullptr;
        if (!name || !name->isString() || name->toString().isEmpty()) {
            problem(pointer, Tr::tr("must be a secret reference such as {\"secret\": \"sap.production.password\"}"));
            return {};
        }
        return name->toString();
    }

    // An integer in [min, max] at `key`; nullopt when absent or wrong (then a problem).
    std::optional<qint64> integer(QStringView key, qint64 min, qint64 max)
    {
        const Data::Value *value = member(key);
        if (!value)
            return std::nullopt;
        const double number = value->toDouble();
        if (!value->isNumber() || number != std::floor(number) || number < double(min) || number > double(max)) {
            problem(u'/' + key.toString(), Tr::tr("must be a whole number from %1 to %2").arg(min).arg(max));
            return std::nullopt;
        }
        return qint64(number);
    }

private:
    const Data::Value &m_document;
};

// Strips SAP's own service paths: base_url is the ICF root, possibly behind a proxy prefix.
QUrl icfRoot(const QUrl &url)
{
    QString path = url.path();
    const qsizetype sap = path.indexOf(u"/sap/"_s);
    if (sap >= 0)
        path.truncate(sap);
    else if (path.endsWith(u"/sap"_s))
        path.chop(4);
    while (path.endsWith(u'/'))
        path.chop(1);
    QUrl root = url.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment);
    root.setPath(path);
    return root;
}

void readBaseUrl(Reader &in, SapConnection &connection)
{
    const QString text = in.string(u"base_url", true, nullptr, Tr::tr("must be the system's URL, e.g. "
                                                                      "\"https://s4.example.com:44300\""));
    if (text.isEmpty())
        return;
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != "http"_L1 && scheme != "https"_L1) || url.host().isEmpty()) {
        in.problem(u"/base_url"_s, Tr::tr("\"%1\" is not an http:// or https:// URL with a host").arg(text));
        return;
    }
    if (!url.userInfo().isEmpty()) {
        in.problem(u"/base_url"_s, Tr::tr("must not carry a user or password: use \"username\" and \"password\" "
                                          "with a secret reference"));
        return;
    }
    if (url.hasQuery()) {
        in.problem(u"/base_url"_s, Tr::tr("must not have a query: the client is set by \"client\", the logon "
                                          "language by \"language\""));
        return;
    }
    connection.baseUrl = icfRoot(url);
}

void readBasic(Reader &in, SapConnection &connection)
{
    connection.authenticationType = SapAuthentication::Basic;
    connection.authentication.type = Connectors::ClientAuthentication::Type::Basic;
    connection.authentication.username = in.string(u"username", false);
    if (connection.authentication.username.isEmpty() && !in.member(u"username"))
        in.problem(u"/username"_s, Tr::tr("is required for BASIC authentication"));
    if (connection.authentication.username.contains(u':'))
        in.problem(u"/username"_s, Tr::tr("must not contain \":\""));
    if (const Data::Value *password = in.member(u"password"))
        connection.authentication.secret = in.secret(password, u"/password"_s);
    else
        in.problem(u"/password"_s, Tr::tr("is required for BASIC authentication (a secret reference such as "
                                          "{\"secret\": \"sap.production.password\"})"));
}

void readX509(Reader &in, const Data::Object &auth, SapConnection &connection)
{
    connection.authenticationType = SapAuthentication::X509;
    connection.authentication.type = Connectors::ClientAuthentication::Type::None;
    auto file = [&](QStringView key, QString &target) {
        const Data::Value *value = auth.find(key);
        const QString pointer = u"/authentication/"_s + key.toString();
        if (!value)
            in.problem(pointer, Tr::tr("is required for X509 authentication (a PEM file path)"));
        else if (!value->isString() || value->toString().isEmpty())
            in.problem(pointer, Tr::tr("must be a PEM file path"));
        else
            target = value->toString();
    };
    file(u"certificate_file", connection.certificateFile);
    file(u"key_file", connection.keyFile);
    if (const Data::Value *password = auth.find(u"key_password"))
        connection.keyPasswordSecret = in.secret(password, u"/authentication/key_password"_s);
    if (auth.find(u"ca_file"))
        file(u"ca_file", connection.caFile);
}

void readAuthentication(Reader &in, SapConnection &connection)
{
    const Data::Value *auth = in.member(u"authentication");
    if (!auth) {
        readBasic(in, connection);
        return;
    }
    static const QString samlText = Tr::tr("SAML bearer authentication is not supported yet; use BASIC, "
                                           "OAUTH2 (oauth2_client_credentials) or X509");
    if (auth->isString()) {
        const QString name = auth->toString().toUpper();
        if (name == "BASIC"_L1) {
            readBasic(in, connection);
        } else if (name == "OAUTH2"_L1) {
            in.problem(u"/authentication"_s,
                       Tr::tr("OAUTH2 needs its token URL and client: write it as an object "
                              "{\"type\": \"oauth2_client_credentials\", \"token_url\": ..., \"client_id\": ..., "
                              "\"client_secret\": {\"secret\": ...}}"));
        } else if (name == "X509"_L1) {
            in.problem(u"/authentication"_s,
                       Tr::tr("X509 needs the certificate and key: write it as an object {\"type\": \"x509\", "
                              "\"certificate_file\": ..., \"key_file\": ...}"));
        } else if (name.startsWith("SAML"_L1)) {
            in.problem(u"/authentication"_s, samlText);
        } else {
            in.problem(u"/authentication"_s, Tr::tr("unknown authentication \"%1\" (expected BASIC, OAUTH2 or X509)")
                                                 .arg(auth->toString()));
        }
        return;
    }
    if (!auth->isObject()) {
        in.problem(u"/authentication"_s, Tr::tr("must be an object such as {\"type\": \"basic\", ...} or one of "
                                                "\"BASIC\", \"OAUTH2\", \"X509\""));
        return;
    }
    const Data::Object &object = auth->toObject();
    const QString type = object.find(u"type") ? object.find(u"type")->toString().toLower() : QString();
    if (type == "x509"_L1) {
        readX509(in, object, connection);
        return;
    }
    if (type.startsWith("saml"_L1)) {
        in.problem(u"/authentication/type"_s, samlText);
        return;
    }
    // The project's client-authentication object: the connectors read it (same rules, same
    // pointers under /authentication) from an endpoint document built around it.
    Data::Object endpoint{{u"kind"_s, Data::Value(u"Endpoint"_s)},
                          {u"id"_s, Data::Value(u"sap"_s)},
                          {u"name"_s, Data::Value(u"sap"_s)},
                          {u"type"_s, Data::Value(u"api"_s)},
                          {u"url"_s, Data::Value(u"http://sap.invalid"_s)},
                          {u"authentication"_s, *auth}};
    Result<Connectors::EndpointSpec> spec = Connectors::parseEndpoint(Data::Value(std::move(endpoint)));
    if (!spec) {
        for (const QString &detail : spec.error().details)
            in.problems.append(detail);
        return;
    }
    connection.authentication = spec->authentication;
    using Type = Connectors::ClientAuthentication::Type;
    switch (connection.authentication.type) {
    case Type::OAuth2ClientCredentials:
        connection.authenticationType = SapAuthentication::OAuth2;
        break;
    case Type::Basic:
    case Type::Bearer:
    case Type::ApiKey:
    case Type::None:
        connection.authenticationType = SapAuthentication::Basic;
        break;
    }
}

} // namespace

int SapConnection::port() const
{
    return baseUrl.port(baseUrl.scheme() == "https"_L1 ? 443 : 80);
}

QUrl SapConnection::serviceUrl(const QString &path) const
{
    QUrl url = baseUrl;
    url.setPath(baseUrl.path() + path);
    return url;
}

QString SapConnection::describe() const
{
    return Tr::tr("SAP system %1 client %2 (%3:%4)").arg(systemId, client, host()).arg(port());
}

QString systemTypeName(SapSystemType type)
{
    for (const auto &[name, value] : kSystemTypes) {
        if (value == type)
            return name;
    }
    return {};
}

QString connectionTypeName(SapConnectionType type)
{
    for (const auto &[name, value] : kConnectionTypes) {
        if (value == type)
            return name;
    }
    return {};
}

Result<SapConnection> parseSapConnection(const Data::Value &document, const QString &source)
{
    const QString where = source.isEmpty() ? Tr::tr("the SAP connection") : source;
    if (!document.isObject())
        return makeError("invalid_sap_connection", Tr::tr("%1 is not a JSON object").arg(where));
    Reader in(document);
    SapConnection connection;
    if (document[u"kind"].toString() != "SapConnection"_L1)
        in.problem(u"/kind"_s, Tr::tr("must be \"SapConnection\""));
    connection.id = in.string(u"id", true, "[a-z0-9][a-z0-9._-]{0,63}",
                              Tr::tr("must be lowercase letters, digits, '.', '_' or '-'"));
    connection.name = in.string(u"name", true);
    if (const Data::Value *description = in.member(u"description"); description && description->isString())
        connection.description = description->toString();
    // The names that the document spells differently.
    if (in.member(u"connection_id"))
        in.problem(u"/connection_id"_s, Tr::tr("is called \"id\" in an SAP connection document"));
    for (const QStringView key : {u"host", u"port"}) {
        if (in.member(key))
            in.problem(u'/' + key.toString(), Tr::tr("host and port are part of \"base_url\" "
                                                     "(\"https://host:port\")"));
    }
    connection.systemId = in.string(u"system_id", true, "[A-Z][A-Z0-9]{2}",
                                    Tr::tr("must be a system id of three capitals or digits, starting "
                                           "with a letter (\"PRD\")"));
    connection.client = in.string(u"client", true, "[0-9]{3}",
                                  Tr::tr("must be a client of three digits as a string (\"100\")"));
    connection.systemNumber = in.string(u"system_number", false, "[0-9]{2}",
                                        Tr::tr("must be an instance number of two digits (\"00\")"));
    connection.language = in.string(u"language", false, "[A-Z]{2}",
                                    Tr::tr("must be a two-letter ISO language code in capitals (\"EN\")"));

    const QString connectionType = in.string(u"connection_type", true);
    if (!connectionType.isEmpty()) {
        bool known = false;
        for (const auto &[name, value] : kConnectionTypes) {
            if (connectionType == name) {
                connection.connectionType = value;
                known = true;
            }
        }
        if (!known) {
            in.problem(u"/connection_type"_s, Tr::tr("unknown connection type \"%1\" (expected soap_rfc, odata or "
                                                     "idoc_http)")
                                                  .arg(connectionType));
        }
    }
    for (const QStringView key : {u"system_type", u"x-system_type"}) {
        const Data::Value *value = in.member(key);
        if (!value)
            continue;
        const QString text = value->toString().toUpper();
        bool known = false;
        for (const auto &[name, type] : kSystemTypes) {
            if (value->isString() && text == name) {
                connection.systemType = type;
                known = true;
            }
        }
        if (!known) {
            in.problem(u'/' + key.toString(), Tr::tr("must be one of ERP, S4HANA, BW, CRM, SRM, PI_PO, FIORI"));
        }
    }

    readBaseUrl(in, connection);
    readAuthentication(in, connection);
    if (connection.authenticationType != SapAuthentication::Basic || in.member(u"authentication")) {
        // username is informative beside another authentication; still a string when given.
        if (connection.authentication.username.isEmpty() && in.member(u"username"))
            connection.authentication.username = in.string(u"username", false);
    }
    if (const Data::Value *timeout = in.member(u"timeout_seconds")) {
        const double seconds = timeout->toDouble();
        if (!timeout->isNumber() || seconds <= 0 || seconds > 3600)
            in.problem(u"/timeout_seconds"_s, Tr::tr("must be a number of seconds, more than 0 and at most 3600"));
        else
            connection.timeoutSeconds = std::max(1, int(std::lround(seconds)));
    }
    if (std::optional<qint64> pool = in.integer(u"pool_size", 1, 256))
        connection.poolSize = int(*pool);

    if (!in.problems.isEmpty()) {
        return makeError("invalid_sap_connection", Tr::tr("%1 is not a valid SAP connection").arg(where),
                         in.problems);
    }
    return connection;
}

} // namespace Conflux::Sap
