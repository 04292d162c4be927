#include "mapping/mappingdocument.h"

#include "data/json.h"

#include <QCoreApplication>
#include <QHash>
#include <QRegularExpression>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Conflux::Mapping {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Mapping::MappingDocument)
};

using Data::Value;

// A dotted field path as a JSONata path: plain names stay as they are, anything else is
// quoted with backticks (`order-id`).
Result<QString> jsonataPath(const QString &dotted)
{
    static const QRegularExpression plain(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
    const QStringList segments = dotted.split(u'.');
    QStringList out;
    for (const QString &segment : segments) {
        if (segment.isEmpty() || segment.contains(u'`')) {
            return makeError("mapping_rule_invalid",
                             Tr::tr("\"%1\" is not a field path (empty segment or a backtick)").arg(dotted));
        }
        out.append(plain.match(segment).hasMatch() ? segment : u'`' + segment + u'`');
    }
    return out.join(u'.');
}

QString stringLiteral(const QString &text)
{
    return QString::fromUtf8(Data::Json::serialize(Value(text)));
}

QString ruleString(const Value &rule, QStringView key)
{
    return rule[key].toString();
}

Error ruleError(qsizetype index, const QString &pointerTail, const Error &error)
{
    Error out = error;
    const QString where = u"/rules/%1%2"_s.arg(index).arg(pointerTail);
    out.message = where + u": "_s + error.message;
    out.details.prepend(where);
    return out;
}

// Where a check or rule sits in the output record.
const Value &fieldAt(const Value &record, const QStringList &path)
{
    const Value *current = &record;
    for (const QString &segment : path) {
        current = &(*current)[segment];
        if (current->isUndefined())
            break;
    }
    return *current;
}

void setField(Value &record, const QStringList &path, Value value)
{
    Value *current = &record;
    for (qsizetype i = 0; i < path.size(); ++i) {
        Data::Object &object = current->mutableObject();
        Value *member = object.find(path[i]);
        if (i == path.size() - 1) {
            if (member)
                *member = std::move(value);
            else
                object.append(path[i], std::move(value));
            return;
        }
        if (!member || !member->isObject()) {
            object.insert(path[i], Value(Data::Object()));
            member = object.find(path[i]);
        }
        current = member;
    }
}

QString describe(const Value &v)
{
    if (v.isUndefined())
        return u"nothing"_s;
    QByteArray text = Data::Json::serialize(v);
    if (text.size() > 60)
        text = text.left(57) + "...";
    return QString::fromUtf8(text);
}

bool hasType(const Value &v, const QString &type)
{
    if (type == u"string")
        return v.isString();
    if (type == u"number")
        return v.isNumber();
    if (type == u"integer")
        return v.isNumber() && std::trunc(v.toDouble()) == v.toDouble();
    if (type == u"boolean")
        return v.isBool();
    if (type == u"object")
        return v.isObject();
    if (type == u"array")
        return v.isArray();
    if (type == u"null")
        return v.isNull();
    return false;
}

} // namespace

