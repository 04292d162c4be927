#include "assertions.h"

#include "data/json.h"
#include "data/xml.h"
#include "mapping/jsonata.h"
#include "requestexecutor.h"
#include "tr_p.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Conflux::Tester {

using Internal::Tr;

namespace {

QString shortText(const QByteArray &text)
{
    QString s = QString::fromUtf8(text.left(200));
    if (text.size() > 200)
        s += u"…"_s;
    return s;
}

QString valueText(const Data::Value &value)
{
    if (value.isUndefined())
        return Tr::tr("nothing (undefined)");
    return shortText(Data::Json::serialize(value));
}

Data::Value headersValue(const Response &response)
{
    Data::Object headers;
    for (const auto &[name, value] : response.headers) {
        const QString key = QString::fromLatin1(name).toLower();
        if (const Data::Value *existing = headers.find(key))
            headers.insert(key, Data::Value(existing->toString() + u", "_s + QString::fromUtf8(value)));
        else
            headers.insert(key, Data::Value(QString::fromUtf8(value)));
    }
    return Data::Value(std::move(headers));
}

AssertionResult evaluate(const Assertion &a, const Response &response, const std::optional<Result<Data::Value>> &body)
{
    AssertionResult r{a.describe(), false, {}};
    switch (a.type) {
    case Assertion::Type::Status:
        r.passed = a.statuses.contains(response.status);
        r.message = Tr::tr("status was %1").arg(response.status);
        break;
    case Assertion::Type::Header: {
        const QList<QByteArray> values = response.headerValues(a.header.toLatin1());
        const QString value = QString::fromUtf8(values.join(", "));
        switch (a.headerCheck) {
        case Assertion::HeaderCheck::Exists:
            r.passed = !values.isEmpty();
            r.message = r.passed ? Tr::tr("%1: %2").arg(a.header, value) : Tr::tr("no header %1").arg(a.header);
            break;
        case Assertion::HeaderCheck::Absent:
            r.passed = values.isEmpty();
            r.message = r.passed ? Tr::tr("no header %1").arg(a.header) : Tr::tr("%1: %2").arg(a.header, value);
            break;
        case Assertion::HeaderCheck::Equals:
            r.passed = !values.isEmpty() && value == a.text;
            r.message = values.isEmpty() ? Tr::tr("no header %1").arg(a.header)
                                         : Tr::tr("%1 was \"%2\"").arg(a.header, value);
            break;
        case Assertion::HeaderCheck::Matches: {
            const QRegularExpression pattern(a.text);
            if (!pattern.isValid()) {
                r.message = Tr::tr("invalid regular expression /%1/: %2 at offset %3")
                                .arg(a.text, pattern.errorString())
                                .arg(pattern.patternErrorOffset());
                break;
            }
            r.passed = !values.isEmpty() && pattern.match(value).hasMatch();
            r.message = values.isEmpty() ? Tr::tr("no header %1").arg(a.header)
                                         : Tr::tr("%1 was \"%2\"").arg(a.header, value);
            break;
        }
        }
        break;
    }
    case Assertion::Type::ResponseTime:
        r.passed = response.elapsedMs < a.belowMs;
        r.message = Tr::tr("the answer took %1 ms").arg(response.elapsedMs);
        break;
    case Assertion::Type::Expression: {
        Result<Mapping::Expression> expression = Mapping::Expression::compile(a.expression);
        if (!expression) {
            r.message = Tr::tr("the expression does not compile: %1 (%2, at character %3)")
                            .arg(expression.error().message, expression.error().code)
                            .arg(expression.error().offset);
            break;
        }
        if (!body->isOk()) {
            r.message = Tr::tr("the body could not be read: %1").arg(body->error().message);
            break;
        }
        const Data::Object bindings{{u"status"_s, Data::Value(response.status)},
                                    {u"headers"_s, headersValue(response)},
                                    {u"responseTime"_s, Data::Value(qint64(response.elapsedMs))}};
        Mapping::EvaluationLimits limits;
        limits.timeLimit = std::chrono::milliseconds(5000);
        Result<Data::Value> value = expression->evaluate(body->value(), bindings, limits);
        if (!value) {
            r.message = Tr::tr("the expression failed: %1 (%2)").arg(value.error().message, value.error().code);
            break;
        }
        r.passed = value->isBool() && value->toBool();
        r.message = r.passed ? QString() : Tr::tr("the expression gave %1").arg(valueText(*value));
        break;
    }
    }
    return r;
}

} // namespace

Result<Data::Value> parseBody(const Response &response)
{
    if (response.body.isEmpty())
        return Data::Value();
    const QByteArray type = response.header("Content-Type").toLower();
    const qsizetype semicolon = type.indexOf(';');
    const QByteArray mime = (semicolon < 0 ? type : type.left(semicolon)).trimmed();
    const bool json = mime.endsWith("/json") || mime.endsWith("+json");
    const bool xml = mime.endsWith("/xml") || mime.endsWith("+xml");
    if (json)
        return Data::Json::parse(response.body);
    if (xml)
        return Data::Xml::read(response.body);
    if (Result<Data::Value> value = Data::Json::parse(response.body))
        return value;
    if (response.body.trimmed().startsWith('<')) {
        if (Result<Data::Value> value = Data::Xml::read(response.body))
            return value;
    }
    return Data::Value(QString::fromUtf8(response.body));
}

QList<AssertionResult> evaluateAssertions(const QList<Assertion> &assertions, const Response &response)
{
    std::optional<Result<Data::Value>> body;
    QList<AssertionResult> out;
    for (const Assertion &a : assertions) {
        if (a.type == Assertion::Type::Expression && !body)
            body = parseBody(response);
        out.append(evaluate(a, response, body));
    }
    return out;
}

} // namespace Conflux::Tester
