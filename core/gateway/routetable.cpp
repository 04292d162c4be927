#include "routetable.h"

#include <QVarLengthArray>

#include <optional>

#include <QCoreApplication>
#include <QLocale>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Gateway {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Gateway)
};

enum class Kind : quint8 { Exact, Template, Prefix };

struct Segment
{
    QString text;
    bool param = false;
    QByteArray utf8 = text.toUtf8(); // a literal as a request spells it when nothing is %-encoded
};

// "v2.10" > "v2.9"; numeric parts compare as numbers, others as text.
int compareVersions(const QString &a, const QString &b)
{
    auto parts = [](QString v) {
        if (v.startsWith(u'v') || v.startsWith(u'V'))
            v.remove(0, 1);
        return v.split(u'.');
    };
    const QStringList pa = parts(a), pb = parts(b);
    for (qsizetype i = 0; i < std::max(pa.size(), pb.size()); ++i) {
        const QString x = pa.value(i), y = pb.value(i);
        bool okx = false, oky = false;
        const qlonglong nx = x.toLongLong(&okx), ny = y.toLongLong(&oky);
        const int c = okx && oky ? (nx < ny ? -1 : nx > ny ? 1 : 0) : QString::compare(x, y);
        if (c != 0)
            return c;
    }
    return 0;
}

QByteArray httpDate(const QDateTime &t)
{
    return QLocale::c().toString(t.toUTC(), u"ddd, dd MMM yyyy hh:mm:ss 'GMT'"_s).toLatin1();
}

} // namespace

struct RouteTable::Compiled
{
    int index = -1;
    RouteSpec spec;
    Kind kind = Kind::Exact;
    std::vector<Segment> segments;   // of the effective path, without the trailing "*"
    int literals = 0, params = 0;
};

Result<std::shared_ptr<const RouteTable>> RouteTable::build(const QList<RouteSpec> &routes)
{
    std::shared_ptr<RouteTable> table(new RouteTable);
    QStringList problems;
    QSet<QString> seen;
    for (qsizetype i = 0; i < routes.size(); ++i) {
        const RouteSpec &r = routes[i];
        auto problem = [&](const QString &what) { problems.append(Tr::tr("route %1 (%2): %3").arg(r.id, r.path, what)); };
        if (!r.path.startsWith(u'/')) {
            problem(Tr::tr("the path must start with /"));
            continue;
        }
        auto c = std::make_unique<Compiled>();
        c->index = int(i);
        c->spec = r;
        QString path = r.path;
        if (r.versioning == u"path" && !r.version.isEmpty())
            path = u'/' + r.version + (path == u"/" ? QString() : path);
        QStringList parts = path.split(u'/');
        parts.removeFirst();
        if (parts.size() == 1 && parts.first().isEmpty())
            parts.clear(); // "/"
        bool bad = false;
        QSet<QString> names;
        for (qsizetype k = 0; k < parts.size(); ++k) {
            const QString &p = parts[k];
            if (p == u"*") {
                if (k != parts.size() - 1) {
                    problem(Tr::tr("\"*\" may only end the path"));
                    bad = true;
                }
                c->kind = Kind::Prefix;
                continue;
            }
            if (p.startsWith(u'{') && p.endsWith(u'}')) {
                const QString name = p.mid(1, p.size() - 2);
                if (name.isEmpty() || name.contains(u'{') || name.contains(u'}')) {
                    problem(Tr::tr("an empty or malformed parameter \"%1\"").arg(p));
                    bad = true;
                } else if (names.contains(name)) {
                    problem(Tr::tr("the parameter {%1} appears twice").arg(name));
                    bad = true;
                }
                names.insert(name);
                c->segments.push_back({name, true});
                ++c->params;
                continue;
            }
            if (p.contains(u'{') || p.contains(u'}') || p.contains(u'*')) {
                problem(Tr::tr("a segment must be a literal, a whole {parameter} or a final *: \"%1\"").arg(p));
                bad = true;
            }
            c->segments.push_back({p, false});
            ++c->literals;
        }
        if (bad)
            continue;
        if (c->kind != Kind::Prefix && c->params > 0)
            c->kind = Kind::Template;
        const QString key = path + u' ' + QString::fromLatin1(r.method) + u' '
                            + (r.versioning == u"header" ? r.version : QString());
        if (seen.contains(key)) {
            problem(Tr::tr("another route has the same path, method and version"));
            continue;
        }
        seen.insert(key);
        table->m_routes.push_back(std::move(c));
    }
    if (!problems.isEmpty())
        return makeError("gateway_invalid_routes", Tr::tr("%n route(s) cannot be served", nullptr, int(problems.size())),
                         problems);
    std::stable_sort(table->m_routes.begin(), table->m_routes.end(), [](const auto &a, const auto &b) {
        if (a->kind != b->kind)
            return a->kind < b->kind;
        if (a->kind == Kind::Template && a->literals != b->literals)
            return a->literals > b->literals;
        if (a->kind == Kind::Template && a->params != b->params)
            return a->params < b->params;
        if (a->kind == Kind::Prefix && a->segments.size() != b->segments.size())
            return a->segments.size() > b->segments.size();
        return (a->spec.method == "*") < (b->spec.method == "*");
    });
    return std::shared_ptr<const RouteTable>(std::move(table));
}

