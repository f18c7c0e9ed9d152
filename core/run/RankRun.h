// A rank run: evidence that the supernet ranks architectures the way training them does. It takes ~N
// architectures a search run evaluated (spread along its Pareto front, topped up evenly across all its
// candidates by fitness), computes for each the search's fitness (validation NLL per target token with
// inherited supernet weights, SubnetFitness on the search's own validation subset and batches) and the
// same NLL after a short fine-tune of that architecture alone from its inherited weights (the Trainer with
// SubnetSampling::Fixed; the same number of updates, learning-rate schedule, batches and seed for every
// architecture), and reports Kendall's tau-b between the two. Everything is stored as events of a run of
// kind "rank": "rank_setup", one "rank_arch" per architecture, then "rank_result" {kendall_tau, ...}.
#pragma once

#include "run/RunBase.h"
#include "run/RunControl.h"
#include "run/RunObserver.h"
#include "store/RunStore.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace automoe {

struct RankRunConfig {
    std::string name;
    int64_t searchRun = 0;
    int archs = 10;                // architectures ranked (fewer when the search evaluated fewer)
    std::string select = "front";  // "front": along the front, topped up by "spread"; "spread": evenly
                                   // across all candidates sorted by fitness
    int64_t finetuneUpdates = 100; // updates of each fine-tune
    double lr = 5e-4;              // peak; linear warm-up over max(1, updates / 10), then cosine to 1e-6
    uint64_t seed = 1;             // fine-tune batches and dropout: the same for every architecture
    int64_t maxTokens = 0;         // fine-tune batch size; 0 = the supernet's

    nlohmann::json toJson() const;
};

// One ranked architecture.
struct RankedArchitecture {
    int64_t archId = 0; // in the search run
    std::string key;
    double flops = 0;
    double searchFitness = 0; // as the search stored it
    double inherited = 0;     // NLL with inherited weights, recomputed here
    double finetuned = 0;     // NLL after the fine-tune
    double finetuneSeconds = 0;
};

// Which candidates a rank run takes: indices into `fitness` (one per candidate) and `frontOrder` (indices
// of front members, sorted by cost). Deterministic; no index twice; min(count, fitness.size()) of them.
std::vector<size_t> selectRankCandidates(const std::vector<double>& fitness,
                                         const std::vector<size_t>& frontOrder, int count, bool useFront);

class RankRun : public RunBase {
public:
    // Checks the search run (exists, kind "search", has candidates) and the settings, then creates the run
    // (kind "rank"). Throws naming the run or the field.
    RankRun(RunStore& store, RankRunConfig config);
    ~RankRun() override;

    const RankRunConfig& config() const { return config_; }
    // Valid after a finished execute().
    const std::vector<RankedArchitecture>& ranked() const { return ranked_; }
    double kendallTau() const { return tau_; }

private:
    void run() override;

    RankRunConfig config_;
    nlohmann::json searchConfig_;
    std::vector<RankedArchitecture> ranked_;
    double tau_ = 0;
};

} // namespace automoe
