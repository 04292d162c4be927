#include "connectors/xsd_p.h"

#include <QSet>
#include <QXmlStreamReader>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

QString QualifiedName::toString() const
{
    return namespaceUri.isEmpty() ? name : u'{' + namespaceUri + u'}' + name;
}

size_t qHash(const QualifiedName &name, size_t seed) noexcept
{
    return qHashMulti(seed, name.namespaceUri, name.name);
}

namespace {

template<typename T>
const T *lookup(const std::vector<T> &items, const QHash<QualifiedName, int> &index, const QualifiedName &name)
{
    const auto it = index.constFind(name);
    return it == index.constEnd() ? nullptr : &items[size_t(*it)];
}

} // namespace

const XsdElement *XsdSchemaSet::element(const QualifiedName &name) const
{
    return lookup(elements, elementIndex, name);
}

const XsdComplexType *XsdSchemaSet::complexType(const QualifiedName &name) const
{
    return lookup(complexTypes, complexTypeIndex, name);
}

const XsdSimpleType *XsdSchemaSet::simpleType(const QualifiedName &name) const
{
    return lookup(simpleTypes, simpleTypeIndex, name);
}

XsdTypeRef XsdSchemaSet::type(const QualifiedName &name) const
{
    XsdTypeRef ref;
    ref.name = name;
    if (name.namespaceUri == Internal::xsdNamespace || name.namespaceUri == Internal::soapEncodingNamespace) {
        ref.kind = XsdTypeRef::Kind::Builtin;
    } else if (const auto it = complexTypeIndex.constFind(name); it != complexTypeIndex.constEnd()) {
        ref.kind = XsdTypeRef::Kind::Complex;
        ref.index = *it;
    } else if (const auto st = simpleTypeIndex.constFind(name); st != simpleTypeIndex.constEnd()) {
        ref.kind = XsdTypeRef::Kind::Simple;
        ref.index = *st;
    }
    return ref;
}

Data::SchemaTypes xsdBuiltinSchemaTypes(QStringView name, Data::StringFormat *format)
{
    using Data::SchemaType;
    using Data::StringFormat;
    static constexpr QStringView integers[] = {
        u"integer", u"int", u"long", u"short", u"byte", u"nonNegativeInteger", u"positiveInteger",
        u"nonPositiveInteger", u"negativeInteger", u"unsignedLong", u"unsignedInt", u"unsignedShort",
        u"unsignedByte"};
    StringFormat f = StringFormat::None;
    Data::SchemaTypes types = SchemaType::String;
    if (name == u"boolean")
        types = SchemaType::Boolean;
    else if (std::find(std::begin(integers), std::end(integers), name) != std::end(integers))
        types = SchemaType::Integer;
    else if (name == u"decimal" || name == u"float" || name == u"double")
        types = SchemaType::Number;
    else if (name == u"date")
        f = StringFormat::Date;
    else if (name == u"dateTime")
        f = StringFormat::DateTime;
    else if (name == u"time")
        f = StringFormat::Time;
    else if (name == u"anyURI")
        f = StringFormat::Uri;
    if (format)
        *format = f;
    return types;
}

