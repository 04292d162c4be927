#pragma once

// The seam between the JSONata evaluator and its function library. Internal to
// core/mapping.

#include "data/value.h"

#include <QLatin1StringView>
#include <QRegularExpression>

#include <exception>
#include <vector>

namespace Conflux::Mapping::Internal {

// A JSONata error inside the engine. Thrown by the evaluator and the built-in functions,
// caught at the Expression boundary and turned into an Error (never crosses the module).
struct JsonataException final : std::exception
{
    JsonataException(QString code, int position, QString message,
                     QString token = {}, Data::Value value = {})
        : code(std::move(code)), position(position), message(std::move(message)),
          token(std::move(token)), value(std::move(value)) {}
    const char *what() const noexcept override { return "JSONata error"; }

    QString code;          // "T0410", "D3001", ...
    int position;          // character offset in the expression; -1 when unknown
    QString message;       // in words, with the offending token or value inlined
    QString token;
    Data::Value value;
};

// A regular expression literal (`/ab+c/i`) as a JSONata value. Created by the parser,
// consumed by $match, $contains, $split, $replace; calling it as a function runs
// regexExec() from position 0.
struct Regex final : Data::Callable
{
    int arity() const override { return 1; }
    QRegularExpression pattern;   // translated from JavaScript syntax, compiled once
    QString source;               // as written, for messages
};

// One match of `regex` in `text` at or after `from` (UTF-16 index), as JSONata's match
// object {match, start, end, groups, next}; undefined when there is none. `next` is a
// NativeClosure taking no arguments that returns the following match; it throws D1004
// when that match is empty (the reference's guard against looping forever).
Data::Value regexExec(const Regex &regex, const QString &text, qsizetype from);

// What a built-in function sees of the evaluation that calls it.
class CallContext
{
public:
    virtual ~CallContext() = default;

    // The context value at the call site (what `$` means there).
    virtual const Data::Value &input() const = 0;
    // Calls a JSONata function value (lambda, partial application, built-in, regex) with
    // `args`. Throws JsonataException.
    virtual Data::Value call(const Data::Value &function, std::vector<Data::Value> args) = 0;
    // The number of parameters `function` declares (for $map/$filter/$sort callbacks that
    // take 1..3 arguments).
    virtual int arity(const Data::Value &function) const = 0;
    // Milliseconds since the epoch, fixed for the whole evaluation ($now, $millis).
    virtual qint64 nowMillis() const = 0;
    // Character position of the call in the expression, for errors.
    virtual int position() const = 0;
};

// A function value implemented in C++ by the library, e.g. the `next` member of a match
// object. The evaluator calls invoke() with the arguments as given (no signature check);
// arity() is what $map/$filter-style callers see. (Added by the evaluator side.)
struct NativeClosure : Data::Callable
{
    virtual Data::Value invoke(CallContext &context, std::vector<Data::Value> &args) const = 0;
};

// The implementation of a built-in. `args` have been checked and coerced against the
// signature already (a `-` argument filled from the context, a singleton wrapped where
// an array is wanted, missing optional arguments present as undefined), so an
// implementation may rely on the types it declared. Return undefined for "no result".
using NativeImpl = Data::Value (*)(CallContext &context, std::vector<Data::Value> &args);

struct NativeFunction
{
    QLatin1StringView name;        // without the `$`
    QLatin1StringView signature;   // JSONata signature syntax, e.g. "<s-nn?:s>"
    NativeImpl impl;
    // The arity a higher-order function sees (how many of value, index, array $map
    // passes): the reference's parameter count, which is not always the signature's
    // ($string takes 1, so `$map(xs, $string)` does not pass the index as `prettify`).
    int arity = 1;
};

// $string(value, prettify): the text of a value as JSONata writes it (strings as they
// are, numbers like JavaScript with 15 significant digits for fractions, everything else
// as JSON, functions as ""). Throws D3001 for a top-level infinite number and D1001 for
// one nested inside. Shared with the `&` operator.
QString jsonataString(const Data::Value &value, bool prettify = false);

// JSONata's effective boolean value ($boolean): false for undefined, null, false, 0, "",
// empty objects, functions and arrays none of whose items are true.
bool jsonataBoolean(const Data::Value &value);

// Every built-in function of the standard library, in no particular order. The table is
// a static constant; safe to read from any thread.
const std::vector<NativeFunction> &builtinFunctions();

} // namespace Conflux::Mapping::Internal
