#include <broker/embeddedbroker.h>
#include <broker/messagerouter.h>
#include <broker/routingcondition_p.h>
#include <data/json.h>
#include <mapping/jsonata.h>
#include <model/project.h>
#include <model/projectloader.h>

#include "testsupport.h"
#include "webhookserver.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>
#include <mutex>

Q_DECLARE_METATYPE(Conflux::Model::RoutingRule)
Q_DECLARE_METATYPE(Conflux::Model::ProjectSettings)

using namespace Conflux;
using namespace Conflux::Broker;
using Conflux::Test::WebhookServer;
using namespace Qt::StringLiterals;

namespace {

// One JSON value from text (QJsonDocument only parses objects and arrays at the top level).
QJsonValue json(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(u"["_s.append(text).append(u']').toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in test: %s", qPrintable(text));
    return doc.array().at(0);
}

Data::Value value(const QString &text)
{
    auto parsed = Data::Json::parse(text.toUtf8());
    if (!parsed)
        qFatal("bad JSON in test: %s", qPrintable(text));
    return *parsed;
}

Message makeMessage(const QString &payload, const QString &headers = {}, const QString &topic = u"orders.created"_s)
{
    Message m;
    m.topic = topic;
    m.messageId = u"m-1"_s;
    m.payload = value(payload);
    if (!headers.isEmpty())
        m.headers = value(headers).toObject();
    return m;
}

Model::RoutingRule rule(const QString &id, const QString &topic, const QString &conditions,
                        const QString &destinations, int priority = 0, bool stop = false,
                        const QString &match = {})
{
    Model::RoutingRule r;
    r.document.kind = Model::DocumentKind::RoutingRule;
    r.document.id = id;
    r.document.file = u"queues/"_s + id + u".json"_s;
    r.topic = topic;
    r.priority = priority;
    r.stop = stop;
    r.match = match;
    r.conditions = json(conditions).toArray();
    r.destinations = json(destinations).toArray();
    return r;
}

QString queueDestination(const QString &queue)
{
    return uR"([{"type": "queue", "queue": "%1"}])"_s.arg(queue);
}

Model::ProjectSettings settings(const QString &unrouted = u"dead_letter"_s, const QString &defaultQueue = {},
                                const QString &deadLetterQueue = u"dlq"_s)
{
    Model::ProjectSettings s;
    s.document.file = u"project.json"_s;
    s.unrouted = unrouted;
    s.defaultQueue = defaultQueue;
    s.deadLetterQueue = deadLetterQueue;
    return s;
}

// A dead letter's reason and origin in one comparable line.
QString deadLetterOrigin(const Message &m)
{
    return u"%1 topic=%2 queue=%3"_s.arg(deadLetterReasonName(m.dlqReason), m.originalTopic, m.originalQueue);
}

// The real broker, with a record of what was published to which queue (so that the
// router's own part of a dead letter is checked whatever the broker stores).
class RecordingBroker final : public MessageBroker
{
public:
    explicit RecordingBroker(MessageBroker &broker) : m_broker(broker) {}

    QList<Message> publishedTo(const QString &queue) const
    {
        std::lock_guard lock(m_mutex);
        return m_published.value(queue);
    }

    Result<void> open() override { return m_broker.open(); }
    void close() override { m_broker.close(); }
    Result<void> declareQueue(const QueueConfig &config) override { return m_broker.declareQueue(config); }
    QList<QueueConfig> queues() const override { return m_broker.queues(); }
    std::optional<QueueConfig> queue(const QString &name) const override { return m_broker.queue(name); }
    void publishAsync(const QString &queue, Message message, PublishCallback done) override
    {
        {
            std::lock_guard lock(m_mutex);
            m_published[queue].append(message);
        }
        m_broker.publishAsync(queue, std::move(message), std::move(done));
    }
    void publishToTopicAsync(Message message, PublishCallback done) override
    {
        m_broker.publishToTopicAsync(std::move(message), std::move(done));
    }
    Result<QList<PublishReceipt>> publishBatch(const QString &queue, QList<Message> messages) override
    {
        return m_broker.publishBatch(queue, std::move(messages));
    }
    void receiveAsync(const QString &queue, const ReceiveOptions &options, ReceiveCallback done) override
    {
        m_broker.receiveAsync(queue, options, std::move(done));
    }
    void ackAsync(const QString &queue, const QStringList &handles, const AckOptions &options,
                  SettleCallback done) override
    {
        m_broker.ackAsync(queue, handles, options, std::move(done));
    }
    void nackAsync(const QString &queue, const QStringList &handles, const NackOptions &options,
                   SettleCallback done) override
    {
        m_broker.nackAsync(queue, handles, options, std::move(done));
    }
    Result<int> releaseConsumer(const QString &queue, const QString &consumerId) override
    {
        return m_broker.releaseConsumer(queue, consumerId);
    }
    Result<bool> processed(const QString &queue, const QString &group, const QString &messageId) override
    {
        return m_broker.processed(queue, group, messageId);
    }
    Result<QList<QueueStats>> stats() override { return m_broker.stats(); }
    Result<QList<Message>> browse(const QString &queue, int offset, int limit) override
    {
        return m_broker.browse(queue, offset, limit);
    }
    Result<int> replay(const QString &deadLetterQueue, const QStringList &messageIds) override
    {
        return m_broker.replay(deadLetterQueue, messageIds);
    }
    Result<int> purge(const QString &queue) override { return m_broker.purge(queue); }
    BrokerCounters counters() const override { return m_broker.counters(); }

private:
    MessageBroker &m_broker;
    mutable std::mutex m_mutex;
    QHash<QString, QList<Message>> m_published;
};

} // namespace

class tst_MessageRouter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup();

    // Conditions
    void fieldOperators_data();
    void fieldOperators();
    void fieldPathErrors_data();
    void fieldPathErrors();
    void compileErrors_data();
    void compileErrors();
    void severalCompileErrors();
    void allAndAny_data();
    void allAndAny();
    void expressions_data();
    void expressions();
    void expressionEvaluationError();
    void truthinessMatchesJsonataBoolean_data();
    void truthinessMatchesJsonataBoolean();

    // Router
    void createErrors_data();
    void createErrors();
    void sampleProjectRule();
    void boundQueuesAndRules();
    void priorityOrderAndStop();
    void ruleQueueAlreadyBound();
    void topicDestinations();
    void topicLoopsAndHopLimit();
    void unroutedToDefaultQueue();
    void unroutedToDeadLetterQueue();
    void unroutedWithoutDeadLetterQueue();
    void failedQueueDestinationIsDeadLettered();
    void invalidTopic();
    void exactlyOnceDuplicateCountsAsReceived();
    void webhookRetriesThenDelivers();
    void webhookGivesUpToDeadLetterQueue();
    void webhookConnectionRefused();
    void webhookClientErrorIsNotRetried();
    void webhookSecretHeader();
    void webhookPendingAtShutdownIsDeadLettered();

private:
    EmbeddedBroker &broker();
    RecordingBroker &recorder();
    QList<Message> contents(const QString &queue);
    std::unique_ptr<MessageRouter> makeRouter(const QList<Model::RoutingRule> &rules,
                                              const Model::ProjectSettings &s = settings(),
                                              MessageRouterOptions options = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EmbeddedBroker> m_broker;
    std::unique_ptr<RecordingBroker> m_recorder; // what routers publish through
};

// The broker is opened on first use only: condition tests (most data rows) do not need one.
EmbeddedBroker &tst_MessageRouter::broker()
{
    if (m_broker)
        return *m_broker;
    m_dir = std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid())
        qFatal("no temporary directory");
    m_broker = std::make_unique<EmbeddedBroker>(EmbeddedBroker::Options{m_dir->filePath(u"broker.db"_s)});
    if (auto opened = m_broker->open(); !opened)
        qFatal("broker open failed: %s", qPrintable(opened.error().message));
    m_recorder = std::make_unique<RecordingBroker>(*m_broker);
    auto declare = [this](const QString &name, const QStringList &topics, QueueType type = QueueType::Standard) {
        QueueConfig c;
        c.name = name;
        c.type = type;
        c.topics = topics;
        auto declared = m_broker->declareQueue(c);
        if (!declared)
            qFatal("declareQueue failed: %s", qPrintable(declared.error().message));
    };
    declare(u"orders"_s, {u"orders.created"_s});
    declare(u"audit"_s, {u"audit.#"_s});
    declare(u"high"_s, {});
    declare(u"low"_s, {});
    declare(u"fallback"_s, {});
    declare(u"dlq"_s, {}, QueueType::DeadLetter);
    return *m_broker;
}

