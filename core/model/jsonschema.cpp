#include "jsonschema.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrl>
#include <QVarLengthArray>
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

namespace Conflux::Model {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Model)
};

// Instance type bits. "number" admits both number bits; "integer" only Integer.
enum TypeBit : quint8 {
    NullBit = 1,
    BooleanBit = 2,
    IntegerBit = 4,
    NumberBit = 8,
    StringBit = 16,
    ArrayBit = 32,
    ObjectBit = 64,
};

// Past this many nested evaluations validation stops, to keep the stack bounded.
constexpr int MaxDepth = 512;

} // namespace

namespace Internal {

// A schema compiled once: keywords parsed, regular expressions built, references resolved
// to other nodes (possibly in other documents) after the documents are registered.
struct Node
{
    enum class Kind : quint8 { True, False, Schema, Ref };

    struct Dependency
    {
        QString property;
        QStringList required; // array form
        const Node *schema = nullptr; // schema form
    };

    Kind kind = Kind::True;
    QString location; // canonical "documentUri#/json/pointer", for diagnostics

    QString refUri;
    const Node *ref = nullptr;

    quint8 types = 0;
    std::optional<QJsonArray> enumValues;
    std::optional<QJsonValue> constValue;

    std::optional<double> minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf;

    qint64 minLength = -1, maxLength = -1;
    QString patternSource;
    QRegularExpression pattern;

    const Node *items = nullptr;
    QList<const Node *> itemList;
    bool itemsIsArray = false;
    const Node *additionalItems = nullptr;
    const Node *contains = nullptr;
    qint64 minItems = -1, maxItems = -1;
    bool uniqueItems = false;

    QHash<QString, const Node *> properties;
    QStringList propertyOrder; // sorted, so choices made from it are deterministic
    QList<std::pair<QRegularExpression, const Node *>> patternProperties;
    const Node *additionalProperties = nullptr;
    QStringList required;
    const Node *propertyNames = nullptr;
    qint64 minProperties = -1, maxProperties = -1;
    QList<Dependency> dependencies;

    QList<const Node *> allOf, anyOf, oneOf;
    const Node *notSchema = nullptr;
    const Node *ifSchema = nullptr;
    const Node *thenSchema = nullptr;
    const Node *elseSchema = nullptr;
};

// Where a schema resource (a document or a subschema with an "$id") lives.
struct Location
{
    QString documentUri;
    QStringList tokens;
};

// Documents, resources and compiled nodes. A store may sit on a read-only parent: new work is
// compiled into a scratch store first and merged only when it succeeded.
struct SchemaStore
{
    const SchemaStore *parent = nullptr;
    QHash<QString, QJsonValue> documents;
    QHash<QString, Location> resources;
    QHash<QString, Node *> nodes;
    std::vector<std::unique_ptr<Node>> owned;
    QList<Node *> unresolved;

    const QJsonValue *document(const QString &uri) const
    {
        for (const SchemaStore *s = this; s; s = s->parent) {
            if (const auto it = s->documents.constFind(uri); it != s->documents.cend())
                return &*it;
        }
        return nullptr;
    }
    const Location *resource(const QString &uri) const
    {
        for (const SchemaStore *s = this; s; s = s->parent) {
            if (const auto it = s->resources.constFind(uri); it != s->resources.cend())
                return &*it;
        }
        return nullptr;
    }
    const Node *node(const QString &key) const
    {
        for (const SchemaStore *s = this; s; s = s->parent) {
            if (const Node *n = s->nodes.value(key))
                return n;
        }
        return nullptr;
    }
    void mergeInto(SchemaStore &target)
    {
        target.documents.insert(documents);
        target.resources.insert(resources);
        target.nodes.insert(nodes);
        for (auto &n : owned)
            target.owned.push_back(std::move(n));
        target.unresolved += unresolved;
        *this = SchemaStore {};
    }
};

} // namespace Internal

using Internal::Location;
using Internal::Node;
using Internal::SchemaStore;

namespace {

// ---- URIs and JSON pointers ---------------------------------------------------------------

std::pair<QString, QString> splitFragment(const QString &uri)
{
    const qsizetype hash = uri.indexOf(u'#');
    if (hash < 0)
        return {uri, {}};
    return {uri.left(hash), uri.mid(hash + 1)};
}

QString canonicalUri(const QUrl &url)
{
    return url.adjusted(QUrl::RemoveFragment | QUrl::NormalizePathSegments)
        .toString(QUrl::FullyEncoded);
}

// Resolves `ref` against `base` (RFC 3986); the fragment of `ref` is kept as written.
QString resolveUri(const QString &base, const QString &ref)
{
    const auto [path, fragment] = splitFragment(ref);
    QString resolved;
    if (path.isEmpty()) {
        resolved = splitFragment(base).first;
    } else {
        const QUrl relative(path);
        const QString baseUri = splitFragment(base).first;
        resolved = canonicalUri(baseUri.isEmpty() ? relative : QUrl(baseUri).resolved(relative));
    }
    return fragment.isEmpty() ? resolved : resolved + u'#' + fragment;
}

QString escapeToken(QString token)
{
    return token.replace(u'~', "~0"_L1).replace(u'/', "~1"_L1);
}

QString unescapeToken(QString token)
{
    return token.replace("~1"_L1, "/"_L1).replace("~0"_L1, "~"_L1);
}

QString nodeKey(const QString &documentUri, const QStringList &tokens)
{
    QString key = documentUri + u'#';
    for (const QString &token : tokens)
        key += u'/' + escapeToken(token);
    return key;
}

// ---- JSON values ----------------------------------------------------------------------------

quint8 typeBit(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return NullBit;
    case QJsonValue::Bool:
        return BooleanBit;
    case QJsonValue::Double: {
        const double d = v.toDouble();
        return std::isfinite(d) && std::trunc(d) == d ? IntegerBit : NumberBit;
    }
    case QJsonValue::String:
        return StringBit;
    case QJsonValue::Array:
        return ArrayBit;
    case QJsonValue::Object:
        return ObjectBit;
    case QJsonValue::Undefined:
        break;
    }
    return 0;
}

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"boolean"_s;
    case QJsonValue::Double:
        return u"number"_s;
    case QJsonValue::String:
        return u"string"_s;
    case QJsonValue::Array:
        return u"array"_s;
    case QJsonValue::Object:
        return u"object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"undefined"_s;
}

