// The request tester's pieces that need no server: collection documents, {{variable}}
// substitution, request preparation (query, bodies, auth, the gateway address), copy as curl
// (checked by a real shell), assertions, JUnit XML (parsed back) and the request history.

#include "model/projectloader.h"
#include "security/secrets.h"
#include "tester/assertions.h"
#include "tester/collection.h"
#include "tester/curl.h"
#include "tester/history.h"
#include "tester/junit.h"
#include "tester/prepare.h"
#include "tester/requestexecutor.h"
#include "tester/runner.h"
#include "tester/variables.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace Qt::StringLiterals;
using namespace Conflux;
using namespace Conflux::Tester;

namespace {

const QString sampleFolder = QStringLiteral(CONFLUX_SOURCE_DIR "/resources/samples/order-hub");

Item request(const QString &method, const QString &url)
{
    Item item;
    item.name = u"req"_s;
    item.request.method = method;
    item.request.url = url;
    return item;
}

Result<PreparedRequest> prepare(const Item &item, const Variables &variables, const Auth &auth = {},
                                std::shared_ptr<const Model::Project> project = {}, const QUrl &gateway = {})
{
    PrepareContext context;
    context.variables = &variables;
    context.project = std::move(project);
    context.gatewayUrl = gateway;
    return prepareRequest(item, auth, context, item.name);
}

std::shared_ptr<const Model::Project> sampleProject()
{
    static const Model::LoadResult loaded = Model::ProjectLoader().loadFolder(sampleFolder);
    return loaded.project;
}

Response jsonResponse(int status, const QByteArray &body, const QByteArray &type = "application/json")
{
    Response r;
    r.status = status;
    r.reason = "OK";
    r.headers = {{"Content-Type", type}, {"X-Cache", "HIT"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}};
    r.body = body;
    r.elapsedMs = 120;
    return r;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestTesterCore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sampleProjectHasCollectionAndEnvironment()
    {
        const Model::LoadResult loaded = Model::ProjectLoader().loadFolder(sampleFolder);
        QVERIFY2(loaded.isOk(), qPrintable(Model::toStrings(loaded.errors).join(u'\n')));
        QCOMPARE(loaded.project->count(Model::DocumentKind::Collection), 1);
        QCOMPARE(loaded.project->count(Model::DocumentKind::Environment), 1);
        Result<Collection> collection = Collection::fromModel(loaded.project->collections.first());
        QVERIFY2(collection, qPrintable(collection ? QString() : collection.error().toString()));
        QCOMPARE(collection->requestCount(), 2);
        QVERIFY(collection->findFolder(u"orders-api"_s));
        QCOMPARE(collection->findFolder(u"orders-api"_s)->auth.type, Auth::Type::OAuth2ClientCredentials);
        // The document survives a read and a write unchanged.
        QCOMPARE(collection->toJson(), loaded.project->collections.first().document.json);
        Result<Environment> environment = Environment::fromModel(loaded.project->environments.first());
        QVERIFY(environment);
        QCOMPARE(environment->toJson(), loaded.project->environments.first().document.json);
    }

    void newDocumentsAreValid()
    {
        // What the studio's New Document writes: the header only.
        const Model::ProjectLoader loader;
        QVERIFY(loader.validateDocument(u"collections/c.json"_s,
                                        "{\"kind\": \"Collection\", \"schemaVersion\": 1, \"id\": \"c\", \"name\": \"c\"}")
                    .isEmpty());
        QVERIFY(loader.validateDocument(u"environments/e.json"_s,
                                        "{\"kind\": \"Environment\", \"schemaVersion\": 1, \"id\": \"e\", \"name\": \"e\"}")
                    .isEmpty());
        Result<Collection> empty = Collection::fromJson(
            QJsonObject{{u"kind"_s, u"Collection"_s}, {u"id"_s, u"c"_s}, {u"name"_s, u"c"_s}});
        QVERIFY(empty);
        QCOMPARE(empty->requestCount(), 0);
    }

    void collectionDocumentErrors_data()
    {
        QTest::addColumn<QByteArray>("document");
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("message");
        const QByteArray head = "{\"kind\": \"Collection\", \"schemaVersion\": 1, \"id\": \"c\", \"name\": \"C\", ";
        QTest::addRow("plaintext token") << head + "\"items\": [{\"name\": \"r\", \"method\": \"GET\", \"url\": \"http://x\", \"auth\": {\"type\": \"bearer\", \"token\": \"abc123\"}}]}"
                                         << u"/items/0/auth/token"_s << u"plaintext credential"_s;
        QTest::addRow("plaintext variable") << head + "\"variables\": {\"access_token\": \"abc\"}, \"items\": []}"
                                            << u"/variables/access_token"_s << u"plaintext credential"_s;
        QTest::addRow("unknown endpoint") << head + "\"items\": [{\"name\": \"r\", \"method\": \"GET\", \"url\": \"http://x\", \"auth\": {\"endpoint\": \"nope\"}}]}"
                                          << u"/items/0/auth/endpoint"_s << u"endpoint \"nope\" does not exist"_s;
        QTest::addRow("unknown route") << head + "\"items\": [{\"name\": \"f\", \"items\": [{\"name\": \"r\", \"method\": \"GET\", \"url\": \"http://x\", \"route\": \"nope\"}]}]}"
                                       << u"/items/0/items/0/route"_s << u"route \"nope\" does not exist"_s;
        QTest::addRow("status without value") << head + "\"items\": [{\"name\": \"r\", \"method\": \"GET\", \"url\": \"http://x\", \"assertions\": [{\"type\": \"status\"}]}]}"
                                              << u"/items/0/assertions/0"_s << QString();
        QTest::addRow("request without url") << head + "\"items\": [{\"name\": \"r\", \"method\": \"GET\"}]}"
                                             << u"/items/0"_s << u"url"_s;
    }

    void collectionDocumentErrors()
    {
        QFETCH(QByteArray, document);
        QFETCH(QString, pointer);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QDir(dir.path()).mkpath(u"collections"_s);
        QFile project(dir.filePath(u"project.json"_s));
        QVERIFY(project.open(QIODevice::WriteOnly));
        project.write("{\"kind\": \"Project\", \"schemaVersion\": 1, \"id\": \"p\", \"name\": \"P\"}");
        project.close();
        QFile file(dir.filePath(u"collections/c.json"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(document);
        file.close();
        const Model::LoadResult loaded = Model::ProjectLoader().loadFolder(dir.path());
        QVERIFY(!loaded.isOk());
        bool found = false;
        for (const Model::Diagnostic &d : loaded.errors)
            found |= d.file == u"collections/c.json" && d.pointer == pointer && d.message.contains(message);
        QVERIFY2(found, qPrintable(Model::toStrings(loaded.errors).join(u'\n')));
    }

    void variableReferencesAreNotPlaintext()
    {
        const QJsonObject document = QJsonDocument::fromJson("{\"auth\": {\"token\": \"{{token}}\", \"password\": \"{{ x }}z\"}}").object();
        const Model::Diagnostics found = Model::findPlaintextSecrets(u"collections/c.json"_s, document);
        QCOMPARE(found.size(), 1);   // "{{ x }}z" is more than a reference
        QCOMPARE(found.first().pointer, u"/auth/password"_s);
    }

    void substitution()
    {
        QTemporaryDir secrets;
        QFile secret(secrets.filePath(u"shop.token"_s));
        QVERIFY(secret.open(QIODevice::WriteOnly));
        secret.write("s3cr3t-token\n");
        secret.close();
        Variables v(std::make_shared<Security::DirectorySecretResolver>(secrets.path()));
        v.addScope(u"collection"_s, QList<KeyValue>{{u"host"_s, u"{{scheme}}://shop"_s, true, {}, {}},
                                                   {u"off"_s, u"x"_s, false, {}, {}}});
        v.addScope(u"environment"_s, QList<std::pair<QString, Credential>>{{u"host"_s, {{}, u"ignored"_s}},
                                                                          {u"scheme"_s, {{}, u"https"_s}},
                                                                          {u"token"_s, {u"shop.token"_s, {}}},
                                                                          {u"missing"_s, {u"no.such"_s, {}}}});
        v.addScope(u"--var"_s, QList<std::pair<QString, Credential>>{{u"id"_s, {{}, u"7"_s}}});

        QCOMPARE(*v.substitute(u"{{host}}/orders/{{ id }}?t={{token}}"_s, u"here"_s),
                 u"https://shop/orders/7?t=s3cr3t-token"_s);
        QCOMPARE(*v.substitute(u"no placeholders {x}"_s, u"here"_s), u"no placeholders {x}"_s);
        QCOMPARE(v.substitute(u"{{$guid}}"_s, u"here"_s)->size(), 36);

        Result<QString> undefined = v.substitute(u"a {{nope}} b"_s, u"request \"Get\" url"_s);
        QVERIFY(!undefined);
        QCOMPARE(undefined.error().code, u"undefined_variable"_s);
        QVERIFY(undefined.error().message.contains(u"\"nope\""_s));
        QVERIFY(undefined.error().message.contains(u"request \"Get\" url"_s));
        // A disabled variable is not defined.
        QCOMPARE(v.substitute(u"{{off}}"_s, u"x"_s).error().code, u"undefined_variable"_s);
        // A secret that no source has names the variable and the secret.
        Result<QString> missing = v.substitute(u"{{missing}}"_s, u"x"_s);
        QCOMPARE(missing.error().code, u"secret_not_found"_s);
        QVERIFY(missing.error().message.contains(u"missing"_s));

        Variables loop;
        loop.addScope(u"c"_s, QList<KeyValue>{{u"a"_s, u"{{b}}"_s, true, {}, {}}, {u"b"_s, u"{{a}}"_s, true, {}, {}}});
        QCOMPARE(loop.substitute(u"{{a}}"_s, u"x"_s).error().code, u"variable_loop"_s);
        QCOMPARE(Variables::referencedNames(u"{{a}}{{b}}{{a}}"_s), (QStringList{u"a"_s, u"b"_s}));

        // A request's own variables come first.
        const Variables request = v.withFirstScope(u"request"_s, QList<KeyValue>{{u"id"_s, u"9"_s, true, {}, {}}});
        QCOMPARE(*request.substitute(u"{{host}}/{{id}}"_s, u"x"_s), u"https://shop/9"_s);
        QCOMPARE(*v.substitute(u"{{id}}"_s, u"x"_s), u"7"_s);
    }

    void prepareQueryHeadersAndBodies()
    {
        Variables v;
        v.addScope(u"c"_s, QList<KeyValue>{{u"base"_s, u"http://127.0.0.1:8080/api"_s, true, {}, {}},
                                          {u"q"_s, u"a b&c"_s, true, {}, {}}});
        Item item = request(u"post"_s, u"{{base}}/items?fixed=1"_s);
        item.request.query = {{u"q"_s, u"{{q}}"_s, true, {}, {}}, {u"off"_s, u"1"_s, false, {}, {}}};
        item.request.headers = {{u"X-Trace"_s, u"{{q}}"_s, true, {}, {}}, {u"X-Off"_s, u"1"_s, false, {}, {}}};
        item.request.body.mode = Body::Mode::Json;
        item.request.body.content = u"{\"q\": \"{{q}}\"}"_s;
        Result<PreparedRequest> p = prepare(item, v);
        QVERIFY2(p, qPrintable(p ? QString() : p.error().toString()));
        QCOMPARE(p->method, QByteArray("POST"));
        QCOMPARE(p->url.toEncoded(), QByteArray("http://127.0.0.1:8080/api/items?fixed=1&q=a%20b%26c"));
        QCOMPARE(p->header("x-trace"), QByteArray("a b&c"));
        QVERIFY(p->header("X-Off").isEmpty());
        QCOMPARE(p->header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(p->body, QByteArray("{\"q\": \"a b&c\"}"));

        item.request.body.mode = Body::Mode::UrlEncoded;
        item.request.body.fields = {{u"grant_type"_s, u"client_credentials"_s, true, {}, {}},
                                    {u"scope"_s, u"{{q}}"_s, true, {}, {}}, {u"off"_s, u"1"_s, false, {}, {}}};
        p = prepare(item, v);
        QCOMPARE(p->body, QByteArray("grant_type=client_credentials&scope=a%20b%26c"));
        QCOMPARE(p->header("Content-Type"), QByteArray("application/x-www-form-urlencoded"));

        item.request.body.mode = Body::Mode::FormData;
        p = prepare(item, v);
        const QByteArray type = p->header("Content-Type");
        QVERIFY(type.startsWith("multipart/form-data; boundary="));
        const QByteArray boundary = type.mid(type.indexOf('=') + 1);
        QVERIFY(p->body.startsWith("--" + boundary + "\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n"));
        QVERIFY(p->body.endsWith("--" + boundary + "--\r\n"));
        QVERIFY(!p->body.contains("name=\"off\""));

        // An explicit Content-Type header wins over the mode's.
        item.request.headers.append({u"Content-Type"_s, u"application/x-custom"_s, true, {}, {}});
        QCOMPARE(prepare(item, v)->header("Content-Type"), QByteArray("application/x-custom"));
    }

    void prepareErrors_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("header");
        QTest::addColumn<QString>("code");
        QTest::addRow("undefined in url") << u"http://x/{{nope}}"_s << QString() << u"undefined_variable"_s;
        QTest::addRow("not http") << u"ftp://x/file"_s << QString() << u"invalid_url"_s;
        QTest::addRow("header injection") << u"http://x/"_s << u"{{evil}}"_s << u"invalid_header"_s;
        QTest::addRow("undefined in header") << u"http://x/"_s << u"{{nope}}"_s << u"undefined_variable"_s;
    }

    void prepareErrors()
    {
        QFETCH(QString, url);
        QFETCH(QString, header);
        QFETCH(QString, code);
        Variables v;
        v.addScope(u"c"_s, QList<KeyValue>{{u"evil"_s, u"a\r\nX-Injected: 1"_s, true, {}, {}}});
        Item item = request(u"GET"_s, url);
        if (!header.isEmpty())
            item.request.headers = {{u"X-Test"_s, header, true, {}, {}}};
        Result<PreparedRequest> p = prepare(item, v);
        QVERIFY(!p);
        QCOMPARE(p.error().code, code);
        QVERIFY2(p.error().message.contains(u"\"req\""_s), qPrintable(p.error().message));
    }

    void prepareAuth()
    {
        QTemporaryDir secrets;
        QFile secret(secrets.filePath(u"key"_s));
        QVERIFY(secret.open(QIODevice::WriteOnly));
        secret.write("k&y 1");
        secret.close();
        Variables v(std::make_shared<Security::DirectorySecretResolver>(secrets.path()));
        v.addScope(u"c"_s, QList<KeyValue>{{u"user"_s, u"anna"_s, true, {}, {}}, {u"pw"_s, u"p:w"_s, true, {}, {}}});
        const Item item = request(u"GET"_s, u"http://x/a"_s);

        Auth basic;
        basic.type = Auth::Type::Basic;
        basic.username = u"{{user}}"_s;
        basic.password.text = u"{{pw}}"_s;
        Result<PreparedRequest> p = prepare(item, v, basic);
        QCOMPARE(p->header("Authorization"), "Basic " + QByteArray("anna:p:w").toBase64());
        QCOMPARE(p->secretValues, QStringList{u"p:w"_s});

        Auth key;
        key.type = Auth::Type::ApiKey;
        key.inQuery = true;
        key.parameter = u"api_key"_s;
        key.value.secretName = u"key"_s;
        p = prepare(item, v, key);
        QCOMPARE(p->url.toEncoded(), QByteArray("http://x/a?api_key=k%26y%201"));
        key.inQuery = false;
        key.parameter = u"X-Api-Key"_s;
        QCOMPARE(prepare(item, v, key)->header("X-Api-Key"), QByteArray("k&y 1"));

        // {"endpoint": id}: the project endpoint's authentication (shop-api: client credentials).
        Auth endpoint;
        endpoint.type = Auth::Type::Endpoint;
        endpoint.endpoint = u"shop-api"_s;
        Variables withSecret(std::make_shared<Security::DirectorySecretResolver>(secrets.path()));
        p = prepare(item, withSecret, endpoint, sampleProject());
        QCOMPARE(p.error().code, u"secret_not_found"_s);   // shop.client_secret is not in the folder
        QVERIFY(p.error().message.contains(u"client secret"_s));
        QFile clientSecret(secrets.filePath(u"shop.client_secret"_s));
        QVERIFY(clientSecret.open(QIODevice::WriteOnly));
        clientSecret.write("cs");
        clientSecret.close();
        p = prepare(item, withSecret, endpoint, sampleProject());
        QVERIFY2(p, qPrintable(p ? QString() : p.error().toString()));
        QVERIFY(p->oauth2);
        QCOMPARE(p->oauth2->tokenUrl, QUrl(u"https://auth.example.com/oauth2/token"_s));
        QCOMPARE(p->oauth2->clientId, u"conflux-order-hub"_s);
        QCOMPARE(p->oauth2->clientSecret, u"cs"_s);
        QCOMPARE(p->oauth2->scopes, (QStringList{u"orders.read"_s, u"customers.read"_s}));
        endpoint.endpoint = u"nope"_s;
        QCOMPARE(prepare(item, withSecret, endpoint, sampleProject()).error().code, u"unknown_endpoint"_s);
    }

    void effectiveAuthInherits()
    {
        Collection c;
        c.auth.type = Auth::Type::Bearer;
        Item folder;
        folder.isFolder = true;
        folder.items = {request(u"GET"_s, u"http://x"_s), request(u"GET"_s, u"http://y"_s)};
        folder.items[1].auth.type = Auth::Type::None;
        Item inner;
        inner.isFolder = true;
        inner.auth.type = Auth::Type::Basic;
        inner.items = {request(u"GET"_s, u"http://z"_s)};
        folder.items.append(inner);
        c.items = {folder};
        QCOMPARE(effectiveAuth(c, {0, 0}).type, Auth::Type::Bearer);
        QCOMPARE(effectiveAuth(c, {0, 1}).type, Auth::Type::None);
        QCOMPARE(effectiveAuth(c, {0, 2, 0}).type, Auth::Type::Basic);
        c.auth = Auth();
        QCOMPARE(effectiveAuth(c, {0, 0}).type, Auth::Type::None);
    }

    void throughTheGateway()
    {
        const auto project = sampleProject();
        QVERIFY(project);
        const QUrl gateway(u"http://127.0.0.1:18080"_s);
        const Model::Route *orders = nullptr;
        const Model::Route *soap = nullptr;
        for (const Model::Route &r : project->routes) {
            if (r.document.id == u"orders-api")
                orders = &r;
            if (r.document.id == u"partner-soap")
                soap = &r;
        }
        QVERIFY(orders && soap);
        // {id} from the upstream template fills the route's path; path versioning adds /v1.
        Result<QUrl> viaOrders = gatewayUrlFor(QUrl(u"http://127.0.0.1:9102/orders/42?expand=lines"_s), *orders, gateway);
        QVERIFY2(viaOrders, qPrintable(viaOrders ? QString() : viaOrders.error().toString()));
        QCOMPARE(viaOrders->toString(), u"http://127.0.0.1:18080/v1/api/orders/42?expand=lines"_s);
        Result<QUrl> viaSoap = gatewayUrlFor(QUrl(u"http://127.0.0.1:9200/partner"_s), *soap, gateway);
        QVERIFY2(viaSoap, qPrintable(viaSoap ? QString() : viaSoap.error().toString()));
        QCOMPARE(viaSoap->toString(), u"http://127.0.0.1:18080/soap/partner"_s);
        // Already on the gateway: kept.
        QCOMPARE(gatewayUrlFor(QUrl(u"http://127.0.0.1:18080/soap/partner"_s), *soap, gateway)->toString(),
                 u"http://127.0.0.1:18080/soap/partner"_s);
        Result<QUrl> other = gatewayUrlFor(QUrl(u"http://elsewhere/orders/42"_s), *orders, gateway);
        QCOMPARE(other.error().code, u"route_mismatch"_s);
        QVERIFY(other.error().message.contains(u"orders-api"_s));

        // Prepared from the sample collection with its environment's addresses.
        Result<Collection> collection = Collection::fromModel(project->collections.first());
        Variables v;
        v.addScope(u"c"_s, collection->variables);
        v.addScope(u"e"_s, QList<KeyValue>{{u"partner_upstream"_s, u"http://127.0.0.1:9200"_s, true, {}, {}},
                                          {u"partner_api_key"_s, u"k"_s, true, {}, {}}});
        const Item &submit = collection->items.at(1).items.at(0);
        Result<PreparedRequest> p = prepare(submit, v, effectiveAuth(*collection, {1, 0}), project, gateway);
        QVERIFY2(p, qPrintable(p ? QString() : p.error().toString()));
        QCOMPARE(p->url.toString(), u"http://127.0.0.1:18080/soap/partner"_s);
        QCOMPARE(p->route, u"partner-soap"_s);
        QCOMPARE(p->header("X-Api-Key"), QByteArray("k"));
        QCOMPARE(p->header("Content-Type"), QByteArray("text/xml; charset=utf-8"));
        // Without a gateway the upstream itself.
        QCOMPARE(prepare(submit, v, effectiveAuth(*collection, {1, 0}), project)->url.toString(),
                 u"http://127.0.0.1:9200/partner"_s);
    }

    void curlIsShellSafe()
    {
        PreparedRequest r;
        r.method = "PATCH";
        r.url = QUrl(u"http://127.0.0.1:8080/a b?x=$(id)&y='1'"_s);
        r.headers = {{"X-Quote", "it's \"$HOME\" `id` !x"}, {"Authorization", "Bearer t0k"}};
        r.body = "line1\nline2 'q' $VAR \\ end";
        r.secretValues = {u"t0k"_s};
        const QString command = toCurl(r);
        QVERIFY(command.startsWith(u"curl -X PATCH -L -H "_s));
        // A real shell must give every argument back exactly: print them instead of running curl.
        for (bool multiline : {false, true}) {
            CurlOptions options;
            options.multiline = multiline;
            const QString line = toCurl(r, options);
            QProcess shell;
            shell.start(u"/bin/sh"_s, {u"-c"_s, u"printf '%s\\n--\\n' "_s + line.mid(5)});
            QVERIFY(shell.waitForFinished(10000));
            QCOMPARE(shell.exitCode(), 0);
            const QByteArray joined = shell.readAllStandardOutput();
            QVERIFY2(joined.contains("X-Quote: it's \"$HOME\" `id` !x\n--\n"), joined.constData());
            QVERIFY2(joined.contains(r.body + "\n--\n"), joined.constData());
            QVERIFY2(joined.contains(r.url.toEncoded() + "\n--\n"), joined.constData());
        }
        CurlOptions masked;
        masked.maskSecrets = true;
        masked.insecure = true;
        const QString hidden = toCurl(r, masked);
        QVERIFY(!hidden.contains(u"t0k"_s));
        QVERIFY(hidden.contains(u"Bearer *****"_s));
        QVERIFY(hidden.contains(u" -k "_s));
        QCOMPARE(shellQuote(u"plain-arg_1.0"_s), u"plain-arg_1.0"_s);
        QCOMPARE(shellQuote(QString()), u"''"_s);
        QCOMPARE(shellQuote(u"a'b"_s), u"'a'\\''b'"_s);
        // GET without a body needs no -X; a POST with one neither.
        PreparedRequest get;
        get.url = QUrl(u"http://h/"_s);
        get.method = "GET";
        get.followRedirects = false;
        QCOMPARE(toCurl(get), u"curl --url http://h/"_s);
    }

    void assertions_data()
    {
        QTest::addColumn<QJsonObject>("assertion");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("type");
        QTest::addColumn<bool>("passed");
        QTest::addColumn<QString>("message");
        const QByteArray order = "{\"order\": {\"id\": 42, \"lines\": [{\"qty\": 2}, {\"qty\": 3}]}}";
        const QByteArray xml = "<Order id=\"42\"><Line>a</Line><Line>b</Line></Order>";
        auto a = [](const char *json) { return QJsonDocument::fromJson(json).object(); };
        QTest::addRow("status equals") << a("{\"type\": \"status\", \"equals\": 200}") << order << QByteArray("application/json") << true << u"status was 200"_s;
        QTest::addRow("status differs") << a("{\"type\": \"status\", \"equals\": 201}") << order << QByteArray("application/json") << false << u"status was 200"_s;
        QTest::addRow("status one of") << a("{\"type\": \"status\", \"one_of\": [201, 200]}") << order << QByteArray("application/json") << true << QString();
        QTest::addRow("header exists") << a("{\"type\": \"header\", \"header\": \"x-cache\", \"exists\": true}") << order << QByteArray("application/json") << true << QString();
        QTest::addRow("header absent") << a("{\"type\": \"header\", \"header\": \"ETag\", \"exists\": false}") << order << QByteArray("application/json") << true << QString();
        QTest::addRow("header missing") << a("{\"type\": \"header\", \"header\": \"ETag\", \"exists\": true}") << order << QByteArray("application/json") << false << u"no header ETag"_s;
        QTest::addRow("header equals") << a("{\"type\": \"header\", \"header\": \"X-Cache\", \"equals\": \"HIT\"}") << order << QByteArray("application/json") << true << QString();
        QTest::addRow("header repeated") << a("{\"type\": \"header\", \"header\": \"Set-Cookie\", \"equals\": \"a=1, b=2\"}") << order << QByteArray("application/json") << true << QString();
        QTest::addRow("header not equal") << a("{\"type\": \"header\", \"header\": \"X-Cache\", \"equals\": \"MISS\"}") << order << QByteArray("application/json") << false << u"X-Cache was \"HIT\""_s;
        QTest::addRow("header matches") << a("{\"type\": \"header\", \"header\": \"Content-Type\", \"matches\": \"^application/(.+\\\\+)?json\"}") << order << QByteArray("application/json") << true << QString();
        QTest::addRow("bad regex") << a("{\"type\": \"header\", \"header\": \"X-Cache\", \"matches\": \"(unclosed\"}") << order << QByteArray("application/json") << false << u"invalid regular expression"_s;
        QTest::addRow("json expression") << a("{\"type\": \"expression\", \"expression\": \"order.id = 42 and $sum(order.lines.qty) = 5\"}") << order << QByteArray("application/json; charset=utf-8") << true << QString();
        QTest::addRow("bindings") << a("{\"type\": \"expression\", \"expression\": \"$status = 200 and $headers.`x-cache` = 'HIT' and $responseTime < 1000\"}") << order << QByteArray("application/json") << true << QString();
        QTest::addRow("false expression") << a("{\"type\": \"expression\", \"expression\": \"order.id = 7\"}") << order << QByteArray("application/json") << false << u"the expression gave false"_s;
        QTest::addRow("not a boolean") << a("{\"type\": \"expression\", \"expression\": \"order.id\"}") << order << QByteArray("application/json") << false << u"the expression gave 42"_s;
        QTest::addRow("does not compile") << a("{\"type\": \"expression\", \"expression\": \"order.(\"}") << order << QByteArray("application/json") << false << u"does not compile"_s;
        QTest::addRow("xml body") << a("{\"type\": \"expression\", \"expression\": \"Order.`@id` = '42' and $count(Order.Line) = 2\"}") << xml << QByteArray("application/xml") << true << QString();
        QTest::addRow("xml sniffed") << a("{\"type\": \"expression\", \"expression\": \"$count(Order.Line) = 2\"}") << xml << QByteArray("application/octet-stream") << true << QString();
        QTest::addRow("broken json") << a("{\"type\": \"expression\", \"expression\": \"true\"}") << QByteArray("{\"a\": ") << QByteArray("application/json") << false << u"the body could not be read"_s;
        QTest::addRow("time below") << a("{\"type\": \"response_time\", \"below_ms\": 500}") << order << QByteArray("application/json") << true << u"120 ms"_s;
        QTest::addRow("time above") << a("{\"type\": \"response_time\", \"below_ms\": 100}") << order << QByteArray("application/json") << false << u"120 ms"_s;
    }

    void assertions()
    {
        QFETCH(QJsonObject, assertion);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, type);
        QFETCH(bool, passed);
        QFETCH(QString, message);
        QJsonObject document{{u"kind"_s, u"Collection"_s}, {u"id"_s, u"c"_s}, {u"name"_s, u"c"_s},
                             {u"items"_s, QJsonArray{QJsonObject{{u"name"_s, u"r"_s}, {u"method"_s, u"GET"_s},
                                                                 {u"url"_s, u"http://x"_s},
                                                                 {u"assertions"_s, QJsonArray{assertion}}}}}};
        Result<Collection> c = Collection::fromJson(document);
        QVERIFY2(c, qPrintable(c ? QString() : c.error().toString()));
        const QList<AssertionResult> results = evaluateAssertions(c->items.first().request.assertions,
                                                                  jsonResponse(200, body, type));
        QCOMPARE(results.size(), 1);
        QVERIFY2(results.first().passed == passed, qPrintable(results.first().name + u": "_s + results.first().message));
        QVERIFY2(results.first().message.contains(message), qPrintable(results.first().message));
        QVERIFY(!results.first().name.isEmpty());
        // The document form survives a read and a write.
        QCOMPARE(c->toJson().value(u"items"_s), document.value(u"items"_s));
    }

    void parseBodyErrors()
    {
        Result<Data::Value> broken = parseBody(jsonResponse(200, "{\"a\": "));
        QVERIFY(!broken);
        QCOMPARE(broken.error().code, u"json_syntax"_s);
        Result<Data::Value> xml = parseBody(jsonResponse(200, "<a><b>1</b></a>", "text/xml"));
        QVERIFY(xml);
        QCOMPARE(xml->operator[](u"a")[u"b"].toString(), u"1"_s);
        QCOMPARE(parseBody(jsonResponse(200, "plain text", "text/plain"))->toString(), u"plain text"_s);
        QVERIFY(parseBody(jsonResponse(200, {}))->isUndefined());
    }

    void junitIsWellFormed()
    {
        RunReport report;
        report.collectionName = u"Orders <&> \"API\""_s;
        report.elapsedMs = 1500;
        RequestResult ok;
        ok.name = u"get"_s;
        ok.response = jsonResponse(200, "{}");
        ok.assertions = {{u"status is 200"_s, true, {}}};
        ok.sentAt = QDateTime::currentDateTimeUtc();
        RequestResult failed = ok;
        failed.name = u"post & check"_s;
        failed.folders = {u"orders"_s};
        failed.assertions = {{u"status is 201"_s, false, u"status was 200 <!>"_s}, {u"x"_s, true, {}}};
        RequestResult broken;
        broken.name = u"down"_s;
        broken.folders = {u"orders"_s};
        broken.error = makeError("connection_failed", u"GET http://x: Connection refused"_s);
        report.results = {ok, failed, broken};
        QCOMPARE(report.failedCount(), 2);
        QVERIFY(!report.passed());

        QXmlStreamReader xml(toJUnitXml(report));
        struct Case { QString suite, name, failure, error; double time = -1; };
        QList<Case> cases;
        QString suite;
        QMap<QString, QXmlStreamAttributes> suites;
        QXmlStreamAttributes root;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == u"testsuites") {
                root = xml.attributes();
            } else if (xml.name() == u"testsuite") {
                suite = xml.attributes().value(u"name"_s).toString();
                suites.insert(suite, xml.attributes());
            } else if (xml.name() == u"testcase") {
                cases.append({suite, xml.attributes().value(u"name"_s).toString(), {}, {},
                              xml.attributes().value(u"time"_s).toDouble()});
            } else if (xml.name() == u"failure") {
                const QString message = xml.attributes().value(u"message"_s).toString();
                cases.last().failure = message + u'|' + xml.readElementText();
            } else if (xml.name() == u"error") {
                const QString type = xml.attributes().value(u"type"_s).toString();
                cases.last().error = type + u'|' + xml.readElementText();
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(root.value(u"name"_s).toString(), report.collectionName);
        QCOMPARE(root.value(u"tests"_s).toInt(), 3);
        QCOMPARE(root.value(u"failures"_s).toInt(), 1);
        QCOMPARE(root.value(u"errors"_s).toInt(), 1);
        QCOMPARE(root.value(u"time"_s).toString(), u"1.500"_s);
        QCOMPARE(suites.size(), 2);
        QCOMPARE(suites.value(u"orders"_s).value(u"tests"_s).toInt(), 2);
        QCOMPARE(cases.size(), 3);
        QCOMPARE(cases.at(0).suite, report.collectionName);
        QCOMPARE(cases.at(0).time, 0.12);
        QVERIFY(cases.at(0).failure.isEmpty() && cases.at(0).error.isEmpty());
        QCOMPARE(cases.at(1).name, u"post & check"_s);
        QCOMPARE(cases.at(1).failure, u"status is 201: status was 200 <!>|status is 201: status was 200 <!>"_s);
        QCOMPARE(cases.at(2).error, u"connection_failed|GET http://x: Connection refused"_s);
    }

    void historyIsBoundedMaskedAndIgnored()
    {
        QTemporaryDir project;
        History history(project.path(), 4);
        PreparedRequest r;
        r.name = u"login"_s;
        r.method = "POST";
        r.url = QUrl(u"http://x/login?key=hunter2"_s);
        r.headers = {{"Authorization", "Basic abc"}, {"X-Key", "hunter2"}};
        r.body = "password=hunter2";
        r.secretValues = {u"hunter2"_s};
        Response response = jsonResponse(200, "{\"ok\": true}");
        for (int i = 0; i < 9; ++i) {
            r.name = u"login %1"_s.arg(i);
            QVERIFY(history.append(r, response, std::nullopt));
        }
        QVERIFY(history.append(r, std::nullopt, makeError("timeout", u"no answer"_s)));
        Result<QList<HistoryEntry>> entries = history.entries();
        QVERIFY(entries);
        QVERIFY(entries->size() >= 4 && entries->size() <= 5);
        QCOMPARE(entries->last().error, u"no answer"_s);
        QCOMPARE(entries->last().status, 0);
        QCOMPARE(entries->at(entries->size() - 2).status, 200);
        QCOMPARE(entries->at(entries->size() - 2).name, u"login 8"_s);
        const QByteArray file = readFile(history.filePath());
        QVERIFY(!file.contains("hunter2"));
        QVERIFY(!file.contains("Basic abc"));
        QVERIFY(QFile::exists(QDir(project.path()).filePath(u".conflux/.gitignore"_s)));
        QCOMPARE(readFile(QDir(project.path()).filePath(u".conflux/.gitignore"_s)).split('\n').at(1), QByteArray("*"));
        // A damaged line (a crash mid-write) loses only itself.
        QFile append(history.filePath());
        QVERIFY(append.open(QIODevice::Append));
        append.write("{\"time\": \"2026-\n");
        append.close();
        History reopened(project.path(), 4);
        QCOMPARE(reopened.entries()->size(), entries->size());
        QVERIFY(reopened.clear());
        QCOMPARE(reopened.entries()->size(), 0);
    }

    void cancelBeforeStart()
    {
        RequestExecutor executor;
        PreparedRequest r;
        r.method = "GET";
        r.url = QUrl(u"http://127.0.0.1:9/"_s);
        RequestCall *call = executor.send(r);
        bool finished = false;
        connect(call, &RequestCall::finished, this, [&] { finished = true; });
        call->cancel();
        QVERIFY(!finished);   // never from inside cancel()
        QTRY_VERIFY(finished);
        QCOMPARE(call->result().error().code, u"cancelled"_s);
    }
};

QTEST_GUILESS_MAIN(TestTesterCore)
#include "tst_testercore.moc"
