// Route matching: exact, template and prefix paths, precedence, methods, versions.

#include "gateway/routetable.h"

#include <QTest>

using namespace Conflux;
using namespace Conflux::Gateway;
using namespace Qt::StringLiterals;

namespace {

RouteSpec route(const QString &id, const QString &path, const QByteArray &method = "*")
{
    RouteSpec r;
    r.id = id;
    r.path = path;
    r.method = method;
    return r;
}

// A table of one test's routes; lookups answer the matched route's id, or the status.
class Table
{
public:
    explicit Table(QList<RouteSpec> routes) : m_routes(std::move(routes))
    {
        auto built = RouteTable::build(m_routes);
        if (!built)
            qFatal("%s", qPrintable(built.error().toString()));
        m_table = *built;
    }
    QString operator()(const QByteArray &method, const QByteArray &path, const QByteArray &version = {}) const
    {
        const RouteLookup r = m_table->lookup(method, path, version);
        return r.match ? m_routes[r.match->route].id : QString::number(r.status);
    }
    RouteLookup lookup(const QByteArray &method, const QByteArray &path, const QByteArray &version = {}) const
    {
        return m_table->lookup(method, path, version);
    }

private:
    QList<RouteSpec> m_routes;
    std::shared_ptr<const RouteTable> m_table;
};

} // namespace

