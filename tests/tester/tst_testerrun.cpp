// The request tester against real servers on 127.0.0.1: a Conflux node whose gateway serves a
// project with a jwt route and an open route to a local upstream, and the OAuth2 server of the
// "oidc" fixture (oidc-provider) issuing the client-credentials tokens the jwt route checks.
// Runs a collection through the gateway and directly, one folder, with a wrong client secret,
// against a server that never answers (timeout, cancel), and records the history.

#include "gateway/httprequest.h"
#include "gateway/httpresponse.h"
#include "gateway/httpserver.h"
#include "model/projectloader.h"
#include "runtime/node.h"
#include "security/secrets.h"
#include "tester/history.h"
#include "tester/runner.h"
#include "webhookserver.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Conflux;
using namespace Conflux::Tester;

namespace {

void writeJson(const QString &path, const QJsonObject &o)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write(QJsonDocument(o).toJson());
}

QJsonObject kv(const QString &name, const QString &value)
{
    return QJsonObject{{u"name"_s, name}, {u"value"_s, value}};
}

QJsonObject status(int code)
{
    return QJsonObject{{u"type"_s, u"status"_s}, {u"equals"_s, code}};
}

QJsonObject expression(const QString &text)
{
    return QJsonObject{{u"type"_s, u"expression"_s}, {u"expression"_s, text}};
}

} // namespace

class TestTesterRun : public QObject
{
    Q_OBJECT

    QString m_tokenUrl, m_jwksUrl, m_issuer, m_clientId, m_clientSecret, m_resource;
    QTemporaryDir m_dir;
    QString m_project;
    QString m_secrets;
    Http::HttpServer m_upstream;
    std::unique_ptr<Runtime::Node> m_node;

    Collection collection()
    {
        const QJsonObject order42{
            {u"name"_s, u"order 42"_s}, {u"method"_s, u"GET"_s}, {u"url"_s, u"{{upstream}}/orders/{{order}}"_s},
            {u"variables"_s, QJsonObject{{u"order"_s, u"42"_s}}},   // before the collection's order
            {u"query"_s, QJsonArray{kv(u"expand"_s, u"lines"_s)}}, {u"route"_s, u"orders"_s},
            {u"assertions"_s, QJsonArray{status(200),
                                         QJsonObject{{u"type"_s, u"header"_s}, {u"header"_s, u"X-Upstream"_s}, {u"equals"_s, u"a"_s}},
                                         expression(u"id = '42' and currency = 'EUR' and query = 'expand=lines'"_s),
                                         expression(u"$status = 200 and $headers.`x-upstream` = 'a'"_s)}}};
        const QJsonObject noToken{
            {u"name"_s, u"without a token"_s}, {u"method"_s, u"GET"_s}, {u"url"_s, u"{{upstream}}/orders/7"_s},
            {u"route"_s, u"orders"_s}, {u"auth"_s, QJsonObject{{u"type"_s, u"none"_s}}},
            {u"assertions"_s, QJsonArray{status(401), QJsonObject{{u"type"_s, u"header"_s}, {u"header"_s, u"WWW-Authenticate"_s}, {u"exists"_s, true}}}}};
        const QJsonObject failing{
            {u"name"_s, u"failing on purpose"_s}, {u"method"_s, u"POST"_s}, {u"url"_s, u"{{upstream}}/orders/7"_s},
            {u"route"_s, u"open"_s},
            {u"body"_s, QJsonObject{{u"mode"_s, u"json"_s}, {u"content"_s, u"{\"qty\": {{qty}}}"_s}}},
            {u"assertions"_s, QJsonArray{status(201), expression(u"currency = 'USD'"_s), expression(u"body.qty = 3"_s)}}};
        const QJsonObject undefinedVariable{
            {u"name"_s, u"undefined variable"_s}, {u"method"_s, u"GET"_s}, {u"url"_s, u"{{nowhere}}/x"_s}};
        const QJsonObject document{
            {u"kind"_s, u"Collection"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"run"_s}, {u"name"_s, u"Run"_s},
            {u"variables"_s, QJsonObject{{u"qty"_s, u"3"_s}, {u"order"_s, u"1"_s}}},
            {u"items"_s, QJsonArray{
                QJsonObject{{u"name"_s, u"jwt"_s},
                            {u"auth"_s, QJsonObject{{u"type"_s, u"oauth2_client_credentials"_s},
                                                    {u"token_url"_s, u"{{token_url}}"_s},
                                                    {u"client_id"_s, u"{{client_id}}"_s},
                                                    {u"client_secret"_s, u"{{client_secret}}"_s}}},
                            {u"items"_s, QJsonArray{order42, noToken}}},
                QJsonObject{{u"name"_s, u"open"_s}, {u"items"_s, QJsonArray{failing, undefinedVariable}}}}}};
        writeJson(QDir(m_project).filePath(u"collections/run.json"_s), document);
        Result<Collection> c = Collection::fromJson(document);
        if (!c)
            qFatal("%s", qPrintable(c.error().toString()));
        return *c;
    }

