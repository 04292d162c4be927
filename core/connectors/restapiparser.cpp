// Reading the catalog vocabulary (docs/formats/connector-catalog.md) into the model: catalog
// definitions (RestApi::fromDefinition) and endpoint configurations
// (RestEndpointConfig::fromEndpoint), and the vocabulary's names of auth types and pagination
// styles.

#include "restapi.h"
#include "restapi_p.h"

#include <QHash>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using Internal::RestApiDetail::Tr;

namespace {

QString child(const QString &pointer, const QString &key)
{
    return pointer + u'/' + Rest::escapePointerToken(key);
}

QString child(const QString &pointer, qsizetype index)
{
    return pointer + u'/' + QString::number(index);
}

const QStringList kProtocols{u"rest"_s, u"graphql"_s, u"odata_v2"_s, u"odata_v4"_s, u"soap"_s, u"sql_rest"_s};

const QList<std::pair<QString, RestAuth::Type>> kAuthTypes{
    {u"none"_s, RestAuth::Type::None},
    {u"basic"_s, RestAuth::Type::Basic},
    {u"bearer"_s, RestAuth::Type::Bearer},
    {u"api_key"_s, RestAuth::Type::ApiKey},
    {u"oauth2_client_credentials"_s, RestAuth::Type::OAuth2ClientCredentials},
    {u"oauth2_refresh_token"_s, RestAuth::Type::OAuth2RefreshToken},
    {u"oauth2_jwt_bearer"_s, RestAuth::Type::OAuth2JwtBearer},
};

const QList<std::pair<QString, RestPagination::Style>> kStyles{
    {u"none"_s, RestPagination::Style::None},
    {u"offset"_s, RestPagination::Style::Offset},
    {u"page"_s, RestPagination::Style::Page},
    {u"cursor"_s, RestPagination::Style::Cursor},
    {u"link_header"_s, RestPagination::Style::LinkHeader},
    {u"next_url"_s, RestPagination::Style::NextUrl},
};

// Reads the catalog vocabulary from Data values, collecting "pointer: message" problems.
class Parser
{
public:
    QStringList problems;
    bool catalog = true; // stricter rules for catalog definitions than for inline endpoints

    void problem(const QString &pointer, const QString &text) { problems.append(pointer + u": "_s + text); }

    const Data::Value *member(const Data::Value &object, QStringView key) { return object.toObject().find(key); }

    QString string(const Data::Value &object, QStringView key, const QString &pointer, bool required,
                   bool allowEmpty = false)
    {
        const Data::Value *value = member(object, key);
        if (!value) {
            if (required)
                problem(pointer, Tr::tr("is required"));
            return {};
        }
        if (!value->isString() || (!allowEmpty && value->toString().isEmpty())) {
            problem(pointer, allowEmpty ? Tr::tr("must be a string") : Tr::tr("must be a non-empty string"));
            return {};
        }
        return value->toString();
    }

    std::optional<QString> pointer(const Data::Value &object, QStringView key, const QString &where, bool required = false)
    {
        const Data::Value *value = member(object, key);
        if (!value) {
            if (required)
                problem(where, Tr::tr("is required (a JSON pointer such as /data)"));
            return std::nullopt;
        }
        if (!value->isString() || !Rest::isPointer(value->toString())) {
            problem(where, Tr::tr("must be a JSON pointer (RFC 6901) such as /data/items, or \"\" for the whole body"));
            return std::nullopt;
        }
        return value->toString();
    }

    bool boolean(const Data::Value &object, QStringView key, const QString &where, bool fallback)
    {
        const Data::Value *value = member(object, key);
        if (!value)
            return fallback;
        if (!value->isBool()) {
            problem(where, Tr::tr("must be true or false"));
            return fallback;
        }
        return value->toBool();
    }

    std::optional<qint64> integer(const Data::Value &object, QStringView key, const QString &where, qint64 min,
                                  qint64 max = std::numeric_limits<int>::max())
    {
        const Data::Value *value = member(object, key);
        if (!value)
            return std::nullopt;
        const double number = value->toDouble();
        if (!value->isNumber() || number != std::floor(number) || number < double(min) || number > double(max)) {
            problem(where, Tr::tr("must be a whole number from %1 to %2").arg(min).arg(max));
            return std::nullopt;
        }
        return qint64(number);
    }

    std::optional<double> positive(const Data::Value &object, QStringView key, const QString &where)
    {
        const Data::Value *value = member(object, key);
        if (!value)
            return std::nullopt;
        if (!value->isNumber() || !(value->toDouble() > 0)) {
            problem(where, Tr::tr("must be a number above 0"));
            return std::nullopt;
        }
        return value->toDouble();
    }

    // An object of templates. Strings always; numbers and booleans when `scalars`; null when
    // `nulls`; a secret reference when `secrets` (configuration.headers), reported apart.
    RestTemplateMap templates(const Data::Value &object, QStringView key, const QString &where, bool scalars,
                              bool nulls = false, QList<std::pair<QString, QString>> *secrets = nullptr)
    {
        RestTemplateMap out;
        const Data::Value *value = member(object, key);
        if (!value)
            return out;
        if (!value->isObject()) {
            problem(where, Tr::tr("must be an object of names and values"));
            return out;
        }
        for (const auto &[name, item] : value->toObject()) {
            const QString at = child(where, name);
            if (name.isEmpty()) {
                problem(at, Tr::tr("an empty name"));
            } else if (item.isString() || (scalars && (item.isNumber() || item.isBool())) || (nulls && item.isNull())) {
                if (item.isString() && (item.toString().contains(u'\r') || item.toString().contains(u'\n')))
                    problem(at, Tr::tr("must not contain line breaks"));
                else
                    out.append({name, item});
            } else if (secrets && item.isObject() && item.toObject().find(u"secret")
                       && item[u"secret"].isString() && !item[u"secret"].toString().isEmpty()) {
                secrets->append({name, item[u"secret"].toString()});
            } else {
                problem(at, scalars ? Tr::tr("must be a string, number or boolean") : Tr::tr("must be a string"));
            }
        }
        return out;
    }

