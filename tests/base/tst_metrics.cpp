#include "base/metrics.h"

#include <QTest>
#include <QThread>

using namespace Conflux;
using namespace Qt::StringLiterals;

class tst_Metrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exposition()
    {
        MetricsRegistry metrics;
        auto &requests = metrics.counter(u"x_requests_total"_s, u"Requests\nby \\ code"_s, {u"code"_s, u"path"_s});
        requests.increment({u"200"_s, u"/a\"b\\c\nd"_s});
        requests.increment({u"200"_s, u"/a\"b\\c\nd"_s}, 2);
        metrics.gauge(u"x_depth"_s, u"Depth"_s).set({}, 1.5);
        metrics.histogram(u"x_seconds"_s, u"Latency"_s, {}, {0.1, 1}).observe({}, 0.05);
        metrics.histogram(u"x_seconds"_s, u"Latency"_s).observe({}, 0.5);
        metrics.histogram(u"x_seconds"_s, u"Latency"_s).observe({}, 7);
        metrics.counter(u"x_idle_total"_s, u"Never touched"_s);

        const QByteArray text = metrics.render();
        const QByteArray expected =
            "# HELP x_depth Depth\n"
            "# TYPE x_depth gauge\n"
            "x_depth 1.5\n"
            "# HELP x_idle_total Never touched\n"
            "# TYPE x_idle_total counter\n"
            "x_idle_total 0\n"
            "# HELP x_requests_total Requests\\nby \\\\ code\n"
            "# TYPE x_requests_total counter\n"
            "x_requests_total{code=\"200\",path=\"/a\\\"b\\\\c\\nd\"} 3\n"
            "# HELP x_seconds Latency\n"
            "# TYPE x_seconds histogram\n"
            "x_seconds_bucket{le=\"0.1\"} 1\n"
            "x_seconds_bucket{le=\"1\"} 2\n"
            "x_seconds_bucket{le=\"+Inf\"} 3\n"
            "x_seconds_sum 7.55\n"
            "x_seconds_count 3\n";
        QCOMPARE(text, expected);
    }

    void concurrentUpdates()
    {
        MetricsRegistry metrics;
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads.append(QThread::create([&metrics] {
                for (int i = 0; i < 10000; ++i)
                    metrics.counter(u"c_total"_s, u"c"_s, {u"k"_s}).increment({QString::number(i % 3)});
            }));
            threads.last()->start();
        }
        for (QThread *t : threads) {
            t->wait();
            delete t;
        }
        auto &family = metrics.counter(u"c_total"_s, u"c"_s, {u"k"_s});
        QCOMPARE(family.value({u"0"_s}) + family.value({u"1"_s}) + family.value({u"2"_s}), 40000.0);
    }
};

QTEST_GUILESS_MAIN(tst_Metrics)
#include "tst_metrics.moc"
