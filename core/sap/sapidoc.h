#pragma once

#include "base/result.h"
#include "data/value.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <memory>

namespace Conflux::Connectors {
class CancelToken;
}

// IDocs as values, IDoc XML, and SAP's IDoc-XML HTTP inbound (/sap/bc/idoc_xml).
//
// An IDoc:
//   {"control_record": {"IDOCTYP": "DEBMAS07", "MESTYP": "DEBMAS", "SNDPOR": "CONFLUX",
//                       "SNDPRT": "LS", "SNDPRN": "CONFLUX", ...},
//    "data_records": [{"segment": "E1KNA1M", "fields": {"KUNNR": "0000200001", ...},
//                      "children": [{"segment": "E1KNB1M", "fields": {...}, "children": []}]}]}
// Control record fields are EDI_DC40's names (TABNAM, MANDT, DOCNUM, DIRECT, IDOCTYP, CIMTYP,
// MESTYP, SNDPOR, SNDPRT, SNDPRN, RCVPOR, RCVPRT, RCVPRN, CREDAT, CRETIM, ...), written in
// EDI_DC40's field order. Segment fields keep their order; "children" are the segment's
// child segments. Field values are strings (numbers are written as their text; null is
// left out).
//
// In IDoc XML the document element is named after the IDoc type (CIMTYP when there is an
// extension, else IDOCTYP) and holds one <IDOC BEGIN="1"> per IDoc: the control record
// <EDI_DC40 SEGMENT="1"> first, then the segments, each with SEGMENT="1". Segments of one
// type must follow each other within their parent (as every IDoc type defines them).

namespace Conflux::Sap {

class SapPool;
struct SapOperation;

// What the control record gets when the IDoc does not say.
struct IdocDefaults
{
    QString client;            // MANDT
    QString systemId;          // RCVPOR "SAP<SID>", RCVPRN "<SID>CLNT<client>"
    QString idocType;          // IDOCTYP (an idoc operation's idoc_type)
    QString messageType;       // MESTYP (an idoc operation's message_type)
    QDateTime created;         // CREDAT/CRETIM; invalid: now, in UTC
};

// The IDoc with its control record completed: TABNAM "EDI_DC40", MANDT, DOCNUM (a new
// 16-digit number unless given), DIRECT "2" (inbound to SAP), SNDPRT and RCVPRT "LS",
// RCVPOR and RCVPRN from the system, CREDAT/CRETIM; IDOCTYP, MESTYP, SNDPOR and SNDPRN are
// required. Errors: "sap_invalid_idoc" with a detail per problem, by JSON pointer under
// `pointer` ("/control_record/SNDPRN: is required").
Result<Data::Value> completeIdoc(const Data::Value &idoc, const IdocDefaults &defaults = {},
                                 const QString &pointer = {});

// IDoc XML for one IDoc (an object) or several (an array; all of one IDoc type), control
// records completed as by completeIdoc(). Errors: "sap_invalid_idoc".
Result<QByteArray> buildIdocXml(const Data::Value &idocs, const IdocDefaults &defaults = {});

// The IDocs of an IDoc XML document (also inside a SOAP envelope's Body), in the shape above:
// control_record as sent, every segment with "segment", "fields" and "children" (always
// present). Errors: "sap_invalid_idoc" (malformed XML with line and column, no IDOC, an IDOC
// without EDI_DC40 first, a repeated field).
Result<Data::Array> parseIdocXml(QByteArrayView xml);

struct IdocSendResult
{
    // The numbers SAP assigned, one per IDoc, when its answer lists them (SAP's inbound
    // handler is not documented to; the status alone then says the IDocs were accepted).
    QStringList idocNumbers;
    Data::Array idocs;         // the IDocs as sent, control records completed
};

// Sends IDocs to the system's IDoc-XML inbound through the connection's pool.
// Errors: those of the HTTP client and the pool (see saprfcclient.h), "sap_invalid_idoc",
// "sap_idoc_rejected" (HTTP 400: SAP's text says why), "authentication_failed",
// "sap_http_error". Metrics count the call as operation "IDOC:<MESTYP>".
class SapIdocClient
{
public:
    explicit SapIdocClient(std::shared_ptr<SapPool> pool);
    ~SapIdocClient();

    // `defaults` fill in what the connection knows (client, system id) when left empty.
    Result<IdocSendResult> send(const Data::Value &idocs, IdocDefaults defaults = {},
                                const Connectors::CancelToken *cancel = nullptr);
    // An idoc operation: its idoc_type and message_type are the defaults of IDOCTYP and MESTYP.
    Result<IdocSendResult> run(const SapOperation &operation, const Data::Value &idocs,
                               const Connectors::CancelToken *cancel = nullptr);

private:
    std::shared_ptr<SapPool> m_pool;
};

} // namespace Conflux::Sap
