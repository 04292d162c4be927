// The generic REST connector (core/connectors/restconnector.h) against a local HTTP server:
// every pagination style, every catalog auth type, record formats, incremental reads, writes,
// response checks, the throttle and the errors of bad answers and bad configuration.

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

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QTest>
#include <QThread>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <thread>

using namespace Conflux;
using namespace Conflux::Connectors;
using namespace Qt::StringLiterals;
using Conflux::Test::MapSecrets;
using Conflux::Test::j;
using Conflux::Tests::TestHttpServer;

namespace {

QByteArray jb(const QString &text)
{
    return Data::Json::serialize(j(text));
}

Http::HttpResponse json(const QString &text, int status = 200)
{
    return Http::HttpResponse(status, jb(text), "application/json");
}

QString q(const Http::HttpRequest &request, const QString &name)
{
    return request.query.queryItemValue(name, QUrl::FullyDecoded);
}

QUrlQuery form(const Http::HttpRequest &request)
{
    return QUrlQuery(QString::fromUtf8(request.body));
}

QString formValue(const Http::HttpRequest &request, const QString &name)
{
    return form(request).queryItemValue(name, QUrl::FullyDecoded);
}

ConnectorContext context(QHash<QString, QString> secrets = {})
{
    ConnectorContext c;
    c.secrets = std::make_shared<MapSecrets>(std::move(secrets));
    return c;
}

// An inline endpoint (configuration.resources) or a catalog endpoint (configuration.catalog).
Result<std::unique_ptr<Connector>> make(const QUrl &url, const QString &configuration, const ConnectorContext &ctx,
                                        const ConnectorCatalog *catalog = nullptr, const QString &extra = {})
{
    static std::atomic<int> serial{0};
    const QString id = u"rest-test-%1"_s.arg(++serial);
    const Data::Value document = j(u"{'kind':'Endpoint','schemaVersion':1,'id':'%1','name':'Test','type':'api',"
                                   "'protocol':'rest','url':'%2','configuration':%3 %4}"_s
                                       .arg(id, url.toString(), configuration, extra));
    Result<EndpointSpec> spec = parseEndpoint(document);
    if (!spec)
        return spec.error();
    spec->retryAttempts = 0;
    return createRestConnector(*spec, ctx, catalog);
}

struct ReadOut
{
    Result<ReadSummary> summary = makeError("not_run", QString());
    std::vector<Data::Value> records;
    QStringList ids(const QString &field = u"id"_s) const
    {
        QStringList out;
        for (const Data::Value &r : records)
            out.append(Rest::scalarText(r[field]));
        return out;
    }
};

ReadOut readAll(Connector &connector, ReadRequest request)
{
    ReadOut out;
    out.summary = connector.read(request, [&](std::vector<Data::Value> &&page) {
        for (Data::Value &r : page)
            out.records.push_back(std::move(r));
        return true;
    });
    return out;
}

ReadOut readAll(Connector &connector, const QString &entity)
{
    ReadRequest request;
    request.entity = entity;
    return readAll(connector, request);
}

QString errorText(const Error &error)
{
    return error.code + u": "_s + error.toString();
}

#define REQUIRE_OK(result) QVERIFY2(result, qPrintable((result) ? QString() : errorText((result).error())))

// Items id 1..n as JSON objects.
QString items(int from, int to)
{
    QStringList list;
    for (int i = from; i <= to; ++i)
        list.append(u"{'id':%1}"_s.arg(i));
    return u'[' + list.join(u',') + u']';
}

QByteArray generatePem(const char *type, const char *curve)
{
    EVP_PKEY *key = curve ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve)
                          : EVP_PKEY_Q_keygen(nullptr, nullptr, type, size_t(2048));
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    EVP_PKEY_free(key);
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(length));
}

// A one-definition catalog with `auth` and one resource /items (records at /data).
ConnectorCatalog catalogWith(const QString &auth, const QString &parameters, const QString &extra = {})
{
    ConnectorCatalog catalog;
    const Data::Value definition = j(
        u"{'kind':'ConnectorDefinition','schemaVersion':1,'id':'svc','name':'Svc','description':'d','category':'crm',"
        "'documentation':'https://example.com','protocol':'rest','base_url':'https://{host}/api','auth':%1,"
        "'parameters':[{'name':'host','description':'h','required':true}%2],'pagination':{'style':'none'},"
        "'resources':[{'name':'items','description':'i','method':'GET','path':'/items','record_selector':'/data',"
        "'primary_key':['id']}] %3}"_s.arg(auth, parameters, extra));
    Result<RestApi> api = RestApi::fromDefinition(definition, u"svc.json"_s);
    if (!api)
        qFatal("bad test definition: %s", qPrintable(api.error().toString()));
    catalog.add(*api, definition);
    return catalog;
}

} // namespace

