#include "httpheaders.h"

#include "httpgrammar_p.h"

namespace Conflux::Http {

bool HttpHeaders::nameEquals(QByteArrayView a, QByteArrayView b)
{
    return Internal::equalsIgnoringCase(a, b);
}

qsizetype HttpHeaders::indexOf(QByteArrayView name, qsizetype from) const
{
    for (qsizetype i = qMax<qsizetype>(from, 0); i < m_fields.size(); ++i) {
        if (nameEquals(m_fields.at(i).first, name))
            return i;
    }
    return -1;
}

void HttpHeaders::set(const QByteArray &name, const QByteArray &value)
{
    const qsizetype first = indexOf(name);
    if (first < 0) {
        append(name, value);
        return;
    }
    m_fields[first] = {name, value};
    for (qsizetype i = m_fields.size() - 1; i > first; --i) {
        if (nameEquals(m_fields.at(i).first, name))
            m_fields.removeAt(i);
    }
}

qsizetype HttpHeaders::remove(QByteArrayView name)
{
    return m_fields.removeIf([name](const Field &field) { return nameEquals(field.first, name); });
}

QByteArray HttpHeaders::value(QByteArrayView name, const QByteArray &defaultValue) const
{
    const qsizetype i = indexOf(name);
    return i < 0 ? defaultValue : m_fields.at(i).second;
}

QList<QByteArray> HttpHeaders::values(QByteArrayView name) const
{
    QList<QByteArray> out;
    for (const Field &field : m_fields) {
        if (nameEquals(field.first, name))
            out.append(field.second);
    }
    return out;
}

qsizetype HttpHeaders::count(QByteArrayView name) const
{
    qsizetype n = 0;
    for (const Field &field : m_fields) {
        if (nameEquals(field.first, name))
            ++n;
    }
    return n;
}

bool HttpHeaders::hasToken(QByteArrayView name, QByteArrayView token) const
{
    for (const Field &field : m_fields) {
        if (!nameEquals(field.first, name))
            continue;
        QByteArrayView rest(field.second);
        while (!rest.isEmpty()) {
            const qsizetype comma = rest.indexOf(',');
            const QByteArrayView element = Internal::trimmedOws(comma < 0 ? rest : rest.first(comma));
            if (Internal::equalsIgnoringCase(element, token))
                return true;
            if (comma < 0)
                break;
            rest = rest.sliced(comma + 1);
        }
    }
    return false;
}

} // namespace Conflux::Http
