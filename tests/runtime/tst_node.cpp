// The node and its admin API over real HTTP: health, readiness, metrics (checked by
// promtool), authentication, deploy/versions/rollback, persistence across restarts, TLS,
// and the PostgreSQL state store.

#include "model/bundle.h"
#include "model/jsontext.h"
#include "model/projectloader.h"
#include "runtime/node.h"
#include "security/tokens.h"
#include "store/statestore.h"

#include <QDir>
#include <QDirIterator>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QSslError>
#include <QTemporaryDir>
#include <QTest>

#include "testsupport.h"

using namespace Conflux;
using namespace Qt::StringLiterals;

namespace {

const QString sampleFolder = Conflux::Test::sampleFolder();
using Conflux::Test::copyFolder;

struct Reply
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};


QString createToken(Runtime::Node &node, const QString &name)
{
    const QString token = Security::generateToken();
    if (!node.store()->addApiToken(name, QString::fromLatin1(Security::hashToken(token))))
        qFatal("cannot create a token");
    return token;
}

QByteArray sampleBundle(const std::function<void(Model::ProjectFiles &)> &edit = {})
{
    Model::Diagnostics errors;
    Model::ProjectFiles files = Model::readProjectFolder(sampleFolder, &errors);
    if (edit)
        edit(files);
    return Model::Bundle::make(files);
}

QByteArray setMember(const QByteArray &document, const QString &key, const QJsonValue &value)
{
    QJsonObject o = QJsonDocument::fromJson(document).object();
    o.insert(key, value);
    return Model::canonicalJson(o);
}

QMap<QString, QString> readEnvFile(const QString &path)
{
    QMap<QString, QString> out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return out;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype eq = line.indexOf('=');
        if (eq > 0)
            out.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    }
    return out;
}

} // namespace

class tst_Node : public QObject
{
    Q_OBJECT

private:
    Reply request(const QByteArray &method, const QString &url, const QString &token = {},
                  const QByteArray &body = {})
    {
        QNetworkRequest req{QUrl(url)};
        if (!token.isEmpty())
            req.setRawHeader("Authorization", "Bearer " + token.toLatin1());
        if (!body.isEmpty())
            req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        QNetworkReply *reply = m_network.sendCustomRequest(req, method, body);
        connect(reply, &QNetworkReply::sslErrors, reply, [reply](const QList<QSslError> &) { reply->ignoreSslErrors(); });
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        Reply out{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(),
                  reply->header(QNetworkRequest::ContentTypeHeader).toByteArray()};
        reply->deleteLater();
        return out;
    }

    Runtime::NodeOptions options(const QString &data, const QString &project = sampleFolder)
    {
        Runtime::NodeOptions o;
        o.dataFolder = data;
        o.projectFolder = project;
        o.adminPort = 0;
        o.gatewayPort = 0;
        return o;
    }

    static void stop(Runtime::Node &node)
    {
        QSignalSpy stopped(&node, &Runtime::Node::stopped);
        node.stop();
        QVERIFY(stopped.wait(10000));
        QCOMPARE(node.state(), Runtime::Node::State::Stopped);
    }

    QNetworkAccessManager m_network;

private Q_SLOTS:
    void healthReadyAndMetrics()
    {
        QTemporaryDir data;
        Runtime::Node node;
        Result<void> started = node.start(options(data.path()));
        QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
        const QString base = node.adminUrl();

        Reply health = request("GET", base + u"/health"_s);
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json().value(u"status"_s).toString(), u"ok"_s);

        Reply ready = request("GET", base + u"/ready"_s);
        QCOMPARE(ready.status, 200);
        QCOMPARE(ready.json().value(u"project_version"_s).toInt(), 1);