    QStringList strings(const Data::Value &object, QStringView key, const QString &where)
    {
        QStringList out;
        const Data::Value *value = member(object, key);
        if (!value)
            return out;
        if (!value->isArray()) {
            problem(where, Tr::tr("must be an array of strings"));
            return out;
        }
        for (qsizetype i = 0; i < value->size(); ++i) {
            const Data::Value &item = value->at(i);
            if (!item.isString() || item.toString().isEmpty())
                problem(child(where, i), Tr::tr("must be a non-empty string"));
            else
                out.append(item.toString());
        }
        return out;
    }

    void onlyMembers(const Data::Value &object, const QString &where, const QStringList &allowed, const QString &what)
    {
        for (const auto &[name, value] : object.toObject()) {
            if (!allowed.contains(name) && !name.startsWith(u"x-"_s))
                problem(child(where, name), Tr::tr("is not used by %1").arg(what));
        }
    }

    QList<RestParameter> parameters(const Data::Value &list, const QString &where)
    {
        QList<RestParameter> out;
        if (!list.isArray()) {
            problem(where, Tr::tr("must be an array"));
            return out;
        }
        for (qsizetype i = 0; i < list.size(); ++i) {
            const Data::Value &item = list.at(i);
            const QString at = child(where, i);
            RestParameter p;
            p.name = string(item, u"name", at + u"/name"_s, true);
            p.description = string(item, u"description", at + u"/description"_s, catalog);
            p.required = boolean(item, u"required", at + u"/required"_s, false);
            p.secret = boolean(item, u"secret", at + u"/secret"_s, false);
            if (const Data::Value *d = member(item, u"default"))
                p.defaultValue = *d;
            for (const RestParameter &other : out) {
                if (!p.name.isEmpty() && other.name == p.name)
                    problem(at + u"/name"_s, Tr::tr("duplicate parameter \"%1\"").arg(p.name));
            }
            out.append(p);
        }
        return out;
    }

    RestAuth auth(const Data::Value &value, const QString &where)
    {
        RestAuth a;
        if (!value.isObject()) {
            problem(where, Tr::tr("must be an object"));
            return a;
        }
        const QString type = string(value, u"type", where + u"/type"_s, true);
        auto found = std::find_if(kAuthTypes.begin(), kAuthTypes.end(), [&](const auto &e) { return e.first == type; });
        if (found == kAuthTypes.end()) {
            if (!type.isEmpty())
                problem(where + u"/type"_s, Tr::tr("unknown auth type \"%1\"").arg(type));
            return a;
        }
        a.type = found->second;
        const QStringList tokenRequest{u"token_url"_s, u"client_id"_s, u"client_secret"_s, u"client_auth"_s,
                                       u"token_content_type"_s, u"scopes"_s, u"token_params"_s, u"header"_s,
                                       u"prefix"_s};
        QStringList allowed{u"type"_s, u"note"_s};
        auto s = [&](QStringView key, bool required) { return string(value, key, child(where, key.toString()), required); };
        switch (a.type) {
        case RestAuth::Type::None:
        case RestAuth::Type::Endpoint:
            break;
        case RestAuth::Type::Basic:
            allowed << u"username"_s << u"password"_s;
            a.username = s(u"username", true);
            a.password = string(value, u"password", where + u"/password"_s, true, true);
            break;
        case RestAuth::Type::Bearer:
            allowed << u"token"_s << u"header"_s << u"prefix"_s;
            a.token = s(u"token", true);
            break;
        case RestAuth::Type::ApiKey: {
            allowed << u"in"_s << u"name"_s << u"value"_s;
            const QString in = s(u"in", true);
            if (!in.isEmpty() && in != "header"_L1 && in != "query"_L1)
                problem(where + u"/in"_s, Tr::tr("must be \"header\" or \"query\""));
            a.inQuery = in == "query"_L1;
            a.name = s(u"name", true);
            a.value = s(u"value", true);
            break;
        }
        case RestAuth::Type::OAuth2ClientCredentials:
            allowed << tokenRequest << u"grant_type"_s;
            a.clientId = s(u"client_id", true);
            a.clientSecret = s(u"client_secret", true);
            a.grantType = s(u"grant_type", false);
            break;
        case RestAuth::Type::OAuth2RefreshToken:
            allowed << tokenRequest << u"refresh_token"_s;
            a.refreshToken = s(u"refresh_token", true);
            a.clientId = s(u"client_id", false);
            a.clientSecret = s(u"client_secret", false);
            break;
        case RestAuth::Type::OAuth2JwtBearer: {
            allowed << tokenRequest << u"grant"_s << u"algorithm"_s << u"key_id"_s << u"private_key"_s << u"claims"_s;
            a.privateKey = s(u"private_key", true);
            a.clientId = s(u"client_id", false);
            a.clientSecret = s(u"client_secret", false);
            a.keyId = s(u"key_id", false);
            const QString grant = s(u"grant", false);
            if (grant == "client_credentials_assertion"_L1)
                a.grant = RestAuth::Grant::ClientCredentialsAssertion;
            else if (!grant.isEmpty() && grant != "jwt_bearer"_L1)
                problem(where + u"/grant"_s, Tr::tr("must be \"jwt_bearer\" or \"client_credentials_assertion\""));
            if (member(value, u"algorithm")) {
                a.algorithm = s(u"algorithm", true);
                static const QStringList algorithms{u"RS256"_s, u"RS384"_s, u"RS512"_s, u"PS256"_s,
                                                    u"PS384"_s, u"PS512"_s, u"ES256"_s, u"ES384"_s};
                if (!algorithms.contains(a.algorithm))
                    problem(where + u"/algorithm"_s, Tr::tr("must be one of %1").arg(algorithms.join(u", "_s)));
            }
            if (!member(value, u"claims"))
                problem(where + u"/claims"_s, Tr::tr("is required (an object of claim templates with \"iss\")"));
            a.claims = templates(value, u"claims", where + u"/claims"_s, false);
            if (member(value, u"claims") && std::none_of(a.claims.begin(), a.claims.end(), [](const auto &c) {
                    return c.first == "iss"_L1;
                })) {
                problem(where + u"/claims"_s, Tr::tr("needs an \"iss\" claim"));
            }
            break;
        }
        }
        const bool oauth = a.type == RestAuth::Type::OAuth2ClientCredentials || a.type == RestAuth::Type::OAuth2RefreshToken
                           || a.type == RestAuth::Type::OAuth2JwtBearer;
        if (oauth) {
            a.tokenUrl = s(u"token_url", true);
            if (!a.tokenUrl.isEmpty() && !a.tokenUrl.startsWith(u"https://"_s) && !a.tokenUrl.startsWith(u"http://"_s))
                problem(where + u"/token_url"_s, Tr::tr("must be an http(s) URL"));
            const QString clientAuth = s(u"client_auth", false);
            if (clientAuth == "basic"_L1)
                a.clientAuth = RestAuth::ClientAuth::Basic;
            else if (clientAuth == "body"_L1)
                a.clientAuth = RestAuth::ClientAuth::Body;
            else if (clientAuth == "query"_L1)
                a.clientAuth = RestAuth::ClientAuth::Query;
            else if (!clientAuth.isEmpty())
                problem(where + u"/client_auth"_s, Tr::tr("must be \"basic\", \"body\" or \"query\""));
            const QString content = s(u"token_content_type", false);
            if (!content.isEmpty() && content != "form"_L1 && content != "json"_L1)
                problem(where + u"/token_content_type"_s, Tr::tr("must be \"form\" or \"json\""));
            a.jsonTokenRequest = content == "json"_L1;
            a.scopes = strings(value, u"scopes", where + u"/scopes"_s);
            a.tokenParams = templates(value, u"token_params", where + u"/token_params"_s, false);
        }
        if (a.type == RestAuth::Type::Bearer || oauth) {
            if (member(value, u"header"))
                a.header = s(u"header", true);
            if (member(value, u"prefix"))
                a.prefix = string(value, u"prefix", where + u"/prefix"_s, true, true);
        }
        onlyMembers(value, where, allowed, Tr::tr("auth type %1").arg(type));
        return a;
    }

