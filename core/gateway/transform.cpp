#include "transform_p.h"

#include <QJsonArray>
#include <algorithm>
#include <data/json.h>
#include <mapping/jsonata.h>
#include <mapping/mappingdocument.h>

using namespace Qt::StringLiterals;

namespace Conflux::Gateway {

namespace Internal {

using Data::Array;
using Data::Object;
using Data::Value;

namespace {

using Tr = TransformTr;

// Targets beyond this index would make a rule allocate a huge padded array.
constexpr qsizetype maxTargetIndex = 9999;

QString timestamp(const QDateTime &now)
{
    const QDateTime t = now.isValid() ? now.toUTC() : QDateTime::currentDateTimeUtc();
    return t.toString(Qt::ISODateWithMs);
}

// "S0201 at position 4: Syntax error: ..." for a JSONata error.
QString expressionError(const Error &e)
{
    if (e.offset < 0)
        return e.code + u": "_s + e.message;
    return Tr::tr("%1 at position %2: %3").arg(e.code).arg(e.offset).arg(e.message);
}

bool isJsonMediaType(const QByteArray &contentType)
{
    const QByteArray type = contentType.split(';').first().trimmed().toLower();
    return type == "application/json" || type.endsWith("+json");
}

bool isToken(const QString &name)
{
    if (name.isEmpty())
        return false;
    for (QChar c : name) {
        const char16_t u = c.unicode();
        const bool alnum
            = (u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z');
        if (!alnum && !QStringView(u"!#$%&'*+-.^_`|~").contains(c))
            return false;
    }
    return true;
}

// ---- Dotted field paths ----------------------------------------------------------------

qsizetype arrayIndex(const QString &segment)
{
    if (segment.isEmpty() || segment.size() > 9)
        return -1;
    for (QChar c : segment) {
        if (c < u'0' || c > u'9')
            return -1;
    }
    return segment.toLongLong();
}

// The value at `path`, undefined when any step is missing. An index segment indexes an
// array; on an object it is a member name like any other.
Value lookupPath(const Value &root, const FieldPath &path)
{
    const Value *at = &root;
    for (const QString &segment : path) {
        if (at->isArray()) {
            const qsizetype index = arrayIndex(segment);
            if (index < 0)
                return {};
            at = &at->at(index);
        } else if (at->isObject()) {
            at = &(*at)[segment];
        } else {
            return {};
        }
        if (at->isUndefined())
            return {};
    }
    return *at;
}

// Sets `path` inside `node`, creating objects (and arrays for index segments, padded with
// null) on the way; a scalar in the way is replaced.
void setPath(Value &node, const FieldPath &path, qsizetype position, Value value)
{
    if (position == path.size()) {
        node = std::move(value);
        return;
    }
    const QString &segment = path.at(position);
    const qsizetype index = arrayIndex(segment);
    if (index >= 0 && !node.isObject()) {
        if (!node.isArray())
            node = Value(Array());
        Array &items = node.mutableArray();
        if (qsizetype(items.size()) <= index)
            items.resize(size_t(index + 1), Value(nullptr));
        setPath(items[size_t(index)], path, position + 1, std::move(value));
        return;
    }
    if (!node.isObject())
        node = Value(Object());
    Object &members = node.mutableObject();
    Value *child = members.find(segment);
    if (!child) {
        members.append(segment, Value());
        child = &members.valueAt(members.size() - 1);
    }
    setPath(*child, path, position + 1, std::move(value));
}

} // namespace

// ---- Work ------------------------------------------------------------------------------

Error Work::fail(const QString &what, const QStringList &details) const
{
    return makeError("transform_failed", u"%1 (%2): %3"_s.arg(rule->pointer, rule->type, what),
                     details);
}

Result<void> Work::checkReadable(QLatin1StringView format) const
{
    if (m_body.isEmpty())
        return fail(Tr::tr("the body is empty; rule %1 expects %2").arg(rule->index).arg(format));
    const QByteArray encoding = headers.value("Content-Encoding").trimmed().toLower();
    if (!encoding.isEmpty() && encoding != "identity") {
        return fail(Tr::tr("the body is encoded (Content-Encoding: %1); rule %2 cannot read it")
                        .arg(QString::fromLatin1(encoding))
                        .arg(rule->index));
    }
    if (m_body.size() > limits.maxBodyBytes) {
        return fail(
            Tr::tr("the body is %1 bytes, above the limit of %2 bytes for transformed bodies")
                .arg(m_body.size())
                .arg(limits.maxBodyBytes));
    }
    return {};
}

Result<Value> Work::takeJson()
{
    if (m_json) {
        Value value = std::move(*m_json);
        m_json.reset();
        return value;
    }
    if (Result<void> readable = checkReadable("JSON"_L1); !readable)
        return readable.error();
    Data::Json::ReadOptions options;
    options.maxBytes = limits.maxBodyBytes;
    Result<Value> parsed = Data::Json::parse(m_body, options);
    if (!parsed)
        return fail(Tr::tr("the body is not JSON: %1").arg(parsed.error().message));
    return parsed;
}

Result<QByteArray> Work::bytes(QLatin1StringView format)
{
    if (m_json) {
        m_body = Data::Json::serialize(*m_json);
        m_json.reset();
    }
    if (Result<void> readable = checkReadable(format); !readable)
        return readable.error();
    return m_body;
}

void Work::putJson(Value value, bool force)
{
    m_changed = true;
    if (value.isUndefined() || value.isFunction()) {
        m_json.reset();
        m_body.clear();
        headers.remove("Content-Type");
        return;
    }
    m_json = std::move(value);
    if (force || !isJsonMediaType(headers.value("Content-Type")))
        headers.set("Content-Type", "application/json");
}

void Work::putBytes(QByteArray bytes, const QByteArray &contentType)
{
    m_changed = true;
    m_json.reset();
    m_body = std::move(bytes);
    headers.set("Content-Type", contentType);
}

Object Work::bindings() const
{
    // Lower-case names; repeated fields joined with ", " as RFC 9110 §5.3 allows.
    Object values;
    for (const auto &[name, value] : headers) {
        const QString key = QString::fromLatin1(name).toLower();
        const QString text = QString::fromUtf8(value);
        if (Value *existing = values.find(key))
            *existing = Value(existing->toString() + u", "_s + text);
        else
            values.append(key, Value(text));
    }
    return Object {{u"request_id"_s, Value(QString::fromLatin1(context.requestId))},
                   {u"client_ip"_s, Value(context.clientIp)},
                   {u"client_id"_s, Value(context.clientId)},
                   {u"route"_s, Value(context.routeId)},
                   {u"headers"_s, Value(std::move(values))}};
}

void Work::commit(TransformMessage &message)
{
    if (m_json) {
        m_body = Data::Json::serialize(*m_json);
        m_json.reset();
    }
    if (m_changed)
        headers.remove("Content-Length");
    message.headers = std::move(headers);
    message.body = std::move(m_body);
}

QString pointerToken(const QString &key)
{
    QString out = key;
    return out.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
}

// ---- Compiler --------------------------------------------------------------------------

void Compiler::problem(const QString &pointer, const QString &what)
{
    problems.append(pointer + u": "_s + what);
}

void Compiler::checkMembers(const QJsonObject &o, const QString &at,
                            std::initializer_list<QLatin1StringView> allowed)
{
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString key = it.key();
        if (key == u"type" || key == u"description")
            continue;
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            problem(at + u'/' + pointerToken(key), Tr::tr("not an option of this rule type"));
    }
}

QString Compiler::string(const QJsonObject &o, QLatin1StringView key, const QString &at,
                         bool required)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined()) {
        if (required)
            problem(at + u'/' + key, Tr::tr("is required"));
        return {};
    }
    if (!v.isString() || v.toString().isEmpty()) {
        problem(at + u'/' + key, Tr::tr("must be a non-empty string"));
        return {};
    }
    return v.toString();
}

