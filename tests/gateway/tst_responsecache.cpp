#include <gateway/httprequest.h>
#include <gateway/httpresponse.h>
#include <gateway/responsecache.h>

#include <QDateTime>
#include <QTest>
#include <QThread>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using Conflux::Gateway::CacheControl;
using Conflux::Gateway::ResponseCache;
using Conflux::Http::HttpHeaders;
using Conflux::Http::HttpRequest;
using Conflux::Http::HttpResponse;
using LookupStatus = ResponseCache::LookupStatus;
using StoreResult = ResponseCache::StoreResult;

Q_DECLARE_METATYPE(ResponseCache::StoreResult)
Q_DECLARE_METATYPE(ResponseCache::LookupStatus)

namespace {

constexpr qint64 t0 = 1700000000000; // 2023-11-14T22:13:20Z, in ms

QByteArray dateText(qint64 ms)
{
    return HttpResponse::httpDate(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC));
}

// "Name: value" lines to fields.
HttpHeaders fields(const QByteArrayList &lines)
{
    HttpHeaders out;
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        out.append(line.first(colon), line.sliced(colon + 1).trimmed());
    }
    return out;
}

HttpRequest request(const QByteArray &target, const QByteArrayList &headers = {},
                    const QByteArray &method = "GET")
{
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.rawPath = target.split('?').first();
    r.path = QString::fromUtf8(r.rawPath);
    r.version = "HTTP/1.1";
    r.headers.append("Host", "api.example.test");
    for (const HttpHeaders::Field &f : fields(headers))
        r.headers.append(f.first, f.second);
    return r;
}

HttpResponse response(const QByteArrayList &headers, const QByteArray &body = "payload", int status = 200)
{
    HttpResponse r(status, body, "text/plain");
    for (const HttpHeaders::Field &f : fields(headers))
        r.addHeader(f.first, f.second);
    return r;
}

} // namespace

class tst_ResponseCache : public QObject
{
    Q_OBJECT

private slots:
    void missThenHit();
    void storeDecision_data();
    void storeDecision();
    void ageHeader_data();
    void ageHeader();
    void staleEntryIsDroppedOnLookup();
    void requestDirectives_data();
    void requestDirectives();
    void varyVariants();
    void varyReplacesOnlyItsOwnVariant();
    void queryIsKeyedAsReceived();
    void headIsServedFromGet();
    void setCookieIsNeverReplayed();
    void authorizationNeedsShareableEntry();
    void unsafeMethodInvalidates();
    void lruEvictionByBytes();
    void perEntrySizeLimit();
    void shrinkingMaxBytesEvicts();
    void purgeStale();
    void cacheControlParse_data();
    void cacheControlParse();
    void httpDate_data();
    void httpDate();
    void concurrentUse();
};

void tst_ResponseCache::missThenHit()
{
    ResponseCache cache;
    const HttpRequest get = request("/orders/1");
    ResponseCache::Lookup lookup = cache.lookup(get, t0);
    QCOMPARE(lookup.status, LookupStatus::Miss);
    HttpResponse upstream = response({"Cache-Control: max-age=60", "ETag: \"v1\""}, "{\"id\":1}");
    QCOMPARE(cache.store(get, upstream, t0), StoreResult::Stored);
    ResponseCache::setCacheStatusHeader(upstream, lookup.status);
    QCOMPARE(upstream.header("X-Cache"), "MISS"_ba);

    lookup = cache.lookup(get, t0 + 1500);
    QVERIFY(lookup.isHit());
    QCOMPARE(lookup.response.status(), 200);
    QCOMPARE(lookup.response.body(), "{\"id\":1}"_ba);
    QCOMPARE(lookup.response.header("ETag"), "\"v1\""_ba);
    QCOMPARE(lookup.response.header("Age"), "1"_ba);
    QCOMPARE(lookup.ageSeconds, qint64(1));
    ResponseCache::setCacheStatusHeader(lookup.response, lookup.status);
    QCOMPARE(lookup.response.header("X-Cache"), "HIT"_ba);
    QCOMPARE(lookup.response.headers().count("X-Cache"), 1);

    const ResponseCache::Stats stats = cache.stats();
    QCOMPARE(stats.entries, qsizetype(1));
    QCOMPARE(stats.hits, qint64(1));
    QCOMPARE(stats.misses, qint64(1));
    QVERIFY(stats.bytes > 0);
}

