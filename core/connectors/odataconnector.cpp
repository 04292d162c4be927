#include "odataconnector.h"

#include "odataconnector_p.h"

#include <QElapsedTimer>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace ODataInternal;

namespace {

using Settings = ODataConnector::Settings;

// ---- configuration -------------------------------------------------------------------------

Result<Settings> readSettings(const EndpointSpec &endpoint)
{
    Settings settings;
    QStringList problems;
    auto problem = [&problems](const QString &pointer, const QString &text) { problems.append(pointer + u": "_s + text); };
    if (endpoint.protocol == Protocol::ODataV2)
        settings.version = 2;
    else if (endpoint.protocol == Protocol::ODataV4)
        settings.version = 4;
    else
        problem(u"/protocol"_s, Tr::tr("the OData connector serves odata_v2 and odata_v4, not %1").arg(protocolName(endpoint.protocol)));

    QUrl root = endpoint.url;
    if (!root.isValid() || root.host().isEmpty() || (root.scheme() != u"http" && root.scheme() != u"https")) {
        problem(u"/url"_s, Tr::tr("the service root must be an http or https URL, not \"%1\"").arg(displayUrl(root)));
    } else if (root.hasQuery() || root.hasFragment()) {
        problem(u"/url"_s, Tr::tr("the service root must not have a query or fragment (for the SAP client use the "
                                  "configuration sap_client)"));
    } else {
        if (!root.path().endsWith(u'/'))
            root.setPath(root.path() + u'/');
        settings.serviceRoot = root;
    }

    const Data::Object &config = endpoint.configuration;
    auto integer = [&](QStringView key, int min, int max, int &target) {
        const Data::Value *value = config.find(key);
        if (!value)
            return;
        const double number = value->toDouble();
        if (!value->isNumber() || number != std::floor(number) || number < min || number > max) {
            problem(u"/configuration/"_s + key.toString(), Tr::tr("must be an integer from %1 to %2").arg(min).arg(max));
            return;
        }
        target = int(number);
    };
    integer(u"page_size", 0, kMaxPageSize, settings.pageSize);
    integer(u"batch_size", 1, kMaxBatchSize, settings.batchSize);
    if (const Data::Value *csrf = config.find(u"csrf")) {
        if (csrf->isBool())
            settings.csrf = csrf->toBool();
        else
            problem(u"/configuration/csrf"_s, Tr::tr("must be true or false"));
    }
    if (const Data::Value *client = config.find(u"sap_client")) {
        static const QRegularExpression threeDigits(u"^\\d{3}$"_s);
        if (client->isString() && threeDigits.match(client->toString()).hasMatch())
            settings.sapClient = client->toString();
        else if (client->isNumber() && client->toDouble() >= 0 && client->toDouble() <= 999 && client->toDouble() == std::floor(client->toDouble()))
            settings.sapClient = u"%1"_s.arg(int(client->toDouble()), 3, 10, QChar(u'0'));
        else
            problem(u"/configuration/sap_client"_s, Tr::tr("must be an SAP client: three digits such as \"100\""));
    }
    if (const Data::Value *hosts = config.find(u"next_link_hosts")) {
        bool ok = hosts->isArray();
        for (const Data::Value &host : hosts->toArray()) {
            if (!host.isString() || host.toString().isEmpty() || host.toString().contains(u'/') || host.toString() == u"*") {
                ok = false;
                break;
            }
            settings.nextLinkHosts.append(host.toString());
        }
        if (!ok) {
            problem(u"/configuration/next_link_hosts"_s,
                    Tr::tr("must be an array of host names (\"localhost\", \"*.example.com\")"));
        }
    }
    settings.updateMethod = settings.version == 2 ? "MERGE" : "PATCH";
    if (const Data::Value *method = config.find(u"update_method")) {
        const QString name = method->toString().toUpper();
        if (!method->isString() || (name != u"PATCH" && name != u"MERGE" && name != u"PUT"))
            problem(u"/configuration/update_method"_s, Tr::tr("must be \"patch\", \"merge\" (OData v2) or \"put\""));
        else if (name == u"MERGE" && settings.version == 4)
            problem(u"/configuration/update_method"_s, Tr::tr("MERGE is OData v2; OData v4 updates with PATCH or PUT"));
        else
            settings.updateMethod = name.toLatin1();
    }
    if (!problems.isEmpty()) {
        return makeError("invalid_endpoint", Tr::tr("Endpoint %1 has an invalid OData configuration").arg(endpoint.id),
                         problems);
    }
    return settings;
}

QString cursorCandidate(const ODataMetadata &metadata, const ODataEntityType &type)
{
    static const QRegularExpression names(u"^(changedat|changedon|lastchangedatetime|lastchangedat|modifiedat|"
                                          "lastmodifiedat|lastmodified|updatedat|lastupdated|modifiedon)$"_s);
    for (const ODataProperty *property : metadata.allProperties(type)) {
        if ((isDateTimeType(property->type)) && names.match(property->name.toLower()).hasMatch())
            return property->name;
    }
    return {};
}

} // namespace

