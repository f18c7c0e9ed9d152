// The MoE-vs-dense study (AutoMoE, arXiv 2210.07535, Tables 2-3, at the scale of one machine): does a
// search in the heterogeneous MoE space find better models than a dense search and a hand-designed dense
// Transformer at the same inference FLOPs? One corpus, one space, one training budget per stage:
//
//   (a) baseline      a hand-designed dense Transformer (the space's largest dense architecture, or a
//                     given one) trained from scratch for the stage budget (M minutes or N updates); its
//                     update count U is the budget of every retrain below;
//   (b) dense         a supernet of the dense sub-space (1 expert per layer: HAT's setting) trained for the
//                     stage budget, searched under each FLOPs budget, and its best architecture at each
//                     budget retrained from scratch for U updates;
//   (c) moe           the same with a supernet of the full heterogeneous space.
//
// FLOPs budgets are fractions of the baseline's FLOPs (HAT convention: no embedding or output layer, 30 /
// 30 tokens). Every stage is an ordinary run of the store (kinds retrain, supernet, search), linked from the
// study by "moe_study_stage" events; retrains are `close` runs (costs measured first, test BLEU and chrF
// last). The table's rows ("moe_study_row") give FLOPs, active and total (non-embedding) parameters,
// measured latency, validation NLL, test BLEU and chrF for (a) and for (b), (c) at each budget.
//
// Resumable: a killed or cancelled study continues where it stopped (MoeDenseStudy::resume); finished stages
// are reused, an unfinished stage run is resumed (a training stage gets the time it has not used yet), a
// stage not yet begun is started. Pause and cancel act on the stage run that is executing.
//
// Events of a run of kind "moe_study": "moe_study_setup" (baseline, budgets, stages), per stage
// "moe_study_stage" {stage, run, state: started | finished}, per table row "moe_study_row", and
// "moe_study_result" {rows}.
#pragma once

#include "run/MoeStudyRow.h"
#include "run/RunBase.h"
#include "run/TrainingRun.h"
#include "search/Evolution.h"
#include "space/Architecture.h"
#include "space/SearchSpace.h"
#include "store/RunStore.h"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace automoe {

class RunObserver;

struct MoeDenseStudyConfig {
    std::string name;
    // The data, space, model and trainer settings every training stage starts from (its kind, name,
    // sampling and budgets are set per stage). `training.space` is the full heterogeneous space.
    TrainingRunConfig training;
    std::optional<Architecture> baseline;      // unset: the dense sub-space's largest architecture
    double minutes = 0;                        // per training stage (baseline and supernets); or
    int64_t updates = 0;                       // per training stage when minutes is 0
    std::vector<double> budgets = {0.5, 0.75}; // fractions of the baseline's FLOPs, each in (0, 1]
    // Of every search (frontCost is FLOPs). A budget well below the baseline's FLOPs rejects most random
    // draws of a space with many experts and top-2 layers, so the study allows many more draws per child.
    EvolutionConfig evolution = studyEvolution();
    static EvolutionConfig studyEvolution();
    int64_t fitnessSentences = 200; // validation pairs of a search's fitness
    int latencyRepeats = 10;        // timed runs of each retrain's latency measurement
    int64_t testSentences = 500;    // test pairs of each retrain's greedy BLEU

    // Throws std::invalid_argument naming the field.
    void validate() const;
    nlohmann::json toJson() const;
    static MoeDenseStudyConfig fromJson(const nlohmann::json& j); // throws std::invalid_argument
};

// `space` with one expert per layer in both stacks (and top-1): the dense sub-space HAT searches.
SearchSpace denseSubspace(const SearchSpace& space);

class MoeDenseStudy : public RunBase {
public:
    // Checks the settings, then creates the run (kind "moe_study"). Throws naming the field.
    MoeDenseStudy(RunStore& store, MoeDenseStudyConfig config);
    // A study that was cancelled, killed or failed, to continue. Throws std::runtime_error for an unknown id,
    // a run of another kind or a finished study, StoreError when another process executes it.
    static std::unique_ptr<MoeDenseStudy> resume(RunStore& store, int64_t runId);
    ~MoeDenseStudy() override;

    const MoeDenseStudyConfig& config() const { return config_; }
    // Observers handed to every stage run the study starts (e.g. the CLI's progress printer).
    void addStageObserver(RunObserver* observer) { stageObservers_.push_back(observer); }
    // Valid after a finished execute(): baseline, then per budget dense and moe.
    const std::vector<MoeDenseStudyRow>& rows() const { return rows_; }

    // The stage names in order: baseline, dense_supernet, moe_supernet, then per budget f
    // dense_search@f, moe_search@f, dense_retrain@f, moe_retrain@f (f as "%g").
    static std::vector<std::string> stageNames(const std::vector<double>& budgets);

private:
    MoeDenseStudy(RunStore& store, int64_t runId, MoeDenseStudyConfig config);
    void run() override;
    // Runs (or resumes, or reuses) the stage's run; returns its id, or 0 when the study was cancelled.
    int64_t trainingStage(const std::string& name, const TrainingRunConfig& c);
    int64_t searchStage(const std::string& name, int64_t supernetRun, double flopsLimit);
    RunStatus runStage(RunBase& child);
    MoeDenseStudyRow rowOf(const std::string& method, std::optional<double> budget, int64_t trainRun,
                           int64_t searchRun, int64_t supernetRun, double fitness);

    MoeDenseStudyConfig config_;
    std::map<std::string, int64_t> stageRuns_; // from stored "moe_study_stage" events
    std::vector<RunObserver*> stageObservers_;
    std::vector<MoeDenseStudyRow> rows_;
    bool resuming_ = false;
};

} // namespace automoe
