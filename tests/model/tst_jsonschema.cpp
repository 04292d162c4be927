#include "model/jsonschema.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTest>
#include <algorithm>

using namespace Qt::StringLiterals;
using Conflux::Model::SchemaError;
using Conflux::Model::SchemaRegistry;

namespace {

// Parses JSON text that may also be a scalar ("5", "\"x\"", "null").
QJsonValue json(const char *text)
{
    QJsonParseError error {};
    const QByteArray wrapped = QByteArray("[") + text + QByteArray("]");
    const QJsonDocument document = QJsonDocument::fromJson(wrapped, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in test: %s (%s)", text, qPrintable(error.errorString()));
    return document.array().at(0);
}

QJsonValue readJsonFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QJsonValue(QJsonValue::Undefined);
    QJsonParseError error {};
    const QByteArray wrapped = "["_ba + file.readAll() + "]"_ba;
    const QJsonDocument document = QJsonDocument::fromJson(wrapped, &error);
    if (error.error != QJsonParseError::NoError)
        return QJsonValue(QJsonValue::Undefined);
    return document.array().at(0);
}

QStringList describe(const QList<SchemaError> &errors)
{
    QStringList lines;
    for (const SchemaError &e : errors)
        lines.append(e.pointer + u" ["_s + e.keyword + u"] "_s + e.message);
    return lines;
}

QList<SchemaError> check(const QJsonValue &schema, const QJsonValue &instance)
{
    const auto result = Conflux::Model::validateJson(schema, instance);
    if (!result)
        qFatal("schema rejected: %s", qPrintable(result.error().toString()));
    return *result;
}

} // namespace

class tst_JsonSchema : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void officialSuite_data();
    void officialSuite();

    void messages_data();
    void messages();
    void nestedPointer();
    void collectsAllErrors();
    void pointerEscaping();
    void lengthCountsCodePoints();
    void ecmaPatterns_data();
    void ecmaPatterns();
    void crossDocumentReferences();
    void fragmentEntryPoints();
    void unknownSchema();
    void referenceLoop();
    void invalidSchemas_data();
    void invalidSchemas();
    void registrationRules();

private:
    struct Tally
    {
        int passed = 0;
        int total = 0;
    };

    SchemaRegistry suiteRegistry() const;

    QString m_suiteDir;
    QString m_suiteProblem;
    QMap<QString, QString> m_knownFailures; // case id → reason
    QList<std::pair<QString, QJsonValue>> m_remotes; // uri → document
    QMap<QString, Tally> m_tally; // per suite file
};

void tst_JsonSchema::initTestCase()
{
    m_suiteDir
        = qEnvironmentVariable("CONFLUX_JSON_SCHEMA_SUITE", u"/usr/share/json-schema-test-suite"_s);
    const QDir tests(m_suiteDir + u"/tests/draft7"_s);
    if (!tests.exists() || tests.entryList({u"*.json"_s}, QDir::Files).isEmpty()) {
        m_suiteProblem
            = u"JSON-Schema-Test-Suite not found at %1: install the Debian package "
              "json-schema-test-suite (apt-get install json-schema-test-suite) or "
              "point CONFLUX_JSON_SCHEMA_SUITE at a checkout of the suite"_s.arg(tests.path());
        return;
    }

    // The suite serves its remotes as http://localhost:1234/...; draft-07 itself is a fixture.
    const QDir remotes(m_suiteDir + u"/remotes"_s);
    QDirIterator it(remotes.path(), {u"*.json"_s}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QJsonValue document = readJsonFile(path);
        QVERIFY2(!document.isUndefined(), qPrintable(u"unreadable remote "_s + path));
        m_remotes.append({u"http://localhost:1234/"_s + remotes.relativeFilePath(path), document});
    }
    const QString metaSchema
        = QStringLiteral(CONFLUX_SOURCE_DIR) + u"/tests/model/fixtures/draft-07-schema.json"_s;
    const QJsonValue meta = readJsonFile(metaSchema);
    QVERIFY2(!meta.isUndefined(), qPrintable(u"unreadable "_s + metaSchema));
    m_remotes.append({u"http://json-schema.org/draft-07/schema"_s, meta});

    // "<case id> :: <reason>" per line; '#' starts a comment.
    const QString listPath
        = QStringLiteral(CONFLUX_SOURCE_DIR) + u"/tests/model/jsonschema-known-failures.txt"_s;
    QFile list(listPath);
    QVERIFY2(list.open(QIODevice::ReadOnly | QIODevice::Text), qPrintable(listPath));
    const QStringList lines = QString::fromUtf8(list.readAll()).split(u'\n');
    for (const QString &raw : lines) {
        const QString line = raw.trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const qsizetype separator = line.indexOf(u" :: "_s);
        QVERIFY2(separator > 0, qPrintable(u"known failure without a reason: "_s + line));
        m_knownFailures.insert(line.left(separator).trimmed(), line.mid(separator + 4).trimmed());
    }
}

