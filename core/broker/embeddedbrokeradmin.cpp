#include "broker/embeddedbroker_p.h"

// The embedded broker's management side: consumers, statistics, browse, replay, purge.

namespace Conflux::Broker {

using namespace Internal;

Result<int> EmbeddedBroker::releaseConsumer(const QString &queue, const QString &consumerId)
{
    WriteBatch batch;
    Deferred deferred;
    int released = 0;
    {
        std::lock_guard lock(d->mutex);
        if (!d->opened)
            return d->notOpen();
        auto q = d->queueFor(queue);
        if (!q)
            return q.error();
        const qint64 now = nowMs();
        for (Entry *e : (*q)->leasedBy(consumerId)) {
            d->requeueOrDeadLetter(**q, e, 0, now, batch, deferred);
            ++released;
        }
        (*q)->consumers.remove(consumerId);
        d->serveWaiters(**q, now, deferred);
        if (!batch.ops.empty())
            d->store.submit(std::move(batch));
    }
    runAll(deferred);
    return released;
}

Result<bool> EmbeddedBroker::processed(const QString &queue, const QString &group, const QString &messageId)
{
    {
        std::lock_guard lock(d->mutex);
        if (!d->opened)
            return d->notOpen();
    }
    return d->store.processed(queue, group, messageId);
}

Result<QList<QueueStats>> EmbeddedBroker::stats()
{
    std::lock_guard lock(d->mutex);
    if (!d->opened)
        return d->notOpen();
    const qint64 now = nowMs();
    QList<QueueStats> out;
    for (const auto &[name, q] : d->queues) {
        QueueStats s;
        s.name = name;
        s.type = q->config().type;
        s.depth = q->readyCount();
        s.delayed = q->delayedCount();
        s.inFlight = q->inFlightCount();
        if (const QString &dlq = q->config().deadLetterQueue; !dlq.isEmpty()) {
            auto it = d->queues.find(dlq);
            s.deadLetterDepth = it != d->queues.end() ? it->second->size() - it->second->pending
                                                      : d->undeclared.count(dlq) ? qint64(d->undeclared.at(dlq).size()) : 0;
        }
        if (const Entry *oldest = q->oldestReady())
            s.oldestAgeMs = std::max<qint64>(0, now - oldest->enqueuedAt);
        s.consumerLag = s.depth + s.delayed + s.inFlight;
        const qint64 recent = now - std::max<qint64>(q->config().visibilityTimeoutMs, 30000);
        for (auto it = q->consumers.cbegin(); it != q->consumers.cend(); ++it)
            s.consumers += it.value() >= recent ? 1 : 0;
        s.published = q->published;
        s.acked = q->acked;
        s.deadLettered = q->deadLettered;
        out.append(s);
    }
    return out;
}

Result<QList<Message>> EmbeddedBroker::browse(const QString &queue, int offset, int limit)
{
    std::vector<Entry> entries;
    {
        std::lock_guard lock(d->mutex);
        if (!d->opened)
            return d->notOpen();
        auto q = d->queueFor(queue);
        if (!q)
            return q.error();
        const std::vector<Entry *> order = (*q)->browseOrder();
        for (size_t i = size_t(std::max(0, offset)); i < order.size() && int(entries.size()) < limit; ++i)
            entries.push_back(*order[i]);
    }
    QList<Message> out;
    out.reserve(qsizetype(entries.size()));
    for (const Entry &e : entries)
        out.append(d->toMessage(e));
    return out;
}

Result<int> EmbeddedBroker::replay(const QString &deadLetterQueue, const QStringList &messageIds)
{
    WriteBatch batch;
    Deferred deferred;
    int moved = 0;
    {
        std::lock_guard lock(d->mutex);
        if (!d->opened)
            return d->notOpen();
        auto q = d->queueFor(deadLetterQueue);
        if (!q)
            return q.error();
        const qint64 now = nowMs();
        for (Entry *e : (*q)->browseOrder()) {
            if (!messageIds.isEmpty() && !messageIds.contains(e->messageId))
                continue;
            auto target = d->queues.find(e->originalQueue);
            if (e->originalQueue.isEmpty() || target == d->queues.end())
                continue; // not a dead letter, or its queue is gone: stays here
            std::unique_ptr<Entry> owned = (*q)->release(e);
            owned->dlqReason = DeadLetterReason::None;
            owned->queue = owned->originalQueue;
            owned->originalQueue.clear();
            owned->originalTopic.clear();
            owned->deliveryCount = 0;
            owned->deliverAt = 0;
            const qint64 ttl = target->second->config().ttlMs;
            owned->expiresAt = ttl > 0 ? now + ttl : 0;
            WriteOp op{WriteOp::Kind::Move, owned->seq};
            op.queue = owned->queue;
            op.expiresAt = owned->expiresAt;
            batch.ops.push_back(std::move(op));
            const QString home = owned->queue;
            d->adoptInto(home, std::move(owned), now, deferred);
            ++moved;
        }
    }
    runAll(deferred);
    if (batch.ops.empty())
        return moved;
    if (auto r = d->commitAndWait(std::move(batch)); !r)
        return r.error();
    return moved;
}

Result<int> EmbeddedBroker::purge(const QString &queue)
{
    WriteBatch batch;
    int purged = 0;
    {
        std::lock_guard lock(d->mutex);
        if (!d->opened)
            return d->notOpen();
        auto q = d->queueFor(queue);
        if (!q)
            return q.error();
        for (Entry *e : (*q)->browseOrder()) {
            std::unique_ptr<Entry> owned = (*q)->release(e);
            batch.ops.push_back({WriteOp::Kind::Delete, owned->seq});
            ++purged;
        }
    }
    if (batch.ops.empty())
        return purged;
    if (auto r = d->commitAndWait(std::move(batch)); !r)
        return r.error();
    return purged;
}

BrokerCounters EmbeddedBroker::counters() const
{
    std::lock_guard lock(d->mutex);
    return d->counters;
}

QHash<QString, qint64> EmbeddedBroker::undeclaredQueueDepths() const
{
    std::lock_guard lock(d->mutex);
    QHash<QString, qint64> out;
    for (const auto &[queue, entries] : d->undeclared) {
        if (!entries.empty())
            out.insert(queue, qint64(entries.size()));
    }
    return out;
}

} // namespace Conflux::Broker
