#include "data/jsonstream.h"

#include "data/json_p.h"

#include <QElapsedTimer>
#include <QIODevice>

#include <algorithm>
#include <cstring>

using namespace Qt::StringLiterals;

namespace Conflux::Data {

using namespace Json::Internal;

namespace {

using uchar = unsigned char;

constexpr bool isWhitespace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// Bytes of a bare number or literal (true, 1e-5); anything else ends the token.
constexpr bool isScalarByte(uchar c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '-'
        || c == '+' || c == '.';
}

qint64 countCharacters(const char *begin, const char *end)
{
    qint64 n = 0;
    for (const char *p = begin; p < end; ++p)
        n += (uchar(*p) & 0xc0) != 0x80;
    return n;
}

Json::ReadOptions recordOptions(const JsonStreamReader::Options &options)
{
    Json::ReadOptions read;
    read.maxDepth = options.maxDepth;
    read.maxBytes = options.maxRecordBytes;
    read.duplicateKeys = options.duplicateKeys;
    return read;
}

} // namespace

// --- JsonStreamReader -----------------------------------------------------------------

JsonStreamReader::JsonStreamReader(QIODevice *device) : JsonStreamReader(device, Options()) {}

JsonStreamReader::JsonStreamReader(QIODevice *device, const Options &options)
    : m_device(device)
    , m_options(options)
    , m_parser(std::make_unique<Parser>(recordOptions(options)))
    , m_mode(options.mode)
{
    m_options.chunkSize = std::clamp<qint64>(m_options.chunkSize, 1, 16 * 1024 * 1024);
}

JsonStreamReader::~JsonStreamReader() = default;

bool JsonStreamReader::next(Value &out)
{
    for (;;) {
        switch (m_state) {
        case State::Done:
        case State::Failed:
            return false;

        case State::Start: {
            if (!m_device || !m_device->isReadable())
                return fail(0, Tr::tr("cannot read the input"), Tr::tr("the device is not open for reading"),
                            "json_io");
            // Enough bytes to tell a byte order mark, and no more (a socket may not
            // have more yet).
            static constexpr QByteArrayView bom("\xEF\xBB\xBF", 3);
            while (m_buffer.size() < 3 && bom.startsWith(QByteArrayView(m_buffer)) && fill()) {
            }
            if (m_error)
                return false;
            if (m_buffer.startsWith(bom)) {
                // Not counted as a character of line 1.
                m_buffer.remove(0, 3);
                m_bufferOffset = 3;
            }
            if (!skipWhitespace()) {
                if (m_error)
                    return false;
                if (m_mode == Mode::Single)
                    return unexpected(Tr::tr("expected a value"));
                if (m_mode == Mode::Auto)
                    m_mode = Mode::Values;
                m_state = State::Done;
                return false;
            }
            const char first = m_buffer.at(m_pos);
            if (m_mode == Mode::Auto)
                m_mode = first == '[' ? Mode::ArrayItems : Mode::Values;
            if (m_mode == Mode::ArrayItems) {
                if (first != '[')
                    return unexpected(Tr::tr("expected '[' (the input is read as the items of a top-level array)"));
                ++m_pos;
                m_state = State::FirstItem;
            } else {
                m_state = State::Values;
            }
            continue;
        }

        case State::FirstItem:
            if (!skipWhitespace())
                return m_error ? false : unexpected(Tr::tr("expected an array item or ']'"));
            if (m_buffer.at(m_pos) == ']') {
                ++m_pos;
                m_state = State::AfterArray;
                continue;
            }
            if (!readRecord(out))
                return false;
            m_state = State::NextItem;
            return true;

        case State::NextItem:
            if (!skipWhitespace())
                return m_error ? false : unexpected(Tr::tr("expected ',' or ']' after an array item"));
            if (m_buffer.at(m_pos) == ']') {
                ++m_pos;
                m_state = State::AfterArray;
                continue;
            }
            if (m_buffer.at(m_pos) != ',')
                return unexpected(Tr::tr("expected ',' or ']' after an array item"));
            ++m_pos;
            if (!skipWhitespace())
                return m_error ? false : unexpected(Tr::tr("expected an array item"));
            if (m_buffer.at(m_pos) == ']')
                return unexpected(Tr::tr("expected an array item (trailing commas are not allowed in JSON)"));
            return readRecord(out);

        case State::AfterArray:
            if (!skipWhitespace()) {
                if (m_error)
                    return false;
                m_state = State::Done;
                return false;
            }
            return unexpected(m_options.mode == Mode::Auto
                                  ? Tr::tr("expected the end of the input after the top-level array "
                                           "(an input that starts with '[' is read as the items of one array)")
                                  : Tr::tr("expected the end of the input after the top-level array"));

        case State::Values:
            if (!skipWhitespace()) {
                if (m_error)
                    return false;
                if (m_mode == Mode::Single)
                    return unexpected(Tr::tr("expected a value"));
                m_state = State::Done;
                return false;
            }
            if (!readRecord(out))
                return false;
            if (m_mode == Mode::Single)
                m_state = State::AfterSingle;
            return true;

        case State::AfterSingle:
            if (!skipWhitespace()) {
                if (m_error)
                    return false;
                m_state = State::Done;
                return false;
            }
            return unexpected(Tr::tr("expected the end of the input after the top-level value"));
        }
    }
}

// Reads more input behind what is buffered, first dropping the consumed bytes before
// m_pos. False at the end of the input or on an error (then m_error is set).
bool JsonStreamReader::fill()
{
    if (m_eof || m_error)
        return false;
    if (m_pos > 0)
        discard(m_pos);
    const qsizetype chunk = qsizetype(m_options.chunkSize);
    if (m_buffer.capacity() > 4 * chunk && m_buffer.size() < chunk) {
        // A large record has passed; give its memory back.
        QByteArray smaller;
        smaller.reserve(2 * chunk);
        smaller.append(m_buffer);
        m_buffer.swap(smaller);
    }

    QElapsedTimer waited;
    for (;;) {
        const qsizetype used = m_buffer.size();
        m_buffer.resize(used + chunk);
        const qint64 n = m_device->read(m_buffer.data() + used, chunk);
        m_buffer.resize(used + qsizetype(std::max<qint64>(n, 0)));
        if (n > 0) {
            m_bytesRead += n;
            return true;
        }
        if (n == 0 && m_device->isSequential() && m_device->isOpen()) {
            // A socket or process may simply have nothing yet.
            if (!waited.isValid())
                waited.start();
            const qint64 left = m_options.readTimeoutMs - waited.elapsed();
            if (left > 0 && m_device->waitForReadyRead(int(left)))
                continue;
            if (waited.elapsed() >= m_options.readTimeoutMs) {
                return fail(m_bufferOffset + m_buffer.size(), Tr::tr("no input for %1 ms").arg(m_options.readTimeoutMs),
                            Tr::tr("the device delivered no more data within Options::readTimeoutMs"),
                            "json_io");
            }
        }
        m_eof = true;
        return false;
    }
}

void JsonStreamReader::discard(qsizetype count)
{
    const char *begin = m_buffer.constData();
    const char *end = begin + count;
    const char *lastLineFeed = nullptr;
    for (const char *p = end; p > begin; --p) {
        if (p[-1] == '\n') {
            lastLineFeed = p - 1;
            break;
        }
    }
    if (lastLineFeed) {
        m_discardedLines += std::count(begin, lastLineFeed + 1, '\n');
        m_discardedColumn = countCharacters(lastLineFeed + 1, end);
    } else {
        m_discardedColumn += countCharacters(begin, end);
    }
    m_buffer.remove(0, count);
    m_bufferOffset += count;
    m_pos -= count;
}

bool JsonStreamReader::skipWhitespace()
{
    for (;;) {
        const char *data = m_buffer.constData();
        const qsizetype size = m_buffer.size();
        while (m_pos < size && isWhitespace(data[m_pos]))
            ++m_pos;
        if (m_pos < size)
            return true;
        if (!fill())
            return false;
    }
}

// Finds where the record that starts at m_pos ends, reading as much as it needs. Only
// brackets and strings are followed here; the Parser checks everything else afterwards,
// so each byte is looked at twice at most.
bool JsonStreamReader::scanRecord(qsizetype &length)
{
    enum class Kind { Container, String, Scalar };
    const uchar first = uchar(m_buffer.at(m_pos));
    const Kind kind = (first == '{' || first == '[') ? Kind::Container
        : first == '"'                               ? Kind::String
                                                     : Kind::Scalar;
    if (kind == Kind::Scalar && !isScalarByte(first)) {
        length = 1; // a stray character; the parser names it
        return true;
    }
    qsizetype i = 0;
    int depth = 0;
    bool inString = false;
    for (;;) {
        const auto *data = reinterpret_cast<const uchar *>(m_buffer.constData()) + m_pos;
        const qsizetype available = m_buffer.size() - m_pos;
        while (i < available) {
            const uchar c = data[i];
            if (inString) {
                if (c == '\\') {
                    if (i + 1 >= available)
                        break; // the escaped byte is not here yet
                    i += 2;
                    continue;
                }
                ++i;
                if (c == '"') {
                    inString = false;
                    if (kind == Kind::String) {
                        length = i;
                        return true;
                    }
                }
                continue;
            }
            if (kind == Kind::Scalar) {
                if (!isScalarByte(c)) {
                    length = i;
                    return true;
                }
                ++i;
                continue;
            }
            ++i;
            if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                length = i;
                return true;
            }
        }
        if (i > m_options.maxRecordBytes) {
            return fail(m_bufferOffset + m_pos,
                        Tr::tr("record larger than %1 bytes").arg(m_options.maxRecordBytes),
                        Tr::tr("the limit is JsonStreamReader::Options::maxRecordBytes"), "json_limit");
        }
        if (!fill()) {
            if (m_error)
                return false;
            length = m_buffer.size() - m_pos; // cut short: the parser says what is missing
            return true;
        }
    }
}