class TestRouteTable : public QObject
{
    Q_OBJECT

private slots:
    void precedence_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QString>("expected");
        QTest::addRow("exact beats template") << "GET"_ba << "/orders/new"_ba << u"new"_s;
        QTest::addRow("template") << "GET"_ba << "/orders/42"_ba << u"one"_s;
        QTest::addRow("more literals first") << "GET"_ba << "/orders/42/lines"_ba << u"lines"_s;
        QTest::addRow("fewer params first") << "GET"_ba << "/orders/42/notes"_ba << u"notes-literal"_s;
        QTest::addRow("two params") << "GET"_ba << "/orders/42/x"_ba << u"two"_s;
        QTest::addRow("longer prefix") << "GET"_ba << "/orders/42/lines/7/extra"_ba << u"lines-prefix"_s;
        QTest::addRow("prefix itself") << "GET"_ba << "/static"_ba << u"static"_s;
        QTest::addRow("prefix below") << "GET"_ba << "/static/css/a.css"_ba << u"static"_s;
        QTest::addRow("root prefix catches the rest") << "GET"_ba << "/unknown/thing"_ba << u"fallback"_s;
        QTest::addRow("exact root") << "GET"_ba << "/"_ba << u"root"_s;
        QTest::addRow("trailing slash is another path") << "GET"_ba << "/orders/"_ba << u"fallback"_s;
        QTest::addRow("empty segment is no parameter") << "GET"_ba << "/orders//lines"_ba << u"fallback"_s;
        QTest::addRow("method route before star") << "POST"_ba << "/orders"_ba << u"create"_s;
        QTest::addRow("star for other methods") << "DELETE"_ba << "/orders"_ba << u"orders-any"_s;
    }

    void precedence()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(QString, expected);
        // Deliberately in no useful order: precedence does not depend on it.
        const Table t({route(u"fallback"_s, u"/*"_s), route(u"two"_s, u"/orders/{id}/{what}"_s),
                       route(u"one"_s, u"/orders/{id}"_s), route(u"lines-prefix"_s, u"/orders/{id}/lines/*"_s),
                       route(u"lines"_s, u"/orders/{id}/lines"_s), route(u"notes-literal"_s, u"/orders/{id}/notes"_s),
                       route(u"new"_s, u"/orders/new"_s), route(u"static"_s, u"/static/*"_s),
                       route(u"orders-any"_s, u"/orders"_s), route(u"create"_s, u"/orders"_s, "POST"),
                       route(u"root"_s, u"/"_s)});
        QCOMPARE(t(method, path), expected);
    }

    void parametersAndRest()
    {
        const Table t({route(u"line"_s, u"/orders/{order}/lines/{line}"_s), route(u"files"_s, u"/files/{bucket}/*"_s)});
        RouteLookup r = t.lookup("GET", "/orders/A%2017/lines/3");
        QVERIFY(r.match);
        QCOMPARE(r.match->params.value(u"order"_s), u"A 17"_s);
        QCOMPARE(r.match->params.value(u"line"_s), u"3"_s);
        // An encoded slash stays inside its segment.
        r = t.lookup("GET", "/orders/a%2Fb/lines/1");
        QVERIFY(r.match);
        QCOMPARE(r.match->params.value(u"order"_s), u"a/b"_s);
        r = t.lookup("GET", "/files/docs/2026/report%20final.pdf");
        QVERIFY(r.match);
        QCOMPARE(r.match->params.value(u"bucket"_s), u"docs"_s);
        QCOMPARE(r.match->rest, u"2026/report final.pdf"_s);
        r = t.lookup("GET", "/files/docs");
        QVERIFY(r.match);
        QCOMPARE(r.match->rest, QString());
    }

    void methods()
    {
        const Table t({route(u"get"_s, u"/items"_s, "GET"), route(u"post"_s, u"/items"_s, "POST")});
        QCOMPARE(t("GET", "/items"), u"get"_s);
        QCOMPARE(t("HEAD", "/items"), u"get"_s); // HEAD is served by the GET route
        QCOMPARE(t("POST", "/items"), u"post"_s);
        const RouteLookup wrong = t.lookup("DELETE", "/items");
        QVERIFY(!wrong.match);
        QCOMPARE(wrong.status, 405);
        QCOMPARE(wrong.allow, "GET, HEAD, POST"_ba);
        QCOMPARE(t("GET", "/nothing"), u"404"_s);
        // Methods are case-sensitive (RFC 9110).
        QCOMPARE(t("get", "/items"), u"405"_s);
    }

    void versions()
    {
        auto versioned = [](const QString &id, const QString &version, const QString &how, bool deprecated = false) {
            RouteSpec r = route(id, u"/orders"_s, "GET");
            r.version = version;
            r.versioning = how;
            r.deprecated = deprecated;
            return r;
        };
        RouteSpec sunsetting = versioned(u"h1"_s, u"1"_s, u"header"_s, true);
        sunsetting.sunset = QDateTime(QDate(2027, 1, 31), QTime(23, 59, 59), Qt::UTC);
        const Table t({sunsetting, versioned(u"h2"_s, u"2"_s, u"header"_s), versioned(u"h10"_s, u"10"_s, u"header"_s),
                       versioned(u"p2"_s, u"v2"_s, u"path"_s)});
        QCOMPARE(t("GET", "/orders", "1"), u"h1"_s);
        QCOMPARE(t("GET", "/orders", "2"), u"h2"_s);
        QCOMPARE(t("GET", "/orders"), u"h10"_s); // the newest: 10 > 2 numerically
        QCOMPARE(t("GET", "/orders", "3"), u"406"_s);
        QCOMPARE(t("GET", "/v2/orders"), u"p2"_s);
        const RouteLookup old = t.lookup("GET", "/orders", "1");
        QCOMPARE(old.match->responseHeaders.size(), 2);
        QCOMPARE(old.match->responseHeaders.at(0), (std::pair{"Deprecation"_ba, "true"_ba}));
        QCOMPARE(old.match->responseHeaders.at(1), (std::pair{"Sunset"_ba, "Sun, 31 Jan 2027 23:59:59 GMT"_ba}));
        QVERIFY(t.lookup("GET", "/orders", "2").match->responseHeaders.isEmpty());
        // An unversioned route answers requests without (or with an unknown) version.
        const Table mixed({route(u"plain"_s, u"/orders"_s, "GET"), versioned(u"h2"_s, u"2"_s, u"header"_s)});
        QCOMPARE(mixed("GET", "/orders"), u"plain"_s);
        QCOMPARE(mixed("GET", "/orders", "2"), u"h2"_s);
        QCOMPARE(mixed("GET", "/orders", "9"), u"plain"_s);
    }

    void badRoutes_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("says");
        QTest::addRow("relative") << u"orders"_s << u"must start with /"_s;
        QTest::addRow("star inside") << u"/a/*/b"_s << u"may only end"_s;
        QTest::addRow("empty parameter") << u"/a/{}"_s << u"empty or malformed"_s;
        QTest::addRow("parameter twice") << u"/a/{id}/b/{id}"_s << u"appears twice"_s;
        QTest::addRow("partial parameter") << u"/a/x{id}"_s << u"whole {parameter}"_s;
        QTest::addRow("glob in a segment") << u"/a/b*"_s << u"whole {parameter}"_s;
    }

    void badRoutes()
    {
        QFETCH(QString, path);
        QFETCH(QString, says);
        auto built = RouteTable::build({route(u"good"_s, u"/fine"_s), route(u"bad"_s, path)});
        QVERIFY(!built);
        QCOMPARE(built.error().code, u"gateway_invalid_routes"_s);
        QCOMPARE(built.error().details.size(), 1);
        QVERIFY2(built.error().details.first().contains(says) && built.error().details.first().contains(u"bad"_s),
                 qPrintable(built.error().details.first()));
    }

    void duplicateRoutes()
    {
        auto built = RouteTable::build({route(u"a"_s, u"/x/{id}"_s, "GET"), route(u"b"_s, u"/x/{id}"_s, "GET"),
                                        route(u"c"_s, u"/x/{id}"_s, "POST")});
        QVERIFY(!built);
        QCOMPARE(built.error().details.size(), 1);
        QVERIFY(built.error().details.first().contains(u"route b"_s));
    }
};

QTEST_GUILESS_MAIN(TestRouteTable)
#include "tst_routetable.moc"
