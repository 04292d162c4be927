#include "mapping/jsonataevaluator_p.h"

#include "data/numbers.h"
#include "mapping/jsonataparser_p.h"

#include <QDateTime>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal {

namespace Eval {

Value sequence(Array items)
{
    Value v(std::move(items));
    v.setFlags(Value::Sequence);
    return v;
}

Value singletonSequence(Value item)
{
    Array items;
    items.push_back(std::move(item));
    return sequence(std::move(items));
}

bool isSequence(const Value &v)
{
    return v.isArray() && v.hasFlag(Value::Sequence);
}

bool isNumeric(const Value &v)
{
    if (!v.isNumber())
        return false;
    const double d = v.toDouble();
    if (std::isnan(d))
        return false;
    if (!std::isfinite(d))
        fail("D1001", -1, u"Number out of range: %1"_s.arg(describe(v)), v);
    return true;
}

bool toBoolean(const Value &v)
{
    switch (v.type()) {
    case Value::Type::Undefined:
    case Value::Type::Null:
    case Value::Type::Function:
        return false;
    case Value::Type::Bool:
        return v.toBool();
    case Value::Type::String:
        return !v.toString().isEmpty();
    case Value::Type::Number:
        return isNumeric(v) && v.toDouble() != 0;
    case Value::Type::Object:
        return v.size() > 0;
    case Value::Type::Array: {
        const Array &items = v.toArray();
        if (items.size() == 1)
            return toBoolean(items.front());
        for (const Value &item : items) {
            if (toBoolean(item))
                return true;
        }
        return false;
    }
    }
    return false;
}

Value append(const Value &a, const Value &b)
{
    if (a.isUndefined())
        return b;
    if (b.isUndefined())
        return a;
    Array out;
    const size_t na = a.isArray() ? a.toArray().size() : 1;
    const size_t nb = b.isArray() ? b.toArray().size() : 1;
    out.reserve(na + nb);
    if (a.isArray())
        out.insert(out.end(), a.toArray().begin(), a.toArray().end());
    else
        out.push_back(a);
    if (b.isArray())
        out.insert(out.end(), b.toArray().begin(), b.toArray().end());
    else
        out.push_back(b);
    return Value(std::move(out));
}

Value lookupField(const Value &input, QStringView key)
{
    if (input.isObject()) {
        const Value *v = input.toObject().find(key);
        return v ? *v : Value();
    }
    if (!input.isArray())
        return {};
    Array out;
    for (const Value &item : input.toArray()) {
        Value res = lookupField(item, key);
        if (res.isUndefined())
            continue;
        if (res.isArray())
            out.insert(out.end(), res.toArray().begin(), res.toArray().end());
        else
            out.push_back(std::move(res));
    }
    return sequence(std::move(out));
}

namespace {
class TailCallMarker final : public Data::Callable {};
}

const Value &tailCallMarker()
{
    static const Value marker(static_cast<Data::Callable *>(new TailCallMarker));
    return marker;
}

bool isTailCallMarker(const Value &v)
{
    return v.isFunction() && v.toFunction() == tailCallMarker().toFunction();
}

FramePtr frameFromTuple(const FramePtr &env, const Value &tuple)
{
    auto frame = std::make_shared<Frame>(env);
    for (const auto &[key, value] : tuple.toObject())
        frame->vars.emplace_back(key, value);
    return frame;
}

QString describe(const Value &v)
{
    switch (v.type()) {
    case Value::Type::Undefined: return u"undefined"_s;
    case Value::Type::Null: return u"null"_s;
    case Value::Type::Bool: return v.toBool() ? u"true"_s : u"false"_s;
    case Value::Type::Number: return Data::formatNumberString(v.toDouble());
    case Value::Type::String: {
        QString s = v.toString();
        if (s.size() > 60)
            s = s.left(57) + u"..."_s;
        return u'"' + s + u'"';
    }
    case Value::Type::Array: return u"an array"_s;
    case Value::Type::Object: return u"an object"_s;
    case Value::Type::Function: return u"a function"_s;
    }
    return {};
}

void fail(const char *code, int position, const QString &message, const Value &value,
          const QString &token)
{
    throw JsonataException(QString::fromLatin1(code), position, message, token, value);
}

} // namespace Eval

using namespace Eval;

qint64 Evaluator::nowMillis() const
{
    if (m_state.nowMillis < 0)
        m_state.nowMillis = QDateTime::currentMSecsSinceEpoch();
    return m_state.nowMillis;
}

