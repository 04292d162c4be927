#include "brokerapi.h"

#include "apihelpers_p.h"
#include "broker/messagebroker.h"
#include "broker/projectconsumers.h"
#include "data/json.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QEventLoop>
#include <QHash>
#include <QPointer>

#include <cmath>
#include <mutex>

using namespace Qt::StringLiterals;

namespace Conflux::Runtime {

using namespace Internal;

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Runtime::BrokerApi)
};

using Http::HttpRequest;
using Http::HttpResponse;

int statusFor(const Error &error)
{
    static const QHash<QString, int> statuses{
        {u"broker_unknown_queue"_s, 404},   {u"broker_invalid_message"_s, 400},
        {u"broker_invalid_queue"_s, 400},   {u"broker_message_too_large"_s, 413},
        {u"broker_queue_full"_s, 429},      {u"broker_no_route"_s, 422},
        {u"broker_store_failed"_s, 503},    {u"broker_closed"_s, 503},
        {u"broker_unavailable"_s, 503},     {u"broker_not_open"_s, 503},
        {u"invalid_request"_s, 400},
    };
    return statuses.value(error.code, 500);
}

HttpResponse errorResponse(const Error &error)
{
    HttpResponse response = HttpResponse::error(statusFor(error), error);
    if (error.code == u"broker_queue_full" || error.code == u"broker_store_failed")
        response.setHeader("Retry-After", "1");
    return response;
}

Error badRequest(const QString &message)
{
    return makeError("invalid_request", message);
}

// The body as a JSON object; an empty body is an empty object.
Result<Data::Object> bodyObject(const HttpRequest &request)
{
    if (request.body.trimmed().isEmpty())
        return Data::Object();
    auto parsed = Data::Json::parse(request.body);
    if (!parsed) {
        return makeError("invalid_request", Tr::tr("the body is not valid JSON: %1").arg(parsed.error().message),
                         parsed.error().details);
    }
    if (!parsed->isObject())
        return badRequest(Tr::tr("the body must be a JSON object"));
    return parsed->toObject();
}

Result<QStringList> stringList(const Data::Object &body, QStringView key, bool required)
{
    const Data::Value *v = body.find(key);
    if (!v) {
        if (required)
            return badRequest(Tr::tr("\"%1\" is missing").arg(key));
        return QStringList();
    }
    if (!v->isArray())
        return badRequest(Tr::tr("\"%1\" must be an array of strings").arg(key));
    QStringList out;
    for (const Data::Value &item : v->toArray()) {
        if (!item.isString())
            return badRequest(Tr::tr("\"%1\" must be an array of strings").arg(key));
        out.append(item.toString());
    }
    return out;
}

// A query parameter as a number within [min, max]; `fallback` when absent.
Result<double> queryNumber(const HttpRequest &request, const QString &name, double fallback, double min, double max)
{
    if (!request.query.hasQueryItem(name))
        return fallback;
    bool ok = false;
    const double v = request.query.queryItemValue(name).toDouble(&ok);
    if (!ok || !std::isfinite(v) || v < min || v > max)
        return badRequest(Tr::tr("query parameter \"%1\" must be a number from %2 to %3").arg(name).arg(min).arg(max));
    return v;
}

Data::Value receiptValue(const Broker::PublishReceipt &receipt)
{
    Data::Array queues;
    for (const QString &q : receipt.queues)
        queues.push_back(Data::Value(q));
    return Data::Value(Data::Object{{u"message_id"_s, Data::Value(receipt.messageId)},
                                    {u"queues"_s, Data::Value(std::move(queues))},
                                    {u"duplicate"_s, Data::Value(receipt.duplicate)}});
}

