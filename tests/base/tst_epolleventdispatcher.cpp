// EpollEventDispatcher: timers, socket notifiers, posted events and wake-ups, with the
// test's own main thread running on it (so QTest's waiting runs on it too).
#include "base/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTemporaryFile>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

using namespace Conflux;

namespace {

// Records the timer events it gets; can kill or start timers from inside one.
class TimerTarget : public QObject
{
public:
    std::vector<int> fired;
    std::function<void(int)> onFire;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        fired.push_back(event->timerId());
        if (onFire)
            onFire(event->timerId());
    }
};

struct SocketPair
{
    int fd[2] = {-1, -1};
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd); }
    ~SocketPair() { closeBoth(); }
    void closeEnd(int i)
    {
        if (fd[i] >= 0)
            ::close(fd[i]);
        fd[i] = -1;
    }
    void closeBoth()
    {
        closeEnd(0);
        closeEnd(1);
    }
    void send(int i, const char *bytes) { QVERIFY(::write(fd[i], bytes, strlen(bytes)) > 0); }
};

// One pass of the current thread's event loop, without waiting.
void pass()
{
    QCoreApplication::processEvents(QEventLoop::AllEvents);
}

EpollEventDispatcher *dispatcher()
{
    return dynamic_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

} // namespace

class tst_EpollEventDispatcher : public QObject
{
    Q_OBJECT

private slots:
    void installed();
    void timersFireInDeadlineOrder();
    void timersNeverFireEarly();
    void zeroIntervalTimerFiresOncePerPass();
    void timerKilledInAnEarlierHandlerDoesNotFire();
    void reusedTimerIdDoesNotFireInThePassThatKilledIt();
    void remainingTimeAndRegisteredTimers();
    void veryCoarseTimersRoundToSeconds();
    void deletedObjectTakesItsTimers();
    void readNotifierIsLevelTriggered();
    void writeNotifierAndDisabling();
    void notifierDeletedByAnotherInOnePass();
    void hangUpWakesTheReader();
    void descriptorNumberReused();
    void regularFileIsAlwaysReady();
    void excludeSocketNotifiersLeavesThemPending();
    void otherThreadPostsWakeAndQuit();
    void deleteLaterRunsOnTheLoop();
};

void tst_EpollEventDispatcher::installed()
{
    QVERIFY(dispatcher());
}

void tst_EpollEventDispatcher::timersFireInDeadlineOrder()
{
    std::vector<int> order;
    for (const int ms : {30, 10, 20})
        QTimer::singleShot(ms, this, [&order, ms] { order.push_back(ms); });
    QTRY_COMPARE(order.size(), size_t(3));
    QCOMPARE(order, (std::vector<int>{10, 20, 30}));
}

void tst_EpollEventDispatcher::timersNeverFireEarly()
{
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    timer.setInterval(15);
    QElapsedTimer clock;
    std::vector<qint64> at;
    connect(&timer, &QTimer::timeout, this, [&] { at.push_back(clock.nsecsElapsed()); });
    clock.start();
    timer.start();
    QTRY_VERIFY(at.size() >= 5);
    timer.stop();
    for (size_t i = 0; i < at.size(); ++i)
        QVERIFY2(at[i] >= qint64(i + 1) * 15'000'000, qPrintable(QString::number(i)));
}

void tst_EpollEventDispatcher::zeroIntervalTimerFiresOncePerPass()
{
    TimerTarget target;
    const int id = target.startTimer(0);
    QVERIFY(id > 0);
    for (int i = 0; i < 5; ++i)
        pass();
    target.killTimer(id);
    QCOMPARE(target.fired.size(), size_t(5));
}

void tst_EpollEventDispatcher::timerKilledInAnEarlierHandlerDoesNotFire()
{
    TimerTarget target;
    const int first = target.startTimer(5, Qt::PreciseTimer);
    const int second = target.startTimer(5, Qt::PreciseTimer);
    target.onFire = [&](int id) {
        if (id == first)
            target.killTimer(second);
    };
    QThread::msleep(20); // both due in the next pass, the first one first
    pass();
    target.killTimer(first);
    QCOMPARE(target.fired, std::vector<int>{first});
}

