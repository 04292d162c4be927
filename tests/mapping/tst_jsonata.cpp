// The public face of the JSONata engine: compile and evaluation errors (code and offset),
// results, bindings, limits (depth, stack, time) and concurrent evaluation.

#include "data/json.h"
#include "mapping/jsonata.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTest>
#include <QThread>

#include <atomic>
#include <thread>

using namespace Conflux;
using namespace Conflux::Mapping;
using Data::Value;
using namespace Qt::StringLiterals;

namespace {

Value json(const char *text)
{
    Result<Value> v = Data::Json::parse(QByteArray(text));
    return v ? v.value() : Value();
}

QByteArray text(const Value &v)
{
    return v.isUndefined() ? QByteArray("undefined") : Data::Json::serialize(v);
}

const char orders[] = R"({
  "orders": [
    {"id": "A1", "customer": {"name": "Ann"}, "items": [{"sku": "x", "qty": 2, "price": 5},
                                                         {"sku": "y", "qty": 1, "price": 10}]},
    {"id": "B2", "customer": {"name": "Bob"}, "items": [{"sku": "x", "qty": 3, "price": 5}]}
  ]
})";

} // namespace

class TestJsonata : public QObject
{
    Q_OBJECT

private slots:
    void results_data();
    void results();
    void compileErrors_data();
    void compileErrors();
    void evaluationErrors_data();
    void evaluationErrors();
    void emptyExpression();
    void bindings();
    void functionBindingFromAnotherExpression();
    void clockIsFixedDuringEvaluation();
    void deepRecursionIsAnError();
    void deepRecursionBeyondTheStackIsAnError();
    void tailRecursionRunsInConstantStack();
    void deeplyNestedExpressionIsACompileError();
    void timeLimit();
    void concurrentEvaluation();
};