QString typeNames(quint8 mask)
{
    QStringList names;
    const auto add = [&](quint8 bit, QString name) {
        if (mask & bit)
            names.append(std::move(name));
    };
    add(ObjectBit, u"object"_s);
    add(ArrayBit, u"array"_s);
    add(StringBit, u"string"_s);
    if (mask & NumberBit)
        names.append(u"number"_s);
    else
        add(IntegerBit, u"integer"_s);
    add(BooleanBit, u"boolean"_s);
    add(NullBit, u"null"_s);
    return names.join(Tr::tr(" or "));
}

bool jsonEqual(const QJsonValue &a, const QJsonValue &b)
{
    if (a.type() != b.type())
        return false;
    switch (a.type()) {
    case QJsonValue::Double:
        return a.toDouble() == b.toDouble();
    case QJsonValue::Array: {
        const QJsonArray x = a.toArray(), y = b.toArray();
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i) {
            if (!jsonEqual(x.at(i), y.at(i)))
                return false;
        }
        return true;
    }
    case QJsonValue::Object: {
        const QJsonObject x = a.toObject(), y = b.toObject();
        if (x.size() != y.size())
            return false;
        for (auto it = x.constBegin(); it != x.constEnd(); ++it) {
            const auto other = y.constFind(it.key());
            if (other == y.constEnd() || !jsonEqual(it.value(), other.value()))
                return false;
        }
        return true;
    }
    default:
        return a == b;
    }
}

// Consistent with jsonEqual: equal values hash alike (objects iterate in key order).
size_t jsonHash(const QJsonValue &v, size_t seed = 0)
{
    switch (v.type()) {
    case QJsonValue::Bool:
        return qHash(v.toBool(), seed + 1);
    case QJsonValue::Double: {
        const double d = v.toDouble();
        return qHash(d == 0 ? 0.0 : d, seed);
    }
    case QJsonValue::String:
        return qHash(v.toString(), seed);
    case QJsonValue::Array: {
        size_t h = seed + 3;
        for (const QJsonValue &item : v.toArray())
            h = jsonHash(item, h * 31);
        return h;
    }
    case QJsonValue::Object: {
        const QJsonObject object = v.toObject();
        size_t h = seed + 5;
        for (auto it = object.constBegin(); it != object.constEnd(); ++it)
            h = jsonHash(it.value(), qHash(it.key(), h * 31));
        return h;
    }
    default:
        return seed + 7;
    }
}

