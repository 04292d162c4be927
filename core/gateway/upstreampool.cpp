#include "upstreampool.h"

#include <algorithm>
#include <limits>

namespace Conflux::Gateway {

struct UpstreamPool::Target
{
    Target(const UpstreamTarget &t, const CircuitBreakerSettings &breakerSettings)
        : url(t.url), weight(std::clamp(t.weight, 1, 1000)), breaker(breakerSettings)
    {
    }

    QUrl url;
    int weight;
    CircuitBreaker breaker;
    bool healthy = true;
    qint64 current = 0;              // smooth weighted round-robin
    int inFlight = 0;
    int consecutiveFailures = 0;
    qint64 ejectedUntil = 0;
    int timesEjected = 0;
    quint64 picks = 0, failures = 0;
};

UpstreamPool::UpstreamPool(QList<UpstreamTarget> targets, UpstreamPoolSettings settings)
    : m_settings(std::move(settings))
{
    for (const UpstreamTarget &t : targets)
        m_targets.push_back(std::make_unique<Target>(t, m_settings.breaker));
}

UpstreamPool::~UpstreamPool() = default;

bool UpstreamPool::eligible(const Target &t, qint64 nowMs) const
{
    return t.healthy && nowMs >= t.ejectedUntil;
}

// The index of the next target by the balancing rule among the eligible ones not in
// `exclude` and not `refused` (by their breaker); -1 when none.
int UpstreamPool::choose(qint64 nowMs, const QList<int> &exclude, const std::vector<bool> &refused)
{
    std::vector<int> candidates;
    for (int i = 0; i < int(m_targets.size()); ++i) {
        if (!refused[size_t(i)] && eligible(*m_targets[size_t(i)], nowMs))
            candidates.push_back(i);
    }
    // A retry prefers targets it has not tried, but takes a tried one over none.
    std::vector<int> fresh;
    std::copy_if(candidates.begin(), candidates.end(), std::back_inserter(fresh),
                 [&](int i) { return !exclude.contains(i); });
    const std::vector<int> &pool = fresh.empty() ? candidates : fresh;
    if (pool.empty())
        return -1;
    if (m_settings.balancing == UpstreamPoolSettings::Balancing::RoundRobin) {
        qint64 total = 0;
        int best = -1;
        for (int i : pool) {
            Target &t = *m_targets[size_t(i)];
            t.current += t.weight;
            total += t.weight;
            if (best < 0 || t.current > m_targets[size_t(best)]->current)
                best = i;
        }
        m_targets[size_t(best)]->current -= total;
        return best;
    }
    // Least connections per unit of weight: compare inFlight_a * weight_b with
    // inFlight_b * weight_a; ties go round in turn.
    int best = -1;
    const size_t n = m_targets.size();
    for (size_t k = 0; k < n; ++k) {
        const int i = int((m_nextTie + k) % n);
        if (std::find(pool.begin(), pool.end(), i) == pool.end())
            continue;
        if (best < 0) {
            best = i;
            continue;
        }
        const Target &a = *m_targets[size_t(i)];
        const Target &b = *m_targets[size_t(best)];
        if (qint64(a.inFlight) * b.weight < qint64(b.inFlight) * a.weight)
            best = i;
    }
    m_nextTie = (size_t(best) + 1) % n;
    return best;
}

UpstreamPool::Choice UpstreamPool::pick(qint64 nowMs, const QList<int> &exclude)
{
    std::lock_guard lock(m_mutex);
    Choice choice;
    if (m_targets.empty()) {
        choice.refusal = Refusal::NoTargets;
        return choice;
    }
    std::vector<bool> refused(m_targets.size(), false);
    qint64 retryAfter = std::numeric_limits<qint64>::max();
    bool anyBreakerRefused = false;
    for (;;) {
        const int i = choose(nowMs, exclude, refused);
        if (i < 0)
            break;
        Target &t = *m_targets[size_t(i)];
        CircuitBreaker::Permit permit;
        if (m_settings.circuitBreaker) {
            permit = t.breaker.acquire(nowMs);
            if (!permit.allowed) {
                refused[size_t(i)] = true;
                anyBreakerRefused = true;
                retryAfter = std::min(retryAfter, permit.retryAfterMs);
                continue;
            }
        } else {
            permit.allowed = true;
        }
        ++t.inFlight;
        ++t.picks;
        choice.pick = Pick{i, t.url, permit};
        return choice;
    }
    choice.refusal = anyBreakerRefused ? Refusal::CircuitOpen : Refusal::AllUnhealthy;
    choice.retryAfterMs = anyBreakerRefused ? retryAfter : 0;
    return choice;
}

void UpstreamPool::release(const Pick &pick, bool success, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    if (pick.target < 0 || pick.target >= int(m_targets.size()))
        return;
    Target &t = *m_targets[size_t(pick.target)];
    t.inFlight = std::max(0, t.inFlight - 1);
    if (m_settings.circuitBreaker)
        t.breaker.record(pick.permit, success, nowMs);
    if (success) {
        t.consecutiveFailures = 0;
        return;
    }
    ++t.failures;
    if (++t.consecutiveFailures < std::max(1, m_settings.ejectAfterFailures) || nowMs < t.ejectedUntil)
        return;
    // Eject, unless that would take out too many targets (or the last one).
    int ejected = 0;
    for (const auto &other : m_targets) {
        if (nowMs < other->ejectedUntil)
            ++ejected;
    }
    const int n = int(m_targets.size());
    if (ejected + 1 >= n || (ejected + 1) * 100 > n * std::clamp(m_settings.maxEjectedPercent, 0, 100))
        return;
    const qint64 base = std::max<qint64>(1, m_settings.ejectMs);
    const qint64 duration = std::min(std::max(base, m_settings.maxEjectMs), base << std::min(t.timesEjected, 20));
    t.ejectedUntil = nowMs + duration;
    ++t.timesEjected;
    t.consecutiveFailures = 0;
}

void UpstreamPool::setHealthy(int target, bool healthy)
{
    std::lock_guard lock(m_mutex);
    if (target >= 0 && target < int(m_targets.size()))
        m_targets[size_t(target)]->healthy = healthy;
}

qsizetype UpstreamPool::size() const
{
    std::lock_guard lock(m_mutex);
    return qsizetype(m_targets.size());
}

QList<UpstreamPool::TargetState> UpstreamPool::state(qint64 nowMs) const
{
    std::lock_guard lock(m_mutex);
    QList<TargetState> out;
    for (const auto &t : m_targets) {
        out.append({t->url, t->weight, t->healthy, nowMs < t->ejectedUntil, t->inFlight, t->breaker.state(nowMs),
                    t->picks, t->failures, quint64(t->timesEjected)});
    }
    return out;
}

} // namespace Conflux::Gateway