void TestJsonata::results_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray data(orders);
    QTest::addRow("path") << u"orders.customer.name"_s << data << QByteArray(R"(["Ann","Bob"])");
    QTest::addRow("singleton collapses") << u"orders[0].id"_s << data << QByteArray(R"("A1")");
    QTest::addRow("keep singleton array") << u"orders[0].id[]"_s << data << QByteArray(R"(["A1"])");
    QTest::addRow("negative index") << u"orders[-1].id"_s << data << QByteArray(R"("B2")");
    QTest::addRow("predicate") << u"orders[customer.name = 'Bob'].id"_s << data << QByteArray(R"("B2")");
    QTest::addRow("flattening") << u"orders.items.sku"_s << data << QByteArray(R"(["x","y","x"])");
    QTest::addRow("map and sum") << u"$sum(orders.items.(qty * price))"_s << data << QByteArray("35");
    QTest::addRow("grouping") << u"orders.items{sku: $sum(qty)}"_s << data << QByteArray(R"({"x":5,"y":1})");
    QTest::addRow("object per item") << u"orders.{'id': id, 'n': $count(items)}"_s << data
                                     << QByteArray(R"([{"id":"A1","n":2},{"id":"B2","n":1}])");
    QTest::addRow("member order kept") << u"{'z': 1, 'a': 2, 'm': 3}"_s << QByteArray()
                                       << QByteArray(R"({"z":1,"a":2,"m":3})");
    QTest::addRow("sort") << u"orders.items^(>price, sku).sku"_s << data << QByteArray(R"(["y","x","x"])");
    QTest::addRow("wildcard") << u"orders[0].customer.*"_s << data << QByteArray(R"("Ann")");
    QTest::addRow("descendants") << u"$count(**.sku)"_s << data << QByteArray("3");
    QTest::addRow("parent") << u"orders.items[qty > 2].%.id"_s << data << QByteArray(R"("B2")");
    // @ binds without moving the context: the next step starts from the same place
    QTest::addRow("focus binding") << u"orders@$o.$o.items@$i.{'o': $o.id, 's': $i.sku}"_s << data
                                   << QByteArray(R"([{"o":"A1","s":"x"},{"o":"A1","s":"y"},{"o":"B2","s":"x"}])");
    QTest::addRow("index binding") << u"orders.items#$n.($n & sku)"_s << data << QByteArray(R"(["0x","1y","0x"])");
    QTest::addRow("range") << u"[1..4]"_s << QByteArray() << QByteArray("[1,2,3,4]");
    QTest::addRow("string concat") << u"'a' & 1 & true"_s << QByteArray() << QByteArray(R"("a1true")");
    QTest::addRow("conditional") << u"1 > 2 ? 'y' : 'n'"_s << QByteArray() << QByteArray(R"("n")");
    QTest::addRow("coalescing") << u"missing ?? 'default'"_s << data << QByteArray(R"("default")");
    QTest::addRow("elvis") << u"'' ?: 'empty'"_s << QByteArray() << QByteArray(R"("empty")");
    QTest::addRow("in") << u"'x' in orders.items.sku"_s << data << QByteArray("true");
    QTest::addRow("block and variables") << u"($a := 2; $b := 3; $a * $b)"_s << QByteArray() << QByteArray("6");
    QTest::addRow("closure") << u"($add := function($x){ function($y){ $x + $y } }; $add(2)(3))"_s
                             << QByteArray() << QByteArray("5");
    QTest::addRow("lambda symbol") << u"(λ($x){ $x * 10 })(4)"_s << QByteArray() << QByteArray("40");
    QTest::addRow("signature coercion") << u"(function($a)<a<n>:n>{ $count($a) })(5)"_s << QByteArray()
                                        << QByteArray("1");
    QTest::addRow("partial application") << u"($first := $substring(?, 0, 1); $first('hello'))"_s
                                         << QByteArray() << QByteArray(R"("h")");
    QTest::addRow("chain") << u"'abc' ~> $uppercase() ~> $substring(1)"_s << QByteArray()
                           << QByteArray(R"("BC")");
    QTest::addRow("function composition") << u"($f := $uppercase ~> $length; $f('abc'))"_s << QByteArray()
                                          << QByteArray("3");
    QTest::addRow("transform") << u"$ ~> |items|{'total': qty * price}, ['price']|"_s
                               << QByteArray(R"({"items":[{"qty":2,"price":3}]})")
                               << QByteArray(R"({"items":[{"qty":2,"total":6}]})");
    QTest::addRow("regex") << u"$match('ab12cd345', /[0-9]+/).match"_s << QByteArray()
                           << QByteArray(R"(["12","345"])");
    QTest::addRow("regex call") << u"/b+/('abbbc').match"_s << QByteArray() << QByteArray(R"("bbb")");
    QTest::addRow("regex case-insensitive") << u"$contains('HELLO', /l+o/i)"_s << QByteArray()
                                            << QByteArray("true");
    QTest::addRow("backtick names") << u"`first name`"_s << QByteArray(R"({"first name":"Cy"})")
                                    << QByteArray(R"("Cy")");
    QTest::addRow("comments") << u"/* lead */ 1 + /* in between */ 2"_s << QByteArray() << QByteArray("3");
    QTest::addRow("input array is one value") << u"$count($)"_s << QByteArray("[1,2,3]") << QByteArray("3");
    QTest::addRow("root variable") << u"orders[0].($$.orders[1].id)"_s << data << QByteArray(R"("B2")");
    QTest::addRow("eval") << u"$eval('1 + x', {'x': 2})"_s << QByteArray() << QByteArray("3");
    QTest::addRow("missing is undefined") << u"nothing.here"_s << data << QByteArray("undefined");
    QTest::addRow("tail recursion") << u"($loop := function($n, $acc){ $n = 0 ? $acc : $loop($n - 1, $acc + 1) }; $loop(5000, 0))"_s
                                    << QByteArray() << QByteArray("5000");
}

void TestJsonata::results()
{
    QFETCH(QString, expression);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);

    const Result<Expression> compiled = Expression::compile(expression);
    QVERIFY2(compiled, qPrintable(compiled ? QString() : compiled.error().message));
    QCOMPARE(compiled->source(), expression);
    const Value in = input.isEmpty() ? Value() : json(input.constData());
    const Result<Value> result = compiled->evaluate(in);
    QVERIFY2(result, qPrintable(result ? QString() : result.error().code + u": "_s + result.error().message));
    QCOMPARE(text(result.value()), expected);
}