namespace Internal {

// ---- the element tree ----------------------------------------------------------------------

QString XmlNode::attribute(QStringView local) const
{
    return attribute(QStringView(), local);
}

QString XmlNode::attribute(QStringView ns, QStringView local) const
{
    for (const QXmlStreamAttribute &a : attributes) {
        if (a.name() == local && a.namespaceUri() == ns)
            return a.value().toString();
    }
    return QString();
}

bool XmlNode::hasAttribute(QStringView local) const
{
    return std::any_of(attributes.begin(), attributes.end(), [&](const QXmlStreamAttribute &a) {
        return a.name() == local && a.namespaceUri().isEmpty();
    });
}

std::optional<QualifiedName> XmlNode::resolve(QStringView qname, bool unprefixedHasNoNamespace) const
{
    qname = qname.trimmed();
    const qsizetype colon = qname.indexOf(u':');
    const QString prefix = colon < 0 ? QString() : qname.left(colon).toString();
    const QString local = qname.mid(colon + 1).toString();
    if (local.isEmpty())
        return std::nullopt;
    if (colon < 0 && unprefixedHasNoNamespace)
        return QualifiedName{QString(), local};
    if (prefix == u"xml")
        return QualifiedName{u"http://www.w3.org/XML/1998/namespace"_s, local};
    const auto it = namespaces.constFind(prefix);
    if (it == namespaces.constEnd())
        return colon < 0 ? std::optional(QualifiedName{QString(), local}) : std::nullopt;
    return QualifiedName{*it, local};
}

QString XmlNode::where() const
{
    const QString at = u"line %1, column %2"_s.arg(line).arg(column);
    return location.isEmpty() ? at : at + u" of "_s + location;
}

Error errorAt(const char *code, const XmlNode &node, const QString &what)
{
    QString where = node.where();
    where[0] = where[0].toUpper();
    return makeError(code, where + u": "_s + what);
}

namespace {

QString inDocument(const QString &location)
{
    return location.isEmpty() ? QString() : u" of "_s + location;
}

qsizetype indexOfCaseless(QByteArrayView haystack, QByteArrayView needle, qsizetype from = 0)
{
    for (qsizetype i = from; i + needle.size() <= haystack.size(); ++i) {
        bool match = true;
        for (qsizetype j = 0; j < needle.size() && match; ++j)
            match = QChar::toLower(uint(uchar(haystack[i + j]))) == uint(uchar(needle[j]));
        if (match)
            return i;
    }
    return -1;
}

// An HTML page: a login form, an error page, a portal served instead of the document.
bool looksLikeHtml(QByteArrayView head)
{
    return head.startsWith("<!") ? indexOfCaseless(head.first(std::min<qsizetype>(head.size(), 15)), "<!doctype html") == 0
                                 : indexOfCaseless(head.first(std::min<qsizetype>(head.size(), 5)), "<html") == 0;
}

Error htmlError(QByteArrayView xml, QStringView kind, qint64 line, const QString &location)
{
    QString title;
    const QByteArrayView head = xml.first(std::min<qsizetype>(xml.size(), 64 * 1024));
    const qsizetype open = indexOfCaseless(head, "<title");
    if (open >= 0) {
        const qsizetype start = head.indexOf('>', open);
        const qsizetype end = start < 0 ? -1 : indexOfCaseless(head, "</title", start);
        if (end > start)
            title = QString::fromUtf8(head.sliced(start + 1, end - start - 1)).simplified().left(120);
    }
    return makeError("metadata_html",
                     u"Line %1%2: this is an HTML page%3, not the %4 document: the server most likely "
                     "answered with a login or error page. Check the URL, the credentials and that the "
                     "service is active"_s
                         .arg(line)
                         .arg(inDocument(location),
                              title.isEmpty() ? QString() : u" (titled \"%1\")"_s.arg(title), kind.toString()));
}

} // namespace

Result<XmlNode> readXmlTree(QByteArrayView xml, QStringView kind, const XmlTreeLimits &limits, const QString &location)
{
    if (xml.size() > limits.maxSize)
        return makeError("xml_limit", u"The %1 document%2 has %3 bytes, more than the limit of %4"_s
                                          .arg(kind.toString(), inDocument(location))
                                          .arg(xml.size())
                                          .arg(limits.maxSize));
    qsizetype start = xml.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    while (start < xml.size() && QChar::isSpace(uint(uchar(xml[start]))))
        ++start;
    if (start == xml.size())
        return makeError("metadata_empty", u"The %1 document%2 is empty"_s.arg(kind.toString(), inDocument(location)));
    const qint64 firstLine = 1 + xml.first(start).count('\n');
    if (looksLikeHtml(xml.sliced(start)))
        return htmlError(xml, kind, firstLine, location);

    QXmlStreamReader reader(QByteArray::fromRawData(xml.data(), xml.size()));
    XmlNode root;
    std::vector<XmlNode *> open;   // ancestors stay put: only the innermost one gains children
    bool sawRoot = false;
    auto column = [&] { return std::max<qint64>(1, reader.columnNumber()); };
    while (!reader.atEnd()) {
        switch (reader.readNext()) {
        case QXmlStreamReader::StartElement: {
            if (qsizetype(open.size()) >= limits.maxDepth)
                return makeError("xml_limit", u"Line %1, column %2%3: elements nested deeper than %4"_s
                                                  .arg(reader.lineNumber())
                                                  .arg(column())
                                                  .arg(inDocument(location))
                                                  .arg(limits.maxDepth));
            if (sawRoot && open.empty())
                break;   // the reader reports a second root itself
            XmlNode *node = open.empty() ? &root : &open.back()->children.emplace_back();
            node->namespaces = open.empty() ? QHash<QString, QString>() : open.back()->namespaces;
            for (const QXmlStreamNamespaceDeclaration &ns : reader.namespaceDeclarations())
                node->namespaces.insert(ns.prefix().toString(), ns.namespaceUri().toString());
            node->namespaceUri = reader.namespaceUri().toString();
            node->name = reader.name().toString();
            node->qualifiedName = reader.qualifiedName().toString();
            node->attributes = reader.attributes();
            node->line = reader.lineNumber();
            node->column = column();
            node->location = location;
            sawRoot = true;
            open.push_back(node);
            break;
        }
        case QXmlStreamReader::EndElement:
            if (!open.empty())
                open.pop_back();
            break;
        case QXmlStreamReader::Characters:
            if (!open.empty() && !reader.isWhitespace())
                open.back()->text += reader.text();
            break;
        case QXmlStreamReader::DTD:
            if (reader.dtdName().compare(u"html", Qt::CaseInsensitive) == 0)
                return htmlError(xml, kind, reader.lineNumber(), location);
            return makeError("xml_doctype", u"Line %1, column %2%3: document type declarations (DOCTYPE) "
                                            "are not accepted in a %4 document"_s
                                                .arg(reader.lineNumber())
                                                .arg(column())
                                                .arg(inDocument(location), kind.toString()));
        case QXmlStreamReader::EntityReference:
            return makeError("xml_syntax", u"Line %1, column %2%3: unresolved entity reference &%4;"_s
                                               .arg(reader.lineNumber())
                                               .arg(column())
                                               .arg(inDocument(location), reader.name().toString()));
        default:
            break;
        }
    }
    if (reader.hasError()) {
        if (!sawRoot && indexOfCaseless(xml.first(std::min<qsizetype>(xml.size(), 4096)), "<html") >= 0)
            return htmlError(xml, kind, reader.lineNumber(), location);
        return makeError("xml_syntax", u"Line %1, column %2%3: the %4 document is not well-formed XML: %5"_s
                                           .arg(reader.lineNumber())
                                           .arg(column())
                                           .arg(inDocument(location), kind.toString(), reader.errorString()));
    }
    if (root.name.compare(u"html", Qt::CaseInsensitive) == 0)
        return htmlError(xml, kind, root.line, location);
    return root;
}

QString childPath(const QString &parent, const QString &name)
{
    QString segment = name;
    segment.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
    return parent.isEmpty() ? segment : parent + u'/' + segment;
}

// ---- the schema reader -----------------------------------------------------------------

namespace {

bool isXsd(const XmlNode &node, QStringView local)
{
    return node.is(xsdNamespace, local);
}

bool isTrue(const QString &value)
{
    return value == u"true" || value == u"1";
}

struct SchemaContext
{
    QString targetNamespace;
    bool elementsQualified = false;
    bool attributesQualified = false;
    QString document;
};

struct GroupDefinition
{
    const XmlNode *node = nullptr;
    int context = -1;
};

} // namespace

struct XsdReader::State
{
    XsdSchemaSet *set = nullptr;
    const WsdlLoader *loader = nullptr;
    XmlTreeLimits limits;
    int maxImports = 0;
    QStringList *imported = nullptr;
    std::deque<XmlNode> documents;   // read through the loader; the schemas point into them
    QSet<QString> seen;              // schema documents already added: URL + target namespace

