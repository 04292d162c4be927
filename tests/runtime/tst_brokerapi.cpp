// The broker over the node's admin API, as a client in another language would use it: a
// real node on the sample project, real HTTP.

#include "broker/messagebroker.h"
#include "runtime/node.h"
#include "security/tokens.h"
#include "store/statestore.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "testsupport.h"

using namespace Conflux;
using namespace Qt::StringLiterals;

namespace {

struct Reply
{
    int status = 0;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString errorCode() const { return json().value(u"error"_s).toObject().value(u"code"_s).toString(); }
    QJsonArray messages() const { return json().value(u"messages"_s).toArray(); }
};

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

class tst_BrokerApi : public QObject
{
    Q_OBJECT

private:
    Reply request(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        QNetworkRequest req{QUrl(m_base + path)};
        req.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());
        if (!body.isEmpty())
            req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        QNetworkReply *reply = m_network.sendCustomRequest(req, method, body);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        Reply out{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
        reply->deleteLater();
        return out;
    }

    void startNode()
    {
        Runtime::NodeOptions o;
        o.dataFolder = m_data.path();
        o.projectFolder = Conflux::Test::sampleFolder();
        o.adminPort = 0;
        o.gatewayPort = 0;
        m_node = std::make_unique<Runtime::Node>();
        Result<void> started = m_node->start(o);
        QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
        m_base = m_node->adminUrl();
        if (m_token.isEmpty()) {
            m_token = Security::generateToken();
            QVERIFY(m_node->store()->addApiToken(u"broker-test"_s, QString::fromLatin1(Security::hashToken(m_token))));
        }
    }

    void stopNode()
    {
        QSignalSpy stopped(m_node.get(), &Runtime::Node::stopped);
        m_node->stop();
        QVERIFY(stopped.wait(10000));
        m_node.reset();
    }

