#include "postman.h"

#include "tr_p.h"
#include "variables.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Conflux::Tester {

using Internal::Tr;

namespace {

const QString xPostman = u"x-postman"_s;
const QString fromScript = u"script"_s;

// ---- import --------------------------------------------------------------------------------

QString text(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 17);
    if (v.isBool())
        return v.toBool() ? u"true"_s : u"false"_s;
    return {};
}

// Postman descriptions are a string or {"content", "type"}.
QString description(const QJsonValue &v)
{
    return v.isObject() ? v.toObject().value(u"content"_s).toString() : v.toString();
}

// `o` without `keys`: what goes into x-postman.
QJsonObject without(QJsonObject o, const QStringList &keys)
{
    for (const QString &key : keys)
        o.remove(key);
    return o;
}

QString scriptText(const QJsonObject &event)
{
    const QJsonValue exec = event.value(u"script"_s).toObject().value(u"exec"_s);
    if (exec.isArray()) {
        QStringList lines;
        const QJsonArray array = exec.toArray();
        for (const QJsonValue &line : array)
            lines.append(line.toString());
        return lines.join(u'\n');
    }
    return exec.toString();
}

class Importer
{
public:
    QStringList problems;
    QStringList notUnderstood;
    PostmanImport result;

    void run(const QJsonObject &root)
    {
        const QJsonObject info = root.value(u"info"_s).toObject();
        const QString schema = info.value(u"schema"_s).toString();
        if (!root.value(u"item"_s).isArray())
            problems.append(Tr::tr("/item: a Postman collection has an array \"item\""));
        if (!schema.isEmpty() && !schema.contains(u"/v2."_s))
            problems.append(Tr::tr("/info/schema: %1 is not a Postman collection v2.x").arg(schema));
        Collection &c = result.collection;
        c.name = info.value(u"name"_s).toString();
        if (c.name.isEmpty())
            c.name = Tr::tr("Imported collection");
        c.description = description(info.value(u"description"_s));
        QJsonObject extra = without(root, {u"item"_s, u"variable"_s, u"auth"_s});
        extra.insert(u"info"_s, without(info, {u"name"_s, u"description"_s}));
        if (info.value(u"description"_s).isObject())
            extra.insert(u"description"_s, without(info.value(u"description"_s).toObject(), {u"content"_s}));
        c.extra.insert(xPostman, extra);
        c.variables = keyValues(root.value(u"variable"_s), u"/variable"_s);
        c.auth = auth(root.value(u"auth"_s), Tr::tr("the collection"));
        noteScripts(root.value(u"event"_s).toArray(), Tr::tr("the collection"), nullptr);
        c.items = items(root.value(u"item"_s).toArray(), u"/item"_s, {});
    }

private:
    QList<KeyValue> keyValues(const QJsonValue &v, const QString &pointer, const QString &keyName = u"key"_s)
    {
        QList<KeyValue> out;
        const QJsonArray array = v.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QJsonObject o = array.at(i).toObject();
            if (!o.contains(keyName)) {
                problems.append(Tr::tr("%1/%2: no \"%3\"").arg(pointer).arg(i).arg(keyName));
                continue;
            }
            KeyValue kv;
            kv.name = o.value(keyName).toString();
            kv.value = text(o.value(u"value"_s));
            kv.enabled = !o.value(u"disabled"_s).toBool();
            kv.description = description(o.value(u"description"_s));
            const QJsonObject rest = without(o, {keyName, u"value"_s, u"disabled"_s, u"description"_s});
            // A non-string value (a number in a variable) is given back as written.
            QJsonObject keep = rest;
            if (o.contains(u"value"_s) && !o.value(u"value"_s).isString())
                keep.insert(u"value"_s, o.value(u"value"_s));
            if (!o.contains(u"value"_s))
                keep.insert(u"novalue"_s, true);
            if (o.value(u"description"_s).isObject())
                keep.insert(u"description"_s, without(o.value(u"description"_s).toObject(), {u"content"_s}));
            if (!keep.isEmpty())
                kv.extra.insert(xPostman, keep);
            out.append(kv);
        }
        return out;
    }

    static QHash<QString, QString> authParams(const QJsonValue &v)
    {
        QHash<QString, QString> out;
        const QJsonArray array = v.toArray();
        for (const QJsonValue &p : array)
            out.insert(p.toObject().value(u"key"_s).toString(), text(p.toObject().value(u"value"_s)));
        if (v.isObject()) {   // v2.0 wrote {"username": ...}
            const QJsonObject o = v.toObject();
            for (auto it = o.begin(); it != o.end(); ++it)
                out.insert(it.key(), text(it.value()));
        }
        return out;
    }

    // The original auth object without credential values: the model holds those (as text a
    // person replaces by {{variables}} before saving), x-postman must not keep a second copy.
    static QJsonObject scrubbed(QJsonObject o)
    {
        const QString type = o.value(u"type"_s).toString();
        if (!o.value(type).isArray())
            return o;
        QJsonArray params = o.value(type).toArray();
        for (qsizetype i = 0; i < params.size(); ++i) {
            QJsonObject p = params.at(i).toObject();
            static const QStringList credentials = {
                u"password"_s, u"token"_s, u"clientsecret"_s, u"accesstoken"_s, u"refreshtoken"_s,
                u"secretkey"_s, u"sessiontoken"_s, u"consumersecret"_s, u"tokensecret"_s, u"privatekey"_s,
                u"authkey"_s, u"clientkey"_s};
            QString key = p.value(u"key"_s).toString().toLower();
            key.remove(u'_');
            key.remove(u'-');
            if (credentials.contains(key) || (type == u"apikey" && key == u"value")) {
                p.remove(u"value"_s);
                params[i] = p;
            }
        }
        o.insert(type, params);
        return o;
    }

    // A literal credential becomes a {{variable}} whose value the import hands out separately
    // (PostmanImport::credentials), so the collection can be saved into a project as it is.
    QString credential(const QString &value, const QString &baseName, const QString &where)
    {
        static const QRegularExpression variable(uR"(^\{\{[A-Za-z_][A-Za-z0-9_.-]*\}\}$)"_s);
        if (value.isEmpty() || variable.match(value).hasMatch())
            return value;
        for (const auto &[name, known] : std::as_const(result.credentials)) {
            if (known == value)
                return u"{{"_s + name + u"}}"_s;
        }
        QString name = baseName;
        for (int n = 2; std::any_of(result.credentials.cbegin(), result.credentials.cend(),
                                    [&](const auto &c) { return c.first == name; });
             ++n) {
            name = baseName + u'_' + QString::number(n);
        }
        result.credentials.append({name, value});
        notUnderstood.append(Tr::tr("%1: a literal credential became {{%2}}; keep its value as a secret "
                                    "(an environment's {\"secret\": ...})").arg(where, name));
        return u"{{"_s + name + u"}}"_s;
    }

    Auth auth(const QJsonValue &v, const QString &where)
    {
        Auth a;
        if (!v.isObject())
            return a;
        const QJsonObject o = v.toObject();
        const QString type = o.value(u"type"_s).toString();
        const QHash<QString, QString> p = authParams(o.value(type));
        if (type == u"noauth") {
            a.type = Auth::Type::None;
        } else if (type == u"inherit") {
            a.type = Auth::Type::Inherit;
        } else if (type == u"basic") {
            a.type = Auth::Type::Basic;
            a.username = p.value(u"username"_s);
            a.password.text = credential(p.value(u"password"_s), u"basic_password"_s, where);
        } else if (type == u"bearer") {
            a.type = Auth::Type::Bearer;
            a.token.text = credential(p.value(u"token"_s), u"bearer_token"_s, where);
        } else if (type == u"apikey") {
            a.type = Auth::Type::ApiKey;
            a.parameter = p.value(u"key"_s);
            a.value.text = credential(p.value(u"value"_s), u"api_key"_s, where);
            a.inQuery = p.value(u"in"_s) == u"query";
        } else if (type == u"oauth2" && p.value(u"grant_type"_s) == u"client_credentials") {
            a.type = Auth::Type::OAuth2ClientCredentials;
            a.tokenUrl = p.value(u"accessTokenUrl"_s);
            a.clientId = p.value(u"clientId"_s);
            a.clientSecret.text = credential(p.value(u"clientSecret"_s), u"client_secret"_s, where);
            a.scopes = p.value(u"scope"_s).split(u' ', Qt::SkipEmptyParts);
            a.audience = p.value(u"audience"_s);
        } else {
            // Kept for the export; requests go without it.
            a.type = Auth::Type::None;
            a.extra.insert(xPostman, scrubbed(o));
            notUnderstood.append(Tr::tr("%1: authentication \"%2\" is not supported (kept for export "
                                        "without its credentials; requests are sent without it)").arg(where, type));
            return a;
        }
        // The original, for an export that gives back what Conflux does not model (token
        // names, client authentication, ...).
        a.extra.insert(xPostman, scrubbed(o));
        return a;
    }

    // Turns recognised test script lines into assertions; reports the rest.
    void noteScripts(const QJsonArray &events, const QString &where, QList<Assertion> *assertions)
    {
        for (const QJsonValue &ev : events) {
            const QJsonObject event = ev.toObject();
            const QString listen = event.value(u"listen"_s).toString();
            const QString script = scriptText(event);
            if (script.trimmed().isEmpty())
                continue;
            if (listen != u"test" || !assertions) {
                notUnderstood.append(Tr::tr("%1: %2 script not run (kept for export)")
                                         .arg(where, listen == u"prerequest" ? Tr::tr("pre-request") : listen));
                continue;
            }
            QStringList unknown;
            // pm.test('name', () => {  ...  }); : the assertions inside take the test's name.
            static const QRegularExpression opening(
                uR"(^pm\.test\(\s*(['"])(.*?)\1\s*,\s*(?:\(\s*\)\s*=>|function\s*\(\s*\))\s*\{$)"_s);
            QString testName;
            const QStringList lines = script.split(u'\n');
            for (const QString &raw : lines) {
                const QString line = raw.trimmed();
                if (line.isEmpty() || line.startsWith(u"//"_s))
                    continue;
                if (line == u"});" || line == u"})") {
                    testName.clear();
                    continue;
                }
                if (const QRegularExpressionMatch m = opening.match(line); m.hasMatch()) {
                    testName = m.captured(2);
                    continue;
                }
                std::optional<Assertion> a = recognise(line);
                if (a && a->name.isEmpty())
                    a->name = testName;
                if (a) {
                    a->extra.insert(xPostman, fromScript);
                    assertions->append(*a);
                } else {
                    unknown.append(line);
                }
            }
            if (!unknown.isEmpty()) {
                notUnderstood.append(Tr::tr("%1: %n test script line(s) not understood (kept for export), "
                                            "first: %2", nullptr, int(unknown.size()))
                                         .arg(where, unknown.first().left(120)));
            }
        }
    }

    static std::optional<Assertion> recognise(const QString &line)
    {
        // pm.test('name', () => <assertion>); or pm.test("name", function () { <assertion> });
        static const QRegularExpression test(
            uR"(^pm\.test\(\s*(['"])(.*?)\1\s*,\s*(?:\(\s*\)\s*=>|function\s*\(\s*\))\s*\{?\s*(.*?)\s*;?\s*\}?\s*\)\s*;?$)"_s);
        QString name;
        QString body = line;
        if (const QRegularExpressionMatch m = test.match(line); m.hasMatch()) {
            name = m.captured(2);
            body = m.captured(3);
            if (body.isEmpty())
                return std::nullopt;
        }
        if (body.endsWith(u';'))
            body.chop(1);
        Assertion a;
        a.name = name;
        static const QRegularExpression status(uR"(^pm\.response\.to\.have\.status\(\s*(\d{3})\s*\)$)"_s);
        static const QRegularExpression code(
            uR"(^pm\.expect\(\s*pm\.response\.(?:code|status)\s*\)\.to\.(?:eql|equal|eq|be\.equal)\(\s*(\d{3})\s*\)$)"_s);
        static const QRegularExpression oneOf(
            uR"(^pm\.expect\(\s*pm\.response\.code\s*\)\.to\.be\.oneOf\(\s*\[([\d\s,]+)\]\s*\)$)"_s);
        static const QRegularExpression header(
            uR"(^pm\.response\.to\.have\.header\(\s*(['"])((?:(?!\1).)+)\1\s*(?:,\s*(['"])(.*)\3\s*)?\)$)"_s);
        static const QRegularExpression time(
            uR"(^pm\.expect\(\s*pm\.response\.responseTime\s*\)\.to\.be\.below\(\s*(\d+)\s*\)$)"_s);
        if (const auto m = status.match(body); m.hasMatch()) {
            a.statuses = {m.captured(1).toInt()};
        } else if (const auto m2 = code.match(body); m2.hasMatch()) {
            a.statuses = {m2.captured(1).toInt()};
        } else if (const auto m3 = oneOf.match(body); m3.hasMatch()) {
            a.statusOneOf = true;
            for (const QString &s : m3.captured(1).split(u',', Qt::SkipEmptyParts))
                a.statuses.append(s.trimmed().toInt());
        } else if (body == u"pm.response.to.be.ok") {
            a.statusOneOf = true;
            for (int s = 200; s < 300; ++s)
                a.statuses.append(s);
        } else if (const auto m4 = header.match(body); m4.hasMatch()) {
            a.type = Assertion::Type::Header;
            a.header = m4.captured(2);
            if (m4.capturedLength(4) > 0 || !m4.captured(3).isEmpty()) {
                a.headerCheck = Assertion::HeaderCheck::Equals;
                a.text = m4.captured(4);
            }
        } else if (const auto m5 = time.match(body); m5.hasMatch()) {
            a.type = Assertion::Type::ResponseTime;
            a.belowMs = m5.captured(1).toLongLong();
        } else {
            return std::nullopt;
        }
        return a;
    }

    Body body(const QJsonValue &v, const QString &where)
    {
        Body b;
        if (!v.isObject())
            return b;
        const QJsonObject o = v.toObject();
        const QString mode = o.value(u"mode"_s).toString();
        QJsonObject keep = without(o, {u"mode"_s, u"raw"_s, u"urlencoded"_s, u"formdata"_s});
        if (mode == u"raw") {
            const QString language = o.value(u"options"_s).toObject().value(u"raw"_s).toObject()
                                         .value(u"language"_s).toString();
            b.mode = language == u"json" ? Body::Mode::Json : language == u"xml" ? Body::Mode::Xml : Body::Mode::Raw;
            b.content = o.value(u"raw"_s).toString();
        } else if (mode == u"urlencoded") {
            b.mode = Body::Mode::UrlEncoded;
            b.fields = keyValues(o.value(u"urlencoded"_s), u"body/urlencoded"_s);
        } else if (mode == u"formdata") {
            b.mode = Body::Mode::FormData;
            b.fields = keyValues(o.value(u"formdata"_s), u"body/formdata"_s);
            for (const KeyValue &f : std::as_const(b.fields)) {
                if (f.extra.value(xPostman).toObject().value(u"type"_s).toString() == u"file")
                    notUnderstood.append(Tr::tr("%1: form field %2 is a file upload; its file name is sent as text")
                                             .arg(where, f.name));
            }
        } else if (mode.isEmpty()) {
            return b;
        } else {
            // file, graphql: sent as raw text of what Conflux can read; the original kept.
            b.mode = Body::Mode::Raw;
            b.content = mode == u"graphql"
                ? QString::fromUtf8(QJsonDocument(o.value(u"graphql"_s).toObject()).toJson(QJsonDocument::Compact))
                : QString();
            keep.insert(u"mode"_s, mode);
            notUnderstood.append(Tr::tr("%1: body mode \"%2\" is sent as raw text").arg(where, mode));
        }
        if (!keep.isEmpty())
            b.extra.insert(xPostman, keep);
        return b;
    }

    void url(const QJsonValue &v, Item &item)
    {
        RequestSpec &r = item.request;
        QString raw;
        QJsonObject keep;
        bool haveQuery = false;
        if (v.isString()) {
            raw = v.toString();
            keep.insert(u"string"_s, true);
        } else {
            const QJsonObject o = v.toObject();
            raw = o.value(u"raw"_s).toString();
            if (o.contains(u"query"_s)) {
                haveQuery = true;
                r.query = keyValues(o.value(u"query"_s), u"url/query"_s);
            }
            keep = without(o, {u"raw"_s, u"protocol"_s, u"host"_s, u"path"_s, u"port"_s, u"query"_s, u"variable"_s});
            // Path variables (/orders/:id): the request's own variables, the segment a {{variable}}.
            r.variables = keyValues(o.value(u"variable"_s), u"url/variable"_s);
            if (!haveQuery)
                keep.insert(u"noquery"_s, true);   // the query only in "raw": exported the same way
        }
        const qsizetype q = raw.indexOf(u'?');
        r.url = q < 0 ? raw : raw.left(q);
        if (!r.variables.isEmpty()) {
            QStringList parts = r.url.split(u'/');
            for (QString &part : parts) {
                for (const KeyValue &kv : std::as_const(r.variables)) {
                    if (part == u':' + kv.name)
                        part = u"{{"_s + kv.name + u"}}"_s;
                }
            }
            r.url = parts.join(u'/');
        }
        if (q >= 0 && !haveQuery) {
            for (const QString &pair : raw.mid(q + 1).split(u'&', Qt::SkipEmptyParts)) {
                const qsizetype eq = pair.indexOf(u'=');
                r.query.append({eq < 0 ? pair : pair.left(eq), eq < 0 ? QString() : pair.mid(eq + 1), true, {}, {}});
            }
        }
        if (!keep.isEmpty())
            item.extra[xPostman] = [&] {
                QJsonObject x = item.extra.value(xPostman).toObject();
                x.insert(u"url"_s, keep);
                return x;
            }();
    }

    QList<Item> items(const QJsonArray &array, const QString &pointer, const QStringList &folders)
    {
        QList<Item> out;
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString here = pointer + u'/' + QString::number(i);
            const QJsonObject o = array.at(i).toObject();
            Item item;
            item.name = o.value(u"name"_s).toString();
            const QString where = Tr::tr("\"%1\"").arg((folders + QStringList{item.name}).join(u" / "_s));
            if (o.contains(u"item"_s)) {
                item.isFolder = true;
                item.description = description(o.value(u"description"_s));
                item.auth = auth(o.value(u"auth"_s), where);
                QJsonObject keep = without(o, {u"name"_s, u"item"_s, u"auth"_s, u"description"_s});
                if (o.value(u"description"_s).isObject())
                    keep.insert(u"description"_s, without(o.value(u"description"_s).toObject(), {u"content"_s}));
                if (!keep.isEmpty())
                    item.extra.insert(xPostman, keep);
                noteScripts(o.value(u"event"_s).toArray(), where, nullptr);
                item.items = items(o.value(u"item"_s).toArray(), here + u"/item"_s, folders + QStringList{item.name});
                out.append(item);
                continue;
            }
            if (!o.contains(u"request"_s)) {
                problems.append(Tr::tr("%1: neither a folder (\"item\") nor a request (\"request\")").arg(here));
                continue;
            }
            const QJsonValue requestValue = o.value(u"request"_s);
            const QJsonObject request = requestValue.toObject();
            QJsonObject keep = without(o, {u"name"_s, u"request"_s});
            QJsonObject requestKeep = without(request, {u"method"_s, u"header"_s, u"url"_s, u"body"_s, u"auth"_s,
                                                        u"description"_s});
            if (request.value(u"description"_s).isObject())
                requestKeep.insert(u"description"_s, without(request.value(u"description"_s).toObject(), {u"content"_s}));
            if (requestValue.isString())
                keep.insert(u"request_string"_s, true);
            if (!requestKeep.isEmpty())
                keep.insert(u"request"_s, requestKeep);
            if (!keep.isEmpty())
                item.extra.insert(xPostman, keep);
            item.description = description(request.value(u"description"_s));
            RequestSpec &r = item.request;
            r.method = request.value(u"method"_s).toString(u"GET"_s).toUpper();
            url(requestValue.isString() ? requestValue : request.value(u"url"_s), item);
            r.headers = keyValues(request.value(u"header"_s), here + u"/request/header"_s);
            r.body = body(request.value(u"body"_s), where);
            item.auth = auth(request.value(u"auth"_s), where);
            noteScripts(o.value(u"event"_s).toArray(), where, &r.assertions);
            out.append(item);
        }
        return out;
    }
};

