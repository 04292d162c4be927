#pragma once

// Helpers the codec tests share: order-keeping dumps, a device that hands out data a few
// bytes at a time, and the process's resident memory.

#include "data/numbers.h"
#include "data/value.h"

#include <QByteArray>
#include <QFile>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QString>

#include <algorithm>
#include <cstring>
#include <functional>

namespace Conflux::Test {

// Compact JSON that keeps member order, so a test sees the order a codec produced
// (Value's operator== ignores it, and QJsonObject sorts keys).
inline QString dump(const Data::Value &v)
{
    using Data::Value;
    switch (v.type()) {
    case Value::Type::Undefined: return QStringLiteral("undefined");
    case Value::Type::Null: return QStringLiteral("null");
    case Value::Type::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case Value::Type::Number: return v.hasExactText() ? v.exactText() : Data::formatNumberString(v.toDouble());
    case Value::Type::String: {
        QString out = QStringLiteral("\"");
        for (const QChar c : v.toString()) {
            if (c == u'"' || c == u'\\')
                out += u'\\';
            if (c.unicode() < 0x20)
                out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            else
                out += c;
        }
        return out + u'"';
    }
    case Value::Type::Array: {
        QStringList items;
        for (const Value &item : v.toArray())
            items << dump(item);
        return u'[' + items.join(u',') + u']';
    }
    case Value::Type::Object: {
        QStringList members;
        for (const auto &[key, value] : v.toObject())
            members << dump(Value(key)) + u':' + dump(value);
        return u'{' + members.join(u',') + u'}';
    }
    case Value::Type::Function: return QStringLiteral("function");
    }
    return {};
}

// A Value from JSON text (any JSON value; member order is not kept).
inline Data::Value fromJson(const QByteArray &json)
{
    const QJsonDocument document = QJsonDocument::fromJson("[" + json + "]");
    Q_ASSERT(document.isArray());
    return Data::Value::fromQJson(document.array().at(0));
}

// A sequential device that hands out at most `step` bytes per read, the way a pipe or a
// socket does; `produce` generates the input lazily (so the test itself holds little).
class TrickleDevice final : public QIODevice
{
public:
    TrickleDevice(QByteArray data, qint64 step) : m_data(std::move(data)), m_step(step)
    {
        open(ReadOnly | Unbuffered);
    }
    // `produce(n)` returns the n-th piece, or an empty array after the last.
    TrickleDevice(std::function<QByteArray(qint64)> produce, qint64 step)
        : m_produce(std::move(produce)), m_step(step)
    {
        open(ReadOnly | Unbuffered);
    }

    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return m_data.size() - m_position; }
    qint64 delivered() const { return m_delivered; }
    qint64 reads() const { return m_reads; }

protected:
    qint64 readData(char *out, qint64 max) override
    {
        ++m_reads;
        if (m_position == m_data.size() && m_produce) {
            m_data = m_produce(m_piece++);
            m_position = 0;
        }
        const qint64 n = std::min({max, m_step, qint64(m_data.size() - m_position)});
        if (n <= 0)
            return -1;
        std::memcpy(out, m_data.constData() + m_position, size_t(n));
        m_position += n;
        m_delivered += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    std::function<QByteArray(qint64)> m_produce;
    qint64 m_piece = 0;
    qint64 m_position = 0;
    qint64 m_step;
    qint64 m_delivered = 0;
    qint64 m_reads = 0;
};

// Resident memory of this process in KiB (Linux), or -1.
inline qint64 residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').front().toLongLong();
    }
    return -1;
}

} // namespace Conflux::Test
