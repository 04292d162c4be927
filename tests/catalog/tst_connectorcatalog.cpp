// The connector catalog (resources/connectors/*.json): every definition must satisfy
// catalog.schema.json and the rules the schema cannot express (docs/formats/connector-catalog.md).

#include "model/diagnostic.h"
#include "model/jsonschema.h"
#include "model/jsontext.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Conflux::Model;
using namespace Qt::StringLiterals;

namespace {

const QString catalogFolder = QStringLiteral(CONFLUX_SOURCE_DIR "/resources/connectors");
const QString schemaFile = QStringLiteral(CONFLUX_SOURCE_DIR "/resources/connectors/catalog.schema.json");
const QString formatDoc = QStringLiteral(CONFLUX_SOURCE_DIR "/docs/formats/connector-catalog.md");
const QString schemaUri = u"https://conflux.dev/schemas/connector-catalog.schema.json"_s;

// What docs/formats/connector-catalog.md documents.
const QStringList authTypes = {u"none"_s, u"basic"_s, u"bearer"_s, u"api_key"_s, u"oauth2_client_credentials"_s,
                               u"oauth2_refresh_token"_s, u"oauth2_jwt_bearer"_s};
const QStringList paginationStyles = {u"none"_s, u"offset"_s, u"page"_s, u"cursor"_s, u"link_header"_s, u"next_url"_s};

// Placeholders the executor fills itself rather than from parameters.
const QString cursorName = u"cursor"_s;
const QStringList pagingNames = {u"offset"_s, u"limit"_s, u"page"_s};

// The services the catalog must contain (one id each).
const QStringList requiredIds = {
    u"salesforce"_s, u"servicenow"_s, u"jira"_s, u"confluence"_s, u"slack"_s, u"microsoft_graph"_s, u"dynamics365"_s,
    u"sharepoint"_s, u"github"_s, u"gitlab"_s, u"hubspot"_s, u"zendesk"_s, u"freshdesk"_s, u"stripe"_s, u"shopify"_s,
    u"netsuite"_s, u"workday"_s, u"successfactors"_s, u"sap_s4hana_cloud"_s, u"google_sheets"_s, u"google_drive"_s,
    u"box"_s, u"dropbox"_s, u"twilio"_s, u"sendgrid"_s, u"mailchimp"_s, u"asana"_s, u"trello"_s, u"pagerduty"_s,
    u"datadog"_s, u"okta"_s, u"entra_id"_s, u"snowflake"_s, u"bigquery"_s, u"marketo"_s, u"intercom"_s,
    u"quickbooks"_s, u"xero"_s, u"docusign"_s, u"adobe_sign"_s, u"airtable"_s, u"notion"_s, u"monday"_s, u"coupa"_s,
    u"sap_ariba"_s, u"oracle_erp_cloud"_s, u"magento"_s, u"woocommerce"_s, u"square"_s, u"paypal"_s, u"zoom"_s,
    u"salesforce_marketing_cloud"_s};

QSet<QString> toSet(const QStringList &list)
{
    return QSet<QString>(list.begin(), list.end());
}

bool isJsonPointer(const QString &text)
{
    if (text.isEmpty())
        return true;
    if (!text.startsWith(u'/'))
        return false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) == u'~' && (i + 1 >= text.size() || (text.at(i + 1) != u'0' && text.at(i + 1) != u'1')))
            return false;
    }
    return true;
}

QStringList placeholdersIn(const QString &text)
{
    static const QRegularExpression pattern(u"\\{([A-Za-z_][A-Za-z0-9_]*)\\}"_s);
    QStringList names;
    for (auto it = pattern.globalMatch(text); it.hasNext();)
        names.append(it.next().captured(1));
    return names;
}

QString quoted(const QString &text)
{
    return u'"' + text + u'"';
}

// Which placeholders a template may use where it stands.
struct Scope
{
    QSet<QString> names;
    bool cursor = false; // {cursor}
    bool paging = false; // {offset}, {limit}, {page}
};

// Checks one parsed definition against the rules of docs/formats/connector-catalog.md that the
// JSON Schema cannot express. Tolerates any shape: a value of the wrong type reads as empty.
class Checker
{
public:
    Checker(const QString &file, const QJsonObject &definition) : m_file(file), m_def(definition) {}

