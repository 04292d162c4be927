#include "connectors/edmx.h"

#include "connectors/xsd_p.h"

#include <QHash>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using Internal::errorAt;
using Internal::XmlNode;

namespace {

constexpr QStringView edmxV2Namespace = u"http://schemas.microsoft.com/ado/2007/06/edmx";
constexpr QStringView edmxV4Namespace = u"http://docs.oasis-open.org/odata/ns/edmx";
constexpr QStringView metadataNamespace = u"http://schemas.microsoft.com/ado/2007/08/dataservices/metadata";
constexpr QStringView sapNamespace = u"http://www.sap.com/Protocols/SAPData";
constexpr int maxComplexNesting = 16;

template<typename T>
const T *byName(const std::vector<T> &items, QStringView name)
{
    for (const T &item : items) {
        if (item.name == name)
            return &item;
    }
    return nullptr;
}

template<typename T>
const T *byQualifiedName(const std::vector<T> &items, QStringView name)
{
    for (const T &item : items) {
        if (item.qualifiedName == name)
            return &item;
    }
    return nullptr;
}

// "Collection(X)" -> "X"
QStringView elementType(QStringView type)
{
    if (type.startsWith(u"Collection(") && type.endsWith(u')'))
        return type.sliced(11, type.size() - 12);
    return type;
}

QString namespaceOf(QStringView qualified)
{
    const qsizetype dot = qualified.lastIndexOf(u'.');
    return dot < 0 ? QString() : qualified.left(dot).toString();
}

} // namespace

// ---- the model -------------------------------------------------------------------------

QString ODataProperty::label() const
{
    const QString sap = annotations.value(u"sap:label"_s);
    return sap.isNull() ? annotations.value(u"Common.Label"_s) : sap;
}

bool ODataProperty::isComputed() const
{
    return annotations.value(u"Core.Computed"_s) == u"true" || annotations.value(u"sap:creatable"_s) == u"false";
}

bool ODataProperty::isImmutable() const
{
    return annotations.value(u"Core.Immutable"_s) == u"true" || annotations.value(u"sap:updatable"_s) == u"false";
}

const ODataProperty *ODataStructuredType::property(QStringView propertyName) const
{
    return byName(properties, propertyName);
}

const ODataNavigationProperty *ODataStructuredType::navigationProperty(QStringView propertyName) const
{
    return byName(navigationProperties, propertyName);
}

QString ODataMetadata::qualify(QStringView typeName) const
{
    if (typeName.startsWith(u"Collection(") && typeName.endsWith(u')'))
        return u"Collection("_s + qualify(elementType(typeName)) + u')';
    const qsizetype dot = typeName.lastIndexOf(u'.');
    if (dot > 0) {
        const QStringView prefix = typeName.left(dot);
        for (const ODataSchema &schema : schemas) {
            if (!schema.alias.isEmpty() && prefix == schema.alias)
                return schema.namespaceName + typeName.mid(dot).toString();
        }
    }
    return typeName.toString();
}

const ODataEntityType *ODataMetadata::entityType(QStringView typeName) const
{
    return byQualifiedName(entityTypes, qualify(typeName));
}

const ODataComplexType *ODataMetadata::complexType(QStringView typeName) const
{
    return byQualifiedName(complexTypes, qualify(typeName));
}

const ODataEnumType *ODataMetadata::enumType(QStringView typeName) const
{
    return byQualifiedName(enumTypes, qualify(typeName));
}

const ODataEntitySet *ODataMetadata::entitySet(QStringView setName) const
{
    return byName(entitySets, setName);
}

const ODataOperation *ODataMetadata::operation(QStringView operationName) const
{
    for (const ODataOperation &op : operations) {
        if (op.name == operationName || op.qualifiedName == operationName)
            return &op;
    }
    return nullptr;
}

std::vector<const ODataProperty *> ODataMetadata::allProperties(const ODataStructuredType &type) const
{
    std::vector<const ODataStructuredType *> chain{&type};
    // Base chains are checked for cycles while parsing; the bound guards hand-built models.
    while (!chain.back()->baseType.isEmpty() && chain.size() < 64) {
        const ODataStructuredType *base = entityType(chain.back()->baseType);
        if (!base)
            base = complexType(chain.back()->baseType);
        if (!base)
            break;
        chain.push_back(base);
    }
    std::vector<const ODataProperty *> out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        for (const ODataProperty &p : (*it)->properties)
            out.push_back(&p);
    }
    return out;
}

