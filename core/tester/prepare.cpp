#include "prepare.h"

#include "model/project.h"
#include "tr_p.h"
#include "variables.h"

#include <QRandomGenerator>

using namespace Qt::StringLiterals;

namespace Conflux::Tester {

using Internal::Tr;

QByteArray PreparedRequest::header(QByteArrayView name) const
{
    for (const auto &[n, v] : headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

void PreparedRequest::setHeader(const QByteArray &name, const QByteArray &value)
{
    headers.removeIf([&](const auto &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
    headers.append({name, value});
}

Auth effectiveAuth(const Collection &collection, const QList<int> &path)
{
    Auth found = collection.auth;
    const QList<Item> *level = &collection.items;
    for (int index : path) {
        if (index < 0 || index >= level->size())
            break;
        const Item &item = level->at(index);
        if (item.auth.type != Auth::Type::Inherit)
            found = item.auth;
        level = &item.items;
    }
    if (found.type == Auth::Type::Inherit)
        found.type = Auth::Type::None;
    return found;
}

namespace {

bool hasLineBreak(const QString &text)
{
    return text.contains(u'\r') || text.contains(u'\n');
}

QList<QStringView> segments(QStringView path)
{
    QList<QStringView> out;
    for (QStringView part : path.split(u'/')) {
        if (!part.isEmpty())
            out.append(part);
    }
    return out;
}

class Preparer
{
public:
    Preparer(const Item &item, const PrepareContext &context, const QString &name)
        : m_item(item), m_context(context), m_name(name)
    {}

    Result<QString> text(const QString &value, const QString &what)
    {
        return m_context.variables->substitute(value, Tr::tr("request \"%1\" %2").arg(m_name, what));
    }

    // A header, query parameter or form field with its {{variables}} filled in.
    Result<std::pair<QString, QString>> pair(const KeyValue &kv, const QString &what)
    {
        const QString where = what.arg(kv.name);
        Result<QString> name = text(kv.name, where);
        if (!name)
            return name.error();
        Result<QString> value = text(kv.value, where);
        if (!value)
            return value.error();
        return std::pair{*name, *value};
    }

    Result<QString> credential(const Credential &value, const QString &what)
    {
        Result<QString> out = m_context.variables->resolve(value, Tr::tr("request \"%1\" %2").arg(m_name, what));
        if (out && !out->isEmpty())
            m_out.secretValues.append(*out);
        return out;
    }

    Result<PreparedRequest> run(const Auth &auth)
    {
        const RequestSpec &r = m_item.request;
        m_out.name = m_name;
        m_out.method = r.method.toUpper().toLatin1();
        m_out.followRedirects = r.followRedirects.value_or(true);
        if (Result<void> ok = prepareUrl(); !ok)
            return ok.error();
        for (qsizetype i = 0; i < r.headers.size(); ++i) {
            const KeyValue &h = r.headers.at(i);
            if (!h.enabled)
                continue;
            Result<std::pair<QString, QString>> header = pair(h, Tr::tr("header %1"));
            if (!header)
                return header.error();
            const auto &[name, value] = *header;
            if (name.isEmpty() || hasLineBreak(name) || hasLineBreak(value)) {
                return makeError("invalid_header",
                                 Tr::tr("request \"%1\" header %2: a header name must not be empty and "
                                        "neither name nor value may hold a line break")
                                     .arg(m_name, h.name));
            }
            m_out.headers.append({name.toLatin1(), value.toUtf8()});
        }
        if (Result<void> ok = prepareBody(); !ok)
            return ok.error();
        if (Result<void> ok = applyAuth(auth, 0); !ok)
            return ok.error();
        if (Result<void> ok = applyGateway(); !ok)
            return ok.error();
        return m_out;
    }

private:
    void addQuery(QByteArray &query, const QString &name, const QString &value)
    {
        if (!query.isEmpty())
            query += '&';
        query += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }

    Result<void> prepareUrl()
    {
        const RequestSpec &r = m_item.request;
        Result<QString> url = text(r.url, Tr::tr("url"));
        if (!url)
            return url.error();
        QString address = url->trimmed();
        if (!address.contains(u"://"_s))
            address.prepend(u"http://"_s);   // as Postman and newman do
        QUrl parsed(address, QUrl::TolerantMode);
        if (!parsed.isValid() || parsed.host().isEmpty()
            || (parsed.scheme() != u"http" && parsed.scheme() != u"https")) {
            return makeError("invalid_url", Tr::tr("request \"%1\": \"%2\" is not an http(s) URL%3")
                                                .arg(m_name, *url,
                                                     parsed.isValid() ? QString()
                                                                      : u" ("_s + parsed.errorString() + u')'));
        }
        QByteArray query = parsed.query(QUrl::FullyEncoded).toLatin1();
        for (const KeyValue &q : r.query) {
            if (!q.enabled)
                continue;
            Result<std::pair<QString, QString>> parameter = pair(q, Tr::tr("query parameter %1"));
            if (!parameter)
                return parameter.error();
            addQuery(query, parameter->first, parameter->second);
        }
        m_query = query;
        m_out.url = parsed;
        setQuery();
        return {};
    }

    void setQuery()
    {
        if (m_query.isEmpty())
            m_out.url.setQuery(QString());
        else
            m_out.url.setQuery(QString::fromLatin1(m_query), QUrl::StrictMode);
    }

    Result<void> prepareBody()
    {
        const Body &b = m_item.request.body;
        QByteArray contentType;
        switch (b.mode) {
        case Body::Mode::None: return {};
        case Body::Mode::Json:
        case Body::Mode::Xml:
        case Body::Mode::Raw: {
            Result<QString> content = text(b.content, Tr::tr("body"));
            if (!content)
                return content.error();
            m_out.body = content->toUtf8();
            contentType = b.mode == Body::Mode::Json ? "application/json"
                          : b.mode == Body::Mode::Xml ? "application/xml"
                                                      : "text/plain";
            break;
        }
        case Body::Mode::UrlEncoded: {
            QByteArray form;
            for (const KeyValue &f : b.fields) {
                if (!f.enabled)
                    continue;
                Result<std::pair<QString, QString>> field = pair(f, Tr::tr("form field %1"));
                if (!field)
                    return field.error();
                addQuery(form, field->first, field->second);
            }
            m_out.body = form;
            contentType = "application/x-www-form-urlencoded";
            break;
        }
        case Body::Mode::FormData: {
            const QByteArray boundary = "conflux-" + QByteArray::number(QRandomGenerator::global()->generate64(), 16);
            QByteArray form;
            for (const KeyValue &f : b.fields) {
                if (!f.enabled)
                    continue;
                Result<std::pair<QString, QString>> field = pair(f, Tr::tr("form field %1"));
                if (!field)
                    return field.error();
                QByteArray quoted = field->first.toUtf8();
                quoted.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A");
                form += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + quoted
                        + "\"\r\n\r\n" + field->second.toUtf8() + "\r\n";
            }
            form += "--" + boundary + "--\r\n";
            m_out.body = form;
            contentType = "multipart/form-data; boundary=" + boundary;
            break;
        }
        }
        if (!b.contentType.isEmpty())
            contentType = b.contentType.toLatin1();
        if (m_out.header("Content-Type").isEmpty())
            m_out.setHeader("Content-Type", contentType);
        return {};
    }

    Result<void> applyAuth(const Auth &auth, int depth)
    {
        switch (auth.type) {
        case Auth::Type::Inherit:
        case Auth::Type::None:
            return {};
        case Auth::Type::Basic: {
            Result<QString> user = text(auth.username, Tr::tr("username"));
            if (!user)
                return user.error();
            Result<QString> password = credential(auth.password, Tr::tr("password"));
            if (!password)
                return password.error();
            m_out.setHeader("Authorization", "Basic " + (user->toUtf8() + ':' + password->toUtf8()).toBase64());
            return {};
        }
        case Auth::Type::Bearer: {
            Result<QString> token = credential(auth.token, Tr::tr("token"));
            if (!token)
                return token.error();
            m_out.setHeader("Authorization", "Bearer " + token->toUtf8());
            return {};
        }
        case Auth::Type::ApiKey: {
            Result<QString> name = text(auth.parameter, Tr::tr("API key name"));
            if (!name)
                return name.error();
            Result<QString> value = credential(auth.value, Tr::tr("API key"));
            if (!value)
                return value.error();
            if (auth.inQuery) {
                addQuery(m_query, *name, *value);
                setQuery();
            } else {
                if (hasLineBreak(*value))
                    return makeError("invalid_header", Tr::tr("request \"%1\": the API key holds a line break").arg(m_name));
                m_out.setHeader(name->toLatin1(), value->toUtf8());
            }
            return {};
        }
        case Auth::Type::OAuth2ClientCredentials: {
            OAuth2Grant grant;
            Result<QString> url = text(auth.tokenUrl, Tr::tr("token URL"));
            if (!url)
                return url.error();
            grant.tokenUrl = QUrl(*url);
            if (!grant.tokenUrl.isValid() || !grant.tokenUrl.scheme().startsWith(u"http"_s))
                return makeError("invalid_url", Tr::tr("request \"%1\": the token URL \"%2\" is not an http(s) URL").arg(m_name, *url));
            Result<QString> client = text(auth.clientId, Tr::tr("client id"));
            if (!client)
                return client.error();
            grant.clientId = *client;
            Result<QString> secret = credential(auth.clientSecret, Tr::tr("client secret"));
            if (!secret)
                return secret.error();
            grant.clientSecret = *secret;
            for (const QString &scope : auth.scopes) {
                Result<QString> s = text(scope, Tr::tr("scope"));
                if (!s)
                    return s.error();
                grant.scopes.append(*s);
            }
            Result<QString> audience = text(auth.audience, Tr::tr("audience"));
            if (!audience)
                return audience.error();
            grant.audience = *audience;
            m_out.oauth2 = grant;
            return {};
        }
        case Auth::Type::Endpoint: {
            const Model::Document *document = m_context.project && depth == 0
                ? m_context.project->document(Model::DocumentKind::Endpoint, auth.endpoint)
                : nullptr;
            if (!document) {
                return makeError("unknown_endpoint",
                                 Tr::tr("request \"%1\" uses the authentication of endpoint \"%2\", which %3")
                                     .arg(m_name, auth.endpoint,
                                          m_context.project ? Tr::tr("the project does not have")
                                                            : Tr::tr("needs a project to be found in")));
            }
            const QJsonObject json = document->json.value(u"authentication"_s).toObject();
            if (json.isEmpty())
                return {};
            Result<Auth> endpointAuth = authFromJson(json, u"/authentication"_s);
            if (!endpointAuth)
                return endpointAuth.error();
            return applyAuth(*endpointAuth, depth + 1);
        }
        }
        return {};
    }

    Result<void> applyGateway()
    {
        const QString &routeId = m_item.request.route;
        if (routeId.isEmpty() || !m_context.gatewayUrl.isValid())
            return {};
        const Model::Route *route = nullptr;
        if (m_context.project) {
            for (const Model::Route &r : m_context.project->routes) {
                if (r.document.id == routeId)
                    route = &r;
            }
        }
        if (!route) {
            return makeError("unknown_route",
                             Tr::tr("request \"%1\" goes through route \"%2\", which the project does not have")
                                 .arg(m_name, routeId));
        }
        Result<QUrl> url = gatewayUrlFor(m_out.url, *route, m_context.gatewayUrl);
        if (!url) {
            Error e = url.error();
            e.message = Tr::tr("request \"%1\": %2").arg(m_name, e.message);
            return e;
        }
        m_out.url = *url;
        m_out.route = routeId;
        return {};
    }

    const Item &m_item;
    const PrepareContext &m_context;
    QString m_name;
    PreparedRequest m_out;
    QByteArray m_query;   // encoded
};

} // namespace

Result<PreparedRequest> prepareRequest(const Item &item, const Auth &auth, const PrepareContext &context,
                                       const QString &displayName)
{
    Q_ASSERT(context.variables);
    if (item.isFolder)
        return makeError("not_a_request", Tr::tr("\"%1\" is a folder, not a request").arg(displayName));
    return Preparer(item, context, displayName).run(auth);
}

Result<QUrl> gatewayUrlFor(const QUrl &upstreamUrl, const Model::Route &route, const QUrl &gatewayUrl)
{
    auto sameOrigin = [](const QUrl &a, const QUrl &b) {
        return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0
               && a.port(a.scheme() == u"https" ? 443 : 80) == b.port(b.scheme() == u"https" ? 443 : 80);
    };
    if (sameOrigin(upstreamUrl, gatewayUrl))
        return upstreamUrl;
    const QString version = route.document.json.value(u"version"_s).toString();
    const QString versioning = route.document.json.value(u"versioning"_s)
                                   .toString(version.isEmpty() ? QString() : u"path"_s);
    const QString actualPath = upstreamUrl.path();   // segments() gives views into it
    const QList<QStringView> actual = segments(actualPath);
    const int defaultPort = upstreamUrl.scheme() == u"https" ? 443 : 80;
    const QString origin = upstreamUrl.scheme() + u"://"_s + upstreamUrl.host().toLower() + u':'
                           + QString::number(upstreamUrl.port(defaultPort));
    for (const QString &templateText : route.upstreamUrls) {
        // A template ("http://host:9101/orders/{id}") is not a URL QUrl keeps as written: split
        // it as text into scheme, authority and path.
        const qsizetype schemeEnd = templateText.indexOf(u"://"_s);
        if (schemeEnd <= 0)
            continue;
        const qsizetype pathStart = templateText.indexOf(u'/', schemeEnd + 3);
        const QString scheme = templateText.left(schemeEnd).toLower();
        QString authority = templateText.mid(schemeEnd + 3, pathStart < 0 ? -1 : pathStart - schemeEnd - 3).toLower();
        if (authority.contains(u'@'))
            authority = authority.section(u'@', -1);
        if (!authority.contains(u':') || authority.endsWith(u']'))
            authority += u':' + QString::number(scheme == u"https" ? 443 : 80);
        if (scheme + u"://"_s + authority != origin)
            continue;
        QString templPath = pathStart < 0 ? QString() : templateText.mid(pathStart);
        templPath = templPath.section(u'?', 0, 0);
        const QList<QStringView> expected = segments(templPath);
        if (expected.size() > actual.size())
            continue;
        QHash<QString, QString> params;
        bool match = true;
        for (qsizetype i = 0; i < expected.size() && match; ++i) {
            const QStringView e = expected.at(i);
            if (e.startsWith(u'{') && e.endsWith(u'}'))
                params.insert(e.mid(1, e.size() - 2).toString(), actual.at(i).toString());
            else
                match = e == actual.at(i);
        }
        if (!match)
            continue;
        QStringList rest;
        for (qsizetype i = expected.size(); i < actual.size(); ++i)
            rest.append(actual.at(i).toString());
        QString path = route.path;
        if (path.endsWith(u"/*"_s))
            path.chop(2);
        QStringList out;
        for (QStringView part : segments(path)) {
            if (part.startsWith(u'{') && part.endsWith(u'}')) {
                const QString name = part.mid(1, part.size() - 2).toString();
                if (!params.contains(name)) {
                    return makeError("route_mismatch",
                                     Tr::tr("route \"%1\" needs {%2}, which its upstream URL %3 does not give")
                                         .arg(route.document.id, name, templateText));
                }
                out.append(params.value(name));
            } else {
                out.append(part.toString());
            }
        }
        out += rest;
        if (versioning == u"path" && !version.isEmpty())
            out.prepend(version);
        QUrl result = gatewayUrl;
        QString base = gatewayUrl.path();
        if (base.endsWith(u'/'))
            base.chop(1);
        result.setPath(base + u'/' + out.join(u'/'), QUrl::TolerantMode);
        if (upstreamUrl.hasQuery())
            result.setQuery(upstreamUrl.query(QUrl::FullyEncoded), QUrl::StrictMode);
        else
            result.setQuery(QString());
        return result;
    }
    return makeError("route_mismatch",
                     Tr::tr("%1 is not one of route \"%2\"'s upstreams (%3)")
                         .arg(upstreamUrl.toDisplayString(QUrl::RemoveQuery | QUrl::RemoveUserInfo),
                              route.document.id, route.upstreamUrls.join(u", "_s)));
}

} // namespace Conflux::Tester