void Evaluator::checkLimits(const Node *n)
{
    if (m_state.depth > m_state.maxDepth) {
        fail("U1001", n->position,
             u"Stack overflow: evaluation nested deeper than %1 levels. Check for non-terminating "
             "recursion; consider rewriting it as tail-recursive"_s.arg(m_state.maxDepth));
    }
    char here = 0;
    if (m_state.stackLimit && &here < m_state.stackLimit) {
        fail("U1001", n->position,
             u"Stack overflow: the evaluation ran out of stack. Check for non-terminating "
             "recursion; consider rewriting it as tail-recursive"_s);
    }
    if (m_state.timeLimitMs > 0 && std::chrono::steady_clock::now() > m_state.deadline) {
        fail("U1002", n->position,
             u"Evaluation timeout after %1 milliseconds. Check for an infinite loop"_s
                 .arg(m_state.timeLimitMs));
    }
}

namespace {
struct DepthGuard
{
    explicit DepthGuard(int &depth) : depth(depth) { ++depth; }
    ~DepthGuard() { --depth; }
    int &depth;
};
} // namespace

Value Evaluator::evaluate(const Node *n, const Value &input, const FramePtr &env)
{
    if (n->alias)
        n = n->alias;
    // Leaves that cannot nest, fail or loop skip the bookkeeping.
    if (n->constant)
        return n->value;
    if (n->simplePath) {
        if (const Value *v = simplePath(n, input))
            return *v;
    }
    DepthGuard guard(m_state.depth);
    // The clock and the stack are read every 64 nodes, the depth on every one.
    if (m_state.depth > m_state.maxDepth || (++m_state.ticks & 63) == 0)
        checkLimits(n);
    Value result = dispatch(n, input, env);

    for (const Stage &predicate : n->predicates)
        result = evalFilter(predicate.expr, result, env);
    if (n->group && n->type != NodeType::Path)
        result = evalGroup(n->group->pairs, n->group->position, result, env);

    if (result.isArray() && result.hasFlag(Value::Sequence) && !result.hasFlag(Value::TupleStream)) {
        if (n->keepArray)
            result.addFlag(Value::KeepSingleton);
        const qsizetype size = result.size();
        if (size == 0)
            return {};
        if (size == 1 && !result.hasFlag(Value::KeepSingleton))
            return result.at(0);
    }
    return result;
}

Value Evaluator::dispatch(const Node *n, const Value &input, const FramePtr &env)
{
    switch (n->type) {
    case NodeType::Path:
        return evalPath(n, input, env);
    case NodeType::Name:
        return lookupField(input, n->text);
    case NodeType::String:
    case NodeType::Number:
    case NodeType::Literal:
    case NodeType::Regex:
        return n->value;
    case NodeType::Variable:
        return evalVariable(n, input, env);
    case NodeType::Binary:
        return evalBinary(n, input, env);
    case NodeType::Negate:
        return negate(n, evaluate(n->lhs, input, env));
    case NodeType::ArrayCons:
        return evalArray(n, input, env);
    case NodeType::ObjectCons:
        return evalObject(n, input, env);
    case NodeType::Wildcard:
        return evalWildcard(input);
    case NodeType::Descendant:
        return evalDescendants(input);
    case NodeType::Parent: {
        const Value *v = env->find(n->slot->label);
        return v ? *v : Value();
    }
    case NodeType::Condition: {
        const Value test = evaluate(n->lhs, input, env);
        if (toBoolean(test))
            return evaluate(n->rhs, input, env);
        if (n->third)
            return evaluate(n->third, input, env);
        return {};
    }
    case NodeType::Exists:
        return Value(!evaluate(n->lhs, input, env).isUndefined());
    case NodeType::Block:
        return evalBlock(n, input, env);
    case NodeType::Bind: {
        Value v = evaluate(n->rhs, input, env);
        env->bind(n->text, v);
        if (v.isFunction())
            holdsFunction(env);
        return v;
    }
    case NodeType::Function:
        return evalFunction(n, input, env);
    case NodeType::Partial:
        return evalPartial(n, input, env);
    case NodeType::Lambda:
        return evalLambda(n, input, env);
    case NodeType::Apply:
        return evalApply(n, input, env);
    case NodeType::Transform:
        return evalTransform(n, env);
    case NodeType::Sort:
        return evalSort(n, input, env);
    default:
        break;
    }
    unknownNode(n);
}

void Evaluator::unknownNode(const Node *n)
{
    fail("S0206", n->position, u"Unknown expression type: %1"_s.arg(n->text));
}

