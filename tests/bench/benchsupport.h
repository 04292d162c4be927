#pragma once

// What the benchmark programs share: figures of the process from /proc/self/status.

#include <QByteArray>
#include <QFile>
#include <QString>

namespace Conflux::Bench {

// A "Name:   123 kB" line of /proc/self/status in bytes (`field` with its colon), or -1.
// VmHWM: the peak resident set; RssAnon: the anonymous memory now (heap, stacks, without the
// file pages the process has mapped).
inline qint64 procStatusBytes(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const qsizetype length = qsizetype(qstrlen(field));
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(length).trimmed().split(' ').first().toLongLong() * 1024;
    }
    return -1;
}

inline qint64 peakRssBytes()
{
    return procStatusBytes("VmHWM:");
}

} // namespace Conflux::Bench