std::vector<const ODataNavigationProperty *> ODataMetadata::allNavigationProperties(const ODataStructuredType &type) const
{
    std::vector<const ODataStructuredType *> chain{&type};
    while (!chain.back()->baseType.isEmpty() && chain.size() < 64) {
        const ODataStructuredType *base = entityType(chain.back()->baseType);
        if (!base)
            base = complexType(chain.back()->baseType);
        if (!base)
            break;
        chain.push_back(base);
    }
    std::vector<const ODataNavigationProperty *> out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        for (const ODataNavigationProperty &p : (*it)->navigationProperties)
            out.push_back(&p);
    }
    return out;
}

Data::SchemaTypes edmSchemaTypes(QStringView edmType, Data::StringFormat *format)
{
    using Data::SchemaType;
    using Data::StringFormat;
    StringFormat f = StringFormat::None;
    Data::SchemaTypes types = SchemaType::String;
    const QStringView t = edmType.startsWith(u"Edm.") ? edmType.mid(4) : edmType;
    if (t == u"Boolean")
        types = SchemaType::Boolean;
    else if (t == u"Byte" || t == u"SByte" || t == u"Int16" || t == u"Int32" || t == u"Int64")
        types = SchemaType::Integer;
    else if (t == u"Decimal" || t == u"Double" || t == u"Single")
        types = SchemaType::Number;
    else if (t == u"DateTime" || t == u"DateTimeOffset")
        f = StringFormat::DateTime;
    else if (t == u"Date")
        f = StringFormat::Date;
    else if (t == u"TimeOfDay")
        f = StringFormat::Time;
    else if (t == u"Guid")
        f = StringFormat::Uuid;
    else if (t.startsWith(u"Geography") || t.startsWith(u"Geometry"))
        types = SchemaType::Object;   // GeoJSON
    if (format)
        *format = f;
    return types;
}

// ---- the reader ------------------------------------------------------------------------

namespace {

struct PendingStructured
{
    const XmlNode *node = nullptr;
    std::vector<const XmlNode *> keys;         // PropertyRef elements
    std::vector<const XmlNode *> properties;
    std::vector<const XmlNode *> navigation;
};

struct Association
{
    struct End
    {
        QString role;
        QString type;
        QString multiplicity;
    };
    std::vector<End> ends;
};

class EdmxParser
{
public:
    Result<ODataMetadata> parse(QByteArrayView xml, const ODataLimits &limits)
    {
        Result<XmlNode> tree = Internal::readXmlTree(xml, u"OData $metadata", {limits.maxSize, limits.maxDepth});
        if (!tree)
            return tree.error();
        m_root = std::move(*tree);
        if (Result<void> r = header(); !r)
            return r.error();
        for (const XmlNode &child : m_root.children) {
            if (child.name == u"Reference") {
                for (const XmlNode &include : child.children) {
                    if (include.name == u"Include" && !include.attribute(u"Alias").isEmpty())
                        m_vocabularyAliases.insert(include.attribute(u"Namespace"), include.attribute(u"Alias"));
                }
            }
        }
        const XmlNode *services = nullptr;
        for (const XmlNode &child : m_root.children) {
            if (child.name == u"DataServices")
                services = &child;
        }
        if (!services)
            return errorAt("edmx_invalid", m_root, u"<%1> has no <DataServices> element"_s.arg(m_root.qualifiedName));
        m.dataServiceVersion = services->attribute(metadataNamespace, u"DataServiceVersion");
        for (const XmlNode &schema : services->children) {
            if (schema.name == u"Schema")
                m.schemas.push_back(ODataSchema{schema.attribute(u"Namespace"), schema.attribute(u"Alias")});
        }
        for (const XmlNode &schema : services->children) {
            if (schema.name != u"Schema")
                continue;
            if (schema.attribute(u"Namespace").isEmpty())
                return errorAt("edmx_invalid", schema, u"<Schema> has no Namespace="_s);
            if (Result<void> r = readSchema(schema); !r)
                return r.error();
        }
        for (const auto &[target, node] : m_externalAnnotations)
            applyAnnotations(target, *node);
        if (Result<void> r = resolve(); !r)
            return r.error();
        return std::move(m);
    }

private:
    Result<void> header()
    {
        const XmlNode &root = m_root;
        if (root.name != u"Edmx" || (root.namespaceUri != edmxV2Namespace && root.namespaceUri != edmxV4Namespace)) {
            QString what = u"the root element is <%1>"_s.arg(root.qualifiedName);
            if (!root.namespaceUri.isEmpty())
                what += u" in namespace %1"_s.arg(root.namespaceUri);
            if (root.name == u"error") {
                // An OData error response: the service exists but refused (unknown service, no authorization).
                for (const XmlNode &child : root.children) {
                    if (child.name == u"message")
                        what += u": the service answered with an error: \"%1\""_s.arg(child.text.trimmed());
                }
            } else if (root.name == u"definitions") {
                what += u" (a WSDL)"_s;
            } else if (root.name == u"service") {
                what += u" (an OData service document; $metadata is at <service root>/$metadata)"_s;
            }
            return errorAt("edmx_not_edmx", root, u"not OData $metadata: %1, not <edmx:Edmx>"_s.arg(what));
        }
        m.edmxVersion = root.attribute(u"Version");
        if (m.edmxVersion == u"1.0")
            m.version = 2;
        else if (m.edmxVersion.startsWith(u"4."))
            m.version = 4;
        else
            return errorAt("edmx_version", root, u"EDMX Version=\"%1\" is not supported (1.0 for OData v2, 4.0 or "
                                                 "4.01 for v4)"_s.arg(m.edmxVersion));
        return {};
    }

