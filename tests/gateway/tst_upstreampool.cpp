// The circuit breaker's states and the upstream pool's choices, on an injected clock.

#include "base/circuitbreaker.h"
#include "gateway/upstreampool.h"

#include <QHash>
#include <QTest>

#include <atomic>
#include <thread>

using namespace Conflux;
using namespace Conflux::Gateway;
using namespace Qt::StringLiterals;

namespace {

using State = CircuitBreaker::State;

CircuitBreakerSettings breakerSettings(int failures, int successes, qint64 openMs, int halfOpen, qint64 windowMs)
{
    return {failures, successes, openMs, halfOpen, windowMs};
}

// Makes a call at `now` and records its outcome; false when the breaker refused it.
bool call(CircuitBreaker &b, qint64 now, bool success)
{
    const CircuitBreaker::Permit p = b.acquire(now);
    if (!p.allowed)
        return false;
    b.record(p, success, now);
    return true;
}

QList<UpstreamTarget> targets(const QList<int> &weights)
{
    QList<UpstreamTarget> out;
    for (qsizetype i = 0; i < weights.size(); ++i)
        out.append({QUrl(u"http://10.0.0.%1:8080"_s.arg(i + 1)), weights[i]});
    return out;
}

// The targets chosen by n picks, each released at once with `success`.
QList<int> sequence(UpstreamPool &pool, int n, qint64 now = 0, bool success = true)
{
    QList<int> out;
    for (int k = 0; k < n; ++k) {
        const UpstreamPool::Choice c = pool.pick(now);
        if (!c.pick) {
            out.append(-1);
            continue;
        }
        out.append(c.pick->target);
        pool.release(*c.pick, success, now);
    }
    return out;
}

} // namespace

class TestUpstreamPool : public QObject
{
    Q_OBJECT

private slots:
    // --- circuit breaker

    void opensAfterThresholdWithinWindow()
    {
        CircuitBreaker b(breakerSettings(3, 2, 1000, 1, 10000));
        QVERIFY(call(b, 0, false));
        QVERIFY(call(b, 100, false));
        QCOMPARE(b.state(100), State::Closed);
        QVERIFY(call(b, 200, true)); // successes do not reset the window count
        QVERIFY(call(b, 300, false));
        QCOMPARE(b.state(300), State::Open);
        QCOMPARE(b.timesOpened(), 1u);
        const CircuitBreaker::Permit refused = b.acquire(500);
        QVERIFY(!refused.allowed);
        QCOMPARE(refused.retryAfterMs, 800);
    }

    void failuresOutsideTheWindowDoNotCount()
    {
        CircuitBreaker b(breakerSettings(3, 1, 1000, 1, 1000));
        QVERIFY(call(b, 0, false));
        QVERIFY(call(b, 600, false));
        QVERIFY(call(b, 1100, false)); // the first is more than a window ago
        QCOMPARE(b.state(1100), State::Closed);
        QVERIFY(call(b, 1500, false)); // 600, 1100, 1500: three within 1000 ms
        QCOMPARE(b.state(1500), State::Open);
    }

    void halfOpenTrialsCloseOrReopen()
    {
        CircuitBreaker b(breakerSettings(1, 2, 1000, 1, 60000));
        QVERIFY(call(b, 0, false));
        QCOMPARE(b.state(999), State::Open);
        QCOMPARE(b.state(1000), State::HalfOpen);
        // One trial at a time.
        const CircuitBreaker::Permit trial = b.acquire(1000);
        QVERIFY(trial.allowed && trial.trial);
        QVERIFY(!b.acquire(1001).allowed);
        b.record(trial, true, 1010);
        QCOMPARE(b.state(1010), State::HalfOpen); // two successes needed
        QVERIFY(call(b, 1020, true));
        QCOMPARE(b.state(1020), State::Closed);
        // A failed trial opens it again for the whole timeout.
        QVERIFY(call(b, 2000, false));
        QCOMPARE(b.state(2000), State::Open);
        QVERIFY(call(b, 3000, false)); // the trial fails
        QCOMPARE(b.state(3999), State::Open);
        QCOMPARE(b.state(4000), State::HalfOpen);
        QCOMPARE(b.timesOpened(), 3u);
    }

