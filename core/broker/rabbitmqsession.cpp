#include "broker/rabbitmqsession_p.h"

#include "broker/topicpattern.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QUuid>

#include <algorithm>
#include <bit>

using namespace Qt::StringLiterals;

namespace Conflux::Broker::Internal {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Broker)
};

Error invalidQueue(const QString &pointer, const QString &what)
{
    return makeError("broker_invalid_queue", Tr::tr("invalid queue: %1").arg(what), {pointer});
}

Error invalidMessage(const QString &pointer, const QString &what)
{
    return makeError("broker_invalid_message", Tr::tr("invalid message: %1").arg(what), {pointer});
}

// Longest topic or queue name that still fits an AMQP routing key (255 bytes) behind the
// delay ladder's bit words.
constexpr int MaxNameBytes = 180;

} // namespace

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

SharedCounters::SharedCounters()
{
    m_counters.latencyBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    m_counters.latencyBuckets = QList<quint64>(m_counters.latencyBounds.size() + 1, 0);
}

void SharedCounters::addProduced(quint64 n)
{
    std::lock_guard lock(m_mutex);
    m_counters.produced += n;
}

void SharedCounters::addConsumed(qint64 latencyMs)
{
    std::lock_guard lock(m_mutex);
    ++m_counters.consumed;
    if (latencyMs < 0)
        return;
    const double seconds = double(latencyMs) / 1000.0;
    for (qsizetype i = 0; i < m_counters.latencyBounds.size(); ++i) {
        if (seconds <= m_counters.latencyBounds[i])
            ++m_counters.latencyBuckets[i];
    }
    ++m_counters.latencyBuckets.last();
    m_counters.latencySumSeconds += seconds;
    ++m_counters.latencyCount;
}

void SharedCounters::addDeadLettered(quint64 n)
{
    std::lock_guard lock(m_mutex);
    m_counters.deadLettered += n;
}

BrokerCounters SharedCounters::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_counters;
}

RabbitMqSession::RabbitMqSession(const RabbitMqBroker::Options &options, SharedCounters &counters)
    : m_options(options), m_counters(counters)
{
    m_settings.host = options.host.toUtf8();
    m_settings.port = options.port;
    m_settings.vhost = options.virtualHost.toUtf8();
    m_settings.user = options.user.toUtf8();
    m_settings.password = options.password.toUtf8();
    m_settings.heartbeatSeconds = options.heartbeatSeconds;
    m_settings.connectTimeoutMs = options.connectTimeoutMs;
    m_settings.rpcTimeoutMs = options.rpcTimeoutMs;
    m_topicsExchange = (options.namePrefix + u"topics"_s).toUtf8();
    m_deliverExchange = (options.namePrefix + u"delay.deliver"_s).toUtf8();
    m_delayQueuePrefix = options.namePrefix + u"delay."_s;
    for (int i = 0; i < DelayLevels; ++i)
        m_stars += i == 0 ? "*" : ".*";
}

RabbitMqSession::~RabbitMqSession() = default;

Result<void> RabbitMqSession::start()
{
    return ensureConnected();
}

void RabbitMqSession::shutdown()
{
    for (Waiter &w : m_waiters) {
        complete([done = std::move(w.done)] {
            done(makeError("broker_closed", Tr::tr("the broker was closed while waiting for messages")));
        });
    }
    m_waiters.clear();
    // Closing the connection returns every unacked message (leases, FIFO buffers) to its
    // queue on the server.
    m_conn.close();
    resetConnectionState();
}

void RabbitMqSession::resetConnectionState()
{
    m_mgmtChannel = 0;
    m_pubChannel = 0;
    m_pubSeq = 0;
    m_consumeChannels.clear();
    m_leaseExpiry.clear();
    for (auto &[name, q] : m_queues) {
        q->getChannel = 0;
        q->consumeChannel = 0;
        q->buffer.clear();
        q->busyGroups.clear();
        q->leases.clear();
    }
    m_generation = m_conn.generation();
}