    struct Pending
    {
        const XmlNode *schema;
        int context;
    };
    std::vector<Pending> schemas;
    std::vector<SchemaContext> contexts;
    QHash<QualifiedName, GroupDefinition> groups;
    QHash<QualifiedName, GroupDefinition> attributeGroups;
    std::optional<Error> error;

    bool fail(Error e)
    {
        if (!error)
            error = std::move(e);
        return false;
    }
    bool failAt(const char *code, const XmlNode &node, const QString &what) { return fail(errorAt(code, node, what)); }

    bool qname(const XmlNode &node, QStringView attributeName, QualifiedName *out)
    {
        const QString text = node.attribute(attributeName);
        if (text.isNull())
            return true;
        const std::optional<QualifiedName> name = node.resolve(text);
        if (!name)
            return failAt("wsdl_invalid", node, u"%1=\"%2\" of <%3> uses an undeclared namespace prefix"_s.arg(
                                                    attributeName.toString(), text, node.qualifiedName));
        *out = *name;
        return true;
    }

    bool occurs(const XmlNode &node, QStringView attributeName, int fallback, int *out)
    {
        const QString text = node.attribute(attributeName);
        if (text.isNull()) {
            *out = fallback;
            return true;
        }
        if (text.trimmed() == u"unbounded") {
            *out = -1;
            return true;
        }
        bool ok = false;
        const uint n = text.trimmed().toUInt(&ok);
        if (!ok)
            return failAt("wsdl_invalid", node, u"%1=\"%2\" of <%3> is not a number or \"unbounded\""_s.arg(
                                                    attributeName.toString(), text, node.qualifiedName));
        *out = int(std::min<uint>(n, 1u << 30));
        return true;
    }

    // ---- declarations

