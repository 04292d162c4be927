// Mutual TLS on the gateway: ClientCertificateVerifier on its own, then a TLS GatewayServer
// that asks for client certificates and a route of type mtls, with certificates made by the
// openssl CLI (a CA, a client it signed, a self-signed impostor with the same name).

#include "gateway/gatewayconfig.h"
#include "gateway/gatewayserver.h"
#include "model/project.h"
#include "security/clientcertificates.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Gateway;
using namespace Qt::StringLiterals;

namespace {

QString openssl(const QStringList &arguments, const QString &folder)
{
    QProcess process;
    process.setWorkingDirectory(folder);
    process.start(u"openssl"_s, arguments);
    if (!process.waitForFinished(60000))
        return u"openssl did not finish: "_s + process.errorString();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return u"openssl "_s + arguments.join(u' ') + u": "_s + QString::fromLocal8Bit(process.readAllStandardError());
    return {};
}

QList<QSslCertificate> readCertificates(const QString &file)
{
    QFile f(file);
    return f.open(QIODevice::ReadOnly) ? QSslCertificate::fromData(f.readAll(), QSsl::Pem) : QList<QSslCertificate>();
}

QSslKey readKey(const QString &file)
{
    QFile f(file);
    return f.open(QIODevice::ReadOnly) ? QSslKey(f.readAll(), QSsl::Ec) : QSslKey();
}

} // namespace

