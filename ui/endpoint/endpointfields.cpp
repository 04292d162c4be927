#include "endpointfields.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Conflux::Ui::Endpoint {

namespace {

using E = EndpointKind;
using Editor = FieldSpec::Editor;


FieldSpec field(const QString &section, const QString &pointer, const QString &label, Editor editor,
                const QList<EndpointKind> &kinds = {})
{
    FieldSpec spec;
    spec.section = section;
    spec.pointer = pointer;
    spec.label = label;
    spec.editor = editor;
    spec.kinds = kinds;
    return spec;
}

FieldSpec &&placeholder(FieldSpec &&spec, const QString &text, const QString &help = {})
{
    spec.placeholder = text;
    spec.help = help;
    return std::move(spec);
}

FieldSpec &&range(FieldSpec &&spec, double minimum, double maximum)
{
    spec.minimum = minimum;
    spec.maximum = maximum;
    return std::move(spec);
}

FieldSpec &&choices(FieldSpec &&spec, QList<std::pair<QString, QString>> list)
{
    spec.choices = std::move(list);
    return std::move(spec);
}

FieldSpec &&dependsOn(FieldSpec &&spec, const QString &pointer, const QStringList &values)
{
    spec.dependsOn = pointer;
    spec.dependsValues = values;
    return std::move(spec);
}

FieldSpec &&required(FieldSpec &&spec)
{
    spec.required = true;
    return std::move(spec);
}

FieldSpec &&defaultOn(FieldSpec &&spec)
{
    spec.defaultOn = true;
    return std::move(spec);
}

QList<FieldSpec> buildFields()
{
    const QString general = u"general"_s;
    const QString connection = u"connection"_s;
    const QString settings = u"settings"_s;
    const QString auth = u"authentication"_s;
    const QString tls = u"tls"_s;
    const QString c = u"/configuration/"_s;
    const QList<EndpointKind> httpKinds{E::Rest, E::Soap, E::ODataV2, E::ODataV4, E::GraphQL, E::Webhook};
    const QList<EndpointKind> pullHttpKinds{E::Rest, E::Soap, E::ODataV2, E::ODataV4, E::GraphQL};
    QList<FieldSpec> f;

    f << placeholder(field(general, u"/name"_s, Tr::tr("Name"), Editor::Text), Tr::tr("Web shop REST API"));
    f << placeholder(field(general, u"/description"_s, Tr::tr("Description"), Editor::Text),
                     Tr::tr("What this system is, who owns it"));

    // Connection: the URL's schemes are those parseEndpoint() accepts for each protocol.
    FieldSpec httpUrl = placeholder(field(connection, u"/url"_s, Tr::tr("URL"), Editor::Url, httpKinds),
                                    u"https://api.example.com/v1"_s,
                                    Tr::tr("The base URL: resources, operations and entity sets are below it"));
    httpUrl.schemes = QStringList{u"http"_s, u"https"_s};
    f << httpUrl;
    FieldSpec sqlUrl = placeholder(field(connection, u"/url"_s, Tr::tr("Database URL"), Editor::Url, {E::Sql}),
                                   u"postgresql://db.example.com:5432/erp"_s,
                                   Tr::tr("postgresql://, mysql://, mariadb://, sqlite: or odbc: (no password: "
                                          "use Authentication)"));
    sqlUrl.schemes = QStringList{u"postgresql"_s, u"postgres"_s, u"mysql"_s, u"mariadb"_s, u"sqlite"_s, u"odbc"_s};
    f << sqlUrl;
    FieldSpec fileUrl = placeholder(field(connection, u"/url"_s, Tr::tr("Folder"), Editor::Url, {E::Files}),
                                    u"file:///var/lib/conflux/inbox"_s, Tr::tr("A file: URL of the folder"));
    fileUrl.schemes = QStringList{u"file"_s};
    f << fileUrl;
    f << choices(field(connection, u"/protocol"_s, Tr::tr("Broker"), Editor::Choice, {E::Queue}),
                 {{u"conflux_broker"_s, Tr::tr("Embedded Conflux broker")}, {u"rabbitmq"_s, Tr::tr("RabbitMQ")}});
    FieldSpec amqpUrl = dependsOn(placeholder(field(connection, u"/url"_s, Tr::tr("Server URL"), Editor::Url,
                                                    {E::Queue}),
                                              u"amqp://rabbit.example.com:5672/conflux"_s),
                                  u"/protocol"_s, {u"rabbitmq"_s});
    amqpUrl.schemes = QStringList{u"amqp"_s, u"amqps"_s};
    f << amqpUrl;
    f << choices(field(connection, u"/data_format"_s, Tr::tr("Data format"), Editor::Choice,
                       {E::Rest, E::Files, E::Queue, E::Webhook}),
                 {{QString(), Tr::tr("The protocol's own")},
                  {u"json"_s, u"JSON"_s},
                  {u"ndjson"_s, Tr::tr("NDJSON (JSON lines)")},
                  {u"xml"_s, u"XML"_s},
                  {u"csv"_s, u"CSV"_s}});
    QList<EndpointKind> remoteKinds = httpKinds;
    remoteKinds << E::Sql;
    f << range(placeholder(field(connection, c + u"timeout_seconds"_s, Tr::tr("Timeout (s)"), Editor::Number,
                                 remoteKinds),
                           u"30"_s, Tr::tr("Each remote call; for SQL, connecting")),
               0, 86400);
    f << range(placeholder(field(connection, c + u"retry_attempts"_s, Tr::tr("Retries"), Editor::Integer,
                                 remoteKinds),
                           u"3"_s, Tr::tr("Retries after the first attempt, for failures worth retrying")),
               0, 20);

    // REST (docs/connectors/rest.md)
    f << placeholder(field(settings, c + u"catalog"_s, Tr::tr("Catalog definition"), Editor::Text, {E::Rest}),
                     u"servicenow"_s, Tr::tr("A connector catalog definition's id; it describes the resources"));
    f << choices(field(settings, c + u"pagination/style"_s, Tr::tr("Pagination"), Editor::Choice, {E::Rest}),
                 {{QString(), Tr::tr("None (default)")},
                  {u"offset"_s, Tr::tr("Offset and limit")},
                  {u"page"_s, Tr::tr("Page number")},
                  {u"cursor"_s, Tr::tr("Cursor")},
                  {u"link_header"_s, Tr::tr("Link header")},
                  {u"next_url"_s, Tr::tr("Next URL in the body")}});
    f << range(placeholder(field(settings, c + u"pagination/page_size"_s, Tr::tr("Page size"), Editor::Integer,
                                 {E::Rest}),
                           u"100"_s),
               1, 100000);
    f << range(placeholder(field(settings, c + u"rate_limit/requests_per_second"_s, Tr::tr("Requests per second"),
                                 Editor::Number, {E::Rest}),
                           Tr::tr("unlimited")),
               0, 100000);
    f << range(placeholder(field(settings, c + u"max_pages"_s, Tr::tr("Most pages per read"), Editor::Integer,
                                 {E::Rest, E::GraphQL}),
                           u"10000"_s),
               1, 100000000);
    f << placeholder(field(settings, c + u"discover_samples"_s, Tr::tr("Infer fields from a sample page"),
                           Editor::Boolean, {E::Rest}),
                     QString(), Tr::tr("Discovery reads one page of each resource to infer its fields"));

    // SOAP (docs/connectors/soap.md)
    f << placeholder(field(settings, c + u"wsdl"_s, Tr::tr("WSDL"), Editor::Text, {E::Soap}), u"?wsdl"_s,
                     Tr::tr("A URL, a file, or a URL relative to the endpoint's URL; default: the URL with ?wsdl"));
    f << choices(field(settings, c + u"soap_version"_s, Tr::tr("SOAP version"), Editor::Choice, {E::Soap}),
                 {{QString(), Tr::tr("The WSDL's first port")}, {u"1.1"_s, u"SOAP 1.1"_s}, {u"1.2"_s, u"SOAP 1.2"_s}});
    f << field(settings, c + u"service"_s, Tr::tr("Service"), Editor::Text, {E::Soap});
    f << field(settings, c + u"port"_s, Tr::tr("Port"), Editor::Text, {E::Soap});
    f << field(settings, c + u"binding"_s, Tr::tr("Binding"), Editor::Text, {E::Soap});
    f << placeholder(field(settings, c + u"address"_s, Tr::tr("Address"), Editor::Text, {E::Soap}), u"wsdl"_s,
                     Tr::tr("\"wsdl\": the port's soap:address; \"endpoint\": this endpoint's URL; or a URL"));

    // OData (docs/connectors/odata.md)
    const QList<EndpointKind> odata{E::ODataV2, E::ODataV4};
    f << placeholder(field(settings, c + u"sap_client"_s, Tr::tr("SAP client"), Editor::Text, odata), u"100"_s);
    f << range(placeholder(field(settings, c + u"page_size"_s, Tr::tr("Page size"), Editor::Integer, odata),
                           u"0"_s, Tr::tr("0: the server pages; otherwise $top/$skip pages of this size")),
               0, 100000);
    f << range(placeholder(field(settings, c + u"batch_size"_s, Tr::tr("Records per write"), Editor::Integer, odata),
                           u"1"_s, Tr::tr("2 to 1000: $batch requests")),
               1, 1000);
    f << defaultOn(placeholder(field(settings, c + u"csrf"_s, Tr::tr("Fetch a CSRF token before writes"),
                                     Editor::Boolean, odata),
                               QString()));
    f << choices(field(settings, c + u"update_method"_s, Tr::tr("Update method"), Editor::Choice, odata),
                 {{QString(), Tr::tr("Default (merge for v2, patch for v4)")},
                  {u"patch"_s, u"PATCH"_s},
                  {u"merge"_s, u"MERGE"_s},
                  {u"put"_s, u"PUT"_s}});
    f << placeholder(field(settings, c + u"next_link_hosts"_s, Tr::tr("Next-link hosts"), Editor::List, odata),
                     u"localhost, *.example.com"_s);

    // GraphQL (docs/connectors/graphql.md)
    f << choices(field(settings, c + u"partial_data"_s, Tr::tr("Partial data"), Editor::Choice, {E::GraphQL}),
                 {{QString(), Tr::tr("Fail (default)")}, {u"accept"_s, Tr::tr("Accept")}});
    f << range(placeholder(field(settings, c + u"page_size"_s, Tr::tr("Page size"), Editor::Integer, {E::GraphQL}),
                           u"100"_s),
               1, 100000);
    f << range(placeholder(field(settings, c + u"schema_depth"_s, Tr::tr("Schema depth"), Editor::Integer,
                                 {E::GraphQL}),
                           u"3"_s),
               1, 10);

    // SQL (docs/connectors/sql.md)
    f << placeholder(field(settings, c + u"schema"_s, Tr::tr("Schema"), Editor::Text, {E::Sql}), u"public"_s);
    f << placeholder(field(settings, c + u"tables"_s, Tr::tr("Tables"), Editor::List, {E::Sql}),
                     Tr::tr("every table and view"));
    f << range(placeholder(field(settings, c + u"batch_size"_s, Tr::tr("Batch size"), Editor::Integer, {E::Sql}),
                           u"500"_s),
               1, 100000);
    f << placeholder(field(settings, c + u"connect_options"_s, Tr::tr("Driver options"), Editor::Text, {E::Sql}),
                     u"sslmode=require;keepalives_idle=30"_s);
    f << placeholder(field(settings, c + u"odbc_driver"_s, Tr::tr("ODBC driver"), Editor::Text, {E::Sql}),
                     u"PostgreSQL Unicode"_s);
    f << range(placeholder(field(settings, c + u"query_timeout_seconds"_s, Tr::tr("Statement timeout (s)"),
                                 Editor::Number, {E::Sql}),
                           Tr::tr("none")),
               0, 86400);

    // Files (docs/connectors/files.md)
    const QList<EndpointKind> files{E::Files};
    f << placeholder(field(settings, c + u"glob"_s, Tr::tr("File pattern"), Editor::Text, files), u"*.csv"_s);
    f << field(settings, c + u"recursive"_s, Tr::tr("Include subfolders"), Editor::Boolean, files);
    f << placeholder(field(settings, c + u"entity"_s, Tr::tr("Entity name"), Editor::Text, files),
                     Tr::tr("the endpoint id"));
    f << field(settings, c + u"include_file_info"_s, Tr::tr("Add _file and _modified"), Editor::Boolean, files);
    f << dependsOn(placeholder(field(settings, c + u"delimiter"_s, Tr::tr("Delimiter"), Editor::Text, files), u","_s),
                   u"/data_format"_s, {u"csv"_s});
    f << dependsOn(defaultOn(field(settings, c + u"header"_s, Tr::tr("First line names the columns"),
                                   Editor::Boolean, files)),
                   u"/data_format"_s, {u"csv"_s});
    f << dependsOn(field(settings, c + u"typed"_s, Tr::tr("Typed values"), Editor::Boolean, files), u"/data_format"_s,
                   {u"csv"_s});
    f << dependsOn(placeholder(field(settings, c + u"record_path"_s, Tr::tr("Record path"), Editor::Text, files),
                               u"/data/orders"_s, Tr::tr("json: a JSON pointer to the records in each file; xml: the "
                                                        "path of the repeated record element (Orders/Order)")),
                   u"/data_format"_s, {u"json"_s, u"xml"_s});
    f << choices(field(settings, c + u"after_read"_s, Tr::tr("After reading"), Editor::Choice, files),
                 {{QString(), Tr::tr("Keep the file (default)")},
                  {u"move"_s, Tr::tr("Move it")},
                  {u"archive"_s, Tr::tr("Archive it by day")},
                  {u"delete"_s, Tr::tr("Delete it")}});
    f << dependsOn(placeholder(field(settings, c + u"move_to"_s, Tr::tr("Move to"), Editor::Text, files),
                               u"processed"_s),
                   c + u"after_read"_s, {u"move"_s});
    f << dependsOn(placeholder(field(settings, c + u"archive_to"_s, Tr::tr("Archive to"), Editor::Text, files),
                               u"archive"_s),
                   c + u"after_read"_s, {u"archive"_s});
    f << choices(field(settings, c + u"on_error"_s, Tr::tr("Malformed files"), Editor::Choice, files),
                 {{QString(), Tr::tr("Fail (default)")}, {u"quarantine"_s, Tr::tr("Quarantine")}});
    f << placeholder(field(settings, c + u"file_name"_s, Tr::tr("Written file name"), Editor::Text, files),
                     u"{entity}-{timestamp}.csv"_s);
    f << choices(field(settings, c + u"write_mode"_s, Tr::tr("Writes"), Editor::Choice, files),
                 {{QString(), Tr::tr("A new file each time (default)")}, {u"append"_s, Tr::tr("Append")}});

    // Queues (docs/connectors/queues.md)
    const QList<EndpointKind> queue{E::Queue};
    f << required(placeholder(field(settings, c + u"queue"_s, Tr::tr("Queue"), Editor::Text, queue), u"orders"_s));
    f << placeholder(field(settings, c + u"topic"_s, Tr::tr("Publish to topic"), Editor::Text, queue),
                     Tr::tr("none: publish to the queue"));
    f << range(placeholder(field(settings, c + u"wait_ms"_s, Tr::tr("Wait for messages (ms)"), Editor::Integer, queue),
                           u"1000"_s),
               0, 60000);
    f << range(field(settings, c + u"visibility_timeout_seconds"_s, Tr::tr("Lease (s)"), Editor::Number, queue), 0,
               86400);
    f << field(settings, c + u"envelope"_s, Tr::tr("Read whole messages (envelope)"), Editor::Boolean, queue);
    f << dependsOn(defaultOn(field(settings, c + u"declare"_s, Tr::tr("Declare the queue"), Editor::Boolean, queue)),
                   u"/protocol"_s, {u"rabbitmq"_s});

    // Authentication (common.schema.json#/definitions/clientAuthentication)
    QList<EndpointKind> authKinds = httpKinds;
    authKinds << E::Sql;
    const QString type = u"/authentication/type"_s;
    f << choices(field(auth, type, Tr::tr("Authentication"), Editor::Choice, authKinds),
                 {{QString(), Tr::tr("None")},
                  {u"basic"_s, Tr::tr("Basic (user and password)")},
                  {u"bearer"_s, Tr::tr("Bearer token")},
                  {u"api_key"_s, Tr::tr("API key")},
                  {u"oauth2_client_credentials"_s, Tr::tr("OAuth 2.0 client credentials")}});
    f << dependsOn(field(auth, u"/authentication/username"_s, Tr::tr("User"), Editor::Text, authKinds), type,
                   {u"basic"_s});
    f << dependsOn(field(auth, u"/authentication/password"_s, Tr::tr("Password"), Editor::Secret, authKinds), type,
                   {u"basic"_s});
    f << dependsOn(field(auth, u"/authentication/token"_s, Tr::tr("Token"), Editor::Secret, authKinds), type,
                   {u"bearer"_s});
    f << dependsOn(choices(field(auth, u"/authentication/in"_s, Tr::tr("Sent in"), Editor::Choice, authKinds),
                           {{u"header"_s, Tr::tr("A header")}, {u"query"_s, Tr::tr("A query parameter")}}),
                   type, {u"api_key"_s});
    f << dependsOn(placeholder(field(auth, u"/authentication/parameter"_s, Tr::tr("Header or parameter"),
                                     Editor::Text, authKinds),
                               u"X-API-Key"_s),
                   type, {u"api_key"_s});
    f << dependsOn(field(auth, u"/authentication/value"_s, Tr::tr("Key"), Editor::Secret, authKinds), type,
                   {u"api_key"_s});
    FieldSpec tokenUrl = dependsOn(placeholder(field(auth, u"/authentication/token_url"_s, Tr::tr("Token URL"),
                                                     Editor::Url, authKinds),
                                               u"https://auth.example.com/oauth2/token"_s),
                                   type, {u"oauth2_client_credentials"_s});
    tokenUrl.schemes = QStringList{u"http"_s, u"https"_s};
    f << tokenUrl;
    f << dependsOn(field(auth, u"/authentication/client_id"_s, Tr::tr("Client id"), Editor::Text, authKinds), type,
                   {u"oauth2_client_credentials"_s});
    f << dependsOn(field(auth, u"/authentication/client_secret"_s, Tr::tr("Client secret"), Editor::Secret,
                         authKinds),
                   type, {u"oauth2_client_credentials"_s});
    f << dependsOn(placeholder(field(auth, u"/authentication/scopes"_s, Tr::tr("Scopes"), Editor::List, authKinds),
                               u"orders.read, customers.read"_s),
                   type, {u"oauth2_client_credentials"_s});
    f << dependsOn(field(auth, u"/authentication/audience"_s, Tr::tr("Audience"), Editor::Text, authKinds), type,
                   {u"oauth2_client_credentials"_s});

    // TLS of HTTP endpoints (docs/connectors/odata.md, TLS)
    f << placeholder(field(tls, c + u"tls/certificate_file"_s, Tr::tr("Client certificate (PEM)"), Editor::Text,
                           pullHttpKinds),
                     u"certs/client.pem"_s);
    f << placeholder(field(tls, c + u"tls/key_file"_s, Tr::tr("Private key (PEM)"), Editor::Text, pullHttpKinds),
                     u"certs/client.key"_s);
    f << field(tls, c + u"tls/key_passphrase"_s, Tr::tr("Key pass phrase"), Editor::Secret, pullHttpKinds);
    f << placeholder(field(tls, c + u"tls/ca_file"_s, Tr::tr("Trusted CAs (PEM)"), Editor::Text, pullHttpKinds),
                     u"certs/ca.pem"_s);
    f << defaultOn(field(tls, c + u"tls/verify_peer"_s, Tr::tr("Verify the server's certificate"), Editor::Boolean,
                         pullHttpKinds));
    return f;
}

QStringList splitPointer(const QString &pointer)
{
    QStringList tokens = pointer.split(u'/');
    tokens.removeFirst();   // before the leading '/'
    for (QString &token : tokens)
        token = token.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
    return tokens;
}

QJsonObject withValue(QJsonObject object, const QStringList &tokens, qsizetype index, const QJsonValue &value)
{
    const QString &key = tokens.at(index);
    if (index + 1 == tokens.size()) {
        if (value.isUndefined())
            object.remove(key);
        else
            object.insert(key, value);
        return object;
    }
    const QJsonObject inner = withValue(object.value(key).toObject(), tokens, index + 1, value);
    if (inner.isEmpty() && value.isUndefined())
        object.remove(key);
    else
        object.insert(key, inner);
    return object;
}

} // namespace

