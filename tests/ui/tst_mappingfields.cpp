// MappingFields::entitySchema(): a discovered entity's field tree (Data::SchemaField) as the
// JSON Schema of one record that the mapping designer writes into source.schema or
// target.schema, and the field tree the designer reads back from it.

#include "connectors/connector.h"
#include "mappingfields.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

Q_DECLARE_METATYPE(Conflux::Connectors::Entity)

using namespace Qt::StringLiterals;
using namespace Conflux;
using Data::SchemaField;
using Data::SchemaType;
using Data::SchemaTypes;

namespace {

// JSON written with single quotes, so that test data needs no escaping.
QJsonObject json(QByteArray text)
{
    text.replace('\'', '"');
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", qPrintable(error.errorString()));
    return document.object();
}

QByteArray text(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

SchemaField field(const QString &name, SchemaTypes types, Data::StringFormat format = Data::StringFormat::None)
{
    SchemaField f;
    f.name = name;
    f.path = name;
    f.types = types;
    f.format = format;
    return f;
}

// An SQL table as the SQL connector describes it: every column present in every row,
// nullable ones with "null" among their types.
Connectors::Entity ordersTable()
{
    Connectors::Entity entity;
    entity.name = u"orders"_s;
    entity.description = u"Orders placed in the shop"_s;
    entity.schema.types = SchemaType::Object;
    entity.schema.fields.push_back(field(u"id"_s, SchemaType::Integer));
    SchemaField customer = field(u"customer"_s, SchemaType::String);
    customer.examples = {Data::Value(u"Globex"_s), Data::Value(u"Initech"_s)};
    entity.schema.fields.push_back(customer);
    entity.schema.fields.push_back(field(u"total"_s, SchemaType::Number | SchemaType::Null));
    entity.schema.fields.push_back(field(u"express"_s, SchemaType::Boolean | SchemaType::Null));
    entity.schema.fields.push_back(field(u"placed_at"_s, SchemaType::String, Data::StringFormat::DateTime));
    entity.schema.fields.push_back(field(u"email"_s, SchemaType::String | SchemaType::Null, Data::StringFormat::Email));
    entity.keyFields = {u"id"_s};
    return entity;
}

// A REST resource's record: a nested object with an optional member, an array of objects
// and an array of strings.
Connectors::Entity nestedResource()
{
    SchemaField customer = field(u"customer"_s, SchemaType::Object);
    customer.fields.push_back(field(u"name"_s, SchemaType::String));
    SchemaField email = field(u"email"_s, SchemaType::String, Data::StringFormat::Email);
    email.optional = true;
    customer.fields.push_back(email);

    SchemaField line = field(u"[]"_s, SchemaType::Object);
    SchemaField sku = field(u"sku"_s, SchemaType::String);
    sku.examples = {Data::Value(u"A-1"_s)};   // seen in live data: not for the project
    line.fields.push_back(sku);
    line.fields.push_back(field(u"qty"_s, SchemaType::Integer));
    SchemaField lines = field(u"lines"_s, SchemaType::Array);
    lines.items.push_back(line);

    SchemaField tags = field(u"tags"_s, SchemaType::Array | SchemaType::Null);
    tags.optional = true;
    tags.items.push_back(field(u"[]"_s, SchemaType::String));

    Connectors::Entity entity;
    entity.name = u"orders"_s;
    entity.schema.types = SchemaType::Object;
    entity.schema.fields = {customer, lines, tags};
    entity.keyFields = {u"region"_s, u"number"_s};
    return entity;
}

} // namespace

class TestMappingFields : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void entitySchema_data();
    void entitySchema();
    void designerReadsItBack();
};

