#pragma once

#include "base/result.h"
#include "data/value.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace Conflux::Broker {

enum class Priority : quint8 { Low = 0, Normal = 1, High = 2, Critical = 3 };

// What a delivery promises. Each queue has a default; a message may name its own.
//   AtMostOnce   removed from the queue (durably) before it is handed out: never twice,
//                lost if the consumer dies with it.
//   AtLeastOnce  handed out under a lease (visibility timeout); gone only when acked.
//                Redelivered after the lease, a nack or a consumer's death, with a growing
//                delivery count; dead-lettered after the queue's max_delivery_attempts.
//   ExactlyOnce  at-least-once delivery, plus: publish is idempotent on message_id within
//                the dedup window, and an ack can carry the consumer group's processed-id
//                record in the same transaction (see AckOptions).
enum class DeliveryMode : quint8 { AtMostOnce, AtLeastOnce, ExactlyOnce };

enum class QueueType : quint8 { Standard, Fifo, Priority, Delayed, DeadLetter };

// What a full queue does with the next publish.
enum class OverflowPolicy : quint8 {
    RejectNew,  // the publish fails with "broker_queue_full"
    DropOldest  // the oldest ready message moves to the dead-letter queue ("overflow")
};

// Why a message is in a dead-letter queue.
enum class DeadLetterReason : quint8 {
    None,
    MaxRetriesExceeded, // "max_retries_exceeded": delivered max_delivery_attempts times
    Expired,            // "expired": its ttl passed before it was delivered
    Rejected,           // "rejected": a consumer rejected it
    RoutingFailed,      // "routing_failed": no routing rule matched, or a webhook gave up
    Overflow            // "overflow": dropped as the oldest of a full queue
};

QString priorityName(Priority p);                    // "LOW", "NORMAL", "HIGH", "CRITICAL"
std::optional<Priority> priorityFromName(QStringView name); // case-insensitive
QString deliveryModeName(DeliveryMode m);            // "at_most_once", ...
std::optional<DeliveryMode> deliveryModeFromName(QStringView name);
QString queueTypeName(QueueType t);                  // "standard", "fifo", ...
std::optional<QueueType> queueTypeFromName(QStringView name);
QString overflowPolicyName(OverflowPolicy p);        // "reject_new", "drop_oldest"
std::optional<OverflowPolicy> overflowPolicyFromName(QStringView name);
QString deadLetterReasonName(DeadLetterReason r);    // "" for None
std::optional<DeadLetterReason> deadLetterReasonFromName(QStringView name);

// A new random message id: a UUID (version 4) as text. A per-thread generator seeded from
// the system's entropy keeps it cheap enough to call for every publish.
QString newMessageId();

// A message. Times are milliseconds since the Unix epoch (UTC); 0 means "not set".
struct Message
{
    // Set by the publisher (all optional but the payload).
    QString messageId;         // empty: the broker assigns a UUID
    QString topic;
    Data::Value payload;
    Data::Object headers;
    Priority priority = Priority::Normal;
    std::optional<DeliveryMode> deliveryMode; // empty: the queue's
    QString correlationId;
    QString groupId;           // FIFO queues: the message group (empty: one default group)
    qint64 deliverAtMs = 0;    // not delivered before this time
    qint64 ttlMs = 0;          // expires this long after it was enqueued (0: the queue's)

    // Set by the broker.
    QString queue;
    qint64 enqueuedAtMs = 0;
    qint64 expiresAtMs = 0;    // 0: never
    int deliveryCount = 0;     // how often it was handed out, this delivery included
    DeadLetterReason dlqReason = DeadLetterReason::None;
    QString originalQueue;     // for dead letters: where it was
    QString originalTopic;

    // The message as a JSON-ready object (message_id, topic, payload, headers, priority,
    // delivery_mode, correlation_id, group_id, deliver_at, ttl, queue, enqueued_at,
    // delivery_count, dlq_reason, original_queue, original_topic). Times as ISO 8601 UTC.
    Data::Value toValue() const;
    // The publisher's fields from a JSON object (the HTTP API's body). Accepts
    // delay_seconds or deliver_at (ISO 8601 or epoch ms), ttl (seconds) and priority by
    // name. Errors say which field is wrong ("broker_invalid_message").
    static Result<Message> fromValue(const Data::Value &value, qint64 nowMs);
};

// A queue's configuration: the runtime form of a `queues/<id>.json` document.
struct QueueConfig
{
    QString name;
    QueueType type = QueueType::Standard;
    DeliveryMode deliveryMode = DeliveryMode::AtLeastOnce;
    QStringList topics;              // bound topic patterns ('*' one word, '#' any number)
    qint64 maxSize = 0;              // ready + in-flight messages; 0: unbounded
    OverflowPolicy overflow = OverflowPolicy::RejectNew;
    qint64 ttlMs = 0;                // 0: messages do not expire
    QString deadLetterQueue;         // empty: dead letters are dropped (and counted)
    int maxDeliveryAttempts = 5;
    qint64 visibilityTimeoutMs = 30000;
    qint64 dedupWindowMs = 24 * 3600 * 1000; // exactly-once publish dedup window

    friend bool operator==(const QueueConfig &, const QueueConfig &) = default;
};

} // namespace Conflux::Broker
