#include "transform_p.h"

#include <QHash>
#include <data/json.h>
#include <data/xml.h>

using namespace Qt::StringLiterals;

namespace Conflux::Gateway::Internal {

using Data::Array;
using Data::Object;
using Data::Value;

namespace {

using Tr = TransformTr;

constexpr auto soap11Namespace = "http://schemas.xmlsoap.org/soap/envelope/"_L1;
constexpr auto soap12Namespace = "http://www.w3.org/2003/05/soap-envelope"_L1;
constexpr auto xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"_L1;

// Whether Data::Xml would write `name` as an element name.
bool isXmlName(const QString &name)
{
    Data::Xml::XmlWriteOptions options;
    options.declaration = false;
    return Data::Xml::write(Value(Object {{name, Value(nullptr)}}), options).isOk();
}

// ---- json_to_xml, xml_to_json ----------------------------------------------------------

class JsonToXmlRule final : public TransformRule
{
public:
    QString root;

    Result<void> apply(Work &work) const override
    {
        Result<Value> body = work.takeJson();
        if (!body)
            return body.error();
        if (body->isArray()) {
            return work.fail(Tr::tr("the body is a JSON array, but XML has one root element <%1>; "
                                    "wrap the array in an object first")
                                 .arg(root));
        }
        Result<QByteArray> xml = Data::Xml::write(Value(Object {{root, std::move(body).value()}}));
        if (!xml)
            return work.fail(
                Tr::tr("the body cannot be written as XML: %1").arg(xml.error().message));
        work.putBytes(std::move(xml).value(), "application/xml");
        return {};
    }
};

Data::Xml::XmlReadOptions xmlOptions(const QStringList &arrayPaths, const Work &work)
{
    Data::Xml::XmlReadOptions options;
    options.arrayPaths = arrayPaths;
    options.limits.maxSize = work.limits.maxBodyBytes;
    return options;
}

class XmlToJsonRule final : public TransformRule
{
public:
    bool keepRoot = true;
    QStringList arrayPaths;

    Result<void> apply(Work &work) const override
    {
        Result<QByteArray> body = work.bytes("XML"_L1);
        if (!body)
            return body.error();
        Result<Value> document = Data::Xml::read(*body, xmlOptions(arrayPaths, work));
        if (!document)
            return work.fail(Tr::tr("the body is not XML: %1").arg(document.error().message));
        work.putJson(
            keepRoot ? std::move(document).value() : document->toObject().memberAt(0).second, true);
        return {};
    }
};

// ---- SOAP ------------------------------------------------------------------------------

class JsonToSoapRule final : public TransformRule
{
public:
    FieldMapping mapping;
    QString operation;
    QString targetNamespace;
    QString action;
    bool soap12 = false;

