#pragma once

#include <QString>
#include <QStringView>

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <utility>
#include <vector>

class QJsonValue;

namespace Conflux::Data {

class Value;
class Object;
using Array = std::vector<Value>;

namespace Internal {
// The shared part of every payload: its reference count. Defined here so that copying a
// Value inlines to a pointer copy and one relaxed increment.
struct Payload
{
    std::atomic<int> ref{1};
};
}

// Something callable that travels inside a Value (JSONata lambdas, native functions,
// regular expressions). Data knows nothing about calling it; the mapping engine
// subclasses it. Instances are immutable once wrapped and may be shared across threads.
class Callable
{
public:
    Callable() = default;
    Callable(const Callable &) = delete;
    Callable &operator=(const Callable &) = delete;
    virtual ~Callable();

    // Number of declared parameters (for $length-like introspection and partial application).
    virtual int arity() const { return 0; }
};

// The one value type of the engine: null, bool, number, string, array, object (insertion
// ordered) and, for the expression engine, callables. A Value is 16 bytes; strings, arrays
// and objects live in shared, reference-counted payloads, so copying is a pointer copy and
// an atomic increment. Payloads are copy-on-write: mutableArray()/mutableObject() detach
// first when shared, so a Value handed to another thread never changes under it.
//
// Numbers are IEEE doubles, the JavaScript and JSONata model. An integer whose magnitude
// is beyond 2^53 (where doubles stop being exact) keeps its exact decimal text beside the
// nearest double: arithmetic sees the double, serialization writes the text, so an id
// like 12345678901234567890 passes through a mapping unchanged.
//
// Threading: distinct Values, and const access to one Value, are safe from any thread.
// `undefined` (JSONata's "no value") is a distinct type that codecs never produce and
// serializers skip.
class Value
{
public:
    enum class Type : std::uint8_t { Undefined, Null, Bool, Number, String, Array, Object, Function };

    // Flags the expression engine keeps on array values (JSONata sequences). They travel
    // with the handle, not the payload, and are never serialized.
    enum Flag : std::uint8_t {
        NoFlags = 0,
        Sequence = 1,       // a result sequence (collapses to its item when singleton)
        KeepSingleton = 2,  // a sequence that stays an array even with one item
        OuterWrapper = 4,   // the implicit wrapper around a path's input
        TupleStream = 8,    // a stream of binding tuples (focus/index variables)
        Cons = 16           // built by an array constructor (not flattened by paths)
    };

    Value() noexcept = default;                  // undefined
    static Value null() noexcept;
    Value(std::nullptr_t) noexcept : m_type(Type::Null) {}
    Value(bool b) noexcept : m_type(Type::Bool) { m_bool = b; }
    Value(double d) noexcept : m_type(Type::Number) { m_number = d; }
    Value(int i) noexcept : Value(double(i)) {}
    Value(qint64 i);                             // exact beyond 2^53 (see above)
    Value(quint64 i);
    Value(const QString &s);
    Value(QString &&s);
    Value(QStringView s);
    Value(QLatin1StringView s);
    Value(const char *utf8) = delete;            // say which encoding: QString::fromUtf8
    Value(Array a);
    Value(Object o);
    Value(Callable *function);                   // takes ownership

    // A number written as `text` (a JSON number literal). Integers beyond 2^53 keep the
    // text exact; anything else is parsed into a double. Returns undefined when `text`
    // is not a number or is out of double range.
    static Value numberFromText(QStringView text);

    // Copy, move and destruction are inline: every record, path step and function
    // argument passes through them, and the scalar case is a 16-byte copy.
    Value(const Value &other) noexcept
        : m_type(other.m_type), m_flags(other.m_flags), m_exact(other.m_exact)
    {
        m_bits = other.m_bits;
        if (hasPayload())
            m_payload->ref.fetch_add(1, std::memory_order_relaxed);
    }
    Value(Value &&other) noexcept
        : m_type(other.m_type), m_flags(other.m_flags), m_exact(other.m_exact)
    {
        m_bits = other.m_bits;
        other.m_type = Type::Undefined;
        other.m_exact = false;
        other.m_flags = 0;
    }
    Value &operator=(const Value &other) noexcept
    {
        if (this != &other) {
            Value copy(other);
            *this = std::move(copy);
        }
        return *this;
    }
    Value &operator=(Value &&other) noexcept
    {
        if (this != &other) {
            release();
            m_type = other.m_type;
            m_flags = other.m_flags;
            m_exact = other.m_exact;
            m_bits = other.m_bits;
            other.m_type = Type::Undefined;
            other.m_exact = false;
            other.m_flags = 0;
        }
        return *this;
    }
    ~Value() { release(); }

