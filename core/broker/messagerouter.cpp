#include "messagerouter.h"

#include "broker/messagebroker.h"
#include "broker/routingcondition_p.h"
#include "broker/topicpattern.h"
#include "broker/webhookdispatcher_p.h"
#include "model/project.h"

#include <QJsonObject>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;

namespace Conflux::Broker {

namespace Internal {

struct CompiledDestination
{
    enum class Type : quint8 { Queue, Topic, Webhook };
    Type type = Type::Queue;
    QString name;                                  // the queue or topic
    std::shared_ptr<const WebhookTarget> webhook;  // webhooks
    QString location;                              // for errors
};

struct CompiledRule
{
    QString id;
    QString topic;
    int priority = 0;
    bool stop = false;
    ConditionSet conditions;
    std::vector<CompiledDestination> destinations;
};

} // namespace Internal

namespace {

using Internal::CompiledDestination;
using Internal::CompiledRule;
using Internal::RoutingTr;
using Internal::ruleLocation;

Error invalidRule(const QString &message)
{
    return Error{u"broker_invalid_rule"_s, message, {}, -1};
}

void appendUnique(QStringList &list, const QString &item)
{
    if (!list.contains(item))
        list.append(item);
}

bool isHeaderToken(const QString &name)
{
    if (name.isEmpty())
        return false;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')
            || QStringView(u"!#$%&'*+-.^_`|~").contains(c);
        if (!ok)
            return false;
    }
    return true;
}

std::optional<CompiledDestination> compileDestination(const QJsonValue &json, const QString &location,
                                                      const MessageRouterOptions &options,
                                                      QStringList &problems)
{
    if (!json.isObject()) {
        problems.append(RoutingTr::tr("%1: a destination is an object").arg(location));
        return std::nullopt;
    }
    const QJsonObject o = json.toObject();
    static constexpr QLatin1StringView known[] = {QLatin1StringView("type"), QLatin1StringView("queue"),
                                                  QLatin1StringView("topic"), QLatin1StringView("url"),
                                                  QLatin1StringView("retries"), QLatin1StringView("headers")};
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (std::find(std::begin(known), std::end(known), it.key()) == std::end(known)) {
            problems.append(RoutingTr::tr("%1: unknown member '%2'").arg(location, it.key()));
            return std::nullopt;
        }
    }

    CompiledDestination destination;
    destination.location = location;
    const QString type = o.value(u"type"_s).toString();
    if (type == u"queue") {
        destination.type = CompiledDestination::Type::Queue;
        destination.name = o.value(u"queue"_s).toString();
        if (destination.name.isEmpty()) {
            problems.append(RoutingTr::tr("%1/queue: a queue destination names its queue").arg(location));
            return std::nullopt;
        }
        return destination;
    }
    if (type == u"topic") {
        destination.type = CompiledDestination::Type::Topic;
        destination.name = o.value(u"topic"_s).toString();
        const QString problem = topicProblem(destination.name);
        if (!problem.isEmpty()) {
            problems.append(RoutingTr::tr("%1/topic: '%2': %3").arg(location, destination.name, problem));
            return std::nullopt;
        }
        return destination;
    }
    if (type != u"webhook") {
        problems.append(RoutingTr::tr("%1/type: '%2' is not a destination type (queue, topic or webhook)")
                            .arg(location, type));
        return std::nullopt;
    }

    destination.type = CompiledDestination::Type::Webhook;
    auto target = std::make_shared<Internal::WebhookTarget>();
    const QString url = o.value(u"url"_s).toString();
    target->url = QUrl(url, QUrl::StrictMode);
    if (!target->url.isValid() || target->url.host().isEmpty()
        || (target->url.scheme() != u"http" && target->url.scheme() != u"https")) {
        problems.append(RoutingTr::tr("%1/url: '%2' is not an http or https URL").arg(location, url));
        return std::nullopt;
    }
    target->retries = options.defaultWebhookRetries;
    if (o.contains(u"retries"_s)) {
        const double retries = o.value(u"retries"_s).toDouble(-1);
        if (retries < 0 || retries > 20 || retries != std::floor(retries)) {
            problems.append(RoutingTr::tr("%1/retries: an integer from 0 to 20").arg(location));
            return std::nullopt;
        }
        target->retries = int(retries);
    }
    const QJsonValue headers = o.value(u"headers"_s);
    if (!headers.isUndefined() && !headers.isObject()) {
        problems.append(RoutingTr::tr("%1/headers: an object of header names and values").arg(location));
        return std::nullopt;
    }
    const QJsonObject headerObject = headers.toObject();
    for (auto it = headerObject.begin(); it != headerObject.end(); ++it) {
        const QString where = location + u"/headers/"_s + it.key();
        if (!isHeaderToken(it.key())) {
            problems.append(RoutingTr::tr("%1: '%2' is not a valid header name").arg(where, it.key()));
            return std::nullopt;
        }
        Internal::WebhookHeader header;
        header.name = it.key().toLatin1();
        if (const auto secret = Model::secretReference(it.value())) {
            if (!options.resolveSecret) {
                problems.append(RoutingTr::tr("%1: refers to secret '%2', but the router has no secret "
                                              "resolver").arg(where, *secret));
                return std::nullopt;
            }
            header.secret = *secret;
        } else if (it.value().isString()) {
            const QString value = it.value().toString();
            if (value.contains(u'\r') || value.contains(u'\n') || value.contains(QChar(0))) {
                problems.append(RoutingTr::tr("%1: a header value cannot contain line breaks").arg(where));
                return std::nullopt;
            }
            header.value = value.toUtf8();
        } else {
            problems.append(RoutingTr::tr("%1: a header value is a string or {\"secret\": \"name\"}").arg(where));
            return std::nullopt;
        }
        target->headers.append(std::move(header));
    }
    destination.webhook = std::move(target);
    return destination;
}