void TestMappingFields::entitySchema_data()
{
    QTest::addColumn<Connectors::Entity>("entity");
    QTest::addColumn<QJsonObject>("expected");

    QTest::addRow("sql table") << ordersTable() << json(
        "{'$schema':'http://json-schema.org/draft-07/schema#','title':'orders',"
        "'description':'Orders placed in the shop','x-key':['id'],'type':'object',"
        "'properties':{'id':{'type':'integer'},'customer':{'type':'string'},"
        "'total':{'type':['number','null']},'express':{'type':['boolean','null']},"
        "'placed_at':{'type':'string','format':'date-time'},"
        "'email':{'type':['string','null'],'format':'email'}},"
        "'required':['id','customer','total','express','placed_at','email']}");

    QTest::addRow("nested objects and arrays") << nestedResource() << json(
        "{'$schema':'http://json-schema.org/draft-07/schema#','title':'orders','x-key':['region','number'],"
        "'type':'object','properties':{"
        "'customer':{'type':'object','properties':{'name':{'type':'string'},"
        "'email':{'type':'string','format':'email'}},'required':['name']},"
        "'lines':{'type':'array','items':{'type':'object','properties':{'sku':{'type':'string'},"
        "'qty':{'type':'integer'}},'required':['sku','qty']}},"
        "'tags':{'type':['array','null'],'items':{'type':'string'}}},"
        "'required':['customer','lines']}");

    // A connector that leaves the root's type unset still describes an object.
    Connectors::Entity untyped;
    untyped.name = u"contacts"_s;
    untyped.schema.fields.push_back(field(u"code"_s, SchemaType::String));
    QTest::addRow("root without a type") << untyped << json(
        "{'$schema':'http://json-schema.org/draft-07/schema#','title':'contacts','type':'object',"
        "'properties':{'code':{'type':'string'}},'required':['code']}");

    // Records described as the array of them (a file of records): the item is the record.
    Connectors::Entity array;
    array.name = u"customers.csv"_s;
    array.schema.types = SchemaType::Array;
    SchemaField record = field(u"[]"_s, SchemaType::Object);
    record.fields.push_back(field(u"name"_s, SchemaType::String));
    SchemaField born = field(u"born"_s, SchemaType::String | SchemaType::Null, Data::StringFormat::Date);
    born.optional = true;
    record.fields.push_back(born);
    array.schema.items.push_back(record);
    QTest::addRow("array of records") << array << json(
        "{'$schema':'http://json-schema.org/draft-07/schema#','title':'customers.csv','type':'object',"
        "'properties':{'name':{'type':'string'},'born':{'type':['string','null'],'format':'date'}},"
        "'required':['name']}");

    // A format JSON Schema lacks is left out rather than written as an unknown one.
    Connectors::Entity local;
    local.name = u"events"_s;
    local.schema.types = SchemaType::Object;
    local.schema.fields.push_back(field(u"at"_s, SchemaType::String, Data::StringFormat::LocalDateTime));
    QTest::addRow("local date-time") << local << json(
        "{'$schema':'http://json-schema.org/draft-07/schema#','title':'events','type':'object',"
        "'properties':{'at':{'type':'string'}},'required':['at']}");

    Connectors::Entity empty;
    empty.name = u"nothing"_s;
    QTest::addRow("no fields") << empty << json(
        "{'$schema':'http://json-schema.org/draft-07/schema#','title':'nothing','type':'object','properties':{}}");
}

void TestMappingFields::entitySchema()
{
    QFETCH(Connectors::Entity, entity);
    QFETCH(QJsonObject, expected);
    const QJsonObject schema = Ui::MappingFields::entitySchema(entity);
    QVERIFY2(schema == expected, text(schema).constData());
}

void TestMappingFields::designerReadsItBack()
{
    using Ui::MappingFields::find;
    const Ui::MappingFields::Fields table = Ui::MappingFields::fromJsonSchema(Ui::MappingFields::entitySchema(ordersTable()));
    QCOMPARE(table.size(), size_t(6));
    QCOMPARE(find(table, u"id"_s)->type, u"integer"_s);
    QVERIFY(find(table, u"id"_s)->required);
    QCOMPARE(find(table, u"total"_s)->type, u"number | null"_s);
    QCOMPARE(find(table, u"placed_at"_s)->format, u"date-time"_s);
    QCOMPARE(find(table, u"email"_s)->type, u"string | null"_s);
    QCOMPARE(find(table, u"email"_s)->format, u"email"_s);

    const Ui::MappingFields::Fields nested =
        Ui::MappingFields::fromJsonSchema(Ui::MappingFields::entitySchema(nestedResource()));
    QCOMPARE(Ui::MappingFields::allPaths(nested),
             (QStringList{u"customer"_s, u"customer.email"_s, u"customer.name"_s, u"lines"_s, u"lines.qty"_s,
                          u"lines.sku"_s, u"tags"_s}));
    QCOMPARE(find(nested, u"customer"_s)->type, u"object"_s);
    QVERIFY(find(nested, u"customer.name"_s)->required);
    QVERIFY(!find(nested, u"customer.email"_s)->required);
    QCOMPARE(find(nested, u"lines"_s)->type, u"array"_s);
    QCOMPARE(find(nested, u"lines.qty"_s)->type, u"integer"_s);
    QCOMPARE(find(nested, u"tags"_s)->type, u"array | null"_s);
    QVERIFY(!find(nested, u"tags"_s)->required);
}

QTEST_GUILESS_MAIN(TestMappingFields)
#include "tst_mappingfields.moc"
