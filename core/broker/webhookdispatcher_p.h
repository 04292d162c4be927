#pragma once

// Webhook deliveries of MessageRouter: HTTP POSTs with retries and backoff, on a thread the
// router owns, then dead-lettering. Private to the broker module.

#include "base/result.h"
#include "broker/message.h"
#include "broker/messagerouter.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>
#include <map>
#include <memory>
#include <utility>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace Conflux::Broker {

class MessageBroker;

namespace Internal {

// A header of a webhook destination: a literal value or the name of a secret.
struct WebhookHeader
{
    QByteArray name;
    QByteArray value;
    QString secret;    // non-empty: resolve this secret instead of using `value`
};

struct WebhookTarget
{
    QUrl url;
    int retries = 0;
    QList<WebhookHeader> headers;
};

struct WebhookJob
{
    QString ruleId;
    QString location;         // "routing rule 'x' at /destinations/1", for messages
    std::shared_ptr<const WebhookTarget> target;
    Message message;          // its topic is the one the rule matched
};

// Puts `message` into `deadLetterQueue` with reason routing_failed, original_topic set to
// its topic and original_queue to `originalQueue`. Returns the queue.
Result<QString> deadLetter(MessageBroker &broker, const QString &deadLetterQueue, Message message,
                           const QString &originalQueue = {});

class WebhookDispatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookDispatcher)

public:
    using Finished = std::function<void(const WebhookOutcome &)>;

    WebhookDispatcher(MessageBroker &broker, const QString &deadLetterQueue,
                      const MessageRouterOptions &options, Finished finished);
    ~WebhookDispatcher() override;

    // Both run on the dispatcher's thread (invoke them queued).
    void start(WebhookJob job);
    // Aborts what is in flight, dead-letters every delivery still pending and deletes the
    // network objects, so that the dispatcher can then be moved to another thread.
    void shutdown();

private:
    struct Delivery
    {
        WebhookJob job;
        QByteArray body;
        int attempts = 0;
        int lastStatus = 0;
        QString lastError;
        QNetworkReply *reply = nullptr;   // the attempt in flight (child of m_network)
        QTimer *retryTimer = nullptr;     // owned (child), created on the first retry
    };

    void attempt(quint64 id);
    void replyFinished(quint64 id);
    void retryOrGiveUp(quint64 id, qint64 retryAfterMs);
    void finish(quint64 id, bool delivered);

    MessageBroker &m_broker;
    QString m_deadLetterQueue;
    MessageRouterOptions m_options;
    Finished m_finished;
    QNetworkAccessManager *m_network = nullptr; // owned (child), created on first use
    std::map<quint64, Delivery> m_deliveries;
    quint64 m_nextId = 1;
    bool m_shutDown = false;
};

} // namespace Internal
} // namespace Conflux::Broker
