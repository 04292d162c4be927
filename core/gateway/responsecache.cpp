#include "responsecache.h"

#include "httpgrammar_p.h"
#include "httprequest.h"

#include <QDate>
#include <QHash>
#include <QMutex>
#include <QVarLengthArray>

#include <algorithm>
#include <cmath>
#include <list>

namespace Conflux::Gateway {

using Http::HttpHeaders;
using Http::HttpRequest;
using Http::HttpResponse;
using Http::Internal::equalsIgnoringCase;
using Http::Internal::isTokenChar;
using Http::Internal::isWhitespace;
using Http::Internal::trimmedOws;

namespace {

// RFC 9111 §1.2.2: delta-seconds too large to represent are sent as 2^31.
constexpr qint64 maxDeltaSeconds = qint64(1) << 31;

QByteArrayView skipWhitespace(QByteArrayView text)
{
    while (!text.isEmpty() && isWhitespace(text.front()))
        text = text.sliced(1);
    return text;
}

// delta-seconds = 1*DIGIT, capped.
std::optional<qint64> parseDeltaSeconds(QByteArrayView text)
{
    if (text.isEmpty())
        return std::nullopt;
    qint64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = std::min(maxDeltaSeconds, value * 10 + (c - '0'));
    }
    return value;
}

bool isSafeMethod(QByteArrayView method)
{
    return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE";
}

// The primary cache key: lower-cased Host and the raw request-target (see the header).
QByteArray primaryKey(const HttpRequest &request)
{
    QByteArray target = request.target;
    if (target.isEmpty())
        target = request.rawPath.isEmpty() ? request.path.toUtf8() : request.rawPath;
    return request.header("Host").toLower() + ' ' + target;
}

// The request's value for one Vary-named field: absent is "", present is "\x01" followed by
// the field values joined with ", ", so that an empty field and a missing one differ.
QByteArray varyValue(const HttpHeaders &headers, QByteArrayView name)
{
    const QList<QByteArray> values = headers.values(name);
    if (values.isEmpty())
        return {};
    QByteArray out("\x01");
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i > 0)
            out += ", ";
        out += trimmedOws(values.at(i));
    }
    return out;
}

// Lower-cased field names of every Vary field; `star` when one of them is "*".
QList<QByteArray> varyNames(const HttpHeaders &headers, bool *star)
{
    QList<QByteArray> names;
    *star = false;
    for (const QByteArray &field : headers.values("Vary")) {
        for (const QByteArray &element : field.split(',')) {
            const QByteArray name = element.trimmed().toLower();
            if (name == "*")
                *star = true;
            else if (!name.isEmpty() && !names.contains(name))
                names.append(name);
        }
    }
    return names;
}

int monthNumber(QByteArrayView name)
{
    static constexpr const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; ++i) {
        if (name == months[i])
            return i + 1;
    }
    return 0;
}

bool isDayName(QByteArrayView name, bool longForm)
{
    static constexpr const char *shortNames[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static constexpr const char *longNames[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                                "Friday", "Saturday", "Sunday"};
    for (int i = 0; i < 7; ++i) {
        if (name == (longForm ? longNames[i] : shortNames[i]))
            return true;
    }
    return false;
}

// Exactly `min`..`max` decimal digits.
std::optional<int> digits(QByteArrayView text, qsizetype min, qsizetype max)
{
    if (text.size() < min || text.size() > max)
        return std::nullopt;
    int value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

// "hh:mm:ss" as seconds of the day.
std::optional<qint64> timeOfDay(QByteArrayView text)
{
    if (text.size() != 8 || text[2] != ':' || text[5] != ':')
        return std::nullopt;
    const auto h = digits(text.first(2), 2, 2);
    const auto m = digits(text.sliced(3, 2), 2, 2);
    const auto s = digits(text.sliced(6, 2), 2, 2);
    if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60)
        return std::nullopt;
    return qint64(*h) * 3600 + *m * 60 + std::min(*s, 59);
}

std::optional<qint64> epochMs(std::optional<int> year, int month, std::optional<int> day,
                              std::optional<qint64> seconds)
{
    if (!year || month == 0 || !day || !seconds)
        return std::nullopt;
    const QDate date(*year, month, *day);
    if (!date.isValid())
        return std::nullopt;
    constexpr qint64 unixEpochJulianDay = 2440588;
    return ((date.toJulianDay() - unixEpochJulianDay) * 86400 + *seconds) * 1000;
}

struct Entry
{
    QByteArray key;
    QList<QByteArray> varyNames;
    QList<QByteArray> varyValues;
    HttpResponse response;
    qint64 storedAtMs = 0;
    qint64 initialAgeMs = 0;
    qint64 lifetimeMs = 0;
    bool answersAuthorized = false;
    qint64 cost = 0;

    qint64 ageMs(qint64 nowMs) const { return initialAgeMs + std::max<qint64>(0, nowMs - storedAtMs); }
    bool isFresh(qint64 nowMs) const { return ageMs(nowMs) < lifetimeMs; }

    bool matches(const HttpHeaders &requestHeaders) const
    {
        for (qsizetype i = 0; i < varyNames.size(); ++i) {
            if (varyValue(requestHeaders, varyNames.at(i)) != varyValues.at(i))
                return false;
        }
        return true;
    }
};

using EntryList = std::list<Entry>;

} // namespace

