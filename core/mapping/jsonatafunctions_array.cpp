// Array, object and higher-order functions of the JSONata library: $count, $append,
// $reverse, $shuffle, $distinct, $sort, $zip, $keys, $lookup, $spread, $merge, $each,
// $sift, $map, $filter, $single, $reduce.

#include "mapping/jsonatafunctionlib_p.h"

#include <QRandomGenerator>
#include <QSet>

#include <algorithm>
#include <unordered_set>

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal {

using Data::Array;
using Data::Object;
using Data::Value;

namespace {

// The items of an array argument; a lone value counts as a one-item array.
class Items
{
public:
    explicit Items(const Value &value)
    {
        if (value.isArray()) {
            m_items = &value.toArray();
        } else if (!value.isUndefined()) {
            m_single.push_back(value);
            m_items = &m_single;
        } else {
            m_items = &m_single;
        }
    }
    const Array &operator*() const { return *m_items; }
    const Array *operator->() const { return m_items; }

private:
    const Array *m_items;
    Array m_single;
};

// Arguments for a callback that may take (value), (value, index) or (value, index, all).
std::vector<Value> callbackArgs(int arity, const Value &value, const Value &position, const Value &all)
{
    std::vector<Value> args;
    args.reserve(3);
    args.push_back(value);
    if (arity >= 2)
        args.push_back(position);
    if (arity >= 3)
        args.push_back(all);
    return args;
}

} // namespace

Value fnCount(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return 0;
    return arg.isArray() ? double(arg.size()) : 1.0;
}

Value fnAppend(CallContext &, std::vector<Value> &args)
{
    const Value &first = argAt(args, 0);
    const Value &second = argAt(args, 1);
    if (first.isUndefined())
        return second;
    if (second.isUndefined())
        return first;
    Array items;
    const Items a(first);
    const Items b(second);
    items.reserve(a->size() + b->size());
    items.insert(items.end(), a->begin(), a->end());
    items.insert(items.end(), b->begin(), b->end());
    return Value(std::move(items));
}

Value fnReverse(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined() || !arg.isArray() || arg.size() <= 1)
        return arg;
    const Array &items = arg.toArray();
    return Value(Array(items.rbegin(), items.rend()));
}

Value fnShuffle(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined() || !arg.isArray() || arg.size() <= 1)
        return arg;
    Array items = arg.toArray();
    QRandomGenerator *random = QRandomGenerator::global();
    for (size_t i = items.size() - 1; i > 0; --i)
        std::swap(items[i], items[size_t(random->bounded(quint64(i + 1)))]);
    return Value(std::move(items));
}

Value fnDistinct(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (!arg.isArray() || arg.size() <= 1)
        return arg;
    // Deep equality; scalars through hash sets so long lists stay linear.
    QSet<QString> strings;
    std::unordered_set<double> numbers;
    bool seenNull = false, seenTrue = false, seenFalse = false;
    std::vector<size_t> others;   // indexes into `result` of arrays, objects, big integers
    Array result;
    for (const Value &item : arg.toArray()) {
        bool duplicate = false;
        switch (item.type()) {
        case Value::Type::Null:
            duplicate = std::exchange(seenNull, true);
            break;
        case Value::Type::Bool:
            duplicate = item.toBool() ? std::exchange(seenTrue, true) : std::exchange(seenFalse, true);
            break;
        case Value::Type::String:
            duplicate = strings.contains(item.toString());
            if (!duplicate)
                strings.insert(item.toString());
            break;
        case Value::Type::Number:
            if (!item.hasExactText()) {
                duplicate = !numbers.insert(item.toDouble()).second;
                break;
            }
            [[fallthrough]];
        default:
            for (const size_t index : others) {
                if (result[index] == item) {
                    duplicate = true;
                    break;
                }
            }
            if (!duplicate)
                others.push_back(result.size());
            break;
        }
        if (!duplicate)
            result.push_back(item);
    }
    Value distinct(std::move(result));
    if (arg.hasFlag(Value::Sequence))
        distinct.addFlag(Value::Sequence);
    return distinct;
}

