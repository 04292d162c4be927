#include <gateway/ratelimiter.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using Conflux::Gateway::RateLimit;
using Conflux::Gateway::RateLimitDecision;
using Conflux::Gateway::RateLimiter;
using Conflux::Gateway::RateLimiterConfig;
using Conflux::Gateway::RateLimitRequest;

Q_DECLARE_METATYPE(RateLimit)

namespace {

constexpr qint64 us = 1000;
constexpr qint64 ms = 1000 * us;
constexpr qint64 sec = 1000 * ms;

RateLimitRequest client(const QString &key, const QString &route = {})
{
    RateLimitRequest r;
    r.clientKey = key;
    r.routeId = route;
    return r;
}

RateLimiterConfig clientOnly(const RateLimit &limit)
{
    RateLimiterConfig config;
    config.perClient = limit;
    return config;
}

// Sends `count` requests at `now`; returns how many were allowed.
int drain(RateLimiter &limiter, const RateLimitRequest &request, int count, qint64 now)
{
    int allowed = 0;
    for (int i = 0; i < count; ++i)
        allowed += limiter.check(request, now).allowed ? 1 : 0;
    return allowed;
}

QByteArray headerValue(const RateLimitDecision &d, QByteArrayView name)
{
    return d.headers().value(name, "<absent>"_ba);
}

} // namespace

class tst_RateLimiter : public QObject
{
    Q_OBJECT

private slots:
    void refill_data();
    void refill();
    void burstAllowance();
    void noLimitAllowsEverything();
    void refusalChargesNothing_data();
    void refusalChargesNothing();
    void whichLimitRefuses_data();
    void whichLimitRefuses();
    void allowedReportsTheTightestBucket();
    void retryAfterRounding_data();
    void retryAfterRounding();
    void rateLimitHeaders();
    void apiKeyLimitIsIndependentOfClient();
    void clientRouteKeysDoNotCollide();
    void timeGoingBackwardsRefillsNothing();
    void evictionBoundUnderKeyFlood_data();
    void evictionBoundUnderKeyFlood();
    void sweepDropsIdleBuckets();
    void reconfigureKeepsUnchangedState();
    void reconfigureCarriesDebt_data();
    void reconfigureCarriesDebt();
    void concurrentChecksAddUp_data();
    void concurrentChecksAddUp();
    void configFromJson_data();
    void configFromJson();
    void limitValidity_data();
    void limitValidity();
};

void tst_RateLimiter::refill_data()
{
    QTest::addColumn<qint64>("requests");
    QTest::addColumn<double>("window");
    QTest::addColumn<qint64>("burst");
    QTest::addColumn<qint64>("advanceNs");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<qint64>("remaining"); // after the check at t0 + advance

    // The bucket is drained at t0, then one request is made at t0 + advance.
    QTest::addRow("10/s, at once: refused") << 10ll << 1.0 << 0ll << 0ll << false << 0ll;
    QTest::addRow("10/s, +99.999ms: refused") << 10ll << 1.0 << 0ll << 100 * ms - us << false << 0ll;
    QTest::addRow("10/s, +100ms: one token") << 10ll << 1.0 << 0ll << 100 * ms << true << 0ll;
    QTest::addRow("10/s, +250ms: two tokens") << 10ll << 1.0 << 0ll << 250 * ms << true << 1ll;
    QTest::addRow("10/s, +1s: full again") << 10ll << 1.0 << 0ll << sec << true << 9ll;
    QTest::addRow("10/s, +1h: capped at capacity") << 10ll << 1.0 << 0ll << 3600 * sec << true << 9ll;
    QTest::addRow("100/min, +599ms: refused") << 100ll << 60.0 << 0ll << 599 * ms << false << 0ll;
    QTest::addRow("100/min, +600ms: one token") << 100ll << 60.0 << 0ll << 600 * ms << true << 0ll;
    QTest::addRow("100/min, +30s: 50 tokens") << 100ll << 60.0 << 0ll << 30 * sec << true << 49ll;
    QTest::addRow("3/s, +333.333ms: not yet") << 3ll << 1.0 << 0ll << 333333 * us << false << 0ll;
    QTest::addRow("3/s, +333.334ms: one token") << 3ll << 1.0 << 0ll << 333334 * us << true << 0ll;
    QTest::addRow("1 per 0.5s, +0.5s") << 1ll << 0.5 << 0ll << 500 * ms << true << 0ll;
    QTest::addRow("5/s burst 5, +1s: five of ten") << 5ll << 1.0 << 5ll << sec << true << 4ll;
    QTest::addRow("5/s burst 5, +2s: full ten") << 5ll << 1.0 << 5ll << 2 * sec << true << 9ll;
    QTest::addRow("100k/day, +864ms: one") << 100000ll << 86400.0 << 0ll << 864 * ms << true << 0ll;
}

