#include "openapi.h"

#include "data/json.h"
#include "data/yaml.h"

#include <QCoreApplication>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::OpenApi)
};

using Data::SchemaField;
using Data::SchemaType;
using Data::Value;

const QStringList kMethods = {u"get"_s, u"put"_s, u"post"_s, u"delete"_s, u"options"_s, u"head"_s, u"patch"_s, u"trace"_s};

QString escapePointer(QString token)
{
    return token.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
}

QString childPath(const QString &parent, const QString &name)
{
    const QString escaped = escapePointer(name);
    return parent.isEmpty() ? escaped : parent + u'/' + escaped;
}

QString snakeCase(const QString &text)
{
    QString out;
    QChar previous;
    for (const QChar c : text) {
        if (c.isUpper() && !out.isEmpty() && (previous.isLower() || previous.isDigit()))
            out += u'_';
        if (c.isLetterOrNumber())
            out += c.toLower();
        else if (!out.isEmpty() && !out.endsWith(u'_'))
            out += u'_';
        previous = c;
    }
    while (out.endsWith(u'_'))
        out.chop(1);
    if (!out.isEmpty() && !out.front().isLetter())
        out.prepend(u"op_"_s);
    return out;
}

const Value *member(const Value &object, QStringView key)
{
    return object.isObject() ? object.toObject().find(key) : nullptr;
}

QString text(const Value &object, QStringView key)
{
    const Value *v = member(object, key);
    return v && v->isString() ? v->toString() : QString();
}

class Importer
{
public:
    explicit Importer(const Value &root) : m_root(root) { }

    QStringList problems;
    QStringList warnings;

    // Follows $ref chains to the referenced value; `pointer` is updated to where it is.
    const Value *resolve(const Value &value, QString &pointer, QString *refName = nullptr)
    {
        const Value *current = &value;
        for (int hops = 0; hops < 32; ++hops) {
            const Value *ref = member(*current, u"$ref");
            if (!ref || !ref->isString())
                return current;
            const QString target = ref->toString();
            if (!target.startsWith(u'#')) {
                warnings.append(Tr::tr("%1: the reference %2 leads to another document, which is not read")
                                    .arg(pointer, target));
                return nullptr;
            }
            const Value *found = lookup(target.mid(1));
            if (!found) {
                m_unresolved.append(Tr::tr("%1: the reference %2 leads nowhere").arg(pointer, target));
                return nullptr;
            }
            if (refName)
                *refName = target;
            pointer = target.mid(1);
            current = found;
        }
        problems.append(Tr::tr("%1: a chain of more than 32 references").arg(pointer));
        return nullptr;
    }

    QStringList unresolved() const { return m_unresolved; }

    SchemaField schema(const Value &value, const QString &name, const QString &path, const QString &pointer, int depth = 0)
    {
        SchemaField field;
        field.name = name;
        field.path = path;
        build(field, value, pointer, depth);
        if (field.types == Data::SchemaTypes())
            field.types = SchemaType::Object | SchemaType::Array | SchemaType::String | SchemaType::Number
                | SchemaType::Boolean | SchemaType::Null; // any value
        return field;
    }

private:
    const Value *lookup(const QString &pointer) const
    {
        const Value *current = &m_root;
        if (pointer.isEmpty())
            return current;
        if (!pointer.startsWith(u'/'))
            return nullptr;
        const QStringList tokens = pointer.mid(1).split(u'/');
        for (QString token : tokens) {
            token = QUrl::fromPercentEncoding(token.toUtf8()).replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
            if (current->isObject()) {
                current = current->toObject().find(token);
            } else if (current->isArray()) {
                bool ok = false;
                const int index = token.toInt(&ok);
                current = ok && index >= 0 && index < current->size() ? &current->at(index) : nullptr;
            } else {
                current = nullptr;
            }
            if (!current)
                return nullptr;
        }
        return current;
    }

    static void mergeFields(SchemaField &into, const SchemaField &from, bool allOptional)
    {
        for (const SchemaField &f : from.fields) {
            auto existing = std::find_if(into.fields.begin(), into.fields.end(),
                                         [&](const SchemaField &g) { return g.name == f.name; });
            if (existing == into.fields.end()) {
                SchemaField copy = f;
                if (allOptional)
                    copy.optional = true;
                into.fields.push_back(std::move(copy));
            } else {
                existing->types |= f.types;
                if (!allOptional && !f.optional)
                    existing->optional = false;
                if (existing->fields.empty())
                    existing->fields = f.fields;
                if (existing->items.empty())
                    existing->items = f.items;
            }
        }
        if (into.items.empty() && !from.items.empty())
            into.items = from.items;
        if (into.format == Data::StringFormat::None)
            into.format = from.format;
    }