Result<void> RabbitMqSession::ensureConnected()
{
    if (m_conn.isOpen() && m_conn.generation() == m_generation)
        return {};
    if (!m_conn.isOpen()) {
        if (auto opened = m_conn.open(m_settings); !opened)
            return opened;
    }
    resetConnectionState();
    auto channel = managementChannel();
    if (!channel)
        return channel.error();
    for (const QByteArray &exchange : {m_topicsExchange, m_deliverExchange}) {
        if (auto declared = m_conn.declareExchange(*channel, exchange, "topic"); !declared)
            return declared;
    }
    return {};
}

Result<quint16> RabbitMqSession::managementChannel()
{
    if (m_mgmtChannel && m_conn.isChannelOpen(m_mgmtChannel))
        return m_mgmtChannel;
    auto channel = m_conn.openChannel();
    if (!channel)
        return channel.error();
    m_mgmtChannel = *channel;
    return m_mgmtChannel;
}

Result<void> RabbitMqSession::ensureDelayLadder()
{
    if (m_delayReady)
        return {};
    auto channel = managementChannel();
    if (!channel)
        return channel.error();
    auto levelName = [this](int level) { return m_delayQueuePrefix.toUtf8() + QByteArray::number(level); };
    for (int level = 0; level < DelayLevels; ++level) {
        if (auto declared = m_conn.declareExchange(*channel, levelName(level), "topic"); !declared)
            return declared;
    }
    for (int level = 0; level < DelayLevels; ++level) {
        const QByteArray name = levelName(level);
        const QByteArray below = level == 0 ? m_deliverExchange : levelName(level - 1);
        AmqpTableBuilder args;
        args.addString("x-queue-type", "quorum");
        args.addInt("x-message-ttl", DelayUnitMs << level);
        args.addString("x-dead-letter-exchange", below);
        args.addString("x-dead-letter-strategy", "at-least-once");
        args.addString("x-overflow", "reject-publish");
        if (auto declared = m_conn.declareQueue(*channel, name, false, args.table()); !declared)
            return declared.error();
        // Words before this level's bit, then the bit.
        QByteArray lead;
        for (int i = DelayLevels - 1; i > level; --i)
            lead += "*.";
        if (auto bound = m_conn.bindQueue(*channel, name, name, lead + "1.#"); !bound)
            return bound;
        if (auto bound = m_conn.bindExchange(*channel, below, name, lead + "0.#"); !bound)
            return bound;
    }
    m_delayReady = true;
    return {};
}

void RabbitMqSession::routeDelayed(OutgoingMessage &out, qint64 units, const QString &target, bool topic) const
{
    QByteArray key;
    key.reserve(DelayLevels * 2 + 3 + target.size());
    for (int level = DelayLevels - 1; level >= 0; --level) {
        key += (units >> level) & 1 ? '1' : '0';
        key += '.';
    }
    key += topic ? "t." : "q.";
    key += target.toUtf8();
    const int top = 63 - std::countl_zero(quint64(units));
    out.exchange = m_delayQueuePrefix.toUtf8() + QByteArray::number(top);
    out.routingKey = key;
}

Result<QueueRuntime *> RabbitMqSession::findQueue(const QString &name)
{
    const auto it = m_queues.find(name);
    if (it == m_queues.end())
        return makeError("broker_unknown_queue", Tr::tr("the queue \"%1\" is not declared").arg(name));
    return it->second.get();
}