// ---- export --------------------------------------------------------------------------------

QJsonValue descriptionToJson(const QString &text, const QJsonValue &kept)
{
    if (kept.isObject()) {
        QJsonObject o = kept.toObject();
        o.insert(u"content"_s, text);
        return o;
    }
    return text;
}

QJsonArray keyValuesToPostman(const QList<KeyValue> &list, const QString &keyName = u"key"_s)
{
    QJsonArray out;
    for (const KeyValue &kv : list) {
        QJsonObject kept = kv.extra.value(xPostman).toObject();
        QJsonObject o = kept;
        o.remove(u"novalue"_s);
        o.insert(keyName, kv.name);
        if (!kept.value(u"novalue"_s).toBool())
            o.insert(u"value"_s, kept.contains(u"value"_s) ? kept.value(u"value"_s) : QJsonValue(kv.value));
        if (!kv.enabled)
            o.insert(u"disabled"_s, true);
        if (!kv.description.isEmpty() || kept.contains(u"description"_s))
            o.insert(u"description"_s, descriptionToJson(kv.description, kept.value(u"description"_s)));
        out.append(o);
    }
    return out;
}

QJsonValue credentialText(const Credential &c)
{
    // A secret reference has no Postman form: a variable of the secret's name, to be given
    // in a Postman environment.
    return c.isSecret() ? u"{{"_s + c.secretName + u"}}"_s : c.text;
}