    int simpleType(const XmlNode &node, const SchemaContext &ctx, const QualifiedName &name)
    {
        XsdSimpleType st;
        st.name = name;
        st.line = node.line;
        st.column = node.column;
        st.document = ctx.document;
        for (const XmlNode &child : node.children) {
            if (isXsd(child, u"restriction")) {
                if (!qname(child, u"base", &st.base.name))
                    return -1;
                for (const XmlNode &facet : child.children) {
                    if (isXsd(facet, u"simpleType")) {
                        st.base = XsdTypeRef{XsdTypeRef::Kind::Simple, {}, simpleType(facet, ctx, {})};
                        continue;
                    }
                    if (!addFacet(facet, &st.facets))
                        return -1;
                }
            } else if (isXsd(child, u"list")) {
                st.isList = true;
                st.base.name = QualifiedName{xsdNamespace.toString(), u"string"_s};
                if (!qname(child, u"itemType", &st.itemType.name))
                    return -1;
                for (const XmlNode &inner : child.children) {
                    if (isXsd(inner, u"simpleType"))
                        st.itemType = XsdTypeRef{XsdTypeRef::Kind::Simple, {}, simpleType(inner, ctx, {})};
                }
            } else if (isXsd(child, u"union")) {
                st.isUnion = true;
                const QStringList members = child.attribute(u"memberTypes").split(u' ', Qt::SkipEmptyParts);
                if (!members.isEmpty()) {
                    const std::optional<QualifiedName> first = child.resolve(members.front());
                    if (!first) {
                        failAt("wsdl_invalid", child,
                               u"memberTypes \"%1\" uses an undeclared namespace prefix"_s.arg(members.front()));
                        return -1;
                    }
                    st.base.name = *first;
                } else {
                    for (const XmlNode &inner : child.children) {
                        if (isXsd(inner, u"simpleType") && st.base.kind == XsdTypeRef::Kind::None) {
                            st.base = XsdTypeRef{XsdTypeRef::Kind::Simple, {}, simpleType(inner, ctx, {})};
                        }
                    }
                }
                if (st.base.name.isEmpty() && st.base.kind == XsdTypeRef::Kind::None)
                    st.base.name = QualifiedName{xsdNamespace.toString(), u"string"_s};
            }
        }
        if (error)
            return -1;
        if (st.base.name.isEmpty() && st.base.kind == XsdTypeRef::Kind::None)
            st.base.name = QualifiedName{xsdNamespace.toString(), u"anySimpleType"_s};
        set->simpleTypes.push_back(std::move(st));
        return int(set->simpleTypes.size()) - 1;
    }

    bool addFacet(const XmlNode &facet, XsdFacets *facets)
    {
        if (facet.namespaceUri != xsdNamespace || facet.name == u"annotation")
            return true;
        const QString value = facet.attribute(u"value");
        auto number = [&](auto *out) {
            bool ok = false;
            const qint64 n = value.trimmed().toLongLong(&ok);
            if (!ok || n < 0)
                return failAt("wsdl_invalid", facet, u"<%1 value=\"%2\"> is not a non-negative number"_s.arg(
                                                         facet.qualifiedName, value));
            using V = typename std::remove_reference_t<decltype(*out)>::value_type;
            *out = V(n);
            return true;
        };
        const QString &f = facet.name;
        if (f == u"length")
            return number(&facets->length);
        if (f == u"minLength")
            return number(&facets->minLength);
        if (f == u"maxLength")
            return number(&facets->maxLength);
        if (f == u"totalDigits")
            return number(&facets->totalDigits);
        if (f == u"fractionDigits")
            return number(&facets->fractionDigits);
        if (f == u"enumeration")
            facets->enumeration.append(value);
        else if (f == u"pattern")
            facets->patterns.append(value);
        else if (f == u"minInclusive")
            facets->minInclusive = value;
        else if (f == u"maxInclusive")
            facets->maxInclusive = value;
        else if (f == u"minExclusive")
            facets->minExclusive = value;
        else if (f == u"maxExclusive")
            facets->maxExclusive = value;
        else if (f == u"whiteSpace")
            facets->whiteSpace = value;
        return true;
    }

    bool element(const XmlNode &node, const SchemaContext &ctx, bool global, XsdElement *out)
    {
        XsdElement &e = *out;
        e.line = node.line;
        e.column = node.column;
        e.document = ctx.document;
        e.name = node.attribute(u"name");
        if (global || node.attribute(u"form") == u"qualified"
            || (ctx.elementsQualified && node.attribute(u"form") != u"unqualified"))
            e.namespaceUri = ctx.targetNamespace;
        if (!qname(node, u"ref", &e.ref) || !qname(node, u"type", &e.type.name))
            return false;
        if (!e.ref.isEmpty()) {
            e.name = e.ref.name;
            e.namespaceUri = e.ref.namespaceUri;
        } else if (e.name.isEmpty()) {
            return failAt("wsdl_invalid", node, u"<%1> has neither name= nor ref="_s.arg(node.qualifiedName));
        }
        if (!occurs(node, u"minOccurs", 1, &e.minOccurs) || !occurs(node, u"maxOccurs", 1, &e.maxOccurs))
            return false;
        e.nillable = isTrue(node.attribute(u"nillable"));
        e.defaultValue = node.attribute(u"default");
        e.fixedValue = node.attribute(u"fixed");
        for (const XmlNode &child : node.children) {
            if (isXsd(child, u"complexType"))
                e.type = XsdTypeRef{XsdTypeRef::Kind::Complex, {}, complexType(child, ctx, {})};
            else if (isXsd(child, u"simpleType"))
                e.type = XsdTypeRef{XsdTypeRef::Kind::Simple, {}, simpleType(child, ctx, {})};
        }
        if (e.ref.isEmpty() && e.type.name.isEmpty() && e.type.kind == XsdTypeRef::Kind::None)
            e.type.name = QualifiedName{xsdNamespace.toString(), u"anyType"_s};
        return !error;
    }

