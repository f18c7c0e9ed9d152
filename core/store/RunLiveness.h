// Is a run still being executed? A run whose stored status is live (created, running, paused) is reported
// as RunStatus::Interrupted when its process is gone: its run lock (RunLock) is free and its heartbeat
// (runs.updated, touched by the executing process at least every kHeartbeatMs, also while paused) is older
// than the bound. Both must agree: the lock alone would call a run interrupted in the moment between its
// creation and its process taking the lock, the heartbeat alone would call a stopped (SIGSTOP) or very busy
// process's run interrupted.
#pragma once

#include "store/RunRecords.h"

#include <cstdint>

namespace automoe {

// How often the executing process touches runs.updated.
constexpr std::int64_t kHeartbeatMs = 2000;
// How old a heartbeat must be before a run whose lock is free counts as interrupted.
constexpr std::int64_t kStaleAfterMs = 5 * kHeartbeatMs;

// `stored` as it should be shown: Interrupted when it is live, `lockHeld` is false and the heartbeat
// `updatedMs` is at least `staleAfterMs` older than `nowMs` (0: the lock alone decides); else `stored`.
RunStatus derivedRunStatus(RunStatus stored, bool lockHeld, std::int64_t updatedMs, std::int64_t nowMs,
                           std::int64_t staleAfterMs = kStaleAfterMs);

} // namespace automoe
