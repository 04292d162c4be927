#include "data/value.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <unordered_map>

namespace Conflux::Data {

namespace Internal {

struct StringPayload : Payload
{
    explicit StringPayload(QString s) : text(std::move(s)) {}
    QString text;
};

struct ArrayPayload : Payload
{
    explicit ArrayPayload(Array a) : items(std::move(a)) {}
    Array items;
};

struct ObjectPayload : Payload
{
    explicit ObjectPayload(Object o) : members(std::move(o)) {}
    Object members;
};

struct FunctionPayload : Payload
{
    explicit FunctionPayload(Callable *f) : function(f) {}
    std::unique_ptr<Callable> function;
};

struct NumberPayload : Payload
{
    NumberPayload(double d, QString t) : number(d), text(std::move(t)) {}
    double number;
    QString text;
};

} // namespace Internal

using namespace Internal;

namespace {

constexpr double maxSafeInteger = 9007199254740992.0; // 2^53

const QString &emptyString()
{
    static const QString empty;
    return empty;
}

const Array &emptyArray()
{
    static const Array empty;
    return empty;
}

const Object &emptyObject()
{
    static const Object empty;
    return empty;
}

const Value &undefinedValue()
{
    static const Value undefined;
    return undefined;
}

} // namespace

Callable::~Callable() = default;

Value Value::null() noexcept
{
    return Value(nullptr);
}

Value::Value(qint64 i) : m_type(Type::Number)
{
    constexpr qint64 safe = qint64(1) << 53;
    const double d = double(i);
    if (i > -safe && i < safe) {
        m_number = d;
    } else {
        m_exact = true;
        m_payload = new NumberPayload(d, QString::number(i));
    }
}

Value::Value(quint64 i) : m_type(Type::Number)
{
    const double d = double(i);
    if (i < (quint64(1) << 53)) {
        m_number = d;
    } else {
        m_exact = true;
        m_payload = new NumberPayload(d, QString::number(i));
    }
}

Value::Value(const QString &s) : m_type(Type::String)
{
    m_payload = new StringPayload(s);
}

Value::Value(QString &&s) : m_type(Type::String)
{
    m_payload = new StringPayload(std::move(s));
}

Value::Value(QStringView s) : Value(s.toString()) {}

Value::Value(QLatin1StringView s) : Value(QString(s)) {}

Value::Value(Array a) : m_type(Type::Array)
{
    m_payload = new ArrayPayload(std::move(a));
}

Value::Value(Object o) : m_type(Type::Object)
{
    m_payload = new ObjectPayload(std::move(o));
}

Value::Value(Callable *function) : m_type(Type::Function)
{
    m_payload = new FunctionPayload(function);
}

Value Value::numberFromText(QStringView text)
{
    const qsizetype n = text.size();
    if (n == 0 || n > 4096)
        return {};
    char buffer[4097];
    bool integral = true;
    qsizetype digits = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = text[i].unicode();
        if (c > 0x7f)
            return {};
        buffer[i] = char(c);
        if (c >= u'0' && c <= u'9')
            ++digits;
        else if (!(i == 0 && c == u'-'))
            integral = false;
    }
    buffer[n] = '\0';
    const char *begin = buffer[0] == '+' ? buffer + 1 : buffer;
    double d = 0;
    const auto [end, ec] = std::from_chars(begin, buffer + n, d);
    if (end != buffer + n)
        return {};
    if (ec == std::errc::result_out_of_range) {
        // Too small for a double reads as zero (as in JavaScript); too large is refused.
        d = std::strtod(begin, nullptr);
        if (d != 0)
            return {};
    } else if (ec != std::errc() || !std::isfinite(d)) {
        return {};
    }
    Value v(d);
    if (integral && digits > 15 && std::fabs(d) >= maxSafeInteger) {
        // Keep the literal, minus redundant leading zeros, so it serializes unchanged.
        QString exact = text.toString();
        const qsizetype sign = exact.startsWith(u'-') ? 1 : 0;
        qsizetype zeros = 0;
        while (sign + zeros + 1 < exact.size() && exact[sign + zeros] == u'0')
            ++zeros;
        exact.remove(sign, zeros);
        v.m_exact = true;
        v.m_payload = new NumberPayload(d, std::move(exact));
    }
    return v;
}

void Value::releasePayload() noexcept
{
    // A sole owner (the common case: a record being dropped after mapping) frees without
    // an atomic read-modify-write; nobody else can take a reference it does not hand out.
    if (m_payload->ref.load(std::memory_order_acquire) == 1
        || m_payload->ref.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        if (m_exact) {
            delete static_cast<NumberPayload *>(m_payload);
        } else {
            switch (m_type) {
            case Type::String: delete static_cast<StringPayload *>(m_payload); break;
            case Type::Array: delete static_cast<ArrayPayload *>(m_payload); break;
            case Type::Object: delete static_cast<ObjectPayload *>(m_payload); break;
            case Type::Function: delete static_cast<FunctionPayload *>(m_payload); break;
            default: break;
            }
        }
    }
    m_exact = false;
    m_type = Type::Undefined;
}

