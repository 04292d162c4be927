#include "data/json.h"
#include "data/yaml.h"

#include <QTest>

#include <cmath>

using namespace Conflux;
using namespace Conflux::Data;
using namespace Qt::StringLiterals;

namespace {
QByteArray asJson(const QByteArray &yaml)
{
    Result<Value> value = Yaml::parse(yaml);
    if (!value)
        return "error: " + value.error().toString().toUtf8();
    return Json::serialize(*value);
}
} // namespace

class TestYaml : public QObject
{
    Q_OBJECT

private slots:
    void resolvesPlainScalarsByTheCoreSchema_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("null forms") << QByteArray("[~, null, Null, NULL, ]") << QByteArray("[null,null,null,null]");
        QTest::newRow("empty value") << QByteArray("a:\nb: 1") << QByteArray("{\"a\":null,\"b\":1}");
        QTest::newRow("booleans") << QByteArray("[true, True, FALSE, yes, no, on]")
                                  << QByteArray("[true,true,false,\"yes\",\"no\",\"on\"]");
        QTest::newRow("integers") << QByteArray("[0, -17, +4, 0o17, 0x1F, 007]") << QByteArray("[0,-17,4,15,31,7]");
        QTest::newRow("floats") << QByteArray("[1.5, -.5, 6.02e23, 1e3]") << QByteArray("[1.5,-0.5,6.02e+23,1000]");
        QTest::newRow("quoted stay strings") << QByteArray("['1', \"true\", !!str 3, '~']")
                                             << QByteArray("[\"1\",\"true\",\"3\",\"~\"]");
        QTest::newRow("versions are text") << QByteArray("[3.0.3, 1.2.3.4, 12:30]")
                                           << QByteArray("[\"3.0.3\",\"1.2.3.4\",\"12:30\"]");
        QTest::newRow("big integer") << QByteArray("9007199254740993") << QByteArray("9007199254740993");
        QTest::newRow("block scalar") << QByteArray("d: |\n  line one\n  line two\n")
                                      << QByteArray("{\"d\":\"line one\\nline two\\n\"}");
        QTest::newRow("folded") << QByteArray("d: >-\n  a\n  b\n") << QByteArray("{\"d\":\"a b\"}");
        QTest::newRow("unicode") << QByteArray("name: \"Gr\\u00fc\\u00dfe \xe2\x9c\x93\"")
                                 << QByteArray("{\"name\":\"Gr\xc3\xbc\xc3\x9f" "e \xe2\x9c\x93\"}");
    }
    void resolvesPlainScalarsByTheCoreSchema()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QByteArray, json);
        QCOMPARE(asJson(yaml), json);
    }

    void readsNestedDocumentsInOrder()
    {
        const QByteArray yaml = "openapi: 3.0.3\n"
                                "info:\n  title: Shop\n  version: '2'\n"
                                "paths:\n  /orders:\n    get:\n      parameters:\n"
                                "        - name: limit\n          in: query\n"
                                "        - {name: after, in: query}\n";
        QCOMPARE(asJson(yaml),
                 QByteArray("{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"Shop\",\"version\":\"2\"},"
                            "\"paths\":{\"/orders\":{\"get\":{\"parameters\":[{\"name\":\"limit\",\"in\":\"query\"},"
                            "{\"name\":\"after\",\"in\":\"query\"}]}}}}"));
    }

    void expandsAliases()
    {
        QCOMPARE(asJson("base: &b {x: 1}\nother: *b\n"), QByteArray("{\"base\":{\"x\":1},\"other\":{\"x\":1}}"));
    }

    void infinityAndNan()
    {
        Result<Value> value = Yaml::parse("[.inf, -.Inf, .NaN]");
        QVERIFY(value);
        QVERIFY(std::isinf(value->at(0).toDouble()) && value->at(0).toDouble() > 0);
        QVERIFY(std::isinf(value->at(1).toDouble()) && value->at(1).toDouble() < 0);
        QVERIFY(std::isnan(value->at(2).toDouble()));
    }

    void reportsSyntaxErrorsWithTheirPosition()
    {
        Result<Value> value = Yaml::parse("a: 1\nb: [1, 2\nc: 3\n");
        QVERIFY(!value);
        QCOMPARE(value.error().code, u"yaml_syntax"_s);
        QVERIFY2(value.error().message.contains(u"line "_s), qPrintable(value.error().message));
        QVERIFY(value.error().offset >= 0);

        Result<Value> tabs = Yaml::parse("a:\n\t- 1\n");
        QVERIFY(!tabs);
        QCOMPARE(tabs.error().code, u"yaml_syntax"_s);
    }

    void refusesDuplicateAndComplexKeys()
    {
        Result<Value> duplicate = Yaml::parse("a: 1\nb: 2\na: 3\n");
        QVERIFY(!duplicate);
        QCOMPARE(duplicate.error().code, u"yaml_key"_s);
        QVERIFY(duplicate.error().message.contains(u"\"a\""_s));
        QVERIFY(duplicate.error().message.contains(u"line 3"_s));

        Result<Value> complex = Yaml::parse("? [1, 2]\n: x\n");
        QVERIFY(!complex);
        QCOMPARE(complex.error().code, u"yaml_key"_s);
    }

    void boundsAliasExpansion()
    {
        // Each level doubles: 2^30 values if expanded naively.
        QByteArray bomb = "a0: &a0 [x, x]\n";
        for (int i = 1; i <= 30; ++i)
            bomb += "a" + QByteArray::number(i) + ": &a" + QByteArray::number(i) + " [*a" + QByteArray::number(i - 1)
                + ", *a" + QByteArray::number(i - 1) + "]\n";
        Result<Value> value = Yaml::parse(bomb);
        QVERIFY(!value);
        QCOMPARE(value.error().code, u"yaml_limit"_s);

        Yaml::ReadOptions shallow;
        shallow.maxDepth = 3;
        Result<Value> deep = Yaml::parse("a: {b: {c: {d: {e: 1}}}}", shallow);
        QVERIFY(!deep);
        QCOMPARE(deep.error().code, u"yaml_limit"_s);
    }
};

QTEST_GUILESS_MAIN(TestYaml)
#include "tst_yaml.moc"