QJsonArray params(const QList<std::pair<QString, QJsonValue>> &list, const QJsonArray &kept)
{
    // The kept entries in their order with our values, then any new ones.
    QJsonArray out;
    QStringList done;
    for (const QJsonValue &k : kept) {
        QJsonObject o = k.toObject();
        const QString key = o.value(u"key"_s).toString();
        for (const auto &[name, value] : list) {
            if (name == key)
                o.insert(u"value"_s, value);
        }
        done.append(key);
        out.append(o);
    }
    for (const auto &[name, value] : list) {
        if (!done.contains(name))
            out.append(QJsonObject{{u"key"_s, name}, {u"value"_s, value}, {u"type"_s, u"string"_s}});
    }
    return out;
}

QJsonValue authToPostman(const Auth &a)
{
    const QJsonObject kept = a.extra.value(xPostman).toObject();
    const QString keptType = kept.value(u"type"_s).toString();
    auto withParams = [&](const QString &type, const QList<std::pair<QString, QJsonValue>> &list) {
        QJsonObject o = keptType == type ? kept : QJsonObject();
        o.insert(u"type"_s, type);
        o.insert(type, params(list, keptType == type ? kept.value(type).toArray() : QJsonArray()));
        return o;
    };
    switch (a.type) {
    case Auth::Type::Inherit: return QJsonValue::Undefined;
    case Auth::Type::None:
        if (!kept.isEmpty() && keptType != u"noauth")
            return kept;   // a type Conflux does not apply, given back as it was
        return QJsonObject{{u"type"_s, u"noauth"_s}};
    case Auth::Type::Basic:
        return withParams(u"basic"_s, {{u"username"_s, a.username}, {u"password"_s, credentialText(a.password)}});
    case Auth::Type::Bearer:
        return withParams(u"bearer"_s, {{u"token"_s, credentialText(a.token)}});
    case Auth::Type::ApiKey:
        return withParams(u"apikey"_s, {{u"key"_s, a.parameter}, {u"value"_s, credentialText(a.value)},
                                        {u"in"_s, a.inQuery ? u"query"_s : u"header"_s}});
    case Auth::Type::OAuth2ClientCredentials: {
        QList<std::pair<QString, QJsonValue>> list{{u"grant_type"_s, u"client_credentials"_s},
                                                   {u"accessTokenUrl"_s, a.tokenUrl},
                                                   {u"clientId"_s, a.clientId},
                                                   {u"clientSecret"_s, credentialText(a.clientSecret)},
                                                   {u"scope"_s, a.scopes.join(u' ')}};
        if (!a.audience.isEmpty())
            list.append({u"audience"_s, a.audience});
        return withParams(u"oauth2"_s, list);
    }
    case Auth::Type::Endpoint:
        // A project endpoint's authentication has no Postman form: say so where a person sees it.
        return QJsonObject{{u"type"_s, u"noauth"_s}};
    }
    return QJsonValue::Undefined;
}

