#pragma once

#include "base/result.h"
#include "data/value.h"
#include "tester/collection.h"

#include <QList>
#include <QString>

namespace Conflux::Tester {

struct Response;

struct AssertionResult
{
    QString name;       // Assertion::describe()
    bool passed = false;
    QString message;    // why it failed (or what was seen when it passed)
};

// The body as a value for expressions: by Content-Type, JSON (application/json, +json) or XML
// (application/xml, text/xml, +xml, by the convention of data/xml.h); a body without a
// recognised type is tried as JSON, then as XML when it starts with '<'; an empty body is
// undefined, other text a string. Errors are the codecs' ("json_syntax" with line and column,
// "xml_syntax", ...).
Result<Data::Value> parseBody(const Response &response);

// Evaluates `assertions` against a response, each on its own: one failing (or failing to
// compile) does not stop the others. Expressions are JSONata (core/mapping) evaluated on the
// parsed body with the bindings $status (number), $headers (object: lower-case name → value,
// several values joined with ", ") and $responseTime (ms); the result must be true (a boolean;
// anything else fails and says what it was). Expressions get a time limit of 5 s.
QList<AssertionResult> evaluateAssertions(const QList<Assertion> &assertions, const Response &response);

} // namespace Conflux::Tester
