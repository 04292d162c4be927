#include "epolleventdispatcher.h"

#include "log.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>
#include <ctime>
#include <vector>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Conflux {

namespace {

constexpr char kCategory[] = "conflux.eventloop";

qint64 nowNs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr qint64 nsPerMs = 1'000'000;

const char *typeName(QSocketNotifier::Type type)
{
    switch (type) {
    case QSocketNotifier::Read: return "read";
    case QSocketNotifier::Write: return "write";
    case QSocketNotifier::Exception: return "exception";
    }
    return "?";
}

} // namespace

struct EpollEventDispatcher::Private
{
    struct Timer
    {
        QObject *object = nullptr;
        qint64 intervalMs = 0;
        qint64 deadline = 0;    // nowNs() clock
        quint32 generation = 0; // counts registrations of this id, to tell a reused id apart
        int heapIndex = -1;     // -1: not registered
        Qt::TimerType type = Qt::CoarseTimer;
        bool delivering = false;
    };
    struct Due
    {
        int id;
        quint32 generation;
    };
    // What one descriptor has registered: a notifier per type and the mask epoll holds.
    struct Watch
    {
        std::array<QSocketNotifier *, 3> notifiers{};
        quint32 mask = 0;     // events epoll has for this descriptor; 0: not in epoll
        bool always = false;  // epoll refused it (a regular file): ready on every pass
    };

    int epoll = -1;
    int wake = -1;            // eventfd
    std::atomic<int> wakeUps{0};
    std::atomic<bool> interrupted{false};

    std::vector<Timer> timers;   // by timer id
    std::vector<int> heap;       // timer ids, earliest deadline first
    std::vector<Watch> watches;  // by descriptor
    std::vector<int> alwaysReady;
    std::array<epoll_event, 256> events{};
    // The notifiers of the passes under way (one per nesting level) that are still to be
    // activated; unregistering a notifier clears it from these.
    std::vector<std::vector<QSocketNotifier *> *> pendingLists;
    std::vector<QSocketNotifier *> pending; // the outermost pass's list, kept for its capacity

    // Heap of timer ids ordered by deadline, each timer knowing its index.
    bool earlier(int a, int b) const { return timers[size_t(a)].deadline < timers[size_t(b)].deadline; }
    void place(size_t index, int id)
    {
        heap[index] = id;
        timers[size_t(id)].heapIndex = int(index);
    }
    void siftUp(size_t index)
    {
        const int id = heap[index];
        while (index > 0) {
            const size_t parent = (index - 1) / 2;
            if (!earlier(id, heap[parent]))
                break;
            place(index, heap[parent]);
            index = parent;
        }
        place(index, id);
    }
    void siftDown(size_t index)
    {
        const int id = heap[index];
        const size_t size = heap.size();
        for (;;) {
            size_t child = 2 * index + 1;
            if (child >= size)
                break;
            if (child + 1 < size && earlier(heap[child + 1], heap[child]))
                ++child;
            if (!earlier(heap[child], id))
                break;
            place(index, heap[child]);
            index = child;
        }
        place(index, id);
    }
    void heapPush(int id)
    {
        heap.push_back(id);
        siftUp(heap.size() - 1);
    }
    void heapRemove(int id)
    {
        const size_t index = size_t(timers[size_t(id)].heapIndex);
        timers[size_t(id)].heapIndex = -1;
        const int last = heap.back();
        heap.pop_back();
        if (index == heap.size())
            return;
        place(index, last);
        siftDown(index);
        siftUp(size_t(timers[size_t(last)].heapIndex));
    }

    Timer *registered(int id)
    {
        if (id <= 0 || size_t(id) >= timers.size() || timers[size_t(id)].heapIndex < 0)
            return nullptr;
        return &timers[size_t(id)];
    }

    void removeTimer(int id)
    {
        heapRemove(id);
        timers[size_t(id)].object = nullptr;
    }

    // The next deadline of a repeating timer that fired at `now`: its period from the last
    // deadline, or from now when it has fallen behind.
    static qint64 nextDeadline(const Timer &timer, qint64 now)
    {
        const qint64 interval = timer.intervalMs * nsPerMs;
        const qint64 next = timer.deadline + interval;
        return next > now ? next : now + interval;
    }

    // Milliseconds until the first timer is due (rounded up, so that a wake never comes
    // early), or -1 when there is none.
    int timerWaitMs(qint64 now) const
    {
        if (heap.empty())
            return -1;
        const qint64 left = timers[size_t(heap.front())].deadline - now;
        if (left <= 0)
            return 0;
        return int(std::min<qint64>((left + nsPerMs - 1) / nsPerMs, std::numeric_limits<int>::max()));
    }