// A JavaScript string literal; quoted with whichever quote the text does not hold, so that
// the import's patterns read it back.
QString jsString(const QString &s)
{
    QString out = s;
    out.replace(u"\\"_s, u"\\\\"_s).replace(u"\n"_s, u"\\n"_s);
    const QChar quote = s.contains(u'\'') && !s.contains(u'"') ? u'"' : u'\'';
    out.replace(quote, QString(u'\\') + quote);
    return quote + out + quote;
}

// A pm test line for an assertion written in Conflux.
QString scriptLine(const Assertion &a)
{
    const QString name = jsString(a.describe());
    QString body;
    switch (a.type) {
    case Assertion::Type::Status:
        if (!a.statusOneOf) {
            body = u"pm.response.to.have.status(%1)"_s.arg(a.statuses.value(0));
        } else {
            QStringList list;
            for (int s : a.statuses)
                list.append(QString::number(s));
            body = u"pm.expect(pm.response.code).to.be.oneOf([%1])"_s.arg(list.join(u", "_s));
        }
        break;
    case Assertion::Type::Header:
        switch (a.headerCheck) {
        case Assertion::HeaderCheck::Exists: body = u"pm.response.to.have.header(%1)"_s.arg(jsString(a.header)); break;
        case Assertion::HeaderCheck::Absent: body = u"pm.response.to.not.have.header(%1)"_s.arg(jsString(a.header)); break;
        case Assertion::HeaderCheck::Equals:
            body = u"pm.response.to.have.header(%1, %2)"_s.arg(jsString(a.header), jsString(a.text));
            break;
        case Assertion::HeaderCheck::Matches:
            body = u"pm.expect(pm.response.headers.get(%1)).to.match(new RegExp(%2))"_s.arg(jsString(a.header), jsString(a.text));
            break;
        }
        break;
    case Assertion::Type::ResponseTime:
        body = u"pm.expect(pm.response.responseTime).to.be.below(%1)"_s.arg(a.belowMs);
        break;
    case Assertion::Type::Expression:
        return u"// Conflux JSONata assertion (runs in Conflux only): "_s + a.expression;
    }
    return u"pm.test(%1, () => %2);"_s.arg(name, body);
}