void tst_JsonSchema::cleanupTestCase()
{
    if (m_tally.isEmpty())
        return;
    Tally total;
    for (auto it = m_tally.cbegin(); it != m_tally.cend(); ++it) {
        qInfo("%-36s %3d/%3d passed", qPrintable(it.key()), it.value().passed, it.value().total);
        total.passed += it.value().passed;
        total.total += it.value().total;
    }
    qInfo("%-36s %3d/%3d passed (%d listed as known failures)", "draft7 total", total.passed,
          total.total, int(m_knownFailures.size()));
}

SchemaRegistry tst_JsonSchema::suiteRegistry() const
{
    SchemaRegistry registry;
    for (const auto &[uri, document] : m_remotes) {
        // Newer suites ship remotes for other drafts too; a draft7 case that needs one that
        // cannot be registered fails on its own.
        const auto added = registry.addSchema(document, uri);
        if (!added)
            qWarning("remote %s rejected: %s", qPrintable(uri),
                     qPrintable(added.error().toString()));
    }
    return registry;
}

void tst_JsonSchema::officialSuite_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QJsonValue>("schema");
    QTest::addColumn<QJsonValue>("data");
    QTest::addColumn<bool>("valid");

    if (!m_suiteProblem.isEmpty()) {
        QTest::addRow("suite missing") << QString() << QJsonValue() << QJsonValue() << false;
        return;
    }
    // Only the top folder: optional/ (formats, bignums, ECMA regex corners) is not required.
    const QDir tests(m_suiteDir + u"/tests/draft7"_s);
    const QStringList files = tests.entryList({u"*.json"_s}, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const QJsonValue groups = readJsonFile(tests.filePath(file));
        if (!groups.isArray())
            qFatal("unreadable suite file %s", qPrintable(tests.filePath(file)));
        const QString name = QFileInfo(file).completeBaseName();
        for (const QJsonValue &groupValue : groups.toArray()) {
            const QJsonObject group = groupValue.toObject();
            const QString groupName = group.value("description"_L1).toString();
            for (const QJsonValue &caseValue : group.value("tests"_L1).toArray()) {
                const QJsonObject testCase = caseValue.toObject();
                QTest::addRow("%s: %s / %s", qPrintable(name), qPrintable(groupName),
                              qPrintable(testCase.value("description"_L1).toString()))
                    << file << group.value("schema"_L1) << testCase.value("data"_L1)
                    << testCase.value("valid"_L1).toBool();
            }
        }
    }
}

void tst_JsonSchema::officialSuite()
{
    QFETCH(QString, file);
    QFETCH(QJsonValue, schema);
    QFETCH(QJsonValue, data);
    QFETCH(bool, valid);
    if (file.isEmpty())
        QFAIL(qPrintable(m_suiteProblem));

    const QString caseId = QString::fromUtf8(QTest::currentDataTag());
    Tally &tally = m_tally[u"draft7/"_s + file];
    ++tally.total;

    SchemaRegistry registry = suiteRegistry();
    // Schemas with an "$id" register under it (exercising that path); others get a name.
    const QString id = schema.toObject().value("$id"_L1).toString();
    const QString uri = id.isEmpty()
        ? u"http://conflux.invalid/suite/%1/%2.json"_s.arg(file, QString::number(qHash(caseId)))
        : QString();
    const auto added = registry.addSchema(schema, uri);
    QVERIFY2(added, qPrintable(added ? QString() : added.error().toString()));

    const QList<SchemaError> errors = registry.validate(uri.isEmpty() ? id : uri, data);
    const bool passed = errors.isEmpty() == valid;
    if (passed)
        ++tally.passed;
    for (const SchemaError &e : errors)
        QVERIFY2(!e.message.isEmpty() && !e.keyword.isEmpty(), qPrintable(e.toString()));

    const QString reason = m_knownFailures.value(caseId);
    if (!reason.isEmpty())
        QEXPECT_FAIL("", qPrintable(reason), Continue);
    QVERIFY2(passed,
             qPrintable(valid ? u"expected valid, got: "_s + describe(errors).join(u"; "_s)
                              : u"expected invalid, got no error"_s));
}