RecordingBroker &tst_MessageRouter::recorder()
{
    broker();
    return *m_recorder;
}

void tst_MessageRouter::cleanup()
{
    m_recorder.reset();
    m_broker.reset();
    m_dir.reset();
}

QList<Message> tst_MessageRouter::contents(const QString &queue)
{
    auto messages = broker().browse(queue, 0, 1000);
    if (!messages)
        qFatal("browse failed: %s", qPrintable(messages.error().message));
    return *messages;
}

std::unique_ptr<MessageRouter> tst_MessageRouter::makeRouter(const QList<Model::RoutingRule> &rules,
                                                             const Model::ProjectSettings &s,
                                                             MessageRouterOptions options)
{
    auto router = MessageRouter::create(rules, s, recorder(), options);
    if (!router)
        qFatal("MessageRouter::create failed: %s", qPrintable(router.error().toString()));
    return std::move(router.value());
}

// --- conditions

void tst_MessageRouter::fieldOperators_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("op");
    QTest::addColumn<QString>("value");   // JSON; empty: no "value" member
    QTest::addColumn<QString>("payload");
    QTest::addColumn<QString>("headers");
    QTest::addColumn<bool>("expected");

    const QString order = uR"({"total_amount": 1500, "currency": "EUR", "note": "Rush order",
        "created": "2026-11-22T10:00:00Z", "tags": ["b2b", 7, {"k": 1}], "customer": {"tier": "gold",
        "address": {"city": "Köln"}}, "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 1}],
        "discount": null, "a.b": "dotted", "matrix": [[1, 2], [3, 4]], "flag": true})"_s;
    const QString headers = uR"({"channel": "web", "Content-Type": "application/json",
        "meta": {"region": "eu"}, "retries": "3"})"_s;

    // equals / not_equals: deep equality, numbers by value, no conversions
    QTest::addRow("equals number") << u"payload.total_amount"_s << u"equals"_s << u"1500"_s << order << headers << true;
    QTest::addRow("equals 1 == 1.0") << u"payload.items[0].qty"_s << u"equals"_s << u"2.0"_s << order << headers << true;
    QTest::addRow("equals string") << u"payload.currency"_s << u"equals"_s << uR"("EUR")"_s << order << headers << true;
    QTest::addRow("equals is case-sensitive") << u"payload.currency"_s << u"equals"_s << uR"("eur")"_s << order << headers << false;
    QTest::addRow("equals no string-number conversion") << u"headers.retries"_s << u"equals"_s << u"3"_s << order << headers << false;
    QTest::addRow("equals object, any member order") << u"payload.customer.address"_s << u"equals"_s << uR"({"city": "Köln"})"_s << order << headers << true;
    QTest::addRow("equals array") << u"payload.matrix[1]"_s << u"equals"_s << u"[3, 4]"_s << order << headers << true;
    QTest::addRow("equals array order matters") << u"payload.matrix[1]"_s << u"equals"_s << u"[4, 3]"_s << order << headers << false;
    QTest::addRow("equals null") << u"payload.discount"_s << u"equals"_s << u"null"_s << order << headers << true;
    QTest::addRow("equals bool") << u"payload.flag"_s << u"equals"_s << u"true"_s << order << headers << true;
    QTest::addRow("equals missing field") << u"payload.nothing"_s << u"equals"_s << u"null"_s << order << headers << false;
    QTest::addRow("not_equals different") << u"payload.currency"_s << u"not_equals"_s << uR"("USD")"_s << order << headers << true;
    QTest::addRow("not_equals same") << u"payload.total_amount"_s << u"not_equals"_s << u"1500.0"_s << order << headers << false;
    QTest::addRow("not_equals other type") << u"headers.retries"_s << u"not_equals"_s << u"3"_s << order << headers << true;
    QTest::addRow("not_equals missing field") << u"payload.nothing"_s << u"not_equals"_s << uR"("x")"_s << order << headers << false;

    // greater_than / less_than: numbers, or strings as strings; mixed types never
    QTest::addRow("greater_than number") << u"payload.total_amount"_s << u"greater_than"_s << u"1000"_s << order << headers << true;
    QTest::addRow("greater_than equal is false") << u"payload.total_amount"_s << u"greater_than"_s << u"1500"_s << order << headers << false;
    QTest::addRow("greater_than fraction") << u"payload.total_amount"_s << u"greater_than"_s << u"1499.99"_s << order << headers << true;
    QTest::addRow("greater_than string") << u"payload.currency"_s << u"greater_than"_s << uR"("CHF")"_s << order << headers << true;
    QTest::addRow("greater_than ISO date") << u"payload.created"_s << u"greater_than"_s << uR"("2026-01-01")"_s << order << headers << true;
    QTest::addRow("greater_than string vs number") << u"headers.retries"_s << u"greater_than"_s << u"1"_s << order << headers << false;
    QTest::addRow("greater_than number vs string") << u"payload.total_amount"_s << u"greater_than"_s << uR"("1000")"_s << order << headers << false;
    QTest::addRow("greater_than bool") << u"payload.flag"_s << u"greater_than"_s << u"0"_s << order << headers << false;
    QTest::addRow("greater_than null") << u"payload.discount"_s << u"greater_than"_s << u"0"_s << order << headers << false;
    QTest::addRow("greater_than missing") << u"payload.nothing"_s << u"greater_than"_s << u"0"_s << order << headers << false;
    QTest::addRow("less_than number") << u"payload.items[1].qty"_s << u"less_than"_s << u"2"_s << order << headers << true;
    QTest::addRow("less_than equal is false") << u"payload.items[1].qty"_s << u"less_than"_s << u"1"_s << order << headers << false;
    QTest::addRow("less_than ISO date") << u"payload.created"_s << u"less_than"_s << uR"("2026-11-22T10:00:01Z")"_s << order << headers << true;
    QTest::addRow("less_than string code units") << u"payload.note"_s << u"less_than"_s << uR"("rush")"_s << order << headers << true;
    QTest::addRow("less_than array") << u"payload.tags"_s << u"less_than"_s << u"100"_s << order << headers << false;

    // contains: substring of a string, element of an array
    QTest::addRow("contains substring") << u"payload.note"_s << u"contains"_s << uR"("sh or")"_s << order << headers << true;
    QTest::addRow("contains is case-sensitive") << u"payload.note"_s << u"contains"_s << uR"("rush")"_s << order << headers << false;
    QTest::addRow("contains array string") << u"payload.tags"_s << u"contains"_s << uR"("b2b")"_s << order << headers << true;
    QTest::addRow("contains array number") << u"payload.tags"_s << u"contains"_s << u"7.0"_s << order << headers << true;
    QTest::addRow("contains array object") << u"payload.tags"_s << u"contains"_s << uR"({"k": 1})"_s << order << headers << true;
    QTest::addRow("contains array no substring") << u"payload.tags"_s << u"contains"_s << uR"("b2")"_s << order << headers << false;
    QTest::addRow("contains string, number value") << u"headers.retries"_s << u"contains"_s << u"3"_s << order << headers << false;
    QTest::addRow("contains number field") << u"payload.total_amount"_s << u"contains"_s << u"5"_s << order << headers << false;
    QTest::addRow("contains object field") << u"payload.customer"_s << u"contains"_s << uR"("tier")"_s << order << headers << false;
    QTest::addRow("contains missing") << u"payload.nothing"_s << u"contains"_s << uR"("x")"_s << order << headers << false;

    // matches: a regular expression found anywhere in a string
    QTest::addRow("matches") << u"payload.items[0].sku"_s << u"matches"_s << uR"("^[A-Z]-\\d+$")"_s << order << headers << true;
    QTest::addRow("matches unanchored") << u"payload.note"_s << u"matches"_s << uR"("ush")"_s << order << headers << true;
    QTest::addRow("matches no match") << u"payload.note"_s << u"matches"_s << uR"("^ush")"_s << order << headers << false;
    QTest::addRow("matches inline flag") << u"payload.note"_s << u"matches"_s << uR"("(?i)^RUSH")"_s << order << headers << true;
    QTest::addRow("matches unicode") << u"payload.customer.address.city"_s << u"matches"_s << uR"("^K.ln$")"_s << order << headers << true;
    QTest::addRow("matches number field") << u"payload.total_amount"_s << u"matches"_s << uR"("1500")"_s << order << headers << false;
    QTest::addRow("matches missing") << u"payload.nothing"_s << u"matches"_s << uR"(".*")"_s << order << headers << false;

    // exists
    QTest::addRow("exists") << u"payload.customer.tier"_s << u"exists"_s << QString() << order << headers << true;
    QTest::addRow("exists true") << u"headers.channel"_s << u"exists"_s << u"true"_s << order << headers << true;
    QTest::addRow("exists null counts") << u"payload.discount"_s << u"exists"_s << QString() << order << headers << true;
    QTest::addRow("exists missing") << u"payload.customer.vip"_s << u"exists"_s << QString() << order << headers << false;
    QTest::addRow("exists false, missing") << u"headers.x-trace"_s << u"exists"_s << u"false"_s << order << headers << true;
    QTest::addRow("exists false, present") << u"headers.channel"_s << u"exists"_s << u"false"_s << order << headers << false;

    // in
    QTest::addRow("in") << u"headers.channel"_s << u"in"_s << uR"(["web", "partner"])"_s << order << headers << true;
    QTest::addRow("in not listed") << u"headers.channel"_s << u"in"_s << uR"(["partner"])"_s << order << headers << false;
    QTest::addRow("in numbers") << u"payload.items[0].qty"_s << u"in"_s << u"[1, 2.0, 3]"_s << order << headers << true;
    QTest::addRow("in no conversion") << u"headers.retries"_s << u"in"_s << u"[3]"_s << order << headers << false;
    QTest::addRow("in empty list") << u"headers.channel"_s << u"in"_s << u"[]"_s << order << headers << false;
    QTest::addRow("in missing") << u"headers.nothing"_s << u"in"_s << u"[null]"_s << order << headers << false;

    // paths
    QTest::addRow("nested path") << u"payload.customer.address.city"_s << u"equals"_s << uR"("Köln")"_s << order << headers << true;
    QTest::addRow("last item") << u"payload.items[-1].sku"_s << u"equals"_s << uR"("B-2")"_s << order << headers << true;
    QTest::addRow("nested indexes") << u"payload.matrix[1][0]"_s << u"equals"_s << u"3"_s << order << headers << true;
    QTest::addRow("index out of range") << u"payload.items[2].sku"_s << u"exists"_s << QString() << order << headers << false;
    QTest::addRow("negative out of range") << u"payload.items[-3]"_s << u"exists"_s << QString() << order << headers << false;
    QTest::addRow("name on array") << u"payload.items.sku"_s << u"exists"_s << QString() << order << headers << false;
    QTest::addRow("index on object") << u"payload.customer[0]"_s << u"exists"_s << QString() << order << headers << false;
    QTest::addRow("name on string") << u"payload.currency.length"_s << u"exists"_s << QString() << order << headers << false;
    QTest::addRow("backtick name") << u"payload.`a.b`"_s << u"equals"_s << uR"("dotted")"_s << order << headers << true;
    QTest::addRow("whole payload") << u"payload"_s << u"equals"_s << uR"("plain")"_s << uR"("plain")"_s << headers << true;
    QTest::addRow("payload index") << u"payload[1]"_s << u"equals"_s << u"20"_s << u"[10, 20]"_s << headers << true;
    QTest::addRow("path into null") << u"payload.discount.amount"_s << u"exists"_s << QString() << order << headers << false;
    QTest::addRow("header, any case") << u"headers.content-type"_s << u"equals"_s << uR"("application/json")"_s << order << headers << true;
    QTest::addRow("header path") << u"headers.meta.region"_s << u"equals"_s << uR"("eu")"_s << order << headers << true;
    QTest::addRow("header missing") << u"headers.channel"_s << u"exists"_s << QString() << order << u"{}"_s << false;
}

