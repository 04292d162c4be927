#include "collection.h"

#include "model/project.h"
#include "tr_p.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Conflux::Tester {

using Internal::Tr;

namespace {

// Reads a document, collecting every problem with its JSON pointer.
class Reader
{
public:
    QStringList problems;

    void problem(const QString &pointer, const QString &message)
    {
        problems.append(u"%1: %2"_s.arg(pointer.isEmpty() ? u"/"_s : pointer, message));
    }

    static QJsonObject extraOf(const QJsonObject &o)
    {
        QJsonObject extra;
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.key().startsWith(u"x-"_s))
                extra.insert(it.key(), it.value());
        }
        return extra;
    }

    QString string(const QJsonObject &o, const QString &key, const QString &pointer, bool required = false)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined()) {
            if (required)
                problem(pointer + u'/' + key, Tr::tr("missing"));
            return {};
        }
        if (!v.isString())
            problem(pointer + u'/' + key, Tr::tr("expected a string"));
        return v.toString();
    }

    Credential credential(const QJsonValue &v, const QString &pointer)
    {
        if (const auto secret = Model::secretReference(v))
            return {*secret, {}};
        if (v.isString())
            return {{}, v.toString()};
        if (!v.isUndefined())
            problem(pointer, Tr::tr("expected {\"secret\": \"name\"} or a {{variable}}"));
        return {};
    }

    QList<KeyValue> keyValues(const QJsonValue &v, const QString &pointer)
    {
        QList<KeyValue> out;
        if (v.isUndefined())
            return out;
        if (!v.isArray()) {
            problem(pointer, Tr::tr("expected an array of {\"name\", \"value\"}"));
            return out;
        }
        const QJsonArray array = v.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString here = pointer + u'/' + QString::number(i);
            const QJsonObject o = array.at(i).toObject();
            KeyValue kv;
            kv.name = string(o, u"name"_s, here, true);
            kv.value = string(o, u"value"_s, here);
            kv.enabled = o.value(u"enabled"_s).toBool(true);
            kv.description = string(o, u"description"_s, here);
            kv.extra = extraOf(o);
            out.append(kv);
        }
        return out;
    }

    Auth auth(const QJsonValue &v, const QString &pointer)
    {
        Auth a;
        if (v.isUndefined())
            return a;
        const QJsonObject o = v.toObject();
        if (!v.isObject()) {
            problem(pointer, Tr::tr("expected an object"));
            return a;
        }
        a.extra = extraOf(o);
        if (o.contains(u"endpoint"_s)) {
            a.type = Auth::Type::Endpoint;
            a.endpoint = string(o, u"endpoint"_s, pointer);
            return a;
        }
        const QString type = string(o, u"type"_s, pointer, true);
        static const QList<std::pair<QString, Auth::Type>> types = {
            {u"none"_s, Auth::Type::None},
            {u"basic"_s, Auth::Type::Basic},
            {u"bearer"_s, Auth::Type::Bearer},
            {u"api_key"_s, Auth::Type::ApiKey},
            {u"oauth2_client_credentials"_s, Auth::Type::OAuth2ClientCredentials}};
        bool known = false;
        for (const auto &[name, t] : types) {
            if (name == type) {
                a.type = t;
                known = true;
            }
        }
        if (!known && !type.isEmpty())
            problem(pointer + u"/type"_s, Tr::tr("unknown authentication type \"%1\"").arg(type));
        a.username = string(o, u"username"_s, pointer, a.type == Auth::Type::Basic);
        a.password = credential(o.value(u"password"_s), pointer + u"/password"_s);
        a.token = credential(o.value(u"token"_s), pointer + u"/token"_s);
        a.inQuery = o.value(u"in"_s).toString() == u"query";
        a.parameter = string(o, u"parameter"_s, pointer, a.type == Auth::Type::ApiKey);
        a.value = credential(o.value(u"value"_s), pointer + u"/value"_s);
        a.tokenUrl = string(o, u"token_url"_s, pointer, a.type == Auth::Type::OAuth2ClientCredentials);
        a.clientId = string(o, u"client_id"_s, pointer, a.type == Auth::Type::OAuth2ClientCredentials);
        a.clientSecret = credential(o.value(u"client_secret"_s), pointer + u"/client_secret"_s);
        const QJsonArray scopes = o.value(u"scopes"_s).toArray();
        for (const QJsonValue &s : scopes)
            a.scopes.append(s.toString());
        a.audience = string(o, u"audience"_s, pointer);
        return a;
    }

    Body body(const QJsonValue &v, const QString &pointer)
    {
        Body b;
        if (v.isUndefined())
            return b;
        const QJsonObject o = v.toObject();
        const QString mode = string(o, u"mode"_s, pointer, true);
        static const QList<std::pair<QString, Body::Mode>> modes = {
            {u"json"_s, Body::Mode::Json}, {u"xml"_s, Body::Mode::Xml}, {u"raw"_s, Body::Mode::Raw},
            {u"form-data"_s, Body::Mode::FormData}, {u"urlencoded"_s, Body::Mode::UrlEncoded}};
        bool known = false;
        for (const auto &[name, m] : modes) {
            if (name == mode) {
                b.mode = m;
                known = true;
            }
        }
        if (!known && !mode.isEmpty())
            problem(pointer + u"/mode"_s, Tr::tr("unknown body mode \"%1\"").arg(mode));
        b.content = string(o, u"content"_s, pointer);
        b.contentType = string(o, u"content_type"_s, pointer);
        b.fields = keyValues(o.value(u"fields"_s), pointer + u"/fields"_s);
        b.extra = extraOf(o);
        return b;
    }

    Assertion assertion(const QJsonObject &o, const QString &pointer)
    {
        Assertion a;
        a.name = string(o, u"name"_s, pointer);
        a.extra = extraOf(o);
        const QString type = string(o, u"type"_s, pointer, true);
        if (type == u"status") {
            a.type = Assertion::Type::Status;
            if (o.contains(u"one_of"_s)) {
                a.statusOneOf = true;
                const QJsonArray list = o.value(u"one_of"_s).toArray();
                for (const QJsonValue &s : list)
                    a.statuses.append(s.toInt());
            } else if (o.value(u"equals"_s).isDouble()) {
                a.statuses.append(o.value(u"equals"_s).toInt());
            }
            if (a.statuses.isEmpty())
                problem(pointer, Tr::tr("a status assertion needs \"equals\" (a status) or \"one_of\""));
        } else if (type == u"header") {
            a.type = Assertion::Type::Header;
            a.header = string(o, u"header"_s, pointer, true);
            if (o.contains(u"equals"_s)) {
                a.headerCheck = Assertion::HeaderCheck::Equals;
                a.text = string(o, u"equals"_s, pointer);
            } else if (o.contains(u"matches"_s)) {
                a.headerCheck = Assertion::HeaderCheck::Matches;
                a.text = string(o, u"matches"_s, pointer);
            } else if (o.contains(u"exists"_s)) {
                a.headerCheck = o.value(u"exists"_s).toBool() ? Assertion::HeaderCheck::Exists
                                                              : Assertion::HeaderCheck::Absent;
            } else {
                problem(pointer, Tr::tr("a header assertion needs \"exists\", \"equals\" or \"matches\""));
            }
        } else if (type == u"expression") {
            a.type = Assertion::Type::Expression;
            a.expression = string(o, u"expression"_s, pointer, true);
        } else if (type == u"response_time") {
            a.type = Assertion::Type::ResponseTime;
            a.belowMs = o.value(u"below_ms"_s).toInteger();
            if (a.belowMs <= 0)
                problem(pointer + u"/below_ms"_s, Tr::tr("expected a positive number of milliseconds"));
        } else if (!type.isEmpty()) {
            problem(pointer + u"/type"_s, Tr::tr("unknown assertion type \"%1\"").arg(type));
        }
        return a;
    }

    QList<Item> items(const QJsonValue &v, const QString &pointer, int depth)
    {
        QList<Item> out;
        if (!v.isArray()) {
            problem(pointer, Tr::tr("expected an array of folders and requests"));
            return out;
        }
        if (depth > 32) {
            problem(pointer, Tr::tr("folders nest too deep"));
            return out;
        }
        const QJsonArray array = v.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString here = pointer + u'/' + QString::number(i);
            if (!array.at(i).isObject()) {
                problem(here, Tr::tr("expected a folder or a request (an object)"));
                continue;
            }
            const QJsonObject o = array.at(i).toObject();
            Item item;
            item.name = string(o, u"name"_s, here, true);
            item.description = string(o, u"description"_s, here);
            item.auth = auth(o.value(u"auth"_s), here + u"/auth"_s);
            item.extra = extraOf(o);
            if (o.contains(u"items"_s)) {
                item.isFolder = true;
                item.items = items(o.value(u"items"_s), here + u"/items"_s, depth + 1);
            } else {
                RequestSpec &r = item.request;
                r.method = string(o, u"method"_s, here, true);
                r.url = string(o, u"url"_s, here, true);
                r.query = keyValues(o.value(u"query"_s), here + u"/query"_s);
                r.headers = keyValues(o.value(u"headers"_s), here + u"/headers"_s);
                r.body = body(o.value(u"body"_s), here + u"/body"_s);
                r.route = string(o, u"route"_s, here);
                const QJsonObject variables = o.value(u"variables"_s).toObject();
                for (auto it = variables.begin(); it != variables.end(); ++it)
                    r.variables.append({it.key(), it.value().toString(), true, {}, {}});
                if (o.contains(u"follow_redirects"_s))
                    r.followRedirects = o.value(u"follow_redirects"_s).toBool();
                const QJsonArray assertions = o.value(u"assertions"_s).toArray();
                for (qsizetype j = 0; j < assertions.size(); ++j) {
                    r.assertions.append(assertion(assertions.at(j).toObject(),
                                                  here + u"/assertions/"_s + QString::number(j)));
                }
            }
            out.append(item);
        }
        return out;
    }
};

