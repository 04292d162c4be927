#include "data/numbers.h"
#include "data/schemainference.h"
#include "data/value.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Conflux;
using namespace Conflux::Data;
using namespace Qt::StringLiterals;

namespace {

// Compact JSON that keeps member order (Value's operator== ignores it).
QString dump(const Value &v)
{
    switch (v.type()) {
    case Value::Type::Undefined: return u"undefined"_s;
    case Value::Type::Null: return u"null"_s;
    case Value::Type::Bool: return v.toBool() ? u"true"_s : u"false"_s;
    case Value::Type::Number: return v.hasExactText() ? v.exactText() : formatNumberString(v.toDouble());
    case Value::Type::String: return u'"' + v.toString() + u'"';
    case Value::Type::Array: {
        QStringList items;
        for (const Value &item : v.toArray())
            items << dump(item);
        return u'[' + items.join(u',') + u']';
    }
    case Value::Type::Object: {
        QStringList members;
        for (const auto &[key, value] : v.toObject())
            members << u'"' + key + u"\":"_s + dump(value);
        return u'{' + members.join(u',') + u'}';
    }
    case Value::Type::Function: return u"function"_s;
    }
    return {};
}

// A Value from JSON text (member order is not kept: QJsonObject sorts keys).
Value fromJson(const QByteArray &json)
{
    const QJsonDocument document = QJsonDocument::fromJson("[" + json + "]");
    Q_ASSERT(document.isArray());
    return Value::fromQJson(document.array().at(0));
}

SchemaField infer(const QList<QByteArray> &samples)
{
    SchemaInference inference;
    for (const QByteArray &sample : samples)
        inference.add(fromJson(sample));
    return inference.result();
}

// "path: types [optional] [format]" for every field, depth first, to compare whole trees.
void outline(const SchemaField &field, QStringList &out)
{
    QString line = (field.path.isEmpty() ? u"(root)"_s : field.path) + u": "_s + field.typeNames().join(u'|');
    if (field.optional)
        line += u" optional"_s;
    if (field.format != StringFormat::None)
        line += u" "_s + SchemaField::formatName(field.format);
    out << line;
    for (const SchemaField &child : field.fields)
        outline(child, out);
    if (const SchemaField *item = field.item())
        outline(*item, out);
}

QStringList outline(const SchemaField &field)
{
    QStringList out;
    outline(field, out);
    return out;
}

} // namespace

