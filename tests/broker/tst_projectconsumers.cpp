// The project's webhook consumers on the real embedded broker, against a local HTTP
// receiver: acks on 2xx, retries with backoff on 5xx, dead-letters on other 4xx.

#include "broker/embeddedbroker.h"
#include "broker/projectconsumers.h"
#include "data/json.h"
#include "model/project.h"

#include <QTemporaryDir>
#include <QTest>

#include "testsupport.h"
#include "webhookserver.h"

using namespace Conflux;
using namespace Conflux::Broker;
using namespace Qt::StringLiterals;
using Conflux::Test::WebhookServer;

namespace {

Model::Consumer consumerDocument(const QString &id, const QString &queue, const QString &type, const QString &target)
{
    Model::Consumer c;
    c.document.kind = Model::DocumentKind::Consumer;
    c.document.id = id;
    c.queue = queue;
    c.group = u"g-"_s + id;
    c.handlerType = type;
    c.handlerTarget = target;
    c.prefetch = 5;
    c.processingTimeoutSeconds = 10;
    return c;
}

Message order(int n)
{
    Message m;
    m.payload = Data::Value(Data::Object{{u"order"_s, Data::Value(n)}});
    return m;
}

qint64 depthOf(MessageBroker &broker, const QString &queue)
{
    const auto all = broker.stats();
    if (all) {
        for (const QueueStats &s : *all) {
            if (s.name == queue)
                return s.depth + s.inFlight + s.delayed;
        }
    }
    return -1;
}

} // namespace

class TestProjectConsumers : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_count = 0;

    std::unique_ptr<EmbeddedBroker> openBroker()
    {
        EmbeddedBroker::Options o;
        o.databasePath = m_dir.filePath(u"broker-%1.db"_s.arg(++m_count));
        auto broker = std::make_unique<EmbeddedBroker>(o);
        if (!broker->open())
            return nullptr;
        QueueConfig dlq;
        dlq.name = u"dlq"_s;
        dlq.type = QueueType::DeadLetter;
        QueueConfig orders;
        orders.name = u"orders"_s;
        orders.deadLetterQueue = u"dlq"_s;
        if (!broker->declareQueue(dlq) || !broker->declareQueue(orders))
            return nullptr;
        return broker;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void webhookReceivesEachMessage()
    {
        auto broker = openBroker();
        QVERIFY(broker);
        WebhookServer server({200});
        Model::Project project;
        project.consumers.append(consumerDocument(u"to-crm"_s, u"orders"_s, u"webhook"_s, server.url()));
        project.consumers.append(consumerDocument(u"fulfil"_s, u"orders"_s, u"workflow"_s, u"order-fulfilment"_s));
        QStringList problems;
        auto consumers = ProjectConsumers::start(project, *broker, {}, &problems);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QCOMPARE(consumers->running(), QStringList{u"to-crm"_s});
        QCOMPARE(consumers->waiting(), QStringList{u"fulfil"_s});
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            auto receipt = broker->publish(u"orders"_s, order(i));
            VERIFY_OK(receipt);
            ids.append(receipt->messageId);
        }
        QTRY_COMPARE(server.requests().size(), 3);
        QTRY_COMPARE(consumers->stats().at(u"to-crm"_s).acked, 3u);
        QStringList seen;
        for (const WebhookServer::Request &r : server.requests()) {
            seen.append(QString::fromUtf8(r.header("X-Conflux-Message-Id")));
            QCOMPARE(r.header("X-Conflux-Queue"), "orders"_ba);
            QCOMPARE(r.header("X-Conflux-Consumer"), "to-crm"_ba);
            QCOMPARE(r.header("X-Conflux-Delivery-Count"), "1"_ba);
            QCOMPARE(r.header("Content-Type"), "application/json"_ba);
            auto body = Data::Json::parse(r.body);
            VERIFY_OK(body);
            QCOMPARE((*body)[u"message_id"].toString(), QString::fromUtf8(r.header("X-Conflux-Message-Id")));
            QVERIFY((*body)[u"payload"][u"order"].isNumber());
        }
        seen.sort();
        ids.sort();
        QCOMPARE(seen, ids);
        QCOMPARE(depthOf(*broker, u"orders"_s), 0);
    }

    // A 503 is retried after the backoff (delivery count 2), then acked.
    void serverErrorIsRetried()
    {
        auto broker = openBroker();
        QVERIFY(broker);
        WebhookServer server({503, 200});
        Model::Project project;
        project.consumers.append(consumerDocument(u"hook"_s, u"orders"_s, u"webhook"_s, server.url()));
        auto consumers = ProjectConsumers::start(project, *broker, {});
        VERIFY_OK(broker->publish(u"orders"_s, order(1)));
        QTRY_COMPARE_WITH_TIMEOUT(server.requests().size(), 2, 10000);
        QCOMPARE(server.requests().at(1).header("X-Conflux-Delivery-Count"), "2"_ba);
        QTRY_COMPARE(consumers->stats().at(u"hook"_s).acked, 1u);
        QCOMPARE(consumers->stats().at(u"hook"_s).retried, 1u);
        QCOMPARE(depthOf(*broker, u"dlq"_s), 0);
    }

    // A 422 says the receiver will never take it: dead-lettered as rejected, at once.
    void clientErrorDeadLetters()
    {
        auto broker = openBroker();
        QVERIFY(broker);
        WebhookServer server({422});
        Model::Project project;
        project.consumers.append(consumerDocument(u"hook"_s, u"orders"_s, u"webhook"_s, server.url()));
        auto consumers = ProjectConsumers::start(project, *broker, {});
        VERIFY_OK(broker->publish(u"orders"_s, order(1)));
        QTRY_COMPARE(depthOf(*broker, u"dlq"_s), 1);
        QCOMPARE(server.requests().size(), 1);
        auto letters = broker->browse(u"dlq"_s, 0, 1);
        VERIFY_OK(letters);
        QCOMPARE(deadLetterReasonName(letters->first().dlqReason), u"rejected"_s);
        QCOMPARE(consumers->stats().at(u"hook"_s).rejected, 1u);
    }

    // A consumer of a queue the broker does not have is reported; the others run.
    void missingQueueIsReported()
    {
        auto broker = openBroker();
        QVERIFY(broker);
        WebhookServer server({200});
        Model::Project project;
        project.consumers.append(consumerDocument(u"lost"_s, u"nowhere"_s, u"webhook"_s, server.url()));
        project.consumers.append(consumerDocument(u"fine"_s, u"orders"_s, u"webhook"_s, server.url()));
        QStringList problems;
        auto consumers = ProjectConsumers::start(project, *broker, {}, &problems);
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems.first().contains(u"lost"_s) && problems.first().contains(u"nowhere"_s),
                 qPrintable(problems.first()));
        QCOMPARE(consumers->running(), QStringList{u"fine"_s});
        VERIFY_OK(broker->publish(u"orders"_s, order(1)));
        QTRY_COMPARE(consumers->stats().at(u"fine"_s).acked, 1u);
    }
};

QTEST_GUILESS_MAIN(TestProjectConsumers)
#include "tst_projectconsumers.moc"
