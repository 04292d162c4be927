#include "data/xml.h"

#include "data/numbers.h"

#include <QIODevice>
#include <QSet>
#include <QXmlStreamReader>
#include <QXmlStreamWriter>

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

namespace Conflux::Data::Xml {

namespace {

const QString textKey = u"#text"_s;

bool isXmlSpace(QChar c)
{
    const char16_t u = c.unicode();
    return u == u' ' || u == u'\t' || u == u'\n' || u == u'\r';
}

bool isWhitespaceOnly(QStringView text)
{
    return std::all_of(text.begin(), text.end(), isXmlSpace);
}

QString trimXml(const QString &text)
{
    qsizetype begin = 0;
    qsizetype end = text.size();
    while (begin < end && isXmlSpace(text.at(begin)))
        ++begin;
    while (end > begin && isXmlSpace(text.at(end - 1)))
        --end;
    return begin == 0 && end == text.size() ? text : text.mid(begin, end - begin);
}

// Element paths as used by arrayPaths and the record path: "A/B/C" from the root, or
// "//C" for an element named C at any depth.
class PathSet
{
public:
    PathSet() = default;
    explicit PathSet(const QStringList &paths)
    {
        for (const QString &p : paths) {
            if (p.startsWith(u"//")) {
                m_names.insert(p.mid(2));
            } else {
                QString path = p;
                while (path.startsWith(u'/'))
                    path.remove(0, 1);
                while (path.endsWith(u'/'))
                    path.chop(1);
                if (!path.isEmpty())
                    m_paths.insert(path);
            }
        }
    }
    bool isEmpty() const { return m_paths.isEmpty() && m_names.isEmpty(); }
    bool matches(const QString &path, const QString &name) const
    {
        return m_paths.contains(path) || m_names.contains(name);
    }

private:
    QSet<QString> m_paths;
    QSet<QString> m_names;
};

} // namespace

namespace Internal {

// The byte source the stream reader pulls from. It enforces the size limits at the
// source, before QXmlStreamReader buffers anything: the reader keeps an unfinished token
// (a long text, a huge comment) in memory, so a token that grows without end must be cut
// off here rather than after it is complete.
class ByteSource final : public QIODevice
{
public:
    enum class Limit { None, Size, Token };

    explicit ByteSource(QByteArrayView data) : m_data(data) { open(ReadOnly | Unbuffered); }
    explicit ByteSource(QIODevice *device) : m_device(device) { open(ReadOnly | Unbuffered); }

    bool isSequential() const override { return true; }
    bool atEnd() const override { return m_eof; }
    qint64 bytesAvailable() const override
    {
        if (m_device)
            return m_device->bytesAvailable();
        return m_data.size() - m_position;
    }