class tst_SchemaInference : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shapes_data()
    {
        QTest::addColumn<QList<QByteArray>>("samples");
        QTest::addColumn<QStringList>("expected");

        QTest::addRow("optional across samples")
            << QList<QByteArray>{"{\"id\":1,\"name\":\"a\"}", "{\"id\":2}"}
            << QStringList{u"(root): object"_s, u"id: integer"_s, u"name: string optional"_s};
        QTest::addRow("field appearing later")
            << QList<QByteArray>{"{\"id\":1}", "{\"id\":2,\"late\":true}", "{\"id\":3,\"late\":false}"}
            << QStringList{u"(root): object"_s, u"id: integer"_s, u"late: boolean optional"_s};
        QTest::addRow("array items with differing fields")
            << QList<QByteArray>{"{\"items\":[{\"sku\":\"A\",\"qty\":1},{\"sku\":\"B\",\"price\":2.5}]}"}
            << QStringList{u"(root): object"_s, u"items: array"_s, u"items[]: object"_s, u"items[]/qty: integer optional"_s,
                           u"items[]/sku: string"_s, u"items[]/price: number optional"_s};
        QTest::addRow("items merged across samples")
            << QList<QByteArray>{"{\"items\":[{\"sku\":\"A\"}]}", "{\"items\":[]}", "{}"}
            << QStringList{u"(root): object"_s, u"items: array optional"_s, u"items[]: object"_s, u"items[]/sku: string"_s};
        QTest::addRow("int and number make number")
            << QList<QByteArray>{"{\"v\":1}", "{\"v\":2.5}", "{\"v\":-3}"}
            << QStringList{u"(root): object"_s, u"v: number"_s};
        QTest::addRow("null and string make nullable string")
            << QList<QByteArray>{"{\"v\":null}", "{\"v\":\"x\"}"}
            << QStringList{u"(root): object"_s, u"v: string|null"_s};
        QTest::addRow("mixed array") << QList<QByteArray>{"[1,\"a\",null,[true]]"}
                                     << QStringList{u"(root): array"_s, u"[]: array|string|integer|null"_s,
                                                    u"[][]: boolean"_s};
        QTest::addRow("object or array of objects")
            << QList<QByteArray>{"{\"Line\":{\"Sku\":\"A\"}}", "{\"Line\":[{\"Sku\":\"B\"},{\"Sku\":\"C\",\"Qty\":\"1\"}]}"}
            << QStringList{u"(root): object"_s, u"Line: object|array"_s, u"Line/Sku: string"_s, u"Line[]: object"_s,
                           u"Line[]/Sku: string"_s, u"Line[]/Qty: string optional"_s};
        QTest::addRow("names escaped in paths")
            << QList<QByteArray>{"{\"a/b\":{\"c~d\":1}}"}
            << QStringList{u"(root): object"_s, u"a~1b: object"_s, u"a~1b/c~0d: integer"_s};
        QTest::addRow("formats")
            << QList<QByteArray>{"{\"d\":\"2024-01-15\",\"dt\":\"2024-01-15T10:30:00Z\",\"ldt\":\"2024-01-15 10:30:00.250\","
                                 "\"t\":\"23:59:60+01:00\",\"e\":\"ann.lee@example.co.uk\",\"u\":\"https://example.com/x?q=1\","
                                 "\"id\":\"123e4567-e89b-12d3-a456-426614174000\",\"s\":\"hello\"}"}
            << QStringList{u"(root): object"_s, u"d: string date"_s, u"dt: string date-time"_s, u"e: string email"_s,
                           u"id: string uuid"_s, u"ldt: string local-date-time"_s, u"s: string"_s, u"t: string time"_s,
                           u"u: string uri"_s};
        QTest::addRow("format must hold for all")
            << QList<QByteArray>{"{\"d\":\"2024-01-15\",\"e\":\"\",\"x\":\"2024-02-30\"}",
                                 "{\"d\":\"not a date\",\"e\":\"a@b.io\",\"x\":\"2024-02-29\"}",
                                 "{\"d\":\"2024-01-16\",\"e\":\"\",\"x\":\"2024-03-01\"}"}
            << QStringList{u"(root): object"_s, u"d: string"_s, u"e: string email"_s, u"x: string"_s};
        QTest::addRow("not formats")
            << QList<QByteArray>{"{\"a\":\"2024-1-15\",\"b\":\"a@b\",\"c\":\"no://\",\"d\":\"25:00:00\",\"e\":\"@x.com\","
                                 "\"f\":\"2024-01-15T10:30\"}"}
            << QStringList{u"(root): object"_s, u"a: string"_s, u"b: string"_s, u"c: string"_s, u"d: string"_s,
                           u"e: string"_s, u"f: string"_s};
    }

    void shapes()
    {
        QFETCH(QList<QByteArray>, samples);
        QFETCH(QStringList, expected);
        const SchemaField root = infer(samples);
        QCOMPARE(outline(root), expected);
    }

    void details()
    {
        SchemaInference inference;
        inference.add(Value());   // ignored
        inference.add(fromJson("{\"n\":1,\"tags\":[\"a\",\"b\"],\"s\":\"x\"}"));
        inference.add(fromJson("{\"n\":2,\"tags\":[],\"s\":\"x\"}"));
        inference.add(fromJson("{\"n\":3,\"tags\":[\"c\",\"a\",\"d\",\"e\"],\"s\":\"y\"}"));
        QCOMPARE(inference.sampleCount(), 3);
        const SchemaField root = inference.result();
        QCOMPARE(root.count, 3);
        const SchemaField *tags = root.find(u"tags");
        QVERIFY(tags);
        QVERIFY(tags->isRepeated());
        QVERIFY(!tags->isNullable());
        QCOMPARE(tags->minItems, 0);
        QCOMPARE(tags->maxItems, 4);
        QCOMPARE(tags->item()->count, 6);
        QCOMPARE(dump(Value(Array(tags->item()->examples.begin(), tags->item()->examples.end()))),
                 u"[\"a\",\"b\",\"c\"]"_s);
        QCOMPARE(root.find(u"tags[]"), tags->item());
        QCOMPARE(dump(Value(Array(root.field(u"s")->examples.begin(), root.field(u"s")->examples.end()))),
                 u"[\"x\",\"y\"]"_s);
        QVERIFY(!root.find(u"nope"));
        QVERIFY(!root.find(u"n/deeper"));
    }

    void jsonSchema()
    {
        const SchemaField root = infer({"{\"id\":1,\"email\":\"a@b.io\",\"items\":[{\"sku\":\"A\",\"qty\":1},{\"sku\":\"B\"}],"
                                        "\"note\":null}",
                                        "{\"id\":2,\"email\":\"c@d.io\",\"items\":[],\"note\":\"x\"}"});
        QCOMPARE(dump(root.toJsonSchema()),
                 u"{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\",\"properties\":{"
                 "\"email\":{\"type\":\"string\",\"format\":\"email\",\"examples\":[\"a@b.io\",\"c@d.io\"]},"
                 "\"id\":{\"type\":\"integer\",\"examples\":[1,2]},"
                 "\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
                 "\"qty\":{\"type\":\"integer\",\"examples\":[1]},\"sku\":{\"type\":\"string\",\"examples\":[\"A\",\"B\"]}},"
                 "\"required\":[\"sku\"]}},"
                 "\"note\":{\"type\":[\"string\",\"null\"],\"examples\":[\"x\"]}},"
                 "\"required\":[\"email\",\"id\",\"items\",\"note\"]}"_s);
    }

    void uiTree()
    {
        const SchemaField root = infer({"{\"items\":[{\"at\":\"2024-01-15\"}]}", "{\"items\":[{\"at\":null}]}"});
        QCOMPARE(dump(root.field(u"items")->toValue()),
                 u"{\"name\":\"items\",\"path\":\"items\",\"types\":[\"array\"],\"optional\":false,\"nullable\":false,"
                 "\"repeated\":true,\"count\":2,\"itemTypes\":[\"object\"],\"minItems\":1,\"maxItems\":1,"
                 "\"items\":{\"name\":\"[]\",\"path\":\"items[]\",\"types\":[\"object\"],\"optional\":false,"
                 "\"nullable\":false,\"repeated\":false,\"count\":2,\"children\":[{\"name\":\"at\",\"path\":\"items[]/at\","
                 "\"types\":[\"string\",\"null\"],\"optional\":false,\"nullable\":true,\"repeated\":false,\"count\":2,"
                 "\"format\":\"date\",\"examples\":[\"2024-01-15\"]}]}}"_s);
    }

    void fromXml()
    {
        const QByteArray xml =
            "<Orders xmlns=\"urn:o\"><Order id=\"1\"><Date>2024-01-15</Date><Line><Sku>A</Sku></Line></Order>"
            "<Order id=\"2\"><Line><Sku>B</Sku><Qty>2</Qty></Line><Line><Sku>C</Sku></Line></Order></Orders>";
        Xml::XmlReadOptions options;
        options.arrayPaths = {u"Orders/Order/Line"_s};
        const Result<SchemaField> root = SchemaInference::fromXml(xml, options);
        QVERIFY(root);
        QCOMPARE(outline(*root), (QStringList{u"(root): object"_s, u"Orders: object"_s, u"Orders/@xmlns: string"_s,
                                              u"Orders/Order: array"_s, u"Orders/Order[]: object"_s,
                                              u"Orders/Order[]/@id: string"_s, u"Orders/Order[]/Date: string optional date"_s,
                                              u"Orders/Order[]/Line: array"_s, u"Orders/Order[]/Line[]: object"_s,
                                              u"Orders/Order[]/Line[]/Sku: string"_s,
                                              u"Orders/Order[]/Line[]/Qty: string optional"_s}));

        QBuffer device;
        device.setData(xml);
        QVERIFY(device.open(QIODevice::ReadOnly));
        const Result<SchemaField> records = SchemaInference::fromXmlRecords(&device, u"Orders/Order"_s, options, 1);
        QVERIFY(records);
        QCOMPARE(outline(*records), (QStringList{u"(root): object"_s, u"@id: string"_s, u"Date: string date"_s,
                                                 u"Line: array"_s, u"Line[]: object"_s, u"Line[]/Sku: string"_s}));

        const Result<SchemaField> bad = SchemaInference::fromXml("<!DOCTYPE x><x/>");
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, u"xml_doctype"_s);
    }

    void fromCsv()
    {
        const QByteArray csv = "id,name,amount,paid\n1,Ann,10,true\n2,,2.5,false\n";
        Csv::CsvOptions options;
        options.typed = true;
        const Result<SchemaField> root = SchemaInference::fromCsv(csv, options);
        QVERIFY(root);
        QCOMPARE(outline(*root), (QStringList{u"(root): array"_s, u"[]: object"_s, u"[]/id: integer"_s,
                                              u"[]/name: string|null"_s, u"[]/amount: number"_s, u"[]/paid: boolean"_s}));

        QBuffer device;
        device.setData(csv);
        QVERIFY(device.open(QIODevice::ReadOnly));
        const Result<SchemaField> records = SchemaInference::fromCsvRecords(&device, Csv::CsvOptions());
        QVERIFY(records);
        QCOMPARE(records->count, 2);
        QCOMPARE(outline(*records), (QStringList{u"(root): object"_s, u"id: string"_s, u"name: string"_s,
                                                 u"amount: string"_s, u"paid: string"_s}));

        const Result<SchemaField> bad = SchemaInference::fromCsv("a,b\n\"x");
        QCOMPARE(bad ? QString() : bad.error().code, u"csv_syntax"_s);
    }

    void deepValues()
    {
        Value deep = Value(1);
        for (int i = 0; i < 1000; ++i)
            deep = Value(Object{{u"d"_s, deep}});
        SchemaInference inference;
        inference.add(deep);
        const SchemaField root = inference.result();
        int depth = 0;
        for (const SchemaField *f = &root; f; f = f->field(u"d"))
            ++depth;
        QCOMPARE(depth, 257);   // the root and 256 levels below it
    }

    void manyFields()
    {
        // Wide objects go through the member index; every field must still be found once.
        SchemaInference inference;
        for (int sample = 0; sample < 3; ++sample) {
            Object object;
            for (int i = 0; i < 200; ++i) {
                if (sample == 1 && i % 2)
                    continue;
                object.append(u"f%1"_s.arg(i), Value(i));
            }
            inference.add(Value(std::move(object)));
        }
        const SchemaField root = inference.result();
        QCOMPARE(root.fields.size(), size_t(200));
        QVERIFY(!root.field(u"f0")->optional);
        QVERIFY(root.field(u"f1")->optional);
        QCOMPARE(root.field(u"f2")->count, 3);
        QCOMPARE(root.field(u"f199")->count, 2);
    }
};

QTEST_GUILESS_MAIN(tst_SchemaInference)
#include "tst_schemainference.moc"