    RestPagination pagination(const Data::Value &value, const QString &where)
    {
        RestPagination p;
        if (!value.isObject()) {
            problem(where, Tr::tr("must be an object with a \"style\""));
            return p;
        }
        const QString style = string(value, u"style", where + u"/style"_s, true);
        auto found = std::find_if(kStyles.begin(), kStyles.end(), [&](const auto &e) { return e.first == style; });
        if (found == kStyles.end()) {
            if (!style.isEmpty())
                problem(where + u"/style"_s, Tr::tr("unknown pagination style \"%1\" (none, offset, page, cursor, "
                                                    "link_header, next_url)")
                                                 .arg(style));
            return p;
        }
        p.style = found->second;
        using S = RestPagination::Style;
        static const QHash<int, QStringList> allowed{
            {int(S::None), {}},
            {int(S::Offset), {u"offset_param"_s, u"limit_param"_s, u"page_size"_s, u"start_offset"_s, u"total_path"_s,
                              u"has_more_path"_s, u"done_path"_s}},
            {int(S::Page), {u"page_param"_s, u"start_page"_s, u"limit_param"_s, u"page_size"_s, u"total_path"_s,
                            u"total_pages_path"_s, u"has_more_path"_s, u"done_path"_s}},
            {int(S::Cursor), {u"cursor_param"_s, u"next_cursor_path"_s, u"last_record_cursor_path"_s,
                              u"has_more_path"_s, u"done_path"_s, u"limit_param"_s, u"page_size"_s, u"continue"_s}},
            {int(S::LinkHeader), {u"limit_param"_s, u"page_size"_s}},
            {int(S::NextUrl), {u"next_url_path"_s, u"limit_param"_s, u"page_size"_s, u"done_path"_s}},
        };
        QStringList members = allowed.value(int(p.style)) << u"style"_s;
        if (p.style != S::None)
            members << u"params_in"_s;
        onlyMembers(value, where, members, Tr::tr("pagination style %1").arg(style));

        const QString paramsIn = string(value, u"params_in", where + u"/params_in"_s, false);
        if (paramsIn == "body"_L1)
            p.paramsIn = RestPagination::ParamsIn::Body;
        else if (paramsIn == "template"_L1)
            p.paramsIn = RestPagination::ParamsIn::Template;
        else if (!paramsIn.isEmpty() && paramsIn != "query"_L1)
            problem(where + u"/params_in"_s, Tr::tr("must be \"query\", \"body\" or \"template\""));
        if (p.paramsIn == RestPagination::ParamsIn::Template && p.style != S::Offset && p.style != S::Page)
            problem(where + u"/params_in"_s, Tr::tr("\"template\" applies to the offset and page styles only"));
        const bool templated = p.paramsIn == RestPagination::ParamsIn::Template;

        p.pageSize = int(integer(value, u"page_size", where + u"/page_size"_s, 1, 1'000'000).value_or(0));
        auto param = [&](QStringView key, bool required) {
            const QString name = string(value, key, child(where, key.toString()), required);
            if (!name.isEmpty() && p.paramsIn == RestPagination::ParamsIn::Body && !Rest::isPointer(name))
                problem(child(where, key.toString()),
                        Tr::tr("with params_in \"body\" this is a JSON pointer into the body, such as /cursor"));
            return name;
        };
        p.limitParam = param(u"limit_param", false);
        p.hasMorePath = pointer(value, u"has_more_path", where + u"/has_more_path"_s);
        p.donePath = pointer(value, u"done_path", where + u"/done_path"_s);
        p.totalPath = pointer(value, u"total_path", where + u"/total_path"_s);
        p.totalPagesPath = pointer(value, u"total_pages_path", where + u"/total_pages_path"_s);
        switch (p.style) {
        case S::None:
        case S::LinkHeader:
            break;
        case S::Offset:
            if (!p.pageSize)
                problem(where, Tr::tr("pagination style offset needs \"page_size\""));
            p.offsetParam = param(u"offset_param", !templated);
            if (!templated && p.limitParam.isEmpty())
                problem(where + u"/limit_param"_s, Tr::tr("is required"));
            p.startOffset = integer(value, u"start_offset", where + u"/start_offset"_s, 0).value_or(0);
            break;
        case S::Page:
            p.pageParam = param(u"page_param", !templated);
            p.startPage = integer(value, u"start_page", where + u"/start_page"_s, 0).value_or(1);
            break;
        case S::Cursor: {
            p.cursorParam = param(u"cursor_param", true);
            p.nextCursorPath = pointer(value, u"next_cursor_path", where + u"/next_cursor_path"_s).value_or(QString());
            p.lastRecordCursorPath =
                pointer(value, u"last_record_cursor_path", where + u"/last_record_cursor_path"_s).value_or(QString());
            if (bool(member(value, u"next_cursor_path")) == bool(member(value, u"last_record_cursor_path")))
                problem(where, Tr::tr("pagination style cursor needs exactly one of \"next_cursor_path\" and "
                                      "\"last_record_cursor_path\""));
            if (const Data::Value *next = member(value, u"continue")) {
                const QString at = where + u"/continue"_s;
                if (!next->isObject()) {
                    problem(at, Tr::tr("must be an object"));
                    break;
                }
                onlyMembers(*next, at, {u"method"_s, u"path"_s, u"body"_s, u"record_selector"_s, u"next_cursor_path"_s},
                            Tr::tr("a continuation request"));
                RestContinuation c;
                const QString method = string(*next, u"method", at + u"/method"_s, true);
                if (!method.isEmpty() && method != "GET"_L1 && method != "POST"_L1)
                    problem(at + u"/method"_s, Tr::tr("must be GET or POST"));
                c.method = method.toLatin1();
                c.path = string(*next, u"path", at + u"/path"_s, true, true);
                if (!c.path.isEmpty() && !c.path.startsWith(u'/'))
                    problem(at + u"/path"_s, Tr::tr("must be \"\" or start with /"));
                if (const Data::Value *body = member(*next, u"body"))
                    c.body = *body;
                c.recordSelector = pointer(*next, u"record_selector", at + u"/record_selector"_s);
                c.nextCursorPath = pointer(*next, u"next_cursor_path", at + u"/next_cursor_path"_s);
                p.continuation = c;
            }
            break;
        }
        case S::NextUrl:
            p.nextUrlPath = pointer(value, u"next_url_path", where + u"/next_url_path"_s, true).value_or(QString());
            break;
        }
        return p;
    }

