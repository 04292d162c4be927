#include "endpoint.h"

#include <QCoreApplication>

#include <array>
#include <optional>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::Endpoint)
};

template<typename E, size_t N>
std::optional<E> fromName(const std::array<std::pair<QLatin1StringView, E>, N> &names, QStringView text)
{
    for (const auto &[name, value] : names) {
        if (text == name)
            return value;
    }
    return std::nullopt;
}

template<typename E, size_t N>
QString toName(const std::array<std::pair<QLatin1StringView, E>, N> &names, E value)
{
    for (const auto &[name, v] : names) {
        if (v == value)
            return name;
    }
    return {};
}

constexpr std::array<std::pair<QLatin1StringView, EndpointType>, 6> kTypes{{
    {"api"_L1, EndpointType::Api},
    {"database"_L1, EndpointType::Database},
    {"file_system"_L1, EndpointType::FileSystem},
    {"message_queue"_L1, EndpointType::MessageQueue},
    {"webhook"_L1, EndpointType::Webhook},
    {"streaming"_L1, EndpointType::Streaming},
}};

constexpr std::array<std::pair<QLatin1StringView, Protocol>, 10> kProtocols{{
    {"rest"_L1, Protocol::Rest},
    {"soap"_L1, Protocol::Soap},
    {"odata_v2"_L1, Protocol::ODataV2},
    {"odata_v4"_L1, Protocol::ODataV4},
    {"graphql"_L1, Protocol::GraphQL},
    {"sql"_L1, Protocol::Sql},
    {"files"_L1, Protocol::Files},
    {"conflux_broker"_L1, Protocol::ConfluxBroker},
    {"rabbitmq"_L1, Protocol::RabbitMq},
    {"webhook"_L1, Protocol::Webhook},
}};

constexpr std::array<std::pair<QLatin1StringView, ClientAuthentication::Type>, 5> kAuthTypes{{
    {"none"_L1, ClientAuthentication::Type::None},
    {"basic"_L1, ClientAuthentication::Type::Basic},
    {"bearer"_L1, ClientAuthentication::Type::Bearer},
    {"api_key"_L1, ClientAuthentication::Type::ApiKey},
    {"oauth2_client_credentials"_L1, ClientAuthentication::Type::OAuth2ClientCredentials},
}};

// The protocol an endpoint of a type speaks when its document names none.
std::optional<Protocol> defaultProtocol(EndpointType type)
{
    switch (type) {
    case EndpointType::Api: return Protocol::Rest;
    case EndpointType::Database: return Protocol::Sql;
    case EndpointType::FileSystem: return Protocol::Files;
    case EndpointType::MessageQueue: return Protocol::ConfluxBroker;
    case EndpointType::Webhook: return Protocol::Webhook;
    case EndpointType::Streaming: return std::nullopt;
    }
    return std::nullopt;
}

bool protocolFits(EndpointType type, Protocol protocol)
{
    switch (type) {
    case EndpointType::Api:
        return protocol == Protocol::Rest || protocol == Protocol::Soap || protocol == Protocol::ODataV2
               || protocol == Protocol::ODataV4 || protocol == Protocol::GraphQL;
    case EndpointType::Database: return protocol == Protocol::Sql;
    case EndpointType::FileSystem: return protocol == Protocol::Files;
    case EndpointType::MessageQueue:
        return protocol == Protocol::ConfluxBroker || protocol == Protocol::RabbitMq;
    case EndpointType::Webhook: return protocol == Protocol::Webhook || protocol == Protocol::Rest;
    case EndpointType::Streaming:
        return protocol == Protocol::ConfluxBroker || protocol == Protocol::RabbitMq || protocol == Protocol::Rest;
    }
    return false;
}

bool isHttp(Protocol protocol)
{
    switch (protocol) {
    case Protocol::Rest:
    case Protocol::Soap:
    case Protocol::ODataV2:
    case Protocol::ODataV4:
    case Protocol::GraphQL:
    case Protocol::Webhook:
        return true;
    default:
        return false;
    }
}

const Data::Value *member(const Data::Value &object, QStringView key)
{
    return object.toObject().find(key);
}

// RFC 9110 token characters, for header names.
bool isToken(QStringView text)
{
    if (text.isEmpty())
        return false;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        const bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9')
                        || QStringView(u"!#$%&'*+-.^_`|~").contains(c);
        if (!ok)
            return false;
    }
    return true;
}

class Reader
{
public:
    QStringList problems;

