#pragma once

// JSON texts of the tst_sap_* suites (kept out of the Q_OBJECT files: moc
// and raw strings do not mix).

#include <QByteArray>

namespace Conflux::Tests::SapJson {

inline const QByteArray oauth2Authentication = R"({"type": "oauth2_client_credentials", "token_url": "https://idp.example.com/token",
                                 "client_id": "conflux", "client_secret": {"secret": "sap.qa.client"}})";

inline const QByteArray x509Authentication = R"({"type": "x509", "certificate_file": "/etc/conflux/sap.crt",
                                 "key_file": "/etc/conflux/sap.key", "key_password": {"secret": "sap.key"}})";

inline const QByteArray envelopeParameters = R"({"VENDORNO": "100001", "TESTRUN": true, "NOCHECK": false,
            "ROWCOUNT": 5, "EMPTY": null, "PI_PERSONALDATA": {"LASTNAME": "Hopper & Sons", "CITY": "Arlington"},
            "FIELDS": [{"FIELDNAME": "LIFNR"}, {"FIELDNAME": "NAME1"}], "DATA": [], "/BIC/ZFLAG": "X"})";

inline const QByteArray badParameterName = R"({"PI": {"LAST NAME": "x"}})";

inline const QByteArray bapiReturnAbort = R"({"RETURN": {"TYPE": "A", "CODE": "F5808", "MESSAGE": "Posting period closed"}})";

inline const QByteArray expectedRecords = R"([
            {"LIFNR": "0000100001", "NAME1": "Schulz Stahlhandel GmbH", "LAND1": "DE", "ERDAT": "2024-01-15",
             "AMOUNT": "-1234.50", "COUNTER": "00042"},
            {"LIFNR": "0000100002", "NAME1": "Meyer | Söhne KG", "LAND1": "AT", "ERDAT": null,
             "AMOUNT": "0.00", "COUNTER": "00007"},
            {"LIFNR": "0000100003", "NAME1": "Blank", "LAND1": "", "ERDAT": null, "AMOUNT": null, "COUNTER": ""}])";

inline const QByteArray customerIdoc = R"({
            "control_record": {"IDOCTYP": "DEBMAS07", "MESTYP": "DEBMAS", "SNDPOR": "CONFLUX", "SNDPRN": "CONFLUX",
                               "DOCNUM": "4711"},
            "data_records": [
              {"segment": "E1KNA1M", "fields": {"MSGFN": "009", "KUNNR": "0000200001", "NAME1": "Lovelace & Co"},
               "children": [
                 {"segment": "E1KNB1M", "fields": {"BUKRS": "1000", "AKONT": 140000}, "children": []},
                 {"segment": "E1KNB1M", "fields": {"BUKRS": "2000"}},
                 {"segment": "E1KNVVM", "fields": {"VKORG": "1000", "NOTE": null}}]}]})";

inline const QByteArray expectedCustomerIdoc = R"([{
            "control_record": {"TABNAM": "EDI_DC40", "MANDT": "100", "DOCNUM": "4711", "DIRECT": "2",
                               "IDOCTYP": "DEBMAS07", "MESTYP": "DEBMAS", "SNDPOR": "CONFLUX", "SNDPRT": "LS",
                               "SNDPRN": "CONFLUX", "RCVPOR": "SAPQAS", "RCVPRT": "LS", "RCVPRN": "QASCLNT100",
                               "CREDAT": "20240517", "CRETIM": "083005"},
            "data_records": [
              {"segment": "E1KNA1M", "fields": {"MSGFN": "009", "KUNNR": "0000200001", "NAME1": "Lovelace & Co"},
               "children": [
                 {"segment": "E1KNB1M", "fields": {"BUKRS": "1000", "AKONT": "140000"}, "children": []},
                 {"segment": "E1KNB1M", "fields": {"BUKRS": "2000"}, "children": []},
                 {"segment": "E1KNVVM", "fields": {"VKORG": "1000"}, "children": []}]}]}])";

inline const QByteArray idocWithProblems = R"({"control_record": {"IDOCTYP": "DEBMAS07",
            "MESTYP": "DEBMAS", "SNDPOR": "CONFLUX", "RCVPOR": "SAPQAS", "RCVPRN": "QASCLNT100", "COLOUR": "red"},
            "data_records": [{"segment": "E1KNA1M", "fields": {"KUNNR": ["1"]}}]})";

inline const QByteArray ordersControl = R"("control_record": {"IDOCTYP": "ORDERS05", "MESTYP": "ORDERS",
            "SNDPOR": "CONFLUX", "SNDPRN": "CONFLUX", "RCVPOR": "SAPQAS", "RCVPRN": "QASCLNT100"})";

inline const QByteArray interleavedSegments = R"(, "data_records": [
            {"segment": "E1EDK01", "fields": {}}, {"segment": "E1EDK14", "fields": {}},
            {"segment": "E1EDK01", "fields": {}}]})";

inline const QByteArray objectFieldValue = R"(, "data_records": [
            {"segment": "E1EDK01", "fields": {"CURCY": {"x": 1}}}]})";

inline const QByteArray noSegments = R"(, "data_records": []})";

inline const QByteArray mixedIdocTypes = R"(, "data_records": [{"segment": "E1EDK01"}]},
            {"control_record": {"IDOCTYP": "DEBMAS07", "MESTYP": "DEBMAS", "SNDPOR": "C", "SNDPRN": "C",
             "RCVPOR": "SAPQAS", "RCVPRN": "QASCLNT100"}, "data_records": [{"segment": "E1KNA1M"}]}])";

inline const QByteArray createPerson = R"({"PI_PERSONALDATA": {"LASTNAME": "Hopper", "CITY": "Arlington",
                                            "COUNTRY": "US"}})";

inline const QByteArray vendorNumber = R"({"VENDORNO": "100001"})";

inline const QByteArray personWithoutCity = R"({"PI_PERSONALDATA": {"LASTNAME": "Hopper"}})";

inline const QByteArray unknownVendor = R"({"VENDORNO": "1"})";

inline const QByteArray partnerIdoc = R"({"control_record": {"SNDPOR": "CONFLUX", "SNDPRN": "CFXTEST"},
            "data_records": [{"segment": "E1KNA1M", "fields": {"KUNNR": "0000200001"}}]})";

inline const QByteArray idocOperation = R"({"kind": "SapOperation", "schemaVersion": 1,
            "id": "send-customer", "name": "Send customer", "connection": "qa", "operation_type": "idoc",
            "idoc_type": "DEBMAS07", "message_type": "DEBMAS"})";

inline const QByteArray emptyIdoc = R"({"control_record": {}, "data_records": []})";

} // namespace Conflux::Tests::SapJson
