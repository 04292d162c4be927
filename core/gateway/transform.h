#pragma once

#include "httpheaders.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <base/result.h>
#include <chrono>
#include <functional>
#include <memory>

class QJsonArray;

namespace Conflux::Mapping {
class CompiledMapping;
}

namespace Conflux::Gateway {

// What an `enrich` rule and the expression bindings may use about the exchange.
struct TransformContext
{
    QByteArray requestId;
    QString clientIp;
    QString clientId; // the authenticated identity; empty when the route has none
    QString routeId;
    QDateTime now; // UTC; an invalid value means "the current time"
};

// One request or one response being transformed. The body is the decoded payload (no
// chunked framing); Content-Encoding other than identity is refused by body rules.
struct TransformMessage
{
    Http::HttpHeaders headers;
    QByteArray body;
};

// Looks up a compiled mapping document by id (mappings/<id>.json); nullptr when unknown.
// Called only while compiling.
using MappingLookup
    = std::function<std::shared_ptr<const Mapping::CompiledMapping>(const QString &id)>;

struct TransformLimits
{
    // A body a rule has to parse (JSON, XML, SOAP) must not be larger; a larger one is
    // "transform_failed" before anything is parsed.
    qint64 maxBodyBytes = 16 * 1024 * 1024;
    // Time one `jsonata` rule may take on one message (JSONata error U1002 beyond it).
    std::chrono::milliseconds expressionTimeLimit {5000};
};

namespace Internal {
struct TransformProgram;
}

// The transformation rules of one direction of a route (transformation_rules.request or
// .response), compiled once and applied to every message: docs/gateway-transforms.md
// describes each rule type with examples.
//
// Errors are values. compile() returns "transform_invalid" with one detail per problem, each
// starting with the JSON pointer of the offending member ("/transformation_rules/request/2/
// expression: ..."). apply() returns "transform_failed" when a message cannot be transformed
// (a body that is not JSON or not XML, a SOAP fault, a mapping that rejects the body, an
// expression error); its message starts with the pointer and type of the rule
// ("/transformation_rules/response/0 (soap_to_json): SOAP 1.1 fault ..."). The proxy answers
// such a request with 400 and such a response with 502.
//
// Threading: immutable after compile() and cheap to copy (the compiled rules are shared);
// apply() may run on several threads at once, on distinct messages.
class TransformChain
{
public:
    TransformChain(); // no rules: apply() changes nothing

    // `rules` is the JSON array of rule objects; `pointer` is its JSON pointer, used in
    // messages. `mappings` resolves the ids `mapping` rules name (it may be empty when no
    // rule needs it).
    static Result<TransformChain> compile(const QJsonArray &rules, const MappingLookup &mappings,
                                          const QString &pointer,
                                          const TransformLimits &limits = {});

    bool isEmpty() const;
    qsizetype size() const;

    // Applies every rule in order. On success the body and headers are the transformed ones:
    // Content-Type names what the body now is, a Content-Length is removed when the body
    // changed (the server sets it when writing), and an emptied body has no Content-Type.
    // On error the message is left exactly as it was.
    Result<void> apply(TransformMessage &message, const TransformContext &context) const;

private:
    std::shared_ptr<const Internal::TransformProgram> d;
};

} // namespace Conflux::Gateway
