#include "soapconnector.h"

#include "connectors/httpclient.h"
#include "data/xml.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <functional>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::SoapConnector)
};

using Settings = SoapConnector::Settings;
using EntitySettings = SoapConnector::EntitySettings;
using WriteOperation = SoapConnector::WriteOperation;

constexpr QStringView kSoap11Envelope = u"http://schemas.xmlsoap.org/soap/envelope/";
constexpr QStringView kSoap12Envelope = u"http://www.w3.org/2003/05/soap-envelope";
constexpr QStringView kXsi = u"http://www.w3.org/2001/XMLSchema-instance";
constexpr QStringView kXmlNamespace = u"http://www.w3.org/XML/1998/namespace";

QString versionName(SoapVersion version)
{
    return version == SoapVersion::Soap12 ? u"1.2"_s : u"1.1"_s;
}

// ---- JSON pointers -----------------------------------------------------------------------

QStringList pointerTokens(const QString &pointer)
{
    QStringList tokens;
    if (pointer.isEmpty())
        return tokens;
    const QStringList parts = pointer.mid(1).split(u'/');
    for (QString part : parts)
        tokens.append(part.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s));
    return tokens;
}

QString pointerAppend(const QString &pointer, QString token)
{
    return pointer + u'/' + token.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
}

Data::Value valueAt(const Data::Value &root, const QStringList &tokens)
{
    Data::Value current = root;
    for (const QString &token : tokens) {
        if (current.isArray()) {
            bool ok = false;
            const qsizetype index = token.toLongLong(&ok);
            current = ok ? current.at(index) : Data::Value();
        } else {
            current = current[token];
        }
        if (current.isUndefined())
            break;
    }
    return current;
}

void setAt(Data::Value &target, const QStringList &tokens, qsizetype i, const Data::Value &value)
{
    if (i == tokens.size()) {
        target = value;
        return;
    }
    if (!target.isObject())
        target = Data::Value(Data::Object{});
    Data::Object &object = target.mutableObject();
    if (!object.contains(tokens[i]))
        object.insert(tokens[i], Data::Value());
    setAt(*object.find(tokens[i]), tokens, i + 1, value);
}

// The field of a message's field tree at `tokens`; array fields are stepped into.
const Data::SchemaField *schemaAt(const Data::SchemaField &root, const QStringList &tokens)
{
    const Data::SchemaField *current = &root;
    for (const QString &token : tokens) {
        if (current->isRepeated() && current->item()) {
            bool ok = false;
            token.toLongLong(&ok);
            current = current->item();
            if (ok)
                continue;
        }
        current = current->field(token);
        if (!current)
            return nullptr;
    }
    return current;
}

void rebase(Data::SchemaField &field, const QString &path)
{
    field.path = path;
    for (Data::SchemaField &child : field.fields)
        rebase(child, path.isEmpty() ? child.name : path + u'/' + child.name);
    for (Data::SchemaField &item : field.items)
        rebase(item, path + u"[]"_s);
}

// The text of a scalar for a placeholder inside a longer string.
QString scalarText(const Data::Value &value)
{
    switch (value.type()) {
    case Data::Value::Type::String:
        return value.toString();
    case Data::Value::Type::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case Data::Value::Type::Number: {
        if (value.hasExactText())
            return value.exactText();
        const double d = value.toDouble();
        if (d == std::floor(d) && std::abs(d) < 1e15)
            return QString::number(qint64(d));
        return QString::number(d, 'g', 17);
    }
    default:
        return QString();
    }
}

const QRegularExpression &placeholderPattern()
{
    static const QRegularExpression pattern(u"\\{([A-Za-z_][A-Za-z0-9_.-]*)\\}"_s);
    return pattern;
}

// Replaces placeholders in a template: a string that is exactly "{name}" becomes the value
// (dropped when undefined), "{name}" inside a longer string its text.
Data::Value substitute(const Data::Value &value, const std::function<Data::Value(const QString &)> &lookup)
{
    if (value.isString()) {
        const QString &text = value.toString();
        const QRegularExpressionMatch whole = placeholderPattern().match(text);
        if (whole.hasMatch() && whole.capturedStart() == 0 && whole.capturedLength() == text.size())
            return lookup(whole.captured(1));
        if (!text.contains(u'{'))
            return value;
        QString out;
        qsizetype last = 0;
        for (const QRegularExpressionMatch &m : placeholderPattern().globalMatch(text)) {
            out += QStringView(text).mid(last, m.capturedStart() - last);
            out += scalarText(lookup(m.captured(1)));
            last = m.capturedEnd();
        }
        out += QStringView(text).mid(last);
        return out;
    }
    if (value.isObject()) {
        Data::Object out;
        for (const auto &[key, member] : value.toObject()) {
            Data::Value v = substitute(member, lookup);
            if (!v.isUndefined())
                out.append(key, std::move(v));
        }
        return out;
    }
    if (value.isArray()) {
        Data::Array out;
        for (const Data::Value &item : value.toArray()) {
            Data::Value v = substitute(item, lookup);
            if (!v.isUndefined())
                out.push_back(std::move(v));
        }
        return out;
    }
    return value;
}

void collectPlaceholders(const Data::Value &value, QSet<QString> *names)
{
    if (value.isString()) {
        for (const QRegularExpressionMatch &m : placeholderPattern().globalMatch(value.toString()))
            names->insert(m.captured(1));
    } else if (value.isObject()) {
        for (const auto &member : value.toObject())
            collectPlaceholders(member.second, names);
    } else if (value.isArray()) {
        for (const Data::Value &item : value.toArray())
            collectPlaceholders(item, names);
    }
}

// Compares cursor values: numbers by value, date-times as instants, other text by code points.
int compareCursor(const Data::Value &a, const Data::Value &b)
{
    if (a.isNumber() && b.isNumber())
        return a.toDouble() < b.toDouble() ? -1 : a.toDouble() > b.toDouble() ? 1 : 0;
    const QString x = scalarText(a);
    const QString y = scalarText(b);
    const QDateTime dx = QDateTime::fromString(x, Qt::ISODateWithMs);
    const QDateTime dy = QDateTime::fromString(y, Qt::ISODateWithMs);
    if (dx.isValid() && dy.isValid() && x.size() > 10 && y.size() > 10)
        return dx < dy ? -1 : dx > dy ? 1 : 0;
    return x.compare(y);
}

// ---- configuration -----------------------------------------------------------------------

// Whether an entity's read can ask the server for changes after a cursor.
bool readsIncrementally(const EntitySettings &e)
{
    if (e.operation.isEmpty() || e.cursorField.isEmpty())
        return false;
    QSet<QString> names;
    collectPlaceholders(e.request, &names);
    return !e.cursorParameter.isEmpty() || names.contains(u"cursor"_s);
}

class ConfigReader
{
public:
    QStringList problems;

    void problem(const QString &pointer, const QString &text) { problems.append(pointer + u": "_s + text); }

    std::optional<QString> string(const Data::Object &object, QStringView key, const QString &base)
    {
        const Data::Value *value = object.find(key);
        if (!value)
            return std::nullopt;
        if (!value->isString() || value->toString().isEmpty()) {
            problem(base + key.toString(), Tr::tr("must be a non-empty string"));
            return std::nullopt;
        }
        return value->toString();
    }

    std::optional<int> integer(const Data::Object &object, QStringView key, const QString &base, int min, int max)
    {
        const Data::Value *value = object.find(key);
        if (!value)
            return std::nullopt;
        const double d = value->toDouble();
        if (!value->isNumber() || d != std::floor(d) || d < min || d > max) {
            problem(base + key.toString(), Tr::tr("must be a whole number from %1 to %2").arg(min).arg(max));
            return std::nullopt;
        }
        return int(d);
    }

    QStringList names(const Data::Object &object, QStringView key, const QString &base)
    {
        const Data::Value *value = object.find(key);
        if (!value)
            return {};
        if (value->isString() && !value->toString().isEmpty())
            return {value->toString()};
        QStringList out;
        bool ok = value->isArray() && value->size() > 0;
        for (const Data::Value &item : value->toArray()) {
            ok = ok && item.isString() && !item.toString().isEmpty();
            out.append(item.toString());
        }
        if (!ok) {
            problem(base + key.toString(), Tr::tr("must be a field name or an array of field names"));
            return {};
        }
        return out;
    }

    std::optional<WriteOperation> writeOperation(const Data::Object &object, QStringView key, const QString &base)
    {
        const Data::Value *value = object.find(key);
        if (!value)
            return std::nullopt;
        const QString pointer = base + key.toString();
        if (value->isString() && !value->toString().isEmpty())
            return WriteOperation{value->toString(), Data::Value()};
        if (!value->isObject()) {
            problem(pointer, Tr::tr("must be an operation name or {\"operation\": ..., \"request\": ...}"));
            return std::nullopt;
        }
        const Data::Object &o = value->toObject();
        for (const auto &member : o) {
            if (member.first != "operation"_L1 && member.first != "request"_L1)
                problem(pointer + u'/' + member.first, Tr::tr("is not a setting of a write operation"));
        }
        const std::optional<QString> operation = string(o, u"operation", pointer + u'/');
        if (!operation) {
            if (!o.contains(u"operation"))
                problem(pointer + u"/operation"_s, Tr::tr("is required"));
            return std::nullopt;
        }
        const Data::Value request = o.contains(u"request") ? *o.find(u"request") : Data::Value();
        if (!request.isUndefined() && !request.isObject())
            problem(pointer + u"/request"_s, Tr::tr("must be an object"));
        return WriteOperation{*operation, request};
    }
};

