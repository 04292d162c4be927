#pragma once

#include "broker/rabbitmqbroker.h"
#include "broker/rabbitmqconnection_p.h"

#include <QHash>
#include <QSet>
#include <QStringList>

#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace Conflux::Broker::Internal {

// The delay ladder: level n is a quorum queue whose messages wait DelayUnitMs * 2^n and
// then move down; a delay of d units visits the levels of the 1-bits of d. RabbitMQ caps
// x-message-ttl at 2^32-1 ms, which allows 29 levels of 10 ms: up to about 62 days.
inline constexpr int DelayLevels = 29;
inline constexpr qint64 DelayUnitMs = 10;

// Counters the public object reads from any thread.
struct SharedCounters
{
    SharedCounters();
    void addProduced(quint64 n);
    void addConsumed(qint64 latencyMs); // < 0: no latency sample (at-most-once)
    void addDeadLettered(quint64 n);
    BrokerCounters snapshot() const;

private:
    mutable std::mutex m_mutex;
    BrokerCounters m_counters;
};

// A message this node took from RabbitMQ and has not settled.
struct Held
{
    quint16 channel = 0;
    quint64 tag = 0;
    quint64 generation = 0;
    bool redelivered = false;
    DecodedMessage decoded;
    QByteArray body;            // the payload's JSON as received, for republishing
    int localDeliveries = 0;    // FIFO: redeliveries by this node while it held the message
    quint64 seq = 0;            // FIFO: arrival order
    qint64 notBefore = 0;       // FIFO: a nack's delay
};

struct Lease
{
    Held held;
    QString consumerId;
    qint64 expiresAt = 0;
    int deliveryCount = 0;
};

struct QueueRuntime
{
    QueueConfig config;
    QByteArray amqpName;
    bool classic = false;       // priority queues: classic with x-max-priority
    bool isFifo() const { return config.type == QueueType::Fifo; }
    // Dead letters are not dead-lettered again for their delivery count.
    bool hasDeliveryLimit() const { return config.type != QueueType::DeadLetter; }

    quint16 getChannel = 0;     // basic.get and settling of its deliveries
    quint16 consumeChannel = 0; // FIFO: the single-active-consumer subscription
    std::map<quint64, Held> buffer; // FIFO: delivered to this node, not leased, by arrival
    QSet<QString> busyGroups;   // FIFO: groups with a message in flight
    QHash<QString, Lease> leases;
    QHash<QString, qint64> consumers; // consumer id -> last receive
    std::multiset<qint64> delayedDue; // deliver-at times of delayed publishes of this node

    // Exactly-once, in memory: published ids (until their window ends) and acked ids.
    QHash<QString, qint64> dedup;
    std::deque<std::pair<qint64, QString>> dedupOrder;
    QHash<QString, QStringList> processed;
    std::deque<QString> processedOrder;

    quint64 published = 0, acked = 0, deadLettered = 0;
};

struct PublishJob
{
    QString queue;     // empty: by topic
    Message message;
    MessageBroker::PublishCallback done;
};

// Everything that runs on the broker's worker thread: the connection, the topology on the
// server, leases, FIFO buffers and long-polling receivers. Not thread-safe by design.
// Results for callbacks are collected and handed out by runCompletions(), so that a
// callback never runs in the middle of a change.
class RabbitMqSession
{
public:
    RabbitMqSession(const RabbitMqBroker::Options &options, SharedCounters &counters);
    ~RabbitMqSession();

    Result<void> start();
    void shutdown();

    Result<void> declareQueue(const QueueConfig &config);
    void addPublish(PublishJob job) { m_pendingPublishes.push_back(std::move(job)); }
    void flushPublishes();
    Result<QList<PublishReceipt>> publishBatch(const QString &queue, QList<Message> messages);

    void receive(const QString &queue, const ReceiveOptions &options, MessageBroker::ReceiveCallback done);
    Result<SettleResult> ack(const QString &queue, const QStringList &handles, const AckOptions &options);
    Result<SettleResult> nack(const QString &queue, const QStringList &handles, const NackOptions &options);
    Result<SettleResult> reject(const QString &queue, const QStringList &handles);
    Result<int> releaseConsumer(const QString &queue, const QString &consumerId);
    Result<bool> processed(const QString &queue, const QString &group, const QString &messageId);

    Result<QList<QueueStats>> stats();
    Result<QList<Message>> browse(const QString &queue, int offset, int limit);
    Result<int> replay(const QString &deadLetterQueue, const QStringList &messageIds);
    Result<int> purge(const QString &queue);

