#include "data/json.h"
#include "mapping/mappingdocument.h"

#include <QTest>
#include <QThread>

using namespace Conflux;
using namespace Conflux::Data;
using namespace Conflux::Mapping;
using namespace Qt::StringLiterals;

namespace {

Value json(const char *text)
{
    Result<Value> v = Json::parse(QByteArrayView(text, qsizetype(strlen(text))));
    if (!v)
        qFatal("bad test JSON: %s", qPrintable(v.error().message));
    return *v;
}

QByteArray text(const Value &v)
{
    return Json::serialize(v);
}

Result<Value> countries(const QString &name)
{
    if (name != u"countries")
        return makeError("mapping_table", u"no table %1"_s.arg(name));
    return json(R"([{"code":"DE","name":"Germany"},{"code":"FR","name":"France"},
                    {"code":"DE","name":"shadowed"},{"code":49,"name":"numeric key"}])");
}

QStringList reasons(const MappedRecord &record)
{
    QStringList out;
    for (const FieldViolation &v : record.violations)
        out.append(v.field + u'/' + v.rule + u": "_s + v.message);
    return out;
}

} // namespace

class tst_MappingDocument : public QObject
{
    Q_OBJECT

private slots:
    void ruleForms_data();
    void ruleForms();
    void ruleFormErrors_data();
    void ruleFormErrors();
    void mapsEveryRuleForm();
    void nestedTargetsAndDefaults();
    void validationChecks_data();
    void validationChecks();
    void evaluationErrorIsAViolationNotAFailure();
    void compileErrorsNameTheRule();
    void recordPath();
    void missingTableIsAnError();
    void sharedAcrossThreads();
    void arithmeticAndCondition();
    void conditionTestErrorNamesTheTest();
};

void tst_MappingDocument::ruleForms_data()
{
    QTest::addColumn<QByteArray>("rule");
    QTest::addColumn<QString>("expression");
    QTest::addRow("field_mapping") << QByteArray(R"({"type":"field_mapping","source":"customer.email"})")
                                   << u"customer.email"_s;
    QTest::addRow("field_mapping quoted") << QByteArray(R"({"type":"field_mapping","source":"order-id.x y"})")
                                          << u"`order-id`.`x y`"_s;
    QTest::addRow("uppercase") << QByteArray(R"({"type":"uppercase","source":"a.b"})") << u"$uppercase(a.b)"_s;
    QTest::addRow("lowercase") << QByteArray(R"({"type":"lowercase","source":"a"})") << u"$lowercase(a)"_s;
    QTest::addRow("date_format iso") << QByteArray(R"({"type":"date_format","source":"created","to":"[D01]/[M01]/[Y0001]"})")
                                     << u"$fromMillis($toMillis(created), \"[D01]/[M01]/[Y0001]\")"_s;
    QTest::addRow("date_format from") << QByteArray(R"({"type":"date_format","source":"d","from":"[D01].[M01].[Y0001]","to":"[Y0001]-[M01]-[D01]"})")
                                      << u"$fromMillis($toMillis(d, \"[D01].[M01].[Y0001]\"), \"[Y0001]-[M01]-[D01]\")"_s;
    QTest::addRow("concatenate") << QByteArray(R"({"type":"concatenate","fields":["c.first","c.last"],"separator":" "})")
                                 << u"$join([c.first, c.last].$string(), \" \")"_s;
    QTest::addRow("default_value string") << QByteArray(R"({"type":"default_value","value":"NEW"})") << u"\"NEW\""_s;
    QTest::addRow("default_value object") << QByteArray(R"({"type":"default_value","value":{"a":[1,true,null]}})")
                                          << u"{\"a\":[1,true,null]}"_s;
    QTest::addRow("lookup") << QByteArray(R"({"type":"lookup","source":"country","table":"countries","key":"code","column":"name"})")
                            << u"$lookup($tables.countries.code, $string(country)).name"_s;
    QTest::addRow("arithmetic fields") << QByteArray(R"({"type":"arithmetic","left":"item.qty","operator":"*","right":"item.unit-price"})")
                                       << u"item.qty * item.`unit-price`"_s;
    QTest::addRow("arithmetic number") << QByteArray(R"({"type":"arithmetic","left":"total","operator":"%","right":-2.5})")
                                       << u"total % -2.5"_s;
    QTest::addRow("arithmetic numbers") << QByteArray(R"({"type":"arithmetic","left":1,"operator":"/","right":4})")
                                        << u"1 / 4"_s;
    QTest::addRow("condition") << QByteArray(R"({"type":"condition","test":"total > 100","then":{"value":"VIP"},"else":{"field":"customer.tier"}})")
                               << u"(total > 100) ? \"VIP\" : customer.tier"_s;
    QTest::addRow("condition no else") << QByteArray(R"({"type":"condition","test":"a or b","then":{"value":{"x":[1]}}})")
                                       << u"(a or b) ? {\"x\":[1]}"_s;
    QTest::addRow("expression") << QByteArray(R"j({"type":"expression","expression":"$sum(items.price)"})j")
                                << u"$sum(items.price)"_s;
}

