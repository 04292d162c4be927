#include "broker/rabbitmqcodec_p.h"

#include "data/json.h"

#include <QCoreApplication>

#include <cmath>
#include <limits>
#include <cstring>

using namespace Qt::StringLiterals;

namespace Conflux::Broker::Internal {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Broker)
};

constexpr int MaxHeaderDepth = 32;
constexpr double ExactIntegerLimit = 9007199254740992.0; // 2^53

Error invalidMessage(const QString &pointer, const QString &what)
{
    return makeError("broker_invalid_message", Tr::tr("invalid message: %1").arg(what), {pointer});
}

QString pointerToken(const QString &key)
{
    QString token = key;
    token.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
    return token;
}

// Header names RabbitMQ gives a meaning (sender-selected distribution, dead-lettering,
// quorum delivery counts) or Conflux uses for its own fields.
bool isReservedHeader(QStringView key)
{
    return key.startsWith(u"x-conflux-") || key == u"x-death" || key == u"x-delivery-count"
        || key.startsWith(u"x-first-death-") || key.startsWith(u"x-last-death-") || key == u"CC"
        || key == u"BCC";
}

qint64 numberOf(const Data::Value &v)
{
    return v.isNumber() ? v.toInt64(qint64(v.toDouble())) : 0;
}

} // namespace

amqp_bytes_t AmqpTableBuilder::keep(QByteArray bytes)
{
    m_bytes.push_back(std::move(bytes));
    // A QByteArray's buffer does not move when the QByteArray object does.
    return amqpBytes(m_bytes.back());
}

void AmqpTableBuilder::addString(const char *key, const QByteArray &value)
{
    amqp_table_entry_t e;
    e.key = amqp_cstring_bytes(key);
    e.value.kind = AMQP_FIELD_KIND_UTF8;
    e.value.value.bytes = keep(value);
    m_entries.push_back(e);
}

void AmqpTableBuilder::addInt(const char *key, qint64 value)
{
    amqp_table_entry_t e;
    e.key = amqp_cstring_bytes(key);
    e.value.kind = AMQP_FIELD_KIND_I64;
    e.value.value.i64 = value;
    m_entries.push_back(e);
}

void AmqpTableBuilder::addBool(const char *key, bool value)
{
    amqp_table_entry_t e;
    e.key = amqp_cstring_bytes(key);
    e.value.kind = AMQP_FIELD_KIND_BOOLEAN;
    e.value.value.boolean = value;
    m_entries.push_back(e);
}

bool AmqpTableBuilder::addValue(const QString &key, const Data::Value &value)
{
    amqp_table_entry_t e;
    if (!convert(value, e.value, 0))
        return false;
    if (value.isUndefined() || value.isFunction())
        return true;
    e.key = keep(key.toUtf8());
    m_entries.push_back(e);
    return true;
}

bool AmqpTableBuilder::convert(const Data::Value &value, amqp_field_value_t &out, int depth)
{
    if (depth > MaxHeaderDepth)
        return false;
    switch (value.type()) {
    case Data::Value::Type::Undefined:
    case Data::Value::Type::Function:
    case Data::Value::Type::Null:
        out.kind = AMQP_FIELD_KIND_VOID;
        return true;
    case Data::Value::Type::Bool:
        out.kind = AMQP_FIELD_KIND_BOOLEAN;
        out.value.boolean = value.toBool();
        return true;
    case Data::Value::Type::Number: {
        const double d = value.toDouble();
        if (value.hasExactText()) {
            constexpr qint64 NoFit = std::numeric_limits<qint64>::min();
            const qint64 exact = value.toInt64(NoFit);
            if (exact != NoFit) {
                out.kind = AMQP_FIELD_KIND_I64;
                out.value.i64 = exact;
            } else { // beyond 64 bits: keep the digits
                out.kind = AMQP_FIELD_KIND_UTF8;
                out.value.bytes = keep(value.exactText().toUtf8());
            }
        } else if (std::trunc(d) == d && std::fabs(d) < ExactIntegerLimit) {
            out.kind = AMQP_FIELD_KIND_I64;
            out.value.i64 = qint64(d);
        } else {
            out.kind = AMQP_FIELD_KIND_F64;
            out.value.f64 = d;
        }
        return true;
    }
    case Data::Value::Type::String:
        out.kind = AMQP_FIELD_KIND_UTF8;
        out.value.bytes = keep(value.toString().toUtf8());
        return true;
    case Data::Value::Type::Array: {
        std::vector<amqp_field_value_t> items(size_t(value.size()));
        for (qsizetype i = 0; i < value.size(); ++i) {
            if (!convert(value.at(i), items[size_t(i)], depth + 1))
                return false;
        }
        out.kind = AMQP_FIELD_KIND_ARRAY;
        out.value.array.num_entries = int(items.size());
        m_arrays.push_back(std::move(items));
        out.value.array.entries = m_arrays.back().data();
        return true;
    }
    case Data::Value::Type::Object: {
        std::vector<amqp_table_entry_t> entries;
        entries.reserve(size_t(value.size()));
        for (const auto &[key, member] : value.toObject()) {
            if (member.isUndefined() || member.isFunction())
                continue;
            amqp_table_entry_t e;
            if (!convert(member, e.value, depth + 1))
                return false;
            e.key = keep(key.toUtf8());
            entries.push_back(e);
        }
        out.kind = AMQP_FIELD_KIND_TABLE;
        out.value.table.num_entries = int(entries.size());
        m_tables.push_back(std::move(entries));
        out.value.table.entries = m_tables.back().data();
        return true;
    }
    }
    return false;
}