    std::optional<RestWriteOperation> writeOperation(const Data::Value &write, QStringView key, const QString &where)
    {
        const Data::Value *value = member(write, key);
        if (!value)
            return std::nullopt;
        const QString at = child(where, key.toString());
        if (!value->isObject()) {
            problem(at, Tr::tr("must be an object with method and path"));
            return std::nullopt;
        }
        onlyMembers(*value, at, {u"method"_s, u"path"_s, u"query"_s, u"headers"_s, u"body_key"_s, u"content_type"_s, u"note"_s},
                    Tr::tr("a write operation"));
        RestWriteOperation op;
        const QString method = string(*value, u"method", at + u"/method"_s, true);
        if (!method.isEmpty() && method != "POST"_L1 && method != "PUT"_L1 && method != "PATCH"_L1 && method != "DELETE"_L1)
            problem(at + u"/method"_s, Tr::tr("must be POST, PUT, PATCH or DELETE"));
        op.method = method.toLatin1();
        op.path = string(*value, u"path", at + u"/path"_s, true, true);
        if (!op.path.isEmpty() && !op.path.startsWith(u'/'))
            problem(at + u"/path"_s, Tr::tr("must be \"\" or start with /"));
        op.query = templates(*value, u"query", at + u"/query"_s, true);
        op.headers = templates(*value, u"headers", at + u"/headers"_s, false);
        op.bodyKey = string(*value, u"body_key", at + u"/body_key"_s, false);
        const QString content = string(*value, u"content_type", at + u"/content_type"_s, false);
        if (!content.isEmpty() && content != "json"_L1 && content != "form"_L1)
            problem(at + u"/content_type"_s, Tr::tr("must be \"json\" or \"form\""));
        op.form = content == "form"_L1;
        return op;
    }