void tst_ResponseCache::storeDecision_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArrayList>("requestHeaders");
    QTest::addColumn<QByteArrayList>("responseHeaders");
    QTest::addColumn<double>("routeTtl");
    QTest::addColumn<StoreResult>("result");
    QTest::addColumn<qint64>("lifetimeMs"); // when stored: fresh until just before this

    const QByteArray date = "Date: " + dateText(t0);
    const QByteArrayList none;
    const auto row = [](const char *name) -> QTestData & { return QTest::addRow("%s", name); };

    row("max-age") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=60"} << 0.0 << StoreResult::Stored << qint64(60000);
    row("s-maxage wins over a larger max-age") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=60, s-maxage=10"} << 0.0 << StoreResult::Stored << qint64(10000);
    row("s-maxage wins over a smaller max-age") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: s-maxage=60, max-age=10"} << 0.0 << StoreResult::Stored << qint64(60000);
    row("Expires minus Date") << "GET"_ba << 200 << none << QByteArrayList{date, "Expires: " + dateText(t0 + 30000)} << 0.0 << StoreResult::Stored << qint64(30000);
    row("Expires without Date counts from receipt") << "GET"_ba << 200 << none << QByteArrayList{"Expires: " + dateText(t0 + 45000)} << 0.0 << StoreResult::Stored << qint64(45000);
    row("max-age overrides Expires") << "GET"_ba << 200 << none << QByteArrayList{date, "Expires: " + dateText(t0 + 30000), "Cache-Control: max-age=5"} << 0.0 << StoreResult::Stored << qint64(5000);
    row("invalid Expires is already expired") << "GET"_ba << 200 << none << QByteArrayList{date, "Expires: 0"} << 0.0 << StoreResult::NoFreshness << qint64(0);
    row("Expires in the past") << "GET"_ba << 200 << none << QByteArrayList{date, "Expires: " + dateText(t0 - 1000)} << 0.0 << StoreResult::NoFreshness << qint64(0);
    row("no freshness information") << "GET"_ba << 200 << none << QByteArrayList{"Last-Modified: " + dateText(t0 - 86400000)} << 0.0 << StoreResult::NoFreshness << qint64(0);
    row("route TTL when the response gives none") << "GET"_ba << 200 << none << none << 20.0 << StoreResult::Stored << qint64(20000);
    row("smaller max-age wins over the route TTL") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=5"} << 20.0 << StoreResult::Stored << qint64(5000);
    row("route TTL caps a larger max-age") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=100"} << 20.0 << StoreResult::Stored << qint64(20000);
    row("route TTL caps Expires") << "GET"_ba << 200 << none << QByteArrayList{date, "Expires: " + dateText(t0 + 30000)} << 2.5 << StoreResult::Stored << qint64(2500);
    row("max-age=0 even with a route TTL") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=0"} << 20.0 << StoreResult::NoFreshness << qint64(0);
    row("invalid max-age is stale") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=soon"} << 0.0 << StoreResult::NoFreshness << qint64(0);
    row("quoted max-age") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=\"30\""} << 0.0 << StoreResult::Stored << qint64(30000);
    row("first max-age counts") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=10, max-age=100"} << 0.0 << StoreResult::Stored << qint64(10000);
    row("directives over several fields") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: public", "cache-control: MAX-AGE=40"} << 0.0 << StoreResult::Stored << qint64(40000);
    row("Age already beyond max-age") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=60", "Age: 60"} << 0.0 << StoreResult::NoFreshness << qint64(0);
    row("Age shortens the stay") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=60", "Age: 45"} << 0.0 << StoreResult::Stored << qint64(15000);
    row("old Date shortens the stay") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=60", "Date: " + dateText(t0 - 20000)} << 0.0 << StoreResult::Stored << qint64(40000);
    row("no-store") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=60, no-store"} << 20.0 << StoreResult::NoStore << qint64(0);
    row("NO-STORE in capitals") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: NO-STORE"} << 20.0 << StoreResult::NoStore << qint64(0);
    row("private") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: private, max-age=60"} << 20.0 << StoreResult::Private << qint64(0);
    row("no-cache") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: no-cache, max-age=60"} << 20.0 << StoreResult::NoCache << qint64(0);
    row("qualified no-cache") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: no-cache=\"Set-Cookie, X-A\", max-age=60"} << 20.0 << StoreResult::NoCache << qint64(0);
    row("request no-store") << "GET"_ba << 200 << QByteArrayList{"Cache-Control: no-store"} << QByteArrayList{"Cache-Control: max-age=60"} << 0.0 << StoreResult::RequestNoStore << qint64(0);
    row("request no-cache still stores") << "GET"_ba << 200 << QByteArrayList{"Cache-Control: no-cache"} << QByteArrayList{"Cache-Control: max-age=60"} << 0.0 << StoreResult::Stored << qint64(60000);
    row("HEAD is not stored") << "HEAD"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=60"} << 0.0 << StoreResult::MethodNotCacheable << qint64(0);
    row("OPTIONS is not stored") << "OPTIONS"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=60"} << 0.0 << StoreResult::MethodNotCacheable << qint64(0);
    row("successful POST invalidates") << "POST"_ba << 201 << none << QByteArrayList{"Cache-Control: max-age=60"} << 0.0 << StoreResult::Invalidated << qint64(0);
    row("failed POST does not") << "POST"_ba << 500 << none << none << 0.0 << StoreResult::MethodNotCacheable << qint64(0);
    row("404 with max-age") << "GET"_ba << 404 << none << QByteArrayList{"Cache-Control: max-age=60"} << 0.0 << StoreResult::Stored << qint64(60000);
    row("301 with route TTL") << "GET"_ba << 301 << none << none << 10.0 << StoreResult::Stored << qint64(10000);
    row("308") << "GET"_ba << 308 << none << QByteArrayList{"Cache-Control: max-age=60"} << 0.0 << StoreResult::Stored << qint64(60000);
    row("204") << "GET"_ba << 204 << none << QByteArrayList{"Cache-Control: max-age=60"} << 0.0 << StoreResult::Stored << qint64(60000);
    row("302 even with max-age") << "GET"_ba << 302 << none << QByteArrayList{"Cache-Control: max-age=60"} << 0.0 << StoreResult::StatusNotCacheable << qint64(0);
    row("206 (no range support)") << "GET"_ba << 206 << none << QByteArrayList{"Cache-Control: max-age=60"} << 0.0 << StoreResult::StatusNotCacheable << qint64(0);
    row("500 with route TTL") << "GET"_ba << 500 << none << none << 10.0 << StoreResult::StatusNotCacheable << qint64(0);
    row("Vary: *") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=60", "Vary: *"} << 0.0 << StoreResult::VaryStar << qint64(0);
    row("Vary: * in a list") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=60", "Vary: Accept", "Vary: Origin, *"} << 0.0 << StoreResult::VaryStar << qint64(0);
    row("Authorization without public") << "GET"_ba << 200 << QByteArrayList{"Authorization: Bearer abc"} << QByteArrayList{"Cache-Control: max-age=60"} << 20.0 << StoreResult::Authorization << qint64(0);
    row("Authorization with public") << "GET"_ba << 200 << QByteArrayList{"Authorization: Bearer abc"} << QByteArrayList{"Cache-Control: public, max-age=60"} << 0.0 << StoreResult::Stored << qint64(60000);
    row("Authorization with s-maxage") << "GET"_ba << 200 << QByteArrayList{"Authorization: Bearer abc"} << QByteArrayList{"Cache-Control: s-maxage=30"} << 0.0 << StoreResult::Stored << qint64(30000);
    row("Authorization with must-revalidate") << "GET"_ba << 200 << QByteArrayList{"Authorization: Bearer abc"} << QByteArrayList{"Cache-Control: must-revalidate, max-age=30"} << 0.0 << StoreResult::Stored << qint64(30000);
    row("Set-Cookie without public") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: max-age=60", "Set-Cookie: s=1"} << 0.0 << StoreResult::SetCookie << qint64(0);
    row("Set-Cookie with public") << "GET"_ba << 200 << none << QByteArrayList{"Cache-Control: public, max-age=60", "Set-Cookie: s=1"} << 0.0 << StoreResult::Stored << qint64(60000);
}