Data::Value statsValue(const Broker::QueueStats &s)
{
    return Data::Value(Data::Object{{u"name"_s, Data::Value(s.name)},
                                    {u"queue_type"_s, Data::Value(Broker::queueTypeName(s.type))},
                                    {u"depth"_s, Data::Value(s.depth)},
                                    {u"delayed"_s, Data::Value(s.delayed)},
                                    {u"in_flight"_s, Data::Value(s.inFlight)},
                                    {u"dead_letter_depth"_s, Data::Value(s.deadLetterDepth)},
                                    {u"oldest_message_age_seconds"_s, Data::Value(double(s.oldestAgeMs) / 1000.0)},
                                    {u"consumer_lag"_s, Data::Value(s.consumerLag)},
                                    {u"consumers"_s, Data::Value(s.consumers)},
                                    {u"published"_s, Data::Value(qint64(s.published))},
                                    {u"acked"_s, Data::Value(qint64(s.acked))},
                                    {u"dead_lettered"_s, Data::Value(qint64(s.deadLettered))}});
}

Data::Value configValue(const Broker::QueueConfig &c)
{
    Data::Array topics;
    for (const QString &t : c.topics)
        topics.push_back(Data::Value(t));
    return Data::Value(Data::Object{
        {u"queue_type"_s, Data::Value(Broker::queueTypeName(c.type))},
        {u"delivery_mode"_s, Data::Value(Broker::deliveryModeName(c.deliveryMode))},
        {u"topics"_s, Data::Value(std::move(topics))},
        {u"max_size"_s, Data::Value(c.maxSize)},
        {u"overflow_policy"_s, Data::Value(Broker::overflowPolicyName(c.overflow))},
        {u"ttl_seconds"_s, Data::Value(double(c.ttlMs) / 1000.0)},
        {u"dead_letter_queue"_s, c.deadLetterQueue.isEmpty() ? Data::Value(nullptr) : Data::Value(c.deadLetterQueue)},
        {u"max_delivery_attempts"_s, Data::Value(c.maxDeliveryAttempts)},
        {u"visibility_timeout_seconds"_s, Data::Value(double(c.visibilityTimeoutMs) / 1000.0)},
        {u"dedup_window_seconds"_s, Data::Value(double(c.dedupWindowMs) / 1000.0)}});
}

QByteArray label(const QString &value)
{
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return out;
}

void family(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

} // namespace

BrokerApi::BrokerApi(Broker::MessageBroker &broker, TopicPublisher topicPublisher)
    : m_broker(broker), m_topicPublisher(std::move(topicPublisher))
{}

bool BrokerApi::handles(const QString &path)
{
    return path == u"/api/v1/queues" || path.startsWith(u"/api/v1/queues/") || path.startsWith(u"/api/v1/topics/")
           || path == u"/api/v1/consumers";
}

HttpResponse BrokerApi::handle(const HttpRequest &request, QString &routeLabel)
{
    const QStringList parts = request.path.split(u'/'); // "", "api", "v1", kind, name, action
    const QByteArray &method = request.method;
    const bool get = method == "GET" || method == "HEAD";
    if (parts.size() == 4 && parts[3] == u"queues") {
        routeLabel = u"/api/v1/queues"_s;
        if (!get)
            return HttpResponse::methodNotAllowed("GET, HEAD");
        auto stats = m_broker.stats();
        if (!stats)
            return errorResponse(stats.error());
        Data::Array queues;
        for (const Broker::QueueStats &s : std::as_const(*stats))
            queues.push_back(statsValue(s));
        return jsonResponse(200, Data::Value(Data::Object{{u"queues"_s, Data::Value(std::move(queues))}}));
    }
    if (parts.size() == 4 && parts[3] == u"consumers") {
        routeLabel = u"/api/v1/consumers"_s;
        return get ? consumers() : HttpResponse::methodNotAllowed("GET, HEAD");
    }
    if (parts.size() < 5 || parts[4].isEmpty())
        return HttpResponse::error(404, u"not_found"_s, Tr::tr("no such resource: %1").arg(request.path));
    const QString kind = parts[3];
    const QString name = parts[4];
    const QString action = parts.size() > 5 ? parts[5] : QString();
    if (parts.size() > 6)
        return HttpResponse::error(404, u"not_found"_s, Tr::tr("no such resource: %1").arg(request.path));

    if (kind == u"topics") {
        routeLabel = u"/api/v1/topics/{topic}/messages"_s;
        if (action != u"messages")
            return HttpResponse::error(404, u"not_found"_s, Tr::tr("no such resource: %1").arg(request.path));
        return method == "POST" ? publishToTopic(name, request) : HttpResponse::methodNotAllowed("POST");
    }
    routeLabel = action.isEmpty() ? u"/api/v1/queues/{queue}"_s : u"/api/v1/queues/{queue}/"_s + action;
    if (action.isEmpty())
        return get ? queueStats(name) : HttpResponse::methodNotAllowed("GET, HEAD");
    if (action == u"messages") {
        if (method == "POST")
            return publishToQueue(name, request);
        if (get)
            return browse(name, request);
        if (method == "DELETE")
            return purge(name);
        return HttpResponse::methodNotAllowed("GET, HEAD, POST, DELETE");
    }
    static const QStringList posts{u"receive"_s, u"ack"_s, u"nack"_s, u"reject"_s, u"replay"_s, u"purge"_s};
    if (!posts.contains(action)) {
        routeLabel = u"other"_s;
        return HttpResponse::error(404, u"not_found"_s, Tr::tr("no such resource: %1").arg(request.path));
    }
    if (method != "POST")
        return HttpResponse::methodNotAllowed("POST");
    if (action == u"receive")
        return receive(name, request);
    if (action == u"replay")
        return replay(name, request);
    if (action == u"purge")
        return purge(name);
    return settle(name, action, request);
}