    QString term(const XmlNode &annotation) const
    {
        QString term = annotation.attribute(u"Term");
        const qsizetype dot = term.lastIndexOf(u'.');
        if (dot > 0) {
            static const QHash<QString, QString> wellKnown = {
                {u"Org.OData.Core.V1"_s, u"Core"_s},
                {u"Org.OData.Capabilities.V1"_s, u"Capabilities"_s},
                {u"Org.OData.Measures.V1"_s, u"Measures"_s},
                {u"Org.OData.Validation.V1"_s, u"Validation"_s},
                {u"com.sap.vocabularies.Common.v1"_s, u"Common"_s},
                {u"com.sap.vocabularies.UI.v1"_s, u"UI"_s},
            };
            const QString ns = term.left(dot);
            const QString alias = m_vocabularyAliases.value(ns, wellKnown.value(ns));
            if (!alias.isEmpty())
                term = alias + term.mid(dot);
        }
        const QString qualifier = annotation.attribute(u"Qualifier");
        return qualifier.isEmpty() ? term : term + u'#' + qualifier;
    }

    static QString annotationValue(const XmlNode &node)
    {
        static constexpr QStringView kinds[] = {u"Bool", u"String", u"Int", u"Decimal", u"Float", u"EnumMember",
                                                u"Path", u"PropertyPath", u"NavigationPropertyPath", u"Date",
                                                u"DateTimeOffset", u"Guid"};
        for (QStringView kind : kinds) {
            if (node.hasAttribute(kind))
                return node.attribute(kind);
        }
        for (const XmlNode &child : node.children) {
            if (std::find(std::begin(kinds), std::end(kinds), child.name) != std::end(kinds))
                return child.text.trimmed();
        }
        return QString();
    }

    // Inline v4 <Annotation> children and v2 sap:* attributes.
    void annotate(const XmlNode &node, ODataAnnotations *annotations) const
    {
        for (const QXmlStreamAttribute &a : node.attributes) {
            if (a.namespaceUri() == sapNamespace)
                annotations->insert(u"sap:"_s + a.name().toString(), a.value().toString());
        }
        for (const XmlNode &child : node.children) {
            if (child.name != u"Annotation" || !child.hasAttribute(u"Term"))
                continue;
            const QString name = term(child);
            const XmlNode *record = nullptr;
            for (const XmlNode &c : child.children) {
                if (c.name == u"Record")
                    record = &c;
            }
            if (record) {
                for (const XmlNode &pv : record->children) {
                    if (pv.name == u"PropertyValue")
                        annotations->insert(name + u'/' + pv.attribute(u"Property"), annotationValue(pv));
                }
                continue;
            }
            const QString value = annotationValue(child);
            annotations->insert(name, value.isNull() ? u"true"_s : value);
        }
    }

    static std::optional<int> facet(const XmlNode &node, QStringView name, Error *error)
    {
        const QString text = node.attribute(name);
        if (text.isEmpty() || text.compare(u"max", Qt::CaseInsensitive) == 0 || text == u"variable"
            || text == u"floating")
            return std::nullopt;
        bool ok = false;
        const int n = text.toInt(&ok);
        if (!ok || n < 0)
            *error = errorAt("edmx_invalid", node, u"%1=\"%2\" of \"%3\" is not a non-negative number"_s.arg(
                                                       name.toString(), text, node.attribute(u"Name")));
        return ok ? std::optional(n) : std::nullopt;
    }

