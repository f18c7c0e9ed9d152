#include "store/RunLiveness.h"

namespace automoe {

RunStatus derivedRunStatus(RunStatus stored, bool lockHeld, std::int64_t updatedMs, std::int64_t nowMs,
                           std::int64_t staleAfterMs) {
    if (!isLive(stored) || lockHeld) return stored;
    return nowMs - updatedMs >= staleAfterMs ? RunStatus::Interrupted : stored;
}

} // namespace automoe