void tst_RateLimiter::refill()
{
    QFETCH(qint64, requests);
    QFETCH(double, window);
    QFETCH(qint64, burst);
    QFETCH(qint64, advanceNs);
    QFETCH(bool, allowed);
    QFETCH(qint64, remaining);

    const RateLimit limit{requests, window, burst};
    QVERIFY(limit.isValid());
    RateLimiter limiter(clientOnly(limit));
    const qint64 t0 = 5 * sec;
    QCOMPARE(drain(limiter, client(u"a"_s), int(limit.capacity()), t0), int(limit.capacity()));
    const RateLimitDecision d = limiter.check(client(u"a"_s), t0 + advanceNs);
    QCOMPARE(d.allowed, allowed);
    QCOMPARE(d.remaining, remaining);
    QCOMPARE(d.limitName, u"client"_s);
    QCOMPARE(d.limit, requests);
}

void tst_RateLimiter::burstAllowance()
{
    RateLimiter limiter(clientOnly(RateLimit::perSecond(10, 5)));
    // Capacity is rate + burst: fifteen at once, then the sixteenth waits.
    QCOMPARE(drain(limiter, client(u"a"_s), 20, 0), 15);
    // A second later only the rate has come back, not the burst.
    QCOMPARE(drain(limiter, client(u"a"_s), 20, sec), 10);
    // After long enough idle the full burst is available again.
    QCOMPARE(drain(limiter, client(u"a"_s), 20, 10 * sec), 15);
}

void tst_RateLimiter::noLimitAllowsEverything()
{
    RateLimiter limiter;
    const RateLimitDecision d = limiter.check(client(u"a"_s, u"route"_s), 0);
    QVERIFY(d.allowed);
    QVERIFY(d.limitName.isEmpty());
    QVERIFY(d.headers().isEmpty());
    QCOMPARE(limiter.stats().trackedBuckets, qsizetype(0));
}

void tst_RateLimiter::refusalChargesNothing_data()
{
    QTest::addColumn<QString>("refusingLimit");
    QTest::addRow("client refuses, global untouched") << u"client"_s;
    QTest::addRow("route refuses, global and client untouched") << u"route"_s;
}