std::optional<CompiledRule> compileRule(const Model::RoutingRule &rule, const MessageRouterOptions &options,
                                        QStringList &problems)
{
    const QString &id = rule.document.id;
    const QString &file = rule.document.file;
    const qsizetype before = problems.size();
    CompiledRule compiled;
    compiled.id = id;
    compiled.topic = rule.topic;
    compiled.priority = rule.priority;
    compiled.stop = rule.stop;

    const QString topicProblemText = rule.topic.isEmpty() ? RoutingTr::tr("a rule names its topic pattern")
                                                          : topicPatternProblem(rule.topic);
    if (!topicProblemText.isEmpty()) {
        problems.append(RoutingTr::tr("%1: '%2': %3")
                            .arg(ruleLocation(id, file, u"/topic"_s), rule.topic, topicProblemText));
    }

    auto conditions = Internal::ConditionSet::compile(rule.conditions, rule.match, id, file);
    if (conditions) {
        compiled.conditions = std::move(conditions.value());
    } else if (conditions.error().details.isEmpty()) {
        problems.append(conditions.error().message);
    } else {
        problems.append(conditions.error().details);
    }

    if (rule.destinations.isEmpty()) {
        problems.append(RoutingTr::tr("%1: a rule needs at least one destination")
                            .arg(ruleLocation(id, file, u"/destinations"_s)));
    }
    for (qsizetype i = 0; i < rule.destinations.size(); ++i) {
        const QString location = ruleLocation(id, file, u"/destinations/%1"_s.arg(i));
        if (auto destination = compileDestination(rule.destinations.at(i), location, options, problems))
            compiled.destinations.push_back(std::move(*destination));
    }
    if (problems.size() != before)
        return std::nullopt;
    return compiled;
}

} // namespace

struct MessageRouter::RouteState
{
    RouteResult result;
    std::vector<Internal::WebhookJob> webhooks;
};

MessageRouter::MessageRouter(MessageBroker &broker, const MessageRouterOptions &options)
    : m_broker(broker)
    , m_options(options)
{
}

Result<std::unique_ptr<MessageRouter>> MessageRouter::create(const Model::Project &project,
                                                             MessageBroker &broker,
                                                             const MessageRouterOptions &options)
{
    return create(project.routingRules, project.settings, broker, options);
}