Result<void> RabbitMqSession::validate(const QueueConfig &config) const
{
    if (const QString problem = topicProblem(config.name); !problem.isEmpty())
        return invalidQueue(u"/name"_s, Tr::tr("the name \"%1\" is not usable on RabbitMQ: %2 (queue names follow the "
                                               "rules of topics)")
                                            .arg(config.name, problem));
    if (config.name.toUtf8().size() > MaxNameBytes)
        return invalidQueue(u"/name"_s, Tr::tr("the name is longer than %1 bytes").arg(MaxNameBytes));
    if (config.maxDeliveryAttempts < 1)
        return invalidQueue(u"/max_delivery_attempts"_s, Tr::tr("max_delivery_attempts must be 1 or more"));
    if (config.maxSize < 0 || config.maxSize > 0x7fffffff)
        return invalidQueue(u"/max_size"_s, Tr::tr("max_size must be between 0 and 2147483647"));
    if (config.ttlMs < 0 || config.ttlMs > 0xffffffffLL)
        return invalidQueue(u"/ttl"_s, Tr::tr("the ttl must be between 0 and 4294967295 ms (RabbitMQ's limit)"));
    if (config.visibilityTimeoutMs <= 0)
        return invalidQueue(u"/visibility_timeout"_s, Tr::tr("the visibility timeout must be positive"));
    if (config.dedupWindowMs < 0)
        return invalidQueue(u"/dedup_window"_s, Tr::tr("the dedup window must not be negative"));
    if (!config.deadLetterQueue.isEmpty()) {
        if (config.deadLetterQueue == config.name)
            return invalidQueue(u"/dead_letter_queue"_s, Tr::tr("a queue cannot be its own dead-letter queue"));
        if (const QString problem = topicProblem(config.deadLetterQueue); !problem.isEmpty())
            return invalidQueue(u"/dead_letter_queue"_s, Tr::tr("\"%1\": %2").arg(config.deadLetterQueue, problem));
    }
    for (qsizetype i = 0; i < config.topics.size(); ++i) {
        if (const QString problem = topicPatternProblem(config.topics[i]); !problem.isEmpty())
            return invalidQueue(u"/topics/%1"_s.arg(i), Tr::tr("\"%1\": %2").arg(config.topics[i], problem));
        if (config.topics[i].toUtf8().size() > MaxNameBytes)
            return invalidQueue(u"/topics/%1"_s.arg(i), Tr::tr("the pattern is longer than %1 bytes").arg(MaxNameBytes));
    }
    return {};
}

void RabbitMqSession::queueArguments(const QueueConfig &config, AmqpTableBuilder &args) const
{
    // RabbitMQ 3.10 quorum queues have no priorities: priority queues are classic queues.
    const bool classic = config.type == QueueType::Priority;
    const bool hasDlq = !config.deadLetterQueue.isEmpty();
    // At-least-once dead-lettering needs reject-publish; drop-head falls back to at-most-once.
    const bool atLeastOnceDlx = !classic && hasDlq && config.overflow == OverflowPolicy::RejectNew;
    if (classic) {
        args.addString("x-queue-type", "classic");
        args.addInt("x-max-priority", int(Priority::Critical));
    } else {
        args.addString("x-queue-type", "quorum");
        // RabbitMQ dead-letters when a message was returned more than x-delivery-limit
        // times, i.e. on its (limit + 1)th failed delivery. Dead-letter queues have none:
        // browse and selective replay give their messages back, which counts as a return.
        if (config.type != QueueType::DeadLetter)
            args.addInt("x-delivery-limit", config.maxDeliveryAttempts - 1);
        if (config.type == QueueType::Fifo)
            args.addBool("x-single-active-consumer", true);
    }
    if (hasDlq) {
        args.addString("x-dead-letter-exchange", QByteArray());
        args.addString("x-dead-letter-routing-key", amqpName(config.deadLetterQueue));
        if (atLeastOnceDlx)
            args.addString("x-dead-letter-strategy", "at-least-once");
    }
    if (config.maxSize > 0) {
        // Quorum queues notice that they are full only after the enqueue that fills them
        // (and then refuse the next): one short of max_size refuses at max_size.
        const bool lateCheck = !classic && config.overflow == OverflowPolicy::RejectNew;
        args.addInt("x-max-length", lateCheck ? config.maxSize - 1 : config.maxSize);
    }
    if (config.maxSize > 0 || atLeastOnceDlx)
        args.addString("x-overflow", config.overflow == OverflowPolicy::DropOldest ? "drop-head" : "reject-publish");
    if (config.ttlMs > 0)
        args.addInt("x-message-ttl", config.ttlMs);
}