void tst_ResponseCache::storeDecision()
{
    QFETCH(QByteArray, method);
    QFETCH(int, status);
    QFETCH(QByteArrayList, requestHeaders);
    QFETCH(QByteArrayList, responseHeaders);
    QFETCH(double, routeTtl);
    QFETCH(StoreResult, result);
    QFETCH(qint64, lifetimeMs);

    ResponseCache cache;
    const HttpRequest stored = request("/items?page=2", requestHeaders, method);
    // The same URI, as a GET that does not bypass the cache.
    QByteArrayList lookupHeaders = requestHeaders;
    lookupHeaders.removeIf([](const QByteArray &line) { return line.startsWith("Cache-Control"); });
    const HttpRequest get = request("/items?page=2", lookupHeaders);
    if (result == StoreResult::Invalidated) // something to invalidate
        QCOMPARE(cache.store(get, response({"Cache-Control: max-age=600"}), t0 - 1000), StoreResult::Stored);

    QCOMPARE(cache.store(stored, response(responseHeaders, "body", status), t0, routeTtl), result);
    const qsizetype expectedEntries = result == StoreResult::Stored ? 1 : 0;
    QCOMPARE(cache.stats().entries, expectedEntries);
    if (result != StoreResult::Stored)
        return;
    const ResponseCache::Lookup before = cache.lookup(get, t0 + lifetimeMs - 1);
    QVERIFY(before.isHit());
    QCOMPARE(before.response.status(), status);
    QCOMPARE(cache.lookup(get, t0 + lifetimeMs).status, LookupStatus::Miss);
}

void tst_ResponseCache::ageHeader_data()
{
    QTest::addColumn<QByteArrayList>("responseHeaders");
    QTest::addColumn<qint64>("afterMs");
    QTest::addColumn<QByteArray>("age");

    const QByteArrayList plain{"Cache-Control: max-age=100"};
    QTest::addRow("at once") << plain << qint64(0) << "0"_ba;
    QTest::addRow("999 ms rounds down") << plain << qint64(999) << "0"_ba;
    QTest::addRow("1 s") << plain << qint64(1000) << "1"_ba;
    QTest::addRow("59.5 s") << plain << qint64(59500) << "59"_ba;
    QTest::addRow("upstream Age added") << QByteArrayList{"Cache-Control: max-age=100", "Age: 10"} << qint64(5000) << "15"_ba;
    QTest::addRow("apparent age from Date")
        << QByteArrayList{"Cache-Control: max-age=100", "Date: " + dateText(t0 - 20000)} << qint64(1000) << "21"_ba;
    QTest::addRow("larger of Age and apparent age")
        << QByteArrayList{"Cache-Control: max-age=100", "Date: " + dateText(t0 - 20000), "Age: 30"} << qint64(0) << "30"_ba;
    QTest::addRow("Date in the future is age 0")
        << QByteArrayList{"Cache-Control: max-age=100", "Date: " + dateText(t0 + 50000)} << qint64(2000) << "2"_ba;
    QTest::addRow("stored Age field replaced") << QByteArrayList{"Cache-Control: max-age=100", "Age: 3"} << qint64(0) << "3"_ba;
}