void tst_JsonSchema::messages_data()
{
    QTest::addColumn<QJsonValue>("schema");
    QTest::addColumn<QJsonValue>("instance");
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QString>("keyword");
    QTest::addColumn<QString>("message");

    const auto row = [](const char *name, const char *schema, const char *instance,
                        const QString &pointer, const QString &keyword, const QString &message) {
        QTest::addRow("%s", name) << json(schema) << json(instance) << pointer << keyword
                                  << message;
    };
    row("type", R"({"type": "string"})", "5", {}, u"type"_s, u"expected string, got number"_s);
    row("type union", R"({"type": ["string", "null"]})", "true", {}, u"type"_s,
        u"expected string or null, got boolean"_s);
    row("integer", R"({"type": "integer"})", "1.5", {}, u"type"_s,
        u"expected integer, got number"_s);
    row("type hides the rest", R"({"type": "string", "enum": ["a"], "minLength": 3})", "[]", {},
        u"type"_s, u"expected string, got array"_s);
    row("required", R"({"required": ["url"]})", "{}", {}, u"required"_s,
        u"missing required property \"url\""_s);
    row("additionalProperties", R"({"properties": {"a": {}}, "additionalProperties": false})",
        R"({"a": 1, "foo": 2})", u"/foo"_s, u"additionalProperties"_s,
        u"unknown property \"foo\""_s);
    row("enum", R"({"enum": ["rest", "soap"]})", R"("grpc")", {}, u"enum"_s,
        u"value must be one of \"rest\", \"soap\""_s);
    row("const", R"({"const": {"a": 1}})", R"({"a": 2})", {}, u"const"_s,
        u"value must be {\"a\":1}"_s);
    row("minimum", R"({"minimum": 1})", "0", {}, u"minimum"_s, u"must be at least 1"_s);
    row("maximum", R"({"maximum": 2.5})", "3", {}, u"maximum"_s, u"must be at most 2.5"_s);
    row("exclusiveMinimum", R"({"exclusiveMinimum": 0})", "0", {}, u"exclusiveMinimum"_s,
        u"must be greater than 0"_s);
    row("exclusiveMaximum", R"({"exclusiveMaximum": 10})", "10", {}, u"exclusiveMaximum"_s,
        u"must be less than 10"_s);
    row("multipleOf", R"({"multipleOf": 0.5})", "0.7", {}, u"multipleOf"_s,
        u"must be a multiple of 0.5"_s);
    row("minLength", R"({"minLength": 2})", R"("x")", {}, u"minLength"_s,
        u"length must be at least 2"_s);
    row("maxLength", R"({"maxLength": 2})", R"("xyz")", {}, u"maxLength"_s,
        u"length must be at most 2"_s);
    row("pattern", R"({"pattern": "^[a-z]+$"})", R"("A")", {}, u"pattern"_s,
        u"must match pattern \"^[a-z]+$\""_s);
    row("minItems", R"({"minItems": 1})", "[]", {}, u"minItems"_s,
        u"item count must be at least 1"_s);
    row("maxItems", R"({"maxItems": 1})", "[1, 2]", {}, u"maxItems"_s,
        u"item count must be at most 1"_s);
    row("uniqueItems", R"({"uniqueItems": true})", "[1, 2, 1.0]", {}, u"uniqueItems"_s,
        u"items must be unique, but items 0 and 2 are equal"_s);
    row("additionalItems", R"({"items": [{}], "additionalItems": false})", "[1, 2]", u"/1"_s,
        u"additionalItems"_s, u"unexpected item: at most 1 allowed"_s);
    row("contains", R"({"contains": {"const": 1}})", "[2, 3]", {}, u"contains"_s,
        u"must contain at least one matching item"_s);
    row("minProperties", R"({"minProperties": 1})", "{}", {}, u"minProperties"_s,
        u"property count must be at least 1"_s);
    row("maxProperties", R"({"maxProperties": 0})", R"({"a": 1})", {}, u"maxProperties"_s,
        u"property count must be at most 0"_s);
    row("dependencies", R"({"dependencies": {"a": ["b"]}})", R"({"a": 1})", {}, u"dependencies"_s,
        u"property \"a\" requires property \"b\""_s);
    row("propertyNames", R"({"propertyNames": {"pattern": "^[a-z]+$"}})", R"({"Foo": 1})", {},
        u"propertyNames"_s, u"invalid property name \"Foo\": must match pattern \"^[a-z]+$\""_s);
    row("not", R"({"not": {"type": "null"}})", "null", {}, u"not"_s,
        u"must not match the schema in \"not\""_s);
    row("false schema", R"({"properties": {"x": false}})", R"({"x": 1})", u"/x"_s, u"false"_s,
        u"value is not allowed here"_s);
    row("if/then", R"({"if": {"properties": {"kind": {"const": "rest"}}},
                       "then": {"required": ["url"]}, "else": {"required": ["wsdl"]}})",
        R"({"kind": "rest"})", {}, u"required"_s, u"missing required property \"url\""_s);
    row("if/else", R"({"if": {"properties": {"kind": {"const": "rest"}}},
                       "then": {"required": ["url"]}, "else": {"required": ["wsdl"]}})",
        R"({"kind": "soap"})", {}, u"required"_s, u"missing required property \"wsdl\""_s);

    // anyOf / oneOf explain themselves by the branch the value was meant for.
    const char *sources = R"({"definitions": {
            "rest": {"properties": {"kind": {"const": "rest"}, "url": {"type": "string"}},
                     "required": ["kind", "url"]},
            "soap": {"properties": {"kind": {"enum": ["soap", "soap12"]}, "wsdl": {"type": "string"}},
                     "required": ["kind", "wsdl"]}},
        "oneOf": [{"$ref": "#/definitions/rest"}, {"$ref": "#/definitions/soap"}]})";
    row("oneOf discriminated", sources, R"({"kind": "soap12"})", {}, u"required"_s,
        u"missing required property \"wsdl\""_s);
    row("oneOf discriminated nested", sources, R"({"kind": "rest", "url": 5})", u"/url"_s,
        u"type"_s, u"expected string, got number"_s);
    row("oneOf unknown discriminator", sources, R"({"kind": "grpc"})", u"/kind"_s, u"oneOf"_s,
        u"value must be one of \"rest\", \"soap\", \"soap12\""_s);
    row("oneOf missing discriminator", sources, R"({"url": "x"})", {}, u"oneOf"_s,
        u"missing required property \"kind\""_s);
    const char *stringOrObject
        = R"({"anyOf": [{"type": "string"}, {"type": "object", "required": ["name"]}]})";
    row("anyOf by type", stringOrObject, "{}", {}, u"required"_s,
        u"missing required property \"name\""_s);
    row("anyOf no type fits", stringOrObject, "5", {}, u"type"_s,
        u"expected object or string, got number"_s);
    row("oneOf none", R"({"oneOf": [{"minimum": 5}, {"multipleOf": 2}]})", "3", {}, u"oneOf"_s,
        u"must match exactly one of the allowed shapes"_s);
    row("oneOf several", R"({"oneOf": [{"minimum": 5}, {"multipleOf": 2}]})", "6", {}, u"oneOf"_s,
        u"must match exactly one of the allowed shapes, but matches 2"_s);
    row("anyOf none", R"({"anyOf": [{"minimum": 5}, {"multipleOf": 2}]})", "3", {}, u"anyOf"_s,
        u"must match at least one of the allowed shapes"_s);
    row("unresolvable $ref", R"({"properties": {"a": {"$ref": "#/definitions/missing"}}})",
        R"({"a": 1})", u"/a"_s, u"$ref"_s,
        u"cannot resolve reference \"urn:conflux:inline-schema#/definitions/missing\""_s);
}

