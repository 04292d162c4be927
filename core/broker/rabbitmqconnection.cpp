#include "broker/rabbitmqconnection_p.h"

#include <amqp_tcp_socket.h>

#include <QCoreApplication>

#include <sys/time.h>

using namespace Qt::StringLiterals;

namespace Conflux::Broker::Internal {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Broker)
};

timeval toTimeval(int ms)
{
    return timeval{ms / 1000, (ms % 1000) * 1000};
}

QString fromBytes(amqp_bytes_t bytes)
{
    return QString::fromUtf8(static_cast<const char *>(bytes.bytes), qsizetype(bytes.len));
}

} // namespace

AmqpConnection::~AmqpConnection()
{
    close();
}

QString AmqpConnection::where() const
{
    return Tr::tr("RabbitMQ at %1:%2").arg(QString::fromUtf8(m_settings.host)).arg(m_settings.port);
}

void AmqpConnection::drop()
{
    if (m_state) {
        amqp_destroy_connection(m_state);
        m_state = nullptr;
    }
    m_channels.clear();
}

void AmqpConnection::close()
{
    if (m_state)
        amqp_connection_close(m_state, AMQP_REPLY_SUCCESS);
    drop();
}

void AmqpConnection::releaseBuffers()
{
    if (m_state)
        amqp_maybe_release_buffers(m_state);
}

Result<void> AmqpConnection::open(const AmqpSettings &settings)
{
    close();
    m_settings = settings;
    m_state = amqp_new_connection();
    amqp_socket_t *socket = m_state ? amqp_tcp_socket_new(m_state) : nullptr;
    if (!socket) {
        drop();
        return makeError("broker_unavailable", Tr::tr("cannot create a socket for %1").arg(where()));
    }
    const timeval connectTimeout = toTimeval(settings.connectTimeoutMs);
    const int status = amqp_socket_open_noblock(socket, settings.host.constData(), settings.port, &connectTimeout);
    if (status != AMQP_STATUS_OK) {
        drop();
        return makeError("broker_unavailable",
                         Tr::tr("cannot connect to %1: %2").arg(where(), QString::fromUtf8(amqp_error_string2(status))));
    }
    amqp_set_handshake_timeout(m_state, &connectTimeout);
    const timeval rpcTimeout = toTimeval(settings.rpcTimeoutMs);
    amqp_set_rpc_timeout(m_state, &rpcTimeout);

    const amqp_rpc_reply_t reply
        = amqp_login(m_state, settings.vhost.constData(), 0, 131072, settings.heartbeatSeconds,
                     AMQP_SASL_METHOD_PLAIN, settings.user.constData(), settings.password.constData());
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
        QString why;
        if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD)
            why = fromBytes(static_cast<amqp_connection_close_t *>(reply.reply.decoded)->reply_text);
        else if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION)
            why = QString::fromUtf8(amqp_error_string2(reply.library_error));
        drop();
        return makeError("broker_unavailable",
                         Tr::tr("%1 refused the login of user \"%2\" on virtual host \"%3\": %4")
                             .arg(where(), QString::fromUtf8(settings.user), QString::fromUtf8(settings.vhost), why));
    }
    const int channelMax = amqp_get_channel_max(m_state);
    m_channelMax = quint16(channelMax > 0 && channelMax < 65535 ? channelMax : 2047);
    m_nextChannel = 1;
    ++m_generation;
    return {};
}

Error AmqpConnection::libraryError(int status, const QString &what)
{
    drop();
    return makeError("broker_unavailable", Tr::tr("%1 failed: lost the connection to %2 (%3)")
                                               .arg(what, where(), QString::fromUtf8(amqp_error_string2(status))));
}

Error AmqpConnection::replyError(const amqp_rpc_reply_t &reply, quint16 channel, const QString &what)
{
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION)
        return libraryError(reply.library_error, what);
    if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const auto *close = static_cast<amqp_channel_close_t *>(reply.reply.decoded);
        const int code = close->reply_code;
        const QString text = fromBytes(close->reply_text);
        amqp_channel_close_ok_t ok{};
        amqp_send_method(m_state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
        m_channels.remove(channel);
        const char *errorCode = code == AMQP_NOT_FOUND             ? "broker_unknown_queue"
                                : code == AMQP_PRECONDITION_FAILED ? "broker_invalid_queue"
                                : code == AMQP_ACCESS_REFUSED      ? "broker_unavailable"
                                                                   : "broker_store_failed";
        return makeError(errorCode, Tr::tr("%1 failed: %2 answered %3").arg(what, where(), text));
    }
    QString text;
    if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        text = fromBytes(static_cast<amqp_connection_close_t *>(reply.reply.decoded)->reply_text);
        amqp_connection_close_ok_t ok{};
        amqp_send_method(m_state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
    } else {
        text = Tr::tr("no reply");
    }
    drop();
    return makeError("broker_unavailable", Tr::tr("%1 failed: %2 closed the connection: %3").arg(what, where(), text));
}

