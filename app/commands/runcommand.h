#pragma once

#include "command.h"

namespace Conflux::Cli {

// conflux run DIR [--data DIR] [--admin-listen HOST:PORT] ... — the headless node; the same
// as `conflux --no-gui --project DIR ...`. SIGTERM and SIGINT drain and exit 0.
class RunCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("run"); }
    QString summary() const override;
    int run(const QStringList &arguments) override;

    // For `conflux --no-gui ...`: the project comes from --project instead of DIR.
    int runNode(const QStringList &arguments, bool projectAsOption);
};

} // namespace Conflux::Cli
