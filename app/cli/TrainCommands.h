// `automoe train ...` (supernet training, resumable) and `automoe runs list|show` (the run store).
#pragma once

namespace CLI {
class App;
}

namespace automoe::cli {
void addTrainCommands(CLI::App& root);
void addRunsCommands(CLI::App& root);
} // namespace automoe::cli
