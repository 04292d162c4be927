// The receiving half of RabbitMqSession: basic.get and FIFO subscriptions, leases,
// settling, dead-lettering by Conflux, and the management reads (stats, browse, replay,
// purge).
#include "broker/rabbitmqsession_p.h"

#include <QCoreApplication>
#include <QScopeGuard>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Broker::Internal {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Broker)
};

constexpr int MaxReceiveBatch = 1000;
constexpr qint64 FirstPollMs = 5;
constexpr qint64 MaxPollMs = 50;

DeliveryMode modeOf(const QueueRuntime &q, const Message &m)
{
    return m.deliveryMode.value_or(q.config.deliveryMode);
}

} // namespace

Held RabbitMqSession::makeHeld(const QueueRuntime &q, quint16 channel, quint64 tag, bool redelivered,
                               AmqpMessage &&raw)
{
    Held held;
    held.channel = channel;
    held.tag = tag;
    held.generation = m_conn.generation();
    held.redelivered = redelivered;
    held.body = raw.body;
    held.decoded = decodeMessage(std::move(raw), q.config.name, m_options.namePrefix, m_delayQueuePrefix);
    return held;
}

int RabbitMqSession::deliveryCount(const QueueRuntime &q, const Held &held) const
{
    // Quorum queues count returns in x-delivery-count. Classic queues count nothing (their
    // redelivered flag is also set by a browse), so there only the deliveries Conflux saw
    // end count: nacks, leases that ran out, released consumers.
    const int server = q.classic ? 0 : held.decoded.rabbitDeliveryCount;
    return held.decoded.attempts + server + held.localDeliveries + 1;
}

qint64 RabbitMqSession::expiresAt(const QueueRuntime &q, const Message &m) const
{
    // A dead letter's own ttl ended with its life in the original queue; the dead-letter
    // queue's ttl counts from its arrival there, which RabbitMQ enforces.
    if (m.dlqReason != DeadLetterReason::None)
        return 0;
    const qint64 ttl = m.ttlMs > 0 ? m.ttlMs : q.config.ttlMs;
    return ttl > 0 && m.enqueuedAtMs > 0 ? m.enqueuedAtMs + ttl : 0;
}

// Settles by itself what must not reach a consumer: exactly-once duplicates already
// processed, messages past their ttl (delayed ones expire here, not in RabbitMQ), and
// messages over the delivery limit (classic queues, crashes).
RabbitMqSession::Screen RabbitMqSession::screen(QueueRuntime &q, Held &held, qint64 now, Error *error)
{
    const Message &m = held.decoded.message;
    Result<void> settled;
    // A processed record exists only for an exactly-once consumer's ack.
    if (!q.processed.isEmpty() && q.processed.contains(m.messageId)) {
        settled = m_conn.ack(held.channel, held.tag);
        ++q.acked;
    } else if (const qint64 end = expiresAt(q, m); end > 0 && end <= now) {
        settled = deadLetter(q, held, DeadLetterReason::Expired);
    } else if (q.hasDeliveryLimit() && deliveryCount(q, held) > q.config.maxDeliveryAttempts) {
        settled = deadLetter(q, held, DeadLetterReason::MaxRetriesExceeded);
    } else {
        return Screen::Deliver;
    }
    if (!settled) {
        *error = settled.error();
        return Screen::Failed;
    }
    return Screen::Settled;
}

Delivery RabbitMqSession::deliver(QueueRuntime &q, Held &&held, const ReceiveOptions &options, qint64 now, bool lease)
{
    Delivery d;
    const int count = deliveryCount(q, held);
    d.message = held.decoded.message;
    d.message.deliveryCount = count;
    d.message.expiresAtMs = expiresAt(q, d.message);
    if (!lease) {
        m_counters.addConsumed(-1);
        return d;
    }
    const qint64 timeout = options.visibilityTimeoutMs > 0 ? options.visibilityTimeoutMs : q.config.visibilityTimeoutMs;
    d.leaseExpiresAtMs = now + timeout;
    d.receiptHandle = u"%1.%2.%3.%4"_s.arg(held.generation).arg(held.channel).arg(held.tag).arg(++m_handleSeq);
    if (q.isFifo())
        q.busyGroups.insert(held.decoded.message.groupId);
    Lease l;
    l.held = std::move(held);
    l.consumerId = options.consumerId;
    l.expiresAt = d.leaseExpiresAtMs;
    l.deliveryCount = count;
    m_leaseExpiry.emplace(l.expiresAt, q.config.name, d.receiptHandle);
    q.leases.insert(d.receiptHandle, std::move(l));
    return d;
}