void tst_MappingDocument::ruleForms()
{
    QFETCH(QByteArray, rule);
    QFETCH(QString, expression);
    const Result<QString> compiled = ruleExpression(json(rule.constData()));
    QVERIFY2(compiled, qPrintable(compiled.isOk() ? QString() : compiled.error().message));
    QCOMPARE(*compiled, expression);
    // Every form is valid JSONata.
    QVERIFY(Conflux::Mapping::Expression::compile(*compiled));
}

void tst_MappingDocument::ruleFormErrors_data()
{
    QTest::addColumn<QByteArray>("rule");
    QTest::addColumn<QString>("message");
    QTest::addRow("unknown type") << QByteArray(R"({"type":"explode","source":"a"})") << u"unknown rule type \"explode\""_s;
    QTest::addRow("no source") << QByteArray(R"({"type":"uppercase"})") << u"\"source\" is missing"_s;
    QTest::addRow("backtick") << QByteArray(R"({"type":"field_mapping","source":"a`b"})") << u"not a field path"_s;
    QTest::addRow("empty segment") << QByteArray(R"({"type":"field_mapping","source":"a..b"})") << u"not a field path"_s;
    QTest::addRow("no picture") << QByteArray(R"({"type":"date_format","source":"a"})") << u"\"to\""_s;
    QTest::addRow("arithmetic no operator") << QByteArray(R"({"type":"arithmetic","left":"a","right":1})")
                                            << u"\"operator\" must be one of"_s;
    QTest::addRow("arithmetic bad operator") << QByteArray(R"({"type":"arithmetic","left":"a","operator":"^","right":1})")
                                             << u"is \"^\""_s;
    QTest::addRow("arithmetic no right") << QByteArray(R"({"type":"arithmetic","left":"a","operator":"+"})")
                                         << u"\"right\" is missing"_s;
    QTest::addRow("arithmetic bool operand") << QByteArray(R"({"type":"arithmetic","left":true,"operator":"+","right":1})")
                                             << u"\"left\" is missing"_s;
    QTest::addRow("arithmetic bad path") << QByteArray(R"({"type":"arithmetic","left":"a..b","operator":"+","right":1})")
                                         << u"not a field path"_s;
    QTest::addRow("condition no test") << QByteArray(R"({"type":"condition","then":{"value":1}})")
                                       << u"\"test\" is missing"_s;
    QTest::addRow("condition no then") << QByteArray(R"({"type":"condition","test":"a"})")
                                       << u"\"then\" needs a \"field\" or a \"value\""_s;
    QTest::addRow("condition empty else") << QByteArray(R"({"type":"condition","test":"a","then":{"value":1},"else":{}})")
                                          << u"\"else\" needs"_s;
}

void tst_MappingDocument::ruleFormErrors()
{
    QFETCH(QByteArray, rule);
    QFETCH(QString, message);
    const Result<QString> compiled = ruleExpression(json(rule.constData()));
    QVERIFY(!compiled);
    QCOMPARE(compiled.error().code, u"mapping_rule_invalid"_s);
    QVERIFY2(compiled.error().message.contains(message), qPrintable(compiled.error().message));
}

void tst_MappingDocument::mapsEveryRuleForm()
{
    const Value document = json(R"j({"kind":"Mapping","schemaVersion":2,"id":"m","name":"m","rules":[
        {"target":"orderId","type":"field_mapping","source":"order_id"},
        {"target":"email","type":"uppercase","source":"customer.email"},
        {"target":"login","type":"lowercase","source":"customer.login"},
        {"target":"name","type":"concatenate","fields":["customer.first","customer.last"],"separator":" "},
        {"target":"created","type":"date_format","source":"created","to":"[D01]/[M01]/[Y0001]"},
        {"target":"shipped","type":"date_format","source":"shipped","from":"[D01].[M01].[Y0001]","to":"[Y0001]-[M01]-[D01]"},
        {"target":"status","type":"default_value","value":"NEW"},
        {"target":"country","type":"lookup","source":"customer.country","table":"countries","key":"code","column":"name","default":"?"},
        {"target":"prefix","type":"lookup","source":"customer.prefix","table":"countries","key":"code","column":"name"},
        {"target":"total","type":"expression","expression":"$sum(items.(qty*price))"}]})j");
    Result<CompiledMapping> mapping = CompiledMapping::compile(document, countries);
    QVERIFY2(mapping, qPrintable(mapping.isOk() ? QString() : mapping.error().message));
    QCOMPARE(mapping->ruleCount(), 10);

    const MappedRecord first = mapping->map(json(R"({"order_id":"ORD-1","created":"2024-01-15",
        "shipped":"03.02.2024","customer":{"first":"Ann","last":"Lee","email":"ann@x.com","login":"ANN",
        "country":"DE","prefix":49},"items":[{"qty":2,"price":9.5},{"qty":1,"price":1}]})"));
    QVERIFY2(first.isValid(), qPrintable(reasons(first).join(u"; "_s)));
    QCOMPARE(text(first.output),
             QByteArray(R"({"orderId":"ORD-1","email":"ANN@X.COM","login":"ann","name":"Ann Lee",)"
                        R"("created":"15/01/2024","shipped":"2024-02-03","status":"NEW",)"
                        R"("country":"Germany","prefix":"numeric key","total":20})"));

    // Missing source fields set nothing (or the rule's default); the rest still maps.
    const MappedRecord sparse = mapping->map(json(R"({"order_id":"ORD-2","customer":{"first":"Bo","country":"XX"}})"));
    QCOMPARE(text(sparse.output),
             QByteArray(R"({"orderId":"ORD-2","name":"Bo","status":"NEW","country":"?"})"));
}

void tst_MappingDocument::nestedTargetsAndDefaults()
{
    const Value document = json(R"({"rules":[
        {"target":"header.id","type":"field_mapping","source":"id"},
        {"target":"header.kind","type":"default_value","value":"TA"},
        {"target":"partner.role","type":"field_mapping","source":"role","default":"AG"},
        {"target":"lines","type":"expression","expression":"items.{'sku': sku}"}]})");
    Result<CompiledMapping> mapping = CompiledMapping::compile(document);
    QVERIFY(mapping);
    const MappedRecord r = mapping->map(json(R"({"id":7,"items":[{"sku":"A"}]})"));
    // A single result stays as JSONata gives it: one object, not an array of one.
    QCOMPARE(text(r.output),
             QByteArray(R"({"header":{"id":7,"kind":"TA"},"partner":{"role":"AG"},"lines":{"sku":"A"}})"));
}

void tst_MappingDocument::validationChecks_data()
{
    QTest::addColumn<QByteArray>("check");
    QTest::addColumn<QByteArray>("record");
    QTest::addColumn<QString>("violation");   // empty: valid
    QTest::addRow("required present") << QByteArray(R"({"field":"a","rule":"required"})") << QByteArray(R"({"a":0})") << QString();
    QTest::addRow("required missing") << QByteArray(R"({"field":"a","rule":"required"})") << QByteArray(R"({})") << u"a/required: is required"_s;
    QTest::addRow("required null") << QByteArray(R"({"field":"a","rule":"required"})") << QByteArray(R"({"a":null})") << u"a/required: is required"_s;
    QTest::addRow("type ok") << QByteArray(R"({"field":"a","rule":"type","type":"integer"})") << QByteArray(R"({"a":3})") << QString();
    QTest::addRow("type bad") << QByteArray(R"({"field":"a","rule":"type","type":"integer"})") << QByteArray(R"({"a":3.5})")
                              << u"a/type: must be of type integer, is 3.5"_s;
    QTest::addRow("type absent is not checked") << QByteArray(R"({"field":"a","rule":"type","type":"string"})") << QByteArray(R"({})") << QString();
    QTest::addRow("pattern ok") << QByteArray(R"({"field":"a","rule":"pattern","pattern":"^[A-Z]+$"})") << QByteArray(R"({"a":"AB"})") << QString();
    QTest::addRow("pattern bad") << QByteArray(R"({"field":"a","rule":"pattern","pattern":"^[A-Z]+$"})") << QByteArray(R"({"a":"ab"})")
                                 << u"a/pattern: \"ab\" does not match ^[A-Z]+$"_s;
    QTest::addRow("range number") << QByteArray(R"({"field":"a","rule":"range","min":0,"max":10})") << QByteArray(R"({"a":11})")
                                  << u"a/range: 11 is above the maximum 10"_s;
    QTest::addRow("range string length") << QByteArray(R"({"field":"a","rule":"range","min":3})") << QByteArray(R"({"a":"ab"})")
                                         << u"a/range: \"ab\" is below the minimum 3 characters"_s;
    QTest::addRow("enum ok") << QByteArray(R"({"field":"a","rule":"enum","values":["X",1]})") << QByteArray(R"({"a":1})") << QString();
    QTest::addRow("enum bad") << QByteArray(R"({"field":"a","rule":"enum","values":["X",1]})") << QByteArray(R"({"a":"Y"})")
                              << u"a/enum: \"Y\" is not one of the allowed values"_s;
    QTest::addRow("custom message") << QByteArray(R"({"field":"a","rule":"range","min":0,"message":"no negative totals"})")
                                    << QByteArray(R"({"a":-1})") << u"a/range: no negative totals"_s;
    QTest::addRow("expression") << QByteArray(R"({"rule":"expression","expression":"a < b"})") << QByteArray(R"({"a":2,"b":1})")
                                << u"/expression: the check is not true"_s;
    QTest::addRow("nested field") << QByteArray(R"({"field":"h.id","rule":"required"})") << QByteArray(R"({"h":{}})")
                                  << u"h.id/required: is required"_s;
}

void tst_MappingDocument::validationChecks()
{
    QFETCH(QByteArray, check);
    QFETCH(QByteArray, record);
    QFETCH(QString, violation);
    // One rule per input member copies it to the output, where the check runs.
    const Value input = json(record.constData());
    QByteArray rules;
    for (const auto &[key, value] : input.toObject()) {
        if (!rules.isEmpty())
            rules += ',';
        rules += R"({"target":")" + key.toUtf8() + R"(","type":"field_mapping","source":")" + key.toUtf8() + R"("})";
    }
    if (rules.isEmpty())
        rules = R"({"target":"none","type":"field_mapping","source":"nothing"})";
    const QByteArray document = R"({"rules":[)" + rules + R"(],"validation":[)" + check + "]}";
    Result<CompiledMapping> direct = CompiledMapping::compile(json(document.constData()));
    QVERIFY2(direct, qPrintable(direct.isOk() ? QString() : direct.error().message));
    const MappedRecord r = direct->map(input);
    QCOMPARE(reasons(r).join(u"; "_s), violation);
}

void tst_MappingDocument::evaluationErrorIsAViolationNotAFailure()
{
    Result<CompiledMapping> mapping = CompiledMapping::compile(json(R"({"rules":[
        {"target":"a","type":"expression","expression":"x + 1"},
        {"target":"b","type":"field_mapping","source":"y"}]})"));
    QVERIFY(mapping);
    const MappedRecord r = mapping->map(json(R"({"x":"text","y":2})"));
    QCOMPARE(r.violations.size(), size_t(1));
    QCOMPARE(r.violations[0].field, u"a"_s);
    QCOMPARE(r.violations[0].rule, u"evaluation"_s);
    QVERIFY2(r.violations[0].message.startsWith(u"T2001 at position"_s), qPrintable(r.violations[0].message));
    QCOMPARE(text(r.output), QByteArray(R"({"b":2})"));
}

void tst_MappingDocument::compileErrorsNameTheRule()
{
    Result<CompiledMapping> mapping = CompiledMapping::compile(json(R"({"rules":[
        {"target":"a","type":"field_mapping","source":"x"},
        {"target":"b","type":"expression","expression":"1 +"}]})"));
    QVERIFY(!mapping);
    QVERIFY2(mapping.error().message.startsWith(u"/rules/1/expression: "_s), qPrintable(mapping.error().message));
    QVERIFY(mapping.error().code.startsWith(u'S'));
    QVERIFY(mapping.error().offset >= 0);
}

void tst_MappingDocument::recordPath()
{
    Result<CompiledMapping> mapping = CompiledMapping::compile(json(R"({"source":{"record_path":"orders"},
        "rules":[{"target":"id","type":"field_mapping","source":"id"}]})"));
    QVERIFY(mapping);
    Result<Array> records = mapping->records(json(R"({"orders":[{"id":1},{"id":2}]})"));
    QVERIFY(records);
    QCOMPARE(records->size(), size_t(2));
    records = mapping->records(json(R"({"orders":{"id":1}})"));
    QCOMPARE(records->size(), size_t(1));
    records = mapping->records(json(R"({"other":1})"));
    QCOMPARE(records->size(), size_t(0));
}

void tst_MappingDocument::missingTableIsAnError()
{
    const Value document = json(R"({"rules":[{"target":"c","type":"lookup","source":"c","table":"nations","key":"k","column":"v"}]})");
    Result<CompiledMapping> mapping = CompiledMapping::compile(document, countries);
    QVERIFY(!mapping);
    QCOMPARE(mapping.error().code, u"mapping_table"_s);
    QVERIFY2(mapping.error().message.startsWith(u"/rules/0/table: "_s), qPrintable(mapping.error().message));
    QVERIFY(!CompiledMapping::compile(document));
}

void tst_MappingDocument::sharedAcrossThreads()
{
    Result<CompiledMapping> mapping = CompiledMapping::compile(json(R"j({"rules":[
        {"target":"n","type":"expression","expression":"$string(i * 2)"},
        {"target":"c","type":"lookup","source":"code","table":"countries","key":"code","column":"name"}]})j"), countries);
    QVERIFY(mapping);
    std::atomic<int> wrong{0};
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back(QThread::create([&, t] {
            for (int i = 0; i < 2000; ++i) {
                Object record{{u"i"_s, Value(i + t)}, {u"code"_s, Value(i % 2 ? u"DE"_s : u"FR"_s)}};
                const MappedRecord r = mapping->map(Value(std::move(record)));
                if (r.output[u"n"].toString() != QString::number((i + t) * 2)
                    || r.output[u"c"].toString() != (i % 2 ? u"Germany"_s : u"France"_s))
                    ++wrong;
            }
        }));
        threads.back()->start();
    }
    for (auto &thread : threads)
        thread->wait();
    QCOMPARE(wrong.load(), 0);
}

QTEST_GUILESS_MAIN(tst_MappingDocument)
#include "tst_mappingdocument.moc"

void tst_MappingDocument::arithmeticAndCondition()
{
    const Value document = json(R"({"rules":[
        {"target":"net","type":"arithmetic","left":"price","operator":"*","right":"qty"},
        {"target":"gross","type":"arithmetic","left":"price","operator":"*","right":1.5},
        {"target":"rest","type":"arithmetic","left":"qty","operator":"%","right":3},
        {"target":"half","type":"arithmetic","left":"qty","operator":"/","right":2},
        {"target":"less","type":"arithmetic","left":"qty","operator":"-","right":"price"},
        {"target":"tier","type":"condition","test":"price * qty > 100","then":{"value":"VIP"},"else":{"field":"customer.tier"}},
        {"target":"flag","type":"condition","test":"qty > 4","then":{"value":true}}]})");
    Result<CompiledMapping> mapping = CompiledMapping::compile(document);
    QVERIFY2(mapping, qPrintable(mapping.isOk() ? QString() : mapping.error().message));

    const MappedRecord big = mapping->map(json(R"({"price":50,"qty":5,"customer":{"tier":"basic"}})"));
    QVERIFY2(big.isValid(), qPrintable(reasons(big).join(u"; "_s)));
    QCOMPARE(text(big.output),
             QByteArray(R"({"net":250,"gross":75,"rest":2,"half":2.5,"less":-45,"tier":"VIP","flag":true})"));

    // The else branch reads a field; a false test without else sets nothing.
    const MappedRecord small = mapping->map(json(R"({"price":10,"qty":1,"customer":{"tier":"basic"}})"));
    QCOMPARE(text(small.output),
             QByteArray(R"({"net":10,"gross":15,"rest":1,"half":0.5,"less":-9,"tier":"basic"})"));

    // A string operand is an evaluation error of that field only (T2001), not a failure.
    const MappedRecord bad = mapping->map(json(R"({"price":"ten","qty":1})"));
    QStringList failed;
    for (const FieldViolation &v : bad.violations)
        failed.append(v.field + u'/' + v.rule);
    QCOMPARE(failed, QStringList({u"net/evaluation"_s, u"gross/evaluation"_s, u"less/evaluation"_s,
                                  u"tier/evaluation"_s}));
    QCOMPARE(text(bad.output), QByteArray(R"({"rest":1,"half":0.5})"));
}

void tst_MappingDocument::conditionTestErrorNamesTheTest()
{
    const Result<CompiledMapping> mapping = CompiledMapping::compile(json(R"({"rules":[
        {"target":"a","type":"field_mapping","source":"a"},
        {"target":"tier","type":"condition","test":"total >","then":{"value":"VIP"}}]})"));
    QVERIFY(!mapping);
    QVERIFY2(mapping.error().message.startsWith(u"/rules/1/test: "_s), qPrintable(mapping.error().message));
    QVERIFY2(mapping.error().message.contains(u"`total >`"_s), qPrintable(mapping.error().message));
    QCOMPARE(mapping.error().details.value(0), u"/rules/1/test"_s);
}