Result<QString> ruleExpression(const Value &rule)
{
    const QString type = ruleString(rule, u"type");
    auto path = [&rule](QStringView key) -> Result<QString> {
        const QString dotted = rule[key].toString();
        if (dotted.isEmpty())
            return makeError("mapping_rule_invalid", Tr::tr("\"%1\" is missing").arg(key));
        return jsonataPath(dotted);
    };

    if (type == u"expression") {
        if (!rule[u"expression"].isString())
            return makeError("mapping_rule_invalid", Tr::tr("\"expression\" is missing"));
        return ruleString(rule, u"expression");
    }
    if (type == u"default_value") {
        if (rule[u"value"].isUndefined())
            return makeError("mapping_rule_invalid", Tr::tr("\"value\" is missing"));
        return QString::fromUtf8(Data::Json::serialize(rule[u"value"]));
    }
    if (type == u"concatenate") {
        QStringList parts;
        for (const Value &field : rule[u"fields"].toArray()) {
            Result<QString> p = jsonataPath(field.toString());
            if (!p)
                return p.error();
            parts.append(*p);
        }
        if (parts.isEmpty())
            return makeError("mapping_rule_invalid", Tr::tr("\"fields\" lists no field"));
        return u"$join([%1].$string(), %2)"_s.arg(parts.join(u", "_s),
                                                 stringLiteral(ruleString(rule, u"separator")));
    }

    if (type == u"arithmetic") {
        // An operand is a field path (a string) or a number; nothing else is ambiguous-free.
        auto operand = [&rule](QStringView key) -> Result<QString> {
            const Value &v = rule[key];
            if (v.isNumber())
                return QString::fromUtf8(Data::Json::serialize(v));
            if (v.isString())
                return jsonataPath(v.toString());
            return makeError("mapping_rule_invalid",
                             Tr::tr("\"%1\" is missing (a field path or a number)").arg(key));
        };
        const QString op = ruleString(rule, u"operator");
        static const QStringList operators = {u"+"_s, u"-"_s, u"*"_s, u"/"_s, u"%"_s};
        if (!operators.contains(op)) {
            return makeError("mapping_rule_invalid",
                             Tr::tr("\"operator\" must be one of + - * / %, is \"%1\"").arg(op));
        }
        Result<QString> left = operand(u"left");
        if (!left)
            return left.error();
        Result<QString> right = operand(u"right");
        if (!right)
            return right.error();
        return u"%1 %2 %3"_s.arg(*left, op, *right);
    }
    if (type == u"condition") {
        // then/else: {"field": "a.b"} or {"value": <JSON literal>}.
        auto branch = [&rule](QStringView key) -> Result<QString> {
            const Value &v = rule[key];
            if (v[u"field"].isString())
                return jsonataPath(v[u"field"].toString());
            if (!v[u"value"].isUndefined())
                return QString::fromUtf8(Data::Json::serialize(v[u"value"]));
            return makeError("mapping_rule_invalid",
                             Tr::tr("\"%1\" needs a \"field\" or a \"value\"").arg(key));
        };
        const QString test = ruleString(rule, u"test");
        if (test.trimmed().isEmpty())
            return makeError("mapping_rule_invalid", Tr::tr("\"test\" is missing"));
        Result<QString> then = branch(u"then");
        if (!then)
            return then.error();
        if (rule[u"else"].isUndefined())
            return u"(%1) ? %2"_s.arg(test, *then);
        Result<QString> otherwise = branch(u"else");
        if (!otherwise)
            return otherwise.error();
        return u"(%1) ? %2 : %3"_s.arg(test, *then, *otherwise);
    }

    Result<QString> source = path(u"source");
    if (!source)
        return source.error();
    if (type == u"field_mapping")
        return *source;
    if (type == u"uppercase" || type == u"lowercase")
        return u"$%1(%2)"_s.arg(type, *source);
    if (type == u"date_format") {
        const QString to = ruleString(rule, u"to");
        if (to.isEmpty())
            return makeError("mapping_rule_invalid", Tr::tr("\"to\" (the target picture) is missing"));
        const QString from = ruleString(rule, u"from");
        const QString parse = from.isEmpty() ? u"$toMillis(%1)"_s.arg(*source)
                                             : u"$toMillis(%1, %2)"_s.arg(*source, stringLiteral(from));
        return u"$fromMillis(%1, %2)"_s.arg(parse, stringLiteral(to));
    }
    if (type == u"lookup") {
        Result<QString> table = jsonataPath(ruleString(rule, u"table"));
        Result<QString> key = jsonataPath(ruleString(rule, u"key"));
        Result<QString> column = jsonataPath(ruleString(rule, u"column"));
        for (const auto *part : {&table, &key, &column}) {
            if (!*part)
                return part->error();
        }
        return u"$lookup($tables.%1.%2, $string(%3)).%4"_s.arg(*table, *key, *source, *column);
    }
    return makeError("mapping_rule_invalid", Tr::tr("unknown rule type \"%1\"").arg(type));
}

struct CompiledMapping::Program
{
    struct Rule
    {
        QString target;
        QStringList targetPath;
        Expression expression;
        Value defaultValue;
    };
    struct Check
    {
        QString field;
        QStringList fieldPath;
        QString rule;
        QString type;
        QRegularExpression pattern;
        double min = -std::numeric_limits<double>::infinity();
        double max = std::numeric_limits<double>::infinity();
        Data::Array values;
        Expression expression;
        QString message;
    };

    Value source;
    Value target;
    Expression recordPath;
    std::vector<Rule> rules;
    std::vector<Check> checks;
    Data::Object bindings;   // tables
};

