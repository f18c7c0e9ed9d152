// `automoe close`: AutoMoE stages 5-7 for one architecture of a search's front — its measured latency,
// FLOPs and active params, then training (from scratch or inherited supernet weights) and test BLEU, all in
// one retrain run linked to the search run.
#pragma once

namespace CLI {
class App;
}

namespace automoe::cli {
void addCloseCommands(CLI::App& root);
} // namespace automoe::cli
