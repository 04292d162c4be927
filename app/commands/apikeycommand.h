#pragma once

#include "command.h"

namespace Conflux::Cli {

// conflux apikey create|list|revoke|disable|enable --data DIR: the gateway's API keys, kept
// hashed in the node's state store (see Runtime::loadApiKeys). `create` prints the new key
// once, alone on the first line of standard output.
class ApiKeyCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("apikey"); }
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

// conflux hash-password: reads a password from standard input (one line) and prints its
// scrypt hash, for the "password_hash" of a user in the project's gateway.users.
class HashPasswordCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("hash-password"); }
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace Conflux::Cli
