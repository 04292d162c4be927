#pragma once

#include "base/result.h"

#include <QList>
#include <QString>

#include <memory>

namespace Conflux::Security {

// Resolves a secret reference ({"secret": "name"}) to its value at run time. Names are
// 1–128 characters of [A-Za-z0-9._-], starting with a letter or digit. Every value a
// resolver returns is registered with the log redactor, so it never reaches a log line.
//
// Errors: "secret_not_found" (no source has it), "secret_invalid_name",
// "secret_unavailable" (a source exists but cannot be read, e.g. no keychain service).
// Threading: resolve() is safe from any thread.
class SecretResolver
{
public:
    virtual ~SecretResolver() = default;
    virtual Result<QString> resolve(const QString &name) const = 0;
    virtual QString describe() const = 0;   // for messages: where it looks

    static bool isValidName(const QString &name);
};

// CONFLUX_SECRET_<NAME>, the name upper-cased with every character other than A–Z and
// 0–9 replaced by '_': "sap.production.password" → CONFLUX_SECRET_SAP_PRODUCTION_PASSWORD.
class EnvironmentSecretResolver final : public SecretResolver
{
public:
    Result<QString> resolve(const QString &name) const override;
    QString describe() const override;
    static QString variableName(const QString &name);
};

// One file per secret in a directory, named exactly like the secret; one trailing newline
// is stripped. systemd's LoadCredential= puts them in $CREDENTIALS_DIRECTORY.
class DirectorySecretResolver final : public SecretResolver
{
public:
    explicit DirectorySecretResolver(const QString &directory);
    Result<QString> resolve(const QString &name) const override;
    QString describe() const override;

private:
    QString m_directory;
};

// Asks each resolver in turn; the first that has the secret wins.
class ChainSecretResolver final : public SecretResolver
{
public:
    void append(std::unique_ptr<SecretResolver> resolver);
    Result<QString> resolve(const QString &name) const override;
    QString describe() const override;

private:
    QList<std::shared_ptr<SecretResolver>> m_resolvers;
};

// The resolver of a headless node: the credentials directory (if given, else
// $CREDENTIALS_DIRECTORY if set), then the environment.
std::unique_ptr<SecretResolver> nodeSecretResolver(const QString &credentialsDirectory = {});

} // namespace Conflux::Security
