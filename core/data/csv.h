#pragma once

#include "base/result.h"
#include "data/value.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QSet>
#include <QString>
#include <QStringList>

#include <memory>

class QIODevice;

// CSV <-> Value, RFC 4180 (docs/formats/csv.md): quoted fields with doubled quotes,
// delimiters and line breaks (CRLF, LF or CR) inside quotes, a UTF-8 byte order mark
// skipped. With a header row each record is an object whose keys follow the header;
// without one, an array of strings. Fields are strings unless `typed` is set.
//
// Errors carry a code ("csv_syntax", "csv_header", "csv_field_count", "csv_limit",
// "csv_encoding", ...), the byte offset in Error::offset, and line and column (1-based)
// in the message. Threading: the free functions are reentrant; reader and writer objects
// belong to one thread.

namespace Conflux::Data::Csv {

struct CsvOptions
{
    char delimiter = ',';          // any ASCII character but the quote, CR and LF: ',' ';' '\t' '|'
    char quote = '"';
    bool header = true;            // the first record names the columns
    bool skipEmptyLines = true;    // false: an empty line is a record with one empty field
    // Strict: a record with another number of fields than the header (or, without a
    // header, than the first record) is an error. Lenient: missing fields are null and
    // extra fields are kept under "_<column>" (1-based: "_5").
    bool strict = true;
    // Typed: an unquoted field that is a JSON number literal (no leading zeros, so "007"
    // stays text) becomes a number, true/false become booleans, an empty unquoted field
    // null. Quoted fields always stay strings.
    bool typed = false;
    qint64 maxSize = 256 * 1024 * 1024;        // bytes of input for read()
    qint64 maxRecordSize = 16 * 1024 * 1024;   // bytes of one record
    int maxFields = 16384;                     // fields of one record
};

// Parses all records: an array of objects (with a header) or of arrays.
Result<Value> read(QByteArrayView csv, const CsvOptions &options = {});

namespace Internal {
class CsvParser;
}

// Reads records one at a time from a device, holding only the current record (and at
// most one read-ahead chunk) in memory. The device must be open and deliver its data
// synchronously (QFile, QBuffer, a pipe in a worker thread): a read that returns no data
// is the end of input. The reader does not own the device.
class CsvReader
{
public:
    explicit CsvReader(QIODevice *device, const CsvOptions &options = {});
    ~CsvReader();
    CsvReader(const CsvReader &) = delete;
    CsvReader &operator=(const CsvReader &) = delete;

    // The next record; undefined at the end of input. After an error every further call
    // returns the same error.
    Result<Value> next();

    bool atEnd() const;
    QStringList header() const;      // known once the first record has been read
    qint64 recordCount() const;      // records returned so far (the header not counted)
    qint64 bufferedBytes() const;    // input held in memory right now

private:
    std::unique_ptr<Internal::CsvParser> m_parser;
};

struct CsvWriteOptions
{
    char delimiter = ',';
    char quote = '"';
    QByteArray lineEnding = QByteArrayLiteral("\r\n");   // RFC 4180; "\n" is fine too
    bool header = true;            // write a header row (when the columns are known)
    // The columns and their order. Empty: the keys of the first record. Given: members of
    // later records that are not listed are left out; derived: such a member is an error,
    // since it would be lost silently.
    QStringList columns;
    // Nested objects and arrays are an error naming the record and field; with this set
    // they are written as compact JSON text instead.
    bool nestedAsJson = false;
};

// Writes records (objects or arrays) one by one to a device. Fields are quoted only when
// they must be (delimiter, quote, CR or LF inside), except the empty string, written as
// "" so that it stays apart from null (written as nothing). Numbers are written as
// JavaScript writes them, booleans as true/false.
class CsvWriter
{
public:
    explicit CsvWriter(QIODevice *device, const CsvWriteOptions &options = {});

    Result<void> write(const Value &record);
    qint64 recordCount() const { return m_count; }

private:
    Result<void> appendField(const Value &value, QStringView column, QByteArray &line);

    QIODevice *m_device;
    CsvWriteOptions m_options;
    QStringList m_columns;
    QSet<QString> m_columnSet;
    bool m_columnsGiven = false;
    bool m_started = false;
    qint64 m_count = 0;
};

// Writes an array of records.
Result<QByteArray> write(const Value &records, const CsvWriteOptions &options = {});

} // namespace Conflux::Data::Csv
