#include "ratelimiter.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QJsonValue>
#include <QMutex>
#include <QVarLengthArray>

#include <algorithm>
#include <cmath>
#include <list>

using namespace Qt::StringLiterals;

namespace Conflux::Gateway {
namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Gateway::RateLimiter)
};

// Bucket levels are kept in "units": one token is windowMicros units and every elapsed
// microsecond adds `requests` units. Capacities stay below 2^62 so that sums cannot overflow.
constexpr qint64 maxUnits = qint64(1) << 62;
constexpr qint64 microsPerSecond = 1000000;
constexpr double maxWindowSeconds = 1e9;
// How far from the LRU end insertion looks for an idle bucket before evicting a busy one.
constexpr int idleScanDepth = 16;
// How many idle buckets an insertion drops from the LRU end on the side, to keep tables lean.
constexpr int opportunisticDrops = 2;
// A check uses at most four keyed buckets; a shard must be able to hold them all.
constexpr qsizetype minBucketsPerShard = 4;

enum class Kind { Global, Route, Client, ClientRoute, ApiKey };

QString kindName(Kind kind)
{
    switch (kind) {
    case Kind::Global: return u"global"_s;
    case Kind::Route: return u"route"_s;
    case Kind::Client: return u"client"_s;
    case Kind::ClientRoute: return u"client_route"_s;
    case Kind::ApiKey: return u"api_key"_s;
    }
    return {};
}

qint64 windowMicros(const RateLimit &limit)
{
    return qint64(std::llround(limit.windowSeconds * double(microsPerSecond)));
}

// ceil(a / b) for a >= 0, b > 0; 0 for a <= 0.
qint64 ceilDiv(qint64 a, qint64 b)
{
    return a <= 0 ? 0 : a / b + (a % b != 0 ? 1 : 0);
}

qint64 ceilSeconds(qint64 micros)
{
    return ceilDiv(micros, microsPerSecond);
}

// An integral JSON number in the range where doubles are exact.
std::optional<qint64> integerOf(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double d = value.toDouble();
    if (!std::isfinite(d) || d != std::trunc(d) || std::fabs(d) > 9007199254740992.0)
        return std::nullopt;
    return qint64(d);
}

} // namespace

bool RateLimit::isValid() const
{
    if (requests <= 0 || burst < 0 || !(windowSeconds > 0) || !(windowSeconds <= maxWindowSeconds))
        return false;
    const qint64 w = windowMicros(*this);
    if (w < 1 || requests > maxUnits || burst > maxUnits - requests)
        return false;
    return capacity() <= maxUnits / w;
}

Result<RateLimit> RateLimit::fromJson(const QJsonValue &value, qint64 defaultBurst)
{
    const auto invalid = [](const QString &why) {
        return makeError("invalid_rate_limit", Tr::tr("invalid rate limit"), {why});
    };
    RateLimit limit;
    limit.burst = defaultBurst;
    if (value.isDouble()) {
        const std::optional<qint64> n = integerOf(value);
        if (!n || *n < 0)
            return invalid(Tr::tr("requests per second must be a whole number of at least 0"));
        limit.requests = *n;
    } else if (value.isObject()) {
        const QJsonObject o = value.toObject();
        if (o.contains(u"requests_per_second"_s)) {
            const std::optional<qint64> n = integerOf(o.value(u"requests_per_second"_s));
            if (!n || *n < 0)
                return invalid(Tr::tr("\"requests_per_second\" must be a whole number of at least 0"));
            limit.requests = *n;
        } else {
            const std::optional<qint64> n = integerOf(o.value(u"requests"_s));
            if (!n || *n < 0)
                return invalid(Tr::tr("\"requests\" must be a whole number of at least 0"));
            limit.requests = *n;
            if (o.contains(u"window_seconds"_s)) {
                const QJsonValue w = o.value(u"window_seconds"_s);
                if (!w.isDouble() || !(w.toDouble() > 0))
                    return invalid(Tr::tr("\"window_seconds\" must be a number greater than 0"));
                limit.windowSeconds = w.toDouble();
            }
        }
        if (o.contains(u"burst"_s)) {
            const std::optional<qint64> b = integerOf(o.value(u"burst"_s));
            if (!b || *b < 0)
                return invalid(Tr::tr("\"burst\" must be a whole number of at least 0"));
            limit.burst = *b;
        }
    } else if (value.isNull() || value.isUndefined()) {
        return RateLimit();
    } else {
        return invalid(Tr::tr("expected a number or an object"));
    }
    if (limit.requests == 0)
        return RateLimit(); // disabled
    if (!limit.isValid())
        return invalid(Tr::tr("requests, burst and window are too large together"));
    return limit;
}

