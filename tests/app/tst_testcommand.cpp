// `conflux test` as a CI job runs it: the real binary on a project's collection, a collection
// file and a Postman file, against an HTTP server this test serves on 127.0.0.1; the printed
// results, the JUnit XML it writes (parsed back) and the exit codes 0, 1 and 2.

#include "gateway/httprequest.h"
#include "gateway/httpresponse.h"
#include "gateway/httpserver.h"
#include "webhookserver.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace Qt::StringLiterals;
using namespace Conflux;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write(bytes);
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson();
}

struct JUnit
{
    int tests = -1, failures = -1, errors = -1;
    QStringList cases;       // "suite/name"
    QStringList failed;      // failure messages
    QString parseError;
};

JUnit readJUnit(const QString &path)
{
    JUnit out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        out.parseError = u"cannot read "_s + path;
        return out;
    }
    QXmlStreamReader xml(&file);
    QString suite;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        const QXmlStreamAttributes a = xml.attributes();
        if (xml.name() == u"testsuites") {
            out.tests = a.value(u"tests"_s).toInt();
            out.failures = a.value(u"failures"_s).toInt();
            out.errors = a.value(u"errors"_s).toInt();
        } else if (xml.name() == u"testsuite") {
            suite = a.value(u"name"_s).toString();
        } else if (xml.name() == u"testcase") {
            out.cases.append(suite + u'/' + a.value(u"name"_s).toString());
        } else if (xml.name() == u"failure") {
            out.failed.append(a.value(u"message"_s).toString());
        }
    }
    if (xml.hasError())
        out.parseError = xml.errorString();
    return out;
}

} // namespace

