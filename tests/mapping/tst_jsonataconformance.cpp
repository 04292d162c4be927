// Runs the official JSONata test suite (jsonata-js test/test-suite) against the engine.
//
// The suite is not part of the repository: it is found through CONFLUX_JSONATA_SUITE, or
// beside the repository in ../shared/jsonata-test-suite. Every case of every group is run;
// the test fails when the pass rate drops below 95 %, when a case fails that
// jsonata-known-failures.txt does not list, or when a listed case passes (a stale entry).

#include "data/json.h"
#include "mapping/jsonata.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QSet>
#include <QTest>

#include <cmath>
#include <map>

using namespace Conflux;
using namespace Conflux::Mapping;
using Data::Value;
using namespace Qt::StringLiterals;

namespace {

constexpr double requiredPassRate = 95.0;

QString suiteDirectory()
{
    const QByteArray fromEnv = qgetenv("CONFLUX_JSONATA_SUITE");
    if (!fromEnv.isEmpty())
        return QString::fromLocal8Bit(fromEnv);
    return QDir::cleanPath(QStringLiteral(CONFLUX_SOURCE_DIR "/../shared/jsonata-test-suite"));
}

// JSON.parse accepts lone surrogate escapes ("\uD800"); Json::parse rightly refuses them.
// A few cases use one, so such escapes are swapped for private-use characters before
// parsing and swapped back in the strings afterwards.
QByteArray maskLoneSurrogates(const QByteArray &text, QHash<QChar, QChar> &masks)
{
    auto hexAt = [&](qsizetype i) -> int {
        if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u')
            return -1;
        bool ok = false;
        const int v = text.mid(i + 2, 4).toInt(&ok, 16);
        return ok ? v : -1;
    };
    QByteArray out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            out += text[i];
            continue;
        }
        const int v = hexAt(i);
        const bool high = v >= 0xD800 && v <= 0xDBFF;
        const bool low = v >= 0xDC00 && v <= 0xDFFF;
        if (high) {
            const int next = hexAt(i + 6);
            if (next >= 0xDC00 && next <= 0xDFFF) {
                out += text.mid(i, 12);
                i += 11;
                continue;
            }
        }
        if (high || low) {
            const QChar mask(char16_t(0xE000 + masks.size()));
            masks.insert(mask, QChar(char16_t(v)));
            out += "\\u" + QByteArray::number(mask.unicode(), 16);
            i += 5;
            continue;
        }
        out += text[i];
        if (i + 1 < text.size())
            out += text[++i];
    }
    return out;
}

Value unmask(const Value &v, const QHash<QChar, QChar> &masks)
{
    auto fix = [&](QString s) {
        for (QChar &c : s) {
            if (masks.contains(c))
                c = masks.value(c);
        }
        return s;
    };
    if (v.isString())
        return Value(fix(v.toString()));
    if (v.isArray()) {
        Data::Array items;
        for (const Value &item : v.toArray())
            items.push_back(unmask(item, masks));
        return Value(std::move(items));
    }
    if (v.isObject()) {
        Data::Object members;
        for (const auto &[key, value] : v.toObject())
            members.append(fix(key), unmask(value, masks));
        return Value(std::move(members));
    }
    return v;
}

Result<Value> readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{u"io"_s, u"cannot read %1: %2"_s.arg(path, file.errorString()), {}, -1};
    QHash<QChar, QChar> masks;
    const QByteArray text = maskLoneSurrogates(file.readAll(), masks);
    Result<Value> parsed = Data::Json::parse(text);
    if (!parsed || masks.isEmpty())
        return parsed;
    return unmask(parsed.value(), masks);
}

QString show(const Value &v)
{
    if (v.isUndefined())
        return u"undefined"_s;
    if (v.isFunction())
        return u"<function>"_s;
    QString text = QString::fromUtf8(Data::Json::serialize(v));
    if (text.size() > 300)
        text = text.left(300) + u"..."_s;
    return text;
}

bool numbersMatch(double a, double b)
{
    if (a == b)
        return true;
    // the reference prints doubles; allow for the last digit of a long fraction
    const double scale = std::max(std::fabs(a), std::fabs(b));
    return std::fabs(a - b) <= scale * 1e-14;
}

bool sameValue(const Value &actual, const Value &expected, bool unordered);

bool sameArrays(const Data::Array &a, const Data::Array &e, bool unordered)
{
    if (a.size() != e.size())
        return false;
    if (!unordered) {
        for (size_t i = 0; i < a.size(); ++i) {
            if (!sameValue(a[i], e[i], false))
                return false;
        }
        return true;
    }
    std::vector<bool> used(a.size(), false);
    for (const Value &item : e) {
        bool found = false;
        for (size_t i = 0; i < a.size() && !found; ++i) {
            if (!used[i] && sameValue(a[i], item, false)) {
                used[i] = true;
                found = true;
            }
        }
        if (!found)
            return false;
    }
    return true;
}