    bool attribute(const XmlNode &node, const SchemaContext &ctx, XsdAttribute *out)
    {
        XsdAttribute &a = *out;
        a.line = node.line;
        a.column = node.column;
        a.document = ctx.document;
        a.name = node.attribute(u"name");
        if (!qname(node, u"ref", &a.ref) || !qname(node, u"type", &a.type.name))
            return false;
        if (!a.ref.isEmpty())
            a.name = a.ref.name;
        else if (a.name.isEmpty())
            return failAt("wsdl_invalid", node, u"<%1> has neither name= nor ref="_s.arg(node.qualifiedName));
        a.required = node.attribute(u"use") == u"required";
        a.defaultValue = node.attribute(u"default");
        a.fixedValue = node.attribute(u"fixed");
        for (const XmlNode &child : node.children) {
            if (isXsd(child, u"simpleType"))
                a.type = XsdTypeRef{XsdTypeRef::Kind::Simple, {}, simpleType(child, ctx, {})};
        }
        if (a.ref.isEmpty() && a.type.name.isEmpty() && a.type.kind == XsdTypeRef::Kind::None)
            a.type.name = QualifiedName{xsdNamespace.toString(), u"anySimpleType"_s};
        return !error;
    }

    // sequence, all, choice and group references, flattened into `ct`.
    bool particles(const XmlNode &node, const SchemaContext &ctx, XsdComplexType *ct, bool optional,
                   bool repeated, int depth)
    {
        if (depth > 32)
            return failAt("xsd_circular", node, u"model groups nested deeper than 32 (a group that "
                                                "contains itself?)"_s);
        int minOccurs = 1;
        int maxOccurs = 1;
        if (!occurs(node, u"minOccurs", 1, &minOccurs) || !occurs(node, u"maxOccurs", 1, &maxOccurs))
            return false;
        optional = optional || minOccurs == 0 || isXsd(node, u"choice");
        repeated = repeated || maxOccurs < 0 || maxOccurs > 1;
        if (isXsd(node, u"group")) {
            QualifiedName ref;
            if (!qname(node, u"ref", &ref))
                return false;
            const auto it = groups.constFind(ref);
            if (it == groups.constEnd())
                return failAt("wsdl_unresolved", node, u"group \"%1\" is not defined"_s.arg(ref.toString()));
            for (const XmlNode &child : it->node->children) {
                if (isXsd(child, u"sequence") || isXsd(child, u"choice") || isXsd(child, u"all")) {
                    if (!particles(child, contexts[size_t(it->context)], ct, optional, repeated, depth + 1))
                        return false;
                }
            }
            return true;
        }
        for (const XmlNode &child : node.children) {
            if (isXsd(child, u"element")) {
                XsdElement e;
                if (!element(child, ctx, false, &e))
                    return false;
                if (optional)
                    e.minOccurs = 0;
                if (repeated)
                    e.maxOccurs = -1;
                ct->elements.push_back(std::move(e));
            } else if (isXsd(child, u"sequence") || isXsd(child, u"choice") || isXsd(child, u"all")
                       || isXsd(child, u"group")) {
                if (!particles(child, ctx, ct, optional, repeated, depth + 1))
                    return false;
            } else if (isXsd(child, u"any")) {
                ct->hasWildcard = true;
            }
        }
        return true;
    }

    bool attributes(const XmlNode &node, const SchemaContext &ctx, XsdComplexType *ct, int depth)
    {
        for (const XmlNode &child : node.children) {
            if (isXsd(child, u"attribute")) {
                XsdAttribute a;
                if (!attribute(child, ctx, &a))
                    return false;
                if (child.attribute(u"use") != u"prohibited")
                    ct->attributes.push_back(std::move(a));
            } else if (isXsd(child, u"attributeGroup")) {
                QualifiedName ref;
                if (!qname(child, u"ref", &ref))
                    return false;
                const auto it = attributeGroups.constFind(ref);
                if (it == attributeGroups.constEnd())
                    return failAt("wsdl_unresolved", child,
                                  u"attribute group \"%1\" is not defined"_s.arg(ref.toString()));
                if (depth > 32)
                    return failAt("xsd_circular", child, u"attribute groups nested deeper than 32"_s);
                if (!attributes(*it->node, contexts[size_t(it->context)], ct, depth + 1))
                    return false;
            }
        }
        return true;
    }