bool Compiler::boolean(const QJsonObject &o, QLatin1StringView key, const QString &at)
{
    const QJsonValue v = o.value(key);
    if (!v.isUndefined() && !v.isBool())
        problem(at + u'/' + key, Tr::tr("must be true or false"));
    return v.toBool();
}

QStringList Compiler::strings(const QJsonObject &o, QLatin1StringView key, const QString &at)
{
    QStringList out;
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return out;
    if (!v.isArray()) {
        problem(at + u'/' + key, Tr::tr("must be an array of strings"));
        return out;
    }
    const QJsonArray items = v.toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (!items[i].isString() || items[i].toString().isEmpty())
            problem(u"%1/%2/%3"_s.arg(at, key).arg(i), Tr::tr("must be a non-empty string"));
        else
            out.append(items[i].toString());
    }
    return out;
}

QList<std::pair<QString, QString>> Compiler::stringMap(const QJsonObject &o, QLatin1StringView key,
                                                       const QString &at, bool required)
{
    QList<std::pair<QString, QString>> out;
    const QJsonValue v = o.value(key);
    if (v.isUndefined()) {
        if (required)
            problem(at + u'/' + key, Tr::tr("is required"));
        return out;
    }
    if (!v.isObject()) {
        problem(at + u'/' + key, Tr::tr("must be an object of strings"));
        return out;
    }
    const QJsonObject members = v.toObject();
    if (members.isEmpty() && required)
        problem(at + u'/' + key, Tr::tr("must name at least one entry"));
    for (auto it = members.begin(); it != members.end(); ++it) {
        if (!it.value().isString() || it.value().toString().isEmpty())
            problem(at + u'/' + key + u'/' + pointerToken(it.key()),
                    Tr::tr("must be a non-empty string"));
        else
            out.append({it.key(), it.value().toString()});
    }
    return out;
}

