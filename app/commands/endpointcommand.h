#pragma once

#include "command.h"

namespace Conflux::Cli {

// conflux endpoint list|test|discover|read: the endpoints of a project folder, through the
// same connectors a node uses (secrets from the environment or --credentials DIR).
//   list                       every endpoint, its protocol and capabilities (or its error)
//   test ID                    connects; prints the latency and what the server said
//   discover ID                the entities, with --fields their field trees
//   read ID --entity NAME      the records as JSON lines on stdout (--limit N, --fields a,b);
//                              an endpoint whose read takes what it reads needs --consume
// --json prints what the admin API answers instead of text. Exit 0 on success, 1 when the
// project or the endpoint fails, 2 for a usage error.
class EndpointCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("endpoint"); }
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace Conflux::Cli
