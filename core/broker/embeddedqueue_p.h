#pragma once

#include "broker/brokerstore_p.h"
#include "broker/messagebroker.h"

#include <QHash>
#include <QSet>

#include <deque>
#include <map>
#include <set>
#include <unordered_map>

namespace Conflux::Broker::Internal {

struct Waiter
{
    ReceiveOptions options;
    MessageBroker::ReceiveCallback done;
    qint64 deadline = 0;
};

// One queue's messages in memory, indexed for delivery. Not thread-safe: the broker's lock
// guards it. Every message is in exactly one of: ready (due, waiting for a consumer),
// delayed (deliver_at in the future), in flight (leased). FIFO queues keep their ready
// messages per group and hand out at most one message per group at a time.
class QueueState
{
public:
    explicit QueueState(QueueConfig config) : m_config(std::move(config)) {}

    const QueueConfig &config() const { return m_config; }
    // Applies a new configuration; a change of type re-indexes the ready messages.
    void reconfigure(const QueueConfig &config);

    bool isFifo() const { return m_config.type == QueueType::Fifo; }

    // Takes ownership and files the entry as ready or delayed (never in flight).
    Entry *adopt(std::unique_ptr<Entry> entry, qint64 now);
    // Files an entry this queue owns (back from flight) as ready or delayed.
    void makeAvailable(Entry *e, qint64 now);
    // Removes the entry from the queue and returns it.
    std::unique_ptr<Entry> release(Entry *e);

    // The next message to deliver, or nullptr. Stays filed until lease() or release().
    Entry *next() const;
    void lease(Entry *e, quint64 token, qint64 expiresAt, const QString &consumerId);
    // Ends a lease (ack, nack, expiry); the entry is neither ready nor delayed afterwards.
    void endLease(Entry *e);
    // FIFO: keeps a group from delivering (while its ack commits), and lets it go again.
    // No effect on other queue types.
    void holdGroup(const QString &group);
    void releaseGroup(const QString &group);

    Entry *find(qint64 seq) const;
    // Moves due delayed messages to ready; returns how many.
    int promoteDue(qint64 now);
    // Leases that ended before `now`.
    std::vector<Entry *> expiredLeases(qint64 now) const;
    // Ready or delayed messages whose ttl passed.
    std::vector<Entry *> expiredMessages(qint64 now) const;
    // The oldest ready message (for drop-oldest), or nullptr.
    Entry *oldestReady() const;
    // Ready messages in delivery order, then delayed ones by due time.
    std::vector<Entry *> browseOrder() const;
    std::vector<Entry *> leasedBy(const QString &consumerId) const;
    std::vector<Entry *> all() const;

    // The earliest time something happens on its own (a due message, a lease or ttl end).
    qint64 nextEvent() const;

    qint64 size() const { return qint64(m_entries.size()) + pending; }
    qint64 readyCount() const { return m_readyCount; }
    qint64 delayedCount() const { return qint64(m_delayed.size()); }
    qint64 inFlightCount() const { return qint64(m_leases.size()); }

    qint64 pending = 0;          // publishes waiting for their commit
    std::deque<Waiter> waiters;
    QHash<QString, qint64> consumers; // consumer id -> last receive
    quint64 published = 0, acked = 0, deadLettered = 0;

private:
    void fileReady(Entry *e);
    void unfileReady(Entry *e);
    void fileExpiry(Entry *e);
    std::pair<int, qint64> readyKey(const Entry *e) const;

    QueueConfig m_config;
    std::unordered_map<qint64, std::unique_ptr<Entry>> m_entries;
    std::map<std::pair<int, qint64>, Entry *> m_ready;        // (-priority, seq), non-FIFO
    QHash<QString, std::map<qint64, Entry *>> m_groups;        // FIFO: ready per group
    QSet<QString> m_busyGroups;                                // FIFO: a message in flight
    std::set<std::pair<qint64, QString>> m_available;          // FIFO: (head seq, group), not busy
    std::multimap<qint64, Entry *> m_delayed;                  // by deliver_at
    std::set<std::pair<qint64, qint64>> m_leases;              // (lease end, seq)
    std::set<std::pair<qint64, qint64>> m_expiries;            // (expires_at, seq), ready/delayed
    qint64 m_readyCount = 0;
};

} // namespace Conflux::Broker::Internal
