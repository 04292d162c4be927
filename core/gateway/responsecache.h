#pragma once

#include "httpheaders.h"
#include "httpresponse.h"

#include <QByteArray>

#include <memory>
#include <optional>

namespace Conflux::Http {
struct HttpRequest;
}

namespace Conflux::Gateway {

// The Cache-Control directives (RFC 9111 §5.2) the gateway acts on, from every Cache-Control
// field of a request or response. Directive names are case-insensitive; unknown directives are
// ignored; for a repeated directive the first occurrence counts. A max-age or s-maxage whose
// value is not delta-seconds makes the response stale (value 0), as RFC 9111 §4.2.1 allows.
struct CacheControl
{
    bool noStore = false;
    bool noCache = false; // also the qualified form no-cache="field", treated the same
    bool isPrivate = false;
    bool isPublic = false;
    bool mustRevalidate = false;
    std::optional<qint64> maxAge;  // seconds
    std::optional<qint64> sMaxAge; // seconds

    static CacheControl parse(const Http::HttpHeaders &headers);
};

// A shared HTTP response cache for the gateway, after RFC 9111.
//
// Key. GET responses are stored under the request's Host (lower-cased) and its request-target
// exactly as received (path and query, still percent-encoded): RFC 9111 keys on the target URI
// as-is, and the gateway follows it. Query parameters in another order, or spelt with other
// percent-encoding, are another key: an upstream may well distinguish them, and a cache that
// guessed otherwise would answer one request with another's response. Within a key, each
// stored response is a variant selected by the request header fields its Vary field names
// (several fields of one name are joined with ", "; a missing field only matches a missing
// one). A response with "Vary: *" is not stored.
//
// What is stored (store()):
//   - GET responses with status 200, 203, 204, 300, 301, 308, 404, 405, 410, 414 or 501
//     (the heuristically cacheable statuses of RFC 9110 §15.1 less 206, since ranges are not
//     handled). HEAD responses are not stored; a HEAD request is answered from the GET entry
//     (RFC 9111 §4), and the caller must serialize it with WireOptions::headRequest.
//   - Only with a freshness lifetime: s-maxage (wins, this is a shared cache), else max-age,
//     else Expires minus Date (an invalid Expires means already expired). The route's
//     cache_ttl_seconds, when > 0, applies when the response gives none and caps it when it
//     gives a longer one: lifetime = min(response lifetime, route TTL). No heuristic freshness
//     from Last-Modified. A response already stale on arrival is not stored.
//   - Not when the response says no-store, private or no-cache: there is no revalidation
//     (conditional requests) in this version, so a response that must be revalidated on every
//     use is not worth storing. Not when the request says no-store.
//   - A response to a request carrying Authorization only when the response says public,
//     s-maxage or must-revalidate (RFC 9111 §3.5); only such entries answer requests that
//     carry Authorization.
//   - A response with Set-Cookie only when it says public, and then without its Set-Cookie
//     fields: a cookie meant for one client is never replayed to another.
//   - Not when it costs more than Options::maxEntryBytes.
// A successful (2xx/3xx) response to an unsafe method (POST, PUT, DELETE, PATCH, ...)
// invalidates the stored responses of its target URI (RFC 9111 §4.4; Location and
// Content-Location are not followed).
//
// Lookup. Only GET and HEAD. A request with Cache-Control no-cache or no-store bypasses the
// cache (Pragma is ignored); its response may still be stored (unless no-store). A request
// max-age=N only accepts entries at most N seconds old. Stale entries are never served; they
// are dropped when found, by purgeStale(), and by LRU eviction. A hit carries an Age field
// (seconds, rounded down, per RFC 9111 §4.2.3 with the response delay taken as zero).
//
// Memory. An entry costs its body, its header fields (name + value + 4 bytes each) and its
// key bytes. The total is kept at or below Options::maxBytes by evicting least recently used
// entries (a hit or a store makes an entry most recently used).
//
// Time is injected: `nowMs` is wall-clock milliseconds since the Unix epoch, because Date and
// Expires are wall-clock dates.
//
// Threading: every member function may be called from any thread. One mutex guards the table;
// critical sections are a hash lookup and list splice: a hit copies the stored response,
// which is implicitly shared (no byte is copied), and evicted entries are freed after the
// mutex is released.
class ResponseCache final
{
public:
    struct Options
    {
        qint64 maxBytes = 64 * 1024 * 1024;
        qint64 maxEntryBytes = 1024 * 1024;
    };

    enum class LookupStatus { Hit, Miss, Bypass };

    struct Lookup
    {
        LookupStatus status = LookupStatus::Miss;
        Http::HttpResponse response; // on a hit: the stored response with an Age field
        qint64 ageSeconds = 0;       // on a hit
        bool isHit() const { return status == LookupStatus::Hit; }
    };

    enum class StoreResult {
        Stored,
        Invalidated,        // unsafe method with a non-error status: entries removed
        MethodNotCacheable, // not GET (HEAD included)
        StatusNotCacheable,
        RequestNoStore,
        NoStore,
        Private,
        NoCache,
        VaryStar,
        Authorization,
        SetCookie,
        NoFreshness, // no lifetime, or already stale
        TooLarge,
    };

    struct Stats
    {
        qsizetype entries = 0;
        qint64 bytes = 0;
        qint64 hits = 0;
        qint64 misses = 0;
        qint64 bypasses = 0;
        qint64 evictions = 0;   // dropped to stay within maxBytes
        qint64 expirations = 0; // dropped because stale
    };

    ResponseCache(); // default Options
    explicit ResponseCache(const Options &options);
    ~ResponseCache();
    Q_DISABLE_COPY_MOVE(ResponseCache)

    Lookup lookup(const Http::HttpRequest &request, qint64 nowMs);
    // Offers the upstream's response to `request`, received at `nowMs`. `routeTtlSeconds` is
    // the route's cache_ttl_seconds (0: none). Safe to call for every response.
    StoreResult store(const Http::HttpRequest &request, const Http::HttpResponse &response,
                      qint64 nowMs, double routeTtlSeconds = 0);

    // Removes every entry of the request's URI (all variants); returns how many.
    qsizetype invalidate(const Http::HttpRequest &request);
    // Removes every stale entry; returns how many. For a periodic timer.
    qsizetype purgeStale(qint64 nowMs);
    void clear();

    Options options() const;
    // Shrinking maxBytes evicts at once.
    void setOptions(const Options &options);
    Stats stats() const;

    // Sets "X-Cache: HIT" or "X-Cache: MISS" (for a miss or a bypass).
    static void setCacheStatusHeader(Http::HttpResponse &response, LookupStatus status);
    // An HTTP-date (IMF-fixdate, RFC 850 or asctime form, RFC 9110 §5.6.7) as milliseconds
    // since the Unix epoch, or nothing when it is not one.
    static std::optional<qint64> parseHttpDate(QByteArrayView text);
    static bool isCacheableStatus(int status);

private:
    struct Data;
    std::unique_ptr<Data> d;
};

} // namespace Conflux::Gateway