// Splits "https://host:8080/a/b" into Postman's protocol, host, port and path.
QJsonObject urlToPostman(const RequestSpec &r, const QJsonObject &kept)
{
    QJsonObject o = kept;
    // The request's variables are Postman's path variables: {{id}} segments become :id.
    QString address = r.url;
    if (!r.variables.isEmpty()) {
        QStringList parts = address.split(u'/');
        for (QString &part : parts) {
            for (const KeyValue &kv : r.variables) {
                if (part == u"{{"_s + kv.name + u"}}"_s)
                    part = u':' + kv.name;
            }
        }
        address = parts.join(u'/');
        o.insert(u"variable"_s, keyValuesToPostman(r.variables));
    }
    QString rest = address;
    const qsizetype scheme = rest.indexOf(u"://"_s);
    if (scheme > 0) {
        o.insert(u"protocol"_s, rest.left(scheme));
        rest = rest.mid(scheme + 3);
    }
    const qsizetype slash = rest.indexOf(u'/');
    QString authority = slash < 0 ? rest : rest.left(slash);
    const QString path = slash < 0 ? QString() : rest.mid(slash + 1);
    const qsizetype colon = authority.lastIndexOf(u':');
    if (colon > 0 && !authority.mid(colon + 1).contains(u'}')) {
        o.insert(u"port"_s, authority.mid(colon + 1));
        authority = authority.left(colon);
    }
    o.insert(u"host"_s, QJsonArray::fromStringList(authority.startsWith(u"{{"_s) ? QStringList{authority}
                                                                                 : authority.split(u'.')));
    o.insert(u"path"_s, QJsonArray::fromStringList(path.split(u'/')));
    if (path.isEmpty())
        o.insert(u"path"_s, QJsonArray());
    QString raw = address;
    QStringList query;
    for (const KeyValue &q : r.query) {
        if (q.enabled)
            query.append(q.value.isEmpty() && q.extra.value(xPostman).toObject().value(u"novalue"_s).toBool()
                             ? q.name : q.name + u'=' + q.value);
    }
    if (!query.isEmpty())
        raw += u'?' + query.join(u'&');
    o.insert(u"raw"_s, raw);
    const bool allEnabled = std::all_of(r.query.begin(), r.query.end(), [](const KeyValue &q) { return q.enabled; });
    if (!r.query.isEmpty() && !(o.value(u"noquery"_s).toBool() && allEnabled))
        o.insert(u"query"_s, keyValuesToPostman(r.query));
    o.remove(u"noquery"_s);
    return o;
}