std::optional<FieldPath> Compiler::path(const QString &text, const QString &at, bool isTarget)
{
    const FieldPath path = text.split(u'.');
    for (const QString &segment : path) {
        if (segment.isEmpty()) {
            problem(at, Tr::tr("\"%1\" is not a dotted field path (empty segment)").arg(text));
            return std::nullopt;
        }
        if (isTarget && arrayIndex(segment) > maxTargetIndex) {
            problem(at,
                    Tr::tr("\"%1\": array index %2 is above the limit of %3")
                        .arg(text, segment)
                        .arg(maxTargetIndex));
            return std::nullopt;
        }
    }
    return path;
}

void Compiler::checkTargets(const QList<std::pair<FieldPath, QString>> &targets)
{
    for (const auto &[path, at] : targets) {
        for (const auto &[other, otherAt] : targets) {
            if (other.size() > path.size() && other.mid(0, path.size()) == path) {
                problem(otherAt,
                        Tr::tr("target \"%1\" lies inside target \"%2\"")
                            .arg(other.join(u'.'), path.join(u'.')));
            }
        }
    }
}

bool Compiler::headerName(const QString &name, const QString &at)
{
    if (!isToken(name)) {
        problem(at, Tr::tr("\"%1\" is not a valid header field name").arg(name));
        return false;
    }
    if (name.compare(u"Content-Length"_s, Qt::CaseInsensitive) == 0
        || name.compare(u"Transfer-Encoding"_s, Qt::CaseInsensitive) == 0) {
        problem(at, Tr::tr("%1 frames the message; the server sets it").arg(name));
        return false;
    }
    return true;
}

bool Compiler::headerValue(const QString &value, const QString &at)
{
    for (QChar c : value) {
        if (c == u'\r' || c == u'\n' || c == QChar(0)) {
            problem(at, Tr::tr("a header value must not contain CR, LF or NUL"));
            return false;
        }
    }
    return true;
}