    void problem(const QString &pointer, const QString &text) { problems.append(pointer + u": "_s + text); }

    // The string at `key` of `object`; a problem when present but not a non-empty string,
    // or missing while required.
    QString string(const Data::Value &object, QStringView key, const QString &pointer, bool required)
    {
        const Data::Value *value = member(object, key);
        if (!value || value->isUndefined()) {
            if (required)
                problem(pointer, Tr::tr("is required"));
            return {};
        }
        if (!value->isString() || value->toString().isEmpty()) {
            problem(pointer, Tr::tr("must be a non-empty string"));
            return {};
        }
        return value->toString();
    }

    // A secret reference {"secret": "name"}: its name.
    QString secret(const Data::Value &object, QStringView key, const QString &pointer, bool required)
    {
        const Data::Value *value = member(object, key);
        if (!value) {
            if (required)
                problem(pointer, Tr::tr("is required (a secret reference such as {\"secret\": \"name\"})"));
            return {};
        }
        if (value->isString()) {
            problem(pointer, Tr::tr("must be a secret reference such as {\"secret\": \"name\"}, "
                                    "never the secret itself"));
            return {};
        }
        QString name;
        if (const Data::Value *inner = value->isObject() ? value->toObject().find(u"secret") : nullptr)
            name = inner->toString();
        if (name.isEmpty()) {
            problem(pointer, Tr::tr("must be a secret reference such as {\"secret\": \"name\"}"));
            return {};
        }
        return name;
    }

    std::optional<double> number(const Data::Value &object, QStringView key, const QString &pointer)
    {
        const Data::Value *value = member(object, key);
        if (!value)
            return std::nullopt;
        if (!value->isNumber()) {
            problem(pointer, Tr::tr("must be a number"));
            return std::nullopt;
        }
        return value->toDouble();
    }
};

void readAuthentication(Reader &in, const Data::Value &auth, ClientAuthentication &out)
{
    const QString base = u"/authentication"_s;
    if (!auth.isObject()) {
        in.problem(base, Tr::tr("must be an object"));
        return;
    }
    const QString typeName = in.string(auth, u"type", base + u"/type"_s, true);
    if (typeName.isEmpty())
        return;
    const std::optional<ClientAuthentication::Type> type = fromName(kAuthTypes, typeName);
    if (!type) {
        in.problem(base + u"/type"_s, Tr::tr("unknown authentication type \"%1\" (expected none, basic, bearer, "
                                             "api_key or oauth2_client_credentials)")
                                          .arg(typeName));
        return;
    }
    out.type = *type;
    switch (*type) {
    case ClientAuthentication::Type::None:
        break;
    case ClientAuthentication::Type::Basic:
        out.username = in.string(auth, u"username", base + u"/username"_s, true);
        if (out.username.contains(u':'))
            in.problem(base + u"/username"_s, Tr::tr("must not contain \":\" (RFC 7617)"));
        out.secret = in.secret(auth, u"password", base + u"/password"_s, true);
        break;
    case ClientAuthentication::Type::Bearer:
        out.secret = in.secret(auth, u"token", base + u"/token"_s, true);
        break;
    case ClientAuthentication::Type::ApiKey: {
        const QString where = in.string(auth, u"in", base + u"/in"_s, true);
        if (!where.isEmpty() && where != "header"_L1 && where != "query"_L1)
            in.problem(base + u"/in"_s, Tr::tr("must be \"header\" or \"query\""));
        out.inQuery = where == "query"_L1;
        out.parameter = in.string(auth, u"parameter", base + u"/parameter"_s, true);
        if (!out.inQuery && !out.parameter.isEmpty() && !isToken(out.parameter))
            in.problem(base + u"/parameter"_s, Tr::tr("\"%1\" is not a valid header name").arg(out.parameter));
        out.secret = in.secret(auth, u"value", base + u"/value"_s, true);
        break;
    }
    case ClientAuthentication::Type::OAuth2ClientCredentials: {
        const QString tokenUrl = in.string(auth, u"token_url", base + u"/token_url"_s, true);
        if (!tokenUrl.isEmpty()) {
            out.tokenUrl = QUrl(tokenUrl, QUrl::StrictMode);
            const QString scheme = out.tokenUrl.scheme();
            if (!out.tokenUrl.isValid() || (scheme != "https"_L1 && scheme != "http"_L1) || out.tokenUrl.host().isEmpty())
                in.problem(base + u"/token_url"_s, Tr::tr("\"%1\" is not an http(s) URL").arg(tokenUrl));
        }
        out.clientId = in.string(auth, u"client_id", base + u"/client_id"_s, true);
        out.secret = in.secret(auth, u"client_secret", base + u"/client_secret"_s, true);
        if (const Data::Value *scopes = member(auth, u"scopes")) {
            if (!scopes->isArray()) {
                in.problem(base + u"/scopes"_s, Tr::tr("must be an array of strings"));
            } else {
                for (qsizetype i = 0; i < scopes->size(); ++i) {
                    const Data::Value &scope = scopes->at(i);
                    if (!scope.isString() || scope.toString().isEmpty() || scope.toString().contains(u' '))
                        in.problem(base + u"/scopes/%1"_s.arg(i), Tr::tr("must be a scope name without spaces"));
                    else
                        out.scopes.append(scope.toString());
                }
            }
        }
        if (const Data::Value *audience = member(auth, u"audience"); audience && audience->isString())
            out.audience = audience->toString();
        break;
    }
    }
}

