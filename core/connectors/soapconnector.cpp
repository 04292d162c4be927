// The SOAP connector: loading the WSDL and choosing the port, call(), the connection test and
// discovery. Its configuration is read in soapsettings.cpp, envelopes are written in
// soapenvelope.cpp and answers read in soapresponse.cpp; read() and write() are in
// soaprecords.cpp.

#include "soapconnector.h"
#include "soapconnector_p.h"

#include "connectors/httpclient.h"
#include "data/xml.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Connectors {

using namespace Internal::SoapDetail;

namespace {

QString versionName(SoapVersion version)
{
    return version == SoapVersion::Soap12 ? u"1.2"_s : u"1.1"_s;
}

} // namespace

// ---- the connector -----------------------------------------------------------------------

SoapConnector::SoapConnector(EndpointSpec endpoint, Settings settings, ConnectorContext context)
    : Connector(std::move(endpoint)), m_settings(std::move(settings)), m_baseDirectory(context.baseDirectory)
{
    Result<HttpClientOptions> options = HttpClientOptions::fromEndpoint(this->endpoint(), context);
    m_http = std::make_unique<HttpClient>(options ? *options : HttpClientOptions{}, this->endpoint().authentication,
                                          std::move(context));
    m_http->setDefaultHeaders(this->endpoint().headers);
}

SoapConnector::~SoapConnector() = default;

Capabilities SoapConnector::capabilities() const
{
    Capabilities caps = Capability::TestConnection | Capability::DiscoverSchema;
    if (m_settings.entities.empty())
        return caps | Capability::Read;
    for (const EntitySettings &e : m_settings.entities) {
        if (!e.operation.isEmpty())
            caps |= Capability::Read;
        if (readsIncrementally(e))
            caps |= Capability::IncrementalRead;
        if (e.insert)
            caps |= Capability::Insert;
        if (e.update || e.insert)
            caps |= Capability::Upsert;
        if (e.remove)
            caps |= Capability::Delete;
    }
    return caps;
}

Result<const WsdlDocument *> SoapConnector::wsdl(const CancelToken *cancel)
{
    if (Result<void> loaded = load(cancel, false); !loaded)
        return loaded.error();
    return static_cast<const WsdlDocument *>(m_wsdl.get());
}