QString jsonText(const QJsonValue &v)
{
    const QByteArray json = QJsonDocument(QJsonArray {v}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

QString listValues(const QJsonArray &values)
{
    constexpr qsizetype Shown = 12;
    QStringList texts;
    for (qsizetype i = 0; i < values.size() && i < Shown; ++i)
        texts.append(jsonText(values.at(i)));
    if (values.size() > Shown)
        texts.append(u"…"_s);
    return texts.join(", "_L1);
}

QString formatNumber(double d)
{
    return QString::number(d, 'g', QLocale::FloatingPointShortest);
}

qsizetype codePointCount(const QString &s)
{
    qsizetype count = s.size();
    for (qsizetype i = 0; i + 1 < s.size(); ++i) {
        if (s.at(i).isHighSurrogate() && s.at(i + 1).isLowSurrogate()) {
            --count;
            ++i;
        }
    }
    return count;
}

bool isMultipleOf(double value, double divisor)
{
    const double quotient = value / divisor;
    if (!std::isfinite(quotient)) // overflow: still decidable when divisor divides 1
        return std::trunc(value) == value && std::fmod(1.0, divisor) == 0;
    return std::abs(quotient - std::round(quotient)) < 1e-9;
}

// ECMA-262 and PCRE2 differ in a few places that schemas use: "$" matches only at the very end,
// "\uXXXX" escapes, "[^]" (any character), "\s" (Unicode white space in ECMA-262, ASCII in
// PCRE2 without UCP) and letters that PCRE2 takes as escapes and ECMA-262 as themselves.
QString ecmaToPcre(const QString &pattern)
{
    const auto space = "\\t\\n\\x0B\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}"
                       "\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}"_L1;
    QString out;
    out.reserve(pattern.size() + 8);
    bool inClass = false;
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const QChar c = pattern.at(i);
        if (c == u'\\' && i + 1 < pattern.size()) {
            const QChar next = pattern.at(i + 1);
            if (next == u'u' && i + 5 < pattern.size()) {
                bool ok = false;
                pattern.mid(i + 2, 4).toUShort(&ok, 16);
                if (ok) {
                    out += "\\x{"_L1 + pattern.mid(i + 2, 4) + u'}';
                    i += 5;
                    continue;
                }
            }
            if (next == u's') {
                out += inClass ? QString(space) : QString("["_L1 + space + "]"_L1);
            } else if (next == u'S' && !inClass) {
                out += "[^"_L1 + space + u']';
            } else if (next == u'v') {
                out += "\\x0B"_L1; // vertical tab, not PCRE's vertical-space class
            } else if (QStringView(u"AZzGQEKRXChHNeago").contains(next)) {
                out += next; // no escape in ECMA-262 (an identity escape), one in PCRE
            } else {
                out += c;
                out += next;
            }
            ++i;
        } else if (inClass) {
            if (c == u']')
                inClass = false;
            out += c;
        } else if (c == u'[') {
            if (QStringView(pattern).mid(i, 3) == u"[^]") {
                out += "[\\s\\S]"_L1;
                i += 2;
            } else {
                inClass = true;
                out += c;
            }
        } else if (c == u'$') {
            out += "\\z"_L1;
        } else {
            out += c;
        }
    }
    return out;
}

// ---- Compiling --------------------------------------------------------------------------

class Compiler
{
public:
    explicit Compiler(SchemaStore &store)
        : m_store(store)
    {
    }

    const Node *compile(const QJsonValue &value, const QString &documentUri,
                        const QStringList &tokens, const QString &parentBase);
    QStringList errors() const { return m_errors; }

private:
    void error(const QString &documentUri, const QStringList &tokens, const QString &message)
    {
        m_errors.append(nodeKey(documentUri, tokens) + ": "_L1 + message);
    }
    void compileKeywords(Node &n, const QJsonObject &schema, const QString &documentUri,
                         const QStringList &tokens, const QString &base);
    void compileDefinitions(const QJsonObject &schema, const QString &documentUri,
                            const QStringList &tokens, const QString &base);
    std::optional<double> number(const QJsonObject &schema, QLatin1String keyword,
                                 const QString &documentUri, const QStringList &tokens);
    qint64 count(const QJsonObject &schema, QLatin1String keyword, const QString &documentUri,
                 const QStringList &tokens);
    QList<const Node *> schemaList(const QJsonObject &schema, QLatin1String keyword,
                                   const QString &documentUri, const QStringList &tokens,
                                   const QString &base);
    std::optional<QRegularExpression> regex(const QString &source, const QString &documentUri,
                                            const QStringList &tokens);

    SchemaStore &m_store;
    QStringList m_errors;
};

const Node *Compiler::compile(const QJsonValue &value, const QString &documentUri,
                              const QStringList &tokens, const QString &parentBase)
{
    const QString key = nodeKey(documentUri, tokens);
    if (const Node *existing = m_store.node(key))
        return existing;
    Node *n = m_store.owned.emplace_back(std::make_unique<Node>()).get();
    m_store.nodes.insert(key, n);
    n->location = key;

    if (value.isBool()) {
        n->kind = value.toBool() ? Node::Kind::True : Node::Kind::False;
        return n;
    }
    if (!value.isObject()) {
        error(documentUri, tokens, Tr::tr("a schema must be an object or a boolean"));
        return n;
    }
    const QJsonObject schema = value.toObject();
    QString base = parentBase;

    if (schema.contains("$ref"_L1)) {
        // In draft-07 "$ref" makes every sibling keyword (even "$id") ignored.
        const QJsonValue ref = schema.value("$ref"_L1);
        if (!ref.isString()) {
            error(documentUri, tokens, Tr::tr("\"$ref\" must be a string"));
            return n;
        }
        n->kind = Node::Kind::Ref;
        n->refUri = resolveUri(base, ref.toString());
        m_store.unresolved.append(n);
        compileDefinitions(schema, documentUri, tokens, base);
        return n;
    }

    if (const QJsonValue id = schema.value("$id"_L1); !id.isUndefined()) {
        if (!id.isString()) {
            error(documentUri, tokens, Tr::tr("\"$id\" must be a string"));
        } else {
            const auto [uri, rawFragment] = splitFragment(resolveUri(base, id.toString()));
            const QString fragment = QUrl::fromPercentEncoding(rawFragment.toUtf8());
            if (!id.toString().startsWith(u'#')) {
                base = uri;
                m_store.resources.insert(uri, Location {documentUri, tokens});
            }
            if (!fragment.isEmpty() && !fragment.startsWith(u'/'))
                m_store.resources.insert(uri + u'#' + fragment, Location {documentUri, tokens});
        }
    }
    n->kind = Node::Kind::Schema;
    compileKeywords(*n, schema, documentUri, tokens, base);
    return n;
}

void Compiler::compileDefinitions(const QJsonObject &schema, const QString &documentUri,
                                  const QStringList &tokens, const QString &base)
{
    const QJsonValue definitions = schema.value("definitions"_L1);
    if (definitions.isUndefined())
        return;
    if (!definitions.isObject()) {
        error(documentUri, tokens, Tr::tr("\"definitions\" must be an object"));
        return;
    }
    const QJsonObject object = definitions.toObject();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it)
        compile(it.value(), documentUri, tokens + QStringList {u"definitions"_s, it.key()}, base);
}

std::optional<double> Compiler::number(const QJsonObject &schema, QLatin1String keyword,
                                       const QString &documentUri, const QStringList &tokens)
{
    const QJsonValue v = schema.value(keyword);
    if (v.isUndefined())
        return std::nullopt;
    if (!v.isDouble()) {
        error(documentUri, tokens, Tr::tr("\"%1\" must be a number").arg(keyword));
        return std::nullopt;
    }
    return v.toDouble();
}

qint64 Compiler::count(const QJsonObject &schema, QLatin1String keyword, const QString &documentUri,
                       const QStringList &tokens)
{
    const QJsonValue v = schema.value(keyword);
    if (v.isUndefined())
        return -1;
    if (typeBit(v) != IntegerBit || v.toDouble() < 0) {
        error(documentUri, tokens, Tr::tr("\"%1\" must be a non-negative integer").arg(keyword));
        return -1;
    }
    return v.toInteger(std::numeric_limits<qint64>::max());
}

QList<const Node *> Compiler::schemaList(const QJsonObject &schema, QLatin1String keyword,
                                         const QString &documentUri, const QStringList &tokens,
                                         const QString &base)
{
    QList<const Node *> list;
    const QJsonValue v = schema.value(keyword);
    if (v.isUndefined())
        return list;
    if (!v.isArray() || v.toArray().isEmpty()) {
        error(documentUri, tokens, Tr::tr("\"%1\" must be a non-empty array").arg(keyword));
        return list;
    }
    const QJsonArray array = v.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        list.append(compile(array.at(i), documentUri,
                            tokens + QStringList {QString(keyword), QString::number(i)}, base));
    }
    return list;
}

std::optional<QRegularExpression> Compiler::regex(const QString &source, const QString &documentUri,
                                                  const QStringList &tokens)
{
    QRegularExpression re(ecmaToPcre(source));
    if (!re.isValid()) {
        error(documentUri, tokens,
              Tr::tr("invalid regular expression \"%1\": %2").arg(source, re.errorString()));
        return std::nullopt;
    }
    re.optimize();
    return re;
}

