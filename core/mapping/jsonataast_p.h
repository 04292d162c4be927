#pragma once

// The syntax tree of a JSONata expression. Internal to core/mapping.
//
// The parser builds a raw tree (Pratt parser, one node per token), then a post-pass turns
// it into the tree the evaluator walks: location paths become Path nodes with steps,
// predicates become stages, ancestry (`%`) is resolved into tuple bindings. Nodes live in
// the Program's arena and are immutable once compile() returns.

#include "data/value.h"

#include <QString>

#include <memory>
#include <vector>

namespace Conflux::Mapping::Internal {

class Signature;
struct BuiltinFunction;

enum class NodeType : std::uint8_t {
    // Leaves
    Name,        // field name (a step of a path); `text`
    Variable,    // $name; `text` without the `$` ("" is the context, "$" the root)
    String,      // `value` holds the string
    Number,      // `value` holds the number
    Literal,     // true, false, null in `value`
    Regex,       // `value` holds the Regex function value
    Wildcard,    // *
    Descendant,  // **
    Parent,      // %; `slot`
    Placeholder, // ? in a partial application
    // Raw parse only
    Operator,    // an operator token in operand position (and/or/in as names, ?)
    End,         // end of input in operand position
    RawBinary,   // lhs `op` rhs before the post-pass
    // Composite
    Path,        // `items` are the steps
    Binary,      // lhs `op` rhs: arithmetic, comparison, boolean, &, in, ..
    Negate,      // -lhs
    ArrayCons,   // [items]
    ObjectCons,  // {pairs}
    Condition,   // lhs ? rhs : third
    Exists,      // lhs is defined (the test of `??`)
    Block,       // (items; ...)
    Bind,        // $text := rhs
    Function,    // procedure(items)
    Partial,     // procedure(items with ?)
    Lambda,      // function(params) <signature> { body }
    Apply,       // lhs ~> rhs
    Transform,   // | lhs | rhs, third |
    Sort         // a step: terms
};

enum class Op : std::uint8_t {
    None,
    // raw-only structure operators
    Dot, Filter, Group, OrderBy, Assign, Focus, Index, Chain,
    // value operators
    Add, Sub, Mul, Div, Mod,
    Eq, Ne, Lt, Le, Gt, Ge,
    Concat, And, Or, In, Range
};

struct Node;

// A `%` looking for its ancestor; shared between the parent node and the step that binds
// the ancestor, so both agree on the label of the tuple binding.
struct Slot
{
    QString label;
    int level = 1;
    int index = 0;
};

using SlotList = std::shared_ptr<std::vector<Slot *>>;

struct Stage
{
    bool isIndex = false;   // #$var binding, else a filter
    Node *expr = nullptr;
    QString variable;
    int position = 0;
};

struct Group
{
    std::vector<std::pair<Node *, Node *>> pairs;
    int position = 0;
};

struct SortTerm
{
    Node *expr = nullptr;
    bool descending = false;
};

struct Node
{
    NodeType type = NodeType::End;
    Op op = Op::None;
    int position = 0;          // character offset of the token
    QString text;              // name, variable name, operator text, raw token text
    Data::Value value;         // literal value

    Node *lhs = nullptr;       // operand; condition; pattern; procedure
    Node *rhs = nullptr;       // operand; then; update; body
    Node *third = nullptr;     // else; delete
    std::vector<Node *> items; // steps, expressions, array items, arguments, parameters
    std::vector<std::pair<Node *, Node *>> pairs; // object constructor
    std::vector<SortTerm> terms;
    std::vector<Stage> stages;      // per-item filters of a path step
    std::vector<Stage> predicates;  // filters applied to the whole result of a non-step
    Group *group = nullptr;
    const Signature *signature = nullptr; // lambda
    const BuiltinFunction *builtin = nullptr; // Variable naming a built-in

    QString focus;             // @$focus on a step
    QString index;             // #$index on a step
    Slot *ancestor = nullptr;  // this step binds the ancestor label of a `%`
    Slot *slot = nullptr;      // Parent
    SlotList seekingParent;

    bool keepArray = false;          // [] after a step
    bool keepSingletonArray = false; // Path
    bool consArray = false;          // ArrayCons as first/last step; Block holding one
    bool tuple = false;              // step needs a tuple stream
    bool tailCall = false;           // Function in tail position of a lambda body
    bool needsFrame = false;         // Block that binds variables of its own
    bool literalKeys = false;        // ObjectCons whose keys are distinct string literals
    bool simplePath = false;         // Path of plain Name steps (fast path)
    bool constant = false;           // literal without predicates: evaluates to `value`
    const Node *alias = nullptr;     // (expr) that is just expr: evaluate that instead
};

} // namespace Conflux::Mapping::Internal