Result<void> SoapConnector::load(const CancelToken *cancel, bool reload)
{
    if (m_wsdl && !reload)
        return {};
    const EndpointSpec &ep = endpoint();

    // Where the WSDL is: a URL, a file, or a reference relative to the endpoint's URL.
    QUrl url;
    QString file;
    const QString &wsdl = m_settings.wsdl;
    if (wsdl.isEmpty()) {
        url = ep.url;
        url.setQuery(ep.url.hasQuery() ? u"wsdl&"_s + ep.url.query() : u"wsdl"_s);
    } else {
        const QUrl given(wsdl);
        if (given.scheme() == "http"_L1 || given.scheme() == "https"_L1) {
            url = given;
        } else if (given.scheme() == "file"_L1) {
            file = given.toLocalFile();
        } else {
            const QString candidate = QDir(m_baseDirectory.isEmpty() ? QDir::currentPath() : m_baseDirectory)
                                          .absoluteFilePath(wsdl);
            if (QFileInfo(candidate).isFile())
                file = candidate;
            else if (ep.url.isValid() && !ep.url.isRelative())
                url = ep.url.resolved(given);
            else
                return makeError("wsdl_unavailable",
                                 Tr::tr("Endpoint %1: there is no WSDL file %2, and no endpoint url to resolve it "
                                        "against")
                                     .arg(ep.id, candidate));
        }
    }

    const auto fetch = [this, cancel](const QUrl &from) -> Result<QByteArray> {
        HttpRequest request;
        request.url = from;
        request.setHeader("Accept", "text/xml, application/xml, application/wsdl+xml, */*;q=0.5");
        Result<HttpResponse> response = m_http->send(request, cancel);
        if (!response)
            return response.error();
        if (response->status == 401 || response->status == 403)
            return makeError("authentication_failed",
                             Tr::tr("WSDL %1: %2").arg(displayUrl(from), response->describe()));
        if (!response->isSuccess())
            return makeError("wsdl_unavailable", Tr::tr("WSDL %1: %2").arg(displayUrl(from), response->describe()));
        return std::move(response->body);
    };
    const auto readFile = [this](const QString &path) -> Result<QByteArray> {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return makeError("wsdl_unavailable", Tr::tr("WSDL file %1: %2").arg(path, f.errorString()));
        if (f.size() > m_settings.wsdlLimits.maxSize)
            return makeError("wsdl_unavailable", Tr::tr("WSDL file %1 is larger than %2 bytes (wsdl_max_size)")
                                                     .arg(path)
                                                     .arg(m_settings.wsdlLimits.maxSize));
        return f.readAll();
    };

    const bool fromFile = !file.isEmpty();
    Result<QByteArray> bytes = fromFile ? readFile(file) : fetch(url);
    if (!bytes)
        return bytes.error();
    const QUrl baseUrl = fromFile ? QUrl::fromLocalFile(file) : url;
    // Imports: over HTTP(S); from files only when the WSDL itself is a file (a remote document
    // must not make the connector read local files).
    const WsdlLoader loader = [&](const QUrl &importUrl) -> Result<QByteArray> {
        if (importUrl.isLocalFile()) {
            if (!fromFile)
                return makeError("wsdl_import", Tr::tr("a WSDL fetched over HTTP may not import the local file %1")
                                                    .arg(importUrl.toLocalFile()));
            return readFile(importUrl.toLocalFile());
        }
        if (importUrl.scheme() != "http"_L1 && importUrl.scheme() != "https"_L1)
            return makeError("wsdl_import", Tr::tr("cannot load %1: only http(s) and files").arg(importUrl.toString()));
        return fetch(importUrl);
    };
    Result<WsdlDocument> parsed = parseWsdl(*bytes, baseUrl, loader, m_settings.wsdlLimits);
    if (!parsed) {
        Error e = parsed.error();
        e.message = Tr::tr("WSDL %1: %2").arg(fromFile ? file : displayUrl(url), e.message);
        return e;
    }
    auto document = std::make_unique<WsdlDocument>(std::move(*parsed));

    // The port: by service, port, binding and SOAP version, in document order.
    const WsdlPort *chosenPort = nullptr;
    const WsdlBinding *chosenBinding = nullptr;
    QStringList seenServices;
    QStringList seenPorts;
    for (const WsdlService &service : document->services) {
        seenServices.append(service.name);
        if (!m_settings.service.isEmpty() && service.name != m_settings.service)
            continue;
        for (const WsdlPort &port : service.ports) {
            const WsdlBinding *b = document->binding(port.binding);
            if (!b || b->soapVersion == SoapVersion::None)
                continue;
            seenPorts.append(port.name);
            if ((!m_settings.port.isEmpty() && port.name != m_settings.port)
                || (!m_settings.binding.isEmpty() && b->name.name != m_settings.binding))
                continue;
            const bool versionFits = m_settings.soapVersion == SoapVersion::None || b->soapVersion == m_settings.soapVersion;
            if (!chosenPort || (versionFits && chosenBinding->soapVersion != m_settings.soapVersion
                                && m_settings.soapVersion != SoapVersion::None)) {
                chosenPort = &port;
                chosenBinding = b;
            }
        }
    }
    const QString where = Tr::tr("WSDL %1").arg(fromFile ? file : displayUrl(url));
    if (!m_settings.service.isEmpty() && !seenServices.contains(m_settings.service))
        return makeError("invalid_endpoint", Tr::tr("%1 has no service \"%2\"").arg(where, m_settings.service),
                         {u"/configuration/service: "_s + Tr::tr("services in the WSDL: %1").arg(seenServices.join(u", "_s))});
    if (!chosenPort) {
        if (!document->services.empty() && (!m_settings.port.isEmpty() || !m_settings.binding.isEmpty()))
            return makeError("invalid_endpoint", Tr::tr("%1 has no SOAP port that fits port/binding").arg(where),
                             {Tr::tr("SOAP ports in the WSDL: %1").arg(seenPorts.isEmpty() ? Tr::tr("none")
                                                                                         : seenPorts.join(u", "_s))});
        chosenBinding = document->binding(QStringView(m_settings.binding));
        if (!chosenBinding || chosenBinding->soapVersion == SoapVersion::None)
            return makeError("invalid_endpoint", Tr::tr("%1 has no SOAP binding%2").arg(
                                                     where, m_settings.binding.isEmpty()
                                                                ? QString()
                                                                : u" \""_s + m_settings.binding + u'"'));
    }
    m_version = m_settings.soapVersion != SoapVersion::None ? m_settings.soapVersion : chosenBinding->soapVersion;
    m_portName = chosenPort ? chosenPort->name : QString();
    switch (m_settings.addressSource) {
    case AddressSource::Wsdl:
        m_address = chosenPort && chosenPort->address.isValid() && !chosenPort->address.isEmpty() ? chosenPort->address
                                                                                                 : ep.url;
        break;
    case AddressSource::Endpoint:
        m_address = ep.url;
        break;
    case AddressSource::Url:
        m_address = m_settings.address;
        break;
    }
    if (!m_address.isValid() || m_address.isRelative())
        return makeError("invalid_endpoint", Tr::tr("%1: no address to send calls to (the port has none and the "
                                                    "endpoint has no url)")
                                                 .arg(where));
    m_wsdlUrl = baseUrl;
    m_binding = chosenBinding;
    m_wsdl = std::move(document);
    m_operationEntities.clear();
    for (const WsdlOperation &op : m_binding->operations) {
        EntitySettings e;
        e.name = op.name;
        e.operation = op.name;
        m_operationEntities.push_back(std::move(e));
    }
    return {};
}