void Compiler::compileKeywords(Node &n, const QJsonObject &schema, const QString &documentUri,
                               const QStringList &tokens, const QString &base)
{
    const auto child = [&](QLatin1String keyword) -> const Node * {
        const QJsonValue v = schema.value(keyword);
        if (v.isUndefined())
            return nullptr;
        return compile(v, documentUri, tokens + QStringList {QString(keyword)}, base);
    };
    const auto objectOf = [&](QLatin1String keyword) -> std::optional<QJsonObject> {
        const QJsonValue v = schema.value(keyword);
        if (v.isUndefined())
            return std::nullopt;
        if (!v.isObject()) {
            error(documentUri, tokens, Tr::tr("\"%1\" must be an object").arg(keyword));
            return std::nullopt;
        }
        return v.toObject();
    };
    const auto stringList = [&](const QJsonValue &v, QLatin1String keyword) -> QStringList {
        QStringList list;
        const QJsonArray array = v.toArray();
        for (const QJsonValue &item : array) {
            if (!v.isArray() || !item.isString()) {
                error(documentUri, tokens,
                      Tr::tr("\"%1\" must be an array of strings").arg(keyword));
                return {};
            }
            list.append(item.toString());
        }
        if (!v.isArray())
            error(documentUri, tokens, Tr::tr("\"%1\" must be an array of strings").arg(keyword));
        return list;
    };

    // Generic
    if (const QJsonValue type = schema.value("type"_L1); !type.isUndefined()) {
        static const QHash<QString, quint8> bits
            = {{u"null"_s, NullBit},       {u"boolean"_s, BooleanBit},
               {u"integer"_s, IntegerBit}, {u"number"_s, quint8(IntegerBit | NumberBit)},
               {u"string"_s, StringBit},   {u"array"_s, ArrayBit},
               {u"object"_s, ObjectBit}};
        const QJsonArray names = type.isArray() ? type.toArray() : QJsonArray {type};
        for (const QJsonValue &name : names) {
            const quint8 bit = bits.value(name.toString());
            if (!bit)
                error(documentUri, tokens, Tr::tr("unknown type %1").arg(jsonText(name)));
            n.types |= bit;
        }
    }
    if (const QJsonValue values = schema.value("enum"_L1); !values.isUndefined()) {
        if (values.isArray())
            n.enumValues = values.toArray();
        else
            error(documentUri, tokens, Tr::tr("\"enum\" must be an array"));
    }
    if (schema.contains("const"_L1))
        n.constValue = schema.value("const"_L1);

    // Numbers
    n.minimum = number(schema, "minimum"_L1, documentUri, tokens);
    n.maximum = number(schema, "maximum"_L1, documentUri, tokens);
    n.exclusiveMinimum = number(schema, "exclusiveMinimum"_L1, documentUri, tokens);
    n.exclusiveMaximum = number(schema, "exclusiveMaximum"_L1, documentUri, tokens);
    n.multipleOf = number(schema, "multipleOf"_L1, documentUri, tokens);
    if (n.multipleOf && *n.multipleOf <= 0) {
        error(documentUri, tokens, Tr::tr("\"multipleOf\" must be greater than 0"));
        n.multipleOf.reset();
    }

    // Strings
    n.minLength = count(schema, "minLength"_L1, documentUri, tokens);
    n.maxLength = count(schema, "maxLength"_L1, documentUri, tokens);
    if (const QJsonValue pattern = schema.value("pattern"_L1); !pattern.isUndefined()) {
        if (!pattern.isString()) {
            error(documentUri, tokens, Tr::tr("\"pattern\" must be a string"));
        } else if (auto re = regex(pattern.toString(), documentUri, tokens)) {
            n.patternSource = pattern.toString();
            n.pattern = std::move(*re);
        }
    }

    // Arrays
    if (const QJsonValue items = schema.value("items"_L1); items.isArray()) {
        n.itemsIsArray = true;
        const QJsonArray array = items.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            n.itemList.append(compile(array.at(i), documentUri,
                                      tokens + QStringList {u"items"_s, QString::number(i)}, base));
        }
    } else {
        n.items = child("items"_L1);
    }
    n.additionalItems = child("additionalItems"_L1);
    n.contains = child("contains"_L1);
    n.minItems = count(schema, "minItems"_L1, documentUri, tokens);
    n.maxItems = count(schema, "maxItems"_L1, documentUri, tokens);
    if (const QJsonValue unique = schema.value("uniqueItems"_L1); !unique.isUndefined()) {
        if (unique.isBool())
            n.uniqueItems = unique.toBool();
        else
            error(documentUri, tokens, Tr::tr("\"uniqueItems\" must be a boolean"));
    }

    // Objects
    if (const auto properties = objectOf("properties"_L1)) {
        for (auto it = properties->constBegin(); it != properties->constEnd(); ++it) {
            n.properties.insert(it.key(),
                                compile(it.value(), documentUri,
                                        tokens + QStringList {u"properties"_s, it.key()}, base));
            n.propertyOrder.append(it.key());
        }
    }
    if (const auto patterns = objectOf("patternProperties"_L1)) {
        for (auto it = patterns->constBegin(); it != patterns->constEnd(); ++it) {
            const QStringList at = tokens + QStringList {u"patternProperties"_s, it.key()};
            const Node *sub = compile(it.value(), documentUri, at, base);
            if (auto re = regex(it.key(), documentUri, at))
                n.patternProperties.append({std::move(*re), sub});
        }
    }
    n.additionalProperties = child("additionalProperties"_L1);
    if (const QJsonValue required = schema.value("required"_L1); !required.isUndefined())
        n.required = stringList(required, "required"_L1);
    n.propertyNames = child("propertyNames"_L1);
    n.minProperties = count(schema, "minProperties"_L1, documentUri, tokens);
    n.maxProperties = count(schema, "maxProperties"_L1, documentUri, tokens);
    if (const auto dependencies = objectOf("dependencies"_L1)) {
        for (auto it = dependencies->constBegin(); it != dependencies->constEnd(); ++it) {
            Node::Dependency dependency {it.key(), {}, nullptr};
            if (it.value().isArray()) {
                dependency.required = stringList(it.value(), "dependencies"_L1);
            } else {
                dependency.schema
                    = compile(it.value(), documentUri,
                              tokens + QStringList {u"dependencies"_s, it.key()}, base);
            }
            n.dependencies.append(std::move(dependency));
        }
    }

    // Combinators
    n.allOf = schemaList(schema, "allOf"_L1, documentUri, tokens, base);
    n.anyOf = schemaList(schema, "anyOf"_L1, documentUri, tokens, base);
    n.oneOf = schemaList(schema, "oneOf"_L1, documentUri, tokens, base);
    n.notSchema = child("not"_L1);
    n.ifSchema = child("if"_L1);
    n.thenSchema = child("then"_L1);
    n.elseSchema = child("else"_L1);

    compileDefinitions(schema, documentUri, tokens, base);
}