    Result<void> readProperty(const XmlNode &node, ODataProperty *p)
    {
        Error error;
        p->name = node.attribute(u"Name");
        p->type = m.qualify(node.attribute(u"Type"));
        if (p->name.isEmpty() || p->type.isEmpty())
            return errorAt("edmx_invalid", node, u"<%1> needs Name= and Type="_s.arg(node.qualifiedName));
        p->nullable = node.attribute(u"Nullable") != u"false";
        p->maxLength = facet(node, u"MaxLength", &error);
        p->precision = facet(node, u"Precision", &error);
        p->scale = facet(node, u"Scale", &error);
        p->defaultValue = node.attribute(u"DefaultValue");
        if (!error.code.isEmpty())
            return error;
        annotate(node, &p->annotations);
        return {};
    }

    Result<void> readStructured(const XmlNode &node, const QString &ns, bool entity)
    {
        ODataStructuredType t;
        PendingStructured pending;
        pending.node = &node;
        t.name = node.attribute(u"Name");
        if (t.name.isEmpty())
            return errorAt("edmx_invalid", node, u"<%1> has no Name="_s.arg(node.qualifiedName));
        t.qualifiedName = ns + u'.' + t.name;
        t.baseType = node.hasAttribute(u"BaseType") ? m.qualify(node.attribute(u"BaseType")) : QString();
        t.isAbstract = node.attribute(u"Abstract") == u"true";
        t.isOpen = node.attribute(u"OpenType") == u"true";
        t.hasStream = node.attribute(u"HasStream") == u"true"
            || node.attribute(metadataNamespace, u"HasStream") == u"true";
        annotate(node, &t.annotations);
        for (const XmlNode &child : node.children) {
            if (child.name == u"Key") {
                for (const XmlNode &ref : child.children) {
                    if (ref.name == u"PropertyRef") {
                        t.keys.append(ref.attribute(u"Name"));
                        pending.keys.push_back(&ref);
                    }
                }
            } else if (child.name == u"Property") {
                ODataProperty p;
                if (Result<void> r = readProperty(child, &p); !r)
                    return r;
                t.properties.push_back(std::move(p));
                pending.properties.push_back(&child);
            } else if (child.name == u"NavigationProperty") {
                ODataNavigationProperty nav;
                nav.name = child.attribute(u"Name");
                if (m.version == 2) {
                    nav.relationship = m.qualify(child.attribute(u"Relationship"));
                } else {
                    const QString type = child.attribute(u"Type");
                    nav.collection = type.startsWith(u"Collection(");
                    nav.targetType = m.qualify(elementType(type));
                    nav.nullable = child.attribute(u"Nullable") != u"false";
                    nav.multiplicity = nav.collection ? u"*"_s : nav.nullable ? u"0..1"_s : u"1"_s;
                    nav.partner = child.attribute(u"Partner");
                    nav.containsTarget = child.attribute(u"ContainsTarget") == u"true";
                }
                annotate(child, &nav.annotations);
                t.navigationProperties.push_back(std::move(nav));
                pending.navigation.push_back(&child);
            }
        }
        (entity ? m.entityTypes : m.complexTypes).push_back(std::move(t));
        (entity ? m_entityPending : m_complexPending).push_back(std::move(pending));
        return {};
    }

    Result<void> readParameters(const XmlNode &node, ODataOperation *op)
    {
        for (const XmlNode &child : node.children) {
            if (child.name == u"Parameter") {
                Error error;
                ODataParameter p;
                p.name = child.attribute(u"Name");
                p.type = m.qualify(child.attribute(u"Type"));
                p.nullable = child.attribute(u"Nullable") != u"false";
                p.mode = child.attribute(u"Mode");
                p.maxLength = facet(child, u"MaxLength", &error);
                p.precision = facet(child, u"Precision", &error);
                p.scale = facet(child, u"Scale", &error);
                if (!error.code.isEmpty())
                    return error;
                annotate(child, &p.annotations);
                op->parameters.push_back(std::move(p));
            } else if (child.name == u"ReturnType") {
                op->returnType = m.qualify(child.attribute(u"Type"));
            }
        }
        annotate(node, &op->annotations);
        return {};
    }

