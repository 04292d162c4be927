#include "broker/rabbitmqbroker.h"

#include "broker/rabbitmqsession_p.h"

#include <QCoreApplication>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <thread>

namespace Conflux::Broker {

namespace Internal {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Broker)
};

} // namespace

// The public object's side: the command queue in front of the worker thread that owns the
// session (and with it the connection).
class RabbitMqBrokerPrivate
{
public:
    struct Command
    {
        bool isPublish = false; // publishes are collected and confirmed together
        std::function<void(RabbitMqSession &)> run;
    };
    enum class State : quint8 { NeverOpened, Open, Closed };

    explicit RabbitMqBrokerPrivate(RabbitMqBroker::Options o) : options(std::move(o)) {}

    bool onWorker() const { return std::this_thread::get_id() == workerId; }

    Error stateError() const
    {
        return state == State::Closed || stopRequested
            ? makeError("broker_closed", Tr::tr("the RabbitMQ broker is closed"))
            : makeError("broker_not_open", Tr::tr("the RabbitMQ broker is not open"));
    }

    // Queues a command; false (with the reason) when the broker does not take commands.
    bool post(Command command, Error *why)
    {
        std::lock_guard lock(mutex);
        if (state != State::Open || stopRequested) {
            *why = stateError();
            return false;
        }
        commands.push_back(std::move(command));
        wake.notify_one();
        return true;
    }

    // Runs `fn` on the worker and waits for its result. A call from a callback (on the
    // worker itself) runs at once.
    template<typename T>
    Result<T> call(std::function<Result<T>(RabbitMqSession &)> fn)
    {
        std::promise<Result<T>> promise;
        std::future<Result<T>> future = promise.get_future();
        callAsync<T>(std::move(fn), [&promise](Result<T> result) { promise.set_value(std::move(result)); });
        return future.get();
    }

    // Runs `fn` on the worker and hands its result to `done` there (at once, from a
    // callback on the worker).
    template<typename T>
    void callAsync(std::function<Result<T>(RabbitMqSession &)> fn, std::function<void(Result<T>)> done)
    {
        if (onWorker() && session) {
            session->flushPublishes();
            done(fn(*session));
            session->runCompletions();
            return;
        }
        auto shared = std::make_shared<std::pair<decltype(fn), decltype(done)>>(std::move(fn), std::move(done));
        Error why;
        if (!post(Command{false, [shared](RabbitMqSession &s) { shared->second(shared->first(s)); }}, &why))
            shared->second(why);
    }

    void run()
    {
        for (;;) {
            std::deque<Command> batch;
            bool stop = false;
            {
                std::unique_lock lock(mutex);
                if (commands.empty() && !stopRequested) {
                    const qint64 wait = std::max<qint64>(0, session->nextWake() - nowMs());
                    wake.wait_for(lock, std::chrono::milliseconds(wait),
                                  [this] { return !commands.empty() || stopRequested; });
                }
                batch.swap(commands);
                stop = stopRequested;
            }
            for (Command &command : batch) {
                if (!command.isPublish)
                    session->flushPublishes();
                command.run(*session);
            }
            session->flushPublishes();
            session->service();
            session->runCompletions();
            if (stop) {
                std::lock_guard lock(mutex);
                if (commands.empty())
                    break;
            }
        }
        session->shutdown();
        session->runCompletions();
    }

    RabbitMqBroker::Options options;
    SharedCounters counters;

    mutable std::mutex configMutex;
    QList<QueueConfig> configs;

    std::mutex lifecycleMutex; // open() and close() one at a time
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Command> commands;
    State state = State::NeverOpened;
    bool stopRequested = false;
    std::thread worker;
    std::thread::id workerId;
    std::unique_ptr<RabbitMqSession> session;
};

} // namespace Internal

using Internal::RabbitMqBrokerPrivate;
using Internal::RabbitMqSession;

RabbitMqBroker::RabbitMqBroker(Options options)
    : d(std::make_unique<RabbitMqBrokerPrivate>(std::move(options)))
{
}

RabbitMqBroker::~RabbitMqBroker()
{
    close();
}

const RabbitMqBroker::Options &RabbitMqBroker::options() const
{
    return d->options;
}

Result<void> RabbitMqBroker::open()
{
    std::unique_lock lifecycle(d->lifecycleMutex);
    {
        std::lock_guard lock(d->mutex);
        if (d->state == RabbitMqBrokerPrivate::State::Open && !d->stopRequested)
            return {};
    }
    if (d->worker.joinable()) // stopped from a callback, not joined yet
        d->worker.join();
    {
        std::lock_guard lock(d->mutex);
        d->session = std::make_unique<RabbitMqSession>(d->options, d->counters);
        d->stopRequested = false;
        d->state = RabbitMqBrokerPrivate::State::Open;
        d->worker = std::thread([this] { d->run(); });
        d->workerId = d->worker.get_id();
    }
    auto started = d->call<bool>([](RabbitMqSession &s) -> Result<bool> {
        if (auto ok = s.start(); !ok)
            return ok.error();
        return true;
    });
    lifecycle.unlock();
    if (!started) {
        close();
        std::lock_guard lock(d->mutex);
        d->state = RabbitMqBrokerPrivate::State::NeverOpened;
        return started.error();
    }
    // Queues declared before a close() are declared again.
    const QList<QueueConfig> known = queues();
    for (const QueueConfig &config : known) {
        if (auto declared = declareQueue(config); !declared)
            return declared;
    }
    return {};
}

