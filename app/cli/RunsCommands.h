// `automoe runs list|show|check|migrate`: the stored runs, their derived status (interrupted when their
// process is gone), an explicit integrity check, and the upgrade of an older database.
#pragma once

namespace CLI {
class App;
}

namespace automoe::cli {
void addRunsCommands(CLI::App& root);
} // namespace automoe::cli