Result<CompiledMapping> CompiledMapping::compile(const Value &document, const TableLoader &tables)
{
    auto program = std::make_shared<Program>();
    program->source = document[u"source"];
    program->target = document[u"target"];

    const QString recordPath = program->source[u"record_path"].toString();
    if (!recordPath.isEmpty()) {
        Result<Expression> compiled = Expression::compile(recordPath);
        if (!compiled) {
            Error e = compiled.error();
            e.message = u"/source/record_path: "_s + e.message;
            return e;
        }
        program->recordPath = *compiled;
    }

    // Lookup tables, read once and indexed once per key column the rules use:
    // $tables.<table>.<key column> is an object from the key's text to its row.
    QHash<QString, Value> rowsByTable;
    Data::Object tableIndex;
    const Data::Array &rules = document[u"rules"].toArray();
    for (size_t i = 0; i < rules.size(); ++i) {
        const Value &rule = rules[i];
        if (rule[u"type"].toString() != u"lookup")
            continue;
        const QString name = rule[u"table"].toString();
        const QString key = rule[u"key"].toString();
        if (!rowsByTable.contains(name)) {
            if (!tables) {
                return ruleError(qsizetype(i), u"/table"_s,
                                 makeError("mapping_table", Tr::tr("no tables are available here")));
            }
            Result<Value> rows = tables(name);
            if (!rows)
                return ruleError(qsizetype(i), u"/table"_s, rows.error());
            rowsByTable.insert(name, *rows);
            tableIndex.insert(name, Value(Data::Object()));
        }
        Data::Object &byKey = tableIndex.find(name)->mutableObject();
        if (byKey.contains(key))
            continue;
        Data::Object index;
        for (const Value &row : rowsByTable.value(name).toArray()) {
            const Value &k = row[key];
            if (k.isUndefined() || k.isNull())
                continue;
            const QString text = k.isString() ? k.toString() : QString::fromUtf8(Data::Json::serialize(k));
            if (!index.contains(text))
                index.append(text, row);   // the first row with a key wins, like VLOOKUP
        }
        byKey.append(key, Value(std::move(index)));
    }
    if (!tableIndex.isEmpty())
        program->bindings.insert(u"tables"_s, Value(std::move(tableIndex)));

    for (size_t i = 0; i < rules.size(); ++i) {
        const Value &rule = rules[i];
        Result<QString> text = ruleExpression(rule);
        if (!text)
            return ruleError(qsizetype(i), QString(), text.error());
        if (rule[u"type"].toString() == u"condition") {
            // Name the test and its own position rather than a position in the wrapper.
            Result<Expression> test = Expression::compile(rule[u"test"].toString());
            if (!test) {
                Error e = test.error();
                e.message = Tr::tr("%1 at position %2 of `%3`").arg(e.message).arg(e.offset)
                                .arg(rule[u"test"].toString());
                return ruleError(qsizetype(i), u"/test"_s, e);
            }
        }
        Result<Expression> compiled = Expression::compile(*text);
        if (!compiled) {
            Error e = compiled.error();
            e.message = Tr::tr("%1 at position %2 of `%3`").arg(e.message).arg(e.offset).arg(*text);
            return ruleError(qsizetype(i), rule[u"type"].toString() == u"expression"
                                               ? u"/expression"_s : QString(), e);
        }
        const QString target = rule[u"target"].toString();
        program->rules.push_back({target, target.split(u'.'), *compiled, rule[u"default"]});
        if (rule[u"required"].toBool()) {
            Program::Check check;
            check.field = target;
            check.fieldPath = program->rules.back().targetPath;
            check.rule = u"required"_s;
            program->checks.push_back(std::move(check));
        }
    }

    const Data::Array &checks = document[u"validation"].toArray();
    for (size_t i = 0; i < checks.size(); ++i) {
        const Value &c = checks[i];
        Program::Check check;
        check.field = c[u"field"].toString();
        check.fieldPath = check.field.isEmpty() ? QStringList() : check.field.split(u'.');
        check.rule = c[u"rule"].toString();
        check.type = c[u"type"].toString();
        check.message = c[u"message"].toString();
        check.values = c[u"values"].toArray();
        if (c[u"min"].isNumber())
            check.min = c[u"min"].toDouble();
        if (c[u"max"].isNumber())
            check.max = c[u"max"].toDouble();
        const QString where = u"/validation/%1"_s.arg(i);
        if (check.rule == u"pattern") {
            check.pattern.setPattern(c[u"pattern"].toString());
            if (!check.pattern.isValid()) {
                return makeError("mapping_rule_invalid",
                                 Tr::tr("%1/pattern: %2 at position %3")
                                     .arg(where, check.pattern.errorString())
                                     .arg(check.pattern.patternErrorOffset()));
            }
            check.pattern.optimize();
        } else if (check.rule == u"expression") {
            Result<Expression> compiled = Expression::compile(c[u"expression"].toString());
            if (!compiled) {
                Error e = compiled.error();
                e.message = Tr::tr("%1/expression: %2 at position %3").arg(where, e.message).arg(e.offset);
                return e;
            }
            check.expression = *compiled;
        }
        program->checks.push_back(std::move(check));
    }

    CompiledMapping mapping;
    mapping.m_program = std::move(program);
    return mapping;
}