    void setLimits(qint64 maxSize, qint64 maxToken)
    {
        m_maxSize = maxSize;
        m_maxToken = maxToken;
    }
    void markSizeStart() { m_sizeMark = m_total; }
    void markToken() { m_tokenMark = m_total; }
    Limit limitHit() const { return m_limit; }
    qint64 total() const { return m_total; }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        if (m_limit != Limit::None || m_eof)
            return -1;
        qint64 n = 0;
        if (m_device) {
            n = m_device->read(data, maxSize);
        } else {
            n = std::min<qint64>(maxSize, m_data.size() - m_position);
            if (n > 0) {
                std::memcpy(data, m_data.data() + m_position, size_t(n));
                m_position += n;
            }
        }
        if (n <= 0) {
            m_eof = true;
            return -1;
        }
        m_total += n;
        if (m_total - m_sizeMark > m_maxSize)
            m_limit = Limit::Size;
        else if (m_total - m_tokenMark > m_maxToken)
            m_limit = Limit::Token;
        return m_limit == Limit::None ? n : -1;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QIODevice *m_device = nullptr;
    QByteArrayView m_data;
    qint64 m_position = 0;
    qint64 m_total = 0;
    qint64 m_sizeMark = 0;
    qint64 m_tokenMark = 0;
    qint64 m_maxSize = 0;
    qint64 m_maxToken = 0;
    Limit m_limit = Limit::None;
    bool m_eof = false;
};

// Turns the token stream into Values, for a whole document or record by record.
class XmlParser
{
public:
    // Record mode when `recordPath` is given, document mode otherwise.
    XmlParser(std::unique_ptr<ByteSource> source, const XmlReadOptions &options,
              const QString *recordPath)
        : m_source(std::move(source))
        , m_options(options)
        , m_arrayPaths(options.arrayPaths)
        , m_recordMode(recordPath != nullptr)
    {
        if (m_recordMode) {
            m_recordPaths = PathSet(QStringList{*recordPath});
            if (m_recordPaths.isEmpty())
                m_error = makeError("xml_invalid_option",
                                    u"The record path \"%1\" names no element"_s.arg(*recordPath));
        }
        // A token may hold a text of maxTextLength characters written with entities or
        // multi-byte UTF-8; anything far beyond that is not a text we would keep.
        const qint64 maxToken = std::max<qint64>(options.limits.maxTextLength, 16 * 1024) * 6 + 65536;
        m_source->setLimits(options.limits.maxSize, maxToken);
        m_reader.setDevice(m_source.get());
        m_reader.setNamespaceProcessing(false);   // names as written, xmlns as attributes (after setDevice, which resets it)
    }

    Result<Value> readDocument()
    {
        if (m_error)
            return *m_error;
        for (;;) {
            switch (step()) {
            case Outcome::Failed:
                return *m_error;
            case Outcome::Record:
                continue;   // not in document mode
            case Outcome::End:
                if (m_document.isUndefined())
                    return fail("xml_syntax", u"The document has no root element"_s);
                return m_document;
            }
        }
    }

    Result<Value> nextRecord()
    {
        if (m_error)
            return *m_error;
        if (m_ended)
            return Value();
        switch (step()) {
        case Outcome::Failed:
            return *m_error;
        case Outcome::Record:
            ++m_recordCount;
            return std::exchange(m_record, Value());
        case Outcome::End:
            break;
        }
        return Value();
    }

    bool atEnd() const { return m_ended || m_error.has_value(); }
    qint64 recordCount() const { return m_recordCount; }

private:
    enum class Outcome { Record, End, Failed };

    struct Frame
    {
        QString name;
        Object object;
        QString run;          // text since the last child element
        QString mixed;        // non-blank runs of an element with children
        qsizetype textIndex = -1;
        int attributeCount = 0;
        bool hasChildren = false;
        bool forcedArray = false;
    };

    struct Open
    {
        qsizetype pathLength;  // of m_path before this element
        qint64 line;
        qint64 column;
    };

    Outcome step()
    {
        for (;;) {
            const QXmlStreamReader::TokenType token = m_reader.readNext();
            m_source->markToken();
            // Between records the size limit starts afresh: it bounds one record.
            if (m_recordMode && m_frames.empty())
                m_source->markSizeStart();
            switch (token) {
            case QXmlStreamReader::Invalid:
                if (m_source->limitHit() != ByteSource::Limit::None)
                    return limitFailure();
                if (m_reader.error() == QXmlStreamReader::PrematureEndOfDocumentError
                    && !m_source->atEnd()) {
                    // A sequential source delivers in pieces; the reader resumes once it
                    // gets more. Guard against a reader that asks for nothing new.
                    if (m_source->total() == m_stalledAt)
                        return syntaxFailure();
                    m_stalledAt = m_source->total();
                    continue;
                }
                return syntaxFailure();
            case QXmlStreamReader::DTD:
                fail("xml_doctype",
                     u"XML document type declarations (DOCTYPE) are not accepted, at line %1, column %2: "
                     "a DTD can expand entities without bound or load external files"_s
                         .arg(m_reader.lineNumber())
                         .arg(column()));
                return Outcome::Failed;
            case QXmlStreamReader::EntityReference:
                fail("xml_syntax", u"Unresolved entity reference &%1; at line %2, column %3"_s
                                       .arg(m_reader.name().toString())
                                       .arg(m_reader.lineNumber())
                                       .arg(column()));
                return Outcome::Failed;
            case QXmlStreamReader::StartElement:
                if (!startElement())
                    return Outcome::Failed;
                break;
            case QXmlStreamReader::EndElement:
                if (endElement())
                    return Outcome::Record;
                break;
            case QXmlStreamReader::Characters:
                if (!characters())
                    return Outcome::Failed;
                break;
            case QXmlStreamReader::EndDocument:
                m_ended = true;
                return Outcome::End;
            default:
                break;   // StartDocument, comments, processing instructions
            }
            m_stalledAt = -1;
        }
    }

