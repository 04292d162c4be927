#include "routingcondition_p.h"

#include <QJsonObject>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Broker::Internal {

namespace {

const Data::Value &undefinedValue()
{
    static const Data::Value none;
    return none;
}

Error ruleError(const QString &message, qint64 offset = -1)
{
    return Error{u"broker_invalid_rule"_s, message, {}, offset};
}

struct OperatorName
{
    QLatin1StringView name;
    ConditionOperator op;
};

constexpr OperatorName operatorNames[] = {
    {QLatin1StringView("equals"), ConditionOperator::Equals},
    {QLatin1StringView("not_equals"), ConditionOperator::NotEquals},
    {QLatin1StringView("greater_than"), ConditionOperator::GreaterThan},
    {QLatin1StringView("less_than"), ConditionOperator::LessThan},
    {QLatin1StringView("contains"), ConditionOperator::Contains},
    {QLatin1StringView("matches"), ConditionOperator::Matches},
    {QLatin1StringView("exists"), ConditionOperator::Exists},
    {QLatin1StringView("in"), ConditionOperator::In},
};

QString operatorList()
{
    QStringList names;
    for (const OperatorName &entry : operatorNames)
        names.append(entry.name);
    return names.join(u", "_s);
}

// Strict ordering of two scalars of the same kind; std::nullopt when they cannot be ordered
// (mixed or non-scalar types).
std::optional<int> compareScalars(const Data::Value &a, const Data::Value &b)
{
    if (a.isNumber() && b.isNumber()) {
        const double x = a.toDouble();
        const double y = b.toDouble();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.isString() && b.isString())
        return a.toString().compare(b.toString());
    return std::nullopt;
}

} // namespace

QString ruleLocation(const QString &ruleId, const QString &file, const QString &pointer)
{
    QString text = RoutingTr::tr("routing rule '%1'").arg(ruleId);
    if (!file.isEmpty())
        text += u" ("_s + file + u')';
    if (!pointer.isEmpty())
        text += RoutingTr::tr(" at %1").arg(pointer);
    return text;
}

bool jsonataTruthy(const Data::Value &value)
{
    switch (value.type()) {
    case Data::Value::Type::Undefined:
    case Data::Value::Type::Null:
    case Data::Value::Type::Function:
        return false;
    case Data::Value::Type::Bool:
        return value.toBool();
    case Data::Value::Type::Number: {
        const double d = value.toDouble();
        return d != 0 && !std::isnan(d);
    }
    case Data::Value::Type::String:
        return !value.toString().isEmpty();
    case Data::Value::Type::Object:
        return value.size() > 0;
    case Data::Value::Type::Array:
        for (const Data::Value &item : value.toArray()) {
            if (jsonataTruthy(item))
                return true;
        }
        return false;
    }
    return false;
}

// --- RoutingInput

const Data::Value &RoutingInput::expressionInput() const
{
    if (m_expressionInput.isUndefined()) {
        Data::Object o;
        o.reserve(6);
        o.append(u"payload"_s, m_message.payload);
        o.append(u"headers"_s, Data::Value(m_message.headers));
        o.append(u"topic"_s, Data::Value(m_message.topic));
        o.append(u"message_id"_s, Data::Value(m_message.messageId));
        o.append(u"priority"_s, Data::Value(priorityName(m_message.priority)));
        if (!m_message.correlationId.isEmpty())
            o.append(u"correlation_id"_s, Data::Value(m_message.correlationId));
        m_expressionInput = Data::Value(std::move(o));
    }
    return m_expressionInput;
}

// --- FieldPath

