#include "projectendpoints.h"

#include "model/project.h"
#include "queueconnector.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace Conflux::Runtime {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Runtime::ProjectEndpoints)
};

Data::Value stringList(const QStringList &list)
{
    Data::Array out;
    out.reserve(size_t(list.size()));
    for (const QString &s : list)
        out.emplace_back(s);
    return Data::Value(std::move(out));
}
} // namespace

Result<std::unique_ptr<ProjectEndpoints>> ProjectEndpoints::create(Broker::MessageBroker *embedded,
                                                                   Connectors::ConnectorContext context)
{
    Result<std::shared_ptr<const Connectors::ConnectorCatalog>> catalog = Connectors::builtinCatalog();
    if (!catalog)
        return catalog.error();
    std::unique_ptr<ProjectEndpoints> out(new ProjectEndpoints);
    out->m_catalog = *catalog;
    out->m_context = std::move(context);
    Connectors::registerBuiltinConnectors(out->m_registry, out->m_catalog.get());
    registerQueueConnectors(out->m_registry, embedded);
    return out;
}

Result<std::unique_ptr<Connectors::Connector>> ProjectEndpoints::create(const Model::Project &project,
                                                                        const QString &id) const
{
    for (const Model::Endpoint &endpoint : project.endpoints) {
        if (endpoint.document.id == id)
            return m_registry.create(Data::Value::fromQJson(endpoint.document.json), m_context, endpoint.document.file);
    }
    return makeError("endpoint_not_found", Tr::tr("The project has no endpoint \"%1\"").arg(id));
}

Data::Value connectionTestToValue(const Connectors::ConnectionTest &test)
{
    Data::Object out;
    out.insert(u"latency_ms"_s, Data::Value(test.latencyMs));
    out.insert(u"server_info"_s, Data::Value(test.serverInfo));
    return Data::Value(std::move(out));
}

Data::Value entityToValue(const Connectors::Entity &entity, bool withFields)
{
    Data::Object out;
    out.insert(u"name"_s, Data::Value(entity.name));
    if (!entity.description.isEmpty())
        out.insert(u"description"_s, Data::Value(entity.description));
    out.insert(u"key_fields"_s, stringList(entity.keyFields));
    if (!entity.cursorField.isEmpty())
        out.insert(u"cursor_field"_s, Data::Value(entity.cursorField));
    out.insert(u"capabilities"_s, stringList(Connectors::capabilityNames(entity.capabilities)));
    if (withFields)
        out.insert(u"fields"_s, entity.schema.toValue());
    return Data::Value(std::move(out));
}

Data::Value errorToValue(const Error &error)
{
    Data::Object out;
    out.insert(u"code"_s, Data::Value(error.code));
    out.insert(u"message"_s, Data::Value(error.message));
    if (!error.details.isEmpty())
        out.insert(u"details"_s, stringList(error.details));
    return Data::Value(std::move(out));
}

} // namespace Conflux::Runtime
