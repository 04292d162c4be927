#pragma once

#include "base/result.h"
#include "data/value.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

// How the sync engine recognises a record on both sides: its key as text, and a hash of its
// values that survives the round trip through a target. A database gives back what it stored
// in its own spelling — a timestamp "2024-03-01T10:00:00Z" written to a timestamptz column
// reads as "2024-03-01T10:00:00.000Z" or with an offset, 5.0 reads as 5 — so values are put in
// one canonical form before they are compared or hashed:
//   - a string that is an ISO 8601 date-time with a zone (Z or ±hh:mm) becomes the UTC instant
//     with milliseconds ("2024-03-01T10:00:00.000Z"); one without a zone keeps its local
//     time, with milliseconds; a space instead of the T counts the same;
//   - numbers are compared by value (5 and 5.0 are equal; big integers keep every digit), and
//     a string that is a plain decimal number ("1.50", "-3"; no leading zeros, no exponent) is
//     that number, as databases return exact decimals as text;
//   - objects by members regardless of order; a missing member equals null.

namespace Conflux::Sync {

// The canonical form described above (recursively for arrays and objects).
Data::Value canonicalValue(const Data::Value &value);

// The key of `record` over `keyFields` as JSON text: the canonical value of a single key
// ("\"A-17\"", "42"), or the JSON array of the values of a composite key ("[\"EU\",42]"), so
// that the key's values can be read back from it (keyValues()). Errors "missing_key" naming the field when a
// key field is absent, null, an object or an array.
Result<QString> recordKey(const Data::Value &record, const QStringList &keyFields);

// The values of a key made by recordKey(), as an object of `keyFields` (a filter or a delete).
Result<Data::Value> keyValues(const QString &key, const QStringList &keyFields);

// A 16-byte hash of the canonical values of `fields` of `record` (sorted by name, so the order
// of `fields` does not matter; absent members hash as null). Two records that hold the same
// values in those fields, in any spelling the canonical form equates, hash the same.
QByteArray recordHash(const Data::Value &record, const QStringList &fields);

// The top-level member names of an object record, sorted.
QStringList fieldsOf(const Data::Value &record);

// -1, 0 or 1: the order of two cursor or timestamp values — numbers by value, date-times by
// instant, other strings by code points. Values of different kinds order by kind (null first).
int compareValues(const Data::Value &a, const Data::Value &b);

} // namespace Conflux::Sync