void tst_MessageRouter::fieldOperators()
{
    QFETCH(QString, field);
    QFETCH(QString, op);
    QFETCH(QString, value);
    QFETCH(QString, payload);
    QFETCH(QString, headers);
    QFETCH(bool, expected);

    QJsonObject condition{{u"field"_s, field}, {u"operator"_s, op}};
    if (!value.isEmpty())
        condition.insert(u"value"_s, json(value));
    auto compiled = Internal::Condition::compile(condition, u"r1"_s, {}, u"/conditions/0"_s);
    QVERIFY2(compiled, qPrintable(compiled ? QString() : compiled.error().message));
    const Message message = makeMessage(payload, headers);
    const Internal::RoutingInput input(message);
    auto result = compiled->evaluate(input, {});
    QVERIFY(result);
    QCOMPARE(*result, expected);
}

void tst_MessageRouter::fieldPathErrors_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("offset");

    QTest::addRow("other root") << u"body.total"_s << u"a field starts with 'headers.' or 'payload'"_s << 0;
    QTest::addRow("headers alone") << u"headers"_s << u"a header field names the header: 'headers.<name>'"_s << 7;
    QTest::addRow("empty name") << u"payload..total"_s << u"empty name at position 8"_s << 8;
    QTest::addRow("trailing dot") << u"payload.items."_s << u"empty name at position 14"_s << 14;
    QTest::addRow("unclosed index") << u"payload.items[0"_s << u"missing ']' after position 13"_s << 13;
    QTest::addRow("index not a number") << u"payload.items[x]"_s << u"an array index is an integer, at position 14"_s << 14;
    QTest::addRow("unterminated backtick") << u"payload.`a.b"_s << u"unterminated backtick name starting at position 8"_s << 8;
    QTest::addRow("junk after root") << u"payloads.x"_s << u"unexpected character 's' at position 7"_s << 7;
    QTest::addRow("junk after index") << u"payload.items[0]x"_s << u"unexpected character 'x' at position 16"_s << 16;
}

void tst_MessageRouter::fieldPathErrors()
{
    QFETCH(QString, field);
    QFETCH(QString, message);
    QFETCH(int, offset);

    auto path = Internal::FieldPath::parse(field);
    QVERIFY(!path);
    QCOMPARE(path.error().message, message);
    QCOMPARE(path.error().offset, offset);

    // Through a rule, the error names the rule, the file and the condition.
    const QJsonObject condition{{u"field"_s, field}, {u"operator"_s, u"exists"_s}};
    auto compiled = Internal::ConditionSet::compile(QJsonArray{QJsonObject{{u"expression"_s, u"true"_s}}, condition},
                                                    {}, u"r1"_s, u"queues/r1.json"_s);
    QVERIFY(!compiled);
    QCOMPARE(compiled.error().code, u"broker_invalid_rule"_s);
    QCOMPARE(compiled.error().message,
             u"routing rule 'r1' (queues/r1.json) at /conditions/1/field: '%1': %2"_s.arg(field, message));
    QCOMPARE(compiled.error().offset, offset);
}

