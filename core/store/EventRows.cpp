#include "store/EventRows.h"

#include "util/JsonField.h"

#include <stdexcept>

namespace automoe {

TrainingStepRow trainingStepFromJson(const nlohmann::json& j) {
    const JsonFields f = JsonFields::ofEvent("training_step");
    TrainingStepRow r;
    r.update = f.required<std::int64_t>(j, "update");
    r.loss = f.required<double>(j, "loss");
    r.nll = f.get<double>(j, "nll", 0);
    r.lbLoss = f.get<double>(j, "lb_loss", 0);
    r.lr = f.get<double>(j, "lr", 0);
    r.tokens = f.get<std::int64_t>(j, "tokens", 0);
    r.archKey = f.get<std::string>(j, "arch_key", "");
    r.wallMs = f.get<double>(j, "wall_ms", 0);
    if (j.contains("arch") && !j.at("arch").is_null()) r.arch = j.at("arch");
    // A multi-process run's shares by rank; runs of before (and one-process runs) have none.
    if (j.contains("ranks") && !j.at("ranks").is_null()) {
        const nlohmann::json& ranks = j.at("ranks");
        if (!ranks.is_array())
            throw std::invalid_argument("training_step event: field \"ranks\" is not an array");
        for (const nlohmann::json& k : ranks)
            r.ranks.push_back({f.required<std::int64_t>(k, "tokens"), f.get<double>(k, "busy_ms", 0)});
    }
    return r;
}

ValidationRow validationFromJson(const nlohmann::json& j) {
    const JsonFields f = JsonFields::ofEvent("validation");
    return {f.required<std::int64_t>(j, "update"), f.required<std::string>(j, "subnet"),
            f.required<double>(j, "loss"), f.optional<double>(j, "bleu")};
}

CheckpointRow checkpointFromJson(const nlohmann::json& j) {
    const JsonFields f = JsonFields::ofEvent("checkpoint");
    return {f.required<std::int64_t>(j, "update"), f.required<std::string>(j, "path"),
            f.get<std::int64_t>(j, "bytes", 0), f.get<std::int64_t>(j, "created", 0)};
}

ArchitectureRow architectureRowFromJson(const nlohmann::json& j) {
    const JsonFields f = JsonFields::ofEvent("architecture");
    ArchitectureRow r;
    r.key = f.required<std::string>(j, "key");
    r.json = j.contains("arch") ? j.at("arch") : nlohmann::json();
    return r;
}

CandidateRow candidateFromJson(const nlohmann::json& j) {
    const JsonFields f = JsonFields::ofEvent("candidate");
    CandidateRow c;
    c.generation = f.required<std::int64_t>(j, "generation");
    c.architecture.key = f.required<std::string>(j, "arch_key");
    c.architecture.json = j.contains("arch") ? j.at("arch") : nlohmann::json();
    c.fitness = f.required<double>(j, "fitness");
    c.flops = f.get<double>(j, "flops", 0);
    c.paramsActive = f.get<std::int64_t>(j, "params_active", 0);
    c.latencyMs = f.optional<double>(j, "latency_ms");
    c.predictedLatencyMs = f.optional<double>(j, "predicted_latency_ms");
    c.feasible = f.get<bool>(j, "feasible", true);
    return c;
}

GenerationRow generationFromJson(const nlohmann::json& j) {
    const JsonFields f = JsonFields::ofEvent("generation");
    GenerationRow g;
    g.generation = f.required<std::int64_t>(j, "generation");
    g.hypervolume = f.get<double>(j, "hypervolume", 0);
    g.front = j.contains("front") && j.at("front").is_array() ? j.at("front") : nlohmann::json::array();
    if (j.contains("reference") && j.at("reference").is_object()) {
        g.referenceCost = f.required<double>(j.at("reference"), "cost");
        g.referenceFitness = f.required<double>(j.at("reference"), "fitness");
    }
    g.costMetric = f.get<std::string>(j, "cost_metric", "");
    return g;
}

RoutingSnapshot routingFromJson(const nlohmann::json& j) {
    const JsonFields f = JsonFields::ofEvent("routing");
    RoutingSnapshot s;
    s.update = f.required<std::int64_t>(j, "update");
    const nlohmann::json rows = f.get<nlohmann::json>(j, "rows", nlohmann::json::array());
    if (!rows.is_array()) throw std::invalid_argument("routing event: field \"rows\" is not an array");
    for (const nlohmann::json& r : rows)
        s.rows.push_back({f.required<std::string>(r, "stack"), f.required<int>(r, "layer"),
                          f.required<int>(r, "expert"), f.required<double>(r, "tokens")});
    return s;
}

EventRow rowFromEvent(const std::string& type, const nlohmann::json& payload) {
    if (type == "training_step") return trainingStepFromJson(payload);
    if (type == "validation") return validationFromJson(payload);
    if (type == "checkpoint") return checkpointFromJson(payload);
    if (type == "architecture") return architectureRowFromJson(payload);
    if (type == "candidate") return candidateFromJson(payload);
    if (type == "generation") return generationFromJson(payload);
    if (type == "routing") return routingFromJson(payload);
    return std::monostate{};
}

} // namespace automoe