// Finds (compiling on demand into `store`) the node an absolute reference points at, or null.
const Node *resolveReference(SchemaStore &store, const QString &reference)
{
    const auto [uri, rawFragment] = splitFragment(reference);
    const QString fragment = QUrl::fromPercentEncoding(rawFragment.toUtf8());
    const bool isPointer = fragment.isEmpty() || fragment.startsWith(u'/');
    const Location *location = store.resource(isPointer ? uri : uri + u'#' + fragment);
    if (!location)
        return nullptr;
    QStringList tokens = location->tokens;
    if (fragment.startsWith(u'/')) {
        const QStringList parts = fragment.mid(1).split(u'/');
        for (const QString &part : parts)
            tokens.append(unescapeToken(part));
    }
    if (const Node *n = store.node(nodeKey(location->documentUri, tokens)))
        return n;

    // Not compiled yet (a location that is no schema keyword): walk there, tracking "$id"s.
    const QJsonValue *document = store.document(location->documentUri);
    if (!document)
        return nullptr;
    QJsonValue current = *document;
    QString base = location->documentUri;
    for (const QString &token : std::as_const(tokens)) {
        if (current.isObject()) {
            const QJsonObject object = current.toObject();
            const QJsonValue id = object.value("$id"_L1);
            if (id.isString() && !object.contains("$ref"_L1) && !id.toString().startsWith(u'#'))
                base = splitFragment(resolveUri(base, id.toString())).first;
            if (!object.contains(token))
                return nullptr;
            current = object.value(token);
        } else if (current.isArray()) {
            bool ok = false;
            const qsizetype index = token.toLongLong(&ok);
            if (!ok || index < 0 || index >= current.toArray().size())
                return nullptr;
            current = current.toArray().at(index);
        } else {
            return nullptr;
        }
    }
    SchemaStore scratch;
    scratch.parent = &store;
    Compiler compiler(scratch);
    const Node *n = compiler.compile(current, location->documentUri, tokens, base);
    if (!compiler.errors().isEmpty())
        return nullptr;
    scratch.mergeInto(store);
    return n;
}

// Resolves every pending reference it can; the rest stay pending until more documents come.
void resolvePending(SchemaStore &store)
{
    bool progress = true;
    while (progress && !store.unresolved.isEmpty()) {
        progress = false;
        const QList<Node *> pending = std::exchange(store.unresolved, {});
        for (Node *n : pending) {
            if (const Node *target = resolveReference(store, n->refUri)) {
                n->ref = target;
                progress = true;
            } else {
                store.unresolved.append(n);
            }
        }
    }
}

// ---- Validating -------------------------------------------------------------------------

// An instance location as a chain of stack frames; turned into a pointer only for errors.
struct Path
{
    const Path *parent = nullptr;
    QStringView key;
    qsizetype index = -1;

    QString toPointer() const
    {
        QVarLengthArray<const Path *, 16> chain;
        for (const Path *p = this; p->parent; p = p->parent)
            chain.append(p);
        QString pointer;
        for (auto it = chain.crbegin(); it != chain.crend(); ++it) {
            pointer += u'/';
            pointer += (*it)->index >= 0 ? QString::number((*it)->index)
                                         : escapeToken((*it)->key.toString());
        }
        return pointer;
    }
};

// What distinguishes the branches of an anyOf/oneOf whose branches are objects with a
// const/enum on the same property, e.g. {"kind": {"const": "rest"}}.
struct Discriminator
{
    QString property;
    bool isRequired = true;
    QList<QJsonArray> values; // per branch
};

const Node *followRefs(const Node *n)
{
    for (int hops = 0; n && n->kind == Node::Kind::Ref && hops < 32; ++hops)
        n = n->ref;
    return n && n->kind != Node::Kind::Ref ? n : nullptr;
}

// The types a schema admits at its top level; 0 when it does not say.
quint8 declaredTypes(const Node *n)
{
    n = followRefs(n);
    if (!n || n->kind != Node::Kind::Schema)
        return 0;
    if (n->types)
        return n->types;
    quint8 mask = 0;
    for (const Node *part : n->allOf) {
        if (const quint8 t = declaredTypes(followRefs(part)))
            mask = mask ? (mask & t) : t;
    }
    return mask;
}

std::optional<Discriminator> findDiscriminator(const QList<const Node *> &branches)
{
    QList<const Node *> schemas;
    for (const Node *branch : branches) {
        const Node *n = followRefs(branch);
        if (!n || n->kind != Node::Kind::Schema || n->properties.isEmpty())
            return std::nullopt;
        schemas.append(n);
    }
    for (const QString &property : schemas.first()->propertyOrder) {
        Discriminator d {property, true, {}};
        for (const Node *schema : std::as_const(schemas)) {
            const Node *p = followRefs(schema->properties.value(property));
            if (!p || p->kind != Node::Kind::Schema || (!p->constValue && !p->enumValues))
                break;
            d.values.append(p->constValue ? QJsonArray {*p->constValue} : *p->enumValues);
            d.isRequired = d.isRequired && schema->required.contains(property);
        }
        if (d.values.size() == schemas.size())
            return d;
    }
    return std::nullopt;
}