void RabbitMqSession::receive(const QString &queue, const ReceiveOptions &options, MessageBroker::ReceiveCallback done)
{
    auto q = findQueue(queue);
    if (!q) {
        complete([done = std::move(done), error = q.error()] { done(error); });
        return;
    }
    const qint64 now = nowMs();
    auto got = tryReceive(**q, options, now);
    if (!got || !got->isEmpty() || options.waitMs <= 0) {
        complete([done = std::move(done), got = std::move(got)] { done(got); });
        return;
    }
    m_waiters.push_back(Waiter{queue, options, std::move(done), now + options.waitMs, now + FirstPollMs, FirstPollMs});
}

Result<QList<Delivery>> RabbitMqSession::tryReceive(QueueRuntime &q, const ReceiveOptions &options, qint64 now)
{
    if (auto connected = ensureConnected(); !connected)
        return connected.error();
    if (!options.consumerId.isEmpty())
        q.consumers.insert(options.consumerId, now);
    if (q.isFifo())
        return receiveFifo(q, options, now);
    if (!q.getChannel || !m_conn.isChannelOpen(q.getChannel)) {
        auto channel = m_conn.openChannel();
        if (!channel)
            return channel.error();
        q.getChannel = *channel;
    }
    // At-most-once queues take messages off the server before handing them out.
    const bool noAck = q.config.deliveryMode == DeliveryMode::AtMostOnce;
    const int max = std::clamp(options.maxMessages, 1, MaxReceiveBatch);
    QList<Delivery> out;
    std::vector<AmqpEvent> batch;
    size_t next = 0;
    while (out.size() < max) {
        Held held;
        if (next < batch.size()) {
            AmqpEvent &e = batch[next++];
            held = makeHeld(q, e.channel, e.deliveryTag, e.redelivered, std::move(e.message));
        } else {
            auto got = m_conn.get(q.getChannel, q.amqpName, noAck);
            if (!got) {
                if (!out.isEmpty())
                    break; // hand out what is leased; the next call reports the problem
                return got.error();
            }
            if (!*got)
                break;
            held = makeHeld(q, q.getChannel, (*got)->deliveryTag, (*got)->redelivered, std::move((*got)->message));
            // Every basic.get on a quorum queue is a round of consensus; when more is
            // wanted and waiting, a short subscription brings it in one go.
            const int want = std::min<int>(max - int(out.size()) - 1, int((*got)->messageCount));
            if (!noAck && want > 1) {
                batch.clear();
                next = 0;
                if (auto collected = collect(q, want, batch); !collected) {
                    for (const AmqpEvent &e : batch)
                        (void)m_conn.nack(e.channel, e.deliveryTag, true);
                    batch.clear();
                }
            }
        }
        if (noAck) {
            if (const qint64 end = expiresAt(q, held.decoded.message); end > 0 && end <= now) {
                (void)deadLetter(q, held, DeadLetterReason::Expired, false);
                continue;
            }
            out.append(deliver(q, std::move(held), options, now, false));
            continue;
        }
        Error error;
        const Screen verdict = screen(q, held, now, &error);
        if (verdict == Screen::Settled)
            continue;
        if (verdict == Screen::Failed) {
            (void)m_conn.nack(held.channel, held.tag, true);
            if (!out.isEmpty())
                break;
            return error;
        }
        if (modeOf(q, held.decoded.message) == DeliveryMode::AtMostOnce) {
            if (auto acked = m_conn.ack(held.channel, held.tag); !acked)
                return acked.error();
            ++q.acked;
            out.append(deliver(q, std::move(held), options, now, false));
        } else {
            out.append(deliver(q, std::move(held), options, now, true));
        }
    }
    return out;
}

