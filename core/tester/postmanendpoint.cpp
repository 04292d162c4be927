#include "postmanendpoint.h"

#include "postman.h"
#include "tr_p.h"
#include "variables.h"

#include "data/json.h"
#include "data/schemainference.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

#include <optional>

using namespace Qt::StringLiterals;

namespace Conflux::Tester {

using Internal::Tr;
using Data::Value;

namespace {

const QRegularExpression &variablePattern()
{
    static const QRegularExpression pattern(u"\\{\\{\\s*([^{}\\s]+)\\s*\\}\\}"_s);
    return pattern;
}

// A REST placeholder name ({name} in a path) from a Postman variable name ("order-id", "$guid").
QString identifier(const QString &name)
{
    QString out;
    for (const QChar c : name)
        out += (c.isLetterOrNumber() && c.unicode() < 128) || c == u'_' ? c : u'_';
    if (out.isEmpty() || out.at(0).isDigit())
        out.prepend(u'p');
    return out;
}

// Names of headers, query parameters and body fields whose values are credentials: their
// values stay out of the documents (a login request's password is no example).
bool looksLikeCredential(const QString &name)
{
    QString n = name.toLower();
    n.remove(u'_');
    n.remove(u'-');
    n.remove(u' ');
    static const QStringList parts{u"password"_s, u"passwd"_s, u"secret"_s, u"token"_s, u"apikey"_s,
                                   u"authorization"_s, u"cookie"_s, u"credential"_s, u"privatekey"_s,
                                   u"accesskey"_s, u"sessionid"_s, u"signature"_s};
    static const QStringList whole{u"pwd"_s, u"key"_s, u"auth"_s, u"sig"_s, u"otp"_s};
    return whole.contains(n) || std::any_of(parts.begin(), parts.end(), [&](const QString &p) { return n.contains(p); });
}

// What stands for a {{variable}} in a JSON body while its schema is inferred.
constexpr qint64 standIn = 7'319'046'112;

// The examples of credential-like fields go (inferred schemas carry up to three values each),
// and the stand-ins for {{variables}}.
void scrubExamples(Data::SchemaField &field, bool standIns = false)
{
    if (looksLikeCredential(field.name))
        field.examples.clear();
    if (standIns) {
        std::erase_if(field.examples, [](const Value &v) {
            return (v.isNumber() && v.toDouble() == double(standIn)) || v.toString() == QString::number(standIn);
        });
    }
    for (Data::SchemaField &child : field.fields)
        scrubExamples(child, standIns);
    for (Data::SchemaField &item : field.items)
        scrubExamples(item, standIns);
}

// "scheme://host[:port]" of a URL, as postmanBaseUrls() groups them.
QString baseOf(const QString &url)
{
    const qsizetype scheme = url.indexOf(u"://"_s);
    const qsizetype start = scheme < 0 ? 0 : scheme + 3;
    const qsizetype slash = url.indexOf(u'/', start);
    return slash < 0 ? url : url.left(slash);
}

QString snakeName(const QString &text)
{
    QString out;
    for (const QChar c : text.toLower()) {
        if ((c.isLetterOrNumber() && c.unicode() < 128))
            out += c;
        else if (!out.isEmpty() && !out.endsWith(u'_'))
            out += u'_';
    }
    while (out.endsWith(u'_'))
        out.chop(1);
    return out.left(60);
}

struct Request
{
    const Item *item = nullptr;
    QString pointer;        // "/item/0/item/1"
    QStringList folders;
    const Auth *auth = nullptr;   // the one that applies: its own, its folder's, the collection's
    QString path;           // below the endpoint's url, with {placeholders}
    QStringList pathNames;  // the placeholders of `path`, in order
    QHash<QString, QString> pathDefaults;   // placeholder → the path variable's value in Postman
};

// A request as an operation of its endpoint.
struct Op
{
    const Request *request;
    QString name;
    std::optional<Data::SchemaField> requestBody;
    std::optional<Data::SchemaField> response;
    QList<Value> queryParameters;   // the enabled ones
};

struct Group
{
    PostmanBaseUrl base;
    std::vector<Request> requests;
};

class Converter
{
public:
    Converter(const PostmanImport &imported, const PostmanEndpointOptions &options)
        : m_import(imported)
        , m_options(options)
    {
        m_variables.addScope(Tr::tr("collection"), imported.collection.variables);
    }