Result<std::unique_ptr<MessageRouter>> MessageRouter::create(const QList<Model::RoutingRule> &rules,
                                                             const Model::ProjectSettings &settings,
                                                             MessageBroker &broker,
                                                             const MessageRouterOptions &options)
{
    QStringList problems;
    std::vector<CompiledRule> compiled;
    compiled.reserve(size_t(rules.size()));
    bool hasWebhooks = false;
    for (const Model::RoutingRule &rule : rules) {
        if (auto c = compileRule(rule, options, problems)) {
            for (const CompiledDestination &d : c->destinations)
                hasWebhooks = hasWebhooks || d.type == CompiledDestination::Type::Webhook;
            compiled.push_back(std::move(*c));
        }
    }

    const QString settingsFile = settings.document.file.isEmpty() ? u"project.json"_s : settings.document.file;
    const bool toDefaultQueue = settings.unrouted == u"default_queue";
    if (!toDefaultQueue && !settings.unrouted.isEmpty() && settings.unrouted != u"dead_letter") {
        problems.append(RoutingTr::tr("%1 at /broker/unrouted: '%2' is not 'default_queue' or 'dead_letter'")
                            .arg(settingsFile, settings.unrouted));
    }
    if (toDefaultQueue && settings.defaultQueue.isEmpty()) {
        problems.append(RoutingTr::tr("%1 at /broker/default_queue: unrouted messages go to the default "
                                      "queue, but none is named").arg(settingsFile));
    }
    if (hasWebhooks && settings.deadLetterQueue.isEmpty()) {
        problems.append(RoutingTr::tr("%1 at /broker/dead_letter_queue: webhook destinations need the "
                                      "project's dead-letter queue for deliveries that fail")
                            .arg(settingsFile));
    }
    if (!problems.isEmpty()) {
        Error error = invalidRule(problems.first());
        if (problems.size() > 1)
            error.details = problems;
        return error;
    }

    std::stable_sort(compiled.begin(), compiled.end(),
                     [](const CompiledRule &a, const CompiledRule &b) { return a.priority < b.priority; });

    std::unique_ptr<MessageRouter> router(new MessageRouter(broker, options));
    router->m_rules = std::move(compiled);
    router->m_unroutedToDefaultQueue = toDefaultQueue;
    router->m_defaultQueue = settings.defaultQueue;
    router->m_deadLetterQueue = settings.deadLetterQueue;
    if (hasWebhooks) {
        MessageRouter *self = router.get();
        router->m_webhookThread = new QThread(self);
        router->m_webhookThread->setObjectName(u"conflux-webhooks"_s);
        router->m_dispatcher = std::make_unique<Internal::WebhookDispatcher>(
            broker, settings.deadLetterQueue, options,
            [self](const WebhookOutcome &outcome) { self->webhookDone(outcome); });
        router->m_dispatcher->moveToThread(router->m_webhookThread);
        router->m_webhookThread->start();
    }
    return router;
}

MessageRouter::~MessageRouter()
{
    if (!m_dispatcher)
        return;
    Internal::WebhookDispatcher *dispatcher = m_dispatcher.get();
    QThread *home = thread();
    QMetaObject::invokeMethod(
        dispatcher,
        [dispatcher, home] {
            dispatcher->shutdown();
            dispatcher->moveToThread(home); // so that it can be deleted below
        },
        Qt::BlockingQueuedConnection);
    m_webhookThread->quit();
    m_webhookThread->wait();
    m_dispatcher.reset();
}

void MessageRouter::webhookDone(const WebhookOutcome &outcome)
{
    m_pendingWebhooks.fetch_sub(1, std::memory_order_relaxed);
    QMetaObject::invokeMethod(this, [this, outcome] { Q_EMIT webhookFinished(outcome); },
                              Qt::QueuedConnection);
}

QStringList MessageRouter::matchingRules(const Message &message, QList<Error> *errors) const
{
    QStringList ids;
    const Internal::RoutingInput input(message);
    for (const CompiledRule &rule : m_rules) {
        if (!topicMatches(rule.topic, message.topic))
            continue;
        if (!rule.conditions.evaluate(input, m_options.expressionLimits, errors))
            continue;
        ids.append(rule.id);
        if (rule.stop)
            break;
    }
    return ids;
}

Result<RouteResult> MessageRouter::route(Message message)
{
    if (const QString problem = topicProblem(message.topic); !problem.isEmpty()) {
        return Error{u"broker_invalid_message"_s,
                     RoutingTr::tr("topic '%1': %2").arg(message.topic, problem), {}, -1};
    }
    // Every copy (queues, webhooks, dead letters) carries the same id.
    if (message.messageId.isEmpty())
        message.messageId = newMessageId();

    RouteState state;
    state.result.messageId = message.messageId;
    routeTopic(message, message.topic, 0, state);

    if (!state.result.queues.isEmpty() || !state.webhooks.empty() || state.result.duplicate) {
        startWebhooks(state);
        return std::move(state.result);
    }

    // Nothing received it: the project's unrouted policy.
    QString refusal;
    if (m_unroutedToDefaultQueue) {
        auto receipt = m_broker.publish(m_defaultQueue, message);
        if (receipt) {
            state.result.queues.append(m_defaultQueue);
            state.result.fallback = RouteResult::Fallback::DefaultQueue;
            return std::move(state.result);
        }
        refusal = RoutingTr::tr("the default queue '%1' refused it: %2")
                      .arg(m_defaultQueue, receipt.error().message);
        state.result.errors.append(receipt.error());
    }
    auto where = Internal::deadLetter(m_broker, m_deadLetterQueue, message);
    if (where) {
        state.result.queues.append(*where);
        state.result.fallback = RouteResult::Fallback::DeadLetter;
        return std::move(state.result);
    }
    QStringList details;
    for (const Error &e : std::as_const(state.result.errors))
        details.append(e.message);
    if (!refusal.isEmpty())
        refusal += u"; "_s;
    refusal += RoutingTr::tr("dead-lettering failed: %1").arg(where.error().message);
    return Error{where.error().code,
                 RoutingTr::tr("message '%1' on topic '%2' reached no queue (no bound queue, no matching "
                               "routing rule with a working destination); %3")
                     .arg(message.messageId, message.topic, refusal),
                 details, -1};
}