bool sameValue(const Value &actual, const Value &expected, bool unordered)
{
    if (actual.isNumber() && expected.isNumber())
        return numbersMatch(actual.toDouble(), expected.toDouble());
    if (actual.type() != expected.type())
        return false;
    switch (actual.type()) {
    case Value::Type::Array:
        return sameArrays(actual.toArray(), expected.toArray(), unordered);
    case Value::Type::Object: {
        // members that are undefined do not exist (JSON.stringify drops them)
        qsizetype defined = 0;
        for (const auto &[key, value] : actual.toObject()) {
            if (value.isUndefined())
                continue;
            ++defined;
            const Value *other = expected.toObject().find(key);
            if (!other || !sameValue(value, *other, false))
                return false;
        }
        return defined == expected.size();
    }
    default:
        return actual == expected;
    }
}

struct Case
{
    QString id;          // group/caseNNN[#i]
    QString group;
    Value spec;
};

struct Outcome
{
    bool passed = false;
    QString detail;      // why it failed
};

} // namespace

class TestJsonataConformance : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void knownFailuresAreWellFormed();
    void suite();

private:
    Outcome run(const Case &c);
    QString m_dir;
    QHash<QString, Value> m_datasets;
    std::vector<Case> m_cases;
    std::map<QString, QString> m_known;   // case id -> reason
    QStringList m_knownProblems;
};

