#pragma once

#include "base/result.h"
#include "broker/message.h"

#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace Conflux::Broker {

// A message handed to a consumer, with the handle that acks, nacks or rejects it.
struct Delivery
{
    Message message;
    QString receiptHandle;     // opaque; valid until the lease ends
    qint64 leaseExpiresAtMs = 0; // 0 for at-most-once deliveries (nothing to ack)
};

struct PublishReceipt
{
    QString messageId;
    QStringList queues;        // where it was stored
    bool duplicate = false;    // exactly-once: the id was seen within the dedup window
};

struct ReceiveOptions
{
    int maxMessages = 1;
    qint64 waitMs = 0;               // long poll: wait up to this long for a first message
    QString consumerId;              // who holds the leases (for stats and consumer death)
    qint64 visibilityTimeoutMs = 0;  // 0: the queue's
};

struct AckOptions
{
    // Exactly-once consumers: the consumer group whose processed-id record is written in
    // the same transaction as the ack; processed(queue, group, id) answers true from then
    // on, so a consumer that sees the id again (a redelivery after a crash, a publisher
    // retry beyond the dedup window, a replay) can ack it without repeating its work.
    QString consumerGroup;
};

struct NackOptions
{
    bool requeue = true;       // false: dead-letter it ("rejected")
    qint64 delayMs = 0;        // requeued messages become visible after this long
};

// One handle's outcome in a batch ack/nack/reject.
struct SettleResult
{
    int settled = 0;
    QStringList unknownHandles; // expired leases or handles never issued
};

struct QueueStats
{
    QString name;
    QueueType type = QueueType::Standard;
    qint64 depth = 0;          // ready to deliver (due), excluding in-flight
    qint64 delayed = 0;        // waiting for their deliver-at time
    qint64 inFlight = 0;       // leased, not yet acked
    qint64 deadLetterDepth = 0; // messages in this queue's dead-letter queue
    qint64 oldestAgeMs = 0;    // age of the oldest ready message; 0 when empty
    qint64 consumerLag = 0;    // ready + delayed + in-flight: what consumers still owe
    int consumers = 0;         // consumers that received within the last visibility timeout
    quint64 published = 0;     // counters since the broker opened
    quint64 acked = 0;
    quint64 deadLettered = 0;
};

// Process-wide counters for /metrics.
struct BrokerCounters
{
    quint64 produced = 0;
    quint64 consumed = 0;      // acked (at-least/exactly-once) or delivered (at-most-once)
    quint64 deadLettered = 0;
    // Publish-to-ack latency histogram, cumulative counts per upper bound in seconds.
    QList<double> latencyBounds;
    QList<quint64> latencyBuckets; // same size as latencyBounds, plus +Inf as the last entry
    double latencySumSeconds = 0;
    quint64 latencyCount = 0;
};

// The broker: durable queues bound to topics, with the delivery guarantees of message.h.
// EmbeddedBroker keeps them in SQLite; RabbitMqBroker on a RabbitMQ cluster.
//
// Durability: a publish is confirmed (its callback called with success, or the blocking
// call returning) only after the message is committed; a failed commit (full disk, busy
// database) confirms nothing and reports "broker_store_failed".
//
// Threading: every member function may be called from any thread. Callbacks run on a
// broker thread: keep them short and marshal to your own thread when needed.
//
// Error codes: broker_not_open, broker_unknown_queue, broker_invalid_queue,
// broker_invalid_message, broker_queue_full, broker_message_too_large,
// broker_store_failed, broker_closed, broker_unavailable (RabbitMQ unreachable).
class MessageBroker
{
public:
    using PublishCallback = std::function<void(Result<PublishReceipt>)>;
    using ReceiveCallback = std::function<void(Result<QList<Delivery>>)>;
    using SettleCallback = std::function<void(Result<SettleResult>)>;

    virtual ~MessageBroker() = default;
    MessageBroker(const MessageBroker &) = delete;
    MessageBroker &operator=(const MessageBroker &) = delete;

    virtual Result<void> open() = 0;
    // Stops accepting calls, fails waiting receivers with "broker_closed", commits what is
    // pending. Called by the destructor.
    virtual void close() = 0;

    // Creates the queue or updates its configuration (messages are kept).
    virtual Result<void> declareQueue(const QueueConfig &config) = 0;
    virtual QList<QueueConfig> queues() const = 0;
    virtual std::optional<QueueConfig> queue(const QString &name) const = 0;

    // To one queue. The callback runs once the message is durable (or refused).
    virtual void publishAsync(const QString &queue, Message message, PublishCallback done) = 0;
    // To every queue whose bound topic patterns match `message.topic`. No match is an
    // error "broker_no_route" (routing rules, above the broker, decide what happens then).
    virtual void publishToTopicAsync(Message message, PublishCallback done) = 0;
    // Blocking forms.
    Result<PublishReceipt> publish(const QString &queue, Message message);
    Result<PublishReceipt> publishToTopic(Message message);
    // Several messages to one queue, committed together: all or none.
    virtual Result<QList<PublishReceipt>> publishBatch(const QString &queue, QList<Message> messages) = 0;

    // Up to options.maxMessages deliveries, waiting up to options.waitMs for the first.
    // An empty list when nothing arrived in time.
    virtual void receiveAsync(const QString &queue, const ReceiveOptions &options, ReceiveCallback done) = 0;
    Result<QList<Delivery>> receive(const QString &queue, const ReceiveOptions &options);

    // Settles leased messages. The callback runs once the outcome is durable (an ack's
    // delete and processed-id record are committed) or with the error that kept it from
    // being so; a consumer can go on receiving meanwhile (pipelined acks).
    virtual void ackAsync(const QString &queue, const QStringList &receiptHandles, const AckOptions &options,
                          SettleCallback done) = 0;
    virtual void nackAsync(const QString &queue, const QStringList &receiptHandles, const NackOptions &options,
                           SettleCallback done) = 0;
    // Blocking forms.
    Result<SettleResult> ack(const QString &queue, const QStringList &receiptHandles, const AckOptions &options = {});
    Result<SettleResult> nack(const QString &queue, const QStringList &receiptHandles, const NackOptions &options = {});
    // Dead-letters with reason "rejected": a nack without requeue.
    Result<SettleResult> reject(const QString &queue, const QStringList &receiptHandles);
    // Gives up every lease `consumerId` holds (a consumer that is known to be gone); its
    // messages are redelivered to the others at once.
    virtual Result<int> releaseConsumer(const QString &queue, const QString &consumerId) = 0;

    // True when `group` acked `messageId` with AckOptions::consumerGroup.
    virtual Result<bool> processed(const QString &queue, const QString &group, const QString &messageId) = 0;

    // --- management
    virtual Result<QList<QueueStats>> stats() = 0;
    // Ready and delayed messages in delivery order, without leasing them.
    virtual Result<QList<Message>> browse(const QString &queue, int offset, int limit) = 0;
    // Moves dead letters back to their original queue (all when `messageIds` is empty).
    // Returns how many moved.
    virtual Result<int> replay(const QString &deadLetterQueue, const QStringList &messageIds = {}) = 0;
    // Deletes the ready and delayed messages of a queue; returns how many.
    virtual Result<int> purge(const QString &queue) = 0;
    virtual BrokerCounters counters() const = 0;

protected:
    MessageBroker() = default;
};

} // namespace Conflux::Broker