void MessageRouter::routeTopic(const Message &message, const QString &topic, int hop, RouteState &state)
{
    RouteResult &result = state.result;
    if (hop > m_options.maxHops) {
        result.errors.append(Error{u"broker_routing_loop"_s,
                                   RoutingTr::tr("topic '%1' not routed: more than %2 topic hops")
                                       .arg(topic)
                                       .arg(m_options.maxHops),
                                   {}, -1});
        return;
    }
    if (result.topics.contains(topic)) {
        result.errors.append(Error{u"broker_routing_loop"_s,
                                   RoutingTr::tr("topic '%1' not routed again: it was already routed for "
                                                 "this message (a loop: %2)")
                                       .arg(topic, result.topics.join(u" → "_s)),
                                   {}, -1});
        return;
    }
    result.topics.append(topic);

    std::optional<Message> retargeted;
    if (message.topic != topic) {
        retargeted = message;
        retargeted->topic = topic;
    }
    const Message &current = retargeted ? *retargeted : message;

    // The broker's own bindings.
    auto receipt = m_broker.publishToTopic(current);
    if (receipt) {
        for (const QString &queue : std::as_const(receipt->queues))
            appendUnique(result.queues, queue);
        result.duplicate = result.duplicate || receipt->duplicate;
    } else if (receipt.error().code != u"broker_no_route") {
        result.errors.append(Error{receipt.error().code,
                                   RoutingTr::tr("topic '%1': the bound queues refused the message: %2")
                                       .arg(topic, receipt.error().message),
                                   {}, -1});
        auto where = Internal::deadLetter(m_broker, m_deadLetterQueue, current);
        if (where)
            appendUnique(result.queues, *where);
        else
            result.errors.append(where.error());
    }

    const Internal::RoutingInput input(current);
    for (const CompiledRule &rule : m_rules) {
        if (!topicMatches(rule.topic, topic))
            continue;
        if (!rule.conditions.evaluate(input, m_options.expressionLimits, &result.errors))
            continue;
        result.matchedRules.append(rule.id);
        for (const CompiledDestination &destination : rule.destinations) {
            switch (destination.type) {
            case CompiledDestination::Type::Queue:
                publishToRuleQueue(current, destination.name, destination.location, state);
                break;
            case CompiledDestination::Type::Topic:
                routeTopic(current, destination.name, hop + 1, state);
                break;
            case CompiledDestination::Type::Webhook:
                state.webhooks.push_back({rule.id, destination.location, destination.webhook, current});
                result.webhooks.append(destination.webhook->url.toString());
                break;
            }
        }
        if (rule.stop)
            break;
    }
}

void MessageRouter::publishToRuleQueue(const Message &message, const QString &queue,
                                       const QString &location, RouteState &state)
{
    RouteResult &result = state.result;
    if (result.queues.contains(queue))
        return; // already there (bound to the topic, or named by an earlier rule)
    auto receipt = m_broker.publish(queue, message);
    if (receipt) {
        // A duplicate (exactly-once) is durable there from an earlier publish.
        result.queues.append(queue);
        result.duplicate = result.duplicate || receipt->duplicate;
        return;
    }
    result.errors.append(Error{receipt.error().code,
                               RoutingTr::tr("%1: queue '%2' refused the message: %3")
                                   .arg(location, queue, receipt.error().message),
                               {}, -1});
    auto where = Internal::deadLetter(m_broker, m_deadLetterQueue, message, queue);
    if (where)
        appendUnique(result.queues, *where);
    else
        result.errors.append(where.error());
}

void MessageRouter::startWebhooks(RouteState &state)
{
    for (Internal::WebhookJob &job : state.webhooks) {
        if (m_pendingWebhooks.fetch_add(1, std::memory_order_relaxed) >= m_options.maxPendingWebhooks) {
            m_pendingWebhooks.fetch_sub(1, std::memory_order_relaxed);
            state.result.errors.append(Error{u"broker_webhook_backlog"_s,
                                             RoutingTr::tr("%1: %2 webhook deliveries are pending; "
                                                           "message dead-lettered instead")
                                                 .arg(job.location)
                                                 .arg(m_options.maxPendingWebhooks),
                                             {}, -1});
            auto where = Internal::deadLetter(m_broker, m_deadLetterQueue, job.message);
            if (where)
                appendUnique(state.result.queues, *where);
            else
                state.result.errors.append(where.error());
            continue;
        }
        Internal::WebhookDispatcher *dispatcher = m_dispatcher.get();
        QMetaObject::invokeMethod(
            dispatcher, [dispatcher, job = std::move(job)]() mutable { dispatcher->start(std::move(job)); },
            Qt::QueuedConnection);
    }
}

} // namespace Conflux::Broker
