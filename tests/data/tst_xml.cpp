#include "data/numbers.h"
#include "data/value.h"
#include "data/xml.h"

#include <QBuffer>
#include <QFile>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "codectestsupport.h"

#include <algorithm>
#include <cstring>
#include <functional>

using namespace Conflux;
using namespace Conflux::Data;
using namespace Qt::StringLiterals;
using namespace Conflux::Test;

namespace {


// What a result holds, for failure messages (QVERIFY2 evaluates its message eagerly).
QString describe(const Result<Value> &r)
{
    return r ? dump(*r) : r.error().code + u": "_s + r.error().message;
}

template<typename T>
QString codeOf(const Result<T> &r)
{
    return r ? u"(no error)"_s : r.error().code;
}

QString describe(const Result<QByteArray> &r)
{
    return r ? QString::fromUtf8(*r) : r.error().code + u": "_s + r.error().message;
}

// A function value, which has no XML form.
struct NoopFunction : Callable
{
};

QByteArray nested(int depth)
{
    QByteArray xml;
    for (int i = 0; i < depth; ++i)
        xml += "<d>";
    for (int i = 0; i < depth; ++i)
        xml += "</d>";
    return xml;
}

// <Orders> with `count` <Order> records, produced piece by piece.
std::function<QByteArray(qint64)> orderStream(qint64 count)
{
    return [count](qint64 piece) -> QByteArray {
        if (piece == 0)
            return "<?xml version=\"1.0\"?>\n<Shop xmlns=\"urn:shop\"><Orders>\n";
        if (piece <= count) {
            return "  <Order id=\"" + QByteArray::number(piece) + "\"><Customer><Email>c" + QByteArray::number(piece)
                + "@example.com</Email></Customer><Line><Sku>A-1</Sku><Qty>2</Qty></Line>"
                  "<Line><Sku>B-7</Sku><Qty>1</Qty></Line><Note>fragile &amp; heavy</Note></Order>\n";
        }
        if (piece == count + 1)
            return "</Orders></Shop>\n";
        return {};
    };
}

} // namespace