// ---- field_mapping ---------------------------------------------------------------------

FieldMapping FieldMapping::compile(const QJsonObject &o, const QString &at, Compiler &c,
                                   bool required)
{
    FieldMapping out;
    out.keepUnmapped = c.boolean(o, "keep_unmapped"_L1, at);
    QList<std::pair<FieldPath, QString>> targets;
    for (const auto &[target, source] : c.stringMap(o, "mappings"_L1, at, required)) {
        const QString where = at + u"/mappings/"_s + pointerToken(target);
        const std::optional<FieldPath> t = c.path(target, where, true);
        const std::optional<FieldPath> s = c.path(source, where, false);
        if (t && s) {
            out.pairs.append({*t, *s});
            targets.append({*t, where});
        }
    }
    c.checkTargets(targets);
    return out;
}

Result<Value> FieldMapping::apply(const Value &input, const Work &work) const
{
    if (keepUnmapped && !input.isObject()) {
        return work.fail(Tr::tr("keep_unmapped needs a JSON object body, the body is a JSON %1")
                             .arg(QLatin1StringView(input.typeName())));
    }
    Value out = keepUnmapped ? input : Value(Object());
    for (const auto &[target, source] : pairs) {
        Value value = lookupPath(input, source);
        if (!value.isUndefined())
            setPath(out, target, 0, std::move(value));
    }
    return out;
}

namespace {

class FieldMappingRule final : public TransformRule
{
public:
    FieldMapping mapping;

    Result<void> apply(Work &work) const override
    {
        Result<Value> body = work.takeJson();
        if (!body)
            return body.error();
        Result<Value> mapped = mapping.apply(*body, work);
        if (!mapped)
            return mapped.error();
        work.putJson(std::move(mapped).value());
        return {};
    }
};

// ---- jsonata ---------------------------------------------------------------------------

class JsonataRule final : public TransformRule
{
public:
    Mapping::Expression expression;

    Result<void> apply(Work &work) const override
    {
        Result<Value> body = work.takeJson();
        if (!body)
            return body.error();
        Mapping::EvaluationLimits limits;
        limits.timeLimit = work.limits.expressionTimeLimit;
        Result<Value> result = expression.evaluate(*body, work.bindings(), limits);
        if (!result)
            return work.fail(
                Tr::tr("the expression failed: %1").arg(expressionError(result.error())));
        work.putJson(std::move(result).value());
        return {};
    }
};

// ---- mapping ---------------------------------------------------------------------------

class MappingRule final : public TransformRule
{
public:
    QString id;
    std::shared_ptr<const Mapping::CompiledMapping> mapping;

    Result<void> apply(Work &work) const override
    {
        Result<Value> body = work.takeJson();
        if (!body)
            return body.error();
        Result<Array> records = mapping->records(*body);
        if (!records) {
            return work.fail(Tr::tr("mapping \"%1\" cannot find the records in the body: %2")
                                 .arg(id, records.error().message));
        }
        const Object variables = work.bindings();
        Array outputs;
        outputs.reserve(records->size());
        QStringList violations;
        for (size_t i = 0; i < records->size(); ++i) {
            Mapping::MappedRecord mapped = mapping->map((*records)[i], variables);
            for (const Mapping::FieldViolation &v : mapped.violations) {
                const QString field = v.field.isEmpty() ? Tr::tr("(record)") : v.field;
                violations.append(records->size() == 1
                                      ? u"%1: %2"_s.arg(field, v.message)
                                      : u"record %1: %2: %3"_s.arg(i).arg(field, v.message));
            }
            outputs.push_back(std::move(mapped.output));
        }
        if (!violations.isEmpty()) {
            return work.fail(Tr::tr("mapping \"%1\" rejected the body (%n violation(s))", nullptr,
                                    int(violations.size()))
                                 .arg(id),
                             violations);
        }
        if (outputs.size() == 1)
            work.putJson(std::move(outputs.front()));
        else
            work.putJson(Value(std::move(outputs)));
        return {};
    }
};

// ---- headers, enrich -------------------------------------------------------------------

class HeadersRule final : public TransformRule
{
public:
    QList<QByteArray> remove;
    QList<std::pair<QByteArray, QByteArray>> rename;
    QList<std::pair<QByteArray, QByteArray>> add;

