// The endpoints of a node's project through the admin API, over real HTTP: list, describe,
// connection tests, discovery and record previews against SQLite, a local REST server and the
// embedded broker; the errors of each; and an admin server that keeps answering while a
// remote system is slow.

#include "broker/messagebroker.h"
#include "connectors/testhttpserver.h"
#include "runtime/node.h"
#include "security/tokens.h"
#include "store/statestore.h"
#include "adminapitest.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "testsupport.h"

using namespace Conflux;
using namespace Qt::StringLiterals;

using Conflux::Test::byId;
using Conflux::Test::endpointDocument;
using Conflux::Test::writeFile;
using Reply = Conflux::Test::AdminReply;

class tst_EndpointApi : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_project;
    QTemporaryDir m_data;
    Tests::TestHttpServer m_http;
    QSemaphore m_release;      // the slow route waits for this
    QSemaphore m_slowArrived;  // signalled when the slow route has its request
    Runtime::Node m_node;
    QString m_token;
    QNetworkAccessManager m_network;

    Reply request(const QByteArray &method, const QString &path, const QString &token)
    {
        return Test::adminRequest(m_network, method, QUrl(m_node.adminUrl() + path), token);
    }
    Reply get(const QString &path) { return request("GET", path, m_token); }
    Reply post(const QString &path) { return request("POST", path, m_token); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_project.isValid() && m_data.isValid());
        QVERIFY(m_http.isListening());
        m_http.setHandler([this](const Http::HttpRequest &request) {
            if (request.path == u"/slow/items") {
                m_slowArrived.release();
                m_release.acquire();
            }
            Http::HttpResponse response(200, "{\"data\": [{\"sku\": \"A-1\", \"qty\": 3}, {\"sku\": \"B-2\", \"qty\": 1}]}",
                                        "application/json");
            response.setHeader("Server", "test-shop/1.0");
            return response;
        });

        // A SQLite database in the project folder, referred to by a relative path.
        const QString dbPath = m_project.filePath(u"data/shop.db"_s);
        QDir().mkpath(QFileInfo(dbPath).absolutePath());
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"setup"_s);
            db.setDatabaseName(dbPath);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY2(q.exec(u"create table customers (id integer primary key, name text not null, updated_at text)"_s),
                     qPrintable(q.lastError().text()));
            QVERIFY(q.exec(u"insert into customers values (1, 'Ada', '2024-01-01'), (2, 'Linus', '2024-02-01'), "
                           "(3, 'Grace', '2024-03-01')"_s));
            db.close();
        }
        QSqlDatabase::removeDatabase(u"setup"_s);

        const QString shop = m_http.url(u"/"_s).toString();
        const QString resources =
            u"\"configuration\": {\"resources\": [{\"name\": \"items\", \"path\": \"/items\", "
            "\"record_selector\": \"/data\", \"primary_key\": [\"sku\"]}]}"_s;
        QVERIFY(writeFile(m_project.filePath(u"project.json"_s),
                          "{\"kind\": \"Project\", \"schemaVersion\": 1, \"id\": \"endpoints\", \"name\": \"Endpoints\"}\n"));
        QVERIFY(writeFile(m_project.filePath(u"endpoints/shop-db.json"_s),
                          endpointDocument(u"shop-db"_s, u"database"_s, u"sql"_s, u"\"url\": \"sqlite:data/shop.db\""_s)));
        QVERIFY(writeFile(m_project.filePath(u"endpoints/shop-api.json"_s),
                          endpointDocument(u"shop-api"_s, u"api"_s, u"rest"_s,
                                           u"\"url\": \"%1\", %2"_s.arg(shop, resources))));
        QVERIFY(writeFile(m_project.filePath(u"endpoints/slow-api.json"_s),
                          endpointDocument(u"slow-api"_s, u"api"_s, u"rest"_s,
                                           u"\"url\": \"%1slow\", %2"_s.arg(shop, resources))));
        // Nothing listens on port 9 of the loopback.
        QVERIFY(writeFile(m_project.filePath(u"endpoints/down-api.json"_s),
                          endpointDocument(u"down-api"_s, u"api"_s, u"rest"_s,
                                           u"\"url\": \"http://127.0.0.1:9/\", %1"_s.arg(resources))));
        // A secret nobody provides.
        QVERIFY(writeFile(m_project.filePath(u"endpoints/locked-api.json"_s),
                          endpointDocument(u"locked-api"_s, u"api"_s, u"rest"_s,
                                           u"\"url\": \"%1\", \"authentication\": {\"type\": \"bearer\", \"token\": "
                                           "{\"secret\": \"tst-endpointapi.never-set\"}}, %2"_s
                                               .arg(shop, resources))));
        QVERIFY(writeFile(m_project.filePath(u"endpoints/events.json"_s),
                          endpointDocument(u"events"_s, u"message_queue"_s, u"conflux_broker"_s,
                                           u"\"configuration\": {\"queue\": \"events\"}"_s)));
        QVERIFY(writeFile(m_project.filePath(u"queues/events.json"_s),
                          "{\"kind\": \"Queue\", \"schemaVersion\": 1, \"id\": \"events\", \"name\": \"Events\", \"queue_type\": \"standard\"}\n"));

        Runtime::NodeOptions options;
        options.dataFolder = m_data.path();
        options.projectFolder = m_project.path();
        options.adminPort = 0;
        options.gatewayEnabled = false;
        VERIFY_OK(m_node.start(options));
        m_token = Security::generateToken();
        VERIFY_OK(m_node.store()->addApiToken(u"tester"_s, QString::fromLatin1(Security::hashToken(m_token))));
    }

    void cleanupTestCase()
    {
        m_release.release(100);
        if (m_node.state() != Runtime::Node::State::Running)
            return;
        QSignalSpy stopped(&m_node, &Runtime::Node::stopped);
        m_node.stop();
        QVERIFY(stopped.wait(15'000));
    }

    void needsAToken()
    {
        const Reply reply = request("GET", u"/api/v1/endpoints"_s, {});
        QCOMPARE(reply.status, 401);
        QCOMPARE(reply.json()[u"error"][u"code"].toString(), u"unauthorized"_s);
        QCOMPARE(request("POST", u"/api/v1/endpoints/shop-db/test"_s, u"cfx_not_a_real_token"_s).status, 401);
    }

    void listsEveryEndpoint()
    {
        const Reply reply = get(u"/api/v1/endpoints"_s);
        QCOMPARE(reply.status, 200);
        const QJsonArray list = reply.json()[u"endpoints"].toArray();
        QCOMPARE(list.size(), 6);
        const QJsonObject db = byId(list, u"shop-db"_s);
        QCOMPARE(db[u"protocol"].toString(), u"sql"_s);
        QCOMPARE(db[u"file"].toString(), u"endpoints/shop-db.json"_s);
        const QJsonArray capabilities = db[u"capabilities"].toArray();
        QVERIFY(capabilities.contains(u"upsert"_s));
        QVERIFY(capabilities.contains(u"transactions"_s));
        QVERIFY(byId(list, u"events"_s)[u"capabilities"].toArray().contains(u"consuming_read"_s));
        QVERIFY(!byId(list, u"shop-api"_s)[u"capabilities"].toArray().contains(u"consuming_read"_s));
    }

    void describesOneEndpoint()
    {
        const Reply reply = get(u"/api/v1/endpoints/locked-api"_s);
        QCOMPARE(reply.status, 200);
        const QJsonObject out = reply.json();
        // The document as written: the secret stays a reference.
        QCOMPARE(out[u"document"][u"authentication"][u"token"][u"secret"].toString(), u"tst-endpointapi.never-set"_s);
        QCOMPARE(get(u"/api/v1/endpoints/no-such-endpoint"_s).status, 404);
        QCOMPARE(get(u"/api/v1/endpoints/no-such-endpoint"_s).json()[u"error"][u"code"].toString(),
                 u"endpoint_not_found"_s);
    }

    void testsConnections()
    {
        Reply reply = post(u"/api/v1/endpoints/shop-db/test"_s);
        QCOMPARE(reply.status, 200);
        QVERIFY2(reply.json()[u"ok"].toBool(), reply.body.constData());
        QVERIFY(reply.json()[u"server_info"].toString().startsWith(u"SQLite 3."_s));
        QVERIFY(reply.json()[u"latency_ms"].isDouble());

        reply = post(u"/api/v1/endpoints/shop-api/test"_s);
        QCOMPARE(reply.status, 200);
        QVERIFY2(reply.json()[u"ok"].toBool(), reply.body.constData());
        QCOMPARE(reply.json()[u"server_info"].toString(), u"HTTP 200, test-shop/1.0"_s);

        // A failing connection is an answer, not an API error.
        reply = post(u"/api/v1/endpoints/down-api/test"_s);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json()[u"ok"].toBool(true), false);
        QCOMPARE(reply.json()[u"error"][u"code"].toString(), u"connection_failed"_s);
        QVERIFY(reply.json()[u"error"][u"message"].toString().contains(u"127.0.0.1:9"_s));

        reply = post(u"/api/v1/endpoints/locked-api/test"_s);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json()[u"ok"].toBool(true), false);
        QCOMPARE(reply.json()[u"error"][u"code"].toString(), u"secret_not_found"_s);
        QVERIFY(reply.json()[u"error"][u"message"].toString().contains(u"tst-endpointapi.never-set"_s));

        QCOMPARE(post(u"/api/v1/endpoints/nope/test"_s).status, 404);
        QCOMPARE(get(u"/api/v1/endpoints/shop-db/test"_s).status, 405);
    }

    void discoversEntities()
    {
        Reply reply = get(u"/api/v1/endpoints/shop-db/entities"_s);
        QCOMPARE(reply.status, 200);
        const QJsonArray entities = reply.json()[u"entities"].toArray();
        QCOMPARE(entities.size(), 1);
        const QJsonObject customers = entities[0].toObject();
        QCOMPARE(customers[u"name"].toString(), u"customers"_s);
        QCOMPARE(customers[u"key_fields"].toArray(), QJsonArray{u"id"_s});
        QStringList fields;
        for (const QJsonValue &field : customers[u"fields"][u"children"].toArray())
            fields.append(field[u"name"].toString());
        QCOMPARE(fields, (QStringList{u"id"_s, u"name"_s, u"updated_at"_s}));

        reply = get(u"/api/v1/endpoints/shop-db/entities?entity=customers&fields=false"_s);
        QCOMPARE(reply.status, 200);
        QVERIFY(!reply.json()[u"entities"][0].toObject().contains(u"fields"_s));

        reply = get(u"/api/v1/endpoints/shop-db/entities?entity=orders"_s);
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.json()[u"error"][u"code"].toString(), u"entity_not_found"_s);
        QCOMPARE(get(u"/api/v1/endpoints/shop-db/entities?fields=maybe"_s).status, 400);

        // An inline REST endpoint declares its resources: discovery needs no call.
        reply = get(u"/api/v1/endpoints/down-api/entities"_s);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json()[u"entities"][0][u"key_fields"].toArray(), QJsonArray{u"sku"_s});
        QCOMPARE(post(u"/api/v1/endpoints/shop-db/entities"_s).status, 405);
    }

    void previewsRecords()
    {
        Reply reply = get(u"/api/v1/endpoints/shop-db/records?entity=customers&limit=2&fields=id,name"_s);
        QCOMPARE(reply.status, 200);
        QJsonObject out = reply.json();
        QCOMPARE(out[u"count"].toInt(), 2);
        QCOMPARE(out[u"limit_reached"].toBool(), true);
        QCOMPARE(out[u"records"][0].toObject(), (QJsonObject{{u"id"_s, 1}, {u"name"_s, u"Ada"_s}}));

        reply = get(u"/api/v1/endpoints/shop-api/records?entity=items"_s);
        QCOMPARE(reply.status, 200);
        out = reply.json();
        QCOMPARE(out[u"count"].toInt(), 2);
        QCOMPARE(out[u"records"][1][u"sku"].toString(), u"B-2"_s);

        // The remote system failing is a 502 that says where; a missing secret, a 409.
        // (The connection test above failed too: the endpoint's circuit may be open by now.)
        reply = get(u"/api/v1/endpoints/down-api/records?entity=items"_s);
        QCOMPARE(reply.status, 502);
        const QString code = reply.json()[u"error"][u"code"].toString();
        QVERIFY2(code == u"connection_failed" || code == u"circuit_open", qPrintable(code));
        reply = get(u"/api/v1/endpoints/locked-api/records?entity=items"_s);
        QCOMPARE(reply.status, 409);
        QCOMPARE(reply.json()[u"error"][u"code"].toString(), u"secret_not_found"_s);

        QCOMPARE(get(u"/api/v1/endpoints/shop-db/records"_s).status, 400);
        QCOMPARE(get(u"/api/v1/endpoints/shop-db/records?entity=customers&limit=0"_s).status, 400);
        QCOMPARE(get(u"/api/v1/endpoints/shop-db/records?entity=customers&limit=1001"_s).status, 400);
        QCOMPARE(get(u"/api/v1/endpoints/shop-db/records?entity=customers&limit=ten"_s).status, 400);
    }

    void aQueuePreviewMustSayItConsumes()
    {
        Broker::Message message;
        message.payload = Data::Value::fromQJson(QJsonObject{{u"order"_s, 42}});
        QVERIFY(m_node.broker());
        VERIFY_OK(m_node.broker()->publish(u"events"_s, message));

        Reply reply = get(u"/api/v1/endpoints/events/records?entity=events"_s);
        QCOMPARE(reply.status, 409);
        QCOMPARE(reply.json()[u"error"][u"code"].toString(), u"preview_consumes"_s);
        // Refused before reading: the message still waits.
        Result<QList<Broker::QueueStats>> stats = m_node.broker()->stats();
        VERIFY_OK(stats);
        qint64 depth = -1;
        for (const Broker::QueueStats &s : *stats) {
            if (s.name == u"events")
                depth = s.depth;
        }
        QCOMPARE(depth, 1);

        reply = get(u"/api/v1/endpoints/events/records?entity=events&consume=true"_s);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json()[u"records"].toArray(), (QJsonArray{QJsonObject{{u"order"_s, 42}}}));
    }

    void keepsServingWhileARemoteSystemIsSlow()
    {
        // The slow server holds its answer until released; meanwhile the admin API answers.
        QNetworkRequest slow{QUrl(m_node.adminUrl() + u"/api/v1/endpoints/slow-api/test"_s)};
        slow.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());
        QNetworkReply *pending = m_network.post(slow, QByteArray());
        // (QTRY evaluates its expression more than once: no side effects in it.)
        QTRY_VERIFY_WITH_TIMEOUT(m_slowArrived.available() > 0 || pending->isFinished(), 10'000);
        if (pending->isFinished()) {
            QStringList seen;
            for (const Http::HttpRequest &r : m_http.requests())
                seen.append(r.path);
            QFAIL(qPrintable(u"the slow call ended at once: "_s + QString::fromUtf8(pending->readAll()) + u" after "_s
                             + seen.join(u", "_s)));
        }
        m_slowArrived.acquire();
        QCOMPARE(request("GET", u"/health"_s, {}).status, 200);
        QCOMPARE(get(u"/api/v1/endpoints/shop-db/entities?fields=false"_s).status, 200);
        QVERIFY(!pending->isFinished());
        m_release.release();
        QTRY_VERIFY_WITH_TIMEOUT(pending->isFinished(), 10'000);
        const QJsonObject out = QJsonDocument::fromJson(pending->readAll()).object();
        QVERIFY(out[u"ok"].toBool());
        pending->deleteLater();
    }

    void countsRequestsInTheMetrics()
    {
        const QByteArray metrics = request("GET", u"/metrics"_s, {}).body;
        QVERIFY(metrics.contains("conflux_admin_requests_total{route=\"/api/v1/endpoints/{id}/test\",code=\"200\"}"));
        QVERIFY(metrics.contains("conflux_admin_requests_total{route=\"/api/v1/endpoints/{id}/records\",code=\"409\"}"));
    }
};

QTEST_GUILESS_MAIN(tst_EndpointApi)
#include "tst_endpointapi.moc"
