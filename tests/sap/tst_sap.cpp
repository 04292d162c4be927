#include "sap/sapconnection.h"
#include "sap/sapidoc.h"
#include "sap/sapoperation.h"
#include "sap/sappool.h"
#include "sap/saprfc.h"
#include "sap/saprfcclient.h"
#include "sap/sapreadtable.h"

#include "base/metrics.h"
#include "connectors/httpclient.h"
#include "connectors/testhttpserver.h"
#include "data/json.h"
#include "data/xml.h"
#include "sapfixtures.h"
#include "sapjson.h"
#include "security/secrets.h"
#include "testsupport.h"
#include "testsecrets.h"

#include <QFile>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Sap;
using namespace Qt::StringLiterals;
using Conflux::Test::MapSecrets;
using Conflux::Tests::TestHttpServer;
namespace Fixtures = Conflux::Tests::SapFixtures;
namespace Text = Conflux::Tests::SapJson;

namespace {

const QString kPassword = u"s3cret-Pa55"_s;

Data::Value json(const QByteArray &text)
{
    Result<Data::Value> value = Data::Json::parse(text);
    if (!value)
        qFatal("bad JSON in the test: %s", qPrintable(value.error().message));
    return *value;
}

// `document` with `key` set to `value` (undefined: removed).
Data::Value with(const Data::Value &document, const QString &key, const Data::Value &value)
{
    Data::Object object = document.toObject();
    if (value.isUndefined())
        object.remove(key);
    else
        object.insert(key, value);
    return Data::Value(std::move(object));
}

// The connection document pointing at a local server.
SapConnection connectionTo(const TestHttpServer &server, int poolSize = 2)
{
    Data::Value document = json(Fixtures::connectionDocument);
    document = with(document, u"base_url"_s, Data::Value(server.url(u"/"_s).toString()));
    document = with(document, u"pool_size"_s, Data::Value(poolSize));
    Result<SapConnection> connection = parseSapConnection(document);
    if (!connection)
        qFatal("connection: %s", qPrintable(connection.error().toString()));
    return *connection;
}

std::shared_ptr<SapPool> poolFor(const SapConnection &connection, MetricsRegistry *metrics = nullptr,
                                 SapPoolOptions options = {})
{
    Connectors::ConnectorContext context;
    context.secrets = std::make_shared<MapSecrets>(QHash<QString, QString>{{u"sap.qa.password"_s, kPassword}});
    context.metrics = metrics;
    options.backoffBaseMs = 5;
    options.backoffMaxMs = 20;
    Result<std::shared_ptr<SapPool>> pool = SapPool::create(connection, context, options);
    if (!pool)
        qFatal("pool: %s", qPrintable(pool.error().toString()));
    return *pool;
}

Http::HttpResponse xmlAnswer(const QByteArray &body, int status = 200)
{
    return Http::HttpResponse(status, body, "text/xml; charset=utf-8");
}

bool hasDetailStartingWith(const Error &error, const QString &prefix)
{
    for (const QString &detail : error.details) {
        if (detail.startsWith(prefix))
            return true;
    }
    return false;
}

} // namespace

class TestSap : public QObject
{
    Q_OBJECT

private slots:
    void init() { Connectors::HttpClient::resetSharedState(); }

    // ---- documents ---------------------------------------------------------------------------

    void readsTheSampleConnection()
    {
        QFile file(Test::sampleFolder() + u"/sap/s4-production.json"_s);
        QVERIFY(file.open(QIODevice::ReadOnly));
        Result<SapConnection> connection = parseSapConnection(json(file.readAll()), file.fileName());
        VERIFY_OK(connection);
        QCOMPARE(connection->id, u"s4-production"_s);
        QCOMPARE(connection->systemId, u"PRD"_s);
        QCOMPARE(connection->client, u"100"_s);
        QCOMPARE(connection->host(), u"s4.example.com"_s);
        QCOMPARE(connection->port(), 44300);
        // the SOAMANAGER path of the sample is not the ICF root
        QCOMPARE(connection->baseUrl, QUrl(u"https://s4.example.com:44300"_s));
        QCOMPARE(connection->serviceUrl(u"/sap/bc/soap/rfc"_s), QUrl(u"https://s4.example.com:44300/sap/bc/soap/rfc"_s));
        QCOMPARE(connection->language, u"EN"_s);
        QCOMPARE(connection->poolSize, 4);
        QCOMPARE(connection->timeoutSeconds, 60);
        QCOMPARE(connection->authenticationType, SapAuthentication::Basic);
        QCOMPARE(connection->authentication.type, Connectors::ClientAuthentication::Type::Basic);
        QCOMPARE(connection->username(), u"CONFLUX_RFC"_s);
        QCOMPARE(connection->authentication.secret, u"sap.production.password"_s);
        QCOMPARE(connection->connectionType, SapConnectionType::SoapRfc);
    }

    void readsTheIssuesNames()
    {
        Data::Value document = json(Fixtures::connectionDocument);
        document = with(document, u"authentication"_s, Data::Value(u"BASIC"_s));
        document = with(document, u"base_url"_s, Data::Value(u"http://gateway.example.com/prd/"_s));
        Result<SapConnection> connection = parseSapConnection(document);
        VERIFY_OK(connection);
        QCOMPARE(connection->systemType, SapSystemType::S4Hana);
        QCOMPARE(systemTypeName(connection->systemType), u"S4HANA"_s);
        QCOMPARE(connection->authenticationType, SapAuthentication::Basic);
        QCOMPARE(connection->port(), 80);
        // a proxy prefix stays in front of SAP's paths
        QCOMPARE(connection->serviceUrl(u"/sap/bc/idoc_xml"_s), QUrl(u"http://gateway.example.com/prd/sap/bc/idoc_xml"_s));

        document = with(document, u"x-system_type"_s, Data::Value());
        document = with(document, u"system_type"_s, Data::Value(u"PI_PO"_s));
        document = with(document, u"authentication"_s,
                        json(Text::oauth2Authentication));
        connection = parseSapConnection(document);
        VERIFY_OK(connection);
        QCOMPARE(connection->systemType, SapSystemType::PiPo);
        QCOMPARE(connection->authenticationType, SapAuthentication::OAuth2);
        QCOMPARE(connection->authentication.tokenUrl, QUrl(u"https://idp.example.com/token"_s));
        QCOMPARE(connection->authentication.secret, u"sap.qa.client"_s);

        document = with(document, u"authentication"_s,
                        json(Text::x509Authentication));
        connection = parseSapConnection(document);
        VERIFY_OK(connection);
        QCOMPARE(connection->authenticationType, SapAuthentication::X509);
        QCOMPARE(connection->certificateFile, u"/etc/conflux/sap.crt"_s);
        QCOMPARE(connection->keyPasswordSecret, u"sap.key"_s);
        // The key's pass phrase comes from the secret store: without one the pool cannot start.
        Result<std::shared_ptr<SapPool>> pool = SapPool::create(*connection, {});
        VERIFY_ERROR(pool, "secret_unavailable");
        // Certificate files that are not there: an error naming the file.
        connection->keyPasswordSecret.clear();
        pool = SapPool::create(*connection, {});
        VERIFY_ERROR(pool, "tls_certificate_invalid");
        QVERIFY(pool.error().message.contains(u"/etc/conflux/sap.crt"_s));
    }

