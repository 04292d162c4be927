#include "endpointimport.h"

#include "connectors/edmx.h"
#include "connectors/httpclient.h"
#include "connectors/openapi.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Connectors::EndpointImport)
};

using Data::Value;

bool isHttpLocation(const QString &location)
{
    return location.startsWith(u"http://"_s, Qt::CaseInsensitive)
        || location.startsWith(u"https://"_s, Qt::CaseInsensitive);
}

QUrl locationUrl(const QString &location)
{
    if (isHttpLocation(location) || location.startsWith(u"file:"_s, Qt::CaseInsensitive))
        return QUrl(location);
    return location.isEmpty() ? QUrl() : QUrl::fromLocalFile(QFileInfo(location).absoluteFilePath());
}

Data::Object endpointHeader(const DefinitionImportOptions &options, const QString &name, const QString &protocol)
{
    Data::Object endpoint;
    endpoint.insert(u"kind"_s, Value(u"Endpoint"_s));
    endpoint.insert(u"schemaVersion"_s, Value(1));
    endpoint.insert(u"id"_s, Value(options.endpointId));
    endpoint.insert(u"name"_s, Value(options.name.isEmpty() ? name : options.name));
    endpoint.insert(u"type"_s, Value(u"api"_s));
    endpoint.insert(u"protocol"_s, Value(protocol));
    return endpoint;
}

Result<void> checkId(const QString &id)
{
    static const QRegularExpression idPattern(u"^[a-z0-9][a-z0-9._-]{0,63}$"_s);
    if (!idPattern.match(id).hasMatch()) {
        return makeError("invalid_import",
                         Tr::tr("\"%1\" is not an endpoint id (lowercase letters, digits, '.', '_', '-', "
                                "starting with a letter or digit)")
                             .arg(id));
    }
    return {};
}

Data::SchemaField emptyRecord()
{
    Data::SchemaField field;
    field.types = Data::SchemaType::Object;
    return field;
}

Result<ImportedEndpoint> importOpenApi(QByteArrayView text, const DefinitionImportOptions &options)
{
    Result<OpenApiDocument> parsed = parseOpenApi(text, options.location);
    if (!parsed)
        return parsed.error();
    OpenApiImportOptions importOptions;
    importOptions.endpointId = options.endpointId;
    importOptions.name = options.name;
    ImportedEndpoint out;
    out.warnings = parsed->warnings;
    Result<Value> document = openApiEndpoint(*parsed, importOptions, &out.warnings);
    if (!document)
        return document.error();
    if (options.serviceUrl.isValid() && !options.serviceUrl.isEmpty()) {
        Data::Object object = document->toObject();
        object.insert(u"url"_s, Value(options.serviceUrl.toString()));
        *document = Value(std::move(object));
    }
    out.document = std::move(*document);
    for (const OpenApiOperation &operation : parsed->operations) {
        Entity entity;
        entity.name = operation.name;
        entity.description = operation.method + u' ' + operation.path
            + (operation.summary.isEmpty() ? QString() : u" — "_s + operation.summary);
        if (operation.response)
            entity.schema = *operation.response;
        else if (operation.requestBody)
            entity.schema = *operation.requestBody;
        else
            entity.schema = emptyRecord();
        out.operations.append(operation.name);
        out.entities.push_back(std::move(entity));
    }
    out.summary = Tr::tr("OpenAPI %1 \"%2\" %3, operations: %4")
                      .arg(parsed->openApiVersion, parsed->title, parsed->version)
                      .arg(parsed->operations.size());
    return out;
}

