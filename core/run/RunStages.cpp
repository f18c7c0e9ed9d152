#include "run/RunStages.h"

#include <stdexcept>

namespace automoe {

const char* pipelineStageTitle(PipelineStage s) {
    static const char* const titles[kPipelineStageCount] = {"Supernet training",
                                                            "Latency dataset",
                                                            "Latency predictor",
                                                            "Evolutionary search",
                                                            "Measure latency, FLOPs, params",
                                                            "Retrain the found subnet",
                                                            "Test BLEU"};
    return titles[int(s)];
}

const char* progressUnitName(ProgressUnit unit) {
    static const char* const names[] = {"", "update", "generation", "sample", "architecture"};
    return names[int(unit)];
}

const std::vector<StageEventInfo>& stageEvents() {
    using P = PipelineStage;
    using U = ProgressUnit;
    static const std::vector<StageEventInfo> all = {
        {stage::kData, std::nullopt, U::None, nullptr, false},
        {stage::kSupernet, P::Supernet, U::Update, stage::kMaxUpdates, true},
        {stage::kLatencyDataset, P::LatencyDataset, U::Sample, stage::kSamples, false},
        {stage::kLatencyPredictor, P::LatencyPredictor, U::None, nullptr, false},
        {stage::kSearch, P::Search, U::Generation, stage::kIterations, false},
        {stage::kCosts, P::Measure, U::None, nullptr, false},
        {stage::kRetrain, P::Retrain, U::Update, stage::kMaxUpdates, true},
        {stage::kTest, P::Test, U::None, nullptr, false},
        {stage::kRank, std::nullopt, U::Architecture, stage::kArchs, false},
        {stage::kStudy, std::nullopt, U::Architecture, stage::kArchs, false},
        {stage::kDarts, std::nullopt, U::Update, stage::kMaxUpdates, true},
        {stage::kMoeStudy, std::nullopt, U::None, nullptr, false},
    };
    return all;
}

const StageEventInfo* stageEventInfo(const std::string& name) {
    for (const StageEventInfo& s : stageEvents())
        if (name == s.name) return &s;
    return nullptr;
}

std::vector<PipelineStage> RunKindStages::pipeline() const {
    std::vector<PipelineStage> out;
    for (const std::string& e : events)
        if (const StageEventInfo* info = stageEventInfo(e); info && info->pipeline)
            out.push_back(*info->pipeline);
    return out;
}

std::string RunKindStages::resumeCommand(std::int64_t runId) const {
    if (resume == ResumeCommand::None) return "";
    const char* program = resume == ResumeCommand::Train    ? "automoe train"
                          : resume == ResumeCommand::Search ? "automoe search"
                          : resume == ResumeCommand::Darts  ? "automoe darts"
                                                            : "automoe study moe-vs-dense";
    return std::string(program) + " --resume " + std::to_string(runId);
}

const std::vector<std::string>& runKinds() {
    static const std::vector<std::string> kinds = {"supernet", "retrain", "search",        "latency",  "rank",
                                                   "study",    "darts",   "darts_retrain", "moe_study"};
    return kinds;
}

std::string resumeCommand(const std::string& kind, std::int64_t runId) {
    try {
        return runKindStages(kind).resumeCommand(runId);
    } catch (const std::invalid_argument&) {
        return ""; // a kind this program does not know
    }
}

std::string wrongKindToResume(std::int64_t runId, const std::string& kind, const std::string& what) {
    const std::string how = resumeCommand(kind, runId);
    return "run " + std::to_string(runId) + " is a " + kind + " run, not a " + what + " run" +
           (how.empty() ? ": it cannot be resumed" : ": resume it with `" + how + "`");
}

RunKindStages runKindStages(const std::string& kind, const nlohmann::json& config) {
    auto number = [&](const char* key, double fallback) {
        const auto it = config.is_object() ? config.find(key) : config.end();
        return it != config.end() && it->is_number() ? it->get<double>() : fallback;
    };
    const bool test = number("test_sentences", 500) != 0;
    RunKindStages k;
    k.kind = kind;
    if (kind == "supernet" || kind == "retrain") {
        k.events = {stage::kData};
        if (kind == "retrain" && number("cost_repeats", 0) > 0) k.events.push_back(stage::kCosts);
        k.events.push_back(kind == "supernet" ? stage::kSupernet : stage::kRetrain);
        if (test) k.events.push_back(stage::kTest);
        k.resume = ResumeCommand::Train;
    } else if (kind == "search") {
        k.events = {stage::kData, stage::kSearch};
        k.resume = ResumeCommand::Search;
    } else if (kind == "latency") {
        k.events = {stage::kLatencyDataset, stage::kLatencyPredictor};
    } else if (kind == "rank") {
        k.events = {stage::kRank};
    } else if (kind == "study") {
        k.events = {stage::kStudy};
    } else if (kind == "darts") {
        k.events = {stage::kData, stage::kDarts};
        k.resume = ResumeCommand::Darts;
    } else if (kind == "darts_retrain") {
        k.events = {stage::kData, stage::kRetrain};
        if (test) k.events.push_back(stage::kTest);
        k.resume = ResumeCommand::Darts;
    } else if (kind == "moe_study") {
        k.events = {stage::kMoeStudy};
        k.resume = ResumeCommand::MoeStudy;
    } else {
        throw std::invalid_argument("unknown run kind \"" + kind +
                                    "\" (expected supernet, retrain, search, latency, rank, study, darts, "
                                    "darts_retrain or moe_study)");
    }
    return k;
}

} // namespace automoe
