#include "data/schemainference.h"

#include <QDate>
#include <QHash>

#include <cmath>
#include <optional>
#include <utility>

using namespace Qt::StringLiterals;

namespace Conflux::Data {

namespace {

constexpr int maxDepth = 256;
constexpr size_t maxExamples = 3;
constexpr qsizetype maxExampleLength = 80;
constexpr size_t indexThreshold = 8;   // members looked up through a hash beyond this

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

bool digitsAt(QStringView s, qsizetype from, qsizetype count)
{
    if (from + count > s.size())
        return false;
    for (qsizetype i = from; i < from + count; ++i) {
        if (!isDigit(s[i]))
            return false;
    }
    return true;
}

int number(QStringView s, qsizetype from, qsizetype count)
{
    int n = 0;
    for (qsizetype i = from; i < from + count; ++i)
        n = n * 10 + (s[i].unicode() - u'0');
    return n;
}

bool isDate(QStringView s)
{
    return s.size() == 10 && digitsAt(s, 0, 4) && s[4] == u'-' && digitsAt(s, 5, 2) && s[7] == u'-'
        && digitsAt(s, 8, 2) && QDate::isValid(number(s, 0, 4), number(s, 5, 2), number(s, 8, 2));
}

// hh:mm:ss[.fraction][Z|±hh:mm] spanning all of `s`; `zoned` says whether a zone was there.
bool isTime(QStringView s, bool *zoned)
{
    if (!(digitsAt(s, 0, 2) && s.size() >= 8 && s[2] == u':' && digitsAt(s, 3, 2) && s[5] == u':'
          && digitsAt(s, 6, 2)))
        return false;
    if (number(s, 0, 2) > 23 || number(s, 3, 2) > 59 || number(s, 6, 2) > 60)
        return false;
    qsizetype i = 8;
    if (i < s.size() && s[i] == u'.') {
        ++i;
        if (i >= s.size() || !isDigit(s[i]))
            return false;
        while (i < s.size() && isDigit(s[i]))
            ++i;
    }
    *zoned = false;
    if (i == s.size())
        return true;
    *zoned = true;
    if ((s[i] == u'Z' || s[i] == u'z') && i + 1 == s.size())
        return true;
    return (s[i] == u'+' || s[i] == u'-') && s.size() == i + 6 && digitsAt(s, i + 1, 2) && s[i + 3] == u':'
        && digitsAt(s, i + 4, 2) && number(s, i + 1, 2) <= 23 && number(s, i + 4, 2) <= 59;
}

bool isEmail(QStringView s)
{
    if (s.size() > 254)
        return false;
    const qsizetype at = s.indexOf(u'@');
    if (at <= 0 || s.indexOf(u'@', at + 1) >= 0)
        return false;
    const QStringView domain = s.mid(at + 1);
    if (domain.size() < 3 || domain.startsWith(u'.') || domain.endsWith(u'.') || !domain.contains(u'.')
        || domain.contains(u".."))
        return false;
    for (const QChar c : s) {
        if (c.isSpace() || c == u'<' || c == u'>' || c == u',' || c == u';' || c == u'"')
            return false;
    }
    return true;
}

bool isUri(QStringView s)
{
    const qsizetype colon = s.indexOf(u"://");
    if (colon <= 0 || colon + 3 >= s.size())
        return false;
    for (qsizetype i = 0; i < colon; ++i) {
        const QChar c = s[i];
        const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
        if (!(letter || (i > 0 && (isDigit(c) || c == u'+' || c == u'-' || c == u'.'))))
            return false;
    }
    for (const QChar c : s) {
        if (c.isSpace())
            return false;
    }
    return true;
}

bool isUuid(QStringView s)
{
    if (s.size() != 36)
        return false;
    for (qsizetype i = 0; i < 36; ++i) {
        const QChar c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != u'-')
                return false;
        } else if (!(isDigit(c) || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F'))) {
            return false;
        }
    }
    return true;
}

StringFormat detectFormat(QStringView s)
{
    if (s.isEmpty() || s.size() > 2048)
        return StringFormat::None;
    const QChar first = s[0];
    if (isDigit(first)) {
        if (isDate(s))
            return StringFormat::Date;
        bool zoned = false;
        if (s.size() > 11 && (s[10] == u'T' || s[10] == u't' || s[10] == u' ') && isDate(s.first(10))
            && isTime(s.mid(11), &zoned))
            return zoned ? StringFormat::DateTime : StringFormat::LocalDateTime;
        if (isTime(s, &zoned))
            return StringFormat::Time;
    }
    if (isUuid(s))
        return StringFormat::Uuid;
    if (isEmail(s))
        return StringFormat::Email;
    if (isUri(s))
        return StringFormat::Uri;
    return StringFormat::None;
}

bool isIntegral(const Value &v)
{
    if (v.hasExactText())
        return true;
    const double d = v.toDouble();
    return std::isfinite(d) && std::trunc(d) == d;
}

QString escapeSegment(const QString &name)
{
    if (!name.contains(u'~') && !name.contains(u'/'))
        return name;
    QString out = name;
    out.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
    return out;
}

SchemaTypes normalized(SchemaTypes types)
{
    if (types.testFlag(SchemaType::Number))
        types &= ~SchemaTypes(SchemaType::Integer);
    return types;
}

Value namesValue(const QStringList &names)
{
    Array items;
    items.reserve(size_t(names.size()));
    for (const QString &name : names)
        items.emplace_back(name);
    return Value(std::move(items));
}

} // namespace

