#pragma once

#include "base/result.h"
#include "connectors/connector.h"
#include "connectors/registry.h"
#include "data/value.h"

#include <QString>

#include <memory>

namespace Conflux::Broker {
class MessageBroker;
}
namespace Conflux::Connectors {
class ConnectorCatalog;
}
namespace Conflux::Model {
class Project;
}

// The connectors of a host (a node, the studio's local engine, a CLI verb): one registry with
// every built-in protocol, the built-in connector catalog and the queue connectors, and the
// context connectors get (secrets, metrics, the folder relative paths resolve against).
// Creates the connector of a project's endpoint by id.
//
// Threading: create() may be called from any thread; each connector it returns belongs to the
// thread that uses it (see Connectors::Connector).

namespace Conflux::Runtime {

class ProjectEndpoints
{
public:
    // `embedded` (may be null: conflux_broker endpoints are then unavailable) must outlive
    // this object and the connectors it creates. Errors: "invalid_catalog".
    static Result<std::unique_ptr<ProjectEndpoints>> create(Broker::MessageBroker *embedded,
                                                            Connectors::ConnectorContext context);

    const Connectors::ConnectorRegistry &registry() const { return m_registry; }
    const Connectors::ConnectorContext &context() const { return m_context; }

    // The connector of endpoint `id` of `project`. Errors: "endpoint_not_found", and the
    // registry's ("invalid_endpoint" naming the file and field, "connector_unavailable").
    Result<std::unique_ptr<Connectors::Connector>> create(const Model::Project &project, const QString &id) const;

private:
    ProjectEndpoints() = default;

    std::shared_ptr<const Connectors::ConnectorCatalog> m_catalog;
    Connectors::ConnectorRegistry m_registry;
    Connectors::ConnectorContext m_context;
};

// The JSON shapes the admin API and `conflux endpoint` print (README "Admin API").
// {"latency_ms", "server_info"}
Data::Value connectionTestToValue(const Connectors::ConnectionTest &test);
// {"name", "description"?, "key_fields", "cursor_field"?, "capabilities", "fields"?: the field
// tree (Data::SchemaField::toValue) when `withFields`}
Data::Value entityToValue(const Connectors::Entity &entity, bool withFields);
// {"code", "message", "details"?}
Data::Value errorToValue(const Error &error);

} // namespace Conflux::Runtime
