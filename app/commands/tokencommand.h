#pragma once

#include "command.h"

namespace Conflux::Cli {

// conflux token create|list|revoke --data DIR: admin API tokens. `create` prints the new
// token once; only its hash is stored.
class TokenCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("token"); }
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace Conflux::Cli