QStringList knownSettings()
{
    return {u"wsdl"_s,           u"service"_s,       u"port"_s,          u"binding"_s,
            u"soap_version"_s,   u"address"_s,       u"page_size"_s,     u"entities"_s,
            u"wsdl_max_size"_s,  u"wsdl_max_imports"_s, u"max_response_bytes"_s,
            u"max_redirects"_s,  u"redirect_hosts"_s, u"circuit_breaker"_s, u"timeout_seconds"_s,
            u"retry_attempts"_s};
}

void readEntity(ConfigReader &in, const Data::Value &value, const QString &base, EntitySettings *out)
{
    if (!value.isObject()) {
        in.problem(base, Tr::tr("must be an object"));
        return;
    }
    const Data::Object &o = value.toObject();
    static const QStringList known{u"name"_s,          u"operation"_s,        u"records_path"_s,
                                   u"request"_s,       u"key"_s,              u"cursor_field"_s,
                                   u"cursor_parameter"_s, u"page_size"_s,     u"write"_s,
                                   u"description"_s};
    for (const auto &member : o) {
        if (!known.contains(member.first) && !member.first.startsWith(u"x-"))
            in.problem(base + u'/' + member.first, Tr::tr("is not a setting of a SOAP entity"));
    }
    const QString b = base + u'/';
    out->name = in.string(o, u"name", b).value_or(QString());
    if (!o.contains(u"name"))
        in.problem(b + u"name"_s, Tr::tr("is required"));
    out->operation = in.string(o, u"operation", b).value_or(QString());
    if (const Data::Value *path = o.find(u"records_path")) {
        if (!path->isString() || (!path->toString().isEmpty() && !path->toString().startsWith(u'/')))
            in.problem(b + u"records_path"_s, Tr::tr("must be a JSON pointer into the answer, such as "
                                                     "/ListOrdersResponse/order (\"\": the whole answer)"));
        else
            out->recordsPath = path->toString();
    }
    if (const Data::Value *request = o.find(u"request")) {
        if (!request->isObject()) {
            in.problem(b + u"request"_s, Tr::tr("must be an object: the members of the request element"));
        } else {
            out->request = *request;
            QSet<QString> names;
            collectPlaceholders(*request, &names);
            static const QStringList variables{u"offset"_s, u"limit"_s, u"page"_s, u"cursor"_s};
            for (const QString &name : std::as_const(names)) {
                if (!variables.contains(name))
                    in.problem(b + u"request"_s, Tr::tr("unknown placeholder {%1} (known: {offset}, {limit}, "
                                                        "{page}, {cursor})")
                                                     .arg(name));
            }
        }
    }
    out->keyFields = in.names(o, u"key", b);
    out->cursorField = in.string(o, u"cursor_field", b).value_or(QString());
    out->cursorParameter = in.string(o, u"cursor_parameter", b).value_or(QString());
    if (!out->cursorParameter.isEmpty() && out->cursorField.isEmpty())
        in.problem(b + u"cursor_parameter"_s, Tr::tr("needs cursor_field: the field of the records it filters on"));
    out->pageSize = in.integer(o, u"page_size", b, 1, 100000).value_or(0);
    if (const Data::Value *write = o.find(u"write")) {
        if (!write->isObject()) {
            in.problem(b + u"write"_s, Tr::tr("must be an object: {\"insert\": ..., \"update\": ..., \"delete\": ...}"));
        } else {
            const Data::Object &w = write->toObject();
            for (const auto &member : w) {
                if (member.first != "insert"_L1 && member.first != "update"_L1 && member.first != "delete"_L1)
                    in.problem(b + u"write/"_s + member.first, Tr::tr("is not insert, update or delete"));
            }
            out->insert = in.writeOperation(w, u"insert", b + u"write/"_s);
            out->update = in.writeOperation(w, u"update", b + u"write/"_s);
            out->remove = in.writeOperation(w, u"delete", b + u"write/"_s);
        }
    }
    if (out->operation.isEmpty() && !out->insert && !out->update && !out->remove)
        in.problem(b + u"operation"_s, Tr::tr("is required (or write operations)"));
}

Result<Settings> readSettings(const EndpointSpec &endpoint)
{
    Settings s;
    ConfigReader in;
    if (endpoint.protocol != Protocol::Soap)
        in.problem(u"/protocol"_s, Tr::tr("must be soap, not %1").arg(protocolName(endpoint.protocol)));
    const Data::Object &config = endpoint.configuration;
    const QString base = u"/configuration/"_s;
    for (const auto &member : config) {
        if (!knownSettings().contains(member.first) && !member.first.startsWith(u"x-"))
            in.problem(base + member.first, Tr::tr("is not a setting of the SOAP connector"));
    }
    s.wsdl = in.string(config, u"wsdl", base).value_or(QString());
    s.service = in.string(config, u"service", base).value_or(QString());
    s.port = in.string(config, u"port", base).value_or(QString());
    s.binding = in.string(config, u"binding", base).value_or(QString());
    if (const Data::Value *version = config.find(u"soap_version")) {
        const QString v = version->isNumber() ? scalarText(*version) : version->toString();
        if (v == "1.1"_L1)
            s.soapVersion = SoapVersion::Soap11;
        else if (v == "1.2"_L1)
            s.soapVersion = SoapVersion::Soap12;
        else
            in.problem(base + u"soap_version"_s, Tr::tr("must be \"1.1\" or \"1.2\""));
    }
    if (const std::optional<QString> address = in.string(config, u"address", base)) {
        if (*address == "wsdl"_L1) {
            s.addressSource = SoapConnector::AddressSource::Wsdl;
        } else if (*address == "endpoint"_L1) {
            s.addressSource = SoapConnector::AddressSource::Endpoint;
        } else {
            s.addressSource = SoapConnector::AddressSource::Url;
            const QUrl url = endpoint.url.resolved(QUrl(*address));
            if (!url.isValid() || (url.scheme() != "http"_L1 && url.scheme() != "https"_L1))
                in.problem(base + u"address"_s, Tr::tr("must be \"wsdl\", \"endpoint\" or an http(s) URL (absolute, "
                                                       "or relative to the endpoint's url)"));
            s.address = url;
        }
    }
    if (s.wsdl.isEmpty() && !endpoint.url.isValid())
        in.problem(u"/url"_s, Tr::tr("is required unless configuration/wsdl names the WSDL"));
    s.pageSize = in.integer(config, u"page_size", base, 1, 100000).value_or(s.pageSize);
    s.wsdlLimits.maxSize = in.integer(config, u"wsdl_max_size", base, 1024, 1 << 30).value_or(int(s.wsdlLimits.maxSize));
    s.wsdlLimits.maxImports = in.integer(config, u"wsdl_max_imports", base, 0, 1000).value_or(s.wsdlLimits.maxImports);
    if (const Data::Value *entities = config.find(u"entities")) {
        if (!entities->isArray()) {
            in.problem(base + u"entities"_s, Tr::tr("must be an array of entity objects"));
        } else {
            QSet<QString> names;
            for (qsizetype i = 0; i < entities->size(); ++i) {
                EntitySettings e;
                const QString at = base + u"entities/"_s + QString::number(i);
                readEntity(in, entities->at(i), at, &e);
                if (!e.name.isEmpty() && names.contains(e.name))
                    in.problem(at + u"/name"_s, Tr::tr("\"%1\" is the name of an earlier entity").arg(e.name));
                names.insert(e.name);
                s.entities.push_back(std::move(e));
            }
        }
    }
    if (!in.problems.isEmpty())
        return makeError("invalid_endpoint", Tr::tr("The SOAP endpoint %1 is not configured correctly").arg(endpoint.id),
                         in.problems);
    return s;
}

// ---- reading XML with namespaces ---------------------------------------------------------

// The XML codec keeps names as written and namespace declarations as "@xmlns..." members;
// these helpers resolve prefixes while walking its value.
using Scope = QHash<QString, QString>;   // prefix -> namespace URI ("" the default namespace)

Scope enterScope(const Data::Value &element, Scope scope)
{
    if (!element.isObject())
        return scope;
    for (const auto &[key, value] : element.toObject()) {
        if (key == "@xmlns"_L1)
            scope.insert(QString(), value.toString());
        else if (key.startsWith(u"@xmlns:"))
            scope.insert(key.mid(7), value.toString());
    }
    return scope;
}

struct XmlName
{
    QString ns;
    QString local;
};

// Resolves a name as written; false when its prefix is not declared.
bool resolveName(QStringView written, const Scope &scope, bool attribute, XmlName *out)
{
    const qsizetype colon = written.indexOf(u':');
    if (colon < 0) {
        out->ns = attribute ? QString() : scope.value(QString());
        out->local = written.toString();
        return true;
    }
    const QString prefix = written.left(colon).toString();
    out->local = written.mid(colon + 1).toString();
    if (prefix == "xml"_L1) {
        out->ns = kXmlNamespace.toString();
        return true;
    }
    const auto it = scope.constFind(prefix);
    if (it == scope.constEnd())
        return false;
    out->ns = *it;
    return true;
}

struct Node
{
    XmlName name;
    QString written;
    Data::Value value;   // as the codec read it
    Scope scope;         // in scope inside the element (its own declarations included)
};

struct Attribute
{
    XmlName name;
    QString written;
    Data::Value value;
};

class NodeReader
{
public:
    QString error;

    std::vector<Node> children(const Node &parent)
    {
        std::vector<Node> out;
        if (!parent.value.isObject())
            return out;
        for (const auto &[key, value] : parent.value.toObject()) {
            if (key.startsWith(u'@') || key == "#text"_L1)
                continue;
            const auto add = [&](const Data::Value &item) {
                Node node;
                node.written = key;
                node.value = item;
                node.scope = enterScope(item, parent.scope);
                if (!resolveName(key, node.scope, false, &node.name) && error.isEmpty())
                    error = Tr::tr("the prefix of element <%1> is not declared").arg(key);
                out.push_back(std::move(node));
            };
            if (value.isArray()) {
                for (const Data::Value &item : value.toArray())
                    add(item);
            } else {
                add(value);
            }
        }
        return out;
    }