namespace {

// The reference's top-down merge sort: comparator(a, b) true means b goes first. Its
// exact sequence of comparisons is kept, so user comparators see what they would there.
template<typename Greater>
void mergeSort(Array &items, Array &scratch, size_t from, size_t to, Greater &greater)
{
    if (to - from <= 1)
        return;
    const size_t middle = from + (to - from) / 2;
    mergeSort(items, scratch, from, middle, greater);
    mergeSort(items, scratch, middle, to, greater);
    size_t left = from, right = middle, out = from;
    while (left < middle && right < to) {
        if (greater(items[left], items[right]))
            scratch[out++] = items[right++];
        else
            scratch[out++] = items[left++];
    }
    while (left < middle)
        scratch[out++] = items[left++];
    while (right < to)
        scratch[out++] = items[right++];
    for (size_t i = from; i < to; ++i)
        items[i] = std::move(scratch[i]);
}

} // namespace

Value fnSort(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined() || !arg.isArray() || arg.size() <= 1)
        return arg;
    Array items = arg.toArray();
    Array scratch(items.size());
    const Value &comparator = argAt(args, 1);
    if (comparator.isUndefined()) {
        const bool numbers = std::all_of(items.begin(), items.end(), [](const Value &v) { return v.isNumber(); });
        const bool strings = std::all_of(items.begin(), items.end(), [](const Value &v) { return v.isString(); });
        if (!numbers && !strings) {
            throwJsonata("D3070", context.position(),
                         u"The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function"_s);
        }
        if (numbers) {
            auto greater = [](const Value &a, const Value &b) { return a.toDouble() > b.toDouble(); };
            mergeSort(items, scratch, 0, items.size(), greater);
        } else {
            auto greater = [](const Value &a, const Value &b) { return a.toString() > b.toString(); };
            mergeSort(items, scratch, 0, items.size(), greater);
        }
    } else {
        auto greater = [&](const Value &a, const Value &b) {
            return jsTruthy(context.call(comparator, {a, b}));
        };
        mergeSort(items, scratch, 0, items.size(), greater);
    }
    return Value(std::move(items));
}

Value fnZip(CallContext &, std::vector<Value> &args)
{
    size_t length = args.empty() ? 0 : SIZE_MAX;
    for (const Value &arg : args)
        length = std::min(length, arg.isArray() ? size_t(arg.size()) : size_t(0));
    Array result;
    result.reserve(length);
    for (size_t i = 0; i < length; ++i) {
        Array tuple;
        tuple.reserve(args.size());
        for (const Value &arg : args)
            tuple.push_back(arg.at(qsizetype(i)));
        result.emplace_back(std::move(tuple));
    }
    return Value(std::move(result));
}

namespace {

void collectKeys(const Value &value, Array &keys, QSet<QString> &seen)
{
    if (value.isArray()) {
        for (const Value &item : value.toArray())
            collectKeys(item, keys, seen);
    } else if (value.isObject()) {
        for (const auto &[key, member] : value.toObject()) {
            if (!seen.contains(key)) {
                seen.insert(key);
                keys.emplace_back(key);
            }
        }
    }
}

Value lookupIn(const Value &input, const QString &key)
{
    if (input.isArray()) {
        Array result;
        for (const Value &item : input.toArray()) {
            const Value found = lookupIn(item, key);
            if (found.isArray())
                result.insert(result.end(), found.toArray().begin(), found.toArray().end());
            else if (!found.isUndefined())
                result.push_back(found);
        }
        return makeSequence(std::move(result));
    }
    if (input.isObject()) {
        if (const Value *member = input.toObject().find(key))
            return *member;
    }
    return {};
}

} // namespace

Value fnKeys(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    Array keys;
    if (arg.isObject()) {
        keys.reserve(size_t(arg.size()));
        for (const auto &[key, member] : arg.toObject())
            keys.emplace_back(key);
    } else if (arg.isArray()) {
        QSet<QString> seen;
        collectKeys(arg, keys, seen);
    }
    return makeSequence(std::move(keys));
}

Value fnLookup(CallContext &, std::vector<Value> &args)
{
    return lookupIn(argAt(args, 0), argAt(args, 1).toString());
}

