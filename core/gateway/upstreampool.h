#pragma once

#include "base/circuitbreaker.h"

#include <QList>
#include <QUrl>

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace Conflux::Gateway {

struct UpstreamTarget
{
    QUrl url;
    int weight = 1;                  // 1..1000
};

struct UpstreamPoolSettings
{
    enum class Balancing : quint8 { RoundRobin, LeastConnections };
    Balancing balancing = Balancing::RoundRobin;
    bool circuitBreaker = false;     // one breaker per target
    CircuitBreakerSettings breaker;
    // Passive ejection (outlier detection): a target whose calls failed this many times in
    // a row leaves the rotation for ejectMs, twice as long each time it is ejected again
    // (at most maxEjectMs); never more than maxEjectedPercent of the targets at once, and
    // never the last one.
    int ejectAfterFailures = 5;
    qint64 ejectMs = 30000;
    qint64 maxEjectMs = 300000;
    int maxEjectedPercent = 50;
};

// The upstream targets of a route and the choice among them: smooth weighted round-robin
// (as nginx does: over any window, each target gets its weight's share, interleaved) or
// weighted least-connections (fewest calls in flight per unit of weight; ties in turn).
// A target is chosen only when it is healthy (active checks, setHealthy), not ejected
// (passive: consecutive failures) and its circuit breaker lets the call through.
//
// Every successful pick() must be followed by exactly one release(). Times are
// milliseconds of a monotonic clock. Thread-safe (one mutex, short critical sections).
class UpstreamPool
{
public:
    struct Pick
    {
        int target = -1;
        QUrl url;
        CircuitBreaker::Permit permit;
    };
    enum class Refusal : quint8 { None, NoTargets, AllUnhealthy, CircuitOpen };
    struct Choice
    {
        std::optional<Pick> pick;
        Refusal refusal = Refusal::None;
        qint64 retryAfterMs = 0;     // CircuitOpen: when a breaker may let a call through
    };
    struct TargetState
    {
        QUrl url;
        int weight = 1;
        bool healthy = true;
        bool ejected = false;
        int inFlight = 0;
        CircuitBreaker::State breaker = CircuitBreaker::State::Closed;
        quint64 picks = 0, failures = 0, ejections = 0;
    };

    UpstreamPool(QList<UpstreamTarget> targets, UpstreamPoolSettings settings);
    ~UpstreamPool();

    // Chooses a target, skipping those in `exclude` (targets a retry already tried) as long
    // as another one is eligible.
    Choice pick(qint64 nowMs, const QList<int> &exclude = {});
    // The outcome of a picked call: success, or a failure that counts against the target
    // (connection refused or reset, timeout, 502/503/504 — the caller decides).
    void release(const Pick &pick, bool success, qint64 nowMs);

    void setHealthy(int target, bool healthy);
    qsizetype size() const;
    QList<TargetState> state(qint64 nowMs) const;

private:
    struct Target;
    bool eligible(const Target &t, qint64 nowMs) const;
    int choose(qint64 nowMs, const QList<int> &exclude, const std::vector<bool> &refused);

    mutable std::mutex m_mutex;
    UpstreamPoolSettings m_settings;
    std::vector<std::unique_ptr<Target>> m_targets;
    size_t m_nextTie = 0;
};

} // namespace Conflux::Gateway
