// The live-run responsiveness benchmark of automoe-ui-bench (--live SECONDS): a writer thread appends a
// supernet training run and then a search run to a fresh run store at the rates the real CLI writes them,
// while the full main window follows them (RunFeed -> RunPlayer -> views, the Run dock, the runs browser).
// It reports the UI thread's longest stall and its 99th percentile (StallMonitor), and the slowest event
// deliveries on the UI thread by receiver and event type: what the thread was doing during a stall.
#pragma once

#include "ui/shell/ProfilingApplication.h"

namespace automoe::bench {

struct LiveOptions {
    double seconds = 30; // the whole benchmark: half training, half search
    double updatesPerSecond = 8;
    double candidatesPerSecond = 6;
    int logLinesPerSecond = 2;
};

// Returns the process exit code.
int liveBenchmark(ui::ProfilingApplication& app, const LiveOptions& options);

} // namespace automoe::bench