    std::vector<Attribute> attributes(const Node &node)
    {
        std::vector<Attribute> out;
        if (!node.value.isObject())
            return out;
        for (const auto &[key, value] : node.value.toObject()) {
            if (!key.startsWith(u'@') || key == "@xmlns"_L1 || key.startsWith(u"@xmlns:"))
                continue;
            Attribute a;
            a.written = key.mid(1);
            a.value = value;
            if (!resolveName(a.written, node.scope, true, &a.name) && error.isEmpty())
                error = Tr::tr("the prefix of attribute %1 of <%2> is not declared").arg(a.written, node.written);
            out.push_back(std::move(a));
        }
        return out;
    }

    static QString text(const Node &node)
    {
        if (node.value.isString())
            return node.value.toString();
        return node.value[u"#text"].toString();
    }

    bool isNil(const Node &node)
    {
        for (const Attribute &a : attributes(node)) {
            if (a.name.ns == kXsi && a.name.local == "nil"_L1)
                return a.value.toString().trimmed() == "true"_L1 || a.value.toString().trimmed() == "1"_L1;
        }
        return false;
    }

    // An element without a schema: local names, text as strings.
    Data::Value generic(const Node &node)
    {
        if (isNil(node))
            return Data::Value::null();
        if (!node.value.isObject())
            return node.value.isNull() ? Data::Value(QString()) : node.value;
        Data::Object out;
        for (const Attribute &a : attributes(node)) {
            if (a.name.ns != kXsi)
                out.insert(u'@' + a.name.local, a.value);
        }
        for (const Node &child : children(node))
            appendMember(out, child.name.local, generic(child));
        if (const Data::Value *text = node.value.toObject().find(u"#text"))
            out.insert(u"#text"_s, *text);
        return out;
    }

    static void appendMember(Data::Object &object, const QString &name, Data::Value value)
    {
        Data::Value *existing = object.find(name);
        if (!existing) {
            object.append(name, std::move(value));
            return;
        }
        if (!existing->isArray())
            *existing = Data::Value(Data::Array{*existing});
        existing->mutableArray().push_back(std::move(value));
    }

    // The element as XML text again, with the declarations of the prefixes it uses.
    static QString serialize(const Node &node)
    {
        Data::Object element;
        if (node.value.isObject())
            element = node.value.toObject();
        else if (node.value.isString() && !node.value.toString().isEmpty())
            element.insert(u"#text"_s, node.value);
        QSet<QString> prefixes;
        collectPrefixes(node.written, node.value, &prefixes);
        for (const QString &prefix : std::as_const(prefixes)) {
            const QString key = prefix.isEmpty() ? u"@xmlns"_s : u"@xmlns:"_s + prefix;
            if (!element.contains(key) && prefix != "xml"_L1 && node.scope.contains(prefix))
                element.insert(key, node.scope.value(prefix));
        }
        Data::Xml::XmlWriteOptions options;
        options.declaration = false;
        const Result<QByteArray> xml = Data::Xml::write(Data::Value(Data::Object{{node.written, Data::Value(element)}}), options);
        return xml ? QString::fromUtf8(*xml).trimmed() : QString();
    }

private:
    static void collectPrefixes(const QString &name, const Data::Value &value, QSet<QString> *out)
    {
        const qsizetype colon = name.indexOf(u':');
        out->insert(colon < 0 ? QString() : name.left(colon));
        if (!value.isObject())
            return;
        for (const auto &[key, member] : value.toObject()) {
            if (key.startsWith(u'@')) {
                const qsizetype c = key.indexOf(u':');
                if (c > 0 && !key.startsWith(u"@xmlns"))
                    out->insert(key.mid(1, c - 1));
                continue;
            }
            if (key == "#text"_L1)
                continue;
            if (member.isArray()) {
                for (const Data::Value &item : member.toArray())
                    collectPrefixes(key, item, out);
            } else {
                collectPrefixes(key, member, out);
            }
        }
    }
};

// ---- typed reading -----------------------------------------------------------------------

// The complex types whose content an element of type `index` has: its extension bases first.
std::vector<int> contentChain(const XsdSchemaSet &set, int index)
{
    std::vector<int> chain;
    for (int i = index, steps = 0; i >= 0 && steps < 64; ++steps) {
        chain.insert(chain.begin(), i);
        const XsdComplexType &ct = set.complexTypes[size_t(i)];
        if (ct.derivation != XsdComplexType::Derivation::Extension || ct.base.kind != XsdTypeRef::Kind::Complex)
            break;
        i = ct.base.index;
    }
    return chain;
}

const XsdAttribute *findAttribute(const XsdSchemaSet &set, const std::vector<int> &chain, QStringView name)
{
    for (const int i : chain) {
        for (const XsdAttribute &a : set.complexTypes[size_t(i)].attributes) {
            if (a.name == name)
                return &a;
        }
    }
    return nullptr;
}

// The simple type at the end of a simple-content chain, and whether attributes come along.
XsdTypeRef simpleContentType(const XsdSchemaSet &set, int index, bool *hasAttributes)
{
    XsdTypeRef text = set.complexTypes[size_t(index)].base;
    bool attributes = !set.complexTypes[size_t(index)].attributes.empty();
    for (int steps = 0; text.kind == XsdTypeRef::Kind::Complex && steps < 64; ++steps) {
        const XsdComplexType &base = set.complexTypes[size_t(text.index)];
        attributes = attributes || !base.attributes.empty();
        text = base.base;
    }
    if (hasAttributes)
        *hasAttributes = attributes;
    return text;
}

bool isAnyType(const XsdTypeRef &type)
{
    return type.kind == XsdTypeRef::Kind::Builtin && (type.name.name == "anyType"_L1 || type.name.name == "anySimpleType"_L1);
}

class TypedReader
{
public:
    TypedReader(const XsdSchemaSet &set, NodeReader &nodes) : m_set(set), m_nodes(nodes) { }

    Data::Value element(const XsdTypeRef &type, const Node &node)
    {
        if (m_nodes.isNil(node))
            return Data::Value::null();
        if (isAnyType(type))
            return m_nodes.generic(node);
        if (type.kind == XsdTypeRef::Kind::Complex)
            return complex(type.index, node);
        return simple(type, NodeReader::text(node));
    }

    Data::Value simple(const XsdTypeRef &type, const QString &text)
    {
        QString builtin = u"string"_s;
        if (type.kind == XsdTypeRef::Kind::Builtin) {
            builtin = type.name.name;
        } else if (type.kind == XsdTypeRef::Kind::Simple) {
            const XsdSimpleType &st = m_set.simpleTypes[size_t(type.index)];
            if (st.isList) {
                Data::Array items;
                const QStringList parts = text.simplified().split(u' ', Qt::SkipEmptyParts);
                for (const QString &part : parts)
                    items.push_back(simple(st.itemType, part));
                return items;
            }
            if (!st.isUnion && !st.builtin.isEmpty())
                builtin = st.builtin.name;
        }
        const Data::SchemaTypes types = xsdBuiltinSchemaTypes(builtin);
        if (types.testFlag(Data::SchemaType::Integer) || types.testFlag(Data::SchemaType::Number)) {
            const QString t = text.trimmed();
            if (t.isEmpty())
                return Data::Value::null();
            const Data::Value number = Data::Value::numberFromText(t.startsWith(u'+') ? t.mid(1) : t);
            return number.isUndefined() ? Data::Value(text) : number;
        }
        if (types.testFlag(Data::SchemaType::Boolean)) {
            const QString t = text.trimmed();
            if (t == "true"_L1 || t == "1"_L1)
                return true;
            if (t == "false"_L1 || t == "0"_L1)
                return false;
            return t.isEmpty() ? Data::Value::null() : Data::Value(text);
        }
        return text;
    }

private:
    Data::Value complex(int index, const Node &node)
    {
        const XsdComplexType &ct = m_set.complexTypes[size_t(index)];
        const std::vector<int> chain = contentChain(m_set, index);
        if (ct.simpleContent) {
            bool hasAttributes = false;
            const XsdTypeRef textType = simpleContentType(m_set, index, &hasAttributes);
            const QString text = NodeReader::text(node);
            if (!hasAttributes)
                return simple(textType, text);
            Data::Object out;
            addAttributes(chain, node, out);
            if (!text.isEmpty())
                out.insert(u"#text"_s, simple(textType, text));
            return out;
        }
        Data::Object out;
        addAttributes(chain, node, out);
        std::vector<Node> children = m_nodes.children(node);
        std::vector<bool> used(children.size(), false);
        for (const int i : chain) {
            for (const XsdElement &decl : m_set.complexTypes[size_t(i)].elements) {
                std::vector<size_t> matches;
                for (size_t c = 0; c < children.size(); ++c) {
                    if (!used[c] && children[c].name.local == decl.name && children[c].name.ns == decl.namespaceUri)
                        matches.push_back(c);
                }
                // Servers that get the qualification wrong are common: fall back to the local name.
                if (matches.empty()) {
                    for (size_t c = 0; c < children.size(); ++c) {
                        if (!used[c] && children[c].name.local == decl.name)
                            matches.push_back(c);
                    }
                }
                if (matches.empty())
                    continue;
                Data::Array values;
                for (const size_t c : matches) {
                    used[c] = true;
                    values.push_back(element(decl.type, children[c]));
                }
                if (decl.isRepeated() || values.size() > 1)
                    out.insert(decl.name, Data::Value(std::move(values)));
                else
                    out.insert(decl.name, std::move(values.front()));
            }
        }
        for (size_t c = 0; c < children.size(); ++c) {
            if (!used[c])
                NodeReader::appendMember(out, children[c].name.local, m_nodes.generic(children[c]));
        }
        if (ct.mixed && node.value.isObject()) {
            if (const Data::Value *text = node.value.toObject().find(u"#text"))
                out.insert(u"#text"_s, *text);
        }
        return out;
    }

