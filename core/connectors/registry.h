#pragma once

#include "base/result.h"
#include "connectors/connector.h"
#include "connectors/endpoint.h"

#include <QHash>
#include <QString>

#include <functional>
#include <memory>
#include <mutex>

// Creates connectors from endpoint documents. Each protocol has one factory; the protocol
// connectors of this module are registered by registerBuiltinConnectors(), and higher
// modules add theirs (the runtime registers the queue connectors of the Conflux broker and
// RabbitMQ, which this module may not depend on).
//
// Threading: add() and create() may be called from any thread.

namespace Conflux::Connectors {

class ConnectorCatalog;

using ConnectorFactory =
    std::function<Result<std::unique_ptr<Connector>>(const EndpointSpec &endpoint, const ConnectorContext &context)>;

class ConnectorRegistry
{
public:
    // Replaces any factory of that protocol.
    void add(Protocol protocol, ConnectorFactory factory);
    bool has(Protocol protocol) const;

    // Errors: the factory's (a bad configuration is "invalid_endpoint" naming the field), or
    // "connector_unavailable" when nothing is registered for the protocol.
    Result<std::unique_ptr<Connector>> create(const EndpointSpec &endpoint, const ConnectorContext &context) const;
    // Reads the endpoint document first (parseEndpoint); `source` names it in messages.
    Result<std::unique_ptr<Connector>> create(const Data::Value &document, const ConnectorContext &context,
                                              const QString &source = {}) const;

private:
    mutable std::mutex m_mutex;
    QHash<int, ConnectorFactory> m_factories;
};

// The connector catalog built into the binary (resources/connectors, as the resource
// :/conflux/connectors). Loaded once; errors "invalid_catalog" (a build with a broken definition).
Result<std::shared_ptr<const ConnectorCatalog>> builtinCatalog();

// Capability names as documents and the admin API show them: "test_connection",
// "discover_schema", "read", "incremental_read", "insert", "upsert", "delete",
// "transactions", "consuming_read".
QStringList capabilityNames(Capabilities capabilities);

// Registers this module's connectors. `catalog` (may be null) serves REST endpoints that name
// a connector catalog definition; it must outlive the registry.
void registerBuiltinConnectors(ConnectorRegistry &registry, const ConnectorCatalog *catalog = nullptr);

} // namespace Conflux::Connectors