    // remove, then rename, then add: an added field is never removed or renamed again.
    Result<void> apply(Work &work) const override
    {
        for (const QByteArray &name : remove)
            work.headers.remove(name);
        for (const auto &[from, to] : rename) {
            if (!work.headers.contains(from))
                continue;
            work.headers.remove(to);
            Http::HttpHeaders renamed;
            for (const auto &[name, value] : work.headers)
                renamed.append(Http::HttpHeaders::nameEquals(name, from) ? to : name, value);
            work.headers = std::move(renamed);
        }
        for (const auto &[name, value] : add)
            work.headers.set(name, value);
        return {};
    }
};

enum class EnrichSource { Timestamp, RequestId, ClientIp, ClientId, Route };

std::optional<EnrichSource> enrichSource(const QString &name)
{
    if (name == u"timestamp")
        return EnrichSource::Timestamp;
    if (name == u"request_id")
        return EnrichSource::RequestId;
    if (name == u"client_ip")
        return EnrichSource::ClientIp;
    if (name == u"client_id")
        return EnrichSource::ClientId;
    if (name == u"route")
        return EnrichSource::Route;
    return std::nullopt;
}

class EnrichRule final : public TransformRule
{
public:
    QList<std::pair<FieldPath, EnrichSource>> fields;
    QList<std::pair<QByteArray, EnrichSource>> headers;

