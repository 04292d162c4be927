// SAP OData operations of an X.509 connection against a local HTTPS server that requires a client
// certificate issued by its CA (certificates made by the openssl CLI at run time): the call
// presents the connection's certificate, and a wrong one fails in the TLS handshake.

#include "sap/sapconnection.h"
#include "sap/sapodata.h"
#include "sap/sapoperation.h"
#include "sap/sappool.h"

#include "connectors/httpclient.h"
#include "connectors/odataconnector.h"
#include "connectors/testhttpserver.h"
#include "data/json.h"
#include "gateway/httpserver.h"
#include "testsecrets.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Sap;
using namespace Qt::StringLiterals;
using Conflux::Test::MapSecrets;
using Conflux::Tests::TestHttpServer;

namespace {

// What the server answers to GET .../Products: who logged on, by the certificate's name.
Http::HttpResponse productsAnswer(const Http::HttpRequest &request)
{
    if (!request.path.endsWith(u"/odata/v4/catalog/Products"))
        return Http::HttpResponse(404);
    const QString subject = request.peerCertificateChain.isEmpty()
        ? u"anonymous"_s
        : request.peerCertificateChain.constFirst().subjectInfo(QSslCertificate::CommonName).join(u',');
    return Http::HttpResponse(200, "{\"value\":[{\"ID\":1,\"LoggedOnAs\":\"" + subject.toUtf8() + "\"}]}",
                              "application/json");
}

SapOperation productsOperation()
{
    const Data::Object document{{u"kind"_s, Data::Value(u"SapOperation"_s)},
                                {u"schemaVersion"_s, Data::Value(1)},
                                {u"id"_s, Data::Value(u"products"_s)},
                                {u"name"_s, Data::Value(u"Products"_s)},
                                {u"connection"_s, Data::Value(u"qa"_s)},
                                {u"operation_type"_s, Data::Value(u"odata"_s)},
                                {u"service"_s, Data::Value(u"/odata/v4/catalog/"_s)},
                                {u"entity_set"_s, Data::Value(u"Products"_s)},
                                {u"method"_s, Data::Value(u"GET"_s)}};
    Result<SapOperation> operation = parseSapOperation(Data::Value(document));
    if (!operation)
        qFatal("operation: %s", qPrintable(operation.error().toString()));
    return *operation;
}

} // namespace