    Result<PostmanEndpoints> run(const QList<PostmanBaseUrl> &bases)
    {
        const Collection &c = m_import.collection;
        PostmanEndpoints out;
        out.collectionName = c.name;
        std::vector<Group> groups;
        for (const PostmanBaseUrl &b : bases)
            groups.push_back({b, {}});
        collect(c.items, u""_s, {}, &c.auth, groups);
        std::erase_if(groups, [](const Group &g) { return g.requests.empty(); });
        for (const Group &g : groups)
            out.requests += int(g.requests.size());
        if (out.requests == 0) {
            return makeError("postman_empty", Tr::tr("/item: the collection \"%1\" has no requests with a URL: there is "
                                                     "nothing to make an endpoint of").arg(c.name));
        }

        // Base URLs the collection leaves open: the service URL stands for one of them.
        std::vector<Group *> open;
        for (Group &g : groups) {
            if (!g.base.resolved)
                open.push_back(&g);
        }
        const bool haveServiceUrl = !m_options.serviceUrl.isEmpty();
        if (haveServiceUrl && (!m_options.serviceUrl.isValid() || m_options.serviceUrl.host().isEmpty()
                               || !m_options.serviceUrl.scheme().startsWith(u"http"_s))) {
            return makeError("invalid_import", Tr::tr("The service URL %1 is not an http(s) URL")
                                                   .arg(m_options.serviceUrl.toString()));
        }
        if (open.size() > 1 || (open.size() == 1 && !haveServiceUrl)) {
            QStringList details;
            for (const Group *g : open) {
                details.append(Tr::tr("%1/request/url: the base URL %2 of %n request(s) uses {{%3}}, which the "
                                      "collection does not define", nullptr, int(g->requests.size()))
                                   .arg(g->requests.front().pointer, g->base.baseUrl,
                                        Variables::referencedNames(g->base.baseUrl).join(u"}}, {{"_s)));
            }
            return makeError("postman_unresolved",
                             open.size() == 1
                                 ? Tr::tr("The collection's requests go to %1, a variable of a Postman environment: give "
                                          "the service URL it stands for").arg(open.front()->base.baseUrl)
                                 : Tr::tr("The collection leaves %1 base URLs to Postman environments; one service URL "
                                          "can stand for one of them: define the others as collection variables")
                                       .arg(open.size()),
                             details);
        }
        if (haveServiceUrl && open.empty() && groups.size() > 1) {
            out.warnings.append(Tr::tr("The service URL %1 was not used: the collection's %2 base URLs are all defined")
                                    .arg(m_options.serviceUrl.toString()).arg(groups.size()));
        }

        // Ids: the first as given (or from the collection's name), then <id>-2, <id>-3, ...
        QString firstId = m_options.endpointId.isEmpty() ? endpointIdFromName(c.name) : m_options.endpointId;
        static const QRegularExpression idPattern(u"^[a-z0-9][a-z0-9._-]{0,63}$"_s);
        if (!idPattern.match(firstId).hasMatch()) {
            return makeError("invalid_import", Tr::tr("\"%1\" is not an endpoint id (lowercase letters, digits, '.', '_', "
                                                      "'-', starting with a letter or digit)").arg(firstId));
        }
        if (m_options.takenIds.contains(firstId)) {
            return makeError("invalid_import", Tr::tr("endpoints/%1.json already exists: choose another endpoint id")
                                                   .arg(firstId));
        }
        QStringList used;
        for (size_t i = 0; i < groups.size(); ++i) {
            QString id = firstId;
            for (int n = 2; i > 0 && (used.contains(id) || m_options.takenIds.contains(id)); ++n)
                id = firstId.left(58) + u'-' + QString::number(n);
            used.append(id);
            QUrl url;
            if (!groups[i].base.resolved || (haveServiceUrl && groups.size() == 1))
                url = m_options.serviceUrl;
            out.endpoints.push_back(endpoint(groups[i], id, url, groups.size() > 1, out.secrets));
        }

        // What the collection has that endpoints do not: scripts, auth types, test assertions.
        // The tester's notes on lifted credentials are said again per secret by the caller.
        for (const QString &note : m_import.notUnderstood) {
            const bool aboutCredential = std::any_of(m_import.credentials.begin(), m_import.credentials.end(),
                                                     [&](const auto &cr) { return note.contains(u"{{"_s + cr.first + u"}}"_s); });
            if (!aboutCredential)
                out.warnings.append(QString(note).remove(Tr::tr(" (kept for export)")));
        }
        if (!m_skipped.isEmpty()) {
            out.warnings.append(Tr::tr("%n request(s) have no URL with a host and were not imported: %1", nullptr,
                                       int(m_skipped.size())).arg(m_skipped.mid(0, 5).join(u", "_s)));
        }
        if (m_assertions > 0) {
            out.warnings.append(Tr::tr("%n request(s) have test assertions: they belong to the request tester "
                                       "(import the collection there to run them)", nullptr, m_assertions));
        }
        return out;
    }

private:
    void collect(const QList<Item> &items, const QString &pointer, const QStringList &folders, const Auth *inherited,
                 std::vector<Group> &groups)
    {
        for (qsizetype i = 0; i < items.size(); ++i) {
            const Item &item = items.at(i);
            const QString here = pointer + u"/item/"_s + QString::number(i);
            const Auth *auth = item.auth.type == Auth::Type::Inherit ? inherited : &item.auth;
            if (item.isFolder) {
                collect(item.items, here, folders + QStringList{item.name}, auth, groups);
                continue;
            }
            // The same key as postmanBaseUrls(): everything filled in that can be, else as written.
            QString url = item.request.url;
            const Variables scoped = m_variables.withFirstScope(Tr::tr("request"), item.request.variables);
            if (Result<QString> filled = scoped.substitute(url, {}); filled)
                url = *filled;
            const QString key = baseOf(url);
            auto group = std::find_if(groups.begin(), groups.end(), [&](const Group &g) { return g.base.baseUrl == key; });
            if (key.isEmpty() || group == groups.end()) {
                m_skipped.append(u'"' + (folders + QStringList{item.name}).join(u" / "_s) + u'"');
                continue;
            }
            if (!item.request.assertions.isEmpty())
                ++m_assertions;
            Request r;
            r.item = &item;
            r.pointer = here;
            r.folders = folders;
            r.auth = auth;
            placePath(r);
            group->requests.push_back(std::move(r));
        }
    }