void RabbitMqBroker::close()
{
    {
        std::lock_guard lock(d->mutex);
        if (d->state != RabbitMqBrokerPrivate::State::Open)
            return;
        d->stopRequested = true;
        d->wake.notify_one();
    }
    // From a callback the worker cannot wait for itself; it stops after this round and
    // the destructor (or the next open) joins it.
    if (d->onWorker())
        return;
    std::lock_guard lifecycle(d->lifecycleMutex);
    if (d->worker.joinable())
        d->worker.join();
    std::lock_guard lock(d->mutex);
    d->state = RabbitMqBrokerPrivate::State::Closed;
    d->session.reset();
}

Result<void> RabbitMqBroker::declareQueue(const QueueConfig &config)
{
    auto declared = d->call<bool>([config](RabbitMqSession &s) -> Result<bool> {
        if (auto ok = s.declareQueue(config); !ok)
            return ok.error();
        return true;
    });
    if (!declared)
        return declared.error();
    std::lock_guard lock(d->configMutex);
    for (QueueConfig &known : d->configs) {
        if (known.name == config.name) {
            known = config;
            return {};
        }
    }
    d->configs.append(config);
    return {};
}

QList<QueueConfig> RabbitMqBroker::queues() const
{
    std::lock_guard lock(d->configMutex);
    return d->configs;
}

std::optional<QueueConfig> RabbitMqBroker::queue(const QString &name) const
{
    std::lock_guard lock(d->configMutex);
    for (const QueueConfig &config : d->configs) {
        if (config.name == name)
            return config;
    }
    return std::nullopt;
}

void RabbitMqBroker::publishAsync(const QString &queue, Message message, PublishCallback done)
{
    Internal::PublishJob job{queue, std::move(message), std::move(done)};
    if (d->onWorker() && d->session) {
        d->session->addPublish(std::move(job));
        d->session->flushPublishes();
        d->session->runCompletions();
        return;
    }
    Error why;
    auto shared = std::make_shared<Internal::PublishJob>(std::move(job));
    if (!d->post({true, [shared](RabbitMqSession &s) { s.addPublish(std::move(*shared)); }}, &why))
        shared->done(why);
}

void RabbitMqBroker::publishToTopicAsync(Message message, PublishCallback done)
{
    publishAsync(QString(), std::move(message), std::move(done));
}

Result<QList<PublishReceipt>> RabbitMqBroker::publishBatch(const QString &queue, QList<Message> messages)
{
    return d->call<QList<PublishReceipt>>(
        [&](RabbitMqSession &s) { return s.publishBatch(queue, std::move(messages)); });
}

void RabbitMqBroker::receiveAsync(const QString &queue, const ReceiveOptions &options, ReceiveCallback done)
{
    if (d->onWorker() && d->session) {
        // A callback cannot wait on the thread it runs on: look once.
        ReceiveOptions once = options;
        once.waitMs = 0;
        d->session->flushPublishes();
        d->session->receive(queue, once, std::move(done));
        d->session->runCompletions();
        return;
    }
    Error why;
    auto callback = std::make_shared<ReceiveCallback>(std::move(done));
    if (!d->post({false, [queue, options, callback](RabbitMqSession &s) { s.receive(queue, options, std::move(*callback)); }},
                 &why))
        (*callback)(why);
}

void RabbitMqBroker::ackAsync(const QString &queue, const QStringList &receiptHandles, const AckOptions &options,
                              SettleCallback done)
{
    d->callAsync<SettleResult>(
        [queue, receiptHandles, options](RabbitMqSession &s) { return s.ack(queue, receiptHandles, options); },
        std::move(done));
}

void RabbitMqBroker::nackAsync(const QString &queue, const QStringList &receiptHandles, const NackOptions &options,
                               SettleCallback done)
{
    d->callAsync<SettleResult>(
        [queue, receiptHandles, options](RabbitMqSession &s) { return s.nack(queue, receiptHandles, options); },
        std::move(done));
}

Result<int> RabbitMqBroker::releaseConsumer(const QString &queue, const QString &consumerId)
{
    return d->call<int>([&](RabbitMqSession &s) { return s.releaseConsumer(queue, consumerId); });
}

Result<bool> RabbitMqBroker::processed(const QString &queue, const QString &group, const QString &messageId)
{
    return d->call<bool>([&](RabbitMqSession &s) { return s.processed(queue, group, messageId); });
}

Result<QList<QueueStats>> RabbitMqBroker::stats()
{
    return d->call<QList<QueueStats>>([](RabbitMqSession &s) { return s.stats(); });
}

Result<QList<Message>> RabbitMqBroker::browse(const QString &queue, int offset, int limit)
{
    return d->call<QList<Message>>([&](RabbitMqSession &s) { return s.browse(queue, offset, limit); });
}

Result<int> RabbitMqBroker::replay(const QString &deadLetterQueue, const QStringList &messageIds)
{
    return d->call<int>([&](RabbitMqSession &s) { return s.replay(deadLetterQueue, messageIds); });
}

Result<int> RabbitMqBroker::purge(const QString &queue)
{
    return d->call<int>([&](RabbitMqSession &s) { return s.purge(queue); });
}

BrokerCounters RabbitMqBroker::counters() const
{
    return d->counters.snapshot();
}

} // namespace Conflux::Broker