QJsonValue bodyToPostman(const Body &b)
{
    if (b.mode == Body::Mode::None)
        return QJsonValue::Undefined;
    QJsonObject o = b.extra.value(xPostman).toObject();
    switch (b.mode) {
    case Body::Mode::None: break;
    case Body::Mode::Json:
    case Body::Mode::Xml:
    case Body::Mode::Raw: {
        if (o.contains(u"mode"_s))
            break;   // file, graphql: the original as it was
        o.insert(u"mode"_s, u"raw"_s);
        o.insert(u"raw"_s, b.content);
        if (b.mode != Body::Mode::Raw) {
            QJsonObject options = o.value(u"options"_s).toObject();
            QJsonObject raw = options.value(u"raw"_s).toObject();
            raw.insert(u"language"_s, b.mode == Body::Mode::Json ? u"json"_s : u"xml"_s);
            options.insert(u"raw"_s, raw);
            o.insert(u"options"_s, options);
        }
        break;
    }
    case Body::Mode::UrlEncoded:
        o.insert(u"mode"_s, u"urlencoded"_s);
        o.insert(u"urlencoded"_s, keyValuesToPostman(b.fields));
        break;
    case Body::Mode::FormData:
        o.insert(u"mode"_s, u"formdata"_s);
        o.insert(u"formdata"_s, keyValuesToPostman(b.fields));
        break;
    }
    return o;
}