Result<FieldPath> FieldPath::parse(QStringView field)
{
    FieldPath path;
    path.m_text = field.toString();
    qsizetype pos = 0;
    const qsizetype n = field.size();
    if (field.startsWith(u"headers")) {
        path.m_headers = true;
        pos = 7;
        if (pos == n || field[pos] != u'.')
            return ruleError(RoutingTr::tr("a header field names the header: 'headers.<name>'"), pos);
    } else if (field.startsWith(u"payload")) {
        pos = 7;
    } else {
        return ruleError(RoutingTr::tr("a field starts with 'headers.' or 'payload'"), 0);
    }

    bool expectName = false; // the payload root may be followed by indexes before a '.'
    while (pos < n) {
        if (expectName) {
            Step step;
            if (field[pos] == u'`') {
                const qsizetype close = field.indexOf(u'`', pos + 1);
                if (close < 0)
                    return ruleError(RoutingTr::tr("unterminated backtick name starting at position %1").arg(pos), pos);
                if (close == pos + 1)
                    return ruleError(RoutingTr::tr("empty name at position %1").arg(pos), pos);
                step.name = field.mid(pos + 1, close - pos - 1).toString();
                pos = close + 1;
            } else {
                const qsizetype start = pos;
                while (pos < n && field[pos] != u'.' && field[pos] != u'[' && field[pos] != u']'
                       && field[pos] != u'`') {
                    ++pos;
                }
                if (pos == start)
                    return ruleError(RoutingTr::tr("empty name at position %1").arg(pos), pos);
                step.name = field.mid(start, pos - start).toString();
            }
            path.m_steps.push_back(std::move(step));
            expectName = false;
            continue;
        }
        const QChar c = field[pos];
        if (c == u'.') {
            expectName = true;
            ++pos;
            if (pos == n)
                return ruleError(RoutingTr::tr("empty name at position %1").arg(pos), pos);
            continue;
        }
        if (c == u'[' && !(path.m_headers && path.m_steps.empty())) {
            const qsizetype close = field.indexOf(u']', pos + 1);
            if (close < 0)
                return ruleError(RoutingTr::tr("missing ']' after position %1").arg(pos), pos);
            bool ok = false;
            const qlonglong index = field.mid(pos + 1, close - pos - 1).toLongLong(&ok);
            if (!ok)
                return ruleError(RoutingTr::tr("an array index is an integer, at position %1").arg(pos + 1),
                                 pos + 1);
            Step step;
            step.isIndex = true;
            step.index = qsizetype(index);
            path.m_steps.push_back(std::move(step));
            pos = close + 1;
            continue;
        }
        return ruleError(RoutingTr::tr("unexpected character '%1' at position %2").arg(c).arg(pos), pos);
    }
    return path;
}

const Data::Value &FieldPath::walk(const Data::Value &from, size_t firstStep) const
{
    const Data::Value *current = &from;
    for (size_t i = firstStep; i < m_steps.size(); ++i) {
        const Step &step = m_steps[i];
        if (step.isIndex) {
            if (!current->isArray())
                return undefinedValue();
            const qsizetype index = step.index < 0 ? current->size() + step.index : step.index;
            current = &current->at(index);
        } else {
            if (!current->isObject())
                return undefinedValue();
            current = &(*current)[step.name];
        }
        if (current->isUndefined())
            return undefinedValue();
    }
    return *current;
}

const Data::Value &FieldPath::resolve(const Message &message) const
{
    if (!m_headers)
        return walk(message.payload, 0);
    const QString &name = m_steps.front().name;
    const Data::Value *header = message.headers.find(name);
    if (!header) {
        for (const auto &member : message.headers) {
            if (member.first.compare(name, Qt::CaseInsensitive) == 0) {
                header = &member.second;
                break;
            }
        }
    }
    return header ? walk(*header, 1) : undefinedValue();
}

// --- Condition