HttpResponse BrokerApi::publishToQueue(const QString &queue, const HttpRequest &request)
{
    auto parsed = Data::Json::parse(request.body);
    if (!parsed)
        return errorResponse(makeError("invalid_request", Tr::tr("the body is not valid JSON: %1").arg(parsed.error().message),
                                       parsed.error().details));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (parsed->isArray()) {
        QList<Broker::Message> batch;
        const Data::Array &items = parsed->toArray();
        if (items.empty() || items.size() > 10000)
            return errorResponse(badRequest(Tr::tr("a batch holds 1 to 10000 messages")));
        for (size_t i = 0; i < items.size(); ++i) {
            auto m = Broker::Message::fromValue(items[i], now);
            if (!m) {
                Error e = m.error();
                for (QString &d : e.details)
                    d = u"/"_s + QString::number(i) + d;
                return errorResponse(e);
            }
            batch.append(std::move(*m));
        }
        auto receipts = m_broker.publishBatch(queue, std::move(batch));
        if (!receipts)
            return errorResponse(receipts.error());
        Data::Array out;
        for (const Broker::PublishReceipt &r : std::as_const(*receipts))
            out.push_back(receiptValue(r));
        return jsonResponse(201, Data::Value(Data::Object{{u"messages"_s, Data::Value(std::move(out))}}));
    }
    auto m = Broker::Message::fromValue(*parsed, now);
    if (!m)
        return errorResponse(m.error());
    auto receipt = m_broker.publish(queue, std::move(*m));
    if (!receipt)
        return errorResponse(receipt.error());
    return jsonResponse(receipt->duplicate ? 200 : 201, receiptValue(*receipt));
}

HttpResponse BrokerApi::publishToTopic(const QString &topic, const HttpRequest &request)
{
    auto parsed = Data::Json::parse(request.body);
    if (!parsed)
        return errorResponse(makeError("invalid_request", Tr::tr("the body is not valid JSON: %1").arg(parsed.error().message),
                                       parsed.error().details));
    auto m = Broker::Message::fromValue(*parsed, QDateTime::currentMSecsSinceEpoch());
    if (!m)
        return errorResponse(m.error());
    if (!m->topic.isEmpty() && m->topic != topic)
        return errorResponse(makeError("broker_invalid_message",
                                       Tr::tr("the body's topic \"%1\" differs from the path's \"%2\"").arg(m->topic, topic),
                                       {u"/topic"_s}));
    m->topic = topic;
    auto receipt = m_topicPublisher ? m_topicPublisher(std::move(*m)) : m_broker.publishToTopic(std::move(*m));
    if (!receipt)
        return errorResponse(receipt.error());
    return jsonResponse(receipt->duplicate ? 200 : 201, receiptValue(*receipt));
}