    void addType(SchemaField &field, const QString &type, const QString &pointer)
    {
        if (type == u"object")
            field.types |= SchemaType::Object;
        else if (type == u"array")
            field.types |= SchemaType::Array;
        else if (type == u"string")
            field.types |= SchemaType::String;
        else if (type == u"integer")
            field.types |= SchemaType::Integer;
        else if (type == u"number")
            field.types |= SchemaType::Number;
        else if (type == u"boolean")
            field.types |= SchemaType::Boolean;
        else if (type == u"null")
            field.types |= SchemaType::Null;
        else
            problems.append(Tr::tr("%1/type: \"%2\" is not a JSON Schema type").arg(pointer, type));
    }

    void build(SchemaField &field, const Value &input, QString pointer, int depth)
    {
        if (depth > 64)
            return;
        QString refName;
        const Value *resolved = resolve(input, pointer, &refName);
        if (!resolved)
            return;
        const Value &value = *resolved;
        if (value.isBool()) // 3.1: true / false schemas
            return;
        if (!value.isObject()) {
            problems.append(Tr::tr("%1: a schema must be an object").arg(pointer));
            return;
        }
        // Recursion: a named schema inside itself is expanded twice on one path, then cut.
        if (!refName.isEmpty()) {
            if (m_active.value(refName) >= 2) {
                field.types |= SchemaType::Object;
                return;
            }
            ++m_active[refName];
        }
        const Value *type = member(value, u"type");
        if (type && type->isString()) {
            addType(field, type->toString(), pointer);
        } else if (type && type->isArray()) {
            for (const Value &t : type->toArray())
                addType(field, t.toString(), pointer);
        }
        if (const Value *nullable = member(value, u"nullable"); nullable && nullable->toBool())
            field.types |= SchemaType::Null;
        const QString format = text(value, u"format");
        if (format == u"date")
            field.format = Data::StringFormat::Date;
        else if (format == u"date-time")
            field.format = Data::StringFormat::DateTime;
        else if (format == u"time")
            field.format = Data::StringFormat::Time;
        else if (format == u"email")
            field.format = Data::StringFormat::Email;
        else if (format == u"uri" || format == u"url")
            field.format = Data::StringFormat::Uri;
        else if (format == u"uuid")
            field.format = Data::StringFormat::Uuid;
        if (const Value *example = member(value, u"example");
            example && !example->isObject() && !example->isArray() && !example->isNull())
            field.examples.push_back(*example);
        if (const Value *values = member(value, u"enum"); values && values->isArray() && !type) {
            for (const Value &v : values->toArray()) {
                if (v.isString())
                    field.types |= SchemaType::String;
                else if (v.isNumber())
                    field.types |= SchemaType::Number;
                else if (v.isBool())
                    field.types |= SchemaType::Boolean;
                else if (v.isNull())
                    field.types |= SchemaType::Null;
            }
        }

        QSet<QString> required;
        if (const Value *list = member(value, u"required"); list && list->isArray()) {
            for (const Value &r : list->toArray())
                required.insert(r.toString());
        }
        if (const Value *properties = member(value, u"properties"); properties && properties->isObject()) {
            field.types |= SchemaType::Object;
            for (const auto &[key, sub] : properties->toObject()) {
                SchemaField child;
                child.name = key;
                child.path = childPath(field.path, key);
                build(child, sub, pointer + u"/properties/"_s + escapePointer(key), depth + 1);
                if (child.types == Data::SchemaTypes())
                    child.types = SchemaType::Object | SchemaType::Array | SchemaType::String | SchemaType::Number
                        | SchemaType::Boolean | SchemaType::Null;
                child.optional = !required.contains(key);
                field.fields.push_back(std::move(child));
            }
        }
        if (const Value *items = member(value, u"items"); items && (items->isObject() || items->isBool())) {
            field.types |= SchemaType::Array;
            SchemaField item;
            item.name = u"[]"_s;
            item.path = field.path + u"[]"_s;
            build(item, *items, pointer + u"/items"_s, depth + 1);
            if (item.types == Data::SchemaTypes())
                item.types = SchemaType::Object | SchemaType::Array | SchemaType::String | SchemaType::Number
                    | SchemaType::Boolean | SchemaType::Null;
            field.items.push_back(std::move(item));
        }
        for (const QString &combinator : {u"allOf"_s, u"oneOf"_s, u"anyOf"_s}) {
            const Value *list = member(value, combinator);
            if (!list || !list->isArray())
                continue;
            for (qsizetype i = 0; i < list->size(); ++i) {
                SchemaField part;
                part.path = field.path;
                build(part, list->at(i), pointer + u'/' + combinator + u'/' + QString::number(i), depth + 1);
                field.types |= part.types;
                mergeFields(field, part, combinator != u"allOf");
            }
        }
        // Required members listed without properties (allOf parts that only add "required").
        for (SchemaField &child : field.fields) {
            if (required.contains(child.name))
                child.optional = false;
        }
        if (field.types.testFlag(SchemaType::Integer) && field.types.testFlag(SchemaType::Number))
            field.types &= ~Data::SchemaTypes(SchemaType::Integer);
        if (!refName.isEmpty())
            --m_active[refName];
    }