QJsonValue credentialToJson(const Credential &c)
{
    if (c.isSecret())
        return QJsonObject{{u"secret"_s, c.secretName}};
    return c.text;
}

QJsonArray keyValuesToJson(const QList<KeyValue> &list)
{
    QJsonArray out;
    for (const KeyValue &kv : list) {
        QJsonObject o = kv.extra;
        o.insert(u"name"_s, kv.name);
        o.insert(u"value"_s, kv.value);
        if (!kv.enabled)
            o.insert(u"enabled"_s, false);
        if (!kv.description.isEmpty())
            o.insert(u"description"_s, kv.description);
        out.append(o);
    }
    return out;
}

QString bodyModeName(Body::Mode mode)
{
    switch (mode) {
    case Body::Mode::None: return {};
    case Body::Mode::Json: return u"json"_s;
    case Body::Mode::Xml: return u"xml"_s;
    case Body::Mode::Raw: return u"raw"_s;
    case Body::Mode::FormData: return u"form-data"_s;
    case Body::Mode::UrlEncoded: return u"urlencoded"_s;
    }
    return {};
}

QJsonObject assertionToJson(const Assertion &a)
{
    QJsonObject o = a.extra;
    if (!a.name.isEmpty())
        o.insert(u"name"_s, a.name);
    switch (a.type) {
    case Assertion::Type::Status:
        o.insert(u"type"_s, u"status"_s);
        if (a.statusOneOf) {
            QJsonArray list;
            for (int s : a.statuses)
                list.append(s);
            o.insert(u"one_of"_s, list);
        } else {
            o.insert(u"equals"_s, a.statuses.value(0));
        }
        break;
    case Assertion::Type::Header:
        o.insert(u"type"_s, u"header"_s);
        o.insert(u"header"_s, a.header);
        switch (a.headerCheck) {
        case Assertion::HeaderCheck::Exists: o.insert(u"exists"_s, true); break;
        case Assertion::HeaderCheck::Absent: o.insert(u"exists"_s, false); break;
        case Assertion::HeaderCheck::Equals: o.insert(u"equals"_s, a.text); break;
        case Assertion::HeaderCheck::Matches: o.insert(u"matches"_s, a.text); break;
        }
        break;
    case Assertion::Type::Expression:
        o.insert(u"type"_s, u"expression"_s);
        o.insert(u"expression"_s, a.expression);
        break;
    case Assertion::Type::ResponseTime:
        o.insert(u"type"_s, u"response_time"_s);
        o.insert(u"below_ms"_s, a.belowMs);
        break;
    }
    return o;
}

