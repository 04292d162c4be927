// Function values and calls: lambdas and closures, built-ins (signature checks, the call
// context), partial application, tail calls, ~> chaining, transforms and $eval.

#include "mapping/jsonataevaluator_p.h"

#include "mapping/jsonataparser_p.h"

#include <QHash>
#include <QSet>

#include <cmath>
#include <unordered_set>

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal {

using namespace Eval;

// --- built-in table ------------------------------------------------------------------------

namespace {

struct BuiltinTable
{
    std::vector<std::unique_ptr<BuiltinFunction>> functions;
    QHash<QString, const BuiltinFunction *> byName;

    void add(const NativeFunction *native, const QString &name, QStringView signature)
    {
        auto f = std::make_unique<BuiltinFunction>();
        f->native = native;
        f->name = name;
        try {
            f->signature = Signature::parse(signature);
        } catch (const JsonataException &) {
            qWarning("JSONata built-in $%s has an invalid signature", qPrintable(name));
            return;
        }
        f->arity = native ? native->arity : f->signature->parameterCount();
        f->value = Value(static_cast<Data::Callable *>(new BuiltinValue(f.get())));
        byName.insert(f->name, f.get());
        functions.push_back(std::move(f));
    }
};

const BuiltinTable &builtinTable()
{
    static const BuiltinTable table = [] {
        BuiltinTable t;
        for (const NativeFunction &native : builtinFunctions()) {
            const QString name(native.name);
            if (name == u"eval")
                continue;   // needs the caller's environment: the evaluator's own
            t.add(&native, name, QString(native.signature));
        }
        t.add(nullptr, u"eval"_s, u"<sx?:x>");
        return t;
    }();
    return table;
}

const Signature &transformSignature()
{
    static const std::unique_ptr<Signature> signature = Signature::parse(u"<(oa):o>");
    return *signature;
}

const QString &cloneName()
{
    static const QString name = u"clone"_s;
    return name;
}

} // namespace

// What a built-in sees of its call.
class EvalCallContext final : public CallContext
{
public:
    EvalCallContext(Evaluator &evaluator, const Value &input, const FramePtr &env, int position)
        : m_evaluator(evaluator), m_input(input), m_env(env), m_position(position) {}

    const Value &input() const override { return m_input; }
    Value call(const Value &function, std::vector<Value> args) override
    {
        // Callbacks get no context value, like the reference's apply(fn, args, null).
        static const Value none = Value::null();
        return m_evaluator.apply(function, args, none, m_env, m_position);
    }
    int arity(const Value &function) const override { return m_evaluator.arity(function); }
    qint64 nowMillis() const override { return m_evaluator.nowMillis(); }
    int position() const override { return m_position; }

private:
    Evaluator &m_evaluator;
    const Value &m_input;
    const FramePtr &m_env;
    int m_position;
};

const BuiltinFunction *findBuiltin(QStringView name)
{
    const BuiltinTable &table = builtinTable();
    return table.byName.value(name.toString(), nullptr);
}

int PartialFunction::arity() const
{
    int n = 0;
    for (size_t i = 0; i < holes.size() && int(i) < parameterCount; ++i)
        n += holes[i] ? 1 : 0;
    return n;
}

int Evaluator::arity(const Value &function) const
{
    const Data::Callable *c = function.toFunction();
    return c ? c->arity() : 0;
}

QString Evaluator::stringOf(const Value &value, int position)
{
    static const BuiltinFunction *string = findBuiltin(u"string");
    if (!string)
        return value.isString() ? value.toString() : describe(value);
    std::vector<Value> args{value};
    static const Value none;
    const Value result = callBuiltin(string, args, none, nullptr, position);
    return result.toString();
}

// --- calls ---------------------------------------------------------------------------------

namespace {

thread_local std::vector<std::vector<Value>> argPool;

} // namespace

std::vector<Value> Evaluator::takeArgs()
{
    if (argPool.empty()) {
        std::vector<Value> args;
        args.reserve(4);   // room for a signature's optional parameters
        return args;
    }
    std::vector<Value> args = std::move(argPool.back());
    argPool.pop_back();
    return args;
}

void Evaluator::recycle(std::vector<Value> &&args)
{
    args.clear();
    if (argPool.size() < 16 && args.capacity() <= 16)
        argPool.push_back(std::move(args));
}

namespace {

const QString &procedureName(const Node *procedure)
{
    if (procedure->type == NodeType::Path && !procedure->items.empty())
        return procedure->items.front()->text;
    return procedure->text;
}

bool namesSomething(const Node *procedure, const FramePtr &env)
{
    if (procedure->type != NodeType::Path || procedure->items.empty())
        return false;
    const QString &name = procedure->items.front()->text;
    return env->find(name) || findBuiltin(name);
}

} // namespace

void Evaluator::forgotDollar(const char *code, const Node *n)
{
    const QString &name = procedureName(n->lhs);
    const QString what = qstrcmp(code, "T1005") == 0 ? u"invoke"_s : u"partially apply"_s;
    fail(code, n->position, u"Attempted to %1 a non-function. Did you mean $%2?"_s.arg(what, name), {},
         name);
}

Value Evaluator::deferCall(const Node *n, Value function, std::vector<Value> &&args,
                           const Value &input, const FramePtr &env)
{
    m_tail.function = std::move(function);
    m_tail.args = std::move(args);
    m_tail.input = input;
    m_tail.env = env;
    m_tail.position = n->position;
    m_tail.name = procedureName(n->lhs);
    return tailCallMarker();
}

Value Evaluator::evalFunction(const Node *n, const Value &input, const FramePtr &env, const Value *applyTo)
{
    const Node *procNode = n->lhs;
    const BuiltinFunction *builtin = nullptr;
    Value proc;
    if (procNode->type == NodeType::Variable && procNode->builtin && !env->find(procNode->text))
        builtin = procNode->builtin;
    else
        proc = evaluate(procNode, input, env);

    if (!builtin && proc.isUndefined() && namesSomething(procNode, env))
        forgotDollar("T1005", n);

    std::vector<Value> args = takeArgs();
    args.reserve(n->items.size() + (applyTo ? 1 : 0));
    if (applyTo)
        args.push_back(*applyTo);
    for (const Node *arg : n->items)
        args.push_back(evaluate(arg, input, env));

    const QString &name = procedureName(procNode);
    if (n->tailCall && !builtin && dynamic_cast<const Lambda *>(proc.toFunction()))
        return deferCall(n, std::move(proc), std::move(args), input, env);
    try {
        Value result = builtin ? callBuiltin(builtin, args, input, env, n->position)
                               : apply(proc, args, input, env, n->position, name);
        recycle(std::move(args));
        return result;
    } catch (JsonataException &e) {
        if (e.position < 0)
            e.position = n->position;
        if (e.token.isEmpty())
            e.token = name;
        throw;
    }
}

Value Evaluator::apply(const Value &function, std::vector<Value> &args, const Value &input,
                       const FramePtr &env, int position, QStringView name)
{
    Value result = applyInner(function, args, input, env, position, name);
    // the trampoline: a lambda body ended in a call; make it here, at constant depth
    while (isTailCallMarker(result))
        result = applyTailCall();
    return result;
}

Value Evaluator::applyTailCall()
{
    TailCall call = std::move(m_tail);
    m_tail = TailCall();
    return applyInner(call.function, call.args, call.input, call.env, call.position, call.name);
}

Value Evaluator::applyInner(const Value &function, std::vector<Value> &args, const Value &input,
                            const FramePtr &env, int position, QStringView name)
{
    Data::Callable *callable = function.toFunction();
    if (!callable) {
        fail("T1006", position, u"Attempted to invoke a non-function"_s, function, name.toString());
    }
    try {
        if (const auto *lambda = dynamic_cast<const Lambda *>(callable)) {
            if (lambda->signature)
                lambda->signature->validate(args, input, name.isEmpty() ? u"lambda"_s : name);
            auto frame = std::make_shared<Frame>(lambda->env);
            bool functions = false;
            for (size_t i = 0; i < lambda->params.size(); ++i) {
                const Value arg = i < args.size() ? args[i] : Value();
                functions = functions || arg.isFunction();
                frame->bind(lambda->params[i], arg);
            }
            if (functions)
                holdsFunction(frame);
            const std::shared_ptr<const Program> *saved = m_program;
            m_program = &lambda->program;
            Value result;
            try {
                result = evaluate(lambda->body, lambda->input, frame);
            } catch (...) {
                m_program = saved;
                throw;
            }
            m_program = saved;
            return result;
        }
        if (const auto *builtin = dynamic_cast<const BuiltinValue *>(callable))
            return callBuiltin(builtin->function, args, input, env, position);
        return applyOther(callable, args, input, env, position, name);
    } catch (JsonataException &e) {
        if (e.position < 0)
            e.position = position;
        if (e.token.isEmpty())
            e.token = name.toString();
        throw;
    }
}

Value Evaluator::applyOther(Data::Callable *callable, std::vector<Value> &args, const Value &input,
                            const FramePtr &env, int position, QStringView name)
{
    if (const auto *partial = dynamic_cast<const PartialFunction *>(callable)) {
        std::vector<Value> full;
        full.reserve(size_t(partial->parameterCount));
        size_t next = 0;
        for (int i = 0; i < partial->parameterCount; ++i) {
            const size_t k = size_t(i);
            if (k < partial->args.size() && !partial->holes[k])
                full.push_back(partial->args[k]);
            else if (k < partial->args.size())
                full.push_back(next < args.size() ? args[next++] : Value());
            else
                full.emplace_back();
        }
        return apply(partial->function, full, input, env, position, name);
    }
    if (const auto *regex = dynamic_cast<const Regex *>(callable)) {
        if (args.empty() || !args.front().isString())
            return {};
        return regexExec(*regex, args.front().toString(), 0);
    }
    if (const auto *transformer = dynamic_cast<const Transformer *>(callable))
        return runTransform(*transformer, args, position);
    if (const auto *chain = dynamic_cast<const ChainedFunction *>(callable)) {
        std::vector<Value> inner{apply(chain->first, args, input, env, position)};
        return apply(chain->second, inner, input, env, position);
    }
    if (const auto *closure = dynamic_cast<const NativeClosure *>(callable)) {
        EvalCallContext context(*this, input, env, position);
        return closure->invoke(context, args);
    }
    fail("T1006", position, u"Attempted to invoke a non-function"_s, {}, name.toString());
}

Value Evaluator::callBuiltin(const BuiltinFunction *f, std::vector<Value> &args, const Value &input,
                             const FramePtr &env, int position)
{
    if (f->signature)
        f->signature->validate(args, input, f->name);
    if (!f->native)
        return runEval(args, input, env, position);
    EvalCallContext context(*this, input, env, position);
    return f->native->impl(context, args);
}

Value Evaluator::evalPartial(const Node *n, const Value &input, const FramePtr &env)
{
    std::vector<Value> args;
    std::vector<bool> holes;
    for (const Node *arg : n->items) {
        const bool hole = arg->type == NodeType::Placeholder;
        holes.push_back(hole);
        args.push_back(hole ? Value() : evaluate(arg, input, env));
    }
    const Value proc = evaluate(n->lhs, input, env);
    if (proc.isUndefined() && namesSomething(n->lhs, env))
        forgotDollar("T1007", n);
    if (const auto *lambda = dynamic_cast<const Lambda *>(proc.toFunction())) {
        auto *partial = new Lambda;
        Value result(static_cast<Data::Callable *>(partial));
        partial->program = lambda->program;
        partial->body = lambda->body;
        partial->input = lambda->input;
        partial->env = std::make_shared<Frame>(lambda->env);
        for (size_t i = 0; i < lambda->params.size(); ++i) {
            if (i < args.size() && holes[i])
                partial->params.push_back(lambda->params[i]);
            else
                partial->env->bind(lambda->params[i], i < args.size() ? args[i] : Value());
        }
        holdsFunction(partial->env);
        return result;
    }
    if (proc.isFunction()) {
        auto *partial = new PartialFunction;
        Value result(static_cast<Data::Callable *>(partial));
        partial->function = proc;
        partial->parameterCount = arity(proc);
        partial->args = std::move(args);
        partial->holes = std::move(holes);
        return result;
    }
    const QString name = procedureName(n->lhs);
    fail("T1008", n->position, u"Attempted to partially apply a non-function"_s, proc, name);
}

Value Evaluator::evalApply(const Node *n, const Value &input, const FramePtr &env)
{
    const Value lhs = evaluate(n->lhs, input, env);
    if (n->rhs->type == NodeType::Function)
        return evalFunction(n->rhs, input, env, &lhs);
    const Value function = evaluate(n->rhs, input, env);
    if (!function.isFunction()) {
        fail("T2006", n->position,
             u"The right side of the function application operator ~> must be a function"_s,
             function, u"~>"_s);
    }
    if (lhs.isFunction()) {
        auto *chain = new ChainedFunction;
        Value result(static_cast<Data::Callable *>(chain));
        chain->first = lhs;
        chain->second = function;
        return result;
    }
    std::vector<Value> args{lhs};
    return apply(function, args, input, env, n->position);
}

Value Evaluator::evalLambda(const Node *n, const Value &input, const FramePtr &env)
{
    auto *lambda = new Lambda;
    Value result(static_cast<Data::Callable *>(lambda));
    lambda->program = *m_program;
    lambda->body = n->rhs;
    lambda->signature = n->signature;
    lambda->params.reserve(n->items.size());
    for (const Node *param : n->items)
        lambda->params.push_back(param->text);
    lambda->input = input;
    lambda->env = env;
    return result;
}

Value Evaluator::evalTransform(const Node *n, const FramePtr &env)
{
    auto *transformer = new Transformer;
    Value result(static_cast<Data::Callable *>(transformer));
    transformer->program = *m_program;
    transformer->node = n;
    transformer->env = env;
    return result;
}

// --- transform ------------------------------------------------------------------------------

namespace {

// A deep copy with JSON's rules (JSON.parse(JSON.stringify(v))), recording which objects
// belong to the copy: only those may be changed in place by the transform.
Value cloneForTransform(const Value &v, QSet<const Object *> &owned)
{
    switch (v.type()) {
    case Value::Type::Number:
        return std::isfinite(v.toDouble()) ? v : Value::null();
    case Value::Type::Object: {
        Object members;
        members.reserve(v.size());
        for (const auto &[key, value] : v.toObject()) {
            if (value.isUndefined() || value.isFunction())
                continue;
            members.append(key, cloneForTransform(value, owned));
        }
        Value copy(std::move(members));
        owned.insert(&copy.toObject());
        return copy;
    }
    case Value::Type::Array: {
        Array items;
        items.reserve(size_t(v.size()));
        for (const Value &item : v.toArray()) {
            if (item.isUndefined() || item.isFunction())
                items.push_back(Value::null());
            else
                items.push_back(cloneForTransform(item, owned));
        }
        return Value(std::move(items));
    }
    case Value::Type::Function:
        return {};
    default:
        return v;
    }
}

// The transform edits the matched objects of its private copy in place, the way the
// reference mutates them: every handle into the copy must see the change.
Object &editInPlace(const Value &v)
{
    return const_cast<Object &>(v.toObject());
}

} // namespace

Value Evaluator::runTransform(const Transformer &t, std::vector<Value> &args, int position)
{
    transformSignature().validate(args, Value(), u"transform");
    const Value &object = args.front();
    if (object.isUndefined())
        return {};
    const Node *n = t.node;

    Value source = object;
    if (const Value *clone = t.env->find(cloneName())) {
        if (!clone->isFunction()) {
            fail("T2013", n->position,
                 u"The transform expression clones the input object using the $clone() function.  "
                 "This has been overridden in the current scope by a non-function."_s);
        }
        std::vector<Value> cloneArgs{object};
        source = apply(*clone, cloneArgs, Value(), t.env, position);
    }
    QSet<const Object *> owned;
    const Value result = cloneForTransform(source, owned);

    const std::shared_ptr<const Program> *saved = m_program;
    m_program = &t.program;
    struct Restore
    {
        const std::shared_ptr<const Program> **slot;
        const std::shared_ptr<const Program> *value;
        ~Restore() { *slot = value; }
    } restore{&m_program, saved};

    const Value matches = evaluate(n->lhs, result, t.env);
    if (matches.isUndefined())
        return result;
    const Array single = matches.isArray() ? Array() : Array{matches};
    const Array &items = matches.isArray() ? matches.toArray() : single;
    for (const Value &match : items) {
        const bool editable = match.isObject() && owned.contains(&match.toObject());
        const Value update = evaluate(n->rhs, match, t.env);
        if (!update.isUndefined()) {
            if (!update.isObject()) {
                fail("T2011", n->rhs->position,
                     u"The insert/update clause of the transform expression must evaluate to an "
                     "object: %1"_s.arg(describe(update)),
                     update);
            }
            if (editable) {
                Object &target = editInPlace(match);
                for (const auto &[key, value] : update.toObject())
                    target.insert(key, value);
            }
        }
        if (!n->third)
            continue;
        const Value deletions = evaluate(n->third, match, t.env);
        if (deletions.isUndefined())
            continue;
        const Array one = deletions.isArray() ? Array() : Array{deletions};
        const Array &names = deletions.isArray() ? deletions.toArray() : one;
        for (const Value &name : names) {
            if (!name.isString()) {
                fail("T2012", n->third->position,
                     u"The delete clause of the transform expression must evaluate to a string "
                     "or array of strings: %1"_s.arg(describe(deletions)),
                     deletions);
            }
        }
        if (editable) {
            Object &target = editInPlace(match);
            for (const Value &name : names)
                target.remove(name.toString());
        }
    }
    return result;
}

// --- cycles ---------------------------------------------------------------------------------

namespace {

void reachFrame(const Frame *frame, std::unordered_set<const Frame *> &seen);

void reachValue(const Value &v, std::unordered_set<const Frame *> &seen)
{
    if (v.isArray()) {
        for (const Value &item : v.toArray())
            reachValue(item, seen);
    } else if (v.isObject()) {
        for (const auto &member : v.toObject())
            reachValue(member.second, seen);
    } else if (const Data::Callable *c = v.toFunction()) {
        if (const auto *lambda = dynamic_cast<const Lambda *>(c)) {
            reachFrame(lambda->env.get(), seen);
        } else if (const auto *transformer = dynamic_cast<const Transformer *>(c)) {
            reachFrame(transformer->env.get(), seen);
        } else if (const auto *partial = dynamic_cast<const PartialFunction *>(c)) {
            reachValue(partial->function, seen);
            for (const Value &arg : partial->args)
                reachValue(arg, seen);
        } else if (const auto *chain = dynamic_cast<const ChainedFunction *>(c)) {
            reachValue(chain->first, seen);
            reachValue(chain->second, seen);
        }
    }
}

void reachFrame(const Frame *frame, std::unordered_set<const Frame *> &seen)
{
    for (; frame && seen.insert(frame).second; frame = frame->parent.get()) {
        for (const auto &var : frame->vars)
            reachValue(var.second, seen);
    }
}

} // namespace

void Evaluator::releaseCycles(const Value &result)
{
    if (m_functionFrames.empty())
        return;
    std::unordered_set<const Frame *> keep;
    reachValue(result, keep);
    for (const std::weak_ptr<Frame> &weak : m_functionFrames) {
        if (const FramePtr frame = weak.lock(); frame && !keep.count(frame.get())) {
            auto vars = std::move(frame->vars);   // destroyed after the frame is emptied
            frame->vars.clear();
        }
    }
    m_functionFrames.clear();
}

// --- $eval ----------------------------------------------------------------------------------

Value Evaluator::runEval(std::vector<Value> &args, const Value &input, const FramePtr &env, int position)
{
    const Value &text = args.front();
    if (text.isUndefined())
        return {};
    Value focus = input;
    if (args.size() > 1 && !args[1].isUndefined()) {
        focus = args[1];
        if (focus.isArray() && !focus.hasFlag(Value::Sequence)) {
            focus = singletonSequence(focus);
            focus.addFlag(Value::OuterWrapper);
        }
    }
    std::shared_ptr<const Program> program;
    try {
        program = parseProgram(text.toString());
    } catch (const JsonataException &e) {
        fail("D3120", position,
             u"Syntax error in expression passed to function eval: %1"_s.arg(e.message), text);
    }
    const std::shared_ptr<const Program> *saved = m_program;
    m_program = &program;
    try {
        FramePtr frame = env ? env : std::make_shared<Frame>(nullptr);
        Value result = evaluate(program->root, focus, frame);
        m_program = saved;
        return result;
    } catch (const JsonataException &e) {
        m_program = saved;
        if (e.code == u"U1001" || e.code == u"U1002")
            throw;
        fail("D3121", position,
             u"Dynamic error evaluating the expression passed to function eval: %1"_s.arg(e.message),
             text);
    }
}

} // namespace Conflux::Mapping::Internal