    void halfOpenAllowsConfiguredTrials()
    {
        CircuitBreaker b(breakerSettings(1, 3, 100, 3, 60000));
        QVERIFY(call(b, 0, false));
        QList<CircuitBreaker::Permit> trials;
        for (int i = 0; i < 5; ++i)
            trials.append(b.acquire(100));
        QCOMPARE(std::count_if(trials.begin(), trials.end(), [](const auto &p) { return p.allowed; }), 3);
        for (const auto &p : trials)
            b.record(p, true, 110);
        QCOMPARE(b.state(110), State::Closed);
    }

    // A slow call from before the circuit opened neither closes nor re-opens it.
    void staleOutcomesAreIgnored()
    {
        CircuitBreaker b(breakerSettings(1, 1, 1000, 1, 60000));
        const CircuitBreaker::Permit slow = b.acquire(0);
        QVERIFY(call(b, 10, false));
        QCOMPARE(b.state(10), State::Open);
        b.record(slow, true, 20);
        QCOMPARE(b.state(20), State::Open);
        const CircuitBreaker::Permit trial = b.acquire(1010);
        QVERIFY(trial.allowed);
        b.record(slow, false, 1020);
        QCOMPARE(b.state(1020), State::HalfOpen);
        b.record(trial, true, 1030);
        QCOMPARE(b.state(1030), State::Closed);
    }

