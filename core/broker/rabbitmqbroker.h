#pragma once

#include "broker/messagebroker.h"

#include <memory>

namespace Conflux::Broker {

namespace Internal {
class RabbitMqBrokerPrivate;
}

// The broker interface on a RabbitMQ 3.10+ server or cluster (AMQP 0-9-1 via rabbitmq-c),
// for deployments where several Conflux nodes share queues. docs/broker-rabbitmq.md maps
// every guarantee in detail; in short:
//   - queues are durable quorum queues (x-delivery-limit, at-least-once dead-lettering),
//     except priority queues, which are durable classic queues with x-max-priority (their
//     delivery limit is counted by Conflux);
//   - topics are one durable topic exchange (<prefix>topics); publishes are persistent and
//     confirmed by the server (publisher confirms) before their callback reports success;
//   - delayed messages wait in a ladder of quorum queues with fixed TTLs (no plugin);
//   - FIFO queues have a single active consumer: one node at a time receives from them,
//     in publish order, at most one message per group in flight;
//   - leases (visibility timeouts) are kept by this object: a lease that runs out returns
//     the message to the queue; a node that dies returns all it held (RabbitMQ requeues
//     the unacked messages of a closed connection);
//   - exactly-once dedup and processed-id records are kept in memory by this object only
//     (bounded, lost on restart, not shared between nodes).
//
// Threading: one worker thread owns the connection (rabbitmq-c is not thread-safe); every
// call is handed to it, blocking calls wait for it, callbacks run on it. Callbacks must not
// call close(); they may call the other functions (those run at once, in line).
// Connection loss fails the call in progress with "broker_unavailable"; the next call
// connects again. Leases of the lost connection are gone (their handles become unknown)
// and RabbitMQ redelivers those messages.
class RabbitMqBroker final : public MessageBroker
{
public:
    struct Options
    {
        QString host = QStringLiteral("127.0.0.1");
        int port = 5672;
        QString virtualHost = QStringLiteral("/");
        QString user = QStringLiteral("guest");
        QString password;
        int heartbeatSeconds = 30;     // AMQP heartbeat; 0 turns it off
        int connectTimeoutMs = 5000;   // TCP connect and AMQP handshake
        int rpcTimeoutMs = 30000;      // a server reply or publisher confirm
        // Names every exchange and queue of this broker on the server: "<prefix><queue>",
        // "<prefix>topics", "<prefix>delay.<n>". Brokers with different prefixes share a
        // server without seeing each other.
        QString namePrefix = QStringLiteral("conflux.");
        qint64 maxPayloadBytes = 1 << 20;  // serialized JSON payload + headers
        int fifoPrefetch = 64;             // FIFO queues: deliveries buffered by the active node
        int dedupCapacity = 100000;        // exactly-once ids remembered per queue
    };

    explicit RabbitMqBroker(Options options);
    ~RabbitMqBroker() override;

    const Options &options() const;

    Result<void> open() override;
    void close() override;

    Result<void> declareQueue(const QueueConfig &config) override;
    QList<QueueConfig> queues() const override;
    std::optional<QueueConfig> queue(const QString &name) const override;

    void publishAsync(const QString &queue, Message message, PublishCallback done) override;
    void publishToTopicAsync(Message message, PublishCallback done) override;
    Result<QList<PublishReceipt>> publishBatch(const QString &queue, QList<Message> messages) override;

    void receiveAsync(const QString &queue, const ReceiveOptions &options, ReceiveCallback done) override;
    void ackAsync(const QString &queue, const QStringList &receiptHandles, const AckOptions &options,
                  SettleCallback done) override;
    void nackAsync(const QString &queue, const QStringList &receiptHandles, const NackOptions &options,
                   SettleCallback done) override;
    Result<int> releaseConsumer(const QString &queue, const QString &consumerId) override;
    Result<bool> processed(const QString &queue, const QString &group, const QString &messageId) override;

    Result<QList<QueueStats>> stats() override;
    Result<QList<Message>> browse(const QString &queue, int offset, int limit) override;
    Result<int> replay(const QString &deadLetterQueue, const QStringList &messageIds = {}) override;
    Result<int> purge(const QString &queue) override;
    BrokerCounters counters() const override;

private:
    std::unique_ptr<Internal::RabbitMqBrokerPrivate> d;
};

} // namespace Conflux::Broker
