#include "broker/queueconsumer.h"

#include <QCoreApplication>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;

namespace Conflux::Broker {

namespace Internal {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Broker)
};

// Acks a worker may have committing while it receives on.
constexpr int maxPendingSettles = 4;

} // namespace

class QueueConsumerPrivate
{
public:
    QueueConsumerPrivate(MessageBroker &b, ConsumerConfig c, QueueConsumer::Handler h)
        : broker(b), config(std::move(c)), handler(std::move(h))
    {
    }

    QString workerId(int n) const { return config.consumerId + u'#' + QString::number(n); }
    void work(int n);
    QList<Settlement> handle(const QList<Delivery> &deliveries);
    void settle(const QList<Delivery> &deliveries, const QList<Settlement> &settlements,
                const QStringList &skipped, bool exactlyOnce);
    void submitted();
    MessageBroker::SettleCallback settled(quint64 ConsumerStats::*counter);
    void fail(const QString &what);

    MessageBroker &broker;
    const ConsumerConfig config;
    const QueueConsumer::Handler handler;
    QString queue;
    std::vector<std::thread> workers;
    std::atomic<bool> stopping{false};
    bool running = false;

    mutable std::mutex mutex; // guards stats, lastError and pending
    std::condition_variable settledChanged;
    ConsumerStats stats;
    int pending = 0;
};

void QueueConsumerPrivate::fail(const QString &what)
{
    std::lock_guard lock(mutex);
    ++stats.failures;
    stats.lastError = what;
}

QList<Settlement> QueueConsumerPrivate::handle(const QList<Delivery> &deliveries)
{
    QList<Settlement> settlements;
    try {
        settlements = handler(deliveries);
    } catch (const std::exception &e) {
        fail(Tr::tr("consumer %1: the handler failed: %2").arg(config.consumerId, QString::fromUtf8(e.what())));
        return QList<Settlement>(deliveries.size(), Settlement::retry());
    } catch (...) {
        fail(Tr::tr("consumer %1: the handler failed").arg(config.consumerId));
        return QList<Settlement>(deliveries.size(), Settlement::retry());
    }
    if (settlements.size() != deliveries.size()) {
        fail(Tr::tr("consumer %1: the handler settled %2 of %3 messages; all of them are retried")
                 .arg(config.consumerId)
                 .arg(settlements.size())
                 .arg(deliveries.size()));
        return QList<Settlement>(deliveries.size(), Settlement::retry());
    }
    return settlements;
}

// Waits for room among the worker's pending settles, then counts one more.
void QueueConsumerPrivate::submitted()
{
    std::unique_lock lock(mutex);
    settledChanged.wait(lock, [this] { return pending < maxPendingSettles * std::max(1, config.concurrency); });
    ++pending;
}

MessageBroker::SettleCallback QueueConsumerPrivate::settled(quint64 ConsumerStats::*counter)
{
    return [this, counter](Result<SettleResult> r) {
        std::lock_guard lock(mutex);
        if (r) {
            stats.*counter += quint64(r->settled);
            // Unknown handles: the leases ran out (the processing timeout passed) and the
            // messages went to another consumer.
            if (!r->unknownHandles.isEmpty()) {
                ++stats.failures;
                stats.lastError = Tr::tr("consumer %1: %2 leases had run out before their settle")
                                      .arg(config.consumerId)
                                      .arg(r->unknownHandles.size());
            }
        } else {
            ++stats.failures;
            stats.lastError = r.error().toString();
        }
        --pending;
        settledChanged.notify_all();
    };
}

void QueueConsumerPrivate::settle(const QList<Delivery> &deliveries, const QList<Settlement> &settlements,
                                  const QStringList &skipped, bool exactlyOnce)
{
    QStringList acks = skipped, rejects;
    std::map<qint64, QStringList> retries; // by delay
    for (qsizetype i = 0; i < deliveries.size(); ++i) {
        const QString &handle = deliveries[i].receiptHandle;
        if (handle.isEmpty())
            continue; // at-most-once: nothing to settle
        switch (settlements[i].outcome) {
        case Settlement::Outcome::Ack:
            acks.append(handle);
            break;
        case Settlement::Outcome::Retry: {
            const qint64 delay = settlements[i].retryDelayMs >= 0 ? settlements[i].retryDelayMs : config.retryDelayMs;
            retries[delay].append(handle);
            break;
        }
        case Settlement::Outcome::Reject:
            rejects.append(handle);
            break;
        }
    }
    if (!acks.isEmpty()) {
        submitted();
        AckOptions options;
        if (exactlyOnce)
            options.consumerGroup = config.groupId;
        broker.ackAsync(queue, acks, options, settled(&ConsumerStats::acked));
    }
    for (const auto &[delay, handles] : retries) {
        submitted();
        broker.nackAsync(queue, handles, NackOptions{true, delay}, settled(&ConsumerStats::retried));
    }
    if (!rejects.isEmpty()) {
        submitted();
        broker.nackAsync(queue, rejects, NackOptions{false, 0}, settled(&ConsumerStats::rejected));
    }
}