// ---- ODataConnector ------------------------------------------------------------------------

ODataConnector::ODataConnector(EndpointSpec endpoint, std::unique_ptr<Private> d)
    : Connector(std::move(endpoint)), d(std::move(d))
{
}

ODataConnector::~ODataConnector() = default;

const ODataConnector::Settings &ODataConnector::settings() const
{
    return d->settings;
}

int ODataConnector::version() const
{
    return d->settings.version;
}

int ODataConnector::csrfTokenFetches() const
{
    return d->csrfFetches;
}

Capabilities ODataConnector::capabilities() const
{
    return Capability::TestConnection | Capability::DiscoverSchema | Capability::Read | Capability::IncrementalRead
           | Capability::Insert | Capability::Upsert | Capability::Delete;
}

Result<ODataMetadata> ODataConnector::metadata(bool refresh, const CancelToken *cancel)
{
    Result<const ODataMetadata *> md = d->loadMetadata(refresh, cancel);
    if (!md)
        return md.error();
    return **md;
}

Result<ConnectionTest> ODataConnector::testConnection()
{
    QElapsedTimer timer;
    timer.start();
    Result<const ODataMetadata *> loaded = d->loadMetadata(true, nullptr);
    if (!loaded)
        return loaded.error();
    const ODataMetadata *md = *loaded;
    const auto sets = std::count_if(md->entitySets.begin(), md->entitySets.end(),
                                    [](const ODataEntitySet &set) { return !set.isSingleton; });
    ConnectionTest test;
    test.latencyMs = timer.elapsed();
    test.serverInfo = (sets == 1 ? Tr::tr("OData v%1, %2 entity set") : Tr::tr("OData v%1, %2 entity sets"))
                          .arg(md->version)
                          .arg(sets);
    return test;
}

Result<std::vector<Entity>> ODataConnector::discover()
{
    Result<const ODataMetadata *> loaded = d->loadMetadata(false, nullptr);
    if (!loaded)
        return loaded.error();
    const ODataMetadata *md = *loaded;
    std::vector<Entity> entities;
    for (const ODataEntitySet &set : md->entitySets) {
        const ODataEntityType *type = md->entityType(set.entityType);
        if (set.isSingleton || !type)
            continue;
        Result<Data::SchemaField> schema = entitySchema(*md, set.name, 0);
        if (!schema)
            return schema.error();
        Entity entity;
        entity.name = set.name;
        QString label = set.annotations.value(u"sap:label"_s);
        if (label.isEmpty())
            label = set.annotations.value(u"Common.Label"_s);
        if (label.isEmpty())
            label = type->annotations.value(u"sap:label"_s, type->annotations.value(u"Common.Label"_s));
        entity.description = label.isEmpty() ? Tr::tr("Entity set of %1").arg(type->qualifiedName)
                                             : Tr::tr("%1 (entity set of %2)").arg(label, type->qualifiedName);
        entity.schema = std::move(*schema);
        entity.keyFields = type->keys;
        entity.cursorField = cursorCandidate(*md, *type);
        entity.capabilities = Capability::Read | Capability::IncrementalRead;
        if (set.creatable)
            entity.capabilities |= Capability::Insert;
        if (set.creatable && set.updatable)
            entity.capabilities |= Capability::Upsert;
        if (set.deletable)
            entity.capabilities |= Capability::Delete;
        entities.push_back(std::move(entity));
    }
    return entities;
}

// ---- factories -----------------------------------------------------------------------------

Result<std::unique_ptr<ODataConnector>> createODataConnectorTyped(const EndpointSpec &endpoint, const ConnectorContext &context)
{
    Result<Settings> settings = readSettings(endpoint);
    Result<HttpClientOptions> options = HttpClientOptions::fromEndpoint(endpoint, context);
    if (!settings || !options) {
        QStringList problems;
        if (!settings)
            problems += settings.error().details;
        if (!options)
            problems += options.error().details;
        return makeError("invalid_endpoint", Tr::tr("Endpoint %1 has an invalid OData configuration").arg(endpoint.id),
                         problems);
    }
    auto d = std::make_unique<ODataConnector::Private>();
    d->endpoint = endpoint;
    d->settings = std::move(*settings);
    d->http = std::make_unique<HttpClient>(std::move(*options), endpoint.authentication, context);
    d->http->setDefaultHeaders(endpoint.headers);
    return std::unique_ptr<ODataConnector>(new ODataConnector(endpoint, std::move(d)));
}

Result<std::unique_ptr<Connector>> createODataConnector(const EndpointSpec &endpoint, const ConnectorContext &context)
{
    Result<std::unique_ptr<ODataConnector>> connector = createODataConnectorTyped(endpoint, context);
    if (!connector)
        return connector.error();
    return std::unique_ptr<Connector>(std::move(*connector));
}

} // namespace Conflux::Connectors
