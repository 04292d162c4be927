#pragma once

// The transform engine's inside, shared by transform.cpp (the chain, JSON, header and
// enrichment rules) and transform_xml.cpp (XML and SOAP rules). Not part of the module's face.

#include "transform.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <data/value.h>
#include <initializer_list>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace Conflux::Gateway::Internal {

struct TransformTr
{
    Q_DECLARE_TR_FUNCTIONS(Conflux::Gateway::TransformChain)
};

class TransformRule;

// The state of one apply(). It works on copies of the message's parts, committed only when
// every rule succeeded, and keeps the body parsed while consecutive rules work on JSON, so a
// chain of JSON rules parses the body once and serializes it once.
class Work
{
public:
    Work(const TransformMessage &message, const TransformContext &context,
         const TransformLimits &limits)
        : headers(message.headers)
        , context(context)
        , limits(limits)
        , m_body(message.body)
    {
    }

    Http::HttpHeaders headers;
    const TransformContext &context;
    const TransformLimits &limits;
    const TransformRule *rule = nullptr;

    // A "transform_failed" error naming the current rule.
    Error fail(const QString &what, const QStringList &details = {}) const;

    // The body as JSON, moved out of the work: the rule hands its result back with putJson().
    Result<Data::Value> takeJson();
    // The body as bytes, for a rule that parses `format` itself.
    Result<QByteArray> bytes(QLatin1StringView format);
    // The new body. An undefined value empties the body (and drops Content-Type); otherwise
    // Content-Type becomes application/json unless it already names JSON (or `force`).
    void putJson(Data::Value value, bool force = false);
    void putBytes(QByteArray bytes, const QByteArray &contentType);

    // The variables expressions and mappings see.
    Data::Object bindings() const;

    void commit(TransformMessage &message);

private:
    Result<void> checkReadable(QLatin1StringView format) const;

    QByteArray m_body;
    std::optional<Data::Value> m_json; // when set, the body is this value and m_body is stale
    bool m_changed = false;
};

// One compiled rule. Immutable after compile; apply() runs on many threads at once.
class TransformRule
{
public:
    virtual ~TransformRule() = default;
    virtual Result<void> apply(Work &work) const = 0;

    QString type;
    QString pointer;
    qsizetype index = 0;
};

struct TransformProgram
{
    std::vector<std::unique_ptr<const TransformRule>> rules;
    TransformLimits limits;
};

// Reads rule options and collects problems as "/pointer: what".
class Compiler
{
public:
    explicit Compiler(const MappingLookup &mappings)
        : mappings(mappings)
    {
    }

    const MappingLookup &mappings;
    QStringList problems;

    void problem(const QString &pointer, const QString &what);
    // Members other than "type", "description" and `allowed` are problems (typos such as
    // "mapping" for "mappings" would otherwise be silently ignored).
    void checkMembers(const QJsonObject &o, const QString &at,
                      std::initializer_list<QLatin1StringView> allowed);

    QString string(const QJsonObject &o, QLatin1StringView key, const QString &at, bool required);
    bool boolean(const QJsonObject &o, QLatin1StringView key, const QString &at);
    QStringList strings(const QJsonObject &o, QLatin1StringView key, const QString &at);
    // An object whose members are all non-empty strings, as (key, value) pairs in key order.
    QList<std::pair<QString, QString>> stringMap(const QJsonObject &o, QLatin1StringView key,
                                                 const QString &at, bool required);
    std::optional<QStringList> path(const QString &text, const QString &at, bool isTarget);
    // One target inside another ("a" and "a.b") would overwrite it, depending on order.
    void checkTargets(const QList<std::pair<QStringList, QString>> &targets);
    // A header field name a rule may set or remove: a token, and not one of the fields that
    // frame the message (the server owns those).
    bool headerName(const QString &name, const QString &at);
    bool headerValue(const QString &value, const QString &at);
};

// "customer.lines.0.sku": names, and array indexes as plain decimal segments.
using FieldPath = QStringList;

// field_mapping's "mappings" (also json_to_soap's): target path ← source path.
struct FieldMapping
{
    QList<std::pair<FieldPath, FieldPath>> pairs;
    bool keepUnmapped = false;

    bool isEmpty() const { return pairs.isEmpty(); }

    static FieldMapping compile(const QJsonObject &o, const QString &at, Compiler &c,
                                bool required);
    Result<Data::Value> apply(const Data::Value &input, const Work &work) const;
};

QString pointerToken(const QString &key);

using RulePtr = std::unique_ptr<TransformRule>;

// transform_xml.cpp
RulePtr compileJsonToXml(const QJsonObject &o, const QString &at, Compiler &c);
RulePtr compileXmlToJson(const QJsonObject &o, const QString &at, Compiler &c);
RulePtr compileJsonToSoap(const QJsonObject &o, const QString &at, Compiler &c);
RulePtr compileSoapToJson(const QJsonObject &o, const QString &at, Compiler &c);

} // namespace Conflux::Gateway::Internal
