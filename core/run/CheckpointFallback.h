// Resume from the newest checkpoint of a run that is intact (issue 16: two are kept, a damaged latest one
// falls back to the previous one). Shared by the supernet and DARTS runs.
#pragma once

#include "store/RunRecords.h"

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace automoe {

class RunStore;

struct CheckpointFallback {
    std::optional<CheckpointRow> opened; // the checkpoint `open` accepted; none when none is stored
    nlohmann::json damaged = nlohmann::json::array(); // [{path, update, error}] of newer ones, newest first
};

// Tries the stored checkpoints of `runId`, newest first, with `open`, which throws CheckpointDamaged
// (train/Trainer.h) for a damaged file and must leave its target unchanged then. Every damaged newer one is
// renamed PATH.damaged, dropped from the store and warned about, naming the checkpoint resumed from instead.
// Throws std::runtime_error "run N has no usable checkpoint: ..." when checkpoints are stored but none opens.
CheckpointFallback openNewestCheckpoint(RunStore& store, std::int64_t runId,
                                        const std::function<void(const std::string& path)>& open);

} // namespace automoe