Result<void> RabbitMqSession::declareQueue(const QueueConfig &config)
{
    if (auto valid = validate(config); !valid)
        return valid;
    if (auto connected = ensureConnected(); !connected)
        return connected;
    auto channel = managementChannel();
    if (!channel)
        return channel.error();
    const QByteArray name = amqpName(config.name);
    AmqpTableBuilder args;
    queueArguments(config, args);
    if (auto declared = m_conn.declareQueue(*channel, name, false, args.table()); !declared) {
        Error error = declared.error();
        if (error.code == u"broker_invalid_queue")
            error.message = Tr::tr("the queue \"%1\" exists on RabbitMQ with other arguments (type, delivery limit, "
                                   "max size, overflow, ttl or dead-letter queue), which RabbitMQ cannot change: "
                                   "delete it on the server, or declare it as it was (%2)")
                                .arg(config.name, error.message);
        return error;
    }

    auto it = m_queues.find(config.name);
    const QStringList oldTopics = it != m_queues.end() ? it->second->config.topics : QStringList();
    const QByteArray queueKey = m_stars + ".q." + config.name.toUtf8();
    if (auto bound = m_conn.bindQueue(*channel, name, m_deliverExchange, queueKey); !bound)
        return bound;
    for (const QString &pattern : config.topics) {
        if (oldTopics.contains(pattern))
            continue;
        if (auto bound = m_conn.bindQueue(*channel, name, m_topicsExchange, pattern.toUtf8()); !bound)
            return bound;
        if (auto bound = m_conn.bindQueue(*channel, name, m_deliverExchange, m_stars + ".t." + pattern.toUtf8()); !bound)
            return bound;
    }
    for (const QString &pattern : oldTopics) {
        if (config.topics.contains(pattern))
            continue;
        if (auto unbound = m_conn.unbindQueue(*channel, name, m_topicsExchange, pattern.toUtf8()); !unbound)
            return unbound;
        if (auto unbound = m_conn.unbindQueue(*channel, name, m_deliverExchange, m_stars + ".t." + pattern.toUtf8());
            !unbound)
            return unbound;
    }

    if (it == m_queues.end()) {
        auto q = std::make_unique<QueueRuntime>();
        q->amqpName = name;
        it = m_queues.emplace(config.name, std::move(q)).first;
        m_order.append(config.name);
    }
    it->second->config = config;
    it->second->classic = config.type == QueueType::Priority;
    return {};
}

bool RabbitMqSession::isDuplicate(const QueueRuntime &q, const QString &messageId, qint64 now) const
{
    const auto it = q.dedup.constFind(messageId);
    return it != q.dedup.cend() && it.value() > now;
}