bool JsonStreamReader::readRecord(Value &out)
{
    qsizetype length = 0;
    if (!scanRecord(length))
        return false;
    const qint64 start = m_bufferOffset + m_pos;
    if (length > m_options.maxRecordBytes) {
        return fail(start, Tr::tr("record larger than %1 bytes").arg(m_options.maxRecordBytes),
                    Tr::tr("the limit is JsonStreamReader::Options::maxRecordBytes"), "json_limit");
    }
    const char *begin = m_buffer.constData() + m_pos;
    m_parser->setBaseOffset(start);
    if (!m_parser->parse(begin, begin + length, out)) {
        ParseError error = m_parser->error();
        const char *at = begin + error.position;
        const char *bufferEnd = m_buffer.constData() + m_buffer.size();
        if (error.position == length && at < bufferEnd) {
            // The record ended at a byte the parser did not see (after "tru", say).
            error.what = unexpectedWhat(at, bufferEnd);
        }
        const qint64 offset = start + error.position;
        return fail(offset, error.what, error.detail, error.code);
    }
    m_pos += length;
    ++m_records;
    return true;
}

bool JsonStreamReader::fail(qint64 offset, const QString &what, const QString &detail, const char *code)
{
    const char *data = m_buffer.constData();
    const qsizetype at = qsizetype(std::clamp<qint64>(offset - m_bufferOffset, 0, m_buffer.size()));
    LineColumn where = lineColumn(data, data + at);
    if (where.line == 1)
        where.column += m_discardedColumn;
    where.line += m_discardedLines;
    ParseError error;
    error.code = code;
    error.what = what;
    error.detail = detail;
    m_error = makeError(error, offset, where, Tr::tr(" in record %1").arg(m_records));
    m_state = State::Failed;
    return false;
}