void tst_RateLimiter::refusalChargesNothing()
{
    QFETCH(QString, refusingLimit);
    RateLimiterConfig config;
    config.global = RateLimit::perSecond(5);
    config.perClient = RateLimit::perSecond(refusingLimit == u"client" ? 2 : 4);
    config.routes.insert(u"tight"_s, RateLimit::perSecond(2));
    RateLimiter limiter(config);
    const QString route = refusingLimit == u"route" ? u"tight"_s : u"other"_s;

    // Client A spends two tokens, then is refused ten times by `refusingLimit`.
    QCOMPARE(drain(limiter, client(u"a"_s, route), 2, 0), 2);
    for (int i = 0; i < 10; ++i) {
        const RateLimitDecision d = limiter.check(client(u"a"_s, route), 0);
        QVERIFY(!d.allowed);
        QCOMPARE(d.limitName, refusingLimit);
    }
    int globalLeft = 3;
    if (refusingLimit == u"route") {
        // A's own client bucket (4) lost only the two allowed requests' tokens.
        const RateLimitDecision d = limiter.check(client(u"a"_s, u"elsewhere"_s), 0);
        QVERIFY(d.allowed);
        QCOMPARE(d.limitName, u"client"_s);
        QCOMPARE(d.remaining, qint64(1));
        --globalLeft;
    }
    // Had the refusals taken global tokens, other clients would get fewer than are left.
    int allowed = 0;
    for (int i = 0; i < 10; ++i)
        allowed += limiter.check(client(u"b"_s + QString::number(i), u"elsewhere"_s), 0).allowed ? 1 : 0;
    QCOMPARE(allowed, globalLeft);
    QCOMPARE(limiter.check(client(u"z"_s, u"elsewhere"_s), 0).limitName, u"global"_s);
}

void tst_RateLimiter::whichLimitRefuses_data()
{
    QTest::addColumn<RateLimit>("global");
    QTest::addColumn<RateLimit>("route");
    QTest::addColumn<RateLimit>("client");
    QTest::addColumn<RateLimit>("clientRoute");
    QTest::addColumn<RateLimit>("apiKey");
    QTest::addColumn<int>("allowedCount");
    QTest::addColumn<QString>("limitName");
    QTest::addColumn<qint64>("retryAfter");

    const RateLimit off;
    const RateLimit wide = RateLimit::perSecond(1000);
    QTest::addRow("global") << RateLimit::perSecond(3) << wide << wide << wide << wide << 3 << u"global"_s << 1ll;
    QTest::addRow("route") << wide << RateLimit{3, 6, 0} << wide << wide << wide << 3 << u"route"_s << 2ll;
    QTest::addRow("client") << wide << wide << RateLimit{2, 10, 0} << wide << wide << 2 << u"client"_s << 5ll;
    QTest::addRow("client_route") << wide << wide << wide << RateLimit{4, 60, 0} << wide << 4 << u"client_route"_s << 15ll;
    QTest::addRow("api_key") << wide << wide << wide << wide << RateLimit{5, 1, 1} << 6 << u"api_key"_s << 1ll;
    QTest::addRow("only the client limit set") << off << off << RateLimit::perSecond(2) << off << off << 2 << u"client"_s << 1ll;
    // Several buckets empty at once: the longest wait is reported, so Retry-After is honest.
    QTest::addRow("route and client empty, client waits longer")
        << wide << RateLimit::perSecond(2) << RateLimit{2, 10, 0} << wide << wide << 2 << u"client"_s << 5ll;
    QTest::addRow("route and client empty, route waits longer")
        << wide << RateLimit{2, 10, 0} << RateLimit::perSecond(2) << wide << wide << 2 << u"route"_s << 5ll;
    QTest::addRow("equal waits: the broader limit (global) is named")
        << RateLimit::perSecond(2) << RateLimit::perSecond(2) << RateLimit::perSecond(2) << wide << wide << 2 << u"global"_s << 1ll;
    QTest::addRow("equal waits: route before client")
        << wide << RateLimit::perSecond(2) << RateLimit::perSecond(2) << wide << wide << 2 << u"route"_s << 1ll;
}

