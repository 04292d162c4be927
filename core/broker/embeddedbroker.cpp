#include "broker/embeddedbroker.h"

#include "broker/embeddedbroker_p.h"
#include "broker/topicpattern.h"
#include "data/json.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QSet>

#include <future>
#include <limits>
#include <mutex>

using namespace Qt::StringLiterals;

namespace Conflux::Broker {

namespace Internal {

namespace {

const QList<double> latencyBounds{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

QString handleFor(const Entry *e)
{
    return QString::number(e->seq) + u'.' + QString::number(e->leaseToken);
}

bool parseHandle(const QString &handle, qint64 &seq, quint64 &token)
{
    const qsizetype dot = handle.indexOf(u'.');
    if (dot <= 0)
        return false;
    bool ok1 = false, ok2 = false;
    seq = QStringView(handle).left(dot).toLongLong(&ok1);
    token = QStringView(handle).mid(dot + 1).toULongLong(&ok2);
    return ok1 && ok2;
}

} // namespace


Message EmbeddedBrokerPrivate::toMessage(const Entry &e) const
{
    Message m;
    m.messageId = e.messageId;
    m.topic = e.topic;
    if (auto payload = Data::Json::parse(e.payload))
        m.payload = std::move(*payload);
    else
        m.payload = Data::Value(QString::fromUtf8(e.payload)); // not ours: hand it out as text
    if (!e.headers.isEmpty()) {
        if (auto headers = Data::Json::parse(e.headers); headers && headers->isObject())
            m.headers = headers->toObject();
    }
    m.priority = e.priority;
    m.deliveryMode = e.mode;
    m.correlationId = e.correlationId;
    m.groupId = e.groupId;
    m.deliverAtMs = e.deliverAt;
    m.queue = e.queue;
    m.enqueuedAtMs = e.enqueuedAt;
    m.expiresAtMs = e.expiresAt;
    m.ttlMs = e.expiresAt > 0 ? e.expiresAt - e.enqueuedAt : 0;
    m.deliveryCount = e.deliveryCount;
    m.dlqReason = e.dlqReason;
    m.originalQueue = e.originalQueue;
    m.originalTopic = e.originalTopic;
    return m;
}

void EmbeddedBrokerPrivate::fileCommitted(const Result<void> &result, WriteBatch &batch, Deferred &deferred)
{
    const qint64 now = nowMs();
    for (auto &e : batch.inserted) {
        auto it = queues.find(e->queue);
        if (it == queues.end())
            continue;
        QueueState &q = *it->second;
        --q.pending;
        if (!result) {
            if (e->mode == DeliveryMode::ExactlyOnce)
                dedup.remove(e->queue + u'\n' + e->messageId);
            continue;
        }
        ++q.published;
        ++counters.produced;
        q.adopt(std::move(e), now);
        serveWaiters(q, now, deferred);
    }
}

void EmbeddedBrokerPrivate::recordLatency(qint64 enqueuedAt, qint64 now)
{
    const double seconds = double(std::max<qint64>(0, now - enqueuedAt)) / 1000.0;
    counters.latencySumSeconds += seconds;
    ++counters.latencyCount;
    for (qsizetype i = 0; i < latencyBounds.size(); ++i) {
        if (seconds <= latencyBounds[i])
            ++counters.latencyBuckets[i];
    }
    ++counters.latencyBuckets.last();
}

void EmbeddedBrokerPrivate::adoptInto(const QString &queue, std::unique_ptr<Entry> e, qint64 now, Deferred &deferred)
{
    auto it = queues.find(queue);
    if (it == queues.end()) {
        e->state = Entry::State::Detached;
        undeclared[queue].push_back(std::move(e));
        return;
    }
    it->second->adopt(std::move(e), now);
    serveWaiters(*it->second, now, deferred);
}

void EmbeddedBrokerPrivate::deadLetter(QueueState &q, Entry *e, DeadLetterReason reason, qint64 now,
                                       WriteBatch &batch, Deferred &deferred)
{
    std::unique_ptr<Entry> owned = q.release(e);
    ++q.deadLettered;
    ++counters.deadLettered;
    const QString target = q.config().deadLetterQueue;
    if (target.isEmpty() || target == q.config().name) {
        // Nowhere to keep it: counted, then dropped.
        batch.ops.push_back({WriteOp::Kind::Delete, owned->seq});
        return;
    }
    if (owned->dlqReason == DeadLetterReason::None) {
        owned->originalQueue = owned->queue;
        owned->originalTopic = owned->topic;
    }
    owned->dlqReason = reason;
    owned->queue = target;
    owned->deliveryCount = 0;
    owned->deliverAt = 0;
    auto dlq = queues.find(target);
    const qint64 ttl = dlq != queues.end() ? dlq->second->config().ttlMs : 0;
    owned->expiresAt = ttl > 0 ? now + ttl : 0;
    WriteOp op{WriteOp::Kind::Move, owned->seq};
    op.queue = target;
    op.reason = int(reason);
    op.text = owned->originalQueue;
    op.text2 = owned->originalTopic;
    op.expiresAt = owned->expiresAt;
    batch.ops.push_back(std::move(op));
    adoptInto(target, std::move(owned), now, deferred);
}

void EmbeddedBrokerPrivate::requeueOrDeadLetter(QueueState &q, Entry *e, qint64 delayMs, qint64 now,
                                                WriteBatch &batch, Deferred &deferred)
{
    q.endLease(e);
    if (e->deliveryCount >= q.config().maxDeliveryAttempts) {
        deadLetter(q, e, DeadLetterReason::MaxRetriesExceeded, now, batch, deferred);
        return;
    }
    e->deliverAt = delayMs > 0 ? now + delayMs : 0;
    WriteOp op{WriteOp::Kind::UpdateDelivery, e->seq};
    op.count = e->deliveryCount;
    op.deliverAt = e->deliverAt;
    batch.ops.push_back(std::move(op));
    q.makeAvailable(e, now);
}

void EmbeddedBrokerPrivate::deliverTo(QueueState &q, const ReceiveOptions &options, qint64 now,
                                      std::vector<Entry> &out, WriteBatch &batch, bool &mustCommit,
                                      Deferred &deferred)
{
    const int max = std::clamp(options.maxMessages, 1, 10000);
    const qint64 visibility = options.visibilityTimeoutMs > 0 ? options.visibilityTimeoutMs
                                                              : q.config().visibilityTimeoutMs;
    while (int(out.size()) < max) {
        Entry *e = q.next();
        if (!e)
            break;
        if (e->expiresAt > 0 && e->expiresAt <= now) {
            deadLetter(q, e, DeadLetterReason::Expired, now, batch, deferred);
            continue;
        }
        if (e->mode != DeliveryMode::AtMostOnce && e->deliveryCount >= q.config().maxDeliveryAttempts) {
            // Its attempts were used up by leases that never ended: consumers (or this
            // process) died holding it.
            deadLetter(q, e, DeadLetterReason::MaxRetriesExceeded, now, batch, deferred);
            continue;
        }
        ++e->deliveryCount;
        if (e->mode == DeliveryMode::AtMostOnce) {
            // Gone from the queue (durably, before the consumer sees it).
            std::unique_ptr<Entry> owned = q.release(e);
            batch.ops.push_back({WriteOp::Kind::Delete, owned->seq});
            mustCommit = true;
            ++q.acked;
            ++counters.consumed;
            recordLatency(owned->enqueuedAt, now);
            out.push_back(*owned);
            continue;
        }
        q.lease(e, ++lastToken, now + visibility, options.consumerId);
        // Counted on disk behind the delivery, the first one too: a message that brings
        // the process down on every delivery still reaches its dead-letter queue.
        WriteOp op{WriteOp::Kind::UpdateDelivery, e->seq};
        op.count = e->deliveryCount;
        op.deliverAt = e->deliverAt;
        batch.ops.push_back(std::move(op));
        out.push_back(*e);
    }
    if (!options.consumerId.isEmpty())
        q.consumers.insert(options.consumerId, now);
}

void EmbeddedBrokerPrivate::finishReceive(std::vector<Entry> entries, MessageBroker::ReceiveCallback done,
                                          WriteBatch batch, bool mustCommit)
{
    auto deliver = [this, entries = std::move(entries), done](const Result<void> &result) {
        if (!result) {
            done(result.error());
            return;
        }
        QList<Delivery> deliveries;
        deliveries.reserve(qsizetype(entries.size()));
        for (const Entry &e : entries) {
            Delivery d;
            d.message = toMessage(e);
            if (e.leaseToken != 0) {
                d.receiptHandle = handleFor(&e);
                d.leaseExpiresAtMs = e.leaseExpiresAt;
            }
            deliveries.append(std::move(d));
        }
        done(std::move(deliveries));
    };
    if (!mustCommit) {
        if (!batch.ops.empty())
            store.submit(std::move(batch)); // delivery counts, behind the delivery
        deliver(Result<void>());
        return;
    }
    batch.done = [deliver](const Result<void> &result, WriteBatch &) { deliver(result); };
    store.submit(std::move(batch));
}

void EmbeddedBrokerPrivate::serveWaiters(QueueState &q, qint64 now, Deferred &deferred)
{
    while (!q.waiters.empty() && q.next()) {
        Waiter w = std::move(q.waiters.front());
        q.waiters.pop_front();
        std::vector<Entry> entries;
        WriteBatch batch;
        bool mustCommit = false;
        deliverTo(q, w.options, now, entries, batch, mustCommit, deferred);
        if (entries.empty() && batch.ops.empty()) {
            q.waiters.push_front(std::move(w));
            break;
        }
        if (mustCommit) {
            // Submitted now, under the lock, to keep the order of writes.
            finishReceive(std::move(entries), std::move(w.done), std::move(batch), true);
        } else {
            if (!batch.ops.empty())
                store.submit(std::move(batch));
            deferred.push_back([this, entries = std::move(entries), done = std::move(w.done)]() mutable {
                finishReceive(std::move(entries), std::move(done), WriteBatch(), false);
            });
        }
    }
}

qint64 EmbeddedBrokerPrivate::tick()
{
    Deferred deferred;
    qint64 next = std::numeric_limits<qint64>::max();
    {
        std::lock_guard lock(mutex);
        const qint64 now = nowMs();
        WriteBatch batch;
        for (auto &[name, q] : queues) {
            q->promoteDue(now);
            for (Entry *e : q->expiredLeases(now))
                requeueOrDeadLetter(*q, e, 0, now, batch, deferred);
            for (Entry *e : q->expiredMessages(now)) {
                if (e->state != Entry::State::InFlight)
                    deadLetter(*q, e, DeadLetterReason::Expired, now, batch, deferred);
            }
        }
        for (auto &[name, q] : queues) {
            serveWaiters(*q, now, deferred);
            // Waiters are in arrival order, not deadline order: time out any that are due.
            for (auto it = q->waiters.begin(); it != q->waiters.end();) {
                if (it->deadline <= now) {
                    deferred.push_back([done = std::move(it->done)] { done(QList<Delivery>()); });
                    it = q->waiters.erase(it);
                } else {
                    ++it;
                }
            }
            next = std::min(next, q->nextEvent());
        }
        if (now >= nextDedupPrune) {
            for (auto it = dedup.begin(); it != dedup.end();) {
                it = it.value() <= now ? dedup.erase(it) : std::next(it);
            }
            WriteOp op{WriteOp::Kind::PruneDedup};
            op.time = now;
            batch.ops.push_back(std::move(op));
            nextDedupPrune = now + 60 * 1000;
        }
        if (!batch.ops.empty())
            store.submit(std::move(batch));
        next = next == std::numeric_limits<qint64>::max() ? 1000 : next - now;
    }
    runAll(deferred);
    return next;
}

Result<void> EmbeddedBrokerPrivate::commitAndWait(WriteBatch batch)
{
    std::promise<Result<void>> promise;
    auto future = promise.get_future();
    batch.done = [&promise](const Result<void> &result, WriteBatch &) { promise.set_value(result); };
    store.submit(std::move(batch));
    return future.get();
}

Result<PublishReceipt> EmbeddedBrokerPrivate::preparePublish(const QStringList &targets, Message &message,
                                                             QByteArray payload, QByteArray headers, qint64 now,
                                                             WriteBatch &batch, Deferred &deferred)
{
    PublishReceipt receipt;
    receipt.messageId = message.messageId;
    int duplicates = 0;
    std::vector<std::pair<QueueState *, DeliveryMode>> accepted;
    for (const QString &name : targets) {
        auto q = queueFor(name);
        if (!q)
            return q.error();
        QueueState &queue = **q;
        const DeliveryMode mode = message.deliveryMode.value_or(queue.config().deliveryMode);
        if (mode == DeliveryMode::ExactlyOnce) {
            const QString key = name + u'\n' + message.messageId;
            auto it = dedup.constFind(key);
            if (it != dedup.cend() && it.value() > now) {
                ++duplicates;
                continue;
            }
        }
        if (queue.config().maxSize > 0 && queue.size() >= queue.config().maxSize) {
            Entry *oldest = queue.config().overflow == OverflowPolicy::DropOldest ? queue.oldestReady() : nullptr;
            if (!oldest) {
                return makeError("broker_queue_full",
                                 Tr::tr("queue \"%1\" is full (%2 messages, max_size %2)")
                                     .arg(name)
                                     .arg(queue.config().maxSize));
            }
        }
        accepted.emplace_back(&queue, mode);
    }
    for (auto [queue, mode] : accepted) {
        const QueueConfig &config = queue->config();
        if (config.maxSize > 0 && queue->size() >= config.maxSize)
            deadLetter(*queue, queue->oldestReady(), DeadLetterReason::Overflow, now, batch, deferred);
        auto e = std::make_unique<Entry>();
        e->seq = ++lastSeq;
        e->queue = config.name;
        e->messageId = message.messageId;
        e->topic = message.topic;
        e->groupId = message.groupId;
        e->correlationId = message.correlationId;
        e->payload = payload;
        e->headers = headers;
        e->priority = message.priority;
        e->mode = mode;
        // Set when the publisher is the engine dead-lettering for someone (the router).
        e->dlqReason = message.dlqReason;
        e->originalQueue = message.originalQueue;
        e->originalTopic = message.originalTopic;
        e->enqueuedAt = now;
        e->deliverAt = message.deliverAtMs > now ? message.deliverAtMs : 0;
        const qint64 ttl = message.ttlMs > 0 ? message.ttlMs : config.ttlMs;
        e->expiresAt = ttl > 0 ? now + ttl : 0;
        if (mode == DeliveryMode::ExactlyOnce) {
            const qint64 expires = now + config.dedupWindowMs;
            dedup.insert(config.name + u'\n' + message.messageId, expires);
            WriteOp op{WriteOp::Kind::Dedup};
            op.queue = config.name;
            op.text = message.messageId;
            op.time = expires;
            batch.ops.push_back(std::move(op));
        }
        batch.ops.push_back({WriteOp::Kind::Insert, e->seq, e.get()});
        batch.inserted.push_back(std::move(e));
        ++queue->pending;
        receipt.queues.append(config.name);
    }
    receipt.duplicate = accepted.empty() && duplicates > 0;
    return receipt;
}

template<typename Settle>
void EmbeddedBrokerPrivate::settle(const QString &queue, const QStringList &handles, Settle settleOne,
                                   std::function<void(const Result<void> &)> after,
                                   MessageBroker::SettleCallback done)
{
    SettleResult result;
    Deferred deferred;
    std::optional<Error> refused;
    bool submitted = false;
    {
        std::lock_guard lock(mutex);
        auto q = opened ? queueFor(queue) : Result<QueueState *>(notOpen());
        if (!q) {
            refused = q.error();
        } else {
            WriteBatch batch;
            const qint64 now = nowMs();
            for (const QString &handle : handles) {
                qint64 seq = 0;
                quint64 token = 0;
                Entry *e = parseHandle(handle, seq, token) ? (*q)->find(seq) : nullptr;
                if (!e || e->state != Entry::State::InFlight || e->leaseToken != token) {
                    result.unknownHandles.append(handle);
                    continue;
                }
                settleOne(**q, e, now, batch, deferred);
                ++result.settled;
            }
            if (!batch.ops.empty()) {
                // Submitted under the lock: a message nacked here and delivered again at
                // once has its writes in that order.
                batch.done = [after = std::move(after), done, result](const Result<void> &committed, WriteBatch &) {
                    if (after)
                        after(committed);
                    if (committed)
                        done(result);
                    else
                        done(committed.error());
                };
                store.submit(std::move(batch));
                submitted = true;
            }
        }
    }
    runAll(deferred);
    if (refused)
        done(*refused);
    else if (!submitted)
        done(std::move(result));
}

namespace {

// Serializes outside the lock; checks the size limit.
Result<std::pair<QByteArray, QByteArray>> encode(Message &message, qint64 maxBytes)
{
    if (message.messageId.isEmpty())
        message.messageId = newMessageId();
    else if (message.messageId.size() > 256)
        return makeError("broker_invalid_message", Tr::tr("message_id is longer than 256 characters"));
    // Serialized into a per-thread scratch buffer and copied out at its exact size: the
    // stored text then holds no slack, and the scratch's growth is paid once per thread.
    thread_local QByteArray scratch;
    auto exact = [](const Data::Value &value) {
        scratch.truncate(0);
        Data::Json::serialize(value, scratch);
        return QByteArray(scratch.constData(), scratch.size());
    };
    QByteArray payload = exact(message.payload.isUndefined() ? Data::Value(nullptr) : message.payload);
    QByteArray headers = message.headers.isEmpty() ? QByteArray() : exact(Data::Value(message.headers));
    if (payload.size() + headers.size() > maxBytes) {
        return makeError("broker_message_too_large",
                         Tr::tr("message %1 is %2 bytes; the limit is %3 bytes (payload and headers as JSON)")
                             .arg(message.messageId)
                             .arg(payload.size() + headers.size())
                             .arg(maxBytes));
    }
    return std::pair{std::move(payload), std::move(headers)};
}

} // namespace

void EmbeddedBrokerPrivate::publish(const QStringList &targets, Message message, MessageBroker::PublishCallback done)
{
    auto encoded = encode(message, options.maxPayloadBytes);
    if (!encoded) {
        done(encoded.error());
        return;
    }
    WriteBatch batch;
    Deferred deferred;
    Result<PublishReceipt> receipt = Error();
    bool pending = false;
    {
        std::lock_guard lock(mutex);
        if (!opened) {
            receipt = notOpen();
        } else {
            receipt = preparePublish(targets, message, std::move(encoded->first), std::move(encoded->second), nowMs(),
                                     batch, deferred);
            if (receipt && !batch.inserted.empty()) {
                // Filed for delivery only once durable: no consumer sees an uncommitted message.
                batch.done = [this, receipt = *receipt, done](const Result<void> &result, WriteBatch &b) {
                    Deferred filed;
                    {
                        std::lock_guard lock(mutex);
                        fileCommitted(result, b, filed);
                    }
                    runAll(filed);
                    if (result)
                        done(receipt);
                    else
                        done(result.error());
                };
                pending = true;
            }
            if (receipt && !batch.ops.empty())
                store.submit(std::move(batch));
        }
    }
    runAll(deferred);
    if (!pending)
        done(std::move(receipt));
}

} // namespace Internal

using namespace Internal;

EmbeddedBroker::EmbeddedBroker(Options options) : d(std::make_unique<EmbeddedBrokerPrivate>(std::move(options)))
{
    d->counters.latencyBounds = latencyBounds;
    d->counters.latencyBuckets = QList<quint64>(latencyBounds.size() + 1, 0);
}

EmbeddedBroker::~EmbeddedBroker()
{
    close();
}

Result<void> EmbeddedBroker::open()
{
    std::lock_guard lock(d->mutex);
    if (d->opened)
        return {};
    if (d->closed)
        return d->notOpen();
    if (auto r = d->store.open(d->options.databasePath, d->options.busyTimeoutMs, d->options.maxDatabaseBytes); !r)
        return r;
    auto loaded = d->store.load();
    if (!loaded)
        return loaded.error();
    d->lastSeq = loaded->maxSeq;
    for (auto &e : loaded->messages) {
        const QString queue = e->queue;
        d->undeclared[queue].push_back(std::move(e));
    }
    const qint64 now = nowMs();
    for (const auto &[queue, id, expires] : loaded->dedup) {
        if (expires > now)
            d->dedup.insert(queue + u'\n' + id, expires);
    }
    d->opened = true;
    d->store.start([this] { return d->tick(); });
    return {};
}

void EmbeddedBroker::close()
{
    std::vector<Waiter> waiters;
    {
        std::lock_guard lock(d->mutex);
        if (d->closed)
            return;
        d->closed = true;
        if (!d->opened)
            return;
        d->opened = false;
        for (auto &[name, q] : d->queues) {
            for (Waiter &w : q->waiters)
                waiters.push_back(std::move(w));
            q->waiters.clear();
        }
    }
    for (Waiter &w : waiters)
        w.done(makeError("broker_closed", Tr::tr("the broker is closed")));
    d->store.stop();
}

Result<void> EmbeddedBroker::declareQueue(const QueueConfig &config)
{
    auto invalid = [&](const QString &what) {
        return makeError("broker_invalid_queue", Tr::tr("queue \"%1\": %2").arg(config.name, what));
    };
    if (config.name.isEmpty() || config.name.contains(u'\n'))
        return invalid(Tr::tr("the name is empty or has a line break"));
    for (const QString &pattern : config.topics) {
        if (const QString problem = topicPatternProblem(pattern); !problem.isEmpty())
            return invalid(Tr::tr("topic \"%1\": %2").arg(pattern, problem));
    }
    if (config.maxDeliveryAttempts < 1)
        return invalid(Tr::tr("max_delivery_attempts must be at least 1"));
    if (config.visibilityTimeoutMs <= 0)
        return invalid(Tr::tr("the visibility timeout must be positive"));
    if (config.maxSize < 0 || config.ttlMs < 0 || config.dedupWindowMs < 0)
        return invalid(Tr::tr("max_size, ttl and the dedup window cannot be negative"));
    if (config.deadLetterQueue == config.name)
        return invalid(Tr::tr("a queue cannot be its own dead-letter queue"));
    Deferred deferred;
    {
        std::lock_guard lock(d->mutex);
        if (!d->opened)
            return d->notOpen();
        const qint64 now = nowMs();
        auto &slot = d->queues[config.name];
        if (slot) {
            slot->reconfigure(config);
        } else {
            slot = std::make_unique<QueueState>(config);
            // Messages stored before the queue was declared (a restart) are ready again.
            if (auto node = d->undeclared.extract(config.name)) {
                for (auto &e : node.mapped())
                    slot->adopt(std::move(e), now);
            }
        }
        d->serveWaiters(*slot, now, deferred);
    }
    runAll(deferred);
    return {};
}

QList<QueueConfig> EmbeddedBroker::queues() const
{
    std::lock_guard lock(d->mutex);
    QList<QueueConfig> out;
    for (const auto &[name, q] : d->queues)
        out.append(q->config());
    return out;
}

std::optional<QueueConfig> EmbeddedBroker::queue(const QString &name) const
{
    std::lock_guard lock(d->mutex);
    auto it = d->queues.find(name);
    if (it == d->queues.end())
        return std::nullopt;
    return it->second->config();
}



void EmbeddedBroker::publishAsync(const QString &queue, Message message, PublishCallback done)
{
    d->publish({queue}, std::move(message), std::move(done));
}

void EmbeddedBroker::publishToTopicAsync(Message message, PublishCallback done)
{
    if (const QString problem = topicProblem(message.topic); !problem.isEmpty()) {
        done(makeError("broker_invalid_message", Tr::tr("topic \"%1\": %2").arg(message.topic, problem)));
        return;
    }
    QStringList targets;
    {
        std::lock_guard lock(d->mutex);
        for (const auto &[name, q] : d->queues) {
            const QStringList &patterns = q->config().topics;
            if (std::any_of(patterns.begin(), patterns.end(),
                            [&](const QString &pattern) { return topicMatches(pattern, message.topic); }))
                targets.append(name);
        }
    }
    if (targets.isEmpty()) {
        done(makeError("broker_no_route", Tr::tr("no queue is bound to topic \"%1\"").arg(message.topic)));
        return;
    }
    d->publish(targets, std::move(message), std::move(done));
}

Result<QList<PublishReceipt>> EmbeddedBroker::publishBatch(const QString &queue, QList<Message> messages)
{
    std::vector<std::pair<QByteArray, QByteArray>> encoded;
    encoded.reserve(size_t(messages.size()));
    for (Message &m : messages) {
        auto e = encode(m, d->options.maxPayloadBytes);
        if (!e)
            return e.error();
        encoded.push_back(std::move(*e));
    }
    std::promise<Result<void>> promise;
    auto future = promise.get_future();
    QList<PublishReceipt> receipts;
    Deferred deferred;
    std::optional<Error> refused;
    {
        std::lock_guard lock(d->mutex);
        if (!d->opened)
            return d->notOpen();
        WriteBatch batch;
        const qint64 now = nowMs();
        for (qsizetype i = 0; i < messages.size() && !refused; ++i) {
            auto receipt = d->preparePublish({queue}, messages[i], std::move(encoded[size_t(i)].first),
                                             std::move(encoded[size_t(i)].second), now, batch, deferred);
            if (receipt) {
                receipts.append(*receipt);
                continue;
            }
            refused = Error{receipt.error().code,
                            Tr::tr("message %1 of the batch: %2").arg(i + 1).arg(receipt.error().message),
                            receipt.error().details};
        }
        if (refused) {
            // All or none: undo the reservations of the earlier messages, and keep only the
            // overflow dead-lettering that already happened in memory.
            for (auto &e : batch.inserted) {
                if (auto it = d->queues.find(e->queue); it != d->queues.end())
                    --it->second->pending;
                if (e->mode == DeliveryMode::ExactlyOnce)
                    d->dedup.remove(e->queue + u'\n' + e->messageId);
            }
            std::erase_if(batch.ops, [](const WriteOp &op) {
                return op.kind == WriteOp::Kind::Insert || op.kind == WriteOp::Kind::Dedup;
            });
            batch.inserted.clear();
            if (!batch.ops.empty())
                d->store.submit(std::move(batch));
        } else {
            batch.done = [this, &promise](const Result<void> &result, WriteBatch &b) {
                Deferred filed;
                {
                    std::lock_guard lock(d->mutex);
                    d->fileCommitted(result, b, filed);
                }
                runAll(filed);
                promise.set_value(result);
            };
            d->store.submit(std::move(batch));
        }
    }
    runAll(deferred);
    if (refused)
        return *refused;
    if (Result<void> committed = future.get(); !committed)
        return committed.error();
    return receipts;
}

void EmbeddedBroker::receiveAsync(const QString &queue, const ReceiveOptions &options, MessageBroker::ReceiveCallback done)
{
    std::vector<Entry> entries;
    WriteBatch batch;
    bool mustCommit = false;
    Deferred deferred;
    bool answered = false;
    {
        std::lock_guard lock(d->mutex);
        if (!d->opened) {
            done(d->notOpen());
            return;
        }
        auto q = d->queueFor(queue);
        if (!q) {
            done(q.error());
            return;
        }
        const qint64 now = nowMs();
        d->deliverTo(**q, options, now, entries, batch, mustCommit, deferred);
        if (entries.empty() && options.waitMs > 0) {
            if (!batch.ops.empty())
                d->store.submit(std::move(batch));
            (*q)->waiters.push_back({options, std::move(done), now + options.waitMs});
            d->store.wake(); // the writer's clock must know the new deadline
            answered = true;
        } else if (mustCommit) {
            d->finishReceive(std::move(entries), std::move(done), std::move(batch), true);
            answered = true;
        } else if (!batch.ops.empty()) {
            d->store.submit(std::move(batch));
        }
    }
    runAll(deferred); // dead letters met on the way, delivered to their queues' waiters
    if (!answered)
        d->finishReceive(std::move(entries), std::move(done), WriteBatch(), false);
}

void EmbeddedBroker::ackAsync(const QString &queue, const QStringList &receiptHandles, const AckOptions &options,
                              SettleCallback done)
{
    auto acked = std::make_shared<std::vector<std::unique_ptr<Entry>>>();
    d->settle(
        queue, receiptHandles,
        [&](QueueState &q, Entry *e, qint64 now, WriteBatch &batch, Deferred &) {
            std::unique_ptr<Entry> owned = q.release(e);
            // A FIFO group stays closed until the ack is on disk: were the process to die
            // first, this message would come back, and must not have been overtaken.
            q.holdGroup(owned->groupId);
            batch.ops.push_back({WriteOp::Kind::Delete, owned->seq});
            if (!options.consumerGroup.isEmpty()) {
                WriteOp op{WriteOp::Kind::Processed};
                op.queue = queue;
                op.text = options.consumerGroup;
                op.text2 = owned->messageId;
                op.time = now;
                batch.ops.push_back(std::move(op));
            }
            ++q.acked;
            ++d->counters.consumed;
            d->recordLatency(owned->enqueuedAt, now);
            acked->push_back(std::move(owned));
        },
        [this, acked, queue](const Result<void> &committed) {
            Deferred deferred;
            {
                std::lock_guard lock(d->mutex);
                const qint64 now = nowMs();
                auto it = d->queues.find(queue);
                QSet<QString> groups;
                for (auto &e : *acked) {
                    groups.insert(e->groupId);
                    // The ack did not reach the disk: the messages are still stored, so they
                    // are delivered again, here as after a restart.
                    if (!committed)
                        d->adoptInto(queue, std::move(e), now, deferred);
                }
                if (it != d->queues.end()) {
                    for (const QString &group : std::as_const(groups))
                        it->second->releaseGroup(group);
                    d->serveWaiters(*it->second, now, deferred);
                }
            }
            runAll(deferred);
        },
        std::move(done));
}

void EmbeddedBroker::nackAsync(const QString &queue, const QStringList &receiptHandles, const NackOptions &options,
                               SettleCallback done)
{
    d->settle(
        queue, receiptHandles,
        [&](QueueState &q, Entry *e, qint64 now, WriteBatch &batch, Deferred &deferred) {
            if (!options.requeue) {
                q.endLease(e);
                d->deadLetter(q, e, DeadLetterReason::Rejected, now, batch, deferred);
                return;
            }
            d->requeueOrDeadLetter(q, e, std::max<qint64>(0, options.delayMs), now, batch, deferred);
            d->serveWaiters(q, now, deferred);
        },
        {}, std::move(done));
}

} // namespace Conflux::Broker