Result<RateLimiterConfig> RateLimiterConfig::fromJson(const QJsonObject &settings)
{
    RateLimiterConfig config;
    QStringList problems;
    static const QStringList known = {u"global"_s, u"per_client"_s, u"per_endpoint"_s,
                                      u"burst_allowance"_s, u"max_tracked_keys"_s};
    for (auto it = settings.begin(); it != settings.end(); ++it) {
        if (!known.contains(it.key()))
            problems.append(Tr::tr("%1: unknown setting").arg(it.key()));
    }
    qint64 defaultBurst = 0;
    if (settings.contains(u"burst_allowance"_s)) {
        const std::optional<qint64> b = integerOf(settings.value(u"burst_allowance"_s));
        if (b && *b >= 0)
            defaultBurst = *b;
        else
            problems.append(Tr::tr("burst_allowance: must be a whole number of at least 0"));
    }
    if (settings.contains(u"max_tracked_keys"_s)) {
        const std::optional<qint64> n = integerOf(settings.value(u"max_tracked_keys"_s));
        if (n && *n >= 1)
            config.maxTrackedKeys = qsizetype(*n);
        else
            problems.append(Tr::tr("max_tracked_keys: must be a whole number of at least 1"));
    }
    const auto read = [&](const QString &where, const QJsonValue &value, RateLimit &into) {
        Result<RateLimit> limit = RateLimit::fromJson(value, defaultBurst);
        if (limit)
            into = *limit;
        else
            problems.append(where + u": "_s + limit.error().details.join(u"; "_s));
    };
    read(u"global"_s, settings.value(u"global"_s), config.global);
    read(u"per_client"_s, settings.value(u"per_client"_s), config.perClient);

    const QJsonValue endpoints = settings.value(u"per_endpoint"_s);
    const QJsonObject endpointObject = endpoints.toObject();
    const bool isSingleLimit = !endpoints.isObject()
        || endpointObject.contains(u"requests_per_second"_s) || endpointObject.contains(u"requests"_s)
        || endpointObject.contains(u"window_seconds"_s) || endpointObject.contains(u"burst"_s);
    if (isSingleLimit) {
        read(u"per_endpoint"_s, endpoints, config.perRoute);
    } else {
        for (auto it = endpointObject.begin(); it != endpointObject.end(); ++it) {
            RateLimit limit;
            read(u"per_endpoint/"_s + it.key(), it.value(), limit);
            if (it.key() == u"*")
                config.perRoute = limit;
            else
                config.routes.insert(it.key(), limit);
        }
    }
    if (!problems.isEmpty())
        return makeError("invalid_rate_limit", Tr::tr("invalid rate limit settings"), problems);
    return config;
}

Http::HttpHeaders RateLimitDecision::headers() const
{
    Http::HttpHeaders out;
    if (limitName.isEmpty())
        return out;
    // The limit and the policy repeat from request to request: made once per thread while
    // they do.
    struct Policy
    {
        qint64 limit = -1;
        qint64 window = -1;
        qint64 burst = -1;
        QByteArray limitText;
        QByteArray policyText;
    };
    thread_local Policy last;
    const qint64 window = qint64(std::ceil(windowSeconds));
    if (last.limit != limit || last.window != window || last.burst != burst) {
        last = {limit, window, burst, QByteArray::number(limit), {}};
        last.policyText = last.limitText + ";w="_ba + QByteArray::number(window);
        if (burst > 0)
            last.policyText += ";burst="_ba + QByteArray::number(burst);
    }
    out.append("RateLimit-Limit"_ba, last.limitText);
    out.append("RateLimit-Remaining"_ba, QByteArray::number(remaining));
    out.append("RateLimit-Reset"_ba, QByteArray::number(resetSeconds));
    out.append("RateLimit-Policy"_ba, last.policyText);
    if (!allowed)
        out.append("Retry-After"_ba, QByteArray::number(retryAfterSeconds));
    return out;
}