Result<Condition> Condition::compile(const QJsonValue &json, const QString &ruleId,
                                     const QString &file, const QString &pointer)
{
    const QString location = ruleLocation(ruleId, file, pointer);
    if (!json.isObject())
        return ruleError(RoutingTr::tr("%1: a condition is an object").arg(location));
    const QJsonObject o = json.toObject();
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString &key = it.key();
        if (key != u"field" && key != u"operator" && key != u"value" && key != u"expression")
            return ruleError(RoutingTr::tr("%1: unknown member '%2' (a condition has field, operator and "
                                           "value, or expression)").arg(location, key));
    }

    Condition condition;
    condition.m_location = location;

    if (o.contains(u"expression"_s)) {
        if (o.contains(u"field"_s) || o.contains(u"operator"_s) || o.contains(u"value"_s))
            return ruleError(RoutingTr::tr("%1: a condition has either 'expression' or 'field' and "
                                           "'operator', not both").arg(location));
        const QJsonValue source = o.value(u"expression"_s);
        if (!source.isString() || source.toString().trimmed().isEmpty())
            return ruleError(RoutingTr::tr("%1/expression: a JSONata expression is a non-empty string")
                                 .arg(location));
        auto compiled = Mapping::Expression::compile(source.toString());
        if (!compiled) {
            const Error &e = compiled.error();
            return ruleError(RoutingTr::tr("%1/expression: JSONata error %2 at position %3: %4")
                                 .arg(location, e.code)
                                 .arg(e.offset)
                                 .arg(e.message),
                             e.offset);
        }
        condition.m_op = ConditionOperator::Expression;
        condition.m_expression = std::move(compiled.value());
        condition.m_location = location + u"/expression"_s;
        return condition;
    }

    const QJsonValue field = o.value(u"field"_s);
    if (!field.isString())
        return ruleError(RoutingTr::tr("%1: a condition needs 'field' (a string) and 'operator', or "
                                       "'expression'").arg(location));
    auto path = FieldPath::parse(field.toString());
    if (!path) {
        return ruleError(RoutingTr::tr("%1/field: '%2': %3")
                             .arg(location, field.toString(), path.error().message),
                         path.error().offset);
    }
    condition.m_field = std::move(path.value());

    const QJsonValue opJson = o.value(u"operator"_s);
    const QString opName = opJson.toString();
    bool known = false;
    for (const OperatorName &entry : operatorNames) {
        if (opName == entry.name) {
            condition.m_op = entry.op;
            known = true;
            break;
        }
    }
    if (!known) {
        const QString what = opJson.isUndefined() ? RoutingTr::tr("missing operator")
                                                  : RoutingTr::tr("unknown operator '%1'").arg(opName);
        return ruleError(RoutingTr::tr("%1/operator: %2 (one of %3)").arg(location, what, operatorList()));
    }

    const bool hasValue = o.contains(u"value"_s);
    const QJsonValue value = o.value(u"value"_s);
    auto valueError = [&](const QString &need) {
        return ruleError(RoutingTr::tr("%1/value: operator '%2' needs %3").arg(location, opName, need));
    };
    switch (condition.m_op) {
    case ConditionOperator::Equals:
    case ConditionOperator::NotEquals:
    case ConditionOperator::Contains:
        if (!hasValue)
            return valueError(RoutingTr::tr("a value"));
        break;
    case ConditionOperator::GreaterThan:
    case ConditionOperator::LessThan:
        if (!value.isDouble() && !value.isString())
            return valueError(RoutingTr::tr("a number or a string"));
        break;
    case ConditionOperator::Matches: {
        if (!value.isString())
            return valueError(RoutingTr::tr("a regular expression (a string)"));
        condition.m_regex.setPattern(value.toString());
        if (!condition.m_regex.isValid()) {
            const qsizetype at = condition.m_regex.patternErrorOffset();
            return ruleError(RoutingTr::tr("%1/value: invalid regular expression at position %2: %3")
                                 .arg(location)
                                 .arg(at)
                                 .arg(condition.m_regex.errorString()),
                             at);
        }
        condition.m_regex.optimize();
        break;
    }
    case ConditionOperator::Exists:
        if (hasValue && !value.isBool())
            return valueError(RoutingTr::tr("true, false or no value"));
        condition.m_exists = !hasValue || value.toBool();
        break;
    case ConditionOperator::In:
        if (!value.isArray())
            return valueError(RoutingTr::tr("an array of values"));
        break;
    case ConditionOperator::Expression:
        break;
    }
    if (condition.m_op != ConditionOperator::Matches && condition.m_op != ConditionOperator::Exists)
        condition.m_value = Data::Value::fromQJson(value);
    return condition;
}

