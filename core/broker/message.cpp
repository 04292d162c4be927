#include "broker/message.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QRandomGenerator>
#include <QUuid>

#include <array>
#include <cmath>
#include <random>

using namespace Qt::StringLiterals;

namespace Conflux::Broker {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Broker)
};

template<typename Enum, size_t N>
std::optional<Enum> fromName(QStringView name, const std::array<QLatin1StringView, N> &names)
{
    for (size_t i = 0; i < N; ++i) {
        if (name.compare(names[i], Qt::CaseInsensitive) == 0)
            return Enum(i);
    }
    return std::nullopt;
}

constexpr std::array priorityNames{"LOW"_L1, "NORMAL"_L1, "HIGH"_L1, "CRITICAL"_L1};
constexpr std::array modeNames{"at_most_once"_L1, "at_least_once"_L1, "exactly_once"_L1};
constexpr std::array typeNames{"standard"_L1, "fifo"_L1, "priority"_L1, "delayed"_L1, "dead_letter"_L1};
constexpr std::array overflowNames{"reject_new"_L1, "drop_oldest"_L1};
constexpr std::array reasonNames{""_L1, "max_retries_exceeded"_L1, "expired"_L1, "rejected"_L1,
                                 "routing_failed"_L1, "overflow"_L1};

Data::Value isoTime(qint64 ms)
{
    if (ms <= 0)
        return {};
    return Data::Value(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs));
}

Error invalid(const QString &field, const QString &what)
{
    return makeError("broker_invalid_message", Tr::tr("invalid message: %1").arg(what), {u"/"_s + field});
}

Result<QString> optionalString(const Data::Object &object, QStringView key)
{
    const Data::Value *v = object.find(key);
    if (!v || v->isNull() || v->isUndefined())
        return QString();
    if (!v->isString())
        return invalid(key.toString(), Tr::tr("\"%1\" must be a string, not %2").arg(key, QLatin1StringView(v->typeName())));
    return v->toString();
}

} // namespace

QString newMessageId()
{
    thread_local std::mt19937_64 generator(QRandomGenerator::system()->generate64());
    std::array<quint64, 2> words{generator(), generator()};
    QByteArray bytes(reinterpret_cast<const char *>(words.data()), 16);
    bytes[6] = char((bytes[6] & 0x0f) | 0x40); // version 4
    bytes[8] = char((bytes[8] & 0x3f) | 0x80); // RFC 4122 variant
    return QUuid::fromRfc4122(bytes).toString(QUuid::WithoutBraces);
}

QString priorityName(Priority p) { return priorityNames[size_t(p)]; }
std::optional<Priority> priorityFromName(QStringView name) { return fromName<Priority>(name, priorityNames); }
QString deliveryModeName(DeliveryMode m) { return modeNames[size_t(m)]; }
std::optional<DeliveryMode> deliveryModeFromName(QStringView name) { return fromName<DeliveryMode>(name, modeNames); }
QString queueTypeName(QueueType t) { return typeNames[size_t(t)]; }
std::optional<QueueType> queueTypeFromName(QStringView name) { return fromName<QueueType>(name, typeNames); }
QString overflowPolicyName(OverflowPolicy p) { return overflowNames[size_t(p)]; }
std::optional<OverflowPolicy> overflowPolicyFromName(QStringView name) { return fromName<OverflowPolicy>(name, overflowNames); }
QString deadLetterReasonName(DeadLetterReason r) { return reasonNames[size_t(r)]; }
std::optional<DeadLetterReason> deadLetterReasonFromName(QStringView name)
{
    if (name.isEmpty())
        return std::nullopt;
    return fromName<DeadLetterReason>(name, reasonNames);
}

Data::Value Message::toValue() const
{
    Data::Object o;
    o.reserve(18);
    o.append(u"message_id"_s, messageId);
    o.append(u"topic"_s, topic);
    o.append(u"payload"_s, payload);
    o.append(u"headers"_s, headers);
    o.append(u"priority"_s, priorityName(priority));
    if (deliveryMode)
        o.append(u"delivery_mode"_s, deliveryModeName(*deliveryMode));
    if (!correlationId.isEmpty())
        o.append(u"correlation_id"_s, correlationId);
    if (!groupId.isEmpty())
        o.append(u"group_id"_s, groupId);
    if (deliverAtMs > 0)
        o.append(u"deliver_at"_s, isoTime(deliverAtMs));
    if (ttlMs > 0)
        o.append(u"ttl"_s, double(ttlMs) / 1000.0);
    if (!queue.isEmpty())
        o.append(u"queue"_s, queue);
    if (enqueuedAtMs > 0)
        o.append(u"enqueued_at"_s, isoTime(enqueuedAtMs));
    if (expiresAtMs > 0)
        o.append(u"expires_at"_s, isoTime(expiresAtMs));
    o.append(u"delivery_count"_s, deliveryCount);
    if (dlqReason != DeadLetterReason::None) {
        o.append(u"dlq_reason"_s, deadLetterReasonName(dlqReason));
        o.append(u"original_queue"_s, originalQueue);
        o.append(u"original_topic"_s, originalTopic);
    }
    return Data::Value(std::move(o));
}