MappedRecord CompiledMapping::map(const Value &record, const Data::Object &variables) const
{
    const Program &p = *m_program;
    // The tables, plus the caller's variables when there are any (merged per record only then).
    Data::Object merged;
    if (!variables.isEmpty()) {
        merged = p.bindings;
        for (const auto &[name, value] : variables)
            merged.insert(name, value);
    }
    const Data::Object &bindings = variables.isEmpty() ? p.bindings : merged;

    MappedRecord out;
    out.output = Value(Data::Object());
    out.output.mutableObject().reserve(qsizetype(p.rules.size()));
    for (const Program::Rule &rule : p.rules) {
        Result<Value> value = rule.expression.evaluate(record, bindings);
        if (!value) {
            const Error &e = value.error();
            out.violations.push_back({rule.target, u"evaluation"_s,
                                      Tr::tr("%1 at position %2: %3").arg(e.code).arg(e.offset).arg(e.message)});
            continue;
        }
        Value v = std::move(value).value();
        if (v.isUndefined())
            v = rule.defaultValue;
        if (v.isUndefined())
            continue;
        v.setFlags(0);
        if (rule.targetPath.size() == 1)
            out.output.mutableObject().insert(rule.target, std::move(v));
        else
            setField(out.output, rule.targetPath, std::move(v));
    }

    for (const Program::Check &check : p.checks) {
        const Value &v = check.fieldPath.isEmpty() ? out.output : fieldAt(out.output, check.fieldPath);
        QString problem;
        if (check.rule == u"required") {
            if (v.isUndefined() || v.isNull())
                problem = Tr::tr("is required");
        } else if (v.isUndefined()) {
            continue;   // absent fields are the business of "required"
        } else if (check.rule == u"type") {
            if (!hasType(v, check.type))
                problem = Tr::tr("must be of type %1, is %2").arg(check.type, describe(v));
        } else if (check.rule == u"pattern") {
            if (!v.isString() || !check.pattern.match(v.toString()).hasMatch())
                problem = Tr::tr("%1 does not match %2").arg(describe(v), check.pattern.pattern());
        } else if (check.rule == u"range") {
            double n = 0;
            QString what;
            if (v.isNumber()) {
                n = v.toDouble();
            } else if (v.isString()) {
                n = double(v.toString().size());
                what = Tr::tr(" characters");
            } else if (v.isArray()) {
                n = double(v.size());
                what = Tr::tr(" items");
            } else {
                problem = Tr::tr("%1 is not a number, string or array").arg(describe(v));
            }
            if (problem.isEmpty() && n < check.min)
                problem = Tr::tr("%1 is below the minimum %2%3").arg(describe(v)).arg(check.min).arg(what);
            else if (problem.isEmpty() && n > check.max)
                problem = Tr::tr("%1 is above the maximum %2%3").arg(describe(v)).arg(check.max).arg(what);
        } else if (check.rule == u"enum") {
            if (std::find(check.values.begin(), check.values.end(), v) == check.values.end())
                problem = Tr::tr("%1 is not one of the allowed values").arg(describe(v));
        } else if (check.rule == u"expression") {
            Result<Value> ok = check.expression.evaluate(out.output, bindings);
            if (!ok)
                problem = Tr::tr("%1: %2").arg(ok.error().code, ok.error().message);
            else if (!(ok->isBool() && ok->toBool()))
                problem = Tr::tr("the check is not true");
        }
        if (!problem.isEmpty()) {
            out.violations.push_back({check.field, check.rule,
                                      check.message.isEmpty() ? problem : check.message});
        }
    }
    return out;
}

Result<Data::Array> CompiledMapping::records(const Value &document) const
{
    const Program &p = *m_program;
    Value selected = document;
    if (!p.recordPath.isEmpty()) {
        Result<Value> r = p.recordPath.evaluate(document, p.bindings);
        if (!r) {
            Error e = r.error();
            e.message = Tr::tr("record_path: %1").arg(e.message);
            return e;
        }
        selected = std::move(r).value();
    }
    if (selected.isUndefined())
        return Data::Array();
    if (selected.isArray())
        return selected.toArray();
    return Data::Array{selected};
}

const Value &CompiledMapping::source() const
{
    return m_program->source;
}

const Value &CompiledMapping::target() const
{
    return m_program->target;
}

qsizetype CompiledMapping::ruleCount() const
{
    return qsizetype(m_program->rules.size());
}

} // namespace Conflux::Mapping