void tst_MessageRouter::compileErrors_data()
{
    QTest::addColumn<QString>("condition");
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("offset");

    const QString at = u"routing rule 'r1' (queues/r1.json) at /conditions/0"_s;
    QTest::addRow("unknown operator")
        << uR"({"field": "payload.a", "operator": "bigger", "value": 1})"_s
        << at + u"/operator: unknown operator 'bigger' (one of equals, not_equals, greater_than, less_than, "
                "contains, matches, exists, in)"_s
        << -1;
    QTest::addRow("missing operator")
        << uR"({"field": "payload.a"})"_s
        << at + u"/operator: missing operator (one of equals, not_equals, greater_than, less_than, contains, "
                "matches, exists, in)"_s
        << -1;
    QTest::addRow("equals without value")
        << uR"({"field": "payload.a", "operator": "equals"})"_s
        << at + u"/value: operator 'equals' needs a value"_s << -1;
    QTest::addRow("greater_than with an array")
        << uR"({"field": "payload.a", "operator": "greater_than", "value": [1]})"_s
        << at + u"/value: operator 'greater_than' needs a number or a string"_s << -1;
    QTest::addRow("less_than without value")
        << uR"({"field": "payload.a", "operator": "less_than"})"_s
        << at + u"/value: operator 'less_than' needs a number or a string"_s << -1;
    QTest::addRow("matches with a number")
        << uR"({"field": "payload.a", "operator": "matches", "value": 5})"_s
        << at + u"/value: operator 'matches' needs a regular expression (a string)"_s << -1;
    QTest::addRow("invalid regex")
        << uR"({"field": "payload.a", "operator": "matches", "value": "ab(c"})"_s
        << at + u"/value: invalid regular expression at position 4: missing closing parenthesis"_s << 4;
    QTest::addRow("in with a string")
        << uR"({"field": "payload.a", "operator": "in", "value": "web"})"_s
        << at + u"/value: operator 'in' needs an array of values"_s << -1;
    QTest::addRow("exists with a string")
        << uR"({"field": "payload.a", "operator": "exists", "value": "yes"})"_s
        << at + u"/value: operator 'exists' needs true, false or no value"_s << -1;
    QTest::addRow("field not a string")
        << uR"({"field": 3, "operator": "exists"})"_s
        << at + u": a condition needs 'field' (a string) and 'operator', or 'expression'"_s << -1;
    QTest::addRow("expression and field")
        << uR"({"expression": "true", "field": "payload.a"})"_s
        << at + u": a condition has either 'expression' or 'field' and 'operator', not both"_s << -1;
    QTest::addRow("empty expression")
        << uR"({"expression": "  "})"_s
        << at + u"/expression: a JSONata expression is a non-empty string"_s << -1;
    QTest::addRow("unknown member")
        << uR"({"field": "payload.a", "operator": "exists", "values": [1]})"_s
        << at + u": unknown member 'values' (a condition has field, operator and value, or expression)"_s << -1;
    QTest::addRow("not an object") << uR"("payload.a > 1")"_s << at + u": a condition is an object"_s << -1;
}

void tst_MessageRouter::compileErrors()
{
    QFETCH(QString, condition);
    QFETCH(QString, message);
    QFETCH(int, offset);

    auto compiled = Internal::ConditionSet::compile(QJsonArray{json(condition)}, u"all"_s, u"r1"_s,
                                                    u"queues/r1.json"_s);
    QVERIFY(!compiled);
    QCOMPARE(compiled.error().code, u"broker_invalid_rule"_s);
    QCOMPARE(compiled.error().message, message);
    QCOMPARE(compiled.error().offset, offset);
    QVERIFY(compiled.error().details.isEmpty());
}

void tst_MessageRouter::severalCompileErrors()
{
    // A JSONata syntax error carries its code and position; every problem is listed.
    const QJsonArray conditions{json(uR"({"field": "payload.total", "operator": "greater_than", "value": 1})"_s),
                                json(uR"({"expression": "payload.total > "})"_s),
                                json(uR"({"field": "payload.x", "operator": "matches", "value": "["})"_s)};
    auto compiled = Internal::ConditionSet::compile(conditions, u"some"_s, u"r9"_s, u"queues/r9.json"_s);
    QVERIFY(!compiled);
    const Error &error = compiled.error();
    QCOMPARE(error.message, u"routing rule 'r9' (queues/r9.json) at /match: match is 'all' or 'any', not 'some'"_s);
    QCOMPARE(error.details.size(), 3);
    QCOMPARE(error.details.at(0), error.message);
    QCOMPARE(error.details.at(1), u"routing rule 'r9' (queues/r9.json) at /conditions/1/expression: JSONata error "
                                   "S0207 at position 16: Unexpected end of expression"_s);
    QVERIFY2(error.details.at(2).startsWith(
                 u"routing rule 'r9' (queues/r9.json) at /conditions/2/value: invalid regular expression"_s),
             qPrintable(error.details.at(2)));

    // Alone, the JSONata error's position is the Error's offset.
    auto alone = Internal::ConditionSet::compile(QJsonArray{conditions.at(1)}, {}, u"r9"_s, {});
    QVERIFY(!alone);
    QCOMPARE(alone.error().offset, 16);
    QVERIFY2(alone.error().message.startsWith(u"routing rule 'r9' at /conditions/0/expression: JSONata error S0"_s),
             qPrintable(alone.error().message));
}

void tst_MessageRouter::allAndAny_data()
{
    QTest::addColumn<QString>("match");
    QTest::addColumn<QString>("conditions");
    QTest::addColumn<bool>("expected");

    const QString t = uR"({"field": "payload.a", "operator": "equals", "value": 1})"_s;
    const QString f = uR"({"field": "payload.a", "operator": "equals", "value": 2})"_s;
    QTest::addRow("all, all true") << u"all"_s << u"[%1, %1]"_s.arg(t) << true;
    QTest::addRow("all, one false") << u"all"_s << u"[%1, %2]"_s.arg(t, f) << false;
    QTest::addRow("all by default") << QString() << u"[%1, %2]"_s.arg(t, f) << false;
    QTest::addRow("any, one true") << u"any"_s << u"[%2, %1]"_s.arg(t, f) << true;
    QTest::addRow("any, none true") << u"any"_s << u"[%1, %1]"_s.arg(f) << false;
    QTest::addRow("any with an expression") << u"any"_s << u"[%1, {\"expression\": \"payload.a = 1\"}]"_s.arg(f) << true;
    QTest::addRow("all, no conditions") << u"all"_s << u"[]"_s << true;
    QTest::addRow("any, no conditions") << u"any"_s << u"[]"_s << true;
}

void tst_MessageRouter::allAndAny()
{
    QFETCH(QString, match);
    QFETCH(QString, conditions);
    QFETCH(bool, expected);

    auto set = Internal::ConditionSet::compile(json(conditions).toArray(), match, u"r1"_s, {});
    QVERIFY2(set, qPrintable(set ? QString() : set.error().message));
    const Message message = makeMessage(u"{\"a\": 1}"_s);
    QCOMPARE(set->evaluate(Internal::RoutingInput(message), {}), expected);
}

void tst_MessageRouter::expressions_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<bool>("expected");

    QTest::addRow("payload") << u"payload.total > 1000 and payload.customer.tier != 'blocked'"_s << true;
    QTest::addRow("headers") << u"headers.channel in ['web', 'partner']"_s << true;
    QTest::addRow("topic") << u"topic = 'orders.created'"_s << true;
    QTest::addRow("message_id") << u"message_id = 'm-1'"_s << true;
    QTest::addRow("priority by name") << u"priority = 'HIGH'"_s << true;
    QTest::addRow("correlation_id") << u"correlation_id = 'c-7'"_s << true;
    QTest::addRow("functions") << u"$count(payload.items[qty > 1]) = 1"_s << true;
    QTest::addRow("false") << u"payload.total < 10"_s << false;
    QTest::addRow("non-empty array is true") << u"payload.items"_s << true;
    QTest::addRow("empty array is false") << u"payload.none"_s << false;
    QTest::addRow("string is true") << u"payload.customer.tier"_s << true;
    QTest::addRow("empty string is false") << u"''"_s << false;
    QTest::addRow("zero is false") << u"0"_s << false;
    QTest::addRow("number is true") << u"payload.total"_s << true;
    QTest::addRow("empty object is false") << u"{}"_s << false;
    QTest::addRow("missing is false") << u"payload.missing"_s << false;
    QTest::addRow("null is false") << u"null"_s << false;
    QTest::addRow("function is false") << u"function($x) { $x }"_s << false;
}

void tst_MessageRouter::expressions()
{
    QFETCH(QString, expression);
    QFETCH(bool, expected);

    auto condition = Internal::Condition::compile(QJsonObject{{u"expression"_s, expression}}, u"r1"_s, {},
                                                  u"/conditions/0"_s);
    QVERIFY2(condition, qPrintable(condition ? QString() : condition.error().message));
    Message message = makeMessage(uR"({"total": 1500, "customer": {"tier": "gold"}, "none": [],
                                      "items": [{"qty": 2}, {"qty": 1}]})"_s,
                                  uR"({"channel": "web"})"_s);
    message.priority = Priority::High;
    message.correlationId = u"c-7"_s;
    auto result = condition->evaluate(Internal::RoutingInput(message), {});
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    QCOMPARE(*result, expected);
}