    // The request's path below its base URL: collection variables filled in, path variables
    // (:id, {{id}}) and variables of environments as {placeholders}.
    void placePath(Request &r)
    {
        const RequestSpec &spec = r.item->request;
        QString partial;
        qsizetype last = 0;
        QRegularExpressionMatchIterator it = variablePattern().globalMatch(spec.url);
        QStringList open;
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            partial += spec.url.mid(last, m.capturedStart() - last);
            last = m.capturedEnd();
            const QString name = m.captured(1);
            auto pathVariable = std::find_if(spec.variables.begin(), spec.variables.end(),
                                             [&](const KeyValue &kv) { return kv.name == name; });
            std::optional<Result<QString>> value;
            if (pathVariable == spec.variables.end() && !name.startsWith(u'$'))
                value = m_variables.value(name, {});
            if (value && *value) {
                partial += **value;
            } else {
                partial += m.captured(0);
                if (pathVariable != spec.variables.end() && !looksLikeCredential(name) && !pathVariable->value.isEmpty()
                    && !pathVariable->value.contains(u"{{"_s))
                    r.pathDefaults.insert(identifier(name), pathVariable->value);
            }
        }
        partial += spec.url.mid(last);
        QString path = partial.mid(baseOf(partial).size());
        // What is left as {{name}} becomes {name}.
        QString placed;
        last = 0;
        it = variablePattern().globalMatch(path);
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            placed += path.mid(last, m.capturedStart() - last);
            last = m.capturedEnd();
            const QString name = identifier(m.captured(1));
            placed += u'{' + name + u'}';
            if (!r.pathNames.contains(name))
                r.pathNames.append(name);
        }
        placed += path.mid(last);
        if (!placed.isEmpty() && !placed.startsWith(u'/'))
            placed.prepend(u'/');
        r.path = placed;
    }

    // A credential's value as the collection holds it: lifted by importPostman(), or in a
    // collection variable. Empty when it comes from elsewhere (a Postman environment).
    QString credentialValue(const Credential &credential, QString *origin) const
    {
        const QString text = credential.isSecret() ? QString() : credential.text;
        *origin = credential.isSecret() ? credential.secretName : text;
        const QRegularExpressionMatch whole = variablePattern().match(text);
        if (whole.hasMatch() && whole.capturedLength() == text.size()) {
            const QString name = whole.captured(1);
            for (const auto &[lifted, value] : m_import.credentials) {
                if (lifted == name)
                    return value;
            }
            if (const std::optional<Result<QString>> value = m_variables.value(name, {}); value && *value)
                return **value;
            return {};
        }
        if (Result<QString> filled = m_variables.substitute(text, {}); filled)
            return *filled;
        return {};
    }

    // Text that is no credential (a user name, a client id, a token URL): filled in from the
    // collection's variables, else as written with a note.
    QString plain(const QString &text, const QString &pointer, QStringList &notes) const
    {
        if (Result<QString> filled = m_variables.substitute(text, {}); filled)
            return *filled;
        notes.append(Tr::tr("%1: \"%2\" uses a variable of a Postman environment: set the value").arg(pointer, text));
        return text;
    }

