// `automoe latency build`, `automoe search`, `automoe front`, `automoe export` and `automoe translate`:
// the search half of the AutoMoE pipeline on a trained supernet run, and running what it found.
#pragma once

namespace CLI {
class App;
}

namespace automoe::cli {
void addSearchCommands(CLI::App& root);
} // namespace automoe::cli