void tst_JsonSchema::messages()
{
    QFETCH(QJsonValue, schema);
    QFETCH(QJsonValue, instance);
    QFETCH(QString, pointer);
    QFETCH(QString, keyword);
    QFETCH(QString, message);

    const QList<SchemaError> errors = check(schema, instance);
    QCOMPARE(describe(errors), describe({SchemaError {pointer, keyword, message}}));
}

void tst_JsonSchema::nestedPointer()
{
    const QJsonValue schema = json(R"({
        "type": "object",
        "properties": {"fields": {"type": "array", "items": {"$ref": "#/definitions/field"}}},
        "definitions": {"field": {"type": "object", "properties": {"target": {"type": "string"}}}}
    })");
    const QJsonValue instance = json(R"({"fields": [{}, {"target": "a"}, {}, {"target": 5}]})");
    const QList<SchemaError> errors = check(schema, instance);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().pointer, u"/fields/3/target"_s);
    QCOMPARE(errors.first().keyword, u"type"_s);
    QCOMPARE(errors.first().message, u"expected string, got number"_s);
    QCOMPARE(errors.first().toString(), u"/fields/3/target: expected string, got number"_s);
    QVERIFY(check(schema, json(R"({"fields": [{"target": "x"}]})")).isEmpty());
}

void tst_JsonSchema::collectsAllErrors()
{
    const QJsonValue schema = json(R"({
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "port": {"type": "integer", "minimum": 1},
            "tags": {"type": "array", "items": {"type": "string"}},
            "id": {}, "name": {}
        },
        "additionalProperties": false
    })");
    const QJsonValue instance = json(R"({"port": 0, "tags": ["a", 1, "b", null], "extra": true})");
    QStringList actual = describe(check(schema, instance));
    actual.sort();
    const QStringList expected = {
        u" [required] missing required property \"id\""_s,
        u" [required] missing required property \"name\""_s,
        u"/extra [additionalProperties] unknown property \"extra\""_s,
        u"/port [minimum] must be at least 1"_s,
        u"/tags/1 [type] expected string, got number"_s,
        u"/tags/3 [type] expected string, got null"_s,
    };
    QCOMPARE(actual, expected);
}