    Diagnostics run()
    {
        checkIdentity();
        const QSet<QString> params = declaredParameters(m_def.value(u"parameters"_s), u"/parameters"_s);
        Scope top{params};
        checkTemplates(m_def.value(u"base_url"_s), u"/base_url"_s, top);
        checkAuth(top);
        checkTemplates(m_def.value(u"headers"_s), u"/headers"_s, top);
        checkTemplates(m_def.value(u"query"_s), u"/query"_s, top);
        checkPaginationShape(m_def.value(u"pagination"_s).toObject(), u"/pagination"_s);
        const QJsonObject check = m_def.value(u"response_check"_s).toObject();
        for (auto it = check.begin(); it != check.end(); ++it)
            checkPointer(it.value(), appendPointer(u"/response_check"_s, it.key()));

        QSet<QString> resourceNames;
        const QJsonArray resources = m_def.value(u"resources"_s).toArray();
        for (qsizetype i = 0; i < resources.size(); ++i) {
            const QString pointer = appendPointer(u"/resources"_s, i);
            const QJsonObject resource = resources.at(i).toObject();
            const QString name = resource.value(u"name"_s).toString();
            if (resourceNames.contains(name))
                error(appendPointer(pointer, u"name"_s), u"duplicate resource name "_s + quoted(name));
            resourceNames.insert(name);
            checkResource(resource, pointer, params);
        }
        for (const QString &name : params) {
            if (!m_used.contains(name))
                error(u"/parameters"_s, u"parameter "_s + quoted(name) + u" is never used"_s);
        }
        return m_errors;
    }

private:
    void error(const QString &pointer, const QString &message) { m_errors.append(Diagnostic{m_file, pointer, message}); }

    void checkIdentity()
    {
        const QString expected = QFileInfo(m_file).completeBaseName();
        const QString id = m_def.value(u"id"_s).toString();
        if (id != expected)
            error(u"/id"_s, u"id "_s + quoted(id) + u" does not match the file name "_s + quoted(expected));
    }

