// The supernet-standalone gap study (Mixture-of-Supernets, Jawahar et al., arXiv 2306.04845, §5): how far
// a subnet's quality with inherited supernet weights lies from the same architecture trained alone, for
// several supernet runs of one space and one corpus (e.g. shared, mos-layer, mos-neuron).
//
// It picks K architectures spread across the space (farthest-point sampling on the architecture encoding
// of a seeded random pool that holds the largest and the smallest; the same for every run), and for each:
//   - standalone: trained from scratch for N updates with the first run's recipe (its peak learning rate,
//     batch size, dropout, label smoothing; fixed sampling; warm-up over N / 10 updates then cosine; the
//     same seed, batches and schedule for every architecture), once, shared by all runs;
//   - per run: the validation NLL with inherited weights (collapsed: what the deployed model computes), and
//     the NLL during K fine-tune updates from those weights (collapsedSupernet, so every kind fine-tunes
//     the same dense parameterisation), evaluated every E updates;
// and reports per run: Kendall tau-b (inherited vs standalone), the mean absolute gap in nats, the
// fine-tune updates needed to reach the standalone's NLL, and the run's training seconds per update.
// Validation NLL is per target token on the first `sentences` validation pairs (SubnetFitness).
//
// Events of a run of kind "study": "study_setup" (runs, architectures, settings), per architecture one
// "study_standalone" then one "study_inherited" per supernet run, and "study_result" {runs: [...]}.
#pragma once

#include "run/GapSummary.h"
#include "run/RunBase.h"
#include "space/Architecture.h"
#include "space/SearchSpace.h"
#include "store/RunStore.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace automoe {

struct GapStudyConfig {
    std::string name;
    std::vector<int64_t> runs;       // supernet runs of one space and one corpus
    int archs = 12;                  // K
    int64_t standaloneUpdates = 300; // N
    int64_t finetuneUpdates = 50;    // fine-tune updates from the inherited weights
    int64_t finetuneEvery = 0;       // validation every E fine-tune updates; 0 = finetuneUpdates / 5
    double finetuneLr = 5e-4;        // peak; warm-up over max(1, K / 10) updates, then cosine to 1e-6
    int64_t sentences = 300;         // validation pairs of every NLL (0 = all)
    int64_t maxTokens = 0;           // batch tokens (0 = the first run's)
    uint64_t seed = 1;               // architectures, batches and dropout

    nlohmann::json toJson() const;
    static GapStudyConfig fromJson(const nlohmann::json& j); // throws std::invalid_argument naming the field
};

// K architectures of `space` spread across it: farthest-point sampling (Euclidean, on the architecture
// encoding in `dims`) over the largest, the smallest and `pool` random ones drawn with `seed`, starting
// from the largest and the smallest. Deterministic.
std::vector<Architecture> spreadArchitectures(const SearchSpace& space, const SupernetDims& dims, int count,
                                              uint64_t seed, int pool = 0);

class GapStudyRun : public RunBase {
public:
    // Checks the runs (at least one; each a supernet run with a checkpoint; one space, corpus, direction,
    // split and vocabulary) and the settings, then creates the run (kind "study"). Throws naming the run or
    // the field.
    GapStudyRun(RunStore& store, GapStudyConfig config);
    ~GapStudyRun() override;

    const GapStudyConfig& config() const { return config_; }
    // Valid after a finished execute().
    const std::vector<GapStudyRunResult>& results() const { return results_; }

private:
    void run() override;

    GapStudyConfig config_;
    std::vector<GapStudyRunResult> results_;
};

} // namespace automoe