    Result<void> readContainer(const XmlNode &container, const QString &ns)
    {
        m.containerName = container.attribute(u"Name");
        m_containerQualifiedName = ns + u'.' + m.containerName;
        for (const XmlNode &child : container.children) {
            if (child.name == u"EntitySet" || child.name == u"Singleton") {
                ODataEntitySet set;
                set.isSingleton = child.name == u"Singleton";
                set.name = child.attribute(u"Name");
                set.entityType = m.qualify(child.attribute(set.isSingleton ? u"Type" : u"EntityType"));
                if (set.name.isEmpty() || set.entityType.isEmpty())
                    return errorAt("edmx_invalid", child, u"<%1> needs Name= and %2="_s.arg(
                                                              child.qualifiedName, set.isSingleton ? u"Type"_s : u"EntityType"_s));
                annotate(child, &set.annotations);
                for (const XmlNode &binding : child.children) {
                    if (binding.name == u"NavigationPropertyBinding")
                        set.navigationBindings.insert(binding.attribute(u"Path"), binding.attribute(u"Target"));
                }
                m.entitySets.push_back(std::move(set));
                m_setNodes.push_back(&child);
            } else if (child.name == u"FunctionImport" || child.name == u"ActionImport") {
                ODataOperation op;
                const bool action = child.name == u"ActionImport";
                op.kind = action ? ODataOperation::Kind::ActionImport : ODataOperation::Kind::FunctionImport;
                op.name = child.attribute(u"Name");
                op.qualifiedName = m_containerQualifiedName + u'/' + op.name;
                op.entitySet = child.attribute(u"EntitySet");
                if (m.version == 2) {
                    op.returnType = m.qualify(child.attribute(u"ReturnType"));
                    op.httpMethod = child.attribute(metadataNamespace, u"HttpMethod");
                    if (op.httpMethod.isEmpty())
                        op.httpMethod = u"GET"_s;
                    if (Result<void> r = readParameters(child, &op); !r)
                        return r;
                } else {
                    op.operation = m.qualify(child.attribute(action ? u"Action" : u"Function"));
                    op.httpMethod = action ? u"POST"_s : u"GET"_s;
                    annotate(child, &op.annotations);
                    m_importNodes.emplace_back(m.operations.size(), &child);
                }
                m.operations.push_back(std::move(op));
            }
        }
        annotate(container, &m_containerAnnotations);
        return {};
    }

    Result<void> readSchema(const XmlNode &schema)
    {
        const QString ns = schema.attribute(u"Namespace");
        for (const XmlNode &child : schema.children) {
            Result<void> r;
            if (child.name == u"EntityType" || child.name == u"ComplexType") {
                r = readStructured(child, ns, child.name == u"EntityType");
            } else if (child.name == u"EnumType") {
                ODataEnumType e;
                e.name = child.attribute(u"Name");
                e.qualifiedName = ns + u'.' + e.name;
                if (child.hasAttribute(u"UnderlyingType"))
                    e.underlyingType = child.attribute(u"UnderlyingType");
                e.isFlags = child.attribute(u"IsFlags") == u"true";
                qint64 next = 0;
                for (const XmlNode &member : child.children) {
                    if (member.name != u"Member")
                        continue;
                    ODataEnumMember em;
                    em.name = member.attribute(u"Name");
                    em.value = next;
                    if (member.hasAttribute(u"Value")) {
                        bool ok = false;
                        em.value = member.attribute(u"Value").toLongLong(&ok);
                        if (!ok)
                            return errorAt("edmx_invalid", member, u"Value=\"%1\" of enum member \"%2\" is not an "
                                                                   "integer"_s.arg(member.attribute(u"Value"), em.name));
                    }
                    next = em.value + 1;
                    e.members.push_back(std::move(em));
                }
                annotate(child, &e.annotations);
                m.enumTypes.push_back(std::move(e));
            } else if (child.name == u"TypeDefinition") {
                m.typeDefinitions.insert(ns + u'.' + child.attribute(u"Name"), child.attribute(u"UnderlyingType"));
            } else if (child.name == u"Association") {
                Association a;
                for (const XmlNode &end : child.children) {
                    if (end.name == u"End")
                        a.ends.push_back({end.attribute(u"Role"), m.qualify(end.attribute(u"Type")),
                                          end.attribute(u"Multiplicity")});
                }
                m_associations.insert(ns + u'.' + child.attribute(u"Name"), a);
            } else if (child.name == u"EntityContainer") {
                r = readContainer(child, ns);
            } else if (child.name == u"Function" || child.name == u"Action") {
                ODataOperation op;
                op.kind = child.name == u"Action" ? ODataOperation::Kind::Action : ODataOperation::Kind::Function;
                op.name = child.attribute(u"Name");
                op.qualifiedName = ns + u'.' + op.name;
                op.isBound = child.attribute(u"IsBound") == u"true";
                op.isComposable = child.attribute(u"IsComposable") == u"true";
                op.httpMethod = op.kind == ODataOperation::Kind::Action ? u"POST"_s : u"GET"_s;
                r = readParameters(child, &op);
                m.operations.push_back(std::move(op));
            } else if (child.name == u"Annotations") {
                m_externalAnnotations.emplace_back(child.attribute(u"Target"), &child);
            }
            if (!r)
                return r;
        }
        return {};
    }

