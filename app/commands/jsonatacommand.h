#pragma once

#include "command.h"

namespace Conflux::Cli {

// conflux jsonata EXPR [FILE]: evaluates a JSONata expression against a JSON input (a file
// or stdin) and prints the result as JSON. Errors go to stderr with their JSONata code and
// position; exit 1.
class JsonataCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("jsonata"); }
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace Conflux::Cli
