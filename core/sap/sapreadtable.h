#pragma once

#include "base/result.h"
#include "data/value.h"

#include <QList>
#include <QString>
#include <QStringList>

// RFC_READ_TABLE, SAP's generic table reader, as a convenience: the request's parameters and
// the answer's DATA rows split into records.
//
// Rows come back as one text line each (WA); the answer's FIELDS give each field's OFFSET and
// LENGTH in that line. Records are cut by those offsets, never by the delimiter alone (a value
// may contain the delimiter character). Each value is trimmed and typed by the FIELDS' TYPE
// (ABAP's internal type), the way SAP's RFC libraries hand them to programs:
//
//   C (character), N (numeric text), X (raw), P (packed decimal), others → string. N keeps its
//       leading zeros (document and partner numbers are identifiers); P stays a string so
//       amounts keep every decimal exactly (a trailing minus, SAP's sign, moves to the front).
//   D (date YYYYMMDD)  → "YYYY-MM-DD"; the initial date (blank or 00000000) → null.
//   T (time HHMMSS)    → "HH:MM:SS"; blank → null.
//   I, b, s, 8 (integers) → numbers; F (float) → numbers; blank (also P) → null.
//   A value that does not read as its type stays the trimmed string.
//
// WHERE conditions go into OPTIONS as lines of at most 72 characters (SAP's CHAR72 rows),
// split between words and never inside a quoted literal.

namespace Conflux::Sap {

struct ReadTableRequest
{
    QString table;            // QUERY_TABLE, e.g. "LFA1"
    QStringList fields;       // FIELDNAMEs; empty: every field of the table
    QString where;            // e.g. "LAND1 EQ 'DE' AND ORT01 LIKE 'B%'"; empty: every row
    int rowCount = 0;         // ROWCOUNT; 0: all
    int rowSkips = 0;         // ROWSKIPS
    // DELIMITER, at most one character. None by default: the offsets split the rows, and
    // without delimiters more fields fit into SAP's 512-character line.
    QString delimiter;
};

struct ReadTableField
{
    QString name;
    int offset = 0;
    int length = 0;
    QString type;             // ABAP internal type: C, N, D, T, P, I, F, X, ...
    QString description;      // FIELDTEXT
};

struct ReadTableResult
{
    QList<ReadTableField> fields;
    Data::Array records;      // objects, one member per field in FIELDS order
};

// The WHERE clause as OPTIONS lines. Errors: "sap_invalid_options" (a word or a literal
// longer than a line, an unclosed quote).
Result<QStringList> splitWhereClause(const QString &where, int lineWidth = 72);

// RFC_READ_TABLE's parameters for `request` (OPTIONS split, FIELDS and DATA passed as tables
// so SAP returns them). Errors: "sap_invalid_options".
Result<Data::Value> readTableParameters(const ReadTableRequest &request);

// Splits the answer's DATA by its FIELDS. Errors: "sap_invalid_response" (FIELDS missing or
// with an OFFSET/LENGTH that is not a number).
Result<ReadTableResult> readTableResult(const Data::Value &response);

// One field value of a WA line, typed as described above.
Data::Value typedTableValue(QStringView raw, QStringView abapType);

} // namespace Conflux::Sap
