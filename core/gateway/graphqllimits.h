#pragma once

#include <base/result.h>

#include <QString>
#include <QStringView>

namespace Conflux::Http {
struct HttpRequest;
}

namespace Conflux::Gateway {

// What the gateway accepts of a GraphQL request it passes through. A limit of 0 (or less)
// is no limit.
struct GraphQlLimits
{
    // Nesting of selection sets of fields: the operation's top-level fields are depth 1, the
    // fields selected inside one of them depth 2, and so on. Inline fragments and fragment
    // spreads add no level; a fragment's fields count at the depth where it is spread.
    int maxDepth = 10;
    // Field selections after fragment expansion: a fragment spread twice counts twice.
    int maxFields = 1000;
    // Size of the query text in UTF-8 bytes, checked before anything is parsed.
    qsizetype maxQueryBytes = 64 * 1024;
};

// The parts of a GraphQL-over-HTTP request the analyzer needs.
struct GraphQlRequest
{
    QString query;
    QString operationName; // empty when the request names none
};

// The measured operation.
struct GraphQlAnalysis
{
    int depth = 0;
    // Saturates at INT_MAX: fragments spread inside fragments can multiply without bound.
    int fields = 0;
    QString operationName; // empty for an anonymous operation
    QString operationType; // "query", "mutation" or "subscription" (shorthand `{ }`: "query")
};

// Extracts the GraphQL document from an HTTP request as the GraphQL-over-HTTP spec sends it:
//   POST, Content-Type application/json: {"query": "...", "operationName": "...",
//        "variables": {...}} (operationName and variables may be absent or null);
//   POST, Content-Type application/graphql: the body is the query (UTF-8), operationName may
//        be in the URL query;
//   GET: ?query=...&operationName=... (form-encoded: '+' is a space).
// A parameter given twice in a URL is refused, so that the gateway never measures one value
// while the upstream executes another. Batched requests (a JSON array) and persisted queries
// without the query text are not supported.
// Errors: "graphql_invalid" (another method or content type, a body that is not JSON or not
// an object, no query or an empty one, a member of the wrong type, invalid UTF-8).
Result<GraphQlRequest> extractGraphQl(const Http::HttpRequest &request);

// Parses a GraphQL executable document (operations and fragments, per the GraphQL spec's
// grammar; type system definitions are refused) and measures the operation named
// `operationName`, or the only operation when `operationName` is empty.
//
// The document is validated as far as measuring needs: syntax, fragments that are spread
// but not defined, defined twice or spread in a cycle, operations named twice, an anonymous
// operation beside others. Field names, arguments and types are not checked against any
// schema: that is the upstream's job.
//
// Robust against hostile input: the size is checked first; parsing is iterative, so any
// nesting of selection sets, lists or objects costs heap, never stack; fragment expansion is
// memoized, so its cost is linear in the document however often fragments are spread.
//
// Errors, in the order they are checked:
//   "graphql_too_large"   the query is longer than maxQueryBytes;
//   "graphql_invalid"     a syntax error ("... at 3:14: ...", line:column, 1-based, the column
//                         in UTF-16 units; Error::offset is the 0-based offset), an unknown
//                         fragment, a fragment cycle ("fragment cycle A → B → A"), no or an
//                         unknown operation to measure;
//   "graphql_too_deep"    "query depth 14 exceeds the limit of 10";
//   "graphql_too_complex" more fields than maxFields.
// Thread-safe (no shared state).
Result<GraphQlAnalysis> analyzeGraphQl(QStringView query, const QString &operationName,
                                       const GraphQlLimits &limits);

} // namespace Conflux::Gateway
