// The CLI's subcommands, one function a group, each adding its commands to the `automoe` app (main.cpp).
#pragma once

namespace CLI {
class App;
}

namespace automoe::cli {

// `automoe space ...`: inspect search-space files (size, cheapest and most expensive architecture).
void addSpaceCommands(CLI::App& root);

// `automoe arch ...`: costs of an architecture file (HAT/AutoMoE yml or JSON) and format conversion.
void addArchCommands(CLI::App& root);

// `automoe bleu ...`: corpus BLEU (and chrF) of a hypothesis file against one or more reference files,
// computed and printed exactly like sacreBLEU 2.x.
void addEvalCommands(CLI::App& root);

// `automoe train ...` (supernet training and retraining, resumable) and `automoe eval` (test BLEU of a run).
void addTrainCommands(CLI::App& root);

// `automoe runs list|show|check|migrate`: the stored runs, their derived status (interrupted when their
// process is gone), an explicit integrity check, and the upgrade of an older database.
void addRunsCommands(CLI::App& root);

// `automoe bench ...`: benchmarks that print figures (never pass/fail): `bench model` times the supernet
// against a dense torch::nn::Transformer peer measured in the same run.
void addBenchCommands(CLI::App& root);
// `automoe bench distributed` (app/cli/DistributedBench.cpp), added by addBenchCommands.
void addDistributedBench(CLI::App* bench);

// `automoe latency build`, `automoe search`, `automoe front`, `automoe export` and `automoe translate`:
// the search half of the AutoMoE pipeline on a trained supernet run, and running what it found.
void addSearchCommands(CLI::App& root);

// `automoe route`: how a trained supernet's routers send each token of a sentence (typed, or from the
// run's validation split) to experts of different widths, and what that costs per token (adaptive compute).
void addRouteCommands(CLI::App& root);

// `automoe rank`: does the supernet rank architectures as training them does? Kendall tau between the
// search fitness (inherited weights) and the validation NLL after a short fine-tune, for ~10 architectures
// of a search run (core/run/RankRun).
void addRankCommands(CLI::App& root);

// `automoe close`: AutoMoE stages 5-7 for one architecture of a search's front — its measured latency,
// FLOPs and active params, then training (from scratch or inherited supernet weights) and test BLEU, all in
// one retrain run linked to the search run.
void addCloseCommands(CLI::App& root);

// `automoe study gap`: the supernet-standalone gap of several supernet runs (shared vs Mixture-of-
// Supernets) on architectures spread across their space (core/run/GapStudyRun), stored as a run.
void addStudyCommands(CLI::App& root);

// `automoe darts` (a DARTSformer search: reversible mixed network, bi-level first-order DARTS, stored and
// resumable) and `automoe darts derive` (its architecture as JSON); `automoe train --darts-arch` retrains it.
void addDartsCommands(CLI::App& root);

// `automoe launch --nproc N -- train ...`: N local ranks of a multi-process run (the launch convention:
// WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), ended together when one fails.
void addLaunchCommands(CLI::App& root);

} // namespace automoe::cli