void tst_EpollEventDispatcher::reusedTimerIdDoesNotFireInThePassThatKilledIt()
{
    TimerTarget target;
    const int first = target.startTimer(5, Qt::PreciseTimer);
    const int second = target.startTimer(5, Qt::PreciseTimer);
    int replacement = 0;
    target.onFire = [&](int id) {
        if (id == first && !replacement) {
            target.killTimer(second);
            replacement = target.startTimer(0); // Qt hands out the freed id again
        }
    };
    QThread::msleep(20);
    pass();
    QCOMPARE(target.fired, std::vector<int>{first});
    QCOMPARE(replacement, second); // so the pass had a due entry under that id
    pass(); // the replacement fires from the next pass on
    QCOMPARE(target.fired.back(), replacement);
    target.killTimer(first);
    target.killTimer(replacement);
}

void tst_EpollEventDispatcher::remainingTimeAndRegisteredTimers()
{
    TimerTarget target;
    const int id = target.startTimer(1000, Qt::PreciseTimer);
    const int left = dispatcher()->remainingTime(id);
    QVERIFY2(left > 900 && left <= 1000, qPrintable(QString::number(left)));
    const QList<QAbstractEventDispatcher::TimerInfo> timers = dispatcher()->registeredTimers(&target);
    QCOMPARE(timers.size(), 1);
    QCOMPARE(timers.front().timerId, id);
    QCOMPARE(timers.front().interval, 1000);
    QCOMPARE(timers.front().timerType, Qt::PreciseTimer);
    target.killTimer(id);
    QCOMPARE(dispatcher()->remainingTime(id), -1);
    QVERIFY(dispatcher()->registeredTimers(&target).isEmpty());
    QVERIFY(!dispatcher()->unregisterTimer(id));
}

void tst_EpollEventDispatcher::veryCoarseTimersRoundToSeconds()
{
    TimerTarget target;
    const int id = target.startTimer(1400, Qt::VeryCoarseTimer);
    QCOMPARE(dispatcher()->registeredTimers(&target).front().interval, 1000);
    target.killTimer(id);
}

void tst_EpollEventDispatcher::deletedObjectTakesItsTimers()
{
    auto *target = new TimerTarget;
    const int first = target->startTimer(1);
    const int second = target->startTimer(2);
    QCOMPARE(dispatcher()->registeredTimers(target).size(), 2);
    delete target;
    QCOMPARE(dispatcher()->remainingTime(first), -1);
    QCOMPARE(dispatcher()->remainingTime(second), -1);
    QThread::msleep(5);
    pass(); // nothing left to deliver to the deleted object
}

void tst_EpollEventDispatcher::readNotifierIsLevelTriggered()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fd[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] { ++activations; });
    pass();
    QCOMPARE(activations, 0);
    pair.send(1, "ping");
    pass();
    QCOMPARE(activations, 1);
    pass(); // not read yet: ready again
    QCOMPARE(activations, 2);
    char buffer[16];
    QCOMPARE(::read(pair.fd[0], buffer, sizeof buffer), ssize_t(4));
    pass();
    QCOMPARE(activations, 2);
}

void tst_EpollEventDispatcher::writeNotifierAndDisabling()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fd[0], QSocketNotifier::Write);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] { ++activations; });
    pass();
    QCOMPARE(activations, 1);
    notifier.setEnabled(false);
    pass();
    QCOMPARE(activations, 1);
    notifier.setEnabled(true);
    pass();
    QCOMPARE(activations, 2);
    // A read notifier on the same descriptor stays independent of the write one.
    QSocketNotifier reader(pair.fd[0], QSocketNotifier::Read);
    int reads = 0;
    connect(&reader, &QSocketNotifier::activated, this, [&] { ++reads; });
    notifier.setEnabled(false);
    pair.send(1, "x");
    pass();
    QCOMPARE(reads, 1);
    QCOMPARE(activations, 2);
}

