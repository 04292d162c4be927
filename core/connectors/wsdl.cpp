#include "connectors/wsdl.h"

#include "connectors/xsd_p.h"

#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using Internal::errorAt;
using Internal::XmlNode;

const WsdlOperation *WsdlBinding::operation(QStringView operationName) const
{
    for (const WsdlOperation &op : operations) {
        if (op.name == operationName)
            return &op;
    }
    return nullptr;
}

const WsdlBinding *WsdlDocument::binding(const QualifiedName &bindingName) const
{
    for (const WsdlBinding &b : bindings) {
        if (b.name == bindingName)
            return &b;
    }
    return nullptr;
}

const WsdlBinding *WsdlDocument::binding(QStringView bindingName) const
{
    for (const WsdlBinding &b : bindings) {
        if (bindingName.isEmpty() ? b.soapVersion != SoapVersion::None : b.name.name == bindingName)
            return &b;
    }
    return nullptr;
}

const WsdlMessage *WsdlDocument::message(const QualifiedName &messageName) const
{
    for (const WsdlMessage &m : messages) {
        if (m.name == messageName)
            return &m;
    }
    return nullptr;
}

namespace {

constexpr QStringView wsdlNamespace = u"http://schemas.xmlsoap.org/wsdl/";
constexpr QStringView soap11Namespace = u"http://schemas.xmlsoap.org/wsdl/soap/";
constexpr QStringView soap12Namespace = u"http://schemas.xmlsoap.org/wsdl/soap12/";
constexpr QStringView wsdl20Namespace = u"http://www.w3.org/ns/wsdl";
constexpr int maxWsdlImportDepth = 16;

bool isWsdl(const XmlNode &node, QStringView local)
{
    return node.is(wsdlNamespace, local);
}

SoapVersion soapVersionOf(const XmlNode &node)
{
    if (node.namespaceUri == soap11Namespace)
        return SoapVersion::Soap11;
    if (node.namespaceUri == soap12Namespace)
        return SoapVersion::Soap12;
    return SoapVersion::None;
}

bool isSoap(const XmlNode &node, QStringView local)
{
    return node.name == local && soapVersionOf(node) != SoapVersion::None;
}

QString documentationOf(const XmlNode &node)
{
    for (const XmlNode &child : node.children) {
        if (isWsdl(child, u"documentation"))
            return child.text.trimmed();
    }
    return QString();
}

struct PortTypeOperation
{
    QString name;
    const XmlNode *node = nullptr;
    const XmlNode *input = nullptr;
    const XmlNode *output = nullptr;
    std::vector<const XmlNode *> faults;
};

struct PortType
{
    QualifiedName name;
    std::vector<PortTypeOperation> operations;
};

struct BodyInfo
{
    std::optional<QStringList> parts;   // soap:body parts=
};

struct PendingOperation
{
    const XmlNode *node = nullptr;
    const XmlNode *input = nullptr;    // the binding's wsdl:input / wsdl:output
    const XmlNode *output = nullptr;
    BodyInfo inputBody;
    BodyInfo outputBody;
};

struct PendingBinding
{
    const XmlNode *node = nullptr;
    std::vector<PendingOperation> operations;
};

class WsdlParser
{
public:
    WsdlParser(const WsdlLoader &loader, const WsdlLimits &limits)
        : m_limits{limits.maxSize, limits.maxDepth},
          m_xsd(&m_document.types, &loader, m_limits, limits.maxImports, &m_document.importedLocations)
    {
    }

    Result<WsdlDocument> parse(QByteArrayView xml, const QUrl &baseUrl)
    {
        Result<XmlNode> tree = Internal::readXmlTree(xml, u"WSDL", m_limits);
        if (!tree)
            return tree.error();
        m_root = std::move(*tree);
        if (Result<void> r = checkRoot(m_root); !r)
            return r.error();
        m_document.name = m_root.attribute(u"name");
        m_document.targetNamespace = m_root.attribute(u"targetNamespace");
        if (Result<void> r = definitions(m_root, baseUrl, 0); !r)
            return r.error();
        if (Result<void> r = m_xsd.resolve(); !r)
            return r.error();
        if (Result<void> r = resolve(); !r)
            return r.error();
        return std::move(m_document);
    }

private:
    static Result<void> checkRoot(const XmlNode &root)
    {
        if (isWsdl(root, u"definitions"))
            return {};
        if (root.namespaceUri == wsdl20Namespace)
            return errorAt("wsdl_unsupported", root, u"this is a WSDL 2.0 document (<%1>); Conflux reads WSDL 1.1 "
                                                     "(<wsdl:definitions>)"_s.arg(root.qualifiedName));
        QString what = u"the root element is <%1>"_s.arg(root.qualifiedName);
        if (!root.namespaceUri.isEmpty())
            what += u" in namespace %1"_s.arg(root.namespaceUri);
        if (root.is(Internal::xsdNamespace, u"schema"))
            what += u" (an XML Schema)"_s;
        else if (root.name == u"Envelope")
            what += u" (a SOAP message, perhaps a fault)"_s;
        else if (root.name == u"Edmx")
            what += u" (OData $metadata)"_s;
        return errorAt("wsdl_not_wsdl", root, u"not a WSDL 1.1 document: %1, not <definitions> in namespace %2"_s.arg(
                                                  what, wsdlNamespace.toString()));
    }

