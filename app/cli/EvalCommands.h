// `automoe bleu ...`: corpus BLEU (and chrF) of a hypothesis file against one or more reference files,
// computed and printed exactly like sacreBLEU 2.x.
#pragma once

namespace CLI {
class App;
}

namespace automoe::cli {
void addEvalCommands(CLI::App& root);
}