QJsonArray itemsToPostman(const QList<Item> &items)
{
    QJsonArray out;
    for (const Item &item : items) {
        const QJsonObject kept = item.extra.value(xPostman).toObject();
        QJsonObject o = kept;
        o.remove(u"request"_s);
        o.remove(u"request_string"_s);
        o.remove(u"url"_s);
        o.insert(u"name"_s, item.name);
        if (item.isFolder) {
            o.remove(u"description"_s);
            if (!item.description.isEmpty() || kept.contains(u"description"_s))
                o.insert(u"description"_s, descriptionToJson(item.description, kept.value(u"description"_s)));
            const QJsonValue auth = authToPostman(item.auth);
            if (!auth.isUndefined())
                o.insert(u"auth"_s, auth);
            o.insert(u"item"_s, itemsToPostman(item.items));
            out.append(o);
            continue;
        }
        const RequestSpec &r = item.request;
        QJsonObject request = kept.value(u"request"_s).toObject();
        request.remove(u"description"_s);
        request.insert(u"method"_s, r.method);
        request.insert(u"header"_s, keyValuesToPostman(r.headers));
        const QJsonObject keptUrl = kept.value(u"url"_s).toObject();
        const QJsonObject url = urlToPostman(r, keptUrl);
        if (keptUrl.value(u"string"_s).toBool())
            request.insert(u"url"_s, url.value(u"raw"_s));   // written as a string, given back as one
        else
            request.insert(u"url"_s, url);
        if (const QJsonValue body = bodyToPostman(r.body); !body.isUndefined())
            request.insert(u"body"_s, body);
        if (const QJsonValue auth = authToPostman(item.auth); !auth.isUndefined())
            request.insert(u"auth"_s, auth);
        const QJsonValue keptDescription = kept.value(u"request"_s).toObject().value(u"description"_s);
        if (!item.description.isEmpty() || keptDescription.isObject())
            request.insert(u"description"_s, descriptionToJson(item.description, keptDescription));
        // Assertions written in Conflux become a test script; those read from a script are in it.
        QStringList lines;
        for (const Assertion &a : r.assertions) {
            if (a.extra.value(xPostman).toString() != fromScript)
                lines.append(scriptLine(a));
        }
        if (!lines.isEmpty()) {
            QJsonArray events = o.value(u"event"_s).toArray();
            events.append(QJsonObject{{u"listen"_s, u"test"_s},
                                      {u"script"_s, QJsonObject{{u"type"_s, u"text/javascript"_s},
                                                                {u"exec"_s, QJsonArray::fromStringList(lines)}}}});
            o.insert(u"event"_s, events);
        }
        // A request written as just its URL comes back so when nothing else was added.
        if (kept.value(u"request_string"_s).toBool() && request.size() == 3 && r.headers.isEmpty()
            && r.method == u"GET" && request.value(u"url"_s).isString()) {
            o.insert(u"request"_s, request.value(u"url"_s));
        } else {
            o.insert(u"request"_s, request);
        }
        out.append(o);
    }
    return out;
}

} // namespace

