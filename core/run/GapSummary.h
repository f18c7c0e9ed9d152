// The figures of the supernet-standalone gap study (GapStudyRun) for one supernet run, from its inherited
// NLLs, fine-tune curves and the standalone NLLs: torch-free, so that the study run that stores them and the
// desktop app that shows a study live compute them with one function.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace automoe {

// One supernet run's row of the result.
struct GapStudyRunResult {
    int64_t run = 0;
    std::string kind;               // "shared", "mos-layer x2", ...
    double kendallTau = 0;          // inherited vs standalone NLL, over the architectures
    double meanAbsGap = 0;          // mean |inherited - standalone| (nats per target token)
    double meanGap = 0;             // mean (inherited - standalone)
    int reached = 0;                // architectures whose fine-tune reached the standalone NLL
    double meanUpdatesToReach = 0;  // over those that reached (NaN when none did)
    double secondsPerUpdate = 0;    // the run's training, from its stored steps
    int64_t updates = 0;            // the run's training updates
    double finetunedMeanAbsGap = 0; // mean |fine-tuned after K updates - standalone|

    nlohmann::json toJson() const;
};

// The fine-tune updates at which a curve of (updates, NLL) first reaches `target` (NLL <= target), or
// nullopt.
std::optional<int64_t> updatesToReach(const std::vector<std::pair<int64_t, double>>& curve, double target);

// The per-run summary from one run's inherited NLLs, fine-tune curves and the standalone NLLs (all
// indexed by architecture). Undefined figures are NaN: the means over no architectures, tau-b of fewer than
// two (or of a constant series), the mean updates to reach when no fine-tune reached the standalone NLL.
GapStudyRunResult summarizeGap(const std::vector<double>& inherited, const std::vector<double>& standalone,
                               const std::vector<std::vector<std::pair<int64_t, double>>>& curves);

} // namespace automoe
