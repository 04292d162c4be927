#pragma once

#include "base/result.h"
#include "broker/queueconsumer.h"

#include <QList>
#include <QStringList>

#include <map>
#include <memory>

namespace Conflux::Model {
class Project;
}

namespace Conflux::Broker {

class MessageBroker;

// The project's Consumer documents, running. A consumer whose handler is a webhook POSTs
// each message to its URL (the message as JSON, as the admin API's receive answers it,
// with X-Conflux-Message-Id, -Queue, -Consumer and -Delivery-Count headers) and settles
// it by the answer:
//   2xx                      ack
//   408, 429, 5xx, no answer retry, after 1 s × 2^(delivery count − 1), at most 5 min
//                            (a 429's or 503's Retry-After when it says longer)
//   other 4xx                reject: the receiver refuses the message; dead-lettered
// A consumer whose handler is a workflow or a sync job is listed in `waiting()`: the
// engines that execute those run it.
// One Consumer document of the active project, as the admin API lists it.
struct ConsumerStatus
{
    QString id, queue, group;
    QString handler;                 // webhook, workflow, sync_job
    QString target;                  // the URL, workflow or sync job
    bool running = false;            // false: waiting for the engine of its handler
    ConsumerStats stats;
};

class ProjectConsumers
{
public:
    struct Options
    {
        qint64 pollWaitMs = 500;     // how soon a replaced project's consumers stop
        qint64 maxRetryDelayMs = 5 * 60 * 1000;
    };

    // Starts every webhook consumer of `project`; one that cannot start (its queue is
    // missing on the broker) is described in `problems` while the others run.
    static std::unique_ptr<ProjectConsumers> start(const Model::Project &project, MessageBroker &broker,
                                                   Options options, QStringList *problems = nullptr);
    ~ProjectConsumers(); // stops them all

    QStringList running() const;
    QStringList waiting() const;
    std::map<QString, ConsumerStats> stats() const;
    // Every Consumer document, in the project's order.
    QList<ConsumerStatus> status() const;

private:
    ProjectConsumers() = default;

    std::map<QString, std::unique_ptr<QueueConsumer>> m_consumers;
    QStringList m_waiting;
    QList<ConsumerStatus> m_documents; // stats filled in by status()
};

} // namespace Conflux::Broker