    void addAttributes(const std::vector<int> &chain, const Node &node, Data::Object &out)
    {
        for (const Attribute &a : m_nodes.attributes(node)) {
            if (a.name.ns == kXsi)
                continue;
            const XsdAttribute *decl = findAttribute(m_set, chain, a.name.local);
            out.insert(u'@' + a.name.local, decl ? simple(decl->type, a.value.toString()) : a.value);
        }
    }

    const XsdSchemaSet &m_set;
    NodeReader &m_nodes;
};

// ---- writing the envelope ----------------------------------------------------------------

class EnvelopeWriter
{
public:
    explicit EnvelopeWriter(const XsdSchemaSet &set) : m_set(set) { }

    QStringList problems;
    std::vector<std::pair<QString, QString>> declarations;   // prefix, namespace, in order of use
    bool needsXsi = false;

    QString qualified(const QString &ns, const QString &local)
    {
        if (ns.isEmpty())
            return local;
        for (const auto &[prefix, uri] : declarations) {
            if (uri == ns)
                return prefix + u':' + local;
        }
        const QString prefix = u"ns"_s + QString::number(declarations.size() + 1);
        declarations.emplace_back(prefix, ns);
        return prefix + u':' + local;
    }

    // Adds the occurrences of `decl` for `value` to `parent`.
    void element(const XsdElement &decl, const Data::Value &value, const QString &pointer, Data::Object &parent)
    {
        if (value.isUndefined())
            return;
        const QString name = qualified(decl.namespaceUri, decl.name);
        if (value.isArray() && !(isList(decl.type) && !decl.isRepeated())) {
            if (!decl.isRepeated()) {
                problems.append(pointer + u": "_s + Tr::tr("element <%1> occurs at most once; an array of %2 was given")
                                                         .arg(decl.name)
                                                         .arg(value.size()));
                return;
            }
            if (decl.maxOccurs > 0 && value.size() > decl.maxOccurs)
                problems.append(pointer + u": "_s + Tr::tr("element <%1> occurs at most %2 times; %3 were given")
                                                         .arg(decl.name)
                                                         .arg(decl.maxOccurs)
                                                         .arg(value.size()));
            Data::Array items;
            for (qsizetype i = 0; i < value.size(); ++i) {
                const Data::Value &item = value.at(i);
                const QString at = pointer + u'/' + QString::number(i);
                items.push_back(item.isNull() ? nullOccurrence(decl) : occurrence(decl, item, at));
            }
            if (!items.empty())
                parent.insert(name, Data::Value(std::move(items)));
            return;
        }
        if (value.isNull()) {
            if (decl.nillable || !decl.isOptional())
                parent.insert(name, nullOccurrence(decl));
            return;
        }
        parent.insert(name, occurrence(decl, value, pointer));
    }

private:
    Data::Value nullOccurrence(const XsdElement &decl)
    {
        if (!decl.nillable)
            return Data::Value::null();   // an empty element
        needsXsi = true;
        return Data::Object{{u"@xsi:nil"_s, u"true"_s}};
    }

    bool isList(const XsdTypeRef &type) const
    {
        return type.kind == XsdTypeRef::Kind::Simple && m_set.simpleTypes[size_t(type.index)].isList;
    }

    bool scalar(const Data::Value &value, const QString &pointer, const QString &what)
    {
        if (value.isString() || value.isNumber() || value.isBool())
            return true;
        problems.append(pointer + u": "_s + Tr::tr("%1 holds text: give a string, number or boolean, not %2")
                                                 .arg(what, QString::fromLatin1(value.typeName())));
        return false;
    }

    Data::Value occurrence(const XsdElement &decl, const Data::Value &value, const QString &pointer)
    {
        const XsdTypeRef &type = decl.type;
        if (isAnyType(type))
            return value;
        if (type.kind == XsdTypeRef::Kind::Complex)
            return complex(type.index, decl.name, value, pointer);
        if (isList(type) && value.isArray()) {
            QStringList parts;
            for (const Data::Value &item : value.toArray()) {
                if (scalar(item, pointer, Tr::tr("an item of list <%1>").arg(decl.name)))
                    parts.append(scalarText(item));
            }
            return parts.join(u' ');
        }
        if (!scalar(value, pointer, Tr::tr("element <%1>").arg(decl.name)))
            return Data::Value::null();
        return value;
    }

    Data::Value complex(int index, const QString &elementName, const Data::Value &value, const QString &pointer)
    {
        const XsdComplexType &ct = m_set.complexTypes[size_t(index)];
        const std::vector<int> chain = contentChain(m_set, index);
        bool wildcard = false;
        bool mixed = ct.mixed;
        QStringList elementNames;
        for (const int i : chain) {
            wildcard = wildcard || m_set.complexTypes[size_t(i)].hasWildcard;
            for (const XsdElement &e : m_set.complexTypes[size_t(i)].elements)
                elementNames.append(e.name);
        }
        if (!value.isObject()) {
            if (ct.simpleContent || (elementNames.isEmpty() && mixed)) {
                if (scalar(value, pointer, Tr::tr("element <%1>").arg(elementName)))
                    return value;
                return Data::Value::null();
            }
            if (elementNames.isEmpty() && value.isString() && value.toString().isEmpty())
                return Data::Value::null();
            problems.append(pointer + u": "_s + Tr::tr("element <%1> has child elements (%2): give an object, not %3")
                                                     .arg(elementName, elementNames.join(u", "_s),
                                                          QString::fromLatin1(value.typeName())));
            return Data::Value::null();
        }
        Data::Object out;
        QSet<QString> used;
        const Data::Object &in = value.toObject();
        for (const auto &[key, member] : in) {
            if (!key.startsWith(u'@'))
                continue;
            used.insert(key);
            const QString name = key.mid(1);
            if (name == "xmlns"_L1 || name.startsWith(u"xmlns:") || name.startsWith(u"xsi:")) {
                needsXsi = needsXsi || name.startsWith(u"xsi:");
                out.insert(key, member);
                continue;
            }
            if (!findAttribute(m_set, chain, name)) {
                problems.append(pointerAppend(pointer, key) + u": "_s
                                + Tr::tr("element <%1> has no attribute \"%2\"").arg(elementName, name));
                continue;
            }
            if (!member.isNull() && scalar(member, pointerAppend(pointer, key), Tr::tr("attribute %1").arg(name)))
                out.insert(key, member);
        }
        if (ct.simpleContent) {
            for (const auto &[key, member] : in) {
                if (key == "#text"_L1) {
                    if (scalar(member, pointerAppend(pointer, key), Tr::tr("element <%1>").arg(elementName)))
                        out.insert(key, member);
                } else if (!key.startsWith(u'@')) {
                    problems.append(pointerAppend(pointer, key) + u": "_s
                                    + Tr::tr("element <%1> holds text and attributes only").arg(elementName));
                }
            }
            return out;
        }
        for (const int i : chain) {
            for (const XsdElement &decl : m_set.complexTypes[size_t(i)].elements) {
                if (const Data::Value *member = in.find(decl.name)) {
                    used.insert(decl.name);
                    element(decl, *member, pointerAppend(pointer, decl.name), out);
                }
            }
        }
        for (const auto &[key, member] : in) {
            if (used.contains(key))
                continue;
            if (key == "#text"_L1 && mixed) {
                out.insert(key, member);
            } else if (wildcard) {
                out.insert(key, member);
            } else {
                problems.append(pointerAppend(pointer, key) + u": "_s
                                + Tr::tr("element <%1> has no child element \"%2\" (it has: %3)")
                                      .arg(elementName, key,
                                           elementNames.isEmpty() ? Tr::tr("none") : elementNames.join(u", "_s)));
            }
        }
        return out;
    }

    const XsdSchemaSet &m_set;
};

// ---- faults and bodies of answers --------------------------------------------------------

bool looksLikeHtml(const HttpResponse &response)
{
    if (response.header("Content-Type").toLower().contains("text/html"))
        return true;
    const QByteArray start = response.body.left(512).trimmed().toLower();
    return start.startsWith("<!doctype html") || start.startsWith("<html");
}

