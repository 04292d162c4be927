#pragma once

#include "base/result.h"
#include "broker/message.h"

#include <amqp.h>
#include <amqp_framing.h>

#include <QByteArray>
#include <QString>

#include <vector>

namespace Conflux::Broker::Internal {

// The x-conflux-* headers that carry Conflux's message fields through RabbitMQ, and the
// headers RabbitMQ itself sets. Publishers may not set any of them.
namespace AmqpHeader {
inline constexpr char Topic[] = "x-conflux-topic";
inline constexpr char Group[] = "x-conflux-group";
inline constexpr char Mode[] = "x-conflux-mode";
inline constexpr char EnqueuedAt[] = "x-conflux-enqueued-at";
inline constexpr char DeliverAt[] = "x-conflux-deliver-at";
inline constexpr char Ttl[] = "x-conflux-ttl";
inline constexpr char Attempts[] = "x-conflux-attempts"; // deliveries before a republish
inline constexpr char DlqReason[] = "x-conflux-dlq-reason";
inline constexpr char OriginalQueue[] = "x-conflux-original-queue";
inline constexpr char OriginalTopic[] = "x-conflux-original-topic";
inline constexpr char Death[] = "x-death";
inline constexpr char DeliveryCount[] = "x-delivery-count"; // quorum queues: returns so far
} // namespace AmqpHeader

// Keeps the memory behind an amqp_table_t alive while rabbitmq-c encodes it. Nested
// tables and arrays live in vectors that are moved, never copied, so the pointers handed
// to rabbitmq-c stay valid until the builder is destroyed.
class AmqpTableBuilder
{
public:
    void reserve(qsizetype entries) { m_entries.reserve(size_t(entries)); }
    bool isEmpty() const { return m_entries.empty(); }

    void addString(const char *key, const QByteArray &value);
    void addInt(const char *key, qint64 value);
    void addBool(const char *key, bool value);
    // A header from a message: JSON-like values map to AMQP field values (strings to long
    // strings, integers to 64-bit integers, other numbers to doubles, objects to tables).
    // False when the value nests deeper than 32 levels.
    bool addValue(const QString &key, const Data::Value &value);

    // The table; valid while the builder lives and is not changed.
    amqp_table_t table() const;

private:
    amqp_bytes_t keep(QByteArray bytes);
    bool convert(const Data::Value &value, amqp_field_value_t &out, int depth);

    std::vector<amqp_table_entry_t> m_entries;
    std::vector<QByteArray> m_bytes;
    std::vector<std::vector<amqp_table_entry_t>> m_tables;
    std::vector<std::vector<amqp_field_value_t>> m_arrays;
};

// A field table as an object (AMQP integers, decimals and timestamps become numbers, byte
// strings UTF-8 strings, void null).
Data::Object tableToObject(const amqp_table_t &table);

inline amqp_bytes_t amqpBytes(const QByteArray &bytes)
{
    return amqp_bytes_t{size_t(bytes.size()), const_cast<char *>(bytes.constData())};
}
inline QByteArray toByteArray(amqp_bytes_t bytes)
{
    return QByteArray(static_cast<const char *>(bytes.bytes), qsizetype(bytes.len));
}

// A message as RabbitMQ hands it out, copied out of rabbitmq-c's buffers.
struct AmqpMessage
{
    QByteArray body;
    QByteArray messageId, correlationId, contentType, expiration;
    int priority = -1;        // -1: not set
    quint64 timestamp = 0;    // seconds
    Data::Object headers;     // all of them, RabbitMQ's included
};
AmqpMessage takeMessage(const amqp_message_t &message);

// A message ready for basic.publish. Build it with encodeMessage(); properties() points
// into it, so it must not change until the publish is sent.
struct OutgoingMessage
{
    QByteArray exchange, routingKey;
    bool mandatory = true;
    QByteArray body, messageId, correlationId, expiration;
    quint8 priority = 0;
    qint64 enqueuedAtMs = 0;
    AmqpTableBuilder headers;

    amqp_basic_properties_t properties() const;
};

// Conflux fields of a message that are not Message fields.
struct EncodeExtras
{
    int attempts = 0;               // deliveries that happened before this publish
    qint64 expirationMs = 0;        // AMQP per-message expiration; 0: none
    QByteArray body;                // the payload's JSON when already at hand (republish)
};

// Fills `out` with the message's body (the payload as JSON), properties and headers.
// Checks what RabbitMQ would refuse or misread: reserved header names, too deep headers,
// the size limit ("broker_message_too_large").
Result<void> encodeMessage(const Message &message, const EncodeExtras &extras, qint64 maxBytes,
                           OutgoingMessage &out);

// What a received message says about itself besides its Message fields.
struct DecodedMessage
{
    Message message;
    int attempts = 0;               // x-conflux-attempts
    int rabbitDeliveryCount = 0;    // x-delivery-count (quorum queues)
    qint64 messageTtlMs = 0;        // the publisher's own ttl
};

// Decodes a message received from the AMQP queue of Conflux queue `queue`. `amqpPrefix`
// names Conflux's exchanges and queues on the server; dead-letter facts come from the
// newest x-death entry that is not one of the delay queues (`delayQueuePrefix`), or else
// from the x-conflux-dlq-* headers Conflux sets when it dead-letters by itself.
DecodedMessage decodeMessage(AmqpMessage &&raw, const QString &queue, const QString &amqpPrefix,
                             const QString &delayQueuePrefix);

// RabbitMQ's x-death reasons: delivery_limit, expired, rejected, maxlen.
DeadLetterReason deadLetterReasonFromRabbit(QStringView reason);

} // namespace Conflux::Broker::Internal