Result<void> RabbitMqSession::prepare(const QString &queue, Message m, qint64 now, Prepared &p)
{
    p.topic = queue.isEmpty();
    if (m.messageId.isEmpty())
        m.messageId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m.enqueuedAtMs = now;
    if (!m.topic.isEmpty()) {
        if (const QString problem = topicProblem(m.topic); !problem.isEmpty())
            return invalidMessage(u"/topic"_s, problem);
        if (m.topic.toUtf8().size() > MaxNameBytes)
            return invalidMessage(u"/topic"_s, Tr::tr("the topic is longer than %1 bytes").arg(MaxNameBytes));
    }
    if (m.ttlMs < 0)
        return invalidMessage(u"/ttl"_s, Tr::tr("the ttl must not be negative"));

    QList<QueueRuntime *> targets;
    if (p.topic) {
        if (m.topic.isEmpty())
            return invalidMessage(u"/topic"_s, Tr::tr("a message published to a topic needs a topic"));
        for (const QString &name : std::as_const(m_order)) {
            QueueRuntime *q = m_queues.at(name).get();
            for (const QString &pattern : q->config.topics) {
                if (topicMatches(pattern, m.topic)) {
                    targets.append(q);
                    break;
                }
            }
        }
    } else {
        auto q = findQueue(queue);
        if (!q)
            return q.error();
        targets.append(*q);
    }

    DeliveryMode mode = DeliveryMode::AtLeastOnce;
    if (m.deliveryMode)
        mode = *m.deliveryMode;
    else if (!targets.isEmpty())
        mode = std::any_of(targets.cbegin(), targets.cend(),
                           [](const QueueRuntime *q) { return q->config.deliveryMode == DeliveryMode::ExactlyOnce; })
            ? DeliveryMode::ExactlyOnce
            : targets.first()->config.deliveryMode;
    p.exactlyOnce = mode == DeliveryMode::ExactlyOnce;
    p.receipt.messageId = m.messageId;
    for (const QueueRuntime *q : std::as_const(targets)) {
        p.receipt.queues.append(q->config.name);
        p.rejectsWhenFull |= q->config.maxSize > 0 && q->config.overflow == OverflowPolicy::RejectNew;
    }
    if (p.exactlyOnce && !targets.isEmpty()
        && std::all_of(targets.cbegin(), targets.cend(),
                       [&](const QueueRuntime *q) { return isDuplicate(*q, m.messageId, now); })) {
        p.receipt.duplicate = true;
        return {};
    }

    const bool delayed = m.deliverAtMs > now;
    EncodeExtras extras;
    // A delayed message must not expire in the ladder: its ttl is checked on receipt.
    extras.expirationMs = delayed ? 0 : m.ttlMs;
    if (auto encoded = encodeMessage(m, extras, m_options.maxPayloadBytes, p.out); !encoded)
        return encoded;
    if (delayed) {
        const qint64 units = (m.deliverAtMs - now + DelayUnitMs - 1) / DelayUnitMs;
        if (units >= (qint64(1) << DelayLevels))
            return invalidMessage(u"/deliver_at"_s, Tr::tr("deliver_at is more than %1 days ahead (the delay ladder's "
                                                           "limit on RabbitMQ)")
                                                        .arg((DelayUnitMs << DelayLevels) / 86400000));
        if (p.topic && targets.isEmpty())
            return makeError("broker_no_route", Tr::tr("no declared queue is bound to the topic \"%1\"").arg(m.topic));
        p.deliverAt = m.deliverAtMs;
        routeDelayed(p.out, units, p.topic ? m.topic : queue, p.topic);
    } else if (p.topic) {
        p.out.exchange = m_topicsExchange;
        p.out.routingKey = m.topic.toUtf8();
    } else {
        p.out.routingKey = targets.first()->amqpName;
    }
    return {};
}

std::vector<RabbitMqSession::SendResult> RabbitMqSession::sendConfirmed(const std::vector<const OutgoingMessage *> &messages)
{
    std::vector<SendResult> results(messages.size());
    auto failFrom = [&](size_t from, const Error &error) {
        for (size_t i = from; i < results.size(); ++i) {
            if (results[i].outcome == Outcome::Failed && results[i].error.code.isEmpty())
                results[i].error = error;
        }
    };
    if (messages.empty())
        return results;
    if (auto connected = ensureConnected(); !connected) {
        failFrom(0, connected.error());
        return results;
    }
    if (!m_pubChannel || !m_conn.isChannelOpen(m_pubChannel)) {
        auto channel = m_conn.openChannel();
        if (!channel) {
            failFrom(0, channel.error());
            return results;
        }
        if (auto confirming = m_conn.confirmSelect(*channel); !confirming) {
            failFrom(0, confirming.error());
            return results;
        }
        m_pubChannel = *channel;
        m_pubSeq = 0;
    }
    const quint16 channel = m_pubChannel;
    std::map<quint64, size_t> pending;
    std::vector<bool> returned(messages.size(), false);
    for (size_t i = 0; i < messages.size(); ++i) {
        if (auto sent = m_conn.publish(channel, *messages[i]); !sent) {
            failFrom(i, sent.error());
            break;
        }
        pending.emplace(++m_pubSeq, i);
    }

    const qint64 deadline = nowMs() + m_options.rpcTimeoutMs;
    while (!pending.empty()) {
        const qint64 left = deadline - nowMs();
        if (left <= 0 || !m_conn.isOpen()) {
            const Error error = makeError("broker_unavailable",
                                          Tr::tr("%1 did not confirm %2 publishes within %3 ms")
                                              .arg(m_conn.where())
                                              .arg(pending.size())
                                              .arg(m_options.rpcTimeoutMs));
            for (const auto &[tag, index] : pending)
                results[index].error = error;
            // Late confirms would be counted against the next publishes: start afresh.
            m_conn.closeChannel(channel);
            m_pubChannel = 0;
            break;
        }
        auto event = m_conn.nextEvent(int(std::min<qint64>(left, 1000)));
        if (!event) {
            for (const auto &[tag, index] : pending)
                results[index].error = event.error();
            break;
        }
        if (!*event)
            continue;
        AmqpEvent &e = **event;
        if (e.channel != channel) {
            handleEvent(std::move(e));
            continue;
        }
        switch (e.kind) {
        case AmqpEvent::Kind::Ack:
        case AmqpEvent::Kind::Nack: {
            auto first = e.multiple ? pending.begin() : pending.find(e.deliveryTag);
            auto last = e.multiple ? pending.upper_bound(e.deliveryTag)
                                   : (first == pending.end() ? first : std::next(first));
            for (auto it = first; it != last; ++it) {
                results[it->second].outcome = e.kind == AmqpEvent::Kind::Nack ? Outcome::Nacked
                    : returned[it->second]                                     ? Outcome::Returned
                                                                               : Outcome::Confirmed;
            }
            pending.erase(first, last);
            break;
        }
        case AmqpEvent::Kind::Return:
            // A return precedes the confirm of the same publish; match it by message id.
            for (const auto &[tag, index] : pending) {
                if (!returned[index] && messages[index]->messageId == e.message.messageId) {
                    returned[index] = true;
                    break;
                }
            }
            break;
        case AmqpEvent::Kind::ChannelClosed: {
            const Error error = makeError("broker_store_failed", Tr::tr("%1 closed the publishing channel: %2")
                                                                     .arg(m_conn.where(), e.replyText));
            for (const auto &[tag, index] : pending)
                results[index].error = error;
            pending.clear();
            m_pubChannel = 0;
            break;
        }
        default:
            break;
        }
    }
    return results;
}