QList<KindInfo> endpointKinds()
{
    return {
        {E::Rest, u"api"_s, u"rest"_s, Tr::tr("REST API")},
        {E::Soap, u"api"_s, u"soap"_s, Tr::tr("SOAP web service")},
        {E::ODataV2, u"api"_s, u"odata_v2"_s, Tr::tr("OData v2 service")},
        {E::ODataV4, u"api"_s, u"odata_v4"_s, Tr::tr("OData v4 service")},
        {E::GraphQL, u"api"_s, u"graphql"_s, Tr::tr("GraphQL API")},
        {E::Sql, u"database"_s, u"sql"_s, Tr::tr("SQL database")},
        {E::Files, u"file_system"_s, u"files"_s, Tr::tr("Files in a folder")},
        {E::Queue, u"message_queue"_s, u"conflux_broker"_s, Tr::tr("Message queue")},
        {E::Webhook, u"webhook"_s, u"webhook"_s, Tr::tr("Webhook")},
    };
}

KindInfo kindInfo(EndpointKind kind)
{
    for (const KindInfo &info : endpointKinds()) {
        if (info.kind == kind)
            return info;
    }
    return endpointKinds().constFirst();
}

EndpointKind kindOfDocument(const QJsonObject &document)
{
    QString protocol = document.value(u"protocol"_s).toString();
    if (protocol.isEmpty()) {
        const QString type = document.value(u"type"_s).toString();
        protocol = type == u"database"_s      ? u"sql"_s
                   : type == u"file_system"_s ? u"files"_s
                   : (type == u"message_queue"_s || type == u"streaming"_s) ? u"conflux_broker"_s
                   : type == u"webhook"_s     ? u"webhook"_s
                                              : u"rest"_s;
    }
    if (protocol == u"rabbitmq"_s)
        return E::Queue;
    for (const KindInfo &info : endpointKinds()) {
        if (info.protocol == protocol)
            return info.kind;
    }
    return E::Rest;
}

