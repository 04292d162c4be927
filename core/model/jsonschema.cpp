#include "jsonschema.h"

#include "jsonschema_p.h"

#include <QJsonObject>
#include <QUrl>
#include <limits>

using namespace Qt::StringLiterals;

namespace Conflux::Model {

using namespace Internal;

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

// ---- Regular expressions --------------------------------------------------------------------

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
    return validateInstance(*entry, instance);
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
