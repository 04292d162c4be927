#pragma once

#include "base/result.h"
#include "security/secrets.h"

#include <QHash>
#include <QJsonValue>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

namespace Conflux::Ui {

class SecretStore;

// Secret values read from the OS keychain beforehand, for code that resolves secrets
// synchronously (connectors on a worker thread, the request tester's variables) while the
// keychain answers asynchronously. A name that could not be read resolves to the error it
// got ("secret_not_found", "keychain_unavailable", ...); one that was not asked for to
// "secret_not_found". Each value handed out is registered with the log redactor.
class KeychainSecrets final : public Security::SecretResolver
{
public:
    explicit KeychainSecrets(QHash<QString, QString> values = {}, QHash<QString, Error> failures = {});

    Result<QString> resolve(const QString &name) const override;
    QString describe() const override;

    const QHash<QString, Error> &failures() const { return m_failures; }

private:
    QHash<QString, QString> m_values;
    QHash<QString, Error> m_failures;
};

// Every secret name a document refers to ({"secret": name} anywhere in it), in order of
// appearance, without repeats.
QStringList secretReferences(const QJsonValue &value);

// Reads `names` from `store` one after another and calls `done` on `context`'s thread with
// what was found and what was not; `done` is not called if `context` is destroyed first.
// Without a store every name fails with "keychain_unavailable". With no names, `done` is
// called before this returns.
void readKeychainSecrets(SecretStore *store, const QStringList &names, QObject *context,
                         std::function<void(std::shared_ptr<KeychainSecrets>)> done);

} // namespace Conflux::Ui