    void reportsConnectionProblemsByPointer_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QByteArray>("value"); // JSON; empty: remove the member
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("text");

        QTest::addRow("client of four digits") << u"client"_s << "\"1000\""_ba << u"/client"_s << u"three digits"_s;
        QTest::addRow("client as a number") << u"client"_s << "100"_ba << u"/client"_s << u"three digits"_s;
        QTest::addRow("lowercase system id") << u"system_id"_s << "\"prd\""_ba << u"/system_id"_s << u"system id"_s;
        QTest::addRow("no base_url") << u"base_url"_s << QByteArray() << u"/base_url"_s << u"required"_s;
        QTest::addRow("ftp base_url") << u"base_url"_s << "\"ftp://sap.example.com\""_ba << u"/base_url"_s
                                      << u"http"_s;
        QTest::addRow("password in clear") << u"password"_s << "\"hunter2\""_ba << u"/password"_s
                                           << u"secret reference"_s;
        QTest::addRow("no password") << u"password"_s << QByteArray() << u"/password"_s << u"BASIC"_s;
        QTest::addRow("pool of zero") << u"pool_size"_s << "0"_ba << u"/pool_size"_s << u"from 1"_s;
        QTest::addRow("negative timeout") << u"timeout_seconds"_s << "-1"_ba << u"/timeout_seconds"_s << u"seconds"_s;
        QTest::addRow("unknown connection type") << u"connection_type"_s << "\"rfc\""_ba << u"/connection_type"_s
                                                 << u"soap_rfc"_s;
        QTest::addRow("lowercase language") << u"language"_s << "\"en\""_ba << u"/language"_s << u"ISO"_s;
        QTest::addRow("unknown system type") << u"system_type"_s << "\"MAINFRAME\""_ba << u"/system_type"_s
                                             << u"S4HANA"_s;
        QTest::addRow("SAML") << u"authentication"_s << "\"SAML\""_ba << u"/authentication"_s
                              << u"not supported yet"_s;
        QTest::addRow("SAML object") << u"authentication"_s << "{\"type\": \"saml_bearer\"}"_ba
                                     << u"/authentication/type"_s << u"not supported yet"_s;
        QTest::addRow("OAUTH2 as a word") << u"authentication"_s << "\"OAUTH2\""_ba << u"/authentication"_s
                                          << u"token_url"_s;
        QTest::addRow("OAuth2 without client") << u"authentication"_s
                                               << "{\"type\": \"oauth2_client_credentials\", \"token_url\": "
                                                  "\"https://idp.example.com/t\", \"client_secret\": {\"secret\": "
                                                  "\"x\"}}"_ba
                                               << u"/authentication/client_id"_s << u"required"_s;
        QTest::addRow("X509 without key") << u"authentication"_s
                                          << "{\"type\": \"x509\", \"certificate_file\": \"/c.pem\"}"_ba
                                          << u"/authentication/key_file"_s << u"required"_s;
        QTest::addRow("seed host") << u"host"_s << "\"sap.example.com\""_ba << u"/host"_s << u"base_url"_s;
        QTest::addRow("seed connection_id") << u"connection_id"_s << "\"qa\""_ba << u"/connection_id"_s << u"\"id\""_s;
    }

    void reportsConnectionProblemsByPointer()
    {
        QFETCH(QString, key);
        QFETCH(QByteArray, value);
        QFETCH(QString, pointer);
        QFETCH(QString, text);
        const Data::Value document =
            with(json(Fixtures::connectionDocument), key, value.isEmpty() ? Data::Value() : json(value));
        Result<SapConnection> connection = parseSapConnection(document, u"sap/qa.json"_s);
        VERIFY_ERROR(connection, "invalid_sap_connection");
        QVERIFY(connection.error().message.contains(u"sap/qa.json"_s));
        QCOMPARE(connection.error().details.size(), 1);
        const QString detail = connection.error().details.constFirst();
        QVERIFY2(detail.startsWith(pointer + u": "_s), qPrintable(detail));
        QVERIFY2(detail.contains(text), qPrintable(detail));
    }

    void readsOperations()
    {
        Result<SapOperation> op = parseSapOperation(json(Fixtures::operationDocument));
        VERIFY_OK(op);
        QCOMPARE(op->id, u"create-customer"_s);
        QCOMPARE(op->type, SapOperationType::Bapi);
        QCOMPARE(op->functionName, u"BAPI_CUSTOMER_CREATEFROMDATA1"_s);
        QVERIFY(op->commit);
        QCOMPARE(op->connection, u"qa"_s);
        QCOMPARE(op->inputMapping, u"crm-to-customer"_s);
        QCOMPARE(op->outputMapping, u"customer-to-crm"_s);
        QCOMPARE(Data::Value(op->parameters)[u"PI_COPYREFERENCE"][u"SALESORG"].toString(), u"1000"_s);

        QFile sample(Test::sampleFolder() + u"/sap/material-master.json"_s);
        QVERIFY(sample.open(QIODevice::ReadOnly));
        op = parseSapOperation(json(sample.readAll()));
        VERIFY_OK(op);
        QCOMPARE(op->type, SapOperationType::OData);
        QCOMPARE(op->entitySet, u"A_Product"_s);
    }

    void reportsOperationProblemsByPointer_data()
    {
        QTest::addColumn<QByteArray>("changes"); // members replacing those of the fixture
        QTest::addColumn<QString>("pointer");

        QTest::addRow("bapi without function") << "{\"function_name\": null}"_ba << u"/function_name"_s;
        QTest::addRow("lowercase function") << "{\"function_name\": \"bapi_x\"}"_ba << u"/function_name"_s;
        QTest::addRow("unknown type") << "{\"operation_type\": \"rest\"}"_ba << u"/operation_type"_s;
        QTest::addRow("idoc without types") << "{\"operation_type\": \"idoc\", \"commit\": false}"_ba
                                            << u"/idoc_type"_s;
        QTest::addRow("idoc commits") << "{\"operation_type\": \"idoc\", \"idoc_type\": \"DEBMAS07\", "
                                         "\"message_type\": \"DEBMAS\"}"_ba
                                      << u"/commit"_s;
        QTest::addRow("commit as text") << "{\"commit\": \"yes\"}"_ba << u"/commit"_s;
        QTest::addRow("seed bapi_name") << "{\"bapi_name\": \"BAPI_X\"}"_ba << u"/bapi_name"_s;
        QTest::addRow("bad mapping id") << "{\"input_mapping\": \"Has Spaces\"}"_ba << u"/input_mapping"_s;
        QTest::addRow("parameters not an object") << "{\"parameters\": [1]}"_ba << u"/parameters"_s;
    }

    void reportsOperationProblemsByPointer()
    {
        QFETCH(QByteArray, changes);
        QFETCH(QString, pointer);
        Data::Value document = json(Fixtures::operationDocument);
        const Data::Value changed = json(changes);
        for (const auto &[key, value] : changed.toObject())
            document = with(document, key, value.isNull() ? Data::Value() : value);
        Result<SapOperation> op = parseSapOperation(document);
        VERIFY_ERROR(op, "invalid_sap_operation");
        QVERIFY2(hasDetailStartingWith(op.error(), pointer + u": "_s), qPrintable(op.error().toString()));
    }

    // ---- SOAP RFC ----------------------------------------------------------------------------

    void buildsTheEnvelope()
    {
        const Data::Value parameters = json(Text::envelopeParameters);
        Result<QByteArray> xml = buildRfcRequest(u"BAPI_VENDOR_GETDETAIL"_s, parameters);
        VERIFY_OK(xml);
        const QByteArray expected =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            "<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap-env:Header/>"
            "<soap-env:Body><urn:BAPI_VENDOR_GETDETAIL xmlns:urn=\"urn:sap-com:document:sap:rfc:functions\">"
            "<VENDORNO>100001</VENDORNO><TESTRUN>X</TESTRUN><NOCHECK></NOCHECK><ROWCOUNT>5</ROWCOUNT><EMPTY/>"
            "<PI_PERSONALDATA><LASTNAME>Hopper &amp; Sons</LASTNAME><CITY>Arlington</CITY></PI_PERSONALDATA>"
            "<FIELDS><item><FIELDNAME>LIFNR</FIELDNAME></item><item><FIELDNAME>NAME1</FIELDNAME></item></FIELDS>"
            "<DATA/><_-BIC_-ZFLAG>X</_-BIC_-ZFLAG>"
            "</urn:BAPI_VENDOR_GETDETAIL></soap-env:Body></soap-env:Envelope>";
        QCOMPARE(xml->replace('\n', QByteArray()), expected);
        QCOMPARE(rfcTableParameters(parameters), (QStringList{u"FIELDS"_s, u"DATA"_s}));

        Result<QByteArray> bad = buildRfcRequest(u"BAPI_X"_s, json(Text::badParameterName));
        VERIFY_ERROR(bad, "sap_invalid_parameters");
        QVERIFY2(bad.error().message.contains(u"/PI/LAST NAME"_s), qPrintable(bad.error().message));
        VERIFY_ERROR(buildRfcRequest(u"BAPI_X"_s, json("[1, 2]")), "sap_invalid_parameters");
        VERIFY_ERROR(buildRfcRequest(u"BAPI X"_s, Data::Value(nullptr)), "sap_invalid_parameters");
    }

    void readsTheAnswer()
    {
        Result<Data::Value> answer = parseRfcResponse(u"BAPI_VENDOR_GETDETAIL"_s, Fixtures::vendorFound);
        VERIFY_OK(answer);
        QCOMPARE((*answer)[u"GENERALDETAIL"][u"NAME"].toString(), u"Schulz Stahlhandel GmbH"_s);
        QCOMPARE((*answer)[u"GENERALDETAIL"][u"VENDOR"].toString(), u"0000100001"_s); // leading zeros kept
        QCOMPARE((*answer)[u"COMPANYDETAIL"][u"VENDOR"], Data::Value(QString()));
        QVERIFY(returnMessages(*answer).isEmpty());

        // tables: several items, one item, empty ones passed in the request ([]), or not ("")
        answer = parseRfcResponse(u"BAPI_SALESORDER_CREATEFROMDAT2"_s, Fixtures::returnTable,
                                  {u"ORDER_ITEMS_IN"_s});
        VERIFY_OK(answer);
        QCOMPARE((*answer)[u"RETURN"].size(), 4);
        QVERIFY((*answer)[u"ORDER_PARTNERS"].isArray());
        QCOMPARE((*answer)[u"ORDER_PARTNERS"].at(0)[u"PARTN_NUMB"].toString(), u"4711"_s);
        QCOMPARE((*answer)[u"ORDER_ITEMS_IN"], Data::Value(Data::Array()));
        QCOMPARE((*answer)[u"EXTENSIONIN"], Data::Value(QString()));
        QCOMPARE((*answer)[u"SALESDOCUMENT"], Data::Value(QString()));
    }

    void turnsFaultsIntoErrors()
    {
        Result<Data::Value> answer = parseRfcResponse(u"RFC_READ_TABLE"_s, Fixtures::readTableFault);
        VERIFY_ERROR(answer, "sap_rfc_fault");
        QCOMPARE(answer.error().message,
                 u"RFC_READ_TABLE raised the exception TABLE_NOT_AVAILABLE: Table ZNOTHERE is not available"_s);
        QVERIFY(answer.error().details.contains(u"faultcode: soap:Client"_s));
        QVERIFY(answer.error().details.contains(u"faultstring: TABLE_NOT_AVAILABLE"_s));
        QVERIFY(answer.error().details.contains(u"exception: TABLE_NOT_AVAILABLE"_s));
        QVERIFY(isSoapFault(Fixtures::readTableFault));
        QVERIFY(!isSoapFault(Fixtures::vendorFound));

        VERIFY_ERROR(parseRfcResponse(u"X"_s, "<html><body>Logon</body></html>"), "sap_invalid_response");
        VERIFY_ERROR(parseRfcResponse(u"X"_s, "<soap:Envelope xmlns:soap=\"x\"><soap:Body>"), "sap_invalid_response");
        Result<Data::Value> other = parseRfcResponse(u"RFC_READ_TABLE"_s, Fixtures::vendorFound);
        VERIFY_ERROR(other, "sap_invalid_response");
        QVERIFY(other.error().message.contains(u"RFC_READ_TABLE.Response"_s));
    }

    void failsOnReturnErrors()
    {
        Result<Data::Value> missing = parseRfcResponse(u"BAPI_VENDOR_GETDETAIL"_s, Fixtures::vendorMissing);
        VERIFY_OK(missing);
        QList<SapMessage> messages = returnMessages(*missing);
        QCOMPARE(messages.size(), 1);
        Result<void> checked = checkReturnMessages(u"BAPI_VENDOR_GETDETAIL"_s, messages);
        VERIFY_ERROR(checked, "sap_bapi_error");
        QCOMPARE(checked.error().message, u"BAPI_VENDOR_GETDETAIL failed: Vendor 0000999999 does not exist (E ZCFX 001)"_s);
        QCOMPARE(checked.error().details, QStringList{u"E ZCFX 001: Vendor 0000999999 does not exist"_s});

        // a table: W and S pass, E and A fail with every error in the details
        Result<Data::Value> table = parseRfcResponse(u"BAPI_SALESORDER_CREATEFROMDAT2"_s, Fixtures::returnTable);
        VERIFY_OK(table);
        messages = returnMessages(*table);
        QCOMPARE(messages.size(), 4);
        QCOMPARE(messages.at(0).type, u"W"_s);
        checked = checkReturnMessages(u"BAPI_SALESORDER_CREATEFROMDAT2"_s, messages);
        VERIFY_ERROR(checked, "sap_bapi_error");
        QVERIFY(checked.error().message.contains(u"Sold-to party 4711 does not exist (E V1 382)"_s));
        QCOMPARE(checked.error().details, (QStringList{u"E V1 382: Sold-to party 4711 does not exist"_s,
                                                       u"A V4 219: Sales document was not changed"_s}));
        messages.removeAt(3);
        messages.removeAt(2);
        VERIFY_OK(checkReturnMessages(u"BAPI_SALESORDER_CREATEFROMDAT2"_s, messages));

        // BAPIRETURN has CODE in place of ID and NUMBER
        const Data::Value old = json(Text::bapiReturnAbort);
        messages = returnMessages(old);
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages.constFirst().id, u"F5808"_s);
        VERIFY_ERROR(checkReturnMessages(u"BAPI_ACC_DOCUMENT_POST"_s, messages), "sap_bapi_error");
    }

    // ---- RFC_READ_TABLE ----------------------------------------------------------------------

    void splitsRowsByOffsets()
    {
        Result<Data::Value> answer = parseRfcResponse(u"RFC_READ_TABLE"_s, Fixtures::readTableAnswer,
                                                      {u"DATA"_s, u"FIELDS"_s, u"OPTIONS"_s});
        VERIFY_OK(answer);
        Result<ReadTableResult> table = readTableResult(*answer);
        VERIFY_OK(table);
        QCOMPARE(table->fields.size(), 6);
        QCOMPARE(table->fields.at(1).offset, 11);
        QCOMPARE(table->fields.at(1).length, 25);
        QCOMPARE(table->fields.at(3).type, u"D"_s);
        QCOMPARE(table->records.size(), size_t(3));
        const Data::Value expected = json(Text::expectedRecords);
        QCOMPARE(Data::Json::serialize(Data::Value(table->records)), Data::Json::serialize(expected));

        // broken FIELDS are an error, not a guess
        Data::Value broken = *answer;
        Data::Array fields = broken[u"FIELDS"].toArray();
        Data::Object first = fields[0].toObject();
        first.insert(u"OFFSET"_s, Data::Value(u"x"_s));
        fields[0] = Data::Value(first);
        broken.mutableObject().insert(u"FIELDS"_s, Data::Value(fields));
        VERIFY_ERROR(readTableResult(broken), "sap_invalid_response");
    }

    void typesValuesLikeSap_data()
    {
        QTest::addColumn<QString>("raw");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QByteArray>("expected"); // JSON

        QTest::addRow("char trimmed") << u"  Berlin   "_s << u"C"_s << "\"Berlin\""_ba;
        QTest::addRow("numc keeps zeros") << u"0000100001"_s << u"N"_s << "\"0000100001\""_ba;
        QTest::addRow("date") << u"20241231"_s << u"D"_s << "\"2024-12-31\""_ba;
        QTest::addRow("initial date") << u"00000000"_s << u"D"_s << "null"_ba;
        QTest::addRow("invalid date stays") << u"20241399"_s << u"D"_s << "\"20241399\""_ba;
        QTest::addRow("time") << u"235900"_s << u"T"_s << "\"23:59:00\""_ba;
        QTest::addRow("integer") << u"        42"_s << u"I"_s << "42"_ba;
        QTest::addRow("negative integer") << u"       42-"_s << u"I"_s << "-42"_ba;
        QTest::addRow("blank integer") << u"     "_s << u"I"_s << "null"_ba;
        QTest::addRow("float") << u"1.5E+02"_s << u"F"_s << "150"_ba;
        QTest::addRow("packed stays exact") << u"12345678901234.56"_s << u"P"_s << "\"12345678901234.56\""_ba;
        QTest::addRow("raw") << u"00FF"_s << u"X"_s << "\"00FF\""_ba;
    }

    void typesValuesLikeSap()
    {
        QFETCH(QString, raw);
        QFETCH(QString, type);
        QFETCH(QByteArray, expected);
        QCOMPARE(Data::Json::serialize(typedTableValue(raw, type)), expected);
    }

    void splitsWhereIntoOptionLines()
    {
        const QString where = u"LAND1 EQ 'DE' AND ( ORT01 LIKE 'Frankfurt am Main%' OR ORT01 EQ 'Bad Homburg v. d. "
                              "Höhe' ) AND NAME1 NE 'O''Reilly & Co' AND ERDAT GE '20240101'"_s;
        Result<QStringList> lines = splitWhereClause(where);
        VERIFY_OK(lines);
        QVERIFY(lines->size() >= 2);
        for (const QString &line : *lines)
            QVERIFY2(line.size() <= 72, qPrintable(line));
        QCOMPARE(lines->join(u' '), where);
        // literals stay whole on one line
        QVERIFY(std::any_of(lines->begin(), lines->end(),
                            [](const QString &l) { return l.contains(u"'Bad Homburg v. d. Höhe'"_s); }));

        VERIFY_OK(splitWhereClause(QString()));
        QVERIFY(splitWhereClause(QString())->isEmpty());
        VERIFY_ERROR(splitWhereClause(u"NAME1 EQ '"_s + QString(80, u'x') + u'\''), "sap_invalid_options");
        VERIFY_ERROR(splitWhereClause(u"NAME1 EQ 'open"_s), "sap_invalid_options");

        ReadTableRequest request;
        request.table = u"lfa1"_s;
        request.fields = {u"LIFNR"_s, u"NAME1"_s};
        request.where = where;
        request.rowCount = 10;
        request.delimiter = u"|"_s;
        Result<Data::Value> parameters = readTableParameters(request);
        VERIFY_OK(parameters);
        QCOMPARE((*parameters)[u"QUERY_TABLE"].toString(), u"LFA1"_s);
        QCOMPARE((*parameters)[u"OPTIONS"].size(), lines->size());
        QCOMPARE((*parameters)[u"FIELDS"].at(1)[u"FIELDNAME"].toString(), u"NAME1"_s);
        QVERIFY((*parameters)[u"DATA"].isArray());
        request.delimiter = u"||"_s;
        VERIFY_ERROR(readTableParameters(request), "sap_invalid_options");
    }

    // ---- IDoc --------------------------------------------------------------------------------

    void buildsAndParsesIdocXml()
    {
        const Data::Value idoc = json(Text::customerIdoc);
        IdocDefaults defaults;
        defaults.client = u"100"_s;
        defaults.systemId = u"QAS"_s;
        defaults.created = QDateTime(QDate(2024, 5, 17), QTime(8, 30, 5), Qt::UTC);
        Result<Data::Value> complete = completeIdoc(idoc, defaults);
        VERIFY_OK(complete);
        const Data::Value &control = (*complete)[u"control_record"];
        QCOMPARE(control[u"TABNAM"].toString(), u"EDI_DC40"_s);
        QCOMPARE(control[u"MANDT"].toString(), u"100"_s);
        QCOMPARE(control[u"DIRECT"].toString(), u"2"_s);
        QCOMPARE(control[u"RCVPOR"].toString(), u"SAPQAS"_s);
        QCOMPARE(control[u"RCVPRN"].toString(), u"QASCLNT100"_s);
        QCOMPARE(control[u"SNDPRT"].toString(), u"LS"_s);
        QCOMPARE(control[u"CREDAT"].toString(), u"20240517"_s);
        QCOMPARE(control[u"CRETIM"].toString(), u"083005"_s);
        QCOMPARE(control[u"DOCNUM"].toString(), u"4711"_s);
        // EDI_DC40's order, whatever the input's
        QCOMPARE(control.toObject().memberAt(0).first, u"TABNAM"_s);
        QCOMPARE(control.toObject().memberAt(1).first, u"MANDT"_s);

        Result<QByteArray> xml = buildIdocXml(idoc, defaults);
        VERIFY_OK(xml);
        QVERIFY(xml->contains("<DEBMAS07><IDOC BEGIN=\"1\"><EDI_DC40 SEGMENT=\"1\"><TABNAM>EDI_DC40</TABNAM>"));
        QVERIFY(xml->contains("<E1KNA1M SEGMENT=\"1\"><MSGFN>009</MSGFN>"));
        QVERIFY(xml->contains("<NAME1>Lovelace &amp; Co</NAME1>"));
        QVERIFY(xml->contains("<AKONT>140000</AKONT>"));
        QVERIFY(!xml->contains("NOTE"));

        Result<Data::Array> parsed = parseIdocXml(*xml);
        VERIFY_OK(parsed);
        QCOMPARE(parsed->size(), size_t(1));
        const Data::Value expected = json(Text::expectedCustomerIdoc);
        QCOMPARE(Data::Json::serialize(Data::Value(*parsed)), Data::Json::serialize(expected));
        // and back again: the parsed IDoc builds the same document
        QCOMPARE(buildIdocXml(Data::Value(*parsed), defaults).value(), *xml);
    }

    void parsesInboundIdocs()
    {
        Result<Data::Array> idocs = parseIdocXml(Fixtures::inboundIdocs);
        VERIFY_OK(idocs);
        QCOMPARE(idocs->size(), size_t(2));
        const Data::Value &first = idocs->at(0);
        QCOMPARE(first[u"control_record"][u"DOCNUM"].toString(), u"0000000000123456"_s);
        QCOMPARE(first[u"control_record"][u"SNDPRN"].toString(), u"PRDCLNT100"_s);
        const Data::Value &segments = first[u"data_records"];
        QCOMPARE(segments.size(), 3);
        QCOMPARE(segments.at(0)[u"segment"].toString(), u"E1EDK01"_s);
        QCOMPARE(segments.at(0)[u"fields"][u"BELNR"].toString(), u"4500001234"_s);
        QCOMPARE(segments.at(1)[u"segment"].toString(), u"E1EDP01"_s);
        QCOMPARE(segments.at(1)[u"children"].at(0)[u"fields"][u"IDTNR"].toString(), u"TG11"_s);
        QCOMPARE(segments.at(2)[u"fields"][u"POSEX"].toString(), u"000020"_s);
        QCOMPARE(idocs->at(1)[u"data_records"].at(0)[u"fields"][u"CURCY"].toString(), u"CHF"_s);

        // one IDoc inside a SOAP envelope
        const QByteArray wrapped = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                                   "<ORDERS05><IDOC BEGIN=\"1\"><EDI_DC40 SEGMENT=\"1\"><IDOCTYP>ORDERS05</IDOCTYP>"
                                   "</EDI_DC40><E1EDK01 SEGMENT=\"1\"><CURCY>EUR</CURCY></E1EDK01></IDOC></ORDERS05>"
                                   "</s:Body></s:Envelope>";
        idocs = parseIdocXml(wrapped);
        VERIFY_OK(idocs);
        QCOMPARE(idocs->size(), size_t(1));

        Result<Data::Array> bad = parseIdocXml("<ORDERS05><IDOC BEGIN=\"1\"><EDI_DC40 SEGMENT=\"1\"></IDOC></ORDERS05>");
        VERIFY_ERROR(bad, "sap_invalid_idoc");
        QVERIFY2(bad.error().message.contains(u"line 1"_s), qPrintable(bad.error().message));
        VERIFY_ERROR(parseIdocXml("<ORDERS05><E1EDK01/></ORDERS05>"), "sap_invalid_idoc");
        VERIFY_ERROR(parseIdocXml("<ORDERS05><IDOC><E1EDK01 SEGMENT=\"1\"/></IDOC></ORDERS05>"), "sap_invalid_idoc");
    }

    void refusesIdocsItCannotWrite()
    {
        IdocDefaults defaults;
        defaults.client = u"100"_s;
        Result<QByteArray> missing = buildIdocXml(json(Text::idocWithProblems),
                                              defaults);
        VERIFY_ERROR(missing, "sap_invalid_idoc");
        QVERIFY(hasDetailStartingWith(missing.error(), u"/control_record/SNDPRN: "_s));
        QVERIFY(hasDetailStartingWith(missing.error(), u"/control_record/COLOUR: "_s));

        const QByteArray control = Text::ordersControl;
        Result<QByteArray> interleaved = buildIdocXml(json("{" + control + Text::interleavedSegments));
        VERIFY_ERROR(interleaved, "sap_invalid_idoc");
        QVERIFY(hasDetailStartingWith(interleaved.error(), u"/data_records/2/segment: "_s));

        Result<QByteArray> fieldValue = buildIdocXml(json("{" + control + Text::objectFieldValue));
        VERIFY_ERROR(fieldValue, "sap_invalid_idoc");
        QVERIFY(hasDetailStartingWith(fieldValue.error(), u"/data_records/0/fields/CURCY: "_s));

        VERIFY_ERROR(buildIdocXml(json("{" + control + Text::noSegments)), "sap_invalid_idoc");
        Result<QByteArray> clash = buildIdocXml(json("{" + control + ", \"data_records\": [{\"segment\": \"EDI_DC40\"}]}"));
        VERIFY_ERROR(clash, "sap_invalid_idoc");
        QVERIFY(hasDetailStartingWith(clash.error(), u"/data_records/0/segment: "_s));
        Result<QByteArray> mixed = buildIdocXml(json("[{" + control + Text::mixedIdocTypes));
        VERIFY_ERROR(mixed, "sap_invalid_idoc");
        QVERIFY(hasDetailStartingWith(mixed.error(), u"/1/control_record/IDOCTYP: "_s));
    }

    // ---- against a local HTTP server ---------------------------------------------------------

    void callsABapiAndCommitsInOneSession()
    {
        TestHttpServer server;
        QVERIFY(server.isListening());
        server.setHandler([](const Http::HttpRequest &request) {
            const QString command = request.query.queryItemValue(u"sap-sessioncmd"_s);
            if (request.body.contains("urn:BAPI_CUSTOMER_CREATEFROMDATA1")) {
                Http::HttpResponse response = xmlAnswer(Fixtures::customerCreated);
                if (command == u"open")
                    response.addHeader("Set-Cookie", "SAP_SESSIONID_QAS_100=session-1; path=/; HttpOnly");
                return response;
            }
            if (request.body.contains("urn:BAPI_TRANSACTION_COMMIT")) {
                Http::HttpResponse response = xmlAnswer(Fixtures::commitAnswer);
                if (command == u"close")
                    response.addHeader("Set-Cookie", "SAP_SESSIONID_QAS_100=; path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
                return response;
            }
            if (request.body.contains("urn:BAPI_VENDOR_GETDETAIL"))
                return xmlAnswer(Fixtures::vendorFound);
            return xmlAnswer(Fixtures::readTableFault, 500);
        });
        MetricsRegistry metrics;
        SapRfcClient client(poolFor(connectionTo(server), &metrics));
        const Data::Value person = json(Text::createPerson);
        Result<BapiResult> created = client.callBapi(u"BAPI_CUSTOMER_CREATEFROMDATA1"_s, person, true);
        VERIFY_OK(created);
        QCOMPARE(created->data[u"CUSTOMERNO"].toString(), u"0000200006"_s);
        QCOMPARE(created->messages.size(), 1);
        QCOMPARE(created->messages.constFirst().type, u"S"_s);

        const QList<Http::HttpRequest> requests = server.requests();
        QCOMPARE(requests.size(), 2);
        const Http::HttpRequest &bapi = requests.at(0);
        QCOMPARE(bapi.method, QByteArray("POST"));
        QCOMPARE(bapi.path, u"/sap/bc/soap/rfc"_s);
        QCOMPARE(bapi.query.queryItemValue(u"sap-client"_s), u"100"_s);
        QCOMPARE(bapi.query.queryItemValue(u"sap-language"_s), u"EN"_s);
        QCOMPARE(bapi.query.queryItemValue(u"sap-sessioncmd"_s), u"open"_s);
        QCOMPARE(bapi.header("Authorization"), "Basic " + (u"CONFLUX_RFC:"_s + kPassword).toUtf8().toBase64());
        QCOMPARE(bapi.header("SOAPAction"),
                 QByteArray("\"urn:sap-com:document:sap:rfc:functions:BAPI_CUSTOMER_CREATEFROMDATA1\""));
        QVERIFY(bapi.header("Content-Type").startsWith("text/xml"));
        QVERIFY(bapi.body.contains("<LASTNAME>Hopper</LASTNAME>"));
        const Http::HttpRequest &commit = requests.at(1);
        QVERIFY(commit.body.contains("<urn:BAPI_TRANSACTION_COMMIT"));
        QVERIFY(commit.body.contains("<WAIT>X</WAIT>"));
        QCOMPARE(commit.query.queryItemValue(u"sap-sessioncmd"_s), u"close"_s);
        QVERIFY2(commit.header("Cookie").contains("SAP_SESSIONID_QAS_100=session-1"), commit.header("Cookie").constData());

        // the next call on that slot is stateless again: no session cookie
        server.clearRequests();
        VERIFY_OK(client.callBapi(u"BAPI_VENDOR_GETDETAIL"_s, json(Text::vendorNumber), false));
        QCOMPARE(server.requestCount(), 1);
        QVERIFY(!server.requests().constFirst().header("Cookie").contains("SAP_SESSIONID"));
        QVERIFY(server.requests().constFirst().query.queryItemValue(u"sap-sessioncmd"_s).isEmpty());

        QCOMPARE(metrics.counter(u"sap_requests_total"_s, {}, {u"connection"_s, u"operation"_s, u"status"_s})
                     .value({u"qa"_s, u"BAPI_CUSTOMER_CREATEFROMDATA1"_s, u"ok"_s}),
                 1.0);
        QCOMPARE(metrics.counter(u"sap_requests_total"_s, {}, {u"connection"_s, u"operation"_s, u"status"_s})
                     .value({u"qa"_s, u"BAPI_TRANSACTION_COMMIT"_s, u"ok"_s}),
                 1.0);
        const QByteArray exposition = metrics.render();
        QVERIFY(exposition.contains("sap_request_duration_seconds_count{connection=\"qa\",operation=\"BAPI_VENDOR_GETDETAIL\"} 1"));
        QVERIFY(exposition.contains("sap_connection_pool_size{connection=\"qa\"} 2"));
        QVERIFY(exposition.contains("sap_connection_pool_available{connection=\"qa\"} 2"));
        QVERIFY(exposition.contains("sap_circuit_breaker_state{connection=\"qa\"} 0"));
    }

    void rollsBackAFailedBapi()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            if (request.body.contains("urn:BAPI_CUSTOMER_CREATEFROMDATA1")) {
                Http::HttpResponse response = xmlAnswer(Fixtures::customerRefused);
                response.addHeader("Set-Cookie", "SAP_SESSIONID_QAS_100=session-2; path=/");
                return response;
            }
            if (request.body.contains("urn:BAPI_TRANSACTION_ROLLBACK"))
                return xmlAnswer(Fixtures::rollbackAnswer);
            return xmlAnswer(Fixtures::commitAnswer);
        });
        MetricsRegistry metrics;
        SapRfcClient client(poolFor(connectionTo(server), &metrics));
        Result<BapiResult> created = client.callBapi(u"BAPI_CUSTOMER_CREATEFROMDATA1"_s,
                                                     json(Text::personWithoutCity), true);
        VERIFY_ERROR(created, "sap_bapi_error");
        QVERIFY(created.error().message.contains(u"Fill in the required fields of PI_PERSONALDATA: CITY"_s));
        QVERIFY(created.error().details.contains(u"E ZCFX 010: Fill in the required fields of PI_PERSONALDATA: CITY"_s));
        QVERIFY(created.error().details.contains(u"rolled back with BAPI_TRANSACTION_ROLLBACK"_s));
        const QList<Http::HttpRequest> requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QVERIFY(requests.at(1).body.contains("<urn:BAPI_TRANSACTION_ROLLBACK"));
        QCOMPARE(requests.at(1).query.queryItemValue(u"sap-sessioncmd"_s), u"close"_s);
        QVERIFY(requests.at(1).header("Cookie").contains("SAP_SESSIONID_QAS_100=session-2"));
        QCOMPARE(metrics.counter(u"sap_requests_total"_s, {}, {u"connection"_s, u"operation"_s, u"status"_s})
                     .value({u"qa"_s, u"BAPI_CUSTOMER_CREATEFROMDATA1"_s, u"sap_bapi_error"_s}),
                 1.0);

        // an RFC exception comes back as a SOAP fault with HTTP 500
        server.setHandler([](const Http::HttpRequest &) { return xmlAnswer(Fixtures::readTableFault, 500); });
        Result<ReadTableResult> table = client.readTable(u"ZNOTHERE"_s, {});
        VERIFY_ERROR(table, "sap_rfc_fault");
        QVERIFY(table.error().details.contains(u"exception: TABLE_NOT_AVAILABLE"_s));
    }

    void readsATableOverHttp()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return xmlAnswer(Fixtures::readTableAnswer); });
        SapRfcClient client(poolFor(connectionTo(server)));
        Result<ReadTableResult> table =
            client.readTable(u"LFA1"_s, {u"LIFNR"_s, u"NAME1"_s}, u"LAND1 EQ 'DE'"_s, 5, 2, u"|"_s);
        VERIFY_OK(table);
        QCOMPARE(table->records.size(), size_t(3));
        QCOMPARE(table->records.at(1)[u"NAME1"].toString(), u"Meyer | Söhne KG"_s);
        const Http::HttpRequest request = server.requests().constFirst();
        QVERIFY(request.body.contains("<QUERY_TABLE>LFA1</QUERY_TABLE>"));
        QVERIFY(request.body.contains("<DELIMITER>|</DELIMITER>"));
        QVERIFY(request.body.contains("<ROWCOUNT>5</ROWCOUNT>"));
        QVERIFY(request.body.contains("<ROWSKIPS>2</ROWSKIPS>"));
        QVERIFY(request.body.contains("<OPTIONS><item><TEXT>LAND1 EQ 'DE'</TEXT></item></OPTIONS>"));
        QVERIFY(request.body.contains("<FIELDS><item><FIELDNAME>LIFNR</FIELDNAME></item>"));
        QVERIFY(request.body.contains("<DATA/>"));
    }

    void reportsAWrongPasswordWithoutIt()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            Http::HttpResponse response(401, "Logon failed: user or password wrong", "text/plain");
            response.setHeader("WWW-Authenticate", "Basic realm=\"SAP NetWeaver Application Server [QAS/100]\"");
            return response;
        });
        MetricsRegistry metrics;
        SapRfcClient client(poolFor(connectionTo(server), &metrics));
        Result<Data::Value> answer = client.call(u"BAPI_VENDOR_GETDETAIL"_s, json(Text::unknownVendor));
        VERIFY_ERROR(answer, "authentication_failed");
        const QString text = answer.error().toString();
        QVERIFY2(text.contains(u"CONFLUX_RFC"_s) && text.contains(u"client 100"_s), qPrintable(text));
        QVERIFY2(!text.contains(kPassword), qPrintable(text));
        QCOMPARE(metrics.counter(u"sap_requests_total"_s, {}, {u"connection"_s, u"operation"_s, u"status"_s})
                     .value({u"qa"_s, u"BAPI_VENDOR_GETDETAIL"_s, u"authentication_failed"_s}),
                 1.0);

        // an HTML page with 200 (a logon form) is no answer
        server.setHandler([](const Http::HttpRequest &) {
            return Http::HttpResponse(200, "<html><body><form>Logon</form></body></html>", "text/html");
        });
        VERIFY_ERROR(client.call(u"BAPI_VENDOR_GETDETAIL"_s, {}), "sap_invalid_response");
    }

    void limitsConcurrentCallsToThePool()
    {
        TestHttpServer server;
        SapPoolOptions options;
        options.acquireTimeoutMs = 150;
        MetricsRegistry metrics;
        std::shared_ptr<SapPool> pool = poolFor(connectionTo(server, 1), &metrics, options);
        QCOMPARE(pool->size(), 1);
        QCOMPARE(pool->available(), 1);
        {
            Result<SapPool::Lease> held = pool->acquire();
            VERIFY_OK(held);
            QCOMPARE(pool->available(), 0);
            QVERIFY(metrics.render().contains("sap_connection_pool_available{connection=\"qa\"} 0"));
            SapRfcClient client(pool);
            Result<Data::Value> waiting = client.call(u"BAPI_VENDOR_GETDETAIL"_s, {});
            VERIFY_ERROR(waiting, "sap_pool_exhausted");
            QVERIFY(waiting.error().message.contains(u"pool_size"_s));
            QCOMPARE(server.requestCount(), 0);
        }
        QCOMPARE(pool->available(), 1);
        Result<SapPool::Lease> again = pool->acquire();
        VERIFY_OK(again);
    }

    void sendsIdocs()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &request) {
            if (!request.body.contains("<IDOC BEGIN=\"1\">")) {
                Http::HttpResponse refused(400, "IDoc-XML inbound: IDOC #1: EDI_DC40 has no MESTYP (line 1)\n",
                                           "text/plain");
                refused.setReasonPhrase("IDoc-XML-inbound error");
                return refused;
            }
            Http::HttpResponse accepted(200, "0000000001000001\n0000000001000002\n", "text/plain");
            accepted.setReasonPhrase("IDoc-XML-inbound ok");
            return accepted;
        });
        MetricsRegistry metrics;
        std::shared_ptr<SapPool> pool = poolFor(connectionTo(server), &metrics);
        SapIdocClient client(pool);
        const Data::Value idoc = json(Text::partnerIdoc);
        Result<SapOperation> operation = parseSapOperation(json(Text::idocOperation));
        VERIFY_OK(operation);
        Result<IdocSendResult> sent = client.run(*operation, Data::Value(Data::Array{idoc, idoc}));
        VERIFY_OK(sent);
        QCOMPARE(sent->idocNumbers, (QStringList{u"0000000001000001"_s, u"0000000001000002"_s}));
        QCOMPARE(sent->idocs.size(), size_t(2));
        QVERIFY(sent->idocs.at(0)[u"control_record"][u"DOCNUM"] != sent->idocs.at(1)[u"control_record"][u"DOCNUM"]);

        const Http::HttpRequest request = server.requests().constFirst();
        QCOMPARE(request.path, u"/sap/bc/idoc_xml"_s);
        QCOMPARE(request.query.queryItemValue(u"sap-client"_s), u"100"_s);
        Result<Data::Array> received = parseIdocXml(request.body);
        VERIFY_OK(received);
        QCOMPARE(received->size(), size_t(2));
        QCOMPARE(received->at(0)[u"control_record"], sent->idocs.at(0)[u"control_record"]);
        QCOMPARE(received->at(1)[u"control_record"][u"MESTYP"].toString(), u"DEBMAS"_s);
        QCOMPARE(received->at(1)[u"control_record"][u"RCVPRN"].toString(), u"QASCLNT100"_s);
        QCOMPARE(metrics.counter(u"sap_requests_total"_s, {}, {u"connection"_s, u"operation"_s, u"status"_s})
                     .value({u"qa"_s, u"IDOC:DEBMAS"_s, u"ok"_s}),
                 1.0);

        // an IDoc the client refuses never reaches SAP
        server.clearRequests();
        VERIFY_ERROR(client.send(json(Text::emptyIdoc)), "sap_invalid_idoc");
        QCOMPARE(server.requestCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSap)
#include "tst_sap.moc"