class Validator
{
public:
    // `out` null means: stop at the first failure, nobody wants the messages.
    bool check(const Node *n, const QJsonValue &v, const Path &path, QList<SchemaError> *out);

private:
    static void report(QList<SchemaError> *out, const Path &path, QLatin1String keyword,
                       QString message)
    {
        if (out)
            out->append(SchemaError {path.toPointer(), QString(keyword), std::move(message)});
    }
    bool checkSchema(const Node &n, const QJsonValue &v, const Path &path, QList<SchemaError> *out);
    bool checkNumber(const Node &n, double d, const Path &path, QList<SchemaError> *out);
    bool checkString(const Node &n, const QString &s, const Path &path, QList<SchemaError> *out);
    bool checkArray(const Node &n, const QJsonArray &a, const Path &path, QList<SchemaError> *out);
    bool checkObject(const Node &n, const QJsonObject &o, const QJsonValue &v, const Path &path,
                     QList<SchemaError> *out);
    bool checkCombinators(const Node &n, const QJsonValue &v, const Path &path,
                          QList<SchemaError> *out);
    void explain(const QList<const Node *> &branches, QLatin1String keyword, const QJsonValue &v,
                 const Path &path, QList<SchemaError> *out);

    int m_depth = 0;
    QVarLengthArray<std::pair<const Node *, const Path *>, 32> m_activeRefs;
};

bool Validator::check(const Node *n, const QJsonValue &v, const Path &path, QList<SchemaError> *out)
{
    switch (n->kind) {
    case Node::Kind::True:
        return true;
    case Node::Kind::False:
        report(out, path, "false"_L1, Tr::tr("value is not allowed here"));
        return false;
    case Node::Kind::Schema:
        break;
    case Node::Kind::Ref: {
        if (!n->ref) {
            report(out, path, "$ref"_L1, Tr::tr("cannot resolve reference \"%1\"").arg(n->refUri));
            return false;
        }
        // The same reference entered again at the same instance location never ends.
        for (auto it = m_activeRefs.crbegin(); it != m_activeRefs.crend() && it->second == &path;
             ++it) {
            if (it->first == n) {
                report(out, path, "$ref"_L1,
                       Tr::tr("reference \"%1\" loops without consuming the value").arg(n->refUri));
                return false;
            }
        }
        m_activeRefs.append({n, &path});
        const bool ok = check(n->ref, v, path, out);
        m_activeRefs.removeLast();
        return ok;
    }
    }
    if (m_depth >= MaxDepth) {
        report(out, path, "$ref"_L1, Tr::tr("value is nested too deeply to validate"));
        return false;
    }
    ++m_depth;
    const bool ok = checkSchema(*n, v, path, out);
    --m_depth;
    return ok;
}

bool Validator::checkSchema(const Node &n, const QJsonValue &v, const Path &path,
                            QList<SchemaError> *out)
{
    bool ok = true;
    if (n.types && !(n.types & typeBit(v))) {
        // Whatever else the schema says would only restate that the value has the wrong type.
        report(out, path, "type"_L1,
               Tr::tr("expected %1, got %2").arg(typeNames(n.types), typeName(v)));
        return false;
    }
    if (n.enumValues
        && std::none_of(n.enumValues->begin(), n.enumValues->end(),
                        [&](const QJsonValue &e) { return jsonEqual(e, v); })) {
        report(out, path, "enum"_L1,
               Tr::tr("value must be one of %1").arg(listValues(*n.enumValues)));
        if (!out)
            return false;
        ok = false;
    }
    if (n.constValue && !jsonEqual(*n.constValue, v)) {
        report(out, path, "const"_L1, Tr::tr("value must be %1").arg(jsonText(*n.constValue)));
        if (!out)
            return false;
        ok = false;
    }
    switch (v.type()) {
    case QJsonValue::Double:
        ok = checkNumber(n, v.toDouble(), path, out) && ok;
        break;
    case QJsonValue::String:
        ok = checkString(n, v.toString(), path, out) && ok;
        break;
    case QJsonValue::Array:
        ok = checkArray(n, v.toArray(), path, out) && ok;
        break;
    case QJsonValue::Object:
        ok = checkObject(n, v.toObject(), v, path, out) && ok;
        break;
    default:
        break;
    }
    if (!ok && !out)
        return false;
    return checkCombinators(n, v, path, out) && ok;
}

bool Validator::checkNumber(const Node &n, double d, const Path &path, QList<SchemaError> *out)
{
    bool ok = true;
    const auto fail = [&](QLatin1String keyword, const QString &message) {
        report(out, path, keyword, message);
        ok = false;
        return !out;
    };
    if (n.minimum && d < *n.minimum
        && fail("minimum"_L1, Tr::tr("must be at least %1").arg(formatNumber(*n.minimum))))
        return false;
    if (n.maximum && d > *n.maximum
        && fail("maximum"_L1, Tr::tr("must be at most %1").arg(formatNumber(*n.maximum))))
        return false;
    if (n.exclusiveMinimum && d <= *n.exclusiveMinimum
        && fail("exclusiveMinimum"_L1,
                Tr::tr("must be greater than %1").arg(formatNumber(*n.exclusiveMinimum))))
        return false;
    if (n.exclusiveMaximum && d >= *n.exclusiveMaximum
        && fail("exclusiveMaximum"_L1,
                Tr::tr("must be less than %1").arg(formatNumber(*n.exclusiveMaximum))))
        return false;
    if (n.multipleOf && !isMultipleOf(d, *n.multipleOf)
        && fail("multipleOf"_L1,
                Tr::tr("must be a multiple of %1").arg(formatNumber(*n.multipleOf))))
        return false;
    return ok;
}

bool Validator::checkString(const Node &n, const QString &s, const Path &path,
                            QList<SchemaError> *out)
{
    bool ok = true;
    if (n.minLength >= 0 || n.maxLength >= 0) {
        const qsizetype length = codePointCount(s);
        if (n.minLength >= 0 && length < n.minLength) {
            report(out, path, "minLength"_L1,
                   Tr::tr("length must be at least %1").arg(n.minLength));
            if (!out)
                return false;
            ok = false;
        }
        if (n.maxLength >= 0 && length > n.maxLength) {
            report(out, path, "maxLength"_L1, Tr::tr("length must be at most %1").arg(n.maxLength));
            if (!out)
                return false;
            ok = false;
        }
    }
    if (!n.patternSource.isNull() && !n.pattern.match(s).hasMatch()) {
        report(out, path, "pattern"_L1, Tr::tr("must match pattern \"%1\"").arg(n.patternSource));
        ok = false;
    }
    return ok;
}

