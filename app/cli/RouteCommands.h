// `automoe route`: how a trained supernet's routers send each token of a sentence (typed, or from the
// run's validation split) to experts of different widths, and what that costs per token (adaptive compute).
#pragma once

namespace CLI {
class App;
}

namespace automoe::cli {
void addRouteCommands(CLI::App& root);
} // namespace automoe::cli