void readUrl(Reader &in, const QString &text, EndpointSpec &spec)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid()) {
        in.problem(u"/url"_s, Tr::tr("\"%1\" is not a valid URL: %2").arg(text, url.errorString()));
        return;
    }
    const QString scheme = url.scheme().toLower();
    if (isHttp(spec.protocol)) {
        if ((scheme != "http"_L1 && scheme != "https"_L1) || url.host().isEmpty()) {
            in.problem(u"/url"_s, Tr::tr("a %1 endpoint needs an http:// or https:// URL with a host, not \"%2\"")
                                      .arg(protocolName(spec.protocol), text));
            return;
        }
        if (!url.userInfo().isEmpty()) {
            in.problem(u"/url"_s, Tr::tr("must not carry a user or password: use \"authentication\" "
                                         "with a secret reference"));
            return;
        }
    } else if (spec.protocol == Protocol::Sql) {
        static const QStringList schemes{u"postgresql"_s, u"postgres"_s, u"mysql"_s, u"mariadb"_s, u"sqlite"_s,
                                         u"odbc"_s};
        if (!schemes.contains(scheme)) {
            in.problem(u"/url"_s, Tr::tr("a sql endpoint needs a postgresql://, mysql://, mariadb://, sqlite: or "
                                         "odbc: URL, not \"%1\"")
                                      .arg(text));
            return;
        }
        if (!url.password().isEmpty()) {
            in.problem(u"/url"_s, Tr::tr("must not carry a password: use \"authentication\" with a secret reference"));
            return;
        }
    } else if (spec.protocol == Protocol::Files) {
        if (scheme != "file"_L1 || url.path().isEmpty()) {
            in.problem(u"/url"_s, Tr::tr("a files endpoint needs a file:///absolute/folder URL, not \"%1\"").arg(text));
            return;
        }
    } else if (spec.protocol == Protocol::RabbitMq) {
        if (scheme != "amqp"_L1 && scheme != "amqps"_L1) {
            in.problem(u"/url"_s, Tr::tr("a rabbitmq endpoint needs an amqp:// or amqps:// URL, not \"%1\"").arg(text));
            return;
        }
    }
    spec.url = url;
}

} // namespace

QString endpointTypeName(EndpointType type)
{
    return toName(kTypes, type);
}

QString protocolName(Protocol protocol)
{
    return toName(kProtocols, protocol);
}

