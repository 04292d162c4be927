#include "model/jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Conflux::Model;
using namespace Qt::StringLiterals;

class tst_JsonText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void canonical_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("expected");
        QTest::addRow("header keys first, then code-point order")
            << QByteArray(R"({"zeta":1,"name":"n","alpha":2,"kind":"K","id":"i","schemaVersion":1,"Beta":3})")
            << QByteArray("{\n  \"kind\": \"K\",\n  \"schemaVersion\": 1,\n  \"id\": \"i\",\n  \"name\": \"n\",\n"
                          "  \"Beta\": 3,\n  \"alpha\": 2,\n  \"zeta\": 1\n}\n");
        QTest::addRow("nested containers and empties")
            << QByteArray(R"({"a":[1,[],{}],"b":{"type":"x","c":null}})")
            << QByteArray("{\n  \"a\": [\n    1,\n    [],\n    {}\n  ],\n  \"b\": {\n    \"type\": \"x\",\n"
                          "    \"c\": null\n  }\n}\n");
        QTest::addRow("numbers")
            << QByteArray(R"({"a":2.50,"b":-0.1,"c":1e3,"d":12345678901234,"e":1.5e300,"f":0.000001})")
            << QByteArray("{\n  \"a\": 2.5,\n  \"b\": -0.1,\n  \"c\": 1000,\n  \"d\": 12345678901234,\n"
                          "  \"e\": 1.5e+300,\n  \"f\": 1e-06\n}\n");
        QTest::addRow("strings keep UTF-8, escape controls")
            << QByteArray("{\"s\":\"Gr\\u00fc\\u00dfe \\\"q\\\" \\\\ \\n\\t\\u0001 / \xe2\x82\xac\"}")
            << QByteArray("{\n  \"s\": \"Gr\xc3\xbc\xc3\x9f" "e \\\"q\\\" \\\\ \\n\\t\\u0001 / \xe2\x82\xac\"\n}\n");
    }

    void canonical()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, expected);
        const QByteArray written = canonicalJson(QJsonDocument::fromJson(input).object());
        QCOMPARE(written, expected);
        // Idempotent: writing the written text again gives the same bytes.
        QCOMPARE(canonicalJson(QJsonDocument::fromJson(written).object()), written);
    }

    void sourceMap()
    {
        const QByteArray text = "{\n  \"a\": {\n    \"b/c\": [10, {\"d\": true}]\n  },\n  \"\xc3\xa4\": 1, \"e\": 2\n}\n";
        const JsonSourceMap map = JsonSourceMap::build(text);
        QCOMPARE(map.position(u"/a"_s)->line, 2);
        QCOMPARE(map.position(u"/a/b~1c"_s)->line, 3);
        QCOMPARE(map.position(u"/a/b~1c"_s)->column, 5);
        QCOMPARE(map.position(u"/a/b~1c/1/d"_s)->column, 18);
        QCOMPARE(map.position(u"/e"_s)->column, 11); // columns count characters, not bytes
        QVERIFY(!map.position(u"/missing"_s));
        QCOMPARE(map.nearest(u"/a/b~1c/7"_s).line, 3);
        QVERIFY(map.duplicateKeys().isEmpty());
    }

    void parseErrors()
    {
        const ParsedDocument notObject = parseDocument(u"f.json"_s, "[1]");
        QCOMPARE(notObject.errors.size(), 1);
        QCOMPARE(notObject.errors.first().message, u"a document must be a JSON object"_s);

        const ParsedDocument broken = parseDocument(u"f.json"_s, "{\n  \"a\": 1,\n  \"b\": tru\n}");
        QCOMPARE(broken.errors.size(), 1);
        QCOMPARE(broken.errors.first().line, 3);
        QVERIFY(!broken.value.isObject());

        const ParsedDocument dup = parseDocument(u"f.json"_s, "{\"a\": {\"x\": 1, \"x\": 2}}");
        QCOMPARE(dup.errors.size(), 1);
        QCOMPARE(dup.errors.first().pointer, u"/a/x"_s);
    }
};

QTEST_GUILESS_MAIN(tst_JsonText)
#include "tst_jsontext.moc"