    QTemporaryDir m_data;
    std::unique_ptr<Runtime::Node> m_node;
    QString m_base, m_token;
    QNetworkAccessManager m_network;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_data.isValid());
        startNode();
    }

    void cleanupTestCase()
    {
        if (m_node)
            stopNode();
    }

    void queuesOfTheProject()
    {
        Reply r = request("GET", u"/api/v1/queues"_s);
        QCOMPARE(r.status, 200);
        QStringList names;
        for (const QJsonValue &q : r.json().value(u"queues"_s).toArray())
            names.append(q.toObject().value(u"name"_s).toString());
        QCOMPARE(names, (QStringList{u"high-value-orders"_s, u"orders"_s, u"orders-dlq"_s}));
        Reply one = request("GET", u"/api/v1/queues/orders"_s);
        QCOMPARE(one.status, 200);
        const QJsonObject config = one.json().value(u"config"_s).toObject();
        QCOMPARE(config.value(u"queue_type"_s).toString(), u"fifo"_s);
        QCOMPARE(config.value(u"delivery_mode"_s).toString(), u"exactly_once"_s);
        QCOMPARE(config.value(u"visibility_timeout_seconds"_s).toDouble(), 30.0);
        QCOMPARE(request("GET", u"/api/v1/queues/nope"_s).status, 404);
    }

    void publishToTopicIsIdempotentForExactlyOnce()
    {
        const QByteArray body = json({{u"message_id"_s, u"o-1"_s},
                                      {u"group_id"_s, u"customer-7"_s},
                                      {u"payload"_s, QJsonObject{{u"total_amount"_s, 1500}}}});
        Reply first = request("POST", u"/api/v1/topics/orders.created/messages"_s, body);
        QCOMPARE(first.status, 201);
        QCOMPARE(first.json().value(u"message_id"_s).toString(), u"o-1"_s);
        QCOMPARE(first.json().value(u"queues"_s).toArray(), QJsonArray{u"orders"_s});
        Reply again = request("POST", u"/api/v1/topics/orders.created/messages"_s, body);
        QCOMPARE(again.status, 200);
        QVERIFY(again.json().value(u"duplicate"_s).toBool());

        Reply got = request("POST", u"/api/v1/queues/orders/receive?max=10&consumer=c1"_s);
        QCOMPARE(got.status, 200);
        QCOMPARE(got.messages().size(), 1);
        const QJsonObject m = got.messages().first().toObject();
        QCOMPARE(m.value(u"topic"_s).toString(), u"orders.created"_s);
        QCOMPARE(m.value(u"payload"_s).toObject().value(u"total_amount"_s).toInt(), 1500);
        QCOMPARE(m.value(u"delivery_count"_s).toInt(), 1);
        const QString handle = m.value(u"receipt_handle"_s).toString();
        QVERIFY(!handle.isEmpty());
        Reply acked = request("POST", u"/api/v1/queues/orders/ack"_s,
                              json({{u"receipt_handles"_s, QJsonArray{handle, u"1.1"_s}},
                                    {u"consumer_group"_s, u"fulfilment"_s}}));
        QCOMPARE(acked.status, 200);
        QCOMPARE(acked.json().value(u"settled"_s).toInt(), 1);
        QCOMPARE(acked.json().value(u"unknown_receipt_handles"_s).toArray(), QJsonArray{u"1.1"_s});
        QCOMPARE(m_node->broker()->processed(u"orders"_s, u"fulfilment"_s, u"o-1"_s).value(), true);
    }

    void priorityRejectBrowseReplay()
    {
        const QByteArray batch = QJsonDocument(QJsonArray{
            QJsonObject{{u"payload"_s, u"normal"_s}},
            QJsonObject{{u"payload"_s, u"critical"_s}, {u"priority"_s, u"CRITICAL"_s}},
        }).toJson(QJsonDocument::Compact);
        Reply published = request("POST", u"/api/v1/queues/high-value-orders/messages"_s, batch);
        QCOMPARE(published.status, 201);
        QCOMPARE(published.messages().size(), 2);
        Reply got = request("POST", u"/api/v1/queues/high-value-orders/receive?max=10"_s);
        QCOMPARE(got.messages().size(), 2);
        QCOMPARE(got.messages().at(0).toObject().value(u"payload"_s).toString(), u"critical"_s);
        const QString critical = got.messages().at(0).toObject().value(u"receipt_handle"_s).toString();
        const QString normal = got.messages().at(1).toObject().value(u"receipt_handle"_s).toString();
        QCOMPARE(request("POST", u"/api/v1/queues/high-value-orders/ack"_s,
                         json({{u"receipt_handles"_s, QJsonArray{critical}}})).status, 200);
        Reply rejected = request("POST", u"/api/v1/queues/high-value-orders/reject"_s,
                                 json({{u"receipt_handles"_s, QJsonArray{normal}}}));
        QCOMPARE(rejected.json().value(u"settled"_s).toInt(), 1);

        Reply dead = request("GET", u"/api/v1/queues/orders-dlq/messages"_s);
        QCOMPARE(dead.status, 200);
        QCOMPARE(dead.messages().size(), 1);
        const QJsonObject letter = dead.messages().first().toObject();
        QCOMPARE(letter.value(u"dlq_reason"_s).toString(), u"rejected"_s);
        QCOMPARE(letter.value(u"original_queue"_s).toString(), u"high-value-orders"_s);
        Reply stats = request("GET", u"/api/v1/queues/high-value-orders"_s);
        QCOMPARE(stats.json().value(u"dead_letter_depth"_s).toInt(), 1);

        Reply replayed = request("POST", u"/api/v1/queues/orders-dlq/replay"_s);
        QCOMPARE(replayed.status, 200);
        QCOMPARE(replayed.json().value(u"replayed"_s).toInt(), 1);
        got = request("POST", u"/api/v1/queues/high-value-orders/receive"_s);
        QCOMPARE(got.messages().first().toObject().value(u"payload"_s).toString(), u"normal"_s);
        // nack with requeue, then purge it away.
        const QString h = got.messages().first().toObject().value(u"receipt_handle"_s).toString();
        QCOMPARE(request("POST", u"/api/v1/queues/high-value-orders/nack"_s,
                         json({{u"receipt_handles"_s, QJsonArray{h}}, {u"requeue"_s, true}})).status, 200);
        Reply purged = request("DELETE", u"/api/v1/queues/high-value-orders/messages"_s);
        QCOMPARE(purged.json().value(u"purged"_s).toInt(), 1);
    }

    void unroutedTopicsAreDeadLettered()
    {
        // The sample project says "unrouted": "dead_letter".
        Reply r = request("POST", u"/api/v1/topics/invoices.paid/messages"_s, QByteArray(R"({"payload": 1})"));
        QCOMPARE(r.status, 201);
        QCOMPARE(r.json().value(u"queues"_s).toArray(), QJsonArray{u"orders-dlq"_s});
        Reply dead = request("POST", u"/api/v1/queues/orders-dlq/receive"_s);
        QCOMPARE(dead.messages().size(), 1);
        const QJsonObject letter = dead.messages().first().toObject();
        QCOMPARE(letter.value(u"dlq_reason"_s).toString(), u"routing_failed"_s);
        QCOMPARE(letter.value(u"original_topic"_s).toString(), u"invoices.paid"_s);
        QCOMPARE(request("POST", u"/api/v1/queues/orders-dlq/ack"_s,
                         json({{u"receipt_handles"_s, QJsonArray{letter.value(u"receipt_handle"_s)}}})).status, 200);
    }

    void longPoll()
    {
        QElapsedTimer timer;
        timer.start();
        Reply empty = request("POST", u"/api/v1/queues/high-value-orders/receive?max=5&wait=0.3"_s);
        QCOMPARE(empty.status, 200);
        QCOMPARE(empty.messages().size(), 0);
        QVERIFY(timer.elapsed() >= 250);
    }

    void badRequests_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        const QByteArray post = "POST";
        QTest::addRow("not json") << post << u"/api/v1/queues/orders/messages"_s << QByteArray("{oops") << 400 << u"invalid_request"_s;
        QTest::addRow("no payload") << post << u"/api/v1/queues/orders/messages"_s << QByteArray("{}") << 400 << u"broker_invalid_message"_s;
        QTest::addRow("unknown queue") << post << u"/api/v1/queues/nope/messages"_s << QByteArray(R"({"payload": 1})") << 404 << u"broker_unknown_queue"_s;
        QTest::addRow("wildcard topic") << post << u"/api/v1/topics/orders.*/messages"_s << QByteArray(R"({"payload": 1})") << 400 << u"broker_invalid_message"_s;
        QTest::addRow("max zero") << post << u"/api/v1/queues/orders/receive?max=0"_s << QByteArray() << 400 << u"invalid_request"_s;
        QTest::addRow("wait too long") << post << u"/api/v1/queues/orders/receive?wait=600"_s << QByteArray() << 400 << u"invalid_request"_s;
        QTest::addRow("ack without handles") << post << u"/api/v1/queues/orders/ack"_s << QByteArray("{}") << 400 << u"invalid_request"_s;
        QTest::addRow("ack handles not strings") << post << u"/api/v1/queues/orders/ack"_s << QByteArray(R"({"receipt_handles": [1]})") << 400 << u"invalid_request"_s;
        QTest::addRow("receive by GET") << QByteArray("GET") << u"/api/v1/queues/orders/receive"_s << QByteArray() << 405 << u"method_not_allowed"_s;
        QTest::addRow("unknown action") << post << u"/api/v1/queues/orders/explode"_s << QByteArray() << 404 << u"not_found"_s;
    }

    void badRequests()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, code);
        Reply r = request(method, path, body);
        QCOMPARE(r.status, status);
        QCOMPARE(r.errorCode(), code);
        // The node keeps serving.
        QCOMPARE(request("GET", u"/api/v1/queues"_s).status, 200);
    }

    void metrics()
    {
        QNetworkReply *reply = m_network.get(QNetworkRequest(QUrl(m_base + u"/metrics"_s)));
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        const QByteArray text = reply->readAll();
        reply->deleteLater();
        QVERIFY(text.contains("message_broker_messages_produced_total{queue=\"orders\"} 1\n"));
        QVERIFY(text.contains("message_broker_messages_consumed_total{queue=\"orders\"} 1\n"));
        QVERIFY(text.contains("message_broker_dead_lettered_total{queue=\"high-value-orders\"} 1\n"));
        QVERIFY(text.contains("message_broker_queue_size{queue=\"orders-dlq\"} 0\n"));
        QVERIFY(text.contains("message_broker_consumer_lag{queue=\"orders\"} 0\n"));
        QVERIFY(text.contains("# TYPE message_broker_publish_to_ack_seconds histogram\n"));
        QVERIFY(text.contains("message_broker_publish_to_ack_seconds_count 3\n"));
        QVERIFY(text.contains("# TYPE message_broker_consumer_messages_total counter\n"));
        QVERIFY(text.contains("message_broker_consumer_messages_total{consumer=\"order-processor\",outcome=\"acked\"} 0\n"));
        QVERIFY(text.contains("message_broker_consumer_failures_total{consumer=\"order-processor\"} 0\n"));
    }

    // The sample's consumer hands its messages to a workflow: listed, waiting for that engine.
    void consumersOfTheProject()
    {
        Reply r = request("GET", u"/api/v1/consumers"_s);
        QCOMPARE(r.status, 200);
        const QJsonArray consumers = r.json().value(u"consumers"_s).toArray();
        QCOMPARE(consumers.size(), 1);
        const QJsonObject c = consumers.first().toObject();
        QCOMPARE(c.value(u"id"_s).toString(), u"order-processor"_s);
        QCOMPARE(c.value(u"queue"_s).toString(), u"orders"_s);
        QCOMPARE(c.value(u"group"_s).toString(), u"fulfilment"_s);
        QCOMPARE(c.value(u"state"_s).toString(), u"waiting"_s);
        QCOMPARE(c.value(u"handler"_s).toObject().value(u"type"_s).toString(), u"workflow"_s);
        QCOMPARE(c.value(u"handler"_s).toObject().value(u"target"_s).toString(), u"order-fulfilment"_s);
        QVERIFY(c.value(u"last_error"_s).isNull());
        QCOMPARE(request("POST", u"/api/v1/consumers"_s).status, 405);
    }

    void messagesSurviveANodeRestart()
    {
        Reply published = request("POST", u"/api/v1/queues/high-value-orders/messages"_s,
                                  json({{u"payload"_s, u"kept"_s}, {u"delay_seconds"_s, 0.2}}));
        QCOMPARE(published.status, 201);
        stopNode();
        startNode();
        Reply got = request("POST", u"/api/v1/queues/high-value-orders/receive?wait=5"_s);
        QCOMPARE(got.status, 200);
        QCOMPARE(got.messages().size(), 1);
        QCOMPARE(got.messages().first().toObject().value(u"payload"_s).toString(), u"kept"_s);
    }
};

QTEST_GUILESS_MAIN(tst_BrokerApi)
#include "tst_brokerapi.moc"
