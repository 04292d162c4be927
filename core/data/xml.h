#pragma once

#include "base/result.h"
#include "data/value.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <memory>

class QIODevice;

// XML <-> Value. The convention (docs/formats/xml.md):
//   <Order id="7"><Line>a</Line><Line>b</Line><Note/></Order>
//   {"Order": {"@id": "7", "Line": ["a", "b"], "Note": null}}
// The document is an object with one member, the root element. Element and attribute
// names are kept as written, prefix included; namespace declarations are attributes
// ("@xmlns", "@xmlns:soap"). An element with only text is a string, an empty one null;
// with attributes or child elements it is an object whose text is "#text". Repeated
// children become an array in document order. All text stays a string.
//
// Security: a DOCTYPE (any DTD) is refused, so there is no entity expansion and no
// external entity. Every limit below is enforced while reading, before the data is kept.
// Errors carry a code ("xml_syntax", "xml_doctype", "xml_limit", ...) and say line and
// column in the message.
//
// Threading: the free functions are reentrant; a reader object belongs to one thread.

namespace Conflux::Data::Xml {

struct XmlLimits
{
    int maxDepth = 256;                        // nesting of elements
    qint64 maxSize = 256 * 1024 * 1024;        // bytes of the document (of one record when streaming)
    int maxAttributes = 256;                   // per element, namespace declarations included
    qint64 maxTextLength = 16 * 1024 * 1024;   // characters of one element's text or one attribute value
};

struct XmlReadOptions
{
    // Element paths whose elements are always arrays, even when they occur once, so a
    // mapping sees a stable shape: "Orders/Order/Line" (names as written, from the root
    // element), or "//Line" for an element of that name at any depth.
    QStringList arrayPaths;
    bool emptyAsNull = true;       // <a/> is null; false: ""
    bool trimText = false;         // trim every text value (whitespace-only text then counts as none)
    XmlLimits limits;
};

struct XmlWriteOptions
{
    bool declaration = true;       // <?xml version="1.0" encoding="UTF-8"?>
    int indent = 0;                // spaces per level; 0 writes no whitespace at all
};

// Parses a whole document (UTF-8 unless its declaration names another encoding).
Result<Value> read(QByteArrayView xml, const XmlReadOptions &options = {});

// Writes `document`, an object with exactly one member (the root element), back to XML:
// numbers and booleans as text, arrays as repeated elements, null as an empty element,
// "@name" members as attributes, "#text" as text (at its place among the children).
// Undefined members are skipped. Errors ("xml_invalid_name", "xml_invalid_value",
// "xml_invalid_char") name the JSON pointer of the offending value.
Result<QByteArray> write(const Value &document, const XmlWriteOptions &options = {});

namespace Internal {
class XmlParser;
}

// Reads the elements at `recordPath` ("Orders/Order", or "//Order") one by one from a
// device, for files far larger than memory: only the current record is held, the rest
// of the document is checked for well-formedness and skipped. Each record is the value
// of its element by the convention above (for example {"@id": "7", "Line": [...]});
// `arrayPaths` are full paths from the root, as for read(). `limits.maxSize` applies to
// each record; the document as a whole may be of any size.
//
// The device must be open and deliver its data synchronously (QFile, QBuffer, a pipe
// read in a worker thread): a read that returns no data is taken as the end of input.
// The reader does not own the device.
class XmlRecordReader
{
public:
    XmlRecordReader(QIODevice *device, const QString &recordPath, const XmlReadOptions &options = {});
    ~XmlRecordReader();
    XmlRecordReader(const XmlRecordReader &) = delete;
    XmlRecordReader &operator=(const XmlRecordReader &) = delete;

    // The next record; undefined once the document ended without error. After an error
    // every further call returns the same error.
    Result<Value> next();

    bool atEnd() const;
    qint64 recordCount() const;    // records returned so far

private:
    std::unique_ptr<Internal::XmlParser> m_parser;
};

} // namespace Conflux::Data::Xml
