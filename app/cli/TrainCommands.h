// `automoe train ...` (supernet training and retraining, resumable) and `automoe eval`.
#pragma once

#include "store/RunRecords.h"

namespace automoe {
class RunStore;
class TrainingRun;
} // namespace automoe

namespace CLI {
class App;
}

namespace automoe::cli {
void addTrainCommands(CLI::App& root);

// driveRun() (cli/RunDriver.h) with a training progress display; prints "run N <status>" when it ends.
// Throws when the run fails.
RunStatus driveTrainingRun(RunStore& store, TrainingRun& run, bool controlStdin);
} // namespace automoe::cli