QJsonArray itemsToJson(const QList<Item> &items)
{
    QJsonArray out;
    for (const Item &item : items) {
        QJsonObject o = item.extra;
        o.insert(u"name"_s, item.name);
        if (!item.description.isEmpty())
            o.insert(u"description"_s, item.description);
        if (item.auth.type != Auth::Type::Inherit)
            o.insert(u"auth"_s, authToJson(item.auth));
        if (item.isFolder) {
            o.insert(u"items"_s, itemsToJson(item.items));
            out.append(o);
            continue;
        }
        const RequestSpec &r = item.request;
        o.insert(u"method"_s, r.method);
        o.insert(u"url"_s, r.url);
        if (!r.query.isEmpty())
            o.insert(u"query"_s, keyValuesToJson(r.query));
        if (!r.headers.isEmpty())
            o.insert(u"headers"_s, keyValuesToJson(r.headers));
        if (r.body.mode != Body::Mode::None) {
            QJsonObject b = r.body.extra;
            b.insert(u"mode"_s, bodyModeName(r.body.mode));
            if (r.body.mode == Body::Mode::FormData || r.body.mode == Body::Mode::UrlEncoded)
                b.insert(u"fields"_s, keyValuesToJson(r.body.fields));
            else
                b.insert(u"content"_s, r.body.content);
            if (!r.body.contentType.isEmpty())
                b.insert(u"content_type"_s, r.body.contentType);
            o.insert(u"body"_s, b);
        }
        if (!r.route.isEmpty())
            o.insert(u"route"_s, r.route);
        if (!r.variables.isEmpty()) {
            QJsonObject variables;
            for (const KeyValue &kv : r.variables)
                variables.insert(kv.name, kv.value);
            o.insert(u"variables"_s, variables);
        }
        if (r.followRedirects)
            o.insert(u"follow_redirects"_s, *r.followRedirects);
        if (!r.assertions.isEmpty()) {
            QJsonArray list;
            for (const Assertion &a : r.assertions)
                list.append(assertionToJson(a));
            o.insert(u"assertions"_s, list);
        }
        out.append(o);
    }
    return out;
}

