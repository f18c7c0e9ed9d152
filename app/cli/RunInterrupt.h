// Ctrl-C (or SIGTERM) during a run started from the command line becomes a cancel request: the run stops
// at its next checkpoint and keeps everything stored so far (search, latency, rank runs).
#pragma once

#include "run/RunBase.h"

namespace automoe::cli {

// Runs `run.execute()` on the calling thread while a watcher turns SIGINT / SIGTERM into
// run.control().cancel(); the previous handlers are restored afterwards.
RunStatus executeInterruptible(RunBase& run);

} // namespace automoe::cli