Error RabbitMqSession::publishError(const Prepared &p, const SendResult &r) const
{
    switch (r.outcome) {
    case Outcome::Confirmed:
        return {};
    case Outcome::Returned:
        if (p.topic)
            return makeError("broker_no_route", Tr::tr("no queue on %1 is bound to the topic of this message")
                                                    .arg(m_conn.where()));
        return makeError("broker_unknown_queue", Tr::tr("the queue \"%1\" does not exist on %2 (deleted there?)")
                                                     .arg(p.receipt.queues.value(0), m_conn.where()));
    case Outcome::Nacked:
        if (p.rejectsWhenFull)
            return makeError("broker_queue_full", Tr::tr("RabbitMQ refused the message: the queue is full "
                                                         "(or the server could not store it)"));
        return makeError("broker_store_failed", Tr::tr("RabbitMQ could not store the message (basic.nack)"));
    case Outcome::Failed:
        return r.error.code.isEmpty() ? makeError("broker_unavailable", Tr::tr("the publish failed")) : r.error;
    }
    return r.error;
}

void RabbitMqSession::recordPublished(const Prepared &p, qint64 now)
{
    for (const QString &name : p.receipt.queues) {
        auto it = m_queues.find(name);
        if (it == m_queues.end())
            continue;
        QueueRuntime &q = *it->second;
        ++q.published;
        if (p.deliverAt > 0)
            q.delayedDue.insert(p.deliverAt);
        if (p.exactlyOnce && q.config.dedupWindowMs > 0) {
            q.dedup.insert(p.receipt.messageId, now + q.config.dedupWindowMs);
            q.dedupOrder.emplace_back(now + q.config.dedupWindowMs, p.receipt.messageId);
            while (qsizetype(q.dedupOrder.size()) > qsizetype(m_options.dedupCapacity)) {
                auto found = q.dedup.find(q.dedupOrder.front().second);
                if (found != q.dedup.end() && found.value() == q.dedupOrder.front().first)
                    q.dedup.erase(found);
                q.dedupOrder.pop_front();
            }
        }
    }
    m_counters.addProduced(1);
}

