// Location paths: steps over sequences, tuple streams for focus/index/parent bindings,
// predicates, grouping, order-by, wildcards and descendants.

#include "mapping/jsonataevaluator_p.h"

#include <QHash>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal {

using namespace Eval;

namespace {

const QString &focusKey()
{
    static const QString key = u"@"_s;
    return key;
}

Value tupleStream(Array items)
{
    Value v(std::move(items));
    v.setFlags(Value::Sequence | Value::TupleStream);
    return v;
}

void flattenInto(const Value &v, Array &out)
{
    if (!v.isArray()) {
        out.push_back(v);
        return;
    }
    for (const Value &item : v.toArray())
        flattenInto(item, out);
}

void descendantsInto(const Value &v, Array &out)
{
    if (!v.isArray())
        out.push_back(v);
    if (v.isArray()) {
        for (const Value &item : v.toArray())
            descendantsInto(item, out);
    } else if (v.isObject()) {
        for (const auto &member : v.toObject())
            descendantsInto(member.second, out);
    }
}

} // namespace

const Value *Evaluator::simplePath(const Node *n, const Value &input)
{
    // Plain field names over single objects: no sequences to build. nullptr when the
    // general way is needed (an array on the way).
    static const Value undefined;
    if (input.isArray())
        return nullptr;
    const Value *current = &input;
    const size_t last = n->items.size() - 1;
    for (size_t i = 0; i <= last; ++i) {
        if (!current->isObject())
            return &undefined;
        const Value *v = current->toObject().find(n->items[i]->text);
        if (!v)
            return &undefined;
        if (v->isArray() && (i != last || v->hasFlag(Value::Sequence)))
            return nullptr;
        current = v;
    }
    return current;
}

Value Evaluator::evalPath(const Node *n, const Value &input, const FramePtr &env)
{
    const std::vector<Node *> &steps = n->items;
    // A path starting with a variable is absolute: it does not iterate an input array.
    // Otherwise a single input is a sequence of one, built only if a step needs it.
    Value inputSequence = input;
    bool single = !input.isArray() || steps.front()->type == NodeType::Variable;
    auto sequenceValue = [&]() -> const Value & {
        if (single) {
            inputSequence = singletonSequence(inputSequence);
            single = false;
        }
        return inputSequence;
    };
    Value resultSequence;
    bool isTupleStream = false;
    Value tuples;
    for (size_t i = 0; i < steps.size(); ++i) {
        const Node *step = steps[i];
        if (step->tuple)
            isTupleStream = true;
        if (i == 0 && step->consArray)
            resultSequence = evaluate(step, sequenceValue(), env);
        else if (isTupleStream)
            tuples = evalTupleStep(step, sequenceValue(), tuples, env);
        else
            resultSequence = evalStep(step, inputSequence, single, env, i == steps.size() - 1);

        if (!isTupleStream
            && (resultSequence.isUndefined() || (resultSequence.isArray() && resultSequence.size() == 0)))
            break;
        if (step->focus.isEmpty()) {
            inputSequence = resultSequence;
            single = false;
        }
    }

    if (isTupleStream) {
        if (n->tuple) {
            resultSequence = tuples;   // the caller needs the ancestry bindings
        } else {
            Array items;
            items.reserve(size_t(tuples.size()));
            for (const Value &tuple : tuples.toArray())
                items.push_back(tuple[focusKey()]);
            resultSequence = sequence(std::move(items));
        }
    }

    if (n->keepSingletonArray && resultSequence.isArray()) {
        if (resultSequence.hasFlag(Value::Cons) && !resultSequence.hasFlag(Value::Sequence))
            resultSequence = singletonSequence(resultSequence);
        resultSequence.addFlag(Value::KeepSingleton);
    }

    if (n->group)
        resultSequence = evalGroup(n->group->pairs, n->group->position,
                                   isTupleStream ? tuples : resultSequence, env);
    return resultSequence;
}

