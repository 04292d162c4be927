#pragma once

// The queues of the kill -9 tests, shared by broker_crash_child (which is killed) and
// tst_brokercrash (which checks the database it leaves behind); both must declare the same.

#include "broker/message.h"

#include <QList>

namespace Conflux::Broker::CrashTest {

inline constexpr int poisonMaxDeliveries = 3;
inline constexpr int fifoGroups = 4;

inline QueueConfig crashQueue(const char *name, QueueType type, DeliveryMode mode = DeliveryMode::AtLeastOnce)
{
    QueueConfig c;
    c.name = QString::fromLatin1(name);
    c.type = type;
    c.deliveryMode = mode;
    // Leases end by the kill, never on their own while the child runs.
    c.visibilityTimeoutMs = 60000;
    c.maxDeliveryAttempts = 1000;
    return c;
}

// "mixed": at-least-once, exactly-once, FIFO (groups g0..g3) and delayed traffic at once.
inline QList<QueueConfig> mixedQueues()
{
    return {crashQueue("alo", QueueType::Standard), crashQueue("eo", QueueType::Standard, DeliveryMode::ExactlyOnce),
            crashQueue("fifo", QueueType::Fifo), crashQueue("delayed", QueueType::Delayed)};
}

// "poison": messages whose consumer dies holding the lease, every time.
inline QList<QueueConfig> poisonQueues()
{
    QueueConfig poison = crashQueue("poison", QueueType::Standard);
    poison.maxDeliveryAttempts = poisonMaxDeliveries;
    poison.deadLetterQueue = QStringLiteral("poison-dlq");
    return {crashQueue("poison-dlq", QueueType::DeadLetter), poison};
}

} // namespace Conflux::Broker::CrashTest