void RabbitMqSession::flushPublishes()
{
    if (m_pendingPublishes.empty())
        return;
    std::vector<PublishJob> jobs;
    jobs.swap(m_pendingPublishes);
    const qint64 now = nowMs();
    std::vector<Prepared> prepared;
    prepared.reserve(jobs.size());
    std::vector<const OutgoingMessage *> outgoing;
    std::vector<size_t> outgoingIndex;
    bool anyDelayed = false;
    for (PublishJob &job : jobs) {
        Prepared p;
        p.done = std::move(job.done);
        if (auto ok = prepare(job.queue, std::move(job.message), now, p); !ok) {
            complete([done = std::move(p.done), error = ok.error()] { done(error); });
            continue;
        }
        if (p.receipt.duplicate) {
            complete([done = std::move(p.done), receipt = p.receipt] { done(receipt); });
            continue;
        }
        anyDelayed |= p.deliverAt > 0;
        prepared.push_back(std::move(p));
    }
    if (anyDelayed) {
        if (auto connected = ensureConnected(); connected) {
            if (auto ladder = ensureDelayLadder(); !ladder) {
                for (Prepared &p : prepared) {
                    if (p.deliverAt > 0) {
                        complete([done = std::move(p.done), error = ladder.error()] { done(error); });
                        p.done = nullptr;
                    }
                }
            }
        }
    }
    for (size_t i = 0; i < prepared.size(); ++i) {
        if (prepared[i].done) {
            outgoing.push_back(&prepared[i].out);
            outgoingIndex.push_back(i);
        }
    }
    const std::vector<SendResult> results = sendConfirmed(outgoing);
    for (size_t k = 0; k < results.size(); ++k) {
        Prepared &p = prepared[outgoingIndex[k]];
        if (results[k].outcome == Outcome::Confirmed) {
            recordPublished(p, now);
            complete([done = std::move(p.done), receipt = std::move(p.receipt)] { done(receipt); });
        } else {
            complete([done = std::move(p.done), error = publishError(p, results[k])] { done(error); });
        }
    }
    // Receivers waiting on these queues look again at once.
    for (Waiter &w : m_waiters)
        w.nextPoll = 0;
}

Result<QList<PublishReceipt>> RabbitMqSession::publishBatch(const QString &queue, QList<Message> messages)
{
    flushPublishes();
    const qint64 now = nowMs();
    std::vector<Prepared> prepared(size_t(messages.size()));
    bool anyDelayed = false;
    // Everything is checked before anything is sent.
    for (qsizetype i = 0; i < messages.size(); ++i) {
        if (auto ok = prepare(queue, std::move(messages[i]), now, prepared[size_t(i)]); !ok) {
            Error error = ok.error();
            error.details.prepend(Tr::tr("message %1 of the batch").arg(i));
            return error;
        }
        anyDelayed |= prepared[size_t(i)].deliverAt > 0;
    }
    if (auto connected = ensureConnected(); !connected)
        return connected.error();
    if (anyDelayed) {
        if (auto ladder = ensureDelayLadder(); !ladder)
            return ladder.error();
    }
    std::vector<const OutgoingMessage *> outgoing;
    std::vector<size_t> index;
    for (size_t i = 0; i < prepared.size(); ++i) {
        if (!prepared[i].receipt.duplicate) {
            outgoing.push_back(&prepared[i].out);
            index.push_back(i);
        }
    }
    const std::vector<SendResult> results = sendConfirmed(outgoing);
    QList<PublishReceipt> receipts;
    int failed = 0;
    Error firstError;
    for (size_t k = 0; k < results.size(); ++k) {
        if (results[k].outcome == Outcome::Confirmed) {
            recordPublished(prepared[index[k]], now);
        } else if (failed++ == 0) {
            firstError = publishError(prepared[index[k]], results[k]);
        }
    }
    if (failed > 0) {
        // RabbitMQ has no transaction that spans publisher confirms: say what got through.
        firstError.details.append(Tr::tr("%1 of %2 messages of the batch were stored; the others were not")
                                      .arg(qsizetype(results.size()) - failed)
                                      .arg(results.size()));
        return firstError;
    }
    for (Prepared &p : prepared)
        receipts.append(std::move(p.receipt));
    for (Waiter &w : m_waiters)
        w.nextPoll = 0;
    return receipts;
}