void tst_MessageRouter::expressionEvaluationError()
{
    const QJsonArray conditions{json(uR"({"expression": "payload.name + 1"})"_s)};
    auto all = Internal::ConditionSet::compile(conditions, u"all"_s, u"r1"_s, u"queues/r1.json"_s);
    QVERIFY(all);
    const Message message = makeMessage(uR"({"name": "x"})"_s);
    QList<Error> errors;
    QCOMPARE(all->evaluate(Internal::RoutingInput(message), {}, &errors), false);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().code, u"T2001"_s);
    QVERIFY2(errors.first().message.startsWith(
                 u"routing rule 'r1' (queues/r1.json) at /conditions/0/expression: JSONata error T2001 at position "_s),
             qPrintable(errors.first().message));

    // An evaluation that exceeds the limits is an error too, not a hang.
    auto deep = Internal::ConditionSet::compile(
        QJsonArray{json(uR"x({"expression": "($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))"})x"_s)},
        {}, u"r2"_s, {});
    QVERIFY(deep);
    errors.clear();
    QCOMPARE(deep->evaluate(Internal::RoutingInput(message), Mapping::EvaluationLimits{50, {}}, &errors), false);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().code, u"U1001"_s);
}

void tst_MessageRouter::truthinessMatchesJsonataBoolean_data()
{
    QTest::addColumn<QString>("value");
    for (const char *v : {"true", "false", "0", "1", "-0.5", "\"\"", "\"a\"", "null", "{}", "{\"a\": null}", "[]",
                          "[0]", "[1]", "[0, false]", "[0, \"\", 1]", "[[0], [0, 1]]", "[[]]", "[{}]"}) {
        QTest::addRow("%s", v) << QString::fromUtf8(v);
    }
}

void tst_MessageRouter::truthinessMatchesJsonataBoolean()
{
    QFETCH(QString, value);
    auto boolean = Mapping::Expression::compile(u"$boolean($v)"_s);
    QVERIFY(boolean);
    auto reference = boolean->evaluate({}, Data::Object{{u"v"_s, ::value(value)}});
    QVERIFY(reference);
    QCOMPARE(Internal::jsonataTruthy(::value(value)), reference->toBool());
}

// --- router

