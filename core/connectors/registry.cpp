#include "registry.h"

#include "fileconnector.h"
#include "graphqlconnector.h"
#include "odataconnector.h"
#include "restapi.h"
#include "restconnector.h"
#include "soapconnector.h"
#include "sqlconnector.h"

#include <QCoreApplication>

#include <mutex>

using namespace Qt::StringLiterals;

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

Result<std::shared_ptr<const ConnectorCatalog>> builtinCatalog()
{
    static std::once_flag once;
    static Result<std::shared_ptr<const ConnectorCatalog>> loaded = makeError("invalid_catalog", QString());
    std::call_once(once, [] {
        Result<ConnectorCatalog> catalog = ConnectorCatalog::load(u":/conflux/connectors"_s);
        if (catalog)
            loaded = std::shared_ptr<const ConnectorCatalog>(std::make_shared<ConnectorCatalog>(std::move(*catalog)));
        else
            loaded = catalog.error();
    });
    return loaded;
}

QStringList capabilityNames(Capabilities capabilities)
{
    static constexpr std::pair<Capability, const char *> names[] = {
        {Capability::TestConnection, "test_connection"}, {Capability::DiscoverSchema, "discover_schema"},
        {Capability::Read, "read"},                       {Capability::IncrementalRead, "incremental_read"},
        {Capability::Insert, "insert"},                   {Capability::Upsert, "upsert"},
        {Capability::Delete, "delete"},                   {Capability::Transactions, "transactions"},
        {Capability::ConsumingRead, "consuming_read"},
    };
    QStringList out;
    for (const auto &[flag, name] : names) {
        if (capabilities.testFlag(flag))
            out.append(QString::fromLatin1(name));
    }
    return out;
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
