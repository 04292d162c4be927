// The REAL connector catalog (resources/connectors) executed by the REST connector against a
// local server that answers the way each vendor documents: the endpoint's url replaces the
// definition's base_url and configuration.token_url its token URL; everything else (paths,
// query parameters, headers, bodies, paging, auth) comes from the definition and is checked
// request by request, together with the records read and one write where the definition has
// writes.

#include "connectors/restauth.h"
#include "connectors/restconnector.h"

#include "data/json.h"
#include "security/jwk.h"
#include "security/jwt.h"
#include "security/jwtsign.h"
#include "security/secrets.h"
#include "testhttpserver.h"
#include "testsecrets.h"
#include "quotedjson.h"

#include <QDir>
#include <QTest>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;
using Conflux::Test::MapSecrets;
using Conflux::Test::j;
using Conflux::Tests::TestHttpServer;

namespace {

const QString catalogFolder = QStringLiteral(CONFLUX_SOURCE_DIR "/resources/connectors");

Http::HttpResponse json(const QString &text, int status = 200)
{
    return Http::HttpResponse(status, Data::Json::serialize(j(text)), "application/json");
}

Http::HttpResponse json(const Data::Value &value, int status = 200)
{
    return Http::HttpResponse(status, Data::Json::serialize(value), "application/json");
}

QString q(const Http::HttpRequest &request, const QString &name)
{
    return request.query.queryItemValue(name, QUrl::FullyDecoded);
}

QString formValue(const Http::HttpRequest &request, const QString &name)
{
    return QUrlQuery(QString::fromUtf8(request.body)).queryItemValue(name, QUrl::FullyDecoded);
}

Data::Value body(const Http::HttpRequest &request)
{
    Result<Data::Value> value = Data::Json::parse(request.body);
    return value ? *value : Data::Value();
}

QString errorText(const Error &error)
{
    return error.code + u": "_s + error.toString();
}

#define REQUIRE_OK(result) QVERIFY2(result, qPrintable((result) ? QString() : errorText((result).error())))

struct ReadOut
{
    Result<ReadSummary> summary = makeError("not_run", QString());
    std::vector<Data::Value> records;
    QStringList ids(const QString &field = u"id"_s) const
    {
        QStringList out;
        for (const Data::Value &r : records)
            out.append(Rest::scalarText(*Rest::recordField(r, field)));
        return out;
    }
};

ReadOut readAll(Connector &connector, const QString &entity, const Data::Value &cursorAfter = Data::Value::null(),
                const Data::Value &filter = Data::Value::null())
{
    ReadRequest request;
    request.entity = entity;
    request.cursorAfter = cursorAfter;
    request.filter = filter;
    ReadOut out;
    out.summary = connector.read(request, [&](std::vector<Data::Value> &&page) {
        for (Data::Value &r : page)
            out.records.push_back(std::move(r));
        return true;
    });
    return out;
}

Result<WriteSummary> writeOne(Connector &connector, const QString &entity, WriteMode mode, const QString &record)
{
    WriteRequest request;
    request.entity = entity;
    request.mode = mode;
    request.records = {j(record)};
    return connector.write(request);
}

// `n` records {"<key>": "<prefix><i>", ...} from `from`.
Data::Value records(int from, int n, const QString &key, const QString &prefix = {}, const Data::Object &extra = {})
{
    Data::Array out;
    for (int i = from; i < from + n; ++i) {
        Data::Object record = extra;
        record.insert(key, Data::Value(prefix + QString::number(i)));
        out.push_back(Data::Value(std::move(record)));
    }
    return Data::Value(std::move(out));
}

QByteArray generateRsaPem()
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(2048));
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    EVP_PKEY_free(key);
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(length));
}

} // namespace

class TestCatalogExecution : public QObject
{
    Q_OBJECT

private:
    ConnectorCatalog m_catalog;
    QByteArray m_privateKey;
    Security::JwkSet m_publicKeys;

    Result<std::unique_ptr<Connector>> open(const QString &id, const QUrl &url, const QString &configuration,
                                            QHash<QString, QString> secrets)
    {
        static std::atomic<int> serial{0};
        const Data::Value document = j(u"{'kind':'Endpoint','schemaVersion':1,'id':'%1-%2','name':'%1','type':'api',"
                                       "'protocol':'rest','url':'%3','configuration':{'catalog':'%1',%4}}"_s
                                           .arg(id)
                                           .arg(++serial)
                                           .arg(url.toString(), configuration));
        Result<EndpointSpec> spec = parseEndpoint(document);
        if (!spec)
            return spec.error();
        spec->retryAttempts = 0;
        ConnectorContext context;
        context.secrets = std::make_shared<MapSecrets>(std::move(secrets));
        return createRestConnector(*spec, context, &m_catalog);
    }

    // Verifies an RFC 7523 assertion the way the vendor would; returns its claims or an
    // error text.
    QString verifyAssertion(const QString &assertion, const QString &issuer, const QString &audience, QJsonObject *claims)
    {
        Security::JwtPolicy policy;
        policy.allowedAlgorithms = {Security::JwsAlgorithm::RS256};
        policy.allowedIssuers = {issuer};
        policy.audiences = {audience};
        Result<Security::VerifiedJwt> verified = Security::verifyJwt(assertion.toUtf8(), m_publicKeys, policy);
        if (!verified)
            return verified.error().toString();
        *claims = verified->claims;
        return {};
    }

private slots:
    void initTestCase()
    {
        Result<ConnectorCatalog> catalog = ConnectorCatalog::load(catalogFolder);
        QVERIFY2(catalog, qPrintable(catalog ? QString() : catalog.error().toString()));
        m_catalog = std::move(*catalog);
        m_privateKey = generateRsaPem();
        Result<Security::SigningKey> key = Security::SigningKey::fromPem(m_privateKey);
        QVERIFY(key);
        m_publicKeys.append(*Security::Jwk::fromPem(key->publicKeyPem()));
    }

    void init()
    {
        HttpClient::resetSharedState();
        resetRotatedRefreshTokens();
    }

    void everyDefinitionLoads()
    {
        const QStringList files = QDir(catalogFolder).entryList({u"*.json"_s}, QDir::Files).filter(QRegularExpression(u"^[a-z0-9_]+\\.json$"_s));
        QCOMPARE(m_catalog.ids().size(), files.size());
        QVERIFY(m_catalog.ids().size() >= 50);
        for (const QString &id : m_catalog.ids()) {
            const RestApi *api = m_catalog.definition(id);
            QVERIFY(api && !api->resources.empty());
            // Every definition makes a connector once its required parameters have values.
            QStringList params;
            QHash<QString, QString> secrets;
            for (const RestParameter &p : api->parameters) {
                if (p.secret) {
                    params.append(u"'%1':{'secret':'s.%1'}"_s.arg(p.name));
                    secrets.insert(u"s."_s + p.name, u"value"_s);
                } else {
                    params.append(u"'%1':'x'"_s.arg(p.name));
                }
            }
            auto c = open(id, QUrl(u"https://api.example.com"_s), u"'parameters':{%1}"_s.arg(params.join(u',')), secrets);
            QVERIFY2(c, qPrintable(id + u": "_s + (c ? QString() : c.error().toString())));
            QVERIFY(!(*c)->discover()->empty() || std::all_of(api->resources.begin(), api->resources.end(), [](const RestResource &r) {
                return !r.readable;
            }));
        }
    }