void tst_ResponseCache::ageHeader()
{
    QFETCH(QByteArrayList, responseHeaders);
    QFETCH(qint64, afterMs);
    QFETCH(QByteArray, age);

    ResponseCache cache;
    const HttpRequest get = request("/a");
    QCOMPARE(cache.store(get, response(responseHeaders), t0), StoreResult::Stored);
    const ResponseCache::Lookup hit = cache.lookup(get, t0 + afterMs);
    QVERIFY(hit.isHit());
    QCOMPARE(hit.response.headers().values("Age"), QByteArrayList{age});
}

void tst_ResponseCache::staleEntryIsDroppedOnLookup()
{
    ResponseCache cache;
    const HttpRequest get = request("/a");
    QCOMPARE(cache.store(get, response({"Cache-Control: max-age=10"}), t0), StoreResult::Stored);
    QVERIFY(cache.lookup(get, t0 + 9999).isHit());
    QCOMPARE(cache.lookup(get, t0 + 10000).status, LookupStatus::Miss);
    const ResponseCache::Stats stats = cache.stats();
    QCOMPARE(stats.entries, qsizetype(0));
    QCOMPARE(stats.bytes, qint64(0));
    QCOMPARE(stats.expirations, qint64(1));
    // Stale is final: going back in time does not revive it.
    QCOMPARE(cache.lookup(get, t0).status, LookupStatus::Miss);
}

void tst_ResponseCache::requestDirectives_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArrayList>("requestHeaders");
    QTest::addColumn<qint64>("afterMs");
    QTest::addColumn<LookupStatus>("status");

    QTest::addRow("plain") << "GET"_ba << QByteArrayList() << qint64(0) << LookupStatus::Hit;
    QTest::addRow("no-cache bypasses") << "GET"_ba << QByteArrayList{"Cache-Control: no-cache"} << qint64(0) << LookupStatus::Bypass;
    QTest::addRow("no-store bypasses") << "GET"_ba << QByteArrayList{"Cache-Control: no-store"} << qint64(0) << LookupStatus::Bypass;
    QTest::addRow("max-age=5 at 4 s") << "GET"_ba << QByteArrayList{"Cache-Control: max-age=5"} << qint64(4000) << LookupStatus::Hit;
    QTest::addRow("max-age=5 at 6 s") << "GET"_ba << QByteArrayList{"Cache-Control: max-age=5"} << qint64(6000) << LookupStatus::Miss;
    QTest::addRow("max-age=0 when just stored") << "GET"_ba << QByteArrayList{"Cache-Control: max-age=0"} << qint64(0) << LookupStatus::Hit;
    QTest::addRow("max-age=0 a second later") << "GET"_ba << QByteArrayList{"Cache-Control: max-age=0"} << qint64(1000) << LookupStatus::Miss;
    QTest::addRow("Pragma is ignored") << "GET"_ba << QByteArrayList{"Pragma: no-cache"} << qint64(0) << LookupStatus::Hit;
    QTest::addRow("POST bypasses") << "POST"_ba << QByteArrayList() << qint64(0) << LookupStatus::Bypass;
    QTest::addRow("DELETE bypasses") << "DELETE"_ba << QByteArrayList() << qint64(0) << LookupStatus::Bypass;
}

void tst_ResponseCache::requestDirectives()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArrayList, requestHeaders);
    QFETCH(qint64, afterMs);
    QFETCH(LookupStatus, status);

    ResponseCache cache;
    QCOMPARE(cache.store(request("/a"), response({"Cache-Control: max-age=60"}), t0), StoreResult::Stored);
    QCOMPARE(cache.lookup(request("/a", requestHeaders, method), t0 + afterMs).status, status);
    const ResponseCache::Stats stats = cache.stats();
    QCOMPARE(stats.bypasses, qint64(status == LookupStatus::Bypass ? 1 : 0));
    QCOMPARE(stats.entries, qsizetype(1)); // a bypass or a too-old answer drops nothing
}

