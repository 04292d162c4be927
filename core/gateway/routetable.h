#pragma once

#include "base/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace Conflux::Gateway {

// What the route table needs to know of a route document.
struct RouteSpec
{
    QString id;
    // "/orders" (exact), "/orders/*" (the prefix and everything below it) or a template
    // "/orders/{id}/lines/{line}" (a parameter is one non-empty segment); a template may end
    // in "/*" too.
    QString path;
    QByteArray method = "*";         // or GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS
    QString version;                 // empty: unversioned
    // "path": the route is served under "/<version><path>"; "header": it answers requests
    // whose Accept-Version names its version (and, without that header, the newest).
    QString versioning;
    bool deprecated = false;
    QDateTime sunset;                // invalid: none
};

struct RouteMatch
{
    int route = -1;                  // index into the specs the table was built from
    QHash<QString, QString> params;  // template parameters, percent-decoded
    QString rest;                    // what a "/*" matched, without its leading '/'
    // Headers to add to the response: Deprecation and Sunset (RFC 8594) for a deprecated
    // or sunsetting version.
    QList<std::pair<QByteArray, QByteArray>> responseHeaders;
};

// The outcome of a lookup: a match, or what the gateway answers instead.
struct RouteLookup
{
    std::optional<RouteMatch> match;
    int status = 0;                  // 404 no route, 405 wrong method (see allow), 406 no such version
    QByteArray allow;                // 405: the methods the path has, for the Allow header
};

// The gateway's routes, compiled for lookup. Precedence, most specific first: exact paths,
// then templates (more literal segments first, then fewer parameters), then prefixes
// (longer first); within the same path, a route for the request's method before one for
// "*". Immutable after build(); lookups are thread-safe.
class RouteTable
{
public:
    // Refuses paths that are not absolute, empty parameter names, a parameter name used
    // twice in one path, "*" anywhere but at the end, and two routes with the same path,
    // method and version (every problem in the error's details).
    static Result<std::shared_ptr<const RouteTable>> build(const QList<RouteSpec> &routes);

    // `rawPath` is the request's path as sent (percent-encoded): it is split into segments
    // first and each is decoded then, so that an encoded "/" stays inside its segment.
    // `acceptVersion` is the Accept-Version header.
    RouteLookup lookup(QByteArrayView method, QByteArrayView rawPath, const QByteArray &acceptVersion = {}) const;

    qsizetype size() const { return qsizetype(m_routes.size()); }

    struct Compiled;

private:
    RouteTable() = default;
    std::vector<std::unique_ptr<Compiled>> m_routes; // in precedence order
};

} // namespace Conflux::Gateway
