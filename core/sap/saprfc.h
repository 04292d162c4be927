#pragma once

#include "base/result.h"
#include "data/value.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

// SAP's SOAP RFC protocol (the ICF service /sap/bc/soap/rfc): the request envelope built
// from a value, the answer read back into one, and the BAPI messages of RETURN.
//
// Parameters in:  {"VENDORNO": "100001", "PI_PERSONALDATA": {"LASTNAME": "Hopper"},
//                  "FIELDS": [{"FIELDNAME": "NAME1"}], "DATA": []}
//   strings and numbers → elements with that text; true → "X", false → "" (ABAP's flags);
//   null → an empty element; objects → structures; arrays → tables of <item> elements (an
//   empty array → an empty table, which also asks SAP to return that table).
//   Names are ABAP names; "/" in a namespace (/BIC/FOO) is written as SAP writes it, "_-".
// Answer out: the export, changing and table parameters of <FM.Response> as an object;
//   structures are objects, tables arrays of objects (elements holding only <item>s), all
//   values strings exactly as SAP sent them (leading zeros kept). An empty table element is
//   [] when the request passed that table (or `tables` names it), "" otherwise: SOAP RFC
//   does not say whether an empty element is a table.
//
// Threading: reentrant functions and plain values.

namespace Conflux::Sap {

inline constexpr QLatin1StringView kRfcNamespace{"urn:sap-com:document:sap:rfc:functions"};
inline constexpr QLatin1StringView kSoapEnvelopeNamespace{"http://schemas.xmlsoap.org/soap/envelope/"};

// SAP's XML names for ABAP names: "/BIC/ZFOO" ⇄ "_-BIC_-ZFOO".
QString rfcXmlName(const QString &abapName);
QString rfcAbapName(const QString &xmlName);

// The SOAP 1.1 request calling `function` with `parameters` (an object, or null for none).
// Errors: "sap_invalid_parameters", naming the JSON pointer of the offending value.
Result<QByteArray> buildRfcRequest(const QString &function, const Data::Value &parameters);

// The top-level members of `parameters` that are arrays: the tables the request passes.
QStringList rfcTableParameters(const Data::Value &parameters);

// Reads SAP's answer to a call of `function`.
// Errors: "sap_rfc_fault" (a SOAP fault: SAP's RFC exceptions; the message names the
// exception and its text, the details "faultcode: ...", "faultstring: ...", "exception: ...",
// "text: ..."), "sap_invalid_response" (no SOAP envelope, another response element,
// malformed XML: the message says where).
Result<Data::Value> parseRfcResponse(const QString &function, QByteArrayView body, const QStringList &tables = {});


// One line of a BAPI's RETURN parameter (BAPIRET1, BAPIRET2, BAPIRETURN, BAPIRETURN1).
struct SapMessage
{
    QString type;      // E error, A abort, W warning, I information, S success
    QString id;        // message class (BAPIRETURN: its CODE)
    QString number;
    QString text;      // MESSAGE
    Data::Value line;  // the whole line as SAP sent it

    bool isError() const { return type == u"E" || type == u"A"; }
    // "E ZCFX 001: Vendor 0000999999 does not exist"
    QString toString() const;
};

// The non-initial messages of `response`'s RETURN (a structure or a table), in order.
QList<SapMessage> returnMessages(const Data::Value &response, QStringView parameter = u"RETURN");

// "sap_bapi_error" when a message is of type E or A: the message is the first such text with
// its class and number, the details every E/A message. Ok otherwise.
Result<void> checkReturnMessages(const QString &function, const QList<SapMessage> &messages);

} // namespace Conflux::Sap
