// Logging set-up for every entry point: spdlog to the console (stderr) and to a rotating file in the
// user's data directory, so that a run's log survives the terminal it was started from.
#pragma once

#include <string>

namespace automoe {

// $XDG_DATA_HOME/automoe-studio (or ~/.local/share/automoe-studio), created if missing.
std::string userDataDir();

// Installs the default logger "automoe". `verbose` lowers the console level to debug. Safe to call twice.
void setupLogging(bool verbose = false, bool console = true);

} // namespace automoe
