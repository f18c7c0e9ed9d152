// `automoe bench ...`: benchmarks that print figures (never pass/fail): `bench model` times the supernet
// against a dense torch::nn::Transformer peer measured in the same run.
#pragma once

namespace CLI {
class App;
}

namespace automoe::cli {
void addBenchCommands(CLI::App& root);
}