    bool content(const XmlNode &node, const SchemaContext &ctx, XsdComplexType *ct)
    {
        for (const XmlNode &child : node.children) {
            if (isXsd(child, u"sequence") || isXsd(child, u"choice") || isXsd(child, u"all")
                || isXsd(child, u"group")) {
                if (!particles(child, ctx, ct, false, false, 0))
                    return false;
            }
        }
        return attributes(node, ctx, ct, 0);
    }

    int complexType(const XmlNode &node, const SchemaContext &ctx, const QualifiedName &name)
    {
        XsdComplexType ct;
        ct.name = name;
        ct.line = node.line;
        ct.column = node.column;
        ct.document = ctx.document;
        ct.mixed = isTrue(node.attribute(u"mixed"));
        ct.isAbstract = isTrue(node.attribute(u"abstract"));
        if (!content(node, ctx, &ct))
            return -1;
        for (const XmlNode &child : node.children) {
            const bool simple = isXsd(child, u"simpleContent");
            if (!simple && !isXsd(child, u"complexContent"))
                continue;
            ct.simpleContent = simple;
            ct.mixed = ct.mixed || isTrue(child.attribute(u"mixed"));
            for (const XmlNode &derivation : child.children) {
                const bool extension = isXsd(derivation, u"extension");
                if (!extension && !isXsd(derivation, u"restriction"))
                    continue;
                ct.derivation = extension ? XsdComplexType::Derivation::Extension
                                          : XsdComplexType::Derivation::Restriction;
                if (!qname(derivation, u"base", &ct.base.name))
                    return -1;
                if (ct.base.name.isEmpty()) {
                    failAt("wsdl_invalid", derivation, u"<%1> has no base="_s.arg(derivation.qualifiedName));
                    return -1;
                }
                if (!content(derivation, ctx, &ct))
                    return -1;
            }
        }
        set->complexTypes.push_back(std::move(ct));
        return int(set->complexTypes.size()) - 1;
    }

    // ---- resolution

    bool resolveType(XsdTypeRef &ref, const QString &document, qint64 line, qint64 column, QStringView what)
    {
        if (ref.kind != XsdTypeRef::Kind::None)
            return true;
        const XsdTypeRef found = set->type(ref.name);
        if (found.kind == XsdTypeRef::Kind::None) {
            QString where = u"Line %1, column %2"_s.arg(line).arg(column);
            if (!document.isEmpty())
                where += u" of "_s + document;
            return fail(makeError("wsdl_unresolved", u"%1: %2 refers to type \"%3\"%4, which is not defined"_s.arg(
                                                         where, what.toString(), ref.name.name,
                                                         ref.name.namespaceUri.isEmpty()
                                                             ? QString()
                                                             : u" in namespace %1"_s.arg(ref.name.namespaceUri))));
        }
        ref = found;
        return true;
    }

    bool resolveElement(XsdElement &e)
    {
        if (e.ref.isEmpty())
            return resolveType(e.type, e.document, e.line, e.column, u"element \"%1\""_s.arg(e.name));
        const XsdElement *global = set->element(e.ref);
        if (!global) {
            QString where = u"Line %1, column %2"_s.arg(e.line).arg(e.column);
            if (!e.document.isEmpty())
                where += u" of "_s + e.document;
            return fail(makeError("wsdl_unresolved", u"%1: element reference \"%2\" names no global element"_s.arg(
                                                         where, e.ref.toString())));
        }
        e.type = global->type;
        e.nillable = e.nillable || global->nillable;
        if (e.defaultValue.isNull())
            e.defaultValue = global->defaultValue;
        if (e.fixedValue.isNull())
            e.fixedValue = global->fixedValue;
        return true;
    }

    bool resolveAttribute(XsdAttribute &a)
    {
        if (a.ref.isEmpty())
            return resolveType(a.type, a.document, a.line, a.column, u"attribute \"%1\""_s.arg(a.name));
        const auto it = set->attributeIndex.constFind(a.ref);
        if (it == set->attributeIndex.constEnd()) {
            // xml:lang and friends, soapenc:arrayType: attributes of well-known namespaces.
            a.type = XsdTypeRef{XsdTypeRef::Kind::Builtin, {xsdNamespace.toString(), u"string"_s}, -1};
            return true;
        }
        a.type = set->attributes[size_t(*it)].type;
        return true;
    }

