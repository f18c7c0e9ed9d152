// `automoe rank`: does the supernet rank architectures as training them does? Kendall tau between the
// search fitness (inherited weights) and the validation NLL after a short fine-tune, for ~10 architectures
// of a search run (core/run/RankRun).
#pragma once

namespace CLI {
class App;
}

namespace automoe::cli {
void addRankCommands(CLI::App& root);
} // namespace automoe::cli
