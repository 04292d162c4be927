#pragma once

#include "command.h"

namespace Conflux::Cli {

// conflux test COLLECTION [--env ENV] [--var NAME=VALUE ...] [--folder NAME] [--junit FILE]
//                         [--project DIR] [--timeout MS] [--insecure] [--credentials DIR]
//                         [--gateway URL] [--history] [--ca-file FILE] [--cert FILE --key FILE] [--curl]
// Runs a request-tester collection (docs/tester.md): a collection id of the project, a
// collections/<id>.json file, or a Postman v2.1 collection file. Prints each request with its
// status and assertions, and writes JUnit XML with --junit. Exit 0 when every request passed;
// 1 when one failed (an assertion, no answer, a variable that is not defined); 2 for a usage
// or input error (unknown options, a collection or environment that cannot be read or found,
// an invalid project, an unknown folder).
class TestCommand final : public Command
{
public:
    QString name() const override { return QStringLiteral("test"); }
    QString summary() const override;
    int run(const QStringList &arguments) override;
};

} // namespace Conflux::Cli