Result<void> RabbitMqSession::collect(QueueRuntime &q, int want, std::vector<AmqpEvent> &out)
{
    const quint16 channel = q.getChannel;
    // The prefetch count bounds what the subscription can take to `want`.
    if (auto limited = m_conn.qos(channel, quint16(std::min(want, 65535))); !limited)
        return limited;
    m_collectChannel = channel;
    m_collected = &out;
    const auto stopCollecting = qScopeGuard([this] {
        m_collectChannel = 0;
        m_collected = nullptr;
    });
    auto tag = m_conn.consume(channel, q.amqpName);
    if (!tag)
        return tag.error();
    // The messages are ready: they come at once, or another node took them.
    const qint64 deadline = nowMs() + 200;
    while (int(out.size()) < want && nowMs() < deadline) {
        auto event = m_conn.nextEvent(10);
        if (!event)
            return event.error();
        if (!*event)
            break;
        handleEvent(std::move(**event));
    }
    if (auto cancelled = m_conn.cancel(channel, *tag); !cancelled)
        return cancelled;
    pumpEvents(); // what arrived before the cancel took effect
    return {};
}

Result<void> RabbitMqSession::ensureConsumer(QueueRuntime &q)
{
    if (q.consumeChannel && m_conn.isChannelOpen(q.consumeChannel))
        return {};
    auto channel = m_conn.openChannel();
    if (!channel)
        return channel.error();
    if (auto limited = m_conn.qos(*channel, quint16(std::clamp(m_options.fifoPrefetch, 1, 65535))); !limited)
        return limited;
    if (auto consuming = m_conn.consume(*channel, q.amqpName); !consuming)
        return consuming.error();
    q.consumeChannel = *channel;
    m_consumeChannels.insert(*channel, q.config.name);
    return {};
}

// FIFO queues: this node holds the single active subscription (or waits for it). Messages
// arrive in queue order into the buffer; per group, one is in flight at a time, and a
// nacked one goes back to its place in the buffer, so the group's order holds.
Result<QList<Delivery>> RabbitMqSession::receiveFifo(QueueRuntime &q, const ReceiveOptions &options, qint64 now)
{
    if (auto subscribed = ensureConsumer(q); !subscribed)
        return subscribed.error();
    pumpEvents();
    const int max = std::clamp(options.maxMessages, 1, MaxReceiveBatch);
    QList<Delivery> out;
    for (auto it = q.buffer.begin(); it != q.buffer.end() && out.size() < max;) {
        Held &held = it->second;
        if (held.notBefore > now || q.busyGroups.contains(held.decoded.message.groupId)) {
            ++it;
            continue;
        }
        Error error;
        const Screen verdict = screen(q, held, now, &error);
        if (verdict == Screen::Failed)
            return out.isEmpty() ? Result<QList<Delivery>>(error) : Result<QList<Delivery>>(out);
        if (verdict == Screen::Deliver) {
            const bool lease = modeOf(q, held.decoded.message) != DeliveryMode::AtMostOnce;
            if (!lease) {
                if (auto acked = m_conn.ack(held.channel, held.tag); !acked)
                    return acked.error();
                ++q.acked;
            }
            out.append(deliver(q, std::move(held), options, now, lease));
        }
        it = q.buffer.erase(it);
    }
    return out;
}

std::optional<Lease> RabbitMqSession::takeLease(QueueRuntime &q, const QString &handle)
{
    auto it = q.leases.find(handle);
    if (it == q.leases.end())
        return std::nullopt;
    Lease lease = std::move(it.value());
    q.leases.erase(it);
    m_leaseExpiry.erase({lease.expiresAt, q.config.name, handle});
    if (q.isFifo())
        q.busyGroups.remove(lease.held.decoded.message.groupId);
    // A lease of an earlier connection: RabbitMQ has requeued that message already.
    if (lease.held.generation != m_conn.generation() || !m_conn.isOpen())
        return std::nullopt;
    return lease;
}