void tst_EpollEventDispatcher::notifierDeletedByAnotherInOnePass()
{
    SocketPair a, b;
    auto *first = new QSocketNotifier(a.fd[0], QSocketNotifier::Read);
    auto *second = new QSocketNotifier(b.fd[0], QSocketNotifier::Read);
    QPointer<QSocketNotifier> guardFirst(first), guardSecond(second);
    int activations = 0;
    // Whichever the pass activates first deletes the other.
    connect(first, &QSocketNotifier::activated, this, [&] { ++activations; delete guardSecond.data(); });
    connect(second, &QSocketNotifier::activated, this, [&] { ++activations; delete guardFirst.data(); });
    a.send(1, "1");
    b.send(1, "2");
    pass();
    QCOMPARE(activations, 1);
    delete guardFirst.data();
    delete guardSecond.data();
}

void tst_EpollEventDispatcher::hangUpWakesTheReader()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fd[0], QSocketNotifier::Read);
    ssize_t got = -2;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        char buffer[8];
        got = ::read(pair.fd[0], buffer, sizeof buffer);
        notifier.setEnabled(false);
    });
    pair.closeEnd(1);
    pass();
    QCOMPARE(got, ssize_t(0));
}

void tst_EpollEventDispatcher::descriptorNumberReused()
{
    auto first = std::make_unique<SocketPair>();
    const int number = first->fd[0];
    {
        QSocketNotifier notifier(number, QSocketNotifier::Read);
        first->send(1, "a");
        pass();
    }
    first.reset();
    // The kernel hands out the lowest free numbers again.
    SocketPair second;
    QCOMPARE(second.fd[0], number);
    QSocketNotifier notifier(second.fd[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] { ++activations; });
    pass();
    QCOMPARE(activations, 0);
    second.send(1, "b");
    pass();
    QCOMPARE(activations, 1);
}

void tst_EpollEventDispatcher::regularFileIsAlwaysReady()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    QSocketNotifier notifier(file.handle(), QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] { ++activations; });
    pass();
    pass();
    QCOMPARE(activations, 2);
    notifier.setEnabled(false);
    pass();
    QCOMPARE(activations, 2);
}

void tst_EpollEventDispatcher::excludeSocketNotifiersLeavesThemPending()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fd[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] { ++activations; });
    pair.send(1, "x");
    QCoreApplication::processEvents(QEventLoop::ExcludeSocketNotifiers);
    QCOMPARE(activations, 0);
    pass();
    QCOMPARE(activations, 1);
}

void tst_EpollEventDispatcher::otherThreadPostsWakeAndQuit()
{
    QThread thread;
    thread.setEventDispatcher(new EpollEventDispatcher);
    QObject worker;
    worker.moveToThread(&thread);
    thread.start();
    // No timers and no sockets on that thread: it sleeps in epoll_wait until woken.
    for (int i = 0; i < 3; ++i) {
        QThread::msleep(20);
        Qt::HANDLE ranOn = nullptr;
        bool isEpoll = false;
        QMetaObject::invokeMethod(&worker, [&] {
            ranOn = QThread::currentThreadId();
            isEpoll = dispatcher() != nullptr;
        }, Qt::BlockingQueuedConnection);
        QVERIFY(ranOn && ranOn != QThread::currentThreadId());
        QVERIFY(isEpoll);
    }
    // A timer on that thread, started from it.
    std::atomic<int> ticks{0};
    QMetaObject::invokeMethod(&worker, [&] {
        auto *timer = new QTimer(&worker);
        connect(timer, &QTimer::timeout, timer, [&] { ++ticks; });
        timer->start(5);
    });
    QTRY_VERIFY(ticks.load() >= 3);
    QMetaObject::invokeMethod(&worker, [&] { qDeleteAll(worker.children()); }, Qt::BlockingQueuedConnection);
    thread.quit();
    QVERIFY(thread.wait(5000));
}

void tst_EpollEventDispatcher::deleteLaterRunsOnTheLoop()
{
    QPointer<QObject> object(new QObject);
    object->deleteLater();
    QTRY_VERIFY(object.isNull());
}

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    tst_EpollEventDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolleventdispatcher.moc"