    qint64 column() const { return std::max<qint64>(1, m_reader.columnNumber()); }

    bool startElement()
    {
        const XmlLimits &limits = m_options.limits;
        if (qsizetype(m_open.size()) >= limits.maxDepth) {
            fail("xml_limit", u"XML limit exceeded at line %1, column %2: elements nested deeper than %3 "
                              "(limits.maxDepth)"_s
                                  .arg(m_reader.lineNumber())
                                  .arg(column())
                                  .arg(limits.maxDepth));
            return false;
        }
        QString name = m_reader.qualifiedName().toString();
        m_sawRoot = true;
        m_open.push_back(Open{m_path.size(), m_reader.lineNumber(), column()});
        if (!m_path.isEmpty())
            m_path += u'/';
        m_path += name;

        const QXmlStreamAttributes attributes = m_reader.attributes();
        if (attributes.size() > limits.maxAttributes) {
            fail("xml_limit", u"XML limit exceeded at line %1, column %2: element <%3> has %4 attributes, "
                              "more than %5 (limits.maxAttributes)"_s
                                  .arg(m_reader.lineNumber())
                                  .arg(column())
                                  .arg(name)
                                  .arg(attributes.size())
                                  .arg(limits.maxAttributes));
            return false;
        }
        for (const QXmlStreamAttribute &attribute : attributes) {
            if (attribute.value().size() > limits.maxTextLength) {
                fail("xml_limit", u"XML limit exceeded at line %1, column %2: attribute %3 is longer than "
                                  "%4 characters (limits.maxTextLength)"_s
                                      .arg(m_reader.lineNumber())
                                      .arg(column())
                                      .arg(attribute.qualifiedName().toString())
                                      .arg(limits.maxTextLength));
                return false;
            }
        }

        if (m_recordMode && m_frames.empty()) {
            if (!m_recordPaths.matches(m_path, name))
                return true;   // outside any record: checked, not kept
        }
        if (!m_frames.empty()) {
            Frame &parent = m_frames.back();
            parent.hasChildren = true;
            flushRun(parent);
        }

        Frame frame;
        frame.forcedArray = !m_arrayPaths.isEmpty() && m_arrayPaths.matches(m_path, name);
        frame.name = std::move(name);
        frame.attributeCount = int(attributes.size());
        if (!attributes.isEmpty()) {
            frame.object.reserve(attributes.size());
            for (const QXmlStreamAttribute &attribute : attributes) {
                const QStringView attributeName = attribute.qualifiedName();
                QString key;
                key.reserve(attributeName.size() + 1);
                key += u'@';
                key += attributeName;
                frame.object.append(std::move(key), Value(attribute.value().toString()));
            }
        }
        m_frames.push_back(std::move(frame));
        return true;
    }

    bool characters()
    {
        if (m_frames.empty())
            return true;   // between records
        Frame &frame = m_frames.back();
        const QStringView text = m_reader.text();
        if (frame.run.isEmpty())
            frame.run = text.toString();
        else
            frame.run += text;
        if (frame.run.size() + frame.mixed.size() > m_options.limits.maxTextLength) {
            fail("xml_limit", u"XML limit exceeded at line %1, column %2: the text of <%3> is longer than "
                              "%4 characters (limits.maxTextLength)"_s
                                  .arg(m_reader.lineNumber())
                                  .arg(column())
                                  .arg(frame.name)
                                  .arg(m_options.limits.maxTextLength));
            return false;
        }
        return true;
    }