    RestResource resource(const Data::Value &value, const QString &where, const RestPagination &fallback,
                          const QList<RestParameter> &definitionParameters)
    {
        RestResource r;
        if (!value.isObject()) {
            problem(where, Tr::tr("must be an object"));
            return r;
        }
        static const QStringList members{
            u"name"_s, u"description"_s, u"method"_s, u"path"_s, u"parameters"_s, u"query"_s, u"headers"_s, u"body"_s,
            u"record_selector"_s, u"record_format"_s, u"columns_path"_s, u"column_name_field"_s, u"column_names_param"_s,
            u"header_row"_s, u"primary_key"_s, u"primary_key_param"_s, u"read"_s, u"cursor_field"_s, u"cursor_param"_s,
            u"cursor_query"_s, u"cursor_headers"_s, u"cursor_body"_s, u"cursor_format"_s, u"pagination"_s, u"write"_s,
            u"note"_s};
        onlyMembers(value, where, members, Tr::tr("a resource"));
        r.name = string(value, u"name", where + u"/name"_s, true);
        static const QRegularExpression namePattern(u"^[A-Za-z][A-Za-z0-9_-]*$"_s);
        if (!r.name.isEmpty() && !namePattern.match(r.name).hasMatch())
            problem(where + u"/name"_s, Tr::tr("must start with a letter and hold letters, digits, _ and -"));
        r.description = string(value, u"description", where + u"/description"_s, catalog);
        const QString method = catalog || member(value, u"method") ? string(value, u"method", where + u"/method"_s, true)
                                                                    : u"GET"_s;
        if (!method.isEmpty() && method != "GET"_L1 && method != "POST"_L1)
            problem(where + u"/method"_s, Tr::tr("must be GET or POST"));
        r.method = method.toLatin1();
        r.path = string(value, u"path", where + u"/path"_s, true, true);
        if (!r.path.isEmpty() && !r.path.startsWith(u'/'))
            problem(where + u"/path"_s, Tr::tr("must be \"\" or start with /"));

        if (const Data::Value *list = member(value, u"parameters")) {
            const QString at = where + u"/parameters"_s;
            if (!list->isArray())
                problem(at, Tr::tr("must be an array"));
            for (qsizetype i = 0; i < list->size(); ++i) {
                const Data::Value &item = list->at(i);
                const QString pat = child(at, i);
                RestResourceParameter p;
                p.name = string(item, u"name", pat + u"/name"_s, true);
                const QString in = string(item, u"in", pat + u"/in"_s, true);
                if (in == "path"_L1)
                    p.in = RestResourceParameter::In::Path;
                else if (in == "query"_L1)
                    p.in = RestResourceParameter::In::Query;
                else if (in == "header"_L1)
                    p.in = RestResourceParameter::In::Header;
                else if (in == "template"_L1)
                    p.in = RestResourceParameter::In::Template;
                else if (!in.isEmpty())
                    problem(pat + u"/in"_s, Tr::tr("must be path, query, header or template"));
                p.queryName = string(item, u"query_name", pat + u"/query_name"_s, false);
                if (p.queryName.isEmpty())
                    p.queryName = p.name;
                p.description = string(item, u"description", pat + u"/description"_s, catalog);
                p.required = boolean(item, u"required", pat + u"/required"_s, false);
                if (const Data::Value *d = member(item, u"default"))
                    p.defaultValue = *d;
                if (p.in == RestResourceParameter::In::Path && !p.name.isEmpty()
                    && !Rest::placeholders(r.path).contains(p.name))
                    problem(pat, Tr::tr("path parameter \"%1\" does not occur in the path").arg(p.name));
                for (const RestParameter &d : definitionParameters) {
                    if (d.name == p.name)
                        problem(pat + u"/name"_s, Tr::tr("\"%1\" is already a definition parameter").arg(p.name));
                }
                r.parameters.append(p);
            }
        }
        r.query = templates(value, u"query", where + u"/query"_s, true);
        r.headers = templates(value, u"headers", where + u"/headers"_s, false);
        if (const Data::Value *body = member(value, u"body"))
            r.body = *body;
        r.recordSelector = pointer(value, u"record_selector", where + u"/record_selector"_s, catalog).value_or(QString());

        const QString format = string(value, u"record_format", where + u"/record_format"_s, false);
        if (format == "array"_L1)
            r.recordFormat = RestResource::RecordFormat::Array;
        else if (format == "cells_fv"_L1)
            r.recordFormat = RestResource::RecordFormat::CellsFv;
        else if (!format.isEmpty() && format != "object"_L1)
            problem(where + u"/record_format"_s, Tr::tr("must be object, array or cells_fv"));
        r.columnsPath = pointer(value, u"columns_path", where + u"/columns_path"_s).value_or(QString());
        r.columnNameField = string(value, u"column_name_field", where + u"/column_name_field"_s, false);
        r.columnNamesParam = string(value, u"column_names_param", where + u"/column_names_param"_s, false);
        r.headerRow = boolean(value, u"header_row", where + u"/header_row"_s, false);
        if (r.recordFormat != RestResource::RecordFormat::Object) {
            const int sources = int(member(value, u"columns_path") != nullptr) + int(!r.columnNamesParam.isEmpty())
                                + int(r.headerRow && r.recordFormat == RestResource::RecordFormat::Array);
            if (sources != 1)
                problem(where, Tr::tr("record_format %1 needs exactly one source of column names: columns_path with "
                                      "column_name_field, column_names_param, or header_row (array only)")
                                   .arg(format));
            if (member(value, u"columns_path") && r.columnNameField.isEmpty())
                problem(where + u"/column_name_field"_s, Tr::tr("is required with columns_path"));
        }

        r.primaryKey = strings(value, u"primary_key", where + u"/primary_key"_s);
        for (qsizetype i = 0; i < r.primaryKey.size(); ++i) {
            if (r.primaryKey.at(i).startsWith(u'/') && !Rest::isPointer(r.primaryKey.at(i)))
                problem(child(where + u"/primary_key"_s, i), Tr::tr("is not a valid JSON pointer"));
        }
        r.primaryKeyParam = string(value, u"primary_key_param", where + u"/primary_key_param"_s, false);
        for (const QString &param : {r.primaryKeyParam, r.columnNamesParam}) {
            const RestResourceParameter *p = param.isEmpty() ? nullptr : r.parameter(param);
            if (!param.isEmpty() && (!p || p->in != RestResourceParameter::In::Template))
                problem(where, Tr::tr("\"%1\" is not a template parameter of the resource").arg(param));
        }
        r.readable = boolean(value, u"read", where + u"/read"_s, true);
        if (catalog && r.readable && r.primaryKey.isEmpty() && r.primaryKeyParam.isEmpty())
            problem(where + u"/primary_key"_s, Tr::tr("a readable resource needs primary_key or primary_key_param"));

        if (const std::optional<QString> field = pointer(value, u"cursor_field", where + u"/cursor_field"_s)) {
            r.cursorField = *field;
            if (r.cursorField.isEmpty())
                problem(where + u"/cursor_field"_s, Tr::tr("must point into the record, such as /updated_at"));
        }
        r.cursorParam = string(value, u"cursor_param", where + u"/cursor_param"_s, false);
        r.cursorQuery = templates(value, u"cursor_query", where + u"/cursor_query"_s, true, true);
        r.cursorHeaders = templates(value, u"cursor_headers", where + u"/cursor_headers"_s, false);
        if (const Data::Value *body = member(value, u"cursor_body")) {
            if (!body->isObject())
                problem(where + u"/cursor_body"_s, Tr::tr("must be an object (a JSON Merge Patch)"));
            else
                r.cursorBody = *body;
        }
        if (member(value, u"cursor_format")) {
            r.cursorFormat = string(value, u"cursor_format", where + u"/cursor_format"_s, true);
            if (!Rest::isValidCursorFormat(r.cursorFormat))
                problem(where + u"/cursor_format"_s, Tr::tr("must be as_read, iso8601, iso8601_date, unix_seconds, "
                                                            "unix_millis or qt:<QDateTime format>"));
        }
        for (const QString &key : {u"cursor_param"_s, u"cursor_query"_s, u"cursor_headers"_s, u"cursor_body"_s, u"cursor_format"_s}) {
            if (member(value, key) && r.cursorField.isEmpty())
                problem(child(where, key), Tr::tr("needs cursor_field"));
        }

        if (const Data::Value *own = member(value, u"pagination"))
            r.pagination = pagination(*own, where + u"/pagination"_s);
        else
            r.pagination = fallback;
        if (r.pagination.paramsIn == RestPagination::ParamsIn::Body && r.method != "POST")
            problem(where + u"/method"_s, Tr::tr("pagination with params_in \"body\" needs a POST resource"));

        if (const Data::Value *write = member(value, u"write")) {
            const QString at = where + u"/write"_s;
            if (!write->isObject()) {
                problem(at, Tr::tr("must be an object with insert, update and/or delete"));
            } else {
                onlyMembers(*write, at, {u"insert"_s, u"update"_s, u"delete"_s}, Tr::tr("write"));
                r.insert = writeOperation(*write, u"insert", at);
                r.update = writeOperation(*write, u"update", at);
                r.remove = writeOperation(*write, u"delete", at);
            }
        }
        if (!r.readable && !r.hasWrites())
            problem(where, Tr::tr("a resource with \"read\": false needs \"write\""));
        return r;
    }