int countRequests(const QList<Item> &items)
{
    int n = 0;
    for (const Item &item : items)
        n += item.isFolder ? countRequests(item.items) : 1;
    return n;
}

} // namespace

Result<Auth> authFromJson(const QJsonObject &json, const QString &pointer)
{
    Reader reader;
    Auth auth = reader.auth(json, pointer);
    if (!reader.problems.isEmpty())
        return makeError("invalid_collection", Tr::tr("invalid authentication"), reader.problems);
    return auth;
}

QJsonObject authToJson(const Auth &a)
{
    QJsonObject o = a.extra;
    switch (a.type) {
    case Auth::Type::Inherit: return {};
    case Auth::Type::Endpoint: o.insert(u"endpoint"_s, a.endpoint); return o;
    case Auth::Type::None: o.insert(u"type"_s, u"none"_s); return o;
    case Auth::Type::Basic:
        o.insert(u"type"_s, u"basic"_s);
        o.insert(u"username"_s, a.username);
        o.insert(u"password"_s, credentialToJson(a.password));
        return o;
    case Auth::Type::Bearer:
        o.insert(u"type"_s, u"bearer"_s);
        o.insert(u"token"_s, credentialToJson(a.token));
        return o;
    case Auth::Type::ApiKey:
        o.insert(u"type"_s, u"api_key"_s);
        o.insert(u"in"_s, a.inQuery ? u"query"_s : u"header"_s);
        o.insert(u"parameter"_s, a.parameter);
        o.insert(u"value"_s, credentialToJson(a.value));
        return o;
    case Auth::Type::OAuth2ClientCredentials:
        o.insert(u"type"_s, u"oauth2_client_credentials"_s);
        o.insert(u"token_url"_s, a.tokenUrl);
        o.insert(u"client_id"_s, a.clientId);
        o.insert(u"client_secret"_s, credentialToJson(a.clientSecret));
        if (!a.scopes.isEmpty())
            o.insert(u"scopes"_s, QJsonArray::fromStringList(a.scopes));
        if (!a.audience.isEmpty())
            o.insert(u"audience"_s, a.audience);
        return o;
    }
    return o;
}

bool operator==(const Item &a, const Item &b)
{
    return a.isFolder == b.isFolder && a.name == b.name && a.description == b.description && a.auth == b.auth
           && a.extra == b.extra && a.request == b.request
           && std::equal(a.items.begin(), a.items.end(), b.items.begin(), b.items.end());
}

QString Assertion::describe() const
{
    if (!name.isEmpty())
        return name;
    switch (type) {
    case Type::Status: {
        QStringList list;
        for (int s : statuses)
            list.append(QString::number(s));
        return statusOneOf ? Tr::tr("status is one of %1").arg(list.join(u", "_s))
                           : Tr::tr("status is %1").arg(list.value(0));
    }
    case Type::Header:
        switch (headerCheck) {
        case HeaderCheck::Exists: return Tr::tr("header %1 is present").arg(header);
        case HeaderCheck::Absent: return Tr::tr("header %1 is absent").arg(header);
        case HeaderCheck::Equals: return Tr::tr("header %1 is \"%2\"").arg(header, text);
        case HeaderCheck::Matches: return Tr::tr("header %1 matches /%2/").arg(header, text);
        }
        break;
    case Type::Expression: return Tr::tr("body: %1").arg(expression);
    case Type::ResponseTime: return Tr::tr("response time below %1 ms").arg(belowMs);
    }
    return {};
}