        request("GET", base + u"/api/v1/status"_s); // one 401 so the counter has a labelled series
        Reply metrics = request("GET", base + u"/metrics"_s);
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.contentType.startsWith("text/plain; version=0.0.4"));
        QVERIFY(metrics.body.contains("conflux_build_info{version=\""));
        QVERIFY(metrics.body.contains("conflux_admin_requests_total{route=\"/health\",code=\"200\"} 1"));
        QVERIFY(metrics.body.contains("conflux_project_version 1"));
        QVERIFY(metrics.body.contains("process_resident_memory_bytes"));

        // The exposition is valid for Prometheus' own checker.
        QProcess promtool;
        promtool.start(u"promtool"_s, {u"check"_s, u"metrics"_s});
        QVERIFY2(promtool.waitForStarted(), "promtool is missing: apt-get install prometheus");
        promtool.write(metrics.body);
        promtool.closeWriteChannel();
        QVERIFY(promtool.waitForFinished(30000));
        QVERIFY2(promtool.exitCode() == 0, promtool.readAllStandardOutput() + promtool.readAllStandardError());

        QCOMPARE(request("POST", base + u"/health"_s).status, 405);
        QCOMPARE(request("GET", base + u"/nope"_s).status, 404);
        stop(node);
    }

    void apiRequiresToken()
    {
        QTemporaryDir data;
        Runtime::Node node;
        QVERIFY(node.start(options(data.path())));
        const QString base = node.adminUrl();
        const QString token = createToken(node, u"ci"_s);

        for (const QString &path : {u"/api/v1/status"_s, u"/api/v1/project"_s, u"/api/v1/project/versions"_s}) {
            Reply anonymous = request("GET", base + path);
            QCOMPARE(anonymous.status, 401);
            QCOMPARE(anonymous.json().value(u"error"_s).toObject().value(u"code"_s).toString(), u"unauthorized"_s);
            QCOMPARE(request("GET", base + path, Security::generateToken()).status, 401);
            QCOMPARE(request("GET", base + path, u"not-a-token"_s).status, 401);
            QCOMPARE(request("GET", base + path, token).status, 200);
        }
        QCOMPARE(request("PUT", base + u"/api/v1/project"_s, {}, sampleBundle()).status, 401);
        QCOMPARE(request("POST", base + u"/api/v1/project/rollback"_s).status, 401);

        // A revoked token stops working at once.
        QVERIFY(node.store()->revokeApiToken(u"ci"_s));
        QCOMPARE(request("GET", base + u"/api/v1/status"_s, token).status, 401);
        stop(node);
    }

    void deployVersionsRollback()
    {
        QTemporaryDir data;
        Runtime::Node node;
        QVERIFY(node.start(options(data.path())));
        const QString base = node.adminUrl();
        const QString token = createToken(node, u"deployer"_s);

        Reply status = request("GET", base + u"/api/v1/status"_s, token);
        QCOMPARE(status.status, 200);
        QCOMPARE(status.json().value(u"project"_s).toObject().value(u"name"_s).toString(), u"Order Hub"_s);
        QCOMPARE(status.json().value(u"project"_s).toObject().value(u"documents"_s).toObject().value(u"Queue"_s).toInt(), 3);

        // An invalid bundle: 400 with every error, and the running project stays.
        const QByteArray invalid = sampleBundle([](Model::ProjectFiles &files) {
            files.insert(u"sync/customers-nightly.json"_s,
                         setMember(files.value(u"sync/customers-nightly.json"_s), u"target_endpoint"_s, u"crm-old"_s));
            files.insert(u"queues/orders.json"_s, setMember(files.value(u"queues/orders.json"_s), u"max_size"_s, -1));
            files.insert(u"routes/partner-soap.json"_s, "{ not json");
        });
        Reply refused = request("PUT", base + u"/api/v1/project"_s, token, invalid);
        QCOMPARE(refused.status, 400);
        const QJsonObject error = refused.json().value(u"error"_s).toObject();
        QCOMPARE(error.value(u"code"_s).toString(), u"project_invalid"_s);
        const QJsonArray details = error.value(u"details"_s).toArray();
        QCOMPARE(details.size(), 3);
        QVERIFY(details.at(0).toString().startsWith(u"queues/orders.json:/max_size: "_s));
        QVERIFY(details.at(1).toString().startsWith(u"routes/partner-soap.json:1:"_s));
        QVERIFY(details.at(2).toString().startsWith(u"sync/customers-nightly.json:/target_endpoint: endpoint \"crm-old\""_s));
        QCOMPARE(request("GET", base + u"/ready"_s).json().value(u"project_version"_s).toInt(), 1);
        QCOMPARE(request("PUT", base + u"/api/v1/project"_s, token, "[1,2").status, 400);
        QCOMPARE(request("GET", base + u"/api/v1/project/versions"_s, token).json().value(u"versions"_s).toArray().size(), 1);

        // A good bundle becomes version 2 and is active at once; the same again changes nothing.
        const QByteArray renamed = sampleBundle([](Model::ProjectFiles &files) {
            files.insert(u"project.json"_s, setMember(files.value(u"project.json"_s), u"name"_s, u"Order Hub v2"_s));
        });
        Reply deployed = request("PUT", base + u"/api/v1/project?comment=rename"_s, token, renamed);
        QCOMPARE(deployed.status, 201);
        QCOMPARE(deployed.json().value(u"version"_s).toInt(), 2);
        QCOMPARE(node.project()->name(), u"Order Hub v2"_s);
        Reply again = request("PUT", base + u"/api/v1/project"_s, token, renamed);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value(u"unchanged"_s).toBool(), true);

        Reply versions = request("GET", base + u"/api/v1/project/versions"_s, token);
        const QJsonArray list = versions.json().value(u"versions"_s).toArray();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list.at(0).toObject().value(u"version"_s).toInt(), 2);
        QCOMPARE(list.at(0).toObject().value(u"source"_s).toString(), u"deploy"_s);
        QCOMPARE(list.at(0).toObject().value(u"comment"_s).toString(), u"rename"_s);
        QCOMPARE(list.at(0).toObject().value(u"actor"_s).toString(), u"deployer"_s);
        QCOMPARE(list.at(0).toObject().value(u"active"_s).toBool(), true);
        QCOMPARE(list.at(1).toObject().value(u"source"_s).toString(), u"folder"_s);

        // The active bundle can be fetched back.
        Reply bundle = request("GET", base + u"/api/v1/project"_s, token);
        QCOMPARE(bundle.status, 200);
        QCOMPARE(bundle.body, renamed);

        // Roll back to the previous version, then explicitly forward again.
        Reply back = request("POST", base + u"/api/v1/project/rollback"_s, token);
        QCOMPARE(back.status, 200);
        QCOMPARE(back.json().value(u"version"_s).toInt(), 1);
        QCOMPARE(node.project()->name(), u"Order Hub"_s);
        Reply none = request("POST", base + u"/api/v1/project/rollback"_s, token);
        QCOMPARE(none.status, 409);
        QCOMPARE(request("POST", base + u"/api/v1/project/rollback"_s, token, "{\"version\": 42}").status, 404);
        QCOMPARE(request("POST", base + u"/api/v1/project/rollback"_s, token, "{\"version\": \"x\"}").status, 400);
        Reply forward = request("POST", base + u"/api/v1/project/rollback"_s, token, "{\"version\": 2}");
        QCOMPARE(forward.status, 200);
        QCOMPARE(node.project()->name(), u"Order Hub v2"_s);

        // Every change is in the audit log.
        Result<QList<Store::AuditEntry>> audit = node.store()->auditEntries(20);
        QVERIFY(audit);
        QStringList actions;
        for (const Store::AuditEntry &e : std::as_const(*audit))
            actions.append(e.action);
        QVERIFY(actions.contains(u"project.deploy"_s));
        QVERIFY(actions.contains(u"project.deploy_refused"_s));
        QVERIFY(actions.contains(u"project.rollback"_s));
        stop(node);
    }

    void deploymentSurvivesRestart()
    {
        QTemporaryDir data;
        QTemporaryDir project;
        QVERIFY(copyFolder(sampleFolder, project.path()));
        {
            Runtime::Node node;
            QVERIFY(node.start(options(data.path(), project.path())));
            const QString token = createToken(node, u"t"_s);
            const QByteArray renamed = sampleBundle([](Model::ProjectFiles &files) {
                files.insert(u"project.json"_s, setMember(files.value(u"project.json"_s), u"name"_s, u"Deployed"_s));
            });
            QCOMPARE(request("PUT", node.adminUrl() + u"/api/v1/project"_s, token, renamed).status, 201);
            stop(node);
        }
        {
            // Same folder, unchanged: the deployed version stays active.
            Runtime::Node node;
            QVERIFY(node.start(options(data.path(), project.path())));
            QCOMPARE(node.project()->name(), u"Deployed"_s);
            stop(node);
        }
        {
            // Without a folder the node runs the active deployed version.
            Runtime::Node node;
            QVERIFY(node.start(options(data.path(), QString())));
            QCOMPARE(node.project()->name(), u"Deployed"_s);
            stop(node);
        }
        {
            // An edited folder wins over the older deployment and becomes version 3.
            QFile file(QDir(project.path()).filePath(u"project.json"_s));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray edited = setMember(file.readAll(), u"name"_s, u"Edited"_s);
            file.close();
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(edited);
            file.close();
            Runtime::Node node;
            QVERIFY(node.start(options(data.path(), project.path())));
            QCOMPARE(node.project()->name(), u"Edited"_s);
            QCOMPARE(node.store()->projectVersions()->size(), 3);
            stop(node);
        }
    }

    void invalidFolderDoesNotStart()
    {
        QTemporaryDir data;
        QTemporaryDir project;
        QVERIFY(copyFolder(sampleFolder, project.path()));
        QFile::remove(QDir(project.path()).filePath(u"queues/orders-dlq.json"_s));
        Runtime::Node node;
        Result<void> started = node.start(options(data.path(), project.path()));
        QVERIFY(!started);
        QCOMPARE(started.error().code, u"project_invalid"_s);
        QCOMPARE(started.error().details.size(), 3);
        QCOMPARE(node.state(), Runtime::Node::State::Stopped);
    }

    void emptyNodeIsNotReady()
    {
        QTemporaryDir data;
        Runtime::Node node;
        QVERIFY(node.start(options(data.path(), QString())));
        Reply ready = request("GET", node.adminUrl() + u"/ready"_s);
        QCOMPARE(ready.status, 503);
        QCOMPARE(ready.json().value(u"reason"_s).toString(), u"no project is deployed"_s);
        const QString token = createToken(node, u"t"_s);
        QCOMPARE(request("PUT", node.adminUrl() + u"/api/v1/project"_s, token, sampleBundle()).status, 201);
        QCOMPARE(request("GET", node.adminUrl() + u"/ready"_s).status, 200);
        stop(node);
    }

    void tls()
    {
        QTemporaryDir dir;
        const QString cert = dir.filePath(u"cert.pem"_s);
        const QString key = dir.filePath(u"key.pem"_s);
        QProcess openssl;
        openssl.start(u"openssl"_s, {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-subj"_s,
                                     u"/CN=localhost"_s, u"-days"_s, u"1"_s, u"-keyout"_s, key, u"-out"_s, cert});
        QVERIFY(openssl.waitForFinished(60000));
        QCOMPARE(openssl.exitCode(), 0);

        Runtime::NodeOptions o = options(dir.filePath(u"data"_s));
        o.tlsCertificateFile = cert;
        o.tlsPrivateKeyFile = key;
        Runtime::Node node;
        Result<void> started = node.start(o);
        QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
        QVERIFY(node.adminUrl().startsWith(u"https://"_s));
        QCOMPARE(request("GET", node.adminUrl() + u"/health"_s).status, 200);
        stop(node);

        // A missing key file is a clear start error.
        o.tlsPrivateKeyFile = dir.filePath(u"missing.pem"_s);
        Runtime::Node broken;
        Result<void> refused = broken.start(o);
        QVERIFY(!refused);
        QVERIFY2(refused.error().toString().contains(u"missing.pem"_s), qPrintable(refused.error().toString()));
    }

    void postgresStateStore()
    {
        const QString envFile = qEnvironmentVariable("CONFLUX_TEST_PG_ENV");
        const QMap<QString, QString> env = readEnvFile(envFile);
        if (env.isEmpty())
            QFAIL(qPrintable(u"PostgreSQL is not running: no env file at \"%1\" (the postgres_start fixture starts it)"_s.arg(envFile)));
        QTemporaryDir data;
        Runtime::NodeOptions o = options(data.path());
        o.storeUrl = u"postgres://%1@%2:%3/%4?schema=node_test_%5"_s.arg(env.value(u"PGUSER"_s), env.value(u"PGHOST"_s),
                                                                          env.value(u"PGPORT"_s), env.value(u"PGDATABASE"_s))
                         .arg(QDateTime::currentMSecsSinceEpoch());
        Runtime::Node node;
        Result<void> started = node.start(o);
        QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
        QCOMPARE(node.store()->config().driver, Store::StoreConfig::Driver::Postgres);
        const QString token = createToken(node, u"pg"_s);
        Reply status = request("GET", node.adminUrl() + u"/api/v1/status"_s, token);
        QCOMPARE(status.json().value(u"store"_s).toObject().value(u"driver"_s).toString(), u"postgres"_s);
        const QByteArray renamed = sampleBundle([](Model::ProjectFiles &files) {
            files.insert(u"project.json"_s, setMember(files.value(u"project.json"_s), u"name"_s, u"On PostgreSQL"_s));
        });
        QCOMPARE(request("PUT", node.adminUrl() + u"/api/v1/project"_s, token, renamed).status, 201);
        QCOMPARE(request("GET", node.adminUrl() + u"/api/v1/project/versions"_s, token)
                     .json().value(u"versions"_s).toArray().size(), 2);
        stop(node);

        // A password in the URL is refused rather than stored in a command line.
        o.storeUrl = u"postgres://u:pw@127.0.0.1:1/db"_s;
        Runtime::Node refused;
        QVERIFY(!refused.start(o));
    }
};

QTEST_GUILESS_MAIN(tst_Node)
#include "tst_node.moc"