void tst_RateLimiter::whichLimitRefuses()
{
    QFETCH(RateLimit, global);
    QFETCH(RateLimit, route);
    QFETCH(RateLimit, client);
    QFETCH(RateLimit, clientRoute);
    QFETCH(RateLimit, apiKey);
    QFETCH(int, allowedCount);
    QFETCH(QString, limitName);
    QFETCH(qint64, retryAfter);

    RateLimiterConfig config;
    config.global = global;
    config.perRoute = route;
    config.perClient = client;
    RateLimiter limiter(config);
    RateLimitRequest request = ::client(u"203.0.113.7"_s, u"orders"_s);
    request.clientRouteLimit = clientRoute;
    request.apiKeyId = u"key-1"_s;
    request.apiKeyLimit = apiKey;

    QCOMPARE(drain(limiter, request, allowedCount, 0), allowedCount);
    const RateLimitDecision d = limiter.check(request, 0);
    QVERIFY(!d.allowed);
    QCOMPARE(d.limitName, limitName);
    QCOMPARE(d.retryAfterSeconds, retryAfter);
    QCOMPARE(d.remaining, qint64(0));
}

void tst_RateLimiter::allowedReportsTheTightestBucket()
{
    RateLimiterConfig config;
    config.global = RateLimit::perSecond(100);
    config.perRoute = RateLimit::perSecond(10);
    config.perClient = RateLimit::perSecond(50);
    RateLimiter limiter(config);
    RateLimitDecision d = limiter.check(client(u"a"_s, u"r"_s), 0);
    QVERIFY(d.allowed);
    QCOMPARE(d.limitName, u"route"_s);
    QCOMPARE(d.limit, qint64(10));
    QCOMPARE(d.remaining, qint64(9));
    QCOMPARE(d.retryAfterSeconds, qint64(0));
    // Another client on another route: now its own client bucket (49 left after this one)
    // is tighter than the global one (98 left).
    d = limiter.check(client(u"b"_s, QString()), 0);
    QCOMPARE(d.limitName, u"client"_s);
    QCOMPARE(d.remaining, qint64(49));
}

void tst_RateLimiter::retryAfterRounding_data()
{
    QTest::addColumn<RateLimit>("limit");
    QTest::addColumn<qint64>("advanceNs");
    QTest::addColumn<qint64>("retryAfter");
    QTest::addColumn<qint64>("reset");

    // The bucket is drained at t0 and checked again at t0 + advance.
    QTest::addRow("1 per 10s, at once") << RateLimit{1, 10, 0} << 0ll << 10ll << 10ll;
    QTest::addRow("1 per 10s, +0.5s rounds up") << RateLimit{1, 10, 0} << 500 * ms << 10ll << 10ll;
    QTest::addRow("1 per 10s, +9s") << RateLimit{1, 10, 0} << 9 * sec << 1ll << 1ll;
    QTest::addRow("1 per 10s, +9.999999s is still 1, never 0") << RateLimit{1, 10, 0} << 10 * sec - us << 1ll << 1ll;
    QTest::addRow("10/s: 100ms wait is 1s") << RateLimit::perSecond(10) << 0ll << 1ll << 1ll;
    QTest::addRow("1 per 2min") << RateLimit{1, 120, 0} << 0ll << 120ll << 120ll;
    QTest::addRow("2 per min, burst 2: next token in 30s, full in 2min")
        << RateLimit{2, 60, 2} << 0ll << 30ll << 120ll;
    QTest::addRow("2 per min, burst 2, +29.5s") << RateLimit{2, 60, 2} << 29500 * ms << 1ll << 91ll;
}

void tst_RateLimiter::retryAfterRounding()
{
    QFETCH(RateLimit, limit);
    QFETCH(qint64, advanceNs);
    QFETCH(qint64, retryAfter);
    QFETCH(qint64, reset);

    RateLimiter limiter(clientOnly(limit));
    QCOMPARE(drain(limiter, client(u"a"_s), int(limit.capacity()), 0), int(limit.capacity()));
    const RateLimitDecision d = limiter.check(client(u"a"_s), advanceNs);
    QVERIFY(!d.allowed);
    QCOMPARE(d.retryAfterSeconds, retryAfter);
    QCOMPARE(d.resetSeconds, reset);
    QCOMPARE(headerValue(d, "Retry-After"), QByteArray::number(retryAfter));
}

