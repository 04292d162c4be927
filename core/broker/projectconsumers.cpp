#include "broker/projectconsumers.h"

#include "broker/messagebroker.h"
#include "data/json.h"
#include "model/project.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Conflux::Broker {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Broker)
};

qint64 backoffMs(int deliveryCount, qint64 maxMs)
{
    const int exponent = std::clamp(deliveryCount - 1, 0, 30);
    return std::min<qint64>(maxMs, qint64(1000) << exponent);
}

// The receiver's answer as a settlement.
Settlement settlementFor(QNetworkReply *reply, const Delivery &delivery, qint64 maxRetryDelayMs)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 200 && status < 300)
        return Settlement::ack();
    if (status >= 400 && status < 500 && status != 408 && status != 429)
        return Settlement::reject();
    qint64 delay = backoffMs(delivery.message.deliveryCount, maxRetryDelayMs);
    bool ok = false;
    const qint64 retryAfter = reply->rawHeader("Retry-After").trimmed().toLongLong(&ok);
    if (ok && retryAfter > 0)
        delay = std::min(maxRetryDelayMs, std::max(delay, retryAfter * 1000));
    return Settlement::retry(delay);
}

// POSTs each delivery of the batch to `url`, all at once, and waits for the answers (at
// most `timeoutMs` each). Runs on a consumer's worker thread, with its own event loop.
QList<Settlement> postBatch(const QUrl &url, const QString &consumerId, qint64 timeoutMs, qint64 maxRetryDelayMs,
                            const QList<Delivery> &batch)
{
    QList<Settlement> out(batch.size(), Settlement::retry());
    QNetworkAccessManager network;
    QEventLoop loop;
    qsizetype remaining = batch.size();
    for (qsizetype i = 0; i < batch.size(); ++i) {
        const Delivery &d = batch[i];
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
        request.setRawHeader("X-Conflux-Message-Id", d.message.messageId.toUtf8());
        request.setRawHeader("X-Conflux-Queue", d.message.queue.toUtf8());
        request.setRawHeader("X-Conflux-Consumer", consumerId.toUtf8());
        request.setRawHeader("X-Conflux-Delivery-Count", QByteArray::number(d.message.deliveryCount));
        request.setTransferTimeout(int(std::clamp<qint64>(timeoutMs, 1, std::numeric_limits<int>::max())));
        QNetworkReply *reply = network.post(request, Data::Json::serialize(d.message.toValue()));
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&, i, reply] {
            out[i] = settlementFor(reply, batch[i], maxRetryDelayMs);
            reply->deleteLater();
            if (--remaining == 0)
                loop.quit();
        });
    }
    if (remaining > 0)
        loop.exec();
    return out;
}

} // namespace

std::unique_ptr<ProjectConsumers> ProjectConsumers::start(const Model::Project &project, MessageBroker &broker,
                                                          Options options, QStringList *problems)
{
    std::unique_ptr<ProjectConsumers> out(new ProjectConsumers);
    for (const Model::Consumer &c : project.consumers) {
        out->m_documents.append({c.document.id, c.queue, c.group.isEmpty() ? c.document.id : c.group, c.handlerType,
                                 c.handlerTarget, false, {}});
        if (c.handlerType != u"webhook") {
            out->m_waiting.append(c.document.id);
            continue;
        }
        ConsumerConfig config;
        config.consumerId = c.document.id;
        config.groupId = c.group.isEmpty() ? c.document.id : c.group;
        config.queue = c.queue;
        config.maxBatchSize = std::clamp(c.prefetch, 1, 10000);
        config.concurrency = std::clamp(c.concurrency, 1, 256);
        config.processingTimeoutMs = std::max<qint64>(1, qint64(c.processingTimeoutSeconds * 1000));
        config.pollWaitMs = options.pollWaitMs;
        const QUrl url(c.handlerTarget);
        const QString id = c.document.id;
        // Each request may take the whole processing timeout less a margin for the settle.
        const qint64 timeoutMs = std::max<qint64>(1, config.processingTimeoutMs - std::min<qint64>(1000, config.processingTimeoutMs / 10));
        const qint64 maxRetry = options.maxRetryDelayMs;
        auto consumer = std::make_unique<QueueConsumer>(broker, config, [url, id, timeoutMs, maxRetry](const QList<Delivery> &batch) {
            return postBatch(url, id, timeoutMs, maxRetry, batch);
        });
        if (Result<void> started = consumer->start(); !started) {
            if (problems)
                problems->append(Tr::tr("consumer %1: %2").arg(c.document.id, started.error().message));
            continue;
        }
        out->m_consumers.emplace(c.document.id, std::move(consumer));
    }
    return out;
}

ProjectConsumers::~ProjectConsumers()
{
    // Stopped together: each waits up to its poll wait for its receive to end.
    for (auto &[id, consumer] : m_consumers)
        consumer->requestStop();
    for (auto &[id, consumer] : m_consumers)
        consumer->stop();
}

QStringList ProjectConsumers::running() const
{
    QStringList out;
    for (const auto &[id, consumer] : m_consumers)
        out.append(id);
    return out;
}

QStringList ProjectConsumers::waiting() const
{
    return m_waiting;
}

QList<ConsumerStatus> ProjectConsumers::status() const
{
    QList<ConsumerStatus> out = m_documents;
    for (ConsumerStatus &c : out) {
        auto it = m_consumers.find(c.id);
        c.running = it != m_consumers.end();
        if (c.running)
            c.stats = it->second->stats();
    }
    return out;
}

std::map<QString, ConsumerStats> ProjectConsumers::stats() const
{
    std::map<QString, ConsumerStats> out;
    for (const auto &[id, consumer] : m_consumers)
        out.emplace(id, consumer->stats());
    return out;
}

} // namespace Conflux::Broker
