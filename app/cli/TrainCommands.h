// `automoe train ...` (supernet training, resumable) and `automoe runs list|show` (the run store).
#pragma once

namespace automoe {
class RunStore;
class TrainingRun;
} // namespace automoe

namespace CLI {
class App;
}

namespace automoe::cli {
void addTrainCommands(CLI::App& root);
void addRunsCommands(CLI::App& root);

// Runs `run` on a worker thread with a progress display until it ends; Ctrl-C (and with `controlStdin`
// "pause" / "resume" / "cancel" lines on stdin) control it. Throws when the run fails.
void driveTrainingRun(RunStore& store, TrainingRun& run, bool controlStdin);
} // namespace automoe::cli