    std::optional<QualifiedName> qname(const XmlNode &node, QStringView attribute, Error *error)
    {
        const QString text = node.attribute(attribute);
        if (text.isEmpty()) {
            *error = errorAt("wsdl_invalid", node, u"<%1> has no %2="_s.arg(node.qualifiedName, attribute.toString()));
            return std::nullopt;
        }
        std::optional<QualifiedName> name = node.resolve(text);
        if (!name)
            *error = errorAt("wsdl_invalid", node, u"%1=\"%2\" of <%3> uses an undeclared namespace prefix"_s.arg(
                                                       attribute.toString(), text, node.qualifiedName));
        return name;
    }

    Result<void> definitions(const XmlNode &root, const QUrl &url, int depth)
    {
        const QString tns = root.attribute(u"targetNamespace");
        m_seen.insert(url.toString());
        Error error;
        for (const XmlNode &child : root.children) {
            if (isWsdl(child, u"import")) {
                if (Result<void> r = import(child, url, depth); !r)
                    return r;
            } else if (isWsdl(child, u"types")) {
                for (const XmlNode &schema : child.children) {
                    if (schema.is(Internal::xsdNamespace, u"schema")) {
                        if (Result<void> r = m_xsd.addSchema(schema, url); !r)
                            return r;
                    }
                }
            } else if (isWsdl(child, u"message")) {
                WsdlMessage message;
                message.name = QualifiedName{tns, child.attribute(u"name")};
                for (const XmlNode &partNode : child.children) {
                    if (!isWsdl(partNode, u"part"))
                        continue;
                    WsdlPart part;
                    part.name = partNode.attribute(u"name");
                    if (partNode.hasAttribute(u"element")) {
                        if (auto e = qname(partNode, u"element", &error))
                            part.element = *e;
                        else
                            return error;
                    } else if (partNode.hasAttribute(u"type")) {
                        if (auto t = qname(partNode, u"type", &error))
                            part.type = *t;
                        else
                            return error;
                    } else {
                        return errorAt("wsdl_invalid", partNode, u"part \"%1\" of message \"%2\" has neither element= "
                                                                 "nor type="_s.arg(part.name, message.name.name));
                    }
                    m_partNodes.push_back(&partNode);
                    message.parts.push_back(std::move(part));
                }
                m_document.messages.push_back(std::move(message));
            } else if (isWsdl(child, u"portType")) {
                PortType portType;
                portType.name = QualifiedName{tns, child.attribute(u"name")};
                for (const XmlNode &opNode : child.children) {
                    if (!isWsdl(opNode, u"operation"))
                        continue;
                    PortTypeOperation op;
                    op.name = opNode.attribute(u"name");
                    op.node = &opNode;
                    for (const XmlNode &io : opNode.children) {
                        if (isWsdl(io, u"input"))
                            op.input = &io;
                        else if (isWsdl(io, u"output"))
                            op.output = &io;
                        else if (isWsdl(io, u"fault"))
                            op.faults.push_back(&io);
                    }
                    portType.operations.push_back(std::move(op));
                }
                m_portTypes.push_back(std::move(portType));
            } else if (isWsdl(child, u"binding")) {
                if (Result<void> r = binding(child, tns); !r)
                    return r;
            } else if (isWsdl(child, u"service")) {
                WsdlService service;
                service.name = child.attribute(u"name");
                service.documentation = documentationOf(child);
                for (const XmlNode &portNode : child.children) {
                    if (!isWsdl(portNode, u"port"))
                        continue;
                    WsdlPort port;
                    port.name = portNode.attribute(u"name");
                    if (auto b = qname(portNode, u"binding", &error))
                        port.binding = *b;
                    else
                        return error;
                    for (const XmlNode &address : portNode.children) {
                        if (address.name != u"address")
                            continue;
                        const QUrl location(address.attribute(u"location"));
                        port.address = url.isEmpty() ? location : url.resolved(location);
                        port.soapVersion = soapVersionOf(address);
                    }
                    m_portNodes.push_back(&portNode);
                    service.ports.push_back(std::move(port));
                }
                m_document.services.push_back(std::move(service));
            }
        }
        return {};
    }

