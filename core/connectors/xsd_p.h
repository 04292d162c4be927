#pragma once

#include "connectors/wsdl.h"

#include <QHash>
#include <QString>
#include <QUrl>
#include <QXmlStreamAttributes>

#include <deque>
#include <memory>
#include <optional>
#include <vector>

// Internals shared by the EDMX and WSDL readers: a small element tree with line/column and
// in-scope namespaces (both formats reference definitions by QName anywhere in the
// document, so they are read whole first), and the XML Schema reader.

namespace Conflux::Connectors::Internal {

inline constexpr QStringView xsdNamespace = u"http://www.w3.org/2001/XMLSchema";
inline constexpr QStringView soapEncodingNamespace = u"http://schemas.xmlsoap.org/soap/encoding/";

struct XmlNode
{
    QString namespaceUri;
    QString name;                          // local name
    QString qualifiedName;                 // as written
    QXmlStreamAttributes attributes;
    QHash<QString, QString> namespaces;    // in scope: prefix -> URI ("" = default namespace)
    qint64 line = 0;                       // where the start tag ends
    qint64 column = 0;
    QString text;                          // character data directly inside
    std::vector<XmlNode> children;
    QString location;                      // the document's URL, for imported documents

    bool is(QStringView ns, QStringView local) const { return name == local && namespaceUri == ns; }
    // An attribute without a namespace ("name"), or null when absent.
    QString attribute(QStringView local) const;
    QString attribute(QStringView ns, QStringView local) const;
    bool hasAttribute(QStringView local) const;
    // "prefix:local" against the in-scope namespaces; an unprefixed name takes the default
    // namespace unless `unprefixedHasNoNamespace`. Empty when the prefix is not declared.
    std::optional<QualifiedName> resolve(QStringView qname, bool unprefixedHasNoNamespace = false) const;
    // "line 12, column 5" (and "of <location>" for an imported document)
    QString where() const;
};

struct XmlTreeLimits
{
    qint64 maxSize = 64 * 1024 * 1024;
    int maxDepth = 256;
};

// Reads a whole document. `kind` names what it should be ("OData $metadata", "WSDL") for
// errors: empty input, an HTML page (a login page served instead), malformed XML, a DOCTYPE.
Result<XmlNode> readXmlTree(QByteArrayView xml, QStringView kind, const XmlTreeLimits &limits,
                            const QString &location = {});

Error errorAt(const char *code, const XmlNode &node, const QString &what);

// Reads the xs:schema elements of a document (and what they import) into an XsdSchemaSet.
class XsdReader
{
public:
    XsdReader(XsdSchemaSet *set, const WsdlLoader *loader, const XmlTreeLimits &limits, int maxImports,
              QStringList *importedLocations);
    ~XsdReader();

    // `documentUrl`: where the schema's document came from (imports resolve against it).
    // `chameleonNamespace`: the target namespace an included schema without one takes.
    Result<void> addSchema(const XmlNode &schema, const QUrl &documentUrl, const QString &chameleonNamespace = {});
    // Loads another document through the loader (counting it against maxImports).
    Result<const XmlNode *> load(const QUrl &url, const XmlNode &importedAt, QStringView kind);
    // Resolves every reference; errors for dangling ones and circular derivations.
    Result<void> resolve();

private:
    struct State;
    std::unique_ptr<State> d;
};

// The field tree of an element or a type, for message parts (in wsdl.cpp).
class SchemaFieldBuilder
{
public:
    SchemaFieldBuilder(const XsdSchemaSet &set, const MessageSchemaOptions &options);

    Data::SchemaField element(const XsdElement &element, const QString &parentPath);
    // A field named `name` of type `type` (rpc parts), not repeated, not optional.
    Data::SchemaField typed(const QString &name, const XsdTypeRef &type, const QString &parentPath);

private:
    void fillType(Data::SchemaField &field, const XsdTypeRef &type, int depth);
    void fillComplex(Data::SchemaField &field, int index, int depth);
    void addContent(Data::SchemaField &field, int index, int depth, int chain);
    void addAttributes(Data::SchemaField &field, int index, int chain);
    void setSimple(Data::SchemaField &field, const XsdTypeRef &type);
    Data::SchemaField elementAt(const XsdElement &element, const QString &parentPath, int depth);

    const XsdSchemaSet &m_set;
    MessageSchemaOptions m_options;
    std::vector<int> m_stack;   // complex types being expanded
};

QString childPath(const QString &parent, const QString &name);

} // namespace Conflux::Connectors::Internal