    // Text between child elements: blank runs are layout, others are kept in order and
    // "#text" takes the place of the first one among the members.
    void flushRun(Frame &frame)
    {
        if (frame.run.isEmpty())
            return;
        if (!isWhitespaceOnly(frame.run)) {
            if (frame.textIndex < 0) {
                frame.textIndex = frame.object.size();
                frame.object.append(textKey, Value());
            }
            frame.mixed += m_options.trimText ? trimXml(frame.run) : frame.run;
        }
        frame.run.clear();
    }

    Value finish(Frame &frame)
    {
        if (frame.hasChildren) {
            flushRun(frame);
            if (frame.textIndex >= 0)
                frame.object.valueAt(frame.textIndex) = Value(std::move(frame.mixed));
            return Value(std::move(frame.object));
        }
        QString text = m_options.trimText ? trimXml(frame.run) : std::move(frame.run);
        if (frame.attributeCount == 0) {
            if (text.isEmpty())
                return m_options.emptyAsNull ? Value(nullptr) : Value(QString());
            return Value(std::move(text));
        }
        if (!text.isEmpty())
            frame.object.append(textKey, Value(std::move(text)));
        return Value(std::move(frame.object));
    }

    static void addChild(Object &parent, QString name, Value value, bool forcedArray)
    {
        const qsizetype index = parent.indexOf(name);
        if (index < 0) {
            if (forcedArray)
                parent.append(std::move(name), Value(Array{std::move(value)}));
            else
                parent.append(std::move(name), std::move(value));
            return;
        }
        // Element values are never arrays themselves, so an array here is repetition.
        Value &existing = parent.valueAt(index);
        if (existing.isArray()) {
            existing.mutableArray().push_back(std::move(value));
        } else {
            Array items;
            items.reserve(4);
            items.push_back(std::move(existing));
            items.push_back(std::move(value));
            existing = Value(std::move(items));
        }
    }

    // True when a record is complete.
    bool endElement()
    {
        bool recordDone = false;
        if (!m_frames.empty()) {
            Frame frame = std::move(m_frames.back());
            m_frames.pop_back();
            Value value = finish(frame);
            if (!m_frames.empty()) {
                addChild(m_frames.back().object, std::move(frame.name), std::move(value), frame.forcedArray);
            } else if (m_recordMode) {
                m_record = std::move(value);
                recordDone = true;
            } else {
                Object document;
                if (frame.forcedArray)
                    document.append(std::move(frame.name), Value(Array{std::move(value)}));
                else
                    document.append(std::move(frame.name), std::move(value));
                m_document = Value(std::move(document));
            }
        }
        m_path.truncate(m_open.back().pathLength);
        m_open.pop_back();
        return recordDone;
    }

    Outcome limitFailure()
    {
        const XmlLimits &limits = m_options.limits;
        QString what;
        if (m_source->limitHit() == ByteSource::Limit::Size) {
            what = m_recordMode
                ? u"a record larger than %1 bytes (limits.maxSize)"_s.arg(limits.maxSize)
                : u"the document is larger than %1 bytes (limits.maxSize)"_s.arg(limits.maxSize);
        } else {
            what = u"a single text, comment or tag is longer than %1 characters (limits.maxTextLength)"_s
                       .arg(limits.maxTextLength);
        }
        fail("xml_limit", u"XML limit exceeded at line %1, column %2: %3"_s
                              .arg(m_reader.lineNumber())
                              .arg(column())
                              .arg(what));
        return Outcome::Failed;
    }

