#pragma once

// The evaluator of compiled JSONata programs. Internal to core/mapping.
//
// One Evaluator lives for one evaluate() call, on the calling thread; it holds all
// per-evaluation state (depth, deadline, the fixed clock). Programs and nodes are shared
// and never written. Variables live in small frames (a parent pointer and a few
// name/value pairs); function values keep the frame they close over alive.

#include "mapping/jsonataast_p.h"
#include "mapping/jsonatafunctions_p.h"
#include "mapping/jsonatasignature_p.h"

#include <QVarLengthArray>

#include <chrono>
#include <memory>

namespace Conflux::Mapping::Internal {

struct Program;

using Data::Value;
using Data::Array;
using Data::Object;

// A built-in of the library with its signature parsed once.
struct BuiltinFunction
{
    const NativeFunction *native = nullptr;   // nullptr for $eval (the evaluator's own)
    QString name;
    std::unique_ptr<Signature> signature;
    Value value;                               // the function as a value ($string)
    int arity = 0;                             // what $map & co. pass it
};

// The built-in named `name` (without `$`), or nullptr. Thread-safe.
const BuiltinFunction *findBuiltin(QStringView name);

struct Frame;
using FramePtr = std::shared_ptr<Frame>;

struct Frame
{
    explicit Frame(FramePtr parent) : parent(std::move(parent)) {}

    const Value *find(QStringView name) const
    {
        for (const Frame *f = this; f; f = f->parent.get()) {
            for (const auto &var : f->vars) {
                if (var.first == name)
                    return &var.second;
            }
        }
        return nullptr;
    }

    void bind(const QString &name, Value value)
    {
        for (auto &var : vars) {
            if (var.first == name) {
                var.second = std::move(value);
                return;
            }
        }
        vars.emplace_back(name, std::move(value));
    }

    FramePtr parent;
    QVarLengthArray<std::pair<QString, Value>, 4> vars;
};

// A lambda (or a partial application of one): parameters, body, and the input and frame
// it closes over.
class Lambda final : public Data::Callable
{
public:
    int arity() const override { return int(params.size()); }

    std::shared_ptr<const Program> program;
    const Node *body = nullptr;
    const Signature *signature = nullptr;
    std::vector<QString> params;
    Value input;
    FramePtr env;
};

// A built-in used as a value.
class BuiltinValue final : public Data::Callable
{
public:
    explicit BuiltinValue(const BuiltinFunction *f) : function(f) {}
    int arity() const override { return function->arity; }
    const BuiltinFunction *function;
};

// A partial application of anything but a lambda: the arguments given, with holes.
class PartialFunction final : public Data::Callable
{
public:
    int arity() const override;
    Value function;
    int parameterCount = 0;
    std::vector<Value> args;
    std::vector<bool> holes;
};

// The function a transform expression `| pattern | update, delete |` evaluates to.
class Transformer final : public Data::Callable
{
public:
    int arity() const override { return 1; }
    std::shared_ptr<const Program> program;
    const Node *node = nullptr;
    FramePtr env;
};

// f ~> g for two functions: λ($x){ g(f($x)) }.
class ChainedFunction final : public Data::Callable
{
public:
    int arity() const override { return 1; }
    Value first;
    Value second;
};

struct EvaluationState
{
    int depth = 0;
    int maxDepth = 1000;
    qint64 timeLimitMs = 0;
    std::chrono::steady_clock::time_point deadline;
    unsigned ticks = 0;
    qint64 nowMillis = -1;              // read from the clock on first use
    const char *stackLimit = nullptr;   // lowest address evaluation may reach
};

class Evaluator
{
public:
    Evaluator(EvaluationState &state, const std::shared_ptr<const Program> &program)
        : m_state(state), m_program(&program) {}

    Value evaluate(const Node *n, const Value &input, const FramePtr &env);
    // Calls a function value. `input` is the context at the call site (for `-`
    // parameters), `env` the frame there ($eval), `position` the call's offset.
    Value apply(const Value &function, std::vector<Value> &args, const Value &input,
                const FramePtr &env, int position, QStringView name = {});
    int arity(const Value &function) const;
    qint64 nowMillis() const;
    // JSONata's string cast ($string), used by & and in messages.
    QString stringOf(const Value &value, int position);
    // Breaks the reference cycles of this evaluation (a frame holding a function that
    // closes over the frame) except where `result` still reaches them. Call once, last.
    void releaseCycles(const Value &result);

private:
    friend class EvalCallContext;

    Value dispatch(const Node *n, const Value &input, const FramePtr &env);
    void checkLimits(const Node *n);

