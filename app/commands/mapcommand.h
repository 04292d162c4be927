#pragma once

#include "command.h"

namespace Conflux::Cli {

// conflux map MAPPING.json [INPUT]: maps a JSON array, NDJSON, XML or CSV input (a file or
// stdin) to the mapping's target format on stdout, streaming. Records that fail
// validation go to stderr (or --errors FILE) as JSON lines with their index and reasons;
// the others still come out. Exit 0 when every record mapped, 3 when some were rejected,
// 1 when the mapping or the input cannot be read.
class MapCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("map"); }
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace Conflux::Cli