void TestJsonataConformance::initTestCase()
{
    m_dir = suiteDirectory();
    const QDir dir(m_dir);
    if (!dir.exists(u"groups"_s) || !dir.exists(u"datasets"_s)) {
        QFAIL(qPrintable(u"The JSONata test suite was not found at %1 (set CONFLUX_JSONATA_SUITE "
                         "to the folder holding groups/ and datasets/, or put the suite at "
                         "../shared/jsonata-test-suite beside the repository)"_s.arg(m_dir)));
    }

    const QDir datasets(dir.filePath(u"datasets"_s));
    for (const QString &name : datasets.entryList({u"*.json"_s}, QDir::Files, QDir::Name)) {
        Result<Value> data = readJson(datasets.filePath(name));
        QVERIFY2(data.isOk(), qPrintable(name + u": "_s + (data.isOk() ? QString() : data.error().message)));
        m_datasets.insert(name.chopped(5), data.value());
    }

    const QDir groups(dir.filePath(u"groups"_s));
    for (const QString &group : groups.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QDir groupDir(groups.filePath(group));
        for (const QString &file : groupDir.entryList({u"*.json"_s}, QDir::Files, QDir::Name)) {
            Result<Value> spec = readJson(groupDir.filePath(file));
            QVERIFY2(spec.isOk(), qPrintable(group + u'/' + file + u": "_s
                                             + (spec.isOk() ? QString() : spec.error().message)));
            const QString base = group + u'/' + file.chopped(5);
            if (spec->isArray()) {
                const Data::Array &items = spec->toArray();
                for (size_t i = 0; i < items.size(); ++i)
                    m_cases.push_back({base + u'#' + QString::number(i), group, items[i]});
            } else {
                m_cases.push_back({base, group, spec.value()});
            }
        }
    }
    QVERIFY2(!m_cases.empty(), qPrintable(u"no test cases below %1"_s.arg(groups.path())));

    QFile known(QStringLiteral(CONFLUX_SOURCE_DIR "/tests/mapping/jsonata-known-failures.txt"));
    QVERIFY2(known.open(QIODevice::ReadOnly | QIODevice::Text), qPrintable(known.fileName()));
    int lineNumber = 0;
    while (!known.atEnd()) {
        ++lineNumber;
        const QString line = QString::fromUtf8(known.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const qsizetype space = line.indexOf(u' ');
        const QString id = space < 0 ? line : line.left(space);
        const QString reason = space < 0 ? QString() : line.mid(space + 1).trimmed();
        if (reason.isEmpty())
            m_knownProblems << u"line %1: %2 has no reason"_s.arg(lineNumber).arg(id);
        if (m_known.count(id))
            m_knownProblems << u"line %1: %2 is listed twice"_s.arg(lineNumber).arg(id);
        m_known[id] = reason;
    }
}

void TestJsonataConformance::knownFailuresAreWellFormed()
{
    QSet<QString> ids;
    for (const Case &c : m_cases)
        ids.insert(c.id);
    QStringList problems = m_knownProblems;
    for (const auto &[id, reason] : m_known) {
        if (!ids.contains(id))
            problems << u"%1 is not a case of the suite"_s.arg(id);
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
}

Outcome TestJsonataConformance::run(const Case &c)
{
    const Value &spec = c.spec;
    QString expr = spec[u"expr"].toString();
    if (spec.toObject().contains(u"expr-file")) {
        QFile file(QDir(m_dir).filePath(u"groups/"_s + c.group + u'/' + spec[u"expr-file"].toString()));
        if (!file.open(QIODevice::ReadOnly))
            return {false, u"cannot read the expression file"_s};
        expr = QString::fromUtf8(file.readAll());
    }

    Value input;
    if (spec.toObject().contains(u"data")) {
        input = spec[u"data"];
    } else if (spec[u"dataset"].isString()) {
        const QString name = spec[u"dataset"].toString();
        if (!m_datasets.contains(name))
            return {false, u"unknown dataset "_s + name};
        input = m_datasets.value(name);
    }
    const Data::Object bindings = spec[u"bindings"].toObject();
    EvaluationLimits limits;
    if (spec[u"depth"].isNumber())
        limits.maxDepth = int(spec[u"depth"].toDouble());
    if (spec[u"timelimit"].isNumber())
        limits.timeLimit = std::chrono::milliseconds(qint64(spec[u"timelimit"].toDouble()));

    QString expectedCode;
    if (spec[u"code"].isString())
        expectedCode = spec[u"code"].toString();
    else if (spec[u"error"].isObject())
        expectedCode = spec[u"error"][u"code"].toString();
    // The reference runner reports both of its limits (depth and time) as U1001.
    auto codeMatches = [&](const QString &code) {
        return code == expectedCode || (expectedCode == u"U1001" && code == u"U1002");
    };

    const Result<Expression> compiled = Expression::compile(expr);
    if (!compiled) {
        if (!expectedCode.isEmpty() && codeMatches(compiled.error().code))
            return {true, {}};
        return {false, u"compile error %1: %2"_s.arg(compiled.error().code, compiled.error().message)};
    }
    const Result<Value> result = compiled->evaluate(input, bindings, limits);
    if (!expectedCode.isEmpty()) {
        if (!result)
            return {codeMatches(result.error().code),
                    u"expected %1, got %2: %3"_s.arg(expectedCode, result.error().code, result.error().message)};
        return {false, u"expected error %1, got %2"_s.arg(expectedCode, show(result.value()))};
    }
    if (!result)
        return {false, u"error %1: %2"_s.arg(result.error().code, result.error().message)};
    if (spec[u"undefinedResult"].toBool()) {
        if (result->isUndefined())
            return {true, {}};
        return {false, u"expected undefined, got "_s + show(result.value())};
    }
    if (spec.toObject().contains(u"result")) {
        const Value &expected = spec[u"result"];
        if (sameValue(result.value(), expected, spec[u"unordered"].toBool()))
            return {true, {}};
        return {false, u"expected %1, got %2"_s.arg(show(expected), show(result.value()))};
    }
    return {false, u"the case specifies no outcome"_s};
}

void TestJsonataConformance::suite()
{
    struct Tally
    {
        int passed = 0;
        int total = 0;
    };
    std::map<QString, Tally> groups;
    QStringList unexpected;
    QStringList stale;
    int passed = 0;
    // CONFLUX_JSONATA_CASES=<prefix> prints the outcome of every case whose id starts so.
    const QString trace = qEnvironmentVariable("CONFLUX_JSONATA_CASES");
    for (const Case &c : m_cases) {
        QElapsedTimer timer;
        timer.start();
        const Outcome outcome = run(c);
        if (!trace.isEmpty() && c.id.startsWith(trace)) {
            qInfo("%s %s (%lld ms) %s", qPrintable(c.id), outcome.passed ? "passed" : "FAILED",
                  timer.elapsed(), qPrintable(outcome.detail));
        }
        Tally &tally = groups[c.group];
        ++tally.total;
        const bool listed = m_known.count(c.id) > 0;
        if (outcome.passed) {
            ++tally.passed;
            ++passed;
            if (listed)
                stale << c.id;
        } else if (!listed) {
            unexpected << u"%1: %2\n    %3"_s.arg(c.id, outcome.detail,
                                                   c.spec[u"expr"].toString().simplified().left(200));
        }
    }

    for (const auto &[group, tally] : groups)
        qInfo("%s: %d/%d", qPrintable(group), tally.passed, tally.total);
    const int total = int(m_cases.size());
    const double rate = 100.0 * passed / total;
    qInfo("total: %d/%d passed (%.1f%%) in %d groups", passed, total, rate, int(groups.size()));

    for (const QString &line : std::as_const(unexpected))
        qWarning("unexpected failure %s", qPrintable(line));
    for (const QString &id : std::as_const(stale))
        qWarning("stale entry in jsonata-known-failures.txt: %s passes now", qPrintable(id));

    QVERIFY2(rate >= requiredPassRate,
             qPrintable(u"pass rate %1% is below %2%"_s.arg(rate, 0, 'f', 1).arg(requiredPassRate)));
    QVERIFY2(unexpected.isEmpty(),
             qPrintable(u"%1 failing cases are not in jsonata-known-failures.txt"_s.arg(unexpected.size())));
    QVERIFY2(stale.isEmpty(),
             qPrintable(u"%1 cases in jsonata-known-failures.txt pass now; remove them"_s.arg(stale.size())));
}

QTEST_GUILESS_MAIN(TestJsonataConformance)
#include "tst_jsonataconformance.moc"