void tst_RateLimiter::rateLimitHeaders()
{
    RateLimiter limiter(clientOnly(RateLimit{10, 60, 5}));
    RateLimitDecision d;
    for (int i = 0; i < 3; ++i)
        d = limiter.check(client(u"a"_s), 0);
    // 15 - 3 tokens left; three tokens at one per 6 s take 18 s to come back.
    QVERIFY(d.allowed);
    QCOMPARE(headerValue(d, "RateLimit-Limit"), "10"_ba);
    QCOMPARE(headerValue(d, "RateLimit-Remaining"), "12"_ba);
    QCOMPARE(headerValue(d, "RateLimit-Reset"), "18"_ba);
    QCOMPARE(headerValue(d, "RateLimit-Policy"), "10;w=60;burst=5"_ba);
    QCOMPARE(headerValue(d, "Retry-After"), "<absent>"_ba);
    QCOMPARE(d.headers().size(), 4);

    QCOMPARE(drain(limiter, client(u"a"_s), 20, 0), 12);
    d = limiter.check(client(u"a"_s), 4 * sec); // 4 s into the 6 s wait for one token
    QVERIFY(!d.allowed);
    QCOMPARE(headerValue(d, "RateLimit-Remaining"), "0"_ba);
    QCOMPARE(headerValue(d, "Retry-After"), "2"_ba);
    QCOMPARE(headerValue(d, "RateLimit-Reset"), "86"_ba); // 90 s to full, 4 s gone
    QCOMPARE(d.headers().size(), 5);

    // Without burst the policy has no burst parameter; windows below a second round up.
    RateLimiter plain(clientOnly(RateLimit{5, 0.5, 0}));
    QCOMPARE(headerValue(plain.check(client(u"a"_s), 0), "RateLimit-Policy"), "5;w=1"_ba);
}

void tst_RateLimiter::apiKeyLimitIsIndependentOfClient()
{
    RateLimiter limiter;
    RateLimitRequest first = client(u"10.0.0.1"_s);
    first.apiKeyId = u"plan-basic-key"_s;
    first.apiKeyLimit = RateLimit::perSecond(3);
    RateLimitRequest second = first;
    second.clientKey = u"10.0.0.2"_s;
    // Same key from two addresses shares one bucket.
    QCOMPARE(drain(limiter, first, 2, 0), 2);
    QCOMPARE(drain(limiter, second, 5, 0), 1);
    const RateLimitDecision d = limiter.check(second, 0);
    QCOMPARE(d.limitName, u"api_key"_s);
    // A request without the key limit is not affected.
    QVERIFY(limiter.check(client(u"10.0.0.2"_s), 0).allowed);
}

void tst_RateLimiter::clientRouteKeysDoNotCollide()
{
    RateLimiter limiter;
    RateLimitRequest a = client(u"ab"_s, u"c"_s);
    a.clientRouteLimit = RateLimit::perSecond(1);
    RateLimitRequest b = client(u"a"_s, u"bc"_s);
    b.clientRouteLimit = RateLimit::perSecond(1);
    QVERIFY(limiter.check(a, 0).allowed);
    QVERIFY(limiter.check(b, 0).allowed);
    QVERIFY(!limiter.check(a, 0).allowed);
    QCOMPARE(limiter.stats().trackedBuckets, qsizetype(2));
}

void tst_RateLimiter::timeGoingBackwardsRefillsNothing()
{
    RateLimiter limiter(clientOnly(RateLimit::perSecond(2)));
    QCOMPARE(drain(limiter, client(u"a"_s), 2, 100 * sec), 2);
    QVERIFY(!limiter.check(client(u"a"_s), 50 * sec).allowed);
    QVERIFY(!limiter.check(client(u"a"_s), 100 * sec).allowed);
    QVERIFY(limiter.check(client(u"a"_s), 100 * sec + 500 * ms).allowed);
}