// ---------------------------------------------------------------------------------------------

struct RateLimiter::Bucket
{
    QString key;
    RateLimit limit;
    qint64 window = 1;   // units per token (the window in microseconds)
    qint64 capacity = 0; // units
    qint64 level = 0;    // units, 0..capacity
    qint64 lastUs = 0;

    void reset(const RateLimit &newLimit, qint64 nowUs)
    {
        limit = newLimit;
        window = windowMicros(newLimit);
        capacity = newLimit.capacity() * window;
        level = capacity;
        lastUs = nowUs;
    }

    void refill(qint64 nowUs)
    {
        if (nowUs <= lastUs)
            return;
        const qint64 elapsed = nowUs - lastUs;
        lastUs = nowUs;
        const qint64 missing = capacity - level;
        if (missing <= 0)
            return;
        // elapsed * requests < missing + requests here, so it cannot overflow.
        if (elapsed >= ceilDiv(missing, limit.requests))
            level = capacity;
        else
            level += elapsed * limit.requests;
    }

    // Keeps the debt (tokens taken and not yet refilled) across a change of limit.
    void adopt(const RateLimit &newLimit)
    {
        const double debtTokens = double(capacity - level) / double(window);
        limit = newLimit;
        window = windowMicros(newLimit);
        capacity = newLimit.capacity() * window;
        const double debtUnits = std::min(double(capacity), std::ceil(debtTokens * double(window)));
        level = capacity - qint64(debtUnits);
    }

    bool hasToken() const { return level >= window; }
    bool isFull() const { return level >= capacity; }
    qint64 tokens() const { return level / window; }
    qint64 microsUntilToken() const { return hasToken() ? 0 : ceilDiv(window - level, limit.requests); }
    qint64 microsUntilFull() const { return ceilDiv(capacity - level, limit.requests); }
};

struct RateLimiter::Shard
{
    QMutex mutex;
    std::list<Bucket> lru; // most recently used first
    QHash<QString, std::list<Bucket>::iterator> index;

    struct Drops
    {
        qint64 idle = 0;
        qint64 forced = 0;
    };

    void erase(std::list<Bucket>::iterator it)
    {
        index.remove(it->key);
        lru.erase(it);
    }

    // The bucket for `key`, made most recently used; a new one starts full. To make room, drops
    // idle buckets from the LRU end and, if the shard is still at `capacity`, its least
    // recently used bucket. `pinned` buckets (held by the same check) are never dropped: they
    // are at the front, and capacity >= 4 leaves at least one other candidate.
    Bucket &acquire(const QString &key, const RateLimit &limit, qint64 nowUs, qsizetype capacity,
                    const QVarLengthArray<const Bucket *, 4> &pinned, Drops &drops)
    {
        const auto found = index.constFind(key);
        if (found != index.constEnd()) {
            lru.splice(lru.begin(), lru, *found);
            return lru.front();
        }
        int scanned = 0;
        auto next = lru.end(); // the bucket after the one looked at
        while (next != lru.begin() && scanned < idleScanDepth) {
            const auto it = std::prev(next);
            ++scanned;
            if (qsizetype(lru.size()) < capacity && drops.idle >= opportunisticDrops)
                break;
            it->refill(nowUs);
            if (it->isFull() && !pinned.contains(&*it)) {
                erase(it); // `next` stays valid
                ++drops.idle;
            } else {
                next = it;
            }
        }
        while (qsizetype(lru.size()) >= capacity) {
            auto victim = std::prev(lru.end());
            while (pinned.contains(&*victim))
                --victim;
            erase(victim);
            ++drops.forced;
        }
        Bucket &bucket = lru.emplace_front();
        bucket.key = key;
        bucket.reset(limit, nowUs);
        index.insert(key, lru.begin());
        return bucket;
    }
};

