#pragma once

#include "httpheaders.h"

#include <base/result.h>

#include <QHash>
#include <QString>

#include <array>
#include <atomic>
#include <memory>
#include <optional>

class QJsonObject;
class QJsonValue;

namespace Conflux::Gateway {

// One token-bucket limit: `requests` per `windowSeconds`, plus `burst` extra tokens.
//
// Precisely: the bucket holds at most capacity() = requests + burst tokens, starts full, and
// refills continuously at requests / windowSeconds tokens per second (no steps at window
// boundaries). A request takes one token. So an idle client may send `requests + burst`
// requests at once and then `requests` per window sustained; `burst_allowance` is the number
// of tokens the bucket may hold *beyond* one window's worth of rate.
//
// Arithmetic is exact integer fixed point in microseconds, which bounds the product
// capacity() × windowSeconds (see isValid()): e.g. 1,000,000 requests per day is fine.
struct RateLimit
{
    qint64 requests = 0;        // > 0; 0 means "no limit" (disabled)
    double windowSeconds = 1.0; // > 0; fractions of a second allowed (µs resolution)
    qint64 burst = 0;           // >= 0

    bool isEnabled() const { return requests > 0; }
    // Enabled and within the ranges the fixed-point arithmetic supports.
    bool isValid() const;
    qint64 capacity() const { return requests + burst; }

    static RateLimit perSecond(qint64 requests, qint64 burst = 0) { return {requests, 1.0, burst}; }

    // Reads a limit from JSON: a number (requests per second), or an object with
    // "requests_per_second", or with "requests" and "window_seconds" (the shape of a route
    // document's "rate_limit"); "burst" overrides `defaultBurst`. Errors: invalid_rate_limit.
    static Result<RateLimit> fromJson(const QJsonValue &value, qint64 defaultBurst = 0);

    friend bool operator==(const RateLimit &, const RateLimit &) = default;
};

// The limits of a deployed project. A limit that is disabled (requests == 0) or not
// isValid() is not applied; fromJson() reports invalid ones as errors instead.
struct RateLimiterConfig
{
    RateLimit global;              // one bucket for all traffic
    RateLimit perClient;           // one bucket per client key
    RateLimit perRoute;            // one bucket per route id, unless `routes` names the route
    QHash<QString, RateLimit> routes; // route id -> limit (overrides perRoute for that route)
    // Hard bound on the buckets kept for keyed limits (route, client, client×route, API key);
    // see RateLimiter for how it is enforced.
    qsizetype maxTrackedKeys = 100000;

    RateLimit routeLimit(const QString &routeId) const { return routes.value(routeId, perRoute); }

    // Reads the gateway's rate limit settings:
    //   { "global": {"requests_per_second": 1000},   // or a plain number
    //     "per_client": 20,                           // requests per second per client key
    //     "per_endpoint": 100,                        // per route id; or a map
    //                                                 // {"<route id>": limit, "*": default}
    //     "burst_allowance": 10,                      // default burst of every limit above
    //     "max_tracked_keys": 100000 }
    // Any limit may also be an object as accepted by RateLimit::fromJson. A "per_endpoint"
    // object is a single limit when it has one of the keys requests_per_second, requests,
    // window_seconds or burst, and a map of route ids otherwise.
    // Errors: invalid_rate_limit, with one detail per problem.
    static Result<RateLimiterConfig> fromJson(const QJsonObject &settings);
};

// What the caller knows about one request.
//
// `clientKey` identifies the client: the authenticated identity (subject, API key id) when
// there is one, otherwise the socket peer address. The caller decides. A client-supplied
// X-Forwarded-For / Forwarded value must never be used here unless the socket peer is one of
// the project's trusted proxies; otherwise any client can pick its own bucket (or someone
// else's) by sending the header.
struct RateLimitRequest
{
    QString clientKey;  // empty: no client (or client×route) bucket
    QString routeId;    // empty: no route (or client×route) bucket
    // Per client and route, e.g. from the route document's "rate_limit" with key client_ip or
    // subject. Applied when set, valid, and both keys are non-empty.
    std::optional<RateLimit> clientRouteLimit;
    // Per API key, e.g. the plan of the key's consumer. Applied when set, valid, and
    // apiKeyId is non-empty. Keyed by apiKeyId, independent of clientKey.
    QString apiKeyId;
    std::optional<RateLimit> apiKeyLimit;
};

// The answer for one request.
//
// The reported limit is, when allowed, the applicable bucket with the fewest whole tokens
// left after this request; when refused, the empty bucket that needs the longest wait (so
// Retry-After is honest: before then the request would be refused again). Ties go to the
// first in the order global, route, client, client_route, api_key. When no limit applies,
// the request is allowed and `limitName` is empty.
struct RateLimitDecision
{
    bool allowed = true;
    QString limitName;         // "global", "route", "client", "client_route", "api_key", or ""
    qint64 limit = 0;          // the reported limit's requests per window
    double windowSeconds = 0;  // ... and its window
    qint64 burst = 0;          // ... and its burst allowance
    // Whole tokens left in the reported bucket (after taking this request's token when
    // allowed). With a burst allowance this may exceed `limit`.
    qint64 remaining = 0;
    // Seconds (rounded up) until the reported bucket is full again; 0 when it is full.
    qint64 resetSeconds = 0;
    // Refused: seconds (rounded up, >= 1) until every applicable bucket holds a token.
    // Allowed: 0.
    qint64 retryAfterSeconds = 0;

