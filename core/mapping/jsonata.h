#pragma once

#include "base/result.h"
#include "data/value.h"

#include <chrono>
#include <memory>

namespace Conflux::Mapping {

namespace Internal {
struct Program;
}

// Limits for one evaluation. Exceeding one is an error (U1001 for depth, U1002 for time),
// never a crash: the depth limit keeps deep recursion inside the thread's stack.
struct EvaluationLimits
{
    int maxDepth = 1000;                        // nested evaluation frames
    std::chrono::milliseconds timeLimit{0};     // 0 = no limit
};

// A compiled JSONata expression (JSONata 2.x, docs.jsonata.org).
//
// Compile once, evaluate many times: an Expression is immutable after compile() and
// cheap to copy (it shares the compiled program), and evaluate() may run on several
// threads at once. Errors are values: an Error whose `code` is the JSONata error code
// ("S0201", "T2001", "D3001", ...), whose `message` says what went wrong in words, and
// whose `offset` is the character position in the expression (0-based, -1 if unknown).
class Expression
{
public:
    Expression() = default;                     // an empty expression evaluates to undefined

    static Result<Expression> compile(QStringView source);

    // Evaluates against `input` (undefined for "no input"). `bindings` are variables by
    // name without the `$` (values or functions). $now() and $millis() are fixed for the
    // duration of one evaluation.
    Result<Data::Value> evaluate(const Data::Value &input,
                                 const Data::Object &bindings = {},
                                 const EvaluationLimits &limits = {}) const;

    const QString &source() const;
    bool isEmpty() const { return !m_program; }

private:
    std::shared_ptr<const Internal::Program> m_program;
};

} // namespace Conflux::Mapping