void RabbitMqSession::forgetChannel(quint16 channel)
{
    if (channel == m_mgmtChannel)
        m_mgmtChannel = 0;
    if (channel == m_pubChannel)
        m_pubChannel = 0;
    m_consumeChannels.remove(channel);
    for (auto &[name, q] : m_queues) {
        if (q->consumeChannel == channel) {
            q->consumeChannel = 0;
            q->buffer.clear();
        }
        if (q->getChannel == channel)
            q->getChannel = 0;
        // RabbitMQ requeued what was unacked on the channel.
        for (auto it = q->leases.begin(); it != q->leases.end();) {
            if (it->held.channel == channel) {
                m_leaseExpiry.erase({it->expiresAt, name, it.key()});
                if (q->isFifo())
                    q->busyGroups.remove(it->held.decoded.message.groupId);
                it = q->leases.erase(it);
            } else {
                ++it;
            }
        }
    }
}

void RabbitMqSession::handleEvent(AmqpEvent &&event)
{
    switch (event.kind) {
    case AmqpEvent::Kind::Deliver: {
        if (m_collected && event.channel == m_collectChannel) {
            m_collected->push_back(std::move(event));
            return;
        }
        const auto consumer = m_consumeChannels.constFind(event.channel);
        auto q = consumer == m_consumeChannels.cend() ? m_queues.end() : m_queues.find(consumer.value());
        if (q == m_queues.end()) {
            if (m_conn.isChannelOpen(event.channel))
                (void)m_conn.nack(event.channel, event.deliveryTag, true);
            return;
        }
        Held held = makeHeld(*q->second, event.channel, event.deliveryTag, event.redelivered, std::move(event.message));
        held.seq = ++m_fifoSeq;
        q->second->buffer.emplace(held.seq, std::move(held));
        for (Waiter &w : m_waiters) {
            if (w.queue == consumer.value())
                w.nextPoll = 0;
        }
        return;
    }
    case AmqpEvent::Kind::ChannelClosed:
        forgetChannel(event.channel);
        return;
    case AmqpEvent::Kind::ConsumerCancelled:
        // The server ended a subscription (its queue was deleted): start over next time.
        m_conn.closeChannel(event.channel);
        forgetChannel(event.channel);
        return;
    default:
        return; // confirms of a publishing channel that timed out
    }
}

void RabbitMqSession::pumpEvents()
{
    while (m_conn.isOpen()) {
        auto event = m_conn.nextEvent(0);
        if (!event || !*event)
            break;
        handleEvent(std::move(**event));
    }
    m_conn.releaseBuffers();
}

void RabbitMqSession::service()
{
    const qint64 now = nowMs();
    if (m_conn.isOpen() && m_conn.generation() == m_generation)
        pumpEvents();
    expireLeases(now);
    pollWaiters(nowMs());
    if (now - m_lastPrune > 60000) {
        m_lastPrune = now;
        for (auto &[name, q] : m_queues) {
            while (!q->dedupOrder.empty() && q->dedupOrder.front().first <= now) {
                auto found = q->dedup.find(q->dedupOrder.front().second);
                if (found != q->dedup.end() && found.value() <= now)
                    q->dedup.erase(found);
                q->dedupOrder.pop_front();
            }
            q->delayedDue.erase(q->delayedDue.begin(), q->delayedDue.upper_bound(now));
        }
    }
}

qint64 RabbitMqSession::nextWake() const
{
    const qint64 now = nowMs();
    qint64 wake = now + 1000;
    if (m_options.heartbeatSeconds > 0)
        wake = std::min(wake, now + qint64(m_options.heartbeatSeconds) * 500);
    if (!m_leaseExpiry.empty())
        wake = std::min(wake, std::get<0>(*m_leaseExpiry.begin()));
    for (const Waiter &w : m_waiters)
        wake = std::min({wake, w.nextPoll, w.deadline});
    return wake;
}

void RabbitMqSession::runCompletions()
{
    while (!m_completions.empty()) {
        std::vector<std::function<void()>> batch;
        batch.swap(m_completions);
        for (auto &fn : batch)
            fn();
    }
}

} // namespace Conflux::Broker::Internal