Result<void> AmqpConnection::checkReply(quint16 channel, const QString &what)
{
    const amqp_rpc_reply_t reply = amqp_get_rpc_reply(m_state);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL)
        return {};
    return replyError(reply, channel, what);
}

Result<quint16> AmqpConnection::openChannel()
{
    if (!m_state)
        return makeError("broker_unavailable", Tr::tr("not connected to %1").arg(where()));
    // Channel numbers are not reused at once: frames of a closed channel may still wait in
    // rabbitmq-c's queue.
    quint16 channel = 0;
    for (int tries = 0; tries < m_channelMax; ++tries) {
        const quint16 candidate = m_nextChannel;
        m_nextChannel = m_nextChannel >= m_channelMax ? 1 : quint16(m_nextChannel + 1);
        if (!m_channels.contains(candidate)) {
            channel = candidate;
            break;
        }
    }
    if (channel == 0)
        return makeError("broker_unavailable", Tr::tr("all %1 channels of the connection to %2 are in use")
                                                   .arg(m_channelMax)
                                                   .arg(where()));
    if (!amqp_channel_open(m_state, channel)) {
        auto result = checkReply(channel, Tr::tr("opening a channel"));
        return result.error();
    }
    m_channels.insert(channel);
    return channel;
}

void AmqpConnection::closeChannel(quint16 channel)
{
    if (!m_state || !m_channels.contains(channel))
        return;
    m_channels.remove(channel);
    const amqp_rpc_reply_t reply = amqp_channel_close(m_state, channel, AMQP_REPLY_SUCCESS);
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION)
        drop();
}

Result<void> AmqpConnection::confirmSelect(quint16 channel)
{
    if (!amqp_confirm_select(m_state, channel))
        return checkReply(channel, Tr::tr("enabling publisher confirms"));
    return {};
}

Result<void> AmqpConnection::qos(quint16 channel, quint16 prefetch)
{
    if (!amqp_basic_qos(m_state, channel, 0, prefetch, 0))
        return checkReply(channel, Tr::tr("setting the prefetch count"));
    return {};
}

Result<AmqpConnection::QueueCounts> AmqpConnection::declareQueue(quint16 channel, const QByteArray &name,
                                                                 bool passive, const amqp_table_t &arguments)
{
    const amqp_queue_declare_ok_t *ok
        = amqp_queue_declare(m_state, channel, amqpBytes(name), passive, 1, 0, 0, arguments);
    if (!ok) {
        auto result = checkReply(channel, Tr::tr("declaring the queue \"%1\"").arg(QString::fromUtf8(name)));
        return result.error();
    }
    return QueueCounts{ok->message_count, ok->consumer_count};
}

Result<void> AmqpConnection::declareExchange(quint16 channel, const QByteArray &name, const char *type)
{
    if (!amqp_exchange_declare(m_state, channel, amqpBytes(name), amqp_cstring_bytes(type), 0, 1, 0, 0,
                               amqp_empty_table))
        return checkReply(channel, Tr::tr("declaring the exchange \"%1\"").arg(QString::fromUtf8(name)));
    return {};
}

Result<void> AmqpConnection::bindQueue(quint16 channel, const QByteArray &queue, const QByteArray &exchange,
                                       const QByteArray &routingKey)
{
    if (!amqp_queue_bind(m_state, channel, amqpBytes(queue), amqpBytes(exchange), amqpBytes(routingKey),
                         amqp_empty_table))
        return checkReply(channel, Tr::tr("binding the queue \"%1\" to \"%2\" with \"%3\"")
                                       .arg(QString::fromUtf8(queue), QString::fromUtf8(exchange),
                                            QString::fromUtf8(routingKey)));
    return {};
}

