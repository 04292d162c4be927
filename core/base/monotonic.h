#pragma once

#include <QElapsedTimer>

namespace Conflux {

// Milliseconds of one process-wide monotonic clock, starting at 1 (so that 0 can mean
// "never"). For timeouts, cooldowns and circuit breakers: it never jumps with the wall clock.
inline qint64 monotonicMs()
{
    static const QElapsedTimer clock = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return clock.elapsed() + 1;
}

} // namespace Conflux