class TestTestCommand : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project;
    Http::HttpServer m_server;

    QString base() const { return u"http://127.0.0.1:%1"_s.arg(m_server.serverPort()); }

    // Runs the binary while this thread keeps serving m_server.
    Run conflux(const QStringList &arguments)
    {
        QProcess process;
        process.setWorkingDirectory(m_dir.path());
        QSignalSpy finished(&process, &QProcess::finished);
        process.start(QStringLiteral(CONFLUX_BINARY), QStringList{u"test"_s} + arguments);
        if (!process.waitForStarted(10'000))
            qFatal("conflux did not start");
        if (!finished.wait(120'000))
            qFatal("conflux test did not finish");
        return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
                QString::fromUtf8(process.readAllStandardError())};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server.setHandler([](const Http::HttpRequest &request) {
            if (request.path == u"/orders/42")
                return Http::HttpResponse::json(200, QJsonObject{{u"id"_s, 42}, {u"status"_s, u"open"_s}});
            return Http::HttpResponse::json(404, QJsonObject{{u"error"_s, u"not found"_s}});
        });
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));

        m_project = m_dir.filePath(u"project"_s);
        writeFile(QDir(m_project).filePath(u"project.json"_s),
                  json({{u"kind"_s, u"Project"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"cli"_s}, {u"name"_s, u"CLI"_s}}));
        auto status = [](int code) { return QJsonObject{{u"type"_s, u"status"_s}, {u"equals"_s, code}}; };
        const QJsonObject good{{u"name"_s, u"good"_s}, {u"items"_s, QJsonArray{
            QJsonObject{{u"name"_s, u"order 42"_s}, {u"method"_s, u"GET"_s}, {u"url"_s, u"{{base}}/orders/42"_s},
                        {u"assertions"_s, QJsonArray{status(200),
                                                     QJsonObject{{u"type"_s, u"expression"_s},
                                                                 {u"expression"_s, u"id = 42 and status = 'open'"_s}}}}},
            QJsonObject{{u"name"_s, u"missing order"_s}, {u"method"_s, u"GET"_s}, {u"url"_s, u"{{base}}/orders/1"_s},
                        {u"assertions"_s, QJsonArray{status(404)}}}}}};
        const QJsonObject bad{{u"name"_s, u"bad"_s}, {u"items"_s, QJsonArray{
            QJsonObject{{u"name"_s, u"wrong expectation"_s}, {u"method"_s, u"GET"_s}, {u"url"_s, u"{{base}}/orders/42"_s},
                        {u"assertions"_s, QJsonArray{status(201)}}}}}};
        writeFile(QDir(m_project).filePath(u"collections/api.json"_s),
                  json({{u"kind"_s, u"Collection"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"api"_s},
                        {u"name"_s, u"API"_s}, {u"items"_s, QJsonArray{good, bad}}}));
        writeFile(QDir(m_project).filePath(u"environments/local.json"_s),
                  json({{u"kind"_s, u"Environment"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"local"_s},
                        {u"name"_s, u"Local"_s}, {u"variables"_s, QJsonObject{{u"base"_s, base()}}}}));
        writeFile(m_dir.filePath(u"orders.postman_collection.json"_s), json({
            {u"info"_s, QJsonObject{{u"name"_s, u"Orders (Postman)"_s},
                                    {u"schema"_s, u"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"_s}}},
            {u"item"_s, QJsonArray{QJsonObject{
                {u"name"_s, u"order 42"_s},
                {u"event"_s, QJsonArray{QJsonObject{{u"listen"_s, u"test"_s}, {u"script"_s, QJsonObject{{u"exec"_s, QJsonArray{
                    u"pm.test('ok', () => pm.response.to.have.status(200));"_s,
                    u"pm.expect(pm.response.json().id).to.eql(42);"_s}}}}}}},
                {u"request"_s, QJsonObject{{u"method"_s, u"GET"_s}, {u"url"_s, u"{{base}}/orders/42"_s}}}}}}}));
    }

    void passingFolderWithEnvironment()
    {
        const QString junit = m_dir.filePath(u"good.xml"_s);
        const Run run = conflux({u"api"_s, u"--project"_s, m_project, u"--env"_s, u"local"_s, u"--folder"_s, u"good"_s,
                                 u"--junit"_s, junit});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        QVERIFY2(run.out.contains(u"good / order 42"_s), qPrintable(run.out));
        QVERIFY2(run.out.contains(u"GET %1/orders/42 → 200"_s.arg(base())), qPrintable(run.out));
        QVERIFY2(run.out.contains(u"✓ status is 200"_s), qPrintable(run.out));
        QVERIFY2(run.out.contains(u"2 requests, 0 failed; 3 assertions, 0 failed"_s), qPrintable(run.out));
        const JUnit report = readJUnit(junit);
        QVERIFY2(report.parseError.isEmpty(), qPrintable(report.parseError));
        QCOMPARE(report.tests, 2);
        QCOMPARE(report.failures, 0);
        QCOMPARE(report.errors, 0);
        QCOMPARE(report.cases, (QStringList{u"good/order 42"_s, u"good/missing order"_s}));
    }

    void failingRunFromTheFile()
    {
        // A collections/*.json path: the project is the folder around it; --var gives base.
        const QString junit = m_dir.filePath(u"all.xml"_s);
        const Run run = conflux({QDir(m_project).filePath(u"collections/api.json"_s), u"--var"_s,
                                 u"base="_s + base(), u"--junit"_s, junit, u"--timeout"_s, u"20000"_s});
        QVERIFY2(run.exitCode == 1, qPrintable(run.out + run.err));
        QVERIFY2(run.out.contains(u"✗ status is 201 — status was 200"_s), qPrintable(run.out));
        const JUnit report = readJUnit(junit);
        QVERIFY2(report.parseError.isEmpty(), qPrintable(report.parseError));
        QCOMPARE(report.tests, 3);
        QCOMPARE(report.failures, 1);
        QCOMPARE(report.failed, QStringList{u"status is 201: status was 200"_s});
        QVERIFY(report.cases.contains(u"bad/wrong expectation"_s));
    }

    void undefinedVariableFails()
    {
        const Run run = conflux({u"api"_s, u"--project"_s, m_project, u"--folder"_s, u"good"_s});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.out.contains(u"undefined variable \"base\""_s), qPrintable(run.out));
    }

    void postmanFile()
    {
        const Run run = conflux({m_dir.filePath(u"orders.postman_collection.json"_s), u"--var"_s, u"base="_s + base(),
                                 u"--curl"_s});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        QVERIFY2(run.out.contains(u"  $ curl -L --url %1/orders/42\n"_s.arg(base())), qPrintable(run.out));
        QVERIFY2(run.out.contains(u"✓ ok"_s), qPrintable(run.out));
        QVERIFY2(run.err.contains(u"note: \"order 42\": 1 test script line(s) not understood"_s), qPrintable(run.err));
    }

    void tlsServer()
    {
        // A self-signed certificate for 127.0.0.1: refused, trusted with --ca-file, or unchecked.
        const QString cert = m_dir.filePath(u"tls.crt"_s);
        const QString key = m_dir.filePath(u"tls.key"_s);
        QProcess openssl;
        openssl.start(u"openssl"_s, {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-subj"_s,
                                     u"/CN=127.0.0.1"_s, u"-addext"_s, u"subjectAltName=IP:127.0.0.1"_s, u"-days"_s,
                                     u"1"_s, u"-keyout"_s, key, u"-out"_s, cert});
        QVERIFY(openssl.waitForFinished(60'000));
        QCOMPARE(openssl.exitCode(), 0);
        Result<QSslConfiguration> tls = Http::HttpServer::loadTlsConfiguration(cert, key);
        QVERIFY2(tls, qPrintable(tls ? QString() : tls.error().toString()));
        Http::HttpServer secure;
        secure.setTlsConfiguration(*tls);
        secure.setHandler([](const Http::HttpRequest &request) {
            if (request.path == u"/orders/42")
                return Http::HttpResponse::json(200, QJsonObject{{u"id"_s, 42}, {u"status"_s, u"open"_s}});
            return Http::HttpResponse::json(404, QJsonObject{{u"error"_s, u"not found"_s}});
        });
        QVERIFY(secure.listen(QHostAddress::LocalHost, 0));
        const QStringList common{u"api"_s, u"--project"_s, m_project, u"--folder"_s, u"good"_s, u"--var"_s,
                                 u"base=https://127.0.0.1:%1"_s.arg(secure.serverPort())};

        const Run refused = conflux(common);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.out.contains(u"error [tls_error]"_s) || refused.out.contains(u"error [connection_failed]"_s),
                 qPrintable(refused.out));
        const Run trusted = conflux(common + QStringList{u"--ca-file"_s, cert});
        QVERIFY2(trusted.exitCode == 0 && trusted.out.contains(u"✓ status is 200"_s), qPrintable(trusted.out + trusted.err));
        const Run unchecked = conflux(common + QStringList{u"--insecure"_s});
        QVERIFY2(unchecked.exitCode == 0, qPrintable(unchecked.out + unchecked.err));
    }

    void postmanEnvironment()
    {
        const QString env = m_dir.filePath(u"local.postman_environment.json"_s);
        writeFile(env, json({{u"name"_s, u"Local"_s},
                             {u"values"_s, QJsonArray{QJsonObject{{u"key"_s, u"base"_s}, {u"value"_s, base()}, {u"enabled"_s, true}}}}}));
        const Run run = conflux({m_dir.filePath(u"orders.postman_collection.json"_s), u"--env"_s, env});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    }

    void interruptedRunIsReported()
    {
        // A server that never answers; SIGTERM cancels the run, which still reports.
        Test::WebhookServer silent({200}, true);
        const QString junit = m_dir.filePath(u"interrupted.xml"_s);
        QProcess process;
        QSignalSpy finished(&process, &QProcess::finished);
        process.start(QStringLiteral(CONFLUX_BINARY),
                      {u"test"_s, u"api"_s, u"--project"_s, m_project, u"--folder"_s, u"good"_s, u"--var"_s,
                       u"base="_s + silent.url(u""_s), u"--junit"_s, junit});
        QVERIFY(process.waitForStarted(10'000));
        QTRY_VERIFY_WITH_TIMEOUT(!silent.requests().isEmpty(), 30'000);
        process.terminate();
        QVERIFY(finished.wait(30'000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 1);
        const QString out = QString::fromUtf8(process.readAllStandardOutput());
        QVERIFY2(out.contains(u"error [cancelled]"_s), qPrintable(out));
        QVERIFY2(out.contains(u"1 requests, 1 failed"_s) && out.contains(u"cancelled"_s), qPrintable(out));
        const JUnit report = readJUnit(junit);
        QVERIFY2(report.parseError.isEmpty(), qPrintable(report.parseError));
        QCOMPARE(report.tests, 1);
        QCOMPARE(report.errors, 1);
    }

    void usageAndInputErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::addRow("no collection") << QStringList{} << u"usage: conflux test COLLECTION"_s;
        QTest::addRow("unknown option") << QStringList{u"api"_s, u"--bogus"_s} << u"bogus"_s;
        QTest::addRow("bad --var") << QStringList{u"api"_s, u"--var"_s, u"novalue"_s} << u"expected NAME=VALUE"_s;
        QTest::addRow("bad --timeout") << QStringList{u"api"_s, u"--timeout"_s, u"soon"_s} << u"--timeout"_s;
        QTest::addRow("unknown id") << QStringList{u"nope"_s, u"--project"_s, u"project"_s} << u"has no collection \"nope\" (its collections: api)"_s;
        QTest::addRow("missing file") << QStringList{u"missing/file.json"_s} << u"no such file"_s;
        QTest::addRow("unknown folder") << QStringList{u"api"_s, u"--project"_s, u"project"_s, u"--folder"_s, u"nope"_s} << u"no folder \"nope\""_s;
        QTest::addRow("unknown environment") << QStringList{u"api"_s, u"--project"_s, u"project"_s, u"--env"_s, u"prod"_s} << u"no environment \"prod\" (its environments: local)"_s;
        QTest::addRow("--cert without --key") << QStringList{u"api"_s, u"--cert"_s, u"x.pem"_s} << u"--cert and --key go together"_s;
        QTest::addRow("unreadable --ca-file") << QStringList{u"api"_s, u"--ca-file"_s, u"missing.pem"_s} << u"--ca-file missing.pem"_s;
        QTest::addRow("invalid document") << QStringList{u"broken.json"_s} << u"neither a valid collection document nor a Postman collection"_s;
    }

    void usageAndInputErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        writeFile(m_dir.filePath(u"broken.json"_s), "{\"kind\": \"Collection\", \"schemaVersion\": 1, \"id\": \"broken\"}");
        const Run run = conflux(arguments);
        QVERIFY2(run.exitCode == 2, qPrintable(u"exit %1\n"_s.arg(run.exitCode) + run.out + run.err));
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(TestTestCommand)
#include "tst_testcommand.moc"