    Environment environment(const Credential &secret)
    {
        Environment e;
        e.name = u"test"_s;
        e.variables = {{u"upstream"_s, {{}, u"http://127.0.0.1:%1"_s.arg(m_upstream.serverPort())}},
                       {u"token_url"_s, {{}, m_tokenUrl}},
                       {u"client_id"_s, {{}, m_clientId}},
                       {u"client_secret"_s, secret}};
        return e;
    }

    RunOptions options()
    {
        RunOptions o;
        o.project = m_node->project();
        o.environment = environment(Credential{u"oidc.client_secret"_s, {}});
        o.secrets = std::make_shared<Security::DirectorySecretResolver>(m_secrets);
        o.execute.timeoutMs = 20'000;
        return o;
    }

    RunReport run(const Collection &c, const RunOptions &o)
    {
        CollectionRunner runner;
        QSignalSpy finished(&runner, &CollectionRunner::finished);
        Result<void> started = runner.start(c, o);
        if (!started)
            qFatal("%s", qPrintable(started.error().toString()));
        if (!finished.wait(60'000))
            qFatal("the run did not finish");
        return runner.report();
    }

    static QString describe(const RequestResult &r)
    {
        QStringList lines{r.displayName()};
        if (r.error)
            lines << u"error: "_s + r.error->toString();
        if (r.response)
            lines << u"%1 %2"_s.arg(r.response->status).arg(QString::fromUtf8(r.response->body.left(300)));
        for (const AssertionResult &a : r.assertions)
            lines << u"%1 %2: %3"_s.arg(a.passed ? u"ok"_s : u"FAILED"_s, a.name, a.message);
        return lines.join(u'\n');
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString envFile = qEnvironmentVariable("CONFLUX_TEST_OIDC_ENV");
        QFile env(envFile);
        QVERIFY2(env.open(QIODevice::ReadOnly),
                 qPrintable(u"CONFLUX_TEST_OIDC_ENV (%1) does not name the oidc fixture's env file: run through "
                            "ctest, which starts oidc_start first"_s.arg(envFile)));
        for (const QByteArray &line : env.readAll().split('\n')) {
            const qsizetype eq = line.indexOf('=');
            const QString key = QString::fromLatin1(line.left(eq));
            QString value = QString::fromUtf8(line.mid(eq + 1)).trimmed();
            if (value.startsWith(u'\'') || value.startsWith(u'"'))
                value = value.mid(1, value.size() - 2);
            if (key == u"OIDC_ISSUER")
                m_issuer = value;
            else if (key == u"OIDC_CLIENT_ID")
                m_clientId = value;
            else if (key == u"OIDC_CLIENT_SECRET")
                m_clientSecret = value;
            else if (key == u"OIDC_RESOURCE")
                m_resource = value;
        }
        QVERIFY2(!m_issuer.isEmpty() && !m_clientSecret.isEmpty(), qPrintable(envFile));
        QNetworkAccessManager network;
        QNetworkReply *reply = network.get(QNetworkRequest(QUrl(m_issuer + u"/.well-known/openid-configuration"_s)));
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(20'000));
        const QJsonObject discovery = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        m_tokenUrl = discovery.value(u"token_endpoint"_s).toString();
        m_jwksUrl = discovery.value(u"jwks_uri"_s).toString();
        QVERIFY2(!m_tokenUrl.isEmpty() && !m_jwksUrl.isEmpty(), "the OAuth2 server's discovery document lacks token_endpoint or jwks_uri");

        // The upstream: says which order it was asked for, the query, and what it was sent.
        m_upstream.setHandler([](const Http::HttpRequest &request) {
            if (request.path == u"/redirect") {
                Http::HttpResponse moved(302);
                moved.setHeader("Location", "/orders/9");
                return moved;
            }
            if (request.path == u"/big")
                return Http::HttpResponse(200, QByteArray(64 * 1024, 'x'), "text/plain");
            const QString id = request.path.section(u'/', -1);
            QJsonObject body{{u"id"_s, id}, {u"currency"_s, u"EUR"_s},
                             {u"query"_s, request.query.toString(QUrl::FullyEncoded)},
                             {u"body"_s, QJsonDocument::fromJson(request.body).object()}};
            Http::HttpResponse response = Http::HttpResponse::json(200, body);
            response.setHeader("X-Upstream", "a");
            return response;
        });
        QVERIFY(m_upstream.listen(QHostAddress::LocalHost, 0));

        m_project = m_dir.filePath(u"project"_s);
        const QString upstream = u"http://127.0.0.1:%1/orders/{id}"_s.arg(m_upstream.serverPort());
        writeJson(QDir(m_project).filePath(u"project.json"_s),
                  {{u"kind"_s, u"Project"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"tester"_s}, {u"name"_s, u"Tester"_s}});
        writeJson(QDir(m_project).filePath(u"routes/orders.json"_s),
                  {{u"kind"_s, u"Route"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"orders"_s}, {u"name"_s, u"Orders"_s},
                   {u"path"_s, u"/api/orders/{id}"_s}, {u"method"_s, u"GET"_s}, {u"version"_s, u"v1"_s},
                   {u"upstream_url"_s, upstream},
                   {u"authentication"_s, QJsonObject{{u"type"_s, u"jwt"_s}, {u"issuer"_s, m_issuer},
                                                     {u"jwks_url"_s, m_jwksUrl}, {u"audience"_s, m_resource}}}});
        writeJson(QDir(m_project).filePath(u"routes/open.json"_s),
                  {{u"kind"_s, u"Route"_s}, {u"schemaVersion"_s, 1}, {u"id"_s, u"open"_s}, {u"name"_s, u"Open"_s},
                   {u"path"_s, u"/open/{id}"_s}, {u"method"_s, u"*"_s}, {u"upstream_url"_s, upstream}});
        collection();   // the project holds the collection too: it must load with it

        m_secrets = m_dir.filePath(u"secrets"_s);
        QDir().mkpath(m_secrets);
        QFile secret(QDir(m_secrets).filePath(u"oidc.client_secret"_s));
        QVERIFY(secret.open(QIODevice::WriteOnly));
        secret.write(m_clientSecret.toUtf8() + '\n');
        secret.close();

        m_node = std::make_unique<Runtime::Node>();
        Runtime::NodeOptions o;
        o.projectFolder = m_project;
        o.dataFolder = m_dir.filePath(u"data"_s);
        o.adminPort = 0;
        o.gatewayPort = 0;
        Result<void> started = m_node->start(o);
        QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
        QVERIFY(!m_node->gatewayUrl().isEmpty());
    }

    void cleanupTestCase()
    {
        if (m_node && m_node->state() == Runtime::Node::State::Running) {
            QSignalSpy stopped(m_node.get(), &Runtime::Node::stopped);
            m_node->stop();
            QVERIFY(stopped.wait(10'000));
        }
    }

    void throughTheGateway()
    {
        RequestExecutor::clearTokenCache();
        RunOptions o = options();
        o.gatewayUrl = QUrl(m_node->gatewayUrl());
        History history(m_project, 50);
        o.history = &history;
        const RunReport report = run(collection(), o);
        QCOMPARE(report.results.size(), 4);
        const RequestResult &order = report.results.at(0);
        QVERIFY2(order.passed(), qPrintable(describe(order)));
        QCOMPARE(order.request->url.toString(), m_node->gatewayUrl() + u"/v1/api/orders/42?expand=lines"_s);
        QVERIFY(order.request->header("Authorization").startsWith("Bearer ey"));
        QCOMPARE(order.folders, QStringList{u"jwt"_s});
        QVERIFY2(report.results.at(1).passed(), qPrintable(describe(report.results.at(1))));

        const RequestResult &failing = report.results.at(2);
        QVERIFY(!failing.passed());
        QCOMPARE(failing.request->url.toString(), m_node->gatewayUrl() + u"/open/7"_s);
        QCOMPARE(failing.assertions.size(), 3);
        QVERIFY(!failing.assertions.at(0).passed);
        QCOMPARE(failing.assertions.at(0).message, u"status was 200"_s);
        QVERIFY(!failing.assertions.at(1).passed);
        QCOMPARE(failing.assertions.at(1).message, u"the expression gave false"_s);
        QVERIFY2(failing.assertions.at(2).passed, qPrintable(describe(failing)));   // the body went through

        const RequestResult &undefinedVariable = report.results.at(3);
        QCOMPARE(undefinedVariable.error->code, u"undefined_variable"_s);
        QVERIFY(undefinedVariable.error->message.contains(u"\"nowhere\""_s));
        QVERIFY(undefinedVariable.error->message.contains(u"open / undefined variable"_s));
        QCOMPARE(report.failedCount(), 2);

        // The history has the three exchanges, without the client secret or the token.
        Result<QList<HistoryEntry>> entries = history.entries();
        QVERIFY(entries);
        QCOMPARE(entries->size(), 3);
        QCOMPARE(entries->first().status, 200);
        QFile file(history.filePath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray recorded = file.readAll();
        QVERIFY(!recorded.contains(m_clientSecret.toUtf8()));
        QVERIFY(!recorded.contains(order.request->header("Authorization").mid(7)));
        // ... and the project still loads: the history is not a project document.
        QVERIFY(Model::ProjectLoader().loadFolder(m_project).isOk());
    }

    void directlyAndOneFolder()
    {
        RunOptions o = options();
        o.folder = u"open"_s;
        const RunReport report = run(collection(), o);
        QCOMPARE(report.results.size(), 2);
        QCOMPARE(report.results.at(0).request->url.toString(),
                 u"http://127.0.0.1:%1/orders/7"_s.arg(m_upstream.serverPort()));
        QCOMPARE(report.results.at(0).response->status, 200);

        CollectionRunner runner;
        o.folder = u"nope"_s;
        Result<void> unknown = runner.start(collection(), o);
        QCOMPARE(unknown.error().code, u"unknown_folder"_s);
        QVERIFY(unknown.error().message.contains(u"jwt, open"_s));

        // By index path, as the studio names items: a folder runs its requests, a request
        // runs alone; the folder name is ignored then.
        o.folder = u"nope"_s;
        o.itemPath = {1};
        QCOMPARE(run(collection(), o).results.size(), 2);
        o.itemPath = {1, 0};
        const RunReport one = run(collection(), o);
        QCOMPARE(one.results.size(), 1);
        QCOMPARE(one.results.at(0).folders, QStringList{u"open"_s});
        QCOMPARE(one.results.at(0).request->url, report.results.at(0).request->url);
        o.itemPath = {1, 9};
        Result<void> missing = runner.start(collection(), o);
        QCOMPARE(missing.error().code, u"unknown_item"_s);
        QVERIFY(missing.error().message.contains(u"/items/1/items/9"_s));

        // Prepared without sending, as copy-as-curl does: the same request.
        Result<PreparedRequest> prepared = prepareForRun(collection(), {1, 0}, o);
        QVERIFY2(prepared, qPrintable(prepared ? QString() : prepared.error().message));
        QCOMPARE(prepared->url, report.results.at(0).request->url);
        QCOMPARE(prepared->name, one.results.at(0).displayName());
        QCOMPARE(prepareForRun(collection(), {1}, o).error().code, u"unknown_item"_s);
    }

    void wrongClientSecret()
    {
        RequestExecutor::clearTokenCache();
        RunOptions o = options();
        o.environment = environment(Credential{{}, u"not-the-secret"_s});
        o.folder = u"jwt"_s;
        const RunReport report = run(collection(), o);
        QCOMPARE(report.results.size(), 2);
        const RequestResult &order = report.results.at(0);
        QVERIFY(order.error);
        QCOMPARE(order.error->code, u"authentication_failed"_s);
        QVERIFY2(order.error->message.contains(m_clientId), qPrintable(order.error->message));
        QVERIFY(!order.error->message.contains(u"not-the-secret"_s));
    }

    void redirectsAndSizeLimit()
    {
        const QString upstream = u"http://127.0.0.1:%1"_s.arg(m_upstream.serverPort());
        const QJsonObject document{
            {u"kind"_s, u"Collection"_s}, {u"id"_s, u"misc"_s}, {u"name"_s, u"Misc"_s},
            {u"items"_s, QJsonArray{
                QJsonObject{{u"name"_s, u"followed"_s}, {u"method"_s, u"GET"_s}, {u"url"_s, upstream + u"/redirect"_s},
                            {u"assertions"_s, QJsonArray{status(200), expression(u"id = '9'"_s)}}},
                QJsonObject{{u"name"_s, u"not followed"_s}, {u"method"_s, u"GET"_s}, {u"url"_s, upstream + u"/redirect"_s},
                            {u"follow_redirects"_s, false},
                            {u"assertions"_s, QJsonArray{status(302), QJsonObject{{u"type"_s, u"header"_s},
                                                                                  {u"header"_s, u"Location"_s},
                                                                                  {u"equals"_s, u"/orders/9"_s}}}}},
                QJsonObject{{u"name"_s, u"too large"_s}, {u"method"_s, u"GET"_s}, {u"url"_s, upstream + u"/big"_s}}}}};
        Result<Collection> c = Collection::fromJson(document);
        QVERIFY(c);
        RunOptions o;
        o.execute.maxResponseBytes = 4096;
        const RunReport report = run(*c, o);
        QCOMPARE(report.results.size(), 3);
        QVERIFY2(report.results.at(0).passed(), qPrintable(describe(report.results.at(0))));
        QCOMPARE(report.results.at(0).response->url.path(), u"/orders/9"_s);
        QVERIFY2(report.results.at(1).passed(), qPrintable(describe(report.results.at(1))));
        QCOMPARE(report.results.at(2).error->code, u"response_too_large"_s);
    }

    void timeoutAndCancel()
    {
        Test::WebhookServer silent({200}, true);
        const QJsonObject document{
            {u"kind"_s, u"Collection"_s}, {u"id"_s, u"slow"_s}, {u"name"_s, u"Slow"_s},
            {u"items"_s, QJsonArray{QJsonObject{{u"name"_s, u"never answered"_s}, {u"method"_s, u"POST"_s},
                                                {u"url"_s, silent.url()}},
                                    QJsonObject{{u"name"_s, u"not reached after a cancel"_s}, {u"method"_s, u"GET"_s},
                                                {u"url"_s, silent.url()}}}}};
        Result<Collection> slow = Collection::fromJson(document);
        QVERIFY(slow);
        RunOptions o;
        o.execute.timeoutMs = 300;
        RunReport report = run(*slow, o);
        QCOMPARE(report.results.size(), 2);
        QCOMPARE(report.results.at(0).error->code, u"timeout"_s);
        QVERIFY(report.results.at(0).error->message.contains(u"300 ms"_s));
        QVERIFY(!report.cancelled);

        o.execute.timeoutMs = 60'000;
        CollectionRunner runner;
        QSignalSpy finished(&runner, &CollectionRunner::finished);
        QVERIFY(runner.start(*slow, o));
        QTRY_VERIFY_WITH_TIMEOUT(silent.requests().size() == 3, 20'000);   // two from the first run
        runner.cancel();
        QVERIFY(finished.wait(10'000));
        QVERIFY(runner.report().cancelled);
        QCOMPARE(runner.report().results.size(), 1);
        QCOMPARE(runner.report().results.at(0).error->code, u"cancelled"_s);
    }
};

QTEST_GUILESS_MAIN(TestTesterRun)
#include "tst_testerrun.moc"