    bool checkDerivation()
    {
        auto circular = [&](const QString &document, qint64 line, qint64 column, const QualifiedName &name) {
            QString where = u"Line %1, column %2"_s.arg(line).arg(column);
            if (!document.isEmpty())
                where += u" of "_s + document;
            return fail(makeError("xsd_circular", u"%1: type \"%2\" is derived from itself"_s.arg(
                                                      where, name.isEmpty() ? u"(anonymous)"_s : name.name)));
        };
        for (size_t i = 0; i < set->complexTypes.size(); ++i) {
            const XsdTypeRef *base = &set->complexTypes[i].base;
            for (size_t steps = 0; base->kind == XsdTypeRef::Kind::Complex; ++steps) {
                if (size_t(base->index) == i || steps > set->complexTypes.size()) {
                    const XsdComplexType &ct = set->complexTypes[i];
                    return circular(ct.document, ct.line, ct.column, ct.name);
                }
                base = &set->complexTypes[size_t(base->index)].base;
            }
        }
        for (size_t i = 0; i < set->simpleTypes.size(); ++i) {
            const XsdTypeRef *base = &set->simpleTypes[i].base;
            for (size_t steps = 0; base->kind == XsdTypeRef::Kind::Simple; ++steps) {
                if (size_t(base->index) == i || steps > set->simpleTypes.size()) {
                    const XsdSimpleType &st = set->simpleTypes[i];
                    return circular(st.document, st.line, st.column, st.name);
                }
                base = &set->simpleTypes[size_t(base->index)].base;
            }
        }
        return true;
    }

