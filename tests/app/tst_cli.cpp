// Runs the real `conflux` binary: --help/--version, validate, format, bundle, token, and the
// headless node on the sample project — /health over HTTP, JSON log lines, SIGTERM drains
// and exits 0.

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
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

Run conflux(const QStringList &arguments, const QByteArray &input)
{
    QProcess process;
    process.start(binary, arguments);
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(60000))
        process.kill();
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
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
        QVERIFY(good.out.contains(u"valid (22 documents)"_s));

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
        // 22 documents and the lookup table tables/countries.csv, carried as its text.
        const QJsonObject files = root.value(u"files"_s).toObject();
        QCOMPARE(files.size(), 23);
        QVERIFY(files.value(u"tables/countries.csv"_s).toString().startsWith(u"code,name\n"_s));
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
                            u"--admin-listen"_s, u"127.0.0.1:%1"_s.arg(port), u"--listen"_s, u"127.0.0.1:0"_s});
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

    void jsonata()
    {
        QTemporaryDir dir;
        const QString input = dir.filePath(u"in.json"_s);
        QVERIFY(writeFile(input, R"({"a":[1,2,3],"s":"x"})"));

        Run run = conflux({u"jsonata"_s, u"$sum(a) * 2"_s, input});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out, u"12\n"_s);

        run = conflux({u"jsonata"_s, u"{'n': $count(a), 'up': $uppercase(s)}"_s}, QByteArray(R"({"a":[1],"s":"é"})"));
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out, u"{\"n\":1,\"up\":\"É\"}\n"_s);

        run = conflux({u"jsonata"_s, u"$x + 1"_s, u"--bind"_s, u"x=41"_s, u"--no-input"_s});
        QCOMPARE(run.out, u"42\n"_s);

        run = conflux({u"jsonata"_s, u"nothing"_s, input});   // undefined prints nothing
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out, QString());

        run = conflux({u"jsonata"_s, u"a + "_s, input});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.startsWith(u"error S0"_s) && run.err.contains(u"at position 4"_s), qPrintable(run.err));

        run = conflux({u"jsonata"_s, u"s + 1"_s, input});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.startsWith(u"error T2001 at position"_s), qPrintable(run.err));
        QVERIFY(run.err.contains(u"  s + 1\n"_s));   // the expression, with a caret under the spot

        run = conflux({u"jsonata"_s, u"a"_s}, QByteArray("{\"a\": [1,}"));
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.startsWith(u"stdin: "_s) && run.err.contains(u"byte 9"_s), qPrintable(run.err));
    }

    void mapSampleProject()
    {
        QTemporaryDir dir;
        QVERIFY(copyFolder(sampleFolder, dir.path()));
        const QString input = dir.filePath(u"orders.json"_s);
        // Three orders; the second has a currency the mapping's enum check refuses.
        QVERIFY(writeFile(input, R"({"orders":[
            {"id":"SO-1","created_at":"2026-11-20T09:15:00Z","currency":"EUR","status":"paid",
             "customer":{"id":"C-1","name":"Muster GmbH","email":"A@B.example","country":"DE",
                         "contact":{"first":"Anna","last":"Berg"}},
             "line_items":[{"price":19.5,"quantity":2},{"price":120,"quantity":1}]},
            {"id":"SO-2","created_at":"2026-11-21T10:00:00Z","currency":"GBP",
             "customer":{"id":"C-2","name":"Acme","country":"GB"},"line_items":[]},
            {"id":"SO-3","created_at":"2026-11-22T11:00:00Z",
             "customer":{"id":"C-3","name":"Zeta","country":"FR"},"line_items":[{"price":5,"quantity":3}]}]})"));
        const QString errors = dir.filePath(u"rejected.ndjson"_s);
        const Run run = conflux({u"map"_s, dir.filePath(u"mappings/shop-order-to-erp.json"_s), input,
                                 u"--errors"_s, errors});
        QCOMPARE(run.exitCode, 3);
        QVERIFY2(run.err.contains(u"3 records read, 2 written, 1 rejected"_s), qPrintable(run.err));

        const QJsonDocument out = QJsonDocument::fromJson(run.out.toUtf8());
        QVERIFY2(out.isArray(), qPrintable(run.out));
        QCOMPARE(out.array().size(), 2);
        const QJsonObject first = out.array().at(0).toObject();
        QCOMPARE(first.value(u"order_number"_s).toString(), u"SO-1"_s);
        QCOMPARE(first.value(u"customer_name"_s).toString(), u"MUSTER GMBH"_s);
        QCOMPARE(first.value(u"contact"_s).toString(), u"Anna Berg"_s);
        QCOMPARE(first.value(u"contact_email"_s).toString(), u"a@b.example"_s);
        QCOMPARE(first.value(u"country"_s).toString(), u"Germany"_s);   // tables/countries.csv
        QCOMPARE(first.value(u"order_date"_s).toString(), u"20.11.2026"_s);
        QCOMPARE(first.value(u"total_amount"_s).toDouble(), 159.0);
        const QJsonObject third = out.array().at(1).toObject();
        QCOMPARE(third.value(u"currency"_s).toString(), u"EUR"_s);       // the rule's default
        QCOMPARE(third.value(u"country"_s).toString(), u"France"_s);

        QFile rejected(errors);
        QVERIFY(rejected.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = rejected.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        const QJsonObject reject = QJsonDocument::fromJson(lines.at(0)).object();
        QCOMPARE(reject.value(u"record"_s).toInt(), 1);
        const QJsonObject reason = reject.value(u"errors"_s).toArray().at(0).toObject();
        QCOMPARE(reason.value(u"field"_s).toString(), u"currency"_s);
        QCOMPARE(reason.value(u"rule"_s).toString(), u"enum"_s);
    }

    void mapFormatsAndBadInput()
    {
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(u"grades.json"_s),
                          R"([{"code":"1","label":"gold"},{"code":"2","label":"silver"}])"));
        const QString mapping = dir.filePath(u"people.json"_s);
        QVERIFY(writeFile(mapping, R"({"kind": "Mapping", "schemaVersion": 2, "id": "people", "name": "People",
            "source": {"format": "xml", "record_element": "People/Person"},
            "target": {"format": "csv", "csv": {"delimiter": ";"}},
            "rules": [
              {"target": "id", "type": "field_mapping", "source": "@id"},
              {"target": "name", "type": "concatenate", "fields": ["First", "Last"], "separator": " "},
              {"target": "grade", "type": "lookup", "source": "Grade", "table": "grades", "key": "code", "column": "label"},
              {"target": "born", "type": "date_format", "source": "Born", "from": "[D01].[M01].[Y0001]", "to": "[Y0001]-[M01]-[D01]"}
            ],
            "validation": [{"field": "grade", "rule": "required"}]})"));
        const QString xml = dir.filePath(u"people.xml"_s);
        QVERIFY(writeFile(xml, "<?xml version=\"1.0\"?>\n<People>\n"
                               "<Person id=\"7\"><First>Ann</First><Last>Lee</Last><Grade>1</Grade><Born>03.02.1990</Born></Person>\n"
                               "<Person id=\"8\"><First>Bo</First><Last>Ng; Jr</Last><Grade>9</Grade><Born>01.01.2000</Born></Person>\n"
                               "<Person id=\"9\"><First>Cy</First><Last>Oz</Last><Grade>2</Grade><Born>31.12.1999</Born></Person>\n"
                               "</People>\n"));
        Run run = conflux({u"map"_s, mapping, xml, u"--tables"_s, dir.path()});
        QCOMPARE(run.exitCode, 3);
        QCOMPARE(run.out, u"id;name;grade;born\r\n7;Ann Lee;gold;1990-02-03\r\n9;Cy Oz;silver;1999-12-31\r\n"_s);
        QVERIFY2(run.err.startsWith(u"{\"record\":1,\"errors\":[{\"field\":\"grade\",\"rule\":\"required\""_s),
                 qPrintable(run.err));

        // Without --tables there is no table: the mapping does not compile, nothing is read.
        run = conflux({u"map"_s, mapping, xml});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"/rules/2/table"_s), qPrintable(run.err));

        // NDJSON in, NDJSON out; a syntax error in the third line stops the run after the
        // records before it were written, and says where.
        QVERIFY(writeFile(mapping, R"({"kind": "Mapping", "schemaVersion": 2, "id": "m", "name": "m",
            "source": {"format": "ndjson"}, "target": {"format": "ndjson"},
            "rules": [{"target": "n", "type": "expression", "expression": "n * 10"}]})"));
        run = conflux({u"map"_s, mapping}, QByteArray("{\"n\":1}\n{\"n\":2}\n{\"n\":}\n{\"n\":4}\n"));
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.out, u"{\"n\":10}\n{\"n\":20}\n"_s);
        QVERIFY2(run.err.contains(u"record 2"_s) && run.err.contains(u"byte 21"_s), qPrintable(run.err));

        // An invalid mapping document is refused with its schema errors.
        QVERIFY(writeFile(mapping, R"({"kind": "Mapping", "schemaVersion": 2, "id": "m", "name": "m",
            "rules": [{"target": "n", "type": "lookup", "source": "x"}]})"));
        run = conflux({u"map"_s, mapping}, QByteArray("{}"));
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"is not a valid mapping"_s) && run.err.contains(u"/rules/0"_s), qPrintable(run.err));
    }

    void headlessNodeRefusesInvalidProject()
    {
        QTemporaryDir dir;
        QVERIFY(copyFolder(sampleFolder, dir.filePath(u"p"_s)));
        QFile::remove(dir.filePath(u"p/mappings/shop-order-to-erp.json"_s));
        const Run run = conflux({u"run"_s, dir.filePath(u"p"_s), u"--data"_s, dir.filePath(u"data"_s),
                                 u"--admin-listen"_s, u"127.0.0.1:%1"_s.arg(freePort()), u"--listen"_s, u"127.0.0.1:0"_s});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"project_invalid"_s), qPrintable(run.err));
        QVERIFY(run.err.contains(u"mapping \\\"shop-order-to-erp\\\" does not exist"_s));
        QCOMPARE(conflux({u"run"_s, u"--admin-listen"_s, u"nonsense"_s}).exitCode, 2);
    }
    void endpointVerbs()
    {
        QTemporaryDir dir;
        const QString project = dir.filePath(u"p"_s);
        for (const QString &sub : {u"endpoints"_s, u"drop"_s, u"db"_s})
            QVERIFY(QDir().mkpath(project + u'/' + sub));
        QVERIFY(writeFile(project + u"/project.json"_s,
                          "{\"kind\": \"Project\", \"schemaVersion\": 1, \"id\": \"p\", \"name\": \"P\"}\n"));
        QVERIFY(writeFile(project + u"/endpoints/crm.json"_s,
                          "{\"kind\": \"Endpoint\", \"schemaVersion\": 1, \"id\": \"crm\", \"name\": \"CRM\", "
                          "\"type\": \"database\", \"protocol\": \"sql\", \"url\": \"sqlite:db/crm.db\"}\n"));
        QVERIFY(writeFile(project + u"/endpoints/drop.json"_s,
                          "{\"kind\": \"Endpoint\", \"schemaVersion\": 1, \"id\": \"drop\", \"name\": \"Drop\", "
                          "\"type\": \"file_system\", \"protocol\": \"files\", \"url\": \"file:drop\", "
                          "\"data_format\": \"csv\", \"configuration\": {\"glob\": \"*.csv\"}}\n"));
        QVERIFY(writeFile(project + u"/drop/a.csv"_s, "sku,qty\nA-1,3\nB-2,1\n"));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"cli"_s);
            db.setDatabaseName(project + u"/db/crm.db"_s);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"create table contacts (id integer primary key, email text not null)"_s));
            QVERIFY(q.exec(u"insert into contacts values (1, 'a@example.com'), (2, 'b@example.com')"_s));
        }
        QSqlDatabase::removeDatabase(u"cli"_s);
        const QStringList inProject = {u"--project"_s, project};

        Run run = conflux(QStringList{u"endpoint"_s, u"list"_s} + inProject);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(u"crm  sql  test_connection"_s) && run.out.contains(u"drop  files"_s), qPrintable(run.out));

        run = conflux(QStringList{u"endpoint"_s, u"test"_s, u"crm"_s} + inProject);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(u"crm: connected in"_s) && run.out.contains(u"SQLite 3."_s), qPrintable(run.out));

        run = conflux(QStringList{u"endpoint"_s, u"discover"_s, u"crm"_s, u"--tree"_s} + inProject);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(u"contacts  key: id"_s) && run.out.contains(u"  email  string"_s), qPrintable(run.out));

        run = conflux(QStringList{u"endpoint"_s, u"discover"_s, u"crm"_s, u"--json"_s} + inProject);
        QCOMPARE(run.exitCode, 0);
        const QJsonObject discovered = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(discovered[u"entities"][0][u"name"].toString(), u"contacts"_s);

        run = conflux(QStringList{u"endpoint"_s, u"read"_s, u"crm"_s, u"--entity"_s, u"contacts"_s, u"--limit"_s, u"1"_s}
                      + inProject);
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out, u"{\"id\":1,\"email\":\"a@example.com\"}\n"_s);

        run = conflux(QStringList{u"endpoint"_s, u"read"_s, u"drop"_s, u"--entity"_s, u"drop"_s} + inProject);
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out.count(u'\n'), 2);
        QVERIFY(run.out.contains(u"\"sku\":\"B-2\""_s));

        // An endpoint that moves what it read must be told so.
        QVERIFY(writeFile(project + u"/endpoints/drop.json"_s,
                          "{\"kind\": \"Endpoint\", \"schemaVersion\": 1, \"id\": \"drop\", \"name\": \"Drop\", "
                          "\"type\": \"file_system\", \"protocol\": \"files\", \"url\": \"file:drop\", "
                          "\"data_format\": \"csv\", \"configuration\": {\"glob\": \"*.csv\", "
                          "\"after_read\": \"archive\", \"archive_to\": \"done\"}}\n"));
        QVERIFY(QDir().mkpath(project + u"/drop/done"_s));
        run = conflux(QStringList{u"endpoint"_s, u"read"_s, u"drop"_s, u"--entity"_s, u"drop"_s} + inProject);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"--consume"_s), qPrintable(run.err));
        QVERIFY(QFile::exists(project + u"/drop/a.csv"_s));
        run = conflux(QStringList{u"endpoint"_s, u"read"_s, u"drop"_s, u"--entity"_s, u"drop"_s, u"--consume"_s}
                      + inProject);
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out.count(u'\n'), 2);
        QVERIFY(!QFile::exists(project + u"/drop/a.csv"_s));

        // Errors say what and where, with exit 1 (a failure) or 2 (usage).
        run = conflux(QStringList{u"endpoint"_s, u"test"_s, u"nope"_s} + inProject);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"endpoint_not_found"_s), qPrintable(run.err));
        run = conflux(QStringList{u"endpoint"_s, u"read"_s, u"crm"_s, u"--entity"_s, u"missing_table"_s} + inProject);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(u"missing_table"_s), qPrintable(run.err));
        QCOMPARE(conflux(QStringList{u"endpoint"_s, u"read"_s, u"crm"_s} + inProject).exitCode, 2);
        QCOMPARE(conflux(QStringList{u"endpoint"_s, u"frobnicate"_s} + inProject).exitCode, 2);
        run = conflux({u"endpoint"_s, u"list"_s, u"--project"_s, dir.filePath(u"not-a-project"_s)});
        QCOMPARE(run.exitCode, 1);
    }
};

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