CacheControl CacheControl::parse(const HttpHeaders &headers)
{
    CacheControl cc;
    bool seenMaxAge = false;
    bool seenSMaxAge = false;
    for (const QByteArray &field : headers.values("Cache-Control")) {
        QByteArrayView rest(field);
        while (true) {
            while (!rest.isEmpty() && (isWhitespace(rest.front()) || rest.front() == ','))
                rest = rest.sliced(1);
            if (rest.isEmpty())
                break;
            qsizetype n = 0;
            while (n < rest.size() && isTokenChar(rest[n]))
                ++n;
            const QByteArrayView name = rest.first(n);
            rest = skipWhitespace(rest.sliced(n));
            QByteArray argument;
            if (!rest.isEmpty() && rest.front() == '=') {
                rest = skipWhitespace(rest.sliced(1));
                if (!rest.isEmpty() && rest.front() == '"') {
                    qsizetype i = 1;
                    for (; i < rest.size() && rest[i] != '"'; ++i) {
                        if (rest[i] == '\\' && i + 1 < rest.size())
                            ++i;
                        argument += rest[i];
                    }
                    rest = rest.sliced(std::min(i + 1, rest.size()));
                } else {
                    qsizetype i = 0;
                    while (i < rest.size() && isTokenChar(rest[i]))
                        ++i;
                    argument = rest.first(i).toByteArray();
                    rest = rest.sliced(i);
                }
            }
            while (!rest.isEmpty() && rest.front() != ',') // whatever else, up to the next one
                rest = rest.sliced(1);

            if (equalsIgnoringCase(name, "no-store")) {
                cc.noStore = true;
            } else if (equalsIgnoringCase(name, "no-cache")) {
                cc.noCache = true;
            } else if (equalsIgnoringCase(name, "private")) {
                cc.isPrivate = true;
            } else if (equalsIgnoringCase(name, "public")) {
                cc.isPublic = true;
            } else if (equalsIgnoringCase(name, "must-revalidate")) {
                cc.mustRevalidate = true;
            } else if (equalsIgnoringCase(name, "max-age") && !seenMaxAge) {
                seenMaxAge = true;
                cc.maxAge = parseDeltaSeconds(argument).value_or(0);
            } else if (equalsIgnoringCase(name, "s-maxage") && !seenSMaxAge) {
                seenSMaxAge = true;
                cc.sMaxAge = parseDeltaSeconds(argument).value_or(0);
            }
        }
    }
    return cc;
}

// ---------------------------------------------------------------------------------------------

struct ResponseCache::Data
{
    mutable QMutex mutex;
    Options options;
    EntryList lru; // most recently used first
    QHash<QByteArray, QList<EntryList::iterator>> index; // key -> variants, newest first
    qint64 bytes = 0;
    Stats counters;

    // Moves the entry into `trash`, which the caller destroys after unlocking.
    void remove(EntryList::iterator it, EntryList &trash)
    {
        const auto variants = index.find(it->key);
        if (variants != index.end()) {
            variants->removeOne(it);
            if (variants->isEmpty())
                index.erase(variants);
        }
        bytes -= it->cost;
        trash.splice(trash.end(), lru, it);
    }

    void evictToFit(EntryList &trash)
    {
        while (bytes > options.maxBytes && !lru.empty()) {
            remove(std::prev(lru.end()), trash);
            ++counters.evictions;
        }
    }
};

ResponseCache::ResponseCache()
    : ResponseCache(Options())
{
}

ResponseCache::ResponseCache(const Options &options)
    : d(std::make_unique<Data>())
{
    d->options = options;
}

ResponseCache::~ResponseCache() = default;