Result<void> RabbitMqSession::deadLetter(QueueRuntime &q, const Held &held, DeadLetterReason reason, bool settle)
{
    if (!q.config.deadLetterQueue.isEmpty()) {
        Message m = held.decoded.message;
        m.dlqReason = reason;
        m.originalQueue = q.config.name;
        m.originalTopic = m.topic;
        m.deliverAtMs = 0;
        OutgoingMessage out;
        EncodeExtras extras;
        extras.body = held.body;
        if (auto encoded = encodeMessage(m, extras, 0, out); !encoded)
            return encoded;
        out.routingKey = amqpName(q.config.deadLetterQueue);
        const std::vector<SendResult> sent = sendConfirmed({&out});
        if (sent.front().outcome != Outcome::Confirmed) {
            if (sent.front().outcome == Outcome::Returned)
                return makeError("broker_unknown_queue", Tr::tr("the dead-letter queue \"%1\" does not exist on %2")
                                                             .arg(q.config.deadLetterQueue, m_conn.where()));
            return sent.front().error.code.isEmpty()
                ? makeError("broker_store_failed", Tr::tr("RabbitMQ refused the dead letter"))
                : sent.front().error;
        }
    }
    if (settle) {
        if (auto acked = m_conn.ack(held.channel, held.tag); !acked)
            return acked;
    }
    ++q.deadLettered;
    m_counters.addDeadLettered(1);
    return {};
}

Result<void> RabbitMqSession::republish(QueueRuntime &q, const Held &held, int attempts, qint64 deliverAt, qint64 now)
{
    Message m = held.decoded.message;
    const qint64 end = m.ttlMs > 0 ? m.enqueuedAtMs + m.ttlMs : 0;
    if (end > 0 && end <= now)
        return deadLetter(q, held, DeadLetterReason::Expired);
    m.deliverAtMs = deliverAt;
    OutgoingMessage out;
    EncodeExtras extras;
    extras.attempts = attempts;
    extras.body = held.body;
    extras.expirationMs = end > 0 && deliverAt <= now ? end - now : 0;
    if (auto encoded = encodeMessage(m, extras, 0, out); !encoded)
        return encoded;
    if (deliverAt > now) {
        if (auto ladder = ensureDelayLadder(); !ladder)
            return ladder;
        routeDelayed(out, (deliverAt - now + DelayUnitMs - 1) / DelayUnitMs, q.config.name, false);
        q.delayedDue.insert(deliverAt);
    } else {
        out.routingKey = q.amqpName;
    }
    const std::vector<SendResult> sent = sendConfirmed({&out});
    if (sent.front().outcome != Outcome::Confirmed) {
        // Keep the message: give it back as it is.
        (void)m_conn.nack(held.channel, held.tag, true);
        return sent.front().error.code.isEmpty()
            ? makeError("broker_store_failed", Tr::tr("RabbitMQ refused to take the message back"))
            : sent.front().error;
    }
    return m_conn.ack(held.channel, held.tag);
}

// A nack with requeue, a lease that ran out, a consumer that is gone.
Result<void> RabbitMqSession::giveBack(QueueRuntime &q, Lease &&lease, qint64 delayMs, qint64 now)
{
    Held &held = lease.held;
    const int count = lease.deliveryCount;
    const bool overLimit = q.hasDeliveryLimit() && count >= q.config.maxDeliveryAttempts;
    if (!q.classic && !q.isFifo() && held.decoded.attempts == 0 && delayMs <= 0) {
        // RabbitMQ counts this return and enforces x-delivery-limit itself (atomically).
        if (overLimit) {
            ++q.deadLettered;
            m_counters.addDeadLettered(1);
        }
        return m_conn.nack(held.channel, held.tag, true);
    }
    if (overLimit)
        return deadLetter(q, held, DeadLetterReason::MaxRetriesExceeded);
    if (q.isFifo()) {
        ++held.localDeliveries;
        const qint64 notBefore = delayMs > 0 ? now + delayMs : 0;
        held.notBefore = notBefore;
        const quint64 seq = held.seq;
        q.buffer.emplace(seq, std::move(held));
        for (Waiter &w : m_waiters) {
            if (w.queue == q.config.name)
                w.nextPoll = std::min(w.nextPoll, notBefore);
        }
        return {};
    }
    return republish(q, held, count, delayMs > 0 ? now + delayMs : 0, now);
}