Result<ImportedEndpoint> importWsdl(QByteArrayView text, const DefinitionImportOptions &options)
{
    const QUrl base = locationUrl(options.location);
    const bool remote = isHttpLocation(options.location);
    const int timeout = options.timeoutSeconds;
    const WsdlLoader loader = [remote, timeout](const QUrl &url) -> Result<QByteArray> {
        // A WSDL that came over HTTP may not import local files (as the SOAP connector).
        if (remote && url.isLocalFile())
            return makeError("wsdl_import", Tr::tr("A WSDL from the network may not import the local file %1")
                                                .arg(url.toLocalFile()));
        return fetchDefinition(url.isLocalFile() ? url.toLocalFile() : url.toString(), nullptr, timeout);
    };
    Result<WsdlDocument> parsed = parseWsdl(text, base, loader);
    if (!parsed)
        return parsed.error();
    const WsdlBinding *binding = parsed->binding();
    if (!binding) {
        return makeError("invalid_import",
                         Tr::tr("The WSDL %1 has no SOAP binding: there is nothing a SOAP endpoint can call")
                             .arg(parsed->name));
    }

    // The first port of the chosen binding gives the address, as the connector picks it.
    QUrl address;
    QString serviceName;
    for (const WsdlService &service : parsed->services) {
        for (const WsdlPort &port : service.ports) {
            if (port.binding == binding->name && address.isEmpty()) {
                address = port.address;
                serviceName = service.name;
            }
        }
    }
    QUrl url = options.serviceUrl;
    if (url.isEmpty())
        url = address;
    if (url.isEmpty() && remote) {
        url = QUrl(options.location);
        url.setQuery(QString());
    }
    if (url.isEmpty()) {
        return makeError("invalid_import",
                         Tr::tr("The WSDL names no address for binding %1: give the service URL")
                             .arg(binding->name.name));
    }

    const QString name = !parsed->name.isEmpty() ? parsed->name : serviceName;
    Data::Object endpoint = endpointHeader(options, name.isEmpty() ? options.endpointId : name, u"soap"_s);
    endpoint.insert(u"url"_s, Value(url.toString()));
    endpoint.insert(u"data_format"_s, Value(u"xml"_s));
    Data::Object configuration;
    if (!options.location.isEmpty())
        configuration.insert(u"wsdl"_s, Value(options.location));
    if (binding->soapVersion != SoapVersion::None)
        configuration.insert(u"soap_version"_s,
                             Value(binding->soapVersion == SoapVersion::Soap12 ? u"1.2"_s : u"1.1"_s));
    configuration.insert(u"binding"_s, Value(binding->name.name));
    endpoint.insert(u"configuration"_s, Value(std::move(configuration)));

    ImportedEndpoint out;
    out.document = Value(std::move(endpoint));
    for (const WsdlOperation &operation : binding->operations) {
        Entity entity;
        entity.name = operation.name;
        entity.description = operation.documentation;
        const WsdlMessageRole role = operation.output ? WsdlMessageRole::Output : WsdlMessageRole::Input;
        Result<Data::SchemaField> schema = messageSchema(*parsed, operation, role);
        if (schema) {
            entity.schema = std::move(*schema);
        } else {
            entity.schema = emptyRecord();
            out.warnings.append(Tr::tr("Operation %1: %2").arg(operation.name, schema.error().toString()));
        }
        out.operations.append(operation.name);
        out.entities.push_back(std::move(entity));
    }
    out.summary = Tr::tr("WSDL %1, binding %2 (SOAP %3), operations: %4")
                      .arg(name, binding->name.name,
                           binding->soapVersion == SoapVersion::Soap12 ? u"1.2"_s : u"1.1"_s)
                      .arg(binding->operations.size());
    return out;
}