Result<EndpointSpec> parseEndpoint(const Data::Value &document, const QString &source)
{
    Reader in;
    EndpointSpec spec;
    const QString where = source.isEmpty() ? Tr::tr("the endpoint") : source;
    if (!document.isObject()) {
        return makeError("invalid_endpoint", Tr::tr("%1 is not a JSON object").arg(where));
    }
    if (document[u"kind"].toString() != "Endpoint"_L1)
        in.problem(u"/kind"_s, Tr::tr("must be \"Endpoint\""));
    spec.id = in.string(document, u"id", u"/id"_s, true);
    spec.name = in.string(document, u"name", u"/name"_s, true);

    const QString typeName = in.string(document, u"type", u"/type"_s, true);
    std::optional<EndpointType> type;
    if (!typeName.isEmpty()) {
        type = fromName(kTypes, typeName);
        if (!type) {
            in.problem(u"/type"_s, Tr::tr("unknown type \"%1\" (expected api, database, file_system, message_queue, "
                                          "webhook or streaming)")
                                       .arg(typeName));
        }
    }
    if (type) {
        spec.type = *type;
        std::optional<Protocol> protocol;
        if (member(document, u"protocol")) {
            const QString protocolText = in.string(document, u"protocol", u"/protocol"_s, false);
            if (!protocolText.isEmpty()) {
                protocol = fromName(kProtocols, protocolText);
                if (!protocol)
                    in.problem(u"/protocol"_s, Tr::tr("unknown protocol \"%1\"").arg(protocolText));
                else if (!protocolFits(*type, *protocol))
                    in.problem(u"/protocol"_s, Tr::tr("a %1 endpoint cannot speak %2").arg(typeName, protocolText));
            }
        } else {
            protocol = defaultProtocol(*type);
            if (!protocol)
                in.problem(u"/protocol"_s, Tr::tr("is required for a %1 endpoint").arg(typeName));
        }
        if (protocol)
            spec.protocol = *protocol;

        // A catalog endpoint's definition has its base URL (`url` may override it).
        const Data::Value *configuration = member(document, u"configuration");
        const bool fromCatalog = protocol && *protocol == Protocol::Rest && configuration && configuration->isObject()
                                 && configuration->toObject().find(u"catalog");
        const bool needsUrl = protocol && *protocol != Protocol::ConfluxBroker && !fromCatalog;
        const QString url = in.string(document, u"url", u"/url"_s, needsUrl);
        if (!url.isEmpty() && protocol)
            readUrl(in, url, spec);
    }

    if (const Data::Value *format = member(document, u"data_format")) {
        static const QStringList formats{u"json"_s, u"ndjson"_s, u"xml"_s, u"csv"_s};
        if (!format->isString() || !formats.contains(format->toString()))
            in.problem(u"/data_format"_s, Tr::tr("must be json, ndjson, xml or csv"));
        else
            spec.dataFormat = format->toString();
    }
    if (const Data::Value *auth = member(document, u"authentication"))
        readAuthentication(in, *auth, spec.authentication);

    if (const Data::Value *headers = member(document, u"headers")) {
        if (!headers->isObject()) {
            in.problem(u"/headers"_s, Tr::tr("must be an object of header names and values"));
        } else {
            for (const auto &[name, value] : headers->toObject()) {
                const QString pointer = u"/headers/"_s + QString(name).replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
                if (!isToken(name)) {
                    in.problem(pointer, Tr::tr("\"%1\" is not a valid header name").arg(name));
                } else if (!value.isString() || value.toString().contains(u'\r') || value.toString().contains(u'\n')) {
                    // Secret header values are resolved by the HTTP client at each request.
                    const Data::Value *secret = value.isObject() ? value.toObject().find(u"secret") : nullptr;
                    if (!secret || !secret->isString() || secret->toString().isEmpty())
                        in.problem(pointer, Tr::tr("must be a string without line breaks, or a secret reference"));
                    else
                        spec.secretHeaders.append({name.toLatin1(), secret->toString()});
                } else {
                    spec.headers.append({name.toLatin1(), value.toString().toUtf8()});
                }
            }
        }
    }

    if (const Data::Value *configuration = member(document, u"configuration")) {
        if (!configuration->isObject()) {
            in.problem(u"/configuration"_s, Tr::tr("must be an object"));
        } else {
            spec.configuration = configuration->toObject();
            if (std::optional<double> timeout = in.number(*configuration, u"timeout_seconds",
                                                          u"/configuration/timeout_seconds"_s)) {
                if (*timeout <= 0 || *timeout > 3600)
                    in.problem(u"/configuration/timeout_seconds"_s, Tr::tr("must be more than 0 and at most 3600"));
                else
                    spec.timeoutSeconds = std::max(1, int(*timeout + 0.5));
            }
            if (std::optional<double> retries = in.number(*configuration, u"retry_attempts",
                                                          u"/configuration/retry_attempts"_s)) {
                if (*retries < 0 || *retries > 20 || *retries != double(qint64(*retries)))
                    in.problem(u"/configuration/retry_attempts"_s, Tr::tr("must be a whole number from 0 to 20"));
                else
                    spec.retryAttempts = int(*retries);
            }
        }
    }

    if (!in.problems.isEmpty()) {
        return makeError("invalid_endpoint", Tr::tr("%1 is not a valid endpoint").arg(where), in.problems);
    }
    return spec;
}

} // namespace Conflux::Connectors