void tst_MessageRouter::createErrors_data()
{
    QTest::addColumn<QList<Model::RoutingRule>>("rules");
    QTest::addColumn<Model::ProjectSettings>("projectSettings");
    QTest::addColumn<QString>("message");

    const Model::ProjectSettings s = settings();
    QTest::addRow("topic pattern") << QList{rule(u"r1"_s, u"orders.#.x#"_s, u"[]"_s, queueDestination(u"high"_s))} << s
                                   << u"routing rule 'r1' (queues/r1.json) at /topic: 'orders.#.x#': "_s;
    QTest::addRow("no destinations") << QList{rule(u"r1"_s, u"orders.*"_s, u"[]"_s, u"[]"_s)} << s
                                     << u"routing rule 'r1' (queues/r1.json) at /destinations: a rule needs at least one destination"_s;
    QTest::addRow("destination type") << QList{rule(u"r1"_s, u"orders.*"_s, u"[]"_s, uR"([{"type": "email"}])"_s)} << s
                                      << u"routing rule 'r1' (queues/r1.json) at /destinations/0/type: 'email' is not a destination type (queue, topic or webhook)"_s;
    QTest::addRow("queue without name") << QList{rule(u"r1"_s, u"orders.*"_s, u"[]"_s, uR"([{"type": "queue"}])"_s)} << s
                                        << u"routing rule 'r1' (queues/r1.json) at /destinations/0/queue: a queue destination names its queue"_s;
    QTest::addRow("wildcard topic destination")
        << QList{rule(u"r1"_s, u"orders.*"_s, u"[]"_s, uR"([{"type": "queue", "queue": "high"}, {"type": "topic", "topic": "audit.*"}])"_s)} << s
        << u"routing rule 'r1' (queues/r1.json) at /destinations/1/topic: 'audit.*': "_s;
    QTest::addRow("webhook url") << QList{rule(u"r1"_s, u"orders.*"_s, u"[]"_s, uR"([{"type": "webhook", "url": "ftp://x/y"}])"_s)} << s
                                 << u"routing rule 'r1' (queues/r1.json) at /destinations/0/url: 'ftp://x/y' is not an http or https URL"_s;
    QTest::addRow("webhook retries") << QList{rule(u"r1"_s, u"orders.*"_s, u"[]"_s, uR"([{"type": "webhook", "url": "http://x/y", "retries": 21}])"_s)} << s
                                     << u"routing rule 'r1' (queues/r1.json) at /destinations/0/retries: an integer from 0 to 20"_s;
    QTest::addRow("webhook header")
        << QList{rule(u"r1"_s, u"orders.*"_s, u"[]"_s, uR"([{"type": "webhook", "url": "http://x/y", "headers": {"X-A": "a\nb"}}])"_s)} << s
        << u"routing rule 'r1' (queues/r1.json) at /destinations/0/headers/X-A: a header value cannot contain line breaks"_s;
    QTest::addRow("webhook secret without resolver")
        << QList{rule(u"r1"_s, u"orders.*"_s, u"[]"_s, uR"([{"type": "webhook", "url": "http://x/y", "headers": {"Authorization": {"secret": "hook.token"}}}])"_s)} << s
        << u"routing rule 'r1' (queues/r1.json) at /destinations/0/headers/Authorization: refers to secret 'hook.token', but the router has no secret resolver"_s;
    QTest::addRow("webhook without dead-letter queue")
        << QList{rule(u"r1"_s, u"orders.*"_s, u"[]"_s, uR"([{"type": "webhook", "url": "http://x/y"}])"_s)} << settings(u"dead_letter"_s, {}, {})
        << u"project.json at /broker/dead_letter_queue: webhook destinations need the project's dead-letter queue for deliveries that fail"_s;
    QTest::addRow("default queue not named") << QList<Model::RoutingRule>{} << settings(u"default_queue"_s, {})
                                             << u"project.json at /broker/default_queue: unrouted messages go to the default queue, but none is named"_s;
    QTest::addRow("unrouted policy") << QList<Model::RoutingRule>{} << settings(u"drop"_s)
                                     << u"project.json at /broker/unrouted: 'drop' is not 'default_queue' or 'dead_letter'"_s;
    QTest::addRow("condition") << QList{rule(u"r1"_s, u"orders.*"_s, uR"([{"field": "payload.a", "operator": "in", "value": 1}])"_s, queueDestination(u"high"_s))} << s
                               << u"routing rule 'r1' (queues/r1.json) at /conditions/0/value: operator 'in' needs an array of values"_s;
}

void tst_MessageRouter::createErrors()
{
    QFETCH(QList<Model::RoutingRule>, rules);
    QFETCH(Model::ProjectSettings, projectSettings);
    QFETCH(QString, message);

    auto router = MessageRouter::create(rules, projectSettings, broker());
    QVERIFY(!router);
    QCOMPARE(router.error().code, u"broker_invalid_rule"_s);
    QVERIFY2(router.error().message.startsWith(message), qPrintable(router.error().message));
    if (!message.endsWith(u": "_s))
        QCOMPARE(router.error().message, message);

    // Problems of several rules are all listed.
    rules.append(rule(u"r2"_s, u""_s, u"[]"_s, queueDestination(u"high"_s)));
    auto both = MessageRouter::create(rules, projectSettings, broker());
    QVERIFY(!both);
    QCOMPARE(both.error().details.size(), 2);
    QVERIFY(both.error().details.contains(router.error().message));
}

void tst_MessageRouter::sampleProjectRule()
{
    const Model::LoadResult loaded = Model::ProjectLoader().loadFolder(Conflux::Test::sampleFolder());
    QVERIFY(loaded.isOk());
    QVERIFY(!loaded.project->routingRules.isEmpty());
    auto router = MessageRouter::create(*loaded.project, broker());
    QVERIFY2(router, qPrintable(router ? QString() : router.error().toString()));

    Message m = makeMessage(uR"({"total_amount": 1500, "customer": {"tier": "gold"}})"_s, uR"({"channel": "web"})"_s);
    QCOMPARE((*router)->matchingRules(m), QStringList{u"route-high-value"_s});
    m.headers = value(uR"({"channel": "phone"})"_s).toObject();
    QCOMPARE((*router)->matchingRules(m), QStringList());
    m = makeMessage(uR"({"total_amount": 1500, "customer": {"tier": "blocked"}})"_s, uR"({"channel": "partner"})"_s);
    QCOMPARE((*router)->matchingRules(m), QStringList());
    m = makeMessage(uR"({"total_amount": 999, "customer": {"tier": "gold"}})"_s, uR"({"channel": "partner"})"_s);
    QCOMPARE((*router)->matchingRules(m), QStringList());
    m = makeMessage(uR"({"total_amount": 1001, "customer": {"tier": "gold"}})"_s, uR"({"channel": "partner"})"_s,
                    u"orders.updated"_s);
    QCOMPARE((*router)->matchingRules(m), QStringList());
}

void tst_MessageRouter::boundQueuesAndRules()
{
    auto router = makeRouter({rule(u"big"_s, u"orders.*"_s,
                                   uR"([{"field": "payload.total", "operator": "greater_than", "value": 1000}])"_s,
                                   queueDestination(u"high"_s))});

    Message big = makeMessage(u"{\"total\": 1500}"_s);
    big.messageId.clear();
    auto result = router->route(big);
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    QCOMPARE(result->queues, (QStringList{u"orders"_s, u"high"_s}));
    QCOMPARE(result->matchedRules, QStringList{u"big"_s});
    QCOMPARE(result->topics, QStringList{u"orders.created"_s});
    QCOMPARE(result->fallback, RouteResult::Fallback::None);
    QVERIFY(result->errors.isEmpty());
    QVERIFY(!result->messageId.isEmpty());

    auto small = router->route(makeMessage(u"{\"total\": 10}"_s));
    QVERIFY(small);
    QCOMPARE(small->queues, QStringList{u"orders"_s});
    QVERIFY(small->matchedRules.isEmpty());

    // What the queues hold: the same message (one id) in both.
    const QList<Message> orders = contents(u"orders"_s);
    const QList<Message> high = contents(u"high"_s);
    QCOMPARE(orders.size(), 2);
    QCOMPARE(high.size(), 1);
    QCOMPARE(high.first().messageId, result->messageId);
    QCOMPARE(orders.first().messageId, result->messageId);
    QCOMPARE(high.first().payload, value(u"{\"total\": 1500}"_s));
    QCOMPARE(high.first().topic, u"orders.created"_s);
    QCOMPARE(orders.at(1).messageId, u"m-1"_s);
    QVERIFY(contents(u"dlq"_s).isEmpty());
}

void tst_MessageRouter::priorityOrderAndStop()
{
    const QString always = u"[]"_s;
    const QString vip = uR"([{"field": "headers.vip", "operator": "equals", "value": true}])"_s;
    QList<Model::RoutingRule> rules{
        rule(u"late"_s, u"orders.#"_s, always, queueDestination(u"low"_s), 50),
        rule(u"vip-first"_s, u"orders.created"_s, vip, queueDestination(u"high"_s), 1, true),
        rule(u"same-a"_s, u"#"_s, always, queueDestination(u"fallback"_s), 10),
        rule(u"same-b"_s, u"orders.*"_s, always, queueDestination(u"fallback"_s), 10),
        rule(u"other-topic"_s, u"invoices.#"_s, always, queueDestination(u"high"_s), 0),
    };
    auto router = makeRouter(rules);

    // Not VIP: every rule on the topic, ascending priority, equal priorities in given order.
    auto plain = router->route(makeMessage(u"{}"_s));
    QVERIFY(plain);
    QCOMPARE(plain->matchedRules, (QStringList{u"same-a"_s, u"same-b"_s, u"late"_s}));
    QCOMPARE(plain->queues, (QStringList{u"orders"_s, u"fallback"_s, u"low"_s}));
    QCOMPARE(router->matchingRules(makeMessage(u"{}"_s)), plain->matchedRules);

    // VIP: the first rule matches and stops the evaluation.
    Message vipMessage = makeMessage(u"{}"_s, uR"({"vip": true})"_s);
    vipMessage.messageId = u"m-2"_s;
    auto stopped = router->route(vipMessage);
    QVERIFY(stopped);
    QCOMPARE(stopped->matchedRules, QStringList{u"vip-first"_s});
    QCOMPARE(stopped->queues, (QStringList{u"orders"_s, u"high"_s}));
    QCOMPARE(contents(u"high"_s).size(), 1);
    QCOMPARE(contents(u"low"_s).size(), 1);
    QCOMPARE(contents(u"fallback"_s).size(), 1);
}

void tst_MessageRouter::ruleQueueAlreadyBound()
{
    // A rule naming a queue that the topic's binding already filled, and two rules naming the
    // same queue: the message is stored once.
    auto router = makeRouter({rule(u"r1"_s, u"orders.created"_s, u"[]"_s, queueDestination(u"orders"_s)),
                              rule(u"r2"_s, u"orders.created"_s, u"[]"_s, queueDestination(u"high"_s)),
                              rule(u"r3"_s, u"orders.created"_s, u"[]"_s, queueDestination(u"high"_s))});
    auto result = router->route(makeMessage(u"{}"_s));
    QVERIFY(result);
    QCOMPARE(result->queues, (QStringList{u"orders"_s, u"high"_s}));
    QCOMPARE(result->matchedRules, (QStringList{u"r1"_s, u"r2"_s, u"r3"_s}));
    QCOMPARE(contents(u"orders"_s).size(), 1);
    QCOMPARE(contents(u"high"_s).size(), 1);
}

void tst_MessageRouter::topicDestinations()
{
    // orders.created → topic audit.orders (bound to "audit"), whose own rule adds "low".
    auto router = makeRouter(
        {rule(u"to-audit"_s, u"orders.created"_s, u"[]"_s, uR"([{"type": "topic", "topic": "audit.orders"}])"_s),
         rule(u"audit-low"_s, u"audit.*"_s,
              uR"([{"expression": "topic = 'audit.orders' and payload.n = 1"}])"_s, queueDestination(u"low"_s))});
    auto result = router->route(makeMessage(u"{\"n\": 1}"_s));
    QVERIFY(result);
    QCOMPARE(result->topics, (QStringList{u"orders.created"_s, u"audit.orders"_s}));
    QCOMPARE(result->matchedRules, (QStringList{u"to-audit"_s, u"audit-low"_s}));
    QCOMPARE(result->queues, (QStringList{u"orders"_s, u"audit"_s, u"low"_s}));
    QVERIFY(result->errors.isEmpty());
    const QList<Message> audit = contents(u"audit"_s);
    QCOMPARE(audit.size(), 1);
    QCOMPARE(audit.first().topic, u"audit.orders"_s);
    QCOMPARE(audit.first().messageId, u"m-1"_s);
    QCOMPARE(contents(u"low"_s).first().topic, u"audit.orders"_s);
}

void tst_MessageRouter::topicLoopsAndHopLimit()
{
    // a.x → b.x → a.x: the loop is cut where it closes.
    auto loop = makeRouter({rule(u"ab"_s, u"a.x"_s, u"[]"_s, uR"([{"type": "topic", "topic": "b.x"}])"_s),
                            rule(u"ba"_s, u"b.x"_s, u"[]"_s,
                                 uR"([{"type": "topic", "topic": "a.x"}, {"type": "queue", "queue": "high"}])"_s)});
    Message m = makeMessage(u"{}"_s, {}, u"a.x"_s);
    auto looped = loop->route(m);
    QVERIFY(looped);
    QCOMPARE(looped->topics, (QStringList{u"a.x"_s, u"b.x"_s}));
    QCOMPARE(looped->queues, QStringList{u"high"_s});
    QCOMPARE(looped->errors.size(), 1);
    QCOMPARE(looped->errors.first().code, u"broker_routing_loop"_s);
    QCOMPARE(looped->errors.first().message,
             u"topic 'a.x' not routed again: it was already routed for this message (a loop: a.x → b.x)"_s);
    loop.reset();

    // t0 → t1 → t2 → t3 with at most two hops: t3 is not reached.
    MessageRouterOptions options;
    options.maxHops = 2;
    QList<Model::RoutingRule> chain;
    for (int i = 0; i < 3; ++i) {
        chain.append(rule(u"hop%1"_s.arg(i), u"t%1"_s.arg(i), u"[]"_s,
                          uR"([{"type": "topic", "topic": "t%1"}, {"type": "queue", "queue": "low"}])"_s.arg(i + 1)));
    }
    auto limited = makeRouter(chain, settings(), options);
    auto result = limited->route(makeMessage(u"{}"_s, {}, u"t0"_s));
    QVERIFY(result);
    QCOMPARE(result->topics, (QStringList{u"t0"_s, u"t1"_s, u"t2"_s}));
    QCOMPARE(result->errors.size(), 1);
    QCOMPARE(result->errors.first().message, u"topic 't3' not routed: more than 2 topic hops"_s);
    QCOMPARE(contents(u"low"_s).size(), 1);
}

void tst_MessageRouter::unroutedToDefaultQueue()
{
    auto router = makeRouter({rule(u"never"_s, u"misc.#"_s, uR"([{"expression": "false"}])"_s,
                                   queueDestination(u"high"_s))},
                             settings(u"default_queue"_s, u"fallback"_s));
    auto result = router->route(makeMessage(u"{\"x\": 1}"_s, {}, u"misc.thing"_s));
    QVERIFY(result);
    QCOMPARE(result->fallback, RouteResult::Fallback::DefaultQueue);
    QCOMPARE(result->queues, QStringList{u"fallback"_s});
    QVERIFY(result->matchedRules.isEmpty());
    const QList<Message> fallback = contents(u"fallback"_s);
    QCOMPARE(fallback.size(), 1);
    QCOMPARE(fallback.first().topic, u"misc.thing"_s);
    QCOMPARE(fallback.first().dlqReason, DeadLetterReason::None);
    QVERIFY(contents(u"dlq"_s).isEmpty());
}

void tst_MessageRouter::unroutedToDeadLetterQueue()
{
    auto router = makeRouter({}, settings(u"dead_letter"_s));
    auto result = router->route(makeMessage(u"{\"x\": 1}"_s, {}, u"misc.thing"_s));
    QVERIFY(result);
    QCOMPARE(result->fallback, RouteResult::Fallback::DeadLetter);
    QCOMPARE(result->queues, QStringList{u"dlq"_s});
    const QList<Message> dead = contents(u"dlq"_s);
    QCOMPARE(dead.size(), 1);
    QCOMPARE(dead.first().messageId, u"m-1"_s);
    QCOMPARE(deadLetterOrigin(recorder().publishedTo(u"dlq"_s).value(0)), u"routing_failed topic=misc.thing queue="_s);
    QCOMPARE(deadLetterOrigin(dead.first()), u"routing_failed topic=misc.thing queue="_s);
    QCOMPARE(dead.first().payload, value(u"{\"x\": 1}"_s));

    // The default is dead_letter.
    auto byDefault = makeRouter({}, settings(QString()));
    auto second = byDefault->route(makeMessage(u"{}"_s, {}, u"misc.other"_s));
    QVERIFY(second);
    QCOMPARE(second->fallback, RouteResult::Fallback::DeadLetter);
}

void tst_MessageRouter::unroutedWithoutDeadLetterQueue()
{
    auto router = makeRouter({}, settings(u"dead_letter"_s, {}, {}));
    auto result = router->route(makeMessage(u"{}"_s, {}, u"misc.thing"_s));
    QVERIFY(!result);
    QCOMPARE(result.error().code, u"broker_no_route"_s);
    QCOMPARE(result.error().message,
             u"message 'm-1' on topic 'misc.thing' reached no queue (no bound queue, no matching routing rule "
             "with a working destination); dead-lettering failed: the project has no dead-letter queue "
             "(broker.dead_letter_queue)"_s);
    const auto stats = broker().stats();
    QVERIFY(stats);
    for (const QueueStats &s : *stats)
        QCOMPARE(s.depth, 0);
}

void tst_MessageRouter::failedQueueDestinationIsDeadLettered()
{
    auto router = makeRouter({rule(u"r1"_s, u"misc.*"_s, u"[]"_s,
                                   uR"([{"type": "queue", "queue": "nowhere"}, {"type": "queue", "queue": "high"}])"_s)});
    auto result = router->route(makeMessage(u"{}"_s, {}, u"misc.thing"_s));
    QVERIFY(result);
    QCOMPARE(result->queues, (QStringList{u"dlq"_s, u"high"_s}));
    QCOMPARE(result->fallback, RouteResult::Fallback::None);
    QCOMPARE(result->errors.size(), 1);
    QCOMPARE(result->errors.first().code, u"broker_unknown_queue"_s);
    QVERIFY2(result->errors.first().message.startsWith(
                 u"routing rule 'r1' (queues/r1.json) at /destinations/0: queue 'nowhere' refused the message: "_s),
             qPrintable(result->errors.first().message));
    const QList<Message> dead = contents(u"dlq"_s);
    QCOMPARE(dead.size(), 1);
    QCOMPARE(deadLetterOrigin(recorder().publishedTo(u"dlq"_s).value(0)), u"routing_failed topic=misc.thing queue=nowhere"_s);
    QCOMPARE(deadLetterOrigin(dead.first()), u"routing_failed topic=misc.thing queue=nowhere"_s);
}

void tst_MessageRouter::invalidTopic()
{
    auto router = makeRouter({});
    for (const QString &topic : {QString(), u"orders.*"_s, u"orders..x"_s}) {
        auto result = router->route(makeMessage(u"{}"_s, {}, topic));
        QVERIFY(!result);
        QCOMPARE(result.error().code, u"broker_invalid_message"_s);
        QVERIFY(result.error().message.startsWith(u"topic '%1': "_s.arg(topic)));
    }
    QVERIFY(contents(u"dlq"_s).isEmpty());
}

void tst_MessageRouter::exactlyOnceDuplicateCountsAsReceived()
{
    QueueConfig once;
    once.name = u"once"_s;
    once.deliveryMode = DeliveryMode::ExactlyOnce;
    once.topics = {u"pay.*"_s};
    QVERIFY(broker().declareQueue(once));
    auto router = makeRouter({});
    auto first = router->route(makeMessage(u"{}"_s, {}, u"pay.in"_s));
    QVERIFY(first);
    QCOMPARE(first->queues, QStringList{u"once"_s});
    QVERIFY(!first->duplicate);
    auto retry = router->route(makeMessage(u"{}"_s, {}, u"pay.in"_s));
    QVERIFY(retry);
    QVERIFY(retry->duplicate);
    QCOMPARE(retry->fallback, RouteResult::Fallback::None);
    QCOMPARE(contents(u"once"_s).size(), 1);
    QVERIFY(contents(u"dlq"_s).isEmpty());
}

void tst_MessageRouter::webhookRetriesThenDelivers()
{
    WebhookServer server({500, 200});
    MessageRouterOptions options;
    options.webhookInitialBackoffMs = 20;
    auto router = makeRouter({rule(u"hook"_s, u"orders.created"_s, u"[]"_s,
                                   uR"([{"type": "webhook", "url": "%1", "retries": 2,
                                         "headers": {"X-Team": "billing"}}])"_s.arg(server.url()))},
                             settings(), options);
    QSignalSpy finished(router.get(), &MessageRouter::webhookFinished);

    Message m = makeMessage(uR"({"total": 5})"_s, uR"({"channel": "web"})"_s);
    m.priority = Priority::High;
    auto result = router->route(m);
    QVERIFY(result);
    // route() returned before the server (on this thread) could answer anything.
    QCOMPARE(result->webhooks, QStringList{server.url()});
    QCOMPARE(result->queues, QStringList{u"orders"_s});
    QCOMPARE(router->pendingWebhooks(), 1);

    QVERIFY(finished.wait(10000));
    const auto outcome = finished.first().first().value<WebhookOutcome>();
    QVERIFY(outcome.delivered);
    QCOMPARE(outcome.attempts, 2);
    QCOMPARE(outcome.httpStatus, 200);
    QCOMPARE(outcome.messageId, u"m-1"_s);
    QCOMPARE(outcome.ruleId, u"hook"_s);
    QVERIFY(outcome.error.isEmpty());
    QVERIFY(outcome.deadLetterQueue.isEmpty());
    QCOMPARE(router->pendingWebhooks(), 0);

    QCOMPARE(server.requests().size(), 2);
    for (const WebhookServer::Request &request : server.requests()) {
        QVERIFY2(request.head.startsWith("POST /hook HTTP/1.1"), request.head.constData());
        QCOMPARE(request.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(request.header("X-Team"), QByteArray("billing"));
        QCOMPARE(request.header("X-Conflux-Message-Id"), QByteArray("m-1"));
        auto body = Data::Json::parse(request.body);
        QVERIFY(body);
        QCOMPARE((*body)[u"message_id"], Data::Value(u"m-1"_s));
        QCOMPARE((*body)[u"topic"], Data::Value(u"orders.created"_s));
        QCOMPARE((*body)[u"payload"], value(uR"({"total": 5})"_s));
        QCOMPARE((*body)[u"headers"], value(uR"({"channel": "web"})"_s));
        QCOMPARE((*body)[u"priority"], Data::Value(u"HIGH"_s));
    }
    QVERIFY(contents(u"dlq"_s).isEmpty());
}

void tst_MessageRouter::webhookGivesUpToDeadLetterQueue()
{
    WebhookServer server({503});
    MessageRouterOptions options;
    options.webhookInitialBackoffMs = 10;
    auto router = makeRouter({rule(u"hook"_s, u"misc.*"_s, u"[]"_s,
                                   uR"([{"type": "webhook", "url": "%1", "retries": 3}])"_s.arg(server.url()))},
                             settings(), options);
    QSignalSpy finished(router.get(), &MessageRouter::webhookFinished);

    // Only a webhook: it counts as received (no unrouted fallback).
    auto result = router->route(makeMessage(u"{\"n\": 2}"_s, {}, u"misc.thing"_s));
    QVERIFY(result);
    QVERIFY(result->queues.isEmpty());
    QCOMPARE(result->fallback, RouteResult::Fallback::None);
    QVERIFY(contents(u"dlq"_s).isEmpty());

    QVERIFY(finished.wait(10000));
    const auto outcome = finished.first().first().value<WebhookOutcome>();
    QVERIFY(!outcome.delivered);
    QCOMPARE(outcome.attempts, 4);
    QCOMPARE(outcome.httpStatus, 503);
    QCOMPARE(outcome.error, u"HTTP 503 Test"_s);
    QCOMPARE(outcome.deadLetterQueue, u"dlq"_s);
    QCOMPARE(server.requests().size(), 4);

    const QList<Message> dead = contents(u"dlq"_s);
    QCOMPARE(dead.size(), 1);
    QCOMPARE(dead.first().messageId, u"m-1"_s);
    QCOMPARE(deadLetterOrigin(recorder().publishedTo(u"dlq"_s).value(0)), u"routing_failed topic=misc.thing queue="_s);
    QCOMPARE(deadLetterOrigin(dead.first()), u"routing_failed topic=misc.thing queue="_s);
    QCOMPARE(dead.first().payload, value(u"{\"n\": 2}"_s));
}

void tst_MessageRouter::webhookConnectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    MessageRouterOptions options;
    options.webhookInitialBackoffMs = 10;
    auto router = makeRouter({rule(u"hook"_s, u"misc.*"_s, u"[]"_s,
                                   uR"([{"type": "webhook", "url": "http://127.0.0.1:%1/x", "retries": 2}])"_s.arg(port))},
                             settings(), options);
    QSignalSpy finished(router.get(), &MessageRouter::webhookFinished);
    QVERIFY(router->route(makeMessage(u"{}"_s, {}, u"misc.thing"_s)));
    QVERIFY(finished.wait(10000));
    const auto outcome = finished.first().first().value<WebhookOutcome>();
    QVERIFY(!outcome.delivered);
    QCOMPARE(outcome.attempts, 3);
    QCOMPARE(outcome.httpStatus, 0);
    QVERIFY2(outcome.error.startsWith(u"connection failed: "_s), qPrintable(outcome.error));
    QCOMPARE(outcome.deadLetterQueue, u"dlq"_s);
    QCOMPARE(contents(u"dlq"_s).size(), 1);
}

void tst_MessageRouter::webhookClientErrorIsNotRetried()
{
    WebhookServer server({400, 200});
    MessageRouterOptions options;
    options.webhookInitialBackoffMs = 10;
    auto router = makeRouter({rule(u"hook"_s, u"misc.*"_s, u"[]"_s,
                                   uR"([{"type": "webhook", "url": "%1", "retries": 5}])"_s.arg(server.url()))},
                             settings(), options);
    QSignalSpy finished(router.get(), &MessageRouter::webhookFinished);
    QVERIFY(router->route(makeMessage(u"{}"_s, {}, u"misc.thing"_s)));
    QVERIFY(finished.wait(10000));
    const auto outcome = finished.first().first().value<WebhookOutcome>();
    QVERIFY(!outcome.delivered);
    QCOMPARE(outcome.attempts, 1);
    QCOMPARE(outcome.httpStatus, 400);
    QCOMPARE(server.requests().size(), 1);
    QCOMPARE(contents(u"dlq"_s).size(), 1);
}

void tst_MessageRouter::webhookSecretHeader()
{
    WebhookServer server({204});
    MessageRouterOptions options;
    QStringList asked;
    options.resolveSecret = [&asked](const QString &name) -> Result<QString> {
        asked.append(name); // only read after the signal, from this thread
        if (name == u"hook.token")
            return u"Bearer s3cret"_s;
        return Error{u"secret_not_found"_s, u"no secret named '%1'"_s.arg(name), {}, -1};
    };
    auto router = makeRouter({rule(u"hook"_s, u"misc.*"_s, u"[]"_s,
                                   uR"([{"type": "webhook", "url": "%1",
                                         "headers": {"Authorization": {"secret": "hook.token"}}},
                                        {"type": "webhook", "url": "%1",
                                         "headers": {"Authorization": {"secret": "other"}}}])"_s.arg(server.url()))},
                             settings(), options);
    QSignalSpy finished(router.get(), &MessageRouter::webhookFinished);
    auto result = router->route(makeMessage(u"{}"_s, {}, u"misc.thing"_s));
    QVERIFY(result);
    QCOMPARE(result->webhooks.size(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 10000);

    QList<WebhookOutcome> outcomes;
    for (const QList<QVariant> &arguments : std::as_const(finished))
        outcomes.append(arguments.first().value<WebhookOutcome>());
    std::sort(outcomes.begin(), outcomes.end(),
              [](const WebhookOutcome &a, const WebhookOutcome &b) { return a.delivered > b.delivered; });
    QVERIFY(outcomes.at(0).delivered);
    QCOMPARE(outcomes.at(0).httpStatus, 204);
    QVERIFY(!outcomes.at(1).delivered);
    QCOMPARE(outcomes.at(1).attempts, 0);
    QCOMPARE(outcomes.at(1).error,
             u"header Authorization: secret 'other' unavailable: no secret named 'other'"_s);
    QCOMPARE(server.requests().size(), 1);
    QCOMPARE(server.requests().first().header("Authorization"), QByteArray("Bearer s3cret"));
    QCOMPARE(contents(u"dlq"_s).size(), 1);
    QCOMPARE(asked.size(), 2);
}

void tst_MessageRouter::webhookPendingAtShutdownIsDeadLettered()
{
    WebhookServer server({200}, /*hang=*/true);
    MessageRouterOptions options;
    options.webhookTimeoutMs = 60'000;
    auto router = makeRouter({rule(u"hook"_s, u"misc.*"_s, u"[]"_s,
                                   uR"([{"type": "webhook", "url": "%1"}])"_s.arg(server.url()))},
                             settings(), options);
    QVERIFY(router->route(makeMessage(u"{}"_s, {}, u"misc.thing"_s)));
    QTRY_COMPARE_WITH_TIMEOUT(server.requests().size(), 1, 10000);
    QCOMPARE(router->pendingWebhooks(), 1);
    router.reset();
    const QList<Message> dead = contents(u"dlq"_s);
    QCOMPARE(dead.size(), 1);
    QCOMPARE(deadLetterOrigin(recorder().publishedTo(u"dlq"_s).value(0)), u"routing_failed topic=misc.thing queue="_s);
    QCOMPARE(deadLetterOrigin(dead.first()), u"routing_failed topic=misc.thing queue="_s);
}

QTEST_GUILESS_MAIN(tst_MessageRouter)
#include "tst_messagerouter.moc"
