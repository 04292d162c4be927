#pragma once

#include "base/result.h"
#include "data/value.h"
#include "mapping/jsonata.h"

#include <functional>
#include <memory>
#include <vector>

namespace Conflux::Mapping {

// One problem with one mapped record: the target field (dotted path, empty for a
// record-level check), the rule that failed ("required", "type", "pattern", "range",
// "enum", "expression", or "evaluation" when a rule's expression raised an error), and
// a message for people.
struct FieldViolation
{
    QString field;
    QString rule;
    QString message;
};

struct MappedRecord
{
    Data::Value output;                   // the target record (an object)
    std::vector<FieldViolation> violations;

    bool isValid() const { return violations.empty(); }
};

// Supplies a lookup table of the project by name (tables/<name>.csv or .json) as an
// array of row objects. Called once per table when a mapping is compiled.
using TableLoader = std::function<Result<Data::Value>(const QString &name)>;

// The JSONata a rule form stands for: field_mapping → `customer.email`, uppercase →
// `$uppercase(customer.email)`, date_format → `$fromMillis($toMillis(created, "from"),
// "to")`, concatenate → `$join([first, last].$string(), " ")`, default_value → the JSON
// literal, lookup → `$lookup($tables.countries.code, $string(country)).name`,
// arithmetic → `quantity * 2` (operands: field paths or numbers; + - * / %), condition →
// `(test) ? then : else` (branches: {"field": path} or {"value": literal}; without "else"
// the rule yields nothing when the test is false), expression → itself. The designer
// shows the form as a box and this text when opened.
// Errors: "mapping_rule_invalid" (a missing option, a path that cannot be written).
Result<QString> ruleExpression(const Data::Value &rule);

// A mapping document (mappings/<id>.json, schemaVersion 2) compiled for execution: every
// rule's expression and every validation check compiled once, lookup tables indexed
// once. Immutable after compile() and safe to use from several threads at once.
class CompiledMapping
{
public:
    // `document` is a Mapping document already validated against its schema (the
    // ProjectLoader does that). Errors say which rule: code "mapping_rule_invalid" or the
    // JSONata code of an expression that does not compile, with details naming
    // "/rules/3/expression" and the position; "mapping_table" when a table cannot be read.
    static Result<CompiledMapping> compile(const Data::Value &document,
                                           const TableLoader &tables = {});

    // Maps one source record. Rules run in order; a rule whose value is undefined sets
    // nothing (or its `default`). Evaluation errors and failed checks become violations,
    // so one bad record never stops the others. `variables` are extra bindings (for
    // example the project's `vars`).
    MappedRecord map(const Data::Value &record, const Data::Object &variables = {}) const;

    // The records inside a whole source document: `record_path` evaluated on it, or the
    // items of a top-level array, or the document itself.
    Result<Data::Array> records(const Data::Value &document) const;

    const Data::Value &source() const;   // the document's "source" object
    const Data::Value &target() const;   // the document's "target" object
    qsizetype ruleCount() const;

private:
    struct Program;
    std::shared_ptr<const Program> m_program;
};

} // namespace Conflux::Mapping