Value Evaluator::evalStep(const Node *step, const Value &input, bool single, const FramePtr &env,
                          bool lastStep)
{
    if (step->type == NodeType::Sort) {
        Value result = evalSort(step, single ? singletonSequence(input) : input, env);
        if (!step->stages.empty())
            result = evalStages(step->stages, result, env);
        return result;
    }

    const bool one = single || !input.isArray();
    const Value *items = one ? &input : input.toArray().data();
    const size_t count = one ? 1 : input.toArray().size();

    // Results are flattened into one sequence as they come. A lone result waits: an array
    // then becomes the sequence itself (sharing its items; the flags are the handle's), and
    // the last step keeps a lone array as it is.
    Array out;
    Value first;
    size_t defined = 0;
    auto add = [&out](Value &&res) {
        if (!res.isArray() || res.hasFlag(Value::Cons))
            out.push_back(std::move(res));
        else
            out.insert(out.end(), res.toArray().begin(), res.toArray().end());
    };
    // A plain field name is a leaf: look it up without a trip through evaluate().
    const bool plainName = step->type == NodeType::Name && step->stages.empty()
                           && step->predicates.empty() && !step->group && !step->keepArray;
    for (size_t i = 0; i < count; ++i) {
        Value res;
        if (plainName) {
            res = lookupField(items[i], step->text);
            if (isSequence(res)) {
                // what evaluate() would make of a sequence
                if (res.size() == 0)
                    continue;
                if (res.size() == 1)
                    res = Value(res.at(0));
            }
        } else {
            res = evaluate(step, items[i], env);
        }
        for (const Stage &stage : step->stages)
            res = evalFilter(stage.expr, res, env);
        if (res.isUndefined())
            continue;
        ++defined;
        if (defined == 1) {
            first = std::move(res);
            continue;
        }
        if (defined == 2) {
            out.reserve(count);
            add(std::move(first));
        }
        add(std::move(res));
    }
    if (defined == 1) {
        if (first.isArray() && !first.hasFlag(Value::Cons)) {
            if (lastStep && !isSequence(first))
                return first;
            first.setFlags(Value::Sequence);
            return first;
        }
        out.push_back(std::move(first));
    }
    return sequence(std::move(out));
}

Value Evaluator::evalStages(const std::vector<Stage> &stages, Value input, const FramePtr &env)
{
    Value result = std::move(input);
    for (const Stage &stage : stages) {
        if (!stage.isIndex) {
            result = evalFilter(stage.expr, result, env);
            continue;
        }
        if (!result.isArray())
            continue;
        Array &tuples = result.mutableArray();
        for (size_t i = 0; i < tuples.size(); ++i) {
            if (tuples[i].isObject())
                tuples[i].mutableObject().insert(stage.variable, Value(double(i)));
        }
    }
    return result;
}

Value Evaluator::evalTupleStep(const Node *step, const Value &input, const Value &tuples,
                               const FramePtr &env)
{
    if (step->type == NodeType::Sort) {
        Value result;
        if (!tuples.isUndefined()) {
            result = evalSort(step, tuples, env);
        } else {
            const Value sorted = evalSort(step, input, env);
            Array items;
            const Array &sortedItems = sorted.isArray() ? sorted.toArray() : Array{sorted};
            for (size_t i = 0; i < sortedItems.size(); ++i) {
                Object tuple;
                tuple.append(focusKey(), sortedItems[i]);
                if (!step->index.isEmpty())
                    tuple.append(step->index, Value(double(i)));
                items.emplace_back(std::move(tuple));
            }
            result = tupleStream(std::move(items));
        }
        if (!step->stages.empty())
            result = evalStages(step->stages, result, env);
        return result;
    }

    Value bindings = tuples;
    if (bindings.isUndefined()) {
        Array items;
        const Value in = input.isArray() ? input : singletonSequence(input);
        for (const Value &item : in.toArray()) {
            Object tuple;
            tuple.append(focusKey(), item);
            items.emplace_back(std::move(tuple));
        }
        bindings = Value(std::move(items));
    }

    Array out;
    for (const Value &tuple : bindings.toArray()) {
        const FramePtr stepEnv = frameFromTuple(env, tuple);
        const Value &context = tuple[focusKey()];
        const Value res = evaluate(step, context, stepEnv);
        if (res.isUndefined())
            continue;
        const bool resIsTuples = res.isArray() && res.hasFlag(Value::TupleStream);
        const Array single = res.isArray() ? Array() : Array{res};
        const Array &items = res.isArray() ? res.toArray() : single;
        for (size_t b = 0; b < items.size(); ++b) {
            Object t = tuple.toObject();
            if (resIsTuples) {
                for (const auto &[key, value] : items[b].toObject())
                    t.insert(key, value);
            } else {
                if (!step->focus.isEmpty()) {
                    t.insert(step->focus, items[b]);
                    t.insert(focusKey(), context);
                } else {
                    t.insert(focusKey(), items[b]);
                }
                if (!step->index.isEmpty())
                    t.insert(step->index, Value(double(b)));
                if (step->ancestor)
                    t.insert(step->ancestor->label, context);
            }
            out.emplace_back(std::move(t));
        }
    }
    Value result = tupleStream(std::move(out));
    if (!step->stages.empty())
        result = evalStages(step->stages, result, env);
    return result;
}