Result<void> AmqpConnection::unbindQueue(quint16 channel, const QByteArray &queue, const QByteArray &exchange,
                                         const QByteArray &routingKey)
{
    if (!amqp_queue_unbind(m_state, channel, amqpBytes(queue), amqpBytes(exchange), amqpBytes(routingKey),
                           amqp_empty_table))
        return checkReply(channel, Tr::tr("unbinding the queue \"%1\" from \"%2\"")
                                       .arg(QString::fromUtf8(queue), QString::fromUtf8(exchange)));
    return {};
}

Result<void> AmqpConnection::bindExchange(quint16 channel, const QByteArray &destination,
                                          const QByteArray &source, const QByteArray &routingKey)
{
    if (!amqp_exchange_bind(m_state, channel, amqpBytes(destination), amqpBytes(source), amqpBytes(routingKey),
                            amqp_empty_table))
        return checkReply(channel, Tr::tr("binding the exchange \"%1\" to \"%2\"")
                                       .arg(QString::fromUtf8(destination), QString::fromUtf8(source)));
    return {};
}

Result<quint32> AmqpConnection::purgeQueue(quint16 channel, const QByteArray &name)
{
    const amqp_queue_purge_ok_t *ok = amqp_queue_purge(m_state, channel, amqpBytes(name));
    if (!ok) {
        auto result = checkReply(channel, Tr::tr("purging the queue \"%1\"").arg(QString::fromUtf8(name)));
        return result.error();
    }
    return ok->message_count;
}