    QSet<QString> declaredParameters(const QJsonValue &list, const QString &pointer)
    {
        QSet<QString> names;
        const QJsonArray array = list.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString name = array.at(i).toObject().value(u"name"_s).toString();
            if (names.contains(name))
                error(appendPointer(appendPointer(pointer, i), u"name"_s), u"duplicate parameter "_s + quoted(name));
            names.insert(name);
        }
        return names;
    }

    void checkPointer(const QJsonValue &value, const QString &pointer)
    {
        if (!value.isUndefined() && !isJsonPointer(value.toString()))
            error(pointer, quoted(value.toString()) + u" is not a JSON pointer (RFC 6901)"_s);
    }

    // Every {name} in every string below `value` must be allowed by `scope`.
    void checkTemplates(const QJsonValue &value, const QString &pointer, const Scope &scope)
    {
        if (value.isString()) {
            for (const QString &name : placeholdersIn(value.toString())) {
                m_used.insert(name);
                if (scope.names.contains(name) || (name == cursorName && scope.cursor)
                    || (pagingNames.contains(name) && scope.paging))
                    continue;
                QString why = u"placeholder {"_s + name + u"} is not a declared parameter"_s;
                if (name == cursorName)
                    why += u" ({cursor} belongs in cursor_query, cursor_headers or cursor_body)"_s;
                else if (pagingNames.contains(name))
                    why += u" (paging placeholders need pagination params_in \"template\")"_s;
                error(pointer, why);
            }
        } else if (value.isObject()) {
            const QJsonObject object = value.toObject();
            for (auto it = object.begin(); it != object.end(); ++it)
                checkTemplates(it.value(), appendPointer(pointer, it.key()), scope);
        } else if (value.isArray()) {
            const QJsonArray array = value.toArray();
            for (qsizetype i = 0; i < array.size(); ++i)
                checkTemplates(array.at(i), appendPointer(pointer, i), scope);
        }
    }

    void checkAuth(const Scope &scope)
    {
        static const QHash<QString, QStringList> required = {
            {u"none"_s, {}},
            {u"basic"_s, {u"username"_s, u"password"_s}},
            {u"bearer"_s, {u"token"_s}},
            {u"api_key"_s, {u"in"_s, u"name"_s, u"value"_s}},
            {u"oauth2_client_credentials"_s, {u"token_url"_s, u"client_id"_s, u"client_secret"_s}},
            {u"oauth2_refresh_token"_s, {u"token_url"_s, u"refresh_token"_s}},
            {u"oauth2_jwt_bearer"_s, {u"token_url"_s, u"private_key"_s, u"claims"_s}},
        };
        const QStringList tokenRequest = {u"token_url"_s, u"client_id"_s, u"client_secret"_s, u"client_auth"_s,
                                          u"token_content_type"_s, u"scopes"_s, u"token_params"_s, u"header"_s, u"prefix"_s};
        const QHash<QString, QStringList> optional = {
            {u"none"_s, {}},
            {u"basic"_s, {}},
            {u"bearer"_s, {u"header"_s, u"prefix"_s}},
            {u"api_key"_s, {}},
            {u"oauth2_client_credentials"_s, tokenRequest + QStringList{u"grant_type"_s}},
            {u"oauth2_refresh_token"_s, tokenRequest + QStringList{u"refresh_token"_s}},
            {u"oauth2_jwt_bearer"_s, tokenRequest + QStringList{u"grant"_s, u"algorithm"_s, u"key_id"_s, u"private_key"_s, u"claims"_s}},
        };
        const QJsonObject auth = m_def.value(u"auth"_s).toObject();
        const QString type = auth.value(u"type"_s).toString();
        if (!authTypes.contains(type)) {
            error(u"/auth/type"_s, u"unknown auth type "_s + quoted(type) + u"; documented: "_s + authTypes.join(u", "_s));
            return;
        }
        for (const QString &member : required.value(type)) {
            if (!auth.contains(member))
                error(u"/auth"_s, u"auth type "_s + type + u" needs "_s + quoted(member));
        }
        const QSet<QString> allowed = toSet(required.value(type) + optional.value(type) + QStringList{u"type"_s, u"note"_s});
        for (auto it = auth.begin(); it != auth.end(); ++it) {
            if (!allowed.contains(it.key()) && !it.key().startsWith(u"x-"_s))
                error(appendPointer(u"/auth"_s, it.key()), quoted(it.key()) + u" is not used by auth type "_s + type);
        }
        if (type == u"api_key"_s && auth.contains(u"in"_s) && auth.value(u"in"_s).toString() != u"header"_s && auth.value(u"in"_s).toString() != u"query"_s)
            error(u"/auth/in"_s, u"api_key must go in \"header\" or \"query\""_s);
        if (type == u"oauth2_jwt_bearer"_s && !auth.value(u"claims"_s).toObject().contains(u"iss"_s))
            error(u"/auth/claims"_s, u"a JWT assertion needs an \"iss\" claim"_s);
        checkTemplates(auth, u"/auth"_s, scope);
    }

    // The members each pagination style reads (besides "style" and "params_in").
    void checkPaginationShape(const QJsonObject &p, const QString &pointer)
    {
        static const QHash<QString, QStringList> allowed = {
            {u"none"_s, {}},
            {u"offset"_s, {u"offset_param"_s, u"limit_param"_s, u"page_size"_s, u"start_offset"_s, u"total_path"_s,
                           u"has_more_path"_s, u"done_path"_s}},
            {u"page"_s, {u"page_param"_s, u"start_page"_s, u"limit_param"_s, u"page_size"_s, u"total_path"_s,
                         u"total_pages_path"_s, u"has_more_path"_s, u"done_path"_s}},
            {u"cursor"_s, {u"cursor_param"_s, u"next_cursor_path"_s, u"last_record_cursor_path"_s, u"has_more_path"_s,
                           u"done_path"_s, u"limit_param"_s, u"page_size"_s, u"continue"_s}},
            {u"link_header"_s, {u"limit_param"_s, u"page_size"_s}},
            {u"next_url"_s, {u"next_url_path"_s, u"limit_param"_s, u"page_size"_s, u"done_path"_s}},
        };
        const QString style = p.value(u"style"_s).toString();
        if (!paginationStyles.contains(style)) {
            error(appendPointer(pointer, u"style"_s), u"unknown pagination style "_s + quoted(style) + u"; documented: "_s
                                                          + paginationStyles.join(u", "_s));
            return;
        }
        const QString paramsIn = p.value(u"params_in"_s).toString(u"query"_s);
        const bool templated = paramsIn == u"template"_s;
        for (auto it = p.begin(); it != p.end(); ++it) {
            const QString key = it.key();
            if (key == u"style"_s || (key == u"params_in"_s && style != u"none"_s))
                continue;
            if (!allowed.value(style).contains(key))
                error(appendPointer(pointer, key), quoted(key) + u" is not used by pagination style "_s + style);
        }
        if (templated && style != u"offset"_s && style != u"page"_s)
            error(appendPointer(pointer, u"params_in"_s), u"params_in \"template\" applies to the offset and page styles only"_s);

        auto need = [&](const QString &member, const QString &why) {
            if (!p.contains(member))
                error(pointer, u"pagination style "_s + style + u" needs "_s + quoted(member) + u": "_s + why);
        };
        if (style == u"offset"_s) {
            need(u"page_size"_s, u"the step between offsets"_s);
            if (!templated) {
                need(u"offset_param"_s, u"the parameter carrying the offset"_s);
                need(u"limit_param"_s, u"the parameter carrying the page size"_s);
            }
        } else if (style == u"page"_s) {
            if (!templated)
                need(u"page_param"_s, u"the parameter carrying the page number"_s);
        } else if (style == u"cursor"_s) {
            need(u"cursor_param"_s, u"where the cursor is sent"_s);
            const bool fromBody = p.contains(u"next_cursor_path"_s);
            const bool fromRecord = p.contains(u"last_record_cursor_path"_s);
            if (fromBody == fromRecord)
                error(pointer, u"pagination style cursor needs exactly one of \"next_cursor_path\" (cursor in the response) "
                               u"and \"last_record_cursor_path\" (cursor in the last record)"_s);
        } else if (style == u"next_url"_s) {
            need(u"next_url_path"_s, u"where the next page's URL is read"_s);
        }
        if (paramsIn == u"body"_s) {
            for (const QString &member : {u"cursor_param"_s, u"limit_param"_s, u"offset_param"_s, u"page_param"_s}) {
                const QString value = p.value(member).toString();
                if (p.contains(member) && (value.isEmpty() || !isJsonPointer(value)))
                    error(appendPointer(pointer, member), u"with params_in \"body\" the parameter is a JSON pointer into the body, not "_s
                                                             + quoted(value));
            }
        }
        for (const QString &member : {u"next_cursor_path"_s, u"last_record_cursor_path"_s, u"next_url_path"_s, u"has_more_path"_s,
                                      u"done_path"_s, u"total_path"_s, u"total_pages_path"_s})
            checkPointer(p.value(member), appendPointer(pointer, member));
        const QJsonObject next = p.value(u"continue"_s).toObject();
        checkPointer(next.value(u"record_selector"_s), appendPointer(pointer, u"continue/record_selector"_s));
        checkPointer(next.value(u"next_cursor_path"_s), appendPointer(pointer, u"continue/next_cursor_path"_s));
    }

    void checkResource(const QJsonObject &r, const QString &pointer, const QSet<QString> &params)
    {
        // Resource parameters, by where they go.
        QSet<QString> pathParams;
        QSet<QString> templateParams;
        const QJsonArray list = r.value(u"parameters"_s).toArray();
        const QSet<QString> resourceParams = declaredParameters(list, appendPointer(pointer, u"parameters"_s));
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QJsonObject p = list.at(i).toObject();
            const QString name = p.value(u"name"_s).toString();
            if (params.contains(name))
                error(appendPointer(appendPointer(appendPointer(pointer, u"parameters"_s), i), u"name"_s),
                      quoted(name) + u" is already a definition parameter"_s);
            const QString where = p.value(u"in"_s).toString();
            if (where == u"path"_s)
                pathParams.insert(name);
            else if (where == u"template"_s)
                templateParams.insert(name);
        }

        // The path: definition parameters and the resource's path parameters only.
        const QString path = r.value(u"path"_s).toString();
        const QStringList inPath = placeholdersIn(path);
        for (const QString &name : inPath) {
            m_used.insert(name);
            if (!params.contains(name) && !pathParams.contains(name))
                error(appendPointer(pointer, u"path"_s), u"placeholder {"_s + name
                                                             + u"} in the path is neither a definition parameter nor a path parameter of the resource"_s);
        }
        for (const QString &name : pathParams) {
            if (!inPath.contains(name))
                error(appendPointer(pointer, u"parameters"_s), u"path parameter "_s + quoted(name) + u" does not occur in the path"_s);
        }

        // Pagination in effect: the resource's own, else the definition's.
        const bool ownPaging = r.contains(u"pagination"_s);
        const QJsonObject paging = (ownPaging ? r : m_def).value(u"pagination"_s).toObject();
        if (ownPaging)
            checkPaginationShape(paging, appendPointer(pointer, u"pagination"_s));
        const QString paramsIn = paging.value(u"params_in"_s).toString(u"query"_s);
        const QString method = r.value(u"method"_s).toString();
        if (paramsIn == u"body"_s && method != u"POST"_s)
            error(appendPointer(pointer, u"method"_s), u"pagination params_in \"body\" needs a POST resource"_s);

        Scope scope{params | resourceParams};
        scope.paging = paramsIn == u"template"_s;
        for (const QString &member : {u"query"_s, u"headers"_s, u"body"_s})
            checkTemplates(r.value(member), appendPointer(pointer, member), scope);
        checkTemplates(paging.value(u"continue"_s).toObject().value(u"body"_s),
                       appendPointer(ownPaging ? appendPointer(pointer, u"pagination"_s) : u"/pagination"_s, u"continue/body"_s), scope);
        if (scope.paging) {
            const QString wanted = paging.value(u"style"_s).toString() == u"page"_s ? u"page"_s : u"offset"_s;
            bool found = false;
            for (const QString &member : {u"query"_s, u"body"_s, u"cursor_query"_s}) {
                const QByteArray text = QJsonDocument(QJsonObject{{u"v"_s, r.value(member)}}).toJson();
                found = found || text.contains((u"{"_s + wanted + u"}"_s).toUtf8());
            }
            if (!found)
                error(pointer, u"pagination params_in \"template\" but no {"_s + wanted + u"} placeholder in query or body"_s);
        }

        // Incremental reads.
        const bool hasCursorField = r.contains(u"cursor_field"_s);
        checkPointer(r.value(u"cursor_field"_s), appendPointer(pointer, u"cursor_field"_s));
        Scope cursorScope = scope;
        cursorScope.cursor = true;
        for (const QString &member : {u"cursor_param"_s, u"cursor_query"_s, u"cursor_headers"_s, u"cursor_body"_s, u"cursor_format"_s}) {
            if (r.contains(member) && !hasCursorField)
                error(appendPointer(pointer, member), quoted(member) + u" needs \"cursor_field\", the record field the cursor is read from"_s);
        }
        for (const QString &member : {u"cursor_query"_s, u"cursor_headers"_s, u"cursor_body"_s}) {
            if (!r.contains(member))
                continue;
            checkTemplates(r.value(member), appendPointer(pointer, member), cursorScope);
            const QByteArray text = QJsonDocument(QJsonObject{{u"v"_s, r.value(member)}}).toJson();
            if (!text.contains("{cursor}"))
                error(appendPointer(pointer, member), quoted(member) + u" never uses {cursor}"_s);
        }

        // Records.
        checkPointer(r.value(u"record_selector"_s), appendPointer(pointer, u"record_selector"_s));
        const QString format = r.value(u"record_format"_s).toString(u"object"_s);
        if (format != u"object"_s) {
            const bool byPath = r.contains(u"columns_path"_s);
            const bool byParam = r.contains(u"column_names_param"_s);
            const bool byHeader = format == u"array"_s && r.value(u"header_row"_s).toBool();
            if (int(byPath) + int(byParam) + int(byHeader) != 1)
                error(pointer, u"record_format "_s + format
                                   + u" needs exactly one source of column names: columns_path (with column_name_field), column_names_param"_s
                                   + (format == u"array"_s ? u" or header_row"_s : QString()));
            if (byPath && !r.contains(u"column_name_field"_s))
                error(pointer, u"columns_path needs column_name_field"_s);
            checkPointer(r.value(u"columns_path"_s), appendPointer(pointer, u"columns_path"_s));
        } else {
            for (const QString &member : {u"columns_path"_s, u"column_name_field"_s, u"column_names_param"_s, u"header_row"_s}) {
                if (r.contains(member))
                    error(appendPointer(pointer, member), quoted(member) + u" applies to array and cells_fv records only"_s);
            }
        }
        for (const QString &member : {u"column_names_param"_s, u"primary_key_param"_s}) {
            if (!r.contains(member))
                continue;
            const QString name = r.value(member).toString();
            m_used.insert(name);
            if (!templateParams.contains(name))
                error(appendPointer(pointer, member), quoted(name) + u" is not a template parameter of the resource"_s);
        }

        // Keys.
        const bool readable = r.value(u"read"_s).toBool(true);
        const QJsonArray key = r.value(u"primary_key"_s).toArray();
        if (readable && key.isEmpty() && !r.contains(u"primary_key_param"_s))
            error(r.contains(u"primary_key"_s) ? appendPointer(pointer, u"primary_key"_s) : pointer,
                  u"a readable resource needs a non-empty primary_key (or primary_key_param)"_s);
        if (!readable && !r.contains(u"write"_s))
            error(pointer, u"a resource with \"read\": false needs \"write\""_s);
        QSet<QString> keyFields;
        for (qsizetype i = 0; i < key.size(); ++i) {
            const QString field = key.at(i).toString();
            if (field.isEmpty())
                error(appendPointer(appendPointer(pointer, u"primary_key"_s), i), u"an empty key field"_s);
            else if (field.startsWith(u'/'))
                checkPointer(field, appendPointer(appendPointer(pointer, u"primary_key"_s), i));
            else
                keyFields.insert(field);
        }

        // Writes: paths may also name key fields of the record.
        const QJsonObject write = r.value(u"write"_s).toObject();
        for (auto it = write.begin(); it != write.end(); ++it) {
            const QString opPointer = appendPointer(appendPointer(pointer, u"write"_s), it.key());
            const QJsonObject op = it.value().toObject();
            for (const QString &name : placeholdersIn(op.value(u"path"_s).toString())) {
                m_used.insert(name);
                if (!scope.names.contains(name) && !keyFields.contains(name))
                    error(appendPointer(opPointer, u"path"_s), u"placeholder {"_s + name
                                                                   + u"} is neither a declared parameter nor a primary_key field"_s);
            }
            Scope writeScope{params | resourceParams};
            checkTemplates(op.value(u"query"_s), appendPointer(opPointer, u"query"_s), writeScope);
            checkTemplates(op.value(u"headers"_s), appendPointer(opPointer, u"headers"_s), writeScope);
        }
        for (const QString &name : templateParams) {
            if (!m_used.contains(name))
                error(appendPointer(pointer, u"parameters"_s), u"template parameter "_s + quoted(name) + u" is never used"_s);
        }
    }

    QString m_file;
    QJsonObject m_def;
    QSet<QString> m_used;
    Diagnostics m_errors;
};

} // namespace

