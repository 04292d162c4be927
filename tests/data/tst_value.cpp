#include "data/numbers.h"
#include "data/value.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QThread>

#include <limits>

using namespace Conflux::Data;
using namespace Qt::StringLiterals;

class tst_Value : public QObject
{
    Q_OBJECT

private slots:
    void typesAndAccessors();
    void copyOnWrite();
    void exactIntegers_data();
    void exactIntegers();
    void objectKeepsInsertionOrder();
    void objectIndexAfterGrowthAndRemoval();
    void equality();
    void flagsTravelWithTheHandle();
    void qjsonInterop();
    void formatsNumbersLikeJavaScript_data();
    void formatsNumbersLikeJavaScript();
    void sharedAcrossThreads();
};

void tst_Value::typesAndAccessors()
{
    QVERIFY(Value().isUndefined());
    QVERIFY(Value(nullptr).isNull());
    QCOMPARE(Value(true).toBool(), true);
    QCOMPARE(Value(2.5).toDouble(), 2.5);
    QCOMPARE(Value(u"héllo"_s).toString(), u"héllo"_s);
    QCOMPARE(sizeof(Value), size_t(16));

    const Value array(Array{Value(1), Value(u"x"_s)});
    QCOMPARE(array.size(), 2);
    QCOMPARE(array.at(1).toString(), u"x"_s);
    QVERIFY(array.at(5).isUndefined());
    QVERIFY(array[u"x"].isUndefined());

    const Value object(Object{{u"a"_s, Value(1)}, {u"b"_s, Value(false)}});
    QCOMPARE(object[u"a"].toDouble(), 1.0);
    QVERIFY(object[u"missing"].isUndefined());
    // Wrong-type accessors are neutral, never a crash.
    QCOMPARE(object.toString(), QString());
    QVERIFY(Value(3).toArray().empty());
    QCOMPARE(Value(u"s"_s).toObject().size(), 0);
    QCOMPARE(QString::fromLatin1(Value(u"s"_s).typeName()), u"string"_s);
}

void tst_Value::copyOnWrite()
{
    Value a(Array{Value(1), Value(2)});
    Value b = a;
    b.mutableArray().push_back(Value(3));
    QCOMPARE(a.size(), 2);
    QCOMPARE(b.size(), 3);

    Value o(Object{{u"k"_s, Value(u"v"_s)}});
    Value p = o;
    p.mutableObject().insert(u"k"_s, Value(u"changed"_s));
    QCOMPARE(o[u"k"].toString(), u"v"_s);
    QCOMPARE(p[u"k"].toString(), u"changed"_s);

    // A sole owner mutates in place.
    Array &items = a.mutableArray();
    items.push_back(Value(9));
    QCOMPARE(a.size(), 3);

    Value moved = std::move(b);
    QCOMPARE(moved.size(), 3);
    QVERIFY(b.isUndefined()); // NOLINT(bugprone-use-after-move): documented moved-from state
}

void tst_Value::exactIntegers_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("exact");
    QTest::addColumn<QString>("kept");
    QTest::addRow("small") << u"42"_s << false << QString();
    QTest::addRow("2^53-1 is a double") << u"9007199254740991"_s << false << QString();
    QTest::addRow("2^53 kept") << u"9007199254740992"_s << true << u"9007199254740992"_s;
    QTest::addRow("2^53+1") << u"9007199254740993"_s << true << u"9007199254740993"_s;
    QTest::addRow("twenty digits") << u"12345678901234567890"_s << true << u"12345678901234567890"_s;
    QTest::addRow("negative") << u"-98765432109876543210"_s << true << u"-98765432109876543210"_s;
    QTest::addRow("leading zeros dropped") << u"0009007199254740993"_s << true << u"9007199254740993"_s;
    QTest::addRow("fraction is a double") << u"12345678901234567890.5"_s << false << QString();
    QTest::addRow("underflow reads as zero") << u"1e-400"_s << false << QString();
}

void tst_Value::exactIntegers()
{
    QFETCH(QString, text);
    QFETCH(bool, exact);
    QFETCH(QString, kept);
    const Value v = Value::numberFromText(text);
    QVERIFY(v.isNumber());
    QCOMPARE(v.hasExactText(), exact);
    QCOMPARE(v.exactText(), kept);
    QCOMPARE(v.toDouble(), text.toDouble());
    QVERIFY(Value::numberFromText(u"1e400").isUndefined());
    const Value copy = v;
    QCOMPARE(copy.exactText(), kept);
    QVERIFY(copy == v);
    if (exact && !text.contains(u'.') && !text.startsWith(u'0')) {
        bool fits = false;
        const qint64 n = text.toLongLong(&fits);
        if (fits) {
            QCOMPARE(Value(n).exactText(), kept);
            QCOMPARE(Value(n).toInt64(), n);
        }
    }
}

void tst_Value::objectKeepsInsertionOrder()
{
    Object o;
    o.insert(u"zeta"_s, Value(1));
    o.insert(u"alpha"_s, Value(2));
    o.insert(u"mid"_s, Value(3));
    o.insert(u"zeta"_s, Value(4)); // replaced in place
    QStringList keys;
    for (const auto &[key, value] : o)
        keys.append(key);
    QCOMPARE(keys, (QStringList{u"zeta"_s, u"alpha"_s, u"mid"_s}));
    QCOMPARE(o.find(u"zeta")->toDouble(), 4.0);
}

