#pragma once

#include "base/result.h"
#include "tester/collection.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>
#include <utility>

namespace Conflux::Model {
class Project;
struct Route;
}

namespace Conflux::Tester {

class Variables;

using Headers = QList<std::pair<QByteArray, QByteArray>>;

// An OAuth2 client-credentials grant the executor runs before sending (the token is cached
// per token URL, client, scopes, audience and secret; see RequestExecutor).
struct OAuth2Grant
{
    QUrl tokenUrl;
    QString clientId;
    QString clientSecret;
    QStringList scopes;
    QString audience;
};

// A request with every {{variable}} filled in, its query, body and authentication applied:
// what goes on the wire (but for an OAuth2 token, fetched when it is sent).
struct PreparedRequest
{
    QString name;                   // "folder / request", for reports
    QByteArray method;
    QUrl url;
    Headers headers;
    QByteArray body;
    bool followRedirects = true;
    std::optional<OAuth2Grant> oauth2;
    // Credential values that went into the request: reports, history and copy-as-curl can
    // mask them.
    QStringList secretValues;
    QString route;                  // the route when sent through the gateway, else empty

    QByteArray header(QByteArrayView name) const;
    void setHeader(const QByteArray &name, const QByteArray &value);
};

struct PrepareContext
{
    const Variables *variables = nullptr;               // required
    // The project: endpoints for {"endpoint": id} authentication, routes for the gateway.
    std::shared_ptr<const Model::Project> project;
    // Set: a request that names a route is sent to this gateway (a node's gateway address,
    // e.g. Runtime::Node::gatewayUrl()) and the route's path instead of its upstream URL.
    QUrl gatewayUrl;
};

// The authentication that applies to the item at `path` (indexes into the nested items):
// its own, else its folders' (innermost first), else the collection's; None when nothing sets it.
Auth effectiveAuth(const Collection &collection, const QList<int> &path);

// Prepares `item` (a request) with `auth` (its effective authentication). Errors:
// "undefined_variable" and the secret errors (Variables), "invalid_url", "invalid_header"
// (a name or value with a line break, after substitution), "unknown_endpoint",
// "unknown_route", "route_mismatch" (the URL is none of the route's upstreams).
Result<PreparedRequest> prepareRequest(const Item &item, const Auth &auth, const PrepareContext &context,
                                       const QString &displayName);

// The gateway URL for `upstreamUrl` sent through `route`: the upstream templates of the
// route ("http://host/orders/{id}") are matched against the URL, their {parameters} fill the
// route's path ("/api/orders/{id}", with a path version prefix "/v1"), path segments beyond
// the template are appended, and the query is kept. A URL already on the gateway is kept.
Result<QUrl> gatewayUrlFor(const QUrl &upstreamUrl, const Model::Route &route, const QUrl &gatewayUrl);

} // namespace Conflux::Tester