Value Evaluator::evalFilter(const Node *predicate, const Value &input, const FramePtr &env)
{
    const bool tuples = input.isArray() && input.hasFlag(Value::TupleStream);
    const Value in = input.isArray() ? input : singletonSequence(input);
    const Array &items = in.toArray();
    const double size = double(items.size());
    Array results;

    if (predicate->type == NodeType::Number) {
        double index = std::floor(predicate->value.toDouble());
        if (index < 0)
            index += size;
        if (index >= 0 && index < size) {
            const Value &item = items[size_t(index)];
            if (item.isArray())
                return item;
            if (!item.isUndefined())
                results.push_back(item);
        }
    } else {
        for (size_t index = 0; index < items.size(); ++index) {
            const Value &item = items[index];
            Value res;
            if (tuples)
                res = evaluate(predicate, item[focusKey()], frameFromTuple(env, item));
            else
                res = evaluate(predicate, item, env);
            auto matchesIndex = [&](const Value &n) {
                double i = std::floor(n.toDouble());
                if (i < 0)
                    i += size;
                return i == double(index);
            };
            if (isNumeric(res)) {
                if (matchesIndex(res))
                    results.push_back(item);
                continue;
            }
            if (res.isArray()) {
                bool allNumbers = true;
                for (const Value &v : res.toArray()) {
                    if (!isNumeric(v)) {
                        allNumbers = false;
                        break;
                    }
                }
                if (allNumbers) {
                    for (const Value &v : res.toArray()) {
                        if (matchesIndex(v))
                            results.push_back(item);
                    }
                    continue;
                }
            }
            if (toBoolean(res))
                results.push_back(item);
        }
    }
    Value result = sequence(std::move(results));
    if (tuples)
        result.addFlag(Value::TupleStream);
    return result;
}

namespace {

Value reduceTupleStream(const Value &data)
{
    if (!data.isArray())
        return data;
    const Array &tuples = data.toArray();
    if (tuples.empty())
        return Value(Object());
    Object result = tuples.front().toObject();
    for (size_t i = 1; i < tuples.size(); ++i) {
        for (const auto &[key, value] : tuples[i].toObject()) {
            const Value *existing = result.find(key);
            result.insert(key, append(existing ? *existing : Value(), value));
        }
    }
    return Value(std::move(result));
}

} // namespace

Value Evaluator::evalGroup(const std::vector<std::pair<Node *, Node *>> &pairs, int position,
                           const Value &input, const FramePtr &env)
{
    const bool reduce = input.isArray() && input.hasFlag(Value::TupleStream);
    Value in = input.isArray() ? input : singletonSequence(input);
    if (in.size() == 0 && !reduce)
        in = singletonSequence(Value());

    struct Entry
    {
        QString key;
        Value data;
        size_t exprIndex;
    };
    std::vector<Entry> groups;
    QHash<QString, size_t> index;   // once there are many keys
    auto find = [&](const QString &key) -> Entry * {
        if (!index.isEmpty()) {
            const auto it = index.constFind(key);
            return it == index.constEnd() ? nullptr : &groups[*it];
        }
        for (Entry &e : groups) {
            if (e.key == key)
                return &e;
        }
        return nullptr;
    };

    for (const Value &item : in.toArray()) {
        FramePtr itemEnv = reduce ? frameFromTuple(env, item) : env;
        const Value &context = reduce ? item[focusKey()] : item;
        for (size_t p = 0; p < pairs.size(); ++p) {
            const Value key = evaluate(pairs[p].first, context, itemEnv);
            if (key.isUndefined())
                continue;
            if (!key.isString()) {
                fail("T1003", position,
                     u"Key in object structure must evaluate to a string; got: %1"_s.arg(describe(key)),
                     key);
            }
            if (Entry *e = find(key.toString())) {
                if (e->exprIndex != p) {
                    fail("D1009", position,
                         u"Multiple key definitions evaluate to same key: %1"_s.arg(describe(key)), key);
                }
                e->data = append(e->data, item);
            } else {
                groups.push_back({key.toString(), item, p});
                if (!index.isEmpty()) {
                    index.insert(groups.back().key, groups.size() - 1);
                } else if (groups.size() > 16) {
                    for (size_t g = 0; g < groups.size(); ++g)
                        index.insert(groups[g].key, g);
                }
            }
        }
    }

    Object result;
    result.reserve(qsizetype(groups.size()));
    for (Entry &entry : groups) {
        Value value;
        if (reduce) {
            Value tuple = reduceTupleStream(entry.data);
            const Value context = tuple[focusKey()];
            tuple.mutableObject().remove(focusKey());
            value = evaluate(pairs[entry.exprIndex].second, context, frameFromTuple(env, tuple));
        } else {
            value = evaluate(pairs[entry.exprIndex].second, entry.data, env);
        }
        if (!value.isUndefined())
            result.append(std::move(entry.key), std::move(value));
    }
    return Value(std::move(result));
}