Result<Collection> Collection::fromJson(const QJsonObject &document)
{
    Reader reader;
    Collection c;
    if (document.value(u"kind"_s).toString() != u"Collection")
        reader.problem(u"/kind"_s, Tr::tr("expected \"Collection\""));
    c.id = reader.string(document, u"id"_s, {});
    c.name = reader.string(document, u"name"_s, {}, true);
    c.description = reader.string(document, u"description"_s, {});
    const QJsonObject variables = document.value(u"variables"_s).toObject();
    for (auto it = variables.begin(); it != variables.end(); ++it) {
        if (!it.value().isString())
            reader.problem(u"/variables/"_s + it.key(), Tr::tr("expected a string"));
        c.variables.append({it.key(), it.value().toString(), true, {}, {}});
    }
    c.auth = reader.auth(document.value(u"auth"_s), u"/auth"_s);
    // A new document (the studio's New Document) has no items yet.
    if (document.contains(u"items"_s))
        c.items = reader.items(document.value(u"items"_s), u"/items"_s, 0);
    c.extra = Reader::extraOf(document);
    if (!reader.problems.isEmpty()) {
        return makeError("invalid_collection",
                         Tr::tr("collection %1 is not valid").arg(c.id.isEmpty() ? c.name : c.id),
                         reader.problems);
    }
    return c;
}

Result<Collection> Collection::fromModel(const Model::Collection &collection)
{
    return fromJson(collection.document.json);
}

QJsonObject Collection::toJson() const
{
    QJsonObject o = extra;
    o.insert(u"kind"_s, u"Collection"_s);
    o.insert(u"schemaVersion"_s, 1);
    o.insert(u"id"_s, id);
    o.insert(u"name"_s, name);
    if (!description.isEmpty())
        o.insert(u"description"_s, description);
    if (!variables.isEmpty()) {
        QJsonObject vars;
        for (const KeyValue &kv : variables)
            vars.insert(kv.name, kv.value);
        o.insert(u"variables"_s, vars);
    }
    if (auth.type != Auth::Type::Inherit)
        o.insert(u"auth"_s, authToJson(auth));
    o.insert(u"items"_s, itemsToJson(items));
    return o;
}

const Item *Collection::findFolder(const QString &path) const
{
    const QStringList parts = path.split(u'/', Qt::SkipEmptyParts);
    const QList<Item> *level = &items;
    const Item *found = nullptr;
    for (const QString &part : parts) {
        found = nullptr;
        for (const Item &item : *level) {
            if (item.isFolder && item.name == part) {
                found = &item;
                break;
            }
        }
        if (!found)
            return nullptr;
        level = &found->items;
    }
    return found;
}

int Collection::requestCount() const
{
    return countRequests(items);
}

Result<Environment> Environment::fromJson(const QJsonObject &document)
{
    Reader reader;
    Environment e;
    if (document.value(u"kind"_s).toString() != u"Environment")
        reader.problem(u"/kind"_s, Tr::tr("expected \"Environment\""));
    e.id = reader.string(document, u"id"_s, {});
    e.name = reader.string(document, u"name"_s, {}, true);
    e.description = reader.string(document, u"description"_s, {});
    e.extra = Reader::extraOf(document);
    const QJsonObject variables = document.value(u"variables"_s).toObject();
    for (auto it = variables.begin(); it != variables.end(); ++it)
        e.variables.append({it.key(), reader.credential(it.value(), u"/variables/"_s + it.key())});
    if (!reader.problems.isEmpty()) {
        return makeError("invalid_environment",
                         Tr::tr("environment %1 is not valid").arg(e.id.isEmpty() ? e.name : e.id),
                         reader.problems);
    }
    return e;
}

Result<Environment> Environment::fromModel(const Model::Environment &environment)
{
    return fromJson(environment.document.json);
}

QJsonObject Environment::toJson() const
{
    QJsonObject vars;
    for (const auto &[name, value] : variables)
        vars.insert(name, credentialToJson(value));
    QJsonObject o = extra;
    o.insert(u"kind"_s, u"Environment"_s);
    o.insert(u"schemaVersion"_s, 1);
    o.insert(u"id"_s, id);
    o.insert(u"name"_s, name);
    if (!description.isEmpty())
        o.insert(u"description"_s, description);
    o.insert(u"variables"_s, vars);
    return o;
}

} // namespace Conflux::Tester