class tst_ConnectorCatalog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void schemaEnumsMatchTheDocumentedSets();
    void definition_data();
    void definition();
    void catalogIsLargeEnough();
    void requiredServicesArePresent();
    void everyAuthTypeAndPaginationStyleIsExercised();
    void formatDocumentDescribesEveryStyleAndType();
    void minimalDefinitionIsValid();
    void brokenDefinitionIsReported_data();
    void brokenDefinitionIsReported();
    void malformedTextIsReported();

private:
    Diagnostics check(const QString &file, const QByteArray &text) const;

    SchemaRegistry m_registry;
    QJsonObject m_schema;
    QStringList m_files; // file names in resources/connectors, without the schema
};

namespace {

// A small valid definition; the negative tests break it one way at a time.
const QByteArray minimal =
    "{\n"
    "  \"kind\": \"ConnectorDefinition\",\n"
    "  \"schemaVersion\": 1,\n"
    "  \"id\": \"acme\",\n"
    "  \"name\": \"Acme\",\n"
    "  \"description\": \"A test service.\",\n"
    "  \"auth\": {\n"
    "    \"type\": \"oauth2_client_credentials\",\n"
    "    \"client_id\": \"{client_id}\",\n"
    "    \"client_secret\": \"{client_secret}\",\n"
    "    \"token_url\": \"https://{tenant}.acme.example/oauth/token\"\n"
    "  },\n"
    "  \"base_url\": \"https://{tenant}.acme.example/api\",\n"
    "  \"category\": \"crm\",\n"
    "  \"documentation\": \"https://acme.example/docs\",\n"
    "  \"pagination\": {\n"
    "    \"style\": \"cursor\",\n"
    "    \"cursor_param\": \"after\",\n"
    "    \"limit_param\": \"limit\",\n"
    "    \"next_cursor_path\": \"/paging/next\",\n"
    "    \"page_size\": 100\n"
    "  },\n"
    "  \"parameters\": [\n"
    "    {\n"
    "      \"name\": \"tenant\",\n"
    "      \"description\": \"The tenant.\",\n"
    "      \"required\": true\n"
    "    },\n"
    "    {\n"
    "      \"name\": \"client_id\",\n"
    "      \"description\": \"The client id.\",\n"
    "      \"required\": true\n"
    "    },\n"
    "    {\n"
    "      \"name\": \"client_secret\",\n"
    "      \"description\": \"The client secret.\",\n"
    "      \"required\": true,\n"
    "      \"secret\": true\n"
    "    }\n"
    "  ],\n"
    "  \"protocol\": \"rest\",\n"
    "  \"resources\": [\n"
    "    {\n"
    "      \"name\": \"contacts\",\n"
    "      \"description\": \"Contacts of one list.\",\n"
    "      \"cursor_field\": \"/updated_at\",\n"
    "      \"cursor_format\": \"iso8601\",\n"
    "      \"cursor_query\": {\n"
    "        \"q\": \"updated > {cursor}\"\n"
    "      },\n"
    "      \"method\": \"GET\",\n"
    "      \"parameters\": [\n"
    "        {\n"
    "          \"name\": \"list_id\",\n"
    "          \"in\": \"path\",\n"
    "          \"description\": \"The list.\",\n"
    "          \"required\": true\n"
    "        }\n"
    "      ],\n"
    "      \"path\": \"/lists/{list_id}/contacts\",\n"
    "      \"primary_key\": [\n"
    "        \"id\"\n"
    "      ],\n"
    "      \"query\": {\n"
    "        \"q\": \"all\"\n"
    "      },\n"
    "      \"record_selector\": \"/data\",\n"
    "      \"write\": {\n"
    "        \"update\": {\n"
    "          \"method\": \"PATCH\",\n"
    "          \"path\": \"/lists/{list_id}/contacts/{id}\"\n"
    "        }\n"
    "      }\n"
    "    }\n"
    "  ]\n"
    "}\n";

} // namespace