ResponseCache::Lookup ResponseCache::lookup(const HttpRequest &request, qint64 nowMs)
{
    Lookup out;
    const CacheControl requestCc = CacheControl::parse(request.headers);
    if ((request.method != "GET" && request.method != "HEAD") || requestCc.noCache || requestCc.noStore) {
        out.status = LookupStatus::Bypass;
        QMutexLocker locker(&d->mutex);
        ++d->counters.bypasses;
        return out;
    }
    const QByteArray key = primaryKey(request);
    const bool hasAuthorization = request.hasHeader("Authorization");

    EntryList trash;
    QMutexLocker locker(&d->mutex);
    const auto found = d->index.constFind(key);
    if (found != d->index.constEnd()) {
        const QList<EntryList::iterator> variants = *found; // remove() may change the index
        for (const EntryList::iterator &it : variants) {
            if (!it->matches(request.headers))
                continue;
            if (!it->isFresh(nowMs)) {
                d->remove(it, trash);
                ++d->counters.expirations;
                continue;
            }
            if (hasAuthorization && !it->answersAuthorized)
                continue;
            if (requestCc.maxAge && it->ageMs(nowMs) > *requestCc.maxAge * 1000)
                continue;
            d->lru.splice(d->lru.begin(), d->lru, it);
            out.status = LookupStatus::Hit;
            out.response = it->response;
            out.ageSeconds = it->ageMs(nowMs) / 1000;
            break;
        }
    }
    if (out.isHit())
        ++d->counters.hits;
    else
        ++d->counters.misses;
    locker.unlock();

    if (out.isHit())
        out.response.setHeader("Age", QByteArray::number(out.ageSeconds));
    return out;
}

ResponseCache::StoreResult ResponseCache::store(const HttpRequest &request, const HttpResponse &response,
                                                qint64 nowMs, double routeTtlSeconds)
{
    const int status = response.status();
    if (!isSafeMethod(request.method)) {
        if (status >= 200 && status < 400) {
            invalidate(request);
            return StoreResult::Invalidated;
        }
        return StoreResult::MethodNotCacheable;
    }
    if (request.method != "GET")
        return StoreResult::MethodNotCacheable;
    if (CacheControl::parse(request.headers).noStore)
        return StoreResult::RequestNoStore;
    if (!isCacheableStatus(status))
        return StoreResult::StatusNotCacheable;

    const HttpHeaders &headers = response.headers();
    const CacheControl cc = CacheControl::parse(headers);
    if (cc.noStore)
        return StoreResult::NoStore;
    if (cc.isPrivate)
        return StoreResult::Private;
    if (cc.noCache)
        return StoreResult::NoCache;
    bool varyStar = false;
    const QList<QByteArray> vary = varyNames(headers, &varyStar);
    if (varyStar)
        return StoreResult::VaryStar;
    const bool answersAuthorized = cc.isPublic || cc.sMaxAge.has_value() || cc.mustRevalidate;
    if (request.hasHeader("Authorization") && !answersAuthorized)
        return StoreResult::Authorization;
    const bool hasCookie = headers.contains("Set-Cookie");
    if (hasCookie && !cc.isPublic)
        return StoreResult::SetCookie;

    // Freshness lifetime (RFC 9111 §4.2.1), capped by the route's TTL.
    const std::optional<qint64> date = parseHttpDate(headers.value("Date"));
    std::optional<qint64> lifetimeMs;
    if (cc.sMaxAge) {
        lifetimeMs = *cc.sMaxAge * 1000;
    } else if (cc.maxAge) {
        lifetimeMs = *cc.maxAge * 1000;
    } else if (headers.contains("Expires")) {
        const std::optional<qint64> expires = parseHttpDate(headers.value("Expires"));
        lifetimeMs = expires ? std::max<qint64>(0, *expires - date.value_or(nowMs)) : 0;
    }
    if (routeTtlSeconds > 0) {
        const qint64 routeMs = qint64(std::llround(std::min(routeTtlSeconds, 1e12) * 1000.0));
        lifetimeMs = lifetimeMs ? std::min(*lifetimeMs, routeMs) : routeMs;
    }
    // Initial age (RFC 9111 §4.2.3), taking the response delay as zero.
    const qint64 apparentAgeMs = date ? std::max<qint64>(0, nowMs - *date) : 0;
    const qint64 ageValueMs = parseDeltaSeconds(trimmedOws(headers.value("Age"))).value_or(0) * 1000;
    const qint64 initialAgeMs = std::max(apparentAgeMs, ageValueMs);
    if (!lifetimeMs || initialAgeMs >= *lifetimeMs)
        return StoreResult::NoFreshness;

    EntryList fresh;
    Entry &entry = fresh.emplace_back();
    entry.key = primaryKey(request);
    entry.varyNames = vary;
    for (const QByteArray &name : vary)
        entry.varyValues.append(varyValue(request.headers, name));
    entry.response = response;
    if (hasCookie)
        entry.response.headers().remove("Set-Cookie");
    entry.storedAtMs = nowMs;
    entry.initialAgeMs = initialAgeMs;
    entry.lifetimeMs = *lifetimeMs;
    entry.answersAuthorized = answersAuthorized;
    entry.cost = entry.response.body().size() + entry.key.size();
    for (const HttpHeaders::Field &field : entry.response.headers())
        entry.cost += field.first.size() + field.second.size() + 4;
    for (const QByteArray &value : entry.varyValues)
        entry.cost += value.size();

    EntryList trash;
    QMutexLocker locker(&d->mutex);
    if (entry.cost > d->options.maxEntryBytes || entry.cost > d->options.maxBytes)
        return StoreResult::TooLarge;
    // The new response replaces whatever variant this request would have been served.
    const auto found = d->index.constFind(entry.key);
    if (found != d->index.constEnd()) {
        const QList<EntryList::iterator> variants = *found;
        for (const EntryList::iterator &it : variants) {
            if (it->matches(request.headers))
                d->remove(it, trash);
        }
    }
    d->bytes += entry.cost;
    d->lru.splice(d->lru.begin(), fresh);
    d->index[d->lru.front().key].prepend(d->lru.begin());
    d->evictToFit(trash);
    return StoreResult::Stored;
}