class TestMtls : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

    // GET /pay over TLS with `certificate` (none when null); the status line's code, or 0.
    int call(quint16 port, const QString &certificate, const QString &key)
    {
        QSslSocket socket;
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates(readCertificates(path(u"server.pem"_s)));
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
        if (!certificate.isEmpty()) {
            tls.setLocalCertificate(readCertificates(path(certificate)).value(0));
            tls.setPrivateKey(readKey(path(key)));
        }
        socket.setSslConfiguration(tls);
        socket.connectToHostEncrypted(u"localhost"_s, port);
        if (!socket.waitForEncrypted(10000)) {
            qWarning() << "handshake failed:" << socket.errorString();
            return 0;
        }
        socket.write("GET /pay HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        QByteArray answer;
        while (socket.waitForReadyRead(10000))
            answer += socket.readAll();
        answer += socket.readAll();
        const QList<QByteArray> status = answer.left(answer.indexOf("\r\n")).split(' ');
        return status.size() >= 2 ? status[1].toInt() : 0;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString dir = m_dir.path();
        const QStringList ec{u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s};
        // The CA, and a client it signs (clientAuth, a DNS SAN).
        QCOMPARE(openssl(QStringList{u"req"_s, u"-x509"_s} + ec
                             + QStringList{u"-keyout"_s, u"ca.key"_s, u"-out"_s, u"ca.pem"_s, u"-days"_s, u"2"_s,
                                           u"-subj"_s, u"/CN=Conflux Test CA"_s},
                         dir),
                 QString());
        QCOMPARE(openssl(QStringList{u"req"_s} + ec
                             + QStringList{u"-keyout"_s, u"client.key"_s, u"-out"_s, u"client.csr"_s,
                                           u"-subj"_s, u"/CN=billing/O=Example"_s},
                         dir),
                 QString());
        QFile extensions(path(u"client.ext"_s));
        QVERIFY(extensions.open(QIODevice::WriteOnly));
        extensions.write("extendedKeyUsage = clientAuth\nsubjectAltName = DNS:billing.example.com\n");
        extensions.close();
        QCOMPARE(openssl({u"x509"_s, u"-req"_s, u"-in"_s, u"client.csr"_s, u"-CA"_s, u"ca.pem"_s, u"-CAkey"_s,
                          u"ca.key"_s, u"-CAcreateserial"_s, u"-out"_s, u"client.pem"_s, u"-days"_s, u"2"_s,
                          u"-extfile"_s, u"client.ext"_s},
                         dir),
                 QString());
        // Same name, not signed by the CA.
        QCOMPARE(openssl(QStringList{u"req"_s, u"-x509"_s} + ec
                             + QStringList{u"-keyout"_s, u"impostor.key"_s, u"-out"_s, u"impostor.pem"_s, u"-days"_s,
                                           u"2"_s, u"-subj"_s, u"/CN=billing/O=Example"_s},
                         dir),
                 QString());
        // The gateway's own certificate.
        QCOMPARE(openssl(QStringList{u"req"_s, u"-x509"_s} + ec
                             + QStringList{u"-keyout"_s, u"server.key"_s, u"-out"_s, u"server.pem"_s, u"-days"_s,
                                           u"2"_s, u"-subj"_s, u"/CN=localhost"_s, u"-addext"_s,
                                           u"subjectAltName=DNS:localhost"_s},
                         dir),
                 QString());
    }

    void verifierAcceptsOnlyWhatTheCaSigned()
    {
        auto verifier = Security::ClientCertificateVerifier::fromPemFile(path(u"ca.pem"_s));
        QVERIFY2(verifier, qPrintable(verifier ? QString() : verifier.error().toString()));
        QCOMPARE((*verifier)->authorityCount(), 1);
        QVERIFY((*verifier)->verify(readCertificates(path(u"client.pem"_s))));

        const Result<void> impostor = (*verifier)->verify(readCertificates(path(u"impostor.pem"_s)));
        QVERIFY(!impostor);
        QCOMPARE(impostor.error().code, u"client_certificate_invalid"_s);
        QVERIFY2(impostor.error().message.contains(u"not trusted"_s), qPrintable(impostor.error().message));

        // A server certificate (no clientAuth purpose) signed by nobody we trust.
        QVERIFY(!(*verifier)->verify(readCertificates(path(u"server.pem"_s))));
        QVERIFY(!(*verifier)->verify({}));
    }

    void badCaFilesAreNamed()
    {
        auto missing = Security::ClientCertificateVerifier::fromPemFile(path(u"nope.pem"_s));
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, u"tls_client_ca_invalid"_s);
        QVERIFY(missing.error().message.contains(u"nope.pem"_s));
        auto notPem = Security::ClientCertificateVerifier::fromPemFile(path(u"client.ext"_s));
        QVERIFY(!notPem);
        QVERIFY(notPem.error().message.contains(u"client.ext"_s));
    }

    void gatewayRoutesByCertificate_data()
    {
        QTest::addColumn<QJsonObject>("authentication");
        QTest::addColumn<QString>("certificate");
        QTest::addColumn<int>("status");
        const QJsonObject bySubject{{u"type"_s, u"mtls"_s}, {u"subjects"_s, QJsonArray{u"CN=billing, O=Example"_s}}};
        const QJsonObject bySan{{u"type"_s, u"mtls"_s}, {u"sans"_s, QJsonArray{u"DNS:BILLING.example.com"_s}}};
        const QJsonObject other{{u"type"_s, u"mtls"_s}, {u"subjects"_s, QJsonArray{u"CN=payroll"_s}}};
        // 502: authenticated and authorized, then the (closed) upstream failed.
        QTest::newRow("subject matches") << bySubject << u"client"_s << 502;
        QTest::newRow("SAN matches, case-insensitive DNS") << bySan << u"client"_s << 502;
        QTest::newRow("trusted but not allowed") << other << u"client"_s << 403;
        QTest::newRow("no certificate") << bySubject << QString() << 401;
        QTest::newRow("impostor with the same name") << bySubject << u"impostor"_s << 401;
        QTest::newRow("route without mtls, no certificate") << QJsonObject{{u"type"_s, u"none"_s}} << QString() << 502;
    }

    void gatewayRoutesByCertificate()
    {
        QFETCH(QJsonObject, authentication);
        QFETCH(QString, certificate);
        QFETCH(int, status);

        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 deadPort = closed.serverPort();
        closed.close();

        Model::Project project;
        Model::Route route;
        route.document.kind = Model::DocumentKind::Route;
        route.document.id = u"pay"_s;
        route.document.json = QJsonObject{{u"id"_s, u"pay"_s}, {u"path"_s, u"/pay"_s}, {u"method"_s, u"GET"_s},
                                          {u"upstream_url"_s, u"http://127.0.0.1:%1/"_s.arg(deadPort)},
                                          {u"authentication"_s, authentication}};
        project.routes.append(route);
        auto config = GatewayConfig::fromProject(project);
        QVERIFY2(config, qPrintable(config ? QString() : config.error().toString()));

        auto tls = Http::HttpServer::loadTlsConfiguration(path(u"server.pem"_s), path(u"server.key"_s));
        QVERIFY(tls);
        tls->setPeerVerifyMode(QSslSocket::QueryPeer);
        auto verifier = Security::ClientCertificateVerifier::fromPemFile(path(u"ca.pem"_s));
        QVERIFY(verifier);
        GatewayServices services;
        services.auth.verifyClientCertificate = [v = *verifier](const QList<QSslCertificate> &chain) {
            return v->verify(chain);
        };

        GatewayServer server;
        GatewayServerOptions options;
        options.port = 0;
        options.threads = 1;
        options.tls = *tls;
        QVERIFY(server.listen(options));
        server.setRuntime(std::make_shared<GatewayRuntime>(*config, services));
        QTest::qWait(50); // the runtime reaches the loop's thread
        QCOMPARE(call(server.serverPort(), certificate.isEmpty() ? QString() : certificate + u".pem"_s,
                      certificate + u".key"_s),
                 status);
    }
};

QTEST_GUILESS_MAIN(TestMtls)
#include "tst_mtls.moc"
