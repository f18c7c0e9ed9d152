#include "run/CheckpointFallback.h"

#include "store/RunStore.h"
#include "train/Trainer.h"

#include <filesystem>
#include <spdlog/spdlog.h>
#include <stdexcept>

namespace automoe {

CheckpointFallback openNewestCheckpoint(RunStore& store, std::int64_t runId,
                                        const std::function<void(const std::string& path)>& open) {
    CheckpointFallback out;
    const std::vector<CheckpointRow> stored = store.checkpoints(runId);
    for (auto it = stored.rbegin(); it != stored.rend() && !out.opened; ++it) {
        try {
            open(it->path);
            out.opened = *it;
        } catch (const CheckpointDamaged& e) {
            out.damaged.push_back({{"path", it->path}, {"update", it->update}, {"error", e.what()}});
        }
    }
    if (!stored.empty() && !out.opened)
        throw std::runtime_error("run " + std::to_string(runId) +
                                 " has no usable checkpoint: " + out.damaged[0]["error"].get<std::string>());
    for (const auto& d : out.damaged) {
        const std::string path = d["path"];
        spdlog::warn("run {}: {}; resuming from checkpoint {} (update {}) instead", runId,
                     d["error"].get<std::string>(), out.opened->path, out.opened->update);
        std::error_code ec;
        if (std::filesystem::exists(path, ec)) std::filesystem::rename(path, path + ".damaged", ec);
        store.forgetCheckpoint(runId, d["update"].get<std::int64_t>());
    }
    return out;
}

} // namespace automoe