    Outcome syntaxFailure()
    {
        if (m_reader.error() == QXmlStreamReader::PrematureEndOfDocumentError) {
            if (!m_sawRoot) {
                fail("xml_syntax", u"The document is empty: no root element"_s);
            } else if (!m_open.empty()) {
                const Open &open = m_open.back();
                const QStringView name = QStringView(m_path).mid(open.pathLength + (open.pathLength ? 1 : 0));
                fail("xml_syntax", u"XML syntax error: the input ends inside element <%1> opened at line %2, "
                                   "column %3, which is not closed"_s
                                       .arg(name.toString())
                                       .arg(open.line)
                                       .arg(open.column));
            } else {
                fail("xml_syntax", u"XML syntax error at line %1, column %2: unexpected end of input"_s
                                       .arg(m_reader.lineNumber())
                                       .arg(column()));
            }
            return Outcome::Failed;
        }
        fail("xml_syntax", u"XML syntax error at line %1, column %2: %3"_s
                               .arg(m_reader.lineNumber())
                               .arg(column())
                               .arg(m_reader.errorString()));
        return Outcome::Failed;
    }

    Error fail(const char *code, const QString &message)
    {
        m_error = makeError(code, message);
        return *m_error;
    }

    std::unique_ptr<ByteSource> m_source;
    XmlReadOptions m_options;
    PathSet m_arrayPaths;
    PathSet m_recordPaths;
    QXmlStreamReader m_reader;
    std::vector<Frame> m_frames;   // elements being built (all of them in document mode)
    std::vector<Open> m_open;      // every open element
    QString m_path;                // "Root/Child/..." of the current element
    Value m_document;
    Value m_record;
    std::optional<Error> m_error;
    qint64 m_recordCount = 0;
    qint64 m_stalledAt = -1;
    bool m_recordMode = false;
    bool m_sawRoot = false;
    bool m_ended = false;
};

} // namespace Internal

Result<Value> read(QByteArrayView xml, const XmlReadOptions &options)
{
    if (xml.size() > options.limits.maxSize) {
        return makeError("xml_limit", u"XML limit exceeded: the document has %1 bytes, more than %2 "
                                      "(limits.maxSize)"_s
                                          .arg(xml.size())
                                          .arg(options.limits.maxSize));
    }
    Internal::XmlParser parser(std::make_unique<Internal::ByteSource>(xml), options, nullptr);
    return parser.readDocument();
}

XmlRecordReader::XmlRecordReader(QIODevice *device, const QString &recordPath, const XmlReadOptions &options)
    : m_parser(std::make_unique<Internal::XmlParser>(std::make_unique<Internal::ByteSource>(device), options,
                                                     &recordPath))
{
}

XmlRecordReader::~XmlRecordReader() = default;

Result<Value> XmlRecordReader::next()
{
    return m_parser->nextRecord();
}

bool XmlRecordReader::atEnd() const
{
    return m_parser->atEnd();
}

qint64 XmlRecordReader::recordCount() const
{
    return m_parser->recordCount();
}

// ---- writing ----------------------------------------------------------------------

namespace {

// XML 1.0 Name (with the colon of a prefix), checked on UTF-16 code units; characters
// outside the BMP are accepted where the production accepts #x10000-#xEFFFF.
bool isNameStart(char16_t c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_' || c == u':'
        || (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF)
        || (c >= 0x370 && c <= 0x37D) || (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D)
        || (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) || (c >= 0x3001 && c <= 0xD7FF)
        || (c >= 0xF900 && c <= 0xFDCF) || (c >= 0xFDF0 && c <= 0xFFFD);
}

bool isNameChar(char16_t c)
{
    return isNameStart(c) || c == u'-' || c == u'.' || (c >= u'0' && c <= u'9') || c == 0xB7
        || (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}

bool isValidName(QStringView name)
{
    if (name.isEmpty())
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name[i].unicode();
        if (QChar::isHighSurrogate(c)) {
            if (i + 1 >= name.size() || !QChar::isLowSurrogate(name[i + 1].unicode()))
                return false;
            if (QChar::surrogateToUcs4(c, name[i + 1].unicode()) > 0xEFFFF)
                return false;
            ++i;
            continue;
        }
        if (QChar::isLowSurrogate(c))
            return false;
        if (i == 0 ? !isNameStart(c) : !isNameChar(c))
            return false;
    }
    return true;
}

// Index of the first character XML 1.0 cannot carry, or -1.
qsizetype invalidCharIndex(QStringView text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (c >= 0x20 && c < 0xD800)
            continue;
        if (c == u'\t' || c == u'\n' || c == u'\r')
            continue;
        if (QChar::isHighSurrogate(c) && i + 1 < text.size() && QChar::isLowSurrogate(text[i + 1].unicode())) {
            ++i;
            continue;
        }
        if (c >= 0xE000 && c <= 0xFFFD)
            continue;
        return i;
    }
    return -1;
}

// The JSON pointer of the value being written, built only when an error needs it.
struct Pointer
{
    const Pointer *parent = nullptr;
    QStringView key;
    qsizetype index = -1;