qsizetype ResponseCache::invalidate(const HttpRequest &request)
{
    const QByteArray key = primaryKey(request);
    EntryList trash;
    QMutexLocker locker(&d->mutex);
    const auto found = d->index.constFind(key);
    if (found == d->index.constEnd())
        return 0;
    const QList<EntryList::iterator> variants = *found;
    for (const EntryList::iterator &it : variants)
        d->remove(it, trash);
    return variants.size();
}

qsizetype ResponseCache::purgeStale(qint64 nowMs)
{
    EntryList trash;
    QMutexLocker locker(&d->mutex);
    for (auto it = d->lru.begin(); it != d->lru.end();) {
        const auto current = it++;
        if (!current->isFresh(nowMs)) {
            d->remove(current, trash);
            ++d->counters.expirations;
        }
    }
    return qsizetype(trash.size());
}

void ResponseCache::clear()
{
    EntryList trash;
    QMutexLocker locker(&d->mutex);
    trash.swap(d->lru);
    d->index.clear();
    d->bytes = 0;
}

ResponseCache::Options ResponseCache::options() const
{
    QMutexLocker locker(&d->mutex);
    return d->options;
}

void ResponseCache::setOptions(const Options &options)
{
    EntryList trash;
    QMutexLocker locker(&d->mutex);
    d->options = options;
    d->evictToFit(trash);
}

ResponseCache::Stats ResponseCache::stats() const
{
    QMutexLocker locker(&d->mutex);
    Stats stats = d->counters;
    stats.entries = qsizetype(d->lru.size());
    stats.bytes = d->bytes;
    return stats;
}

void ResponseCache::setCacheStatusHeader(HttpResponse &response, LookupStatus status)
{
    response.setHeader("X-Cache", status == LookupStatus::Hit ? "HIT" : "MISS");
}

bool ResponseCache::isCacheableStatus(int status)
{
    switch (status) {
    case 200: case 203: case 204: case 300: case 301: case 308:
    case 404: case 405: case 410: case 414: case 501:
        return true;
    default:
        return false;
    }
}

std::optional<qint64> ResponseCache::parseHttpDate(QByteArrayView text)
{
    QVarLengthArray<QByteArrayView, 8> parts;
    for (QByteArrayView rest = trimmedOws(text); !rest.isEmpty();) {
        const qsizetype space = rest.indexOf(' ');
        const QByteArrayView part = space < 0 ? rest : rest.first(space);
        if (!part.isEmpty())
            parts.append(part);
        if (space < 0 || parts.size() > 6)
            break;
        rest = rest.sliced(space + 1);
    }
    const auto dayWithComma = [&](bool longForm) {
        return parts.front().endsWith(',') && isDayName(parts.front().chopped(1), longForm);
    };
    if (parts.size() == 6 && dayWithComma(false) && parts[5] == "GMT") {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        return epochMs(digits(parts[3], 4, 4), monthNumber(parts[2]), digits(parts[1], 2, 2),
                       timeOfDay(parts[4]));
    }
    if (parts.size() == 4 && dayWithComma(true) && parts[3] == "GMT") {
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT. Two-digit years from 70 are 19xx, the
        // others 20xx (a fixed pivot in place of RFC 9110's "50 years in the future" rule).
        const QByteArrayView day = parts[1];
        if (day.size() != 9 || day[2] != '-' || day[6] != '-')
            return std::nullopt;
        std::optional<int> year = digits(day.sliced(7), 2, 2);
        if (year)
            *year += *year >= 70 ? 1900 : 2000;
        return epochMs(year, monthNumber(day.sliced(3, 3)), digits(day.first(2), 2, 2),
                       timeOfDay(parts[2]));
    }
    if (parts.size() == 5 && isDayName(parts[0], false)) {
        // asctime: Sun Nov  6 08:49:37 1994
        return epochMs(digits(parts[4], 4, 4), monthNumber(parts[1]), digits(parts[2], 1, 2),
                       timeOfDay(parts[3]));
    }
    return std::nullopt;
}

} // namespace Conflux::Gateway
