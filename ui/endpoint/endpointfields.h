#pragma once

#include <QCoreApplication>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

namespace Conflux::Ui::Endpoint {

// The forms the endpoint designer offers, one per kind of system. Each maps to the
// document's type and protocol (resources/schemas/endpoint.schema.json).
enum class EndpointKind : quint8 { Rest, Soap, ODataV2, ODataV4, GraphQL, Sql, Files, Queue, Webhook };

struct KindInfo
{
    EndpointKind kind;
    QString type;       // the document's "type"
    QString protocol;   // the document's "protocol" (Queue: the default broker)
    QString title;      // for people, translated
};

QList<KindInfo> endpointKinds();
KindInfo kindInfo(EndpointKind kind);
// The form for a document: by protocol, else by the type's default protocol.
EndpointKind kindOfDocument(const QJsonObject &document);
// Whether a connection test makes sense (a webhook receives; nothing to connect to).
bool canTestConnection(EndpointKind kind);

// One field of a form, bound to a member of the document by JSON pointer.
struct FieldSpec
{
    enum class Editor : quint8 {
        Text,     // a string; empty removes the member
        Url,      // a string checked as a URL of one of `schemes`
        Integer,  // a whole number in [minimum, maximum]
        Number,   // a number >= minimum
        Boolean,  // true/false
        Choice,   // one of `choices`; the first choice "" removes the member
        List,     // an array of strings, typed comma-separated
        Secret,   // a credential: typed in a password field, stored in the keychain, a reference in the document
    };

    QString pointer;                 // "/url", "/configuration/page_size"
    QString label;
    Editor editor = Editor::Text;
    QList<std::pair<QString, QString>> choices;   // value, label
    QString placeholder;
    QString help;                    // tooltip: what the connector does with it
    QStringList schemes;             // Url: the schemes the connector accepts
    double minimum = 0;
    double maximum = 2147483647;
    bool required = false;           // the connector refuses the endpoint without it (the schema cannot say)
    bool defaultOn = false;          // Boolean: what the connector assumes when the member is absent
    QList<EndpointKind> kinds;       // the forms it belongs to; empty: every form
    QString section;                 // "general", "connection", "settings", "authentication"
    // Shown only while the member at `dependsOn` has one of `dependsValues`.
    QString dependsOn;
    QStringList dependsValues;
};

// Every field of every form, in display order.
const QList<FieldSpec> &endpointFields();

// Document edits by JSON pointer (RFC 6901) over objects: set creates the objects on the
// way; remove (an undefined value) also drops objects it leaves empty.
QJsonObject withValueAt(const QJsonObject &document, const QString &pointer, const QJsonValue &value);
QJsonValue valueAt(const QJsonObject &document, const QString &pointer);

// The document with type and protocol of `kind`; configuration members no field of `kind`
// uses are dropped (they belong to the other connector), the common ones kept.
QJsonObject switchKind(const QJsonObject &document, EndpointKind kind);

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Ui::EndpointDesigner)
};

} // namespace Conflux::Ui::Endpoint
