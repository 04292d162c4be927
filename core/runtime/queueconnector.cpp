#include "queueconnector.h"

#include "base/monotonic.h"
#include "broker/messagebroker.h"
#include "broker/rabbitmqbroker.h"
#include "data/schemainference.h"
#include "security/secrets.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QUuid>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Runtime {

namespace {

using namespace Connectors;

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Runtime::QueueConnector)
};

struct QueueSettings
{
    QString queue;
    QString topic;
    qint64 waitMs = 1000;
    qint64 visibilityTimeoutMs = 0;
    bool envelope = false;
    bool declare = true;
    QString namePrefix = u"conflux."_s;
};

Result<QueueSettings> readSettings(const EndpointSpec &endpoint)
{
    QueueSettings settings;
    QStringList problems;
    const Data::Object &config = endpoint.configuration;
    auto string = [&](QStringView key, QString &target, bool required) {
        const Data::Value *value = config.find(key);
        if (!value) {
            if (required)
                problems.append(Tr::tr("/configuration/%1: required (the queue's name)").arg(key));
            return;
        }
        if (!value->isString() || value->toString().isEmpty()) {
            problems.append(Tr::tr("/configuration/%1: must be a non-empty string").arg(key));
            return;
        }
        target = value->toString();
    };
    auto number = [&](QStringView key, qint64 min, qint64 max, qint64 &target, qint64 scale) {
        const Data::Value *value = config.find(key);
        if (!value)
            return;
        const double n = value->toDouble();
        if (!value->isNumber() || n != std::floor(n) || n < double(min) || n > double(max)) {
            problems.append(Tr::tr("/configuration/%1: must be an integer from %2 to %3").arg(key).arg(min).arg(max));
            return;
        }
        target = qint64(n) * scale;
    };
    auto flag = [&](QStringView key, bool &target) {
        const Data::Value *value = config.find(key);
        if (!value)
            return;
        if (!value->isBool()) {
            problems.append(Tr::tr("/configuration/%1: must be true or false").arg(key));
            return;
        }
        target = value->toBool();
    };
    string(u"queue", settings.queue, true);
    string(u"topic", settings.topic, false);
    string(u"name_prefix", settings.namePrefix, false);
    number(u"wait_ms", 0, 60'000, settings.waitMs, 1);
    number(u"visibility_timeout_seconds", 1, 43'200, settings.visibilityTimeoutMs, 1000);
    flag(u"envelope", settings.envelope);
    flag(u"declare", settings.declare);
    if (!problems.isEmpty()) {
        return makeError("invalid_endpoint", Tr::tr("Endpoint %1 has an invalid queue configuration").arg(endpoint.id),
                         problems);
    }
    return settings;
}

class QueueConnector final : public Connector
{
public:
    QueueConnector(EndpointSpec endpoint, QueueSettings settings, Broker::MessageBroker *broker,
                   std::unique_ptr<Broker::MessageBroker> owned)
        : Connector(std::move(endpoint))
        , m_settings(std::move(settings))
        , m_owned(std::move(owned))
        , m_broker(m_owned ? m_owned.get() : broker)
        , m_consumerId(u"connector:%1:%2"_s.arg(this->endpoint().id, QUuid::createUuid().toString(QUuid::WithoutBraces)))
    {
    }

    ~QueueConnector() override
    {
        if (m_owned)
            m_owned->close();
    }

    Capabilities capabilities() const override
    {
        return Capability::TestConnection | Capability::DiscoverSchema | Capability::Read | Capability::Insert
            | Capability::Transactions | Capability::ConsumingRead;
    }

    Result<ConnectionTest> testConnection() override
    {
        QElapsedTimer timer;
        timer.start();
        if (Result<void> ready = prepare(); !ready)
            return ready.error();
        Result<QList<Broker::QueueStats>> stats = m_broker->stats();
        if (!stats)
            return stats.error();
        for (const Broker::QueueStats &s : *stats) {
            if (s.name == m_settings.queue) {
                ConnectionTest test;
                test.latencyMs = timer.elapsed();
                test.serverInfo = Tr::tr("%1 queue %2: %3 ready, %4 in flight")
                                      .arg(protocolName(endpoint().protocol) == u"rabbitmq" ? u"RabbitMQ"_s
                                                                                              : u"Conflux broker"_s,
                                           s.name)
                                      .arg(s.depth)
                                      .arg(s.inFlight);
                return test;
            }
        }
        return unknownQueue();
    }

    Result<std::vector<Entity>> discover() override
    {
        if (Result<void> ready = prepare(); !ready)
            return ready.error();
        Entity entity;
        entity.name = m_settings.queue;
        entity.description = m_settings.topic.isEmpty()
            ? Tr::tr("Messages of queue %1").arg(m_settings.queue)
            : Tr::tr("Messages of queue %1; writes publish to topic %2").arg(m_settings.queue, m_settings.topic);
        entity.capabilities = capabilities();
        // The field tree from the messages waiting now (browsing leases nothing).
        Data::SchemaInference inference;
        if (Result<QList<Broker::Message>> waiting = m_broker->browse(m_settings.queue, 0, 50); waiting) {
            for (const Broker::Message &message : *waiting)
                inference.add(m_settings.envelope ? message.toValue() : message.payload);
        } else if (waiting.error().code != u"broker_unknown_queue") {
            return waiting.error();
        } else {
            return unknownQueue();
        }
        entity.schema = inference.result();
        if (m_settings.envelope)
            entity.keyFields = {u"message_id"_s};
        return std::vector<Entity>{std::move(entity)};
    }

    Result<ReadSummary> read(const ReadRequest &request, const PageSink &sink) override
    {
        if (!request.entity.isEmpty() && request.entity != m_settings.queue) {
            return makeError("unknown_entity", Tr::tr("Endpoint %1 reads queue %2, not %3")
                                                   .arg(endpoint().id, m_settings.queue, request.entity));
        }
        if (!request.cursorField.isEmpty()) {
            return makeError("unsupported", Tr::tr("Endpoint %1: a queue has no incremental cursor; each message is "
                                                   "read once and acknowledged")
                                                .arg(endpoint().id));
        }
        if (Result<void> ready = prepare(); !ready)
            return ready.error();
        ReadSummary summary;
        const int pageSize = request.pageSize > 0 ? std::min(request.pageSize, 1000) : 100;
        for (;;) {
            if (request.cancel && request.cancel->isCancelled())
                return makeError("cancelled", Tr::tr("Reading queue %1 was cancelled").arg(m_settings.queue));
            qint64 want = pageSize;
            if (request.limit >= 0)
                want = std::min<qint64>(want, request.limit - summary.records);
            if (want <= 0) {
                summary.stoppedEarly = true;
                break;
            }
            Broker::ReceiveOptions options;
            options.maxMessages = int(want);
            options.waitMs = m_settings.waitMs;
            options.consumerId = m_consumerId;
            options.visibilityTimeoutMs = m_settings.visibilityTimeoutMs;
            Result<QList<Broker::Delivery>> deliveries = m_broker->receive(m_settings.queue, options);
            if (!deliveries) {
                if (deliveries.error().code == u"broker_unknown_queue")
                    return unknownQueue();
                return deliveries.error();
            }
            if (deliveries->isEmpty())
                break;
            std::vector<Data::Value> records;
            records.reserve(size_t(deliveries->size()));
            QStringList handles;
            for (const Broker::Delivery &delivery : *deliveries) {
                records.push_back(m_settings.envelope ? delivery.message.toValue() : delivery.message.payload);
                if (delivery.leaseExpiresAtMs > 0)
                    handles.append(delivery.receiptHandle);
            }
            const qsizetype count = deliveries->size();
            const bool more = sink(std::move(records));
            if (!more && request.giveBackRefusedPage) {
                // The sink refused the page: its messages go back to the queue at once.
                if (!handles.isEmpty()) {
                    Result<Broker::SettleResult> released = m_broker->nack(m_settings.queue, handles);
                    if (!released)
                        return released.error();
                }
                summary.stoppedEarly = true;
                break;
            }
            // The sink has the page: acknowledge it (at-least-once: not before).
            if (!handles.isEmpty()) {
                Result<Broker::SettleResult> acked = m_broker->ack(m_settings.queue, handles);
                if (!acked)
                    return acked.error();
                if (!acked->unknownHandles.isEmpty()) {
                    return makeError("lease_expired",
                                     Tr::tr("Queue %1: %2 messages were handed over but their leases ran out before "
                                            "the page was acknowledged; they will be delivered again (raise "
                                            "visibility_timeout_seconds)")
                                         .arg(m_settings.queue)
                                         .arg(acked->unknownHandles.size()));
                }
            }
            summary.records += count;
            ++summary.pages;
            if (!more) {
                summary.stoppedEarly = true;
                break;
            }
        }
        return summary;
    }

    Result<WriteSummary> write(const WriteRequest &request) override
    {
        if (request.mode != WriteMode::Insert) {
            return makeError("unsupported", Tr::tr("Endpoint %1: a queue only takes new messages (insert), "
                                                   "not upserts or deletes")
                                                .arg(endpoint().id));
        }
        if (!request.entity.isEmpty() && request.entity != m_settings.queue) {
            return makeError("unknown_entity", Tr::tr("Endpoint %1 writes to queue %2, not %3")
                                                   .arg(endpoint().id, m_settings.queue, request.entity));
        }
        if (request.cancel && request.cancel->isCancelled())
            return makeError("cancelled", Tr::tr("Writing to queue %1 was cancelled").arg(m_settings.queue));
        if (Result<void> ready = prepare(); !ready)
            return ready.error();
        WriteSummary summary;
        if (request.records.empty())
            return summary;
        if (!m_settings.topic.isEmpty()) {
            // Topic publishes are routed one by one.
            for (size_t i = 0; i < request.records.size(); ++i) {
                Broker::Message message;
                message.topic = m_settings.topic;
                message.payload = request.records[i];
                Result<Broker::PublishReceipt> receipt = m_broker->publishToTopic(std::move(message));
                if (!receipt) {
                    Error error = receipt.error();
                    error.message = Tr::tr("Record %1: %2").arg(i).arg(error.message);
                    return error;
                }
                ++summary.inserted;
            }
            return summary;
        }
        QList<Broker::Message> messages;
        messages.reserve(qsizetype(request.records.size()));
        for (const Data::Value &record : request.records) {
            Broker::Message message;
            message.payload = record;
            messages.append(std::move(message));
        }
        Result<QList<Broker::PublishReceipt>> receipts = m_broker->publishBatch(m_settings.queue, std::move(messages));
        if (!receipts) {
            if (receipts.error().code == u"broker_unknown_queue")
                return unknownQueue();
            return receipts.error();
        }
        summary.inserted = receipts->size();
        return summary;
    }

private:
    Result<void> prepare()
    {
        if (!m_broker) {
            return makeError("connector_unavailable",
                             Tr::tr("Endpoint %1: the Conflux broker is not running in this process").arg(endpoint().id));
        }
        if (!m_owned || m_opened)
            return {};
        if (Result<void> opened = m_owned->open(); !opened)
            return opened;
        m_opened = true;
        if (m_settings.declare && !m_owned->queue(m_settings.queue)) {
            Broker::QueueConfig config;
            config.name = m_settings.queue;
            if (m_settings.visibilityTimeoutMs > 0)
                config.visibilityTimeoutMs = m_settings.visibilityTimeoutMs;
            if (Result<void> declared = m_owned->declareQueue(config); !declared)
                return declared;
        }
        return {};
    }

    Error unknownQueue() const
    {
        return makeError("unknown_entity", Tr::tr("Endpoint %1: the queue %2 does not exist on the broker")
                                               .arg(endpoint().id, m_settings.queue));
    }

    QueueSettings m_settings;
    std::unique_ptr<Broker::MessageBroker> m_owned;
    Broker::MessageBroker *m_broker = nullptr;
    QString m_consumerId;
    bool m_opened = false;
};

} // namespace

Result<std::unique_ptr<Connectors::Connector>> createQueueConnector(const EndpointSpec &endpoint,
                                                                    const ConnectorContext &context,
                                                                    Broker::MessageBroker *embedded)
{
    Result<QueueSettings> settings = readSettings(endpoint);
    if (!settings)
        return settings.error();
    if (endpoint.protocol == Protocol::ConfluxBroker) {
        return std::unique_ptr<Connector>(std::make_unique<QueueConnector>(endpoint, std::move(*settings), embedded, nullptr));
    }
    if (endpoint.protocol != Protocol::RabbitMq) {
        return makeError("invalid_endpoint", Tr::tr("Endpoint %1: the queue connector serves conflux_broker and rabbitmq, "
                                                    "not %2")
                                                 .arg(endpoint.id, protocolName(endpoint.protocol)));
    }
    Broker::RabbitMqBroker::Options options;
    QStringList problems;
    if (endpoint.url.scheme() == u"amqps")
        problems.append(Tr::tr("/url: amqps (AMQP over TLS) is not supported by the queue connector yet; use amqp://"));
    else if (endpoint.url.scheme() != u"amqp")
        problems.append(Tr::tr("/url: a RabbitMQ endpoint needs an amqp://host:port/vhost URL"));
    options.host = endpoint.url.host();
    options.port = endpoint.url.port(5672);
    const QString vhost = endpoint.url.path(QUrl::FullyDecoded).mid(1);
    options.virtualHost = vhost.isEmpty() ? u"/"_s : vhost;
    options.namePrefix = settings->namePrefix;
    options.connectTimeoutMs = std::max(1, endpoint.timeoutSeconds) * 1000;
    options.rpcTimeoutMs = options.connectTimeoutMs;
    if (endpoint.authentication.type == ClientAuthentication::Type::Basic) {
        options.user = endpoint.authentication.username;
        if (!context.secrets) {
            return makeError("secret_unavailable", Tr::tr("Endpoint %1 needs the secret \"%2\", but no secret store is "
                                                          "configured")
                                                       .arg(endpoint.id, endpoint.authentication.secret));
        }
        Result<QString> password = context.secrets->resolve(endpoint.authentication.secret);
        if (!password)
            return password.error();
        options.password = *password;
    } else if (endpoint.authentication.type != ClientAuthentication::Type::None) {
        problems.append(Tr::tr("/authentication/type: RabbitMQ endpoints log on with basic (user and password)"));
    }
    if (!problems.isEmpty())
        return makeError("invalid_endpoint", Tr::tr("Endpoint %1 is not a valid RabbitMQ endpoint").arg(endpoint.id), problems);
    auto broker = std::make_unique<Broker::RabbitMqBroker>(options);
    return std::unique_ptr<Connector>(
        std::make_unique<QueueConnector>(endpoint, std::move(*settings), nullptr, std::move(broker)));
}

void registerQueueConnectors(Connectors::ConnectorRegistry &registry, Broker::MessageBroker *embedded)
{
    auto factory = [embedded](const EndpointSpec &endpoint, const ConnectorContext &context) {
        return createQueueConnector(endpoint, context, embedded);
    };
    registry.add(Protocol::ConfluxBroker, factory);
    registry.add(Protocol::RabbitMq, factory);
}

} // namespace Conflux::Runtime
