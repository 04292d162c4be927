#include "broker/projectqueues.h"

#include "broker/messagebroker.h"
#include "model/project.h"

#include <QCoreApplication>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Broker {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Broker)
};

qint64 millis(double seconds)
{
    return qint64(std::llround(seconds * 1000.0));
}

} // namespace

Result<QueueConfig> queueConfig(const Model::Queue &queue)
{
    const Model::Document &doc = queue.document;
    auto invalid = [&](const char *field, const QString &what) {
        return makeError("broker_invalid_queue", Tr::tr("%1: %2").arg(doc.file, what),
                         {doc.file + u"#/"_s + QLatin1StringView(field)});
    };
    QueueConfig c;
    c.name = doc.id;
    const auto type = queueTypeFromName(queue.queueType);
    if (!type)
        return invalid("queue_type", Tr::tr("unknown queue_type \"%1\"").arg(queue.queueType));
    c.type = *type;
    const auto mode = deliveryModeFromName(queue.deliveryMode);
    if (!mode)
        return invalid("delivery_mode", Tr::tr("unknown delivery_mode \"%1\"").arg(queue.deliveryMode));
    c.deliveryMode = *mode;
    const auto overflow = overflowPolicyFromName(queue.overflowPolicy);
    if (!overflow)
        return invalid("overflow_policy", Tr::tr("unknown overflow_policy \"%1\"").arg(queue.overflowPolicy));
    c.overflow = *overflow;
    c.topics = queue.topics;
    c.maxSize = queue.maxSize;
    c.ttlMs = millis(queue.ttlSeconds);
    c.deadLetterQueue = queue.deadLetterQueue;
    c.maxDeliveryAttempts = queue.maxDeliveryAttempts;
    const QJsonObject &json = doc.json;
    if (const QJsonValue v = json.value(u"visibility_timeout_seconds"_s); v.isDouble())
        c.visibilityTimeoutMs = std::max<qint64>(1, millis(v.toDouble()));
    if (const QJsonValue v = json.value(u"dedup_window_seconds"_s); v.isDouble())
        c.dedupWindowMs = millis(v.toDouble());
    return c;
}

Result<void> declareProjectQueues(MessageBroker &broker, const Model::Project &project)
{
    QList<QueueConfig> configs;
    QStringList problems;
    for (const Model::Queue &queue : project.queues) {
        auto config = queueConfig(queue);
        if (!config) {
            problems.append(config.error().message);
            continue;
        }
        configs.append(*config);
    }
    // Dead-letter queues first, so that nothing dead-lettered while declaring is parked.
    std::stable_sort(configs.begin(), configs.end(), [](const QueueConfig &a, const QueueConfig &b) {
        return (a.type == QueueType::DeadLetter) > (b.type == QueueType::DeadLetter);
    });
    for (const QueueConfig &config : std::as_const(configs)) {
        if (Result<void> declared = broker.declareQueue(config); !declared)
            problems.append(declared.error().message);
    }
    if (!problems.isEmpty())
        return makeError("broker_invalid_queue", Tr::tr("%n queue(s) could not be declared", nullptr, int(problems.size())),
                         problems);
    return {};
}

} // namespace Conflux::Broker