void tst_ResponseCache::varyVariants()
{
    ResponseCache cache;
    const QByteArrayList vary{"Cache-Control: max-age=60", "Vary: Accept-Encoding, accept-language"};
    const auto get = [](const QByteArrayList &headers) { return request("/doc", headers); };
    QCOMPARE(cache.store(get({"Accept-Encoding: gzip", "Accept-Language: de"}), response(vary, "gzip-de"), t0), StoreResult::Stored);
    QCOMPARE(cache.store(get({"Accept-Encoding: br", "Accept-Language: de"}), response(vary, "br-de"), t0), StoreResult::Stored);
    QCOMPARE(cache.store(get({"Accept-Language: de"}), response(vary, "none-de"), t0), StoreResult::Stored);
    QCOMPARE(cache.store(get({"Accept-Encoding: ", "Accept-Language: de"}), response(vary, "empty-de"), t0), StoreResult::Stored);
    QCOMPARE(cache.stats().entries, qsizetype(4));

    QCOMPARE(cache.lookup(get({"accept-encoding: gzip", "ACCEPT-LANGUAGE: de"}), t0).response.body(), "gzip-de"_ba);
    QCOMPARE(cache.lookup(get({"Accept-Language: de", "Accept-Encoding: br"}), t0).response.body(), "br-de"_ba);
    QCOMPARE(cache.lookup(get({"Accept-Language: de"}), t0).response.body(), "none-de"_ba);
    QCOMPARE(cache.lookup(get({"Accept-Encoding:", "Accept-Language: de"}), t0).response.body(), "empty-de"_ba);
    QCOMPARE(cache.lookup(get({"Accept-Encoding: gzip", "Accept-Language: fr"}), t0).status, LookupStatus::Miss);
    QCOMPARE(cache.lookup(get({"Accept-Encoding: gzip"}), t0).status, LookupStatus::Miss);
    QCOMPARE(cache.lookup(get({"Accept-Encoding: identity", "Accept-Language: de"}), t0).status, LookupStatus::Miss);
    // Several fields of one name compare as their comma-joined list.
    QCOMPARE(cache.store(get({"Accept-Encoding: gzip", "Accept-Encoding: br", "Accept-Language: de"}),
                         response(vary, "list"), t0), StoreResult::Stored);
    QCOMPARE(cache.lookup(get({"Accept-Encoding: gzip, br", "Accept-Language: de"}), t0).response.body(), "list"_ba);
}

void tst_ResponseCache::varyReplacesOnlyItsOwnVariant()
{
    ResponseCache cache;
    const QByteArrayList vary{"Cache-Control: max-age=60", "Vary: Accept"};
    QCOMPARE(cache.store(request("/x", {"Accept: text/html"}), response(vary, "html-1"), t0), StoreResult::Stored);
    QCOMPARE(cache.store(request("/x", {"Accept: application/json"}), response(vary, "json"), t0), StoreResult::Stored);
    QCOMPARE(cache.store(request("/x", {"Accept: text/html"}), response(vary, "html-2"), t0 + 1000), StoreResult::Stored);
    QCOMPARE(cache.stats().entries, qsizetype(2));
    QCOMPARE(cache.lookup(request("/x", {"Accept: text/html"}), t0 + 1000).response.body(), "html-2"_ba);
    QCOMPARE(cache.lookup(request("/x", {"Accept: application/json"}), t0 + 1000).response.body(), "json"_ba);
    // A response without Vary replaces every variant the request would select, here the html one.
    QCOMPARE(cache.store(request("/x", {"Accept: text/html"}), response({"Cache-Control: max-age=60"}, "any"), t0 + 2000),
             StoreResult::Stored);
    QCOMPARE(cache.stats().entries, qsizetype(2));
    QCOMPARE(cache.lookup(request("/x", {"Accept: application/json"}), t0 + 2000).response.body(), "any"_ba);
    QCOMPARE(cache.invalidate(request("/x")), qsizetype(2));
    QCOMPARE(cache.stats().entries, qsizetype(0));
}

void tst_ResponseCache::queryIsKeyedAsReceived()
{
    ResponseCache cache;
    QCOMPARE(cache.store(request("/items?a=1&b=2"), response({"Cache-Control: max-age=60"}), t0), StoreResult::Stored);
    QVERIFY(cache.lookup(request("/items?a=1&b=2"), t0).isHit());
    QCOMPARE(cache.lookup(request("/items?b=2&a=1"), t0).status, LookupStatus::Miss);
    QCOMPARE(cache.lookup(request("/items?a=%31&b=2"), t0).status, LookupStatus::Miss);
    QCOMPARE(cache.lookup(request("/items"), t0).status, LookupStatus::Miss);
    QCOMPARE(cache.lookup(request("/Items?a=1&b=2"), t0).status, LookupStatus::Miss);
    HttpRequest otherHost = request("/items?a=1&b=2");
    otherHost.headers.set("Host", "other.example.test");
    QCOMPARE(cache.lookup(otherHost, t0).status, LookupStatus::Miss);
    HttpRequest upperHost = request("/items?a=1&b=2");
    upperHost.headers.set("Host", "API.Example.Test");
    QVERIFY(cache.lookup(upperHost, t0).isHit());
}

