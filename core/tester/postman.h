#pragma once

#include "base/result.h"
#include "tester/collection.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace Conflux::Tester {

struct PostmanImport
{
    Collection collection;
    // What Conflux keeps but does not do, one line each, naming the item: test scripts (or
    // lines of them) not understood as assertions, pre-request scripts, authentication types
    // it cannot apply, body modes it sends as raw text.
    QStringList notUnderstood;
    // Literal credentials (passwords, tokens, API keys, client secrets) found in auth: each is
    // replaced in the collection by a {{name}} and listed here with its value, for the caller
    // to keep as a secret and reference from an environment. Never written anywhere by the
    // import itself.
    QList<std::pair<QString, QString>> credentials;
};

// Postman collection v2.1 (schema.getpostman.com/json/collection/v2.1.0) import and export.
//
// Mapping (docs/tester.md, "Postman"): folders and requests with their names and
// descriptions; collection variables; auth (noauth, basic, bearer, apikey, oauth2 with the
// client_credentials grant; others kept and reported); the URL (raw, split into the address
// and the query parameters, disabled ones included); headers; bodies (raw with language json,
// xml or text, urlencoded, formdata). Everything else — events (scripts), responses (examples),
// ids, protocolProfileBehavior, url variables, options — is kept verbatim in "x-postman"
// members and given back by the export, so import then export gives an equivalent collection.
//
// Test scripts are JavaScript, which Conflux does not run. The common assertions in them
// become Conflux assertions (marked "x-postman": "script", and not written again on export
// because the script itself is): pm.response.to.have.status(N), pm.response.to.be.ok,
// pm.expect(pm.response.code).to.eql(N) / .equal(N) / .be.oneOf([...]),
// pm.response.to.have.header("X") and pm.response.to.have.header("X", "v"),
// pm.expect(pm.response.responseTime).to.be.below(N), alone or inside pm.test(...). Assertions
// written in Conflux are exported as a generated test script of the same patterns (expression
// assertions as a pm.test that says it needs Conflux).
//
// Errors: "postman_invalid" (not JSON, not a v2.x collection, an item that is neither a
// folder nor a request) with the JSON pointer of each problem.
Result<PostmanImport> importPostman(const QByteArray &json);
QJsonObject exportPostman(const Collection &collection);

struct PostmanBaseUrl
{
    QString baseUrl;          // "https://api.example.com" or "https://{{host}}:8443"; "{{baseUrl}}" as written
    int requests = 0;         // how many requests use it
    bool resolved = true;     // false: it still holds {{variables}} the collection does not define
};

// The distinct scheme://host[:port] of every request of a Postman collection, collection
// variables filled in where they are defined, in order of first use: what the endpoint
// designer offers as endpoints to create.
Result<QList<PostmanBaseUrl>> postmanBaseUrls(const QByteArray &json);

} // namespace Conflux::Tester