    Result<void> import(const XmlNode &node, const QUrl &url, int depth)
    {
        const QString location = node.attribute(u"location");
        if (location.isEmpty())
            return errorAt("wsdl_invalid", node, u"<%1> has no location="_s.arg(node.qualifiedName));
        const QUrl target = url.resolved(QUrl(location));
        if (m_seen.contains(target.toString()))
            return {};
        if (depth >= maxWsdlImportDepth)
            return errorAt("xml_limit", node, u"WSDL imports nested deeper than %1"_s.arg(maxWsdlImportDepth));
        Result<const XmlNode *> loaded = m_xsd.load(target, node, u"WSDL");
        if (!loaded)
            return loaded.error();
        const XmlNode &root = **loaded;
        if (root.is(Internal::xsdNamespace, u"schema"))
            return m_xsd.addSchema(root, target);
        if (Result<void> r = checkRoot(root); !r)
            return r;
        return definitions(root, target, depth + 1);
    }

    Result<void> binding(const XmlNode &node, const QString &tns)
    {
        Error error;
        WsdlBinding b;
        PendingBinding pending;
        pending.node = &node;
        b.name = QualifiedName{tns, node.attribute(u"name")};
        if (auto t = qname(node, u"type", &error))
            b.portType = *t;
        else
            return error;
        for (const XmlNode &child : node.children) {
            if (isSoap(child, u"binding")) {
                b.soapVersion = soapVersionOf(child);
                b.style = child.attribute(u"style") == u"rpc" ? SoapStyle::Rpc : SoapStyle::Document;
                b.transport = child.attribute(u"transport");
            }
        }
        for (const XmlNode &opNode : node.children) {
            if (!isWsdl(opNode, u"operation"))
                continue;
            WsdlOperation op;
            PendingOperation p;
            p.node = &opNode;
            op.name = opNode.attribute(u"name");
            op.style = b.style;
            for (const XmlNode &child : opNode.children) {
                if (isSoap(child, u"operation")) {
                    op.soapAction = child.attribute(u"soapAction");
                    if (child.hasAttribute(u"style"))
                        op.style = child.attribute(u"style") == u"rpc" ? SoapStyle::Rpc : SoapStyle::Document;
                } else if (isWsdl(child, u"input") || isWsdl(child, u"output")) {
                    const bool input = child.name == u"input";
                    WsdlMessageRef ref;
                    ref.name = child.attribute(u"name");
                    BodyInfo &body = input ? p.inputBody : p.outputBody;
                    for (const XmlNode &ext : child.children) {
                        if (!isSoap(ext, u"body"))
                            continue;
                        ref.use = ext.attribute(u"use") == u"encoded" ? SoapUse::Encoded : SoapUse::Literal;
                        ref.namespaceUri = ext.attribute(u"namespace");
                        ref.encodingStyle = ext.attribute(u"encodingStyle");
                        if (ext.hasAttribute(u"parts"))
                            body.parts = ext.attribute(u"parts").split(u' ', Qt::SkipEmptyParts);
                    }
                    (input ? op.input : op.output) = std::move(ref);
                    (input ? p.input : p.output) = &child;
                } else if (isWsdl(child, u"fault")) {
                    WsdlMessageRef ref;
                    ref.name = child.attribute(u"name");
                    for (const XmlNode &ext : child.children) {
                        if (isSoap(ext, u"fault"))
                            ref.use = ext.attribute(u"use") == u"encoded" ? SoapUse::Encoded : SoapUse::Literal;
                    }
                    op.faults.push_back(std::move(ref));
                }
            }
            b.operations.push_back(std::move(op));
            pending.operations.push_back(p);
        }
        m_document.bindings.push_back(std::move(b));
        m_bindings.push_back(std::move(pending));
        return {};
    }