    void applyAnnotations(const QString &target, const XmlNode &node)
    {
        const qsizetype slash = target.indexOf(u'/');
        const QString head = m.qualify(slash < 0 ? QStringView(target) : QStringView(target).left(slash));
        const QString member = slash < 0 ? QString() : target.mid(slash + 1);
        ODataAnnotations *annotations = nullptr;
        auto structured = [&](std::vector<ODataStructuredType> &types) {
            for (ODataStructuredType &t : types) {
                if (t.qualifiedName != head)
                    continue;
                if (member.isEmpty())
                    return &t.annotations;
                for (ODataProperty &p : t.properties) {
                    if (p.name == member)
                        return &p.annotations;
                }
                for (ODataNavigationProperty &n : t.navigationProperties) {
                    if (n.name == member)
                        return &n.annotations;
                }
            }
            return static_cast<ODataAnnotations *>(nullptr);
        };
        annotations = structured(m.entityTypes);
        if (!annotations)
            annotations = structured(m.complexTypes);
        if (!annotations && head == m_containerQualifiedName) {
            if (member.isEmpty()) {
                annotations = &m_containerAnnotations;
            } else {
                for (ODataEntitySet &set : m.entitySets) {
                    if (set.name == member)
                        annotations = &set.annotations;
                }
            }
        }
        if (!annotations) {
            for (ODataEnumType &e : m.enumTypes) {
                if (e.qualifiedName == head && member.isEmpty())
                    annotations = &e.annotations;
            }
        }
        if (annotations)   // targets of other documents or of operation overloads are not kept
            annotate(node, annotations);
    }

    bool isKnownType(QStringView type) const
    {
        const QStringView t = elementType(type);
        if (t.startsWith(u"Edm."))
            return true;
        const QString ns = namespaceOf(t);
        const bool ours = std::any_of(m.schemas.begin(), m.schemas.end(),
                                      [&](const ODataSchema &s) { return s.namespaceName == ns; });
        return !ours || m.complexType(t) || m.enumType(t) || m.entityType(t) || m.typeDefinitions.contains(t.toString());
    }

    Result<void> checkBaseChain(const ODataStructuredType &t, const XmlNode &node, bool entity)
    {
        const ODataStructuredType *current = &t;
        for (size_t steps = 0; !current->baseType.isEmpty(); ++steps) {
            const ODataStructuredType *base = entity ? m.entityType(current->baseType) : m.complexType(current->baseType);
            if (!base)
                return errorAt("edmx_unresolved", node, u"%1 \"%2\" derives from \"%3\", which is not defined"_s.arg(
                                                            entity ? u"entity type"_s : u"complex type"_s,
                                                            current->name, current->baseType));
            if (base == &t || steps > m.entityTypes.size() + m.complexTypes.size())
                return errorAt("edmx_circular", node, u"type \"%1\" is derived from itself"_s.arg(t.name));
            current = base;
        }
        return {};
    }

    Result<void> resolveStructured(std::vector<ODataStructuredType> &types, std::vector<PendingStructured> &pending,
                                   bool entity)
    {
        for (size_t i = 0; i < types.size(); ++i) {
            if (Result<void> r = checkBaseChain(types[i], *pending[i].node, entity); !r)
                return r;
        }
        for (size_t i = 0; i < types.size(); ++i) {
            ODataStructuredType &t = types[i];
            const PendingStructured &p = pending[i];
            for (size_t j = 0; j < t.properties.size(); ++j) {
                if (!isKnownType(t.properties[j].type))
                    return errorAt("edmx_unresolved", *p.properties[j],
                                   u"property \"%1\" of \"%2\" has type \"%3\", which is not defined"_s.arg(
                                       t.properties[j].name, t.name, t.properties[j].type));
            }
            const std::vector<const ODataProperty *> all = m.allProperties(t);
            for (qsizetype j = 0; j < t.keys.size(); ++j) {
                const QString &key = t.keys[j];
                const bool found = std::any_of(all.begin(), all.end(), [&](const ODataProperty *prop) {
                    return prop->name == key;
                });
                if (!found)
                    return errorAt("edmx_unresolved", *p.keys[size_t(j)], u"key property \"%1\" is not a property of entity "
                                                                  "type \"%2\""_s.arg(key, t.name));
            }
            for (size_t j = 0; j < t.navigationProperties.size(); ++j) {
                ODataNavigationProperty &nav = t.navigationProperties[j];
                const XmlNode &node = *p.navigation[j];
                if (m.version == 2) {
                    const auto association = m_associations.constFind(nav.relationship);
                    if (association == m_associations.constEnd())
                        return errorAt("edmx_unresolved", node, u"navigation property \"%1\" of \"%2\" refers to "
                                                                "association \"%3\", which is not defined"_s.arg(
                                                                    nav.name, t.name, nav.relationship));
                    const QString toRole = node.attribute(u"ToRole");
                    const auto end = std::find_if(association->ends.begin(), association->ends.end(),
                                                  [&](const Association::End &e) { return e.role == toRole; });
                    if (end == association->ends.end())
                        return errorAt("edmx_unresolved", node, u"navigation property \"%1\" of \"%2\": ToRole=\"%3\" "
                                                                "is not an end of association \"%4\""_s.arg(
                                                                    nav.name, t.name, toRole, nav.relationship));
                    nav.targetType = end->type;
                    nav.multiplicity = end->multiplicity;
                    nav.collection = end->multiplicity == u"*";
                    nav.nullable = end->multiplicity != u"1";
                }
                if (!m.entityType(nav.targetType))
                    return errorAt("edmx_unresolved", node, u"navigation property \"%1\" of \"%2\" leads to entity type "
                                                            "\"%3\", which is not defined"_s.arg(nav.name, t.name,
                                                                                                 nav.targetType));
            }
        }
        return {};
    }