void RabbitMqSession::expireLeases(qint64 now)
{
    while (!m_leaseExpiry.empty() && std::get<0>(*m_leaseExpiry.begin()) <= now) {
        const auto [end, queue, handle] = *m_leaseExpiry.begin();
        auto it = m_queues.find(queue);
        if (it == m_queues.end()) {
            m_leaseExpiry.erase(m_leaseExpiry.begin());
            continue;
        }
        std::optional<Lease> lease = takeLease(*it->second, handle);
        m_leaseExpiry.erase({end, queue, handle});
        if (lease)
            (void)giveBack(*it->second, std::move(*lease), 0, now);
    }
}

void RabbitMqSession::pollWaiters(qint64 now)
{
    for (auto it = m_waiters.begin(); it != m_waiters.end();) {
        if (it->nextPoll > now && it->deadline > now) {
            ++it;
            continue;
        }
        auto q = findQueue(it->queue);
        Result<QList<Delivery>> got = q ? tryReceive(**q, it->options, now) : Result<QList<Delivery>>(q.error());
        if (!got || !got->isEmpty() || it->deadline <= now) {
            complete([done = std::move(it->done), got = std::move(got)] { done(got); });
            it = m_waiters.erase(it);
            continue;
        }
        it->interval = std::min(it->interval * 2, MaxPollMs);
        it->nextPoll = now + it->interval;
        ++it;
    }
}

Result<SettleResult> RabbitMqSession::ack(const QString &queue, const QStringList &handles, const AckOptions &options)
{
    auto found = findQueue(queue);
    if (!found)
        return found.error();
    QueueRuntime &q = **found;
    const qint64 now = nowMs();
    SettleResult result;
    for (const QString &handle : handles) {
        std::optional<Lease> lease = takeLease(q, handle);
        if (!lease) {
            result.unknownHandles.append(handle);
            continue;
        }
        const Message &m = lease->held.decoded.message;
        if (!options.consumerGroup.isEmpty() && !m.messageId.isEmpty()) {
            QStringList &groups = q.processed[m.messageId];
            if (!groups.contains(options.consumerGroup)) {
                groups.append(options.consumerGroup);
                q.processedOrder.push_back(m.messageId);
                while (qsizetype(q.processedOrder.size()) > qsizetype(m_options.dedupCapacity)) {
                    q.processed.remove(q.processedOrder.front());
                    q.processedOrder.pop_front();
                }
            }
        }
        if (auto acked = m_conn.ack(lease->held.channel, lease->held.tag); !acked)
            return acked.error();
        ++result.settled;
        ++q.acked;
        m_counters.addConsumed(m.enqueuedAtMs > 0 ? std::max<qint64>(0, now - m.enqueuedAtMs) : -1);
    }
    return result;
}

Result<SettleResult> RabbitMqSession::nack(const QString &queue, const QStringList &handles, const NackOptions &options)
{
    if (!options.requeue)
        return reject(queue, handles);
    auto found = findQueue(queue);
    if (!found)
        return found.error();
    QueueRuntime &q = **found;
    const qint64 now = nowMs();
    SettleResult result;
    for (const QString &handle : handles) {
        std::optional<Lease> lease = takeLease(q, handle);
        if (!lease) {
            result.unknownHandles.append(handle);
            continue;
        }
        if (auto given = giveBack(q, std::move(*lease), std::max<qint64>(0, options.delayMs), now); !given)
            return given.error();
        ++result.settled;
    }
    return result;
}