    // Reads what the server sent, ends leases that ran out, polls waiting receivers.
    void service();
    // When service() has something to do next (ms since the epoch).
    qint64 nextWake() const;
    void runCompletions();

private:
    // rabbitmqsession.cpp: connection, topology, publishing
    Result<void> ensureConnected();
    void resetConnectionState();
    Result<quint16> managementChannel();
    Result<void> ensureDelayLadder();
    Result<QueueRuntime *> findQueue(const QString &name);
    Result<void> validate(const QueueConfig &config) const;
    void queueArguments(const QueueConfig &config, AmqpTableBuilder &args) const;
    QByteArray amqpName(const QString &queue) const { return (m_options.namePrefix + queue).toUtf8(); }
    void routeDelayed(OutgoingMessage &out, qint64 units, const QString &target, bool topic) const;

    struct Prepared
    {
        OutgoingMessage out;
        PublishReceipt receipt;
        bool topic = false;
        bool exactlyOnce = false;
        qint64 deliverAt = 0;   // > 0: takes the delay ladder
        bool rejectsWhenFull = false;
        MessageBroker::PublishCallback done;
    };
    Result<void> prepare(const QString &queue, Message message, qint64 now, Prepared &out);
    enum class Outcome : quint8 { Confirmed, Returned, Nacked, Failed };
    struct SendResult
    {
        Outcome outcome = Outcome::Failed;
        Error error;
    };
    std::vector<SendResult> sendConfirmed(const std::vector<const OutgoingMessage *> &messages);
    Error publishError(const Prepared &prepared, const SendResult &result) const;
    void recordPublished(const Prepared &prepared, qint64 now);
    bool isDuplicate(const QueueRuntime &q, const QString &messageId, qint64 now) const;
    void handleEvent(AmqpEvent &&event);
    void forgetChannel(quint16 channel);

    // rabbitmqdelivery.cpp: receiving, settling, dead-lettering, management reads
    Result<QList<Delivery>> tryReceive(QueueRuntime &q, const ReceiveOptions &options, qint64 now);
    Result<QList<Delivery>> receiveFifo(QueueRuntime &q, const ReceiveOptions &options, qint64 now);
    Result<void> ensureConsumer(QueueRuntime &q);
    Result<void> collect(QueueRuntime &q, int want, std::vector<AmqpEvent> &out);
    Held makeHeld(const QueueRuntime &q, quint16 channel, quint64 tag, bool redelivered, AmqpMessage &&raw);
    int deliveryCount(const QueueRuntime &q, const Held &held) const;
    qint64 expiresAt(const QueueRuntime &q, const Message &m) const;
    enum class Screen : quint8 { Deliver, Settled, Failed };
    Screen screen(QueueRuntime &q, Held &held, qint64 now, Error *error);
    Delivery deliver(QueueRuntime &q, Held &&held, const ReceiveOptions &options, qint64 now, bool lease);
    Result<void> giveBack(QueueRuntime &q, Lease &&lease, qint64 delayMs, qint64 now);
    Result<void> deadLetter(QueueRuntime &q, const Held &held, DeadLetterReason reason, bool settle = true);
    Result<void> republish(QueueRuntime &q, const Held &held, int attempts, qint64 deliverAt, qint64 now);
    std::optional<Lease> takeLease(QueueRuntime &q, const QString &handle);
    void expireLeases(qint64 now);
    void pollWaiters(qint64 now);
    void pumpEvents();
    void complete(std::function<void()> fn) { m_completions.push_back(std::move(fn)); }

    RabbitMqBroker::Options m_options;
    AmqpSettings m_settings;
    SharedCounters &m_counters;
    AmqpConnection m_conn;
    quint64 m_generation = 0;   // the connection generation the state below belongs to
    quint16 m_mgmtChannel = 0;
    quint16 m_pubChannel = 0;
    quint64 m_pubSeq = 0;
    bool m_delayReady = false;

    std::unordered_map<QString, std::unique_ptr<QueueRuntime>> m_queues;
    QStringList m_order;        // declaration order, for stats()
    QHash<quint16, QString> m_consumeChannels;
    quint16 m_collectChannel = 0;           // a receive's short subscription (see collect())
    std::vector<AmqpEvent> *m_collected = nullptr;
    QByteArray m_topicsExchange, m_deliverExchange;
    QString m_delayQueuePrefix;
    QByteArray m_stars;         // DelayLevels '*' words: the bit part of a ladder pattern

    struct Waiter
    {
        QString queue;
        ReceiveOptions options;
        MessageBroker::ReceiveCallback done;
        qint64 deadline = 0, nextPoll = 0, interval = 0;
    };
    std::list<Waiter> m_waiters;
    std::set<std::tuple<qint64, QString, QString>> m_leaseExpiry; // (end, queue, handle)
    std::vector<PublishJob> m_pendingPublishes;
    std::vector<std::function<void()>> m_completions;
    quint64 m_handleSeq = 0;
    quint64 m_fifoSeq = 0;
    qint64 m_lastPrune = 0;
};

qint64 nowMs();

} // namespace Conflux::Broker::Internal
