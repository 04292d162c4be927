#include "metrics.h"

#include <QLocale>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux {
namespace {

QByteArray number(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    if (std::trunc(value) == value && std::fabs(value) < 1e15)
        return QByteArray::number(qint64(value));
    return QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}

// Label values escape backslash, double quote and newline; HELP escapes backslash and newline.
QByteArray escapeLabel(const QString &value)
{
    QByteArray out;
    const QByteArray utf8 = value.toUtf8();
    for (char c : utf8) {
        if (c == '\\')
            out.append("\\\\");
        else if (c == '"')
            out.append("\\\"");
        else if (c == '\n')
            out.append("\\n");
        else
            out.append(c);
    }
    return out;
}

QByteArray escapeHelp(const QString &value)
{
    QByteArray out = value.toUtf8();
    out.replace("\\", "\\\\");
    out.replace("\n", "\\n");
    return out;
}

QByteArray labelSet(const QStringList &names, const QStringList &values, const QByteArray &extra = {})
{
    if (names.isEmpty() && extra.isEmpty())
        return {};
    QByteArray out = "{";
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (i)
            out.append(',');
        out.append(names.at(i).toUtf8()).append("=\"").append(escapeLabel(values.value(i))).append('"');
    }
    if (!extra.isEmpty()) {
        if (!names.isEmpty())
            out.append(',');
        out.append(extra);
    }
    out.append('}');
    return out;
}

} // namespace

MetricsRegistry::Family::Family(QString name, QString help, Type type, QStringList labelNames,
                                QList<double> buckets)
    : m_name(std::move(name)), m_help(std::move(help)), m_type(type),
      m_labelNames(std::move(labelNames)), m_buckets(std::move(buckets))
{}

MetricsRegistry::Family::Series &MetricsRegistry::Family::series(const QStringList &labels)
{
    auto it = m_series.find(labels);
    if (it == m_series.end()) {
        Series s;
        s.bucketCounts.fill(0, m_buckets.size());
        it = m_series.insert(labels, s);
    }
    return *it;
}

void MetricsRegistry::Family::increment(const QStringList &labels, double by)
{
    QMutexLocker lock(&m_mutex);
    series(labels).value += by;
}

void MetricsRegistry::Family::set(const QStringList &labels, double value)
{
    QMutexLocker lock(&m_mutex);
    series(labels).value = value;
}

void MetricsRegistry::Family::observe(const QStringList &labels, double value)
{
    QMutexLocker lock(&m_mutex);
    Series &s = series(labels);
    s.value += value;
    ++s.count;
    for (qsizetype i = 0; i < m_buckets.size(); ++i) {
        if (value <= m_buckets.at(i)) {
            ++s.bucketCounts[i];
            break;
        }
    }
}

double MetricsRegistry::Family::value(const QStringList &labels) const
{
    QMutexLocker lock(&m_mutex);
    return m_series.value(labels).value;
}

void MetricsRegistry::Family::render(QByteArray &out) const
{
    static const char *const typeNames[] = {"counter", "gauge", "histogram"};
    const QByteArray name = m_name.toUtf8();
    out.append("# HELP ").append(name).append(' ').append(escapeHelp(m_help)).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(typeNames[int(m_type)]).append('\n');
    QMutexLocker lock(&m_mutex);
    // A family without labels shows its zero value before the first update.
    if (m_series.isEmpty() && m_labelNames.isEmpty()) {
        if (m_type == Type::Histogram) {
            for (double bound : m_buckets)
                out.append(name + "_bucket{le=\"" + number(bound) + "\"} 0\n");
            out.append(name + "_bucket{le=\"+Inf\"} 0\n" + name + "_sum 0\n" + name + "_count 0\n");
        } else {
            out.append(name).append(" 0\n");
        }
        return;
    }
    for (auto it = m_series.begin(); it != m_series.end(); ++it) {
        const Series &s = it.value();
        if (m_type != Type::Histogram) {
            out.append(name).append(labelSet(m_labelNames, it.key())).append(' ').append(number(s.value)).append('\n');
            continue;
        }
        quint64 cumulative = 0;
        for (qsizetype i = 0; i < m_buckets.size(); ++i) {
            cumulative += s.bucketCounts.at(i);
            out.append(name + "_bucket" + labelSet(m_labelNames, it.key(), "le=\"" + number(m_buckets.at(i)) + '"')
                       + ' ' + QByteArray::number(cumulative) + '\n');
        }
        out.append(name + "_bucket" + labelSet(m_labelNames, it.key(), "le=\"+Inf\"") + ' '
                   + QByteArray::number(s.count) + '\n');
        out.append(name + "_sum" + labelSet(m_labelNames, it.key()) + ' ' + number(s.value) + '\n');
        out.append(name + "_count" + labelSet(m_labelNames, it.key()) + ' ' + QByteArray::number(s.count) + '\n');
    }
}

MetricsRegistry::Family &MetricsRegistry::family(const QString &name, const QString &help, Type type,
                                                 const QStringList &labels, const QList<double> &buckets)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_families.find(name);
    if (it == m_families.end())
        it = m_families.insert(name, std::make_shared<Family>(name, help, type, labels, buckets));
    return **it;
}

MetricsRegistry::Family &MetricsRegistry::counter(const QString &name, const QString &help,
                                                  const QStringList &labelNames)
{
    return family(name, help, Type::Counter, labelNames, {});
}

MetricsRegistry::Family &MetricsRegistry::gauge(const QString &name, const QString &help,
                                                const QStringList &labelNames)
{
    return family(name, help, Type::Gauge, labelNames, {});
}

MetricsRegistry::Family &MetricsRegistry::histogram(const QString &name, const QString &help,
                                                    const QStringList &labelNames,
                                                    const QList<double> &buckets)
{
    return family(name, help, Type::Histogram, labelNames, buckets);
}

QList<double> MetricsRegistry::defaultBuckets()
{
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

QByteArray MetricsRegistry::render() const
{
    QByteArray out;
    QMutexLocker lock(&m_mutex);
    for (const auto &family : m_families)
        family->render(out);
    return out;
}

} // namespace Conflux
