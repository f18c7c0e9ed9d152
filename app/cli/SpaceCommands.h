// `automoe space ...`: inspect search-space files (size, cheapest and most expensive architecture).
#pragma once

namespace CLI {
class App;
}

namespace automoe::cli {
void addSpaceCommands(CLI::App& root);
}
