// How the CLI executes a run it created or resumed, the same for `train` (and `--resume`), `search` (and
// `--resume`), `close`, `rank` and `latency build`: it announces the run on the first line of stdout, then
// executes it on the calling thread while SIGINT / SIGTERM become a cancel request (the run stops at its
// next checkpoint and keeps everything stored) and, with --control-stdin, the lines "pause", "resume" and
// "cancel" on stdin control it (the desktop app drives its child processes this way).
#pragma once

#include "run/RunBase.h"
#include "run/TrainingRun.h"

#include <cstdint>
#include <string>

namespace automoe::cli {

// The first line of stdout of a command that creates or resumes a run, one JSON object:
// {"run_id": 7, "kind": "supernet", "db": "/home/me/.local/share/automoe-studio/runs.sqlite"} (the
// database's absolute path). The desktop app reads it to follow the run.
std::string runAnnouncement(std::int64_t runId, const std::string& kind, const std::string& dbPath);

// Prints runAnnouncement() of `run` as the first line of stdout and flushes it, executes the run until it
// ends and returns its final status. Throws std::runtime_error "<kind> run N failed: <error>" when it
// failed.
RunStatus driveRun(RunStore& store, RunBase& run, bool controlStdin);

// driveRun() of a training run with its progress on stderr (a redrawn bar on a terminal, a line every 10 s
// otherwise; the numbers are RunProgress's, as in the desktop app), then "run N <status>" on stdout.
RunStatus driveTrainingRun(RunStore& store, TrainingRun& run, bool controlStdin);
// The same for any run that counts updates (a DARTS search or retrain): `kind` and `config` as stored.
RunStatus driveUpdatesRun(RunStore& store, RunBase& run, const std::string& kind,
                          const nlohmann::json& config, bool controlStdin);

} // namespace automoe::cli