Diagnostics tst_ConnectorCatalog::check(const QString &file, const QByteArray &text) const
{
    ParsedDocument parsed = parseDocument(file, text);
    if (!parsed.errors.isEmpty())
        return parsed.errors;
    Diagnostics all;
    for (const SchemaError &e : m_registry.validate(schemaUri, parsed.value))
        all.append(Diagnostic{file, e.pointer, e.message});
    all += Checker(file, parsed.value.toObject()).run();
    return all;
}

void tst_ConnectorCatalog::initTestCase()
{
    QFile file(schemaFile);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(u"cannot read "_s + schemaFile));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(schemaFile + u": "_s + parseError.errorString()));
    m_schema = document.object();
    const auto added = m_registry.addSchema(m_schema);
    QVERIFY2(added.isOk(), qPrintable(added.isOk() ? QString() : added.error().toString()));
    QVERIFY(m_registry.contains(schemaUri));

    const QDir folder(catalogFolder);
    for (const QString &name : folder.entryList({u"*.json"_s}, QDir::Files, QDir::Name)) {
        if (!name.endsWith(u".schema.json"_s))
            m_files.append(name);
    }
}

void tst_ConnectorCatalog::schemaEnumsMatchTheDocumentedSets()
{
    auto enumAt = [this](const QStringList &path) {
        QJsonValue v = m_schema;
        for (const QString &step : path)
            v = v.toObject().value(step);
        QSet<QString> values;
        for (const QJsonValue &e : v.toArray())
            values.insert(e.toString());
        return values;
    };
    QCOMPARE(enumAt({u"definitions"_s, u"auth"_s, u"properties"_s, u"type"_s, u"enum"_s}), toSet(authTypes));
    QCOMPARE(enumAt({u"definitions"_s, u"pagination"_s, u"properties"_s, u"style"_s, u"enum"_s}), toSet(paginationStyles));
}