class TestSapODataX509 : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_folder;
    std::unique_ptr<TestHttpServer> m_server;

    QString file(const QString &name) const { return QDir(m_folder.path()).filePath(name); }

    // An X.509 connection to the server with the given certificate and key (files in the folder).
    SapConnection connection(const QString &id, const QString &certificate, const QString &key,
                             bool encryptedKey) const
    {
        Data::Object authentication{{u"type"_s, Data::Value(u"x509"_s)},
                                    {u"certificate_file"_s, Data::Value(file(certificate))},
                                    {u"key_file"_s, Data::Value(file(key))},
                                    {u"ca_file"_s, Data::Value(file(u"ca.pem"_s))}};
        if (encryptedKey) {
            authentication.insert(u"key_password"_s,
                                  Data::Value(Data::Object{{u"secret"_s, Data::Value(u"sap.qa.key"_s)}}));
        }
        const Data::Object document{{u"kind"_s, Data::Value(u"SapConnection"_s)},
                                    {u"schemaVersion"_s, Data::Value(1)},
                                    {u"id"_s, Data::Value(id)},
                                    {u"name"_s, Data::Value(u"QA over mutual TLS"_s)},
                                    {u"system_id"_s, Data::Value(u"QAS"_s)},
                                    {u"client"_s, Data::Value(u"100"_s)},
                                    {u"connection_type"_s, Data::Value(u"odata"_s)},
                                    {u"base_url"_s, Data::Value(m_server->url(u"/"_s).toString())},
                                    {u"authentication"_s, Data::Value(std::move(authentication))},
                                    {u"timeout_seconds"_s, Data::Value(10)}};
        Result<SapConnection> parsed = parseSapConnection(Data::Value(document));
        if (!parsed)
            qFatal("connection: %s", qPrintable(parsed.error().toString()));
        return *parsed;
    }

    static std::shared_ptr<SapPool> pool(const SapConnection &connection)
    {
        Connectors::ConnectorContext context;
        context.secrets = std::make_shared<MapSecrets>(
            QHash<QString, QString>{{u"sap.qa.key"_s, QString::fromLatin1(Tests::testKeyPassPhrase)}});
        SapPoolOptions options;
        options.retryAttempts = 0;
        Result<std::shared_ptr<SapPool>> made = SapPool::create(connection, context, options);
        if (!made)
            qFatal("pool: %s", qPrintable(made.error().toString()));
        return *made;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_folder.isValid(), qPrintable(m_folder.errorString()));
        const QString failed = Tests::makeTestCertificates(m_folder.path());
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
        Result<QSslConfiguration> tls = Http::HttpServer::loadTlsConfiguration(file(u"server.pem"_s), file(u"server.key"_s));
        VERIFY_OK(tls);
        m_server = std::make_unique<TestHttpServer>(*tls, QSslCertificate::fromPath(file(u"ca.pem"_s)));
        QVERIFY(m_server->isListening());
        m_server->setHandler(productsAnswer);
    }

    void init()
    {
        Connectors::HttpClient::resetSharedState();
        m_server->clearRequests();
    }

    void logsOnWithTheClientCertificate()
    {
        SapODataClient client(pool(connection(u"qa"_s, u"client.pem"_s, u"client-encrypted.key"_s, true)));
        Result<Data::Value> products = client.run(productsOperation(), Data::Value());
        VERIFY_OK(products);
        QCOMPARE((*products)[u"results"].size(), qsizetype(1));
        QCOMPARE((*products)[u"results"].at(0)[u"LoggedOnAs"].toString(), u"CONFLUX_RFC"_s);
        const QList<Http::HttpRequest> requests = m_server->requests();
        QVERIFY(!requests.isEmpty());
        QCOMPARE(requests.constLast().query.queryItemValue(u"sap-client"_s), u"100"_s);
        for (const Http::HttpRequest &request : requests)
            QVERIFY(!request.peerCertificateChain.isEmpty());
    }

    void failsWithAWrongCertificate()
    {
        // the same name, but not issued by the server's CA
        SapODataClient client(pool(connection(u"qa-impostor"_s, u"impostor.pem"_s, u"impostor.key"_s, false)));
        Result<Data::Value> products = client.run(productsOperation(), Data::Value());
        VERIFY_ERROR(products, "tls_error");
        QVERIFY2(products.error().message.contains(u"SAP operation products"_s), qPrintable(products.error().message));
        QVERIFY2(products.error().message.contains(u"certificate"_s), qPrintable(products.error().message));
        QCOMPARE(m_server->requestCount(), 0);
    }

    void failsWithoutAClientCertificate()
    {
        // The OData endpoint an X.509 connection makes, without its certificate: trusting the
        // server is not enough.
        Connectors::EndpointSpec endpoint;
        endpoint.id = u"sap/qa-anonymous"_s;
        endpoint.protocol = Connectors::Protocol::ODataV4;
        endpoint.url = m_server->url(u"/odata/v4/catalog/"_s);
        endpoint.retryAttempts = 0;
        endpoint.configuration.insert(u"tls"_s,
                                      Data::Value(Data::Object{{u"ca_file"_s, Data::Value(file(u"ca.pem"_s))}}));
        Result<std::unique_ptr<Connectors::ODataConnector>> odata = Connectors::createODataConnectorTyped(endpoint, {});
        VERIFY_OK(odata);
        Connectors::ODataQuery query;
        query.entitySet = u"Products"_s;
        Result<Connectors::ODataPage> page = (*odata)->query(query);
        VERIFY_ERROR(page, "tls_error");
        QVERIFY2(page.error().message.contains(u"certificate"_s), qPrintable(page.error().message));
        QCOMPARE(m_server->requestCount(), 0);
    }

    void pointsAtTheConnectionsAuthentication()
    {
        // The key disappears after the pool started: the error names the connection's setting.
        QVERIFY(QFile::copy(file(u"client.key"_s), file(u"client-gone.key"_s)));
        std::shared_ptr<SapPool> started = pool(connection(u"qa-gone"_s, u"client.pem"_s, u"client-gone.key"_s, false));
        QVERIFY(QFile::remove(file(u"client-gone.key"_s)));
        SapODataClient client(started);
        Result<Data::Value> products = client.run(productsOperation(), Data::Value());
        VERIFY_ERROR(products, "invalid_endpoint");
        QVERIFY2(products.error().message.contains(u"qa-gone"_s), qPrintable(products.error().toString()));
        QCOMPARE(products.error().details.size(), 1);
        QVERIFY2(products.error().details.constFirst().startsWith(u"/authentication/key_file: "_s),
                 qPrintable(products.error().toString()));
        QVERIFY2(products.error().details.constFirst().contains(u"client-gone.key"_s),
                 qPrintable(products.error().toString()));
    }
};

QTEST_GUILESS_MAIN(TestSapODataX509)
#include "tst_sap_odata_x509.moc"