void tst_ResponseCache::headIsServedFromGet()
{
    ResponseCache cache;
    QCOMPARE(cache.store(request("/a"), response({"Cache-Control: max-age=60"}, "twelve bytes"), t0), StoreResult::Stored);
    const ResponseCache::Lookup head = cache.lookup(request("/a", {}, "HEAD"), t0 + 2000);
    QVERIFY(head.isHit());
    HttpResponse::WireOptions wire;
    wire.headRequest = true;
    const QByteArray bytes = head.response.serialize(wire);
    QVERIFY(bytes.contains("Content-Length: 12\r\n"));
    QVERIFY(bytes.contains("Age: 2\r\n"));
    QVERIFY(bytes.endsWith("\r\n\r\n"));
    QVERIFY(!bytes.contains("twelve bytes"));
    // A HEAD response alone never creates an entry.
    ResponseCache empty;
    QCOMPARE(empty.store(request("/a", {}, "HEAD"), response({"Cache-Control: max-age=60"}, {}), t0),
             StoreResult::MethodNotCacheable);
    QCOMPARE(empty.lookup(request("/a", {}, "HEAD"), t0).status, LookupStatus::Miss);
}

void tst_ResponseCache::setCookieIsNeverReplayed()
{
    ResponseCache cache;
    const HttpResponse upstream = response({"Cache-Control: public, max-age=60", "Set-Cookie: session=alice",
                                            "set-cookie: theme=dark", "X-Kept: yes"});
    QCOMPARE(cache.store(request("/a"), upstream, t0), StoreResult::Stored);
    QCOMPARE(upstream.headers().count("Set-Cookie"), 2); // the caller's copy is untouched
    const ResponseCache::Lookup hit = cache.lookup(request("/a"), t0);
    QVERIFY(hit.isHit());
    QVERIFY(!hit.response.headers().contains("Set-Cookie"));
    QCOMPARE(hit.response.header("X-Kept"), "yes"_ba);
}

void tst_ResponseCache::authorizationNeedsShareableEntry()
{
    ResponseCache cache;
    QCOMPARE(cache.store(request("/plain"), response({"Cache-Control: max-age=60"}), t0), StoreResult::Stored);
    QCOMPARE(cache.store(request("/shared"), response({"Cache-Control: public, max-age=60"}), t0), StoreResult::Stored);
    const QByteArrayList auth{"Authorization: Bearer token"};
    QCOMPARE(cache.lookup(request("/plain", auth), t0).status, LookupStatus::Miss);
    QVERIFY(cache.lookup(request("/shared", auth), t0).isHit());
    QVERIFY(cache.lookup(request("/plain"), t0).isHit());
}

void tst_ResponseCache::unsafeMethodInvalidates()
{
    ResponseCache cache;
    const QByteArrayList vary{"Cache-Control: max-age=60", "Vary: Accept"};
    QCOMPARE(cache.store(request("/items/1", {"Accept: a"}), response(vary), t0), StoreResult::Stored);
    QCOMPARE(cache.store(request("/items/1", {"Accept: b"}), response(vary), t0), StoreResult::Stored);
    QCOMPARE(cache.store(request("/items/2"), response({"Cache-Control: max-age=60"}), t0), StoreResult::Stored);
    HttpResponse failed(409);
    QCOMPARE(cache.store(request("/items/1", {}, "PUT"), failed, t0), StoreResult::MethodNotCacheable);
    QCOMPARE(cache.stats().entries, qsizetype(3));
    QCOMPARE(cache.store(request("/items/1", {}, "DELETE"), HttpResponse(204), t0), StoreResult::Invalidated);
    QCOMPARE(cache.stats().entries, qsizetype(1));
    QCOMPARE(cache.lookup(request("/items/1", {"Accept: a"}), t0).status, LookupStatus::Miss);
    QVERIFY(cache.lookup(request("/items/2"), t0).isHit());
}

void tst_ResponseCache::lruEvictionByBytes()
{
    // Every entry below has the same cost; measure it on a scratch cache.
    const auto entry = [](const QByteArray &path) { return request("/" + path); };
    const HttpResponse small = response({"Cache-Control: max-age=600"}, QByteArray(100, 'x'));
    qint64 unit = 0;
    {
        ResponseCache scratch;
        QCOMPARE(scratch.store(entry("a"), small, t0), StoreResult::Stored);
        unit = scratch.stats().bytes;
    }
    QVERIFY(unit > 100);
    ResponseCache cache({3 * unit, 3 * unit});
    for (const char *path : {"a", "b", "c"})
        QCOMPARE(cache.store(entry(path), small, t0), StoreResult::Stored);
    QCOMPARE(cache.stats().bytes, 3 * unit);
    QVERIFY(cache.lookup(entry("a"), t0).isHit()); // order now, oldest first: b, c, a
    QCOMPARE(cache.store(entry("d"), small, t0), StoreResult::Stored);
    QCOMPARE(cache.lookup(entry("b"), t0).status, LookupStatus::Miss);
    QCOMPARE(cache.stats().evictions, qint64(1));
    // c, a, d: a body one unit larger needs two slots, so c and a go.
    const HttpResponse large = response({"Cache-Control: max-age=600"}, QByteArray(100 + int(unit), 'y'));
    QCOMPARE(cache.store(entry("e"), large, t0), StoreResult::Stored);
    QCOMPARE(cache.stats().evictions, qint64(3));
    QCOMPARE(cache.lookup(entry("c"), t0).status, LookupStatus::Miss);
    QCOMPARE(cache.lookup(entry("a"), t0).status, LookupStatus::Miss);
    QVERIFY(cache.lookup(entry("d"), t0).isHit());
    QVERIFY(cache.lookup(entry("e"), t0).isHit());
    QCOMPARE(cache.stats().bytes, 3 * unit);
    QVERIFY(cache.stats().bytes <= cache.options().maxBytes);
}