Result<const SoapConnector::EntitySettings *> SoapConnector::entity(const QString &name)
{
    for (const EntitySettings &e : m_settings.entities) {
        if (e.name == name)
            return &e;
    }
    QStringList names;
    for (const EntitySettings &e : m_settings.entities)
        names.append(e.name);
    if (m_settings.entities.empty()) {
        if (Result<void> loaded = load(nullptr, false); !loaded)
            return loaded.error();
        for (const EntitySettings &e : m_operationEntities) {
            if (e.name == name)
                return &e;
            names.append(e.name);
        }
    }
    return makeError("unknown_entity", Tr::tr("Endpoint %1 has no entity \"%2\" (it has: %3)")
                                           .arg(endpoint().id, name, names.join(u", "_s)));
}

Result<Data::Value> SoapConnector::call(const QString &operationName, const Data::Value &body, const CancelToken *cancel)
{
    m_lastFault = Data::Value();
    if (cancel && cancel->isCancelled())
        return makeError("cancelled", Tr::tr("The call of %1 was cancelled").arg(operationName));
    if (Result<void> loaded = load(cancel, false); !loaded)
        return loaded.error();
    const WsdlOperation *op = m_binding->operation(operationName);
    if (!op) {
        QStringList names;
        for (const WsdlOperation &o : m_binding->operations)
            names.append(o.name);
        return makeError("unknown_operation", Tr::tr("Binding %1 has no operation \"%2\" (it has: %3)")
                                                  .arg(m_binding->name.name, operationName, names.join(u", "_s)));
    }
    if (!op->input)
        return makeError("soap_unsupported", Tr::tr("Operation %1 has no input: it cannot be called").arg(op->name));
    if (op->input->use == SoapUse::Encoded || (op->output && op->output->use == SoapUse::Encoded))
        return makeError("soap_unsupported", Tr::tr("Operation %1 uses SOAP encoding (use=\"encoded\"), which this "
                                                    "connector does not write; only literal messages")
                                                 .arg(op->name));
    const XsdSchemaSet &types = m_wsdl->types;
    const bool rpc = op->style == SoapStyle::Rpc;

    // The parts of the input, each as an element declaration (rpc: an unqualified accessor).
    std::vector<XsdElement> parts;
    for (const WsdlPart &part : op->input->parts) {
        XsdElement decl;
        if (!part.element.isEmpty()) {
            const XsdElement *global = types.element(part.element);
            if (!global)
                return makeError("wsdl_unresolved", Tr::tr("Element %1 of part %2 is not defined")
                                                        .arg(part.element.toString(), part.name));
            decl = *global;
        } else {
            decl.type = types.type(part.type);
        }
        if (rpc || part.element.isEmpty()) {
            decl.name = part.name;
            decl.namespaceUri.clear();
        }
        decl.minOccurs = 1;
        decl.maxOccurs = 1;
        parts.push_back(std::move(decl));
    }

    // Which form the body has: the members of the single part's element, or one member per part.
    Data::Value input = body.isUndefined() || body.isNull() ? Data::Value(Data::Object{}) : body;
    if (rpc && input.isObject() && input.size() == 1 && input[op->name].isObject())
        input = input[op->name];
    bool perPart = input.isObject() && input.size() > 0;
    for (const auto &member : input.toObject()) {
        perPart = perPart && std::any_of(parts.begin(), parts.end(), [&](const XsdElement &p) {
                      return p.name == member.first;
                  });
    }
    if (perPart && parts.size() == 1 && parts.front().type.kind == XsdTypeRef::Kind::Complex) {
        // A single part whose element has a child of its own name: the members are the content.
        for (const int i : contentChain(types, parts.front().type.index)) {
            for (const XsdElement &e : types.complexTypes[size_t(i)].elements)
                perPart = perPart && e.name != parts.front().name;
        }
    }
    if (!perPart && parts.size() != 1 && !(parts.empty() && input.size() == 0)) {
        QStringList names;
        for (const XsdElement &p : parts)
            names.append(p.name);
        return makeError("soap_invalid_request",
                         Tr::tr("Operation %1 has %2 body parts (%3): give an object with one member per part")
                             .arg(op->name)
                             .arg(parts.size())
                             .arg(names.join(u", "_s)));
    }

    EnvelopeWriter writer(types);
    Data::Object bodyContent;
    Data::Object *target = &bodyContent;
    Data::Object wrapper;
    if (rpc)
        target = &wrapper;
    for (const XsdElement &part : parts) {
        const Data::Value value = perPart ? input[part.name] : input;
        writer.element(part, value.isUndefined() && !part.isOptional() ? Data::Value(Data::Object{}) : value,
                       perPart ? pointerAppend(QString(), part.name) : QString(), *target);
    }
    if (rpc) {
        const QString ns = op->input->namespaceUri.isEmpty() ? m_wsdl->targetNamespace : op->input->namespaceUri;
        bodyContent.insert(writer.qualified(ns, op->name), Data::Value(std::move(wrapper)));
    }
    if (!writer.problems.isEmpty())
        return makeError("soap_invalid_request",
                         Tr::tr("The request for %1 does not fit its schema").arg(op->name), writer.problems);
    const bool soap12 = m_version == SoapVersion::Soap12;
    Data::Object envelope;
    envelope.append(u"@xmlns:soap"_s, (soap12 ? kSoap12Envelope : kSoap11Envelope).toString());
    for (const auto &[prefix, ns] : writer.declarations)
        envelope.append(u"@xmlns:"_s + prefix, ns);
    if (writer.needsXsi)
        envelope.append(u"@xmlns:xsi"_s, kXsi.toString());
    envelope.append(u"soap:Body"_s, bodyContent.isEmpty() ? Data::Value::null() : Data::Value(std::move(bodyContent)));
    Result<QByteArray> xml = Data::Xml::write(Data::Value(Data::Object{{u"soap:Envelope"_s, Data::Value(envelope)}}));
    if (!xml)
        return makeError("soap_invalid_request",
                         Tr::tr("The request for %1 cannot be written as XML: %2").arg(op->name, xml.error().message));

    HttpRequest request;
    request.method = "POST";
    request.url = m_address;
    request.body = std::move(*xml);
    QByteArray action = op->soapAction.toUtf8();
    action.replace('\\', "\\\\").replace('"', "\\\"");
    if (soap12) {
        request.setHeader("Content-Type", "application/soap+xml; charset=utf-8"
                                              + (action.isEmpty() ? QByteArray() : "; action=\"" + action + '"'));
        request.setHeader("Accept", "application/soap+xml, multipart/related");
    } else {
        request.setHeader("Content-Type", "text/xml; charset=utf-8");
        request.setHeader("SOAPAction", '"' + action + '"');
        request.setHeader("Accept", "text/xml, multipart/related");
    }
    // A fault is the service's answer (SOAP 1.1 sends every fault with HTTP 500): it neither
    // counts against the circuit breaker nor is retried. A 5xx without one (a proxy's error
    // page) is the server failing.
    request.isServerFailure = [](const HttpResponse &answer) {
        return answer.status >= 500 && !Soap::isFaultEnvelope(answer.body);
    };
    Result<HttpResponse> sent = m_http->send(request, cancel);
    if (!sent)
        return sent.error();
    const HttpResponse &response = *sent;
    const QString where = Tr::tr("%1 (HTTP %2, operation %3)").arg(displayUrl(m_address)).arg(response.status).arg(op->name);

    // What came back: a fault (whatever the status), an answer, or something else.
    const auto failure = [&](const QString &what) {
        if (response.status == 401 || response.status == 403)
            return makeError("authentication_failed", Tr::tr("%1 from %2: %3")
                                                          .arg(response.describe(), displayUrl(m_address), what));
        if (!response.isSuccess())
            return makeError("soap_http_error", Tr::tr("%1 from %2 calling %3: %4")
                                                    .arg(response.describe(), displayUrl(m_address), op->name, what));
        return makeError("soap_invalid_response", Tr::tr("The answer of %1 to %2 is not usable: %3")
                                                      .arg(displayUrl(m_address), op->name, what));
    };
    if (response.body.trimmed().isEmpty()) {
        if (response.isSuccess() && (!op->output || response.status == 202))
            return Data::Value::null();
        return failure(Tr::tr("the body is empty"));
    }
    if (looksLikeHtml(response)) {
        const QString title = htmlTitle(response.body);
        return failure(title.isEmpty() ? Tr::tr("an HTML page came instead of a SOAP envelope")
                                       : Tr::tr("an HTML page (\"%1\") came instead of a SOAP envelope").arg(title));
    }
    Data::Xml::XmlReadOptions readOptions;
    readOptions.emptyAsNull = false;
    Result<Data::Value> document = Data::Xml::read(response.body, readOptions);
    if (!document)
        return failure(Tr::tr("not well-formed XML: %1").arg(document.error().message));
    NodeReader nodes;
    Node root;
    const Data::Object &rootObject = document->toObject();
    root.written = rootObject.memberAt(0).first;
    root.value = rootObject.memberAt(0).second;
    root.scope = enterScope(root.value, {});
    if (!resolveName(root.written, root.scope, false, &root.name) || root.name.local != "Envelope"_L1
        || (root.name.ns != kSoap11Envelope && root.name.ns != kSoap12Envelope))
        return failure(Tr::tr("the root element is <%1> (namespace \"%2\"), not a SOAP Envelope")
                           .arg(root.written, root.name.ns));
    const bool answer12 = root.name.ns == kSoap12Envelope;
    const std::vector<Node> envelopeChildren = nodes.children(root);
    const Node *soapBody = nullptr;
    for (const Node &child : envelopeChildren) {
        if (child.name.local == "Body"_L1 && child.name.ns == root.name.ns)
            soapBody = &child;
    }
    if (!soapBody)
        return failure(Tr::tr("the envelope has no Body"));
    const std::vector<Node> bodyChildren = nodes.children(*soapBody);
    if (!nodes.error.isEmpty())
        return failure(nodes.error);
    for (const Node &child : bodyChildren) {
        if (child.name.local == "Fault"_L1 && child.name.ns == root.name.ns)
            return faultError(nodes, child, answer12, where, &m_lastFault);
    }
    if (!response.isSuccess())
        return failure(Tr::tr("a SOAP envelope without a fault"));
    if (answer12 != soap12)
        return failure(Tr::tr("a SOAP %1 envelope answered a SOAP %2 request")
                           .arg(versionName(answer12 ? SoapVersion::Soap12 : SoapVersion::Soap11), versionName(m_version)));
    if (!op->output)
        return Data::Value::null();

    // The output parts, typed by the schema; the shape messageSchema() describes.
    TypedReader typed(types, nodes);
    Data::Object result;
    const auto found = [&](const std::vector<Node> &children, const QString &ns, const QString &local) -> const Node * {
        for (const Node &c : children) {
            if (c.name.local == local && c.name.ns == ns)
                return &c;
        }
        return childNamed(children, local);
    };
    const auto present = [&](const std::vector<Node> &children) {
        QStringList names;
        for (const Node &c : children)
            names.append(u'<' + c.written + u'>');
        return names.isEmpty() ? Tr::tr("nothing") : names.join(u", "_s);
    };
    std::vector<Node> partNodes = bodyChildren;
    Data::Object *out = &result;
    Data::Object rpcOut;
    if (rpc) {
        if (bodyChildren.empty())
            return failure(Tr::tr("the Body is empty; the response wrapper of %1 was expected").arg(op->name));
        partNodes = nodes.children(bodyChildren.front());
        out = &rpcOut;
    }
    for (const WsdlPart &part : op->output->parts) {
        XsdTypeRef type;
        QString ns;
        QString local = part.name;
        if (!part.element.isEmpty()) {
            const XsdElement *global = types.element(part.element);
            if (!global)
                return makeError("wsdl_unresolved", Tr::tr("Element %1 of part %2 is not defined")
                                                        .arg(part.element.toString(), part.name));
            type = global->type;
            if (!rpc) {
                ns = global->namespaceUri;
                local = global->name;
            }
        } else {
            type = types.type(part.type);
        }
        const Node *node = found(partNodes, ns, local);
        if (!node)
            return failure(Tr::tr("the %1 has no element <%2>%3; it holds %4")
                               .arg(rpc ? Tr::tr("response wrapper") : Tr::tr("Body"), local,
                                    ns.isEmpty() ? QString() : Tr::tr(" in namespace %1").arg(ns), present(partNodes)));
        out->insert(local, typed.element(type, *node));
    }
    if (!nodes.error.isEmpty())
        return failure(nodes.error);
    if (rpc)
        result.insert(op->name + u"Response"_s, Data::Value(std::move(rpcOut)));
    return Data::Value(std::move(result));
}

