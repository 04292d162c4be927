#include "webhookdispatcher_p.h"

#include "base/log.h"
#include "broker/messagebroker.h"
#include "broker/routingcondition_p.h"
#include "data/json.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Broker::Internal {

Result<QString> deadLetter(MessageBroker &broker, const QString &deadLetterQueue, Message message,
                           const QString &originalQueue)
{
    if (deadLetterQueue.isEmpty()) {
        return Error{u"broker_no_route"_s,
                     RoutingTr::tr("the project has no dead-letter queue (broker.dead_letter_queue)"),
                     {}, -1};
    }
    message.dlqReason = DeadLetterReason::RoutingFailed;
    message.originalTopic = message.topic;
    message.originalQueue = originalQueue;
    auto receipt = broker.publish(deadLetterQueue, std::move(message));
    if (!receipt)
        return receipt.error();
    return deadLetterQueue;
}

WebhookDispatcher::WebhookDispatcher(MessageBroker &broker, const QString &deadLetterQueue,
                                     const MessageRouterOptions &options, Finished finished)
    : m_broker(broker)
    , m_deadLetterQueue(deadLetterQueue)
    , m_options(options)
    , m_finished(std::move(finished))
{
}

WebhookDispatcher::~WebhookDispatcher() = default;

void WebhookDispatcher::start(WebhookJob job)
{
    const quint64 id = m_nextId++;
    Delivery delivery;
    delivery.body = Data::Json::serialize(job.message.toValue());
    delivery.job = std::move(job);
    m_deliveries.emplace(id, std::move(delivery));
    if (m_shutDown) {
        m_deliveries[id].lastError = RoutingTr::tr("the router stopped before the webhook was sent");
        finish(id, false);
        return;
    }
    attempt(id);
}

