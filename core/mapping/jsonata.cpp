#include "mapping/jsonata.h"

#include "mapping/jsonataevaluator_p.h"
#include "mapping/jsonataparser_p.h"

#include <new>

#if defined(Q_OS_LINUX)
#include <pthread.h>
#endif

using namespace Qt::StringLiterals;

namespace Conflux::Mapping {

using namespace Internal;

namespace {

// Headroom left below the evaluation for native code (built-ins, allocation, Qt); a
// quarter of the stack when that is smaller.
constexpr std::size_t stackReserve = 256 * 1024;

// The lowest stack address evaluation may use on this thread, or nullptr when unknown
// (then only the depth limit protects the stack).
const char *stackLimit()
{
#if defined(Q_OS_LINUX)
    thread_local const char *limit = [] {
        pthread_attr_t attr;
        if (pthread_getattr_np(pthread_self(), &attr) != 0)
            return static_cast<const char *>(nullptr);
        void *low = nullptr;
        std::size_t size = 0;
        const char *result = nullptr;
        if (pthread_attr_getstack(&attr, &low, &size) == 0)
            result = static_cast<const char *>(low) + std::min(stackReserve, size / 4);
        pthread_attr_destroy(&attr);
        return result;
    }();
    return limit;
#else
    return nullptr;
#endif
}

Error toError(const JsonataException &e)
{
    Error error;
    error.code = e.code;
    error.message = e.message.isEmpty() ? e.code : e.message;
    error.offset = e.position;
    return error;
}

} // namespace

Result<Expression> Expression::compile(QStringView source)
{
    try {
        Expression expression;
        expression.m_program = parseProgram(source);
        return expression;
    } catch (const JsonataException &e) {
        return toError(e);
    } catch (const std::bad_alloc &) {
        return Error{u"U1003"_s, u"Out of memory while compiling the expression"_s, {}, -1};
    }
}

Result<Data::Value> Expression::evaluate(const Data::Value &input, const Data::Object &bindings,
                                         const EvaluationLimits &limits) const
{
    if (!m_program)
        return Data::Value();

    EvaluationState state;
    state.maxDepth = limits.maxDepth > 0 ? limits.maxDepth : std::numeric_limits<int>::max();
    state.timeLimitMs = limits.timeLimit.count();
    if (state.timeLimitMs > 0)
        state.deadline = std::chrono::steady_clock::now() + limits.timeLimit;
    state.stackLimit = stackLimit();

    // The root frame is reused by the next evaluation on this thread unless a function
    // value kept it.
    thread_local FramePtr spareRoot;
    FramePtr root = spareRoot && spareRoot.use_count() == 1 ? std::move(spareRoot)
                                                            : std::make_shared<Frame>(nullptr);
    struct Recycle
    {
        FramePtr &root;
        ~Recycle()
        {
            if (root.use_count() == 1) {
                root->vars.clear();
                spareRoot = std::move(root);
            }
        }
    } recycle{root};
    for (const auto &[name, value] : bindings)
        root->vars.emplace_back(name, value);
    root->vars.emplace_back(u"$"_s, input);

    // An input array is one value, not a sequence to map over.
    Data::Value context = input;
    if (input.isArray() && !input.hasFlag(Data::Value::Sequence)) {
        context = Eval::singletonSequence(input);
        context.addFlag(Data::Value::OuterWrapper);
    }

    const std::shared_ptr<const Program> program = m_program;
    Evaluator evaluator(state, program);
    try {
        Data::Value result = evaluator.evaluate(program->root, context, root);
        if (Eval::isTailCallMarker(result))
            result = Data::Value();
        evaluator.releaseCycles(result);
        return result;
    } catch (const JsonataException &e) {
        evaluator.releaseCycles({});
        return toError(e);
    } catch (const std::bad_alloc &) {
        evaluator.releaseCycles({});
        return Error{u"U1003"_s, u"Out of memory while evaluating the expression"_s, {}, -1};
    }
}

const QString &Expression::source() const
{
    static const QString empty;
    return m_program ? m_program->source : empty;
}

} // namespace Conflux::Mapping