struct RateLimiter::Global
{
    QMutex mutex;
    Bucket bucket;
    bool isInitialized = false;
};

RateLimiter::RateLimiter(const RateLimiterConfig &config)
    : m_config(std::make_shared<const RateLimiterConfig>(config))
    , m_configSerial(nextConfigSerial())
    , m_global(std::make_unique<Global>())
{
    for (auto &shard : m_shards)
        shard = std::make_unique<Shard>();
}

RateLimiter::~RateLimiter() = default;

quint64 RateLimiter::nextConfigSerial()
{
    static std::atomic<quint64> serial{0};
    return serial.fetch_add(1, std::memory_order_relaxed) + 1;
}

void RateLimiter::setConfig(const RateLimiterConfig &config)
{
    m_config.store(std::make_shared<const RateLimiterConfig>(config), std::memory_order_release);
    m_configSerial.store(nextConfigSerial(), std::memory_order_release);
}

RateLimiterConfig RateLimiter::config() const
{
    return *m_config.load(std::memory_order_acquire);
}

RateLimitDecision RateLimiter::check(const RateLimitRequest &request, qint64 nowNs)
{
    thread_local quint64 cachedSerial = 0;
    thread_local std::shared_ptr<const RateLimiterConfig> cached;
    if (const quint64 serial = m_configSerial.load(std::memory_order_acquire); serial != cachedSerial) {
        cached = m_config.load(std::memory_order_acquire);
        cachedSerial = serial;
    }
    const RateLimiterConfig *config = cached.get();
    const qint64 nowUs = nowNs / 1000;

    struct Use
    {
        Kind kind;
        RateLimit limit;
        QString key;
        int shard = -1;
        Bucket *bucket = nullptr;
    };
    QVarLengthArray<Use, 5> uses; // in reporting order: global, route, client, client_route, api_key
    // A bucket key in one allocation.
    const auto key = [](std::initializer_list<QStringView> parts) {
        qsizetype size = 0;
        for (QStringView part : parts)
            size += part.size();
        QString out;
        out.reserve(size);
        for (QStringView part : parts)
            out.append(part);
        return out;
    };

    const bool useGlobal = config->global.isValid();
    if (useGlobal)
        uses.append({Kind::Global, config->global, {}});
    if (!request.routeId.isEmpty()) {
        const RateLimit limit = config->routeLimit(request.routeId);
        if (limit.isValid())
            uses.append({Kind::Route, limit, key({u"r:", request.routeId})});
    }
    if (!request.clientKey.isEmpty() && config->perClient.isValid())
        uses.append({Kind::Client, config->perClient, key({u"c:", request.clientKey})});
    if (!request.clientKey.isEmpty() && !request.routeId.isEmpty() && request.clientRouteLimit
        && request.clientRouteLimit->isValid()) {
        // Length-prefixed so that no (client, route) pair can collide with another.
        char16_t digits[24];
        qsizetype length = 0;
        for (qsizetype n = request.clientKey.size();; n /= 10) {
            digits[length++] = char16_t(u'0' + n % 10);
            if (n < 10)
                break;
        }
        std::reverse(digits, digits + length);
        uses.append({Kind::ClientRoute, *request.clientRouteLimit,
                     key({u"x:", QStringView(digits, length), u":", request.clientKey, request.routeId})});
    }
    if (!request.apiKeyId.isEmpty() && request.apiKeyLimit && request.apiKeyLimit->isValid())
        uses.append({Kind::ApiKey, *request.apiKeyLimit, key({u"k:", request.apiKeyId})});

    if (uses.isEmpty())
        return {};

    // Lock the shards involved in ascending order (no deadlock between checks); the global
    // bucket is locked last and only around its own arithmetic.
    QVarLengthArray<int, 4> shards;
    for (Use &use : uses) {
        if (use.kind == Kind::Global)
            continue;
        use.shard = int(qHash(use.key) % shardCount);
        if (!shards.contains(use.shard))
            shards.append(use.shard);
    }
    std::sort(shards.begin(), shards.end());
    for (int s : shards)
        m_shards[s]->mutex.lock();

    const qsizetype perShard = std::max(minBucketsPerShard, config->maxTrackedKeys / shardCount);
    QVarLengthArray<const Bucket *, 4> pinned;
    for (Use &use : uses) {
        if (use.kind == Kind::Global)
            continue;
        Shard::Drops drops;
        Bucket &bucket = m_shards[use.shard]->acquire(use.key, use.limit, nowUs, perShard, pinned, drops);
        if (drops.idle > 0)
            m_evictions.fetch_add(drops.idle, std::memory_order_relaxed);
        if (drops.forced > 0)
            m_forcedEvictions.fetch_add(drops.forced, std::memory_order_relaxed);
        bucket.refill(nowUs);
        if (!(bucket.limit == use.limit))
            bucket.adopt(use.limit);
        use.bucket = &bucket;
        pinned.append(&bucket);
    }
    if (useGlobal) {
        m_global->mutex.lock();
        Bucket &global = m_global->bucket;
        if (!m_global->isInitialized) {
            global.reset(config->global, nowUs);
            m_global->isInitialized = true;
        }
        global.refill(nowUs);
        if (!(global.limit == config->global))
            global.adopt(config->global);
        uses[0].bucket = &global;
    }

    bool allowed = true;
    for (const Use &use : uses)
        allowed = allowed && use.bucket->hasToken();

    RateLimitDecision decision;
    decision.allowed = allowed;
    const Use *reported = nullptr;
    if (allowed) {
        for (const Use &use : uses) {
            use.bucket->level -= use.bucket->window;
            if (!reported || use.bucket->tokens() < reported->bucket->tokens())
                reported = &use;
        }
    } else {
        for (const Use &use : uses) {
            if (!use.bucket->hasToken()
                && (!reported
                    || use.bucket->microsUntilToken() > reported->bucket->microsUntilToken())) {
                reported = &use;
            }
        }
        decision.retryAfterSeconds = std::max<qint64>(1, ceilSeconds(reported->bucket->microsUntilToken()));
    }
    const Bucket &bucket = *reported->bucket;
    decision.limitName = kindName(reported->kind);
    decision.limit = bucket.limit.requests;
    decision.windowSeconds = bucket.limit.windowSeconds;
    decision.burst = bucket.limit.burst;
    decision.remaining = bucket.tokens();
    decision.resetSeconds = ceilSeconds(bucket.microsUntilFull());

    if (useGlobal)
        m_global->mutex.unlock();
    for (qsizetype i = shards.size() - 1; i >= 0; --i)
        m_shards[shards[i]]->mutex.unlock();
    return decision;
}

qsizetype RateLimiter::sweep(qint64 nowNs)
{
    const qint64 nowUs = nowNs / 1000;
    qsizetype removed = 0;
    for (auto &shardPtr : m_shards) {
        Shard &shard = *shardPtr;
        QMutexLocker locker(&shard.mutex);
        for (auto it = shard.lru.begin(); it != shard.lru.end();) {
            it->refill(nowUs);
            if (it->isFull()) {
                shard.index.remove(it->key);
                it = shard.lru.erase(it);
                ++removed;
            } else {
                ++it;
            }
        }
    }
    m_evictions.fetch_add(removed, std::memory_order_relaxed);
    return removed;
}

RateLimiter::Stats RateLimiter::stats() const
{
    Stats stats;
    for (const auto &shard : m_shards) {
        QMutexLocker locker(&shard->mutex);
        stats.trackedBuckets += qsizetype(shard->lru.size());
    }
    stats.evictions = m_evictions.load(std::memory_order_relaxed);
    stats.forcedEvictions = m_forcedEvictions.load(std::memory_order_relaxed);
    return stats;
}

} // namespace Conflux::Gateway