    RestResponseCheck responseCheck(const Data::Value &object, const QString &where)
    {
        RestResponseCheck check;
        const Data::Value *value = member(object, u"response_check");
        if (!value)
            return check;
        if (!value->isObject()) {
            problem(where, Tr::tr("must be an object"));
            return check;
        }
        onlyMembers(*value, where, {u"success_path"_s, u"errors_path"_s, u"message_path"_s}, Tr::tr("response_check"));
        check.successPath = pointer(*value, u"success_path", where + u"/success_path"_s);
        check.errorsPath = pointer(*value, u"errors_path", where + u"/errors_path"_s);
        check.messagePath = pointer(*value, u"message_path", where + u"/message_path"_s);
        return check;
    }

    RestRateLimit rateLimit(const Data::Value &value, const QString &where)
    {
        RestRateLimit limit;
        if (!value.isObject()) {
            problem(where, Tr::tr("must be an object"));
            return limit;
        }
        onlyMembers(value, where,
                    {u"requests_per_second"_s, u"requests_per_minute"_s, u"requests_per_hour"_s, u"requests_per_day"_s,
                     u"concurrent_requests"_s, u"note"_s},
                    Tr::tr("rate_limit"));
        limit.requestsPerSecond = positive(value, u"requests_per_second", where + u"/requests_per_second"_s).value_or(0);
        limit.requestsPerMinute = positive(value, u"requests_per_minute", where + u"/requests_per_minute"_s).value_or(0);
        limit.requestsPerHour = positive(value, u"requests_per_hour", where + u"/requests_per_hour"_s).value_or(0);
        limit.requestsPerDay = positive(value, u"requests_per_day", where + u"/requests_per_day"_s).value_or(0);
        limit.concurrentRequests = int(integer(value, u"concurrent_requests", where + u"/concurrent_requests"_s, 1).value_or(0));
        return limit;
    }