Result<SettleResult> RabbitMqSession::reject(const QString &queue, const QStringList &handles)
{
    auto found = findQueue(queue);
    if (!found)
        return found.error();
    QueueRuntime &q = **found;
    SettleResult result;
    for (const QString &handle : handles) {
        std::optional<Lease> lease = takeLease(q, handle);
        if (!lease) {
            result.unknownHandles.append(handle);
            continue;
        }
        // RabbitMQ dead-letters it with reason "rejected" (or drops it without a DLQ).
        if (auto rejected = m_conn.reject(lease->held.channel, lease->held.tag, false); !rejected)
            return rejected.error();
        ++result.settled;
        ++q.deadLettered;
        m_counters.addDeadLettered(1);
    }
    return result;
}

Result<int> RabbitMqSession::releaseConsumer(const QString &queue, const QString &consumerId)
{
    auto found = findQueue(queue);
    if (!found)
        return found.error();
    QueueRuntime &q = **found;
    QStringList handles;
    for (auto it = q.leases.cbegin(); it != q.leases.cend(); ++it) {
        if (it->consumerId == consumerId)
            handles.append(it.key());
    }
    q.consumers.remove(consumerId);
    const qint64 now = nowMs();
    int released = 0;
    for (const QString &handle : std::as_const(handles)) {
        std::optional<Lease> lease = takeLease(q, handle);
        if (!lease)
            continue;
        if (auto given = giveBack(q, std::move(*lease), 0, now); !given)
            return given.error();
        ++released;
    }
    return released;
}

Result<bool> RabbitMqSession::processed(const QString &queue, const QString &group, const QString &messageId)
{
    auto found = findQueue(queue);
    if (!found)
        return found.error();
    const auto it = (*found)->processed.constFind(messageId);
    return it != (*found)->processed.cend() && it->contains(group);
}

Result<QList<QueueStats>> RabbitMqSession::stats()
{
    if (auto connected = ensureConnected(); !connected)
        return connected.error();
    const qint64 now = nowMs();
    auto counts = [this](const QByteArray &name) -> Result<AmqpConnection::QueueCounts> {
        auto channel = managementChannel();
        if (!channel)
            return channel.error();
        auto declared = m_conn.declareQueue(*channel, name, true, amqp_empty_table);
        if (!declared && declared.error().code == u"broker_unknown_queue")
            return AmqpConnection::QueueCounts{}; // not (yet) on the server
        return declared;
    };
    QList<QueueStats> list;
    for (const QString &name : std::as_const(m_order)) {
        QueueRuntime &q = *m_queues.at(name);
        auto own = counts(q.amqpName);
        if (!own)
            return own.error();
        QueueStats s;
        s.name = name;
        s.type = q.config.type;
        s.depth = qint64(own->messages) + qint64(q.buffer.size());
        q.delayedDue.erase(q.delayedDue.begin(), q.delayedDue.upper_bound(now));
        s.delayed = qint64(q.delayedDue.size());
        s.inFlight = q.leases.size();
        if (!q.config.deadLetterQueue.isEmpty()) {
            auto dead = counts(amqpName(q.config.deadLetterQueue));
            if (!dead)
                return dead.error();
            s.deadLetterDepth = dead->messages;
        }
        s.consumerLag = s.depth + s.delayed + s.inFlight;
        for (auto it = q.consumers.cbegin(); it != q.consumers.cend(); ++it) {
            if (it.value() >= now - q.config.visibilityTimeoutMs)
                ++s.consumers;
        }
        s.published = q.published;
        s.acked = q.acked;
        s.deadLettered = q.deadLettered;
        list.append(s);
    }
    return list;
}

