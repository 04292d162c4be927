#pragma once

#include "base/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace Conflux::Model {
struct Collection;
struct Environment;
}

// The request tester's documents as typed values (docs/tester.md): a Collection of folders and
// requests with their assertions, and an Environment of variables. They convert to and from
// the project documents (collections/<id>.json, environments/<id>.json) and, through
// postman.h, Postman collections. Members named "x-..." are kept as written (`extra`), so
// that what the tester does not interpret survives a load and a save.
namespace Conflux::Tester {

// A name/value pair: a query parameter, a header, a form field, a variable.
struct KeyValue
{
    QString name;
    QString value;
    bool enabled = true;
    QString description;
    QJsonObject extra;

    friend bool operator==(const KeyValue &, const KeyValue &) = default;
};

// A credential as a document holds it: a secret reference ({"secret": "name"}), or text —
// a {{variable}} in project documents, possibly a literal in an imported Postman collection.
struct Credential
{
    QString secretName;   // set: a secret reference
    QString text;         // otherwise: text, {{variables}} filled in before use

    bool isSecret() const { return !secretName.isEmpty(); }
    friend bool operator==(const Credential &, const Credential &) = default;
};

struct Auth
{
    enum class Type { Inherit, None, Basic, Bearer, ApiKey, OAuth2ClientCredentials, Endpoint };
    Type type = Type::Inherit;   // Inherit: as the folder or collection around it
    QString username;            // basic
    Credential password;         // basic
    Credential token;            // bearer
    bool inQuery = false;        // api_key: a query parameter, else a header
    QString parameter;           // api_key: its name
    Credential value;            // api_key
    QString tokenUrl;            // oauth2_client_credentials
    QString clientId;
    Credential clientSecret;
    QStringList scopes;
    QString audience;
    QString endpoint;            // Endpoint: the project endpoint whose authentication applies
    QJsonObject extra;

    friend bool operator==(const Auth &, const Auth &) = default;
};

struct Body
{
    enum class Mode { None, Json, Xml, Raw, FormData, UrlEncoded };
    Mode mode = Mode::None;
    QString content;             // json, xml, raw
    QString contentType;         // overrides the mode's Content-Type
    QList<KeyValue> fields;      // form-data, urlencoded
    QJsonObject extra;

    friend bool operator==(const Body &, const Body &) = default;
};

struct Assertion
{
    enum class Type { Status, Header, Expression, ResponseTime };
    enum class HeaderCheck { Exists, Absent, Equals, Matches };
    Type type = Type::Status;
    QString name;                 // optional; describe() otherwise
    QList<int> statuses;          // Status: equals (one) or one_of (several)
    bool statusOneOf = false;
    QString header;               // Header
    HeaderCheck headerCheck = HeaderCheck::Exists;
    QString text;                 // Header: the value (Equals) or the regular expression (Matches)
    QString expression;           // Expression: JSONata on the parsed body, true to pass
    qint64 belowMs = 0;           // ResponseTime
    QJsonObject extra;

    // "status is 200", "header X-Cache equals HIT", ...: the name when it has none.
    QString describe() const;
    friend bool operator==(const Assertion &, const Assertion &) = default;
};

struct RequestSpec
{
    QString method = QStringLiteral("GET");
    QString url;
    QList<KeyValue> query;
    QList<KeyValue> headers;
    Body body;
    QList<KeyValue> variables;          // the request's own: looked up before the collection's
    QString route;                      // a project route: sent through the gateway, see prepare.h
    std::optional<bool> followRedirects;
    QList<Assertion> assertions;

    friend bool operator==(const RequestSpec &, const RequestSpec &) = default;
};

// A folder (isFolder, items) or a request (request).
struct Item
{
    bool isFolder = false;
    QString name;
    QString description;
    Auth auth;
    QJsonObject extra;
    QList<Item> items;
    RequestSpec request;

    // Not defaulted: QList<Item>'s == needs Item complete, which it is only after the class.
    friend bool operator==(const Item &a, const Item &b);
};

struct Collection
{
    QString id;
    QString name;
    QString description;
    QList<KeyValue> variables;
    Auth auth;
    QList<Item> items;
    QJsonObject extra;

    friend bool operator==(const Collection &, const Collection &) = default;

    // From a collection document (already validated by the project loader, or not: every
    // problem is one detail of the error "invalid_collection", naming its JSON pointer).
    static Result<Collection> fromJson(const QJsonObject &document);
    static Result<Collection> fromModel(const Model::Collection &collection);
    // The collection document (kind Collection, schemaVersion 1). Disabled query parameters,
    // headers and fields and variable descriptions are kept; a credential held as literal text
    // is written as text, which the project loader refuses (plaintext) unless it is a
    // {{variable}}: callers saving an import check findPlaintextSecrets first.
    QJsonObject toJson() const;

    // The folder named `name` (a path "a/b" for nested folders), or nullptr.
    const Item *findFolder(const QString &path) const;
    int requestCount() const;
};

struct Environment
{
    QString id;
    QString name;
    QString description;
    QList<std::pair<QString, Credential>> variables;
    QJsonObject extra;

    static Result<Environment> fromJson(const QJsonObject &document);
    static Result<Environment> fromModel(const Model::Environment &environment);
    QJsonObject toJson() const;
};

// Auth <-> JSON, in the shape of collection documents (and of endpoint "authentication").
Result<Auth> authFromJson(const QJsonObject &json, const QString &pointer);
QJsonObject authToJson(const Auth &auth);   // empty for Inherit

} // namespace Conflux::Tester
