#include "registry.h"

#include "fileconnector.h"
#include "graphqlconnector.h"
#include "odataconnector.h"
#include "restconnector.h"
#include "soapconnector.h"
#include "sqlconnector.h"

#include <QCoreApplication>

namespace Conflux::Connectors {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::ConnectorRegistry)
};
} // namespace

void ConnectorRegistry::add(Protocol protocol, ConnectorFactory factory)
{
    std::lock_guard lock(m_mutex);
    m_factories.insert(int(protocol), std::move(factory));
}

bool ConnectorRegistry::has(Protocol protocol) const
{
    std::lock_guard lock(m_mutex);
    return m_factories.contains(int(protocol));
}

Result<std::unique_ptr<Connector>> ConnectorRegistry::create(const EndpointSpec &endpoint,
                                                             const ConnectorContext &context) const
{
    ConnectorFactory factory;
    {
        std::lock_guard lock(m_mutex);
        factory = m_factories.value(int(endpoint.protocol));
    }
    if (!factory) {
        return makeError("connector_unavailable",
                         Tr::tr("Endpoint %1: no connector for protocol \"%2\" in this process")
                             .arg(endpoint.id, protocolName(endpoint.protocol)));
    }
    return factory(endpoint, context);
}

Result<std::unique_ptr<Connector>> ConnectorRegistry::create(const Data::Value &document,
                                                             const ConnectorContext &context,
                                                             const QString &source) const
{
    Result<EndpointSpec> endpoint = parseEndpoint(document, source);
    if (!endpoint)
        return endpoint.error();
    return create(*endpoint, context);
}

void registerBuiltinConnectors(ConnectorRegistry &registry, const ConnectorCatalog *catalog)
{
    registry.add(Protocol::Rest, [catalog](const EndpointSpec &endpoint, const ConnectorContext &context) {
        return createRestConnector(endpoint, context, catalog);
    });
    registry.add(Protocol::Soap, createSoapConnector);
    registry.add(Protocol::ODataV2, createODataConnector);
    registry.add(Protocol::ODataV4, createODataConnector);
    registry.add(Protocol::GraphQL, createGraphQLConnector);
    registry.add(Protocol::Sql, createSqlConnector);
    registry.add(Protocol::Files, createFileConnector);
}

} // namespace Conflux::Connectors
