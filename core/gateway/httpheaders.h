#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <utility>

namespace Conflux::Http {

// An ordered list of HTTP header fields as (name, value) byte pairs, in the order they were
// received or added. Names compare case-insensitively (ASCII), values are kept as sent, with
// leading and trailing whitespace already removed by the parser. A name may occur more than
// once. Plain value type; not thread-safe for concurrent mutation, like any Qt value.
class HttpHeaders
{
public:
    using Field = std::pair<QByteArray, QByteArray>;

    HttpHeaders() = default;
    HttpHeaders(std::initializer_list<Field> fields) : m_fields(fields) {}

    // Appends a field, keeping any earlier field of the same name.
    void append(const QByteArray &name, const QByteArray &value) { m_fields.append({name, value}); }
    // Replaces every field of that name by one field at the position of the first one
    // (or at the end when there was none).
    void set(const QByteArray &name, const QByteArray &value);
    // Removes every field of that name; returns how many were removed.
    qsizetype remove(QByteArrayView name);

    bool contains(QByteArrayView name) const { return indexOf(name) >= 0; }
    // The value of the first field of that name, or `defaultValue` when there is none.
    QByteArray value(QByteArrayView name, const QByteArray &defaultValue = {}) const;
    // The values of every field of that name, in order.
    QList<QByteArray> values(QByteArrayView name) const;
    // How many fields carry that name.
    qsizetype count(QByteArrayView name) const;
    qsizetype indexOf(QByteArrayView name, qsizetype from = 0) const;

    // True when one of the comma-separated elements of the fields of that name equals
    // `token` case-insensitively (for list-valued fields such as Connection).
    bool hasToken(QByteArrayView name, QByteArrayView token) const;

    const QList<Field> &fields() const { return m_fields; }
    qsizetype size() const { return m_fields.size(); }
    bool isEmpty() const { return m_fields.isEmpty(); }
    void clear() { m_fields.clear(); }
    QList<Field>::const_iterator begin() const { return m_fields.cbegin(); }
    QList<Field>::const_iterator end() const { return m_fields.cend(); }

    friend bool operator==(const HttpHeaders &, const HttpHeaders &) = default;

    // ASCII case-insensitive comparison of two header names.
    static bool nameEquals(QByteArrayView a, QByteArrayView b);

private:
    QList<Field> m_fields;
};

} // namespace Conflux::Http
