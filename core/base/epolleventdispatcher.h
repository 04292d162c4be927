#pragma once

#include <QAbstractEventDispatcher>

#include <memory>

namespace Conflux {

// An event dispatcher on Linux's epoll, for threads that hold many sockets (the gateway's
// event loops). Qt's own dispatcher builds a ppoll() set of every enabled notifier on every
// pass, so a thread with 500 idle keep-alive connections pays for all 500 each time one of
// them has data; here waiting costs the same whatever the number of descriptors, and a
// notifier costs an epoll_ctl() only when it is enabled or disabled.
//
// It behaves as QEventDispatcherUNIX does where code can tell: each pass sends the posted
// events first, then activates the socket notifiers that are ready (level-triggered: a
// notifier fires again on the next pass while its condition holds), then the timers that
// are due; a notifier or timer removed during a pass is not activated later in that pass.
// Timers keep Qt's catch-up rule (a late repeating timer fires once, then keeps its period
// from now); Qt::VeryCoarseTimer rounds its interval to whole seconds, the others are
// precise to the millisecond. Timers sit in a binary heap indexed by timer id, so starting,
// stopping or restarting one is O(log n) and allocates nothing.
//
// Install it with QThread::setEventDispatcher() before the thread starts. Linux only.
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Conflux