QString htmlTitle(const QByteArray &body)
{
    static const QRegularExpression title(u"<title[^>]*>([^<]*)</title>"_s, QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = title.match(QString::fromUtf8(body.left(64 * 1024)));
    return m.hasMatch() ? m.captured(1).simplified() : QString();
}

const Node *childNamed(const std::vector<Node> &children, QStringView local)
{
    for (const Node &child : children) {
        if (child.name.local == local)
            return &child;
    }
    return nullptr;
}

// Reads a Fault element into an error and a value.
Error faultError(NodeReader &nodes, const Node &fault, bool soap12, const QString &where, Data::Value *faultValue)
{
    const std::vector<Node> parts = nodes.children(fault);
    Data::Object value;
    QStringList details;
    QString summary;
    const auto detailOf = [&](const Node *detail, const QString &label, const QString &key) {
        if (!detail)
            return;
        const std::vector<Node> children = nodes.children(*detail);
        QStringList texts;
        Data::Object detailValue;
        for (const Node &child : children) {
            texts.append(NodeReader::serialize(child));
            NodeReader::appendMember(detailValue, child.name.local, nodes.generic(child));
        }
        if (children.empty())
            texts.append(NodeReader::text(*detail).trimmed());
        value.insert(key, children.empty() ? Data::Value(NodeReader::text(*detail)) : Data::Value(detailValue));
        if (!texts.join(QString()).isEmpty())
            details.append(label + u": "_s + texts.join(QString()));
    };
    if (!soap12) {
        const QString code = childNamed(parts, u"faultcode") ? NodeReader::text(*childNamed(parts, u"faultcode")).trimmed()
                                                              : QString();
        const QString string = childNamed(parts, u"faultstring")
                                   ? NodeReader::text(*childNamed(parts, u"faultstring")).trimmed()
                                   : QString();
        value.insert(u"faultcode"_s, code);
        value.insert(u"faultstring"_s, string);
        details.append(u"faultcode: "_s + code);
        details.append(u"faultstring: "_s + string);
        if (const Node *actor = childNamed(parts, u"faultactor")) {
            value.insert(u"faultactor"_s, NodeReader::text(*actor).trimmed());
            details.append(u"faultactor: "_s + NodeReader::text(*actor).trimmed());
        }
        detailOf(childNamed(parts, u"detail"), u"detail"_s, u"detail"_s);
        summary = code + u": "_s + string;
    } else {
        QString code;
        QStringList subcodes;
        if (const Node *codeNode = childNamed(parts, u"Code")) {
            std::vector<Node> level = nodes.children(*codeNode);
            if (const Node *v = childNamed(level, u"Value"))
                code = NodeReader::text(*v).trimmed();
            for (int depth = 0; depth < 16; ++depth) {
                const Node *sub = childNamed(level, u"Subcode");
                if (!sub)
                    break;
                level = nodes.children(*sub);
                if (const Node *v = childNamed(level, u"Value"))
                    subcodes.append(NodeReader::text(*v).trimmed());
            }
        }
        QString reason;
        if (const Node *reasonNode = childNamed(parts, u"Reason")) {
            for (const Node &text : nodes.children(*reasonNode)) {
                if (text.name.local != "Text"_L1)
                    continue;
                const std::vector<Attribute> attributes = nodes.attributes(text);
                const bool english = std::any_of(attributes.begin(), attributes.end(), [](const Attribute &a) {
                    return a.name.local == "lang"_L1 && a.value.toString().startsWith(u"en");
                });
                if (reason.isNull() || english)
                    reason = NodeReader::text(text).trimmed();
                if (english)
                    break;
            }
        }
        value.insert(u"Code"_s, code);
        details.append(u"Code: "_s + code);
        if (!subcodes.isEmpty()) {
            Data::Array list;
            for (const QString &subcode : std::as_const(subcodes))
                list.push_back(subcode);
            value.insert(u"Subcode"_s, subcodes.size() == 1 ? Data::Value(subcodes.front()) : Data::Value(std::move(list)));
            details.append(u"Subcode: "_s + subcodes.join(u" / "_s));
        }
        value.insert(u"Reason"_s, reason);
        details.append(u"Reason: "_s + reason);
        for (const QStringView key : {u"Node", u"Role"}) {
            if (const Node *n = childNamed(parts, key)) {
                value.insert(key.toString(), NodeReader::text(*n).trimmed());
                details.append(key.toString() + u": "_s + NodeReader::text(*n).trimmed());
            }
        }
        detailOf(childNamed(parts, u"Detail"), u"Detail"_s, u"Detail"_s);
        summary = code + (subcodes.isEmpty() ? QString() : u" ("_s + subcodes.join(u" / "_s) + u')') + u": "_s + reason;
    }
    *faultValue = Data::Value(std::move(value));
    return makeError("soap_fault", Tr::tr("SOAP fault from %1: %2").arg(where, summary), details);
}

} // namespace

// ---- the connector -----------------------------------------------------------------------

SoapConnector::SoapConnector(EndpointSpec endpoint, Settings settings, ConnectorContext context)
    : Connector(std::move(endpoint)), m_settings(std::move(settings)), m_baseDirectory(context.baseDirectory)
{
    Result<HttpClientOptions> options = HttpClientOptions::fromEndpoint(this->endpoint());
    m_http = std::make_unique<HttpClient>(options ? *options : HttpClientOptions{}, this->endpoint().authentication,
                                          std::move(context));
    m_http->setDefaultHeaders(this->endpoint().headers);
}

SoapConnector::~SoapConnector() = default;

Capabilities SoapConnector::capabilities() const
{
    Capabilities caps = Capability::TestConnection | Capability::DiscoverSchema;
    if (m_settings.entities.empty())
        return caps | Capability::Read;
    for (const EntitySettings &e : m_settings.entities) {
        if (!e.operation.isEmpty())
            caps |= Capability::Read;
        if (readsIncrementally(e))
            caps |= Capability::IncrementalRead;
        if (e.insert)
            caps |= Capability::Insert;
        if (e.update || e.insert)
            caps |= Capability::Upsert;
        if (e.remove)
            caps |= Capability::Delete;
    }
    return caps;
}

Result<const WsdlDocument *> SoapConnector::wsdl(const CancelToken *cancel)
{
    if (Result<void> loaded = load(cancel, false); !loaded)
        return loaded.error();
    return static_cast<const WsdlDocument *>(m_wsdl.get());
}

Result<void> SoapConnector::load(const CancelToken *cancel, bool reload)
{
    if (m_wsdl && !reload)
        return {};
    const EndpointSpec &ep = endpoint();

    // Where the WSDL is: a URL, a file, or a reference relative to the endpoint's URL.
    QUrl url;
    QString file;
    const QString &wsdl = m_settings.wsdl;
    if (wsdl.isEmpty()) {
        url = ep.url;
        url.setQuery(ep.url.hasQuery() ? u"wsdl&"_s + ep.url.query() : u"wsdl"_s);
    } else {
        const QUrl given(wsdl);
        if (given.scheme() == "http"_L1 || given.scheme() == "https"_L1) {
            url = given;
        } else if (given.scheme() == "file"_L1) {
            file = given.toLocalFile();
        } else {
            const QString candidate = QDir(m_baseDirectory.isEmpty() ? QDir::currentPath() : m_baseDirectory)
                                          .absoluteFilePath(wsdl);
            if (QFileInfo(candidate).isFile())
                file = candidate;
            else if (ep.url.isValid() && !ep.url.isRelative())
                url = ep.url.resolved(given);
            else
                return makeError("wsdl_unavailable",
                                 Tr::tr("Endpoint %1: there is no WSDL file %2, and no endpoint url to resolve it "
                                        "against")
                                     .arg(ep.id, candidate));
        }
    }

    const auto fetch = [this, cancel](const QUrl &from) -> Result<QByteArray> {
        HttpRequest request;
        request.url = from;
        request.setHeader("Accept", "text/xml, application/xml, application/wsdl+xml, */*;q=0.5");
        Result<HttpResponse> response = m_http->send(request, cancel);
        if (!response)
            return response.error();
        if (response->status == 401 || response->status == 403)
            return makeError("authentication_failed",
                             Tr::tr("WSDL %1: %2").arg(displayUrl(from), response->describe()));
        if (!response->isSuccess())
            return makeError("wsdl_unavailable", Tr::tr("WSDL %1: %2").arg(displayUrl(from), response->describe()));
        return std::move(response->body);
    };
    const auto readFile = [this](const QString &path) -> Result<QByteArray> {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return makeError("wsdl_unavailable", Tr::tr("WSDL file %1: %2").arg(path, f.errorString()));
        if (f.size() > m_settings.wsdlLimits.maxSize)
            return makeError("wsdl_unavailable", Tr::tr("WSDL file %1 is larger than %2 bytes (wsdl_max_size)")
                                                     .arg(path)
                                                     .arg(m_settings.wsdlLimits.maxSize));
        return f.readAll();
    };

    const bool fromFile = !file.isEmpty();
    Result<QByteArray> bytes = fromFile ? readFile(file) : fetch(url);
    if (!bytes)
        return bytes.error();
    const QUrl baseUrl = fromFile ? QUrl::fromLocalFile(file) : url;
    // Imports: over HTTP(S); from files only when the WSDL itself is a file (a remote document
    // must not make the connector read local files).
    const WsdlLoader loader = [&](const QUrl &importUrl) -> Result<QByteArray> {
        if (importUrl.isLocalFile()) {
            if (!fromFile)
                return makeError("wsdl_import", Tr::tr("a WSDL fetched over HTTP may not import the local file %1")
                                                    .arg(importUrl.toLocalFile()));
            return readFile(importUrl.toLocalFile());
        }
        if (importUrl.scheme() != "http"_L1 && importUrl.scheme() != "https"_L1)
            return makeError("wsdl_import", Tr::tr("cannot load %1: only http(s) and files").arg(importUrl.toString()));
        return fetch(importUrl);
    };
    Result<WsdlDocument> parsed = parseWsdl(*bytes, baseUrl, loader, m_settings.wsdlLimits);
    if (!parsed) {
        Error e = parsed.error();
        e.message = Tr::tr("WSDL %1: %2").arg(fromFile ? file : displayUrl(url), e.message);
        return e;
    }
    auto document = std::make_unique<WsdlDocument>(std::move(*parsed));

    // The port: by service, port, binding and SOAP version, in document order.
    const WsdlPort *chosenPort = nullptr;
    const WsdlBinding *chosenBinding = nullptr;
    QStringList seenServices;
    QStringList seenPorts;
    for (const WsdlService &service : document->services) {
        seenServices.append(service.name);
        if (!m_settings.service.isEmpty() && service.name != m_settings.service)
            continue;
        for (const WsdlPort &port : service.ports) {
            const WsdlBinding *b = document->binding(port.binding);
            if (!b || b->soapVersion == SoapVersion::None)
                continue;
            seenPorts.append(port.name);
            if ((!m_settings.port.isEmpty() && port.name != m_settings.port)
                || (!m_settings.binding.isEmpty() && b->name.name != m_settings.binding))
                continue;
            const bool versionFits = m_settings.soapVersion == SoapVersion::None || b->soapVersion == m_settings.soapVersion;
            if (!chosenPort || (versionFits && chosenBinding->soapVersion != m_settings.soapVersion
                                && m_settings.soapVersion != SoapVersion::None)) {
                chosenPort = &port;
                chosenBinding = b;
            }
        }
    }
    const QString where = Tr::tr("WSDL %1").arg(fromFile ? file : displayUrl(url));
    if (!m_settings.service.isEmpty() && !seenServices.contains(m_settings.service))
        return makeError("invalid_endpoint", Tr::tr("%1 has no service \"%2\"").arg(where, m_settings.service),
                         {u"/configuration/service: "_s + Tr::tr("services in the WSDL: %1").arg(seenServices.join(u", "_s))});
    if (!chosenPort) {
        if (!document->services.empty() && (!m_settings.port.isEmpty() || !m_settings.binding.isEmpty()))
            return makeError("invalid_endpoint", Tr::tr("%1 has no SOAP port that fits port/binding").arg(where),
                             {Tr::tr("SOAP ports in the WSDL: %1").arg(seenPorts.isEmpty() ? Tr::tr("none")
                                                                                         : seenPorts.join(u", "_s))});
        chosenBinding = document->binding(QStringView(m_settings.binding));
        if (!chosenBinding || chosenBinding->soapVersion == SoapVersion::None)
            return makeError("invalid_endpoint", Tr::tr("%1 has no SOAP binding%2").arg(
                                                     where, m_settings.binding.isEmpty()
                                                                ? QString()
                                                                : u" \""_s + m_settings.binding + u'"'));
    }
    m_version = m_settings.soapVersion != SoapVersion::None ? m_settings.soapVersion : chosenBinding->soapVersion;
    m_portName = chosenPort ? chosenPort->name : QString();
    switch (m_settings.addressSource) {
    case AddressSource::Wsdl:
        m_address = chosenPort && chosenPort->address.isValid() && !chosenPort->address.isEmpty() ? chosenPort->address
                                                                                                 : ep.url;
        break;
    case AddressSource::Endpoint:
        m_address = ep.url;
        break;
    case AddressSource::Url:
        m_address = m_settings.address;
        break;
    }
    if (!m_address.isValid() || m_address.isRelative())
        return makeError("invalid_endpoint", Tr::tr("%1: no address to send calls to (the port has none and the "
                                                    "endpoint has no url)")
                                                 .arg(where));
    m_wsdlUrl = baseUrl;
    m_binding = chosenBinding;
    m_wsdl = std::move(document);
    m_operationEntities.clear();
    for (const WsdlOperation &op : m_binding->operations) {
        EntitySettings e;
        e.name = op.name;
        e.operation = op.name;
        m_operationEntities.push_back(std::move(e));
    }
    return {};
}

