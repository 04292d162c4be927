#pragma once

namespace Conflux::Studio {

// Starts the studio's QApplication and main window. `setIdentity` names the application
// before any setting is read. Returns the exit code. Without a display it explains how to
// run headless instead of aborting.
int run(int &argc, char **argv, void (*setIdentity)());

} // namespace Conflux::Studio