Result<QList<Message>> RabbitMqSession::browse(const QString &queue, int offset, int limit)
{
    auto found = findQueue(queue);
    if (!found)
        return found.error();
    QueueRuntime &q = **found;
    if (auto connected = ensureConnected(); !connected)
        return connected.error();
    offset = std::max(offset, 0);
    limit = std::clamp(limit, 0, MaxReceiveBatch);
    QList<Message> all;
    for (const auto &[seq, held] : q.buffer) {
        Message m = held.decoded.message;
        m.deliveryCount = deliveryCount(q, held);
        all.append(std::move(m));
    }
    // RabbitMQ 3.10 cannot peek: take the messages on a channel of their own and close it,
    // which returns them all to their places. A quorum queue counts that return as a
    // delivery (x-delivery-count), so every look costs the messages one attempt.
    auto channel = m_conn.openChannel();
    if (!channel)
        return channel.error();
    const auto closeChannel = qScopeGuard([&] { m_conn.closeChannel(*channel); });
    while (all.size() < offset + limit) {
        auto got = m_conn.get(*channel, q.amqpName, false);
        if (!got)
            return got.error();
        if (!*got)
            break;
        Held held = makeHeld(q, *channel, (*got)->deliveryTag, (*got)->redelivered, std::move((*got)->message));
        Message m = held.decoded.message;
        m.deliveryCount = deliveryCount(q, held) - 1; // this look is not a delivery
        m.expiresAtMs = expiresAt(q, m);
        all.append(std::move(m));
    }
    return all.mid(offset, limit);
}

Result<int> RabbitMqSession::replay(const QString &deadLetterQueue, const QStringList &messageIds)
{
    auto found = findQueue(deadLetterQueue);
    if (!found)
        return found.error();
    QueueRuntime &dq = **found;
    if (auto connected = ensureConnected(); !connected)
        return connected.error();
    const qint64 now = nowMs();
    auto channel = m_conn.openChannel();
    if (!channel)
        return channel.error();
    // Take every dead letter; move the chosen ones, and close the channel to give the
    // others back.
    const auto closeChannel = qScopeGuard([&] { m_conn.closeChannel(*channel); });
    std::vector<Held> chosen;
    std::vector<OutgoingMessage> outgoing;
    for (;;) {
        auto got = m_conn.get(*channel, dq.amqpName, false);
        if (!got)
            return got.error();
        if (!*got)
            break;
        Held held = makeHeld(dq, *channel, (*got)->deliveryTag, (*got)->redelivered, std::move((*got)->message));
        Message m = held.decoded.message;
        const auto target = m_queues.find(m.originalQueue);
        if (target == m_queues.end() || (!messageIds.isEmpty() && !messageIds.contains(m.messageId)))
            continue;
        m.dlqReason = DeadLetterReason::None;
        m.originalQueue.clear();
        m.originalTopic.clear();
        m.deliverAtMs = 0;
        m.ttlMs = 0;
        m.enqueuedAtMs = now; // a replay starts the message's life again
        OutgoingMessage out;
        EncodeExtras extras;
        extras.body = held.body;
        if (auto encoded = encodeMessage(m, extras, 0, out); !encoded)
            continue;
        out.routingKey = target->second->amqpName;
        outgoing.push_back(std::move(out));
        chosen.push_back(std::move(held));
    }
    std::vector<const OutgoingMessage *> pointers;
    for (const OutgoingMessage &out : outgoing)
        pointers.push_back(&out);
    const std::vector<SendResult> sent = sendConfirmed(pointers);
    int moved = 0;
    for (size_t i = 0; i < sent.size(); ++i) {
        if (sent[i].outcome != Outcome::Confirmed)
            continue;
        if (auto acked = m_conn.ack(chosen[i].channel, chosen[i].tag); !acked)
            return acked.error();
        ++moved;
    }
    return moved;
}

Result<int> RabbitMqSession::purge(const QString &queue)
{
    auto found = findQueue(queue);
    if (!found)
        return found.error();
    QueueRuntime &q = **found;
    if (auto connected = ensureConnected(); !connected)
        return connected.error();
    auto channel = managementChannel();
    if (!channel)
        return channel.error();
    auto purged = m_conn.purgeQueue(*channel, q.amqpName);
    if (!purged)
        return purged.error();
    int count = int(*purged);
    // FIFO messages delivered to this node but not leased are ready messages too.
    for (const auto &[seq, held] : q.buffer) {
        if (auto acked = m_conn.ack(held.channel, held.tag); !acked)
            return acked.error();
        ++count;
    }
    q.buffer.clear();
    return count;
}

} // namespace Conflux::Broker::Internal