Result<PostmanImport> importPostman(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) {
        return makeError("postman_invalid",
                         Tr::tr("not a Postman collection: %1 at byte %2").arg(error.errorString()).arg(error.offset));
    }
    if (!document.isObject() || !document.object().contains(u"info"_s))
        return makeError("postman_invalid", Tr::tr("not a Postman collection: no \"info\" object"));
    Importer importer;
    importer.run(document.object());
    if (!importer.problems.isEmpty())
        return makeError("postman_invalid", Tr::tr("the Postman collection is not valid"), importer.problems);
    importer.result.notUnderstood = importer.notUnderstood;
    return importer.result;
}

QJsonObject exportPostman(const Collection &c)
{
    QJsonObject root = c.extra.value(xPostman).toObject();
    QJsonObject info = root.value(u"info"_s).toObject();
    info.insert(u"name"_s, c.name);
    if (!c.description.isEmpty() || root.contains(u"description"_s))
        info.insert(u"description"_s, descriptionToJson(c.description, root.value(u"description"_s)));
    if (!info.contains(u"schema"_s))
        info.insert(u"schema"_s, u"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"_s);
    root.remove(u"description"_s);
    root.insert(u"info"_s, info);
    root.insert(u"item"_s, itemsToPostman(c.items));
    if (!c.variables.isEmpty())
        root.insert(u"variable"_s, keyValuesToPostman(c.variables));
    if (const QJsonValue auth = authToPostman(c.auth); !auth.isUndefined())
        root.insert(u"auth"_s, auth);
    return root;
}

Result<QList<PostmanBaseUrl>> postmanBaseUrls(const QByteArray &json)
{
    Result<PostmanImport> imported = importPostman(json);
    if (!imported)
        return imported.error();
    const Collection &c = imported->collection;
    Variables variables;
    variables.addScope(Tr::tr("collection"), c.variables);
    QList<PostmanBaseUrl> out;
    std::function<void(const QList<Item> &)> walk = [&](const QList<Item> &items) {
        for (const Item &item : items) {
            if (item.isFolder) {
                walk(item.items);
                continue;
            }
            QString url = item.request.url;
            bool resolved = true;
            const Variables scoped = variables.withFirstScope(Tr::tr("request"), item.request.variables);
            if (Result<QString> filled = scoped.substitute(url, {}); filled)
                url = *filled;
            else
                resolved = false;
            QString base;
            const qsizetype scheme = url.indexOf(u"://"_s);
            const qsizetype start = scheme < 0 ? 0 : scheme + 3;
            const qsizetype slash = url.indexOf(u'/', start);
            base = slash < 0 ? url : url.left(slash);
            if (base.isEmpty())
                continue;
            auto it = std::find_if(out.begin(), out.end(), [&](const PostmanBaseUrl &b) { return b.baseUrl == base; });
            if (it == out.end())
                out.append({base, 1, resolved});
            else
                ++it->requests;
        }
    };
    walk(c.items);
    return out;
}

} // namespace Conflux::Tester