class TestRestConnector : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        HttpClient::resetSharedState();
        resetRotatedRefreshTokens();
    }

    // ---- pagination ----------------------------------------------------------------------

    void paginationNone()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return json(u"{'data':"_s + items(1, 3) + u'}'); });
        auto c = make(server.url(u"/api"_s), u"{'resources':[{'name':'items','path':'/items','record_selector':'/data','primary_key':['id']}]}"_s, context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"items"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"1"_s, u"2"_s, u"3"_s}));
        QCOMPARE(out.summary->pages, 1);
        QCOMPARE(server.requestCount(), 1);
        QCOMPARE(server.requests().first().path, u"/api/items"_s);
        QCOMPARE(server.requests().first().header("Accept"), QByteArray());
    }

    void paginationOffset()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            const int offset = q(r, u"start"_s).toInt();
            return json(u"{'total':5,'rows':%1}"_s.arg(items(offset + 1, std::min(offset + 2, 5))));
        });
        auto c = make(server.url(), u"{'pagination':{'style':'offset','offset_param':'start','limit_param':'count','page_size':2,"
                                    "'total_path':'/total'},'resources':[{'name':'rows','path':'/rows','record_selector':'/rows',"
                                    "'primary_key':['id']}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"rows"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"1"_s, u"2"_s, u"3"_s, u"4"_s, u"5"_s}));
        const auto requests = server.requests();
        QCOMPARE(requests.size(), 3); // the third page is short and the total is reached
        QCOMPARE(q(requests.at(0), u"start"_s), u"0"_s);
        QCOMPARE(q(requests.at(1), u"start"_s), u"2"_s);
        QCOMPARE(q(requests.at(2), u"start"_s), u"4"_s);
        QCOMPARE(q(requests.at(2), u"count"_s), u"2"_s);
    }

    void paginationOffsetTemplate()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            const QString query = q(r, u"query"_s);
            const int start = query.section(u"STARTPOSITION "_s, 1).section(u' ', 0, 0).toInt();
            return json(u"{'QueryResponse':{'Customer':%1}}"_s.arg(start > 4 ? u"[]"_s : items(start, std::min(start + 1, 3))));
        });
        auto c = make(server.url(), u"{'pagination':{'style':'offset','params_in':'template','page_size':2,'start_offset':1},"
                                    "'resources':[{'name':'customers','path':'/query','record_selector':'/QueryResponse/Customer',"
                                    "'primary_key':['id'],'query':{'query':'SELECT * FROM Customer STARTPOSITION {offset} MAXRESULTS {limit}'}}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"customers"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"1"_s, u"2"_s, u"3"_s}));
        const auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(q(requests.at(0), u"query"_s), u"SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 2"_s);
        QCOMPARE(q(requests.at(1), u"query"_s), u"SELECT * FROM Customer STARTPOSITION 3 MAXRESULTS 2"_s);
    }

    void paginationPageWithTotalPages()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            const int page = q(r, u"page"_s).toInt();
            return json(u"{'total_pages':3,'items':%1}"_s.arg(items(page * 10, page * 10)));
        });
        auto c = make(server.url(), u"{'pagination':{'style':'page','page_param':'page','start_page':0,'total_pages_path':'/total_pages'},"
                                    "'resources':[{'name':'items','path':'/items','record_selector':'/items','primary_key':['id']}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"items"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"0"_s, u"10"_s, u"20"_s}));
        QCOMPARE(server.requestCount(), 3);
        QVERIFY(!server.requests().first().query.hasQueryItem(u"limit"_s));
    }

    void paginationPageInBodyWithTotal()
    {
        // Magento answers a page past the end with the last page again: the total stops it.
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            const Data::Value body = *Data::Json::parse(r.body);
            const int page = int(body[u"variables"][u"page"].toDouble());
            return json(u"{'data':{'count':3,'boards':%1}}"_s.arg(page == 1 ? items(1, 2) : items(3, 3)));
        });
        auto c = make(server.url(), u"{'resources':[{'name':'boards','method':'POST','path':'/graphql','record_selector':'/data/boards',"
                                    "'primary_key':['id'],'body':{'query':'query ($page: Int) { boards (page: $page) { id } }','variables':{}},"
                                    "'pagination':{'style':'page','params_in':'body','page_param':'/variables/page','limit_param':'/variables/limit',"
                                    "'page_size':2,'total_path':'/data/count'}}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"boards"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"1"_s, u"2"_s, u"3"_s}));
        const auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests.at(0).method, "POST"_ba);
        const Data::Value second = *Data::Json::parse(requests.at(1).body);
        QCOMPARE(second[u"variables"][u"page"].toDouble(), 2.0);
        QCOMPARE(second[u"variables"][u"limit"].toDouble(), 2.0);
        QCOMPARE(second[u"query"].toString(), u"query ($page: Int) { boards (page: $page) { id } }"_s);
        QCOMPARE(requests.at(0).header("Content-Type"), "application/json"_ba);
    }

    void paginationCursorFromBody()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            const QString cursor = q(r, u"cursor"_s);
            if (cursor.isEmpty())
                return json(u"{'ok':true,'channels':%1,'response_metadata':{'next_cursor':'c2'}}"_s.arg(items(1, 2)));
            if (cursor == u"c2"_s)
                return json(u"{'ok':true,'channels':%1,'response_metadata':{'next_cursor':''}}"_s.arg(items(3, 3)));
            return json(u"{'ok':false,'error':'invalid_cursor'}"_s);
        });
        auto c = make(server.url(), u"{'pagination':{'style':'cursor','cursor_param':'cursor','next_cursor_path':'/response_metadata/next_cursor',"
                                    "'limit_param':'limit','page_size':2},'response_check':{'success_path':'/ok','message_path':'/error'},"
                                    "'resources':[{'name':'channels','path':'/conversations.list','record_selector':'/channels','primary_key':['id'],"
                                    "'query':{'types':'public_channel,private_channel'}}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"channels"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"1"_s, u"2"_s, u"3"_s}));
        const auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QVERIFY(!requests.at(0).query.hasQueryItem(u"cursor"_s));
        QCOMPARE(q(requests.at(1), u"cursor"_s), u"c2"_s);
        QCOMPARE(q(requests.at(1), u"limit"_s), u"2"_s);
        QCOMPARE(q(requests.at(1), u"types"_s), u"public_channel,private_channel"_s);
    }

    void paginationCursorFromLastRecordWithHasMore()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            const QString after = q(r, u"starting_after"_s);
            if (after.isEmpty())
                return json(u"{'has_more':true,'data':[{'id':'cus_1'},{'id':'cus_2'}]}"_s);
            return json(u"{'has_more':false,'data':[{'id':'cus_3'}]}"_s);
        });
        auto c = make(server.url(), u"{'pagination':{'style':'cursor','cursor_param':'starting_after','last_record_cursor_path':'/id',"
                                    "'has_more_path':'/has_more','limit_param':'limit','page_size':2},"
                                    "'resources':[{'name':'customers','path':'/customers','record_selector':'/data','primary_key':['id']}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"customers"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"cus_1"_s, u"cus_2"_s, u"cus_3"_s}));
        QCOMPARE(server.requestCount(), 2);
        QCOMPARE(q(server.requests().at(1), u"starting_after"_s), u"cus_2"_s);
    }

    void paginationCursorInBody()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            const Data::Value body = *Data::Json::parse(r.body);
            if (body[u"start_cursor"].isUndefined())
                return json(u"{'results':%1,'has_more':true,'next_cursor':'n2'}"_s.arg(items(1, 1)));
            return json(u"{'results':%1,'has_more':false,'next_cursor':null}"_s.arg(items(2, 2)));
        });
        auto c = make(server.url(), u"{'resources':[{'name':'pages','method':'POST','path':'/databases/{database_id}/query','record_selector':'/results',"
                                    "'primary_key':['id'],'body':{'sorts':[{'timestamp':'last_edited_time'}]},"
                                    "'parameters':[{'name':'database_id','in':'path','required':true}],"
                                    "'pagination':{'style':'cursor','params_in':'body','cursor_param':'/start_cursor','next_cursor_path':'/next_cursor',"
                                    "'has_more_path':'/has_more','limit_param':'/page_size','page_size':100}}],"
                                    "'resource_parameters':{'pages':{'database_id':'db/1'}}}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"pages"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"1"_s, u"2"_s}));
        const auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests.at(0).rawPath, "/databases/db%2F1/query"_ba); // one path segment
        QCOMPARE(*Data::Json::parse(requests.at(0).body), j(u"{'sorts':[{'timestamp':'last_edited_time'}],'page_size':100}"_s));
        QCOMPARE(*Data::Json::parse(requests.at(1).body),
                 j(u"{'sorts':[{'timestamp':'last_edited_time'}],'page_size':100,'start_cursor':'n2'}"_s));
    }

    void paginationCursorContinue()
    {
        // Dropbox: later pages come from /files/list_folder/continue with {"cursor": ...}.
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.path == u"/files/list_folder"_s)
                return json(u"{'entries':%1,'cursor':'k1','has_more':true}"_s.arg(items(1, 2)));
            const Data::Value body = *Data::Json::parse(r.body);
            if (body[u"cursor"].toString() == u"k1"_s)
                return json(u"{'entries':%1,'cursor':'k2','has_more':true}"_s.arg(items(3, 3)));
            return json(u"{'entries':%1,'cursor':'k3','has_more':false}"_s.arg(items(4, 4)));
        });
        auto c = make(server.url(), u"{'resources':[{'name':'files','method':'POST','path':'/files/list_folder','record_selector':'/entries',"
                                    "'primary_key':['id'],'body':{'path':'{folder_path}','recursive':true},"
                                    "'parameters':[{'name':'folder_path','in':'template','required':false,'default':''}],"
                                    "'pagination':{'style':'cursor','params_in':'body','cursor_param':'/cursor','next_cursor_path':'/cursor',"
                                    "'has_more_path':'/has_more','continue':{'method':'POST','path':'/files/list_folder/continue','body':{}}}}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"files"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"1"_s, u"2"_s, u"3"_s, u"4"_s}));
        const auto requests = server.requests();
        QCOMPARE(requests.size(), 3);
        QCOMPARE(*Data::Json::parse(requests.at(0).body), j(u"{'path':'','recursive':true}"_s));
        QCOMPARE(requests.at(1).path, u"/files/list_folder/continue"_s);
        QCOMPARE(*Data::Json::parse(requests.at(1).body), j(u"{'cursor':'k1'}"_s));
        QCOMPARE(*Data::Json::parse(requests.at(2).body), j(u"{'cursor':'k2'}"_s));
    }

    void paginationLinkHeader()
    {
        TestHttpServer server;
        const QString base = server.url().toString(QUrl::StripTrailingSlash);
        server.setHandler([base](const Http::HttpRequest &r) {
            const int page = q(r, u"page"_s).isEmpty() ? 1 : q(r, u"page"_s).toInt();
            Http::HttpResponse response = json(items(page, page));
            if (page < 3) {
                response.addHeader("Link", (u"<%1/repos?per_page=1&page=%2>; rel=\"next\", <%1/repos?per_page=1&page=3>; rel=\"last\""_s
                                                .arg(base)
                                                .arg(page + 1))
                                               .toUtf8());
            }
            return response;
        });
        auto c = make(server.url(), u"{'pagination':{'style':'link_header','limit_param':'per_page','page_size':1},"
                                    "'resources':[{'name':'repos','path':'/repos','record_selector':'','primary_key':['id'],"
                                    "'query':{'sort':'updated'}}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"repos"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"1"_s, u"2"_s, u"3"_s}));
        const auto requests = server.requests();
        QCOMPARE(requests.size(), 3);
        QCOMPARE(q(requests.at(0), u"sort"_s), u"updated"_s);
        QCOMPARE(requests.at(1).target, "/repos?per_page=1&page=2"_ba); // requested as is
    }

    void paginationNextUrl()
    {
        TestHttpServer server;
        const QString base = server.url().toString(QUrl::StripTrailingSlash);
        server.setHandler([base](const Http::HttpRequest &r) {
            if (r.path == u"/query"_s)
                return json(u"{'done':false,'records':%1,'nextRecordsUrl':'/query/01g-2000'}"_s.arg(items(1, 1)));
            if (r.path == u"/query/01g-2000"_s)
                return json(u"{'done':false,'records':%1,'nextRecordsUrl':'%2/query/01g-4000'}"_s.arg(items(2, 2), base));
            return json(u"{'done':true,'records':%1,'nextRecordsUrl':'/query/never'}"_s.arg(items(3, 3)));
        });
        auto c = make(server.url(), u"{'pagination':{'style':'next_url','next_url_path':'/nextRecordsUrl','done_path':'/done'},"
                                    "'resources':[{'name':'accounts','path':'/query','record_selector':'/records','primary_key':['id'],"
                                    "'query':{'q':'SELECT Id FROM Account'}}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"accounts"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(out.ids(), (QStringList{u"1"_s, u"2"_s, u"3"_s}));
        const auto requests = server.requests();
        QCOMPARE(requests.size(), 3);
        QCOMPARE(q(requests.at(0), u"q"_s), u"SELECT Id FROM Account"_s);
        QCOMPARE(requests.at(1).target, "/query/01g-2000"_ba);
        QCOMPARE(requests.at(2).target, "/query/01g-4000"_ba);
    }

    void maxPagesIsAnError()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            const int n = q(r, u"after"_s).toInt();
            return json(u"{'items':%1,'next':'%2'}"_s.arg(items(n, n)).arg(n + 1));
        });
        auto c = make(server.url(), u"{'max_pages':4,'pagination':{'style':'cursor','cursor_param':'after','next_cursor_path':'/next'},"
                                    "'resources':[{'name':'items','path':'/items','record_selector':'/items','primary_key':['id']}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"items"_s);
        QVERIFY(!out.summary);
        QCOMPARE(out.summary.error().code, u"max_pages_exceeded"_s);
        QVERIFY(out.summary.error().message.contains(u"max_pages"_s));
        QCOMPARE(server.requestCount(), 4);
        QCOMPARE(out.records.size(), size_t(4)); // the pages read were delivered
    }

    void nextUrlOnAnotherHostIsRefused()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            return json(u"{'value':%1,'@odata.nextLink':'http://attacker.example/steal?page=2'}"_s.arg(items(1, 1)));
        });
        auto c = make(server.url(), u"{'pagination':{'style':'next_url','next_url_path':'/@odata.nextLink'},"
                                    "'resources':[{'name':'users','path':'/users','record_selector':'/value','primary_key':['id']}]}"_s,
                      context({{u"t"_s, u"token-1"_s}}), nullptr,
                      u",'authentication':{'type':'bearer','token':{'secret':'t'}}"_s);
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"users"_s);
        QVERIFY(!out.summary);
        QCOMPARE(out.summary.error().code, u"invalid_response"_s);
        QVERIFY(out.summary.error().message.contains(u"another host"_s));
    }

    // ---- authentication ------------------------------------------------------------------

    void authNone()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return json(u"{'data':[{'id':1}]}"_s); });
        ConnectorCatalog catalog = catalogWith(u"{'type':'none'}"_s, {});
        auto c = make(server.url(u"/api"_s), u"{'catalog':'svc','parameters':{'host':'unused'}}"_s, context(), &catalog);
        REQUIRE_OK(c);
        REQUIRE_OK(readAll(**c, u"items"_s).summary);
        QVERIFY(!server.requests().first().hasHeader("Authorization"));
        QCOMPARE(server.requests().first().path, u"/api/items"_s); // the endpoint's url replaces base_url
    }

    void authBasicWithTemplates()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return json(u"{'data':[]}"_s); });
        ConnectorCatalog catalog = catalogWith(u"{'type':'basic','username':'{email}/token','password':'{api_token}'}"_s,
                                               u",{'name':'email','description':'e','required':true},"
                                               "{'name':'api_token','description':'t','required':true,'secret':true}"_s);
        auto c = make(server.url(u"/api"_s), u"{'catalog':'svc','parameters':{'host':'h','email':'agent@acme.com','api_token':{'secret':'zd.token'}}}"_s,
                      context({{u"zd.token"_s, u"s3cr3t"_s}}), &catalog);
        REQUIRE_OK(c);
        REQUIRE_OK(readAll(**c, u"items"_s).summary);
        QCOMPARE(server.requests().first().header("Authorization"), "Basic " + "agent@acme.com/token:s3cr3t"_ba.toBase64());
    }

    void authBearerHeaderAndPrefix_data()
    {
        QTest::addColumn<QString>("auth");
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("expected");
        QTest::addRow("default") << u"{'type':'bearer','token':'{token}'}"_s << "Authorization"_ba << "Bearer tok-1"_ba;
        QTest::addRow("own header") << u"{'type':'bearer','token':'{token}','header':'X-Auth','prefix':'Token'}"_s << "X-Auth"_ba
                                    << "Token tok-1"_ba;
        QTest::addRow("no prefix") << u"{'type':'bearer','token':'{token}','prefix':''}"_s << "Authorization"_ba << "tok-1"_ba;
    }

    void authBearerHeaderAndPrefix()
    {
        QFETCH(QString, auth);
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, expected);
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return json(u"{'data':[]}"_s); });
        ConnectorCatalog catalog = catalogWith(auth, u",{'name':'token','description':'t','required':true,'secret':true}"_s);
        auto c = make(server.url(), u"{'catalog':'svc','parameters':{'host':'h','token':{'secret':'tok'}}}"_s,
                      context({{u"tok"_s, u"tok-1"_s}}), &catalog);
        REQUIRE_OK(c);
        REQUIRE_OK(readAll(**c, u"items"_s).summary);
        QCOMPARE(server.requests().first().header(header), expected);
    }

    void authApiKeyHeaderAndQuery()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return json(u"{'data':[]}"_s); });
        const QString param = u",{'name':'api_key','description':'k','required':true,'secret':true}"_s;
        ConnectorCatalog inHeader = catalogWith(u"{'type':'api_key','in':'header','name':'Authorization','value':'Token token={api_key}'}"_s, param);
        auto c = make(server.url(), u"{'catalog':'svc','parameters':{'host':'h','api_key':{'secret':'pd'}}}"_s,
                      context({{u"pd"_s, u"k+1/x"_s}}), &inHeader);
        REQUIRE_OK(c);
        REQUIRE_OK(readAll(**c, u"items"_s).summary);
        QCOMPARE(server.requests().last().header("Authorization"), "Token token=k+1/x"_ba);

        ConnectorCatalog inQuery = catalogWith(u"{'type':'api_key','in':'query','name':'key','value':'{api_key}'}"_s, param);
        c = make(server.url(), u"{'catalog':'svc','parameters':{'host':'h','api_key':{'secret':'pd'}}}"_s,
                 context({{u"pd"_s, u"k+1/x"_s}}), &inQuery);
        REQUIRE_OK(c);
        REQUIRE_OK(readAll(**c, u"items"_s).summary);
        QCOMPARE(q(server.requests().last(), u"key"_s), u"k+1/x"_s);
        QVERIFY(!server.requests().last().hasHeader("Authorization"));
    }

    void authClientCredentials_data()
    {
        QTest::addColumn<QString>("extra");       // auth members
        QTest::addColumn<QString>("placement");   // where client_id/secret must arrive
        QTest::addColumn<bool>("jsonBody");
        QTest::addRow("basic, form") << u""_s << u"basic"_s << false;
        QTest::addRow("body, form") << u",'client_auth':'body'"_s << u"body"_s << false;
        QTest::addRow("body, json") << u",'client_auth':'body','token_content_type':'json','token_params':{'account_id':'{account}'}"_s
                                    << u"body"_s << true;
        QTest::addRow("query") << u",'client_auth':'query'"_s << u"query"_s << false;
    }

    void authClientCredentials()
    {
        QFETCH(QString, extra);
        QFETCH(QString, placement);
        QFETCH(bool, jsonBody);
        TestHttpServer server;
        std::atomic<int> tokens{0};
        QList<Http::HttpRequest> tokenRequests;
        QMutex mutex;
        server.setHandler([&](const Http::HttpRequest &r) {
            if (r.path == u"/oauth/token"_s) {
                QMutexLocker lock(&mutex);
                tokenRequests.append(r);
                return json(u"{'access_token':'at-%1','token_type':'bearer','expires_in':3600}"_s.arg(++tokens));
            }
            if (r.header("Authorization") != "Bearer at-" + QByteArray::number(tokens.load()))
                return json(u"{'error':'bad token'}"_s, 401);
            return json(u"{'data':[{'id':1}]}"_s);
        });
        ConnectorCatalog catalog = catalogWith(
            u"{'type':'oauth2_client_credentials','token_url':'https://{host}/oauth/token','client_id':'{client_id}',"
            "'client_secret':'{client_secret}','scopes':['read','write']"_s + extra + u'}',
            u",{'name':'client_id','description':'c','required':true},{'name':'client_secret','description':'s','required':true,'secret':true},"
            "{'name':'account','description':'a','required':false}"_s);
        auto c = make(server.url(), u"{'catalog':'svc','parameters':{'host':'h','client_id':'cid 1','client_secret':{'secret':'cs'},"
                                    "'account':'acc-9'},'token_url':'%1'}"_s.arg(server.url(u"/oauth/token"_s).toString()),
                      context({{u"cs"_s, u"sec&ret"_s}}), &catalog);
        REQUIRE_OK(c);
        REQUIRE_OK(readAll(**c, u"items"_s).summary);
        REQUIRE_OK(readAll(**c, u"items"_s).summary);
        QCOMPARE(tokens.load(), 1); // cached
        const Http::HttpRequest token = tokenRequests.first();
        QCOMPARE(token.method, "POST"_ba);
        QUrlQuery params;
        if (jsonBody) {
            QCOMPARE(token.header("Content-Type"), "application/json"_ba);
            const Data::Value body = *Data::Json::parse(token.body);
            QCOMPARE(body[u"grant_type"].toString(), u"client_credentials"_s);
            QCOMPARE(body[u"scope"].toString(), u"read write"_s);
            QCOMPARE(body[u"account_id"].toString(), u"acc-9"_s);
            QCOMPARE(body[u"client_id"].toString(), u"cid 1"_s);
            QCOMPARE(body[u"client_secret"].toString(), u"sec&ret"_s);
            return;
        }
        if (placement == u"query"_s) {
            QVERIFY(token.body.isEmpty());
            params = token.query;
        } else {
            QCOMPARE(token.header("Content-Type"), "application/x-www-form-urlencoded"_ba);
            params = form(token);
        }
        QCOMPARE(params.queryItemValue(u"grant_type"_s, QUrl::FullyDecoded), u"client_credentials"_s);
        QCOMPARE(params.queryItemValue(u"scope"_s, QUrl::FullyDecoded), u"read write"_s);
        if (placement == u"basic"_s) {
            QCOMPARE(token.header("Authorization"), "Basic " + "cid%201:sec%26ret"_ba.toBase64());
            QVERIFY(!params.hasQueryItem(u"client_secret"_s));
        } else {
            QVERIFY(!token.hasHeader("Authorization"));
            QCOMPARE(params.queryItemValue(u"client_id"_s, QUrl::FullyDecoded), u"cid 1"_s);
            QCOMPARE(params.queryItemValue(u"client_secret"_s, QUrl::FullyDecoded), u"sec&ret"_s);
        }
    }

    void authClientCredentialsRefreshesAfter401()
    {
        TestHttpServer server;
        std::atomic<int> tokens{0};
        std::atomic<int> reads{0};
        server.setHandler([&](const Http::HttpRequest &r) {
            if (r.path == u"/token"_s)
                return json(u"{'access_token':'at-%1','expires_in':3600}"_s.arg(++tokens));
            // The first token is revoked after the first read.
            if (++reads > 1 && r.header("X-Token") == "at-1")
                return json(u"{'error':'expired'}"_s, 401);
            return json(u"{'data':[{'id':1}]}"_s);
        });
        ConnectorCatalog catalog = catalogWith(
            u"{'type':'oauth2_client_credentials','token_url':'https://login.example/token','client_id':'c','client_secret':'{s}',"
            "'grant_type':'account_credentials','header':'X-Token','prefix':''}"_s,
            u",{'name':'s','description':'s','required':true,'secret':true}"_s);
        auto c = make(server.url(), u"{'catalog':'svc','parameters':{'host':'h','s':{'secret':'s'}},'token_url':'%1'}"_s.arg(server.url(u"/token"_s).toString()),
                      context({{u"s"_s, u"x"_s}}), &catalog);
        REQUIRE_OK(c);
        REQUIRE_OK(readAll(**c, u"items"_s).summary);
        REQUIRE_OK(readAll(**c, u"items"_s).summary);
        QCOMPARE(tokens.load(), 2);
        QCOMPARE(server.requests().last().header("X-Token"), "at-2"_ba);
        QCOMPARE(formValue(server.requests().first(), u"grant_type"_s), u"account_credentials"_s);
    }

    void authRefreshTokenRotates()
    {
        TestHttpServer server;
        QStringList received;
        QMutex mutex;
        std::atomic<int> reads{0};
        server.setHandler([&](const Http::HttpRequest &r) {
            if (r.path == u"/token"_s) {
                QMutexLocker lock(&mutex);
                received.append(formValue(r, u"refresh_token"_s));
                const int n = int(received.size());
                return json(u"{'access_token':'at-%1','token_type':'bearer','expires_in':3600,'refresh_token':'rt-%2'}"_s.arg(n).arg(n + 1));
            }
            if (++reads == 2)
                return json(u"{'error':'expired'}"_s, 401);
            return json(u"{'data':[{'id':1}]}"_s);
        });
        ConnectorCatalog catalog = catalogWith(
            u"{'type':'oauth2_refresh_token','token_url':'https://identity.example/connect/token','client_id':'{client_id}',"
            "'client_secret':'{client_secret}','refresh_token':'{refresh_token}'}"_s,
            u",{'name':'client_id','description':'c','required':true},{'name':'client_secret','description':'s','required':true,'secret':true},"
            "{'name':'refresh_token','description':'r','required':true,'secret':true}"_s);
        auto c = make(server.url(), u"{'catalog':'svc','parameters':{'host':'h','client_id':'app','client_secret':{'secret':'cs'},"
                                    "'refresh_token':{'secret':'rt'}},'token_url':'%1'}"_s.arg(server.url(u"/token"_s).toString()),
                      context({{u"cs"_s, u"secret"_s}, {u"rt"_s, u"rt-1"_s}}), &catalog);
        REQUIRE_OK(c);
        REQUIRE_OK(readAll(**c, u"items"_s).summary);
        REQUIRE_OK(readAll(**c, u"items"_s).summary); // 401 → refresh with the rotated token
        QCOMPARE(received, (QStringList{u"rt-1"_s, u"rt-2"_s}));
        const Http::HttpRequest first = server.requests().first();
        QCOMPARE(formValue(first, u"grant_type"_s), u"refresh_token"_s);
        QCOMPARE(first.header("Authorization"), "Basic " + "app:secret"_ba.toBase64());

        // A new connector with the same credentials (same process) uses the rotated token too.
        HttpClient::resetSharedState();
        auto again = make(server.url(), u"{'catalog':'svc','parameters':{'host':'h','client_id':'app','client_secret':{'secret':'cs'},"
                                        "'refresh_token':{'secret':'rt'}},'token_url':'%1'}"_s.arg(server.url(u"/token"_s).toString()),
                          context({{u"cs"_s, u"secret"_s}, {u"rt"_s, u"rt-1"_s}}), &catalog);
        REQUIRE_OK(again);
        REQUIRE_OK(readAll(**again, u"items"_s).summary);
        QCOMPARE(received.last(), u"rt-3"_s);
    }

    void authRefreshTokenRefused()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            return json(u"{'error':'invalid_grant','error_description':'token revoked'}"_s, 400);
        });
        ConnectorCatalog catalog = catalogWith(
            u"{'type':'oauth2_refresh_token','token_url':'https://x.example/t','refresh_token':'{refresh_token}','client_id':'pub'}"_s,
            u",{'name':'refresh_token','description':'r','required':true,'secret':true}"_s);
        auto c = make(server.url(), u"{'catalog':'svc','parameters':{'host':'h','refresh_token':{'secret':'rt'}},'token_url':'%1'}"_s.arg(server.url(u"/t"_s).toString()),
                      context({{u"rt"_s, u"old-refresh-token"_s}}), &catalog);
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"items"_s);
        QVERIFY(!out.summary);
        QCOMPARE(out.summary.error().code, u"authentication_failed"_s);
        QVERIFY(out.summary.error().message.contains(u"invalid_grant (token revoked)"_s));
        QVERIFY(!out.summary.error().message.contains(u"old-refresh-token"_s));
        // A public client (no secret) sends its id in the body.
        QCOMPARE(formValue(server.requests().first(), u"client_id"_s), u"pub"_s);
    }

    void authJwtBearer_data()
    {
        QTest::addColumn<QString>("algorithm");
        QTest::addColumn<QByteArray>("type");
        QTest::addColumn<QByteArray>("curve");
        QTest::addColumn<QString>("grant");
        QTest::addRow("RS256 jwt_bearer") << u"RS256"_s << "RSA"_ba << QByteArray() << u"jwt_bearer"_s;
        QTest::addRow("PS256 assertion") << u"PS256"_s << "RSA"_ba << QByteArray() << u"client_credentials_assertion"_s;
        QTest::addRow("ES256 jwt_bearer") << u"ES256"_s << "EC"_ba << "P-256"_ba << u"jwt_bearer"_s;
        QTest::addRow("ES384 assertion") << u"ES384"_s << "EC"_ba << "P-384"_ba << u"client_credentials_assertion"_s;
    }

    void authJwtBearer()
    {
        QFETCH(QString, algorithm);
        QFETCH(QByteArray, type);
        QFETCH(QByteArray, curve);
        QFETCH(QString, grant);
        const QByteArray pem = generatePem(type.constData(), curve.isEmpty() ? nullptr : curve.constData());
        Result<Security::SigningKey> signing = Security::SigningKey::fromPem(pem);
        REQUIRE_OK(signing);
        Result<Security::Jwk> publicKey = Security::Jwk::fromPem(signing->publicKeyPem(), u"kid-1"_s);
        REQUIRE_OK(publicKey);

        TestHttpServer server;
        QString verdict;
        QJsonObject claims;
        QMutex mutex;
        server.setHandler([&](const Http::HttpRequest &r) {
            if (r.path != u"/token"_s)
                return r.header("Authorization") == "Bearer jwt-token" ? json(u"{'data':[{'id':1}]}"_s) : json(u"{}"_s, 401);
            QMutexLocker lock(&mutex);
            const bool assertionGrant = grant == u"client_credentials_assertion"_s;
            const QString expectedGrant = assertionGrant ? u"client_credentials"_s : u"urn:ietf:params:oauth:grant-type:jwt-bearer"_s;
            if (formValue(r, u"grant_type"_s) != expectedGrant) {
                verdict = u"grant_type "_s + formValue(r, u"grant_type"_s);
                return json(u"{'error':'unsupported_grant_type'}"_s, 400);
            }
            if (assertionGrant && formValue(r, u"client_assertion_type"_s) != u"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"_s) {
                verdict = u"client_assertion_type"_s;
                return json(u"{'error':'invalid_client'}"_s, 400);
            }
            const QString assertion = formValue(r, assertionGrant ? u"client_assertion"_s : u"assertion"_s);
            Security::JwkSet keys;
            keys.append(*publicKey);
            Security::JwtPolicy policy;
            policy.allowedAlgorithms = {*Security::jwsAlgorithmFromName(algorithm)};
            policy.allowedIssuers = {u"client@svc.example"_s};
            policy.audiences = {u"https://h/token"_s};
            Result<Security::VerifiedJwt> verified = Security::verifyJwt(assertion.toUtf8(), keys, policy);
            if (!verified) {
                verdict = verified.error().toString();
                return json(u"{'error':'invalid_grant'}"_s, 400);
            }
            verdict = u"verified"_s;
            claims = verified->claims;
            return json(u"{'access_token':'jwt-token','token_type':'Bearer','expires_in':3599}"_s);
        });
        ConnectorCatalog catalog = catalogWith(
            u"{'type':'oauth2_jwt_bearer','token_url':'https://{host}/token','private_key':'{private_key}','algorithm':'%1',"
            "'grant':'%2','key_id':'kid-1','claims':{'iss':'{client_email}','aud':'https://{host}/token','sub':'{subject}',"
            "'scope':'https://www.googleapis.com/auth/bigquery'}}"_s.arg(algorithm, grant),
            u",{'name':'client_email','description':'c','required':true},{'name':'subject','description':'s','required':false},"
            "{'name':'private_key','description':'k','required':true,'secret':true}"_s);
        auto c = make(server.url(), u"{'catalog':'svc','parameters':{'host':'h','client_email':'client@svc.example',"
                                    "'private_key':{'secret':'pk'}},'token_url':'%1'}"_s.arg(server.url(u"/token"_s).toString()),
                      context({{u"pk"_s, QString::fromLatin1(pem)}}), &catalog);
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"items"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(verdict, u"verified"_s);
        QCOMPARE(claims.value(u"scope"_s).toString(), u"https://www.googleapis.com/auth/bigquery"_s);
        QVERIFY(!claims.contains(u"sub"_s)); // an optional parameter without a value: left out
        QCOMPARE(claims.value(u"exp"_s).toInteger() - claims.value(u"iat"_s).toInteger(), 3600);
        QVERIFY(qAbs(claims.value(u"iat"_s).toInteger() - QDateTime::currentSecsSinceEpoch()) < 120);
        QCOMPARE(claims.contains(u"jti"_s), grant == u"client_credentials_assertion"_s);
    }

    void authJwtBearerWithABadKey()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return json(u"{'data':[]}"_s); });
        ConnectorCatalog catalog = catalogWith(
            u"{'type':'oauth2_jwt_bearer','token_url':'https://{host}/token','private_key':'{private_key}','claims':{'iss':'me'}}"_s,
            u",{'name':'private_key','description':'k','required':true,'secret':true}"_s);
        auto c = make(server.url(), u"{'catalog':'svc','parameters':{'host':'h','private_key':{'secret':'pk'}},'token_url':'%1'}"_s.arg(server.url(u"/token"_s).toString()),
                      context({{u"pk"_s, u"not a key"_s}}), &catalog);
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"items"_s);
        QVERIFY(!out.summary);
        QCOMPARE(out.summary.error().code, u"signing_key_invalid"_s);
        QCOMPARE(server.requestCount(), 0);
    }

    void endpointAuthenticationForInlineEndpoints()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return json(u"{'data':[]}"_s); });
        auto c = make(server.url(), u"{'headers':{'X-Tenant':'acme','X-Key':{'secret':'hk'}},'query':{'v':2},"
                                    "'resources':[{'name':'items','path':'/items','record_selector':'/data','primary_key':['id']}]}"_s,
                      context({{u"k"_s, u"key-1"_s}, {u"hk"_s, u"header-secret"_s}}), nullptr,
                      u",'authentication':{'type':'api_key','in':'header','parameter':'X-Api-Key','value':{'secret':'k'}}"_s);
        REQUIRE_OK(c);
        REQUIRE_OK(readAll(**c, u"items"_s).summary);
        const Http::HttpRequest r = server.requests().first();
        QCOMPARE(r.header("X-Api-Key"), "key-1"_ba);
        QCOMPARE(r.header("X-Tenant"), "acme"_ba);
        QCOMPARE(r.header("X-Key"), "header-secret"_ba);
        QCOMPARE(q(r, u"v"_s), u"2"_s);
    }

    // ---- records ---------------------------------------------------------------------------

    void recordFormats()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.path == u"/statements"_s)
                return json(u"{'resultSetMetaData':{'rowType':[{'name':'ID'},{'name':'NAME'}]},'data':[['1','Ada'],['2','Grace']]}"_s);
            if (r.path == u"/partition"_s)
                return json(u"{'data':[['3','Edsger','extra']]}"_s);
            if (r.path == u"/values"_s)
                return json(u"{'values':[['Order ID','Total'],['A-1',10],['A-2']]}"_s);
            return json(u"{'schema':{'fields':[{'name':'order_id'},{'name':'total'}]},'rows':[{'f':[{'v':'7'},{'v':'9.5'}]},{'f':[{'v':'8'},{'v':null}]}]}"_s);
        });
        auto c = make(server.url(),
                      u"{'resources':["
                      "{'name':'statement','method':'POST','path':'/statements','record_selector':'/data','record_format':'array',"
                      "'columns_path':'/resultSetMetaData/rowType','column_name_field':'name','primary_key':['ID'],'body':{'statement':'SELECT 1'}},"
                      "{'name':'partition','path':'/partition','record_selector':'/data','record_format':'array','column_names_param':'columns',"
                      "'parameters':[{'name':'columns','in':'template','required':true}],'primary_key':['ID']},"
                      "{'name':'values','path':'/values','record_selector':'/values','record_format':'array','header_row':true,"
                      "'primary_key_param':'key','parameters':[{'name':'key','in':'template','required':true}]},"
                      "{'name':'query','path':'/query','record_selector':'/rows','record_format':'cells_fv','columns_path':'/schema/fields',"
                      "'column_name_field':'name','primary_key':['order_id']}],"
                      "'resource_parameters':{'partition':{'columns':'ID, NAME'},'values':{'key':'Order ID'}}}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut statement = readAll(**c, u"statement"_s);
        REQUIRE_OK(statement.summary);
        QCOMPARE(Data::Value(Data::Array(statement.records)), j(u"[{'ID':'1','NAME':'Ada'},{'ID':'2','NAME':'Grace'}]"_s));
        ReadOut partition = readAll(**c, u"partition"_s);
        REQUIRE_OK(partition.summary);
        QCOMPARE(Data::Value(Data::Array(partition.records)), j(u"[{'ID':'3','NAME':'Edsger','column_3':'extra'}]"_s));
        ReadOut values = readAll(**c, u"values"_s);
        REQUIRE_OK(values.summary);
        QCOMPARE(Data::Value(Data::Array(values.records)), j(u"[{'Order ID':'A-1','Total':10},{'Order ID':'A-2','Total':null}]"_s));
        ReadOut query = readAll(**c, u"query"_s);
        REQUIRE_OK(query.summary);
        QCOMPARE(Data::Value(Data::Array(query.records)), j(u"[{'order_id':'7','total':'9.5'},{'order_id':'8','total':null}]"_s));

        std::vector<Entity> entities = *(*c)->discover();
        QCOMPARE(entities.size(), size_t(4));
        QCOMPARE(entities.at(2).keyFields, QStringList{u"Order ID"_s}); // from primary_key_param
    }

    void compositeAndPointerKeysDeduplicate()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (q(r, u"page"_s) == u"1"_s)
                return json(u"{'members':[{'profile':{'team':'t1','id':'a'}},{'profile':{'team':'t1','id':'b'}}]}"_s);
            // The next page repeats a record (the list shifted while paging).
            return json(u"{'members':[{'profile':{'team':'t1','id':'b'}},{'profile':{'team':'t2','id':'b'}}]}"_s);
        });
        auto c = make(server.url(), u"{'pagination':{'style':'page','page_param':'page','page_size':2,'total_path':'/total'},"
                                    "'resources':[{'name':'members','path':'/members','record_selector':'/members',"
                                    "'primary_key':['/profile/team','/profile/id']}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadRequest request;
        request.entity = u"members"_s;
        request.limit = 10;
        ReadOut out;
        int pages = 0;
        out.summary = (*c)->read(request, [&](std::vector<Data::Value> &&page) {
            for (Data::Value &r : page)
                out.records.push_back(std::move(r));
            return ++pages < 2;
        });
        REQUIRE_OK(out.summary);
        QCOMPARE(out.records.size(), size_t(3));
        QCOMPARE(Rest::recordKey(out.records.at(2), {u"/profile/team"_s, u"/profile/id"_s}), j(u"['t2','b']"_s));
        QVERIFY(out.summary->stoppedEarly);
    }

    // ---- incremental reads -------------------------------------------------------------------

    void incrementalCursorParamAndFilter()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            return json(u"{'data':[{'id':1,'created':1700000000},{'id':2,'created':1700000100},{'id':3,'created':1700000200}]}"_s);
        });
        auto c = make(server.url(), u"{'resources':[{'name':'charges','path':'/charges','record_selector':'/data','primary_key':['id'],"
                                    "'cursor_field':'/created','cursor_param':'created[gt]','cursor_format':'unix_seconds',"
                                    "'query':{'created[gt]':0,'expand':'x'}}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadRequest request;
        request.entity = u"charges"_s;
        ReadOut all = readAll(**c, request);
        REQUIRE_OK(all.summary);
        QCOMPARE(all.records.size(), size_t(3));
        QCOMPARE(all.summary->lastCursor.toDouble(), 1700000200.0);
        QCOMPARE(q(server.requests().last(), u"created[gt]"_s), u"0"_s);

        request.cursorAfter = Data::Value(u"2023-11-14T22:14:20Z"_s); // 1700000060, as a time
        ReadOut changed = readAll(**c, request);
        REQUIRE_OK(changed.summary);
        QCOMPARE(changed.ids(), (QStringList{u"2"_s, u"3"_s})); // the API ignored the filter; the client did not
        const Http::HttpRequest last = server.requests().last();
        QCOMPARE(q(last, u"created[gt]"_s), u"1700000060"_s); // replaced, not added
        QCOMPARE(last.query.allQueryItemValues(u"created[gt]"_s).size(), 1);
        QVERIFY(last.target.contains("created[gt]=1700000060"));
    }

    void incrementalCursorQueryHeadersBody()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) {
            return json(u"{'Contacts':[{'ContactID':'a','UpdatedDateUTC':'/Date(1706702400000+0000)/'},"
                        "{'ContactID':'b','UpdatedDateUTC':'/Date(1706702460000+0000)/'}]}"_s);
        });
        auto c = make(server.url(),
                      u"{'resources':["
                      "{'name':'contacts','path':'/Contacts','record_selector':'/Contacts','primary_key':['ContactID'],"
                      "'cursor_field':'/UpdatedDateUTC','cursor_format':'qt:yyyy-MM-dd\\'T\\'HH:mm:ss','cursor_headers':{'If-Modified-Since':'{cursor}'}},"
                      "{'name':'incidents','path':'/incidents','record_selector':'/Contacts','primary_key':['ContactID'],"
                      "'cursor_field':'/UpdatedDateUTC','query':{'date_range':'all','sort_by':'created_at:asc'},"
                      "'cursor_query':{'date_range':null,'since':'{cursor}'},'cursor_format':'iso8601'},"
                      "{'name':'orders','method':'POST','path':'/orders/search','record_selector':'/Contacts','primary_key':['ContactID'],"
                      "'cursor_field':'/UpdatedDateUTC','cursor_format':'iso8601_date','body':{'query':{'sort':{'sort_field':'UPDATED_AT'}},'location_ids':['{loc}']},"
                      "'parameters':[{'name':'loc','in':'template','required':true}],"
                      "'cursor_body':{'query':{'filter':{'updated_at':{'start_at':'{cursor}'}}}}}],"
                      "'resource_parameters':{'orders':{'loc':'L1'}}}"_s,
                      context());
        REQUIRE_OK(c);
        ReadRequest request;
        request.entity = u"contacts"_s;
        request.cursorAfter = Data::Value(u"2024-01-31T12:00:30Z"_s);
        ReadOut xero = readAll(**c, request);
        REQUIRE_OK(xero.summary);
        QCOMPARE(xero.ids(u"ContactID"_s), QStringList{u"b"_s}); // /Date()/ compared as a time
        QCOMPARE(server.requests().last().header("If-Modified-Since"), "2024-01-31T12:00:30"_ba);
        QCOMPARE(xero.summary->lastCursor.toString(), u"/Date(1706702460000+0000)/"_s);

        request.entity = u"incidents"_s;
        REQUIRE_OK(readAll(**c, request).summary);
        Http::HttpRequest last = server.requests().last();
        QVERIFY(!last.query.hasQueryItem(u"date_range"_s));
        QCOMPARE(q(last, u"since"_s), u"2024-01-31T12:00:30Z"_s);
        QCOMPARE(q(last, u"sort_by"_s), u"created_at:asc"_s);

        request.entity = u"orders"_s;
        REQUIRE_OK(readAll(**c, request).summary);
        last = server.requests().last();
        QCOMPARE(*Data::Json::parse(last.body),
                 j(u"{'query':{'sort':{'sort_field':'UPDATED_AT'},'filter':{'updated_at':{'start_at':'2024-01-31'}}},'location_ids':['L1']}"_s));

        // A first run (no cursor): none of the cursor members.
        request.cursorAfter = Data::Value::null();
        REQUIRE_OK(readAll(**c, request).summary);
        QCOMPARE(*Data::Json::parse(server.requests().last().body),
                 j(u"{'query':{'sort':{'sort_field':'UPDATED_AT'}},'location_ids':['L1']}"_s));
    }

    void cursorValuesCompareAsTimes()
    {
        using Rest::compareCursor;
        QCOMPARE(compareCursor(Data::Value(u"2024-01-31T12:00:00+01:00"_s), Data::Value(u"2024-01-31T11:30:00Z"_s)), -1);
        QCOMPARE(compareCursor(Data::Value(u"Wed, 31 Jan 2024 12:00:00 +0000"_s), Data::Value(u"2024-01-31T12:00:00Z"_s)), 0);
        QCOMPARE(compareCursor(Data::Value(u"/Date(1706702400000)/"_s), Data::Value(1706702399.0)), 1);
        QCOMPARE(compareCursor(Data::Value(1706702400000.0), Data::Value(u"2024-01-31T12:00:00.000+0000"_s)), 0);
        QCOMPARE(compareCursor(Data::Value(u"1700000000.000200"_s), Data::Value(u"1700000000.000100"_s)), 1);
        QCOMPARE(compareCursor(Data::Value(u"2024-01-31 12:00:01"_s), Data::Value(u"2024-01-31T12:00:00Z"_s)), 1);
        QCOMPARE(compareCursor(Data::Value(u"b"_s), Data::Value(u"a"_s)), 1);
        QCOMPARE(*Rest::formatCursor(Data::Value(u"/Date(1706702400000+0000)/"_s), u"iso8601"_s), u"2024-01-31T12:00:00Z"_s);
        QCOMPARE(*Rest::formatCursor(Data::Value(u"2024-01-31T12:00:00.750Z"_s), u"unix_millis"_s), u"1706702400750"_s);
        QCOMPARE(*Rest::formatCursor(Data::Value(u"2024-01-31T13:00:00+01:00"_s), u"qt:yyyy/MM/dd HH:mm"_s), u"2024/01/31 12:00"_s);
        QCOMPARE(*Rest::formatCursor(Data::Value(u"x"_s), u"as_read"_s), u"x"_s);
        Result<QString> bad = Rest::formatCursor(Data::Value(u"yesterday"_s), u"iso8601"_s);
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, u"invalid_cursor"_s);
        QCOMPARE(Rest::mergePatch(j(u"{'a':1,'b':{'c':2,'d':3}}"_s), j(u"{'b':{'c':null,'e':4},'f':5}"_s)),
                 j(u"{'a':1,'b':{'d':3,'e':4},'f':5}"_s));
    }

    // ---- writes ------------------------------------------------------------------------------

    void writesJson()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.method == "DELETE" && r.path.endsWith(u"/gone"_s))
                return Http::HttpResponse(404);
            return r.method == "DELETE" ? Http::HttpResponse(204) : json(u"{'id':'new'}"_s, r.method == "POST" ? 201 : 200);
        });
        auto c = make(server.url(), u"{'query':{'minorversion':'75'},'resources':[{'name':'tickets','path':'/tickets','record_selector':'/tickets',"
                                    "'primary_key':['id'],'write':{'insert':{'method':'POST','path':'/tickets','body_key':'ticket'},"
                                    "'update':{'method':'PUT','path':'/tickets/{id}','body_key':'ticket','headers':{'X-Op':'update'}},"
                                    "'delete':{'method':'DELETE','path':'/tickets/{id}','query':{'force':'true'}}}}]}"_s,
                      context());
        REQUIRE_OK(c);
        QVERIFY((*c)->capabilities().testFlag(Capability::Upsert));
        WriteRequest upsert;
        upsert.entity = u"tickets"_s;
        upsert.records = {j(u"{'subject':'new one'}"_s), j(u"{'id':7,'subject':'changed'}"_s)};
        Result<WriteSummary> written = (*c)->write(upsert);
        REQUIRE_OK(written);
        QCOMPARE(written->inserted, 1);
        QCOMPARE(written->updated, 1);
        auto requests = server.requests();
        QCOMPARE(requests.at(0).method, "POST"_ba);
        QCOMPARE(requests.at(0).path, u"/tickets"_s);
        QCOMPARE(*Data::Json::parse(requests.at(0).body), j(u"{'ticket':{'subject':'new one'}}"_s));
        QCOMPARE(q(requests.at(0), u"minorversion"_s), u"75"_s);
        QCOMPARE(requests.at(1).method, "PUT"_ba);
        QCOMPARE(requests.at(1).path, u"/tickets/7"_s);
        QCOMPARE(requests.at(1).header("X-Op"), "update"_ba);
        QCOMPARE(*Data::Json::parse(requests.at(1).body), j(u"{'ticket':{'subject':'changed'}}"_s)); // the key is in the URL
        QCOMPARE(requests.at(1).header("Content-Type"), "application/json"_ba);

        server.clearRequests();
        WriteRequest remove;
        remove.entity = u"tickets"_s;
        remove.mode = WriteMode::Delete;
        remove.records = {j(u"{'id':7}"_s), j(u"{'id':'gone'}"_s)};
        written = (*c)->write(remove);
        REQUIRE_OK(written);
        QCOMPARE(written->deleted, 1);
        QCOMPARE(written->unchanged, 1);
        QCOMPARE(server.requests().first().method, "DELETE"_ba);
        QVERIFY(server.requests().first().body.isEmpty());
        QCOMPARE(q(server.requests().first(), u"force"_s), u"true"_s);

        // A delete of a record without its key: an error naming the placeholder.
        remove.records = {j(u"{'subject':'no id'}"_s)};
        written = (*c)->write(remove);
        QVERIFY(!written);
        QCOMPARE(written.error().code, u"invalid_request"_s);
        QVERIFY(written.error().message.contains(u"{id}"_s));
    }

    void writesForm()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return json(u"{'id':'cus_1'}"_s); });
        auto c = make(server.url(), u"{'resources':[{'name':'customers','path':'/customers','record_selector':'/data','primary_key':['id'],"
                                    "'write':{'insert':{'method':'POST','path':'/customers','content_type':'form'},"
                                    "'update':{'method':'POST','path':'/customers/{id}','content_type':'form'}}}]}"_s,
                      context());
        REQUIRE_OK(c);
        WriteRequest insert;
        insert.entity = u"customers"_s;
        insert.mode = WriteMode::Insert;
        insert.records = {j(u"{'email':'a+b@x.io','metadata':{'tier':'gold','n':2},'tags':['x','y'],'active':true}"_s)};
        REQUIRE_OK((*c)->write(insert));
        const Http::HttpRequest r = server.requests().first();
        QCOMPARE(r.header("Content-Type"), "application/x-www-form-urlencoded"_ba);
        QCOMPARE(r.body, "email=a%2Bb%40x.io&metadata%5Btier%5D=gold&metadata%5Bn%5D=2&tags%5B0%5D=x&tags%5B1%5D=y&active=true"_ba);
        insert.mode = WriteMode::Upsert;
        insert.records = {j(u"{'id':'cus 1','email':'c@x.io'}"_s)};
        REQUIRE_OK((*c)->write(insert));
        QCOMPARE(server.requests().last().rawPath, "/customers/cus%201"_ba);
    }

    void writeFailureSaysHowFarItGot()
    {
        TestHttpServer server;
        std::atomic<int> calls{0};
        server.setHandler([&](const Http::HttpRequest &) {
            return ++calls == 2 ? json(u"{'message':'email is invalid'}"_s, 422) : json(u"{}"_s, 201);
        });
        auto c = make(server.url(), u"{'resources':[{'name':'users','path':'/users','record_selector':'','read':false,"
                                    "'write':{'insert':{'method':'POST','path':'/users'}}}]}"_s,
                      context());
        REQUIRE_OK(c);
        WriteRequest request;
        request.entity = u"users"_s;
        request.mode = WriteMode::Delete;
        request.records = {j(u"{'a':1}"_s)};
        Result<WriteSummary> unsupported = (*c)->write(request);
        QVERIFY(!unsupported);
        QCOMPARE(unsupported.error().code, u"unsupported"_s);
        request.mode = WriteMode::Insert;
        request.records = {j(u"{'a':1}"_s), j(u"{'a':2}"_s), j(u"{'a':3}"_s)};
        Result<WriteSummary> written = (*c)->write(request);
        QVERIFY(!written);
        QCOMPARE(written.error().code, u"http_error"_s);
        QVERIFY2(written.error().message.contains(u"record 2 of 3"_s), qPrintable(written.error().message));
        QVERIFY(written.error().message.contains(u"1 inserted"_s));
        QVERIFY(written.error().message.contains(u"email is invalid"_s));
        QCOMPARE(server.requestCount(), 2);
        QVERIFY((*c)->discover()->empty()); // write-only resources are not read entities
    }

    // ---- response_check, throttle, errors ----------------------------------------------------

    void responseCheck()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.path == u"/slack"_s)
                return json(u"{'ok':false,'error':'channel_not_found'}"_s);
            return json(u"{'data':null,'errors':[{'message':'Field boards does not exist'}]}"_s);
        });
        auto c = make(server.url(), u"{'response_check':{'success_path':'/ok','errors_path':'/errors','message_path':'/error'},"
                                    "'resources':[{'name':'slack','path':'/slack','record_selector':'/messages','primary_key':['ts']}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"slack"_s);
        QVERIFY(!out.summary);
        QCOMPARE(out.summary.error().code, u"api_error"_s);
        QVERIFY(out.summary.error().message.contains(u"channel_not_found"_s));

        c = make(server.url(), u"{'response_check':{'errors_path':'/errors','message_path':'/errors/0/message'},"
                               "'resources':[{'name':'gql','method':'POST','path':'/graphql','body':{'query':'{ boards { id } }'},"
                               "'record_selector':'/data/boards','primary_key':['id']}]}"_s,
                 context());
        REQUIRE_OK(c);
        out = readAll(**c, u"gql"_s);
        QVERIFY(!out.summary);
        QCOMPARE(out.summary.error().code, u"api_error"_s);
        QVERIFY(out.summary.error().message.contains(u"Field boards does not exist"_s));
        // Literal braces of a GraphQL query are not placeholders.
        QCOMPARE(*Data::Json::parse(server.requests().last().body), j(u"{'query':'{ boards { id } }'}"_s));
    }

    void throttleSpacesRequests()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            const int page = q(r, u"page"_s).toInt();
            return json(u"{'items':%1}"_s.arg(page < 3 ? items(page, page) : u"[]"_s));
        });
        auto c = make(server.url(), u"{'rate_limit':{'requests_per_second':5,'requests_per_hour':1},"
                                    "'pagination':{'style':'page','page_param':'page'},"
                                    "'resources':[{'name':'items','path':'/items','record_selector':'/items','primary_key':['id']}]}"_s,
                      context());
        REQUIRE_OK(c);
        QElapsedTimer timer;
        timer.start();
        ReadOut out = readAll(**c, u"items"_s);
        REQUIRE_OK(out.summary);
        QCOMPARE(server.requestCount(), 3);
        // three requests 200 ms apart: at least 400 ms (per hour is for people, not the throttle)
        QVERIFY2(timer.elapsed() >= 380, qPrintable(QString::number(timer.elapsed())));

        // A wait for the throttle ends at once when the read is cancelled.
        auto slow = make(server.url(), u"{'rate_limit':{'requests_per_minute':2},'pagination':{'style':'page','page_param':'page'},"
                                       "'resources':[{'name':'items','path':'/items','record_selector':'/items','primary_key':['id']}]}"_s,
                         context());
        REQUIRE_OK(slow);
        CancelToken cancel;
        std::thread canceller([&] {
            QThread::msleep(300);
            cancel.cancel();
        });
        ReadRequest request;
        request.entity = u"items"_s;
        request.cancel = &cancel;
        timer.restart();
        ReadOut cancelled = readAll(**slow, request);
        canceller.join();
        QVERIFY(!cancelled.summary);
        QCOMPARE(cancelled.summary.error().code, u"cancelled"_s);
        QVERIFY2(timer.elapsed() < 10'000, qPrintable(QString::number(timer.elapsed()))); // not the 30 s slot
    }

    void badAnswers_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("words");
        QTest::addRow("malformed JSON") << "{\"data\": [1, 2"_ba << 200 << u"invalid_response"_s << u"not JSON"_s;
        QTest::addRow("empty body") << QByteArray() << 200 << u"invalid_response"_s << u"empty body"_s;
        QTest::addRow("selector is an object") << "{\"data\": {\"id\": 1}}"_ba << 200 << u"invalid_response"_s << u"not to an array"_s;
        QTest::addRow("record is not an object") << "{\"data\": [1]}"_ba << 200 << u"invalid_response"_s << u"not an object"_s;
        QTest::addRow("server error") << "{\"message\":\"boom\"}"_ba << 500 << u"http_error"_s << u"HTTP 500"_s;
        QTest::addRow("forbidden") << "{\"message\":\"no scope\"}"_ba << 403 << u"authentication_failed"_s << u"no scope"_s;
    }

    void badAnswers()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(QString, words);
        TestHttpServer server;
        server.setHandler([&](const Http::HttpRequest &) { return Http::HttpResponse(status, body, "application/json"); });
        auto c = make(server.url(), u"{'resources':[{'name':'items','path':'/items','record_selector':'/data','primary_key':['id']}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"items"_s);
        QVERIFY(!out.summary);
        QCOMPARE(out.summary.error().code, code);
        QVERIFY2(out.summary.error().message.contains(words), qPrintable(out.summary.error().message));
        QVERIFY(out.summary.error().message.contains(u"/items"_s));
    }

    void badConfiguration_data()
    {
        QTest::addColumn<QString>("configuration");
        QTest::addColumn<QString>("detail");
        QTest::addRow("no resources") << u"{}"_s << u"/configuration/resources: is required"_s;
        QTest::addRow("selector") << u"{'resources':[{'name':'a','path':'/a','record_selector':'data'}]}"_s
                                  << u"/configuration/resources/0/record_selector: must be a JSON pointer"_s;
        QTest::addRow("style") << u"{'pagination':{'style':'scroll'},'resources':[{'name':'a','path':'/a','record_selector':''}]}"_s
                               << u"/configuration/pagination/style: unknown pagination style \"scroll\""_s;
        QTest::addRow("member of another style")
            << u"{'pagination':{'style':'next_url','next_url_path':'/n','cursor_param':'c'},'resources':[{'name':'a','path':'/a','record_selector':''}]}"_s
            << u"/configuration/pagination/cursor_param: is not used by pagination style next_url"_s;
        QTest::addRow("body params on GET")
            << u"{'resources':[{'name':'a','path':'/a','record_selector':'','pagination':{'style':'cursor','params_in':'body',"
               "'cursor_param':'/c','next_cursor_path':'/n'}}]}"_s
            << u"/configuration/resources/0/method: pagination with params_in \"body\" needs a POST resource"_s;
        QTest::addRow("cursor member without field")
            << u"{'resources':[{'name':'a','path':'/a','record_selector':'','cursor_param':'since'}]}"_s
            << u"/configuration/resources/0/cursor_param: needs cursor_field"_s;
        QTest::addRow("catalog without catalog") << u"{'catalog':'stripe'}"_s << u"/configuration/catalog: no connector catalog is loaded"_s;
        QTest::addRow("max pages") << u"{'max_pages':0,'resources':[{'name':'a','path':'/a','record_selector':''}]}"_s
                                   << u"/configuration/max_pages: must be a whole number"_s;
    }

    void badConfiguration()
    {
        QFETCH(QString, configuration);
        QFETCH(QString, detail);
        auto c = make(QUrl(u"https://api.example.com/v1"_s), configuration, context());
        QVERIFY(!c);
        QCOMPARE(c.error().code, u"invalid_endpoint"_s);
        QVERIFY2(c.error().details.join(u'\n').contains(detail), qPrintable(c.error().details.join(u'\n')));
    }

    void catalogParameters()
    {
        ConnectorCatalog catalog = catalogWith(u"{'type':'bearer','token':'{token}'}"_s,
                                               u",{'name':'token','description':'the API token','required':true,'secret':true},"
                                               "{'name':'region','description':'the region','required':false,'default':'eu'}"_s);
        // A secret given as plain text, a missing required parameter, an unknown one.
        auto c = make(QUrl(u"https://api.example.com"_s), u"{'catalog':'svc','parameters':{'token':'sk_live_123','colour':'red'}}"_s,
                      context(), &catalog);
        QVERIFY(!c);
        const QString details = c.error().details.join(u'\n');
        QVERIFY2(details.contains(u"/configuration/parameters/token: is a secret: give a secret reference"_s), qPrintable(details));
        QVERIFY(!details.contains(u"sk_live_123"_s));
        QVERIFY(details.contains(u"/configuration/parameters/host: required: h"_s));
        QVERIFY(details.contains(u"/configuration/parameters/colour: \"colour\" is not a parameter of svc"_s));

        // A missing resource parameter: before any request.
        TestHttpServer server;
        ConnectorCatalog withPath;
        const Data::Value definition = j(
            u"{'kind':'ConnectorDefinition','schemaVersion':1,'id':'gh','name':'GH','description':'d','category':'crm',"
            "'documentation':'https://example.com','protocol':'rest','base_url':'https://{host}/v{version}','auth':{'type':'none'},"
            "'parameters':[{'name':'host','description':'h','required':true},{'name':'version','description':'v','required':true}],"
            "'pagination':{'style':'none'},'resources':[{'name':'issues','description':'i','method':'GET',"
            "'path':'/repos/{owner}/{repo}/issues','record_selector':'','primary_key':['number'],'parameters':["
            "{'name':'owner','in':'path','description':'o','required':true},{'name':'repo','in':'path','description':'r','required':true}]}]}"_s);
        withPath.add(*RestApi::fromDefinition(definition), definition);
        server.setHandler([](const Http::HttpRequest &) { return json(u"[{'number':1}]"_s); });
        c = make(server.url(u"/api"_s), u"{'catalog':'gh','parameters':{'host':'git.example:8443','version':3},"
                                        "'resource_parameters':{'issues':{'owner':'octo org'}}}"_s,
                 context(), &withPath);
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"issues"_s);
        QVERIFY(!out.summary);
        QCOMPARE(out.summary.error().code, u"invalid_request"_s);
        QVERIFY(out.summary.error().message.contains(u"\"repo\""_s));
        QCOMPARE(server.requestCount(), 0);
        ReadRequest request;
        request.entity = u"issues"_s;
        request.filter = j(u"{'repo':'hello/world'}"_s);
        out = readAll(**c, request);
        REQUIRE_OK(out.summary);
        QCOMPARE(server.requests().first().rawPath, "/api/repos/octo%20org/hello%2Fworld/issues"_ba);

        // Without the url override, base_url's placeholders: the host as is, path values encoded.
        Result<EndpointSpec> spec = parseEndpoint(j(u"{'kind':'Endpoint','id':'gh2','name':'GH','type':'api','url':'https://x.example',"
                                                    "'configuration':{'catalog':'gh','parameters':{'host':'git.example:8443','version':'3/x'}}}"_s));
        REQUIRE_OK(spec);
        spec->url = QUrl();
        auto direct = createRestConnector(*spec, context(), &withPath);
        REQUIRE_OK(direct);
        Result<QString> base = static_cast<RestConnector &>(**direct).resolvedBaseUrl();
        REQUIRE_OK(base);
        QCOMPARE(*base, u"https://git.example:8443/v3%2Fx"_s);
    }

    void discoverAndTestConnection()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &r) {
            if (r.path == u"/users"_s)
                return json(u"{'users':[{'id':1,'name':'Ada','updated_at':'2024-01-31T12:00:00Z','tags':['x']}],'next':null}"_s);
            return json(u"{'orders':[{'no':'A-1','total':10.5}]}"_s);
        });
        const QString configuration =
            u"{%1'pagination':{'style':'cursor','cursor_param':'after','next_cursor_path':'/next','limit_param':'limit','page_size':50},"
            "'resources':[{'name':'users','description':'People','path':'/users','record_selector':'/users','primary_key':['id'],"
            "'cursor_field':'/updated_at','write':{'update':{'method':'PATCH','path':'/users/{id}'}}},"
            "{'name':'orders','path':'/customers/{customer}/orders','record_selector':'/orders','primary_key':['no'],"
            "'parameters':[{'name':'customer','in':'path','required':true}]}]}"_s;
        auto c = make(server.url(), configuration.arg(QString()), context());
        REQUIRE_OK(c);
        Result<std::vector<Entity>> entities = (*c)->discover();
        REQUIRE_OK(entities);
        QCOMPARE(server.requestCount(), 0); // no network without discover_samples
        QCOMPARE(entities->size(), size_t(2));
        const Entity &users = entities->at(0);
        QCOMPARE(users.name, u"users"_s);
        QCOMPARE(users.description, u"People"_s);
        QCOMPARE(users.keyFields, QStringList{u"id"_s});
        QCOMPARE(users.cursorField, u"updated_at"_s);
        QVERIFY(users.capabilities.testFlag(Capability::IncrementalRead));
        QVERIFY(users.capabilities.testFlag(Capability::Upsert));
        QVERIFY(!users.capabilities.testFlag(Capability::Delete));
        QVERIFY(users.schema.fields.empty());

        Result<ConnectionTest> test = (*c)->testConnection();
        REQUIRE_OK(test);
        QCOMPARE(test->serverInfo.left(8), u"HTTP 200"_s);
        QCOMPARE(server.requestCount(), 1);
        QCOMPARE(q(server.requests().first(), u"limit"_s), u"1"_s); // one small page

        auto sampled = make(server.url(), configuration.arg(u"'discover_samples':true,'resource_parameters':{'orders':{'customer':'c1'}},"_s),
                            context());
        REQUIRE_OK(sampled);
        entities = (*sampled)->discover();
        REQUIRE_OK(entities);
        const Data::SchemaField &schema = entities->at(0).schema;
        QVERIFY(schema.field(u"name"));
        QVERIFY(schema.field(u"tags"));
        QCOMPARE(schema.field(u"updated_at")->format, Data::StringFormat::DateTime);
        QVERIFY(entities->at(1).schema.field(u"total"));
        QCOMPARE(server.requests().last().path, u"/customers/c1/orders"_s);
    }

    void sampleProjectEndpoint()
    {
        QFile file(QStringLiteral(CONFLUX_SOURCE_DIR "/resources/samples/order-hub/endpoints/shop-api.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        Result<EndpointSpec> spec = parseEndpoint(*Data::Json::parse(file.readAll()), u"shop-api.json"_s);
        REQUIRE_OK(spec);
        auto c = createRestConnector(*spec, context({{u"shop.client_secret"_s, u"x"_s}}), nullptr);
        REQUIRE_OK(c);
        Result<std::vector<Entity>> entities = (*c)->discover();
        REQUIRE_OK(entities);
        QCOMPARE(entities->size(), size_t(2));
        QCOMPARE(entities->at(0).keyFields, QStringList{u"customer_id"_s});
        QCOMPARE(entities->at(0).cursorField, u"updated_at"_s);
        // The nightly sync names its source object by path.
        QCOMPARE(static_cast<RestConnector &>(**c).api().resource(u"/customers")->name, u"customers"_s);
        QCOMPARE(static_cast<RestConnector &>(**c).api().resources.at(0).pagination.nextCursorPath, u"/meta/next"_s);
    }

    void pagingParameterThatCannotBePlaced()
    {
        TestHttpServer server;
        server.setHandler([](const Http::HttpRequest &) { return json(u"{'data':[{'id':1}]}"_s); });
        auto c = make(server.url(), u"{'resources':[{'name':'a','method':'POST','path':'/a','record_selector':'/data','body':['x'],"
                                    "'pagination':{'style':'page','params_in':'body','page_param':'/page'}}]}"_s,
                      context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"a"_s);
        QVERIFY(!out.summary);
        QCOMPARE(out.summary.error().code, u"invalid_endpoint"_s);
        QVERIFY(out.summary.error().message.contains(u"/page"_s));
        QCOMPARE(server.requestCount(), 0);
    }

    void unknownEntityAndFilter()
    {
        auto c = make(QUrl(u"http://127.0.0.1:9/"_s), u"{'resources':[{'name':'items','path':'/items','record_selector':''}]}"_s, context());
        REQUIRE_OK(c);
        ReadOut out = readAll(**c, u"things"_s);
        QVERIFY(!out.summary);
        QCOMPARE(out.summary.error().code, u"unknown_entity"_s);
        QVERIFY(out.summary.error().message.contains(u"items"_s));
        ReadRequest request;
        request.entity = u"/items"_s; // by path
        request.filter = Data::Value(u"x eq 1"_s);
        out = readAll(**c, request);
        QVERIFY(!out.summary);
        QCOMPARE(out.summary.error().code, u"invalid_request"_s);
    }
};

QTEST_GUILESS_MAIN(TestRestConnector)
#include "tst_restconnector.moc"