    // bearer · cursor from the last record with has_more · unix_seconds cursor · form writes
    void stripe()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.header("Authorization") != "Bearer sk_test_123")
                return json(u"{'error':{'message':'Invalid API Key provided'}}"_s, 401);
            if (r.method == "POST")
                return json(u"{'id':'cus_new','object':'customer'}"_s);
            if (r.method == "DELETE")
                return json(u"{'id':'cus_2','deleted':true}"_s);
            if (q(r, u"starting_after"_s).isEmpty())
                return json(u"{'object':'list','has_more':true,'data':[{'id':'cus_1','created':1700000100},{'id':'cus_2','created':1700000200}]}"_s);
            return json(u"{'object':'list','has_more':false,'data':[{'id':'cus_3','created':1700000300}]}"_s);
        });
        auto c = open(u"stripe"_s, server.url(u"/v1"_s), u"'parameters':{'secret_key':{'secret':'stripe.key'}}"_s,
                      {{u"stripe.key"_s, u"sk_test_123"_s}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"customers"_s, Data::Value(1700000000));
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"cus_1"_s, u"cus_2"_s, u"cus_3"_s}));
        QCOMPARE(out.summary->lastCursor.toDouble(), 1700000300.0);
        auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests.at(0).path, u"/v1/customers"_s);
        QCOMPARE(q(requests.at(0), u"limit"_s), u"100"_s);
        QCOMPARE(q(requests.at(0), u"created[gt]"_s), u"1700000000"_s);
        QVERIFY(!requests.at(0).query.hasQueryItem(u"starting_after"_s));
        QCOMPARE(q(requests.at(1), u"starting_after"_s), u"cus_2"_s);

        server.clearRequests();
        Result<WriteSummary> written =
            writeOne(**c, u"customers"_s, WriteMode::Insert, u"{'email':'jenny@example.com','metadata':{'order_id':'6735'}}"_s);
        REQUIRE_OK(written);
        QCOMPARE(written->inserted, 1);
        const Http::HttpRequest post = server.requests().first();
        QCOMPARE(post.path, u"/v1/customers"_s);
        QCOMPARE(post.header("Content-Type"), "application/x-www-form-urlencoded"_ba);
        QCOMPARE(post.body, "email=jenny%40example.com&metadata%5Border_id%5D=6735"_ba);
        written = writeOne(**c, u"customers"_s, WriteMode::Delete, u"{'id':'cus_2'}"_s);
        REQUIRE_OK(written);
        QCOMPARE(server.requests().last().method, "DELETE"_ba);
        QCOMPARE(server.requests().last().path, u"/v1/customers/cus_2"_s);
    }

    // bearer with the vendor's headers · Link header · path parameters · since in ISO 8601
    void github()
    {
        TestHttpServer server;
        const QString base = server.url().toString(QUrl::StripTrailingSlash);
        server.setHandler([base](const Http::HttpRequest &r) {
            if (r.method == "PATCH")
                return json(u"{'number':5,'title':'Renamed'}"_s);
            if (q(r, u"page"_s) != u"2"_s) {
                Http::HttpResponse first = json(u"[{'number':4,'updated_at':'2024-02-01T10:00:00Z'},{'number':5,'updated_at':'2024-02-02T10:00:00Z'}]"_s);
                first.addHeader("Link", (u"<%1/repos/octo-org/octo-repo/issues?per_page=100&page=2>; rel=\"next\", "
                                         "<%1/repos/octo-org/octo-repo/issues?per_page=100&page=2>; rel=\"last\""_s.arg(base))
                                            .toUtf8());
                return first;
            }
            return json(u"[{'number':9,'updated_at':'2024-02-03T10:00:00Z'}]"_s);
        });
        auto c = open(u"github"_s, server.url(), u"'parameters':{'token':{'secret':'gh'}},'resource_parameters':{'issues':{'owner':'octo-org','repo':'octo-repo'}}"_s,
                      {{u"gh"_s, u"ghp_abc"_s}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"issues"_s, Data::Value(u"2024-01-31T12:00:00Z"_s));
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(u"number"_s), (QStringList{u"4"_s, u"5"_s, u"9"_s}));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        const Http::HttpRequest first = requests.at(0);
        QCOMPARE(first.path, u"/repos/octo-org/octo-repo/issues"_s);
        QCOMPARE(first.header("Authorization"), "Bearer ghp_abc"_ba);
        QCOMPARE(first.header("Accept"), "application/vnd.github+json"_ba);
        QCOMPARE(first.header("X-GitHub-Api-Version"), "2022-11-28"_ba);
        QCOMPARE(q(first, u"since"_s), u"2024-01-31T12:00:00Z"_s);
        QCOMPARE(q(first, u"per_page"_s), u"100"_s);
        QCOMPARE(q(first, u"state"_s), u"all"_s);
        QCOMPARE(q(first, u"sort"_s), u"updated"_s);
        QCOMPARE(requests.at(1).target, "/repos/octo-org/octo-repo/issues?per_page=100&page=2"_ba);
        QCOMPARE(requests.at(1).header("Authorization"), "Bearer ghp_abc"_ba);

        Result<WriteSummary> written = writeOne(**c, u"issues"_s, WriteMode::Upsert, u"{'number':5,'title':'Renamed'}"_s);
        REQUIRE_OK(written);
        QCOMPARE(written->updated, 1);
        QCOMPARE(server.requests().last().method, "PATCH"_ba);
        QCOMPARE(server.requests().last().path, u"/repos/octo-org/octo-repo/issues/5"_s);
        QCOMPARE(body(server.requests().last()), j(u"{'title':'Renamed'}"_s));
    }

    // bearer · cursor in response_metadata · response_check on HTTP 200 · a required query parameter
    void slack()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.path == u"/api/chat.postMessage"_s)
                return json(u"{'ok':true,'ts':'1700000000.000100'}"_s);
            if (r.path == u"/api/conversations.history"_s) {
                if (q(r, u"channel"_s) != u"C0123"_s)
                    return json(u"{'ok':false,'error':'channel_not_found'}"_s);
                return json(u"{'ok':true,'messages':[{'ts':'1700000000.000300','text':'b'},{'ts':'1700000000.000100','text':'a'}],'has_more':false}"_s);
            }
            if (q(r, u"cursor"_s).isEmpty())
                return json(u"{'ok':true,'channels':[{'id':'C1'},{'id':'C2'}],'response_metadata':{'next_cursor':'dGVhbTpDMDYx'}}"_s);
            return json(u"{'ok':true,'channels':[{'id':'C3'}],'response_metadata':{'next_cursor':''}}"_s);
        });
        // Slack's Tier 2 allows 20 requests a minute; this test's endpoint allows more.
        auto c = open(u"slack"_s, server.url(u"/api"_s), u"'parameters':{'bot_token':{'secret':'slack'}},'rate_limit':{'requests_per_second':50}"_s,
                      {{u"slack"_s, u"xoxb-1"_s}});
        REQUIRE_OK(c);
        ReadOut channels = readAll(**c, u"channels"_s);
        REQUIRE_OK(channels.summary);
        QCOMPARE(channels.ids(), (QStringList{u"C1"_s, u"C2"_s, u"C3"_s}));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests.at(0).path, u"/api/conversations.list"_s);
        QCOMPARE(q(requests.at(0), u"types"_s), u"public_channel,private_channel"_s);
        QCOMPARE(q(requests.at(0), u"limit"_s), u"200"_s);
        QCOMPARE(q(requests.at(1), u"cursor"_s), u"dGVhbTpDMDYx"_s);

        ReadOut wrong = readAll(**c, u"messages"_s, Data::Value::null(), j(u"{'channel':'C999'}"_s));
        QVERIFY(!wrong.summary);
        QCOMPARE(wrong.summary.error().code, u"api_error"_s);
        QVERIFY(wrong.summary.error().message.contains(u"channel_not_found"_s));
        ReadOut messages = readAll(**c, u"messages"_s, Data::Value(u"1700000000.000200"_s), j(u"{'channel':'C0123'}"_s));
        REQUIRE_OK(messages.summary);
        QCOMPARE(messages.ids(u"ts"_s), QStringList{u"1700000000.000300"_s});
        QCOMPARE(q(server.requests().last(), u"oldest"_s), u"1700000000.000200"_s);

        Result<WriteSummary> written = writeOne(**c, u"messages"_s, WriteMode::Insert, u"{'channel':'C0123','text':'Deployed'}"_s);
        REQUIRE_OK(written);
        const Http::HttpRequest post = server.requests().last();
        QCOMPARE(post.method, "POST"_ba);
        QCOMPARE(post.header("Content-Type"), "application/json"_ba);
        QCOMPARE(body(post), j(u"{'channel':'C0123','text':'Deployed'}"_s));
    }

    // bearer · cursor at /paging/next/after · writes wrapped in "properties"
    void hubspot()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.method == "POST")
                return json(u"{'id':'901','properties':{'email':'new@acme.com'}}"_s, 201);
            if (r.method == "DELETE")
                return Http::HttpResponse(204);
            if (q(r, u"after"_s).isEmpty())
                return json(u"{'results':[{'id':'51','properties':{'email':'a@acme.com'},'updatedAt':'2024-02-01T00:00:00Z'}],'paging':{'next':{'after':'52','link':'x'}}}"_s);
            return json(u"{'results':[{'id':'52','properties':{'email':'b@acme.com'},'updatedAt':'2024-02-02T00:00:00Z'}]}"_s);
        });
        auto c = open(u"hubspot"_s, server.url(), u"'parameters':{'access_token':{'secret':'hs'}}"_s, {{u"hs"_s, u"pat-na1-1"_s}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"contacts"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"51"_s, u"52"_s}));
        QCOMPARE(out.summary->lastCursor.toString(), u"2024-02-02T00:00:00Z"_s);
        auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests.at(0).path, u"/crm/v3/objects/contacts"_s);
        QCOMPARE(q(requests.at(0), u"archived"_s), u"false"_s);
        QCOMPARE(q(requests.at(0), u"properties"_s), u"email,firstname,lastname,phone,company,lifecyclestage,hs_lastmodifieddate"_s);
        QCOMPARE(q(requests.at(1), u"after"_s), u"52"_s);
        QCOMPARE(requests.at(1).header("Authorization"), "Bearer pat-na1-1"_ba);

        REQUIRE_OK(writeOne(**c, u"contacts"_s, WriteMode::Upsert, u"{'email':'new@acme.com','firstname':'Ada'}"_s));
        QCOMPARE(server.requests().last().path, u"/crm/v3/objects/contacts"_s);
        QCOMPARE(body(server.requests().last()), j(u"{'properties':{'email':'new@acme.com','firstname':'Ada'}}"_s));
        REQUIRE_OK(writeOne(**c, u"contacts"_s, WriteMode::Delete, u"{'id':'51'}"_s));
        QCOMPARE(server.requests().last().path, u"/crm/v3/objects/contacts/51"_s);
    }

    // basic · offset pages of 1000 · cursor_query · instance in the host
    void servicenow()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.method == "PATCH")
                return json(u"{'result':{'sys_id':'abc'}}"_s);
            const int offset = q(r, u"sysparm_offset"_s).toInt();
            Data::Object extra{{u"sys_updated_on"_s, Data::Value(u"2024-02-01 10:00:00"_s)}};
            return json(Data::Value(Data::Object{{u"result"_s, records(offset, offset == 0 ? 1000 : 3, u"sys_id"_s, u"s"_s, extra)}}));
        });
        auto c = open(u"servicenow"_s, server.url(u"/api/now"_s),
                      u"'parameters':{'instance':'dev12345','username':'integration.user','password':{'secret':'sn'}}"_s,
                      {{u"sn"_s, u"pa ss"_s}});
        REQUIRE_OK(c);
        QCOMPARE(*static_cast<RestConnector &>(**c).resolvedBaseUrl(), server.url(u"/api/now"_s).toString());
        ReadOut out = readAll(**c, u"incidents"_s, Data::Value(u"2024-01-31 12:00:00"_s));
        REQUIRE_OK(out.summary);
        QCOMPARE(out.records.size(), size_t(1003));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests.at(0).path, u"/api/now/table/incident"_s);
        QCOMPARE(requests.at(0).header("Authorization"), "Basic " + "integration.user:pa ss"_ba.toBase64());
        QCOMPARE(requests.at(0).header("Accept"), "application/json"_ba);
        QCOMPARE(q(requests.at(0), u"sysparm_query"_s), u"sys_updated_on>2024-01-31 12:00:00^ORDERBYsys_updated_on"_s);
        QCOMPARE(q(requests.at(0), u"sysparm_exclude_reference_link"_s), u"true"_s);
        QCOMPARE(q(requests.at(0), u"sysparm_limit"_s), u"1000"_s);
        QCOMPARE(q(requests.at(0), u"sysparm_offset"_s), u"0"_s);
        QCOMPARE(q(requests.at(1), u"sysparm_offset"_s), u"1000"_s);

        Result<WriteSummary> written =
            writeOne(**c, u"incidents"_s, WriteMode::Upsert, u"{'sys_id':'abc','short_description':'Printer on fire'}"_s);
        REQUIRE_OK(written);
        QCOMPARE(written->updated, 1);
        QCOMPARE(server.requests().last().method, "PATCH"_ba);
        QCOMPARE(server.requests().last().path, u"/api/now/table/incident/abc"_s);
        QCOMPARE(body(server.requests().last()), j(u"{'short_description':'Printer on fire'}"_s));
    }

    // basic with "{email}/token" · cursor with has_more · writes wrapped in "ticket"
    void zendesk()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.method == "PUT")
                return json(u"{'ticket':{'id':42}}"_s);
            if (q(r, u"page[after]"_s).isEmpty())
                return json(u"{'tickets':[{'id':41},{'id':42}],'meta':{'has_more':true,'after_cursor':'xxx'}}"_s);
            return json(u"{'tickets':[{'id':43}],'meta':{'has_more':false,'after_cursor':'yyy'}}"_s);
        });
        auto c = open(u"zendesk"_s, server.url(u"/api/v2"_s), u"'parameters':{'subdomain':'acme','email':'agent@acme.com','api_token':{'secret':'zd'}}"_s,
                      {{u"zd"_s, u"tok123"_s}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"tickets"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"41"_s, u"42"_s, u"43"_s}));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests.at(0).header("Authorization"), "Basic " + "agent@acme.com/token:tok123"_ba.toBase64());
        QCOMPARE(q(requests.at(0), u"page[size]"_s), u"100"_s);
        QCOMPARE(q(requests.at(1), u"page[after]"_s), u"xxx"_s);

        REQUIRE_OK(writeOne(**c, u"tickets"_s, WriteMode::Upsert, u"{'id':42,'status':'solved'}"_s));
        QCOMPARE(server.requests().last().method, "PUT"_ba);
        QCOMPARE(server.requests().last().path, u"/api/v2/tickets/42"_s);
        QCOMPARE(body(server.requests().last()), j(u"{'ticket':{'status':'solved'}}"_s));
    }

    // JWT bearer grant (RS256) · next_url with done · SOQL cursor_query
    void salesforce()
    {
        TestHttpServer server;
        QString verdict;
        QJsonObject claims;
        QMutex mutex;
        server.setHandler([&](const Http::HttpRequest &r) {
            if (r.path == u"/services/oauth2/token"_s) {
                QMutexLocker lock(&mutex);
                if (formValue(r, u"grant_type"_s) != u"urn:ietf:params:oauth:grant-type:jwt-bearer"_s)
                    return json(u"{'error':'unsupported_grant_type'}"_s, 400);
                verdict = verifyAssertion(formValue(r, u"assertion"_s), u"3MVG9abc"_s, u"https://login.salesforce.com"_s, &claims);
                if (!verdict.isEmpty())
                    return json(u"{'error':'invalid_grant','error_description':'bad assertion'}"_s, 400);
                return json(u"{'access_token':'00Dxx!AR8','instance_url':'https://acme.my.salesforce.com','token_type':'Bearer'}"_s);
            }
            if (r.header("Authorization") != "Bearer 00Dxx!AR8")
                return json(u"[{'errorCode':'INVALID_SESSION_ID'}]"_s, 401);
            if (r.method == "PATCH")
                return Http::HttpResponse(204);
            if (r.path == u"/services/data/v62.0/query"_s)
                return json(u"{'totalSize':3,'done':false,'nextRecordsUrl':'/services/data/v62.0/query/01gD0000002HU6KIAW-2000',"
                            "'records':[{'Id':'001A','SystemModstamp':'2024-02-01T00:00:00.000+0000'},{'Id':'001B','SystemModstamp':'2024-02-02T00:00:00.000+0000'}]}"_s);
            return json(u"{'totalSize':3,'done':true,'records':[{'Id':'001C','SystemModstamp':'2024-02-03T00:00:00.000+0000'}]}"_s);
        });
        auto c = open(u"salesforce"_s, server.url(u"/services/data/v62.0"_s),
                      u"'parameters':{'instance':'acme','client_id':'3MVG9abc','username':'integration@acme.com','private_key':{'secret':'sf.key'}},"
                      "'token_url':'%1'"_s.arg(server.url(u"/services/oauth2/token"_s).toString()),
                      {{u"sf.key"_s, QString::fromLatin1(m_privateKey)}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"accounts"_s, Data::Value(u"2024-01-31T12:00:00.000+0000"_s));
        REQUIRE_OK(out.summary);
        QCOMPARE(verdict, QString());
        QCOMPARE(claims.value(u"sub"_s).toString(), u"integration@acme.com"_s);
        QCOMPARE(out.ids(u"Id"_s), (QStringList{u"001A"_s, u"001B"_s, u"001C"_s}));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 3);
        QCOMPARE(requests.at(1).path, u"/services/data/v62.0/query"_s);
        QCOMPARE(q(requests.at(1), u"q"_s),
                 u"SELECT Id, Name, Type, Industry, Phone, Website, BillingCity, BillingCountry, OwnerId, CreatedDate, SystemModstamp FROM Account "
                 "WHERE SystemModstamp > 2024-01-31T12:00:00Z ORDER BY SystemModstamp ASC"_s);
        QCOMPARE(requests.at(2).target, "/services/data/v62.0/query/01gD0000002HU6KIAW-2000"_ba);

        REQUIRE_OK(writeOne(**c, u"accounts"_s, WriteMode::Upsert, u"{'Id':'001A','Name':'Acme Corp'}"_s));
        QCOMPARE(server.requests().last().method, "PATCH"_ba);
        QCOMPARE(server.requests().last().path, u"/services/data/v62.0/sobjects/Account/001A"_s);
        QCOMPARE(body(server.requests().last()), j(u"{'Name':'Acme Corp'}"_s));
    }

    // API key header · Link header with page_info (later pages requested as is) · "product" writes
    void shopify()
    {
        TestHttpServer server;
        const QString base = server.url().toString(QUrl::StripTrailingSlash);
        server.setHandler([base](const Http::HttpRequest &r) {
            if (r.method == "POST")
                return json(u"{'product':{'id':3}}"_s, 201);
            if (q(r, u"page_info"_s).isEmpty()) {
                Http::HttpResponse first = json(u"{'products':[{'id':1,'updated_at':'2024-02-01T00:00:00-05:00'}]}"_s);
                first.setHeader("Link", (u"<%1/admin/api/2024-10/products.json?limit=250&page_info=eyJsYXN0X2lkIjox>; rel=\"next\""_s.arg(base)).toUtf8());
                return first;
            }
            Http::HttpResponse last = json(u"{'products':[{'id':2,'updated_at':'2024-02-02T00:00:00-05:00'}]}"_s);
            last.setHeader("Link", (u"<%1/admin/api/2024-10/products.json?limit=250&page_info=abc>; rel=\"previous\""_s.arg(base)).toUtf8());
            return last;
        });
        auto c = open(u"shopify"_s, server.url(u"/admin/api/2024-10"_s), u"'parameters':{'shop':'acme-store','access_token':{'secret':'shp'}}"_s,
                      {{u"shp"_s, u"shpat_1"_s}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"products"_s, Data::Value(u"2024-01-31T12:00:00Z"_s));
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"1"_s, u"2"_s}));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests.at(0).path, u"/admin/api/2024-10/products.json"_s);
        QCOMPARE(requests.at(0).header("X-Shopify-Access-Token"), "shpat_1"_ba);
        QCOMPARE(q(requests.at(0), u"updated_at_min"_s), u"2024-01-31T12:00:00Z"_s);
        QCOMPARE(q(requests.at(0), u"limit"_s), u"250"_s);
        QCOMPARE(requests.at(1).target, "/admin/api/2024-10/products.json?limit=250&page_info=eyJsYXN0X2lkIjox"_ba);

        REQUIRE_OK(writeOne(**c, u"products"_s, WriteMode::Upsert, u"{'title':'Hat'}"_s));
        QCOMPARE(server.requests().last().path, u"/admin/api/2024-10/products.json"_s);
        QCOMPARE(body(server.requests().last()), j(u"{'product':{'title':'Hat'}}"_s));
    }

    // GraphQL: the token as the Authorization header · cursor in the body with a continuation
    // query · page numbers in the body
    void monday()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.header("Authorization") != "eyJhbGciOi")
                return json(u"{'errors':[{'message':'Not Authenticated'}]}"_s, 401);
            const Data::Value request = body(r);
            const QString query = request[u"query"].toString();
            if (query.contains(u"next_items_page"_s))
                return json(u"{'data':{'next_items_page':{'cursor':null,'items':[{'id':'3','name':'c'}]}}}"_s);
            if (query.contains(u"items_page"_s))
                return json(u"{'data':{'boards':[{'items_page':{'cursor':'MSw5NzI4MDA5MDAsaV9YcmxJb0p1VEdYc1VWeGlxeF9kLDg4MiwzNXw0MTQ1NzU1MTE5','items':[{'id':'1','name':'a'},{'id':'2','name':'b'}]}}]}}"_s);
            if (query.contains(u"boards"_s)) {
                const int page = int(request[u"variables"][u"page"].toDouble());
                return json(Data::Value(Data::Object{{u"data"_s, Data::Value(Data::Object{{u"boards"_s, records(page * 1000, page == 1 ? 100 : 7, u"id"_s)}})}}));
            }
            return json(u"{'errors':[{'message':'Unknown query'}]}"_s);
        });
        auto c = open(u"monday"_s, server.url(u"/v2"_s), u"'parameters':{'api_token':{'secret':'mon'}},'resource_parameters':{'items':{'board_id':'1234567890'}}"_s,
                      {{u"mon"_s, u"eyJhbGciOi"_s}});
        REQUIRE_OK(c);
        ReadOut items = readAll(**c, u"items"_s);
        REQUIRE_OK(items.summary);
        QCOMPARE(items.ids(), (QStringList{u"1"_s, u"2"_s, u"3"_s}));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests.at(0).method, "POST"_ba);
        QCOMPARE(requests.at(0).path, u"/v2"_s);
        QCOMPARE(requests.at(0).header("API-Version"), "2024-10"_ba);
        QCOMPARE(body(requests.at(0))[u"variables"], j(u"{'board':'1234567890','limit':500}"_s));
        QVERIFY(body(requests.at(1))[u"query"].toString().startsWith(u"query ($cursor: String!, $limit: Int) { next_items_page"_s));
        QCOMPARE(body(requests.at(1))[u"variables"],
                 j(u"{'limit':500,'cursor':'MSw5NzI4MDA5MDAsaV9YcmxJb0p1VEdYc1VWeGlxeF9kLDg4MiwzNXw0MTQ1NzU1MTE5'}"_s));

        server.clearRequests();
        ReadOut boards = readAll(**c, u"boards"_s);
        REQUIRE_OK(boards.summary);
        QCOMPARE(boards.records.size(), size_t(107));
        QCOMPARE(server.requestCount(), 2);
        QCOMPARE(body(server.requests().at(1))[u"variables"], j(u"{'page':2}"_s));
    }

    // refresh token · SQL API: a 202 polled through statementStatusUrl · array rows named by
    // rowType · optional parameters left out of the body
    void snowflake()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.path == u"/oauth/token-request"_s)
                return json(u"{'access_token':'ver:1-hint:abc','token_type':'Bearer','expires_in':600}"_s);
            if (r.method == "POST")
                return json(u"{'code':'333334','message':'Asynchronous execution in progress.','statementHandle':'01a2-b3',"
                            "'statementStatusUrl':'/api/v2/statements/01a2-b3'}"_s, 202);
            return json(u"{'resultSetMetaData':{'numRows':2,'rowType':[{'name':'ID','type':'fixed'},{'name':'NAME','type':'text'}]},"
                        "'data':[['1','Ada'],['2','Grace']],'statementHandle':'01a2-b3'}"_s);
        });
        auto c = open(u"snowflake"_s, server.url(u"/api/v2"_s),
                      u"'parameters':{'account':'myorg-acct','client_id':'AbCd','client_secret':{'secret':'sf.cs'},"
                      "'refresh_token':{'secret':'sf.rt'},'warehouse':'COMPUTE_WH'},'token_url':'%1',"
                      "'resource_parameters':{'statement':{'statement':'SELECT ID, NAME FROM CUSTOMERS','key_columns':'ID'}}"_s
                          .arg(server.url(u"/oauth/token-request"_s).toString()),
                      {{u"sf.cs"_s, u"secret"_s}, {u"sf.rt"_s, u"refresh-1"_s}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"statement"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(Data::Value(Data::Array(out.records)), j(u"[{'ID':'1','NAME':'Ada'},{'ID':'2','NAME':'Grace'}]"_s));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 3);
        QCOMPARE(formValue(requests.at(0), u"grant_type"_s), u"refresh_token"_s);
        QCOMPARE(formValue(requests.at(0), u"refresh_token"_s), u"refresh-1"_s);
        QCOMPARE(requests.at(0).header("Authorization"), "Basic " + "AbCd:secret"_ba.toBase64());
        QCOMPARE(requests.at(1).path, u"/api/v2/statements"_s);
        QCOMPARE(requests.at(1).header("X-Snowflake-Authorization-Token-Type"), "OAUTH"_ba);
        QCOMPARE(requests.at(1).header("Authorization"), "Bearer ver:1-hint:abc"_ba);
        QCOMPARE(body(requests.at(1)), j(u"{'statement':'SELECT ID, NAME FROM CUSTOMERS','timeout':60,'warehouse':'COMPUTE_WH'}"_s));
        QCOMPARE(requests.at(2).method, "GET"_ba);
        QCOMPARE(requests.at(2).path, u"/api/v2/statements/01a2-b3"_s);
        QCOMPARE((*c)->discover()->front().keyFields, QStringList{u"ID"_s});
    }

    // JWT bearer grant with a scope claim and no subject · cursor pageToken · cells_fv rows
    void bigquery()
    {
        TestHttpServer server;
        QString verdict = u"no token request"_s;
        QJsonObject claims;
        QMutex mutex;
        server.setHandler([&](const Http::HttpRequest &r) {
            if (r.path == u"/token"_s) {
                QMutexLocker lock(&mutex);
                verdict = verifyAssertion(formValue(r, u"assertion"_s), u"sync@proj.iam.gserviceaccount.com"_s,
                                          u"https://oauth2.googleapis.com/token"_s, &claims);
                return verdict.isEmpty() ? json(u"{'access_token':'ya29.a0','expires_in':3599,'token_type':'Bearer'}"_s)
                                         : json(u"{'error':'invalid_grant'}"_s, 400);
            }
            const QString rows = q(r, u"pageToken"_s).isEmpty() ? u"[{'f':[{'v':'1'},{'v':'12.5'}]},{'f':[{'v':'2'},{'v':null}]}]"_s
                                                                 : u"[{'f':[{'v':'3'},{'v':'7'}]}]"_s;
            return json(u"{'kind':'bigquery#getQueryResultsResponse','schema':{'fields':[{'name':'order_id','type':'INTEGER'},"
                        "{'name':'total','type':'NUMERIC'}]},'rows':%1%2,'jobComplete':true}"_s
                            .arg(rows, q(r, u"pageToken"_s).isEmpty() ? u",'pageToken':'BFO2'"_s : QString()));
        });
        auto c = open(u"bigquery"_s, server.url(u"/bigquery/v2"_s),
                      u"'parameters':{'client_email':'sync@proj.iam.gserviceaccount.com','private_key':{'secret':'gcp'},'project_id':'proj'},"
                      "'token_url':'%1','resource_parameters':{'query_results':{'job_id':'job_1','location':'EU','key_columns':'order_id'}}"_s
                          .arg(server.url(u"/token"_s).toString()),
                      {{u"gcp"_s, QString::fromLatin1(m_privateKey)}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"query_results"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(verdict, QString());
        QCOMPARE(claims.value(u"scope"_s).toString(), u"https://www.googleapis.com/auth/bigquery"_s);
        QVERIFY(!claims.contains(u"sub"_s));
        QCOMPARE(Data::Value(Data::Array(out.records)),
                 j(u"[{'order_id':'1','total':'12.5'},{'order_id':'2','total':null},{'order_id':'3','total':'7'}]"_s));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 3);
        QCOMPARE(requests.at(1).path, u"/bigquery/v2/projects/proj/queries/job_1"_s);
        QCOMPARE(q(requests.at(1), u"location"_s), u"EU"_s);
        QCOMPARE(q(requests.at(1), u"maxResults"_s), u"10000"_s);
        QCOMPARE(requests.at(1).header("Authorization"), "Bearer ya29.a0"_ba);
        QCOMPARE(q(requests.at(2), u"pageToken"_s), u"BFO2"_s);
    }

    // refresh token rotated by the vendor · offset paging inside the query language
    // (params_in template, counting from 1) · the definition's query on every request
    void quickbooks()
    {
        TestHttpServer server;
        std::atomic<int> refreshes{0};
        server.setHandler([&](const Http::HttpRequest &r) {
            if (r.path == u"/oauth2/v1/tokens/bearer"_s) {
                ++refreshes;
                return json(u"{'access_token':'eyJlbmMi','token_type':'bearer','expires_in':3600,'refresh_token':'AB11-rotated','x_refresh_token_expires_in':8726400}"_s);
            }
            if (r.method == "POST")
                return json(u"{'Customer':{'Id':'58','SyncToken':'0'}}"_s);
            const QString query = q(r, u"query"_s);
            if (query.contains(u"STARTPOSITION 1 "_s)) {
                Data::Object extra{{u"MetaData"_s, j(u"{'LastUpdatedTime':'2024-02-01T10:00:00-08:00'}"_s)}};
                return json(Data::Value(Data::Object{{u"QueryResponse"_s, Data::Value(Data::Object{{u"Customer"_s, records(1, 1000, u"Id"_s, {}, extra)},
                                                                                                      {u"startPosition"_s, Data::Value(1)}})}}));
            }
            return json(u"{'QueryResponse':{},'time':'2024-02-01T10:00:00.000-08:00'}"_s);
        });
        auto c = open(u"quickbooks"_s, server.url(u"/v3/company/9130347596840286"_s),
                      u"'parameters':{'realm_id':'9130347596840286','client_id':'ABc','client_secret':{'secret':'qb.cs'},'refresh_token':{'secret':'qb.rt'}},"
                      "'token_url':'%1'"_s.arg(server.url(u"/oauth2/v1/tokens/bearer"_s).toString()),
                      {{u"qb.cs"_s, u"cs"_s}, {u"qb.rt"_s, u"AB11-original"_s}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"customers"_s, Data::Value(u"2024-01-31T12:00:00Z"_s));
        REQUIRE_OK(out.summary);
        QCOMPARE(out.records.size(), size_t(1000));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 3);
        QCOMPARE(formValue(requests.at(0), u"refresh_token"_s), u"AB11-original"_s);
        QCOMPARE(requests.at(1).path, u"/v3/company/9130347596840286/query"_s);
        QCOMPARE(q(requests.at(1), u"minorversion"_s), u"75"_s);
        QCOMPARE(q(requests.at(1), u"query"_s),
                 u"SELECT * FROM Customer WHERE MetaData.LastUpdatedTime > '2024-01-31T12:00:00Z' ORDERBY MetaData.LastUpdatedTime "
                 "STARTPOSITION 1 MAXRESULTS 1000"_s);
        QVERIFY(q(requests.at(2), u"query"_s).endsWith(u"STARTPOSITION 1001 MAXRESULTS 1000"_s));
        QCOMPARE(requests.at(1).header("Accept"), "application/json"_ba);

        REQUIRE_OK(writeOne(**c, u"customers"_s, WriteMode::Upsert, u"{'Id':'58','SyncToken':'0','sparse':true,'DisplayName':'Acme'}"_s));
        const Http::HttpRequest post = server.requests().last();
        QCOMPARE(post.path, u"/v3/company/9130347596840286/customer"_s);
        QCOMPARE(q(post, u"minorversion"_s), u"75"_s);
        QCOMPARE(body(post), j(u"{'Id':'58','SyncToken':'0','sparse':true,'DisplayName':'Acme'}"_s)); // no {Id} in the path

        // The rotated refresh token is used for the next refresh.
        HttpClient::resetSharedState();
        REQUIRE_OK(readAll(**c, u"customers"_s).summary);
        QCOMPARE(refreshes.load(), 2);
        QList<Http::HttpRequest> tokenRequests;
        for (const Http::HttpRequest &r : server.requests()) {
            if (r.path == u"/oauth2/v1/tokens/bearer"_s)
                tokenRequests.append(r);
        }
        QCOMPARE(formValue(tokenRequests.last(), u"refresh_token"_s), u"AB11-rotated"_s);
    }

    // refresh token · cursor in the body with a continuation endpoint · a pointer primary key
    void dropbox()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.path == u"/oauth2/token"_s)
                return json(u"{'access_token':'sl.B','token_type':'bearer','expires_in':14400}"_s);
            if (r.path == u"/2/files/list_folder"_s)
                return json(u"{'entries':[{'.tag':'file','id':'id:a','server_modified':'2024-02-01T00:00:00Z'}],'cursor':'ZtkX9_EHj3x7PMkVuFIhwKYXEpwpLwyxp9vMKomUhllil9q7eWiAu','has_more':true}"_s);
            if (r.path == u"/2/files/list_folder/continue"_s)
                return json(u"{'entries':[{'.tag':'file','id':'id:b','server_modified':'2024-02-02T00:00:00Z'}],'cursor':'next','has_more':false}"_s);
            if (r.path == u"/2/team/members/list_v2"_s)
                return json(u"{'members':[{'profile':{'team_member_id':'dbmid:1','email':'a@x.io'}}],'cursor':'c','has_more':false}"_s);
            return json(u"{'error_summary':'not_found'}"_s, 409);
        });
        auto c = open(u"dropbox"_s, server.url(u"/2"_s),
                      u"'parameters':{'app_key':'a1b2','app_secret':{'secret':'db.s'},'refresh_token':{'secret':'db.rt'}},'token_url':'%1',"
                      "'resource_parameters':{'files':{'folder_path':'/Reports'}}"_s.arg(server.url(u"/oauth2/token"_s).toString()),
                      {{u"db.s"_s, u"s3"_s}, {u"db.rt"_s, u"rt"_s}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"files"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"id:a"_s, u"id:b"_s}));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 3);
        QCOMPARE(formValue(requests.at(0), u"grant_type"_s), u"refresh_token"_s);
        QCOMPARE(requests.at(0).header("Authorization"), "Basic " + "a1b2:s3"_ba.toBase64());
        QCOMPARE(body(requests.at(1)), j(u"{'include_deleted':false,'limit':2000,'path':'/Reports','recursive':true}"_s));
        QCOMPARE(requests.at(2).path, u"/2/files/list_folder/continue"_s);
        QCOMPARE(body(requests.at(2)), j(u"{'cursor':'ZtkX9_EHj3x7PMkVuFIhwKYXEpwpLwyxp9vMKomUhllil9q7eWiAu'}"_s));
        ReadOut members = readAll(**c, u"team_members"_s);
        REQUIRE_OK(members.summary);
        QCOMPARE(members.ids(u"/profile/team_member_id"_s), QStringList{u"dbmid:1"_s});
    }

    // client credentials in the token URL's query · cursor nextPageToken · success_path checks ·
    // a resource with its own offset paging
    void marketo()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.path == u"/identity/oauth/token"_s)
                return json(u"{'access_token':'cdf01657-110d-4155-99a7-f986b2ff13a0:int','token_type':'bearer','expires_in':3599,'scope':'x'}"_s);
            if (r.path == u"/rest/v1/lists.json"_s) {
                if (q(r, u"nextPageToken"_s).isEmpty())
                    return json(u"{'requestId':'1','success':true,'nextPageToken':'GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ','result':[{'id':1001}]}"_s);
                return json(u"{'requestId':'2','success':true,'result':[{'id':1002}]}"_s);
            }
            if (r.path == u"/rest/asset/v1/programs.json"_s)
                return json(u"{'success':false,'errors':[{'code':'702','message':'No assets found for the given search criteria.'}],'result':null}"_s);
            return json(u"{'success':false,'errors':[{'code':'601','message':'Access token invalid'}]}"_s);
        });
        auto c = open(u"marketo"_s, server.url(u"/rest"_s),
                      u"'parameters':{'munchkin_id':'123-ABC-456','client_id':'0a1b','client_secret':{'secret':'mk'}},'token_url':'%1'"_s
                          .arg(server.url(u"/identity/oauth/token"_s).toString()),
                      {{u"mk"_s, u"mk secret"_s}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"lists"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"1001"_s, u"1002"_s}));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 3);
        const Http::HttpRequest token = requests.at(0);
        QCOMPARE(token.method, "POST"_ba);
        QVERIFY(token.body.isEmpty());
        QCOMPARE(q(token, u"grant_type"_s), u"client_credentials"_s);
        QCOMPARE(q(token, u"client_id"_s), u"0a1b"_s);
        QCOMPARE(q(token, u"client_secret"_s), u"mk secret"_s);
        QCOMPARE(requests.at(1).header("Authorization"), "Bearer cdf01657-110d-4155-99a7-f986b2ff13a0:int"_ba);
        QCOMPARE(q(requests.at(1), u"batchSize"_s), u"300"_s);
        QCOMPARE(q(requests.at(2), u"nextPageToken"_s), u"GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ"_s);

        ReadOut programs = readAll(**c, u"programs"_s, Data::Value(u"2024-01-31T12:00:00Z"_s));
        QVERIFY(!programs.summary);
        QCOMPARE(programs.summary.error().code, u"api_error"_s);
        QVERIFY(programs.summary.error().message.contains(u"No assets found"_s));
        const Http::HttpRequest last = server.requests().last();
        QCOMPARE(q(last, u"maxReturn"_s), u"200"_s);
        QCOMPARE(q(last, u"offset"_s), u"0"_s);
        QCOMPARE(q(last, u"earliestUpdatedAt"_s), u"2024-01-31T12:00:00Z"_s);
        QCOMPARE(q(last, u"latestUpdatedAt"_s), u"2100-01-01T00:00:00Z"_s);
    }

    // client credentials as a JSON body with token_params · page numbers with total_path · delete
    void salesforceMarketingCloud()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.path == u"/v2/token"_s)
                return json(u"{'access_token':'eyJhbGci','token_type':'Bearer','expires_in':1079,'scope':'x','rest_instance_url':'https://x/'}"_s);
            if (r.method == "DELETE")
                return json(u"{}"_s);
            const int page = q(r, u"$page"_s).toInt();
            return json(Data::Value(Data::Object{{u"count"_s, Data::Value(60)},
                                                 {u"page"_s, Data::Value(page)},
                                                 {u"items"_s, records(page * 100, page == 1 ? 50 : 10, u"id"_s)}}));
        });
        auto c = open(u"salesforce_marketing_cloud"_s, server.url(),
                      u"'parameters':{'subdomain':'mc563885gzs27c5t9-63k636ttgm','client_id':'abc','client_secret':{'secret':'mc'},'account_id':'100000000'},"
                      "'token_url':'%1'"_s.arg(server.url(u"/v2/token"_s).toString()),
                      {{u"mc"_s, u"mcsecret"_s}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"assets"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.records.size(), size_t(60));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 3);
        QCOMPARE(requests.at(0).header("Content-Type"), "application/json"_ba);
        QCOMPARE(body(requests.at(0)), j(u"{'grant_type':'client_credentials','client_id':'abc','client_secret':'mcsecret','account_id':'100000000'}"_s));
        QCOMPARE(requests.at(1).path, u"/asset/v1/content/assets"_s);
        QCOMPARE(q(requests.at(1), u"$page"_s), u"1"_s);
        QCOMPARE(q(requests.at(1), u"$pageSize"_s), u"50"_s);
        QCOMPARE(q(requests.at(2), u"$page"_s), u"2"_s);

        REQUIRE_OK(writeOne(**c, u"assets"_s, WriteMode::Delete, u"{'id':7}"_s));
        QCOMPARE(server.requests().last().path, u"/asset/v1/content/assets/7"_s);
        QCOMPARE(server.requests().last().header("Authorization"), "Bearer eyJhbGci"_ba);
    }

    // JWT bearer grant with a space in the scope claim · offset with total_path · the cursor
    // replaces a fixed query parameter
    void docusign()
    {
        TestHttpServer server;
        QString verdict = u"no token request"_s;
        QJsonObject claims;
        QMutex mutex;
        server.setHandler([&](const Http::HttpRequest &r) {
            if (r.path == u"/oauth/token"_s) {
                QMutexLocker lock(&mutex);
                verdict = verifyAssertion(formValue(r, u"assertion"_s), u"ik-1"_s, u"account-d.docusign.com"_s, &claims);
                return verdict.isEmpty() ? json(u"{'access_token':'ISSUE1','token_type':'Bearer','expires_in':3600}"_s)
                                         : json(u"{'error':'invalid_grant'}"_s, 400);
            }
            if (r.method == "POST")
                return json(u"{'envelopeId':'e-new','status':'sent'}"_s, 201);
            const int start = q(r, u"start_position"_s).toInt();
            Data::Object extra{{u"statusChangedDateTime"_s, Data::Value(u"2024-02-01T00:00:00.0000000Z"_s)}};
            return json(Data::Value(Data::Object{{u"totalSetSize"_s, Data::Value(u"150"_s)},
                                                 {u"envelopes"_s, records(start, start == 0 ? 100 : 50, u"envelopeId"_s, u"e"_s, extra)}}));
        });
        auto c = open(u"docusign"_s, server.url(u"/restapi/v2.1/accounts/acc-1"_s),
                      u"'parameters':{'base_uri_host':'demo.docusign.net','account_id':'acc-1','auth_host':'account-d.docusign.com',"
                      "'integration_key':'ik-1','user_id':'u-1','private_key':{'secret':'ds'}},'token_url':'%1'"_s
                          .arg(server.url(u"/oauth/token"_s).toString()),
                      {{u"ds"_s, QString::fromLatin1(m_privateKey)}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"envelopes"_s, Data::Value(u"2024-01-31T12:00:00Z"_s));
        REQUIRE_OK(out.summary);
        QCOMPARE(verdict, QString());
        QCOMPARE(claims.value(u"scope"_s).toString(), u"signature impersonation"_s);
        QCOMPARE(claims.value(u"sub"_s).toString(), u"u-1"_s);
        QCOMPARE(out.records.size(), size_t(150));
        auto requests = server.requests();
        QCOMPARE(requests.size(), 3);
        QCOMPARE(requests.at(1).path, u"/restapi/v2.1/accounts/acc-1/envelopes"_s);
        QCOMPARE(requests.at(1).query.allQueryItemValues(u"from_date"_s), QStringList{u"2024-01-31T12:00:00Z"_s});
        QCOMPARE(q(requests.at(1), u"order_by"_s), u"last_modified"_s);
        QCOMPARE(q(requests.at(1), u"count"_s), u"100"_s);
        QCOMPARE(q(requests.at(2), u"start_position"_s), u"100"_s);

        REQUIRE_OK(writeOne(**c, u"envelopes"_s, WriteMode::Insert, u"{'emailSubject':'Please sign','status':'sent'}"_s));
        QCOMPARE(server.requests().last().path, u"/restapi/v2.1/accounts/acc-1/envelopes"_s);
        QCOMPARE(body(server.requests().last()), j(u"{'emailSubject':'Please sign','status':'sent'}"_s));
    }

    // OData v2 (SAP): /Date()/ cursors, $filter from cursor_query, writes with a CSRF token
    // fetched first (and again once when the server refuses it), with the session cookie
    void sapS4hanaCloud()
    {
        TestHttpServer server;
        std::atomic<int> fetches{0};
        std::atomic<int> patches{0};
        server.setHandler([&](const Http::HttpRequest &r) {
            if (r.header("Authorization") != "Basic " + "COMM_USER:pw"_ba.toBase64())
                return json(u"{'error':{'message':{'value':'Unauthorized'}}}"_s, 401);
            if (r.method == "GET" && r.header("X-CSRF-Token") == "Fetch") {
                Http::HttpResponse ok(200);
                ok.setHeader("X-CSRF-Token", "tok-" + QByteArray::number(++fetches));
                ok.addHeader("Set-Cookie", "SAP_SESSIONID_X=s" + QByteArray::number(fetches.load()) + "; path=/");
                return ok;
            }
            if (r.method == "PATCH") {
                if (++patches == 1) { // the session expired: the token is refused once
                    Http::HttpResponse refused(403, "CSRF token validation failed");
                    refused.setHeader("X-CSRF-Token", "Required");
                    return refused;
                }
                return r.header("X-CSRF-Token") == "tok-2" ? Http::HttpResponse(204) : Http::HttpResponse(403);
            }
            return json(u"{'d':{'results':[{'BusinessPartner':'1000122','LastChangeDate':'/Date(1706659200000)/'},"
                        "{'BusinessPartner':'1000123','LastChangeDate':'/Date(1706745600000)/'}]}}"_s);
        });
        auto c = open(u"sap_s4hana_cloud"_s, server.url(u"/sap/opu/odata/sap"_s),
                      u"'parameters':{'host':'my123456-api.s4hana.cloud.sap','username':'COMM_USER','password':{'secret':'s4'}}"_s,
                      {{u"s4"_s, u"pw"_s}});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"business_partners"_s, Data::Value(u"/Date(1706659200000)/"_s));
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(u"BusinessPartner"_s), QStringList{u"1000123"_s});
        const Http::HttpRequest read = server.requests().first();
        QCOMPARE(read.path, u"/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner"_s);
        QCOMPARE(q(read, u"$filter"_s), u"LastChangeDate ge datetime'2024-01-31T00:00:00'"_s);
        QCOMPARE(q(read, u"$format"_s), u"json"_s);
        QCOMPARE(q(read, u"$top"_s), u"1000"_s);
        QCOMPARE(q(read, u"$skip"_s), u"0"_s);

        server.clearRequests();
        Result<WriteSummary> written = writeOne(**c, u"business_partners"_s, WriteMode::Upsert,
                                                u"{'BusinessPartner':'1000123','OrganizationBPName1':'Acme'}"_s);
        REQUIRE_OK(written);
        QCOMPARE(written->updated, 1);
        const auto requests = server.requests();
        QCOMPARE(requests.size(), 4); // fetch, refused PATCH, fetch again, PATCH
        QCOMPARE(requests.at(0).path, u"/sap/opu/odata/sap/API_BUSINESS_PARTNER/"_s);
        QCOMPARE(requests.at(1).header("X-CSRF-Token"), "tok-1"_ba);
        QVERIFY(requests.at(1).header("Cookie").contains("SAP_SESSIONID_X=s1"));
        QCOMPARE(requests.at(3).method, "PATCH"_ba);
        QCOMPARE(requests.at(3).rawPath, "/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner('1000123')"_ba);
        QCOMPARE(requests.at(3).header("X-CSRF-Token"), "tok-2"_ba);
        QCOMPARE(body(requests.at(3)), j(u"{'OrganizationBPName1':'Acme'}"_s));
    }

    // no authentication · one request
    void statuspage()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            return json(u"{'page':{'id':'kctbh9vrtdwd'},'components':[{'id':'b13yz5g2cw10','status':'operational','updated_at':'2024-02-01T10:00:00.000Z'}]}"_s);
        });
        auto c = open(u"statuspage"_s, server.url(u"/api/v2"_s), u"'parameters':{'status_host':'www.githubstatus.com'}"_s, {});
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"components"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), QStringList{u"b13yz5g2cw10"_s});
        QCOMPARE(server.requests().first().path, u"/api/v2/components.json"_s);
        QVERIFY(!server.requests().first().hasHeader("Authorization"));
        Result<ConnectionTest> test = (*c)->testConnection();
        REQUIRE_OK(test);
    }
};

QTEST_GUILESS_MAIN(TestCatalogExecution)
#include "tst_catalogexecution.moc"