    static QString authKey(const Auth *a)
    {
        if (!a)
            return u"none"_s;
        return QString::number(int(a->type)) + u'\x1f' + a->username + u'\x1f' + a->password.text + a->token.text
            + a->value.text + a->clientSecret.text + u'\x1f' + a->parameter + a->tokenUrl + a->clientId;
    }

    static QString authName(const Auth *a)
    {
        switch (a ? a->type : Auth::Type::None) {
        case Auth::Type::Basic: return Tr::tr("basic");
        case Auth::Type::Bearer: return Tr::tr("bearer token");
        case Auth::Type::ApiKey: return Tr::tr("API key");
        case Auth::Type::OAuth2ClientCredentials: return Tr::tr("OAuth2 client credentials");
        default: return Tr::tr("none");
        }
    }

    Value authentication(const Group &group, const QString &id, QList<PostmanSecret> &secrets, QStringList &notes)
    {
        // The authentication most requests use; the others are named.
        QList<std::pair<QString, int>> counts;
        for (const Request &r : group.requests) {
            const QString key = authKey(r.auth);
            auto it = std::find_if(counts.begin(), counts.end(), [&](const auto &p) { return p.first == key; });
            if (it == counts.end())
                counts.append({key, 1});
            else
                ++it->second;
        }
        const QString chosenKey = std::max_element(counts.begin(), counts.end(), [](const auto &a, const auto &b) {
                                      return a.second < b.second;
                                  })->first;
        const Auth *a = nullptr;
        QStringList others;
        for (const Request &r : group.requests) {
            if (authKey(r.auth) == chosenKey)
                a = r.auth;
            else
                others.append(u'"' + r.item->name + u"\" ("_s + authName(r.auth) + u')');
        }
        if (!others.isEmpty()) {
            notes.append(Tr::tr("/authentication: the endpoint authenticates every request with %1; %n request(s) had "
                                "their own: %2", nullptr, int(others.size()))
                             .arg(authName(a), others.mid(0, 5).join(u", "_s)));
        }

        Data::Object auth;
        auto secretRef = [&](const QString &member, const Credential &credential) {
            PostmanSecret s;
            s.name = u"endpoints."_s + id + u'.' + member;
            s.endpointId = id;
            s.pointer = u"/authentication/"_s + (member == u"api_key" ? u"value"_s : member);
            s.value = credentialValue(credential, &s.origin);
            secrets.append(s);
            return Value(Data::Object{{u"secret"_s, Value(s.name)}});
        };
        auto required = [&](const QString &text, const QString &pointer, const QString &what) {
            const QString value = plain(text, pointer, notes);
            if (!value.isEmpty())
                return value;
            notes.append(Tr::tr("%1: the collection gives no %2: set it").arg(pointer, what));
            return id;
        };
        switch (a ? a->type : Auth::Type::None) {
        case Auth::Type::Basic:
            auth.insert(u"type"_s, Value(u"basic"_s));
            auth.insert(u"username"_s, Value(required(a->username, u"/authentication/username"_s, Tr::tr("user name"))));
            auth.insert(u"password"_s, secretRef(u"password"_s, a->password));
            break;
        case Auth::Type::Bearer:
            auth.insert(u"type"_s, Value(u"bearer"_s));
            auth.insert(u"token"_s, secretRef(u"token"_s, a->token));
            break;
        case Auth::Type::ApiKey:
            auth.insert(u"type"_s, Value(u"api_key"_s));
            auth.insert(u"in"_s, Value(a->inQuery ? u"query"_s : u"header"_s));
            auth.insert(u"parameter"_s,
                        Value(a->parameter.isEmpty() ? u"X-API-Key"_s : plain(a->parameter, u"/authentication/parameter"_s, notes)));
            auth.insert(u"value"_s, secretRef(u"api_key"_s, a->value));
            break;
        case Auth::Type::OAuth2ClientCredentials: {
            auth.insert(u"type"_s, Value(u"oauth2_client_credentials"_s));
            auth.insert(u"token_url"_s, Value(plain(a->tokenUrl, u"/authentication/token_url"_s, notes)));
            auth.insert(u"client_id"_s, Value(required(a->clientId, u"/authentication/client_id"_s, Tr::tr("client id"))));
            auth.insert(u"client_secret"_s, secretRef(u"client_secret"_s, a->clientSecret));
            Data::Array scopes;
            for (const QString &scope : a->scopes)
                scopes.push_back(Value(scope));
            auth.insert(u"scopes"_s, Value(std::move(scopes)));
            if (!a->audience.isEmpty())
                auth.insert(u"audience"_s, Value(plain(a->audience, u"/authentication/audience"_s, notes)));
            break;
        }
        default:
            auth.insert(u"type"_s, Value(u"none"_s));
            break;
        }
        return Value(std::move(auth));
    }