Result<QByteArray> AmqpConnection::consume(quint16 channel, const QByteArray &queue)
{
    const amqp_basic_consume_ok_t *ok
        = amqp_basic_consume(m_state, channel, amqpBytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    if (!ok) {
        auto result = checkReply(channel, Tr::tr("consuming from the queue \"%1\"").arg(QString::fromUtf8(queue)));
        return result.error();
    }
    return toByteArray(ok->consumer_tag);
}

Result<void> AmqpConnection::cancel(quint16 channel, const QByteArray &consumerTag)
{
    if (!amqp_basic_cancel(m_state, channel, amqpBytes(consumerTag)))
        return checkReply(channel, Tr::tr("ending a subscription"));
    return {};
}

Result<void> AmqpConnection::publish(quint16 channel, const OutgoingMessage &message)
{
    const amqp_basic_properties_t properties = message.properties();
    const int status = amqp_basic_publish(m_state, channel, amqpBytes(message.exchange), amqpBytes(message.routingKey),
                                          message.mandatory, 0, &properties, amqpBytes(message.body));
    if (status != AMQP_STATUS_OK)
        return libraryError(status, Tr::tr("publishing"));
    return {};
}

Result<std::optional<AmqpGet>> AmqpConnection::get(quint16 channel, const QByteArray &queue, bool noAck)
{
    const amqp_rpc_reply_t reply = amqp_basic_get(m_state, channel, amqpBytes(queue), noAck);
    if (reply.reply_type != AMQP_RESPONSE_NORMAL)
        return replyError(reply, channel, Tr::tr("receiving from the queue \"%1\"").arg(QString::fromUtf8(queue)));
    if (reply.reply.id != AMQP_BASIC_GET_OK_METHOD)
        return std::optional<AmqpGet>();
    const auto *ok = static_cast<amqp_basic_get_ok_t *>(reply.reply.decoded);
    AmqpGet got;
    got.deliveryTag = ok->delivery_tag;
    got.redelivered = ok->redelivered;
    got.messageCount = ok->message_count;
    amqp_message_t message;
    const amqp_rpc_reply_t read = amqp_read_message(m_state, channel, &message, 0);
    if (read.reply_type != AMQP_RESPONSE_NORMAL)
        return replyError(read, channel, Tr::tr("reading a message"));
    got.message = takeMessage(message);
    amqp_destroy_message(&message);
    return std::optional<AmqpGet>(std::move(got));
}

Result<void> AmqpConnection::ack(quint16 channel, quint64 deliveryTag)
{
    const int status = amqp_basic_ack(m_state, channel, deliveryTag, 0);
    if (status != AMQP_STATUS_OK)
        return libraryError(status, Tr::tr("acknowledging"));
    return {};
}

Result<void> AmqpConnection::nack(quint16 channel, quint64 deliveryTag, bool requeue)
{
    const int status = amqp_basic_nack(m_state, channel, deliveryTag, 0, requeue);
    if (status != AMQP_STATUS_OK)
        return libraryError(status, Tr::tr("returning a message"));
    return {};
}

Result<void> AmqpConnection::reject(quint16 channel, quint64 deliveryTag, bool requeue)
{
    const int status = amqp_basic_reject(m_state, channel, deliveryTag, requeue);
    if (status != AMQP_STATUS_OK)
        return libraryError(status, Tr::tr("rejecting a message"));
    return {};
}

Result<std::optional<AmqpEvent>> AmqpConnection::nextEvent(int timeoutMs)
{
    if (!m_state)
        return makeError("broker_unavailable", Tr::tr("not connected to %1").arg(where()));
    timeval timeout = toTimeval(timeoutMs);
    for (;;) {
        amqp_frame_t frame;
        const int status = amqp_simple_wait_frame_noblock(m_state, &frame, &timeout);
        if (status == AMQP_STATUS_TIMEOUT)
            return std::optional<AmqpEvent>();
        if (status != AMQP_STATUS_OK)
            return libraryError(status, Tr::tr("waiting for the server"));
        // Content frames of a channel closed meanwhile: nothing waits for them.
        if (frame.frame_type != AMQP_FRAME_METHOD)
            continue;
        timeout = timeval{0, 0};
        AmqpEvent event;
        event.channel = frame.channel;
        void *decoded = frame.payload.method.decoded;
        switch (frame.payload.method.id) {
        case AMQP_BASIC_ACK_METHOD: {
            const auto *ack = static_cast<amqp_basic_ack_t *>(decoded);
            event.kind = AmqpEvent::Kind::Ack;
            event.deliveryTag = ack->delivery_tag;
            event.multiple = ack->multiple;
            return std::optional<AmqpEvent>(std::move(event));
        }
        case AMQP_BASIC_NACK_METHOD: {
            const auto *nack = static_cast<amqp_basic_nack_t *>(decoded);
            event.kind = AmqpEvent::Kind::Nack;
            event.deliveryTag = nack->delivery_tag;
            event.multiple = nack->multiple;
            return std::optional<AmqpEvent>(std::move(event));
        }
        case AMQP_BASIC_RETURN_METHOD:
        case AMQP_BASIC_DELIVER_METHOD: {
            if (frame.payload.method.id == AMQP_BASIC_RETURN_METHOD) {
                const auto *ret = static_cast<amqp_basic_return_t *>(decoded);
                event.kind = AmqpEvent::Kind::Return;
                event.replyCode = ret->reply_code;
                event.replyText = fromBytes(ret->reply_text);
            } else {
                const auto *deliver = static_cast<amqp_basic_deliver_t *>(decoded);
                event.kind = AmqpEvent::Kind::Deliver;
                event.deliveryTag = deliver->delivery_tag;
                event.redelivered = deliver->redelivered;
            }
            amqp_message_t message;
            const amqp_rpc_reply_t read = amqp_read_message(m_state, frame.channel, &message, 0);
            if (read.reply_type != AMQP_RESPONSE_NORMAL)
                return replyError(read, frame.channel, Tr::tr("reading a message"));
            event.message = takeMessage(message);
            amqp_destroy_message(&message);
            return std::optional<AmqpEvent>(std::move(event));
        }
        case AMQP_BASIC_CANCEL_METHOD:
            event.kind = AmqpEvent::Kind::ConsumerCancelled;
            return std::optional<AmqpEvent>(std::move(event));
        case AMQP_CHANNEL_CLOSE_METHOD: {
            const auto *close = static_cast<amqp_channel_close_t *>(decoded);
            event.kind = AmqpEvent::Kind::ChannelClosed;
            event.replyCode = close->reply_code;
            event.replyText = fromBytes(close->reply_text);
            amqp_channel_close_ok_t ok{};
            amqp_send_method(m_state, frame.channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
            m_channels.remove(frame.channel);
            return std::optional<AmqpEvent>(std::move(event));
        }
        case AMQP_CONNECTION_CLOSE_METHOD: {
            const QString text = fromBytes(static_cast<amqp_connection_close_t *>(decoded)->reply_text);
            amqp_connection_close_ok_t ok{};
            amqp_send_method(m_state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
            drop();
            return makeError("broker_unavailable", Tr::tr("%1 closed the connection: %2").arg(where(), text));
        }
        default:
            continue;
        }
    }
}

} // namespace Conflux::Broker::Internal