bool canTestConnection(EndpointKind kind)
{
    return kind != E::Webhook;
}

const QList<FieldSpec> &endpointFields()
{
    static const QList<FieldSpec> fields = buildFields();
    return fields;
}

QJsonValue valueAt(const QJsonObject &document, const QString &pointer)
{
    QJsonValue current = document;
    for (const QString &token : splitPointer(pointer)) {
        if (!current.isObject())
            return QJsonValue(QJsonValue::Undefined);
        current = current.toObject().value(token);
    }
    return current;
}

QJsonObject withValueAt(const QJsonObject &document, const QString &pointer, const QJsonValue &value)
{
    const QStringList tokens = splitPointer(pointer);
    if (tokens.isEmpty())
        return document;
    return withValue(document, tokens, 0, value);
}

QJsonObject switchKind(const QJsonObject &document, EndpointKind kind)
{
    const KindInfo info = kindInfo(kind);
    QJsonObject out = document;
    out.insert(u"type"_s, info.type);
    const EndpointKind before = kindOfDocument(document);
    // A queue keeps its broker; every other form names its own protocol.
    if (!(kind == E::Queue && before == E::Queue))
        out.insert(u"protocol"_s, info.protocol);

    // Members a connector reads that the form does not show (edited in the JSON view).
    QStringList kept;
    if (kind == E::Rest) {
        kept = {u"resources"_s, u"operations"_s, u"headers"_s, u"query"_s, u"resource_parameters"_s,
                u"parameters"_s, u"response_check"_s, u"token_url"_s};
    }
    if (kind == E::Soap || kind == E::GraphQL)
        kept = {u"entities"_s};
    if (kind != E::Files && kind != E::Queue && kind != E::Sql) {
        kept << u"max_response_bytes"_s << u"redirect_hosts"_s << u"max_redirects"_s << u"circuit_breaker"_s;
    }
    for (const FieldSpec &spec : endpointFields()) {
        if (spec.pointer.startsWith(u"/configuration/"_s) && (spec.kinds.isEmpty() || spec.kinds.contains(kind)))
            kept.append(spec.pointer.section(u'/', 2, 2));
    }
    QJsonObject configuration = out.value(u"configuration"_s).toObject();
    for (const QString &key : configuration.keys()) {
        if (!kept.contains(key))
            configuration.remove(key);
    }
    if (configuration.isEmpty())
        out.remove(u"configuration"_s);
    else
        out.insert(u"configuration"_s, configuration);

    const bool hasFormat = kind == E::Rest || kind == E::Files || kind == E::Queue || kind == E::Webhook;
    if (!hasFormat)
        out.remove(u"data_format"_s);
    if (kind == E::Files || kind == E::Queue)
        out.remove(u"authentication"_s);
    if (kind == E::Queue && out.value(u"protocol"_s).toString() == u"conflux_broker"_s)
        out.remove(u"url"_s);
    return out;
}

} // namespace Conflux::Ui::Endpoint
