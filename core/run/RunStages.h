// The AutoMoE pipeline as the core runs it, defined once for both sides of the process boundary: the seven
// pipeline stages and their titles, the names of the stage events runs emit (RunBase::stage), which
// pipeline stage each event lights and which budget it owns, and, for every kind of run, its stage events
// in order and how it is resumed. Core emitters, the CLI's progress bar (through RunProgress) and the
// workbench's Run dock all read it; none of them spells a stage name of its own.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace automoe {

// The seven stages of AutoMoE (DESIGN §1), in pipeline order.
enum class PipelineStage { Supernet, LatencyDataset, LatencyPredictor, Search, Measure, Retrain, Test };
constexpr int kPipelineStageCount = 7;

// "Supernet training", "Latency dataset", "Latency predictor", "Evolutionary search",
// "Measure latency, FLOPs, params", "Retrain the found subnet", "Test BLEU".
const char* pipelineStageTitle(PipelineStage stage);
// 1 to 7.
inline int pipelineStageNumber(PipelineStage stage) {
    return int(stage) + 1;
}

// Stage events: Event type "stage" with payload {"stage": <name>, "state": "started" | "finished", ...}.
// A "finished" payload may say {"cancelled": true}: the stage stopped early and is not done.
namespace stage {
constexpr const char* kEventType = "stage";
constexpr const char* kStarted = "started";
constexpr const char* kFinished = "finished";

constexpr const char* kData = "data"; // loading what the run's first pipeline stage works on
constexpr const char* kSupernet = "supernet";
constexpr const char* kLatencyDataset = "latency_dataset";
constexpr const char* kLatencyPredictor = "latency_predictor";
constexpr const char* kSearch = "search";
constexpr const char* kCosts = "costs"; // measure latency, FLOPs and params of the found subnet
constexpr const char* kRetrain = "retrain";
constexpr const char* kTest = "test";
constexpr const char* kRank = "rank";          // the rank check of a search (not a pipeline stage)
constexpr const char* kStudy = "study";        // the supernet-standalone gap study (not a pipeline stage)
constexpr const char* kDarts = "darts";        // a DARTS search (not a stage of the AutoMoE pipeline)
constexpr const char* kMoeStudy = "moe_study"; // the MoE-vs-dense study: its stages are runs of their own

// Payload keys of the budgets a "started" event carries.
constexpr const char* kMaxUpdates = "max_updates";
constexpr const char* kMaxMinutes = "max_minutes";
constexpr const char* kIterations = "iterations";
constexpr const char* kSamples = "samples";
constexpr const char* kArchs = "archs";
} // namespace stage

// What a stage's progress counts.
enum class ProgressUnit { None, Update, Generation, Sample, Architecture };
// "update", "generation", "sample", "architecture" ("" for None).
const char* progressUnitName(ProgressUnit unit);

struct StageEventInfo {
    const char* name;
    // The pipeline stage the event lights. None for "data", which lights the first pipeline stage of its
    // run (RunKindStages::pipeline), and for "rank", which is not a pipeline stage.
    std::optional<PipelineStage> pipeline;
    // The budget the stage owns: its unit and the "started" payload key of the total (nullptr: none), and
    // whether a minutes budget ("max_minutes") may bound it too. A stage without a budget (data, costs,
    // latency predictor, test) leaves the progress of the stage before it as it was.
    ProgressUnit unit;
    const char* totalKey;
    bool minutes;
};

// Every stage event, in pipeline order.
const std::vector<StageEventInfo>& stageEvents();
// The stage event called `name`, or nullptr.
const StageEventInfo* stageEventInfo(const std::string& name);

// How a stopped (cancelled, failed, interrupted) run of a kind continues.
enum class ResumeCommand { None, Train, Search, Darts, MoeStudy };

struct RunKindStages {
    std::string kind;                // as stored in runs.kind
    std::vector<std::string> events; // stage events in the order the run emits them
    ResumeCommand resume = ResumeCommand::None;

    // The pipeline stages the run lights, in order (the first is also what its "data" stage lights).
    std::vector<PipelineStage> pipeline() const;
    // "automoe train --resume 7", "automoe search --resume 7", "automoe darts --resume 7", or "" when the
    // kind cannot be resumed.
    std::string resumeCommand(std::int64_t runId) const;
};

// The kinds of run the core stores: "supernet", "retrain", "search", "latency", "rank", "study", "darts",
// "darts_retrain", "moe_study".
const std::vector<std::string>& runKinds();
// The stages of a run of `kind` with stored configuration `config`:
//   supernet  data, supernet, test              resumed by `automoe train --resume ID`
//   retrain   data, retrain, test               (`automoe train --arch`), `train --resume ID`
//   retrain   data, costs, retrain, test        (`automoe close`: config cost_repeats > 0), `train --resume`
//   search    data, search                      `automoe search --resume ID`
//   latency   latency_dataset, latency_predictor   not resumable
//   rank      rank                              not resumable
//   study     study                             not resumable
//   darts     data, darts                       `automoe darts --resume ID`
//   darts_retrain  data, retrain, test          (`automoe train --darts-arch`), `automoe darts --resume ID`
//   moe_study moe_study                         `automoe study moe-vs-dense --resume ID`
// test is left out when config.test_sentences is 0. Throws std::invalid_argument for an unknown kind.
RunKindStages runKindStages(const std::string& kind, const nlohmann::json& config = nlohmann::json::object());
// runKindStages(kind).resumeCommand(runId), and "" for a kind this program does not know.
std::string resumeCommand(const std::string& kind, std::int64_t runId);
// Why run `runId` of `kind` is not resumed by a command that resumes `what` runs ("training", "DARTS"):
// "run 7 is a search run, not a training run: resume it with `automoe search --resume 7`" (or ": it cannot
// be resumed").
std::string wrongKindToResume(std::int64_t runId, const std::string& kind, const std::string& what);

} // namespace automoe