    Result<void> apply(Work &work) const override
    {
        Result<Value> body = work.takeJson();
        if (!body)
            return body.error();
        Value content = std::move(body).value();
        if (!mapping.isEmpty()) {
            Result<Value> mapped = mapping.apply(content, work);
            if (!mapped)
                return mapped.error();
            content = std::move(mapped).value();
        }
        if (content.isArray()) {
            return work.fail(
                Tr::tr("the body is a JSON array, but the children of <%1> need a JSON object")
                    .arg(operation));
        }

        // "CreateOrder" declares the default namespace (children are qualified);
        // "m:CreateOrder" declares the prefix m (children are unqualified).
        Object element;
        if (!targetNamespace.isEmpty()) {
            const qsizetype colon = operation.indexOf(u':');
            const QString declaration
                = colon < 0 ? u"@xmlns"_s : u"@xmlns:"_s + operation.left(colon);
            element.append(declaration, Value(targetNamespace));
        }
        if (content.isObject()) {
            for (const auto &[key, value] : content.toObject()) {
                if (!element.contains(key))
                    element.append(key, value);
            }
        } else if (!content.isNull()) {
            element.append(u"#text"_s, content);
        }
        const Value operationValue = element.isEmpty() ? Value(nullptr) : Value(std::move(element));
        const Value envelope(Object {
            {u"soap:Envelope"_s,
             Value(Object {{u"@xmlns:soap"_s, Value(soap12 ? soap12Namespace : soap11Namespace)},
                           {u"soap:Body"_s, Value(Object {{operation, operationValue}})}})}});
        Result<QByteArray> xml = Data::Xml::write(envelope);
        if (!xml)
            return work.fail(
                Tr::tr("the body cannot be written as SOAP: %1").arg(xml.error().message));

        if (soap12) {
            QByteArray type = "application/soap+xml; charset=utf-8";
            if (!action.isEmpty())
                type += "; action=\"" + action.toUtf8() + '"';
            work.putBytes(std::move(xml).value(), type);
            work.headers.remove("SOAPAction");
        } else {
            work.putBytes(std::move(xml).value(), "text/xml; charset=utf-8");
            work.headers.set("SOAPAction", '"' + action.toUtf8() + '"');
        }
        return {};
    }
};

// Prefix → namespace URI declarations in scope while walking a document read by Data::Xml,
// which keeps names as written and declarations as "@xmlns" / "@xmlns:p" members.
class Namespaces
{
public:
    void declare(const Value &element)
    {
        if (!element.isObject())
            return;
        for (const auto &[key, value] : element.toObject()) {
            if (key == u"@xmlns")
                m_uris.insert(QString(), value.toString());
            else if (key.startsWith(u"@xmlns:"))
                m_uris.insert(key.mid(7), value.toString());
        }
    }

    // The namespace URI of a qualified name. Unprefixed attributes have none.
    QString uri(QStringView name, bool isAttribute = false) const
    {
        const qsizetype colon = name.indexOf(u':');
        if (colon < 0 && isAttribute)
            return {};
        return m_uris.value(colon < 0 ? QString() : name.left(colon).toString());
    }

    static QString localName(const QString &name)
    {
        const qsizetype colon = name.indexOf(u':');
        return colon < 0 ? name : name.mid(colon + 1);
    }

private:
    QHash<QString, QString> m_uris;
};

// Adds `value` under `key`; when two prefixed names share a local name, elements are merged
// into one array in document order and the first attribute wins.
void mergeMember(Object &out, const QString &key, Value value)
{
    Value *existing = out.find(key);
    if (!existing) {
        out.append(key, std::move(value));
        return;
    }
    if (key.startsWith(u'@'))
        return;
    Array merged = existing->isArray() ? existing->toArray() : Array {*existing};
    if (value.isArray()) {
        for (const Value &item : value.toArray())
            merged.push_back(item);
    } else {
        merged.push_back(std::move(value));
    }
    *existing = Value(std::move(merged));
}

// The value of an element without namespace information: prefixes are dropped from element
// and attribute names, namespace declarations and xsi:* attributes are dropped, an element
// with xsi:nil="true" becomes null, and an element left with only text becomes that string
// (with nothing at all, null).
Value withoutNamespaces(const Value &element, Namespaces scope)
{
    if (element.isArray()) {
        Array items;
        items.reserve(size_t(element.size()));
        for (const Value &item : element.toArray())
            items.push_back(withoutNamespaces(item, scope));
        return Value(std::move(items));
    }
    if (!element.isObject())
        return element;
    scope.declare(element);
    Object out;
    bool nil = false;
    for (const auto &[key, value] : element.toObject()) {
        if (key.startsWith(u'@')) {
            const QString name = key.mid(1);
            if (name == u"xmlns" || name.startsWith(u"xmlns:"))
                continue;
            if (scope.uri(name, true) == xsiNamespace) {
                nil = nil
                    || (Namespaces::localName(name) == u"nil"
                        && (value.toString() == u"true" || value.toString() == u"1"));
                continue;
            }
            mergeMember(out, u'@' + Namespaces::localName(name), value);
        } else if (key == u"#text") {
            out.insert(key, value);
        } else {
            mergeMember(out, Namespaces::localName(key), withoutNamespaces(value, scope));
        }
    }
    if (nil || out.isEmpty())
        return Value(nullptr);
    if (out.size() == 1 && out.contains(u"#text"))
        return out.memberAt(0).second;
    return Value(std::move(out));
}

// The text of a value from withoutNamespaces(): a string, an element's "#text", or the
// first of repeated elements.
QString textOf(const Value &value)
{
    if (value.isArray())
        return value.size() > 0 ? textOf(value.at(0)) : QString();
    if (value.isObject())
        return value[u"#text"].toString();
    return value.toString();
}

class SoapToJsonRule final : public TransformRule
{
public:
    bool keepRoot = true;
    QStringList arrayPaths;