    QString toString() const
    {
        std::vector<const Pointer *> chain;
        for (const Pointer *p = this; p && p->parent; p = p->parent)
            chain.push_back(p);
        QString out;
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
            out += u'/';
            if ((*it)->index >= 0) {
                out += QString::number((*it)->index);
            } else {
                QString key = (*it)->key.toString();
                key.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
                out += key;
            }
        }
        return out;
    }
};

class Writer
{
public:
    explicit Writer(const XmlWriteOptions &options) : m_writer(&m_out)
    {
        m_indented = options.indent > 0;
        if (m_indented) {
            m_writer.setAutoFormatting(true);
            m_writer.setAutoFormattingIndent(options.indent);
        }
        m_declaration = options.declaration;
    }

    Result<QByteArray> write(const Value &document)
    {
        const Pointer root;
        if (!document.isObject())
            return invalid(root, u"the document must be an object with one member, the root element, not %1"_s
                                     .arg(QLatin1StringView(document.typeName())));
        const Object &object = document.toObject();
        const Object::Member *rootMember = nullptr;
        for (const Object::Member &member : object) {
            if (member.second.isUndefined())
                continue;
            if (rootMember)
                return invalid(root, u"the document must have exactly one member, the root element"_s);
            rootMember = &member;
        }
        if (!rootMember)
            return invalid(root, u"the document must have exactly one member, the root element"_s);
        const Pointer pointer{&root, rootMember->first};
        if (rootMember->second.isArray())
            return invalid(pointer, u"an XML document has one root element, not an array"_s);
        if (m_declaration)
            m_writer.writeStartDocument();
        if (!element(rootMember->first, rootMember->second, pointer))
            return *m_error;
        m_writer.writeEndDocument();
        if (m_writer.hasError())
            return makeError("xml_write", u"Could not write the XML document"_s);
        if (!m_indented && m_out.endsWith('\n'))
            m_out.chop(1);   // QXmlStreamWriter ends the document with a line break
        return std::move(m_out);
    }

private:
    Error invalid(const Pointer &at, const QString &what)
    {
        m_error = makeError("xml_invalid_value", u"Cannot write XML at %1: %2"_s.arg(pointerText(at), what));
        return *m_error;
    }

    static QString pointerText(const Pointer &at)
    {
        const QString pointer = at.toString();
        return pointer.isEmpty() ? u"the document root"_s : u"\"%1\""_s.arg(pointer);
    }

    bool checkName(QStringView name, const Pointer &at)
    {
        if (isValidName(name))
            return true;
        m_error = makeError("xml_invalid_name", u"Cannot write XML at %1: \"%2\" is not a valid XML name"_s
                                                    .arg(pointerText(at), name.toString()));
        return false;
    }