void TestJsonata::compileErrors_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("offset");

    QTest::addRow("unterminated string") << u"\"abc"_s << u"S0101"_s << 4;
    QTest::addRow("number out of range") << u"1e999"_s << u"S0102"_s << 0;
    QTest::addRow("bad escape") << u"'a\\qb'"_s << u"S0103"_s << 3;
    QTest::addRow("short unicode escape") << u"'\\u12'"_s << u"S0104"_s << 2;
    QTest::addRow("unterminated backtick") << u"`name"_s << u"S0105"_s << 5;
    QTest::addRow("unterminated comment") << u"1 /* note"_s << u"S0106"_s << 2;
    QTest::addRow("trailing token") << u"a b"_s << u"S0201"_s << 2;
    QTest::addRow("expected token") << u"[1, 2)"_s << u"S0202"_s << 5;
    QTest::addRow("unexpected end") << u"[1, 2"_s << u"S0203"_s << 5;
    QTest::addRow("unknown operator") << u"1 ! 2"_s << u"S0204"_s << 2;
    QTest::addRow("end of expression") << u"1 +"_s << u"S0207"_s << 3;
    QTest::addRow("lambda parameter") << u"function($x, 1){ $x }"_s << u"S0208"_s << 13;
    QTest::addRow("predicate after group") << u"$a{'k': 1}[0]"_s << u"S0209"_s << 10;
    QTest::addRow("two groups") << u"a{'k': b}{'l': c}"_s << u"S0210"_s << 9;
    QTest::addRow("not unary") << u")"_s << u"S0211"_s << 0;
    QTest::addRow("bind to non-variable") << u"a := 1"_s << u"S0212"_s << 0;
    QTest::addRow("literal step") << u"a.1"_s << u"S0213"_s << 2;
    QTest::addRow("focus needs variable") << u"a@b"_s << u"S0214"_s << 2;
    QTest::addRow("focus after predicate") << u"a[0]@$x"_s << u"S0215"_s << 4;
    QTest::addRow("focus after sort") << u"a^(b)@$x"_s << u"S0216"_s << 5;
    QTest::addRow("parent at top") << u"%"_s << u"S0217"_s << 0;
    QTest::addRow("empty regex") << u"$match('a', //)"_s << u"S0301"_s << 13;
    QTest::addRow("unterminated regex") << u"/abc"_s << u"S0302"_s << 4;
    QTest::addRow("type parameter") << u"function($x)<n<n>>{ $x }"_s << u"S0401"_s << 14;
    QTest::addRow("choice with parameter") << u"function($x)<(a<n>s)>{ $x }"_s << u"S0402"_s << 13;
}

void TestJsonata::compileErrors()
{
    QFETCH(QString, expression);
    QFETCH(QString, code);
    QFETCH(int, offset);

    const Result<Expression> compiled = Expression::compile(expression);
    QVERIFY(!compiled);
    QCOMPARE(compiled.error().code, code);
    QCOMPARE(compiled.error().offset, qint64(offset));
    QVERIFY(!compiled.error().message.isEmpty());
    QVERIFY(compiled.error().message != code);
}

void TestJsonata::evaluationErrors_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("offset");

    QTest::addRow("left not a number") << u"'a' * 2"_s << u"T2001"_s << 4;
    QTest::addRow("right not a number") << u"1 + 'a'"_s << u"T2002"_s << 2;
    QTest::addRow("negate a string") << u"-'a'"_s << u"D1002"_s << 0;
    QTest::addRow("compare mixed types") << u"'a' < 1"_s << u"T2009"_s << 4;
    QTest::addRow("compare objects") << u"{} < 1"_s << u"T2010"_s << 3;
    QTest::addRow("range bounds") << u"[1.5..3]"_s << u"T2003"_s << 4;
    QTest::addRow("range too large") << u"[0..10000000]"_s << u"D2014"_s << 2;
    QTest::addRow("key not a string") << u"{1: 2}"_s << u"T1003"_s << 0;
    QTest::addRow("duplicate key") << u"{'a': 1, 'a': 2}"_s << u"D1009"_s << 0;
    QTest::addRow("invoke non-function") << u"$nothing()"_s << u"T1006"_s << 8;
    QTest::addRow("forgot the dollar") << u"uppercase('a')"_s << u"T1005"_s << 9;
    QTest::addRow("signature mismatch") << u"$uppercase(1)"_s << u"T0410"_s << 10;
    QTest::addRow("array of wrong type") << u"$sum(['a'])"_s << u"T0412"_s << 4;
    QTest::addRow("apply non-function") << u"1 ~> 2"_s << u"T2006"_s << 2;
    QTest::addRow("sort mixed types") << u"[1, 'a']^($)"_s << u"T2007"_s << 8;
    QTest::addRow("transform update") << u"{'a': {}} ~> |a|5|"_s << u"T2011"_s << 16;
    QTest::addRow("error function") << u"$error('stop')"_s << u"D3137"_s << 6;
}

