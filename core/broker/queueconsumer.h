#pragma once

#include "base/result.h"
#include "broker/messagebroker.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace Conflux::Broker {

namespace Internal {
class QueueConsumerPrivate;
}

// A consumer of a consumer group. Consumers of one group compete: each message of the
// group's queue goes to one of them. Different groups subscribed to the same topics each
// get every message (each group has its own queue).
struct ConsumerConfig
{
    QString consumerId;              // names its leases (worker n holds "<id>#n")
    QString groupId;                 // the group it shares the work with
    // The queue it reads. Empty: the group's own queue, groupQueueName(groupId), declared
    // by start() and bound to `topics`.
    QString queue;
    QStringList topics;
    int maxBatchSize = 10;           // messages per receive and per handler call
    // How long a batch may take: the lease of its messages. One not settled by then is
    // delivered to another consumer (the handler's late settles are refused).
    qint64 processingTimeoutMs = 30000;
    int concurrency = 1;             // workers (threads) of this consumer
    qint64 pollWaitMs = 1000;        // long poll of each receive; also how soon stop() is heard
    qint64 retryDelayMs = 0;         // when the handler asks for a retry without a delay
};

// What the handler decided for one delivery.
struct Settlement
{
    enum class Outcome : quint8 { Ack, Retry, Reject };
    Outcome outcome = Outcome::Ack;
    qint64 retryDelayMs = -1;        // Retry: -1 for the consumer's retryDelayMs

    static Settlement ack() { return {}; }
    static Settlement retry(qint64 delayMs = -1) { return {Outcome::Retry, delayMs}; }
    static Settlement reject() { return {Outcome::Reject, -1}; }
};

struct ConsumerStats
{
    quint64 received = 0;            // deliveries handed to the handler (or skipped)
    quint64 acked = 0;               // acks committed
    quint64 retried = 0;             // nacked with requeue
    quint64 rejected = 0;            // dead-lettered by the handler's choice
    quint64 skipped = 0;             // exactly-once: the group had processed them already
    quint64 failures = 0;            // receives or settles that failed, and handler errors
    QString lastError;               // the latest of those failures, for the admin
};

// The group's own queue for a topic subscription.
QString groupQueueName(const QString &groupId);

// Runs a consumer: `concurrency` workers each receive up to maxBatchSize messages, hand
// them to the handler (a batch; the handler answers one Settlement per delivery, in order,
// on the worker's thread) and settle them: acks are pipelined (the next receive runs
// while they commit), retries are nacks with requeue (an attempt: after
// max_delivery_attempts the broker dead-letters the message), rejects go to the
// dead-letter queue. On an exactly-once queue the ack writes the group's processed-id
// record, and a redelivered message the group already processed is acked without calling
// the handler. A handler that throws, or answers the wrong number of settlements, has its
// whole batch retried.
//
// A consumer that dies (its process, or a handler stuck past the processing timeout)
// loses its leases: its messages go to the others once the timeout ends; stop() hands
// back at once whatever its workers still hold.
class QueueConsumer
{
public:
    using Handler = std::function<QList<Settlement>(const QList<Delivery> &)>;

    QueueConsumer(MessageBroker &broker, ConsumerConfig config, Handler handler);
    ~QueueConsumer();
    QueueConsumer(const QueueConsumer &) = delete;
    QueueConsumer &operator=(const QueueConsumer &) = delete;

    // Checks the configuration, declares the group's queue when it subscribes to topics,
    // and starts the workers.
    Result<void> start();
    // Stops receiving, waits for the handlers in progress and their settles, and releases
    // the leases left. Called by the destructor.
    void stop();
    // Tells the workers to stop without waiting for them (stop() still must be called):
    // several consumers then stop in the time of one.
    void requestStop();
    bool isRunning() const;

    const ConsumerConfig &config() const;
    // The queue it reads (after start(): the group's queue for a topic subscription).
    QString queue() const;
    ConsumerStats stats() const;

private:
    std::unique_ptr<Internal::QueueConsumerPrivate> d;
};

} // namespace Conflux::Broker
