#pragma once

#include "base/result.h"
#include "data/value.h"

#include <QString>

// An SAP operation document (`sap/<id>.json`, resources/schemas/sapoperation.schema.json).
//
// The SAPOperation names map onto the document: operation_id → id; pattern (RFC, BAPI,
// IDOC, ODATA) → operation_type (rfc, bapi, idoc, odata; REST and SOAP services are endpoints
// of protocol rest/soap, not SAP operations); bapi_name → function_name; input_mapping and
// output_mapping → the same names. The mappings are kept as document ids: applying them is
// the caller's business (a workflow step or sync job runs the input mapping, calls the
// operation with the result, and runs the output mapping on the answer).
//
// `parameters` are constant parameters of the call (e.g. {"COMPANYCODE": "1000"}); the
// clients merge them under the caller's input, the input winning on equal names.

namespace Conflux::Sap {

enum class SapOperationType : quint8 { Bapi, Rfc, Idoc, OData };

struct SapOperation
{
    QString id;                   // the operation_id
    QString name;
    QString description;
    QString connection;           // id of the SapConnection document
    SapOperationType type = SapOperationType::Bapi;
    QString functionName;         // bapi, rfc: the function module ("BAPI_CUSTOMER_CREATEFROMDATA1")
    QString idocType;             // idoc: IDOCTYP ("DEBMAS07")
    QString messageType;          // idoc: MESTYP ("DEBMAS")
    QString service;              // odata: service name
    QString entitySet;            // odata: entity set
    QString method;               // odata: GET, POST, ...
    Data::Object parameters;      // constant parameters
    bool commit = false;          // bapi/rfc: BAPI_TRANSACTION_COMMIT after a successful call
    QString inputMapping;         // Mapping document id, or empty
    QString outputMapping;        // Mapping document id, or empty
};

// Errors: "invalid_sap_operation" with one detail per problem ("/function_name: ...").
Result<SapOperation> parseSapOperation(const Data::Value &document, const QString &source = {});

QString operationTypeName(SapOperationType type);   // "bapi"

} // namespace Conflux::Sap
