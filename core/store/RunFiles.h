// Where a run database keeps files beside itself: "<db dir>/<db stem>-files" holds the vocabulary cache
// (vocab/), each run's checkpoints and latency predictor (run-<id>/) and the run locks (locks/).
#pragma once

#include <cstdint>
#include <string>

namespace automoe {

class RunReader;

// "<db dir>/<db stem>-files" for the database at `dbPath`.
std::string runFilesDir(const std::string& dbPath);
std::string runFilesDir(const RunReader& store);
// "<files dir>/locks/run-<id>.lock": the lock the process executing run `runId` holds (see RunLock).
std::string runLockPath(const std::string& dbPath, std::int64_t runId);

} // namespace automoe