namespace Internal {

struct InferenceNode
{
    QString name;
    SchemaTypes types;
    qint64 count = 0;
    qint64 objectCount = 0;
    qint64 lastSeen = 0;          // objectCount of the parent when this member was last present
    qint64 minItems = -1;
    qint64 maxItems = 0;
    bool optional = false;
    std::optional<StringFormat> format;   // unset until a non-empty string is seen
    std::vector<Value> examples;
    std::vector<InferenceNode> fields;
    QHash<QString, size_t> index;
    std::unique_ptr<InferenceNode> items;

    InferenceNode *member(const QString &key, bool *created)
    {
        *created = false;
        if (fields.size() > indexThreshold) {
            const auto it = index.constFind(key);
            if (it != index.constEnd())
                return &fields[*it];
        } else {
            for (InferenceNode &f : fields) {
                if (f.name == key)
                    return &f;
            }
        }
        *created = true;
        InferenceNode &node = fields.emplace_back();
        node.name = key;
        if (fields.size() > indexThreshold) {
            if (index.isEmpty()) {
                for (size_t i = 0; i < fields.size(); ++i)
                    index.insert(fields[i].name, i);
            } else {
                index.insert(key, fields.size() - 1);
            }
        }
        return &node;
    }

    void example(const Value &value)
    {
        if (examples.size() >= maxExamples)
            return;
        Value kept = value;
        if (value.isString() && value.toString().size() > maxExampleLength)
            kept = Value(value.toString().left(maxExampleLength));
        for (const Value &seen : examples) {
            if (seen == kept)
                return;
        }
        examples.push_back(std::move(kept));
    }

    void add(const Value &value, int depth)
    {
        switch (value.type()) {
        case Value::Type::Undefined:
        case Value::Type::Function:
            return;
        case Value::Type::Null:
            types |= SchemaType::Null;
            break;
        case Value::Type::Bool:
            types |= SchemaType::Boolean;
            example(value);
            break;
        case Value::Type::Number:
            types |= isIntegral(value) ? SchemaType::Integer : SchemaType::Number;
            example(value);
            break;
        case Value::Type::String: {
            types |= SchemaType::String;
            const QString &text = value.toString();
            if (!text.isEmpty()) {
                const StringFormat detected = detectFormat(text);
                if (!format)
                    format = detected;
                else if (*format != detected)
                    format = StringFormat::None;
            }
            example(value);
            break;
        }
        case Value::Type::Object: {
            types |= SchemaType::Object;
            ++objectCount;
            if (depth >= maxDepth)
                break;
            for (const Object::Member &m : value.toObject()) {
                if (m.second.isUndefined())
                    continue;
                bool created = false;
                InferenceNode *child = member(m.first, &created);
                if (created && objectCount > 1)
                    child->optional = true;   // earlier objects lacked it
                child->lastSeen = objectCount;
                child->add(m.second, depth + 1);
            }
            for (InferenceNode &child : fields) {
                if (child.lastSeen != objectCount)
                    child.optional = true;
            }
            break;
        }
        case Value::Type::Array: {
            types |= SchemaType::Array;
            const Array &array = value.toArray();
            const qint64 size = qint64(array.size());
            minItems = minItems < 0 ? size : std::min(minItems, size);
            maxItems = std::max(maxItems, size);
            if (depth >= maxDepth || array.empty())
                break;
            if (!items)
                items = std::make_unique<InferenceNode>();
            for (const Value &item : array)
                items->add(item, depth + 1);
            break;
        }
        }
        ++count;
    }