void TestJsonata::evaluationErrors()
{
    QFETCH(QString, expression);
    QFETCH(QString, code);
    QFETCH(int, offset);

    const Result<Expression> compiled = Expression::compile(expression);
    QVERIFY2(compiled, qPrintable(compiled ? QString() : compiled.error().message));
    const Result<Value> result = compiled->evaluate(Value());
    QVERIFY2(!result, text(result ? result.value() : Value()).constData());
    QCOMPARE(result.error().code, code);
    QCOMPARE(result.error().offset, qint64(offset));
    QVERIFY(!result.error().message.isEmpty());
}

void TestJsonata::emptyExpression()
{
    const Expression empty;
    QVERIFY(empty.isEmpty());
    QVERIFY(empty.source().isEmpty());
    const Result<Value> result = empty.evaluate(json("{\"a\":1}"));
    QVERIFY(result);
    QVERIFY(result->isUndefined());
}

void TestJsonata::bindings()
{
    const Result<Expression> compiled = Expression::compile(u"$rate * amount + $count($extra)"_s);
    QVERIFY(compiled);
    const Data::Object bindings{{u"rate"_s, Value(2)}, {u"extra"_s, json("[1,2,3]")}};
    const Result<Value> result = compiled->evaluate(json("{\"amount\": 10}"), bindings);
    QVERIFY(result);
    QCOMPARE(result->toDouble(), 23.0);

    // a binding shadows a built-in of the same name
    const Result<Expression> shadow = Expression::compile(u"$uppercase"_s);
    QVERIFY(shadow);
    const Result<Value> shadowed = shadow->evaluate(Value(), Data::Object{{u"uppercase"_s, Value(7)}});
    QVERIFY(shadowed);
    QCOMPARE(shadowed->toDouble(), 7.0);
}

void TestJsonata::functionBindingFromAnotherExpression()
{
    Value function;
    {
        const Result<Expression> maker = Expression::compile(u"function($x){ $x * $factor }"_s);
        QVERIFY(maker);
        const Result<Value> made = maker->evaluate(Value(), Data::Object{{u"factor"_s, Value(3)}});
        QVERIFY(made);
        QVERIFY(made->isFunction());
        function = made.value();
    }   // the expression that made it is gone; the function keeps what it needs
    const Result<Expression> user = Expression::compile(u"$triple(14)"_s);
    QVERIFY(user);
    const Result<Value> result = user->evaluate(Value(), Data::Object{{u"triple"_s, function}});
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    QCOMPARE(result->toDouble(), 42.0);
}

void TestJsonata::clockIsFixedDuringEvaluation()
{
    const Result<Expression> compiled =
        Expression::compile(u"[$millis(), $count([1..100000]), $millis(), $now() = $now()]"_s);
    QVERIFY(compiled);
    const Result<Value> result = compiled->evaluate(Value());
    QVERIFY(result);
    QCOMPARE(result->at(0), result->at(2));
    QCOMPARE(result->at(3).toBool(), true);
    QVERIFY(std::abs(result->at(0).toDouble() - double(QDateTime::currentMSecsSinceEpoch())) < 60000);
}

void TestJsonata::deepRecursionIsAnError()
{
    const Result<Expression> compiled =
        Expression::compile(u"($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))"_s);
    QVERIFY(compiled);
    const Result<Value> result = compiled->evaluate(Value());
    QVERIFY(!result);
    QCOMPARE(result.error().code, u"U1001"_s);
    QVERIFY(result.error().offset > 0);

    // within the limit it works, and a lower limit is honoured
    const Result<Expression> shallow =
        Expression::compile(u"($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(200))"_s);
    QVERIFY(shallow);
    QCOMPARE(shallow->evaluate(Value())->toDouble(), 200.0);
    EvaluationLimits limits;
    limits.maxDepth = 100;
    QCOMPARE(shallow->evaluate(Value(), {}, limits).error().code, u"U1001"_s);
}

void TestJsonata::deepRecursionBeyondTheStackIsAnError()
{
    // A depth limit far beyond what the stack holds: the stack guard answers, no crash,
    // also on a thread with a small stack.
    const Result<Expression> compiled =
        Expression::compile(u"($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(10000000))"_s);
    QVERIFY(compiled);
    EvaluationLimits limits;
    limits.maxDepth = 100000000;
    QString code;
    QThread *thread = QThread::create([&] { code = compiled->evaluate(Value(), {}, limits).error().code; });
    thread->setStackSize(1024 * 1024);
    thread->start();
    QVERIFY(thread->wait(60000));
    delete thread;
    QCOMPARE(code, u"U1001"_s);
}