    // The message an input/output/fault of a port type operation names, with its parts.
    Result<void> messageOf(const XmlNode &io, const BodyInfo &body, WsdlMessageRef *ref)
    {
        Error error;
        const std::optional<QualifiedName> name = qname(io, u"message", &error);
        if (!name)
            return error;
        const WsdlMessage *message = m_document.message(*name);
        if (!message)
            return errorAt("wsdl_unresolved", io, u"<%1> refers to message \"%2\", which is not defined"_s.arg(
                                                      io.qualifiedName, name->name));
        ref->message = *name;
        ref->parts.clear();
        for (const WsdlPart &part : message->parts) {
            if (!body.parts || body.parts->contains(part.name))
                ref->parts.push_back(part);
        }
        return {};
    }

    Result<void> resolve()
    {
        // Message parts name elements and types of the schemas.
        size_t partIndex = 0;
        for (const WsdlMessage &message : m_document.messages) {
            for (const WsdlPart &part : message.parts) {
                const XmlNode &node = *m_partNodes[partIndex++];
                if (!part.element.isEmpty() && !m_document.types.element(part.element))
                    return errorAt("wsdl_unresolved", node, u"part \"%1\" of message \"%2\" refers to element \"%3\"%4, "
                                                            "which is not defined in the types"_s.arg(
                                                                part.name, message.name.name, part.element.name,
                                                                inNamespace(part.element)));
                if (!part.type.isEmpty() && m_document.types.type(part.type).kind == XsdTypeRef::Kind::None)
                    return errorAt("wsdl_unresolved", node, u"part \"%1\" of message \"%2\" refers to type \"%3\"%4, "
                                                            "which is not defined in the types"_s.arg(
                                                                part.name, message.name.name, part.type.name,
                                                                inNamespace(part.type)));
            }
        }
        for (size_t i = 0; i < m_document.bindings.size(); ++i) {
            WsdlBinding &b = m_document.bindings[i];
            const PendingBinding &pending = m_bindings[i];
            const PortType *portType = nullptr;
            for (const PortType &pt : m_portTypes) {
                if (pt.name == b.portType)
                    portType = &pt;
            }
            if (!portType)
                return errorAt("wsdl_unresolved", *pending.node, u"binding \"%1\" refers to port type \"%2\", which "
                                                                 "is not defined"_s.arg(b.name.name, b.portType.name));
            for (size_t j = 0; j < b.operations.size(); ++j) {
                WsdlOperation &op = b.operations[j];
                const PendingOperation &p = pending.operations[j];
                const PortTypeOperation *abstract = nullptr;
                for (const PortTypeOperation &candidate : portType->operations) {
                    if (candidate.name == op.name && !abstract)
                        abstract = &candidate;
                }
                if (!abstract)
                    return errorAt("wsdl_unresolved", *p.node, u"operation \"%1\" of binding \"%2\" is not an operation "
                                                               "of port type \"%3\""_s.arg(op.name, b.name.name,
                                                                                           portType->name.name));
                op.documentation = documentationOf(*abstract->node);
                if (abstract->input) {
                    if (!op.input)
                        op.input = WsdlMessageRef{};
                    if (op.input->name.isEmpty())
                        op.input->name = abstract->input->attribute(u"name");
                    if (Result<void> r = messageOf(*abstract->input, p.inputBody, &*op.input); !r)
                        return r;
                } else {
                    op.input.reset();
                }
                if (abstract->output) {
                    if (!op.output)
                        op.output = WsdlMessageRef{};
                    if (op.output->name.isEmpty())
                        op.output->name = abstract->output->attribute(u"name");
                    if (Result<void> r = messageOf(*abstract->output, p.outputBody, &*op.output); !r)
                        return r;
                } else {
                    op.output.reset();
                }
                for (const XmlNode *faultNode : abstract->faults) {
                    const QString faultName = faultNode->attribute(u"name");
                    auto it = std::find_if(op.faults.begin(), op.faults.end(),
                                           [&](const WsdlMessageRef &f) { return f.name == faultName; });
                    if (it == op.faults.end()) {
                        op.faults.push_back(WsdlMessageRef{});
                        it = op.faults.end() - 1;
                        it->name = faultName;
                    }
                    if (Result<void> r = messageOf(*faultNode, BodyInfo{}, &*it); !r)
                        return r;
                }
                // Faults the binding names but the port type does not have no message.
                std::erase_if(op.faults, [](const WsdlMessageRef &f) { return f.message.isEmpty(); });
            }
        }
        size_t portIndex = 0;
        for (const WsdlService &service : m_document.services) {
            for (const WsdlPort &port : service.ports) {
                const XmlNode &node = *m_portNodes[portIndex++];
                if (!m_document.binding(port.binding))
                    return errorAt("wsdl_unresolved", node, u"port \"%1\" of service \"%2\" refers to binding \"%3\", "
                                                            "which is not defined"_s.arg(port.name, service.name,
                                                                                         port.binding.name));
            }
        }
        return {};
    }