    Type type() const noexcept { return m_type; }
    bool isUndefined() const noexcept { return m_type == Type::Undefined; }
    bool isNull() const noexcept { return m_type == Type::Null; }
    bool isBool() const noexcept { return m_type == Type::Bool; }
    bool isNumber() const noexcept { return m_type == Type::Number; }
    bool isString() const noexcept { return m_type == Type::String; }
    bool isArray() const noexcept { return m_type == Type::Array; }
    bool isObject() const noexcept { return m_type == Type::Object; }
    bool isFunction() const noexcept { return m_type == Type::Function; }

    // Accessors return a neutral value (false, 0, empty) for the wrong type.
    bool toBool() const noexcept { return m_type == Type::Bool && m_bool; }
    double toDouble() const noexcept
    {
        return m_type != Type::Number ? 0.0 : m_exact ? exactDouble() : m_number;
    }
    // The exact integer when the number is integral and fits, else `fallback`.
    qint64 toInt64(qint64 fallback = 0) const;
    // True when the number was kept as exact text (an integer beyond 2^53).
    bool hasExactText() const noexcept { return m_type == Type::Number && m_exact; }
    QString exactText() const;                   // empty unless hasExactText()
    const QString &toString() const;             // the string, or an empty one
    const Array &toArray() const;                // the items, or an empty array
    const Object &toObject() const;              // the members, or an empty object
    Callable *toFunction() const;                // nullptr unless a function

    // Copy-on-write access; the value must already be of that type (asserted).
    Array &mutableArray();
    Object &mutableObject();

    // Size of an array or object, 0 otherwise.
    qsizetype size() const;
    // Item of an array (undefined when out of range or not an array).
    const Value &at(qsizetype index) const;
    // Member of an object (undefined when absent or not an object).
    const Value &operator[](QStringView key) const;

    std::uint8_t flags() const noexcept { return m_flags; }
    bool hasFlag(Flag f) const noexcept { return m_flags & f; }
    void setFlags(std::uint8_t flags) noexcept { m_flags = flags; }
    void addFlag(Flag f) noexcept { m_flags |= f; }

    // Deep equality: numbers by value, objects regardless of member order, functions by
    // identity. Flags are ignored. Undefined equals only undefined.
    friend bool operator==(const Value &a, const Value &b);
    friend bool operator!=(const Value &a, const Value &b) { return !(a == b); }

    // Interop with QtCore's JSON classes (project documents, admin API). Undefined and
    // functions become QJsonValue::Undefined; exact integers become doubles.
    static Value fromQJson(const QJsonValue &json);
    QJsonValue toQJson() const;

    static const char *typeName(Type type);
    const char *typeName() const { return typeName(m_type); }

private:
    bool hasPayload() const noexcept { return m_type >= Type::String || m_exact; }
    double exactDouble() const noexcept;
    void release() noexcept
    {
        if (hasPayload())
            releasePayload();
    }
    void releasePayload() noexcept;   // drops one reference, frees the payload on the last

    Type m_type = Type::Undefined;
    std::uint8_t m_flags = 0;
    bool m_exact = false;        // a Number whose payload keeps the exact text
    union {
        bool m_bool;
        double m_number = 0.0;
        Internal::Payload *m_payload; // String, Array, Object, Function, exact Number
        std::uint64_t m_bits;         // the raw word, for copying whichever is active
    };
};

// An object's members in insertion order. Lookup is linear for small objects and goes
// through a hash index once an object grows past a few members, so both the typical
// 5-field record and a 10,000-key lookup table are fast.
static_assert(sizeof(void *) <= sizeof(std::uint64_t));

class Object
{
public:
    using Member = std::pair<QString, Value>;

    Object();
    Object(std::initializer_list<Member> members);
    Object(const Object &other);
    Object(Object &&other) noexcept;
    Object &operator=(const Object &other);
    Object &operator=(Object &&other) noexcept;
    ~Object();

    qsizetype size() const { return qsizetype(m_members.size()); }
    bool isEmpty() const { return m_members.empty(); }
    void reserve(qsizetype n) { m_members.reserve(size_t(n)); }

    // The member's value, or nullptr.
    const Value *find(QStringView key) const;
    Value *find(QStringView key);
    bool contains(QStringView key) const { return find(key) != nullptr; }
    qsizetype indexOf(QStringView key) const;

    // Sets `key`: replaces the value in place when present (keeping its position),
    // appends otherwise.
    void insert(const QString &key, Value value);
    // Appends without looking for an existing member; the caller guarantees `key` is new.
    void append(QString key, Value value);
    bool remove(QStringView key);

    const std::vector<Member> &members() const { return m_members; }
    auto begin() const { return m_members.begin(); }
    auto end() const { return m_members.end(); }
    const Member &memberAt(qsizetype i) const { return m_members[size_t(i)]; }
    Value &valueAt(qsizetype i) { return m_members[size_t(i)].second; }

private:
    struct Index;
    void rebuildIndex();

    std::vector<Member> m_members;
    std::unique_ptr<Index> m_index;   // built when size() passes the linear-scan limit
};

} // namespace Conflux::Data