    static std::optional<Data::SchemaField> bodySchema(const Body &body, const QString &where, QStringList &notes)
    {
        Data::SchemaInference inference;
        if (body.mode == Body::Mode::FormData || body.mode == Body::Mode::UrlEncoded) {
            Data::Object record;
            for (const KeyValue &kv : body.fields)
                record.insert(kv.name, Value(kv.value));
            inference.add(Value(std::move(record)));
        } else if (body.mode == Body::Mode::Json
                   || (body.mode == Body::Mode::Raw && (body.content.trimmed().startsWith(u'{')
                                                        || body.content.trimmed().startsWith(u'[')))) {
            Result<Value> parsed = Data::Json::parse(body.content.toUtf8());
            bool stoodIn = false;
            if (!parsed) {
                // {{variables}} where JSON values go: a number stands for them, and is no example.
                QString content = body.content;
                content.replace(variablePattern(), QString::number(standIn));
                parsed = Data::Json::parse(content.toUtf8());
                stoodIn = true;
            }
            if (!parsed) {
                notes.append(Tr::tr("%1: the JSON body is not JSON (%2): no request schema").arg(where, parsed.error().message));
                return std::nullopt;
            }
            inference.add(*parsed);
            Data::SchemaField field = inference.result();
            scrubExamples(field, stoodIn);
            return field;
        } else {
            return std::nullopt;
        }
        Data::SchemaField field = inference.result();
        scrubExamples(field);
        return field;
    }

    // The saved example responses' JSON bodies (successful ones), merged.
    static std::optional<Data::SchemaField> responseSchema(const Item &item)
    {
        const QJsonArray responses = item.extra.value(u"x-postman"_s).toObject().value(u"response"_s).toArray();
        Data::SchemaInference inference;
        for (const QJsonValue &r : responses) {
            const QJsonObject response = r.toObject();
            const int code = response.value(u"code"_s).toInt(200);
            if (code < 200 || code >= 300)
                continue;
            if (Result<Value> body = Data::Json::parse(response.value(u"body"_s).toString().toUtf8()); body)
                inference.add(*body);
        }
        if (inference.sampleCount() == 0)
            return std::nullopt;
        Data::SchemaField field = inference.result();
        scrubExamples(field);
        return field;
    }

    // A list response: the pointer to its records and their field tree.
    static std::optional<std::pair<QString, Data::SchemaField>> listOf(const Data::SchemaField &response)
    {
        if (response.isRepeated() && response.item())
            return std::pair{u""_s, *response.item()};
        const Data::SchemaField *only = nullptr;
        for (const Data::SchemaField &f : response.fields) {
            if (f.isRepeated() && f.item() && f.item()->types.testFlag(Data::SchemaType::Object)) {
                if (only)
                    return std::nullopt;
                only = &f;
            }
        }
        if (!only)
            return std::nullopt;
        return std::pair{u"/"_s + only->name, *only->item()};
    }

    static Value parameter(const QString &name, const QString &in, bool required, const QString &description,
                           const QString &example)
    {
        Data::Object p;
        p.insert(u"name"_s, Value(name));
        p.insert(u"in"_s, Value(in));
        p.insert(u"required"_s, Value(required));
        p.insert(u"schema"_s, Value(Data::Object{{u"type"_s, Value(u"string"_s)}}));
        if (!description.isEmpty())
            p.insert(u"description"_s, Value(description.simplified()));
        if (!example.isEmpty() && !looksLikeCredential(name))
            p.insert(u"example"_s, Value(example));
        return Value(std::move(p));
    }