Value Evaluator::negate(const Node *n, const Value &v)
{
    if (v.isUndefined())
        return {};
    if (isNumeric(v))
        return Value(-v.toDouble());
    fail("D1002", n->position, u"Cannot negate a non-numeric value: %1"_s.arg(describe(v)), v, u"-"_s);
}

Value Evaluator::evalObject(const Node *n, const Value &input, const FramePtr &env)
{
    if (!n->literalKeys || input.isArray())
        return evalGroup(n->pairs, n->position, input, env);
    // one item, keys known: what grouping would do, without the grouping
    Object result;
    result.reserve(qsizetype(n->pairs.size()));
    for (const auto &[key, value] : n->pairs) {
        Value v = evaluate(value, input, env);
        if (!v.isUndefined())
            result.append(key->text, std::move(v));
    }
    return Value(std::move(result));
}

Value Evaluator::evalVariable(const Node *n, const Value &input, const FramePtr &env)
{
    if (n->text.isEmpty()) {
        if (input.isArray() && input.hasFlag(Value::OuterWrapper))
            return input.at(0);
        return input;
    }
    if (const Value *v = env->find(n->text))
        return *v;
    if (n->builtin)
        return n->builtin->value;
    return {};
}

Value Evaluator::evalBlock(const Node *n, const Value &input, const FramePtr &env)
{
    FramePtr own;
    if (n->needsFrame)
        own = std::make_shared<Frame>(env);
    const FramePtr &frame = n->needsFrame ? own : env;
    Value result;
    for (const Node *item : n->items)
        result = evaluate(item, input, frame);
    return result;
}

Value Evaluator::evalArray(const Node *n, const Value &input, const FramePtr &env)
{
    Array items;
    items.reserve(n->items.size());
    for (const Node *item : n->items) {
        Value v = evaluate(item, input, env);
        if (v.isUndefined())
            continue;
        if (item->type == NodeType::ArrayCons || !v.isArray())
            items.push_back(std::move(v));
        else
            items.insert(items.end(), v.toArray().begin(), v.toArray().end());
    }
    Value result(std::move(items));
    if (n->consArray)
        result.setFlags(Value::Cons);
    return result;
}

namespace {

bool strictEquals(const Value &a, const Value &b)
{
    if (a.type() != b.type())
        return false;
    switch (a.type()) {
    case Value::Type::Array:
        return &a.toArray() == &b.toArray();
    case Value::Type::Object:
        return &a.toObject() == &b.toObject();
    default:
        return a == b;
    }
}

bool isComparable(const Value &v)
{
    return v.isUndefined() || v.isString() || v.isNumber();
}

QString opText(const Node *n)
{
    return n->text;
}

} // namespace

Value Evaluator::evalConcat(const Node *n, const Value &input, const FramePtr &env)
{
    // a & b & c builds one string: the operands of the left-leaning chain, in order.
    QVarLengthArray<const Node *, 8> joints;   // the & of each operand (for messages)
    const Node *leftmost = n;
    while (leftmost->type == NodeType::Binary && leftmost->op == Op::Concat
           && leftmost->predicates.empty() && !leftmost->group && !leftmost->keepArray) {
        joints.append(leftmost);
        leftmost = leftmost->lhs;
    }
    QVarLengthArray<Value, 8> parts;
    parts.append(evaluate(leftmost, input, env));
    for (qsizetype i = joints.size() - 1; i >= 0; --i)
        parts.append(evaluate(joints[i]->rhs, input, env));
    qsizetype length = 0;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        if (parts[i].isString())
            continue;
        const Node *joint = joints[joints.size() - std::max<qsizetype>(i, 1)];
        parts[i] = parts[i].isUndefined() ? Value() : Value(stringOf(parts[i], joint->position));
    }
    for (const Value &part : parts)
        length += part.toString().size();
    QString text;
    text.reserve(length);
    for (const Value &part : parts)
        text += part.toString();
    return Value(std::move(text));
}

Value Evaluator::evalBinary(const Node *n, const Value &input, const FramePtr &env)
{
    if (n->op == Op::Concat)
        return evalConcat(n, input, env);
    const Value lhs = evaluate(n->lhs, input, env);
    if (n->op == Op::And)
        return Value(toBoolean(lhs) && toBoolean(evaluate(n->rhs, input, env)));
    if (n->op == Op::Or)
        return Value(toBoolean(lhs) || toBoolean(evaluate(n->rhs, input, env)));
    const Value rhs = evaluate(n->rhs, input, env);
    return binaryOperation(n, lhs, rhs);
}