    void findPartners()
    {
        for (ODataEntityType &t : m.entityTypes) {
            for (size_t j = 0; j < t.navigationProperties.size(); ++j) {
                ODataNavigationProperty &nav = t.navigationProperties[j];
                if (!nav.partner.isEmpty() || nav.relationship.isEmpty())
                    continue;
                const ODataEntityType *target = m.entityType(nav.targetType);
                const QString toRole = m_entityPending[size_t(&t - m.entityTypes.data())].navigation[j]->attribute(u"ToRole");
                size_t k = 0;
                for (const ODataNavigationProperty &back : target->navigationProperties) {
                    const XmlNode *backNode = m_entityPending[size_t(target - m.entityTypes.data())].navigation[k++];
                    if (back.relationship == nav.relationship && backNode->attribute(u"FromRole") == toRole
                        && (target != &t || back.name != nav.name))
                        nav.partner = back.name;
                }
            }
        }
    }

    Result<void> resolve()
    {
        if (Result<void> r = resolveStructured(m.entityTypes, m_entityPending, true); !r)
            return r;
        if (Result<void> r = resolveStructured(m.complexTypes, m_complexPending, false); !r)
            return r;
        // Derived entity types inherit the key.
        for (ODataEntityType &t : m.entityTypes) {
            const ODataEntityType *base = &t;
            while (base->keys.isEmpty() && !base->baseType.isEmpty())
                base = m.entityType(base->baseType);
            if (base != &t)
                t.keys = base->keys;
        }
        findPartners();
        for (size_t i = 0; i < m.entitySets.size(); ++i) {
            ODataEntitySet &set = m.entitySets[i];
            if (!m.entityType(set.entityType))
                return errorAt("edmx_unresolved", *m_setNodes[i], u"%1 \"%2\" is of entity type \"%3\", which is not "
                                                                  "defined"_s.arg(set.isSingleton ? u"singleton"_s
                                                                                                  : u"entity set"_s,
                                                                                  set.name, set.entityType));
            const ODataAnnotations &a = set.annotations;
            auto flag = [&](const QString &key, bool fallback) {
                const QString v = a.value(key);
                return v.isNull() ? fallback : v == u"true";
            };
            set.creatable = flag(u"sap:creatable"_s, flag(u"Capabilities.InsertRestrictions/Insertable"_s, true));
            set.updatable = flag(u"sap:updatable"_s, flag(u"Capabilities.UpdateRestrictions/Updatable"_s, true));
            set.deletable = flag(u"sap:deletable"_s, flag(u"Capabilities.DeleteRestrictions/Deletable"_s, true));
            set.pageable = flag(u"sap:pageable"_s, true);
            set.addressable = flag(u"sap:addressable"_s, true);
            set.searchable = flag(u"sap:searchable"_s, flag(u"Capabilities.SearchRestrictions/Searchable"_s, false));
        }
        for (const auto &[index, node] : m_importNodes) {
            ODataOperation &import = m.operations[index];
            const ODataOperation *target = nullptr;
            for (const ODataOperation &candidate : m.operations) {
                const bool kindMatches = import.kind == ODataOperation::Kind::ActionImport
                    ? candidate.kind == ODataOperation::Kind::Action
                    : candidate.kind == ODataOperation::Kind::Function;
                if (kindMatches && candidate.qualifiedName == import.operation && (!target || target->isBound))
                    target = &candidate;
            }
            if (!target)
                return errorAt("edmx_unresolved", *node, u"%1 \"%2\" refers to \"%3\", which is not defined"_s.arg(
                                                             node->name, import.name, import.operation));
            import.parameters = target->parameters;
            import.returnType = target->returnType;
            import.isComposable = target->isComposable;
        }
        return {};
    }