    Connectors::ImportedEndpoint endpoint(Group &group, const QString &id, const QUrl &serviceUrl, bool several,
                                          QList<PostmanSecret> &secrets)
    {
        const Collection &c = m_import.collection;
        Connectors::ImportedEndpoint out;
        QStringList notes;

        QString url = serviceUrl.isEmpty() ? group.base.baseUrl : serviceUrl.toString();
        if (!url.contains(u"://"_s)) {
            url.prepend(u"http://"_s);
            notes.append(Tr::tr("/url: %1 names no scheme; http, as Postman sends it").arg(group.base.baseUrl));
        }
        while (url.endsWith(u'/'))
            url.chop(1);
        // The path all requests share (but the last segment of each) goes into the url; one
        // request keeps its whole path.
        std::vector<QStringList> segments;
        for (const Request &r : group.requests)
            segments.push_back(r.path.split(u'/', Qt::SkipEmptyParts));
        QStringList prefix = segments.front().mid(0, segments.front().size() - 1);
        for (const QStringList &s : segments) {
            qsizetype n = 0;
            while (n < prefix.size() && n + 1 < s.size() && s.at(n) == prefix.at(n) && !prefix.at(n).contains(u'{'))
                ++n;
            prefix = prefix.mid(0, n);
        }
        if (!prefix.isEmpty() && group.requests.size() > 1) {
            url += u'/' + prefix.join(u'/');
            for (Request &r : group.requests)
                r.path = r.path.mid(prefix.join(u'/').size() + 1);
        }

        const QString host = QUrl(url).host().isEmpty() ? group.base.baseUrl : QUrl(url).host();
        QString name = m_options.name.isEmpty() ? c.name : m_options.name;
        if (several)
            name += u" ("_s + host + u')';
        Data::Object endpoint;
        endpoint.insert(u"kind"_s, Value(u"Endpoint"_s));
        endpoint.insert(u"schemaVersion"_s, Value(1));
        endpoint.insert(u"id"_s, Value(id));
        endpoint.insert(u"name"_s, Value(name));
        QString description = c.description.section(u"\n\n"_s, 0, 0).simplified();
        if (description.size() > 500)
            description = description.left(497) + u"..."_s;
        if (!description.isEmpty())
            endpoint.insert(u"description"_s, Value(description));
        endpoint.insert(u"type"_s, Value(u"api"_s));
        endpoint.insert(u"protocol"_s, Value(u"rest"_s));
        endpoint.insert(u"url"_s, Value(url));
        endpoint.insert(u"data_format"_s, Value(u"json"_s));
        endpoint.insert(u"authentication"_s, authentication(group, id, secrets, notes));

        // Operations, one per request.
        std::vector<Op> ops;
        QSet<QString> names;
        Data::Array operations;
        for (const Request &r : group.requests) {
            const Item &item = *r.item;
            const RequestSpec &spec = item.request;
            const QString where = u'"' + (r.folders + QStringList{item.name}).join(u" / "_s) + u'"';
            QString opName = snakeName(item.name);
            if (opName.isEmpty() || !opName.at(0).isLetter())
                opName = snakeName(spec.method + u' ' + (opName.isEmpty() ? r.path : opName));
            const QString stem = opName;
            for (int n = 2; names.contains(opName); ++n)
                opName = stem + u'_' + QString::number(n);
            names.insert(opName);

            Op op{&r, opName, bodySchema(spec.body, where, notes), responseSchema(item), {}};
            Data::Object operation;
            operation.insert(u"name"_s, Value(opName));
            operation.insert(u"method"_s, Value(spec.method));
            operation.insert(u"path"_s, Value(r.path));
            operation.insert(u"summary"_s, Value(item.name));
            if (!item.description.isEmpty())
                operation.insert(u"description"_s, Value(item.description.section(u"\n\n"_s, 0, 0).simplified().left(500)));
            if (!r.folders.isEmpty())
                operation.insert(u"tags"_s, Value(Data::Array{Value(r.folders.join(u" / "_s))}));
            Data::Array parameters;
            for (const QString &p : r.pathNames)
                parameters.push_back(parameter(p, u"path"_s, true, {}, r.pathDefaults.value(p)));
            for (const KeyValue &q : spec.query) {
                QString value = q.value;
                if (Result<QString> filled = m_variables.substitute(value, {}); filled)
                    value = *filled;
                else
                    value.clear();
                if (looksLikeCredential(q.name) && !q.value.isEmpty()) {
                    notes.append(Tr::tr("%1: the query parameter %2 holds a credential: its value is not imported "
                                        "(use the endpoint's authentication)").arg(where, q.name));
                }
                const Value p = parameter(q.name, u"query"_s, false, q.description, value);
                parameters.push_back(p);
                if (q.enabled)
                    op.queryParameters.append(p);
            }
            for (const KeyValue &h : spec.headers) {
                if (looksLikeCredential(h.name)) {
                    notes.append(Tr::tr("%1: the header %2 holds a credential: not imported (use the endpoint's "
                                        "authentication)").arg(where, h.name));
                    continue;
                }
                QString value = h.value;
                if (Result<QString> filled = m_variables.substitute(value, {}); filled)
                    value = *filled;
                else
                    value.clear();
                parameters.push_back(parameter(h.name, u"header"_s, false, h.description, value));
            }
            if (!parameters.empty())
                operation.insert(u"parameters"_s, Value(std::move(parameters)));
            if (op.requestBody)
                operation.insert(u"request_schema"_s, op.requestBody->toJsonSchema(false));
            if (op.response)
                operation.insert(u"response_schema"_s, op.response->toJsonSchema(false));
            operations.push_back(Value(std::move(operation)));

            Connectors::Entity entity;
            entity.name = opName;
            entity.description = spec.method + u' ' + (r.path.isEmpty() ? u"/"_s : r.path) + u" — "_s + item.name;
            if (op.response)
                entity.schema = *op.response;
            else if (op.requestBody)
                entity.schema = *op.requestBody;
            else
                entity.schema.types = Data::SchemaType::Object;
            out.entities.push_back(std::move(entity));
            out.operations.append(opName);
            ops.push_back(std::move(op));
        }

        Data::Array resources = this->resources(ops, notes);
        if (resources.empty()) {
            notes.append(Tr::tr("/configuration/resources: no request of %1 reads a list or writes: the REST connector "
                                "needs a resource; add one").arg(url));
        }
        Data::Object configuration;
        configuration.insert(u"resources"_s, Value(std::move(resources)));
        configuration.insert(u"operations"_s, Value(std::move(operations)));
        Data::Object source;
        source.insert(u"format"_s, Value(u"postman"_s));
        source.insert(u"collection"_s, Value(c.name));
        const QString postmanId = c.extra.value(u"x-postman"_s).toObject().value(u"info"_s).toObject()
                                      .value(u"_postman_id"_s).toString();
        if (!postmanId.isEmpty())
            source.insert(u"postman_id"_s, Value(postmanId));
        configuration.insert(u"imported_from"_s, Value(std::move(source)));
        endpoint.insert(u"configuration"_s, Value(std::move(configuration)));

        out.document = Value(std::move(endpoint));
        out.warnings = notes;
        out.summary = Tr::tr("Postman collection \"%1\": %n request(s) to %2", nullptr, int(group.requests.size()))
                          .arg(c.name, url);
        return out;
    }

