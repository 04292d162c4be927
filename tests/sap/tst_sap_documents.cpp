// SAP connection and operation documents: the sample project's, the issue's names, and every
// problem named by its JSON pointer.

#include "sap/sapconnection.h"
#include "sap/sapoperation.h"
#include "sap/sappool.h"

#include "connectors/httpclient.h"
#include "data/json.h"
#include "sapfixtures.h"
#include "sapjson.h"
#include "saptestsupport.h"
#include "testsupport.h"

#include <QFile>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Sap;
using namespace Conflux::Tests::SapTest;
using namespace Qt::StringLiterals;
namespace Fixtures = Conflux::Tests::SapFixtures;
namespace Text = Conflux::Tests::SapJson;

class TestSapDocuments : public QObject
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
};

QTEST_GUILESS_MAIN(TestSapDocuments)
#include "tst_sap_documents.moc"
