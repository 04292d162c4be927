// Runs the real `conflux` binary: --help/--version, validate, format, bundle, token, and the
// headless node on the sample project — /health over HTTP, JSON log lines, SIGTERM drains
// and exits 0.

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include "testsupport.h"

#include <csignal>

using namespace Qt::StringLiterals;

namespace {

const QString binary = QStringLiteral(CONFLUX_BINARY);
const QString sampleFolder = Conflux::Test::sampleFolder();
using Conflux::Test::copyFolder;

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run conflux(const QStringList &arguments, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(binary, arguments);
    if (!process.waitForFinished(60000))
        process.kill();
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
}


quint16 freePort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

// A minimal HTTP/1.1 GET; returns the status line and body.
QPair<QByteArray, QByteArray> httpGet(quint16 port, const QByteArray &path, const QByteArray &extra = {})
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(2000))
        return {};
    socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra + "\r\n");
    QByteArray response;
    while (socket.waitForReadyRead(5000))
        response += socket.readAll();
    const qsizetype split = response.indexOf("\r\n\r\n");
    return {response.left(response.indexOf("\r\n")), response.mid(split + 4)};
}

} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpAndVersion()
    {
        const Run version = conflux({u"--version"_s});
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith(u"conflux 0."_s));
        const Run help = conflux({u"--help"_s});
        QCOMPARE(help.exitCode, 0);
        for (const QString &verb : {u"run"_s, u"validate"_s, u"format"_s, u"bundle"_s, u"token"_s, u"--no-gui"_s})
            QVERIFY2(help.out.contains(verb), qPrintable(verb));
        QCOMPARE(conflux({u"validate"_s, u"--help"_s}).exitCode, 0);
        QCOMPARE(conflux({u"--bogus"_s}).exitCode, 2);
    }

    void studioWithoutDisplayExplains()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(u"DISPLAY"_s);
        env.remove(u"WAYLAND_DISPLAY"_s);
        env.remove(u"QT_QPA_PLATFORM"_s);
        const Run run = conflux({sampleFolder}, env);
        QCOMPARE(run.exitCode, 3);
        QVERIFY(run.err.contains(u"conflux --no-gui --project DIR"_s));
    }

    void validate()
    {
        const Run good = conflux({u"validate"_s, sampleFolder});
        QCOMPARE(good.exitCode, 0);
        QVERIFY(good.out.contains(u"valid (20 documents)"_s));

        QTemporaryDir dir;
        QVERIFY(copyFolder(sampleFolder, dir.path()));
        QFile::remove(dir.filePath(u"endpoints/erp-db.json"_s));
        QFile broken(dir.filePath(u"queues/orders.json"_s));
        QVERIFY(broken.open(QIODevice::WriteOnly | QIODevice::Truncate));
        broken.write("{\n  \"kind\": \"Queue\",\n  oops\n}\n");
        broken.close();
        const Run bad = conflux({u"validate"_s, dir.path()});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.out.contains(u"queues/orders.json:3:"_s), qPrintable(bad.out));
        QVERIFY(bad.out.contains(u"sync/customers-nightly.json:/target_endpoint: endpoint \"erp-db\" does not exist"_s));
        QVERIFY(bad.out.contains(u"mappings/shop-order-to-erp.json:/target_endpoint"_s));
        QVERIFY(bad.out.contains(u" errors in "_s));

        QCOMPARE(conflux({u"validate"_s, dir.filePath(u"nowhere"_s)}).exitCode, 1);
        QCOMPARE(conflux({u"validate"_s}).exitCode, 2);
    }

    void formatAndBundle()
    {
        QTemporaryDir dir;
        QVERIFY(copyFolder(sampleFolder, dir.path()));
        QCOMPARE(conflux({u"format"_s, u"--check"_s, dir.path()}).exitCode, 0); // the sample is canonical
        QFile file(dir.filePath(u"queues/orders.json"_s));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray compact = QJsonDocument::fromJson(file.readAll()).toJson(QJsonDocument::Compact);
        file.close();
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(compact);
        file.close();
        const Run check = conflux({u"format"_s, u"--check"_s, dir.path()});
        QCOMPARE(check.exitCode, 1);
        QCOMPARE(check.out.trimmed(), u"queues/orders.json"_s);
        QCOMPARE(conflux({u"format"_s, dir.path()}).exitCode, 0);
        QCOMPARE(conflux({u"format"_s, u"--check"_s, dir.path()}).exitCode, 0);

        const Run bundle = conflux({u"bundle"_s, dir.path()});
        QCOMPARE(bundle.exitCode, 0);
        const QJsonObject root = QJsonDocument::fromJson(bundle.out.toUtf8()).object();
        QCOMPARE(root.value(u"kind"_s).toString(), u"ProjectBundle"_s);
        QCOMPARE(root.value(u"files"_s).toObject().size(), 20);
    }

    void tokens()
    {
        QTemporaryDir data;
        const Run created = conflux({u"token"_s, u"create"_s, u"--data"_s, data.path(), u"--name"_s, u"ops"_s});
        QCOMPARE(created.exitCode, 0);
        const QString token = created.out.trimmed();
        QVERIFY(token.startsWith(u"cfx_"_s));
        QCOMPARE(token.size(), 47);
        QVERIFY(created.err.contains(u"shown only now"_s));
        QCOMPARE(conflux({u"token"_s, u"create"_s, u"--data"_s, data.path(), u"--name"_s, u"ops"_s}).exitCode, 1);
        const Run list = conflux({u"token"_s, u"list"_s, u"--data"_s, data.path()});
        QVERIFY(list.out.startsWith(u"ops\t"_s));
        QVERIFY(!list.out.contains(token));
        // The token itself is stored nowhere in the data folder, only its hash.
        QDirIterator it(data.path(), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(!f.readAll().contains(token.toLatin1()), qPrintable(f.fileName()));
        }
        QCOMPARE(conflux({u"token"_s, u"revoke"_s, u"ops"_s, u"--data"_s, data.path()}).exitCode, 0);
        QCOMPARE(conflux({u"token"_s, u"revoke"_s, u"ops"_s, u"--data"_s, data.path()}).exitCode, 1);
    }

    void headlessNode()
    {
        QTemporaryDir data;
        const Run created = conflux({u"token"_s, u"create"_s, u"--data"_s, data.path()});
        const QByteArray token = created.out.trimmed().toLatin1();
        const quint16 port = freePort();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"CONFLUX_SECRET_STORE_PASSWORD"_s, u"PLANTED-never-logged"_s);
        QProcess node;
        node.setProcessEnvironment(env);
        node.start(binary, {u"--no-gui"_s, u"--project"_s, sampleFolder, u"--data"_s, data.path(),
                            u"--admin-listen"_s, u"127.0.0.1:%1"_s.arg(port)});
        QVERIFY(node.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(httpGet(port, "/health").first == "HTTP/1.1 200 OK", 15000);
        const auto ready = httpGet(port, "/ready");
        QCOMPARE(ready.first, QByteArray("HTTP/1.1 200 OK"));
        QCOMPARE(httpGet(port, "/api/v1/status").first, QByteArray("HTTP/1.1 401 Unauthorized"));
        const auto status = httpGet(port, "/api/v1/status", "Authorization: Bearer " + token + "\r\n");
        QCOMPARE(status.first, QByteArray("HTTP/1.1 200 OK"));
        QCOMPARE(QJsonDocument::fromJson(status.second).object().value(u"project"_s).toObject()
                     .value(u"name"_s).toString(), u"Order Hub"_s);

        ::kill(pid_t(node.processId()), SIGTERM);
        QVERIFY(node.waitForFinished(15000));
        QCOMPARE(node.exitStatus(), QProcess::NormalExit);
        QCOMPARE(node.exitCode(), 0);

        // Logs: one JSON object per line, request ids on request records, no secrets.
        const QList<QByteArray> lines = node.readAllStandardError().split('\n');
        int records = 0;
        bool sawRequestId = false;
        bool sawStopped = false;
        for (const QByteArray &line : lines) {
            if (line.isEmpty())
                continue;
            QJsonParseError error;
            const QJsonObject record = QJsonDocument::fromJson(line, &error).object();
            QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
            QVERIFY(record.contains(u"ts"_s) && record.contains(u"level"_s) && record.contains(u"msg"_s));
            QVERIFY(!line.contains("PLANTED-never-logged"));
            QVERIFY(!line.contains(token));
            sawRequestId |= record.contains(u"request_id"_s);
            sawStopped |= record.value(u"msg"_s).toString() == u"node stopped";
            ++records;
        }
        QVERIFY(records >= 3);
        QVERIFY(sawRequestId);
        QVERIFY(sawStopped);
    }

    void headlessNodeRefusesInvalidProject()
    {
        QTemporaryDir dir;
        QVERIFY(copyFolder(sampleFolder, dir.filePath(u"p"_s)));
        QFile::remove(dir.filePath(u"p/mappings/shop-order-to-erp.json"_s));
        const Run run = conflux({u"run"_s, dir.filePath(u"p"_s), u"--data"_s, dir.filePath(u"data"_s),
                                 u"--admin-listen"_s, u"127.0.0.1:%1"_s.arg(freePort())});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"project_invalid"_s), qPrintable(run.err));
        QVERIFY(run.err.contains(u"mapping \\\"shop-order-to-erp\\\" does not exist"_s));
        QCOMPARE(conflux({u"run"_s, u"--admin-listen"_s, u"nonsense"_s}).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
