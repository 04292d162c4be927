#pragma once

#include "base/result.h"
#include "broker/message.h"
#include "mapping/jsonata.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

class QThread;

namespace Conflux::Model {
struct ProjectSettings;
struct RoutingRule;
class Project;
}

namespace Conflux::Broker {

class MessageBroker;

namespace Internal {
struct CompiledRule;
class WebhookDispatcher;
}

struct MessageRouterOptions
{
    // Topic destinations are followed at most this many hops deep (a rule on A sending to
    // B is one hop); deeper ones are skipped and reported. A topic already visited by the
    // same route() call is never routed again (a loop), whatever the depth.
    int maxHops = 8;
    // For JSONata conditions; an expression that exceeds them counts as false.
    Mapping::EvaluationLimits expressionLimits{100, std::chrono::milliseconds(1000)};

    // Webhooks. A destination without "retries" gets defaultWebhookRetries.
    int defaultWebhookRetries = 3;
    int webhookTimeoutMs = 10'000;        // one attempt, connection to last byte
    int webhookInitialBackoffMs = 1'000;  // before the first retry; doubled for each next one
    int webhookMaxBackoffMs = 60'000;     // also caps a Retry-After the server asks for
    // Webhook deliveries in progress (sent or waiting to retry) beyond this many are
    // dead-lettered at once rather than queued in memory.
    int maxPendingWebhooks = 10'000;
    // Resolves {"secret": "name"} header values of webhook destinations, at each attempt.
    // Required when a destination uses one (create() fails otherwise). Called on the
    // router's webhook thread.
    std::function<Result<QString>(const QString &name)> resolveSecret;
};

// Where route() put a message.
struct RouteResult
{
    enum class Fallback : quint8 {
        None,         // something received it: a bound queue, a rule's queue or a webhook
        DefaultQueue, // nothing did; the project's default queue has it
        DeadLetter    // nothing did; the dead-letter queue has it ("routing_failed")
    };

    QString messageId;        // assigned by the router when the message had none
    QStringList queues;       // every queue the message is durable in now, in publish order
    QStringList topics;       // topics it was published on: its own, then topic destinations
    QStringList matchedRules; // ids of the rules that matched, in evaluation order
    QStringList webhooks;     // URLs of the webhook deliveries started (asynchronous)
    Fallback fallback = Fallback::None;
    // Exactly-once queues: one of them already had this message_id within its dedup window
    // (a publisher's retry), so it was not stored again there. Counts as received.
    bool duplicate = false;
    // What went wrong without stopping the route: a destination queue that refused the
    // message (the message was dead-lettered instead, see `queues`), a JSONata condition
    // that failed to evaluate (counted as false), a topic loop or the hop limit.
    QList<Error> errors;
};

// How a webhook delivery ended (MessageRouter::webhookFinished).
struct WebhookOutcome
{
    QString messageId;
    QString ruleId;
    QString url;
    int attempts = 0;
    bool delivered = false;   // a 2xx response
    int httpStatus = 0;       // of the last response; 0 when there was none
    QString error;            // why the last attempt failed (empty when delivered)
    QString deadLetterQueue;  // not delivered: where the message went; empty when even
                              // dead-lettering failed (`error` says why)
};

// Routes topic publishes by the project's routing rules (docs/broker-routing.md).
//
// route() delivers the message to the queues bound to its topic (the broker's bindings),
// then tries the rules whose topic pattern matches, in ascending priority (stable by
// project order); each matching rule adds its destinations and a rule with "stop" ends the
// evaluation. Queue destinations are published to; topic destinations are routed again
// (bindings and rules of that topic; see maxHops); webhook destinations are POSTed
// asynchronously. When nothing received the message, the project's "unrouted" policy puts
// it in the default queue or dead-letters it ("routing_failed", original_topic set).
//
// What route() confirms: when it returns a RouteResult, the message is durable in every
// queue listed in RouteResult::queues (the broker committed it). A queue destination that
// refuses the message is dead-lettered and reported in RouteResult::errors. Webhooks are
// not confirmed: they run on the router's own thread, retried on connection errors,
// timeouts, 408, 429 and 5xx with exponential backoff, and after the last retry (or at
// once on any other status) the message is dead-lettered with reason routing_failed;
// webhookFinished() reports each one. A webhook delivery lives in memory only: when the
// router is destroyed, deliveries still pending are dead-lettered; a crash loses them.
// route() fails (and nothing is stored) only when the message is stored nowhere and
// could not be put where the unrouted policy says: "broker_no_route", or the broker's
// error; an invalid topic is "broker_invalid_message".
//
// Threading: route() and matchingRules() may be called from any thread at once; they block
// until the broker has committed. webhookFinished() is emitted in the thread the router
// lives in (it needs an event loop). Destroy the router before the broker.
class MessageRouter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageRouter)

public:
    // Compiles every rule; errors name the rule, its file and the JSON pointer of what is
    // wrong (code "broker_invalid_rule"; all problems in Error::details when there are
    // several). `broker` must outlive the router.
    static Result<std::unique_ptr<MessageRouter>> create(const QList<Model::RoutingRule> &rules,
                                                          const Model::ProjectSettings &settings,
                                                          MessageBroker &broker,
                                                          const MessageRouterOptions &options = {});
    static Result<std::unique_ptr<MessageRouter>> create(const Model::Project &project,
                                                          MessageBroker &broker,
                                                          const MessageRouterOptions &options = {});
    ~MessageRouter() override;

    Result<RouteResult> route(Message message);

    // The ids of the rules that match `message` on its own topic, in evaluation order and
    // honouring "stop", without publishing anything (for the studio's rule tester).
    // Expression evaluation errors are appended to `errors` when given.
    QStringList matchingRules(const Message &message, QList<Error> *errors = nullptr) const;

    // Webhook deliveries started and not finished yet.
    int pendingWebhooks() const { return m_pendingWebhooks.load(std::memory_order_relaxed); }

Q_SIGNALS:
    void webhookFinished(const Conflux::Broker::WebhookOutcome &outcome);

private:
    struct RouteState;

    MessageRouter(MessageBroker &broker, const MessageRouterOptions &options);
    void routeTopic(const Message &message, const QString &topic, int hop, RouteState &state);
    void publishToRuleQueue(const Message &message, const QString &queue, const QString &location,
                            RouteState &state);
    void startWebhooks(RouteState &state);
    void webhookDone(const WebhookOutcome &outcome);

    MessageBroker &m_broker;
    MessageRouterOptions m_options;
    std::vector<Internal::CompiledRule> m_rules; // sorted by priority, stable
    bool m_unroutedToDefaultQueue = false;
    QString m_defaultQueue;
    QString m_deadLetterQueue;
    std::atomic<int> m_pendingWebhooks{0};
    QThread *m_webhookThread = nullptr;                        // owned (child); only with webhooks
    std::unique_ptr<Internal::WebhookDispatcher> m_dispatcher; // lives in m_webhookThread
};

} // namespace Conflux::Broker