// Apart from evalBinary so that its messages and temporaries are not on the stack of
// every recursion through an operator.
Value Evaluator::binaryOperation(const Node *n, const Value &lhs, const Value &rhs)
{
    const Op op = n->op;
    try {
        switch (op) {
        case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Mod: {
            if (!lhs.isUndefined() && !isNumeric(lhs)) {
                fail("T2001", n->position,
                     u"The left side of the %1 operator must evaluate to a number"_s.arg(opText(n)),
                     lhs, opText(n));
            }
            if (!rhs.isUndefined() && !isNumeric(rhs)) {
                fail("T2002", n->position,
                     u"The right side of the %1 operator must evaluate to a number"_s.arg(opText(n)),
                     rhs, opText(n));
            }
            if (lhs.isUndefined() || rhs.isUndefined())
                return {};
            const double a = lhs.toDouble();
            const double b = rhs.toDouble();
            switch (op) {
            case Op::Add: return Value(a + b);
            case Op::Sub: return Value(a - b);
            case Op::Mul: return Value(a * b);
            case Op::Div: return Value(a / b);
            default: return Value(std::fmod(a, b));
            }
        }
        case Op::Eq:
            return Value(!lhs.isUndefined() && !rhs.isUndefined() && lhs == rhs);
        case Op::Ne:
            return Value(!lhs.isUndefined() && !rhs.isUndefined() && lhs != rhs);
        case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: {
            if (!isComparable(lhs) || !isComparable(rhs)) {
                const Value &bad = (lhs.isString() || lhs.isNumber()) ? rhs : lhs;
                fail("T2010", n->position,
                     u"The expressions either side of operator %1 must evaluate to numeric or "
                     "string values"_s.arg(opText(n)),
                     bad, opText(n));
            }
            if (lhs.isUndefined() || rhs.isUndefined())
                return {};
            if (lhs.type() != rhs.type()) {
                fail("T2009", n->position,
                     u"The values %1 and %2 either side of operator %3 must be of the same data type"_s
                         .arg(describe(lhs), describe(rhs), opText(n)),
                     lhs, opText(n));
            }
            int c = 0;
            if (lhs.isNumber()) {
                const double a = lhs.toDouble();
                const double b = rhs.toDouble();
                switch (op) {
                case Op::Lt: return Value(a < b);
                case Op::Le: return Value(a <= b);
                case Op::Gt: return Value(a > b);
                default: return Value(a >= b);
                }
            }
            c = QStringView(lhs.toString()).compare(QStringView(rhs.toString()));
            switch (op) {
            case Op::Lt: return Value(c < 0);
            case Op::Le: return Value(c <= 0);
            case Op::Gt: return Value(c > 0);
            default: return Value(c >= 0);
            }
        }

        case Op::Range: {
            auto isInteger = [](const Value &v) {
                return v.isNumber() && std::isfinite(v.toDouble()) && std::trunc(v.toDouble()) == v.toDouble();
            };
            if (!lhs.isUndefined() && !isInteger(lhs)) {
                fail("T2003", n->position,
                     u"The left side of the range operator (..) must evaluate to an integer"_s, lhs,
                     opText(n));
            }
            if (!rhs.isUndefined() && !isInteger(rhs)) {
                fail("T2004", n->position,
                     u"The right side of the range operator (..) must evaluate to an integer"_s, rhs,
                     opText(n));
            }
            if (lhs.isUndefined() || rhs.isUndefined())
                return {};
            const double from = lhs.toDouble();
            const double to = rhs.toDouble();
            if (from > to)
                return {};
            const double size = to - from + 1;
            if (size > 1e7) {
                fail("D2014", n->position,
                     u"The size of the sequence allocated by the range operator (..) must not "
                     "exceed 1e7.  Attempted to allocate %1."_s.arg(Data::formatNumberString(size)),
                     Value(size), opText(n));
            }
            Array items;
            items.reserve(size_t(size));
            for (double d = from; d <= to; d += 1)
                items.emplace_back(d);
            return sequence(std::move(items));
        }
        case Op::In: {
            if (lhs.isUndefined() || rhs.isUndefined())
                return Value(false);
            if (!rhs.isArray())
                return Value(strictEquals(lhs, rhs));
            for (const Value &item : rhs.toArray()) {
                if (strictEquals(item, lhs))
                    return Value(true);
            }
            return Value(false);
        }
        default:
            break;
        }
    } catch (JsonataException &e) {
        if (e.position < 0)
            e.position = n->position;
        if (e.token.isEmpty())
            e.token = opText(n);
        if (e.code == u"D1001" && e.message.isEmpty())
            e.message = u"Number out of range"_s;
        throw;
    }
    return {};
}

} // namespace Conflux::Mapping::Internal