HttpResponse BrokerApi::receive(const QString &queue, const HttpRequest &request)
{
    auto max = queryNumber(request, u"max"_s, 1, 1, maxReceive);
    auto wait = queryNumber(request, u"wait"_s, 0, 0, maxWaitSeconds);
    auto visibility = queryNumber(request, u"visibility"_s, 0, 0, 12 * 3600);
    for (const auto *r : {&max, &wait, &visibility}) {
        if (!*r)
            return errorResponse(r->error());
    }
    Broker::ReceiveOptions options;
    options.maxMessages = int(*max);
    options.waitMs = qint64(*wait * 1000);
    options.visibilityTimeoutMs = qint64(*visibility * 1000);
    options.consumerId = request.query.queryItemValue(u"consumer"_s, QUrl::FullyDecoded);

    // The callback may come from the broker's thread; the answer is picked up here, in a
    // nested event loop when the receive has to wait.
    struct State
    {
        std::mutex mutex;
        std::optional<Result<QList<Broker::Delivery>>> result;
        QPointer<QEventLoop> loop;
        QObject context; // lives on this thread; receives the wake-up
    };
    auto state = std::make_shared<State>();
    m_broker.receiveAsync(queue, options, [state](Result<QList<Broker::Delivery>> result) {
        {
            std::lock_guard lock(state->mutex);
            state->result = std::move(result);
        }
        QMetaObject::invokeMethod(&state->context, [state] {
            if (state->loop)
                state->loop->quit();
        }, Qt::QueuedConnection);
    });
    {
        std::unique_lock lock(state->mutex);
        if (!state->result) {
            QEventLoop loop;
            state->loop = &loop;
            lock.unlock();
            loop.exec();
            lock.lock();
            state->loop = nullptr;
        }
    }
    Result<QList<Broker::Delivery>> result = std::move(*state->result);
    if (!result)
        return errorResponse(result.error());
    Data::Array messages;
    for (const Broker::Delivery &d : std::as_const(*result)) {
        Data::Value v = d.message.toValue();
        Data::Object &o = v.mutableObject();
        if (!d.receiptHandle.isEmpty()) {
            o.append(u"receipt_handle"_s, Data::Value(d.receiptHandle));
            o.append(u"lease_expires_at"_s,
                     Data::Value(QDateTime::fromMSecsSinceEpoch(d.leaseExpiresAtMs, Qt::UTC).toString(Qt::ISODateWithMs)));
        }
        messages.push_back(std::move(v));
    }
    return jsonResponse(200, Data::Value(Data::Object{{u"messages"_s, Data::Value(std::move(messages))}}));
}

HttpResponse BrokerApi::settle(const QString &queue, const QString &action, const HttpRequest &request)
{
    auto body = bodyObject(request);
    if (!body)
        return errorResponse(body.error());
    auto handles = stringList(*body, u"receipt_handles", true);
    if (!handles)
        return errorResponse(handles.error());
    Result<Broker::SettleResult> settled = Error();
    if (action == u"ack") {
        Broker::AckOptions options;
        if (const Data::Value *g = body->find(u"consumer_group")) {
            if (!g->isString())
                return errorResponse(badRequest(Tr::tr("\"consumer_group\" must be a string")));
            options.consumerGroup = g->toString();
        }
        settled = m_broker.ack(queue, *handles, options);
    } else if (action == u"nack") {
        Broker::NackOptions options;
        if (const Data::Value *r = body->find(u"requeue")) {
            if (!r->isBool())
                return errorResponse(badRequest(Tr::tr("\"requeue\" must be true or false")));
            options.requeue = r->toBool();
        }
        if (const Data::Value *delay = body->find(u"delay_seconds")) {
            if (!delay->isNumber() || delay->toDouble() < 0 || delay->toDouble() > 12 * 3600)
                return errorResponse(badRequest(Tr::tr("\"delay_seconds\" must be a number from 0 to 43200")));
            options.delayMs = qint64(delay->toDouble() * 1000);
        }
        settled = m_broker.nack(queue, *handles, options);
    } else {
        settled = m_broker.reject(queue, *handles);
    }
    if (!settled)
        return errorResponse(settled.error());
    Data::Array unknown;
    for (const QString &h : std::as_const(settled->unknownHandles))
        unknown.push_back(Data::Value(h));
    return jsonResponse(200, Data::Value(Data::Object{{u"settled"_s, Data::Value(settled->settled)},
                                                      {u"unknown_receipt_handles"_s, Data::Value(std::move(unknown))}}));
}