void WebhookDispatcher::attempt(quint64 id)
{
    const auto it = m_deliveries.find(id);
    if (it == m_deliveries.end() || m_shutDown)
        return;
    Delivery &d = it->second;
    if (!m_network) {
        m_network = new QNetworkAccessManager(this);
        // A webhook URL is final: following a redirect could turn the POST into a GET.
        m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    }

    QNetworkRequest request(d.job.target->url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    // Lets the receiver recognise a retry of a delivery it already processed.
    request.setRawHeader(QByteArrayLiteral("X-Conflux-Message-Id"), d.job.message.messageId.toUtf8());
    for (const WebhookHeader &header : d.job.target->headers) {
        if (header.secret.isEmpty()) {
            request.setRawHeader(header.name, header.value);
            continue;
        }
        auto secret = m_options.resolveSecret(header.secret);
        if (!secret) {
            d.lastError = RoutingTr::tr("header %1: secret '%2' unavailable: %3")
                              .arg(QString::fromLatin1(header.name), header.secret, secret.error().message);
            finish(id, false);
            return;
        }
        request.setRawHeader(header.name, secret->toUtf8());
    }
    request.setTransferTimeout(m_options.webhookTimeoutMs);

    ++d.attempts;
    QNetworkReply *reply = m_network->post(request, d.body);
    d.reply = reply;
    // The response body is not needed; drop it as it arrives rather than buffering it.
    connect(reply, &QNetworkReply::readyRead, reply, [reply] { reply->skip(reply->bytesAvailable()); });
    connect(reply, &QNetworkReply::finished, this, [this, id] { replyFinished(id); });
}

void WebhookDispatcher::replyFinished(quint64 id)
{
    const auto it = m_deliveries.find(id);
    if (it == m_deliveries.end())
        return;
    Delivery &d = it->second;
    QNetworkReply *reply = d.reply;
    d.reply = nullptr;
    if (!reply)
        return;
    reply->deleteLater();

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    d.lastStatus = status;
    if (status >= 200 && status < 300) {
        d.lastError.clear();
        finish(id, true);
        return;
    }
    bool retryable = false;
    qint64 retryAfterMs = 0;
    if (status == 0) {
        retryable = true;
        if (reply->error() == QNetworkReply::OperationCanceledError)
            d.lastError = RoutingTr::tr("no response within %1 ms").arg(m_options.webhookTimeoutMs);
        else
            d.lastError = RoutingTr::tr("connection failed: %1").arg(reply->errorString());
    } else {
        const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        d.lastError = RoutingTr::tr("HTTP %1 %2").arg(status).arg(reason).trimmed();
        retryable = status >= 500 || status == 408 || status == 429;
        bool ok = false;
        const qint64 seconds = reply->rawHeader(QByteArrayLiteral("Retry-After")).trimmed().toLongLong(&ok);
        if (ok && seconds > 0)
            retryAfterMs = seconds * 1000;
    }
    if (retryable)
        retryOrGiveUp(id, retryAfterMs);
    else
        finish(id, false);
}

void WebhookDispatcher::retryOrGiveUp(quint64 id, qint64 retryAfterMs)
{
    Delivery &d = m_deliveries.at(id);
    if (d.attempts > d.job.target->retries) {
        finish(id, false);
        return;
    }
    const qint64 cap = std::max(1, m_options.webhookMaxBackoffMs);
    qint64 delay = std::max(1, m_options.webhookInitialBackoffMs);
    for (int i = 1; i < d.attempts && delay < cap; ++i)
        delay *= 2;
    // ±20% so that deliveries that failed together do not all come back at the same moment.
    delay += qint64(double(delay) * (QRandomGenerator::global()->generateDouble() * 0.4 - 0.2));
    delay = std::clamp(std::max(delay, retryAfterMs), qint64(1), cap);
    if (!d.retryTimer) {
        d.retryTimer = new QTimer(this);
        d.retryTimer->setSingleShot(true);
        connect(d.retryTimer, &QTimer::timeout, this, [this, id] { attempt(id); });
    }
    d.retryTimer->start(std::chrono::milliseconds(delay));
}

void WebhookDispatcher::finish(quint64 id, bool delivered)
{
    const auto it = m_deliveries.find(id);
    if (it == m_deliveries.end())
        return;
    Delivery d = std::move(it->second);
    m_deliveries.erase(it);
    if (d.retryTimer)
        d.retryTimer->deleteLater(); // this may run inside its timeout signal

    WebhookOutcome outcome;
    outcome.messageId = d.job.message.messageId;
    outcome.ruleId = d.job.ruleId;
    outcome.url = d.job.target->url.toString();
    outcome.attempts = d.attempts;
    outcome.delivered = delivered;
    outcome.httpStatus = d.lastStatus;
    outcome.error = d.lastError;
    if (!delivered) {
        auto where = deadLetter(m_broker, m_deadLetterQueue, std::move(d.job.message));
        QJsonObject fields{{u"message_id"_s, outcome.messageId},
                           {u"rule"_s, outcome.ruleId},
                           {u"url"_s, outcome.url},
                           {u"attempts"_s, outcome.attempts},
                           {u"error"_s, outcome.error}};
        if (where) {
            outcome.deadLetterQueue = *where;
            fields.insert(u"dead_letter_queue"_s, outcome.deadLetterQueue);
            Log::write(QtWarningMsg, "conflux.broker.routing",
                       u"webhook delivery failed; message dead-lettered"_s, fields);
        } else {
            outcome.error = RoutingTr::tr("%1; dead-lettering failed: %2")
                                .arg(outcome.error, where.error().message);
            fields.insert(u"dead_letter_error"_s, where.error().message);
            Log::write(QtCriticalMsg, "conflux.broker.routing",
                       u"webhook delivery failed and the message could not be dead-lettered"_s, fields);
        }
    }
    m_finished(outcome);
}

void WebhookDispatcher::shutdown()
{
    m_shutDown = true;
    std::vector<quint64> ids;
    ids.reserve(m_deliveries.size());
    for (auto &[id, d] : m_deliveries) {
        ids.push_back(id);
        if (d.reply) {
            disconnect(d.reply, nullptr, this, nullptr);
            d.reply->abort();
            d.reply = nullptr;
        }
        delete d.retryTimer;
        d.retryTimer = nullptr;
        const QString last = d.lastError;
        d.lastError = RoutingTr::tr("the router stopped before the webhook was delivered");
        if (!last.isEmpty())
            d.lastError += RoutingTr::tr(" (last attempt: %1)").arg(last);
    }
    for (quint64 id : ids)
        finish(id, false);
    delete m_network; // and its replies
    m_network = nullptr;
}

} // namespace Conflux::Broker::Internal