    static QString inNamespace(const QualifiedName &name)
    {
        return name.namespaceUri.isEmpty() ? QString() : u" in namespace %1"_s.arg(name.namespaceUri);
    }

    Internal::XmlTreeLimits m_limits;
    WsdlDocument m_document;
    Internal::XsdReader m_xsd;
    XmlNode m_root;
    QSet<QString> m_seen;
    std::vector<PortType> m_portTypes;
    std::vector<PendingBinding> m_bindings;
    std::vector<const XmlNode *> m_partNodes;
    std::vector<const XmlNode *> m_portNodes;
};

} // namespace

namespace Internal {

// ---- field trees -------------------------------------------------------------------------

SchemaFieldBuilder::SchemaFieldBuilder(const XsdSchemaSet &set, const MessageSchemaOptions &options)
    : m_set(set), m_options(options)
{
}

Data::SchemaField SchemaFieldBuilder::element(const XsdElement &element, const QString &parentPath)
{
    return elementAt(element, parentPath, 0);
}

Data::SchemaField SchemaFieldBuilder::typed(const QString &name, const XsdTypeRef &type, const QString &parentPath)
{
    Data::SchemaField field;
    field.name = name;
    field.path = childPath(parentPath, name);
    fillType(field, type, 1);
    return field;
}

Data::SchemaField SchemaFieldBuilder::elementAt(const XsdElement &element, const QString &parentPath, int depth)
{
    Data::SchemaField field;
    field.name = element.name;
    field.path = childPath(parentPath, element.name);
    field.optional = element.isOptional();
    if (element.isRepeated()) {
        field.types = Data::SchemaType::Array;
        Data::SchemaField item;
        item.name = u"[]"_s;
        item.path = field.path + u"[]"_s;
        fillType(item, element.type, depth + 1);
        if (element.nillable)
            item.types |= Data::SchemaType::Null;
        field.items.push_back(std::move(item));
    } else {
        fillType(field, element.type, depth + 1);
        if (element.nillable)
            field.types |= Data::SchemaType::Null;
    }
    return field;
}

void SchemaFieldBuilder::setSimple(Data::SchemaField &field, const XsdTypeRef &type)
{
    QString builtin = u"string"_s;
    if (type.kind == XsdTypeRef::Kind::Builtin) {
        builtin = type.name.name;
    } else if (type.kind == XsdTypeRef::Kind::Simple) {
        const XsdSimpleType &st = m_set.simpleTypes[size_t(type.index)];
        if (!st.isList && !st.builtin.isEmpty())
            builtin = st.builtin.name;
    }
    field.types = xsdBuiltinSchemaTypes(builtin, &field.format);
}

void SchemaFieldBuilder::fillType(Data::SchemaField &field, const XsdTypeRef &type, int depth)
{
    if (type.kind == XsdTypeRef::Kind::Complex)
        fillComplex(field, type.index, depth);
    else
        setSimple(field, type);
}

void SchemaFieldBuilder::fillComplex(Data::SchemaField &field, int index, int depth)
{
    const XsdComplexType &ct = m_set.complexTypes[size_t(index)];
    if (ct.simpleContent) {
        // The text's type is at the end of the chain of simple-content bases.
        XsdTypeRef text = ct.base;
        bool attributes = !ct.attributes.empty();
        for (int steps = 0; text.kind == XsdTypeRef::Kind::Complex && steps < 64; ++steps) {
            const XsdComplexType &base = m_set.complexTypes[size_t(text.index)];
            attributes = attributes || !base.attributes.empty();
            text = base.base;
        }
        if (!attributes) {
            setSimple(field, text);
            return;
        }
        field.types = Data::SchemaType::Object;
        addAttributes(field, index, 0);
        Data::SchemaField value;
        value.name = u"#text"_s;
        value.path = childPath(field.path, value.name);
        value.optional = true;
        setSimple(value, text);
        field.fields.push_back(std::move(value));
        return;
    }
    field.types = Data::SchemaType::Object;
    const auto seen = std::count(m_stack.begin(), m_stack.end(), index);
    if (seen >= m_options.maxRecursion || depth > m_options.maxDepth) {
        if (m_options.cutPaths)
            m_options.cutPaths->append(field.path);
        return;
    }
    m_stack.push_back(index);
    addAttributes(field, index, 0);
    addContent(field, index, depth, 0);
    m_stack.pop_back();
}

void SchemaFieldBuilder::addContent(Data::SchemaField &field, int index, int depth, int chain)
{
    const XsdComplexType &ct = m_set.complexTypes[size_t(index)];
    if (ct.derivation == XsdComplexType::Derivation::Extension && ct.base.kind == XsdTypeRef::Kind::Complex
        && chain < 64)
        addContent(field, ct.base.index, depth, chain + 1);
    for (const XsdElement &element : ct.elements)
        field.fields.push_back(elementAt(element, field.path, depth));
}

void SchemaFieldBuilder::addAttributes(Data::SchemaField &field, int index, int chain)
{
    const XsdComplexType &ct = m_set.complexTypes[size_t(index)];
    if (ct.derivation == XsdComplexType::Derivation::Extension && ct.base.kind == XsdTypeRef::Kind::Complex
        && chain < 64)
        addAttributes(field, ct.base.index, chain + 1);
    for (const XsdAttribute &attribute : ct.attributes) {
        Data::SchemaField f;
        f.name = u'@' + attribute.name;
        f.path = childPath(field.path, f.name);
        f.optional = !attribute.required;
        setSimple(f, attribute.type);
        field.fields.push_back(std::move(f));
    }
}

} // namespace Internal