bool Condition::test(const Data::Value &field) const
{
    if (m_op == ConditionOperator::Exists)
        return field.isUndefined() != m_exists;
    if (field.isUndefined())
        return false;
    switch (m_op) {
    case ConditionOperator::Equals:
        return field == m_value;
    case ConditionOperator::NotEquals:
        return field != m_value;
    case ConditionOperator::GreaterThan: {
        const auto order = compareScalars(field, m_value);
        return order && *order > 0;
    }
    case ConditionOperator::LessThan: {
        const auto order = compareScalars(field, m_value);
        return order && *order < 0;
    }
    case ConditionOperator::Contains:
        if (field.isString())
            return m_value.isString() && field.toString().contains(m_value.toString());
        if (field.isArray()) {
            for (const Data::Value &item : field.toArray()) {
                if (item == m_value)
                    return true;
            }
        }
        return false;
    case ConditionOperator::Matches:
        return field.isString() && m_regex.match(field.toString()).hasMatch();
    case ConditionOperator::In:
        for (const Data::Value &item : m_value.toArray()) {
            if (item == field)
                return true;
        }
        return false;
    case ConditionOperator::Exists:
    case ConditionOperator::Expression:
        break;
    }
    return false;
}

Result<bool> Condition::evaluate(const RoutingInput &input, const Mapping::EvaluationLimits &limits) const
{
    if (m_op != ConditionOperator::Expression)
        return test(m_field.resolve(input.message()));
    auto result = m_expression.evaluate(input.expressionInput(), {}, limits);
    if (!result) {
        const Error &e = result.error();
        return Error{e.code, RoutingTr::tr("%1: JSONata error %2 at position %3: %4")
                                 .arg(m_location, e.code)
                                 .arg(e.offset)
                                 .arg(e.message),
                     {}, e.offset};
    }
    return jsonataTruthy(*result);
}

// --- ConditionSet

Result<ConditionSet> ConditionSet::compile(const QJsonArray &conditions, const QString &match,
                                           const QString &ruleId, const QString &file)
{
    ConditionSet set;
    QStringList problems;
    qint64 firstOffset = -1;
    if (match == u"any") {
        set.m_matchAll = false;
    } else if (!match.isEmpty() && match != u"all") {
        problems.append(RoutingTr::tr("%1: match is 'all' or 'any', not '%2'")
                            .arg(ruleLocation(ruleId, file, u"/match"_s), match));
    }
    set.m_conditions.reserve(size_t(conditions.size()));
    for (qsizetype i = 0; i < conditions.size(); ++i) {
        auto condition = Condition::compile(conditions.at(i), ruleId, file, u"/conditions/%1"_s.arg(i));
        if (!condition) {
            if (problems.isEmpty())
                firstOffset = condition.error().offset;
            problems.append(condition.error().message);
            continue;
        }
        set.m_conditions.push_back(std::move(condition.value()));
    }
    if (!problems.isEmpty()) {
        Error error = ruleError(problems.first(), firstOffset);
        if (problems.size() > 1)
            error.details = problems;
        return error;
    }
    return set;
}

bool ConditionSet::evaluate(const RoutingInput &input, const Mapping::EvaluationLimits &limits,
                            QList<Error> *errors) const
{
    if (m_conditions.empty())
        return true;
    for (const Condition &condition : m_conditions) {
        auto result = condition.evaluate(input, limits);
        bool value = false;
        if (result)
            value = *result;
        else if (errors)
            errors->append(result.error());
        if (value != m_matchAll)
            return value;
    }
    return m_matchAll;
}

} // namespace Conflux::Broker::Internal