    // The response fields for this decision, for any status (empty when no limit applied):
    //   RateLimit-Limit: <limit>
    //   RateLimit-Remaining: <remaining>
    //   RateLimit-Reset: <resetSeconds>
    //   RateLimit-Policy: <limit>;w=<window, whole seconds rounded up>[;burst=<burst>]
    // (draft-ietf-httpapi-ratelimit-headers-06), plus, when refused, Retry-After: <seconds>
    // to send with status 429.
    Http::HttpHeaders headers() const;
};

// Hierarchical token-bucket rate limiter: a request is allowed only when every applicable
// bucket (global, route, client, and the caller's client×route and API key limits) holds a
// token. Decisions are all or nothing: when any bucket is empty, no bucket is charged.
//
// Time is injected: `nowNs` is a monotonic clock in nanoseconds (QElapsedTimer / steady
// clock; any origin, the same for every call). Time that goes backwards is treated as no time.
//
// Threading: every member function may be called from any thread concurrently. Keyed buckets
// live in 64 shards, each a hash table with its own mutex and LRU list; a check locks only
// the shards of its own buckets (at most four, in shard order, so checks cannot deadlock)
// and the global bucket's mutex (last), for a few hundred nanoseconds. The configuration is
// an immutable snapshot swapped atomically. The global bucket is inherently one point of
// contention when enabled; nothing else is shared between unrelated clients.
//
// Memory: each shard keeps at most max(4, maxTrackedKeys / 64) buckets, so the table never
// holds more than 64 × that (≤ maxTrackedKeys when it is at least 256). A bucket that has
// refilled completely is indistinguishable from a missing one and may be dropped at any
// time: inserting into a shard first drops idle buckets from its LRU end, and sweep() drops
// all idle ones. When a shard is full and none of its 16 least recently used buckets is idle
// (a flood of distinct keys), the least recently used bucket is dropped anyway: its client
// starts again with a full bucket. That is fail-open for that one client, on purpose: the
// alternative (refusing every new client while the table is full) would let a key-rotating
// attacker lock everyone else out. The global limit stays the backstop; such evictions are
// counted in Stats::forcedEvictions.
//
// Reconfiguration: setConfig() takes effect for the next check. Buckets whose limit did not
// change keep their state exactly. A bucket whose limit changed keeps its debt (capacity
// minus tokens, in requests), clamped to the new capacity: raising a limit gives room at once,
// lowering it does not hand out a fresh burst. Buckets of limits that are now disabled are no
// longer consulted and age out as idle. The same rule applies to caller-given limits that
// change between calls.
class RateLimiter final
{
public:
    struct Stats
    {
        qsizetype trackedBuckets = 0;
        qint64 evictions = 0;       // idle buckets dropped to make room or by sweep()
        qint64 forcedEvictions = 0; // non-idle buckets dropped because a shard was full
    };

    explicit RateLimiter(const RateLimiterConfig &config = {});
    ~RateLimiter();
    Q_DISABLE_COPY_MOVE(RateLimiter)

    void setConfig(const RateLimiterConfig &config);
    RateLimiterConfig config() const;

    RateLimitDecision check(const RateLimitRequest &request, qint64 nowNs);

    // Drops every bucket that is full at `nowNs`; returns how many. Meant for a periodic
    // timer (e.g. every minute); correctness does not depend on it.
    qsizetype sweep(qint64 nowNs);

    Stats stats() const;

    static constexpr int shardCount = 64;

private:
    struct Bucket;
    struct Shard;
    struct Global;

    std::atomic<std::shared_ptr<const RateLimiterConfig>> m_config;
    // Unique over all limiters and configurations: a thread keeps the configuration it last
    // loaded while this is unchanged (loading the atomic shared_ptr locks it).
    std::atomic<quint64> m_configSerial{0};
    static quint64 nextConfigSerial();
    std::array<std::unique_ptr<Shard>, shardCount> m_shards;
    std::unique_ptr<Global> m_global;
    std::atomic<qint64> m_evictions = 0;
    std::atomic<qint64> m_forcedEvictions = 0;
};

} // namespace Conflux::Gateway