RouteLookup RouteTable::lookup(QByteArrayView method, QByteArrayView rawPath, const QByteArray &acceptVersion) const
{
    RouteLookup out;
    // The path's segments, decoded only when a parameter takes one or it has %-escapes: most
    // lookups compare literal segments and allocate nothing for them.
    struct Part
    {
        QByteArrayView raw;
        mutable std::optional<QString> decoded;
        const QString &text() const
        {
            if (!decoded)
                decoded = QString::fromUtf8(QByteArray::fromPercentEncoding(raw.toByteArray()));
            return *decoded;
        }
        bool equals(const Segment &literal) const
        {
            return raw.contains('%') ? text() == literal.text : raw == QByteArrayView(literal.utf8);
        }
    };
    QVarLengthArray<Part, 16> parts;
    // Segments follow the first '/'; a path without one ("*") has none.
    const qsizetype firstSlash = rawPath.indexOf('/');
    rawPath = firstSlash < 0 ? QByteArrayView() : rawPath.sliced(firstSlash + 1);
    if (!rawPath.isEmpty()) {
        for (QByteArrayView rest = rawPath;;) {
            const qsizetype slash = rest.indexOf('/');
            parts.append({slash < 0 ? rest : rest.first(slash), std::nullopt});
            if (slash < 0)
                break;
            rest = rest.sliced(slash + 1);
        }
    }

    struct Candidate
    {
        const Compiled *route;
        RouteMatch match;
    };
    QVarLengthArray<Candidate, 4> byPath;
    for (const auto &c : m_routes) {
        const auto &segs = c->segments;
        const bool prefix = c->kind == Kind::Prefix;
        if (prefix ? qsizetype(segs.size()) > parts.size() : qsizetype(segs.size()) != parts.size())
            continue;
        RouteMatch m;
        bool ok = true;
        for (size_t k = 0; k < segs.size() && ok; ++k) {
            const Part &part = parts[qsizetype(k)];
            if (segs[k].param) {
                ok = !part.raw.isEmpty();
                if (ok)
                    m.params.insert(segs[k].text, part.text());
            } else {
                ok = part.equals(segs[k]);
            }
        }
        if (!ok)
            continue;
        if (prefix) {
            QStringList rest;
            for (qsizetype k = qsizetype(segs.size()); k < parts.size(); ++k)
                rest.append(parts[k].text());
            m.rest = rest.join(u'/');
        }
        m.route = c->index;
        byPath.append({c.get(), std::move(m)});
    }
    if (byPath.isEmpty()) {
        out.status = 404;
        return out;
    }
    auto methodFits = [&](const QByteArray &routeMethod) {
        return routeMethod == "*" || routeMethod == method || (method == "HEAD" && routeMethod == "GET");
    };
    QVarLengthArray<Candidate *, 4> byMethod;
    for (Candidate &c : byPath) {
        if (methodFits(c.route->spec.method))
            byMethod.append(&c);
    }
    if (byMethod.isEmpty()) {
        QStringList allow;
        for (const Candidate &c : byPath) {
            const QString m = QString::fromLatin1(c.route->spec.method);
            if (!allow.contains(m))
                allow.append(m);
            if (m == u"GET" && !allow.contains(u"HEAD"_s))
                allow.append(u"HEAD"_s);
        }
        out.status = 405;
        out.allow = allow.join(u", ").toLatin1();
        return out;
    }
    // Header versioning: the version asked for, else a route that is not header-versioned,
    // else (no Accept-Version) the newest version.
    const QString asked = acceptVersion.isEmpty() ? QString() : QString::fromLatin1(acceptVersion.trimmed());
    auto headerVersioned = [](const Candidate *c) { return c->route->spec.versioning == u"header" && !c->route->spec.version.isEmpty(); };
    Candidate *chosen = nullptr;
    if (!asked.isEmpty()) {
        for (Candidate *c : byMethod) {
            if (headerVersioned(c) && c->route->spec.version == asked) {
                chosen = c;
                break;
            }
        }
    }
    if (!chosen) {
        for (Candidate *c : byMethod) {
            if (!headerVersioned(c)) {
                chosen = c;
                break;
            }
        }
    }
    if (!chosen && asked.isEmpty()) {
        for (Candidate *c : byMethod) {
            if (!chosen || compareVersions(c->route->spec.version, chosen->route->spec.version) > 0)
                chosen = c;
        }
    }
    if (!chosen) {
        out.status = 406;
        return out;
    }
    RouteMatch match = std::move(chosen->match);
    const RouteSpec &spec = chosen->route->spec;
    if (spec.deprecated)
        match.responseHeaders.append({"Deprecation"_ba, "true"_ba});
    if (spec.sunset.isValid())
        match.responseHeaders.append({"Sunset"_ba, httpDate(spec.sunset)});
    out.match = std::move(match);
    return out;
}

} // namespace Conflux::Gateway
