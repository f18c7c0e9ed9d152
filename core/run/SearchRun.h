// A search run (AutoMoE stage 4): the evolutionary search of core/search over the space of a trained
// supernet run, with fitness = validation NLL per target token of each subnet with inherited supernet
// weights on a fixed validation subset, and costs from the cost model (plus latency measured on a
// standalone copy, or predicted by a saved LatencyPredictor, when a budget names it). Every evaluated
// candidate and every generation (hypervolume and Pareto front) is a typed event, appended to the run
// store and handed to the observers, exactly as TrainingRun does; pause and cancel act between two
// fitness evaluations. The same configuration and seed give the same candidates in the same order.
//
// After each generation a "search_state" event snapshots the engine (Evolution::saveState without the
// candidates, which the "candidate" events already hold). A search that was cancelled or killed resumes
// from the store (SearchRun::resume): the last snapshot plus the candidates stored since rebuild the
// engine, so no stored architecture is evaluated again and the run ends as the uninterrupted one would.
#pragma once

#include "cost/LatencyMeter.h"
#include "run/RunBase.h"
#include "search/Constraint.h"
#include "search/Evolution.h"
#include "space/SearchSpace.h"
#include "store/RunStore.h"
#include "train/DataParallel.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace automoe {

struct SearchRunConfig {
    std::string name;        // default "search <supernet run> <budgets>"
    int64_t supernetRun = 0; // the trained supernet run
    std::string checkpoint;  // its checkpoint used; empty = the last one (fixed when the run is created)
    int64_t checkpointUpdate = 0;
    std::vector<std::string> constraints; // budget texts, as parseConstraints reads them (all must hold)
    bool predicted = false;               // "latency" budgets mean predicted latency
    std::string predictor; // LatencyPredictor file; empty = the newest of `automoe latency build` for the run
    EvolutionConfig evolution;
    int64_t fitnessSentences = 200; // the first n validation pairs (0 = all)
    int64_t maxTokens = 0;          // per fitness batch, padding counted; 0 = the supernet trainer's
    int costSrcLen = 30;            // FLOPs lengths (HAT convention: 30 / 30)
    int costTgtLen = 30;
    LatencyOptions latency; // measured-latency settings
    // The space the evolution explores: unset = the supernet's own; set, it must lie inside the supernet's
    // space (a narrowed space, as the desktop editor makes it), else the run is refused naming the gene.
    std::optional<SearchSpace> space;

    std::vector<Constraint> parsedConstraints() const; // throws SearchError naming the text
    nlohmann::json toJson() const;
    // Throws std::invalid_argument naming the field.
    static SearchRunConfig fromJson(const nlohmann::json& j);
};

// The cost axis a search should draw its front on: the first latency budget's metric, else FLOPs when
// budgeted, else active params when budgeted, else FLOPs.
CostMetric defaultFrontCost(const std::vector<Constraint>& constraints);

// The newest latency predictor `automoe latency build` saved for supernet `supernetRun`, or "" if none.
std::string findLatencyPredictor(RunReader& store, int64_t supernetRun);

class SearchRun : public RunBase {
public:
    // Checks the supernet run, its checkpoint, the budgets, the evolution settings and (for predicted
    // latency) the predictor, then creates the run in `store` (status "created"). Throws naming the field,
    // run or file; nothing is stored then.
    SearchRun(RunStore& store, SearchRunConfig config);
    // An existing search run that was cancelled, killed or failed, to continue from its stored state.
    // Throws std::runtime_error for an unknown id, a run of another kind or a finished search, StoreError
    // when another process is executing it.
    static std::unique_ptr<SearchRun> resume(RunStore& store, int64_t runId);

    ~SearchRun() override; // cancels and joins a started thread

    const SearchRunConfig& config() const { return config_; }

    // Distributed search (rank 0 of a group; README "Multi-process training"): set before start(). Every
    // rank runs the same evolution (same seed, same draws); a generation's new candidates are evaluated
    // together, candidate i by rank i mod W, and their fitness values summed over the ranks (zeros
    // elsewhere), so every rank holds all of them and continues with the same population. Rank 0 alone
    // writes the store; its pause / cancel decision is broadcast before every fitness batch. Measured
    // latency (timed per rank) is refused: the ranks' populations would differ. A resumed search runs in
    // one process (std::invalid_argument otherwise).
    void setCollective(std::shared_ptr<Collective> collective);

private:
    SearchRun(RunStore& store, int64_t runId, SearchRunConfig config);
    void run() override;

    SearchRunConfig config_;
    bool resuming_ = false;
    std::shared_ptr<Collective> collective_;
};

// A rank other than 0 of a distributed search: runs `config` (rank 0's, its checkpoint resolved) on the
// supernet read from `store` in lockstep with rank 0 until rank 0 finishes or cancels; stores nothing.
// Returns the candidates this rank evaluated. Throws when the group fails or the configuration is
// unusable.
int64_t followSearch(RunReader& store, const SearchRunConfig& config, Collective& collective);

// The evolution state a search run's store holds, for Evolution::restoreState: the last "search_state"
// snapshot (else `initial`, the state of a fresh engine) with its candidates rebuilt from the "candidate"
// events in evaluation order; candidates of the interrupted generation become pending fitness values.
// Throws std::runtime_error when the events and the snapshot disagree.
nlohmann::json storedEvolutionState(RunStore& store, int64_t runId, const nlohmann::json& initial);

} // namespace automoe