    int activateTimers()
    {
        if (heap.empty())
            return 0;
        const qint64 now = nowNs();
        if (timers[size_t(heap.front())].deadline > now)
            return 0;
        // Take every due timer out first and put it back with its next deadline, so that a
        // zero-interval timer fires once per pass, not forever.
        std::vector<Due> due;
        while (!heap.empty() && timers[size_t(heap.front())].deadline <= now) {
            const int id = heap.front();
            heapRemove(id);
            due.push_back({id, timers[size_t(id)].generation});
        }
        for (const Due &entry : due) {
            Timer &timer = timers[size_t(entry.id)];
            timer.deadline = nextDeadline(timer, now);
            heapPush(entry.id);
        }
        int fired = 0;
        for (const Due &entry : due) {
            Timer *timer = registered(entry.id);
            // Killed, or killed and its id given to a new timer, by an earlier one in this
            // pass; or still in its own handler, in a nested event loop.
            if (!timer || timer->generation != entry.generation || timer->delivering)
                continue;
            timer->delivering = true;
            QTimerEvent event(entry.id);
            QCoreApplication::sendEvent(timer->object, &event);
            // The handler may have registered timers and grown the vector: look it up again.
            if (Timer *after = registered(entry.id); after && after->generation == entry.generation)
                after->delivering = false;
            ++fired;
        }
        return fired;
    }

