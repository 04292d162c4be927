#pragma once

#include "base/result.h"
#include "data/schemainference.h"

#include <QByteArrayView>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

// OData $metadata (EDMX/CSDL) import for OData v2 (SAP Gateway and others) and v4 (SAP CAP
// and others): entity types with keys, properties and navigation properties, complex and
// enum types, the entity container's entity sets, singletons and operations, and the
// annotations the endpoint designer shows (SAP's sap:* attributes in v2; Core, Common and
// Capabilities terms in v4).
//
// Type names are qualified with the schema's namespace even where the document uses its
// alias ("API_BUSINESS_PARTNER.A_BusinessPartnerType", "CatalogService.Books");
// collections are written "Collection(<type>)".
//
// Errors say where ("Line L, column C: ...") with codes: "metadata_empty", "metadata_html" (an
// HTML page, typically a login page, instead of the $metadata), "xml_syntax", "xml_doctype",
// "xml_limit", "edmx_not_edmx" (another root element), "edmx_version" (an unknown EDMX
// version), "edmx_invalid" (a required attribute missing or malformed), "edmx_unresolved" (a
// key property, entity type, association, base type or type that is not defined),
// "edmx_circular" (a type derived from itself).
//
// Threading: the functions are reentrant; the result types are plain values.

namespace Conflux::Connectors {

// Annotations of one model element. v2: SAP's attributes by qualified name ("sap:label",
// "sap:creatable"). v4: terms by their usual alias ("Core.Computed", "Common.Label",
// "Capabilities.InsertRestrictions/Insertable"); a term without a value is "true".
using ODataAnnotations = QMap<QString, QString>;

struct ODataProperty
{
    QString name;
    QString type;                        // "Edm.String", "Ns.Address", "Collection(Edm.String)"
    bool nullable = true;
    std::optional<int> maxLength;        // none when absent or "max"
    std::optional<int> precision;
    std::optional<int> scale;            // none when absent or "variable"/"floating"
    QString defaultValue;
    ODataAnnotations annotations;

    bool isCollection() const { return type.startsWith(u"Collection("); }
    // sap:label (v2) or Common.Label (v4)
    QString label() const;
    // Core.Computed / Core.Immutable (v4), or the negation of sap:creatable / sap:updatable (v2)
    bool isComputed() const;
    bool isImmutable() const;
};

struct ODataNavigationProperty
{
    QString name;
    QString targetType;                  // qualified entity type name
    bool collection = false;             // to-many
    QString multiplicity;                // "0..1", "1" or "*"
    QString partner;                     // the navigation property back, on the target type
    QString relationship;                // v2: the association's qualified name
    bool nullable = true;
    bool containsTarget = false;         // v4 containment
    ODataAnnotations annotations;
};

struct ODataStructuredType
{
    QString name;
    QString qualifiedName;
    QString baseType;                    // qualified, or empty
    bool isAbstract = false;
    bool isOpen = false;
    bool hasStream = false;              // media entity
    QStringList keys;                    // entity types: the key properties (of the base type when derived)
    std::vector<ODataProperty> properties;
    std::vector<ODataNavigationProperty> navigationProperties;
    ODataAnnotations annotations;

