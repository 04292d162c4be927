#include "variables.h"

#include "security/secrets.h"
#include "tr_p.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Conflux::Tester {

using Internal::Tr;

namespace {

constexpr int maxDepth = 8;

const QRegularExpression &placeholder()
{
    static const QRegularExpression pattern(u"\\{\\{\\s*([^{}\\s]+)\\s*\\}\\}"_s);
    return pattern;
}

std::optional<QString> dynamicValue(const QString &name)
{
    if (name == u"$guid")
        return QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (name == u"$timestamp")
        return QString::number(QDateTime::currentSecsSinceEpoch());
    if (name == u"$isoTimestamp")
        return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    if (name == u"$randomInt")
        return QString::number(QRandomGenerator::global()->bounded(1001));
    return std::nullopt;
}

} // namespace

Variables::Variables(std::shared_ptr<const Security::SecretResolver> secrets)
    : m_secrets(std::move(secrets))
{}

void Variables::addScope(const QString &scopeName, const QList<std::pair<QString, Credential>> &values)
{
    m_scopes.append({scopeName, values});
}

void Variables::addScope(const QString &scopeName, const QList<KeyValue> &values)
{
    Scope scope{scopeName, {}};
    for (const KeyValue &kv : values) {
        if (kv.enabled)
            scope.values.append({kv.name, Credential{{}, kv.value}});
    }
    m_scopes.append(scope);
}

Variables Variables::withFirstScope(const QString &scopeName, const QList<KeyValue> &values) const
{
    Variables out(m_secrets);
    out.addScope(scopeName, values);
    out.m_scopes += m_scopes;
    return out;
}

QStringList Variables::names() const
{
    QStringList out;
    for (const Scope &scope : m_scopes) {
        for (const auto &[name, value] : scope.values) {
            if (!out.contains(name))
                out.append(name);
        }
    }
    return out;
}

QStringList Variables::referencedNames(const QString &text)
{
    QStringList out;
    auto it = placeholder().globalMatch(text);
    while (it.hasNext()) {
        const QString name = it.next().captured(1);
        if (!out.contains(name))
            out.append(name);
    }
    return out;
}

Result<QString> Variables::substitute(const QString &text, const QString &where) const
{
    return substitute(text, where, 0);
}

Result<QString> Variables::resolve(const Credential &credential, const QString &where) const
{
    if (!credential.isSecret())
        return substitute(credential.text, where);
    if (!m_secrets) {
        return makeError("secret_unavailable",
                         Tr::tr("%1 needs the secret \"%2\", but no secret store is configured")
                             .arg(where, credential.secretName));
    }
    Result<QString> value = m_secrets->resolve(credential.secretName);
    if (!value) {
        Error e = value.error();
        e.message = Tr::tr("%1: %2").arg(where, e.message);
        return e;
    }
    return value;
}

std::optional<Result<QString>> Variables::value(const QString &name, const QString &where) const
{
    for (const Scope &scope : m_scopes) {
        for (const auto &[n, v] : scope.values) {
            if (n == name)
                return lookup(name, where, 0);
        }
    }
    return std::nullopt;
}

Result<QString> Variables::lookup(const QString &name, const QString &where, int depth) const
{
    for (const Scope &scope : m_scopes) {
        for (const auto &[n, v] : scope.values) {
            if (n != name)
                continue;
            const QString what = Tr::tr("variable \"%1\" (%2)").arg(name, scope.name);
            if (v.isSecret())
                return resolve(v, what);
            return substitute(v.text, what, depth + 1);
        }
    }
    if (const auto dynamic = dynamicValue(name))
        return *dynamic;
    return makeError("undefined_variable",
                     Tr::tr("undefined variable \"%1\" in %2").arg(name, where));
}

Result<QString> Variables::substitute(const QString &text, const QString &where, int depth) const
{
    if (depth > maxDepth) {
        return makeError("variable_loop",
                         Tr::tr("variables nest more than %1 deep in %2 (a variable that refers to itself?)")
                             .arg(maxDepth).arg(where));
    }
    if (!text.contains(u"{{"_s))
        return text;
    QString out;
    qsizetype last = 0;
    auto it = placeholder().globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        out += QStringView(text).mid(last, match.capturedStart() - last);
        Result<QString> value = lookup(match.captured(1), where, depth);
        if (!value)
            return value.error();
        out += *value;
        last = match.capturedEnd();
    }
    out += QStringView(text).mid(last);
    return out;
}

} // namespace Conflux::Tester