    // Effective facets and built-in base, bases first. Runs after checkDerivation.
    void settle(size_t index, std::vector<bool> &done)
    {
        if (done[index])
            return;
        done[index] = true;
        XsdSimpleType &st = set->simpleTypes[index];
        if (st.base.kind == XsdTypeRef::Kind::Builtin) {
            st.builtin = st.base.name;
            return;
        }
        if (st.base.kind != XsdTypeRef::Kind::Simple)
            return;
        settle(size_t(st.base.index), done);
        const XsdSimpleType &base = set->simpleTypes[size_t(st.base.index)];
        XsdSimpleType &self = set->simpleTypes[index];
        self.builtin = base.builtin;
        XsdFacets merged = base.facets;
        const XsdFacets &own = self.facets;
        auto take = [](auto &to, const auto &from) {
            if (from)
                to = from;
        };
        take(merged.length, own.length);
        take(merged.minLength, own.minLength);
        take(merged.maxLength, own.maxLength);
        take(merged.totalDigits, own.totalDigits);
        take(merged.fractionDigits, own.fractionDigits);
        for (auto [to, from] : {std::pair{&merged.minInclusive, &own.minInclusive},
                                {&merged.maxInclusive, &own.maxInclusive},
                                {&merged.minExclusive, &own.minExclusive},
                                {&merged.maxExclusive, &own.maxExclusive},
                                {&merged.whiteSpace, &own.whiteSpace}}) {
            if (!from->isNull())
                *to = *from;
        }
        if (!own.enumeration.isEmpty())
            merged.enumeration = own.enumeration;
        merged.patterns += own.patterns;
        self.facets = std::move(merged);
    }
};

XsdReader::XsdReader(XsdSchemaSet *set, const WsdlLoader *loader, const XmlTreeLimits &limits, int maxImports,
                     QStringList *importedLocations)
    : d(std::make_unique<State>())
{
    d->set = set;
    d->loader = loader;
    d->limits = limits;
    d->maxImports = maxImports;
    d->imported = importedLocations;
}

XsdReader::~XsdReader() = default;

Result<const XmlNode *> XsdReader::load(const QUrl &url, const XmlNode &importedAt, QStringView kind)
{
    if (!d->loader || !*d->loader)
        return errorAt("wsdl_import", importedAt,
                       u"<%1> needs the document at \"%2\", and no loader was given to read it"_s.arg(
                           importedAt.qualifiedName, url.toString()));
    if (d->imported && d->imported->size() >= d->maxImports)
        return errorAt("xml_limit", importedAt, u"more than %1 imported documents (limits.maxImports)"_s.arg(d->maxImports));
    Result<QByteArray> bytes = (*d->loader)(url);
    if (!bytes)
        return errorAt("wsdl_import", importedAt, u"could not load \"%1\": %2"_s.arg(url.toString(), bytes.error().toString()));
    if (d->imported)
        d->imported->append(url.toString());
    Result<XmlNode> tree = readXmlTree(*bytes, kind, d->limits, url.toString());
    if (!tree)
        return tree.error();
    d->documents.push_back(std::move(*tree));
    return &d->documents.back();
}

Result<void> XsdReader::addSchema(const XmlNode &schema, const QUrl &documentUrl, const QString &chameleonNamespace)
{
    SchemaContext ctx;
    ctx.targetNamespace = schema.hasAttribute(u"targetNamespace") ? schema.attribute(u"targetNamespace") : chameleonNamespace;
    ctx.elementsQualified = schema.attribute(u"elementFormDefault") == u"qualified";
    ctx.attributesQualified = schema.attribute(u"attributeFormDefault") == u"qualified";
    ctx.document = schema.location;
    d->contexts.push_back(ctx);
    d->schemas.push_back(State::Pending{&schema, int(d->contexts.size()) - 1});
    if (!ctx.targetNamespace.isEmpty() && !d->set->targetNamespaces.contains(ctx.targetNamespace))
        d->set->targetNamespaces.append(ctx.targetNamespace);
    d->seen.insert(documentUrl.toString() + u'#' + ctx.targetNamespace);

    for (const XmlNode &child : schema.children) {
        const bool include = isXsd(child, u"include");
        if (!include && !isXsd(child, u"import") && !isXsd(child, u"redefine"))
            continue;
        const QString location = child.attribute(u"schemaLocation");
        if (location.isEmpty())
            continue;   // a namespace of another schema in the same document
        const QUrl url = documentUrl.resolved(QUrl(location));
        const QString ns = include ? ctx.targetNamespace : child.attribute(u"namespace");
        if (d->seen.contains(url.toString() + u'#' + ns))
            continue;
        d->seen.insert(url.toString() + u'#' + ns);
        Result<const XmlNode *> document = load(url, child, u"XML Schema");
        if (!document)
            return document.error();
        const XmlNode &root = **document;
        if (!isXsd(root, u"schema"))
            return errorAt("wsdl_import", root, u"the document imported from \"%1\" is not an XML Schema: its "
                                                "root element is <%2>"_s.arg(url.toString(), root.qualifiedName));
        Result<void> added = addSchema(root, url, include ? ctx.targetNamespace : QString());
        if (!added)
            return added;
    }
    return {};
}

Result<void> XsdReader::resolve()
{
    State &s = *d;
    XsdSchemaSet &set = *s.set;
    // Groups first: content anywhere may refer to a group defined anywhere.
    for (const State::Pending &p : s.schemas) {
        const QString &tns = s.contexts[size_t(p.context)].targetNamespace;
        for (const XmlNode &child : p.schema->children) {
            if (isXsd(child, u"group") || isXsd(child, u"attributeGroup")) {
                auto &table = isXsd(child, u"group") ? s.groups : s.attributeGroups;
                table.insert(QualifiedName{tns, child.attribute(u"name")}, GroupDefinition{&child, p.context});
            }
        }
    }
    for (const State::Pending &p : s.schemas) {
        const SchemaContext ctx = s.contexts[size_t(p.context)];
        for (const XmlNode &child : p.schema->children) {
            const QualifiedName name{ctx.targetNamespace, child.attribute(u"name")};
            if (isXsd(child, u"element")) {
                XsdElement e;
                if (!s.element(child, ctx, true, &e))
                    break;
                set.elements.push_back(std::move(e));
                set.elementIndex.insert(name, int(set.elements.size()) - 1);
            } else if (isXsd(child, u"attribute")) {
                XsdAttribute a;
                if (!s.attribute(child, ctx, &a))
                    break;
                set.attributes.push_back(std::move(a));
                set.attributeIndex.insert(name, int(set.attributes.size()) - 1);
            } else if (isXsd(child, u"complexType")) {
                const int index = s.complexType(child, ctx, name);
                if (index >= 0 && !set.complexTypeIndex.contains(name))
                    set.complexTypeIndex.insert(name, index);
            } else if (isXsd(child, u"simpleType")) {
                const int index = s.simpleType(child, ctx, name);
                if (index >= 0 && !set.simpleTypeIndex.contains(name))
                    set.simpleTypeIndex.insert(name, index);
            }
            if (s.error)
                return *s.error;
        }
    }
    if (s.error)
        return *s.error;

    for (XsdElement &e : set.elements) {
        if (!s.resolveElement(e))
            return *s.error;
    }
    for (XsdAttribute &a : set.attributes) {
        if (!s.resolveAttribute(a))
            return *s.error;
    }
    for (XsdSimpleType &st : set.simpleTypes) {
        if (!s.resolveType(st.base, st.document, st.line, st.column,
                           u"the base of simple type \"%1\""_s.arg(st.name.isEmpty() ? u"(anonymous)"_s : st.name.name))
            || (st.isList && !st.itemType.name.isEmpty()
                && !s.resolveType(st.itemType, st.document, st.line, st.column, u"the item type of a list")))
            return *s.error;
    }
    for (XsdComplexType &ct : set.complexTypes) {
        const QString what = u"the base of complex type \"%1\""_s.arg(ct.name.isEmpty() ? u"(anonymous)"_s : ct.name.name);
        if (!ct.base.name.isEmpty() && !s.resolveType(ct.base, ct.document, ct.line, ct.column, what))
            return *s.error;
        for (XsdElement &e : ct.elements) {
            if (!s.resolveElement(e))
                return *s.error;
        }
        for (XsdAttribute &a : ct.attributes) {
            if (!s.resolveAttribute(a))
                return *s.error;
        }
    }
    if (!s.checkDerivation())
        return *s.error;
    std::vector<bool> done(set.simpleTypes.size(), false);
    for (size_t i = 0; i < set.simpleTypes.size(); ++i)
        s.settle(i, done);
    return {};
}

} // namespace Internal
} // namespace Conflux::Connectors