Result<ConnectionTest> SoapConnector::testConnection()
{
    QElapsedTimer timer;
    timer.start();
    if (Result<void> loaded = load(nullptr, true); !loaded)
        return loaded.error();
    ConnectionTest test;
    test.latencyMs = timer.elapsed();
    const QString service = m_wsdl->services.empty() ? m_wsdl->name : m_wsdl->services.front().name;
    const int operations = int(m_binding->operations.size());
    test.serverInfo = (operations == 1 ? Tr::tr("1 operation") : Tr::tr("%1 operations").arg(operations))
                      + Tr::tr(" (WSDL %1, SOAP %2, %3 at %4)")
                            .arg(service, versionName(m_version),
                                 m_portName.isEmpty() ? m_binding->name.name : m_portName, displayUrl(m_address));
    return test;
}

Result<std::vector<Entity>> SoapConnector::discover()
{
    if (Result<void> loaded = load(nullptr, false); !loaded)
        return loaded.error();
    const std::vector<EntitySettings> &list = m_settings.entities.empty() ? m_operationEntities : m_settings.entities;
    std::vector<Entity> entities;
    for (size_t i = 0; i < list.size(); ++i) {
        const EntitySettings &e = list[i];
        Entity entity;
        entity.name = e.name;
        entity.keyFields = e.keyFields;
        entity.cursorField = e.cursorField;
        if (!e.operation.isEmpty()) {
            const WsdlOperation *op = m_binding->operation(e.operation);
            if (!op)
                return makeError("unknown_operation", Tr::tr("Entity %1: binding %2 has no operation \"%3\"")
                                                          .arg(e.name, m_binding->name.name, e.operation));
            entity.description = op->documentation.isEmpty() ? Tr::tr("SOAP operation %1").arg(op->name)
                                                              : op->documentation;
            if (op->output) {
                Result<Data::SchemaField> schema = messageSchema(*m_wsdl, *op, WsdlMessageRole::Output);
                if (!schema)
                    return schema.error();
                const Data::SchemaField *records = schemaAt(*schema, pointerTokens(e.recordsPath));
                if (!records)
                    return makeError("invalid_endpoint",
                                     Tr::tr("Entity %1: records_path %2 is not in the answer of %3").arg(e.name, e.recordsPath, op->name),
                                     {u"/configuration/entities/%1/records_path"_s.arg(i)});
                entity.schema = records->isRepeated() && records->item() ? *records->item() : *records;
                entity.schema.name.clear();
                rebase(entity.schema, QString());
            }
            entity.capabilities |= Capability::Read;
            if (readsIncrementally(e))
                entity.capabilities |= Capability::IncrementalRead;
        }
        if (e.insert)
            entity.capabilities |= Capability::Insert;
        if (e.update || e.insert)
            entity.capabilities |= Capability::Upsert;
        if (e.remove)
            entity.capabilities |= Capability::Delete;
        entities.push_back(std::move(entity));
    }
    return entities;
}

Result<std::unique_ptr<Connector>> createSoapConnector(const EndpointSpec &endpoint, const ConnectorContext &context)
{
    Result<Settings> settings = readSettings(endpoint);
    if (!settings)
        return settings.error();
    Result<HttpClientOptions> options = HttpClientOptions::fromEndpoint(endpoint, context);
    if (!options)
        return options.error();
    return std::unique_ptr<Connector>(std::make_unique<SoapConnector>(endpoint, std::move(*settings), context));
}

} // namespace Conflux::Connectors