    bool scalarText(const Value &value, const Pointer &at, QString *text)
    {
        switch (value.type()) {
        case Value::Type::Bool:
            *text = value.toBool() ? u"true"_s : u"false"_s;
            return true;
        case Value::Type::Number:
            *text = value.hasExactText() ? value.exactText() : formatNumberString(value.toDouble());
            return true;
        case Value::Type::String: {
            *text = value.toString();
            const qsizetype bad = invalidCharIndex(*text);
            if (bad >= 0) {
                m_error = makeError("xml_invalid_char",
                                    u"Cannot write XML at %1: character U+%2 at index %3 cannot appear in XML"_s
                                        .arg(pointerText(at))
                                        .arg(uint(text->at(bad).unicode()), 4, 16, QLatin1Char('0'))
                                        .arg(bad));
                return false;
            }
            return true;
        }
        default:
            invalid(at, u"%1 cannot be written as XML text"_s.arg(QLatin1StringView(value.typeName())));
            return false;
        }
    }

    // A carriage return written raw would come back as a line feed (XML normalises line
    // ends), so it goes out as a character reference.
    void characters(const QString &text)
    {
        qsizetype from = 0;
        for (;;) {
            const qsizetype cr = text.indexOf(u'\r', from);
            if (cr < 0)
                break;
            if (cr > from)
                m_writer.writeCharacters(text.mid(from, cr - from));
            m_writer.writeEntityReference(u"#13"_s);
            from = cr + 1;
        }
        if (from == 0)
            m_writer.writeCharacters(text);
        else if (from < text.size())
            m_writer.writeCharacters(text.mid(from));
    }

    bool element(const QString &name, const Value &value, const Pointer &at)
    {
        if (!checkName(name, at))
            return false;
        switch (value.type()) {
        case Value::Type::Undefined:
            return true;
        case Value::Type::Null:
            m_writer.writeEmptyElement(name);
            return true;
        case Value::Type::Array: {
            const Array &items = value.toArray();
            for (qsizetype i = 0; i < qsizetype(items.size()); ++i) {
                const Pointer itemAt{&at, {}, i};
                if (items[size_t(i)].isArray()) {
                    invalid(itemAt, u"an array inside an array has no XML form"_s);
                    return false;
                }
                if (!element(name, items[size_t(i)], itemAt))
                    return false;
            }
            return true;
        }
        case Value::Type::Object:
            return objectElement(name, value.toObject(), at);
        case Value::Type::Function:
            invalid(at, u"a function cannot be written as XML"_s);
            return false;
        default: {
            QString text;
            if (!scalarText(value, at, &text))
                return false;
            m_writer.writeStartElement(name);
            characters(text);
            m_writer.writeEndElement();
            return true;
        }
        }
    }

    bool objectElement(const QString &name, const Object &object, const Pointer &at)
    {
        m_writer.writeStartElement(name);
        // Attributes must precede any content.
        for (const Object::Member &member : object) {
            if (!member.first.startsWith(u'@'))
                continue;
            const Pointer memberAt{&at, member.first};
            const QStringView attributeName = QStringView(member.first).mid(1);
            if (!checkName(attributeName, memberAt))
                return false;
            if (member.second.isNull() || member.second.isUndefined())
                continue;
            QString text;
            if (!scalarText(member.second, memberAt, &text))
                return false;
            m_writer.writeAttribute(attributeName.toString(), text);
        }
        for (const Object::Member &member : object) {
            if (member.first.startsWith(u'@'))
                continue;
            const Pointer memberAt{&at, member.first};
            if (member.first == textKey) {
                if (member.second.isNull() || member.second.isUndefined())
                    continue;
                QString text;
                if (!scalarText(member.second, memberAt, &text))
                    return false;
                characters(text);
                continue;
            }
            if (!element(member.first, member.second, memberAt))
                return false;
        }
        m_writer.writeEndElement();
        return true;
    }

    QByteArray m_out;
    QXmlStreamWriter m_writer;
    std::optional<Error> m_error;
    bool m_declaration = true;
    bool m_indented = false;
};

} // namespace

Result<QByteArray> write(const Value &document, const XmlWriteOptions &options)
{
    Writer writer(options);
    return writer.write(document);
}

} // namespace Conflux::Data::Xml