    const Value &m_root;
    QHash<QString, int> m_active;
    QStringList m_unresolved;
};

std::optional<std::pair<QString, const Value *>> jsonContent(const Value &content)
{
    if (!content.isObject() || content.toObject().isEmpty())
        return std::nullopt;
    const Data::Object &media = content.toObject();
    if (const Value *json = media.find(u"application/json"))
        return std::pair{u"application/json"_s, json};
    for (const auto &[type, entry] : media) {
        if (type.endsWith(u"+json") || type.endsWith(u"/json"))
            return std::pair{type, &entry};
    }
    const auto &[type, entry] = *media.begin();
    return std::pair{type, &entry};
}

QStringList firstRequirement(const Value *security)
{
    QStringList names;
    if (!security || !security->isArray() || security->size() == 0)
        return names;
    for (const auto &[name, scopes] : security->at(0).toObject())
        names.append(name);
    return names;
}

} // namespace

const OpenApiOperation *OpenApiDocument::operation(QStringView name) const
{
    for (const OpenApiOperation &op : operations) {
        if (op.name == name || op.operationId == name)
            return &op;
    }
    return nullptr;
}

Result<OpenApiDocument> parseOpenApi(QByteArrayView input, const QString &source)
{
    const QString where = source.isEmpty() ? Tr::tr("The OpenAPI description") : source;
    qsizetype start = 0;
    while (start < input.size() && QChar::isSpace(uchar(input[start])))
        ++start;
    if (input.sliced(start).startsWith("\xEF\xBB\xBF"))
        start += 3;
    const bool json = start < input.size() && (input[start] == '{' || input[start] == '[');
    Result<Value> parsed = json ? Data::Json::parse(input) : Data::Yaml::parse(input);
    if (!parsed) {
        Error error = parsed.error();
        error.message = where + u": "_s + error.message;
        return error;
    }
    const Value &root = *parsed;
    if (!root.isObject())
        return makeError("openapi_invalid", Tr::tr("%1 is not an object").arg(where));
    if (member(root, u"swagger")) {
        return makeError("openapi_version",
                         Tr::tr("%1 is Swagger %2; Conflux reads OpenAPI 3.0 and 3.1 (convert it, e.g. with "
                                "swagger2openapi)")
                             .arg(where, text(root, u"swagger")));
    }
    OpenApiDocument document;
    document.openApiVersion = text(root, u"openapi");
    if (!document.openApiVersion.startsWith(u"3.")) {
        return makeError("openapi_version", Tr::tr("%1 has no \"openapi\": \"3.x\" member; Conflux reads OpenAPI 3.0 and 3.1")
                                                .arg(where));
    }
    Importer importer(root);
    const Value *info = member(root, u"info");
    document.title = info ? text(*info, u"title") : QString();
    document.version = info ? text(*info, u"version") : QString();
    document.description = info ? text(*info, u"description") : QString();
    if (!info || document.title.isEmpty())
        importer.problems.append(Tr::tr("/info/title: required"));

    // Servers, with variables at their defaults.
    const QUrl base = QUrl(source, QUrl::StrictMode).isRelative() ? QUrl() : QUrl(source);
    if (const Value *servers = member(root, u"servers"); servers && servers->isArray()) {
        for (qsizetype i = 0; i < servers->size(); ++i) {
            QString url = text(servers->at(i), u"url");
            if (const Value *variables = member(servers->at(i), u"variables"); variables && variables->isObject()) {
                for (const auto &[name, variable] : variables->toObject())
                    url.replace(u'{' + name + u'}', text(variable, u"default"));
            }
            QUrl resolved = base.isEmpty() ? QUrl(url) : base.resolved(QUrl(url));
            if (!resolved.isValid() || url.isEmpty())
                importer.problems.append(Tr::tr("/servers/%1/url: not a URL").arg(i));
            else
                document.servers.append(resolved);
        }
    }

    // Security schemes.
    const Value *components = member(root, u"components");
    if (const Value *schemes = components ? member(*components, u"securitySchemes") : nullptr; schemes && schemes->isObject()) {
        for (const auto &[name, input] : schemes->toObject()) {
            QString pointer = u"/components/securitySchemes/"_s + escapePointer(name);
            const Value *scheme = importer.resolve(input, pointer);
            if (!scheme)
                continue;
            OpenApiSecurityScheme s;
            s.name = name;
            s.type = text(*scheme, u"type");
            s.scheme = text(*scheme, u"scheme").toLower();
            s.in = text(*scheme, u"in");
            s.parameterName = text(*scheme, u"name");
            if (const Value *flows = member(*scheme, u"flows")) {
                if (const Value *cc = member(*flows, u"clientCredentials")) {
                    s.tokenUrl = base.isEmpty() ? QUrl(text(*cc, u"tokenUrl")) : base.resolved(QUrl(text(*cc, u"tokenUrl")));
                    if (const Value *scopes = member(*cc, u"scopes"); scopes && scopes->isObject()) {
                        for (const auto &[scope, description] : scopes->toObject())
                            s.scopes.append(scope);
                    }
                }
            }
            if (s.type.isEmpty())
                importer.problems.append(Tr::tr("%1/type: required").arg(pointer));
            document.securitySchemes.push_back(std::move(s));
        }
    }
    document.security = firstRequirement(member(root, u"security"));

    // Component schemas, for the designers.
    if (const Value *schemas = components ? member(*components, u"schemas") : nullptr; schemas && schemas->isObject()) {
        for (const auto &[name, schema] : schemas->toObject()) {
            document.schemas.emplace_back(name, importer.schema(schema, QString(), QString(),
                                                                 u"/components/schemas/"_s + escapePointer(name)));
        }
    }

    // Operations.
    const Value *paths = member(root, u"paths");
    if (paths && !paths->isObject())
        importer.problems.append(Tr::tr("/paths: must be an object"));
    QSet<QString> names;
    if (paths && paths->isObject()) {
        for (const auto &[path, itemInput] : paths->toObject()) {
            QString itemPointer = u"/paths/"_s + escapePointer(path);
            if (!path.startsWith(u'/'))
                importer.problems.append(Tr::tr("%1: a path must start with \"/\"").arg(itemPointer));
            const Value *item = importer.resolve(itemInput, itemPointer);
            if (!item)
                continue;
            auto readParameters = [&](const Value *list, const QString &pointer, std::vector<OpenApiParameter> &into) {
                if (!list)
                    return;
                if (!list->isArray()) {
                    importer.problems.append(Tr::tr("%1: must be an array").arg(pointer));
                    return;
                }
                for (qsizetype i = 0; i < list->size(); ++i) {
                    QString p = pointer + u'/' + QString::number(i);
                    const Value *parameter = importer.resolve(list->at(i), p);
                    if (!parameter)
                        continue;
                    OpenApiParameter out;
                    out.name = text(*parameter, u"name");
                    out.in = text(*parameter, u"in");
                    out.description = text(*parameter, u"description");
                    out.required = out.in == u"path" || (member(*parameter, u"required") && member(*parameter, u"required")->toBool());
                    if (out.name.isEmpty() || !QStringList{u"path"_s, u"query"_s, u"header"_s, u"cookie"_s}.contains(out.in)) {
                        importer.problems.append(Tr::tr("%1: a parameter needs a name and \"in\" (path, query, header or cookie)").arg(p));
                        continue;
                    }
                    if (const Value *schema = member(*parameter, u"schema")) {
                        out.schema = importer.schema(*schema, out.name, escapePointer(out.name), p + u"/schema"_s);
                    } else if (auto content = jsonContent(parameter->toObject().find(u"content") ? *member(*parameter, u"content") : Value())) {
                        const Value *schema = member(*content->second, u"schema");
                        out.schema = importer.schema(schema ? *schema : Value(Data::Object()), out.name,
                                                     escapePointer(out.name), p + u"/content"_s);
                    } else {
                        out.schema = importer.schema(Value(Data::Object()), out.name, escapePointer(out.name), p);
                    }
                    auto same = std::find_if(into.begin(), into.end(), [&](const OpenApiParameter &q) {
                        return q.name == out.name && q.in == out.in;
                    });
                    if (same != into.end())
                        *same = std::move(out);
                    else
                        into.push_back(std::move(out));
                }
            };
            std::vector<OpenApiParameter> shared;
            readParameters(member(*item, u"parameters"), itemPointer + u"/parameters"_s, shared);
            for (const QString &method : kMethods) {
                const Value *operation = member(*item, method);
                if (!operation)
                    continue;
                const QString pointer = itemPointer + u'/' + method;
                if (!operation->isObject()) {
                    importer.problems.append(Tr::tr("%1: must be an object").arg(pointer));
                    continue;
                }
                OpenApiOperation op;
                op.method = method.toUpper();
                op.path = path;
                op.operationId = text(*operation, u"operationId");
                op.summary = text(*operation, u"summary");
                op.description = text(*operation, u"description");
                op.deprecated = member(*operation, u"deprecated") && member(*operation, u"deprecated")->toBool();
                if (const Value *tags = member(*operation, u"tags"); tags && tags->isArray()) {
                    for (const Value &tag : tags->toArray())
                        op.tags.append(tag.toString());
                }
                QString name = snakeCase(op.operationId);
                if (name.isEmpty())
                    name = snakeCase(method + u'_' + QString(path).remove(u'{').remove(u'}'));
                QString unique = name;
                for (int n = 2; names.contains(unique); ++n)
                    unique = name + u'_' + QString::number(n);
                names.insert(unique);
                op.name = unique;
                op.parameters = shared;
                readParameters(member(*operation, u"parameters"), pointer + u"/parameters"_s, op.parameters);

                if (const Value *bodyInput = member(*operation, u"requestBody")) {
                    QString p = pointer + u"/requestBody"_s;
                    if (const Value *body = importer.resolve(*bodyInput, p)) {
                        op.requestBodyRequired = member(*body, u"required") && member(*body, u"required")->toBool();
                        if (auto content = jsonContent(member(*body, u"content") ? *member(*body, u"content") : Value())) {
                            op.requestContentType = content->first;
                            if (const Value *schema = member(*content->second, u"schema"))
                                op.requestBody = importer.schema(*schema, QString(), QString(),
                                                                 p + u"/content/"_s + escapePointer(content->first) + u"/schema"_s);
                        }
                    }
                }
                const Value *responses = member(*operation, u"responses");
                if (!responses || !responses->isObject()) {
                    importer.problems.append(Tr::tr("%1/responses: required").arg(pointer));
                } else {
                    for (const QString &status : {u"200"_s, u"201"_s, u"202"_s, u"203"_s, u"204"_s, u"206"_s, u"2XX"_s, u"default"_s}) {
                        const Value *responseInput = responses->toObject().find(status);
                        if (!responseInput)
                            continue;
                        op.successStatus = status;
                        QString p = pointer + u"/responses/"_s + status;
                        if (const Value *response = importer.resolve(*responseInput, p)) {
                            if (auto content = jsonContent(member(*response, u"content") ? *member(*response, u"content") : Value())) {
                                if (const Value *schema = member(*content->second, u"schema"))
                                    op.response = importer.schema(*schema, QString(), QString(),
                                                                  p + u"/content/"_s + escapePointer(content->first) + u"/schema"_s);
                            }
                        }
                        break;
                    }
                }
                const Value *security = member(*operation, u"security");
                op.security = security ? firstRequirement(security) : document.security;
                document.operations.push_back(std::move(op));
            }
        }
    }
    if (!importer.unresolved().isEmpty()) {
        return makeError("openapi_unresolved", Tr::tr("%1 has references that lead nowhere").arg(where),
                         importer.unresolved());
    }
    if (!importer.problems.isEmpty())
        return makeError("openapi_invalid", Tr::tr("%1 is not a valid OpenAPI description").arg(where), importer.problems);
    document.warnings = importer.warnings;
    return document;
}