Result<Message> Message::fromValue(const Data::Value &value, qint64 nowMs)
{
    if (!value.isObject())
        return invalid(QString(), Tr::tr("the message must be a JSON object, not %1").arg(QLatin1StringView(value.typeName())));
    const Data::Object &o = value.toObject();
    static const QStringList known{u"message_id"_s, u"topic"_s, u"payload"_s, u"headers"_s,
                                   u"priority"_s, u"delivery_mode"_s, u"correlation_id"_s,
                                   u"group_id"_s, u"delay_seconds"_s, u"deliver_at"_s, u"ttl"_s};
    for (const auto &[key, v] : o) {
        if (!known.contains(key))
            return invalid(key, Tr::tr("unknown field \"%1\" (known: %2)").arg(key, known.join(u", "_s)));
    }
    Message m;
    const Data::Value *payload = o.find(u"payload");
    if (!payload)
        return invalid(u"payload"_s, Tr::tr("\"payload\" is missing"));
    m.payload = *payload;
    for (auto [key, target] : {std::pair{u"message_id"_s, &m.messageId}, {u"topic"_s, &m.topic},
                               {u"correlation_id"_s, &m.correlationId}, {u"group_id"_s, &m.groupId}}) {
        auto s = optionalString(o, key);
        if (!s)
            return s.error();
        *target = *s;
    }
    if (m.messageId.size() > 256)
        return invalid(u"message_id"_s, Tr::tr("\"message_id\" is longer than 256 characters"));
    if (const Data::Value *h = o.find(u"headers"); h && !h->isNull()) {
        if (!h->isObject())
            return invalid(u"headers"_s, Tr::tr("\"headers\" must be an object"));
        m.headers = h->toObject();
    }
    if (const Data::Value *p = o.find(u"priority"); p && !p->isNull()) {
        const auto priority = p->isString() ? priorityFromName(p->toString()) : std::nullopt;
        if (!priority)
            return invalid(u"priority"_s, Tr::tr("\"priority\" must be LOW, NORMAL, HIGH or CRITICAL"));
        m.priority = *priority;
    }
    if (const Data::Value *d = o.find(u"delivery_mode"); d && !d->isNull()) {
        const auto mode = d->isString() ? deliveryModeFromName(d->toString()) : std::nullopt;
        if (!mode)
            return invalid(u"delivery_mode"_s, Tr::tr("\"delivery_mode\" must be at_most_once, at_least_once or exactly_once"));
        m.deliveryMode = mode;
    }
    const Data::Value *delay = o.find(u"delay_seconds");
    const Data::Value *at = o.find(u"deliver_at");
    if (delay && at)
        return invalid(u"delay_seconds"_s, Tr::tr("give either \"delay_seconds\" or \"deliver_at\", not both"));
    if (delay) {
        if (!delay->isNumber() || delay->toDouble() < 0 || !std::isfinite(delay->toDouble()))
            return invalid(u"delay_seconds"_s, Tr::tr("\"delay_seconds\" must be a number of seconds, 0 or more"));
        if (delay->toDouble() > 0)
            m.deliverAtMs = nowMs + qint64(std::llround(delay->toDouble() * 1000.0));
    }
    if (at) {
        if (at->isNumber()) {
            m.deliverAtMs = qint64(at->toDouble());
        } else {
            const QDateTime t = at->isString() ? QDateTime::fromString(at->toString(), Qt::ISODateWithMs) : QDateTime();
            if (!t.isValid())
                return invalid(u"deliver_at"_s, Tr::tr("\"deliver_at\" must be an ISO 8601 time or epoch milliseconds"));
            m.deliverAtMs = t.toMSecsSinceEpoch();
        }
    }
    if (const Data::Value *ttl = o.find(u"ttl"); ttl && !ttl->isNull()) {
        if (!ttl->isNumber() || ttl->toDouble() <= 0 || !std::isfinite(ttl->toDouble()))
            return invalid(u"ttl"_s, Tr::tr("\"ttl\" must be a positive number of seconds"));
        m.ttlMs = qint64(std::llround(ttl->toDouble() * 1000.0));
    }
    return m;
}

} // namespace Conflux::Broker