void tst_JsonSchema::pointerEscaping()
{
    const QJsonValue schema = json(R"({
        "properties": {"a/b": {"type": "string"}, "m~n": {"properties": {"~/": {"type": "null"}}}},
        "patternProperties": {"^x": false},
        "additionalProperties": false
    })");
    const QJsonValue instance = json(R"({"a/b": 1, "m~n": {"~/": 0}, "x/y": 1, "q/~": 2})");
    QStringList actual = describe(check(schema, instance));
    actual.sort();
    const QStringList expected = {
        u"/a~1b [type] expected string, got number"_s,
        u"/m~0n/~0~1 [type] expected null, got number"_s,
        u"/q~1~0 [additionalProperties] unknown property \"q/~\""_s,
        u"/x~1y [false] value is not allowed here"_s,
    };
    QCOMPARE(actual, expected);

    // And $ref fragments use the same escaping, percent-encoded or not.
    const QJsonValue refs = json(R"({
        "definitions": {"a/b": {"type": "string"}, "c~d": {"type": "string"}, "e f": {"type": "string"}},
        "properties": {"1": {"$ref": "#/definitions/a~1b"}, "2": {"$ref": "#/definitions/c~0d"},
                       "3": {"$ref": "#/definitions/e%20f"}}
    })");
    QCOMPARE(check(refs, json(R"({"1": 1, "2": 2, "3": 3})")).size(), 3);
    QVERIFY(check(refs, json(R"({"1": "", "2": "", "3": ""})")).isEmpty());
}

void tst_JsonSchema::lengthCountsCodePoints()
{
    // U+1F4A9 is one code point but two UTF-16 units.
    const QJsonValue pile(u"\U0001F4A9"_s);
    QVERIFY(check(json(R"({"maxLength": 1})"), pile).isEmpty());
    QCOMPARE(check(json(R"({"minLength": 2})"), pile).size(), 1);
    QVERIFY(
        check(json(R"({"minLength": 2, "maxLength": 2})"), QJsonValue(u"a\U0001F4A9"_s)).isEmpty());
}

