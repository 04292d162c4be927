#pragma once

#include "base/result.h"
#include "tester/collection.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace Conflux::Security {
class SecretResolver;
}

namespace Conflux::Tester {

// {{name}} substitution. Variables come in scopes searched in the order they were added —
// for a run: the request's own variables, the collection's, then the environment's, then the
// values given at run time (--var) — and the first scope that defines a name gives its value. A value may itself
// hold {{names}} (up to 8 levels). An environment's secret references are resolved when a
// text uses them, through the SecretResolver.
//
// Built-in dynamic variables, as Postman has them: {{$guid}}, {{$timestamp}} (Unix seconds),
// {{$isoTimestamp}}, {{$randomInt}} (0–1000).
//
// Errors: "undefined_variable" naming the variable and where it occurs ("request \"Get
// order\" url"); "secret_not_found"/"secret_unavailable" naming the variable and the secret.
class Variables
{
public:
    Variables() = default;
    explicit Variables(std::shared_ptr<const Security::SecretResolver> secrets);

    void addScope(const QString &scopeName, const QList<std::pair<QString, Credential>> &values);
    void addScope(const QString &scopeName, const QList<KeyValue> &values);
    // A copy whose first scope is `values` (a request's own variables).
    Variables withFirstScope(const QString &scopeName, const QList<KeyValue> &values) const;

    // `where` is used in messages only.
    Result<QString> substitute(const QString &text, const QString &where) const;
    Result<QString> resolve(const Credential &credential, const QString &where) const;
    // The value of a variable (after substitution of its own {{names}}), if defined.
    std::optional<Result<QString>> value(const QString &name, const QString &where) const;
    QStringList names() const;

    // The {{names}} a text uses, in order, without repeats.
    static QStringList referencedNames(const QString &text);

private:
    Result<QString> substitute(const QString &text, const QString &where, int depth) const;
    Result<QString> lookup(const QString &name, const QString &where, int depth) const;

    struct Scope
    {
        QString name;
        QList<std::pair<QString, Credential>> values;
    };
    QList<Scope> m_scopes;
    std::shared_ptr<const Security::SecretResolver> m_secrets;
};

} // namespace Conflux::Tester