    // GETs of lists are readable resources; POST on their path and PUT/PATCH/DELETE on
    // "<path>/{x}" their writes; other writing requests write-only resources of their own.
    Data::Array resources(const std::vector<Op> &ops, QStringList &notes) const
    {
        Data::Array out;
        QSet<const Op *> joined;
        static const QRegularExpression itemPath(u"^(.*)/\\{([^}/]+)\\}$"_s);
        for (const Op &op : ops) {
            const Request &r = *op.request;
            const RequestSpec &spec = r.item->request;
            if (spec.method != u"GET")
                continue;
            std::optional<std::pair<QString, Data::SchemaField>> list;
            if (op.response)
                list = listOf(*op.response);
            if (op.response ? !list : r.path.endsWith(u'}'))
                continue;   // one record ("/orders/{id}"), or an answer that holds no list
            Data::Object resource;
            resource.insert(u"name"_s, Value(op.name));
            resource.insert(u"description"_s, Value(spec.method + u' ' + r.path + u" — "_s + r.item->name));
            resource.insert(u"method"_s, Value(u"GET"_s));
            resource.insert(u"path"_s, Value(r.path));
            resource.insert(u"record_selector"_s, Value(list ? list->first : QString()));
            if (!list) {
                notes.append(Tr::tr("/configuration/resources (%1): no example response says where the records are; "
                                    "the whole body is taken as the list (record_selector \"\")").arg(op.name));
            }
            QString key;
            if (list) {
                for (const QString &candidate : {u"id"_s, u"ID"_s, u"Id"_s, u"uuid"_s, u"key"_s}) {
                    if (list->second.field(candidate)) {
                        key = candidate;
                        break;
                    }
                }
            }
            Data::Array parameters;
            for (const QString &p : r.pathNames) {
                Data::Object parameter{{u"name"_s, Value(p)}, {u"in"_s, Value(u"path"_s)}, {u"description"_s, Value(p)},
                                       {u"required"_s, Value(true)}};
                if (r.pathDefaults.contains(p))
                    parameter.insert(u"default"_s, Value(r.pathDefaults.value(p)));
                parameters.push_back(Value(std::move(parameter)));
            }
            for (const Value &q : op.queryParameters) {
                Data::Object parameter{{u"name"_s, q[u"name"]}, {u"in"_s, Value(u"query"_s)},
                                       {u"description"_s, q[u"description"].isString() ? q[u"description"] : q[u"name"]},
                                       {u"required"_s, Value(false)}};
                if (q[u"example"].isString())
                    parameter.insert(u"default"_s, q[u"example"]);
                parameters.push_back(Value(std::move(parameter)));
            }
            if (!parameters.empty())
                resource.insert(u"parameters"_s, Value(std::move(parameters)));

            Data::Object write;
            for (const Op &other : ops) {
                const QString method = other.request->item->request.method;
                const QString path = other.request->path;
                if (method == u"POST" && path == r.path && !write.contains(u"insert")) {
                    write.insert(u"insert"_s, Value(Data::Object{{u"method"_s, Value(method)}, {u"path"_s, Value(path)}}));
                    joined.insert(&other);
                    continue;
                }
                const QRegularExpressionMatch m = itemPath.match(path);
                if (!m.hasMatch() || m.captured(1) != r.path)
                    continue;
                const QString mode = method == u"DELETE" ? u"delete"_s
                                     : (method == u"PUT" || method == u"PATCH") ? u"update"_s : QString();
                if (mode.isEmpty() || (write.contains(mode) && method != u"PATCH"))
                    continue;
                // The record's key fills the item path: {orderId} becomes {id} when the records have "id".
                if (key.isEmpty())
                    key = m.captured(2);
                const QString keyed = r.path + u"/{"_s + key + u'}';
                write.insert(mode, Value(Data::Object{{u"method"_s, Value(method)}, {u"path"_s, Value(keyed)}}));
                joined.insert(&other);
            }
            if (!key.isEmpty())
                resource.insert(u"primary_key"_s, Value(Data::Array{Value(key)}));
            if (!write.isEmpty())
                resource.insert(u"write"_s, Value(std::move(write)));
            out.push_back(Value(std::move(resource)));
        }
        for (const Op &op : ops) {
            const QString method = op.request->item->request.method;
            const QString mode = method == u"POST"                       ? u"insert"_s
                                 : method == u"PUT" || method == u"PATCH" ? u"update"_s
                                 : method == u"DELETE"                    ? u"delete"_s
                                                                          : QString();
            if (mode.isEmpty() || joined.contains(&op))
                continue;
            Data::Object resource;
            resource.insert(u"name"_s, Value(op.name));
            resource.insert(u"description"_s, Value(method + u' ' + op.request->path + u" — "_s + op.request->item->name));
            resource.insert(u"path"_s, Value(op.request->path));
            resource.insert(u"read"_s, Value(false));
            resource.insert(u"write"_s, Value(Data::Object{{mode, Value(Data::Object{{u"method"_s, Value(method)},
                                                                                      {u"path"_s, Value(op.request->path)}})}}));
            out.push_back(Value(std::move(resource)));
        }
        return out;
    }