void tst_RateLimiter::evictionBoundUnderKeyFlood_data()
{
    QTest::addColumn<qsizetype>("maxTracked");
    QTest::addColumn<qint64>("stepNs");   // time between two requests
    QTest::addColumn<bool>("expectForced");

    // 1 request/s per client: a bucket is idle (full) again one second after its request.
    QTest::addRow("busy flood, 1000 max") << qsizetype(1000) << 1 * us << true;
    QTest::addRow("busy flood, 10000 max") << qsizetype(10000) << 1 * us << true;
    QTest::addRow("slow rotation, everything idle") << qsizetype(1000) << 2 * sec << false;
}

void tst_RateLimiter::evictionBoundUnderKeyFlood()
{
    QFETCH(qsizetype, maxTracked);
    QFETCH(qint64, stepNs);
    QFETCH(bool, expectForced);

    RateLimiterConfig config = clientOnly(RateLimit::perSecond(1));
    config.maxTrackedKeys = maxTracked;
    RateLimiter limiter(config);
    qint64 now = 0;
    for (int i = 0; i < 100000; ++i) {
        const RateLimitDecision d = limiter.check(client(u"attacker-"_s + QString::number(i)), now);
        QVERIFY(d.allowed); // every new key gets a fresh bucket; memory is what is bounded
        now += stepNs;
        if (i % 10000 == 0)
            QVERIFY(limiter.stats().trackedBuckets <= maxTracked);
    }
    const RateLimiter::Stats stats = limiter.stats();
    QVERIFY2(stats.trackedBuckets <= maxTracked, qPrintable(QString::number(stats.trackedBuckets)));
    QCOMPARE(stats.forcedEvictions > 0, expectForced);
    QCOMPARE(stats.trackedBuckets + stats.evictions + stats.forcedEvictions, qint64(100000));
    if (!expectForced)
        QVERIFY(stats.trackedBuckets <= RateLimiter::shardCount * 4);
}

void tst_RateLimiter::sweepDropsIdleBuckets()
{
    RateLimiter limiter(clientOnly(RateLimit::perSecond(2)));
    for (int i = 0; i < 100; ++i)
        QVERIFY(limiter.check(client(QString::number(i)), i * ms).allowed);
    QCOMPARE(limiter.stats().trackedBuckets, qsizetype(100));
    // After 0.5 s + 49 ms the first 50 buckets are full again, the rest are not.
    QCOMPARE(limiter.sweep(549 * ms), qsizetype(50));
    QCOMPARE(limiter.stats().trackedBuckets, qsizetype(50));
    QCOMPARE(limiter.sweep(10 * sec), qsizetype(50));
    QCOMPARE(limiter.stats().trackedBuckets, qsizetype(0));
    QCOMPARE(limiter.stats().evictions, qint64(100));
}

void tst_RateLimiter::reconfigureKeepsUnchangedState()
{
    RateLimiterConfig config;
    config.perClient = RateLimit::perSecond(5);
    config.perRoute = RateLimit::perSecond(100);
    RateLimiter limiter(config);
    QCOMPARE(drain(limiter, client(u"a"_s, u"r"_s), 3, 0), 3);

    // A deploy changes the route and global limits; the client limit is the same.
    config.perRoute = RateLimit::perSecond(50);
    config.global = RateLimit::perSecond(1000);
    config.routes.insert(u"new-route"_s, RateLimit::perSecond(7));
    limiter.setConfig(config);
    QCOMPARE(limiter.config().routes.value(u"new-route"_s), RateLimit::perSecond(7));

    RateLimitDecision d = limiter.check(client(u"a"_s, u"r"_s), 0);
    QVERIFY(d.allowed);
    QCOMPARE(d.limitName, u"client"_s);
    QCOMPARE(d.remaining, qint64(1)); // 5 - 3 - 1: the client's state survived
    QCOMPARE(drain(limiter, client(u"a"_s, u"r"_s), 5, 0), 1);

    // Disabling the client limit stops consulting it.
    config.perClient = RateLimit();
    limiter.setConfig(config);
    d = limiter.check(client(u"a"_s, u"r"_s), 0);
    QVERIFY(d.allowed);
    QCOMPARE(d.limitName, u"route"_s);
}