void tst_ResponseCache::perEntrySizeLimit()
{
    ResponseCache cache({1024 * 1024, 1000});
    QCOMPARE(cache.store(request("/big"), response({"Cache-Control: max-age=60"}, QByteArray(1000, 'x')), t0),
             StoreResult::TooLarge);
    QCOMPARE(cache.store(request("/ok"), response({"Cache-Control: max-age=60"}, QByteArray(800, 'x')), t0),
             StoreResult::Stored);
    const ResponseCache::Stats stats = cache.stats();
    QCOMPARE(stats.entries, qsizetype(1));
    QVERIFY(stats.bytes > 800 && stats.bytes <= 1000);
    // An entry larger than the whole cache is refused too, whatever the per-entry limit.
    ResponseCache tiny({500, 1024 * 1024});
    QCOMPARE(tiny.store(request("/ok"), response({"Cache-Control: max-age=60"}, QByteArray(800, 'x')), t0),
             StoreResult::TooLarge);
}

void tst_ResponseCache::shrinkingMaxBytesEvicts()
{
    ResponseCache cache;
    for (int i = 0; i < 10; ++i)
        QCOMPARE(cache.store(request("/" + QByteArray::number(i)), response({"Cache-Control: max-age=60"}, QByteArray(1000, 'x')), t0),
                 StoreResult::Stored);
    const qint64 each = cache.stats().bytes / 10;
    cache.setOptions({4 * each, 1024 * 1024});
    QCOMPARE(cache.stats().entries, qsizetype(4));
    for (int i = 6; i < 10; ++i)
        QVERIFY(cache.lookup(request("/" + QByteArray::number(i)), t0).isHit());
}

void tst_ResponseCache::purgeStale()
{
    ResponseCache cache;
    for (int i = 1; i <= 5; ++i) {
        const QByteArray maxAge = "Cache-Control: max-age=" + QByteArray::number(i * 10);
        QCOMPARE(cache.store(request("/" + QByteArray::number(i)), response({maxAge}), t0), StoreResult::Stored);
    }
    QCOMPARE(cache.purgeStale(t0 + 9999), qsizetype(0));
    QCOMPARE(cache.purgeStale(t0 + 30000), qsizetype(3));
    QCOMPARE(cache.stats().entries, qsizetype(2));
    QCOMPARE(cache.stats().expirations, qint64(3));
    QVERIFY(cache.lookup(request("/5"), t0 + 30000).isHit());
    cache.clear();
    QCOMPARE(cache.stats().entries, qsizetype(0));
    QCOMPARE(cache.stats().bytes, qint64(0));
}

void tst_ResponseCache::cacheControlParse_data()
{
    QTest::addColumn<QByteArrayList>("headers");
    QTest::addColumn<QByteArray>("expected"); // flags and values, see below

    QTest::addRow("empty") << QByteArrayList() << "-"_ba;
    QTest::addRow("all flags") << QByteArrayList{"Cache-Control: no-store, no-cache, private, public, must-revalidate"}
                               << "store:no cache:no private public revalidate"_ba;
    QTest::addRow("values") << QByteArrayList{"Cache-Control: max-age=60 , s-maxage=5"} << "max-age=60 s-maxage=5"_ba;
    QTest::addRow("whitespace and empty elements") << QByteArrayList{"Cache-Control: ,, max-age = 7 ,"} << "max-age=7"_ba;
    QTest::addRow("quoted comma does not split") << QByteArrayList{"Cache-Control: no-cache=\"a, private\", max-age=3"}
                                                 << "cache:no max-age=3"_ba;
    QTest::addRow("huge value is capped") << QByteArrayList{"Cache-Control: max-age=99999999999999999999"}
                                          << "max-age=2147483648"_ba;
    QTest::addRow("unknown directives ignored") << QByteArrayList{"Cache-Control: stale-while-revalidate=30, immutable"} << "-"_ba;
    QTest::addRow("negative is invalid, so stale") << QByteArrayList{"Cache-Control: max-age=-1"} << "max-age=0"_ba;
    QTest::addRow("other fields ignored") << QByteArrayList{"Pragma: no-cache", "X-Cache-Control: no-store"} << "-"_ba;
}