amqp_table_t AmqpTableBuilder::table() const
{
    return amqp_table_t{int(m_entries.size()), const_cast<amqp_table_entry_t *>(m_entries.data())};
}

namespace {

Data::Value fieldToValue(const amqp_field_value_t &f, int depth)
{
    switch (f.kind) {
    case AMQP_FIELD_KIND_BOOLEAN: return Data::Value(bool(f.value.boolean));
    case AMQP_FIELD_KIND_I8: return Data::Value(int(f.value.i8));
    case AMQP_FIELD_KIND_U8: return Data::Value(int(f.value.u8));
    case AMQP_FIELD_KIND_I16: return Data::Value(int(f.value.i16));
    case AMQP_FIELD_KIND_U16: return Data::Value(int(f.value.u16));
    case AMQP_FIELD_KIND_I32: return Data::Value(int(f.value.i32));
    case AMQP_FIELD_KIND_U32: return Data::Value(qint64(f.value.u32));
    case AMQP_FIELD_KIND_I64: return Data::Value(qint64(f.value.i64));
    case AMQP_FIELD_KIND_U64:
    case AMQP_FIELD_KIND_TIMESTAMP: return Data::Value(quint64(f.value.u64));
    case AMQP_FIELD_KIND_F32: return Data::Value(double(f.value.f32));
    case AMQP_FIELD_KIND_F64: return Data::Value(f.value.f64);
    case AMQP_FIELD_KIND_DECIMAL:
        return Data::Value(double(f.value.decimal.value) / std::pow(10.0, f.value.decimal.decimals));
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES:
        return Data::Value(QString::fromUtf8(static_cast<const char *>(f.value.bytes.bytes),
                                             qsizetype(f.value.bytes.len)));
    case AMQP_FIELD_KIND_ARRAY: {
        Data::Array items;
        if (depth < MaxHeaderDepth) {
            items.reserve(size_t(f.value.array.num_entries));
            for (int i = 0; i < f.value.array.num_entries; ++i)
                items.push_back(fieldToValue(f.value.array.entries[i], depth + 1));
        }
        return Data::Value(std::move(items));
    }
    case AMQP_FIELD_KIND_TABLE: {
        if (depth >= MaxHeaderDepth)
            return Data::Value(Data::Object());
        return Data::Value(tableToObject(f.value.table));
    }
    case AMQP_FIELD_KIND_VOID:
        return Data::Value(nullptr);
    }
    return Data::Value(nullptr);
}

} // namespace

Data::Object tableToObject(const amqp_table_t &table)
{
    Data::Object object;
    object.reserve(table.num_entries);
    for (int i = 0; i < table.num_entries; ++i) {
        const amqp_table_entry_t &e = table.entries[i];
        object.insert(QString::fromUtf8(static_cast<const char *>(e.key.bytes), qsizetype(e.key.len)),
                      fieldToValue(e.value, 1));
    }
    return object;
}

