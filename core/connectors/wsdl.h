#pragma once

#include "base/result.h"
#include "data/schemainference.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <optional>
#include <vector>

// WSDL 1.1 import: the services, ports, SOAP bindings and operations of a WSDL document, the
// messages of each operation resolved to their parts, and the XML Schema types the document
// embeds (or imports), so the endpoint designer can list operations and the mapping designer
// can show the field tree of a request or response body.
//
// XML Schema is read in the subset SOAP services use: global and local elements, named and
// anonymous complexType/simpleType, sequence/all/choice (choice members become optional),
// group and attributeGroup references, attributes, complexContent extension/restriction,
// simpleContent, simpleType restriction with its facets, list and union, element and attribute
// references, minOccurs/maxOccurs/nillable, QName references across prefixes and across the
// schemas of one document. Identity constraints, substitution groups, redefine and wildcards
// (xs:any) are ignored.
//
// Errors: every error names where in the document it is ("at line L, column C", plus the
// location of an imported document), with codes: "metadata_empty", "metadata_html" (an HTML
// page, typically a login page, instead of the WSDL), "xml_syntax", "xml_doctype",
// "xml_limit", "wsdl_not_wsdl" (another root element), "wsdl_unsupported" (WSDL 2.0),
// "wsdl_invalid" (a required attribute missing or malformed), "wsdl_unresolved" (a
// reference to a message, port type, binding, element or type that is not defined),
// "wsdl_import" (an import that cannot be loaded), "xsd_circular" (a type derived from itself).
//
// Threading: the functions are reentrant; the result types are plain values.

namespace Conflux::Connectors {

// An XML qualified name with its prefix resolved: {namespaceUri}name.
struct QualifiedName
{
    QString namespaceUri;
    QString name;

    bool isEmpty() const { return name.isEmpty(); }
    // "{urn:x}name", or "name" without a namespace.
    QString toString() const;
    friend bool operator==(const QualifiedName &, const QualifiedName &) = default;
};
size_t qHash(const QualifiedName &name, size_t seed = 0) noexcept;

// ---- XML Schema --------------------------------------------------------------------------

// The facets of a simple type: those of its restriction merged with those it inherits from
// its base types (the nearest restriction wins).
struct XsdFacets
{
    std::optional<qint64> length;
    std::optional<qint64> minLength;
    std::optional<qint64> maxLength;
    std::optional<int> totalDigits;
    std::optional<int> fractionDigits;
    QString minInclusive;
    QString maxInclusive;
    QString minExclusive;
    QString maxExclusive;
    QStringList enumeration;
    QStringList patterns;
    QString whiteSpace;
};

// Where a type reference leads once the schema is resolved.
struct XsdTypeRef
{
    enum class Kind : quint8 {
        None,      // not resolved (only while reading)
        Builtin,   // a built-in type: `name` is {http://www.w3.org/2001/XMLSchema}string etc.
        Simple,    // XsdSchemaSet::simpleTypes[index]
        Complex    // XsdSchemaSet::complexTypes[index]
    };
    Kind kind = Kind::None;
    QualifiedName name;   // as referenced; empty for an anonymous type
    int index = -1;
};

struct XsdSimpleType
{
    QualifiedName name;        // empty when anonymous
    XsdTypeRef base;           // restriction base, or a built-in for list/union
    QualifiedName builtin;     // the built-in type at the end of the base chain
    XsdFacets facets;          // effective facets (own and inherited)
    bool isList = false;       // xs:list: a whitespace-separated list of `itemType`
    XsdTypeRef itemType;
    bool isUnion = false;      // xs:union: read as its first member type, or xs:string
    qint64 line = 0;
    qint64 column = 0;
    QString document;          // the imported document it is defined in; "" for the WSDL itself
};

struct XsdElement
{
    QString name;
    QString namespaceUri;      // of a global or qualified local element; "" when unqualified
    XsdTypeRef type;           // built-in xs:anyType when the declaration names no type
    int minOccurs = 1;
    int maxOccurs = 1;         // -1: unbounded
    bool nillable = false;
    QString defaultValue;
    QString fixedValue;
    QualifiedName ref;         // the global element this particle refers to (ref=), if any
    qint64 line = 0;
    qint64 column = 0;
    QString document;          // the imported document it is defined in; "" for the WSDL itself

    bool isOptional() const { return minOccurs == 0; }
    bool isRepeated() const { return maxOccurs < 0 || maxOccurs > 1; }
};

struct XsdAttribute
{
    QString name;
    XsdTypeRef type;
    bool required = false;
    QString defaultValue;
    QString fixedValue;
    QualifiedName ref;
    qint64 line = 0;
    qint64 column = 0;
    QString document;          // the imported document it is defined in; "" for the WSDL itself
};

struct XsdComplexType
{
    enum class Derivation : quint8 { None, Extension, Restriction };

    QualifiedName name;                   // empty when anonymous
    XsdTypeRef base;                      // complexContent or simpleContent base
    Derivation derivation = Derivation::None;
    bool simpleContent = false;           // the element has a text value of `base` and attributes
    bool mixed = false;
    bool isAbstract = false;
    bool hasWildcard = false;             // xs:any (its content is not described)
    std::vector<XsdElement> elements;     // own particles flattened in document order
    std::vector<XsdAttribute> attributes; // own attributes
    qint64 line = 0;
    qint64 column = 0;
    QString document;          // the imported document it is defined in; "" for the WSDL itself
};

// The types of every schema of a document. Indexes in XsdTypeRef stay valid for the life of
// the set.
struct XsdSchemaSet
{
    QStringList targetNamespaces;
    std::vector<XsdElement> elements;           // global elements
    std::vector<XsdAttribute> attributes;       // global attributes
    std::vector<XsdComplexType> complexTypes;   // named and anonymous
    std::vector<XsdSimpleType> simpleTypes;     // named and anonymous