// ---- the endpoint document ---------------------------------------------------------------

namespace {

// The array of records of a list response: "" for a top-level array, "/member" for an
// object with exactly one array member.
std::optional<std::pair<QString, const SchemaField *>> listOf(const SchemaField &response)
{
    if (response.types.testFlag(SchemaType::Array) && response.item())
        return std::pair{QString(), response.item()};
    const SchemaField *only = nullptr;
    for (const SchemaField &f : response.fields) {
        if (f.types.testFlag(SchemaType::Array) && f.item()) {
            if (only)
                return std::nullopt;
            only = &f;
        }
    }
    if (!only)
        return std::nullopt;
    return std::pair{u'/' + escapePointer(only->name), only->item()};
}

Value parameterValue(const OpenApiParameter &p)
{
    Data::Object out;
    out.insert(u"name"_s, Value(p.name));
    out.insert(u"in"_s, Value(p.in));
    out.insert(u"required"_s, Value(p.required));
    out.insert(u"schema"_s, p.schema.toJsonSchema(false));
    if (!p.description.isEmpty())
        out.insert(u"description"_s, Value(p.description));
    return Value(std::move(out));
}

} // namespace

Result<Data::Value> openApiEndpoint(const OpenApiDocument &document, const OpenApiImportOptions &options,
                                    QStringList *warnings)
{
    static const QRegularExpression idPattern(u"^[a-z0-9][a-z0-9._-]{0,63}$"_s);
    if (!idPattern.match(options.endpointId).hasMatch()) {
        return makeError("invalid_endpoint",
                         Tr::tr("\"%1\" is not an endpoint id (lowercase letters, digits, '.', '_', '-')")
                             .arg(options.endpointId));
    }
    if (document.servers.isEmpty()) {
        return makeError("openapi_no_server",
                         Tr::tr("The OpenAPI description names no server: add one to its \"servers\" "
                                "or set the endpoint's URL by hand"));
    }
    if (options.serverIndex < 0 || options.serverIndex >= document.servers.size())
        return makeError("openapi_no_server", Tr::tr("The description has %1 servers").arg(document.servers.size()));
    QStringList notes;
    const QString prefix = options.secretPrefix.isEmpty() ? options.endpointId : options.secretPrefix;
    auto secretRef = [&](const QString &name) {
        Data::Object ref;
        ref.insert(u"secret"_s, Value(prefix + u'.' + name));
        return Value(std::move(ref));
    };

    Data::Object endpoint;
    endpoint.insert(u"kind"_s, Value(u"Endpoint"_s));
    endpoint.insert(u"schemaVersion"_s, Value(1));
    endpoint.insert(u"id"_s, Value(options.endpointId));
    endpoint.insert(u"name"_s, Value(options.name.isEmpty() ? document.title : options.name));
    QString description = document.description.section(u"\n\n"_s, 0, 0).simplified();
    if (description.size() > 500)
        description = description.left(497) + u"..."_s;
    if (!description.isEmpty())
        endpoint.insert(u"description"_s, Value(description));
    endpoint.insert(u"type"_s, Value(u"api"_s));
    endpoint.insert(u"protocol"_s, Value(u"rest"_s));
    endpoint.insert(u"url"_s, Value(document.servers.at(options.serverIndex).toString()));
    endpoint.insert(u"data_format"_s, Value(u"json"_s));

    // Authentication: the first scheme of the default requirement that Conflux supports, else
    // the first supported scheme of the description.
    QStringList candidates = document.security;
    for (const OpenApiSecurityScheme &s : document.securitySchemes) {
        if (!candidates.contains(s.name))
            candidates.append(s.name);
    }
    Data::Object auth;
    for (const QString &name : std::as_const(candidates)) {
        auto scheme = std::find_if(document.securitySchemes.begin(), document.securitySchemes.end(),
                                   [&](const OpenApiSecurityScheme &s) { return s.name == name; });
        if (scheme == document.securitySchemes.end())
            continue;
        if (scheme->type == u"http" && scheme->scheme == u"basic") {
            auth.insert(u"type"_s, Value(u"basic"_s));
            auth.insert(u"username"_s, Value(options.endpointId));
            auth.insert(u"password"_s, secretRef(u"password"_s));
            notes.append(Tr::tr("/authentication/username: set the user name (the description does not give one)"));
        } else if (scheme->type == u"http" && scheme->scheme == u"bearer") {
            auth.insert(u"type"_s, Value(u"bearer"_s));
            auth.insert(u"token"_s, secretRef(u"token"_s));
        } else if (scheme->type == u"apiKey" && (scheme->in == u"header" || scheme->in == u"query")) {
            auth.insert(u"type"_s, Value(u"api_key"_s));
            auth.insert(u"in"_s, Value(scheme->in));
            auth.insert(u"parameter"_s, Value(scheme->parameterName));
            auth.insert(u"value"_s, secretRef(u"api_key"_s));
        } else if (scheme->type == u"oauth2" && scheme->tokenUrl.isValid() && !scheme->tokenUrl.isEmpty()) {
            auth.insert(u"type"_s, Value(u"oauth2_client_credentials"_s));
            auth.insert(u"token_url"_s, Value(scheme->tokenUrl.toString()));
            auth.insert(u"client_id"_s, Value(options.endpointId));
            auth.insert(u"client_secret"_s, secretRef(u"client_secret"_s));
            Data::Array scopes;
            for (const QString &scope : scheme->scopes)
                scopes.push_back(Value(scope));
            auth.insert(u"scopes"_s, Value(std::move(scopes)));
            notes.append(Tr::tr("/authentication/client_id: set the client id issued to Conflux"));
        } else {
            notes.append(Tr::tr("/authentication: the security scheme \"%1\" (%2) is not supported; "
                                "authenticate by hand")
                             .arg(scheme->name, scheme->type));
            continue;
        }
        break;
    }
    if (auth.isEmpty())
        auth.insert(u"type"_s, Value(u"none"_s));
    endpoint.insert(u"authentication"_s, Value(std::move(auth)));

    // Resources: list operations, with writes joined by path.
    Data::Array resources;
    Data::Array operations;
    QSet<QString> resourceNames;
    for (const OpenApiOperation &op : document.operations) {
        Data::Object operation;
        operation.insert(u"name"_s, Value(op.name));
        if (!op.operationId.isEmpty())
            operation.insert(u"operation_id"_s, Value(op.operationId));
        operation.insert(u"method"_s, Value(op.method));
        operation.insert(u"path"_s, Value(op.path));
        if (!op.summary.isEmpty())
            operation.insert(u"summary"_s, Value(op.summary));
        if (op.deprecated)
            operation.insert(u"deprecated"_s, Value(true));
        Data::Array parameters;
        for (const OpenApiParameter &p : op.parameters)
            parameters.push_back(parameterValue(p));
        if (!parameters.empty())
            operation.insert(u"parameters"_s, Value(std::move(parameters)));
        if (op.requestBody)
            operation.insert(u"request_schema"_s, op.requestBody->toJsonSchema(false));
        if (op.response)
            operation.insert(u"response_schema"_s, op.response->toJsonSchema(false));
        operations.push_back(Value(std::move(operation)));

        // A GET of one item ("/orders/{id}") is not a list, even when the item holds an array.
        if (op.method != u"GET" || !op.response || op.path.endsWith(u'}'))
            continue;
        auto list = listOf(*op.response);
        if (!list)
            continue;
        const SchemaField *record = list->second;
        Data::Object resource;
        QString name = op.name;
        for (int n = 2; resourceNames.contains(name); ++n)
            name = op.name + u'_' + QString::number(n);
        resourceNames.insert(name);
        resource.insert(u"name"_s, Value(name));
        resource.insert(u"description"_s, Value(op.summary.isEmpty() ? op.method + u' ' + op.path : op.summary));
        resource.insert(u"method"_s, Value(u"GET"_s));
        resource.insert(u"path"_s, Value(op.path));
        resource.insert(u"record_selector"_s, Value(list->first));
        QString key;
        for (const QString &candidate : {u"id"_s, u"ID"_s, u"Id"_s, u"uuid"_s, u"key"_s}) {
            if (record->field(candidate)) {
                key = candidate;
                break;
            }
        }
        if (!key.isEmpty())
            resource.insert(u"primary_key"_s, Value(Data::Array{Value(key)}));
        else
            notes.append(Tr::tr("/configuration/resources (%1): the records have no \"id\"; set primary_key").arg(name));

        Data::Array resourceParameters;
        QStringList queryNames;
        for (const OpenApiParameter &p : op.parameters) {
            if (p.in != u"path" && p.in != u"query")
                continue;
            Data::Object parameter;
            parameter.insert(u"name"_s, Value(p.name));
            parameter.insert(u"in"_s, Value(p.in));
            parameter.insert(u"description"_s, Value(p.description.isEmpty() ? p.name : p.description.simplified()));
            parameter.insert(u"required"_s, Value(p.required));
            resourceParameters.push_back(Value(std::move(parameter)));
            if (p.in == u"query")
                queryNames.append(p.name);
        }
        // Paging: offset/limit and page/size parameters are recognised; cursors need the
        // response's next-cursor member, which OpenAPI does not mark.
        auto has = [&](std::initializer_list<const char16_t *> names) -> QString {
            for (const char16_t *n : names) {
                if (queryNames.contains(QString::fromUtf16(n)))
                    return QString::fromUtf16(n);
            }
            return {};
        };
        const QString limit = has({u"limit", u"per_page", u"page_size", u"pageSize", u"size", u"top", u"$top"});
        const QString offset = has({u"offset", u"skip", u"start", u"$skip"});
        const QString page = has({u"page", u"page_number", u"pageNumber"});
        const QString cursor = has({u"cursor", u"after", u"starting_after", u"page_token", u"pageToken", u"next"});
        Data::Object pagination;
        const bool paged = (!offset.isEmpty() && !limit.isEmpty()) || !page.isEmpty();
        if (!offset.isEmpty() && !limit.isEmpty()) {
            pagination.insert(u"style"_s, Value(u"offset"_s));
            pagination.insert(u"offset_param"_s, Value(offset));
            pagination.insert(u"limit_param"_s, Value(limit));
            pagination.insert(u"page_size"_s, Value(100));
        } else if (!page.isEmpty()) {
            pagination.insert(u"style"_s, Value(u"page"_s));
            pagination.insert(u"page_param"_s, Value(page));
            if (!limit.isEmpty()) {
                pagination.insert(u"limit_param"_s, Value(limit));
                pagination.insert(u"page_size"_s, Value(100));
            }
        } else {
            pagination.insert(u"style"_s, Value(u"none"_s));
            if (!cursor.isEmpty()) {
                notes.append(Tr::tr("/configuration/resources (%1): the query parameter \"%2\" looks like a paging "
                                    "cursor; describe where the next cursor is (pagination style cursor)")
                                 .arg(name, cursor));
            }
        }
        // Query parameters the pagination sends are not resource parameters.
        resourceParameters.erase(std::remove_if(resourceParameters.begin(), resourceParameters.end(),
                                                [&](const Value &p) {
                                                    const QString n = p[u"name"].toString();
                                                    return p[u"in"].toString() == u"query" && !n.isEmpty()
                                                        && (n == offset || n == limit || n == page) && paged;
                                                }),
                                 resourceParameters.end());
        if (!resourceParameters.empty())
            resource.insert(u"parameters"_s, Value(std::move(resourceParameters)));
        resource.insert(u"pagination"_s, Value(std::move(pagination)));

        // Writes: POST on the list path inserts; PUT/PATCH/DELETE on "<path>/{x}" update and
        // delete, with {x} renamed to the key field.
        Data::Object write;
        for (const OpenApiOperation &other : document.operations) {
            if (other.path == op.path && other.method == u"POST") {
                Data::Object insert;
                insert.insert(u"method"_s, Value(u"POST"_s));
                insert.insert(u"path"_s, Value(op.path));
                write.insert(u"insert"_s, Value(std::move(insert)));
            }
            static const QRegularExpression itemPath(u"^(.*)/\\{([^}/]+)\\}$"_s);
            const QRegularExpressionMatch m = itemPath.match(other.path);
            if (!m.hasMatch() || m.captured(1) != op.path || key.isEmpty())
                continue;
            const QString keyed = op.path + u"/{"_s + key + u'}';
            if ((other.method == u"PATCH" || (other.method == u"PUT" && !write.contains(u"update")))) {
                Data::Object update;
                update.insert(u"method"_s, Value(other.method));
                update.insert(u"path"_s, Value(keyed));
                write.insert(u"update"_s, Value(std::move(update)));
            } else if (other.method == u"DELETE") {
                Data::Object remove;
                remove.insert(u"method"_s, Value(u"DELETE"_s));
                remove.insert(u"path"_s, Value(keyed));
                write.insert(u"delete"_s, Value(std::move(remove)));
            }
        }
        if (!write.isEmpty())
            resource.insert(u"write"_s, Value(std::move(write)));
        resources.push_back(Value(std::move(resource)));
    }
    Data::Object configuration;
    configuration.insert(u"resources"_s, Value(std::move(resources)));
    configuration.insert(u"operations"_s, Value(std::move(operations)));
    Data::Object source;
    source.insert(u"format"_s, Value(u"openapi"_s));
    source.insert(u"openapi"_s, Value(document.openApiVersion));
    if (!document.version.isEmpty())
        source.insert(u"api_version"_s, Value(document.version));
    configuration.insert(u"imported_from"_s, Value(std::move(source)));
    endpoint.insert(u"configuration"_s, Value(std::move(configuration)));
    if (warnings)
        *warnings += document.warnings + notes;
    return Value(std::move(endpoint));
}

} // namespace Conflux::Connectors