HttpResponse BrokerApi::replay(const QString &queue, const HttpRequest &request)
{
    auto body = bodyObject(request);
    if (!body)
        return errorResponse(body.error());
    auto ids = stringList(*body, u"message_ids", false);
    if (!ids)
        return errorResponse(ids.error());
    auto replayed = m_broker.replay(queue, *ids);
    if (!replayed)
        return errorResponse(replayed.error());
    return jsonResponse(200, Data::Value(Data::Object{{u"replayed"_s, Data::Value(*replayed)}}));
}

HttpResponse BrokerApi::purge(const QString &queue)
{
    auto purged = m_broker.purge(queue);
    if (!purged)
        return errorResponse(purged.error());
    return jsonResponse(200, Data::Value(Data::Object{{u"purged"_s, Data::Value(*purged)}}));
}

HttpResponse BrokerApi::browse(const QString &queue, const HttpRequest &request)
{
    auto offset = queryNumber(request, u"offset"_s, 0, 0, 1e9);
    auto limit = queryNumber(request, u"limit"_s, 100, 1, 1000);
    if (!offset)
        return errorResponse(offset.error());
    if (!limit)
        return errorResponse(limit.error());
    auto messages = m_broker.browse(queue, int(*offset), int(*limit));
    if (!messages)
        return errorResponse(messages.error());
    Data::Array out;
    for (const Broker::Message &m : std::as_const(*messages))
        out.push_back(m.toValue());
    return jsonResponse(200, Data::Value(Data::Object{{u"messages"_s, Data::Value(std::move(out))}}));
}

HttpResponse BrokerApi::queueStats(const QString &queue)
{
    const auto config = m_broker.queue(queue);
    if (!config)
        return errorResponse(makeError("broker_unknown_queue", Tr::tr("no queue named \"%1\"").arg(queue)));
    auto stats = m_broker.stats();
    if (!stats)
        return errorResponse(stats.error());
    for (const Broker::QueueStats &s : std::as_const(*stats)) {
        if (s.name == queue) {
            Data::Value v = statsValue(s);
            v.mutableObject().append(u"config"_s, configValue(*config));
            return jsonResponse(200, v);
        }
    }
    return errorResponse(makeError("broker_unknown_queue", Tr::tr("no queue named \"%1\"").arg(queue)));
}

HttpResponse BrokerApi::consumers() const
{
    Data::Array list;
    for (const Broker::ConsumerStatus &c : m_consumers ? m_consumers() : QList<Broker::ConsumerStatus>()) {
        Data::Object o;
        o.append(u"id"_s, Data::Value(c.id));
        o.append(u"queue"_s, Data::Value(c.queue));
        o.append(u"group"_s, Data::Value(c.group));
        o.append(u"handler"_s, Data::Value(Data::Object{{u"type"_s, Data::Value(c.handler)},
                                                         {u"target"_s, Data::Value(c.target)}}));
        o.append(u"state"_s, Data::Value(c.running ? u"running"_s : u"waiting"_s));
        o.append(u"received"_s, Data::Value(qint64(c.stats.received)));
        o.append(u"acked"_s, Data::Value(qint64(c.stats.acked)));
        o.append(u"retried"_s, Data::Value(qint64(c.stats.retried)));
        o.append(u"rejected"_s, Data::Value(qint64(c.stats.rejected)));
        o.append(u"skipped"_s, Data::Value(qint64(c.stats.skipped)));
        o.append(u"failures"_s, Data::Value(qint64(c.stats.failures)));
        o.append(u"last_error"_s, c.stats.lastError.isEmpty() ? Data::Value(nullptr) : Data::Value(c.stats.lastError));
        list.push_back(Data::Value(std::move(o)));
    }
    return jsonResponse(200, Data::Value(Data::Object{{u"consumers"_s, Data::Value(std::move(list))}}));
}