Result<ImportedEndpoint> importODataMetadata(QByteArrayView text, const DefinitionImportOptions &options)
{
    Result<ODataMetadata> parsed = parseODataMetadata(text);
    if (!parsed)
        return parsed.error();
    QUrl root = options.serviceUrl;
    if (root.isEmpty() && isHttpLocation(options.location)) {
        root = QUrl(options.location);
        root.setQuery(QString());
        QString path = root.path();
        if (path.endsWith(u"$metadata"_s))
            path.chop(int(qstrlen("$metadata")));
        root.setPath(path);
    }
    if (root.isEmpty()) {
        return makeError("invalid_import",
                         Tr::tr("The $metadata came from a file: give the OData service's root URL "
                                "(the address $metadata is below)"));
    }
    if (!root.path().endsWith(u'/'))
        root.setPath(root.path() + u'/');

    const QString protocol = parsed->version == 2 ? u"odata_v2"_s : u"odata_v4"_s;
    // The schema's namespace names the service ("CatalogService", "API_BUSINESS_PARTNER"); the
    // container's name is often just "EntityContainer".
    QString name = parsed->schemas.empty() ? parsed->containerName : parsed->schemas.front().namespaceName;
    if (name.isEmpty())
        name = options.endpointId;
    Data::Object endpoint = endpointHeader(options, name, protocol);
    endpoint.insert(u"url"_s, Value(root.toString()));
    endpoint.insert(u"data_format"_s, Value(u"json"_s));

    ImportedEndpoint out;
    out.document = Value(std::move(endpoint));
    for (const ODataEntitySet &set : parsed->entitySets) {
        Entity entity;
        entity.name = set.name;
        entity.description = set.entityType;
        if (const ODataEntityType *type = parsed->entityType(set.entityType))
            entity.keyFields = type->keys;
        Result<Data::SchemaField> schema = entitySchema(*parsed, set.name);
        if (schema) {
            entity.schema = std::move(*schema);
        } else {
            entity.schema = emptyRecord();
            out.warnings.append(Tr::tr("Entity set %1: %2").arg(set.name, schema.error().toString()));
        }
        entity.capabilities = Capability::Read;
        if (set.creatable)
            entity.capabilities |= Capability::Insert;
        if (set.updatable)
            entity.capabilities |= Capability::Upsert;
        if (set.deletable)
            entity.capabilities |= Capability::Delete;
        out.entities.push_back(std::move(entity));
    }
    // v4 lists an action or function and its import under one name: callable once.
    for (const ODataOperation &operation : parsed->operations) {
        if (!out.operations.contains(operation.name))
            out.operations.append(operation.name);
    }
    out.summary = Tr::tr("OData v%1 service %2, entity sets: %3")
                      .arg(parsed->version)
                      .arg(name)
                      .arg(parsed->entitySets.size());
    return out;
}

} // namespace

Result<QByteArray> fetchDefinition(const QString &location, const CancelToken *cancel, int timeoutSeconds)
{
    if (isHttpLocation(location)) {
        HttpClientOptions options;
        options.timeoutMs = timeoutSeconds * 1000;
        options.retryAttempts = 1;
        options.endpointId = u"definition-import"_s;
        HttpClient client(options, ClientAuthentication{}, ConnectorContext{});
        HttpRequest request;
        request.url = QUrl(location);
        Result<HttpResponse> response = client.send(request, cancel);
        if (!response)
            return response.error();
        if (!response->isSuccess()) {
            return makeError("download_failed",
                             Tr::tr("GET %1 answered %2").arg(displayUrl(request.url), response->describe()));
        }
        return response->body;
    }
    const QString path = location.startsWith(u"file:"_s, Qt::CaseInsensitive) ? QUrl(location).toLocalFile()
                                                                              : location;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError("file_error", Tr::tr("Cannot read %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    return file.readAll();
}

Result<ImportedEndpoint> importDefinition(DefinitionFormat format, QByteArrayView text,
                                          const DefinitionImportOptions &options)
{
    if (Result<void> id = checkId(options.endpointId); !id)
        return id.error();
    switch (format) {
    case DefinitionFormat::OpenApi: return importOpenApi(text, options);
    case DefinitionFormat::Wsdl: return importWsdl(text, options);
    case DefinitionFormat::ODataMetadata: return importODataMetadata(text, options);
    }
    return makeError("invalid_import", Tr::tr("Unknown definition format"));
}

} // namespace Conflux::Connectors