void tst_ConnectorCatalog::definition_data()
{
    QTest::addColumn<QString>("file");
    for (const QString &name : std::as_const(m_files))
        QTest::addRow("%s", qPrintable(name)) << name;
}

void tst_ConnectorCatalog::definition()
{
    QFETCH(QString, file);
    QFile f(catalogFolder + u'/' + file);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(u"cannot read "_s + f.fileName()));
    const QByteArray text = f.readAll();
    Diagnostics errors = check(file, text);
    // The project's canonical JSON text, so that re-saving a definition changes nothing.
    if (errors.isEmpty()) {
        const QByteArray canonical = canonicalJson(QJsonDocument::fromJson(text).object());
        if (canonical != text)
            errors.append(Diagnostic{file, QString(), u"not in canonical form (2-space indent, key order, trailing newline)"_s});
    }
    QVERIFY2(errors.isEmpty(), qPrintable(u"\n"_s + toStrings(errors).join(u'\n')));
}

void tst_ConnectorCatalog::catalogIsLargeEnough()
{
    QVERIFY2(m_files.size() >= 50, qPrintable(u"only %1 definitions in "_s.arg(m_files.size()) + catalogFolder));
}

void tst_ConnectorCatalog::requiredServicesArePresent()
{
    QStringList missing;
    for (const QString &id : requiredIds) {
        if (!m_files.contains(id + u".json"_s))
            missing.append(id);
    }
    QVERIFY2(missing.isEmpty(), qPrintable(u"missing: "_s + missing.join(u", "_s)));
}

