// Validation of instances against the compiled schemas of jsonschema_p.h; the SchemaRegistry
// API and the compiling are in jsonschema.cpp.

#include "jsonschema_p.h"

#include <QJsonObject>
#include <QLocale>
#include <QVarLengthArray>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace Conflux::Model::Internal {

namespace {

// Past this many nested evaluations validation stops, to keep the stack bounded.
constexpr int MaxDepth = 512;

// ---- JSON values ----------------------------------------------------------------------------

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

QList<SchemaError> validateInstance(const Node &entry, const QJsonValue &instance)
{
    QList<SchemaError> errors;
    Validator().check(&entry, instance, Path {}, &errors);
    return errors;
}

} // namespace Conflux::Model::Internal
