#pragma once

#include "tester/prepare.h"

#include <QString>

namespace Conflux::Tester {

struct CurlOptions
{
    bool maskSecrets = false;    // write the request's credential values as ***** (for sharing)
    bool insecure = false;       // add -k
    bool multiline = false;      // one option per line, joined with " \\\n  "
};

// The request as a POSIX-shell command line for curl: every argument that is not plainly safe
// is single-quoted (a ' in it written as '\''), so that no character — $, `, !, spaces, line
// breaks — is interpreted by the shell. Headers as -H, the body as --data-raw, -X unless the
// method is the one curl would use anyway, -L when the request follows redirects, --url last.
// An OAuth2 request that has not been sent has no token yet: its Authorization header is
// missing (RequestCall::request() has it once sent).
QString toCurl(const PreparedRequest &request, const CurlOptions &options = {});

// Quotes one argument for a POSIX shell.
QString shellQuote(const QString &argument);

} // namespace Conflux::Tester