    SchemaField toField(const QString &fieldName, const QString &path) const
    {
        SchemaField field;
        field.name = fieldName;
        field.path = path;
        field.types = normalized(types);
        field.optional = optional;
        field.count = count;
        field.minItems = std::max<qint64>(minItems, 0);
        field.maxItems = maxItems;
        field.format = format.value_or(StringFormat::None);
        field.examples = examples;
        field.fields.reserve(fields.size());
        for (const InferenceNode &child : fields) {
            const QString segment = escapeSegment(child.name);
            field.fields.push_back(child.toField(child.name, path.isEmpty() ? segment : path + u'/' + segment));
        }
        if (items)
            field.items.push_back(items->toField(u"[]"_s, path + u"[]"_s));
        return field;
    }
};

} // namespace Internal

// ---- SchemaField --------------------------------------------------------------------

const SchemaField *SchemaField::field(QStringView fieldName) const
{
    for (const SchemaField &f : fields) {
        if (f.name == fieldName)
            return &f;
    }
    return nullptr;
}

const SchemaField *SchemaField::find(QStringView path) const
{
    const SchemaField *current = this;
    qsizetype i = 0;
    while (current && i < path.size()) {
        if (path.mid(i).startsWith(u"[]")) {
            current = current->item();
            i += 2;
            continue;
        }
        if (path[i] == u'/') {
            ++i;
            continue;
        }
        qsizetype end = i;
        while (end < path.size() && path[end] != u'/' && !path.mid(end).startsWith(u"[]"))
            ++end;
        QString segment = path.mid(i, end - i).toString();
        segment.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
        current = current->field(segment);
        i = end;
    }
    return current;
}

QStringList SchemaField::typeNames() const
{
    QStringList names;
    const SchemaTypes t = normalized(types);
    if (t.testFlag(SchemaType::Object))
        names << u"object"_s;
    if (t.testFlag(SchemaType::Array))
        names << u"array"_s;
    if (t.testFlag(SchemaType::String))
        names << u"string"_s;
    if (t.testFlag(SchemaType::Integer))
        names << u"integer"_s;
    if (t.testFlag(SchemaType::Number))
        names << u"number"_s;
    if (t.testFlag(SchemaType::Boolean))
        names << u"boolean"_s;
    if (t.testFlag(SchemaType::Null))
        names << u"null"_s;
    return names;
}

QString SchemaField::formatName(StringFormat format)
{
    switch (format) {
    case StringFormat::None: return QString();
    case StringFormat::Date: return u"date"_s;
    case StringFormat::DateTime: return u"date-time"_s;
    case StringFormat::LocalDateTime: return u"local-date-time"_s;
    case StringFormat::Time: return u"time"_s;
    case StringFormat::Email: return u"email"_s;
    case StringFormat::Uri: return u"uri"_s;
    case StringFormat::Uuid: return u"uuid"_s;
    }
    return QString();
}

Value SchemaField::toJsonSchema(bool root) const
{
    Object schema;
    if (root)
        schema.append(u"$schema"_s, Value(u"http://json-schema.org/draft-07/schema#"_s));
    const QStringList names = typeNames();
    if (names.size() == 1)
        schema.append(u"type"_s, Value(names.front()));
    else if (!names.isEmpty())
        schema.append(u"type"_s, namesValue(names));
    // "local-date-time" is no JSON Schema format; a validator would reject nothing by it.
    if (types.testFlag(SchemaType::String) && format != StringFormat::None && format != StringFormat::LocalDateTime)
        schema.append(u"format"_s, Value(formatName(format)));
    if (types.testFlag(SchemaType::Object)) {
        Object properties;
        Array required;
        for (const SchemaField &f : fields) {
            properties.append(f.name, f.toJsonSchema(false));
            if (!f.optional)
                required.emplace_back(f.name);
        }
        schema.append(u"properties"_s, Value(std::move(properties)));
        if (!required.empty())
            schema.append(u"required"_s, Value(std::move(required)));
    }
    if (const SchemaField *itemField = item())
        schema.append(u"items"_s, itemField->toJsonSchema(false));
    if (!examples.empty())
        schema.append(u"examples"_s, Value(Array(examples.begin(), examples.end())));
    return Value(std::move(schema));
}