void BrokerApi::renderMetrics(QByteArray &out)
{
    auto stats = m_broker.stats();
    if (!stats)
        return;
    const Broker::BrokerCounters counters = m_broker.counters();
    struct PerQueue
    {
        const char *name, *type, *help;
        std::function<double(const Broker::QueueStats &)> value;
    };
    const PerQueue perQueue[] = {
        {"message_broker_messages_produced_total", "counter", "Messages stored in the queue (durable publishes)",
         [](const Broker::QueueStats &s) { return double(s.published); }},
        {"message_broker_messages_consumed_total", "counter", "Messages acked (or delivered, at-most-once)",
         [](const Broker::QueueStats &s) { return double(s.acked); }},
        {"message_broker_dead_lettered_total", "counter", "Messages moved to the dead-letter queue (or dropped)",
         [](const Broker::QueueStats &s) { return double(s.deadLettered); }},
        {"message_broker_queue_size", "gauge", "Messages ready for delivery",
         [](const Broker::QueueStats &s) { return double(s.depth); }},
        {"message_broker_queue_delayed", "gauge", "Messages waiting for their delivery time",
         [](const Broker::QueueStats &s) { return double(s.delayed); }},
        {"message_broker_queue_in_flight", "gauge", "Messages leased to consumers and not yet acked",
         [](const Broker::QueueStats &s) { return double(s.inFlight); }},
        {"message_broker_consumer_lag", "gauge", "Messages consumers still owe: ready, delayed and in flight",
         [](const Broker::QueueStats &s) { return double(s.consumerLag); }},
        {"message_broker_oldest_message_age_seconds", "gauge", "Age of the oldest ready message",
         [](const Broker::QueueStats &s) { return double(s.oldestAgeMs) / 1000.0; }},
    };
    for (const PerQueue &metric : perQueue) {
        family(out, metric.name, metric.type, metric.help);
        for (const Broker::QueueStats &s : std::as_const(*stats)) {
            out += metric.name;
            out += "{queue=\"" + label(s.name) + "\"} ";
            out += QByteArray::number(metric.value(s), 'g', 15);
            out += '\n';
        }
    }
    const char *histogram = "message_broker_publish_to_ack_seconds";
    family(out, histogram, "histogram", "Time from a message's publish to its ack");
    for (qsizetype i = 0; i < counters.latencyBounds.size(); ++i) {
        out += histogram;
        out += "_bucket{le=\"" + QByteArray::number(counters.latencyBounds[i], 'g', 6) + "\"} ";
        out += QByteArray::number(counters.latencyBuckets.value(i)) + '\n';
    }
    out += histogram;
    out += "_bucket{le=\"+Inf\"} " + QByteArray::number(counters.latencyBuckets.isEmpty() ? 0 : counters.latencyBuckets.last()) + '\n';
    out += histogram;
    out += "_sum " + QByteArray::number(counters.latencySumSeconds, 'g', 15) + '\n';
    out += histogram;
    out += "_count " + QByteArray::number(counters.latencyCount) + '\n';

    if (!m_consumers)
        return;
    const QList<Broker::ConsumerStatus> consumers = m_consumers();
    const char *settled = "message_broker_consumer_messages_total";
    family(out, settled, "counter", "Messages a project consumer settled, by outcome");
    for (const Broker::ConsumerStatus &c : consumers) {
        const std::pair<const char *, quint64> outcomes[] = {{"acked", c.stats.acked},
                                                             {"retried", c.stats.retried},
                                                             {"rejected", c.stats.rejected},
                                                             {"skipped", c.stats.skipped}};
        for (const auto &[outcome, n] : outcomes) {
            out += settled;
            out += "{consumer=\"" + label(c.id) + "\",outcome=\"" + outcome + "\"} " + QByteArray::number(n) + '\n';
        }
    }
    const char *failures = "message_broker_consumer_failures_total";
    family(out, failures, "counter", "Failed receives and settles and handler errors of a project consumer");
    for (const Broker::ConsumerStatus &c : consumers)
        out += QByteArray(failures) + "{consumer=\"" + label(c.id) + "\"} " + QByteArray::number(c.stats.failures) + '\n';
}

} // namespace Conflux::Runtime