void tst_JsonSchema::ecmaPatterns_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("matches");

    QTest::addRow("unanchored") << u"b+"_s << u"abbbc"_s << true;
    QTest::addRow("$ is the very end") << u"^a$"_s << u"a\n"_s << false;
    QTest::addRow("$ at end") << u"^a$"_s << u"a"_s << true;
    QTest::addRow("escaped $") << u"\\$"_s << u"5$"_s << true;
    QTest::addRow("$ in class") << u"^[$]$"_s << u"$"_s << true;
    QTest::addRow("\\u escape") << u"^\\u0041$"_s << u"A"_s << true;
    QTest::addRow("[^] any") << u"^a[^]b$"_s << u"a\nb"_s << true;
    QTest::addRow("\\d is ASCII") << u"^\\d$"_s << u"\u0663"_s << false;
    QTest::addRow("\\s is Unicode") << u"^\\s[\\s]$"_s << u"\u3000\u00a0"_s << true;
    QTest::addRow("\\S is not") << u"^\\S$"_s << u"\u2028"_s << false;
    QTest::addRow("\\Z is a Z") << u"^a\\Z"_s << u"aZ"_s << true;
    QTest::addRow("\\v is a vertical tab") << u"^\\v$"_s << u"\n"_s << false;
    QTest::addRow("non-BMP") << u"^.$"_s << u"\U0001F4A9"_s << true;
}

void tst_JsonSchema::ecmaPatterns()
{
    QFETCH(QString, pattern);
    QFETCH(QString, text);
    QFETCH(bool, matches);
    const QJsonValue schema = QJsonObject {{u"pattern"_s, pattern}};
    QCOMPARE(check(schema, text).isEmpty(), matches);
}

void tst_JsonSchema::crossDocumentReferences()
{
    SchemaRegistry registry;
    const QString main = u"https://schemas.invalid/conflux/main.json"_s;
    // (Multi-line raw strings stay out of macro arguments: moc's preprocessor trips on them.)
    const QJsonValue mainSchema = json(R"({
        "$id": "https://schemas.invalid/conflux/main.json",
        "properties": {"id": {"$ref": "common.json#/definitions/id"},
                       "tag": {"$ref": "common.json#tag"}}
    })");
    QVERIFY(registry.addSchema(mainSchema));
    QVERIFY(registry.contains(main));

    // Until common.json is registered the reference is reported, not skipped.
    const QList<SchemaError> pending = registry.validate(main, json(R"({"id": "abc"})"));
    QCOMPARE(pending.size(), 1);
    QCOMPARE(pending.first().keyword, u"$ref"_s);
    QCOMPARE(pending.first().pointer, u"/id"_s);

    const QJsonValue common = json(R"({
        "definitions": {"id": {"type": "string", "pattern": "^[a-z]+$"},
                        "tag": {"$id": "#tag", "enum": ["x", "y"]}}
    })");
    QVERIFY(registry.addSchema(common, u"https://schemas.invalid/conflux/common.json"_s));
    QVERIFY(registry.validate(main, json(R"({"id": "abc", "tag": "x"})")).isEmpty());
    QCOMPARE(describe(registry.validate(main, json(R"({"id": "ABC", "tag": "z"})"))),
             (QStringList {u"/id [pattern] must match pattern \"^[a-z]+$\""_s,
                           u"/tag [enum] value must be one of \"x\", \"y\""_s}));
}

void tst_JsonSchema::fragmentEntryPoints()
{
    SchemaRegistry registry;
    const QJsonValue schema = json(R"({
        "definitions": {"port": {"type": "integer", "minimum": 1}},
        "x-extra": {"nested": {"type": "string"}}
    })");
    QVERIFY(registry.addSchema(schema, u"urn:conflux:test"_s));
    QVERIFY(registry.validate(u"urn:conflux:test#/definitions/port"_s, json("80")).isEmpty());
    QCOMPARE(registry.validate(u"urn:conflux:test#/definitions/port"_s, json("0")).size(), 1);
    // A location no keyword reaches is compiled for the call.
    QCOMPARE(registry.validate(u"urn:conflux:test#/x-extra/nested"_s, json("1")).size(), 1);
    QVERIFY(registry.validate(u"urn:conflux:test#/x-extra/nested"_s, json(R"("a")")).isEmpty());
}