Result<WsdlDocument> parseWsdl(QByteArrayView xml, const QUrl &baseUrl, const WsdlLoader &loader,
                               const WsdlLimits &limits)
{
    WsdlParser parser(loader, limits);
    return parser.parse(xml, baseUrl);
}

Result<Data::SchemaField> messageSchema(const WsdlDocument &document, const WsdlOperation &operation,
                                        WsdlMessageRole role, const QString &faultName,
                                        const MessageSchemaOptions &options)
{
    const WsdlMessageRef *ref = nullptr;
    switch (role) {
    case WsdlMessageRole::Input:
        ref = operation.input ? &*operation.input : nullptr;
        break;
    case WsdlMessageRole::Output:
        ref = operation.output ? &*operation.output : nullptr;
        break;
    case WsdlMessageRole::Fault:
        for (const WsdlMessageRef &fault : operation.faults) {
            if (!ref && (faultName.isEmpty() || fault.name == faultName))
                ref = &fault;
        }
        break;
    }
    if (!ref) {
        const QString what = role == WsdlMessageRole::Input    ? u"no input"_s
                             : role == WsdlMessageRole::Output ? u"no output (it is one-way)"_s
                             : faultName.isEmpty()             ? u"no fault"_s
                                                               : u"no fault named \"%1\""_s.arg(faultName);
        return makeError("wsdl_no_message", u"Operation \"%1\" has %2"_s.arg(operation.name, what));
    }

    Internal::SchemaFieldBuilder builder(document.types, options);
    Data::SchemaField root;
    root.types = Data::SchemaType::Object;
    Data::SchemaField *parent = &root;
    if (operation.style == SoapStyle::Rpc && role != WsdlMessageRole::Fault) {
        Data::SchemaField wrapper;
        wrapper.name = role == WsdlMessageRole::Input ? operation.name : operation.name + u"Response"_s;
        wrapper.path = Internal::childPath(QString(), wrapper.name);
        wrapper.types = Data::SchemaType::Object;
        root.fields.push_back(std::move(wrapper));
        parent = &root.fields.back();
    }
    for (const WsdlPart &part : ref->parts) {
        if (!part.element.isEmpty()) {
            const XsdElement *element = document.types.element(part.element);
            if (!element)
                return makeError("wsdl_unresolved", u"Element \"%1\" of part \"%2\" is not defined"_s.arg(
                                                        part.element.toString(), part.name));
            Data::SchemaField field = builder.element(*element, parent->path);
            if (operation.style == SoapStyle::Rpc && role != WsdlMessageRole::Fault) {
                // rpc: the accessor is named after the part and has the element's type
                field = builder.typed(part.name, element->type, parent->path);
            }
            parent->fields.push_back(std::move(field));
        } else {
            parent->fields.push_back(builder.typed(part.name, document.types.type(part.type), parent->path));
        }
    }
    return root;
}

} // namespace Conflux::Connectors