class tst_Xml : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void read_data()
    {
        QTest::addColumn<QByteArray>("xml");
        QTest::addColumn<QStringList>("arrayPaths");
        QTest::addColumn<QString>("expected");

        const QStringList none;
        QTest::addRow("text") << QByteArray("<a>hi</a>") << none << u"{\"a\":\"hi\"}"_s;
        QTest::addRow("empty element") << QByteArray("<a/>") << none << u"{\"a\":null}"_s;
        QTest::addRow("empty pair") << QByteArray("<a></a>") << none << u"{\"a\":null}"_s;
        QTest::addRow("text kept as written") << QByteArray("<a>  x \n</a>") << none << u"{\"a\":\"  x \\u000a\"}"_s;
        QTest::addRow("attribute and text") << QByteArray("<a id=\"1\">x</a>") << none
                                            << u"{\"a\":{\"@id\":\"1\",\"#text\":\"x\"}}"_s;
        QTest::addRow("attributes only") << QByteArray("<a id='1' b=\"two\"/>") << none
                                         << u"{\"a\":{\"@id\":\"1\",\"@b\":\"two\"}}"_s;
        QTest::addRow("children") << QByteArray("<o><n>1</n><m>2</m></o>") << none
                                  << u"{\"o\":{\"n\":\"1\",\"m\":\"2\"}}"_s;
        QTest::addRow("repeated children")
            << QByteArray("<o><l>a</l><l>b</l><x/><l>c</l></o>") << none
            << u"{\"o\":{\"l\":[\"a\",\"b\",\"c\"],\"x\":null}}"_s;
        QTest::addRow("repeated objects")
            << QByteArray("<o><l n=\"1\"/><l><s>x</s></l></o>") << none
            << u"{\"o\":{\"l\":[{\"@n\":\"1\"},{\"s\":\"x\"}]}}"_s;
        QTest::addRow("numbers stay text") << QByteArray("<r><n>12</n><f>1.50</f><b>true</b></r>") << none
                                           << u"{\"r\":{\"n\":\"12\",\"f\":\"1.50\",\"b\":\"true\"}}"_s;
        QTest::addRow("namespaces")
            << QByteArray("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns=\"urn:x\">"
                          "<soap:Body><m:Get xmlns:m=\"urn:m\"><m:id>5</m:id></m:Get></soap:Body></soap:Envelope>")
            << none
            << u"{\"soap:Envelope\":{\"@xmlns:soap\":\"http://schemas.xmlsoap.org/soap/envelope/\",\"@xmlns\":\"urn:x\","
               "\"soap:Body\":{\"m:Get\":{\"@xmlns:m\":\"urn:m\",\"m:id\":\"5\"}}}}"_s;
        QTest::addRow("mixed content") << QByteArray("<p>Hello <b>world</b> again</p>") << none
                                       << u"{\"p\":{\"#text\":\"Hello  again\",\"b\":\"world\"}}"_s;
        QTest::addRow("text after children") << QByteArray("<p><b>w</b> tail</p>") << none
                                             << u"{\"p\":{\"b\":\"w\",\"#text\":\" tail\"}}"_s;
        QTest::addRow("layout whitespace")
            << QByteArray("<?xml version=\"1.0\"?>\n<o>\n  <a>1</a>\n  <b x=\"y\">\n    <c/>\n  </b>\n</o>\n") << none
            << u"{\"o\":{\"a\":\"1\",\"b\":{\"@x\":\"y\",\"c\":null}}}"_s;
        QTest::addRow("cdata") << QByteArray("<a><![CDATA[<b>&</b>]]></a>") << none << u"{\"a\":\"<b>&</b>\"}"_s;
        QTest::addRow("cdata and text") << QByteArray("<a>x<![CDATA[ y ]]>z</a>") << none
                                        << u"{\"a\":\"x y z\"}"_s;
        QTest::addRow("comments and pi dropped")
            << QByteArray("<?pi before?><!-- c --><a><!-- c -->t<?pi x?>u<!--d--></a><!-- after -->") << none
            << u"{\"a\":\"tu\"}"_s;
        QTest::addRow("entities") << QByteArray("<a q=\"&quot;&apos;\">&lt;&amp;&gt;&#x41;&#66;</a>") << none
                                  << u"{\"a\":{\"@q\":\"\\\"'\",\"#text\":\"<&>AB\"}}"_s;
        QTest::addRow("carriage return reference") << QByteArray("<a>x&#13;y</a>") << none
                                                   << u"{\"a\":\"x\\u000dy\"}"_s;
        QTest::addRow("utf-8 with bom")
            << QByteArray("\xEF\xBB\xBF<?xml version='1.0' encoding='UTF-8'?><caf\xC3\xA9>\xE2\x82\xAC</caf\xC3\xA9>")
            << none << u"{\"café\":\"€\"}"_s;
        QTest::addRow("latin-1 declared")
            << QByteArray("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE9</a>") << none
            << u"{\"a\":\"é\"}"_s;
        QTest::addRow("arrayPaths single") << QByteArray("<o><l>a</l><m>x</m></o>") << QStringList{u"o/l"_s}
                                           << u"{\"o\":{\"l\":[\"a\"],\"m\":\"x\"}}"_s;
        QTest::addRow("arrayPaths any depth")
            << QByteArray("<o><l>a</l><g><l><l>b</l></l></g></o>") << QStringList{u"//l"_s}
            << u"{\"o\":{\"l\":[\"a\"],\"g\":{\"l\":[{\"l\":[\"b\"]}]}}}"_s;
        QTest::addRow("arrayPaths deep path")
            << QByteArray("<o><g><l>b</l></g><l>a</l></o>") << QStringList{u"/o/g/l"_s}
            << u"{\"o\":{\"g\":{\"l\":[\"b\"]},\"l\":\"a\"}}"_s;
        QTest::addRow("arrayPaths repeated stays one array")
            << QByteArray("<o><l>a</l><l>b</l></o>") << QStringList{u"o/l"_s}
            << u"{\"o\":{\"l\":[\"a\",\"b\"]}}"_s;
    }

    void read()
    {
        QFETCH(QByteArray, xml);
        QFETCH(QStringList, arrayPaths);
        QFETCH(QString, expected);
        Xml::XmlReadOptions options;
        options.arrayPaths = arrayPaths;
        const Result<Value> value = Xml::read(xml, options);
        QVERIFY2(value, qPrintable(describe(value)));
        QCOMPARE(dump(*value), expected);
    }

    void readOptions()
    {
        Xml::XmlReadOptions options;
        options.emptyAsNull = false;
        QCOMPARE(dump(*Xml::read("<a><b/><c></c></a>", options)), u"{\"a\":{\"b\":\"\",\"c\":\"\"}}"_s);
        options = {};
        options.trimText = true;
        QCOMPARE(dump(*Xml::read("<a><b>  x  </b><c a=\"1\">\n y\n</c><d>\n <e/> t </d><f>  </f></a>", options)),
                 u"{\"a\":{\"b\":\"x\",\"c\":{\"@a\":\"1\",\"#text\":\"y\"},\"d\":{\"e\":null,\"#text\":\"t\"},\"f\":null}}"_s);
    }

    void readErrors_data()
    {
        QTest::addColumn<QByteArray>("xml");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");

        QTest::addRow("doctype with entity") << QByteArray("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>")
                                             << u"xml_doctype"_s << u"line 1, column 30"_s;
        QTest::addRow("billion laughs")
            << QByteArray("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
                          " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
                          " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
                          " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
                          " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
                          " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
                          " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
                          " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
                          " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
                          " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
                          "]>\n<lolz>&lol9;</lolz>")
            << u"xml_doctype"_s << u"line 13"_s;
        QTest::addRow("external entity")
            << QByteArray("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>") << u"xml_doctype"_s
            << u"DOCTYPE"_s;
        QTest::addRow("external dtd") << QByteArray("<!DOCTYPE a SYSTEM \"http://example.invalid/a.dtd\"><a/>")
                                      << u"xml_doctype"_s << u"DOCTYPE"_s;
        QTest::addRow("undeclared entity") << QByteArray("<a>\n&e;</a>") << u"xml_syntax"_s
                                           << u"line 2, column 3: Entity 'e' not declared"_s;
        QTest::addRow("unterminated") << QByteArray("<a>\n  <b>\n    text") << u"xml_syntax"_s
                                      << u"<b> opened at line 2, column 5"_s;
        QTest::addRow("unterminated start tag") << QByteArray("<a>\n<b x=\"1") << u"xml_syntax"_s
                                                << u"<a> opened at line 1, column 3"_s;
        QTest::addRow("mismatched") << QByteArray("<a>\n<b>\n</c></a>") << u"xml_syntax"_s
                                    << u"line 3, column 4: Opening and ending tag mismatch"_s;
        QTest::addRow("empty") << QByteArray() << u"xml_syntax"_s << u"empty"_s;
        QTest::addRow("only a comment") << QByteArray("<!-- x -->") << u"xml_syntax"_s << u"empty"_s;
        QTest::addRow("junk after root") << QByteArray("<a/>\njunk") << u"xml_syntax"_s
                                         << u"line 2, column 1: Extra content"_s;
        QTest::addRow("two roots") << QByteArray("<a/><b/>") << u"xml_syntax"_s << u"Extra content"_s;
        QTest::addRow("bad utf-8") << QByteArray("<a>\xFF</a>") << u"xml_syntax"_s << u"encoded"_s;
        QTest::addRow("duplicate attribute") << QByteArray("<a x=\"1\" x=\"2\"/>") << u"xml_syntax"_s
                                             << u"redefined"_s;
        QTest::addRow("lt in attribute") << QByteArray("<a x=\"<\"/>") << u"xml_syntax"_s << u"line 1"_s;
        QTest::addRow("too deep") << nested(300) << u"xml_limit"_s << u"maxDepth"_s;
        QTest::addRow("deep but allowed") << nested(256) << QString() << QString();
    }

    void readErrors()
    {
        QFETCH(QByteArray, xml);
        QFETCH(QString, code);
        QFETCH(QString, message);
        const Result<Value> value = Xml::read(xml);
        if (code.isEmpty()) {
            QVERIFY2(value, qPrintable(describe(value)));
            return;
        }
        QVERIFY2(!value, qPrintable(describe(value)));
        QCOMPARE(codeOf(value), code);
        QVERIFY2(value.error().message.contains(message), qPrintable(value.error().message));
    }

    void limits()
    {
        Xml::XmlReadOptions options;
        options.limits.maxAttributes = 3;
        QVERIFY(Xml::read("<a p=\"1\" q=\"2\" r=\"3\"/>", options));
        Result<Value> value = Xml::read("<a>\n<b p=\"1\" q=\"2\" r=\"3\" s=\"4\"/></a>", options);
        QVERIFY(!value);
        QCOMPARE(codeOf(value), u"xml_limit"_s);
        QVERIFY2(value.error().message.contains(u"line 2"_s), qPrintable(value.error().message));
        QVERIFY2(value.error().message.contains(u"maxAttributes"_s), qPrintable(value.error().message));

        options = {};
        options.limits.maxTextLength = 10;
        QVERIFY(Xml::read("<a>0123456789</a>", options));
        value = Xml::read("<a>0123456789x</a>", options);
        QCOMPARE(codeOf(value), u"xml_limit"_s);
        QVERIFY(value.error().message.contains(u"maxTextLength"_s));
        value = Xml::read("<a v=\"0123456789x\"/>", options);
        QCOMPARE(codeOf(value), u"xml_limit"_s);
        // Text split by children and CDATA counts as one.
        value = Xml::read("<a>012345<b/>678<![CDATA[9x]]></a>", options);
        QCOMPARE(codeOf(value), u"xml_limit"_s);

        // A comment is dropped, but still cannot grow without bound while being read.
        options = {};
        options.limits.maxTextLength = 100;
        const QByteArray hugeComment = "<a><!--" + QByteArray(4 * 1024 * 1024, 'c') + "--></a>";
        value = Xml::read(hugeComment, options);
        QVERIFY(!value);
        QCOMPARE(codeOf(value), u"xml_limit"_s);

        options = {};
        options.limits.maxSize = 20;
        QVERIFY(Xml::read("<a>0123456789</a>", options));
        value = Xml::read("<a>0123456789abcdef</a>", options);
        QCOMPARE(codeOf(value), u"xml_limit"_s);
        QVERIFY(value.error().message.contains(u"maxSize"_s));

        options = {};
        options.limits.maxDepth = 3;
        QVERIFY(Xml::read(nested(3), options));
        QCOMPARE(codeOf(Xml::read(nested(4), options)), u"xml_limit"_s);
    }

    void write_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("declaration");
        QTest::addColumn<int>("indent");
        QTest::addColumn<QByteArray>("expected");

        QTest::addRow("text") << QByteArray("{\"a\":\"hi\"}") << false << 0 << QByteArray("<a>hi</a>");
        QTest::addRow("declaration") << QByteArray("{\"a\":null}") << true << 0
                                     << QByteArray("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>");
        QTest::addRow("scalars") << QByteArray("{\"r\":{\"i\":12,\"f\":1.5,\"t\":true,\"n\":null,\"s\":\"a<&>\\\"b\"}}")
                                 << false << 0
                                 << QByteArray("<r><f>1.5</f><i>12</i><n/><s>a&lt;&amp;&gt;&quot;b</s><t>true</t></r>");
        QTest::addRow("array") << QByteArray("{\"o\":{\"l\":[\"a\",{\"@n\":\"1\"},null]}}") << false << 0
                               << QByteArray("<o><l>a</l><l n=\"1\"/><l/></o>");
        QTest::addRow("attributes") << QByteArray("{\"a\":{\"@id\":7,\"@q\":\"\\\"<&\\r\",\"#text\":\"x\",\"@skip\":null}}")
                                    << false << 0 << QByteArray("<a id=\"7\" q=\"&quot;&lt;&amp;&#13;\">x</a>");
        QTest::addRow("carriage return") << QByteArray("{\"a\":\"x\\r\\ny\"}") << false << 0
                                         << QByteArray("<a>x&#13;\ny</a>");
        QTest::addRow("empty string") << QByteArray("{\"a\":\"\"}") << false << 0 << QByteArray("<a></a>");
        QTest::addRow("pretty") << QByteArray("{\"o\":{\"a\":\"1\",\"b\":{\"c\":null}}}") << true << 2
                                << QByteArray("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<o>\n  <a>1</a>\n  <b>\n    <c/>\n  </b>\n</o>\n");
    }

    void write()
    {
        QFETCH(QByteArray, json);
        QFETCH(bool, declaration);
        QFETCH(int, indent);
        QFETCH(QByteArray, expected);
        Xml::XmlWriteOptions options;
        options.declaration = declaration;
        options.indent = indent;
        const Result<QByteArray> xml = Xml::write(fromJson(json), options);
        QVERIFY2(xml, qPrintable(describe(xml)));
        QCOMPARE(*xml, expected);
    }

    void writeErrors_data()
    {
        QTest::addColumn<Value>("document");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");

        QTest::addRow("not an object") << fromJson("[1]") << u"xml_invalid_value"_s << u"document root"_s;
        QTest::addRow("no member") << fromJson("{}") << u"xml_invalid_value"_s << u"exactly one"_s;
        QTest::addRow("two roots") << fromJson("{\"a\":1,\"b\":2}") << u"xml_invalid_value"_s << u"exactly one"_s;
        QTest::addRow("root array") << fromJson("{\"a\":[1,2]}") << u"xml_invalid_value"_s << u"\"/a\""_s;
        QTest::addRow("invalid name") << fromJson("{\"r\":{\"ok\":{\"1st\":\"x\"}}}") << u"xml_invalid_name"_s
                                      << u"\"/r/ok/1st\""_s;
        QTest::addRow("name with space") << fromJson("{\"r\":{\"a b\":\"x\"}}") << u"xml_invalid_name"_s
                                         << u"\"a b\" is not a valid XML name"_s;
        QTest::addRow("name with slash") << fromJson("{\"r\":{\"a/b\":\"x\"}}") << u"xml_invalid_name"_s
                                         << u"\"/r/a~1b\""_s;
        QTest::addRow("invalid attribute name") << fromJson("{\"r\":{\"@1\":\"x\"}}") << u"xml_invalid_name"_s
                                                << u"\"/r/@1\""_s;
        QTest::addRow("nested array") << fromJson("{\"r\":{\"l\":[1,[2]]}}") << u"xml_invalid_value"_s
                                      << u"\"/r/l/1\""_s;
        QTest::addRow("object attribute") << fromJson("{\"r\":{\"@a\":{}}}") << u"xml_invalid_value"_s
                                          << u"\"/r/@a\""_s;
        QTest::addRow("control character") << fromJson("{\"r\":{\"l\":[\"ok\",\"a\\u0001\"]}}")
                                           << u"xml_invalid_char"_s << u"\"/r/l/1\": character U+0001"_s;
        QTest::addRow("function") << Value(Object{{u"r"_s, Value(new NoopFunction)}}) << u"xml_invalid_value"_s
                                  << u"\"/r\""_s;
    }

    void writeErrors()
    {
        QFETCH(Value, document);
        QFETCH(QString, code);
        QFETCH(QString, message);
        const Result<QByteArray> xml = Xml::write(document);
        QVERIFY2(!xml, qPrintable(describe(xml)));
        QCOMPARE(codeOf(xml), code);
        QVERIFY2(xml.error().message.contains(message), qPrintable(xml.error().message));
    }

    // XML -> Value -> XML gives the same document, for documents in canonical form.
    void roundTripXml_data()
    {
        QTest::addColumn<QByteArray>("xml");
        QTest::addRow("soap")
            << QByteArray("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                          "<soap:Body><m:Get xmlns:m=\"urn:m\" m:mode=\"fast\"><m:id>5</m:id><m:id>6</m:id></m:Get>"
                          "</soap:Body></soap:Envelope>");
        QTest::addRow("mixed") << QByteArray("<p>Hello <b>world</b><i/></p>");
        QTest::addRow("tail text") << QByteArray("<p><b>w</b> tail</p>");
        QTest::addRow("escapes") << QByteArray("<a q=\"&quot;&lt;&amp;&#13;&#10;&#9;\">&lt;x&gt; &amp; y&#13;\nz</a>");
        QTest::addRow("unicode") << QByteArray("<r><caf\xC3\xA9 \xC3\xA9t\xC3\xA9=\"\xE2\x82\xAC\">\xF0\x9F\x98\x80</caf\xC3\xA9></r>");
        QTest::addRow("idoc")
            << QByteArray("<ORDERS05><IDOC BEGIN=\"1\"><EDI_DC40 SEGMENT=\"1\"><TABNAM>EDI_DC40</TABNAM></EDI_DC40>"
                          "<E1EDK01 SEGMENT=\"1\"><CURCY>EUR</CURCY></E1EDK01><E1EDP01 SEGMENT=\"1\"><POSEX>10</POSEX>"
                          "</E1EDP01><E1EDP01 SEGMENT=\"1\"><POSEX>20</POSEX></E1EDP01></IDOC></ORDERS05>");
    }

    void roundTripXml()
    {
        QFETCH(QByteArray, xml);
        const Result<Value> value = Xml::read(xml);
        QVERIFY2(value, qPrintable(describe(value)));
        Xml::XmlWriteOptions options;
        options.declaration = false;
        const Result<QByteArray> written = Xml::write(*value, options);
        QVERIFY2(written, qPrintable(describe(written)));
        QCOMPARE(*written, xml);
        // Pretty printing only adds layout whitespace, which reading drops again.
        options.indent = 4;
        const Result<Value> again = Xml::read(*Xml::write(*value, options));
        QVERIFY(again);
        QCOMPARE(dump(*again), dump(*value));
    }

    // Value -> XML -> Value gives the same value for values of the convention's shape.
    void roundTripValue_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addRow("order") << QByteArray(
            "{\"Order\":{\"@id\":\"7\",\"@xmlns\":\"urn:o\",\"Customer\":{\"Name\":\"Ann & Bob\",\"Email\":\"a@b.c\"},"
            "\"Line\":[{\"Sku\":\"A\",\"Qty\":\"2\"},{\"Sku\":\"B\",\"Qty\":\"1\",\"Note\":null}],\"Empty\":null}}");
        QTest::addRow("text with attributes") << QByteArray("{\"a\":{\"@x\":\"1\",\"#text\":\" padded \"}}");
        QTest::addRow("whitespace text") << QByteArray("{\"a\":{\"b\":\"  \",\"c\":\"\\n\\tx\\r\\n\"}}");
        QTest::addRow("repeated scalars") << QByteArray("{\"a\":{\"v\":[\"1\",\"2\",\"3\"]}}");
    }

    void roundTripValue()
    {
        QFETCH(QByteArray, json);
        const Value value = fromJson(json);
        for (const int indent : {0, 2}) {
            Xml::XmlWriteOptions options;
            options.indent = indent;
            const Result<QByteArray> xml = Xml::write(value, options);
            QVERIFY2(xml, qPrintable(describe(xml)));
            const Result<Value> back = Xml::read(*xml);
            QVERIFY2(back, qPrintable(describe(back)));
            QVERIFY2(*back == value, qPrintable(dump(*back) + u" from "_s + QString::fromUtf8(*xml)));
        }
    }

    void records_data()
    {
        QTest::addColumn<qint64>("step");
        QTest::addRow("1 byte") << qint64(1);
        QTest::addRow("7 bytes") << qint64(7);
        QTest::addRow("64 KiB") << qint64(65536);
    }

    void records()
    {
        QFETCH(qint64, step);
        const QByteArray xml =
            "<?xml version=\"1.0\"?>\n<Shop>\n<Info><Order>not a record</Order></Info>\n<Orders>\n"
            "  <Order id=\"1\"><Line><Sku>A</Sku></Line><Line><Sku>B</Sku></Line></Order>\n"
            "  <!-- a comment between records -->\n"
            "  <Order id=\"2\"><Line><Sku>C</Sku></Line></Order>\n"
            "  <Order/>\n"
            "  <Other>skipped</Other>\n"
            "</Orders>\n</Shop>\n";
        TrickleDevice device(xml, step);
        Xml::XmlReadOptions options;
        options.arrayPaths = {u"Shop/Orders/Order/Line"_s};
        Xml::XmlRecordReader reader(&device, u"Shop/Orders/Order"_s, options);
        QStringList seen;
        for (;;) {
            const Result<Value> record = reader.next();
            QVERIFY2(record, qPrintable(describe(record)));
            if (record->isUndefined())
                break;
            seen << dump(*record);
        }
        QCOMPARE(seen, (QStringList{u"{\"@id\":\"1\",\"Line\":[{\"Sku\":\"A\"},{\"Sku\":\"B\"}]}"_s,
                                    u"{\"@id\":\"2\",\"Line\":[{\"Sku\":\"C\"}]}"_s, u"null"_s}));
        QVERIFY(reader.atEnd());
        QCOMPARE(reader.recordCount(), 3);
        QVERIFY(reader.next()->isUndefined());

        // The same records as reading the whole document and picking them out.
        const Value whole = *Xml::read(xml, options);
        const Value orders = whole[u"Shop"][u"Orders"][u"Order"];
        QCOMPARE(orders.size(), 3);
        QCOMPARE(dump(orders.at(0)), seen.at(0));

        // "//Order" also takes the one under <Info>.
        TrickleDevice again(xml, step);
        Xml::XmlRecordReader anywhere(&again, u"//Order"_s);
        QCOMPARE(dump(*anywhere.next()), u"\"not a record\""_s);
        QCOMPARE(dump(*anywhere.next()), u"{\"@id\":\"1\",\"Line\":[{\"Sku\":\"A\"},{\"Sku\":\"B\"}]}"_s);
    }

    void recordErrors_data()
    {
        QTest::addColumn<QByteArray>("xml");
        QTest::addColumn<int>("goodRecords");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");

        QTest::addRow("broken after two")
            << QByteArray("<R>\n<r>1</r>\n<r>2</r>\n<r>3</x>\n</R>") << 2 << u"xml_syntax"_s << u"line 4, column"_s;
        QTest::addRow("truncated") << QByteArray("<R>\n<r>1</r>\n<r>2") << 1 << u"xml_syntax"_s
                                   << u"<r> opened at line 3, column 3"_s;
        QTest::addRow("doctype") << QByteArray("<!DOCTYPE R [<!ENTITY e \"x\">]><R><r>&e;</r></R>") << 0
                                 << u"xml_doctype"_s << u"DOCTYPE"_s;
        QTest::addRow("junk after root") << QByteArray("<R><r>1</r></R><R/>") << 1 << u"xml_syntax"_s
                                         << u"Extra content"_s;
        QTest::addRow("bad path") << QByteArray("<R/>") << 0 << u"xml_invalid_option"_s << u"names no element"_s;
    }

    void recordErrors()
    {
        QFETCH(QByteArray, xml);
        QFETCH(int, goodRecords);
        QFETCH(QString, code);
        QFETCH(QString, message);
        TrickleDevice device(xml, 3);
        Xml::XmlRecordReader reader(&device, code == u"xml_invalid_option" ? u"/"_s : u"R/r"_s);
        for (int i = 0; i < goodRecords; ++i) {
            const Result<Value> record = reader.next();
            QVERIFY2(record, qPrintable(describe(record)));
            QVERIFY(!record->isUndefined());
        }
        const Result<Value> bad = reader.next();
        QVERIFY2(!bad, qPrintable(describe(bad)));
        QCOMPARE(codeOf(bad), code);
        QVERIFY2(bad.error().message.contains(message), qPrintable(bad.error().message));
        QVERIFY(reader.atEnd());
        QCOMPARE(codeOf(reader.next()), code);   // stays failed
    }

    void recordLimit()
    {
        // maxSize bounds each record, not the document.
        QByteArray xml = "<R>";
        for (int i = 0; i < 2000; ++i)
            xml += "<r><v>" + QByteArray(50, 'x') + "</v></r>";
        xml += "<r>" + QByteArray(300 * 1024, 'y') + "</r></R>";
        Xml::XmlReadOptions options;
        options.limits.maxSize = 100 * 1024;
        QVERIFY(!Xml::read(xml, options));
        TrickleDevice device(xml, 4096);
        Xml::XmlRecordReader reader(&device, u"R/r"_s, options);
        for (int i = 0; i < 2000; ++i) {
            const Result<Value> record = reader.next();
            QVERIFY2(record, qPrintable(describe(record)));
        }
        const Result<Value> big = reader.next();
        QVERIFY(!big);
        QCOMPARE(codeOf(big), u"xml_limit"_s);
        QVERIFY2(big.error().message.contains(u"record"_s), qPrintable(big.error().message));
    }

    // Streaming many megabytes keeps memory flat: records are handed out, not collected.
    void recordsBoundedMemory()
    {
        const qint64 count = 150000;   // about 27 MB of XML
        TrickleDevice device(orderStream(count), 100000);
        Xml::XmlReadOptions options;
        options.arrayPaths = {u"//Line"_s};
        Xml::XmlRecordReader reader(&device, u"Shop/Orders/Order"_s, options);
        qint64 baseline = -1;
        qint64 peak = 0;
        qint64 records = 0;
        for (;;) {
            const Result<Value> record = reader.next();
            QVERIFY2(record, qPrintable(describe(record)));
            if (record->isUndefined())
                break;
            ++records;
            if (records == 1) {
                QCOMPARE(dump(*record),
                         u"{\"@id\":\"1\",\"Customer\":{\"Email\":\"c1@example.com\"},\"Line\":[{\"Sku\":\"A-1\","
                         "\"Qty\":\"2\"},{\"Sku\":\"B-7\",\"Qty\":\"1\"}],\"Note\":\"fragile & heavy\"}"_s);
            }
            if (records == 5000)
                baseline = residentKiB();
            if (records % 5000 == 0)
                peak = std::max(peak, residentKiB());
        }
        QCOMPARE(records, count);
        QCOMPARE(reader.recordCount(), count);
        QVERIFY(device.delivered() > 25 * 1024 * 1024);
        if (baseline > 0) {
            // Holding the records (or the text) would take hundreds of MB.
            QVERIFY2(peak - baseline < 16 * 1024,
                     qPrintable(u"resident memory grew by %1 KiB"_s.arg(peak - baseline)));
        }
    }
};

QTEST_GUILESS_MAIN(tst_Xml)
#include "tst_xml.moc"
