#include "store/RunRecords.h"

#include <stdexcept>

namespace automoe {

namespace {
const char* const kStatusNames[] = {"created", "running",   "paused",     "finished",
                                    "failed",  "cancelled", "interrupted"};
constexpr int kStatusCount = int(sizeof kStatusNames / sizeof kStatusNames[0]);

template <typename T> nlohmann::json orNull(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
}
} // namespace

const char* runStatusName(RunStatus status) {
    return kStatusNames[int(status)];
}

bool isLive(RunStatus status) {
    return status == RunStatus::Created || status == RunStatus::Running || status == RunStatus::Paused;
}

RunStatus runStatusFromString(const std::string& text) {
    for (int i = 0; i < kStatusCount; ++i)
        if (text == kStatusNames[i]) return RunStatus(i);
    throw std::invalid_argument("unknown run status \"" + text + "\"");
}

nlohmann::json toJson(const TrainingStepRow& r) {
    nlohmann::json j = {{"update", r.update},    {"loss", r.loss},     {"nll", r.nll},
                        {"lb_loss", r.lbLoss},   {"lr", r.lr},         {"tokens", r.tokens},
                        {"arch_key", r.archKey}, {"wall_ms", r.wallMs}};
    if (r.arch) j["arch"] = *r.arch;
    if (!r.ranks.empty()) {
        nlohmann::json ranks = nlohmann::json::array();
        for (const RankStepRow& k : r.ranks)
            ranks.push_back({{"tokens", k.tokens}, {"busy_ms", k.busyMs}});
        j["ranks"] = std::move(ranks);
    }
    return j;
}

nlohmann::json toJson(const ValidationRow& r) {
    return {{"update", r.update}, {"subnet", r.subnet}, {"loss", r.loss}, {"bleu", orNull(r.bleu)}};
}

nlohmann::json toJson(const CheckpointRow& r) {
    return {{"update", r.update}, {"path", r.path}, {"bytes", r.bytes}, {"created", r.createdMs}};
}

nlohmann::json toJson(const ArchitectureRow& r) {
    return {{"key", r.key}, {"arch", r.json}};
}

nlohmann::json toJson(const CandidateRow& r) {
    return {{"generation", r.generation},
            {"arch_key", r.architecture.key},
            {"arch", r.architecture.json},
            {"fitness", r.fitness},
            {"flops", r.flops},
            {"params_active", r.paramsActive},
            {"latency_ms", orNull(r.latencyMs)},
            {"predicted_latency_ms", orNull(r.predictedLatencyMs)},
            {"feasible", r.feasible}};
}

nlohmann::json toJson(const GenerationRow& r) {
    nlohmann::json j = {{"generation", r.generation}, {"hypervolume", r.hypervolume}, {"front", r.front}};
    if (r.referenceCost && r.referenceFitness)
        j["reference"] = {{"cost", *r.referenceCost}, {"fitness", *r.referenceFitness}};
    if (!r.costMetric.empty()) j["cost_metric"] = r.costMetric;
    return j;
}

nlohmann::json toJson(const RoutingSnapshot& r) {
    nlohmann::json rows = nlohmann::json::array();
    for (const RoutingStatRow& s : r.rows)
        rows.push_back(
            {{"stack", s.stack}, {"layer", s.layer}, {"expert", s.expert}, {"tokens", s.tokensFraction}});
    return {{"update", r.update}, {"rows", rows}};
}

} // namespace automoe