Result<const SoapConnector::EntitySettings *> SoapConnector::entity(const QString &name)
{
    for (const EntitySettings &e : m_settings.entities) {
        if (e.name == name)
            return &e;
    }
    QStringList names;
    for (const EntitySettings &e : m_settings.entities)
        names.append(e.name);
    if (m_settings.entities.empty()) {
        if (Result<void> loaded = load(nullptr, false); !loaded)
            return loaded.error();
        for (const EntitySettings &e : m_operationEntities) {
            if (e.name == name)
                return &e;
            names.append(e.name);
        }
    }
    return makeError("unknown_entity", Tr::tr("Endpoint %1 has no entity \"%2\" (it has: %3)")
                                           .arg(endpoint().id, name, names.join(u", "_s)));
}

Result<Data::Value> SoapConnector::call(const QString &operationName, const Data::Value &body, const CancelToken *cancel)
{
    m_lastFault = Data::Value();
    if (cancel && cancel->isCancelled())
        return makeError("cancelled", Tr::tr("The call of %1 was cancelled").arg(operationName));
    if (Result<void> loaded = load(cancel, false); !loaded)
        return loaded.error();
    const WsdlOperation *op = m_binding->operation(operationName);
    if (!op) {
        QStringList names;
        for (const WsdlOperation &o : m_binding->operations)
            names.append(o.name);
        return makeError("unknown_operation", Tr::tr("Binding %1 has no operation \"%2\" (it has: %3)")
                                                  .arg(m_binding->name.name, operationName, names.join(u", "_s)));
    }
    if (!op->input)
        return makeError("soap_unsupported", Tr::tr("Operation %1 has no input: it cannot be called").arg(op->name));
    if (op->input->use == SoapUse::Encoded || (op->output && op->output->use == SoapUse::Encoded))
        return makeError("soap_unsupported", Tr::tr("Operation %1 uses SOAP encoding (use=\"encoded\"), which this "
                                                    "connector does not write; only literal messages")
                                                 .arg(op->name));
    const XsdSchemaSet &types = m_wsdl->types;
    const bool rpc = op->style == SoapStyle::Rpc;

    // The parts of the input, each as an element declaration (rpc: an unqualified accessor).
    std::vector<XsdElement> parts;
    for (const WsdlPart &part : op->input->parts) {
        XsdElement decl;
        if (!part.element.isEmpty()) {
            const XsdElement *global = types.element(part.element);
            if (!global)
                return makeError("wsdl_unresolved", Tr::tr("Element %1 of part %2 is not defined")
                                                        .arg(part.element.toString(), part.name));
            decl = *global;
        } else {
            decl.type = types.type(part.type);
        }
        if (rpc || part.element.isEmpty()) {
            decl.name = part.name;
            decl.namespaceUri.clear();
        }
        decl.minOccurs = 1;
        decl.maxOccurs = 1;
        parts.push_back(std::move(decl));
    }

    // Which form the body has: the members of the single part's element, or one member per part.
    Data::Value input = body.isUndefined() || body.isNull() ? Data::Value(Data::Object{}) : body;
    if (rpc && input.isObject() && input.size() == 1 && input[op->name].isObject())
        input = input[op->name];
    bool perPart = input.isObject() && input.size() > 0;
    for (const auto &member : input.toObject()) {
        perPart = perPart && std::any_of(parts.begin(), parts.end(), [&](const XsdElement &p) {
                      return p.name == member.first;
                  });
    }
    if (perPart && parts.size() == 1 && parts.front().type.kind == XsdTypeRef::Kind::Complex) {
        // A single part whose element has a child of its own name: the members are the content.
        for (const int i : contentChain(types, parts.front().type.index)) {
            for (const XsdElement &e : types.complexTypes[size_t(i)].elements)
                perPart = perPart && e.name != parts.front().name;
        }
    }
    if (!perPart && parts.size() != 1 && !(parts.empty() && input.size() == 0)) {
        QStringList names;
        for (const XsdElement &p : parts)
            names.append(p.name);
        return makeError("soap_invalid_request",
                         Tr::tr("Operation %1 has %2 body parts (%3): give an object with one member per part")
                             .arg(op->name)
                             .arg(parts.size())
                             .arg(names.join(u", "_s)));
    }

    EnvelopeWriter writer(types);
    Data::Object bodyContent;
    Data::Object *target = &bodyContent;
    Data::Object wrapper;
    if (rpc)
        target = &wrapper;
    for (const XsdElement &part : parts) {
        const Data::Value value = perPart ? input[part.name] : input;
        writer.element(part, value.isUndefined() && !part.isOptional() ? Data::Value(Data::Object{}) : value,
                       perPart ? pointerAppend(QString(), part.name) : QString(), *target);
    }
    if (rpc) {
        const QString ns = op->input->namespaceUri.isEmpty() ? m_wsdl->targetNamespace : op->input->namespaceUri;
        bodyContent.insert(writer.qualified(ns, op->name), Data::Value(std::move(wrapper)));
    }
    if (!writer.problems.isEmpty())
        return makeError("soap_invalid_request",
                         Tr::tr("The request for %1 does not fit its schema").arg(op->name), writer.problems);
    const bool soap12 = m_version == SoapVersion::Soap12;
    Data::Object envelope;
    envelope.append(u"@xmlns:soap"_s, (soap12 ? kSoap12Envelope : kSoap11Envelope).toString());
    for (const auto &[prefix, ns] : writer.declarations)
        envelope.append(u"@xmlns:"_s + prefix, ns);
    if (writer.needsXsi)
        envelope.append(u"@xmlns:xsi"_s, kXsi.toString());
    envelope.append(u"soap:Body"_s, bodyContent.isEmpty() ? Data::Value::null() : Data::Value(std::move(bodyContent)));
    Result<QByteArray> xml = Data::Xml::write(Data::Value(Data::Object{{u"soap:Envelope"_s, Data::Value(envelope)}}));
    if (!xml)
        return makeError("soap_invalid_request",
                         Tr::tr("The request for %1 cannot be written as XML: %2").arg(op->name, xml.error().message));

    HttpRequest request;
    request.method = "POST";
    request.url = m_address;
    request.body = std::move(*xml);
    QByteArray action = op->soapAction.toUtf8();
    action.replace('\\', "\\\\").replace('"', "\\\"");
    if (soap12) {
        request.setHeader("Content-Type", "application/soap+xml; charset=utf-8"
                                              + (action.isEmpty() ? QByteArray() : "; action=\"" + action + '"'));
        request.setHeader("Accept", "application/soap+xml, multipart/related");
    } else {
        request.setHeader("Content-Type", "text/xml; charset=utf-8");
        request.setHeader("SOAPAction", '"' + action + '"');
        request.setHeader("Accept", "text/xml, multipart/related");
    }
    // A fault is the service's answer (SOAP 1.1 sends every fault with HTTP 500): it neither
    // counts against the circuit breaker nor is retried. A 5xx without one (a proxy's error
    // page) is the server failing.
    request.isServerFailure = [](const HttpResponse &answer) {
        return answer.status >= 500 && !answer.body.contains(":Fault") && !answer.body.contains("<Fault");
    };
    Result<HttpResponse> sent = m_http->send(request, cancel);
    if (!sent)
        return sent.error();
    const HttpResponse &response = *sent;
    const QString where = Tr::tr("%1 (HTTP %2, operation %3)").arg(displayUrl(m_address)).arg(response.status).arg(op->name);

    // What came back: a fault (whatever the status), an answer, or something else.
    const auto failure = [&](const QString &what) {
        if (response.status == 401 || response.status == 403)
            return makeError("authentication_failed", Tr::tr("%1 from %2: %3")
                                                          .arg(response.describe(), displayUrl(m_address), what));
        if (!response.isSuccess())
            return makeError("soap_http_error", Tr::tr("%1 from %2 calling %3: %4")
                                                    .arg(response.describe(), displayUrl(m_address), op->name, what));
        return makeError("soap_invalid_response", Tr::tr("The answer of %1 to %2 is not usable: %3")
                                                      .arg(displayUrl(m_address), op->name, what));
    };
    if (response.body.trimmed().isEmpty()) {
        if (response.isSuccess() && (!op->output || response.status == 202))
            return Data::Value::null();
        return failure(Tr::tr("the body is empty"));
    }
    if (looksLikeHtml(response)) {
        const QString title = htmlTitle(response.body);
        return failure(title.isEmpty() ? Tr::tr("an HTML page came instead of a SOAP envelope")
                                       : Tr::tr("an HTML page (\"%1\") came instead of a SOAP envelope").arg(title));
    }
    Data::Xml::XmlReadOptions readOptions;
    readOptions.emptyAsNull = false;
    Result<Data::Value> document = Data::Xml::read(response.body, readOptions);
    if (!document)
        return failure(Tr::tr("not well-formed XML: %1").arg(document.error().message));
    NodeReader nodes;
    Node root;
    const Data::Object &rootObject = document->toObject();
    root.written = rootObject.memberAt(0).first;
    root.value = rootObject.memberAt(0).second;
    root.scope = enterScope(root.value, {});
    if (!resolveName(root.written, root.scope, false, &root.name) || root.name.local != "Envelope"_L1
        || (root.name.ns != kSoap11Envelope && root.name.ns != kSoap12Envelope))
        return failure(Tr::tr("the root element is <%1> (namespace \"%2\"), not a SOAP Envelope")
                           .arg(root.written, root.name.ns));
    const bool answer12 = root.name.ns == kSoap12Envelope;
    const std::vector<Node> envelopeChildren = nodes.children(root);
    const Node *soapBody = nullptr;
    for (const Node &child : envelopeChildren) {
        if (child.name.local == "Body"_L1 && child.name.ns == root.name.ns)
            soapBody = &child;
    }
    if (!soapBody)
        return failure(Tr::tr("the envelope has no Body"));
    const std::vector<Node> bodyChildren = nodes.children(*soapBody);
    if (!nodes.error.isEmpty())
        return failure(nodes.error);
    for (const Node &child : bodyChildren) {
        if (child.name.local == "Fault"_L1 && child.name.ns == root.name.ns)
            return faultError(nodes, child, answer12, where, &m_lastFault);
    }
    if (!response.isSuccess())
        return failure(Tr::tr("a SOAP envelope without a fault"));
    if (answer12 != soap12)
        return failure(Tr::tr("a SOAP %1 envelope answered a SOAP %2 request")
                           .arg(versionName(answer12 ? SoapVersion::Soap12 : SoapVersion::Soap11), versionName(m_version)));
    if (!op->output)
        return Data::Value::null();

    // The output parts, typed by the schema; the shape messageSchema() describes.
    TypedReader typed(types, nodes);
    Data::Object result;
    const auto found = [&](const std::vector<Node> &children, const QString &ns, const QString &local) -> const Node * {
        for (const Node &c : children) {
            if (c.name.local == local && c.name.ns == ns)
                return &c;
        }
        return childNamed(children, local);
    };
    const auto present = [&](const std::vector<Node> &children) {
        QStringList names;
        for (const Node &c : children)
            names.append(u'<' + c.written + u'>');
        return names.isEmpty() ? Tr::tr("nothing") : names.join(u", "_s);
    };
    std::vector<Node> partNodes = bodyChildren;
    Data::Object *out = &result;
    Data::Object rpcOut;
    if (rpc) {
        if (bodyChildren.empty())
            return failure(Tr::tr("the Body is empty; the response wrapper of %1 was expected").arg(op->name));
        partNodes = nodes.children(bodyChildren.front());
        out = &rpcOut;
    }
    for (const WsdlPart &part : op->output->parts) {
        XsdTypeRef type;
        QString ns;
        QString local = part.name;
        if (!part.element.isEmpty()) {
            const XsdElement *global = types.element(part.element);
            if (!global)
                return makeError("wsdl_unresolved", Tr::tr("Element %1 of part %2 is not defined")
                                                        .arg(part.element.toString(), part.name));
            type = global->type;
            if (!rpc) {
                ns = global->namespaceUri;
                local = global->name;
            }
        } else {
            type = types.type(part.type);
        }
        const Node *node = found(partNodes, ns, local);
        if (!node)
            return failure(Tr::tr("the %1 has no element <%2>%3; it holds %4")
                               .arg(rpc ? Tr::tr("response wrapper") : Tr::tr("Body"), local,
                                    ns.isEmpty() ? QString() : Tr::tr(" in namespace %1").arg(ns), present(partNodes)));
        out->insert(local, typed.element(type, *node));
    }
    if (!nodes.error.isEmpty())
        return failure(nodes.error);
    if (rpc)
        result.insert(op->name + u"Response"_s, Data::Value(std::move(rpcOut)));
    return Data::Value(std::move(result));
}