double Value::exactDouble() const noexcept
{
    return static_cast<const NumberPayload *>(m_payload)->number;
}

qint64 Value::toInt64(qint64 fallback) const
{
    if (m_type != Type::Number)
        return fallback;
    if (m_exact) {
        bool ok = false;
        const qint64 v = static_cast<const NumberPayload *>(m_payload)->text.toLongLong(&ok);
        return ok ? v : fallback;
    }
    if (std::trunc(m_number) != m_number || std::fabs(m_number) > maxSafeInteger)
        return fallback;
    return qint64(m_number);
}

QString Value::exactText() const
{
    return m_exact ? static_cast<const NumberPayload *>(m_payload)->text : QString();
}

const QString &Value::toString() const
{
    return m_type == Type::String ? static_cast<const StringPayload *>(m_payload)->text
                                  : emptyString();
}

const Array &Value::toArray() const
{
    return m_type == Type::Array ? static_cast<const ArrayPayload *>(m_payload)->items
                                 : emptyArray();
}

const Object &Value::toObject() const
{
    return m_type == Type::Object ? static_cast<const ObjectPayload *>(m_payload)->members
                                  : emptyObject();
}

Callable *Value::toFunction() const
{
    return m_type == Type::Function
        ? static_cast<const FunctionPayload *>(m_payload)->function.get()
        : nullptr;
}

Array &Value::mutableArray()
{
    Q_ASSERT(m_type == Type::Array);
    auto *p = static_cast<ArrayPayload *>(m_payload);
    if (p->ref.load(std::memory_order_acquire) != 1) {
        auto *copy = new ArrayPayload(p->items);
        release();
        m_type = Type::Array;
        m_payload = p = copy;
    }
    return p->items;
}

Object &Value::mutableObject()
{
    Q_ASSERT(m_type == Type::Object);
    auto *p = static_cast<ObjectPayload *>(m_payload);
    if (p->ref.load(std::memory_order_acquire) != 1) {
        auto *copy = new ObjectPayload(p->members);
        release();
        m_type = Type::Object;
        m_payload = p = copy;
    }
    return p->members;
}

qsizetype Value::size() const
{
    if (m_type == Type::Array)
        return qsizetype(toArray().size());
    if (m_type == Type::Object)
        return toObject().size();
    return 0;
}

const Value &Value::at(qsizetype index) const
{
    if (m_type != Type::Array)
        return undefinedValue();
    const Array &items = toArray();
    if (index < 0 || size_t(index) >= items.size())
        return undefinedValue();
    return items[size_t(index)];
}

const Value &Value::operator[](QStringView key) const
{
    if (m_type != Type::Object)
        return undefinedValue();
    const Value *v = toObject().find(key);
    return v ? *v : undefinedValue();
}

bool operator==(const Value &a, const Value &b)
{
    if (a.m_type != b.m_type)
        return false;
    switch (a.m_type) {
    case Value::Type::Undefined:
    case Value::Type::Null:
        return true;
    case Value::Type::Bool:
        return a.m_bool == b.m_bool;
    case Value::Type::Number:
        if (a.m_exact && b.m_exact)
            return a.exactText() == b.exactText();
        return a.toDouble() == b.toDouble();
    case Value::Type::String:
        return a.m_payload == b.m_payload || a.toString() == b.toString();
    case Value::Type::Array: {
        if (a.m_payload == b.m_payload)
            return true;
        const Array &x = a.toArray();
        const Array &y = b.toArray();
        if (x.size() != y.size())
            return false;
        for (size_t i = 0; i < x.size(); ++i) {
            if (x[i] != y[i])
                return false;
        }
        return true;
    }
    case Value::Type::Object: {
        if (a.m_payload == b.m_payload)
            return true;
        const Object &x = a.toObject();
        const Object &y = b.toObject();
        if (x.size() != y.size())
            return false;
        for (const auto &[key, value] : x) {
            const Value *other = y.find(key);
            if (!other || *other != value)
                return false;
        }
        return true;
    }
    case Value::Type::Function:
        return a.m_payload == b.m_payload;
    }
    return false;
}