    const XsdElement *element(const QualifiedName &name) const;
    const XsdComplexType *complexType(const QualifiedName &name) const;
    const XsdSimpleType *simpleType(const QualifiedName &name) const;
    // A named type or a built-in; Kind::None when there is no such type.
    XsdTypeRef type(const QualifiedName &name) const;

    // Filled when the set is resolved.
    QHash<QualifiedName, int> elementIndex;
    QHash<QualifiedName, int> attributeIndex;
    QHash<QualifiedName, int> complexTypeIndex;
    QHash<QualifiedName, int> simpleTypeIndex;
};

// ---- WSDL --------------------------------------------------------------------------------

enum class SoapVersion : quint8 { None, Soap11, Soap12 };   // None: an HTTP or other binding
enum class SoapStyle : quint8 { Document, Rpc };
enum class SoapUse : quint8 { Literal, Encoded };

struct WsdlPart
{
    QString name;
    QualifiedName element;   // document style: the global element of the body
    QualifiedName type;      // rpc style: the type of the accessor named `name`
};

struct WsdlMessage
{
    QualifiedName name;
    std::vector<WsdlPart> parts;
};

// One input, output or fault of a bound operation.
struct WsdlMessageRef
{
    QString name;                 // the fault's name; the input's or output's name when given
    QualifiedName message;
    std::vector<WsdlPart> parts;  // the parts in the SOAP body (soap:body parts= selects)
    SoapUse use = SoapUse::Literal;
    QString namespaceUri;         // soap:body namespace= (rpc style)
    QString encodingStyle;
};

struct WsdlOperation
{
    QString name;
    QString soapAction;
    SoapStyle style = SoapStyle::Document;
    QString documentation;
    std::optional<WsdlMessageRef> input;
    std::optional<WsdlMessageRef> output;    // none for a one-way operation
    std::vector<WsdlMessageRef> faults;
};

struct WsdlBinding
{
    QualifiedName name;
    QualifiedName portType;
    SoapVersion soapVersion = SoapVersion::None;
    SoapStyle style = SoapStyle::Document;
    QString transport;             // e.g. http://schemas.xmlsoap.org/soap/http
    std::vector<WsdlOperation> operations;

    const WsdlOperation *operation(QStringView name) const;
};

struct WsdlPort
{
    QString name;
    QualifiedName binding;
    QUrl address;                  // resolved against the document's base URL
    SoapVersion soapVersion = SoapVersion::None;
};

struct WsdlService
{
    QString name;
    QString documentation;
    std::vector<WsdlPort> ports;
};

struct WsdlDocument
{
    QString name;
    QString targetNamespace;
    std::vector<WsdlService> services;
    std::vector<WsdlBinding> bindings;
    std::vector<WsdlMessage> messages;
    XsdSchemaSet types;
    QStringList importedLocations;   // documents read through the loader, in order

    const WsdlBinding *binding(const QualifiedName &name) const;
    // The binding of that local name; the first SOAP binding when `name` is empty.
    const WsdlBinding *binding(QStringView name = {}) const;
    const WsdlMessage *message(const QualifiedName &name) const;
};

// Loads an imported or included document (xsd:import/include schemaLocation, wsdl:import
// location), given its URL resolved against the importing document's URL.
using WsdlLoader = std::function<Result<QByteArray>(const QUrl &url)>;

struct WsdlLimits
{
    qint64 maxSize = 64 * 1024 * 1024;   // bytes of each document
    int maxDepth = 256;                  // element nesting in each document
    int maxImports = 64;                 // documents read through the loader
};

// Parses a WSDL 1.1 document. `baseUrl` is where it came from: relative port addresses and
// import locations resolve against it. Imports and includes need `loader`; without one,
// an import with a location is a "wsdl_import" error naming it (an xsd:import without
// schemaLocation refers to another schema of the same document and needs nothing).
Result<WsdlDocument> parseWsdl(QByteArrayView xml, const QUrl &baseUrl = {}, const WsdlLoader &loader = {},
                               const WsdlLimits &limits = {});

enum class WsdlMessageRole : quint8 { Input, Output, Fault };

struct MessageSchemaOptions
{
    // A complex type that contains itself is expanded this many times on one path, then
    // cut: the field is an object without children and its path goes to `cutPaths`.
    int maxRecursion = 2;
    int maxDepth = 64;                   // nesting of fields, cut the same way
    QStringList *cutPaths = nullptr;
};

// The field tree of a message's SOAP body as the XML codec reads it (docs/formats/xml.md),
// with local names: the root object holds, for document style, one member per part element
// ("BAPI_USER_GET_DETAIL": {...}); for rpc style, the operation's wrapper ("Add" for the
// input, "AddResponse" for the output) with one member per part. Elements that may repeat
// are arrays ("item[]"), minOccurs="0" and choice members are optional, nillable ones
// nullable, attributes are "@name" members, the text of an element with attributes "#text".
// Dates and times carry their format. Errors ("wsdl_no_message") for a one-way operation's
// output or an unknown fault name.
Result<Data::SchemaField> messageSchema(const WsdlDocument &document, const WsdlOperation &operation,
                                        WsdlMessageRole role, const QString &faultName = {},
                                        const MessageSchemaOptions &options = {});

// How a built-in XSD type (by local name: "int", "dateTime") shows in a field tree.
Data::SchemaTypes xsdBuiltinSchemaTypes(QStringView builtinName, Data::StringFormat *format = nullptr);

} // namespace Conflux::Connectors