Result<ConnectionTest> SoapConnector::testConnection()
{
    QElapsedTimer timer;
    timer.start();
    if (Result<void> loaded = load(nullptr, true); !loaded)
        return loaded.error();
    ConnectionTest test;
    test.latencyMs = timer.elapsed();
    const QString service = m_wsdl->services.empty() ? m_wsdl->name : m_wsdl->services.front().name;
    const int operations = int(m_binding->operations.size());
    test.serverInfo = (operations == 1 ? Tr::tr("1 operation") : Tr::tr("%1 operations").arg(operations))
                      + Tr::tr(" (WSDL %1, SOAP %2, %3 at %4)")
                            .arg(service, versionName(m_version),
                                 m_portName.isEmpty() ? m_binding->name.name : m_portName, displayUrl(m_address));
    return test;
}

Result<std::vector<Entity>> SoapConnector::discover()
{
    if (Result<void> loaded = load(nullptr, false); !loaded)
        return loaded.error();
    const std::vector<EntitySettings> &list = m_settings.entities.empty() ? m_operationEntities : m_settings.entities;
    std::vector<Entity> entities;
    for (size_t i = 0; i < list.size(); ++i) {
        const EntitySettings &e = list[i];
        Entity entity;
        entity.name = e.name;
        entity.keyFields = e.keyFields;
        entity.cursorField = e.cursorField;
        if (!e.operation.isEmpty()) {
            const WsdlOperation *op = m_binding->operation(e.operation);
            if (!op)
                return makeError("unknown_operation", Tr::tr("Entity %1: binding %2 has no operation \"%3\"")
                                                          .arg(e.name, m_binding->name.name, e.operation));
            entity.description = op->documentation.isEmpty() ? Tr::tr("SOAP operation %1").arg(op->name)
                                                              : op->documentation;
            if (op->output) {
                Result<Data::SchemaField> schema = messageSchema(*m_wsdl, *op, WsdlMessageRole::Output);
                if (!schema)
                    return schema.error();
                const Data::SchemaField *records = schemaAt(*schema, pointerTokens(e.recordsPath));
                if (!records)
                    return makeError("invalid_endpoint",
                                     Tr::tr("Entity %1: records_path %2 is not in the answer of %3").arg(e.name, e.recordsPath, op->name),
                                     {u"/configuration/entities/%1/records_path"_s.arg(i)});
                entity.schema = records->isRepeated() && records->item() ? *records->item() : *records;
                entity.schema.name.clear();
                rebase(entity.schema, QString());
            }
            entity.capabilities |= Capability::Read;
            if (readsIncrementally(e))
                entity.capabilities |= Capability::IncrementalRead;
        }
        if (e.insert)
            entity.capabilities |= Capability::Insert;
        if (e.update || e.insert)
            entity.capabilities |= Capability::Upsert;
        if (e.remove)
            entity.capabilities |= Capability::Delete;
        entities.push_back(std::move(entity));
    }
    return entities;
}

