#include "processinfo.h"

#include "base/metrics.h"

#include <QDir>
#include <QFile>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Conflux::Runtime {

void updateProcessMetrics(MetricsRegistry &metrics)
{
#ifdef Q_OS_LINUX
    QFile statm(u"/proc/self/statm"_s);
    if (statm.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> fields = statm.readAll().split(' ');
        if (fields.size() > 1) {
            metrics.gauge(u"process_resident_memory_bytes"_s, u"Resident memory size in bytes"_s)
                .set({}, fields.at(1).toDouble() * double(sysconf(_SC_PAGESIZE)));
        }
    }
    QFile stat(u"/proc/self/stat"_s);
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray text = stat.readAll();
        // Fields after the ")" closing the command name: utime is field 14, stime 15.
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 12) {
            const double ticks = fields.at(11).toDouble() + fields.at(12).toDouble();
            metrics.counter(u"process_cpu_seconds_total"_s, u"Total user and system CPU time spent in seconds"_s)
                .set({}, ticks / double(sysconf(_SC_CLK_TCK)));
        }
    }
    const qsizetype fds = QDir(u"/proc/self/fd"_s).entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot).size();
    metrics.gauge(u"process_open_fds"_s, u"Number of open file descriptors"_s).set({}, double(fds));
#else
    Q_UNUSED(metrics);
#endif
}

} // namespace Conflux::Runtime