    // An empty value (no client id, say) is null in the body and removes the header field, so a
    // client cannot supply its own.
    Result<void> apply(Work &work) const override
    {
        const QString now = timestamp(work.context.now);
        auto value = [&](EnrichSource source) {
            switch (source) {
            case EnrichSource::Timestamp:
                return now;
            case EnrichSource::RequestId:
                return QString::fromLatin1(work.context.requestId);
            case EnrichSource::ClientIp:
                return work.context.clientIp;
            case EnrichSource::ClientId:
                return work.context.clientId;
            case EnrichSource::Route:
                return work.context.routeId;
            }
            return QString();
        };
        if (!fields.isEmpty()) {
            Result<Value> body = work.takeJson();
            if (!body)
                return body.error();
            if (!body->isObject()) {
                return work.fail(Tr::tr("enrich needs a JSON object body, the body is a JSON %1")
                                     .arg(QLatin1StringView(body->typeName())));
            }
            Value out = std::move(body).value();
            for (const auto &[path, source] : fields) {
                const QString text = value(source);
                setPath(out, path, 0, text.isEmpty() ? Value(nullptr) : Value(text));
            }
            work.putJson(std::move(out));
        }
        for (const auto &[name, source] : headers) {
            const QString text = value(source);
            if (text.isEmpty())
                work.headers.remove(name);
            else
                work.headers.set(name, text.toUtf8());
        }
        return {};
    }
};

// ---- Compiling each rule type ----------------------------------------------------------

RulePtr compileFieldMapping(const QJsonObject &o, const QString &at, Compiler &c)
{
    c.checkMembers(o, at, {"mappings"_L1, "keep_unmapped"_L1});
    auto rule = std::make_unique<FieldMappingRule>();
    rule->mapping = FieldMapping::compile(o, at, c, true);
    return rule;
}

RulePtr compileJsonata(const QJsonObject &o, const QString &at, Compiler &c)
{
    c.checkMembers(o, at, {"expression"_L1});
    const QString source = c.string(o, "expression"_L1, at, true);
    if (source.isEmpty())
        return nullptr;
    Result<Mapping::Expression> expression = Mapping::Expression::compile(source);
    if (!expression) {
        c.problem(at + u"/expression"_s, expressionError(expression.error()));
        return nullptr;
    }
    auto rule = std::make_unique<JsonataRule>();
    rule->expression = std::move(expression).value();
    return rule;
}

RulePtr compileMapping(const QJsonObject &o, const QString &at, Compiler &c)
{
    c.checkMembers(o, at, {"mapping"_L1});
    auto rule = std::make_unique<MappingRule>();
    rule->id = c.string(o, "mapping"_L1, at, true);
    if (rule->id.isEmpty())
        return nullptr;
    rule->mapping = c.mappings ? c.mappings(rule->id) : nullptr;
    if (!rule->mapping) {
        c.problem(at + u"/mapping"_s,
                  Tr::tr("no mapping \"%1\" in the project (mappings/%1.json)").arg(rule->id));
        return nullptr;
    }
    return rule;
}

RulePtr compileHeaders(const QJsonObject &o, const QString &at, Compiler &c)
{
    c.checkMembers(o, at, {"add"_L1, "remove"_L1, "rename"_L1});
    if (!o.contains(u"add"_s) && !o.contains(u"remove"_s) && !o.contains(u"rename"_s))
        c.problem(at, Tr::tr("a headers rule needs add, remove or rename"));
    auto rule = std::make_unique<HeadersRule>();
    const QStringList remove = c.strings(o, "remove"_L1, at);
    for (qsizetype i = 0; i < remove.size(); ++i) {
        if (c.headerName(remove[i], u"%1/remove/%2"_s.arg(at).arg(i)))
            rule->remove.append(remove[i].toLatin1());
    }
    for (const auto &[from, to] : c.stringMap(o, "rename"_L1, at, false)) {
        const QString where = at + u"/rename/"_s + pointerToken(from);
        if (c.headerName(from, where) && c.headerName(to, where))
            rule->rename.append({from.toLatin1(), to.toLatin1()});
    }
    for (const auto &[name, value] : c.stringMap(o, "add"_L1, at, false)) {
        const QString where = at + u"/add/"_s + pointerToken(name);
        if (c.headerName(name, where) && c.headerValue(value, where))
            rule->add.append({name.toLatin1(), value.toUtf8()});
    }
    return rule;
}

RulePtr compileEnrich(const QJsonObject &o, const QString &at, Compiler &c)
{
    c.checkMembers(o, at, {"fields"_L1, "headers"_L1});
    if (!o.contains(u"fields"_s) && !o.contains(u"headers"_s))
        c.problem(at, Tr::tr("an enrich rule needs fields or headers"));
    auto rule = std::make_unique<EnrichRule>();
    auto source = [&c](const QString &name, const QString &where) {
        const std::optional<EnrichSource> s = enrichSource(name);
        if (!s) {
            c.problem(
                where,
                Tr::tr("\"%1\" is not a value enrich knows (timestamp, request_id, client_ip, "
                       "client_id, route)")
                    .arg(name));
        }
        return s;
    };
    QList<std::pair<FieldPath, QString>> targets;
    for (const auto &[target, name] : c.stringMap(o, "fields"_L1, at, false)) {
        const QString where = at + u"/fields/"_s + pointerToken(target);
        const std::optional<FieldPath> path = c.path(target, where, true);
        const std::optional<EnrichSource> s = source(name, where);
        if (path && s) {
            rule->fields.append({*path, *s});
            targets.append({*path, where});
        }
    }
    c.checkTargets(targets);
    for (const auto &[name, value] : c.stringMap(o, "headers"_L1, at, false)) {
        const QString where = at + u"/headers/"_s + pointerToken(name);
        const std::optional<EnrichSource> s = source(value, where);
        if (c.headerName(name, where) && s)
            rule->headers.append({name.toLatin1(), *s});
    }
    return rule;
}

struct RuleType
{
    QLatin1StringView name;
    RulePtr (*compile)(const QJsonObject &, const QString &, Compiler &);
};

constexpr RuleType ruleTypes[] = {
    {"field_mapping"_L1, compileFieldMapping},
    {"jsonata"_L1, compileJsonata},
    {"mapping"_L1, compileMapping},
    {"json_to_xml"_L1, compileJsonToXml},
    {"xml_to_json"_L1, compileXmlToJson},
    {"json_to_soap"_L1, compileJsonToSoap},
    {"soap_to_json"_L1, compileSoapToJson},
    {"headers"_L1, compileHeaders},
    {"enrich"_L1, compileEnrich},
};

// Every rule, or every problem with them.
Result<std::shared_ptr<const TransformProgram>> compileProgram(const QJsonArray &rules,
                                                               const MappingLookup &mappings,
                                                               const QString &pointer,
                                                               const TransformLimits &limits)
{
    auto program = std::make_shared<TransformProgram>();
    program->limits = limits;
    Compiler c(mappings);
    for (qsizetype i = 0; i < rules.size(); ++i) {
        const QString at = pointer + u'/' + QString::number(i);
        if (!rules[i].isObject()) {
            c.problem(at, Tr::tr("a rule must be a JSON object"));
            continue;
        }
        const QJsonObject o = rules[i].toObject();
        const QString type = o.value(u"type"_s).toString();
        const auto *known = std::find_if(std::begin(ruleTypes), std::end(ruleTypes),
                                         [&type](const RuleType &t) { return t.name == type; });
        if (known == std::end(ruleTypes)) {
            QStringList names;
            for (const RuleType &t : ruleTypes)
                names.append(t.name);
            c.problem(
                at + u"/type"_s,
                o.contains(u"type"_s)
                    ? Tr::tr("unknown rule type \"%1\" (known: %2)").arg(type, names.join(u", "_s))
                    : Tr::tr("is required (one of %1)").arg(names.join(u", "_s)));
            continue;
        }
        const qsizetype before = c.problems.size();
        RulePtr rule = known->compile(o, at, c);
        if (!rule || c.problems.size() != before)
            continue;
        rule->type = type;
        rule->pointer = at;
        rule->index = i;
        program->rules.push_back(std::move(rule));
    }
    if (!c.problems.isEmpty()) {
        return makeError("transform_invalid",
                         Tr::tr("Invalid transformation rules at %1 (%n problem(s))", nullptr,
                                int(c.problems.size()))
                             .arg(pointer),
                         c.problems);
    }
    return std::shared_ptr<const TransformProgram>(std::move(program));
}

} // namespace

} // namespace Internal

TransformChain::TransformChain() = default;

Result<TransformChain> TransformChain::compile(const QJsonArray &rules,
                                               const MappingLookup &mappings,
                                               const QString &pointer,
                                               const TransformLimits &limits)
{
    Result<std::shared_ptr<const Internal::TransformProgram>> program
        = Internal::compileProgram(rules, mappings, pointer, limits);
    if (!program)
        return program.error();
    TransformChain chain;
    chain.d = std::move(program).value();
    return chain;
}

bool TransformChain::isEmpty() const
{
    return !d || d->rules.empty();
}

qsizetype TransformChain::size() const
{
    return d ? qsizetype(d->rules.size()) : 0;
}

Result<void> TransformChain::apply(TransformMessage &message, const TransformContext &context) const
{
    if (isEmpty())
        return {};
    Internal::Work work(message, context, d->limits);
    for (const auto &rule : d->rules) {
        work.rule = rule.get();
        if (Result<void> applied = rule->apply(work); !applied)
            return applied;
    }
    work.commit(message);
    return {};
}

} // namespace Conflux::Gateway
