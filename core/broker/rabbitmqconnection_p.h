#pragma once

#include "base/result.h"
#include "broker/rabbitmqcodec_p.h"

#include <QByteArray>
#include <QSet>
#include <QString>

#include <optional>

namespace Conflux::Broker::Internal {

struct AmqpSettings
{
    QByteArray host, vhost, user, password;
    int port = 5672;
    int heartbeatSeconds = 30;
    int connectTimeoutMs = 5000;
    int rpcTimeoutMs = 30000;
};

// Something the server sent on its own: publisher confirms, returned messages, consumer
// deliveries, and channels it closed.
struct AmqpEvent
{
    enum class Kind : quint8 { Ack, Nack, Return, Deliver, ChannelClosed, ConsumerCancelled };
    Kind kind = Kind::Ack;
    quint16 channel = 0;
    quint64 deliveryTag = 0;
    bool multiple = false;
    bool redelivered = false;
    int replyCode = 0;
    QString replyText;
    AmqpMessage message; // Return, Deliver
};

struct AmqpGet
{
    quint64 deliveryTag = 0;
    bool redelivered = false;
    quint32 messageCount = 0; // ready messages left in the queue
    AmqpMessage message;
};

// One AMQP 0-9-1 connection through rabbitmq-c. Not thread-safe: rabbitmq-c connections
// are not, so one thread (the broker's worker) owns it.
//
// Errors: a socket or protocol failure, or the server closing the connection, drops the
// connection (isOpen() turns false) and reports "broker_unavailable". A channel the server
// closes reports by its reply code: 404 "broker_unknown_queue", 406 "broker_invalid_queue",
// 403 "broker_unavailable", anything else "broker_store_failed"; the channel is gone then.
class AmqpConnection
{
public:
    AmqpConnection() = default;
    ~AmqpConnection();
    AmqpConnection(const AmqpConnection &) = delete;
    AmqpConnection &operator=(const AmqpConnection &) = delete;

    Result<void> open(const AmqpSettings &settings);
    bool isOpen() const { return m_state != nullptr; }
    // Counts successful opens: a delivery tag is only meaningful in its generation.
    quint64 generation() const { return m_generation; }
    // Closes politely (connection.close), or just drops a broken connection.
    void close();
    // Frees rabbitmq-c's frame buffers when nothing refers to them any more.
    void releaseBuffers();
    QString where() const;

    Result<quint16> openChannel();
    void closeChannel(quint16 channel);
    bool isChannelOpen(quint16 channel) const { return m_channels.contains(channel); }

    Result<void> confirmSelect(quint16 channel);
    Result<void> qos(quint16 channel, quint16 prefetch);
    struct QueueCounts
    {
        quint32 messages = 0;
        quint32 consumers = 0;
    };
    Result<QueueCounts> declareQueue(quint16 channel, const QByteArray &name, bool passive,
                                     const amqp_table_t &arguments);
    Result<void> declareExchange(quint16 channel, const QByteArray &name, const char *type);
    Result<void> bindQueue(quint16 channel, const QByteArray &queue, const QByteArray &exchange,
                           const QByteArray &routingKey);
    Result<void> unbindQueue(quint16 channel, const QByteArray &queue, const QByteArray &exchange,
                             const QByteArray &routingKey);
    Result<void> bindExchange(quint16 channel, const QByteArray &destination, const QByteArray &source,
                              const QByteArray &routingKey);
    Result<quint32> purgeQueue(quint16 channel, const QByteArray &name);
    Result<QByteArray> consume(quint16 channel, const QByteArray &queue); // the consumer tag
    Result<void> cancel(quint16 channel, const QByteArray &consumerTag);

    // Sends; the confirm (if the channel is in confirm mode) arrives as an event.
    Result<void> publish(quint16 channel, const OutgoingMessage &message);
    Result<std::optional<AmqpGet>> get(quint16 channel, const QByteArray &queue, bool noAck);
    Result<void> ack(quint16 channel, quint64 deliveryTag);
    Result<void> nack(quint16 channel, quint64 deliveryTag, bool requeue);
    Result<void> reject(quint16 channel, quint64 deliveryTag, bool requeue);

    // The next event, waiting up to `timeoutMs` (0: only what already arrived). Also sends
    // heartbeats when they are due. Empty when nothing arrived in time.
    Result<std::optional<AmqpEvent>> nextEvent(int timeoutMs);

private:
    Error libraryError(int status, const QString &what);
    Error replyError(const amqp_rpc_reply_t &reply, quint16 channel, const QString &what);
    Result<void> checkReply(quint16 channel, const QString &what);
    void drop();

    amqp_connection_state_t m_state = nullptr;
    AmqpSettings m_settings;
    quint64 m_generation = 0;
    QSet<quint16> m_channels;
    quint16 m_nextChannel = 1;
    quint16 m_channelMax = 2047;
};

} // namespace Conflux::Broker::Internal