    void resources(const Data::Value *list, const QString &where, RestApi &api)
    {
        if (!list || !list->isArray() || list->size() == 0) {
            problem(where, Tr::tr("is required: an array of at least one resource"));
            return;
        }
        for (qsizetype i = 0; i < list->size(); ++i) {
            RestResource r = resource(list->at(i), child(where, i), api.pagination, api.parameters);
            if (!r.name.isEmpty() && api.resource(r.name) && api.resource(r.name)->name == r.name)
                problem(child(where, i) + u"/name"_s, Tr::tr("duplicate resource name \"%1\"").arg(r.name));
            api.resources.push_back(std::move(r));
        }
    }
};

} // namespace

// ---- names --------------------------------------------------------------------------------

QString RestAuth::typeName(Type type)
{
    if (type == Type::Endpoint)
        return u"endpoint"_s;
    for (const auto &[name, value] : kAuthTypes) {
        if (value == type)
            return name;
    }
    return {};
}

QString RestPagination::styleName(Style style)
{
    for (const auto &[name, value] : kStyles) {
        if (value == style)
            return name;
    }
    return {};
}

// ---- a catalog definition ------------------------------------------------------------------

Result<RestApi> RestApi::fromDefinition(const Data::Value &definition, const QString &source)
{
    Parser in;
    RestApi api;
    const QString where = source.isEmpty() ? Tr::tr("the connector definition") : source;
    if (!definition.isObject())
        return makeError("invalid_catalog", Tr::tr("%1 is not a JSON object").arg(where));
    if (definition[u"kind"].toString() != "ConnectorDefinition"_L1)
        in.problem(u"/kind"_s, Tr::tr("must be \"ConnectorDefinition\""));
    api.id = in.string(definition, u"id", u"/id"_s, true);
    api.name = in.string(definition, u"name", u"/name"_s, true);
    api.protocol = in.string(definition, u"protocol", u"/protocol"_s, true);
    if (!api.protocol.isEmpty() && !kProtocols.contains(api.protocol))
        in.problem(u"/protocol"_s, Tr::tr("must be one of %1").arg(kProtocols.join(u", "_s)));
    api.baseUrl = in.string(definition, u"base_url", u"/base_url"_s, true);
    if (!api.baseUrl.isEmpty() && !api.baseUrl.startsWith(u"https://"_s) && !api.baseUrl.startsWith(u"http://"_s))
        in.problem(u"/base_url"_s, Tr::tr("must be an absolute http(s) URL"));
    if (const Data::Value *params = in.member(definition, u"parameters"))
        api.parameters = in.parameters(*params, u"/parameters"_s);
    else
        in.problem(u"/parameters"_s, Tr::tr("is required (may be empty)"));
    if (const Data::Value *auth = in.member(definition, u"auth"))
        api.auth = in.auth(*auth, u"/auth"_s);
    else
        in.problem(u"/auth"_s, Tr::tr("is required"));
    api.headers = in.templates(definition, u"headers", u"/headers"_s, false);
    api.query = in.templates(definition, u"query", u"/query"_s, true);
    if (const Data::Value *paging = in.member(definition, u"pagination"))
        api.pagination = in.pagination(*paging, u"/pagination"_s);
    else
        in.problem(u"/pagination"_s, Tr::tr("is required"));
    api.responseCheck = in.responseCheck(definition, u"/response_check"_s);
    if (const Data::Value *limit = in.member(definition, u"rate_limit"))
        api.rateLimit = in.rateLimit(*limit, u"/rate_limit"_s);
    in.resources(in.member(definition, u"resources"), u"/resources"_s, api);
    if (!in.problems.isEmpty())
        return makeError("invalid_catalog", Tr::tr("%1 is not a definition this executor can run").arg(where), in.problems);
    return api;
}

// ---- an endpoint --------------------------------------------------------------------------

