#include "circuitbreaker.h"

#include <algorithm>

namespace Conflux {

namespace {

CircuitBreakerSettings sane(CircuitBreakerSettings s)
{
    s.failureThreshold = std::max(1, s.failureThreshold);
    s.successThreshold = std::max(1, s.successThreshold);
    s.halfOpenMaxCalls = std::max(1, s.halfOpenMaxCalls);
    s.openMs = std::max<qint64>(0, s.openMs);
    s.metricsWindowMs = std::max<qint64>(1, s.metricsWindowMs);
    return s;
}

} // namespace

CircuitBreaker::CircuitBreaker(CircuitBreakerSettings settings) : m_settings(sane(settings))
{
    m_failures.assign(size_t(m_settings.failureThreshold), 0);
}

void CircuitBreaker::open(qint64 nowMs)
{
    m_state = State::Open;
    m_openedAt = nowMs;
    ++m_generation;
    ++m_timesOpened;
    m_trialsInFlight = 0;
    m_trialSuccesses = 0;
}

void CircuitBreaker::close()
{
    m_state = State::Closed;
    ++m_generation;
    m_nextFailure = 0;
    m_failureCount = 0;
    m_trialsInFlight = 0;
    m_trialSuccesses = 0;
}

void CircuitBreaker::advance(qint64 nowMs)
{
    if (m_state == State::Open && nowMs - m_openedAt >= m_settings.openMs) {
        m_state = State::HalfOpen;
        ++m_generation;
        m_trialsInFlight = 0;
        m_trialSuccesses = 0;
    }
}

CircuitBreaker::Permit CircuitBreaker::acquire(qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    advance(nowMs);
    switch (m_state) {
    case State::Closed:
        return {true, 0, m_generation, false};
    case State::Open:
        return {false, std::max<qint64>(1, m_openedAt + m_settings.openMs - nowMs), m_generation, false};
    case State::HalfOpen:
        if (m_trialsInFlight >= m_settings.halfOpenMaxCalls)
            return {false, 1, m_generation, false}; // a trial is under way: ask again soon
        ++m_trialsInFlight;
        return {true, 0, m_generation, true};
    }
    return {};
}

void CircuitBreaker::record(const Permit &permit, bool success, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    if (!permit.allowed || permit.generation != m_generation)
        return; // from before the last change of state
    if (m_state == State::HalfOpen) {
        m_trialsInFlight = std::max(0, m_trialsInFlight - 1);
        if (!success) {
            open(nowMs);
        } else if (++m_trialSuccesses >= m_settings.successThreshold) {
            close();
        }
        return;
    }
    if (m_state != State::Closed || success)
        return;
    // The ring keeps the times of the last failureThreshold failures: the circuit opens
    // when the oldest of them is still within the window.
    m_failures[m_nextFailure] = nowMs;
    m_nextFailure = (m_nextFailure + 1) % m_failures.size();
    m_failureCount = std::min(m_failureCount + 1, m_failures.size());
    const qint64 oldest = m_failures[m_nextFailure % m_failures.size()];
    if (m_failureCount == m_failures.size() && nowMs - oldest < m_settings.metricsWindowMs)
        open(nowMs);
}

CircuitBreaker::State CircuitBreaker::state(qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    advance(nowMs);
    return m_state;
}

void CircuitBreaker::reconfigure(const CircuitBreakerSettings &settings)
{
    std::lock_guard lock(m_mutex);
    const CircuitBreakerSettings s = sane(settings);
    if (s == m_settings)
        return;
    if (s.failureThreshold != m_settings.failureThreshold) {
        m_failures.assign(size_t(s.failureThreshold), 0);
        m_nextFailure = 0;
        m_failureCount = 0;
    }
    m_settings = s;
}

quint64 CircuitBreaker::timesOpened() const
{
    std::lock_guard lock(m_mutex);
    return m_timesOpened;
}

} // namespace Conflux