    const ODataProperty *property(QStringView name) const;
    const ODataNavigationProperty *navigationProperty(QStringView name) const;
};
using ODataEntityType = ODataStructuredType;
using ODataComplexType = ODataStructuredType;

struct ODataEnumMember
{
    QString name;
    qint64 value = 0;
};

struct ODataEnumType
{
    QString name;
    QString qualifiedName;
    QString underlyingType = QStringLiteral("Edm.Int32");
    bool isFlags = false;
    std::vector<ODataEnumMember> members;
    ODataAnnotations annotations;
};

struct ODataEntitySet
{
    QString name;
    QString entityType;                  // qualified
    bool isSingleton = false;            // v4 singleton
    // v2 sap:creatable/updatable/deletable/pageable/addressable/searchable; v4 from the
    // Capabilities Insert/Update/DeleteRestrictions.
    bool creatable = true;
    bool updatable = true;
    bool deletable = true;
    bool pageable = true;
    bool addressable = true;
    bool searchable = false;
    QMap<QString, QString> navigationBindings;   // v4: navigation property path -> target entity set
    ODataAnnotations annotations;
};

struct ODataParameter
{
    QString name;
    QString type;
    bool nullable = true;
    QString mode;                        // v2: "In", "Out", "InOut"
    std::optional<int> maxLength;
    std::optional<int> precision;
    std::optional<int> scale;
    ODataAnnotations annotations;
};

struct ODataOperation
{
    enum class Kind : quint8 {
        FunctionImport,   // v2 function import; v4 function import (see `operation`)
        ActionImport,     // v4 action import
        Function,         // v4 function (schema level)
        Action            // v4 action (schema level)
    };
    Kind kind = Kind::FunctionImport;
    QString name;
    QString qualifiedName;               // "Ns.name"; imports: the qualified container name + "/" + name
    QString operation;                   // v4 imports: the qualified name of the action or function
    std::vector<ODataParameter> parameters;
    QString returnType;                  // empty for none; may be Collection(...)
    QString entitySet;                   // the entity set of the result
    QString httpMethod;                  // v2 m:HttpMethod ("GET", "POST"); v4 imports: GET for functions, POST for actions
    bool isBound = false;                // v4: the first parameter is the binding parameter
    bool isComposable = false;
    ODataAnnotations annotations;
};

struct ODataSchema
{
    QString namespaceName;
    QString alias;
};

struct ODataMetadata
{
    int version = 4;                     // 2 for EDMX 1.0 (OData v1 to v3), 4 for EDMX 4.0/4.01
    QString edmxVersion;                 // "1.0", "4.0"
    QString dataServiceVersion;          // v2: m:DataServiceVersion ("2.0")
    std::vector<ODataSchema> schemas;
    QString containerName;
    std::vector<ODataEntityType> entityTypes;
    std::vector<ODataComplexType> complexTypes;
    std::vector<ODataEnumType> enumTypes;
    std::vector<ODataEntitySet> entitySets;   // entity sets and singletons
    std::vector<ODataOperation> operations;
    QMap<QString, QString> typeDefinitions;   // v4 TypeDefinition: qualified name -> underlying type

    // By qualified name (or alias-qualified).
    const ODataEntityType *entityType(QStringView name) const;
    const ODataComplexType *complexType(QStringView name) const;
    const ODataEnumType *enumType(QStringView name) const;
    const ODataEntitySet *entitySet(QStringView name) const;
    const ODataOperation *operation(QStringView name) const;
    // The properties of a structured type after those of its base types.
    std::vector<const ODataProperty *> allProperties(const ODataStructuredType &type) const;
    std::vector<const ODataNavigationProperty *> allNavigationProperties(const ODataStructuredType &type) const;
    // A type name with the alias replaced by the namespace ("self.Foo" -> "My.Service.Foo").
    QString qualify(QStringView typeName) const;
};

struct ODataLimits
{
    qint64 maxSize = 64 * 1024 * 1024;   // bytes of the document
    int maxDepth = 256;                  // element nesting
};

// Parses an OData $metadata document (EDMX 1.0 with CSDL 1.0-3.0, or EDMX 4.0/4.01).
Result<ODataMetadata> parseODataMetadata(QByteArrayView xml, const ODataLimits &limits = {});

// The field tree of one entity of `entitySet` (an entity set or singleton name) for the
// mapping designer, as the OData JSON format carries it: properties with their types
// (Edm.DateTime/DateTimeOffset as format DateTime, Edm.Date as Date, Edm.TimeOfDay as Time,
// Edm.Guid as Uuid), nullable properties optional and nullable, complex properties as
// objects, collections as arrays, enums as strings; navigation properties as nested objects
// (to-one) or arrays (to-many) down to `expandDepth` levels ($expand), none with 0.
// The shape is the logical one: v2's "d"/"results" wrappers and "__metadata" members are
// left out (the OData connector unwraps them).
// Errors ("edmx_unknown_entity_set") for a name that is not an entity set.
Result<Data::SchemaField> entitySchema(const ODataMetadata &metadata, const QString &entitySet, int expandDepth = 0);

// How a primitive Edm type ("Edm.Int32") shows in a field tree.
Data::SchemaTypes edmSchemaTypes(QStringView edmType, Data::StringFormat *format = nullptr);

} // namespace Conflux::Connectors