void tst_ConnectorCatalog::everyAuthTypeAndPaginationStyleIsExercised()
{
    QSet<QString> auth;
    QSet<QString> styles;
    for (const QString &name : std::as_const(m_files)) {
        QFile f(catalogFolder + u'/' + name);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject def = QJsonDocument::fromJson(f.readAll()).object();
        auth.insert(def.value(u"auth"_s).toObject().value(u"type"_s).toString());
        styles.insert(def.value(u"pagination"_s).toObject().value(u"style"_s).toString());
        for (const QJsonValue &r : def.value(u"resources"_s).toArray()) {
            const QJsonObject paging = r.toObject().value(u"pagination"_s).toObject();
            if (paging.contains(u"style"_s))
                styles.insert(paging.value(u"style"_s).toString());
        }
    }
    const QSet<QString> unusedAuth = toSet(authTypes) - auth;
    const QSet<QString> unusedStyles = toSet(paginationStyles) - styles;
    QVERIFY2(unusedAuth.isEmpty(), qPrintable(u"auth types no definition uses: "_s + QStringList(unusedAuth.begin(), unusedAuth.end()).join(u", "_s)));
    QVERIFY2(unusedStyles.isEmpty(), qPrintable(u"pagination styles no definition uses: "_s + QStringList(unusedStyles.begin(), unusedStyles.end()).join(u", "_s)));
}

void tst_ConnectorCatalog::formatDocumentDescribesEveryStyleAndType()
{
    QFile f(formatDoc);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(u"cannot read "_s + formatDoc));
    const QString text = QString::fromUtf8(f.readAll());
    for (const QString &name : authTypes + paginationStyles) {
        // Each is a heading of its own, e.g. "### `oauth2_jwt_bearer`".
        QVERIFY2(text.contains(u"### `"_s + name + u'`'), qPrintable(formatDoc + u" has no section for "_s + name));
    }
}

void tst_ConnectorCatalog::minimalDefinitionIsValid()
{
    const Diagnostics errors = check(u"acme.json"_s, minimal);
    QVERIFY2(errors.isEmpty(), qPrintable(toStrings(errors).join(u'\n')));
}