bool JsonStreamReader::unexpected(const QString &expected)
{
    // Make sure a multi-byte character at m_pos is whole before describing it.
    while (m_pos < m_buffer.size() && uchar(m_buffer.at(m_pos)) >= 0xc0
           && m_buffer.size() - m_pos < 4 && fill()) {
    }
    if (m_error)
        return false;
    const char *data = m_buffer.constData();
    return fail(m_bufferOffset + m_pos, unexpectedWhat(data + m_pos, data + m_buffer.size()), expected);
}

// --- JsonStreamWriter -----------------------------------------------------------------

namespace {
constexpr qsizetype flushThreshold = 64 * 1024;
}

JsonStreamWriter::JsonStreamWriter(QIODevice *device, Format format, const Json::WriteOptions &options)
    : m_device(device), m_format(format), m_options(options)
{
    if (m_format == Format::Lines)
        m_options.pretty = false; // a record per line
}

JsonStreamWriter::~JsonStreamWriter() = default;

bool JsonStreamWriter::write(const Value &record)
{
    if (m_error || m_finished)
        return false;
    const bool pretty = m_options.pretty && m_options.indent > 0;
    if (m_format == Format::Lines) {
        if (record.isUndefined() || record.isFunction())
            return true;
        Json::serialize(record, m_pending, m_options);
        m_pending.append('\n');
    } else {
        m_pending.append(m_records == 0 ? '[' : ',');
        if (pretty) {
            m_pending.append('\n');
            m_pending.append(std::min(m_options.indent, 10), ' ');
        }
        serializeAt(record, m_pending, m_options, 1);
    }
    ++m_records;
    return m_pending.size() < flushThreshold || flush();
}

bool JsonStreamWriter::finish()
{
    if (m_error)
        return false;
    if (m_finished)
        return true;
    m_finished = true;
    if (m_format == Format::Array) {
        if (m_records == 0)
            m_pending.append("[]");
        else if (m_options.pretty && m_options.indent > 0)
            m_pending.append("\n]");
        else
            m_pending.append(']');
    }
    return flush();
}

bool JsonStreamWriter::flush()
{
    if (m_pending.isEmpty())
        return true;
    const qint64 written = m_device ? m_device->write(m_pending) : -1;
    if (written != m_pending.size()) {
        const QString reason = m_device ? m_device->errorString() : Tr::tr("no device");
        m_error = Error{u"json_io"_s, Tr::tr("cannot write JSON output: %1").arg(reason), {}, -1};
        return false;
    }
    m_pending.resize(0); // keeps the capacity for the next batch
    return true;
}

} // namespace Conflux::Data
