#pragma once

#include "connectors/soapconnector.h"

#include "base/result.h"
#include "data/value.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <utility>
#include <vector>

// What the parts of the SOAP connector share. soapconnector.cpp holds the connector itself (the
// WSDL, call(), discovery), soapsettings.cpp reads its configuration, soapenvelope.cpp writes
// request envelopes, soapresponse.cpp reads answers and faults, soaprecords.cpp reads and writes
// entities through operations.

namespace Conflux::Connectors {

struct HttpResponse;

namespace Internal::SoapDetail {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::SoapConnector)
};

using Settings = SoapConnector::Settings;
using EntitySettings = SoapConnector::EntitySettings;
using WriteOperation = SoapConnector::WriteOperation;

inline constexpr QStringView kSoap11Envelope = u"http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr QStringView kSoap12Envelope = u"http://www.w3.org/2003/05/soap-envelope";
inline constexpr QStringView kXsi = u"http://www.w3.org/2001/XMLSchema-instance";
inline constexpr QStringView kXmlNamespace = u"http://www.w3.org/XML/1998/namespace";

// ---- JSON pointers and templates (soaprecords.cpp) -----------------------------------------

QStringList pointerTokens(const QString &pointer);
QString pointerAppend(const QString &pointer, QString token);

// The field of a message's field tree at `tokens`; array fields are stepped into.
const Data::SchemaField *schemaAt(const Data::SchemaField &root, const QStringList &tokens);
void rebase(Data::SchemaField &field, const QString &path);

// The text of a scalar for a placeholder inside a longer string.
QString scalarText(const Data::Value &value);
void collectPlaceholders(const Data::Value &value, QSet<QString> *names);

// ---- configuration (soapsettings.cpp) ------------------------------------------------------

// Whether an entity's read can ask the server for changes after a cursor.
bool readsIncrementally(const EntitySettings &e);
Result<Settings> readSettings(const EndpointSpec &endpoint);

// ---- reading XML with namespaces (soapresponse.cpp) ----------------------------------------

// The XML codec keeps names as written and namespace declarations as "@xmlns..." members;
// these helpers resolve prefixes while walking its value.
using Scope = QHash<QString, QString>;   // prefix -> namespace URI ("" the default namespace)

Scope enterScope(const Data::Value &element, Scope scope);

struct XmlName
{
    QString ns;
    QString local;
};

// Resolves a name as written; false when its prefix is not declared.
bool resolveName(QStringView written, const Scope &scope, bool attribute, XmlName *out);

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

    std::vector<Node> children(const Node &parent);
    std::vector<Attribute> attributes(const Node &node);
    static QString text(const Node &node);
    bool isNil(const Node &node);

    // An element without a schema: local names, text as strings.
    Data::Value generic(const Node &node);
    static void appendMember(Data::Object &object, const QString &name, Data::Value value);

    // The element as XML text again, with the declarations of the prefixes it uses.
    static QString serialize(const Node &node);

private:
    static void collectPrefixes(const QString &name, const Data::Value &value, QSet<QString> *out);
};

// ---- typed reading (soapresponse.cpp) ------------------------------------------------------

// The complex types whose content an element of type `index` has: its extension bases first.
std::vector<int> contentChain(const XsdSchemaSet &set, int index);
const XsdAttribute *findAttribute(const XsdSchemaSet &set, const std::vector<int> &chain, QStringView name);
bool isAnyType(const XsdTypeRef &type);

class TypedReader
{
public:
    TypedReader(const XsdSchemaSet &set, NodeReader &nodes) : m_set(set), m_nodes(nodes) { }

    Data::Value element(const XsdTypeRef &type, const Node &node);
    Data::Value simple(const XsdTypeRef &type, const QString &text);

private:
    Data::Value complex(int index, const Node &node);
    void addAttributes(const std::vector<int> &chain, const Node &node, Data::Object &out);

    const XsdSchemaSet &m_set;
    NodeReader &m_nodes;
};

// ---- writing the envelope (soapenvelope.cpp) -----------------------------------------------

class EnvelopeWriter
{
public:
    explicit EnvelopeWriter(const XsdSchemaSet &set) : m_set(set) { }

    QStringList problems;
    std::vector<std::pair<QString, QString>> declarations;   // prefix, namespace, in order of use
    bool needsXsi = false;

    QString qualified(const QString &ns, const QString &local);

    // Adds the occurrences of `decl` for `value` to `parent`.
    void element(const XsdElement &decl, const Data::Value &value, const QString &pointer, Data::Object &parent);

private:
    Data::Value nullOccurrence(const XsdElement &decl);
    bool isList(const XsdTypeRef &type) const;
    bool scalar(const Data::Value &value, const QString &pointer, const QString &what);
    Data::Value occurrence(const XsdElement &decl, const Data::Value &value, const QString &pointer);
    Data::Value complex(int index, const QString &elementName, const Data::Value &value, const QString &pointer);

    const XsdSchemaSet &m_set;
};

// ---- faults and bodies of answers (soapresponse.cpp) ---------------------------------------

bool looksLikeHtml(const HttpResponse &response);
QString htmlTitle(const QByteArray &body);
const Node *childNamed(const std::vector<Node> &children, QStringView local);

// Reads a Fault element into an error and a value.
Error faultError(NodeReader &nodes, const Node &fault, bool soap12, const QString &where, Data::Value *faultValue);

} // namespace Internal::SoapDetail

} // namespace Conflux::Connectors
