#pragma once

#include <QtGlobal>

#include <mutex>
#include <vector>

namespace Conflux {

// The settings of a route's circuit breaker, as in the project's route documents.
struct CircuitBreakerSettings
{
    int failureThreshold = 5;        // failures within the window that open the circuit
    int successThreshold = 2;        // consecutive trial successes that close it again
    qint64 openMs = 30000;           // timeout_seconds: how long it stays open
    int halfOpenMaxCalls = 1;        // trial calls at a time while half-open
    qint64 metricsWindowMs = 60000;  // metrics_window_seconds: how far back failures count

    friend bool operator==(const CircuitBreakerSettings &, const CircuitBreakerSettings &) = default;
};

// A circuit breaker for one upstream target.
//
//   closed    calls pass; when `failureThreshold` of them failed within the last
//             `metricsWindowMs`, it opens
//   open      every call is refused at once (the gateway answers 503) until `openMs` has
//             passed, then it is half-open
//   half-open up to `halfOpenMaxCalls` trial calls at a time; `successThreshold`
//             successes in a row close it, any failure opens it again for `openMs`
//
// Every permitted call must be followed by exactly one record(). Outcomes of calls
// permitted before the last state change are ignored (a slow call from before the circuit
// opened neither closes nor re-opens it). Times are milliseconds of a monotonic clock,
// passed in (deterministic tests). Thread-safe.
class CircuitBreaker
{
public:
    enum class State : quint8 { Closed, Open, HalfOpen };

    struct Permit
    {
        bool allowed = false;
        qint64 retryAfterMs = 0;     // refused: until the circuit may let a trial through
        quint64 generation = 0;      // pass back to record()
        bool trial = false;          // a half-open trial call
    };

    explicit CircuitBreaker(CircuitBreakerSettings settings = {});

    Permit acquire(qint64 nowMs);
    void record(const Permit &permit, bool success, qint64 nowMs);

    State state(qint64 nowMs);
    // Replaces the settings; keeps the state.
    void reconfigure(const CircuitBreakerSettings &settings);
    quint64 timesOpened() const;

private:
    void open(qint64 nowMs);
    void close();
    void advance(qint64 nowMs);

    mutable std::mutex m_mutex;
    CircuitBreakerSettings m_settings;
    State m_state = State::Closed;
    quint64 m_generation = 1;
    qint64 m_openedAt = 0;
    int m_trialsInFlight = 0;
    int m_trialSuccesses = 0;
    std::vector<qint64> m_failures; // ring of the last failureThreshold failure times
    size_t m_nextFailure = 0;
    size_t m_failureCount = 0;      // how many of the ring's slots hold a failure
    quint64 m_timesOpened = 0;
};

} // namespace Conflux