Value fnSpread(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isObject()) {
        Array result;
        result.reserve(size_t(arg.size()));
        for (const auto &[key, member] : arg.toObject())
            result.emplace_back(Object{{key, member}});
        return makeSequence(std::move(result));
    }
    if (!arg.isArray())
        return arg;
    // Like the reference, appending turns the sequence into a plain array.
    Array result;
    bool appended = false;
    for (const Value &item : arg.toArray()) {
        std::vector<Value> itemArgs{item};
        const Value spread = fnSpread(context, itemArgs);
        if (spread.isUndefined())
            continue;
        appended = true;
        if (spread.isArray())
            result.insert(result.end(), spread.toArray().begin(), spread.toArray().end());
        else
            result.push_back(spread);
    }
    return appended ? Value(std::move(result)) : makeSequence(std::move(result));
}

Value fnMerge(CallContext &, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    Object result;
    for (const Value &item : *Items(arg)) {
        for (const auto &[key, member] : item.toObject())
            result.insert(key, member);
    }
    return Value(std::move(result));
}

Value fnEach(CallContext &context, std::vector<Value> &args)
{
    const Value &object = argAt(args, 0);
    const Value &function = argAt(args, 1);
    Array result;
    if (object.isObject()) {
        const int arity = context.arity(function);
        for (const auto &[key, member] : object.toObject()) {
            Value value = context.call(function, callbackArgs(arity, member, key, object));
            if (!value.isUndefined())
                result.push_back(std::move(value));
        }
    }
    return makeSequence(std::move(result));
}

Value fnSift(CallContext &context, std::vector<Value> &args)
{
    const Value &object = argAt(args, 0);
    const Value &function = argAt(args, 1);
    if (!object.isObject())
        return {};
    const int arity = context.arity(function);
    Object result;
    for (const auto &[key, member] : object.toObject()) {
        if (jsonataBoolean(context.call(function, callbackArgs(arity, member, key, object))))
            result.append(key, member);
    }
    if (result.isEmpty())
        return {};
    return Value(std::move(result));
}

Value fnMap(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const Value &function = argAt(args, 1);
    const int arity = context.arity(function);
    const Items items(arg);
    Array result;
    result.reserve(items->size());
    for (size_t i = 0; i < items->size(); ++i) {
        Value value = context.call(function, callbackArgs(arity, (*items)[i], double(i), arg));
        if (!value.isUndefined())
            result.push_back(std::move(value));
    }
    return makeSequence(std::move(result));
}

Value fnFilter(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const Value &function = argAt(args, 1);
    const int arity = context.arity(function);
    const Items items(arg);
    Array result;
    for (size_t i = 0; i < items->size(); ++i) {
        const Value &item = (*items)[i];
        if (jsonataBoolean(context.call(function, callbackArgs(arity, item, double(i), arg))))
            result.push_back(item);
    }
    return makeSequence(std::move(result));
}

Value fnSingle(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const Value &function = argAt(args, 1);
    const int arity = function.isUndefined() ? 0 : context.arity(function);
    const Items items(arg);
    Value found;
    bool hasMatch = false;
    for (size_t i = 0; i < items->size(); ++i) {
        const Value &item = (*items)[i];
        const bool matches = function.isUndefined()
                             || jsonataBoolean(context.call(function, callbackArgs(arity, item, double(i), arg)));
        if (!matches)
            continue;
        if (hasMatch) {
            throwJsonata("D3138", context.position(),
                         u"The $single() function expected exactly 1 matching result.  Instead it matched more."_s);
        }
        found = item;
        hasMatch = true;
    }
    if (!hasMatch) {
        throwJsonata("D3139", context.position(),
                     u"The $single() function expected exactly 1 matching result.  Instead it matched 0."_s);
    }
    return found;
}

Value fnReduce(CallContext &context, std::vector<Value> &args)
{
    const Value &arg = argAt(args, 0);
    if (arg.isUndefined())
        return {};
    const Value &function = argAt(args, 1);
    const int arity = context.arity(function);
    if (arity < 2) {
        throwJsonata("D3050", context.position(),
                     u"The second argument of reduce function must be a function with at least two arguments"_s);
    }
    const Items items(arg);
    const Value &init = argAt(args, 2);
    size_t index = 0;
    Value result = init;
    if (init.isUndefined() && !items->empty()) {
        result = items->front();
        index = 1;
    }
    for (; index < items->size(); ++index) {
        std::vector<Value> callArgs{result, (*items)[index]};
        if (arity >= 3)
            callArgs.emplace_back(double(index));
        if (arity >= 4)
            callArgs.push_back(arg);
        result = context.call(function, std::move(callArgs));
    }
    return result;
}

} // namespace Conflux::Mapping::Internal