void tst_RateLimiter::reconfigureCarriesDebt_data()
{
    QTest::addColumn<RateLimit>("before");
    QTest::addColumn<int>("used");
    QTest::addColumn<RateLimit>("after");
    QTest::addColumn<int>("allowedAfter");

    QTest::addRow("raised: debt kept, room at once") << RateLimit::perSecond(5) << 4 << RateLimit::perSecond(10) << 6;
    QTest::addRow("lowered: no fresh burst") << RateLimit::perSecond(10) << 8 << RateLimit::perSecond(5) << 0;
    QTest::addRow("lowered, unused bucket: full at the new size") << RateLimit::perSecond(10) << 0 << RateLimit::perSecond(5) << 5;
    QTest::addRow("burst added") << RateLimit::perSecond(5) << 5 << RateLimit::perSecond(5, 3) << 3;
    QTest::addRow("window changed, same count") << RateLimit{6, 1, 0} << 2 << RateLimit{6, 60, 0} << 4;
}

void tst_RateLimiter::reconfigureCarriesDebt()
{
    QFETCH(RateLimit, before);
    QFETCH(int, used);
    QFETCH(RateLimit, after);
    QFETCH(int, allowedAfter);

    RateLimiter limiter(clientOnly(before));
    QCOMPARE(drain(limiter, client(u"a"_s), used, 0), used);
    limiter.setConfig(clientOnly(after));
    QCOMPARE(drain(limiter, client(u"a"_s), 100, 0), allowedAfter);
}

void tst_RateLimiter::concurrentChecksAddUp_data()
{
    QTest::addColumn<bool>("sharedClient");
    QTest::addRow("one client bucket, 4 threads") << true;
    QTest::addRow("four clients under one global bucket") << false;
}

void tst_RateLimiter::concurrentChecksAddUp()
{
    QFETCH(bool, sharedClient);
    constexpr int threads = 4;
    constexpr int checksPerThread = 5000;
    constexpr int capacity = 1000;

    RateLimiterConfig config;
    if (sharedClient) {
        config.perClient = RateLimit::perSecond(capacity);
    } else {
        config.global = RateLimit::perSecond(capacity);
        config.perClient = RateLimit::perSecond(600);
        config.perRoute = RateLimit::perSecond(900);
    }
    RateLimiter limiter(config);
    std::atomic<int> allowed = 0;
    std::vector<int> perThread(threads, 0);
    std::vector<std::unique_ptr<QThread>> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back(QThread::create([&, t] {
            const RateLimitRequest request = client(sharedClient ? u"shared"_s : u"client-"_s + QString::number(t),
                                                    u"route-"_s + QString::number(t % 2));
            for (int i = 0; i < checksPerThread; ++i) {
                // Time stands still: no refill, so exactly `capacity` tokens exist.
                if (limiter.check(request, 42 * sec).allowed) {
                    allowed.fetch_add(1);
                    ++perThread[t];
                }
            }
        }));
    }
    for (auto &w : workers)
        w->start();
    for (auto &w : workers)
        QVERIFY(w->wait(QDeadlineTimer(120000)));
    QCOMPARE(allowed.load(), capacity);
    if (!sharedClient) {
        for (int n : perThread)
            QVERIFY(n <= 600);
        // Neither route (two threads each, 900 tokens) can have given out more than 900.
        QVERIFY(perThread[0] + perThread[2] <= 900);
        QVERIFY(perThread[1] + perThread[3] <= 900);
    }
}

