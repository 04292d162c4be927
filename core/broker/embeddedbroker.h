#pragma once

#include "broker/messagebroker.h"

#include <memory>

namespace Conflux::Broker {

namespace Internal {
class EmbeddedBrokerPrivate;
}

// The broker embedded in a Conflux process, durable in one SQLite database (WAL,
// synchronous=FULL). Messages live in memory too, indexed for delivery, so receiving does
// not read the database; every change to them is written by one writer thread that
// group-commits whatever arrived while the previous commit was being synced.
//
// What survives a crash (kill -9, power loss after the commit returned):
//   - every confirmed publish, until it is acked (or, at-most-once, handed out);
//   - the delivery count of a leased message as of its delivery (written behind the
//     delivery, without waiting: a crash may lose the last counts of a message); a
//     message whose count reached max_delivery_attempts is dead-lettered on its next
//     delivery, so one that brings its consumer (or the process) down still ends there;
//   - dead-lettering, nacks, replays and purges that returned;
//   - exactly-once dedup records (for the dedup window, also after the message was
//     consumed) and processed-id records of acks.
// Leases do not survive: after a restart every leased message is ready again.
//
// Callbacks run on the store's completion thread, in commit order; they must not call the
// broker's blocking functions (publish, receive, ack, nack, reject, replay, purge), which
// wait for that thread.
class EmbeddedBroker final : public MessageBroker
{
public:
    struct Options
    {
        QString databasePath;              // e.g. <data folder>/broker.db
        qint64 maxPayloadBytes = 1 << 20;  // serialized JSON payload + headers
        int busyTimeoutMs = 5000;          // a write waiting for another process's lock
        qint64 maxDatabaseBytes = 0;       // quota for broker.db; 0: the disk's size
    };

    explicit EmbeddedBroker(Options options);
    ~EmbeddedBroker() override;

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

    // Messages stored for queues that are not declared (yet), by queue name.
    QHash<QString, qint64> undeclaredQueueDepths() const;

private:
    std::unique_ptr<Internal::EmbeddedBrokerPrivate> d;
};

} // namespace Conflux::Broker