Value Value::fromQJson(const QJsonValue &json)
{
    switch (json.type()) {
    case QJsonValue::Null:
        return Value(nullptr);
    case QJsonValue::Bool:
        return Value(json.toBool());
    case QJsonValue::Double:
        if (json.toVariant().typeId() == QMetaType::LongLong)
            return Value(qint64(json.toInteger()));
        return Value(json.toDouble());
    case QJsonValue::String:
        return Value(json.toString());
    case QJsonValue::Array: {
        const QJsonArray source = json.toArray();
        Array items;
        items.reserve(size_t(source.size()));
        for (const QJsonValue &item : source)
            items.push_back(fromQJson(item));
        return Value(std::move(items));
    }
    case QJsonValue::Object: {
        const QJsonObject source = json.toObject();
        Object members;
        members.reserve(source.size());
        for (auto it = source.begin(); it != source.end(); ++it)
            members.append(it.key(), fromQJson(it.value()));
        return Value(std::move(members));
    }
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

QJsonValue Value::toQJson() const
{
    switch (m_type) {
    case Type::Null:
        return QJsonValue(QJsonValue::Null);
    case Type::Bool:
        return QJsonValue(m_bool);
    case Type::Number: {
        const qint64 i = toInt64(std::numeric_limits<qint64>::min());
        if (i != std::numeric_limits<qint64>::min())
            return QJsonValue(i);
        return QJsonValue(toDouble());
    }
    case Type::String:
        return QJsonValue(toString());
    case Type::Array: {
        QJsonArray out;
        for (const Value &item : toArray()) {
            if (!item.isUndefined() && !item.isFunction())
                out.append(item.toQJson());
        }
        return out;
    }
    case Type::Object: {
        QJsonObject out;
        for (const auto &[key, value] : toObject()) {
            if (!value.isUndefined() && !value.isFunction())
                out.insert(key, value.toQJson());
        }
        return out;
    }
    case Type::Undefined:
    case Type::Function:
        break;
    }
    return QJsonValue(QJsonValue::Undefined);
}

const char *Value::typeName(Type type)
{
    switch (type) {
    case Type::Undefined: return "undefined";
    case Type::Null: return "null";
    case Type::Bool: return "boolean";
    case Type::Number: return "number";
    case Type::String: return "string";
    case Type::Array: return "array";
    case Type::Object: return "object";
    case Type::Function: return "function";
    }
    return "undefined";
}

// --- Object ---------------------------------------------------------------------------

namespace {

constexpr size_t linearScanLimit = 8;

struct ViewHash
{
    size_t operator()(QStringView v) const noexcept { return qHash(v); }
};

} // namespace

// Views point into the member keys' character data, which is stable: keys are never
// modified in place, and the index is rebuilt whenever members are removed or copied.
struct Object::Index
{
    std::unordered_map<QStringView, qsizetype, ViewHash> positions;
};

Object::Object(std::initializer_list<Member> members)
{
    m_members.reserve(members.size());
    for (const Member &m : members)
        insert(m.first, m.second);
}

Object::Object(const Object &other) : m_members(other.m_members)
{
    if (other.m_index)
        rebuildIndex();
}

Object::Object() = default;
Object::Object(Object &&other) noexcept = default;
Object &Object::operator=(Object &&other) noexcept = default;

Object &Object::operator=(const Object &other)
{
    if (this != &other) {
        m_members = other.m_members;
        m_index.reset();
        if (other.m_index)
            rebuildIndex();
    }
    return *this;
}

Object::~Object() = default;

void Object::rebuildIndex()
{
    if (!m_index)
        m_index = std::make_unique<Index>();
    m_index->positions.clear();
    m_index->positions.reserve(m_members.size() * 2);
    for (size_t i = 0; i < m_members.size(); ++i)
        m_index->positions.emplace(QStringView(m_members[i].first), qsizetype(i));
}

qsizetype Object::indexOf(QStringView key) const
{
    if (m_index) {
        const auto it = m_index->positions.find(key);
        return it == m_index->positions.end() ? -1 : it->second;
    }
    for (size_t i = 0; i < m_members.size(); ++i) {
        if (m_members[i].first == key)
            return qsizetype(i);
    }
    return -1;
}

const Value *Object::find(QStringView key) const
{
    const qsizetype i = indexOf(key);
    return i < 0 ? nullptr : &m_members[size_t(i)].second;
}

Value *Object::find(QStringView key)
{
    const qsizetype i = indexOf(key);
    return i < 0 ? nullptr : &m_members[size_t(i)].second;
}

void Object::insert(const QString &key, Value value)
{
    if (Value *existing = find(key)) {
        *existing = std::move(value);
        return;
    }
    append(key, std::move(value));
}

void Object::append(QString key, Value value)
{
    m_members.emplace_back(std::move(key), std::move(value));
    if (m_index)
        m_index->positions.emplace(QStringView(m_members.back().first), qsizetype(m_members.size() - 1));
    else if (m_members.size() > linearScanLimit)
        rebuildIndex();
}

bool Object::remove(QStringView key)
{
    const qsizetype i = indexOf(key);
    if (i < 0)
        return false;
    m_members.erase(m_members.begin() + i);
    if (m_index)
        rebuildIndex();
    return true;
}

} // namespace Conflux::Data