Value Evaluator::evalSort(const Node *n, const Value &input, const FramePtr &env)
{
    if (input.isUndefined())
        return {};
    if (!input.isArray() || input.size() <= 1)
        return input;
    const bool tupleSort = input.hasFlag(Value::TupleStream);
    const Array &items = input.toArray();
    const size_t terms = n->terms.size();
    std::vector<Value> keys(items.size() * terms);
    std::vector<bool> computed(items.size() * terms, false);
    auto key = [&](size_t item, size_t term) -> const Value & {
        const size_t slot = item * terms + term;
        if (!computed[slot]) {
            const Node *expr = n->terms[term].expr;
            if (tupleSort)
                keys[slot] = evaluate(expr, items[item][focusKey()], frameFromTuple(env, items[item]));
            else
                keys[slot] = evaluate(expr, items[item], env);
            computed[slot] = true;
        }
        return keys[slot];
    };
    auto compare = [&](size_t a, size_t b) {
        for (size_t t = 0; t < terms; ++t) {
            const Value &aa = key(a, t);
            const Value &bb = key(b, t);
            if (aa.isUndefined()) {
                if (bb.isUndefined())
                    continue;
                return 1;
            }
            if (bb.isUndefined())
                return -1;
            const bool aOk = aa.isString() || aa.isNumber();
            const bool bOk = bb.isString() || bb.isNumber();
            if (!aOk || !bOk) {
                fail("T2008", n->position,
                     u"The expressions within an order-by clause must evaluate to numeric or string values"_s,
                     aOk ? bb : aa);
            }
            if (aa.type() != bb.type()) {
                fail("T2007", n->position,
                     u"Type mismatch when comparing values %1 and %2 in order-by clause"_s
                         .arg(describe(aa), describe(bb)),
                     aa);
            }
            int c = 0;
            if (aa.isNumber()) {
                const double x = aa.toDouble();
                const double y = bb.toDouble();
                c = x < y ? -1 : x > y ? 1 : 0;
            } else {
                c = QStringView(aa.toString()).compare(QStringView(bb.toString()));
                c = c < 0 ? -1 : c > 0 ? 1 : 0;
            }
            if (c == 0)
                continue;
            return n->terms[t].descending ? -c : c;
        }
        return 0;
    };
    std::vector<size_t> order(items.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return compare(a, b) < 0; });
    Array out;
    out.reserve(items.size());
    for (size_t i : order)
        out.push_back(items[i]);
    return Value(std::move(out));
}

Value Evaluator::evalWildcard(const Value &input)
{
    Value in = input;
    if (in.isArray() && in.hasFlag(Value::OuterWrapper) && in.size() > 0)
        in = in.at(0);
    Array results;
    bool plain = false;   // appending an array member turns the sequence into a plain array
    auto add = [&](const Value &v) {
        if (v.isArray()) {
            flattenInto(v, results);
            plain = true;
        } else {
            results.push_back(v);
        }
    };
    if (in.isObject()) {
        for (const auto &member : in.toObject())
            add(member.second);
    } else if (in.isArray()) {
        for (const Value &item : in.toArray())
            add(item);
    }
    return plain ? Value(std::move(results)) : sequence(std::move(results));
}

Value Evaluator::evalDescendants(const Value &input)
{
    if (input.isUndefined())
        return {};
    Array out;
    descendantsInto(input, out);
    if (out.size() == 1)
        return out.front();
    return sequence(std::move(out));
}

} // namespace Conflux::Mapping::Internal
