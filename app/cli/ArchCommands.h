// `automoe arch ...`: costs of an architecture file (HAT/AutoMoE yml or JSON) and format conversion.
#pragma once

namespace CLI {
class App;
}

namespace automoe::cli {
void addArchCommands(CLI::App& root);
}