Result<ReadSummary> SoapConnector::read(const ReadRequest &request, const PageSink &sink)
{
    Result<const EntitySettings *> found = entity(request.entity);
    if (!found)
        return found.error();
    const EntitySettings &e = **found;
    if (e.operation.isEmpty())
        return makeError("unsupported", Tr::tr("Entity %1 has no read operation").arg(e.name));
    if (Result<void> loaded = load(request.cancel, false); !loaded)
        return loaded.error();
    if (!request.filter.isUndefined() && !request.filter.isNull() && !request.filter.isObject())
        return makeError("invalid_request", Tr::tr("The filter of a SOAP read is an object of request members"));

    // A records_path the answer cannot have would read nothing, silently: refuse it.
    if (!e.recordsPath.isEmpty()) {
        const WsdlOperation *op = m_binding->operation(e.operation);
        if (op && op->output) {
            Result<Data::SchemaField> schema = messageSchema(*m_wsdl, *op, WsdlMessageRole::Output);
            if (schema && !schemaAt(*schema, pointerTokens(e.recordsPath))) {
                QStringList members;
                for (const Data::SchemaField &f : schema->fields)
                    members.append(u'/' + f.name);
                return makeError("invalid_endpoint",
                                 Tr::tr("Entity %1: records_path %2 is not in the answer of %3 (it starts with %4)")
                                     .arg(e.name, e.recordsPath, op->name, members.join(u", "_s)));
            }
        }
    }
    QSet<QString> variables;
    collectPlaceholders(e.request, &variables);
    const bool paged = variables.contains(u"offset"_s) || variables.contains(u"page"_s);
    const bool limited = variables.contains(u"limit"_s);
    const bool incremental = !request.cursorField.isEmpty();
    if (incremental) {
        if (request.cursorField != e.cursorField)
            return makeError("unsupported", Tr::tr("Entity %1 reads incrementally by %2, not by %3")
                                                .arg(e.name, e.cursorField.isEmpty() ? Tr::tr("nothing") : e.cursorField,
                                                     request.cursorField));
        if (e.cursorParameter.isEmpty() && !variables.contains(u"cursor"_s))
            return makeError("unsupported", Tr::tr("Entity %1 has no cursor_parameter or {cursor} in its request: "
                                                   "the server cannot be asked for changes only")
                                                .arg(e.name));
    }
    const int pageSize = request.pageSize > 0 ? request.pageSize : e.pageSize > 0 ? e.pageSize : m_settings.pageSize;
    const QStringList recordTokens = pointerTokens(e.recordsPath);
    const QString cursorField = incremental ? request.cursorField : e.cursorField;
    const Data::Value cursor = incremental && !request.cursorAfter.isNull() ? request.cursorAfter : Data::Value();

    ReadSummary summary;
    qint64 offset = 0;
    qint64 page = 1;
    std::vector<Data::Value> previous;
    while (true) {
        if (request.cancel && request.cancel->isCancelled())
            return makeError("cancelled", Tr::tr("Reading %1 was cancelled").arg(e.name));
        Data::Value body = substitute(e.request.isUndefined() ? Data::Value(Data::Object{}) : e.request,
                                      [&](const QString &name) -> Data::Value {
                                          if (name == "offset"_L1)
                                              return Data::Value(offset);
                                          if (name == "limit"_L1)
                                              return Data::Value(pageSize);
                                          if (name == "page"_L1)
                                              return Data::Value(page);
                                          if (name == "cursor"_L1)
                                              return cursor;
                                          return Data::Value();
                                      });
        if (request.filter.isObject()) {
            for (const auto &[key, value] : request.filter.toObject())
                body.mutableObject().insert(key, value);
        }
        if (!e.cursorParameter.isEmpty() && !cursor.isUndefined()) {
            const QStringList tokens = e.cursorParameter.startsWith(u'/') ? pointerTokens(e.cursorParameter)
                                                                          : QStringList{e.cursorParameter};
            setAt(body, tokens, 0, cursor);
        }
        Result<Data::Value> answer = call(e.operation, body, request.cancel);
        if (!answer)
            return answer.error();
        const Data::Value at = valueAt(*answer, recordTokens);
        std::vector<Data::Value> records;
        if (at.isArray())
            records = at.toArray();
        else if (!at.isUndefined() && !at.isNull())
            records.push_back(at);
        const qsizetype received = qsizetype(records.size());
        if (paged && received > 0 && records == previous)
            return makeError("paging_stuck", Tr::tr("Reading %1: the server answered page %2 with the records of the "
                                                    "page before; does %3 honour the paging of the request?")
                                                 .arg(e.name)
                                                 .arg(page)
                                                 .arg(e.operation));
        previous = records;
        for (Data::Value &record : records) {
            if (!cursorField.isEmpty()) {
                const Data::Value c = record[cursorField];
                if (!c.isUndefined() && !c.isNull() && (summary.lastCursor.isUndefined() || summary.lastCursor.isNull()
                                                        || compareCursor(c, summary.lastCursor) > 0))
                    summary.lastCursor = c;
            }
            if (!request.fields.isEmpty() && record.isObject()) {
                Data::Object projected;
                for (const QString &field : request.fields) {
                    const Data::Value v = record[field];
                    if (!v.isUndefined())
                        projected.append(field, v);
                }
                record = Data::Value(std::move(projected));
            }
        }
        bool done = false;
        if (request.limit >= 0 && summary.records + qint64(records.size()) >= request.limit) {
            records.resize(size_t(request.limit - summary.records));
            done = true;
            summary.stoppedEarly = true;
        }
        if (!records.empty()) {
            summary.records += qint64(records.size());
            ++summary.pages;
            if (!sink(std::move(records))) {
                summary.stoppedEarly = true;
                break;
            }
        }
        if (done || !paged || received == 0 || (limited && received < pageSize))
            break;
        offset += received;
        ++page;
    }
    return summary;
}

Result<WriteSummary> SoapConnector::write(const WriteRequest &request)
{
    Result<const EntitySettings *> found = entity(request.entity);
    if (!found)
        return found.error();
    const EntitySettings &e = **found;
    if (Result<void> loaded = load(request.cancel, false); !loaded)
        return loaded.error();
    const QStringList keys = request.keyFields.isEmpty() ? e.keyFields : request.keyFields;
    const auto hasKey = [&](const Data::Value &record) {
        return !keys.isEmpty() && std::all_of(keys.begin(), keys.end(), [&](const QString &k) {
            return !record[k].isUndefined() && !record[k].isNull();
        });
    };
    // The request of a write operation without a template: the record, wrapped in the input
    // element's only child when that child is a structure (CreateOrder/order); deletes send
    // the key fields only.
    const auto defaultRequest = [&](const WsdlOperation &op, const Data::Value &record, bool keysOnly) {
        Data::Value content = record;
        if (keysOnly && !keys.isEmpty()) {
            Data::Object k;
            for (const QString &key : keys)
                k.append(key, record[key]);
            content = Data::Value(std::move(k));
        }
        if (!op.input || op.input->parts.size() != 1 || op.input->parts.front().element.isEmpty())
            return content;
        const XsdElement *element = m_wsdl->types.element(op.input->parts.front().element);
        if (!element || element->type.kind != XsdTypeRef::Kind::Complex)
            return content;
        std::vector<const XsdElement *> children;
        for (const int i : contentChain(m_wsdl->types, element->type.index)) {
            for (const XsdElement &c : m_wsdl->types.complexTypes[size_t(i)].elements)
                children.push_back(&c);
        }
        if (children.size() == 1 && children.front()->type.kind == XsdTypeRef::Kind::Complex
            && !(content.isObject() && content.size() == 1 && content.toObject().contains(children.front()->name)))
            return Data::Value(Data::Object{{children.front()->name, content}});
        return content;
    };

    WriteSummary summary;
    for (size_t i = 0; i < request.records.size(); ++i) {
        if (request.cancel && request.cancel->isCancelled())
            return makeError("cancelled", Tr::tr("Writing %1 was cancelled after %2 records").arg(e.name).arg(i));
        const Data::Value &record = request.records[i];
        const std::optional<WriteOperation> *chosen = nullptr;
        qint64 *counter = nullptr;
        switch (request.mode) {
        case WriteMode::Insert:
            chosen = &e.insert;
            counter = &summary.inserted;
            break;
        case WriteMode::Upsert:
            if (hasKey(record) && e.update) {
                chosen = &e.update;
                counter = &summary.updated;
            } else {
                chosen = &e.insert;
                counter = &summary.inserted;
            }
            break;
        case WriteMode::Delete:
            chosen = &e.remove;
            counter = &summary.deleted;
            if (!hasKey(record))
                return makeError("invalid_request", Tr::tr("Record %1 of the delete from %2 has no value for its key "
                                                           "(%3)")
                                                        .arg(i)
                                                        .arg(e.name, keys.join(u", "_s)));
            break;
        }
        if (!chosen->has_value())
            return makeError("unsupported", Tr::tr("Entity %1 has no %2 operation (configuration write)")
                                                .arg(e.name, request.mode == WriteMode::Delete ? u"delete"_s
                                                             : chosen == &e.update        ? u"update"_s
                                                                                          : u"insert"_s));
        const WriteOperation &w = **chosen;
        const WsdlOperation *op = m_binding->operation(w.operation);
        if (!op)
            return makeError("unknown_operation", Tr::tr("Entity %1: binding %2 has no operation \"%3\"")
                                                      .arg(e.name, m_binding->name.name, w.operation));
        const Data::Value body = w.request.isUndefined()
                                     ? defaultRequest(*op, record, request.mode == WriteMode::Delete)
                                     : substitute(w.request, [&](const QString &name) -> Data::Value {
                                           return name == "record"_L1 ? record : record[name];
                                       });
        Result<Data::Value> answer = call(w.operation, body, request.cancel);
        if (!answer) {
            Error error = answer.error();
            error.message = Tr::tr("Record %1 of %2 (%3 written before it): %4")
                                .arg(i)
                                .arg(e.name)
                                .arg(summary.inserted + summary.updated + summary.deleted)
                                .arg(error.message);
            return error;
        }
        ++*counter;
    }
    return summary;
}

Result<std::unique_ptr<Connector>> createSoapConnector(const EndpointSpec &endpoint, const ConnectorContext &context)
{
    Result<Settings> settings = readSettings(endpoint);
    if (!settings)
        return settings.error();
    Result<HttpClientOptions> options = HttpClientOptions::fromEndpoint(endpoint);
    if (!options)
        return options.error();
    return std::unique_ptr<Connector>(std::make_unique<SoapConnector>(endpoint, std::move(*settings), context));
}

} // namespace Conflux::Connectors
