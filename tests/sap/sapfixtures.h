#pragma once

// Canned SAP answers for the tst_sap_* suites (kept out of the Q_OBJECT files: moc
// and raw strings do not mix).

#include <QByteArray>

namespace Conflux::Tests::SapFixtures {

inline const QByteArray vendorFound = R"(<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<tns:BAPI_VENDOR_GETDETAIL.Response xmlns:tns="urn:sap-com:document:sap:rfc:functions">
<COMPANYDETAIL><VENDOR></VENDOR><COMP_CODE></COMP_CODE></COMPANYDETAIL>
<GENERALDETAIL><VENDOR>0000100001</VENDOR><NAME>Schulz Stahlhandel GmbH</NAME><CITY>Duisburg</CITY></GENERALDETAIL>
<RETURN><TYPE></TYPE><ID></ID><NUMBER></NUMBER><MESSAGE></MESSAGE></RETURN>
</tns:BAPI_VENDOR_GETDETAIL.Response></soap:Body></soap:Envelope>)";

inline const QByteArray vendorMissing = R"(<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<tns:BAPI_VENDOR_GETDETAIL.Response xmlns:tns="urn:sap-com:document:sap:rfc:functions">
<COMPANYDETAIL><VENDOR></VENDOR></COMPANYDETAIL><GENERALDETAIL><VENDOR></VENDOR></GENERALDETAIL>
<RETURN><TYPE>E</TYPE><ID>ZCFX</ID><NUMBER>001</NUMBER><MESSAGE>Vendor 0000999999 does not exist</MESSAGE><MESSAGE_V1>0000999999</MESSAGE_V1></RETURN>
</tns:BAPI_VENDOR_GETDETAIL.Response></soap:Body></soap:Envelope>)";

// A BAPIRET2 table with a warning, a success and two errors.
inline const QByteArray returnTable = R"(<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Header/><soap-env:Body>
<n0:BAPI_SALESORDER_CREATEFROMDAT2.Response xmlns:n0="urn:sap-com:document:sap:rfc:functions">
<SALESDOCUMENT></SALESDOCUMENT>
<RETURN>
<item><TYPE>W</TYPE><ID>V1</ID><NUMBER>555</NUMBER><MESSAGE>Check the pricing</MESSAGE></item>
<item><TYPE>S</TYPE><ID>V4</ID><NUMBER>233</NUMBER><MESSAGE>SALES_HEADER_IN has been processed successfully</MESSAGE></item>
<item><TYPE>E</TYPE><ID>V1</ID><NUMBER>382</NUMBER><MESSAGE>Sold-to party 4711 does not exist</MESSAGE></item>
<item><TYPE>A</TYPE><ID>V4</ID><NUMBER>219</NUMBER><MESSAGE>Sales document was not changed</MESSAGE></item>
</RETURN>
<ORDER_ITEMS_IN/>
<ORDER_PARTNERS><item><PARTN_ROLE>AG</PARTN_ROLE><PARTN_NUMB>4711</PARTN_NUMB></item></ORDER_PARTNERS>
<EXTENSIONIN/>
</n0:BAPI_SALESORDER_CREATEFROMDAT2.Response></soap-env:Body></soap-env:Envelope>)";

inline const QByteArray readTableFault = R"(<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>
<faultcode>soap:Client</faultcode><faultstring>TABLE_NOT_AVAILABLE</faultstring>
<detail><rfc:RFC_READ_TABLE.Exception xmlns:rfc="urn:sap-com:document:sap:rfc:functions"><Name>TABLE_NOT_AVAILABLE</Name><Text>Table ZNOTHERE is not available</Text></rfc:RFC_READ_TABLE.Exception></detail>
</soap:Fault></soap:Body></soap:Envelope>)";

// RFC_READ_TABLE on LFA1 with delimiter "|": NAME1 of the second row holds a "|", the last
// row lost its trailing blanks (and with them the empty LAND1), dates and a packed amount.
inline const QByteArray readTableAnswer = R"(<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<tns:RFC_READ_TABLE.Response xmlns:tns="urn:sap-com:document:sap:rfc:functions">
<DATA>
<item><WA>0000100001|Schulz Stahlhandel GmbH  |DE |20240115|   1234.50-|00042</WA></item>
<item><WA>0000100002|Meyer | Söhne KG         |AT |00000000|      0.00 |00007</WA></item>
<item><WA>0000100003|Blank</WA></item>
</DATA>
<FIELDS>
<item><FIELDNAME>LIFNR</FIELDNAME><OFFSET>000000</OFFSET><LENGTH>000010</LENGTH><TYPE>C</TYPE><FIELDTEXT>Vendor</FIELDTEXT></item>
<item><FIELDNAME>NAME1</FIELDNAME><OFFSET>000011</OFFSET><LENGTH>000025</LENGTH><TYPE>C</TYPE><FIELDTEXT>Name</FIELDTEXT></item>
<item><FIELDNAME>LAND1</FIELDNAME><OFFSET>000037</OFFSET><LENGTH>000003</LENGTH><TYPE>C</TYPE><FIELDTEXT>Country</FIELDTEXT></item>
<item><FIELDNAME>ERDAT</FIELDNAME><OFFSET>000041</OFFSET><LENGTH>000008</LENGTH><TYPE>D</TYPE><FIELDTEXT>Created on</FIELDTEXT></item>
<item><FIELDNAME>AMOUNT</FIELDNAME><OFFSET>000050</OFFSET><LENGTH>000011</LENGTH><TYPE>P</TYPE><FIELDTEXT>Amount</FIELDTEXT></item>
<item><FIELDNAME>COUNTER</FIELDNAME><OFFSET>000062</OFFSET><LENGTH>000005</LENGTH><TYPE>N</TYPE><FIELDTEXT>Counter</FIELDTEXT></item>
</FIELDS>
<OPTIONS/>
</tns:RFC_READ_TABLE.Response></soap:Body></soap:Envelope>)";

