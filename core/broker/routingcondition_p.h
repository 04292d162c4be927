#pragma once

// Compiled routing-rule conditions (docs/broker-routing.md has the semantics). Private to
// the broker module; MessageRouter is the public face.

#include "base/result.h"
#include "broker/message.h"
#include "data/value.h"
#include "mapping/jsonata.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonValue>
#include <QList>
#include <QRegularExpression>
#include <QString>

#include <vector>

namespace Conflux::Broker::Internal {

// Messages for people; logs stay in English.
struct RoutingTr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Broker)
};

// Where an error is: "routing rule 'id' (file) at /conditions/2".
QString ruleLocation(const QString &ruleId, const QString &file, const QString &pointer);

// The message as conditions see it. The JSONata input object is built on first use only,
// so rules without expression conditions never pay for it.
class RoutingInput
{
public:
    explicit RoutingInput(const Message &message) : m_message(message) {}

    const Message &message() const { return m_message; }
    // {payload, headers, topic, message_id, priority, correlation_id}
    const Data::Value &expressionInput() const;

private:
    const Message &m_message;
    mutable Data::Value m_expressionInput;
};

// "headers.<name>[.<path>]" or "payload[.<path>]". A path is dot-separated member names,
// each optionally followed by array indexes ("items[0].sku", "matrix[1][-1]"); a name may be
// written in backticks to contain '.', '[' or ']' ("payload.`a.b`"). Negative indexes count
// from the end. Header names match exactly, else ASCII case-insensitively.
class FieldPath
{
public:
    // On error, the message says what is wrong (without the rule's location) and
    // Error::offset is the character position in `field`.
    static Result<FieldPath> parse(QStringView field);

    // The value at the path, or undefined when any step is missing (absent member or header,
    // index out of range, a name step on a non-object, an index step on a non-array).
    // The reference stays valid while the message lives.
    const Data::Value &resolve(const Message &message) const;

    const QString &text() const { return m_text; }

private:
    struct Step
    {
        QString name;        // member name (empty for index steps)
        qsizetype index = 0; // index steps only
        bool isIndex = false;
    };

    const Data::Value &walk(const Data::Value &from, size_t firstStep) const;

    QString m_text;
    bool m_headers = false;
    std::vector<Step> m_steps;   // for headers, the first step is the header name
};

enum class ConditionOperator : quint8 {
    Equals,
    NotEquals,
    GreaterThan,
    LessThan,
    Contains,
    Matches,
    Exists,
    In,
    Expression
};

class Condition
{
public:
    // `pointer` is the condition's JSON pointer in its rule ("/conditions/2"), used in errors.
    static Result<Condition> compile(const QJsonValue &json, const QString &ruleId,
                                     const QString &file, const QString &pointer);

    // An expression condition's evaluation error is returned as an Error (code from JSONata,
    // message with the rule's location); field conditions never fail.
    Result<bool> evaluate(const RoutingInput &input, const Mapping::EvaluationLimits &limits) const;

    ConditionOperator op() const { return m_op; }

private:
    bool test(const Data::Value &field) const;

    ConditionOperator m_op = ConditionOperator::Equals;
    FieldPath m_field;
    Data::Value m_value;               // equals, not_equals, greater_than, less_than, contains, in
    bool m_exists = true;              // exists: true when the field must be present
    QRegularExpression m_regex;        // matches
    Mapping::Expression m_expression;  // expression
    QString m_location;                // for evaluation errors
};

// A rule's conditions with their combination. No conditions: every message matches.
class ConditionSet
{
public:
    // `match` is "all" (also when empty) or "any". Errors list every bad condition: the
    // first in `message`, all of them in `details` when there are several.
    static Result<ConditionSet> compile(const QJsonArray &conditions, const QString &match,
                                        const QString &ruleId, const QString &file);

    // all: every condition true (stops at the first false); any: one true (stops at the first
    // true). An expression that fails to evaluate counts as false; its error is appended to
    // `errors` when given.
    bool evaluate(const RoutingInput &input, const Mapping::EvaluationLimits &limits,
                  QList<Error> *errors = nullptr) const;

    qsizetype size() const { return qsizetype(m_conditions.size()); }
    bool matchAll() const { return m_matchAll; }

private:
    std::vector<Condition> m_conditions;
    bool m_matchAll = true;
};

// JSONata's $boolean: false for undefined, null, false, 0, "", {}, [] and functions; an
// array is true when one of its items is.
bool jsonataTruthy(const Data::Value &value);

} // namespace Conflux::Broker::Internal