Result<RestEndpointConfig> RestEndpointConfig::fromEndpoint(const EndpointSpec &endpoint, const ConnectorCatalog *catalog)
{
    Parser in;
    in.catalog = false;
    RestEndpointConfig config;
    const Data::Value configuration(endpoint.configuration);
    const QString base = u"/configuration"_s;
    const Data::Value *catalogId = in.member(configuration, u"catalog");

    if (catalogId) {
        const QString id = in.string(configuration, u"catalog", base + u"/catalog"_s, true);
        const RestApi *api = nullptr;
        if (!id.isEmpty() && !catalog)
            in.problem(base + u"/catalog"_s, Tr::tr("no connector catalog is loaded in this process"));
        else if (!id.isEmpty() && !(api = catalog->definition(id)))
            in.problem(base + u"/catalog"_s, Tr::tr("\"%1\" is not a connector definition of the catalog").arg(id));
        for (const QString &key : {u"resources"_s, u"pagination"_s, u"response_check"_s}) {
            if (in.member(configuration, key))
                in.problem(base + u'/' + key,
                           Tr::tr("a catalog endpoint takes this from its definition"));
        }
        if (endpoint.authentication.type != ClientAuthentication::Type::None)
            in.problem(u"/authentication"_s, Tr::tr("a catalog endpoint authenticates as its definition says; give the "
                                                    "credentials in /configuration/parameters"));
        if (api) {
            config.api = *api;
            const Data::Value *given = in.member(configuration, u"parameters");
            const QString at = base + u"/parameters"_s;
            if (given && !given->isObject())
                in.problem(at, Tr::tr("must be an object of parameter values"));
            if (given && given->isObject()) {
                for (const auto &[name, value] : given->toObject()) {
                    const QString pat = child(at, name);
                    const RestParameter *p = api->parameter(name);
                    if (!p) {
                        QStringList names;
                        for (const RestParameter &d : api->parameters)
                            names.append(d.name);
                        in.problem(pat, Tr::tr("\"%1\" is not a parameter of %2 (its parameters: %3)")
                                            .arg(name, id, names.join(u", "_s)));
                        continue;
                    }
                    const bool isReference = value.isObject() && value.toObject().size() == 1
                                             && value[u"secret"].isString() && !value[u"secret"].toString().isEmpty();
                    if (isReference) {
                        config.secretParameters.insert(name, value[u"secret"].toString());
                    } else if (p->secret) {
                        in.problem(pat, Tr::tr("is a secret: give a secret reference such as {\"secret\": \"%1.%2\"}, "
                                               "never the secret itself")
                                            .arg(id, name));
                    } else if (value.isString() || value.isNumber() || value.isBool()) {
                        config.values.insert(name, value);
                    } else {
                        in.problem(pat, Tr::tr("must be a string, number, boolean or secret reference"));
                    }
                }
            }
            for (const RestParameter &p : api->parameters) {
                if (config.values.contains(p.name) || config.secretParameters.contains(p.name))
                    continue;
                if (!p.defaultValue.isUndefined())
                    config.values.insert(p.name, p.defaultValue);
                else if (p.required)
                    in.problem(child(at, p.name), Tr::tr("required: %1").arg(p.description));
            }
            // Extra headers and query parameters of the endpoint, as templates over the parameters.
            config.api.headers += in.templates(configuration, u"headers", base + u"/headers"_s, false, false,
                                               &config.secretHeaders);
            config.api.query += in.templates(configuration, u"query", base + u"/query"_s, true);
        }
        if (!endpoint.url.isEmpty())
            config.baseUrlOverride = endpoint.url.toString(QUrl::FullyEncoded);
    } else {
        config.api.name = endpoint.name;
        config.api.auth.type = RestAuth::Type::Endpoint;
        config.api.baseUrl = endpoint.url.toString(QUrl::FullyEncoded);
        if (config.api.baseUrl.isEmpty())
            in.problem(u"/url"_s, Tr::tr("is required: the API's base URL"));
        config.api.headers = in.templates(configuration, u"headers", base + u"/headers"_s, false, false,
                                          &config.secretHeaders);
        config.api.query = in.templates(configuration, u"query", base + u"/query"_s, true);
        if (const Data::Value *paging = in.member(configuration, u"pagination"))
            config.api.pagination = in.pagination(*paging, base + u"/pagination"_s);
        config.api.responseCheck = in.responseCheck(configuration, base + u"/response_check"_s);
        in.resources(in.member(configuration, u"resources"), base + u"/resources"_s, config.api);
        if (in.member(configuration, u"parameters"))
            in.problem(base + u"/parameters"_s, Tr::tr("parameters belong to catalog endpoints (with \"catalog\")"));
    }
    if (const Data::Value *limit = in.member(configuration, u"rate_limit"))
        config.api.rateLimit = in.rateLimit(*limit, base + u"/rate_limit"_s);

    if (const Data::Value *values = in.member(configuration, u"resource_parameters")) {
        const QString at = base + u"/resource_parameters"_s;
        if (!values->isObject())
            in.problem(at, Tr::tr("must be an object: resource name → its parameters' values"));
        for (const auto &[name, object] : values->toObject()) {
            const RestResource *r = config.api.resource(name);
            if (!r || r->name != name) {
                in.problem(child(at, name), Tr::tr("\"%1\" is not a resource of this endpoint").arg(name));
                continue;
            }
            if (!object.isObject()) {
                in.problem(child(at, name), Tr::tr("must be an object of parameter values"));
                continue;
            }
            for (const auto &[param, value] : object.toObject()) {
                if (!r->parameter(param))
                    in.problem(child(child(at, name), param), Tr::tr("\"%1\" is not a parameter of resource %2").arg(param, name));
                else if (!value.isString() && !value.isNumber() && !value.isBool())
                    in.problem(child(child(at, name), param), Tr::tr("must be a string, number or boolean"));
            }
            config.resourceValues.insert(name, object.toObject());
        }
    }
    if (const std::optional<qint64> pages = in.integer(configuration, u"max_pages", base + u"/max_pages"_s, 1, 10'000'000))
        config.maxPages = int(*pages);
    config.discoverSamples = in.boolean(configuration, u"discover_samples", base + u"/discover_samples"_s, false);
    if (in.member(configuration, u"token_url")) {
        const QString url = in.string(configuration, u"token_url", base + u"/token_url"_s, true);
        const QUrl parsed(url, QUrl::StrictMode);
        if (!url.isEmpty() && (!parsed.isValid() || parsed.host().isEmpty()
                               || (parsed.scheme() != "https"_L1 && parsed.scheme() != "http"_L1)))
            in.problem(base + u"/token_url"_s, Tr::tr("must be an http(s) URL"));
        else if (!url.isEmpty())
            config.tokenUrlOverride = url;
    }
    if (config.api.protocol == "soap"_L1)
        in.problem(base + u"/catalog"_s, Tr::tr("SOAP definitions are served by the SOAP connector, not the REST one"));

    if (!in.problems.isEmpty()) {
        return makeError("invalid_endpoint", Tr::tr("Endpoint %1 has an invalid REST configuration").arg(endpoint.id),
                         in.problems);
    }
    return config;
}

} // namespace Conflux::Connectors