inline const QByteArray commitAnswer = R"(<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<tns:BAPI_TRANSACTION_COMMIT.Response xmlns:tns="urn:sap-com:document:sap:rfc:functions">
<RETURN><TYPE></TYPE><ID></ID><NUMBER></NUMBER><MESSAGE></MESSAGE><ROW>0</ROW></RETURN>
</tns:BAPI_TRANSACTION_COMMIT.Response></soap:Body></soap:Envelope>)";

inline const QByteArray rollbackAnswer = R"(<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<tns:BAPI_TRANSACTION_ROLLBACK.Response xmlns:tns="urn:sap-com:document:sap:rfc:functions">
<RETURN><TYPE></TYPE><ID></ID><NUMBER></NUMBER><MESSAGE></MESSAGE></RETURN>
</tns:BAPI_TRANSACTION_ROLLBACK.Response></soap:Body></soap:Envelope>)";

inline const QByteArray customerCreated = R"(<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<tns:BAPI_CUSTOMER_CREATEFROMDATA1.Response xmlns:tns="urn:sap-com:document:sap:rfc:functions">
<CUSTOMERNO>0000200006</CUSTOMERNO>
<RETURN><TYPE>S</TYPE><ID>ZCFX</ID><NUMBER>012</NUMBER><MESSAGE>Customer 0000200006 has been created</MESSAGE></RETURN>
</tns:BAPI_CUSTOMER_CREATEFROMDATA1.Response></soap:Body></soap:Envelope>)";

inline const QByteArray customerRefused = R"(<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<tns:BAPI_CUSTOMER_CREATEFROMDATA1.Response xmlns:tns="urn:sap-com:document:sap:rfc:functions">
<CUSTOMERNO></CUSTOMERNO>
<RETURN><TYPE>E</TYPE><ID>ZCFX</ID><NUMBER>010</NUMBER><MESSAGE>Fill in the required fields of PI_PERSONALDATA: CITY</MESSAGE></RETURN>
</tns:BAPI_CUSTOMER_CREATEFROMDATA1.Response></soap:Body></soap:Envelope>)";

// An inbound IDoc as an SAP system sends it: two IDocs, nested segments, a repeated segment.
inline const QByteArray inboundIdocs = R"(<?xml version="1.0" encoding="UTF-8"?>
<ORDERS05>
  <IDOC BEGIN="1">
    <EDI_DC40 SEGMENT="1">
      <TABNAM>EDI_DC40</TABNAM><MANDT>100</MANDT><DOCNUM>0000000000123456</DOCNUM><DIRECT>1</DIRECT>
      <IDOCTYP>ORDERS05</IDOCTYP><MESTYP>ORDERS</MESTYP><SNDPOR>SAPPRD</SNDPOR><SNDPRT>LS</SNDPRT>
      <SNDPRN>PRDCLNT100</SNDPRN><RCVPOR>CONFLUX</RCVPOR><RCVPRT>LS</RCVPRT><RCVPRN>CONFLUX</RCVPRN>
    </EDI_DC40>
    <E1EDK01 SEGMENT="1"><CURCY>EUR</CURCY><BELNR>4500001234</BELNR></E1EDK01>
    <E1EDP01 SEGMENT="1"><POSEX>000010</POSEX><MENGE>5</MENGE>
      <E1EDP19 SEGMENT="1"><QUALF>002</QUALF><IDTNR>TG11</IDTNR></E1EDP19>
    </E1EDP01>
    <E1EDP01 SEGMENT="1"><POSEX>000020</POSEX><MENGE>1</MENGE></E1EDP01>
  </IDOC>
  <IDOC BEGIN="1">
    <EDI_DC40 SEGMENT="1"><TABNAM>EDI_DC40</TABNAM><DOCNUM>0000000000123457</DOCNUM>
      <IDOCTYP>ORDERS05</IDOCTYP><MESTYP>ORDERS</MESTYP></EDI_DC40>
    <E1EDK01 SEGMENT="1"><CURCY>CHF</CURCY></E1EDK01>
  </IDOC>
</ORDERS05>)";

} // namespace Conflux::Tests::SapFixtures

namespace Conflux::Tests::SapFixtures {

// A connection document as the project stores it; tests change members of it.
inline const QByteArray connectionDocument = R"({
  "kind": "SapConnection",
  "schemaVersion": 1,
  "id": "qa",
  "name": "QA system",
  "base_url": "https://sapqa.example.com:44300/sap/bc/soap/rfc",
  "client": "100",
  "connection_type": "soap_rfc",
  "language": "EN",
  "password": {"secret": "sap.qa.password"},
  "pool_size": 2,
  "system_id": "QAS",
  "timeout_seconds": 20,
  "username": "CONFLUX_RFC",
  "x-system_type": "S4HANA"
})";

inline const QByteArray operationDocument = R"({
  "kind": "SapOperation",
  "schemaVersion": 1,
  "id": "create-customer",
  "name": "Create customer",
  "connection": "qa",
  "operation_type": "bapi",
  "function_name": "BAPI_CUSTOMER_CREATEFROMDATA1",
  "commit": true,
  "parameters": {"PI_COPYREFERENCE": {"SALESORG": "1000", "DISTR_CHAN": "10", "DIVISION": "00"}},
  "input_mapping": "crm-to-customer",
  "output_mapping": "customer-to-crm"
})";

} // namespace Conflux::Tests::SapFixtures