    Result<void> apply(Work &work) const override
    {
        Result<QByteArray> body = work.bytes("a SOAP envelope"_L1);
        if (!body)
            return body.error();
        Result<Value> document = Data::Xml::read(*body, xmlOptions(arrayPaths, work));
        if (!document)
            return work.fail(Tr::tr("the body is not XML: %1").arg(document.error().message));

        const auto &[rootName, root] = document->toObject().memberAt(0);
        Namespaces scope;
        scope.declare(root);
        const QString envelopeNs = scope.uri(rootName);
        if (Namespaces::localName(rootName) != u"Envelope"
            || (envelopeNs != soap11Namespace && envelopeNs != soap12Namespace)) {
            return work.fail(
                Tr::tr("the body is not a SOAP 1.1 or 1.2 envelope: the root element is <%1>%2")
                    .arg(rootName,
                         envelopeNs.isEmpty() ? QString()
                                              : Tr::tr(" in namespace %1").arg(envelopeNs)));
        }
        const bool soap12 = envelopeNs == soap12Namespace;

        const Value *soapBody = nullptr;
        for (const auto &[name, value] : root.toObject()) {
            if (name.startsWith(u'@') || name.startsWith(u'#'))
                continue;
            Namespaces inner = scope;
            const Value &first = value.isArray() ? value.at(0) : value;
            inner.declare(first);
            if (Namespaces::localName(name) == u"Body" && inner.uri(name) == envelopeNs) {
                soapBody = &first;
                scope = inner;
                break;
            }
        }
        if (!soapBody)
            return work.fail(Tr::tr("the SOAP envelope has no Body"));

        // The first child element of Body; an empty Body (a one-way reply) gives an empty body.
        if (soapBody->isObject()) {
            for (const auto &[name, value] : soapBody->toObject()) {
                if (name.startsWith(u'@') || name.startsWith(u'#'))
                    continue;
                const Value &child = value.isArray() ? value.at(0) : value;
                Namespaces inner = scope;
                inner.declare(child);
                const QString local = Namespaces::localName(name);
                const Value content = withoutNamespaces(child, scope);
                if (local == u"Fault" && inner.uri(name) == envelopeNs)
                    return fault(work, soap12, content);
                work.putJson(keepRoot ? Value(Object {{local, content}}) : content, true);
                return {};
            }
        }
        work.putJson(Value());
        return {};
    }

private:
    static Result<void> fault(const Work &work, bool soap12, const Value &fault)
    {
        QStringList details;
        auto detail = [&details](const QString &label, const Value &value) {
            if (value.isUndefined() || value.isNull())
                return;
            QString text = value.isString() ? value.toString()
                                            : QString::fromUtf8(Data::Json::serialize(value));
            if (text.size() > 2000)
                text = text.left(2000) + u"…"_s;
            details.append(label + u": "_s + text);
        };
        QString code;
        QString reason;
        if (soap12) {
            code = textOf(fault[u"Code"][u"Value"]);
            reason = textOf(fault[u"Reason"][u"Text"]);
            detail(u"subcode"_s, fault[u"Code"][u"Subcode"][u"Value"]);
            detail(u"node"_s, fault[u"Node"]);
            detail(u"role"_s, fault[u"Role"]);
            detail(u"detail"_s, fault[u"Detail"]);
        } else {
            code = textOf(fault[u"faultcode"]);
            reason = textOf(fault[u"faultstring"]);
            detail(u"faultactor"_s, fault[u"faultactor"]);
            detail(u"detail"_s, fault[u"detail"]);
        }
        return work.fail(Tr::tr("SOAP %1 fault %2: %3")
                             .arg(soap12 ? u"1.2"_s : u"1.1"_s,
                                  code.isEmpty() ? Tr::tr("(no code)") : code,
                                  reason.isEmpty() ? Tr::tr("(no reason)") : reason),
                         details);
    }
};

template<typename XmlRule>
RulePtr compileXmlReader(const QJsonObject &o, const QString &at, Compiler &c)
{
    c.checkMembers(o, at, {"keep_root"_L1, "array_paths"_L1});
    auto rule = std::make_unique<XmlRule>();
    rule->keepRoot = o.contains(u"keep_root"_s) ? c.boolean(o, "keep_root"_L1, at) : true;
    rule->arrayPaths = c.strings(o, "array_paths"_L1, at);
    return rule;
}

} // namespace

RulePtr compileJsonToXml(const QJsonObject &o, const QString &at, Compiler &c)
{
    c.checkMembers(o, at, {"root"_L1});
    auto rule = std::make_unique<JsonToXmlRule>();
    rule->root = c.string(o, "root"_L1, at, true);
    if (!rule->root.isEmpty() && !isXmlName(rule->root))
        c.problem(at + u"/root"_s,
                  Tr::tr("\"%1\" is not a valid XML element name").arg(rule->root));
    return rule;
}

RulePtr compileJsonToSoap(const QJsonObject &o, const QString &at, Compiler &c)
{
    c.checkMembers(o, at,
                   {"operation"_L1, "namespace"_L1, "soap_action"_L1, "soap_version"_L1,
                    "mappings"_L1, "keep_unmapped"_L1});
    auto rule = std::make_unique<JsonToSoapRule>();
    rule->operation = c.string(o, "operation"_L1, at, true);
    if (!rule->operation.isEmpty() && !isXmlName(rule->operation))
        c.problem(at + u"/operation"_s,
                  Tr::tr("\"%1\" is not a valid XML element name").arg(rule->operation));
    if (rule->operation.count(u':') > 1 || rule->operation.startsWith(u':')
        || rule->operation.endsWith(u':'))
        c.problem(at + u"/operation"_s,
                  Tr::tr("\"%1\" is not a qualified name (prefix:name)").arg(rule->operation));
    if (rule->operation.contains(u':') && !o.contains(u"namespace"_s))
        c.problem(at + u"/namespace"_s,
                  Tr::tr("a prefixed operation needs the namespace its prefix stands for"));
    rule->targetNamespace = c.string(o, "namespace"_L1, at, false);
    rule->action = c.string(o, "soap_action"_L1, at, false);
    for (QChar ch : std::as_const(rule->action)) {
        if (ch == u'"' || ch == u'\\' || ch.unicode() < 0x20 || ch.unicode() > 0x7e) {
            c.problem(
                at + u"/soap_action"_s,
                Tr::tr("a SOAP action is a URI: printable ASCII without quotes or backslashes"));
            break;
        }
    }
    const QString version
        = o.contains(u"soap_version"_s) ? c.string(o, "soap_version"_L1, at, false) : u"1.1"_s;
    if (version != u"1.1" && version != u"1.2" && !version.isEmpty())
        c.problem(at + u"/soap_version"_s,
                  Tr::tr("\"%1\" is not a SOAP version (1.1 or 1.2)").arg(version));
    rule->soap12 = version == u"1.2";
    rule->mapping = FieldMapping::compile(o, at, c, false);
    return rule;
}

RulePtr compileXmlToJson(const QJsonObject &o, const QString &at, Compiler &c)
{
    return compileXmlReader<XmlToJsonRule>(o, at, c);
}

RulePtr compileSoapToJson(const QJsonObject &o, const QString &at, Compiler &c)
{
    return compileXmlReader<SoapToJsonRule>(o, at, c);
}

} // namespace Conflux::Gateway::Internal