void TestJsonata::tailRecursionRunsInConstantStack()
{
    const Result<Expression> compiled = Expression::compile(
        u"($even := function($n){ $n = 0 ? true : $odd($n - 1) };"
        " $odd := function($n){ $n = 0 ? false : $even($n - 1) };"
        " $even(100001))"_s);
    QVERIFY(compiled);
    EvaluationLimits limits;
    limits.maxDepth = 50;
    const Result<Value> result = compiled->evaluate(Value(), {}, limits);
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    QCOMPARE(result->toBool(), false);
}

void TestJsonata::deeplyNestedExpressionIsACompileError()
{
    const QString parens = QString(100000, u'(') + u'1' + QString(100000, u')');
    Result<Expression> compiled = Expression::compile(parens);
    QVERIFY(!compiled);
    QCOMPARE(compiled.error().code, u"U1001"_s);

    QStringList terms;
    for (int i = 0; i < 100000; ++i)
        terms << u"a"_s;
    compiled = Expression::compile(terms.join(u" + ") + u" ?: 1"_s);
    QVERIFY(!compiled);
    QCOMPARE(compiled.error().code, u"U1001"_s);

    const QString negations = QString(100000, u'-') + u'1';
    compiled = Expression::compile(negations);
    QVERIFY(!compiled);
    QCOMPARE(compiled.error().code, u"U1001"_s);
}

void TestJsonata::timeLimit()
{
    const Result<Expression> compiled = Expression::compile(u"($loop := function(){ $loop() }; $loop())"_s);
    QVERIFY(compiled);
    EvaluationLimits limits;
    limits.timeLimit = std::chrono::milliseconds(200);
    QElapsedTimer timer;
    timer.start();
    const Result<Value> result = compiled->evaluate(Value(), {}, limits);
    QVERIFY(!result);
    QCOMPARE(result.error().code, u"U1002"_s);
    QVERIFY(timer.elapsed() >= 200);
    QVERIFY2(timer.elapsed() < 10000, qPrintable(QString::number(timer.elapsed())));
}

void TestJsonata::concurrentEvaluation()
{
    // One compiled expression with closures, a regex, sorting, grouping and a transform,
    // evaluated from four threads at once; every result is checked.
    const Result<Expression> compiled = Expression::compile(uR"((
        $scale := function($v){ $v * $factor };
        $tags := $split(name, /[-_]/);
        {
            'name': $uppercase(name),
            'tags': $tags^($),
            'total': $sum(items.($scale(qty))),
            'bySku': items{sku: $count(qty)},
            'copy': $ ~> |items|{'seen': true}, ['qty']|
        }
    ))"_s);
    QVERIFY(compiled);

    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i) {
                const int n = t * 1000 + i;
                const Value input = json(QByteArray("{\"name\": \"b-a_" + QByteArray::number(n)
                                                    + "\", \"items\": [{\"sku\": \"s\", \"qty\": "
                                                    + QByteArray::number(n) + "}, {\"sku\": \"t\", \"qty\": 1}]}")
                                             .constData());
                const Result<Value> result =
                    compiled->evaluate(input, Data::Object{{u"factor"_s, Value(t + 1)}});
                const QByteArray expected =
                    "{\"name\":\"B-A_" + QByteArray::number(n) + "\",\"tags\":[\"" + QByteArray::number(n)
                    + "\",\"a\",\"b\"],\"total\":" + QByteArray::number((n + 1) * (t + 1))
                    + ",\"bySku\":{\"s\":1,\"t\":1},\"copy\":{\"name\":\"b-a_" + QByteArray::number(n)
                    + "\",\"items\":[{\"sku\":\"s\",\"seen\":true},{\"sku\":\"t\",\"seen\":true}]}}";
                if (!result || text(result.value()) != expected) {
                    if (failures.fetch_add(1) == 0)
                        qWarning("%s\n%s", result ? text(result.value()).constData() : "error", expected.constData());
                }
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(failures.load(), 0);
}

QTEST_GUILESS_MAIN(TestJsonata)
#include "tst_jsonata.moc"
