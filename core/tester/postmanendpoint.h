#pragma once

#include "base/result.h"
#include "connectors/endpointimport.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <vector>

// Postman collection v2.1 → REST endpoint documents, for the endpoint designer's import
// (docs/endpoint-designer.md, "Postman"). The collection is read by importPostman() and
// grouped by postmanBaseUrls(): each distinct scheme://host[:port] becomes one `rest`
// endpoint whose url is that base (plus the path prefix all its requests share), and whose
// requests become
//   - configuration.operations: every request, in the shape openApiEndpoint() writes (name,
//     method, path with {placeholders}, summary, tags = its folder, parameters, request and
//     response schemas inferred from the body and the saved example responses);
//   - configuration.resources: GETs of lists (by the example response, or a path that does not
//     end in a variable) as readable resources, and the other methods as their writes (POST on
//     the list path inserts, PUT/PATCH/DELETE on "<list path>/{x}" update and delete) or as
//     write-only resources of their own — so the REST connector reads and writes them.
// Authentication: the auth most of the endpoint's requests use (their own, else their
// folder's, else the collection's) as the endpoint's, with secret references only:
// "endpoints.<id>.password", ".token", ".api_key", ".client_secret". The values Postman held
// (literal, or in a collection variable) are handed out in `secrets` for the caller to put into
// a secret store, never written into a document; a credential taken from a variable the
// collection does not define (a Postman environment's) comes with an empty value: the person
// sets that secret. Header and query values that look like credentials are not imported.
//
// Errors: importPostman()'s "postman_invalid" (each detail a JSON pointer), "postman_empty"
// (no requests, at /item), "postman_unresolved" (a base URL holding {{variables}} the collection
// does not define, and no service URL to stand for it: names the variables and the first
// request's JSON pointer), "invalid_import" (a bad or taken endpoint id).
//
// Threading: reentrant, no I/O; the result is plain values.

namespace Conflux::Tester {

struct PostmanEndpointOptions
{
    QString endpointId;     // the first endpoint's id; empty: derived from the collection's name
    QString name;           // default: the collection's name (and the host, when there are several)
    QUrl serviceUrl;        // the url of the endpoint whose base URL the collection leaves open
                            // ({{baseUrl}}); with one base URL only, it replaces that one
    QStringList takenIds;   // endpoint ids the project has: the first id may not be one of them,
                            // the others (<id>-2, <id>-3, ...) skip them
};

struct PostmanSecret
{
    QString name;           // the secret reference's name: "endpoints.<id>.password"
    QString value;          // empty: unknown, a person must set it
    QString endpointId;
    QString pointer;        // where the reference is: "/authentication/password"
    QString origin;         // what Postman had: "{{basic_password}}" or the variable's name
};

struct PostmanEndpoints
{
    QString collectionName;
    std::vector<Connectors::ImportedEndpoint> endpoints;   // one per base URL, in order of first use
    QList<PostmanSecret> secrets;
    QStringList warnings;   // about the whole collection: scripts not run, auth types not applied
    int requests = 0;
};

Result<PostmanEndpoints> postmanEndpoints(const QByteArray &json, const PostmanEndpointOptions &options);

// "Shop API" → "shop-api": an endpoint id from a name ([a-z0-9][a-z0-9._-]{0,63}); "postman"
// when nothing is left.
QString endpointIdFromName(const QString &name);

} // namespace Conflux::Tester