AmqpMessage takeMessage(const amqp_message_t &message)
{
    AmqpMessage m;
    const amqp_basic_properties_t &p = message.properties;
    m.body = toByteArray(message.body);
    if (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG)
        m.messageId = toByteArray(p.message_id);
    if (p._flags & AMQP_BASIC_CORRELATION_ID_FLAG)
        m.correlationId = toByteArray(p.correlation_id);
    if (p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG)
        m.contentType = toByteArray(p.content_type);
    if (p._flags & AMQP_BASIC_EXPIRATION_FLAG)
        m.expiration = toByteArray(p.expiration);
    if (p._flags & AMQP_BASIC_PRIORITY_FLAG)
        m.priority = p.priority;
    if (p._flags & AMQP_BASIC_TIMESTAMP_FLAG)
        m.timestamp = p.timestamp;
    if (p._flags & AMQP_BASIC_HEADERS_FLAG)
        m.headers = tableToObject(p.headers);
    return m;
}

amqp_basic_properties_t OutgoingMessage::properties() const
{
    amqp_basic_properties_t p;
    std::memset(&p, 0, sizeof p);
    p._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_PRIORITY_FLAG
        | AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TIMESTAMP_FLAG;
    p.content_type = amqp_cstring_bytes("application/json");
    p.delivery_mode = 2; // persistent
    p.priority = priority;
    p.message_id = amqpBytes(messageId);
    p.timestamp = quint64(enqueuedAtMs / 1000);
    if (!correlationId.isEmpty()) {
        p._flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
        p.correlation_id = amqpBytes(correlationId);
    }
    if (!expiration.isEmpty()) {
        p._flags |= AMQP_BASIC_EXPIRATION_FLAG;
        p.expiration = amqpBytes(expiration);
    }
    if (!headers.isEmpty()) {
        p._flags |= AMQP_BASIC_HEADERS_FLAG;
        p.headers = headers.table();
    }
    return p;
}

Result<void> encodeMessage(const Message &message, const EncodeExtras &extras, qint64 maxBytes,
                           OutgoingMessage &out)
{
    if (message.payload.isUndefined() || message.payload.isFunction())
        return invalidMessage(u"/payload"_s, Tr::tr("the payload is missing"));
    out.body = extras.body.isEmpty() ? Data::Json::serialize(message.payload) : extras.body;
    qint64 size = out.body.size();

    out.messageId = message.messageId.toUtf8();
    if (out.messageId.size() > 255)
        return invalidMessage(u"/message_id"_s, Tr::tr("\"message_id\" is longer than 255 bytes"));
    out.correlationId = message.correlationId.toUtf8();
    if (out.correlationId.size() > 255)
        return invalidMessage(u"/correlation_id"_s, Tr::tr("\"correlation_id\" is longer than 255 bytes"));
    out.priority = quint8(message.priority);
    out.enqueuedAtMs = message.enqueuedAtMs;
    if (extras.expirationMs > 0)
        out.expiration = QByteArray::number(extras.expirationMs);

    AmqpTableBuilder &h = out.headers;
    h.reserve(message.headers.size() + 6);
    for (const auto &[key, value] : message.headers) {
        const QString pointer = u"/headers/"_s + pointerToken(key);
        if (isReservedHeader(key))
            return invalidMessage(pointer, Tr::tr("the header name \"%1\" is reserved (x-conflux-*, x-death, "
                                                  "x-delivery-count, x-first-death-*, x-last-death-*, CC, BCC)")
                                               .arg(key));
        if (key.isEmpty() || key.toUtf8().size() > 128)
            return invalidMessage(pointer, Tr::tr("header names must have 1 to 128 bytes"));
        if (!h.addValue(key, value))
            return invalidMessage(pointer, Tr::tr("the header nests deeper than %1 levels").arg(MaxHeaderDepth));
        // Headers are small next to payloads; their JSON text is a fair measure of their size.
        size += key.size() + Data::Json::serialize(value).size();
    }
    if (maxBytes > 0 && size > maxBytes)
        return makeError("broker_message_too_large",
                         Tr::tr("the message has %1 bytes of payload and headers; the limit is %2")
                             .arg(size)
                             .arg(maxBytes));

    if (!message.topic.isEmpty())
        h.addString(AmqpHeader::Topic, message.topic.toUtf8());
    if (!message.groupId.isEmpty())
        h.addString(AmqpHeader::Group, message.groupId.toUtf8());
    if (message.deliveryMode)
        h.addString(AmqpHeader::Mode, deliveryModeName(*message.deliveryMode).toUtf8());
    h.addInt(AmqpHeader::EnqueuedAt, message.enqueuedAtMs);
    if (message.deliverAtMs > 0)
        h.addInt(AmqpHeader::DeliverAt, message.deliverAtMs);
    if (message.ttlMs > 0)
        h.addInt(AmqpHeader::Ttl, message.ttlMs);
    if (extras.attempts > 0)
        h.addInt(AmqpHeader::Attempts, extras.attempts);
    if (message.dlqReason != DeadLetterReason::None) {
        h.addString(AmqpHeader::DlqReason, deadLetterReasonName(message.dlqReason).toUtf8());
        h.addString(AmqpHeader::OriginalQueue, message.originalQueue.toUtf8());
        h.addString(AmqpHeader::OriginalTopic, message.originalTopic.toUtf8());
    }
    return {};
}