    const PostmanImport &m_import;
    const PostmanEndpointOptions &m_options;
    Variables m_variables;
    int m_assertions = 0;
    QStringList m_skipped;   // requests without a URL
};

} // namespace

QString endpointIdFromName(const QString &name)
{
    QString id;
    for (const QChar c : name.toLower()) {
        if ((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9'))
            id += c;
        else if (!id.isEmpty() && !id.endsWith(u'-'))
            id += u'-';
    }
    id = id.left(60);
    while (id.endsWith(u'-'))
        id.chop(1);
    return id.isEmpty() ? u"postman"_s : id;
}

Result<PostmanEndpoints> postmanEndpoints(const QByteArray &json, const PostmanEndpointOptions &options)
{
    Result<PostmanImport> imported = importPostman(json);
    if (!imported) {
        Error error = imported.error();
        // JSON, but no collection: say where, and what the file looks like instead.
        const QJsonDocument document = QJsonDocument::fromJson(json);
        if (error.details.isEmpty() && document.isObject() && !document.object().contains(u"info"_s)) {
            const QJsonObject root = document.object();
            QString detail = Tr::tr("/info: missing; a Postman collection v2.1 has \"info\" (name, schema) and "
                                    "\"item\" (its folders and requests)");
            if (root.contains(u"openapi"_s) || root.contains(u"swagger"_s))
                detail += Tr::tr("; this is an OpenAPI description: import it as OpenAPI");
            else if (root.contains(u"kind"_s))
                detail += Tr::tr("; this is a Conflux %1 document").arg(root.value(u"kind"_s).toString());
            else if (root.contains(u"values"_s) && root.contains(u"name"_s))
                detail += Tr::tr("; this looks like a Postman environment, not a collection");
            error.details.append(detail);
        }
        return error;
    }
    Result<QList<PostmanBaseUrl>> bases = postmanBaseUrls(json);
    if (!bases)
        return bases.error();
    return Converter(*imported, options).run(*bases);
}

} // namespace Conflux::Tester
