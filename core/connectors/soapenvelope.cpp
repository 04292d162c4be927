// Writing the request envelope's Body from the value model, following the input message's
// schema: element order from the XSD sequence, namespaces per elementFormDefault, arrays as
// repeated elements, "@name" members as attributes, null as xsi:nil where nillable.

#include "soapconnector.h"
#include "soapconnector_p.h"

#include <QSet>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors::Internal::SoapDetail {

QString EnvelopeWriter::qualified(const QString &ns, const QString &local)
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

void EnvelopeWriter::element(const XsdElement &decl, const Data::Value &value, const QString &pointer, Data::Object &parent)
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

Data::Value EnvelopeWriter::nullOccurrence(const XsdElement &decl)
{
    if (!decl.nillable)
        return Data::Value::null();   // an empty element
    needsXsi = true;
    return Data::Object{{u"@xsi:nil"_s, u"true"_s}};
}

bool EnvelopeWriter::isList(const XsdTypeRef &type) const
{
    return type.kind == XsdTypeRef::Kind::Simple && m_set.simpleTypes[size_t(type.index)].isList;
}

bool EnvelopeWriter::scalar(const Data::Value &value, const QString &pointer, const QString &what)
{
    if (value.isString() || value.isNumber() || value.isBool())
        return true;
    problems.append(pointer + u": "_s + Tr::tr("%1 holds text: give a string, number or boolean, not %2")
                                             .arg(what, QString::fromLatin1(value.typeName())));
    return false;
}

Data::Value EnvelopeWriter::occurrence(const XsdElement &decl, const Data::Value &value, const QString &pointer)
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

Data::Value EnvelopeWriter::complex(int index, const QString &elementName, const Data::Value &value, const QString &pointer)
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

} // namespace Conflux::Connectors::Internal::SoapDetail