void tst_ConnectorCatalog::brokenDefinitionIsReported_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("from");
    QTest::addColumn<QByteArray>("to");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QString>("fragment");

    const QString file = u"acme.json"_s;
    QTest::addRow("id differs from file name") << u"other.json"_s << QByteArray() << QByteArray() << u"/id"_s << u"does not match the file name"_s;
    QTest::addRow("unknown member (schema)") << file << "\"protocol\": \"rest\""_ba << "\"protocol\": \"rest\", \"base_uri\": \"x\""_ba
                                             << u"/base_uri"_s << QString();
    QTest::addRow("undeclared placeholder in base_url") << file << "https://{tenant}.acme.example/api"_ba
                                                        << "https://{region}.acme.example/api"_ba << u"/base_url"_s
                                                        << u"{region} is not a declared parameter"_s;
    QTest::addRow("undeclared placeholder in path") << file << "\"/lists/{list_id}/contacts\""_ba << "\"/lists/{list_id}/{kind}\""_ba
                                                    << u"/resources/0/path"_s << u"{kind}"_s;
    QTest::addRow("path parameter missing from path") << file << "\"/lists/{list_id}/contacts\""_ba << "\"/contacts\""_ba
                                                      << u"/resources/0/parameters"_s << u"does not occur in the path"_s;
    QTest::addRow("cursor outside cursor_query") << file << "\"q\": \"all\""_ba << "\"q\": \"since {cursor}\""_ba
                                                 << u"/resources/0/query/q"_s << u"{cursor}"_s;
    QTest::addRow("cursor style without next cursor") << file << "\"next_cursor_path\": \"/paging/next\",\n"_ba << QByteArray()
                                                      << u"/pagination"_s << u"next_cursor_path"_s;
    QTest::addRow("cursor style without cursor_param") << file << "\"cursor_param\": \"after\",\n"_ba << QByteArray()
                                                       << u"/pagination"_s << u"\"cursor_param\""_s;
    QTest::addRow("member of another style") << file << "\"cursor_param\": \"after\","_ba
                                             << "\"cursor_param\": \"after\", \"next_url_path\": \"/next\","_ba
                                             << u"/pagination/next_url_path"_s << u"not used by pagination style cursor"_s;
    QTest::addRow("unknown pagination style") << file << "\"style\": \"cursor\""_ba << "\"style\": \"token\""_ba
                                              << u"/pagination/style"_s << u"unknown pagination style"_s;
    QTest::addRow("record_selector not a pointer") << file << "\"record_selector\": \"/data\""_ba << "\"record_selector\": \"data\""_ba
                                                   << u"/resources/0/record_selector"_s << u"not a JSON pointer"_s;
    QTest::addRow("cursor_field not a pointer") << file << "\"cursor_field\": \"/updated_at\""_ba << "\"cursor_field\": \"/a~2b\""_ba
                                                << u"/resources/0/cursor_field"_s << u"not a JSON pointer"_s;
    QTest::addRow("next cursor path not a pointer") << file << "\"/paging/next\""_ba << "\"paging.next\""_ba
                                                    << u"/pagination/next_cursor_path"_s << u"not a JSON pointer"_s;
    QTest::addRow("client credentials without token_url") << file << "\"token_url\": \"https://{tenant}.acme.example/oauth/token\""_ba
                                                          << "\"scopes\": [\"read\"]"_ba << u"/auth"_s << u"needs \"token_url\""_s;
    QTest::addRow("unknown auth type") << file << "\"type\": \"oauth2_client_credentials\""_ba << "\"type\": \"digest\""_ba
                                       << u"/auth/type"_s << u"unknown auth type"_s;
    QTest::addRow("member of another auth type") << file << "\"client_id\": \"{client_id}\","_ba
                                                 << "\"client_id\": \"{client_id}\", \"refresh_token\": \"x\","_ba
                                                 << u"/auth/refresh_token"_s << u"not used by auth type"_s;
    QTest::addRow("empty primary key") << file << "\"primary_key\": [\n        \"id\"\n      ]"_ba << "\"primary_key\": []"_ba
                                       << u"/resources/0/primary_key"_s << u"non-empty primary_key"_s;
    QTest::addRow("no primary key") << file << "\"primary_key\": [\n        \"id\"\n      ],"_ba << QByteArray()
                                    << u"/resources/0"_s << u"non-empty primary_key"_s;
    QTest::addRow("write path names an unknown field") << file << "/contacts/{id}\""_ba << "/contacts/{uuid}\""_ba
                                                       << u"/resources/0/write/update/path"_s << u"{uuid}"_s;
    QTest::addRow("cursor_query without cursor_field") << file << "\"cursor_field\": \"/updated_at\",\n"_ba << QByteArray()
                                                       << u"/resources/0/cursor_query"_s << u"needs \"cursor_field\""_s;
    QTest::addRow("unused parameter") << file << "\"parameters\": [\n"_ba
                                      << "\"parameters\": [\n{\"name\": \"region\", \"description\": \"x\", \"required\": false},\n"_ba
                                      << u"/parameters"_s << u"\"region\" is never used"_s;
    QTest::addRow("body paging on a GET resource") << file << "\"cursor_param\": \"after\""_ba
                                                   << "\"params_in\": \"body\", \"cursor_param\": \"/after\""_ba
                                                   << u"/resources/0/method"_s << u"needs a POST resource"_s;
}

void tst_ConnectorCatalog::brokenDefinitionIsReported()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, from);
    QFETCH(QByteArray, to);
    QFETCH(QString, pointer);
    QFETCH(QString, fragment);

    QByteArray text = minimal;
    if (!from.isEmpty()) {
        QVERIFY2(text.contains(from), from.constData()); // the mutation must apply
        text.replace(from, to);
    }
    const Diagnostics errors = check(file, text);
    bool found = false;
    for (const Diagnostic &d : errors)
        found = found || (d.file == file && d.pointer == pointer && d.message.contains(fragment));
    QVERIFY2(found, qPrintable(u"expected "_s + file + u':' + pointer + u": ..."_s + fragment + u"; got:\n"_s
                               + toStrings(errors).join(u'\n')));
}

void tst_ConnectorCatalog::malformedTextIsReported()
{
    QByteArray text = minimal;
    text.replace("\"name\": \"Acme\",", "\"name\": \"Acme\""); // a missing comma on line 5
    const Diagnostics errors = check(u"acme.json"_s, text);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().file, u"acme.json"_s);
    QVERIFY2(errors.first().line >= 5 && errors.first().line <= 6, qPrintable(errors.first().toString()));

    const Diagnostics notObject = check(u"acme.json"_s, "[1, 2]"_ba);
    QVERIFY(!notObject.isEmpty());
}

QTEST_GUILESS_MAIN(tst_ConnectorCatalog)
#include "tst_connectorcatalog.moc"
