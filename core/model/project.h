#pragma once

#include "documentkind.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Conflux::Model {

// A document as loaded: its header and its JSON after migration to the current schema
// version. The JSON is the source of truth (it keeps fields the typed views do not name);
// the typed views below are read-only projections for the engines.
struct Document
{
    DocumentKind kind = DocumentKind::Project;
    QString file;      // relative to the project folder, e.g. "sync/orders-to-erp.json"
    QString id;
    QString name;
    int schemaVersion = 0;
    QJsonObject json;
};

// The name of the secret a value refers to ({"secret": "name"}), if it is a reference.
std::optional<QString> secretReference(const QJsonValue &value);

struct ProjectSettings
{
    Document document;
    QString description;
    QJsonObject variables;
    QString unrouted;        // "default_queue" or "dead_letter" (default)
    QString defaultQueue;
    QString deadLetterQueue;
};

struct Endpoint
{
    Document document;
    QString type;            // api, database, file_system, message_queue, webhook, streaming
    QString protocol;        // rest, soap, odata_v2, ... (defaulted from type)
    QString url;
    QString dataFormat;
    QJsonObject authentication;
    QJsonObject configuration;
};

// One rule of a mapping; `type` is field_mapping, uppercase, lowercase, date_format,
// concatenate, default_value, lookup, arithmetic, condition or expression, and `json` holds
// its options. The
// mapping engine (core/mapping) compiles rules; the model only carries them.
struct MappingRule
{
    QString target;
    QString type;
    QJsonObject json;
};

struct Mapping
{
    Document document;
    QString sourceEndpoint;
    QString targetEndpoint;
    QJsonObject source;      // format, record_path, record_element, csv, schema, samples
    QJsonObject target;      // format, root_element, record_element, csv, schema
    QList<MappingRule> rules;
    QJsonArray validation;
};

struct WorkflowStep
{
    QString id;
    QString type;
    QString endpoint, operation, mapping, syncJob, workflow, topic, condition;
    QString next, thenStep, elseStep, onError, compensate;
};

struct Workflow
{
    Document document;
    QString triggerType;
    QJsonObject trigger;
    QList<WorkflowStep> steps;
};

struct SapConnection
{
    Document document;
    QString systemId, client, systemNumber, language, connectionType, baseUrl, username;
    std::optional<QString> passwordSecret;
};

struct SapOperation
{
    Document document;
    QString connection, operationType, functionName, idocType, messageType, service, entitySet;
    bool commit = false;
};

struct SyncJob
{
    Document document;
    QString sourceEndpoint, targetEndpoint, dataMapping, syncStrategy, schedule;
    QString writeMode, conflictPolicy, cursorField, sourceQueue;
    QStringList keyFields;
    int batchSize = 1000;
    double validationFailureThreshold = 0.0;
};

struct Route
{
    Document document;
    QString path, method, protocol;
    QStringList upstreamUrls;
    double timeoutSeconds = 30.0;
    int retryAttempts = 0;
    bool circuitBreakerEnabled = false;
    bool cachingEnabled = false;
    double cacheTtlSeconds = 0.0;
    QString requestMapping, responseMapping;
};

struct Queue
{
    Document document;
    QString queueType, deliveryMode, overflowPolicy, deadLetterQueue;
    QStringList topics;
    qint64 maxSize = 0;              // 0: unbounded
    double ttlSeconds = 0.0;         // 0: messages do not expire
    int maxDeliveryAttempts = 5;
};

struct Consumer
{
    Document document;
    QString queue, group, handlerType, handlerTarget;
    int concurrency = 1;
    int prefetch = 10;                  // messages per batch
    double processingTimeoutSeconds = 30.0; // the lease of a batch
};

struct RoutingRule
{
    Document document;
    QString topic, match;
    int priority = 0;
    bool stop = false;
    QJsonArray conditions;
    QJsonArray destinations;
};

// A request-tester collection (core/tester reads its items; docs/tester.md).
struct Collection
{
    Document document;
    QJsonObject variables;   // name → string
    QJsonObject auth;        // collection-level authentication; empty: none
    QJsonArray items;        // folders and requests
};

// Named variables for the request tester: name → string, or a secret reference.
struct Environment
{
    Document document;
    QJsonObject variables;
};

// A validated project. Immutable once loaded; share it as std::shared_ptr<const Project>.
class Project
{
public:
    ProjectSettings settings;
    QList<Endpoint> endpoints;
    QList<Mapping> mappings;
    QList<Workflow> workflows;
    QList<SapConnection> sapConnections;
    QList<SapOperation> sapOperations;
    QList<SyncJob> syncJobs;
    QList<Route> routes;
    QList<Queue> queues;
    QList<Consumer> consumers;
    QList<RoutingRule> routingRules;
    QList<Collection> collections;
    QList<Environment> environments;

    QString id() const { return settings.document.id; }
    QString name() const { return settings.document.name; }

    // Every document, project.json first, then by kind (display order) and id.
    QList<Document> documents() const;
    const Document *document(DocumentKind kind, const QString &id) const;
    int count(DocumentKind kind) const;
};

} // namespace Conflux::Model