void QueueConsumerPrivate::work(int n)
{
    ReceiveOptions options;
    options.maxMessages = config.maxBatchSize;
    options.waitMs = config.pollWaitMs;
    options.consumerId = workerId(n);
    options.visibilityTimeoutMs = config.processingTimeoutMs;
    while (!stopping) {
        Result<QList<Delivery>> got = broker.receive(queue, options);
        if (!got) {
            fail(got.error().toString());
            if (got.error().code == "broker_closed"_L1)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp<qint64>(config.pollWaitMs, 10, 500)));
            continue;
        }
        if (got->isEmpty())
            continue;
        if (stopping)
            return; // stop() releases the leases
        // Exactly-once: what the group already processed (a redelivery after a crash between
        // its work and its ack, a replay) is acked without running the handler again.
        bool exactlyOnce = false;
        QList<Delivery> work;
        QStringList skipped;
        for (Delivery &d : *got) {
            if (d.message.deliveryMode != DeliveryMode::ExactlyOnce || config.groupId.isEmpty()) {
                work.append(std::move(d));
                continue;
            }
            exactlyOnce = true;
            Result<bool> done = broker.processed(queue, config.groupId, d.message.messageId);
            if (done && *done)
                skipped.append(d.receiptHandle);
            else
                work.append(std::move(d));
        }
        {
            std::lock_guard lock(mutex);
            stats.received += quint64(work.size() + skipped.size());
            stats.skipped += quint64(skipped.size());
        }
        const QList<Settlement> settlements = work.isEmpty() ? QList<Settlement>() : handle(work);
        settle(work, settlements, skipped, exactlyOnce);
    }
}

} // namespace Internal

using Internal::QueueConsumerPrivate;
using Internal::Tr;

QString groupQueueName(const QString &groupId)
{
    return u"group."_s + groupId;
}

QueueConsumer::QueueConsumer(MessageBroker &broker, ConsumerConfig config, Handler handler)
    : d(std::make_unique<QueueConsumerPrivate>(broker, std::move(config), std::move(handler)))
{
}

QueueConsumer::~QueueConsumer()
{
    stop();
}

Result<void> QueueConsumer::start()
{
    if (d->running)
        return {};
    const ConsumerConfig &c = d->config;
    auto invalid = [&](const QString &what) {
        return makeError("broker_invalid_consumer", Tr::tr("consumer \"%1\": %2").arg(c.consumerId, what));
    };
    if (c.consumerId.isEmpty())
        return invalid(Tr::tr("the consumer id is empty"));
    if (!d->handler)
        return invalid(Tr::tr("no handler"));
    if (c.maxBatchSize < 1 || c.maxBatchSize > 10000)
        return invalid(Tr::tr("max_batch_size must be from 1 to 10000"));
    if (c.concurrency < 1 || c.concurrency > 256)
        return invalid(Tr::tr("concurrency must be from 1 to 256"));
    if (c.processingTimeoutMs <= 0)
        return invalid(Tr::tr("the processing timeout must be positive"));
    if (c.pollWaitMs < 0 || c.retryDelayMs < 0)
        return invalid(Tr::tr("the poll wait and the retry delay cannot be negative"));
    if (c.queue.isEmpty()) {
        if (c.groupId.isEmpty() || c.topics.isEmpty())
            return invalid(Tr::tr("it names neither a queue nor a group with topics"));
        QueueConfig group;
        group.name = groupQueueName(c.groupId);
        group.topics = c.topics;
        group.visibilityTimeoutMs = c.processingTimeoutMs;
        // Declared again by every consumer of the group: the same subscription keeps its
        // messages; another one rebinds the group's queue.
        if (std::optional<QueueConfig> existing = d->broker.queue(group.name)) {
            group = *existing;
            group.topics = c.topics;
        }
        if (auto declared = d->broker.declareQueue(group); !declared)
            return declared.error();
        d->queue = group.name;
    } else {
        if (!d->broker.queue(c.queue))
            return makeError("broker_unknown_queue", Tr::tr("consumer \"%1\": no queue named \"%2\"").arg(c.consumerId, c.queue));
        d->queue = c.queue;
    }
    d->stopping = false;
    for (int n = 0; n < c.concurrency; ++n)
        d->workers.emplace_back([this, n] { d->work(n); });
    d->running = true;
    return {};
}

void QueueConsumer::stop()
{
    if (!d->running)
        return;
    d->stopping = true;
    for (std::thread &t : d->workers)
        t.join();
    d->workers.clear();
    {
        std::unique_lock lock(d->mutex);
        d->settledChanged.wait(lock, [this] { return d->pending == 0; });
    }
    // What a worker received while stopping goes back at once.
    for (int n = 0; n < d->config.concurrency; ++n) {
        if (auto released = d->broker.releaseConsumer(d->queue, d->workerId(n));
            !released && released.error().code != "broker_closed"_L1)
            d->fail(released.error().toString());
    }
    d->running = false;
}

void QueueConsumer::requestStop()
{
    d->stopping = true;
}

bool QueueConsumer::isRunning() const
{
    return d->running;
}

const ConsumerConfig &QueueConsumer::config() const
{
    return d->config;
}

QString QueueConsumer::queue() const
{
    return d->queue.isEmpty() ? d->config.queue : d->queue;
}

ConsumerStats QueueConsumer::stats() const
{
    std::lock_guard lock(d->mutex);
    return d->stats;
}

} // namespace Conflux::Broker
