#include "broker/embeddedqueue_p.h"

#include <algorithm>
#include <limits>

namespace Conflux::Broker::Internal {

std::pair<int, qint64> QueueState::readyKey(const Entry *e) const
{
    // Priority queues deliver higher priorities first, FIFO within a level; the others
    // deliver in publish order.
    return {m_config.type == QueueType::Priority ? -int(e->priority) : 0, e->seq};
}

void QueueState::reconfigure(const QueueConfig &config)
{
    const bool reindex = config.type != m_config.type;
    std::vector<Entry *> ready;
    if (reindex) {
        for (const auto &[seq, e] : m_entries) {
            if (e->state == Entry::State::Ready) {
                unfileReady(e.get());
                ready.push_back(e.get());
            }
        }
    }
    m_config = config;
    for (Entry *e : ready)
        fileReady(e);
}

Entry *QueueState::adopt(std::unique_ptr<Entry> entry, qint64 now)
{
    Entry *e = entry.get();
    e->queue = m_config.name;
    m_entries.emplace(e->seq, std::move(entry));
    makeAvailable(e, now);
    return e;
}

void QueueState::makeAvailable(Entry *e, qint64 now)
{
    e->leaseToken = 0;
    e->leaseExpiresAt = 0;
    e->consumerId.clear();
    if (e->deliverAt > now) {
        e->state = Entry::State::Delayed;
        m_delayed.emplace(e->deliverAt, e);
    } else {
        fileReady(e);
    }
    fileExpiry(e);
}

void QueueState::fileExpiry(Entry *e)
{
    if (e->expiresAt > 0)
        m_expiries.emplace(e->expiresAt, e->seq);
}

void QueueState::fileReady(Entry *e)
{
    e->state = Entry::State::Ready;
    ++m_readyCount;
    if (!isFifo()) {
        m_ready.emplace(readyKey(e), e);
        return;
    }
    auto &group = m_groups[e->groupId];
    const bool newHead = group.empty() || e->seq < group.begin()->first;
    if (newHead && !group.empty() && !m_busyGroups.contains(e->groupId))
        m_available.erase({group.begin()->first, e->groupId});
    group.emplace(e->seq, e);
    if (newHead && !m_busyGroups.contains(e->groupId))
        m_available.emplace(e->seq, e->groupId);
}

void QueueState::unfileReady(Entry *e)
{
    --m_readyCount;
    if (!isFifo()) {
        m_ready.erase(readyKey(e));
        return;
    }
    auto it = m_groups.find(e->groupId);
    if (it == m_groups.end())
        return;
    auto &group = *it;
    const bool wasHead = !group.empty() && group.begin()->first == e->seq;
    group.erase(e->seq);
    if (wasHead && !m_busyGroups.contains(e->groupId)) {
        m_available.erase({e->seq, e->groupId});
        if (!group.empty())
            m_available.emplace(group.begin()->first, e->groupId);
    }
    if (group.empty())
        m_groups.erase(it);
}

std::unique_ptr<Entry> QueueState::release(Entry *e)
{
    switch (e->state) {
    case Entry::State::Ready: unfileReady(e); break;
    case Entry::State::Delayed: {
        auto [first, last] = m_delayed.equal_range(e->deliverAt);
        for (auto it = first; it != last; ++it) {
            if (it->second == e) {
                m_delayed.erase(it);
                break;
            }
        }
        break;
    }
    case Entry::State::InFlight: endLease(e); break;
    case Entry::State::Detached: break;
    }
    if (e->expiresAt > 0)
        m_expiries.erase({e->expiresAt, e->seq});
    auto node = m_entries.extract(e->seq);
    return node.empty() ? nullptr : std::move(node.mapped());
}

Entry *QueueState::next() const
{
    if (!isFifo())
        return m_ready.empty() ? nullptr : m_ready.begin()->second;
    if (m_available.empty())
        return nullptr;
    auto it = m_groups.constFind(m_available.begin()->second);
    return it == m_groups.cend() || it->empty() ? nullptr : it->begin()->second;
}

void QueueState::lease(Entry *e, quint64 token, qint64 expiresAt, const QString &consumerId)
{
    if (e->state == Entry::State::Ready)
        unfileReady(e);
    if (e->expiresAt > 0)
        m_expiries.erase({e->expiresAt, e->seq});
    if (isFifo()) {
        // One message per group in flight: take the group out of rotation.
        auto it = m_groups.constFind(e->groupId);
        if (it != m_groups.cend() && !it->empty())
            m_available.erase({it->begin()->first, e->groupId});
        m_busyGroups.insert(e->groupId);
    }
    e->state = Entry::State::InFlight;
    e->leaseToken = token;
    e->leaseExpiresAt = expiresAt;
    e->consumerId = consumerId;
    m_leases.emplace(expiresAt, e->seq);
}

void QueueState::endLease(Entry *e)
{
    m_leases.erase({e->leaseExpiresAt, e->seq});
    if (isFifo() && m_busyGroups.remove(e->groupId)) {
        auto it = m_groups.constFind(e->groupId);
        if (it != m_groups.cend() && !it->empty())
            m_available.emplace(it->begin()->first, e->groupId);
    }
    // Filed nowhere until the caller makes it available again or releases it.
    e->state = Entry::State::Detached;
    e->leaseToken = 0;
    e->leaseExpiresAt = 0;
    e->consumerId.clear();
}

void QueueState::holdGroup(const QString &group)
{
    if (!isFifo() || m_busyGroups.contains(group))
        return;
    auto it = m_groups.constFind(group);
    if (it != m_groups.cend() && !it->empty())
        m_available.erase({it->begin()->first, group});
    m_busyGroups.insert(group);
}

void QueueState::releaseGroup(const QString &group)
{
    if (!isFifo() || !m_busyGroups.remove(group))
        return;
    auto it = m_groups.constFind(group);
    if (it != m_groups.cend() && !it->empty())
        m_available.emplace(it->begin()->first, group);
}

Entry *QueueState::find(qint64 seq) const
{
    auto it = m_entries.find(seq);
    return it == m_entries.end() ? nullptr : it->second.get();
}

int QueueState::promoteDue(qint64 now)
{
    int n = 0;
    while (!m_delayed.empty() && m_delayed.begin()->first <= now) {
        Entry *e = m_delayed.begin()->second;
        m_delayed.erase(m_delayed.begin());
        fileReady(e);
        ++n;
    }
    return n;
}

std::vector<Entry *> QueueState::expiredLeases(qint64 now) const
{
    std::vector<Entry *> out;
    for (auto it = m_leases.begin(); it != m_leases.end() && it->first <= now; ++it)
        out.push_back(find(it->second));
    return out;
}

std::vector<Entry *> QueueState::expiredMessages(qint64 now) const
{
    std::vector<Entry *> out;
    for (auto it = m_expiries.begin(); it != m_expiries.end() && it->first <= now; ++it)
        out.push_back(find(it->second));
    return out;
}

Entry *QueueState::oldestReady() const
{
    Entry *oldest = nullptr;
    auto consider = [&](Entry *e) {
        if (!oldest || e->seq < oldest->seq)
            oldest = e;
    };
    if (!isFifo()) {
        // Within each priority level the first is the oldest.
        for (int p = -3; p <= 0; ++p) {
            auto it = m_ready.lower_bound({p, std::numeric_limits<qint64>::min()});
            if (it != m_ready.end() && it->first.first == p)
                consider(it->second);
        }
    } else {
        for (const auto &group : m_groups) {
            if (!group.empty())
                consider(group.begin()->second);
        }
    }
    return oldest;
}

std::vector<Entry *> QueueState::browseOrder() const
{
    std::vector<Entry *> out;
    out.reserve(size_t(m_readyCount) + m_delayed.size());
    if (!isFifo()) {
        for (const auto &[key, e] : m_ready)
            out.push_back(e);
    } else {
        for (const auto &group : m_groups) {
            for (const auto &[seq, e] : group)
                out.push_back(e);
        }
        std::sort(out.begin(), out.end(), [](const Entry *a, const Entry *b) { return a->seq < b->seq; });
    }
    for (const auto &[at, e] : m_delayed)
        out.push_back(e);
    return out;
}

std::vector<Entry *> QueueState::leasedBy(const QString &consumerId) const
{
    std::vector<Entry *> out;
    for (const auto &[end, seq] : m_leases) {
        Entry *e = find(seq);
        if (e && e->consumerId == consumerId)
            out.push_back(e);
    }
    return out;
}

std::vector<Entry *> QueueState::all() const
{
    std::vector<Entry *> out;
    out.reserve(m_entries.size());
    for (const auto &[seq, e] : m_entries)
        out.push_back(e.get());
    return out;
}

qint64 QueueState::nextEvent() const
{
    qint64 next = std::numeric_limits<qint64>::max();
    if (!m_delayed.empty())
        next = std::min(next, m_delayed.begin()->first);
    if (!m_leases.empty())
        next = std::min(next, m_leases.begin()->first);
    if (!m_expiries.empty())
        next = std::min(next, m_expiries.begin()->first);
    for (const Waiter &w : waiters)
        next = std::min(next, w.deadline);
    return next;
}

} // namespace Conflux::Broker::Internal