    XmlNode m_root;
    ODataMetadata m;
    QHash<QString, QString> m_vocabularyAliases;   // namespace -> alias
    QHash<QString, Association> m_associations;
    QString m_containerQualifiedName;
    ODataAnnotations m_containerAnnotations;
    std::vector<PendingStructured> m_entityPending;
    std::vector<PendingStructured> m_complexPending;
    std::vector<const XmlNode *> m_setNodes;
    std::vector<std::pair<size_t, const XmlNode *>> m_importNodes;
    std::vector<std::pair<QString, const XmlNode *>> m_externalAnnotations;
};

// ---- field trees -------------------------------------------------------------------------

class EntityFieldBuilder
{
public:
    explicit EntityFieldBuilder(const ODataMetadata &metadata) : m(metadata) {}

    void structured(Data::SchemaField &field, const ODataStructuredType &type, int expand, int nesting)
    {
        field.types = Data::SchemaType::Object;
        if (nesting > maxComplexNesting)
            return;
        for (const ODataProperty *p : m.allProperties(type)) {
            Data::SchemaField f;
            f.name = p->name;
            f.path = Internal::childPath(field.path, p->name);
            f.optional = p->nullable;
            if (p->isCollection()) {
                f.types = Data::SchemaType::Array;
                Data::SchemaField item;
                item.name = u"[]"_s;
                item.path = f.path + u"[]"_s;
                typed(item, elementType(p->type), nesting + 1);
                f.items.push_back(std::move(item));
            } else {
                typed(f, p->type, nesting + 1);
            }
            if (p->nullable)
                f.types |= Data::SchemaType::Null;
            field.fields.push_back(std::move(f));
        }
        if (expand <= 0)
            return;
        for (const ODataNavigationProperty *nav : m.allNavigationProperties(type)) {
            const ODataEntityType *target = m.entityType(nav->targetType);
            if (!target)
                continue;
            Data::SchemaField f;
            f.name = nav->name;
            f.path = Internal::childPath(field.path, nav->name);
            if (nav->collection) {
                f.optional = true;   // present only when expanded
                f.types = Data::SchemaType::Array;
                Data::SchemaField item;
                item.name = u"[]"_s;
                item.path = f.path + u"[]"_s;
                structured(item, *target, expand - 1, nesting + 1);
                f.items.push_back(std::move(item));
            } else {
                structured(f, *target, expand - 1, nesting + 1);
                f.optional = true;
                if (nav->nullable)
                    f.types |= Data::SchemaType::Null;
            }
            field.fields.push_back(std::move(f));
        }
    }

    void typed(Data::SchemaField &field, QStringView type, int nesting)
    {
        if (type.startsWith(u"Edm.")) {
            field.types = edmSchemaTypes(type, &field.format);
        } else if (const ODataComplexType *complex = m.complexType(type)) {
            structured(field, *complex, 0, nesting);
        } else if (const auto def = m.typeDefinitions.constFind(m.qualify(type)); def != m.typeDefinitions.constEnd()
                   && def->startsWith(u"Edm.")) {
            field.types = edmSchemaTypes(*def, &field.format);
        } else {
            field.types = Data::SchemaType::String;   // an enum (by member name) or a type of another document
        }
    }

private:
    const ODataMetadata &m;
};

} // namespace

Result<ODataMetadata> parseODataMetadata(QByteArrayView xml, const ODataLimits &limits)
{
    EdmxParser parser;
    return parser.parse(xml, limits);
}

Result<Data::SchemaField> entitySchema(const ODataMetadata &metadata, const QString &entitySet, int expandDepth)
{
    const ODataEntitySet *set = metadata.entitySet(entitySet);
    if (!set)
        return makeError("edmx_unknown_entity_set", u"\"%1\" is not an entity set of the service"_s.arg(entitySet));
    const ODataEntityType *type = metadata.entityType(set->entityType);
    if (!type)
        return makeError("edmx_unresolved", u"The entity type \"%1\" of entity set \"%2\" is not defined"_s.arg(
                                                set->entityType, entitySet));
    Data::SchemaField root;
    EntityFieldBuilder builder(metadata);
    builder.structured(root, *type, std::max(0, expandDepth), 0);
    return root;
}

} // namespace Conflux::Connectors