void tst_RateLimiter::configFromJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<RateLimit>("global");
    QTest::addColumn<RateLimit>("perClient");
    QTest::addColumn<RateLimit>("perRoute");
    QTest::addColumn<RateLimit>("ordersRoute");

    const RateLimit off;
    QTest::addRow("the settings shape")
        << R"x({"global": {"requests_per_second": 1000}, "per_client": 20, "per_endpoint": 100, "burst_allowance": 10})x"_ba
        << true << RateLimit::perSecond(1000, 10) << RateLimit::perSecond(20, 10) << RateLimit::perSecond(100, 10)
        << RateLimit::perSecond(100, 10);
    QTest::addRow("per_endpoint map with default")
        << R"x({"per_endpoint": {"orders-api": {"requests": 100, "window_seconds": 60, "burst": 0}, "*": 5}})x"_ba
        << true << off << off << RateLimit::perSecond(5) << RateLimit{100, 60, 0};
    QTest::addRow("route document shape as a limit")
        << R"x({"per_client": {"requests": 100, "window_seconds": 1, "burst": 50, "key": "subject"}})x"_ba
        << true << off << RateLimit::perSecond(100, 50) << off << off;
    QTest::addRow("zero disables") << R"x({"global": 0, "per_client": null})x"_ba << true << off << off << off << off;
    QTest::addRow("empty") << "{}"_ba << true << off << off << off << off;
    QTest::addRow("fractional rps") << R"x({"global": 2.5})x"_ba << false << off << off << off << off;
    QTest::addRow("negative") << R"x({"per_client": -1})x"_ba << false << off << off << off << off;
    QTest::addRow("string") << R"x({"per_client": "10"})x"_ba << false << off << off << off << off;
    QTest::addRow("zero window") << R"x({"global": {"requests": 1, "window_seconds": 0}})x"_ba << false << off << off << off << off;
    QTest::addRow("negative burst_allowance") << R"x({"burst_allowance": -3})x"_ba << false << off << off << off << off;
    QTest::addRow("unknown setting (a typo)") << R"x({"per_clients": 10})x"_ba << false << off << off << off << off;
    QTest::addRow("too large together")
        << R"x({"global": {"requests": 1000000000000, "window_seconds": 86400}})x"_ba << false << off << off << off << off;
}

void tst_RateLimiter::configFromJson()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, ok);
    QFETCH(RateLimit, global);
    QFETCH(RateLimit, perClient);
    QFETCH(RateLimit, perRoute);
    QFETCH(RateLimit, ordersRoute);

    const auto config = RateLimiterConfig::fromJson(QJsonDocument::fromJson(json).object());
    QCOMPARE(config.isOk(), ok);
    if (!ok) {
        QCOMPARE(config.error().code, u"invalid_rate_limit"_s);
        QVERIFY(!config.error().details.isEmpty());
        return;
    }
    QCOMPARE(config->global, global);
    QCOMPARE(config->perClient, perClient);
    QCOMPARE(config->perRoute, perRoute);
    QCOMPARE(config->routeLimit(u"orders-api"_s), ordersRoute);
}

void tst_RateLimiter::limitValidity_data()
{
    QTest::addColumn<RateLimit>("limit");
    QTest::addColumn<bool>("valid");
    QTest::addRow("default is disabled") << RateLimit() << false;
    QTest::addRow("1/s") << RateLimit::perSecond(1) << true;
    QTest::addRow("negative burst") << RateLimit{1, 1, -1} << false;
    QTest::addRow("zero window") << RateLimit{1, 0, 0} << false;
    QTest::addRow("sub-microsecond window") << RateLimit{1, 1e-7, 0} << false;
    QTest::addRow("1M per day") << RateLimit{1000000, 86400, 0} << true;
    QTest::addRow("overflowing product") << RateLimit{1000000000, 86400 * 365, 0} << false;
}

void tst_RateLimiter::limitValidity()
{
    QFETCH(RateLimit, limit);
    QFETCH(bool, valid);
    QCOMPARE(limit.isValid(), valid);
}

QTEST_GUILESS_MAIN(tst_RateLimiter)
#include "tst_ratelimiter.moc"
