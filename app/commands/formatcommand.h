#pragma once

#include "command.h"

namespace Conflux::Cli {

// conflux format DIR [--check]: rewrites every document in its canonical form (and at the
// current schema version). With --check, writes nothing and exits 1 if a file would change.
class FormatCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("format"); }
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace Conflux::Cli
