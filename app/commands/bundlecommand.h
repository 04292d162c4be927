#pragma once

#include "command.h"

namespace Conflux::Cli {

// conflux bundle DIR [-o FILE]: the deployable bundle of a valid project (for
// PUT /api/v1/project), on stdout or into FILE.
class BundleCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("bundle"); }
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace Conflux::Cli