void tst_Value::objectIndexAfterGrowthAndRemoval()
{
    Object o;
    for (int i = 0; i < 1000; ++i)
        o.append(u"key%1"_s.arg(i), Value(i));
    for (int i = 0; i < 1000; i += 97)
        QCOMPARE(o.find(u"key%1"_s.arg(i))->toDouble(), double(i));
    QVERIFY(o.remove(u"key10"));
    QVERIFY(!o.contains(u"key10"));
    QCOMPARE(o.indexOf(u"key11"), 10);
    const Object copy = o;   // the copy has its own index
    o.insert(u"key11"_s, Value(-1));
    QCOMPARE(copy.find(u"key11")->toDouble(), 11.0);
    QCOMPARE(o.find(u"key11")->toDouble(), -1.0);
    QVERIFY(!o.contains(u"nope"));
}

void tst_Value::equality()
{
    const Value a(Object{{u"x"_s, Value(1)}, {u"y"_s, Value(Array{Value(u"s"_s)})}});
    const Value b(Object{{u"y"_s, Value(Array{Value(u"s"_s)})}, {u"x"_s, Value(1.0)}});
    QVERIFY(a == b);   // member order does not matter
    QVERIFY(a != Value(Object{{u"x"_s, Value(1)}}));
    QVERIFY(Value(1) != Value(u"1"_s));
    QVERIFY(Value() == Value());
    QVERIFY(Value() != Value(nullptr));
    QVERIFY(Value(qint64(1) << 60) == Value(double(qint64(1) << 60)));
}

void tst_Value::flagsTravelWithTheHandle()
{
    Value seq(Array{Value(1)});
    seq.addFlag(Value::Sequence);
    const Value copy = seq;
    QVERIFY(copy.hasFlag(Value::Sequence));
    Value other(copy.toArray());
    QVERIFY(!other.hasFlag(Value::Sequence));
    QVERIFY(other == seq);
}

void tst_Value::qjsonInterop()
{
    const QByteArray text = R"({"n":1,"f":2.5,"s":"x","a":[true,null],"o":{"k":"v"}})";
    const QJsonValue json = QJsonDocument::fromJson(text).object();
    const Value v = Value::fromQJson(json);
    QCOMPARE(v[u"n"].toDouble(), 1.0);
    QCOMPARE(v[u"a"].at(0).toBool(), true);
    QVERIFY(v[u"a"].at(1).isNull());
    QCOMPARE(v.toQJson(), json);
}

void tst_Value::formatsNumbersLikeJavaScript_data()
{
    QTest::addColumn<double>("number");
    QTest::addColumn<QString>("text");
    QTest::addRow("zero") << 0.0 << u"0"_s;
    QTest::addRow("negative zero") << -0.0 << u"0"_s;
    QTest::addRow("integer") << 42.0 << u"42"_s;
    QTest::addRow("fraction") << 0.1 << u"0.1"_s;
    QTest::addRow("float sum") << (0.1 + 0.2) << u"0.30000000000000004"_s;
    QTest::addRow("1e21") << 1e21 << u"1e+21"_s;
    QTest::addRow("below 1e21") << 123456789012345680000.0 << u"123456789012345680000"_s;
    QTest::addRow("1e-7") << 1e-7 << u"1e-7"_s;
    QTest::addRow("1.5e-7") << 1.5e-7 << u"1.5e-7"_s;
    QTest::addRow("0.000001") << 0.000001 << u"0.000001"_s;
    QTest::addRow("smallest") << 5e-324 << u"5e-324"_s;
    QTest::addRow("largest") << std::numeric_limits<double>::max() << u"1.7976931348623157e+308"_s;
    QTest::addRow("negative") << -2.5 << u"-2.5"_s;
    QTest::addRow("infinity") << std::numeric_limits<double>::infinity() << u"Infinity"_s;
}

void tst_Value::formatsNumbersLikeJavaScript()
{
    QFETCH(double, number);
    QFETCH(QString, text);
    QCOMPARE(formatNumberString(number), text);
}

void tst_Value::sharedAcrossThreads()
{
    // Copies of one shared payload are made and dropped on several threads at once; the
    // reference count must come out exact (the payload is freed once, not leaked or twice).
    Array items;
    for (int i = 0; i < 100; ++i)
        items.push_back(Value(Object{{u"i"_s, Value(i)}, {u"s"_s, Value(u"text"_s)}}));
    const Value shared(std::move(items));
    std::vector<std::unique_ptr<QThread>> threads;
    std::atomic<int> sum{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back(QThread::create([&shared, &sum] {
            int local = 0;
            for (int round = 0; round < 2000; ++round) {
                Value copy = shared;
                local += int(copy.at(round % 100)[u"i"].toDouble());
            }
            sum += local;
        }));
        threads.back()->start();
    }
    for (auto &thread : threads)
        thread->wait();
    QCOMPARE(sum.load(), 4 * 20 * 99 * 100 / 2);
    QCOMPARE(shared.size(), 100);
}

QTEST_GUILESS_MAIN(tst_Value)
#include "tst_value.moc"