Value SchemaField::toValue() const
{
    Object node;
    node.append(u"name"_s, Value(name));
    node.append(u"path"_s, Value(path));
    node.append(u"types"_s, namesValue(typeNames()));
    node.append(u"optional"_s, Value(optional));
    node.append(u"nullable"_s, Value(isNullable()));
    node.append(u"repeated"_s, Value(isRepeated()));
    node.append(u"count"_s, Value(count));
    if (format != StringFormat::None)
        node.append(u"format"_s, Value(formatName(format)));
    if (!examples.empty())
        node.append(u"examples"_s, Value(Array(examples.begin(), examples.end())));
    if (isRepeated()) {
        const SchemaField *itemField = item();
        node.append(u"itemTypes"_s, namesValue(itemField ? itemField->typeNames() : QStringList()));
        node.append(u"minItems"_s, Value(minItems));
        node.append(u"maxItems"_s, Value(maxItems));
    }
    if (!fields.empty()) {
        Array children;
        children.reserve(fields.size());
        for (const SchemaField &f : fields)
            children.push_back(f.toValue());
        node.append(u"children"_s, Value(std::move(children)));
    }
    if (const SchemaField *itemField = item())
        node.append(u"items"_s, itemField->toValue());
    return Value(std::move(node));
}

// ---- SchemaInference ----------------------------------------------------------------

SchemaInference::SchemaInference() : m_root(std::make_unique<Internal::InferenceNode>()) {}
SchemaInference::~SchemaInference() = default;
SchemaInference::SchemaInference(SchemaInference &&) noexcept = default;
SchemaInference &SchemaInference::operator=(SchemaInference &&) noexcept = default;

void SchemaInference::add(const Value &sample)
{
    if (sample.isUndefined())
        return;
    ++m_samples;
    m_root->add(sample, 0);
}

qint64 SchemaInference::sampleCount() const
{
    return m_samples;
}

SchemaField SchemaInference::result() const
{
    return m_root->toField(QString(), QString());
}

Result<SchemaField> SchemaInference::fromXml(QByteArrayView xml, const Xml::XmlReadOptions &options)
{
    Result<Value> document = Xml::read(xml, options);
    if (!document)
        return document.error();
    SchemaInference inference;
    inference.add(*document);
    return inference.result();
}

Result<SchemaField> SchemaInference::fromCsv(QByteArrayView csv, const Csv::CsvOptions &options)
{
    Result<Value> records = Csv::read(csv, options);
    if (!records)
        return records.error();
    SchemaInference inference;
    inference.add(*records);
    return inference.result();
}

Result<SchemaField> SchemaInference::fromXmlRecords(QIODevice *device, const QString &recordPath,
                                                    const Xml::XmlReadOptions &options, qint64 maxRecords)
{
    Xml::XmlRecordReader reader(device, recordPath, options);
    SchemaInference inference;
    while (maxRecords <= 0 || inference.sampleCount() < maxRecords) {
        Result<Value> record = reader.next();
        if (!record)
            return record.error();
        if (record->isUndefined())
            break;
        inference.add(*record);
    }
    return inference.result();
}

Result<SchemaField> SchemaInference::fromCsvRecords(QIODevice *device, const Csv::CsvOptions &options,
                                                    qint64 maxRecords)
{
    Csv::CsvReader reader(device, options);
    SchemaInference inference;
    while (maxRecords <= 0 || inference.sampleCount() < maxRecords) {
        Result<Value> record = reader.next();
        if (!record)
            return record.error();
        if (record->isUndefined())
            break;
        inference.add(*record);
    }
    return inference.result();
}

} // namespace Conflux::Data