bool Validator::checkArray(const Node &n, const QJsonArray &a, const Path &path,
                           QList<SchemaError> *out)
{
    bool ok = true;
    if (n.minItems >= 0 && a.size() < n.minItems) {
        report(out, path, "minItems"_L1, Tr::tr("item count must be at least %1").arg(n.minItems));
        if (!out)
            return false;
        ok = false;
    }
    if (n.maxItems >= 0 && a.size() > n.maxItems) {
        report(out, path, "maxItems"_L1, Tr::tr("item count must be at most %1").arg(n.maxItems));
        if (!out)
            return false;
        ok = false;
    }
    if (n.uniqueItems && a.size() > 1) {
        QHash<size_t, QList<qsizetype>> seen;
        bool duplicate = false;
        for (qsizetype i = 0; i < a.size() && !duplicate; ++i) {
            QList<qsizetype> &bucket = seen[jsonHash(a.at(i))];
            for (qsizetype j : std::as_const(bucket)) {
                if (jsonEqual(a.at(j), a.at(i))) {
                    report(out, path, "uniqueItems"_L1,
                           Tr::tr("items must be unique, but items %1 and %2 are equal")
                               .arg(j)
                               .arg(i));
                    duplicate = true;
                    break;
                }
            }
            bucket.append(i);
        }
        if (duplicate) {
            if (!out)
                return false;
            ok = false;
        }
    }
    for (qsizetype i = 0; i < a.size(); ++i) {
        const Node *schema = n.items;
        if (n.itemsIsArray)
            schema = i < n.itemList.size() ? n.itemList.at(i) : n.additionalItems;
        if (!schema)
            continue;
        const Path item {&path, {}, i};
        if (n.itemsIsArray && i >= n.itemList.size() && schema->kind == Node::Kind::False) {
            report(out, item, "additionalItems"_L1,
                   Tr::tr("unexpected item: at most %1 allowed").arg(n.itemList.size()));
            ok = false;
        } else {
            ok = check(schema, a.at(i), item, out) && ok;
        }
        if (!ok && !out)
            return false;
    }
    if (n.contains) {
        bool found = false;
        for (qsizetype i = 0; i < a.size() && !found; ++i)
            found = check(n.contains, a.at(i), Path {&path, {}, i}, nullptr);
        if (!found) {
            report(out, path, "contains"_L1, Tr::tr("must contain at least one matching item"));
            ok = false;
        }
    }
    return ok;
}

bool Validator::checkObject(const Node &n, const QJsonObject &o, const QJsonValue &v,
                            const Path &path, QList<SchemaError> *out)
{
    bool ok = true;
    const auto fail = [&](const Path &at, QLatin1String keyword, const QString &message) {
        report(out, at, keyword, message);
        ok = false;
        return !out;
    };
    if (n.minProperties >= 0 && o.size() < n.minProperties
        && fail(path, "minProperties"_L1,
                Tr::tr("property count must be at least %1").arg(n.minProperties)))
        return false;
    if (n.maxProperties >= 0 && o.size() > n.maxProperties
        && fail(path, "maxProperties"_L1,
                Tr::tr("property count must be at most %1").arg(n.maxProperties)))
        return false;
    for (const QString &name : n.required) {
        if (!o.contains(name)
            && fail(path, "required"_L1, Tr::tr("missing required property \"%1\"").arg(name)))
            return false;
    }
    for (const Node::Dependency &dependency : n.dependencies) {
        if (!o.contains(dependency.property))
            continue;
        if (dependency.schema) {
            ok = check(dependency.schema, v, path, out) && ok;
            if (!ok && !out)
                return false;
            continue;
        }
        for (const QString &name : dependency.required) {
            if (!o.contains(name)
                && fail(path, "dependencies"_L1,
                        Tr::tr("property \"%1\" requires property \"%2\"")
                            .arg(dependency.property, name)))
                return false;
        }
    }
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        const QString key = it.key();
        const Path property {&path, key};
        if (n.propertyNames) {
            QList<SchemaError> nameErrors;
            // `property` (not `path`) keeps the reference-loop detection apart from the object.
            if (!check(n.propertyNames, QJsonValue(key), property, out ? &nameErrors : nullptr)) {
                if (!out)
                    return false;
                for (const SchemaError &e : std::as_const(nameErrors)) {
                    report(out, path, "propertyNames"_L1,
                           Tr::tr("invalid property name \"%1\": %2").arg(key, e.message));
                }
                ok = false;
            }
        }
        bool matched = false;
        if (const Node *schema = n.properties.value(key)) {
            matched = true;
            ok = check(schema, it.value(), property, out) && ok;
        }
        for (const auto &[re, schema] : n.patternProperties) {
            if (re.match(key).hasMatch()) {
                matched = true;
                ok = check(schema, it.value(), property, out) && ok;
            }
        }
        if (!matched && n.additionalProperties) {
            if (n.additionalProperties->kind == Node::Kind::False) {
                report(out, property, "additionalProperties"_L1,
                       Tr::tr("unknown property \"%1\"").arg(key));
                ok = false;
            } else {
                ok = check(n.additionalProperties, it.value(), property, out) && ok;
            }
        }
        if (!ok && !out)
            return false;
    }
    return ok;
}

bool Validator::checkCombinators(const Node &n, const QJsonValue &v, const Path &path,
                                 QList<SchemaError> *out)
{
    bool ok = true;
    for (const Node *part : n.allOf) {
        ok = check(part, v, path, out) && ok;
        if (!ok && !out)
            return false;
    }
    if (!n.anyOf.isEmpty()) {
        const bool any = std::any_of(n.anyOf.cbegin(), n.anyOf.cend(), [&](const Node *branch) {
            return check(branch, v, path, nullptr);
        });
        if (!any) {
            if (!out)
                return false;
            explain(n.anyOf, "anyOf"_L1, v, path, out);
            ok = false;
        }
    }
    if (!n.oneOf.isEmpty()) {
        qsizetype matches = 0;
        for (const Node *branch : n.oneOf) {
            if (check(branch, v, path, nullptr) && ++matches > 1 && !out)
                return false;
        }
        if (matches == 0) {
            if (!out)
                return false;
            explain(n.oneOf, "oneOf"_L1, v, path, out);
            ok = false;
        } else if (matches > 1) {
            report(out, path, "oneOf"_L1,
                   Tr::tr("must match exactly one of the allowed shapes, but matches %1")
                       .arg(matches));
            ok = false;
        }
    }
    if (n.notSchema && check(n.notSchema, v, path, nullptr)) {
        report(out, path, "not"_L1, Tr::tr("must not match the schema in \"not\""));
        if (!out)
            return false;
        ok = false;
    }
    if (n.ifSchema) {
        const Node *branch = check(n.ifSchema, v, path, nullptr) ? n.thenSchema : n.elseSchema;
        if (branch)
            ok = check(branch, v, path, out) && ok;
    }
    return ok;
}

