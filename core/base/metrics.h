#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <memory>

namespace Conflux {

// Prometheus metrics of a node, exposed on GET /metrics in the text format 0.0.4.
//
// Families are created once (by name) and updated from any thread: each family has its
// own mutex, held only for a map lookup and an add. Names follow Prometheus conventions
// (snake_case, counters end in _total, units in the name: _seconds, _bytes).
class MetricsRegistry
{
public:
    enum class Type { Counter, Gauge, Histogram };

    class Family
    {
    public:
        Family(QString name, QString help, Type type, QStringList labelNames, QList<double> buckets);

        // `labels` are values in the order of the family's label names.
        void increment(const QStringList &labels = {}, double by = 1.0);
        void set(const QStringList &labels, double value);     // gauges
        void observe(const QStringList &labels, double value); // histograms
        double value(const QStringList &labels = {}) const;    // counter/gauge value, or histogram sum

        void render(QByteArray &out) const;

    private:
        struct Series
        {
            double value = 0.0;          // counter/gauge value; histogram sum
            quint64 count = 0;           // histogram count
            QList<quint64> bucketCounts; // histogram, cumulative at render time
        };
        Series &series(const QStringList &labels);

        QString m_name, m_help;
        Type m_type;
        QStringList m_labelNames;
        QList<double> m_buckets;
        mutable QMutex m_mutex;
        QMap<QStringList, Series> m_series;
    };

    Family &counter(const QString &name, const QString &help, const QStringList &labelNames = {});
    Family &gauge(const QString &name, const QString &help, const QStringList &labelNames = {});
    Family &histogram(const QString &name, const QString &help, const QStringList &labelNames = {},
                      const QList<double> &buckets = defaultBuckets());

    static QList<double> defaultBuckets(); // 5 ms … 10 s, as the Prometheus clients use

    // The whole exposition, families in name order.
    QByteArray render() const;
    static QByteArray contentType() { return "text/plain; version=0.0.4; charset=utf-8"; }

private:
    Family &family(const QString &name, const QString &help, Type type, const QStringList &labels,
                   const QList<double> &buckets);
    mutable QMutex m_mutex;
    QMap<QString, std::shared_ptr<Family>> m_families;
};

} // namespace Conflux
