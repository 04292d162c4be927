#pragma once

#include "base/result.h"
#include "gateway/httprequest.h"
#include "gateway/httpresponse.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>

namespace Conflux::Broker {
class MessageBroker;
struct ConsumerStatus;
struct Message;
struct PublishReceipt;
}

namespace Conflux::Runtime {

// The broker's part of the admin API (see README "Admin API"), so that a client in any
// language can publish and consume:
//
//   POST   /api/v1/topics/{topic}/messages        publish to a topic (routing rules, bindings)
//   POST   /api/v1/queues/{queue}/messages        publish to a queue (an object, or an array: one batch)
//   GET    /api/v1/queues/{queue}/messages        browse (?offset=&limit=)
//   DELETE /api/v1/queues/{queue}/messages        purge
//   POST   /api/v1/queues/{queue}/receive         ?max=N&wait=S&visibility=S&consumer=ID
//   POST   /api/v1/queues/{queue}/ack             {"receipt_handles": [...], "consumer_group": "g"}
//   POST   /api/v1/queues/{queue}/nack            {"receipt_handles": [...], "requeue": true, "delay_seconds": 0}
//   POST   /api/v1/queues/{queue}/reject          {"receipt_handles": [...]}
//   POST   /api/v1/queues/{queue}/replay          {"message_ids": [...]} or empty: every dead letter
//   POST   /api/v1/queues/{queue}/purge           the same as DELETE .../messages
//   GET    /api/v1/queues                         every queue's statistics
//   GET    /api/v1/queues/{queue}                 one queue's configuration and statistics
//   GET    /api/v1/consumers                      the project's consumers: running or waiting, statistics
//
// Publishes answer 201 once the message is durable (200 with "duplicate": true when an
// exactly-once id was already seen). A long-polling receive (wait up to 20 s) runs a nested
// event loop on the admin server's thread, which keeps serving other connections meanwhile.
class BrokerApi
{
public:
    // Routes a topic publish (routing rules above the broker); empty: the broker's own
    // topic bindings.
    using TopicPublisher = std::function<Result<Broker::PublishReceipt>(Broker::Message)>;

    // The active project's consumers, for GET /api/v1/consumers and the metrics.
    using ConsumerSource = std::function<QList<Broker::ConsumerStatus>()>;

    explicit BrokerApi(Broker::MessageBroker &broker, TopicPublisher topicPublisher = {});
    void setConsumerSource(ConsumerSource source) { m_consumers = std::move(source); }

    static bool handles(const QString &path);
    // `routeLabel` receives the route template for metrics ("/api/v1/queues/{queue}/ack").
    Http::HttpResponse handle(const Http::HttpRequest &request, QString &routeLabel);

    // message_broker_* families in the Prometheus text format.
    void renderMetrics(QByteArray &out);

    static constexpr int maxWaitSeconds = 20;
    static constexpr int maxReceive = 1000;

private:
    Http::HttpResponse publishToQueue(const QString &queue, const Http::HttpRequest &request);
    Http::HttpResponse publishToTopic(const QString &topic, const Http::HttpRequest &request);
    Http::HttpResponse receive(const QString &queue, const Http::HttpRequest &request);
    Http::HttpResponse settle(const QString &queue, const QString &action, const Http::HttpRequest &request);
    Http::HttpResponse replay(const QString &queue, const Http::HttpRequest &request);
    Http::HttpResponse purge(const QString &queue);
    Http::HttpResponse browse(const QString &queue, const Http::HttpRequest &request);
    Http::HttpResponse queueStats(const QString &queue);

    Http::HttpResponse consumers() const;

    Broker::MessageBroker &m_broker;
    TopicPublisher m_topicPublisher;
    ConsumerSource m_consumers;
};

} // namespace Conflux::Runtime