// Says why no branch of an anyOf/oneOf matched, preferring the errors of the one branch the
// value was evidently meant for (by discriminator property, then by type) over a vague summary.
void Validator::explain(const QList<const Node *> &branches, QLatin1String keyword,
                        const QJsonValue &v, const Path &path, QList<SchemaError> *out)
{
    QList<const Node *> candidates = branches;
    if (v.isObject()) {
        if (const auto d = findDiscriminator(branches)) {
            const QJsonObject object = v.toObject();
            if (object.contains(d->property)) {
                const QJsonValue tag = object.value(d->property);
                QList<const Node *> matching;
                QJsonArray allValues;
                for (qsizetype i = 0; i < branches.size(); ++i) {
                    const QJsonArray &values = d->values.at(i);
                    for (const QJsonValue &value : values) {
                        if (!allValues.contains(value))
                            allValues.append(value);
                    }
                    if (std::any_of(values.begin(), values.end(),
                                    [&](const QJsonValue &value) { return jsonEqual(value, tag); }))
                        matching.append(branches.at(i));
                }
                if (matching.isEmpty()) {
                    report(out, Path {&path, d->property}, keyword,
                           Tr::tr("value must be one of %1").arg(listValues(allValues)));
                    return;
                }
                candidates = matching;
            } else if (d->isRequired) {
                report(out, path, keyword,
                       Tr::tr("missing required property \"%1\"").arg(d->property));
                return;
            }
        }
    }
    if (candidates.size() > 1) {
        QList<const Node *> typed;
        quint8 allowed = 0;
        bool allTyped = true;
        for (const Node *candidate : std::as_const(candidates)) {
            const quint8 types = declaredTypes(candidate);
            allowed |= types;
            allTyped = allTyped && types;
            if (!types || (types & typeBit(v)))
                typed.append(candidate);
        }
        if (typed.isEmpty() && allTyped) {
            report(out, path, "type"_L1,
                   Tr::tr("expected %1, got %2").arg(typeNames(allowed), typeName(v)));
            return;
        }
        if (typed.size() == 1)
            candidates = typed;
    }
    if (candidates.size() == 1) {
        check(candidates.first(), v, path, out);
        return;
    }
    report(out, path, keyword,
           keyword == "oneOf"_L1 ? Tr::tr("must match exactly one of the allowed shapes")
                                 : Tr::tr("must match at least one of the allowed shapes"));
}

} // namespace

// ---- Public API -------------------------------------------------------------------------

QString SchemaError::toString() const
{
    return (pointer.isEmpty() ? u"(root)"_s : pointer) + ": "_L1 + message;
}

SchemaRegistry::SchemaRegistry()
    : m_store(std::make_unique<SchemaStore>())
{
}
SchemaRegistry::~SchemaRegistry() = default;
SchemaRegistry::SchemaRegistry(SchemaRegistry &&) noexcept = default;
SchemaRegistry &SchemaRegistry::operator=(SchemaRegistry &&) noexcept = default;

Result<void> SchemaRegistry::addSchema(const QJsonValue &schema, const QString &uri)
{
    QString documentUri = uri;
    if (documentUri.isEmpty() && schema.isObject())
        documentUri = schema.toObject().value("$id"_L1).toString();
    if (documentUri.isEmpty()) {
        return makeError("schema_without_uri",
                         Tr::tr("a schema needs a URI or an \"$id\" to be registered"));
    }
    documentUri = splitFragment(resolveUri({}, documentUri)).first;
    if (m_store->document(documentUri)) {
        return makeError("duplicate_schema",
                         Tr::tr("a schema is already registered as \"%1\"").arg(documentUri));
    }

    SchemaStore scratch;
    scratch.parent = m_store.get();
    scratch.documents.insert(documentUri, schema);
    scratch.resources.insert(documentUri, Location {documentUri, {}});
    Compiler compiler(scratch);
    compiler.compile(schema, documentUri, {}, documentUri);
    if (!compiler.errors().isEmpty()) {
        return makeError("invalid_schema",
                         Tr::tr("the schema \"%1\" is not a valid JSON schema").arg(documentUri),
                         compiler.errors());
    }
    scratch.mergeInto(*m_store);
    resolvePending(*m_store);
    return {};
}

bool SchemaRegistry::contains(const QString &uri) const
{
    return m_store->document(splitFragment(resolveUri({}, uri)).first) != nullptr;
}

QList<SchemaError> SchemaRegistry::validate(const QString &uri, const QJsonValue &instance) const
{
    const QString reference = resolveUri({}, uri);
    // Entry points that no schema keyword reaches are compiled into a scratch store that lives
    // for this call only, so the registry itself stays untouched (and shareable).
    SchemaStore scratch;
    scratch.parent = m_store.get();
    const Node *entry = resolveReference(scratch, reference);
    resolvePending(scratch);
    if (!entry) {
        return {
            SchemaError {QString(), u"$ref"_s, Tr::tr("cannot resolve schema \"%1\"").arg(uri)}};
    }
    QList<SchemaError> errors;
    Validator().check(entry, instance, Path {}, &errors);
    return errors;
}

Result<QList<SchemaError>> validateJson(const QJsonValue &schema, const QJsonValue &instance)
{
    SchemaRegistry registry;
    const QString uri = u"urn:conflux:inline-schema"_s;
    if (const Result<void> added = registry.addSchema(schema, uri); !added)
        return added.error();
    return registry.validate(uri, instance);
}

} // namespace Conflux::Model