void tst_JsonSchema::unknownSchema()
{
    const SchemaRegistry registry;
    const QList<SchemaError> errors = registry.validate(u"urn:nothing"_s, json("{}"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().keyword, u"$ref"_s);
    QVERIFY(errors.first().message.contains(u"urn:nothing"_s));
}

void tst_JsonSchema::referenceLoop()
{
    // Such schemas would never finish; they fail instead of overflowing the stack.
    for (const char *schema : {R"({"$ref": "#"})",
                               R"({"anyOf": [{"$ref": "#/definitions/a"}],
                                   "definitions": {"a": {"allOf": [{"$ref": "#"}]}}})"}) {
        const QList<SchemaError> errors = check(json(schema), json("{}"));
        QVERIFY2(!errors.isEmpty(), schema);
        QCOMPARE(errors.last().keyword, u"$ref"_s);
    }
    // Recursion that consumes the instance is fine, however deep.
    const QJsonValue tree
        = json(R"({"properties": {"child": {"$ref": "#"}, "v": {"type": "integer"}}})");
    QJsonObject instance {{u"v"_s, 1}};
    for (int i = 0; i < 100; ++i)
        instance = QJsonObject {{u"child"_s, instance}, {u"v"_s, i}};
    QVERIFY(check(tree, instance).isEmpty());
}

void tst_JsonSchema::invalidSchemas_data()
{
    QTest::addColumn<QJsonValue>("schema");

    QTest::addRow("bad regex") << json(R"({"pattern": "(unclosed"})");
    QTest::addRow("bad pattern property") << json(R"({"patternProperties": {"[": {}}})");
    QTest::addRow("unknown type") << json(R"({"type": "strin"})");
    QTest::addRow("negative length") << json(R"({"minLength": -1})");
    QTest::addRow("fractional count") << json(R"({"maxItems": 1.5})");
    QTest::addRow("zero multipleOf") << json(R"({"multipleOf": 0})");
    QTest::addRow("number schema") << json(R"({"properties": {"a": 5}})");
    QTest::addRow("empty allOf") << json(R"({"allOf": []})");
    QTest::addRow("required not strings") << json(R"({"required": [1]})");
    QTest::addRow("ref not string") << json(R"({"items": {"$ref": 5}})");
    QTest::addRow("nested in definitions") << json(R"({"definitions": {"a": {"type": 1}}})");
}

void tst_JsonSchema::invalidSchemas()
{
    QFETCH(QJsonValue, schema);
    SchemaRegistry registry;
    const auto added = registry.addSchema(schema, u"urn:conflux:bad"_s);
    QVERIFY(!added);
    QCOMPARE(added.error().code, u"invalid_schema"_s);
    QVERIFY(!added.error().details.isEmpty());
    QVERIFY2(added.error().details.first().startsWith(u"urn:conflux:bad#"_s),
             qPrintable(added.error().toString()));
    QVERIFY(!registry.contains(u"urn:conflux:bad"_s)); // left unchanged
}

void tst_JsonSchema::registrationRules()
{
    SchemaRegistry registry;
    const auto anonymous = registry.addSchema(json(R"({"type": "string"})"));
    QVERIFY(!anonymous);
    QCOMPARE(anonymous.error().code, u"schema_without_uri"_s);

    QVERIFY(registry.addSchema(json(R"({"$id": "urn:conflux:a", "type": "string"})")));
    const auto duplicate = registry.addSchema(json(R"({"type": "null"})"), u"urn:conflux:a"_s);
    QVERIFY(!duplicate);
    QCOMPARE(duplicate.error().code, u"duplicate_schema"_s);
    QVERIFY(registry.validate(u"urn:conflux:a"_s, json(R"("s")")).isEmpty());

    // A registry moves; the compiled schemas go with it.
    SchemaRegistry moved = std::move(registry);
    QCOMPARE(moved.validate(u"urn:conflux:a"_s, json("1")).size(), 1);
}

QTEST_GUILESS_MAIN(tst_JsonSchema)
#include "tst_jsonschema.moc"
