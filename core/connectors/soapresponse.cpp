// Reading SOAP answers: the XML codec's value with its namespaces resolved (NodeReader), typed
// by the output message's schema (TypedReader), faults (faultError, Soap::isFaultEnvelope) and
// HTML pages that come instead of an envelope.

#include "soapconnector.h"
#include "soapconnector_p.h"

#include "connectors/httpclient.h"
#include "data/xml.h"

#include <QRegularExpression>
#include <QSet>
#include <QXmlStreamReader>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace Internal::SoapDetail {

// ---- reading XML with namespaces ---------------------------------------------------------

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

std::vector<Node> NodeReader::children(const Node &parent)
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

std::vector<Attribute> NodeReader::attributes(const Node &node)
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

QString NodeReader::text(const Node &node)
{
    if (node.value.isString())
        return node.value.toString();
    return node.value[u"#text"].toString();
}

bool NodeReader::isNil(const Node &node)
{
    for (const Attribute &a : attributes(node)) {
        if (a.name.ns == kXsi && a.name.local == "nil"_L1)
            return a.value.toString().trimmed() == "true"_L1 || a.value.toString().trimmed() == "1"_L1;
    }
    return false;
}

Data::Value NodeReader::generic(const Node &node)
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

void NodeReader::appendMember(Data::Object &object, const QString &name, Data::Value value)
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

QString NodeReader::serialize(const Node &node)
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

void NodeReader::collectPrefixes(const QString &name, const Data::Value &value, QSet<QString> *out)
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

// ---- typed reading -----------------------------------------------------------------------

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

namespace {

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

} // namespace

bool isAnyType(const XsdTypeRef &type)
{
    return type.kind == XsdTypeRef::Kind::Builtin && (type.name.name == "anyType"_L1 || type.name.name == "anySimpleType"_L1);
}

Data::Value TypedReader::element(const XsdTypeRef &type, const Node &node)
{
    if (m_nodes.isNil(node))
        return Data::Value::null();
    if (isAnyType(type))
        return m_nodes.generic(node);
    if (type.kind == XsdTypeRef::Kind::Complex)
        return complex(type.index, node);
    return simple(type, NodeReader::text(node));
}

Data::Value TypedReader::simple(const XsdTypeRef &type, const QString &text)
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

Data::Value TypedReader::complex(int index, const Node &node)
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

void TypedReader::addAttributes(const std::vector<int> &chain, const Node &node, Data::Object &out)
{
    for (const Attribute &a : m_nodes.attributes(node)) {
        if (a.name.ns == kXsi)
            continue;
        const XsdAttribute *decl = findAttribute(m_set, chain, a.name.local);
        out.insert(u'@' + a.name.local, decl ? simple(decl->type, a.value.toString()) : a.value);
    }
}

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

} // namespace Internal::SoapDetail

namespace Soap {

bool isFaultEnvelope(QByteArrayView body)
{
    using namespace Internal::SoapDetail;
    // Read as far as the Body's first child: no more of the document is needed, and an answer
    // cut short after its Fault element is still a fault.
    QXmlStreamReader xml(QByteArray::fromRawData(body.data(), body.size()));
    if (!xml.readNextStartElement())
        return false;
    if (xml.name() != "Envelope"_L1 || (xml.namespaceUri() != kSoap11Envelope && xml.namespaceUri() != kSoap12Envelope))
        return false;
    const QString version = xml.namespaceUri().toString();
    while (xml.readNextStartElement()) {
        if (xml.name() == "Body"_L1 && xml.namespaceUri() == version)
            return xml.readNextStartElement() && xml.name() == "Fault"_L1 && xml.namespaceUri() == version;
        xml.skipCurrentElement();   // the Header
    }
    return false;
}

} // namespace Soap

} // namespace Conflux::Connectors