    void updateWatch(int fd)
    {
        Watch &watch = watches[size_t(fd)];
        quint32 mask = 0;
        if (watch.notifiers[QSocketNotifier::Read])
            mask |= EPOLLIN | EPOLLRDHUP;
        if (watch.notifiers[QSocketNotifier::Write])
            mask |= EPOLLOUT;
        if (watch.notifiers[QSocketNotifier::Exception])
            mask |= EPOLLPRI;
        if (watch.always) {
            if (mask == 0) {
                watch.always = false;
                alwaysReady.erase(std::find(alwaysReady.begin(), alwaysReady.end(), fd));
            }
            return;
        }
        if (mask == watch.mask)
            return;
        if (mask == 0) {
            // A closed descriptor has already left epoll: ENOENT and EBADF are expected.
            ::epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nullptr);
            watch.mask = 0;
            return;
        }
        epoll_event event{};
        event.events = mask;
        event.data.fd = fd;
        int op = watch.mask == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        int rc = ::epoll_ctl(epoll, op, fd, &event);
        // The descriptor was closed and its number reused behind our back (it left epoll
        // with its close), or is still in epoll under a notifier deleted without unregistering.
        if (rc != 0 && errno == ENOENT && op == EPOLL_CTL_MOD)
            rc = ::epoll_ctl(epoll, op = EPOLL_CTL_ADD, fd, &event);
        else if (rc != 0 && errno == EEXIST && op == EPOLL_CTL_ADD)
            rc = ::epoll_ctl(epoll, op = EPOLL_CTL_MOD, fd, &event);
        if (rc == 0) {
            watch.mask = mask;
        } else if (errno == EPERM) {
            // Regular files and directories are always ready, as poll() reports them.
            watch.always = true;
            watch.mask = 0;
            alwaysReady.push_back(fd);
        } else {
            Log::write(QtWarningMsg, kCategory, QStringLiteral("epoll_ctl failed"),
                       {{u"descriptor"_s, fd}, {u"error"_s, QString::fromLocal8Bit(std::strerror(errno))}});
        }
    }

    void collect(std::vector<QSocketNotifier *> &out, int fd, quint32 revents)
    {
        if (fd < 0 || size_t(fd) >= watches.size())
            return;
        const Watch &watch = watches[size_t(fd)];
        // Errors and hang-ups wake every notifier: the read or write that follows reports them.
        const bool failed = revents & (EPOLLERR | EPOLLHUP);
        if (QSocketNotifier *n = watch.notifiers[QSocketNotifier::Read]; n && (failed || (revents & (EPOLLIN | EPOLLRDHUP))))
            out.push_back(n);
        if (QSocketNotifier *n = watch.notifiers[QSocketNotifier::Write]; n && (failed || (revents & EPOLLOUT)))
            out.push_back(n);
        if (QSocketNotifier *n = watch.notifiers[QSocketNotifier::Exception]; n && (revents & EPOLLPRI))
            out.push_back(n);
    }

    void drainWake()
    {
        quint64 count = 0;
        while (::read(wake, &count, sizeof count) < 0 && errno == EINTR) {
        }
        wakeUps.store(0, std::memory_order_release);
    }
};

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , d(std::make_unique<Private>())
{
    d->epoll = ::epoll_create1(EPOLL_CLOEXEC);
    d->wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (d->epoll < 0 || d->wake < 0)
        qFatal("EpollEventDispatcher: cannot create an epoll or eventfd descriptor: %s", std::strerror(errno));
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = d->wake;
    if (::epoll_ctl(d->epoll, EPOLL_CTL_ADD, d->wake, &event) != 0)
        qFatal("EpollEventDispatcher: cannot watch its eventfd: %s", std::strerror(errno));
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(d->wake);
    ::close(d->epoll);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    d->interrupted.store(false, std::memory_order_relaxed);
    emit awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool mayWait = (flags & QEventLoop::WaitForMoreEvents)
                         && !d->interrupted.load(std::memory_order_relaxed)
                         && (d->alwaysReady.empty() || !includeNotifiers);
    if (mayWait)
        emit aboutToBlock();
    if (d->interrupted.load(std::memory_order_relaxed))
        return false;

    int timeout = 0;
    if (mayWait)
        timeout = includeTimers ? d->timerWaitMs(nowNs()) : -1;
    int count = ::epoll_wait(d->epoll, d->events.data(), int(d->events.size()), timeout);
    if (count < 0) {
        if (errno != EINTR)
            Log::write(QtWarningMsg, kCategory, QStringLiteral("epoll_wait failed"),
                       {{u"error"_s, QString::fromLocal8Bit(std::strerror(errno))}});
        count = 0;
    }

    int handled = 0;
    // A nested pass (an event loop run from a handler) gets its own list.
    std::vector<QSocketNotifier *> nested;
    std::vector<QSocketNotifier *> &pending = d->pendingLists.empty() ? d->pending : nested;
    pending.clear();
    for (int i = 0; i < count; ++i) {
        const epoll_event &event = d->events[size_t(i)];
        if (event.data.fd == d->wake) {
            d->drainWake();
            ++handled;
        } else if (includeNotifiers) {
            d->collect(pending, event.data.fd, event.events);
        }
    }
    if (includeNotifiers) {
        for (const int fd : d->alwaysReady)
            d->collect(pending, fd, EPOLLIN | EPOLLOUT);
    }
    if (!pending.empty()) {
        d->pendingLists.push_back(&pending);
        for (QSocketNotifier *&slot : pending) {
            QSocketNotifier *notifier = std::exchange(slot, nullptr);
            if (!notifier)
                continue; // unregistered by an earlier one in this pass
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &event);
            ++handled;
        }
        d->pendingLists.pop_back();
        pending.clear();
    }
    if (includeTimers)
        handled += d->activateTimers();
    return handled > 0;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    if (fd < 0)
        return;
    if (size_t(fd) >= d->watches.size())
        d->watches.resize(std::max(size_t(fd) + 1, d->watches.size() * 2));
    QSocketNotifier *&slot = d->watches[size_t(fd)].notifiers[notifier->type()];
    if (slot && slot != notifier) {
        Log::write(QtWarningMsg, kCategory, QStringLiteral("two socket notifiers of one type on one descriptor; the later one wins"),
                   {{u"descriptor"_s, fd}, {u"type"_s, QLatin1StringView(typeName(notifier->type()))}});
    }
    slot = notifier;
    d->updateWatch(fd);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    for (std::vector<QSocketNotifier *> *list : d->pendingLists)
        std::replace(list->begin(), list->end(), notifier, static_cast<QSocketNotifier *>(nullptr));
    const int fd = int(notifier->socket());
    if (fd < 0 || size_t(fd) >= d->watches.size())
        return;
    QSocketNotifier *&slot = d->watches[size_t(fd)].notifiers[notifier->type()];
    if (slot != notifier)
        return;
    slot = nullptr;
    d->updateWatch(fd);
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (timerId <= 0 || interval < 0 || !object)
        return;
    if (size_t(timerId) >= d->timers.size())
        d->timers.resize(std::max(size_t(timerId) + 1, d->timers.size() * 2));
    if (d->timers[size_t(timerId)].heapIndex >= 0)
        d->removeTimer(timerId);
    Private::Timer &timer = d->timers[size_t(timerId)];
    if (timerType == Qt::VeryCoarseTimer)
        interval = (interval + 500) / 1000 * 1000;
    timer.object = object;
    timer.intervalMs = interval;
    timer.type = timerType;
    timer.deadline = nowNs() + interval * nsPerMs;
    timer.delivering = false;
    ++timer.generation;
    d->heapPush(timerId);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    if (!d->registered(timerId))
        return false;
    d->removeTimer(timerId);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (size_t id = 1; id < d->timers.size(); ++id) {
        if (d->timers[id].heapIndex >= 0 && d->timers[id].object == object) {
            d->removeTimer(int(id));
            any = true;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> list;
    for (size_t id = 1; id < d->timers.size(); ++id) {
        const Private::Timer &timer = d->timers[id];
        if (timer.heapIndex >= 0 && timer.object == object)
            list.emplace_back(int(id), int(timer.intervalMs), timer.type);
    }
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const Private::Timer *timer = d->registered(timerId);
    if (!timer)
        return -1;
    const qint64 left = timer->deadline - nowNs();
    return left <= 0 ? 0 : int((left + nsPerMs - 1) / nsPerMs);
}

void EpollEventDispatcher::wakeUp()
{
    int expected = 0;
    if (!d->wakeUps.compare_exchange_strong(expected, 1, std::memory_order_acq_rel))
        return; // a wake is already on its way
    const quint64 one = 1;
    while (::write(d->wake, &one, sizeof one) < 0 && errno == EINTR) {
    }
}

void EpollEventDispatcher::interrupt()
{
    d->interrupted.store(true, std::memory_order_relaxed);
    wakeUp();
}

} // namespace Conflux
