#pragma once

#include "command.h"

namespace Conflux::Cli {

// conflux validate DIR: exit 0 when the project is valid, 1 with every error otherwise.
class ValidateCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("validate"); }
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace Conflux::Cli
