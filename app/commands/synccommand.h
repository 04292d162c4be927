#pragma once

#include "command.h"

namespace Conflux::Cli {

// conflux sync list|run|status|reconcile|runs|conflicts|resolve|rejects: the sync jobs of a
// project folder, run and inspected from the command line with the state store of a node's
// data folder (--data, default as `conflux run`) or a PostgreSQL store (--store-url), and the
// same connectors a node uses (secrets from the environment or --credentials DIR).
//   list                           every job: strategy, endpoints, last run (or its error)
//   run JOB [--full]               one run, holding the job's lease as --node (default
//                                  "cli@<host>"); --wait-lease S retries every 250 ms while
//                                  another holder has it; SIGINT/SIGTERM cancel the run cleanly
//   status [JOB]                   last runs, checkpoint, lease holder, open conflicts, rejects
//   reconcile JOB                  source against target: matched, missing, extra, different
//   runs JOB [--limit N]           the job's runs, newest first
//   conflicts JOB [--status S]     the job's conflicts (S: open or resolved)
//   resolve ID --as source|target|custom [--record FILE]   decides one conflict
//   rejects JOB [--run ID]         the records validation rejected
// --json prints what the admin API answers instead of text. Exit 0 on success; 1 when a run
// fails or is cancelled, a reconciliation is below 100 %, or the project, store or job fails;
// 2 for a usage error; 3 when the job's lease is held by another (the job runs elsewhere).
class SyncCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("sync"); }
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace Conflux::Cli
