#pragma once

#include "broker/brokerstore_p.h"
#include "broker/embeddedbroker.h"
#include "broker/embeddedqueue_p.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHash>

#include <functional>
#include <map>
#include <mutex>
#include <vector>

namespace Conflux::Broker::Internal {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Broker)
};

inline qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Callbacks to run once the broker's lock is released.
using Deferred = std::vector<std::function<void()>>;

inline void runAll(Deferred &deferred)
{
    for (auto &f : deferred)
        f();
    deferred.clear();
}

// The embedded broker's state. Everything but `options` and `store` is guarded by `mutex`.
class EmbeddedBrokerPrivate
{
public:
    explicit EmbeddedBrokerPrivate(EmbeddedBroker::Options o) : options(std::move(o)) {}

    Result<QueueState *> queueFor(const QString &name)
    {
        auto it = queues.find(name);
        if (it == queues.end() || !it->second)
            return makeError("broker_unknown_queue", Tr::tr("no queue named \"%1\"").arg(name));
        return it->second.get();
    }
    Error notOpen() const
    {
        return closed ? makeError("broker_closed", Tr::tr("the broker is closed"))
                      : makeError("broker_not_open", Tr::tr("the broker is not open"));
    }

    Message toMessage(const Entry &e) const;
    // Callbacks for other queues' waiters (served by dead-lettering) go to `deferred`.
    void deliverTo(QueueState &q, const ReceiveOptions &options, qint64 now, std::vector<Entry> &out,
                   WriteBatch &batch, bool &mustCommit, Deferred &deferred);
    void finishReceive(std::vector<Entry> entries, MessageBroker::ReceiveCallback done, WriteBatch batch,
                       bool mustCommit);
    void serveWaiters(QueueState &q, qint64 now, Deferred &deferred);
    void deadLetter(QueueState &q, Entry *e, DeadLetterReason reason, qint64 now, WriteBatch &batch, Deferred &deferred);
    void requeueOrDeadLetter(QueueState &q, Entry *e, qint64 delayMs, qint64 now, WriteBatch &batch, Deferred &deferred);
    void adoptInto(const QString &queue, std::unique_ptr<Entry> e, qint64 now, Deferred &deferred);
    Result<PublishReceipt> preparePublish(const QStringList &targets, Message &message, QByteArray payload,
                                          QByteArray headers, qint64 now, WriteBatch &batch, Deferred &deferred);
    // Files the messages of a committed publish batch (or forgets them, when it failed).
    void fileCommitted(const Result<void> &result, WriteBatch &batch, Deferred &deferred);
    void publish(const QStringList &targets, Message message, MessageBroker::PublishCallback done);
    void recordLatency(qint64 enqueuedAt, qint64 now);
    qint64 tick();
    Result<void> commitAndWait(WriteBatch batch);
    // Settles each handle with `settleOne` under the lock, commits what it wrote, then runs
    // `after` (with the commit's outcome) and `done`, on the store's completion thread.
    template<typename Settle>
    void settle(const QString &queue, const QStringList &handles, Settle settleOne,
                std::function<void(const Result<void> &)> after, MessageBroker::SettleCallback done);

    EmbeddedBroker::Options options;
    BrokerStore store;
    mutable std::mutex mutex;
    bool opened = false;
    bool closed = false;
    std::map<QString, std::unique_ptr<QueueState>> queues;
    std::map<QString, std::vector<std::unique_ptr<Entry>>> undeclared;
    QHash<QString, qint64> dedup; // queue + '\n' + message id -> expires at
    qint64 lastSeq = 0;
    quint64 lastToken = 0;
    qint64 nextDedupPrune = 0;
    BrokerCounters counters;
};

} // namespace Conflux::Broker::Internal