void tst_ResponseCache::cacheControlParse()
{
    QFETCH(QByteArrayList, headers);
    QFETCH(QByteArray, expected);
    const CacheControl cc = CacheControl::parse(fields(headers));
    QByteArrayList parts;
    if (cc.noStore)
        parts << "store:no";
    if (cc.noCache)
        parts << "cache:no";
    if (cc.isPrivate)
        parts << "private";
    if (cc.isPublic)
        parts << "public";
    if (cc.mustRevalidate)
        parts << "revalidate";
    if (cc.maxAge)
        parts << "max-age=" + QByteArray::number(*cc.maxAge);
    if (cc.sMaxAge)
        parts << "s-maxage=" + QByteArray::number(*cc.sMaxAge);
    QCOMPARE(parts.isEmpty() ? "-"_ba : parts.join(' '), expected);
}

void tst_ResponseCache::httpDate_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("ms"); // -1: not a date

    // RFC 9110 §5.6.7's example, in its three forms: 784111777 s after the epoch.
    QTest::addRow("IMF-fixdate") << "Sun, 06 Nov 1994 08:49:37 GMT"_ba << qint64(784111777000);
    QTest::addRow("RFC 850") << "Sunday, 06-Nov-94 08:49:37 GMT"_ba << qint64(784111777000);
    QTest::addRow("asctime") << "Sun Nov  6 08:49:37 1994"_ba << qint64(784111777000);
    QTest::addRow("asctime, two-digit day") << "Wed Nov 16 08:49:37 1994"_ba << qint64(784111777000 + 10 * 86400000ll);
    QTest::addRow("RFC 850, 20xx") << "Tuesday, 14-Nov-23 22:13:20 GMT"_ba << t0;
    QTest::addRow("our own output") << dateText(t0) << t0;
    QTest::addRow("epoch") << "Thu, 01 Jan 1970 00:00:00 GMT"_ba << qint64(0);
    QTest::addRow("zero") << "0"_ba << qint64(-1);
    QTest::addRow("empty") << ""_ba << qint64(-1);
    QTest::addRow("not GMT") << "Sun, 06 Nov 1994 08:49:37 UTC"_ba << qint64(-1);
    QTest::addRow("bad month") << "Sun, 06 Nov 1994 08:49:37 GMT"_ba.replace("Nov", "Nox") << qint64(-1);
    QTest::addRow("lower-case month") << "Sun, 06 nov 1994 08:49:37 GMT"_ba << qint64(-1);
    QTest::addRow("31 November") << "Sun, 31 Nov 1994 08:49:37 GMT"_ba << qint64(-1);
    QTest::addRow("hour 24") << "Sun, 06 Nov 1994 24:00:00 GMT"_ba << qint64(-1);
    QTest::addRow("one-digit day in IMF") << "Sun, 6 Nov 1994 08:49:37 GMT"_ba << qint64(-1);
    QTest::addRow("trailing junk") << "Sun, 06 Nov 1994 08:49:37 GMT x"_ba << qint64(-1);
}

void tst_ResponseCache::httpDate()
{
    QFETCH(QByteArray, text);
    QFETCH(qint64, ms);
    const std::optional<qint64> parsed = ResponseCache::parseHttpDate(text);
    QCOMPARE(parsed.value_or(-1), ms);
}

void tst_ResponseCache::concurrentUse()
{
    constexpr int threads = 4;
    constexpr int rounds = 3000;
    ResponseCache cache({64 * 1024, 4096});
    std::vector<std::unique_ptr<QThread>> workers;
    std::vector<int> hits(threads, 0);
    std::vector<int> lookups(threads, 0);
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back(QThread::create([&, t] {
            for (int i = 0; i < rounds; ++i) {
                // Shared keys (contended) and private ones (for eviction pressure).
                const QByteArray path = (i % 2 ? QByteArray("/shared/") : "/own/" + QByteArray::number(t) + '/')
                    + QByteArray::number(i % 97);
                const HttpRequest get = request(path);
                ++lookups[t];
                const ResponseCache::Lookup l = cache.lookup(get, t0);
                if (l.isHit()) {
                    ++hits[t];
                    if (l.response.body() != path) // a hit always carries its own body
                        return;
                } else {
                    (void)cache.store(get, response({"Cache-Control: max-age=60"}, path), t0);
                }
            }
        }));
    }
    for (auto &w : workers)
        w->start();
    for (auto &w : workers)
        QVERIFY(w->wait(QDeadlineTimer(120000)));
    qint64 totalHits = 0;
    qint64 totalLookups = 0;
    for (int t = 0; t < threads; ++t) {
        QCOMPARE(lookups[t], rounds); // no thread stopped on a wrong body
        totalHits += hits[t];
        totalLookups += lookups[t];
    }
    const ResponseCache::Stats stats = cache.stats();
    QCOMPARE(stats.hits, totalHits);
    QCOMPARE(stats.hits + stats.misses, totalLookups);
    QVERIFY(stats.hits > 0);
    QVERIFY(stats.bytes <= 64 * 1024);
    QVERIFY(stats.entries > 0);
}

QTEST_GUILESS_MAIN(tst_ResponseCache)
#include "tst_responsecache.moc"