DeadLetterReason deadLetterReasonFromRabbit(QStringView reason)
{
    if (reason == u"delivery_limit")
        return DeadLetterReason::MaxRetriesExceeded;
    if (reason == u"expired")
        return DeadLetterReason::Expired;
    if (reason == u"rejected")
        return DeadLetterReason::Rejected;
    if (reason == u"maxlen")
        return DeadLetterReason::Overflow;
    return DeadLetterReason::None;
}

DecodedMessage decodeMessage(AmqpMessage &&raw, const QString &queue, const QString &amqpPrefix,
                             const QString &delayQueuePrefix)
{
    DecodedMessage d;
    Message &m = d.message;
    m.queue = queue;
    m.messageId = QString::fromUtf8(raw.messageId);
    m.correlationId = QString::fromUtf8(raw.correlationId);
    if (raw.priority >= 0)
        m.priority = Priority(std::min(raw.priority, int(Priority::Critical)));
    m.enqueuedAtMs = qint64(raw.timestamp) * 1000;

    const Data::Value *death = nullptr;
    QString ownReason, ownQueue, ownTopic;
    for (const auto &[key, value] : raw.headers) {
        if (!key.startsWith(u"x-") && key != u"CC" && key != u"BCC") {
            m.headers.append(key, value);
            continue;
        }
        if (!key.startsWith(u"x-conflux-")) {
            if (key == QLatin1StringView(AmqpHeader::Death))
                death = &value;
            else if (key == QLatin1StringView(AmqpHeader::DeliveryCount))
                d.rabbitDeliveryCount = int(numberOf(value));
            else if (!isReservedHeader(key))
                m.headers.append(key, value);
            continue;
        }
        const QStringView name = QStringView(key).mid(10);
        if (name == u"topic")
            m.topic = value.toString();
        else if (name == u"group")
            m.groupId = value.toString();
        else if (name == u"mode")
            m.deliveryMode = deliveryModeFromName(value.toString());
        else if (name == u"enqueued-at")
            m.enqueuedAtMs = numberOf(value);
        else if (name == u"deliver-at")
            m.deliverAtMs = numberOf(value);
        else if (name == u"ttl")
            m.ttlMs = d.messageTtlMs = numberOf(value);
        else if (name == u"attempts")
            d.attempts = int(numberOf(value));
        else if (name == u"dlq-reason")
            ownReason = value.toString();
        else if (name == u"original-queue")
            ownQueue = value.toString();
        else if (name == u"original-topic")
            ownTopic = value.toString();
    }

    // The newest dead-lettering RabbitMQ did, other than a delay hop.
    if (death) {
        for (const Data::Value &entry : death->toArray()) {
            const QString &from = entry[u"queue"].toString();
            if (from.startsWith(delayQueuePrefix))
                continue;
            const DeadLetterReason reason = deadLetterReasonFromRabbit(entry[u"reason"].toString());
            if (reason == DeadLetterReason::None)
                continue;
            m.dlqReason = reason;
            m.originalQueue = from.startsWith(amqpPrefix) ? from.mid(amqpPrefix.size()) : from;
            m.originalTopic = m.topic;
            break;
        }
    }
    if (m.dlqReason == DeadLetterReason::None && !ownReason.isEmpty()) {
        m.dlqReason = deadLetterReasonFromName(ownReason).value_or(DeadLetterReason::None);
        m.originalQueue = ownQueue;
        m.originalTopic = ownTopic;
    }

    auto payload = Data::Json::parse(raw.body);
    // A publisher other than Conflux may send text that is not JSON: keep it as a string.
    m.payload = payload ? std::move(*payload) : Data::Value(QString::fromUtf8(raw.body));
    return d;
}

} // namespace Conflux::Broker::Internal
