#pragma once

#include "httprequest.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Conflux::Http {

// Size limits for one request. Defaults follow nginx/Envoy. Every limit is in bytes except
// the counts; each one, when exceeded, fails the request with the status noted.
struct HttpLimits
{
    qsizetype maxRequestLineBytes = 8 * 1024;  // request line without CRLF → 414
    qsizetype maxHeaderLineBytes = 16 * 1024;  // one field line without CRLF → 431
    qsizetype maxHeaderBytes = 64 * 1024;      // header section plus trailer section → 431
    int maxHeaderCount = 100;                  // header plus trailer fields → 431
    qint64 maxBodyBytes = 10 * 1024 * 1024;    // decoded body → 413
    qsizetype maxChunkLineBytes = 4 * 1024;    // chunk-size line with extensions → 400
};

// Why a request was rejected: the status to answer with, a reason for people (naming the
// header or part at fault), and the byte offset in the request where the problem was found.
struct HttpParseError
{
    int status = 0;
    QString reason;
    qint64 offset = 0;
};

// An incremental, strict HTTP/1.1 request parser (RFC 9112) with no network dependency.
//
// Feed bytes as they arrive; feed() answers NeedMore until one request is complete, then
// Complete (take it with takeRequest()), or Error (see error(); the connection must then be
// answered with error().status and closed: the parser stays in Error for good).
//
// It rejects everything that could desynchronise it from another HTTP implementation
// (request smuggling): Content-Length together with Transfer-Encoding, several or malformed
// Content-Length fields, any transfer coding other than a single final "chunked", malformed
// chunks, obs-fold, bare LF or CR, whitespace before a header colon, non-token methods and
// field names, control characters in values. HTTP/1.1 requests must carry exactly one Host.
// Versions other than HTTP/1.0 and HTTP/1.1 get 505, an Expect other than 100-continue 417.
// The body size is checked from Content-Length as soon as the headers are complete, before
// any body byte is read, and for chunked bodies as each chunk size arrives.
//
// Pipelining: bytes after a complete request stay buffered. While the state is Complete,
// feed() only buffers; after takeRequest(), call parse() (or feed()) to go on with them.
// The bytes held are bounded by the limits only while the caller does not feed a Complete
// parser; callers should stop reading the connection until the request is taken.
//
// Not thread-safe; use one parser per connection.
class HttpRequestParser
{
public:
    enum class State { NeedMore, Complete, Error };

    explicit HttpRequestParser(const HttpLimits &limits = {});

    // Appends `data` and parses as far as possible.
    State feed(QByteArrayView data);
    // As feed(), adopting `data` without a copy when nothing is buffered.
    State feedOwned(QByteArray &&data);
    // Parses what is buffered (after takeRequest(), for pipelined requests).
    State parse();
    State state() const { return m_state; }

    // The request; valid in state Complete. Resets the parser for the next request and keeps
    // the bytes already received after this one (call parse() next).
    HttpRequest takeRequest();

    // Valid in state Error.
    const HttpParseError &error() const { return m_error; }

    // True once the header section of the current request is complete (its fields can be
    // read from partialRequest()); until takeRequest().
    bool isHeaderComplete() const;
    // The request being parsed: method, target and headers once isHeaderComplete().
    const HttpRequest &partialRequest() const { return m_request; }
    // True when the client asked for "Expect: 100-continue" on HTTP/1.1, a body is announced
    // and acceptable by its declared size, and no byte of it has arrived yet.
    bool expectsContinue() const;
    // True when no byte of a next request has been received (the connection is idle).
    bool isIdle() const;
    // Bytes received and not yet consumed into a request.
    qsizetype bufferedBytes() const { return m_buffer.size() - m_pos; }

    const HttpLimits &limits() const { return m_limits; }

    // Forgets everything, including buffered bytes and an error.
    void reset();
    // The bytes buffered after the last complete request (a protocol switch hands them to the
    // new protocol), and reset().
    QByteArray takeBuffered();

private:
    enum class Phase {
        RequestLine,
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        Done,
    };
    enum class LineStatus { Line, NeedMore, TooLong, BareLf };

    LineStatus nextLine(qsizetype maxLength, QByteArrayView *line, qsizetype *lineStart);
    bool fail(int status, const QString &reason, qsizetype bufferPos);
    bool parseRequestLine(QByteArrayView line, qsizetype lineStart);
    bool parseTarget(QByteArrayView target, qsizetype lineStart);
    bool parseFieldLine(QByteArrayView line, qsizetype lineStart, HttpHeaders *into);
    bool finishHeaders(qsizetype pos);
    bool parseChunkSize(QByteArrayView line, qsizetype lineStart);
    bool stepFieldSection(Phase phase);
    void compact();
    void startRequest();

    HttpLimits m_limits;
    State m_state = State::NeedMore;
    Phase m_phase = Phase::RequestLine;
    HttpParseError m_error;
    HttpRequest m_request;

    QByteArray m_buffer;
    qsizetype m_pos = 0;       // first unconsumed byte in m_buffer
    qsizetype m_scanPos = 0;   // where the search for the next LF resumes
    qint64 m_requestStart = 0; // stream offset of the current request's first byte
    qint64 m_dropped = 0;      // bytes removed from the front of m_buffer so far

    int m_leadingEmptyLines = 0;
    qsizetype m_fieldBytes = 0; // header + trailer section bytes so far
    int m_fieldCount = 0;
    qint64 m_bodyRemaining = 0; // of the identity body or the current chunk
    bool m_chunked = false;
    bool m_sawChunk = false;
    bool m_expectContinue = false;
};

} // namespace Conflux::Http
