#pragma once

#include "base/result.h"
#include "data/json.h"

#include <QByteArray>

#include <memory>
#include <optional>

class QIODevice;

namespace Conflux::Data {

namespace Json::Internal {
class Parser;
}

// Reads JSON records one at a time from a QIODevice, in constant memory: the buffer holds
// the record being read plus one chunk, never the file, so a 1 GB export streams in the
// space of its largest record.
//
// What a record is depends on the mode:
//   ArrayItems  the items of one top-level array: [ {...}, {...} ]
//   Values      values separated by whitespace: NDJSON / JSON Lines (blank lines are
//               ignored) and concatenated or pretty-printed documents alike
//   Single      one top-level value, with only whitespace after it
//   Auto        (default) ArrayItems when the first non-space byte is '[', else Values
// A UTF-8 byte order mark at the start is skipped. Each record is parsed like
// Json::parse() (strict RFC 8259, same errors), with Options' limits.
//
// Errors: next() returns false and error() says what, where and which record: the
// Error's offset is the absolute byte offset in the stream (counted from the device's
// position when the reader was made), its message names line, column and record index
// ("... at byte 1234 (line 7, column 3) in record 41: expected a value"). Codes are those
// of Json::parse(), plus "json_limit" for a record larger than maxRecordBytes and
// "json_io" when the device fails or times out. After an error the reader stays failed.
//
// The reader does not own the device, which must stay open for reading while it is used.
// It blocks in next(): for sequential devices (sockets, processes) it waits up to
// readTimeoutMs for more data. One thread at a time.
class JsonStreamReader
{
public:
    enum class Mode { Auto, ArrayItems, Values, Single };

    struct Options
    {
        Mode mode = Mode::Auto;
        qint64 maxRecordBytes = 64 * 1024 * 1024;  // one record's JSON text
        int maxDepth = 512;       // nesting inside a record (the enclosing array not counted)
        Json::DuplicateKeys duplicateKeys = Json::DuplicateKeys::LastWins;
        qint64 chunkSize = 64 * 1024;              // bytes per device read
        int readTimeoutMs = 30000;                 // wait for data on sequential devices
    };

    explicit JsonStreamReader(QIODevice *device);
    JsonStreamReader(QIODevice *device, const Options &options);
    ~JsonStreamReader();
    JsonStreamReader(const JsonStreamReader &) = delete;
    JsonStreamReader &operator=(const JsonStreamReader &) = delete;

    // The next record into `out`. False at the end of the input or on an error; tell
    // them apart with error() (or atEnd()).
    bool next(Value &out);

    const std::optional<Error> &error() const { return m_error; }
    bool hasError() const { return m_error.has_value(); }
    // True once the whole input has been read without error.
    bool atEnd() const { return m_state == State::Done; }

    // Records returned so far, which is also the index of the record that failed.
    qint64 recordIndex() const { return m_records; }
    // Bytes taken from the device so far.
    qint64 bytesRead() const { return m_bytesRead; }
    // The mode in use: Options::mode, or what Auto found once next() has been called.
    Mode mode() const { return m_mode; }
    // Memory held for input right now (for tests and metrics; bounded by the largest
    // record plus a few chunks).
    qint64 bufferCapacity() const { return m_buffer.capacity(); }

private:
    enum class State { Start, FirstItem, NextItem, AfterArray, Values, AfterSingle, Done, Failed };

    bool fill();
    bool skipWhitespace();
    bool scanRecord(qsizetype &length);
    bool readRecord(Value &out);
    void discard(qsizetype count);
    bool fail(qint64 offset, const QString &what, const QString &detail,
              const char *code = "json_syntax");
    bool unexpected(const QString &expected);
    bool expectEnd(const QString &expected);

    QIODevice *m_device;
    Options m_options;
    std::unique_ptr<Json::Internal::Parser> m_parser;
    Mode m_mode;
    State m_state = State::Start;
    QByteArray m_buffer;
    qsizetype m_pos = 0;          // first unconsumed byte in m_buffer
    qint64 m_bufferOffset = 0;    // stream offset of m_buffer[0]
    qint64 m_bytesRead = 0;
    qint64 m_records = 0;
    qint64 m_discardedLines = 0;  // line feeds in the bytes dropped from the buffer
    qint64 m_discardedColumn = 0; // characters after the last of them
    bool m_eof = false;
    std::optional<Error> m_error;
};

// Writes records to a QIODevice as one JSON array ("[rec,rec]", or indented when the
// options say pretty) or as JSON Lines (one compact value per line, each ending in '\n').
// Records are serialized like Json::serialize(); an undefined record is null in an array
// and skipped in lines. Output is buffered and written in chunks; finish() writes the rest
// (and the closing bracket) and must be called — the destructor writes nothing.
// The writer does not own the device. Errors ("json_io", a failed or short write) stop
// the writer and are kept in error().
class JsonStreamWriter
{
public:
    enum class Format { Array, Lines };

    explicit JsonStreamWriter(QIODevice *device, Format format = Format::Array,
                              const Json::WriteOptions &options = {});
    ~JsonStreamWriter();
    JsonStreamWriter(const JsonStreamWriter &) = delete;
    JsonStreamWriter &operator=(const JsonStreamWriter &) = delete;

    bool write(const Value &record);
    bool finish();

    const std::optional<Error> &error() const { return m_error; }
    qint64 recordCount() const { return m_records; }

private:
    bool flush();

    QIODevice *m_device;
    Format m_format;
    Json::WriteOptions m_options;
    QByteArray m_pending;
    qint64 m_records = 0;
    bool m_finished = false;
    std::optional<Error> m_error;
};

} // namespace Conflux::Data