    void breakerIsThreadSafe()
    {
        CircuitBreaker b(breakerSettings(1000000, 1, 1000, 1, 600000));
        std::atomic<int> allowed{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 20000; ++i)
                    allowed += call(b, 0, i % 2 == 0) ? 1 : 0;
            });
        }
        for (auto &t : threads)
            t.join();
        QCOMPARE(allowed.load(), 80000);
        QCOMPARE(b.state(0), State::Closed); // 40,000 failures < 1,000,000
    }

    // --- pool

    void weightedRoundRobinIsSmooth()
    {
        UpstreamPool pool(targets({5, 1, 1}), {});
        // nginx's smooth weighted round-robin: a a b a c a a, repeated.
        QCOMPARE(sequence(pool, 7), (QList<int>{0, 0, 1, 0, 2, 0, 0}));
        QHash<int, int> counts;
        for (int t : sequence(pool, 700))
            ++counts[t];
        QCOMPARE(counts.value(0), 500);
        QCOMPARE(counts.value(1), 100);
        QCOMPARE(counts.value(2), 100);
    }

    void leastConnectionsPerWeight()
    {
        UpstreamPoolSettings s;
        s.balancing = UpstreamPoolSettings::Balancing::LeastConnections;
        UpstreamPool pool(targets({1, 2}), s);
        // Held calls: target 1 (weight 2) takes two for each of target 0's.
        QList<UpstreamPool::Pick> held;
        QHash<int, int> counts;
        for (int i = 0; i < 9; ++i) {
            const UpstreamPool::Choice c = pool.pick(0);
            QVERIFY(c.pick);
            ++counts[c.pick->target];
            held.append(*c.pick);
        }
        QCOMPARE(counts.value(0), 3);
        QCOMPARE(counts.value(1), 6);
        // Releasing target 0's calls makes it the least loaded.
        for (const auto &p : held) {
            if (p.target == 0)
                pool.release(p, true, 0);
        }
        QCOMPARE(pool.pick(0).pick->target, 0);
        // With nothing in flight, ties go round.
        UpstreamPool idle(targets({1, 1, 1}), s);
        QCOMPARE(sequence(idle, 6), (QList<int>{0, 1, 2, 0, 1, 2}));
    }

    void unhealthyTargetsAreSkipped()
    {
        UpstreamPool pool(targets({1, 1, 1}), {});
        pool.setHealthy(1, false);
        QCOMPARE(sequence(pool, 4), (QList<int>{0, 2, 0, 2}));
        pool.setHealthy(0, false);
        pool.setHealthy(2, false);
        const UpstreamPool::Choice none = pool.pick(0);
        QVERIFY(!none.pick);
        QCOMPARE(none.refusal, UpstreamPool::Refusal::AllUnhealthy);
        pool.setHealthy(1, true);
        QCOMPARE(sequence(pool, 2), (QList<int>{1, 1}));
        UpstreamPool empty({}, {});
        QCOMPARE(empty.pick(0).refusal, UpstreamPool::Refusal::NoTargets);
    }

    void retriesPreferUntriedTargets()
    {
        UpstreamPool pool(targets({1, 1, 1}), {});
        const UpstreamPool::Choice first = pool.pick(0);
        pool.release(*first.pick, false, 0);
        const UpstreamPool::Choice second = pool.pick(0, {first.pick->target});
        QVERIFY(second.pick->target != first.pick->target);
        pool.release(*second.pick, false, 0);
        const UpstreamPool::Choice third = pool.pick(0, {first.pick->target, second.pick->target});
        QVERIFY(third.pick->target != first.pick->target && third.pick->target != second.pick->target);
        pool.release(*third.pick, true, 0);
        // All tried: one of them again rather than none.
        const UpstreamPool::Choice fourth = pool.pick(0, {0, 1, 2});
        QVERIFY(fourth.pick);
    }

    void consecutiveFailuresEject()
    {
        UpstreamPoolSettings s;
        s.ejectAfterFailures = 3;
        s.ejectMs = 1000;
        s.maxEjectMs = 3000;
        UpstreamPool pool(targets({1, 1, 1, 1}), s);
        auto failOn = [&](int target, qint64 now) {
            for (int i = 0; i < 100; ++i) {
                const UpstreamPool::Choice c = pool.pick(now);
                pool.release(*c.pick, c.pick->target != target, now);
                if (pool.state(now).at(target).ejected)
                    return true;
            }
            return false;
        };
        QVERIFY(failOn(2, 0));
        QVERIFY(!sequence(pool, 30, 10).contains(2));
        QVERIFY(sequence(pool, 30, 1000).contains(2)); // back after 1 s
        // Ejected again: twice as long.
        QVERIFY(failOn(2, 2000));
        QVERIFY(!sequence(pool, 30, 3999).contains(2));
        QVERIFY(sequence(pool, 30, 4000).contains(2));
        QCOMPARE(pool.state(4000).at(2).ejections, 2u);
        // At most half the targets: with 0 and 1 ejected, 3 stays in however it fails.
        QVERIFY(failOn(0, 5000));
        QVERIFY(failOn(1, 5000));
        QVERIFY(!failOn(3, 5000));
        QCOMPARE(sequence(pool, 4, 5000), (QList<int>{2, 3, 2, 3}));
    }

    void openCircuitRefusesWithRetryAfter()
    {
        UpstreamPoolSettings s;
        s.circuitBreaker = true;
        s.breaker = breakerSettings(2, 1, 5000, 1, 60000);
        s.ejectAfterFailures = 1000;
        UpstreamPool pool(targets({1, 1}), s);
        QCOMPARE(sequence(pool, 4, 0, false), (QList<int>{0, 1, 0, 1}));
        const UpstreamPool::Choice refused = pool.pick(1000);
        QVERIFY(!refused.pick);
        QCOMPARE(refused.refusal, UpstreamPool::Refusal::CircuitOpen);
        QCOMPARE(refused.retryAfterMs, 4000);
        QCOMPARE(pool.state(1000).at(0).breaker, State::Open);
        // Half-open after the timeout: a successful trial closes target 0's circuit.
        const UpstreamPool::Choice trial = pool.pick(5000);
        QVERIFY(trial.pick && trial.pick->permit.trial);
        pool.release(*trial.pick, true, 5001);
        QCOMPARE(pool.state(5001).at(trial.pick->target).breaker, State::Closed);
    }
};

QTEST_GUILESS_MAIN(TestUpstreamPool)
#include "tst_upstreampool.moc"
