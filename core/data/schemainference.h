#pragma once

#include "base/result.h"
#include "data/csv.h"
#include "data/value.h"
#include "data/xml.h"

#include <QFlags>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

class QIODevice;

// Schema inference: the field tree the mapping designer shows for sample data
// (docs/formats/schema-inference.md). Samples from any codec are merged: a field's types
// are every type seen there, it is optional when some object that could hold it lacks it,
// and the items of all arrays at one place are merged into one item description.
//
// Threading: a SchemaInference belongs to one thread; SchemaField is a plain value.

namespace Conflux::Data {

enum class SchemaType : quint8 {
    Null = 0x01,
    Boolean = 0x02,
    Integer = 0x04,   // a number with no fraction; dropped from a field that also saw other numbers
    Number = 0x08,
    String = 0x10,
    Object = 0x20,
    Array = 0x40
};
Q_DECLARE_FLAGS(SchemaTypes, SchemaType)
Q_DECLARE_OPERATORS_FOR_FLAGS(SchemaTypes)

// A format every non-empty string of a field matched.
enum class StringFormat : quint8 {
    None,
    Date,            // 2024-01-15
    DateTime,        // 2024-01-15T10:30:00Z, with a zone offset (RFC 3339)
    LocalDateTime,   // 2024-01-15T10:30:00, without one
    Time,            // 10:30:00, 10:30:00.5+01:00
    Email,           // name@example.com
    Uri,             // https://example.com/x (a scheme and "://")
    Uuid             // 123e4567-e89b-12d3-a456-426614174000
};

struct SchemaField
{
    QString name;          // member name; "" for the root, "[]" for array items
    QString path;          // "customer/email", "items[]/sku" ("/" and "~" in names as ~1, ~0)
    SchemaTypes types;
    bool optional = false; // absent from some of the objects (or array items) that could hold it
    qint64 count = 0;      // values seen at this place
    qint64 minItems = 0;   // arrays: fewest and most items seen
    qint64 maxItems = 0;
    StringFormat format = StringFormat::None;
    std::vector<Value> examples;        // up to 3 distinct scalars, in the order seen
    std::vector<SchemaField> fields;    // object members, in the order first seen
    std::vector<SchemaField> items;     // arrays: one merged description of all items

    bool isNullable() const { return types.testFlag(SchemaType::Null); }
    bool isRepeated() const { return types.testFlag(SchemaType::Array); }
    const SchemaField *item() const { return items.empty() ? nullptr : &items.front(); }
    const SchemaField *field(QStringView name) const;
    // The descendant at `path` relative to this field ("customer/email", "items[]/sku").
    const SchemaField *find(QStringView path) const;
    // Type names: "null", "boolean", "integer", "number", "string", "object", "array".
    QStringList typeNames() const;

    // A draft-07 JSON Schema; with `root` it carries "$schema".
    Value toJsonSchema(bool root = true) const;
    // The tree for the UI: {"name", "path", "types", "optional", "nullable", "repeated",
    // "count", "format"?, "examples"?, "itemTypes"?, "minItems"?, "maxItems"?,
    // "children"?: [...], "items"?: {...}}.
    Value toValue() const;

    static QString formatName(StringFormat format);
};

namespace Internal {
struct InferenceNode;
}

class SchemaInference
{
public:
    SchemaInference();
    ~SchemaInference();
    SchemaInference(SchemaInference &&) noexcept;
    SchemaInference &operator=(SchemaInference &&) noexcept;

    // Merges one sample. Undefined is ignored; nesting beyond 256 levels is recorded by
    // type only.
    void add(const Value &sample);
    qint64 sampleCount() const;
    SchemaField result() const;

    // The document as the codec reads it: {"Root": {...}} for XML, an array of records
    // for CSV.
    static Result<SchemaField> fromXml(QByteArrayView xml, const Xml::XmlReadOptions &options = {});
    static Result<SchemaField> fromCsv(QByteArrayView csv, const Csv::CsvOptions &options = {});
    // One sample per record, from the first `maxRecords` records (all when <= 0), for
    // files too big to read whole.
    static Result<SchemaField> fromXmlRecords(QIODevice *device, const QString &recordPath,
                                              const Xml::XmlReadOptions &options = {}, qint64 maxRecords = 1000);
    static Result<SchemaField> fromCsvRecords(QIODevice *device, const Csv::CsvOptions &options = {},
                                              qint64 maxRecords = 1000);

private:
    std::unique_ptr<Internal::InferenceNode> m_root;
    qint64 m_samples = 0;
};

} // namespace Conflux::Data
