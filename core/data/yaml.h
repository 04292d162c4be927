#pragma once

#include "base/result.h"
#include "data/value.h"

#include <QByteArrayView>

// YAML -> Value, for documents people write in YAML (OpenAPI descriptions, samples). Plain
// scalars resolve by YAML 1.2's core schema: null (~, null, empty), booleans (true/false in
// three casings), integers (decimal, 0o octal, 0x hex), floats (with .inf and .nan); quoted
// and block scalars stay strings, as do scalars tagged !!str. Mapping keys must be scalars
// and become strings. Anchors and aliases are expanded; the expansion is bounded (an alias
// bomb is "yaml_limit", not an exhausted machine). Only the first document of a stream is
// read.
//
// Errors: "yaml_syntax" with the line and column (1-based) of the problem in the message
// and the byte offset in Error::offset when known; "yaml_limit" for size, depth or
// expansion; "yaml_key" for a key that is not a scalar or repeats. Reentrant.

namespace Conflux::Data::Yaml {

struct ReadOptions
{
    qint64 maxBytes = 64 * 1024 * 1024;
    int maxDepth = 256;
    qint64 maxNodes = 1'000'000;   // values produced, aliases counted each time they expand
};

Result<Value> parse(QByteArrayView utf8, const ReadOptions &options = {});

} // namespace Conflux::Data::Yaml