    // paths (jsonatapath.cpp)
    Value evalPath(const Node *n, const Value &input, const FramePtr &env);
    static const Value *simplePath(const Node *n, const Value &input);
    Value evalStep(const Node *step, const Value &input, bool single, const FramePtr &env,
                   bool lastStep);
    Value evalTupleStep(const Node *step, const Value &input, const Value &tuples, const FramePtr &env);
    Value evalStages(const std::vector<Stage> &stages, Value input, const FramePtr &env);
    Value evalFilter(const Node *predicate, const Value &input, const FramePtr &env);
    Value evalGroup(const std::vector<std::pair<Node *, Node *>> &pairs, int position,
                    const Value &input, const FramePtr &env);
    Value evalSort(const Node *n, const Value &input, const FramePtr &env);
    Value evalWildcard(const Value &input);
    Value evalDescendants(const Value &input);

    // operators (jsonataevaluator.cpp)
    Value evalBinary(const Node *n, const Value &input, const FramePtr &env);
    Q_NEVER_INLINE Value binaryOperation(const Node *n, const Value &lhs, const Value &rhs);
    Q_NEVER_INLINE Value negate(const Node *n, const Value &v);
    [[noreturn]] Q_NEVER_INLINE static void unknownNode(const Node *n);
    Q_NEVER_INLINE Value evalObject(const Node *n, const Value &input, const FramePtr &env);
    Value evalConcat(const Node *n, const Value &input, const FramePtr &env);
    Value evalArray(const Node *n, const Value &input, const FramePtr &env);
    Value evalBlock(const Node *n, const Value &input, const FramePtr &env);
    Value evalVariable(const Node *n, const Value &input, const FramePtr &env);

    // functions (jsonatacall.cpp)
    Value evalFunction(const Node *n, const Value &input, const FramePtr &env,
                       const Value *applyTo = nullptr);
    Value evalPartial(const Node *n, const Value &input, const FramePtr &env);
    Value evalApply(const Node *n, const Value &input, const FramePtr &env);
    Value evalLambda(const Node *n, const Value &input, const FramePtr &env);
    Value evalTransform(const Node *n, const FramePtr &env);
    Value applyInner(const Value &function, std::vector<Value> &args, const Value &input,
                     const FramePtr &env, int position, QStringView name);
    Q_NEVER_INLINE Value applyTailCall();
    Q_NEVER_INLINE Value deferCall(const Node *n, Value function, std::vector<Value> &&args,
                                   const Value &input, const FramePtr &env);
    [[noreturn]] Q_NEVER_INLINE static void forgotDollar(const char *code, const Node *n);
    Q_NEVER_INLINE Value applyOther(Data::Callable *callable, std::vector<Value> &args,
                                    const Value &input, const FramePtr &env, int position,
                                    QStringView name);
    Value callBuiltin(const BuiltinFunction *f, std::vector<Value> &args, const Value &input,
                      const FramePtr &env, int position);
    Value runTransform(const Transformer &t, std::vector<Value> &args, int position);
    Value runEval(std::vector<Value> &args, const Value &input, const FramePtr &env, int position);

    // Argument vectors are reused between calls (per thread): a call costs no allocation.
    static std::vector<Value> takeArgs();
    static void recycle(std::vector<Value> &&args);

    // Frames that were given a function value: candidates for a cycle.
    void holdsFunction(const FramePtr &frame) { m_functionFrames.push_back(frame); }

    EvaluationState &m_state;
    const std::shared_ptr<const Program> *m_program;
    std::vector<std::weak_ptr<Frame>> m_functionFrames;
    // A call in tail position of a lambda body leaves its target here and returns the
    // tail-call marker; apply() runs it without growing the stack.
    struct TailCall
    {
        Value function;
        std::vector<Value> args;
        Value input;
        FramePtr env;
        int position = 0;
        QString name;
    } m_tail;
};

// Helpers shared by the evaluator's files.
namespace Eval {

Value sequence(Array items = {});
Value singletonSequence(Value item);
bool isSequence(const Value &v);
// JSONata's effective boolean value ($boolean); undefined counts as false.
bool toBoolean(const Value &v);
bool isNumeric(const Value &v);   // a finite number; throws D1001 for infinities
// fn.append: concatenation of two values as arrays (the result carries no flags).
Value append(const Value &a, const Value &b);
Value lookupField(const Value &input, QStringView key);
const Value &tailCallMarker();
bool isTailCallMarker(const Value &v);
FramePtr frameFromTuple(const FramePtr &env, const Value &tuple);
QString describe(const Value &v);   // a value inside an error message
[[noreturn]] void fail(const char *code, int position, const QString &message,
                       const Value &value = {}, const QString &token = {});

} // namespace Eval

} // namespace Conflux::Mapping::Internal
