#include "broker/messagebroker.h"

#include <future>

namespace Conflux::Broker {

namespace {

// Runs an asynchronous call and waits for its callback.
template<typename T, typename Start>
Result<T> waitFor(Start start)
{
    std::promise<Result<T>> promise;
    std::future<Result<T>> future = promise.get_future();
    start([&promise](Result<T> result) { promise.set_value(std::move(result)); });
    return future.get();
}

} // namespace

Result<PublishReceipt> MessageBroker::publish(const QString &queue, Message message)
{
    return waitFor<PublishReceipt>([&](PublishCallback done) { publishAsync(queue, std::move(message), std::move(done)); });
}

Result<PublishReceipt> MessageBroker::publishToTopic(Message message)
{
    return waitFor<PublishReceipt>([&](PublishCallback done) { publishToTopicAsync(std::move(message), std::move(done)); });
}

Result<QList<Delivery>> MessageBroker::receive(const QString &queue, const ReceiveOptions &options)
{
    return waitFor<QList<Delivery>>([&](ReceiveCallback done) { receiveAsync(queue, options, std::move(done)); });
}

Result<SettleResult> MessageBroker::ack(const QString &queue, const QStringList &receiptHandles,
                                        const AckOptions &options)
{
    return waitFor<SettleResult>([&](SettleCallback done) { ackAsync(queue, receiptHandles, options, std::move(done)); });
}

Result<SettleResult> MessageBroker::nack(const QString &queue, const QStringList &receiptHandles,
                                         const NackOptions &options)
{
    return waitFor<SettleResult>([&](SettleCallback done) { nackAsync(queue, receiptHandles, options, std::move(done)); });
}

Result<SettleResult> MessageBroker::reject(const QString &queue, const QStringList &receiptHandles)
{
    return nack(queue, receiptHandles, NackOptions{false, 0});
}

} // namespace Conflux::Broker
